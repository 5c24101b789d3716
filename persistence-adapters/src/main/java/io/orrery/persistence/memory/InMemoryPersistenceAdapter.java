/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.persistence.memory;

import io.orrery.core.persistence.EdgeKind;
import io.orrery.core.persistence.NodeRecord;
import io.orrery.core.persistence.OperationStatus;
import io.orrery.core.persistence.OperationType;
import io.orrery.core.persistence.PersistenceAdapter;
import io.orrery.core.persistence.StowOperation;
import io.orrery.core.persistence.WalletOperation;
import io.orrery.core.persistence.WorldBatch;
import io.orrery.persistence.NodeRecords;
import io.orrery.persistence.OperationOutcomes;
import io.orrery.persistence.ZoneTreeWalker;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongArrayList;
import org.agrona.collections.LongHashSet;

import java.util.ArrayList;
import java.util.Objects;

/**
 * The persistence SPI in memory, for tests: nothing survives {@link #close()}, "durable" means "applied". It keeps
 * exactly the contract of the durable adapters (atomic batches, idempotent operations, parents before children), so
 * the same contract test suite runs against it.
 * <p>
 * Threading: not thread safe; one caller thread at a time, as the SPI says.
 */
public final class InMemoryPersistenceAdapter implements PersistenceAdapter, ZoneTreeWalker.GraphSource
{
    private static final long MISSING = Long.MIN_VALUE;

    private final Long2ObjectHashMap<NodeRecord> nodes = new Long2ObjectHashMap<>();
    private final Long2ObjectHashMap<LongHashSet> childrenByZone = new Long2ObjectHashMap<>();
    private final Long2ObjectHashMap<ArrayList<Edge>> edgesByEntity = new Long2ObjectHashMap<>();
    private final Long2ObjectHashMap<StowedItem> stowedItems = new Long2ObjectHashMap<>();
    private final Long2ObjectHashMap<LongHashSet> itemsByOwner = new Long2ObjectHashMap<>();
    private final Long2LongHashMap wallets = new Long2LongHashMap(MISSING);
    private final Long2ObjectHashMap<Long2LongHashMap> reputationByPlayer = new Long2ObjectHashMap<>();
    /** player id -> operation id -> {status, value, type, subject, delta}. */
    private final Long2ObjectHashMap<Long2ObjectHashMap<long[]>> operationsByPlayer = new Long2ObjectHashMap<>();
    private final ZoneTreeWalker walker = new ZoneTreeWalker(this);
    private final NodeRecord scratch = new NodeRecord();
    private boolean closed;

    @Override
    public String name()
    {
        return "memory:";
    }

    @Override
    public void write(final WorldBatch batch)
    {
        ensureOpen();
        NodeRecords.validate(batch);

        for (int i = 0, n = batch.nodeUpsertCount(); i < n; i++)
        {
            final NodeRecord node = batch.nodeUpsert(i);
            if (!stowedItems.containsKey(node.entityId))
            {
                putNode(node);
            }
        }

        for (int i = 0, n = batch.edgeCount(); i < n; i++)
        {
            final EdgeKind kind = batch.edgeKind(i);
            if (NodeRecords.isExplicit(kind))
            {
                final Edge edge = new Edge(batch.edgeFrom(i), batch.edgeTo(i), kind);
                if (batch.isEdgeRemoved(i))
                {
                    removeEdge(edge);
                }
                else
                {
                    addEdge(edge);
                }
            }
        }

        for (int i = 0, n = batch.nodeRemovalCount(); i < n; i++)
        {
            removeNode(batch.nodeRemoval(i));
        }
    }

    @Override
    public int loadZoneSubtree(final long rootZoneId, final NodeHandler handler)
    {
        ensureOpen();
        return walker.walkSubtree(rootZoneId, handler);
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
        ensureOpen();
        return walker.walkRegion(zoneId, minX, minY, minZ, maxX, maxY, maxZ, handler);
    }

    @Override
    public int loadAll(final NodeHandler handler)
    {
        ensureOpen();
        return walker.walkAll(handler);
    }

