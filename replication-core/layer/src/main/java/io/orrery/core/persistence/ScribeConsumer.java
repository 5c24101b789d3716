/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.persistence;

import com.lmax.disruptor.EventPoller;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;
import org.HdrHistogram.SingleWriterRecorder;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.status.AtomicCounter;

import java.util.function.LongSupplier;

import static io.orrery.core.persistence.CompletionProxy.completionType;
import static io.orrery.core.persistence.CompletionProxy.operationType;
import static io.orrery.core.persistence.OperationRunner.isReplayOfApplied;
import static io.orrery.core.persistence.OperationRunner.unstowTargetId;

/**
 * Scribe's consumer: polls the ring with a Disruptor {@link EventPoller}, coalesces world changes into a
 * {@link WorldCoalescer}, writes a batch when the flush interval has elapsed (checked at every end of batch and every
 * duty cycle), when the batch is full, before an operation that depends on it, on a flush barrier, before a region
 * load and while closing; runs operations in ring order and posts their outcomes to the completion ring.
 * <p>
 * <b>An operation carries only its own rows.</b> The world changes pending before a stow or unstow are written before
 * it only when one of them involves an entity it moves ({@link #needsWorldBatch}: the entity's own upsert or
 * removal, an edge from or to it, a node in it as a zone, an unstow's parent zone itself); every other pending change
 * commutes with the operation, so it stays pending and is written behind at its own time (flush interval, full batch,
 * barrier, load, close) in a transaction of its own. Wallet and reputation changes never wait for the world batch.
 * {@link #durableSequence()} stays a prefix: an operation committed while earlier world changes are pending does not
 * move it past them.
 * <p>
 * Group commit (when the adapter {@link PersistenceAdapter#supportsGroupCommit() supports it} and
 * {@link ScribeContext#groupCommit()} is on): an operation opens a group transaction in which it and the operations
 * that follow it directly in the ring (up to {@link ScribeContext#maxGroupOperations()}) run, the pending world
 * changes written in it before the first member that depends on them, if one does; the group commits at the end of
 * the polled batch or at the first event that is not an operation, and only then are their outcomes posted. One
 * commit (one flush of the store's log) instead of one per operation. A group that fails is rolled back and its
 * members run again one transaction each, as without grouping (each after every pending world change), so a failing
 * operation holds back no other: it alone is retried. The group's transaction is the job of a {@link GroupCommit};
 * this class decides when a group ends.
 * <p>
 * A failed write or operation is never dropped: the event that needed it is copied aside, the consumer stops
 * polling (so the ring fills and the producer is back-pressured) and retries after an exponential backoff
 * ({@link StoreRetry}, which also reports a lasting outage).
 * <p>
 * With a {@link WorldBatchWriter} ({@link ScribeContext#worldWriter()}, an adapter with
 * {@link PersistenceAdapter#openWorldWriter()}), this consumer writes no world batch itself: it hands the pending
 * batch to the writer when it is due and the writer's single slot is free, and coalesces into a second
 * {@link WorldCoalescer} meanwhile; what must follow the batch (an operation that depends on a change pending or in
 * flight, a full batch, a barrier, a load, close) hands it off and waits ({@link StoreRetry#awaitWriter()}: the
 * event is set aside and taken again once the writer is idle, which wakes this thread). Asynchronous write-behind
 * is then off; {@link #durableSequence()} is the lower of this consumer's prefix and the writer's hold-back.
 * <p>
 * The parts: operations run in the store through an {@link OperationRunner}, their outcomes are posted to the
 * completion ring by a {@link CompletionProxy}; region loads and node look-ups run through a {@link RegionLoader},
 * which posts what a load delivers to the load ring; a {@link WriteBehindLog} tracks the store's log behind batches
 * written asynchronously; a {@link GroupCommit} runs operations in group transactions. This class decides the
 * order: what is written when, in which transaction, and what waits.
 * <p>
 * Threading: an Agrona {@link Agent}; {@link #doWork()} runs on one thread at a time (Scribe's consumer thread, or
 * the caller through an agent invoker). {@link #durableSequence()} and the counters are readable from any thread.
 */
