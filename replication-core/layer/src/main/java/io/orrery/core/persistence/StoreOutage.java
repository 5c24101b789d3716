/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.persistence;

import org.agrona.concurrent.NanoClock;

import java.io.PrintStream;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * What an operator reads while one of Scribe's sessions of the store keeps failing: the error handler reports each
 * distinct error once, so a lasting outage would otherwise go quiet. Once failures have gone on for
 * {@link #REPORT_INTERVAL_NS}, one line per interval says for how long, how often, how many events offered to
 * Scribe are not yet durable, and the last error; the first success after failures says how long the outage lasted. One per writer of the store
 * ({@link StoreRetry} for the consumer, {@link WorldBatchWriter} for the world writer), each named after its thread,
 * so a store that fails only for the world batches is reported as loudly as one that fails for operations.
 * <p>
 * Control path only: lines are built on failures and on the first success after one; {@link #onSuccess()} is
 * otherwise one compare.
 * <p>
 * Threading: the thread of the writer it belongs to.
 */
final class StoreOutage
{
    /**
     * How often a lasting store outage is reported.
     */
    static final long REPORT_INTERVAL_NS = TimeUnit.SECONDS.toNanos(10);
    private static final long NO_OUTAGE = Long.MIN_VALUE;

    private final String roleName;
    private final String storeName;
    private final NanoClock clock;
    private final PrintStream out;
    private final LongSupplier backlog;
    private long startNs = NO_OUTAGE;
    private long failures;
    private long nextReportNs;

    /**
     * @param roleName  the writer's thread name, first on each line.
     * @param storeName the adapter's name.
     * @param clock     the writer's clock.
     * @param out       where the lines go.
     * @param backlog   events offered to Scribe and not yet durable, read when a line is printed (any thread).
     */
    StoreOutage(
        final String roleName,
        final String storeName,
        final NanoClock clock,
        final PrintStream out,
        final LongSupplier backlog)
    {
        this.roleName = roleName;
        this.storeName = storeName;
        this.clock = clock;
        this.out = out;
        this.backlog = backlog;
    }

    /**
     * A call to the store failed: start or extend the outage and print a line if one is due.
     */
    void onFailure(final RuntimeException ex)
    {
        final long nowNs = clock.nanoTime();
        failures++;
        if (NO_OUTAGE == startNs)
        {
            startNs = nowNs;
            nextReportNs = nowNs + REPORT_INTERVAL_NS;
        }
        else if (nowNs - nextReportNs >= 0)
        {
            nextReportNs = nowNs + REPORT_INTERVAL_NS;
            out.println("orrery: " + roleName + ": store " + storeName + " failing for " +
                TimeUnit.NANOSECONDS.toSeconds(nowNs - startNs) + " s (" + failures + " failures, " +
                backlog.getAsLong() + " events not yet durable), last: " + ex);
        }
    }

    /**
     * A call to the store succeeded: end the outage, if any, with a line.
     */
    void onSuccess()
    {
        if (NO_OUTAGE != startNs)
        {
            out.println("orrery: " + roleName + ": store " + storeName + " back after " +
                TimeUnit.NANOSECONDS.toMillis(clock.nanoTime() - startNs) + " ms (" + failures +
                " failures); nothing acknowledged was lost, the backlog is being written");
            startNs = NO_OUTAGE;
            failures = 0;
        }
    }

    /**
     * @return whether calls have failed since the last success.
     */
    boolean isOngoing()
    {
        return NO_OUTAGE != startNs;
    }
}
