/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.persistence.postgres;

import io.orrery.core.persistence.EdgeKind;
import io.orrery.core.persistence.NodeRecord;
import io.orrery.core.persistence.OperationStatus;
import io.orrery.core.persistence.OperationType;
import io.orrery.core.persistence.Scribe;
import io.orrery.core.persistence.ScribeContext;
import io.orrery.core.persistence.ScribeCounter;
import io.orrery.core.persistence.WorldBatch;
import org.agrona.collections.Long2LongHashMap;
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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Group commit through Scribe on the real PostgreSQL adapter (a shard schema and a Global store schema, embedded
 * PostgreSQL with fsync on), the consumer stepped on the test thread: operations drained together commit in one
 * transaction, with the world changes pending before them only when one of them depends on those (else the world
 * batch is written behind in its own), a failing operation fails no other, and every grouped operation replays its
 * recorded outcome. An operation with nothing behind it in the ring (a group of one) commits in one round trip, in
 * autocommit.
 */
class PostgresGroupCommitTest
{
    private static final long PLAYER = 77;
    private static final long CONTAINER = 5;
    private static final long ZONE = 1;
    private static final int ITEMS = 8;
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);

    private static PostgresTestServer server;
    private static int counter;

    private final Long2LongHashMap statusById = new Long2LongHashMap(-1);
    private final Long2LongHashMap firstStatusById = new Long2LongHashMap(-1);
    private final Long2LongHashMap valueById = new Long2LongHashMap(-1);
    private final List<Long> completionOrder = new ArrayList<>();
    private final List<Throwable> errors = new ArrayList<>();
    private final NodeRecord node = new NodeRecord();
    private String shardSchema;
    private String globalSchema;
    private PostgresPersistenceAdapter adapter;
    private Scribe scribe;

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
        final String prefix = "orrery_group_" + ProcessHandle.current().pid() + "_" + (++counter);
        shardSchema = prefix + "_shard";
        globalSchema = prefix + "_global";
        adapter = PostgresPersistenceAdapter.open(server.url(shardSchema + "," + globalSchema));
        final WorldBatch batch = new WorldBatch(ITEMS + 1);
        zone(node);
        batch.addNodeUpsert().copyFrom(node);
        for (int i = 1; i <= ITEMS; i++)
        {
            item(node, i, 0);
            batch.addNodeUpsert().copyFrom(node);
        }
        adapter.write(batch);
        scribe = launchScribe(true);
    }

    private Scribe launchScribe(final boolean worldWriter)
    {
        return launchScribe(adapter, worldWriter, true);
    }

    private Scribe launchScribe(
        final PostgresPersistenceAdapter adapter, final boolean worldWriter, final boolean groupOfOneAutoCommit)
    {
        return Scribe.launch(new ScribeContext()
            .adapter(adapter)
            .worldWriter(worldWriter)
            .groupOfOneAutoCommit(groupOfOneAutoCommit)
            .useConsumerAgentInvoker(true)
            .errorHandler(errors::add)
            .retryBackoffMinNs(TimeUnit.MILLISECONDS.toNanos(1))
            .retryBackoffMaxNs(TimeUnit.MILLISECONDS.toNanos(4)));
    }

    @AfterEach
    void close()
    {
        scribe.close();
        adapter.close();
        server.execute("DROP SCHEMA IF EXISTS " + shardSchema + " CASCADE");
        server.execute("DROP SCHEMA IF EXISTS " + globalSchema + " CASCADE");
    }

    @Test
    void shouldCommitOperationsDrainedTogetherInOneTransactionWithoutTheUnrelatedWorldBatch() throws SQLException
    {
        for (int i = 1; i <= ITEMS; i++)
        {
            item(node, i, 1000 + i);
            assertTrue(scribe.offerNodeUpsert(node));
        }
        for (int i = 2; i <= ITEMS / 2 + 1; i++) // not item 1: its id is the zone's, every pending upsert involves it
        {
            item(node, i, 2000 + i);
            assertTrue(scribe.offerStow(100 + i, i, PLAYER, CONTAINER, node));
        }
        assertTrue(scribe.offerWalletChange(200, 1, PLAYER, 50));
        assertTrue(scribe.offerWalletChange(201, 2, PLAYER, -51));
        final long lastOffered = scribe.lastOfferedSequence();

        awaitCompletions(ITEMS / 2 + 2);

        assertEquals(1, scribe.counter(ScribeCounter.GROUP_COMMITS), "one transaction for the whole drain");
        assertEquals(0, scribe.counter(ScribeCounter.GROUP_FALLBACKS));
        for (int i = 2; i <= ITEMS / 2 + 1; i++)
        {
            assertEquals(OperationStatus.OK, statusById.get(100 + i));
            assertTrue(adapter.isStowed(i));
        }
        assertEquals(OperationStatus.OK, statusById.get(200));
        assertEquals(OperationStatus.INSUFFICIENT_FUNDS, statusById.get(201), "refused in the group, others kept");
        assertEquals(50, adapter.walletBalance(PLAYER));
        final String operationRows = "SELECT xmin FROM " + globalSchema + ".stowed_items UNION ALL " +
            "SELECT xmin FROM " + globalSchema + ".wallets";
        assertEquals(1, distinctTransactions(operationRows), "stows and wallet change written by one transaction");
        assertEquals(0, count("SELECT count(*) FROM " + shardSchema + ".nodes WHERE x >= 1000"),
            "the pending upserts of the other items are not in it");
        assertFalse(scribe.isDurable(lastOffered), "a prefix: the world changes before the operations are pending");

        assertTrue(scribe.awaitDurable(scribe.flushNow(), TIMEOUT_NS));
        assertEquals(ITEMS / 2, count("SELECT count(*) FROM " + shardSchema + ".nodes WHERE x >= 1000"),
            "written behind: the upserts of the items not stowed, the stowed ones' dropped");
        assertEquals(2, distinctTransactions(operationRows + " UNION ALL SELECT xmin FROM " + shardSchema +
            ".nodes WHERE x >= 1000"), "the world batch in a transaction of its own");
        assertTrue(errors.isEmpty(), errors::toString);
    }

    @Test
    void shouldWriteTheWorldBatchInTheGroupBeforeTheFirstOperationThatDependsOnItWithoutAWorldWriter()
        throws SQLException
    {
        scribe.close();
        scribe = launchScribe(false);
        offerAnIndependentThenADependentStow();

        assertEquals(1, scribe.counter(ScribeCounter.GROUP_COMMITS));
        assertEquals(OperationStatus.OK, statusById.get(103));
        assertEquals(OperationStatus.OK, statusById.get(102));
        assertEquals(1, distinctTransactions("SELECT xmin FROM " + globalSchema + ".stowed_items UNION ALL " +
            "SELECT xmin FROM " + shardSchema + ".nodes WHERE entity_id = 7"), "one transaction");
        assertEquals(0, count("SELECT count(*) FROM " + shardSchema + ".edges"), "the stow of 2 removed its edge");
        assertTrue(scribe.isDurable(scribe.lastOfferedSequence()), "nothing left pending");
        assertTrue(errors.isEmpty(), errors::toString);
    }

    @Test
    void shouldCommitTheWorldWritersBatchBeforeTheFirstOperationThatDependsOnIt() throws SQLException
    {
        offerAnIndependentThenADependentStow();

        assertEquals(1, scribe.counter(ScribeCounter.GROUP_COMMITS), "the group so far");
        assertEquals(1, scribe.counter(ScribeCounter.GROUP_OF_ONE_AUTOCOMMITS), "then the dependent stow, alone");
        assertEquals(OperationStatus.OK, statusById.get(103));
        assertEquals(OperationStatus.OK, statusById.get(102));
        final long stow3 = xid("SELECT xmin FROM " + globalSchema + ".stowed_items WHERE item_id = 3");
        final long batch = xid("SELECT xmin FROM " + shardSchema + ".nodes WHERE entity_id = 7");
        final long stow2 = xid("SELECT xmin FROM " + globalSchema + ".stowed_items WHERE item_id = 2");
        assertTrue(stow3 < batch && batch < stow2, "three transactions in this order: " + stow3 + ", " + batch +
            ", " + stow2);
        assertEquals(0, count("SELECT count(*) FROM " + shardSchema + ".edges"), "the stow of 2 removed its edge");
        assertTrue(scribe.isDurable(scribe.lastOfferedSequence()), "nothing left pending");
        assertEquals(0, scribe.counter(ScribeCounter.RETRIES), "waiting for the world writer is not a retry");
        assertTrue(errors.isEmpty(), errors::toString);
    }

    @Test
    void shouldLeaveEveryItemExactlyOnceWhenTheLayerDiesBetweenAStowsCommitAndTheWorldBatchs() throws SQLException
    {
        for (int i = 1; i <= ITEMS; i++)
        {
            item(node, i, 1000 + i);
            assertTrue(scribe.offerNodeUpsert(node));
        }
        item(node, 2, 2002);
        assertTrue(scribe.offerStow(102, 2, PLAYER, CONTAINER, node));
        awaitCompletions(1);
        assertEquals(OperationStatus.OK, statusById.get(102), "acknowledged");

        // The layer dies now (its Scribe is never run again): what a restarted layer finds in the store.
        try (PostgresPersistenceAdapter restarted =
            PostgresPersistenceAdapter.open(server.url(shardSchema + "," + globalSchema)))
        {
            for (int i = 1; i <= ITEMS; i++)
            {
                final boolean inGraph = 1 == count("SELECT count(*) FROM " + shardSchema + ".nodes WHERE entity_id = " +
                    i);
                assertTrue(inGraph != restarted.isStowed(i), "item " + i + " in exactly one store");
            }
            assertTrue(restarted.isStowed(2), "the acknowledged stow survived");
            assertEquals(0, count("SELECT count(*) FROM " + shardSchema + ".nodes WHERE x >= 1000"),
                "the world batch was never written: lost, as write-behind allows");
        }
        assertFalse(scribe.isDurable(0), "and Scribe never said it was durable");
        assertTrue(errors.isEmpty(), errors::toString);
    }

    @Test
    void shouldApplyTheOthersAndRetryTheFailingOneWhenAnOperationFailsInAGroup()
    {
        final long failing = 3;
        server.execute("CREATE SEQUENCE " + globalSchema + ".injected_failures");
        server.execute("CREATE FUNCTION " + globalSchema + ".fail_item() RETURNS trigger LANGUAGE plpgsql AS $$ " +
            "BEGIN IF NEW.item_id = " + failing + " AND nextval('" + globalSchema + ".injected_failures') <= 2 " +
            "THEN RAISE EXCEPTION 'injected failure of item %', NEW.item_id; END IF; RETURN NEW; END $$");
        server.execute("CREATE TRIGGER fail_item BEFORE INSERT ON " + globalSchema + ".stowed_items " +
            "FOR EACH ROW EXECUTE FUNCTION " + globalSchema + ".fail_item()");

        for (int i = 1; i <= 5; i++)
        {
            item(node, i, 3000 + i);
            assertTrue(scribe.offerStow(100 + i, i, PLAYER, CONTAINER, node));
        }

        awaitCompletions(5);

        for (int i = 1; i <= 5; i++)
        {
            assertEquals(OperationStatus.OK, statusById.get(100 + i), "stow " + i);
            assertTrue(adapter.isStowed(i), "item " + i + " stowed");
        }
        assertEquals(ITEMS - 5, adapter.nodeCount(), "each stowed item left the graph, nothing else did");
        assertEquals(List.of(101L, 102L, 103L, 104L, 105L), completionOrder, "ring order kept");
        assertEquals(1, scribe.counter(ScribeCounter.GROUP_FALLBACKS), "the group was rolled back once");
        assertEquals(1, scribe.counter(ScribeCounter.STORE_FAILURES), "the failing stow, alone, failed once more");
        assertTrue(scribe.counter(ScribeCounter.RETRIES) >= 1);
        assertFalse(errors.isEmpty());
        assertTrue(errors.stream().allMatch((e) -> String.valueOf(causes(e)).contains("injected failure of item 3")),
            errors::toString);
    }

    @Test
    void shouldReplayRecordedOutcomesWhenGroupCommittedOperationsAreOfferedAgain()
    {
        item(node, 1, 10);
        assertTrue(scribe.offerStow(101, 1, PLAYER, CONTAINER, node));
        item(node, 2, 20);
        assertTrue(scribe.offerStow(102, 2, PLAYER, CONTAINER, node));
        assertTrue(scribe.offerWalletChange(103, 3, PLAYER, -5));
        awaitCompletions(3);
        assertEquals(1, scribe.counter(ScribeCounter.GROUP_COMMITS));

        item(node, 1, 30);
        assertTrue(scribe.offerUnstow(104, 4, PLAYER, node));
        item(node, 2, 40);
        assertTrue(scribe.offerStow(102, 5, PLAYER, CONTAINER, node));
        assertTrue(scribe.offerWalletChange(103, 6, PLAYER, -5));
        awaitCompletions(5);
        assertEquals(2, scribe.counter(ScribeCounter.GROUP_COMMITS));
        assertEquals(OperationStatus.OK, statusById.get(104));
        assertEquals(OperationStatus.DUPLICATE, statusById.get(102), "replay of a grouped stow");
        assertEquals(OperationStatus.OK, firstStatusById.get(102));
        assertEquals(OperationStatus.INSUFFICIENT_FUNDS, statusById.get(103), "a grouped refusal replays as such");

        statusById.clear();
        completionOrder.clear();
        item(node, 1, 30);
        assertTrue(scribe.offerUnstow(104, 7, PLAYER, node));
        item(node, 1, 30);
        assertTrue(scribe.offerStow(101, 8, PLAYER, CONTAINER, node));
        awaitCompletions(2);
        assertEquals(OperationStatus.DUPLICATE, statusById.get(104), "replay of a grouped unstow");
        assertEquals(OperationStatus.OK, firstStatusById.get(104));
        assertEquals(OperationStatus.DUPLICATE, statusById.get(101));

        assertFalse(adapter.isStowed(1), "unstowed once, the replayed stow changed nothing");
        assertTrue(adapter.isStowed(2));
        assertEquals(0, adapter.walletBalance(PLAYER));
        assertEquals(ITEMS - 1, adapter.nodeCount(), "items 1 and 3..8 (the zone is not counted)");
        assertEquals(0, scribe.counter(ScribeCounter.GROUP_FALLBACKS));
    }

    @Test
    void shouldCommitAGroupOfOneInOneRoundTripAndReportItOnlyOnceDurable() throws SQLException
    {
        final int roundTrips = stowAloneCountingRoundTrips();

        assertEquals(1, roundTrips, "the function call commits itself: one Sync, no COMMIT after it");
        assertEquals(1, scribe.counter(ScribeCounter.GROUP_OF_ONE_AUTOCOMMITS));
        assertEquals(0, scribe.counter(ScribeCounter.GROUP_COMMITS));
        assertEquals(1, count("SELECT count(*) FROM " + globalSchema + ".stowed_items WHERE item_id = 2"),
            "committed when reported: another session sees it");
        assertEquals(0, count("SELECT count(*) FROM " + shardSchema + ".nodes WHERE entity_id = 2"));
        assertTrue(errors.isEmpty(), errors::toString);
    }

    @Test
    void shouldCommitAGroupOfOneWithAStatementAndACommitWhenItsAutocommitIsSwitchedOff()
    {
        scribe.close();
        scribe = launchScribe(adapter, true, false);

        final int roundTrips = stowAloneCountingRoundTrips();

        assertEquals(2, roundTrips, "BEGIN travels with the call, then COMMIT");
        assertEquals(0, scribe.counter(ScribeCounter.GROUP_OF_ONE_AUTOCOMMITS));
        assertEquals(1, scribe.counter(ScribeCounter.GROUP_COMMITS));
        assertTrue(errors.isEmpty(), errors::toString);
    }

    @Test
    void shouldReplayAnAutocommittedStowWhoseAcknowledgementTheLayerNeverSent() throws SQLException
    {
        item(node, 2, 2002);
        assertTrue(scribe.offerStow(102, 2, PLAYER, CONTAINER, node));
        final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
        while (scribe.counter(ScribeCounter.GROUP_OF_ONE_AUTOCOMMITS) < 1)
        {
            assertTrue(System.nanoTime() - deadlineNs < 0, "the stow was not committed");
            scribe.invokeConsumer();
        }
        // the layer dies here: its completion is never polled, the player never hears of the stow

        try (PostgresPersistenceAdapter restarted =
            PostgresPersistenceAdapter.open(server.url(shardSchema + "," + globalSchema));
            Scribe again = launchScribe(restarted, true, true))
        {
            final Scribe first = scribe;
            scribe = again;
            try
            {
                item(node, 2, 2002);
                assertTrue(scribe.offerStow(102, 2, PLAYER, CONTAINER, node)); // the client asks again
                awaitCompletions(1);
            }
            finally
            {
                scribe = first;
            }
        }

        assertEquals(OperationStatus.DUPLICATE, statusById.get(102), "the recorded outcome, not a second stow");
        assertEquals(OperationStatus.OK, firstStatusById.get(102));
        assertEquals(1, count("SELECT count(*) FROM " + globalSchema + ".stowed_items WHERE item_id = 2"));
        assertEquals(0, count("SELECT count(*) FROM " + shardSchema + ".nodes WHERE entity_id = 2"),
            "in exactly one store");
        assertTrue(errors.isEmpty(), errors::toString);
    }

    /**
     * Stow item 2, nothing else in the ring, and wait for its completion (OK).
     *
     * @return the round trips to the store meanwhile.
     */
    private int stowAloneCountingRoundTrips()
    {
        item(node, 2, 2002);
        assertTrue(scribe.offerStow(102, 2, PLAYER, CONTAINER, node));
        final int roundTrips = roundTrips(() -> awaitCompletions(1));
        assertEquals(OperationStatus.OK, statusById.get(102));
        return roundTrips;
    }

    /**
     * @return how many times this thread's JDBC connections waited for the server (pgjdbc's Sync messages) in the
     * action.
     */
    private static int roundTrips(final Runnable action)
    {
        final Logger logger = Logger.getLogger("org.postgresql.core.v3.QueryExecutorImpl");
        final Thread thread = Thread.currentThread();
        final AtomicInteger syncs = new AtomicInteger();
        final Handler handler = new Handler()
        {
            @Override
            public void publish(final LogRecord record)
            {
                if (Thread.currentThread() == thread && " FE=> Sync".equals(record.getMessage()))
                {
                    syncs.incrementAndGet();
                }
            }

            @Override
            public void flush()
            {
            }

            @Override
            public void close()
            {
            }
        };
        final Level level = logger.getLevel();
        handler.setLevel(Level.FINEST);
        logger.addHandler(handler);
        logger.setLevel(Level.FINEST);
        try
        {
            action.run();
        }
        finally
        {
            logger.setLevel(level);
            logger.removeHandler(handler);
        }
        return syncs.get();
    }

    private void awaitCompletions(final int count)
    {
        final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
        while (completionOrder.size() < count)
        {
            assertTrue(System.nanoTime() - deadlineNs < 0, "completions: " + completionOrder);
            scribe.invokeConsumer();
            scribe.pollCompletions(
                (type, operationId, correlationId, status, firstStatus, value) ->
                {
                    statusById.put(operationId, status);
                    firstStatusById.put(operationId, firstStatus);
                    valueById.put(operationId, value);
                    completionOrder.add(operationId);
                    assertTrue(OperationType.STOW == type || OperationType.UNSTOW == type ||
                        OperationType.WALLET == type);
                },
                16);
        }
    }

    @Test
    void shouldLeaveNothingInTheStoreWhenScribeWarmsItUpAtStart() throws SQLException
    {
        // open() launched Scribe: its consumer ran the warm-up rounds (write, stow, unstow) in rolled-back groups
        for (final String table : List.of("stowed_items", "store_operations", "entity_location", "withdrawn_items",
            "wallets"))
        {
            assertEquals(0, count("SELECT count(*) FROM " + globalSchema + "." + table), table);
        }
        assertEquals(ITEMS, count("SELECT count(*) FROM " + shardSchema + ".nodes"), "ids 1 to ITEMS (the zone's too)");

        item(node, 1, 3000);
        assertTrue(scribe.offerStow(300, 1, PLAYER, CONTAINER, node));
        awaitCompletions(1);
        assertEquals(OperationStatus.OK, statusById.get(300), "the store works after the warm-up");
        assertEquals(1, count("SELECT count(*) FROM " + globalSchema + ".stowed_items"));
        assertTrue(errors.isEmpty(), errors::toString);
    }

    /**
     * An upsert of 7 and an edge 8 -> 2 pending, a stow of 3 (independent) and one of 2 (depends on the edge); both
     * completed.
     */
    private void offerAnIndependentThenADependentStow()
    {
        item(node, 7, 1007);
        assertTrue(scribe.offerNodeUpsert(node));
        assertTrue(scribe.offerEdge(8, 2, EdgeKind.CONTAINS, false));
        item(node, 3, 2003);
        assertTrue(scribe.offerStow(103, 3, PLAYER, CONTAINER, node)); // no pending change involves item 3
        item(node, 2, 2002);
        assertTrue(scribe.offerStow(102, 2, PLAYER, CONTAINER, node)); // the edge 8 -> 2 must be written first

        awaitCompletions(2);
    }

    private long xid(final String sql) throws SQLException
    {
        return count(sql.replace("SELECT xmin", "SELECT xmin::text::int8"));
    }

    private long count(final String sql) throws SQLException
    {
        try (Connection c = DriverManager.getConnection(server.serverUrl());
            Statement statement = c.createStatement();
            ResultSet rows = statement.executeQuery(sql))
        {
            rows.next();
            return rows.getLong(1);
        }
    }

    private long distinctTransactions(final String rowsSql) throws SQLException
    {
        return count("SELECT count(DISTINCT xmin::text) FROM (" + rowsSql + ") r");
    }

    private static String causes(final Throwable error)
    {
        final StringBuilder text = new StringBuilder();
        for (Throwable t = error; null != t; t = t.getCause())
        {
            text.append(t).append(" / ");
        }
        return text.toString();
    }

    private static void zone(final NodeRecord node)
    {
        node.reset();
        node.entityId = ZONE;
        node.isZone = true;
        node.archetypeId = 1;
    }

    private static void item(final NodeRecord node, final long id, final long x)
    {
        node.reset();
        node.entityId = id;
        node.parentZoneId = ZONE;
        node.archetypeId = 9;
        node.x = x;
        node.componentStateLength = 4;
        node.componentState[0] = (byte)id;
    }
}
