/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.aeron.Aeron;
import io.aeron.Counter;
import io.aeron.Image;
import io.aeron.Subscription;
import io.aeron.exceptions.RegistrationException;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.Header;
import io.orrery.core.auth.SessionTokens;
import io.orrery.link.BoundedFragmentAssembler;
import io.orrery.core.ingress.IngressLimits;
import io.orrery.core.ingress.RefusalBudget;
import io.orrery.core.ingress.ResponseChannels;
import io.orrery.core.replicant.TickCompletion;
import io.orrery.core.status.OrreryCounter;
import io.orrery.wire.MessageValidator;
import io.orrery.wire.codec.EntityCreateRequestDecoder;
import io.orrery.wire.codec.EntityDestroyRequestDecoder;
import io.orrery.wire.codec.EntityStateBatchDecoder;
import io.orrery.wire.codec.EntityStreamOutDecoder;
import io.orrery.wire.codec.HandoffAcceptDecoder;
import io.orrery.wire.codec.LoadReportDecoder;
import io.orrery.wire.codec.MessageHeaderDecoder;
import io.orrery.wire.codec.RejectReason;
import io.orrery.wire.codec.ServerGoodbyeDecoder;
import io.orrery.wire.codec.ServerHeartbeatDecoder;
import io.orrery.wire.codec.ServerHelloDecoder;
import io.orrery.wire.codec.ServerTickEndDecoder;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.security.SecureRandom;
import java.util.ArrayList;

/**
 * Polls the server ingress stream: validates every message, authenticates {@code ServerHello}s (HMAC server token in
 * the server domain, naming a server id of the shard configuration), opens each server's egress publication to the
 * response channel it names and answers {@code ServerWelcome} or {@code ServerReject}, then dispatches what welcomed
 * servers send to the {@link ServerMesh} (and through it to {@link Atlas}). A message from an Aeron session that is
 * not a welcomed server is counted and dropped; a malformed one is counted and dropped; neither affects anything
 * else.
 *
 * <h2>What a peer cannot do before it authenticates</h2>
 * <ul>
 *   <li>Grow the layer's heap: messages are reassembled by a {@link BoundedFragmentAssembler} within the server
 *   {@link IngressLimits} (longest message, largest ingress term, buffers in use), buffers of images that went away
 *   are freed every {@link #HOUSEKEEPING_INTERVAL_NS}, and images whose term is above the maximum are refused.</li>
 *   <li>Choose the parameters of the publication the layer opens: the response channel is rebuilt by
 *   {@link ResponseChannels} from the media and endpoint only (the endpoint on the host the hello came from), with
 *   the layer's term length, MTU, linger and sparseness.</li>
 *   <li>Make the layer open publications without bound: hellos that are refused are answered at most
 *   {@link IngressLimits#refusalsPerSecond()} times a second with at most {@link IngressLimits#maxPendingRefusals()}
 *   answers waiting; beyond that they are dropped unanswered and counted ({@code SERVER_HELLOS_SHED}). An image
 *   carries one hello: further hellos on it are dropped.</li>
 * </ul>
 *
 * <h2>Replacing a connected server</h2>
 * A hello with a valid token for a server id that is connected opens a candidate connection; the live server keeps
 * serving. Only once the candidate's publication is connected and its {@code ServerWelcome} sent does it take the
 * live server's place ({@link ServerMesh#onServerWelcomed(ServerConnection, ServerConnection)}, counted as
 * {@code SERVER_REPLACEMENTS}); a candidate whose publication does not connect within the connect timeout is dropped
 * and the live server never notices. A second hello for the same server id replaces a pending candidate.
 * <p>
 * Messages of a welcomed server must name its server id where they carry one; others are counted as not
 * authenticated and dropped.
 *
 * <h2>Goodbyes</h2>
 * A welcomed server that closes cleanly sends {@code ServerGoodbye} naming its session: taken only on the image bound
 * to that session, it fails the server over at once ({@code SERVER_GOODBYES_RECEIVED}) instead of after the heartbeat
 * timeout. {@link #close()} (a clean close of the layer) sends every welcomed server the layer's goodbye first, so its
 * link rejoins at once ({@code SERVER_GOODBYES_SENT}); both are best effort, a few offers at most.
 * <p>
 * Threading: Replicant thread only, except {@link BoundedFragmentAssembler#refuseOversizedImage(Image)}, run by the
 * Aeron client's conductor as the subscription's available-image handler.
 */
