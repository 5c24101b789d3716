/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.wire;

import io.orrery.wire.codec.EntityUpdatesCompactEncoder;
import io.orrery.wire.codec.MessageHeaderEncoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packed entries of {@code EntityUpdatesCompact}: varints, smallest three, entries that round trip, and every
 * malformed block rejected by the validator.
 */
final class CompactUpdatesTest
{
    private final UnsafeBuffer block = new UnsafeBuffer(new byte[4096]);
    private final UnsafeBuffer message = new UnsafeBuffer(new byte[8192]);
    private final CompactUpdates.Reader reader = new CompactUpdates.Reader();

    @Test
    void shouldRoundTripVarIntsWhenValuesSpanTheLongRange()
    {
        final long[] values = { 0, 1, -1, 63, -64, 64, 8191, -8192, 1L << 40, Long.MAX_VALUE, Long.MIN_VALUE };
        for (final long value : values)
        {
            final int end = CompactUpdates.putVarSInt(block, 1, value);
            block.putByte(0, (byte)0);
            final int length = CompactUpdates.putVarUInt(block, 0, 0);
            assertEquals(1, length);
            block.putByte(0, (byte)0);
            block.putByte(1 - 1, (byte)0);
            final int entryEnd = writeEntry(0, 5, CompactUpdates.POSITION, value, 0, 0);
            reader.wrap(block, 0, entryEnd).next();
            assertEquals(value, reader.positionX(), "value " + value);
            assertTrue(end > 1);
        }
        assertEquals(1, CompactUpdates.putVarSInt(block, 0, -1));
        assertEquals(2, CompactUpdates.putVarSInt(block, 0, 64));
        assertEquals(10, CompactUpdates.putVarSInt(block, 0, Long.MIN_VALUE));
    }

    @Test
    void shouldRoundPositionChangesToTheNearestUnitWhenComputingDeltas()
    {
        assertEquals(0, CompactUpdates.positionDelta(0));
        assertEquals(0, CompactUpdates.positionDelta(4));
        assertEquals(1, CompactUpdates.positionDelta(5));
        assertEquals(0, CompactUpdates.positionDelta(-5));
        assertEquals(-1, CompactUpdates.positionDelta(-6));
        assertEquals(17, CompactUpdates.positionDelta(167));
        assertEquals(-17, CompactUpdates.positionDelta(-167));
        final SplittableRandom random = new SplittableRandom(5);
        long baseline = 0;
        long position = 0;
        for (int i = 0; i < 100_000; i++)
        {
            position += random.nextLong(-400, 400);
            baseline += CompactUpdates.positionDelta(position - baseline) * CompactUpdates.POSITION_UNIT_MM;
            assertTrue(Math.abs(position - baseline) <= CompactUpdates.POSITION_TOLERANCE_MM, "step " + i);
        }
    }

    @Test
    void shouldKeepOrientationWithinResolutionWhenPackedAsSmallestThree()
    {
        final SplittableRandom random = new SplittableRandom(13);
        for (int i = 0; i < 10_000; i++)
        {
            double x = random.nextDouble(-1, 1);
            double y = random.nextDouble(-1, 1);
            double z = random.nextDouble(-1, 1);
            double w = random.nextDouble(-1, 1);
            final double n = Math.sqrt(x * x + y * y + z * z + w * w);
            x /= n;
            y /= n;
            z /= n;
            w /= n;
            final int packed = CompactUpdates.packOrientation((float)x, (float)y, (float)z, (float)w);
            final double sign = Math.signum(largest(x, y, z, w));
            final double[] expected = { x * sign, y * sign, z * sign, w * sign };
            for (int c = 0; c < 4; c++)
            {
                final double tolerance = c == (packed >>> 30) ? 0.003 : 0.0007;
                assertEquals(expected[c], CompactUpdates.orientationComponent(packed, c), tolerance,
                    "component " + c + " of " + x + " " + y + " " + z + " " + w);
            }
        }
        final int identity = CompactUpdates.packOrientation(0, 0, 0, 1);
        assertEquals(1.0f, CompactUpdates.orientationComponent(identity, 3), 1e-6);
        assertEquals(0.0f, CompactUpdates.orientationComponent(identity, 0), 0.001);
    }

