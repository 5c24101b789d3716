/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.perf.interest;

import io.orrery.bots.BotSwarm;
import io.orrery.bots.EmbeddedShard;
import io.orrery.bots.MetricSet;
import io.orrery.bots.SwarmSummary;
import io.orrery.core.ReplicationLayer;
import io.orrery.core.status.OrreryCounter;
import org.HdrHistogram.Histogram;
import org.agrona.CloseHelper;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The Replication Layer's CPU per delivered update with 1 and more interest workers: an embedded shard (SHARED
 * threading, scripted world, embedded media driver) and a bot swarm in this JVM. The layer's threads are the ones
 * its context's thread factory makes (the Gateway + Replicant agent thread and the interest worker threads; not the
 * media driver's, not the bots'), and their CPU time over a measured window, after every bot has connected and a
 * warm-up, is divided by the updates the layer sent in the window ({@code UPDATES_SENT}). Worker counts are
 * interleaved within each repetition so that their ratio is measured under the same load.
 * <pre>
 * java --add-opens java.base/jdk.internal.misc=ALL-UNNAMED -cp ... io.orrery.perf.interest.LayerWorkersProbe \
 *   [bots=200,500] [workers=1,2] [warmup=10] [measure=20] [repetitions=3]     (seconds)
 * </pre>
 */
public final class LayerWorkersProbe
{
    private static final byte[] SECRET = "layer-workers-probe-secret-0123456789".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    private LayerWorkersProbe()
    {
    }

    record Result(int bots, int workers, double cpuNsPerUpdate, double coresUsed, double updatesPerSecond,
        double ticksPerSecond, long droppedTicks, long inputP50Us, long inputP99Us, long connected)
    {
        String line(final int repetition)
        {
            return String.format(Locale.ROOT, "rep %d bots %d workers %d: layer CPU %.1f ns per update, %.2f cores, " +
                "%,.0f updates/s, %.1f ticks/s, %d ticks dropped (back-pressure), input->update p50 %.1f ms " +
                "p99 %.1f ms (whole run), %d bots connected", repetition, bots, workers, cpuNsPerUpdate, coresUsed,
                updatesPerSecond, ticksPerSecond, droppedTicks, inputP50Us / 1000.0, inputP99Us / 1000.0, connected);
        }
    }

    /**
     * @param args {@code key=value}: bots and workers (comma separated), warmup, measure (seconds), repetitions.
     * @throws Exception if the run fails.
     */
    public static void main(final String[] args) throws Exception
    {
        int[] bots = { 200, 500 };
        int[] workers = { 1, 2 };
        int warmupS = 10;
        int measureS = 20;
        int repetitions = 3;
        for (final String arg : args)
        {
            final String[] kv = arg.split("=", 2);
            switch (kv[0])
            {
                case "bots" -> bots = Arrays.stream(kv[1].split(",")).mapToInt(Integer::parseInt).toArray();
                case "workers" -> workers = Arrays.stream(kv[1].split(",")).mapToInt(Integer::parseInt).toArray();
                case "warmup" -> warmupS = Integer.parseInt(kv[1]);
                case "measure" -> measureS = Integer.parseInt(kv[1]);
                case "repetitions" -> repetitions = Integer.parseInt(kv[1]);
                default -> throw new IllegalArgumentException("unknown argument: " + arg);
            }
        }

        System.out.printf("layer workers probe: bots %s, workers %s, warm-up %d s, measured %d s, %d repetitions, " +
            "%d cpus%n", Arrays.toString(bots), Arrays.toString(workers), warmupS, measureS, repetitions,
            Runtime.getRuntime().availableProcessors());
        final List<Result> results = new ArrayList<>();
        for (int r = 1; r <= repetitions; r++)
        {
            for (final int botCount : bots)
            {
                for (final int workerCount : workers)
                {
                    final Result result = run(botCount, workerCount, warmupS, measureS);
                    results.add(result);
                    System.out.println(result.line(r));
                }
            }
        }
        for (final int botCount : bots)
        {
            for (final int workerCount : workers)
            {
                final List<Double> cpu = new ArrayList<>();
                final List<Double> cores = new ArrayList<>();
                for (final Result result : results)
                {
                    if (result.bots() == botCount && result.workers() == workerCount)
                    {
                        cpu.add(result.cpuNsPerUpdate());
                        cores.add(result.coresUsed());
                    }
                }
                System.out.printf(Locale.ROOT, "bots %d workers %d: layer CPU per update median %.1f ns %s, " +
                    "cores median %.2f%n", botCount, workerCount, median(cpu), cpu, median(cores));
            }
        }
    }

