/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.persistence.rocksdb;

import io.orrery.core.persistence.PersistenceException;
import org.agrona.CloseHelper;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteOptions;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.orrery.persistence.rocksdb.RocksDbKeys.ID_LENGTH;

/**
 * The RocksDB database of a {@link RocksDbPersistenceAdapter}: its options (block cache, bloom filters, a prefix
 * extractor on the families read by prefix scans), its column families, the store format check, and the reopen after
 * a failed write. The handles it gives out are replaced by a reopen: ask for them on every call, never keep them.
 * <p>
 * Threading: the adapter's single caller thread.
 */
final class RocksDbDatabase implements AutoCloseable
{
    private static final byte[] FORMAT_KEY = "orrery.format".getBytes(StandardCharsets.US_ASCII);
    /**
     * Format 2 keys operations by (player, operation id). Stores of format 1 (operations keyed by a global id) are
     * not migrated: opening one fails rather than forget which operations were applied.
     */
    private static final String FORMAT = "2";
    private static final byte[] FORMAT_VALUE = FORMAT.getBytes(StandardCharsets.US_ASCII);
    private static final String[] FAMILIES = {
        "nodes", "zone_index", "edges_out", "edges_in", "stowed", "stowed_by_owner", "wallets", "reputation",
        "operations", "outbox", "departed" };
    private static final long BLOCK_CACHE_BYTES = 64L * 1024 * 1024;
    private static final double BLOOM_BITS_PER_KEY = 10;
    private static final double MEMTABLE_BLOOM_RATIO = 0.05;
    private static final long REOPEN_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);

    private final Path directory;
    private final String name;
    private final DBOptions dbOptions;
    private final LRUCache blockCache;
    private final BloomFilter bloomFilter;
    private final ColumnFamilyOptions pointOptions;
    private final ColumnFamilyOptions prefixOptions;
    private final List<ColumnFamilyHandle> handles = new ArrayList<>();
    private final List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
    // replaced by a reopen after a failed write (a full disk leaves RocksDB refusing writes until it is reopened)
    private RocksDB db;
    private ColumnFamilyHandle nodes;
    private ColumnFamilyHandle zoneIndex;
    private ColumnFamilyHandle edgesOut;
    private ColumnFamilyHandle edgesIn;
    private ColumnFamilyHandle stowed;
    private ColumnFamilyHandle stowedByOwner;
    private ColumnFamilyHandle wallets;
    private ColumnFamilyHandle reputation;
    private ColumnFamilyHandle operations;
    private ColumnFamilyHandle outbox;
    private ColumnFamilyHandle departed;
    private boolean writeFailed;
    private long nextReopenNs;
    private long reopens;
    private boolean closed;

    /**
     * Open (creating when missing) the database in an existing directory; on failure everything opened is closed.
     */
    RocksDbDatabase(final Path directory, final String name) throws RocksDBException
    {
        this.directory = directory;
        this.name = name;
        dbOptions = new DBOptions()
            .setCreateIfMissing(true)
            .setCreateMissingColumnFamilies(true)
            .setKeepLogFileNum(4);
        blockCache = new LRUCache(BLOCK_CACHE_BYTES);
        bloomFilter = new BloomFilter(BLOOM_BITS_PER_KEY);
        pointOptions = new ColumnFamilyOptions()
            .setTableFormatConfig(tableConfig())
            .setMemtablePrefixBloomSizeRatio(MEMTABLE_BLOOM_RATIO)
            .setMemtableWholeKeyFiltering(true);
        prefixOptions = new ColumnFamilyOptions()
            .setTableFormatConfig(tableConfig())
            .useFixedLengthPrefixExtractor(ID_LENGTH)
            .setMemtablePrefixBloomSizeRatio(MEMTABLE_BLOOM_RATIO);

        descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, pointOptions));
        for (final String family : FAMILIES)
        {
            descriptors.add(new ColumnFamilyDescriptor(
                family.getBytes(StandardCharsets.US_ASCII), isPrefixScanned(family) ? prefixOptions : pointOptions));
        }

        try
        {
            openDb();
        }
        catch (final RocksDBException | RuntimeException ex)
        {
            closeAll(db);
            throw ex;
        }
    }

    RocksDB db()
    {
        return db;
    }

    ColumnFamilyHandle nodes()
    {
        return nodes;
    }

    ColumnFamilyHandle zoneIndex()
    {
        return zoneIndex;
    }

    ColumnFamilyHandle edgesOut()
    {
        return edgesOut;
    }

    ColumnFamilyHandle edgesIn()
    {
        return edgesIn;
    }

    ColumnFamilyHandle stowed()
    {
        return stowed;
    }

    ColumnFamilyHandle stowedByOwner()
    {
        return stowedByOwner;
    }

    ColumnFamilyHandle wallets()
    {
        return wallets;
    }

    ColumnFamilyHandle reputation()
    {
        return reputation;
    }

    ColumnFamilyHandle operations()
    {
        return operations;
    }

    ColumnFamilyHandle outbox()
    {
        return outbox;
    }

    ColumnFamilyHandle departed()
    {
        return departed;
    }

    /**
     * @return times the database was reopened after a failed write.
     */
    long reopens()
    {
        return reopens;
    }

    /**
     * @throws IllegalStateException when closed; when a reopen failed earlier it is tried again (at most once a
     *                               second) or reported as unavailable.
     */
    void ensureOpen()
    {
        if (closed)
        {
            throw new IllegalStateException(name + " is closed");
        }
        if (null == db)
        {
            ensureWritable();
        }
    }

    /**
     * A write failed: the next write reopens the database first.
     */
    void onWriteFailure()
    {
        writeFailed = true;
    }

    /**
     * After a failed write (a full disk: RocksDB then refuses every write until it is reopened, even once space is
     * back) the next write reopens the database first, at most once a second; a reopen that fails is reported like
     * the write and tried again on a later call. What was acknowledged was synced before its call returned, so the
     * reopened database (WAL replayed) holds it; the failed write was never acknowledged and is retried by Scribe.
     */
    void ensureWritable()
    {
        if (!writeFailed)
        {
            return;
        }
        final long nowNs = System.nanoTime();
        if (nowNs - nextReopenNs < 0)
        {
            throw new PersistenceException(name + ": unavailable after a failed write, reopening in " +
                TimeUnit.NANOSECONDS.toMillis(nextReopenNs - nowNs) + " ms");
        }
        nextReopenNs = nowNs + REOPEN_INTERVAL_NS;
        closeHandles();
        if (null != db)
        {
            try
            {
                db.closeE();
            }
            catch (final RocksDBException ex)
            {
                // closing a database in its error state may fail; its files are released either way
            }
            db = null; // never call into a closed database: reads and writes wait for the reopen
        }
        try
        {
            openDb();
            writeFailed = false;
            reopens++;
        }
        catch (final RocksDBException ex)
        {
            throw new PersistenceException(name + ": reopen after a failed write failed", ex);
        }
    }

    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            closeAll(db);
        }
    }

    private void openDb() throws RocksDBException
    {
        final RocksDB opened = RocksDB.open(dbOptions, directory.toString(), descriptors, handles);
        db = opened;
        checkFormat(opened, handles.get(0));
        nodes = handles.get(1);
        zoneIndex = handles.get(2);
        edgesOut = handles.get(3);
        edgesIn = handles.get(4);
        stowed = handles.get(5);
        stowedByOwner = handles.get(6);
        wallets = handles.get(7);
        reputation = handles.get(8);
        operations = handles.get(9);
        outbox = handles.get(10);
        departed = handles.get(11);
    }

    private void closeAll(final RocksDB opened)
    {
        closeHandles();
        if (null != opened)
        {
            try
            {
                opened.closeE();
            }
            catch (final RocksDBException ex)
            {
                throw new PersistenceException(name + ": close failed", ex);
            }
            finally
            {
                closeOptions();
            }
        }
        else
        {
            closeOptions();
        }
    }

    private void closeHandles()
    {
        for (final ColumnFamilyHandle handle : handles)
        {
            handle.close();
        }
        handles.clear();
    }

    private void closeOptions()
    {
        CloseHelper.closeAll(pointOptions, prefixOptions, bloomFilter, blockCache, dbOptions);
    }

    private BlockBasedTableConfig tableConfig()
    {
        return new BlockBasedTableConfig()
            .setBlockCache(blockCache)
            .setFilterPolicy(bloomFilter)
            .setCacheIndexAndFilterBlocks(true);
    }

    /**
     * Families read by prefix scans (their first 8 key bytes): they get a prefix extractor and prefix blooms, so
     * that a seek for a prefix that has no keys (a leaf node's children) is mostly answered by a filter.
     */
    private static boolean isPrefixScanned(final String family)
    {
        return "zone_index".equals(family) || "edges_out".equals(family) || "edges_in".equals(family) ||
            "stowed_by_owner".equals(family);
    }

    private static void checkFormat(final RocksDB db, final ColumnFamilyHandle meta) throws RocksDBException
    {
        final byte[] format = db.get(meta, FORMAT_KEY);
        if (null == format)
        {
            try (WriteOptions options = new WriteOptions().setSync(true))
            {
                db.put(meta, options, FORMAT_KEY, FORMAT_VALUE);
            }
        }
        else if (!Arrays.equals(format, FORMAT_VALUE))
        {
            throw new PersistenceException(
                "unsupported store format " + new String(format, StandardCharsets.US_ASCII) + ", expected " + FORMAT +
                " (older formats are not migrated: start from an empty directory)");
        }
    }
}
