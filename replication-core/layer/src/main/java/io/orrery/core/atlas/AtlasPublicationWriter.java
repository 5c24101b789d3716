/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.logbuffer.BufferClaim;
import org.agrona.ExpandableRingBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Writes whole Atlas messages to an Aeron {@link ExclusivePublication}, one message per Aeron message, in order and
 * without losing any while the peer is connected. A message is encoded in place in the publication's term
 * ({@link ExclusivePublication#tryClaim}); when the publication is back-pressured, or while earlier messages wait, it
 * is encoded into a scratch buffer and appended to an ordered overflow (a growing {@link ExpandableRingBuffer}) that
 * {@link #flush()} (called every duty cycle) offers in order. Every message that had to wait is counted
 * ({@link #overflowed()}).
 * <p>
 * While the publication has no subscriber ({@link Publication#NOT_CONNECTED}, the peer process is gone) nothing can
 * be kept meaningfully: messages are dropped and counted ({@link #dropped()}), the overflow is emptied, and the link
 * resends its whole state when the peer is back (see {@link AtlasResync}).
 * <p>
 * Threading: the publication's one writer thread only. Zero allocation unless the overflow has to grow.
 */
public final class AtlasPublicationWriter implements AtlasMessageWriter
{
    private static final int INITIAL_OVERFLOW_BYTES = 64 * 1024;

    private final ExclusivePublication publication;
    private final BufferClaim bufferClaim = new BufferClaim();
    private final UnsafeBuffer scratch;
    private final ExpandableRingBuffer overflow =
        new ExpandableRingBuffer(INITIAL_OVERFLOW_BYTES, ExpandableRingBuffer.MAX_CAPACITY, false);
    private final ExpandableRingBuffer.MessageConsumer flushOne = this::flushOne;
    private final ExpandableRingBuffer.MessageConsumer dropOne = this::dropOne;

    private MutableDirectBuffer claimBuffer;
    private boolean claimed;
    private int claimLength;
    private long overflowed;
    private long dropped;
    private int flushed;

    /**
     * @param publication      the publication, this writer its only user.
     * @param maxMessageLength the longest message it will be asked to write.
     */
    public AtlasPublicationWriter(final ExclusivePublication publication, final int maxMessageLength)
    {
        if (maxMessageLength > publication.maxPayloadLength())
        {
            throw new IllegalArgumentException("publication max payload " + publication.maxPayloadLength() +
                " < " + maxMessageLength);
        }
        this.publication = publication;
        this.scratch = new UnsafeBuffer(new byte[maxMessageLength]);
    }

    @Override
    public int claim(final int length)
    {
        claimLength = length;
        if (overflow.isEmpty())
        {
            final long result = publication.tryClaim(length, bufferClaim);
            if (result > 0)
            {
                claimed = true;
                claimBuffer = bufferClaim.buffer();
                return bufferClaim.offset();
            }
        }
        claimed = false;
        claimBuffer = scratch;
        return 0;
    }

    @Override
    public MutableDirectBuffer buffer()
    {
        return claimBuffer;
    }

    /**
     * @throws IllegalStateException if the overflow is at its maximum capacity (a gigabyte of backlog towards a
     *                               connected peer that reads nothing: losing a message silently would break Atlas's
     *                               determinism).
     */
    @Override
    public void commit()
    {
        if (claimed)
        {
            bufferClaim.commit();
            claimed = false;
        }
        else if (!publication.isConnected())
        {
            dropped++;
            dropBacklog();
        }
        else
        {
            if (!overflow.append(scratch, 0, claimLength))
            {
                throw new IllegalStateException("Atlas link overflow full: " + overflow.size() + " bytes waiting");
            }
            overflowed++;
        }
    }

    /**
     * Offers waiting messages in order until the publication pushes back or the overflow is empty; drops them if the
     * publication has no subscriber any more.
     *
     * @return the number of messages sent.
     */
    public int flush()
    {
        if (overflow.isEmpty())
        {
            return 0;
        }
        if (!publication.isConnected())
        {
            dropBacklog();
            return 0;
        }
        flushed = 0;
        overflow.consume(flushOne, Integer.MAX_VALUE);
        return flushed;
    }

    /**
     * @return whether the publication has a subscriber.
     */
    public boolean isConnected()
    {
        return publication.isConnected();
    }

    public boolean hasBacklog()
    {
        return !overflow.isEmpty();
    }

    /**
     * @return messages that had to wait in the overflow (the publication was back-pressured) since creation.
     */
    public long overflowed()
    {
        return overflowed;
    }

    /**
     * @return messages dropped because the publication had no subscriber (waiting ones included).
     */
    public long dropped()
    {
        return dropped;
    }

    /**
     * @return bytes waiting in the overflow (its record framing included).
     */
    public int backlogBytes()
    {
        return overflow.size();
    }

    /**
     * @return the Aeron session id of the publication (what the peer's subscriber accepts).
     */
    public int sessionId()
    {
        return publication.sessionId();
    }

    private void dropBacklog()
    {
        if (!overflow.isEmpty())
        {
            overflow.consume(dropOne, Integer.MAX_VALUE);
        }
    }

    private boolean dropOne(final MutableDirectBuffer buffer, final int offset, final int length, final int headOffset)
    {
        dropped++;
        return true;
    }

    private boolean flushOne(final MutableDirectBuffer buffer, final int offset, final int length, final int headOffset)
    {
        final long result = publication.offer(buffer, offset, length);
        if (result > 0)
        {
            flushed++;
            return true;
        }
        return false;
    }
}