    @SuppressWarnings("deprecation") // Thread.threadId() is JDK 19+; the build targets 17
    private static Result run(final int bots, final int workers, final int warmupS, final int measureS)
        throws InterruptedException
    {
        final ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        final List<Thread> layerThreads = new CopyOnWriteArrayList<>();
        final File output = new File("perf/target/layer-workers-probe/bots" + bots + "-workers" + workers + "-" +
            System.currentTimeMillis());
        if (!output.mkdirs())
        {
            throw new IllegalStateException("cannot create " + output);
        }

        EmbeddedShard shard = null;
        BotSwarm swarm = null;
        try
        {
            shard = EmbeddedShard.launch(SECRET, Math.max(ReplicationLayer.Context.MAX_SESSIONS_DEFAULT, bots + 64),
                (ctx) -> ctx.interestWorkers(workers).threadFactory((runnable) ->
                {
                    final Thread thread = new Thread(runnable);
                    thread.setDaemon(true);
                    layerThreads.add(thread);
                    return thread;
                }));
            swarm = BotSwarm.launch(new BotSwarm.Settings()
                .bots(bots)
                .durationNs(TimeUnit.SECONDS.toNanos(warmupS + measureS + 60))
                .aeronDirectoryName(shard.aeronDirectoryName())
                .tokenSecret(SECRET)
                .outputDir(output));

            final long settleDeadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!swarm.isSettled() && System.nanoTime() < settleDeadlineNs)
            {
                Thread.sleep(100);
            }
            Thread.sleep(TimeUnit.SECONDS.toMillis(warmupS));

            final long updatesBefore = shard.counter(OrreryCounter.UPDATES_SENT);
            final long ticksBefore = shard.counter(OrreryCounter.TICKS);
            final long droppedBefore = shard.counter(OrreryCounter.UPDATES_DROPPED_BACK_PRESSURE);
            final long cpuBefore = cpu(mx, layerThreads);
            final long wallBefore = System.nanoTime();
            Thread.sleep(TimeUnit.SECONDS.toMillis(measureS));
            final long cpuNs = cpu(mx, layerThreads) - cpuBefore;
            final long wallNs = System.nanoTime() - wallBefore;
            final long updates = shard.counter(OrreryCounter.UPDATES_SENT) - updatesBefore;
            final long ticks = shard.counter(OrreryCounter.TICKS) - ticksBefore;
            final long dropped = shard.counter(OrreryCounter.UPDATES_DROPPED_BACK_PRESSURE) - droppedBefore;
            final long connected = swarm.status(io.orrery.bots.BotAgent.STATUS_CONNECTED);

            final SwarmSummary summary = swarm.stop();
            final Histogram latency = summary.histogram(MetricSet.INPUT_LATENCY);
            if (layerThreads.size() != workers)
            {
                throw new IllegalStateException("expected " + workers + " layer threads: " + layerThreads);
            }
            return new Result(bots, workers, cpuNs / (double)Math.max(1, updates), cpuNs / (double)wallNs,
                updates * 1e9 / wallNs, ticks * 1e9 / wallNs, dropped, latency.getValueAtPercentile(50) / 1000,
                latency.getValueAtPercentile(99) / 1000, connected);
        }
        finally
        {
            CloseHelper.quietClose(swarm);
            CloseHelper.quietClose(shard);
        }
    }

    @SuppressWarnings("deprecation")
    private static long cpu(final ThreadMXBean mx, final List<Thread> threads)
    {
        long total = 0;
        for (final Thread thread : threads)
        {
            total += Math.max(0, mx.getThreadCpuTime(thread.getId()));
        }
        return total;
    }

    private static double median(final List<Double> values)
    {
        final double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        final int n = sorted.length;
        return 0 == n ? Double.NaN : 0 == (n & 1) ? (sorted[n / 2 - 1] + sorted[n / 2]) / 2 : sorted[n / 2];
    }
}
