/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.persistence.rocksdb;

import io.orrery.core.persistence.NodeRecord;
import io.orrery.core.persistence.OperationType;
import io.orrery.core.persistence.PersistenceAdapter;
import io.orrery.core.persistence.PersistenceException;
import io.orrery.core.persistence.StowOperation;
import io.orrery.core.persistence.WalletOperation;
import io.orrery.core.persistence.WorldBatch;
import io.orrery.persistence.OutboxGraph;
import io.orrery.persistence.ZoneTreeWalker;
import org.agrona.CloseHelper;
import org.agrona.collections.LongArrayList;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The embedded default store: RocksDB with one column family per kind of record (see {@link RocksDbKeys} for the
 * layouts) — the zone index that holds the nodes themselves, clustered by parent zone and x (zone subtree walks are
 * prefix scans, region loads are range scans over x with y and z filtered), node locators by id, edges (out and in),
 * stowed items (and by owner), wallets, reputation, operations (idempotency).
 * <p>
 * Every call that changes anything builds one {@link org.rocksdb.WriteBatch} across the column families and writes it
 * with {@code sync = true}: the batch is atomic, and durable when the call returns. Reads that a write depends on (the
 * old position of a node, to move its index entry) are done before the batch is written; the adapter is the only
 * writer of its directory (RocksDB's LOCK file enforces that across processes).
 * <p>
 * It is also an {@link OutboxGraph} (column family {@code outbox}, keyed by player and operation id) for a shard whose
 * Global store is elsewhere: then its own Global store column families stay empty.
 * <p>
 * This class is the public face; the work is done by package-private parts, one concern each:
 * <ul>
 *   <li>{@link RocksDbDatabase}: options, column families, the store format, the reopen after a failed write;</li>
 *   <li>{@link RocksDbKeys}: key and value layouts;</li>
 *   <li>{@link RocksDbRecords}: the reused buffers, the one write batch, single-record reads and writes, scans;</li>
 *   <li>{@link RocksDbGraph}: world batches and the graph's loads;</li>
 *   <li>{@link RocksDbGlobalStore}: stow, unstow, wallets, reputation, operation records (idempotency);</li>
 *   <li>{@link RocksDbOutbox}: the outbox of a shard whose Global store is elsewhere.</li>
 * </ul>
 * <p>
 * Threading: not thread safe; one caller thread at a time, as the SPI says.
 */
public final class RocksDbPersistenceAdapter implements PersistenceAdapter, OutboxGraph, ZoneTreeWalker.GraphSource
{
    static
    {
        RocksDB.loadLibrary();
    }

    private final Path directory;
    private final String name;
    private final RocksDbDatabase database;
    private final RocksDbRecords records;
    private final RocksDbGraph graph;
    private final RocksDbGlobalStore globalStore;
    private final RocksDbOutbox outbox;
    private boolean closed;

    private RocksDbPersistenceAdapter(final Path directory) throws RocksDBException
    {
        this.directory = directory;
        this.name = "rocksdb:" + directory;
        database = new RocksDbDatabase(directory, name);
        try
        {
            records = new RocksDbRecords(database, name);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(database);
            throw ex;
        }
        graph = new RocksDbGraph(records);
        globalStore = new RocksDbGlobalStore(records);
        outbox = new RocksDbOutbox(records);
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

    /**
     * @return times the database was reopened after a failed write.
     */
    public long reopens()
    {
        return database.reopens();
    }

    @Override
    public String name()
    {
        return name;
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Entity graph
    // ----------------------------------------------------------------------------------------------------------------

    @Override
    public void write(final WorldBatch worldBatch)
    {
        graph.write(worldBatch);
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
    public boolean readNode(final long entityId, final NodeRecord into)
    {
        return graph.readNode(entityId, into);
    }

    @Override
    public boolean containsNode(final long entityId)
    {
        return graph.containsNode(entityId);
    }

    @Override
    public void forEachChild(final long zoneId, final NodeRecord scratch, final ZoneTreeWalker.NodeConsumer consumer)
    {
        graph.forEachChild(zoneId, scratch, consumer);
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
        graph.forEachInRegion(zoneId, minX, minY, minZ, maxX, maxY, maxZ, scratch, consumer);
    }

    @Override
    public void appendAllNodeIds(final LongArrayList out)
    {
        graph.appendAllNodeIds(out);
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Global store
    // ----------------------------------------------------------------------------------------------------------------

    @Override
    public void stow(final StowOperation op)
    {
        globalStore.stow(op);
    }

    @Override
    public void unstow(final StowOperation op)
    {
        globalStore.unstow(op);
    }

    @Override
    public void changeWallet(final WalletOperation op)
    {
        globalStore.changeBalance(op, OperationType.WALLET);
    }

    @Override
    public void changeReputation(final WalletOperation op)
    {
        globalStore.changeBalance(op, OperationType.REPUTATION);
    }

    @Override
    public long walletBalance(final long playerId)
    {
        return globalStore.walletBalance(playerId);
    }

    @Override
    public long reputation(final long playerId, final int factionId)
    {
        return globalStore.reputation(playerId, factionId);
    }

    @Override
    public int loadStowedItems(final long ownerPlayerId, final StowedItemHandler handler)
    {
        return globalStore.loadStowedItems(ownerPlayerId, handler);
    }

    @Override
    public boolean isStowed(final long itemId)
    {
        return globalStore.isStowed(itemId);
    }

    @Override
    public int recordedOutcome(final StowOperation op, final int type)
    {
        return globalStore.recordedOutcome(op, type);
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Outbox
    // ----------------------------------------------------------------------------------------------------------------

    @Override
    public int moveToOutbox(final StowOperation op, final NodeRecord item)
    {
        return outbox.moveToOutbox(op, item);
    }

    @Override
    public void putUnstowEntry(final StowOperation op)
    {
        outbox.putUnstowEntry(op);
    }

    @Override
    public void insertFromOutbox(final long playerId, final long operationId, final NodeRecord node)
    {
        outbox.insertFromOutbox(playerId, operationId, node);
    }

    @Override
    public void removeOutboxEntry(final long playerId, final long operationId)
    {
        outbox.removeOutboxEntry(playerId, operationId);
    }

    @Override
    public int forEachOutboxEntry(final OutboxEntryHandler handler)
    {
        return outbox.forEachOutboxEntry(handler);
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
                records.close();
            }
        }
    }

    @Override
    public String toString()
    {
        return name;
    }
}
