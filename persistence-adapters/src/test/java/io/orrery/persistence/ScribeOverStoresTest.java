/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.persistence;

import io.orrery.core.persistence.EdgeKind;
import io.orrery.core.persistence.NodeRecord;
import io.orrery.core.persistence.OperationStatus;
import io.orrery.core.persistence.OperationType;
import io.orrery.core.persistence.PersistenceAdapter;
import io.orrery.core.persistence.Scribe;
import io.orrery.core.persistence.ScribeContext;
import io.orrery.persistence.rocksdb.RocksDbPersistenceAdapter;
import org.agrona.collections.Long2LongHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scribe (replication-core) writing through the real RocksDB adapter, consumer stepped on the test thread: coalesced
 * world changes, a stow that supersedes a pending upsert, wallet operations acknowledged only when durable, and all
 * of it still there after the store is closed and opened again.
 */
class ScribeOverStoresTest
{
    private static final long PLAYER = 9;

    @TempDir
    Path directory;

    @Test
    void shouldPersistCoalescedChangesAndOperationsWhenScribeWritesThroughRocksDb()
    {
        final Long2LongHashMap statusByOperation = new Long2LongHashMap(-1);
        final Long2LongHashMap valueByOperation = new Long2LongHashMap(-1);
        final NodeRecord node = new NodeRecord();

        try (PersistenceAdapter adapter = RocksDbPersistenceAdapter.open(directory.resolve("store"));
            Scribe scribe = Scribe.launch(new ScribeContext()
                .adapter(adapter)
                .useConsumerAgentInvoker(true)
                .ringSize(4096)
                .maxCoalescedEntities(512)
                .maxPendingOperations(64)))
        {
            for (int round = 0; round < 10; round++)
            {
                for (long id = 1; id <= 300; id++)
                {
                    node.reset();
                    node.entityId = id;
                    node.parentZoneId = id == 1 ? 0 : 1;
                    node.isZone = id == 1;
                    node.archetypeId = 3;
                    node.x = round * 1000 + id;
                    node.componentStateLength = 8;
                    node.componentState[0] = (byte)round;
                    offer(scribe, node);
                }
            }
            while (!scribe.offerEdge(2, 3, EdgeKind.CONTAINS, false))
            {
                scribe.invokeConsumer();
            }

            node.reset();
            node.entityId = 300;
            node.parentZoneId = 1;
            node.archetypeId = 3;
            node.x = 424242;
            while (!scribe.offerStow(1001, 1, PLAYER, 2, node))
            {
                scribe.invokeConsumer();
            }
            while (!scribe.offerWalletChange(1002, 2, PLAYER, 500))
            {
                scribe.invokeConsumer();
            }
            while (!scribe.offerWalletChange(1003, 3, PLAYER, -501))
            {
                scribe.invokeConsumer();
            }

            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (statusByOperation.size() < 3 && System.nanoTime() - deadlineNs < 0)
            {
                scribe.invokeConsumer();
                scribe.pollCompletions(
                    (type, operationId, correlationId, status, firstStatus, value) ->
                    {
                        statusByOperation.put(operationId, status);
                        valueByOperation.put(operationId, value);
                        assertEquals(operationId == 1001 ? OperationType.STOW : OperationType.WALLET, type);
                    },
                    16);
            }
            assertEquals(OperationStatus.OK, statusByOperation.get(1001));
            assertEquals(OperationStatus.OK, statusByOperation.get(1002));
            assertEquals(500, valueByOperation.get(1002));
            assertEquals(OperationStatus.INSUFFICIENT_FUNDS, statusByOperation.get(1003));
            assertTrue(scribe.awaitDurable(scribe.flushNow(), TimeUnit.SECONDS.toNanos(30)));
        }

        try (PersistenceAdapter reopened = RocksDbPersistenceAdapter.open(directory.resolve("store")))
        {
            assertEquals(299, reopened.nodeCount());
            final int[] count = new int[1];
            reopened.loadZoneSubtree(1, (n) ->
            {
                count[0]++;
                assertEquals(9000 + n.entityId, n.x, "last coalesced position of " + n.entityId);
                assertEquals(9, n.componentState[0]);
            });
            assertEquals(299, count[0]);
            assertTrue(reopened.isStowed(300));
            final Set<String> edges = new TreeSet<>();
            reopened.loadEdges(2, (from, to, kind) -> edges.add(from + ">" + to + ":" + kind));
            assertEquals(Set.of("2>1:IN_ZONE", "2>3:CONTAINS"), edges);
            assertEquals(500, reopened.walletBalance(PLAYER));
            assertFalse(reopened.isStowed(299));
        }
    }

    private static void offer(final Scribe scribe, final NodeRecord node)
    {
        while (!scribe.offerNodeUpsert(node))
        {
            scribe.invokeConsumer();
        }
    }
}
