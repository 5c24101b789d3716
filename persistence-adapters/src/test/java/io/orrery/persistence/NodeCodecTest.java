/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.persistence;

import io.orrery.core.persistence.NodeRecord;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The stored node layout (the RocksDB adapter keeps these bytes as they are): the last applied input sequence
 * round-trips, and a record stored before it existed still decodes, with 0.
 */
class NodeCodecTest
{
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[NodeCodec.MAX_ENCODED_LENGTH]);

    @Test
    void shouldRoundTripLastAppliedInputSequence()
    {
        final NodeRecord node = sample();
        final int length = NodeCodec.encode(node, buffer, 0);
        assertEquals(NodeCodec.encodedLength(node), length);

        final NodeRecord decoded = new NodeRecord();
        NodeCodec.decode(node.entityId, buffer, 0, length, decoded);
        assertTrue(node.contentEquals(decoded), decoded.toString());
    }

    @Test
    void shouldDecodeRecordStoredBeforeLastAppliedInputWithZero()
    {
        final NodeRecord node = sample();
        final int length = NodeCodec.encode(node, buffer, 0);
        // the old layout: no flag bit 1, nothing after the state bytes
        buffer.putByte(NodeCodec.FLAGS_OFFSET, (byte)(buffer.getByte(NodeCodec.FLAGS_OFFSET) & 1));
        final int oldLength = length - NodeCodec.LAST_APPLIED_LENGTH;

        final NodeRecord decoded = new NodeRecord();
        decoded.lastAppliedInputSequence = 99;
        NodeCodec.decode(node.entityId, buffer, 0, oldLength, decoded);
        assertEquals(0, decoded.lastAppliedInputSequence);
        node.lastAppliedInputSequence = 0;
        assertTrue(node.contentEquals(decoded), decoded.toString());
    }

    @Test
    void shouldRefuseRecordWhoseFlagAnnouncesLastAppliedInputItDoesNotHold()
    {
        final NodeRecord node = sample();
        final int length = NodeCodec.encode(node, buffer, 0);
        assertThrows(IllegalStateException.class,
            () -> NodeCodec.decode(node.entityId, buffer, 0, length - 1, new NodeRecord()));
    }

    private static NodeRecord sample()
    {
        final NodeRecord node = new NodeRecord();
        node.entityId = 10;
        node.archetypeId = 3;
        node.parentZoneId = 1;
        node.isZone = true;
        node.x = -5;
        node.y = 6;
        node.z = 7;
        node.qw = 1;
        node.radius = 2.5f;
        node.componentState[0] = 9;
        node.componentState[1] = 8;
        node.componentStateLength = 2;
        node.lastAppliedInputSequence = 1L << 40;
        return node;
    }
}
