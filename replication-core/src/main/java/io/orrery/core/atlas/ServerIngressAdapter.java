/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.aeron.Aeron;
import io.aeron.ChannelUri;
import io.aeron.Counter;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.aeron.exceptions.RegistrationException;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.orrery.core.auth.SessionTokens;
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
import io.orrery.wire.codec.RevokeReason;
import io.orrery.wire.codec.ServerHeartbeatDecoder;
import io.orrery.wire.codec.ServerHelloDecoder;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.SplittableRandom;

/**
 * Polls the server ingress stream: validates every message, authenticates {@code ServerHello}s (HMAC server token in
 * the server domain, naming a server id of the shard configuration), opens each server's egress publication to the
 * response channel it names and answers {@code ServerWelcome} or {@code ServerReject}, then dispatches what welcomed
 * servers send to {@link Atlas}. A message from an Aeron session that is not a welcomed server is counted and
 * dropped; a malformed one is counted and dropped; neither affects anything else.
 * <p>
 * A hello with the id of a server that is still connected replaces it (the old connection is declared dead first),
 * so a restarted server can rejoin at once.
 * <p>
 * Threading: Replicant thread only.
 */
public final class ServerIngressAdapter implements AutoCloseable
{
    public static final int PROTOCOL_VERSION = 1;
    static final int FRAGMENT_LIMIT = 256;
    static final int MAX_RESPONSE_CHANNEL_LENGTH = 1024;
    static final String DEFAULT_TERM_LENGTH = "1m";

    private final Aeron aeron;
    private final Atlas atlas;
    private final ServerEgressProxy proxy;
    private final Counter[] counters;
    private final SessionTokens tokens;
    private final EpochClock epochClock;
    private final long connectTimeoutNs;
    private final long heartbeatIntervalMs;
    private final long heartbeatTimeoutMs;
    private final Subscription subscription;
    private final FragmentHandler assembler = new FragmentAssembler(this::onFragment);
    private final Int2ObjectHashMap<ServerConnection> connectionByImage = new Int2ObjectHashMap<>();
    private final ArrayList<ServerConnection> pending = new ArrayList<>();
    private final SplittableRandom sessionIds = new SplittableRandom(new SecureRandom().nextLong());

    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final ServerHelloDecoder helloDecoder = new ServerHelloDecoder();
    private final EntityStateBatchDecoder stateBatchDecoder = new EntityStateBatchDecoder();
    private final LoadReportDecoder loadReportDecoder = new LoadReportDecoder();
    private final ServerHeartbeatDecoder heartbeatDecoder = new ServerHeartbeatDecoder();
    private final EntityStreamOutDecoder streamOutDecoder = new EntityStreamOutDecoder();
    private final HandoffAcceptDecoder acceptDecoder = new HandoffAcceptDecoder();
    private final EntityCreateRequestDecoder createDecoder = new EntityCreateRequestDecoder();
    private final EntityDestroyRequestDecoder destroyDecoder = new EntityDestroyRequestDecoder();
    private final UnsafeBuffer tokenView = new UnsafeBuffer(0, 0);

    private long nowNs;

    public ServerIngressAdapter(
        final Aeron aeron, final String channel, final int streamId, final Atlas atlas, final ServerEgressProxy proxy,
        final Counter[] counters, final byte[] tokenSecret, final EpochClock epochClock, final long connectTimeoutNs)
    {
        this.aeron = aeron;
        this.atlas = atlas;
        this.proxy = proxy;
        this.counters = counters;
        this.tokens = SessionTokens.forServers(tokenSecret);
        this.epochClock = epochClock;
        this.connectTimeoutNs = connectTimeoutNs;
        this.heartbeatTimeoutMs = atlas.config().heartbeatTimeoutMs();
        this.heartbeatIntervalMs = Math.max(1, heartbeatTimeoutMs / 5);
        this.subscription = aeron.addSubscription(channel, streamId);
    }

    /**
     * Poll ingress and progress pending connections.
     *
     * @return work done.
     */
    public int poll(final long nowNs)
    {
        this.nowNs = nowNs;
        atlas.nowNs(nowNs);
        final int fragments = subscription.poll(assembler, FRAGMENT_LIMIT);
        // a poll that hit its limit may have left servers' messages (heartbeats among them) unread: Atlas must not
        // mistake the layer being behind for a server being silent
        atlas.ingressCaughtUp(fragments < FRAGMENT_LIMIT);
        int work = fragments;
        if (!pending.isEmpty())
        {
            work += progressPending();
        }
        return work;
    }

