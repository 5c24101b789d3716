/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.persistence.postgres;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Distribution of the stores over a Citus cluster, applied when the {@code citus} extension is installed and not
 * otherwise: the Global store's tables become hash-distributed tables ({@value #GLOBAL_RESOURCE}: items by item id,
 * everything else by player id), a shard's graph schema a distributed schema ({@value #GRAPH_RESOURCE}: the whole
 * world of one shard on one worker). The statements are SQL resources so that a DBA can read and run them by hand;
 * see {@code persistence-adapters/CITUS.md} for the keys and why.
 * <p>
 * Threading: stateless.
 */
final class PostgresCitus
{
    /** Distribution of the Global store's tables. */
    static final String GLOBAL_RESOURCE = "citus-global.sql";
    /** Placement of a shard's graph schema. */
    static final String GRAPH_RESOURCE = "citus-graph.sql";

    static final String CITUS_INSTALLED = "SELECT 1 FROM pg_extension WHERE extname = 'citus'";
    static final String TABLE_DISTRIBUTED = "SELECT 1 FROM pg_dist_partition WHERE logicalrelid = ?::regclass";
    static final String SCHEMA_DISTRIBUTED =
        "SELECT 1 FROM pg_dist_schema WHERE schemaid = current_schema()::text::regnamespace";

    private static final Pattern DISTRIBUTED_TABLE = Pattern.compile("create_distributed_table\\('([^']+)'");

    private PostgresCitus()
    {
    }

    /**
     * @return whether the server has the citus extension.
     */
    static boolean isInstalled(final Statement statement) throws SQLException
    {
        try (ResultSet rows = statement.executeQuery(CITUS_INSTALLED))
        {
            return rows.next();
        }
    }

    /**
     * With citus installed, distribute each Global store table not distributed yet (tables named unqualified, found
     * through the search path).
     *
     * @return the number of statements run.
     */
    static int distributeGlobalStore(final Statement statement) throws SQLException
    {
        if (!isInstalled(statement))
        {
            return 0;
        }
        int run = 0;
        for (final String sql : statements(GLOBAL_RESOURCE))
        {
            final String table = distributedTable(sql);
            if (null == table || !isDistributed(statement, table))
            {
                statement.execute(sql);
                run++;
            }
        }
        return run;
    }

    /**
     * With citus installed, make the connection's current schema (a shard's graph) a distributed schema, unless it
     * is one already.
     *
     * @return the number of statements run.
     */
    static int distributeGraph(final Statement statement) throws SQLException
    {
        if (!isInstalled(statement))
        {
            return 0;
        }
        try (ResultSet rows = statement.executeQuery(SCHEMA_DISTRIBUTED))
        {
            if (rows.next())
            {
                return 0;
            }
        }
        int run = 0;
        for (final String sql : statements(GRAPH_RESOURCE))
        {
            statement.execute(sql);
            run++;
        }
        return run;
    }

    /**
     * The statements of a resource: comment lines ({@code --}) dropped, statements ended by a semicolon at the end
     * of a line.
     */
    static List<String> statements(final String resource)
    {
        final String text;
        try (InputStream in = PostgresCitus.class.getResourceAsStream(resource))
        {
            if (null == in)
            {
                throw new IllegalStateException("missing resource " + resource);
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }

        final List<String> statements = new ArrayList<>();
        final StringBuilder current = new StringBuilder();
        for (final String line : text.split("\n"))
        {
            final String trimmed = line.trim();
            if (trimmed.isEmpty() || trimmed.startsWith("--"))
            {
                continue;
            }
            if (current.length() > 0)
            {
                current.append(' ');
            }
            current.append(trimmed);
            if (trimmed.endsWith(";"))
            {
                current.setLength(current.length() - 1);
                statements.add(current.toString());
                current.setLength(0);
            }
        }
        if (current.length() > 0)
        {
            throw new IllegalStateException(resource + ": statement without a closing semicolon: " + current);
        }
        return statements;
    }

    /**
     * @return the table a {@code create_distributed_table} statement distributes, null for another statement.
     */
    static String distributedTable(final String sql)
    {
        final Matcher matcher = DISTRIBUTED_TABLE.matcher(sql);
        return matcher.find() ? matcher.group(1) : null;
    }

    private static boolean isDistributed(final Statement statement, final String table) throws SQLException
    {
        try (PreparedStatement select = statement.getConnection().prepareStatement(TABLE_DISTRIBUTED))
        {
            select.setString(1, table);
            try (ResultSet rows = select.executeQuery())
            {
                return rows.next();
            }
        }
    }
}
