/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.persistence.postgres;

import io.orrery.core.persistence.NodeRecord;
import io.orrery.core.persistence.OperationStatus;
import io.orrery.core.persistence.PersistenceAdapter;
import io.orrery.core.persistence.StowOperation;
import io.orrery.core.persistence.WorldBatch;
import io.orrery.persistence.PersistenceAdapterContractTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract for a shard whose graph is in its own schema and whose Global store is in a schema shared with other
 * shards of the same PostgreSQL database ({@code currentSchema=shard,global}): stow and unstow stay one transaction.
 * Plus two shards over one Global store: an item stowed by one is unstowed by the other.
 */
class PostgresTwoSchemaAdapterTest extends PersistenceAdapterContractTest
{
    private static PostgresTestServer server;
    private static int counter;
    private String shardSchema;
    private String globalSchema;

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
        final String prefix = "orrery_two_" + ProcessHandle.current().pid() + "_" + (++counter);
        shardSchema = prefix + "_shard";
        globalSchema = prefix + "_global";
    }

    @Override
    protected void dropStore()
    {
        server.execute("DROP SCHEMA IF EXISTS " + shardSchema + " CASCADE");
        server.execute("DROP SCHEMA IF EXISTS " + shardSchema + "_b CASCADE");
        server.execute("DROP SCHEMA IF EXISTS " + globalSchema + " CASCADE");
    }

    @Override
    protected PersistenceAdapter open()
    {
        return PostgresPersistenceAdapter.open(server.url(shardSchema + "," + globalSchema));
    }

    @Test
    void shouldKeepGraphAndGlobalStoreInTheirOwnSchemas() throws SQLException
    {
        write(node(10, WORLD, 0, 0, 0));
        final StowOperation stow = stowOp(20, PLAYER_A, 0);
        adapter.stow(stow);
        assertEquals(OperationStatus.OK, stow.status);

        assertEquals(1, count(shardSchema + ".nodes"));
        assertEquals(1, count(globalSchema + ".stowed_items"));
        assertEquals(1, count(globalSchema + ".entity_location")); // stowed items only: node ids are the shard's
        assertFalse(exists(globalSchema + ".nodes"));
        assertFalse(exists(shardSchema + ".stowed_items"));
        assertEquals(globalSchema, ((PostgresPersistenceAdapter)adapter).globalSchema());
    }

    @Test
    void shouldMoveItemFromOneShardToAnotherThroughTheSharedGlobalStore()
    {
        final NodeRecord ship = node(10, WORLD, 1, 2, 3);
        write(ship);
        final StowOperation stow = stowOp(10, PLAYER_A, 7);
        stow.node.copyFrom(ship);
        adapter.stow(stow);
        assertEquals(OperationStatus.OK, stow.status);
        assertEquals(0, adapter.nodeCount());

        try (PersistenceAdapter shardB = PostgresPersistenceAdapter.open(
            server.url(shardSchema + "_b," + globalSchema)))
        {
            assertTrue(shardB.isStowed(10));
            final StowOperation unstow = unstowOp(10, PLAYER_A, WORLD, 5, 5, 5);
            shardB.unstow(unstow);
            assertEquals(OperationStatus.OK, unstow.status);
            assertEquals(1, shardB.nodeCount());
            assertFalse(adapter.isStowed(10));
            assertEquals(0, adapter.nodeCount());

            // the key is the deployment's: shard A sees shard B's unstow as a replay
            final StowOperation replay = unstowOp(10, PLAYER_A, WORLD, 5, 5, 5);
            replay.operationId = unstow.operationId;
            adapter.unstow(replay);
            assertEquals(OperationStatus.DUPLICATE, replay.status);
            assertEquals(0, adapter.nodeCount());

            final WorldBatch batch = new WorldBatch(4);
            batch.addNodeUpsert().copyFrom(unstow.node);
            shardB.write(batch);
            assertEquals(1, shardB.nodeCount());
        }
    }

    @Test
    void shouldLetTwoShardsHoldAndRemoveTheSameEntityIdIndependently()
    {
        try (PersistenceAdapter shardB = PostgresPersistenceAdapter.open(
            server.url(shardSchema + "_b," + globalSchema)))
        {
            write(node(10, WORLD, 0, 0, 0));
            final WorldBatch upsert = new WorldBatch(1);
            upsert.addNodeUpsert().copyFrom(node(10, WORLD, 5, 5, 5));
            shardB.write(upsert);

            final WorldBatch removal = new WorldBatch(1);
            removal.addNodeRemoval(10);
            adapter.write(removal);
            assertEquals(0, adapter.nodeCount());
            assertEquals(1, shardB.nodeCount());

            final StowOperation stow = stowOp(10, PLAYER_A, 0);
            shardB.stow(stow);
            assertEquals(OperationStatus.OK, stow.status);
            assertEquals(0, shardB.nodeCount());
            final WorldBatch stale = new WorldBatch(1);
            stale.addNodeUpsert().copyFrom(node(10, WORLD, 6, 6, 6));
            adapter.write(stale);
            assertEquals(0, adapter.nodeCount(), "a stowed item is no node of any shard");
        }
    }

    private static long count(final String table) throws SQLException
    {
        try (Connection c = DriverManager.getConnection(server.serverUrl()); Statement statement = c.createStatement();
            ResultSet rows = statement.executeQuery("SELECT count(*) FROM " + table))
        {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static boolean exists(final String table) throws SQLException
    {
        try (Connection c = DriverManager.getConnection(server.serverUrl()); Statement statement = c.createStatement();
            ResultSet rows = statement.executeQuery("SELECT to_regclass('" + table + "')"))
        {
            rows.next();
            return null != rows.getString(1);
        }
    }
}
