/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.perf.persistence;

import io.orrery.core.persistence.CompletionHandler;
import io.orrery.core.persistence.NodeRecord;
import io.orrery.core.persistence.OperationStatus;
import io.orrery.core.persistence.PersistenceAdapter;
import io.orrery.core.persistence.Scribe;
import io.orrery.core.persistence.ScribeContext;
import io.orrery.core.persistence.ScribeCounter;
import io.orrery.persistence.postgres.PostgresPersistenceAdapter;
import io.orrery.persistence.rocksdb.RocksDbPersistenceAdapter;
import io.orrery.persistence.postgres.PostgresServerSettings;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.UnsafeBuffer;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Durable figures <i>through Scribe</i> (producer → Disruptor ring → coalescing consumer → adapter) on the real
 * stores: RocksDB in a temporary directory (every batch one {@code WriteBatch} with {@code sync=true}) and PostgreSQL
 * (embedded PostgreSQL 18 with {@code fsync}, {@code synchronous_commit} and {@code full_page_writes} on, or an
 * external server with {@code --postgres-url}).
 * <ol>
 *     <li><b>Write-behind throughput.</b> For each population ({@code --entities}, e.g. 10k and 100k) the producer
 *     offers node upserts round robin over the population as fast as the ring takes them (when the ring is full it
 *     yields and offers the same change again: the Replicant keeps the change for its next pass), for
 *     {@code --seconds}; then it offers a flush barrier and waits until everything is durable. Reported per
 *     repetition: entity changes per second (changes offered ÷ time from the first offer until the last one is
 *     durable), rows per second actually written to the store ({@link ScribeCounter#ENTRIES_WRITTEN} over the same
 *     time), the coalescing ratio, the batch write latency, and the bytes the producer thread allocated while
 *     offering ({@code ThreadMXBean.getCurrentThreadAllocatedBytes}).</li>
 *     <li><b>Stow/unstow latency</b>, offer → durable completion polled by the producer, for
 *     {@code --stow-pairs} pairs per repetition, with {@code L} node upserts offered before each operation for each
 *     {@code L} of {@code --load-upserts} (an operation first writes every pending world change, so {@code L > 0}
 *     includes that write, as a stow does on a busy shard).</li>
 * </ol>
 * Nothing is asserted: the numbers are for {@code perf/RESULTS.md}. Raw adapter figures (no ring) and zone subtree
 * loads are {@code StoreBench}'s, in persistence-adapters.
 * <p>
 * Threading: the calling thread is Scribe's single producer; Scribe's consumer runs on its own thread.
 */
@CommandLine.Command(
    name = "scribe-store-bench",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "Durable entity changes/s, rows/s and stow/unstow latency through Scribe into RocksDB and " +
        "PostgreSQL.")
public final class ScribeStoreBench implements Callable<Integer>
{
    static final long OWNER_PLAYER_ID = 77;
    static final long CONTAINER_ID = 5;
    private static final long DURABLE_TIMEOUT_NS = TimeUnit.MINUTES.toNanos(5);
    private static final int OFFERS_PER_CLOCK_READ = 256;
    private static final int CLOCK_READS_PER_ALLOCATION_WINDOW = 256;
    // looked up once: ManagementFactory.getThreadMXBean() itself allocates on every call
    private static final com.sun.management.ThreadMXBean THREAD_MX_BEAN =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
    private static final long PROBE_BYTES = probeBytes();

    @CommandLine.Option(names = "--stores", split = ",", description = "rocksdb, postgres (default: ${DEFAULT-VALUE}).")
    List<String> stores = new ArrayList<>(List.of("rocksdb", "postgres"));

    @CommandLine.Option(names = "--entities", split = ",", description = "Populations updated round robin " +
        "(default: ${DEFAULT-VALUE}).")
    int[] entities = { 10_000, 100_000 };

    @CommandLine.Option(names = "--seconds", description = "Offering time per throughput repetition (default: " +
        "${DEFAULT-VALUE}).")
    int seconds = 10;

    @CommandLine.Option(names = "--repetitions", description = "Repetitions of every figure (default: " +
        "${DEFAULT-VALUE}).")
    int repetitions = 3;

    @CommandLine.Option(names = "--state-bytes", description = "Component state per entity (default: " +
        "${DEFAULT-VALUE}).")
    int stateBytes = 128;

    @CommandLine.Option(names = "--stow-pairs", description = "Stow + unstow pairs per latency repetition " +
        "(default: ${DEFAULT-VALUE}).")
    int stowPairs = 500;

    @CommandLine.Option(names = "--load-upserts", split = ",", description = "Node upserts offered before each " +
        "stow and each unstow (default: ${DEFAULT-VALUE}).")
    int[] loadUpserts = { 0, 1000 };

    @CommandLine.Option(names = "--flush-interval-ms", description = "Scribe's flush interval (default: " +
        "${DEFAULT-VALUE}).")
    long flushIntervalMs = ScribeContext.FLUSH_INTERVAL_MS_DEFAULT;

    @CommandLine.Option(names = "--postgres-url", description = "An external PostgreSQL (JDBC or libpq URL) instead " +
        "of the embedded one.")
    String postgresUrl;

    private final PrintStream out;
    private final UnsafeBuffer state = new UnsafeBuffer(new byte[NodeRecord.MAX_COMPONENT_STATE_LENGTH]);
    private final NodeRecord node = new NodeRecord();
    private final Completion completion = new Completion();
    private final SplittableRandom random = new SplittableRandom(42);
    private final List<String> results = new ArrayList<>();
    private long sequence;
    private long operationId = 1;
    private int failedOperations;

    public ScribeStoreBench()
    {
        this(System.out);
    }

    ScribeStoreBench(final PrintStream out)
    {
        this.out = out;
    }

    public static void main(final String[] args)
    {
        System.exit(new CommandLine(new ScribeStoreBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception
    {
        out.printf(Locale.ROOT, "ScribeStoreBench: %d cores, JDK %s, load average %s; entities %s, %d s x %d, " +
            "state %d B, %d stow pairs, load upserts %s, flush interval %d ms; allocation probe %d B%n",
            Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), loadAverage(),
            Arrays.toString(entities), seconds, repetitions, stateBytes, stowPairs, Arrays.toString(loadUpserts),
            flushIntervalMs, PROBE_BYTES);
        for (final String store : stores)
        {
            switch (store.trim())
            {
                case "rocksdb":
                    runRocksDb();
                    break;
                case "postgres":
                    runPostgres();
                    break;
                default:
                    throw new CommandLine.ParameterException(new CommandLine(this), "unknown store " + store);
            }
        }
        out.printf(Locale.ROOT, "%nsummary (medians of %d repetitions; load average at the end %s):%n",
            repetitions, loadAverage());
        for (final String line : results)
        {
            out.println(line);
        }
        return 0 == failedOperations ? 0 : 1;
    }

    private void runRocksDb() throws IOException
    {
        final Path directory = Files.createTempDirectory("orrery-scribe-bench-rocksdb");
        try (PersistenceAdapter adapter = RocksDbPersistenceAdapter.open(directory))
        {
            run(adapter, "rocksdb");
        }
        finally
        {
            deleteTree(directory);
        }
    }

    private void runPostgres() throws IOException, SQLException
    {
        EmbeddedPostgres embedded = null;
        final String serverUrl;
        if (null != postgresUrl && !postgresUrl.isBlank())
        {
            serverUrl = PostgresPersistenceAdapter.toJdbcUrl(postgresUrl);
        }
        else
        {
            final EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
            PostgresServerSettings.recommended().forEach(builder::setServerConfig);
            embedded = builder.start();
            serverUrl = embedded.getJdbcUrl("postgres", "postgres");
        }

        final String schema = "orrery_scribe_bench_" + ProcessHandle.current().pid();
        try
        {
            execute(serverUrl, "CREATE SCHEMA " + schema);
            final String url = serverUrl + (serverUrl.indexOf('?') < 0 ? "?" : "&") + "currentSchema=" + schema;
            try (PostgresPersistenceAdapter adapter = PostgresPersistenceAdapter.open(url))
            {
                out.printf(Locale.ROOT, "%npostgres: server fsync=%s%n", adapter.serverFsync() ? "on" : "OFF");
                run(adapter, "postgres");
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

    private void run(final PersistenceAdapter adapter, final String store)
    {
        final Scribe scribe = Scribe.launch(new ScribeContext()
            .name("bench-" + store)
            .adapter(adapter)
            .flushIntervalNs(TimeUnit.MILLISECONDS.toNanos(flushIntervalMs)));
        try
        {
            out.printf(Locale.ROOT, "%n== %s through Scribe (ring %d, max coalesced %d, flush %d ms)%n", store,
                scribe.context().ringSize(), scribe.context().maxCoalescedEntities(), flushIntervalMs);
            int largest = 0;
            for (final int population : entities)
            {
                final long populateStartNs = System.nanoTime();
                final Throughput insert = throughput(scribe, population, population);
                out.printf(Locale.ROOT, "  population %,d: inserted in %.1f s (%,.0f rows/s)%n", population,
                    (System.nanoTime() - populateStartNs) / 1e9, insert.rowsPerSecond);
                largest = Math.max(largest, population);

                final Throughput[] runs = new Throughput[repetitions];
                for (int r = 0; r < repetitions; r++)
                {
                    runs[r] = throughput(scribe, population, -1);
                    out.printf(Locale.ROOT, "  %,7d entities run %d: %s%n", population, r + 1, runs[r]);
                }
                int windows = 0;
                int zeroWindows = 0;
                for (final Throughput run : runs)
                {
                    windows += run.allocationWindows;
                    zeroWindows += run.zeroAllocationWindows;
                }
                results.add(String.format(Locale.ROOT,
                    "  %-8s %,7d entities: changes/s %,.0f %s  rows/s %,.0f %s  producer bytes %s " +
                    "(0 B in %d of %d windows)",
                    store, population,
                    median(runs, Throughput.CHANGES), format(runs, Throughput.CHANGES),
                    median(runs, Throughput.ROWS), format(runs, Throughput.ROWS),
                    format(runs, Throughput.PRODUCER_BYTES), zeroWindows, windows));
            }

            for (final int load : loadUpserts)
            {
                latency(scribe, store, Math.min(largest, entities[0]), load);
            }
        }
        finally
        {
            scribe.close();
        }
    }

    /**
     * Offer upserts round robin over {@code population} entities for {@code --seconds} (or exactly
     * {@code count} when not negative), then wait until all are durable.
     */
    Throughput throughput(final Scribe scribe, final int population, final long count)
    {
        final long events0 = scribe.counter(ScribeCounter.EVENTS);
        final long entries0 = scribe.counter(ScribeCounter.ENTRIES_WRITTEN);
        final long batches0 = scribe.counter(ScribeCounter.BATCHES_WRITTEN);
        final long coalesced0 = scribe.counter(ScribeCounter.COALESCED);
        scribe.batchWriteLatencyNs().getIntervalHistogram(); // start a fresh interval
        sequence = 0;

        final long allocated0 = allocatedBytes();
        final long startNs = System.nanoTime();
        final long endNs = startNs + TimeUnit.SECONDS.toNanos(seconds);
        long offered = 0;
        long refused = 0;
        int windows = 0;
        int zeroWindows = 0;
        if (count >= 0)
        {
            while (offered < count)
            {
                if (offerUpsert(scribe, population, 0))
                {
                    offered++;
                }
                else
                {
                    refused++;
                    Thread.yield(); // 2 cores: let the consumer run
                }
            }
        }
        else
        {
            long windowAllocated0 = allocated0;
            int clockReads = 0;
            do
            {
                for (int i = 0; i < OFFERS_PER_CLOCK_READ; i++)
                {
                    if (offerUpsert(scribe, population, 0))
                    {
                        offered++;
                    }
                    else
                    {
                        refused++;
                        Thread.yield(); // 2 cores: let the consumer run
                    }
                }
                if (0 == (++clockReads & (CLOCK_READS_PER_ALLOCATION_WINDOW - 1)))
                {
                    final long allocated = allocatedBytes();
                    windows++;
                    zeroWindows += allocated - windowAllocated0 - PROBE_BYTES <= 0 ? 1 : 0;
                    windowAllocated0 = allocated;
                }
            }
            while (System.nanoTime() - endNs < 0);
        }
        final long producerBytes = Math.max(0, allocatedBytes() - allocated0 - (windows + 1) * PROBE_BYTES);
        final long offeringEndNs = System.nanoTime();

        awaitDurable(scribe);
        final long durableNs = System.nanoTime() - startNs;
        final Histogram writes = scribe.batchWriteLatencyNs().getIntervalHistogram();

        final Throughput result = new Throughput();
        result.offered = offered;
        result.refused = refused;
        result.events = scribe.counter(ScribeCounter.EVENTS) - events0;
        result.rows = scribe.counter(ScribeCounter.ENTRIES_WRITTEN) - entries0;
        result.batches = scribe.counter(ScribeCounter.BATCHES_WRITTEN) - batches0;
        result.coalesced = scribe.counter(ScribeCounter.COALESCED) - coalesced0;
        result.offeringSeconds = (offeringEndNs - startNs) / 1e9;
        result.durableSeconds = durableNs / 1e9;
        result.changesPerSecond = offered / result.durableSeconds;
        result.rowsPerSecond = result.rows / result.durableSeconds;
        result.producerBytes = producerBytes;
        result.allocationWindows = windows;
        result.zeroAllocationWindows = zeroWindows;
        result.batchWriteP50Ms = writes.getValueAtPercentile(50) / 1e6;
        result.batchWriteP99Ms = writes.getValueAtPercentile(99) / 1e6;
        result.batchWriteMaxMs = writes.getMaxValue() / 1e6;
        return result;
    }

    private boolean offerUpsert(final Scribe scribe, final int population, final long skipEntityId)
    {
        final long n = sequence;
        long entityId = 1 + n % population;
        if (entityId == skipEntityId)
        {
            entityId = 1 + (n + 1) % population;
            sequence++;
        }
        state.putLong(0, n);
        final boolean taken = scribe.offerNodeUpsert(
            entityId, 1 + (int)(entityId % 50), 0, entityId % 1000, false,
            n, -n, entityId, 0, 0, 0, 1, 0.5f, state, 0, stateBytes);
        if (taken)
        {
            sequence++;
        }
        return taken;
    }

    private static void awaitDurable(final Scribe scribe)
    {
        long barrier;
        while (Scribe.BACK_PRESSURED == (barrier = scribe.flushNow()))
        {
            Thread.yield();
        }
        if (!scribe.awaitDurable(barrier, DURABLE_TIMEOUT_NS))
        {
            throw new IllegalStateException("not durable within " + DURABLE_TIMEOUT_NS / 1_000_000_000L + " s");
        }
    }

    /**
     * Stow/unstow pairs over entities {@code 1..population} (which must exist as nodes), each operation preceded by
     * {@code load} upserts of other entities; latency from offer to the completion polled.
     */
    void latency(final Scribe scribe, final String store, final int population, final int load)
    {
        final Histogram stow = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        final Histogram unstow = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        final double[][] figures = new double[4][repetitions];

        stowPairs(scribe, population, load, Math.max(stowPairs / 5, 20), stow, unstow); // warm-up
        for (int r = 0; r < repetitions; r++)
        {
            stow.reset();
            unstow.reset();
            scribe.operationLatencyNs().getIntervalHistogram();
            stowPairs(scribe, population, load, stowPairs, stow, unstow);
            final Histogram inStore = scribe.operationLatencyNs().getIntervalHistogram();
            figures[0][r] = stow.getValueAtPercentile(50) / 1e3;
            figures[1][r] = stow.getValueAtPercentile(99) / 1e3;
            figures[2][r] = unstow.getValueAtPercentile(50) / 1e3;
            figures[3][r] = unstow.getValueAtPercentile(99) / 1e3;
            out.printf(Locale.ROOT, "  stow/unstow, %d upserts before each, run %d: stow p50 %,.0f p99 %,.0f max " +
                "%,.0f us; unstow p50 %,.0f p99 %,.0f max %,.0f us; in the store (both) p50 %,.0f p99 %,.0f us%n",
                load, r + 1, figures[0][r], figures[1][r], stow.getMaxValue() / 1e3, figures[2][r], figures[3][r],
                unstow.getMaxValue() / 1e3, inStore.getValueAtPercentile(50) / 1e3,
                inStore.getValueAtPercentile(99) / 1e3);
        }
        results.add(String.format(Locale.ROOT, "  %-8s stow/unstow (%d upserts before each, us): stow p50 %,.0f " +
            "p99 %,.0f %s; unstow p50 %,.0f p99 %,.0f %s", store, load, median(figures[0]), median(figures[1]),
            format(figures[1]), median(figures[2]), median(figures[3]), format(figures[3])));
    }

    private void stowPairs(
        final Scribe scribe,
        final int population,
        final int load,
        final int pairs,
        final Histogram stow,
        final Histogram unstow)
    {
        for (int i = 0; i < pairs; i++)
        {
            final long entityId = 1 + random.nextInt(population);

            offerLoad(scribe, population, load, entityId);
            node.reset();
            node.entityId = entityId;
            node.archetypeId = 7;
            node.ownerPlayerId = OWNER_PLAYER_ID;
            node.x = i;
            node.radius = 0.5f;
            node.componentStateLength = stateBytes;
            final long stowOperationId = operationId++;
            final long stowStartNs = System.nanoTime();
            while (!scribe.offerStow(stowOperationId, entityId, OWNER_PLAYER_ID, CONTAINER_ID, node))
            {
                Thread.yield();
            }
            stow.recordValue(awaitCompletion(scribe, stowOperationId) - stowStartNs);

            offerLoad(scribe, population, load, entityId);
            node.reset();
            node.entityId = entityId;
            node.x = -i;
            node.y = i;
            final long unstowOperationId = operationId++;
            final long unstowStartNs = System.nanoTime();
            while (!scribe.offerUnstow(unstowOperationId, entityId, OWNER_PLAYER_ID, node))
            {
                Thread.yield();
            }
            unstow.recordValue(awaitCompletion(scribe, unstowOperationId) - unstowStartNs);
        }
    }

    /**
     * Offer {@code load} upserts round robin, never of {@code skipEntityId} (stowed or about to be: the producer
     * offers no world change of a stowed entity).
     */
    private void offerLoad(final Scribe scribe, final int population, final int load, final long skipEntityId)
    {
        for (int i = 0; i < load; i++)
        {
            while (!offerUpsert(scribe, population, skipEntityId))
            {
                Thread.yield();
            }
        }
    }

    private long awaitCompletion(final Scribe scribe, final long expectedOperationId)
    {
        final long deadlineNs = System.nanoTime() + DURABLE_TIMEOUT_NS;
        completion.operationId = 0;
        while (true)
        {
            if (scribe.pollCompletions(completion, 1) > 0)
            {
                final long nowNs = System.nanoTime();
                if (completion.operationId != expectedOperationId)
                {
                    throw new IllegalStateException("completion of " + completion.operationId + ", expected " +
                        expectedOperationId);
                }
                if (OperationStatus.OK != completion.status)
                {
                    failedOperations++;
                    out.println("  operation " + expectedOperationId + ": " +
                        OperationStatus.name(completion.status));
                }
                return nowNs;
            }
            if (System.nanoTime() - deadlineNs >= 0)
            {
                throw new IllegalStateException("no completion of operation " + expectedOperationId);
            }
            Thread.yield();
        }
    }

    int failedOperations()
    {
        return failedOperations;
    }

    static long allocatedBytes()
    {
        return THREAD_MX_BEAN.getCurrentThreadAllocatedBytes();
    }

    /**
     * @return bytes one {@link #allocatedBytes()} call itself reports (subtracted from each window and the total).
     */
    private static long probeBytes()
    {
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 100; i++)
        {
            final long before = allocatedBytes();
            least = Math.min(least, allocatedBytes() - before);
        }
        return least;
    }

    static String loadAverage()
    {
        try
        {
            final String text = Files.readString(Paths.get("/proc/loadavg"), StandardCharsets.US_ASCII).trim();
            final String[] parts = text.split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2];
        }
        catch (final IOException | RuntimeException ex)
        {
            return "n/a";
        }
    }

    private static double median(final Throughput[] runs, final int field)
    {
        final double[] values = new double[runs.length];
        for (int i = 0; i < runs.length; i++)
        {
            values[i] = runs[i].value(field);
        }
        return median(values);
    }

    static double median(final double[] values)
    {
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        final int n = sorted.length;
        return 0 == n % 2 ? (sorted[n / 2 - 1] + sorted[n / 2]) / 2 : sorted[n / 2];
    }

    private static String format(final Throughput[] runs, final int field)
    {
        final double[] values = new double[runs.length];
        for (int i = 0; i < runs.length; i++)
        {
            values[i] = runs[i].value(field);
        }
        return format(values);
    }

    private static String format(final double[] values)
    {
        final StringBuilder text = new StringBuilder("[");
        for (int i = 0; i < values.length; i++)
        {
            text.append(i > 0 ? ", " : "").append(String.format(Locale.ROOT, "%,.0f", values[i]));
        }
        return text.append(']').toString();
    }

    private static void execute(final String url, final String sql) throws SQLException
    {
        try (Connection connection = DriverManager.getConnection(url);
            Statement statement = connection.createStatement())
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

    /**
     * One throughput repetition.
     */
    static final class Throughput
    {
        static final int CHANGES = 0;
        static final int ROWS = 1;
        static final int PRODUCER_BYTES = 2;

        long offered;
        long refused;
        long events;
        long rows;
        long batches;
        long coalesced;
        long producerBytes;
        int allocationWindows;
        int zeroAllocationWindows;
        double offeringSeconds;
        double durableSeconds;
        double changesPerSecond;
        double rowsPerSecond;
        double batchWriteP50Ms;
        double batchWriteP99Ms;
        double batchWriteMaxMs;

        double value(final int field)
        {
            switch (field)
            {
                case CHANGES:
                    return changesPerSecond;
                case ROWS:
                    return rowsPerSecond;
                default:
                    return producerBytes;
            }
        }

        @Override
        public String toString()
        {
            return String.format(Locale.ROOT, "%,.0f changes/s durable, %,.0f rows/s written (%,d offered in " +
                "%.2f s, durable after %.2f s; %,d rows in %,d batches, %,d coalesced away, %,d refused offers); " +
                "batch write p50 %.1f p99 %.1f max %.1f ms; producer allocated %,d B, 0 B in %d of %d windows of %,d " +
                "offer attempts",
                changesPerSecond, rowsPerSecond, offered, offeringSeconds, durableSeconds, rows, batches, coalesced,
                refused, batchWriteP50Ms, batchWriteP99Ms, batchWriteMaxMs, producerBytes, zeroAllocationWindows,
                allocationWindows, OFFERS_PER_CLOCK_READ * CLOCK_READS_PER_ALLOCATION_WINDOW);
        }
    }

    /**
     * The last completion polled.
     */
    static final class Completion implements CompletionHandler
    {
        long operationId;
        int status;

        @Override
        public void onCompletion(
            final int operationType,
            final long operationId,
            final long correlationId,
            final int status,
            final int firstStatus,
            final long value)
        {
            this.operationId = operationId;
            this.status = status;
        }
    }
}
