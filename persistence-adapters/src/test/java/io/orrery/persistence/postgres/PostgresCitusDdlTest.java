/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.persistence.postgres;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Citus distribution DDL ({@link PostgresCitus}) checked without Citus, which cannot be installed here: its
 * statements run on the embedded PostgreSQL against the real schemas with stand-ins for Citus' functions that record
 * their arguments (so the statements parse, and every table they name exists: a {@code regclass} argument fails
 * otherwise); then the recorded distribution is checked against the catalog for what Citus refuses: a primary key or
 * unique constraint without the distribution column, a foreign key between distributed tables not on both
 * distribution columns or across colocation groups, a table of the Global store left undistributed, sequences, and
 * row locks ({@code FOR UPDATE}) not pinned to one shard by the distribution column.
 */
class PostgresCitusDdlTest
{
    private static final Pattern ROW_LOCK = Pattern.compile(
        "(?:SELECT [^;]*?|PERFORM 1) FROM (\\w+) (\\w+) WHERE ([^;]*?) FOR UPDATE");

    private static PostgresTestServer server;
    private static String global;
    private static String shard;
    private static String stub;

    @BeforeAll
    static void createSchemas() throws IOException
    {
        server = PostgresTestServer.start();
        final long pid = ProcessHandle.current().pid();
        global = "citus_global_" + pid;
        shard = "citus_shard_" + pid;
        stub = "citus_stub_" + pid;
        PostgresGlobalStore.open(server.url(global)).close();
        PostgresPersistenceAdapter.open(server.url(shard + "," + global)).close();

        server.execute("CREATE SCHEMA " + stub);
        server.execute("CREATE TABLE " + stub + ".calls (" +
            "kind text NOT NULL, relation text NOT NULL, column_name text, colocate_with text)");
        server.execute("CREATE FUNCTION " + stub + ".create_distributed_table(" +
            "table_name regclass, distribution_column text, colocate_with text DEFAULT 'default') RETURNS void " +
            "LANGUAGE sql AS $$ INSERT INTO " + stub + ".calls VALUES ('distributed', " +
            "table_name::text, distribution_column, colocate_with) $$");
        server.execute("CREATE FUNCTION " + stub + ".create_reference_table(table_name regclass) RETURNS void " +
            "LANGUAGE sql AS $$ INSERT INTO " + stub + ".calls VALUES ('reference', table_name::text, NULL, NULL) $$");
        server.execute("CREATE FUNCTION " + stub + ".citus_schema_distribute(schemaname regnamespace) " +
            "RETURNS void LANGUAGE sql AS $$ INSERT INTO " + stub + ".calls VALUES ('schema', " +
            "schemaname::text, NULL, NULL) $$");
    }

