/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.launcher;

import io.aeron.Aeron;
import io.orrery.bots.BehaviourMix;
import io.orrery.bots.BotAgent;
import io.orrery.bots.BotSwarm;
import io.orrery.bots.SwarmSummary;
import io.orrery.core.ReplicationLayer;
import io.orrery.core.auth.TokenSecrets;
import io.orrery.core.status.AgentDeath;
import io.orrery.core.ThreadingMode;
import io.orrery.core.atlas.ShardConfig;
import io.orrery.core.server.ServerLink;
import io.orrery.core.status.OrreryCounter;
import io.orrery.fleet.FleetPolicy;
import io.orrery.fleet.InProcessFleet;
import io.orrery.fleet.ProcessFleet;
import io.orrery.fleet.ShardConnection;
import io.orrery.servers.Durations;
import io.orrery.servers.GameServer;
import io.orrery.servers.ReplicationLayerServer;
import io.orrery.servers.game.GameServerAgent;
import io.orrery.servers.game.WorldSettings;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import picocli.CommandLine;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Starts a whole shard from a shard configuration: the hybrid Replication Layer (embedded media driver, static
 * meshing with the shard config), one headless game server per server id of the config, and a bot swarm whose bots
 * walk, commute between hotspots in different territories and crowd the origin (on the border), so handoffs happen.
 * Runs for a duration, then prints the bot summary, each game server's figures and the layer's server counters.
 * <p>
 * Modes: {@code in-process} runs everything in this JVM (each game server an agent on its own thread, sharing the
 * layer's Aeron client); {@code processes} starts each game server as a child JVM ({@link GameServer}, the current
 * java and class path, the required {@code --add-opens}) attached to this process's media driver directory, forwards
 * their output prefixed with the server id, stops them by closing their standard input (a child whose launcher
 * dies stops by itself the same way) and destroys whatever is left on exit. The layer and the bots run in this
 * process in both modes.
 * <p>
 * Dynamic meshing: the servers of the shard config's spare-only territories are not started at launch. A
 * {@link ShardFleet} holds them (an {@link InProcessFleet} or a {@link ProcessFleet}, by mode, on its own runner) and
 * starts or retires them when Atlas asks (its {@code ServerFleetControl}); the launcher waits only for the other
 * servers to join and reports the fleet's events and the dynamic meshing counters.
 * <p>
 * Exit code 0 only if every game server started at launch joined and ran to the end (children exited 0), no server
 * of the fleet failed (a retired one did not), every bot connected and the swarm's correctness counts are zero.
 * <p>
 * Threading: the main thread only orchestrates and reports (it may sleep); everything else runs on agent threads or
 * in child processes.
 */
@CommandLine.Command(
    name = "orrery-shard",
    mixinStandardHelpOptions = true,
    version = "Orrery shard launcher 0.1.0",
    sortOptions = false,
    description = "Runs a shard: Replication Layer + N game servers (from a shard config) + a bot swarm, then " +
        "reports bots, ticks, entities, rejected moves and handoffs.")