public final class ServerIngressAdapter implements AutoCloseable
{
    public static final int PROTOCOL_VERSION = 1;
    static final int FRAGMENT_LIMIT = 256;
    /**
     * How often reassembly buffers of images that went away are freed.
     */
    static final long HOUSEKEEPING_INTERVAL_NS = 100_000_000L;
    /**
     * Offers of each server's goodbye on close before it is given up (back-pressure): closing never waits for a server.
     */
    static final int GOODBYE_ATTEMPTS = 3;

    private final Aeron aeron;
    private final ServerMesh mesh;
    private final ServerEgressProxy proxy;
    private final Counter[] counters;
    private final SessionTokens tokens;
    private final EpochClock epochClock;
    private final long connectTimeoutNs;
    private final long heartbeatIntervalMs;
    private final long heartbeatTimeoutMs;
    private final IngressLimits limits;
    private final int egressTermLength;
    private final BoundedFragmentAssembler assembler;
    private final Subscription subscription;
    private final Int2ObjectHashMap<ServerConnection> connectionByImage = new Int2ObjectHashMap<>();
    private final ArrayList<ServerConnection> pending = new ArrayList<>();
    private final SecureRandom sessionIds = new SecureRandom();

    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final ServerHelloDecoder helloDecoder = new ServerHelloDecoder();
    private final EntityStateBatchDecoder stateBatchDecoder = new EntityStateBatchDecoder();
    private final LoadReportDecoder loadReportDecoder = new LoadReportDecoder();
    private final ServerHeartbeatDecoder heartbeatDecoder = new ServerHeartbeatDecoder();
    private final ServerGoodbyeDecoder goodbyeDecoder = new ServerGoodbyeDecoder();
    private final EntityStreamOutDecoder streamOutDecoder = new EntityStreamOutDecoder();
    private final HandoffAcceptDecoder acceptDecoder = new HandoffAcceptDecoder();
    private final EntityCreateRequestDecoder createDecoder = new EntityCreateRequestDecoder();
    private final EntityDestroyRequestDecoder destroyDecoder = new EntityDestroyRequestDecoder();
    private final UnsafeBuffer tokenView = new UnsafeBuffer(0, 0);
    // ---- server tick completion (issue 17 item 4): markers and state arrival for the Replicant's scheduling
    private final ServerTickEndDecoder tickEndDecoder = new ServerTickEndDecoder();
    private TickCompletion tickCompletion = new TickCompletion(0, 1, 0);
    private boolean caughtUp = true;

    private long nowNs;
    private long nextHousekeepingNs;
    private int pendingRefusals;
    private RefusalBudget refusals;

    /**
     * @param limits           what the server ingress accepts and the parameters of the egress publications.
     * @param egressTermLength term length of each server's egress publication (set by the layer, never the peer).
     */
    public ServerIngressAdapter(
        final Aeron aeron, final String channel, final int streamId, final ServerMesh mesh,
        final ServerEgressProxy proxy, final Counter[] counters, final byte[] tokenSecret,
        final EpochClock epochClock, final long connectTimeoutNs, final IngressLimits limits,
        final int egressTermLength)
    {
        this.aeron = aeron;
        this.mesh = mesh;
        this.proxy = proxy;
        this.counters = counters;
        this.tokens = SessionTokens.forServers(tokenSecret);
        this.epochClock = epochClock;
        this.connectTimeoutNs = connectTimeoutNs;
        this.heartbeatTimeoutMs = mesh.config().heartbeatTimeoutMs();
        this.heartbeatIntervalMs = Math.max(1, heartbeatTimeoutMs / 5);
        this.limits = limits;
        this.egressTermLength = egressTermLength;
        this.assembler = new BoundedFragmentAssembler(
            this::onMessage,
            limits.maxMessageLength(),
            limits.maxTermLength(),
            limits.maxReassemblies(),
            counters[OrreryCounter.SERVER_INGRESS_MESSAGES_TOO_LONG.id()],
            counters[OrreryCounter.SERVER_INGRESS_IMAGES_REFUSED.id()],
            counters[OrreryCounter.SERVER_INGRESS_FRAGMENTS_REFUSED.id()])
            .refusalLog((line) -> System.out.println("orrery: server ingress " + line));
        this.subscription = aeron.addSubscription(
            limits.tuneIngressChannel(channel), streamId, assembler::refuseOversizedImage,
            ServerIngressAdapter::onImageGone);
    }

