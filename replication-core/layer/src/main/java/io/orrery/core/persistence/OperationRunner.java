/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.persistence;

/**
 * Runs {@link ScribeConsumer}'s inventory operations in the store: stow, unstow, wallet and reputation changes, each
 * idempotent by operation id ({@link PersistenceAdapter}), and the look-up of an operation's recorded outcome. It
 * copies the ring event into a reused {@link StowOperation} or {@link WalletOperation} and keeps the outcome of the
 * last one ({@link #status()}, {@link #firstStatus()}, {@link #value()}, an applied unstow's {@link #insertedNode}).
 * Which transaction an operation runs in (its own, or a group's), when it is posted and how a failure is retried are
 * the consumer's: a store failure passes through as the adapter's exception.
 * <p>
 * Allocates nothing. Threading: Scribe's consumer thread only.
 */
final class OperationRunner
{
    private final PersistenceAdapter adapter;
    private final StowOperation stowOperation = new StowOperation();
    private final WalletOperation walletOperation = new WalletOperation();
    private int status;
    private int firstStatus;
    private long value;

    OperationRunner(final PersistenceAdapter adapter)
    {
        this.adapter = adapter;
    }

    /**
     * Run an operation in the store (in whatever transaction is open); its outcome in {@link #status()},
     * {@link #firstStatus()} and {@link #value()}, and an unstow's node in {@link #insertedNode}.
     *
     * @param event the operation's event.
     * @param type  its {@link OperationType}.
     */
    void run(final ScribeEvent event, final int type)
    {
        if (OperationType.WALLET == type || OperationType.REPUTATION == type)
        {
            final WalletOperation op = walletOperation.reset();
            op.operationId = event.operationId;
            op.playerId = event.playerId;
            op.factionId = event.factionId;
            op.delta = event.delta;
            if (OperationType.WALLET == type)
            {
                adapter.changeWallet(op);
            }
            else
            {
                adapter.changeReputation(op);
            }
            status = op.status;
            firstStatus = op.firstStatus;
            value = op.value;
        }
        else
        {
            final StowOperation op = stowOperation.reset();
            op.operationId = event.operationId;
            op.entityId = event.entityId;
            op.ownerPlayerId = event.playerId;
            op.containerId = event.containerId;
            op.node.copyFrom(event.node);
            if (OperationType.STOW == type)
            {
                adapter.stow(op);
            }
            else
            {
                adapter.unstow(op);
            }
            status = op.status;
            firstStatus = op.firstStatus;
            value = op.value;
        }
    }

    /**
     * Look up what the store recorded for a stow's or unstow's key ({@link ScribeEvent#OPERATION_LOOKUP}); changes
     * nothing. The outcome in {@link #status()} ({@link OperationStatus#PENDING} when nothing) and
     * {@link #firstStatus()}.
     */
    void lookUp(final ScribeEvent event)
    {
        final StowOperation op = stowOperation.reset();
        op.operationId = event.operationId;
        op.entityId = event.entityId;
        op.ownerPlayerId = event.playerId;
        status = adapter.recordedOutcome(op, event.lookupType);
        firstStatus = OperationStatus.PENDING == status ? OperationStatus.PENDING : op.firstStatus;
        value = 0;
    }

    int status()
    {
        return status;
    }

    int firstStatus()
    {
        return firstStatus;
    }

    long value()
    {
        return value;
    }

    /**
     * The node the unstow just run inserted, as the adapter returns it in {@link StowOperation#node} (the contract).
     *
     * @param event the unstow's event.
     * @return the node, in a record reused by the next operation, or null when the unstow was not applied now.
     */
    NodeRecord insertedNode(final ScribeEvent event)
    {
        return OperationStatus.OK == status &&
            stowOperation.node.entityId == unstowTargetId(event.node, event.entityId) ? stowOperation.node : null;
    }

    /**
     * @return the entity an unstow brings back: the requested node's id, else the operation's entity.
     */
    static long unstowTargetId(final NodeRecord request, final long operationEntityId)
    {
        return 0 != request.entityId ? request.entityId : operationEntityId;
    }

    /**
     * @return whether an outcome is the replay of an operation applied the first time (its node is in the store).
     */
    static boolean isReplayOfApplied(final int status, final int firstStatus)
    {
        return OperationStatus.DUPLICATE == status && OperationStatus.OK == firstStatus;
    }
}