    @Test
    void shouldRoundTripEveryFieldWhenEntriesArePacked()
    {
        int position = 0;
        position = writeEntry(position, 3, CompactUpdates.POSITION | CompactUpdates.VELOCITY, 150, -2, 0);
        position = CompactUpdates.putVarUInt(block, position, 200);
        block.putByte(position++, (byte)0xFF);
        position = CompactUpdates.putVarSInt(block, position, 1_000_000);
        position = CompactUpdates.putVarSInt(block, position, -5);
        position = CompactUpdates.putVarSInt(block, position, 0);
        position = CompactUpdates.putVarSInt(block, position, 250);
        position = CompactUpdates.putVarSInt(block, position, -250);
        position = CompactUpdates.putVarSInt(block, position, 1);
        block.putInt(position, CompactUpdates.packOrientation(0, 0, 0, 1), ByteOrder.LITTLE_ENDIAN);
        position += 4;
        block.putFloat(position, 2.5f, ByteOrder.LITTLE_ENDIAN);
        position += 4;
        position = CompactUpdates.putVarUInt(block, position, 77);
        position = CompactUpdates.putVarUInt(block, position, 3);
        block.putBytes(position, new byte[]{ 9, 8, 7 });
        position += 3;
        position = CompactUpdates.putVarSInt(block, position, 2);
        position = CompactUpdates.putVarUInt(block, position, 12);

        assertEquals(2, CompactUpdates.validateEntries(block, 0, position));
        reader.wrap(block, 0, position);
        assertTrue(reader.hasNext());
        reader.next();
        assertEquals(3, reader.handle());
        assertEquals(CompactUpdates.POSITION | CompactUpdates.VELOCITY, reader.mask());
        assertEquals(150, reader.positionX());
        assertEquals(-2, reader.positionY());
        reader.next();
        assertEquals(200, reader.handle());
        assertEquals(1_000_000, reader.positionX());
        assertEquals(-5, reader.positionY());
        assertEquals(250, reader.velocityX());
        assertEquals(-250, reader.velocityY());
        assertEquals(1, reader.velocityZ());
        assertEquals(2.5f, reader.radius());
        assertEquals(77, reader.parentZoneId());
        assertEquals(3, reader.stateLength());
        assertEquals(8, block.getByte(reader.stateOffset() + 1));
        assertEquals(2, reader.lastAppliedInputDelta());
        assertEquals(12, reader.authorityEpoch());
        assertFalse(reader.hasNext());
    }

    @Test
    void shouldValidateMessageWhenEntriesAreWellFormed()
    {
        final int entriesLength = writeEntry(0, 1, CompactUpdates.POSITION, 10, 20, 30);
        final int length = encodeMessage(entriesLength);
        assertEquals(length, MessageValidator.validate(message, 0, length));
    }

    @Test
    void shouldRejectWhenEntryIsTruncatedAnywhere()
    {
        final int full = writeEntry(0, 300, 0xFF & ~CompactUpdates.COMPONENT_STATE, -100_000, 5, 1L << 50);
        for (int cut = 1; cut < full; cut++)
        {
            final int length = encodeMessage(cut);
            assertEquals(ValidationReason.MALFORMED_COMPACT_ENTRY, MessageValidator.validate(message, 0, length),
                "cut at " + cut);
        }
        assertEquals(encodeMessage(full), MessageValidator.validate(message, 0, encodeMessage(full)));
    }

