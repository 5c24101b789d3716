/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.persistence;

import io.orrery.core.ThreadingMode;
import org.agrona.concurrent.IdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An operation or a flush barrier offered while Scribe's consumer thread is parked by its idle strategy is taken at
 * once: the offer wakes the thread instead of the operation waiting out the park (a Replication Layer without clients
 * parks 10 ms at a time; here the park is an hour, longer than the test's deadline).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ScribeWakeTest
{
    private static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(10);
    private static final long HOUR_NS = TimeUnit.HOURS.toNanos(1);

    private final TestPersistenceAdapter store = new TestPersistenceAdapter();
    private final AtomicReference<Thread> consumerThread = new AtomicReference<>();
    private final AtomicInteger parks = new AtomicInteger();
    private volatile boolean done;
    private int completed;

    /**
     * Parks an hour whenever the consumer found nothing to do.
     */
    private final IdleStrategy longPark = new IdleStrategy()
    {
        @Override
        public void idle(final int workCount)
        {
            if (0 == workCount)
            {
                idle();
            }
        }

        @Override
        public void idle()
        {
            if (!done) // the test is over: let Scribe's close stop the thread
            {
                parks.incrementAndGet();
                LockSupport.parkNanos(HOUR_NS);
            }
        }

        @Override
        public void reset()
        {
        }
    };

    private Scribe launch()
    {
        return Scribe.launch(new ScribeContext()
            .name("wake")
            .adapter(store)
            .ringSize(256)
            .maxPendingOperations(16)
            .threadingMode(ThreadingMode.SHARED)
            .idleStrategy(longPark)
            .threadFactory((runnable) ->
            {
                final Thread thread = new Thread(runnable, "scribe-wake-test");
                thread.setDaemon(true);
                consumerThread.set(thread);
                return thread;
            }));
    }

    private void release()
    {
        done = true;
        LockSupport.unpark(consumerThread.get());
    }

    private void awaitParked()
    {
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        while (!(parks.get() > 0 && Thread.State.TIMED_WAITING == consumerThread.get().getState()))
        {
            assertTrue(System.nanoTime() < deadlineNs, "the consumer parked before the deadline");
            Thread.onSpinWait();
        }
    }

    @Test
    void shouldTakeAnOperationOfferedWhileTheConsumerIsParkedWithoutWaitingOutThePark()
    {
        try (Scribe scribe = launch())
        {
            awaitParked();
            assertTrue(scribe.offerWalletChange(1, 1, 7, 50));

            final long deadlineNs = System.nanoTime() + DEADLINE_NS;
            while (completed < 1 && System.nanoTime() < deadlineNs)
            {
                scribe.pollCompletions(
                    (type, operationId, correlationId, status, firstStatus, value) -> completed++, 1);
                Thread.onSpinWait();
            }
            assertEquals(1, completed, "completed long before the park would have ended");
            assertEquals(50, store.walletBalance(7));
            release();
        }
    }

    @Test
    void shouldWriteAtAFlushBarrierOfferedWhileTheConsumerIsParked()
    {
        try (Scribe scribe = launch())
        {
            awaitParked();
            final NodeRecord node = new NodeRecord();
            node.entityId = 11;
            node.parentZoneId = 1;
            assertTrue(scribe.offerNodeUpsert(node)); // a world change alone does not wake it: write-behind
            final long sequence = scribe.flushNow();
            assertTrue(scribe.awaitDurable(sequence, DEADLINE_NS), "durable long before the park would have ended");
            assertEquals(11, store.node(11).entityId);
            release();
        }
    }
}
