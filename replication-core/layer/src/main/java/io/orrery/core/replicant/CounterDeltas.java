/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant;

import io.aeron.Counter;
import io.orrery.core.status.OrreryCounter;

/**
 * Publishes a Replicant's running totals into the layer's counters as deltas ({@code getAndAdd}: atomic, the plain
 * {@code getAndAddOrdered} would lose one Replicant's delta to another's on their own threads), so that
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
     * Publish what a Replicant's interest engine and its egress proxies (one per interest worker) have streamed: the
     * totals every Replicant adds to the shard's counters.
     *
     * @param engine   the Replicant's interest engine.
     * @param egresses its egress proxies.
     */
    void publishStreaming(final InterestEngine engine, final ClientEgressProxy[] egresses)
    {
        publish(OrreryCounter.SPAWNS_SENT, engine.spawnsSent());
        publish(OrreryCounter.UPDATES_SENT, engine.updatesSent());
        publish(OrreryCounter.DESPAWNS_SENT, engine.despawnsSent());
        publish(OrreryCounter.RESYNCS, engine.resyncs());
        publish(OrreryCounter.BUDGET_DEFERRALS, engine.budgetDeferrals());
        publish(OrreryCounter.SPAWN_DEFERRALS, engine.spawnDeferrals());
        publish(OrreryCounter.TIER_DEFERRALS, engine.tierDeferrals());
        publish(OrreryCounter.REPLICANT_HANDOFF_SPAWNS, engine.handoffSpawns());
        publish(OrreryCounter.REPLICANT_HANDOFF_SPAWNS_LATE, engine.handoffSpawnsLate());
        long bytesOut = 0;
        long updateEntriesSent = 0;
        long updateBytesOut = 0;
        long updateWireBytesOut = 0;
        long wireBytesOut = 0;
        long ticksDropped = 0;
        for (final ClientEgressProxy egress : egresses)
        {
            bytesOut += egress.bytesOut();
            updateEntriesSent += egress.updateEntriesSent();
            updateBytesOut += egress.updateBytesOut();
            updateWireBytesOut += egress.updateWireBytesOut();
            wireBytesOut += egress.wireBytesOut();
            ticksDropped += egress.ticksDropped();
        }
        publish(OrreryCounter.BYTES_OUT, bytesOut);
        publish(OrreryCounter.UPDATE_ENTRIES_SENT, updateEntriesSent);
        publish(OrreryCounter.UPDATE_BYTES_OUT, updateBytesOut);
        publish(OrreryCounter.UPDATE_WIRE_BYTES_OUT, updateWireBytesOut);
        publish(OrreryCounter.WIRE_BYTES_OUT, wireBytesOut);
        publish(OrreryCounter.UPDATES_DROPPED_BACK_PRESSURE, ticksDropped);
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
            counters[id].getAndAdd(delta);
        }
    }
}
