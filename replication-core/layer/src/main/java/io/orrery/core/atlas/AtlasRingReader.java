/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.orrery.wire.atlas.MessageHeaderDecoder;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.ringbuffer.RingBuffer;

/**
 * What the two Atlas ring adapters share: reading a ring across its end, checking each record (record type, SBE
 * header, schema id, block length) and counting what is not an Atlas message ({@link #unknown()}) or too short
 * ({@link #malformed()}) instead of throwing. Subclasses decode their messages in {@link #dispatch}.
 * <p>
 * Threading: the ring's one reader thread only. Zero allocation.
 */
abstract class AtlasRingReader implements MessageHandler
{
    static final int HEADER_LENGTH = MessageHeaderDecoder.ENCODED_LENGTH;

    private final RingBuffer ring;
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private long unknown;
    private long malformed;

    AtlasRingReader(final RingBuffer ring)
    {
        this.ring = ring;
    }

    /**
     * Reads up to {@code limit} messages from the ring and dispatches them, across the ring's end: a single
     * {@link RingBuffer#read(MessageHandler, int)} stops where the ring wraps, so a second read takes what was
     * written after the wrap. Returns 0 only when the ring was empty.
     *
     * @return the number of records read (unknown and malformed ones included).
     */
    public int poll(final int limit)
    {
        final int read = ring.read(this, limit);
        return read < limit ? read + ring.read(this, limit - read) : read;
    }

    /**
     * Records that were not Atlas messages of this ring (record type, schema id or template id unknown).
     */
    public long unknown()
    {
        return unknown;
    }

    /**
     * Records too short for their SBE header or for the block length the header gives.
     */
    public long malformed()
    {
        return malformed;
    }

    /**
     * One ring record: checks it, then {@link #dispatch}es it. Called by {@link #poll(int)}.
     */
    @Override
    public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        if (AtlasRings.MSG_TYPE_ID != msgTypeId)
        {
            unknown++;
            return;
        }
        if (length < HEADER_LENGTH)
        {
            malformed++;
            return;
        }
        header.wrap(buffer, index);
        if (MessageHeaderDecoder.SCHEMA_ID != header.schemaId())
        {
            unknown++;
            return;
        }
        dispatch(header.templateId(), buffer, index + HEADER_LENGTH, header.blockLength(), header.version(),
            length - HEADER_LENGTH);
    }

    /**
     * Decode one message of the subclass's kind and call its handler; an unknown template goes to
     * {@link #onUnknown()}.
     */
    abstract void dispatch(
        int templateId, MutableDirectBuffer buffer, int offset, int blockLength, int version, int bodyLength);

    final void onUnknown()
    {
        unknown++;
    }

    /**
     * @return whether a body holds the message's block (counted as malformed if not).
     */
    final boolean fits(final int minBlockLength, final int blockLength, final int bodyLength)
    {
        if (blockLength < minBlockLength || bodyLength < blockLength)
        {
            malformed++;
            return false;
        }
        return true;
    }
}
