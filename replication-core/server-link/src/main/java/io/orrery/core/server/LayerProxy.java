/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.server;

import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.orrery.link.EntityState;
import io.orrery.link.Publications;
import io.orrery.wire.EntityFields;
import io.orrery.wire.codec.DespawnReason;
import io.orrery.wire.codec.DisconnectReason;
import io.orrery.wire.codec.EntityCreateRequestEncoder;
import io.orrery.wire.codec.EntityDestroyRequestEncoder;
import io.orrery.wire.codec.EntityStateBatchEncoder;
import io.orrery.wire.codec.EntityStreamOutEncoder;
import io.orrery.wire.codec.HandoffAcceptEncoder;
import io.orrery.wire.codec.LoadReportEncoder;
import io.orrery.wire.codec.MessageHeaderEncoder;
import io.orrery.wire.codec.ServerGoodbyeEncoder;
import io.orrery.wire.codec.ServerHelloEncoder;
import io.orrery.wire.codec.ServerTickEndEncoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * Encodes and offers what a {@link ServerLink} sends to the Replication Layer on its ingress publication: the hello,
 * state batches (split into messages of about {@link ServerLink#MAX_BATCH_BYTES}), create, destroy and release
 * requests, handoff accepts, load reports and the goodbye on close. Every method returns {@link ServerLink#OK} or a
 * negative code and never throws or allocates; without a publication everything is {@link ServerLink#NOT_CONNECTED}.
 * <p>
 * Threading: the link's duty-cycle thread only.
 */
final class LayerProxy
{
    private static final int MAX_GROUP_ENTRIES = 4096;

    private final int serverId;
    private final int maxStateBytes;
    private final UnsafeBuffer sendBuffer;
    private final UnsafeBuffer controlBuffer = new UnsafeBuffer(new byte[256]);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final ServerHelloEncoder helloEncoder = new ServerHelloEncoder();
    private final EntityStateBatchEncoder stateBatchEncoder = new EntityStateBatchEncoder();
    private final EntityCreateRequestEncoder createEncoder = new EntityCreateRequestEncoder();
    private final EntityDestroyRequestEncoder destroyEncoder = new EntityDestroyRequestEncoder();
    private final EntityStreamOutEncoder streamOutEncoder = new EntityStreamOutEncoder();
    private final HandoffAcceptEncoder acceptEncoder = new HandoffAcceptEncoder();
    private final LoadReportEncoder loadReportEncoder = new LoadReportEncoder();
    private final ServerTickEndEncoder tickEndEncoder = new ServerTickEndEncoder();
    private final ServerGoodbyeEncoder goodbyeEncoder = new ServerGoodbyeEncoder();

    private ExclusivePublication publication;

    private EntityStateBatchEncoder.StatesEncoder states;
    private boolean batchOpen;
    private int batchCount;
    private long batchTick;
    private long batchNowNs;

    private long loadTick;
    private int loadTimeDilationPerMille = 1000;
    private int loadEntityCount;
    private int loadPlayerCount;
    private long loadTickTimeP50Ns;
    private long loadTickTimeMaxNs;
    private float loadCpuLoad;

    private long statesSent;
    private long batchesSent;
    private long backPressureEvents;

    LayerProxy(final int serverId, final int maxStateBytes)
    {
        this.serverId = serverId;
        this.maxStateBytes = maxStateBytes;
        this.sendBuffer = new UnsafeBuffer(new byte[2 * ServerLink.MAX_BATCH_BYTES + 2 * maxStateBytes + 1024]);
    }

    /**
     * The ingress publication to offer on (null: none, everything is {@link ServerLink#NOT_CONNECTED}).
     */
    void publication(final ExclusivePublication publication)
    {
        this.publication = publication;
    }

    /**
     * Drop the open batch (the connection went away).
     */
    void abandonBatch()
    {
        batchOpen = false;
    }

    boolean sendHello(final ServerLink.Context ctx, final long helloNonce, final long nowNs)
    {
        final byte[] token = ctx.token();
        final ServerHelloEncoder hello = helloEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .protocolVersion(ServerLink.PROTOCOL_VERSION)
            .serverId(serverId)
            .responseStreamId(ctx.responseStreamId())
            .tickRateHz(ctx.tickRateHz())
            .maxEntities(0)
            .serverTimestampNs(nowNs)
            .helloNonce(helloNonce)
            .putAuthToken(token, 0, token.length)
            .responseChannel(ctx.responseChannel());
        return offer(sendBuffer, MessageHeaderEncoder.ENCODED_LENGTH + hello.encodedLength()) == ServerLink.OK;
    }

    int beginStateBatch(final long tick, final long nowNs, final boolean connected)
    {
        int result = ServerLink.OK;
        if (batchOpen)
        {
            result = commitStateBatch();
        }
        if (!connected)
        {
            batchOpen = false;
            return ServerLink.NOT_CONNECTED;
        }
        batchOpen = true;
        batchCount = 0;
        batchTick = tick;
        batchNowNs = nowNs;
        return result;
    }

    int appendState(final EntityState state, final int changedMask)
    {
        if (!batchOpen)
        {
            return ServerLink.NO_BATCH;
        }
        final int stateLength = 0 != (changedMask & EntityFields.COMPONENT_STATE) ? state.componentStateLength() : 0;
        if (stateLength > maxStateBytes)
        {
            return ServerLink.STATE_TOO_LONG;
        }
        int result = ServerLink.OK;
        if (batchCount > 0 && (batchCount == MAX_GROUP_ENTRIES ||
            stateBatchEncoder.limit() + EntityStateBatchEncoder.StatesEncoder.sbeBlockLength() + 2 + stateLength >
            ServerLink.MAX_BATCH_BYTES))
        {
            result = flushStateBatch();
        }
        if (0 == batchCount)
        {
            states = stateBatchEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
                .serverId(serverId)
                .tick(batchTick)
                .serverTimeNs(batchNowNs)
                .statesCount(MAX_GROUP_ENTRIES);
        }
        final EntityStateBatchEncoder.StatesEncoder entry = states.next()
            .entityId(state.entityId())
            .authorityEpoch(state.authorityEpoch());
        sendBuffer.putShort(entry.changed().offset(), (short)changedMask, ByteOrder.LITTLE_ENDIAN);
        entry.parentZoneId(state.parentZoneId());
        entry.position().x(state.x()).y(state.y()).z(state.z());
        entry.orientation().x(state.qx()).y(state.qy()).z(state.qz()).w(state.qw());
        entry.velocity().x(state.vx()).y(state.vy()).z(state.vz());
        entry.radius(state.radius()).lastAppliedInputSequence(state.lastAppliedInputSequence());
        entry.putComponentState(state.componentStateBuffer(), 0, stateLength);
        batchCount++;
        return result;
    }

    int commitStateBatch()
    {
        if (!batchOpen)
        {
            return ServerLink.NO_BATCH;
        }
        batchOpen = false;
        return 0 == batchCount ? ServerLink.OK : flushStateBatch();
    }

    /**
     * Commit the open batch, if any, then send {@code ServerTickEnd} for the tick.
     *
     * @return the first failure of the commit or the marker, else {@link ServerLink#OK}.
     */
    int endTick(final long tick, final long nowNs, final boolean connected)
    {
        final int committed = batchOpen ? commitStateBatch() : ServerLink.OK;
        if (!connected)
        {
            return ServerLink.NOT_CONNECTED;
        }
        tickEndEncoder.wrapAndApplyHeader(controlBuffer, 0, headerEncoder)
            .serverId(serverId)
            .tick(tick)
            .serverTimeNs(nowNs);
        final int result = offer(controlBuffer, MessageHeaderEncoder.ENCODED_LENGTH + tickEndEncoder.encodedLength());
        return ServerLink.OK != committed ? committed : result;
    }

    private int flushStateBatch()
    {
        states.resetCountToIndex();
        final int count = batchCount;
        batchCount = 0;
        final int result = offer(sendBuffer, stateBatchEncoder.limit());
        if (ServerLink.OK == result)
        {
            statesSent += count;
            batchesSent++;
        }
        return result;
    }

    int createEntity(final EntityState entity, final boolean isZone)
    {
        final EntityCreateRequestEncoder create = createEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .serverId(serverId)
            .entityId(entity.entityId())
            .archetypeId(entity.archetypeId())
            .ownerPlayerId(entity.ownerPlayerId())
            .parentZoneId(entity.parentZoneId());
        create.position().x(entity.x()).y(entity.y()).z(entity.z());
        create.orientation().x(entity.qx()).y(entity.qy()).z(entity.qz()).w(entity.qw());
        create.velocity().x(entity.vx()).y(entity.vy()).z(entity.vz());
        create.radius(entity.radius())
            .isZone((short)(isZone ? 1 : 0))
            .putComponentState(entity.componentStateBuffer(), 0, entity.componentStateLength());
        return offer(sendBuffer, MessageHeaderEncoder.ENCODED_LENGTH + create.encodedLength());
    }

    int destroyEntity(final long entityId, final long epoch)
    {
        destroyEncoder.wrapAndApplyHeader(controlBuffer, 0, headerEncoder)
            .serverId(serverId)
            .entityId(entityId)
            .authorityEpoch(epoch);
        return offer(controlBuffer, MessageHeaderEncoder.ENCODED_LENGTH + destroyEncoder.encodedLength());
    }

    int releaseEntity(final EntityState finalState)
    {
        if (batchOpen && batchCount > 0)
        {
            final int result = flushStateBatch();
            if (ServerLink.OK != result)
            {
                return result;
            }
        }
        final EntityStreamOutEncoder.EntitiesEncoder entry = streamOutEncoder
            .wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .territoryId(0)
            .epoch(finalState.authorityEpoch())
            .reason(DespawnReason.destroyed)
            .entitiesCount(1)
            .next()
            .entityId(finalState.entityId())
            .archetypeId(finalState.archetypeId())
            .ownerPlayerId(finalState.ownerPlayerId())
            .parentZoneId(finalState.parentZoneId());
        entry.position().x(finalState.x()).y(finalState.y()).z(finalState.z());
        entry.orientation().x(finalState.qx()).y(finalState.qy()).z(finalState.qz()).w(finalState.qw());
        entry.velocity().x(finalState.vx()).y(finalState.vy()).z(finalState.vz());
        entry.radius(finalState.radius())
            .authorityEpoch(finalState.authorityEpoch())
            .lastAppliedInputSequence(finalState.lastAppliedInputSequence())
            .putComponentState(finalState.componentStateBuffer(), 0, finalState.componentStateLength());
        return offer(sendBuffer, streamOutEncoder.limit());
    }

    int sendHandoffAccept(final long handoffId, final long entityId, final long newEpoch)
    {
        acceptEncoder.wrapAndApplyHeader(controlBuffer, 0, headerEncoder)
            .handoffId(handoffId)
            .entityId(entityId)
            .serverId(serverId)
            .newEpoch(newEpoch);
        return offer(controlBuffer, MessageHeaderEncoder.ENCODED_LENGTH + acceptEncoder.encodedLength());
    }

    /**
     * Keep the figures the heartbeat repeats.
     */
    void loadFigures(
        final long tick, final int entityCount, final int playerCount, final long tickTimeP50Ns,
        final long tickTimeMaxNs, final float cpuLoad, final int timeDilationPerMille)
    {
        loadTimeDilationPerMille = timeDilationPerMille;
        loadTick = tick;
        loadEntityCount = entityCount;
        loadPlayerCount = playerCount;
        loadTickTimeP50Ns = tickTimeP50Ns;
        loadTickTimeMaxNs = tickTimeMaxNs;
        loadCpuLoad = cpuLoad;
    }

    int sendLoadReport(final long nowNs)
    {
        loadReportEncoder.wrapAndApplyHeader(controlBuffer, 0, headerEncoder)
            .serverId(serverId)
            .serverTimestampNs(nowNs)
            .tick(loadTick)
            .entityCount(loadEntityCount)
            .playerCount(loadPlayerCount)
            .tickTimeP50Ns(loadTickTimeP50Ns)
            .tickTimeMaxNs(loadTickTimeMaxNs)
            .cpuLoad(loadCpuLoad)
            .timeDilationPerMille(loadTimeDilationPerMille);
        return offer(controlBuffer, MessageHeaderEncoder.ENCODED_LENGTH + loadReportEncoder.encodedLength());
    }

    long statesSent()
    {
        return statesSent;
    }

    long batchesSent()
    {
        return batchesSent;
    }

    long backPressureEvents()
    {
        return backPressureEvents;
    }

    /**
     * The server's goodbye on a clean close ({@code ServerGoodbye}, reason {@code shutdown}): the layer fails this
     * session's territories over at once instead of after its heartbeat timeout. Best effort: at most
     * {@code attempts} offers, never waiting; a back-pressured or unconnected publication leaves it to the layer's
     * silence timeout, as before.
     *
     * @return {@link ServerLink#OK} if offered, else the last failure.
     */
    int sendGoodbye(final long serverSessionId, final int attempts)
    {
        goodbyeEncoder.wrapAndApplyHeader(controlBuffer, 0, headerEncoder)
            .serverId(serverId)
            .serverSessionId(serverSessionId)
            .reason(DisconnectReason.shutdown);
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + goodbyeEncoder.encodedLength();
        int result = ServerLink.NOT_CONNECTED;
        for (int i = 0; i < attempts; i++)
        {
            result = offer(controlBuffer, length);
            if (ServerLink.BACK_PRESSURED != result)
            {
                break;
            }
        }
        return result;
    }

    private int offer(final DirectBuffer buffer, final int length)
    {
        final ExclusivePublication publication = this.publication;
        if (null == publication)
        {
            return ServerLink.NOT_CONNECTED;
        }
        final long result = Publications.offer(publication, buffer, 0, length);
        if (result > 0)
        {
            return ServerLink.OK;
        }
        if (Publication.NOT_CONNECTED == result || Publication.CLOSED == result ||
            Publication.MAX_POSITION_EXCEEDED == result)
        {
            return ServerLink.NOT_CONNECTED;
        }
        backPressureEvents++;
        return ServerLink.BACK_PRESSURED;
    }
}
