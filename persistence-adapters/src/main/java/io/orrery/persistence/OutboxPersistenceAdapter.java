/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.persistence;

import io.orrery.core.persistence.GlobalStore;
import io.orrery.core.persistence.NodeRecord;
import io.orrery.core.persistence.OperationStatus;
import io.orrery.core.persistence.OperationType;
import io.orrery.core.persistence.PersistenceAdapter;
import io.orrery.core.persistence.PersistenceException;
import io.orrery.core.persistence.StowOperation;
import io.orrery.core.persistence.WalletOperation;
import io.orrery.core.persistence.WorldBatch;
import org.agrona.CloseHelper;

/**
 * A shard's persistence when its EntityGraph and the deployment's Global store are two databases (an embedded
 * RocksDB graph, a PostgreSQL Global store shared by every shard): stow and unstow cannot be one transaction, so they
 * go through the graph's <b>outbox</b> ({@link OutboxGraph}) and the Global store's idempotent
 * {@link GlobalStore#deposit deposit} and {@link GlobalStore#withdraw withdraw}, with the operation's key
 * (player, operation id) as the idempotency key of every step. The relay is synchronous: the call returns (and Scribe
 * acknowledges) only when every step is durable.
 * <pre>
 *   stow:   key recorded in the Global store? -> replay it, done
 *           graph: node out + outbox STOW entry (one synced write)
 *           global: deposit(key)                (one transaction; a replay after a crash changes nothing)
 *           graph: outbox entry removed         (refused: node and its edges back, entry removed, one write)
 *   unstow: key recorded? -> replay it, done; target id already a node -> CONFLICT
 *           graph: outbox UNSTOW entry          (one synced write)
 *           global: withdraw(key) -> the item   (one transaction; keeps a copy under the key)
 *           graph: node in + entry removed      (one write; refused withdrawal: entry removed)
 * </pre>
 * <b>An item is never in both stores or in neither:</b> at every moment it is in the graph, in the Global store, or
 * in flight with an outbox entry that says how to finish: a STOW entry holds the item itself (it is the item until the
 * deposit is durable), an UNSTOW entry names a withdrawal whose copy the Global store keeps under the key. Opening the
 * adapter finishes every entry left by a crash ({@link #relayPending()}) before anything else runs, by repeating the
 * step that may not have happened; every step is idempotent by the key, so repeating one that did happen changes
 * nothing.
 * <p>
 * Differences from a single-store adapter, all on refused operations: a stow of an entity neither stored nor carried,
 * and an unstow onto an id that is already a node, are refused ({@code NOT_FOUND}, {@code CONFLICT}) without being
 * recorded, so a later call with the key is evaluated afresh. A refused deposit (the item was stowed already) puts
 * the node back with the CONTAINS and ATTACHED_TO edges it had (the outbox entry keeps them), except those whose
 * other end has left the graph meanwhile.
 * <p>
 * Threading: one caller thread at a time, as the SPI says; both stores are used from it.
 */
public final class OutboxPersistenceAdapter implements PersistenceAdapter
{
    private final OutboxGraph graph;
    private final GlobalStore global;
    private final String name;
    private final NodeRecord item = new NodeRecord();
    private final NodeRecord inserted = new NodeRecord();
    private final StowOperation recovery = new StowOperation();
    private final OutboxGraph.OutboxEntryHandler recoveryHandler = this::onPendingEntry;
    private long relayed;
    private long compensated;

    private OutboxPersistenceAdapter(final OutboxGraph graph, final GlobalStore global)
    {
        this.graph = graph;
        this.global = global;
        this.name = "outbox(" + graph.name() + " -> " + global.name() + ")";
    }

    /**
     * Compose a graph and a Global store, finishing what a crash left in the outbox first.
     *
     * @param graph  the shard's graph; closed with this adapter.
     * @param global the deployment's Global store; closed with this adapter.
     * @return the adapter.
     * @throws PersistenceException when the outbox cannot be finished now (a store is down): both are closed.
     */
    public static OutboxPersistenceAdapter open(final OutboxGraph graph, final GlobalStore global)
    {
        final OutboxPersistenceAdapter adapter = new OutboxPersistenceAdapter(graph, global);
        try
        {
            adapter.relayPending();
            return adapter;
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(graph, global);
            throw ex;
        }
    }

    /**
     * Finish every outbox entry: the stows and unstows that were in flight when the process stopped. Idempotent.
     *
     * @return the number of entries finished.
     */
    public int relayPending()
    {
        return graph.forEachOutboxEntry(recoveryHandler);
    }

    /**
     * @return outbox entries finished by {@link #relayPending()} since open.
     */
    public long relayed()
    {
        return relayed;
    }

    /**
     * @return stows whose deposit the Global store refused, so that the node went back into the graph.
     */
    public long compensated()
    {
        return compensated;
    }

    public OutboxGraph graph()
    {
        return graph;
    }

