/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers;

import io.orrery.core.common.EntityIds;
import io.orrery.core.client.ClientEntityView;
import io.orrery.core.client.ClientListener;
import io.orrery.core.client.ClientSession;
import io.orrery.wire.codec.OperationStatus;
import org.HdrHistogram.Histogram;

import java.util.concurrent.TimeUnit;

/**
 * A test player that moves between shards with what it carries, through its real sessions: on each shard it joins
 * (its starter item granted into the Global store the first time), it unstows its item next to itself, stows it again,
 * leaves, and joins the other shard, where it unstows it again; after its last transfer it unstows the item in the
 * shard it ends in and stops. Records the transfer time (left one shard → own entity spawned in the other) and the
 * stow/unstow latency. A request without a result for two seconds is resent with the same operation id; a refused
 * unstow (the grant not durable yet) is retried with a new one.
 */
final class TransferPlayer implements ClientListener
{
    static final long MIN_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(40);
    static final long RESEND_AFTER_NS = TimeUnit.SECONDS.toNanos(2);
    static final long NOT_CONNECTED_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);

    enum Phase
    {
        JOIN, SPAWN, UNSTOW, STOW, DONE
    }

    /**
     * Opens a session on a shard.
     */
    interface Connector
    {
        ClientSession connect(int shard, long playerId, ClientListener listener);
    }

    final long playerId;
    final long item;
    final int transfersWanted;
    private final Histogram transferNs;
    private final Histogram operationNs;
    int shard;
    Phase phase = Phase.JOIN;
    ClientSession session;
    int transfers;
    int refused;
    int resends;
    int mismatches;
    int lateResults;
    String lastMismatch;
    int reconnects;
    private long operationId;
    private Phase resumePhase = Phase.UNSTOW;
    private ClientSession pendingSession;
    private boolean pending;
    private boolean pendingIsStow;
    private long sentNs;
    private long lastSentNs;
    private long leftNs;
    private long notConnectedSinceNs;
    private long zoneId;
    private long x;
    private long y;
    private long z;

    TransferPlayer(
        final long playerId, final int firstShard, final int transfersWanted, final Histogram transferNs,
        final Histogram operationNs)
    {
        this.playerId = playerId;
        this.item = EntityIds.starterItemId(playerId);
        this.shard = firstShard;
        this.transfersWanted = transfersWanted;
        this.transferNs = transferNs;
        this.operationNs = operationNs;
    }

    /**
     * One step of the player's plan.
     *
     * @return whether it did something.
     */
    boolean act(final Connector connector, final long nowNs)
    {
        switch (phase)
        {
            case JOIN:
                session = connector.connect(shard, playerId, this);
                phase = Phase.SPAWN;
                return true;

            case SPAWN:
                if (ClientSession.State.CONNECTED != session.state() && isOver(session))
                {
                    reconnects++;
                    phase = Phase.JOIN;
                    return false;
                }
                if (session.isConnected() && ClientEntityView.NULL_SLOT != session.view().slotOf(playerId))
                {
                    if (0 != leftNs)
                    {
                        transferNs.recordValue(Math.min(nowNs - leftNs, transferNs.getHighestTrackableValue()));
                        leftNs = 0;
                    }
                    phase = resumePhase;
                    lastSentNs = nowNs - MIN_INTERVAL_NS;
                    return true;
                }
                return false;

            case UNSTOW:
            case STOW:
                return request(nowNs);

            default:
                return false;
        }
    }

    private static boolean isOver(final ClientSession session)
    {
        final ClientSession.State state = session.state();
        return ClientSession.State.REJECTED == state || ClientSession.State.DISCONNECTED == state ||
            ClientSession.State.CLOSED == state;
    }

    private boolean request(final long nowNs)
    {
        if (!session.isConnected())
        {
            if (0 == notConnectedSinceNs)
            {
                notConnectedSinceNs = nowNs;
            }
            if (nowNs - notConnectedSinceNs > NOT_CONNECTED_TIMEOUT_NS && !isOver(session))
            {
                session.disconnect(); // resuming for too long: start a new session
            }
            if (isOver(session))
            {
                // the shard went away (killed) or dropped us: join it again and carry on where we were
                reconnects++;
                resumePhase = phase;
                phase = Phase.JOIN;
                notConnectedSinceNs = 0;
            }
            return false;
        }
        notConnectedSinceNs = 0;
        if (pending)
        {
            if ((pendingSession != session || nowNs - lastSentNs > RESEND_AFTER_NS) && send() > 0)
            {
                resends++; // same operation id: a replay if the first one was applied
                lastSentNs = nowNs;
                pendingSession = session;
            }
            return false;
        }
        if (nowNs - lastSentNs < MIN_INTERVAL_NS)
        {
            return false; // below the Gateway's input allowance
        }
        final ClientEntityView view = session.view();
        final int own = view.slotOf(playerId);
        if (ClientEntityView.NULL_SLOT == own)
        {
            return false;
        }
        operationId++;
        pendingIsStow = Phase.STOW == phase;
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
        pendingSession = session;
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
        if (operationId < this.operationId || (!pending && operationId == this.operationId))
        {
            lateResults++; // the answer to a resent request whose operation this player already completed
            return;
        }
        if (!pending || operationId != this.operationId)
        {
            mismatches++;
            lastMismatch = "result for operation " + operationId + " status " + status + " stowed " + stowed +
                " while " + (pending ? "awaiting " + this.operationId : "none pending") + " in " + phase;
            return;
        }
        pending = false;
        final long nowNs = System.nanoTime();
        operationNs.recordValue(Math.min(nowNs - sentNs, operationNs.getHighestTrackableValue()));
        if (OperationStatus.ok.value() != status && OperationStatus.duplicate.value() != status)
        {
            // Refused: the item is not where this player thought. An unstow refused (the grant not durable yet, or
            // the item already in the world) or a stow refused (a stow applied before the shard died whose answer
            // was lost, and whose replay the restarted shard no longer recognises): try the other way round.
            refused++;
            if (OperationStatus.storeUnavailable.value() != status)
            {
                phase = Phase.STOW == phase ? Phase.UNSTOW : Phase.STOW;
            }
            return;
        }
        if (stowed != pendingIsStow)
        {
            mismatches++;
            lastMismatch = "operation " + operationId + " status " + status + " stowed " + stowed + " for a " +
                (pendingIsStow ? "stow" : "unstow") + " in " + phase;
            return;
        }
        if (pendingIsStow)
        {
            // carried into the Global store: leave this shard for the other
            session.disconnect();
            this.session = null;
            leftNs = nowNs;
            shard ^= 1;
            transfers++;
            resumePhase = Phase.UNSTOW;
            phase = Phase.JOIN;
        }
        else
        {
            phase = transfers >= transfersWanted ? Phase.DONE : Phase.STOW;
        }
    }
}
