/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.gateway;

import io.orrery.core.gateway.link.GatewayLinkSettings;
import io.orrery.core.ingress.IngressLimits;
import io.orrery.link.UdpChannels;

import java.util.Arrays;
import java.util.HashSet;
import java.util.concurrent.TimeUnit;

/**
 * Settings of the Gateway role: the client ingress, the per-client egress publications it opens, the session cap,
 * heartbeats and timeouts, the input rate and what the ingress accepts from peers. Every setting has a default,
 * overridable by the system property named in its constant. Composed by the Replication Layer's Context, which
 * hands it to the {@link GatewayAgent} with the resources the roles share.
 * <p>
 * Threading: set before launch; read-only once concluded.
 */
public final class GatewayContext
{
    /**
     * {@link #clientIngressChannel(String)} for a layer that listens for no client itself: with a
     * {@link #gatewayLink()}, clients reach it only through Gateways in their own processes, and the layer's host
     * needs no port open to players (the Replicant's process of a shard across hosts).
     */
    public static final String NO_CLIENT_INGRESS = "none";

    public static final String CLIENT_INGRESS_CHANNEL_PROP = "orrery.client.ingress.channel";
    public static final String CLIENT_INGRESS_CHANNEL_DEFAULT = "aeron:ipc?term-length=64k";
    public static final String CLIENT_INGRESS_STREAM_ID_PROP = "orrery.client.ingress.stream.id";
    public static final int CLIENT_INGRESS_STREAM_ID_DEFAULT = 1001;
    public static final String EGRESS_TERM_LENGTH_PROP = "orrery.egress.term.length";
    public static final int EGRESS_TERM_LENGTH_DEFAULT = 64 * 1024;
    public static final String MAX_SESSIONS_PROP = "orrery.max.sessions";
    public static final int MAX_SESSIONS_DEFAULT = 4 * 1024;
    public static final String HEARTBEAT_INTERVAL_MS_PROP = "orrery.heartbeat.interval.ms";
    public static final long HEARTBEAT_INTERVAL_MS_DEFAULT = 1000;
    public static final String SESSION_TIMEOUT_MS_PROP = "orrery.session.timeout.ms";
    public static final long SESSION_TIMEOUT_MS_DEFAULT = 5000;
    public static final String MAX_INPUT_RATE_HZ_PROP = "orrery.max.input.rate.hz";
    public static final int MAX_INPUT_RATE_HZ_DEFAULT = 60;
    public static final String INGRESS_POLL_INTERVAL_US_PROP = "orrery.gateway.ingress.poll.interval.us";
    /**
     * 0: the Gateway polls its client ingress on every duty cycle. A poll looks at every client's image (one per
     * session): at 500 sessions that was ~38 % of the layer thread in the shard command's profile (perf/RESULTS.md,
     * "The Gateway's ingress poll").
     */
    public static final long INGRESS_POLL_INTERVAL_US_DEFAULT = 0;
    public static final String TOKEN_VERIFICATIONS_PER_SECOND_PROP = "orrery.token.verifications.per.second";
    /**
     * An Ed25519 verification took 0.5-0.8 ms (JDK 17, a loaded 2 vCPU box, {@code PlayerTokenVerifyBenchmark}): 250
     * a second is 13-20 % of a core at most, for 15,000 logins a minute per Gateway.
     */
    public static final int TOKEN_VERIFICATIONS_PER_SECOND_DEFAULT = 250;
    public static final String UNBOUND_IMAGE_TIMEOUT_MS_PROP = "orrery.client.ingress.unbound.image.timeout.ms";
    /**
     * 10 s: a client link refused with a transient reason ("shard full", duplicate session) hellos again at least
     * every 3 s on the same publication (100 ms doubling to 2 s, plus up to half again) and gives up at its 10 s
     * connect deadline, so it is never cut. See {@link #unboundImageTimeoutNs()}.
     */
    public static final long UNBOUND_IMAGE_TIMEOUT_MS_DEFAULT = 10_000;
    /**
     * Least non-zero {@link #unboundImageTimeoutNs()}: a hello's round trip and a client's first backoffs must fit.
     */
    public static final long UNBOUND_IMAGE_TIMEOUT_MS_MIN = 1_000;

