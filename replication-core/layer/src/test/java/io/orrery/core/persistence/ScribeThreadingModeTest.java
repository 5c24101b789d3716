/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.persistence;

import io.orrery.core.ThreadingMode;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scribe follows {@link ThreadingMode}: INVOKER starts no thread and nothing reaches the store until the caller steps
 * the consumer; SHARED and DEDICATED give the consumer a thread of its own and refuse to be stepped.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ScribeThreadingModeTest
{
    private static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(10);

    private static ScribeContext context(final TestPersistenceAdapter store, final ThreadingMode mode)
    {
        return new ScribeContext()
            .name("threading-" + mode)
            .adapter(store)
            .ringSize(256)
            .maxCoalescedEntities(64)
            .maxPendingOperations(16)
            .flushIntervalNs(0)
            .threadingMode(mode);
    }

    private static NodeRecord node(final long entityId)
    {
        final NodeRecord node = new NodeRecord();
        node.entityId = entityId;
        node.archetypeId = 3;
        node.parentZoneId = 1;
        node.x = entityId * 10;
        return node;
    }

    @Test
    void shouldTouchTheStoreOnlyWhenTheCallerStepsTheConsumerInInvokerMode()
    {
        final TestPersistenceAdapter store = new TestPersistenceAdapter();
        final CachedNanoClock clock = new CachedNanoClock();
        try (Scribe scribe = Scribe.launch(context(store, ThreadingMode.INVOKER).nanoClock(clock)))
        {
            assertTrue(scribe.isConsumerInvoked());
            assertTrue(scribe.context().useConsumerAgentInvoker());
            assertTrue(scribe.offerNodeUpsert(node(11)));
            assertTrue(scribe.offerWalletChange(1, 100, 7, 50));
            final long sequence = scribe.flushNow();

            // No thread runs the consumer: nothing moves until we step it.
            assertFalse(scribe.isDurable(sequence));
            assertEquals(0, store.nodeCount());
            assertEquals(0, store.walletBalance(7));

            int steps = 0;
            while (!scribe.isDurable(sequence) && steps < 100)
            {
                scribe.invokeConsumer();
                steps++;
            }
            assertTrue(scribe.isDurable(sequence), "durable after " + steps + " steps");
            assertNotNull(store.node(11));
            assertEquals(50, store.walletBalance(7));

            final long[] outcome = new long[2];
            assertEquals(1, scribe.pollCompletions(
                (type, operationId, correlationId, status, firstStatus, value) ->
                {
                    outcome[0] = status;
                    outcome[1] = value;
                },
                10));
            assertEquals(OperationStatus.OK, outcome[0]);
            assertEquals(50, outcome[1]);
        }
    }

    @Test
    void shouldRunTheConsumerOnItsOwnThreadInSharedAndDedicatedModes()
    {
        for (final ThreadingMode mode : new ThreadingMode[]{ ThreadingMode.SHARED, ThreadingMode.DEDICATED })
        {
            final TestPersistenceAdapter store = new TestPersistenceAdapter();
            try (Scribe scribe = Scribe.launch(context(store, mode)))
            {
                assertFalse(scribe.isConsumerInvoked());
                assertThrows(IllegalStateException.class, scribe::invokeConsumer);
                assertTrue(scribe.offerNodeUpsert(node(21)));
                final long sequence = scribe.flushNow();
                assertTrue(scribe.awaitDurable(sequence, DEADLINE_NS), mode + ": durable without being stepped");
                assertNotNull(store.node(21), mode.name());
            }
        }
    }
}
