/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant;

import io.orrery.test.AllocationMeter;
import java.util.Random;

import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Steady state allocates nothing: store writes, world positions, index, bubbles, budget selection, egress calls; with
 * two workers, nothing on the engine caller's thread and nothing on the worker's thread.
 */
class InterestEngineAllocationTest
{
    private static final int ENTITIES = 1_000;
    private static final int OBSERVERS = 50;
    private static final int WARMUP_TICKS = 2_000;
    private static final int MEASURED_TICKS = 5_000;
    private static final int ROUND_TICKS = 1_000;
    private static final int MAX_ROUNDS = 8;
    private static final long MM = 1_000;
    private static final long HALF_EXTENT_MM = 600 * MM;

    /**
     * Reads every field an encoder would, so nothing is optimised away.
     */
    static final class ReadingEgress implements ObserverEgress
    {
        long sink;
        long updates;
        long spawns;
        long despawns;
        int spawnCapacity = Integer.MAX_VALUE;

        @Override
        public int beginTick(final long observerId, final long nowNs)
        {
            return 4_096;
        }

        @Override
        public int spawnCapacity(final long observerId)
        {
            return spawnCapacity;
        }

        @Override
        public boolean onSpawn(final long observerId, final EntityStore store, final int slot)
        {
            spawns++;
            sink += store.entityId(slot) + store.archetypeId(slot) + store.parentZoneId(slot) +
                store.positionX(slot) + store.positionY(slot) + store.positionZ(slot) +
                Float.floatToRawIntBits(store.orientationX(slot)) + Float.floatToRawIntBits(store.orientationY(slot)) +
                Float.floatToRawIntBits(store.orientationZ(slot)) + Float.floatToRawIntBits(store.orientationW(slot)) +
                Float.floatToRawIntBits(store.velocityX(slot)) + Float.floatToRawIntBits(store.velocityY(slot)) +
                Float.floatToRawIntBits(store.velocityZ(slot)) + Float.floatToRawIntBits(store.radius(slot)) +
                store.authorityEpoch(slot) + store.lastAppliedInputSequence(slot) + readState(store, slot);
            return true;
        }

        @Override
        public boolean onUpdate(final long observerId, final EntityStore store, final int slot, final int changedMask)
        {
            updates++;
            sink += store.entityId(slot) + changedMask;
            if (0 != (changedMask & EntityStore.POSITION))
            {
                sink += store.positionX(slot) + store.positionY(slot) + store.positionZ(slot);
            }
            if (0 != (changedMask & EntityStore.VELOCITY))
            {
                sink += Float.floatToRawIntBits(store.velocityX(slot)) +
                    Float.floatToRawIntBits(store.velocityY(slot)) + Float.floatToRawIntBits(store.velocityZ(slot));
            }
            if (0 != (changedMask & EntityStore.ORIENTATION))
            {
                sink += Float.floatToRawIntBits(store.orientationW(slot));
            }
            if (0 != (changedMask & EntityStore.COMPONENT_STATE))
            {
                sink += readState(store, slot);
            }
            sink += store.parentZoneId(slot) + store.authorityEpoch(slot) + store.lastAppliedInputSequence(slot) +
                Float.floatToRawIntBits(store.radius(slot));
            return true;
        }

        @Override
        public boolean onDespawn(final long observerId, final long entityId, final short reason)
        {
            despawns++;
            sink += entityId + reason;
            return true;
        }

        @Override
        public boolean endTick(final long observerId)
        {
            return true;
        }

        private static long readState(final EntityStore store, final int slot)
        {
            final DirectBuffer buffer = store.componentStateBuffer();
            final int offset = store.componentStateOffset(slot);
            long sum = 0;
            for (int i = 0, n = store.componentStateLength(slot); i < n; i++)
            {
                sum += buffer.getByte(offset + i);
            }
            return sum;
        }
    }


    /**
     * Runs a worker agent and counts the bytes its thread allocates inside every {@code doWork()}, idle ones
     * included, and the duty cycles that ran a tick (written after the bytes, so a reader that sees a duty cycle's
     * count sees its bytes).
     */
    static final class MeteredAgent implements Agent
    {
        private final InterestWorker delegate;
        volatile long bytes;
        volatile long duties;

        MeteredAgent(final Agent delegate)
        {
            this.delegate = (InterestWorker)delegate;
        }

