/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant.bridge;

import io.aeron.Counter;
import io.orrery.core.status.OrreryCounter;

/**
 * A {@link ReplicantBridge}'s figures as system counters: each figure goes to the bridge's own counter (label
 * {@code replicant=<id>}, {@link OrreryCounter#allocatePerReplicant}) and its change since the last publication is
 * added to the shard's counter, which so holds the sum over the layer's bridges (several bridges may run on several
 * threads: the shard's counters are added to atomically, the bridge's own are written by it alone).
 * <p>
 * Threading: the bridge's agent thread. Zero allocation: a publication of an unchanged figure writes nothing.
 */
final class BridgeCounters
{
    /**
     * The figures in the order {@link ReplicantBridge} publishes them.
     */
    static final OrreryCounter[] FIGURES =
    {
        OrreryCounter.REPLICANT_BRIDGES_LINKED,
        OrreryCounter.REPLICANT_BRIDGE_LINKS_LOST,
        OrreryCounter.REPLICANT_BRIDGE_FEED_MESSAGES,
        OrreryCounter.REPLICANT_BRIDGE_FEED_BYTES,
        OrreryCounter.REPLICANT_BRIDGE_FEED_BACK_PRESSURED,
        OrreryCounter.REPLICANT_BRIDGE_FRAMES_RELAYED,
        OrreryCounter.REPLICANT_BRIDGE_FRAME_BYTES_RELAYED,
        OrreryCounter.REPLICANT_BRIDGE_RELAY_STALLS,
        OrreryCounter.REPLICANT_BRIDGE_RELAY_DROPPED,
        OrreryCounter.REPLICANT_BRIDGE_FRAMES_UNKNOWN_SESSION,
        OrreryCounter.REPLICANT_BRIDGE_HANDSHAKES_PROVEN,
        OrreryCounter.REPLICANT_BRIDGE_HANDSHAKES_REFUSED,
        OrreryCounter.REPLICANT_BRIDGE_HELLOS_SHED,
        OrreryCounter.REPLICANT_BRIDGE_MESSAGES_REFUSED,
        OrreryCounter.REPLICANT_BRIDGE_RESETS_SENT,
        OrreryCounter.REPLICANT_BRIDGE_RESETS_DROPPED,
    };

    private final Counter[] shard;
    private final Counter[] own;
    private final long[] published = new long[FIGURES.length];

    /**
     * @param shard the layer's counters, indexed by id (the sums over bridges).
     * @param own   this bridge's counters, indexed by id, from {@link OrreryCounter#allocatePerReplicant}.
     */
    BridgeCounters(final Counter[] shard, final Counter[] own)
    {
        this.shard = shard;
        this.own = own;
    }

    /**
     * @param figure index in {@link #FIGURES}.
     * @param value  the figure's value now.
     */
    void publish(final int figure, final long value)
    {
        final long delta = value - published[figure];
        if (0 != delta)
        {
            published[figure] = value;
            final int id = FIGURES[figure].id();
            own[id].setOrdered(value);
            shard[id].getAndAdd(delta);
        }
    }
}
