/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.aeron.Image;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.orrery.wire.atlas.LinkChallengeDecoder;
import io.orrery.wire.atlas.LinkHeartbeatDecoder;
import io.orrery.wire.atlas.LinkProofDecoder;
import io.orrery.wire.atlas.MessageHeaderDecoder;
import io.orrery.wire.atlas.ResyncCompleteDecoder;
import io.orrery.wire.atlas.ResyncRequestDecoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The receiving end of an Atlas link over Aeron, shared by {@link AtlasCommandSubscriber} and
 * {@link AtlasDecisionSubscriber}: polls a {@link Subscription}, applies the fragments of one authenticated publisher
 * only and checks every message as input from a network peer before it is decoded.
 * <p>
 * The Atlas channel carries authority decisions: it must be a private network or IPC. On top of that, every publisher
 * (image) must prove it holds the link key before anything of it is applied ({@link AtlasLinkAuthenticator}): the
 * first image that proves itself is accepted until it goes away. Fragments of any other image, except the handshake
 * itself (challenges, proofs) and heartbeats, are counted ({@link AtlasLinkAuthenticator#unauthenticated()}) and
 * dropped. Of the accepted image, a fragment too short for the SBE header is counted {@link #malformed()}, one of
 * another schema {@link #unknown()}; link control messages (templates 201..299) go to the {@link AtlasLinkControl};
 * everything else goes to the adapter, which checks template and block length and counts what fails. Nothing is
 * thrown.
 * <p>
 * Threading: the polling thread only. Zero allocation once the publishers are known.
 */
final class AtlasLinkReceiver implements FragmentHandler
{
    private static final int HEADER_LENGTH = MessageHeaderDecoder.ENCODED_LENGTH;
    private static final int LINK_CONTROL_MIN_TEMPLATE_ID = 201;

    private final Subscription subscription;
    private final MessageHandler adapter;
    private final AtlasLinkControl control;
    private final AtlasLinkAuthenticator authenticator;
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final ResyncRequestDecoder resyncRequest = new ResyncRequestDecoder();
    private final ResyncCompleteDecoder resyncComplete = new ResyncCompleteDecoder();
    private final LinkChallengeDecoder challenge = new LinkChallengeDecoder();
    private final LinkProofDecoder proof = new LinkProofDecoder();
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);

    private long malformed;
    private long unknown;
    private long acceptedFragments;

    AtlasLinkReceiver(
        final Subscription subscription,
        final MessageHandler adapter,
        final AtlasLinkControl control,
        final AtlasLinkAuthenticator authenticator)
    {
        this.subscription = subscription;
        this.adapter = adapter;
        this.control = control;
        this.authenticator = authenticator;
        authenticator.control(control);
    }

    int poll(final long nowNs, final int fragmentLimit)
    {
        return authenticator.onPoll(nowNs) + subscription.poll(this, fragmentLimit);
    }

    @Override
    public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header aeronHeader)
    {
        final Image image = (Image)aeronHeader.context();
        final boolean accepted = authenticator.isAccepted(image);
        if (length < HEADER_LENGTH)
        {
            countBad(accepted, true);
            return;
        }
        header.wrap(buffer, offset);
        if (MessageHeaderDecoder.SCHEMA_ID != header.schemaId())
        {
            countBad(accepted, false);
            return;
        }
        final int templateId = header.templateId();
        if (templateId < LINK_CONTROL_MIN_TEMPLATE_ID)
        {
            if (!accepted)
            {
                authenticator.onUnauthenticated();
                return;
            }
            acceptedFragments++;
            view.wrap(buffer, offset, length);
            adapter.onMessage(AtlasRings.MSG_TYPE_ID, view, 0, length);
            return;
        }
        onLinkControl(buffer, offset, length, image, accepted, templateId);
    }

    private void onLinkControl(
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final Image image,
        final boolean accepted,
        final int templateId)
    {
        final int bodyOffset = offset + HEADER_LENGTH;
        switch (templateId)
        {
            case LinkHeartbeatDecoder.TEMPLATE_ID:
                if (accepted)
                {
                    acceptedFragments++;
                }
                return;

            case LinkChallengeDecoder.TEMPLATE_ID:
                if (fits(LinkChallengeDecoder.BLOCK_LENGTH, length, accepted))
                {
                    challenge.wrap(buffer, bodyOffset, header.blockLength(), header.version());
                    authenticator.onChallenge(image, challenge);
                }
                return;

            case LinkProofDecoder.TEMPLATE_ID:
                if (fits(LinkProofDecoder.BLOCK_LENGTH, length, accepted))
                {
                    proof.wrap(buffer, bodyOffset, header.blockLength(), header.version());
                    authenticator.onProof(image, proof);
                }
                return;

            default:
                break;
        }
        if (!accepted)
        {
            authenticator.onUnauthenticated();
            return;
        }
        acceptedFragments++;
        if (ResyncRequestDecoder.TEMPLATE_ID == templateId)
        {
            if (fits(ResyncRequestDecoder.BLOCK_LENGTH, length, true))
            {
                resyncRequest.wrap(buffer, bodyOffset, header.blockLength(), header.version());
                control.onResyncRequest(image.sessionId(), resyncRequest.generation());
            }
        }
        else if (ResyncCompleteDecoder.TEMPLATE_ID == templateId)
        {
            if (fits(ResyncCompleteDecoder.BLOCK_LENGTH, length, true))
            {
                resyncComplete.wrap(buffer, bodyOffset, header.blockLength(), header.version());
                control.onResyncComplete(resyncComplete.generation());
            }
        }
        else
        {
            unknown++;
        }
    }

    private void countBad(final boolean accepted, final boolean isMalformed)
    {
        if (!accepted)
        {
            authenticator.onUnauthenticated();
        }
        else if (isMalformed)
        {
            malformed++;
        }
        else
        {
            unknown++;
        }
    }

    private boolean fits(final int minBlockLength, final int length, final boolean accepted)
    {
        final int blockLength = header.blockLength();
        if (blockLength < minBlockLength || length - HEADER_LENGTH < blockLength)
        {
            countBad(accepted, true);
            return false;
        }
        return true;
    }

    /**
     * @return the accepted publisher's Aeron session id, or 0 when none is held.
     */
    int sessionId()
    {
        final Image image = authenticator.acceptedImage();
        return null == image ? 0 : image.sessionId();
    }

    /**
     * @return whether the accepted publisher's image is still there.
     */
    boolean isSessionConnected()
    {
        final Image image = authenticator.acceptedImage();
        return null != image && !image.isClosed();
    }

    AtlasLinkAuthenticator authenticator()
    {
        return authenticator;
    }

    /**
     * @return fragments from images not (yet) authenticated, dropped.
     */
    long rejected()
    {
        return authenticator.unauthenticated();
    }

    long malformed()
    {
        return malformed;
    }

    long unknown()
    {
        return unknown;
    }

    /**
     * @return fragments of the accepted publisher (heartbeats included): how the link knows it hears Atlas.
     */
    long acceptedFragments()
    {
        return acceptedFragments;
    }

    long sessionsLost()
    {
        return authenticator.sessionsLost();
    }
}
