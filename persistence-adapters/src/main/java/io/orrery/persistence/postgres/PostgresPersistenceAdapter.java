/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.persistence.postgres;

import io.orrery.core.persistence.EdgeKind;
import io.orrery.core.persistence.EntityGraphStore;
import io.orrery.core.persistence.NodeRecord;
import io.orrery.core.persistence.OperationStatus;
import io.orrery.core.persistence.PersistenceAdapter;
import io.orrery.core.persistence.PersistenceException;
import io.orrery.core.persistence.StowOperation;
import io.orrery.core.persistence.WalletOperation;
import io.orrery.core.persistence.WorldBatch;
import io.orrery.persistence.NodeRecords;
import io.orrery.persistence.OperationOutcomes;
import org.agrona.collections.Long2LongHashMap;
import org.postgresql.PGConnection;

import java.net.URI;
import java.net.URISyntaxException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
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
 * <b>Several shards, one Global store:</b> with {@code currentSchema=shard_a,global} in the URL the shard's graph
 * ({@code nodes}, {@code edges}, and the operation functions) lives in schema {@code shard_a} and the Global store
 * in schema {@code global}, which every shard of the deployment names second; statements name tables unqualified
 * and the search path finds each in its schema, so a stow or unstow is still one transaction across both schemas.
 * The Global store alone (for shards whose graph is elsewhere) is {@link PostgresGlobalStore}; this adapter's
 * wallet, reputation and stowed item calls are a {@link PostgresGlobalStore} over this adapter's own connection
 * ({@link PostgresSession}), so that code exists once. Stow and unstow stay here: they move a row between the
 * graph and the Global store in one function call.
 * <p>
 * One connection: every call is one transaction, committed before it returns (the session runs with
 * {@code synchronous_commit = on}, so a returned call is durable as far as the server's {@code fsync} setting
 * allows; {@link #serverFsync()} reports it). A {@link WorldBatch} is one statement over arrays ({@code unnest}) per
 * {@value #MAX_ROWS_PER_STATEMENT_DEFAULT} node upserts (existing nodes updated in place, new ones located and
 * inserted), one for node removals, then the commit: two round trips for a typical batch. Stow, unstow, wallet and
 * reputation changes are one round trip each: a call of a {@link PostgresSchema} function in autocommit, which the
 * server commits (and flushes) before it answers. A call that fails rolls back and throws
 * {@link PersistenceException}; a broken connection is reopened by the next call.
 * <p>
 * Threading: not thread safe; one caller thread at a time, as the SPI says.
 */
public final class PostgresPersistenceAdapter implements PersistenceAdapter
{
    private static final int FETCH_SIZE = 1024;
    private static final long NO_INDEX = -1;

    /**
     * System property: the most node upserts one statement carries; a larger batch is split into several statements
     * of one transaction (still one commit, still atomic).
     */
    public static final String MAX_ROWS_PER_STATEMENT_PROP = "orrery.postgres.max.rows.per.statement";

    /**
     * Default of {@link #MAX_ROWS_PER_STATEMENT_PROP}: large enough that the per-statement overhead is small, small
     * enough that the statement's working set stays in {@code work_mem} (4 MiB by default) and the planner keeps
     * probing the primary keys rather than hashing whole tables.
     */
    public static final int MAX_ROWS_PER_STATEMENT_DEFAULT = 4096;

    /**
     * Socket read timeout in seconds: a server that stops answering (stalled, or its host partitioned away) fails the
     * call within it instead of blocking Scribe's consumer forever; Scribe counts the failure and retries.
     */
    public static final int SOCKET_TIMEOUT_S_DEFAULT = 15;
    /**
     * System property for the socket timeout default (seconds); a {@code socketTimeout} in the URL wins.
     */
    public static final String SOCKET_TIMEOUT_S_PROP = "orrery.postgres.socket.timeout.s";
    /**
     * Connect timeout in seconds.
     */
    public static final int CONNECT_TIMEOUT_S_DEFAULT = 5;

    private static final int MAX_ROWS_PER_STATEMENT = Math.max(1,
        Integer.getInteger(MAX_ROWS_PER_STATEMENT_PROP, MAX_ROWS_PER_STATEMENT_DEFAULT));

    private final String[] schemas;
    private final PostgresSession session;
    private final PostgresGlobalStore global;
    private final String jdbcUrl;
    private final Properties properties;
    private final NodeRecord scratch = new NodeRecord();
    private final NodeRecord item = new NodeRecord();
    private PGConnection pgConnection;
    private Connection connectionOfStatements;
    private boolean serverFsync;
    private long walTarget;
    private boolean walTargetKnown = true;

    private final Long2LongHashMap lastUpsertById = new Long2LongHashMap(NO_INDEX);
    private int[] selectedUpserts = new int[0];

    private PreparedStatement upsertNodes;
    private PreparedStatement insertEdges;
    private PreparedStatement deleteEdges;
    private PreparedStatement removeNodes;
    private PreparedStatement stow;
    private PreparedStatement unstow;

    private PostgresPersistenceAdapter(final String jdbcUrl, final Properties properties)
    {
        final int query = jdbcUrl.indexOf('?');
        this.jdbcUrl = jdbcUrl;
        this.properties = properties;
        this.schemas = searchPath(jdbcUrl);
        final String name = "postgres:" + (query < 0 ? jdbcUrl : jdbcUrl.substring(0, query)) +
            (schemas.length > 1 ? " (graph " + schemas[0] + ", global store " + schemas[1] + ")" : "");
        this.session = new PostgresSession(jdbcUrl, properties, name, this::createWhatIsMissing);
        this.global = PostgresGlobalStore.over(session);
    }

    /**
     * The schemas of the URL's {@code currentSchema} parameter (pgjdbc sets them as the session's search path), in
     * order; empty when the URL has none.
     */
    static String[] searchPath(final String jdbcUrl)
    {
        final int query = jdbcUrl.indexOf('?');
        if (query < 0)
        {
            return new String[0];
        }
        for (final String parameter : jdbcUrl.substring(query + 1).split("&"))
        {
            if (parameter.startsWith("currentSchema="))
            {
                final String value = java.net.URLDecoder.decode(
                    parameter.substring("currentSchema=".length()), java.nio.charset.StandardCharsets.UTF_8);
                final String[] schemas = value.split(",");
                for (int i = 0; i < schemas.length; i++)
                {
                    schemas[i] = schemas[i].trim();
                }
                return schemas;
            }
        }
        return new String[0];
    }

    /**
     * With two schemas in the search path ({@code currentSchema=shard_a,global}) the shard's EntityGraph goes into
     * the first and the Global store into the second, shared with the other shards of the deployment: both are
     * created when missing (the Global store's under its own lock, taken before the shard's, as every shard does).
     *
     * @return the qualifier for the Global store's tables: {@code ""} with one schema (all in the current one).
     */
    static String createSchemas(final Connection c, final Statement statement, final String[] schemas)
        throws SQLException
    {
        if (schemas.length < 2)
        {
            return "";
        }
        final String global = quoteIdentifier(schemas[1]);
        try (PreparedStatement lock = c.prepareStatement(LOCK_GLOBAL_SCHEMA_CREATION))
        {
            lock.setString(1, schemas[1]);
            lock.execute();
        }
        statement.execute("CREATE SCHEMA IF NOT EXISTS " + global);
        statement.execute("CREATE SCHEMA IF NOT EXISTS " + quoteIdentifier(schemas[0]));
        return global + ".";
    }

    static String quoteIdentifier(final String identifier)
    {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    /**
     * @return the schema holding the Global store: the second of the URL's {@code currentSchema} when it names two,
     * else the first (null when none: the server's default search path).
     */
    public String globalSchema()
    {
        return schemas.length > 1 ? schemas[1] : schemas.length == 1 ? schemas[0] : null;
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
        final String jdbcUrl = toJdbcUrl(url);
        final PostgresPersistenceAdapter adapter =
            new PostgresPersistenceAdapter(jdbcUrl, withTimeouts(jdbcUrl, properties));
        try
        {
            adapter.connection();
            return adapter;
        }
        catch (final SQLException ex)
        {
            adapter.close();
            throw new PersistenceException("cannot open " + adapter.name(), ex);
        }
    }

    /**
     * Defaults for what a stalled or partitioned server must not be able to do (block forever): a socket timeout,
     * a connect timeout and TCP keepalive, unless the URL or the properties set them.
     */
    static Properties withTimeouts(final String jdbcUrl, final Properties given)
    {
        final Properties properties = new Properties();
        properties.putAll(given);
        final String query = jdbcUrl.indexOf('?') < 0 ? "" : jdbcUrl.substring(jdbcUrl.indexOf('?') + 1);
        putUnlessSet(properties, query, "socketTimeout",
            Integer.toString(Integer.getInteger(SOCKET_TIMEOUT_S_PROP, SOCKET_TIMEOUT_S_DEFAULT)));
        putUnlessSet(properties, query, "connectTimeout", Integer.toString(CONNECT_TIMEOUT_S_DEFAULT));
        putUnlessSet(properties, query, "tcpKeepAlive", "true");
        return properties;
    }

    private static void putUnlessSet(
        final Properties properties, final String query, final String key, final String value)
    {
        if (!properties.containsKey(key) && !("&" + query).contains("&" + key + "="))
        {
            properties.setProperty(key, value);
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
        return session.name();
    }

    @Override
    public void write(final WorldBatch batch)
    {
        writeBatch(batch, false);
    }

    /**
     * {@inheritDoc}
     * <p>
     * Here: a transaction with {@code SET LOCAL synchronous_commit = off} (the session stays synchronous). Every
     * later synchronous commit that writes flushes the WAL past it; {@link #isLogFlushed()} compares the WAL flush
     * position with the insert position it read at its first call after the write (past the write's commit).
     */
    @Override
    public boolean supportsAsyncWriteBehind()
    {
        return true;
    }

    @Override
    public void writeBehind(final WorldBatch batch)
    {
        writeBatch(batch, !session.isGrouped()); // in a group: committed, synchronously, with the group
    }

    private void writeBatch(final WorldBatch batch, final boolean async)
    {
        session.ensureOpen();
        NodeRecords.validate(batch);
        if (batch.isEmpty())
        {
            return;
        }

        try
        {
            final Connection c = connection();
            if (async)
            {
                try (Statement statement = c.createStatement())
                {
                    statement.execute("SET LOCAL synchronous_commit = off");
                }
            }
            writeRows(c, batch);
            session.commit(c);
            if (async)
            {
                walTargetKnown = false;
            }
        }
        catch (final SQLException ex)
        {
            throw session.failed((async ? "write-behind of " : "write of ") + batch.size() + " entries", ex);
        }
    }

    /**
     * {@inheritDoc}
     * <p>
     * Here: an adapter of its own on the same URL and properties (a second connection, same schemas); its commits are
     * synchronous, and the operations on this connection that depend on its rows wait for them (Scribe).
     */
    @Override
    public EntityGraphStore openWorldWriter()
    {
        return open(jdbcUrl, properties);
    }

    @Override
    public boolean isLogFlushed()
    {
        session.ensureOpen();
        try
        {
            final Connection c = connection();
            try (Statement statement = c.createStatement();
                ResultSet rs = statement.executeQuery("SELECT (pg_current_wal_flush_lsn() - '0/0'::pg_lsn)::int8, " +
                    "(pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::int8"))
            {
                rs.next();
                final long flushed = rs.getLong(1);
                if (!walTargetKnown)
                {
                    walTarget = rs.getLong(2); // past the commit of every write-behind before this call
                    walTargetKnown = true;
                }
                c.commit();
                return flushed >= walTarget;
            }
        }
        catch (final SQLException ex)
        {
            throw session.failed("WAL flush position", ex);
        }
    }

    /**
     * {@inheritDoc}
     * <p>
     * Here: a transaction that takes a transaction id, so that its synchronous commit writes a commit record and
     * flushes the WAL up to it; in a group, the group's commit does.
     */
    @Override
    public void flushLog()
    {
        session.ensureOpen();
        try
        {
            final Connection c = connection();
            try (Statement statement = c.createStatement())
            {
                statement.execute("SELECT pg_current_xact_id()");
            }
            session.commit(c);
        }
        catch (final SQLException ex)
        {
            throw session.failed("WAL flush", ex);
        }
    }

    private void writeRows(final Connection c, final WorldBatch batch) throws SQLException
    {
        final int selected = selectUpserts(batch);
        for (int from = 0; from < selected; from += MAX_ROWS_PER_STATEMENT)
        {
            bindNodeArrays(c, pgConnection, upsertNodes, batch, selectedUpserts, from,
                Math.min(selected, from + MAX_ROWS_PER_STATEMENT));
            upsertNodes.executeUpdate();
        }

        writeEdges(batch);

        final int removalCount = batch.nodeRemovalCount();
        if (removalCount > 0)
        {
            final long[] ids = new long[removalCount];
            for (int i = 0; i < removalCount; i++)
            {
                ids[i] = batch.nodeRemoval(i);
            }
            final Array idArray = pgConnection.createArrayOf("int8", ids);
            for (int p = 1; p <= 4; p++)
            {
                removeNodes.setArray(p, idArray);
            }
            removeNodes.executeUpdate();
        }
    }

    @Override
    public int loadZoneSubtree(final long rootZoneId, final NodeHandler handler)
    {
        session.ensureOpen();
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
            throw session.failed("subtree load", ex);
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
        session.ensureOpen();
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
            throw session.failed("region load", ex);
        }
    }

    @Override
    public int loadAll(final NodeHandler handler)
    {
        session.ensureOpen();
        try (PreparedStatement statement = connection().prepareStatement(SELECT_ALL))
        {
            return readNodes(statement, handler);
        }
        catch (final SQLException ex)
        {
            throw session.failed("load of every node", ex);
        }
    }

    @Override
    public int loadEdges(final long entityId, final EdgeHandler handler)
    {
        session.ensureOpen();
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
            session.current().commit();
            return count;
        }
        catch (final SQLException ex)
        {
            throw session.failed("edge load", ex);
        }
    }

    @Override
    public void stow(final StowOperation op)
    {
        session.ensureOpen();
        NodeRecords.validate(op.node);
        final boolean carriesState = NodeRecords.carriesState(op);
        try
        {
            final Connection c = connection();
            stow.setLong(1, op.operationId);
            stow.setLong(2, op.entityId);
            stow.setLong(3, op.ownerPlayerId);
            stow.setLong(4, op.containerId);
            stow.setBoolean(5, carriesState);
            bindNodeFields(stow, 6, op.node);
            PostgresGlobalStore.runOperation(session, c, stow, op);
        }
        catch (final SQLException ex)
        {
            throw session.failed("stow " + op.operationId, ex);
        }
    }

    @Override
    public void unstow(final StowOperation op)
    {
        session.ensureOpen();
        NodeRecords.validate(op.node);
        final long targetId = NodeRecords.unstowTargetId(op);
        try
        {
            final Connection c = connection();
            unstow.setLong(1, op.operationId);
            unstow.setLong(2, op.entityId);
            unstow.setLong(3, op.ownerPlayerId);
            unstow.setLong(4, targetId);
            bindNodeFields(unstow, 5, op.node);
            session.beginAutoCommit(c);
            try (ResultSet rows = unstow.executeQuery())
            {
                rows.next();
                final int status = rows.getInt(2);
                if (rows.getBoolean(1))
                {
                    OperationOutcomes.replay(op, status, rows.getLong(3));
                }
                else
                {
                    if (OperationStatus.OK == status)
                    {
                        // the contract: an applied unstow returns the node as inserted
                        item.reset();
                        item.archetypeId = rows.getInt(4);
                        final byte[] itemState = rows.getBytes(5);
                        if (null != itemState)
                        {
                            readState(itemState, item);
                        }
                        NodeRecords.unstowNode(op, item, scratch);
                        op.node.copyFrom(scratch);
                    }
                    OperationOutcomes.complete(op, status);
                }
            }
            finally
            {
                session.endAutoCommit(c);
            }
        }
        catch (final SQLException ex)
        {
            throw session.failed("unstow " + op.operationId, ex);
        }
    }

    /**
     * {@inheritDoc}
     * <p>
     * Here: world batches and operations of the group run on the one connection in one transaction (BEGIN travels
     * with the first statement), and {@link #commitGroup()} is the one COMMIT: one flush of the WAL for the group.
     */
    @Override
    public boolean supportsGroupCommit()
    {
        return true;
    }

    @Override
    public void beginGroup()
    {
        session.ensureOpen();
        session.beginGroup();
    }

    @Override
    public void commitGroup()
    {
        try
        {
            session.commitGroup();
        }
        catch (final SQLException ex)
        {
            throw session.failed("group commit", ex);
        }
    }

    @Override
    public void abortGroup()
    {
        session.abortGroup();
    }

    @Override
    public void changeWallet(final WalletOperation op)
    {
        global.changeWallet(op);
    }

    @Override
    public void changeReputation(final WalletOperation op)
    {
        global.changeReputation(op);
    }

    @Override
    public long walletBalance(final long playerId)
    {
        return global.walletBalance(playerId);
    }

    @Override
    public long reputation(final long playerId, final int factionId)
    {
        return global.reputation(playerId, factionId);
    }

    @Override
    public int loadStowedItems(final long ownerPlayerId, final StowedItemHandler handler)
    {
        return global.loadStowedItems(ownerPlayerId, handler);
    }

    @Override
    public boolean isStowed(final long itemId)
    {
        return global.isStowed(itemId);
    }

    @Override
    public int recordedOutcome(final StowOperation op, final int type)
    {
        return global.recordedOutcome(op, type); // the same operations table, over this adapter's connection
    }

    @Override
    public long nodeCount()
    {
        session.ensureOpen();
        try (PreparedStatement select = connection().prepareStatement(COUNT_NODES))
        {
            final long count;
            try (ResultSet rows = select.executeQuery())
            {
                count = rows.next() ? rows.getLong(1) : 0;
            }
            session.current().commit();
            return count;
        }
        catch (final SQLException ex)
        {
            throw session.failed("node count", ex);
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
     * The session's connection; a new one was set up by {@link #createWhatIsMissing}.
     */
    private Connection connection() throws SQLException
    {
        final Connection c = session.connection();
        if (c != connectionOfStatements)
        {
            pgConnection = c.unwrap(PGConnection.class);
            connectionOfStatements = c;
        }
        return c;
    }

    /**
     * Set-up of a new connection: the schemas, tables and functions when missing, and the graph's statements (the
     * Global store's are {@link PostgresGlobalStore}'s, prepared by it on the same connection).
     */
    private void createWhatIsMissing(final Connection c, final Statement statement) throws SQLException
    {
        final String qualifier = createSchemas(c, statement, schemas);
        statement.execute(LOCK_SCHEMA_CREATION);
        refuseLegacySchema(statement);
        for (final String ddl : createGlobalTables(qualifier))
        {
            statement.execute(ddl);
        }
        final boolean tracked = qualifier.isEmpty();
        for (final String ddl : createGraphTables(tracked))
        {
            statement.execute(ddl);
        }
        for (final String ddl : createFunctions(tracked))
        {
            statement.execute(ddl);
        }
        if (!tracked)
        {
            // on Citus (extension installed), two schemas only: one schema's nodes reference entity_location
            PostgresCitus.distributeGlobalStore(statement);
            PostgresCitus.distributeGraph(statement);
        }
        try (ResultSet rows = statement.executeQuery("SHOW fsync"))
        {
            serverFsync = rows.next() && "on".equals(rows.getString(1));
        }

        upsertNodes = c.prepareStatement(upsertNodes(schemas.length < 2));
        insertEdges = c.prepareStatement(INSERT_EDGES);
        deleteEdges = c.prepareStatement(DELETE_EDGES);
        removeNodes = c.prepareStatement(REMOVE_NODES);
        stow = c.prepareStatement(STOW);
        unstow = c.prepareStatement(UNSTOW);
    }

    private void writeEdges(final WorldBatch batch) throws SQLException
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
        session.current().commit();
        return count;
    }

    /**
     * Collect the indexes of the batch's upserts to write into {@link #selectedUpserts}: every entity id once, its
     * last entry (the statement updates each row once, so it must not see an id twice).
     *
     * @return the number of upserts selected.
     */
    private int selectUpserts(final WorldBatch batch)
    {
        final int count = batch.nodeUpsertCount();
        if (selectedUpserts.length < count)
        {
            selectedUpserts = new int[count];
        }

        final Long2LongHashMap lastById = lastUpsertById;
        lastById.clear();
        for (int i = 0; i < count; i++)
        {
            lastById.put(batch.nodeUpsert(i).entityId, i);
        }

        int selected = 0;
        for (int i = 0; i < count; i++)
        {
            if (lastById.get(batch.nodeUpsert(i).entityId) == i)
            {
                selectedUpserts[selected++] = i;
            }
        }
        return selected;
    }

    /**
     * The first schema's {@code operations} table keyed operations by a global id; it is not migrated to
     * {@code store_operations} (keyed by player and operation id), so a schema holding it is refused rather than
     * have its applied operations forgotten.
     */
    private static void refuseLegacySchema(final Statement statement) throws SQLException
    {
        try (ResultSet rows = statement.executeQuery(LEGACY_OPERATIONS_TABLE))
        {
            if (rows.next() && null != rows.getString(1))
            {
                throw new SQLException("schema has the table 'operations' of an older Orrery schema (operations " +
                    "keyed by a global id); it is not migrated: use an empty schema");
            }
        }
    }}
