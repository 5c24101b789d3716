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
 * A node is delivered as soon as its parent's children are scanned, and only its id is queued: scanning the
 * children of the queued ids in order delivers whole levels in order, so the source never has to read a node twice.
 * Each node has exactly one parent, so a walk from a root can only come back to a node through the root itself:
 * the root (or, for a region, its zone) is never followed as a child, which makes walks terminate even when a
 * caller has written a cycle into the zone tree. {@link #walkAll} also returns nodes whose parent is not stored
 * (orphans, each with its subtree) and nodes on cycles, so it returns every node exactly once.
 * <p>
 * Threading: not thread safe; one instance per adapter, used from the adapter's calling thread. Handlers must not
 * call back into the adapter during a walk.
 */
public final class ZoneTreeWalker
{
    /**
     * Receives nodes from a {@link GraphSource} scan; the record is reused.
     */
    @FunctionalInterface
    public interface NodeConsumer
    {
        void accept(NodeRecord node);
    }

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
         * Deliver every node whose parent zone is {@code zoneId}, read into {@code scratch}.
         */
        void forEachChild(long zoneId, NodeRecord scratch, NodeConsumer consumer);

        /**
         * Deliver every node whose parent zone is {@code zoneId} and whose position is inside the box (inclusive).
         */
        void forEachInRegion(
            long zoneId,
            long minX,
            long minY,
            long minZ,
            long maxX,
            long maxY,
            long maxZ,
            NodeRecord scratch,
            NodeConsumer consumer);

        /**
         * Append the ids of every stored node.
         */
        void appendAllNodeIds(LongArrayList out);
    }

    private final GraphSource source;
    private final NodeRecord record = new NodeRecord();
    private final LongArrayList queue = new LongArrayList();
    private final Emitter emitter = new Emitter();

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
     * Region load: the nodes of the zone inside the box, and their subtrees.
     *
     * @return number of nodes delivered.
     */
    public int walkRegion(
        final long zoneId,
        final long minX,
        final long minY,
        final long minZ,
        final long maxX,
        final long maxY,
        final long maxZ,
        final PersistenceAdapter.NodeHandler handler)
    {
        queue.clear();
        emitter.reset(handler, zoneId, null);
        if (minX <= maxX && minY <= maxY && minZ <= maxZ)
        {
            source.forEachInRegion(zoneId, minX, minY, minZ, maxX, maxY, maxZ, record, emitter);
            drain();
        }
        return emitter.count;
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
        queue.clear();
        emitter.reset(handler, rootId, visited);
        if ((null == visited || !visited.contains(rootId)) && source.readNode(rootId, record))
        {
            if (null != visited)
            {
                visited.add(rootId);
            }
            handler.onNode(record);
            emitter.count++;
        }

        source.forEachChild(rootId, record, emitter);
        drain();
        return emitter.count;
    }

    private void drain()
    {
        for (int i = 0; i < queue.size(); i++)
        {
            source.forEachChild(queue.getLong(i), record, emitter);
        }
        queue.clear();
    }

    /**
     * Delivers a scanned node unless it is the excluded root or already visited, and queues it for its children.
     */
    private final class Emitter implements NodeConsumer
    {
        private PersistenceAdapter.NodeHandler handler;
        private long excludedId;
        private LongHashSet visited;
        private int count;

        void reset(final PersistenceAdapter.NodeHandler handler, final long excludedId, final LongHashSet visited)
        {
            this.handler = handler;
            this.excludedId = excludedId;
            this.visited = visited;
            this.count = 0;
        }

        @Override
        public void accept(final NodeRecord node)
        {
            final long id = node.entityId;
            if (id == excludedId || (null != visited && !visited.add(id)))
            {
                return;
            }
            handler.onNode(node);
            count++;
            queue.addLong(id);
        }
    }
}
