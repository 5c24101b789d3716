/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.persistence;

import io.orrery.test.AllocationMeter;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scribe in steady state allocates nothing: the producer side (every offer, refused offers on a full ring, and
 * {@code pollCompletions}) and the consumer side (polling, coalescing, batch writes, operations, completions) are
 * measured separately with {@code ThreadMXBean#getCurrentThreadAllocatedBytes} around their own calls, on the test
 * thread (the consumer through its agent invoker), over rounds of about 30,000 events after warm-up. The store is a
 * counting adapter that allocates nothing, so any byte would be Scribe's. Rounds repeat until one is allocation
 * free (at most {@value #MAX_ROUNDS}): the JIT may still recompile late in warm-up and allocate transiently.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ScribeAllocationTest
{
    private static final int MAX_ROUNDS = 8;
    private static final int ENTITIES = 2_000;

    private final CachedNanoClock clock = new CachedNanoClock();
    private final CountingAdapter store = new CountingAdapter();
    private final UnsafeBuffer state = new UnsafeBuffer(new byte[256]);
    private final NodeRecord node = new NodeRecord();
    private final CompletionCounter completionCounter = new CompletionCounter();
    private Scribe scribe;
    private long producerBytes;
    private long consumerBytes;
    private long nextOperationId = 1;
    private long events;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "operation timeline {0}")
    @ValueSource(booleans = { false, true })
    void shouldNotAllocateOnProducerOrConsumerInSteadyState(final boolean traced)
    {
        clock.update(TimeUnit.SECONDS.toNanos(1000));
        try (Scribe scribe = Scribe.launch(new ScribeContext()
            .adapter(store)
            .operationTraceFile(traced ? dir.resolve("timeline.csv").toString() : null)
            .ringSize(4096)
            .maxCoalescedEntities(1024)
            .maxPendingOperations(256)
            .flushIntervalNs(TimeUnit.MILLISECONDS.toNanos(10))
            .nanoClock(clock)
            .useConsumerAgentInvoker(true)))
        {
            this.scribe = scribe;
            runRound(2);
            runRound(2);

            long producer = -1;
            long consumer = -1;
            long roundEvents = 0;
            for (int round = 1; round <= MAX_ROUNDS && (producer != 0 || consumer != 0); round++)
            {
                producerBytes = 0;
                consumerBytes = 0;
                final long eventsBefore = events;
                runRound(1);
                producer = producerBytes;
                consumer = consumerBytes;
                roundEvents = events - eventsBefore;
                System.out.println("round " + round + ": producer " + producer + " bytes, consumer " + consumer +
                    " bytes allocated over " + roundEvents + " events");
            }

            assertTrue(roundEvents >= 30_000, "events per round: " + roundEvents);
            assertTrue(scribe.counter(ScribeCounter.RING_FULL) > 0, "refused offers were exercised");
            assertTrue(store.batches > 0 && store.operations > 0 && store.lookups > 0);
            assertEquals(0, producer, "bytes allocated by Scribe's producer side");
            assertEquals(0, consumer, "bytes allocated by Scribe's consumer");
        }
    }

    private void runRound(final int repeats)
    {
        for (int r = 0; r < repeats; r++)
        {
            for (int step = 0; step < 30; step++)
            {
                produceStep(step);
                consume();
                clock.advance(TimeUnit.MILLISECONDS.toNanos(4));
            }
            fillUntilRefused();
            consume();
        }
    }

    private void produceStep(final int step)
    {
        final long consumerBytesBefore = consumerBytes;
        final long before = AllocationMeter.threadAllocatedBytes();
        for (int i = 0; i < 900; i++)
        {
            final long entityId = 1 + (step * 900L + i) % ENTITIES;
            state.putLong(0, entityId + step);
            offer(scribe.offerNodeUpsert(entityId, 3, 1, 0, false, entityId, step, i, 0, 0, 0, 1, 0.5f, state, 0, 96));
        }
        for (int i = 0; i < 40; i++)
        {
            offer(scribe.offerNodeRemoval(ENTITIES + step * 40L + i));
        }
        for (int i = 0; i < 20; i++)
        {
            offer(scribe.offerEdge(1 + i, 100 + step, EdgeKind.CONTAINS, (step & 1) == 0));
        }
        node.reset();
        node.entityId = 50_000 + step;
        node.archetypeId = 4;
        node.componentStateLength = 16;
        for (int i = 0; i < 10; i++)
        {
            offer(scribe.offerWalletChange(nextOperationId++, i, 7, 1));
            offer(scribe.offerReputationChange(nextOperationId++, i, 7, 2, 1));
        }
        offer(scribe.offerStow(nextOperationId++, step, 7, 0, node));
        offer(scribe.offerUnstow(nextOperationId++, step, 7, node));
        offer(scribe.offerOperationLookup(OperationType.STOW, nextOperationId - 2, step, 7, node.entityId));
        offer(scribe.offerOperationLookup(OperationType.UNSTOW, nextOperationId - 1, step, 7, node.entityId));
        offer(scribe.offerNodeUpsert(node));
        scribe.pollCompletions(completionCounter, 1000);
        // consume() runs inside this step when the ring is full; its bytes are the consumer's.
        producerBytes += AllocationMeter.threadAllocatedBytes() - before - (consumerBytes - consumerBytesBefore);
    }

    private void fillUntilRefused()
    {
        final long before = AllocationMeter.threadAllocatedBytes();
        long entityId = 1;
        while (scribe.offerNodeUpsert(entityId, 3, 1, 0, false, 1, 2, 3, 0, 0, 0, 1, 1, state, 0, 8))
        {
            events++;
            entityId = entityId % ENTITIES + 1;
        }
        producerBytes += AllocationMeter.threadAllocatedBytes() - before;
    }

    private void offer(final boolean taken)
    {
        if (taken)
        {
            events++;
        }
        else
        {
            consume(); // the ring was full: let the consumer catch up; the change is given up in this test
        }
    }

    private void consume()
    {
        final long before = AllocationMeter.threadAllocatedBytes();
        while (scribe.invokeConsumer() > 0)
        {
            clock.advance(1000);
        }
        consumerBytes += AllocationMeter.threadAllocatedBytes() - before;
    }

    private static final class CompletionCounter implements CompletionHandler
    {
        long completions;

        @Override
        public void onCompletion(
            final int operationType,
            final long operationId,
            final long correlationId,
            final int status,
            final int firstStatus,
            final long value)
        {
            completions++;
        }
    }

    /**
     * A store that applies nothing and allocates nothing: it counts.
     */
    private static final class CountingAdapter implements PersistenceAdapter
    {
        long batches;
        long lookups;
        long entries;
        long operations;
        long balance;

        @Override
        public String name()
        {
            return "counting";
        }

        @Override
        public void write(final WorldBatch batch)
        {
            batches++;
            entries += batch.size();
        }

        @Override
        public int loadZoneSubtree(final long rootZoneId, final NodeHandler handler)
        {
            return 0;
        }

        @Override
        public int loadRegion(
            final long zoneId,
            final long minX,
            final long minY,
            final long minZ,
            final long maxX,
            final long maxY,
            final long maxZ,
            final NodeHandler handler)
        {
            return 0;
        }

        @Override
        public int loadAll(final NodeHandler handler)
        {
            return 0;
        }

        @Override
        public int loadEdges(final long entityId, final EdgeHandler handler)
        {
            return 0;
        }

        @Override
        public void stow(final StowOperation op)
        {
            operations++;
            op.status = OperationStatus.OK;
        }

        @Override
        public void unstow(final StowOperation op)
        {
            operations++;
            op.status = OperationStatus.OK;
        }

        @Override
        public void changeWallet(final WalletOperation op)
        {
            operations++;
            balance += op.delta;
            op.status = OperationStatus.OK;
            op.value = balance;
        }

        @Override
        public void changeReputation(final WalletOperation op)
        {
            operations++;
            op.status = OperationStatus.OK;
            op.value = op.delta;
        }

        @Override
        public long walletBalance(final long playerId)
        {
            return balance;
        }

        @Override
        public long reputation(final long playerId, final int factionId)
        {
            return 0;
        }

        @Override
        public int loadStowedItems(final long ownerPlayerId, final StowedItemHandler handler)
        {
            return 0;
        }

        @Override
        public boolean isStowed(final long itemId)
        {
            return false;
        }

        @Override
        public int recordedOutcome(final StowOperation op, final int type)
        {
            lookups++;
            return OperationStatus.PENDING;
        }

        @Override
        public long nodeCount()
        {
            return 0;
        }

        @Override
        public void close()
        {
        }
    }
}