final class ScribeConsumer implements Agent, EventPoller.Handler<ScribeEvent>
{
    private static final long NONE = Long.MAX_VALUE;

    private final String roleName;
    private final PersistenceAdapter adapter;
    private final RingBuffer<ScribeEvent> ring;
    private final EventPoller<ScribeEvent> poller;
    private WorldCoalescer coalescer;
    private WorldCoalescer inFlightCoalescer;
    private final WorldBatchWriter worldWriter;
    private final OperationRunner runner;
    private final CompletionProxy completionProxy;
    private final RegionLoader loader;
    private final StoreRetry retry;
    private final WriteBehindLog writeBehindLog;
    private final NanoClock clock;
    private final ErrorHandler errorHandler;
    private final long flushIntervalNs;
    private final SingleWriterRecorder batchWriteLatencyNs;
    private final SingleWriterRecorder operationLatencyNs;
    private final OperationTimeline timeline;
    private final ConsumerTrace trace;
    private final Sequence durableSequence = new Sequence(-1);
    private final ScribeEvent deferred = new ScribeEvent();
    private final GroupCommit group;
    private final boolean warmUp;
    private final boolean asyncWriteBehind;
    private final boolean worldBatchWithOperations;

    private final AtomicCounter events;
    private final AtomicCounter batchesWritten;
    private final AtomicCounter entriesWritten;
    private final AtomicCounter coalesced;
    private final AtomicCounter supersededByStow;
    private final AtomicCounter backlog;
    private final AtomicCounter lastFlushLatencyNs;

    private volatile boolean closing;
    private long nowNs;
    private long lastProcessedSequence = -1;
    private long firstPendingSequence = NONE;
    private long firstPendingNs;
    private long eventsConsumed;
    private boolean hasDeferred;
    private long deferredSequence;

    ScribeConsumer(
        final ScribeContext ctx,
        final RingBuffer<ScribeEvent> ring,
        final OneToOneRingBuffer completions,
        final OneToOneRingBuffer loads,
        final AtomicCounter[] counters,
        final SingleWriterRecorder batchWriteLatencyNs,
        final SingleWriterRecorder operationLatencyNs,
        final OperationTimeline timeline,
        final ConsumerTrace trace)
    {
        this.roleName = "orrery-scribe-" + ctx.name();
        this.adapter = ctx.adapter();
        this.ring = ring;
        this.poller = ring.newPoller();
        ring.addGatingSequences(poller.getSequence());
        final LongSupplier notDurable = () -> ring.getCursor() - durableSequence();
        this.coalescer = new WorldCoalescer(ctx.maxCoalescedEntities());
        final EntityGraphStore worldStore = ctx.worldWriter() ? adapter.openWorldWriter() : null;
        this.worldWriter = null == worldStore ? null :
            new WorldBatchWriter(ctx, worldStore, counters, batchWriteLatencyNs, notDurable);
        this.inFlightCoalescer = null == worldStore ? null : new WorldCoalescer(ctx.maxCoalescedEntities());
        this.runner = new OperationRunner(adapter);
        this.completionProxy = new CompletionProxy(completions, counters);
        this.loader = new RegionLoader(adapter, loads, !ctx.useConsumerAgentInvoker(), counters);
        this.retry = new StoreRetry(roleName, ctx, notDurable, counters, trace);
        this.clock = ctx.nanoClock();
        this.errorHandler = ctx.errorHandler();
        this.writeBehindLog = new WriteBehindLog(adapter, ctx.flushIntervalNs(), retry, errorHandler, trace);
        this.flushIntervalNs = ctx.flushIntervalNs();
        this.batchWriteLatencyNs = batchWriteLatencyNs;
        this.operationLatencyNs = operationLatencyNs;
        this.timeline = timeline;
        this.trace = trace;
        this.warmUp = ctx.warmUp() && adapter.supportsGroupCommit();
        this.asyncWriteBehind = ctx.asyncWriteBehind() && adapter.supportsAsyncWriteBehind() && null == worldWriter;
        this.worldBatchWithOperations = ctx.worldBatchWithOperations();
        // last of the collaborators: the group commit shares the ones above
        this.group = ctx.groupCommit() && adapter.supportsGroupCommit() ? new GroupCommit(this, ctx, ring, counters) :
            null;

        events = counters[ScribeCounter.EVENTS.id()];
        batchesWritten = counters[ScribeCounter.BATCHES_WRITTEN.id()];
        entriesWritten = counters[ScribeCounter.ENTRIES_WRITTEN.id()];
        coalesced = counters[ScribeCounter.COALESCED.id()];
        supersededByStow = counters[ScribeCounter.UPSERTS_SUPERSEDED_BY_STOW.id()];
        backlog = counters[ScribeCounter.BACKLOG.id()];
        lastFlushLatencyNs = counters[ScribeCounter.LAST_FLUSH_LATENCY_NS.id()];
    }

