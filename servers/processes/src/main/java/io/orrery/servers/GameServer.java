/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers;

import io.orrery.core.ReplicationLayer;
import io.orrery.core.auth.SessionTokens;
import io.orrery.core.auth.TokenSecrets;
import io.orrery.core.server.ServerLink;
import io.orrery.core.status.AgentDeath;
import io.orrery.servers.game.GameServerAgent;
import io.orrery.servers.game.WorldSettings;
import org.HdrHistogram.Histogram;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.ShutdownSignalBarrier;
import picocli.CommandLine;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A headless game server as a process: joins a shard's Replication Layer through the server link and simulates the
 * territories it is granted (a {@link GameServerAgent} on an {@link AgentRunner} with a backoff idle strategy, so it
 * never busy-spins a core). Prints a status line every few seconds and a summary at the end; stops on SIGINT/SIGTERM
 * or after {@code --duration}.
 * <p>
 * Exit codes (sysexits.h, distinct from picocli's usage error 2 and a JVM crash 134): 0 after a clean stop (SIGTERM,
 * the end of {@code --duration}), {@value #EXIT_ERRORS} when the agent thread reported errors,
 * {@value #EXIT_DISCONNECTED} when it never connected, was refused by a layer it rejoined, or had no layer for longer
 * than {@code --layer-grace} (it pauses its simulation while it rejoins a lost layer), 70 when its agent thread died
 * ({@code AgentDeath}), 71 when its media driver went away ({@code DriverLoss}), {@value #EXIT_REJECTED} when the
 * shard refused the server (bad token, unknown server id), 78 for a configuration it cannot start with (no token
 * secret, a status address it cannot bind).
 * <p>
 * Threading: the main thread only configures, waits and reports; the simulation runs on the agent's thread.
 */
@CommandLine.Command(
    name = "orrery-game-server",
    mixinStandardHelpOptions = true,
    version = "Orrery game server 0.1.0",
    sortOptions = false,
    description = "Runs one headless game server: joins a shard through the server link and simulates its " +
        "territories (players moved by input with a speed limit, wandering and following NPCs with lifetimes).")
public final class GameServer implements Callable<Integer>
{
    public static final int EXIT_REJECTED = 77;
    public static final int EXIT_DISCONNECTED = 69;
    public static final int EXIT_ERRORS = 65;

    @CommandLine.Option(names = "--server-id", required = true, description = "Id of this server in the shard config.")
    int serverId;

    @CommandLine.Option(names = "--aeron-dir", description = "Media driver directory of the shard (default: Aeron's " +
        "default directory).")
    String aeronDir;

    @CommandLine.Option(names = "--ingress-channel", description = "Server ingress channel of the Replication Layer " +
        "(default: ${DEFAULT-VALUE}).")
    String ingressChannel = ServerLink.Context.INGRESS_CHANNEL_DEFAULT;

    @CommandLine.Option(names = "--ingress-stream", description = "Server ingress stream id (default: " +
        "${DEFAULT-VALUE}).")
    int ingressStreamId = ServerLink.Context.INGRESS_STREAM_ID_DEFAULT;

    @CommandLine.Option(names = "--response-channel", description = "Channel this server receives on (default: " +
        "${DEFAULT-VALUE}).")
    String responseChannel = ServerLink.Context.RESPONSE_CHANNEL_DEFAULT;

    @CommandLine.Option(names = "--response-stream", description = "Response stream id (default: " +
        ServerLink.Context.RESPONSE_STREAM_ID_BASE + " + server id).")
    int responseStreamId;

    @CommandLine.Option(names = "--token", description = "Server token as hex (issued by SessionTokens.forServers).")
    String token;

    @CommandLine.Option(names = "--token-secret", description = "Shard secret to issue this server's own token with " +
        "(default without --token: the environment variable ORRERY_TOKEN_SECRET).")
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


    @CommandLine.Option(names = "--tick-hz", description = "Simulation ticks per second (default: ${DEFAULT-VALUE}).")
    int tickHz = 30;

    @CommandLine.Option(names = "--npcs", description = "NPCs per territory (default: ${DEFAULT-VALUE}).")
    int npcs = 50;

    @CommandLine.Option(names = "--follow-fraction", description = "Share of NPCs that follow players " +
        "(default: ${DEFAULT-VALUE}).")
    double followFraction = 0.3;

    @CommandLine.Option(names = "--seed", description = "Random seed of the simulation (default: ${DEFAULT-VALUE}).")
    long seed = 42;

    @CommandLine.Option(names = "--max-speed", description = "Fastest legal player speed, m/s (default: " +
        "${DEFAULT-VALUE}).")
    double maxSpeedMps = 10;

    @CommandLine.Option(names = "--world-half-extent-m", description = "NPCs roam their territory within this " +
        "distance of the origin (default: ${DEFAULT-VALUE}).")
    double worldHalfExtentM = 1000;

    @CommandLine.Option(names = "--duration", description = "Stop after this long, e.g. 30s, 5m; 0 runs until " +
        "interrupted (default: ${DEFAULT-VALUE}).")
    String duration = "0";

    @CommandLine.Option(names = "--report-interval", description = "Status line interval (default: ${DEFAULT-VALUE}).")
    String reportInterval = "5s";

    @CommandLine.Option(names = "--stop-on-stdin-close", description = "Stop cleanly when standard input is closed " +
        "(how the shard launcher stops its child processes).")
    boolean stopOnStdinClose;

    @CommandLine.Option(names = "--status-address", description = "Serve /metrics (Prometheus text), /ready (200 once "
        + "welcomed and simulating) and /health on this host:port, e.g. 127.0.0.1:9465 (default: off).")
    String statusAddress;

    @CommandLine.Option(names = "--connect-timeout", description = "Give up if not welcomed within this long " +
        "(default: ${DEFAULT-VALUE}).")
    String connectTimeout = "10s";

    @CommandLine.Option(names = "--layer-grace", description = "When the layer is lost (killed, restarted), pause " +
        "the simulation and rejoin with backoff for this long before exiting with code 69 (default: ${DEFAULT-VALUE}).")
    String layerGrace = "10s";

    @CommandLine.Option(names = "--time-dilation", description = "Force the simulation's time dilation: game time " +
        "per real time, in (0, 1], e.g. 0.5; 0 lets the server dilate by itself when it cannot keep up " +
        "(default: ${DEFAULT-VALUE}).")
    double timeDilation = 0;

    @CommandLine.Option(names = "--time-dilation-floor", description = "Lowest time dilation the server goes down " +
        "to by itself, in (0, 1] (default: ${DEFAULT-VALUE}).")
    double timeDilationFloor = 0.1;

    @Override
    public Integer call()
    {
        final byte[] serverToken = serverToken();
        if (null == serverToken)
        {
            return ReplicationLayerServer.EXIT_CONFIGURATION; // the reason is printed
        }
        final long durationNs = Durations.parseNs(duration);
        final long reportNs = Math.max(TimeUnit.MILLISECONDS.toNanos(100), Durations.parseNs(reportInterval));
        final long connectTimeoutNs = Durations.parseNs(connectTimeout);
        if (timeDilation < 0 || timeDilation > 1 || !(timeDilationFloor > 0 && timeDilationFloor <= 1))
        {
            throw new CommandLine.ParameterException(new CommandLine(this),
                "--time-dilation must be in [0, 1] and --time-dilation-floor in (0, 1]");
        }
        final GameServerAgent.Settings settings = new GameServerAgent.Settings().world(worldSettings())
            .layerGraceNs(Durations.parseNs(layerGrace));
        settings.timeDilation()
            .forcedPerMille(timeDilation > 0 ? Math.max(1, (int)Math.round(timeDilation * 1000)) : 0)
            .floorPerMille(Math.max(1, (int)Math.round(timeDilationFloor * 1000)));
        final ServerLink.Context linkCtx = new ServerLink.Context()
            .serverId(serverId)
            .token(serverToken)
            .ingressChannel(ingressChannel)
            .ingressStreamId(ingressStreamId)
            .responseChannel(responseChannel)
            .responseStreamId(responseStreamId)
            .connectTimeoutNs(connectTimeoutNs);
        if (null != aeronDir)
        {
            linkCtx.aeronDirectoryName(aeronDir);
        }

        final AtomicLong errors = new AtomicLong();
        final ScheduledExecutorService reporter = Executors.newSingleThreadScheduledExecutor();
        GameServerAgent agent = null;
        AgentRunner runner = null;
        StatusEndpoint status = null;
        try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier())
        {
            agent = new GameServerAgent(settings, linkCtx);
            if (null != statusAddress)
            {
                final GameServerMetrics metrics = new GameServerMetrics(agent, serverId);
                try
                {
                    status = StatusEndpoint.start(statusAddress, metrics::render, metrics::isReady);
                }
                catch (final IllegalArgumentException | java.io.UncheckedIOException ex)
                {
                    System.err.println("orrery: game server " + serverId + ": " + ex.getMessage());
                    return ReplicationLayerServer.EXIT_CONFIGURATION;
                }
            }
            runner = new AgentRunner(newIdleStrategy(), (ex) ->
            {
                errors.incrementAndGet();
                ex.printStackTrace(System.err);
            }, null, agent);
            AgentDeath.start(runner, AgentDeath.EXIT_PROCESS);
            final long startNs = System.nanoTime();
            final GameServerAgent running = agent;
            System.out.printf(Locale.ROOT, "game server %d: joining via %s stream %d, %d Hz, %d npcs/territory%n",
                serverId, ingressChannel, ingressStreamId, tickHz, npcs);
            final AtomicBoolean announced = new AtomicBoolean();
            final AtomicLong lossesAnnounced = new AtomicLong();
            reporter.scheduleAtFixedRate(
                () -> watch(running, barrier, announced, lossesAnnounced, startNs, durationNs, connectTimeoutNs),
                0, 100, TimeUnit.MILLISECONDS);
            reporter.scheduleAtFixedRate(() -> System.out.println(statusLine(running)),
                reportNs, reportNs, TimeUnit.NANOSECONDS);
            if (stopOnStdinClose)
            {
                watchStdin(barrier);
            }
            barrier.await();
            // stop and report before the barrier closes: on SIGTERM the JVM exits once it is closed
            stop(reporter, runner, linkCtx);
            System.out.println(summary(agent));
            System.out.flush();
            return exitCode(agent, errors.get());
        }
        finally
        {
            stop(reporter, runner, linkCtx);
            CloseHelper.quietClose(status);
        }
    }

    private static void stop(
        final ScheduledExecutorService reporter, final AgentRunner runner, final ServerLink.Context linkCtx)
    {
        reporter.shutdownNow();
        CloseHelper.quietClose(runner);
        CloseHelper.quietClose(linkCtx::close);
    }

    /**
     * Stop when standard input reaches its end: a launcher closes a child's stdin to stop it, and a child whose
     * launcher died stops by itself.
     */
    private static void watchStdin(final ShutdownSignalBarrier barrier)
    {
        final Thread watcher = new Thread(() ->
        {
            try
            {
                while (System.in.read() >= 0)
                {
                    continue;
                }
            }
            catch (final java.io.IOException ignore)
            {
                // treated as closed
            }
            barrier.signal();
        }, "orrery-stdin-watch");
        watcher.setDaemon(true);
        watcher.start();
    }

    /**
     * The idle strategy of game server threads: spin briefly, yield, then park up to 1 ms (the 30 Hz tick deadline
     * is 33 ms away most of the time; a 2-core box must not be busy-spun).
     */
    public static BackoffIdleStrategy newIdleStrategy()
    {
        return new BackoffIdleStrategy(10, 20, TimeUnit.MICROSECONDS.toNanos(10), TimeUnit.MILLISECONDS.toNanos(1));
    }

    private WorldSettings worldSettings()
    {
        return new WorldSettings()
            .tickRateHz(tickHz)
            .npcsPerTerritory(npcs)
            .followFraction(followFraction)
            .seed(seed + serverId)
            .maxSpeedMps(maxSpeedMps)
            .worldHalfExtentM(worldHalfExtentM)
            .conclude();
    }

    /**
     * @return the server's token, or null when there is no secret to issue it with (the reason printed).
     */
    private byte[] serverToken()
    {
        if (null != token && null != tokenSecret)
        {
            throw new CommandLine.ParameterException(new CommandLine(this), "--token and --token-secret are exclusive");
        }
        if (null != token)
        {
            try
            {
                return HexFormat.of().parseHex(token.trim());
            }
            catch (final IllegalArgumentException ex)
            {
                throw new CommandLine.ParameterException(new CommandLine(this), "--token is not hex: " + ex.getMessage());
            }
        }
        final byte[] secret = TokenSecrets.resolveForProcess(tokenSecret, developmentMode(), "game server " + serverId, System.err);
        return null == secret ? null : issueToken(secret, serverId);
    }

    /**
     * @return a server token for a server id, valid for a day.
     */
    public static byte[] issueToken(final byte[] secret, final int serverId)
    {
        return SessionTokens.forServers(secret).issue(serverId, System.currentTimeMillis() + TimeUnit.DAYS.toMillis(1));
    }

    private static void watch(
        final GameServerAgent agent,
        final ShutdownSignalBarrier barrier,
        final AtomicBoolean announced,
        final AtomicLong lossesAnnounced,
        final long startNs,
        final long durationNs,
        final long connectTimeoutNs)
    {
        final long elapsedNs = System.nanoTime() - startNs;
        // losses are counted, not sampled: a rejoin quicker than this watcher's period still prints both lines
        final long losses = agent.status(GameServerAgent.STATUS_LAYER_LOSSES);
        final long state = agent.status(GameServerAgent.STATUS_STATE);
        while (lossesAnnounced.get() < losses)
        {
            lossesAnnounced.incrementAndGet();
            if (announced.compareAndSet(true, false))
            {
                System.out.println("game server " + agent.link().serverId() + ": layer lost (" +
                    ServerLink.reasonText((int)agent.status(GameServerAgent.STATUS_LAYER_LOSS_REASON)) +
                    "), simulation paused, rejoining");
            }
        }
        if (GameServerAgent.STATE_RUNNING == state && announced.compareAndSet(false, true))
        {
            System.out.println("game server " + agent.link().serverId() + ": welcomed");
        }
        if (GameServerAgent.STATE_REJECTED == state || GameServerAgent.STATE_DISCONNECTED == state ||
            (durationNs > 0 && elapsedNs >= durationNs) ||
            (GameServerAgent.STATE_CONNECTING == state && elapsedNs >= connectTimeoutNs + TimeUnit.SECONDS.toNanos(1)))
        {
            barrier.signal();
        }
    }

    public static String statusLine(final GameServerAgent agent)
    {
        return String.format(Locale.ROOT,
            "game server %d: %s ticks %d entities %d players %d views %d tick p50 %.1f us max %.1f us inputs %d " +
            "rejected-moves %d handoffs in %d out %d npcs +%d -%d skipped-ticks %d",
            agent.link().serverId(), stateName((int)agent.status(GameServerAgent.STATUS_STATE)),
            agent.status(GameServerAgent.STATUS_TICKS), agent.status(GameServerAgent.STATUS_ENTITIES),
            agent.status(GameServerAgent.STATUS_PLAYERS), agent.status(GameServerAgent.STATUS_VIEWS),
            agent.status(GameServerAgent.STATUS_TICK_P50_NS) / 1e3,
            agent.status(GameServerAgent.STATUS_TICK_MAX_NS) / 1e3,
            agent.status(GameServerAgent.STATUS_INPUTS_APPLIED),
            agent.status(GameServerAgent.STATUS_INPUTS_REJECTED_SPEED),
            agent.status(GameServerAgent.STATUS_HANDOFFS_IN), agent.status(GameServerAgent.STATUS_HANDOFFS_OUT),
            agent.status(GameServerAgent.STATUS_NPCS_SPAWNED), agent.status(GameServerAgent.STATUS_NPCS_DESTROYED),
            agent.status(GameServerAgent.STATUS_TICKS_SKIPPED));
    }

    /**
     * Figures of a stopped agent (read after its thread ended).
     */
    public static String summary(final GameServerAgent agent)
    {
        if (null == agent)
        {
            return "game server: not started";
        }
        final Histogram ticks = agent.tickTimes();
        final StringBuilder text = new StringBuilder(512);
        text.append(String.format(Locale.ROOT, "game server %d summary: state %s", agent.link().serverId(),
            stateName(agent.state())));
        if (GameServerAgent.STATE_REJECTED == agent.state())
        {
            text.append(" (reason ").append(agent.rejectReason()).append(": ").append(agent.rejectText()).append(')');
        }
        text.append(String.format(Locale.ROOT,
            "%n  ticks %d (skipped %d), tick time p50 %.1f us p99 %.1f us max %.1f us%n" +
            "  entities %d, players %d, npcs spawned %d destroyed %d unconfirmed %d%n" +
            "  inputs accepted %d applied %d rejected-moves %d duplicate %d unknown-entity %d%n" +
            "  handoffs in %d out %d, entities adopted %d dropped %d, publish failures %d, rejects received %d " +
            "(of past epochs %d)",
            agent.world().ticks(), agent.ticksSkipped(),
            ticks.getValueAtPercentile(50) / 1e3, ticks.getValueAtPercentile(99) / 1e3, ticks.getMaxValue() / 1e3,
            agent.world().entityCount(), agent.world().playerCount(), agent.world().npcsSpawned(),
            agent.world().npcsDestroyed(), agent.world().spawnsUnconfirmed(),
            agent.world().inputsAccepted(), agent.world().inputsApplied(), agent.world().inputsRejectedSpeed(),
            agent.world().inputsDuplicate(), agent.world().inputsUnknownEntity(),
            agent.handoffsIn(), agent.handoffsOut(), agent.world().entitiesAdopted(), agent.world().entitiesDropped(),
            agent.publishFailures(), agent.rejectsReceived(), agent.rejectsOfPastEpochs()));
        return text.toString();
    }

    static String stateName(final int state)
    {
        switch (state)
        {
            case GameServerAgent.STATE_CONNECTING:
                return "connecting";
            case GameServerAgent.STATE_RUNNING:
                return "running";
            case GameServerAgent.STATE_REJECTED:
                return "rejected";
            case GameServerAgent.STATE_DISCONNECTED:
                return "disconnected";
            case GameServerAgent.STATE_STOPPED:
                return "stopped";
            case GameServerAgent.STATE_PAUSED:
                return "paused";
            default:
                return "state " + state;
        }
    }

    static int exitCode(final GameServerAgent agent, final long errors)
    {
        if (null == agent)
        {
            return EXIT_DISCONNECTED;
        }
        switch (agent.state())
        {
            case GameServerAgent.STATE_REJECTED:
                return EXIT_REJECTED;
            case GameServerAgent.STATE_DISCONNECTED:
            case GameServerAgent.STATE_CONNECTING:
                return EXIT_DISCONNECTED;
            default:
                return errors > 0 ? EXIT_ERRORS : 0;
        }
    }

    /**
     * The command line, whose errors are one line naming the culprit and exit code
     * {@link io.orrery.core.status.ProcessErrors#EXIT_CONFIGURATION} (the stack trace with -Dorrery.stacktrace=true).
     */
    static CommandLine commandLine()
    {
        return new CommandLine(new GameServer()).setExecutionExceptionHandler(
            (ex, cmd, parseResult) -> io.orrery.core.status.ProcessErrors.report("game server", ex, System.err));
    }

    public static void main(final String[] args)
    {
        final int exitCode = commandLine().execute(args);
        if (0 != exitCode)
        {
            System.exit(exitCode);
        }
    }
}
