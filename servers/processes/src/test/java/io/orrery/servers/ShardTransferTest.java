/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.orrery.core.common.EntityIds;
import io.orrery.core.ReplicationLayer;
import io.orrery.core.ThreadingMode;
import io.orrery.core.auth.SessionTokens;
import io.orrery.core.authority.ScriptedAuthority;
import io.orrery.core.client.ClientLink;
import io.orrery.core.client.ClientListener;
import io.orrery.core.client.ClientSession;
import io.orrery.core.persistence.PersistenceAdapter;
import io.orrery.core.shard.ShardDirectory;
import io.orrery.persistence.PersistenceAdapters;
import io.orrery.persistence.postgres.PostgresPersistenceAdapter;
import io.orrery.persistence.postgres.PostgresServerSettings;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.HdrHistogram.Histogram;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Shard transfer: two shards (two Replication Layers in INVOKER mode, each with its own media driver and its own
 * EntityGraph) share one Global store in PostgreSQL; a shard directory file says where each listens. 100 players move
 * back and forth between them with their starter items (stowed into the Global store when they leave a shard,
 * unstowed in the shard they join), through real client sessions. At the end every item is in exactly one place: a
 * graph of one shard, or the Global store. Run over both ways of sharing the Global store: the shards' graphs in
 * schemas of the same database ({@code two-schema}: stow and unstow one transaction), and embedded RocksDB graphs with
 * the outbox ({@code outbox}).
 */
