/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import org.agrona.ExpandableRingBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

/**
 * Writes whole messages into a ring without losing any and in order, for {@link AtlasCommandProxy} and
 * {@link AtlasDecisionProxy}. A message is encoded in place in the ring ({@link #claim(int)}, encode into
 * {@link #buffer()} at the returned offset, {@link #commit()}); when the ring is full, or while earlier messages wait
 * in the overflow, it is encoded into a scratch buffer and appended to the overflow, a growing
 * {@link ExpandableRingBuffer}, which {@link #flush()} moves to the ring in order.
 * <p>
 * Threading: the ring's one writer thread only. Zero allocation unless the overflow has to grow.
 */
final class AtlasRingWriter implements AtlasMessageWriter
{
    static final int INITIAL_OVERFLOW_BYTES = 64 * 1024;

    private final RingBuffer ring;
    private final MutableDirectBuffer ringBuffer;
    private final UnsafeBuffer scratch;
    private final ExpandableRingBuffer overflow =
        new ExpandableRingBuffer(INITIAL_OVERFLOW_BYTES, ExpandableRingBuffer.MAX_CAPACITY, false);
    private final ExpandableRingBuffer.MessageConsumer flushOne = this::flushOne;

    private MutableDirectBuffer claimBuffer;
    private int claimIndex;
    private int claimLength;
    private long overflowed;
    private int flushed;

    AtlasRingWriter(final RingBuffer ring, final int maxMessageLength)
    {
        if (maxMessageLength > ring.maxMsgLength())
        {
            throw new IllegalArgumentException(
                "ring too small: max message length " + ring.maxMsgLength() + " < " + maxMessageLength);
        }
        this.ring = ring;
        this.ringBuffer = ring.buffer();
        this.scratch = new UnsafeBuffer(new byte[maxMessageLength]);
    }

    /**
     * Claims space for a message of {@code length} bytes (header included): in the ring if it has room and nothing
     * waits in the overflow, else in the scratch buffer.
     *
     * @return offset in {@link #buffer()} at which to encode the message.
     */
    public int claim(final int length)
    {
        claimLength = length;
        if (overflow.isEmpty())
        {
            final int index = ring.tryClaim(AtlasRings.MSG_TYPE_ID, length);
            if (index > 0)
            {
                claimIndex = index;
                claimBuffer = ringBuffer;
                return index;
            }
        }
        claimIndex = 0;
        claimBuffer = scratch;
        return 0;
    }

    /**
     * The buffer the last {@link #claim(int)} returned an offset in.
     */
    public MutableDirectBuffer buffer()
    {
        return claimBuffer;
    }

    /**
     * Publishes the message encoded since the last {@link #claim(int)}: commits it to the ring or appends it to the
     * overflow.
     *
     * @throws IllegalStateException if the overflow is at its maximum capacity (a gigabyte of backlog: the reader is
     *                               gone; losing a message silently would break Atlas's determinism).
     */
    public void commit()
    {
        if (claimIndex > 0)
        {
            ring.commit(claimIndex);
            claimIndex = 0;
        }
        else
        {
            if (!overflow.append(scratch, 0, claimLength))
            {
                throw new IllegalStateException("Atlas ring overflow full: " + overflow.size() + " bytes waiting");
            }
            overflowed++;
        }
    }

    /**
     * Moves waiting messages from the overflow to the ring, in order, until the ring is full or the overflow empty.
     *
     * @return the number of messages moved.
     */
    int flush()
    {
        if (overflow.isEmpty())
        {
            return 0;
        }
        flushed = 0;
        overflow.consume(flushOne, Integer.MAX_VALUE);
        return flushed;
    }

    boolean hasBacklog()
    {
        return !overflow.isEmpty();
    }

    long overflowed()
    {
        return overflowed;
    }

    int backlogBytes()
    {
        return overflow.size();
    }

    /**
     * The largest of some block lengths.
     */
    static int max(final int... values)
    {
        int max = 0;
        for (final int value : values)
        {
            max = Math.max(max, value);
        }
        return max;
    }

    private boolean flushOne(final MutableDirectBuffer buffer, final int offset, final int length, final int headOffset)
    {
        if (ring.write(AtlasRings.MSG_TYPE_ID, buffer, offset, length))
        {
            flushed++;
            return true;
        }
        return false;
    }
}
