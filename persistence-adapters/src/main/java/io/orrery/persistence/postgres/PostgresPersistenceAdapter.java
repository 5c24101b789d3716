/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.persistence.postgres;

import io.orrery.core.persistence.EdgeKind;
import io.orrery.core.persistence.NodeRecord;
import io.orrery.core.persistence.OperationStatus;
import io.orrery.core.persistence.PersistenceAdapter;
import io.orrery.core.persistence.PersistenceException;
import io.orrery.core.persistence.StowOperation;
import io.orrery.core.persistence.WalletOperation;
import io.orrery.core.persistence.WorldBatch;
import io.orrery.persistence.NodeRecords;
import io.orrery.persistence.OperationOutcomes;
import org.postgresql.PGConnection;

import java.net.URI;
import java.net.URISyntaxException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.Properties;

import static io.orrery.persistence.postgres.PostgresRows.*;
import static io.orrery.persistence.postgres.PostgresSchema.*;

/**
 * The persistence SPI on PostgreSQL through pgjdbc: the EntityGraph as {@code nodes} (the IN_ZONE edge is
 * {@code parent_zone_id}) and {@code edges}, zone subtrees and regions by recursive queries, and the Global store
 * ({@code stowed_items}, {@code wallets}, {@code reputation}, {@code operations}) in the same database so that stow
 * and unstow are one transaction. See {@link PostgresSchema} for the constraints that keep an item in exactly one
 * place and a wallet non-negative.
 * <p>
 * One connection, autocommit off: every call is one transaction, committed before it returns (the session runs
 * with {@code synchronous_commit = on}, so a returned call is durable as far as the server's {@code fsync} setting
 * allows; {@link #serverFsync()} reports it). Node upserts go as one statement over arrays ({@code unnest}), so a
 * batch of thousands of nodes is one round trip. A call that fails rolls back and throws
 * {@link PersistenceException}; a broken connection is reopened by the next call.
 * <p>
 * Threading: not thread safe; one caller thread at a time, as the SPI says.
 */
public final class PostgresPersistenceAdapter implements PersistenceAdapter
{
    private static final String CHECK_VIOLATION = "23514";
    private static final String NUMERIC_OUT_OF_RANGE = "22003";
    private static final int FETCH_SIZE = 1024;

    private final String jdbcUrl;
    private final Properties properties;
    private final String name;
    private final NodeRecord scratch = new NodeRecord();
    private final NodeRecord item = new NodeRecord();
    private Connection connection;
    private PGConnection pgConnection;
    private boolean serverFsync;
    private boolean closed;

    private PreparedStatement upsertNodes;
    private PreparedStatement insertEdges;
    private PreparedStatement deleteEdges;
    private PreparedStatement deleteEdgesOfNodes;
    private PreparedStatement deleteNodes;
    private PreparedStatement deleteNodeLocations;
    private PreparedStatement selectOperation;
    private PreparedStatement insertOperation;

    private PostgresPersistenceAdapter(final String jdbcUrl, final Properties properties)
    {
        this.jdbcUrl = jdbcUrl;
        this.properties = properties;
        final int query = jdbcUrl.indexOf('?');
        this.name = "postgres:" + (query < 0 ? jdbcUrl : jdbcUrl.substring(0, query));
    }

    /**
     * Connect, and create the schema when missing.
     *
     * @param url a JDBC URL ({@code jdbc:postgresql://host:port/db?user=..&currentSchema=..}) or a libpq style URL
     *            ({@code postgresql://user:password@host:port/db?currentSchema=..}).
     * @return the adapter.
     * @throws PersistenceException when the server cannot be reached or the schema cannot be created.
     */
    public static PostgresPersistenceAdapter open(final String url)
    {
        return open(url, new Properties());
    }

    /**
     * Connect with extra connection properties (user, password, ...), and create the schema when missing.
     */
    public static PostgresPersistenceAdapter open(final String url, final Properties properties)
    {
        final PostgresPersistenceAdapter adapter = new PostgresPersistenceAdapter(toJdbcUrl(url), properties);
        try
        {
            adapter.connection();
            return adapter;
        }
        catch (final SQLException ex)
        {
            adapter.close();
            throw new PersistenceException("cannot open " + adapter.name, ex);
        }
    }

