/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.persistence.postgres;

import io.orrery.core.persistence.EdgeKind;
import io.orrery.core.persistence.NodeRecord;
import io.orrery.core.persistence.OperationStatus;
import io.orrery.core.persistence.PersistenceAdapter;
import io.orrery.core.persistence.StowOperation;
import io.orrery.core.persistence.WorldBatch;
import io.orrery.persistence.OutboxGraph;
import io.orrery.persistence.OutboxPersistenceAdapter;
import io.orrery.persistence.PersistenceAdapterContractTest;
import io.orrery.persistence.rocksdb.RocksDbPersistenceAdapter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract for a shard whose graph is an embedded RocksDB and whose Global store is a PostgreSQL schema shared by
 * the deployment ({@link OutboxPersistenceAdapter}), plus what the outbox adds: an item left in flight by a crash at
 * either step is finished when the adapter opens again, in exactly one place.
 */
class OutboxAdapterContractTest extends PersistenceAdapterContractTest
{
    private static PostgresTestServer server;
    private static int counter;
    private String globalSchema;

    @TempDir
    Path directory;

    @BeforeAll
    static void startServer() throws IOException
    {
        server = PostgresTestServer.start();
    }

    @AfterAll
    static void stopServer() throws IOException
    {
        server.close();
    }

    @Override
    protected void newStore()
    {
        globalSchema = "orrery_outbox_" + ProcessHandle.current().pid() + "_" + (++counter);
    }

    @Override
    protected void dropStore()
    {
        server.execute("DROP SCHEMA IF EXISTS " + globalSchema + " CASCADE");
    }

    @Override
    protected PersistenceAdapter open()
    {
        return OutboxPersistenceAdapter.open(
            RocksDbPersistenceAdapter.open(directory.resolve("graph")), PostgresGlobalStore.open(global()));
    }

    private String global()
    {
        return server.url(globalSchema);
    }

    @Test
    void shouldFinishStowLeftInTheOutboxWhenReopened()
    {
        final NodeRecord ship = node(10, WORLD, 1, 2, 3);
        write(ship);
        final StowOperation stow = stowOp(10, PLAYER_A, 4, ship);
        final OutboxPersistenceAdapter outbox = (OutboxPersistenceAdapter)adapter;
        // the process dies after the graph step: the item is only in the outbox
        assertEquals(OutboxGraph.MOVED_FROM_GRAPH, outbox.graph().moveToOutbox(stow, new NodeRecord()));
        assertEquals(0, adapter.nodeCount());
        assertFalse(adapter.isStowed(10));

        reopen();
        assertEquals(1, ((OutboxPersistenceAdapter)adapter).relayed());
        assertTrue(adapter.isStowed(10));
        assertEquals(0, adapter.nodeCount());
        assertEquals(0, ((OutboxPersistenceAdapter)adapter).graph().forEachOutboxEntry(
            (kind, inGraph, player, operation, item, container, node) -> { }));

        // the client's retry of the stow is a replay
        final StowOperation retry = stowOp(10, PLAYER_A, 4, ship);
        retry.operationId = stow.operationId;
        adapter.stow(retry);
        assertEquals(OperationStatus.DUPLICATE, retry.status);
        assertEquals(OperationStatus.OK, retry.firstStatus);
    }

    @Test
    void shouldFinishStowWhoseDepositCommittedBeforeTheCrashWhenReopened()
    {
        final NodeRecord ship = node(10, WORLD, 1, 2, 3);
        write(ship);
        final StowOperation stow = stowOp(10, PLAYER_A, 4, ship);
        final OutboxPersistenceAdapter outbox = (OutboxPersistenceAdapter)adapter;
        assertEquals(OutboxGraph.MOVED_FROM_GRAPH, outbox.graph().moveToOutbox(stow, new NodeRecord()));
        outbox.global().deposit(stow, true);
        assertEquals(OperationStatus.OK, stow.status);
        // dies before the outbox entry is removed: in the outbox and in the Global store, one item in flight

        reopen();
        assertTrue(adapter.isStowed(10));
        assertEquals(0, adapter.nodeCount());
        assertEquals(0, ((OutboxPersistenceAdapter)adapter).graph().forEachOutboxEntry(
            (kind, inGraph, player, operation, item, container, node) -> { }));
    }

    @Test
    void shouldFinishUnstowWhoseWithdrawalCommittedBeforeTheCrashWhenReopened()
    {
        adapter.stow(stowOp(10, PLAYER_A, 0));
        assertTrue(adapter.isStowed(10));

        final StowOperation unstow = unstowOp(10, PLAYER_A, WORLD, 7, 8, 9);
        final OutboxPersistenceAdapter outbox = (OutboxPersistenceAdapter)adapter;
        outbox.graph().putUnstowEntry(unstow);
        outbox.global().withdraw(unstow, false, new NodeRecord());
        assertEquals(OperationStatus.OK, unstow.status);
        // dies here: the Global store gave the item up, the graph does not have it yet
        assertFalse(adapter.isStowed(10));
        assertEquals(0, adapter.nodeCount());

        reopen();
        assertFalse(adapter.isStowed(10));
        assertEquals(1, adapter.nodeCount());
        final NodeRecord back = find(10);
        assertNotNull(back);
        assertEquals(7, back.x);
        assertEquals(node(10, WORLD, 0, 0, 0).archetypeId, back.archetypeId);
    }

