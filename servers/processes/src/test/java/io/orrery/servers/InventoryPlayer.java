/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers;

import io.orrery.core.client.ClientEntityView;
import io.orrery.core.client.ClientListener;
import io.orrery.core.client.ClientSession;
import io.orrery.core.common.EntityIds;
import io.orrery.wire.codec.OperationStatus;
import org.HdrHistogram.Histogram;

/**
 * A test player that alternately unstows its starter item next to itself and stows it again through its real
 * session, one request at a time, checking every durable result: an {@code ok} or {@code duplicate} must leave the
 * item where it asked (else a mismatch). Records request to result latency (from the first send). Requests are
 * paced below the Gateway's input allowance; one without a result for two seconds is resent with the same operation
 * id (a retry, as a real client would).
 */
final class InventoryPlayer implements ClientListener
{
    static final long MIN_INTERVAL_NS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(40);
    static final long RESEND_AFTER_NS = java.util.concurrent.TimeUnit.SECONDS.toNanos(2);

    final long playerId;
    final long item;
    final Histogram latencyNs;
    ClientSession session;
    boolean stowed = true;
    long operationId;
    boolean pending;
    boolean pendingIsStow;
    long sentNs;
    int completed;
    int mismatches;
    int refused;
    int unavailable;
    int resends;
    long lastSentNs = System.nanoTime() - MIN_INTERVAL_NS;
    private long zoneId;
    private long x;
    private long y;
    private long z;

    InventoryPlayer(final long playerId, final Histogram latencyNs)
    {
        this.playerId = playerId;
        this.item = EntityIds.starterItemId(playerId);
        this.latencyNs = latencyNs;
    }

    /**
     * Send the next request if none is pending.
     *
     * @return whether one was sent.
     */
    boolean act()
    {
        if (null == session || !session.isConnected())
        {
            return false;
        }
        final long nowNs = System.nanoTime();
        if (pending)
        {
            if (nowNs - lastSentNs > RESEND_AFTER_NS && send() > 0)
            {
                resends++;
                lastSentNs = nowNs;
            }
            return false;
        }
        if (nowNs - lastSentNs < MIN_INTERVAL_NS)
        {
            return false; // stay below the Gateway's input allowance, which drops excess requests
        }
        final ClientEntityView view = session.view();
        final int own = view.slotOf(playerId);
        if (ClientEntityView.NULL_SLOT == own)
        {
            return false;
        }
        operationId++;
        pendingIsStow = !stowed;
        zoneId = view.parentZoneId(own);
        x = view.positionX(own) + 1000;
        y = view.positionY(own);
        z = view.positionZ(own);
        if (send() <= 0)
        {
            operationId--;
            return false;
        }
        pending = true;
        sentNs = nowNs;
        lastSentNs = nowNs;
        return true;
    }

    private long send()
    {
        return pendingIsStow ? session.stow(operationId, item, 0) : session.unstow(operationId, item, zoneId, x, y, z);
    }

    @Override
    public void onStowResult(
        final ClientSession session, final long operationId, final long itemEntityId, final boolean stowed,
        final int status)
    {
        if (!pending || operationId != this.operationId)
        {
            mismatches++;
            return;
        }
        pending = false;
        latencyNs.recordValue(Math.min(System.nanoTime() - sentNs, latencyNs.getHighestTrackableValue()));
        if (OperationStatus.ok.value() == status || OperationStatus.duplicate.value() == status)
        {
            completed++;
            if (stowed != pendingIsStow)
            {
                mismatches++;
            }
            this.stowed = stowed;
        }
        else if (OperationStatus.storeUnavailable.value() == status)
        {
            unavailable++;
        }
        else
        {
            refused++;
        }
    }
}
