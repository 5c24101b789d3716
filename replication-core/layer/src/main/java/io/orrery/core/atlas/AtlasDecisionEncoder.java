/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.orrery.wire.atlas.AuthorityAssignedEncoder;
import io.orrery.wire.atlas.AuthorityClearedEncoder;
import io.orrery.wire.atlas.HandoffAbandonedEncoder;
import io.orrery.wire.atlas.HandoffCommittedEncoder;
import io.orrery.wire.atlas.HandoffStartedEncoder;
import io.orrery.wire.atlas.MessageHeaderEncoder;
import io.orrery.wire.atlas.ServerRetiredEncoder;
import io.orrery.wire.atlas.TerritoryFreedEncoder;
import io.orrery.wire.atlas.ServerWantedEncoder;
import io.orrery.wire.atlas.TerritoryGrantedEncoder;
import io.orrery.wire.atlas.TerritoryResizedEncoder;

/**
 * Encodes each {@link AtlasDecisionHandler} call as one SBE message of the Atlas schema (header and body) through an
 * {@link AtlasMessageWriter}: the one encoding of Atlas's decisions, whatever carries it (a ring, an Aeron
 * publication).
 * Read back by an {@link AtlasDecisionAdapter}.
 * <p>
 * Threading: the writer's thread only. Zero allocation.
 */
public class AtlasDecisionEncoder implements AtlasDecisionHandler
{
    private static final int HEADER_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH;

    /**
     * Length of the longest decision, header included.
     */
    public static final int MAX_MESSAGE_LENGTH = HEADER_LENGTH + AtlasRingWriter.max(
        TerritoryGrantedEncoder.BLOCK_LENGTH,
        TerritoryFreedEncoder.BLOCK_LENGTH,
        ServerRetiredEncoder.BLOCK_LENGTH,
        AuthorityAssignedEncoder.BLOCK_LENGTH,
        HandoffStartedEncoder.BLOCK_LENGTH,
        HandoffCommittedEncoder.BLOCK_LENGTH,
        HandoffAbandonedEncoder.BLOCK_LENGTH,
        AuthorityClearedEncoder.BLOCK_LENGTH,
        TerritoryResizedEncoder.BLOCK_LENGTH,
        ServerWantedEncoder.BLOCK_LENGTH);

    private final AtlasMessageWriter writer;
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final TerritoryGrantedEncoder territoryGranted = new TerritoryGrantedEncoder();
    private final TerritoryFreedEncoder territoryFreed = new TerritoryFreedEncoder();
    private final ServerRetiredEncoder serverRetired = new ServerRetiredEncoder();
    private final AuthorityAssignedEncoder authorityAssigned = new AuthorityAssignedEncoder();
    private final HandoffStartedEncoder handoffStarted = new HandoffStartedEncoder();
    private final HandoffCommittedEncoder handoffCommitted = new HandoffCommittedEncoder();
    private final HandoffAbandonedEncoder handoffAbandoned = new HandoffAbandonedEncoder();
    private final AuthorityClearedEncoder authorityCleared = new AuthorityClearedEncoder();
    private final TerritoryResizedEncoder territoryResized = new TerritoryResizedEncoder();
    private final ServerWantedEncoder serverWanted = new ServerWantedEncoder();

    /**
     * @param writer where each message is claimed, encoded and committed.
     */
    public AtlasDecisionEncoder(final AtlasMessageWriter writer)
    {
        this.writer = writer;
    }

    @Override
    public void onTerritoryGranted(
        final int territoryIndex, final int serverIndex, final long sessionId, final long territoryEpoch)
    {
        final int offset = writer.claim(HEADER_LENGTH + TerritoryGrantedEncoder.BLOCK_LENGTH);
        territoryGranted.wrapAndApplyHeader(writer.buffer(), offset, header)
            .territoryIndex(territoryIndex)
            .serverIndex(serverIndex)
            .sessionId(sessionId)
            .territoryEpoch(territoryEpoch);
        writer.commit();
    }

    @Override
    public void onTerritoryResized(
        final int territoryIndex,
        final int serverIndex,
        final long sessionId,
        final long minX,
        final long minY,
        final long minZ,
        final long maxX,
        final long maxY,
        final long maxZ,
        final long territoryEpoch)
    {
        final int offset = writer.claim(HEADER_LENGTH + TerritoryResizedEncoder.BLOCK_LENGTH);
        territoryResized.wrapAndApplyHeader(writer.buffer(), offset, header)
            .territoryIndex(territoryIndex)
            .serverIndex(serverIndex)
            .sessionId(sessionId)
            .minX(minX)
            .minY(minY)
            .minZ(minZ)
            .maxX(maxX)
            .maxY(maxY)
            .maxZ(maxZ)
            .territoryEpoch(territoryEpoch);
        writer.commit();
    }

