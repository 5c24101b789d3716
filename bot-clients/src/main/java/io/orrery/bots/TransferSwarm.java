/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.bots;

import io.orrery.core.ReplicationLayer;
import io.orrery.core.auth.PlayerTokenMinter;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.io.File;
import java.io.FileNotFoundException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bots against several shards: each bot picks a shard from the deployment's
 * {@link io.orrery.core.shard.ShardDirectory}, joins it, unstows its starter item, and about every transfer interval
 * stows the item into the Global store, leaves, joins another shard and unstows it there ({@link TransferBot}). Reports
 * the transfers, the transfer latency (left one shard, i.e. the stow's result, to the own entity spawned in the next)
 * and the stow and unstow latency (request to result, through the shard's Scribe and the Global store) as
 * HdrHistograms. All bots run on one thread ({@link TransferAgent}).
 * <pre>
 *   TransferSwarm.launch(settings)   start the bot thread (or not, with startThread(false): the caller steps agent())
 *   swarm.stop()                     stop the thread, close the links; returns the summary
 * </pre>
 * Threading: launch, stop and the accessors are for one controlling thread.
 */
public final class TransferSwarm implements AutoCloseable
{
    /**
     * Settings of a transfer swarm, with defaults for a local run.
     */
    public static final class Settings
    {
        int bots = 100;
        boolean startThread = true;
        long durationNs = TimeUnit.SECONDS.toNanos(60);
        double rampBotsPerSecond = 100;
        long transferIntervalNs = TimeUnit.SECONDS.toNanos(10);
        Path shardDirectory;
        String aeronDirectoryName;
        String responseChannel = BotSwarm.DEFAULT_RESPONSE_CHANNEL;
        int responseStreamId = 3001;
        byte[] tokenSecret = ReplicationLayer.Context.TOKEN_SECRET_DEFAULT.getBytes(StandardCharsets.UTF_8);
        byte[] playerTokenPrivateKey;
        long playerIdBase = 2_000_000;
        long seed = 42;
        int maxJoinsInFlight = 16;
        long directoryRefreshNs = TimeUnit.SECONDS.toNanos(1);
        long connectTimeoutNs = TimeUnit.SECONDS.toNanos(20);
        long idleMaxParkNs = TimeUnit.MICROSECONDS.toNanos(100);
        NanoClock clock = SystemNanoClock.INSTANCE;

        public int bots()
        {
            return bots;
        }

        public Settings bots(final int bots)
        {
            this.bots = bots;
            return this;
        }

        public boolean startThread()
        {
            return startThread;
        }

        /**
         * False: no thread is started, the caller steps {@link TransferSwarm#doWork()} (tests).
         */
        public Settings startThread(final boolean startThread)
        {
            this.startThread = startThread;
            return this;
        }

        public long durationNs()
        {
            return durationNs;
        }

        public Settings durationNs(final long durationNs)
        {
            this.durationNs = durationNs;
            return this;
        }

        public double rampBotsPerSecond()
        {
            return rampBotsPerSecond;
        }

        public Settings rampBotsPerSecond(final double rampBotsPerSecond)
        {
            this.rampBotsPerSecond = rampBotsPerSecond;
            return this;
        }

        public long transferIntervalNs()
        {
            return transferIntervalNs;
        }

        /**
         * Mean time a bot stays in a shard with its item unstowed before it moves on (each stay uniform in
         * [0.5, 1.5] times this).
         */
        public Settings transferIntervalNs(final long transferIntervalNs)
        {
            this.transferIntervalNs = transferIntervalNs;
            return this;
        }

        public Path shardDirectory()
        {
            return shardDirectory;
        }

        /**
         * The shard directory file the bots pick shards from (re-read every {@link #directoryRefreshNs()}).
         */
        public Settings shardDirectory(final Path shardDirectory)
        {
            this.shardDirectory = shardDirectory;
            return this;
        }

        public String aeronDirectoryName()
        {
            return aeronDirectoryName;
        }

        /**
         * Media driver for directory entries without one ({@code -}); null for Aeron's default.
         */
        public Settings aeronDirectoryName(final String aeronDirectoryName)
        {
            this.aeronDirectoryName = aeronDirectoryName;
            return this;
        }

        public String responseChannel()
        {
            return responseChannel;
        }

        public Settings responseChannel(final String responseChannel)
        {
            this.responseChannel = responseChannel;
            return this;
        }

        public int responseStreamId()
        {
            return responseStreamId;
        }

        /**
         * First response stream id; the link to the {@code n}th shard seen uses {@code responseStreamId + n}.
         */
        public Settings responseStreamId(final int responseStreamId)
        {
            this.responseStreamId = responseStreamId;
            return this;
        }

        public byte[] tokenSecret()
        {
            return tokenSecret;
        }

        /**
         * Secret shared by every shard of the directory (HMAC player tokens, when no
         * {@link #playerTokenPrivateKey(byte[])} is set).
         */
        public Settings tokenSecret(final byte[] tokenSecret)
        {
            this.tokenSecret = tokenSecret;
            return this;
        }

        public byte[] playerTokenPrivateKey()
        {
            return playerTokenPrivateKey;
        }

        /**
         * The login service's Ed25519 private key (32-byte seed): set, bots present Ed25519 player tokens signed with
         * it (every shard of the directory run with the matching public key), else HMAC tokens of
         * {@link #tokenSecret()}. The same choice as {@link BotSwarm.Settings#playerTokenPrivateKey(byte[])}
         * ({@link PlayerTokenMinter}).
         */
        public Settings playerTokenPrivateKey(final byte[] playerTokenPrivateKey)
        {
            this.playerTokenPrivateKey = playerTokenPrivateKey;
            return this;
        }

        public long playerIdBase()
        {
            return playerIdBase;
        }

        public Settings playerIdBase(final long playerIdBase)
        {
            this.playerIdBase = playerIdBase;
            return this;
        }

        public long seed()
        {
            return seed;
        }

        public Settings seed(final long seed)
        {
            this.seed = seed;
            return this;
        }

        public int maxJoinsInFlight()
        {
            return maxJoinsInFlight;
        }

        /**
         * Most bots between opening a session and their own entity's spawn at once (the rest wait to join).
         */
        public Settings maxJoinsInFlight(final int maxJoinsInFlight)
        {
            this.maxJoinsInFlight = maxJoinsInFlight;
            return this;
        }

        public long directoryRefreshNs()
        {
            return directoryRefreshNs;
        }

        public Settings directoryRefreshNs(final long directoryRefreshNs)
        {
            this.directoryRefreshNs = directoryRefreshNs;
            return this;
        }

        public long connectTimeoutNs()
        {
            return connectTimeoutNs;
        }

        public Settings connectTimeoutNs(final long connectTimeoutNs)
        {
            this.connectTimeoutNs = connectTimeoutNs;
            return this;
        }

        public long idleMaxParkNs()
        {
            return idleMaxParkNs;
        }

        public Settings idleMaxParkNs(final long idleMaxParkNs)
        {
            this.idleMaxParkNs = idleMaxParkNs;
            return this;
        }

        public NanoClock clock()
        {
            return clock;
        }

        public Settings clock(final NanoClock clock)
        {
            this.clock = clock;
            return this;
        }

        /**
         * Validate.
         *
         * @return this.
         */
        public Settings conclude()
        {
            if (bots <= 0)
            {
                throw new IllegalArgumentException("need bots > 0: " + bots);
            }
            if (null == shardDirectory)
            {
                throw new IllegalArgumentException("shardDirectory is required");
            }
            if (transferIntervalNs <= 0 || !(rampBotsPerSecond > 0) || maxJoinsInFlight <= 0)
            {
                throw new IllegalArgumentException("transfer interval, ramp and joins in flight must be positive");
            }
            if (null == tokenSecret && null == playerTokenPrivateKey)
            {
                throw new IllegalArgumentException("a token secret or an Ed25519 player token private key is required");
            }
            return this;
        }
    }

    private final Settings settings;
    private final TransferAgent agent;
    private final AgentRunner runner;
    private final AtomicLong errors = new AtomicLong();
    private final long startNs;
    private Summary summary;

    private TransferSwarm(final Settings settings)
    {
        this.settings = settings;
        final PlayerTokenMinter minter = PlayerTokenMinter.of(settings.playerTokenPrivateKey, settings.tokenSecret);
        final long expiryMs = System.currentTimeMillis() +
            TimeUnit.NANOSECONDS.toMillis(settings.durationNs) + TimeUnit.HOURS.toMillis(1);
        final byte[][] tokens = new byte[settings.bots][];
        for (int i = 0; i < settings.bots; i++)
        {
            tokens[i] = minter.issue(settings.playerIdBase + i, expiryMs);
        }
        startNs = settings.clock.nanoTime();
        agent = new TransferAgent(settings, tokens, startNs);
        if (settings.startThread)
        {
            runner = new AgentRunner(new BackoffIdleStrategy(10, 20, TimeUnit.MICROSECONDS.toNanos(1),
                settings.idleMaxParkNs), (throwable) ->
                {
                    errors.incrementAndGet();
                    throwable.printStackTrace(System.err);
                }, null, agent);
            AgentRunner.startOnThread(runner);
        }
        else
        {
            runner = null;
        }
    }

    /**
     * Start: bots begin to join at the ramp-up rate from now.
     */
    public static TransferSwarm launch(final Settings settings)
    {
        return new TransferSwarm(settings.conclude());
    }

    public Settings settings()
    {
        return settings;
    }

    public long startNs()
    {
        return startNs;
    }

    /**
     * One duty cycle, when the caller drives the swarm ({@code startThread(false)}).
     */
    public int doWork()
    {
        return agent.doWork();
    }

    /**
     * @return transfers completed so far (own entity spawned in the next shard; any thread).
     */
    public long transfers()
    {
        return agent.transfers();
    }

    /**
     * @return bots welcomed by their first shard so far (any thread).
     */
    public long botsWelcomed()
    {
        return agent.botsWelcomed();
    }

    TransferAgent agent()
    {
        return agent;
    }

    /**
     * @return the player id of bot {@code i}.
     */
    public long playerId(final int i)
    {
        return settings.playerIdBase + i;
    }

    /**
     * Stop the bot thread and close the links (the bots' sessions end where they are). Idempotent.
     *
     * @return the summary.
     */
    public Summary stop()
    {
        if (null == summary)
        {
            final long elapsedNs = settings.clock.nanoTime() - startNs;
            if (null != runner)
            {
                CloseHelper.close(runner);
            }
            else
            {
                agent.onClose();
            }
            summary = new Summary(settings, agent, elapsedNs, errors.get());
        }
        return summary;
    }

    @Override
    public void close()
    {
        stop();
    }

    /**
     * What a transfer swarm did: counts, correctness counts (all must be 0) and the three latency histograms.
     */
    public static final class Summary
    {
        private static final double[] PERCENTILES = { 50, 90, 99, 99.9 };
        private static final String[] NAMES = { "transfer", "stow", "unstow" };

        private final Map<String, Object> run = new LinkedHashMap<>();
        private final Map<String, Long> counts = new LinkedHashMap<>();
        private final Map<String, Long> correctness = new LinkedHashMap<>();
        private final Histogram[] histograms;
        private final long botsFailed;
        private long correctnessErrors;

        Summary(final Settings settings, final TransferAgent agent, final long elapsedNs, final long errors)
        {
            run.put("bots", settings.bots);
            run.put("durationS", settings.durationNs / 1e9);
            run.put("elapsedS", elapsedNs / 1e9);
            run.put("transferIntervalS", settings.transferIntervalNs / 1e9);
            run.put("shardDirectory", String.valueOf(settings.shardDirectory));
            run.put("seed", settings.seed);
            run.put("playerTokens", null == settings.playerTokenPrivateKey ? "HMAC-SHA256" : "Ed25519");
            long transfers = 0;
            long refused = 0;
            long storeUnavailable = 0;
            long resends = 0;
            long reconnects = 0;
            long mismatches = 0;
            long lateResults = 0;
            long neverWelcomed = 0;
            for (int i = 0; i < agent.botCount(); i++)
            {
                final TransferBot bot = agent.bot(i);
                transfers += bot.transfers;
                refused += bot.refused;
                storeUnavailable += bot.storeUnavailable;
                resends += bot.resends;
                reconnects += bot.reconnects;
                mismatches += bot.mismatches;
                lateResults += bot.lateResults;
                neverWelcomed += bot.everWelcomed ? 0 : 1;
            }
            botsFailed = neverWelcomed;
            histograms = new Histogram[]{
                agent.transferHistogram().copy(), agent.stowHistogram().copy(), agent.unstowHistogram().copy() };
            counts.put("botsWelcomed", settings.bots - neverWelcomed);
            counts.put("botsNeverWelcomed", neverWelcomed);
            counts.put("shardsSeen", (long)agent.shardsKnown());
            counts.put("shardsListedAtEnd", (long)agent.shardsListed());
            for (final TransferAgent.ShardLink shard : agent.shardLinks())
            {
                counts.merge("joins." + shard.entry.name(), shard.joins, Long::sum);
            }
            counts.put("directoryChanges", agent.directoryChanges());
            counts.put("directoryReadErrors", agent.directoryReadErrors());
            counts.put("transfersStarted", transfers);
            counts.put("transfersCompleted", histograms[0].getTotalCount());
            counts.put("transfersInFlightAtEnd", transfers - histograms[0].getTotalCount());
            counts.put("transferLatencyP50Us", histograms[0].getValueAtPercentile(50) / 1000);
            counts.put("transferLatencyP99Us", histograms[0].getValueAtPercentile(99) / 1000);
            counts.put("stowLatencyP99Us", histograms[1].getValueAtPercentile(99) / 1000);
            counts.put("unstowLatencyP99Us", histograms[2].getValueAtPercentile(99) / 1000);
            counts.put("operationsRefusedAndRetried", refused);
            counts.put("operationsStoreUnavailable", storeUnavailable);
            counts.put("operationsResent", resends);
            counts.put("lateResults", lateResults);
            counts.put("reconnects", reconnects);
            counts.put("threadErrors", errors);
            correctness.put("inventoryMismatches", mismatches);
            correctness.put("threadErrors", errors);
            for (final long value : correctness.values())
            {
                correctnessErrors += value;
            }
        }

        public long count(final String name)
        {
            final Long value = counts.get(name);
            return null == value ? correctness.get(name) : value;
        }

        public long correctnessErrors()
        {
            return correctnessErrors;
        }

        /**
         * @return the transfer latency histogram (ns): left a shard to own entity spawned in the next.
         */
        public Histogram transferHistogram()
        {
            return histograms[0];
        }

        public Histogram stowHistogram()
        {
            return histograms[1];
        }

        public Histogram unstowHistogram()
        {
            return histograms[2];
        }

        /**
         * @return 0 when every bot was welcomed and every correctness count is zero, else 1.
         */
        public int exitCode()
        {
            return botsFailed > 0 || correctnessErrors > 0 ? 1 : 0;
        }

        public String toText()
        {
            final StringBuilder out = new StringBuilder(2048);
            out.append("=== Orrery shard transfer swarm summary ===\n");
            run.forEach((key, value) -> out.append(String.format(Locale.ROOT, "%-34s %s%n", key, value)));
            out.append("--- counts ---\n");
            counts.forEach((key, value) -> out.append(String.format(Locale.ROOT, "%-34s %,d%n", key, value)));
            out.append("--- correctness (all must be 0) ---\n");
            correctness.forEach((key, value) -> out.append(String.format(Locale.ROOT, "%-34s %,d%n", key, value)));
            out.append("--- latency, ms ---\n");
            out.append(String.format(Locale.ROOT, "%-16s %12s %9s %9s %9s %9s %9s %9s%n",
                "metric", "count", "mean", "p50", "p90", "p99", "p99.9", "max"));
            for (int m = 0; m < histograms.length; m++)
            {
                final Histogram h = histograms[m];
                out.append(String.format(Locale.ROOT, "%-16s %,12d %9.3f", NAMES[m], h.getTotalCount(),
                    h.getMean() / 1e6));
                for (final double percentile : PERCENTILES)
                {
                    out.append(String.format(Locale.ROOT, " %9.3f", h.getValueAtPercentile(percentile) / 1e6));
                }
                out.append(String.format(Locale.ROOT, " %9.3f%n", h.getMaxValue() / 1e6));
            }
            out.append("result: ").append(0 == exitCode() ? "OK" : "FAILED").append(" (bots never welcomed ")
                .append(botsFailed).append(", correctness errors ").append(correctnessErrors).append(")\n");
            return out.toString();
        }

        public String toJson()
        {
            final StringBuilder out = new StringBuilder(2048);
            out.append("{\n  \"run\": ");
            appendObject(out, run);
            out.append(",\n  \"counts\": ");
            appendObject(out, counts);
            out.append(",\n  \"correctness\": ");
            appendObject(out, correctness);
            out.append(",\n  \"latencyNs\": {");
            for (int m = 0; m < histograms.length; m++)
            {
                final Histogram h = histograms[m];
                out.append(0 == m ? "\n" : ",\n").append("    \"").append(NAMES[m]).append("\": {\"count\": ")
                    .append(h.getTotalCount()).append(", \"mean\": ").append(Math.round(h.getMean()));
                for (final double percentile : PERCENTILES)
                {
                    out.append(", \"p").append(String.valueOf(percentile).replace(".0", "").replace('.', '_'))
                        .append("\": ").append(h.getValueAtPercentile(percentile));
                }
                out.append(", \"max\": ").append(h.getMaxValue()).append('}');
            }
            out.append("\n  },\n  \"exitCode\": ").append(exitCode()).append("\n}\n");
            return out.toString();
        }

        /**
         * Write {@code transfer-summary.json} and one HdrHistogram log per metric ({@code transfer.hlog},
         * {@code stow.hlog}, {@code unstow.hlog}: the whole run as one interval) into a directory.
         */
        public void writeTo(final File dir) throws FileNotFoundException
        {
            try (PrintStream json = new PrintStream(new File(dir, "transfer-summary.json"), StandardCharsets.UTF_8))
            {
                json.print(toJson());
            }
            catch (final java.io.IOException ex)
            {
                throw new java.io.UncheckedIOException(ex);
            }
            for (int m = 0; m < histograms.length; m++)
            {
                try (PrintStream log = new PrintStream(new File(dir, NAMES[m] + ".hlog"), StandardCharsets.UTF_8))
                {
                    final HistogramLogWriter writer = new HistogramLogWriter(log);
                    writer.outputLogFormatVersion();
                    writer.outputLegend();
                    writer.outputIntervalHistogram(histograms[m]);
                }
                catch (final java.io.IOException ex)
                {
                    throw new java.io.UncheckedIOException(ex);
                }
            }
        }

        private static void appendObject(final StringBuilder out, final Map<String, ?> map)
        {
            out.append('{');
            boolean first = true;
            for (final Map.Entry<String, ?> entry : map.entrySet())
            {
                out.append(first ? "" : ", ").append('"').append(entry.getKey()).append("\": ");
                final Object value = entry.getValue();
                if (value instanceof Number)
                {
                    out.append(value);
                }
                else
                {
                    out.append('"').append(String.valueOf(value).replace("\\", "\\\\").replace("\"", "\\\""))
                        .append('"');
                }
                first = false;
            }
            out.append('}');
        }
    }
}