@Tag("system")
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ShardTransferTest
{
    static final int PLAYERS = 100;
    static final int TRANSFERS = 2;
    static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(150);
    private static final String[] SHARDS = { "shard-a", "shard-b" };

    private static EmbeddedPostgres postgres;
    private static int runs;

    @BeforeAll
    static void startPostgres() throws IOException
    {
        final EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
        PostgresServerSettings.recommended().forEach(builder::setServerConfig);
        postgres = builder.start();
    }

    @AfterAll
    static void stopPostgres() throws IOException
    {
        postgres.close();
    }

    static String url(final String schemas)
    {
        return postgres.getJdbcUrl("postgres", "postgres") + "&currentSchema=" + schemas;
    }

    @ParameterizedTest
    @ValueSource(strings = { "two-schema", "outbox" })
    void shouldMoveHundredPlayersBackAndForthWithTheirItemsExactlyOnce(final String sharing, @TempDir final Path dir)
    {
        final String prefix = "transfer_" + ProcessHandle.current().pid() + "_" + (++runs);
        final String global = prefix + "_global";
        final Path directoryFile = dir.resolve("shards.txt");
        final MediaDriver[] drivers = new MediaDriver[2];
        final PersistenceAdapter[] adapters = new PersistenceAdapter[2];
        final ReplicationLayer[] layers = new ReplicationLayer[2];
        final Aeron[] clients = new Aeron[2];
        final ClientLink[] links = new ClientLink[2];
        try
        {
            for (int s = 0; s < 2; s++)
            {
                drivers[s] = MediaDriver.launch(new MediaDriver.Context()
                    .aeronDirectoryName(dir.resolve("aeron-" + s).toString())
                    .threadingMode(io.aeron.driver.ThreadingMode.SHARED)
                    .dirDeleteOnStart(true)
                    .dirDeleteOnShutdown(true));
                adapters[s] = "outbox".equals(sharing) ?
                    PersistenceAdapters.open("rocksdb:" + dir.resolve("graph-" + s), url(global)) :
                    PostgresPersistenceAdapter.open(url(prefix + "_" + s + "," + global));
                layers[s] = ReplicationLayer.launch(new ReplicationLayer.Context()
                    .shardName(SHARDS[s])
                    .aeronDirectoryName(drivers[s].aeronDirectoryName())
                    .threadingMode(ThreadingMode.INVOKER)
                    .tokenSecret(PersistentLayerRig.SECRET)
                    .authority(new ScriptedAuthority(new ScriptedAuthority.Settings().npcCount(20).shipCount(2)))
                    .persistenceAdapter(adapters[s])
                    .persistenceFlushIntervalNs(TimeUnit.MILLISECONDS.toNanos(50))
                    .maxSessions(2 * PLAYERS)
                    .maxEntities(16 * 1024)
                    .bandwidthBytesPerTick(256 * 1024));
                ShardDirectory.register(directoryFile, new ShardDirectory.Entry(SHARDS[s],
                    drivers[s].aeronDirectoryName(), layers[s].context().clientIngressChannel(),
                    layers[s].context().clientIngressStreamId()));
            }

            // clients find the shards through the directory
            final ShardDirectory directory = ShardDirectory.read(directoryFile);
            assertEquals(2, directory.entries().size());
            for (int s = 0; s < 2; s++)
            {
                final ShardDirectory.Entry entry = directory.entry(SHARDS[s]);
                clients[s] = Aeron.connect(new Aeron.Context().aeronDirectoryName(entry.aeronDirectoryName()));
                links[s] = new ClientLink(clients[s], new ClientLink.Settings()
                    .ingressChannel(entry.clientIngressChannel())
                    .ingressStreamId(entry.clientIngressStreamId())
                    .responseStreamId(2001));
            }

            final Histogram transferNs = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
            final Histogram operationNs = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
            final List<TransferPlayer> players = new ArrayList<>();
            for (int p = 1; p <= PLAYERS; p++)
            {
                players.add(new TransferPlayer(p, p % 2, TRANSFERS, transferNs, operationNs));
            }
            play(players, layers, links);

            int refused = 0;
            int resends = 0;
            int reconnects = 0;
            for (final TransferPlayer player : players)
            {
                assertEquals(0, player.mismatches, "player " + player.playerId + ": " + player.lastMismatch);
                assertEquals(TRANSFERS, player.transfers, "player " + player.playerId + " transfers");
                refused += player.refused;
                resends += player.resends;
                reconnects += player.reconnects;
            }
            System.out.printf("%s: %d players x %d transfers; transfer (left -> own entity in the other shard) " +
                "p50 %.1f ms, p99 %.1f ms, max %.1f ms; stow/unstow request -> result p50 %.1f ms, p99 %.1f ms " +
                "(%d results); %d refused and retried, %d resent, %d reconnects%n", sharing, PLAYERS, TRANSFERS,
                transferNs.getValueAtPercentile(50) / 1e6, transferNs.getValueAtPercentile(99) / 1e6,
                transferNs.getMaxValue() / 1e6, operationNs.getValueAtPercentile(50) / 1e6,
                operationNs.getValueAtPercentile(99) / 1e6, operationNs.getTotalCount(), refused, resends,
                reconnects);
            assertEquals((long)PLAYERS * TRANSFERS, transferNs.getTotalCount());

            for (int s = 1; s >= 0; s--)
            {
                CloseHelper.quietClose(links[s]);
                CloseHelper.quietClose(clients[s]);
                CloseHelper.quietClose(layers[s]); // drains Scribe into the stores
                layers[s] = null;
            }
            assertEveryItemExactlyOnce(players, adapters);
        }
        finally
        {
            for (int s = 1; s >= 0; s--)
            {
                CloseHelper.quietClose(links[s]);
                CloseHelper.quietClose(clients[s]);
                CloseHelper.quietClose(layers[s]);
                CloseHelper.quietClose(adapters[s]);
                CloseHelper.quietClose(drivers[s]);
            }
        }
    }

    private static void play(
        final List<TransferPlayer> players, final ReplicationLayer[] layers, final ClientLink[] links)
    {
        final SessionTokens tokens = new SessionTokens(PersistentLayerRig.SECRET);
        final int[] joining = new int[1];
        final TransferPlayer.Connector connector = (shard, playerId, listener) ->
            links[shard].connect(tokens.issue(playerId, System.currentTimeMillis() + 600_000), listener);
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        while (true)
        {
            int work = layers[0].doWork() + layers[1].doWork() + links[0].doWork() + links[1].doWork();
            final long nowNs = System.nanoTime();
            int done = 0;
            joining[0] = 0;
            for (final TransferPlayer player : players)
            {
                if (TransferPlayer.Phase.SPAWN == player.phase)
                {
                    joining[0]++;
                }
            }
            for (final TransferPlayer player : players)
            {
                if (TransferPlayer.Phase.DONE == player.phase)
                {
                    done++;
                }
                else if (TransferPlayer.Phase.JOIN != player.phase || joining[0] < 16)
                {
                    if (TransferPlayer.Phase.JOIN == player.phase)
                    {
                        joining[0]++;
                    }
                    work += player.act(connector, nowNs) ? 1 : 0;
                }
            }
            if (done == players.size())
            {
                return;
            }
            if (nowNs - deadlineNs > 0)
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
                fail(done + " of " + players.size() + " players done; the others: " + phases);
            }
            if (0 == work)
            {
                Thread.yield();
            }
        }
    }

    private static void assertEveryItemExactlyOnce(
        final List<TransferPlayer> players, final PersistenceAdapter[] adapters)
    {
        final List<Set<Long>> graphs = new ArrayList<>();
        for (final PersistenceAdapter adapter : adapters)
        {
            final Set<Long> ids = new HashSet<>();
            adapter.loadAll((node) -> ids.add(node.entityId));
            graphs.add(ids);
        }
        for (final TransferPlayer player : players)
        {
            final long item = EntityIds.starterItemId(player.playerId);
            final boolean inA = graphs.get(0).contains(item);
            final boolean inB = graphs.get(1).contains(item);
            final boolean stowed = adapters[0].isStowed(item);
            assertEquals(stowed, adapters[1].isStowed(item), "both shards see the same Global store");
            final int places = (inA ? 1 : 0) + (inB ? 1 : 0) + (stowed ? 1 : 0);
            assertEquals(1, places, "item " + item + ": shard A " + inA + ", shard B " + inB + ", stowed " + stowed);
            assertTrue(player.shard == 0 ? inA : inB, "item " + item + " unstowed in the shard its player ended in");
        }
    }

    static ClientSession connect(final ClientLink link, final long playerId, final ClientListener listener)
    {
        return link.connect(new SessionTokens(PersistentLayerRig.SECRET)
            .issue(playerId, System.currentTimeMillis() + 600_000), listener);
    }
}