    @Override
    public String roleName()
    {
        return roleName;
    }

    PersistenceAdapter adapter()
    {
        return adapter;
    }

    OperationRunner runner()
    {
        return runner;
    }

    CompletionProxy completionProxy()
    {
        return completionProxy;
    }

    RegionLoader loader()
    {
        return loader;
    }

    StoreRetry retry()
    {
        return retry;
    }

    WriteBehindLog writeBehindLog()
    {
        return writeBehindLog;
    }

    SingleWriterRecorder operationLatencyNs()
    {
        return operationLatencyNs;
    }

    @Override
    public void onStart()
    {
        if (null != worldWriter)
        {
            worldWriter.consumerThread(Thread.currentThread());
        }
        if (warmUp)
        {
            final long startNs = traceStart();
            ScribeWarmUp.run(adapter, errorHandler);
            traceActivity(ConsumerTrace.WARM_UP, startNs, 0, 0);
        }
    }

    @Override
    public int doWork() throws Exception
    {
        if (null == trace)
        {
            return dutyCycle();
        }

        final long startNs = System.nanoTime();
        final long backlogAtStart = ring.getCursor() - poller.getSequence().get();
        final long eventsBefore = eventsConsumed;
        final int workCount = dutyCycle();
        trace.dutyCycle(startNs, System.nanoTime(), eventsConsumed - eventsBefore, workCount, backlogAtStart);
        return workCount;
    }

    private int dutyCycle() throws Exception
    {
        nowNs = clock.nanoTime();
        int workCount = 0;

        if (retry.isFailed())
        {
            if (!retry.isRetryDue(nowNs))
            {
                return 0;
            }
            if (retry.isAwaitingWriter() && worldWriter.isBusy())
            {
                publishProgress();
                return 0; // woken when the writer has committed
            }

            retry.onRetry();
            workCount++;
            if (null != group && !group.retryMembers())
            {
                publishProgress();
                return workCount;
            }
            if (hasDeferred)
            {
                if (!process(deferred, deferredSequence))
                {
                    publishProgress();
                    return workCount;
                }
                hasDeferred = false;
                lastProcessedSequence = deferredSequence;
                eventsConsumed++;
                if (retry.isFailed()) // it joined a group that failed: it waits in the group's retry list
                {
                    publishProgress();
                    return workCount;
                }
            }
            else if (!flush())
            {
                publishProgress();
                return workCount;
            }
        }

        final long before = eventsConsumed;
        poller.poll(this);
        workCount += (int)(eventsConsumed - before);
        if (null != group && group.isOpen() && !retry.isFailed())
        {
            group.end(); // the batch ends a group; this only if a batch stopped early with one open
        }

        if (!retry.isFailed() && isFlushDue() && (null == worldWriter || !worldWriter.isBusy()))
        {
            flushBehind();
            workCount++;
        }

        if (!retry.isFailed() && !writeBehindLog.isFlushed())
        {
            workCount += writeBehindLog.check(nowNs, closing);
        }

        publishProgress();
        return workCount;
    }

    @Override
    public boolean onEvent(final ScribeEvent event, final long sequence, final boolean endOfBatch)
    {
        if (!process(event, sequence))
        {
            deferred.copyFrom(event);
            deferredSequence = sequence;
            hasDeferred = true;
            return false;
        }

        lastProcessedSequence = sequence;
        eventsConsumed++;
        if (retry.isFailed()) // a group failed and was run again one by one until a member failed: stop, retry later
        {
            return false;
        }

        if (endOfBatch)
        {
            if (null != group && group.isOpen() && !group.end())
            {
                return false;
            }
            if (isFlushDue())
            {
                return flushBehind();
            }
        }

        return true;
    }

