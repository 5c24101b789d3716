/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant;

import java.util.Arrays;
import java.util.Random;

import org.agrona.collections.IntArrayList;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class SpatialIndexTest
{
    private static final long MM = 1000;

    @Test
    void shouldFindExactlyWhatBruteForceFindsWhenEntitiesMove()
    {
        assertQueriesMatchBruteForce(32, false);
    }

    @Test
    void shouldFindExactlyWhatBruteForceFindsWhenOccupiedCellsFitTheDenseHeads()
    {
        assertQueriesMatchBruteForce(256, true);
    }

    private static void assertQueriesMatchBruteForce(final double cellSizeM, final boolean dense)
    {
        final EntityStore store = new EntityStore(2_000, 0);
        final SpatialIndex index = new SpatialIndex(store.capacity(), cellSizeM, 20);
        final Random random = new Random(3);
        for (int i = 0; i < 1_500; i++)
        {
            final int slot = store.create(i + 1, 0, 0, 0, false);
            store.position(slot, coordinate(random, 2_000), coordinate(random, 2_000), coordinate(random, 2_000));
            store.radius(slot, i % 100 == 0 ? 25 : 1);
        }
        final IntArrayList found = new IntArrayList();

        for (int round = 0; round < 20; round++)
        {
            for (int i = 0; i < store.activeCount(); i++)
            {
                final int slot = store.activeSlot(i);
                store.position(slot, store.positionX(slot) + coordinate(random, 50), store.positionY(slot),
                    store.positionZ(slot) + coordinate(random, 50));
            }
            if (round % 5 == 4)
            {
                store.remove(1 + random.nextInt(1_500));
            }
            store.updateWorldPositions();
            index.update(store);

            final long x = coordinate(random, 2_000);
            final long y = coordinate(random, 2_000);
            final long z = coordinate(random, 2_000);
            final double radiusM = round % 2 == 0 ? 300 : 3_000;
            found.clear();
            index.query(store, x, y, z, radiusM, found);

            final int[] actual = found.toIntArray();
            Arrays.sort(actual);
            assertArrayEquals(bruteForce(store, index, x, y, z, radiusM), actual);
            assertEquals(dense, index.isDense());
        }
        assertEquals(store.size(), index.size());
        assertEquals(15, index.largeCount());
    }

    @Test
    void shouldMoveEntityBetweenGridAndLargeListWhenRadiusChanges()
    {
        final EntityStore store = new EntityStore(4, 0);
        final SpatialIndex index = new SpatialIndex(4, 128, 20);
        final int slot = store.create(1, 0, 0, 0, false);
        index.update(store);
        assertFalse(index.isLarge(slot));
        assertEquals(1, index.cellCount());

        store.radius(slot, 21);
        index.update(store);
        assertTrue(index.isLarge(slot));
        assertEquals(0, index.cellCount());
        assertEquals(1, index.largeCount());

        store.remove(1);
        index.update(store);
        assertEquals(0, index.largeCount());
        assertEquals(0, index.size());
    }

    /**
     * Micro-measurement (no JMH) behind the default cell size: cost of one 400 m query (200 m base bubble plus
     * 10 x the 20 m large threshold) for sparse and dense worlds. Prints the figures; asserts nothing about time.
     */
    @Test
    void shouldMeasureQueryCostWhenCellSizeVaries()
    {
        final double[] cellSizes = { 64, 128, 256, 512 };
        final int[][] worlds = { { 1_000, 1_200 }, { 10_000, 4_000 }, { 10_000, 800 } };
        measure(1_000, 1_200, 256);
        final StringBuilder report = new StringBuilder("spatial index, ns per 400 m query (entities @ cube edge m):");
        for (final int[] world : worlds)
        {
            report.append(String.format("%n  %,6d @ %,5d m:", world[0], world[1]));
            for (final double cellSizeM : cellSizes)
            {
                report.append(String.format("  %3.0f m cells %,8.0f", cellSizeM, measure(world[0], world[1], cellSizeM)));
            }
        }
        System.out.println(report);
    }

    private static double measure(final int entities, final int edgeM, final double cellSizeM)
    {
        final EntityStore store = new EntityStore(entities, 0);
        final SpatialIndex index = new SpatialIndex(entities, cellSizeM, 20);
        final Random random = new Random(11);
        for (int i = 0; i < entities; i++)
        {
            final int slot = store.create(i + 1, 0, 0, 0, false);
            store.position(slot, coordinate(random, edgeM), coordinate(random, edgeM), coordinate(random, edgeM));
        }
        store.updateWorldPositions();
        index.update(store);

        final IntArrayList found = new IntArrayList(entities, -1);
        final int queries = 400;
        long sink = 0;
        long bestNs = Long.MAX_VALUE;
        for (int round = 0; round < 3; round++)
        {
            final long start = System.nanoTime();
            for (int q = 0; q < queries; q++)
            {
                found.clear();
                final int slot = q % entities;
                sink += index.query(store, store.worldX(slot), store.worldY(slot), store.worldZ(slot), 400, found);
            }
            bestNs = Math.min(bestNs, System.nanoTime() - start);
        }
        assertTrue(sink > 0);
        return (double)bestNs / queries;
    }

    private static long coordinate(final Random random, final int edgeM)
    {
        return (long)((random.nextDouble() - 0.5) * edgeM * MM);
    }

    private static int[] bruteForce(
        final EntityStore store, final SpatialIndex index, final long x, final long y, final long z, final double r)
    {
        final IntArrayList result = new IntArrayList();
        for (int i = 0; i < store.activeCount(); i++)
        {
            final int slot = store.activeSlot(i);
            final double dx = store.worldX(slot) - x;
            final double dy = store.worldY(slot) - y;
            final double dz = store.worldZ(slot) - z;
            if (!index.isLarge(slot) && Math.sqrt(dx * dx + dy * dy + dz * dz) <= r * MM)
            {
                result.addInt(slot);
            }
        }
        final int[] array = result.toIntArray();
        Arrays.sort(array);
        return array;
    }

    @Test
    void shouldTrackLargestGridRadiusAndSkipMarkedSlots()
    {
        final EntityStore store = new EntityStore(16, 0);
        final SpatialIndex index = new SpatialIndex(store.capacity(), 64, 20);
        final int a = store.create(1, 0, 0, 0, false);
        store.radius(a, 0.5f);
        final int b = store.create(2, 0, 0, 0, false);
        store.position(b, 10 * MM, 0, 0);
        store.radius(b, 7);
        final int c = store.create(3, 0, 0, 0, false);
        store.position(c, 20 * MM, 0, 0);
        store.radius(c, 500);
        assertEquals(0.0, index.maxGridRadiusM());
        store.updateWorldPositions();
        index.update(store);
        assertEquals(7.0, index.maxGridRadiusM(), "the large one does not count");

        final IntArrayList found = new IntArrayList();
        final long[] marks = new long[store.capacity()];
        marks[b] = 42;
        index.query(store, 0, 0, 0, 100, marks, 42, found);
        assertArrayEquals(new int[]{ a }, found.toIntArray());
        found.clear();
        index.query(store, 0, 0, 0, 100, marks, 41, found);
        assertEquals(2, found.size());

        store.remove(2);
        store.updateWorldPositions();
        index.update(store);
        assertEquals(0.5, index.maxGridRadiusM());

        store.radius(a, 30);
        store.updateWorldPositions();
        index.update(store);
        assertEquals(0.0, index.maxGridRadiusM(), "grew into the large list");
    }

    @Test
    void shouldFindWhatBruteForceFindsWhenQueryBoxExceedsOccupiedCells()
    {
        final EntityStore store = new EntityStore(256, 0);
        final SpatialIndex index = new SpatialIndex(store.capacity(), 64, 20);
        final IntArrayList found = new IntArrayList();
        final Random random = new Random(5);
        for (int i = 0; i < 200; i++)
        {
            final int slot = store.create(i + 1, 0, 0, 0, false);
            store.position(slot, coordinate(random, 500), coordinate(random, 500), 0);
            store.radius(slot, 1);
        }
        store.updateWorldPositions();
        index.update(store);

        for (int round = 0; round < 50; round++)
        {
            final long x = coordinate(random, 1_500);
            final long y = coordinate(random, 1_500);
            final long z = round % 3 == 0 ? 0 : coordinate(random, 200);
            final double radiusM = 50 + random.nextInt(400);
            found.clear();
            index.query(store, x, y, z, radiusM, found);
            final int[] actual = found.toIntArray();
            Arrays.sort(actual);
            assertArrayEquals(bruteForce(store, index, x, y, z, radiusM), actual);
        }
    }
}
