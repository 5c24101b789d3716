/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.server;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.Subscription;
import io.aeron.exceptions.RegistrationException;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.Header;
import io.orrery.link.BoundedFragmentAssembler;
import io.orrery.link.UdpChannels;
import io.orrery.wire.MessageValidator;
import io.orrery.wire.codec.MessageHeaderDecoder;
import io.orrery.wire.codec.ServerGoodbyeDecoder;
import io.orrery.wire.codec.ServerRejectDecoder;
import io.orrery.wire.codec.ServerWelcomeDecoder;
import org.agrona.BufferUtil;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersReader;

import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;

/**
 * The connection state machine of a {@link ServerLink}: opening the ingress publication, the hello and its nonce,
 * the welcome (or reject) that binds the link to one image of the response channel, heartbeats, silence and image
 * loss, and rejoining with jittered backoff (see {@link ServerLink} for the rules). Inbound fragments are reassembled
 * within bounds, checked for binding and validated here; the messages of a welcomed link go to the
 * {@link LayerResponseAdapter}, outbound ones through the {@link LayerProxy}, whose publication this class sets.
 * <pre>
 *   CONNECTING --publication connected, hello sent--> AWAITING_WELCOME --welcome echoing the nonce--> CONNECTED
 *       ^   (rejoining: after a backoff)                   |  reject echoing the nonce --> REJECTED
 *       |                                                  |  deadline (first join) ---> DISCONNECTED
 *       +- layer silent / image gone / goodbye (rejoin) ---+------------------------------ CONNECTED
 * </pre>
 * Goodbyes: a layer that closes cleanly sends each welcomed server a {@code ServerGoodbye} on the bound image; one
 * naming this server and session is taken as the layer lost at once ({@link ServerLink#REASON_LAYER_CLOSED}), one on
 * any other image or naming another session is dropped as foreign. Closing a welcomed link sends the layer this
 * server's own goodbye first (best effort, {@link #GOODBYE_ATTEMPTS} offers at most).
 * <p>
 * Threading: the link's duty-cycle thread only.
 */
final class LayerConnection
{
    /**
     * Term length of the ingress publication when its channel names none (a layer refuses server ingress images
     * with terms above 4 MiB, and Aeron's default UDP term is 16 MiB).
     */
    static final String INGRESS_TERM_LENGTH = "1m";

    /**
     * Offers of the goodbye on close before it is given up (back-pressure): closing never waits for the layer.
     */
    static final int GOODBYE_ATTEMPTS = 3;

    private final String ingressChannel;
    private final ServerLink link;
    private final ServerLink.Context ctx;
    private final Aeron aeron;
    private final ServerListener listener;
    private final NanoClock clock;
    private final LayerProxy proxy;
    private final LayerResponseAdapter adapter;
    private final Subscription responses;
    private final BoundedFragmentAssembler assembler;
    private final AtomicCounter responsesTooLong;
    private final AtomicCounter responseImagesRefused;
    private final AtomicCounter responseFragmentsRefused;
    private final SecureRandom random = new SecureRandom();
    private final MessageHeaderDecoder headerDecoder;
    private final ServerWelcomeDecoder welcomeDecoder = new ServerWelcomeDecoder();
    private final ServerRejectDecoder rejectDecoder = new ServerRejectDecoder();
    private final ServerGoodbyeDecoder goodbyeDecoder = new ServerGoodbyeDecoder();

    private ServerLink.State state = ServerLink.State.CONNECTING;
    private long registrationId;
    private ExclusivePublication publication;
    private long helloNonce;
    private long nowNs;
    private long deadlineNs;
    private long nextHeartbeatNs;
    private long serverSessionId;
    private long entityIdBase;
    private long entityIdCount;
    private int disconnectReason;
    private int boundImageSessionId;
    private long lastHeardNs;
    private long layerTimeoutNs;
    private boolean rejoining;
    private int rejoinAttempts;
    private long nextAttemptNs;

    private long malformedReceived;
    private long rejectsReceived;
    private long foreignMessagesDropped;
    private long layerLosses;
    private long rejoins;
    private long helloResends;
    private long layerGoodbyes;
    private long goodbyesSent;