    /**
     * Ask the consumer to write pending changes at once from now on (close).
     */
    void closing()
    {
        closing = true;
        loader.closing();
    }

    /**
     * @return the highest ring sequence up to which every offered change and operation is durable in the store (a
     * prefix: an operation committed ahead of world changes pending before it does not count until they are).
     */
    long durableSequence()
    {
        final long consumerDurable = durableSequence.get(); // first: the writer's hold-back was set before it moved
        return null == worldWriter ? consumerDurable : Math.min(consumerDurable, worldWriter.holdBackSequence());
    }

    /**
     * @return the world writer, or null when the consumer writes the world batches itself.
     */
    WorldBatchWriter worldWriter()
    {
        return worldWriter;
    }

    /**
     * For {@link Scribe#close()} once the consumer has stopped: the sequence of the last event taken from the ring.
     */
    long consumedSequence()
    {
        return poller.getSequence().get();
    }

    /**
     * For {@link Scribe#close()} once the consumer has stopped: the event copied aside for a retry, or null.
     */
    ScribeEvent deferredEvent()
    {
        return hasDeferred ? deferred : null;
    }

    /**
     * For {@link Scribe#close()} once the consumer has stopped: world changes in the batch not written.
     */
    int pendingWorldChanges()
    {
        return coalescer.size() + (null != worldWriter ? worldWriter.pendingWorldChanges() : 0);
    }

    /**
     * For {@link Scribe#close()} once the consumer has stopped: report an operation that was never applied.
     */
    void completeNotApplied(final ScribeEvent event)
    {
        posted(completionProxy.post(completionType(event), event.operationId, event.correlationId,
            OperationStatus.STORE_ERROR, OperationStatus.PENDING, 0, null));
    }

    private boolean process(final ScribeEvent event, final long sequence)
    {
        if (null != group && group.isOpen() && !GroupCommit.isGroupable(event.type) && !group.end())
        {
            return false;
        }

        switch (event.type)
        {
            case ScribeEvent.NODE_UPSERT:
            {
                int result = coalescer.upsert(event.node);
                if (WorldCoalescer.FLUSH_FIRST == result)
                {
                    if (!flush())
                    {
                        return false;
                    }
                    result = coalescer.upsert(event.node);
                }
                onWorldChange(result, sequence);
                return true;
            }

            case ScribeEvent.NODE_REMOVAL:
            {
                int result = coalescer.removal(event.entityId);
                if (WorldCoalescer.FLUSH_FIRST == result)
                {
                    if (!flush())
                    {
                        return false;
                    }
                    result = coalescer.removal(event.entityId);
                }
                onWorldChange(result, sequence);
                return true;
            }

            case ScribeEvent.EDGE:
            {
                final EdgeKind kind = EdgeKind.get(event.edgeKindCode);
                int result = coalescer.edge(event.edgeFrom, event.edgeTo, kind, event.edgeRemoved);
                if (WorldCoalescer.FLUSH_FIRST == result)
                {
                    if (!flush())
                    {
                        return false;
                    }
                    result = coalescer.edge(event.edgeFrom, event.edgeTo, kind, event.edgeRemoved);
                }
                onWorldChange(result, sequence);
                return true;
            }

            case ScribeEvent.STOW:
                tracePickedUp(event.traceId);
                if (coalescer.dropUpsert(event.entityId))
                {
                    supersededByStow.incrementRelease();
                    if (coalescer.isEmpty())
                    {
                        firstPendingSequence = NONE; // the dropped upsert was the only pending change
                    }
                }
                return operation(event, sequence);

            case ScribeEvent.UNSTOW:
            case ScribeEvent.WALLET:
            case ScribeEvent.REPUTATION:
                tracePickedUp(event.traceId);
                return operation(event, sequence);

            case ScribeEvent.OPERATION_LOOKUP:
                return lookUp(event); // reads the operation records only: pending world changes may wait

            case ScribeEvent.FLUSH:
                return flush() && writeBehindLog.flush();

            case ScribeEvent.LOAD_REGION:
                return flush() && loadRegion(event);

            default:
                errorHandler.onError(new IllegalStateException("unknown scribe event type " + event.type));
                return true;
        }
    }

