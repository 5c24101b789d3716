/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.persistence;

import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.SleepingWaitStrategy;
import io.orrery.core.ThreadingMode;
import org.HdrHistogram.SingleWriterRecorder;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.status.AtomicCounter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;


/**
 * Scribe, the persistence ring: world changes and Global store operations go from one producer thread (the
 * Replicant's) into a pre-allocated LMAX Disruptor ring; one consumer coalesces world changes per entity into
 * write-behind {@link WorldBatch}es and runs operations durably, in ring order, through a {@link PersistenceAdapter};
 * operation outcomes come back to the producer through {@link #pollCompletions(CompletionHandler, int)}. The
 * guarantees are stated in this package's documentation ({@code package-info.java}).
 * <pre>
 *   producer --offerXxx()--> Disruptor ring (ScribeEvent slots) --poll--> ScribeConsumer --> PersistenceAdapter
 *       ^                                                                      |
 *       '------------ pollCompletions() &lt;-- completion ring (Agrona) &lt;-------'
 * </pre>
 * Region loads (server OCS stream-in) go the same way: {@link #offerLoadRegion} in ring order, the loaded nodes come
 * back through a bounded load ring read by {@link #pollLoads(LoadHandler, int)}.
 * <p>
 * Producer API: every {@code offerXxx} method, {@link #pollLoads(LoadHandler, int)},
 * {@link #pollCompletions(CompletionHandler, int)},
 * {@link #flushNow()}, {@link #awaitDurable(long, long)} and {@link #close()} must be called from one thread, the
 * producer. Offers never block and never allocate: they return {@code false} when the ring is full (counted as
 * {@link ScribeCounter#RING_FULL}) or, for operations, when {@link ScribeContext#maxPendingOperations()}
 * operations await their completion being polled ({@link ScribeCounter#OPERATIONS_BACK_PRESSURED}); the caller keeps the change and
 * offers it again later (next tick), so a slow or unavailable store back-pressures the producer instead of growing
 * memory. Arguments that break a precondition (component state longer than
 * {@link NodeRecord#MAX_COMPONENT_STATE_LENGTH}, a null kind or record) are programming errors and throw
 * {@link IllegalArgumentException}.
 * <p>
 * Threading follows {@link ScribeContext#threadingMode()}: in {@link ThreadingMode#SHARED} and
 * {@link ThreadingMode#DEDICATED} the consumer runs as an Agrona agent on a thread of its own from
 * {@link ScribeContext#threadFactory()}; in {@link ThreadingMode#INVOKER} no thread is started and the caller steps
 * it with {@link #invokeConsumer()} (deterministic tests, and a Replication Layer in INVOKER mode, whose Replicant steps it
 * in its duty cycle). Counters, {@link #durableSequence()} and the latency recorders are readable from any thread.
 * <p>
 * Someone waits for an operation, a look-up, a region load or a flush barrier, not for a world change: offering one
 * of those wakes the consumer thread if its idle strategy parked it ({@link ScribeConsumerRunner#wake()}), so it
 * never waits out a park (a Replication Layer without clients parks its threads 10 ms at a time, and a transfer's
 * unstow arrives just after the player's join).
 * <p>
 * The parts: this class is the producer API and lifecycle; {@link ScribeConsumer} coalesces and writes;
 * {@link ScribeReturnPath} carries outcomes and loaded nodes back; {@link ScribeConsumerRunner} places the consumer
 * on a thread or the caller's duty cycle and drains it at close.
 */
public final class Scribe implements ScribeClient
{
    /**
     * Returned by {@link #flushNow()} when the ring is full.
     */
    public static final long BACK_PRESSURED = ScribeClient.BACK_PRESSURED;

    /**
     * Latencies above this are recorded as this value.
     */
    public static final long MAX_RECORDED_LATENCY_NS = TimeUnit.SECONDS.toNanos(60);

    /**
     * Activities of the consumer's {@link ConsumerTrace} kept per operation of the {@link OperationTimeline}.
     */
    static final int CONSUMER_ACTIVITIES_PER_OPERATION = 4;

    private final ScribeContext ctx;
    private final RingBuffer<ScribeEvent> ring;
    private final ScribeReturnPath returnPath;
    private final ScribeConsumer consumer;
    private final ScribeConsumerRunner runner;
    private final AtomicCounter[] counters;
    private final boolean ownsCounters;
    private final AtomicCounter ringFull;
    private final AtomicCounter operationsBackPressured;
    private final SingleWriterRecorder batchWriteLatencyNs;
    private final SingleWriterRecorder operationLatencyNs;
    private final OperationTimeline timeline;
    private final ConsumerTrace consumerTrace;

