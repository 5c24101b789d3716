/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers;

import io.aeron.Aeron;
import io.aeron.Counter;
import io.aeron.driver.MediaDriver;
import io.orrery.core.auth.TokenSecrets;
import io.orrery.core.gateway.GatewayContext;
import io.orrery.core.replicant.ReplicantContext;
import io.orrery.core.replicant.bridge.RemoteReplicantHost;
import io.orrery.core.replicant.bridge.ReplicantBridge;
import io.orrery.core.replicant.bridge.ReplicantBridgeSettings;
import io.orrery.core.status.AgentDeath;
import io.orrery.core.status.OrreryCounter;
import io.orrery.core.status.ProcessErrors;
import io.orrery.link.DriverLoss;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.ShutdownSignalBarrier;
import org.agrona.concurrent.SystemNanoClock;
import picocli.CommandLine;

import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A secondary Replicant in its own process: runs a {@link RemoteReplicantHost} (a {@code SecondaryReplicantAgent} on
 * the state feed it receives) for a Replication Layer started with {@code -Dorrery.replicant.remote.ids=<id>}, whose
 * {@link ReplicantBridge} forwards the primary's feed and sessions and relays this process's frames into the clients'
 * egress. The Replicant settings (replicants, boundaries, bubble, budget, view sizes: the {@code orrery.*} system
 * properties) must be the layer's. The link secret: {@value ReplicantBridgeSettings#LINK_SECRET_ENV}, else the
 * layer's token secret ({@code orrery.token.secret} / {@code ORRERY_TOKEN_SECRET}), the same as the layer's.
 * <p>
 * What an operator sees: a line when the link is made or lost (and why), and every {@code --report-interval-s} a
 * status line ({@link StatusReport}): linked or unlinked (for how long, and what to check), sessions, the feed applied
 * and how often this Replicant's ring was full (the feed backs up into the layer's bridge, whose ring then fills and
 * resyncs), frames sent and refused, links made and lost, messages and welcomes refused. The same figures are this
 * process's system counters ({@code REMOTE_REPLICANT_*}, shard label {@code replicant-<id>}), readable with AeronStat,
 * and, with {@code --status-address}, a Prometheus {@code /metrics} ({@link ReplicantMetrics}), {@code /ready} (200
 * while linked) and {@code /health}. When the layer's bridge refuses it because another process holds its id (two
 * started with one id), it says so in a line (at powers of two) and its status line says REFUSED.
 * <p>
 * Exit codes: 0 on SIGINT/SIGTERM; {@link ProcessErrors#EXIT_CONFIGURATION} without a link secret, or a status
 * address that is malformed or cannot be bound;
 * {@link DriverLoss#EXIT_CODE} when its media driver goes away; {@link AgentDeath#EXIT_CODE} when its agent thread
 * dies; 2 on a usage error.
 */
@CommandLine.Command(
    name = "orrery-replicant",
    mixinStandardHelpOptions = true,
    description = "Runs a secondary Replicant of a shard in its own process, fed by the layer's bridge "
        + "(the layer runs with -Dorrery.replicant.remote.ids=<id>).")
public final class ReplicantServer implements Callable<Integer>
{
    /**
     * The default feed stream is this + the Replicant's id.
     */
    public static final int FEED_STREAM_ID_BASE = 7360;

    @CommandLine.Option(names = "--replicant-id", required = true, description = "This Replicant's id "
        + "(1..replicants-1, one of the layer's orrery.replicant.remote.ids).")
    int replicantId;

    @CommandLine.Option(names = "--layer-channel", description = "The layer's bridge channel "
        + "(orrery.replicant.bridge.channel) (default: ${DEFAULT-VALUE}).")
    String layerChannel = ReplicantBridgeSettings.CHANNEL_DEFAULT;

    @CommandLine.Option(names = "--layer-stream-base", description = "The layer's bridge stream base "
        + "(orrery.replicant.bridge.stream.id.base; this Replicant's stream is base + id) (default: ${DEFAULT-VALUE}).")
    int layerStreamBase = ReplicantBridge.STREAM_ID_BASE;

    @CommandLine.Option(names = "--feed-channel", description = "Where this process receives the feed, named in its "
        + "hello (default: ${DEFAULT-VALUE}).")
    String feedChannel = "aeron:udp?endpoint=localhost:20581";

    @CommandLine.Option(names = "--feed-stream", description = "Its stream id (default: " + FEED_STREAM_ID_BASE
        + " + the Replicant's id, so that Replicants on one media driver over IPC each receive only their own feed).")
    Integer feedStreamId;

    @CommandLine.Option(names = "--max-sessions", description = "The layer's orrery.max.sessions "
        + "(default: the property, else ${DEFAULT-VALUE}).")
    int maxSessions = Integer.getInteger(GatewayContext.MAX_SESSIONS_PROP, GatewayContext.MAX_SESSIONS_DEFAULT);

    @CommandLine.Option(names = "--aeron-dir", description = "External media driver directory (default: an embedded "
        + "media driver).")
    String aeronDir;

    @CommandLine.Option(names = "--report-interval-s", description = "Seconds between status lines "
        + "(default: ${DEFAULT-VALUE}).")
    int reportIntervalS = 5;

    @CommandLine.Option(names = "--status-address", description = "Serve /metrics (Prometheus text: this process's "
        + "counters, label replicant=<id>), /ready (200 while linked to the layer's bridge) and /health on this "
        + "host:port, e.g. 127.0.0.1:9466; port 0 picks a free one; 'off' serves nothing (default: ${DEFAULT-VALUE}).")
    String statusAddress = "off";

    /**
     * @return the link secret: {@value ReplicantBridgeSettings#LINK_SECRET_ENV}, else the token secret, or null.
     */
    public static byte[] linkSecretFromEnvironment()
    {
        final byte[] own = ReplicantBridgeSettings.linkSecretFromEnvironment();
        return null != own ? own : TokenSecrets.fromEnvironment();
    }

    @Override
    public Integer call()
    {
        final byte[] linkSecret = linkSecretFromEnvironment();
        if (null == linkSecret || linkSecret.length < 16)
        {
            System.err.println("orrery: replicant: set " + ReplicantBridgeSettings.LINK_SECRET_ENV + " or the " +
                "token secret (at least 16 bytes, the same as the layer's)");
            return ProcessErrors.EXIT_CONFIGURATION;
        }
        final ReplicantContext ctx = new ReplicantContext().conclude();
        if (replicantId < 1 || replicantId >= ctx.replicants())
        {
            System.err.println("orrery: replicant: --replicant-id " + replicantId + " is not a secondary of " +
                ctx.replicants() + " Replicants (set orrery.replicants as on the layer)");
            return ProcessErrors.EXIT_CONFIGURATION;
        }

        final ProcessStatus status = ProcessStatus.start(statusAddress, "replicant " + replicantId,
            ReplicantMetrics.ROLE, ReplicantMetrics.READY_HELP, ReplicantMetrics.label(replicantId), System.err);
        if (null == status)
        {
            return ProcessErrors.EXIT_CONFIGURATION;
        }

        final Aeron.Context aeronCtx = new Aeron.Context();
        final ErrorHandler print = (ex) -> ex.printStackTrace(System.err);
        MediaDriver driver = null;
        try
        {
            driver = ProcessAeron.attachOrLaunch(aeronDir, aeronCtx, print);
            try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier())
            {
                run(ctx, aeronCtx, linkSecret, print, barrier, status);
            }
        }
        finally
        {
            CloseHelper.quietClose(status);
            CloseHelper.quietClose(driver);
        }
        return 0;
    }

    /**
     * @return the stream this process receives the feed on: --feed-stream, else {@link #FEED_STREAM_ID_BASE} + its id.
     */
    int feedStream()
    {
        return null != feedStreamId ? feedStreamId : FEED_STREAM_ID_BASE + replicantId;
    }

    private void run(
        final ReplicantContext ctx, final Aeron.Context aeronCtx, final byte[] linkSecret, final ErrorHandler print,
        final ShutdownSignalBarrier barrier, final ProcessStatus status)
    {
        final int feedStream = feedStream();
        AgentRunner runner = null;
        Aeron aeron = null;
        Counter[] counters = null;
        final ScheduledExecutorService reporter = Executors.newSingleThreadScheduledExecutor((task) ->
        {
            final Thread thread = new Thread(task, "orrery-replicant-report");
            thread.setDaemon(true);
            return thread;
        });
        try
        {
            aeron = Aeron.connect(aeronCtx);
            counters = OrreryCounter.allocate(aeron, "replicant-" + replicantId);
            status.metrics(ReplicantMetrics.create(replicantId, counters));
            final RemoteReplicantHost host = new RemoteReplicantHost(ctx, replicantId, aeron, new SystemNanoClock(),
                layerChannel, layerStreamBase + replicantId, feedChannel, feedStream, linkSecret, maxSessions,
                counters, (line) -> System.out.println("orrery: " + line));
            runner = new AgentRunner(new BackoffIdleStrategy(), print, null, host);
            AgentDeath.start(runner, AgentDeath.EXIT_PROCESS);
            System.out.println("orrery: replicant " + replicantId + " up, aeron dir " +
                aeron.context().aeronDirectoryName() + ", layer " + layerChannel + " stream " +
                (layerStreamBase + replicantId) + ", feed " + feedChannel + " stream " + feedStream);
            final StatusReport report = new StatusReport(replicantId, counters, layerChannel + " stream " +
                (layerStreamBase + replicantId), System.nanoTime());
            reporter.scheduleAtFixedRate(() -> System.out.println(report.line(System.nanoTime())),
                Math.max(1, reportIntervalS), Math.max(1, reportIntervalS), TimeUnit.SECONDS);
            barrier.await();
        }
        finally
        {
            reporter.shutdownNow();
            status.metrics(null); // the counters close: a scrape from here on says not ready
            CloseHelper.quietClose(runner);
            if (null != counters)
            {
                CloseHelper.quietCloseAll(counters);
            }
            CloseHelper.quietClose(aeron);
            System.err.println("orrery: replicant " + replicantId + " stopped");
        }
    }

    /**
     * The periodic status line of a Replicant process, read from its system counters (any thread; one caller).
     */
    static final class StatusReport
    {
        private final int replicantId;
        private final Counter[] counters;
        private final String layer;
        private int wasState;
        private long sinceNs;
        private long lastFeed;
        private long lastFrames;

        /**
         * @param replicantId this Replicant's id.
         * @param counters    this process's counters, indexed by {@link OrreryCounter#id()}.
         * @param layer       where the layer's bridge is expected (channel and stream), for the unlinked line.
         * @param nowNs       when the process started.
         */
        StatusReport(final int replicantId, final Counter[] counters, final String layer, final long nowNs)
        {
            this.replicantId = replicantId;
            this.counters = counters;
            this.layer = layer;
            this.sinceNs = nowNs;
        }

        /**
         * @param nowNs the time now.
         * @return the status line (without the newline).
         */
        String line(final long nowNs)
        {
            final boolean linked = 0 != value(OrreryCounter.REMOTE_REPLICANT_LINKED);
            final int state = linked ? 1 : 0 != value(OrreryCounter.REMOTE_REPLICANT_REFUSED_NOW) ? 2 : 0;
            if (state != wasState)
            {
                wasState = state;
                sinceNs = nowNs;
            }
            final long feed = value(OrreryCounter.REMOTE_REPLICANT_FEED_MESSAGES);
            final long frames = value(OrreryCounter.REMOTE_REPLICANT_FRAMES_SENT);
            final StringBuilder line = new StringBuilder("orrery: replicant ").append(replicantId).append(": ");
            final long forS = TimeUnit.NANOSECONDS.toSeconds(nowNs - sinceNs);
            final boolean refused = 0 != value(OrreryCounter.REMOTE_REPLICANT_REFUSED_NOW);
            if (refused)
            {
                line.append("REFUSED for ").append(forS).append(" s: another process holds replicant id ")
                    .append(replicantId).append(" at the layer's bridge (two started with one id?): stop one of ")
                    .append("them; this one keeps saying hello and links when the other goes silent or away");
            }
            else if (linked)
            {
                line.append("linked for ").append(forS).append(" s, ")
                    .append(value(OrreryCounter.REMOTE_REPLICANT_SESSIONS)).append(" sessions");
            }
            else
            {
                line.append("UNLINKED for ").append(forS)
                    .append(" s (the layer's primary streams its part of the world meanwhile; check the layer is up ")
                    .append("with orrery.replicant.remote.ids naming ").append(replicantId)
                    .append(", its bridge on ").append(layer).append(", and the same link secret)");
            }
            line.append("; feed ").append(feed).append(" applied (+").append(feed - lastFeed).append("), ")
                .append(value(OrreryCounter.REMOTE_REPLICANT_FEED_DROPPED)).append(" dropped before a snapshot, ")
                .append(value(OrreryCounter.REMOTE_REPLICANT_FEED_RING_FULL)).append(" waits for a full ring")
                .append("; frames ").append(frames).append(" sent (+").append(frames - lastFrames).append("), ")
                .append(value(OrreryCounter.REMOTE_REPLICANT_FRAMES_REFUSED)).append(" refused")
                .append("; links ").append(value(OrreryCounter.REMOTE_REPLICANT_LINKS)).append(", lost ")
                .append(value(OrreryCounter.REMOTE_REPLICANT_LINKS_LOST))
                .append("; messages refused ").append(value(OrreryCounter.REMOTE_REPLICANT_MESSAGES_REFUSED))
                .append(", welcomes refused ").append(value(OrreryCounter.REMOTE_REPLICANT_WELCOMES_REFUSED))
                .append(", hellos refused (id held) ").append(value(OrreryCounter.REMOTE_REPLICANT_REFUSED));
            lastFeed = feed;
            lastFrames = frames;
            return line.toString();
        }

        private long value(final OrreryCounter counter)
        {
            return counters[counter.id()].get();
        }
    }

    public static void main(final String[] args)
    {
        final int exitCode = new CommandLine(new ReplicantServer()).setExecutionExceptionHandler(
            (ex, cmd, parseResult) -> ProcessErrors.report("replicant", ex, System.err))
            .execute(args);
        if (0 != exitCode)
        {
            System.exit(exitCode);
        }
    }
}
