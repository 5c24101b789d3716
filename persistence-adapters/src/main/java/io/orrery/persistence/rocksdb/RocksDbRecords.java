/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.persistence.rocksdb;

import io.orrery.core.persistence.NodeRecord;
import io.orrery.core.persistence.PersistenceException;
import io.orrery.persistence.NodeCodec;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

import java.nio.ByteBuffer;

import static io.orrery.persistence.rocksdb.RocksDbKeys.*;

/**
 * The record layer the RocksDB adapter's graph, Global store and outbox sides share: the reused direct key and value
 * buffers, the one {@link WriteBatch} every call fills and writes synced, and the reads and writes of single records
 * (node locators and zone index entries, edges, stowed-item and departed markers) and of prefix scans. Nothing here
 * allocates once constructed.
 * <p>
 * A call that changes anything goes {@link #beginWrite()}, puts and deletes into the batch, {@link #commit()}, and
 * {@link #endWrite()} in a {@code finally}; a {@link RocksDBException} on the way becomes
 * {@link #writeFailed(String, RocksDBException)}, which makes the next write reopen the database (see
 * {@link RocksDbDatabase#ensureWritable()}). Column family handles are asked of the {@link RocksDbDatabase} on every
 * use, after {@link #beginWrite()}: a reopen replaces them.
 * <p>
 * Threading: the adapter's single caller thread; the buffers are shared by every call, so no call may be re-entered.
 */
final class RocksDbRecords implements AutoCloseable
{
    private static final int VALUE_CAPACITY =
        Math.max(STOWED_HEADER_LENGTH, OUTBOX_HEADER_LENGTH) + NodeCodec.MAX_ENCODED_LENGTH;

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

    private long locatedParentZoneId;
    private long locatedX;

    RocksDbRecords(final RocksDbDatabase database, final String name)
    {
        this.database = database;
        this.name = name;
    }

    RocksDbDatabase database()
    {
        return database;
    }

    String name()
    {
        return name;
    }

    // ----------------------------------------------------------------------------------------------------------------
    // The write cycle
    // ----------------------------------------------------------------------------------------------------------------

    /**
     * Start a call that writes: the database must be open and writable (a reopen after a failed write happens here),
     * and the batch empty.
     */
    void beginWrite()
    {
        database.ensureOpen();
        database.ensureWritable();
        batch.clear();
    }

    /**
     * Write the batch, synced: atomic, and durable when this returns.
     */
    void commit() throws RocksDBException
    {
        database.db().write(syncWrite, batch);
    }

    /**
     * Empty the batch; in the {@code finally} of every write.
     */
    void endWrite()
    {
        batch.clear();
    }

