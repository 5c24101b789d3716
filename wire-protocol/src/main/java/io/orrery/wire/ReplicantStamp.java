/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.wire;

import io.orrery.wire.codec.EntityDespawnDecoder;
import io.orrery.wire.codec.EntitySpawnDecoder;
import io.orrery.wire.codec.EntityUpdatesCompactDecoder;

/**
 * Which Replicant sent a client frame, and with which owner epoch, read the same way from every schema version:
 * version 1 senders (one Replicant per shard) had neither field, and their frames read as Replicant
 * {@link #DEFAULT_REPLICANT_ID} with owner epoch {@link #DEFAULT_OWNER_EPOCH}. (SBE's generated accessors return the
 * field's null value, 255 and {@code Long.MIN_VALUE}, for a field newer than the message's acting version.)
 * <p>
 * Threading: stateless statics. Nothing allocates.
 */
public final class ReplicantStamp
{
    /**
     * The Replicant of a shard with one Replicant, and of every version 1 frame.
     */
    public static final int DEFAULT_REPLICANT_ID = 0;

    /**
     * The owner epoch of a shard with one Replicant, and of every version 1 spawn.
     */
    public static final long DEFAULT_OWNER_EPOCH = 0;

    /**
     * Schema version that added the Replicant id and owner epoch.
     */
    public static final int SINCE_VERSION = 2;

    private ReplicantStamp()
    {
    }

    public static int replicantId(final EntitySpawnDecoder spawn)
    {
        return spawn.actingVersion() < SINCE_VERSION ? DEFAULT_REPLICANT_ID : spawn.replicantId();
    }

    public static long ownerEpoch(final EntitySpawnDecoder spawn)
    {
        return spawn.actingVersion() < SINCE_VERSION ? DEFAULT_OWNER_EPOCH : spawn.ownerEpoch();
    }

    public static int replicantId(final EntityDespawnDecoder despawn)
    {
        return despawn.actingVersion() < SINCE_VERSION ? DEFAULT_REPLICANT_ID : despawn.replicantId();
    }

    public static int replicantId(final EntityUpdatesCompactDecoder frame)
    {
        return frame.actingVersion() < SINCE_VERSION ? DEFAULT_REPLICANT_ID : frame.replicantId();
    }
}
