/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.bots;

import io.orrery.core.ReplicationLayer;
import io.orrery.core.auth.Ed25519PlayerTokens;
import io.orrery.core.auth.PlayerTokenKeys;
import io.orrery.core.auth.TokenSecrets;
import io.orrery.core.authority.ScriptedAuthority;
import io.orrery.core.status.OrreryCounter;
import org.agrona.CloseHelper;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.File;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Command line of the bot swarm: runs a swarm against an existing shard's media driver ({@code --aeron-dir}) or
 * against a shard launched in this process ({@code --embedded-shard}, the default without an Aeron directory), prints
 * the summary and writes {@code summary.json} and the interval logs into the output directory. Exit code 0 when every
 * bot connected and every correctness count is zero.
 * <p>
 * Threading: the main thread only controls and reports (it may sleep); bots run on the swarm's threads.
 */
@Command(
    name = "orrery-bots",
    mixinStandardHelpOptions = true,
    version = "Orrery bot swarm 0.1.0",
    description = "Runs a swarm of bots, each a real client session, and reports latency and correctness.",
    sortOptions = false)
public final class BotSwarmMain implements Callable<Integer>
{
    /**
     * Exit code when the swarm cannot start for its configuration (no token secret, the development secret without
     * development mode): {@code EX_CONFIG} of sysexits.h.
     */
    public static final int EXIT_CONFIGURATION = io.orrery.core.status.ProcessErrors.EXIT_CONFIGURATION;

    @Option(names = { "-b", "--bots" }, description = "Number of bots (default: ${DEFAULT-VALUE}).")
    int bots = 200;

    @Option(names = { "-t", "--threads" }, description = "Bot threads, each one client link (default: ${DEFAULT-VALUE}).")
    int threads = 1;

    @Option(names = { "-d", "--duration" },
        description = "Run length from the start of ramp-up, e.g. 20s, 2m, 500ms (default: ${DEFAULT-VALUE}).")
    String duration = "20s";

    @Option(names = { "-r", "--ramp" }, description = "Ramp-up rate, bots per second (default: ${DEFAULT-VALUE}).")
    double ramp = 500;

    @Option(names = { "--input-rate" }, description = "Inputs per second per bot (default: ${DEFAULT-VALUE}).")
    int inputRateHz = 20;

    @Option(names = { "-m", "--mix" },
        description = "Behaviour percentages: idle, walk, commute, crowd, inventory (default: ${DEFAULT-VALUE}).")
    String mix = BehaviourMix.DEFAULT_MIX;

