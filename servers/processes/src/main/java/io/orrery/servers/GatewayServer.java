/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers;

import io.aeron.Aeron;
import io.aeron.Counter;
import io.aeron.driver.MediaDriver;
import io.orrery.core.auth.Ed25519PlayerTokens;
import io.orrery.core.auth.PlayerTokenKeys;
import io.orrery.core.auth.SessionTokens;
import io.orrery.core.auth.TokenSecrets;
import io.orrery.core.gateway.GatewayContext;
import io.orrery.core.gateway.link.GatewayLinkSettings;
import io.orrery.core.gateway.link.GatewayResources;
import io.orrery.core.gateway.link.LayerLinkAgent;
import io.orrery.core.ingress.StreamSessionLimits;
import io.orrery.core.status.AgentDeath;
import io.orrery.core.status.OrreryCounter;
import io.orrery.core.status.ProcessErrors;
import io.orrery.link.DriverLoss;
import org.agrona.BitUtil;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.ShutdownSignalBarrier;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.SystemNanoClock;
import picocli.CommandLine;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A Gateway in its own process: terminates client sessions (handshake and token authentication, per-client egress
 * publications, heartbeats and timeouts, input validation and rate, relay of what the layer sends each client under
 * the layer's bandwidth budget and slow-consumer policy) and reaches the shard's Replication Layer over the Gateway
 * link ({@code ReplicationLayerServer --gateway-link <channel>}). Several Gateways may serve one layer; clients may
 * use any ({@code ClientLink.Settings.ingressChannels}), and a Gateway's crash costs its clients a session
 * resumption through another Gateway, not the shard.
 * <p>
 * Security: clients' tokens are verified with the shard's player key: given alone in {@value #PLAYER_KEY_ENV} (hex,
 * printed by {@code --print-player-token-key}), so that whoever takes over this process (the one that faces the
 * internet) learns nothing that signs a game server's token or proves Atlas's link, or derived from the shard's token
 * secret ({@code ORRERY_TOKEN_SECRET}, {@code --token-secret}, or {@code --dev}; said with a warning outside
 * development mode). The link is mutually authenticated with a key derived from the link secret
 * ({@value #LINK_SECRET_ENV}, required with the player key alone, else the token secret), the same on the layer:
 * nothing of the layer is relayed before it proved the key, and the layer reads nothing of this Gateway before it did.
 * <p>
 * When the layer goes away (said on standard error) its clients' publications are closed, so they resume through
 * another Gateway, and this Gateway says hello again until a layer (restarted, or the same one that had dropped it for
 * silence) welcomes it, for at most {@code --relink-timeout-s}.
 * <p>
 * With {@code --status-address} it serves a Prometheus {@code /metrics} ({@link ProcessMetrics}: its counters,
 * label {@code gateway="<id>"}, {@code orrery_gateway_ready}), {@code /ready} (200 while linked to the layer: a load
 * balancer sends clients to it then) and {@code /health}.
 * <p>
 * Exit codes: 0 on SIGINT/SIGTERM; {@value #EXIT_LAYER_LOST} when no layer welcomed it within
 * {@code --relink-timeout-s} of losing its layer; {@link DriverLoss#EXIT_CODE} when its
 * media driver goes away; {@link AgentDeath#EXIT_CODE} when its agent thread dies; 2 on a usage error;
 * {@link ProcessErrors#EXIT_CONFIGURATION} without a token secret or player key (or a player key without a link
 * secret, or a malformed one), or with a status address that is malformed or cannot be bound.
 */
@CommandLine.Command(
    name = "orrery-gateway",
    mixinStandardHelpOptions = true,
    description = "Runs a Gateway (client sessions: handshake, authentication, per-client egress, heartbeats, "
        + "slow-consumer policy, bandwidth budget) in its own process, linked to a Replication Layer started with "
        + "--gateway-link.")
public final class GatewayServer implements Callable<Integer>
{
    /**
     * Environment variable of the Gateway link's secret (else the token secret).
     */
    public static final String LINK_SECRET_ENV = "ORRERY_GATEWAY_LINK_SECRET";
    /**
     * Environment variable of the player key, hex ({@code SessionTokens.playerTokenKey} of the token secret): what a
     * Gateway needs to verify its clients' tokens, and nothing more.
     */
    public static final String PLAYER_KEY_ENV = "ORRERY_PLAYER_TOKEN_KEY";
    /**
     * Exit code when the layer went away.
     */
    public static final int EXIT_LAYER_LOST = 69;

    @CommandLine.Option(names = "--aeron-dir", description = "External media driver directory (default: an embedded "
        + "media driver).")
    String aeronDir;

    @CommandLine.Option(names = "--gateway-id", description = "Names this Gateway in log lines and counters "
        + "(default: ${DEFAULT-VALUE}).")
    int gatewayId = 1;

    @CommandLine.Option(names = "--ingress-channel", description = "Client ingress channel, e.g. "
        + "aeron:udp?endpoint=0.0.0.0:40456 (default: ${DEFAULT-VALUE}).")
    String ingressChannel = GatewayContext.CLIENT_INGRESS_CHANNEL_DEFAULT;

    @CommandLine.Option(names = "--ingress-stream", description = "Client ingress stream id "
        + "(default: ${DEFAULT-VALUE}).")
    int ingressStreamId = GatewayContext.CLIENT_INGRESS_STREAM_ID_DEFAULT;

    @CommandLine.Option(names = "--layer-link", description = "The layer's --gateway-link channel (required unless "
        + "--print-player-token-key).")
    String layerLinkChannel;

    @CommandLine.Option(names = "--layer-link-stream", description = "The layer's --gateway-link-stream "
        + "(default: ${DEFAULT-VALUE}).")
    int layerLinkStreamId = GatewayLinkSettings.STREAM_ID_DEFAULT;

    @CommandLine.Option(names = "--link-response-channel", description = "Where this Gateway reads the layer, named "
        + "in its hello: aeron:ipc on the layer's media driver, else aeron:udp?endpoint=<this host's address>:<port> "
        + "(default: ${DEFAULT-VALUE}).")
    String responseChannel = "aeron:ipc";

    @CommandLine.Option(names = "--link-response-stream", description = "Its stream id, distinct per Gateway on one "
        + "media driver (default: 1600 + the gateway id).")
    Integer responseStreamId;

    @CommandLine.Option(names = "--max-sessions", description = "Client sessions this Gateway holds at most "
        + "(default: ${DEFAULT-VALUE}).")
    int maxSessions = GatewayContext.MAX_SESSIONS_DEFAULT;

    @CommandLine.Option(names = "--token-secret", description = "The shard's token secret, as the layer's (default: "
        + "the environment variable ORRERY_TOKEN_SECRET; prefer it, command lines are visible to every user of the "
        + "host).")
    String tokenSecret;

    @CommandLine.Option(names = "--report-interval-s", description = "Seconds between lines of this Gateway's "
        + "counters, 0 for none (default: ${DEFAULT-VALUE}).")
    int reportIntervalS = 5;

    @CommandLine.Option(names = "--relink-timeout-s", description = "After losing its layer, say hello again for "
        + "this long before exiting with code 69; 0 to exit at once (default: ${DEFAULT-VALUE}).")
    int relinkTimeoutS = (int)TimeUnit.NANOSECONDS.toSeconds(LayerLinkAgent.RELINK_TIMEOUT_DEFAULT_NS);

    @CommandLine.Option(names = "--dev", description = "Development mode: without a secret, use the public "
        + "development token secret (never on a network you do not trust). Also -Dorrery.dev=true.")
    Boolean dev;

    @CommandLine.Option(names = "--status-address", description = "Serve /metrics (Prometheus text: this process's "
        + "counters, label gateway=<id>), /ready (200 while linked to the layer: send clients here) and /health on "
        + "this host:port, e.g. 127.0.0.1:9467; port 0 picks a free one; 'off' serves nothing "
        + "(default: ${DEFAULT-VALUE}).")
    String statusAddress = ProcessStatus.OFF;

    @CommandLine.Option(names = "--token-verifications-per-second", description = "Ed25519 player token "
        + "verifications this Gateway runs per second for hellos (burst of one second's worth); hellos beyond are "
        + "dropped unanswered and counted in hellos_shed (default: ${DEFAULT-VALUE}).")
    int tokenVerificationsPerSecond = GatewayContext.TOKEN_VERIFICATIONS_PER_SECOND_DEFAULT;

    @CommandLine.Option(names = "--generate-player-token-keys", description = "Print a new Ed25519 player token key "
        + "pair and exit: the private key (" + PlayerTokenKeys.PRIVATE_KEY_ENV + ") for the login service only, the "
        + "public key (" + PlayerTokenKeys.PUBLIC_KEY_ENV + ") for the layer and its Gateways.")
    boolean generatePlayerTokenKeys;

    @CommandLine.Option(names = "--print-player-token-key", description = "Print the player key of the token secret "
        + "(ORRERY_TOKEN_SECRET or --token-secret) as hex and exit: give it to Gateways in " + PLAYER_KEY_ENV
        + " instead of the secret.")
    boolean printPlayerTokenKey;

    private static final OrreryCounter[] REPORTED = {
        OrreryCounter.SESSIONS_ACTIVE, OrreryCounter.SESSIONS_OPENED, OrreryCounter.SESSIONS_TIMED_OUT,
        OrreryCounter.INPUTS_RECEIVED, OrreryCounter.INPUTS_RATE_LIMITED, OrreryCounter.REJECTED_BAD_TOKEN,
        OrreryCounter.GATEWAY_RELAY_FAILURES, OrreryCounter.GATEWAY_LINK_UNAUTHENTICATED };
    private static final String READY_HELP =
        "1 while this Gateway is linked to the layer (it serves clients), else 0.";

    /**
     * @return the Gateway link's secret from {@value #LINK_SECRET_ENV}, or null (the token secret is used).
     */
    public static byte[] linkSecretFromEnvironment()
    {
        final String value = System.getenv(LINK_SECRET_ENV);
        return null == value || value.isEmpty() ? null : value.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public Integer call()
    {
        final boolean developmentMode = null != dev ? dev : TokenSecrets.developmentModeFromProperty();
        if (generatePlayerTokenKeys)
        {
            System.out.println(PlayerTokenKeys.generateKeyPairLines());
            return 0;
        }
        if (printPlayerTokenKey)
        {
            final byte[] secret = TokenSecrets.resolveForProcess(tokenSecret, developmentMode, "gateway", System.err);
            if (null == secret)
            {
                return ProcessErrors.EXIT_CONFIGURATION;
            }
            System.out.println(BitUtil.toHex(SessionTokens.playerTokenKey(secret)));
            return 0;
        }
        if (null == layerLinkChannel)
        {
            throw new CommandLine.ParameterException(
                new CommandLine(this), "Missing required option: '--layer-link=<layerLinkChannel>'");
        }
        final Keys keys = Keys.resolve(
            tokenSecret, System.getenv(PLAYER_KEY_ENV), System.getenv(PlayerTokenKeys.PUBLIC_KEY_ENV),
            linkSecretFromEnvironment(), developmentMode, "gateway " + gatewayId, System.err);
        if (null == keys)
        {
            return ProcessErrors.EXIT_CONFIGURATION;
        }
        final GatewayContext gatewayCtx = new GatewayContext()
            .clientIngressChannel(ingressChannel)
            .clientIngressStreamId(ingressStreamId)
            .maxSessions(maxSessions)
            .tokenVerificationsPerSecond(tokenVerificationsPerSecond)
            .conclude();
        final int linkResponseStreamId = null != responseStreamId ? responseStreamId : 1600 + gatewayId;
        final ProcessStatus status = ProcessStatus.start(statusAddress, "gateway " + gatewayId, "gateway",
            READY_HELP, ProcessMetrics.label("gateway", Integer.toString(gatewayId)), System.err);
        if (null == status)
        {
            return ProcessErrors.EXIT_CONFIGURATION;
        }

        MediaDriver driver = null;
        final Aeron.Context aeronCtx = new Aeron.Context();
        if (null != aeronDir)
        {
            aeronCtx.aeronDirectoryName(aeronDir);
        }
        else
        {
            driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
                .threadingMode(io.aeron.driver.ThreadingMode.SHARED)
                .nakUnicastDelayNs(io.orrery.link.UdpChannels.nakUnicastDelayNs())
                .streamSessionLimit(StreamSessionLimits.forEmbeddedDriver(gatewayCtx.maxSessions()))
                .imageLivenessTimeoutNs(StreamSessionLimits.imageLivenessTimeoutNs())
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true));
            aeronCtx.aeronDirectoryName(driver.aeronDirectoryName());
        }
        final ErrorHandler print = (ex) -> ex.printStackTrace(System.err);
        aeronCtx.errorHandler(DriverLoss.routing(print,
            (ex) -> DriverLoss.EXIT_PROCESS.onDriverLoss(aeronCtx.aeronDirectoryName(), ex)));
        AgentRunner runner = null;
        Counter[] counters = null;
        final ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor((task) ->
        {
            final Thread thread = new Thread(task, "gateway-watch");
            thread.setDaemon(true);
            return thread;
        });
        final AtomicBoolean layerLost = new AtomicBoolean();
        try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier();
            Aeron aeron = Aeron.connect(aeronCtx))
        {
            counters = OrreryCounter.allocate(aeron, "gateway-" + gatewayId);
            final LayerLinkAgent agent = new LayerLinkAgent(
                keys.resources("gateway-" + gatewayId, aeron, print), gatewayCtx, gatewayId,
                layerLinkChannel, layerLinkStreamId, responseChannel, linkResponseStreamId, keys.linkSecret, counters,
                (line) -> System.err.println("orrery: " + line), TimeUnit.SECONDS.toNanos(relinkTimeoutS));
            runner = new AgentRunner(new BackoffIdleStrategy(), print, null, agent);
            AgentDeath.start(runner, AgentDeath.EXIT_PROCESS);
            status.metrics(new ProcessMetrics("gateway", READY_HELP,
                ProcessMetrics.label("gateway", Integer.toString(gatewayId)), counters, agent::isLinked, null));
            final Counter[] reported = counters;
            final long[] lastReportMs = { System.currentTimeMillis() };
            watcher.scheduleAtFixedRate(() ->
            {
                if (agent.isLayerLost() && layerLost.compareAndSet(false, true))
                {
                    barrier.signal();
                }
                if (reportIntervalS > 0 && System.currentTimeMillis() - lastReportMs[0] >= reportIntervalS * 1000L)
                {
                    lastReportMs[0] = System.currentTimeMillis();
                    report(gatewayId, agent, reported);
                }
            }, 100, 100, TimeUnit.MILLISECONDS);
            System.out.println("orrery: gateway " + gatewayId + " up, aeron dir " +
                aeron.context().aeronDirectoryName() + ", layer link " + layerLinkChannel + " stream " +
                layerLinkStreamId + ", answers on " + responseChannel + " stream " + linkResponseStreamId +
                "; clients on " + ingressChannel + " stream " + ingressStreamId + " once the layer is linked; " +
                (null == keys.playerTokenPublicKey ? "HMAC player tokens" : "Ed25519 player tokens (public key, at " +
                "most " + tokenVerificationsPerSecond + " verifications a second)"));
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
            watcher.shutdownNow();
            CloseHelper.quietClose(runner);
            if (null != counters)
            {
                CloseHelper.quietCloseAll(counters);
            }
            CloseHelper.quietClose(driver);
            CloseHelper.quietClose(status);
        }
        if (layerLost.get())
        {
            System.err.println("orrery: gateway " + gatewayId + ": the layer went away and no layer welcomed this " +
                "Gateway within " + relinkTimeoutS + " s, exiting with code " + EXIT_LAYER_LOST);
            return EXIT_LAYER_LOST;
        }
        return 0;
    }

    private static void report(final int gatewayId, final LayerLinkAgent agent, final Counter[] counters)
    {
        final StringBuilder line = new StringBuilder("orrery gateway ").append(gatewayId)
            .append(agent.isLinked() ? ": linked" : ": not linked").append(", sessions ").append(agent.sessionCount());
        for (final OrreryCounter counter : REPORTED)
        {
            line.append(' ').append(counter.name().toLowerCase(Locale.ROOT)).append('=')
                .append(counters[counter.id()].get());
        }
        System.out.println(line);
    }

    /**
     * The keys a Gateway runs with: the player key alone and the link secret, or the shard's token secret (the link
     * secret then defaults to it); or, with Ed25519 player tokens, their public key and the link secret (or the token
     * secret, with a warning).
     */
    static final class Keys
    {
        final byte[] tokenSecret;
        final byte[] playerTokenKey;
        final byte[] playerTokenPublicKey;
        final byte[] linkSecret;

        private Keys(
            final byte[] tokenSecret, final byte[] playerTokenKey, final byte[] playerTokenPublicKey,
            final byte[] linkSecret)
        {
            this.tokenSecret = tokenSecret;
            this.playerTokenKey = playerTokenKey;
            this.playerTokenPublicKey = playerTokenPublicKey;
            this.linkSecret = linkSecret;
        }

        /**
         * HMAC player tokens: {@link #resolve(String, String, String, byte[], boolean, String, java.io.PrintStream)}
         * without a public key.
         */
        static Keys resolve(
            final String tokenSecretOption,
            final String playerKeyHex,
            final byte[] linkSecret,
            final boolean developmentMode,
            final String who,
            final java.io.PrintStream out)
        {
            return resolve(tokenSecretOption, playerKeyHex, null, linkSecret, developmentMode, who, out);
        }

        /**
         * @param tokenSecretOption {@code --token-secret}, or null.
         * @param playerKeyHex      {@value GatewayServer#PLAYER_KEY_ENV}, or null.
         * @param publicKeyHex      {@value PlayerTokenKeys#PUBLIC_KEY_ENV}, or null (HMAC player tokens).
         * @param linkSecret        {@value GatewayServer#LINK_SECRET_ENV}, or null.
         * @param developmentMode   whether the public development secret may be used.
         * @param who               names the Gateway in what is said.
         * @param out               where refusals and warnings are said.
         * @return the keys, or null when the configuration is refused (said on {@code out}).
         */
        static Keys resolve(
            final String tokenSecretOption,
            final String playerKeyHex,
            final String publicKeyHex,
            final byte[] linkSecret,
            final boolean developmentMode,
            final String who,
            final java.io.PrintStream out)
        {
            if (null != publicKeyHex && !publicKeyHex.isEmpty())
            {
                return resolveEd25519(tokenSecretOption, playerKeyHex, publicKeyHex, linkSecret, developmentMode, who,
                    out);
            }
            if (null != playerKeyHex && !playerKeyHex.isEmpty())
            {
                if (null != tokenSecretOption)
                {
                    out.println("orrery: " + who + ": give it the player key (" + PLAYER_KEY_ENV + ") or the token " +
                        "secret (--token-secret), not both");
                    return null;
                }
                final byte[] playerKey = parseKey(playerKeyHex.trim());
                if (null == playerKey)
                {
                    out.println("orrery: " + who + ": " + PLAYER_KEY_ENV + " must be " + 2 * SessionTokens.KEY_LENGTH +
                        " hex digits (print it with --print-player-token-key where the token secret is)");
                    return null;
                }
                if (null == linkSecret)
                {
                    out.println("orrery: " + who + ": with the player key alone it needs the Gateway link's secret " +
                        "in " + LINK_SECRET_ENV + " (the layer's, at least " + TokenSecrets.MIN_LENGTH + " bytes)");
                    return null;
                }
                if (isLinkSecretTooShort(linkSecret, who, out))
                {
                    return null;
                }
                return new Keys(null, playerKey, null, linkSecret);
            }
            final byte[] secret = TokenSecrets.resolveForProcess(tokenSecretOption, developmentMode, who, out);
            if (null == secret)
            {
                return null;
            }
            if (!TokenSecrets.isDevelopmentSecret(secret))
            {
                out.println("orrery: WARNING: " + who + " holds the shard's token secret: whoever takes over this " +
                    "process can mint game server tokens and prove Atlas's link. Give it only the player key (" +
                    PLAYER_KEY_ENV + ", printed by --print-player-token-key) and " + LINK_SECRET_ENV + ".");
            }
            return new Keys(
                secret, SessionTokens.playerTokenKey(secret), null, null != linkSecret ? linkSecret : secret);
        }

        private static Keys resolveEd25519(
            final String tokenSecretOption,
            final String playerKeyHex,
            final String publicKeyHex,
            final byte[] linkSecret,
            final boolean developmentMode,
            final String who,
            final java.io.PrintStream out)
        {
            if (null != playerKeyHex && !playerKeyHex.isEmpty())
            {
                out.println("orrery: " + who + ": give it the Ed25519 public key (" + PlayerTokenKeys.PUBLIC_KEY_ENV +
                    ") or the HMAC player key (" + PLAYER_KEY_ENV + "), not both");
                return null;
            }
            final byte[] publicKey;
            try
            {
                publicKey = Ed25519PlayerTokens.forPublicKeyHex(publicKeyHex).publicKey();
            }
            catch (final IllegalArgumentException ex)
            {
                out.println("orrery: " + who + ": " + PlayerTokenKeys.PUBLIC_KEY_ENV + ": " + ex.getMessage() +
                    " (make a pair with --generate-player-token-keys)");
                return null;
            }
            if (null != linkSecret)
            {
                if (null != tokenSecretOption)
                {
                    out.println("orrery: " + who + ": with the Ed25519 public key and " + LINK_SECRET_ENV +
                        " it needs no token secret: drop --token-secret");
                    return null;
                }
                if (isLinkSecretTooShort(linkSecret, who, out))
                {
                    return null;
                }
                return new Keys(null, null, publicKey, linkSecret);
            }
            final byte[] secret = TokenSecrets.resolveForProcess(tokenSecretOption, developmentMode, who, out);
            if (null == secret)
            {
                return null;
            }
            if (!TokenSecrets.isDevelopmentSecret(secret))
            {
                out.println("orrery: WARNING: " + who + " holds the shard's token secret (its link key): whoever " +
                    "takes over this process can mint game server tokens and prove Atlas's link. Give it only the " +
                    "public key and " + LINK_SECRET_ENV + ".");
            }
            return new Keys(secret, null, publicKey, secret);
        }

        private static boolean isLinkSecretTooShort(
            final byte[] linkSecret, final String who, final java.io.PrintStream out)
        {
            if (linkSecret.length < TokenSecrets.MIN_LENGTH)
            {
                out.println("orrery: " + who + ": " + LINK_SECRET_ENV + " must be at least " +
                    TokenSecrets.MIN_LENGTH + " bytes");
                return true;
            }
            return false;
        }

        GatewayResources resources(final String name, final Aeron aeron, final ErrorHandler errorHandler)
        {
            if (null != playerTokenPublicKey)
            {
                return GatewayResources.withPlayerTokenPublicKey(
                    name, aeron, playerTokenPublicKey, errorHandler, SystemNanoClock.INSTANCE,
                    SystemEpochClock.INSTANCE);
            }
            return null != tokenSecret ? new GatewayResources(name, aeron, tokenSecret, errorHandler) :
                GatewayResources.withPlayerTokenKey(name, aeron, playerTokenKey, errorHandler);
        }

        private static byte[] parseKey(final String hex)
        {
            if (hex.length() != 2 * SessionTokens.KEY_LENGTH)
            {
                return null;
            }
            for (int i = 0; i < hex.length(); i++)
            {
                if (Character.digit(hex.charAt(i), 16) < 0)
                {
                    return null;
                }
            }
            return BitUtil.fromHex(hex);
        }
    }

    public static void main(final String[] args)
    {
        final int exitCode = new CommandLine(new GatewayServer()).setExecutionExceptionHandler(
            (ex, cmd, parseResult) -> ProcessErrors.report("gateway", ex, System.err))
            .execute(args);
        if (0 != exitCode)
        {
            System.exit(exitCode);
        }
    }
}
