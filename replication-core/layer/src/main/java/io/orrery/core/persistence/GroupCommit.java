/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.persistence;

import com.lmax.disruptor.Cursored;
import org.HdrHistogram.SingleWriterRecorder;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.status.AtomicCounter;

import static io.orrery.core.persistence.CompletionProxy.operationType;
import static io.orrery.core.persistence.OperationRunner.isReplayOfApplied;
import static io.orrery.core.persistence.OperationRunner.unstowTargetId;

/**
 * {@link ScribeConsumer}'s group commit: forms a group of consecutive operations in one transaction of the store
 * ({@link PersistenceAdapter#beginGroup()}), the world batch pending written in it before the first member that
 * depends on it, if one does; commits the group and only then posts its members' outcomes. A group that fails is
 * rolled back (counted: {@link ScribeCounter#GROUP_FALLBACKS}) and its members run again one transaction each, in
 * ring order, as without grouping. The members and their outcomes are held in a {@link ScribeGroup}.
 * <p>
 * The consumer decides when a group ends (the end of a polled batch, an event that is not an operation, a full
 * group); this class does what a group's begin, member and end take, and counts committed groups and fallbacks.
 * <p>
 * A group of one ({@link ScribeContext#groupOfOneAutoCommit()}): an operation that would open a group while nothing
 * is behind it in the ring (its sequence is the ring's cursor: the polled batch ends with it, so the group would end
 * with it too), with no world change to write before it and the store's log flushed, runs on its own as without
 * grouping ({@link ScribeConsumer#execute}): the adapter runs its one statement in autocommit, so the store commits it
 * before it answers, one round trip instead of two (the statement, then {@code COMMIT}); its outcome is posted once
 * committed, and a failure is retried as any operation's. An operation behind it that arrives meanwhile waits for the
 * next poll, as it would behind a group.
 * <p>
 * Threading: Scribe's consumer thread only, as part of {@link ScribeConsumer#doWork()}.
 */
final class GroupCommit
{
    private final ScribeConsumer consumer;
    private final ScribeGroup group;
    private final Cursored ringForGroupsOfOne;
    private final PersistenceAdapter adapter;
    private final OperationRunner runner;
    private final CompletionProxy completionProxy;
    private final RegionLoader loader;
    private final StoreRetry retry;
    private final WriteBehindLog writeBehindLog;
    private final NanoClock clock;
    private final ErrorHandler errorHandler;
    private final SingleWriterRecorder operationLatencyNs;
    private final AtomicCounter groupCommits;
    private final AtomicCounter groupFallbacks;
    private final AtomicCounter groupOfOneAutoCommits;

    /**
     * Built last in the consumer's constructor: it shares the consumer's collaborators (the store, the operation
     * runner, the completion proxy, the loader, the retry, the write-behind log, the operation latency recorder)
     * and takes its settings, clock and error handler from Scribe's context.
     *
     * @param consumer the consumer whose duty cycle this runs in, its collaborators already built.
     * @param ctx      Scribe's context ({@link ScribeContext#maxGroupOperations()},
     *                 {@link ScribeContext#groupOfOneAutoCommit()}, clock, error handler).
     * @param ring     Scribe's ring, whose cursor tells whether an operation is alone in it (a group of one).
     * @param counters Scribe's counters, by {@link ScribeCounter} id.
     */
    GroupCommit(
        final ScribeConsumer consumer,
        final ScribeContext ctx,
        final Cursored ring,
        final AtomicCounter[] counters)
    {
        this.consumer = consumer;
        this.group = new ScribeGroup(ctx.maxGroupOperations());
        this.ringForGroupsOfOne = ctx.groupOfOneAutoCommit() ? ring : null;
        this.adapter = consumer.adapter();
        this.runner = consumer.runner();
        this.completionProxy = consumer.completionProxy();
        this.loader = consumer.loader();
        this.retry = consumer.retry();
        this.writeBehindLog = consumer.writeBehindLog();
        this.clock = ctx.nanoClock();
        this.errorHandler = ctx.errorHandler();
        this.operationLatencyNs = consumer.operationLatencyNs();
        this.groupCommits = counters[ScribeCounter.GROUP_COMMITS.id()];
        this.groupFallbacks = counters[ScribeCounter.GROUP_FALLBACKS.id()];
        this.groupOfOneAutoCommits = counters[ScribeCounter.GROUP_OF_ONE_AUTOCOMMITS.id()];
    }

