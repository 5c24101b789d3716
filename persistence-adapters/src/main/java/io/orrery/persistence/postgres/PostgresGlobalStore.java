/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.persistence.postgres;

import io.orrery.core.persistence.GlobalStore;
import io.orrery.core.persistence.NodeRecord;
import io.orrery.core.persistence.OperationStatus;
import io.orrery.core.persistence.PersistenceAdapter;
import io.orrery.core.persistence.PersistenceException;
import io.orrery.core.persistence.StowOperation;
import io.orrery.core.persistence.WalletOperation;
import io.orrery.persistence.NodeRecords;
import io.orrery.persistence.OperationOutcomes;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

import static io.orrery.persistence.postgres.PostgresRows.bindNodeFields;
import static io.orrery.persistence.postgres.PostgresRows.readStowed;
import static io.orrery.persistence.postgres.PostgresSchema.*;

/**
 * The Global store alone on PostgreSQL, for shards whose EntityGraph lives elsewhere (an embedded RocksDB): the same
 * tables as {@link PostgresPersistenceAdapter}'s Global store (so one schema can serve both kinds of shard), in the
 * URL's current schema ({@code currentSchema=global}), created when missing. Deposits and withdrawals are one
 * function call each in autocommit (one round trip, one transaction, flushed before the answer with
 * {@code synchronous_commit = on}); a withdrawal keeps a copy of the item under its key ({@code withdrawn_items}) so
 * a replay returns the item. A failed call rolls back and throws {@link PersistenceException}; a broken connection is
 * reopened by the next call.
 * <p>
 * Threading: not thread safe; one caller thread at a time.
 */
public final class PostgresGlobalStore implements GlobalStore
{
    private final String jdbcUrl;
    private final Properties properties;
    private final String name;
    private final String[] schemas;
    private Connection connection;
    private PreparedStatement deposit;
    private PreparedStatement withdraw;
    private PreparedStatement selectWithdrawn;
    private PreparedStatement selectOperation;
    private PreparedStatement changeWallet;
    private PreparedStatement changeReputation;
    private boolean closed;

    private PostgresGlobalStore(final String jdbcUrl, final Properties properties)
    {
        this.jdbcUrl = jdbcUrl;
        this.properties = properties;
        this.schemas = PostgresPersistenceAdapter.searchPath(jdbcUrl);
        final int query = jdbcUrl.indexOf('?');
        this.name = "postgres-global:" + (query < 0 ? jdbcUrl : jdbcUrl.substring(0, query)) +
            (schemas.length > 0 ? " (schema " + schemas[0] + ")" : "");
    }

    /**
     * Connect, and create the Global store's schema and tables when missing.
     *
     * @param url a JDBC or libpq style URL; its {@code currentSchema} names the Global store's schema (the one the
     *            shards of the deployment name second in theirs).
     * @return the store.
     */
    public static PostgresGlobalStore open(final String url)
    {
        return open(url, new Properties());
    }

