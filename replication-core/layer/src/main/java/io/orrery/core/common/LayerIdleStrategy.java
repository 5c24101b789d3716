/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.common;

import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.locks.LockSupport;

/**
 * The default idle strategy of a Replication Layer's threads (its agents and its embedded media driver): a backoff
 * (spin, yield, then park from 1 µs doubling up to a maximum) while clients are connected, and a plain long park
 * while the shard is {@link Activity#isQuiet() quiet} (no client session), when nobody waits for low latency.
 * <p>
 * Why: a thread that parks at most 100 µs wakes about ten thousand times a second even with nothing to do, and on a
 * virtual machine every wake-up costs several microseconds of host timer work; with the Replicant's tick resetting
 * the backoff 30 times a second, even a 1 ms maximum still wakes hundreds of times a second. A quiet layer parks
 * {@code quietParkNs} (10 ms by default) at a time instead: a client's hello waits at most that long, and from the
 * moment its session is taken over the layer is active again.
 * <p>
 * Threading: one instance per thread; the {@link Activity} is shared (written by the Replicant, read by every
 * thread's strategy).
 */
public final class LayerIdleStrategy implements IdleStrategy
{
    /**
     * Whether the layer has client sessions; shared by the strategies of all its threads.
     */
    public static final class Activity
    {
        private volatile boolean quiet = true;

        /**
         * @return true while the layer has no client session.
         */
        public boolean isQuiet()
        {
            return quiet;
        }

        /**
         * Called by the Replicant when its first session starts or its last ends.
         *
         * @param quiet true when no client session remains.
         */
        public void quiet(final boolean quiet)
        {
            this.quiet = quiet;
        }
    }

    private static final int MAX_SPINS = 10;
    private static final int MAX_YIELDS = 20;
    private static final long MIN_PARK_NS = 1_000;

    private final Activity activity;
    private final long maxParkNs;
    private final long quietParkNs;
    private int spins;
    private int yields;
    private long parkNs = MIN_PARK_NS;

    /**
     * @param activity    the layer's activity.
     * @param maxParkNs   longest park of the backoff while active.
     * @param quietParkNs park while quiet.
     */
    public LayerIdleStrategy(final Activity activity, final long maxParkNs, final long quietParkNs)
    {
        if (maxParkNs < MIN_PARK_NS || quietParkNs < MIN_PARK_NS)
        {
            throw new IllegalArgumentException("parks must be >= 1 µs: " + maxParkNs + ", " + quietParkNs);
        }
        this.activity = activity;
        this.maxParkNs = maxParkNs;
        this.quietParkNs = quietParkNs;
    }

    @Override
    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            reset();
        }
        else
        {
            idle();
        }
    }

    @Override
    public void idle()
    {
        if (activity.isQuiet())
        {
            LockSupport.parkNanos(quietParkNs);
        }
        else if (spins < MAX_SPINS)
        {
            spins++;
            Thread.onSpinWait();
        }
        else if (yields < MAX_YIELDS)
        {
            yields++;
            Thread.yield();
        }
        else
        {
            LockSupport.parkNanos(parkNs);
            parkNs = Math.min(parkNs << 1, maxParkNs);
        }
    }

    @Override
    public void reset()
    {
        spins = 0;
        yields = 0;
        parkNs = MIN_PARK_NS;
    }

    /**
     * @return the next park of the backoff (tests).
     */
    public long parkNs()
    {
        return parkNs;
    }

    @Override
    public String alias()
    {
        return "orrery-layer";
    }

    @Override
    public String toString()
    {
        return "LayerIdleStrategy{maxParkNs=" + maxParkNs + ", quietParkNs=" + quietParkNs + '}';
    }
}
