/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.persistence;

import com.lmax.disruptor.RingBuffer;
import io.orrery.core.ThreadingMode;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.status.AtomicCounter;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Where Scribe's consumer runs and how it stops: on a thread of its own ({@link ThreadingMode#SHARED} and
 * {@link ThreadingMode#DEDICATED}: Scribe is one agent, so both give it one thread; its {@link WorldBatchWriter},
 * when it has one, gets a second) or stepped by the caller ({@link ThreadingMode#INVOKER}: {@link #invoke()} steps
 * the consumer, then the world writer, and every wait for durability steps them too); waiting until a
 * ring sequence is durable; and, at close, accounting for what a store that stayed down never took.
 * <p>
 * Threading: {@link #start()}, {@link #wake()}, {@link #awaitDurable(long, long)}, {@link #invoke()} and
 * {@link #stop()} on Scribe's producer thread.
 */
final class ScribeConsumerRunner
{
    private final ScribeContext ctx;
    private final ScribeConsumer consumer;
    private final AgentRunner runner;
    private final AgentRunner worldWriterRunner;
    private final AgentInvoker invoker;
    private final boolean wakeConsumer;
    private final IdleStrategy awaitIdleStrategy = new BackoffIdleStrategy(
        1, 10, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(1));

    ScribeConsumerRunner(final ScribeContext ctx, final ScribeConsumer consumer)
    {
        this.ctx = ctx;
        this.consumer = consumer;
        this.wakeConsumer = ctx.wakeConsumer();
        final WorldBatchWriter worldWriter = consumer.worldWriter();
        if (ThreadingMode.INVOKER == ctx.threadingMode())
        {
            invoker = new AgentInvoker(ctx.errorHandler(), null,
                null == worldWriter ? consumer : new CompositeAgent(consumer, worldWriter));
            runner = null;
            worldWriterRunner = null;
        }
        else
        {
            invoker = null;
            runner = new AgentRunner(ctx.idleStrategy(), ctx.errorHandler(), null, consumer);
            // its own idle strategy (they keep state): parks for long when idle, unparked by each hand-off
            worldWriterRunner = null == worldWriter ? null : new AgentRunner(
                new BackoffIdleStrategy(10, 20, TimeUnit.MICROSECONDS.toNanos(1), WorldBatchWriter.IDLE_PARK_MAX_NS),
                ctx.errorHandler(), null, worldWriter);
        }
    }

    void start()
    {
        if (null != invoker)
        {
            invoker.start();
        }
        else
        {
            AgentRunner.startOnThread(runner, ctx.threadFactory());
            if (null != worldWriterRunner)
            {
                AgentRunner.startOnThread(worldWriterRunner, ctx.threadFactory());
            }
        }
    }

    /**
     * Wake the consumer thread if its idle strategy parked it: an event someone waits for was offered. A thread not
     * parked keeps the permit and its next park returns at once (one extra duty cycle). Nothing to do for an
     * invoker. Allocation free (a volatile read and, for a parked thread, the unpark's system call).
     */
    void wake()
    {
        if (null != runner && wakeConsumer)
        {
            final Thread thread = runner.thread();
            if (null != thread)
            {
                LockSupport.unpark(thread);
            }
        }
    }

    boolean isInvoker()
    {
        return null != invoker;
    }

    /**
     * One duty cycle of the consumer on the caller's thread ({@link ThreadingMode#INVOKER} only).
     *
     * @return work done.
     */
    int invoke()
    {
        if (null == invoker)
        {
            throw new IllegalStateException("the Scribe consumer runs on its own thread: ThreadingMode " +
                ctx.threadingMode() + " (INVOKER to step it)");
        }
        return invoker.invoke();
    }

    boolean awaitDurable(final long sequence, final long timeoutNs)
    {
        final long deadlineNs = System.nanoTime() + timeoutNs;
        awaitIdleStrategy.reset();
        while (consumer.durableSequence() < sequence)
        {
            if (System.nanoTime() - deadlineNs >= 0)
            {
                return false;
            }
            final int workCount = null != invoker ? invoker.invoke() : 0;
            awaitIdleStrategy.idle(workCount);
        }
        return true;
    }

    void stop()
    {
        if (null != invoker)
        {
            CloseHelper.quietClose(invoker);
        }
        if (null != runner)
        {
            CloseHelper.quietClose(runner);
        }
        if (null != worldWriterRunner)
        {
            CloseHelper.quietClose(worldWriterRunner); // after the consumer: it hands the writer nothing more
        }
    }

    /**
     * After the consumer stopped with the store still failing: complete every operation not applied with
     * {@link OperationStatus#STORE_ERROR}, count the world changes not written in
     * {@link ScribeCounter#LOST_AT_CLOSE} and report both.
     */
    void failNotDurable(final RingBuffer<ScribeEvent> ring, final long target, final AtomicCounter[] counters)
    {
        long lostChanges = consumer.pendingWorldChanges();
        long failedOperations = consumer.completeGroupNotApplied();
        final ScribeEvent deferred = consumer.deferredEvent();
        if (null != deferred)
        {
            if (ScribeEvent.isOperation(deferred.type))
            {
                consumer.completeNotApplied(deferred);
                failedOperations++;
            }
            else if (ScribeEvent.FLUSH != deferred.type)
            {
                lostChanges++;
            }
        }

        for (long sequence = consumer.consumedSequence() + 1; sequence <= target; sequence++)
        {
            final ScribeEvent event = ring.get(sequence);
            if (ScribeEvent.isOperation(event.type))
            {
                consumer.completeNotApplied(event);
                failedOperations++;
            }
            else if (ScribeEvent.FLUSH != event.type)
            {
                lostChanges++;
            }
        }

        counters[ScribeCounter.LOST_AT_CLOSE.id()].setRelease(lostChanges);
        ctx.errorHandler().onError(new PersistenceException("scribe " + ctx.name() + " closed before the store " +
            ctx.adapter().name() + " took everything: " + lostChanges + " world changes not written, " +
            failedOperations + " operations completed as STORE_ERROR"));
    }
}
