/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The interest engine paces the snapshots of a wave of observers that join in one tick (as every client of a
 * restarted layer resumes at once) by each egress's spawn capacity and the engine's snapshot bytes per tick, while the
 * world changes under it: no observer's window is ever run down to back-pressure, no observer gets more than its
 * budget in a tick, updates of what an observer holds continue meanwhile, no observer ever holds an entity that is
 * gone, and every observer ends holding exactly its view.
 */
class SnapshotPacingEngineTest
{
    private static final long MM = 1000;
    private static final int OBSERVERS = 20;
    private static final int ENTITIES = 800;
    private static final long FIRST_ENTITY = 10_000;
    private static final int BUDGET = 16 * 1024;
    private static final int WINDOW = 32 * 1024;
    private static final int READ_BYTES_PER_TICK = 6 * 1024;

    /**
     * An observer's publication as the client egress sees it: a window that each message takes its frame from
     * (32-byte header, 32-byte alignment) and that the client's reading gives back, a fixed amount per tick; and what
     * the client holds.
     */
    static final class WindowedEgress implements ObserverEgress
    {
        final Map<Long, Map<Long, Long>> held = new HashMap<>();
        final Map<Long, Integer> windows = new HashMap<>();
        final Map<Long, Integer> bytesThisTick = new HashMap<>();
        int maxBytesInATick;
        long ticksBackPressured;
        long updates;
        private long current;
        private int window;
        private boolean batchStarted;

        void read()
        {
            windows.replaceAll((observer, window) -> Math.min(WINDOW, window + READ_BYTES_PER_TICK));
        }

        @Override
        public int beginTick(final long observerId, final long nowNs)
        {
            current = observerId;
            window = windows.computeIfAbsent(observerId, (k) -> WINDOW);
            bytesThisTick.put(observerId, 0);
            batchStarted = false;
            if (window < Math.min(BUDGET, ClientEgressProxy.MIN_WINDOW_BYTES))
            {
                ticksBackPressured++;
                return 0;
            }
            return Math.min(window >> 1, BUDGET);
        }

        @Override
        public int spawnCapacity(final long observerId)
        {
            return ClientEgressProxy.spawnCapacity(window, BUDGET);
        }

        @Override
        public boolean onSpawn(final long observerId, final EntityStore store, final int slot)
        {
            send(InterestEngine.SPAWN_BASE_LENGTH + store.componentStateLength(slot));
            held.computeIfAbsent(observerId, (k) -> new HashMap<>()).put(store.entityId(slot), store.createdSeq(slot));
            return true;
        }

        @Override
        public boolean onUpdate(final long observerId, final EntityStore store, final int slot, final int changedMask)
        {
            assertTrue(held.get(observerId).containsKey(store.entityId(slot)), "update of an entity not held");
            updates++;
            if (!batchStarted)
            {
                batchStarted = true;
                send(InterestEngine.UPDATE_BATCH_OVERHEAD);
            }
            // entries share their batch's frame (the engine counts fixed-size entries: compact updates off)
            window -= InterestEngine.UPDATE_ENTRY_BASE_LENGTH;
            assertTrue(window >= 0, "window overrun");
            bytesThisTick.merge(current, InterestEngine.UPDATE_ENTRY_BASE_LENGTH, Integer::sum);
            return true;
        }

        @Override
        public boolean onDespawn(final long observerId, final long entityId, final short reason)
        {
            assertNotEquals(null, held.get(observerId).remove(entityId), "despawn of an entity not held");
            send(InterestEngine.DESPAWN_LENGTH);
            return true;
        }

        @Override
        public boolean endTick(final long observerId)
        {
            windows.put(current, window);
            maxBytesInATick = Math.max(maxBytesInATick, bytesThisTick.get(current));
            return true;
        }

        private void send(final int length)
        {
            window -= (length + 32 + 31) & ~31;
            assertTrue(window >= 0, "window overrun");
            bytesThisTick.merge(current, length, Integer::sum);
        }
    }

