/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.persistence;

import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;

/**
 * Layout of a completion record in Scribe's completion ring (an Agrona {@code OneToOneRingBuffer}, consumer thread
 * to producer thread), little endian:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                         operation id                          |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                        correlation id                         |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                             value                             |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                        operation type                         |
 *  +---------------------------------------------------------------+
 *  |                            status                             |
 *  +---------------------------------------------------------------+
 *  |                         first status                          |
 *  +---------------------------------------------------------------+
 * </pre>
 * A record of type {@link #MSG_TYPE_ID_WITH_NODE} (an applied unstow) is followed by the node the unstow inserted
 * into the graph:
 * <pre>
 *  36 entity id (8) | 44 parent zone id (8) | 52 owner player id (8) | 60 x (8) | 68 y (8) | 76 z (8) |
 *  84 qx (4) | 88 qy (4) | 92 qz (4) | 96 qw (4) | 100 radius (4) | 104 archetype id (4) | 108 is zone (4) |
 *  112 component state length (4) | 116 component state (length bytes)
 * </pre>
 */
final class CompletionDescriptor
{
    static final int MSG_TYPE_ID = 1;
    static final int OPERATION_ID_OFFSET = 0;
    static final int CORRELATION_ID_OFFSET = 8;
    static final int VALUE_OFFSET = 16;
    static final int TYPE_OFFSET = 24;
    static final int STATUS_OFFSET = 28;
    static final int FIRST_STATUS_OFFSET = 32;
    static final int LENGTH = 36;

    static final int MSG_TYPE_ID_WITH_NODE = 2;
    /** Load ring: one loaded node (correlation id at {@link #CORRELATION_ID_OFFSET}, node as with a completion). */
    static final int MSG_TYPE_ID_LOADED_NODE = 3;
    /** Load ring: a region load is complete (correlation id, node count at {@link #VALUE_OFFSET}). */
    static final int MSG_TYPE_ID_LOAD_COMPLETE = 4;
    static final int MAX_RING_CAPACITY = 1 << 30;
    static final int NODE_ENTITY_ID_OFFSET = 36;
    static final int NODE_PARENT_ZONE_ID_OFFSET = 44;
    static final int NODE_OWNER_OFFSET = 52;
    static final int NODE_X_OFFSET = 60;
    static final int NODE_Y_OFFSET = 68;
    static final int NODE_Z_OFFSET = 76;
    static final int NODE_QX_OFFSET = 84;
    static final int NODE_QY_OFFSET = 88;
    static final int NODE_QZ_OFFSET = 92;
    static final int NODE_QW_OFFSET = 96;
    static final int NODE_RADIUS_OFFSET = 100;
    static final int NODE_ARCHETYPE_OFFSET = 104;
    static final int NODE_IS_ZONE_OFFSET = 108;
    static final int NODE_STATE_LENGTH_OFFSET = 112;
    static final int NODE_STATE_OFFSET = 116;
    static final int MAX_LENGTH_WITH_NODE = NODE_STATE_OFFSET + NodeRecord.MAX_COMPONENT_STATE_LENGTH;

    /** Space the largest record (one with a node) takes in the ring, header and alignment included. */
    static final int RECORD_SPACE = BitUtil.align(
        RecordDescriptor.HEADER_LENGTH + MAX_LENGTH_WITH_NODE, RecordDescriptor.ALIGNMENT);

    private CompletionDescriptor()
    {
    }

    /**
     * @return ring capacity (a power of two, trailer excluded) that holds {@code records} completions at once,
     * whatever the wrap position.
     */
    static int ringCapacity(final int records)
    {
        final long bytes = (long)(records + 2) * RECORD_SPACE;
        if (bytes > MAX_RING_CAPACITY)
        {
            throw new IllegalArgumentException("completion ring for " + records + " records exceeds 1 GiB");
        }
        return BitUtil.findNextPositivePowerOfTwo((int)bytes);
    }

    /**
     * Write a node after the fixed part of a record at {@code index}.
     *
     * @return the record length.
     */
    static int encodeNode(final MutableDirectBuffer buffer, final int index, final NodeRecord node)
    {
        buffer.putLong(index + NODE_ENTITY_ID_OFFSET, node.entityId);
        buffer.putLong(index + NODE_PARENT_ZONE_ID_OFFSET, node.parentZoneId);
        buffer.putLong(index + NODE_OWNER_OFFSET, node.ownerPlayerId);
        buffer.putLong(index + NODE_X_OFFSET, node.x);
        buffer.putLong(index + NODE_Y_OFFSET, node.y);
        buffer.putLong(index + NODE_Z_OFFSET, node.z);
        buffer.putFloat(index + NODE_QX_OFFSET, node.qx);
        buffer.putFloat(index + NODE_QY_OFFSET, node.qy);
        buffer.putFloat(index + NODE_QZ_OFFSET, node.qz);
        buffer.putFloat(index + NODE_QW_OFFSET, node.qw);
        buffer.putFloat(index + NODE_RADIUS_OFFSET, node.radius);
        buffer.putInt(index + NODE_ARCHETYPE_OFFSET, node.archetypeId);
        buffer.putInt(index + NODE_IS_ZONE_OFFSET, node.isZone ? 1 : 0);
        buffer.putInt(index + NODE_STATE_LENGTH_OFFSET, node.componentStateLength);
        buffer.putBytes(index + NODE_STATE_OFFSET, node.componentState, 0, node.componentStateLength);
        return NODE_STATE_OFFSET + node.componentStateLength;
    }

    /**
     * Read the node of a record at {@code index} into {@code node}.
     *
     * @return {@code node}.
     */
    static NodeRecord decodeNode(final DirectBuffer buffer, final int index, final NodeRecord node)
    {
        node.entityId = buffer.getLong(index + NODE_ENTITY_ID_OFFSET);
        node.parentZoneId = buffer.getLong(index + NODE_PARENT_ZONE_ID_OFFSET);
        node.ownerPlayerId = buffer.getLong(index + NODE_OWNER_OFFSET);
        node.x = buffer.getLong(index + NODE_X_OFFSET);
        node.y = buffer.getLong(index + NODE_Y_OFFSET);
        node.z = buffer.getLong(index + NODE_Z_OFFSET);
        node.qx = buffer.getFloat(index + NODE_QX_OFFSET);
        node.qy = buffer.getFloat(index + NODE_QY_OFFSET);
        node.qz = buffer.getFloat(index + NODE_QZ_OFFSET);
        node.qw = buffer.getFloat(index + NODE_QW_OFFSET);
        node.radius = buffer.getFloat(index + NODE_RADIUS_OFFSET);
        node.archetypeId = buffer.getInt(index + NODE_ARCHETYPE_OFFSET);
        node.isZone = 0 != buffer.getInt(index + NODE_IS_ZONE_OFFSET);
        final int length = buffer.getInt(index + NODE_STATE_LENGTH_OFFSET);
        buffer.getBytes(index + NODE_STATE_OFFSET, node.componentState, 0, length);
        node.componentStateLength = length;
        return node;
    }
}
