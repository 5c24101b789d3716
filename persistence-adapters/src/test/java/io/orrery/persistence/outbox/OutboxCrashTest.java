/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.persistence.outbox;

import io.orrery.core.persistence.OperationStatus;
import io.orrery.core.persistence.OperationType;
import io.orrery.core.persistence.StowOperation;
import io.orrery.core.persistence.WorldBatch;
import io.orrery.persistence.OutboxPersistenceAdapter;
import io.orrery.persistence.PersistenceAdapters;
import io.orrery.persistence.postgres.PostgresTestServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Crash test of the outbox: a child JVM ({@link OutboxCrashWorkload}) stows and unstows items between an embedded
 * RocksDB graph and a PostgreSQL Global store through Scribe and {@link OutboxPersistenceAdapter}, and is killed with
 * SIGKILL at seeded random moments, many times. After each kill the test opens the shard's stores as a restarted
 * shard would (which finishes what the outbox holds) and checks that every item is in exactly one place, the graph
 * or the Global store, and that every acknowledged operation is recorded as applied (its replay is a
 * {@code DUPLICATE} of {@code OK}).
 */
@Tag("system")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class OutboxCrashTest
{
    private static final int CYCLES = 10;
    private static final int ITEMS = 40;
    private static final long SEED = 20261202L;

    private record Ack(char kind, long operationId, long player, long item, int status)
    {
    }

    @Test
    void shouldKeepEveryItemExactlyOnceAcrossGraphAndGlobalStoreWhenKilledAtRandomMoments(@TempDir final Path dir)
        throws Exception
    {
        try (PostgresTestServer server = PostgresTestServer.start())
        {
            final String global = server.url("orrery_outbox_crash_" + ProcessHandle.current().pid());
            final Path graph = dir.resolve("graph");
            try (OutboxPersistenceAdapter shard = open(graph, global))
            {
                final WorldBatch batch = new WorldBatch(ITEMS);
                for (int id = 1; id <= ITEMS; id++)
                {
                    batch.addNodeUpsert().copyFrom(OutboxCrashWorkload.item(id, id));
                }
                shard.write(batch);
            }

            final SplittableRandom random = new SplittableRandom(SEED);
            final List<Ack> acks = new ArrayList<>();
            long relayedInAll = 0;
            for (int cycle = 1; cycle <= CYCLES; cycle++)
            {
                final List<String> lines = runAndKill(dir, graph, global, cycle, random);
                int cycleAcks = 0;
                for (final String line : lines)
                {
                    final String[] f = line.split(" ");
                    if ("A".equals(f[0]))
                    {
                        acks.add(new Ack(f[1].charAt(0), Long.parseLong(f[2]), Long.parseLong(f[3]),
                            Long.parseLong(f[4]), Integer.parseInt(f[5])));
                        cycleAcks++;
                    }
                }
                relayedInAll += verify(graph, global, acks);
                System.out.printf("outbox crash cycle %d: %d operations acknowledged this run, %d in all, %d " +
                    "in-flight outbox entries finished at reopen so far%n", cycle, cycleAcks, acks.size(),
                    relayedInAll);
            }
            assertTrue(acks.size() > CYCLES * 5, "operations acknowledged: " + acks.size());
        }
    }

    private static OutboxPersistenceAdapter open(final Path graph, final String global)
    {
        return (OutboxPersistenceAdapter)PersistenceAdapters.open("rocksdb:" + graph, global);
    }

    private static List<String> runAndKill(
        final Path dir, final Path graph, final String global, final int cycle, final SplittableRandom random)
        throws Exception
    {
        final Path stderr = dir.resolve("child-" + cycle + ".err");
        final Process child = new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "-Xmx256m",
            "-cp", System.getProperty("java.class.path"),
            OutboxCrashWorkload.class.getName(), graph.toString(), global, Integer.toString(cycle),
            Long.toString(random.nextLong()), Integer.toString(ITEMS))
            .redirectError(stderr.toFile())
            .start();
        final List<String> lines = new ArrayList<>();
        final CountDownLatch ready = new CountDownLatch(1);
        final Thread reader = new Thread(() -> readLines(child, lines, ready), "outbox-crash-reader-" + cycle);
        reader.start();
        try
        {
            if (!ready.await(60, TimeUnit.SECONDS))
            {
                fail("child " + cycle + " not ready: " + Files.readString(stderr));
            }
            final long killAfterMs = 200 + random.nextInt(1500);
            if (child.waitFor(killAfterMs, TimeUnit.MILLISECONDS))
            {
                fail("child " + cycle + " exited by itself: " + Files.readString(stderr));
            }
        }
        finally
        {
            child.destroyForcibly(); // SIGKILL
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child killed");
            reader.join(TimeUnit.SECONDS.toMillis(10));
        }
        synchronized (lines)
        {
            return new ArrayList<>(lines);
        }
    }

    private static long verify(final Path graph, final String global, final List<Ack> acks)
    {
        try (OutboxPersistenceAdapter shard = open(graph, global))
        {
            assertEquals(0, shard.graph().forEachOutboxEntry(
                (kind, inGraph, player, operation, item, container, node) -> { }), "outbox empty after reopen");
            final boolean[] inGraph = new boolean[ITEMS + 1];
            shard.loadAll((node) ->
            {
                assertTrue(node.entityId >= 1 && node.entityId <= ITEMS, "unknown node " + node.entityId);
                assertTrue(!inGraph[(int)node.entityId], "node " + node.entityId + " twice");
                inGraph[(int)node.entityId] = true;
            });
            for (int id = 1; id <= ITEMS; id++)
            {
                final boolean stowed = shard.isStowed(id);
                assertTrue(stowed != inGraph[id], "item " + id + (stowed ? " in both stores" : " in neither store"));
            }
            for (final Ack ack : acks)
            {
                assertEquals(OperationStatus.OK, ack.status, "acknowledged " + ack);
                final StowOperation replay = new StowOperation().reset();
                replay.operationId = ack.operationId;
                replay.ownerPlayerId = ack.player;
                replay.entityId = ack.item;
                final int recorded = shard.global().recordedOutcome(
                    replay, 'S' == ack.kind ? OperationType.STOW : OperationType.UNSTOW);
                assertEquals(OperationStatus.DUPLICATE, recorded, "acknowledged " + ack + " is recorded");
                assertEquals(OperationStatus.OK, replay.firstStatus, "acknowledged " + ack);
            }
            return shard.relayed();
        }
    }

    private static void readLines(final Process child, final List<String> lines, final CountDownLatch ready)
    {
        try (BufferedReader reader = new BufferedReader(
            new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            while (null != (line = reader.readLine()))
            {
                if ("READY".equals(line))
                {
                    ready.countDown();
                }
                else
                {
                    synchronized (lines)
                    {
                        lines.add(line);
                    }
                }
            }
        }
        catch (final Exception ignore)
        {
            // the child is gone
        }
    }
}
