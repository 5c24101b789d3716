/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.gateway.link;

import io.aeron.Publication;
import io.aeron.logbuffer.BufferClaim;
import io.aeron.logbuffer.LogBufferDescriptor;
import io.orrery.core.common.ClientEgress;
import io.orrery.wire.gatewaylink.ClientFrameEncoder;
import io.orrery.wire.gatewaylink.MessageHeaderEncoder;
import io.orrery.wire.gatewaylink.SessionEndedEncoder;
import io.orrery.wire.gatewaylink.VarDataEncodingEncoder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One client session of a remote Gateway as the Replicant sees it: each message is framed with the session id
 * ({@code ClientFrame}) on the Gateway's link publication, and the Gateway copies it into the client's publication.
 * <p>
 * Window: the Gateway reports, for each session, how many framed bytes of relayed messages it has copied
 * ({@code relayedPosition}) and the client publication's available window at that moment; this egress counts the
 * framed bytes it has sent the same way ({@link LogBufferDescriptor#computeFragmentedFrameLength}, with the client
 * publication's maximum payload), so {@link #availableWindow()} is the reported window less what was sent since: never
 * more than the client's publication will take, which is what the Replicant's budget and slow-consumer logic need.
 * <p>
 * Frame layout on the link ({@code ClientFrame} of gateway-link-schema.xml):
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |              SBE message header (8 bytes, 7320)              |
 *  +---------------------------------------------------------------+
 *  |                     Session Id (int64) ...                    |
 *  +-------------------------------+-------------------------------+
 *  |  Payload Length (uint16)      |  Payload: the client message ...
 *  +-------------------------------+-------------------------------+
 * </pre>
 * A frame that fits the link's maximum payload is written with {@code tryClaim}; a longer one is offered as two
 * parts (this header, then the message) with no copy into scratch.
 * <p>
 * Several Replicants per shard write one client through one of these: each through its {@code SharedClientEgress}
 * view holding this egress's monitor, so the session's position and window are counted once for all of them, as the
 * client's one publication at the Gateway counts them; the link's concurrent publication keeps each frame whole and
 * each writer's order. Once the primary closed it ({@link #close()}), a secondary that has not yet heard of the end
 * writes nothing more ({@link Publication#CLOSED}): the Gateway gets no frame after the session's end.
 * <p>
 * Threading: written by one thread at a time, as a publication (the Replicant's, the interest worker owning the
 * session during a tick, or one of several Replicants holding this egress's monitor); the link's publication is a
 * concurrent one because several workers or Replicants write sessions of the same Gateway at once. The reported
 * window and the link's loss are written by the Gateway link's thread (volatile). Zero allocation per message.
 */
public final class RemoteClientEgress implements ClientEgress
{
    static final int FRAME_HEADER_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH + ClientFrameEncoder.BLOCK_LENGTH +
        VarDataEncodingEncoder.lengthEncodingLength();
    static final int MAX_PAYLOAD_LENGTH = 65534;

    private final GatewayLink link;
    private final long sessionId;
    private final int clientMaxPayloadLength;
    private final BufferClaim claim = new BufferClaim();
    private final UnsafeBuffer frameHeader = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final ClientFrameEncoder frameEncoder = new ClientFrameEncoder();
    private final SessionEndedEncoder endedEncoder = new SessionEndedEncoder();
    private long sentPosition;
    private volatile long limitPosition;
    private volatile boolean endedByGateway;
    private boolean closed;

    RemoteClientEgress(
        final GatewayLink link, final long sessionId, final int clientMaxPayloadLength, final long initialWindow)
    {
        this.link = link;
        this.sessionId = sessionId;
        this.clientMaxPayloadLength = clientMaxPayloadLength;
        this.limitPosition = initialWindow;
    }

    /**
     * @return the session's id.
     */
    public long sessionId()
    {
        return sessionId;
    }

    /**
     * The Gateway's report: it had copied {@code relayedPosition} framed bytes when the client's window was
     * {@code window}. Called on the link's thread.
     */
    void onReport(final long relayedPosition, final long window)
    {
        limitPosition = relayedPosition + Math.max(0, window);
    }

    /**
     * The Gateway ended the session or was lost: nothing more is sent. Called on the link's thread.
     */
    void onEndedByGateway()
    {
        endedByGateway = true;
    }

    @Override
    public boolean isConnected()
    {
        return !closed && !endedByGateway && !link.isLost();
    }

    @Override
    public long availableWindow()
    {
        return limitPosition - sentPosition;
    }

    @Override
    public long position()
    {
        return sentPosition;
    }

    @Override
    public long offer(final DirectBuffer buffer, final int offset, final int length)
    {
        if (closed)
        {
            return Publication.CLOSED;
        }
        if (!isConnected())
        {
            return Publication.NOT_CONNECTED;
        }
        if (length > MAX_PAYLOAD_LENGTH)
        {
            return Publication.MAX_POSITION_EXCEEDED;
        }
        final Publication publication = link.publication();
        final int frameLength = FRAME_HEADER_LENGTH + length;
        long result;
        if (frameLength <= publication.maxPayloadLength())
        {
            result = publication.tryClaim(frameLength, claim);
            if (Publication.ADMIN_ACTION == result)
            {
                result = publication.tryClaim(frameLength, claim);
            }
            if (result > 0)
            {
                final MutableDirectBuffer claimed = claim.buffer();
                final int claimOffset = claim.offset();
                writeHeader(claimed, claimOffset, length);
                claimed.putBytes(claimOffset + FRAME_HEADER_LENGTH, buffer, offset, length);
                claim.commit();
            }
        }
        else
        {
            writeHeader(frameHeader, 0, length);
            result = publication.offer(frameHeader, 0, FRAME_HEADER_LENGTH, buffer, offset, length);
            if (Publication.ADMIN_ACTION == result)
            {
                result = publication.offer(frameHeader, 0, FRAME_HEADER_LENGTH, buffer, offset, length);
            }
        }
        if (result > 0)
        {
            sentPosition += LogBufferDescriptor.computeFragmentedFrameLength(length, clientMaxPayloadLength);
            return sentPosition;
        }
        return result;
    }

    private void writeHeader(final MutableDirectBuffer buffer, final int offset, final int payloadLength)
    {
        frameEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder).sessionId(sessionId);
        buffer.putShort(offset + FRAME_HEADER_LENGTH - VarDataEncodingEncoder.lengthEncodingLength(),
            (short)payloadLength, ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Tell the Gateway to close the client's publication (best effort: a Gateway that misses it still ends the
     * session at the client's timeout, and a lost Gateway's sessions are gone anyway).
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        if (link.isLost())
        {
            return;
        }
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + SessionEndedEncoder.BLOCK_LENGTH;
        endedEncoder.wrapAndApplyHeader(frameHeader, 0, headerEncoder).sessionId(sessionId);
        final Publication publication = link.publication();
        if (publication.offer(frameHeader, 0, length) < 0 && publication.offer(frameHeader, 0, length) < 0)
        {
            link.onSessionEndLost();
        }
    }
}
