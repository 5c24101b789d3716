/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.persistence.postgres;

import io.orrery.core.persistence.OperationStatus;
import io.orrery.core.persistence.Scribe;
import io.orrery.core.persistence.ScribeContext;
import io.orrery.core.persistence.ScribeCounter;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A PostgreSQL server that stops answering (every server process stopped with SIGSTOP, as a stalled or partitioned
 * host looks to its clients): Scribe's call fails within the socket timeout and is counted as a store failure
 * instead of blocking the consumer with no error; once the server answers again the operation completes, and what
 * was acknowledged before the stall is still there.
 */
class PostgresStallTest
{
    private static final long PLAYER = 42;
    private static EmbeddedPostgres embedded;

    @BeforeAll
    static void startServer() throws IOException
    {
        embedded = PostgresPersistenceAdapterTest.startEmbedded();
    }

    @AfterAll
    static void stopServer() throws IOException
    {
        if (null != embedded)
        {
            embedded.close();
        }
    }

    @Test
    void shouldSetTimeoutsUnlessTheUrlOrPropertiesDo()
    {
        final java.util.Properties defaults = PostgresPersistenceAdapter.withTimeouts(
            "jdbc:postgresql://h/db?user=u", new java.util.Properties());
        assertEquals(Integer.toString(PostgresPersistenceAdapter.SOCKET_TIMEOUT_S_DEFAULT),
            defaults.getProperty("socketTimeout"));
        assertEquals("true", defaults.getProperty("tcpKeepAlive"));
        final java.util.Properties fromUrl = PostgresPersistenceAdapter.withTimeouts(
            "jdbc:postgresql://h/db?user=u&socketTimeout=60", new java.util.Properties());
        assertEquals(null, fromUrl.getProperty("socketTimeout"), "the URL's own value wins");
    }

    @Test
    @Timeout(120)
    void shouldCountAStoreFailureWithinTheSocketTimeoutWhenTheServerStallsAndCompleteWhenItAnswers()
        throws Exception
    {
        final String serverUrl = embedded.getJdbcUrl("postgres", "postgres");
        execute(serverUrl, "CREATE SCHEMA orrery_stall");
        final String url = serverUrl + "&currentSchema=orrery_stall";
        // the adapter's own default (no socketTimeout in the URL), shortened for the test
        System.setProperty(PostgresPersistenceAdapter.SOCKET_TIMEOUT_S_PROP, "2");
        final long[] lastStatus = { -1 };
        final long[] lastValue = { -1 };
        final List<Long> stopped = new ArrayList<>();
        try (PostgresPersistenceAdapter adapter = PostgresPersistenceAdapter.open(url);
            Scribe scribe = Scribe.launch(new ScribeContext()
                .adapter(adapter)
                .useConsumerAgentInvoker(true)
                .retryBackoffMinNs(TimeUnit.MILLISECONDS.toNanos(10))
                .retryBackoffMaxNs(TimeUnit.MILLISECONDS.toNanos(200))))
        {
            assertTrue(scribe.offerWalletChange(1, 1, PLAYER, 100));
            awaitCompletion(scribe, lastStatus, lastValue);
            assertEquals(OperationStatus.OK, lastStatus[0], "acknowledged before the stall");
            assertEquals(100, lastValue[0]);

            stopped.addAll(serverProcesses(serverUrl));
            signal("-STOP", stopped);

            assertTrue(scribe.offerWalletChange(2, 2, PLAYER, 5));
            lastStatus[0] = -1;
            await(() ->
            {
                scribe.invokeConsumer();
                return scribe.counter(ScribeCounter.STORE_FAILURES) > 0;
            }, "a store failure counted while the server stalls");
            assertEquals(-1, lastStatus[0], "nothing completed while the server stalls");

            signal("-CONT", stopped);
            stopped.clear();
            awaitCompletion(scribe, lastStatus, lastValue);
            // the stalled server may still run the statement it had received before it stopped: the retry is then
            // answered as a duplicate of that first application (idempotent by operation id), never applied twice
            assertTrue(OperationStatus.OK == lastStatus[0] || OperationStatus.DUPLICATE == lastStatus[0],
                "completed once the server answers: " + lastStatus[0]);
            assertEquals(105, lastValue[0], "the acknowledged change and the retried one, each once");
            assertEquals(105, adapter.walletBalance(PLAYER));
            assertTrue(scribe.counter(ScribeCounter.RETRIES) > 0);
        }
        finally
        {
            signal("-CONT", stopped);
            System.clearProperty(PostgresPersistenceAdapter.SOCKET_TIMEOUT_S_PROP);
        }
    }

    private static void awaitCompletion(final Scribe scribe, final long[] status, final long[] value)
    {
        status[0] = -1;
        await(() ->
        {
            scribe.invokeConsumer();
            scribe.pollCompletions((type, operationId, correlationId, s, first, v) ->
            {
                status[0] = s;
                value[0] = v;
            }, 16);
            return -1 != status[0];
        }, "completion");
    }

    private static void await(final BooleanSupplier condition, final String what)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                fail("timed out waiting for " + what);
            }
            Thread.onSpinWait();
        }
    }

    /**
     * The postmaster (parent of a backend) and every process it started.
     */
    private static List<Long> serverProcesses(final String serverUrl) throws SQLException
    {
        final ProcessHandle postmaster;
        try (Connection c = DriverManager.getConnection(serverUrl);
            Statement statement = c.createStatement();
            ResultSet rows = statement.executeQuery("SELECT pg_backend_pid()"))
        {
            rows.next();
            final long backend = rows.getLong(1);
            // looked up while the connection is open: the backend exits with it
            postmaster = ProcessHandle.of(backend).flatMap(ProcessHandle::parent)
                .orElseThrow(() -> new IllegalStateException("no postmaster for backend " + backend));
        }
        final List<Long> pids = new ArrayList<>();
        pids.add(postmaster.pid());
        postmaster.descendants().forEach((child) -> pids.add(child.pid()));
        return pids;
    }

    private static void signal(final String signal, final List<Long> pids) throws Exception
    {
        if (pids.isEmpty())
        {
            return;
        }
        final List<String> command = new ArrayList<>();
        command.add("kill");
        command.add(signal);
        for (final long pid : pids)
        {
            command.add(Long.toString(pid));
        }
        final Process kill = new ProcessBuilder(command).inheritIO().start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS));
    }

    private static void execute(final String url, final String sql) throws SQLException
    {
        try (Connection c = DriverManager.getConnection(url); Statement statement = c.createStatement())
        {
            statement.execute(sql);
        }
    }
}
