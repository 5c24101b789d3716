/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.aeron.Counter;
import io.orrery.core.status.OrreryCounter;
import io.orrery.wire.codec.PlayerInputDecoder;
import org.agrona.collections.Long2ObjectHashMap;

import java.util.ArrayList;

/**
 * Player input on its way to the authority: one {@link InputRing} per player entity (pooled), forwarding in order,
 * retry of what back-pressure held back, replay after a handoff commit or a reassignment, and the claims that keep a
 * rejoining server from applying an input twice ({@link #baseline}). Atlas decides where input goes (its authority
 * map); this class only keeps, sends and replays it.
 * <p>
 * Exactly once: an input is forwarded when its sequence is above {@link InputRing#lastDelivered}, which only grows
 * for one authority epoch and is reset to the baseline the new authority is given with the entity's state.
 * <p>
 * Threading: Replicant thread only. Zero allocation per input; rings are allocated when a player first joins and then
 * reused.
 */
final class InputForwarding
{
    private final int ringCapacity;
    private final ServerEgressProxy proxy;
    private final Counter[] counters;
    private final Long2ObjectHashMap<InputRing> rings = new Long2ObjectHashMap<>();
    private final ArrayList<InputRing> freeRings = new ArrayList<>();
    private final ArrayList<InputRing> undelivered = new ArrayList<>();
    private long inputsClaimedAtStreamIn;

    InputForwarding(final int ringCapacity, final ServerEgressProxy proxy, final Counter[] counters)
    {
        this.ringCapacity = ringCapacity;
        this.proxy = proxy;
        this.counters = counters;
    }

    /**
     * A player joined: its ring, emptied. Control path.
     */
    void open(final long playerEntityId)
    {
        InputRing ring = rings.get(playerEntityId);
        if (null == ring)
        {
            final int last = freeRings.size() - 1;
            ring = last >= 0 ? freeRings.remove(last) : new InputRing(ringCapacity);
            rings.put(playerEntityId, ring);
        }
        ring.reset(playerEntityId, playerEntityId);
    }

    /**
     * A player left: its ring goes back to the pool.
     */
    void close(final long playerEntityId)
    {
        final InputRing ring = rings.remove(playerEntityId);
        if (null != ring)
        {
            ring.awaitingDelivery = false; // a retry finds it unroutable and drops it
            freeRings.add(ring);
        }
    }

    boolean hasRing(final long entityId)
    {
        return rings.containsKey(entityId);
    }

    /**
     * @return the ring of a player entity, or null.
     */
    InputRing ring(final long entityId)
    {
        return rings.get(entityId);
    }

    /**
     * Keep an input in its entity's ring (overflow of undelivered input counted).
     *
     * @return the ring, or null if the entity is not a joined player.
     */
    InputRing record(final PlayerInputDecoder input, final long nowNs)
    {
        final InputRing ring = rings.get(input.entityId());
        if (null == ring)
        {
            return null;
        }
        final long sequence = input.inputSequence();
        final long clientTimestampNs = input.clientTimestampNs();
        final float mx = input.move().x();
        final float my = input.move().y();
        final float mz = input.move().z();
        final float yaw = input.aimYaw();
        final float pitch = input.aimPitch();
        final int actions = (int)input.actions().getRaw();
        if (ring.add(sequence, clientTimestampNs, nowNs, mx, my, mz, yaw, pitch, actions))
        {
            increment(OrreryCounter.HANDOFF_INPUT_OVERFLOWS);
        }
        return ring;
    }

    /**
     * Forward what the authority has not been sent; what back-pressure holds back is retried by {@link #retry}.
     */
    void forward(final InputRing ring, final ServerConnection to, final long epoch)
    {
        if (!deliverPending(ring, to, epoch))
        {
            awaitDelivery(ring);
        }
    }

    /**
     * The new authority {@code to} takes the entity with every input up to {@code baseline}: count what overflowed
     * the ring before it could be delivered, make it the claim, and replay what is above it, once.
     */
    void replay(final InputRing ring, final ServerConnection to, final long epoch, final long baseline)
    {
        if (ring.maxOverwritten > baseline && ring.maxOverwritten > ring.lastDelivered)
        {
            increment(OrreryCounter.HANDOFF_INPUT_OVERFLOWS);
        }
        ring.claim(to.serverSessionId, baseline);
        forward(ring, to, epoch);
    }

