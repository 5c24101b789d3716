/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers;

import io.orrery.core.ReplicationLayer;
import io.orrery.core.ThreadingMode;
import io.orrery.core.atlas.AeronAtlasLink;
import io.orrery.core.atlas.AtlasClusterLink;
import io.orrery.core.atlas.AtlasClusterMember;
import io.orrery.core.atlas.ShardConfig;
import io.orrery.core.auth.PlayerTokenKeys;
import io.orrery.core.auth.TokenSecrets;
import io.orrery.core.authority.ScriptedAuthority;
import io.orrery.core.gateway.GatewayContext;
import io.orrery.core.persistence.PersistenceAdapter;
import io.orrery.core.persistence.RemoteScribeContext;
import io.orrery.core.shard.ShardDirectory;
import io.orrery.core.status.LayerMetrics;
import io.orrery.core.status.OrreryCounter;
import io.orrery.persistence.PersistenceAdapters;
import org.agrona.CloseHelper;
import org.agrona.concurrent.ShutdownSignalBarrier;
import picocli.CommandLine;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The hybrid Replication Layer as a process: Gateway and Replicant over an embedded (or external) media driver, with
 * the scripted authority standing in for game servers, or (with {@code --shard}) static meshing: {@link GameServer}s
 * join it through the server link. Prints its counters every few seconds; stops on SIGINT/SIGTERM.
 * With {@code --store <uri>} the shard is persistent: the world is restored from the store before serving, written
 * behind while running, stow/unstow run as durable transactions, and on shutdown the last changes are drained into
 * the store (which is closed after the layer).
 * With {@code --shard-directory <file>} the layer registers itself in the deployment's {@link ShardDirectory} (its
 * {@code --shard-name}, its media driver directory and client ingress channel) once it has restored its shard and
 * serves, replacing any entry of the same name (the stale entry of a killed layer of that name), and deregisters on
 * a clean stop (SIGINT/SIGTERM) before it closes, so that clients stop picking it; a killed layer leaves its entry
 * until a layer of that name starts again.
 */
@CommandLine.Command(
    name = "orrery-replication-layer",
    mixinStandardHelpOptions = true,
    description = "Runs one shard's hybrid Replication Layer (Gateway + Replicant) until interrupted; with --shard, " +
        "game servers (GameServer) join it through the server link.")
public final class ReplicationLayerServer implements Callable<Integer>
{
    /**
     * Exit code when the process cannot start for its configuration (no token secret, the development secret
     * without development mode): {@code EX_CONFIG} of sysexits.h. An agent thread that dies ends the process with
     * {@link io.orrery.core.status.AgentDeath#EXIT_CODE}; a command-line usage error is 2.
     */
    public static final int EXIT_CONFIGURATION = io.orrery.core.status.ProcessErrors.EXIT_CONFIGURATION;

    private static final String NOT_READY_METRICS = "# HELP orrery_layer_ready 1 once the layer has restored its " +
        "shard and serves, else 0.\n# TYPE orrery_layer_ready gauge\norrery_layer_ready 0\n";

    @CommandLine.Option(names = "--aeron-dir", description = "External media driver directory (default: embedded).")
    String aeronDir;

    @CommandLine.Option(names = "--ingress-channel", description = "Client ingress channel, or several separated by " +
        "commas (e.g. UDP endpoints on consecutive ports: the Gateway listens on each, clients spread over them; see " +
        "README, \"UDP\"), or none: no client of its own, every client through --gateway-link (the layer's host then " +
        "needs no port open to players) (default: ${DEFAULT-VALUE}).")
    String ingressChannel = ReplicationLayer.Context.CLIENT_INGRESS_CHANNEL_DEFAULT;

    @CommandLine.Option(names = "--threading", description = "SHARED, DEDICATED (default: ${DEFAULT-VALUE}).")
    ThreadingMode threading = ThreadingMode.SHARED;

    @CommandLine.Option(names = "--interest-workers", description = "Threads the per-tick interest work (bubbles, " +
        "encoding, offers to clients) is split over, the Replicant's own included (default: ${DEFAULT-VALUE}).")
    int interestWorkers = Integer.getInteger(
        ReplicationLayer.Context.INTEREST_WORKERS_PROP, ReplicationLayer.Context.INTEREST_WORKERS_DEFAULT);

