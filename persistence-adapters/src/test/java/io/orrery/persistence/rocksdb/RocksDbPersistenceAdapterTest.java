/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.persistence.rocksdb;

import io.orrery.core.persistence.NodeRecord;
import io.orrery.core.persistence.OperationStatus;
import io.orrery.core.persistence.PersistenceAdapter;
import io.orrery.core.persistence.PersistenceException;
import io.orrery.core.persistence.StowOperation;
import io.orrery.core.persistence.WalletOperation;
import io.orrery.core.persistence.WorldBatch;
import io.orrery.persistence.PersistenceAdapterContractTest;
import io.orrery.persistence.PersistenceAdapters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract against RocksDB in a fresh temporary directory per test, plus what only RocksDB can show.
 */
class RocksDbPersistenceAdapterTest extends PersistenceAdapterContractTest
{
    @TempDir
    Path directory;

    @Override
    protected PersistenceAdapter open()
    {
        return RocksDbPersistenceAdapter.open(directory.resolve("store"));
    }

    @Test
    void shouldRecoverAcknowledgedWritesWhenProcessDiesWithoutClose() throws IOException
    {
        write(zone(1, WORLD), node(10, 1, 1, 2, 3));
        final StowOperation stow = stowOp(10, PLAYER_A, 0);
        adapter.stow(stow);
        final WalletOperation credit = walletOp(PLAYER_A, 70);
        adapter.changeWallet(credit);

        // A copy of the live directory is what a crash leaves behind: the synced WAL, no flushed memtable.
        final Path crashed = directory.resolve("crashed");
        copyTree(directory.resolve("store"), crashed);
        Files.deleteIfExists(crashed.resolve("LOCK"));

        try (PersistenceAdapter recovered = RocksDbPersistenceAdapter.open(crashed))
        {
            assertEquals(1, recovered.nodeCount());
            assertTrue(recovered.isStowed(10));
            assertEquals(70, recovered.walletBalance(PLAYER_A));
            recovered.changeWallet(credit);
            assertEquals(OperationStatus.DUPLICATE, credit.status);
        }
    }

    @Test
    void shouldRefuseSecondOpenWhenStoreIsInUse()
    {
        final PersistenceException ex = assertThrows(
            PersistenceException.class, () -> RocksDbPersistenceAdapter.open(directory.resolve("store")));
        assertTrue(ex.getMessage().contains("cannot open"));
    }

    @Test
    void shouldRefuseStoreWhenItsFormatKeyedOperationsByGlobalId() throws Exception
    {
        final Path old = directory.resolve("format-1");
        Files.createDirectories(old);
        try (org.rocksdb.Options options = new org.rocksdb.Options().setCreateIfMissing(true);
            org.rocksdb.RocksDB db = org.rocksdb.RocksDB.open(options, old.toString()))
        {
            db.put("orrery.format".getBytes(StandardCharsets.US_ASCII), "1".getBytes(StandardCharsets.US_ASCII));
        }

        final PersistenceException ex = assertThrows(
            PersistenceException.class, () -> RocksDbPersistenceAdapter.open(old));
        assertTrue(ex.getMessage().contains("not migrated"), ex.getMessage());
    }

    @Test
    void shouldOpenRocksDbWhenUriNamesIt()
    {
        adapter.close();
        adapter = PersistenceAdapters.open("rocksdb:" + directory.resolve("store"));
        assertInstanceOf(RocksDbPersistenceAdapter.class, adapter);
        assertEquals("rocksdb:" + directory.resolve("store"), adapter.name());
    }

    @Test
    void shouldKeepZoneIndexConsistentWhenNodesMoveManyTimes()
    {
        final WorldBatch batch = new WorldBatch(64);
        for (int round = 0; round < 20; round++)
        {
            batch.clear();
            for (int i = 0; i < 32; i++)
            {
                batch.addNodeUpsert().copyFrom(node(100 + i, 1 + (round + i) % 3, round * 10 + i, i, -i));
            }
            adapter.write(batch);
        }

        int total = 0;
        for (int zone = 1; zone <= 3; zone++)
        {
            final List<NodeRecord> nodes = new ArrayList<>();
            total += adapter.loadZoneSubtree(zone, (n) -> nodes.add(new NodeRecord().copyFrom(n)));
            for (final NodeRecord node : nodes)
            {
                assertEquals(zone, node.parentZoneId);
                assertEquals(190 + node.entityId - 100, node.x);
            }
            assertEquals(nodes.size(), adapter.loadRegion(zone, 0, -100, -100, 1_000, 100, 100, (n) -> { }));
            assertEquals(0, adapter.loadRegion(zone, 0, -100, -100, 189, 100, 100, (n) -> { }));
        }
        assertEquals(32, total);
    }

    private static void copyTree(final Path from, final Path to) throws IOException
    {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from))
        {
            for (final Path file : (Iterable<Path>)files::iterator)
            {
                Files.copy(file, to.resolve(file.getFileName()));
            }
        }
    }
}
