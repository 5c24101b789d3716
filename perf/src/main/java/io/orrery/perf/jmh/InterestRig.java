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
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;

/**
 * The interest path of one Replicant as the benchmarks drive it: a populated {@link EntityStore}, its
 * {@link SpatialIndex}, an {@link InterestEngine} with one observer per followed entity, and the Replication
 * Layer's own {@link ClientEgressProxy}, which encodes and offers to real Aeron IPC publications
 * ({@link IpcEgressRig}), one per observer. With more than one interest worker, each worker gets its own proxy (as
 * in the layer) and workers {@code 1..} run on threads of their own (an {@link AgentRunner} each, with the layer's
 * worker idle strategy, {@link InterestEngine#newWorkerIdleStrategy()}), started here and stopped by {@link #close()}.
 * <p>
 * Threading: the benchmark thread, plus the worker threads inside {@link #tick}.
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
    private final ClientEgressProxy[] egresses;
    private final AgentRunner[] workerRunners;
    private final Thread[] workerThreads;
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
        this(store, followIds, egressMode, budgetBytesPerTick, maxViewEntities, encoding, 1);
    }

    /**
     * @param workers interest workers ({@link InterestConfig#workers(int)}); workers {@code 1..} run on threads.
     */
    public InterestRig(
        final EntityStore store,
        final long[] followIds,
        final Egress egressMode,
        final int budgetBytesPerTick,
        final int maxViewEntities,
        final Encoding encoding,
        final int workers)
    {
        this.store = store;
        final int observers = followIds.length;
        final SpatialIndex index = new SpatialIndex(store.capacity());
        final boolean compact = Encoding.LEGACY != encoding;
        final InterestConfig config = new InterestConfig()
            .maxObservers(observers)
            .maxViewEntities(maxViewEntities)
            .compactUpdates(compact)
            .workers(workers);
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
        egresses = new ClientEgressProxy[workers];
        for (int w = 0; w < workers; w++)
        {
            egresses[w] = new ClientEgressProxy(targets, budgetBytesPerTick, compact);
        }
        egress = egresses[0];

        for (int i = 0; i < observers; i++)
        {
            final int worker = engine.leastLoadedWorker();
            final int result = engine.addObserver(worker, i, followIds[i], egresses[worker], budgetBytesPerTick);
            if (result < 0)
            {
                throw new IllegalStateException("addObserver " + i + ": " + result);
            }
        }

        final Agent[] agents = engine.workerAgents();
        workerRunners = new AgentRunner[agents.length];
        workerThreads = new Thread[agents.length];
        for (int w = 0; w < agents.length; w++)
        {
            workerRunners[w] = new AgentRunner(InterestEngine.newWorkerIdleStrategy(),
                Throwable::printStackTrace, null, agents[w]);
            workerThreads[w] = AgentRunner.startOnThread(workerRunners[w]);
        }
    }

    /**
     * @return the threads of interest workers {@code 1..} (empty with one worker).
     */
    public Thread[] workerThreads()
    {
        return workerThreads.clone();
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
        ++tick;
        for (final ClientEgressProxy workerEgress : egresses)
        {
            workerEgress.tick(tick);
        }
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
            sum(0) + " bytesOut=" + sum(1) + " updateEntries=" + sum(2) + " updateBytes=" + sum(3) +
            " updateLogBytes=" + sum(4) + " workers=" + engine.workerCount() + " inlinePartitionTicks=" +
            engine.inlinePartitionTicks() +
            " tierDeferrals=" + engine.tierDeferrals() + " meanView=" +
            String.format("%.1f", meanViewCount()) +
            " ipcFragments=" + ipc.fragmentsReceived() + " ipcBytes=" + ipc.bytesReceived();
    }

    private long sum(final int counter)
    {
        long total = 0;
        for (final ClientEgressProxy workerEgress : egresses)
        {
            total += switch (counter)
            {
                case 0 -> workerEgress.ticksDropped();
                case 1 -> workerEgress.bytesOut();
                case 2 -> workerEgress.updateEntriesSent();
                case 3 -> workerEgress.updateBytesOut();
                default -> workerEgress.updateWireBytesOut();
            };
        }
        return total;
    }

    @Override
    public void close()
    {
        CloseHelper.closeAll(workerRunners);
        CloseHelper.close(ipc);
    }
}
