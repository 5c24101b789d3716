/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core;

import io.orrery.core.client.ClientSession;
import io.orrery.core.status.OrreryCounter;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static io.orrery.core.TestShard.MM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Replication Layer's duty cycle (Gateway + Replicant + egress) and the client link run on the test thread in
 * INVOKER mode; after warm-up, streaming ≥ 100,000 entity updates with inputs flowing, the bytes allocated on the
 * thread inside every {@code doWork()} call of either must be zero. The test's own stepping around those calls is
 * not counted. The media driver runs on its own thread and is not measured here. With two interest workers (INVOKER:
 * both partitions on the test thread, clients a and b on different ones) the same holds; the worker threads of
 * SHARED/DEDICATED are measured by {@code InterestEngineAllocationTest}. The Replicant's diagnostic pass profile
 * (off by default) allocates nothing either.
 */
@Tag("system")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReplicationLayerAllocationTest
{
    private static final int MAX_ROUNDS = 8;
    private static final int ENTITIES = 200;
    private static final long FIRST_ENTITY = 1_000_000;

    @ParameterizedTest(name = "interest workers: {0}, pass profile: {1}")
    @CsvSource({ "1, false", "2, false", "1, true" })
    void shouldNotAllocateInSteadyStateWhenStreamingUpdatesAndInputs(
        final int interestWorkers, final boolean passProfile)
    {
        try (TestShard shard = new TestShard(
            (ctx) -> ctx.bandwidthBytesPerTick(64 * 1024).interestWorkers(interestWorkers).passProfile(passProfile)))
        {
            final ClientSession a = shard.connect(1, 0);
            final ClientSession b = shard.connect(2, 20);
            final Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
            a.inputLatencyRecorder(latency::recordValue);
            b.inputLatencyRecorder(latency::recordValue);
            final SplittableRandom random = new SplittableRandom(7);
            for (int i = 0; i < ENTITIES; i++)
            {
                shard.createEntity(FIRST_ENTITY + i, random.nextLong(-100, 100), 0.5f);
            }

            runTicks(shard, a, b, random, 300);
            final io.orrery.core.replicant.InterestEngine engine = shard.layer.replicant().engine();
            assertEquals(Math.min(1, interestWorkers - 1), engine.workerOf(engine.observerIndex(b.sessionId())),
                "client b on the second worker when there is one");
            // A round is 400 ticks (> 100,000 updates). The JIT can still deoptimise and recompile a method late in
            // warm-up, which briefly allocates (seen on JDK 25); steady state is reached when a whole round is 0.
            long layerBytes = -1;
            long linkBytes = -1;
            long updates = 0;
            long inputs = 0;
            for (int round = 1; round <= MAX_ROUNDS && (layerBytes != 0 || linkBytes != 0); round++)
            {
                final long updatesBefore = a.updatesReceived() + b.updatesReceived();
                final long inputsBefore = shard.counter(OrreryCounter.INPUTS_FORWARDED);
                final long layerBefore = shard.layerBytesAllocated();
                final long linkBefore = shard.linkBytesAllocated();
                shard.meterAllocations(true);
                runTicks(shard, a, b, random, 400);
                shard.meterAllocations(false);
                layerBytes = shard.layerBytesAllocated() - layerBefore;
                linkBytes = shard.linkBytesAllocated() - linkBefore;
                updates = a.updatesReceived() + b.updatesReceived() - updatesBefore;
                inputs = shard.counter(OrreryCounter.INPUTS_FORWARDED) - inputsBefore;
                System.out.println("round " + round + ": replication layer duty cycle " + layerBytes +
                    " bytes, client link duty cycle " + linkBytes + " bytes allocated over " + updates +
                    " updates and " + inputs + " inputs");
            }

            assertTrue(updates >= 100_000, "updates streamed: " + updates);
            assertEquals(800, inputs);
            assertEquals(0, a.updatesForUnknownEntities() + b.updatesForUnknownEntities());
            assertEquals(0, shard.counter(OrreryCounter.RESYNCS), "no offer failed");
            assertEquals(0, layerBytes, "bytes allocated by the replication layer's duty cycle");
            assertEquals(0, linkBytes, "bytes allocated by the client link's duty cycle");
        }
    }

    private static void runTicks(
        final TestShard shard, final ClientSession a, final ClientSession b, final SplittableRandom random,
        final int ticks)
    {
        for (int t = 0; t < ticks; t++)
        {
            for (int i = 0; i < ENTITIES; i++)
            {
                final int slot = shard.store().slotOf(FIRST_ENTITY + i);
                shard.store().position(slot, shard.store().positionX(slot) + random.nextLong(-MM, MM),
                    shard.store().positionY(slot) + random.nextLong(-MM, MM), 0);
            }
            a.sendInput(1, 0, 0, 0, 0, 0, shard.clock.nanoTime());
            b.sendInput(0, 1, 0, 0, 0, 0, shard.clock.nanoTime());
            shard.tick();
        }
    }
}
