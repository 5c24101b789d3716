/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.perf.jmh;

import io.orrery.core.replicant.EntityStore;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Random;

/**
 * CPU per delivered update of the interest path (interest + SBE encode + Aeron IPC offer) with 1 and more interest
 * workers, on the world of {@link InterestEngineBenchmark} ({@value InterestEngineBenchmark#ENTITIES} entities, every
 * entity moving every tick, one observer per followed entity, 64 KiB IPC terms). JMH measures a tick's wall time,
 * which with several workers is not what a bigger box pays; this probe reads thread CPU time instead:
 * <ul>
 * <li>tick thread: CPU of the thread calling {@code InterestEngine.tick} inside the calls (index, snapshot,
 * partition 0, and waiting for the other workers: spin, then yield);</li>
 * <li>worker threads: all CPU of each worker thread over the measured ticks, its idle back-off between ticks
 * included (that is what a worker thread costs);</li>
 * <li>wall: the tick's duration on the tick thread.</li>
 * </ul>
 * Moving the entities and draining the IPC subscription (driver and client duty cycles) happen between ticks on the
 * tick thread and are not counted. Worker counts are interleaved within each repetition so that their ratio is
 * measured under the same load.
 * <pre>
 * java --add-opens java.base/jdk.internal.misc=ALL-UNNAMED -cp ... io.orrery.perf.jmh.InterestWorkersProbe \
 *   [observers=1000] [workers=1,2] [warmup=1500] [ticks=3000] [repetitions=3] [encoding=COMPACT_TIERS]
 * </pre>
 */
public final class InterestWorkersProbe
{
    private InterestWorkersProbe()
    {
    }

    /**
     * One measured run.
     */
    record Result(int workers, long updates, long ticks, long tickThreadCpuNs, long workerCpuNs, long wallNs)
    {
        double cpuNsPerUpdate()
        {
            return (tickThreadCpuNs + workerCpuNs) / (double)updates;
        }

        String line(final int repetition)
        {
            return String.format("rep %d workers %d: %,d updates in %,d ticks (%.0f per tick); CPU per update: " +
                "tick thread %.1f ns + workers %.1f ns = %.1f ns; tick wall %.0f us",
                repetition, workers, updates, ticks, updates / (double)ticks, tickThreadCpuNs / (double)updates,
                workerCpuNs / (double)updates, cpuNsPerUpdate(), wallNs / 1000.0 / ticks);
        }
    }

    /**
     * @param args {@code key=value}: observers, workers (comma separated), warmup, ticks, repetitions, encoding,
     *             entities, worldSideM (the world of {@link InterestEngineBenchmark}, its defaults).
     */
    public static void main(final String[] args)
    {
        int observers = 1_000;
        int[] workers = { 1, 2 };
        int warmup = 1_500;
        int ticks = 3_000;
        int repetitions = 3;
        String encoding = "COMPACT_TIERS";
        int entities = InterestEngineBenchmark.ENTITIES;
        int worldSideM = InterestEngineBenchmark.WORLD_SIDE_M;
        for (final String arg : args)
        {
            final String[] kv = arg.split("=", 2);
            switch (kv[0])
            {
                case "observers" -> observers = Integer.parseInt(kv[1]);
                case "workers" -> workers = Arrays.stream(kv[1].split(",")).mapToInt(Integer::parseInt).toArray();
                case "warmup" -> warmup = Integer.parseInt(kv[1]);
                case "ticks" -> ticks = Integer.parseInt(kv[1]);
                case "repetitions" -> repetitions = Integer.parseInt(kv[1]);
                case "encoding" -> encoding = kv[1];
                case "entities" -> entities = Integer.parseInt(kv[1]);
                case "worldSideM" -> worldSideM = Integer.parseInt(kv[1]);
                default -> throw new IllegalArgumentException("unknown argument: " + arg);
            }
        }

        System.out.printf("interest workers probe: %d observers, %d entities, encoding %s, warm-up %d ticks, " +
            "%d measured ticks, %d repetitions, %d cpus%n", observers, entities, encoding,
            warmup, ticks, repetitions, Runtime.getRuntime().availableProcessors());
        final double[][] cpu = new double[workers.length][repetitions];
        final double[][] wall = new double[workers.length][repetitions];
        for (int r = 0; r < repetitions; r++)
        {
            for (int w = 0; w < workers.length; w++)
            {
                final Result result = run(observers, workers[w], warmup, ticks, encoding, entities, worldSideM);
                System.out.println(result.line(r + 1));
                cpu[w][r] = result.cpuNsPerUpdate();
                wall[w][r] = result.wallNs() / 1000.0 / result.ticks();
            }
        }
        for (int w = 0; w < workers.length; w++)
        {
            System.out.printf("workers %d: CPU per update median %.1f ns (runs %s), tick wall median %.0f us%n",
                workers[w], median(cpu[w]), Arrays.toString(cpu[w]), median(wall[w]));
        }
    }

