/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.persistence.bench;

import io.orrery.core.persistence.NodeRecord;
import io.orrery.core.persistence.OperationStatus;
import io.orrery.core.persistence.PersistenceAdapter;
import io.orrery.core.persistence.StowOperation;
import io.orrery.core.persistence.WorldBatch;
import io.orrery.persistence.postgres.PostgresPersistenceAdapter;
import io.orrery.persistence.rocksdb.RocksDbPersistenceAdapter;
import io.orrery.persistence.postgres.PostgresServerSettings;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Raw adapter figures for RocksDB and PostgreSQL (embedded PostgreSQL 18 with {@code fsync} and
 * {@code synchronous_commit} on; or {@code -Dorrery.postgres.url=...}): durable node upserts per second through
 * {@link PersistenceAdapter#write(WorldBatch)} in batches of 256, 1024 and 16384 (Scribe's largest), stow and unstow
 * latency (HdrHistogram) next to the floor under every durable call: an 8 KiB write plus
 * {@code FileChannel.force(false)} (an {@code fdatasync}) of a file in the temporary directory
 * the stores live in, once after every stow and unstow pair, so that the floor is measured under the same load as
 * the operations. Every figure is measured {@code repetitions} times and the
 * median is reported next to the individual runs. Run:
 * <pre>
 *   mvn -q -B -Pbench -pl persistence-adapters -am verify -DskipTests
 *   mvn -q -B -Pbench -pl persistence-adapters -am verify -DskipTests \
 *       -Dorrery.bench.args="stores=rocksdb repetitions=5 changes=524288"
 * </pre>
 * Arguments ({@code key=value}): {@code stores} (rocksdb,postgres), {@code repetitions} (3), {@code population}
 * (65536 nodes written once, then updated), {@code changes} (262144 upserts per run; PostgreSQL runs a quarter),
 * {@code stows} (500 stow + unstow pairs per run), {@code stateBytes} (100..300 bytes of component state).
 * Single threaded, like Scribe's consumer. Nothing here is asserted: the numbers are for perf reports.
 */
public final class StoreBench
{
    private static final int[] BATCH_SIZES = { 256, 1024, 16384 };
    private static final long SUBTREE_1K_ROOT = 1_000_000_000L;
    private static final long SUBTREE_10K_ROOT = 2_000_000_000L;
    private static final long PLAYER = 77;

    private final int repetitions;
    private final int population;
    private final int changes;
    private final int stows;
    private final Random random = new Random(42);
    private long operationId = 1;

    private StoreBench(final Map<String, String> args)
    {
        repetitions = Integer.parseInt(args.getOrDefault("repetitions", "3"));
        population = Integer.parseInt(args.getOrDefault("population", "65536"));
        changes = Integer.parseInt(args.getOrDefault("changes", "262144"));
        stows = Integer.parseInt(args.getOrDefault("stows", "500"));
    }

    public static void main(final String[] argv) throws Exception
    {
        final Map<String, String> args = new HashMap<>();
        for (final String arg : argv)
        {
            final int eq = arg.indexOf('=');
            if (eq <= 0)
            {
                throw new IllegalArgumentException("arguments are key=value, got " + arg);
            }
            args.put(arg.substring(0, eq), arg.substring(eq + 1));
        }

        final StoreBench bench = new StoreBench(args);
        System.out.printf("StoreBench: %d cores, JDK %s, repetitions=%d population=%d changes=%d stows=%d%n",
            Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), bench.repetitions,
            bench.population, bench.changes, bench.stows);

        for (final String store : args.getOrDefault("stores", "rocksdb,postgres").split(","))
        {
            switch (store.trim())
            {
                case "rocksdb":
                    bench.runRocksDb();
                    break;
                case "postgres":
                    bench.runPostgres();
                    break;
                default:
                    throw new IllegalArgumentException("unknown store " + store);
            }
        }
    }

    private void runRocksDb() throws IOException
    {
        final Path directory = Files.createTempDirectory("orrery-storebench-rocksdb");
        try (PersistenceAdapter adapter = RocksDbPersistenceAdapter.open(directory))
        {
            run(adapter, changes);
        }
        finally
        {
            deleteTree(directory);
        }
    }

    private void runPostgres() throws IOException, SQLException
    {
        final String external = System.getProperty("orrery.postgres.url");
        EmbeddedPostgres embedded = null;
        final String serverUrl;
        if (null != external && !external.isBlank())
        {
            serverUrl = PostgresPersistenceAdapter.toJdbcUrl(external);
        }
        else
        {
            final EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
            PostgresServerSettings.recommended().forEach(builder::setServerConfig);
            embedded = builder.start();
            serverUrl = embedded.getJdbcUrl("postgres", "postgres");
        }

        final String schema = "orrery_storebench_" + ProcessHandle.current().pid();
        try
        {
            execute(serverUrl, "CREATE SCHEMA " + schema);
            final String url = serverUrl + (serverUrl.indexOf('?') < 0 ? "?" : "&") + "currentSchema=" + schema;
            try (PostgresPersistenceAdapter adapter = PostgresPersistenceAdapter.open(url))
            {
                System.out.printf("  (server fsync=%s)%n", adapter.serverFsync() ? "on" : "OFF");
                run(adapter, Math.max(changes / 4, 4096));
            }
            finally
            {
                execute(serverUrl, "DROP SCHEMA " + schema + " CASCADE");
            }
        }
        finally
        {
            if (null != embedded)
            {
                embedded.close();
            }
        }
    }

    private void run(final PersistenceAdapter adapter, final int changesPerRun) throws IOException
    {
        System.out.printf("%n== %s%n", adapter.name());

        final WorldBatch batch = new WorldBatch(BATCH_SIZES[BATCH_SIZES.length - 1]);
        final long insertStartNs = System.nanoTime();
        writeNodes(adapter, batch, 1024, population, 0);
        final long insertNs = System.nanoTime() - insertStartNs;
        System.out.printf("  insert of %,d new nodes (batches of 1024): %,.0f nodes/s%n",
            population, population * 1e9 / insertNs);

        for (final int batchSize : BATCH_SIZES)
        {
            final double[] rates = new double[repetitions];
            for (int r = 0; r < repetitions; r++)
            {
                final long startNs = System.nanoTime();
                writeNodes(adapter, batch, batchSize, changesPerRun, r + 1);
                rates[r] = changesPerRun * 1e9 / (System.nanoTime() - startNs);
            }
            System.out.printf("  durable upserts of existing nodes, batches of %4d: median %,.0f nodes/s  %s%n",
                batchSize, median(rates), format(rates, "%,.0f"));
        }

        stowLatency(adapter);
        subtreeLoads(adapter, batch);
    }

    /**
     * Upsert {@code count} nodes round robin over the population, in batches, each with a new position and state.
     */
    private void writeNodes(
        final PersistenceAdapter adapter, final WorldBatch batch, final int batchSize, final int count, final int pass)
    {
        int written = 0;
        int next = 0;
        while (written < count)
        {
            batch.clear();
            final int n = Math.min(batchSize, count - written);
            for (int i = 0; i < n; i++)
            {
                fill(batch.addNodeUpsert(), 1 + next, 0, pass);
                next = (next + 1) % population;
            }
            adapter.write(batch);
            written += n;
        }
    }

    private void fill(final NodeRecord node, final long id, final long zoneId, final int pass)
    {
        node.entityId = id;
        node.archetypeId = 1 + (int)(id % 50);
        node.parentZoneId = zoneId;
        node.ownerPlayerId = id % 1000;
        node.x = random.nextInt(2_000_000) - 1_000_000;
        node.y = random.nextInt(2_000_000) - 1_000_000;
        node.z = random.nextInt(20_000);
        node.qw = 1.0f;
        node.radius = 1.0f + pass;
        node.componentStateLength = 100 + random.nextInt(201);
        for (int i = 0; i < node.componentStateLength; i += 8)
        {
            node.componentState[i] = (byte)(pass + i);
        }
    }

    private void stowLatency(final PersistenceAdapter adapter) throws IOException
    {
        final double[] stowP50 = new double[repetitions];
        final double[] stowP99 = new double[repetitions];
        final double[] unstowP50 = new double[repetitions];
        final double[] unstowP99 = new double[repetitions];
        final Histogram stowHistogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        final Histogram unstowHistogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        final Histogram syncHistogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        final double[] syncP50 = new double[repetitions];
        final double[] syncP99 = new double[repetitions];
        final StowOperation op = new StowOperation();

        final Path probeFile = Files.createTempFile("orrery-storebench-sync", ".dat");
        try (FileChannel probe = FileChannel.open(probeFile, StandardOpenOption.WRITE))
        {
            stowPairs(adapter, op, Math.max(stows / 5, 50), stowHistogram, unstowHistogram, probe, syncHistogram);
            for (int r = 0; r < repetitions; r++)
            {
                stowHistogram.reset();
                unstowHistogram.reset();
                syncHistogram.reset();
                stowPairs(adapter, op, stows, stowHistogram, unstowHistogram, probe, syncHistogram);
                stowP50[r] = stowHistogram.getValueAtPercentile(50) / 1e3;
                stowP99[r] = stowHistogram.getValueAtPercentile(99) / 1e3;
                unstowP50[r] = unstowHistogram.getValueAtPercentile(50) / 1e3;
                unstowP99[r] = unstowHistogram.getValueAtPercentile(99) / 1e3;
                syncP50[r] = syncHistogram.getValueAtPercentile(50) / 1e3;
                syncP99[r] = syncHistogram.getValueAtPercentile(99) / 1e3;
            }
        }
        finally
        {
            Files.deleteIfExists(probeFile);
        }
        printLatency("stow  ", stowP50, stowP99, stowHistogram);
        printLatency("unstow", unstowP50, unstowP99, unstowHistogram);
        printLatency("floor: 8 KiB write + fdatasync between pairs,", syncP50, syncP99, syncHistogram);
    }

    private static void printLatency(
        final String what, final double[] p50, final double[] p99, final Histogram last)
    {
        System.out.printf("  %s latency µs: median p50 %,.0f  median p99 %,.0f   p50s %s  p99s %s  (last max %,.0f)%n",
            what, median(p50), median(p99), format(p50, "%,.0f"), format(p99, "%,.0f"), last.getMaxValue() / 1e3);
    }

    private void stowPairs(
        final PersistenceAdapter adapter,
        final StowOperation op,
        final int pairs,
        final Histogram stowHistogram,
        final Histogram unstowHistogram,
        final FileChannel probe,
        final Histogram syncHistogram)
        throws IOException
    {
        final ByteBuffer page = ByteBuffer.allocateDirect(8192);
        for (int i = 0; i < pairs; i++)
        {
            final long entityId = 1 + random.nextInt(population);

            op.reset();
            op.operationId = operationId++;
            op.entityId = entityId;
            op.ownerPlayerId = PLAYER;
            op.containerId = 5;
            fill(op.node, entityId, 0, 0);
            final long stowStartNs = System.nanoTime();
            adapter.stow(op);
            stowHistogram.recordValue(System.nanoTime() - stowStartNs);
            check(op, entityId);

            op.reset();
            op.operationId = operationId++;
            op.entityId = entityId;
            op.ownerPlayerId = PLAYER;
            op.node.entityId = entityId;
            op.node.x = i;
            final long unstowStartNs = System.nanoTime();
            adapter.unstow(op);
            unstowHistogram.recordValue(System.nanoTime() - unstowStartNs);
            check(op, entityId);

            page.clear();
            final long syncStartNs = System.nanoTime();
            probe.write(page, (i % 256) * 8192L);
            probe.force(false);
            syncHistogram.recordValue(System.nanoTime() - syncStartNs);
        }
    }

    private void subtreeLoads(final PersistenceAdapter adapter, final WorldBatch batch)
    {
        buildTree(adapter, batch, SUBTREE_1K_ROOT, 10, 99);
        buildTree(adapter, batch, SUBTREE_10K_ROOT, 100, 99);

        for (final long root : new long[]{ SUBTREE_1K_ROOT, SUBTREE_10K_ROOT })
        {
            final int[] count = new int[1];
            final PersistenceAdapter.NodeHandler handler = (node) -> count[0]++;
            for (int i = 0; i < 3; i++)
            {
                adapter.loadZoneSubtree(root, handler);
            }

            final double[] medians = new double[repetitions];
            final double[] times = new double[10];
            for (int r = 0; r < repetitions; r++)
            {
                for (int i = 0; i < times.length; i++)
                {
                    count[0] = 0;
                    final long startNs = System.nanoTime();
                    adapter.loadZoneSubtree(root, handler);
                    times[i] = (System.nanoTime() - startNs) / 1e6;
                }
                medians[r] = median(times);
            }
            System.out.printf("  zone subtree load of %,6d nodes (3 levels): median %.1f ms  %s%n",
                count[0], median(medians), format(medians, "%.1f"));
        }
    }

    /**
     * A root zone with {@code zones} child zones of {@code perZone} nodes each: 1 + zones × (1 + perZone) nodes.
     */
    private void buildTree(
        final PersistenceAdapter adapter, final WorldBatch batch, final long rootId, final int zones, final int perZone)
    {
        batch.clear();
        final NodeRecord root = batch.addNodeUpsert();
        fill(root, rootId, 0, 0);
        root.isZone = true;
        long nextId = rootId + 1;
        for (int z = 0; z < zones; z++)
        {
            final long zoneId = nextId++;
            NodeRecord node = addOrFlush(adapter, batch);
            fill(node, zoneId, rootId, 0);
            node.isZone = true;
            for (int i = 0; i < perZone; i++)
            {
                node = addOrFlush(adapter, batch);
                fill(node, nextId++, zoneId, 0);
            }
        }
        adapter.write(batch);
        batch.clear();
    }

    private static NodeRecord addOrFlush(final PersistenceAdapter adapter, final WorldBatch batch)
    {
        NodeRecord node = batch.addNodeUpsert();
        if (null == node)
        {
            adapter.write(batch);
            batch.clear();
            node = batch.addNodeUpsert();
        }
        return node;
    }

    private static void check(final StowOperation op, final long entityId)
    {
        if (op.status != OperationStatus.OK)
        {
            throw new IllegalStateException(
                "operation on " + entityId + " returned " + OperationStatus.name(op.status));
        }
    }

    private static double median(final double[] values)
    {
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        final int n = sorted.length;
        return 0 == n % 2 ? (sorted[n / 2 - 1] + sorted[n / 2]) / 2 : sorted[n / 2];
    }

    private static String format(final double[] values, final String format)
    {
        final StringBuilder text = new StringBuilder("[");
        for (int i = 0; i < values.length; i++)
        {
            text.append(i > 0 ? ", " : "").append(String.format(format, values[i]));
        }
        return text.append(']').toString();
    }

    private static void execute(final String url, final String sql) throws SQLException
    {
        try (Connection c = DriverManager.getConnection(url); Statement statement = c.createStatement())
        {
            statement.execute(sql);
        }
    }

    private static void deleteTree(final Path directory) throws IOException
    {
        try (Stream<Path> paths = Files.walk(directory))
        {
            for (final Path path : (Iterable<Path>)paths.sorted(Comparator.reverseOrder())::iterator)
            {
                Files.deleteIfExists(path);
            }
        }
    }
}
