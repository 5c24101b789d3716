/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.gateway.link;

import io.aeron.Aeron;
import io.aeron.Counter;
import io.aeron.Image;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.exceptions.RegistrationException;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.Header;
import io.orrery.core.auth.PlayerTokens;
import io.orrery.core.auth.SessionTokens;
import io.orrery.core.common.GatewayRing;
import io.orrery.core.common.LayerResources;
import io.orrery.core.common.LinkKey;
import io.orrery.core.common.SessionHandover;
import io.orrery.core.gateway.ShardSessions;
import io.orrery.core.ingress.IngressLimits;
import io.orrery.core.ingress.ResponseChannels;
import io.orrery.core.status.OrreryCounter;
import io.orrery.link.BoundedFragmentAssembler;
import io.orrery.link.UdpChannels;
import io.orrery.wire.MessageValidator;
import io.orrery.wire.codec.DisconnectEncoder;
import io.orrery.wire.codec.DisconnectReason;
import io.orrery.wire.codec.PlayerInputDecoder;
import io.orrery.wire.codec.StowRequestDecoder;
import io.orrery.wire.codec.UnstowRequestDecoder;
import io.orrery.wire.gatewaylink.AdmissionStateEncoder;
import io.orrery.wire.gatewaylink.ClientMessageDecoder;
import io.orrery.wire.gatewaylink.GatewayChallengeEncoder;
import io.orrery.wire.gatewaylink.GatewayHelloDecoder;
import io.orrery.wire.gatewaylink.GatewayProofDecoder;
import io.orrery.wire.gatewaylink.GatewayWelcomeEncoder;
import io.orrery.wire.gatewaylink.MessageHeaderDecoder;
import io.orrery.wire.gatewaylink.MessageHeaderEncoder;
import io.orrery.wire.gatewaylink.SessionClosedDecoder;
import io.orrery.wire.gatewaylink.SessionEndedEncoder;
import io.orrery.wire.gatewaylink.SessionOpenedDecoder;
import io.orrery.wire.gatewaylink.SessionWindowsDecoder;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.status.AtomicCounter;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The layer's end of the Gateway link: Gateways running as their own processes publish to the channel the layer
 * listens on ({@link GatewayLinkSettings#channel()}); this agent authenticates each of them and turns what they send
 * into what the in-process Gateway gives the Replicant (the same ring and hand-over queue), so the Replicant serves
 * their sessions as its own.
 * <ol>
 *   <li>{@code GatewayHello(gatewayId, response channel and stream, the Gateway's nonce, its MAC)} from a new image:
 *   the layer checks the hello's own MAC first ({@link GatewayLinkKey#ROLE_HELLO}, at most
 *   {@link #HELLO_CHECKS_PER_POLL} a duty cycle), so a hello from a peer without the key costs one HMAC and nothing
 *   else (counted in {@link OrreryCounter#GATEWAY_LINK_HELLOS_REFUSED}); then it opens a publication to the
 *   response channel (rebuilt from the allow-list, {@link ResponseChannels}) and sends
 *   {@code GatewayChallenge(the image's session id, a fresh nonce)}, again every {@link #CHALLENGE_INTERVAL_NS}.</li>
 *   <li>{@code GatewayProof(HMAC(K, gateway | its session id | the layer publication's session id | nonce))}, compared
 *   in constant time ({@link GatewayLinkKey}): the link is accepted and the layer proves itself in
 *   {@code GatewayWelcome} (HMAC over the Gateway's nonce), with the tick rate and bandwidth the Gateway announces to
 *   its clients. A failed proof refuses the image for as long as it lives, counted and logged.</li>
 * </ol>
 * Until a link is accepted, anything but the hello and the proof is dropped and counted
 * ({@link OrreryCounter#GATEWAY_LINK_UNAUTHENTICATED}); what a peer that never proves itself can make the layer hold is
 * bounded: at most {@link #MAX_PENDING_LINKS} links in handshake (each with one publication of
 * {@link GatewayLinkSettings#termLength()}, dropped after {@link #HANDSHAKE_TIMEOUT_NS}), at most
 * {@link #MAX_PENDING_LINKS_PER_HOST} of them from one UDP source host, and {@link #MAX_LINKS} in all. A new hello
 * drops the oldest handshake once it is {@link #MIN_HANDSHAKE_AGE_NS} old, or forgets the oldest refused link, so
 * peers that never prove themselves cannot keep a genuine Gateway out for long, and a peer opening new images as fast
 * as it can makes the layer open at most {@link #MAX_PENDING_LINKS} publications per {@link #MIN_HANDSHAKE_AGE_NS};
 * a UDP image whose proof failed is rejected at the media driver; reassembly is bounded
 * ({@link BoundedFragmentAssembler}).
 * <p>
 * From an accepted Gateway: {@code SessionOpened}, if it carries a valid token of its player (verified again here,
 * counted in {@link OrreryCounter#GATEWAY_LINK_SESSIONS_UNPROVEN} otherwise), becomes a {@link SessionHandover} with a
 * {@link RemoteClientEgress};
 * {@code ClientMessage} (a PlayerInput, StowRequest or UnstowRequest, validated again, for a session of that Gateway
 * only) goes on the ring stamped with this agent's clock (where the layer's input residence starts);
 * {@code SessionClosed} becomes a Disconnect notice; {@code SessionWindows} updates the sessions' windows and is the
 * Gateway's heartbeat. A Gateway whose image goes or that is silent for {@link GatewayLinkSettings#timeoutNs()} is
 * lost: its sessions end (their players leave, and resume through another Gateway), the rest of the shard runs on.
 * <p>
 * Threading: single threaded agent. It must run on the thread of the in-process Gateway (both write the one-to-one
 * ring and queue to the Replicant): the layer composes them. Zero allocation per client message; a session opened,
 * a link and its handshake allocate (control path).
 */
public final class GatewayLinkAgent implements Agent
{
    /**
     * Links tracked at most (in handshake, accepted, refused or lost).
     */
    public static final int MAX_LINKS = 64;
    /**
     * How long after its expiry the layer still takes a player token a remote Gateway sends on: the Gateway checked
     * the expiry itself at the client's hello.
     */
    public static final long TOKEN_EXPIRY_GRACE_MS = TimeUnit.SECONDS.toMillis(60);
    /**
     * Links in handshake at most; further hellos are shed.
     */
    public static final int MAX_PENDING_LINKS = 8;
    /**
     * Links in handshake at most from one UDP source host (IPC peers share the machine and are not told apart), so
     * that one host cannot hold every handshake slot.
     */
    public static final int MAX_PENDING_LINKS_PER_HOST = 2;
    /**
     * A handshake is dropped for a newer hello only once it is this old: a genuine Gateway (saying hello every
     * 250 ms) gets a slot within about this time, and a flood of hellos from new images opens at most
     * {@link #MAX_PENDING_LINKS} publications in the layer's media driver per this time.
     */
    public static final long MIN_HANDSHAKE_AGE_NS = TimeUnit.SECONDS.toNanos(1);
    /**
     * A link must be accepted within this time of its hello, or it is dropped.
     */
    public static final long HANDSHAKE_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);
    /**
     * How often an unanswered challenge is sent again.
     */
    public static final long CHALLENGE_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(100);
    /**
     * A lost link's publication is closed this long after its sessions were ended, once the Replicant no longer
     * writes them.
     */
    public static final long LOST_LINGER_NS = TimeUnit.SECONDS.toNanos(5);
    /**
     * Longest message read from a Gateway.
     */
    public static final int MAX_MESSAGE_LENGTH = 64 * 1024 + 64;
    static final int FRAGMENT_LIMIT = 1024;
    /**
     * Hello MACs checked per duty cycle at most: a flood of hellos costs the layer's thread at most this many HMACs a
     * duty cycle; the hellos beyond wait in their images.
     */
    static final int HELLO_CHECKS_PER_POLL = 8;
    private static final int PLAYER_INPUT_ENTITY_OFFSET = PlayerInputDecoder.entityIdEncodingOffset();
    static final long HOUSEKEEPING_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(10);

    private final Aeron aeron;
    private final NanoClock clock;
    private final EpochClock epochClock;
    private final PlayerTokens playerTokens;
    private final GatewayLinkSettings settings;
    private final IngressLimits limits;
    private final int tickRateHz;
    private final int bandwidthBytesPerTick;
    private final int maxSessions;
    private final Counter[] counters;
    private final RingBuffer toReplicant;
    private final OneToOneConcurrentArrayQueue<SessionHandover> handovers;
    private final Consumer<String> log;
    private final LinkKey key;
    private final Subscription subscription;
    private final BoundedFragmentAssembler assembler;
    private final SecureRandom random = new SecureRandom();
    private final Int2ObjectHashMap<GatewayLink> linkByImage = new Int2ObjectHashMap<>();
    private final ArrayList<GatewayLink> links = new ArrayList<>();
    private final Long2ObjectHashMap<RemoteClientEgress> sessions = new Long2ObjectHashMap<>();
    private final Long2LongHashMap playerBySession = new Long2LongHashMap(0);
    private final ShardSessions shardSessions;

    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final GatewayHelloDecoder helloDecoder = new GatewayHelloDecoder();
    private final GatewayProofDecoder proofDecoder = new GatewayProofDecoder();
    private final SessionOpenedDecoder openedDecoder = new SessionOpenedDecoder();
    private final SessionClosedDecoder closedDecoder = new SessionClosedDecoder();
    private final SessionWindowsDecoder windowsDecoder = new SessionWindowsDecoder();
    private final io.orrery.wire.codec.MessageHeaderDecoder clientHeaderDecoder =
        new io.orrery.wire.codec.MessageHeaderDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final GatewayChallengeEncoder challengeEncoder = new GatewayChallengeEncoder();
    private final GatewayWelcomeEncoder welcomeEncoder = new GatewayWelcomeEncoder();
    private final SessionEndedEncoder endedEncoder = new SessionEndedEncoder();
    private final AdmissionStateEncoder admissionEncoder = new AdmissionStateEncoder();
    private final io.orrery.wire.codec.MessageHeaderEncoder clientHeaderEncoder =
        new io.orrery.wire.codec.MessageHeaderEncoder();
    private final DisconnectEncoder disconnectEncoder = new DisconnectEncoder();
    private final UnsafeBuffer sendBuffer = new UnsafeBuffer(new byte[256]);
    private final byte[] mac = new byte[LinkKey.MAC_LENGTH];
    private final byte[] helloNonce = new byte[LinkKey.NONCE_LENGTH];
    private final byte[] helloExtra = new byte[LinkKey.HELLO_EXTRA_CAPACITY];
    private int helloChecks;
    private long hellosRefused;
    private long nowNs;
    private long handshakesStarted;
    private long nextHousekeepingNs;

    /**
     * @param resources             the layer's Aeron client, clocks and player token key (a remote Gateway's
     *                              {@code SessionOpened} must carry a valid token of its player).
     * @param settings              the link's settings.
     * @param linkSecret            secret the link key is derived from ({@link GatewayLinkKey}).
     * @param tickRateHz            the Replicant's tick rate, announced to Gateways.
     * @param bandwidthBytesPerTick the Replicant's per-client bandwidth, announced to Gateways.
     * @param maxSessions           sessions the Replicant serves at most, the in-process Gateway's included.
     * @param counters              the layer's system counters.
     * @param toReplicant           the ring to the Replicant (the in-process Gateway's, written on its thread).
     * @param handovers             the hand-over queue to the Replicant (likewise).
     * @param shardSessions         the shard's sessions through every Gateway, shared with the in-process Gateway
     *                              (one per player, capacity, {@link OrreryCounter#SESSIONS_ACTIVE}).
     * @param log                   where link events go (a Gateway linked, lost, refused).
     */
    public GatewayLinkAgent(
        final LayerResources resources,
        final GatewayLinkSettings settings,
        final byte[] linkSecret,
        final int tickRateHz,
        final int bandwidthBytesPerTick,
        final int maxSessions,
        final Counter[] counters,
        final RingBuffer toReplicant,
        final OneToOneConcurrentArrayQueue<SessionHandover> handovers,
        final ShardSessions shardSessions,
        final Consumer<String> log)
    {
        this.aeron = resources.aeron();
        this.shardSessions = shardSessions;
        this.clock = resources.nanoClock();
        this.epochClock = resources.epochClock();
        this.playerTokens = resources.newPlayerTokens();
        this.settings = settings;
        this.limits = settings.limits();
        this.tickRateHz = tickRateHz;
        this.bandwidthBytesPerTick = bandwidthBytesPerTick;
        this.maxSessions = maxSessions;
        this.counters = counters;
        this.toReplicant = toReplicant;
        this.handovers = handovers;
        this.log = log;
        this.key = GatewayLinkKey.newKey(linkSecret);
        final AtomicCounter refused = counters[OrreryCounter.GATEWAY_LINK_MESSAGES_REFUSED.id()];
        this.assembler = new BoundedFragmentAssembler(
            this::onMessage, MAX_MESSAGE_LENGTH, limits.maxTermLength(), limits.maxReassemblies(),
            refused, refused, refused);
        this.subscription = aeron.addSubscription(UdpChannels.tuneLink(settings.channel()), settings.streamId(),
            assembler::refuseOversizedImage, (image) -> {});
    }

    @Override
    public String roleName()
    {
        return "orrery-gateway-link";
    }

    @Override
    public int doWork()
    {
        nowNs = clock.nanoTime();
        helloChecks = 0;
        int workCount = subscription.controlledPoll(assembler, FRAGMENT_LIMIT);
        if (nowNs >= nextHousekeepingNs)
        {
            nextHousekeepingNs = nowNs + HOUSEKEEPING_INTERVAL_NS;
            workCount += housekeeping();
        }
        return workCount;
    }

    @Override
    public void onClose()
    {
        for (int i = 0, size = links.size(); i < size; i++)
        {
            final GatewayLink link = links.get(i);
            link.markLost(nowNs);
            if (null != link.publication())
            {
                CloseHelper.quietClose(link.publication());
            }
        }
        CloseHelper.quietClose(subscription);
    }

    /**
     * @return Gateways linked now.
     */
    public int acceptedLinkCount()
    {
        int count = 0;
        for (int i = 0, size = links.size(); i < size; i++)
        {
            count += GatewayLink.State.ACCEPTED == links.get(i).state ? 1 : 0;
        }
        return count;
    }

    /**
     * @return links in handshake now: bounded by {@link #MAX_PENDING_LINKS}.
     */
    public int pendingLinkCount()
    {
        int pending = 0;
        for (int i = 0, size = links.size(); i < size; i++)
        {
            pending += isPending(links.get(i).state) ? 1 : 0;
        }
        return pending;
    }

    /**
     * @return handshakes begun since start, each with a publication to the peer: what peers that never prove
     * themselves can make the layer's media driver create.
     */
    public long handshakesStarted()
    {
        return handshakesStarted;
    }

    /**
     * @return links tracked now (handshake, accepted, refused, lost): bounded by {@link #MAX_LINKS}.
     */
    public int linkCount()
    {
        return links.size();
    }

    /**
     * @return client sessions held through remote Gateways.
     */
    public int sessionCount()
    {
        return sessions.size();
    }

    private ControlledFragmentHandler.Action onMessage(
        final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        final GatewayLink link = linkByImage.get(header.sessionId());
        final int blockLength = LinkFraming.blockLength(headerDecoder, buffer, offset, length);
        if (blockLength < 0)
        {
            return refuse();
        }
        final int templateId = headerDecoder.templateId();

        if (null == link || GatewayLink.State.ACCEPTED != link.state)
        {
            if (GatewayHelloDecoder.TEMPLATE_ID == templateId && null == link)
            {
                return onHello(buffer, offset, length, blockLength, header.sessionId());
            }
            else if (GatewayProofDecoder.TEMPLATE_ID == templateId && null != link &&
                GatewayLink.State.PROVING == link.state && blockLength >= GatewayProofDecoder.BLOCK_LENGTH)
            {
                onProof(link, buffer, offset);
            }
            else
            {
                counters[OrreryCounter.GATEWAY_LINK_UNAUTHENTICATED.id()].incrementOrdered();
            }
            return ControlledFragmentHandler.Action.CONTINUE;
        }

        link.lastHeardNs = nowNs;
        switch (templateId)
        {
            case ClientMessageDecoder.TEMPLATE_ID:
                return onClientMessage(link, buffer, offset, length, blockLength);

            case SessionWindowsDecoder.TEMPLATE_ID:
                return onWindows(link, buffer, offset, length, blockLength);

            case SessionOpenedDecoder.TEMPLATE_ID:
                if (blockLength < SessionOpenedDecoder.BLOCK_LENGTH)
                {
                    return refuse();
                }
                if (playerTokens.isVerificationCostly() && !link.verificationBudget(
                    settings.tokenVerificationsPerSecond(), nowNs).tryTake(nowNs))
                {
                    // a costly signature beyond this Gateway's budget: the message waits in its own stream, not
                    // lost, and only this Gateway's stream waits
                    counters[OrreryCounter.GATEWAY_LINK_VERIFICATIONS_DEFERRED.id()].incrementOrdered();
                    return ControlledFragmentHandler.Action.ABORT;
                }
                openedDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                final int tokenLengthOffset = offset + MessageHeaderDecoder.ENCODED_LENGTH + blockLength;
                if (!isProven(link, buffer, tokenLengthOffset, offset + length))
                {
                    endSession(link, openedDecoder.sessionId());
                    return ControlledFragmentHandler.Action.CONTINUE;
                }
                onSessionOpened(link, openedDecoder.sessionId(), openedDecoder.playerEntityId(),
                    openedDecoder.maxPayloadLength(), openedDecoder.window());
                return ControlledFragmentHandler.Action.CONTINUE;

            case SessionClosedDecoder.TEMPLATE_ID:
                if (blockLength < SessionClosedDecoder.BLOCK_LENGTH)
                {
                    return refuse();
                }
                closedDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                return onSessionClosed(link, closedDecoder.sessionId(), closedDecoder.reason());

            default:
                return refuse();
        }
    }

    private ControlledFragmentHandler.Action refuse()
    {
        counters[OrreryCounter.GATEWAY_LINK_MESSAGES_REFUSED.id()].incrementOrdered();
        return ControlledFragmentHandler.Action.CONTINUE;
    }

    private ControlledFragmentHandler.Action onHello(
        final DirectBuffer buffer, final int offset, final int length, final int blockLength, final int imageSessionId)
    {
        final int channelLength = blockLength < GatewayHelloDecoder.BLOCK_LENGTH ? -1 : LinkFraming.varLength(
            buffer, offset + MessageHeaderDecoder.ENCODED_LENGTH + blockLength, offset + length);
        if (channelLength < 0 || channelLength > LinkKey.MAX_HELLO_CHANNEL_LENGTH)
        {
            // refused before any HMAC
            return refuseHello(imageSessionId, "malformed, or from a Gateway of an older version (no MAC)");
        }
        if (helloChecks >= HELLO_CHECKS_PER_POLL)
        {
            // the hello waits in its image; the other images go on, and Aeron starts each poll at the next image
            return ControlledFragmentHandler.Action.ABORT;
        }
        helloChecks++;
        // nothing spent on a hello before its MAC verified: no publication, no handshake slot, no allocation
        helloDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        final int gatewayId = helloDecoder.gatewayId();
        final int responseStreamId = helloDecoder.responseStreamId();
        helloDecoder.getNonce(helloNonce, 0, LinkKey.NONCE_LENGTH);
        helloDecoder.getMac(mac, 0, LinkKey.MAC_LENGTH);
        LinkKey.putHelloStream(responseStreamId, helloExtra);
        helloDecoder.getResponseChannel(helloExtra, 4, channelLength);
        if (!key.verify(GatewayLinkKey.ROLE_HELLO, imageSessionId, gatewayId, helloNonce, helloExtra, 0,
            4 + channelLength, mac))
        {
            return refuseHello(imageSessionId, "no valid MAC (not this layer's Gateway link key)");
        }
        final Image image = subscription.imageBySessionId(imageSessionId);
        if (null == image)
        {
            return refuse();
        }
        final String sourceIdentity = image.sourceIdentity();
        if (!makeRoomForHandshake(sourceIdentity))
        {
            counters[OrreryCounter.GATEWAY_LINK_UNAUTHENTICATED.id()].incrementOrdered();
            return ControlledFragmentHandler.Action.CONTINUE;
        }
        final byte[] gatewayNonce = helloNonce.clone();
        final String channel = ResponseChannels.rebuild(
            new String(helloExtra, 4, channelLength, StandardCharsets.US_ASCII), sourceIdentity, settings.termLength(),
            limits.egressMtu(), limits.egressLingerNs(), limits.egressSocketSndbuf(), limits.egressSocketRcvbuf());
        if (null == channel)
        {
            return refuse();
        }
        final byte[] nonce = new byte[LinkKey.NONCE_LENGTH];
        random.nextBytes(nonce);
        final GatewayLink link = new GatewayLink(imageSessionId, gatewayId, nonce, gatewayNonce, sourceIdentity);
        try
        {
            link.registrationId = aeron.asyncAddPublication(channel, responseStreamId);
        }
        catch (final RuntimeException ex)
        {
            return refuse();
        }
        handshakesStarted++;
        link.startedNs = nowNs;
        link.deadlineNs = nowNs + HANDSHAKE_TIMEOUT_NS;
        links.add(link);
        linkByImage.put(imageSessionId, link);
        return ControlledFragmentHandler.Action.CONTINUE;
    }

    /**
     * Count a refused hello, and log it at the first refusal and then at powers of two: an operator whose Gateway has
     * another link secret (or is of an older version) sees why it never links, and a flood costs a few lines only.
     */
    private ControlledFragmentHandler.Action refuseHello(final int imageSessionId, final String why)
    {
        counters[OrreryCounter.GATEWAY_LINK_HELLOS_REFUSED.id()].incrementOrdered();
        hellosRefused++;
        if (0 == (hellosRefused & (hellosRefused - 1)))
        {
            log.accept("gateway link: refused a hello from image " + imageSessionId + ": " + why + " (" +
                hellosRefused + " refused, logged at powers of two)");
        }
        return ControlledFragmentHandler.Action.CONTINUE;
    }

    /**
     * Room for one more handshake from {@code sourceIdentity}, so that peers that never prove themselves cannot keep
     * a genuine Gateway out: with {@link #MAX_PENDING_LINKS_PER_HOST} in handshake from the hello's UDP host, or
     * {@link #MAX_PENDING_LINKS} in all, the oldest of them is dropped if it is {@link #MIN_HANDSHAKE_AGE_NS} old (it
     * had its chance; a genuine Gateway says hello again) and the hello is shed otherwise; with {@link #MAX_LINKS}
     * tracked the oldest refused link is forgotten.
     *
     * @return false if the hello is shed: no handshake old enough to drop, or every tracked link is accepted or lost.
     */
    private boolean makeRoomForHandshake(final String sourceIdentity)
    {
        final boolean byHost = isUdpSource(sourceIdentity);
        int pending = 0;
        int fromHost = 0;
        int oldestPending = -1;
        int oldestFromHost = -1;
        int oldestRefused = -1;
        for (int i = 0, size = links.size(); i < size; i++)
        {
            final GatewayLink link = links.get(i);
            final GatewayLink.State state = link.state;
            if (isPending(state))
            {
                pending++;
                if (-1 == oldestPending || link.startedNs < links.get(oldestPending).startedNs)
                {
                    oldestPending = i;
                }
                if (byHost && sameHost(sourceIdentity, link.sourceIdentity))
                {
                    fromHost++;
                    if (-1 == oldestFromHost || link.startedNs < links.get(oldestFromHost).startedNs)
                    {
                        oldestFromHost = i;
                    }
                }
            }
            else if (GatewayLink.State.REFUSED == state && -1 == oldestRefused)
            {
                oldestRefused = i;
            }
        }
        final int toDrop = fromHost >= MAX_PENDING_LINKS_PER_HOST ? oldestFromHost :
            pending >= MAX_PENDING_LINKS ? oldestPending : -1;
        if (-1 != toDrop)
        {
            final GatewayLink oldest = links.get(toDrop);
            if (nowNs - oldest.startedNs < MIN_HANDSHAKE_AGE_NS)
            {
                return false;
            }
            counters[OrreryCounter.GATEWAY_LINK_UNAUTHENTICATED.id()].incrementOrdered();
            dropLink(oldest, toDrop);
        }
        else if (links.size() >= MAX_LINKS)
        {
            if (-1 == oldestRefused)
            {
                return false;
            }
            final GatewayLink refused = links.remove(oldestRefused);
            linkByImage.remove(refused.imageSessionId);
        }
        return true;
    }

    private static boolean isUdpSource(final String sourceIdentity)
    {
        return null != sourceIdentity && !sourceIdentity.startsWith("aeron:ipc") && sourceIdentity.lastIndexOf(':') > 0;
    }

    /**
     * Whether two UDP source identities ({@code host:port}, {@code [v6]:port}) name the same host, without
     * allocating (hellos arrive at the peer's rate).
     */
    static boolean sameHost(final String a, final String b)
    {
        if (null == b)
        {
            return false;
        }
        final int hostLength = a.lastIndexOf(':');
        return hostLength > 0 && hostLength == b.lastIndexOf(':') && a.regionMatches(0, b, 0, hostLength);
    }

    private static boolean isPending(final GatewayLink.State state)
    {
        return GatewayLink.State.CONNECTING == state || GatewayLink.State.PROVING == state ||
            GatewayLink.State.WELCOMING == state;
    }

    private void onProof(final GatewayLink link, final DirectBuffer buffer, final int offset)
    {
        proofDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        proofDecoder.getMac(mac, 0, LinkKey.MAC_LENGTH);
        if (key.verify(GatewayLinkKey.ROLE_GATEWAY, link.imageSessionId, link.publication().sessionId(), link.nonce,
            mac))
        {
            link.state = GatewayLink.State.WELCOMING;
            sendWelcome(link);
        }
        else
        {
            counters[OrreryCounter.GATEWAY_LINK_PROOFS_FAILED.id()].incrementOrdered();
            log.accept("gateway link: proof of gateway " + link.gatewayId + " (image " + link.imageSessionId +
                ") failed: refused");
            link.state = GatewayLink.State.REFUSED;
            CloseHelper.quietClose(link.publication());
            rejectImage(link.imageSessionId, "gateway link proof failed");
        }
    }

    /**
     * Ask the media driver to drop a refused peer's image (UDP): its publication is told, and the link's slot frees
     * at the next housekeeping. IPC images cannot be rejected; theirs stays refused while it lives.
     */
    private void rejectImage(final int imageSessionId, final String reason)
    {
        final Image image = subscription.imageBySessionId(imageSessionId);
        if (null != image)
        {
            try
            {
                image.reject(reason);
            }
            catch (final RuntimeException ignore)
            {
                // IPC images and closed images cannot be rejected: the link stays refused until its image goes
            }
        }
    }

    private void sendWelcome(final GatewayLink link)
    {
        final Publication publication = link.publication();
        key.prove(GatewayLinkKey.ROLE_LAYER, publication.sessionId(), link.imageSessionId, link.gatewayNonce, mac, 0);
        welcomeEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .putMac(mac, 0, LinkKey.MAC_LENGTH)
            .tickRateHz(tickRateHz)
            .bandwidthBytesPerTick(bandwidthBytesPerTick);
        if (publication.offer(sendBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + welcomeEncoder.encodedLength()) > 0)
        {
            link.state = GatewayLink.State.ACCEPTED;
            link.lastHeardNs = nowNs;
            counters[OrreryCounter.GATEWAY_LINKS_ACCEPTED.id()].incrementOrdered();
            log.accept("gateway link: gateway " + link.gatewayId + " linked (image " + link.imageSessionId + ")");
        }
    }

    /**
     * Tell an accepted Gateway whether the shard admits players, once on welcome and again when it changes (a failed
     * offer is retried at the next housekeeping).
     */
    private int sendAdmission(final GatewayLink link)
    {
        final int closed = 0 != counters[OrreryCounter.ADMISSION_CLOSED.id()].get() ? 1 : 0;
        if (closed == link.admissionSent)
        {
            return 0;
        }
        admissionEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder).admissionClosed((short)closed);
        if (link.publication().offer(
            sendBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + admissionEncoder.encodedLength()) > 0)
        {
            link.admissionSent = closed;
            return 1;
        }
        return 0;
    }

    /**
     * Whether the {@code SessionOpened} in the decoder carries a valid token of the player it names. The Gateway
     * verified the token at the client's hello; checking it again here means that a Gateway, genuine link key or
     * not, opens sessions only for players whose tokens it was given, not for any player it likes. A token that
     * expired since the Gateway verified it is still taken for {@link #TOKEN_EXPIRY_GRACE_MS} (clocks of two hosts,
     * a hello at the end of a token's life). A refusal is counted and logged (the first per link).
     */
    private boolean isProven(final GatewayLink link, final DirectBuffer buffer, final int tokenLengthOffset,
        final int end)
    {
        final long playerEntityId = openedDecoder.playerEntityId();
        final int tokenLength = LinkFraming.varLength(buffer, tokenLengthOffset, end);
        final String why;
        if (tokenLength <= 0)
        {
            why = "carries no player token (a Gateway of an older version: upgrade it)";
        }
        else
        {
            final int tokenOffset = tokenLengthOffset + LinkFraming.VAR_LENGTH_LENGTH;
            final int result = playerTokens.verify(buffer, tokenOffset, tokenLength,
                epochClock.time() - TOKEN_EXPIRY_GRACE_MS);
            if (SessionTokens.VALID == result && PlayerTokens.playerId(buffer, tokenOffset) == playerEntityId)
            {
                return true;
            }
            why = SessionTokens.VALID == result ? "carries the token of another player" :
                SessionTokens.EXPIRED == result ? "carries an expired token" :
                "carries no valid " + playerTokens.scheme() + " player token";
        }

        counters[OrreryCounter.GATEWAY_LINK_SESSIONS_UNPROVEN.id()].incrementOrdered();
        if (!link.unprovenLogged)
        {
            link.unprovenLogged = true;
            log.accept("gateway " + link.gatewayId + ": refused a session for player " + playerEntityId + ": it " +
                why + " (further refusals of this Gateway are only counted: " +
                "orrery_gateway_link_sessions_unproven_total)");
        }
        return false;
    }

    private void endSession(final GatewayLink link, final long sessionId)
    {
        endedEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder).sessionId(sessionId);
        link.publication().offer(sendBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + endedEncoder.encodedLength());
    }

    private void onSessionOpened(
        final GatewayLink link, final long sessionId, final long playerEntityId, final int maxPayloadLength,
        final long window)
    {
        final boolean admissionClosed = 0 != counters[OrreryCounter.ADMISSION_CLOSED.id()].get();
        // capacity is the shard's: the in-process Gateway's sessions and pending welcomes count too
        final boolean full = shardSessions.playerCount() >= maxSessions;
        if (full || sessions.containsKey(sessionId) || 0 == handovers.remainingCapacity() ||
            maxPayloadLength < 32 || sessionId <= 0 || shardSessions.hasPlayer(playerEntityId) || admissionClosed)
        {
            // one session per player across Gateways: a player resuming through another Gateway before the layer
            // has ended its session on the lost one is refused and resumes again once that session is gone; and
            // none while admission is closed (the Gateway refuses clients itself once it has heard so)
            if (admissionClosed)
            {
                counters[OrreryCounter.REJECTED_SHARD_FULL.id()].incrementOrdered();
            }
            else if (full)
            {
                counters[OrreryCounter.REJECTED_TOO_MANY_SESSIONS.id()].incrementOrdered();
            }
            refuse();
            endSession(link, sessionId);
            return;
        }
        final RemoteClientEgress egress = new RemoteClientEgress(link, sessionId, maxPayloadLength, window);
        link.sessions.put(sessionId, egress);
        sessions.put(sessionId, egress);
        playerBySession.put(sessionId, playerEntityId);
        shardSessions.addPlayer(playerEntityId);
        handovers.offer(new SessionHandover(sessionId, playerEntityId, egress, null));
        publishSessionCount();
    }

    private ControlledFragmentHandler.Action onSessionClosed(
        final GatewayLink link, final long sessionId, final short reason)
    {
        final RemoteClientEgress egress = link.sessions.get(sessionId);
        if (null == egress)
        {
            return ControlledFragmentHandler.Action.CONTINUE; // ended by the layer already: the Gateway's answer
        }
        if (!noticeDisconnect(sessionId, reason))
        {
            return ControlledFragmentHandler.Action.ABORT;
        }
        removeSession(link, egress);
        return ControlledFragmentHandler.Action.CONTINUE;
    }

    private ControlledFragmentHandler.Action onClientMessage(
        final GatewayLink link, final DirectBuffer buffer, final int offset, final int length, final int blockLength)
    {
        final int payloadLengthOffset = offset + MessageHeaderDecoder.ENCODED_LENGTH + blockLength;
        final int payloadLength = LinkFraming.varLength(buffer, payloadLengthOffset, offset + length);
        final int payloadOffset = payloadLengthOffset + LinkFraming.VAR_LENGTH_LENGTH;
        if (payloadLength < 0 || MessageValidator.validate(buffer, payloadOffset, payloadLength) < 0)
        {
            return refuse();
        }
        clientHeaderDecoder.wrap(buffer, payloadOffset);
        final int templateId = clientHeaderDecoder.templateId();
        if (PlayerInputDecoder.TEMPLATE_ID != templateId && StowRequestDecoder.TEMPLATE_ID != templateId &&
            UnstowRequestDecoder.TEMPLATE_ID != templateId)
        {
            return refuse();
        }
        // the session id is the first field of all three
        final long sessionId = buffer.getLong(
            payloadOffset + io.orrery.wire.codec.MessageHeaderDecoder.ENCODED_LENGTH, ByteOrder.LITTLE_ENDIAN);
        if (!link.sessions.containsKey(sessionId))
        {
            return refuse();
        }
        // a client controls only its own entity, whichever Gateway it came through: checked here again
        if (PlayerInputDecoder.TEMPLATE_ID == templateId && buffer.getLong(
            payloadOffset + io.orrery.wire.codec.MessageHeaderDecoder.ENCODED_LENGTH + PLAYER_INPUT_ENTITY_OFFSET,
            ByteOrder.LITTLE_ENDIAN) != playerBySession.get(sessionId))
        {
            return refuse();
        }
        final int index = toReplicant.tryClaim(templateId, payloadLength + GatewayRing.INPUT_STAMP_LENGTH);
        if (index < 0)
        {
            return ControlledFragmentHandler.Action.ABORT;
        }
        final AtomicBuffer ring = toReplicant.buffer();
        ring.putBytes(index, buffer, payloadOffset, payloadLength);
        ring.putLong(index + payloadLength, nowNs, ByteOrder.LITTLE_ENDIAN);
        toReplicant.commit(index);
        if (PlayerInputDecoder.TEMPLATE_ID == templateId)
        {
            counters[OrreryCounter.INPUTS_RECEIVED.id()].incrementOrdered();
        }
        return ControlledFragmentHandler.Action.CONTINUE;
    }

    private ControlledFragmentHandler.Action onWindows(
        final GatewayLink link, final DirectBuffer buffer, final int offset, final int length, final int blockLength)
    {
        final int groupOffset = offset + MessageHeaderDecoder.ENCODED_LENGTH + blockLength;
        if (groupOffset + 4 > offset + length)
        {
            return refuse();
        }
        final int entryLength = buffer.getShort(groupOffset, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        final int count = buffer.getShort(groupOffset + 2, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        if (entryLength < SessionWindowsDecoder.SessionsDecoder.sbeBlockLength() ||
            groupOffset + 4 + (long)count * entryLength > offset + length)
        {
            return refuse();
        }
        int entryOffset = groupOffset + 4;
        for (int i = 0; i < count; i++, entryOffset += entryLength)
        {
            final RemoteClientEgress egress = link.sessions.get(buffer.getLong(entryOffset, ByteOrder.LITTLE_ENDIAN));
            if (null != egress)
            {
                egress.onReport(buffer.getLong(entryOffset + 8, ByteOrder.LITTLE_ENDIAN),
                    buffer.getLong(entryOffset + 16, ByteOrder.LITTLE_ENDIAN));
            }
        }
        return ControlledFragmentHandler.Action.CONTINUE;
    }

    private boolean noticeDisconnect(final long sessionId, final short reason)
    {
        final DisconnectReason disconnectReason;
        switch (reason)
        {
            case 0: case 1: case 2: case 3: case 4: case 5:
                disconnectReason = DisconnectReason.get(reason);
                break;
            default:
                disconnectReason = DisconnectReason.timeout;
                break;
        }
        disconnectEncoder.wrapAndApplyHeader(sendBuffer, 0, clientHeaderEncoder)
            .sessionId(sessionId)
            .reason(disconnectReason);
        return toReplicant.write(DisconnectEncoder.TEMPLATE_ID, sendBuffer, 0,
            io.orrery.wire.codec.MessageHeaderEncoder.ENCODED_LENGTH + disconnectEncoder.encodedLength());
    }

    private void removeSession(final GatewayLink link, final RemoteClientEgress egress)
    {
        egress.onEndedByGateway();
        link.sessions.remove(egress.sessionId());
        forget(egress.sessionId());
        publishSessionCount();
    }

    private void publishSessionCount()
    {
        counters[OrreryCounter.GATEWAY_LINK_SESSIONS.id()].setOrdered(sessions.size());
        shardSessions.remoteSessions(sessions.size());
    }

    private void forget(final long sessionId)
    {
        sessions.remove(sessionId);
        shardSessions.removePlayer(playerBySession.remove(sessionId));
    }

    private int housekeeping()
    {
        int workCount = assembler.freeBuffersOfGoneImages(subscription);
        for (int i = links.size() - 1; i >= 0; i--)
        {
            final GatewayLink link = links.get(i);
            switch (link.state)
            {
                case CONNECTING:
                    workCount += connecting(link);
                    break;

                case PROVING:
                    if (nowNs >= link.nextChallengeNs)
                    {
                        sendChallenge(link);
                    }
                    break;

                case WELCOMING:
                    sendWelcome(link);
                    break;

                case ACCEPTED:
                    workCount += sendAdmission(link);
                    if (null == subscription.imageBySessionId(link.imageSessionId) ||
                        nowNs - link.lastHeardNs > settings.timeoutNs())
                    {
                        counters[OrreryCounter.GATEWAY_LINKS_LOST.id()].incrementOrdered();
                        log.accept("gateway link: gateway " + link.gatewayId + " lost (" +
                            (null == subscription.imageBySessionId(link.imageSessionId) ? "its image went" :
                            "silent for " + TimeUnit.NANOSECONDS.toMillis(nowNs - link.lastHeardNs) + " ms") +
                            "): ending its " + link.sessions.size() + " sessions");
                        link.markLost(nowNs);
                        linkByImage.remove(link.imageSessionId);
                        workCount++;
                    }
                    break;

                case LOST:
                    workCount += drainLost(link, i);
                    continue;

                case REFUSED:
                default:
                    if (null == subscription.imageBySessionId(link.imageSessionId))
                    {
                        links.remove(i);
                        linkByImage.remove(link.imageSessionId);
                        workCount++;
                    }
                    continue;
            }
            if (GatewayLink.State.ACCEPTED != link.state && GatewayLink.State.LOST != link.state &&
                nowNs > link.deadlineNs)
            {
                dropLink(link, i);
                workCount++;
            }
        }
        return workCount;
    }

    private int connecting(final GatewayLink link)
    {
        if (null == link.publication())
        {
            try
            {
                link.publication(aeron.getPublication(link.registrationId));
            }
            catch (final RegistrationException ex)
            {
                link.state = GatewayLink.State.REFUSED;
                return 1;
            }
        }
        if (null != link.publication() && link.publication().isConnected())
        {
            link.state = GatewayLink.State.PROVING;
            sendChallenge(link);
            return 1;
        }
        return 0;
    }

    private void sendChallenge(final GatewayLink link)
    {
        challengeEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .gatewaySessionId(link.imageSessionId)
            .putNonce(link.nonce, 0, LinkKey.NONCE_LENGTH);
        link.publication().offer(sendBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + challengeEncoder.encodedLength());
        link.nextChallengeNs = nowNs + CHALLENGE_INTERVAL_NS;
    }

    /**
     * End a lost Gateway's sessions (as many as the ring takes now), then close its publication once the Replicant
     * has stopped writing it.
     */
    private int drainLost(final GatewayLink link, final int index)
    {
        int workCount = 0;
        final Long2ObjectHashMap<RemoteClientEgress>.ValueIterator iterator = link.sessions.values().iterator();
        while (iterator.hasNext())
        {
            final RemoteClientEgress egress = iterator.next();
            if (!noticeDisconnect(egress.sessionId(), DisconnectReason.timeout.value()))
            {
                return workCount;
            }
            egress.onEndedByGateway();
            forget(egress.sessionId());
            iterator.remove();
            workCount++;
        }
        publishSessionCount();
        if (nowNs - link.lostAtNs > LOST_LINGER_NS)
        {
            links.remove(index);
            CloseHelper.quietClose(link.publication());
            workCount++;
        }
        return workCount;
    }

    private void dropLink(final GatewayLink link, final int index)
    {
        links.remove(index);
        linkByImage.remove(link.imageSessionId);
        if (null != link.publication())
        {
            CloseHelper.quietClose(link.publication());
        }
        else
        {
            aeron.asyncRemovePublication(link.registrationId);
        }
    }
}