        /**
         * Wait until the duty cycles of every tick the engine handed to this worker are counted.
         */
        void awaitCounted(final InterestEngine engine)
        {
            final long ticks = engine.ticks() - engine.inlinePartitionTicks();
            final long deadlineNs = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            while (duties != ticks && System.nanoTime() < deadlineNs)
            {
                Thread.onSpinWait();
            }
            assertEquals(ticks, duties, "worker duty cycles counted");
        }

        @Override
        public void onStart()
        {
            delegate.onStart();
        }

        @Override
        public int doWork() throws Exception
        {
            final long ticksBefore = delegate.ticksRun();
            final long before = AllocationMeter.threadAllocatedBytes();
            final int work = delegate.doWork();
            bytes += AllocationMeter.threadAllocatedBytes() - before;
            if (delegate.ticksRun() != ticksBefore)
            {
                duties++;
            }
            return work;
        }

        @Override
        public void onClose()
        {
            delegate.onClose();
        }

        @Override
        public String roleName()
        {
            return delegate.roleName();
        }
    }

    @Test
    void shouldNotAllocateWhenTickingInSteadyState()
    {
        final EntityStore store = new EntityStore(ENTITIES + 16, 32);
        final InterestEngine engine = new InterestEngine(store, new SpatialIndex(store.capacity()),
            new InterestConfig().baseRadiusM(120).maxObservers(OBSERVERS).maxViewEntities(256));
        final ReadingEgress egress = new ReadingEgress();
        final Random random = new Random(7);
        final UnsafeBuffer state = new UnsafeBuffer(new byte[32]);
        final int[] slots = populate(store, random);
        addObservers(engine, egress);
        final long[] velocity = new long[ENTITIES * 3];

        for (int t = 0; t < WARMUP_TICKS; t++)
        {
            step(store, engine, slots, velocity, random, state, t);
        }

        final long updatesBefore = engine.updatesSent();
        final long spawnsBefore = engine.spawnsSent();
        final long despawnsBefore = engine.despawnsSent();
        final long startNs = System.nanoTime();
        final long allocatedBefore = AllocationMeter.threadAllocatedBytes();
        for (int t = WARMUP_TICKS; t < WARMUP_TICKS + MEASURED_TICKS; t++)
        {
            step(store, engine, slots, velocity, random, state, t);
        }
        final long allocated = AllocationMeter.threadAllocatedBytes() - allocatedBefore;
        final long elapsedNs = System.nanoTime() - startNs;
        final long updates = engine.updatesSent() - updatesBefore;
        final long spawns = engine.spawnsSent() - spawnsBefore;
        final long despawns = engine.despawnsSent() - despawnsBefore;

        System.out.printf("allocation: %d ticks, %d entities, %d observers: %d updates, %d spawns, %d despawns, " +
            "%d deferrals, %.1f us/tick (incl. random walk), allocated %d bytes (sink %d)%n",
            MEASURED_TICKS, ENTITIES, OBSERVERS, updates, spawns, despawns, engine.budgetDeferrals(),
            elapsedNs / 1000.0 / MEASURED_TICKS, allocated, egress.sink);

        assertTrue(updates >= 100_000, "updates delivered: " + updates);
        assertTrue(spawns > 0 && despawns > 0, "entities keep entering and leaving bubbles");
        assertEquals(0, allocated, "bytes allocated in steady state");
    }

