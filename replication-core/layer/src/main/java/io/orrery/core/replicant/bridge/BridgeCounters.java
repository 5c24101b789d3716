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
    private final Counter[] shard;
    private final Counter[] own;
    private final long[] published;

    /**
     * @param shard the layer's counters, indexed by id (the sums over bridges).
     * @param own   this bridge's counters, indexed by id, from {@link OrreryCounter#allocatePerReplicant}.
     */
    BridgeCounters(final Counter[] shard, final Counter[] own)
    {
        this.shard = shard;
        this.own = own;
        this.published = new long[shard.length];
    }

    /**
     * @param counter one of the {@link OrreryCounter#isPerReplicant()} counters.
     * @param value   the bridge's figure for it now.
     */
    void publish(final OrreryCounter counter, final long value)
    {
        final int id = counter.id();
        final long delta = value - published[id];
        if (0 != delta)
        {
            published[id] = value;
            own[id].setOrdered(value);
            shard[id].getAndAdd(delta);
        }
    }
}
