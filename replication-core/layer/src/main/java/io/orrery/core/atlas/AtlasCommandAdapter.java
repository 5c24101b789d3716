/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.orrery.wire.atlas.EntityAddedDecoder;
import io.orrery.wire.atlas.EntityMovedDecoder;
import io.orrery.wire.atlas.EntityRemovedDecoder;
import io.orrery.wire.atlas.HandoffAcceptedDecoder;
import io.orrery.wire.atlas.TerritoryHeldDecoder;
import io.orrery.wire.atlas.ServerFailedDecoder;
import io.orrery.wire.atlas.ServerJoinedDecoder;
import io.orrery.wire.atlas.ServerLoadDecoder;
import io.orrery.wire.atlas.ServerSeenDecoder;
import io.orrery.wire.atlas.StreamOutDecoder;
import io.orrery.wire.atlas.TickDecoder;
import org.agrona.MutableDirectBuffer;
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
public final class AtlasCommandAdapter extends AtlasRingReader
{
    private final AtlasCommandHandler handler;
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
    private final TerritoryHeldDecoder territoryHeld = new TerritoryHeldDecoder();

    /**
     * @param ring    the command ring, this adapter its only reader.
     * @param handler told every command, in order.
     */
    public AtlasCommandAdapter(final RingBuffer ring, final AtlasCommandHandler handler)
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
                        d.cpuLoad(),
                        d.timeDilationPerMille());
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

            case TerritoryHeldDecoder.TEMPLATE_ID:
                if (fits(TerritoryHeldDecoder.BLOCK_LENGTH, blockLength, bodyLength))
                {
                    final TerritoryHeldDecoder d = territoryHeld.wrap(buffer, offset, blockLength, version);
                    handler.onTerritoryHeld(d.territoryIndex(), d.serverIndex(), d.sessionId(), d.territoryEpoch(),
                        d.minX(), d.minY(), d.minZ(), d.maxX(), d.maxY(), d.maxZ());
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
                onUnknown();
                break;
        }
    }
}
