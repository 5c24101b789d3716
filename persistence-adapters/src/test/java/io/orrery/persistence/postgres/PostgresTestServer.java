/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.persistence.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A PostgreSQL server for one test class: the embedded PostgreSQL 18 the build starts (fsync and synchronous commit
 * on), or the server named by {@value PostgresPersistenceAdapterTest#URL_PROPERTY}; with helpers for per-test schemas.
 */
public final class PostgresTestServer implements AutoCloseable
{
    private final EmbeddedPostgres embedded;
    private final String serverUrl;

    private PostgresTestServer(final EmbeddedPostgres embedded, final String serverUrl)
    {
        this.embedded = embedded;
        this.serverUrl = serverUrl;
    }

    public static PostgresTestServer start() throws IOException
    {
        final String external = System.getProperty(PostgresPersistenceAdapterTest.URL_PROPERTY);
        if (null != external && !external.isBlank())
        {
            return new PostgresTestServer(null, PostgresPersistenceAdapter.toJdbcUrl(external));
        }
        final EmbeddedPostgres embedded = PostgresPersistenceAdapterTest.startEmbedded();
        return new PostgresTestServer(embedded, embedded.getJdbcUrl("postgres", "postgres"));
    }

    public String serverUrl()
    {
        return serverUrl;
    }

    /**
     * @param schemas the search path, e.g. {@code "shard_a,global"}.
     * @return the server's URL with that search path.
     */
    public String url(final String schemas)
    {
        return serverUrl + (serverUrl.indexOf('?') < 0 ? "?" : "&") + "currentSchema=" + schemas;
    }

    public void execute(final String sql)
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

    @Override
    public void close() throws IOException
    {
        if (null != embedded)
        {
            embedded.close();
        }
    }
}