    /**
     * Connect with extra connection properties, and create what is missing.
     */
    public static PostgresGlobalStore open(final String url, final Properties properties)
    {
        final String jdbcUrl = PostgresPersistenceAdapter.toJdbcUrl(url);
        final PostgresGlobalStore store =
            new PostgresGlobalStore(jdbcUrl, PostgresPersistenceAdapter.withTimeouts(jdbcUrl, properties));
        try
        {
            store.connection();
            return store;
        }
        catch (final SQLException ex)
        {
            store.close();
            throw new PersistenceException("cannot open " + store.name, ex);
        }
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public void deposit(final StowOperation op, final boolean present)
    {
        ensureOpen();
        NodeRecords.validate(op.node);
        try
        {
            final Connection c = connection();
            deposit.setLong(1, op.operationId);
            deposit.setLong(2, op.entityId);
            deposit.setLong(3, op.ownerPlayerId);
            deposit.setLong(4, op.containerId);
            deposit.setBoolean(5, present);
            bindNodeFields(deposit, 6, op.node);
            runOperation(c, deposit, op);
        }
        catch (final SQLException ex)
        {
            throw failed("deposit " + op.operationId, ex);
        }
    }

    @Override
    public void withdraw(final StowOperation op, final boolean targetOccupied, final NodeRecord item)
    {
        ensureOpen();
        try
        {
            final Connection c = connection();
            withdraw.setLong(1, op.operationId);
            withdraw.setLong(2, op.entityId);
            withdraw.setLong(3, op.ownerPlayerId);
            withdraw.setBoolean(4, targetOccupied);
            runOperation(c, withdraw, op);
            if (OperationStatus.OK == op.firstStatus && OperationStatus.OPERATION_CONFLICT != op.status)
            {
                selectWithdrawn.setLong(1, op.ownerPlayerId);
                selectWithdrawn.setLong(2, op.operationId);
                try (ResultSet rows = selectWithdrawn.executeQuery())
                {
                    if (!rows.next())
                    {
                        throw new SQLException("withdrawal " + op.operationId + " of player " + op.ownerPlayerId +
                            " is recorded without its item");
                    }
                    readStowed(rows, item);
                }
                c.commit();
            }
        }
        catch (final SQLException ex)
        {
            throw failed("withdrawal " + op.operationId, ex);
        }
    }

    @Override
    public int recordedOutcome(final StowOperation op, final int type)
    {
        ensureOpen();
        try
        {
            final Connection c = connection();
            selectOperation.setLong(1, op.ownerPlayerId);
            selectOperation.setLong(2, op.operationId);
            int outcome = OperationStatus.PENDING;
            try (ResultSet rows = selectOperation.executeQuery())
            {
                if (rows.next())
                {
                    if (OperationOutcomes.isReplay(
                        rows.getInt(1), rows.getLong(2), rows.getLong(3), type, OperationOutcomes.subject(op), 0))
                    {
                        OperationOutcomes.replay(op, rows.getInt(4), rows.getLong(5));
                    }
                    else
                    {
                        OperationOutcomes.conflict(op);
                    }
                    outcome = op.status;
                }
            }
            c.commit();
            return outcome;
        }
        catch (final SQLException ex)
        {
            throw failed("operation lookup " + op.operationId, ex);
        }
    }

    @Override
    public void changeWallet(final WalletOperation op)
    {
        ensureOpen();
        try
        {
            final Connection c = connection();
            changeWallet.setLong(1, op.operationId);
            changeWallet.setLong(2, op.playerId);
            changeWallet.setLong(3, op.delta);
            runBalanceChange(c, changeWallet, op);
        }
        catch (final SQLException ex)
        {
            throw failed("wallet change " + op.operationId, ex);
        }
    }

    @Override
    public void changeReputation(final WalletOperation op)
    {
        ensureOpen();
        try
        {
            final Connection c = connection();
            changeReputation.setLong(1, op.operationId);
            changeReputation.setLong(2, op.playerId);
            changeReputation.setInt(3, op.factionId);
            changeReputation.setLong(4, op.delta);
            runBalanceChange(c, changeReputation, op);
        }
        catch (final SQLException ex)
        {
            throw failed("reputation change " + op.operationId, ex);
        }
    }

    @Override
    public long walletBalance(final long playerId)
    {
        return readLong(SELECT_WALLET, playerId, Integer.MIN_VALUE, "wallet read");
    }

    @Override
    public long reputation(final long playerId, final int factionId)
    {
        return readLong(SELECT_REPUTATION, playerId, factionId, "reputation read");
    }

    @Override
    public int loadStowedItems(final long ownerPlayerId, final PersistenceAdapter.StowedItemHandler handler)
    {
        ensureOpen();
        try (PreparedStatement select = connection().prepareStatement(SELECT_STOWED_BY_OWNER))
        {
            select.setLong(1, ownerPlayerId);
            final NodeRecord item = new NodeRecord();
            int count = 0;
            try (ResultSet rows = select.executeQuery())
            {
                while (rows.next())
                {
                    readStowed(rows, item);
                    handler.onItem(rows.getLong(1), rows.getLong(2), rows.getLong(3), item);
                    count++;
                }
            }
            connection.commit();
            return count;
        }
        catch (final SQLException ex)
        {
            throw failed("stowed item load", ex);
        }
    }

    @Override
    public boolean isStowed(final long itemId)
    {
        ensureOpen();
        try (PreparedStatement select = connection().prepareStatement(IS_STOWED))
        {
            select.setLong(1, itemId);
            final boolean stowed;
            try (ResultSet rows = select.executeQuery())
            {
                stowed = rows.next();
            }
            connection.commit();
            return stowed;
        }
        catch (final SQLException ex)
        {
            throw failed("stowed item read", ex);
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

    private long readLong(final String sql, final long playerId, final int factionId, final String what)
    {
        ensureOpen();
        try (PreparedStatement select = connection().prepareStatement(sql))
        {
            select.setLong(1, playerId);
            if (Integer.MIN_VALUE != factionId)
            {
                select.setInt(2, factionId);
            }
            final long value;
            try (ResultSet rows = select.executeQuery())
            {
                value = rows.next() ? rows.getLong(1) : 0;
            }
            connection.commit();
            return value;
        }
        catch (final SQLException ex)
        {
            throw failed(what, ex);
        }
    }

    private void runOperation(final Connection c, final PreparedStatement call, final StowOperation op)
        throws SQLException
    {
        c.setAutoCommit(true);
        try (ResultSet rows = call.executeQuery())
        {
            rows.next();
            if (rows.getBoolean(1))
            {
                OperationOutcomes.replay(op, rows.getInt(2), rows.getLong(3));
            }
            else
            {
                OperationOutcomes.complete(op, rows.getInt(2));
            }
        }
        finally
        {
            endAutoCommit(c);
        }
    }

    private void runBalanceChange(final Connection c, final PreparedStatement change, final WalletOperation op)
        throws SQLException
    {
        c.setAutoCommit(true);
        try (ResultSet rows = change.executeQuery())
        {
            rows.next();
            if (rows.getBoolean(1))
            {
                OperationOutcomes.replay(op, rows.getInt(2), rows.getLong(3));
            }
            else
            {
                OperationOutcomes.complete(op, rows.getInt(2), rows.getLong(3));
            }
        }
        finally
        {
            endAutoCommit(c);
        }
    }

    private Connection connection() throws SQLException
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
                if (schemas.length > 0)
                {
                    try (PreparedStatement lock = c.prepareStatement(LOCK_GLOBAL_SCHEMA_CREATION))
                    {
                        lock.setString(1, schemas[0]);
                        lock.execute();
                    }
                    statement.execute("CREATE SCHEMA IF NOT EXISTS " +
                        PostgresPersistenceAdapter.quoteIdentifier(schemas[0]));
                }
                for (final String ddl : createGlobalTables(""))
                {
                    statement.execute(ddl);
                }
                for (final String ddl : CREATE_GLOBAL_FUNCTIONS)
                {
                    statement.execute(ddl);
                }
            }
            c.commit();

            deposit = c.prepareStatement(DEPOSIT);
            withdraw = c.prepareStatement(WITHDRAW);
            selectWithdrawn = c.prepareStatement(SELECT_WITHDRAWN);
            selectOperation = c.prepareStatement(SELECT_OPERATION);
            changeWallet = c.prepareStatement(CHANGE_WALLET);
            changeReputation = c.prepareStatement(CHANGE_REPUTATION);
        }
        catch (final SQLException ex)
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

        connection = c;
        return c;
    }

    private void disconnect()
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

    private PersistenceException failed(final String what, final SQLException ex)
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

    private void endAutoCommit(final Connection c)
    {
        try
        {
            c.setAutoCommit(false);
        }
        catch (final SQLException ex)
        {
            disconnect();
        }
    }

    private void ensureOpen()
    {
        if (closed)
        {
            throw new IllegalStateException(name + " is closed");
        }
    }
}
