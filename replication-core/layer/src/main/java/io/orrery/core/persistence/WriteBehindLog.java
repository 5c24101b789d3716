/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.persistence;

import org.agrona.ErrorHandler;

import java.util.concurrent.TimeUnit;

/**
 * The store's log behind the world batches {@link ScribeConsumer} writes asynchronously
 * ({@link PersistenceAdapter#writeBehind}, {@link ScribeContext#asyncWriteBehind()}): the ring sequence of the first
 * change such a batch holds while the log may not be flushed past it ({@link #firstUnflushedSequence()}, which holds
 * {@link ScribeConsumer#durableSequence()} back), the periodic question whether it is flushed now, and the barrier
 * that waits for the flush. Anything the consumer later commits synchronously flushes the log too
 * ({@link #onFlushed()}).
 * <p>
 * A failed check is only reported (it is a read, asked again at the next check); a failed barrier is a store failure
 * for {@link StoreRetry}.
 * <p>
 * Threading: Scribe's consumer thread only.
 */
final class WriteBehindLog
{
    /**
     * How often, at least, the consumer asks the store whether its log is flushed past the batches written
     * asynchronously (else every flush interval, when longer).
     */
    static final long LOG_CHECK_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long NONE = Long.MAX_VALUE;

    private final PersistenceAdapter adapter;
    private final StoreRetry retry;
    private final ErrorHandler errorHandler;
    private final ConsumerTrace trace;
    private final long checkIntervalNs;
    private long firstUnflushedSequence = NONE;
    private long nextCheckNs;

    WriteBehindLog(
        final PersistenceAdapter adapter,
        final long flushIntervalNs,
        final StoreRetry retry,
        final ErrorHandler errorHandler,
        final ConsumerTrace trace)
    {
        this.adapter = adapter;
        this.retry = retry;
        this.errorHandler = errorHandler;
        this.trace = trace;
        this.checkIntervalNs = Math.max(LOG_CHECK_INTERVAL_NS, flushIntervalNs);
    }

    /**
     * @return whether the log is known to be flushed past every batch written asynchronously.
     */
    boolean isFlushed()
    {
        return NONE == firstUnflushedSequence;
    }

    /**
     * @return the ring sequence of the first change of the batches written asynchronously whose log may not be
     * flushed, valid while not {@link #isFlushed()}.
     */
    long firstUnflushedSequence()
    {
        return firstUnflushedSequence;
    }

    /**
     * A batch was written asynchronously.
     *
     * @param firstSequence the ring sequence of its first change.
     * @param nowNs         the duty cycle's time: the first check is due one interval later.
     */
    void onWrittenBehind(final long firstSequence, final long nowNs)
    {
        if (NONE == firstUnflushedSequence)
        {
            firstUnflushedSequence = firstSequence;
            nextCheckNs = nowNs + checkIntervalNs;
        }
    }

    /**
     * Something was committed synchronously: the store's log is flushed past every batch written asynchronously.
     */
    void onFlushed()
    {
        firstUnflushedSequence = NONE;
    }

    /**
     * At most every {@link #LOG_CHECK_INTERVAL_NS} or flush interval, or at once while closing: whether the log is
     * flushed past the batches written asynchronously (a read; while closing a wait for the flush).
     *
     * @return the work done (0 or 1).
     */
    int check(final long nowNs, final boolean closing)
    {
        if (closing)
        {
            flush();
            return 1;
        }
        if (nowNs - nextCheckNs < 0)
        {
            return 0;
        }

        nextCheckNs = nowNs + checkIntervalNs;
        final long startNs = null != trace ? System.nanoTime() : 0;
        try
        {
            final boolean flushed = adapter.isLogFlushed();
            if (null != trace)
            {
                trace.record(ConsumerTrace.LOG_CHECK, startNs, System.nanoTime(), flushed ? 1 : 0, 0);
            }
            if (flushed)
            {
                onFlushed();
            }
        }
        catch (final RuntimeException ex)
        {
            errorHandler.onError(ex); // a read: asked again at the next check
        }
        return 1;
    }

    /**
     * A barrier: make every batch written asynchronously durable.
     *
     * @return false when the store failed ({@link StoreRetry#onFailure}: retried after a backoff).
     */
    boolean flush()
    {
        if (NONE == firstUnflushedSequence)
        {
            return true;
        }

        final long startNs = null != trace ? System.nanoTime() : 0;
        try
        {
            adapter.flushLog();
        }
        catch (final RuntimeException ex)
        {
            retry.onFailure(ex);
            return false;
        }
        if (null != trace)
        {
            trace.record(ConsumerTrace.LOG_FLUSH, startNs, System.nanoTime(), 0, 0);
        }
        onFlushed();
        retry.onSuccess();
        return true;
    }
}