    @Override
    public int loadEdges(final long entityId, final EdgeHandler handler)
    {
        ensureOpen();
        int count = 0;
        final NodeRecord node = nodes.get(entityId);
        if (null != node && 0 != node.parentZoneId)
        {
            handler.onEdge(entityId, node.parentZoneId, EdgeKind.IN_ZONE);
            count++;
        }

        final LongHashSet children = childrenByZone.get(entityId);
        if (null != children)
        {
            final LongHashSet.LongIterator iterator = children.iterator();
            while (iterator.hasNext())
            {
                handler.onEdge(iterator.nextValue(), entityId, EdgeKind.IN_ZONE);
                count++;
            }
        }

        final ArrayList<Edge> edges = edgesByEntity.get(entityId);
        if (null != edges)
        {
            for (int i = 0, n = edges.size(); i < n; i++)
            {
                final Edge edge = edges.get(i);
                handler.onEdge(edge.fromId, edge.toId, edge.kind);
                count++;
            }
        }

        return count;
    }

    @Override
    public void stow(final StowOperation op)
    {
        ensureOpen();
        NodeRecords.validate(op.node);
        if (replayed(op, OperationType.STOW))
        {
            return;
        }

        final int status;
        final NodeRecord stored = nodes.get(op.entityId);
        if (stowedItems.containsKey(op.entityId))
        {
            status = OperationStatus.CONFLICT;
        }
        else if (null == stored && !NodeRecords.carriesState(op))
        {
            status = OperationStatus.NOT_FOUND;
        }
        else
        {
            final NodeRecord item = new NodeRecord().copyFrom(NodeRecords.carriesState(op) ? op.node : stored);
            removeNode(op.entityId);
            stowedItems.put(op.entityId, new StowedItem(op.ownerPlayerId, op.containerId, item));
            itemsByOwner.computeIfAbsent(op.ownerPlayerId, (owner) -> new LongHashSet()).add(op.entityId);
            status = OperationStatus.OK;
        }

        record(op.ownerPlayerId, op.operationId, status, 0, OperationType.STOW, OperationOutcomes.subject(op), 0);
        OperationOutcomes.complete(op, status);
    }

    @Override
    public int recordedOutcome(final StowOperation op, final int type)
    {
        ensureOpen();
        return replayed(op, type) ? op.status : OperationStatus.PENDING;
    }

    @Override
    public void unstow(final StowOperation op)
    {
        ensureOpen();
        NodeRecords.validate(op.node);
        if (replayed(op, OperationType.UNSTOW))
        {
            return;
        }

        final int status;
        final StowedItem item = stowedItems.get(op.entityId);
        final long targetId = NodeRecords.unstowTargetId(op);
        if (null == item)
        {
            status = OperationStatus.NOT_FOUND;
        }
        else if (item.ownerPlayerId != op.ownerPlayerId)
        {
            status = OperationStatus.NOT_OWNER;
        }
        else if (nodes.containsKey(targetId) || (targetId != op.entityId && stowedItems.containsKey(targetId)))
        {
            status = OperationStatus.CONFLICT;
        }
        else
        {
            removeItem(op.entityId, item);
            NodeRecords.unstowNode(op, item.node, scratch);
            putNode(scratch);
            op.node.copyFrom(scratch); // the contract: an applied unstow returns the inserted node
            status = OperationStatus.OK;
        }

        record(op.ownerPlayerId, op.operationId, status, 0, OperationType.UNSTOW, OperationOutcomes.subject(op), 0);
        OperationOutcomes.complete(op, status);
    }

    @Override
    public void changeWallet(final WalletOperation op)
    {
        ensureOpen();
        if (replayed(op, OperationType.WALLET))
        {
            return;
        }

        final long balance = walletBalance(op.playerId);
        final int status = OperationOutcomes.balanceChange(balance, op.delta, false);
        final long value = OperationOutcomes.valueAfter(status, balance, op.delta);
        if (OperationStatus.OK == status)
        {
            wallets.put(op.playerId, value);
        }

        record(op.playerId, op.operationId, status, value, OperationType.WALLET,
            OperationOutcomes.subject(op, OperationType.WALLET), op.delta);
        OperationOutcomes.complete(op, status, value);
    }

    @Override
    public void changeReputation(final WalletOperation op)
    {
        ensureOpen();
        if (replayed(op, OperationType.REPUTATION))
        {
            return;
        }

        final long standing = reputation(op.playerId, op.factionId);
        final int status = OperationOutcomes.balanceChange(standing, op.delta, true);
        final long value = OperationOutcomes.valueAfter(status, standing, op.delta);
        if (OperationStatus.OK == status)
        {
            reputationByPlayer.computeIfAbsent(op.playerId, (player) -> new Long2LongHashMap(MISSING))
                .put(op.factionId, value);
        }

        record(op.playerId, op.operationId, status, value, OperationType.REPUTATION,
            OperationOutcomes.subject(op, OperationType.REPUTATION), op.delta);
        OperationOutcomes.complete(op, status, value);
    }

