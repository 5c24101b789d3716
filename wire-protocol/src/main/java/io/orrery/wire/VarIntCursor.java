/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.wire;

import org.agrona.DirectBuffer;

/**
 * A read position over a block of LEB128 varints (see {@link CompactUpdates}), shared by the readers of packed
 * blocks. Never reads outside {@code [position, end)}: a varint cut short by the end reads as what was there.
 * <p>
 * Threading: single threaded.
 */
abstract class VarIntCursor
{
    DirectBuffer buffer;
    int position;
    int end;

    final void wrapBlock(final DirectBuffer buffer, final int offset, final int length)
    {
        this.buffer = buffer;
        this.position = offset;
        this.end = offset + length;
    }

    final long readVarUInt()
    {
        long value = 0;
        int shift = 0;
        while (position < end && shift < 64)
        {
            final int b = buffer.getByte(position++) & 0xFF;
            value |= (long)(b & 0x7F) << shift;
            if (0 == (b & 0x80))
            {
                break;
            }
            shift += 7;
        }
        return value;
    }

    final long readVarSInt()
    {
        final long v = readVarUInt();
        return (v >>> 1) ^ -(v & 1);
    }
}
