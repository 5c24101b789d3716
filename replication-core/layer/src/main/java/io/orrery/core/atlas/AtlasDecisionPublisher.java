/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.aeron.ExclusivePublication;
import io.orrery.wire.atlas.LinkHeartbeatEncoder;
import io.orrery.wire.atlas.MessageHeaderEncoder;
import io.orrery.wire.atlas.ResyncRequestEncoder;

/**
 * Sends Atlas decisions over Aeron (Atlas's side (AtlasServer): decisions to the layer), read by an {@link
 * AtlasDecisionSubscriber}: each call is encoded by an
 * {@link AtlasDecisionEncoder} (the same encoding as the ring's {@link AtlasDecisionProxy}) straight into the
 * publication
 * through an {@link AtlasPublicationWriter}. Back-pressure loses nothing and keeps order: a message that cannot be
 * claimed waits in an ordered overflow, counted in {@link #overflowed()}, and the owner calls {@link #flush()}
 * every duty cycle. While no subscriber is connected (the peer process is gone) messages are dropped and counted
 * ({@link #dropped()}): the link resynchronises the peer when it is back ({@link AtlasLinkControl}).
 * <p>
 * Threading: the publication's one writer thread only. Zero allocation unless the overflow grows.
 */
public final class AtlasDecisionPublisher implements AtlasDecisionHandler, AutoCloseable
{
    private static final int HEADER_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH;

    private final ExclusivePublication publication;
    private final AtlasPublicationWriter writer;
    private final AtlasDecisionEncoder encoder;
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final ResyncRequestEncoder resyncRequest = new ResyncRequestEncoder();
    private final LinkHeartbeatEncoder heartbeat = new LinkHeartbeatEncoder();

    /**
     * @param publication the decision publication, this publisher its only user, closed with it.
     */
    public AtlasDecisionPublisher(final ExclusivePublication publication)
    {
        this.publication = publication;
        writer = new AtlasPublicationWriter(
            publication, Math.max(AtlasDecisionEncoder.MAX_MESSAGE_LENGTH, AtlasLinkAuthenticator.MAX_MESSAGE_LENGTH));
        encoder = new AtlasDecisionEncoder(writer);
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
     * Asks the layer to resend its whole state for a generation (a fresh Atlas table).
     */
    public void resyncRequest(final long generation)
    {
        final int offset = writer.claim(HEADER_LENGTH + ResyncRequestEncoder.BLOCK_LENGTH);
        resyncRequest.wrapAndApplyHeader(writer.buffer(), offset, header).generation(generation);
        writer.commit();
    }

    /**
     * Tells the layer Atlas is alive (sent when Atlas sent nothing else lately).
     */
    public void heartbeat(final long sequence)
    {
        final int offset = writer.claim(HEADER_LENGTH + LinkHeartbeatEncoder.BLOCK_LENGTH);
        heartbeat.wrapAndApplyHeader(writer.buffer(), offset, header).sequence(sequence);
        writer.commit();
    }

    /**
     * @return the publication's position: how far the messages sent so far reach.
     */
    public long position()
    {
        return publication.position();
    }

    /**
     * @return whether a subscriber is connected.
     */
    public boolean isConnected()
    {
        return writer.isConnected();
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
    public void onTerritoryGranted(
        final int territoryIndex, final int serverIndex, final long sessionId, final long territoryEpoch)
    {
        encoder.onTerritoryGranted(territoryIndex, serverIndex, sessionId, territoryEpoch);
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
        encoder.onTerritoryResized(territoryIndex, serverIndex, sessionId, minX, minY, minZ, maxX, maxY, maxZ,
            territoryEpoch);
    }

    @Override
    public void onServerWanted(final int serverIndex, final boolean wanted)
    {
        encoder.onServerWanted(serverIndex, wanted);
    }

    @Override
    public void onTerritoryFreed(final int territoryIndex, final int serverIndex, final long sessionId)
    {
        encoder.onTerritoryFreed(territoryIndex, serverIndex, sessionId);
    }

    @Override
    public void onServerRetired(final int serverIndex, final long sessionId, final boolean failedOver)
    {
        encoder.onServerRetired(serverIndex, sessionId, failedOver);
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
        encoder.onAuthorityAssigned(entityId, incarnation, serverIndex, sessionId, territoryId, epoch);
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
        encoder.onHandoffStarted(
            handoffId, entityId, incarnation, fromIndex, fromSessionId, toIndex, toSessionId, territoryId, newEpoch);
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
        encoder.onHandoffCommitted(handoffId, entityId, incarnation, fromIndex, toIndex, toSessionId, newEpoch);
    }

    @Override
    public void onHandoffAbandoned(final long entityId, final long incarnation, final boolean orphaned)
    {
        encoder.onHandoffAbandoned(entityId, incarnation, orphaned);
    }

    @Override
    public void onAuthorityCleared(final long entityId, final long incarnation)
    {
        encoder.onAuthorityCleared(entityId, incarnation);
    }
}
