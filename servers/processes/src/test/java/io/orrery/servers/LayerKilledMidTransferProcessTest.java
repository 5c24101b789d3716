/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.orrery.core.common.EntityIds;
import io.orrery.core.auth.SessionTokens;
import io.orrery.core.auth.TokenSecrets;
import io.orrery.core.client.ClientLink;
import io.orrery.core.persistence.PersistenceAdapter;
import io.orrery.core.shard.ShardDirectory;
import io.orrery.persistence.PersistenceAdapters;
import io.orrery.persistence.postgres.PostgresServerSettings;
import io.orrery.test.ChildJvm;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.HdrHistogram.Histogram;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * One shard killed mid-transfer, on real processes: two Replication Layer processes (RocksDB graphs, one PostgreSQL
 * Global store through the outbox, each on its own media driver in this JVM), players in this JVM moving between them
 * with their items; shard A is SIGKILLed at a seeded random moment while transfers and stows are in flight, and
 * started again on the same stores. The players carry on (reconnecting, resending unanswered requests with their
 * operation ids) until each has made its transfers; afterwards every item is in exactly one place across both graphs
 * and the Global store, in the graph of the shard its player ended in. The layers register themselves in the shard
 * directory ({@code --shard-directory}); the restarted one replaces the entry the killed one left.
 */
@Tag("system")
class LayerKilledMidTransferProcessTest
{
    private static final int PLAYERS = 40;
    private static final int TRANSFERS = 4;
    private static final long SEED = 20261202L;
    private static final List<String> CHILD_OPTIONS = List.of("-Xmx512m");
    private static final String[] SHARDS = { "shard-a", "shard-b" };

    @Test
    @Timeout(240)
    void shouldKeepEveryItemExactlyOnceWhenAShardIsKilledMidTransfer(@TempDir final Path dir) throws Exception
    {
        final SplittableRandom random = new SplittableRandom(SEED);
        final EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
        PostgresServerSettings.recommended().forEach(builder::setServerConfig);
        final MediaDriver[] drivers = new MediaDriver[2];
        final Process[] layers = new Process[2];
        final Aeron[] clients = new Aeron[2];
        final ClientLink[] links = new ClientLink[2];
        try (EmbeddedPostgres postgres = builder.start())
        {
            final String global = postgres.getJdbcUrl("postgres", "postgres") + "&currentSchema=transfer_global";
            final Path directoryFile = dir.resolve("shards.txt");
            final String[] stores = new String[2];
            final List<List<String>> outputs = new ArrayList<>();
            for (int s = 0; s < 2; s++)
            {
                drivers[s] = MediaDriver.launch(new MediaDriver.Context()
                    .aeronDirectoryName(dir.resolve("aeron-" + s).toString())
                    .threadingMode(io.aeron.driver.ThreadingMode.SHARED)
                    // Aeron's default, was 2 s: a starved child's Aeron client closes itself (exit 71, "service
                    // interval exceeded") when its conductor has not run for this long; a killed child's
                    // publications and subscriptions linger as long, which the waits below allow
                    .clientLivenessTimeoutNs(TimeUnit.SECONDS.toNanos(10))
                    .dirDeleteOnStart(true)
                    .dirDeleteOnShutdown(true));
                stores[s] = "rocksdb:" + dir.resolve("graph-" + s) + PersistenceAdapters.GLOBAL_STORE_SEPARATOR +
                    global;
                outputs.add(Collections.synchronizedList(new ArrayList<>()));
                layers[s] = startLayer(drivers[s], stores[s], SHARDS[s], directoryFile, outputs.get(s));
            }
            // the layers registered themselves once serving; clients find them through the directory
            final ShardDirectory directory = ShardDirectory.read(directoryFile);
            assertEquals(2, directory.entries().size(), directory.entries().toString());
            for (int s = 0; s < 2; s++)
            {
                final ShardDirectory.Entry entry = directory.entry(SHARDS[s]);
                clients[s] = Aeron.connect(new Aeron.Context().aeronDirectoryName(entry.aeronDirectoryName()));
                links[s] = new ClientLink(clients[s], new ClientLink.Settings()
                    .ingressChannel(entry.clientIngressChannel())
                    .ingressStreamId(entry.clientIngressStreamId())
                    .responseStreamId(2001));
            }

            final Histogram transferNs = new Histogram(TimeUnit.SECONDS.toNanos(120), 3);
            final Histogram operationNs = new Histogram(TimeUnit.SECONDS.toNanos(120), 3);
            final List<TransferPlayer> players = new ArrayList<>();
            for (int p = 1; p <= PLAYERS; p++)
            {
                players.add(new TransferPlayer(p, p % 2, TRANSFERS, transferNs, operationNs));
            }
            final SessionTokens tokens = new SessionTokens(TokenSecrets.developmentSecret());
            final TransferPlayer.Connector connector = (shard, playerId, listener) ->
                links[shard].connect(tokens.issue(playerId, System.currentTimeMillis() + 600_000), listener);

            // play until some transfers are done, then kill shard A in the middle of the traffic
            final int killAfterTransfers = PLAYERS / 2 + random.nextInt(PLAYERS);
            play(players, links, connector, () -> transfers(players) >= killAfterTransfers, 120);
            layers[0].destroyForcibly(); // SIGKILL
            assertTrue(layers[0].waitFor(30, TimeUnit.SECONDS));
            final int transfersAtKill = transfers(players);
            play(players, links, connector, () -> false, 0.5 + random.nextInt(1000) / 1000.0);
            outputs.get(0).clear();
            layers[0] = startLayer(drivers[0], stores[0], SHARDS[0], directoryFile, outputs.get(0));
            assertEquals(1, ChildJvm.occurrences(outputs.get(0), "replacing the entry a previous layer left"),
                "the restarted layer replaced the killed one's entry: " + outputs.get(0));

            play(players, links, connector, () -> done(players), 150);
            int reconnects = 0;
            int resends = 0;
            int refused = 0;
            for (final TransferPlayer player : players)
            {
                refused += player.refused;
                assertEquals(0, player.mismatches, "player " + player.playerId + ": " + player.lastMismatch);
                reconnects += player.reconnects;
                resends += player.resends;
            }
            System.out.printf("shard A killed after %d transfers (%d at the kill); %d players x %d transfers done; " +
                "%d reconnects, %d resends, %d refused; transfer p50 %.1f ms, p99 %.1f ms%n", killAfterTransfers,
                transfersAtKill,
                PLAYERS, TRANSFERS, reconnects, resends, refused, transferNs.getValueAtPercentile(50) / 1e6,
                transferNs.getValueAtPercentile(99) / 1e6);

            for (int s = 0; s < 2; s++)
            {
                CloseHelper.quietClose(links[s]);
                CloseHelper.quietClose(clients[s]);
                links[s] = null;
                clients[s] = null;
                layers[s].destroy(); // SIGTERM: the layer drains Scribe and closes its stores
                assertTrue(layers[s].waitFor(60, TimeUnit.SECONDS), "layer " + s + " stopped");
            }
            assertEquals(List.of(), ShardDirectory.read(directoryFile).entries(), "both deregistered on SIGTERM");
            assertEveryItemExactlyOnce(players, stores);
        }
        finally
        {
            for (int s = 0; s < 2; s++)
            {
                CloseHelper.quietClose(links[s]);
                CloseHelper.quietClose(clients[s]);
                ChildJvm.destroy(layers[s]);
                CloseHelper.quietClose(drivers[s]);
            }
        }
    }

