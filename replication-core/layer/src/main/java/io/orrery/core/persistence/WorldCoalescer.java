/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.persistence;

import org.agrona.collections.Long2LongHashMap;

/**
 * Coalesces world changes into one pre-sized {@link WorldBatch}: at most one entry per node id and per edge, and a
 * batch whose entries can be applied in any order with the same result as applying the changes in ring order.
 * <ul>
 *     <li>A node upsert of a node with a pending upsert overwrites it in place (last state wins).</li>
 *     <li>A node removal cancels the node's pending upsert and is recorded (the node may already be stored).</li>
 *     <li>A node upsert of a node with a pending removal needs the removal written first (the store applies
 *     removals after upserts of the same id): {@link #FLUSH_FIRST}.</li>
 *     <li>An edge change overwrites a pending change of the same edge (last wins).</li>
 *     <li>Edges and node removals are never pending together (a removal drops the node's edges, so their relative
 *     order matters): the second kind to arrive gets {@link #FLUSH_FIRST}. Edges are rare.</li>
 *     <li>A full batch gets {@link #FLUSH_FIRST}: memory stays at the batch's capacity.</li>
 * </ul>
 * Maps are sized so that they never grow; nothing allocates after construction.
 * <p>
 * Threading: Scribe's consumer thread; while handed to the {@link WorldBatchWriter} (a volatile hand-off), the writer
 * reads its {@link #batch()} and the consumer only reads it ({@link #touches}, {@link #hasPendingChange}) until the
 * writer has released it.
 */
final class WorldCoalescer
{
    /** The change is a new entry in the batch. */
    static final int ADDED = 0;
    /** The change replaced or cancelled a pending one: one change fewer to write. */
    static final int COALESCED = 1;
    /** The batch must be written and cleared before this change can be taken; nothing changed. */
    static final int FLUSH_FIRST = 2;

    private static final long MISSING = -2;
    private static final long REMOVED = -1;
    private static final int CLEAR_BY_KEY_RATIO = 16;

    private final WorldBatch batch;
    private final Long2LongHashMap nodeSlots;
    private final Long2LongHashMap edgeSlots;

    WorldCoalescer(final int capacity)
    {
        batch = new WorldBatch(capacity);
        // Upserts and removals are bounded by capacity each: 2 x capacity keys, below the resize threshold.
        nodeSlots = new Long2LongHashMap(capacity * 4, 0.6f, MISSING);
        edgeSlots = new Long2LongHashMap(capacity * 2, 0.6f, MISSING);
    }

    WorldBatch batch()
    {
        return batch;
    }

    boolean isEmpty()
    {
        return batch.isEmpty();
    }

    int size()
    {
        return batch.size();
    }

    /**
     * Empty the batch and its indexes. A small batch removes its own keys: clearing the whole pre-sized maps costs a
     * fill of every slot (about 1.5 MiB at the default capacity), which would dominate small batches, e.g. the ones
     * written before an operation that depends on them.
     */
    void clear()
    {
        if (nodeSlots.size() * CLEAR_BY_KEY_RATIO < nodeSlots.capacity())
        {
            for (int i = 0, n = batch.nodeUpsertCount(); i < n; i++)
            {
                nodeSlots.remove(batch.nodeUpsert(i).entityId);
            }
            for (int i = 0, n = batch.nodeRemovalCount(); i < n; i++)
            {
                nodeSlots.remove(batch.nodeRemoval(i));
            }
        }
        else
        {
            nodeSlots.clear();
        }

        if (edgeSlots.size() * CLEAR_BY_KEY_RATIO < edgeSlots.capacity())
        {
            for (int i = 0, n = batch.edgeCount(); i < n; i++)
            {
                edgeSlots.remove(edgeKey(batch.edgeFrom(i), batch.edgeTo(i), batch.edgeKind(i).code()));
            }
        }
        else
        {
            edgeSlots.clear();
        }

        batch.clear();
    }