    /**
     * Turn a libpq style {@code postgresql://user:password@host:port/db?params} URL into a JDBC URL; JDBC URLs pass
     * unchanged.
     */
    public static String toJdbcUrl(final String url)
    {
        if (url.startsWith("jdbc:postgresql:"))
        {
            return url;
        }
        if (!url.startsWith("postgresql://") && !url.startsWith("postgres://"))
        {
            throw new IllegalArgumentException("not a PostgreSQL URL: " + url);
        }

        try
        {
            final URI uri = new URI(url);
            final StringBuilder jdbc = new StringBuilder("jdbc:postgresql://");
            jdbc.append(null == uri.getHost() ? "localhost" : uri.getHost());
            if (uri.getPort() > 0)
            {
                jdbc.append(':').append(uri.getPort());
            }
            jdbc.append(null == uri.getRawPath() || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath());

            String separator = "?";
            if (null != uri.getRawQuery())
            {
                jdbc.append('?').append(uri.getRawQuery());
                separator = "&";
            }
            final String userInfo = uri.getRawUserInfo();
            if (null != userInfo)
            {
                final int colon = userInfo.indexOf(':');
                final String user = colon < 0 ? userInfo : userInfo.substring(0, colon);
                jdbc.append(separator).append("user=").append(user);
                if (colon >= 0)
                {
                    jdbc.append("&password=").append(userInfo.substring(colon + 1));
                }
            }
            return jdbc.toString();
        }
        catch (final URISyntaxException ex)
        {
            throw new IllegalArgumentException("bad PostgreSQL URL: " + url, ex);
        }
    }

