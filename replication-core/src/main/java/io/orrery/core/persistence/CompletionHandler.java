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
}