    LayerConnection(
        final ServerLink link,
        final ServerLink.Context ctx,
        final LayerProxy proxy,
        final MessageHeaderDecoder headerDecoder,
        final LayerResponseAdapter adapter)
    {
        this.link = link;
        this.ctx = ctx;
        this.aeron = ctx.aeron();
        this.listener = ctx.listener();
        this.clock = ctx.nanoClock();
        this.proxy = proxy;
        this.headerDecoder = headerDecoder;
        this.adapter = adapter;
        final UnsafeBuffer counterValues = new UnsafeBuffer(
            BufferUtil.allocateDirectAligned(3 * CountersReader.COUNTER_LENGTH, CountersReader.COUNTER_LENGTH));
        this.responsesTooLong = new AtomicCounter(counterValues, 0);
        this.responseImagesRefused = new AtomicCounter(counterValues, 1);
        this.responseFragmentsRefused = new AtomicCounter(counterValues, 2);
        this.assembler = new BoundedFragmentAssembler(this::onMessage, ctx.responseMaxMessageLength(),
            ctx.responseMaxTermLength(), ServerLink.RESPONSE_REASSEMBLIES, responsesTooLong, responseImagesRefused,
            responseFragmentsRefused);
        this.helloNonce = random.nextLong() | 1L;
        this.responses = aeron.addSubscription(UdpChannels.tune(ctx.responseChannel()), ctx.responseStreamId(),
            assembler::refuseOversizedImage, LayerConnection::onResponseImageGone);
        this.ingressChannel = UdpChannels.withTermLength(ctx.ingressChannel(), INGRESS_TERM_LENGTH);
        this.registrationId = aeron.asyncAddExclusivePublication(ingressChannel, ctx.ingressStreamId());
        this.nowNs = clock.nanoTime();
        this.deadlineNs = nowNs + ctx.connectTimeoutNs();
    }

    int doWork()
    {
        final long previousNs = nowNs;
        nowNs = clock.nanoTime();
        switch (state)
        {
            case CONNECTED:
            {
                if (nowNs - previousNs > layerTimeoutNs >> 2)
                {
                    lastHeardNs = nowNs; // this link was not running: its silence says nothing about the layer
                }
                int work = responses.controlledPoll(assembler, ServerLink.FRAGMENT_LIMIT);
                if (ServerLink.State.CONNECTED != state)
                {
                    return work + 1;
                }
                if (nowNs - nextHeartbeatNs >= 0)
                {
                    nextHeartbeatNs = nowNs + ctx.heartbeatIntervalNs();
                    proxy.sendLoadReport(nowNs);
                    if (assembler.reassemblyCount() > 0)
                    {
                        assembler.freeBuffersOfGoneImages(responses); // buffers of other images that went away
                    }
                    work++;
                }
                if (null == responses.imageBySessionId(boundImageSessionId))
                {
                    layerLost(ServerLink.REASON_CLOSED_BY_SHARD); // the layer's image went away (others do not count)
                    work++;
                }
                else if (nowNs - lastHeardNs > layerTimeoutNs)
                {
                    layerLost(ServerLink.REASON_TIMEOUT);
                    work++;
                }
                return work;
            }

            case CONNECTING:
                return connecting();

            case AWAITING_WELCOME:
            {
                final int work = responses.controlledPoll(assembler, ServerLink.FRAGMENT_LIMIT);
                if (ServerLink.State.AWAITING_WELCOME == state && nowNs - deadlineNs > 0)
                {
                    if (rejoining)
                    {
                        resendOrAbandonHello();
                    }
                    else
                    {
                        disconnect(ServerLink.REASON_CONNECT_FAILED);
                    }
                    return work + 1;
                }
                return work;
            }

            default:
                return 0;
        }
    }

    private int connecting()
    {
        if (rejoining)
        {
            // drain what arrives meanwhile (an old layer's last messages, answers to abandoned hellos)
            responses.controlledPoll(assembler, ServerLink.FRAGMENT_LIMIT);
            if (Aeron.NULL_VALUE == registrationId)
            {
                if (nowNs - nextAttemptNs < 0)
                {
                    return 0;
                }
                helloNonce = random.nextLong() | 1L;
                registrationId = aeron.asyncAddExclusivePublication(ingressChannel, ctx.ingressStreamId());
                return 1;
            }
        }
        if (null == publication)
        {
            try
            {
                publication = aeron.getExclusivePublication(registrationId);
                proxy.publication(publication);
            }
            catch (final RegistrationException ex)
            {
                if (rejoining)
                {
                    registrationId = Aeron.NULL_VALUE;
                    scheduleAttempt();
                }
                else
                {
                    disconnect(ServerLink.REASON_CONNECT_FAILED);
                }
                return 1;
            }
        }
        if (null != publication && publication.isConnected() && proxy.sendHello(ctx, helloNonce, nowNs))
        {
            state = ServerLink.State.AWAITING_WELCOME;
            if (rejoining)
            {
                deadlineNs = nowNs + ctx.rejoinHelloTimeoutNs();
            }
            return 1;
        }
        if (!rejoining && nowNs - deadlineNs > 0)
        {
            disconnect(ServerLink.REASON_CONNECT_FAILED);
            return 1;
        }
        return 0;
    }