    /**
     * A write failed: the next one reopens the database first.
     *
     * @param what the call that failed, for the message ("stow 12").
     * @param ex   the cause.
     * @return the exception to throw.
     */
    PersistenceException writeFailed(final String what, final RocksDBException ex)
    {
        database.onWriteFailure();
        return new PersistenceException(name + ": " + what + " failed", ex);
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Point reads (into the read buffers)
    // ----------------------------------------------------------------------------------------------------------------

    UnsafeBuffer readKeyView()
    {
        return readKeyView;
    }

    UnsafeBuffer readValueView()
    {
        return readValueView;
    }

    /**
     * Read the value of the key in {@link #readKeyView()} into {@link #readValueView()}.
     *
     * @return the value's length, or {@link RocksDB#NOT_FOUND}.
     */
    int get(final ColumnFamilyHandle family, final int keyLength)
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

    /**
     * @return the long stored under the key in {@link #readKeyView()}, 0 when there is none.
     */
    long readLong(final ColumnFamilyHandle family, final int keyLength)
    {
        return RocksDB.NOT_FOUND == get(family, keyLength) ? 0 : readValueView.getLong(0, VALUE_ORDER);
    }

    /**
     * Read a node's locator (parent zone and x, the rest of its key in the zone index) into
     * {@link #locatedParentZoneId()} and {@link #locatedX()}.
     *
     * @return whether the node is stored.
     */
    boolean readLocator(final long entityId)
    {
        if (RocksDB.NOT_FOUND == get(database.nodes(), id(readKeyView, entityId)))
        {
            return false;
        }
        locatedParentZoneId = readValueView.getLong(0, VALUE_ORDER);
        locatedX = readValueView.getLong(ID_LENGTH, VALUE_ORDER);
        return true;
    }

    long locatedParentZoneId()
    {
        return locatedParentZoneId;
    }

    long locatedX()
    {
        return locatedX;
    }

    boolean readNode(final long entityId, final NodeRecord into)
    {
        if (!readLocator(entityId))
        {
            return false;
        }
        final int length = get(database.zoneIndex(), zoneIndex(readKeyView, locatedParentZoneId, locatedX, entityId));
        if (RocksDB.NOT_FOUND == length)
        {
            throw new IllegalStateException(name + ": node " + entityId + " has a locator but no zone index entry");
        }
        NodeCodec.decode(entityId, readValueView, 0, length, into);
        return true;
    }

    boolean containsNode(final long entityId)
    {
        return RocksDB.NOT_FOUND != get(database.nodes(), id(readKeyView, entityId));
    }

    boolean isStowed(final long itemId)
    {
        return RocksDB.NOT_FOUND != get(database.stowed(), id(readKeyView, itemId));
    }

    /**
     * @return whether the entity left this graph for a Global store elsewhere (and has not come back): a stale
     * write-behind upsert must not resurrect it.
     */
    boolean hasDeparted(final long entityId)
    {
        return RocksDB.NOT_FOUND != get(database.departed(), id(readKeyView, entityId));
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Writes into the batch (from the write buffers)
    // ----------------------------------------------------------------------------------------------------------------

    UnsafeBuffer writeKeyView()
    {
        return writeKeyView;
    }

    UnsafeBuffer writeValueView()
    {
        return writeValueView;
    }

    /**
     * Put the key in {@link #writeKeyView()} with the value in {@link #writeValueView()}.
     */
    void put(final ColumnFamilyHandle family, final int keyLength, final int valueLength) throws RocksDBException
    {
        writeKey.clear().limit(keyLength);
        writeValue.clear().limit(valueLength);
        batch.put(family, writeKey, writeValue);
    }

    void putLong(final ColumnFamilyHandle family, final int keyLength, final long value) throws RocksDBException
    {
        writeValueView.putLong(0, value, VALUE_ORDER);
        put(family, keyLength, ID_LENGTH);
    }

    /**
     * Delete the key in {@link #writeKeyView()}.
     */
    void delete(final ColumnFamilyHandle family, final int keyLength) throws RocksDBException
    {
        writeKey.clear().limit(keyLength);
        batch.delete(family, writeKey);
    }

    void deleteId(final ColumnFamilyHandle family, final long id) throws RocksDBException
    {
        delete(family, id(writeKeyView, id));
    }

    /**
     * Put a node: its locator and its zone index entry (the caller deletes an older entry of a moved node).
     */
    void putNode(final NodeRecord node) throws RocksDBException
    {
        writeValueView.putLong(0, node.parentZoneId, VALUE_ORDER);
        writeValueView.putLong(ID_LENGTH, node.x, VALUE_ORDER);
        put(database.nodes(), id(writeKeyView, node.entityId), LOCATOR_LENGTH);

        final int valueLength = NodeCodec.encode(node, writeValueView, 0);
        put(database.zoneIndex(), zoneIndex(writeKeyView, node.parentZoneId, node.x, node.entityId), valueLength);
    }

    void deleteZoneIndex(final long parentZoneId, final long x, final long entityId) throws RocksDBException
    {
        delete(database.zoneIndex(), zoneIndex(writeKeyView, parentZoneId, x, entityId));
    }

    /**
     * Delete a node: its zone index entry (at the position given) and its locator; not its edges.
     */
    void deleteNode(final long parentZoneId, final long x, final long entityId) throws RocksDBException
    {
        deleteZoneIndex(parentZoneId, x, entityId);
        deleteId(database.nodes(), entityId);
    }

    void putEdge(final long fromId, final int kindCode, final long toId) throws RocksDBException
    {
        put(database.edgesOut(), edge(writeKeyView, fromId, kindCode, toId), 0);
        put(database.edgesIn(), edge(writeKeyView, toId, kindCode, fromId), 0);
    }

    void deleteEdge(final long fromId, final int kindCode, final long toId) throws RocksDBException
    {
        delete(database.edgesOut(), edge(writeKeyView, fromId, kindCode, toId));
        delete(database.edgesIn(), edge(writeKeyView, toId, kindCode, fromId));
    }

    /**
     * Delete every stored edge that touches the entity, in both directions, reading through iterators (over
     * {@code edges_out} and {@code edges_in}) that see the store as it was before this call's batch.
     */
    void deleteStoredEdges(final long entityId, final RocksIterator outIterator, final RocksIterator inIterator)
        throws RocksDBException
    {
        for (seek(outIterator, entityId); atPrefix(outIterator, entityId); outIterator.next())
        {
            deleteEdge(entityId, iteratorKey[ID_LENGTH], keyId(ID_LENGTH + 1));
        }

        for (seek(inIterator, entityId); atPrefix(inIterator, entityId); inIterator.next())
        {
            deleteEdge(keyId(ID_LENGTH + 1), iteratorKey[ID_LENGTH], entityId);
        }
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Scans (keys and values copied into the iterator arrays)
    // ----------------------------------------------------------------------------------------------------------------

    /**
     * @return an iterator over a family read by prefix scans (its first 8 key bytes); the caller closes it.
     */
    RocksIterator newPrefixIterator(final ColumnFamilyHandle family)
    {
        return database.db().newIterator(family, prefixReadOptions);
    }

    /**
     * @return an iterator in total order over a family; the caller closes it.
     */
    RocksIterator newIterator(final ColumnFamilyHandle family)
    {
        return database.db().newIterator(family, readOptions);
    }

    /**
     * Close the two edge iterators a write opened, either of them null.
     */
    static void closeIterators(final RocksIterator first, final RocksIterator second)
    {
        try
        {
            CloseHelper.close(first);
        }
        finally
        {
            CloseHelper.close(second);
        }
    }

    /**
     * Seek to the first key that starts with an id.
     */
    void seek(final RocksIterator iterator, final long prefixId)
    {
        putSortable(seekKeyView, 0, prefixId);
        seekKey.clear().limit(ID_LENGTH);
        iterator.seek(seekKey);
    }

    /**
     * Seek to the first key at or after a pair of ids.
     */
    void seek(final RocksIterator iterator, final long first, final long second)
    {
        pair(seekKeyView, first, second);
        seekKey.clear().limit(PAIR_LENGTH);
        iterator.seek(seekKey);
    }

    /**
     * Copy the current key into {@link #iteratorKey()} when the iterator is valid.
     *
     * @return whether the iterator is at a key that starts with the id.
     */
    boolean atPrefix(final RocksIterator iterator, final long prefixId)
    {
        if (!iterator.isValid())
        {
            return false;
        }
        iterator.key(iteratorKey);
        return getSortable(iteratorKeyView, 0) == prefixId;
    }

    byte[] iteratorKey()
    {
        return iteratorKey;
    }

    /**
     * @return the id at an offset of the key last copied into {@link #iteratorKey()}.
     */
    long keyId(final int offset)
    {
        return getSortable(iteratorKeyView, offset);
    }

    /**
     * Copy the current value into {@link #iteratorValueView()}.
     *
     * @return its length.
     */
    int value(final RocksIterator iterator)
    {
        return iterator.value(iteratorValue);
    }

    UnsafeBuffer iteratorValueView()
    {
        return iteratorValueView;
    }

    /**
     * @throws PersistenceException when the scan stopped on an error rather than at its end.
     */
    void checkStatus(final RocksIterator iterator)
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
    public void close()
    {
        CloseHelper.closeAll(batch, readOptions, prefixReadOptions, syncWrite);
    }
}
