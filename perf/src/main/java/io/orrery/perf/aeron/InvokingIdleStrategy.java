/*
 * Copyright 2026 The Orrery authors.
 */
package io.orrery.perf.aeron;

import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.IdleStrategy;

/**
 * An idle strategy that runs the duty cycle of the embedded media driver and of the Aeron client conductor
 * whenever its owner has nothing to do, then idles with a delegate. Used in
 * {@link io.aeron.driver.ThreadingMode#INVOKER} mode, where a single application thread drives everything.
 * <p>
 * Threading: the one thread that owns the invokers.
 */
final class InvokingIdleStrategy implements IdleStrategy
{
    private final AgentInvoker driverInvoker;
    private final AgentInvoker clientInvoker;
    private final IdleStrategy delegate;

    InvokingIdleStrategy(
        final AgentInvoker driverInvoker, final AgentInvoker clientInvoker, final IdleStrategy delegate)
    {
        this.driverInvoker = driverInvoker;
        this.clientInvoker = clientInvoker;
        this.delegate = delegate;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void idle(final int workCount)
    {
        final int work = invoke();
        delegate.idle(workCount + work);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void idle()
    {
        invoke();
        delegate.idle();
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void reset()
    {
        delegate.reset();
    }

    /**
     * Run one duty cycle of the driver and of the client conductor.
     *
     * @return work done.
     */
    int invoke()
    {
        int work = driverInvoker.invoke();
        if (null != clientInvoker)
        {
            work += clientInvoker.invoke();
        }

        return work;
    }
}