public final class ShardLauncher implements Callable<Integer>
{
    static final String MODE_IN_PROCESS = "in-process";
    static final String MODE_PROCESSES = "processes";
    static final String DEFAULT_MIX = "idle=5,walk=45,commute=30,crowd=20";
    /**
     * A persistent shard also runs inventory bots: their starter items are really stowed and unstowed.
     */
    static final String DEFAULT_STORE_MIX = "idle=5,walk=40,commute=25,crowd=20,inventory=10";
    private static final long JOIN_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);

    @CommandLine.Option(names = "--shard", description = "Shard config: a file, or a bundled one by name " +
        "(two-servers, four-servers; dynamic meshing: two-servers-dynamic, four-servers-dynamic, whose borders Atlas moves " +
        "toward the loaded side; four-strips, four-servers-dynamic's static layout) (default: ${DEFAULT-VALUE}).")
    String shard = "two-servers";

    @CommandLine.Option(names = "--heartbeat-timeout", description = "Override the shard config's heartbeat " +
        "timeout, e.g. 2s on a crowded machine where game server processes can stall longer than the config's " +
        "(default: the config's).")
    String heartbeatTimeout;

    @CommandLine.Option(names = "--mode", description = "in-process (one JVM) or processes (a child JVM per game " +
        "server) (default: ${DEFAULT-VALUE}).")
    String mode = MODE_IN_PROCESS;

    @CommandLine.Option(names = { "-b", "--bots" }, description = "Number of bots (default: ${DEFAULT-VALUE}).")
    int bots = 200;

    @CommandLine.Option(names = { "-d", "--duration" }, description = "Run length of the swarm, e.g. 20s, 2m " +
        "(default: ${DEFAULT-VALUE}).")
    String duration = "20s";

    @CommandLine.Option(names = { "-t", "--bot-threads" }, description = "Bot threads (default: ${DEFAULT-VALUE}).")
    int botThreads = 1;

    @CommandLine.Option(names = { "-m", "--mix" }, description = "Bot behaviour mix (default: " + DEFAULT_MIX +
        "; with --store: " + DEFAULT_STORE_MIX + ").")
    String mix;

    @CommandLine.Option(names = "--inventory-interval", description = "Stow/unstow interval of each inventory bot " +
        "(default: ${DEFAULT-VALUE}).")
    String inventoryInterval = "2s";

    @CommandLine.Option(names = "--ramp", description = "Bots connected per second (default: ${DEFAULT-VALUE}).")
    double ramp = 200;

    @CommandLine.Option(names = "--input-rate", description = "Inputs per second per bot (default: ${DEFAULT-VALUE}).")
    int inputRateHz = 20;

    @CommandLine.Option(names = "--world-half-extent-m", description = "Bots roam and NPCs live within this " +
        "distance of the origin (default: ${DEFAULT-VALUE}).")
    double worldHalfExtentM = 200;

    @CommandLine.Option(names = "--npcs", description = "NPCs per territory (default: ${DEFAULT-VALUE}).")
    int npcs = 50;

    @CommandLine.Option(names = "--tick-hz", description = "Game server tick rate (default: ${DEFAULT-VALUE}).")
    int tickHz = 30;

    @CommandLine.Option(names = "--max-speed", description = "Fastest legal player speed, m/s (default: " +
        "${DEFAULT-VALUE}).")
    double maxSpeedMps = 10;

    @CommandLine.Option(names = "--seed", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed = 42;

    @CommandLine.Option(names = "--token-secret", description = "Shard secret for player and server tokens, at " +
        "least 16 bytes (default: the environment variable ORRERY_TOKEN_SECRET).")
    String tokenSecret;

    @CommandLine.Option(names = "--dev", description = "Development mode: without a secret, use the public "
        + "development token secret (anyone can mint tokens with it; never on a network you do not trust). Also "
        + "-Dorrery.dev=true.")
    Boolean dev; // not a primitive with a default of true: picocli would turn a flag whose default is true off

    /**
     * @return development mode: {@code --dev}, else the system property.
     */
    boolean developmentMode()
    {
        return null != dev ? dev : io.orrery.core.auth.TokenSecrets.developmentModeFromProperty();
    }


    @CommandLine.Option(names = { "-o", "--output" }, description = "Bot summary and interval logs (default: " +
        "${DEFAULT-VALUE}).")
    File output = new File("target/shard");

    @CommandLine.Option(names = "--progress-interval", description = "Progress line interval (default: " +
        "${DEFAULT-VALUE}).")
    String progressInterval = "5s";

    @CommandLine.Option(names = "--store", description = "Persist the shard: restore the world from this store on " +
        "start, write it behind, run stow/unstow. URIs: memory:, rocksdb:./orrery-data (embedded, durable), " +
        "postgres:jdbc:postgresql://host/db?user=... (default: none, nothing persisted).")
    String store;

    @CommandLine.Option(names = "--settle", description = "After the swarm, keep the shard running this long, e.g. " +
        "5s: with dynamic meshing the load left with the bots, so territories merge and servers retire " +
        "(default: ${DEFAULT-VALUE}).")
    String settle = "0s";

    @CommandLine.Option(names = "--crowd-at", description = "Where crowd bots gather: x,y in metres (default: " +
        "${DEFAULT-VALUE}, the border of the bundled shards).")
    String crowdAt = "0,0";

    @CommandLine.Option(names = "--child-jvm-options", description = "Extra JVM options of game server processes " +
        "(default: ${DEFAULT-VALUE}).")
    String childJvmOptions = "-XX:+UseSerialGC -Xmx256m -XX:TieredStopAtLevel=1";

    private final PrintStream out;
    private final List<GameServerAgent> agents = new ArrayList<>();
    private final List<AgentRunner> runners = new ArrayList<>();
    private ThreadSchedStats schedStats;
    private String passProfileReport;
    private String childSecret;
    private final List<ChildServer> children = new ArrayList<>();
    private final AtomicLong errors = new AtomicLong();
    private SwarmSummary summary;
    private ShardFleet shardFleet;
    private final EnumMap<OrreryCounter, Long> finalCounters = new EnumMap<>(OrreryCounter.class);

    public ShardLauncher()
    {
        this(System.out);
    }

    ShardLauncher(final PrintStream out)
    {
        this.out = out;
    }

    /**
     * The command line, whose errors are one line naming the culprit and exit code
     * {@link io.orrery.core.status.ProcessErrors#EXIT_CONFIGURATION} (the stack trace with -Dorrery.stacktrace=true).
     */
    static CommandLine commandLine()
    {
        return new CommandLine(new ShardLauncher()).setExecutionExceptionHandler(
            (ex, cmd, parseResult) -> io.orrery.core.status.ProcessErrors.report("shard launcher", ex, System.err));
    }

    public static void main(final String[] args)
    {
        System.exit(commandLine().execute(args));
    }

    @Override
    public Integer call() throws Exception
    {
        if (!MODE_IN_PROCESS.equals(mode) && !MODE_PROCESSES.equals(mode))
        {
            throw new CommandLine.ParameterException(new CommandLine(this), "--mode must be in-process or processes");
        }
        final ShardConfig config = ShardConfig.find(shard, null == heartbeatTimeout ? -1 :
            TimeUnit.NANOSECONDS.toMillis(Durations.parseNs(heartbeatTimeout)));
        final byte[] secret = TokenSecrets.resolveForProcess(
            tokenSecret, developmentMode(), "this shard (layer, game servers, bots)", out);
        if (null == secret)
        {
            return ReplicationLayerServer.EXIT_CONFIGURATION;
        }
        childSecret = new String(secret, StandardCharsets.UTF_8);
        final long durationNs = Durations.parseNs(duration);
        final long[] crowdMm = parseCrowdAt();
        final int[] spareServerIds = spareOnlyServerIds(config);
        final int[] serverIds = baseServerIds(config, spareServerIds);
        if (!output.isDirectory() && !output.mkdirs())
        {
            throw new IOException("cannot create " + output);
        }
        out.printf(Locale.ROOT, "shard %s: %d game servers (%s), %d bots, %s, mode %s, heartbeat timeout %d ms%n",
            config.source(), serverIds.length, java.util.Arrays.toString(serverIds), bots, duration, mode,
            config.heartbeatTimeoutMs());
        if (spareServerIds.length > 0)
        {
            out.printf(Locale.ROOT, "dynamic meshing: spare servers %s held by the %s fleet, started when the mesh " +
                "asks (balance every %d ms, server capacity %.1f)%n", java.util.Arrays.toString(spareServerIds),
                mode, config.balanceIntervalMs(), config.serverCapacity());
            shardFleet = new ShardFleet(out, spareServerIds, System.nanoTime());
        }

        ReplicationLayer layer = null;
        BotSwarm swarm = null;
        io.orrery.core.persistence.PersistenceAdapter adapter = null;
        final Thread reaper = new Thread(this::destroyChildrenNow, "orrery-shard-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
        try
        {
            adapter = null == store ? null : io.orrery.persistence.PersistenceAdapters.open(store);
            final ReplicationLayer.Context layerCtx = new ReplicationLayer.Context()
                .threadingMode(ThreadingMode.SHARED)
                .tokenSecret(secret)
                .developmentMode(developmentMode())
                .maxSessions(Math.max(ReplicationLayer.Context.MAX_SESSIONS_DEFAULT, bots + 64))
                .shardConfig(config)
                .persistenceAdapter(adapter);
            if (null != shardFleet)
            {
                layerCtx.atlas().fleetControl(shardFleet.control());
            }
            layer = ReplicationLayer.launch(layerCtx);
            out.println("replication layer up: aeron dir " + layer.aeronDirectoryName() + (null == adapter ? "" :
                ", store " + adapter.name() + ", " + layer.counter(OrreryCounter.ENTITIES_RESTORED) +
                " entities restored"));

            if (MODE_PROCESSES.equals(mode))
            {
                startChildren(layer, serverIds);
            }
            else
            {
                startAgents(layer, serverIds, secret);
            }
            if (null != shardFleet)
            {
                startFleet(layer, secret);
            }
            awaitServersJoined(serverIds.length);

            swarm = BotSwarm.launch(swarmSettings(layer, secret, durationNs, crowdMm));
            run(layer, swarm, durationNs, Durations.parseNs(progressInterval));
            summary = swarm.stop();
            out.print(summary.toText());
            if (null != adapter)
            {
                out.printf(Locale.ROOT, "inventory (store %s): stowed %,d unstowed %,d duplicates %,d refused %,d " +
                    "store unavailable %,d mismatches %,d; request -> durable result p50 %,d us p99 %,d us%n",
                    adapter.name(), summary.count("inventoryStowed"), summary.count("inventoryUnstowed"),
                    summary.count("inventoryDuplicates"), summary.count("inventoryRefused"),
                    summary.count("inventoryStoreUnavailable"), summary.correctness().get("inventoryMismatches"),
                    summary.count("inventoryLatencyP50Us"), summary.count("inventoryLatencyP99Us"));
            }
            Files.write(new File(output, "summary.json").toPath(),
                summary.toJson().getBytes(StandardCharsets.UTF_8));
            settle(layer, Durations.parseNs(settle), Durations.parseNs(progressInterval));

            final boolean fleetOk = stopFleet();
            final boolean serversOk = stopServers();
            report(layer);
            if (null != shardFleet)
            {
                shardFleet.report(mode);
            }
            final int exitCode = exitCode(serversOk && fleetOk, swarm);
            out.println("shard: exit code " + exitCode);
            return exitCode;
        }
        finally
        {
            CloseHelper.quietClose(swarm);
            CloseHelper.quietClose(shardFleet);
            CloseHelper.quietCloseAll(runners);
            destroyChildrenNow();
            CloseHelper.quietClose(layer);
            CloseHelper.quietClose(adapter);
            try
            {
                Runtime.getRuntime().removeShutdownHook(reaper);
            }
            catch (final IllegalStateException ignore)
            {
                // the JVM is shutting down: the hook runs anyway
            }
        }
    }

    /**
     * @return the bot summary of the last run, or null.
     */
    SwarmSummary summary()
    {
        return summary;
    }

    private BotSwarm.Settings swarmSettings(
        final ReplicationLayer layer, final byte[] secret, final long durationNs, final long[] crowdMm)
    {
        final long extentMm = (long)(worldHalfExtentM * 1000);
        final long hotspotMm = extentMm * 2 / 5;
        return new BotSwarm.Settings()
            .bots(bots)
            .threads(botThreads)
            .durationNs(durationNs)
            .rampBotsPerSecond(ramp)
            .inputRateHz(inputRateHz)
            .mix(BehaviourMix.parse(effectiveMix()))
            .inventoryIntervalNs(Durations.parseNs(inventoryInterval))
            .seed(seed)
            .outputDir(output)
            .aeronDirectoryName(layer.aeronDirectoryName())
            .ingressChannel(layer.context().clientIngressChannel())
            .ingressStreamId(layer.context().clientIngressStreamId())
            .tokenSecret(secret)
            .worldHalfExtentMm(extentMm)
            // a loop around the origin through every quadrant: commuters cross every border of the bundled shards
            .hotspotsMm(new long[]{ -hotspotMm, -hotspotMm, hotspotMm, -hotspotMm, hotspotMm, hotspotMm,
                -hotspotMm, hotspotMm })
            .crowdMm(crowdMm[0], crowdMm[1]);
    }

    /**
     * @return the fleet of dynamic meshing (the spare servers), or null when the shard has no spare territory.
     */
    ShardFleet fleet()
    {
        return shardFleet;
    }

    /**
     * @return a layer counter's value when the run was reported, or -1 before.
     */
    long finalCounter(final OrreryCounter counter)
    {
        return finalCounters.getOrDefault(counter, -1L);
    }

    /**
     * @return the servers all of whose territories are spare (dynamic meshing starts them when it needs them), in
     * the order of the shard file's server list.
     */
    static int[] spareOnlyServerIds(final ShardConfig config)
    {
        final int[] serverIds = config.serverIds();
        final int[] spare = new int[serverIds.length];
        int count = 0;
        for (final int serverId : serverIds)
        {
            boolean hasTerritory = false;
            boolean allSpare = true;
            for (int t = 0; t < config.territoryCount(); t++)
            {
                final ShardConfig.Territory territory = config.territory(t);
                if (territory.serverId == serverId)
                {
                    hasTerritory = true;
                    allSpare &= territory.spare;
                }
            }
            if (hasTerritory && allSpare)
            {
                spare[count++] = serverId;
            }
        }
        return java.util.Arrays.copyOf(spare, count);
    }

    /**
     * @return the servers started at launch: every server of the shard file but the spare-only ones.
     */
    static int[] baseServerIds(final ShardConfig config, final int[] spareServerIds)
    {
        return java.util.Arrays.stream(config.serverIds())
            .filter((id) -> java.util.Arrays.stream(spareServerIds).noneMatch((spare) -> spare == id))
            .toArray();
    }

    private long[] parseCrowdAt()
    {
        final String[] parts = crowdAt.split(",");
        try
        {
            if (2 == parts.length)
            {
                return new long[]{ Math.round(Double.parseDouble(parts[0].trim()) * 1000),
                    Math.round(Double.parseDouble(parts[1].trim()) * 1000) };
            }
        }
        catch (final NumberFormatException ignore)
        {
            // reported below
        }
        throw new CommandLine.ParameterException(new CommandLine(this), "--crowd-at must be x,y in metres: " +
            crowdAt);
    }

    /**
     * The fleet of the launcher's mode, holding the spare servers, on its own runner.
     */
    private void startFleet(final ReplicationLayer layer, final byte[] secret)
    {
        final int[] spare = shardFleet.spareServerIds();
        final ShardConnection connection = new ShardConnection()
            .aeronDirectoryName(layer.aeronDirectoryName())
            .ingressChannel(layer.context().serverIngressChannel())
            .ingressStreamId(layer.context().serverIngressStreamId())
            .tokenSecret(secret)
            .developmentMode(developmentMode())
            .tickHz(tickHz)
            .npcsPerTerritory(npcs)
            .maxSpeedMps(maxSpeedMps)
            .worldHalfExtentM(worldHalfExtentM)
            .seed(seed);
        final FleetPolicy policy = new FleetPolicy()
            .minSize(0)
            .maxSize(spare.length)
            .serverIds(spare);
        if (MODE_PROCESSES.equals(mode))
        {
            final ProcessFleet.Settings settings = new ProcessFleet.Settings()
                .jvmOptions(childJvmOptions)
                .output(out)
                .extraArguments("--report-interval=" + progressInterval);
            shardFleet.start((listener) -> new ProcessFleet(
                policy, connection, listener, shardFleet.clock(), settings));
        }
        else
        {
            shardFleet.start((listener) -> new InProcessFleet(
                policy, connection, listener, shardFleet.clock(), layer.context().aeron()));
        }
    }

    /**
     * Stop the fleet's servers (gracefully) and its runner.
     *
     * @return true if none of its servers failed (a server the mesh retired did not).
     */
    private boolean stopFleet()
    {
        if (null == shardFleet)
        {
            return true;
        }
        shardFleet.close();
        if (!shardFleet.isOk())
        {
            out.println("shard: a server of the fleet failed");
            return false;
        }
        return true;
    }

    /**
     * @return the mix given, or the default one (with inventory bots when the shard persists).
     */
    String effectiveMix()
    {
        return null != mix ? mix : null != store ? DEFAULT_STORE_MIX : DEFAULT_MIX;
    }

    private WorldSettings worldSettings(final int serverId)
    {
        return new WorldSettings()
            .tickRateHz(tickHz)
            .npcsPerTerritory(npcs)
            .maxSpeedMps(maxSpeedMps)
            .worldHalfExtentM(worldHalfExtentM)
            .seed(seed + serverId);
    }

    private void startAgents(final ReplicationLayer layer, final int[] serverIds, final byte[] secret)
    {
        final Aeron aeron = layer.context().aeron();
        for (final int serverId : serverIds)
        {
            final GameServerAgent agent = new GameServerAgent(
                new GameServerAgent.Settings().world(worldSettings(serverId)),
                new ServerLink.Context()
                    .aeron(aeron)
                    .serverId(serverId)
                    .token(GameServer.issueToken(secret, serverId))
                    .ingressChannel(layer.context().serverIngressChannel())
                    .ingressStreamId(layer.context().serverIngressStreamId()));
            final AgentRunner runner = new AgentRunner(GameServer.newIdleStrategy(), (ex) ->
            {
                errors.incrementAndGet();
                ex.printStackTrace(System.err);
            }, null, agent);
            agents.add(agent);
            runners.add(runner);
            AgentDeath.start(runner, AgentDeath.EXIT_PROCESS);
        }
    }

    private void startChildren(final ReplicationLayer layer, final int[] serverIds) throws IOException
    {
        final String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        final String classPath = System.getProperty("java.class.path");
        for (final int serverId : serverIds)
        {
            final List<String> command = new ArrayList<>();
            command.add(java);
            command.add("--add-opens");
            command.add("java.base/jdk.internal.misc=ALL-UNNAMED");
            for (final String option : childJvmOptions.trim().split("\\s+"))
            {
                if (!option.isEmpty())
                {
                    command.add(option);
                }
            }
            command.add("-cp");
            command.add(classPath);
            command.add(GameServer.class.getName());
            command.add("--server-id=" + serverId);
            command.add("--aeron-dir=" + layer.aeronDirectoryName());
            command.add("--ingress-channel=" + layer.context().serverIngressChannel());
            command.add("--ingress-stream=" + layer.context().serverIngressStreamId());
            if (developmentMode())
            {
                command.add("--dev");
            }
            command.add("--tick-hz=" + tickHz);
            command.add("--npcs=" + npcs);
            command.add("--max-speed=" + maxSpeedMps);
            command.add("--world-half-extent-m=" + worldHalfExtentM);
            command.add("--seed=" + seed);
            command.add("--report-interval=" + progressInterval);
            command.add("--stop-on-stdin-close");
            final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().put(TokenSecrets.SECRET_ENV, childSecret); // not on the command line: ps shows it
            final Process process = builder.start();
            final ChildServer child = new ChildServer(serverId, process);
            children.add(child);
            child.startForwarding(out);
        }
    }

    private void awaitServersJoined(final int servers) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + JOIN_TIMEOUT_NS;
        while (joined() < servers)
        {
            if (System.nanoTime() - deadlineNs > 0 || failedEarly())
            {
                throw new IllegalStateException("only " + joined() + " of " + servers + " game servers joined");
            }
            Thread.sleep(20);
        }
        out.println("shard: all " + servers + " game servers joined");
    }

    private int joined()
    {
        int joined = 0;
        for (final GameServerAgent agent : agents)
        {
            joined += GameServerAgent.STATE_RUNNING == agent.status(GameServerAgent.STATUS_STATE) ? 1 : 0;
        }
        for (final ChildServer child : children)
        {
            joined += child.welcomed ? 1 : 0;
        }
        return joined;
    }

    private boolean failedEarly()
    {
        for (final GameServerAgent agent : agents)
        {
            final long state = agent.status(GameServerAgent.STATUS_STATE);
            if (GameServerAgent.STATE_REJECTED == state || GameServerAgent.STATE_DISCONNECTED == state)
            {
                return true;
            }
        }
        for (final ChildServer child : children)
        {
            if (!child.process.isAlive())
            {
                return true;
            }
        }
        return false;
    }

    private void run(final ReplicationLayer layer, final BotSwarm swarm, final long durationNs, final long progressNs)
        throws InterruptedException
    {
        final long startNs = swarm.startNs();
        final long endNs = startNs + durationNs;
        layer.replicant().stateResidence().reset(); // the layer's residence while the swarm runs
        layer.replicant().inputResidence().reset();
        if (null != layer.replicant().passProfile())
        {
            layer.replicant().passProfile().reset(); // races at most a pass in progress: diagnostics only
            schedStats = ThreadSchedStats.start();
        }
        long nextProgressNs = startNs + progressNs;
        long nowNs;
        while ((nowNs = System.nanoTime()) - endNs < 0)
        {
            Thread.sleep(Math.max(1, Math.min(50, TimeUnit.NANOSECONDS.toMillis(endNs - nowNs))));
            if (nowNs - nextProgressNs >= 0)
            {
                nextProgressNs += progressNs;
                out.printf(Locale.ROOT, "%6.1fs bots connected %d active %d failed %d inputs %,d updates %,d%n",
                    (nowNs - startNs) / 1e9,
                    swarm.status(BotAgent.STATUS_CONNECTED), swarm.status(BotAgent.STATUS_ACTIVE),
                    swarm.status(BotAgent.STATUS_FAILED), swarm.status(BotAgent.STATUS_INPUTS_SENT),
                    swarm.status(BotAgent.STATUS_UPDATES_RECEIVED));
                out.printf(Locale.ROOT, "        layer: servers %d handoffs %d (timed out %d) stale-epoch writes %d " +
                    "unauthorised writes %d failovers %d%n",
                    layer.counter(OrreryCounter.SERVERS_CONNECTED), layer.counter(OrreryCounter.HANDOFFS_COMMITTED),
                    layer.counter(OrreryCounter.HANDOFFS_TIMED_OUT), layer.counter(OrreryCounter.STALE_EPOCH_WRITES),
                    layer.counter(OrreryCounter.UNAUTHORISED_WRITES), layer.counter(OrreryCounter.SERVER_FAILOVERS));
                for (final GameServerAgent agent : agents)
                {
                    out.println("        " + GameServer.statusLine(agent));
                }
                if (null != shardFleet)
                {
                    shardFleet.printStatus();
                    out.println("        " + dynamicCounters(layer));
                }
            }
            if (null != shardFleet)
            {
                shardFleet.sample();
            }
        }
        if (null != schedStats)
        {
            schedStats.stop(); // while the bots and servers still run
            passProfileReport = layer.replicant().passProfile().report();
        }
    }

    /**
     * Keep the shard running without bots, printing the servers and the dynamic meshing counters.
     */
    private void settle(final ReplicationLayer layer, final long settleNs, final long progressNs)
        throws InterruptedException
    {
        if (settleNs <= 0)
        {
            return;
        }
        out.printf(Locale.ROOT, "shard: settling for %s without bots%n", settle);
        final long startNs = System.nanoTime();
        final long endNs = startNs + settleNs;
        long nextProgressNs = startNs + progressNs;
        long nowNs;
        while ((nowNs = System.nanoTime()) - endNs < 0)
        {
            Thread.sleep(Math.max(1, Math.min(50, TimeUnit.NANOSECONDS.toMillis(endNs - nowNs))));
            if (null != shardFleet)
            {
                shardFleet.sample();
            }
            if (nowNs - nextProgressNs >= 0)
            {
                nextProgressNs += progressNs;
                out.printf(Locale.ROOT, "%6.1fs settling: servers %d handoffs %d entities %d%n",
                    (nowNs - startNs) / 1e9, layer.counter(OrreryCounter.SERVERS_CONNECTED),
                    layer.counter(OrreryCounter.HANDOFFS_COMMITTED), layer.counter(OrreryCounter.ENTITIES));
                out.println("        " + dynamicCounters(layer));
            }
        }
    }

    private static String dynamicCounters(final ReplicationLayer layer)
    {
        return String.format(Locale.ROOT, "dynamic meshing: fleet requests %d territory splits %d merges %d border " +
            "moves %d admission closed %d", layer.counter(OrreryCounter.FLEET_REQUESTS),
            layer.counter(OrreryCounter.TERRITORY_SPLITS), layer.counter(OrreryCounter.TERRITORY_MERGES),
            layer.counter(OrreryCounter.TERRITORY_BORDER_MOVES), layer.counter(OrreryCounter.ADMISSION_CLOSED));
    }

    /**
     * Stop every game server and print its summary.
     *
     * @return true if every server was running until the end and stopped cleanly.
     */
    private boolean stopServers() throws InterruptedException
    {
        boolean ok = true;
        for (int i = 0; i < agents.size(); i++)
        {
            final GameServerAgent agent = agents.get(i);
            ok &= GameServerAgent.STATE_RUNNING == agent.status(GameServerAgent.STATUS_STATE);
            CloseHelper.close(runners.get(i));
            out.println(GameServer.summary(agent));
        }
        runners.clear();
        for (final ChildServer child : children)
        {
            ok &= child.process.isAlive();
            child.stop();
        }
        for (final ChildServer child : children)
        {
            if (!child.process.waitFor(10, TimeUnit.SECONDS))
            {
                out.println("game server " + child.serverId + ": did not stop within 10 s of stdin closing, SIGTERM");
                child.process.destroy();
                if (!child.process.waitFor(5, TimeUnit.SECONDS))
                {
                    child.process.destroyForcibly();
                }
                ok = false;
            }
            else if (0 != child.process.exitValue())
            {
                out.println("game server " + child.serverId + ": exit code " + child.process.exitValue());
                ok = false;
            }
            child.awaitOutput();
        }
        return ok && 0 == errors.get();
    }

    private void report(final ReplicationLayer layer)
    {
        final StringBuilder line = new StringBuilder("replication layer:");
        for (final OrreryCounter counter : OrreryCounter.values())
        {
            finalCounters.put(counter, layer.counter(counter));
            final String name = counter.name();
            if (name.contains("SERVER") || name.contains("HANDOFF") || name.contains("EPOCH") ||
                name.contains("UNAUTHORISED") || name.contains("FAILOVER") || name.contains("TERRITOR") ||
                name.equals("SESSIONS_ACTIVE") || name.equals("ENTITIES") || name.equals("INPUTS_FORWARDED") ||
                name.contains("BYTES") || name.contains("SPAWNS_SENT") || name.contains("UPDATE") ||
                name.contains("DEFERRALS") || name.equals("RESYNCS") || name.equals("TICKS"))
            {
                line.append(' ').append(name.toLowerCase(Locale.ROOT)).append('=').append(layer.counter(counter));
            }
        }
        out.println(line);
        if (null != shardFleet || layer.counter(OrreryCounter.TERRITORY_BORDER_MOVES) > 0)
        {
            out.println(dynamicCounters(layer));
        }
        final org.HdrHistogram.Histogram state = layer.replicant().stateResidence().getIntervalHistogram();
        final org.HdrHistogram.Histogram input = layer.replicant().inputResidence().getIntervalHistogram();
        out.printf(Locale.ROOT, "replication layer residence: server state in -> client offer p50 %.3f p99 %.3f " +
            "max %.3f ms (%,d values); client input in -> forwarded p50 %.3f p99 %.3f max %.3f ms (%,d values)%n",
            state.getValueAtPercentile(50) / 1e6, state.getValueAtPercentile(99) / 1e6, state.getMaxValue() / 1e6,
            state.getTotalCount(), input.getValueAtPercentile(50) / 1e6, input.getValueAtPercentile(99) / 1e6,
            input.getMaxValue() / 1e6, input.getTotalCount());
        if (null != passProfileReport)
        {
            out.println(passProfileReport);
            out.println(schedStats.report(12));
        }
        final long entries = layer.counter(OrreryCounter.UPDATE_ENTRIES_SENT);
        if (entries > 0)
        {
            out.printf(Locale.ROOT, "replication layer wire: %.1f bytes per update entry in messages, %.1f in the " +
                "egress logs (Aeron headers and alignment included); all client egress %,d bytes, %,d in the logs%n",
                layer.counter(OrreryCounter.UPDATE_BYTES_OUT) / (double)entries,
                layer.counter(OrreryCounter.UPDATE_WIRE_BYTES_OUT) / (double)entries,
                layer.counter(OrreryCounter.BYTES_OUT), layer.counter(OrreryCounter.WIRE_BYTES_OUT));
        }
    }

    private int exitCode(final boolean serversOk, final BotSwarm swarm)
    {
        if (!serversOk)
        {
            out.println("shard: a game server failed");
            return 1;
        }
        if (swarm.errors() > 0)
        {
            return 1;
        }
        return summary.exitCode();
    }

    private void destroyChildrenNow()
    {
        for (final ChildServer child : children)
        {
            if (child.process.isAlive())
            {
                child.process.destroyForcibly();
            }
        }
    }

    /**
     * A game server in a child JVM, its output forwarded line by line with a prefix.
     */
    static final class ChildServer
    {
        final int serverId;
        final Process process;
        volatile boolean welcomed;
        private Thread forwarder;

        ChildServer(final int serverId, final Process process)
        {
            this.serverId = serverId;
            this.process = process;
        }

        void startForwarding(final PrintStream out)
        {
            final String prefix = "[gs-" + serverId + "] ";
            final String welcomedLine = "game server " + serverId + ": welcomed";
            forwarder = new Thread(() ->
            {
                try (BufferedReader reader = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
                {
                    String line;
                    while (null != (line = reader.readLine()))
                    {
                        if (line.startsWith(welcomedLine))
                        {
                            welcomed = true;
                        }
                        out.println(prefix + line);
                    }
                }
                catch (final IOException ignore)
                {
                    // the child is gone
                }
            }, "orrery-gs-" + serverId + "-output");
            forwarder.setDaemon(true);
            forwarder.start();
        }

        /**
         * Ask the child to stop: close its standard input (it runs with {@code --stop-on-stdin-close}).
         */
        void stop()
        {
            try
            {
                process.getOutputStream().close();
            }
            catch (final IOException ex)
            {
                process.destroy();
            }
        }

        void awaitOutput() throws InterruptedException
        {
            forwarder.join(TimeUnit.SECONDS.toMillis(5));
        }
    }
}
