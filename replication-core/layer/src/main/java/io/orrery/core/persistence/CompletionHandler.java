/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.persistence;

/**
 * Receives the durable outcome of a Global store operation offered to {@link Scribe}, on the producer's thread,
 * from {@link Scribe#pollCompletions(CompletionHandler, int)}. Called exactly once per accepted operation.
 */
@FunctionalInterface
public interface CompletionHandler
{
    /**
     * @param operationType {@link OperationType}.
     * @param operationId   the operation's idempotency key as offered.
     * @param correlationId the caller's correlation id as offered.
     * @param status        {@link OperationStatus}: {@link OperationStatus#OK} or {@link OperationStatus#DUPLICATE}
     *                      when the effect is durable in the store, a rule outcome ({@code NOT_FOUND},
     *                      {@code CONFLICT}, ...) when nothing changed, or {@link OperationStatus#STORE_ERROR} only
     *                      when Scribe was closed before the store accepted the operation (nothing changed).
     * @param firstStatus   for {@link OperationStatus#DUPLICATE}, the outcome of the first application.
     * @param value         new wallet balance or reputation standing; adapter defined for stow and unstow.
     */
    void onCompletion(int operationType, long operationId, long correlationId, int status, int firstStatus, long value);

    /**
     * The outcome with, for an applied unstow, the node the store inserted into the graph (the item's archetype and
     * component state, where the request put it). Scribe calls this method; the default drops the node.
     *
     * @param node for {@link OperationType#UNSTOW} with {@link OperationStatus#OK}, and with
     *             {@link OperationStatus#DUPLICATE} when the item is still where that unstow put it: the node, reused
     *             between calls (copy what you keep); otherwise null.
     */
    default void onCompletion(
        final int operationType,
        final long operationId,
        final long correlationId,
        final int status,
        final int firstStatus,
        final long value,
        final NodeRecord node)
    {
        onCompletion(operationType, operationId, correlationId, status, firstStatus, value);
    }
}
