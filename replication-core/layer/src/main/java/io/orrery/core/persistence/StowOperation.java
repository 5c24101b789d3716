/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.persistence;

/**
 * A reusable stow or unstow operation. For a stow, {@link #node} is the entity's latest state (entityId must equal
 * {@link #entityId}); for an unstow, it is the node to insert into the graph (its position and zone are where the
 * item reappears; archetype and component state come from the stored item when {@link #node} leaves them 0).
 * A {@link OperationStatus#DUPLICATE} replay reports the first outcome in {@link #firstStatus}.
 * <p>
 * The operation's idempotency key is ({@link #ownerPlayerId}, {@link #operationId}); a replay must carry the same
 * {@link #entityId} and be of the same kind (stow or unstow), else it is an {@link OperationStatus#OPERATION_CONFLICT}.
 */
public final class StowOperation
{
    public long operationId;
    public long entityId;
    public long ownerPlayerId;
    public long containerId;
    public final NodeRecord node = new NodeRecord();
    public int status;
    public int firstStatus;
    public long value;

    public StowOperation reset()
    {
        operationId = 0;
        entityId = 0;
        ownerPlayerId = 0;
        containerId = 0;
        node.reset();
        status = OperationStatus.PENDING;
        firstStatus = OperationStatus.PENDING;
        value = 0;
        return this;
    }
}
