/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.gateway;

import io.aeron.ExclusivePublication;
import io.orrery.wire.codec.RejectReason;

/**
 * Gateway-side state of one client connection, keyed by its ingress endpoint and the Aeron session id of its ingress
 * image ({@link #imageKey()}).
 * Owned by the {@link GatewayAgent} thread.
 */
final class ClientConnection
{
    enum State
    {
        AWAITING_WELCOME, AWAITING_REJECT, ACTIVE, CLOSED
    }

    final int ingressEndpoint;
    final int imageSessionId;
    final long correlationId;
    State state = State.AWAITING_REJECT;
    long sessionId;
    long playerEntityId;
    byte[] playerToken;
    long registrationId;
    ExclusivePublication publication;
    long deadlineNs;
    long lastSeenNs;
    long lastInputSequence = 0;
    long lastAllowanceNs;
    double inputAllowance;
    int violations;
    long rejectedReasonsMask;
    RejectReason rejectReason = RejectReason.unspecified;
    String rejectText = "";

    /**
     * Token bucket for player input: refills at the advertised maximum input rate up to a burst.
     *
     * @return true if one input may pass now.
     */
    boolean takeInputAllowance(final long nowNs, final double ratePerNs, final double burst)
    {
        inputAllowance = Math.min(burst, inputAllowance + (nowNs - lastAllowanceNs) * ratePerNs);
        lastAllowanceNs = nowNs;
        if (inputAllowance >= 1)
        {
            inputAllowance -= 1;
            return true;
        }
        return false;
    }

    /**
     * @return the key of its ingress image in the Gateway's map: endpoint index and Aeron session id.
     */
    long imageKey()
    {
        return GatewayAgent.imageKey(ingressEndpoint, imageSessionId);
    }

    ClientConnection(final int ingressEndpoint, final int imageSessionId, final long correlationId)
    {
        this.ingressEndpoint = ingressEndpoint;
        this.imageSessionId = imageSessionId;
        this.correlationId = correlationId;
    }
}
