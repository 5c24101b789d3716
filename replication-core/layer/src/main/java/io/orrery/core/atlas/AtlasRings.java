/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * The rings between Atlas's agent and the Replicant: commands go through one ring (written by an
 * {@link AtlasCommandProxy}, read by an {@link AtlasCommandAdapter}), decisions through another
 * ({@link AtlasDecisionProxy}, {@link AtlasDecisionAdapter}). Each ring is one-to-one: one thread writes, one reads.
 * <p>
 * A ring record carries one SBE message of the Atlas schema ({@code atlas-schema.xml}, package
 * {@code io.orrery.wire.atlas}) under the record type {@link #MSG_TYPE_ID}:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                  ring record length (Agrona)                  |
 *  +---------------------------------------------------------------+
 *  |                  ring record type = MSG_TYPE_ID               |
 *  +-------------------------------+-------------------------------+
 *  |         SBE blockLength       |         SBE templateId        |
 *  +-------------------------------+-------------------------------+
 *  |         SBE schemaId          |         SBE version           |
 *  +-------------------------------+-------------------------------+
 *  |                 message body (blockLength bytes)             ...
 *  +---------------------------------------------------------------+
 * </pre>
 * Threading: {@link #newRing(int)} may be called from any thread; the ring it returns is then shared by exactly one
 * writer and one reader.
 */
public final class AtlasRings
{
    /**
     * Capacity of the ring from the Replicant to Atlas (entity positions dominate).
     */
    public static final int DEFAULT_COMMAND_RING_BYTES = 8 * 1024 * 1024;

    /**
     * Capacity of the ring from Atlas to the Replicant.
     */
    public static final int DEFAULT_DECISION_RING_BYTES = 4 * 1024 * 1024;

    /**
     * Agrona ring record type of every Atlas message: the SBE header inside tells which message it is.
     */
    public static final int MSG_TYPE_ID = 1;

    private AtlasRings()
    {
    }

    /**
     * A one-to-one ring over a new direct buffer, cache-line aligned, of {@code capacityBytes} plus the ring's
     * trailer.
     *
     * @param capacityBytes capacity for messages, a power of two.
     * @return the ring.
     * @throws IllegalArgumentException if the capacity is not a positive power of two.
     */
    public static RingBuffer newRing(final int capacityBytes)
    {
        if (capacityBytes <= 0 || !BitUtil.isPowerOfTwo(capacityBytes))
        {
            throw new IllegalArgumentException("ring capacity must be a positive power of two: " + capacityBytes);
        }
        final int length = capacityBytes + RingBufferDescriptor.TRAILER_LENGTH;
        return new OneToOneRingBuffer(
            new UnsafeBuffer(BufferUtil.allocateDirectAligned(length, BitUtil.CACHE_LINE_LENGTH)));
    }
}
