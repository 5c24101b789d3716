/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant;

import io.orrery.wire.CompactUpdates;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What one compact entry carries for one observer: only fields whose wire value changed against that observer's
 * baseline, centimetre deltas that move the baseline by exactly what was sent, the zone with an absolute position,
 * {@code lastAppliedInputSequence} only for the observer's own entity.
 */
final class CompactUpdateWriterTest
{
    private static final long SHIP = 50;
    private static final long ENTITY = 100;

    private final EntityStore store = new EntityStore(16, 64);
    private final CompactUpdateWriter writer = new CompactUpdateWriter();
    private final CompactBaselines baselines = new CompactBaselines();
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
    private final CompactUpdates.Reader reader = new CompactUpdates.Reader();
    private int slot;
    private int handle;
    private long seq;

    @BeforeEach
    void spawn()
    {
        assertTrue(store.create(SHIP, 9, 0, 0, true) >= 0);
        slot = store.create(ENTITY, 7, 0, 0, false);
        store.position(slot, 1_000, 0, -2_000);
        store.velocity(slot, 1.5f, 0, 0);
        store.lastAppliedInputSequence(slot, 40);
        handle = baselines.acquire();
        writer.onSpawned(baselines, handle, store, slot);
        seq = store.changeSeq();
    }

    @Test
    void shouldWriteNothingWhenChangesRoundToWhatTheObserverHolds()
    {
        store.position(slot, 1_004, 0, -2_003);
        store.velocity(slot, 1.501f, 0, 0);
        assertEquals(0, write(false), "4 mm and 0.1 cm/s are below the resolution");
    }

    @Test
    void shouldSendCentimetreDeltasThatAddUpWithoutDriftWhenMovedInSmallSteps()
    {
        long x = 1_000;
        long held = 1_000;
        for (int i = 0; i < 1_000; i++)
        {
            x += 7;
            store.position(slot, x, 0, -2_000);
            final int length = write(false);
            if (length > 0)
            {
                reader.wrap(buffer, 0, length).next();
                assertEquals(handle, reader.handle());
                assertEquals(CompactUpdates.POSITION, reader.mask());
                held += reader.positionX() * CompactUpdates.POSITION_UNIT_MM;
                assertEquals(0, reader.positionY());
            }
            assertTrue(Math.abs(x - held) <= CompactUpdates.POSITION_TOLERANCE_MM, "step " + i + ": " + held);
        }
    }

    @Test
    void shouldSendZoneAndAbsolutePositionWhenZoneChanged()
    {
        assertEquals(EntityStore.OK, store.parentZone(slot, SHIP));
        store.position(slot, 123, 456, 789);
        final int length = write(false);
        reader.wrap(buffer, 0, length).next();
        assertEquals(CompactUpdates.POSITION | CompactUpdates.PARENT_ZONE, reader.mask());
        assertEquals(SHIP, reader.parentZoneId());
        assertEquals(123, reader.positionX());
        assertEquals(456, reader.positionY());
        assertEquals(789, reader.positionZ());
        assertEquals(1, CompactUpdates.validateEntries(buffer, 0, length));
    }

    @Test
    void shouldSendLastAppliedInputOnlyToTheOwnEntityWhenItChanged()
    {
        store.lastAppliedInputSequence(slot, 43);
        final int mask = store.changedSince(slot, seq);
        assertEquals(0, writer.writeEntry(buffer, 0, baselines, handle, store, slot, mask, false),
            "nobody else measures latency with it");

        final int length = writer.writeEntry(buffer, 0, baselines, handle, store, slot, mask, true);
        reader.wrap(buffer, 0, length).next();
        assertEquals(CompactUpdates.LAST_APPLIED_INPUT, reader.mask());
        assertEquals(3, reader.lastAppliedInputDelta());
    }

    @Test
    void shouldSendVelocityAndOrientationWhenTheirWireValuesChanged()
    {
        store.velocity(slot, -2.25f, 0.5f, 0);
        store.orientation(slot, 0, 0.6f, 0, 0.8f);
        final int length = write(false);
        reader.wrap(buffer, 0, length).next();
        assertEquals(CompactUpdates.VELOCITY | CompactUpdates.ORIENTATION, reader.mask());
        assertEquals(-225, reader.velocityX());
        assertEquals(50, reader.velocityY());
        assertEquals(0.6f, CompactUpdates.orientationComponent(reader.orientation(), 1), 0.001f);
        assertEquals(0.8f, CompactUpdates.orientationComponent(reader.orientation(), 3), 0.003f);

        store.velocity(slot, -2.251f, 0.5f, 0);
        assertEquals(0, write(false), "same cm/s as last sent");
    }

    @Test
    void shouldWriteSmallMovesAsTheVarintLayoutWhateverTheHandleWidth()
    {
        final UnsafeBuffer expected = new UnsafeBuffer(new byte[64]);
        final int[] handles = {0, 1, 127, 128, 129, 300, 16_383, 16_384, 20_000};
        final long[][] movesCm = {{1, -1, 0}, {63, -64, 0}, {64, 0, -65}, {-1, 2, 3}};
        long x = 1_000;
        long y = 0;
        long z = -2_000;
        for (final int handleUnderTest : handles)
        {
            while (handle < handleUnderTest)
            {
                handle = baselines.acquire();
            }
            assertEquals(handleUnderTest, handle);
            writer.onSpawned(baselines, handle, store, slot);
            seq = store.changeSeq();
            for (final long[] move : movesCm)
            {
                x += move[0] * CompactUpdates.POSITION_UNIT_MM;
                y += move[1] * CompactUpdates.POSITION_UNIT_MM;
                z += move[2] * CompactUpdates.POSITION_UNIT_MM;
                store.position(slot, x, y, z);
                buffer.setMemory(0, 64, (byte)0x5A);
                final int length = write(false);

                int end = CompactUpdates.putVarUInt(expected, 0, handle);
                expected.putByte(end++, (byte)CompactUpdates.POSITION);
                end = CompactUpdates.putVarSInt(expected, end, move[0]);
                end = CompactUpdates.putVarSInt(expected, end, move[1]);
                end = CompactUpdates.putVarSInt(expected, end, move[2]);
                assertEquals(end, length, "handle " + handle);
                for (int i = 0; i < end; i++)
                {
                    assertEquals(expected.getByte(i), buffer.getByte(i), "handle " + handle + ", byte " + i);
                }
                reader.wrap(buffer, 0, length).next();
                assertEquals(handle, reader.handle());
                assertEquals(move[0], reader.positionX());
                assertEquals(move[1], reader.positionY());
                assertEquals(move[2], reader.positionZ());
            }
        }
    }

    private int write(final boolean ownEntity)
    {
        final int mask = store.changedSince(slot, seq);
        seq = store.changeSeq();
        return writer.writeEntry(buffer, 0, baselines, handle, store, slot, mask, ownEntity);
    }
}
