/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.orrery.core.replicant.EntityStore;
import io.orrery.core.server.EntitySnapshot;
import io.orrery.core.server.ForwardedInput;
import io.orrery.core.server.ServerLink;
import io.orrery.core.server.ServerListener;
import io.orrery.wire.codec.RejectReason;

/**
 * A minimal game server simulation over a real {@link ServerLink}: it applies each forwarded input at once as a
 * velocity (speed x move) and echoes its sequence, integrates positions each tick and writes every owned entity's
 * state with its epoch. It counts every input it applies by sequence into a shared array (and, optionally, per
 * player), so a test can prove each input was applied exactly once across servers. Pre-sized arrays: no allocation per input or tick.
 * <p>
 * Threading: the test thread only.
 */
final class TestGameServer implements ServerListener
{
    static final int MAX_ENTITIES = 512;
    static final long MM = 1000;

    final int serverId;
    final double speedMps;
    final int[] appliedBySequence;
    /**
     * Optional, shared between servers: inputs applied per player entity id (below its length) and sequence.
     */
    int[][] appliedByPlayer;
    ServerLink link;

    final long[] ids = new long[MAX_ENTITIES];
    final long[] epochs = new long[MAX_ENTITIES];
    final long[] x = new long[MAX_ENTITIES];
    final long[] y = new long[MAX_ENTITIES];
    final long[] z = new long[MAX_ENTITIES];
    final float[] vx = new float[MAX_ENTITIES];
    final float[] vy = new float[MAX_ENTITIES];
    final long[] lastApplied = new long[MAX_ENTITIES];
    final long[] zones = new long[MAX_ENTITIES];
    final int[] archetypes = new int[MAX_ENTITIES];
    final long[] owners = new long[MAX_ENTITIES];
    int count;

    final EntitySnapshot release = new EntitySnapshot();
    final EntitySnapshot state = new EntitySnapshot(0);
    long tick;
    long inputsApplied;
    long inputsForUnknownEntities;
    long inputsWithWrongEpoch;
    long releases;
    long streamIns;
    long staleRejects;
    long unauthorisedRejects;
    long lastRejectedEntityId;
    long lastRejectedEpoch;
    long viewsReceived;
    long viewsRemoved;
    long viewedEntityId;
    /**
     * The views as a game server keeps them: the fields in each callback's mask applied (every field on the first).
     */
    final ViewRecord views = new ViewRecord();
    long territoriesGranted;
    long disconnects;
    boolean welcomed;
    int rejectedReason = -1;
    boolean releaseOnRequest = true;
    /**
     * Mark the end of each simulated tick ({@link ServerLink#endTick}) so the layer streams it at once.
     */
    boolean endTicks;

    TestGameServer(final int serverId, final double speedMps, final int[] appliedBySequence)
    {
        this.serverId = serverId;
        this.speedMps = speedMps;
        this.appliedBySequence = appliedBySequence;
    }

    int indexOf(final long entityId)
    {
        for (int i = 0; i < count; i++)
        {
            if (ids[i] == entityId)
            {
                return i;
            }
        }
        return -1;
    }

    boolean owns(final long entityId)
    {
        return indexOf(entityId) >= 0;
    }

    long epochOf(final long entityId)
    {
        final int i = indexOf(entityId);
        return i < 0 ? -1 : epochs[i];
    }

    /**
     * Integrate and write every owned entity's state.
     */
    int simulate(final long nowNs, final double dtS)
    {
        if (!link.isConnected())
        {
            return ServerLink.NOT_CONNECTED;
        }
        tick++;
        link.beginStateBatch(tick, nowNs);
        for (int i = 0; i < count; i++)
        {
            x[i] += Math.round(vx[i] * dtS * MM);
            y[i] += Math.round(vy[i] * dtS * MM);
            state.reset().entityId(ids[i]).authorityEpoch(epochs[i]).parentZoneId(zones[i])
                .position(x[i], y[i], z[i]).velocity(vx[i], vy[i], 0).radius(0.5f)
                .lastAppliedInputSequence(lastApplied[i]);
            link.appendState(state, EntityStore.POSITION | EntityStore.VELOCITY | EntityStore.LAST_APPLIED_INPUT);
        }
        return endTicks ? link.endTick(tick) : link.commitStateBatch();
    }

    @Override
    public void onWelcome(final ServerLink link, final long serverSessionId, final long entityIdBase,
        final long entityIdCount)
    {
        welcomed = true;
    }

    @Override
    public void onRejected(final ServerLink link, final int reason, final String text)
    {
        rejectedReason = reason;
    }

