/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.persistence;

/**
 * A reusable wallet or reputation change. {@link #factionId} is used by reputation changes only.
 * On success {@link #value} is the new balance (or standing); a {@link OperationStatus#DUPLICATE} replay returns the
 * value recorded by the first application and its outcome in {@link #firstStatus}.
 * <p>
 * The operation's idempotency key is ({@link #playerId}, {@link #operationId}); a replay must be of the same kind and
 * carry the same {@link #delta} (and {@link #factionId} for reputation), else it is an
 * {@link OperationStatus#OPERATION_CONFLICT}.
 */
public final class WalletOperation
{
    public long operationId;
    public long playerId;
    public int factionId;
    public long delta;
    public int status;
    public int firstStatus;
    public long value;

    public WalletOperation reset()
    {
        operationId = 0;
        playerId = 0;
        factionId = 0;
        delta = 0;
        status = OperationStatus.PENDING;
        firstStatus = OperationStatus.PENDING;
        value = 0;
        return this;
    }
}
