/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant;

import io.aeron.Counter;
import io.orrery.core.status.OrreryCounter;

/**
 * Publishes a Replicant's running totals into the layer's counters as deltas ({@code getAndAddOrdered}), so that
 * several Replicants, each on its own thread, add up into one counter (spawns, updates and bytes sent, ...).
 * <p>
 * Threading: one per Replicant, on its thread. Zero allocation.
 */
final class CounterDeltas
{
    private final Counter[] counters;
    private final long[] published;

    CounterDeltas(final Counter[] counters)
    {
        this.counters = counters;
        this.published = new long[counters.length];
    }

    /**
     * @param counter the layer counter.
     * @param total   this Replicant's running total of it.
     */
    void publish(final OrreryCounter counter, final long total)
    {
        final int id = counter.id();
        final long delta = total - published[id];
        if (0 != delta)
        {
            published[id] = total;
            counters[id].getAndAddOrdered(delta);
        }
    }
}
