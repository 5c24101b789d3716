/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.orrery.wire.atlas.AuthorityAssignedDecoder;
import io.orrery.wire.atlas.AuthorityClearedDecoder;
import io.orrery.wire.atlas.HandoffAbandonedDecoder;
import io.orrery.wire.atlas.HandoffCommittedDecoder;
import io.orrery.wire.atlas.HandoffStartedDecoder;
import io.orrery.wire.atlas.MessageHeaderDecoder;
import io.orrery.wire.atlas.ServerRetiredDecoder;
import io.orrery.wire.atlas.TerritoryFreedDecoder;
import io.orrery.wire.atlas.TerritoryGrantedDecoder;
import io.orrery.wire.atlas.TerritoryResizedDecoder;
import io.orrery.wire.atlas.ServerWantedDecoder;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.ringbuffer.RingBuffer;

/**
 * Reads the decision ring written by an {@link AtlasDecisionProxy}, decodes each message and calls the
 * {@link AtlasDecisionHandler} (the Replicant's side of the mesh).
 * <p>
 * A record that is not an Atlas decision (another record type, schema id or template id) is counted in
 * {@link #unknown()}, one too short for its header or block in {@link #malformed()}; neither is thrown, and reading
 * goes on with the next record.
 * <p>
 * Threading: the ring's one reader thread only. Zero allocation.
 */
public final class AtlasDecisionAdapter implements MessageHandler
{
    private static final int HEADER_LENGTH = MessageHeaderDecoder.ENCODED_LENGTH;

    private final RingBuffer ring;
    private final AtlasDecisionHandler handler;
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final TerritoryGrantedDecoder territoryGranted = new TerritoryGrantedDecoder();
    private final TerritoryResizedDecoder territoryResized = new TerritoryResizedDecoder();
    private final ServerWantedDecoder serverWanted = new ServerWantedDecoder();
    private final TerritoryFreedDecoder territoryFreed = new TerritoryFreedDecoder();
    private final ServerRetiredDecoder serverRetired = new ServerRetiredDecoder();
    private final AuthorityAssignedDecoder authorityAssigned = new AuthorityAssignedDecoder();
    private final HandoffStartedDecoder handoffStarted = new HandoffStartedDecoder();
    private final HandoffCommittedDecoder handoffCommitted = new HandoffCommittedDecoder();
    private final HandoffAbandonedDecoder handoffAbandoned = new HandoffAbandonedDecoder();
    private final AuthorityClearedDecoder authorityCleared = new AuthorityClearedDecoder();

    private long unknown;
    private long malformed;

    /**
     * @param ring    the decision ring, this adapter its only reader.
     * @param handler told every decision, in order.
     */
    public AtlasDecisionAdapter(final RingBuffer ring, final AtlasDecisionHandler handler)
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
     * Records that were not Atlas decisions (record type, schema id or template id unknown).
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
            case HandoffStartedDecoder.TEMPLATE_ID:
                if (fits(HandoffStartedDecoder.BLOCK_LENGTH, blockLength, bodyLength))
                {
                    final HandoffStartedDecoder d = handoffStarted.wrap(buffer, offset, blockLength, version);
                    handler.onHandoffStarted(
                        d.handoffId(),
                        d.entityId(),
                        d.incarnation(),
                        d.fromIndex(),
                        d.fromSessionId(),
                        d.toIndex(),
                        d.toSessionId(),
                        d.territoryId(),
                        d.newEpoch());
                }
                break;

            case HandoffCommittedDecoder.TEMPLATE_ID:
                if (fits(HandoffCommittedDecoder.BLOCK_LENGTH, blockLength, bodyLength))
                {
                    final HandoffCommittedDecoder d = handoffCommitted.wrap(buffer, offset, blockLength, version);
                    handler.onHandoffCommitted(
                        d.handoffId(),
                        d.entityId(),
                        d.incarnation(),
                        d.fromIndex(),
                        d.toIndex(),
                        d.toSessionId(),
                        d.newEpoch());
                }
                break;

            case AuthorityAssignedDecoder.TEMPLATE_ID:
                if (fits(AuthorityAssignedDecoder.BLOCK_LENGTH, blockLength, bodyLength))
                {
                    final AuthorityAssignedDecoder d = authorityAssigned.wrap(buffer, offset, blockLength, version);
                    handler.onAuthorityAssigned(
                        d.entityId(), d.incarnation(), d.serverIndex(), d.sessionId(), d.territoryId(), d.epoch());
                }
                break;

            case HandoffAbandonedDecoder.TEMPLATE_ID:
                if (fits(HandoffAbandonedDecoder.BLOCK_LENGTH, blockLength, bodyLength))
                {
                    final HandoffAbandonedDecoder d = handoffAbandoned.wrap(buffer, offset, blockLength, version);
                    handler.onHandoffAbandoned(d.entityId(), d.incarnation(), 0 != d.orphaned());
                }
                break;

            case AuthorityClearedDecoder.TEMPLATE_ID:
                if (fits(AuthorityClearedDecoder.BLOCK_LENGTH, blockLength, bodyLength))
                {
                    final AuthorityClearedDecoder d = authorityCleared.wrap(buffer, offset, blockLength, version);
                    handler.onAuthorityCleared(d.entityId(), d.incarnation());
                }
                break;

            case TerritoryGrantedDecoder.TEMPLATE_ID:
                if (fits(TerritoryGrantedDecoder.BLOCK_LENGTH, blockLength, bodyLength))
                {
                    final TerritoryGrantedDecoder d = territoryGranted.wrap(buffer, offset, blockLength, version);
                    handler.onTerritoryGranted(d.territoryIndex(), d.serverIndex(), d.sessionId(), d.territoryEpoch());
                }
                break;

            case TerritoryResizedDecoder.TEMPLATE_ID:
                if (fits(TerritoryResizedDecoder.BLOCK_LENGTH, blockLength, bodyLength))
                {
                    final TerritoryResizedDecoder d = territoryResized.wrap(buffer, offset, blockLength, version);
                    handler.onTerritoryResized(d.territoryIndex(), d.serverIndex(), d.sessionId(), d.minX(), d.minY(),
                        d.minZ(), d.maxX(), d.maxY(), d.maxZ(), d.territoryEpoch());
                }
                break;

            case ServerWantedDecoder.TEMPLATE_ID:
                if (fits(ServerWantedDecoder.BLOCK_LENGTH, blockLength, bodyLength))
                {
                    final ServerWantedDecoder d = serverWanted.wrap(buffer, offset, blockLength, version);
                    handler.onServerWanted(d.serverIndex(), 0 != d.wanted());
                }
                break;

            case TerritoryFreedDecoder.TEMPLATE_ID:
                if (fits(TerritoryFreedDecoder.BLOCK_LENGTH, blockLength, bodyLength))
                {
                    final TerritoryFreedDecoder d = territoryFreed.wrap(buffer, offset, blockLength, version);
                    handler.onTerritoryFreed(d.territoryIndex(), d.serverIndex(), d.sessionId());
                }
                break;

            case ServerRetiredDecoder.TEMPLATE_ID:
                if (fits(ServerRetiredDecoder.BLOCK_LENGTH, blockLength, bodyLength))
                {
                    final ServerRetiredDecoder d = serverRetired.wrap(buffer, offset, blockLength, version);
                    handler.onServerRetired(d.serverIndex(), d.sessionId(), 0 != d.failedOver());
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
