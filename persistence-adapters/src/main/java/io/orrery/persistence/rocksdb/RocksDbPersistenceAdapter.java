/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.persistence.rocksdb;

import io.orrery.core.persistence.EdgeKind;
import io.orrery.core.persistence.NodeRecord;
import io.orrery.core.persistence.OperationStatus;
import io.orrery.core.persistence.OperationType;
import io.orrery.core.persistence.PersistenceAdapter;
import io.orrery.core.persistence.PersistenceException;
import io.orrery.core.persistence.StowOperation;
import io.orrery.core.persistence.WalletOperation;
import io.orrery.core.persistence.WorldBatch;
import io.orrery.persistence.NodeCodec;
import io.orrery.persistence.NodeRecords;
import io.orrery.persistence.OperationOutcomes;
import io.orrery.persistence.OutboxGraph;
import io.orrery.persistence.ZoneTreeWalker;
import org.agrona.CloseHelper;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.LongArrayList;
import org.agrona.concurrent.UnsafeBuffer;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.orrery.persistence.rocksdb.RocksDbKeys.*;

/**
 * The embedded default store: RocksDB with one column family per kind of record (see {@link RocksDbKeys} for the
 * layouts) — the zone index that holds the nodes themselves, clustered by parent zone and x (zone subtree walks are
 * prefix scans, region loads are range scans over x with y and z filtered), node locators by id, edges (out and in),
 * stowed items (and by owner), wallets, reputation, operations (idempotency).
 * <p>
 * Every call that changes anything builds one {@link WriteBatch} across the column families and writes it with
 * {@code sync = true}: the batch is atomic, and durable when the call returns. Reads that a write depends on (the
 * old position of a node, to move its index entry) are done before the batch is written; the adapter is the only
 * writer of its directory (RocksDB's LOCK file enforces that across processes).
 * <p>
 * The database itself (options, column families, the store format, the reopen after a failed write) is a
 * {@link RocksDbDatabase}; this class maps records to keys and values and writes them.
 * <p>
 * It is also an {@link OutboxGraph} (column family {@code outbox}, keyed by player and operation id) for a shard whose
 * Global store is elsewhere: then its own Global store column families stay empty.
 * <p>
 * Threading: not thread safe; one caller thread at a time, as the SPI says.
 */
public final class RocksDbPersistenceAdapter implements PersistenceAdapter, OutboxGraph, ZoneTreeWalker.GraphSource
{
    static
    {
        RocksDB.loadLibrary();
    }

    private static final int VALUE_CAPACITY =
        Math.max(STOWED_HEADER_LENGTH, OUTBOX_HEADER_LENGTH) + NodeCodec.MAX_ENCODED_LENGTH;

    private final Path directory;
    private final String name;
    private final RocksDbDatabase database;
    private final WriteOptions syncWrite = new WriteOptions().setSync(true);
    private final ReadOptions readOptions = new ReadOptions();
    private final ReadOptions prefixReadOptions = new ReadOptions().setPrefixSameAsStart(true);
    private final WriteBatch batch = new WriteBatch();

    private final ByteBuffer writeKey = ByteBuffer.allocateDirect(MAX_KEY_LENGTH);
    private final UnsafeBuffer writeKeyView = new UnsafeBuffer(writeKey);
    private final ByteBuffer writeValue = ByteBuffer.allocateDirect(VALUE_CAPACITY);
    private final UnsafeBuffer writeValueView = new UnsafeBuffer(writeValue);
    private final ByteBuffer readKey = ByteBuffer.allocateDirect(32);
    private final UnsafeBuffer readKeyView = new UnsafeBuffer(readKey);
    private final ByteBuffer readValue = ByteBuffer.allocateDirect(VALUE_CAPACITY);
    private final UnsafeBuffer readValueView = new UnsafeBuffer(readValue);
    private final ByteBuffer seekKey = ByteBuffer.allocateDirect(MAX_KEY_LENGTH);
    private final UnsafeBuffer seekKeyView = new UnsafeBuffer(seekKey);
    private final byte[] iteratorKey = new byte[MAX_KEY_LENGTH];
    private final UnsafeBuffer iteratorKeyView = new UnsafeBuffer(iteratorKey);
    private final byte[] iteratorValue = new byte[VALUE_CAPACITY];
    private final UnsafeBuffer iteratorValueView = new UnsafeBuffer(iteratorValue);

    private final NodeRecord scratch = new NodeRecord();
    private final NodeRecord item = new NodeRecord();
    private final ZoneTreeWalker walker = new ZoneTreeWalker(this);
    private final LongArrayList ids = new LongArrayList();
    private final Long2LongHashMap upsertIndexById = new Long2LongHashMap(-1);
    private RocksIterator zoneIterator;
    private long locatedParentZoneId;
    private long locatedX;
    private boolean closed;

    private RocksDbPersistenceAdapter(final Path directory) throws RocksDBException
    {
        this.directory = directory;
        this.name = "rocksdb:" + directory;
        try
        {
            database = new RocksDbDatabase(directory, name);
        }
        catch (final RocksDBException | RuntimeException ex)
        {
            closeOptions();
            throw ex;
        }
    }