    @Override
    public void close()
    {
        for (int i = 0, n = atlas.connectionCount(); i < n; i++)
        {
            CloseHelper.quietClose(atlas.connection(i).publication);
        }
        for (int i = 0, n = pending.size(); i < n; i++)
        {
            CloseHelper.quietClose(pending.get(i).publication);
        }
        CloseHelper.quietClose(subscription);
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
        ServerConnection connection = connectionByImage.get(header.sessionId());
        if (null != connection && connection.imageSessionId != header.sessionId())
        {
            connectionByImage.remove(header.sessionId());
            connection = null;
        }
        if (null == connection || !connection.isActive())
        {
            if (ServerHelloDecoder.TEMPLATE_ID == templateId && null == connection)
            {
                onHello(buffer, offset, header.sessionId());
            }
            else
            {
                increment(OrreryCounter.SERVER_MESSAGES_NOT_AUTHENTICATED);
            }
            return;
        }

        connection.lastHeartbeatNs = nowNs; // any authenticated message shows the server is alive
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
                atlas.onStateBatch(connection, stateBatchDecoder);
                break;

            case LoadReportDecoder.TEMPLATE_ID:
                loadReportDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                loadReportDecoder.serverId();
                loadReportDecoder.serverTimestampNs();
                loadReportDecoder.tick();
                final int entityCount = loadReportDecoder.entityCount();
                loadReportDecoder.playerCount();
                loadReportDecoder.tickTimeP50Ns();
                loadReportDecoder.tickTimeMaxNs();
                atlas.onHeartbeat(connection, entityCount, loadReportDecoder.cpuLoad());
                break;

            case ServerHeartbeatDecoder.TEMPLATE_ID:
                heartbeatDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                atlas.onHeartbeat(connection, -1, 0);
                break;

            case EntityStreamOutDecoder.TEMPLATE_ID:
                streamOutDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                atlas.onStreamOut(connection, streamOutDecoder);
                break;

            case HandoffAcceptDecoder.TEMPLATE_ID:
                acceptDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                atlas.onHandoffAccept(connection, acceptDecoder.handoffId(), acceptDecoder.entityId());
                break;

            case EntityCreateRequestDecoder.TEMPLATE_ID:
                createDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                atlas.onCreate(connection, createDecoder);
                break;

            case EntityDestroyRequestDecoder.TEMPLATE_ID:
                destroyDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                destroyDecoder.serverId();
                atlas.onDestroy(connection, destroyDecoder.entityId(), destroyDecoder.authorityEpoch());
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
        helloDecoder.wrapAuthToken(tokenView);
        final int tokenResult = tokens.verify(tokenView, 0, tokenView.capacity(), epochClock.time());
        final long tokenServerId = SessionTokens.TOKEN_LENGTH == tokenView.capacity() ?
            SessionTokens.playerId(tokenView, 0) : 0;
        final String responseChannel = egressChannel(helloDecoder.responseChannel());
        if (null == responseChannel)
        {
            increment(OrreryCounter.SERVER_HELLOS_REJECTED);
            return;
        }

        ServerConnection connection = null;
        RejectReason reason = null;
        String text = null;
        if (PROTOCOL_VERSION != protocolVersion)
        {
            reason = RejectReason.unsupportedVersion;
            text = "protocol version " + protocolVersion + " unsupported, expected " + PROTOCOL_VERSION;
        }
        else if (SessionTokens.EXPIRED == tokenResult)
        {
            reason = RejectReason.expiredToken;
            text = "server token expired";
        }
        else if (SessionTokens.VALID != tokenResult || tokenServerId != serverId)
        {
            reason = RejectReason.badToken;
            text = "server token invalid for server " + serverId;
        }
        else if (!atlas.isKnownServer(serverId))
        {
            reason = RejectReason.unknownServer;
            text = "server " + serverId + " is not in the shard configuration";
        }
        else
        {
            connection = atlas.connectionOf(serverId);
            if (connection.isActive())
            {
                atlas.declareDead(connection, RevokeReason.shutdown);
            }
            else if (ServerConnection.State.NONE != connection.state)
            {
                dropPending(connection);
            }
            connection.resetSession();
            connection.state = ServerConnection.State.AWAITING_WELCOME;
            connection.serverSessionId = sessionIds.nextLong() & Long.MAX_VALUE | 1L;
        }

        if (null != reason)
        {
            increment(OrreryCounter.SERVER_HELLOS_REJECTED);
            connection = new ServerConnection(-1, serverId, 0);
            connection.state = ServerConnection.State.AWAITING_REJECT;
            connection.rejectReason = reason;
            connection.rejectText = text;
        }

        connection.imageSessionId = imageSessionId;
        connection.deadlineNs = nowNs + connectTimeoutNs;
        try
        {
            connection.registrationId = aeron.asyncAddExclusivePublication(responseChannel, responseStreamId);
            connectionByImage.put(imageSessionId, connection);
            pending.add(connection);
        }
        catch (final RuntimeException ex)
        {
            increment(OrreryCounter.SERVER_HELLOS_REJECTED);
            connection.state = ServerConnection.State.NONE;
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
                    final long base = atlas.firstFreeEntityId(connection.serverId);
                    final long count = Atlas.entityIdBase(connection.serverId) + Atlas.ENTITY_ID_BLOCK - base;
                    if (proxy.welcome(connection, nowNs, base, count, heartbeatIntervalMs,
                        heartbeatTimeoutMs))
                    {
                        pending.remove(i);
                        connection.state = ServerConnection.State.ACTIVE;
                        connection.connectedNs = nowNs;
                        atlas.onServerWelcomed(connection);
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
        dropPending(connection);
    }

    private void dropPending(final ServerConnection connection)
    {
        pending.remove(connection);
        connectionByImage.remove(connection.imageSessionId);
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

    private static String egressChannel(final String requested)
    {
        if (null == requested || requested.length() > MAX_RESPONSE_CHANNEL_LENGTH ||
            !(requested.startsWith("aeron:ipc") || requested.startsWith("aeron:udp")))
        {
            return null;
        }
        try
        {
            final ChannelUri uri = ChannelUri.parse(requested);
            if (null == uri.get("term-length"))
            {
                uri.put("term-length", DEFAULT_TERM_LENGTH);
            }
            return uri.toString();
        }
        catch (final RuntimeException ex)
        {
            return null;
        }
    }

    private void increment(final OrreryCounter counter)
    {
        counters[counter.id()].incrementOrdered();
    }
}
