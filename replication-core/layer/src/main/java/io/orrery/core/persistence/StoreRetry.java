/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.persistence;

import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.status.AtomicCounter;

import java.util.concurrent.TimeUnit;

/**
 * How {@link ScribeConsumer} lives through store failures: it counts and reports each one, then waits an exponential
 * backoff ({@link ScribeContext#retryBackoffMinNs()} doubling up to {@link ScribeContext#retryBackoffMaxNs()}) before
 * the consumer retries what failed; a success resets the backoff. A lasting outage stays visible: the error handler
 * reports each distinct error once, so a line is printed at most every {@link #OUTAGE_REPORT_INTERVAL_NS} with how
 * long the store has been failing, how often, and the backlog, and one when it is back.
 * <p>
 * Owns the failed state, the retry deadline, the backoff and the outage bookkeeping, and the store failure and retry
 * counters. Control path only: on failures and on the first success after one; {@link #onSuccess()} is otherwise one
 * store and one compare.
 * <p>
 * Threading: Scribe's consumer thread only.
 */
final class StoreRetry
{
    /**
     * How often a lasting store outage is reported.
     */
    static final long OUTAGE_REPORT_INTERVAL_NS = TimeUnit.SECONDS.toNanos(10);
    private static final long NO_OUTAGE = Long.MIN_VALUE;

    private final String roleName;
    private final PersistenceAdapter adapter;
    private final RingBuffer<ScribeEvent> ring;
    private final Sequence consumed;
    private final NanoClock clock;
    private final ErrorHandler errorHandler;
    private final ConsumerTrace trace;
    private final long retryBackoffMinNs;
    private final long retryBackoffMaxNs;
    private final AtomicCounter storeFailures;
    private final AtomicCounter retries;
    private boolean failed;
    private boolean awaitingWriter;
    private long backoffNs;
    private long retryDeadlineNs;
    private long outageStartNs = NO_OUTAGE;
    private long outageFailures;
    private long nextOutageReportNs;

    StoreRetry(
        final String roleName,
        final ScribeContext ctx,
        final RingBuffer<ScribeEvent> ring,
        final Sequence consumed,
        final AtomicCounter[] counters,
        final ConsumerTrace trace)
    {
        this.roleName = roleName;
        this.adapter = ctx.adapter();
        this.ring = ring;
        this.consumed = consumed;
        this.clock = ctx.nanoClock();
        this.errorHandler = ctx.errorHandler();
        this.trace = trace;
        this.retryBackoffMinNs = ctx.retryBackoffMinNs();
        this.retryBackoffMaxNs = ctx.retryBackoffMaxNs();
        storeFailures = counters[ScribeCounter.STORE_FAILURES.id()];
        retries = counters[ScribeCounter.RETRIES.id()];
    }

    /**
     * @return whether something failed and waits for its retry.
     */
    boolean isFailed()
    {
        return failed;
    }

    /**
     * @return whether the backoff after a failure has elapsed.
     */
    boolean isRetryDue(final long nowNs)
    {
        return nowNs - retryDeadlineNs >= 0;
    }

    /**
     * The consumer retries what failed now: count it and clear the failed state.
     */
    void onRetry()
    {
        if (!awaitingWriter)
        {
            retries.incrementRelease();
        }
        failed = false;
        awaitingWriter = false;
    }

    /**
     * What the consumer was doing must wait for the {@link WorldBatchWriter}'s batch (it depends on it, or needs its
     * slot): stop polling and retry it as soon as the writer is idle, without backoff and without counting a
     * failure or a retry.
     */
    void awaitWriter()
    {
        failed = true;
        awaitingWriter = true;
        retryDeadlineNs = clock.nanoTime();
    }

    /**
     * @return whether what waits is waiting for the world writer ({@link #awaitWriter()}), not for a backoff.
     */
    boolean isAwaitingWriter()
    {
        return awaitingWriter;
    }

    /**
     * The store failed: count and report it, and back off.
     */
    void onFailure(final RuntimeException ex)
    {
        storeFailures.increment(); // atomic: the world writer counts its failures here too
        errorHandler.onError(ex);
        reportOutage(ex);
        backOff();
        if (null != trace)
        {
            final long now = System.nanoTime();
            trace.record(ConsumerTrace.FAILURE, now, now, backoffNs, 0);
        }
    }

    /**
     * Something must be retried though the store did not fail (a load abandoned): back off without counting.
     */
    void backOff()
    {
        backoffNs = 0 == backoffNs ? retryBackoffMinNs : Math.min(backoffNs << 1, retryBackoffMaxNs);
        retryDeadlineNs = clock.nanoTime() + backoffNs;
        failed = true;
        awaitingWriter = false;
    }

    /**
     * The store answered: reset the backoff and report the end of an outage.
     */
    void onSuccess()
    {
        backoffNs = 0;
        if (NO_OUTAGE != outageStartNs)
        {
            System.err.println("orrery: " + roleName + ": store " + adapter.name() + " back after " +
                TimeUnit.NANOSECONDS.toMillis(clock.nanoTime() - outageStartNs) + " ms (" + outageFailures +
                " failures); nothing acknowledged was lost, the backlog is being written");
            outageStartNs = NO_OUTAGE;
            outageFailures = 0;
        }
    }

    private void reportOutage(final RuntimeException ex)
    {
        final long now = clock.nanoTime();
        outageFailures++;
        if (NO_OUTAGE == outageStartNs)
        {
            outageStartNs = now;
            nextOutageReportNs = now + OUTAGE_REPORT_INTERVAL_NS;
        }
        else if (now - nextOutageReportNs >= 0)
        {
            nextOutageReportNs = now + OUTAGE_REPORT_INTERVAL_NS;
            System.err.println("orrery: " + roleName + ": store " + adapter.name() + " failing for " +
                TimeUnit.NANOSECONDS.toSeconds(now - outageStartNs) + " s (" + outageFailures + " failures, backlog " +
                (ring.getCursor() - consumed.get()) + " events), last: " + ex);
        }
    }
}
