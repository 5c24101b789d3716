/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant;

import org.agrona.concurrent.Agent;

import java.util.concurrent.locks.LockSupport;

/**
 * Runs one {@link InterestPartition} of an {@link InterestEngine} on a thread of its own: the engine publishes a tick
 * ({@link #dispatch}), this agent's next duty cycle ticks the partition and publishes its completion, the engine
 * waits for it ({@link #awaitCompletion}) before it lets the store change again.
 * <pre>
 *   engine thread:  update index, snapshot | dispatch(t) | partition 0 | awaitCompletion(t) | (store may change)
 *   worker thread:                                       | partition w ... completed = t
 * </pre>
 * The hand-over is two volatile tick numbers: everything the engine wrote before {@code requestedTick} (the store,
 * the index, the snapshot, the tick's parameters) is visible to the worker after it reads it, and everything the
 * worker wrote before {@code completedTick} (its views, counters, egress state and publications) is visible to the
 * engine after it reads that. A worker that is not running (never started on a thread, as in INVOKER threading, or
 * closed) is not dispatched to, and a tick dispatched to a worker that closed without running it is reported as not
 * done, so the engine ticks that partition itself: a closing worker never stalls the engine.
 * <p>
 * Waking: a dispatch unparks the worker's thread and a completion unparks the engine's, so that both may park while
 * they wait (a worker between ticks, the engine while the other partitions finish) without adding a park period to
 * the tick: an idle strategy with a long park costs a worker thread little between ticks. The engine spins briefly
 * before it parks, as a partition often finishes within microseconds of another.
 * <p>
 * Threading: {@link #doWork()} on the worker's thread; {@link #dispatch} and {@link #awaitCompletion} on the engine's.
 * Allocates nothing.
 */
final class InterestWorker implements Agent
{
    private static final int SPINS_BEFORE_PARK = 200;
    private static final long MAX_PARK_NS = 1_000_000;

    private final InterestEngine engine;
    private final InterestPartition partition;
    private final String roleName;

    private volatile boolean running;
    private volatile Thread workerThread;
    private volatile Thread engineThread;
    private volatile long requestedTick;
    private volatile long completedTick;
    private int completedWork;
    private long ticksRun;

    InterestWorker(final InterestEngine engine, final InterestPartition partition, final int worker)
    {
        this.engine = engine;
        this.partition = partition;
        this.roleName = "orrery-interest-" + worker;
    }

    @Override
    public String roleName()
    {
        return roleName;
    }

    @Override
    public void onStart()
    {
        workerThread = Thread.currentThread();
        running = true;
    }

    @Override
    public int doWork()
    {
        final long tick = requestedTick;
        if (tick == completedTick)
        {
            return 0;
        }

        int work = 0;
        try
        {
            work = partition.tick(
                tick, engine.tickNowNs(), engine.gridRadiusM(), engine.gridQueryRadiusM(), engine.gainedCount());
            ticksRun++;
        }
        finally
        {
            completedWork = work;
            completedTick = tick;
            LockSupport.unpark(engineThread);
        }
        return work;
    }

    @Override
    public void onClose()
    {
        running = false;
    }

    /**
     * @return true between this agent's start on a thread and its close.
     */
    boolean isRunning()
    {
        return running;
    }

    /**
     * @return partition ticks this agent ran.
     */
    long ticksRun()
    {
        return ticksRun;
    }

    /**
     * Publish a tick to the worker if it runs on a thread (engine thread).
     *
     * @return true if dispatched; false if the engine must tick the partition itself.
     */
    boolean dispatch(final long tick)
    {
        if (!running)
        {
            return false;
        }
        engineThread = Thread.currentThread();
        requestedTick = tick;
        LockSupport.unpark(workerThread);
        return true;
    }

    /**
     * Wait until the worker has completed a dispatched tick (engine thread): spin briefly, then park until the
     * worker's completion unparks this thread (at most {@code MAX_PARK_NS} at a time, to see a worker that closed).
     *
     * @return the work the partition did, or -1 if the worker stopped without running the tick (the engine must
     * tick the partition itself).
     */
    int awaitCompletion(final long tick)
    {
        int spins = 0;
        while (completedTick != tick)
        {
            if (!running && completedTick != tick)
            {
                // onClose runs after the worker's last duty cycle: no tick can complete from now on.
                return -1;
            }
            if (++spins < SPINS_BEFORE_PARK)
            {
                Thread.onSpinWait();
            }
            else
            {
                LockSupport.parkNanos(MAX_PARK_NS);
            }
        }
        return completedWork;
    }
}
