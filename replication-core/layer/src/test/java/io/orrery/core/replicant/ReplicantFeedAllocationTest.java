/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant;

import io.orrery.test.AllocationMeter;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several Replicants in steady state allocate nothing: the primary's ownership and feed, and a secondary's feed apply
 * and pass (interest with ownership: handoff despawns and spawns included), entities wandering across the boundary,
 * a few destroyed and others created every pass (removals found through the store's journal).
 */
final class ReplicantFeedAllocationTest
{
    private static final int ENTITIES = 1_000;
    private static final int OBSERVERS = 20;
    private static final int WARMUP_TICKS = 1_500;
    private static final int ROUND_TICKS = 500;
    private static final int MAX_ROUNDS = 8;
    private static final long MM = 1_000;
    private static final long HALF_EXTENT_MM = 300 * MM;
    private static final int CHURNED_PER_TICK = 3;

    @Test
    void shouldNotAllocateFeedingApplyingAndStreamingASecondaryInSteadyState()
    {
        final EntityStore primary = new EntityStore(ENTITIES + 16, 32);
        final EntityStore secondary = new EntityStore(ENTITIES + 16, 32);
        final OneToOneRingBuffer ring = ReplicantFeedTest.ring(1024 * 1024);
        final ReplicantOwnership ownership = new ReplicantOwnership(new double[]{ 0 }, 2);
        final ReplicantFeedProxy proxy = new ReplicantFeedProxy(primary, new OneToOneRingBuffer[]{ ring });
        final ReplicantFeedAdapter adapter = new ReplicantFeedAdapter(secondary, ring);
        final InterestConfig config = new InterestConfig().baseRadiusM(80).maxObservers(OBSERVERS).maxViewEntities(256)
            .handoffReserve(8);
        final InterestEngine primaryEngine =
            new InterestEngine(primary, new SpatialIndex(primary.capacity()), config).ownership(0);
        final InterestEngine secondaryEngine = new InterestEngine(secondary, new SpatialIndex(secondary.capacity()),
            new InterestConfig().baseRadiusM(80).maxObservers(OBSERVERS).maxViewEntities(256).handoffReserve(8))
            .ownership(1);
        final InterestEngineAllocationTest.ReadingEgress egress = new InterestEngineAllocationTest.ReadingEgress();
        final Random random = new Random(11);
        final int[] slots = new int[ENTITIES];
        final long[] ids = new long[ENTITIES];
        for (int i = 0; i < ENTITIES; i++)
        {
            ids[i] = 100 + i;
            slots[i] = create(primary, ids[i], random);
        }
        for (int o = 0; o < OBSERVERS; o++)
        {
            assertTrue(primaryEngine.addObserver(10_000 + o, 100 + o * 37L, egress, 4_000) >= 0);
            assertTrue(secondaryEngine.addObserver(10_000 + o, 100 + o * 37L, egress, 4_000) >= 0);
        }

        int tick = 0;
        for (; tick < WARMUP_TICKS; tick++)
        {
            step(primary, slots, ids, random, ownership, proxy, primaryEngine, tick);
            assertTrue(adapter.poll());
            secondaryEngine.tick(tick);
        }

        long allocated = -1;
        long primaryAllocated = -1;
        final long spawnsBefore = secondaryEngine.handoffSpawns();
        final long updatesBefore = secondaryEngine.updatesSent();
        for (int round = 1; round <= MAX_ROUNDS && (0 != allocated || 0 != primaryAllocated); round++)
        {
            allocated = 0;
            primaryAllocated = 0;
            for (int t = 0; t < ROUND_TICKS; t++, tick++)
            {
                final long primaryBefore = AllocationMeter.threadAllocatedBytes();
                step(primary, slots, ids, random, ownership, proxy, primaryEngine, tick);
                final long before = AllocationMeter.threadAllocatedBytes();
                primaryAllocated += before - primaryBefore;
                adapter.poll();
                secondaryEngine.tick(tick);
                allocated += AllocationMeter.threadAllocatedBytes() - before;
            }
        }
        System.out.printf("replicant feed allocation: %d handoffs, secondary %d handoff spawns, %d updates, " +
            "%d feed bytes; allocated primary %d, secondary %d bytes in the last round%n", ownership.handoffs(),
            secondaryEngine.handoffSpawns() - spawnsBefore, secondaryEngine.updatesSent() - updatesBefore,
            proxy.bytes(), primaryAllocated, allocated);

        assertTrue(secondaryEngine.handoffSpawns() > spawnsBefore, "entities keep crossing to the secondary");
        assertTrue(secondaryEngine.handoffDespawns() > 0, "and back");
        assertEquals(0, proxy.backPressured());
        assertEquals(0, proxy.removalScans());
        assertEquals(0, adapter.errors());
        assertEquals(primary.size(), secondary.size());
        assertEquals(0, primaryAllocated, "primary: ownership, feed and pass");
        assertEquals(0, allocated, "secondary: feed apply and pass");
    }

    private static int create(final EntityStore store, final long id, final Random random)
    {
        final int slot = store.create(id, 1, 0, 0, false);
        store.position(slot, random.nextLong(-HALF_EXTENT_MM, HALF_EXTENT_MM),
            random.nextLong(-HALF_EXTENT_MM, HALF_EXTENT_MM), 0);
        store.radius(slot, 0.5f);
        return slot;
    }

    private static void step(
        final EntityStore store,
        final int[] slots,
        final long[] ids,
        final Random random,
        final ReplicantOwnership ownership,
        final ReplicantFeedProxy proxy,
        final InterestEngine engine,
        final int tick)
    {
        for (int i = 0; i < slots.length; i++)
        {
            final int slot = slots[i];
            long x = store.positionX(slot) + random.nextInt(-1500, 1501);
            long y = store.positionY(slot) + random.nextInt(-1500, 1501);
            x = Math.max(-HALF_EXTENT_MM, Math.min(HALF_EXTENT_MM, x));
            y = Math.max(-HALF_EXTENT_MM, Math.min(HALF_EXTENT_MM, y));
            store.position(slot, x, y, 0);
        }
        for (int c = 0; c < CHURNED_PER_TICK; c++)
        {
            // never an observer's own entity (the first OBSERVERS * 37 ids hold them)
            final int i = OBSERVERS * 37 + random.nextInt(ENTITIES - OBSERVERS * 37);
            store.remove(ids[i]);
            ids[i] += ENTITIES;
            slots[i] = create(store, ids[i], random);
        }
        ownership.assign(store);
        proxy.feed(tick);
        engine.tick(tick);
    }
}
