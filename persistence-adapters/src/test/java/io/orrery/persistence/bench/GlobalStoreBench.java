/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.persistence.bench;

import io.orrery.core.ThreadingMode;
import io.orrery.core.persistence.NodeRecord;
import io.orrery.core.persistence.OperationStatus;
import io.orrery.core.persistence.OperationType;
import io.orrery.core.persistence.PersistenceAdapter;
import io.orrery.core.persistence.Scribe;
import io.orrery.core.persistence.ScribeContext;
import io.orrery.core.persistence.WorldBatch;
import io.orrery.persistence.PersistenceAdapters;
import io.orrery.persistence.postgres.PostgresPersistenceAdapter;
import io.orrery.persistence.postgres.PostgresServerSettings;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.HdrHistogram.Histogram;
import org.agrona.CloseHelper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Stow and unstow latency through Scribe with the Global store shared by two shards: two Scribes (two shards, each
 * its consumer on its own thread) over one embedded PostgreSQL 18 ({@code fsync} and {@code synchronous_commit} on),
 * either with both graphs in schemas of the database ({@code two-schema}: one transaction per operation) or with
 * embedded RocksDB graphs and the outbox ({@code outbox}). Each shard keeps {@code inFlight} operations outstanding
 * (as many players acting at once), each alternately stowing and unstowing its own item; the latency is offer →
 * completion polled. With {@code npcs=N} each shard also offers N world upserts every {@code tickMs} (a layer's
 * write-behind of moving NPCs, so that operations meet pending world changes as they do in a layer);
 * {@code groupCommit=on,off} measures with Scribe's group commit on and off, alternating within each repetition.
 * Every figure is measured {@code repetitions} times and the median reported. Run:
 * <pre>
 *   mvn -q -B -Pbench -pl persistence-adapters -am verify -DskipTests \
 *       -Dorrery.bench.main=io.orrery.persistence.bench.GlobalStoreBench \
 *       -Dorrery.bench.args="repetitions=3 operations=2000 inFlight=4"
 *   mvn -q -B -Pbench -pl persistence-adapters -am verify -DskipTests \
 *       -Dorrery.bench.main=io.orrery.persistence.bench.GlobalStoreBench \
 *       -Dorrery.bench.args="repetitions=3 operations=500 inFlight=1 npcs=50 sharing=two-schema groupCommit=off,on"
 * </pre>
 * Nothing here is asserted: the numbers are for perf reports.
 */
public final class GlobalStoreBench
{
    private static final int ITEMS_PER_SHARD = 64;

    private GlobalStoreBench()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final Map<String, String> options = new HashMap<>();
        for (final String arg : args)
        {
            final int eq = arg.indexOf('=');
            if (eq > 0)
            {
                options.put(arg.substring(0, eq), arg.substring(eq + 1));
            }
        }
        final int repetitions = Integer.parseInt(options.getOrDefault("repetitions", "3"));
        final int operations = Integer.parseInt(options.getOrDefault("operations", "2000"));
        final int inFlight = Integer.parseInt(options.getOrDefault("inFlight", "4"));
        final String[] sharings = options.getOrDefault("sharing", "two-schema,outbox").split(",");
        final String[] groupModes = options.getOrDefault("groupCommit", "on").split(",");
        final World world = new World(
            Integer.parseInt(options.getOrDefault("npcs", "0")),
            TimeUnit.MILLISECONDS.toNanos(Long.parseLong(options.getOrDefault("tickMs", "33"))));