    private boolean isConcluded;
    private String clientIngressChannel = System.getProperty(
        CLIENT_INGRESS_CHANNEL_PROP, CLIENT_INGRESS_CHANNEL_DEFAULT);
    private int clientIngressStreamId = Integer.getInteger(
        CLIENT_INGRESS_STREAM_ID_PROP, CLIENT_INGRESS_STREAM_ID_DEFAULT);
    private int egressTermLength = Integer.getInteger(EGRESS_TERM_LENGTH_PROP, EGRESS_TERM_LENGTH_DEFAULT);
    private int maxSessions = Integer.getInteger(MAX_SESSIONS_PROP, MAX_SESSIONS_DEFAULT);
    private long heartbeatIntervalNs = TimeUnit.MILLISECONDS.toNanos(
        Long.getLong(HEARTBEAT_INTERVAL_MS_PROP, HEARTBEAT_INTERVAL_MS_DEFAULT));
    private long sessionTimeoutNs = TimeUnit.MILLISECONDS.toNanos(
        Long.getLong(SESSION_TIMEOUT_MS_PROP, SESSION_TIMEOUT_MS_DEFAULT));
    private int maxInputRateHz = Integer.getInteger(MAX_INPUT_RATE_HZ_PROP, MAX_INPUT_RATE_HZ_DEFAULT);
    private int tokenVerificationsPerSecond = Integer.getInteger(
        TOKEN_VERIFICATIONS_PER_SECOND_PROP, TOKEN_VERIFICATIONS_PER_SECOND_DEFAULT);
    private long ingressPollIntervalNs = TimeUnit.MICROSECONDS.toNanos(
        Long.getLong(INGRESS_POLL_INTERVAL_US_PROP, INGRESS_POLL_INTERVAL_US_DEFAULT));
    private long unboundImageTimeoutNs = TimeUnit.MILLISECONDS.toNanos(
        Long.getLong(UNBOUND_IMAGE_TIMEOUT_MS_PROP, UNBOUND_IMAGE_TIMEOUT_MS_DEFAULT));
    private IngressLimits clientIngressLimits = IngressLimits.forClients();
    private final GatewayLinkSettings gatewayLink = new GatewayLinkSettings();

    /**
     * Validate the settings. Idempotent.
     *
     * @return this.
     */
    public GatewayContext conclude()
    {
        if (isConcluded)
        {
            return this;
        }
        if (maxSessions <= 0)
        {
            throw new IllegalArgumentException("maxSessions must be positive: " + maxSessions);
        }
        if (egressTermLength < 64 * 1024 || Integer.bitCount(egressTermLength) != 1)
        {
            throw new IllegalArgumentException("egressTermLength must be a power of two >= 64 KiB");
        }
        if (tokenVerificationsPerSecond <= 0)
        {
            throw new IllegalArgumentException(
                "tokenVerificationsPerSecond must be positive: " + tokenVerificationsPerSecond);
        }
        if (ingressPollIntervalNs < 0 || ingressPollIntervalNs > TimeUnit.MILLISECONDS.toNanos(10))
        {
            throw new IllegalArgumentException(
                "ingressPollIntervalNs must be in 0..10 ms (a client input waits up to it): " + ingressPollIntervalNs);
        }
        if (0 != unboundImageTimeoutNs &&
            unboundImageTimeoutNs < TimeUnit.MILLISECONDS.toNanos(UNBOUND_IMAGE_TIMEOUT_MS_MIN))
        {
            throw new IllegalArgumentException("unboundImageTimeoutNs must be 0 (off) or at least " +
                UNBOUND_IMAGE_TIMEOUT_MS_MIN + " ms: " + unboundImageTimeoutNs);
        }
        clientIngressLimits.validate("clientIngressLimits");
        final String[] channels = clientIngressChannels();
        if (hasNoClientIngress())
        {
            if (null == gatewayLink.channel())
            {
                throw new IllegalArgumentException("clientIngressChannel " + NO_CLIENT_INGRESS +
                    " needs a Gateway link: without one no client could reach the shard");
            }
        }
        else if (0 == channels.length || new HashSet<>(Arrays.asList(channels)).size() != channels.length)
        {
            throw new IllegalArgumentException("clientIngressChannel must name distinct channels (or be " +
                NO_CLIENT_INGRESS + "): " + clientIngressChannel);
        }
        if (null != gatewayLink.channel())
        {
            gatewayLink.validate();
        }
        isConcluded = true;
        return this;
    }

