/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.persistence;

/**
 * A reusable, pre-sized batch of EntityGraph changes, already coalesced (at most one entry per node id and per edge).
 * Scribe's consumer fills one and hands it to {@link PersistenceAdapter#write(WorldBatch)}; nothing here allocates
 * once constructed.
 */
public final class WorldBatch
{
    private final NodeRecord[] nodeUpserts;
    private int nodeUpsertCount;
    private final long[] nodeRemovals;
    private int nodeRemovalCount;
    private final long[] edgeFrom;
    private final long[] edgeTo;
    private final int[] edgeKind;
    private final boolean[] edgeRemoved;
    private int edgeCount;

    public WorldBatch(final int capacity)
    {
        nodeUpserts = new NodeRecord[capacity];
        for (int i = 0; i < capacity; i++)
        {
            nodeUpserts[i] = new NodeRecord();
        }
        nodeRemovals = new long[capacity];
        edgeFrom = new long[capacity];
        edgeTo = new long[capacity];
        edgeKind = new int[capacity];
        edgeRemoved = new boolean[capacity];
    }

    public int capacity()
    {
        return nodeRemovals.length;
    }

    public void clear()
    {
        nodeUpsertCount = 0;
        nodeRemovalCount = 0;
        edgeCount = 0;
    }

    public boolean isEmpty()
    {
        return nodeUpsertCount == 0 && nodeRemovalCount == 0 && edgeCount == 0;
    }

    /**
     * @return the next free node record to fill in, or null when the batch is full.
     */
    public NodeRecord addNodeUpsert()
    {
        return nodeUpsertCount < nodeUpserts.length ? nodeUpserts[nodeUpsertCount++].reset() : null;
    }

    /**
     * Remove the node upsert at {@code index} by moving the last upsert into its place (the order of entries in a
     * batch carries no meaning). Used by Scribe's coalescing to cancel a pending upsert without copying records.
     *
     * @param index of the upsert to remove, {@code 0 <= index < nodeUpsertCount()}.
     */
    public void removeNodeUpsert(final int index)
    {
        if (index < 0 || index >= nodeUpsertCount)
        {
            throw new IndexOutOfBoundsException("index=" + index + " count=" + nodeUpsertCount);
        }
        final int last = --nodeUpsertCount;
        if (index != last)
        {
            final NodeRecord removed = nodeUpserts[index];
            nodeUpserts[index] = nodeUpserts[last];
            nodeUpserts[last] = removed;
        }
    }

    public boolean addNodeRemoval(final long entityId)
    {
        if (nodeRemovalCount == nodeRemovals.length)
        {
            return false;
        }
        nodeRemovals[nodeRemovalCount++] = entityId;
        return true;
    }

    /**
     * Add an edge upsert ({@code removed == false}) or removal. IN_ZONE edges are implied by nodes: do not add them.
     */
    public boolean addEdge(final long fromId, final long toId, final EdgeKind kind, final boolean removed)
    {
        if (edgeCount == edgeFrom.length)
        {
            return false;
        }
        edgeFrom[edgeCount] = fromId;
        edgeTo[edgeCount] = toId;
        edgeKind[edgeCount] = kind.code();
        edgeRemoved[edgeCount] = removed;
        edgeCount++;
        return true;
    }

    /**
     * Turn the edge at {@code index} into an upsert ({@code false}) or a removal ({@code true}): the last change of
     * an edge wins when Scribe coalesces.
     */
    public void edgeRemoved(final int index, final boolean removed)
    {
        if (index < 0 || index >= edgeCount)
        {
            throw new IndexOutOfBoundsException("index=" + index + " count=" + edgeCount);
        }
        edgeRemoved[index] = removed;
    }

    public int nodeUpsertCount()
    {
        return nodeUpsertCount;
    }

    public NodeRecord nodeUpsert(final int index)
    {
        return nodeUpserts[index];
    }

    public int nodeRemovalCount()
    {
        return nodeRemovalCount;
    }

    public long nodeRemoval(final int index)
    {
        return nodeRemovals[index];
    }

    public int edgeCount()
    {
        return edgeCount;
    }

    public long edgeFrom(final int index)
    {
        return edgeFrom[index];
    }

    public long edgeTo(final int index)
    {
        return edgeTo[index];
    }

    public EdgeKind edgeKind(final int index)
    {
        return EdgeKind.get(edgeKind[index]);
    }

    public boolean isEdgeRemoved(final int index)
    {
        return edgeRemoved[index];
    }

    /**
     * @return total entries (node upserts, node removals, edges), the unit of write throughput.
     */
    public int size()
    {
        return nodeUpsertCount + nodeRemovalCount + edgeCount;
    }
}