    int upsert(final NodeRecord node)
    {
        final long entityId = node.entityId;
        final long slot = nodeSlots.get(entityId);
        if (slot >= 0)
        {
            batch.nodeUpsert((int)slot).copyFrom(node);
            return COALESCED;
        }

        if (REMOVED == slot || batch.nodeUpsertCount() == batch.capacity())
        {
            return FLUSH_FIRST;
        }

        final int index = batch.nodeUpsertCount();
        batch.addNodeUpsert().copyFrom(node);
        nodeSlots.put(entityId, index);
        return ADDED;
    }

    int removal(final long entityId)
    {
        final long slot = nodeSlots.get(entityId);
        if (REMOVED == slot)
        {
            return COALESCED;
        }

        if (batch.edgeCount() > 0 || batch.nodeRemovalCount() == batch.capacity())
        {
            return FLUSH_FIRST;
        }

        batch.addNodeRemoval(entityId);
        nodeSlots.put(entityId, REMOVED);
        if (slot >= 0)
        {
            cancelUpsert((int)slot);
            return COALESCED;
        }

        return ADDED;
    }

    int edge(final long fromId, final long toId, final EdgeKind kind, final boolean removed)
    {
        if (batch.nodeRemovalCount() > 0)
        {
            return FLUSH_FIRST;
        }

        final long key = edgeKey(fromId, toId, kind.code());
        final long slot = edgeSlots.get(key);
        if (slot >= 0)
        {
            final int index = (int)slot;
            if (batch.edgeFrom(index) == fromId && batch.edgeTo(index) == toId && batch.edgeKind(index) == kind)
            {
                batch.edgeRemoved(index, removed);
                return COALESCED;
            }

            return FLUSH_FIRST; // a 64-bit hash collision between two different edges: write, then start afresh.
        }

        if (batch.edgeCount() == batch.capacity())
        {
            return FLUSH_FIRST;
        }

        final int index = batch.edgeCount();
        batch.addEdge(fromId, toId, kind, removed);
        edgeSlots.put(key, index);
        return ADDED;
    }

    /**
     * Drop the pending upsert of a node (it is about to be stowed: the stow carries its latest state).
     *
     * @return whether there was one.
     */
    boolean dropUpsert(final long entityId)
    {
        final long slot = nodeSlots.get(entityId);
        if (slot >= 0)
        {
            nodeSlots.remove(entityId);
            cancelUpsert((int)slot);
            return true;
        }

        return false;
    }

    /**
     * @return whether a change of the node is pending.
     */
    boolean hasPendingChange(final long entityId)
    {
        return nodeSlots.containsKey(entityId);
    }

    /**
     * Whether a pending change involves the node, so that its order relative to a stow or unstow of the node
     * matters: the node's own upsert or removal, an upsert of a node whose parent zone it is, or an edge from or to
     * it. Any other pending change commutes with moving the node between the graph and the Global store. A scan of
     * the pending upserts and edges (no allocation); called once per operation.
     *
     * @return whether one is pending.
     */
    boolean touches(final long entityId)
    {
        if (nodeSlots.containsKey(entityId))
        {
            return true;
        }
        for (int i = 0, n = batch.nodeUpsertCount(); i < n; i++)
        {
            if (batch.nodeUpsert(i).parentZoneId == entityId)
            {
                return true;
            }
        }
        for (int i = 0, n = batch.edgeCount(); i < n; i++)
        {
            if (batch.edgeFrom(i) == entityId || batch.edgeTo(i) == entityId)
            {
                return true;
            }
        }
        return false;
    }

    private void cancelUpsert(final int index)
    {
        batch.removeNodeUpsert(index);
        if (index < batch.nodeUpsertCount())
        {
            nodeSlots.put(batch.nodeUpsert(index).entityId, index); // the last upsert moved into the hole
        }
    }

    static long edgeKey(final long fromId, final long toId, final int kindCode)
    {
        long h = fromId * 0x9E3779B97F4A7C15L;
        h ^= Long.rotateLeft(toId * 0xC2B2AE3D27D4EB4FL, 31);
        h ^= kindCode * 0x165667B19E3779F9L;
        h ^= h >>> 29;
        h *= 0xBF58476D1CE4E5B9L;
        return h ^ (h >>> 32);
    }
}