    @Override
    public void onTerritoryGranted(final ServerLink link, final int territoryId, final long epoch,
        final long rootZoneId, final long minXMm, final long minYMm, final long minZMm, final long maxXMm,
        final long maxYMm, final long maxZMm)
    {
        territoriesGranted++;
    }

    @Override
    public void onEntityStreamIn(final ServerLink link, final EntitySnapshot snapshot)
    {
        streamIns++;
        int i = indexOf(snapshot.entityId());
        if (i < 0)
        {
            i = count++;
            ids[i] = snapshot.entityId();
        }
        epochs[i] = snapshot.authorityEpoch();
        x[i] = snapshot.x();
        y[i] = snapshot.y();
        z[i] = snapshot.z();
        vx[i] = snapshot.vx();
        vy[i] = snapshot.vy();
        zones[i] = snapshot.parentZoneId();
        archetypes[i] = snapshot.archetypeId();
        owners[i] = snapshot.ownerPlayerId();
        lastApplied[i] = snapshot.lastAppliedInputSequence();
    }

    @Override
    public void onEntityRemoved(final ServerLink link, final long entityId, final int reason)
    {
        drop(entityId);
    }

    @Override
    public void onHandoffRelease(final ServerLink link, final long entityId, final long epoch, final int toServerId)
    {
        final int i = indexOf(entityId);
        if (i < 0 || !releaseOnRequest)
        {
            return;
        }
        release.reset()
            .entityId(entityId)
            .archetypeId(archetypes[i])
            .ownerPlayerId(owners[i])
            .parentZoneId(zones[i])
            .position(x[i], y[i], z[i])
            .velocity(vx[i], vy[i], 0)
            .radius(0.5f)
            .authorityEpoch(epochs[i])
            .lastAppliedInputSequence(lastApplied[i]);
        if (ServerLink.OK == link.releaseEntity(release))
        {
            releases++;
            drop(entityId);
        }
    }

    @Override
    public void onForwardedInput(final ServerLink link, final ForwardedInput input)
    {
        final long entityId = input.entityId();
        final long authorityEpoch = input.authorityEpoch();
        final long inputSequence = input.inputSequence();
        final float moveX = input.moveX();
        final float moveY = input.moveY();
        final int i = indexOf(entityId);
        if (i < 0)
        {
            inputsForUnknownEntities++;
            return;
        }
        if (authorityEpoch != epochs[i])
        {
            inputsWithWrongEpoch++;
        }
        vx[i] = (float)(moveX * speedMps);
        vy[i] = (float)(moveY * speedMps);
        lastApplied[i] = inputSequence;
        inputsApplied++;
        if (null != appliedBySequence && inputSequence < appliedBySequence.length)
        {
            appliedBySequence[(int)inputSequence]++;
        }
        if (null != appliedByPlayer && entityId < appliedByPlayer.length && inputSequence < appliedByPlayer[0].length)
        {
            appliedByPlayer[(int)entityId][(int)inputSequence]++;
        }
    }

    @Override
    public void onClientView(final ServerLink link, final EntitySnapshot view, final int ownerServerId,
        final int changedMask)
    {
        viewsReceived++;
        viewedEntityId = view.entityId();
        views.onView(view, ownerServerId, changedMask);
    }

    @Override
    public void onClientViewRemoved(final ServerLink link, final long entityId)
    {
        viewsRemoved++;
        views.onRemoved(entityId);
    }

    @Override
    public void onServerReject(final ServerLink link, final int reason, final int rejectedTemplateId,
        final long entityId, final long rejectedEpoch)
    {
        lastRejectedEntityId = entityId;
        lastRejectedEpoch = rejectedEpoch;
        if (RejectReason.staleEpoch.value() == reason)
        {
            staleRejects++;
            drop(entityId);
        }
        else if (RejectReason.notAuthority.value() == reason)
        {
            unauthorisedRejects++;
            drop(entityId);
        }
    }

    @Override
    public void onDisconnected(final ServerLink link, final int reason)
    {
        disconnects++;
        count = 0;
    }

    private void drop(final long entityId)
    {
        final int i = indexOf(entityId);
        if (i >= 0)
        {
            final int last = --count;
            ids[i] = ids[last];
            epochs[i] = epochs[last];
            x[i] = x[last];
            y[i] = y[last];
            z[i] = z[last];
            vx[i] = vx[last];
            vy[i] = vy[last];
            lastApplied[i] = lastApplied[last];
            zones[i] = zones[last];
            archetypes[i] = archetypes[last];
            owners[i] = owners[last];
        }
    }
}