    @Test
    void shouldPaceAWaveOfSnapshotsWithinWindowAndBudgetAndKeepEveryObserverConsistent()
    {
        final EntityStore store = new EntityStore(2048, 64);
        final InterestEngine engine = new InterestEngine(store, new SpatialIndex(2048, 128, 20), new InterestConfig()
            .baseRadiusM(300).sizeFactor(10).hysteresis(0.1).maxObservers(64).maxViewEntities(512)
            .snapshotBytesPerTick(64 * 1024).compactUpdates(false));
        final WindowedEgress egress = new WindowedEgress();
        for (int i = 0; i < ENTITIES; i++)
        {
            final int slot = store.create(FIRST_ENTITY + i, 1, 0, 0, false);
            store.position(slot, ((i % 30) - 15) * 5 * MM, ((i / 30) - 15) * 5 * MM, 0);
            store.radius(slot, 0.5f);
        }
        for (int o = 0; o < OBSERVERS; o++)
        {
            final int slot = store.create(1 + o, 1, 0, 0, false);
            store.position(slot, o * MM, 0, 0);
            assertTrue(engine.addObserver(1_000 + o, 1 + o, egress, BUDGET) >= 0);
        }

        long nowNs = 0;
        int ticks = 0;
        long updatesDuringWave = 0;
        int nextToDestroy = 0;
        while (!allHoldTheirViews(engine, egress, store))
        {
            assertTrue(ticks < 2_000, "every observer holds its view within 2,000 ticks");
            // the world changes while the snapshots go out: some entities move, some go, some are created
            for (int i = ticks % 7; i < ENTITIES; i += 7)
            {
                final int slot = store.slotOf(FIRST_ENTITY + i);
                if (EntityStore.NULL_SLOT != slot)
                {
                    store.position(slot, store.positionX(slot) + (ticks % 2 == 0 ? 100 : -100), store.positionY(slot),
                        0);
                }
            }
            if (ticks < 60 && 0 == ticks % 3)
            {
                store.remove(FIRST_ENTITY + nextToDestroy);
                nextToDestroy += 13;
                final int slot = store.create(FIRST_ENTITY + ENTITIES + ticks, 1, 0, 0, false);
                store.position(slot, ticks * MM, -ticks * MM, 0);
                store.radius(slot, 0.5f);
            }

            nowNs += 33_000_000L;
            engine.tick(nowNs);
            ticks++;
            egress.read();
            assertEquals(0, egress.ticksBackPressured, "back-pressured by tick " + ticks);
            assertEveryHeldEntityIsAlive(egress, store);
            if (engine.spawnDeferrals() > 0 && ticks < 10)
            {
                updatesDuringWave = egress.updates;
            }
        }

        assertEquals(0, egress.ticksBackPressured, "ticks an observer was back-pressured");
        assertTrue(egress.maxBytesInATick <= BUDGET, "bytes in one tick " + egress.maxBytesInATick);
        assertTrue(engine.spawnDeferrals() > 0, "snapshots paced");
        assertTrue(ticks > 10, "the snapshots took " + ticks + " ticks");
        assertTrue(updatesDuringWave > 0, "updates continued while the snapshots went out");
    }

    private static void assertEveryHeldEntityIsAlive(final WindowedEgress egress, final EntityStore store)
    {
        for (final Map<Long, Long> view : egress.held.values())
        {
            for (final Map.Entry<Long, Long> e : view.entrySet())
            {
                final int slot = store.slotOf(e.getKey());
                assertTrue(EntityStore.NULL_SLOT != slot && store.createdSeq(slot) == e.getValue(),
                    "an observer holds entity " + e.getKey() + " that is gone");
            }
        }
    }

    private static boolean allHoldTheirViews(
        final InterestEngine engine, final WindowedEgress egress, final EntityStore store)
    {
        for (int o = 0; o < OBSERVERS; o++)
        {
            final int index = engine.observerIndex(1_000 + o);
            final Map<Long, Long> view = egress.held.get(1_000L + o);
            final int count = engine.viewCount(index);
            if (null == view || view.size() != count)
            {
                return false;
            }
            for (int i = 0; i < count; i++)
            {
                if (ObserverViews.SPAWNED != engine.viewState(index, i) ||
                    !Long.valueOf(engine.viewCreatedSeq(index, i)).equals(view.get(engine.viewEntityId(index, i))))
                {
                    return false;
                }
            }
        }
        return true;
    }
}