    private long lastOfferedSequence = -1;
    private long lastOperationTraceId = -1;
    private boolean isClosed;

    private Scribe(final ScribeContext ctx)
    {
        this.ctx = ctx;

        counters = ScribeCounter.allocate(ctx.aeron(), ctx.countersManager(), ctx.name());
        ownsCounters = null != ctx.aeron() || null != ctx.countersManager(); // else private: reclaimed with this
        ringFull = counters[ScribeCounter.RING_FULL.id()];
        operationsBackPressured = counters[ScribeCounter.OPERATIONS_BACK_PRESSURED.id()];

        final int highestDigits = 3;
        batchWriteLatencyNs = new SingleWriterRecorder(MAX_RECORDED_LATENCY_NS, highestDigits);
        operationLatencyNs = new SingleWriterRecorder(MAX_RECORDED_LATENCY_NS, highestDigits);

        // The poller never waits on the ring's wait strategy; a non-blocking one keeps publish() free of locks.
        ring = RingBuffer.createSingleProducer(ScribeEvent.FACTORY, ctx.ringSize(), new SleepingWaitStrategy());
        returnPath = new ScribeReturnPath(ctx.maxPendingOperations(), ctx.loadRingCapacity());
        timeline = null != ctx.operationTraceFile() ? new OperationTimeline(ctx.operationTraceCapacity()) : null;
        consumerTrace = null != timeline ?
            new ConsumerTrace(ctx.operationTraceCapacity() * CONSUMER_ACTIVITIES_PER_OPERATION) : null;
        consumer = new ScribeConsumer(ctx, ring, returnPath.completions(), returnPath.loads(), counters,
            batchWriteLatencyNs, operationLatencyNs, timeline, consumerTrace);
        runner = new ScribeConsumerRunner(ctx, consumer);
    }

    /**
     * Launch a Scribe. The context is concluded here; on failure everything opened is closed.
     *
     * @param ctx settings, defaults from system properties; {@link ScribeContext#adapter(PersistenceAdapter)} is
     *            required.
     * @return the running Scribe; close it to drain and stop. The adapter stays open: it is the caller's.
     */
    public static Scribe launch(final ScribeContext ctx)
    {
        Scribe scribe = null;
        try
        {
            ctx.conclude();
            scribe = new Scribe(ctx);
            scribe.runner.start();
            return scribe;
        }
        catch (final RuntimeException ex)
        {
            if (null != scribe)
            {
                CloseHelper.quietClose(scribe);
            }
            throw ex;
        }
    }

    public ScribeContext context()
    {
        return ctx;
    }

    /**
     * Offer a node upsert: the entity's full persisted state.
     *
     * @param componentState       buffer holding the opaque component state (may be null when the length is 0).
     * @param componentStateOffset offset of the state in the buffer.
     * @param componentStateLength length of the state, at most {@link NodeRecord#MAX_COMPONENT_STATE_LENGTH}.
     * @return true when taken, false when back-pressured (nothing taken: offer it again later).
     */
    public boolean offerNodeUpsert(
        final long entityId,
        final int archetypeId,
        final long parentZoneId,
        final long ownerPlayerId,
        final boolean isZone,
        final long x,
        final long y,
        final long z,
        final float qx,
        final float qy,
        final float qz,
        final float qw,
        final float radius,
        final DirectBuffer componentState,
        final int componentStateOffset,
        final int componentStateLength)
    {
        return offerNodeUpsert(entityId, archetypeId, parentZoneId, ownerPlayerId, isZone, x, y, z, qx, qy, qz, qw,
            radius, 0, componentState, componentStateOffset, componentStateLength);
    }