    /**
     * Poll ingress and progress pending connections.
     *
     * @return work done.
     */
    public int poll(final long nowNs)
    {
        this.nowNs = nowNs;
        mesh.nowNs(nowNs);
        final int fragments = subscription.controlledPoll(assembler, FRAGMENT_LIMIT);
        // a poll that hit its limit may have left servers' messages (heartbeats among them) unread: Atlas must not
        // mistake the layer being behind for a server being silent
        caughtUp = fragments < FRAGMENT_LIMIT;
        mesh.onIngressPolled(nowNs, caughtUp);
        int work = fragments;
        if (!pending.isEmpty())
        {
            work += progressPending();
        }
        if (nowNs - nextHousekeepingNs >= 0)
        {
            nextHousekeepingNs = nowNs + HOUSEKEEPING_INTERVAL_NS;
            if (assembler.reassemblyCount() > 0)
            {
                work += assembler.freeBuffersOfGoneImages(subscription);
            }
        }
        return work;
    }

    /**
     * Where server tick ends and state arrivals are reported (default: a tracker nobody reads).
     */
    public ServerIngressAdapter tickCompletion(final TickCompletion tickCompletion)
    {
        this.tickCompletion = tickCompletion;
        return this;
    }

    /**
     * @return false when the last poll hit its fragment limit (servers' messages may be waiting).
     */
    public boolean isCaughtUp()
    {
        return caughtUp;
    }

    /**
     * The reassembly of this ingress (tests and status: buffers held).
     */
    public BoundedFragmentAssembler assembler()
    {
        return assembler;
    }

    /**
     * Candidate connections and refusals waiting for their publication (tests and status).
     */
    public int pendingCount()
    {
        return pending.size();
    }

    /**
     * Say goodbye to every welcomed server (best effort, {@link #GOODBYE_ATTEMPTS} offers each at most, counted as
     * {@code SERVER_GOODBYES_SENT}) so their links rejoin at once, then close every egress publication and the
     * subscription.
     */
    @Override
    public void close()
    {
        for (int i = 0, n = mesh.connectionCount(); i < n; i++)
        {
            final ServerConnection connection = mesh.connection(i);
            if (connection.isActive() && null != connection.publication &&
                proxy.goodbye(connection, GOODBYE_ATTEMPTS))
            {
                increment(OrreryCounter.SERVER_GOODBYES_SENT);
            }
            CloseHelper.quietClose(connection.publication);
        }
        for (int i = 0, n = pending.size(); i < n; i++)
        {
            CloseHelper.quietClose(pending.get(i).publication);
        }
        CloseHelper.quietClose(subscription);
    }

    private static void onImageGone(final Image image)
    {
        // buffers of gone images are freed by the housekeeping in poll, on the polling thread
    }

    private ControlledFragmentHandler.Action onMessage(
        final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        onFragment(buffer, offset, length, header);
        return ControlledFragmentHandler.Action.CONTINUE;
    }

    private void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (MessageValidator.validate(buffer, offset, length) < 0)
        {
            increment(OrreryCounter.SERVER_MESSAGES_MALFORMED);
            return;
        }
        headerDecoder.wrap(buffer, offset);
        final int templateId = headerDecoder.templateId();
        final int imageSessionId = header.sessionId();
        ServerConnection connection = connectionByImage.get(imageSessionId);
        if (null != connection && connection.imageSessionId != imageSessionId)
        {
            connectionByImage.remove(imageSessionId); // a replaced (or retired) session's image
            connection = null;
        }
        if (null == connection || !connection.isActive())
        {
            if (ServerHelloDecoder.TEMPLATE_ID == templateId)
            {
                if (null == connection)
                {
                    onHello(buffer, offset, imageSessionId);
                }
                else
                {
                    increment(OrreryCounter.SERVER_HELLO_COPIES_IGNORED); // its image already carried a hello
                }
            }
            else
            {
                increment(OrreryCounter.SERVER_MESSAGES_NOT_AUTHENTICATED);
            }
            return;
        }

