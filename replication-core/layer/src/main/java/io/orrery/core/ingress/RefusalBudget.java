/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.ingress;

import java.util.concurrent.TimeUnit;

/**
 * How many refused hellos an ingress answers: at most {@link IngressLimits#maxPendingRefusals()} waiting for their
 * publication at once, and at most {@link IngressLimits#refusalsPerSecond()} answered (a token bucket with a burst of
 * one second's worth, on the polling agent's clock). A hello over either is dropped unanswered; its caller counts it.
 * A refusal's publication is the smallest Aeron allows and must connect quickly, so refusals cost the driver little.
 * <p>
 * Threading: the polling agent's thread only.
 */
public final class RefusalBudget
{
    /**
     * Term length of a publication that carries a reject: the smallest Aeron allows.
     */
    public static final int REFUSAL_TERM_LENGTH = 64 * 1024;
    /**
     * Longest a refusal waits for its publication to connect (or the connect timeout, if shorter).
     */
    public static final long REFUSAL_CONNECT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(1);

    private final int maxPending;
    private final double ratePerNs;
    private final double burst;
    private double allowance;
    private long lastRefillNs;

    /**
     * @param limits the ingress's limits.
     * @param nowNs  the agent's clock now.
     */
    public RefusalBudget(final IngressLimits limits, final long nowNs)
    {
        this.maxPending = limits.maxPendingRefusals();
        this.ratePerNs = limits.refusalsPerSecond() / 1e9;
        this.burst = limits.refusalsPerSecond();
        this.allowance = burst;
        this.lastRefillNs = nowNs;
    }

    /**
     * Take one refusal if both the cap and the rate allow it.
     *
     * @param nowNs   the agent's clock now.
     * @param pending refusals waiting for their publication now.
     * @return true if the refusal may be answered.
     */
    public boolean tryTake(final long nowNs, final int pending)
    {
        if (nowNs - lastRefillNs > 0)
        {
            allowance = Math.min(burst, allowance + (nowNs - lastRefillNs) * ratePerNs);
            lastRefillNs = nowNs;
        }
        if (pending >= maxPending || allowance < 1)
        {
            return false;
        }
        allowance -= 1;
        return true;
    }

    /**
     * @param connectTimeoutNs the ingress's publication connect timeout.
     * @return how long a refusal's publication may take to connect.
     */
    public static long connectTimeoutNs(final long connectTimeoutNs)
    {
        return Math.min(connectTimeoutNs, REFUSAL_CONNECT_TIMEOUT_NS);
    }
}
