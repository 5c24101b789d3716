/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pins the bytes the compact writer puts on the wire: a random run of calls (moves small and large, velocities,
 * orientations, zone changes, inputs, component state, sizes and epochs, spawns and blanks, observers with handles
 * of one, two and three varint bytes) against the count and digest of every entry the writer of main at 9f5fc33
 * wrote for the same run. A change that makes the writer cheaper must keep both; a change of the wire format
 * records them anew, on purpose.
 */
final class CompactUpdateWriterBytesTest
{
    private static final int ENTITIES = 48;
    private static final int OBSERVERS = 6;
    private static final int EXPECTED_ENTRIES = 115_645;
    private static final long EXPECTED_DIGEST = 2_801_563_486L;
    private static final int STEPS = 40_000;

    private final EntityStore store = new EntityStore(ENTITIES + 4, 64);
    private final CompactUpdateWriter writer = new CompactUpdateWriter();
    private final UnsafeBuffer actual = new UnsafeBuffer(new byte[1024]);
    private final UnsafeBuffer state = new UnsafeBuffer(new byte[64]);
    private final Random random = new Random(17);

    @Test
    void shouldWriteTheRecordedBytesForARandomRunOfCalls()
    {
        final long[] zones = { store.create(1, 9, 0, EntityStore.ROOT_ZONE_ID, true),
            store.create(2, 9, 0, EntityStore.ROOT_ZONE_ID, true) };
        final int[] slots = new int[ENTITIES];
        for (int i = 0; i < ENTITIES; i++)
        {
            slots[i] = store.create(100 + i, 7, 0, EntityStore.ROOT_ZONE_ID, false);
            store.position(slots[i], random.nextInt(1_000_000), random.nextInt(1_000_000), random.nextInt(1_000));
        }
        assertTrue(zones[0] >= 0 && zones[1] >= 0);

        final CompactBaselines[] baselines = new CompactBaselines[OBSERVERS];
        final int[][] handles = new int[OBSERVERS][ENTITIES];
        final long[][] sentSeqs = new long[OBSERVERS][ENTITIES];
        for (int o = 0; o < OBSERVERS; o++)
        {
            baselines[o] = new CompactBaselines();
            // observer o's handles start at 0, 120, 16,370, ...: one-, two- and three-byte varints and both sides of
            // the one-write path's limit
            final int firstHandle = new int[] { 0, 120, 16_370, 100, 16_300, 20_000 }[o];
            for (int h = 0; h < firstHandle; h++)
            {
                baselines[o].acquire();
            }
            for (int i = 0; i < ENTITIES; i++)
            {
                handles[o][i] = baselines[o].acquire();
                spawn(baselines[o], handles[o][i], slots[i], o);
                sentSeqs[o][i] = store.changeSeq();
            }
        }

        final CRC32 digest = new CRC32();
        int written = 0;
        for (int step = 0; step < STEPS; step++)
        {
            final int i = random.nextInt(ENTITIES);
            change(slots[i], zones);
            for (int o = 0; o < OBSERVERS; o++)
            {
                final int k = random.nextInt(ENTITIES);
                if (0 == random.nextInt(200))
                {
                    spawn(baselines[o], handles[o][k], slots[k], o);
                    sentSeqs[o][k] = store.changeSeq();
                    continue;
                }
                final int mask = 0 == random.nextInt(50) ? random.nextInt(1 << 12) :
                    store.changedSince(slots[k], sentSeqs[o][k]);
                final boolean own = k == o;
                final int offset = random.nextInt(8);
                final int end = writer.writeEntry(
                    actual, offset, baselines[o], handles[o][k], store, slots[k], mask, own);
                digest.update(end - offset);
                for (int b = offset; b < end; b++)
                {
                    digest.update(actual.getByte(b));
                }
                sentSeqs[o][k] = store.changeSeq();
                written += end > offset ? 1 : 0;
            }
        }
        assertEquals(EXPECTED_ENTRIES, written, "entries written");
        assertEquals(EXPECTED_DIGEST, digest.getValue(), "digest of the entries' lengths and bytes");
    }

    private void spawn(
        final CompactBaselines baselines,
        final int handle,
        final int slot,
        final int o)
    {
        if (0 == (o & 1))
        {
            writer.onSpawned(baselines, handle, store, slot);
        }
        else
        {
            writer.onBlank(baselines, handle);
        }
    }

    private void change(final int slot, final long[] zones)
    {
        switch (random.nextInt(12))
        {
            case 0 -> store.position(slot, random.nextInt(2_000_000) - 1_000_000L,
                random.nextInt(2_000_000) - 1_000_000L, random.nextInt(2_000) - 1_000L);
            case 1 -> store.velocity(slot, random.nextFloat() * 20 - 10, random.nextFloat() * 20 - 10, 0);
            case 2 ->
            {
                final double a = random.nextDouble() * Math.PI;
                store.orientation(slot, 0, (float)Math.sin(a), 0, (float)Math.cos(a));
            }
            case 3 -> store.parentZone(slot, 0 == random.nextInt(3) ? EntityStore.ROOT_ZONE_ID :
                store.entityId((int)zones[random.nextInt(2)]));
            case 4 -> store.lastAppliedInputSequence(slot, store.lastAppliedInputSequence(slot) +
                random.nextInt(300));
            case 5 ->
            {
                state.putLong(0, random.nextLong());
                store.componentState(slot, state, 0, 1 + random.nextInt(60));
            }
            case 6 -> store.radius(slot, random.nextFloat() * 5);
            case 7 -> store.authorityEpoch(slot, store.authorityEpoch(slot) + 1 + random.nextInt(200));
            default ->
            {
                // a walk: moves of a few mm to a few m, the common entry
                final int reach = 0 == random.nextInt(4) ? 2_000 : 200;
                store.position(slot, store.positionX(slot) + random.nextInt(reach) - reach / 2,
                    store.positionY(slot) + random.nextInt(reach) - reach / 2,
                    store.positionZ(slot) + random.nextInt(20) - 10);
            }
        }
    }
}