    /**
     * The layer went silent or its image went away: rejoin (or end, without {@link ServerLink.Context#rejoin()}).
     */
    private void layerLost(final int reason)
    {
        layerLosses++;
        disconnectReason = reason;
        if (!ctx.rejoin())
        {
            disconnect(reason);
            return;
        }
        closeResources();
        registrationId = Aeron.NULL_VALUE;
        rejoining = true;
        rejoinAttempts = 0;
        state = ServerLink.State.CONNECTING;
        scheduleAttempt();
        listener.onLayerLost(link, reason);
    }

    /**
     * A rejoin hello was not answered in time. While its publication still has the layer's subscriber, the same hello
     * (same nonce) is sent again on it: a layer that took the first hello is still answering it (a loaded layer can
     * take longer than the timeout to open the response publication) and ignores the copy, since that image already
     * carries a hello; a layer that dropped it answers the copy. Only a publication that lost its subscriber (the
     * layer went away again) is given up, with a new hello and nonce on a new publication after the next backoff. A
     * new hello while the first was being answered would have made the layer replace the session with one whose
     * welcome the link drops (nonce mismatch) and whose silence then fails it over.
     */
    private void resendOrAbandonHello()
    {
        if (null != publication && publication.isConnected())
        {
            if (proxy.sendHello(ctx, helloNonce, nowNs))
            {
                helloResends++;
                deadlineNs = nowNs + ctx.rejoinHelloTimeoutNs();
            }
            return; // back-pressured: tried again on the next duty cycle
        }
        abandonAttempt();
    }

    /**
     * A rejoin hello's publication lost the layer: drop it and try again after the next backoff.
     */
    private void abandonAttempt()
    {
        closeResources();
        registrationId = Aeron.NULL_VALUE;
        state = ServerLink.State.CONNECTING;
        scheduleAttempt();
    }

    private void scheduleAttempt()
    {
        final long backoffNs = Math.min(ctx.rejoinBackoffMaxNs(),
            ctx.rejoinBackoffInitialNs() << Math.min(rejoinAttempts, 20));
        rejoinAttempts++;
        final long halfNs = Math.max(1, backoffNs >> 1);
        nextAttemptNs = nowNs + halfNs + (random.nextLong() & Long.MAX_VALUE) % halfNs;
    }

    /**
     * A load report went out now: the next heartbeat is due one interval later.
     */
    void heartbeatSent()
    {
        nextHeartbeatNs = nowNs + ctx.heartbeatIntervalNs();
    }

    void close()
    {
        if (ServerLink.State.CLOSED == state)
        {
            return;
        }
        final boolean wasOpen = ServerLink.State.CONNECTED == state ||
            ServerLink.State.AWAITING_WELCOME == state || ServerLink.State.CONNECTING == state;
        if (ServerLink.State.CONNECTED == state &&
            ServerLink.OK == proxy.sendGoodbye(serverSessionId, GOODBYE_ATTEMPTS))
        {
            goodbyesSent++;
        }
        closeResources();
        state = ServerLink.State.CLOSED;
        if (wasOpen)
        {
            disconnectReason = ServerLink.REASON_LOCAL_CLOSE;
            listener.onDisconnected(link, ServerLink.REASON_LOCAL_CLOSE);
        }
        CloseHelper.quietClose(responses);
        ctx.close();
    }

    private void disconnect(final int reason)
    {
        rejoining = false;
        closeResources();
        CloseHelper.quietClose(responses);
        state = ServerLink.State.DISCONNECTED;
        disconnectReason = reason;
        listener.onDisconnected(link, reason);
    }

    private void closeResources()
    {
        if (null != publication)
        {
            CloseHelper.quietClose(publication);
            publication = null;
        }
        else if (ServerLink.State.CONNECTING == state && Aeron.NULL_VALUE != registrationId)
        {
            aeron.asyncRemovePublication(registrationId);
        }
        proxy.publication(null);
        proxy.abandonBatch();
        adapter.reset();
    }

    // ------------------------------------------------------------------------------------------------ inbound

    private static void onResponseImageGone(final Image image)
    {
        // reassembly buffers of gone images are freed on the duty cycle
    }

    private ControlledFragmentHandler.Action onMessage(
        final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        onFragment(buffer, offset, length, header);
        return ControlledFragmentHandler.Action.CONTINUE;
    }

