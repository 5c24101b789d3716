/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.orrery.wire.atlas.EntityAddedDecoder;
import io.orrery.wire.atlas.EntityMovedDecoder;
import io.orrery.wire.atlas.EntityRemovedDecoder;
import io.orrery.wire.atlas.HandoffAcceptedDecoder;
import io.orrery.wire.atlas.MessageHeaderDecoder;
import io.orrery.wire.atlas.ServerFailedDecoder;
import io.orrery.wire.atlas.ServerJoinedDecoder;
import io.orrery.wire.atlas.ServerLoadDecoder;
import io.orrery.wire.atlas.ServerSeenDecoder;
import io.orrery.wire.atlas.StreamOutDecoder;
import io.orrery.wire.atlas.TickDecoder;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.ringbuffer.RingBuffer;

/**
 * Reads the command ring written by an {@link AtlasCommandProxy}, decodes each message and calls the
 * {@link AtlasCommandHandler} (Atlas).
 * <p>
 * A record that is not an Atlas command (another record type, schema id or template id) is counted in
 * {@link #unknown()}, one too short for its header or block in {@link #malformed()}; neither is thrown, and reading
 * goes on with the next record.
 * <p>
 * Threading: the ring's one reader thread only. Zero allocation.
 */
public final class AtlasCommandAdapter implements MessageHandler
{
    private static final int HEADER_LENGTH = MessageHeaderDecoder.ENCODED_LENGTH;

    private final RingBuffer ring;
    private final AtlasCommandHandler handler;
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final ServerJoinedDecoder serverJoined = new ServerJoinedDecoder();
    private final ServerFailedDecoder serverFailed = new ServerFailedDecoder();
    private final ServerLoadDecoder serverLoad = new ServerLoadDecoder();
    private final ServerSeenDecoder serverSeen = new ServerSeenDecoder();
    private final TickDecoder tick = new TickDecoder();
    private final EntityAddedDecoder entityAdded = new EntityAddedDecoder();
    private final EntityMovedDecoder entityMoved = new EntityMovedDecoder();
    private final EntityRemovedDecoder entityRemoved = new EntityRemovedDecoder();
    private final StreamOutDecoder streamOut = new StreamOutDecoder();
    private final HandoffAcceptedDecoder handoffAccepted = new HandoffAcceptedDecoder();

    private long unknown;
    private long malformed;

    /**
     * @param ring    the command ring, this adapter its only reader.
     * @param handler told every command, in order.
     */
    public AtlasCommandAdapter(final RingBuffer ring, final AtlasCommandHandler handler)
    {
        this.ring = ring;
        this.handler = handler;
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
     * Records that were not Atlas commands (record type, schema id or template id unknown).
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
     * One ring record: checks it, decodes it and calls the handler. Called by {@link #poll(int)}.
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

        final int blockLength = header.blockLength();
        final int version = header.version();
        final int offset = index + HEADER_LENGTH;
        final int bodyLength = length - HEADER_LENGTH;
        switch (header.templateId())
        {
            case EntityMovedDecoder.TEMPLATE_ID:
                if (fits(EntityMovedDecoder.BLOCK_LENGTH, blockLength, bodyLength))
                {
                    final EntityMovedDecoder d = entityMoved.wrap(buffer, offset, blockLength, version);
                    handler.onEntityMoved(d.entityId(), d.incarnation(), d.parentId(), d.x(), d.y(), d.z());
                }
                break;

            case ServerSeenDecoder.TEMPLATE_ID:
                if (fits(ServerSeenDecoder.BLOCK_LENGTH, blockLength, bodyLength))
                {
                    final ServerSeenDecoder d = serverSeen.wrap(buffer, offset, blockLength, version);
                    handler.onServerSeen(d.serverIndex(), d.sessionId(), d.lastHeardNs(), 0 != d.bound());
                }
                break;

            case TickDecoder.TEMPLATE_ID:
                if (fits(TickDecoder.BLOCK_LENGTH, blockLength, bodyLength))
                {
                    final TickDecoder d = tick.wrap(buffer, offset, blockLength, version);
                    handler.onTick(d.nowNs(), d.tick(), d.silenceFloorNs(), 0 != d.ingressCaughtUp());
                }
                break;

            case EntityAddedDecoder.TEMPLATE_ID:
                if (fits(EntityAddedDecoder.BLOCK_LENGTH, blockLength, bodyLength))
                {
                    final EntityAddedDecoder d = entityAdded.wrap(buffer, offset, blockLength, version);
                    handler.onEntityAdded(
                        d.entityId(), d.incarnation(), d.parentId(), 0 != d.isZone(), d.x(), d.y(), d.z(), d.epoch());
                }
                break;

            case EntityRemovedDecoder.TEMPLATE_ID:
                if (fits(EntityRemovedDecoder.BLOCK_LENGTH, blockLength, bodyLength))
                {
                    final EntityRemovedDecoder d = entityRemoved.wrap(buffer, offset, blockLength, version);
                    handler.onEntityRemoved(d.entityId(), d.incarnation());
                }
                break;

            case ServerLoadDecoder.TEMPLATE_ID:
                if (fits(ServerLoadDecoder.BLOCK_LENGTH, blockLength, bodyLength))
                {
                    final ServerLoadDecoder d = serverLoad.wrap(buffer, offset, blockLength, version);
                    handler.onServerLoad(
                        d.nowNs(),
                        d.serverIndex(),
                        d.sessionId(),
                        d.entityCount(),
                        d.playerCount(),
                        d.tickTimeP50Ns(),
                        d.tickTimeMaxNs(),
                        d.cpuLoad());
                }
                break;

            case StreamOutDecoder.TEMPLATE_ID:
                if (fits(StreamOutDecoder.BLOCK_LENGTH, blockLength, bodyLength))
                {
                    final StreamOutDecoder d = streamOut.wrap(buffer, offset, blockLength, version);
                    handler.onStreamOut(d.nowNs(), d.serverIndex(), d.sessionId(), d.entityId(), d.epoch());
                }
                break;

            case HandoffAcceptedDecoder.TEMPLATE_ID:
                if (fits(HandoffAcceptedDecoder.BLOCK_LENGTH, blockLength, bodyLength))
                {
                    final HandoffAcceptedDecoder d = handoffAccepted.wrap(buffer, offset, blockLength, version);
                    handler.onHandoffAccepted(d.nowNs(), d.serverIndex(), d.sessionId(), d.handoffId(), d.entityId());
                }
                break;

            case ServerJoinedDecoder.TEMPLATE_ID:
                if (fits(ServerJoinedDecoder.BLOCK_LENGTH, blockLength, bodyLength))
                {
                    final ServerJoinedDecoder d = serverJoined.wrap(buffer, offset, blockLength, version);
                    handler.onServerJoined(d.nowNs(), d.serverIndex(), d.sessionId(), d.replacedSessionId());
                }
                break;

            case ServerFailedDecoder.TEMPLATE_ID:
                if (fits(ServerFailedDecoder.BLOCK_LENGTH, blockLength, bodyLength))
                {
                    final ServerFailedDecoder d = serverFailed.wrap(buffer, offset, blockLength, version);
                    handler.onServerFailed(d.nowNs(), d.serverIndex(), d.sessionId());
                }
                break;

            default:
                unknown++;
                break;
        }
    }

    private boolean fits(final int minBlockLength, final int blockLength, final int bodyLength)
    {
        if (blockLength < minBlockLength || bodyLength < blockLength)
        {
            malformed++;
            return false;
        }
        return true;
    }
}
