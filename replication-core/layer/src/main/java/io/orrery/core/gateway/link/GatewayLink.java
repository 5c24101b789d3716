/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.gateway.link;

import io.aeron.Publication;
import io.orrery.core.gateway.VerificationBudget;
import org.agrona.collections.Long2ObjectHashMap;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The layer's state of one remote Gateway: its image on the link subscription, the handshake, the publication the
 * layer answers on and the sessions it holds.
 * <p>
 * Threading: owned by the {@link GatewayLinkAgent}'s thread; {@link #publication()} and {@link #isLost()} are also
 * read by the writers of its sessions' egress (published to them through the hand-over queue, and volatile).
 */
final class GatewayLink
{
    enum State
    {
        CONNECTING, PROVING, WELCOMING, ACCEPTED, REFUSED, LOST
    }

    final int imageSessionId;
    final byte[] nonce;
    final byte[] gatewayNonce;
    final int gatewayId;
    final String sourceIdentity;
    final Long2ObjectHashMap<RemoteClientEgress> sessions = new Long2ObjectHashMap<>();
    final AtomicLong sessionEndsLost = new AtomicLong();
    State state = State.CONNECTING;
    long registrationId;
    long startedNs;
    long deadlineNs;
    long nextChallengeNs;
    long lastHeardNs;
    long lostAtNs;
    int admissionSent = -1;
    boolean unprovenLogged;
    private VerificationBudget verificationBudget;
    private Publication publication;
    private volatile boolean lost;

    GatewayLink(
        final int imageSessionId,
        final int gatewayId,
        final byte[] nonce,
        final byte[] gatewayNonce,
        final String sourceIdentity)
    {
        this.sourceIdentity = sourceIdentity;
        this.imageSessionId = imageSessionId;
        this.gatewayId = gatewayId;
        this.nonce = nonce;
        this.gatewayNonce = gatewayNonce;
    }

    /**
     * @return this Gateway's budget of costly token verifications, made at its first use (an accepted link only).
     */
    VerificationBudget verificationBudget(final int perSecond, final long nowNs)
    {
        if (null == verificationBudget)
        {
            verificationBudget = new VerificationBudget(perSecond, nowNs);
        }
        return verificationBudget;
    }

    Publication publication()
    {
        return publication;
    }

    void publication(final Publication publication)
    {
        this.publication = publication;
    }

    boolean isLost()
    {
        return lost;
    }

    void markLost(final long nowNs)
    {
        lost = true;
        lostAtNs = nowNs;
        state = State.LOST;
    }

    /**
     * A session end the Replicant could not tell the Gateway (its link back-pressured); any thread.
     */
    void onSessionEndLost()
    {
        sessionEndsLost.incrementAndGet();
    }
}