        final EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
        PostgresServerSettings.recommended().forEach(builder::setServerConfig);
        try (EmbeddedPostgres postgres = builder.start())
        {
            final String server = postgres.getJdbcUrl("postgres", "postgres");
            System.out.printf("global store bench: 2 shards, %d stow/unstow per shard per run, %d in flight per " +
                "shard, %d world upserts per shard every %d ms, %d runs, embedded PostgreSQL 18 with fsync on, %s%n",
                operations, inFlight, world.npcs, TimeUnit.NANOSECONDS.toMillis(world.tickNs), repetitions,
                Runtime.version());
            for (final String sharing : sharings)
            {
                final int modes = groupModes.length;
                final double[][] p50 = new double[modes][repetitions];
                final double[][] p99 = new double[modes][repetitions];
                final double[][] max = new double[modes][repetitions];
                final double[][] rate = new double[modes][repetitions];
                for (int r = 0; r < repetitions; r++)
                {
                    for (int m = 0; m < modes; m++)
                    {
                        final boolean groupCommit = "on".equals(groupModes[m]);
                        final Path dir = Files.createTempDirectory("orrery-global-bench");
                        final String prefix = "bench_" + sharing.replace('-', '_') + "_" + r + "_" + groupModes[m];
                        final Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
                        final long startNs = System.nanoTime();
                        run(server, prefix, sharing, dir, operations, inFlight, groupCommit, world, latency);
                        final double seconds = (System.nanoTime() - startNs) / 1e9;
                        p50[m][r] = latency.getValueAtPercentile(50) / 1e6;
                        p99[m][r] = latency.getValueAtPercentile(99) / 1e6;
                        max[m][r] = latency.getMaxValue() / 1e6;
                        rate[m][r] = latency.getTotalCount() / seconds;
                        System.out.printf("  %s group commit %s run %d: stow/unstow p50 %.2f ms, p99 %.2f ms, " +
                            "max %.2f ms, %.0f ops/s (both shards)%n", sharing, groupModes[m], r + 1, p50[m][r],
                            p99[m][r], max[m][r], rate[m][r]);
                    }
                }
                for (int m = 0; m < modes; m++)
                {
                    System.out.printf("%s group commit %s median of %d: p50 %.2f ms, p99 %.2f ms, max %.2f ms, " +
                        "%.0f ops/s%n", sharing, groupModes[m], repetitions, median(p50[m]), median(p99[m]),
                        median(max[m]), median(rate[m]));
                }
            }
        }
    }

    private static void run(
        final String server,
        final String prefix,
        final String sharing,
        final Path dir,
        final int operations,
        final int inFlight,
        final boolean groupCommit,
        final World world,
        final Histogram latency)
    {
        final PersistenceAdapter[] adapters = new PersistenceAdapter[2];
        final Scribe[] scribes = new Scribe[2];
        try
        {
            for (int s = 0; s < 2; s++)
            {
                final String global = server + "&currentSchema=" + prefix + "_global";
                adapters[s] = "outbox".equals(sharing) ?
                    PersistenceAdapters.open("rocksdb:" + dir.resolve("graph-" + s), global) :
                    PostgresPersistenceAdapter.open(server + "&currentSchema=" + prefix + "_" + s + "," + prefix +
                    "_global");
                final WorldBatch batch = new WorldBatch(ITEMS_PER_SHARD);
                for (int i = 0; i < ITEMS_PER_SHARD; i++)
                {
                    batch.addNodeUpsert().copyFrom(item(itemId(s, i), i));
                }
                adapters[s].write(batch);
                scribes[s] = Scribe.launch(new ScribeContext()
                    .name("bench-" + s)
                    .adapter(adapters[s])
                    .ringSize(world.npcs > 0 ? 8192 : 1024)
                    .groupCommit(groupCommit)
                    .threadingMode(ThreadingMode.SHARED));
            }
            drive(scribes, operations, inFlight, world, latency);
        }
        finally
        {
            for (int s = 0; s < 2; s++)
            {
                CloseHelper.quietClose(scribes[s]);
                CloseHelper.quietClose(adapters[s]);
            }
        }
    }

    private static void drive(
        final Scribe[] scribes, final int operations, final int inFlight, final World world, final Histogram latency)
    {
        final long[][] sentNs = new long[2][ITEMS_PER_SHARD];
        final boolean[][] stowed = new boolean[2][ITEMS_PER_SHARD];
        final boolean[][] busy = new boolean[2][ITEMS_PER_SHARD];
        final int[] pending = new int[2];
        final int[] completed = new int[2];
        final int[] next = new int[2];
        final long[] operationIds = new long[2];
        final NodeRecord node = new NodeRecord();
        final List<String> failures = new ArrayList<>();
        while (completed[0] < operations || completed[1] < operations)
        {
            world.tick(scribes, System.nanoTime());
            for (int s = 0; s < 2; s++)
            {
                final int shard = s;
                scribes[s].pollCompletions((type, operationId, correlationId, status, firstStatus, value) ->
                {
                    final int i = (int)correlationId;
                    final long ns = System.nanoTime() - sentNs[shard][i];
                    latency.recordValue(Math.min(ns, latency.getHighestTrackableValue()));
                    if (OperationStatus.OK != status)
                    {
                        failures.add(OperationType.name(type) + " " + OperationStatus.name(status));
                    }
                    stowed[shard][i] = OperationType.STOW == type;
                    busy[shard][i] = false;
                    pending[shard]--;
                    completed[shard]++;
                }, 64);
                while (pending[s] < inFlight && completed[s] + pending[s] < operations)
                {
                    final int i = next[s];
                    next[s] = (next[s] + 1) % ITEMS_PER_SHARD;
                    if (busy[s][i])
                    {
                        break;
                    }
                    final long id = itemId(s, i);
                    final long operationId = ++operationIds[s];
                    final boolean offered;
                    final long nowNs = System.nanoTime();
                    if (stowed[s][i])
                    {
                        node.reset();
                        node.entityId = id;
                        node.x = i;
                        offered = scribes[s].offerUnstow(operationId, i, owner(id), node);
                    }
                    else
                    {
                        offered = scribes[s].offerStow(operationId, i, owner(id), 0, item(id, i));
                    }
                    if (!offered)
                    {
                        break;
                    }
                    sentNs[s][i] = nowNs;
                    busy[s][i] = true;
                    pending[s]++;
                }
            }
            Thread.onSpinWait();
        }
        if (!failures.isEmpty())
        {
            throw new IllegalStateException(failures.size() + " operations not OK, e.g. " + failures.get(0));
        }
    }

    private static long itemId(final int shard, final int index)
    {
        return 1_000_000L * (shard + 1) + index;
    }

    private static long owner(final long itemId)
    {
        return itemId; // one player per item: operation ids are per player
    }

    private static NodeRecord item(final long id, final long x)
    {
        final NodeRecord node = new NodeRecord();
        node.entityId = id;
        node.archetypeId = 5;
        node.ownerPlayerId = owner(id);
        node.x = x;
        node.componentStateLength = 64;
        Arrays.fill(node.componentState, 0, 64, (byte)id);
        return node;
    }

    /**
     * World changes next to the operations: every shard's NPCs moved and offered for write-behind once a tick.
     */
    private static final class World
    {
        private final int npcs;
        private final long tickNs;
        private final NodeRecord npc = new NodeRecord();
        private long nextTickNs;
        private long tick;

        World(final int npcs, final long tickNs)
        {
            this.npcs = npcs;
            this.tickNs = tickNs;
        }

        void tick(final Scribe[] scribes, final long nowNs)
        {
            if (0 == npcs || nowNs - nextTickNs < 0)
            {
                return;
            }
            nextTickNs = nowNs + tickNs;
            tick++;
            for (int s = 0; s < scribes.length; s++)
            {
                for (int i = 0; i < npcs; i++)
                {
                    npc.reset();
                    npc.entityId = 2_000_000L * (s + 1) + i;
                    npc.archetypeId = 3;
                    npc.x = tick * 10 + i;
                    npc.componentStateLength = 16;
                    if (!scribes[s].offerNodeUpsert(npc))
                    {
                        break; // back-pressured: skip the rest of this tick, as a layer would retry later
                    }
                }
            }
        }
    }

    private static double median(final double[] values)
    {
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
