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
 * (moving nodes, so index entries are deleted and put) with edges added and removed, wallet and reputation changes
 * with their operation records, and replayed operations. Measured on the calling thread around the adapter's own
 * calls, after a warm-up. (Node removals, stow and unstow open RocksDB iterators, Java objects, per call: not
 * measured here.)
 */
class RocksDbAllocationTest
{
    private static final int NODES = 64;
    private static final int ROUNDS = 200;
    private static final int REPLAY_ROUNDS = 10_000; // reads only: cheap enough to warm up well
    private static final int WINDOWS = 5;
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
    private int round;

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
        final long bytes = steadyStateBytes(ROUNDS, () -> writeWorldBatch(round++));

        assertEquals(0, bytes, "bytes allocated by " + ROUNDS + " world batches");
        assertTrue(adapter.readNode(NODES, node));
        assertEquals(round - 1, node.y);
    }

    @Test
    void shouldAllocateNothingWhenChangingWalletsAndReputation()
    {
        final long bytes = steadyStateBytes(ROUNDS, this::changeBalances);

        assertEquals(0, bytes, "bytes allocated by " + ROUNDS + " wallet and reputation changes");
        assertEquals(round * 3, adapter.walletBalance(PLAYER_ID));
        assertEquals(round * 2, adapter.reputation(PLAYER_ID, 5));
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

        final long bytes = steadyStateBytes(REPLAY_ROUNDS, () -> adapter.stow(stowOp));

        assertEquals(0, bytes, "bytes allocated by " + REPLAY_ROUNDS + " replayed stows");
        assertEquals(OperationStatus.DUPLICATE, stowOp.status);
        assertTrue(adapter.isStowed(NODES));
    }

    /**
     * Run the call in windows of {@code rounds} (the first a warm-up) until a window allocates nothing, at most
     * {@link #WINDOWS} of them: a one-off allocation (the JIT, a class loaded late) passes, an allocation per call
     * shows in every window.
     *
     * @return the fewest bytes a measured window allocated.
     */
    private static long steadyStateBytes(final int rounds, final Runnable call)
    {
        for (int i = 0; i < rounds; i++)
        {
            call.run();
        }
        long fewest = Long.MAX_VALUE;
        for (int window = 0; window < WINDOWS && fewest > 0; window++)
        {
            final long before = AllocationMeter.threadAllocatedBytes();
            for (int i = 0; i < rounds; i++)
            {
                call.run();
            }
            final long bytes = AllocationMeter.threadAllocatedBytes() - before - AllocationMeter.readingOverheadBytes();
            fewest = Math.min(fewest, bytes);
        }
        return fewest;
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
        round++;
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
