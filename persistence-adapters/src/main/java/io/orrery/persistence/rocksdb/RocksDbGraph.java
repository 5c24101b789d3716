/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.persistence.rocksdb;

import io.orrery.core.persistence.EdgeKind;
import io.orrery.core.persistence.EntityGraphStore.EdgeHandler;
import io.orrery.core.persistence.EntityGraphStore.NodeHandler;
import io.orrery.core.persistence.NodeRecord;
import io.orrery.core.persistence.WorldBatch;
import io.orrery.persistence.NodeCodec;
import io.orrery.persistence.NodeRecords;
import io.orrery.persistence.ZoneTreeWalker;
import org.agrona.CloseHelper;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.LongArrayList;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

import static io.orrery.persistence.rocksdb.RocksDbKeys.ID_LENGTH;
import static io.orrery.persistence.rocksdb.RocksDbKeys.PAIR_LENGTH;
import static io.orrery.persistence.rocksdb.RocksDbKeys.VALUE_ORDER;

/**
 * The entity graph side of the RocksDB adapter: a {@link WorldBatch} written as one synced batch (node upserts that
 * move their zone index entry, explicit edges added and removed, node removals with every edge that touches them),
 * and the graph's reads: zone subtree, region and whole-world loads (prefix and range scans of the zone index through
 * a {@link ZoneTreeWalker}), a node's edges, node ids and count. A write skips nodes that are stowed or have departed
 * for a Global store elsewhere, so that a stale write-behind upsert does not resurrect them.
 * <p>
 * Threading: the adapter's single caller thread. A load keeps its zone index iterator in a field for the walker's
 * callbacks, so loads are not re-entrant.
 */
final class RocksDbGraph implements ZoneTreeWalker.GraphSource
{
    private final RocksDbRecords records;
    private final RocksDbDatabase database;
    private final ZoneTreeWalker walker = new ZoneTreeWalker(this);
    private final Long2LongHashMap upsertIndexById = new Long2LongHashMap(-1);
    private RocksIterator zoneIterator;

    RocksDbGraph(final RocksDbRecords records)
    {
        this.records = records;
        this.database = records.database();
    }

    void write(final WorldBatch worldBatch)
    {
        records.beginWrite();
        NodeRecords.validate(worldBatch);
        if (worldBatch.isEmpty())
        {
            return;
        }

        upsertIndexById.clear();
        RocksIterator outIterator = null;
        RocksIterator inIterator = null;
        try
        {
            putNodes(worldBatch);
            putEdges(worldBatch);

            final int removalCount = worldBatch.nodeRemovalCount();
            if (removalCount > 0)
            {
                outIterator = records.newPrefixIterator(database.edgesOut());
                inIterator = records.newPrefixIterator(database.edgesIn());
            }
            for (int i = 0; i < removalCount; i++)
            {
                final long entityId = worldBatch.nodeRemoval(i);
                final int upserted = (int)upsertIndexById.get(entityId);
                if (upserted >= 0)
                {
                    final NodeRecord node = worldBatch.nodeUpsert(upserted);
                    records.deleteNode(node.parentZoneId, node.x, entityId);
                }
                else if (records.readLocator(entityId))
                {
                    records.deleteNode(records.locatedParentZoneId(), records.locatedX(), entityId);
                }
                records.deleteStoredEdges(entityId, outIterator, inIterator);
                deleteBatchEdges(entityId, worldBatch);
            }

            records.commit();
        }
        catch (final RocksDBException ex)
        {
            throw records.writeFailed("write of " + worldBatch.size() + " entries", ex);
        }
        finally
        {
            records.endWrite();
            RocksDbRecords.closeIterators(outIterator, inIterator);
        }
    }

    int loadZoneSubtree(final long rootZoneId, final NodeHandler handler)
    {
        openZoneIterator();
        try
        {
            return walker.walkSubtree(rootZoneId, handler);
        }
        finally
        {
            closeZoneIterator();
        }
    }

    int loadRegion(
        final long zoneId,
        final long minX,
        final long minY,
        final long minZ,
        final long maxX,
        final long maxY,
        final long maxZ,
        final NodeHandler handler)
    {
        openZoneIterator();
        try
        {
            return walker.walkRegion(zoneId, minX, minY, minZ, maxX, maxY, maxZ, handler);
        }
        finally
        {
            closeZoneIterator();
        }
    }

    int loadAll(final NodeHandler handler)
    {
        openZoneIterator();
        try
        {
            return walker.walkAll(handler);
        }
        finally
        {
            closeZoneIterator();
        }
    }

    int loadEdges(final long entityId, final EdgeHandler handler)
    {
        database.ensureOpen();
        int count = 0;
        if (records.readLocator(entityId) && 0 != records.locatedParentZoneId())
        {
            handler.onEdge(entityId, records.locatedParentZoneId(), EdgeKind.IN_ZONE);
            count++;
        }

        final byte[] key = records.iteratorKey();
        try (RocksIterator iterator = records.newPrefixIterator(database.zoneIndex()))
        {
            for (records.seek(iterator, entityId); records.atPrefix(iterator, entityId); iterator.next())
            {
                handler.onEdge(records.keyId(PAIR_LENGTH), entityId, EdgeKind.IN_ZONE);
                count++;
            }
        }

        try (RocksIterator iterator = records.newPrefixIterator(database.edgesOut()))
        {
            for (records.seek(iterator, entityId); records.atPrefix(iterator, entityId); iterator.next())
            {
                handler.onEdge(entityId, records.keyId(ID_LENGTH + 1), EdgeKind.get(key[ID_LENGTH]));
                count++;
            }
        }

        try (RocksIterator iterator = records.newPrefixIterator(database.edgesIn()))
        {
            for (records.seek(iterator, entityId); records.atPrefix(iterator, entityId); iterator.next())
            {
                final long fromId = records.keyId(ID_LENGTH + 1);
                if (fromId != entityId)
                {
                    handler.onEdge(fromId, entityId, EdgeKind.get(key[ID_LENGTH]));
                    count++;
                }
            }
        }

        return count;
    }

