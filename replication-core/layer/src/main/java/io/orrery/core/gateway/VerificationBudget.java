/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.gateway;

/**
 * How many costly token verifications (Ed25519 signatures) a Gateway runs for hellos (and the layer for the sessions
 * linked Gateways open, {@code GatewayLinkSettings#tokenVerificationsPerSecond()}): a token bucket of
 * {@link GatewayContext#tokenVerificationsPerSecond()} with a burst of one second's worth, on the agent's clock. A
 * hello beyond it is shed unanswered and counted, so a flood of hellos slows logins but cannot take the Gateway's
 * thread from the sessions it serves.
 * <p>
 * Threading: the owning agent's thread only.
 */
public final class VerificationBudget
{
    private final double ratePerNs;
    private final double burst;
    private double allowance;
    private long lastRefillNs;

    /**
     * @param perSecond verifications per second, also the burst.
     * @param nowNs     the agent's clock now.
     */
    public VerificationBudget(final int perSecond, final long nowNs)
    {
        this.ratePerNs = perSecond / 1e9;
        this.burst = perSecond;
        this.allowance = burst;
        this.lastRefillNs = nowNs;
    }

    /**
     * @param nowNs the agent's clock now.
     * @return true if one verification may run now (and it is taken).
     */
    public boolean tryTake(final long nowNs)
    {
        if (nowNs - lastRefillNs > 0)
        {
            allowance = Math.min(burst, allowance + (nowNs - lastRefillNs) * ratePerNs);
            lastRefillNs = nowNs;
        }
        if (allowance < 1)
        {
            return false;
        }
        allowance -= 1;
        return true;
    }
}