    @SuppressWarnings("deprecation") // Thread.threadId() is JDK 19+; the build targets 17
    private static Result run(
        final int observers,
        final int workers,
        final int warmup,
        final int ticks,
        final String encoding,
        final int entities,
        final int worldSideM)
    {
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        final EntityStore store = new EntityStore(entities, 64);
        final long[] baseX = populate(store, entities, worldSideM);
        final long[] followIds = new long[observers];
        for (int i = 0; i < observers; i++)
        {
            followIds[i] = i + 1;
        }

        try (InterestRig rig = new InterestRig(store, followIds, InterestRig.Egress.AERON_IPC,
            InterestEngineBenchmark.BUDGET_BYTES_PER_TICK, 1024, InterestRig.Encoding.valueOf(encoding), workers))
        {
            final long[] tickNumber = { 0 };
            final Runnable beforeTick = () ->
            {
                rig.drain();
                final long dx = 0 == (++tickNumber[0] & 1) ? 0 : InterestEngineBenchmark.STEP_MM;
                for (int slot = 0; slot < entities; slot++)
                {
                    store.position(slot, baseX[slot] + dx, store.positionY(slot), 0);
                }
            };
            InterestEngineBenchmark.settle(rig, beforeTick, observers);
            for (int t = 0; t < warmup; t++)
            {
                beforeTick.run();
                rig.tick(null);
            }

            final Thread[] workerThreads = rig.workerThreads();
            final long[] workerCpuBefore = new long[workerThreads.length];
            for (int i = 0; i < workerThreads.length; i++)
            {
                workerCpuBefore[i] = threads.getThreadCpuTime(workerThreads[i].getId());
            }
            final long updatesBefore = rig.engine().updatesSent();
            final long inlineBefore = rig.engine().inlinePartitionTicks();
            long tickCpuNs = 0;
            long wallNs = 0;
            for (int t = 0; t < ticks; t++)
            {
                beforeTick.run();
                final long cpuStart = threads.getCurrentThreadCpuTime();
                final long wallStart = System.nanoTime();
                rig.tick(null);
                wallNs += System.nanoTime() - wallStart;
                tickCpuNs += threads.getCurrentThreadCpuTime() - cpuStart;
            }
            long workerCpuNs = 0;
            for (int i = 0; i < workerThreads.length; i++)
            {
                workerCpuNs += threads.getThreadCpuTime(workerThreads[i].getId()) - workerCpuBefore[i];
            }
            if (rig.engine().inlinePartitionTicks() != inlineBefore)
            {
                throw new IllegalStateException("a worker did not run on its thread: " + rig.describe());
            }
            if (rig.engine().resyncs() != 0)
            {
                throw new IllegalStateException("offers failed: " + rig.describe());
            }
            return new Result(workers, rig.engine().updatesSent() - updatesBefore, ticks, tickCpuNs, workerCpuNs,
                wallNs);
        }
    }

    private static long[] populate(final EntityStore store, final int entities, final int worldSideM)
    {
        final long[] baseX = new long[entities];
        final Random random = new Random(42);
        final UnsafeBuffer state = new UnsafeBuffer(new byte[InterestEngineBenchmark.STATE_BYTES]);
        for (int i = 0; i < entities; i++)
        {
            final int slot = store.create(i + 1, 7, 0, EntityStore.ROOT_ZONE_ID, false);
            final long x = (long)(random.nextDouble() * worldSideM * 1000);
            final long y = (long)(random.nextDouble() * worldSideM * 1000);
            baseX[slot] = x;
            store.position(slot, x, y, 0);
            store.velocity(slot, 1.0f, 0.0f, 0.0f);
            store.radius(slot, 0.5f);
            state.putInt(0, i);
            store.componentState(slot, state, 0, InterestEngineBenchmark.STATE_BYTES);
        }
        return baseX;
    }

    private static double median(final double[] values)
    {
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        final int n = sorted.length;
        return 0 == (n & 1) ? (sorted[n / 2 - 1] + sorted[n / 2]) / 2 : sorted[n / 2];
    }
}