    long nodeCount()
    {
        database.ensureOpen();
        long count = 0;
        try (RocksIterator iterator = records.newIterator(database.nodes()))
        {
            for (iterator.seekToFirst(); iterator.isValid(); iterator.next())
            {
                count++;
            }
        }
        return count;
    }

    @Override
    public boolean readNode(final long entityId, final NodeRecord into)
    {
        return records.readNode(entityId, into);
    }

    @Override
    public boolean containsNode(final long entityId)
    {
        return records.containsNode(entityId);
    }

    @Override
    public void forEachChild(final long zoneId, final NodeRecord scratch, final ZoneTreeWalker.NodeConsumer consumer)
    {
        final RocksIterator iterator = zoneIterator;
        for (records.seek(iterator, zoneId); records.atPrefix(iterator, zoneId); iterator.next())
        {
            final int length = records.value(iterator);
            NodeCodec.decode(records.keyId(PAIR_LENGTH), records.iteratorValueView(), 0, length, scratch);
            consumer.accept(scratch);
        }
        records.checkStatus(iterator);
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
        final RocksIterator iterator = zoneIterator;
        for (records.seek(iterator, zoneId, minX);
            records.atPrefix(iterator, zoneId) && records.keyId(ID_LENGTH) <= maxX;
            iterator.next())
        {
            final int length = records.value(iterator);
            final long y = records.iteratorValueView().getLong(NodeCodec.Y_OFFSET, VALUE_ORDER);
            final long z = records.iteratorValueView().getLong(NodeCodec.Z_OFFSET, VALUE_ORDER);
            if (y >= minY && y <= maxY && z >= minZ && z <= maxZ)
            {
                NodeCodec.decode(records.keyId(PAIR_LENGTH), records.iteratorValueView(), 0, length, scratch);
                consumer.accept(scratch);
            }
        }
        records.checkStatus(iterator);
    }

    @Override
    public void appendAllNodeIds(final LongArrayList out)
    {
        try (RocksIterator iterator = records.newIterator(database.nodes()))
        {
            for (iterator.seekToFirst(); iterator.isValid(); iterator.next())
            {
                iterator.key(records.iteratorKey());
                out.addLong(records.keyId(0));
            }
        }
    }

    /**
     * Put the batch's node upserts, moving the zone index entry of a node stored (or upserted earlier in the batch)
     * elsewhere; stowed and departed nodes are skipped.
     */
    private void putNodes(final WorldBatch worldBatch) throws RocksDBException
    {
        for (int i = 0, n = worldBatch.nodeUpsertCount(); i < n; i++)
        {
            final NodeRecord node = worldBatch.nodeUpsert(i);
            if (!records.isStowed(node.entityId) && !records.hasDeparted(node.entityId))
            {
                final int previous = (int)upsertIndexById.get(node.entityId);
                if (previous >= 0)
                {
                    final NodeRecord earlier = worldBatch.nodeUpsert(previous);
                    records.deleteZoneIndex(earlier.parentZoneId, earlier.x, earlier.entityId);
                }
                else if (records.readLocator(node.entityId))
                {
                    records.deleteZoneIndex(records.locatedParentZoneId(), records.locatedX(), node.entityId);
                }
                records.putNode(node);
                upsertIndexById.put(node.entityId, i);
            }
        }
    }

    /**
     * Put or delete the batch's explicit edges (IN_ZONE edges are implied by the nodes' parent zones).
     */
    private void putEdges(final WorldBatch worldBatch) throws RocksDBException
    {
        for (int i = 0, n = worldBatch.edgeCount(); i < n; i++)
        {
            final EdgeKind kind = worldBatch.edgeKind(i);
            if (NodeRecords.isExplicit(kind))
            {
                final long fromId = worldBatch.edgeFrom(i);
                final long toId = worldBatch.edgeTo(i);
                if (worldBatch.isEdgeRemoved(i))
                {
                    records.deleteEdge(fromId, kind.code(), toId);
                }
                else
                {
                    records.putEdge(fromId, kind.code(), toId);
                }
            }
        }
    }

    /**
     * Delete the edges this batch adds that touch an entity the same batch removes.
     */
    private void deleteBatchEdges(final long entityId, final WorldBatch worldBatch) throws RocksDBException
    {
        for (int i = 0, n = worldBatch.edgeCount(); i < n; i++)
        {
            final long fromId = worldBatch.edgeFrom(i);
            final long toId = worldBatch.edgeTo(i);
            if (!worldBatch.isEdgeRemoved(i) && (fromId == entityId || toId == entityId))
            {
                records.deleteEdge(fromId, worldBatch.edgeKind(i).code(), toId);
            }
        }
    }

    private void openZoneIterator()
    {
        database.ensureOpen();
        zoneIterator = records.newPrefixIterator(database.zoneIndex());
    }

    private void closeZoneIterator()
    {
        final RocksIterator iterator = zoneIterator;
        zoneIterator = null;
        CloseHelper.close(iterator);
    }
}