    @Override
    public long walletBalance(final long playerId)
    {
        ensureOpen();
        final long balance = wallets.get(playerId);
        return MISSING == balance ? 0 : balance;
    }

    @Override
    public long reputation(final long playerId, final int factionId)
    {
        ensureOpen();
        final Long2LongHashMap byFaction = reputationByPlayer.get(playerId);
        final long standing = null == byFaction ? MISSING : byFaction.get(factionId);
        return MISSING == standing ? 0 : standing;
    }

    @Override
    public int loadStowedItems(final long ownerPlayerId, final StowedItemHandler handler)
    {
        ensureOpen();
        final LongHashSet itemIds = itemsByOwner.get(ownerPlayerId);
        if (null == itemIds)
        {
            return 0;
        }

        int count = 0;
        final LongHashSet.LongIterator iterator = itemIds.iterator();
        while (iterator.hasNext())
        {
            final long itemId = iterator.nextValue();
            final StowedItem item = stowedItems.get(itemId);
            scratch.copyFrom(item.node);
            handler.onItem(itemId, item.ownerPlayerId, item.containerId, scratch);
            count++;
        }

        return count;
    }

    @Override
    public boolean isStowed(final long itemId)
    {
        ensureOpen();
        return stowedItems.containsKey(itemId);
    }

    @Override
    public long nodeCount()
    {
        ensureOpen();
        return nodes.size();
    }

    @Override
    public void close()
    {
        closed = true;
    }

    @Override
    public boolean readNode(final long entityId, final NodeRecord into)
    {
        final NodeRecord node = nodes.get(entityId);
        if (null == node)
        {
            return false;
        }
        into.copyFrom(node);
        return true;
    }

    @Override
    public boolean containsNode(final long entityId)
    {
        return nodes.containsKey(entityId);
    }

    @Override
    public void forEachChild(final long zoneId, final NodeRecord scratch, final ZoneTreeWalker.NodeConsumer consumer)
    {
        final LongHashSet children = childrenByZone.get(zoneId);
        if (null != children)
        {
            final LongHashSet.LongIterator iterator = children.iterator();
            while (iterator.hasNext())
            {
                consumer.accept(scratch.copyFrom(nodes.get(iterator.nextValue())));
            }
        }
    }

    @Override
    public void forEachInRegion(
        final long zoneId,
        final long minX,
        final long minY,
        final long minZ,
        final long maxX,
        final long maxY,
        final long maxZ,
        final NodeRecord scratch,
        final ZoneTreeWalker.NodeConsumer consumer)
    {
        final LongHashSet children = childrenByZone.get(zoneId);
        if (null != children)
        {
            final LongHashSet.LongIterator iterator = children.iterator();
            while (iterator.hasNext())
            {
                final NodeRecord node = nodes.get(iterator.nextValue());
                if (node.x >= minX && node.x <= maxX && node.y >= minY && node.y <= maxY &&
                    node.z >= minZ && node.z <= maxZ)
                {
                    consumer.accept(scratch.copyFrom(node));
                }
            }
        }
    }

    @Override
    public void appendAllNodeIds(final LongArrayList out)
    {
        final Long2ObjectHashMap<NodeRecord>.KeyIterator iterator = nodes.keySet().iterator();
        while (iterator.hasNext())
        {
            out.addLong(iterator.nextLong());
        }
    }

    @Override
    public String toString()
    {
        return name();
    }

    private boolean replayed(final StowOperation op, final int type)
    {
        final long[] recorded = recorded(op.ownerPlayerId, op.operationId);
        if (null == recorded)
        {
            return false;
        }
        if (OperationOutcomes.isReplay(
            (int)recorded[2], recorded[3], recorded[4], type, OperationOutcomes.subject(op), 0))
        {
            OperationOutcomes.replay(op, (int)recorded[0], recorded[1]);
        }
        else
        {
            OperationOutcomes.conflict(op);
        }
        return true;
    }

