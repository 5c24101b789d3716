/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.persistence;

import org.HdrHistogram.SingleWriterRecorder;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.status.AtomicCounter;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Scribe's world writer ({@link ScribeContext#worldWriter()}): writes the world batches {@link ScribeConsumer} hands
 * it, one at a time, on a session of the store of its own ({@link PersistenceAdapter#openWorldWriter()}), so that an
 * operation never waits in the ring behind an unrelated world batch's write and commit.
 * <p>
 * The hand-off is a single slot: {@link #handOff} gives the writer the consumer's pending {@link WorldCoalescer},
 * which the consumer does not touch again (it reads it with {@link WorldCoalescer#touches} only while
 * {@link #isBusy()}, and clears it only after) until the writer has committed it and published that it is idle. While
 * the slot is taken the consumer coalesces into its other coalescer; whatever must be ordered after the batch in the
 * slot (an operation that depends on one of its changes, a barrier, a region load, a full batch) waits for it. A
 * failed write keeps the batch in the slot and is retried after an exponential backoff; nothing is dropped. A
 * lasting failure is reported by the writer's own {@link StoreOutage} (the consumer, waiting for the slot, sees no
 * failure of its own while only world batches fail).
 * <p>
 * {@link #holdBackSequence()}: the ring sequence before the first change of the batch in the slot, while it is not
 * durable ({@link Long#MAX_VALUE} when idle); {@link ScribeConsumer#durableSequence()} is the lower of it and the
 * consumer's own, so it stays a prefix of the ring with two writers. It is set before the slot is taken and cleared
 * before the slot is released.
 * <p>
 * An idle writer costs next to nothing: its thread parks for up to {@link #IDLE_PARK_MAX_NS} and {@link #handOff}
 * unparks it, so a batch is written at once, not at the writer's next look (a retry after a failure may start up to
 * twice its backoff late, as the park grows).
 * <p>
 * Threading: an Agrona {@link Agent} on a thread of its own, or stepped with the consumer by Scribe's agent invoker
 * ({@link io.orrery.core.ThreadingMode#INVOKER}); {@link #handOff} and {@link #isBusy()} on the consumer's thread,
 * {@link #holdBackSequence()} on any thread. The writer alone writes the batch counters and latency recorder while it
 * is in use (the consumer then writes no world batch itself).
 */
final class WorldBatchWriter implements Agent
{
    /**
     * Longest park of the writer's thread when it has nothing to write ({@link #handOff} unparks it).
     */
    static final long IDLE_PARK_MAX_NS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long IDLE = Long.MAX_VALUE;

    private final String roleName;
    private final EntityGraphStore store;
    private final ErrorHandler errorHandler;
    private final NanoClock clock;
    private final long retryBackoffMinNs;
    private final long retryBackoffMaxNs;
    private final SingleWriterRecorder batchWriteLatencyNs;
    private final AtomicCounter batchesWritten;
    private final AtomicCounter entriesWritten;
    private final AtomicCounter lastFlushLatencyNs;
    private final AtomicCounter storeFailures;
    private final StoreOutage outage;
    private volatile WorldCoalescer inFlight;
    private volatile long holdBackSequence = IDLE;
    private volatile Thread consumerThread;
    private volatile Thread writerThread;
    private long backoffNs;
    private long retryDeadlineNs;

    WorldBatchWriter(
        final ScribeContext ctx,
        final EntityGraphStore store,
        final AtomicCounter[] counters,
        final SingleWriterRecorder batchWriteLatencyNs,
        final LongSupplier backlog)
    {
        this.roleName = "orrery-scribe-world-" + ctx.name();
        this.store = store;
        this.errorHandler = ctx.errorHandler();
        this.clock = ctx.nanoClock();
        this.retryBackoffMinNs = ctx.retryBackoffMinNs();
        this.retryBackoffMaxNs = ctx.retryBackoffMaxNs();
        this.batchWriteLatencyNs = batchWriteLatencyNs;
        batchesWritten = counters[ScribeCounter.BATCHES_WRITTEN.id()];
        entriesWritten = counters[ScribeCounter.ENTRIES_WRITTEN.id()];
        lastFlushLatencyNs = counters[ScribeCounter.LAST_FLUSH_LATENCY_NS.id()];
        storeFailures = counters[ScribeCounter.STORE_FAILURES.id()];
        outage = new StoreOutage(roleName, ctx.adapter().name(), clock, ctx.reportStream(), backlog);
    }

    @Override
    public String roleName()
    {
        return roleName;
    }

    @Override
    public void onStart()
    {
        writerThread = Thread.currentThread();
    }

    @Override
    public int doWork()
    {
        final WorldCoalescer batch = inFlight;
        if (null == batch)
        {
            return 0;
        }

        final long startNs = clock.nanoTime();
        if (0 != backoffNs && startNs - retryDeadlineNs < 0)
        {
            return 0;
        }

        try
        {
            store.write(batch.batch());
        }
        catch (final RuntimeException ex)
        {
            storeFailures.increment(); // shared with the consumer's failures
            errorHandler.onError(ex);
            outage.onFailure(ex);
            backoffNs = 0 == backoffNs ? retryBackoffMinNs : Math.min(backoffNs << 1, retryBackoffMaxNs);
            retryDeadlineNs = clock.nanoTime() + backoffNs;
            return 1;
        }

        final long latencyNs = clock.nanoTime() - startNs;
        backoffNs = 0;
        outage.onSuccess();
        batchWriteLatencyNs.recordValue(Math.min(latencyNs, Scribe.MAX_RECORDED_LATENCY_NS));
        lastFlushLatencyNs.setRelease(latencyNs);
        batchesWritten.incrementRelease();
        entriesWritten.getAndAddRelease(batch.size());
        holdBackSequence = IDLE;
        inFlight = null;
        final Thread consumer = consumerThread;
        if (null != consumer && consumer != Thread.currentThread())
        {
            LockSupport.unpark(consumer); // it may wait for the slot (a dependent operation, a barrier, a load)
        }
        return 1;
    }

    @Override
    public void onClose()
    {
        CloseHelper.quietClose(store);
    }

    /**
     * The consumer's thread, woken when a batch is committed (it may be waiting for the slot).
     */
    void consumerThread(final Thread thread)
    {
        consumerThread = thread;
    }

    /**
     * @return whether a batch is in the slot (not yet durable).
     */
    boolean isBusy()
    {
        return null != inFlight;
    }

    /**
     * @return the batch in the slot, valid while {@link #isBusy()}: read it, never change it.
     */
    WorldCoalescer inFlight()
    {
        return inFlight;
    }

    /**
     * Give the writer a batch to write; the slot must be free ({@link #isBusy()} false).
     *
     * @param pending       the consumer's coalescer, not empty; the consumer leaves it alone until the slot is free.
     * @param firstSequence the ring sequence of its first change.
     */
    void handOff(final WorldCoalescer pending, final long firstSequence)
    {
        holdBackSequence = firstSequence - 1;
        inFlight = pending;
        final Thread writer = writerThread;
        if (null != writer && writer != Thread.currentThread())
        {
            LockSupport.unpark(writer); // it parks for long when idle: the batch is written now, not at its next look
        }
    }

    /**
     * @return the ring sequence before the first change of the batch in the slot, {@link Long#MAX_VALUE} when the
     * slot is free: nothing from it on is durable yet.
     */
    long holdBackSequence()
    {
        return holdBackSequence;
    }

    /**
     * @return the world changes in the slot, for {@link Scribe#close()} once the writer has stopped.
     */
    int pendingWorldChanges()
    {
        final WorldCoalescer batch = inFlight;
        return null == batch ? 0 : batch.size();
    }
}