    @Test
    void shouldDropUnstowEntryWhenWithdrawalNeverHappened()
    {
        adapter.stow(stowOp(10, PLAYER_A, 0));
        final StowOperation unstow = unstowOp(10, PLAYER_B, WORLD, 7, 8, 9);
        ((OutboxPersistenceAdapter)adapter).graph().putUnstowEntry(unstow);

        reopen();
        // player B does not own it: the withdrawal is refused, the entry dropped, the item stays stowed
        assertTrue(adapter.isStowed(10));
        assertEquals(0, adapter.nodeCount());
        assertEquals(0, ((OutboxPersistenceAdapter)adapter).graph().forEachOutboxEntry(
            (kind, inGraph, player, operation, item, container, node) -> { }));
    }

    @Test
    void shouldPutNodeBackWhenDepositIsRefused()
    {
        adapter.stow(stowOp(10, PLAYER_A, 0));
        // the same id as a node of this shard (ids broken elsewhere): the deposit is refused, the node stays
        final NodeRecord clash = node(10, WORLD, 3, 3, 3);
        final OutboxGraph graph = ((OutboxPersistenceAdapter)adapter).graph();
        graph.insertFromOutbox(0, 0, clash);
        final StowOperation again = stowOp(10, PLAYER_B, 0, clash);
        adapter.stow(again);
        assertEquals(OperationStatus.CONFLICT, again.status);
        assertNotNull(find(10));
        assertEquals(1, ((OutboxPersistenceAdapter)adapter).compensated());
    }

    @Test
    void shouldPutNodeBackWithItsEdgesWhenDepositIsRefused()
    {
        writeShipWithEdges();
        stowOnAnotherShard(10);

        final StowOperation stow = stowOp(10, PLAYER_A, 4);
        stow.node.entityId = 0; // carries no state: the item is the stored node
        adapter.stow(stow);

        assertEquals(OperationStatus.CONFLICT, stow.status);
        assertEquals(1, ((OutboxPersistenceAdapter)adapter).compensated());
        assertNotNull(find(10));
        assertEquals(
            Set.of("10>1:IN_ZONE", "10>11:CONTAINS", "12>10:ATTACHED_TO", "10>13:CONTAINS"), edges(10));
        assertEquals(Set.of("11>1:IN_ZONE", "10>11:CONTAINS"), edges(11));
        assertEquals(Set.of("12>1:IN_ZONE", "12>10:ATTACHED_TO"), edges(12));
        assertEquals(0, ((OutboxPersistenceAdapter)adapter).graph().forEachOutboxEntry(
            (kind, inGraph, player, operation, item, container, node) -> { }));

        reopen(); // nothing left to finish, and the edges are stored
        assertEquals(0, ((OutboxPersistenceAdapter)adapter).relayed());
        assertEquals(
            Set.of("10>1:IN_ZONE", "10>11:CONTAINS", "12>10:ATTACHED_TO", "10>13:CONTAINS"), edges(10));
    }

    @Test
    void shouldPutNodeBackWithEdgesToNodesStillThereWhenDepositRefusedAfterCrash()
    {
        writeShipWithEdges();
        final OutboxGraph graph = ((OutboxPersistenceAdapter)adapter).graph();
        final StowOperation stow = stowOp(10, PLAYER_A, 4);
        stow.node.entityId = 0;
        assertEquals(OutboxGraph.MOVED_FROM_GRAPH, graph.moveToOutbox(stow, new NodeRecord()));
        assertEquals(Set.of("11>1:IN_ZONE"), edges(11));
        // while the item is in flight, node 13 leaves the world and another shard stows an entity 10
        final WorldBatch removal = new WorldBatch(1);
        removal.addNodeRemoval(13);
        adapter.write(removal);
        stowOnAnotherShard(10);

        reopen(); // the crash: the deposit is repeated, refused, and the node goes back

        assertEquals(1, ((OutboxPersistenceAdapter)adapter).relayed());
        assertNotNull(find(10));
        assertEquals(Set.of("10>1:IN_ZONE", "10>11:CONTAINS", "12>10:ATTACHED_TO"), edges(10));
        assertEquals(Set.of("11>1:IN_ZONE", "10>11:CONTAINS"), edges(11));
        assertEquals(Set.of("12>1:IN_ZONE", "12>10:ATTACHED_TO"), edges(12));
    }

    private void writeShipWithEdges()
    {
        write(zone(1, WORLD), node(10, 1, 0, 0, 0), node(11, 1, 0, 0, 0), node(12, 1, 0, 0, 0),
            node(13, 1, 0, 0, 0));
        final WorldBatch batch = new WorldBatch(4);
        batch.addEdge(10, 11, EdgeKind.CONTAINS, false);
        batch.addEdge(12, 10, EdgeKind.ATTACHED_TO, false);
        batch.addEdge(10, 13, EdgeKind.CONTAINS, false);
        adapter.write(batch);
        assertEquals(
            Set.of("10>1:IN_ZONE", "10>11:CONTAINS", "12>10:ATTACHED_TO", "10>13:CONTAINS"), edges(10));
    }

    private void stowOnAnotherShard(final long entityId)
    {
        try (PersistenceAdapter shardB = OutboxPersistenceAdapter.open(
            RocksDbPersistenceAdapter.open(directory.resolve("graph-b")), PostgresGlobalStore.open(global())))
        {
            final StowOperation stow = stowOp(entityId, PLAYER_B, 0);
            shardB.stow(stow);
            assertEquals(OperationStatus.OK, stow.status);
        }
    }
}
