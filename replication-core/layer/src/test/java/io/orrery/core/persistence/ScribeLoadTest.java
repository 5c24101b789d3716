/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.persistence;

import org.agrona.collections.MutableInteger;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Region loads through Scribe (server OCS stream-in), consumer invoked on the test thread with a controlled clock:
 * ring order with pending world changes, retry after a store failure, and an attempt abandoned when the load ring is
 * full in agent invoker mode.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ScribeLoadTest
{
    private final TestPersistenceAdapter store = new TestPersistenceAdapter();
    private final CachedNanoClock clock = new CachedNanoClock();
    private final List<NodeRecord> loaded = new ArrayList<>();
    private final List<long[]> completions = new ArrayList<>();
    private final LoadHandler handler = new LoadHandler()
    {
        public void onLoadedNode(final long correlationId, final NodeRecord node)
        {
            loaded.add(new NodeRecord().copyFrom(node));
        }

        public void onLoadComplete(final long correlationId, final int nodeCount)
        {
            completions.add(new long[]{ correlationId, nodeCount });
        }
    };
    private Scribe scribe;

    @AfterEach
    void tearDown()
    {
        scribe.close();
    }

    @Test
    void shouldLoadWhatWasOfferedBeforeTheLoadWhenItIsStillPending()
    {
        launch(64 * 1024);
        final NodeRecord node = node(1, 50_000, 3);
        assertTrue(scribe.offerNodeUpsert(node));
        assertTrue(scribe.offerNodeUpsert(node(2, 150_000, 1)));
        assertTrue(scribe.offerLoadRegion(7, 0, 0, 0, Long.MIN_VALUE, 99_999, 99_999, Long.MAX_VALUE));
        scribe.invokeConsumer();
        scribe.pollLoads(handler, 100);

        assertEquals(1, loaded.size(), "only the node in the box");
        assertTrue(node.contentEquals(loaded.get(0)));
        assertEquals(1, completions.size());
        assertEquals(7, completions.get(0)[0]);
        assertEquals(1, completions.get(0)[1]);
        assertEquals(1, scribe.counter(ScribeCounter.REGIONS_LOADED));
    }

    @Test
    void shouldRetryALoadWhenTheStoreFails()
    {
        launch(64 * 1024);
        assertTrue(scribe.offerNodeUpsert(node(1, 50_000, 3)));
        scribe.flushNow();
        scribe.invokeConsumer();
        store.failNext(1);
        assertTrue(scribe.offerLoadRegion(9, 0, 0, 0, Long.MIN_VALUE, 99_999, 99_999, Long.MAX_VALUE));
        scribe.invokeConsumer();
        assertEquals(0, scribe.pollLoads(handler, 100));
        assertEquals(1, scribe.counter(ScribeCounter.STORE_FAILURES));

        clock.advance(TimeUnit.MILLISECONDS.toNanos(10));
        scribe.invokeConsumer();
        scribe.pollLoads(handler, 100);
        assertEquals(1, loaded.size());
        assertEquals(1, completions.size());
    }

    @Test
    void shouldAbandonAndRetryALoadWhenTheLoadRingIsFullInInvokerMode()
    {
        launch(64 * 1024);
        final int perRegion = 30; // ~34 KiB of nodes with 1 KiB state each: two regions do not fit 64 KiB
        for (int i = 0; i < perRegion; i++)
        {
            assertTrue(scribe.offerNodeUpsert(node(1 + i, 10_000, NodeRecord.MAX_COMPONENT_STATE_LENGTH)));
            assertTrue(scribe.offerNodeUpsert(node(1001 + i, 110_000, NodeRecord.MAX_COMPONENT_STATE_LENGTH)));
        }
        assertTrue(scribe.offerLoadRegion(1, 0, 0, 0, Long.MIN_VALUE, 99_999, 99_999, Long.MAX_VALUE));
        assertTrue(scribe.offerLoadRegion(2, 0, 100_000, 0, Long.MIN_VALUE, 199_999, 99_999, Long.MAX_VALUE));
        scribe.invokeConsumer();
        assertTrue(scribe.counter(ScribeCounter.LOAD_RING_FULL) > 0, "the second load did not fit");

        final MutableInteger second = new MutableInteger();
        for (int i = 0; i < 10 && completions.size() < 2; i++)
        {
            scribe.pollLoads(handler, 1000);
            clock.advance(TimeUnit.MILLISECONDS.toNanos(10));
            scribe.invokeConsumer();
        }
        scribe.pollLoads(handler, 1000);
        for (final NodeRecord node : loaded)
        {
            if (node.entityId > 1000)
            {
                second.increment();
            }
        }
        assertEquals(2, completions.size(), "each load completes once");
        assertEquals(perRegion, completions.get(1)[1]);
        assertTrue(second.get() >= perRegion, "every node of the retried load delivered (repeats allowed)");
        assertEquals(0, scribe.counter(ScribeCounter.STORE_FAILURES), "a full load ring is not a store failure");
    }

    private void launch(final int loadRingCapacity)
    {
        scribe = Scribe.launch(new ScribeContext()
            .adapter(store)
            .name("load-test")
            .ringSize(1024)
            .nanoClock(clock)
            .loadRingCapacity(loadRingCapacity)
            .useConsumerAgentInvoker(true));
    }

    private static NodeRecord node(final long id, final long x, final int stateLength)
    {
        final NodeRecord node = new NodeRecord();
        node.entityId = id;
        node.archetypeId = 2;
        node.x = x;
        node.y = 500;
        node.radius = 1;
        for (int i = 0; i < stateLength; i++)
        {
            node.componentState[i] = (byte)(id + i);
        }
        node.componentStateLength = stateLength;
        return node;
    }
}
