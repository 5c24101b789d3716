/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.wire;

import io.orrery.wire.codec.ActionBitsDecoder;
import io.orrery.wire.codec.ActionBitsEncoder;
import io.orrery.wire.codec.FieldMaskDecoder;
import io.orrery.wire.codec.FieldMaskEncoder;
import io.orrery.wire.codec.QuatFDecoder;
import io.orrery.wire.codec.QuatFEncoder;
import io.orrery.wire.codec.Vec3FDecoder;
import io.orrery.wire.codec.Vec3FEncoder;
import io.orrery.wire.codec.Vec3LDecoder;
import io.orrery.wire.codec.Vec3LEncoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A deterministic stream of boundary values for encoding every field of a message, replayed by a second instance
 * with the same variant to check what was decoded. Over {@link #VARIANTS} variants every field takes every value of
 * its type's table (each table holds at most {@link #VARIANTS} values), so every enum value and the full and empty
 * sets all occur.
 * <p>
 * Threading: one instance per thread; the static pattern buffers are read-only.
 */
final class BoundaryValues
{
    static final int VARIANTS = 16;

    /**
     * Source bytes for binary var data: a field with pattern offset {@code p} and length {@code n} holds
     * {@code BINARY[p .. p + n)}.
     */
    static final UnsafeBuffer BINARY = new UnsafeBuffer(new byte[MessageLayouts.MAX_VAR_DATA_LENGTH + 256]);

    /**
     * Source bytes for ASCII var data, printable characters only.
     */
    static final UnsafeBuffer ASCII = new UnsafeBuffer(new byte[MessageLayouts.MAX_VAR_DATA_LENGTH + 256]);

    private static final long[] LONGS =
    {
        Long.MIN_VALUE, Long.MAX_VALUE, 0L, -1L, 1L, Integer.MIN_VALUE - 1L, 0x0123_4567_89AB_CDEFL, -42L
    };
    private static final int[] INTS = { Integer.MIN_VALUE, Integer.MAX_VALUE, 0, -1, 1, 0x8000, -0x8001 };
    private static final float[] FLOATS =
    {
        Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0.0f, -0.0f, Float.MIN_VALUE, Float.MAX_VALUE,
        -Float.MAX_VALUE, Float.MIN_NORMAL, -1.0f, 1.0f
    };
    private static final int[] UINT16 = { 0, 65534, 1, 0x7FFF, 0x8000 };
    private static final long[] UINT32 = { 0L, 0xFFFF_FFFEL, 1L, 0x7FFF_FFFFL, 0x8000_0000L };
    private static final short[] UINT8 = { 0, 254, 1, 127, 128 };
    private static final int[] BITS = { 0xFF, 0, 0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0x55, 0xAA };

    static
    {
        for (int i = 0; i < BINARY.capacity(); i++)
        {
            BINARY.putByte(i, (byte)(i * 31 + 7));
            ASCII.putByte(i, (byte)(' ' + (i * 7) % 95));
        }
    }

    private final int variant;
    private int index;
    private int patternOffset;

    BoundaryValues(final int variant)
    {
        this.variant = variant;
    }

    static IntStream variants()
    {
        return IntStream.range(0, VARIANTS);
    }

    /**
     * Valid values of a generated enum: all constants but the trailing {@code NULL_VAL}.
     */
    static <E extends Enum<E>> E[] valid(final E[] values)
    {
        assertEquals("NULL_VAL", values[values.length - 1].name());
        return Arrays.copyOf(values, values.length - 1);
    }

    long nextLong()
    {
        return LONGS[next(LONGS.length)];
    }

    int nextInt()
    {
        return INTS[next(INTS.length)];
    }

    float nextFloat()
    {
        return FLOATS[next(FLOATS.length)];
    }

    int nextUint16()
    {
        return UINT16[next(UINT16.length)];
    }

    long nextUint32()
    {
        return UINT32[next(UINT32.length)];
    }

    short nextUint8()
    {
        return UINT8[next(UINT8.length)];
    }

    int nextBits()
    {
        return BITS[next(BITS.length)];
    }

    <E> E nextOf(final E[] values)
    {
        return values[next(values.length)];
    }

    /**
     * Offset into {@link #BINARY} or {@link #ASCII} of the next var-data field, so neighbouring fields differ.
     */
    int nextPatternOffset()
    {
        patternOffset = (patternOffset + 37 + variant) & 0xFF;
        return patternOffset;
    }

    void put(final Vec3LEncoder encoder)
    {
        encoder.x(nextLong()).y(nextLong()).z(nextLong());
    }

    void put(final Vec3FEncoder encoder)
    {
        encoder.x(nextFloat()).y(nextFloat()).z(nextFloat());
    }

    void put(final QuatFEncoder encoder)
    {
        encoder.x(nextFloat()).y(nextFloat()).z(nextFloat()).w(nextFloat());
    }

    void put(final ActionBitsEncoder encoder)
    {
        final int bits = nextBits();
        encoder.clear()
            .primary(isSet(bits, 0))
            .secondary(isSet(bits, 1))
            .jump(isSet(bits, 2))
            .crouch(isSet(bits, 3))
            .sprint(isSet(bits, 4))
            .interact(isSet(bits, 5))
            .reload(isSet(bits, 6))
            .boost(isSet(bits, 7));
    }

    void put(final FieldMaskEncoder encoder)
    {
        final int bits = nextBits();
        encoder.clear()
            .position(isSet(bits, 0))
            .velocity(isSet(bits, 1))
            .orientation(isSet(bits, 2))
            .size(isSet(bits, 3))
            .parentZone(isSet(bits, 4))
            .componentState(isSet(bits, 5))
            .lastAppliedInput(isSet(bits, 6))
            .authorityEpoch(isSet(bits, 7));
    }

    void assertNext(final Vec3LDecoder decoder)
    {
        assertEquals(nextLong(), decoder.x());
        assertEquals(nextLong(), decoder.y());
        assertEquals(nextLong(), decoder.z());
    }

    void assertNext(final Vec3FDecoder decoder)
    {
        assertEquals(nextFloat(), decoder.x());
        assertEquals(nextFloat(), decoder.y());
        assertEquals(nextFloat(), decoder.z());
    }

    void assertNext(final QuatFDecoder decoder)
    {
        assertEquals(nextFloat(), decoder.x());
        assertEquals(nextFloat(), decoder.y());
        assertEquals(nextFloat(), decoder.z());
        assertEquals(nextFloat(), decoder.w());
    }

    void assertNext(final ActionBitsDecoder decoder)
    {
        final int bits = nextBits();
        assertEquals(bits, decoder.getRaw());
        assertEquals(isSet(bits, 0), decoder.primary());
        assertEquals(isSet(bits, 1), decoder.secondary());
        assertEquals(isSet(bits, 2), decoder.jump());
        assertEquals(isSet(bits, 3), decoder.crouch());
        assertEquals(isSet(bits, 4), decoder.sprint());
        assertEquals(isSet(bits, 5), decoder.interact());
        assertEquals(isSet(bits, 6), decoder.reload());
        assertEquals(isSet(bits, 7), decoder.boost());
    }

    void assertNext(final FieldMaskDecoder decoder)
    {
        final int bits = nextBits();
        assertEquals(bits, decoder.getRaw());
        assertEquals(isSet(bits, 0), decoder.position());
        assertEquals(isSet(bits, 1), decoder.velocity());
        assertEquals(isSet(bits, 2), decoder.orientation());
        assertEquals(isSet(bits, 3), decoder.size());
        assertEquals(isSet(bits, 4), decoder.parentZone());
        assertEquals(isSet(bits, 5), decoder.componentState());
        assertEquals(isSet(bits, 6), decoder.lastAppliedInput());
        assertEquals(isSet(bits, 7), decoder.authorityEpoch());
    }

    /**
     * Assert a var-data field read with a {@code wrapXxx(view)} accessor holds the next pattern bytes.
     */
    void assertNextVarData(final DirectBuffer pattern, final int expectedLength, final DirectBuffer actual)
    {
        final int offset = nextPatternOffset();
        assertEquals(expectedLength, actual.capacity());
        for (int i = 0; i < expectedLength; i++)
        {
            if (pattern.getByte(offset + i) != actual.getByte(i))
            {
                assertEquals(pattern.getByte(offset + i), actual.getByte(i), "var data byte " + i);
            }
        }
    }

    private int next(final int length)
    {
        return (variant + index++) % length;
    }

    private static boolean isSet(final int bits, final int bit)
    {
        return (bits & (1 << bit)) != 0;
    }
}