    /**
     * Offer a node upsert field by field, with the last player input applied to the entity (see
     * {@link NodeRecord#lastAppliedInputSequence}).
     *
     * @return true when taken, false when back-pressured (the ring is full).
     */
    @Override
    public boolean offerNodeUpsert(
        final long entityId,
        final int archetypeId,
        final long parentZoneId,
        final long ownerPlayerId,
        final boolean isZone,
        final long x,
        final long y,
        final long z,
        final float qx,
        final float qy,
        final float qz,
        final float qw,
        final float radius,
        final long lastAppliedInputSequence,
        final DirectBuffer componentState,
        final int componentStateOffset,
        final int componentStateLength)
    {
        checkStateLength(componentStateLength);
        final long sequence = claim();
        if (sequence < 0)
        {
            return false;
        }

        final ScribeEvent event = ring.get(sequence);
        event.type = ScribeEvent.NODE_UPSERT;
        final NodeRecord node = event.node;
        node.entityId = entityId;
        node.archetypeId = archetypeId;
        node.parentZoneId = parentZoneId;
        node.ownerPlayerId = ownerPlayerId;
        node.isZone = isZone;
        node.x = x;
        node.y = y;
        node.z = z;
        node.qx = qx;
        node.qy = qy;
        node.qz = qz;
        node.qw = qw;
        node.radius = radius;
        node.lastAppliedInputSequence = lastAppliedInputSequence;
        if (componentStateLength > 0)
        {
            componentState.getBytes(componentStateOffset, node.componentState, 0, componentStateLength);
        }
        node.componentStateLength = componentStateLength;
        publish(sequence);
        return true;
    }

    /**
     * Offer a node upsert copied from a record (not retained).
     *
     * @return true when taken, false when back-pressured.
     */
    @Override
    public boolean offerNodeUpsert(final NodeRecord node)
    {
        checkNode(node);
        final long sequence = claim();
        if (sequence < 0)
        {
            return false;
        }

        final ScribeEvent event = ring.get(sequence);
        event.type = ScribeEvent.NODE_UPSERT;
        event.node.copyFrom(node);
        publish(sequence);
        return true;
    }

    /**
     * Offer the removal of a node (and, in the store, of every edge that touches it).
     *
     * @return true when taken, false when back-pressured.
     */
    @Override
    public boolean offerNodeRemoval(final long entityId)
    {
        final long sequence = claim();
        if (sequence < 0)
        {
            return false;
        }

        final ScribeEvent event = ring.get(sequence);
        event.type = ScribeEvent.NODE_REMOVAL;
        event.entityId = entityId;
        publish(sequence);
        return true;
    }

    /**
     * Offer an edge upsert ({@code removed == false}) or removal. IN_ZONE edges are implied by nodes: do not offer
     * them.
     *
     * @return true when taken, false when back-pressured.
     */
    public boolean offerEdge(final long fromId, final long toId, final EdgeKind kind, final boolean removed)
    {
        if (null == kind || EdgeKind.IN_ZONE == kind)
        {
            throw new IllegalArgumentException("kind must be CONTAINS or ATTACHED_TO (IN_ZONE is implied): " + kind);
        }
        final long sequence = claim();
        if (sequence < 0)
        {
            return false;
        }

        final ScribeEvent event = ring.get(sequence);
        event.type = ScribeEvent.EDGE;
        event.edgeFrom = fromId;
        event.edgeTo = toId;
        event.edgeKindCode = kind.code();
        event.edgeRemoved = removed;
        publish(sequence);
        return true;
    }

    /**
     * Offer a stow: move {@code node.entityId} out of the graph into the Global store as an item of the owner in the
     * container. {@code node} is the entity's latest state (copied, not retained): pending world changes of the
     * entity offered before are superseded by it. Do not offer world changes of the entity after its stow (until its
     * unstow): see the package documentation.
     *
     * @return true when taken (one completion will follow), false when back-pressured.
     */
    @Override
    public boolean offerStow(
        final long operationId,
        final long correlationId,
        final long ownerPlayerId,
        final long containerId,
        final NodeRecord node)
    {
        checkNode(node);
        final long sequence = claimOperation();
        if (sequence < 0)
        {
            return false;
        }

        final ScribeEvent event = ring.get(sequence);
        event.type = ScribeEvent.STOW;
        event.operationId = operationId;
        event.correlationId = correlationId;
        event.entityId = node.entityId;
        event.playerId = ownerPlayerId;
        event.containerId = containerId;
        event.node.copyFrom(node);
        publishOperation(sequence);
        return true;
    }

