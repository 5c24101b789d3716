/*
 * Copyright 2026 The Orrery authors.
 */
package io.orrery.perf.aeron;

import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.IdleStrategy;

/**
 * Echoes every ping fragment back on the pong publication, unchanged.
 * <p>
 * Threading: one thread calls {@link #doWork()}: its own {@link org.agrona.concurrent.AgentRunner} in
 * {@link io.aeron.driver.ThreadingMode#SHARED} runs, or the ping thread itself in
 * {@link io.aeron.driver.ThreadingMode#INVOKER} runs. No allocation after construction.
 */
final class PongAgent implements Agent
{
    private static final int FRAGMENT_LIMIT = 16;

    private final Subscription pingSubscription;
    private final Publication pongPublication;
    private final IdleStrategy offerIdleStrategy;
    private final FragmentHandler fragmentHandler = this::onPing;
    private long backPressureCount;

    PongAgent(
        final Subscription pingSubscription,
        final Publication pongPublication,
        final IdleStrategy offerIdleStrategy)
    {
        this.pingSubscription = pingSubscription;
        this.pongPublication = pongPublication;
        this.offerIdleStrategy = offerIdleStrategy;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int doWork()
    {
        return pingSubscription.poll(fragmentHandler, FRAGMENT_LIMIT);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String roleName()
    {
        return "orrery-pong";
    }

    /**
     * How many offers were refused (back pressure, admin action) and retried.
     *
     * @return refused offers since construction.
     */
    long backPressureCount()
    {
        return backPressureCount;
    }

    private void onPing(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        long position;
        while ((position = pongPublication.offer(buffer, offset, length)) < 0)
        {
            if (Publication.CLOSED == position || Publication.MAX_POSITION_EXCEEDED == position)
            {
                throw new IllegalStateException("pong publication unusable: " + Publication.errorString(position));
            }
            backPressureCount++;
            offerIdleStrategy.idle();
        }
    }
}
