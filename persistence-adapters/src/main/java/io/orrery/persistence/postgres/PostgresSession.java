/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.persistence.postgres;

import io.orrery.core.persistence.PersistenceException;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * The one connection of a PostgreSQL store and what every call does with it: open it when missing (session set to
 * {@code synchronous_commit = on}, explicit transactions, then the owner's set-up: schema and statements), roll back
 * a failed call or drop a broken connection so that the next call reconnects, and leave autocommit after a
 * one-statement call. {@link PostgresPersistenceAdapter} and the {@link PostgresGlobalStore} it delegates its Global
 * store to share one session, so both see the same connection and each call stays one transaction.
 * <p>
 * {@link #generation()} changes with every new connection: a user that prepared statements on an earlier one
 * prepares them again.
 * <p>
 * Threading: not thread safe; one caller thread at a time.
 */
final class PostgresSession implements AutoCloseable
{
    /**
     * What the owner does on a new connection before the session hands it out (inside the session's first
     * transaction, committed after it): create what is missing, prepare statements.
     */
    @FunctionalInterface
    interface Setup
    {
        void onConnect(Connection connection, Statement statement) throws SQLException;
    }

    private final String jdbcUrl;
    private final Properties properties;
    private final String name;
    private final Setup setup;
    private Connection connection;
    private boolean grouped;
    private int generation;
    private boolean closed;

    PostgresSession(final String jdbcUrl, final Properties properties, final String name, final Setup setup)
    {
        this.jdbcUrl = jdbcUrl;
        this.properties = properties;
        this.name = name;
        this.setup = setup;
    }

    String name()
    {
        return name;
    }

    /**
     * @return increases with every connection opened.
     */
    int generation()
    {
        return generation;
    }

    /**
     * @return the open connection, opened and set up now when there is none.
     * @throws SQLException when it cannot be opened or set up (nothing is kept open then).
     */
    Connection connection() throws SQLException
    {
        if (null != connection)
        {
            return connection;
        }

        final Connection c = DriverManager.getConnection(jdbcUrl, properties);
        try
        {
            c.setAutoCommit(false);
            try (Statement statement = c.createStatement())
            {
                statement.execute("SET synchronous_commit = on");
                setup.onConnect(c, statement);
            }
            c.commit();
        }
        catch (final SQLException | RuntimeException ex)
        {
            try
            {
                c.close();
            }
            catch (final SQLException suppressed)
            {
                ex.addSuppressed(suppressed);
            }
            throw ex;
        }

        generation++;
        connection = c;
        return c;
    }

    /**
     * @return the open connection, null when there is none (a read-only view for set-up and error paths).
     */
    Connection current()
    {
        return connection;
    }

    /**
     * Roll back (or drop a broken connection, to be reopened by the next call) and wrap the failure.
     */
    PersistenceException failed(final String what, final SQLException ex)
    {
        final Connection c = connection;
        boolean broken = null == c || (null != ex.getSQLState() && ex.getSQLState().startsWith("08"));
        if (!broken)
        {
            try
            {
                c.rollback();
            }
            catch (final SQLException rollbackFailure)
            {
                ex.addSuppressed(rollbackFailure);
                broken = true;
            }
        }
        if (broken)
        {
            disconnect();
        }
        return new PersistenceException(name + ": " + what + " failed", ex);
    }

    /**
     * Group mode: the calls of a group run in one transaction, committed by {@link #commitGroup()}; a call that would
     * commit, or run in autocommit, leaves its work in the open transaction instead.
     */
    void beginGroup()
    {
        grouped = true;
    }

    boolean isGrouped()
    {
        return grouped;
    }

    /**
     * Commit the group's transaction and leave group mode.
     */
    void commitGroup() throws SQLException
    {
        grouped = false;
        final Connection c = connection;
        if (null == c)
        {
            throw new SQLException("connection lost within a group: the group was rolled back", "08003");
        }
        c.commit();
    }

    /**
     * Roll back the group's transaction, if any, and leave group mode; a connection that cannot roll back is dropped.
     */
    void abortGroup()
    {
        grouped = false;
        final Connection c = connection;
        if (null != c)
        {
            try
            {
                c.rollback();
            }
            catch (final SQLException ex)
            {
                disconnect();
            }
        }
    }

    /**
     * Commit the call's transaction, unless it is part of a group.
     */
    void commit(final Connection c) throws SQLException
    {
        if (!grouped)
        {
            c.commit();
        }
    }

    /**
     * A one-statement call (an operation function) in autocommit: the server commits it before it answers, one round
     * trip; in a group it joins the group's transaction instead.
     */
    void beginAutoCommit(final Connection c) throws SQLException
    {
        if (!grouped)
        {
            c.setAutoCommit(true);
        }
    }

    /**
     * Back to explicit transactions after an autocommitted call (a flag in pgjdbc, no round trip). If that fails the
     * connection is dropped rather than left in autocommit, where a batch's statements would commit one by one; the
     * next call reconnects.
     */
    void endAutoCommit(final Connection c)
    {
        if (grouped)
        {
            return;
        }
        try
        {
            c.setAutoCommit(false);
        }
        catch (final SQLException ex)
        {
            disconnect();
        }
    }

    void ensureOpen()
    {
        if (closed)
        {
            throw new IllegalStateException(name + " is closed");
        }
    }

    boolean isClosed()
    {
        return closed;
    }

    void disconnect()
    {
        final Connection c = connection;
        connection = null;
        if (null != c)
        {
            try
            {
                c.close();
            }
            catch (final SQLException ignore)
            {
                // the connection is gone either way; statements close with it
            }
        }
    }

    @Override
    public void close()
    {
        closed = true;
        disconnect();
    }

    @Override
    public String toString()
    {
        return name;
    }
}