    @Test
    void shouldNotAllocateWhenPacingTheSnapshotsOfObserversThatKeepJoining()
    {
        final EntityStore store = new EntityStore(ENTITIES + 16, 32);
        final InterestEngine engine = new InterestEngine(store, new SpatialIndex(store.capacity()),
            new InterestConfig().baseRadiusM(120).maxObservers(OBSERVERS).maxViewEntities(256)
                .snapshotBytesPerTick(2_000));
        final ReadingEgress egress = new ReadingEgress();
        egress.spawnCapacity = 150;
        final Random random = new Random(7);
        final UnsafeBuffer state = new UnsafeBuffer(new byte[32]);
        final int[] slots = populate(store, random);
        addObservers(engine, egress);
        final long[] velocity = new long[ENTITIES * 3];

        for (int t = 0; t < WARMUP_TICKS + MEASURED_TICKS; t++)
        {
            if (0 == t % 100)
            {
                // a wave: a fifth of the observers leave and join again, each with its whole view to be sent
                for (int o = (t / 100) % 5; o < OBSERVERS; o += 5)
                {
                    assertTrue(engine.removeObserver(10_000 + o));
                    assertTrue(engine.addObserver(10_000 + o, 100 + o * 20L + 1, egress, 1_400) >= 0);
                }
            }
            step(store, engine, slots, velocity, random, state, t);
        }

        final long spawnDeferralsBefore = engine.spawnDeferrals();
        final long spawnsBefore = engine.spawnsSent();
        long allocated = 0;
        for (int t = WARMUP_TICKS + MEASURED_TICKS; t < WARMUP_TICKS + 2 * MEASURED_TICKS; t++)
        {
            if (0 == t % 100)
            {
                // the control path (observers leaving and joining) is not measured, only the ticks
                for (int o = (t / 100) % 5; o < OBSERVERS; o += 5)
                {
                    engine.removeObserver(10_000 + o);
                    engine.addObserver(10_000 + o, 100 + o * 20L + 1, egress, 1_400);
                }
            }
            final long allocatedBefore = AllocationMeter.threadAllocatedBytes();
            step(store, engine, slots, velocity, random, state, t);
            allocated += AllocationMeter.threadAllocatedBytes() - allocatedBefore;
        }
        final long spawns = engine.spawnsSent() - spawnsBefore;
        final long spawnDeferrals = engine.spawnDeferrals() - spawnDeferralsBefore;

        System.out.printf("allocation, paced snapshots: %d ticks, %d spawns, %d spawn deferrals, allocated %d bytes " +
            "(sink %d)%n", MEASURED_TICKS, spawns, spawnDeferrals, allocated, egress.sink);

        assertTrue(spawns >= 10_000, "spawns delivered: " + spawns);
        assertTrue(spawnDeferrals >= 5_000, "spawns paced: " + spawnDeferrals);
        assertEquals(0, allocated, "bytes allocated while pacing snapshots");
    }

    @Test
    void shouldNotAllocateOnCallerOrWorkerThreadWhenTwoWorkersTickInSteadyState()
    {
        final EntityStore store = new EntityStore(ENTITIES + 16, 32);
        final InterestEngine engine = new InterestEngine(store, new SpatialIndex(store.capacity()),
            new InterestConfig().baseRadiusM(120).maxObservers(OBSERVERS).maxViewEntities(256).workers(2));
        final ReadingEgress[] egresses = { new ReadingEgress(), new ReadingEgress() };
        final Random random = new Random(7);
        final UnsafeBuffer state = new UnsafeBuffer(new byte[32]);
        final int[] slots = populate(store, random);
        for (int o = 0; o < OBSERVERS; o++)
        {
            final int worker = engine.leastLoadedWorker();
            assertTrue(engine.addObserver(worker, 10_000 + o, 100 + o * 20L + 1, egresses[worker], 1_400) >= 0);
        }
        final long[] velocity = new long[ENTITIES * 3];

        final MeteredAgent worker = new MeteredAgent(engine.workerAgents()[0]);
        final AgentRunner runner = new AgentRunner(new YieldingIdleStrategy(), Throwable::printStackTrace, null, worker);
        AgentRunner.startOnThread(runner);
        try
        {
            final long deadlineNs = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
            while (!((InterestWorker)engine.workerAgents()[0]).isRunning() && System.nanoTime() < deadlineNs)
            {
                Thread.onSpinWait();
            }
            for (int t = 0; t < WARMUP_TICKS; t++)
            {
                step(store, engine, slots, velocity, random, state, t);
            }

            // The JIT can still deoptimise and recompile a method late in warm-up, which briefly allocates (now on
            // two threads): steady state is reached when a whole round is 0 on both.
            long callerAllocated = -1;
            long workerAllocated = -1;
            int tick = WARMUP_TICKS;
            for (int round = 1; round <= MAX_ROUNDS && (0 != callerAllocated || 0 != workerAllocated); round++)
            {
                worker.awaitCounted(engine);
                final long inlineBefore = engine.inlinePartitionTicks();
                final long updatesBefore = engine.updatesSent();
                final long workerUpdatesBefore = egresses[1].updates;
                final long workerBytesBefore = worker.bytes;
                final long dutiesBefore = worker.duties;
                final long allocatedBefore = AllocationMeter.threadAllocatedBytes();
                for (int t = 0; t < ROUND_TICKS; t++)
                {
                    step(store, engine, slots, velocity, random, state, tick++);
                }
                callerAllocated = AllocationMeter.threadAllocatedBytes() - allocatedBefore;
                // the worker counts a duty cycle just after its tick completes: wait for the round's last one
                worker.awaitCounted(engine);
                workerAllocated = worker.bytes - workerBytesBefore;
                final long updates = engine.updatesSent() - updatesBefore;
                final long workerUpdates = egresses[1].updates - workerUpdatesBefore;

                System.out.printf("allocation, 2 workers, round %d: %d ticks, %d updates (%d by the worker thread " +
                    "in %d duty cycles): caller thread allocated %d bytes, worker thread %d bytes (sinks %d %d)%n",
                    round, ROUND_TICKS, updates, workerUpdates, worker.duties - dutiesBefore, callerAllocated,
                    workerAllocated, egresses[0].sink, egresses[1].sink);

                assertEquals(inlineBefore, engine.inlinePartitionTicks(), "partition 1 ran on the worker thread");
                assertEquals(ROUND_TICKS, worker.duties - dutiesBefore, "one worker duty cycle per tick");
                assertTrue(workerUpdates >= 50_000, "updates delivered by the worker: " + workerUpdates);
                assertTrue(updates - workerUpdates >= 50_000, "updates delivered by the caller: " + updates);
            }
            assertEquals(0, callerAllocated, "bytes allocated on the caller's thread (tick driver, partition 0)");
            assertEquals(0, workerAllocated, "bytes allocated on the worker's thread (partition 1)");
        }
        finally
        {
            CloseHelper.close(runner);
        }
    }

