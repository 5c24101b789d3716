/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.orrery.wire.atlas.AuthorityAssignedDecoder;
import io.orrery.wire.atlas.AuthorityClearedDecoder;
import io.orrery.wire.atlas.HandoffAbandonedDecoder;
import io.orrery.wire.atlas.HandoffCommittedDecoder;
import io.orrery.wire.atlas.HandoffStartedDecoder;
import io.orrery.wire.atlas.ServerRetiredDecoder;
import io.orrery.wire.atlas.TerritoryFreedDecoder;
import io.orrery.wire.atlas.TerritoryGrantedDecoder;
import io.orrery.wire.atlas.TerritoryResizedDecoder;
import io.orrery.wire.atlas.ServerWantedDecoder;
import org.agrona.MutableDirectBuffer;
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
public final class AtlasDecisionAdapter extends AtlasRingReader
{
    private final AtlasDecisionHandler handler;
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

    /**
     * @param ring    the decision ring, this adapter its only reader.
     * @param handler told every decision, in order.
     */
    public AtlasDecisionAdapter(final RingBuffer ring, final AtlasDecisionHandler handler)
    {
        super(ring);
        this.handler = handler;
    }

    @Override
    void dispatch(
        final int templateId,
        final MutableDirectBuffer buffer,
        final int offset,
        final int blockLength,
        final int version,
        final int bodyLength)
    {
        switch (templateId)
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
                onUnknown();
                break;
        }
    }
}
