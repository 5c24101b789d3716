/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.persistence.rocksdb;

import io.orrery.core.persistence.NodeRecord;
import io.orrery.core.persistence.StowOperation;
import io.orrery.persistence.NodeCodec;
import io.orrery.persistence.NodeRecords;
import io.orrery.persistence.OutboxGraph;
import org.agrona.concurrent.UnsafeBuffer;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

import java.util.ArrayList;
import java.util.List;

import static io.orrery.persistence.rocksdb.RocksDbKeys.*;

/**
 * The outbox side of the RocksDB adapter (the {@link OutboxGraph} of a shard whose Global store is elsewhere): a STOW
 * entry written in the same synced batch that takes the node and its edges out of the graph (the edges kept with the
 * entry, under keys that sort right after it, and the node marked departed), an UNSTOW entry announced before the
 * withdrawal, the node inserted from an entry (with the kept edges whose other end is still a node), entries removed,
 * and the entries a crash left behind listed at open.
 * <p>
 * Threading: the adapter's single caller thread.
 */
final class RocksDbOutbox
{
    private final RocksDbRecords records;
    private final RocksDbDatabase database;
    private final UnsafeBuffer writeKey;
    private final UnsafeBuffer writeValue;
    private final NodeRecord scratch = new NodeRecord();

    RocksDbOutbox(final RocksDbRecords records)
    {
        this.records = records;
        this.database = records.database();
        writeKey = records.writeKeyView();
        writeValue = records.writeValueView();
    }

    int moveToOutbox(final StowOperation op, final NodeRecord item)
    {
        records.beginWrite();
        NodeRecords.validate(op.node);
        try
        {
            final boolean stored = records.readNode(op.entityId, scratch);
            final boolean carriesState = NodeRecords.carriesState(op);
            if (!stored && !carriesState)
            {
                return OutboxGraph.NOT_PRESENT;
            }
            if (stored)
            {
                records.deleteNode(scratch.parentZoneId, scratch.x, op.entityId);
            }
            try (RocksIterator outIterator = records.newPrefixIterator(database.edgesOut());
                RocksIterator inIterator = records.newPrefixIterator(database.edgesIn()))
            {
                records.deleteStoredEdges(op.entityId, outIterator, inIterator);
                keepEdgesInOutbox(op.ownerPlayerId, op.operationId, op.entityId, outIterator, inIterator);
            }
            item.copyFrom(carriesState ? op.node : scratch);
            putOutboxEntry(OutboxGraph.STOW | (stored ? OUTBOX_WAS_IN_GRAPH : 0), op.ownerPlayerId, op.operationId,
                op.entityId, op.containerId, item);
            records.put(database.departed(), id(writeKey, op.entityId), 0);
            records.commit();
            return stored ? OutboxGraph.MOVED_FROM_GRAPH : OutboxGraph.MOVED_FROM_OPERATION;
        }
        catch (final RocksDBException ex)
        {
            throw records.writeFailed("stow " + op.operationId + " to the outbox", ex);
        }
        finally
        {
            records.endWrite();
        }
    }

    void putUnstowEntry(final StowOperation op)
    {
        records.beginWrite();
        NodeRecords.validate(op.node);
        try
        {
            putOutboxEntry(OutboxGraph.UNSTOW, op.ownerPlayerId, op.operationId, op.entityId, 0, op.node);
            records.commit();
        }
        catch (final RocksDBException ex)
        {
            throw records.writeFailed("unstow " + op.operationId + " to the outbox", ex);
        }
        finally
        {
            records.endWrite();
        }
    }

    void insertFromOutbox(final long playerId, final long operationId, final NodeRecord node)
    {
        records.beginWrite();
        NodeRecords.validate(node);
        try
        {
            if (records.readLocator(node.entityId))
            {
                records.deleteZoneIndex(records.locatedParentZoneId(), records.locatedX(), node.entityId);
            }
            records.putNode(node);
            records.deleteId(database.departed(), node.entityId);
            deleteOutboxEntry(playerId, operationId, true, node.entityId);
            records.commit();
        }
        catch (final RocksDBException ex)
        {
            throw records.writeFailed("insert from the outbox", ex);
        }
        finally
        {
            records.endWrite();
        }
    }

    void removeOutboxEntry(final long playerId, final long operationId)
    {
        records.beginWrite();
        try
        {
            deleteOutboxEntry(playerId, operationId, false, 0);
            records.commit();
        }
        catch (final RocksDBException ex)
        {
            throw records.writeFailed("outbox removal", ex);
        }
        finally
        {
            records.endWrite();
        }
    }