    /**
     * Run a region load into the load ring, then post its completion ({@link RegionLoader}). A store failure is
     * retried like a write; so is an attempt abandoned because the load ring was full in agent invoker mode (the
     * producer is this thread).
     */
    private boolean loadRegion(final ScribeEvent event)
    {
        final long startNs = traceStart();
        final int count;
        try
        {
            count = loader.load(event);
        }
        catch (final RuntimeException ex)
        {
            if (loader.wasAbandoned())
            {
                retry.backOff();
            }
            else
            {
                retry.onFailure(ex);
            }
            return false;
        }

        traceActivity(ConsumerTrace.LOAD, startNs, count, 0);
        retry.onSuccess();
        return true;
    }

    private void onWorldChange(final int result, final long sequence)
    {
        if (WorldCoalescer.COALESCED == result)
        {
            coalesced.incrementRelease();
        }

        if (NONE == firstPendingSequence && !coalescer.isEmpty())
        {
            firstPendingSequence = sequence;
            firstPendingNs = nowNs;
        }
    }

    private boolean isFlushDue()
    {
        return !coalescer.isEmpty() && (closing || nowNs - firstPendingNs >= flushIntervalNs);
    }

    /**
     * Make every world change pending before now durable: written here, or by the world writer (then the caller
     * waits, {@link #handOffAndAwait()}).
     *
     * @return false when the caller's event must be retried.
     */
    boolean flush()
    {
        return null != worldWriter ? handOffAndAwait() : writeBatch(false);
    }

    /**
     * With a world writer, {@link #flush()}: every world change pending before now durable before what needs it
     * goes on. Hands the pending batch to the writer when its slot is free and waits
     * ({@link StoreRetry#awaitWriter()}: the caller's event is retried once the writer is idle).
     *
     * @return true when nothing is pending and nothing is in flight: what waited may go on.
     */
    private boolean handOffAndAwait()
    {
        if (!worldWriter.isBusy())
        {
            if (coalescer.isEmpty())
            {
                firstPendingSequence = NONE; // a stow may have dropped the only pending change
                return true;
            }
            handOff();
        }
        retry.awaitWriter();
        return false;
    }

    /**
     * Give the pending batch to the world writer (its slot free) and coalesce into the other one from now on.
     */
    private void handOff()
    {
        final WorldCoalescer pending = coalescer;
        coalescer = inFlightCoalescer;
        coalescer.clear(); // written by the writer, which no longer reads it
        inFlightCoalescer = pending;
        worldWriter.handOff(pending, firstPendingSequence);
        firstPendingSequence = NONE;
    }

    /**
     * A write-behind flush (interval elapsed, batch full): asynchronous when configured and supported, and not while
     * closing; otherwise {@link #flush()}.
     */
    private boolean flushBehind()
    {
        if (null != worldWriter)
        {
            if (!worldWriter.isBusy() && !coalescer.isEmpty())
            {
                handOff();
            }
            return true; // a busy writer: the batch stays pending, handed off when the slot is free
        }
        return writeBatch(asyncWriteBehind && !closing);
    }

    /**
     * Write the pending batch: synchronously ({@link PersistenceAdapter#write}), or asynchronously
     * ({@link PersistenceAdapter#writeBehind}: {@link #durableSequence()} then stays before it until the log is
     * flushed).
     */
    private boolean writeBatch(final boolean async)
    {
        if (coalescer.isEmpty())
        {
            firstPendingSequence = NONE; // a stow may have dropped the only pending change
            return true;
        }

        final WorldBatch batch = coalescer.batch();
        final long traceStartNs = traceStart();
        final long startNs = clock.nanoTime();
        try
        {
            if (async)
            {
                adapter.writeBehind(batch);
            }
            else
            {
                adapter.write(batch);
            }
        }
        catch (final RuntimeException ex)
        {
            retry.onFailure(ex);
            return false;
        }

        traceActivity(ConsumerTrace.WORLD_WRITE, traceStartNs, batch.size(), async ? 1 : 0);
        onWorldBatchWritten(clock.nanoTime() - startNs, async);
        retry.onSuccess();
        return true;
    }

