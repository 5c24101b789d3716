/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.gateway;

import io.aeron.Aeron;
import io.aeron.Counter;
import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.Subscription;
import io.aeron.exceptions.RegistrationException;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.Header;
import io.orrery.core.common.GatewayRing;
import io.orrery.link.Publications;
import io.orrery.core.auth.PlayerTokens;
import io.orrery.core.auth.SessionTokens;
import io.orrery.core.common.LayerResources;
import io.orrery.core.common.SessionHandover;
import io.orrery.link.BoundedFragmentAssembler;
import io.orrery.core.ingress.IngressLimits;
import io.orrery.core.ingress.RefusalBudget;
import io.orrery.core.ingress.ResponseChannels;
import io.orrery.core.status.OrreryCounter;
import io.orrery.wire.EntityIdSpace;
import io.orrery.wire.MessageValidator;
import io.orrery.wire.codec.DisconnectDecoder;
import io.orrery.wire.codec.DisconnectEncoder;
import io.orrery.wire.codec.DisconnectReason;
import io.orrery.wire.codec.HeartbeatDecoder;
import io.orrery.wire.codec.HelloDecoder;
import io.orrery.wire.codec.MessageHeaderDecoder;
import io.orrery.wire.codec.MessageHeaderEncoder;
import io.orrery.wire.codec.PlayerInputDecoder;
import io.orrery.wire.codec.RejectEncoder;
import io.orrery.wire.codec.RejectReason;
import io.orrery.wire.codec.StowRequestDecoder;
import io.orrery.wire.codec.UnstowRequestDecoder;
import io.orrery.wire.codec.WelcomeEncoder;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import java.nio.ByteOrder;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The Gateway role: terminates client sessions. It polls the client ingress stream on each of its ingress channels
 * ({@link GatewayContext#clientIngressChannels()}: one UDP socket each, see below), authenticates hellos with
 * signed player tokens ({@link PlayerTokens}: HMAC, or Ed25519 within a budget of verifications per second, see
 * {@link GatewayContext#tokenVerificationsPerSecond()}; cheap checks come first), opens each session's egress
 * publication (the response channel the client named), answers with a welcome or a reject, and then hands the
 * publication over to the Replicant, which is its only writer from then on.
 * Valid player input for the sender's own entity is forwarded to the Replicant as the same SBE bytes through a
 * ring buffer, followed by {@link #INPUT_STAMP_LENGTH} bytes: the Gateway's clock when it read the input (little
 * endian), where the layer's input residence starts; heartbeats and timeouts end sessions that go quiet.
 * <p>
 * Nothing from a peer is trusted before its hello is authenticated: messages from an unknown Aeron session are counted
 * and dropped. Every failure is a counter, never an exception that would stop the agent.
 * <p>
 * What a peer that has not authenticated can make the Gateway hold is bounded by {@link IngressLimits}:
 * <ul>
 *   <li>reassembly: at most {@code maxReassemblies} buffers of at most {@code maxMessageLength} bytes, freed when
 *       their image goes; images whose term is longer than {@code maxTermLength} are refused
 *       ({@link BoundedFragmentAssembler});</li>
 *   <li>egress: every response channel is rebuilt from an allow-list with the layer's own term length, MTU and
 *       linger ({@link ResponseChannels}); nothing else the peer wrote reaches the media driver;</li>
 *   <li>refusals (bad or expired tokens, wrong version, shard full, duplicate session) never take a session slot:
 *       they wait for their publication in their own list of at most {@code maxPendingRefusals}, are answered at most
 *       {@code refusalsPerSecond} (a token bucket on the agent's clock, burst of one second), and the rest are
 *       dropped unanswered and counted ({@link OrreryCounter#HELLOS_SHED}) ({@link RefusalBudget}). A refusal's
 *       publication must connect within {@link RefusalBudget#REFUSAL_CONNECT_TIMEOUT_NS} and lingers
 *       {@code refusalLingerNs} after its reject;</li>
 *   <li>session capacity counts only welcomed sessions and hellos awaiting their welcome. A hello awaiting its
 *       welcome needs a valid token and holds its player (a second hello for the player is a duplicate), so a peer
 *       can hold at most one slot per valid token, for at most the publication connect timeout, and a pending
 *       hello whose ingress image goes away is dropped at the next housekeeping.</li>
 * </ul>
 * Session ids are drawn from {@link SecureRandom}: knowing one's own session id says nothing about another's.
 * Ingress images bound to nothing (no session, no hello awaiting an answer, no hello seen) for
 * {@link GatewayContext#unboundImageTimeoutNs()} are rejected ({@link UnboundImages}): each holds one of the sessions
 * the media driver allows the stream.
 * <p>
 * Several ingress channels: every one runs the same handshake, authentication and input checks, and each has its
 * own reassembly bound (an endpoint holds no more than a single-endpoint Gateway did); refusals, session capacity and
 * the refusal budget are shared by all. A connection is keyed by its ingress endpoint and its image's Aeron session
 * id, so peers on different endpoints that pick the same Aeron session id stay apart. Why several: Aeron's receiver
 * reads one datagram per socket per duty cycle, so one socket's intake falls as the sessions (images and
 * publications the same driver thread services) grow.
 * <p>
 * Threading: single threaded agent. Owns all session state it holds; talks to the Replicant only through the rings
 * and the hand-over queue.
 */
public final class GatewayAgent implements Agent
{
    /**
     * Protocol version spoken by this build.
     */
    public static final int PROTOCOL_VERSION = 1;
    /**
     * Player entity ids (the player id in a token) live in [1, MAX_PLAYER_ID]; ids above are for world entities.
     */
    public static final long MAX_PLAYER_ID = EntityIdSpace.MAX_PLAYER_ID_EXCLUSIVE - 1;
    /**
     * Bytes after a {@code PlayerInput} on the ring to the Replicant: the Gateway's nano clock when it read it.
     */
    public static final int INPUT_STAMP_LENGTH = GatewayRing.INPUT_STAMP_LENGTH;
    /**
     * Fragments per poll; the Gateway polls up to {@link #MAX_POLLS_PER_DUTY_CYCLE} times per duty cycle so a long
     * Replicant tick on a shared thread does not leave ingress (inputs, heartbeats) backlogged into timeouts.
     */
    static final int FRAGMENT_LIMIT = 1024;
    static final int MAX_POLLS_PER_DUTY_CYCLE = 8;
    static final int MAX_VIOLATIONS = 64;
    static final long HOUSEKEEPING_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(50);

    private final GatewayContext ctx;
    private final long ingressPollIntervalNs;
    private long lastIngressPollNs;
    private boolean ingressPollDue = true;
    private final LayerResources resources;
    private final int tickRateHz;
    private final int bandwidthBytesPerTick;
    private final Aeron aeron;
    private final Counter[] counters;
    private final RingBuffer toReplicant;
    private final RingBuffer fromReplicant;
    private final OneToOneConcurrentArrayQueue<SessionHandover> handovers;
    private final NanoClock clock;
    private final PlayerTokens tokens;
    private final VerificationBudget verifications;
    private final IngressLimits limits;
    private final BoundedFragmentAssembler[] assemblers;
    private final Subscription[] ingresses;
    private final Long2ObjectHashMap<ClientConnection> connectionByImage = new Long2ObjectHashMap<>();
    private final ArrayList<ClientConnection> connections = new ArrayList<>();
    private final ArrayList<ClientConnection> pendingWelcomes = new ArrayList<>();
    private final ArrayList<ClientConnection> pendingRefusals = new ArrayList<>();
    private final ShardSessions shardSessions;
    private final UnboundImages unboundImages;
    private final SecureRandom sessionIds = new SecureRandom();

    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final PlayerInputDecoder inputDecoder = new PlayerInputDecoder();
    private final HeartbeatDecoder heartbeatDecoder = new HeartbeatDecoder();
    private final HelloDecoder helloDecoder = new HelloDecoder();
    private final DisconnectDecoder disconnectDecoder = new DisconnectDecoder();
    private final StowRequestDecoder stowDecoder = new StowRequestDecoder();
    private final UnstowRequestDecoder unstowDecoder = new UnstowRequestDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final WelcomeEncoder welcomeEncoder = new WelcomeEncoder();
    private final RejectEncoder rejectEncoder = new RejectEncoder();
    private final DisconnectEncoder disconnectEncoder = new DisconnectEncoder();
    private final UnsafeBuffer tokenView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer sendBuffer = new UnsafeBuffer(new byte[1024]);
    private final RingMessageHandler fromReplicantHandler = new RingMessageHandler();

    private final double inputRatePerNs;
    private final double inputBurst;
    private final RefusalBudget refusals;
    private final long refusalConnectTimeoutNs;
    private long nowNs;
    private long nextHousekeepingNs;
    private int pollingIngress;

    /**
     * @param resources             what the layer's roles share.
     * @param ctx                   the Gateway's settings, concluded.
     * @param tickRateHz            the Replicant's tick rate, announced in each welcome.
     * @param bandwidthBytesPerTick the Replicant's per-client bandwidth, announced in each welcome.
     * @param counters              the layer's system counters.
     * @param toReplicant           ring of inputs and notices to the Replicant.
     * @param fromReplicant         ring of notices from the Replicant.
     * @param handovers             queue of welcomed sessions to the Replicant.
     * @param shardSessions         the shard's sessions through every Gateway (one per player, capacity and
     *                              {@link OrreryCounter#SESSIONS_ACTIVE}), shared with the gateway link.
     */
    public GatewayAgent(
        final LayerResources resources,
        final GatewayContext ctx,
        final int tickRateHz,
        final int bandwidthBytesPerTick,
        final Counter[] counters,
        final RingBuffer toReplicant,
        final RingBuffer fromReplicant,
        final OneToOneConcurrentArrayQueue<SessionHandover> handovers,
        final ShardSessions shardSessions)
    {
        this.ctx = ctx;
        this.ingressPollIntervalNs = ctx.ingressPollIntervalNs();
        this.shardSessions = shardSessions;
        this.resources = resources;
        this.tickRateHz = tickRateHz;
        this.bandwidthBytesPerTick = bandwidthBytesPerTick;
        this.aeron = resources.aeron();
        this.counters = counters;
        this.toReplicant = toReplicant;
        this.fromReplicant = fromReplicant;
        this.handovers = handovers;
        this.clock = resources.nanoClock();
        this.tokens = resources.newPlayerTokens();
        this.verifications = tokens.isVerificationCostly() ?
            new VerificationBudget(ctx.tokenVerificationsPerSecond(), clock.nanoTime()) : null;
        this.inputRatePerNs = ctx.maxInputRateHz() / 1e9;
        this.inputBurst = Math.max(4, ctx.maxInputRateHz() / 4.0);
        this.limits = ctx.clientIngressLimits();
        this.refusalConnectTimeoutNs = RefusalBudget.connectTimeoutNs(resources.publicationConnectTimeoutNs());
        this.refusals = new RefusalBudget(limits, clock.nanoTime());
        this.unboundImages = new UnboundImages(ctx.unboundImageTimeoutNs(), limits.maxTermLength(),
            new ImageRejecter(aeron, UnboundImages.reason(ctx.unboundImageTimeoutNs())),
            counters[OrreryCounter.CLIENT_INGRESS_IMAGES_UNBOUND_REJECTED.id()],
            counters[OrreryCounter.CLIENT_INGRESS_IMAGE_REJECTIONS_DEFERRED.id()],
            (line) -> System.out.println("orrery: client ingress " + line));
        final String[] channels = ctx.clientIngressChannels();
        this.assemblers = new BoundedFragmentAssembler[channels.length];
        this.ingresses = new Subscription[channels.length];
        try
        {
            for (int i = 0; i < channels.length; i++)
            {
                assemblers[i] = newAssembler(limits, counters);
                ingresses[i] = aeron.addSubscription(
                    limits.tuneIngressChannel(channels[i]), ctx.clientIngressStreamId(),
                    assemblers[i]::refuseOversizedImage, (image) -> {});
            }
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(ingresses);
            throw ex;
        }
    }

    private BoundedFragmentAssembler newAssembler(final IngressLimits limits, final Counter[] counters)
    {
        return new BoundedFragmentAssembler(
            this::onFragment,
            limits.maxMessageLength(),
            limits.maxTermLength(),
            limits.maxReassemblies(),
            counters[OrreryCounter.CLIENT_INGRESS_MESSAGES_TOO_LONG.id()],
            counters[OrreryCounter.CLIENT_INGRESS_IMAGES_REFUSED.id()],
            counters[OrreryCounter.CLIENT_INGRESS_FRAGMENTS_REFUSED.id()])
            .refusalLog((line) -> System.out.println("orrery: client ingress " + line));
    }

    @Override
    public String roleName()
    {
        return "orrery-gateway";
    }

    @Override
    public int doWork()
    {
        nowNs = clock.nanoTime();
        int workCount = 0;
        if (ingressPollDue || nowNs - lastIngressPollNs >= ingressPollIntervalNs)
        {
            lastIngressPollNs = nowNs;
            ingressPollDue = false;
            for (int e = 0; e < ingresses.length; e++)
            {
                workCount += pollIngress(e);
            }
        }
        workCount += fromReplicant.read(fromReplicantHandler);
        if (!pendingWelcomes.isEmpty())
        {
            workCount += pollPending(pendingWelcomes);
        }
        if (!pendingRefusals.isEmpty())
        {
            workCount += pollPending(pendingRefusals);
        }
        if (nowNs >= nextHousekeepingNs)
        {
            nextHousekeepingNs = nowNs + HOUSEKEEPING_INTERVAL_NS;
            workCount += checkTimeouts();
            for (int e = 0; e < ingresses.length; e++)
            {
                workCount += assemblers[e].freeBuffersOfGoneImages(ingresses[e]);
            }
            workCount += dropPendingOfGoneImages(pendingWelcomes);
            workCount += dropPendingOfGoneImages(pendingRefusals);
            workCount += unboundImages.check(nowNs, ingresses, connectionByImage);
        }
        return workCount;
    }

    @Override
    public void onClose()
    {
        closePending(pendingWelcomes);
        closePending(pendingRefusals);
        CloseHelper.quietCloseAll(ingresses);
    }

    /**
     * @return sessions welcomed and not yet ended.
     */
    public int activeSessionCount()
    {
        return connections.size();
    }

    /**
     * @return hellos that will be welcomed once their publication connects (they count against capacity).
     */
    public int pendingWelcomeCount()
    {
        return pendingWelcomes.size();
    }

    /**
     * @return refused hellos whose reject waits for its publication (they do not count against capacity).
     */
    public int pendingRefusalCount()
    {
        return pendingRefusals.size();
    }

    /**
     * @return bytes of ingress reassembly buffers held now; at most max reassemblies × max message length.
     */
    public long reassemblyBufferCapacity()
    {
        long capacity = 0;
        for (final BoundedFragmentAssembler assembler : assemblers)
        {
            capacity += assembler.bufferedCapacity();
        }
        return capacity;
    }

    /**
     * @return client ingress images tracked as bound to nothing (rejected ones until the media driver drops them).
     */
    public int unboundImageCount()
    {
        return unboundImages.trackedCount();
    }

    /**
     * @return client ingress endpoints (subscriptions) this Gateway polls.
     */
    public int ingressEndpointCount()
    {
        return ingresses.length;
    }

    private int pollIngress(final int endpoint)
    {
        pollingIngress = endpoint;
        final Subscription ingress = ingresses[endpoint];
        final BoundedFragmentAssembler assembler = assemblers[endpoint];
        int workCount = 0;
        for (int i = 0; i < MAX_POLLS_PER_DUTY_CYCLE; i++)
        {
            final int fragments = ingress.controlledPoll(assembler, FRAGMENT_LIMIT);
            workCount += fragments;
            if (fragments < FRAGMENT_LIMIT)
            {
                return workCount;
            }
        }
        ingressPollDue = true; // more is waiting: the next duty cycle polls again, whatever the interval
        return workCount;
    }

    /**
     * @return the key of an ingress image: its endpoint's index and its Aeron session id (unique per endpoint only).
     */
    static long imageKey(final int endpoint, final int imageSessionId)
    {
        return ((long)endpoint << 32) | (imageSessionId & 0xFFFF_FFFFL);
    }

    private ControlledFragmentHandler.Action onFragment(
        final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        final int validation = MessageValidator.validate(buffer, offset, length);
        final ClientConnection connection = connectionByImage.get(imageKey(pollingIngress, header.sessionId()));
        if (validation < 0)
        {
            increment(OrreryCounter.REJECTED_MALFORMED);
            if (null != connection)
            {
                onViolation(connection, RejectReason.malformedMessage, 0);
            }
            return ControlledFragmentHandler.Action.CONTINUE;
        }

        headerDecoder.wrap(buffer, offset);
        final int templateId = headerDecoder.templateId();
        switch (templateId)
        {
            case PlayerInputDecoder.TEMPLATE_ID:
                return onPlayerInput(connection, buffer, offset, length);

            case HeartbeatDecoder.TEMPLATE_ID:
                heartbeatDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                if (isAuthenticated(connection, heartbeatDecoder.sessionId()))
                {
                    connection.lastSeenNs = nowNs;
                }
                return ControlledFragmentHandler.Action.CONTINUE;

            case HelloDecoder.TEMPLATE_ID:
                unboundImages.onHello(imageKey(pollingIngress, header.sessionId()), nowNs);
                onHello(connection, buffer, offset, header.sessionId());
                return ControlledFragmentHandler.Action.CONTINUE;

            case StowRequestDecoder.TEMPLATE_ID:
                stowDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                return onInventoryRequest(connection, stowDecoder.sessionId(), templateId, buffer, offset, length);

            case UnstowRequestDecoder.TEMPLATE_ID:
                unstowDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                return onInventoryRequest(connection, unstowDecoder.sessionId(), templateId, buffer, offset, length);

            case DisconnectDecoder.TEMPLATE_ID:
                disconnectDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                if (isAuthenticated(connection, disconnectDecoder.sessionId()))
                {
                    return endSession(connection, DisconnectReason.clientRequest) ?
                        ControlledFragmentHandler.Action.CONTINUE : ControlledFragmentHandler.Action.ABORT;
                }
                return ControlledFragmentHandler.Action.CONTINUE;

            default:
                if (isAuthenticated(connection, connection == null ? 0 : connection.sessionId))
                {
                    onViolation(connection, RejectReason.unspecified, templateId);
                }
                return ControlledFragmentHandler.Action.CONTINUE;
        }
    }

    private ControlledFragmentHandler.Action onPlayerInput(
        final ClientConnection connection, final DirectBuffer buffer, final int offset, final int length)
    {
        inputDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        if (!isAuthenticated(connection, inputDecoder.sessionId()))
        {
            return ControlledFragmentHandler.Action.CONTINUE;
        }

        if (inputDecoder.entityId() != connection.playerEntityId)
        {
            increment(OrreryCounter.REJECTED_NOT_YOUR_ENTITY);
            onViolation(connection, RejectReason.notYourEntity, PlayerInputDecoder.TEMPLATE_ID);
            return ControlledFragmentHandler.Action.CONTINUE;
        }

        final long sequence = inputDecoder.inputSequence();
        if (sequence <= connection.lastInputSequence)
        {
            increment(OrreryCounter.REJECTED_OUT_OF_ORDER);
            return ControlledFragmentHandler.Action.CONTINUE;
        }

        if (!connection.takeInputAllowance(nowNs, inputRatePerNs, inputBurst))
        {
            increment(OrreryCounter.INPUTS_RATE_LIMITED);
            return ControlledFragmentHandler.Action.CONTINUE;
        }

        if (!forwardStamped(PlayerInputDecoder.TEMPLATE_ID, buffer, offset, length))
        {
            return ControlledFragmentHandler.Action.ABORT;
        }

        connection.lastInputSequence = sequence;
        connection.lastSeenNs = nowNs;
        increment(OrreryCounter.INPUTS_RECEIVED);
        return ControlledFragmentHandler.Action.CONTINUE;
    }

    /**
     * Stow and unstow requests go to the Replicant, which checks the item against the player (own or within reach)
     * and runs the transaction through Scribe. They share the input allowance so they cannot flood the store.
     */
    private ControlledFragmentHandler.Action onInventoryRequest(
        final ClientConnection connection,
        final long claimedSessionId,
        final int templateId,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        if (!isAuthenticated(connection, claimedSessionId))
        {
            return ControlledFragmentHandler.Action.CONTINUE;
        }

        if (!connection.takeInputAllowance(nowNs, inputRatePerNs, inputBurst))
        {
            increment(OrreryCounter.INPUTS_RATE_LIMITED);
            return ControlledFragmentHandler.Action.CONTINUE;
        }

        if (!forwardStamped(templateId, buffer, offset, length))
        {
            return ControlledFragmentHandler.Action.ABORT;
        }

        connection.lastSeenNs = nowNs;
        return ControlledFragmentHandler.Action.CONTINUE;
    }

    /**
     * Copy a client message to the Replicant's ring followed by this duty cycle's clock (see {@link GatewayRing}):
     * where an input's residence and an operation's timeline start.
     *
     * @return false when the ring is full (nothing written).
     */
    private boolean forwardStamped(final int templateId, final DirectBuffer buffer, final int offset, final int length)
    {
        final int index = toReplicant.tryClaim(templateId, length + INPUT_STAMP_LENGTH);
        if (index < 0)
        {
            return false;
        }
        final AtomicBuffer ring = toReplicant.buffer();
        ring.putBytes(index, buffer, offset, length);
        ring.putLong(index + length, nowNs, ByteOrder.LITTLE_ENDIAN);
        toReplicant.commit(index);
        return true;
    }

    private boolean isAuthenticated(final ClientConnection connection, final long claimedSessionId)
    {
        if (null == connection || connection.state != ClientConnection.State.ACTIVE ||
            connection.sessionId != claimedSessionId)
        {
            increment(OrreryCounter.REJECTED_NOT_AUTHENTICATED);
            return false;
        }
        return true;
    }

    private void onHello(
        final ClientConnection existing, final DirectBuffer buffer, final int offset, final int imageSessionId)
    {
        if (null != existing)
        {
            increment(OrreryCounter.HELLOS_ON_BOUND_IMAGE);
            return;
        }

        helloDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        final int protocolVersion = helloDecoder.protocolVersion();
        final int responseStreamId = helloDecoder.responseStreamId();
        final long correlationId = helloDecoder.clientCorrelationId();
        helloDecoder.wrapAuthToken(tokenView);
        final int tokenLength = tokenView.capacity();
        final boolean isWellFormed = tokens.tokenLength() == tokenLength;
        final long playerId = isWellFormed ? PlayerTokens.playerId(tokenView, 0) : 0;
        final long nowEpochMs = resources.epochClock().time();

        // cheap checks first: a costly signature is verified only for a hello that would otherwise be welcomed
        OrreryCounter refusal = null;
        RejectReason reason = null;
        if (PROTOCOL_VERSION != protocolVersion)
        {
            refusal = OrreryCounter.REJECTED_UNSUPPORTED_VERSION;
            reason = RejectReason.unsupportedVersion;
        }
        else if (!isWellFormed || playerId < 1 || playerId > MAX_PLAYER_ID)
        {
            refusal = OrreryCounter.REJECTED_BAD_TOKEN;
            reason = RejectReason.badToken;
        }
        else if (PlayerTokens.expiryEpochMs(tokenView, 0) < nowEpochMs)
        {
            refusal = OrreryCounter.REJECTED_EXPIRED_TOKEN;
            reason = RejectReason.expiredToken;
        }
        else if (shardSessions.playerCount() >= ctx.maxSessions())
        {
            refusal = OrreryCounter.REJECTED_TOO_MANY_SESSIONS;
            reason = RejectReason.tooManySessions;
        }
        else if (0 != counters[OrreryCounter.ADMISSION_CLOSED.id()].get())
        {
            refusal = OrreryCounter.REJECTED_SHARD_FULL; // Atlas closed admission: no server can take a player
            reason = RejectReason.shardFull;
        }
        else if (null != verifications && !verifications.tryTake(nowNs))
        {
            increment(OrreryCounter.HELLOS_SHED);
            return;
        }
        else
        {
            final int tokenResult = tokens.verify(tokenView, 0, tokenLength, nowEpochMs);
            if (SessionTokens.EXPIRED == tokenResult)
            {
                refusal = OrreryCounter.REJECTED_EXPIRED_TOKEN;
                reason = RejectReason.expiredToken;
            }
            else if (SessionTokens.VALID != tokenResult)
            {
                refusal = OrreryCounter.REJECTED_BAD_TOKEN;
                reason = RejectReason.badToken;
            }
            else if (shardSessions.hasPlayer(playerId)) // after the signature: unproven peers learn nobody's presence
            {
                refusal = OrreryCounter.REJECTED_DUPLICATE_SESSION;
                reason = RejectReason.duplicateSession;
            }
        }

        if (null != refusal && !refusals.tryTake(nowNs, pendingRefusals.size()))
        {
            increment(OrreryCounter.HELLOS_SHED);
            return;
        }

        final Image image = ingresses[pollingIngress].imageBySessionId(imageSessionId);
        final String responseChannel = null == image ? null : ResponseChannels.rebuild(
            helloDecoder.responseChannel(),
            image.sourceIdentity(),
            null == refusal ? ctx.egressTermLength() : RefusalBudget.REFUSAL_TERM_LENGTH,
            limits.egressMtu(),
            null == refusal ? limits.egressLingerNs() : limits.refusalLingerNs(),
            limits.egressSocketSndbuf(),
            limits.egressSocketRcvbuf());
        if (null == responseChannel)
        {
            increment(OrreryCounter.REJECTED_BAD_RESPONSE_CHANNEL);
            return;
        }

        final ClientConnection connection = new ClientConnection(pollingIngress, imageSessionId, correlationId);
        if (null != refusal)
        {
            increment(refusal);
            connection.state = ClientConnection.State.AWAITING_REJECT;
            connection.rejectReason = reason;
            connection.rejectText = rejectText(reason, protocolVersion, playerId);
            connection.deadlineNs = nowNs + refusalConnectTimeoutNs;
        }
        else
        {
            connection.state = ClientConnection.State.AWAITING_WELCOME;
            connection.playerEntityId = playerId;
            connection.playerToken = new byte[tokenLength]; // verified: sent on by a remote Gateway
            tokenView.getBytes(0, connection.playerToken);
            connection.sessionId = sessionIds.nextLong() & Long.MAX_VALUE | 1L;
            connection.deadlineNs = nowNs + resources.publicationConnectTimeoutNs();
        }

        try
        {
            connection.registrationId = aeron.asyncAddExclusivePublication(responseChannel, responseStreamId);
        }
        catch (final RuntimeException ex)
        {
            increment(OrreryCounter.REJECTED_BAD_RESPONSE_CHANNEL);
            return;
        }

        connectionByImage.put(connection.imageKey(), connection);
        if (null == refusal)
        {
            shardSessions.addPlayer(playerId);
            pendingWelcomes.add(connection);
        }
        else
        {
            pendingRefusals.add(connection);
        }
    }

    private String rejectText(final RejectReason reason, final int protocolVersion, final long playerId)
    {
        switch (reason)
        {
            case unsupportedVersion:
                return "protocol version " + protocolVersion + " unsupported, expected " + PROTOCOL_VERSION;
            case expiredToken:
                return "token expired";
            case duplicateSession:
                return "player " + playerId + " already has a session";
            case tooManySessions:
                return "shard full: " + ctx.maxSessions() + " sessions";
            case shardFull:
                return "shard full: every game server is at its high-water mark, try again later";
            default:
                return "token invalid";
        }
    }


    private int pollPending(final ArrayList<ClientConnection> pending)
    {
        int workCount = 0;
        for (int i = pending.size() - 1; i >= 0; i--)
        {
            final ClientConnection connection = pending.get(i);
            if (null == connection.publication)
            {
                try
                {
                    connection.publication = aeron.getExclusivePublication(connection.registrationId);
                }
                catch (final RegistrationException ex)
                {
                    increment(OrreryCounter.REJECTED_BAD_RESPONSE_CHANNEL);
                    dropPending(pending, i, connection);
                    workCount++;
                    continue;
                }
            }

            final ExclusivePublication publication = connection.publication;
            if (null != publication && publication.isConnected() && reply(connection, publication))
            {
                pending.remove(i);
                workCount++;
                if (ClientConnection.State.AWAITING_WELCOME == connection.state)
                {
                    connection.state = ClientConnection.State.ACTIVE;
                    connection.lastSeenNs = nowNs;
                    connection.lastAllowanceNs = nowNs;
                    connection.inputAllowance = inputBurst;
                    connections.add(connection);
                    increment(OrreryCounter.SESSIONS_OPENED);
                    shardSessions.localSessions(connections.size());
                    handovers.offer(new SessionHandover(
                        connection.sessionId, connection.playerEntityId, connection.publication,
                        connection.playerToken));
                    connection.publication = null;
                }
                else
                {
                    connectionByImage.remove(connection.imageKey());
                    CloseHelper.quietClose(publication);
                }
            }
            else if (nowNs > connection.deadlineNs)
            {
                increment(OrreryCounter.REJECTED_BAD_RESPONSE_CHANNEL);
                dropPending(pending, i, connection);
                workCount++;
            }
        }
        return workCount;
    }

    /**
     * A hello whose ingress image has gone will never be answered usefully: free its slot (or refusal place) now
     * rather than at its deadline.
     */
    private int dropPendingOfGoneImages(final ArrayList<ClientConnection> pending)
    {
        int workCount = 0;
        for (int i = pending.size() - 1; i >= 0; i--)
        {
            final ClientConnection connection = pending.get(i);
            if (null == ingresses[connection.ingressEndpoint].imageBySessionId(connection.imageSessionId))
            {
                dropPending(pending, i, connection);
                workCount++;
            }
        }
        return workCount;
    }

    private static void closePending(final ArrayList<ClientConnection> pending)
    {
        for (int i = 0, size = pending.size(); i < size; i++)
        {
            CloseHelper.quietClose(pending.get(i).publication);
        }
    }

    private boolean reply(final ClientConnection connection, final ExclusivePublication publication)
    {
        final int length;
        if (ClientConnection.State.AWAITING_WELCOME == connection.state)
        {
            if (handovers.remainingCapacity() == 0)
            {
                return false;
            }
            welcomeEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
                .clientCorrelationId(connection.correlationId)
                .sessionId(connection.sessionId)
                .playerEntityId(connection.playerEntityId)
                .serverTimeNs(nowNs)
                .tickRateHz(tickRateHz)
                .updateRateHz(tickRateHz)
                .maxInputRateHz(ctx.maxInputRateHz())
                .heartbeatIntervalMs(TimeUnit.NANOSECONDS.toMillis(ctx.heartbeatIntervalNs()))
                .sessionTimeoutMs(TimeUnit.NANOSECONDS.toMillis(ctx.sessionTimeoutNs()))
                .bandwidthBytesPerTick(bandwidthBytesPerTick);
            length = MessageHeaderEncoder.ENCODED_LENGTH + welcomeEncoder.encodedLength();
        }
        else
        {
            rejectEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
                .clientCorrelationId(connection.correlationId)
                .sessionId(0)
                .reason(connection.rejectReason)
                .rejectedTemplateId(HelloDecoder.TEMPLATE_ID)
                .reasonText(connection.rejectText);
            length = MessageHeaderEncoder.ENCODED_LENGTH + rejectEncoder.encodedLength();
        }
        return Publications.offer(publication, sendBuffer, 0, length) > 0;
    }

    private void dropPending(
        final ArrayList<ClientConnection> pending, final int index, final ClientConnection connection)
    {
        pending.remove(index);
        connectionByImage.remove(connection.imageKey());
        if (ClientConnection.State.AWAITING_WELCOME == connection.state)
        {
            shardSessions.removePlayer(connection.playerEntityId);
        }
        if (null != connection.publication)
        {
            CloseHelper.quietClose(connection.publication);
        }
        else
        {
            aeron.asyncRemovePublication(connection.registrationId);
        }
    }

    private int checkTimeouts()
    {
        int workCount = 0;
        final long timeoutNs = ctx.sessionTimeoutNs();
        for (int i = connections.size() - 1; i >= 0; i--)
        {
            final ClientConnection connection = connections.get(i);
            if (nowNs - connection.lastSeenNs > timeoutNs && endSession(connection, DisconnectReason.timeout))
            {
                increment(OrreryCounter.SESSIONS_TIMED_OUT);
                workCount++;
            }
        }
        return workCount;
    }

    private void onViolation(final ClientConnection connection, final RejectReason reason, final int templateId)
    {
        if (connection.state != ClientConnection.State.ACTIVE)
        {
            return;
        }
        connection.violations++;
        if (connection.violations > MAX_VIOLATIONS)
        {
            endSession(connection, DisconnectReason.protocolViolation);
            return;
        }
        if ((connection.rejectedReasonsMask & (1L << reason.value())) == 0)
        {
            connection.rejectedReasonsMask |= 1L << reason.value();
            rejectEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
                .clientCorrelationId(connection.correlationId)
                .sessionId(connection.sessionId)
                .reason(reason)
                .rejectedTemplateId(templateId)
                .reasonText("");
            toReplicant.write(rejectEncoder.sbeTemplateId(), sendBuffer, 0,
                MessageHeaderEncoder.ENCODED_LENGTH + rejectEncoder.encodedLength());
        }
    }

    /**
     * Tell the Replicant the session is over; it sends the client a Disconnect and closes the egress.
     */
    private boolean endSession(final ClientConnection connection, final DisconnectReason reason)
    {
        disconnectEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .sessionId(connection.sessionId)
            .reason(reason);
        if (!toReplicant.write(DisconnectEncoder.TEMPLATE_ID, sendBuffer, 0,
            MessageHeaderEncoder.ENCODED_LENGTH + disconnectEncoder.encodedLength()))
        {
            return false;
        }
        removeSession(connection);
        return true;
    }

    private void removeSession(final ClientConnection connection)
    {
        connection.state = ClientConnection.State.CLOSED;
        connectionByImage.remove(connection.imageKey());
        shardSessions.removePlayer(connection.playerEntityId);
        final int index = connections.indexOf(connection);
        if (index >= 0)
        {
            final int last = connections.size() - 1;
            connections.set(index, connections.get(last));
            connections.remove(last);
        }
        increment(OrreryCounter.SESSIONS_CLOSED);
        shardSessions.localSessions(connections.size());
    }

    private void increment(final OrreryCounter counter)
    {
        counters[counter.id()].incrementOrdered();
    }

    /**
     * Notices from the Replicant: sessions it ended (slow consumers).
     */
    private final class RingMessageHandler implements org.agrona.concurrent.MessageHandler
    {
        @Override
        public void onMessage(final int msgTypeId, final org.agrona.MutableDirectBuffer buffer, final int index,
            final int length)
        {
            if (DisconnectDecoder.TEMPLATE_ID == msgTypeId)
            {
                disconnectDecoder.wrapAndApplyHeader(buffer, index, headerDecoder);
                final long sessionId = disconnectDecoder.sessionId();
                for (int i = 0, size = connections.size(); i < size; i++)
                {
                    final ClientConnection connection = connections.get(i);
                    if (connection.sessionId == sessionId)
                    {
                        removeSession(connection);
                        break;
                    }
                }
            }
        }
    }
}