    private boolean replayed(final WalletOperation op, final int type)
    {
        final long[] recorded = recorded(op.playerId, op.operationId);
        if (null == recorded)
        {
            return false;
        }
        if (OperationOutcomes.isReplay(
            (int)recorded[2], recorded[3], recorded[4], type, OperationOutcomes.subject(op, type), op.delta))
        {
            OperationOutcomes.replay(op, (int)recorded[0], recorded[1]);
        }
        else
        {
            OperationOutcomes.conflict(op);
        }
        return true;
    }

    private long[] recorded(final long playerId, final long operationId)
    {
        final Long2ObjectHashMap<long[]> byId = operationsByPlayer.get(playerId);
        return null == byId ? null : byId.get(operationId);
    }

    private void record(
        final long playerId,
        final long operationId,
        final int status,
        final long value,
        final int type,
        final long subject,
        final long delta)
    {
        operationsByPlayer.computeIfAbsent(playerId, (player) -> new Long2ObjectHashMap<>())
            .put(operationId, new long[]{ status, value, type, subject, delta });
    }

    private void putNode(final NodeRecord node)
    {
        NodeRecord stored = nodes.get(node.entityId);
        if (null == stored)
        {
            stored = new NodeRecord();
            nodes.put(node.entityId, stored);
        }
        else if (stored.parentZoneId != node.parentZoneId)
        {
            removeChild(stored.parentZoneId, node.entityId);
        }
        stored.copyFrom(node);
        childrenByZone.computeIfAbsent(node.parentZoneId, (zone) -> new LongHashSet()).add(node.entityId);
    }

    private void removeNode(final long entityId)
    {
        final NodeRecord stored = nodes.remove(entityId);
        if (null != stored)
        {
            removeChild(stored.parentZoneId, entityId);
        }

        final ArrayList<Edge> edges = edgesByEntity.remove(entityId);
        if (null != edges)
        {
            for (int i = 0, n = edges.size(); i < n; i++)
            {
                final Edge edge = edges.get(i);
                final long otherId = edge.fromId == entityId ? edge.toId : edge.fromId;
                removeFrom(otherId, edge);
            }
        }
    }

    private void removeChild(final long zoneId, final long entityId)
    {
        final LongHashSet children = childrenByZone.get(zoneId);
        if (null != children && children.remove(entityId) && children.isEmpty())
        {
            childrenByZone.remove(zoneId);
        }
    }

    private void addEdge(final Edge edge)
    {
        final ArrayList<Edge> fromEdges = edgesByEntity.computeIfAbsent(edge.fromId, (id) -> new ArrayList<>());
        if (!fromEdges.contains(edge))
        {
            fromEdges.add(edge);
            if (edge.toId != edge.fromId)
            {
                edgesByEntity.computeIfAbsent(edge.toId, (id) -> new ArrayList<>()).add(edge);
            }
        }
    }

    private void removeEdge(final Edge edge)
    {
        removeFrom(edge.fromId, edge);
        removeFrom(edge.toId, edge);
    }

    private void removeFrom(final long entityId, final Edge edge)
    {
        final ArrayList<Edge> edges = edgesByEntity.get(entityId);
        if (null != edges && edges.remove(edge) && edges.isEmpty())
        {
            edgesByEntity.remove(entityId);
        }
    }

    private void removeItem(final long itemId, final StowedItem item)
    {
        stowedItems.remove(itemId);
        final LongHashSet itemIds = itemsByOwner.get(item.ownerPlayerId);
        if (null != itemIds && itemIds.remove(itemId) && itemIds.isEmpty())
        {
            itemsByOwner.remove(item.ownerPlayerId);
        }
    }

    private void ensureOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("adapter is closed");
        }
    }

    private static final class Edge
    {
        final long fromId;
        final long toId;
        final EdgeKind kind;

        Edge(final long fromId, final long toId, final EdgeKind kind)
        {
            this.fromId = fromId;
            this.toId = toId;
            this.kind = kind;
        }

        @Override
        public boolean equals(final Object o)
        {
            if (!(o instanceof Edge))
            {
                return false;
            }
            final Edge other = (Edge)o;
            return fromId == other.fromId && toId == other.toId && kind == other.kind;
        }

        @Override
        public int hashCode()
        {
            return Objects.hash(fromId, toId, kind);
        }
    }

    private static final class StowedItem
    {
        final long ownerPlayerId;
        final long containerId;
        final NodeRecord node;

        StowedItem(final long ownerPlayerId, final long containerId, final NodeRecord node)
        {
            this.ownerPlayerId = ownerPlayerId;
            this.containerId = containerId;
            this.node = node;
        }
    }
}
