/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.persistence.rocksdb;

import io.orrery.core.persistence.EdgeKind;
import io.orrery.core.persistence.NodeRecord;
import io.orrery.core.persistence.OperationStatus;
import io.orrery.core.persistence.StowOperation;
import io.orrery.core.persistence.WalletOperation;
import io.orrery.core.persistence.WorldBatch;
import io.orrery.test.AllocationMeter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The RocksDB adapter's write paths allocate nothing on the Java heap in steady state: batches of node upserts
 * (moving nodes, so index entries are deleted and put) with edges added and removed, and wallet and reputation
 * changes with their operation records, and replayed operations. Measured on the calling thread around the adapter's own calls, after a
 * warm-up. (Node removals, stow and unstow open RocksDB iterators, Java objects, per call: not measured here.)
 */
class RocksDbAllocationTest
{
    private static final int NODES = 64;
    private static final int ROUNDS = 200;
    private static final int REPLAY_WARM_UP_ROUNDS = 20_000; // reads only: cheap enough to warm up well
    private static final long ZONE_ID = 1;
    private static final long PLAYER_ID = 7;

    @TempDir
    Path directory;

    private RocksDbPersistenceAdapter adapter;
    private final WorldBatch batch = new WorldBatch(2 * NODES);
    private final WalletOperation walletOp = new WalletOperation();
    private final StowOperation stowOp = new StowOperation();
    private final NodeRecord node = new NodeRecord();
    private long nextOperationId = 1;

    @BeforeEach
    void before()
    {
        assertTrue(AllocationMeter.isSupported());
        adapter = RocksDbPersistenceAdapter.open(directory.resolve("store"));
    }

    @AfterEach
    void after()
    {
        adapter.close();
    }

    @Test
    void shouldAllocateNothingWhenWritingWorldBatches()
    {
        for (int round = 0; round < ROUNDS; round++)
        {
            writeWorldBatch(round);
        }

        final long before = AllocationMeter.threadAllocatedBytes();
        for (int round = ROUNDS; round < 2 * ROUNDS; round++)
        {
            writeWorldBatch(round);
        }
        final long bytes = AllocationMeter.threadAllocatedBytes() - before - AllocationMeter.readingOverheadBytes();

        assertEquals(0, bytes, "bytes allocated by " + ROUNDS + " world batches");
        assertTrue(adapter.readNode(NODES, node));
        assertEquals(2 * ROUNDS - 1, node.y);
    }

    @Test
    void shouldAllocateNothingWhenChangingWalletsAndReputation()
    {
        for (int round = 0; round < ROUNDS; round++)
        {
            changeBalances();
        }

        final long before = AllocationMeter.threadAllocatedBytes();
        for (int round = 0; round < ROUNDS; round++)
        {
            changeBalances();
        }
        final long bytes = AllocationMeter.threadAllocatedBytes() - before - AllocationMeter.readingOverheadBytes();

        assertEquals(0, bytes, "bytes allocated by " + ROUNDS + " wallet and reputation changes");
        assertEquals(2 * ROUNDS * 3, adapter.walletBalance(PLAYER_ID));
        assertEquals(2 * ROUNDS * 2, adapter.reputation(PLAYER_ID, 5));
    }

    @Test
    void shouldAllocateNothingWhenReplayingRecordedOutcomes()
    {
        writeWorldBatch(0);
        stowOp.reset();
        stowOp.operationId = nextOperationId++;
        stowOp.ownerPlayerId = PLAYER_ID;
        stowOp.entityId = NODES;
        adapter.stow(stowOp);
        assertEquals(OperationStatus.OK, stowOp.status);

        for (int round = 0; round < REPLAY_WARM_UP_ROUNDS; round++)
        {
            adapter.stow(stowOp);
        }
        final long before = AllocationMeter.threadAllocatedBytes();
        for (int round = 0; round < ROUNDS; round++)
        {
            adapter.stow(stowOp);
        }
        final long bytes = AllocationMeter.threadAllocatedBytes() - before - AllocationMeter.readingOverheadBytes();

        assertEquals(0, bytes, "bytes allocated by " + ROUNDS + " replayed stows");
        assertEquals(OperationStatus.DUPLICATE, stowOp.status);
        assertTrue(adapter.isStowed(NODES));
    }

    private void writeWorldBatch(final int round)
    {
        batch.clear();
        final NodeRecord zone = batch.addNodeUpsert();
        zone.reset();
        zone.entityId = ZONE_ID;
        zone.isZone = true;
        zone.radius = 10_000;
        for (int i = 2; i <= NODES; i++)
        {
            final NodeRecord upsert = batch.addNodeUpsert();
            upsert.reset();
            upsert.entityId = i;
            upsert.parentZoneId = ZONE_ID;
            upsert.x = (round * 7L + i) % 100; // moves: the old zone index entry is deleted
            upsert.y = round;
            upsert.componentStateLength = 8;
        }
        final boolean removed = (round & 1) == 1;
        for (int i = 2; i < 10; i++)
        {
            batch.addEdge(i, i + 1, EdgeKind.ATTACHED_TO, removed);
        }
        adapter.write(batch);
    }

    private void changeBalances()
    {
        walletOp.reset();
        walletOp.operationId = nextOperationId++;
        walletOp.playerId = PLAYER_ID;
        walletOp.delta = 3;
        adapter.changeWallet(walletOp);
        assertEquals(OperationStatus.OK, walletOp.status);

        walletOp.reset();
        walletOp.operationId = nextOperationId++;
        walletOp.playerId = PLAYER_ID;
        walletOp.factionId = 5;
        walletOp.delta = 2;
        adapter.changeReputation(walletOp);
        assertEquals(OperationStatus.OK, walletOp.status);
    }
}
