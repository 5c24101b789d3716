/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.persistence;

import org.agrona.DirectBuffer;

/**
 * What the Replicant needs of Scribe, wherever Scribe runs: {@link Scribe} in the layer's process (its ring, its
 * consumer thread), or {@link RemoteScribe}, the layer's end of a link to a Scribe process
 * ({@code io.orrery.servers.ScribeServer}, hosting a {@link RemoteScribeHost}).
 * <p>
 * Threading: one thread, the producer (the Replicant's), calls every method except {@link #durableSequence()}
 * (any thread). Offers never block and never allocate: {@code false} means back-pressured, nothing taken, offer it
 * again later. Sequences are the producer's: each offer takes the next one, {@link #durableSequence()} says how far
 * everything offered is durable in the store. Operations (stow, unstow, look-up, wallet, reputation) complete
 * exactly once through {@link #pollCompletions(CompletionHandler, int)}; region loads deliver their nodes and a
 * completion through {@link #pollLoads(LoadHandler, int)} (a load retried after a link loss may repeat nodes).
 */
public interface ScribeClient extends AutoCloseable
{
    /**
     * Returned by {@link #flushNow()} when back-pressured.
     */
    long BACK_PRESSURED = -1;

    /**
     * Offer a node upsert field by field (see {@link Scribe}).
     *
     * @return true when taken, false when back-pressured.
     */
    boolean offerNodeUpsert(
        long entityId,
        int archetypeId,
        long parentZoneId,
        long ownerPlayerId,
        boolean isZone,
        long x,
        long y,
        long z,
        float qx,
        float qy,
        float qz,
        float qw,
        float radius,
        long lastAppliedInputSequence,
        DirectBuffer componentState,
        int componentStateOffset,
        int componentStateLength);

    /**
     * Offer a node upsert copied from a record (not retained).
     *
     * @return true when taken, false when back-pressured.
     */
    boolean offerNodeUpsert(NodeRecord node);

    /**
     * @return true when taken, false when back-pressured.
     */
    boolean offerNodeRemoval(long entityId);

    /**
     * @return true when taken (one completion will follow), false when back-pressured.
     */
    boolean offerStow(long operationId, long correlationId, long ownerPlayerId, long containerId, NodeRecord node);

    /**
     * @return true when taken (one completion will follow), false when back-pressured.
     */
    boolean offerUnstow(long operationId, long correlationId, long ownerPlayerId, NodeRecord node);

    /**
     * @return true when taken (one completion will follow), false when back-pressured.
     */
    boolean offerOperationLookup(
        int operationType, long operationId, long correlationId, long ownerPlayerId, long itemId);

    /**
     * @return true when taken (one completion will follow), false when back-pressured.
     */
    boolean offerWalletChange(long operationId, long correlationId, long playerId, long delta);

    /**
     * @return true when taken (one completion will follow), false when back-pressured.
     */
    boolean offerReputationChange(long operationId, long correlationId, long playerId, int factionId, long delta);

    /**
     * @return true when taken (nodes then a load completion will follow), false when back-pressured.
     */
    boolean offerLoadRegion(
        long correlationId, long zoneId, long minX, long minY, long minZ, long maxX, long maxY, long maxZ);

    /**
     * @return completions delivered, each exactly once.
     */
    int pollCompletions(CompletionHandler handler, int limit);

    /**
     * @return loaded nodes and load completions delivered.
     */
    int pollLoads(LoadHandler handler, int limit);

    /**
     * Offer a flush barrier: pending world changes are written without waiting for the flush interval.
     *
     * @return the barrier's sequence, or {@link #BACK_PRESSURED}.
     */
    long flushNow();

    /**
     * @return events that can be offered now before offers are refused for room.
     */
    long remainingCapacity();

    /**
     * @return the sequence of the last offer taken, -1 before the first.
     */
    long lastOfferedSequence();

    /**
     * @return the highest sequence such that everything offered at or before it is durable. Any thread.
     */
    long durableSequence();

    /**
     * @return events the client holds at most (what {@link #remainingCapacity()} counts down from).
     */
    int capacity();

    /**
     * @return operations that may await their completion at most.
     */
    int maxPendingOperations();

    /**
     * @return how long {@link #close()} waits at most for what was offered to become durable.
     */
    long closeTimeoutNs();

    /**
     * @return the per-operation timeline, or null when not traced.
     */
    default OperationTimeline operationTimeline()
    {
        return null;
    }

    /**
     * @return the trace id of the last operation offered, -1 when none or not traced.
     */
    default long lastOperationTraceId()
    {
        return -1;
    }

    /**
     * One step of the producer's duty cycle: steps an invoked consumer ({@link Scribe} in
     * {@code ThreadingMode.INVOKER}), or polls and sends on a link ({@link RemoteScribe}).
     *
     * @return work done.
     */
    int doWork();

    boolean isClosed();

    /**
     * Drain (at most {@link #closeTimeoutNs()}) and stop.
     */
    @Override
    void close();
}