    private void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (ServerLink.State.CONNECTED == state)
        {
            if (header.sessionId() != boundImageSessionId)
            {
                foreignMessagesDropped++;
                return;
            }
            lastHeardNs = nowNs;
        }
        if (MessageValidator.validate(buffer, offset, length) < 0)
        {
            malformedReceived++;
            return;
        }
        headerDecoder.wrap(buffer, offset);
        final int templateId = headerDecoder.templateId();
        if (ServerLink.State.CONNECTED != state)
        {
            onHandshake(templateId, buffer, offset, header.sessionId());
            return;
        }
        if (ServerGoodbyeDecoder.TEMPLATE_ID == templateId)
        {
            onLayerGoodbye(buffer, offset);
            return;
        }
        adapter.onMessage(templateId, buffer, offset);
    }

    /**
     * A goodbye on the bound image (the binding was checked by the caller): the layer is closing. It must name this
     * server and this session, else it is foreign (a goodbye meant for an earlier session cannot reach a new image,
     * but the check costs nothing).
     */
    private void onLayerGoodbye(final DirectBuffer buffer, final int offset)
    {
        goodbyeDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        final int goodbyeServerId = goodbyeDecoder.serverId();
        final long goodbyeSessionId = goodbyeDecoder.serverSessionId();
        if (goodbyeServerId != ctx.serverId() || goodbyeSessionId != serverSessionId)
        {
            foreignMessagesDropped++;
            return;
        }
        layerGoodbyes++;
        layerLost(ServerLink.REASON_LAYER_CLOSED);
    }

    private void onHandshake(final int templateId, final DirectBuffer buffer, final int offset,
        final int imageSessionId)
    {
        if (ServerLink.State.AWAITING_WELCOME != state)
        {
            return;
        }
        if (ServerWelcomeDecoder.TEMPLATE_ID == templateId)
        {
            onWelcome(buffer, offset, imageSessionId);
        }
        else if (ServerRejectDecoder.TEMPLATE_ID == templateId)
        {
            rejectDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
            rejectDecoder.serverId();
            final int reason = rejectDecoder.reasonRaw();
            rejectDecoder.rejectedTemplateId();
            rejectDecoder.entityId();
            if (rejectDecoder.helloNonce() != helloNonce)
            {
                foreignMessagesDropped++;
                return;
            }
            final String text = rejectDecoder.reasonText();
            rejectsReceived++;
            closeResources();
            CloseHelper.quietClose(responses);
            rejoining = false;
            state = ServerLink.State.REJECTED;
            listener.onRejected(link, reason, text);
        }
    }

    private void onWelcome(final DirectBuffer buffer, final int offset, final int imageSessionId)
    {
        welcomeDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        final int welcomedServerId = welcomeDecoder.serverId();
        final long welcomeSessionId = welcomeDecoder.serverSessionId();
        welcomeDecoder.replicationTimeNs();
        final long base = welcomeDecoder.entityIdBase();
        final long count = welcomeDecoder.entityIdCount();
        final long layerHeartbeatIntervalMs = welcomeDecoder.heartbeatIntervalMs();
        welcomeDecoder.sessionTimeoutMs();
        if (welcomedServerId != ctx.serverId() || welcomeDecoder.helloNonce() != helloNonce)
        {
            foreignMessagesDropped++;
            return;
        }
        serverSessionId = welcomeSessionId;
        entityIdBase = base;
        entityIdCount = count;
        boundImageSessionId = imageSessionId;
        layerTimeoutNs = Math.max(ctx.layerTimeoutNs(), 3 * TimeUnit.MILLISECONDS.toNanos(layerHeartbeatIntervalMs));
        lastHeardNs = nowNs;
        state = ServerLink.State.CONNECTED;
        if (rejoining)
        {
            rejoining = false;
            rejoinAttempts = 0;
            rejoins++;
        }
        nextHeartbeatNs = nowNs;
        link.onWelcomed();
        listener.onWelcome(link, serverSessionId, entityIdBase, entityIdCount);
    }

    // ------------------------------------------------------------------------------------------------ figures

    ServerLink.State state()
    {
        return state;
    }

    long nowNs()
    {
        return nowNs;
    }

    boolean isRejoining()
    {
        return rejoining;
    }

    ExclusivePublication publication()
    {
        return publication;
    }

    int disconnectReason()
    {
        return disconnectReason;
    }

    long serverSessionId()
    {
        return serverSessionId;
    }

    long entityIdBase()
    {
        return entityIdBase;
    }

    long entityIdCount()
    {
        return entityIdCount;
    }

    long layerLosses()
    {
        return layerLosses;
    }

    long rejoins()
    {
        return rejoins;
    }

    long helloResends()
    {
        return helloResends;
    }

    long layerGoodbyes()
    {
        return layerGoodbyes;
    }

    long goodbyesSent()
    {
        return goodbyesSent;
    }

    long malformedReceived()
    {
        return malformedReceived;
    }

    long rejectsReceived()
    {
        return rejectsReceived;
    }

    long foreignMessagesDropped()
    {
        return foreignMessagesDropped;
    }

    long responsesTooLong()
    {
        return responsesTooLong.get();
    }

    long responseImagesRefused()
    {
        return responseImagesRefused.get();
    }
}
