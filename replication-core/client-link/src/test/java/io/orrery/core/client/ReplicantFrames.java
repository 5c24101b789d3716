/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.client;

import io.orrery.wire.CompactUpdates;
import io.orrery.wire.codec.EntityDespawnEncoder;
import io.orrery.wire.codec.EntitySpawnEncoder;
import io.orrery.wire.codec.EntityUpdatesCompactEncoder;
import io.orrery.wire.codec.MessageHeaderEncoder;
import io.orrery.wire.codec.ReplicantResetEncoder;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Encodes the client frames of one Replicant as a layer of several Replicants writes them (test helper): spawns with
 * the Replicant id and owner epoch, compact updates of one entry (a position change along x and a last applied input
 * change), despawns. Nothing allocates after construction.
 */
final class ReplicantFrames
{
    static final long ENTITY_ID = 4242;

    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final EntitySpawnEncoder spawnEncoder = new EntitySpawnEncoder();
    private final EntityDespawnEncoder despawnEncoder = new EntityDespawnEncoder();
    private final EntityUpdatesCompactEncoder compactEncoder = new EntityUpdatesCompactEncoder();
    private final ReplicantResetEncoder resetEncoder = new ReplicantResetEncoder();
    private final UnsafeBuffer entries = new UnsafeBuffer(new byte[64]);
    private long entityId = ENTITY_ID;

    /**
     * The entity the next spawns and despawns name ({@link #ENTITY_ID} until changed).
     */
    ReplicantFrames entityId(final long entityId)
    {
        this.entityId = entityId;
        return this;
    }

    /**
     * @return the length of the spawn written at offset 0.
     */
    int spawn(
        final MutableDirectBuffer buffer, final int replicantId, final long ownerEpoch, final int handle,
        final long x, final long lastApplied)
    {
        spawnEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .entityId(entityId)
            .archetypeId(9)
            .parentZoneId(0);
        spawnEncoder.position().x(x).y(0).z(0);
        spawnEncoder.orientation().x(0).y(0).z(0).w(1);
        spawnEncoder.velocity().x(0).y(0).z(0);
        spawnEncoder.radius(1)
            .authorityEpoch(1)
            .lastAppliedInputSequence(lastApplied)
            .serverTimeNs(0)
            .updateHandle(handle)
            .replicantId((short)replicantId)
            .ownerEpoch(ownerEpoch)
            .putComponentState(entries, 0, 0);
        return MessageHeaderEncoder.ENCODED_LENGTH + spawnEncoder.encodedLength();
    }

    /**
     * @param units position change along x in {@link CompactUpdates#POSITION_UNIT_MM}.
     * @return the length of the frame written at offset 0.
     */
    int update(
        final MutableDirectBuffer buffer, final int replicantId, final int handle, final long units,
        final long lastAppliedDelta)
    {
        int index = CompactUpdates.putVarUInt(entries, 0, handle);
        entries.putByte(index++, (byte)(CompactUpdates.POSITION | CompactUpdates.LAST_APPLIED_INPUT));
        index = CompactUpdates.putVarSInt(entries, index, units);
        index = CompactUpdates.putVarSInt(entries, index, 0);
        index = CompactUpdates.putVarSInt(entries, index, 0);
        index = CompactUpdates.putVarSInt(entries, index, lastAppliedDelta);
        compactEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .tick(1)
            .replicantId((short)replicantId)
            .putEntries(entries, 0, index);
        return MessageHeaderEncoder.ENCODED_LENGTH + compactEncoder.encodedLength();
    }

    /**
     * @param reason a {@code DespawnReason} value.
     * @return the length of the despawn written at offset 0.
     */
    int despawn(final MutableDirectBuffer buffer, final int replicantId, final short reason)
    {
        despawnEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .entityId(entityId)
            .reason(io.orrery.wire.codec.DespawnReason.get(reason))
            .serverTimeNs(0)
            .replicantId((short)replicantId);
        return MessageHeaderEncoder.ENCODED_LENGTH + despawnEncoder.encodedLength();
    }

    /**
     * @return the length of the {@code ReplicantReset} written at offset 0.
     */
    int reset(final MutableDirectBuffer buffer, final int replicantId)
    {
        resetEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder).replicantId((short)replicantId);
        return MessageHeaderEncoder.ENCODED_LENGTH + resetEncoder.encodedLength();
    }
}