    /**
     * The pending batch is written (by {@link #writeBatch}, or committed with a group by {@link GroupCommit}): count
     * it and clear it; nothing is pending any more.
     */
    void onWorldBatchWritten(final long latencyNs, final boolean async)
    {
        batchWriteLatencyNs.recordValue(Math.min(latencyNs, Scribe.MAX_RECORDED_LATENCY_NS));
        lastFlushLatencyNs.setRelease(latencyNs);
        batchesWritten.incrementRelease();
        entriesWritten.getAndAddRelease(coalescer.batch().size());
        coalescer.clear();
        if (async)
        {
            writeBehindLog.onWrittenBehind(firstPendingSequence, nowNs);
        }
        firstPendingSequence = NONE;
    }

    /**
     * @return the pending world changes as a batch, for {@link GroupCommit} to write in its transaction.
     */
    WorldBatch pendingBatch()
    {
        return coalescer.batch();
    }

    /**
     * Run an operation in a transaction of its own and post its outcome.
     *
     * @return false when it failed (retried after a backoff).
     */
    boolean execute(final ScribeEvent event)
    {
        final int type = operationType(event.type);
        final long startNs = clock.nanoTime();
        final long traceStartNs = traceStart();
        trace(event.traceId, OperationTimeline.OP_START);
        NodeRecord unstowNode = null;
        try
        {
            runner.run(event, type);
            traceActivity(ConsumerTrace.OPERATION, traceStartNs, type, event.traceId);
            trace(event.traceId, OperationTimeline.OP_DONE);
            trace(event.traceId, OperationTimeline.COMMITTED);
            if (OperationType.UNSTOW == type)
            {
                unstowNode = unstowNodeOf(event);
            }
        }
        catch (final RuntimeException ex)
        {
            retry.onFailure(ex);
            return false;
        }

        operationLatencyNs.recordValue(Math.min(clock.nanoTime() - startNs, Scribe.MAX_RECORDED_LATENCY_NS));
        retry.onSuccess();
        if (!posted(completionProxy.complete(
            type, event, runner.status(), runner.firstStatus(), runner.value(), unstowNode)))
        {
            return false;
        }
        trace(event.traceId, OperationTimeline.POSTED);
        return true;
    }

    /**
     * Run an operation: in the group transaction with group commit, else in its own, after the pending world changes
     * only when it depends on them.
     */
    private boolean operation(final ScribeEvent event, final long sequence)
    {
        if (null != worldWriter && needsWorldBatch(event))
        {
            // its dependency is pending or in flight: the group so far commits, the batch is written by the writer,
            // and the operation waits for it (then it depends on nothing pending and runs as any other)
            if (null != group && group.isOpen() && !group.end())
            {
                return false;
            }
            if (!flush())
            {
                return false;
            }
        }
        return null != group ? group.operation(event, sequence) :
            (!needsWorldBatch(event) || flush()) && writeBehindLog.flush() && execute(event);
    }

    /**
     * Whether the world changes pending before an operation must be written before it (in its transaction, or
     * before it without group commit): only when one of them involves an entity the operation moves between the
     * graph and the Global store ({@link WorldCoalescer#touches}: a stow's entity; an unstow's item and target
     * node) or an unstow's parent zone itself, whose order relative to the move matters. Any other pending change
     * commutes with the operation: it stays pending and is written behind at its own time, in a transaction of its
     * own, so an operation does not pay for unrelated world rows. Wallet and reputation changes touch no world row.
     * {@link ScribeContext#worldBatchWithOperations()} restores the earlier rule (always, when any is pending).
     */
    boolean needsWorldBatch(final ScribeEvent event)
    {
        if (null != worldWriter && worldWriter.isBusy() && needsWorldBatch(event, worldWriter.inFlight()))
        {
            return true;
        }
        return needsWorldBatch(event, coalescer);
    }

