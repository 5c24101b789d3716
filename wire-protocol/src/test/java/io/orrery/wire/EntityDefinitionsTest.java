/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.wire;

import io.orrery.wire.codec.FieldMaskDecoder;
import io.orrery.wire.codec.FieldMaskEncoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shared entity definitions agree with the schema and with each other.
 */
final class EntityDefinitionsTest
{
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[8]);
    private final FieldMaskEncoder encoder = new FieldMaskEncoder().wrap(buffer, 0);
    private final FieldMaskDecoder decoder = new FieldMaskDecoder().wrap(buffer, 0);

    @Test
    void shouldMatchEveryFieldBitToItsSchemaChoice()
    {
        encoder.clear().position(true);
        assertEquals(EntityFields.POSITION, encoded());
        encoder.clear().velocity(true);
        assertEquals(EntityFields.VELOCITY, encoded());
        encoder.clear().orientation(true);
        assertEquals(EntityFields.ORIENTATION, encoded());
        encoder.clear().size(true);
        assertEquals(EntityFields.SIZE, encoded());
        encoder.clear().parentZone(true);
        assertEquals(EntityFields.PARENT_ZONE, encoded());
        encoder.clear().componentState(true);
        assertEquals(EntityFields.COMPONENT_STATE, encoded());
        encoder.clear().lastAppliedInput(true);
        assertEquals(EntityFields.LAST_APPLIED_INPUT, encoded());
        encoder.clear().authorityEpoch(true);
        assertEquals(EntityFields.AUTHORITY_EPOCH, encoded());
    }

    @Test
    void shouldCoverEverySchemaChoiceWithAll()
    {
        encoder.clear().position(true).velocity(true).orientation(true).size(true).parentZone(true)
            .componentState(true).lastAppliedInput(true).authorityEpoch(true);
        assertEquals(EntityFields.ALL, encoded());
        assertEquals(EntityFields.COUNT, Integer.bitCount(EntityFields.ALL));
        buffer.putShort(0, (short)EntityFields.ALL, ByteOrder.LITTLE_ENDIAN);
        assertTrue(decoder.position() && decoder.authorityEpoch());
        assertTrue(EntityFields.containsAll(EntityFields.ALL, EntityFields.POSITION | EntityFields.SIZE));
        assertFalse(EntityFields.containsAny(EntityFields.POSITION, EntityFields.VELOCITY));
    }

    @Test
    void shouldKeepIdRangesDisjointAndServerBlocksInTheirRange()
    {
        assertTrue(EntityIdSpace.isPlayer(EntityIdSpace.MAX_PLAYER_ID_EXCLUSIVE - 1));
        assertFalse(EntityIdSpace.isPlayer(EntityIdSpace.SCRIPTED_BASE));
        assertFalse(EntityIdSpace.isPlayer(0));
        assertEquals(EntityIdSpace.SERVER_BLOCK_BASE, EntityIdSpace.serverBlockBase(0));
        final long base = EntityIdSpace.serverBlockBase(3);
        assertEquals(EntityIdSpace.SERVER_BLOCK_BASE + 3 * EntityIdSpace.SERVER_BLOCK_SIZE, base);
        assertTrue(EntityIdSpace.isInServerBlock(base, 3));
        assertTrue(EntityIdSpace.isInServerBlock(base + EntityIdSpace.SERVER_BLOCK_SIZE - 1, 3));
        assertFalse(EntityIdSpace.isInServerBlock(base + EntityIdSpace.SERVER_BLOCK_SIZE, 3));
        assertFalse(EntityIdSpace.isInServerBlock(base - 1, 3));
        assertTrue(EntityIdSpace.serverBlockBase(Integer.MAX_VALUE) + EntityIdSpace.SERVER_BLOCK_SIZE <=
            EntityIdSpace.ITEM_BASE, "every server id's block ends before the items begin");
        assertTrue(EntityIdSpace.isItem(EntityIdSpace.starterItemId(EntityIdSpace.MAX_PLAYER_ID_EXCLUSIVE - 1)));
    }

    private int encoded()
    {
        return buffer.getShort(0, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
    }
}
