/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.perf.jmh;

import io.orrery.core.replicant.ClientEgressProxy;
import io.orrery.core.replicant.EntityStore;
import io.orrery.core.replicant.InterestConfig;
import io.orrery.core.replicant.InterestEngine;
import io.orrery.core.replicant.SpatialIndex;
import org.agrona.CloseHelper;
import org.agrona.collections.Long2ObjectHashMap;

/**
 * The interest path of one Replicant as the benchmarks drive it: a populated {@link EntityStore}, its
 * {@link SpatialIndex}, an {@link InterestEngine} with one observer per followed entity, and the Replication
 * Layer's own {@link ClientEgressProxy}, which encodes and offers to real Aeron IPC publications
 * ({@link IpcEgressRig}), one per observer.
 * <p>
 * Threading: the benchmark thread only.
 */
public final class InterestRig implements AutoCloseable
{
    /**
     * Where the encoded messages go.
     */
    public enum Egress
    {
        /**
         * SBE encode and offer to one Aeron IPC exclusive publication per observer (term length 64 KiB).
         */
        AERON_IPC
    }

    /**
     * How updates are encoded and how often.
     */
    public enum Encoding
    {
        /**
         * {@code EntityUpdateBatch}: fixed-size entries, every entity every tick (before issue 13).
         */
        LEGACY,
        /**
         * {@code EntityUpdatesCompact}, every entity every tick.
         */
        COMPACT,
        /**
         * {@code EntityUpdatesCompact} with the default distance tiers (the layer's default).
         */
        COMPACT_TIERS
    }

    private static final long TICK_NS = 16_666_667L;

    private final EntityStore store;
    private final InterestEngine engine;
    private final ClientEgressProxy egress;
    private final IpcEgressRig ipc;
    private long nowNs;
    private long tick;

    /**
     * @param store              the populated world.
     * @param followIds          one observer per entry, following that entity id; observer ids are the indices.
     * @param egressMode         where messages go (Aeron IPC: the only mode).
     * @param budgetBytesPerTick budget of every observer.
     * @param maxViewEntities    view capacity per observer.
     */
    public InterestRig(
        final EntityStore store,
        final long[] followIds,
        final Egress egressMode,
        final int budgetBytesPerTick,
        final int maxViewEntities)
    {
        this(store, followIds, egressMode, budgetBytesPerTick, maxViewEntities, Encoding.COMPACT_TIERS);
    }

    /**
     * @param encoding how updates are encoded and thinned.
     */
    public InterestRig(
        final EntityStore store,
        final long[] followIds,
        final Egress egressMode,
        final int budgetBytesPerTick,
        final int maxViewEntities,
        final Encoding encoding)
    {
        this.store = store;
        final int observers = followIds.length;
        final SpatialIndex index = new SpatialIndex(store.capacity());
        final boolean compact = Encoding.LEGACY != encoding;
        final InterestConfig config = new InterestConfig()
            .maxObservers(observers)
            .maxViewEntities(maxViewEntities)
            .compactUpdates(compact);
        if (Encoding.COMPACT_TIERS != encoding)
        {
            config.everyTick();
        }
        engine = new InterestEngine(store, index, config);

        ipc = IpcEgressRig.launch(observers);
        final Long2ObjectHashMap<ClientEgressProxy.ClientObserver> targets = new Long2ObjectHashMap<>();
        for (int i = 0; i < observers; i++)
        {
            targets.put(i, new ClientEgressProxy.ClientObserver(i, followIds[i], ipc.publication(i), 0));
        }
        egress = new ClientEgressProxy(targets, budgetBytesPerTick, compact);

        for (int i = 0; i < observers; i++)
        {
            final int result = engine.addObserver(i, followIds[i], egress, budgetBytesPerTick);
            if (result < 0)
            {
                throw new IllegalStateException("addObserver " + i + ": " + result);
            }
        }
    }

    /**
     * One engine tick on a clock advancing 60 Hz per tick, counted into {@code counters} if not null.
     *
     * @return the engine's work count.
     */
    public int tick(final InterestCounters counters)
    {
        final InterestEngine engine = this.engine;
        final long updates = engine.updatesSent();
        final long spawns = engine.spawnsSent();
        final long despawns = engine.despawnsSent();

        nowNs += TICK_NS;
        egress.tick(++tick);
        final int work = engine.tick(nowNs);

        if (null != counters)
        {
            counters.add(engine.updatesSent() - updates, engine.spawnsSent() - spawns,
                engine.despawnsSent() - despawns);
        }
        return work;
    }

    /**
     * Consume what the last ticks published.
     */
    public void drain()
    {
        ipc.drain();
    }

    public InterestEngine engine()
    {
        return engine;
    }

    public ClientEgressProxy egress()
    {
        return egress;
    }

    public EntityStore store()
    {
        return store;
    }

    /**
     * @return mean view size (entries) over all observers.
     */
    public double meanViewCount()
    {
        long sum = 0;
        final int n = engine.observerCount();
        for (int i = 0; i < n; i++)
        {
            sum += engine.viewCount(engine.observerIndex(i));
        }
        return n > 0 ? (double)sum / n : 0.0;
    }

    /**
     * @return one line of engine and egress counters for the benchmark log.
     */
    public String describe()
    {
        return "ticks=" + engine.ticks() + " updates=" + engine.updatesSent() + " spawns=" + engine.spawnsSent() +
            " despawns=" + engine.despawnsSent() + " resyncs=" + engine.resyncs() + " budgetDeferrals=" +
            engine.budgetDeferrals() + " lagging=" + engine.observersLagging() + " ticksDropped=" +
            egress.ticksDropped() + " bytesOut=" + egress.bytesOut() + " updateEntries=" + egress.updateEntriesSent() +
            " updateBytes=" + egress.updateBytesOut() + " updateLogBytes=" + egress.updateWireBytesOut() +
            " tierDeferrals=" + engine.tierDeferrals() + " meanView=" +
            String.format("%.1f", meanViewCount()) +
            " ipcFragments=" + ipc.fragmentsReceived() + " ipcBytes=" + ipc.bytesReceived();
    }

    @Override
    public void close()
    {
        CloseHelper.close(ipc);
    }
}