    /**
     * {@link #needsWorldBatch(ScribeEvent)} for the changes of one coalescer: the pending one, or the world writer's
     * in flight (an operation that depends on a change in flight waits for its commit).
     */
    private boolean needsWorldBatch(final ScribeEvent event, final WorldCoalescer changes)
    {
        if (null == changes || changes.isEmpty())
        {
            return false;
        }
        if (worldBatchWithOperations)
        {
            return true;
        }

        switch (event.type)
        {
            case ScribeEvent.STOW:
                return changes.touches(event.entityId);

            case ScribeEvent.UNSTOW:
            {
                final long targetId = unstowTargetId(event.node, event.entityId);
                return changes.touches(event.entityId) ||
                    (targetId != event.entityId && changes.touches(targetId)) ||
                    changes.hasPendingChange(event.node.parentZoneId);
            }

            default:
                return false;
        }
    }

    /**
     * For {@link Scribe#close()} once the consumer has stopped: report every operation of a failed group not yet
     * run again as never applied.
     *
     * @return how many.
     */
    int completeGroupNotApplied()
    {
        return null != group ? group.completeNotApplied() : 0;
    }

    /**
     * Look up a stow's or unstow's key and post what the store recorded (PENDING when nothing). Changes nothing, so
     * it counts as neither applied nor rejected; a store failure is retried like an operation.
     */
    private boolean lookUp(final ScribeEvent event)
    {
        final long startNs = traceStart();
        try
        {
            runner.lookUp(event);
        }
        catch (final RuntimeException ex)
        {
            retry.onFailure(ex);
            return false;
        }

        traceActivity(ConsumerTrace.LOOKUP, startNs, event.lookupType, 0);
        retry.onSuccess();
        return posted(completionProxy.post(completionType(event), event.operationId, event.correlationId,
            runner.status(), runner.firstStatus(), 0, null));
    }

    /**
     * The node an applied unstow inserted: the adapter returns it in {@link StowOperation#node} (the contract); a
     * replay ({@code DUPLICATE}) finds it where the request put it, if it is still there.
     */
    private NodeRecord unstowNodeOf(final ScribeEvent event)
    {
        if (OperationStatus.OK == runner.status())
        {
            return runner.insertedNode(event);
        }
        if (isReplayOfApplied(runner.status(), runner.firstStatus()))
        {
            return loader.lookUpNode(event.node, unstowTargetId(event.node, event.entityId));
        }
        return null;
    }

    /**
     * @return whether an outcome was posted; if not (the completion ring full), a failure: the operation is retried.
     */
    boolean posted(final boolean posted)
    {
        if (!posted)
        {
            // Cannot happen: the producer never has more operations outstanding than the ring holds. Should it, the
            // operation is retried later; being idempotent, its replay reports DUPLICATE with the first outcome.
            retry.onFailure(new IllegalStateException("scribe completion ring full"));
        }
        return posted;
    }

    private void publishProgress()
    {
        events.setRelease(eventsConsumed);
        backlog.setRelease(ring.getCursor() - poller.getSequence().get());
        long durable = NONE == firstPendingSequence ? lastProcessedSequence : firstPendingSequence - 1;
        if (null != group)
        {
            durable = Math.min(durable, group.firstUndoneSequence() - 1);
        }
        if (!writeBehindLog.isFlushed())
        {
            durable = Math.min(durable, writeBehindLog.firstUnflushedSequence() - 1);
        }
        if (durable != durableSequence.get())
        {
            durableSequence.set(durable);
        }
    }

    long traceStart()
    {
        return null != trace ? System.nanoTime() : 0;
    }

    void traceActivity(final int kind, final long startNs, final long value, final long value2)
    {
        if (null != trace)
        {
            trace.record(kind, startNs, System.nanoTime(), value, value2);
        }
    }

    private void tracePickedUp(final long traceId)
    {
        if (null != timeline && traceId >= 0)
        {
            timeline.pickedUp(traceId, loader.regionsLoaded(), batchesWritten.get());
        }
    }

    void trace(final long traceId, final int step)
    {
        if (null != timeline && traceId >= 0)
        {
            timeline.stamp(traceId, step);
        }
    }

    void traceValue(final long traceId, final int step, final long value)
    {
        if (null != timeline && traceId >= 0)
        {
            timeline.stamp(traceId, step, value);
        }
    }
}
