/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.orrery.wire.atlas.EntityAddedEncoder;
import io.orrery.wire.atlas.EntityMovedEncoder;
import io.orrery.wire.atlas.EntityRemovedEncoder;
import io.orrery.wire.atlas.HandoffAcceptedEncoder;
import io.orrery.wire.atlas.MessageHeaderEncoder;
import io.orrery.wire.atlas.ServerFailedEncoder;
import io.orrery.wire.atlas.ServerJoinedEncoder;
import io.orrery.wire.atlas.ServerLoadEncoder;
import io.orrery.wire.atlas.ServerSeenEncoder;
import io.orrery.wire.atlas.StreamOutEncoder;
import io.orrery.wire.atlas.TickEncoder;
import org.agrona.concurrent.ringbuffer.RingBuffer;

/**
 * Encodes each {@link AtlasCommandHandler} call as one SBE message of the Atlas schema (header and body) into a ring
 * read by an {@link AtlasCommandAdapter} (see {@link AtlasRings} for the record layout).
 * <p>
 * Nothing is lost and order is kept: a message that does not fit in the ring waits in an internal overflow, and while
 * anything waits there every later message queues behind it. The owner calls {@link #flush()} in its duty cycle to
 * move waiting messages to the ring as the reader frees space.
 * <p>
 * Threading: the ring's one writer thread only (calls and {@link #flush()}). Zero allocation, except when the
 * overflow grows.
 */
public final class AtlasCommandProxy implements AtlasCommandHandler
{
    private static final int HEADER_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH;

    /**
     * Length of the longest command, header included.
     */
    static final int MAX_MESSAGE_LENGTH = HEADER_LENGTH + AtlasRingWriter.max(
        ServerJoinedEncoder.BLOCK_LENGTH,
        ServerFailedEncoder.BLOCK_LENGTH,
        ServerLoadEncoder.BLOCK_LENGTH,
        ServerSeenEncoder.BLOCK_LENGTH,
        TickEncoder.BLOCK_LENGTH,
        EntityAddedEncoder.BLOCK_LENGTH,
        EntityMovedEncoder.BLOCK_LENGTH,
        EntityRemovedEncoder.BLOCK_LENGTH,
        StreamOutEncoder.BLOCK_LENGTH,
        HandoffAcceptedEncoder.BLOCK_LENGTH);

    private final AtlasRingWriter writer;
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

    /**
     * @param ring the command ring, this proxy its only writer.
     * @throws IllegalArgumentException if the ring's maximum message length is below the longest command's.
     */
    public AtlasCommandProxy(final RingBuffer ring)
    {
        writer = new AtlasRingWriter(ring, MAX_MESSAGE_LENGTH);
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
        final float cpuLoad)
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
            .cpuLoad(cpuLoad);
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
}
