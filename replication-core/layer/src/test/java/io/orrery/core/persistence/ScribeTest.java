/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.persistence;

import io.aeron.exceptions.ConfigurationException;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scribe against an in-memory test store with fault injection. Most tests run the consumer on the test thread
 * ({@code useConsumerAgentInvoker}) with a controlled clock; the ones about blocking and closing use the consumer
 * thread and wait for conditions with deadlines.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ScribeTest
{
    private static final long INTERVAL_MS = 100;
    private static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(10);

    private final CachedNanoClock clock = new CachedNanoClock();
    private final TestPersistenceAdapter store = new TestPersistenceAdapter();
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final List<Completion> completions = new ArrayList<>();
    private final CompletionHandler collector = (type, operationId, correlationId, status, firstStatus, value) ->
        completions.add(new Completion(type, operationId, correlationId, status, firstStatus, value));
    private final UnsafeBuffer state = new UnsafeBuffer(new byte[NodeRecord.MAX_COMPONENT_STATE_LENGTH]);
    private Scribe scribe;

    record Completion(int type, long operationId, long correlationId, int status, int firstStatus, long value)
    {
    }

    @AfterEach
    void tearDown()
    {
        if (null != scribe)
        {
            store.release();
            store.down(false);
            scribe.close();
        }
    }

    private Scribe launch(final boolean invoker, final Consumer<ScribeContext> customise)
    {
        clock.update(TimeUnit.SECONDS.toNanos(1000));
        final ScribeContext ctx = new ScribeContext()
            .name("test")
            .adapter(store)
            .ringSize(1024)
            .maxCoalescedEntities(256)
            .maxPendingOperations(64)
            .flushIntervalNs(TimeUnit.MILLISECONDS.toNanos(INTERVAL_MS))
            .errorHandler(errors::add)
            .useConsumerAgentInvoker(invoker);
        if (invoker)
        {
            ctx.nanoClock(clock);
        }
        customise.accept(ctx);
        scribe = Scribe.launch(ctx);
        return scribe;
    }

    private void advanceMs(final long ms)
    {
        clock.advance(TimeUnit.MILLISECONDS.toNanos(ms));
    }

    private boolean upsert(final long entityId, final long x, final int stateByte)
    {
        state.putByte(0, (byte)stateByte);
        state.putByte(1, (byte)(stateByte >> 8));
        return scribe.offerNodeUpsert(entityId, 7, 1, 0, false, x, x * 2, -x, 0, 0, 0, 1, 0.5f, state, 0, 2);
    }

    private static NodeRecord node(final long entityId, final long x)
    {
        final NodeRecord node = new NodeRecord();
        node.entityId = entityId;
        node.archetypeId = 9;
        node.parentZoneId = 1;
        node.x = x;
        node.componentState[0] = 42;
        node.componentStateLength = 1;
        return node;
    }

    private void flushAndAwait()
    {
        final long sequence = scribe.flushNow();
        assertTrue(sequence >= 0, "flush barrier offered");
        assertTrue(scribe.awaitDurable(sequence, DEADLINE_NS), "durable before the deadline");
    }

    private Completion awaitCompletion(final long correlationId)
    {
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        while (System.nanoTime() < deadlineNs)
        {
            for (final Completion completion : completions)
            {
                if (completion.correlationId == correlationId)
                {
                    return completion;
                }
            }
            if (scribe.context().useConsumerAgentInvoker())
            {
                scribe.invokeConsumer();
            }
            else
            {
                Thread.onSpinWait();
            }
            scribe.pollCompletions(collector, 16);
        }
        throw new AssertionError("no completion for correlation id " + correlationId);
    }

    @Test
    void shouldCoalesceUpsertsPerEntityWhenManyUpdatesArriveWithinInterval()
    {
        launch(true, (ctx) -> ctx.ringSize(16 * 1024));
        for (int round = 0; round < 100; round++)
        {
            for (int entity = 0; entity < 100; entity++)
            {
                assertTrue(upsert(1000 + entity, round * 1000L + entity, round));
            }
            if (round % 10 == 9)
            {
                scribe.invokeConsumer();
                advanceMs(1);
            }
        }
        advanceMs(INTERVAL_MS);
        scribe.invokeConsumer();

        assertTrue(store.batchSizes().size() <= 2, "batches: " + store.batchSizes());
        assertEquals(100, store.nodeCount());
        for (int entity = 0; entity < 100; entity++)
        {
            final NodeRecord stored = store.node(1000 + entity);
            assertEquals(99_000L + entity, stored.x, "last state wins");
            assertEquals(-(99_000L + entity), stored.z);
            assertEquals(99, stored.componentState[0]);
            assertEquals(2, stored.componentStateLength);
        }
        assertEquals(10_000, scribe.counter(ScribeCounter.EVENTS));
        assertEquals(9_900, scribe.counter(ScribeCounter.COALESCED));
        assertEquals(100, scribe.counter(ScribeCounter.ENTRIES_WRITTEN));
        assertEquals(scribe.lastOfferedSequence(), scribe.durableSequence());
    }

    @Test
    void shouldWriteBehindOnlyWhenFlushIntervalHasElapsed()
    {
        launch(true, (ctx) -> { });
        assertTrue(upsert(1, 10, 1));
        scribe.invokeConsumer();
        assertEquals(0, store.batchSizes().size(), "not before the interval");
        assertEquals(-1, scribe.durableSequence());

        advanceMs(INTERVAL_MS - 1);
        assertTrue(upsert(2, 20, 2));
        scribe.invokeConsumer();
        assertEquals(0, store.batchSizes().size(), "interval counts from the first pending change");

        advanceMs(1);
        scribe.invokeConsumer();
        assertEquals(List.of(2), store.batchSizes());
        assertEquals(1, scribe.durableSequence());

        assertTrue(upsert(3, 30, 3));
        scribe.invokeConsumer();
        advanceMs(INTERVAL_MS / 2);
        scribe.invokeConsumer();
        assertEquals(1, store.batchSizes().size());
        advanceMs(INTERVAL_MS / 2);
        scribe.invokeConsumer();
        assertEquals(List.of(2, 1), store.batchSizes());
        assertEquals(3, store.nodeCount());
        assertTrue(scribe.counter(ScribeCounter.LAST_FLUSH_LATENCY_NS) >= 0);
        assertEquals(2, scribe.batchWriteLatencyNs().getIntervalHistogram().getTotalCount());
    }

    @Test
    void shouldWriteAtOnceWhenCoalescingBatchIsFull()
    {
        launch(true, (ctx) -> ctx.maxCoalescedEntities(64));
        for (int entity = 0; entity < 200; entity++)
        {
            assertTrue(upsert(entity + 1, entity, 0));
        }
        scribe.invokeConsumer();
        assertEquals(List.of(64, 64, 64), store.batchSizes(), "full batches written without waiting");
        advanceMs(INTERVAL_MS);
        scribe.invokeConsumer();
        assertEquals(200, store.nodeCount());
    }

    @Test
    void shouldCompleteOperationsOnlyAfterTheStoreReturned() throws InterruptedException
    {
        launch(false, (ctx) -> { });
        store.block();
        assertTrue(scribe.offerWalletChange(501, 9001, 77, 250));
        assertTrue(store.awaitBlockedCall(10_000), "the consumer is inside the store call");

        for (int i = 0; i < 100; i++)
        {
            assertEquals(0, scribe.pollCompletions(collector, 16), "no completion while the store has not returned");
        }
        assertEquals(1, scribe.pendingOperations());

        store.release();
        final Completion completion = awaitCompletion(9001);
        assertEquals(new Completion(OperationType.WALLET, 501, 9001, OperationStatus.OK, 0, 250), completion);
        assertEquals(250, store.walletBalance(77), "durable when acknowledged");
        assertEquals(0, scribe.pendingOperations());

        flushAndAwait();
        assertEquals(0, scribe.pollCompletions(collector, 16), "delivered once");
        assertEquals(1, completions.size());
        assertEquals(1, scribe.operationLatencyNs().getIntervalHistogram().getTotalCount());
    }

    @Test
    void shouldReportStoreOutcomesOfEveryOperationExactlyOnce()
    {
        launch(true, (ctx) -> { });
        final NodeRecord crate = node(300, 5);
        assertTrue(scribe.offerNodeUpsert(crate));
        assertTrue(scribe.offerStow(1, 101, 77, 9, crate));
        assertTrue(scribe.offerStow(2, 102, 77, 9, crate));
        assertTrue(scribe.offerStow(1, 103, 77, 9, crate));
        assertTrue(scribe.offerUnstow(3, 104, 78, node(300, 50)));
        assertTrue(scribe.offerUnstow(4, 105, 77, node(300, 60)));
        assertTrue(scribe.offerUnstow(5, 106, 77, node(301, 60)));
        assertTrue(scribe.offerWalletChange(6, 107, 77, 100));
        assertTrue(scribe.offerWalletChange(7, 108, 77, -150));
        assertTrue(scribe.offerWalletChange(6, 109, 77, 100));
        assertTrue(scribe.offerReputationChange(8, 110, 77, 3, -5));
        assertEquals(10, scribe.pendingOperations());

        scribe.invokeConsumer();
        assertEquals(10, scribe.pollCompletions(collector, 100));
        assertEquals(0, scribe.pollCompletions(collector, 100));
        assertEquals(List.of(
            new Completion(OperationType.STOW, 1, 101, OperationStatus.OK, 0, 0),
            new Completion(OperationType.STOW, 2, 102, OperationStatus.CONFLICT, 0, 0),
            new Completion(OperationType.STOW, 1, 103, OperationStatus.DUPLICATE, OperationStatus.OK, 0),
            new Completion(OperationType.UNSTOW, 3, 104, OperationStatus.NOT_OWNER, 0, 0),
            new Completion(OperationType.UNSTOW, 4, 105, OperationStatus.OK, 0, 0),
            new Completion(OperationType.UNSTOW, 5, 106, OperationStatus.NOT_FOUND, 0, 0),
            new Completion(OperationType.WALLET, 6, 107, OperationStatus.OK, 0, 100),
            new Completion(OperationType.WALLET, 7, 108, OperationStatus.INSUFFICIENT_FUNDS, 0, 100),
            new Completion(OperationType.WALLET, 6, 109, OperationStatus.DUPLICATE, OperationStatus.OK, 100),
            new Completion(OperationType.REPUTATION, 8, 110, OperationStatus.OK, 0, -5)), completions);

        assertEquals(60, store.node(300).x, "unstowed where the unstow put it");
        assertFalse(store.isStowed(300));
        assertEquals(100, store.walletBalance(77));
        assertEquals(-5, store.reputation(77, 3));
        assertEquals(6, scribe.counter(ScribeCounter.OPERATIONS_APPLIED));
        assertEquals(4, scribe.counter(ScribeCounter.OPERATIONS_REJECTED));
        assertEquals(0, scribe.pendingOperations());
        assertEquals(scribe.lastOfferedSequence(), scribe.durableSequence(), "all durable");
    }

    @Test
    void shouldReportRecordedOutcomeInRingOrderAndChangeNothingWhenOperationIsLookedUp()
    {
        launch(true, (ctx) -> { });
        final NodeRecord crate = node(300, 5);
        assertTrue(scribe.offerNodeUpsert(crate));
        assertTrue(scribe.offerOperationLookup(OperationType.STOW, 1, 201, 77, 300));
        assertTrue(scribe.offerStow(1, 101, 77, 9, crate));
        assertTrue(scribe.offerNodeUpsert(node(400, 1)));
        assertTrue(scribe.offerOperationLookup(OperationType.STOW, 1, 202, 77, 300));
        assertTrue(scribe.offerOperationLookup(OperationType.UNSTOW, 1, 203, 77, 300));
        assertTrue(scribe.offerOperationLookup(OperationType.STOW, 1, 204, 77, 301));
        assertTrue(scribe.offerOperationLookup(OperationType.STOW, 1, 205, 78, 300));
        assertEquals(6, scribe.pendingOperations(), "look-ups are pending operations until polled");

        scribe.invokeConsumer();
        assertEquals(6, scribe.pollCompletions(collector, 100));
        assertEquals(List.of(
            new Completion(OperationType.STOW_LOOKUP, 1, 201, OperationStatus.PENDING, 0, 0),
            new Completion(OperationType.STOW, 1, 101, OperationStatus.OK, 0, 0),
            new Completion(OperationType.STOW_LOOKUP, 1, 202, OperationStatus.DUPLICATE, OperationStatus.OK, 0),
            new Completion(OperationType.UNSTOW_LOOKUP, 1, 203, OperationStatus.OPERATION_CONFLICT,
                OperationStatus.OPERATION_CONFLICT, 0),
            new Completion(OperationType.STOW_LOOKUP, 1, 204, OperationStatus.OPERATION_CONFLICT,
                OperationStatus.OPERATION_CONFLICT, 0),
            new Completion(OperationType.STOW_LOOKUP, 1, 205, OperationStatus.PENDING, 0, 0)), completions);
        assertTrue(store.isStowed(300));
        assertNull(store.node(400), "a look-up does not write the pending world changes");
        assertEquals(1, scribe.counter(ScribeCounter.OPERATIONS_APPLIED), "look-ups are neither applied...");
        assertEquals(0, scribe.counter(ScribeCounter.OPERATIONS_REJECTED), "...nor rejected");
        assertThrows(IllegalArgumentException.class,
            () -> scribe.offerOperationLookup(OperationType.WALLET, 1, 206, 77, 0));
    }

    @Test
    void shouldCompleteLookupAsStoreErrorWhenClosedWhileStoreStaysDown()
    {
        launch(false, (ctx) -> ctx.closeTimeoutNs(TimeUnit.MILLISECONDS.toNanos(200))
            .retryBackoffMaxNs(TimeUnit.MILLISECONDS.toNanos(10)));
        store.down(true);
        assertTrue(scribe.offerOperationLookup(OperationType.UNSTOW, 3, 13, 5, 1));

        scribe.close();

        assertEquals(1, scribe.pollCompletions(collector, 10));
        assertEquals(List.of(new Completion(OperationType.UNSTOW_LOOKUP, 3, 13, OperationStatus.STORE_ERROR, 0, 0)),
            completions);
    }

    @Test
    void shouldLeaveItemStowedAndOutOfGraphWhenStowFollowsPendingUpserts()
    {
        launch(true, (ctx) -> { });
        assertTrue(upsert(10, 1, 1));
        assertTrue(upsert(11, 1, 1));
        flushAndAwait();
        assertEquals(2, store.nodeCount());

        for (int i = 2; i <= 5; i++)
        {
            assertTrue(upsert(10, i, i));
            assertTrue(upsert(11, i, i));
        }
        assertTrue(scribe.offerEdge(11, 10, EdgeKind.CONTAINS, false));
        final NodeRecord latest = node(10, 6);
        assertTrue(scribe.offerStow(21, 2100, 77, 500, latest));
        assertTrue(upsert(11, 7, 7));
        scribe.invokeConsumer();
        advanceMs(INTERVAL_MS);
        scribe.invokeConsumer();

        assertNull(store.node(10), "stowed, not in the graph");
        assertTrue(store.isStowed(10));
        assertEquals(6, store.item(10).node().x, "the item holds the stow's state");
        assertEquals(500, store.item(10).container());
        assertEquals(7, store.node(11).x);
        assertFalse(store.hasEdge(11, 10, EdgeKind.CONTAINS), "the stow removed the entity's edges");
        assertEquals(1, scribe.counter(ScribeCounter.UPSERTS_SUPERSEDED_BY_STOW));

        final List<String> calls = store.calls();
        final int stowAt = calls.indexOf("stow 10");
        assertTrue(stowAt > 0, calls.toString());
        for (int i = stowAt + 1; i < calls.size(); i++)
        {
            assertFalse(calls.get(i).contains("+10"), "no upsert of the stowed entity after the stow: " + calls);
        }
        assertFalse(calls.get(stowAt - 1).contains("+10"), "its pending upsert was dropped: " + calls);
        assertTrue(calls.get(stowAt - 1).contains("+11"), "other pending changes written before the stow: " + calls);

        assertEquals(OperationStatus.OK, awaitCompletion(2100).status());
    }

    @Test
    void shouldRunOperationsWithoutUnrelatedPendingWorldChangesAndWriteThemBehindAtTheirOwnTime()
    {
        launch(true, (ctx) -> { });
        assertTrue(upsert(10, 1, 1));
        final long firstWorldChange = scribe.lastOfferedSequence();
        assertTrue(upsert(11, 1, 1));
        assertTrue(scribe.offerNodeUpsert(node(12, 3)));
        assertTrue(scribe.offerStow(1, 101, 77, 9, node(12, 4)));
        assertTrue(scribe.offerWalletChange(2, 102, 77, 10));
        final long lastOperation = scribe.lastOfferedSequence();

        assertEquals(OperationStatus.OK, awaitCompletion(101).status());
        assertEquals(OperationStatus.OK, awaitCompletion(102).status());
        assertEquals(List.of("stow 12", "wallet 77"), store.calls(),
            "the operations ran without the world changes that do not involve their entities");
        assertTrue(store.isStowed(12));
        assertNull(store.node(10), "still pending");
        assertEquals(firstWorldChange - 1, scribe.durableSequence(),
            "a prefix: the operations are durable, the world changes offered before them not yet");

        advanceMs(INTERVAL_MS);
        scribe.invokeConsumer();
        assertEquals(List.of("stow 12", "wallet 77", "write +10 +11"), store.calls(), "written behind, on its own");
        assertNull(store.node(12), "the stowed entity's dropped upsert is not written");
        assertEquals(lastOperation, scribe.durableSequence());
    }

    @Test
    void shouldWriteThePendingWorldChangesFirstWhenAnUnstowGoesIntoAPendingZone()
    {
        unstowIntoAPendingZone(false);
    }

    /**
     * Stow a crate, then unstow it into a zone whose upsert is pending: the batch is written (by the consumer, or
     * handed to the world writer) before the unstow runs.
     */
    private void unstowIntoAPendingZone(final boolean worldWriter)
    {
        if (worldWriter)
        {
            store.withWorldWriter();
        }
        launch(true, (ctx) -> { });
        final NodeRecord crate = node(40, 5);
        assertTrue(scribe.offerNodeUpsert(crate));
        assertTrue(scribe.offerStow(1, 101, 77, 9, crate));
        assertEquals(OperationStatus.OK, awaitCompletion(101).status());
        assertEquals(scribe.lastOfferedSequence(), scribe.durableSequence(), "the dropped upsert holds nothing back");

        final NodeRecord zone = node(50, 0);
        zone.isZone = true;
        assertTrue(scribe.offerNodeUpsert(zone));
        assertTrue(upsert(41, 1, 1));
        final NodeRecord dropped = node(40, 7);
        dropped.parentZoneId = 50;
        assertTrue(scribe.offerUnstow(2, 102, 77, dropped));

        assertEquals(OperationStatus.OK, awaitCompletion(102).status());
        assertEquals(List.of("stow 40", (worldWriter ? "world-" : "") + "write +50 +41", "unstow 40"), store.calls(),
            "the unstow depends on its zone's pending upsert: the pending batch is written first");
        assertEquals(scribe.lastOfferedSequence(), scribe.durableSequence());
    }

    @Test
    void shouldWriteEveryPendingWorldChangeBeforeEachOperationWhenConfiguredAsBefore()
    {
        launch(true, (ctx) -> ctx.worldBatchWithOperations(true));
        assertTrue(upsert(10, 1, 1));
        assertTrue(scribe.offerWalletChange(2, 102, 77, 10));

        assertEquals(OperationStatus.OK, awaitCompletion(102).status());
        assertEquals(List.of("write +10", "wallet 77"), store.calls());
        assertEquals(scribe.lastOfferedSequence(), scribe.durableSequence());
    }

    @Test
    void shouldKeepRingOrderWhenCoalescingRemovalsUpsertsAndEdges()
    {
        launch(true, (ctx) -> { });
        assertTrue(upsert(1, 1, 1));
        assertTrue(upsert(2, 1, 1));
        assertTrue(upsert(3, 1, 1));
        assertTrue(scribe.offerEdge(1, 2, EdgeKind.CONTAINS, false));
        assertTrue(scribe.offerEdge(1, 3, EdgeKind.ATTACHED_TO, false));
        flushAndAwait();
        assertEquals(2, store.edgeCount());

        assertTrue(upsert(4, 1, 1));
        assertTrue(scribe.offerNodeRemoval(4));
        assertTrue(upsert(2, 2, 2));
        assertTrue(scribe.offerNodeRemoval(2));
        assertTrue(scribe.offerNodeRemoval(3));
        assertTrue(upsert(3, 5, 5));
        assertTrue(scribe.offerEdge(1, 5, EdgeKind.CONTAINS, false));
        assertTrue(scribe.offerEdge(1, 5, EdgeKind.CONTAINS, true));
        assertTrue(scribe.offerEdge(1, 6, EdgeKind.CONTAINS, true));
        assertTrue(scribe.offerEdge(1, 6, EdgeKind.CONTAINS, false));
        flushAndAwait();

        assertNull(store.node(4), "a removal cancels the pending upsert");
        assertNull(store.node(2), "upsert then removal: removed");
        assertFalse(store.hasEdge(1, 2, EdgeKind.CONTAINS), "a removed node loses its edges");
        assertEquals(5, store.node(3).x, "removal then upsert: upserted");
        assertFalse(store.hasEdge(1, 3, EdgeKind.ATTACHED_TO), "the removal happened before the upsert");
        assertFalse(store.hasEdge(1, 5, EdgeKind.CONTAINS), "edge: last change wins");
        assertTrue(store.hasEdge(1, 6, EdgeKind.CONTAINS), "edge: last change wins");
        assertEquals(4, scribe.counter(ScribeCounter.COALESCED), "4's and 2's upserts cancelled, 2 edges replaced");
    }

    @Test
    void shouldRetryWithExponentialBackoffAndLoseNothingWhenStoreFails()
    {
        launch(true, (ctx) -> ctx.retryBackoffMinNs(TimeUnit.MILLISECONDS.toNanos(1))
            .retryBackoffMaxNs(TimeUnit.MILLISECONDS.toNanos(4)));
        store.failNext(4);
        assertTrue(upsert(1, 1, 1));
        final long barrier = scribe.flushNow();
        assertTrue(scribe.offerWalletChange(1, 1, 5, 10));

        final long[] backoffsMs = { 1, 2, 4, 4 };
        scribe.invokeConsumer();
        assertEquals(1, store.attempts());
        for (int failure = 0; failure < backoffsMs.length; failure++)
        {
            advanceMs(backoffsMs[failure] - 1);
            scribe.invokeConsumer();
            assertEquals(failure + 1, store.attempts(), "no attempt before the backoff elapsed");
            advanceMs(1);
            scribe.invokeConsumer();
        }

        assertEquals(List.of(1), store.batchSizes());
        assertTrue(scribe.isDurable(barrier));
        assertEquals(4, scribe.counter(ScribeCounter.STORE_FAILURES));
        assertEquals(4, scribe.counter(ScribeCounter.RETRIES));
        assertEquals(4, errors.size());
        assertEquals(OperationStatus.OK, awaitCompletion(1).status());
        assertEquals(10, store.walletBalance(5));
    }

    @Test
    void shouldBackPressureProducerAndLoseNothingWhenStoreIsDownForAWhile()
    {
        final int ringSize = 256;
        final int entities = 500;
        launch(true, (ctx) -> ctx.ringSize(ringSize).maxCoalescedEntities(128).maxPendingOperations(32)
            .retryBackoffMaxNs(TimeUnit.MILLISECONDS.toNanos(50)));

        final long[] expectedX = new long[entities];
        final boolean[] dirty = new boolean[entities];
        long walletOffered = 0;
        long walletRefusals = 0;
        int walletOwed = 0;
        long maxBacklog = 0;
        int cursor = 0;
        for (int tick = 0; tick < 200; tick++)
        {
            if (20 == tick)
            {
                store.down(true);
            }
            if (120 == tick)
            {
                store.down(false);
            }

            if (tick < 150)
            {
                for (int e = 0; e < entities; e += 3)
                {
                    final int entity = (e + tick) % entities;
                    expectedX[entity] = tick * 10_000L + entity;
                    dirty[entity] = true;
                }
                walletOwed++;
            }

            // The caller keeps what was refused and offers it again next tick.
            for (int n = 0; n < entities; n++)
            {
                final int entity = (cursor + n) % entities;
                if (dirty[entity])
                {
                    if (!upsert(entity + 1, expectedX[entity], tick))
                    {
                        cursor = entity;
                        break;
                    }
                    dirty[entity] = false;
                }
            }
            while (walletOwed > 0)
            {
                if (!scribe.offerWalletChange(10_000 + walletOffered, walletOffered, 99, 1))
                {
                    walletRefusals++;
                    break;
                }
                walletOffered++;
                walletOwed--;
            }
            scribe.pollCompletions(collector, 100);

            advanceMs(10);
            scribe.invokeConsumer();
            maxBacklog = Math.max(maxBacklog, scribe.counter(ScribeCounter.BACKLOG));
        }

        for (final boolean d : dirty)
        {
            assertFalse(d, "everything offered by the end");
        }
        assertEquals(0, walletOwed);
        flushAndAwait();
        scribe.pollCompletions(collector, 100);

        assertTrue(scribe.counter(ScribeCounter.RING_FULL) > 0, "the producer saw back-pressure");
        assertTrue(walletRefusals > 0, "operations were refused too");
        assertEquals(ringSize, maxBacklog, "the ring filled, no further");
        assertTrue(scribe.counter(ScribeCounter.STORE_FAILURES) > 0);
        assertTrue(scribe.counter(ScribeCounter.RETRIES) > 0);
        assertEquals(entities, store.nodeCount());
        for (int entity = 0; entity < entities; entity++)
        {
            assertEquals(expectedX[entity], store.node(entity + 1).x, "entity " + entity);
        }
        assertEquals(150, walletOffered);
        assertEquals(walletOffered, store.walletBalance(99), "every wallet change applied once");
        assertEquals(walletOffered, completions.size());
        for (final Completion completion : completions)
        {
            assertEquals(OperationStatus.OK, completion.status());
        }
    }

    @Test
    void shouldDrainEverythingWhenClosed()
    {
        launch(false, (ctx) -> ctx.flushIntervalNs(TimeUnit.HOURS.toNanos(1)));
        for (int entity = 1; entity <= 300; entity++)
        {
            assertTrue(upsert(entity, entity, 0));
        }
        assertTrue(scribe.offerNodeRemoval(300));
        assertTrue(scribe.offerEdge(1, 2, EdgeKind.ATTACHED_TO, false));
        assertTrue(scribe.offerWalletChange(1, 1, 5, 10));
        assertTrue(upsert(301, 1, 0));

        scribe.close();

        assertEquals(300, store.nodeCount());
        assertNull(store.node(300));
        assertEquals(1, store.node(301).x);
        assertTrue(store.hasEdge(1, 2, EdgeKind.ATTACHED_TO));
        assertEquals(10, store.walletBalance(5));
        assertEquals(1, scribe.pollCompletions(collector, 10), "completions stay pollable after close");
        assertEquals(OperationStatus.OK, completions.get(0).status());
        assertFalse(upsert(302, 1, 0), "closed");
        assertEquals(0, scribe.counter(ScribeCounter.LOST_AT_CLOSE));
        assertTrue(errors.isEmpty(), errors.toString());
    }

    @Test
    void shouldCompleteOperationsAsStoreErrorWhenClosedWhileStoreStaysDown()
    {
        launch(false, (ctx) -> ctx.closeTimeoutNs(TimeUnit.MILLISECONDS.toNanos(200))
            .retryBackoffMaxNs(TimeUnit.MILLISECONDS.toNanos(10)));
        store.down(true);
        assertTrue(upsert(1, 1, 0));
        assertTrue(scribe.offerWalletChange(1, 11, 5, 10));
        assertTrue(scribe.offerStow(2, 12, 5, 0, node(1, 2)));
        assertTrue(upsert(2, 1, 0));

        scribe.close();

        assertEquals(2, scribe.pollCompletions(collector, 10));
        assertEquals(List.of(
            new Completion(OperationType.WALLET, 1, 11, OperationStatus.STORE_ERROR, 0, 0),
            new Completion(OperationType.STOW, 2, 12, OperationStatus.STORE_ERROR, 0, 0)), completions);
        assertEquals(2, scribe.counter(ScribeCounter.LOST_AT_CLOSE), "the two upserts");
        assertEquals(0, store.nodeCount());
        assertTrue(errors.stream().anyMatch((e) -> e.getMessage().contains("2 world changes not written")),
            errors.toString());
    }

    @Test
    void shouldRefuseInvalidSettingsAndArguments()
    {
        assertThrows(ConfigurationException.class,
            () -> Scribe.launch(new ScribeContext().adapter(store).ringSize(1000)));
        assertThrows(ConfigurationException.class, () -> Scribe.launch(new ScribeContext()));
        launch(true, (ctx) -> { });
        assertThrows(IllegalArgumentException.class, () -> scribe.offerNodeUpsert(
            1, 1, 1, 1, false, 0, 0, 0, 0, 0, 0, 1, 1, state, 0, NodeRecord.MAX_COMPONENT_STATE_LENGTH + 1));
        assertThrows(IllegalArgumentException.class, () -> scribe.offerEdge(1, 2, null, false));
        assertThrows(IllegalArgumentException.class, () -> scribe.offerEdge(1, 2, EdgeKind.IN_ZONE, false));
        assertEquals(-1, scribe.lastOfferedSequence(), "nothing taken");
    }

    @Test
    void shouldAllocateCountersInGivenCountersManager()
    {
        final org.agrona.concurrent.status.CountersManager manager = new org.agrona.concurrent.status.CountersManager(
            new UnsafeBuffer(java.nio.ByteBuffer.allocateDirect(64 * 512)),
            new UnsafeBuffer(java.nio.ByteBuffer.allocateDirect(64 * 128)));
        launch(true, (ctx) -> ctx.countersManager(manager));
        assertTrue(upsert(1, 1, 1));
        flushAndAwait();

        final Map<String, Long> values = new HashMap<>();
        manager.forEach((counterId, typeId, keyBuffer, label) ->
        {
            assertEquals(ScribeCounter.COUNTER_TYPE_ID, typeId);
            values.put(label, manager.getCounterValue(counterId));
        });
        assertEquals(ScribeCounter.count(), values.size());
        assertEquals(1L, values.get("orrery scribe: world batches written scribe=test"));
        assertNotNull(values.get("orrery scribe: events consumed scribe=test"));

        scribe.close();
        scribe = null;
        final int[] left = { 0 };
        manager.forEach((counterId, label) -> left[0]++);
        assertEquals(0, left[0], "counters freed on close");
    }

    @Test
    void shouldRunAnOperationWhileTheWorldWriterWritesAnUnrelatedBatch() throws InterruptedException
    {
        store.withWorldWriter();
        store.blockWorldWriter();
        launch(false, (ctx) -> { });
        assertTrue(upsert(10, 1, 1));
        final long worldChange = scribe.lastOfferedSequence();
        assertTrue(store.awaitBlockedWorldWrite(10_000), "handed to the world writer after the flush interval");

        assertTrue(scribe.offerStow(1, 101, 77, 9, node(12, 4)));
        assertEquals(OperationStatus.OK, awaitCompletion(101).status(), "acknowledged while the batch is written");
        assertTrue(store.isStowed(12));
        assertNull(store.node(10), "the batch is not committed yet");
        assertEquals(worldChange - 1, scribe.durableSequence(), "a prefix: the batch in flight holds it back");

        store.releaseWorldWriter();
        assertTrue(scribe.awaitDurable(scribe.lastOfferedSequence(), DEADLINE_NS));
        assertEquals(List.of("stow 12", "world-write +10"), store.calls());
        assertNotNull(store.node(10));
    }

    @Test
    void shouldRunAStowOfAnEntityInTheWorldWritersBatchOnlyOnceThatBatchIsCommitted() throws InterruptedException
    {
        store.withWorldWriter();
        store.blockWorldWriter();
        launch(false, (ctx) -> { });
        assertTrue(upsert(30, 1, 1));
        assertTrue(store.awaitBlockedWorldWrite(10_000), "handed to the world writer after the flush interval");

        assertTrue(scribe.offerStow(1, 101, 77, 9, node(30, 4)));
        final long watchUntilNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
        while (System.nanoTime() - watchUntilNs < 0)
        {
            scribe.pollCompletions(collector, 16);
            assertTrue(completions.isEmpty(), "the stow waits for the batch holding its entity's upsert");
            Thread.onSpinWait();
        }
        assertEquals(List.of(), store.calls());

        store.releaseWorldWriter();
        assertEquals(OperationStatus.OK, awaitCompletion(101).status());
        assertEquals(List.of("world-write +30", "stow 30"), store.calls(), "the upsert first, then the move");
        assertNull(store.node(30), "out of the graph");
        assertTrue(store.isStowed(30), "in the Global store: exactly one");
    }

    @Test
    void shouldHandTheBatchAnUnstowDependsOnToTheWorldWriterAndRunTheUnstowAfterIt()
    {
        unstowIntoAPendingZone(true);
        assertEquals(0, scribe.counter(ScribeCounter.RETRIES), "waiting for the writer is not a retry");
    }

    @Test
    void shouldMakeTheWorldWritersBatchDurableBeforeABarrierCompletes()
    {
        store.withWorldWriter();
        launch(true, (ctx) -> { });
        assertTrue(upsert(10, 1, 1));
        assertTrue(upsert(11, 1, 1));

        flushAndAwait();
        assertEquals(List.of("world-write +10 +11"), store.calls());
        assertEquals(1, scribe.counter(ScribeCounter.BATCHES_WRITTEN));
        assertEquals(2, scribe.counter(ScribeCounter.ENTRIES_WRITTEN));
    }

    @Test
    void shouldRetryAFailedWorldWriterBatchUntilItIsDurable()
    {
        store.withWorldWriter();
        launch(true, (ctx) -> ctx.retryBackoffMinNs(TimeUnit.MILLISECONDS.toNanos(1)));
        store.failNext(2);
        assertTrue(upsert(10, 1, 1));
        final long sequence = scribe.flushNow();

        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        while (scribe.durableSequence() < sequence)
        {
            assertTrue(System.nanoTime() - deadlineNs < 0, "durable before the deadline");
            scribe.invokeConsumer();
            advanceMs(10);
        }
        assertEquals(List.of("world-write +10"), store.calls());
        assertEquals(2, scribe.counter(ScribeCounter.STORE_FAILURES));
        assertEquals(2, errors.size(), "each failure reported");
    }

    @Test
    void shouldReportALastingOutageOfTheWorldWritersSessionEveryIntervalAndOnceWhenTheStoreIsBack()
    {
        store.withWorldWriter();
        final List<String> reports = launchReportingOutages();
        store.down(true);
        assertTrue(upsert(10, 1, 1));
        final long barrier = scribe.flushNow(); // the consumer waits for the writer: no failure of its own

        runForMs(25_000);
        assertEquals(2, reports.size(), "one line at 10 s and one at 20 s of failures: " + reports);
        for (final String report : reports)
        {
            assertTrue(report.startsWith("orrery: orrery-scribe-world-test: store test-memory failing for "), report);
            assertTrue(report.contains("store down (injected)"), report);
        }
        assertFalse(scribe.isDurable(barrier));

        store.down(false);
        awaitDurableStepping(barrier);
        assertEquals(3, reports.size(), reports.toString());
        assertTrue(reports.get(2).startsWith("orrery: orrery-scribe-world-test: store test-memory back after "),
            reports.get(2));
        assertEquals(List.of("world-write +10"), store.calls(), "written once, nothing lost");
    }

    @Test
    void shouldReportALastingOutageOfTheConsumersSessionEveryIntervalAndOnceWhenTheStoreIsBack()
    {
        final List<String> reports = launchReportingOutages();
        store.down(true);
        assertTrue(scribe.offerWalletChange(1, 1, 5, 10));

        runForMs(25_000);
        assertEquals(2, reports.size(), reports.toString());
        assertTrue(reports.get(0).startsWith("orrery: orrery-scribe-test: store test-memory failing for 1"),
            reports.get(0));
        assertTrue(reports.get(0).contains(", 1 events not yet durable"), reports.get(0));

        store.down(false);
        runForMs(2_000); // past the last backoff
        assertEquals(OperationStatus.OK, awaitCompletion(1).status());
        assertEquals(3, reports.size(), reports.toString());
        assertTrue(reports.get(2).startsWith("orrery: orrery-scribe-test: store test-memory back after "),
            reports.get(2));
        assertEquals(10, store.walletBalance(5));
    }

    private List<String> launchReportingOutages()
    {
        final List<String> reports = new CopyOnWriteArrayList<>();
        final PrintStream reportStream = new PrintStream(OutputStream.nullOutputStream())
        {
            @Override
            public void println(final String line)
            {
                reports.add(line);
            }
        };
        launch(true, (ctx) -> ctx.retryBackoffMinNs(TimeUnit.MILLISECONDS.toNanos(100))
            .retryBackoffMaxNs(TimeUnit.SECONDS.toNanos(1))
            .reportStream(reportStream));
        return reports;
    }

    private void runForMs(final long ms)
    {
        for (long elapsedMs = 0; elapsedMs < ms; elapsedMs += 100)
        {
            scribe.invokeConsumer();
            advanceMs(100);
        }
    }

    private void awaitDurableStepping(final long sequence)
    {
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        while (!scribe.isDurable(sequence))
        {
            assertTrue(System.nanoTime() - deadlineNs < 0, "durable before the deadline");
            scribe.invokeConsumer();
            advanceMs(100);
        }
    }

    @Test
    void shouldWriteTheWorldWritersPendingBatchWhenClosed()
    {
        store.withWorldWriter();
        launch(false, (ctx) -> ctx.flushIntervalNs(TimeUnit.SECONDS.toNanos(60)));
        assertTrue(upsert(10, 1, 1));
        scribe.close();
        assertEquals(List.of("world-write +10"), store.calls());
        assertEquals(0, scribe.counter(ScribeCounter.LOST_AT_CLOSE));
    }
}