    /**
     * The last input the new authority {@code to} must consider applied: {@code confirmed} (the cache's: what the
     * entity's last authority confirmed in its writes, or in its final state of a handoff), or, if it is higher, what
     * the same server was already given: the inputs its current session, or the live session it replaced when it
     * rejoined, was forwarded while its link could not have given the session up. Those it applied even if it never
     * wrote them back; inputs forwarded to another server, or to a session declared dead, are replayed.
     */
    long baseline(final InputRing ring, final long confirmed, final ServerConnection to)
    {
        if (null == ring || 0 == ring.claimSessionId || ring.claimedSequence <= confirmed ||
            (ring.claimSessionId != to.serverSessionId && ring.claimSessionId != to.replacedSessionId))
        {
            return confirmed;
        }
        inputsClaimedAtStreamIn += ring.claimedSequence - confirmed;
        return ring.claimedSequence;
    }

    /**
     * A server whose claims are suspended confirmed an input: if it is one forwarded after the gap, its link still
     * reads this session, so what is forwarded to it is claimed again. Rare: only after a gap in the layer's egress.
     */
    void onConfirmedWhileSuspended(final ServerConnection sender, final long entityId, final long lastApplied)
    {
        final InputRing ring = rings.get(entityId);
        if (null != ring && ring.claimSessionId == sender.serverSessionId && 0 != ring.unclaimedFrom &&
            lastApplied >= ring.unclaimedFrom)
        {
            sender.claimsSuspended = false;
            ring.unclaimedFrom = 0;
            ring.claimedSequence = Math.max(ring.claimedSequence, lastApplied);
        }
    }

    /**
     * Every duty cycle: forward input that back-pressure held back. Rings whose entity is being handed over or has no
     * authority are dropped from the list: the commit or reassignment replays them from the ring.
     *
     * @param mesh where each entity's input goes now ({@link ServerMesh#routeOf(long)}).
     * @return work done.
     */
    int retry(final ServerMesh mesh)
    {
        int work = 0;
        for (int i = undelivered.size() - 1; i >= 0; i--)
        {
            final InputRing ring = undelivered.get(i);
            final ServerConnection to = ring.awaitingDelivery ? mesh.routeOf(ring.entityId) : null;
            if (null == to || deliverPending(ring, to, mesh.routeEpoch()))
            {
                ring.awaitingDelivery = false;
                final int last = undelivered.size() - 1;
                undelivered.set(i, undelivered.get(last));
                undelivered.remove(last);
                work++;
            }
        }
        return work;
    }

    /**
     * @return inputs (by sequence span) a server was not sent again when it got an entity streamed in because its
     * session, or the live session it replaced, had already been given them (a rejoin before its write-back).
     */
    long inputsClaimedAtStreamIn()
    {
        return inputsClaimedAtStreamIn;
    }

    /**
     * Forward every input of the ring above {@link InputRing#lastDelivered}, in order, stopping at the first offer
     * that is back-pressured. Input is the hot path: a full window (the consumer or the driver momentarily behind) is
     * not a dead server, so what was not taken stays in the ring and is retried next duty cycle, still in order and
     * still exactly once. A server that stays unable to take anything stops heartbeating in effect and is failed over
     * by the heartbeat timeout.
     *
     * @return true if everything was forwarded.
     */
    private boolean deliverPending(final InputRing ring, final ServerConnection to, final long epoch)
    {
        for (int i = 0; i < ring.count; i++)
        {
            final int index = ring.indexOf(i);
            final long sequence = ring.sequence[index];
            if (sequence > ring.lastDelivered)
            {
                if (!proxy.forwardedInput(to, ring.entityId, ring.playerId, epoch, sequence,
                    ring.clientTimestampNs[index], ring.receivedTimeNs[index], ring.moveX[index], ring.moveY[index],
                    ring.moveZ[index], ring.aimYaw[index], ring.aimPitch[index], ring.actions[index]))
                {
                    increment(OrreryCounter.SERVER_EGRESS_BACK_PRESSURE);
                    return false;
                }
                ring.onForwarded(to.serverSessionId, sequence, to.claimsSuspended || !to.bound);
            }
        }
        return true;
    }

    private void awaitDelivery(final InputRing ring)
    {
        if (!ring.awaitingDelivery)
        {
            ring.awaitingDelivery = true;
            undelivered.add(ring);
        }
    }

    private void increment(final OrreryCounter counter)
    {
        counters[counter.id()].incrementOrdered();
    }
}
