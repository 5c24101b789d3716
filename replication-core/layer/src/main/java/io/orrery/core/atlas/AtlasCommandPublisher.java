/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.aeron.ExclusivePublication;
import io.orrery.wire.atlas.MessageHeaderEncoder;
import io.orrery.wire.atlas.ResyncCompleteEncoder;

/**
 * Sends Atlas commands over Aeron (the layer's side: the mesh's commands to an Atlas in another process), read by an
 * {@link AtlasCommandSubscriber}: each call is encoded by an
 * {@link AtlasCommandEncoder} (the same encoding as the ring's {@link AtlasCommandProxy}) straight into the publication
 * through an {@link AtlasPublicationWriter}. Back-pressure loses nothing and keeps order: a message that cannot be
 * claimed waits in an ordered overflow, counted in {@link #overflowed()}, and the owner calls {@link #flush()}
 * every duty cycle. While no subscriber is connected (the peer process is gone) messages are dropped and counted
 * ({@link #dropped()}): the link resynchronises the peer when it is back ({@link AtlasLinkControl}).
 * <p>
 * Threading: the publication's one writer thread only. Zero allocation unless the overflow grows.
 */
public final class AtlasCommandPublisher implements AtlasCommandHandler, AutoCloseable
{
    private static final int HEADER_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH;

    private final ExclusivePublication publication;
    private final AtlasPublicationWriter writer;
    private final AtlasCommandEncoder encoder;
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final ResyncCompleteEncoder resyncComplete = new ResyncCompleteEncoder();

    /**
     * @param publication the command publication, this publisher its only user, closed with it.
     */
    public AtlasCommandPublisher(final ExclusivePublication publication)
    {
        this.publication = publication;
        writer = new AtlasPublicationWriter(
            publication, Math.max(AtlasCommandEncoder.MAX_MESSAGE_LENGTH, AtlasLinkAuthenticator.MAX_MESSAGE_LENGTH));
        encoder = new AtlasCommandEncoder(writer);
    }

    /**
     * Offers what waits in the overflow, in order.
     *
     * @return messages sent.
     */
    public int flush()
    {
        return writer.flush();
    }

    /**
     * Tells Atlas the layer resent its whole state for a generation (after the state itself).
     */
    public void resyncComplete(final long generation)
    {
        final int offset = writer.claim(HEADER_LENGTH + ResyncCompleteEncoder.BLOCK_LENGTH);
        resyncComplete.wrapAndApplyHeader(writer.buffer(), offset, header).generation(generation);
        writer.commit();
    }

    /**
     * @return whether a subscriber is connected.
     */
    public boolean isConnected()
    {
        return writer.isConnected();
    }

    /**
     * @return the publication's position: how far the messages sent so far reach.
     */
    public long position()
    {
        return publication.position();
    }

    /**
     * @return the publication's Aeron session id.
     */
    public int sessionId()
    {
        return writer.sessionId();
    }

    /**
     * @return messages that waited in the overflow (back-pressure) since creation.
     */
    public long overflowed()
    {
        return writer.overflowed();
    }

    /**
     * @return messages dropped while no subscriber was connected.
     */
    public long dropped()
    {
        return writer.dropped();
    }

    public boolean hasBacklog()
    {
        return writer.hasBacklog();
    }

    /**
     * @return the writer of the publication (the link's handshake writes its challenges and proofs there too).
     */
    public AtlasPublicationWriter writer()
    {
        return writer;
    }

    @Override
    public void close()
    {
        publication.close();
    }

    @Override
    public void onServerJoined(
        final long nowNs, final int serverIndex, final long sessionId, final long replacedSessionId)
    {
        encoder.onServerJoined(nowNs, serverIndex, sessionId, replacedSessionId);
    }

    @Override
    public void onServerFailed(final long nowNs, final int serverIndex, final long sessionId)
    {
        encoder.onServerFailed(nowNs, serverIndex, sessionId);
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
        encoder.onServerLoad(
            nowNs, serverIndex, sessionId, entityCount, playerCount, tickTimeP50Ns, tickTimeMaxNs, cpuLoad,
            timeDilationPerMille);
    }

    @Override
    public void onServerSeen(final int serverIndex, final long sessionId, final long lastHeardNs, final boolean bound)
    {
        encoder.onServerSeen(serverIndex, sessionId, lastHeardNs, bound);
    }

    @Override
    public void onTick(final long nowNs, final long tick, final long silenceFloorNs, final boolean ingressCaughtUp)
    {
        encoder.onTick(nowNs, tick, silenceFloorNs, ingressCaughtUp);
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
        encoder.onEntityAdded(entityId, incarnation, parentId, isZone, x, y, z, epoch);
    }

    @Override
    public void onEntityMoved(
        final long entityId, final long incarnation, final long parentId, final long x, final long y, final long z)
    {
        encoder.onEntityMoved(entityId, incarnation, parentId, x, y, z);
    }

    @Override
    public void onEntityRemoved(final long entityId, final long incarnation)
    {
        encoder.onEntityRemoved(entityId, incarnation);
    }

    @Override
    public void onStreamOut(
        final long nowNs, final int serverIndex, final long sessionId, final long entityId, final long epoch)
    {
        encoder.onStreamOut(nowNs, serverIndex, sessionId, entityId, epoch);
    }

    @Override
    public void onHandoffAccepted(
        final long nowNs, final int serverIndex, final long sessionId, final long handoffId, final long entityId)
    {
        encoder.onHandoffAccepted(nowNs, serverIndex, sessionId, handoffId, entityId);
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
        encoder.onTerritoryHeld(territoryIndex, serverIndex, sessionId, territoryEpoch, minX, minY, minZ, maxX, maxY,
            maxZ);
    }
}
