/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.wire;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Layout of the packed entries inside the {@code entries} var-data block of an {@code EntityUpdatesCompact} message,
 * with the primitives to write them ({@code putXxx}), to check them ({@link #validateEntries}) and to read them
 * ({@link Reader}). Each observer's egress stream is reliable and ordered, so entries are deltas against what the
 * Replication Layer last sent <em>that observer</em> for the same handle (its spawn, then its previous entries).
 * Handles are per Replicant: an entry names the entity the {@code EntitySpawn} of the frame's {@code replicantId}
 * bound to that handle (version 1 frames: Replicant 0), and its baseline is that Replicant's.
 * <pre>
 *   EntityUpdatesCompact = message header (8) | tick uint32 (4) | replicantId uint8 (1, version 2)
 *                          | entries length uint16 (2) | entries ...
 *
 *   entry:
 *   +----------------+------+-----------------------------------------------------------------------+
 *   | handle varuint | mask | fields present in mask, in bit order                                  |
 *   |  (1..3 bytes)  | (1)  |                                                                       |
 *   +----------------+------+-----------------------------------------------------------------------+
 *   bit 0 POSITION       3 x zig-zag varint (1..10 bytes each), x y z: the change since the last position
 *                        sent, in units of {@link #POSITION_UNIT_MM} (1 cm); the absolute position in the
 *                        (new) zone, in millimetres, when bit 4 is set
 *   bit 1 VELOCITY       3 x zig-zag varint, absolute, in units of {@link #VELOCITY_UNIT_MPS} (1 cm/s)
 *   bit 2 ORIENTATION    uint32 little-endian, smallest three: bits 31..30 index of the largest
 *                        component (x y z w = 0..3, made positive), then the other three in x y z w order
 *                        at bits 29..20, 19..10, 9..0, each 10 bits over [-1/sqrt2, 1/sqrt2]
 *   bit 3 SIZE           float32 little-endian radius in metres
 *   bit 4 PARENT_ZONE    varuint (1..10 bytes) zone id; bit 0 is then always set and absolute
 *   bit 5 COMPONENT_STATE  varuint length (1..3 bytes, at most 65,534) then the bytes
 *   bit 6 LAST_APPLIED_INPUT  zig-zag varint: change of lastAppliedInputSequence since the last sent
 *   bit 7 AUTHORITY_EPOCH  varuint, absolute
 * </pre>
 * Mask bits are those of the SBE {@code fieldMask} set (and of the store's change mask). Varints are LEB128: seven
 * bits per byte, least significant group first, high bit set on every byte but the last; zig-zag maps
 * {@code 0, -1, 1, -2, ...} to {@code 0, 1, 2, 3, ...}.
 * <p>
 * <b>Resolution.</b> Deltas are whole centimetres: the sender rounds the change from its baseline (the position the
 * receiver holds) to the nearest centimetre and moves the baseline by exactly what it sent, so the receiver always
 * holds the sender's baseline and the baseline stays within 5 mm of the cache's millimetre value whenever the entity
 * is sent: the error never accumulates. A spawn or a zone change carries the exact millimetres. Velocity is rounded
 * to 1 cm/s,
 * orientation to 10 bits per component (at most 0.0007 per sent component, 0.003 on the rebuilt largest one,
 * a few tenths of a degree).
 * <p>
 * <b>Threading:</b> stateless statics, safe from any thread; a {@link Reader} is single threaded. Nothing allocates.
 */
public final class CompactUpdates
{
    public static final int POSITION = EntityFields.POSITION;
    public static final int VELOCITY = EntityFields.VELOCITY;
    public static final int ORIENTATION = EntityFields.ORIENTATION;
    public static final int SIZE = EntityFields.SIZE;
    public static final int PARENT_ZONE = EntityFields.PARENT_ZONE;
    public static final int COMPONENT_STATE = EntityFields.COMPONENT_STATE;
    public static final int LAST_APPLIED_INPUT = EntityFields.LAST_APPLIED_INPUT;
    public static final int AUTHORITY_EPOCH = EntityFields.AUTHORITY_EPOCH;

    /**
     * Handles are below this (at most three varint bytes).
     */
    public static final int MAX_HANDLE = (1 << 21) - 1;

    /**
     * Position delta resolution: millimetres in one unit of a position delta.
     */
    public static final int POSITION_UNIT_MM = 10;

    /**
     * Most a receiver's position is off the sender's cache after an entry (half a delta unit), in millimetres.
     */
    public static final int POSITION_TOLERANCE_MM = POSITION_UNIT_MM / 2;

    /**
     * Velocity resolution: one unit of a velocity field.
     */
    public static final double VELOCITY_UNIT_MPS = 0.01;

    /**
     * Most bytes one entry can take besides its component state.
     */
    public static final int MAX_ENTRY_BASE_LENGTH = 3 + 1 + 30 + 30 + 4 + 4 + 10 + 3 + 10 + 10;

    /**
     * Bytes of an EntityUpdatesCompact message around its entries: header, tick, var-data length.
     */
    public static final int MESSAGE_OVERHEAD = 8 + 4 + 1 + 2;

    private static final int MAX_VARINT_LENGTH = 10;
    private static final int MAX_SHORT_VARINT_LENGTH = 3;
    private static final int MAX_STATE_LENGTH = 65534;
    private static final float SMALLEST_THREE_RANGE = 0.70710678f;
    private static final float SMALLEST_THREE_SCALE = 1023f / (2f * SMALLEST_THREE_RANGE);
    private static final int[] ESTIMATED_LENGTH = new int[256];

    static
    {
        for (int mask = 0; mask < 256; mask++)
        {
            int length = 2;
            length += 0 != (mask & POSITION) || 0 != (mask & PARENT_ZONE) ? 6 : 0;
            length += 0 != (mask & VELOCITY) ? 6 : 0;
            length += 0 != (mask & ORIENTATION) ? 4 : 0;
            length += 0 != (mask & SIZE) ? 4 : 0;
            length += 0 != (mask & PARENT_ZONE) ? 6 + 4 : 0;
            length += 0 != (mask & COMPONENT_STATE) ? 2 : 0;
            length += 0 != (mask & LAST_APPLIED_INPUT) ? 1 : 0;
            length += 0 != (mask & AUTHORITY_EPOCH) ? 3 : 0;
            ESTIMATED_LENGTH[mask] = length;
        }
    }

    private CompactUpdates()
    {
    }

    /**
     * Typical length of an entry with these fields (small handle, movement of a few metres), for budgeting: the
     * real length depends on the values and may be larger or smaller.
     *
     * @param mask        the fields.
     * @param stateLength component state bytes if {@link #COMPONENT_STATE} is set.
     * @return estimated bytes.
     */
    public static int estimatedEntryLength(final int mask, final int stateLength)
    {
        return ESTIMATED_LENGTH[mask & 0xFF] + (0 != (mask & COMPONENT_STATE) ? stateLength : 0);
    }

    // ------------------------------------------------------------------ writing

    /**
     * @return the index after the varint.
     */
    public static int putVarUInt(final MutableDirectBuffer buffer, final int index, final long value)
    {
        int i = index;
        long v = value;
        while ((v & ~0x7FL) != 0)
        {
            buffer.putByte(i++, (byte)((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        buffer.putByte(i++, (byte)v);
        return i;
    }

    /**
     * @return the index after the zig-zag varint.
     */
    public static int putVarSInt(final MutableDirectBuffer buffer, final int index, final long value)
    {
        return putVarUInt(buffer, index, (value << 1) ^ (value >> 63));
    }

    /**
     * The delta to send for a change of {@code changeMm} from the baseline: the nearest whole unit.
     *
     * @return units of {@link #POSITION_UNIT_MM}.
     */
    public static long positionDelta(final long changeMm)
    {
        return Math.floorDiv(changeMm + POSITION_UNIT_MM / 2, POSITION_UNIT_MM);
    }

    /**
     * Velocity in m/s to its units, rounded, saturating at the int range.
     */
    public static int quantiseVelocity(final float metresPerSecond)
    {
        return Math.round(metresPerSecond * 100f);
    }

    public static float velocityOf(final int units)
    {
        return (float)(units * VELOCITY_UNIT_MPS);
    }

    /**
     * Pack a unit quaternion as smallest three (see the class Javadoc). A zero or non-finite quaternion packs as
     * the identity.
     */
    public static int packOrientation(final float x, final float y, final float z, final float w)
    {
        final float ax = Math.abs(x);
        final float ay = Math.abs(y);
        final float az = Math.abs(z);
        final float aw = Math.abs(w);
        int largest = 3;
        float max = aw;
        if (az > max)
        {
            largest = 2;
            max = az;
        }
        if (ay > max)
        {
            largest = 1;
            max = ay;
        }
        if (ax > max)
        {
            largest = 0;
            max = ax;
        }
        if (!(max > 0f) || Float.isInfinite(max))
        {
            return 3 << 30 | pack10(0f) << 20 | pack10(0f) << 10 | pack10(0f);
        }

        final float largestValue = 0 == largest ? x : 1 == largest ? y : 2 == largest ? z : w;
        final float sign = largestValue < 0f ? -1f : 1f;
        final float scale = sign * (float)(1.0 / Math.sqrt((double)x * x + (double)y * y + (double)z * z +
            (double)w * w));
        int packed = largest << 30;
        int shift = 20;
        for (int c = 0; c < 4; c++)
        {
            if (c != largest)
            {
                final float value = 0 == c ? x : 1 == c ? y : 2 == c ? z : w;
                packed |= pack10(value * scale) << shift;
                shift -= 10;
            }
        }
        return packed;
    }

    /**
     * One component of a packed orientation.
     *
     * @param packed    from {@link #packOrientation}.
     * @param component 0 x, 1 y, 2 z, 3 w.
     */
    public static float orientationComponent(final int packed, final int component)
    {
        final int largest = packed >>> 30;
        if (component != largest)
        {
            final int position = component < largest ? component : component - 1;
            return unpack10(packed >>> (20 - 10 * position));
        }
        final float a = unpack10(packed >>> 20);
        final float b = unpack10(packed >>> 10);
        final float c = unpack10(packed);
        return (float)Math.sqrt(Math.max(0.0, 1.0 - a * a - b * b - c * c));
    }

    private static int pack10(final float value)
    {
        final float clamped = Math.max(-SMALLEST_THREE_RANGE, Math.min(SMALLEST_THREE_RANGE, value));
        return Math.round((clamped + SMALLEST_THREE_RANGE) * SMALLEST_THREE_SCALE) & 0x3FF;
    }

    private static float unpack10(final int bits)
    {
        return (bits & 0x3FF) / SMALLEST_THREE_SCALE - SMALLEST_THREE_RANGE;
    }

    // ------------------------------------------------------------------ validation

    /**
     * Check that a block is a whole number of well-formed entries: every varint ends within its maximum length
     * and the block, handles fit {@link #MAX_HANDLE}, component state lengths are within the schema's maximum and
     * the block. Whether a handle was ever spawned is the receiver's concern.
     *
     * @return the number of entries, or {@link ValidationReason#MALFORMED_COMPACT_ENTRY}.
     */
    public static int validateEntries(final DirectBuffer buffer, final int offset, final int length)
    {
        final int end = offset + length;
        int position = offset;
        int entries = 0;
        while (position < end)
        {
            final long handle = varUIntOrNegative(buffer, position, end, MAX_SHORT_VARINT_LENGTH);
            if (handle < 0)
            {
                return ValidationReason.MALFORMED_COMPACT_ENTRY;
            }
            position += (int)(handle >>> 32);
            if ((handle & 0xFFFF_FFFFL) > MAX_HANDLE || position >= end)
            {
                return ValidationReason.MALFORMED_COMPACT_ENTRY;
            }
            final int mask = buffer.getByte(position++) & 0xFF;
            position = skipFields(buffer, position, end, mask);
            if (position < 0)
            {
                return ValidationReason.MALFORMED_COMPACT_ENTRY;
            }
            entries++;
        }
        return entries;
    }

    private static int skipFields(final DirectBuffer buffer, final int start, final int end, final int mask)
    {
        int position = start;
        if (0 != (mask & POSITION))
        {
            position = skipVarInts(buffer, position, end, 3);
        }
        if (position >= 0 && 0 != (mask & VELOCITY))
        {
            position = skipVarInts(buffer, position, end, 3);
        }
        if (position >= 0 && 0 != (mask & ORIENTATION))
        {
            position = end - position >= 4 ? position + 4 : -1;
        }
        if (position >= 0 && 0 != (mask & SIZE))
        {
            position = end - position >= 4 ? position + 4 : -1;
        }
        if (position >= 0 && 0 != (mask & PARENT_ZONE))
        {
            position = 0 != (mask & POSITION) ? skipVarInts(buffer, position, end, 1) : -1;
        }
        if (position >= 0 && 0 != (mask & COMPONENT_STATE))
        {
            final long stateLength = varUIntOrNegative(buffer, position, end, MAX_SHORT_VARINT_LENGTH);
            if (stateLength < 0)
            {
                return -1;
            }
            position += (int)(stateLength >>> 32);
            final long value = stateLength & 0xFFFF_FFFFL;
            position = value <= MAX_STATE_LENGTH && value <= end - position ? position + (int)value : -1;
        }
        if (position >= 0 && 0 != (mask & LAST_APPLIED_INPUT))
        {
            position = skipVarInts(buffer, position, end, 1);
        }
        if (position >= 0 && 0 != (mask & AUTHORITY_EPOCH))
        {
            position = skipVarInts(buffer, position, end, 1);
        }
        return position;
    }

    static int skipVarInts(final DirectBuffer buffer, final int start, final int end, final int count)
    {
        int position = start;
        for (int n = 0; n < count; n++)
        {
            int i = 0;
            while (true)
            {
                if (position >= end || i == MAX_VARINT_LENGTH)
                {
                    return -1;
                }
                final int b = buffer.getByte(position++) & 0xFF;
                if (MAX_VARINT_LENGTH - 1 == i && b > 1)
                {
                    return -1;
                }
                i++;
                if (0 == (b & 0x80))
                {
                    break;
                }
            }
        }
        return position;
    }

    /**
     * A short varint: length in the high 32 bits, value in the low 32, or -1 if it does not end within
     * {@code maxBytes} and the block.
     */
    static long varUIntOrNegative(final DirectBuffer buffer, final int start, final int end, final int maxBytes)
    {
        long value = 0;
        for (int i = 0; i < maxBytes; i++)
        {
            if (start + i >= end)
            {
                return -1;
            }
            final int b = buffer.getByte(start + i) & 0xFF;
            value |= (long)(b & 0x7F) << (7 * i);
            if (0 == (b & 0x80))
            {
                return (long)(i + 1) << 32 | value;
            }
        }
        return -1;
    }

    // ------------------------------------------------------------------ reading

    /**
     * Flyweight over a validated entries block: {@link #next()} reads one entry into its fields. Reading an
     * unvalidated block never goes outside {@code [offset, offset + length)} of a bounds-checked buffer, but may
     * return garbage.
     * <p>
     * Threading: single threaded; reuse one reader.
     */
    public static final class Reader extends VarIntCursor
    {
        private int handle;
        private int mask;
        private long positionX;
        private long positionY;
        private long positionZ;
        private int velocityX;
        private int velocityY;
        private int velocityZ;
        private int orientation;
        private float radius;
        private long parentZoneId;
        private int stateOffset;
        private int stateLength;
        private long lastAppliedInputDelta;
        private long authorityEpoch;

        public Reader wrap(final DirectBuffer buffer, final int offset, final int length)
        {
            wrapBlock(buffer, offset, length);
            return this;
        }

        public boolean hasNext()
        {
            return position < end;
        }

        /**
         * Read the next entry; fields absent from its mask keep older values.
         */
        public Reader next()
        {
            handle = (int)readVarUInt();
            mask = buffer.getByte(position++) & 0xFF;
            if (0 != (mask & POSITION))
            {
                positionX = readVarSInt();
                positionY = readVarSInt();
                positionZ = readVarSInt();
            }
            if (0 != (mask & VELOCITY))
            {
                velocityX = (int)readVarSInt();
                velocityY = (int)readVarSInt();
                velocityZ = (int)readVarSInt();
            }
            if (0 != (mask & ORIENTATION))
            {
                orientation = buffer.getInt(position, ByteOrder.LITTLE_ENDIAN);
                position += 4;
            }
            if (0 != (mask & SIZE))
            {
                radius = buffer.getFloat(position, ByteOrder.LITTLE_ENDIAN);
                position += 4;
            }
            if (0 != (mask & PARENT_ZONE))
            {
                parentZoneId = readVarUInt();
            }
            if (0 != (mask & COMPONENT_STATE))
            {
                stateLength = (int)readVarUInt();
                stateOffset = position;
                position += stateLength;
            }
            if (0 != (mask & LAST_APPLIED_INPUT))
            {
                lastAppliedInputDelta = readVarSInt();
            }
            if (0 != (mask & AUTHORITY_EPOCH))
            {
                authorityEpoch = readVarUInt();
            }
            return this;
        }

        public int handle()
        {
            return handle;
        }

        public int mask()
        {
            return mask;
        }

        /**
         * @return a change in units of {@link #POSITION_UNIT_MM}, or millimetres absolute if {@link #PARENT_ZONE} is
         * in the mask.
         */
        public long positionX()
        {
            return positionX;
        }

        public long positionY()
        {
            return positionY;
        }

        public long positionZ()
        {
            return positionZ;
        }

        /**
         * @return units of {@link #VELOCITY_UNIT_MPS}.
         */
        public int velocityX()
        {
            return velocityX;
        }

        public int velocityY()
        {
            return velocityY;
        }

        public int velocityZ()
        {
            return velocityZ;
        }

        /**
         * @return packed smallest three; see {@link CompactUpdates#orientationComponent(int, int)}.
         */
        public int orientation()
        {
            return orientation;
        }

        public float radius()
        {
            return radius;
        }

        public long parentZoneId()
        {
            return parentZoneId;
        }

        public DirectBuffer buffer()
        {
            return buffer;
        }

        public int stateOffset()
        {
            return stateOffset;
        }

        public int stateLength()
        {
            return stateLength;
        }

        public long lastAppliedInputDelta()
        {
            return lastAppliedInputDelta;
        }

        public long authorityEpoch()
        {
            return authorityEpoch;
        }
    }
}
