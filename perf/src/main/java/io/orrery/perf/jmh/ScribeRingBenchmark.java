/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.perf.jmh;

import java.util.concurrent.TimeUnit;

import io.orrery.core.persistence.CompletionHandler;
import io.orrery.core.persistence.NodeRecord;
import io.orrery.core.persistence.OperationStatus;
import io.orrery.core.persistence.PersistenceAdapter;
import io.orrery.core.persistence.Scribe;
import io.orrery.core.persistence.ScribeContext;
import io.orrery.core.persistence.ScribeCounter;
import io.orrery.core.persistence.StowOperation;
import io.orrery.core.persistence.WalletOperation;
import io.orrery.core.persistence.WorldBatch;
import org.HdrHistogram.Histogram;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Events per second through Scribe's ring into a store: node upserts of {@value #ENTITIES} entities, round robin,
 * {@value #STATE_BYTES} bytes of component state each, coalesced per entity by the consumer and written as one batch
 * per flush interval (default 100 ms) or whenever the coalescing batch is full.
 * <p>
 * One benchmark op = one event taken by the ring: the producer offers, and when the ring is full (the consumer is
 * behind) it yields and offers the same change again, so the throughput is what producer and consumer sustain
 * together; {@code refused} (secondary result) counts the refused offers. {@code upsertWithOperations} adds one
 * wallet change per 64 upserts (each one forces the pending batch to be written before it runs, see the package
 * documentation) and polls completions.
 * <p>
 * Stores: {@code noop} counts and drops; {@code memory} copies every written node into a pre-populated
 * {@code Long2ObjectHashMap} (an in-memory store that allocates nothing in steady state). Neither syncs, so this
 * measures Scribe, not a database. Run with {@code -prof gc} for allocation per op.
 * <p>
 * Threading: one benchmark thread (the single producer) plus Scribe's consumer thread, except
 * {@code upsertOneThread}, which runs a second Scribe's consumer on the benchmark thread.
 * <p>
 * Not final: JMH generates subclasses of benchmark classes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = { "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED", "-Xmx2g" })
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ScribeRingBenchmark
{
    static final int ENTITIES = 10_000;
    static final int STATE_BYTES = 64;
    static final int OPERATION_EVERY = 64;

    @Param({ "noop", "memory" })
    public String store;

    private final UnsafeBuffer state = new UnsafeBuffer(new byte[STATE_BYTES]);
    private final CompletionHandler completionHandler = ScribeRingBenchmark::onCompletion;
    private PersistenceAdapter adapter;
    private PersistenceAdapter invokedAdapter;
    private Scribe scribe;
    private Scribe invoked;
    private long sequence;
    private long operationId;

    /**
     * Refused offers (ring full) per iteration.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Refusals
    {
        public long refused;

        @Setup(Level.Iteration)
        public void reset()
        {
            refused = 0;
        }
    }

    @Setup(Level.Trial)
    public void setUp()
    {
        adapter = "memory".equals(store) ? new MemoryAdapter() : new NoopAdapter();
        scribe = Scribe.launch(new ScribeContext().name("bench-" + store).adapter(adapter));
        invokedAdapter = "memory".equals(store) ? new MemoryAdapter() : new NoopAdapter();
        invoked = Scribe.launch(new ScribeContext().name("bench-invoked-" + store).adapter(invokedAdapter)
            .useConsumerAgentInvoker(true));
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        final Histogram writes = scribe.batchWriteLatencyNs().getIntervalHistogram();
        scribe.close();
        System.out.printf("%nscribe store=%s: events=%d batches=%d entries written=%d coalesced away=%d " +
            "ring full=%d operations=%d; batch write p50=%d us p99=%d us max=%d us%n",
            store,
            scribe.counter(ScribeCounter.EVENTS),
            scribe.counter(ScribeCounter.BATCHES_WRITTEN),
            scribe.counter(ScribeCounter.ENTRIES_WRITTEN),
            scribe.counter(ScribeCounter.COALESCED),
            scribe.counter(ScribeCounter.RING_FULL),
            scribe.counter(ScribeCounter.OPERATIONS_APPLIED),
            writes.getValueAtPercentile(50) / 1000,
            writes.getValueAtPercentile(99) / 1000,
            writes.getMaxValue() / 1000);
        adapter.close();
        invoked.close();
        System.out.printf("scribe (one thread) store=%s: events=%d batches=%d coalesced away=%d%n", store,
            invoked.counter(ScribeCounter.EVENTS),
            invoked.counter(ScribeCounter.BATCHES_WRITTEN),
            invoked.counter(ScribeCounter.COALESCED));
        invokedAdapter.close();
    }

    /**
     * One node upsert taken by the ring.
     */
    @Benchmark
    public void upsert(final Refusals refusals)
    {
        final long n = sequence++;
        final long entityId = 1 + n % ENTITIES;
        state.putLong(0, n);
        while (!scribe.offerNodeUpsert(
            entityId, 3, 1, 0, false, n, entityId, 0, 0, 0, 0, 1, 0.5f, state, 0, STATE_BYTES))
        {
            refusals.refused++;
            Thread.yield(); // 2 cores: let the consumer run
        }
    }

    /**
     * One node upsert through producer and consumer on the benchmark thread (the consumer invoked whenever the ring
     * is full): the CPU cost of one event on both sides, free of cross-thread scheduling.
     */
    @Benchmark
    public void upsertOneThread()
    {
        final long n = sequence++;
        final long entityId = 1 + n % ENTITIES;
        state.putLong(0, n);
        while (!invoked.offerNodeUpsert(
            entityId, 3, 1, 0, false, n, entityId, 0, 0, 0, 0, 1, 0.5f, state, 0, STATE_BYTES))
        {
            invoked.invokeConsumer();
        }
    }

    /**
     * One node upsert taken by the ring, plus a wallet change every {@value #OPERATION_EVERY} upserts.
     */
    @Benchmark
    public void upsertWithOperations(final Refusals refusals)
    {
        upsert(refusals);
        if (0 == sequence % OPERATION_EVERY)
        {
            while (!scribe.offerWalletChange(++operationId, operationId, 7, 1))
            {
                refusals.refused++;
                scribe.pollCompletions(completionHandler, 256);
                Thread.yield(); // 2 cores: let the consumer run
            }
        }
        scribe.pollCompletions(completionHandler, 256);
    }

    private static void onCompletion(
        final int operationType,
        final long operationId,
        final long correlationId,
        final int status,
        final int firstStatus,
        final long value)
    {
        if (!OperationStatus.isApplied(status))
        {
            throw new IllegalStateException("operation " + operationId + " " + OperationStatus.name(status));
        }
    }

    /**
     * Counts and drops.
     */
    static class NoopAdapter implements PersistenceAdapter
    {
        long entries;
        long balance;

        @Override
        public String name()
        {
            return "noop";
        }

        @Override
        public void write(final WorldBatch batch)
        {
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
            op.status = OperationStatus.OK;
        }

        @Override
        public void unstow(final StowOperation op)
        {
            op.status = OperationStatus.OK;
        }

        @Override
        public void changeWallet(final WalletOperation op)
        {
            balance += op.delta;
            op.status = OperationStatus.OK;
            op.value = balance;
        }

        @Override
        public void changeReputation(final WalletOperation op)
        {
            op.status = OperationStatus.OK;
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

    /**
     * Keeps the latest state of every node in memory, pre-populated so that writes copy in place.
     */
    static final class MemoryAdapter extends NoopAdapter
    {
        private final Long2ObjectHashMap<NodeRecord> nodes = new Long2ObjectHashMap<>(ENTITIES * 2, 0.65f);
        private final Long2LongHashMap wallets = new Long2LongHashMap(64, 0.65f, 0);

        MemoryAdapter()
        {
            for (long id = 1; id <= ENTITIES; id++)
            {
                final NodeRecord node = new NodeRecord();
                node.entityId = id;
                nodes.put(id, node);
            }
        }

        @Override
        public String name()
        {
            return "memory";
        }

        @Override
        public void write(final WorldBatch batch)
        {
            for (int i = 0, n = batch.nodeUpsertCount(); i < n; i++)
            {
                final NodeRecord source = batch.nodeUpsert(i);
                NodeRecord target = nodes.get(source.entityId);
                if (null == target)
                {
                    target = new NodeRecord();
                    nodes.put(source.entityId, target);
                }
                target.copyFrom(source);
            }
            for (int i = 0, n = batch.nodeRemovalCount(); i < n; i++)
            {
                nodes.remove(batch.nodeRemoval(i));
            }
            entries += batch.size();
        }

        @Override
        public void changeWallet(final WalletOperation op)
        {
            final long balance = wallets.get(op.playerId) + op.delta;
            wallets.put(op.playerId, balance);
            op.status = OperationStatus.OK;
            op.value = balance;
        }

        @Override
        public long nodeCount()
        {
            return nodes.size();
        }
    }
}