    /**
     * Offer an unstow: move item {@code node.entityId} of the owner from the Global store back into the graph as
     * {@code node} (where it reappears; copied, not retained).
     *
     * @return true when taken (one completion will follow), false when back-pressured.
     */
    @Override
    public boolean offerUnstow(
        final long operationId, final long correlationId, final long ownerPlayerId, final NodeRecord node)
    {
        checkNode(node);
        final long sequence = claimOperation();
        if (sequence < 0)
        {
            return false;
        }

        final ScribeEvent event = ring.get(sequence);
        event.type = ScribeEvent.UNSTOW;
        event.operationId = operationId;
        event.correlationId = correlationId;
        event.entityId = node.entityId;
        event.playerId = ownerPlayerId;
        event.containerId = 0;
        event.node.copyFrom(node);
        publishOperation(sequence);
        return true;
    }

    /**
     * Offer a look-up of the outcome the store recorded for a stow or unstow key, changing nothing: for a producer
     * that lost the outcome (restarted) and must answer a resend of the operation without running it again. Taken in
     * ring order like an operation, so it sees every operation offered before it; its completion has type
     * {@link OperationType#STOW_LOOKUP} or {@link OperationType#UNSTOW_LOOKUP} and the status
     * {@link PersistenceAdapter#recordedOutcome} returned: {@link OperationStatus#PENDING} when the key is not
     * recorded, else the replay's status (with the first status) or {@link OperationStatus#OPERATION_CONFLICT}; or
     * {@link OperationStatus#STORE_ERROR} when Scribe was closed before the store answered. Counts as a pending
     * operation until its completion is polled.
     *
     * @param operationType {@link OperationType#STOW} or {@link OperationType#UNSTOW}.
     * @param operationId   the key's operation id.
     * @param correlationId returned with the completion.
     * @param ownerPlayerId the key's player.
     * @param itemId        the item the operation names (a record for another item is a conflict).
     * @return true when taken (one completion will follow), false when back-pressured.
     */
    @Override
    public boolean offerOperationLookup(
        final int operationType,
        final long operationId,
        final long correlationId,
        final long ownerPlayerId,
        final long itemId)
    {
        if (OperationType.STOW != operationType && OperationType.UNSTOW != operationType)
        {
            throw new IllegalArgumentException("operation type must be STOW or UNSTOW: " + operationType);
        }
        final long sequence = claimOperation();
        if (sequence < 0)
        {
            return false;
        }

        final ScribeEvent event = ring.get(sequence);
        event.type = ScribeEvent.OPERATION_LOOKUP;
        event.lookupType = operationType;
        event.operationId = operationId;
        event.correlationId = correlationId;
        event.entityId = itemId;
        event.playerId = ownerPlayerId;
        event.containerId = 0;
        publishOperation(sequence);
        return true;
    }

    /**
     * Offer a wallet change of {@code delta} (may be negative; never overdraws).
     *
     * @return true when taken (one completion will follow), false when back-pressured.
     */
    @Override
    public boolean offerWalletChange(
        final long operationId, final long correlationId, final long playerId, final long delta)
    {
        final long sequence = claimOperation();
        if (sequence < 0)
        {
            return false;
        }

        final ScribeEvent event = ring.get(sequence);
        event.type = ScribeEvent.WALLET;
        event.operationId = operationId;
        event.correlationId = correlationId;
        event.playerId = playerId;
        event.factionId = 0;
        event.delta = delta;
        publishOperation(sequence);
        return true;
    }

    /**
     * Offer a change of a player's standing with a faction.
     *
     * @return true when taken (one completion will follow), false when back-pressured.
     */
    @Override
    public boolean offerReputationChange(
        final long operationId, final long correlationId, final long playerId, final int factionId, final long delta)
    {
        final long sequence = claimOperation();
        if (sequence < 0)
        {
            return false;
        }

        final ScribeEvent event = ring.get(sequence);
        event.type = ScribeEvent.REPUTATION;
        event.operationId = operationId;
        event.correlationId = correlationId;
        event.playerId = playerId;
        event.factionId = factionId;
        event.delta = delta;
        publishOperation(sequence);
        return true;
    }

    /**
     * Deliver durable operation outcomes to the handler, on this (the producer's) thread, each exactly once.
     *
     * @param handler receives each completion.
     * @param limit   maximum number of completions to deliver.
     * @return number delivered.
     */
    @Override
    public int pollCompletions(final CompletionHandler handler, final int limit)
    {
        return returnPath.pollCompletions(handler, limit);
    }