    @AfterAll
    static void dropSchemas() throws IOException
    {
        for (final String schema : new String[]{ shard, global, stub })
        {
            server.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
        server.close();
    }

    @Test
    void shouldDistributeEveryGlobalTableByAColumnOfEachOfItsKeys() throws SQLException
    {
        final Map<String, String> columnByTable = new HashMap<>();
        final Map<String, String> groupByTable = new HashMap<>();
        try (Connection c = connect(global + "," + stub); Statement statement = c.createStatement())
        {
            runRecorded(statement, PostgresCitus.statements(PostgresCitus.GLOBAL_RESOURCE), columnByTable,
                groupByTable);

            assertEquals(tables(c, global), new TreeSet<>(columnByTable.keySet()),
                "every table of the Global store is distributed");

            for (final Map.Entry<String, String> entry : columnByTable.entrySet())
            {
                final List<List<String>> keys = uniqueKeys(c, global, entry.getKey());
                assertFalse(keys.isEmpty(), entry.getKey() + " has a primary key");
                for (final List<String> key : keys)
                {
                    assertTrue(key.contains(entry.getValue()),
                        entry.getKey() + ": unique key " + key + " lacks the distribution column " + entry.getValue());
                }
            }

            for (final String[] foreignKey : foreignKeys(c, global))
            {
                final String from = foreignKey[0];
                final String to = foreignKey[2];
                final List<String> fromColumns = Arrays.asList(foreignKey[1].split(","));
                final List<String> toColumns = Arrays.asList(foreignKey[3].split(","));
                assertTrue(columnByTable.containsKey(to), from + " references " + to + ", which is not distributed");
                final int position = fromColumns.indexOf(columnByTable.get(from));
                assertTrue(position >= 0, from + "'s foreign key lacks its distribution column");
                assertEquals(columnByTable.get(to), toColumns.get(position),
                    from + "'s foreign key does not meet " + to + "'s distribution column");
                assertEquals(groupByTable.get(from), groupByTable.get(to), from + " and " + to + " not co-located");
            }
        }
    }

    @Test
    void shouldPlaceShardGraphAsOneDistributedSchemaWithNoKeyOutsideIt() throws SQLException
    {
        try (Connection c = connect(shard + "," + stub); Statement statement = c.createStatement())
        {
            for (final String sql : PostgresCitus.statements(PostgresCitus.GRAPH_RESOURCE))
            {
                statement.execute(sql);
            }
            try (ResultSet rows = statement.executeQuery("SELECT relation FROM " + stub + ".calls WHERE kind = 'schema'"))
            {
                assertTrue(rows.next());
                assertEquals(shard, rows.getString(1));
            }
            // a distributed schema's tables may not reference tables outside it
            for (final String[] foreignKey : foreignKeys(c, shard))
            {
                assertTrue(tables(c, shard).contains(foreignKey[2]), "nodes/edges reference " + foreignKey[2]);
            }
            assertEquals(Set.of("edges", "nodes"), tables(c, shard));
        }
    }

    @Test
    void shouldUseNoSequence() throws SQLException
    {
        try (Connection c = connect(global);
            PreparedStatement select = c.prepareStatement(
                "SELECT count(*) FROM pg_class k JOIN pg_namespace n ON n.oid = k.relnamespace " +
                "WHERE k.relkind = 'S' AND n.nspname IN (?, ?)");
            PreparedStatement defaults = c.prepareStatement(
                "SELECT count(*) FROM information_schema.columns WHERE table_schema IN (?, ?) " +
                "AND (column_default LIKE 'nextval%' OR is_identity = 'YES')"))
        {
            for (final PreparedStatement query : new PreparedStatement[]{ select, defaults })
            {
                query.setString(1, global);
                query.setString(2, shard);
                try (ResultSet rows = query.executeQuery())
                {
                    rows.next();
                    assertEquals(0, rows.getLong(1));
                }
            }
        }
    }

    @Test
    void shouldLockRowsOnlyThroughTheDistributionColumn()
    {
        final Map<String, String> columnByTable = new HashMap<>();
        for (final String sql : PostgresCitus.statements(PostgresCitus.GLOBAL_RESOURCE))
        {
            final Matcher call = Pattern.compile("create_distributed_table\\('(\\w+)', '(\\w+)'").matcher(sql);
            assertTrue(call.find(), sql);
            columnByTable.put(call.group(1), call.group(2));
        }

        final Set<String> functions = new LinkedHashSet<>(Arrays.asList(PostgresSchema.createFunctions(false)));
        functions.addAll(Arrays.asList(PostgresSchema.CREATE_GLOBAL_FUNCTIONS)); // wallet, reputation in both
        int locks = 0;
        for (final String function : functions)
        {
            final Matcher lock = ROW_LOCK.matcher(function);
            while (lock.find())
            {
                final String column = columnByTable.get(lock.group(1));
                assertNotNull(column, "row lock on a table that is not distributed: " + lock.group(1));
                assertTrue(lock.group(3).contains(lock.group(2) + "." + column + " = p_"),
                    "row lock not pinned to one shard: " + lock.group());
                locks++;
            }
        }
        assertEquals(7, locks, "row locks found in the functions");
    }

    @Test
    void shouldDistributeNothingWithoutCitus() throws SQLException
    {
        try (Connection c = connect(global); Statement statement = c.createStatement())
        {
            assertFalse(PostgresCitus.isInstalled(statement));
            assertEquals(0, PostgresCitus.distributeGlobalStore(statement));
            assertEquals(0, PostgresCitus.distributeGraph(statement));
        }
    }

    private static void runRecorded(
        final Statement statement,
        final List<String> sqls,
        final Map<String, String> columnByTable,
        final Map<String, String> groupByTable) throws SQLException
    {
        statement.execute("TRUNCATE " + stub + ".calls");
        assertFalse(sqls.isEmpty());
        for (final String sql : sqls)
        {
            assertNotNull(PostgresCitus.distributedTable(sql), sql);
            statement.execute(sql);
        }
        try (ResultSet rows = statement.executeQuery(
            "SELECT relation, column_name, colocate_with FROM " + stub + ".calls WHERE kind = 'distributed'"))
        {
            while (rows.next())
            {
                final String table = rows.getString(1);
                final String colocateWith = rows.getString(3);
                columnByTable.put(table, rows.getString(2));
                groupByTable.put(table, "default".equals(colocateWith) ? "default" : groupByTable.get(colocateWith));
                assertNotNull(groupByTable.get(table), table + " co-located with a table not distributed before it");
            }
        }
        assertEquals(sqls.size(), columnByTable.size());
    }

    private static Connection connect(final String searchPath) throws SQLException
    {
        return DriverManager.getConnection(server.url(searchPath));
    }

    private static Set<String> tables(final Connection c, final String schema) throws SQLException
    {
        final Set<String> tables = new TreeSet<>();
        try (PreparedStatement select = c.prepareStatement("SELECT tablename FROM pg_tables WHERE schemaname = ?"))
        {
            select.setString(1, schema);
            try (ResultSet rows = select.executeQuery())
            {
                while (rows.next())
                {
                    tables.add(rows.getString(1));
                }
            }
        }
        return tables;
    }

    /**
     * @return the columns of each primary key and unique index of the table.
     */
    private static List<List<String>> uniqueKeys(final Connection c, final String schema, final String table)
        throws SQLException
    {
        final List<List<String>> keys = new ArrayList<>();
        try (PreparedStatement select = c.prepareStatement(
            "SELECT array_to_string(ARRAY(SELECT a.attname FROM unnest(i.indkey) k " +
            "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k), ',') " +
            "FROM pg_index i WHERE i.indisunique AND i.indrelid = (quote_ident(?) || '.' || quote_ident(?))::regclass"))
        {
            select.setString(1, schema);
            select.setString(2, table);
            try (ResultSet rows = select.executeQuery())
            {
                while (rows.next())
                {
                    keys.add(Arrays.asList(rows.getString(1).split(",")));
                }
            }
        }
        return keys;
    }

    /**
     * @return each foreign key of the schema's tables: referencing table, its columns, referenced table, its columns.
     */
    private static List<String[]> foreignKeys(final Connection c, final String schema) throws SQLException
    {
        final List<String[]> keys = new ArrayList<>();
        try (PreparedStatement select = c.prepareStatement(
            "SELECT k.conrelid::regclass::text, " +
            "array_to_string(ARRAY(SELECT a.attname FROM unnest(k.conkey) WITH ORDINALITY u(n, o) " +
            "JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n ORDER BY u.o), ','), " +
            "(SELECT relname FROM pg_class WHERE oid = k.confrelid), " +
            "array_to_string(ARRAY(SELECT a.attname FROM unnest(k.confkey) WITH ORDINALITY u(n, o) " +
            "JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.n ORDER BY u.o), ',') " +
            "FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace " +
            "WHERE k.contype = 'f' AND n.nspname = ?"))
        {
            select.setString(1, schema);
            try (ResultSet rows = select.executeQuery())
            {
                while (rows.next())
                {
                    final String from = rows.getString(1);
                    keys.add(new String[]{
                        from.substring(from.indexOf('.') + 1), rows.getString(2), rows.getString(3), rows.getString(4) });
                }
            }
        }
        return keys;
    }
}