    /**
     * @return whether an event of this type may join a group (stow, unstow, wallet, reputation).
     */
    static boolean isGroupable(final int eventType)
    {
        return eventType >= ScribeEvent.STOW && eventType <= ScribeEvent.REPUTATION;
    }

    /**
     * @return whether a group transaction is open in the store.
     */
    boolean isOpen()
    {
        return group.isOpen();
    }

    /**
     * @return the ring sequence of the first operation of the group not yet committed and posted (open, or waiting
     * to run again), or {@link Long#MAX_VALUE} when none.
     */
    long firstUndoneSequence()
    {
        return group.firstUndoneSequence();
    }

    /**
     * Run an operation in the group transaction, opening it (with the pending world changes) if none is open.
     *
     * @return false only when the group could not be opened or a group of one failed or could not be posted (the
     * event is retried); an operation that fails in the group rolls it back and runs its members one by one
     * ({@link StoreRetry#isFailed()} tells whether one of them failed).
     */
    boolean operation(final ScribeEvent event, final long sequence)
    {
        final boolean withWorldBatch = consumer.needsWorldBatch(event);
        if (!group.isOpen() && !withWorldBatch && isAloneInRing(sequence) && writeBehindLog.isFlushed())
        {
            if (!consumer.execute(event))
            {
                return false; // a store failure (retried) or a full completion ring (posted again): it replays
            }
            groupOfOneAutoCommits.incrementRelease();
            return true;
        }
        if (!group.isOpen())
        {
            final long openStartNs = consumer.traceStart();
            try
            {
                adapter.beginGroup();
                if (withWorldBatch)
                {
                    adapter.write(consumer.pendingBatch());
                }
                if (!writeBehindLog.isFlushed())
                {
                    adapter.flushLog(); // in the group: its commit flushes the log past the asynchronous batches
                }
                consumer.traceActivity(
                    ConsumerTrace.GROUP_OPEN, openStartNs, withWorldBatch ? consumer.pendingBatch().size() : 0, 0);
            }
            catch (final RuntimeException ex)
            {
                adapter.abortGroup();
                retry.onFailure(ex);
                return false;
            }
            group.begin(withWorldBatch);
            consumer.traceValue(
                event.traceId, OperationTimeline.WORLD_ENTRIES, withWorldBatch ? consumer.pendingBatch().size() : 0);
        }

        final ScribeGroup.Member member = group.add(event, sequence);
        if (withWorldBatch && !group.withWorldBatch())
        {
            // an operation after others in the group that depends on the pending world changes: they go first
            final long writeStartNs = consumer.traceStart();
            try
            {
                adapter.write(consumer.pendingBatch());
            }
            catch (final RuntimeException ex)
            {
                abort(ex); // the member is in the retry list: run again after the world changes, alone
                return true;
            }
            consumer.traceActivity(ConsumerTrace.WORLD_WRITE, writeStartNs, consumer.pendingBatch().size(), 2);
            group.worldBatchWritten();
            consumer.traceValue(event.traceId, OperationTimeline.WORLD_ENTRIES, consumer.pendingBatch().size());
        }
        final int type = operationType(event.type);
        member.startNs = clock.nanoTime();
        consumer.traceValue(event.traceId, OperationTimeline.OP_START, member.startNs);
        final long traceStartNs = consumer.traceStart();
        try
        {
            runner.run(member.event, type);
            consumer.trace(event.traceId, OperationTimeline.OP_DONE);
            consumer.traceActivity(ConsumerTrace.OPERATION, traceStartNs, type, event.traceId);
        }
        catch (final RuntimeException ex)
        {
            abort(ex);
            return true;
        }

        member.status = runner.status();
        member.firstStatus = runner.firstStatus();
        member.value = runner.value();
        if (OperationType.UNSTOW == type)
        {
            final NodeRecord inserted = runner.insertedNode(event);
            if (null != inserted)
            {
                member.node.copyFrom(inserted);
                member.hasNode = true;
            }
            member.lookUpNode = isReplayOfApplied(member.status, member.firstStatus);
        }

        if (group.isFull())
        {
            end();
        }
        return true;
    }

