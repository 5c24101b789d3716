/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.aeron.Image;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.orrery.wire.atlas.MessageHeaderDecoder;
import io.orrery.wire.atlas.ResyncCompleteDecoder;
import io.orrery.wire.atlas.ResyncRequestDecoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The receiving end of an Atlas link over Aeron, shared by {@link AtlasCommandSubscriber} and
 * {@link AtlasDecisionSubscriber}: polls a {@link Subscription}, accepts one publisher only and checks every message
 * as input from a network peer before it is decoded.
 * <p>
 * The Atlas channel carries authority decisions: it must be a private network or IPC. On top of that, only one
 * publisher's Aeron session is accepted, the first seen while none is held, until its image goes away; fragments of
 * any other session are counted ({@link #rejected()}) and skipped. A fragment too short for the SBE header is counted
 * {@link #malformed()}, one of another schema {@link #unknown()}; link control messages (templates 201..299) go to
 * the {@link AtlasLinkControl}; everything else goes to the adapter, which checks template and block length and
 * counts what fails. Nothing is thrown.
 * <p>
 * Threading: the polling thread only. Zero allocation.
 */
final class AtlasLinkReceiver implements FragmentHandler
{
    private static final int HEADER_LENGTH = MessageHeaderDecoder.ENCODED_LENGTH;

    private final Subscription subscription;
    private final MessageHandler adapter;
    private final AtlasLinkControl control;
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final ResyncRequestDecoder resyncRequest = new ResyncRequestDecoder();
    private final ResyncCompleteDecoder resyncComplete = new ResyncCompleteDecoder();
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);

    private boolean hasSession;
    private int sessionId;
    private long rejected;
    private long malformed;
    private long unknown;
    private long sessionsLost;

    AtlasLinkReceiver(final Subscription subscription, final MessageHandler adapter, final AtlasLinkControl control)
    {
        this.subscription = subscription;
        this.adapter = adapter;
        this.control = control;
    }

    int poll(final int fragmentLimit)
    {
        if (hasSession && null == subscription.imageBySessionId(sessionId))
        {
            hasSession = false;
            sessionsLost++;
            control.onSessionLost(sessionId);
        }
        return subscription.poll(this, fragmentLimit);
    }

    @Override
    public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header aeronHeader)
    {
        final int fromSession = aeronHeader.sessionId();
        if (!hasSession)
        {
            hasSession = true;
            sessionId = fromSession;
            control.onSessionAccepted(fromSession);
        }
        else if (fromSession != sessionId)
        {
            rejected++;
            return;
        }
        if (length < HEADER_LENGTH)
        {
            malformed++;
            return;
        }
        header.wrap(buffer, offset);
        if (MessageHeaderDecoder.SCHEMA_ID != header.schemaId())
        {
            unknown++;
            return;
        }
        final int templateId = header.templateId();
        if (ResyncRequestDecoder.TEMPLATE_ID == templateId)
        {
            if (fits(ResyncRequestDecoder.BLOCK_LENGTH, length))
            {
                resyncRequest.wrap(buffer, offset + HEADER_LENGTH, header.blockLength(), header.version());
                control.onResyncRequest(fromSession, resyncRequest.generation());
            }
            return;
        }
        if (ResyncCompleteDecoder.TEMPLATE_ID == templateId)
        {
            if (fits(ResyncCompleteDecoder.BLOCK_LENGTH, length))
            {
                resyncComplete.wrap(buffer, offset + HEADER_LENGTH, header.blockLength(), header.version());
                control.onResyncComplete(resyncComplete.generation());
            }
            return;
        }
        view.wrap(buffer, offset, length);
        adapter.onMessage(AtlasRings.MSG_TYPE_ID, view, 0, length);
    }

    private boolean fits(final int minBlockLength, final int length)
    {
        final int blockLength = header.blockLength();
        if (blockLength < minBlockLength || length - HEADER_LENGTH < blockLength)
        {
            malformed++;
            return false;
        }
        return true;
    }

    /**
     * @return the accepted publisher's Aeron session id, or 0 when none is held.
     */
    int sessionId()
    {
        return hasSession ? sessionId : 0;
    }

    boolean hasSession()
    {
        return hasSession;
    }

    /**
     * @return whether the accepted publisher's image is still there.
     */
    boolean isSessionConnected()
    {
        final Image image = hasSession ? subscription.imageBySessionId(sessionId) : null;
        return null != image && !image.isClosed();
    }

    long rejected()
    {
        return rejected;
    }

    long malformed()
    {
        return malformed;
    }

    long unknown()
    {
        return unknown;
    }

    long sessionsLost()
    {
        return sessionsLost;
    }
}