    /**
     * Offer a region load (stream-in): when the consumer reaches it, it first writes every pending world change (so the
     * load sees everything offered before it), then runs {@link PersistenceAdapter#loadRegion} and posts the nodes,
     * then a completion, to the load ring read by {@link #pollLoads(LoadHandler, int)}. The load ring is bounded: when
     * it is full the consumer waits for the producer to poll (nothing is dropped while Scribe is open; with
     * {@link ThreadingMode#INVOKER} the attempt is abandoned and retried after a backoff instead,
     * so the ring must hold a whole region then).
     *
     * @param correlationId returned with every node and the completion.
     * @param zoneId        zone whose direct children are loaded (0 for the world root), each with its zone subtree.
     * @return true when taken, false when back-pressured (offer it again later).
     */
    @Override
    public boolean offerLoadRegion(
        final long correlationId,
        final long zoneId,
        final long minX,
        final long minY,
        final long minZ,
        final long maxX,
        final long maxY,
        final long maxZ)
    {
        final long sequence = claim();
        if (sequence < 0)
        {
            return false;
        }

        final ScribeEvent event = ring.get(sequence);
        event.type = ScribeEvent.LOAD_REGION;
        event.correlationId = correlationId;
        event.entityId = zoneId;
        event.minX = minX;
        event.minY = minY;
        event.minZ = minZ;
        event.maxX = maxX;
        event.maxY = maxY;
        event.maxZ = maxZ;
        publish(sequence);
        runner.wake();
        return true;
    }

    /**
     * Deliver loaded nodes and load completions to the handler, on the producer thread. Allocation free.
     *
     * @param handler receives them; not retained after return.
     * @param limit   maximum messages (nodes plus completions) to deliver.
     * @return messages delivered.
     */
    @Override
    public int pollLoads(final LoadHandler handler, final int limit)
    {
        return returnPath.pollLoads(handler, limit);
    }

    /**
     * Offer a flush barrier: pending world changes are written as soon as the consumer reaches it, without waiting
     * for the flush interval.
     *
     * @return the barrier's ring sequence (see {@link #awaitDurable(long, long)}), or {@link #BACK_PRESSURED}.
     */
    @Override
    public long flushNow()
    {
        final long sequence = claim();
        if (sequence < 0)
        {
            return BACK_PRESSURED;
        }

        ring.get(sequence).type = ScribeEvent.FLUSH;
        publish(sequence);
        runner.wake();
        return sequence;
    }

    /**
     * @return free events in the ring now (producer thread): a producer may keep room for operations by holding back
     * world changes when this runs low.
     */
    @Override
    public long remainingCapacity()
    {
        return ring.remainingCapacity();
    }

    /**
     * @return the ring sequence of the last change, operation or barrier taken by an offer; -1 before the first.
     */
    @Override
    public long lastOfferedSequence()
    {
        return lastOfferedSequence;
    }

    /**
     * @return the highest ring sequence such that everything offered at or before it is durable in the store
     * (world changes written, operations applied or refused by the store's rules). Any thread. An operation's
     * completion does not imply this has reached it: world changes offered before the operation that do not involve
     * the entities it moves may still be pending (see the package documentation, guarantee 2).
     */
    @Override
    public long durableSequence()
    {
        return consumer.durableSequence();
    }

    /**
     * @return whether everything offered at or before {@code sequence} is durable. Any thread.
     */
    public boolean isDurable(final long sequence)
    {
        return consumer.durableSequence() >= sequence;
    }

    /**
     * Wait until everything offered at or before {@code sequence} is durable: for tests, shutdown and "persist, then
     * evict". Blocks the caller (invoking the consumer in agent invoker mode); never call it on a hot path.
     *
     * @return whether it became durable before the timeout.
     */
    public boolean awaitDurable(final long sequence, final long timeoutNs)
    {
        return runner.awaitDurable(sequence, timeoutNs);
    }

    /**
     * Run one duty cycle of the consumer on the caller's thread. Only in {@link ThreadingMode#INVOKER}.
     *
     * @return work done.
     */
    public int invokeConsumer()
    {
        return runner.invoke();
    }

    /**
     * @return whether the caller steps the consumer ({@link ThreadingMode#INVOKER}).
     */
    public boolean isConsumerInvoked()
    {
        return runner.isInvoker();
    }

    /**
     * Steps the consumer in {@link ThreadingMode#INVOKER}, else nothing (it has a thread of its own).
     */
    @Override
    public int doWork()
    {
        return runner.isInvoker() ? runner.invoke() : 0;
    }

    @Override
    public int capacity()
    {
        return ctx.ringSize();
    }

    @Override
    public int maxPendingOperations()
    {
        return ctx.maxPendingOperations();
    }