    /**
     * @return whether a group of one would run in autocommit: switched on and nothing claimed in the ring after this
     * operation (a producer that claims a slot now finds it in the next poll).
     */
    private boolean isAloneInRing(final long sequence)
    {
        return null != ringForGroupsOfOne && ringForGroupsOfOne.getCursor() == sequence;
    }

    /**
     * Commit the open group and post its members' outcomes; on failure roll it back and run them one by one.
     *
     * @return false when a member failed (it and those after it wait in the retry list).
     */
    boolean end()
    {
        final long traceStartNs = consumer.traceStart();
        final boolean done = commitAndPost();
        consumer.traceActivity(ConsumerTrace.GROUP_COMMIT, traceStartNs, group.size(), done ? 1 : 0);
        return done;
    }

    private boolean commitAndPost()
    {
        final long startNs = clock.nanoTime();
        try
        {
            adapter.commitGroup();
        }
        catch (final RuntimeException ex)
        {
            return abort(ex);
        }

        final long endNs = clock.nanoTime();
        if (group.withWorldBatch())
        {
            consumer.onWorldBatchWritten(endNs - startNs, false);
        }
        groupCommits.incrementRelease();
        writeBehindLog.onFlushed();
        retry.onSuccess();

        final int size = group.size();
        group.close();
        for (int i = 0; i < size; i++)
        {
            final ScribeGroup.Member member = group.member(i);
            operationLatencyNs.recordValue(Math.min(endNs - member.startNs, Scribe.MAX_RECORDED_LATENCY_NS));
            final ScribeEvent event = member.event;
            consumer.traceValue(event.traceId, OperationTimeline.COMMITTED, endNs);
            consumer.traceValue(event.traceId, OperationTimeline.GROUP_SIZE, size);
            NodeRecord unstowNode = member.hasNode ? member.node : null;
            try
            {
                if (member.lookUpNode)
                {
                    unstowNode = loader.lookUpNode(event.node, unstowTargetId(event.node, event.entityId));
                }
            }
            catch (final RuntimeException ex)
            {
                retry.onFailure(ex);
                group.toRetry(i, size); // committed: run again, they replay their recorded outcomes
                return false;
            }
            if (!consumer.posted(completionProxy.complete(
                operationType(event.type), event, member.status, member.firstStatus, member.value, unstowNode)))
            {
                group.toRetry(i, size);
                return false;
            }
            consumer.trace(event.traceId, OperationTimeline.POSTED);
        }
        return true;
    }

    /**
     * A group failed: roll it back, then run its members again one transaction each.
     */
    private boolean abort(final RuntimeException ex)
    {
        adapter.abortGroup();
        groupFallbacks.incrementRelease();
        errorHandler.onError(ex);
        group.toRetry(0, group.size());
        return retryMembers();
    }

    /**
     * Run the members of a failed group one transaction each, in ring order, after the world changes pending before
     * the first of them.
     *
     * @return false when one failed (retried after a backoff, with those after it).
     */
    boolean retryMembers()
    {
        ScribeGroup.Member member;
        while (null != (member = group.nextRetry()))
        {
            if (!consumer.flush() || !writeBehindLog.flush() || !consumer.execute(member.event))
            {
                return false;
            }
            group.retried();
        }
        return true;
    }

    /**
     * For {@link Scribe#close()} once the consumer has stopped: report every operation of a failed group not yet
     * run again as never applied.
     *
     * @return how many.
     */
    int completeNotApplied()
    {
        int count = 0;
        ScribeGroup.Member member;
        while (null != (member = group.nextRetry()))
        {
            consumer.completeNotApplied(member.event);
            group.retried();
            count++;
        }
        return count;
    }
}
