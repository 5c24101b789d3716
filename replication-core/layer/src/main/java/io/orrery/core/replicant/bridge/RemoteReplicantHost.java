/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant.bridge;

import io.aeron.Aeron;
import io.aeron.ControlledFragmentAssembler;
import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.Header;
import io.orrery.core.common.ClientEgress;
import io.orrery.core.common.LinkKey;
import io.orrery.core.common.SessionHandover;
import io.orrery.core.replicant.ReplicantContext;
import io.orrery.core.replicant.SecondaryReplicantAgent;
import io.orrery.core.status.OrreryCounter;
import io.orrery.link.Publications;
import io.orrery.link.UdpChannels;
import io.orrery.wire.ReplicantLinkValidator;
import io.orrery.wire.feed.FeedResyncBeginDecoder;
import io.orrery.wire.replicantlink.MessageHeaderDecoder;
import io.orrery.wire.replicantlink.MessageHeaderEncoder;
import io.orrery.wire.replicantlink.ReplicantChallengeDecoder;
import io.orrery.wire.replicantlink.ReplicantClientFrameEncoder;
import io.orrery.wire.replicantlink.ReplicantHeartbeatEncoder;
import io.orrery.wire.replicantlink.ReplicantHelloEncoder;
import io.orrery.wire.replicantlink.ReplicantProofEncoder;
import io.orrery.wire.replicantlink.ReplicantRefusedDecoder;
import io.orrery.wire.replicantlink.ReplicantSessionClosedDecoder;
import io.orrery.wire.replicantlink.ReplicantSessionOpenedDecoder;
import io.orrery.wire.replicantlink.ReplicantWelcomeDecoder;
import io.orrery.wire.replicantlink.ReplicantWindowDecoder;
import io.aeron.Counter;
import org.HdrHistogram.Recorder;
import org.agrona.BitUtil;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.function.Consumer;

/**
 * A secondary Replicant in its own process: the far end of a layer's {@link ReplicantBridge}. It says hello to the
 * layer's bridge channel (its id, a nonce, its feed channel), proves the link key and checks the layer's proof
 * ({@link ReplicantLinkKey}), then copies the state feed it receives (from the first {@code FeedResyncBegin} on: a
 * new link always starts with a snapshot) into a local ring that a {@link SecondaryReplicantAgent} reads as it reads
 * the primary's ring in one process, and hands it the sessions the bridge announces. Each session's egress is a
 * {@link ClientEgress} that frames each client message with the session id back to the bridge
 * ({@code ReplicantClientFrame}) and keeps within the window the bridge last reported.
 * <p>
 * A lost layer (the feed image gone) ends every session and starts over with a hello. While linked it sends a
 * {@code ReplicantHeartbeat} every {@link #HEARTBEAT_INTERVAL_NS} on its own clock (saying whether it holds this
 * link's snapshot): the bridge declares it lost after a silence ({@code orrery.replicant.takeover.after.ms}) and the
 * primary takes its subtrees over.
 * <p>
 * While another process holds this Replicant id at the layer (two started with one id), the bridge answers each
 * hello with a {@code ReplicantRefused} instead of a challenge: counted, logged at powers of two with a line that says
 * so; it keeps saying hello and is challenged at once when the holder is lost.
 * <p>
 * Every message read is checked first ({@link ReplicantLinkValidator}: header, schema, template, block length, the
 * variable-length field within the message); a malformed one, one of another schema, or one from an image other than
 * the layer's is dropped and counted. The figures are this process's system counters ({@code REMOTE_REPLICANT_*}
 * of {@link OrreryCounter}: linked, sessions, links made and lost, feed applied, dropped before the snapshot and put
 * off for a full ring, frames sent and refused, messages refused, welcomes that did not verify), written each duty
 * cycle.
 * <p>
 * Threading: single threaded agent; it runs the secondary Replicant on its own duty cycle. Zero allocation in steady
 * state (feed in, frames out); a session announcement or a handshake allocates.
 */
public final class RemoteReplicantHost implements Agent
{
    private static final long HELLO_INTERVAL_NS = 1_000_000_000L;
    /**
     * Interval of the heartbeat to the bridge while linked: a tenth of the default takeover time, so a few lost or
     * late ones (a GC pause, a loaded box) do not make the bridge declare it lost.
     */
    public static final long HEARTBEAT_INTERVAL_NS = 100_000_000L;
    private static final int FRAGMENT_LIMIT = 256;

