/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.persistence;

import org.agrona.ErrorHandler;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.status.AtomicCounter;

import java.util.function.LongSupplier;

/**
 * How {@link ScribeConsumer} lives through store failures: it counts and reports each one, then waits an exponential
 * backoff ({@link ScribeContext#retryBackoffMinNs()} doubling up to {@link ScribeContext#retryBackoffMaxNs()}) before
 * the consumer retries what failed; a success resets the backoff. A lasting outage stays visible through the
 * consumer's {@link StoreOutage} (the world writer has one of its own).
 * <p>
 * Owns the failed state, the retry deadline, the backoff and the outage, and the store failure and retry
 * counters. Control path only: on failures and on the first success after one; {@link #onSuccess()} is otherwise one
 * store and one compare.
 * <p>
 * Threading: Scribe's consumer thread only.
 */
final class StoreRetry
{
    private final NanoClock clock;
    private final ErrorHandler errorHandler;
    private final ConsumerTrace trace;
    private final long retryBackoffMinNs;
    private final long retryBackoffMaxNs;
    private final AtomicCounter storeFailures;
    private final AtomicCounter retries;
    private final StoreOutage outage;
    private boolean failed;
    private boolean awaitingWriter;
    private long backoffNs;
    private long retryDeadlineNs;

    StoreRetry(
        final String roleName,
        final ScribeContext ctx,
        final LongSupplier backlog,
        final AtomicCounter[] counters,
        final ConsumerTrace trace)
    {
        this.clock = ctx.nanoClock();
        this.errorHandler = ctx.errorHandler();
        this.trace = trace;
        this.retryBackoffMinNs = ctx.retryBackoffMinNs();
        this.retryBackoffMaxNs = ctx.retryBackoffMaxNs();
        storeFailures = counters[ScribeCounter.STORE_FAILURES.id()];
        retries = counters[ScribeCounter.RETRIES.id()];
        outage = new StoreOutage(roleName, ctx.adapter().name(), clock, ctx.reportStream(), backlog);
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
        outage.onFailure(ex);
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
        outage.onSuccess();
    }
}