    @Test
    void shouldRejectWhenVarIntRunsPastItsMaximumLength()
    {
        int position = 0;
        position = CompactUpdates.putVarUInt(block, position, 1);
        block.putByte(position++, (byte)CompactUpdates.POSITION);
        for (int i = 0; i < 11; i++)
        {
            block.putByte(position++, (byte)0x80);
        }
        block.putByte(position++, (byte)0);
        block.putByte(position++, (byte)0);
        block.putByte(position++, (byte)0);
        assertEquals(ValidationReason.MALFORMED_COMPACT_ENTRY, CompactUpdates.validateEntries(block, 0, position));
    }

    @Test
    void shouldRejectWhenHandleTooLargeOrStateRunsPastTheBlock()
    {
        int position = CompactUpdates.putVarUInt(block, 0, CompactUpdates.MAX_HANDLE + 1L);
        block.putByte(position++, (byte)0);
        assertEquals(ValidationReason.MALFORMED_COMPACT_ENTRY, CompactUpdates.validateEntries(block, 0, position));

        position = CompactUpdates.putVarUInt(block, 0, 1);
        block.putByte(position++, (byte)CompactUpdates.COMPONENT_STATE);
        position = CompactUpdates.putVarUInt(block, position, 10);
        position += 9;
        assertEquals(ValidationReason.MALFORMED_COMPACT_ENTRY, CompactUpdates.validateEntries(block, 0, position));
        assertEquals(1, CompactUpdates.validateEntries(block, 0, position + 1));

        position = CompactUpdates.putVarUInt(block, 0, 1);
        block.putByte(position++, (byte)CompactUpdates.PARENT_ZONE);
        position = CompactUpdates.putVarUInt(block, position, 10);
        assertEquals(ValidationReason.MALFORMED_COMPACT_ENTRY, CompactUpdates.validateEntries(block, 0, position),
            "a zone change without its absolute position");
    }

    private int writeEntry(final int start, final int handle, final int mask, final long x, final long y, final long z)
    {
        int position = CompactUpdates.putVarUInt(block, start, handle);
        block.putByte(position++, (byte)mask);
        if (0 != (mask & CompactUpdates.POSITION))
        {
            position = CompactUpdates.putVarSInt(block, position, x);
            position = CompactUpdates.putVarSInt(block, position, y);
            position = CompactUpdates.putVarSInt(block, position, z);
        }
        if (0 != (mask & CompactUpdates.VELOCITY))
        {
            position = CompactUpdates.putVarSInt(block, position, 100);
            position = CompactUpdates.putVarSInt(block, position, 0);
            position = CompactUpdates.putVarSInt(block, position, -100);
        }
        if (0 != (mask & CompactUpdates.ORIENTATION))
        {
            block.putInt(position, 0, ByteOrder.LITTLE_ENDIAN);
            position += 4;
        }
        if (0 != (mask & CompactUpdates.SIZE))
        {
            block.putFloat(position, 1f, ByteOrder.LITTLE_ENDIAN);
            position += 4;
        }
        if (0 != (mask & CompactUpdates.PARENT_ZONE))
        {
            position = CompactUpdates.putVarUInt(block, position, Long.MAX_VALUE);
        }
        if (0 != (mask & CompactUpdates.LAST_APPLIED_INPUT))
        {
            position = CompactUpdates.putVarSInt(block, position, 1);
        }
        if (0 != (mask & CompactUpdates.AUTHORITY_EPOCH))
        {
            position = CompactUpdates.putVarUInt(block, position, -1L);
        }
        return position;
    }

    private int encodeMessage(final int entriesLength)
    {
        final EntityUpdatesCompactEncoder encoder = new EntityUpdatesCompactEncoder()
            .wrapAndApplyHeader(message, 0, new MessageHeaderEncoder())
            .tick(42)
            .putEntries(block, 0, entriesLength);
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    private static double largest(final double x, final double y, final double z, final double w)
    {
        double best = x;
        for (final double c : new double[]{ y, z, w })
        {
            if (Math.abs(c) > Math.abs(best))
            {
                best = c;
            }
        }
        return best;
    }
}
