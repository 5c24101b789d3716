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
 * Input is checked as from a network peer: only the first publisher's Aeron session is accepted until its image goes
 * away (the channel must be a private network or IPC: it carries authority); other sessions' fragments, fragments too
 * short for their header or block, of another schema or of an unknown template are counted and skipped, never
 * thrown. Link control messages go to the {@link AtlasLinkControl}.
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
     * @param subscription the decision subscription, closed with this subscriber.
     * @param handler      told every decision of the accepted publisher, in order.
     * @param control      told the link's control messages and session changes.
     */
    public AtlasDecisionSubscriber(
        final Subscription subscription, final AtlasDecisionHandler handler, final AtlasLinkControl control)
    {
        this.subscription = subscription;
        this.adapter = new AtlasDecisionAdapter(null, handler);
        this.receiver = new AtlasLinkReceiver(subscription, dispatch, control);
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
     * Polls up to {@code fragmentLimit} fragments.
     *
     * @return fragments read (skipped ones included).
     */
    public int poll(final int fragmentLimit)
    {
        return receiver.poll(fragmentLimit);
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
     * @return fragments from another Aeron session than the accepted one.
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
