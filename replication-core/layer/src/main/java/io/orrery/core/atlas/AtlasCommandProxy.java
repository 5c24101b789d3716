/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import org.agrona.concurrent.ringbuffer.RingBuffer;

/**
 * Encodes each {@link AtlasCommandHandler} call as one SBE message of the Atlas schema (header and body; the encoding
 * is the shared {@link AtlasCommandEncoder}'s) into a ring read by an {@link AtlasCommandAdapter} (see {@link
 * AtlasRings}
 * for the record layout).
 * <p>
 * Nothing is lost and order is kept: a message that does not fit in the ring waits in an internal overflow, and while
 * anything waits there every later message queues behind it. The owner calls {@link #flush()} in its duty cycle to
 * move waiting messages to the ring as the reader frees space.
 * <p>
 * Threading: the ring's one writer thread only (calls and {@link #flush()}). Zero allocation, except when the
 * overflow grows.
 */
public final class AtlasCommandProxy extends AtlasCommandEncoder
{
    private final AtlasRingWriter writer;

    /**
     * @param ring the ring, this proxy its only writer.
     * @throws IllegalArgumentException if the ring's maximum message length is below the longest message's.
     */
    public AtlasCommandProxy(final RingBuffer ring)
    {
        this(new AtlasRingWriter(ring, MAX_MESSAGE_LENGTH));
    }

    private AtlasCommandProxy(final AtlasRingWriter writer)
    {
        super(writer);
        this.writer = writer;
    }

    /**
     * Moves what it can from the overflow to the ring, in order.
     *
     * @return the number of messages moved.
     */
    public int flush()
    {
        return writer.flush();
    }

    /**
     * Whether messages wait in the overflow.
     */
    public boolean hasBacklog()
    {
        return writer.hasBacklog();
    }

    /**
     * Messages that had to wait in the overflow since this proxy was created.
     */
    public long overflowed()
    {
        return writer.overflowed();
    }

    /**
     * Bytes waiting in the overflow (ring record framing included).
     */
    public int backlogBytes()
    {
        return writer.backlogBytes();
    }
}
