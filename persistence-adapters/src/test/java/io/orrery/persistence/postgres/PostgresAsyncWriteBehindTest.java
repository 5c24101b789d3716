/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.persistence.postgres;

import io.orrery.core.persistence.NodeRecord;
import io.orrery.core.persistence.OperationStatus;
import io.orrery.core.persistence.Scribe;
import io.orrery.core.persistence.ScribeContext;
import io.orrery.core.persistence.WorldBatch;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Asynchronous write-behind ({@code orrery.scribe.async.write.behind}) through Scribe on the real PostgreSQL adapter
 * (embedded PostgreSQL, fsync on), the consumer stepped on the test thread with a controlled clock: a write-behind
 * batch is in the store (visible) at once, but {@link Scribe#durableSequence()} passes it only when the server says
 * its WAL is flushed, at a flush barrier, or with the next operation, whose acknowledgement keeps meaning that
 * everything offered before it is durable.
 */
class PostgresAsyncWriteBehindTest
{
    private static final long ZONE = 1;
    private static final long PLAYER = 41;
    private static final long FLUSH_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(30);

    private static PostgresTestServer server;
    private static int counter;

    private final CachedNanoClock clock = new CachedNanoClock();
    private final List<Throwable> errors = new ArrayList<>();
    private final NodeRecord node = new NodeRecord();
    private String shardSchema;
    private String globalSchema;
    private PostgresPersistenceAdapter adapter;
    private Scribe scribe;
    private int completedStatus = -1;

    @BeforeAll
    static void startServer() throws IOException
    {
        server = PostgresTestServer.start();
    }

    @AfterAll
    static void stopServer() throws IOException
    {
        server.close();
    }

    @BeforeEach
    void open()
    {
        final String prefix = "orrery_async_" + ProcessHandle.current().pid() + "_" + (++counter);
        shardSchema = prefix + "_shard";
        globalSchema = prefix + "_global";
        adapter = PostgresPersistenceAdapter.open(server.url(shardSchema + "," + globalSchema));
        final WorldBatch batch = new WorldBatch(1);
        node.reset();
        node.entityId = ZONE;
        node.isZone = true;
        node.archetypeId = 1;
        batch.addNodeUpsert().copyFrom(node);
        adapter.write(batch);
        clock.update(1_000_000_000L);
        scribe = Scribe.launch(new ScribeContext()
            .adapter(adapter)
            .useConsumerAgentInvoker(true)
            .nanoClock(clock)
            .flushIntervalNs(FLUSH_INTERVAL_NS)
            .worldWriter(false) // the world writer takes precedence over asynchronous write-behind
            .asyncWriteBehind(true)
            .errorHandler(errors::add));
    }

    @AfterEach
    void close()
    {
        scribe.close();
        adapter.close();
        server.execute("DROP SCHEMA IF EXISTS " + shardSchema + " CASCADE");
        server.execute("DROP SCHEMA IF EXISTS " + globalSchema + " CASCADE");
        assertEquals(List.of(), errors);
    }

    @Test
    void shouldHoldTheDurableSequenceBeforeAnAsynchronousBatchUntilTheServerFlushedItsLog() throws SQLException
    {
        final long sequence = writeBehind(10);
        assertFalse(scribe.isDurable(sequence), "not durable before the server says its WAL is flushed");
        assertEquals(10, xOf(10), "written and visible at once");

        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        while (!scribe.isDurable(sequence) && System.nanoTime() < deadlineNs)
        {
            clock.advance(TimeUnit.MILLISECONDS.toNanos(10)); // the consumer asks every flush interval (its clock)
            scribe.invokeConsumer();
        }
        assertTrue(scribe.isDurable(sequence), "durable once the WAL writer flushed it");
    }

    @Test
    void shouldMakeAnAsynchronousBatchDurableAtAFlushBarrier()
    {
        final long sequence = writeBehind(11);
        final long barrier = scribe.flushNow();
        scribe.invokeConsumer(); // the clock does not move: no WAL position check, the barrier flushes the log
        assertTrue(scribe.isDurable(barrier));
        assertTrue(scribe.isDurable(sequence));
    }

    @Test
    void shouldAcknowledgeAnOperationOnlyWithTheAsynchronousBatchBeforeItDurable()
    {
        final long sequence = writeBehind(12);
        assertTrue(scribe.offerWalletChange(1, 1, PLAYER, 25));
        final long operation = scribe.lastOfferedSequence();
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        while (completedStatus < 0 && System.nanoTime() < deadlineNs)
        {
            scribe.invokeConsumer();
            scribe.pollCompletions(
                (type, operationId, correlationId, status, firstStatus, value) -> completedStatus = status, 1);
        }
        assertEquals(OperationStatus.OK, completedStatus);
        assertTrue(scribe.isDurable(operation), "the operation and everything before it");
        assertTrue(scribe.isDurable(sequence));
        assertEquals(25, adapter.walletBalance(PLAYER));
    }

    /**
     * Offer one upsert and let the flush interval elapse: the consumer writes it behind, asynchronously.
     *
     * @return the upsert's ring sequence.
     */
    private long writeBehind(final long entityId)
    {
        node.reset();
        node.entityId = entityId;
        node.parentZoneId = ZONE;
        node.archetypeId = 9;
        node.x = entityId;
        assertTrue(scribe.offerNodeUpsert(node));
        final long sequence = scribe.lastOfferedSequence();
        scribe.invokeConsumer(); // taken into the pending batch
        clock.advance(FLUSH_INTERVAL_NS);
        scribe.invokeConsumer(); // the interval elapsed: written behind
        return sequence;
    }

    private long xOf(final long entityId) throws SQLException
    {
        try (Connection c = DriverManager.getConnection(server.url(shardSchema));
            Statement statement = c.createStatement();
            ResultSet rs = statement.executeQuery("SELECT x FROM nodes WHERE entity_id = " + entityId))
        {
            return rs.next() ? rs.getLong(1) : -1;
        }
    }
}