    public GlobalStore global()
    {
        return global;
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public void write(final WorldBatch batch)
    {
        graph.write(batch);
    }

    @Override
    public int loadZoneSubtree(final long rootZoneId, final NodeHandler handler)
    {
        return graph.loadZoneSubtree(rootZoneId, handler);
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
        return graph.loadRegion(zoneId, minX, minY, minZ, maxX, maxY, maxZ, handler);
    }

    @Override
    public int loadAll(final NodeHandler handler)
    {
        return graph.loadAll(handler);
    }

    @Override
    public int loadEdges(final long entityId, final EdgeHandler handler)
    {
        return graph.loadEdges(entityId, handler);
    }

    @Override
    public long nodeCount()
    {
        return graph.nodeCount();
    }

    @Override
    public void stow(final StowOperation op)
    {
        NodeRecords.validate(op.node);
        if (OperationStatus.PENDING != global.recordedOutcome(op, OperationType.STOW))
        {
            return;
        }
        final int moved = graph.moveToOutbox(op, item);
        if (OutboxGraph.NOT_PRESENT == moved)
        {
            global.deposit(op, false); // records the refusal (or finds the item stowed already: CONFLICT)
            return;
        }
        finishStow(op, item, OutboxGraph.MOVED_FROM_GRAPH == moved);
    }

    @Override
    public void unstow(final StowOperation op)
    {
        NodeRecords.validate(op.node);
        if (OperationStatus.PENDING != global.recordedOutcome(op, OperationType.UNSTOW))
        {
            return;
        }
        final boolean targetOccupied = graph.containsNode(NodeRecords.unstowTargetId(op));
        if (targetOccupied)
        {
            global.withdraw(op, true, item); // records the refusal: NOT_FOUND, NOT_OWNER or CONFLICT
            return;
        }
        graph.putUnstowEntry(op);
        finishUnstow(op, false);
    }

    @Override
    public void changeWallet(final WalletOperation op)
    {
        global.changeWallet(op);
    }

    @Override
    public void changeReputation(final WalletOperation op)
    {
        global.changeReputation(op);
    }

    @Override
    public long walletBalance(final long playerId)
    {
        return global.walletBalance(playerId);
    }

    @Override
    public long reputation(final long playerId, final int factionId)
    {
        return global.reputation(playerId, factionId);
    }

    @Override
    public int loadStowedItems(final long ownerPlayerId, final StowedItemHandler handler)
    {
        return global.loadStowedItems(ownerPlayerId, handler);
    }

    @Override
    public boolean isStowed(final long itemId)
    {
        return global.isStowed(itemId);
    }

    /**
     * The Global store's record: every outbox entry was finished when the adapter opened and every call finishes its
     * own, so no key is recorded only in the outbox when this runs.
     */
    @Override
    public int recordedOutcome(final StowOperation op, final int type)
    {
        return global.recordedOutcome(op, type);
    }

    @Override
    public void close()
    {
        CloseHelper.quietCloseAll(graph, global);
    }

    @Override
    public String toString()
    {
        return name;
    }

    /**
     * The item has left the graph and sits in the outbox: deposit it, then clear the entry (or, refused, put it back).
     *
     * @param op         the stow, its key and container.
     * @param item       what the outbox holds: the item as it left the graph.
     * @param wasInGraph whether the node was in the graph before: a refused deposit puts it back then, and also when
     *                   the refusal leaves the item nowhere else (anything but CONFLICT, which says it is stowed).
     */
    private void finishStow(final StowOperation op, final NodeRecord item, final boolean wasInGraph)
    {
        if (item != op.node)
        {
            op.node.copyFrom(item); // what is deposited is what the outbox holds
        }
        global.deposit(op, true);
        if (OperationStatus.isApplied(op.status) && OperationStatus.OK == op.firstStatus)
        {
            graph.removeOutboxEntry(op.ownerPlayerId, op.operationId);
        }
        else if (wasInGraph || OperationStatus.CONFLICT != op.status)
        {
            // Refused, and the outbox holds the only copy (or the graph held it): the item goes back.
            inserted.copyFrom(op.node);
            inserted.entityId = op.entityId;
            graph.insertFromOutbox(op.ownerPlayerId, op.operationId, inserted);
            compensated++;
        }
        else
        {
            graph.removeOutboxEntry(op.ownerPlayerId, op.operationId); // stowed already: this copy was stale
        }
    }

    /**
     * The unstow is announced in the outbox: withdraw the item, then insert it and clear the entry. A withdrawal
     * replayed (the key was recorded) completes the entry only when recovering: then it was this entry's own
     * withdrawal, committed before the crash; otherwise the key was applied by another call (another shard) after
     * this call's look-up, and the item is not this shard's to insert.
     */
    private void finishUnstow(final StowOperation op, final boolean recovering)
    {
        global.withdraw(op, false, item);
        final boolean taken = OperationStatus.OK == op.status ||
            (recovering && OperationStatus.DUPLICATE == op.status && OperationStatus.OK == op.firstStatus);
        if (taken)
        {
            NodeRecords.unstowNode(op, item, inserted);
            graph.insertFromOutbox(op.ownerPlayerId, op.operationId, inserted);
            op.node.copyFrom(inserted); // the contract: an applied unstow returns the inserted node
            OperationOutcomes.complete(op, OperationStatus.OK);
        }
        else
        {
            graph.removeOutboxEntry(op.ownerPlayerId, op.operationId);
        }
    }

    private void onPendingEntry(
        final int kind,
        final boolean wasInGraph,
        final long playerId,
        final long operationId,
        final long itemId,
        final long containerId,
        final NodeRecord node)
    {
        final StowOperation op = recovery.reset();
        op.operationId = operationId;
        op.ownerPlayerId = playerId;
        op.entityId = itemId;
        op.containerId = containerId;
        op.node.copyFrom(node);
        if (OutboxGraph.STOW == kind)
        {
            finishStow(op, op.node, wasInGraph);
        }
        else
        {
            finishUnstow(op, true);
        }
        relayed++;
    }
}
