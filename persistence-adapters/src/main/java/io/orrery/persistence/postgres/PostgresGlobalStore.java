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
 * {@link PostgresPersistenceAdapter} keeps its Global store through one of these over its own connection
 * ({@link #over(PostgresSession)}): wallets, reputation, stowed item reads and the operation records are this class's
 * code in both kinds of shard.
 * <p>
 * Threading: not thread safe; one caller thread at a time.
 */
public final class PostgresGlobalStore implements GlobalStore
{
    private final PostgresSession session;
    private final String[] schemas;
    private final NodeRecord loaded = new NodeRecord();
    private int preparedGeneration;
    private PreparedStatement deposit;
    private PreparedStatement withdraw;
    private PreparedStatement selectWithdrawn;
    private PreparedStatement selectOperation;
    private PreparedStatement changeWallet;
    private PreparedStatement changeReputation;

    private PostgresGlobalStore(final String jdbcUrl, final Properties properties)
    {
        this.schemas = PostgresPersistenceAdapter.searchPath(jdbcUrl);
        final int query = jdbcUrl.indexOf('?');
        final String name = "postgres-global:" + (query < 0 ? jdbcUrl : jdbcUrl.substring(0, query)) +
            (schemas.length > 0 ? " (schema " + schemas[0] + ")" : "");
        this.session = new PostgresSession(jdbcUrl, properties, name, this::createWhatIsMissing);
    }

    private PostgresGlobalStore(final PostgresSession session)
    {
        this.session = session;
        this.schemas = new String[0];
    }

    /**
     * The Global store of a shard's own connection: its tables were created by the session's owner (a
     * {@link PostgresPersistenceAdapter}, whose search path finds them); every call runs on the session's connection.
     * Closing it closes the session.
     */
    static PostgresGlobalStore over(final PostgresSession session)
    {
        return new PostgresGlobalStore(session);
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
            store.session.connection();
            return store;
        }
        catch (final SQLException ex)
        {
            store.close();
            throw new PersistenceException("cannot open " + store.session.name(), ex);
        }
    }

    @Override
    public String name()
    {
        return session.name();
    }

    @Override
    public void deposit(final StowOperation op, final boolean present)
    {
        session.ensureOpen();
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
            runOperation(session, c, deposit, op);
        }
        catch (final SQLException ex)
        {
            throw session.failed("deposit " + op.operationId, ex);
        }
    }

    @Override
    public void withdraw(final StowOperation op, final boolean targetOccupied, final NodeRecord item)
    {
        session.ensureOpen();
        try
        {
            final Connection c = connection();
            withdraw.setLong(1, op.operationId);
            withdraw.setLong(2, op.entityId);
            withdraw.setLong(3, op.ownerPlayerId);
            withdraw.setBoolean(4, targetOccupied);
            runOperation(session, c, withdraw, op);
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
            throw session.failed("withdrawal " + op.operationId, ex);
        }
    }

    @Override
    public int recordedOutcome(final StowOperation op, final int type)
    {
        session.ensureOpen();
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
            throw session.failed("operation lookup " + op.operationId, ex);
        }
    }

    @Override
    public void changeWallet(final WalletOperation op)
    {
        session.ensureOpen();
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
            throw session.failed("wallet change " + op.operationId, ex);
        }
    }

    @Override
    public void changeReputation(final WalletOperation op)
    {
        session.ensureOpen();
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
            throw session.failed("reputation change " + op.operationId, ex);
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
        session.ensureOpen();
        try
        {
            final Connection c = connection();
            try (PreparedStatement select = c.prepareStatement(SELECT_STOWED_BY_OWNER))
            {
                select.setLong(1, ownerPlayerId);
                int count = 0;
                try (ResultSet rows = select.executeQuery())
                {
                    while (rows.next())
                    {
                        readStowed(rows, loaded);
                        handler.onItem(rows.getLong(1), rows.getLong(2), rows.getLong(3), loaded);
                        count++;
                    }
                }
                c.commit();
                return count;
            }
        }
        catch (final SQLException ex)
        {
            throw session.failed("stowed item load", ex);
        }
    }

    @Override
    public boolean isStowed(final long itemId)
    {
        session.ensureOpen();
        try
        {
            final Connection c = connection();
            try (PreparedStatement select = c.prepareStatement(IS_STOWED))
            {
                select.setLong(1, itemId);
                final boolean stowed;
                try (ResultSet rows = select.executeQuery())
                {
                    stowed = rows.next();
                }
                c.commit();
                return stowed;
            }
        }
        catch (final SQLException ex)
        {
            throw session.failed("stowed item read", ex);
        }
    }

    @Override
    public void close()
    {
        session.close();
    }

    @Override
    public String toString()
    {
        return session.name();
    }

    /**
     * Run an operation function ({@code o_replayed, o_status, o_value}) as one autocommitted statement and report
     * its outcome in {@code op}.
     */
    static void runOperation(
        final PostgresSession session, final Connection c, final PreparedStatement call, final StowOperation op)
        throws SQLException
    {
        session.beginAutoCommit(c);
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
            session.endAutoCommit(c);
        }
    }

    private long readLong(final String sql, final long playerId, final int factionId, final String what)
    {
        session.ensureOpen();
        try
        {
            final Connection c = connection();
            try (PreparedStatement select = c.prepareStatement(sql))
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
                c.commit();
                return value;
            }
        }
        catch (final SQLException ex)
        {
            throw session.failed(what, ex);
        }
    }

    private void runBalanceChange(final Connection c, final PreparedStatement change, final WalletOperation op)
        throws SQLException
    {
        session.beginAutoCommit(c);
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
            session.endAutoCommit(c);
        }
    }

    /**
     * The session's connection, with this store's statements prepared on it (again after a reconnect).
     */
    private Connection connection() throws SQLException
    {
        final Connection c = session.connection();
        if (preparedGeneration != session.generation())
        {
            deposit = c.prepareStatement(DEPOSIT);
            withdraw = c.prepareStatement(WITHDRAW);
            selectWithdrawn = c.prepareStatement(SELECT_WITHDRAWN);
            selectOperation = c.prepareStatement(SELECT_OPERATION);
            changeWallet = c.prepareStatement(CHANGE_WALLET);
            changeReputation = c.prepareStatement(CHANGE_REPUTATION);
            preparedGeneration = session.generation();
        }
        return c;
    }

    /**
     * Set-up of a store on its own: the schema named by the URL, the Global store's tables and functions.
     */
    private void createWhatIsMissing(final Connection c, final Statement statement) throws SQLException
    {
        if (schemas.length > 0)
        {
            try (PreparedStatement lock = c.prepareStatement(LOCK_GLOBAL_SCHEMA_CREATION))
            {
                lock.setString(1, schemas[0]);
                lock.execute();
            }
            statement.execute("CREATE SCHEMA IF NOT EXISTS " + PostgresPersistenceAdapter.quoteIdentifier(schemas[0]));
        }
        for (final String ddl : createGlobalTables(""))
        {
            statement.execute(ddl);
        }
        for (final String ddl : CREATE_GLOBAL_FUNCTIONS)
        {
            statement.execute(ddl);
        }
        PostgresCitus.distributeGlobalStore(statement);
    }
}
