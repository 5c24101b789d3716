/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers;

import io.orrery.core.common.EntityIds;
import io.orrery.core.persistence.NodeRecord;
import io.orrery.core.persistence.OperationStatus;
import io.orrery.core.persistence.PersistenceAdapter;
import io.orrery.core.persistence.StowOperation;
import io.orrery.core.persistence.WalletOperation;
import io.orrery.persistence.PersistenceAdapters;
import io.orrery.persistence.postgres.PostgresServerSettings;
import io.orrery.persistence.rocksdb.RocksDbPersistenceAdapter;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.agrona.collections.Long2ObjectHashMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Crash test: a child JVM ({@link CrashWorkload}) runs Scribe over RocksDB (and over PostgreSQL, group-committing)
 * and prints every acknowledged operation and every durable world generation; the test kills it with SIGKILL at
 * seeded random moments, many times, and after each kill opens the store and checks that every acknowledged stow,
 * unstow, grant and wallet change is there (replaying its operation id returns {@code DUPLICATE} with the
 * acknowledged outcome), every granted item is in exactly one store, and the world is at least at the last durable
 * generation printed.
 */
@Tag("system")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CrashTest
{
    private static final int CYCLES = 12;
    private static final long SEED = 20261121L;

    private record Ack(char kind, long operationId, int player, long value)
    {
    }

    @Test
    void shouldKeepEveryAcknowledgedOperationWhenKilledAtRandomMoments(@TempDir final Path dir) throws Exception
    {
        final Path store = dir.resolve("store");
        assertEquals(0, killAtRandomMoments(dir, store.toString(), () -> RocksDbPersistenceAdapter.open(store)));
    }

    /**
     * The same over PostgreSQL (the shard's graph and the Global store in two schemas of an embedded server with
     * fsync on), where Scribe group-commits the world changes and operations it drains together: a child killed
     * between a group's operations and its commit must have acknowledged none of them.
     */
    @Test
    void shouldKeepEveryAcknowledgedOperationWhenKilledAtRandomMomentsWhileGroupCommittingToPostgres(
        @TempDir final Path dir) throws Exception
    {
        final EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
        PostgresServerSettings.recommended().forEach(builder::setServerConfig);
        try (EmbeddedPostgres postgres = builder.start())
        {
            final String url = "postgres:" + postgres.getJdbcUrl("postgres", "postgres") +
                "&currentSchema=crash_shard,crash_global";
            assertTrue(killAtRandomMoments(dir, url, () -> PersistenceAdapters.open(url)) > 0, "group commits");
        }
    }

    /**
     * @return the most group commits a child reported.
     */
    private static long killAtRandomMoments(
        final Path dir, final String store, final Supplier<PersistenceAdapter> opener) throws Exception
    {
        long groupCommits = 0;
        final SplittableRandom random = new SplittableRandom(SEED);
        final List<Ack> acks = new ArrayList<>();
        long lastGeneration = 0;
        int totalLines = 0;
        for (int cycle = 1; cycle <= CYCLES; cycle++)
        {
            final Path stderr = dir.resolve("child-" + cycle + ".err");
            final Process child = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
                "-Xmx256m",
                "-cp", System.getProperty("java.class.path"),
                CrashWorkload.class.getName(), store, Integer.toString(cycle),
                Long.toString(random.nextLong()))
                .redirectError(stderr.toFile())
                .start();
            final List<String> lines = new ArrayList<>();
            final CountDownLatch ready = new CountDownLatch(1);
            final Thread reader = new Thread(() -> readLines(child, lines, ready), "crash-reader-" + cycle);
            reader.start();
            try
            {
                if (!ready.await(30, TimeUnit.SECONDS))
                {
                    fail("child " + cycle + " not ready: " + Files.readString(stderr));
                }
                final long killAfterMs = 300 + random.nextInt(1700);
                if (child.waitFor(killAfterMs, TimeUnit.MILLISECONDS))
                {
                    fail("child " + cycle + " exited by itself: " + Files.readString(stderr));
                }
            }
            finally
            {
                child.destroyForcibly();
                assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child killed");
                reader.join(TimeUnit.SECONDS.toMillis(10));
            }

            int cycleAcks = 0;
            synchronized (lines)
            {
                for (final String line : lines)
                {
                    final String[] f = line.split(" ");
                    switch (f[0])
                    {
                        case "W":
                            lastGeneration = Math.max(lastGeneration, Long.parseLong(f[1]));
                            break;
                        case "K":
                            groupCommits = Math.max(groupCommits, Long.parseLong(f[1]));
                            break;
                        case "G":
                        case "S":
                        case "U":
                            assertEquals(OperationStatus.OK, Integer.parseInt(f[4]), line);
                            acks.add(new Ack(f[0].charAt(0), Long.parseLong(f[1]), Integer.parseInt(f[2]), 0));
                            cycleAcks++;
                            break;
                        case "M":
                            acks.add(new Ack('M', Long.parseLong(f[1]), Integer.parseInt(f[2]), Long.parseLong(f[4])));
                            cycleAcks++;
                            break;
                        case "R":
                            fail("the store refused an operation: " + line);
                            break;
                        default:
                            break;
                    }
                }
                totalLines += lines.size();
            }
            System.out.printf("crash cycle %d: killed after %d acknowledged operations this run, %d in all, last " +
                "durable world generation %d, group commits %d%n", cycle, cycleAcks, acks.size(), lastGeneration,
                groupCommits);
            verify(opener, acks, lastGeneration);
        }
        assertTrue(acks.size() > CYCLES * 5, "operations acknowledged: " + acks.size());
        assertTrue(lastGeneration > 0 && totalLines > 0);
        return groupCommits;
    }

    private static void verify(
        final Supplier<PersistenceAdapter> opener, final List<Ack> acks, final long lastGeneration)
    {
        try (PersistenceAdapter adapter = opener.get())
        {
            final StowOperation stow = new StowOperation();
            final WalletOperation wallet = new WalletOperation();
            for (final Ack ack : acks)
            {
                final long item = EntityIds.starterItemId(ack.player);
                if ('M' == ack.kind)
                {
                    wallet.reset();
                    wallet.operationId = ack.operationId;
                    wallet.playerId = ack.player;
                    wallet.delta = CrashWorkload.WALLET_DELTA;
                    adapter.changeWallet(wallet);
                    assertEquals(OperationStatus.DUPLICATE, wallet.status, "wallet replay " + ack);
                    assertEquals(OperationStatus.OK, wallet.firstStatus, "wallet replay " + ack);
                    assertEquals(ack.value, wallet.value, "recorded balance " + ack);
                    continue;
                }
                stow.reset();
                stow.operationId = ack.operationId;
                stow.entityId = item;
                stow.ownerPlayerId = ack.player;
                stow.node.entityId = item;
                stow.node.ownerPlayerId = ack.player;
                if ('U' == ack.kind)
                {
                    adapter.unstow(stow);
                }
                else
                {
                    adapter.stow(stow);
                }
                assertEquals(OperationStatus.DUPLICATE, stow.status, "replay of " + ack);
                assertEquals(OperationStatus.OK, stow.firstStatus, "replay of " + ack);
            }

            final Long2ObjectHashMap<NodeRecord> nodes = new Long2ObjectHashMap<>();
            adapter.loadAll((node) -> nodes.put(node.entityId, new NodeRecord().copyFrom(node)));
            for (int p = 1; p <= CrashWorkload.ITEMS; p++)
            {
                final long item = EntityIds.starterItemId(p);
                final boolean stowed = adapter.isStowed(item);
                final boolean inGraph = nodes.containsKey(item);
                assertFalse(stowed && inGraph, "item " + item + " in both stores");
                if (isGranted(acks, p))
                {
                    assertTrue(stowed || inGraph, "granted item " + item + " in neither store");
                }
            }
            if (lastGeneration > 0)
            {
                for (int i = 0; i < CrashWorkload.WORLD_ENTITIES; i++)
                {
                    final NodeRecord node = nodes.get(CrashWorkload.WORLD_BASE + i);
                    assertNotNull(node, "world entity " + i);
                    assertTrue(node.x >= lastGeneration, "world entity " + i + " at generation " + node.x +
                        ", durable watermark " + lastGeneration);
                }
            }
        }
    }

    private static boolean isGranted(final List<Ack> acks, final int player)
    {
        for (final Ack ack : acks)
        {
            if (ack.player == player && 'M' != ack.kind)
            {
                return true;
            }
        }
        return false;
    }

    private static void readLines(final Process child, final List<String> lines, final CountDownLatch ready)
    {
        try (BufferedReader reader = new BufferedReader(
            new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII)))
        {
            String line;
            while (null != (line = reader.readLine()))
            {
                if (!line.endsWith(" ;"))
                {
                    continue; // cut by the kill
                }
                if (line.startsWith("READY"))
                {
                    ready.countDown();
                    continue;
                }
                synchronized (lines)
                {
                    lines.add(line.substring(0, line.length() - 2));
                }
            }
        }
        catch (final IOException ignore)
        {
            // the child was killed
        }
    }
}