    private final int replicantId;
    private final NanoClock clock;
    private final ExclusivePublication toLayer;
    private final Subscription feedSubscription;
    private final String feedChannel;
    private final int feedStreamId;
    private final byte[] helloExtra;
    private final LinkKey key;
    private final Consumer<String> log;
    private final OneToOneRingBuffer ring;
    private final OneToOneConcurrentArrayQueue<SessionHandover> handovers;
    private final SecondaryReplicantAgent secondary;
    private final Counter[] counters;
    private final SecureRandom random = new SecureRandom();
    private final byte[] nonce = new byte[LinkKey.NONCE_LENGTH];
    private final byte[] layerNonce = new byte[LinkKey.NONCE_LENGTH];
    private final byte[] mac = new byte[LinkKey.MAC_LENGTH];
    private final ControlledFragmentAssembler assembler = new ControlledFragmentAssembler(this::onFragment);
    private final Long2ObjectHashMap<RemoteSessionEgress> egressBySession = new Long2ObjectHashMap<>();
    private final ArrayList<RemoteSessionEgress> closing = new ArrayList<>();
    private final UnsafeBuffer sendBuffer = new UnsafeBuffer(new byte[1024]);
    private final UnsafeBuffer frameBuffer;
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final io.orrery.wire.feed.MessageHeaderDecoder feedHeaderDecoder =
        new io.orrery.wire.feed.MessageHeaderDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final ReplicantHelloEncoder helloEncoder = new ReplicantHelloEncoder();
    private final ReplicantProofEncoder proofEncoder = new ReplicantProofEncoder();
    private final ReplicantClientFrameEncoder frameEncoder = new ReplicantClientFrameEncoder();
    private final ReplicantHeartbeatEncoder heartbeatEncoder = new ReplicantHeartbeatEncoder();
    private final ReplicantChallengeDecoder challengeDecoder = new ReplicantChallengeDecoder();
    private final ReplicantWelcomeDecoder welcomeDecoder = new ReplicantWelcomeDecoder();
    private final ReplicantRefusedDecoder refusedDecoder = new ReplicantRefusedDecoder();
    private final ReplicantSessionOpenedDecoder openedDecoder = new ReplicantSessionOpenedDecoder();
    private final ReplicantSessionClosedDecoder closedDecoder = new ReplicantSessionClosedDecoder();
    private final ReplicantWindowDecoder windowDecoder = new ReplicantWindowDecoder();

    private volatile boolean layerGone;
    private int layerImageSessionId;
    private boolean challenged;
    private boolean hasNonce;
    private boolean proven;
    private boolean synced;
    private long nextHelloNs;
    private long nextHeartbeatNs;
    private long heartbeatsSent;
    private long nowNs;

    private long feedMessages;
    private long feedMessagesDropped;
    private long framesSent;
    private long frameBytesSent;
    private long framesRefused;
    private long links;
    private long linksLost;
    private long strangerMessages;
    private long feedRingFull;
    private long welcomesRefused;
    private long challengesRefused;
    private long refusals;
    private boolean refused;

    /**
     * @param ctx           the shard's Replicant settings (as the layer's), concluded.
     * @param replicantId   this Replicant's id, 1..replicants-1.
     * @param aeron         this process's Aeron client.
     * @param clock         this process's clock.
     * @param layerChannel  the layer's bridge channel (hellos, proofs and frames go there).
     * @param layerStreamId its stream ({@link ReplicantBridge#STREAM_ID_BASE} + id by default).
     * @param feedChannel   where this process receives the feed (named in the hello).
     * @param feedStreamId  its stream.
     * @param linkSecret    the link secret ({@link ReplicantLinkKey}).
     * @param maxSessions   sessions the layer admits at most.
     * @param counters      this process's counters ({@code OrreryCounter} ids).
     * @param log           where links and refusals are reported.
     */
    public RemoteReplicantHost(
        final ReplicantContext ctx,
        final int replicantId,
        final Aeron aeron,
        final NanoClock clock,
        final String layerChannel,
        final int layerStreamId,
        final String feedChannel,
        final int feedStreamId,
        final byte[] linkSecret,
        final int maxSessions,
        final Counter[] counters,
        final Consumer<String> log)
    {
        this.replicantId = replicantId;
        this.clock = clock;
        this.feedChannel = feedChannel;
        this.feedStreamId = feedStreamId;
        this.helloExtra = LinkKey.helloExtra(feedChannel, feedStreamId);
        this.key = ReplicantLinkKey.newKey(linkSecret);
        this.log = log;
        this.counters = counters;
        this.ring = new OneToOneRingBuffer(new UnsafeBuffer(ByteBuffer.allocateDirect(
            BitUtil.findNextPositivePowerOfTwo(ctx.feedRingBytes()) + RingBufferDescriptor.TRAILER_LENGTH)));
        this.handovers = new OneToOneConcurrentArrayQueue<>(Math.max(1024, Integer.highestOneBit(maxSessions) << 2));
        this.secondary = new SecondaryReplicantAgent(ctx, replicantId, clock, maxSessions, counters, ring, handovers,
            new Recorder(3));
        this.frameBuffer = new UnsafeBuffer(new byte[64 * 1024 + 64]);
        this.toLayer = aeron.addExclusivePublication(layerChannel, layerStreamId);
        this.feedSubscription = aeron.addSubscription(
            UdpChannels.tuneLink(feedChannel), feedStreamId, null, this::onImageGone);
    }

