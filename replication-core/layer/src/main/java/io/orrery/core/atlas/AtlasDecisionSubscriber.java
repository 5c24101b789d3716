/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.aeron.Subscription;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;

/**
 * Reads Atlas decisions from an Aeron subscription (the layer's side: Atlas's decisions, sent by an {@link
 * AtlasDecisionPublisher}) and
 * calls an {@link AtlasDecisionHandler} (the mesh) for each, through the same decoding as the ring's
 * {@link AtlasDecisionAdapter}.
 * <p>
 * Input is checked as from a network peer: only a publisher that proved it holds the link key is accepted
 * ({@link AtlasLinkAuthenticator}: the first that proves itself, until its image goes away; the channel must still be
 * a private network or IPC: it carries authority); fragments of other images, fragments too short for their header or
 * block, of another schema or of an unknown template are counted and skipped, never thrown. Link control messages go
 * to the {@link AtlasLinkControl}.
 * <p>
 * Threading: the polling thread only. Zero allocation in steady state ({@link #handler} allocates: control path).
 */
public final class AtlasDecisionSubscriber implements AutoCloseable
{
    private final Subscription subscription;
    private final AtlasLinkReceiver receiver;
    private final MessageHandler dispatch = this::dispatch;
    private AtlasDecisionAdapter adapter;
    private long malformedBefore;
    private long unknownBefore;

    /**
     * @param subscription  the decision subscription, closed with this subscriber.
     * @param handler       told every decision of the accepted publisher, in order.
     * @param control       told the link's control messages and session changes.
     * @param authenticator authenticates the subscription's images (built on the same subscription).
     */
    public AtlasDecisionSubscriber(
        final Subscription subscription,
        final AtlasDecisionHandler handler,
        final AtlasLinkControl control,
        final AtlasLinkAuthenticator authenticator)
    {
        this.subscription = subscription;
        this.adapter = new AtlasDecisionAdapter(null, handler);
        this.receiver = new AtlasLinkReceiver(subscription, dispatch, control, authenticator);
    }

    /**
     * Sends further decisions to another handler (control path: allocates an adapter; its counts restart).
     */
    public void handler(final AtlasDecisionHandler handler)
    {
        malformedBefore += adapter.malformed();
        unknownBefore += adapter.unknown();
        adapter = new AtlasDecisionAdapter(null, handler);
    }

    /**
     * Runs the authentication of new publishers, then polls up to {@code fragmentLimit} fragments.
     *
     * @param nowNs paces the challenges of publishers that have not proved themselves yet.
     * @return work done: fragments read (skipped ones included) and handshake steps.
     */
    public int poll(final long nowNs, final int fragmentLimit)
    {
        return receiver.poll(nowNs, fragmentLimit);
    }

    /**
     * @return the accepted publisher's Aeron session id, or 0 when none is held.
     */
    public int sessionId()
    {
        return receiver.sessionId();
    }

    /**
     * @return whether a publisher is accepted and its image is still there.
     */
    public boolean isConnected()
    {
        return receiver.isSessionConnected();
    }

    /**
     * @return fragments from publishers not (yet) authenticated, dropped.
     */
    public long rejected()
    {
        return receiver.rejected();
    }

    /**
     * @return messages too short for their SBE header or block.
     */
    public long malformed()
    {
        return receiver.malformed() + malformedBefore + adapter.malformed();
    }

    /**
     * @return messages of another schema or an unknown template.
     */
    public long unknown()
    {
        return receiver.unknown() + unknownBefore + adapter.unknown();
    }

    /**
     * @return the authentication of this subscription's publishers.
     */
    public AtlasLinkAuthenticator authenticator()
    {
        return receiver.authenticator();
    }

    /**
     * @return fragments of the accepted publisher (heartbeats included).
     */
    public long acceptedFragments()
    {
        return receiver.acceptedFragments();
    }

    /**
     * @return times the accepted publisher's image went away.
     */
    public long sessionsLost()
    {
        return receiver.sessionsLost();
    }

    @Override
    public void close()
    {
        subscription.close();
    }

    private void dispatch(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        adapter.onMessage(msgTypeId, buffer, index, length);
    }
}