    @Override
    public void onServerWanted(final int serverIndex, final boolean wanted)
    {
        final int offset = writer.claim(HEADER_LENGTH + ServerWantedEncoder.BLOCK_LENGTH);
        serverWanted.wrapAndApplyHeader(writer.buffer(), offset, header)
            .serverIndex(serverIndex)
            .wanted((short)(wanted ? 1 : 0));
        writer.commit();
    }

    @Override
    public void onTerritoryFreed(final int territoryIndex, final int serverIndex, final long sessionId)
    {
        final int offset = writer.claim(HEADER_LENGTH + TerritoryFreedEncoder.BLOCK_LENGTH);
        territoryFreed.wrapAndApplyHeader(writer.buffer(), offset, header)
            .territoryIndex(territoryIndex)
            .serverIndex(serverIndex)
            .sessionId(sessionId);
        writer.commit();
    }

    @Override
    public void onServerRetired(final int serverIndex, final long sessionId, final boolean failedOver)
    {
        final int offset = writer.claim(HEADER_LENGTH + ServerRetiredEncoder.BLOCK_LENGTH);
        serverRetired.wrapAndApplyHeader(writer.buffer(), offset, header)
            .serverIndex(serverIndex)
            .sessionId(sessionId)
            .failedOver(failedOver ? (short)1 : (short)0);
        writer.commit();
    }

    @Override
    public void onAuthorityAssigned(
        final long entityId,
        final long incarnation,
        final int serverIndex,
        final long sessionId,
        final int territoryId,
        final long epoch)
    {
        final int offset = writer.claim(HEADER_LENGTH + AuthorityAssignedEncoder.BLOCK_LENGTH);
        authorityAssigned.wrapAndApplyHeader(writer.buffer(), offset, header)
            .entityId(entityId)
            .incarnation(incarnation)
            .serverIndex(serverIndex)
            .sessionId(sessionId)
            .territoryId(territoryId)
            .epoch(epoch);
        writer.commit();
    }

    @Override
    public void onHandoffStarted(
        final long handoffId,
        final long entityId,
        final long incarnation,
        final int fromIndex,
        final long fromSessionId,
        final int toIndex,
        final long toSessionId,
        final int territoryId,
        final long newEpoch)
    {
        final int offset = writer.claim(HEADER_LENGTH + HandoffStartedEncoder.BLOCK_LENGTH);
        handoffStarted.wrapAndApplyHeader(writer.buffer(), offset, header)
            .handoffId(handoffId)
            .entityId(entityId)
            .incarnation(incarnation)
            .fromIndex(fromIndex)
            .fromSessionId(fromSessionId)
            .toIndex(toIndex)
            .toSessionId(toSessionId)
            .territoryId(territoryId)
            .newEpoch(newEpoch);
        writer.commit();
    }

    @Override
    public void onHandoffCommitted(
        final long handoffId,
        final long entityId,
        final long incarnation,
        final int fromIndex,
        final int toIndex,
        final long toSessionId,
        final long newEpoch)
    {
        final int offset = writer.claim(HEADER_LENGTH + HandoffCommittedEncoder.BLOCK_LENGTH);
        handoffCommitted.wrapAndApplyHeader(writer.buffer(), offset, header)
            .handoffId(handoffId)
            .entityId(entityId)
            .incarnation(incarnation)
            .fromIndex(fromIndex)
            .toIndex(toIndex)
            .toSessionId(toSessionId)
            .newEpoch(newEpoch);
        writer.commit();
    }

    @Override
    public void onHandoffAbandoned(final long entityId, final long incarnation, final boolean orphaned)
    {
        final int offset = writer.claim(HEADER_LENGTH + HandoffAbandonedEncoder.BLOCK_LENGTH);
        handoffAbandoned.wrapAndApplyHeader(writer.buffer(), offset, header)
            .entityId(entityId)
            .incarnation(incarnation)
            .orphaned(orphaned ? (short)1 : (short)0);
        writer.commit();
    }

    @Override
    public void onAuthorityCleared(final long entityId, final long incarnation)
    {
        final int offset = writer.claim(HEADER_LENGTH + AuthorityClearedEncoder.BLOCK_LENGTH);
        authorityCleared.wrapAndApplyHeader(writer.buffer(), offset, header)
            .entityId(entityId)
            .incarnation(incarnation);
        writer.commit();
    }
}