    private static Process startLayer(
        final MediaDriver driver, final String store, final String name, final Path directoryFile,
        final List<String> output)
        throws Exception
    {
        final Process layer = ChildJvm.start(output, CHILD_OPTIONS, ReplicationLayerServer.class.getName(), "--dev",
            "--aeron-dir=" + driver.aeronDirectoryName(), "--store=" + store, "--npcs=10", "--max-sessions=128",
            "--report-interval-s=5", "--shard-directory=" + directoryFile, "--shard-name=" + name);
        ChildJvm.awaitLines(layer, output, "registered shard " + name, 1);
        return layer;
    }

    private static int transfers(final List<TransferPlayer> players)
    {
        int transfers = 0;
        for (final TransferPlayer player : players)
        {
            transfers += player.transfers;
        }
        return transfers;
    }

    private static boolean done(final List<TransferPlayer> players)
    {
        for (final TransferPlayer player : players)
        {
            if (TransferPlayer.Phase.DONE != player.phase)
            {
                return false;
            }
        }
        return true;
    }

    private static void play(
        final List<TransferPlayer> players,
        final ClientLink[] links,
        final TransferPlayer.Connector connector,
        final java.util.function.BooleanSupplier until,
        final double seconds)
    {
        final long deadlineNs = System.nanoTime() + (long)(seconds * 1e9);
        while (!until.getAsBoolean())
        {
            final long nowNs = System.nanoTime();
            if (nowNs - deadlineNs > 0)
            {
                if (seconds >= 10)
                {
                    final StringBuilder phases = new StringBuilder();
                    for (final TransferPlayer player : players)
                    {
                        if (TransferPlayer.Phase.DONE != player.phase)
                        {
                            phases.append(player.playerId).append(':').append(player.phase).append('@')
                                .append(player.shard).append(' ');
                        }
                    }
                    fail("not done within " + seconds + " s: " + phases);
                }
                return;
            }
            int work = links[0].doWork() + links[1].doWork();
            int joining = 0;
            for (final TransferPlayer player : players)
            {
                if (TransferPlayer.Phase.SPAWN == player.phase)
                {
                    joining++;
                }
            }
            for (final TransferPlayer player : players)
            {
                if (TransferPlayer.Phase.JOIN == player.phase)
                {
                    if (joining >= 8)
                    {
                        continue;
                    }
                    joining++;
                }
                work += player.act(connector, nowNs) ? 1 : 0;
            }
            if (0 == work)
            {
                Thread.yield();
            }
        }
    }

    private static void assertEveryItemExactlyOnce(final List<TransferPlayer> players, final String[] stores)
    {
        final List<Set<Long>> graphs = new ArrayList<>();
        boolean[] stowed = new boolean[PLAYERS + 1];
        for (int s = 0; s < 2; s++)
        {
            try (PersistenceAdapter adapter = PersistenceAdapters.open(stores[s]))
            {
                final Set<Long> ids = new HashSet<>();
                adapter.loadAll((node) -> ids.add(node.entityId));
                graphs.add(ids);
                if (0 == s)
                {
                    for (final TransferPlayer player : players)
                    {
                        stowed[(int)player.playerId] = adapter.isStowed(EntityIds.starterItemId(player.playerId));
                    }
                }
            }
        }
        for (final TransferPlayer player : players)
        {
            final long item = EntityIds.starterItemId(player.playerId);
            final boolean inA = graphs.get(0).contains(item);
            final boolean inB = graphs.get(1).contains(item);
            final int places = (inA ? 1 : 0) + (inB ? 1 : 0) + (stowed[(int)player.playerId] ? 1 : 0);
            assertEquals(1, places, "item " + item + ": shard A " + inA + ", shard B " + inB + ", stowed " +
                stowed[(int)player.playerId]);
            assertTrue(player.shard == 0 ? inA : inB, "item " + item + " in the shard its player ended in");
        }
    }
}
