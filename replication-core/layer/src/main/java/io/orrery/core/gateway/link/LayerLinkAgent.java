/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.gateway.link;

import io.aeron.Aeron;
import io.aeron.Counter;
import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.BufferClaim;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.Header;
import io.aeron.logbuffer.LogBufferDescriptor;
import io.orrery.core.common.LinkKey;
import io.orrery.core.common.GatewayRing;
import io.orrery.core.common.LayerResources;
import io.orrery.core.common.PublicationClientEgress;
import io.orrery.core.common.SessionHandover;
import io.orrery.core.gateway.GatewayAgent;
import io.orrery.core.gateway.GatewayContext;
import io.orrery.core.gateway.ShardSessions;
import io.orrery.core.status.OrreryCounter;
import io.orrery.link.BoundedFragmentAssembler;
import io.orrery.link.Publications;
import io.orrery.link.UdpChannels;
import io.orrery.wire.codec.DisconnectDecoder;
import io.orrery.wire.codec.DisconnectEncoder;
import io.orrery.wire.codec.DisconnectReason;
import io.orrery.wire.codec.PlayerInputDecoder;
import io.orrery.wire.codec.RejectDecoder;
import io.orrery.wire.codec.StowRequestDecoder;
import io.orrery.wire.codec.UnstowRequestDecoder;
import io.orrery.wire.gatewaylink.AdmissionStateDecoder;
import io.orrery.wire.gatewaylink.ClientFrameDecoder;
import io.orrery.wire.gatewaylink.ClientMessageEncoder;
import io.orrery.wire.gatewaylink.GatewayChallengeDecoder;
import io.orrery.wire.gatewaylink.GatewayHelloEncoder;
import io.orrery.wire.gatewaylink.GatewayProofEncoder;
import io.orrery.wire.gatewaylink.GatewayWelcomeDecoder;
import io.orrery.wire.gatewaylink.MessageHeaderDecoder;
import io.orrery.wire.gatewaylink.MessageHeaderEncoder;
import io.orrery.wire.gatewaylink.SessionClosedEncoder;
import io.orrery.wire.gatewaylink.SessionEndedDecoder;
import io.orrery.wire.gatewaylink.SessionOpenedEncoder;
import io.orrery.wire.gatewaylink.SessionWindowsEncoder;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A Gateway in its own process: the {@link GatewayAgent} (client ingress, handshake and authentication, heartbeats
 * and timeouts, input validation and rate) over a link to the layer instead of rings to an in-process Replicant.
 * This agent owns every welcomed client's egress publication and copies into it what the layer frames for that
 * session; it sends the layer the sessions it opens and closes, the clients' inputs and inventory requests, and
 * every {@link #REPORT_INTERVAL_NS} the window of each client publication that changed (all of them every
 * {@link #FULL_REPORT_INTERVAL_NS}: the Gateway's heartbeat), so the layer's per-client budget and slow-consumer
 * policy work as for its own clients.
 * <p>
 * Link handshake (mutual, see {@link GatewayLinkAgent}): hello with this Gateway's nonce, again every
 * {@link #HELLO_INTERVAL_NS} until answered; the layer's challenge is answered with
 * {@code HMAC(K, gateway | this publication's session id | the challenger's | its nonce)}; a welcome is believed only
 * if it carries {@code HMAC(K, layer | its session id | this publication's | this Gateway's nonce)}. Nothing else is
 * read from the layer's channel before, and afterwards only the welcomed image is read. The client ingress opens only
 * once the layer is linked (the welcome gives the tick rate and bandwidth the Gateway announces).
 * <p>
 * A frame that cannot be copied into its client's publication (the client is gone, or reads too slowly for the
 * window the layer was told) ends that session ({@link OrreryCounter#GATEWAY_RELAY_FAILURES}): the client resumes
 * with a fresh snapshot rather than miss a delta. When the layer goes away (its image closes or this link loses its
 * subscriber) the Gateway says so, closes every client publication and its client ingress (the clients resume
 * elsewhere, or here once linked again) and says hello again with a fresh nonce, so a restarted layer (or one that
 * dropped this Gateway for silence) gets its Gateways back; with no layer welcoming it within the relink timeout it
 * reports {@link #isLayerLost()}.
 * <p>
 * Threading: single threaded agent; it runs the Gateway agent in its own duty cycle. Zero allocation per relayed
 * frame and per client message.
 */
public final class LayerLinkAgent implements Agent
{
    /**
     * How often an unanswered hello is sent again.
     */
    public static final long HELLO_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(250);
    /**
     * Hellos unanswered this long are reported, and again each time the wait doubles: a layer that refuses the hello
     * (another link secret, another version) sends nothing back, so the Gateway says what it waits for.
     */
    public static final long UNANSWERED_REPORT_NS = TimeUnit.SECONDS.toNanos(5);
    /**
     * Windows that changed are reported at most this often.
     */
    public static final long REPORT_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(1);
    /**
     * Every window is reported at least this often (the Gateway's heartbeat).
     */
    public static final long FULL_REPORT_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(100);
    /**
     * The layer's publication may be without subscriber this long before the layer counts as lost.
     */
    public static final long LAYER_LOSS_GRACE_NS = TimeUnit.SECONDS.toNanos(1);
    /**
     * Default time a Gateway that lost its layer says hello again before it reports the layer lost.
     */
    public static final long RELINK_TIMEOUT_DEFAULT_NS = TimeUnit.SECONDS.toNanos(30);
    static final int MAX_REPORT_ENTRIES = 48;
    static final int FRAGMENT_LIMIT = 1024;
    static final int RING_CAPACITY = 1024 * 1024;

    /**
     * A welcomed client session: its egress publication, owned here.
     */
    static final class RelaySession
    {
        final long sessionId;
        final long playerEntityId;
        ExclusivePublication publication;
        long relayedPosition;
        long reportedPosition = -1;
        long reportedWindow = -1;
        boolean closedByGateway;
        boolean closeUnsent;
        short closeReason;

        RelaySession(final long sessionId, final long playerEntityId, final ExclusivePublication publication)
        {
            this.sessionId = sessionId;
            this.playerEntityId = playerEntityId;
            this.publication = publication;
        }
    }

    private enum State
    {
        CONNECTING, LINKED, LAYER_LOST
    }

    private final LayerResources resources;
    private final Aeron aeron;
    private final NanoClock clock;
    private final GatewayContext gatewayCtx;
    private final int gatewayId;
    private final String responseChannel;
    private final int responseStreamId;
    private final Counter[] counters;
    private final Consumer<String> log;
    private final LinkKey key;
    private final ExclusivePublication toLayer;
    private final Subscription fromLayer;
    private final BoundedFragmentAssembler assembler;
    private final byte[] nonce = new byte[LinkKey.NONCE_LENGTH];
    private final byte[] layerNonce = new byte[LinkKey.NONCE_LENGTH];
    private final byte[] mac = new byte[LinkKey.MAC_LENGTH];
    private final byte[] helloExtra;
    private long hellosSinceNs;
    private long unansweredReportNs;
    private final OneToOneRingBuffer gatewayToLayer = newRing();
    private final OneToOneRingBuffer layerToGateway = newRing();
    private final OneToOneConcurrentArrayQueue<SessionHandover> handovers;
    private final Long2ObjectHashMap<RelaySession> sessionById = new Long2ObjectHashMap<>();
    private final ArrayList<RelaySession> sessions = new ArrayList<>();

    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final GatewayChallengeDecoder challengeDecoder = new GatewayChallengeDecoder();
    private final GatewayWelcomeDecoder welcomeDecoder = new GatewayWelcomeDecoder();
    private final ClientFrameDecoder frameDecoder = new ClientFrameDecoder();
    private final SessionEndedDecoder endedDecoder = new SessionEndedDecoder();
    private final AdmissionStateDecoder admissionDecoder = new AdmissionStateDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final GatewayHelloEncoder helloEncoder = new GatewayHelloEncoder();
    private final GatewayProofEncoder proofEncoder = new GatewayProofEncoder();
    private static final byte[] NO_TOKEN = new byte[0];
    private final SessionOpenedEncoder openedEncoder = new SessionOpenedEncoder();
    private final SessionClosedEncoder closedEncoder = new SessionClosedEncoder();
    private final SessionWindowsEncoder windowsEncoder = new SessionWindowsEncoder();
    private final ClientMessageEncoder messageEncoder = new ClientMessageEncoder();
    private final io.orrery.wire.codec.MessageHeaderDecoder clientHeaderDecoder =
        new io.orrery.wire.codec.MessageHeaderDecoder();
    private final io.orrery.wire.codec.MessageHeaderEncoder clientHeaderEncoder =
        new io.orrery.wire.codec.MessageHeaderEncoder();
    private final DisconnectDecoder disconnectDecoder = new DisconnectDecoder();
    private final DisconnectEncoder disconnectEncoder = new DisconnectEncoder();
    private final RejectDecoder rejectDecoder = new RejectDecoder();
    private final BufferClaim claim = new BufferClaim();
    private final UnsafeBuffer sendBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
    private final ControlledMessageHandler gatewayMessageHandler = this::onGatewayMessage;

    private volatile State state = State.CONNECTING;
    private GatewayAgent gateway;
    private Image layerImage;
    private long nowNs;
    private long nextHelloNs;
    private long hellosSent;
    private long nextReportNs;
    private long nextFullReportNs;
    private long notConnectedSinceNs;
    private long framesRelayed;
    private long layerLostAtNs;
    private long relinks;
    private final long relinkTimeoutNs;
    private final SecureRandom random = new SecureRandom();

    /**
     * A Gateway that says hello again for {@link #RELINK_TIMEOUT_DEFAULT_NS} after losing its layer; the parameters
     * are those of the constructor that takes the relink timeout.
     */
    public LayerLinkAgent(
        final LayerResources resources,
        final GatewayContext gatewayCtx,
        final int gatewayId,
        final String layerChannel,
        final int layerStreamId,
        final String responseChannel,
        final int responseStreamId,
        final byte[] linkSecret,
        final Counter[] counters,
        final Consumer<String> log)
    {
        this(resources, gatewayCtx, gatewayId, layerChannel, layerStreamId, responseChannel, responseStreamId,
            linkSecret, counters, log, RELINK_TIMEOUT_DEFAULT_NS);
    }

    /**
     * @param resources        the Gateway process's Aeron client, clocks, token secret (clients' tokens).
     * @param gatewayCtx       the Gateway's settings (client ingress, sessions, heartbeats, limits), concluded.
     * @param gatewayId        names this Gateway in the layer's log lines.
     * @param layerChannel     the channel the layer's Gateway link listens on.
     * @param layerStreamId    its stream id.
     * @param responseChannel  where this Gateway reads the layer (named in the hello).
     * @param responseStreamId its stream id.
     * @param linkSecret       the secret the link key derives from ({@link GatewayLinkKey}).
     * @param counters         this process's counters, indexed by {@link OrreryCounter#id()}.
     * @param log              where link events go.
     * @param relinkTimeoutNs  how long a Gateway that lost its layer says hello again before it reports the layer
     *                         lost; 0 to report it at once.
     */
    public LayerLinkAgent(
        final LayerResources resources,
        final GatewayContext gatewayCtx,
        final int gatewayId,
        final String layerChannel,
        final int layerStreamId,
        final String responseChannel,
        final int responseStreamId,
        final byte[] linkSecret,
        final Counter[] counters,
        final Consumer<String> log,
        final long relinkTimeoutNs)
    {
        this.relinkTimeoutNs = relinkTimeoutNs;
        this.resources = resources;
        this.aeron = resources.aeron();
        this.clock = resources.nanoClock();
        this.gatewayCtx = gatewayCtx;
        this.gatewayId = gatewayId;
        this.responseChannel = responseChannel;
        this.responseStreamId = responseStreamId;
        this.helloExtra = LinkKey.helloExtra(responseChannel, responseStreamId);
        this.counters = counters;
        this.log = log;
        this.key = GatewayLinkKey.newKey(linkSecret);
        this.handovers = new OneToOneConcurrentArrayQueue<>(
            Math.max(1024, Integer.highestOneBit(gatewayCtx.maxSessions()) << 1));
        random.nextBytes(nonce);
        final Counter refused = counters[OrreryCounter.GATEWAY_LINK_MESSAGES_REFUSED.id()];
        this.assembler = new BoundedFragmentAssembler(
            this::onLayerMessage, GatewayLinkAgent.MAX_MESSAGE_LENGTH, 64 * 1024 * 1024, 4, refused, refused, refused);
        this.fromLayer = aeron.addSubscription(UdpChannels.tuneLink(responseChannel), responseStreamId);
        this.toLayer = aeron.addExclusivePublication(layerChannel, layerStreamId);
    }

    @Override
    public String roleName()
    {
        return "orrery-gateway-" + gatewayId;
    }

    @Override
    public int doWork()
    {
        nowNs = clock.nanoTime();
        int workCount = fromLayer.controlledPoll(assembler, FRAGMENT_LIMIT);
        switch (state)
        {
            case CONNECTING:
                if (nowNs >= nextHelloNs && toLayer.isConnected())
                {
                    sendHello();
                    workCount++;
                    reportUnansweredHellos();
                }
                if (0 != layerLostAtNs && nowNs - layerLostAtNs >= relinkTimeoutNs)
                {
                    state = State.LAYER_LOST;
                    log.accept("gateway " + gatewayId + ": no layer welcomed this Gateway within " +
                        TimeUnit.NANOSECONDS.toMillis(relinkTimeoutNs) + " ms of losing it: giving up");
                }
                break;

            case LINKED:
                workCount += gateway.doWork();
                workCount += takeOverSessions();
                workCount += gatewayToLayer.controlledRead(gatewayMessageHandler);
                if (nowNs >= nextReportNs)
                {
                    workCount += report(nowNs >= nextFullReportNs);
                }
                workCount += checkLayer();
                break;

            default:
                break;
        }
        return workCount;
    }

    @Override
    public void onClose()
    {
        if (null != gateway)
        {
            gateway.onClose();
        }
        for (int i = 0, size = sessions.size(); i < size; i++)
        {
            CloseHelper.quietClose(sessions.get(i).publication);
        }
        CloseHelper.quietClose(toLayer);
        CloseHelper.quietClose(fromLayer);
    }

    /**
     * @return true once the layer has welcomed this Gateway (and until it is lost).
     */
    public boolean isLinked()
    {
        return State.LINKED == state;
    }

    /**
     * @return true once the layer went away: the Gateway has closed its clients' publications and serves no more.
     */
    public boolean isLayerLost()
    {
        return State.LAYER_LOST == state;
    }

    /**
     * @return the Gateway agent, once linked (null before).
     */
    public GatewayAgent gateway()
    {
        return gateway;
    }

    /**
     * @return client sessions whose publication this Gateway holds.
     */
    public int sessionCount()
    {
        return sessions.size();
    }

    /**
     * @return hellos this Gateway has offered to the layer.
     */
    public long hellosSent()
    {
        return hellosSent;
    }

    /**
     * @return frames from the layer copied into client publications.
     */
    public long framesRelayed()
    {
        return framesRelayed;
    }

    private void reportUnansweredHellos()
    {
        if (0 == hellosSinceNs)
        {
            hellosSinceNs = nowNs;
            unansweredReportNs = UNANSWERED_REPORT_NS;
        }
        else if (nowNs - hellosSinceNs >= unansweredReportNs)
        {
            // hellos go only while the layer's subscription is connected: the layer is there, and answers none
            log.accept("gateway " + gatewayId + ": no challenge from the layer after " +
                TimeUnit.NANOSECONDS.toSeconds(nowNs - hellosSinceNs) + " s of hellos it receives: it refuses this " +
                "Gateway's hello (another Gateway link secret, or a layer of another version: see its log and " +
                "orrery_gateway_link_hellos_refused_total), or its challenges do not reach this Gateway's response " +
                "channel " + responseChannel);
            unansweredReportNs <<= 1;
        }
    }

    private void sendHello()
    {
        key.prove(GatewayLinkKey.ROLE_HELLO, toLayer.sessionId(), gatewayId, nonce, helloExtra, 0, helloExtra.length,
            mac, 0);
        helloEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .gatewayId(gatewayId)
            .responseStreamId(responseStreamId)
            .putNonce(nonce, 0, LinkKey.NONCE_LENGTH)
            .putMac(mac, 0, LinkKey.MAC_LENGTH)
            .responseChannel(responseChannel);
        if (toLayer.offer(sendBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + helloEncoder.encodedLength()) > 0)
        {
            hellosSent++;
        }
        nextHelloNs = nowNs + HELLO_INTERVAL_NS;
    }

    private ControlledFragmentHandler.Action onLayerMessage(
        final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        final int blockLength = LinkFraming.blockLength(headerDecoder, buffer, offset, length);
        if (blockLength < 0)
        {
            return refuse();
        }
        final int templateId = headerDecoder.templateId();
        if (State.LINKED != state || header.sessionId() != layerImage.sessionId())
        {
            if (State.CONNECTING == state)
            {
                onHandshake(templateId, blockLength, buffer, offset, header.sessionId());
            }
            else
            {
                counters[OrreryCounter.GATEWAY_LINK_UNAUTHENTICATED.id()].incrementOrdered();
            }
            return ControlledFragmentHandler.Action.CONTINUE;
        }

        switch (templateId)
        {
            case ClientFrameDecoder.TEMPLATE_ID:
                return onClientFrame(buffer, offset, length, blockLength);

            case SessionEndedDecoder.TEMPLATE_ID:
                if (blockLength < SessionEndedDecoder.BLOCK_LENGTH)
                {
                    return refuse();
                }
                endedDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                return onSessionEnded(endedDecoder.sessionId());

            case AdmissionStateDecoder.TEMPLATE_ID:
                if (blockLength < AdmissionStateDecoder.BLOCK_LENGTH)
                {
                    return refuse();
                }
                admissionDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                // the Gateway agent refuses new clients with shardFull while the layer says admission is closed
                counters[OrreryCounter.ADMISSION_CLOSED.id()].setOrdered(
                    0 != admissionDecoder.admissionClosed() ? 1 : 0);
                return ControlledFragmentHandler.Action.CONTINUE;

            default:
                return refuse();
        }
    }

    private ControlledFragmentHandler.Action refuse()
    {
        counters[OrreryCounter.GATEWAY_LINK_MESSAGES_REFUSED.id()].incrementOrdered();
        return ControlledFragmentHandler.Action.CONTINUE;
    }

    private void onHandshake(
        final int templateId, final int blockLength, final DirectBuffer buffer, final int offset,
        final int imageSessionId)
    {
        if (GatewayChallengeDecoder.TEMPLATE_ID == templateId && blockLength >= GatewayChallengeDecoder.BLOCK_LENGTH)
        {
            challengeDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
            if (challengeDecoder.gatewaySessionId() == toLayer.sessionId())
            {
                hellosSinceNs = 0; // answered
                challengeDecoder.getNonce(layerNonce, 0, LinkKey.NONCE_LENGTH);
                key.prove(GatewayLinkKey.ROLE_GATEWAY, toLayer.sessionId(), imageSessionId, layerNonce, mac, 0);
                proofEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder).putMac(mac, 0, LinkKey.MAC_LENGTH);
                toLayer.offer(sendBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + proofEncoder.encodedLength());
            }
        }
        else if (GatewayWelcomeDecoder.TEMPLATE_ID == templateId && blockLength >= GatewayWelcomeDecoder.BLOCK_LENGTH)
        {
            welcomeDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
            welcomeDecoder.getMac(mac, 0, LinkKey.MAC_LENGTH);
            final Image image = fromLayer.imageBySessionId(imageSessionId);
            if (null != image &&
                key.verify(GatewayLinkKey.ROLE_LAYER, imageSessionId, toLayer.sessionId(), nonce, mac))
            {
                onLinked(image, welcomeDecoder.tickRateHz(), welcomeDecoder.bandwidthBytesPerTick());
            }
            else
            {
                counters[OrreryCounter.GATEWAY_LINK_PROOFS_FAILED.id()].incrementOrdered();
                log.accept("gateway " + gatewayId + ": a welcome from image " + imageSessionId +
                    " did not prove the link key: ignored");
            }
        }
        else
        {
            counters[OrreryCounter.GATEWAY_LINK_UNAUTHENTICATED.id()].incrementOrdered();
        }
    }

    private void onLinked(final Image image, final int tickRateHz, final int bandwidthBytesPerTick)
    {
        layerImage = image;
        // this Gateway's own sessions: the layer counts the shard's
        gateway = new GatewayAgent(resources, gatewayCtx, tickRateHz, bandwidthBytesPerTick, counters,
            gatewayToLayer, layerToGateway, handovers, new ShardSessions(counters[OrreryCounter.SESSIONS_ACTIVE.id()]));
        state = State.LINKED;
        log.accept("gateway " + gatewayId + ": linked to the layer (" + image.sourceIdentity() + "), clients on " +
            gatewayCtx.clientIngressChannel() + " stream " + gatewayCtx.clientIngressStreamId() +
            (0 == layerLostAtNs ? "" : ", again " + TimeUnit.NANOSECONDS.toMillis(nowNs - layerLostAtNs) +
            " ms after losing it"));
        layerLostAtNs = 0;
        notConnectedSinceNs = 0;
    }

    private int takeOverSessions()
    {
        int workCount = 0;
        SessionHandover handover;
        while (null != (handover = handovers.peek()))
        {
            final ExclusivePublication publication = ((PublicationClientEgress)handover.egress).publication();
            final byte[] token = null != handover.playerToken ? handover.playerToken : NO_TOKEN;
            openedEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
                .sessionId(handover.sessionId)
                .playerEntityId(handover.playerEntityId)
                .maxPayloadLength(publication.maxPayloadLength())
                .window(publication.availableWindow())
                .putPlayerToken(token, 0, token.length);
            final int length = MessageHeaderEncoder.ENCODED_LENGTH + openedEncoder.encodedLength();
            if (Publications.offer(toLayer, sendBuffer, 0, length) < 0)
            {
                break;
            }
            handovers.poll();
            final RelaySession session = new RelaySession(handover.sessionId, handover.playerEntityId, publication);
            session.reportedPosition = 0;
            session.reportedWindow = publication.availableWindow();
            sessionById.put(session.sessionId, session);
            sessions.add(session);
            workCount++;
        }
        return workCount;
    }

    /**
     * What the Gateway agent wrote for the Replicant: client messages go to the layer; a session the Gateway ended
     * is told to the layer (its publication stays until the layer ends it, so the layer's goodbye reaches the client);
     * a reject is written to the client here, where its publication is.
     */
    private ControlledMessageHandler.Action onGatewayMessage(
        final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        switch (msgTypeId)
        {
            case PlayerInputDecoder.TEMPLATE_ID:
            case StowRequestDecoder.TEMPLATE_ID:
            case UnstowRequestDecoder.TEMPLATE_ID:
            {
                final int payloadLength = length - GatewayRing.INPUT_STAMP_LENGTH;
                final int frameLength = MessageHeaderEncoder.ENCODED_LENGTH + ClientMessageEncoder.BLOCK_LENGTH +
                    ClientMessageEncoder.payloadHeaderLength() + payloadLength;
                long result = toLayer.tryClaim(frameLength, claim);
                if (Publication.ADMIN_ACTION == result)
                {
                    result = toLayer.tryClaim(frameLength, claim);
                }
                if (result < 0)
                {
                    return ControlledMessageHandler.Action.ABORT;
                }
                final MutableDirectBuffer claimed = claim.buffer();
                final int offset = claim.offset();
                messageEncoder.wrapAndApplyHeader(claimed, offset, headerEncoder);
                final int payloadLengthOffset = offset + MessageHeaderEncoder.ENCODED_LENGTH +
                    ClientMessageEncoder.BLOCK_LENGTH;
                claimed.putShort(payloadLengthOffset, (short)payloadLength, ByteOrder.LITTLE_ENDIAN);
                claimed.putBytes(payloadLengthOffset + 2, buffer, index, payloadLength);
                claim.commit();
                return ControlledMessageHandler.Action.CONTINUE;
            }

            case DisconnectDecoder.TEMPLATE_ID:
            {
                disconnectDecoder.wrapAndApplyHeader(buffer, index, clientHeaderDecoder);
                final RelaySession session = sessionById.get(disconnectDecoder.sessionId());
                if (null != session && !session.closedByGateway)
                {
                    session.closedByGateway = true;
                    session.closeReason = disconnectDecoder.reasonRaw();
                    session.closeUnsent = !sendSessionClosed(session);
                }
                return ControlledMessageHandler.Action.CONTINUE;
            }

            case RejectDecoder.TEMPLATE_ID:
            {
                rejectDecoder.wrapAndApplyHeader(buffer, index, clientHeaderDecoder);
                final RelaySession session = sessionById.get(rejectDecoder.sessionId());
                if (null != session && null != session.publication)
                {
                    Publications.offer(session.publication, buffer, index, length);
                }
                return ControlledMessageHandler.Action.CONTINUE;
            }

            default:
                counters[OrreryCounter.ERRORS.id()].increment();
                return ControlledMessageHandler.Action.CONTINUE;
        }
    }

    private boolean sendSessionClosed(final RelaySession session)
    {
        closedEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .sessionId(session.sessionId)
            .reason(session.closeReason);
        return Publications.offer(
            toLayer, sendBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + closedEncoder.encodedLength()) > 0;
    }

    private ControlledFragmentHandler.Action onClientFrame(
        final DirectBuffer buffer, final int offset, final int length, final int blockLength)
    {
        final int payloadLengthOffset = offset + MessageHeaderDecoder.ENCODED_LENGTH + blockLength;
        final int payloadLength = LinkFraming.varLength(buffer, payloadLengthOffset, offset + length);
        if (blockLength < ClientFrameDecoder.BLOCK_LENGTH || payloadLength < 0)
        {
            return refuse();
        }
        final long sessionId = buffer.getLong(offset + MessageHeaderDecoder.ENCODED_LENGTH, ByteOrder.LITTLE_ENDIAN);
        final RelaySession session = sessionById.get(sessionId);
        if (null == session || null == session.publication)
        {
            counters[OrreryCounter.GATEWAY_RELAY_FAILURES.id()].incrementOrdered();
            return ControlledFragmentHandler.Action.CONTINUE;
        }
        final ExclusivePublication publication = session.publication;
        if (Publications.offer(
            publication, buffer, payloadLengthOffset + LinkFraming.VAR_LENGTH_LENGTH, payloadLength) > 0)
        {
            session.relayedPosition += LogBufferDescriptor.computeFragmentedFrameLength(
                payloadLength, publication.maxPayloadLength());
            framesRelayed++;
        }
        else
        {
            onRelayFailed(session);
        }
        return ControlledFragmentHandler.Action.CONTINUE;
    }

    /**
     * The client's publication refused a frame: the client would miss a message its view depends on. End the
     * session (the client resumes with a fresh snapshot) rather than go on without it.
     */
    private void onRelayFailed(final RelaySession session)
    {
        counters[OrreryCounter.GATEWAY_RELAY_FAILURES.id()].incrementOrdered();
        CloseHelper.quietClose(session.publication);
        session.publication = null;
        noticeGateway(session.sessionId, DisconnectReason.slowConsumer);
        if (!session.closedByGateway)
        {
            session.closedByGateway = true;
            session.closeReason = DisconnectReason.slowConsumer.value();
            session.closeUnsent = !sendSessionClosed(session);
        }
    }

    /**
     * Tell the Gateway agent a session is over (it lets the session go), as the Replicant's notices do in the hybrid.
     */
    private void noticeGateway(final long sessionId, final DisconnectReason reason)
    {
        disconnectEncoder.wrapAndApplyHeader(sendBuffer, 0, clientHeaderEncoder)
            .sessionId(sessionId)
            .reason(reason);
        layerToGateway.write(DisconnectEncoder.TEMPLATE_ID, sendBuffer, 0,
            io.orrery.wire.codec.MessageHeaderEncoder.ENCODED_LENGTH + disconnectEncoder.encodedLength());
    }

    private ControlledFragmentHandler.Action onSessionEnded(final long sessionId)
    {
        final RelaySession session = sessionById.remove(sessionId);
        if (null == session)
        {
            return ControlledFragmentHandler.Action.CONTINUE;
        }
        final int index = sessions.indexOf(session);
        final int last = sessions.size() - 1;
        sessions.set(index, sessions.get(last));
        sessions.remove(last);
        if (null != session.publication)
        {
            CloseHelper.quietClose(session.publication);
            session.publication = null;
        }
        if (!session.closedByGateway)
        {
            // the layer ended it (slow consumer, shutdown): the Gateway agent lets the session go; the layer is told
            // so it frees the session (an answer to a session end is ignored there)
            noticeGateway(sessionId, DisconnectReason.shutdown);
            session.closeReason = DisconnectReason.shutdown.value();
            sendSessionClosed(session);
        }
        return ControlledFragmentHandler.Action.CONTINUE;
    }

    /**
     * Report the windows that changed (every window on a full report), in messages of at most
     * {@link #MAX_REPORT_ENTRIES}; resend session ends the link refused before.
     */
    private int report(final boolean full)
    {
        nextReportNs = nowNs + REPORT_INTERVAL_NS;
        if (full)
        {
            nextFullReportNs = nowNs + FULL_REPORT_INTERVAL_NS;
        }
        int workCount = 0;
        int entries = 0;
        SessionWindowsEncoder.SessionsEncoder group = null;
        for (int i = 0, size = sessions.size(); i < size; i++)
        {
            final RelaySession session = sessions.get(i);
            if (session.closeUnsent)
            {
                session.closeUnsent = !sendSessionClosed(session);
                workCount++;
            }
            final ExclusivePublication publication = session.publication;
            final long window = null != publication && publication.isConnected() ? publication.availableWindow() : 0;
            if (!full && window == session.reportedWindow && session.relayedPosition == session.reportedPosition)
            {
                continue;
            }
            if (null == group)
            {
                group = windowsEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
                    .sessionsCount(MAX_REPORT_ENTRIES);
                entries = 0;
            }
            group.next().sessionId(session.sessionId).relayedPosition(session.relayedPosition).window(window);
            session.reportedWindow = window;
            session.reportedPosition = session.relayedPosition;
            if (++entries == MAX_REPORT_ENTRIES)
            {
                sendReport(entries);
                group = null;
                workCount++;
            }
        }
        if (null != group)
        {
            sendReport(entries);
            workCount++;
        }
        else if (full && 0 == sessions.size())
        {
            windowsEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder).sessionsCount(0);
            sendReport(0);
        }
        return workCount;
    }

    private void sendReport(final int entries)
    {
        final int countOffset = MessageHeaderEncoder.ENCODED_LENGTH + SessionWindowsEncoder.BLOCK_LENGTH + 2;
        sendBuffer.putShort(countOffset, (short)entries, ByteOrder.LITTLE_ENDIAN);
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + SessionWindowsEncoder.BLOCK_LENGTH +
            SessionWindowsEncoder.SessionsEncoder.sbeHeaderSize() +
            entries * SessionWindowsEncoder.SessionsEncoder.sbeBlockLength();
        if (Publications.offer(toLayer, sendBuffer, 0, length) < 0)
        {
            // a lost report is made good by the next change or the next full report
            nextFullReportNs = nowNs;
        }
    }

    private int checkLayer()
    {
        if (!layerImage.isClosed() && toLayer.isConnected())
        {
            notConnectedSinceNs = 0;
            return 0;
        }
        if (0 == notConnectedSinceNs)
        {
            notConnectedSinceNs = nowNs;
        }
        if (layerImage.isClosed() || nowNs - notConnectedSinceNs > LAYER_LOSS_GRACE_NS)
        {
            log.accept("gateway " + gatewayId + ": the layer went away (" +
                (layerImage.isClosed() ? "its publication closed" : "it stopped reading this link") +
                "): closing " + sessions.size() + " client sessions; they resume through another Gateway" +
                (relinkTimeoutNs > 0 ? ", or this one once a layer welcomes it again" : ""));
            counters[OrreryCounter.GATEWAY_LINKS_LOST.id()].incrementOrdered();
            unlink();
            if (relinkTimeoutNs > 0)
            {
                layerLostAtNs = nowNs;
                random.nextBytes(nonce); // a fresh challenge for the next layer's welcome
                nextHelloNs = nowNs;
                relinks++;
                state = State.CONNECTING;
            }
            else
            {
                state = State.LAYER_LOST;
            }
            return 1;
        }
        return 0;
    }

    /**
     * Drop everything of the lost link: client publications (their clients resume), the Gateway agent with its
     * client ingress, and whatever the two rings and the hand-over queue still hold for it.
     */
    private void unlink()
    {
        for (int i = 0, size = sessions.size(); i < size; i++)
        {
            CloseHelper.quietClose(sessions.get(i).publication);
            sessions.get(i).publication = null;
        }
        sessions.clear();
        sessionById.clear();
        if (null != gateway)
        {
            CloseHelper.quietClose(gateway::onClose);
            gateway = null;
        }
        SessionHandover handover;
        while (null != (handover = handovers.poll()))
        {
            CloseHelper.quietClose(((PublicationClientEgress)handover.egress).publication());
        }
        gatewayToLayer.read((msgTypeId, buffer, index, length) -> {}, Integer.MAX_VALUE);
        layerToGateway.read((msgTypeId, buffer, index, length) -> {}, Integer.MAX_VALUE);
    }

    /**
     * @return times this Gateway lost its layer and said hello again.
     */
    public long relinks()
    {
        return relinks;
    }

    private static OneToOneRingBuffer newRing()
    {
        return new OneToOneRingBuffer(
            new UnsafeBuffer(ByteBuffer.allocateDirect(RING_CAPACITY + RingBufferDescriptor.TRAILER_LENGTH)));
    }
}
