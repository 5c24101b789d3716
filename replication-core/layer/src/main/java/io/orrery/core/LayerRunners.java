/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core;

import io.aeron.Counter;
import io.orrery.core.replicant.InterestEngine;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.ThreadFactory;
import java.util.function.Supplier;

/**
 * Maps the agents of one Replication Layer onto threads as its {@link ThreadingMode} says, starts them and stops them
 * in order:
 * <ul>
 *     <li>{@link ThreadingMode#INVOKER}: one invoker over the Gateway role and the Replicant, stepped by the caller
 *     (the interest engine ticks every partition on the caller's thread);</li>
 *     <li>{@link ThreadingMode#SHARED}: one runner over the Gateway role and the Replicant;</li>
 *     <li>{@link ThreadingMode#DEDICATED}: a runner for the Gateway role, one for the Replicant and one for the
 *     authority's own agent if it has one.</li>
 * </ul>
 * Outside INVOKER every interest worker beyond the first (the Replicant's thread runs the first) gets a runner of its
 * own. Each thread gets an idle strategy of its own: an idle strategy holds its backoff state.
 * <p>
 * Started and closed by the thread that launches and closes the layer; {@link #stop()} may run on the Aeron
 * conductor's thread when the media driver goes.
 */
final class LayerRunners implements AutoCloseable
{
    private final AgentInvoker invoker;
    private final AgentRunner[] runners;
    private final AgentRunner[] workerRunners;

    /**
     * @param threadingMode        how the agents map to threads.
     * @param idleStrategy         idle strategy of the one thread in {@link ThreadingMode#SHARED}.
     * @param idleStrategySupplier a new idle strategy per thread in {@link ThreadingMode#DEDICATED}.
     * @param errorHandler         for errors the agents throw.
     * @param errors               counter of those errors.
     * @param gatewayRole          the Gateway, with the gateway link if the layer has one.
     * @param replicant            the Replicant.
     * @param authorityAgent       the authority's own agent, or null; only DEDICATED runs it (and only DEDICATED
     *                             may ask the authority for it: that takes it off the Replicant's duty cycle).
     * @param interestWorkers      the interest workers beyond the first.
     * @param secondaries          the secondary Replicants (several per shard), each on its own thread in DEDICATED,
     *                             with the roles in SHARED and INVOKER.
     */
    LayerRunners(
        final ThreadingMode threadingMode,
        final IdleStrategy idleStrategy,
        final Supplier<IdleStrategy> idleStrategySupplier,
        final ErrorHandler errorHandler,
        final Counter errors,
        final Agent gatewayRole,
        final Agent replicant,
        final Agent authorityAgent,
        final Agent[] interestWorkers,
        final Agent[] secondaries)
    {
        final Agent[] shared = new Agent[2 + secondaries.length];
        shared[0] = gatewayRole;
        shared[1] = replicant;
        System.arraycopy(secondaries, 0, shared, 2, secondaries.length);
        switch (threadingMode)
        {
            case INVOKER:
                invoker = new AgentInvoker(errorHandler, errors, new CompositeAgent(shared));
                runners = new AgentRunner[0];
                workerRunners = new AgentRunner[0];
                break;

            case DEDICATED:
                invoker = null;
                final AgentRunner gatewayRunner =
                    new AgentRunner(idleStrategySupplier.get(), errorHandler, errors, gatewayRole);
                final AgentRunner replicantRunner =
                    new AgentRunner(idleStrategySupplier.get(), errorHandler, errors, replicant);
                final AgentRunner[] roleRunners = null == authorityAgent ?
                    new AgentRunner[]{ gatewayRunner, replicantRunner } :
                    new AgentRunner[]{ gatewayRunner, replicantRunner,
                    new AgentRunner(idleStrategySupplier.get(), errorHandler, errors, authorityAgent) };
                runners = java.util.Arrays.copyOf(roleRunners, roleRunners.length + secondaries.length);
                for (int i = 0; i < secondaries.length; i++)
                {
                    runners[roleRunners.length + i] =
                        new AgentRunner(idleStrategySupplier.get(), errorHandler, errors, secondaries[i]);
                }
                workerRunners = newWorkerRunners(interestWorkers, errorHandler, errors);
                break;

            case SHARED:
            default:
                invoker = null;
                runners = new AgentRunner[]{ new AgentRunner(
                    idleStrategy, errorHandler, errors, new CompositeAgent(shared)) };
                workerRunners = newWorkerRunners(interestWorkers, errorHandler, errors);
                break;
        }
    }

    /**
     * A runner per interest worker, each with an idle strategy of its own (a long park: a dispatched tick wakes the
     * worker).
     */
    private static AgentRunner[] newWorkerRunners(
        final Agent[] workers, final ErrorHandler errorHandler, final Counter errors)
    {
        final AgentRunner[] workerRunners = new AgentRunner[workers.length];
        for (int i = 0; i < workers.length; i++)
        {
            workerRunners[i] =
                new AgentRunner(InterestEngine.newWorkerIdleStrategy(), errorHandler, errors, workers[i]);
        }
        return workerRunners;
    }

    /**
     * Start the invoker, or the interest workers' threads and then the roles' threads.
     *
     * @param threadFactory of the layer's threads.
     */
    void start(final ThreadFactory threadFactory)
    {
        if (null != invoker)
        {
            invoker.start();
        }
        for (final AgentRunner runner : workerRunners)
        {
            AgentRunner.startOnThread(runner, threadFactory);
        }
        for (final AgentRunner runner : runners)
        {
            AgentRunner.startOnThread(runner, threadFactory);
        }
    }

    /**
     * One duty cycle of every agent. Only in {@link ThreadingMode#INVOKER}.
     *
     * @return work done.
     */
    int invoke()
    {
        if (null == invoker)
        {
            throw new IllegalStateException("doWork() is only for ThreadingMode.INVOKER");
        }
        return invoker.invoke();
    }

    /**
     * Stop the threads (the media driver is gone): the roles' runners first, then the interest workers (a worker
     * closed under a tick would only make the Replicant run it itself). In INVOKER mode the caller's next
     * {@code doWork()} fails instead.
     */
    void stop()
    {
        CloseHelper.quietCloseAll(runners);
        CloseHelper.quietCloseAll(workerRunners);
    }

    /**
     * Close the invoker, then {@link #stop()} the threads.
     */
    @Override
    public void close()
    {
        if (null != invoker)
        {
            CloseHelper.quietClose(invoker);
        }
        stop();
    }
}