    /**
     * The least time between two polls of the client ingress ({@value #INGRESS_POLL_INTERVAL_US_PROP}, default
     * {@value #INGRESS_POLL_INTERVAL_US_DEFAULT}: every duty cycle). A poll visits every session's image, so with many
     * sessions and frequent duty cycles the visits, mostly of empty images, cost more than the messages; an interval
     * bounds them to one pass over the images per interval, and a client's message waits at most that long before the
     * Gateway reads it. A poll that fills its fragment limit is followed by another in the next duty cycle.
     *
     * @return the interval in ns; 0 polls on every duty cycle.
     */
    public long ingressPollIntervalNs()
    {
        return ingressPollIntervalNs;
    }

    /**
     * @param ingressPollIntervalNs see {@link #ingressPollIntervalNs()}; 0..10 ms.
     * @return this.
     */
    public GatewayContext ingressPollIntervalNs(final long ingressPollIntervalNs)
    {
        this.ingressPollIntervalNs = ingressPollIntervalNs;
        return this;
    }

    /**
     * The client ingress channel, or several separated by commas: the Gateway subscribes to each (with the same
     * stream id, handshake and limits) and a client may use any. Over UDP each is one socket, and Aeron's receiver reads
     * one datagram per socket per duty cycle, so one socket's intake falls as the sessions grow: list several endpoints
     * (e.g. {@code aeron:udp?endpoint=HOST:40123,aeron:udp?endpoint=HOST:40124}) and spread the clients over them
     * ({@code ClientLink.Settings.ingressChannels}).
     *
     * @return the channel as set (one, or a comma-separated list).
     */
    public String clientIngressChannel()
    {
        return clientIngressChannel;
    }

    public GatewayContext clientIngressChannel(final String clientIngressChannel)
    {
        this.clientIngressChannel = clientIngressChannel;
        return this;
    }

    /**
     * @return each client ingress channel of {@link #clientIngressChannel()}, trimmed, without empty entries; none
     * for {@link #NO_CLIENT_INGRESS}.
     */
    public String[] clientIngressChannels()
    {
        return hasNoClientIngress() ? new String[0] : UdpChannels.split(clientIngressChannel);
    }

    /**
     * @return whether the layer takes no client of its own ({@link #NO_CLIENT_INGRESS}): every client comes through
     * a Gateway in its own process ({@link #gatewayLink()}).
     */
    public boolean hasNoClientIngress()
    {
        return null != clientIngressChannel && NO_CLIENT_INGRESS.equals(clientIngressChannel.trim());
    }

    public int clientIngressStreamId()
    {
        return clientIngressStreamId;
    }

    public GatewayContext clientIngressStreamId(final int clientIngressStreamId)
    {
        this.clientIngressStreamId = clientIngressStreamId;
        return this;
    }

    /**
     * Term length of every per-client egress publication (three terms per publication): the main memory cost
     * of a connection.
     */
    public int egressTermLength()
    {
        return egressTermLength;
    }

    public GatewayContext egressTermLength(final int egressTermLength)
    {
        this.egressTermLength = egressTermLength;
        return this;
    }

    /**
     * Sessions the shard holds at once (welcomed, or awaiting their welcome); also the Replicant's observers.
     */
    public int maxSessions()
    {
        return maxSessions;
    }

    public GatewayContext maxSessions(final int maxSessions)
    {
        this.maxSessions = maxSessions;
        return this;
    }

    /**
     * Interval of the heartbeats clients and the layer send when they have nothing else to send.
     */
    public long heartbeatIntervalNs()
    {
        return heartbeatIntervalNs;
    }