    @Override
    public String roleName()
    {
        return "orrery-remote-replicant-" + replicantId;
    }

    @Override
    public int doWork()
    {
        nowNs = clock.nanoTime();
        int work = 0;
        if (layerGone)
        {
            layerGone = false;
            work += unlink("the layer's feed image is gone");
        }
        if (!proven && nowNs - nextHelloNs >= 0 && toLayer.isConnected())
        {
            work += sayHello();
        }
        if (proven && nowNs - nextHeartbeatNs >= 0)
        {
            work += heartbeat();
        }
        work += feedSubscription.controlledPoll(assembler, FRAGMENT_LIMIT);
        work += secondary.doWork();
        publishFigures();
        return work;
    }

    private void publishFigures()
    {
        final Counter[] counters = this.counters;
        counters[OrreryCounter.REMOTE_REPLICANT_LINKED.id()].setOrdered(proven ? 1 : 0);
        counters[OrreryCounter.REMOTE_REPLICANT_REFUSED_NOW.id()].setOrdered(refused ? 1 : 0);
        counters[OrreryCounter.REMOTE_REPLICANT_SESSIONS.id()].setOrdered(egressBySession.size());
        counters[OrreryCounter.REMOTE_REPLICANT_LINKS.id()].setOrdered(links);
        counters[OrreryCounter.REMOTE_REPLICANT_LINKS_LOST.id()].setOrdered(linksLost);
        counters[OrreryCounter.REMOTE_REPLICANT_FEED_MESSAGES.id()].setOrdered(feedMessages);
        counters[OrreryCounter.REMOTE_REPLICANT_FEED_DROPPED.id()].setOrdered(feedMessagesDropped);
        counters[OrreryCounter.REMOTE_REPLICANT_FEED_RING_FULL.id()].setOrdered(feedRingFull);
        counters[OrreryCounter.REMOTE_REPLICANT_FRAMES_SENT.id()].setOrdered(framesSent);
        counters[OrreryCounter.REMOTE_REPLICANT_FRAMES_REFUSED.id()].setOrdered(framesRefused);
        counters[OrreryCounter.REMOTE_REPLICANT_MESSAGES_REFUSED.id()].setOrdered(strangerMessages);
        counters[OrreryCounter.REMOTE_REPLICANT_WELCOMES_REFUSED.id()].setOrdered(welcomesRefused);
        counters[OrreryCounter.REMOTE_REPLICANT_REFUSED.id()].setOrdered(refusals);
    }

    private int sayHello()
    {
        if (!challenged && !hasNonce)
        {
            random.nextBytes(nonce); // one nonce per attempt: repeated hellos keep it, so any answer to them verifies
            hasNonce = true;
        }
        // the hello's own MAC: the layer spends nothing on a hello before it verified
        key.prove(ReplicantLinkKey.ROLE_HELLO, toLayer.sessionId(), replicantId, nonce, helloExtra, 0,
            helloExtra.length, mac, 0);
        helloEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .replicantId((short)replicantId)
            .responseStreamId(feedStreamId)
            .putNonce(nonce, 0, LinkKey.NONCE_LENGTH)
            .putMac(mac, 0, LinkKey.MAC_LENGTH)
            .responseChannel(feedChannel);
        nextHelloNs = nowNs + HELLO_INTERVAL_NS;

        return toLayer.offer(sendBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + helloEncoder.encodedLength()) > 0 ?
            1 : 0;
    }