    @Override
    public long closeTimeoutNs()
    {
        return ctx.closeTimeoutNs();
    }

    /**
     * Current value of a counter. Any thread.
     */
    public long counter(final ScribeCounter counter)
    {
        return counters[counter.id()].get();
    }

    /**
     * @return the counters, indexed by {@link ScribeCounter#id()}.
     */
    public AtomicCounter[] counters()
    {
        return counters;
    }

    /**
     * World batch write latency (ns), written by the consumer; read with {@code getIntervalHistogram(recycle)}.
     */
    public SingleWriterRecorder batchWriteLatencyNs()
    {
        return batchWriteLatencyNs;
    }

    /**
     * Operation (stow, unstow, wallet, reputation) latency in the store (ns), written by the consumer.
     */
    public SingleWriterRecorder operationLatencyNs()
    {
        return operationLatencyNs;
    }

    /**
     * @return the per-operation timeline ({@link ScribeContext#operationTraceFile()} set), else null.
     */
    @Override
    public OperationTimeline operationTimeline()
    {
        return timeline;
    }

    /**
     * @return the {@link OperationTimeline} trace id of the last operation offered (producer thread), -1 when none
     * or not traced.
     */
    @Override
    public long lastOperationTraceId()
    {
        return lastOperationTraceId;
    }

    /**
     * @return operations offered whose completion has not been polled yet (producer thread).
     */
    public long pendingOperations()
    {
        return returnPath.pendingOperations();
    }

    @Override
    public boolean isClosed()
    {
        return isClosed;
    }

    /**
     * Drain and stop: every change and operation offered so far is made durable (pending world changes written at
     * once, not after the flush interval), waiting at most {@link ScribeContext#closeTimeoutNs()} (a store that stays
     * down longer). Completions of operations stay pollable after close. If the timeout passes, the consumer is stopped;
     * operations that were not applied complete with {@link OperationStatus#STORE_ERROR} (nothing changed in the
     * store), world changes that were not written are counted in {@link ScribeCounter#LOST_AT_CLOSE} and reported
     * to the error handler. The adapter is not closed: it is the caller's.
     */
    @Override
    public void close()
    {
        if (isClosed)
        {
            return;
        }
        isClosed = true;

        final long target = ring.getCursor();
        consumer.closing();
        final boolean drained = awaitDurable(target, ctx.closeTimeoutNs());

        runner.stop();
        if (!drained)
        {
            runner.failNotDurable(ring, target, counters);
        }
        dumpTimeline();

        if (ownsCounters)
        {
            CloseHelper.quietCloseAll(counters);
        }
    }

    private long claim()
    {
        if (isClosed)
        {
            return -1;
        }

        if (!ring.hasAvailableCapacity(1))
        {
            ringFull.incrementRelease();
            return -1;
        }

        return ring.next();
    }

    private long claimOperation()
    {
        if (isClosed)
        {
            return -1;
        }

        if (returnPath.isOperationsFull())
        {
            operationsBackPressured.incrementRelease();
            return -1;
        }

        return claim();
    }

    private void publish(final long sequence)
    {
        ring.publish(sequence);
        lastOfferedSequence = sequence;
    }

    private void dumpTimeline()
    {
        if (null != timeline)
        {
            try
            {
                timeline.dump(Path.of(ctx.operationTraceFile()));
                consumerTrace.dump(Path.of(ConsumerTrace.fileFor(ctx.operationTraceFile())));
            }
            catch (final IOException ex)
            {
                ctx.errorHandler().onError(ex);
            }
        }
    }

    private void publishOperation(final long sequence)
    {
        final ScribeEvent event = ring.get(sequence);
        event.traceId = null == timeline ? -1 : timeline.begin(event.type, sequence,
            counters[ScribeCounter.REGIONS_LOADED.id()].get(),
            counters[ScribeCounter.BATCHES_WRITTEN.id()].get());
        lastOperationTraceId = event.traceId;
        returnPath.onOperationOffered();
        publish(sequence);
        runner.wake();
    }

    private static void checkStateLength(final int componentStateLength)
    {
        if (componentStateLength < 0 || componentStateLength > NodeRecord.MAX_COMPONENT_STATE_LENGTH)
        {
            throw new IllegalArgumentException("component state length out of range: " + componentStateLength);
        }
    }

    private static void checkNode(final NodeRecord node)
    {
        if (null == node)
        {
            throw new IllegalArgumentException("node must not be null");
        }
    }
}
