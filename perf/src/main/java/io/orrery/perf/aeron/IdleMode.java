/*
 * Copyright 2026 The Orrery authors.
 */
package io.orrery.perf.aeron;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NoOpIdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

/**
 * Idle strategies selectable from the command line. Each call of {@link #newIdleStrategy()} returns a new instance
 * because most idle strategies keep per-thread state.
 * <p>
 * Threading: immutable, any thread.
 */
public enum IdleMode
{
    /**
     * Hot spin with {@link Thread#onSpinWait()}: only when there are no more hot threads than cores.
     */
    SPIN,

    /**
     * Hot spin without a pause instruction.
     */
    NOOP,

    /**
     * {@link Thread#yield()} when idle: shares a core politely.
     */
    YIELD,

    /**
     * Spin, then yield, then park from 1 µs up to 1 ms.
     */
    BACKOFF,

    /**
     * Spin, then yield, then park from 1 µs up to 100 µs: what the Replication Layer, its embedded media driver and
     * the bot threads use, so a scenario's floor runs with the same threading.
     */
    BACKOFF_100US,

    /**
     * Sleep 1 ms when idle.
     */
    SLEEP;

    /**
     * Create a new idle strategy of this kind.
     *
     * @return a new idle strategy, not shared with any other thread.
     */
    public IdleStrategy newIdleStrategy()
    {
        switch (this)
        {
            case SPIN:
                return new BusySpinIdleStrategy();
            case NOOP:
                return new NoOpIdleStrategy();
            case YIELD:
                return new YieldingIdleStrategy();
            case BACKOFF:
                return new BackoffIdleStrategy(10, 20, 1_000, 1_000_000);
            case BACKOFF_100US:
                return new BackoffIdleStrategy(10, 20, 1_000, 100_000);
            case SLEEP:
                return new SleepingMillisIdleStrategy(1);
            default:
                throw new IllegalStateException("unknown idle mode " + this);
        }
    }
}