    @CommandLine.Option(names = "--max-sessions", description = "Maximum client sessions (default: ${DEFAULT-VALUE}).")
    int maxSessions = ReplicationLayer.Context.MAX_SESSIONS_DEFAULT;

    @CommandLine.Option(names = "--tick-rate", description = "Ticks per second (default: ${DEFAULT-VALUE}).")
    int tickRateHz = ReplicationLayer.Context.TICK_RATE_HZ_DEFAULT;

    @CommandLine.Option(names = "--npcs", description = "Scripted NPCs (default: ${DEFAULT-VALUE}).")
    int npcs = 200;

    @CommandLine.Option(names = "--token-secret", description = "HMAC secret of player and server tokens, at least "
        + "16 bytes (default: the environment variable ORRERY_TOKEN_SECRET; prefer it, command lines are visible to "
        + "every user of the host).")
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


    @CommandLine.Option(names = "--shard", description = "Shard config (a file, or two-servers / four-servers): game " +
        "servers simulate the world through the server link (static meshing) instead of the scripted authority.")
    String shard;

    @CommandLine.Option(names = "--store", description = "Persist the shard: restore the world from this store on "
        + "start, write it behind, run stow/unstow. URIs: memory:, rocksdb:./orrery-data (embedded, durable; the "
        + "usual choice), postgres:jdbc:postgresql://host/db?user=... (default: none, nothing persisted).")
    String store;

    @CommandLine.Option(names = "--scribe-link", description = "Persist the shard through a Scribe process "
        + "(ScribeServer --channel, e.g. aeron:udp?endpoint=10.0.0.9:40600) instead of --store; the link secret comes "
        + "from " + ScribeServer.LINK_SECRET_ENV + " (default: none).")
    String scribeLink;

    @CommandLine.Option(names = "--scribe-link-stream", description = "Its stream id (default: ${DEFAULT-VALUE}).")
    int scribeLinkStream = RemoteScribeContext.STREAM_ID_DEFAULT;

    @CommandLine.Option(names = "--scribe-response-channel", description = "Where the Scribe process answers this "
        + "layer, e.g. aeron:udp?endpoint=10.0.0.5:40601 (default: aeron:ipc when --scribe-link is IPC, else "
        + "required).")
    String scribeResponseChannel;

    @CommandLine.Option(names = "--scribe-response-stream", description = "Its stream id (default: "
        + "${DEFAULT-VALUE}).")
    int scribeResponseStream = RemoteScribeContext.RESPONSE_STREAM_ID_DEFAULT;

    @CommandLine.Option(names = "--status-address", description = "Serve /metrics (Prometheus text), /ready (200 once "
        + "the shard is restored and served) and /health on this host:port, e.g. 127.0.0.1:9464 (default: off).")
    String statusAddress;

    @CommandLine.Option(names = "--atlas-channel", description = "With --shard: Atlas runs in its own process "
        + "(AtlasServer) reached on this Aeron channel (commands and decisions; IPC or a private network only: it "
        + "carries authority), and no Atlas runs here (default: Atlas runs in the layer).")
    String atlasChannel;

    @CommandLine.Option(names = "--atlas-decision-channel", description = "With --atlas-channel: the channel Atlas's "
        + "decisions reach this layer on, when it differs from the command channel: across hosts, commands go to an "
        + "endpoint on Atlas's host and decisions to one on this host (default: the --atlas-channel).")
    String atlasDecisionChannel;

    @CommandLine.Option(names = "--server-ingress-channel", description = "Channel game servers send to this layer on, "
        + "e.g. aeron:udp?endpoint=10.0.0.1:20110 for game servers on other hosts (default: -D"
        + ReplicationLayer.Context.SERVER_INGRESS_CHANNEL_PROP + ", else "
        + ReplicationLayer.Context.SERVER_INGRESS_CHANNEL_DEFAULT + ").")
    String serverIngressChannel;

