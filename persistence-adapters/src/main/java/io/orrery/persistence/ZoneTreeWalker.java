/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.persistence;

import io.orrery.core.persistence.NodeRecord;
import io.orrery.core.persistence.PersistenceAdapter;
import org.agrona.collections.LongArrayList;
import org.agrona.collections.LongHashSet;

/**
 * Breadth-first walks of the zone tree over a {@link GraphSource} (a key-value store with a children index), so
 * that every load returns parents before children. Used by the in-memory and RocksDB adapters; PostgreSQL does the
 * same with recursive queries.
 * <p>
 * Each node has exactly one parent, so a walk from a root can only come back to a node through the root itself:
 * the root (or, for a region, its zone) is never followed as a child, which makes walks terminate even when a
 * caller has written a cycle into the zone tree. {@link #walkAll} also returns nodes whose parent is not stored
 * (orphans, each with its subtree) and nodes on cycles, so it returns every node exactly once.
 * <p>
 * Threading: not thread safe; one instance per adapter, used from the adapter's calling thread.
 */
public final class ZoneTreeWalker
{
    /**
     * What a walk reads.
     */
    public interface GraphSource
    {
        /**
         * @return whether the node is stored; when it is, {@code into} receives it.
         */
        boolean readNode(long entityId, NodeRecord into);

        /**
         * @return whether the node is stored.
         */
        boolean containsNode(long entityId);

        /**
         * Append the ids of the nodes whose parent zone is {@code zoneId}.
         */
        void appendChildren(long zoneId, LongArrayList out);

        /**
         * Append the ids of every stored node.
         */
        void appendAllNodeIds(LongArrayList out);
    }

    private final GraphSource source;
    private final NodeRecord record = new NodeRecord();
    private final LongArrayList queue = new LongArrayList();

    public ZoneTreeWalker(final GraphSource source)
    {
        this.source = source;
    }

    /**
     * The root (when stored) and everything below it.
     *
     * @return number of nodes delivered.
     */
    public int walkSubtree(final long rootId, final PersistenceAdapter.NodeHandler handler)
    {
        return walkSubtree(rootId, handler, null);
    }

    /**
     * Region load: {@code topIds} (nodes of the zone that lie in the box) and their subtrees.
     *
     * @return number of nodes delivered.
     */
    public int walkRegion(final long zoneId, final LongArrayList topIds, final PersistenceAdapter.NodeHandler handler)
    {
        queue.clear();
        for (int i = 0, n = topIds.size(); i < n; i++)
        {
            queue.addLong(topIds.getLong(i));
        }
        return drain(zoneId, handler, null);
    }

    /**
     * Every node: the world root's subtree, then orphans' subtrees, then whatever sits on cycles.
     *
     * @return number of nodes delivered.
     */
    public int walkAll(final PersistenceAdapter.NodeHandler handler)
    {
        final LongHashSet visited = new LongHashSet();
        int count = walkSubtree(0, handler, visited);

        final LongArrayList allIds = new LongArrayList();
        source.appendAllNodeIds(allIds);
        final int total = allIds.size();
        if (visited.size() == total)
        {
            return count;
        }

        for (int i = 0; i < total; i++)
        {
            final long id = allIds.getLong(i);
            if (!visited.contains(id) && source.readNode(id, record) &&
                (record.parentZoneId == id || !source.containsNode(record.parentZoneId)))
            {
                count += walkSubtree(id, handler, visited);
            }
        }

        for (int i = 0; i < total && visited.size() < total; i++)
        {
            final long id = allIds.getLong(i);
            if (!visited.contains(id))
            {
                count += walkSubtree(id, handler, visited);
            }
        }

        return count;
    }

    private int walkSubtree(final long rootId, final PersistenceAdapter.NodeHandler handler, final LongHashSet visited)
    {
        int count = 0;
        if ((null == visited || !visited.contains(rootId)) && source.readNode(rootId, record))
        {
            if (null != visited)
            {
                visited.add(rootId);
            }
            handler.onNode(record);
            count++;
        }

        queue.clear();
        source.appendChildren(rootId, queue);
        return count + drain(rootId, handler, visited);
    }

    private int drain(final long excludedId, final PersistenceAdapter.NodeHandler handler, final LongHashSet visited)
    {
        int count = 0;
        for (int i = 0; i < queue.size(); i++)
        {
            final long id = queue.getLong(i);
            if (id == excludedId)
            {
                continue;
            }
            if (null != visited && !visited.add(id))
            {
                continue;
            }
            if (source.readNode(id, record))
            {
                handler.onNode(record);
                count++;
                source.appendChildren(id, queue);
            }
        }
        queue.clear();
        return count;
    }
}