    private static void addObservers(final InterestEngine engine, final ReadingEgress egress)
    {
        for (int o = 0; o < OBSERVERS; o++)
        {
            assertTrue(engine.addObserver(10_000 + o, 100 + o * 20L + 1, egress, 1_400) >= 0);
        }
    }

    private static int[] populate(final EntityStore store, final Random random)
    {
        final int ship = store.create(1, 5, 0, 0, true);
        store.radius(ship, 60);
        final int[] slots = new int[ENTITIES];
        for (int i = 0; i < ENTITIES; i++)
        {
            final long zone = i % 20 == 0 ? 1 : 0;
            slots[i] = store.create(100 + i, 7, 0, zone, false);
            store.position(slots[i], randomCoordinate(random), randomCoordinate(random), randomCoordinate(random));
            store.radius(slots[i], i % 50 == 0 ? 30 : 1);
        }
        return slots;
    }

    private static long randomCoordinate(final Random random)
    {
        return (long)((random.nextDouble() * 2 - 1) * HALF_EXTENT_MM);
    }

    private static void step(
        final EntityStore store,
        final InterestEngine engine,
        final int[] slots,
        final long[] velocity,
        final Random random,
        final UnsafeBuffer state,
        final int tick)
    {
        final int ship = store.slotOf(1);
        store.position(ship, (long)(Math.sin(tick * 0.01) * 300 * MM), 0, 0);

        for (int i = 0; i < slots.length; i++)
        {
            final int slot = slots[i];
            for (int axis = 0; axis < 3; axis++)
            {
                final int v = i * 3 + axis;
                velocity[v] = Math.max(-2_000, Math.min(2_000, velocity[v] + random.nextInt(401) - 200));
            }
            store.position(slot,
                clamp(store.positionX(slot) + velocity[i * 3]),
                clamp(store.positionY(slot) + velocity[i * 3 + 1]),
                clamp(store.positionZ(slot) + velocity[i * 3 + 2]));
            if ((tick + i) % 16 == 0)
            {
                store.velocity(slot, velocity[i * 3] * 0.03f, velocity[i * 3 + 1] * 0.03f, velocity[i * 3 + 2] * 0.03f);
            }
            if ((tick + i) % 64 == 0)
            {
                state.putInt(0, tick);
                store.componentState(slot, state, 0, 4 + (i & 15));
            }
            if (i % 20 == 1)
            {
                store.lastAppliedInputSequence(slot, tick);
            }
        }

        engine.tick(tick * 33_333_333L);
    }

    private static long clamp(final long v)
    {
        return Math.max(-HALF_EXTENT_MM, Math.min(HALF_EXTENT_MM, v));
    }
}