    /**
     * Hand every entry to the handler. Runs when the adapter is opened (not on a hot path): the entries are copied
     * out first, so that the handler may write.
     */
    int forEachOutboxEntry(final OutboxGraph.OutboxEntryHandler handler)
    {
        database.ensureOpen();
        final List<byte[]> keys = new ArrayList<>();
        final List<byte[]> values = new ArrayList<>();
        try (RocksIterator iterator = records.newIterator(database.outbox()))
        {
            for (iterator.seekToFirst(); iterator.isValid(); iterator.next())
            {
                final byte[] key = iterator.key();
                if (PAIR_LENGTH == key.length) // not an edge kept with an entry
                {
                    keys.add(key);
                    values.add(iterator.value());
                }
            }
            records.checkStatus(iterator);
        }
        final NodeRecord node = new NodeRecord();
        for (int i = 0; i < keys.size(); i++)
        {
            final UnsafeBuffer key = new UnsafeBuffer(keys.get(i));
            final UnsafeBuffer value = new UnsafeBuffer(values.get(i));
            NodeCodec.decode(value.getLong(OUTBOX_NODE_ID_OFFSET, VALUE_ORDER), value, OUTBOX_HEADER_LENGTH,
                value.capacity() - OUTBOX_HEADER_LENGTH, node);
            final int kind = value.getInt(OUTBOX_KIND_OFFSET, VALUE_ORDER);
            handler.onEntry(kind & ~OUTBOX_WAS_IN_GRAPH, (kind & OUTBOX_WAS_IN_GRAPH) != 0, getSortable(key, 0),
                getSortable(key, ID_LENGTH), value.getLong(OUTBOX_ITEM_ID_OFFSET, VALUE_ORDER),
                value.getLong(OUTBOX_CONTAINER_ID_OFFSET, VALUE_ORDER), node);
        }
        return keys.size();
    }

    /**
     * Keep the stored edges that touch the entity with its STOW entry (read through iterators that see the store
     * as it was before this call's batch), so that a refused deposit puts them back with the node.
     */
    private void keepEdgesInOutbox(
        final long playerId,
        final long operationId,
        final long entityId,
        final RocksIterator outIterator,
        final RocksIterator inIterator) throws RocksDBException
    {
        final byte[] key = records.iteratorKey();
        for (records.seek(outIterator, entityId); records.atPrefix(outIterator, entityId); outIterator.next())
        {
            records.put(database.outbox(), outboxEdge(writeKey, playerId, operationId,
                entityId, key[ID_LENGTH], records.keyId(ID_LENGTH + 1)), 0);
        }

        for (records.seek(inIterator, entityId); records.atPrefix(inIterator, entityId); inIterator.next())
        {
            final long fromId = records.keyId(ID_LENGTH + 1);
            if (fromId != entityId) // a loop was kept with the outgoing edges
            {
                records.put(database.outbox(), outboxEdge(writeKey, playerId, operationId,
                    fromId, key[ID_LENGTH], entityId), 0);
            }
        }
    }

    /**
     * Delete an outbox entry and the edges kept with it; when {@code restore}, put back each kept edge whose other
     * end is a node of the graph (or the restored node {@code restoredId} itself).
     */
    private void deleteOutboxEntry(
        final long playerId, final long operationId, final boolean restore, final long restoredId)
        throws RocksDBException
    {
        records.delete(database.outbox(), pair(writeKey, playerId, operationId));

        final byte[] key = records.iteratorKey();
        try (RocksIterator iterator = records.newIterator(database.outbox()))
        {
            for (records.seek(iterator, playerId, operationId); iterator.isValid(); iterator.next())
            {
                final int length = iterator.key(key);
                if (length < PAIR_LENGTH || records.keyId(0) != playerId || records.keyId(ID_LENGTH) != operationId)
                {
                    break;
                }
                if (OUTBOX_EDGE_LENGTH != length)
                {
                    continue;
                }
                final long fromId = records.keyId(PAIR_LENGTH);
                final int kindCode = key[PAIR_LENGTH + ID_LENGTH];
                final long toId = records.keyId(PAIR_LENGTH + ID_LENGTH + 1);
                writeKey.putBytes(0, key, 0, OUTBOX_EDGE_LENGTH);
                records.delete(database.outbox(), OUTBOX_EDGE_LENGTH);
                if (restore)
                {
                    final long otherId = fromId == restoredId ? toId : fromId;
                    if (otherId == restoredId || records.readLocator(otherId))
                    {
                        records.putEdge(fromId, kindCode, toId);
                    }
                }
            }
            records.checkStatus(iterator);
        }
    }

    private void putOutboxEntry(
        final int kind,
        final long playerId,
        final long operationId,
        final long itemId,
        final long containerId,
        final NodeRecord node) throws RocksDBException
    {
        writeValue.putInt(OUTBOX_KIND_OFFSET, kind, VALUE_ORDER);
        writeValue.putLong(OUTBOX_ITEM_ID_OFFSET, itemId, VALUE_ORDER);
        writeValue.putLong(OUTBOX_CONTAINER_ID_OFFSET, containerId, VALUE_ORDER);
        writeValue.putLong(OUTBOX_NODE_ID_OFFSET, node.entityId, VALUE_ORDER);
        final int length = OUTBOX_HEADER_LENGTH + NodeCodec.encode(node, writeValue, OUTBOX_HEADER_LENGTH);
        records.put(database.outbox(), pair(writeKey, playerId, operationId), length);
    }
}
