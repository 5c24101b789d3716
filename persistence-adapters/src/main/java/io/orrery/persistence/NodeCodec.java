/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.persistence;

import io.orrery.core.persistence.NodeRecord;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Binary layout of a {@link NodeRecord} as stored by the key-value adapters (the entity id lives in the key).
 * Little endian:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                         archetypeId                           |  0
 *  +---------------------------------------------------------------+
 *  |                     parentZoneId (int64)                      |  4
 *  +---------------------------------------------------------------+
 *  |                    ownerPlayerId (int64)                      | 12
 *  +---------------------------------------------------------------+
 *  |                 x, y, z (int64 millimetres each)              | 20
 *  +---------------------------------------------------------------+
 *  |              qx, qy, qz, qw, radius (float32 each)            | 44
 *  +---------------+-------------------------------+---------------+
 *  |  flags (bit 0 |   componentStateLength (u16)  | state bytes...  64, 65, 67
 *  | isZone, bit 1 |                               |
 *  | lastApplied)  |                               |
 *  +---------------+-------------------------------+---------------+
 *  |         lastAppliedInputSequence (int64), if flags bit 1      |  67 + componentStateLength
 *  +---------------------------------------------------------------+
 * </pre>
 * The last applied input sequence came later: it follows the state bytes and is announced by flags bit 1, so a
 * record stored before it (bit clear, nothing after the state) still decodes, with a last applied input of 0.
 * Threading: stateless; safe from any thread.
 */
public final class NodeCodec
{
    public static final int ARCHETYPE_OFFSET = 0;
    public static final int PARENT_ZONE_OFFSET = 4;
    public static final int OWNER_OFFSET = 12;
    public static final int X_OFFSET = 20;
    public static final int Y_OFFSET = 28;
    public static final int Z_OFFSET = 36;
    public static final int QX_OFFSET = 44;
    public static final int QY_OFFSET = 48;
    public static final int QZ_OFFSET = 52;
    public static final int QW_OFFSET = 56;
    public static final int RADIUS_OFFSET = 60;
    public static final int FLAGS_OFFSET = 64;
    public static final int STATE_LENGTH_OFFSET = 65;
    public static final int HEADER_LENGTH = 67;
    public static final int LAST_APPLIED_LENGTH = 8;
    public static final int MAX_ENCODED_LENGTH =
        HEADER_LENGTH + NodeRecord.MAX_COMPONENT_STATE_LENGTH + LAST_APPLIED_LENGTH;

    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    private static final int IS_ZONE_FLAG = 1;
    private static final int LAST_APPLIED_FLAG = 2;

    private NodeCodec()
    {
    }

    /**
     * @return the encoded length of the record.
     */
    public static int encodedLength(final NodeRecord node)
    {
        return HEADER_LENGTH + node.componentStateLength + LAST_APPLIED_LENGTH;
    }

    /**
     * Encode everything but the entity id.
     *
     * @return the number of bytes written.
     */
    public static int encode(final NodeRecord node, final MutableDirectBuffer buffer, final int offset)
    {
        buffer.putInt(offset + ARCHETYPE_OFFSET, node.archetypeId, ORDER);
        buffer.putLong(offset + PARENT_ZONE_OFFSET, node.parentZoneId, ORDER);
        buffer.putLong(offset + OWNER_OFFSET, node.ownerPlayerId, ORDER);
        buffer.putLong(offset + X_OFFSET, node.x, ORDER);
        buffer.putLong(offset + Y_OFFSET, node.y, ORDER);
        buffer.putLong(offset + Z_OFFSET, node.z, ORDER);
        buffer.putFloat(offset + QX_OFFSET, node.qx, ORDER);
        buffer.putFloat(offset + QY_OFFSET, node.qy, ORDER);
        buffer.putFloat(offset + QZ_OFFSET, node.qz, ORDER);
        buffer.putFloat(offset + QW_OFFSET, node.qw, ORDER);
        buffer.putFloat(offset + RADIUS_OFFSET, node.radius, ORDER);
        buffer.putByte(offset + FLAGS_OFFSET, (byte)((node.isZone ? IS_ZONE_FLAG : 0) | LAST_APPLIED_FLAG));
        buffer.putShort(offset + STATE_LENGTH_OFFSET, (short)node.componentStateLength, ORDER);
        buffer.putBytes(offset + HEADER_LENGTH, node.componentState, 0, node.componentStateLength);
        buffer.putLong(offset + HEADER_LENGTH + node.componentStateLength, node.lastAppliedInputSequence, ORDER);
        return HEADER_LENGTH + node.componentStateLength + LAST_APPLIED_LENGTH;
    }

    /**
     * Decode into {@code node}, which receives {@code entityId} as its id.
     *
     * @throws IllegalStateException when the stored bytes are not a valid record.
     */
    public static void decode(
        final long entityId, final DirectBuffer buffer, final int offset, final int length, final NodeRecord node)
    {
        if (length < HEADER_LENGTH)
        {
            throw new IllegalStateException("stored node " + entityId + " is truncated: " + length + " bytes");
        }
        final int stateLength = buffer.getShort(offset + STATE_LENGTH_OFFSET, ORDER) & 0xFFFF;
        if (stateLength > NodeRecord.MAX_COMPONENT_STATE_LENGTH || HEADER_LENGTH + stateLength > length)
        {
            throw new IllegalStateException("stored node " + entityId + " has a bad state length " + stateLength);
        }
        final byte flags = buffer.getByte(offset + FLAGS_OFFSET);
        final boolean hasLastApplied = (flags & LAST_APPLIED_FLAG) != 0;
        if (hasLastApplied && HEADER_LENGTH + stateLength + LAST_APPLIED_LENGTH > length)
        {
            throw new IllegalStateException("stored node " + entityId + " is truncated: " + length + " bytes");
        }

        node.entityId = entityId;
        node.archetypeId = buffer.getInt(offset + ARCHETYPE_OFFSET, ORDER);
        node.parentZoneId = buffer.getLong(offset + PARENT_ZONE_OFFSET, ORDER);
        node.ownerPlayerId = buffer.getLong(offset + OWNER_OFFSET, ORDER);
        node.x = buffer.getLong(offset + X_OFFSET, ORDER);
        node.y = buffer.getLong(offset + Y_OFFSET, ORDER);
        node.z = buffer.getLong(offset + Z_OFFSET, ORDER);
        node.qx = buffer.getFloat(offset + QX_OFFSET, ORDER);
        node.qy = buffer.getFloat(offset + QY_OFFSET, ORDER);
        node.qz = buffer.getFloat(offset + QZ_OFFSET, ORDER);
        node.qw = buffer.getFloat(offset + QW_OFFSET, ORDER);
        node.radius = buffer.getFloat(offset + RADIUS_OFFSET, ORDER);
        node.isZone = (flags & IS_ZONE_FLAG) != 0;
        node.componentStateLength = stateLength;
        buffer.getBytes(offset + HEADER_LENGTH, node.componentState, 0, stateLength);
        node.lastAppliedInputSequence = hasLastApplied ?
            buffer.getLong(offset + HEADER_LENGTH + stateLength, ORDER) : 0;
    }
}
