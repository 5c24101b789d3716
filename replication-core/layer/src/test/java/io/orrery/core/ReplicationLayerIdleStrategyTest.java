/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core;

import io.aeron.exceptions.ConfigurationException;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Idle strategies hold state (backoff counters, park periods): no two agent threads of a layer may share one.
 */
class ReplicationLayerIdleStrategyTest
{
    @Test
    @Tag("system")
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldGiveEachDedicatedAgentThreadItsOwnIdleStrategy()
    {
        final List<ThreadRecordingIdleStrategy> handedOut = new CopyOnWriteArrayList<>();
        final ReplicationLayer.Context ctx = new ReplicationLayer.Context()
            .threadingMode(ThreadingMode.DEDICATED)
            .maxSessions(4)
            .maxEntities(1024)
            .idleStrategySupplier(() ->
            {
                final ThreadRecordingIdleStrategy strategy = new ThreadRecordingIdleStrategy();
                handedOut.add(strategy);
                return strategy;
            });
        try (ReplicationLayer layer = ReplicationLayer.launch(ctx))
        {
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (usedBy(handedOut) < 2)
            {
                if (System.nanoTime() - deadlineNs > 0)
                {
                    fail("the Gateway's and the Replicant's threads of " + layer.aeronDirectoryName() +
                        " did not both idle: " + handedOut.size() + " strategies handed out");
                }
                Thread.yield();
            }
            for (final ThreadRecordingIdleStrategy strategy : handedOut)
            {
                assertTrue(strategy.threads.size() <= 1, () -> "one idle strategy idled on " + strategy.threads);
            }
        }
    }

    @Test
    void shouldRefuseOneIdleStrategyInstanceForDedicatedThreads()
    {
        final ReplicationLayer.Context ctx = new ReplicationLayer.Context()
            .threadingMode(ThreadingMode.DEDICATED)
            .idleStrategy(new YieldingIdleStrategy());

        assertThrows(ConfigurationException.class, ctx::conclude);
    }

    @Test
    void shouldDefaultToOneNewIdleStrategyPerCall()
    {
        final ReplicationLayer.Context ctx = new ReplicationLayer.Context();
        try
        {
            ctx.conclude();
            final IdleStrategy first = ctx.idleStrategySupplier().get();
            final IdleStrategy second = ctx.idleStrategySupplier().get();
            assertTrue(first != second, "a new instance per call");
            assertEquals(first.getClass(), second.getClass());
        }
        finally
        {
            ctx.close();
        }
    }

    private static int usedBy(final List<ThreadRecordingIdleStrategy> strategies)
    {
        int used = 0;
        for (final ThreadRecordingIdleStrategy strategy : strategies)
        {
            used += strategy.threads.isEmpty() ? 0 : 1;
        }
        return used;
    }

    private static final class ThreadRecordingIdleStrategy implements IdleStrategy
    {
        final Set<Thread> threads = ConcurrentHashMap.newKeySet();
        private final YieldingIdleStrategy delegate = new YieldingIdleStrategy();

        @Override
        public void idle(final int workCount)
        {
            threads.add(Thread.currentThread());
            delegate.idle(workCount);
        }

        @Override
        public void idle()
        {
            threads.add(Thread.currentThread());
            delegate.idle();
        }

        @Override
        public void reset()
        {
            delegate.reset();
        }
    }
}
