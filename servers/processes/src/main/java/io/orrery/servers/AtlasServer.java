/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers;

import io.aeron.Aeron;
import io.aeron.CommonContext;
import io.aeron.Counter;
import io.aeron.cluster.ElectionState;
import io.aeron.cluster.service.Cluster;
import io.orrery.core.atlas.AtlasClusterMember;
import io.orrery.core.atlas.AtlasClusteredService;
import io.orrery.core.atlas.AtlasRemoteAgent;
import io.orrery.core.atlas.ShardConfig;
import io.orrery.core.auth.TokenSecrets;
import io.orrery.core.status.AgentDeath;
import io.orrery.core.status.OrreryCounter;
import io.orrery.link.DriverLoss;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.ShutdownSignalBarrier;
import org.agrona.concurrent.SystemNanoClock;
import picocli.CommandLine;

import java.io.File;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Atlas alone in its own process: reads the layer's commands on an Aeron channel, runs the deterministic
 * {@link io.orrery.core.atlas.Atlas} on one agent ({@link AtlasRemoteAgent}) and publishes its decisions. The layer
 * reaches it with {@code ReplicationLayerServer --shard <file> --atlas-channel <channel>} (same streams on both sides).
 * <p>
 * Atlas's table is rebuilt from the layer whenever a layer connects (its first start, a restart of either process):
 * Atlas asks, the layer resends its entities and live server sessions. While Atlas is down the layer keeps streaming
 * and every entity keeps its authority; no handoff, failover or assignment happens until Atlas is back.
 * <p>
 * Security: the channel carries authority decisions. Use IPC (same host) or a private network only, never an
 * interface others can reach. On top of that the link is mutually authenticated with a key derived from the shard's
 * token secret (the same secret as the layer's: {@code ORRERY_TOKEN_SECRET}, {@code --token-secret}, or {@code --dev}
 * for the public development secret): Atlas applies the commands of a layer publisher only once it proved it holds the
 * key, and proves itself to the layer the same way ({@link io.orrery.core.atlas.AtlasLinkAuthenticator}). Fragments of
 * unauthenticated publishers and failed proofs are counted in this process's counters
 * ({@code ATLAS_LINK_UNAUTHENTICATED}, {@code ATLAS_LINK_PROOFS_FAILED}, label {@code shard=atlas}) and a failed proof
 * is logged on standard error.
 * <p>
 * With {@code --status-address} it serves a Prometheus {@code /metrics} ({@link ProcessMetrics}: Atlas's counters, a
 * cluster member's role, election state and snapshots; label {@code atlas_member="<N>"}, {@code standby} for a lone
 * Atlas; {@code orrery_atlas_ready}), {@code /ready} (200 while a lone Atlas is the layer's: proven and resynced, a
 * waiting standby answers 503; while a cluster member has a leader) and {@code /health}.
 * <p>
 * Exit codes: 0 on SIGINT/SIGTERM; {@value #EXIT_DRIVER_LOSS} when its media driver goes away
 * ({@link DriverLoss#EXIT_CODE}); {@link AgentDeath#EXIT_CODE} when Atlas's agent thread dies; 2 on a usage error;
 * {@value #EXIT_CONFIGURATION} without a token secret, or with a status address that is malformed or cannot be bound.
 */
@CommandLine.Command(
    name = "orrery-atlas",
    mixinStandardHelpOptions = true,
    description = "Runs a shard's Atlas (authority: territories, epochs, handoffs, failover) in its own process, "
        + "reached by a Replication Layer started with --atlas-channel. The channel must be IPC or a private network.")
public final class AtlasServer implements Callable<Integer>
{
    public static final int COMMAND_STREAM_ID_DEFAULT = 1101;
    public static final int DECISION_STREAM_ID_DEFAULT = 1102;
    public static final String CHANNEL_DEFAULT = "aeron:ipc?term-length=4m";
    public static final int EXIT_DRIVER_LOSS = DriverLoss.EXIT_CODE;
    public static final int EXIT_CONFIGURATION = io.orrery.core.status.ProcessErrors.EXIT_CONFIGURATION;

    private static final OrreryCounter[] REPORTED = {
        OrreryCounter.SERVERS_CONNECTED, OrreryCounter.HANDOFFS_COMMITTED, OrreryCounter.HANDOFFS_TIMED_OUT,
        OrreryCounter.SERVER_FAILOVERS, OrreryCounter.TERRITORY_BORDER_MOVES, OrreryCounter.TERRITORY_SPLITS,
        OrreryCounter.TERRITORY_MERGES };
    private static final String STANDBY_READY_HELP =
        "1 while this Atlas is the layer's (its link proven, the layer's state resent), else 0 (a standby waits).";
    private static final String MEMBER_READY_HELP =
        "1 while this Atlas cluster member has a leader (it is, or follows, one; no election under way), else 0.";

    @CommandLine.Option(names = "--shard", required = true,
        description = "Shard config (a file, or two-servers / four-servers), the same as the layer's.")
    String shard;

    @CommandLine.Option(names = "--aeron-dir", description = "Media driver directory (default: Aeron's default).")
    String aeronDir;

    @CommandLine.Option(names = "--atlas-channel", description = "Channel of commands and decisions: IPC or a private "
        + "network only (default: ${DEFAULT-VALUE}).")
    String channel = CHANNEL_DEFAULT;

    @CommandLine.Option(names = "--atlas-decision-channel", description = "Channel decisions are published on, when it "
        + "differs from the command channel: across hosts, commands arrive on an endpoint of this host and decisions "
        + "go to one on the layer's host (default: the --atlas-channel).")
    String decisionChannel;

    @CommandLine.Option(names = "--atlas-command-stream", description = "Stream id of the layer's commands "
        + "(default: ${DEFAULT-VALUE}).")
    int commandStreamId = COMMAND_STREAM_ID_DEFAULT;

    @CommandLine.Option(names = "--atlas-decision-stream", description = "Stream id of Atlas's decisions "
        + "(default: ${DEFAULT-VALUE}).")
    int decisionStreamId = DECISION_STREAM_ID_DEFAULT;

    @CommandLine.Option(names = "--entity-capacity", description = "Entities Atlas's table is sized for at first; it "
        + "grows (default: ${DEFAULT-VALUE}).")
    int entityCapacity = 64 * 1024;

    @CommandLine.Option(names = "--welcome-timeout-ms", description = "Silence allowed to a welcomed game server "
        + "before its first message (default: ${DEFAULT-VALUE}).")
    long welcomeTimeoutMs = 5_000;

    @CommandLine.Option(names = "--token-secret", description = "The shard's token secret, the same as the layer's: "
        + "the Atlas link's key is derived from it (default: the environment variable ORRERY_TOKEN_SECRET; prefer it, "
        + "command lines are visible to every user of the host).")
    String tokenSecret;

    @CommandLine.Option(names = "--report-interval-s", description = "Seconds between lines of Atlas's counters "
        + "(servers connected, handoffs, failovers, border moves, splits, merges; a cluster member's with its role), "
        + "0 for none (default: ${DEFAULT-VALUE}).")
    int reportIntervalS = 5;

    @CommandLine.Option(names = "--cluster-member", description = "Run this process as member N (0, 1, 2) of an Atlas "
        + "Aeron Cluster (Raft) instead of a lone Atlas; the layer reaches the cluster with --atlas-cluster.")
    Integer clusterMember;

    @CommandLine.Option(names = "--cluster-hosts", split = ",", description = "With --cluster-member: the members' "
        + "hosts in member order (default: ${DEFAULT-VALUE}).")
    String[] clusterHosts = { "localhost", "localhost", "localhost" };

    @CommandLine.Option(names = "--cluster-port-base", description = "With --cluster-member: member m listens on "
        + "base + 10 m + 0..4 (ingress, consensus, log, catch-up, archive control) (default: ${DEFAULT-VALUE}).")
    int clusterPortBase = AtlasClusterMember.PORT_BASE_DEFAULT;

    @CommandLine.Option(names = "--cluster-dir", description = "With --cluster-member: its cluster directory and "
        + "archive (default: atlas-cluster-member-N); kept across restarts.")
    File clusterDir;

    @CommandLine.Option(names = "--cluster-fresh", description = "With --cluster-member: delete the cluster directory "
        + "and archive on start.")
    boolean clusterFresh;

    @CommandLine.Option(names = "--dev", description = "Development mode: without a secret, use the public "
        + "development token secret (never on a network you do not trust). Also -Dorrery.dev=true.")
    Boolean dev;

    @CommandLine.Option(names = "--status-address", description = "Serve /metrics (Prometheus text: Atlas's "
        + "counters, a cluster member's role and election state; label atlas_member=<N>, or standby for a lone "
        + "Atlas), /ready (200 while a lone Atlas is the layer's, resynced; while a cluster member has a leader) and "
        + "/health on this host:port, e.g. 127.0.0.1:9468; port 0 picks a free one; 'off' serves nothing "
        + "(default: ${DEFAULT-VALUE}).")
    String statusAddress = ProcessStatus.OFF;

    @Override
    public Integer call()
    {
        final boolean developmentMode = null != dev ? dev : TokenSecrets.developmentModeFromProperty();
        final byte[] secret = TokenSecrets.resolveForProcess(tokenSecret, developmentMode, "atlas", System.err);
        if (null == secret)
        {
            return EXIT_CONFIGURATION;
        }
        final ShardConfig config = ShardConfig.find(shard, -1);
        final String member = null != clusterMember ? Integer.toString(clusterMember) : "standby";
        final String readyHelp = null != clusterMember ? MEMBER_READY_HELP : STANDBY_READY_HELP;
        final ProcessStatus status = ProcessStatus.start(statusAddress,
            null != clusterMember ? "atlas cluster member " + member : "atlas", "atlas", readyHelp,
            ProcessMetrics.label("atlas_member", member), System.err);
        if (null == status)
        {
            return EXIT_CONFIGURATION;
        }
        try
        {
            return null != clusterMember ? runClusterMember(config, secret, status) :
                runAlone(config, secret, status);
        }
        finally
        {
            status.close();
        }
    }

    private int runAlone(final ShardConfig config, final byte[] secret, final ProcessStatus status)
    {
        final String decisions = null == decisionChannel ? channel : decisionChannel;
        final Aeron.Context aeronCtx = new Aeron.Context();
        if (null != aeronDir)
        {
            aeronCtx.aeronDirectoryName(aeronDir);
        }
        final ErrorHandler print = (ex) -> ex.printStackTrace(System.err);
        aeronCtx.errorHandler(DriverLoss.routing(print,
            (ex) -> DriverLoss.EXIT_PROCESS.onDriverLoss(aeronCtx.aeronDirectoryName(), ex)));
        AgentRunner runner = null;
        Counter[] counters = null;
        ScheduledExecutorService reporter = null;
        try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier();
            Aeron aeron = Aeron.connect(aeronCtx))
        {
            counters = OrreryCounter.allocate(aeron, "atlas");
            final AtlasRemoteAgent agent = new AtlasRemoteAgent(config, entityCapacity,
                TimeUnit.MILLISECONDS.toNanos(welcomeTimeoutMs), counters, secret, System.err::println,
                aeron.addSubscription(AtlasRemoteAgent.commandSubscriptionChannel(channel), commandStreamId),
                aeron.addExclusivePublication(decisions, decisionStreamId),
                SystemNanoClock.INSTANCE);
            runner = new AgentRunner(new BackoffIdleStrategy(), print, null, agent);
            AgentDeath.start(runner, AgentDeath.EXIT_PROCESS);
            status.metrics(new ProcessMetrics("atlas", STANDBY_READY_HELP,
                ProcessMetrics.label("atlas_member", "standby"), counters, agent::isResynced, (out, label) ->
                {
                    out.family("orrery_atlas_layer_sessions_total", "counter",
                        "Layer sessions this Atlas accepted (each proved itself and started a fresh table).");
                    out.sample("orrery_atlas_layer_sessions_total", label, agent.generation());
                }));
            {
                final Counter[] reported = counters;
                reporter = reporter("atlas-report");
                reporter.scheduleAtFixedRate(() -> report("orrery atlas:", reported), reportIntervalS, reportIntervalS,
                    TimeUnit.SECONDS);
            }
            System.out.println("orrery: atlas up, aeron dir " + aeron.context().aeronDirectoryName() + ", commands " +
                channel + " stream " + commandStreamId + ", decisions " + decisions + " stream " + decisionStreamId);
            try
            {
                barrier.await();
            }
            finally
            {
                status.metrics(null); // before Aeron and the counters close: no scrape reads them from here on
            }
        }
        finally
        {
            if (null != reporter)
            {
                reporter.shutdownNow();
            }
            CloseHelper.quietClose(runner);
            if (null != counters)
            {
                CloseHelper.quietCloseAll(counters);
            }
        }
        return 0;
    }

    private int runClusterMember(final ShardConfig config, final byte[] secret, final ProcessStatus status)
    {
        final int member = clusterMember;
        if (member < 0 || member >= clusterHosts.length)
        {
            throw new CommandLine.ParameterException(new CommandLine(this),
                "--cluster-member must be below the number of --cluster-hosts: " + member);
        }
        final File dir = null != clusterDir ? clusterDir : new File("atlas-cluster-member-" + member);
        final String aeronDirName = null != aeronDir ? aeronDir :
            CommonContext.getAeronDirectoryName() + "-atlas-cluster-" + member;
        final String members = AtlasClusterMember.clusterMembers(clusterHosts, clusterPortBase);
        ScheduledExecutorService reporter = null;
        try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier();
            AtlasClusterMember running = AtlasClusterMember.launch(new AtlasClusterMember.Settings()
                .member(member, members, clusterHosts[member], AtlasClusterMember.port(member, clusterPortBase, 4))
                .directories(dir, aeronDirName, clusterFresh)
                .shard(config, secret)
                .entityCapacity(entityCapacity)
                .welcomeTimeoutNs(TimeUnit.MILLISECONDS.toNanos(welcomeTimeoutMs))))
        {
            System.out.println("orrery: atlas cluster member " + member + " up, cluster dir " + dir + ", members " +
                members + ", aeron dir " + aeronDirName + (clusterFresh ? " (fresh)" : ""));
            final AtlasClusteredService service = running.service();
            status.metrics(new ProcessMetrics("atlas", MEMBER_READY_HELP,
                ProcessMetrics.label("atlas_member", Integer.toString(member)), service::counters,
                () -> ElectionState.CLOSED == running.electionState(), (out, label) ->
                {
                    out.family("orrery_atlas_cluster_role", "gauge",
                        "This member's role: 0 follower, 1 candidate, 2 leader.");
                    out.sample("orrery_atlas_cluster_role", label, service.role().code());
                    out.family("orrery_atlas_cluster_leader", "gauge", "1 while this member is the leader, else 0.");
                    out.sample("orrery_atlas_cluster_leader", label, Cluster.Role.LEADER == service.role() ? 1 : 0);
                    out.family("orrery_atlas_cluster_election_state", "gauge",
                        "This member's election state (Aeron ElectionState code; 17, CLOSED: no election under way).");
                    out.sample("orrery_atlas_cluster_election_state", label, running.electionState().code());
                    out.family("orrery_atlas_cluster_snapshots_total", "counter", "Snapshots this member took.");
                    out.sample("orrery_atlas_cluster_snapshots_total", label, running.snapshots());
                }));
            if (reportIntervalS > 0)
            {
                reporter = reporter("atlas-member-report");
                reporter.scheduleAtFixedRate(() ->
                {
                    final Counter[] counters = service.counters();
                    if (null != counters)
                    {
                        report("orrery atlas member " + member + ": role=" + service.role(), counters);
                    }
                }, reportIntervalS, reportIntervalS, TimeUnit.SECONDS);
            }
            try
            {
                barrier.await();
            }
            finally
            {
                status.metrics(null); // before the member closes: no scrape reads its counters from here on
            }
        }
        finally
        {
            if (null != reporter)
            {
                reporter.shutdownNow();
            }
        }
        return 0;
    }

    private static ScheduledExecutorService reporter(final String threadName)
    {
        return Executors.newSingleThreadScheduledExecutor((task) ->
        {
            final Thread thread = new Thread(task, threadName);
            thread.setDaemon(true);
            return thread;
        });
    }

    private static void report(final String prefix, final Counter[] counters)
    {
        final StringBuilder line = new StringBuilder(prefix);
        for (final OrreryCounter counter : REPORTED)
        {
            line.append(' ').append(counter.name().toLowerCase(Locale.ROOT)).append('=')
                .append(counters[counter.id()].get());
        }
        System.out.println(line);
    }

    public static void main(final String[] args)
    {
        final int exitCode = new CommandLine(new AtlasServer()).setExecutionExceptionHandler(
            (ex, cmd, parseResult) -> io.orrery.core.status.ProcessErrors.report("atlas", ex, System.err))
            .execute(args);
        if (0 != exitCode)
        {
            System.exit(exitCode);
        }
    }
}