    @CommandLine.Option(names = "--atlas-command-stream", description = "Stream id of commands to Atlas "
        + "(default: ${DEFAULT-VALUE}).")
    int atlasCommandStreamId = AtlasServer.COMMAND_STREAM_ID_DEFAULT;

    @CommandLine.Option(names = "--atlas-decision-stream", description = "Stream id of Atlas's decisions "
        + "(default: ${DEFAULT-VALUE}).")
    int atlasDecisionStreamId = AtlasServer.DECISION_STREAM_ID_DEFAULT;

    @CommandLine.Option(names = "--atlas-cluster", split = ",", description = "With --shard: Atlas runs on an Aeron "
        + "Cluster of AtlasServer --cluster-member processes on these hosts, in member order.")
    String[] atlasClusterHosts;

    @CommandLine.Option(names = "--atlas-cluster-port-base", description = "With --atlas-cluster: the members' port "
        + "base, as AtlasServer --cluster-port-base (default: ${DEFAULT-VALUE}).")
    int atlasClusterPortBase = AtlasClusterMember.PORT_BASE_DEFAULT;

    @CommandLine.Option(names = "--atlas-cluster-egress", description = "With --atlas-cluster: the channel the "
        + "cluster's decisions come back on, an endpoint of this host (default: ${DEFAULT-VALUE}).")
    String atlasClusterEgress = "aeron:udp?endpoint=localhost:0";

    @CommandLine.Option(names = "--atlas-silence-ms", description = "With --atlas-channel: report Atlas as silent "
        + "(a line, ATLAS_SILENCE_EPISODES) when nothing was heard from it for longer than this (default: -D"
        + AeronAtlasLink.SILENCE_THRESHOLD_MS_PROP + ", else " + AeronAtlasLink.SILENCE_THRESHOLD_MS_DEFAULT + ").")
    Long atlasSilenceMs;

    @CommandLine.Option(names = "--shard-directory", description = "Register this shard in this shard directory "
        + "file once serving (replacing a stale entry of the same name), deregister on a clean stop (default: none).")
    Path shardDirectory;

    @CommandLine.Option(names = "--shard-name", description = "The shard's name: its counters' label and its name in "
        + "the shard directory, one word (default: -D" + ReplicationLayer.Context.SHARD_NAME_PROP + ", else "
        + ReplicationLayer.Context.SHARD_NAME_DEFAULT + ").")
    String shardName;

    @CommandLine.Option(names = "--report-interval-s", description = "Seconds between counter reports "
        + "(default: ${DEFAULT-VALUE}).")
    int reportIntervalS = 5;

    @CommandLine.Option(names = "--gateway-link", description = "Listen for Gateways running as their own processes "
        + "(GatewayServer) on this channel, e.g. aeron:udp?endpoint=10.0.0.5:40500 or aeron:ipc: each must prove the "
        + "link key; their clients are served besides those of --ingress-channel (default: none).")
    String gatewayLinkChannel;

    @CommandLine.Option(names = "--gateway-link-stream", description = "Stream id of the Gateway link "
        + "(default: ${DEFAULT-VALUE}).")
    int gatewayLinkStreamId = io.orrery.core.gateway.link.GatewayLinkSettings.STREAM_ID_DEFAULT;

    @CommandLine.Option(names = "--gateway-link-timeout-ms", description = "A linked Gateway silent for this long is "
        + "lost and its sessions end (its clients resume through another) (default: ${DEFAULT-VALUE}).")
    long gatewayLinkTimeoutMs = io.orrery.core.gateway.link.GatewayLinkSettings.TIMEOUT_MS_DEFAULT;