    private int heartbeat()
    {
        heartbeatEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .synced((short)(synced ? 1 : 0))
            .passes(secondary.tickCount());
        if (toLayer.offer(sendBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + heartbeatEncoder.encodedLength()) > 0)
        {
            heartbeatsSent++;
            nextHeartbeatNs = nowNs + HEARTBEAT_INTERVAL_NS;
            return 1;
        }
        return 0; // again at the next duty cycle
    }

    private ControlledFragmentHandler.Action onFragment(
        final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        // every length checked before a decoder reads (a challenge's nonce, a window, a feed entity's state)
        if (ReplicantLinkValidator.validate(buffer, offset, length) < 0)
        {
            strangerMessages++;
            return ControlledFragmentHandler.Action.CONTINUE;
        }
        headerDecoder.wrap(buffer, offset);
        final int schemaId = headerDecoder.schemaId();
        final int templateId = headerDecoder.templateId();
        final int imageSessionId = header.sessionId();
        if (!proven)
        {
            if (MessageHeaderDecoder.SCHEMA_ID != schemaId)
            {
                strangerMessages++;
            }
            else if (ReplicantChallengeDecoder.TEMPLATE_ID == templateId &&
                (!challenged || imageSessionId != layerImageSessionId))
            {
                onChallenge(buffer, offset, imageSessionId);
            }
            else if (ReplicantWelcomeDecoder.TEMPLATE_ID == templateId && challenged &&
                imageSessionId == layerImageSessionId)
            {
                onWelcome(buffer, offset, imageSessionId);
            }
            else if (ReplicantRefusedDecoder.TEMPLATE_ID == templateId)
            {
                onRefused(buffer, offset, imageSessionId);
            }
            else
            {
                strangerMessages++;
            }
            return ControlledFragmentHandler.Action.CONTINUE;
        }
        if (imageSessionId != layerImageSessionId)
        {
            strangerMessages++;
            return ControlledFragmentHandler.Action.CONTINUE;
        }
        if (io.orrery.wire.feed.MessageHeaderDecoder.SCHEMA_ID == schemaId)
        {
            return onFeed(buffer, offset, length, templateId);
        }
        if (MessageHeaderDecoder.SCHEMA_ID != schemaId)
        {
            strangerMessages++;
            return ControlledFragmentHandler.Action.CONTINUE;
        }
        switch (templateId)
        {
            case ReplicantSessionOpenedDecoder.TEMPLATE_ID:
            {
                openedDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                final long sessionId = openedDecoder.sessionId();
                final RemoteSessionEgress egress = new RemoteSessionEgress(sessionId);
                if (!handovers.offer(new SessionHandover(sessionId, openedDecoder.playerEntityId(), egress, null)))
                {
                    return ControlledFragmentHandler.Action.ABORT;
                }
                egressBySession.put(sessionId, egress);
                return ControlledFragmentHandler.Action.CONTINUE;
            }
            case ReplicantSessionClosedDecoder.TEMPLATE_ID:
            {
                closedDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                final long sessionId = closedDecoder.sessionId();
                if (!handovers.offer(new SessionHandover(sessionId, closedDecoder.playerEntityId(),
                    (ClientEgress)null, null)))
                {
                    return ControlledFragmentHandler.Action.ABORT;
                }
                final RemoteSessionEgress egress = egressBySession.remove(sessionId);
                if (null != egress)
                {
                    egress.connected = false;
                }
                return ControlledFragmentHandler.Action.CONTINUE;
            }
            case ReplicantWindowDecoder.TEMPLATE_ID:
            {
                windowDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                final RemoteSessionEgress egress = egressBySession.get(windowDecoder.sessionId());
                if (null != egress)
                {
                    egress.window = windowDecoder.window();
                    egress.relayedAtReport = windowDecoder.relayed();
                    egress.connected = 0 != windowDecoder.connected();
                }
                return ControlledFragmentHandler.Action.CONTINUE;
            }
            default:
                strangerMessages++;
                return ControlledFragmentHandler.Action.CONTINUE;
        }
    }