        connection.lastHeartbeatNs = nowNs; // any authenticated message shows the server is alive
        if (ServerHelloDecoder.TEMPLATE_ID != templateId)
        {
            connection.bound = true; // and that its link took the welcome of this session
        }
        switch (templateId)
        {
            case EntityStateBatchDecoder.TEMPLATE_ID:
                stateBatchDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                if (stateBatchDecoder.serverId() != connection.serverId)
                {
                    increment(OrreryCounter.SERVER_MESSAGES_NOT_AUTHENTICATED);
                    return;
                }
                stateBatchDecoder.sbeRewind();
                mesh.onStateBatch(connection, stateBatchDecoder);
                tickCompletion.onStateIn(nowNs);
                break;

            case ServerTickEndDecoder.TEMPLATE_ID:
                tickEndDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                if (tickEndDecoder.serverId() != connection.serverId)
                {
                    increment(OrreryCounter.SERVER_MESSAGES_NOT_AUTHENTICATED);
                    return;
                }
                tickCompletion.onTickEnd(connection.serverId, nowNs);
                break;

            case LoadReportDecoder.TEMPLATE_ID:
                loadReportDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                if (loadReportDecoder.serverId() != connection.serverId)
                {
                    increment(OrreryCounter.SERVER_MESSAGES_NOT_AUTHENTICATED);
                    return;
                }
                loadReportDecoder.serverTimestampNs();
                loadReportDecoder.tick();
                final int entityCount = loadReportDecoder.entityCount();
                final int playerCount = loadReportDecoder.playerCount();
                final long tickTimeP50Ns = loadReportDecoder.tickTimeP50Ns();
                final long tickTimeMaxNs = loadReportDecoder.tickTimeMaxNs();
                final float cpuLoad = loadReportDecoder.cpuLoad();
                mesh.onLoadReport(connection, entityCount, playerCount, tickTimeP50Ns, tickTimeMaxNs, cpuLoad,
                    loadReportDecoder.timeDilationPerMille());
                break;

            case ServerHeartbeatDecoder.TEMPLATE_ID:
                heartbeatDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                if (heartbeatDecoder.serverId() != connection.serverId)
                {
                    increment(OrreryCounter.SERVER_MESSAGES_NOT_AUTHENTICATED);
                    return;
                }
                heartbeatDecoder.timestampNs(); // any authenticated message counts as heard (above)
                break;

            case EntityStreamOutDecoder.TEMPLATE_ID:
                streamOutDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                mesh.onStreamOut(connection, streamOutDecoder);
                break;

            case HandoffAcceptDecoder.TEMPLATE_ID:
                acceptDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                final long handoffId = acceptDecoder.handoffId();
                final long acceptedEntityId = acceptDecoder.entityId();
                if (acceptDecoder.serverId() != connection.serverId)
                {
                    increment(OrreryCounter.SERVER_MESSAGES_NOT_AUTHENTICATED);
                    return;
                }
                mesh.onHandoffAccept(connection, handoffId, acceptedEntityId);
                break;

            case EntityCreateRequestDecoder.TEMPLATE_ID:
                createDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                if (createDecoder.serverId() != connection.serverId)
                {
                    increment(OrreryCounter.SERVER_MESSAGES_NOT_AUTHENTICATED);
                    return;
                }
                createDecoder.sbeRewind();
                mesh.onCreate(connection, createDecoder);
                break;

            case EntityDestroyRequestDecoder.TEMPLATE_ID:
                destroyDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                if (destroyDecoder.serverId() != connection.serverId)
                {
                    increment(OrreryCounter.SERVER_MESSAGES_NOT_AUTHENTICATED);
                    return;
                }
                mesh.onDestroy(connection, destroyDecoder.entityId(), destroyDecoder.authorityEpoch());
                break;

            case ServerGoodbyeDecoder.TEMPLATE_ID:
                goodbyeDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                final int goodbyeServerId = goodbyeDecoder.serverId();
                final long goodbyeSessionId = goodbyeDecoder.serverSessionId();
                if (goodbyeServerId != connection.serverId || goodbyeSessionId != connection.serverSessionId)
                {
                    increment(OrreryCounter.SERVER_MESSAGES_NOT_AUTHENTICATED);
                    return;
                }
                mesh.onServerGoodbye(connection);
                break;

            case ServerHelloDecoder.TEMPLATE_ID:
                increment(OrreryCounter.SERVER_HELLO_COPIES_IGNORED); // a hello on a bound image
                break;

            default:
                increment(OrreryCounter.SERVER_MESSAGES_MALFORMED);
                if (!proxy.reject(connection, connection.serverId, RejectReason.malformedMessage, templateId, 0, null))
                {
                    increment(OrreryCounter.SERVER_EGRESS_BACK_PRESSURE);
                }
                break;
        }
    }

    private void onHello(final DirectBuffer buffer, final int offset, final int imageSessionId)
    {
        helloDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        final int protocolVersion = helloDecoder.protocolVersion();
        final int serverId = helloDecoder.serverId();
        final int responseStreamId = helloDecoder.responseStreamId();
        helloDecoder.tickRateHz();
        helloDecoder.maxEntities();
        helloDecoder.serverTimestampNs();
        final long helloNonce = helloDecoder.helloNonce();
        helloDecoder.wrapAuthToken(tokenView);
        final int tokenResult = tokens.verify(tokenView, 0, tokenView.capacity(), epochClock.time());
        final long tokenServerId = SessionTokens.TOKEN_LENGTH == tokenView.capacity() ?
            SessionTokens.playerId(tokenView, 0) : 0;
        final boolean refused = PROTOCOL_VERSION != protocolVersion || SessionTokens.VALID != tokenResult ||
            tokenServerId != serverId || !mesh.isKnownServer(serverId);
        if (refused)
        {
            if (null == refusals)
            {
                refusals = new RefusalBudget(limits, nowNs);
            }
            if (!refusals.tryTake(nowNs, pendingRefusals))
            {
                increment(OrreryCounter.SERVER_HELLOS_SHED); // before the response channel is even decoded
                return;
            }
        }
        final Image image = subscription.imageBySessionId(imageSessionId);
        final String responseChannel = null == image ? null : ResponseChannels.rebuild(
            helloDecoder.responseChannel(), image.sourceIdentity(),
            refused ? RefusalBudget.REFUSAL_TERM_LENGTH : egressTermLength, limits.egressMtu(),
            refused ? limits.refusalLingerNs() : limits.egressLingerNs(), limits.egressSocketSndbuf(),
            limits.egressSocketRcvbuf());
        if (null == responseChannel)
        {
            increment(OrreryCounter.SERVER_HELLOS_REJECTED);
            return;
        }

        final ServerConnection connection = new ServerConnection(-1, serverId, 0);
        connection.helloNonce = helloNonce;
        if (refused)
        {
            increment(OrreryCounter.SERVER_HELLOS_REJECTED);
            connection.state = ServerConnection.State.AWAITING_REJECT;
            refuse(connection, protocolVersion, tokenResult, tokenServerId);
            pendingRefusals++;
        }
        else
        {
            dropCandidateOf(serverId); // the newest hello of a server wins; the live connection is not touched
            connection.state = ServerConnection.State.AWAITING_WELCOME;
            connection.serverSessionId = sessionIds.nextLong() & Long.MAX_VALUE | 1L;
        }

        connection.imageSessionId = imageSessionId;
        connection.deadlineNs = nowNs + (refused ? RefusalBudget.connectTimeoutNs(connectTimeoutNs) : connectTimeoutNs);
        try
        {
            connection.registrationId = aeron.asyncAddExclusivePublication(responseChannel, responseStreamId);
            connectionByImage.put(imageSessionId, connection);
            pending.add(connection);
        }
        catch (final RuntimeException ex)
        {
            increment(OrreryCounter.SERVER_HELLOS_REJECTED);
            if (refused)
            {
                pendingRefusals--;
            }
            connection.state = ServerConnection.State.NONE;
        }
    }

    private static void refuse(
        final ServerConnection connection, final int protocolVersion, final int tokenResult, final long tokenServerId)
    {
        final int serverId = connection.serverId;
        if (PROTOCOL_VERSION != protocolVersion)
        {
            connection.rejectReason = RejectReason.unsupportedVersion;
            connection.rejectText = "protocol version " + protocolVersion + " unsupported, expected " +
                PROTOCOL_VERSION;
        }
        else if (SessionTokens.EXPIRED == tokenResult)
        {
            connection.rejectReason = RejectReason.expiredToken;
            connection.rejectText = "server token expired";
        }
        else if (SessionTokens.VALID != tokenResult || tokenServerId != serverId)
        {
            connection.rejectReason = RejectReason.badToken;
            connection.rejectText = "server token invalid for server " + serverId;
        }
        else
        {
            connection.rejectReason = RejectReason.unknownServer;
            connection.rejectText = "server " + serverId + " is not in the shard configuration";
        }
    }


    private void dropCandidateOf(final int serverId)
    {
        for (int i = pending.size() - 1; i >= 0; i--)
        {
            final ServerConnection candidate = pending.get(i);
            if (ServerConnection.State.AWAITING_WELCOME == candidate.state && candidate.serverId == serverId)
            {
                removePending(i, candidate);
            }
        }
    }

    private int progressPending()
    {
        int work = 0;
        for (int i = pending.size() - 1; i >= 0; i--)
        {
            final ServerConnection connection = pending.get(i);
            if (null == connection.publication)
            {
                try
                {
                    connection.publication = aeron.getExclusivePublication(connection.registrationId);
                }
                catch (final RegistrationException ex)
                {
                    increment(OrreryCounter.SERVER_HELLOS_REJECTED);
                    removePending(i, connection);
                    work++;
                    continue;
                }
            }
            if (null != connection.publication && connection.publication.isConnected())
            {
                if (ServerConnection.State.AWAITING_WELCOME == connection.state)
                {
                    final long base = mesh.firstFreeEntityId(connection.serverId);
                    final long count = Atlas.entityIdBase(connection.serverId) + Atlas.ENTITY_ID_BLOCK - base;
                    if (proxy.welcome(connection, nowNs, base, count, heartbeatIntervalMs, heartbeatTimeoutMs))
                    {
                        pending.remove(i);
                        final ServerConnection server = mesh.connectionOf(connection.serverId);
                        if (server.isActive() && connectionByImage.get(server.imageSessionId) == server)
                        {
                            connectionByImage.remove(server.imageSessionId); // the replaced session's image
                        }
                        mesh.onServerWelcomed(server, connection);
                        connectionByImage.put(server.imageSessionId, server);
                        work++;
                        continue;
                    }
                }
                else if (proxy.reject(connection, connection.serverId, connection.rejectReason,
                    ServerHelloDecoder.TEMPLATE_ID, 0, connection.rejectText))
                {
                    removePending(i, connection);
                    work++;
                    continue;
                }
            }
            if (nowNs - connection.deadlineNs > 0)
            {
                removePending(i, connection);
                work++;
            }
        }
        return work;
    }

    private void removePending(final int index, final ServerConnection connection)
    {
        pending.remove(index);
        if (ServerConnection.State.AWAITING_REJECT == connection.state)
        {
            pendingRefusals--;
        }
        if (connectionByImage.get(connection.imageSessionId) == connection)
        {
            connectionByImage.remove(connection.imageSessionId);
        }
        if (null != connection.publication)
        {
            CloseHelper.quietClose(connection.publication);
        }
        else if (0 != connection.registrationId)
        {
            aeron.asyncRemovePublication(connection.registrationId);
        }
        connection.publication = null;
        connection.state = ServerConnection.State.NONE;
    }

    private void increment(final OrreryCounter counter)
    {
        counters[counter.id()].incrementOrdered();
    }
}