    @Override
    public Integer call()
    {
        final byte[] secret = TokenSecrets.resolveForProcess(tokenSecret, developmentMode(), "replication layer", System.err);
        if (null == secret)
        {
            return EXIT_CONFIGURATION;
        }
        final byte[] playerTokenPublicKey;
        try
        {
            playerTokenPublicKey = PlayerTokenKeys.publicKeyFromEnvironment();
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("orrery: replication layer: " + PlayerTokenKeys.PUBLIC_KEY_ENV + ": " + ex.getMessage());
            return EXIT_CONFIGURATION;
        }
        final boolean noClientIngress = GatewayContext.NO_CLIENT_INGRESS.equals(ingressChannel.trim());
        if (noClientIngress && (null == gatewayLinkChannel || null != shardDirectory))
        {
            System.err.println("orrery: replication layer: --ingress-channel none " + (null == gatewayLinkChannel ?
                "needs --gateway-link: without it no client could reach the shard" :
                "cannot register in --shard-directory, whose entries name the layer's own client ingress: give " +
                "bots the Gateways' channels instead"));
            return EXIT_CONFIGURATION;
        }
        final ReplicationLayer.Context ctx = new ReplicationLayer.Context()
            .developmentMode(developmentMode())
            .aeronDirectoryName(aeronDir)
            .clientIngressChannel(ingressChannel)
            .threadingMode(threading)
            .interestWorkers(interestWorkers)
            .maxSessions(maxSessions)
            .tickRateHz(tickRateHz)
            .tokenSecret(secret)
            .playerTokenPublicKey(playerTokenPublicKey);
        if (null != shardName)
        {
            ctx.shardName(shardName);
        }
        if (null != gatewayLinkChannel)
        {
            ctx.gateway().gatewayLink()
                .channel(gatewayLinkChannel)
                .streamId(gatewayLinkStreamId)
                .timeoutNs(TimeUnit.MILLISECONDS.toNanos(gatewayLinkTimeoutMs))
                .linkSecret(GatewayServer.linkSecretFromEnvironment());
        }
        if (null != serverIngressChannel)
        {
            ctx.serverIngressChannel(serverIngressChannel);
        }
        if (null != shard)
        {
            ctx.shardConfig(ShardConfig.find(shard, -1));
            if (null != atlasClusterHosts)
            {
                ctx.atlas().atlasLink(new AtlasClusterLink(
                    AtlasClusterMember.ingressEndpoints(atlasClusterHosts, atlasClusterPortBase),
                    "aeron:udp?term-length=256k", atlasClusterEgress, AtlasClusterLink.JOURNAL_CAPACITY_DEFAULT));
            }
            else if (null != atlasChannel)
            {
                final AeronAtlasLink link = new AeronAtlasLink(atlasChannel, atlasCommandStreamId,
                    null == atlasDecisionChannel ? atlasChannel : atlasDecisionChannel, atlasDecisionStreamId);
                if (null != atlasSilenceMs)
                {
                    link.silenceThresholdNs(TimeUnit.MILLISECONDS.toNanos(atlasSilenceMs));
                }
                ctx.atlas().atlasLink(link);
            }
        }
        else if (null != atlasChannel || null != atlasDecisionChannel || null != atlasClusterHosts)
        {
            throw new CommandLine.ParameterException(new CommandLine(this),
                "--atlas-channel and --atlas-cluster need --shard");
        }
        else
        {
            ctx.authority(new ScriptedAuthority(new ScriptedAuthority.Settings().npcCount(npcs)));
        }
        if (threading == ThreadingMode.INVOKER)
        {
            throw new CommandLine.ParameterException(new CommandLine(this), "INVOKER is for embedding, not a process");
        }
        final AtomicReference<LayerMetrics> metrics = new AtomicReference<>();
        final StatusEndpoint status;
        try
        {
            status = null == statusAddress ? null : StatusEndpoint.start(statusAddress,
                () -> null == metrics.get() ? NOT_READY_METRICS : metrics.get().render(true),
                () -> null != metrics.get());
        }
        catch (final IllegalArgumentException | java.io.UncheckedIOException ex)
        {
            System.err.println("orrery: " + ex.getMessage());
            return EXIT_CONFIGURATION;
        }
        if (null != scribeLink && !linkToScribe(ctx))
        {
            CloseHelper.quietClose(status);
            return EXIT_CONFIGURATION;
        }
        final PersistenceAdapter adapter = null == store ? null : PersistenceAdapters.open(store);
        ctx.persistenceAdapter(adapter);
        final ScheduledExecutorService reporter = Executors.newSingleThreadScheduledExecutor();
        try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier();
            ReplicationLayer layer = ReplicationLayer.launch(ctx))
        {
            metrics.set(new LayerMetrics(layer));
            if (null != status)
            {
                System.out.println("orrery: status on http://" + statusAddress.substring(0,
                    statusAddress.lastIndexOf(':')) + ":" + status.port() + "/metrics, /ready, /health");
            }
            System.out.println("orrery: replication layer up, aeron dir " + layer.aeronDirectoryName() +
                (noClientIngress ? ", no client ingress of its own (clients through linked Gateways only)" :
                ", ingress " + ctx.clientIngressChannel() + " stream " + ctx.clientIngressStreamId()) +
                (null == gatewayLinkChannel ? "" : ", gateway link " + gatewayLinkChannel + " stream " +
                gatewayLinkStreamId) +
                (null == playerTokenPublicKey ? ", HMAC player tokens" : ", Ed25519 player tokens") +
                (null != scribeLink ? ", Scribe process on " + scribeLink + " stream " + scribeLinkStream + ", " +
                layer.counter(OrreryCounter.ENTITIES_RESTORED) + " entities restored" :
                null == adapter ? ", not persistent" : ", store " + adapter.name() + ", " +
                layer.counter(OrreryCounter.ENTITIES_RESTORED) + " entities restored"));
            System.out.println(HeapHeadroom.line("replication layer",
                "raise -Xmx, or lower --max-sessions (its view tables are most of the heap)"));
            register(layer, ctx);
            reporter.scheduleAtFixedRate(() -> report(layer), reportIntervalS, reportIntervalS, TimeUnit.SECONDS);
            barrier.await();
            deregister(ctx);
            stop(reporter);
            if (null != layer.replicant().passProfile())
            {
                System.out.println(layer.replicant().passProfile().report()); // since the last periodic report
            }
        }
        finally
        {
            stop(reporter);
            CloseHelper.quietClose(status);
            CloseHelper.quietClose(adapter);
        }
        return 0;
    }

    /**
     * Persist through a Scribe process: {@code --scribe-link}, its response channel and the link secret.
     *
     * @return false (said on standard error) when the settings do not fit.
     */
    private boolean linkToScribe(final ReplicationLayer.Context ctx)
    {
        final byte[] secret = ScribeServer.linkSecretFromEnvironment();
        final String responseChannel = null != scribeResponseChannel ? scribeResponseChannel :
            scribeLink.startsWith("aeron:ipc") ? "aeron:ipc" : null;
        if (null != store || null == responseChannel || null == secret || secret.length < 16)
        {
            System.err.println("orrery: replication layer: --scribe-link " + (null != store ? "and --store exclude " +
                "each other" : null == responseChannel ? "over UDP needs --scribe-response-channel" : "needs " +
                ScribeServer.LINK_SECRET_ENV + " (at least 16 bytes, the same as the Scribe process's)"));
            return false;
        }
        ctx.scribe().remote(new RemoteScribeContext()
            .channel(scribeLink)
            .streamId(scribeLinkStream)
            .responseChannel(responseChannel)
            .responseStreamId(scribeResponseStream)
            .linkSecret(secret));
        return true;
    }

    /**
     * Enter this shard in the directory; launch has returned, so the shard is restored and its Gateway serves.
     */
    private void register(final ReplicationLayer layer, final ReplicationLayer.Context ctx)
    {
        if (null == shardDirectory)
        {
            return;
        }
        final ShardDirectory.Entry entry = new ShardDirectory.Entry(ctx.shardName(), layer.aeronDirectoryName(),
            String.join(",", ctx.gateway().clientIngressChannels()), ctx.clientIngressStreamId());
        final ShardDirectory.Entry previous = ShardDirectory.read(shardDirectory).entry(ctx.shardName());
        final ShardDirectory directory = ShardDirectory.register(shardDirectory, entry);
        System.out.println("orrery: registered shard " + ctx.shardName() + " in " + shardDirectory +
            (null == previous ? "" : ", replacing the entry a previous layer left (" + previous.aeronDirectoryName() +
            ")") + "; " + directory.entries().size() + " shard(s) in the directory");
    }

    /**
     * A clean stop: leave the directory before closing, so no client picks a shard that is going away.
     */
    private void deregister(final ReplicationLayer.Context ctx)
    {
        if (null == shardDirectory)
        {
            return;
        }
        try
        {
            final ShardDirectory directory = ShardDirectory.deregister(shardDirectory, ctx.shardName());
            System.out.println("orrery: deregistered shard " + ctx.shardName() + " from " + shardDirectory + "; " +
                directory.entries().size() + " shard(s) left in the directory");
        }
        catch (final java.io.UncheckedIOException ex)
        {
            System.err.println("orrery: could not deregister shard " + ctx.shardName() + ": " + ex.getMessage());
        }
    }

    private static void stop(final ScheduledExecutorService reporter)
    {
        reporter.shutdownNow();
        try
        {
            reporter.awaitTermination(5, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Each Replicant bridge's state: {@code replicant_1=linked} or {@code unlinked}, then its frames relayed and
     * dropped, feed back-pressure and refusals ({@code /} separated), so an unlinked or dropping Replicant shows.
     */
    static void appendBridges(final LayerMetrics.Source layer, final StringBuilder line)
    {
        for (int i = 0, n = layer.bridgeCount(); i < n; i++)
        {
            line.append(" replicant_").append(layer.bridgeReplicantId(i)).append('=')
                .append(0 != layer.bridgeCounter(i, OrreryCounter.REPLICANT_BRIDGES_LINKED) ? "linked" : "unlinked")
                .append(" (relayed/dropped/unknown-session/feed-back-pressured/refused ")
                .append(layer.bridgeCounter(i, OrreryCounter.REPLICANT_BRIDGE_FRAMES_RELAYED)).append('/')
                .append(layer.bridgeCounter(i, OrreryCounter.REPLICANT_BRIDGE_RELAY_DROPPED)).append('/')
                .append(layer.bridgeCounter(i, OrreryCounter.REPLICANT_BRIDGE_FRAMES_UNKNOWN_SESSION)).append('/')
                .append(layer.bridgeCounter(i, OrreryCounter.REPLICANT_BRIDGE_FEED_BACK_PRESSURED)).append('/')
                .append(layer.bridgeCounter(i, OrreryCounter.REPLICANT_BRIDGE_HANDSHAKES_REFUSED)).append(')');
        }
    }

    private static void report(final ReplicationLayer layer)
    {
        final StringBuilder line = new StringBuilder("orrery:");
        for (final OrreryCounter counter : new OrreryCounter[]{
            OrreryCounter.SESSIONS_ACTIVE, OrreryCounter.ENTITIES, OrreryCounter.UPDATES_SENT,
            OrreryCounter.SPAWNS_SENT, OrreryCounter.BYTES_OUT, OrreryCounter.INPUTS_FORWARDED,
            OrreryCounter.UPDATES_DROPPED_BACK_PRESSURE, OrreryCounter.REJECTED_MALFORMED,
            OrreryCounter.MAX_DUTY_CYCLE_NS, OrreryCounter.SERVERS_CONNECTED, OrreryCounter.HANDOFFS_COMMITTED,
            OrreryCounter.PERSIST_UPSERTS_OFFERED, OrreryCounter.PERSIST_BACK_PRESSURED,
            OrreryCounter.INVENTORY_COMPLETED, OrreryCounter.SESSIONS_SLOW_CONSUMER, OrreryCounter.SPAWN_DEFERRALS })
        {
            line.append(' ').append(counter.name().toLowerCase()).append('=').append(layer.counter(counter));
        }
        appendBridges(layer, line);
        System.out.println(line);
        if (null != layer.replicant().passProfile())
        {
            System.out.println(layer.replicant().passProfile().report());
        }
    }

    /**
     * The command line, whose errors are one line naming the culprit and exit code
     * {@link io.orrery.core.status.ProcessErrors#EXIT_CONFIGURATION} (the stack trace with -Dorrery.stacktrace=true).
     */
    static CommandLine commandLine()
    {
        return new CommandLine(new ReplicationLayerServer()).setExecutionExceptionHandler(
            (ex, cmd, parseResult) -> io.orrery.core.status.ProcessErrors.report("replication layer", ex, System.err));
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
