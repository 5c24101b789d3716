/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core;

import io.aeron.exceptions.ConfigurationException;
import io.orrery.core.common.LayerIdleStrategy;
import io.orrery.core.status.AgentDeath;
import io.orrery.link.DistinctErrorPrinter;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.SystemNanoClock;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The layer Context's settings of how the layer runs: its {@link ThreadingMode} and Scribe's, the idle strategies
 * (one per thread), the thread factory and what happens when an agent thread dies, the clocks and the error handler,
 * with their defaults ({@link #concludeThreadsAndClocks()}). {@link LayerRunners} puts the agents on threads by them.
 *
 * @param <S> the layer's Context, returned by the fluent setters.
 */
abstract class LayerThreading<S extends LayerThreading<S>> extends RoleContexts<S>
{
    private ThreadingMode threadingMode = ThreadingMode.valueOf(
        System.getProperty(ReplicationLayer.Context.THREADING_MODE_PROP, ThreadingMode.SHARED.name()));
    private ThreadingMode scribeThreadingMode;
    private AgentDeath.Handler agentDeathHandler = AgentDeath.EXIT_PROCESS;
    private IdleStrategy idleStrategy;
    private Supplier<IdleStrategy> idleStrategySupplier;
    private ThreadFactory threadFactory;
    private NanoClock nanoClock;
    private EpochClock epochClock;
    private long idleMaxParkNs = TimeUnit.MICROSECONDS.toNanos(Long.getLong(
        ReplicationLayer.Context.IDLE_MAX_PARK_US_PROP, ReplicationLayer.Context.IDLE_MAX_PARK_US_DEFAULT));
    private long idleQuietParkNs = TimeUnit.MICROSECONDS.toNanos(Long.getLong(
        ReplicationLayer.Context.IDLE_QUIET_PARK_US_PROP, ReplicationLayer.Context.IDLE_QUIET_PARK_US_DEFAULT));
    private final LayerIdleStrategy.Activity activity = new LayerIdleStrategy.Activity();
    private ErrorHandler errorHandler;

    public ThreadingMode threadingMode()
    {
        return threadingMode;
    }

    public S threadingMode(final ThreadingMode threadingMode)
    {
        this.threadingMode = threadingMode;
        return self();
    }

    /**
     * Called when an agent thread of the layer (Gateway, Replicant, Scribe) dies of an uncaught {@link Error}.
     * Default {@link AgentDeath#EXIT_PROCESS}: one line on standard error, then the JVM
     * halts with {@link AgentDeath#EXIT_CODE}, so a supervisor restarts the process instead
     * of watching a zombie. Null leaves the thread factory's own handling. Not used in
     * {@link ThreadingMode#INVOKER}, where the error reaches the caller of {@code doWork()}.
     */
    public AgentDeath.Handler agentDeathHandler()
    {
        return agentDeathHandler;
    }

    public S agentDeathHandler(final AgentDeath.Handler agentDeathHandler)
    {
        this.agentDeathHandler = agentDeathHandler;
        return self();
    }

    /**
     * Longest park of the default idle strategies ({@link LayerIdleStrategy}: the layer's agents, the embedded
     * media driver's shared thread and its async executor) while the layer has client sessions: spin 10 times,
     * yield 20 times, then park from 1 µs doubling up to this. Default
     * {@value ReplicationLayer.Context#IDLE_MAX_PARK_US_DEFAULT} µs
     * ({@value ReplicationLayer.Context#IDLE_MAX_PARK_US_PROP}); an explicit {@link #idleStrategy(IdleStrategy)}
     * wins for the agents.
     */
    public long idleMaxParkNs()
    {
        return idleMaxParkNs;
    }

    public S idleMaxParkNs(final long idleMaxParkNs)
    {
        this.idleMaxParkNs = idleMaxParkNs;
        return self();
    }

    /**
     * Park of the default idle strategies while the layer has no client session (nobody waits for low latency;
     * a hello waits at most this long). Default {@value ReplicationLayer.Context#IDLE_QUIET_PARK_US_DEFAULT} µs
     * ({@value ReplicationLayer.Context#IDLE_QUIET_PARK_US_PROP}).
     */
    public long idleQuietParkNs()
    {
        return idleQuietParkNs;
    }

    public S idleQuietParkNs(final long idleQuietParkNs)
    {
        this.idleQuietParkNs = idleQuietParkNs;
        return self();
    }

    public LayerIdleStrategy.Activity activity()
    {
        return activity;
    }

    /**
     * A new default idle strategy for one of the layer's threads (see {@link #idleMaxParkNs()} and
     * {@link #idleQuietParkNs()}).
     *
     * @return a new strategy: one per thread.
     */
    public LayerIdleStrategy newIdleStrategy()
    {
        return new LayerIdleStrategy(activity, idleMaxParkNs, idleQuietParkNs);
    }

    /**
     * @return how Scribe's consumer runs: the layer's {@link #threadingMode()} unless set. In
     * {@link ThreadingMode#INVOKER} the Replicant steps it in its duty cycle (so a persistent shard is stepped
     * deterministically by {@link ReplicationLayer#doWork()}); otherwise it has a thread of its own.
     */
    public ThreadingMode scribeThreadingMode()
    {
        return null != scribeThreadingMode ? scribeThreadingMode : threadingMode;
    }

    /**
     * @param scribeThreadingMode how Scribe's consumer runs, or null (the default) to follow
     *                            {@link #threadingMode()}; e.g. {@link ThreadingMode#SHARED} keeps Scribe on its
     *                            own thread under an INVOKER layer.
     */
    public S scribeThreadingMode(final ThreadingMode scribeThreadingMode)
    {
        this.scribeThreadingMode = scribeThreadingMode;
        return self();
    }

    /**
     * @return the idle strategy of the layer's one agent thread ({@link ThreadingMode#SHARED}); by default one
     * from {@link #idleStrategySupplier()}.
     */
    public IdleStrategy idleStrategy()
    {
        return idleStrategy;
    }

    /**
     * @param idleStrategy for the layer's one agent thread in {@link ThreadingMode#SHARED}. Not usable with
     *                     {@link ThreadingMode#DEDICATED} (two threads): set {@link #idleStrategySupplier} there.
     * @return this.
     */
    public S idleStrategy(final IdleStrategy idleStrategy)
    {
        this.idleStrategy = idleStrategy;
        return self();
    }

    /**
     * @return where each agent thread of the layer gets its own idle strategy (idle strategies hold state and are
     * never shared between threads); by default {@link #newIdleStrategy()}.
     */
    public Supplier<IdleStrategy> idleStrategySupplier()
    {
        return idleStrategySupplier;
    }

    /**
     * @param idleStrategySupplier called once per agent thread ({@link ThreadingMode#DEDICATED}: the Gateway's
     *                             and the Replicant's), each call returning a new instance.
     * @return this.
     */
    public S idleStrategySupplier(final Supplier<IdleStrategy> idleStrategySupplier)
    {
        this.idleStrategySupplier = idleStrategySupplier;
        return self();
    }

    public ThreadFactory threadFactory()
    {
        return threadFactory;
    }

    public S threadFactory(final ThreadFactory threadFactory)
    {
        this.threadFactory = threadFactory;
        return self();
    }

    public NanoClock nanoClock()
    {
        return nanoClock;
    }

    public S nanoClock(final NanoClock nanoClock)
    {
        this.nanoClock = nanoClock;
        return self();
    }

    /**
     * Wall clock for token expiry.
     */
    public EpochClock epochClock()
    {
        return epochClock;
    }

    public S epochClock(final EpochClock epochClock)
    {
        this.epochClock = epochClock;
        return self();
    }

    public ErrorHandler errorHandler()
    {
        return errorHandler;
    }

    public S errorHandler(final ErrorHandler errorHandler)
    {
        this.errorHandler = errorHandler;
        return self();
    }

    /**
     * Fill in the defaults of these settings; part of the layer Context's conclude.
     */
    void concludeThreadsAndClocks()
    {
        if (null == idleStrategySupplier)
        {
            if (null != idleStrategy && ThreadingMode.DEDICATED == threadingMode)
            {
                throw new ConfigurationException("DEDICATED runs the Gateway and the Replicant on two threads, " +
                    "which cannot share one idle strategy (it holds state): set idleStrategySupplier instead");
            }
            idleStrategySupplier = this::newIdleStrategy;
        }
        if (null == idleStrategy)
        {
            idleStrategy = idleStrategySupplier.get();
        }
        if (null == threadFactory)
        {
            threadFactory = (runnable) ->
            {
                final Thread thread = new Thread(runnable);
                thread.setDaemon(true);
                return thread;
            };
        }
        if (null != agentDeathHandler)
        {
            threadFactory = AgentDeath.reportingTo(threadFactory, agentDeathHandler);
        }
        if (null == nanoClock)
        {
            nanoClock = SystemNanoClock.INSTANCE;
        }
        if (null == epochClock)
        {
            epochClock = SystemEpochClock.INSTANCE;
        }
        if (null == errorHandler)
        {
            errorHandler = new DistinctErrorPrinter(System.err);
        }
    }
}