    @Option(names = { "-s", "--seed" }, description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed = 42;

    @Option(names = { "-o", "--output" }, description = "Output directory for logs and summary.json " +
        "(default: ${DEFAULT-VALUE}).")
    File output = new File("target/swarm");

    @Option(names = { "--aeron-dir" },
        description = "Media driver directory of an existing shard; without it a shard is embedded.")
    String aeronDir;

    @Option(names = { "--embedded-shard" }, arity = "0..1", fallbackValue = "true",
        description = "Launch a Replication Layer with ScriptedAuthority in this process (default: true without " +
        "--aeron-dir).")
    Boolean embeddedShard;

    @Option(names = { "--world-half-extent-m" },
        description = "Half extent of the square the bots roam (embedded shard: also where players spawn); 0 = scale " +
        "with the swarm to about 50 players per 300 m bubble: 37 m x sqrt(bots), at least 200 m (default: " +
        "${DEFAULT-VALUE}).")
    double worldHalfExtentM = 0;

    @Option(names = { "--ingress-channel" }, description = "Ingress channel, or several Gateways' separated by "
        + "commas: bots spread over them and a bot whose Gateway is lost resumes through the next "
        + "(default: ${DEFAULT-VALUE}).")
    String ingressChannel = ReplicationLayer.Context.CLIENT_INGRESS_CHANNEL_DEFAULT;

    @Option(names = { "--ingress-stream-id" }, description = "Ingress stream id (default: ${DEFAULT-VALUE}).")
    int ingressStreamId = ReplicationLayer.Context.CLIENT_INGRESS_STREAM_ID_DEFAULT;

    @Option(names = { "--response-channel" }, description = "Response channel (default: ${DEFAULT-VALUE}).")
    String responseChannel = BotSwarm.DEFAULT_RESPONSE_CHANNEL;

    @Option(names = { "--response-stream-id" },
        description = "First response stream id, one per bot thread (default: ${DEFAULT-VALUE}).")
    int responseStreamId = 2001;

    @Option(names = { "--bots-per-endpoint" }, description = "UDP response channel: most bots per response " +
        "endpoint (one socket and client link each; ports from the channel's port up, or ephemeral with port 0) " +
        "(default: ${DEFAULT-VALUE}).")
    int botsPerEndpoint = BotSwarm.BOTS_PER_ENDPOINT_DEFAULT;

    @Option(names = { "--own-driver" }, description = "Run the bots on a media driver embedded in this process " +
        "(its own directory, SHARED threading) instead of the shard's: with UDP ingress and response channels, " +
        "a bot host apart from the shard. Needs --embedded-shard=false.")
    boolean ownDriver;

    @Option(names = { "--layer-aeron-dir" }, description = "Media driver directory of the shard's layer on this " +
        "host, read for its UDP counters (NAKs received, retransmits) at the start and end of the run.")
    String layerAeronDir;

    @Option(names = { "--token-secret" }, description = "HMAC secret shared with the shard, at least 16 bytes " +
        "(default: the environment variable ORRERY_TOKEN_SECRET).")
    String tokenSecret;

    @Option(names = "--dev", description = "Development mode: without a secret, use the public development token " +
        "secret (also -Dorrery.dev=true).")
    Boolean dev; // not a primitive with a default of true: picocli would turn a flag whose default is true off

    /**
     * @return development mode: {@code --dev}, else the system property.
     */
    boolean developmentMode()
    {
        return null != dev ? dev : io.orrery.core.auth.TokenSecrets.developmentModeFromProperty();
    }

    @Option(names = { "--player-id-base" }, description = "Bot i is player base + i (default: ${DEFAULT-VALUE}).")
    long playerIdBase = 1_000_000;

    @Option(names = { "--inventory-interval" },
        description = "Stow/unstow interval of inventory bots (default: ${DEFAULT-VALUE}).")
    String inventoryInterval = "5s";

    @Option(names = { "--report-interval" }, description = "Interval histogram length (default: ${DEFAULT-VALUE}).")
    String reportInterval = "1s";

    @Option(names = { "--progress-interval" }, description = "Progress line interval (default: ${DEFAULT-VALUE}).")
    String progressInterval = "5s";

    @Option(names = { "--connect-timeout" }, description = "Handshake timeout per bot (default: ${DEFAULT-VALUE}).")
    String connectTimeout = "20s";

    @Option(names = { "--idle-max-park" }, description = "Longest idle park of a bot thread (default: " +
        "${DEFAULT-VALUE}).")
    String idleMaxPark = "100us";

    @Option(names = { "--sweep-interval" }, description = "How often a bot thread visits every bot and session for " +
        "their timers (watchdog, heartbeats, layer loss); between visits only bots with an input due are driven; 0: " +
        "every duty cycle (default: 1ms, or the system property " + BotSwarm.Settings.SWEEP_INTERVAL_PROP + " in ns).")
    String sweepInterval;

    @Option(names = { "--input-ack-stall" }, description = "A bot whose own entity's acknowledged input sequence " +
        "does not advance for this long while it has inputs outstanding counts a correctness error " +
        "(default: ${DEFAULT-VALUE}).")
    String inputAckStall = "3s";

    @Option(names = { "--no-resume" }, description = "End a bot's session when the layer goes away instead of " +
        "resuming it (hellos with backoff from 1 s to 30 s, the view re-sent).")
    boolean noResume;

    @Option(names = { "--layer-loss-heartbeats" }, description = "Silent layer heartbeat intervals after which a " +
        "bot takes its layer for lost; its response image closing is seen at once (default: ${DEFAULT-VALUE}).")
    int layerLossHeartbeats = 3;

    @Option(names = { "--shard-directory" }, description = "Several shards: the bots pick shards from this shard " +
        "directory file and move between them with their starter items (stowed into the Global store on leaving, " +
        "unstowed in the next shard); reports transfers and transfer, stow and unstow latency. The single-shard " +
        "options (--aeron-dir, --embedded-shard, --mix, inputs) do not apply.")
    File shardDirectory;

    @Option(names = { "--transfer-every" }, description = "With --shard-directory: mean stay of a bot in a shard " +
        "before it moves on, each stay uniform in 0.5-1.5 times this (default: ${DEFAULT-VALUE}).")
    String transferEvery = "10s";

    @Option(names = { "--max-joins-in-flight" }, description = "With --shard-directory: most bots joining a shard " +
        "at once (default: ${DEFAULT-VALUE}).")
    int maxJoinsInFlight = 16;

    /**
     * The command line, whose errors are one line naming the culprit and exit code
     * {@link io.orrery.core.status.ProcessErrors#EXIT_CONFIGURATION} (the stack trace with -Dorrery.stacktrace=true).
     */
    static CommandLine commandLine()
    {
        return new CommandLine(new BotSwarmMain()).setExecutionExceptionHandler(
            (ex, cmd, parseResult) -> io.orrery.core.status.ProcessErrors.report("bot swarm", ex, System.err));
    }

    public static void main(final String[] args)
    {
        System.exit(commandLine().execute(args));
    }

    @Override
    public Integer call() throws Exception
    {
        final boolean embedded = null != embeddedShard ? embeddedShard : null == aeronDir;
        if (embedded && null != aeronDir)
        {
            throw new CommandLine.ParameterException(new CommandLine(this),
                "--aeron-dir and --embedded-shard are exclusive");
        }
        if (!embedded && null == aeronDir && !ownDriver)
        {
            throw new CommandLine.ParameterException(new CommandLine(this),
                "--embedded-shard=false needs --aeron-dir");
        }
        final byte[] playerTokenPrivateKey;
        try
        {
            playerTokenPrivateKey = PlayerTokenKeys.privateKeyFromEnvironment();
        }
        catch (final IllegalArgumentException ex)
        {
            System.out.println("orrery: the bot swarm: " + PlayerTokenKeys.PRIVATE_KEY_ENV + ": " + ex.getMessage());
            return EXIT_CONFIGURATION;
        }
        if (null != shardDirectory)
        {
            return runTransfers(playerTokenPrivateKey);
        }
        final double extentM = worldHalfExtentM > 0 ? worldHalfExtentM : Math.max(200, 37 * Math.sqrt(bots));
        final long extentMm = (long)(extentM * 1000);
        // with the Ed25519 private key, bots of a shard elsewhere need no token secret
        final byte[] secret = null != playerTokenPrivateKey && !embedded ? null :
            TokenSecrets.resolveForProcess(tokenSecret, developmentMode(), "the bot swarm", System.out);
        if (null == secret && (null == playerTokenPrivateKey || embedded))
        {
            return EXIT_CONFIGURATION;
        }
        final long durationNs = parseNs(duration);
        if (!output.isDirectory() && !output.mkdirs())
        {
            throw new IOException("cannot create " + output);
        }

        EmbeddedShard shard = null;
        BotSwarm swarm = null;
        io.aeron.driver.MediaDriver botDriver = null;
        io.aeron.Aeron layerDriver = null;
        try
        {
            if (ownDriver)
            {
                if (embedded)
                {
                    throw new CommandLine.ParameterException(new CommandLine(this),
                        "--own-driver needs --embedded-shard=false");
                }
                botDriver = io.aeron.driver.MediaDriver.launchEmbedded(new io.aeron.driver.MediaDriver.Context()
                    .threadingMode(io.aeron.driver.ThreadingMode.SHARED)
                    .nakUnicastDelayNs(io.orrery.link.UdpChannels.nakUnicastDelayNs())
                    .dirDeleteOnStart(true)
                    .dirDeleteOnShutdown(true));
                System.out.println("bots' own media driver: " + botDriver.aeronDirectoryName() + ", net.core." +
                    "rmem_max " + io.orrery.link.UdpChannels.rmemMax() + ", wmem_max " +
                    io.orrery.link.UdpChannels.wmemMax());
            }
            long[] layerCountersAtStart = null;
            if (null != layerAeronDir)
            {
                layerDriver = io.aeron.Aeron.connect(new io.aeron.Aeron.Context().aeronDirectoryName(layerAeronDir));
                layerCountersAtStart = DriverCounters.read(layerDriver.countersReader());
            }
            if (embedded)
            {
                shard = EmbeddedShard.launch(secret, Math.max(ReplicationLayer.Context.MAX_SESSIONS_DEFAULT,
                    bots + 64), (ctx) -> ctx.developmentMode(developmentMode())
                    .playerTokenPublicKey(null == playerTokenPrivateKey ? null :
                    Ed25519PlayerTokens.publicKeyFor(playerTokenPrivateKey))
                    .clientIngressChannel(ingressChannel).clientIngressStreamId(
                    ingressStreamId).authority(new ScriptedAuthority(new ScriptedAuthority.Settings()
                    .playerSpawnHalfExtentM(extentM).worldHalfExtentM(Math.max(1000, extentM)))));
                System.out.println("embedded shard: aeron dir " + shard.aeronDirectoryName());
            }
            final BotSwarm.Settings settings = new BotSwarm.Settings()
                .bots(bots)
                .threads(threads)
                .durationNs(durationNs)
                .rampBotsPerSecond(ramp)
                .inputRateHz(inputRateHz)
                .mix(BehaviourMix.parse(mix))
                .seed(seed)
                .outputDir(output)
                .aeronDirectoryName(embedded ? shard.aeronDirectoryName() :
                    null != botDriver ? botDriver.aeronDirectoryName() : aeronDir)
                .ingressChannel(ingressChannel)
                .ingressStreamId(ingressStreamId)
                .responseChannel(responseChannel)
                .responseStreamId(responseStreamId)
                .botsPerEndpoint(botsPerEndpoint)
                .tokenSecret(secret)
                .playerTokenPrivateKey(playerTokenPrivateKey)
                .playerIdBase(playerIdBase)
                .worldHalfExtentMm(extentMm)
                .hotspotsMm(new long[]{ -extentMm * 4 / 5, 0, extentMm * 4 / 5, 0 })
                .inventoryIntervalNs(parseNs(inventoryInterval))
                .reportIntervalNs(parseNs(reportInterval))
                .connectTimeoutNs(parseNs(connectTimeout))
                .idleMaxParkNs(parseNs(idleMaxPark))
                .inputAckStallNs(parseNs(inputAckStall))
                .resume(!noResume)
                .layerLossHeartbeats(layerLossHeartbeats);
            if (null != sweepInterval)
            {
                settings.sweepIntervalNs(parseNs(sweepInterval));
            }

            System.out.printf(Locale.ROOT, "swarm: %d bots on %d thread(s), %s, ramp %.0f bots/s, %d Hz, mix %s, " +
                "world +-%.0f m%n", bots, threads, duration, ramp, inputRateHz, settings.mix(), extentM);
            swarm = BotSwarm.launch(settings);
            final ProcessProbe probe = new ProcessProbe();
            run(swarm, durationNs, parseNs(progressInterval), probe, shard);

            final SwarmSummary summary = swarm.stop();
            probe.addTo(summary);
            addLayerDriverCounters(summary, swarm, layerDriver, layerCountersAtStart);
            if (null != shard)
            {
                for (final OrreryCounter counter : OrreryCounter.values())
                {
                    summary.extra("shard." + counter.name().toLowerCase(Locale.ROOT), shard.counter(counter));
                }
            }
            System.out.print(summary.toText());
            Files.write(new File(output, "summary.json").toPath(), summary.toJson().getBytes(StandardCharsets.UTF_8));
            System.out.println("summary and interval logs in " + output.getAbsolutePath());
            return summary.exitCode();
        }
        finally
        {
            CloseHelper.quietClose(swarm);
            CloseHelper.quietClose(shard);
            CloseHelper.quietClose(layerDriver);
            CloseHelper.quietClose(botDriver);
        }
    }

    /**
     * With {@code --layer-aeron-dir}: the layer's driver counters over the run as {@code layerUdp*}, and
     * {@code retransmitRatio} over both drivers (the layer's retransmissions of egress and the bots' of ingress
     * over all bytes both sent). Prints both drivers' lines.
     */
    private static void addLayerDriverCounters(
        final SwarmSummary summary, final BotSwarm swarm, final io.aeron.Aeron layerDriver, final long[] atStart)
    {
        final long[] bots = swarm.driverCountersSinceStart();
        if (null == layerDriver)
        {
            if (io.orrery.link.UdpChannels.isUdp(swarm.settings().responseChannel()))
            {
                System.out.println("UDP, bots' driver: " + DriverCounters.describe(bots));
            }
            return;
        }
        final long[] layer = DriverCounters.read(layerDriver.countersReader());
        for (int i = 0; i < layer.length; i++)
        {
            layer[i] -= atStart[i];
        }
        DriverCounters.addTo(summary, "layerUdp", layer);
        summary.extra("retransmitRatio", DriverCounters.round(DriverCounters.retransmitRatio(bots, layer)));
        System.out.println("UDP, bots' driver: " + DriverCounters.describe(bots));
        System.out.println("UDP, layer's driver: " + DriverCounters.describe(layer));
        System.out.printf(Locale.ROOT, "UDP retransmit ratio (both drivers): %.4f %%%n",
            100 * DriverCounters.retransmitRatio(bots, layer));
    }

    /**
     * Bots moving between the shards of a directory ({@link TransferSwarm}), with Ed25519 player tokens when
     * {@value PlayerTokenKeys#PRIVATE_KEY_ENV} is set (as the bot swarm), else HMAC tokens of the token secret.
     */
    private int runTransfers(final byte[] playerTokenPrivateKey) throws Exception
    {
        // with the Ed25519 private key the bots sign their own tokens: the shards of the directory need no secret here
        final byte[] secret = null != playerTokenPrivateKey ? null :
            TokenSecrets.resolveForProcess(tokenSecret, developmentMode(), "the bot swarm", System.out);
        if (null == secret && null == playerTokenPrivateKey)
        {
            return EXIT_CONFIGURATION;
        }
        if (!output.isDirectory() && !output.mkdirs())
        {
            throw new IOException("cannot create " + output);
        }
        final long durationNs = parseNs(duration);
        final TransferSwarm.Settings settings = new TransferSwarm.Settings()
            .bots(bots)
            .durationNs(durationNs)
            .rampBotsPerSecond(ramp)
            .transferIntervalNs(parseNs(transferEvery))
            .shardDirectory(shardDirectory.toPath())
            .aeronDirectoryName(aeronDir)
            .responseChannel(responseChannel)
            .responseStreamId(responseStreamId)
            .tokenSecret(secret)
            .playerTokenPrivateKey(playerTokenPrivateKey)
            .playerIdBase(playerIdBase)
            .seed(seed)
            .maxJoinsInFlight(maxJoinsInFlight)
            .connectTimeoutNs(parseNs(connectTimeout))
            .idleMaxParkNs(parseNs(idleMaxPark));
        System.out.printf(Locale.ROOT, "transfer swarm: %d bots, %s, ramp %.0f bots/s, a transfer every ~%s, " +
            "shards from %s, %s player tokens%n", bots, duration, ramp, transferEvery, shardDirectory,
            null == playerTokenPrivateKey ? "HMAC-SHA256" : "Ed25519");
        try (TransferSwarm swarm = TransferSwarm.launch(settings))
        {
            final long progressNs = parseNs(progressInterval);
            final long endNs = swarm.startNs() + durationNs;
            long nextProgressNs = swarm.startNs() + progressNs;
            long nowNs;
            while ((nowNs = System.nanoTime()) - endNs < 0)
            {
                Thread.sleep(Math.max(1, Math.min(100, TimeUnit.NANOSECONDS.toMillis(endNs - nowNs))));
                if (nowNs - nextProgressNs >= 0)
                {
                    nextProgressNs += progressNs;
                    System.out.printf(Locale.ROOT, "%6.1fs welcomed %d transfers %,d%n",
                        (nowNs - swarm.startNs()) / 1e9, swarm.botsWelcomed(), swarm.transfers());
                }
            }
            final TransferSwarm.Summary summary = swarm.stop();
            System.out.print(summary.toText());
            summary.writeTo(output);
            System.out.println("transfer-summary.json and histogram logs in " + output.getAbsolutePath());
            return summary.exitCode();
        }
    }

    private static void run(
        final BotSwarm swarm, final long durationNs, final long progressNs, final ProcessProbe probe,
        final EmbeddedShard shard) throws InterruptedException
    {
        final long startNs = swarm.startNs();
        final long endNs = startNs + durationNs;
        long nextProgressNs = startNs + progressNs;
        boolean steady = false;
        long nowNs;
        while ((nowNs = System.nanoTime()) - endNs < 0)
        {
            Thread.sleep(Math.max(1, Math.min(100, TimeUnit.NANOSECONDS.toMillis(endNs - nowNs))));
            if (!steady && swarm.isSettled())
            {
                steady = true;
                probe.steadyStart();
                swarm.markSteady();
                System.out.printf(Locale.ROOT, "%6.1fs all %d bots settled: steady state from here%n",
                    (System.nanoTime() - startNs) / 1e9, swarm.settings().bots());
            }
            if (nowNs - nextProgressNs >= 0)
            {
                nextProgressNs += progressNs;
                System.out.printf(Locale.ROOT,
                    "%6.1fs connected %d active %d resuming %d failed %d inputs %,d updates %,d%s%n",
                    (nowNs - startNs) / 1e9,
                    swarm.status(BotAgent.STATUS_CONNECTED),
                    swarm.status(BotAgent.STATUS_ACTIVE),
                    swarm.status(BotAgent.STATUS_RESUMING),
                    swarm.status(BotAgent.STATUS_FAILED),
                    swarm.status(BotAgent.STATUS_INPUTS_SENT),
                    swarm.status(BotAgent.STATUS_UPDATES_RECEIVED),
                    progressOfReplicants(swarm));
            }
        }
        probe.steadyEnd(null == shard ? 0 : shard.aeronDirectoryBytes());
    }

    /**
     * @return the progress line's tail for several Replicants per shard ({@code " owner changes N"},
     * {@code " replicant errors N"}), empty while both are 0 (one Replicant: the line stays as it was).
     */
    static String progressOfReplicants(final BotSwarm swarm)
    {
        final long ownerChanges = swarm.status(BotAgent.STATUS_OWNER_CHANGES);
        final long errors = swarm.status(BotAgent.STATUS_COMPOSITION_ERRORS);
        return (0 == ownerChanges ? "" : String.format(Locale.ROOT, " owner changes %,d", ownerChanges)) +
            (0 == errors ? "" : String.format(Locale.ROOT, " replicant errors %,d", errors));
    }

    /**
     * Parse a duration such as {@code 20s}, {@code 2m}, {@code 500ms}, {@code 100us}, {@code 1h} or plain seconds.
     *
     * @return nanoseconds.
     */
    static long parseNs(final String text)
    {
        final String value = text.trim().toLowerCase(Locale.ROOT);
        final String[] units = { "ns", "us", "ms", "h", "m", "s" };
        final long[] factors = { 1, 1_000, 1_000_000, 3_600_000_000_000L, 60_000_000_000L, 1_000_000_000 };
        for (int i = 0; i < units.length; i++)
        {
            if (value.endsWith(units[i]))
            {
                final String number = value.substring(0, value.length() - units[i].length()).trim();
                return (long)(Double.parseDouble(number) * factors[i]);
            }
        }
        return (long)(Double.parseDouble(value) * 1e9);
    }

    /**
     * CPU, memory and GC of this process: snapshots at the start and end of steady state.
     */
    static final class ProcessProbe
    {
        private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean)ManagementFactory.getOperatingSystemMXBean();
        private long startNs;
        private long startCpuNs;
        private long startGcCount;
        private long startGcMs;
        private long endNs;
        private long endCpuNs;
        private long endGcCount;
        private long endGcMs;
        private long aeronDirBytes;
        private String rss;
        private String peakRss;
        private boolean started;
        private boolean ended;

        void steadyStart()
        {
            started = true;
            startNs = System.nanoTime();
            startCpuNs = os.getProcessCpuTime();
            startGcCount = gcCount();
            startGcMs = gcTimeMs();
        }

        void steadyEnd(final long aeronDirBytes)
        {
            ended = started;
            endNs = System.nanoTime();
            endCpuNs = os.getProcessCpuTime();
            endGcCount = gcCount();
            endGcMs = gcTimeMs();
            this.aeronDirBytes = aeronDirBytes;
            rss = procStatus("VmRSS:");
            peakRss = procStatus("VmHWM:");
        }

        void addTo(final SwarmSummary summary)
        {
            summary.extra("processCpuSeconds", os.getProcessCpuTime() / 1e9);
            summary.extra("availableProcessors", Runtime.getRuntime().availableProcessors());
            if (ended)
            {
                final double seconds = (endNs - startNs) / 1e9;
                summary.extra("steadyStateSeconds", round(seconds));
                summary.extra("steadyStateCpuPercent", round(100.0 * (endCpuNs - startCpuNs) / (endNs - startNs)));
                summary.extra("steadyStateGcCollections", endGcCount - startGcCount);
                summary.extra("steadyStateGcMs", endGcMs - startGcMs);
            }
            else
            {
                summary.extra("steadyState", "never reached: not every bot connected or failed");
            }
            summary.extra("gcCollectionsTotal", gcCount());
            summary.extra("rss", rss);
            summary.extra("peakRss", peakRss);
            summary.extra("heapUsedMiB", (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20);
            if (aeronDirBytes > 0)
            {
                summary.extra("aeronDirMiB", aeronDirBytes >> 20);
            }
        }

        private static double round(final double value)
        {
            return Math.round(value * 10) / 10.0;
        }

        private static long gcCount()
        {
            long count = 0;
            for (final GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans())
            {
                count += Math.max(0, gc.getCollectionCount());
            }
            return count;
        }

        private static long gcTimeMs()
        {
            long time = 0;
            for (final GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans())
            {
                time += Math.max(0, gc.getCollectionTime());
            }
            return time;
        }

        private static String procStatus(final String key)
        {
            try
            {
                for (final String line : Files.readAllLines(new File("/proc/self/status").toPath()))
                {
                    if (line.startsWith(key))
                    {
                        return line.substring(key.length()).trim();
                    }
                }
            }
            catch (final IOException ignore)
            {
                // not on Linux
            }
            return "n/a";
        }
    }
}