    /**
     * @return whether the server runs with {@code fsync = on} (read at connect): without it "durable" means "survives
     * a crash of the server process, not of the machine".
     */
    public boolean serverFsync()
    {
        return serverFsync;
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public void write(final WorldBatch batch)
    {
        ensureOpen();
        NodeRecords.validate(batch);
        if (batch.isEmpty())
        {
            return;
        }

        try
        {
            final Connection c = connection();
            final int upsertCount = batch.nodeUpsertCount();
            if (upsertCount > 0)
            {
                bindNodeArrays(c, pgConnection, upsertNodes, batch);
                upsertNodes.executeUpdate();
            }

            writeEdges(c, batch);

            final int removalCount = batch.nodeRemovalCount();
            if (removalCount > 0)
            {
                final long[] ids = new long[removalCount];
                for (int i = 0; i < removalCount; i++)
                {
                    ids[i] = batch.nodeRemoval(i);
                }
                final Array idArray = pgConnection.createArrayOf("int8", ids);
                deleteEdgesOfNodes.setArray(1, idArray);
                deleteEdgesOfNodes.setArray(2, idArray);
                deleteEdgesOfNodes.executeUpdate();
                deleteNodes.setArray(1, idArray);
                deleteNodes.executeUpdate();
                deleteNodeLocations.setArray(1, idArray);
                deleteNodeLocations.executeUpdate();
            }

            c.commit();
        }
        catch (final SQLException ex)
        {
            throw failed("write of " + batch.size() + " entries", ex);
        }
    }

    @Override
    public int loadZoneSubtree(final long rootZoneId, final NodeHandler handler)
    {
        ensureOpen();
        try (PreparedStatement statement = connection().prepareStatement(SELECT_SUBTREE))
        {
            statement.setLong(1, rootZoneId);
            statement.setLong(2, rootZoneId);
            statement.setLong(3, rootZoneId);
            statement.setLong(4, rootZoneId);
            return readNodes(statement, handler);
        }
        catch (final SQLException ex)
        {
            throw failed("subtree load", ex);
        }
    }

    @Override
    public int loadRegion(
        final long zoneId,
        final long minX,
        final long minY,
        final long minZ,
        final long maxX,
        final long maxY,
        final long maxZ,
        final NodeHandler handler)
    {
        ensureOpen();
        try (PreparedStatement statement = connection().prepareStatement(SELECT_REGION))
        {
            statement.setLong(1, zoneId);
            statement.setLong(2, minX);
            statement.setLong(3, maxX);
            statement.setLong(4, minY);
            statement.setLong(5, maxY);
            statement.setLong(6, minZ);
            statement.setLong(7, maxZ);
            statement.setLong(8, zoneId);
            return readNodes(statement, handler);
        }
        catch (final SQLException ex)
        {
            throw failed("region load", ex);
        }
    }

    @Override
    public int loadAll(final NodeHandler handler)
    {
        ensureOpen();
        try (PreparedStatement statement = connection().prepareStatement(SELECT_ALL))
        {
            return readNodes(statement, handler);
        }
        catch (final SQLException ex)
        {
            throw failed("load of every node", ex);
        }
    }

    @Override
    public int loadEdges(final long entityId, final EdgeHandler handler)
    {
        ensureOpen();
        try (PreparedStatement statement = connection().prepareStatement(SELECT_EDGES))
        {
            for (int i = 1; i <= 5; i++)
            {
                statement.setLong(i, entityId);
            }
            int count = 0;
            try (ResultSet rows = statement.executeQuery())
            {
                while (rows.next())
                {
                    handler.onEdge(rows.getLong(1), rows.getLong(2), EdgeKind.get(rows.getInt(3)));
                    count++;
                }
            }
            connection.commit();
            return count;
        }
        catch (final SQLException ex)
        {
            throw failed("edge load", ex);
        }
    }

    @Override
    public void stow(final StowOperation op)
    {
        ensureOpen();
        NodeRecords.validate(op.node);
        try
        {
            final Connection c = connection();
            if (replayed(op))
            {
                return;
            }

            final int status;
            final int place = lockLocation(c, op.entityId);
            if (PLACE_STOWED == place)
            {
                status = OperationStatus.CONFLICT;
            }
            else
            {
                final boolean stored = PLACE_GRAPH == place && selectNode(c, op.entityId, scratch);
                if (!stored && !NodeRecords.carriesState(op))
                {
                    status = OperationStatus.NOT_FOUND;
                }
                else
                {
                    deleteNodeAndEdges(c, op.entityId);
                    moveLocation(c, op.entityId, PLACE_STOWED);
                    insertStowed(c, op.entityId, op.ownerPlayerId, op.containerId,
                        NodeRecords.carriesState(op) ? op.node : scratch);
                    status = OperationStatus.OK;
                }
            }

            recordOperation(op.operationId, status, 0);
            c.commit();
            OperationOutcomes.complete(op, status);
        }
        catch (final SQLException ex)
        {
            throw failed("stow " + op.operationId, ex);
        }
    }

    @Override
    public void unstow(final StowOperation op)
    {
        ensureOpen();
        NodeRecords.validate(op.node);
        try
        {
            final Connection c = connection();
            if (replayed(op))
            {
                return;
            }

            final int status;
            final long targetId = NodeRecords.unstowTargetId(op);
            final long ownerPlayerId = selectStowedForUpdate(c, op.entityId, item);
            if (Long.MIN_VALUE == ownerPlayerId)
            {
                status = OperationStatus.NOT_FOUND;
            }
            else if (ownerPlayerId != op.ownerPlayerId)
            {
                status = OperationStatus.NOT_OWNER;
            }
            else if (targetId != op.entityId && 0 != lockLocation(c, targetId))
            {
                status = OperationStatus.CONFLICT;
            }
            else
            {
                try (PreparedStatement delete = c.prepareStatement(DELETE_STOWED))
                {
                    delete.setLong(1, op.entityId);
                    delete.executeUpdate();
                }
                if (targetId != op.entityId)
                {
                    try (PreparedStatement delete = c.prepareStatement(DELETE_LOCATION))
                    {
                        delete.setLong(1, op.entityId);
                        delete.executeUpdate();
                    }
                }
                moveLocation(c, targetId, PLACE_GRAPH);
                NodeRecords.unstowNode(op, item, scratch);
                try (PreparedStatement insert = c.prepareStatement(INSERT_NODE))
                {
                    bindNode(insert, 1, scratch);
                    insert.executeUpdate();
                }
                op.node.copyFrom(scratch); // the contract: an applied unstow returns the inserted node
                status = OperationStatus.OK;
            }

            recordOperation(op.operationId, status, 0);
            c.commit();
            OperationOutcomes.complete(op, status);
        }
        catch (final SQLException ex)
        {
            throw failed("unstow " + op.operationId, ex);
        }
    }

    @Override
    public void changeWallet(final WalletOperation op)
    {
        ensureOpen();
        try
        {
            final Connection c = connection();
            if (replayed(op))
            {
                return;
            }

            int status = OperationStatus.OK;
            long value;
            final Savepoint savepoint = c.setSavepoint();
            try (PreparedStatement change = c.prepareStatement(op.delta < 0 ? DEBIT_WALLET : CHANGE_WALLET))
            {
                change.setLong(op.delta < 0 ? 2 : 1, op.playerId);
                change.setLong(op.delta < 0 ? 1 : 2, op.delta);
                try (ResultSet rows = change.executeQuery())
                {
                    if (rows.next())
                    {
                        value = rows.getLong(1);
                    }
                    else
                    {
                        status = OperationStatus.INSUFFICIENT_FUNDS;
                        value = walletOf(c, op.playerId); // a refusal reports the unchanged balance, as elsewhere
                    }
                }
            }
            catch (final SQLException ex)
            {
                status = rejection(ex);
                c.rollback(savepoint);
                value = walletOf(c, op.playerId);
            }

            recordOperation(op.operationId, status, value);
            c.commit();
            OperationOutcomes.complete(op, status, value);
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
            if (replayed(op))
            {
                return;
            }

            int status = OperationStatus.OK;
            long value;
            final Savepoint savepoint = c.setSavepoint();
            try (PreparedStatement change = c.prepareStatement(CHANGE_REPUTATION))
            {
                change.setLong(1, op.playerId);
                change.setInt(2, op.factionId);
                change.setLong(3, op.delta);
                value = singleLong(change);
            }
            catch (final SQLException ex)
            {
                status = rejection(ex);
                c.rollback(savepoint);
                try (PreparedStatement select = c.prepareStatement(SELECT_REPUTATION))
                {
                    select.setLong(1, op.playerId);
                    select.setInt(2, op.factionId);
                    value = singleLong(select);
                }
            }

            recordOperation(op.operationId, status, value);
            c.commit();
            OperationOutcomes.complete(op, status, value);
        }
        catch (final SQLException ex)
        {
            throw failed("reputation change " + op.operationId, ex);
        }
    }

    @Override
    public long walletBalance(final long playerId)
    {
        ensureOpen();
        try (PreparedStatement select = connection().prepareStatement(SELECT_WALLET))
        {
            select.setLong(1, playerId);
            final long balance = singleLong(select);
            connection.commit();
            return balance;
        }
        catch (final SQLException ex)
        {
            throw failed("wallet read", ex);
        }
    }

    @Override
    public long reputation(final long playerId, final int factionId)
    {
        ensureOpen();
        try (PreparedStatement select = connection().prepareStatement(SELECT_REPUTATION))
        {
            select.setLong(1, playerId);
            select.setInt(2, factionId);
            final long standing = singleLong(select);
            connection.commit();
            return standing;
        }
        catch (final SQLException ex)
        {
            throw failed("reputation read", ex);
        }
    }

    @Override
    public int loadStowedItems(final long ownerPlayerId, final StowedItemHandler handler)
    {
        ensureOpen();
        try (PreparedStatement select = connection().prepareStatement(SELECT_STOWED_BY_OWNER))
        {
            select.setLong(1, ownerPlayerId);
            int count = 0;
            try (ResultSet rows = select.executeQuery())
            {
                while (rows.next())
                {
                    readStowed(rows, scratch);
                    handler.onItem(rows.getLong(1), rows.getLong(2), rows.getLong(3), scratch);
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
    public long nodeCount()
    {
        ensureOpen();
        try (PreparedStatement select = connection().prepareStatement(COUNT_NODES))
        {
            final long count = singleLong(select);
            connection.commit();
            return count;
        }
        catch (final SQLException ex)
        {
            throw failed("node count", ex);
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
                for (final String ddl : CREATE)
                {
                    statement.execute(ddl);
                }
                try (ResultSet rows = statement.executeQuery("SHOW fsync"))
                {
                    serverFsync = rows.next() && "on".equals(rows.getString(1));
                }
            }
            c.commit();

            upsertNodes = c.prepareStatement(UPSERT_NODES);
            insertEdges = c.prepareStatement(INSERT_EDGES);
            deleteEdges = c.prepareStatement(DELETE_EDGES);
            deleteEdgesOfNodes = c.prepareStatement(DELETE_EDGES_OF_NODES);
            deleteNodes = c.prepareStatement(DELETE_NODES);
            deleteNodeLocations = c.prepareStatement(DELETE_NODE_LOCATIONS);
            selectOperation = c.prepareStatement(SELECT_OPERATION);
            insertOperation = c.prepareStatement(INSERT_OPERATION);
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
        pgConnection = c.unwrap(PGConnection.class);
        return c;
    }

    private void disconnect()
    {
        final Connection c = connection;
        connection = null;
        pgConnection = null;
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

    /**
     * Roll back (or drop a broken connection, to be reopened by the next call) and wrap the failure.
     */
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

    private void writeEdges(final Connection c, final WorldBatch batch) throws SQLException
    {
        int added = 0;
        int removed = 0;
        for (int i = 0, n = batch.edgeCount(); i < n; i++)
        {
            if (NodeRecords.isExplicit(batch.edgeKind(i)))
            {
                if (batch.isEdgeRemoved(i))
                {
                    removed++;
                }
                else
                {
                    added++;
                }
            }
        }

        if (added > 0)
        {
            bindEdges(pgConnection, insertEdges, batch, false, added);
            insertEdges.executeUpdate();
        }
        if (removed > 0)
        {
            bindEdges(pgConnection, deleteEdges, batch, true, removed);
            deleteEdges.executeUpdate();
        }
    }

    private int readNodes(final PreparedStatement statement, final NodeHandler handler) throws SQLException
    {
        statement.setFetchSize(FETCH_SIZE);
        int count = 0;
        try (ResultSet rows = statement.executeQuery())
        {
            while (rows.next())
            {
                readNode(rows, 1, scratch);
                handler.onNode(scratch);
                count++;
            }
        }
        connection.commit();
        return count;
    }

    private boolean replayed(final StowOperation op) throws SQLException
    {
        selectOperation.setLong(1, op.operationId);
        try (ResultSet rows = selectOperation.executeQuery())
        {
            if (rows.next())
            {
                OperationOutcomes.replay(op, rows.getInt(1), rows.getLong(2));
                connection.commit();
                return true;
            }
        }
        return false;
    }

    private boolean replayed(final WalletOperation op) throws SQLException
    {
        selectOperation.setLong(1, op.operationId);
        try (ResultSet rows = selectOperation.executeQuery())
        {
            if (rows.next())
            {
                OperationOutcomes.replay(op, rows.getInt(1), rows.getLong(2));
                connection.commit();
                return true;
            }
        }
        return false;
    }

    private void recordOperation(final long operationId, final int status, final long value) throws SQLException
    {
        insertOperation.setLong(1, operationId);
        insertOperation.setInt(2, status);
        insertOperation.setLong(3, value);
        insertOperation.executeUpdate();
    }

    /**
     * @return the entity's place, locked for the rest of the transaction, or 0 when it has none.
     */
    private static int lockLocation(final Connection c, final long entityId) throws SQLException
    {
        try (PreparedStatement select = c.prepareStatement(LOCK_LOCATION))
        {
            select.setLong(1, entityId);
            try (ResultSet rows = select.executeQuery())
            {
                return rows.next() ? rows.getInt(1) : 0;
            }
        }
    }

    private static boolean selectNode(final Connection c, final long entityId, final NodeRecord into)
        throws SQLException
    {
        try (PreparedStatement select = c.prepareStatement(SELECT_NODE))
        {
            select.setLong(1, entityId);
            try (ResultSet rows = select.executeQuery())
            {
                if (rows.next())
                {
                    readNode(rows, 1, into);
                    return true;
                }
                return false;
            }
        }
    }

    /**
     * @return the owner of the stowed item (row locked, item read into {@code into}), or {@link Long#MIN_VALUE}.
     */
    private static long selectStowedForUpdate(final Connection c, final long itemId, final NodeRecord into)
        throws SQLException
    {
        try (PreparedStatement select = c.prepareStatement(SELECT_STOWED_FOR_UPDATE))
        {
            select.setLong(1, itemId);
            try (ResultSet rows = select.executeQuery())
            {
                if (rows.next())
                {
                    readStowed(rows, into);
                    return rows.getLong(2);
                }
                return Long.MIN_VALUE;
            }
        }
    }

    private static void deleteNodeAndEdges(final Connection c, final long entityId) throws SQLException
    {
        try (PreparedStatement delete = c.prepareStatement(DELETE_EDGES_OF_NODE))
        {
            delete.setLong(1, entityId);
            delete.setLong(2, entityId);
            delete.executeUpdate();
        }
        try (PreparedStatement delete = c.prepareStatement(DELETE_NODE))
        {
            delete.setLong(1, entityId);
            delete.executeUpdate();
        }
    }

    private static void moveLocation(final Connection c, final long entityId, final int place) throws SQLException
    {
        try (PreparedStatement move = c.prepareStatement(MOVE_LOCATION))
        {
            move.setLong(1, entityId);
            move.setInt(2, place);
            move.executeUpdate();
        }
    }

    private static long walletOf(final Connection c, final long playerId) throws SQLException
    {
        try (PreparedStatement select = c.prepareStatement(SELECT_WALLET))
        {
            select.setLong(1, playerId);
            return singleLong(select);
        }
    }

    private static long singleLong(final PreparedStatement statement) throws SQLException
    {
        try (ResultSet rows = statement.executeQuery())
        {
            return rows.next() ? rows.getLong(1) : 0;
        }
    }

    private static int rejection(final SQLException ex) throws SQLException
    {
        if (CHECK_VIOLATION.equals(ex.getSQLState()))
        {
            return OperationStatus.INSUFFICIENT_FUNDS;
        }
        if (NUMERIC_OUT_OF_RANGE.equals(ex.getSQLState()))
        {
            return OperationStatus.CONFLICT;
        }
        throw ex;
    }

    private void ensureOpen()
    {
        if (closed)
        {
            throw new IllegalStateException(name + " is closed");
        }
    }
}