    public GatewayContext heartbeatIntervalNs(final long heartbeatIntervalNs)
    {
        this.heartbeatIntervalNs = heartbeatIntervalNs;
        return this;
    }

    /**
     * A session the Gateway hears nothing from for this long ends.
     */
    public long sessionTimeoutNs()
    {
        return sessionTimeoutNs;
    }

    public GatewayContext sessionTimeoutNs(final long sessionTimeoutNs)
    {
        this.sessionTimeoutNs = sessionTimeoutNs;
        return this;
    }

    /**
     * Player inputs per second a session may send (a token bucket); more are dropped and counted.
     */
    public int maxInputRateHz()
    {
        return maxInputRateHz;
    }

    public GatewayContext maxInputRateHz(final int maxInputRateHz)
    {
        this.maxInputRateHz = maxInputRateHz;
        return this;
    }

    /**
     * Costly token verifications (Ed25519 player tokens; HMAC tokens are not counted) the Gateway runs per second for
     * hellos, with a burst of one second's worth. Cheap checks come first (length, player id, expiry, shard capacity);
     * a hello that would need a verification beyond the budget is dropped unanswered and counted
     * ({@code HELLOS_SHED}): a flood of hellos slows logins but keeps the Gateway's thread for its sessions.
     */
    public int tokenVerificationsPerSecond()
    {
        return tokenVerificationsPerSecond;
    }

    public GatewayContext tokenVerificationsPerSecond(final int tokenVerificationsPerSecond)
    {
        this.tokenVerificationsPerSecond = tokenVerificationsPerSecond;
        return this;
    }

    /**
     * How long a client ingress image may stay bound to nothing before the Gateway rejects it
     * ({@value #UNBOUND_IMAGE_TIMEOUT_MS_PROP}, default {@value #UNBOUND_IMAGE_TIMEOUT_MS_DEFAULT} ms; 0: never).
     * Bound: it carries a welcomed session, or a hello awaiting its welcome or its reject; a hello seen on it
     * restarts its clock, so a client retrying its hello on the same publication keeps it. Every image holds one
     * of the sessions the media driver allows a stream ({@code StreamSessionLimits}): without this a stranger could
     * keep them all with publications that never say hello, and logins would fail while it does. A rejected image
     * still counts against that limit until the driver's image liveness timeout after its last frame (5 s in the
     * drivers the layer and {@code GatewayServer} launch, {@code StreamSessionLimits.imageLivenessTimeoutNs()};
     * Aeron's default 10 s); a client whose hello gaps exceed this timeout (a resuming session whose backoff grew
     * past it) loses its image and hellos again on the new image its publication gets about 1.5 s after that.
     * Rejections never wait for the driver ({@code ImageRejecter}).
     *
     * @return the timeout in ns, 0 for none.
     */
    public long unboundImageTimeoutNs()
    {
        return unboundImageTimeoutNs;
    }

    /**
     * @param unboundImageTimeoutNs see {@link #unboundImageTimeoutNs()}; 0 or at least
     *                              {@value #UNBOUND_IMAGE_TIMEOUT_MS_MIN} ms.
     * @return this.
     */
    public GatewayContext unboundImageTimeoutNs(final long unboundImageTimeoutNs)
    {
        this.unboundImageTimeoutNs = unboundImageTimeoutNs;
        return this;
    }

    /**
     * What the client ingress accepts from peers (message and term lengths, reassembly buffers, refusals) and
     * the parameters of the egress publications the Gateway opens.
     */
    public IngressLimits clientIngressLimits()
    {
        return clientIngressLimits;
    }

    public GatewayContext clientIngressLimits(final IngressLimits clientIngressLimits)
    {
        this.clientIngressLimits = clientIngressLimits;
        return this;
    }

    /**
     * The link to Gateways running as their own processes (none unless its channel is set): the layer listens on
     * its channel, authenticates each Gateway and serves its sessions besides those of its own client ingress.
     */
    public GatewayLinkSettings gatewayLink()
    {
        return gatewayLink;
    }
}