    /**
     * Open (creating when missing) the store in a directory.
     *
     * @param directory of the RocksDB files; created with its parents when missing.
     * @return the adapter; close it to release the directory.
     * @throws PersistenceException when the store cannot be opened (locked by another process, corrupt, ...).
     */
    public static RocksDbPersistenceAdapter open(final Path directory)
    {
        try
        {
            Files.createDirectories(directory);
            return new RocksDbPersistenceAdapter(directory);
        }
        catch (final IOException | RocksDBException ex)
        {
            throw new PersistenceException("cannot open RocksDB store in " + directory, ex);
        }
    }

    /**
     * @return the directory of the store.
     */
    public Path directory()
    {
        return directory;
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public void write(final WorldBatch worldBatch)
    {
        database.ensureOpen();
        database.ensureWritable();
        NodeRecords.validate(worldBatch);
        if (worldBatch.isEmpty())
        {
            return;
        }

        batch.clear();
        upsertIndexById.clear();
        RocksIterator outIterator = null;
        RocksIterator inIterator = null;
        try
        {
            for (int i = 0, n = worldBatch.nodeUpsertCount(); i < n; i++)
            {
                final NodeRecord node = worldBatch.nodeUpsert(i);
                if (!isStowedInternal(node.entityId) && !hasDeparted(node.entityId))
                {
                    final int previous = (int)upsertIndexById.get(node.entityId);
                    if (previous >= 0)
                    {
                        final NodeRecord earlier = worldBatch.nodeUpsert(previous);
                        deleteZoneIndex(earlier.parentZoneId, earlier.x, earlier.entityId);
                    }
                    else if (readLocator(node.entityId))
                    {
                        deleteZoneIndex(locatedParentZoneId, locatedX, node.entityId);
                    }
                    putNode(node);
                    upsertIndexById.put(node.entityId, i);
                }
            }

            for (int i = 0, n = worldBatch.edgeCount(); i < n; i++)
            {
                final EdgeKind kind = worldBatch.edgeKind(i);
                if (NodeRecords.isExplicit(kind))
                {
                    final long fromId = worldBatch.edgeFrom(i);
                    final long toId = worldBatch.edgeTo(i);
                    if (worldBatch.isEdgeRemoved(i))
                    {
                        deleteEdge(fromId, kind.code(), toId);
                    }
                    else
                    {
                        putEdge(fromId, kind.code(), toId);
                    }
                }
            }

            final int removalCount = worldBatch.nodeRemovalCount();
            if (removalCount > 0)
            {
                outIterator = database.db().newIterator(database.edgesOut(), prefixReadOptions);
                inIterator = database.db().newIterator(database.edgesIn(), prefixReadOptions);
            }
            for (int i = 0; i < removalCount; i++)
            {
                final long entityId = worldBatch.nodeRemoval(i);
                final int upserted = (int)upsertIndexById.get(entityId);
                if (upserted >= 0)
                {
                    final NodeRecord node = worldBatch.nodeUpsert(upserted);
                    deleteZoneIndex(node.parentZoneId, node.x, entityId);
                    deleteId(database.nodes(), entityId);
                }
                else if (readLocator(entityId))
                {
                    deleteZoneIndex(locatedParentZoneId, locatedX, entityId);
                    deleteId(database.nodes(), entityId);
                }
                deleteStoredEdges(entityId, outIterator, inIterator);
                deleteBatchEdges(entityId, worldBatch);
            }

            database.db().write(syncWrite, batch);
        }
        catch (final RocksDBException ex)
        {
            database.onWriteFailure();
            throw new PersistenceException(name + ": write of " + worldBatch.size() + " entries failed", ex);
        }
        finally
        {
            batch.clear();
            CloseHelper.closeAll(outIterator, inIterator);
        }
    }

    @Override
    public int loadZoneSubtree(final long rootZoneId, final NodeHandler handler)
    {
        database.ensureOpen();
        zoneIterator = database.db().newIterator(database.zoneIndex(), prefixReadOptions);
        try
        {
            return walker.walkSubtree(rootZoneId, handler);
        }
        finally
        {
            closeZoneIterator();
        }
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
        database.ensureOpen();
        zoneIterator = database.db().newIterator(database.zoneIndex(), prefixReadOptions);
        try
        {
            return walker.walkRegion(zoneId, minX, minY, minZ, maxX, maxY, maxZ, handler);
        }
        finally
        {
            closeZoneIterator();
        }
    }

    @Override
    public int loadAll(final NodeHandler handler)
    {
        database.ensureOpen();
        zoneIterator = database.db().newIterator(database.zoneIndex(), prefixReadOptions);
        try
        {
            return walker.walkAll(handler);
        }
        finally
        {
            closeZoneIterator();
        }
    }

    @Override
    public int loadEdges(final long entityId, final EdgeHandler handler)
    {
        database.ensureOpen();
        int count = 0;
        if (readLocator(entityId) && 0 != locatedParentZoneId)
        {
            handler.onEdge(entityId, locatedParentZoneId, EdgeKind.IN_ZONE);
            count++;
        }

        try (RocksIterator iterator = database.db().newIterator(database.zoneIndex(), prefixReadOptions))
        {
            putSortable(seekKeyView, 0, entityId);
            seekKey.clear().limit(ID_LENGTH);
            for (iterator.seek(seekKey); iterator.isValid(); iterator.next())
            {
                iterator.key(iteratorKey);
                if (getSortable(iteratorKeyView, 0) != entityId)
                {
                    break;
                }
                handler.onEdge(getSortable(iteratorKeyView, PAIR_LENGTH), entityId, EdgeKind.IN_ZONE);
                count++;
            }
        }

        try (RocksIterator iterator = database.db().newIterator(database.edgesOut(), prefixReadOptions))
        {
            putSortable(seekKeyView, 0, entityId);
            seekKey.clear().limit(ID_LENGTH);
            for (iterator.seek(seekKey); iterator.isValid(); iterator.next())
            {
                iterator.key(iteratorKey);
                if (getSortable(iteratorKeyView, 0) != entityId)
                {
                    break;
                }
                handler.onEdge(
                    entityId, getSortable(iteratorKeyView, ID_LENGTH + 1), EdgeKind.get(iteratorKey[ID_LENGTH]));
                count++;
            }
        }

        try (RocksIterator iterator = database.db().newIterator(database.edgesIn(), prefixReadOptions))
        {
            putSortable(seekKeyView, 0, entityId);
            seekKey.clear().limit(ID_LENGTH);
            for (iterator.seek(seekKey); iterator.isValid(); iterator.next())
            {
                iterator.key(iteratorKey);
                if (getSortable(iteratorKeyView, 0) != entityId)
                {
                    break;
                }
                final long fromId = getSortable(iteratorKeyView, ID_LENGTH + 1);
                if (fromId != entityId)
                {
                    handler.onEdge(fromId, entityId, EdgeKind.get(iteratorKey[ID_LENGTH]));
                    count++;
                }
            }
        }

        return count;
    }

    @Override
    public void stow(final StowOperation op)
    {
        database.ensureOpen();
        database.ensureWritable();
        NodeRecords.validate(op.node);
        batch.clear();
        try
        {
            if (replayed(op, OperationType.STOW))
            {
                return;
            }

            final int status;
            final boolean stored = readNode(op.entityId, scratch);
            if (isStowedInternal(op.entityId))
            {
                status = OperationStatus.CONFLICT;
            }
            else if (!stored && !NodeRecords.carriesState(op))
            {
                status = OperationStatus.NOT_FOUND;
            }
            else
            {
                if (stored)
                {
                    deleteZoneIndex(scratch.parentZoneId, scratch.x, op.entityId);
                    deleteId(database.nodes(), op.entityId);
                }
                try (RocksIterator outIterator = database.db().newIterator(database.edgesOut(), prefixReadOptions);
                    RocksIterator inIterator = database.db().newIterator(database.edgesIn(), prefixReadOptions))
                {
                    deleteStoredEdges(op.entityId, outIterator, inIterator);
                }
                putStowedItem(op.entityId, op.ownerPlayerId, op.containerId,
                    NodeRecords.carriesState(op) ? op.node : scratch);
                status = OperationStatus.OK;
            }

            putOperation(op.ownerPlayerId, op.operationId, status, 0, OperationType.STOW, OperationOutcomes.subject(op),
                0);
            database.db().write(syncWrite, batch);
            OperationOutcomes.complete(op, status);
        }
        catch (final RocksDBException ex)
        {
            database.onWriteFailure();
            throw new PersistenceException(name + ": stow " + op.operationId + " failed", ex);
        }
        finally
        {
            batch.clear();
        }
    }

    @Override
    public void unstow(final StowOperation op)
    {
        database.ensureOpen();
        database.ensureWritable();
        NodeRecords.validate(op.node);
        batch.clear();
        try
        {
            if (replayed(op, OperationType.UNSTOW))
            {
                return;
            }

            final int status;
            final long targetId = NodeRecords.unstowTargetId(op);
            final int length = get(database.stowed(), id(readKeyView, op.entityId));
            final long ownerPlayerId = RocksDB.NOT_FOUND == length ? 0 : readValueView.getLong(0, VALUE_ORDER);
            if (RocksDB.NOT_FOUND != length)
            {
                NodeCodec.decode(op.entityId, readValueView, STOWED_HEADER_LENGTH, length - STOWED_HEADER_LENGTH, item);
            }

            if (RocksDB.NOT_FOUND == length)
            {
                status = OperationStatus.NOT_FOUND;
            }
            else if (ownerPlayerId != op.ownerPlayerId)
            {
                status = OperationStatus.NOT_OWNER;
            }
            else if (containsNode(targetId) || (targetId != op.entityId && isStowedInternal(targetId)))
            {
                status = OperationStatus.CONFLICT;
            }
            else
            {
                deleteId(database.stowed(), op.entityId);
                writeKey.clear().limit(pair(writeKeyView, op.ownerPlayerId, op.entityId));
                batch.delete(database.stowedByOwner(), writeKey);
                NodeRecords.unstowNode(op, item, scratch);
                putNode(scratch);
                op.node.copyFrom(scratch); // the contract: an applied unstow returns the inserted node
                status = OperationStatus.OK;
            }

            putOperation(op.ownerPlayerId, op.operationId, status, 0, OperationType.UNSTOW,
                OperationOutcomes.subject(op), 0);
            database.db().write(syncWrite, batch);
            OperationOutcomes.complete(op, status);
        }
        catch (final RocksDBException ex)
        {
            database.onWriteFailure();
            throw new PersistenceException(name + ": unstow " + op.operationId + " failed", ex);
        }
        finally
        {
            batch.clear();
        }
    }

    @Override
    public void changeWallet(final WalletOperation op)
    {
        database.ensureOpen();
        database.ensureWritable();
        batch.clear();
        try
        {
            if (replayed(op, OperationType.WALLET))
            {
                return;
            }

            final long balance = readLong(database.wallets(), id(readKeyView, op.playerId));
            final int status = OperationOutcomes.balanceChange(balance, op.delta, false);
            final long value = OperationOutcomes.valueAfter(status, balance, op.delta);
            if (OperationStatus.OK == status)
            {
                putLong(database.wallets(), id(writeKeyView, op.playerId), value);
            }

            putOperation(op.playerId, op.operationId, status, value, OperationType.WALLET,
                OperationOutcomes.subject(op, OperationType.WALLET), op.delta);
            database.db().write(syncWrite, batch);
            OperationOutcomes.complete(op, status, value);
        }
        catch (final RocksDBException ex)
        {
            database.onWriteFailure();
            throw new PersistenceException(name + ": wallet change " + op.operationId + " failed", ex);
        }
        finally
        {
            batch.clear();
        }
    }

    @Override
    public void changeReputation(final WalletOperation op)
    {
        database.ensureOpen();
        database.ensureWritable();
        batch.clear();
        try
        {
            if (replayed(op, OperationType.REPUTATION))
            {
                return;
            }

            final long standing = readLong(database.reputation(), RocksDbKeys.reputation(readKeyView, op.playerId, op.factionId));
            final int status = OperationOutcomes.balanceChange(standing, op.delta, true);
            final long value = OperationOutcomes.valueAfter(status, standing, op.delta);
            if (OperationStatus.OK == status)
            {
                putLong(database.reputation(), RocksDbKeys.reputation(writeKeyView, op.playerId, op.factionId), value);
            }

            putOperation(op.playerId, op.operationId, status, value, OperationType.REPUTATION,
                OperationOutcomes.subject(op, OperationType.REPUTATION), op.delta);
            database.db().write(syncWrite, batch);
            OperationOutcomes.complete(op, status, value);
        }
        catch (final RocksDBException ex)
        {
            database.onWriteFailure();
            throw new PersistenceException(name + ": database.reputation() change " + op.operationId + " failed", ex);
        }
        finally
        {
            batch.clear();
        }
    }

    @Override
    public long walletBalance(final long playerId)
    {
        database.ensureOpen();
        return readLong(database.wallets(), id(readKeyView, playerId));
    }

    @Override
    public long reputation(final long playerId, final int factionId)
    {
        database.ensureOpen();
        return readLong(database.reputation(), RocksDbKeys.reputation(readKeyView, playerId, factionId));
    }

    @Override
    public int loadStowedItems(final long ownerPlayerId, final StowedItemHandler handler)
    {
        database.ensureOpen();
        ids.clear();
        try (RocksIterator iterator = database.db().newIterator(database.stowedByOwner(), prefixReadOptions))
        {
            putSortable(seekKeyView, 0, ownerPlayerId);
            seekKey.clear().limit(ID_LENGTH);
            for (iterator.seek(seekKey); iterator.isValid(); iterator.next())
            {
                iterator.key(iteratorKey);
                if (getSortable(iteratorKeyView, 0) != ownerPlayerId)
                {
                    break;
                }
                ids.addLong(getSortable(iteratorKeyView, ID_LENGTH));
            }
        }

        int count = 0;
        for (int i = 0, n = ids.size(); i < n; i++)
        {
            final long itemId = ids.getLong(i);
            final int length = get(database.stowed(), id(readKeyView, itemId));
            if (RocksDB.NOT_FOUND != length)
            {
                NodeCodec.decode(itemId, readValueView, STOWED_HEADER_LENGTH, length - STOWED_HEADER_LENGTH, scratch);
                handler.onItem(
                    itemId,
                    readValueView.getLong(0, VALUE_ORDER),
                    readValueView.getLong(ID_LENGTH, VALUE_ORDER),
                    scratch);
                count++;
            }
        }

        return count;
    }

    @Override
    public boolean isStowed(final long itemId)
    {
        database.ensureOpen();
        return isStowedInternal(itemId);
    }

    @Override
    public int recordedOutcome(final StowOperation op, final int type)
    {
        database.ensureOpen(); // a read: allowed while the disk is full
        return replayed(op, type) ? op.status : OperationStatus.PENDING;
    }

    @Override
    public long nodeCount()
    {
        database.ensureOpen();
        long count = 0;
        try (RocksIterator iterator = database.db().newIterator(database.nodes(), readOptions))
        {
            for (iterator.seekToFirst(); iterator.isValid(); iterator.next())
            {
                count++;
            }
        }
        return count;
    }

    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            try
            {
                database.close();
            }
            finally
            {
                closeOptions();
            }
        }
    }

    @Override
    public int moveToOutbox(final StowOperation op, final NodeRecord item)
    {
        database.ensureOpen();
        database.ensureWritable();
        NodeRecords.validate(op.node);
        batch.clear();
        try
        {
            final boolean stored = readNode(op.entityId, scratch);
            final boolean carriesState = NodeRecords.carriesState(op);
            if (!stored && !carriesState)
            {
                return OutboxGraph.NOT_PRESENT;
            }
            if (stored)
            {
                deleteZoneIndex(scratch.parentZoneId, scratch.x, op.entityId);
                deleteId(database.nodes(), op.entityId);
            }
            try (RocksIterator outIterator = database.db().newIterator(database.edgesOut(), prefixReadOptions);
                RocksIterator inIterator = database.db().newIterator(database.edgesIn(), prefixReadOptions))
            {
                deleteStoredEdges(op.entityId, outIterator, inIterator);
                keepEdgesInOutbox(op.ownerPlayerId, op.operationId, op.entityId, outIterator, inIterator);
            }
            item.copyFrom(carriesState ? op.node : scratch);
            putOutboxEntry(OutboxGraph.STOW | (stored ? OUTBOX_WAS_IN_GRAPH : 0), op.ownerPlayerId, op.operationId,
                op.entityId, op.containerId, item);
            put(database.departed(), id(writeKeyView, op.entityId), 0);
            database.db().write(syncWrite, batch);
            return stored ? OutboxGraph.MOVED_FROM_GRAPH : OutboxGraph.MOVED_FROM_OPERATION;
        }
        catch (final RocksDBException ex)
        {
            database.onWriteFailure();
            throw new PersistenceException(name + ": stow " + op.operationId + " to the database.outbox() failed", ex);
        }
        finally
        {
            batch.clear();
        }
    }

    @Override
    public void putUnstowEntry(final StowOperation op)
    {
        database.ensureOpen();
        database.ensureWritable();
        NodeRecords.validate(op.node);
        batch.clear();
        try
        {
            putOutboxEntry(OutboxGraph.UNSTOW, op.ownerPlayerId, op.operationId, op.entityId, 0, op.node);
            database.db().write(syncWrite, batch);
        }
        catch (final RocksDBException ex)
        {
            database.onWriteFailure();
            throw new PersistenceException(name + ": unstow " + op.operationId + " to the database.outbox() failed", ex);
        }
        finally
        {
            batch.clear();
        }
    }

    @Override
    public void insertFromOutbox(final long playerId, final long operationId, final NodeRecord node)
    {
        database.ensureOpen();
        database.ensureWritable();
        NodeRecords.validate(node);
        batch.clear();
        try
        {
            if (readLocator(node.entityId))
            {
                deleteZoneIndex(locatedParentZoneId, locatedX, node.entityId);
            }
            putNode(node);
            deleteId(database.departed(), node.entityId);
            deleteOutboxEntry(playerId, operationId, true, node.entityId);
            database.db().write(syncWrite, batch);
        }
        catch (final RocksDBException ex)
        {
            database.onWriteFailure();
            throw new PersistenceException(name + ": insert from the database.outbox() failed", ex);
        }
        finally
        {
            batch.clear();
        }
    }

    @Override
    public void removeOutboxEntry(final long playerId, final long operationId)
    {
        database.ensureOpen();
        database.ensureWritable();
        batch.clear();
        try
        {
            deleteOutboxEntry(playerId, operationId, false, 0);
            database.db().write(syncWrite, batch);
        }
        catch (final RocksDBException ex)
        {
            database.onWriteFailure();
            throw new PersistenceException(name + ": database.outbox() removal failed", ex);
        }
        finally
        {
            batch.clear();
        }
    }

    @Override
    public int forEachOutboxEntry(final OutboxEntryHandler handler)
    {
        database.ensureOpen();
        final List<byte[]> keys = new ArrayList<>();
        final List<byte[]> values = new ArrayList<>();
        try (RocksIterator iterator = database.db().newIterator(database.outbox(), readOptions))
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
            checkStatus(iterator);
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
        putSortable(seekKeyView, 0, entityId);
        seekKey.clear().limit(ID_LENGTH);
        for (outIterator.seek(seekKey); outIterator.isValid(); outIterator.next())
        {
            outIterator.key(iteratorKey);
            if (getSortable(iteratorKeyView, 0) != entityId)
            {
                break;
            }
            put(database.outbox(), outboxEdge(writeKeyView, playerId, operationId,
                entityId, iteratorKey[ID_LENGTH], getSortable(iteratorKeyView, ID_LENGTH + 1)), 0);
        }

        putSortable(seekKeyView, 0, entityId);
        seekKey.clear().limit(ID_LENGTH);
        for (inIterator.seek(seekKey); inIterator.isValid(); inIterator.next())
        {
            inIterator.key(iteratorKey);
            if (getSortable(iteratorKeyView, 0) != entityId)
            {
                break;
            }
            final long fromId = getSortable(iteratorKeyView, ID_LENGTH + 1);
            if (fromId != entityId) // a loop was kept with the outgoing edges
            {
                put(database.outbox(), outboxEdge(writeKeyView, playerId, operationId,
                    fromId, iteratorKey[ID_LENGTH], entityId), 0);
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
        writeKey.clear().limit(pair(writeKeyView, playerId, operationId));
        batch.delete(database.outbox(), writeKey);

        pair(seekKeyView, playerId, operationId);
        seekKey.clear().limit(PAIR_LENGTH);
        try (RocksIterator iterator = database.db().newIterator(database.outbox(), readOptions))
        {
            for (iterator.seek(seekKey); iterator.isValid(); iterator.next())
            {
                final int length = iterator.key(iteratorKey);
                if (length < PAIR_LENGTH || getSortable(iteratorKeyView, 0) != playerId ||
                    getSortable(iteratorKeyView, ID_LENGTH) != operationId)
                {
                    break;
                }
                if (OUTBOX_EDGE_LENGTH != length)
                {
                    continue;
                }
                final long fromId = getSortable(iteratorKeyView, PAIR_LENGTH);
                final int kindCode = iteratorKey[PAIR_LENGTH + ID_LENGTH];
                final long toId = getSortable(iteratorKeyView, PAIR_LENGTH + ID_LENGTH + 1);
                writeKey.clear().limit(OUTBOX_EDGE_LENGTH);
                writeKeyView.putBytes(0, iteratorKey, 0, OUTBOX_EDGE_LENGTH);
                batch.delete(database.outbox(), writeKey);
                if (restore)
                {
                    final long otherId = fromId == restoredId ? toId : fromId;
                    if (otherId == restoredId || readLocator(otherId))
                    {
                        putEdge(fromId, kindCode, toId);
                    }
                }
            }
            checkStatus(iterator);
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
        writeValueView.putInt(OUTBOX_KIND_OFFSET, kind, VALUE_ORDER);
        writeValueView.putLong(OUTBOX_ITEM_ID_OFFSET, itemId, VALUE_ORDER);
        writeValueView.putLong(OUTBOX_CONTAINER_ID_OFFSET, containerId, VALUE_ORDER);
        writeValueView.putLong(OUTBOX_NODE_ID_OFFSET, node.entityId, VALUE_ORDER);
        final int length = OUTBOX_HEADER_LENGTH + NodeCodec.encode(node, writeValueView, OUTBOX_HEADER_LENGTH);
        put(database.outbox(), pair(writeKeyView, playerId, operationId), length);
    }

    @Override
    public boolean readNode(final long entityId, final NodeRecord into)
    {
        if (!readLocator(entityId))
        {
            return false;
        }
        final int length = get(database.zoneIndex(), RocksDbKeys.zoneIndex(readKeyView, locatedParentZoneId, locatedX, entityId));
        if (RocksDB.NOT_FOUND == length)
        {
            throw new IllegalStateException(name + ": node " + entityId + " has a locator but no zone index entry");
        }
        NodeCodec.decode(entityId, readValueView, 0, length, into);
        return true;
    }

    @Override
    public boolean containsNode(final long entityId)
    {
        return RocksDB.NOT_FOUND != get(database.nodes(), id(readKeyView, entityId));
    }

    @Override
    public void forEachChild(final long zoneId, final NodeRecord scratch, final ZoneTreeWalker.NodeConsumer consumer)
    {
        final RocksIterator iterator = zoneIterator;
        putSortable(seekKeyView, 0, zoneId);
        seekKey.clear().limit(ID_LENGTH);
        for (iterator.seek(seekKey); iterator.isValid(); iterator.next())
        {
            iterator.key(iteratorKey);
            if (getSortable(iteratorKeyView, 0) != zoneId)
            {
                break;
            }
            final int length = iterator.value(iteratorValue);
            NodeCodec.decode(getSortable(iteratorKeyView, PAIR_LENGTH), iteratorValueView, 0, length, scratch);
            consumer.accept(scratch);
        }
        checkStatus(iterator);
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
        putSortable(seekKeyView, 0, zoneId);
        putSortable(seekKeyView, ID_LENGTH, minX);
        seekKey.clear().limit(PAIR_LENGTH);
        for (iterator.seek(seekKey); iterator.isValid(); iterator.next())
        {
            iterator.key(iteratorKey);
            if (getSortable(iteratorKeyView, 0) != zoneId || getSortable(iteratorKeyView, ID_LENGTH) > maxX)
            {
                break;
            }
            final int length = iterator.value(iteratorValue);
            final long y = iteratorValueView.getLong(NodeCodec.Y_OFFSET, VALUE_ORDER);
            final long z = iteratorValueView.getLong(NodeCodec.Z_OFFSET, VALUE_ORDER);
            if (y >= minY && y <= maxY && z >= minZ && z <= maxZ)
            {
                NodeCodec.decode(getSortable(iteratorKeyView, PAIR_LENGTH), iteratorValueView, 0, length, scratch);
                consumer.accept(scratch);
            }
        }
        checkStatus(iterator);
    }

    private void checkStatus(final RocksIterator iterator)
    {
        try
        {
            iterator.status();
        }
        catch (final RocksDBException ex)
        {
            throw new PersistenceException(name + ": zone index scan failed", ex);
        }
    }

    @Override
    public void appendAllNodeIds(final LongArrayList out)
    {
        try (RocksIterator iterator = database.db().newIterator(database.nodes(), readOptions))
        {
            for (iterator.seekToFirst(); iterator.isValid(); iterator.next())
            {
                iterator.key(iteratorKey);
                out.addLong(getSortable(iteratorKeyView, 0));
            }
        }
    }

    @Override
    public String toString()
    {
        return name;
    }

    private boolean replayed(final StowOperation op, final int type)
    {
        if (RocksDB.NOT_FOUND == get(database.operations(), pair(readKeyView, op.ownerPlayerId, op.operationId)))
        {
            return false;
        }
        if (isRecordedReplay(type, OperationOutcomes.subject(op), 0))
        {
            OperationOutcomes.replay(op, recordedStatus(), recordedValue());
        }
        else
        {
            OperationOutcomes.conflict(op);
        }
        return true;
    }

    private boolean replayed(final WalletOperation op, final int type)
    {
        if (RocksDB.NOT_FOUND == get(database.operations(), pair(readKeyView, op.playerId, op.operationId)))
        {
            return false;
        }
        if (isRecordedReplay(type, OperationOutcomes.subject(op, type), op.delta))
        {
            OperationOutcomes.replay(op, recordedStatus(), recordedValue());
        }
        else
        {
            OperationOutcomes.conflict(op);
        }
        return true;
    }

    /**
     * @return whether the operation record just read (into {@link #readValueView}) is of this kind, subject and delta.
     */
    private boolean isRecordedReplay(final int type, final long subject, final long delta)
    {
        return OperationOutcomes.isReplay(
            readValueView.getInt(OPERATION_TYPE_OFFSET, VALUE_ORDER),
            readValueView.getLong(OPERATION_SUBJECT_OFFSET, VALUE_ORDER),
            readValueView.getLong(OPERATION_DELTA_OFFSET, VALUE_ORDER),
            type, subject, delta);
    }

    private int recordedStatus()
    {
        return readValueView.getInt(OPERATION_STATUS_OFFSET, VALUE_ORDER);
    }

    private long recordedValue()
    {
        return readValueView.getLong(OPERATION_VALUE_OFFSET, VALUE_ORDER);
    }

    /**
     * @return whether the entity left this graph for a Global store elsewhere (and has not come back): a stale
     * write-behind upsert must not resurrect it.
     */
    private boolean hasDeparted(final long entityId)
    {
        return RocksDB.NOT_FOUND != get(database.departed(), id(readKeyView, entityId));
    }

    private boolean isStowedInternal(final long itemId)
    {
        return RocksDB.NOT_FOUND != get(database.stowed(), id(readKeyView, itemId));
    }

    private int get(final ColumnFamilyHandle family, final int keyLength)
    {
        readKey.clear().limit(keyLength);
        readValue.clear();
        try
        {
            return database.db().get(family, readOptions, readKey, readValue);
        }
        catch (final RocksDBException ex)
        {
            throw new PersistenceException(name + ": read failed", ex);
        }
    }

    private long readLong(final ColumnFamilyHandle family, final int keyLength)
    {
        return RocksDB.NOT_FOUND == get(family, keyLength) ? 0 : readValueView.getLong(0, VALUE_ORDER);
    }

    /**
     * Read a node's locator (parent zone and x, the rest of its key in the zone index) into
     * {@link #locatedParentZoneId} and {@link #locatedX}.
     *
     * @return whether the node is stored.
     */
    private boolean readLocator(final long entityId)
    {
        if (RocksDB.NOT_FOUND == get(database.nodes(), id(readKeyView, entityId)))
        {
            return false;
        }
        locatedParentZoneId = readValueView.getLong(0, VALUE_ORDER);
        locatedX = readValueView.getLong(ID_LENGTH, VALUE_ORDER);
        return true;
    }

    private void putNode(final NodeRecord node) throws RocksDBException
    {
        writeValueView.putLong(0, node.parentZoneId, VALUE_ORDER);
        writeValueView.putLong(ID_LENGTH, node.x, VALUE_ORDER);
        put(database.nodes(), id(writeKeyView, node.entityId), LOCATOR_LENGTH);

        final int valueLength = NodeCodec.encode(node, writeValueView, 0);
        put(database.zoneIndex(), RocksDbKeys.zoneIndex(writeKeyView, node.parentZoneId, node.x, node.entityId), valueLength);
    }

    private void putStowedItem(final long itemId, final long ownerPlayerId, final long containerId,
        final NodeRecord item) throws RocksDBException
    {
        writeValueView.putLong(0, ownerPlayerId, VALUE_ORDER);
        writeValueView.putLong(ID_LENGTH, containerId, VALUE_ORDER);
        final int length = STOWED_HEADER_LENGTH + NodeCodec.encode(item, writeValueView, STOWED_HEADER_LENGTH);
        put(database.stowed(), id(writeKeyView, itemId), length);
        put(database.stowedByOwner(), pair(writeKeyView, ownerPlayerId, itemId), 0);
    }

    private void putOperation(
        final long playerId,
        final long operationId,
        final int status,
        final long value,
        final int type,
        final long subject,
        final long delta) throws RocksDBException
    {
        writeValueView.putInt(OPERATION_STATUS_OFFSET, status, VALUE_ORDER);
        writeValueView.putLong(OPERATION_VALUE_OFFSET, value, VALUE_ORDER);
        writeValueView.putInt(OPERATION_TYPE_OFFSET, type, VALUE_ORDER);
        writeValueView.putLong(OPERATION_SUBJECT_OFFSET, subject, VALUE_ORDER);
        writeValueView.putLong(OPERATION_DELTA_OFFSET, delta, VALUE_ORDER);
        put(database.operations(), pair(writeKeyView, playerId, operationId), OPERATION_VALUE_LENGTH);
    }

    private void putLong(final ColumnFamilyHandle family, final int keyLength, final long value)
        throws RocksDBException
    {
        writeValueView.putLong(0, value, VALUE_ORDER);
        put(family, keyLength, ID_LENGTH);
    }

    private void put(final ColumnFamilyHandle family, final int keyLength, final int valueLength)
        throws RocksDBException
    {
        writeKey.clear().limit(keyLength);
        writeValue.clear().limit(valueLength);
        batch.put(family, writeKey, writeValue);
    }

    private void deleteId(final ColumnFamilyHandle family, final long id) throws RocksDBException
    {
        writeKey.clear().limit(id(writeKeyView, id));
        batch.delete(family, writeKey);
    }

    private void deleteZoneIndex(final long parentZoneId, final long x, final long entityId) throws RocksDBException
    {
        writeKey.clear().limit(RocksDbKeys.zoneIndex(writeKeyView, parentZoneId, x, entityId));
        batch.delete(database.zoneIndex(), writeKey);
    }

    private void putEdge(final long fromId, final int kindCode, final long toId) throws RocksDBException
    {
        put(database.edgesOut(), edge(writeKeyView, fromId, kindCode, toId), 0);
        put(database.edgesIn(), edge(writeKeyView, toId, kindCode, fromId), 0);
    }

    private void deleteEdge(final long fromId, final int kindCode, final long toId) throws RocksDBException
    {
        writeKey.clear().limit(edge(writeKeyView, fromId, kindCode, toId));
        batch.delete(database.edgesOut(), writeKey);
        writeKey.clear().limit(edge(writeKeyView, toId, kindCode, fromId));
        batch.delete(database.edgesIn(), writeKey);
    }

    /**
     * Delete every stored edge that touches the entity, in both directions, reading through iterators that see the
     * store as it was before this call's batch.
     */
    private void deleteStoredEdges(final long entityId, final RocksIterator outIterator, final RocksIterator inIterator)
        throws RocksDBException
    {
        putSortable(seekKeyView, 0, entityId);
        seekKey.clear().limit(ID_LENGTH);
        for (outIterator.seek(seekKey); outIterator.isValid(); outIterator.next())
        {
            outIterator.key(iteratorKey);
            if (getSortable(iteratorKeyView, 0) != entityId)
            {
                break;
            }
            deleteEdge(entityId, iteratorKey[ID_LENGTH], getSortable(iteratorKeyView, ID_LENGTH + 1));
        }

        seekKey.clear().limit(ID_LENGTH);
        for (inIterator.seek(seekKey); inIterator.isValid(); inIterator.next())
        {
            inIterator.key(iteratorKey);
            if (getSortable(iteratorKeyView, 0) != entityId)
            {
                break;
            }
            deleteEdge(getSortable(iteratorKeyView, ID_LENGTH + 1), iteratorKey[ID_LENGTH], entityId);
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
                deleteEdge(fromId, worldBatch.edgeKind(i).code(), toId);
            }
        }
    }

    private void closeZoneIterator()
    {
        final RocksIterator iterator = zoneIterator;
        zoneIterator = null;
        CloseHelper.close(iterator);
    }

    /**
     * @return times the database was reopened after a failed write.
     */
    public long reopens()
    {
        return database.reopens();
    }

    private void closeOptions()
    {
        CloseHelper.closeAll(batch, readOptions, prefixReadOptions, syncWrite);
    }
}
