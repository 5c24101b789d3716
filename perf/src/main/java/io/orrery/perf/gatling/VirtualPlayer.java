/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.perf.gatling;

import io.orrery.core.client.ClientEntityView;
import io.orrery.core.client.ClientListener;
import io.orrery.core.client.ClientSession;

/**
 * The player behind one Gatling virtual user: a real {@link ClientSession} (own ingress publication, token, player
 * id and handshake) hosted by the {@link SessionGateway}'s client link, with at most one request in flight. It is
 * the session's {@link ClientListener}, so completions reach the pending request without a lookup.
 * <p>
 * Threading: created on any thread by {@link SessionGateway#newPlayer()}; from then on its mutable state is touched
 * only on the gateway thread. {@link #playerId()} is final and may be read anywhere.
 */
public final class VirtualPlayer implements ClientListener
{
    private static final int NO_REJECT = -1;

    final SessionGateway gateway;
    final long index;
    final long playerId;

    ClientSession session;
    GatewayRequest pending;
    int rejectReason = NO_REJECT;
    float headingRad;

    VirtualPlayer(final SessionGateway gateway, final long index, final long playerId)
    {
        this.gateway = gateway;
        this.index = index;
        this.playerId = playerId;
        this.headingRad = (float)(index * 0.618034 * 2 * Math.PI);
    }

    public long playerId()
    {
        return playerId;
    }

    @Override
    public void onWelcome(final ClientSession session)
    {
        gateway.onWelcome(this);
    }

    @Override
    public void onReject(final ClientSession session, final int reason, final int rejectedTemplateId)
    {
        rejectReason = reason;
    }

    @Override
    public void onSpawn(final ClientSession session, final ClientEntityView view, final int slot)
    {
        if (view.entityId(slot) == session.playerEntityId())
        {
            gateway.onOwnEntity(this, view.lastAppliedInputSequence(slot));
        }
    }

    @Override
    public void onUpdate(final ClientSession session, final ClientEntityView view, final int slot, final int mask)
    {
        if (view.entityId(slot) == session.playerEntityId())
        {
            gateway.onOwnEntity(this, view.lastAppliedInputSequence(slot));
        }
    }

    @Override
    public void onDisconnect(final ClientSession session, final int reason)
    {
        gateway.onDisconnect(this, reason);
    }

    boolean wasRejected()
    {
        return NO_REJECT != rejectReason;
    }
}
