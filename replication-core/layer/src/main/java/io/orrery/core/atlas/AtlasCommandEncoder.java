/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.orrery.wire.atlas.EntityAddedEncoder;
import io.orrery.wire.atlas.EntityMovedEncoder;
import io.orrery.wire.atlas.EntityRemovedEncoder;
import io.orrery.wire.atlas.HandoffAcceptedEncoder;
import io.orrery.wire.atlas.TerritoryHeldEncoder;
import io.orrery.wire.atlas.MessageHeaderEncoder;
import io.orrery.wire.atlas.ServerFailedEncoder;
import io.orrery.wire.atlas.ServerJoinedEncoder;
import io.orrery.wire.atlas.ServerLoadEncoder;
import io.orrery.wire.atlas.ServerSeenEncoder;
import io.orrery.wire.atlas.StreamOutEncoder;
import io.orrery.wire.atlas.TickEncoder;

/**
 * Encodes each {@link AtlasCommandHandler} call as one SBE message of the Atlas schema (header and body) through an
 * {@link AtlasMessageWriter}: the one encoding of Atlas's commands, whatever carries it (a ring, an Aeron publication).
 * Read back by an {@link AtlasCommandAdapter}.
 * <p>
 * Threading: the writer's thread only. Zero allocation.
 */
public class AtlasCommandEncoder implements AtlasCommandHandler
{
    private static final int HEADER_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH;

    /**
     * Length of the longest command, header included.
     */
    public static final int MAX_MESSAGE_LENGTH = HEADER_LENGTH + AtlasRingWriter.max(
        ServerJoinedEncoder.BLOCK_LENGTH,
        ServerFailedEncoder.BLOCK_LENGTH,
        ServerLoadEncoder.BLOCK_LENGTH,
        ServerSeenEncoder.BLOCK_LENGTH,
        TickEncoder.BLOCK_LENGTH,
        EntityAddedEncoder.BLOCK_LENGTH,
        EntityMovedEncoder.BLOCK_LENGTH,
        EntityRemovedEncoder.BLOCK_LENGTH,
        StreamOutEncoder.BLOCK_LENGTH,
        HandoffAcceptedEncoder.BLOCK_LENGTH,
        TerritoryHeldEncoder.BLOCK_LENGTH);

    private final AtlasMessageWriter writer;
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final ServerJoinedEncoder serverJoined = new ServerJoinedEncoder();
    private final ServerFailedEncoder serverFailed = new ServerFailedEncoder();
    private final ServerLoadEncoder serverLoad = new ServerLoadEncoder();
    private final ServerSeenEncoder serverSeen = new ServerSeenEncoder();
    private final TickEncoder tick = new TickEncoder();
    private final EntityAddedEncoder entityAdded = new EntityAddedEncoder();
    private final EntityMovedEncoder entityMoved = new EntityMovedEncoder();
    private final EntityRemovedEncoder entityRemoved = new EntityRemovedEncoder();
    private final StreamOutEncoder streamOut = new StreamOutEncoder();
    private final HandoffAcceptedEncoder handoffAccepted = new HandoffAcceptedEncoder();
    private final TerritoryHeldEncoder territoryHeld = new TerritoryHeldEncoder();

    /**
     * @param writer where each message is claimed, encoded and committed.
     */
    public AtlasCommandEncoder(final AtlasMessageWriter writer)
    {
        this.writer = writer;
    }

    @Override
    public void onServerJoined(
        final long nowNs, final int serverIndex, final long sessionId, final long replacedSessionId)
    {
        final int offset = writer.claim(HEADER_LENGTH + ServerJoinedEncoder.BLOCK_LENGTH);
        serverJoined.wrapAndApplyHeader(writer.buffer(), offset, header)
            .nowNs(nowNs)
            .serverIndex(serverIndex)
            .sessionId(sessionId)
            .replacedSessionId(replacedSessionId);
        writer.commit();
    }

    @Override
    public void onServerFailed(final long nowNs, final int serverIndex, final long sessionId)
    {
        final int offset = writer.claim(HEADER_LENGTH + ServerFailedEncoder.BLOCK_LENGTH);
        serverFailed.wrapAndApplyHeader(writer.buffer(), offset, header)
            .nowNs(nowNs)
            .serverIndex(serverIndex)
            .sessionId(sessionId);
        writer.commit();
    }

    @Override
    public void onServerLoad(
        final long nowNs,
        final int serverIndex,
        final long sessionId,
        final int entityCount,
        final int playerCount,
        final long tickTimeP50Ns,
        final long tickTimeMaxNs,
        final float cpuLoad,
        final int timeDilationPerMille)
    {
        final int offset = writer.claim(HEADER_LENGTH + ServerLoadEncoder.BLOCK_LENGTH);
        serverLoad.wrapAndApplyHeader(writer.buffer(), offset, header)
            .nowNs(nowNs)
            .serverIndex(serverIndex)
            .sessionId(sessionId)
            .entityCount(entityCount)
            .playerCount(playerCount)
            .tickTimeP50Ns(tickTimeP50Ns)
            .tickTimeMaxNs(tickTimeMaxNs)
            .cpuLoad(cpuLoad)
            .timeDilationPerMille(timeDilationPerMille);
        writer.commit();
    }

