/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.perf.scenario;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.Arrays;
import java.util.List;

import io.orrery.bots.BotAgent;
import io.orrery.bots.BotSwarm;
import io.orrery.bots.MetricSet;
import io.orrery.core.ReplicationLayer;
import io.orrery.core.atlas.MeshAuthority;
import io.orrery.core.atlas.MeshSnapshot;
import io.orrery.core.status.OrreryCounter;
import org.HdrHistogram.Histogram;

/**
 * Takes one {@link Sample} a second during a repetition: the swarm's status slots, the interval latency histograms
 * the {@link IntervalCollector} gathered, the shard's counters, this process's CPU, memory and GC figures, and on a
 * servers-backed shard the mesh ({@link MeshFrame}: Atlas's latest {@link MeshSnapshot}, each game server's players,
 * the bots' density grid).
 * <p>
 * Threading: the runner's controlling thread only. It allocates (a sample, a counters snapshot), once a second.
 */
public final class Sampler
{
    private static final double MIB = 1024.0 * 1024.0;

    private final BotSwarm swarm;
    private final ShardUnderTest shard;
    private final IntervalCollector collector;
    private final long startNs;
    private final Histogram interval = IntervalCollector.newHistogram();
    private final com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean)ManagementFactory.getOperatingSystemMXBean();
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final List<GarbageCollectorMXBean> collectors = ManagementFactory.getGarbageCollectorMXBeans();
    private long lastNs;
    private long lastCpuNs;
    private long lastInputs;
    private long lastUpdates;
    private long lastGcCount;
    private long lastGcMs;
    private ShardCounters lastCounters = ShardCounters.empty();
    private ShardCounters counters = ShardCounters.empty();

    /**
     * @param swarm     running swarm.
     * @param shard     started shard.
     * @param collector receiving the swarm's interval histograms.
     * @param startNs   start of the repetition ({@link System#nanoTime()}).
     */
    public Sampler(
        final BotSwarm swarm, final ShardUnderTest shard, final IntervalCollector collector, final long startNs)
    {
        this.swarm = swarm;
        this.shard = shard;
        this.collector = collector;
        this.startNs = startNs;
        lastNs = startNs;
        lastCpuNs = os.getProcessCpuTime();
        lastGcCount = gcCount();
        lastGcMs = gcMs();
        lastCounters = ShardCounters.read(shard.countersReader());
        counters = lastCounters;
    }

    /**
     * Take a sample covering the time since the previous one.
     *
     * @param nowNs now, from {@link System#nanoTime()}.
     * @return the sample.
     */
    public Sample sample(final long nowNs)
    {
        final double seconds = Math.max(1e-3, (nowNs - lastNs) / 1e9);
        final long cpuNs = os.getProcessCpuTime();
        final long inputs = swarm.status(BotAgent.STATUS_INPUTS_SENT);
        final long updates = swarm.status(BotAgent.STATUS_UPDATES_RECEIVED);
        final long gcCount = gcCount();
        final long gcMs = gcMs();
        lastCounters = counters;
        counters = ShardCounters.read(shard.countersReader());
        collector.drainInterval(MetricSet.INPUT_LATENCY, interval);
        final boolean hasLatency = interval.getTotalCount() > 0;

        final Sample sample = new Sample(
            (nowNs - startNs) / 1e9,
            System.currentTimeMillis(),
            swarm.status(BotAgent.STATUS_LAUNCHED),
            swarm.status(BotAgent.STATUS_CONNECTED),
            swarm.status(BotAgent.STATUS_ACTIVE),
            swarm.status(BotAgent.STATUS_FAILED),
            (inputs - lastInputs) / seconds,
            (updates - lastUpdates) / seconds,
            interval.getTotalCount(),
            hasLatency ? interval.getValueAtPercentile(50) / 1e6 : Double.NaN,
            hasLatency ? interval.getValueAtPercentile(90) / 1e6 : Double.NaN,
            hasLatency ? interval.getValueAtPercentile(99) / 1e6 : Double.NaN,
            hasLatency ? interval.getMaxValue() / 1e6 : Double.NaN,
            100.0 * (cpuNs - lastCpuNs) / (seconds * 1e9),
            memory.getHeapMemoryUsage().getUsed() / MIB,
            memory.getHeapMemoryUsage().getCommitted() / MIB,
            memory.getNonHeapMemoryUsage().getUsed() / MIB,
            gcCount - lastGcCount,
            gcMs - lastGcMs,
            rate(OrreryCounter.UPDATES_DROPPED_BACK_PRESSURE, seconds),
            rate(OrreryCounter.SESSIONS_SLOW_CONSUMER, seconds),
            rate(OrreryCounter.INPUTS_RATE_LIMITED, seconds),
            rate(OrreryCounter.SESSIONS_TIMED_OUT, seconds),
            rate(OrreryCounter.INPUTS_RECEIVED, seconds),
            rate(OrreryCounter.UPDATES_SENT, seconds),
            counters.total(OrreryCounter.SESSIONS_ACTIVE),
            rate(OrreryCounter.HANDOFFS_COMMITTED, seconds),
            rate(OrreryCounter.BYTES_OUT, seconds) / Math.max(1, counters.total(OrreryCounter.SESSIONS_ACTIVE)),
            meshFrame());

        lastNs = nowNs;
        lastCpuNs = cpuNs;
        lastInputs = inputs;
        lastUpdates = updates;
        lastGcCount = gcCount;
        lastGcMs = gcMs;
        return sample;
    }

    private MeshFrame meshFrame()
    {
        final ReplicationLayer layer = shard.layer();
        if (null == layer || !(layer.context().authority() instanceof MeshAuthority))
        {
            return null;
        }
        final MeshSnapshot snapshot = ((MeshAuthority)layer.context().authority()).meshSnapshot();
        if (null == snapshot)
        {
            return null;
        }
        final long[] players = new long[snapshot.serverIds.length];
        for (int i = 0; i < players.length; i++)
        {
            players[i] = shard.serverPlayers(snapshot.serverIds[i]);
        }
        final double[] dilation = new double[snapshot.serverIds.length];
        Arrays.fill(dilation, Double.NaN);
        for (int i = 0, n = layer.serverCount(); i < n; i++)
        {
            for (int j = 0; j < dilation.length; j++)
            {
                if (snapshot.serverIds[j] == layer.serverId(i))
                {
                    dilation[j] = layer.serverTimeDilationPerMille(i) / 1000.0;
                }
            }
        }
        final int[] heat = new int[BotAgent.HEAT_CELLS * BotAgent.HEAT_CELLS];
        for (int cell = 0; cell < heat.length; cell++)
        {
            heat[cell] = swarm.heat(cell);
        }
        return new MeshFrame(snapshot, players, dilation, heat, BotAgent.HEAT_CELLS,
            swarm.settings().worldHalfExtentMm() / 1000.0);
    }

    /**
     * The counters read by the last {@link #sample(long)}.
     *
     * @return the latest counters snapshot.
     */
    public ShardCounters counters()
    {
        return counters;
    }

    private double rate(final OrreryCounter counter, final double seconds)
    {
        return Math.max(0, counters.total(counter) - lastCounters.total(counter)) / seconds;
    }

    private long gcCount()
    {
        long count = 0;
        for (int i = 0; i < collectors.size(); i++)
        {
            count += Math.max(0, collectors.get(i).getCollectionCount());
        }
        return count;
    }

    private long gcMs()
    {
        long time = 0;
        for (int i = 0; i < collectors.size(); i++)
        {
            time += Math.max(0, collectors.get(i).getCollectionTime());
        }
        return time;
    }
}