    private ControlledFragmentHandler.Action onFeed(
        final DirectBuffer buffer, final int offset, final int length, final int templateId)
    {
        if (!synced)
        {
            if (FeedResyncBeginDecoder.TEMPLATE_ID != templateId)
            {
                feedMessagesDropped++;
                return ControlledFragmentHandler.Action.CONTINUE;
            }
            synced = true;
        }
        if (!ring.write(templateId, buffer, offset, length))
        {
            feedRingFull++;
            return ControlledFragmentHandler.Action.ABORT;
        }
        feedMessages++;
        return ControlledFragmentHandler.Action.CONTINUE;
    }

    private void onChallenge(final DirectBuffer buffer, final int offset, final int imageSessionId)
    {
        challengeDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        challengeDecoder.getMac(mac, 0, LinkKey.MAC_LENGTH);
        if (!hasNonce ||
            !key.verify(ReplicantLinkKey.ROLE_CHALLENGE, imageSessionId, toLayer.sessionId(), nonce, mac))
        {
            // not the layer's (or for no hello of this attempt): a proof for it would only end the genuine handshake
            strangerMessages++;
            challengesRefused++;
            return;
        }
        challengeDecoder.getNonce(layerNonce, 0, LinkKey.NONCE_LENGTH);
        refused = false;
        layerImageSessionId = imageSessionId;
        key.prove(ReplicantLinkKey.ROLE_REPLICANT, toLayer.sessionId(), imageSessionId, layerNonce, mac, 0);
        proofEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder).putMac(mac, 0, LinkKey.MAC_LENGTH);
        challenged =
            toLayer.offer(sendBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + proofEncoder.encodedLength()) > 0;
    }

    private void onWelcome(final DirectBuffer buffer, final int offset, final int imageSessionId)
    {
        welcomeDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        welcomeDecoder.getMac(mac, 0, LinkKey.MAC_LENGTH);
        if (!key.verify(ReplicantLinkKey.ROLE_LAYER, imageSessionId, toLayer.sessionId(), nonce, mac))
        {
            strangerMessages++;
            welcomesRefused++;
            log.accept("replicant " + replicantId + ": a welcome that does not verify from image " + imageSessionId +
                " (not the layer's key: is " + ReplicantBridgeSettings.LINK_SECRET_ENV + " the layer's?), saying " +
                "hello again");
            challenged = false;
            hasNonce = false;
            return;
        }
        proven = true;
        synced = false;
        nextHeartbeatNs = nowNs;
        links++;
        log.accept("replicant " + replicantId + ": linked to the layer's bridge (image " + imageSessionId +
            ", proven), waiting for its snapshot");
    }

    /**
     * The layer refused this hello: another process holds this Replicant id. It keeps saying hello (the layer
     * challenges it at once when the holder is lost).
     */
    private void onRefused(final DirectBuffer buffer, final int offset, final int imageSessionId)
    {
        refusedDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        refusedDecoder.getMac(mac, 0, LinkKey.MAC_LENGTH);
        if (!hasNonce || !key.verify(ReplicantLinkKey.ROLE_REFUSED, imageSessionId, toLayer.sessionId(), nonce, mac))
        {
            strangerMessages++; // not the layer's, or for another process's hello (they may share a channel)
            return;
        }
        challenged = false; // a challenge may have come before the holder was proven: the next one is answered
        refused = true;
        refusals++;
        if (0 == (refusals & (refusals - 1)))
        {
            log.accept("replicant " + replicantId + ": REFUSED by the layer's bridge: another process holds " +
                "replicant id " + replicantId + " (its image " + refusedDecoder.holderImageSessionId() + " at the " +
                "layer, this one " + toLayer.sessionId() + "). Two processes run with this id: stop one of them. " +
                "This one keeps saying hello and links at once when the other goes silent or away (refused " +
                refusals + ", logged at powers of two)");
        }
    }

    private void onImageGone(final Image image)
    {
        if (image.sessionId() == layerImageSessionId)
        {
            layerGone = true;
        }
    }

    private int unlink(final String why)
    {
        if (!proven && !challenged)
        {
            return 0;
        }
        if (proven)
        {
            linksLost++;
        }
        proven = false;
        challenged = false;
        hasNonce = false;
        synced = false;
        nextHelloNs = nowNs;
        closing.clear();
        closing.addAll(egressBySession.values());
        egressBySession.clear();
        for (int i = 0, n = closing.size(); i < n; i++)
        {
            final RemoteSessionEgress egress = closing.get(i);
            egress.connected = false;
            handovers.offer(new SessionHandover(egress.sessionId, 0, (ClientEgress)null, null));
        }
        log.accept("replicant " + replicantId + ": unlinked (" + why + "), " + closing.size() +
            " sessions ended; saying hello again");
        closing.clear();
        return 1;
    }

    @Override
    public void onClose()
    {
        CloseHelper.quietClose(feedSubscription);
        CloseHelper.quietClose(toLayer);
    }

    /**
     * The secondary Replicant this host runs. Only for use on the host's thread (or between duty cycles).
     */
    public SecondaryReplicantAgent secondary()
    {
        return secondary;
    }

    public boolean isLinked()
    {
        return proven;
    }

    /**
     * @return this process's system counters, as given (the host writes its {@code REMOTE_REPLICANT_*} ones each duty
     * cycle).
     */
    public Counter[] counters()
    {
        return counters;
    }

    /**
     * @return whether the feed is applied (a snapshot started since the link was proven).
     */
    public boolean isSynced()
    {
        return synced;
    }

    /**
     * @return heartbeats sent to the bridge.
     */
    public long heartbeatsSent()
    {
        return heartbeatsSent;
    }

    public long feedMessages()
    {
        return feedMessages;
    }

    /**
     * @return feed messages dropped before the first snapshot of a link.
     */
    public long feedMessagesDropped()
    {
        return feedMessagesDropped;
    }

    /**
     * @return bytes the link publication to the layer takes now before it back-pressures (its available window).
     */
    public long linkWindow()
    {
        return toLayer.availableWindow();
    }

    public long framesSent()
    {
        return framesSent;
    }

    public long frameBytesSent()
    {
        return frameBytesSent;
    }

    /**
     * @return frames the link publication refused (the Replicant's egress proxy sees the refusal).
     */
    public long framesRefused()
    {
        return framesRefused;
    }

    /**
     * @return links proven so far.
     */
    public long links()
    {
        return links;
    }

    /**
     * @return messages dropped: malformed ({@link ReplicantLinkValidator}), of another schema, from an image other
     * than the layer's, or a welcome that did not verify.
     */
    public long strangerMessages()
    {
        return strangerMessages;
    }

    /**
     * @return links lost (the layer's feed image gone while linked).
     */
    public long linksLost()
    {
        return linksLost;
    }

    /**
     * @return feed reads put off because the Replicant's ring was full (the message waits in the image).
     */
    public long feedRingFull()
    {
        return feedRingFull;
    }

    /**
     * @return challenges not answered: their MAC is not the layer's over this attempt's hello nonce.
     */
    public long challengesRefused()
    {
        return challengesRefused;
    }

    /**
     * @return hellos the layer refused because another process holds this Replicant id.
     */
    public long refusals()
    {
        return refusals;
    }

    /**
     * @return whether the last word of the layer's bridge was a refusal: another process holds this Replicant id.
     */
    public boolean isRefused()
    {
        return refused;
    }

    /**
     * @return welcomes that did not verify (the layer's proof under another key).
     */
    public long welcomesRefused()
    {
        return welcomesRefused;
    }

    /**
     * A session's egress as this Replicant writes it: each message framed with the session id to the bridge.
     */
    private final class RemoteSessionEgress implements ClientEgress
    {
        final long sessionId;
        boolean connected = true;
        long window;
        long relayedAtReport;
        long sent;

        RemoteSessionEgress(final long sessionId)
        {
            this.sessionId = sessionId;
        }

        @Override
        public boolean isConnected()
        {
            return connected && proven;
        }

        @Override
        public long availableWindow()
        {
            return window - (sent - relayedAtReport);
        }

        @Override
        public long position()
        {
            return sent;
        }

        @Override
        public long offer(final DirectBuffer buffer, final int offset, final int length)
        {
            if (!isConnected())
            {
                return Publication.NOT_CONNECTED;
            }
            frameEncoder.wrapAndApplyHeader(frameBuffer, 0, headerEncoder)
                .sessionId(sessionId)
                .putFrame(buffer, offset, length);
            // once more at a term rotation (ADMIN_ACTION), as the layer's own egress does: a refusal here makes the
            // Replicant resynchronise the whole view of this session
            final long result = Publications.offer(
                toLayer, frameBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + frameEncoder.encodedLength());
            if (result > 0)
            {
                sent += length;
                framesSent++;
                frameBytesSent += length;
                return sent;
            }
            framesRefused++;
            return result;
        }

        @Override
        public void close()
        {
        }
    }
}