    @Override
    public void onServerSeen(final int serverIndex, final long sessionId, final long lastHeardNs, final boolean bound)
    {
        final int offset = writer.claim(HEADER_LENGTH + ServerSeenEncoder.BLOCK_LENGTH);
        serverSeen.wrapAndApplyHeader(writer.buffer(), offset, header)
            .serverIndex(serverIndex)
            .sessionId(sessionId)
            .lastHeardNs(lastHeardNs)
            .bound(bound ? (short)1 : (short)0);
        writer.commit();
    }

    @Override
    public void onTick(final long nowNs, final long tick, final long silenceFloorNs, final boolean ingressCaughtUp)
    {
        final int offset = writer.claim(HEADER_LENGTH + TickEncoder.BLOCK_LENGTH);
        this.tick.wrapAndApplyHeader(writer.buffer(), offset, header)
            .nowNs(nowNs)
            .tick(tick)
            .silenceFloorNs(silenceFloorNs)
            .ingressCaughtUp(ingressCaughtUp ? (short)1 : (short)0);
        writer.commit();
    }

    @Override
    public void onEntityAdded(
        final long entityId,
        final long incarnation,
        final long parentId,
        final boolean isZone,
        final long x,
        final long y,
        final long z,
        final long epoch)
    {
        final int offset = writer.claim(HEADER_LENGTH + EntityAddedEncoder.BLOCK_LENGTH);
        entityAdded.wrapAndApplyHeader(writer.buffer(), offset, header)
            .entityId(entityId)
            .incarnation(incarnation)
            .parentId(parentId)
            .isZone(isZone ? (short)1 : (short)0)
            .x(x)
            .y(y)
            .z(z)
            .epoch(epoch);
        writer.commit();
    }

    @Override
    public void onEntityMoved(
        final long entityId, final long incarnation, final long parentId, final long x, final long y, final long z)
    {
        final int offset = writer.claim(HEADER_LENGTH + EntityMovedEncoder.BLOCK_LENGTH);
        entityMoved.wrapAndApplyHeader(writer.buffer(), offset, header)
            .entityId(entityId)
            .incarnation(incarnation)
            .parentId(parentId)
            .x(x)
            .y(y)
            .z(z);
        writer.commit();
    }

    @Override
    public void onEntityRemoved(final long entityId, final long incarnation)
    {
        final int offset = writer.claim(HEADER_LENGTH + EntityRemovedEncoder.BLOCK_LENGTH);
        entityRemoved.wrapAndApplyHeader(writer.buffer(), offset, header)
            .entityId(entityId)
            .incarnation(incarnation);
        writer.commit();
    }

    @Override
    public void onStreamOut(
        final long nowNs, final int serverIndex, final long sessionId, final long entityId, final long epoch)
    {
        final int offset = writer.claim(HEADER_LENGTH + StreamOutEncoder.BLOCK_LENGTH);
        streamOut.wrapAndApplyHeader(writer.buffer(), offset, header)
            .nowNs(nowNs)
            .serverIndex(serverIndex)
            .sessionId(sessionId)
            .entityId(entityId)
            .epoch(epoch);
        writer.commit();
    }

    @Override
    public void onHandoffAccepted(
        final long nowNs, final int serverIndex, final long sessionId, final long handoffId, final long entityId)
    {
        final int offset = writer.claim(HEADER_LENGTH + HandoffAcceptedEncoder.BLOCK_LENGTH);
        handoffAccepted.wrapAndApplyHeader(writer.buffer(), offset, header)
            .nowNs(nowNs)
            .serverIndex(serverIndex)
            .sessionId(sessionId)
            .handoffId(handoffId)
            .entityId(entityId);
        writer.commit();
    }

    @Override
    public void onTerritoryHeld(
        final int territoryIndex,
        final int serverIndex,
        final long sessionId,
        final long territoryEpoch,
        final long minX,
        final long minY,
        final long minZ,
        final long maxX,
        final long maxY,
        final long maxZ)
    {
        final int offset = writer.claim(HEADER_LENGTH + TerritoryHeldEncoder.BLOCK_LENGTH);
        territoryHeld.wrapAndApplyHeader(writer.buffer(), offset, header)
            .territoryIndex(territoryIndex)
            .serverIndex(serverIndex)
            .sessionId(sessionId)
            .territoryEpoch(territoryEpoch)
            .minX(minX)
            .minY(minY)
            .minZ(minZ)
            .maxX(maxX)
            .maxY(maxY)
            .maxZ(maxZ);
        writer.commit();
    }
}
