/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.wire;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * The regions of a valid message, in order: header, root block, group headers, entry blocks, var-data length
 * prefixes and var-data bytes, each with the reason the validator must give when the message is cut inside it.
 * Also rewrites a message as a newer version would send it, with every block widened.
 * <p>
 * Threading: one instance per thread.
 */
final class MessageLandmarks
{
    static final int HEADER = 0;
    static final int BLOCK = 1;
    static final int GROUP_HEADER = 2;
    static final int ENTRY = 3;
    static final int VAR_HEADER = 4;
    static final int VAR_BYTES = 5;

    private static final int CAPACITY = 64 * 1024;

    final int[] kind = new int[CAPACITY];
    final int[] position = new int[CAPACITY];
    final int[] size = new int[CAPACITY];
    int count;

    /**
     * Walk a valid message at {@code offset}; positions are relative to {@code offset}.
     *
     * @return the message length.
     */
    int walk(final DirectBuffer buffer, final int offset)
    {
        count = 0;
        final int blockLength = uint16(buffer, offset);
        final int templateId = uint16(buffer, offset + 2);
        add(HEADER, 0, MessageFraming.HEADER_LENGTH);
        add(BLOCK, MessageFraming.HEADER_LENGTH, blockLength);
        int p = MessageFraming.HEADER_LENGTH + blockLength;

        final int first = MessageLayouts.firstElement(templateId);
        for (int element = first; element < first + MessageLayouts.elementCount(templateId); element++)
        {
            if (MessageLayouts.kind(element) == MessageLayouts.GROUP)
            {
                final int entryBlockLength = uint16(buffer, offset + p);
                final int entries = uint16(buffer, offset + p + 2);
                add(GROUP_HEADER, p, MessageFraming.GROUP_HEADER_LENGTH);
                p += MessageFraming.GROUP_HEADER_LENGTH;
                for (int i = 0; i < entries; i++)
                {
                    add(ENTRY, p, entryBlockLength);
                    p += entryBlockLength;
                    for (int v = 0; v < MessageLayouts.groupEntryVarDataCount(element); v++)
                    {
                        p = addVarData(buffer, offset, p);
                    }
                }
            }
            else
            {
                p = addVarData(buffer, offset, p);
            }
        }

        return p;
    }

    /**
     * Reason the validator gives for the walked message cut to {@code length} bytes.
     */
    int truncationReason(final int length)
    {
        for (int i = 0; i < count; i++)
        {
            if (length >= position[i] && length < position[i] + size[i])
            {
                switch (kind[i])
                {
                    case HEADER: return ValidationReason.TOO_SHORT_FOR_HEADER;
                    case BLOCK: return ValidationReason.TRUNCATED_BLOCK;
                    case GROUP_HEADER: return ValidationReason.TRUNCATED_GROUP_HEADER;
                    case ENTRY: return ValidationReason.TRUNCATED_GROUP;
                    case VAR_HEADER: return ValidationReason.TRUNCATED_VAR_DATA_HEADER;
                    default: return ValidationReason.TRUNCATED_VAR_DATA;
                }
            }
        }

        throw new IllegalArgumentException("length " + length + " is not inside the message");
    }

    /**
     * Copy the walked message as version {@code version} would send it: every root and entry block followed by
     * {@code extra} zero bytes and the block lengths in the headers adjusted.
     *
     * @return the length of the copy.
     */
    int widen(
        final DirectBuffer src,
        final int srcOffset,
        final MutableDirectBuffer dst,
        final int dstOffset,
        final int version,
        final int extra)
    {
        int d = dstOffset;
        for (int i = 0; i < count; i++)
        {
            final int s = srcOffset + position[i];
            dst.putBytes(d, src, s, size[i]);
            switch (kind[i])
            {
                case HEADER:
                    dst.putShort(d, (short)(uint16(src, s) + extra), LITTLE_ENDIAN);
                    dst.putShort(d + 6, (short)version, LITTLE_ENDIAN);
                    break;
                case GROUP_HEADER:
                    dst.putShort(d, (short)(uint16(src, s) + extra), LITTLE_ENDIAN);
                    break;
                case BLOCK:
                case ENTRY:
                    dst.setMemory(d + size[i], extra, (byte)0);
                    d += extra;
                    break;
                default:
                    break;
            }
            d += size[i];
        }

        return d - dstOffset;
    }

    private int addVarData(final DirectBuffer buffer, final int offset, final int p)
    {
        final int length = uint16(buffer, offset + p);
        add(VAR_HEADER, p, MessageFraming.VAR_DATA_HEADER_LENGTH);
        add(VAR_BYTES, p + MessageFraming.VAR_DATA_HEADER_LENGTH, length);

        return p + MessageFraming.VAR_DATA_HEADER_LENGTH + length;
    }

    private void add(final int landmarkKind, final int landmarkPosition, final int landmarkSize)
    {
        kind[count] = landmarkKind;
        position[count] = landmarkPosition;
        size[count] = landmarkSize;
        count++;
    }

    static int uint16(final DirectBuffer buffer, final int index)
    {
        return buffer.getShort(index, LITTLE_ENDIAN) & 0xFFFF;
    }
}
