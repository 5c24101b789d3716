/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant;

import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The interest engine with its observers split over workers: every observer gets the same stream with 1 and 2
 * workers (partitions ticked on the caller's thread, or on a worker thread), the counters are the exact sums, and a
 * worker that stops never stalls the engine.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class InterestEngineWorkersTest
{
    private static final int ENTITIES = 600;
    private static final int OBSERVERS = 8;
    private static final int TICKS = 300;
    private static final long MM = 1_000;
    private static final long HALF_EXTENT_MM = 400 * MM;
    private static final long FIRST_ENTITY = 100;

    /**
     * One deterministic world (random walk, state changes, entities removed and created again) with one recording
     * egress per observer.
     */
    static final class World
    {
        final EntityStore store = new EntityStore(ENTITIES + 16, 32);
        final InterestEngine engine;
        final RecordingEgress[] egresses = new RecordingEgress[OBSERVERS];
        final List<List<RecordingEgress.Event>> streams = new ArrayList<>();
        final int[] observerIndices = new int[OBSERVERS];
        private final SplittableRandom random = new SplittableRandom(11);
        private final UnsafeBuffer state = new UnsafeBuffer(new byte[32]);
        private int tick;

        World(final int workers)
        {
            engine = new InterestEngine(store, new SpatialIndex(store.capacity()), new InterestConfig()
                .baseRadiusM(100)
                .maxObservers(OBSERVERS)
                .maxViewEntities(64)
                .workers(workers));
            for (int i = 0; i < ENTITIES; i++)
            {
                final int slot = store.create(FIRST_ENTITY + i, 7, 0, 0, false);
                store.position(slot, coordinate(), coordinate(), coordinate());
                store.radius(slot, i % 40 == 0 ? 25 : 1);
            }
            for (int o = 0; o < OBSERVERS; o++)
            {
                egresses[o] = new RecordingEgress();
                streams.add(new ArrayList<>());
                // a tight budget for half of them: deferrals must stay per observer
                observerIndices[o] = engine.addObserver(
                    10_000 + o, FIRST_ENTITY + o * 50L, egresses[o], 0 == (o & 1) ? 600 : 1 << 16);
                assertTrue(observerIndices[o] >= 0);
            }
        }

        private long coordinate()
        {
            return random.nextLong(-HALF_EXTENT_MM, HALF_EXTENT_MM);
        }

        void step()
        {
            tick++;
            for (int i = 0; i < ENTITIES; i++)
            {
                final int slot = store.slotOf(FIRST_ENTITY + i);
                if (EntityStore.NULL_SLOT == slot)
                {
                    continue;
                }
                store.position(slot,
                    clamp(store.positionX(slot) + random.nextLong(-3 * MM, 3 * MM)),
                    clamp(store.positionY(slot) + random.nextLong(-3 * MM, 3 * MM)),
                    clamp(store.positionZ(slot) + random.nextLong(-3 * MM, 3 * MM)));
                if ((tick + i) % 32 == 0)
                {
                    state.putInt(0, tick);
                    store.componentState(slot, state, 0, 4 + (i & 7));
                }
            }
            // churn: one entity (never a followed one) destroyed and created again elsewhere every few ticks
            if (tick % 5 == 0)
            {
                final long id = FIRST_ENTITY + 1 + random.nextInt(ENTITIES - 1);
                if ((id - FIRST_ENTITY) % 50 != 0 && store.remove(id))
                {
                    final int slot = store.create(id, 7, 0, 0, false);
                    store.position(slot, coordinate(), coordinate(), coordinate());
                }
            }
            engine.tick(tick * 33_333_333L);
            for (int o = 0; o < OBSERVERS; o++)
            {
                streams.get(o).addAll(egresses[o].take());
            }
        }

        long[] counters()
        {
            return new long[]{ engine.spawnsSent(), engine.updatesSent(), engine.despawnsSent(),
                engine.budgetDeferrals(), engine.tierDeferrals(), engine.viewEvictions(), engine.resyncs() };
        }

        private static long clamp(final long v)
        {
            return Math.max(-HALF_EXTENT_MM, Math.min(HALF_EXTENT_MM, v));
        }
    }

    @Test
    void shouldSendEveryObserverTheSameStreamWithOneAndTwoWorkers()
    {
        final World one = new World(1);
        final World two = new World(2);
        for (int t = 0; t < TICKS; t++)
        {
            one.step();
            two.step();
        }

        assertEquals(0, two.engine.inlinePartitionTicks() - TICKS, "no worker thread: partition 1 on the caller");
        assertStreamsEqual(one, two);
        assertArrayEquals(one.counters(), two.counters(), "spawns, updates, despawns, deferrals, ... summed");
        assertTrue(one.engine.budgetDeferrals() > 0, "the tight budgets deferred something");
        assertTrue(one.engine.despawnsSent() > 0, "entities left views");
    }

    @Test
    void shouldPutObserversOnEachWorkerAndGiveEachItsView()
    {
        final World two = new World(2);
        for (int t = 0; t < 20; t++)
        {
            two.step();
        }

        int onFirst = 0;
        for (int o = 0; o < OBSERVERS; o++)
        {
            final int index = two.observerIndices[o];
            onFirst += 0 == two.engine.workerOf(index) ? 1 : 0;
            assertTrue(two.engine.inView(index, FIRST_ENTITY + o * 50L), "followed entity in view of " + o);
            assertTrue(two.engine.viewCount(index) > 1, "view of " + o);
            assertTrue(RecordingEgress.count(two.streams.get(o), RecordingEgress.SPAWN) > 1, "spawns to " + o);
            for (final RecordingEgress.Event event : two.streams.get(o))
            {
                assertEquals(10_000 + o, event.observerId());
            }
        }
        assertEquals(OBSERVERS / 2, onFirst, "observers spread evenly over the two workers");
    }

    @Test
    void shouldGiveTheSameStreamsWhenWorkerRunsOnItsOwnThreadAndAfterItStops()
    {
        final World one = new World(1);
        final World two = new World(2);
        final AgentRunner runner = new AgentRunner(
            new YieldingIdleStrategy(), Throwable::printStackTrace, null, two.engine.workerAgents()[0]);
        final Thread thread = AgentRunner.startOnThread(runner);
        try
        {
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!isRunning(two) && System.nanoTime() < deadlineNs)
            {
                Thread.onSpinWait();
            }
            assertTrue(isRunning(two), "worker started");
            final long inlineBefore = two.engine.inlinePartitionTicks();
            for (int t = 0; t < TICKS / 2; t++)
            {
                one.step();
                two.step();
            }
            assertEquals(inlineBefore, two.engine.inlinePartitionTicks(), "partition 1 ticked on the worker thread");
            assertEquals(TICKS / 2, ((InterestWorker)two.engine.workerAgents()[0]).ticksRun());
        }
        finally
        {
            CloseHelper.close(runner);
        }
        // AgentRunner.close() returns once the agent has closed, which its thread signals just before it exits
        joinQuietly(thread);
        assertFalse(thread.isAlive(), "worker thread ended on close");

        for (int t = TICKS / 2; t < TICKS; t++)
        {
            one.step();
            two.step();
        }
        assertTrue(two.engine.inlinePartitionTicks() >= TICKS / 2, "stopped worker's partition ticked by the caller");
        assertStreamsEqual(one, two);
        assertArrayEquals(one.counters(), two.counters());
    }

    @Test
    void shouldRejectObserversBeyondTotalCapacityAndUnknownWorker()
    {
        final EntityStore store = new EntityStore(16, 8);
        final InterestEngine engine = new InterestEngine(store, new SpatialIndex(store.capacity()),
            new InterestConfig().maxObservers(3).maxViewEntities(8).workers(2));
        final RecordingEgress egress = new RecordingEgress();
        assertEquals(InterestEngine.ERR_INVALID_WORKER, engine.addObserver(2, 1, 1, egress, 100));
        assertEquals(InterestEngine.ERR_INVALID_WORKER, engine.addObserver(-1, 1, 1, egress, 100));
        assertTrue(engine.addObserver(1, 1, egress, 100) >= 0);
        assertTrue(engine.addObserver(2, 2, egress, 100) >= 0);
        assertTrue(engine.addObserver(3, 3, egress, 100) >= 0);
        assertEquals(InterestEngine.ERR_TOO_MANY_OBSERVERS, engine.addObserver(4, 4, egress, 100));
        assertTrue(engine.removeObserver(2));
        assertEquals(1, engine.workerOf(engine.addObserver(5, 5, egress, 100)), "the emptier worker");
        assertEquals(3, engine.observerCount());
    }

    @Test
    void shouldTickPartitionOnCallerWhenWorkerClosedBeforeAnyTick()
    {
        final World two = new World(2);
        final AgentRunner runner = new AgentRunner(
            new YieldingIdleStrategy(), Throwable::printStackTrace, null, two.engine.workerAgents()[0]);
        AgentRunner.startOnThread(runner);
        CloseHelper.close(runner);
        assertEquals(0, ((InterestWorker)two.engine.workerAgents()[0]).ticksRun());
        two.step();
        assertEquals(1, two.engine.inlinePartitionTicks(), "closed worker: the caller ticks its partition");
    }

    private static boolean isRunning(final World world)
    {
        return ((InterestWorker)world.engine.workerAgents()[0]).isRunning();
    }

    private static void assertStreamsEqual(final World expected, final World actual)
    {
        for (int o = 0; o < OBSERVERS; o++)
        {
            assertTrue(expected.streams.get(o).size() > 100, "observer " + o + " got a stream");
            assertEquals(expected.streams.get(o), actual.streams.get(o), "stream of observer " + o);
        }
    }

    private static void joinQuietly(final Thread thread)
    {
        try
        {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
