/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.wire;

import io.orrery.wire.codec.DespawnReason;
import io.orrery.wire.codec.EntityDespawnDecoder;
import io.orrery.wire.codec.EntityDespawnEncoder;
import io.orrery.wire.codec.EntitySpawnDecoder;
import io.orrery.wire.codec.EntitySpawnEncoder;
import io.orrery.wire.codec.EntityUpdatesCompactDecoder;
import io.orrery.wire.codec.EntityUpdatesCompactEncoder;
import io.orrery.wire.codec.MessageHeaderDecoder;
import io.orrery.wire.codec.MessageHeaderEncoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Schema version 2 (several Replicants per shard): frames name their Replicant and spawns their owner epoch; frames
 * of version 1 senders still validate and read as Replicant 0, owner epoch 0.
 */
class ReplicantStampTest
{
    private static final int HEADER = MessageHeaderEncoder.ENCODED_LENGTH;
    private static final int BLOCK_LENGTH_OFFSET = 0;
    private static final int VERSION_OFFSET = 6;

    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
    private final UnsafeBuffer old = new UnsafeBuffer(new byte[4096]);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();

    @Test
    void shouldCostNineBytesPerSpawnOneBytePerDespawnAndOneBytePerCompactFrame()
    {
        assertEquals(9,
            EntitySpawnEncoder.BLOCK_LENGTH - MessageLayouts.rootBlockLength(EntitySpawnEncoder.TEMPLATE_ID, 1));
        assertEquals(1,
            EntityDespawnEncoder.BLOCK_LENGTH - MessageLayouts.rootBlockLength(EntityDespawnEncoder.TEMPLATE_ID, 1));
        assertEquals(1, EntityUpdatesCompactEncoder.BLOCK_LENGTH -
            MessageLayouts.rootBlockLength(EntityUpdatesCompactEncoder.TEMPLATE_ID, 1));
        assertEquals(4, MessageValidator.CURRENT_VERSION);
    }

    @Test
    void shouldCarryReplicantIdAndOwnerEpochOnVersion2Spawn()
    {
        final int length = encodeSpawn(7, 1L << 40);
        assertEquals(length, MessageValidator.validate(buffer, 0, length));
        final EntitySpawnDecoder spawn = new EntitySpawnDecoder().wrapAndApplyHeader(buffer, 0, headerDecoder);
        assertEquals(7, ReplicantStamp.replicantId(spawn));
        assertEquals(1L << 40, ReplicantStamp.ownerEpoch(spawn));
        assertEquals(42, spawn.entityId());
        assertEquals(3, spawn.updateHandle());
    }

    @Test
    void shouldReadVersion1SpawnAsReplicantZeroOwnerEpochZero()
    {
        final int length = encodeSpawn(7, 9);
        final int oldLength = toVersion1(length, EntitySpawnEncoder.TEMPLATE_ID);
        assertEquals(oldLength, MessageValidator.validate(old, 0, oldLength));

        final EntitySpawnDecoder spawn = new EntitySpawnDecoder().wrapAndApplyHeader(old, 0, headerDecoder);
        assertEquals(42, spawn.entityId());
        assertEquals(3, spawn.updateHandle());
        assertEquals(ReplicantStamp.DEFAULT_REPLICANT_ID, ReplicantStamp.replicantId(spawn));
        assertEquals(ReplicantStamp.DEFAULT_OWNER_EPOCH, ReplicantStamp.ownerEpoch(spawn));
        assertEquals(5, spawn.componentStateLength());
    }

    @Test
    void shouldReadVersion1DespawnAndCompactFrameAsReplicantZero()
    {
        new EntityDespawnEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .entityId(42).reason(DespawnReason.handedOff).serverTimeNs(1).replicantId((short)3);
        final int despawnLength = HEADER + EntityDespawnEncoder.BLOCK_LENGTH;
        final EntityDespawnDecoder despawn = new EntityDespawnDecoder().wrapAndApplyHeader(buffer, 0, headerDecoder);
        assertEquals(3, ReplicantStamp.replicantId(despawn));
        assertEquals(DespawnReason.handedOff.value(), despawn.reasonRaw());

        final int oldDespawnLength = toVersion1(despawnLength, EntityDespawnEncoder.TEMPLATE_ID);
        assertEquals(oldDespawnLength, MessageValidator.validate(old, 0, oldDespawnLength));
        assertEquals(0,
            ReplicantStamp.replicantId(new EntityDespawnDecoder().wrapAndApplyHeader(old, 0, headerDecoder)));

        final EntityUpdatesCompactEncoder frame = new EntityUpdatesCompactEncoder()
            .wrapAndApplyHeader(buffer, 0, headerEncoder).tick(9).replicantId((short)3)
            .putEntries(new byte[] { 1, CompactUpdates.SIZE, 0, 0, (byte)0x80, 0x3F }, 0, 6);
        final int frameLength = HEADER + frame.encodedLength();
        assertEquals(frameLength, MessageValidator.validate(buffer, 0, frameLength));
        final int oldFrameLength = toVersion1(frameLength, EntityUpdatesCompactEncoder.TEMPLATE_ID);
        assertEquals(oldFrameLength, MessageValidator.validate(old, 0, oldFrameLength));
        final EntityUpdatesCompactDecoder decoded =
            new EntityUpdatesCompactDecoder().wrapAndApplyHeader(old, 0, headerDecoder);
        assertEquals(9, decoded.tick());
        assertEquals(0, ReplicantStamp.replicantId(decoded));
        assertEquals(6, decoded.entriesLength());
    }

    @Test
    void shouldRejectVersion2FrameWithVersion1BlockLength()
    {
        final int length = encodeSpawn(1, 1);
        final int oldLength = toVersion1(length, EntitySpawnEncoder.TEMPLATE_ID);
        old.putShort(VERSION_OFFSET, (short)2, LITTLE_ENDIAN);
        assertEquals(ValidationReason.BLOCK_LENGTH_TOO_SMALL, MessageValidator.validate(old, 0, oldLength));
    }

    private int encodeSpawn(final int replicantId, final long ownerEpoch)
    {
        final EntitySpawnEncoder spawn = new EntitySpawnEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .entityId(42).archetypeId(1).parentZoneId(2);
        spawn.position().x(1).y(2).z(3);
        spawn.orientation().x(0).y(0).z(0).w(1);
        spawn.velocity().x(0).y(0).z(0);
        spawn.radius(1f).authorityEpoch(4).lastAppliedInputSequence(5).serverTimeNs(6).updateHandle(3)
            .replicantId((short)replicantId).ownerEpoch(ownerEpoch)
            .putComponentState(new byte[] { 1, 2, 3, 4, 5 }, 0, 5);
        return HEADER + spawn.encodedLength();
    }

    /**
     * Rewrite the message in {@code buffer} as a version 1 sender wrote it into {@code old}: version 1 in the header,
     * the block cut to its version 1 length, what follows the block moved up.
     *
     * @return the version 1 message's length.
     */
    private int toVersion1(final int length, final int templateId)
    {
        final int blockLength = buffer.getShort(BLOCK_LENGTH_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
        final int oldBlockLength = MessageLayouts.rootBlockLength(templateId, 1);
        old.putBytes(0, buffer, 0, HEADER + oldBlockLength);
        old.putBytes(HEADER + oldBlockLength, buffer, HEADER + blockLength, length - HEADER - blockLength);
        old.putShort(BLOCK_LENGTH_OFFSET, (short)oldBlockLength, LITTLE_ENDIAN);
        old.putShort(VERSION_OFFSET, (short)1, LITTLE_ENDIAN);
        return length - (blockLength - oldBlockLength);
    }
}
