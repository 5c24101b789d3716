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
 * completion polled. Every figure is measured {@code repetitions} times and the median reported. Run:
 * <pre>
 *   mvn -q -B -Pbench -pl persistence-adapters -am verify -DskipTests \
 *       -Dorrery.bench.main=io.orrery.persistence.bench.GlobalStoreBench \
 *       -Dorrery.bench.args="repetitions=3 operations=2000 inFlight=4"
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

        final EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
        PostgresServerSettings.recommended().forEach(builder::setServerConfig);
        try (EmbeddedPostgres postgres = builder.start())
        {
            final String server = postgres.getJdbcUrl("postgres", "postgres");
            System.out.printf("global store bench: 2 shards, %d stow/unstow per shard per run, %d in flight per " +
                "shard, %d runs, embedded PostgreSQL 18 with fsync on, %s%n", operations, inFlight, repetitions,
                Runtime.version());
            for (final String sharing : sharings)
            {
                final double[] p50 = new double[repetitions];
                final double[] p99 = new double[repetitions];
                final double[] max = new double[repetitions];
                final double[] rate = new double[repetitions];
                for (int r = 0; r < repetitions; r++)
                {
                    final Path dir = Files.createTempDirectory("orrery-global-bench");
                    final String prefix = "bench_" + sharing.replace('-', '_') + "_" + r;
                    final Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
                    final long startNs = System.nanoTime();
                    run(server, prefix, sharing, dir, operations, inFlight, latency);
                    final double seconds = (System.nanoTime() - startNs) / 1e9;
                    p50[r] = latency.getValueAtPercentile(50) / 1e6;
                    p99[r] = latency.getValueAtPercentile(99) / 1e6;
                    max[r] = latency.getMaxValue() / 1e6;
                    rate[r] = latency.getTotalCount() / seconds;
                    System.out.printf("  %s run %d: stow/unstow p50 %.2f ms, p99 %.2f ms, max %.2f ms, %.0f ops/s " +
                        "(both shards)%n", sharing, r + 1, p50[r], p99[r], max[r], rate[r]);
                }
                System.out.printf("%s median of %d: p50 %.2f ms, p99 %.2f ms, max %.2f ms, %.0f ops/s%n", sharing,
                    repetitions, median(p50), median(p99), median(max), median(rate));
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
                    .ringSize(1024)
                    .threadingMode(ThreadingMode.SHARED));
            }
            drive(scribes, operations, inFlight, latency);
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

    private static void drive(final Scribe[] scribes, final int operations, final int inFlight, final Histogram latency)
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

    private static double median(final double[] values)
    {
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
