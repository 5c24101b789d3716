/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.persistence;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.Header;
import io.orrery.core.common.LinkKey;
import io.orrery.core.ingress.ResponseChannels;
import io.orrery.link.UdpChannels;
import io.orrery.wire.scribelink.CompletionEncoder;
import io.orrery.wire.scribelink.FlushDecoder;
import io.orrery.wire.scribelink.LoadCompleteEncoder;
import io.orrery.wire.scribelink.LoadRegionDecoder;
import io.orrery.wire.scribelink.LoadedNodeEncoder;
import io.orrery.wire.scribelink.MessageHeaderDecoder;
import io.orrery.wire.scribelink.MessageHeaderEncoder;
import io.orrery.wire.scribelink.NodeRemovalDecoder;
import io.orrery.wire.scribelink.NodeUpsertDecoder;
import io.orrery.wire.scribelink.OperationDecoder;
import io.orrery.wire.scribelink.ScribeChallengeEncoder;
import io.orrery.wire.scribelink.ScribeDurableEncoder;
import io.orrery.wire.scribelink.ScribeHelloDecoder;
import io.orrery.wire.scribelink.ScribeProofDecoder;
import io.orrery.wire.scribelink.ScribeWelcomeEncoder;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * The Scribe process's end of the Scribe link: an agent that authenticates one layer at a time, offers what it sends
 * (world changes, operations, region loads, barriers, each with the layer's sequence) to a {@link Scribe} in order,
 * and sends back completions, loaded nodes and load completions (with the layer's sequence) and, every
 * {@link #DURABLE_REPORT_INTERVAL_NS} or when it moves, how far everything received is durable ({@code ScribeDurable},
 * also the link's heartbeat). A full Scribe ring back-pressures the link (the fragment is polled again).
 * <p>
 * Authentication as on the Gateway link: ScribeHello (the layer's nonce) → ScribeChallenge (this side's nonce, on a
 * publication to the channel the hello named) → ScribeProof (HMAC over it, checked in constant time) →
 * ScribeWelcome (this side's proof). Nothing but hellos and proofs is read from a layer before its proof verified;
 * everything else is dropped and counted. A hello carries a MAC of its own ({@link RemoteScribeCodec#ROLE_HELLO},
 * over the layer's session id, its response stream id and its nonce), checked before anything is spent on the hello
 * (no publication, no handshake), at most {@link RemoteScribeCodec#MAC_CHECKS_PER_POLL} per duty cycle (the rest
 * wait in their images, which Aeron polls in turn); a hello without a valid MAC is counted and dropped. One handshake
 * at a time: a verified hello from another image replaces one only once it is {@link #HANDSHAKE_REPLACE_NS} old,
 * and is shed (counted) otherwise, so only a key holder can take or hold the handshake. The challenge carries this
 * side's MAC over the hello's nonce ({@link RemoteScribeCodec#ROLE_CHALLENGE}), so the layer answers no stranger's
 * challenge. A layer whose image goes is lost (logged, counted); what it sent stays in the Scribe's ring and is
 * written; the layer sends again what it was not told was durable once relinked.
 * <p>
 * Threading: one thread runs {@link #doWork()} (and steps the Scribe's consumer when the Scribe is in INVOKER mode).
 */
public final class RemoteScribeHost implements Agent
{
    /**
     * How often the durable sequence is sent even when it did not move: the link's heartbeat.
     */
    public static final long DURABLE_REPORT_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(100);
    static final long HANDSHAKE_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);
    static final long HANDSHAKE_REPLACE_NS = TimeUnit.SECONDS.toNanos(1);
    private static final int HEADER = MessageHeaderEncoder.ENCODED_LENGTH;
    private static final int NO_SESSION = 0;
    private static final int SEQUENCE_BITS = 48;
    private static final long SEQUENCE_MASK = (1L << SEQUENCE_BITS) - 1;
    private static final long GENERATION_MASK = (1L << (63 - SEQUENCE_BITS)) - 1;
    private static final int FRAGMENT_LIMIT = 64;
    private static final int OFFER_ATTEMPTS = 3;
    /**
     * Term length of the publication to the layer, whatever its hello asks for: outcomes and loaded nodes are small,
     * and a resend after a relink is paced by the window (Aeron's default term length for UDP).
     */
    public static final int RESPONSE_TERM_LENGTH = 16 * 1024 * 1024;
    private static final long RESPONSE_LINGER_NS = TimeUnit.SECONDS.toNanos(5);
    /**
     * Longest response channel a hello may name; a longer one is refused before its MAC is checked.
     */
    private static final int MAX_CHANNEL_LENGTH = 512;

    private final Aeron aeron;
    private final Scribe scribe;
    private final Subscription subscription;
    private final LinkKey key;
    private final NanoClock clock;
    private final PrintStream log;
    private final String name;
    private final SecureRandom random = new SecureRandom();
    private final long[] pairLayer;
    private final long[] pairLocal;
    private final int pairMask;
    private final AtomicCounter links;
    private final AtomicCounter linksLost;
    private final AtomicCounter proofsFailed;
    private final AtomicCounter messagesRefused;
    private final AtomicCounter hellosRefused;
    private final AtomicCounter hellosShed;

    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final ScribeHelloDecoder helloDecoder = new ScribeHelloDecoder();
    private final ScribeProofDecoder proofDecoder = new ScribeProofDecoder();
    private final NodeUpsertDecoder upsertDecoder = new NodeUpsertDecoder();
    private final NodeRemovalDecoder removalDecoder = new NodeRemovalDecoder();
    private final OperationDecoder operationDecoder = new OperationDecoder();
    private final LoadRegionDecoder loadDecoder = new LoadRegionDecoder();
    private final FlushDecoder flushDecoder = new FlushDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final ScribeChallengeEncoder challengeEncoder = new ScribeChallengeEncoder();
    private final ScribeWelcomeEncoder welcomeEncoder = new ScribeWelcomeEncoder();
    private final CompletionEncoder completionEncoder = new CompletionEncoder();
    private final LoadedNodeEncoder loadedNodeEncoder = new LoadedNodeEncoder();
    private final LoadCompleteEncoder loadCompleteEncoder = new LoadCompleteEncoder();
    private final ScribeDurableEncoder durableEncoder = new ScribeDurableEncoder();
    private final UnsafeBuffer sendBuffer =
        new UnsafeBuffer(ByteBuffer.allocateDirect(RemoteScribeCodec.MAX_MESSAGE_LENGTH + 64));
    private final NodeRecord node = new NodeRecord();
    private final byte[] nonce = new byte[LinkKey.NONCE_LENGTH];
    private final byte[] layerNonce = new byte[LinkKey.NONCE_LENGTH];
    private final byte[] helloNonce = new byte[LinkKey.NONCE_LENGTH];
    private final byte[] replacedNonce = new byte[LinkKey.NONCE_LENGTH];
    private int replacedLayerSessionId = NO_SESSION;
    private long channelsRefused;
    private long hellosUnsigned;
    private long hellosRepeated;
    private long hellosOfOldVersion;
    private long hellosWaiting;
    private int macChecks;
    private int replacedScribeSessionId = NO_SESSION;
    private final byte[] mac = new byte[LinkKey.MAC_LENGTH];
    /**
     * The hello being checked: what its MAC covers after the {@link LinkKey} fields (response stream, channel).
     */
    private final byte[] helloExtra = new byte[4 + MAX_CHANNEL_LENGTH];
    private final ControlledFragmentHandler fragmentHandler = this::onFragment;
    private final CompletionHandler completionHandler = new CompletionHandler()
    {
        @Override
        public void onCompletion(
            final int operationType,
            final long operationId,
            final long correlationId,
            final int status,
            final int firstStatus,
            final long value)
        {
            sendCompletion(operationType, operationId, correlationId, status, firstStatus, value, null);
        }

        @Override
        public void onCompletion(
            final int operationType,
            final long operationId,
            final long correlationId,
            final int status,
            final int firstStatus,
            final long value,
            final NodeRecord node)
        {
            sendCompletion(operationType, operationId, correlationId, status, firstStatus, value, node);
        }
    };
    private final LoadHandler loadHandler = new LoadHandler()
    {
        @Override
        public void onLoadedNode(final long correlationId, final NodeRecord node)
        {
            sendLoadedNode(correlationId, node);
        }

        @Override
        public void onLoadComplete(final long correlationId, final int nodeCount)
        {
            sendLoadComplete(correlationId, nodeCount);
        }
    };

    private ExclusivePublication handshakePublication;
    private int handshakeSessionId = NO_SESSION;
    private long handshakeStartNs;
    private boolean challengeSent;
    private ExclusivePublication linkPublication;
    private volatile int linkedSessionId = NO_SESSION; // the agent's thread writes; isLinked() from any thread
    private long lastReceived = -1;
    private long lastReportedDurable = -1;
    private long pairHead;
    private long pairTail;
    private long nowNs;
    private long nextDurableReportNs;
    private long generation;

    /**
     * @param aeron      the process's Aeron client.
     * @param scribe     the launched Scribe it feeds (in INVOKER mode this agent steps it).
     * @param channel    the channel layers send to.
     * @param streamId   their stream.
     * @param linkSecret the Scribe link secret (at least 16 bytes).
     * @param log        where link events are said.
     */
    public RemoteScribeHost(
        final Aeron aeron,
        final Scribe scribe,
        final String channel,
        final int streamId,
        final byte[] linkSecret,
        final PrintStream log)
    {
        this(aeron, scribe, channel, streamId, linkSecret, log, SystemNanoClock.INSTANCE);
    }

    RemoteScribeHost(
        final Aeron aeron,
        final Scribe scribe,
        final String channel,
        final int streamId,
        final byte[] linkSecret,
        final PrintStream log,
        final NanoClock clock)
    {
        if (null == linkSecret || linkSecret.length < 16)
        {
            throw new IllegalArgumentException("a link secret of at least 16 bytes is required");
        }
        this.aeron = aeron;
        this.scribe = scribe;
        this.key = RemoteScribeCodec.newKey(linkSecret);
        this.clock = clock;
        this.log = log;
        this.name = scribe.context().name();
        final int pairs = Integer.highestOneBit(Math.max(2, scribe.capacity())) * 4;
        pairLayer = new long[pairs];
        pairLocal = new long[pairs];
        pairMask = pairs - 1;
        links = aeron.addCounter(RemoteScribe.COUNTER_TYPE_ID, "Scribe host layers linked: " + name);
        linksLost = aeron.addCounter(RemoteScribe.COUNTER_TYPE_ID, "Scribe host layer links lost: " + name);
        proofsFailed = aeron.addCounter(RemoteScribe.COUNTER_TYPE_ID, "Scribe host proofs failed: " + name);
        messagesRefused = aeron.addCounter(
            RemoteScribe.COUNTER_TYPE_ID, "Scribe host messages refused (not authenticated): " + name);
        hellosRefused = aeron.addCounter(
            RemoteScribe.COUNTER_TYPE_ID, "Scribe host hellos refused (no valid MAC: not the link key): " + name);
        hellosShed = aeron.addCounter(
            RemoteScribe.COUNTER_TYPE_ID, "Scribe host hellos shed (a handshake under 1 s old under way): " + name);
        subscription = aeron.addSubscription(UdpChannels.tuneLink(channel), streamId);
    }

    @Override
    public String roleName()
    {
        return "orrery-scribe-host";
    }

    @Override
    public int doWork()
    {
        nowNs = clock.nanoTime();
        macChecks = 0;
        int work = scribe.doWork();
        work += subscription.controlledPoll(fragmentHandler, FRAGMENT_LIMIT);
        work += handshake();
        if (NO_SESSION != linkedSessionId && null == subscription.imageBySessionId(linkedSessionId))
        {
            onLinkLost("its publication went");
        }
        work += sendOutcomes();
        return work;
    }

    @Override
    public void onClose()
    {
        CloseHelper.quietCloseAll(handshakePublication, linkPublication, subscription, links, linksLost,
            proofsFailed, messagesRefused, hellosRefused, hellosShed);
    }

    /**
     * @return whether a layer is linked now. Any thread.
     */
    public boolean isLinked()
    {
        return NO_SESSION != linkedSessionId;
    }

    public long links()
    {
        return links.get();
    }

    /**
     * @return linked layers lost (image gone or silent).
     */
    public long linksLost()
    {
        return linksLost.get();
    }

    public long proofsFailed()
    {
        return proofsFailed.get();
    }

    public long messagesRefused()
    {
        return messagesRefused.get();
    }

    /**
     * @return hellos dropped because their MAC did not verify (not the link key), or of a version without one.
     */
    public long hellosRefused()
    {
        return hellosRefused.get();
    }

    /**
     * @return verified hellos shed: another layer's handshake under {@link #HANDSHAKE_REPLACE_NS} old was under way.
     */
    public long hellosShed()
    {
        return hellosShed.get();
    }

    /**
     * @return hellos put off to a later duty cycle: {@link RemoteScribeCodec#MAC_CHECKS_PER_POLL} MACs checked already.
     */
    public long hellosWaiting()
    {
        return hellosWaiting;
    }

    /**
     * @return verified hellos of the layer's attempt under way (its session, its nonce) that kept its handshake.
     */
    public long hellosRepeated()
    {
        return hellosRepeated;
    }

    @Override
    public String toString()
    {
        return "RemoteScribeHost{linked=" + linkedSessionId + ", handshake=" + handshakeSessionId + ", challengeSent=" +
            challengeSent + ", handshakeConnected=" + (null != handshakePublication &&
            handshakePublication.isConnected()) + ", images=" + subscription.imageCount() + ", links=" + links.get() +
            ", proofsFailed=" + proofsFailed.get() + ", refused=" + messagesRefused.get() + ", hellosRefused=" +
            hellosRefused.get() + ", hellosShed=" + hellosShed.get() + ", hellosRepeated=" + hellosRepeated +
            ", lastReceived=" + lastReceived + ", reportedDurable=" + lastReportedDurable + "}";
    }

    private int handshake()
    {
        if (null == handshakePublication)
        {
            return 0;
        }
        if (nowNs - handshakeStartNs > HANDSHAKE_TIMEOUT_NS)
        {
            endHandshake();
            return 1;
        }
        if (!challengeSent && handshakePublication.isConnected())
        {
            key.prove(RemoteScribeCodec.ROLE_CHALLENGE, handshakePublication.sessionId(), handshakeSessionId,
                layerNonce, mac, 0);
            challengeEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
                .putNonce(nonce, 0, LinkKey.NONCE_LENGTH)
                .putMac(mac, 0, LinkKey.MAC_LENGTH);
            challengeSent = handshakePublication.offer(sendBuffer, 0, HEADER + challengeEncoder.encodedLength()) > 0;
            return 1;
        }
        return 0;
    }

    private void endHandshake()
    {
        CloseHelper.quietClose(handshakePublication);
        handshakePublication = null;
        handshakeSessionId = NO_SESSION;
        challengeSent = false;
    }

    private int sendOutcomes()
    {
        final long durableLocal = scribe.durableSequence(); // read first: every outcome it covers is on the rings
        int work = 0;
        boolean drained = true;
        while (true)
        {
            if (null != linkPublication && linkPublication.availableWindow() < RemoteScribeCodec.MAX_MESSAGE_LENGTH)
            {
                drained = false;
                break;
            }
            final int polled = scribe.pollCompletions(completionHandler, 1);
            if (0 == polled)
            {
                break;
            }
            work += polled;
        }
        while (true)
        {
            if (null != linkPublication && linkPublication.availableWindow() < RemoteScribeCodec.MAX_MESSAGE_LENGTH)
            {
                drained = false;
                break;
            }
            final int polled = scribe.pollLoads(loadHandler, 1);
            if (0 == polled)
            {
                break;
            }
            work += polled;
        }
        if (null == linkPublication || !drained)
        {
            return work;
        }

        long durableLayer = lastReportedDurable;
        while (pairHead < pairTail && pairLocal[(int)(pairHead & pairMask)] <= durableLocal)
        {
            durableLayer = pairLayer[(int)(pairHead & pairMask)];
            pairHead++;
        }
        if (pairHead == pairTail)
        {
            durableLayer = lastReceived;
        }
        if (durableLayer > lastReportedDurable || nowNs >= nextDurableReportNs)
        {
            durableEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder).sequence(durableLayer);
            if (linkPublication.offer(sendBuffer, 0, HEADER + durableEncoder.encodedLength()) > 0)
            {
                lastReportedDurable = durableLayer;
                nextDurableReportNs = nowNs + DURABLE_REPORT_INTERVAL_NS;
                work++;
            }
        }
        return work;
    }

    private void sendCompletion(
        final int operationType,
        final long operationId,
        final long correlationId,
        final int status,
        final int firstStatus,
        final long value,
        final NodeRecord unstowNode)
    {
        if (null == linkPublication || !isCurrent(correlationId))
        {
            return; // the layer that asked is gone: it sends the operation again, which replays this outcome
        }
        final CompletionEncoder encoder = completionEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .sequence(correlationId & SEQUENCE_MASK)
            .operationType(operationType)
            .operationId(operationId)
            .status(status)
            .firstStatus(firstStatus)
            .value(value)
            .hasNode((short)(null != unstowNode ? 1 : 0));
        final NodeRecord record = null != unstowNode ? unstowNode : node.reset();
        RemoteScribeCodec.encode(encoder.node(), record);
        encoder.putComponentState(record.componentState, 0, record.componentStateLength);
        offerOrDrop(HEADER + encoder.encodedLength());
    }

    private void sendLoadedNode(final long correlationId, final NodeRecord loaded)
    {
        if (null == linkPublication || !isCurrent(correlationId))
        {
            return;
        }
        final LoadedNodeEncoder encoder = loadedNodeEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .sequence(correlationId & SEQUENCE_MASK);
        RemoteScribeCodec.encode(encoder.node(), loaded);
        encoder.putComponentState(loaded.componentState, 0, loaded.componentStateLength);
        offerOrDrop(HEADER + encoder.encodedLength());
    }

    private void sendLoadComplete(final long correlationId, final int nodeCount)
    {
        if (null == linkPublication || !isCurrent(correlationId))
        {
            return;
        }
        loadCompleteEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .sequence(correlationId & SEQUENCE_MASK)
            .nodeCount(nodeCount);
        offerOrDrop(HEADER + loadCompleteEncoder.encodedLength());
    }

    /**
     * An outcome that cannot be sent is not kept: the link is dropped instead, and the layer, relinking, sends the
     * operation or load again (an operation replays its outcome).
     */
    private void offerOrDrop(final int length)
    {
        for (int i = 0; i < OFFER_ATTEMPTS; i++)
        {
            final long result = linkPublication.offer(sendBuffer, 0, length);
            if (result > 0)
            {
                return;
            }
            if (Publication.NOT_CONNECTED == result || Publication.CLOSED == result ||
                Publication.MAX_POSITION_EXCEEDED == result)
            {
                break;
            }
        }
        onLinkLost("an outcome could not be sent");
    }

    private void onLinkLost(final String why)
    {
        log.println("orrery: Scribe " + name + " lost its layer (" + why + "); what it sent is written, " +
            "the layer sends again what it was not told was durable");
        linksLost.incrementRelease();
        CloseHelper.quietClose(linkPublication);
        linkPublication = null;
        linkedSessionId = NO_SESSION;
    }

    private ControlledFragmentHandler.Action onFragment(
        final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (!RemoteScribeCodec.isValid(headerDecoder, buffer, offset, length))
        {
            messagesRefused.incrementRelease();
            return ControlledFragmentHandler.Action.CONTINUE;
        }
        final int templateId = headerDecoder.templateId();
        final int sessionId = header.sessionId();
        if (ScribeHelloDecoder.TEMPLATE_ID == templateId)
        {
            return onHello(buffer, offset, length, sessionId);
        }
        if (ScribeProofDecoder.TEMPLATE_ID == templateId)
        {
            onProof(buffer, offset, sessionId);
            return ControlledFragmentHandler.Action.CONTINUE;
        }
        if (NO_SESSION == linkedSessionId || sessionId != linkedSessionId)
        {
            messagesRefused.incrementRelease();
            return ControlledFragmentHandler.Action.CONTINUE;
        }
        return onLinkedMessage(templateId, buffer, offset, length);
    }

    private ControlledFragmentHandler.Action onHello(
        final DirectBuffer buffer, final int offset, final int length, final int sessionId)
    {
        if (headerDecoder.version() < ScribeHelloDecoder.SCHEMA_VERSION ||
            headerDecoder.blockLength() < ScribeHelloDecoder.BLOCK_LENGTH)
        {
            hellosRefused.incrementRelease();
            if (Long.bitCount(++hellosOfOldVersion) == 1)
            {
                log.println("orrery: Scribe " + name + " refused a hello of schema version " +
                    headerDecoder.version() + " (" + hellosOfOldVersion + " so far, logged at powers of two): " +
                    "its MAC does not cover its channel (version 2) or it carries none (version 1): the layer needs " +
                    "the Scribe link of version " + ScribeHelloDecoder.SCHEMA_VERSION + ", as this Scribe process");
            }
            return ControlledFragmentHandler.Action.CONTINUE;
        }
        if (macChecks >= RemoteScribeCodec.MAC_CHECKS_PER_POLL)
        {
            // the hello waits in its image; the other images go on, and Aeron starts each poll at the next image
            hellosWaiting++;
            return ControlledFragmentHandler.Action.ABORT;
        }
        macChecks++;
        // nothing spent on a hello before its MAC verified: no publication, no handshake, no log line beyond the
        // counted refusal (logged at powers of two)
        helloDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        final int responseStreamId = helloDecoder.responseStreamId();
        helloDecoder.getNonce(helloNonce, 0, LinkKey.NONCE_LENGTH);
        helloDecoder.getMac(mac, 0, LinkKey.MAC_LENGTH);
        final int channelLength = helloDecoder.responseChannelLength();
        if (channelLength <= 0 || channelLength > MAX_CHANNEL_LENGTH ||
            helloDecoder.limit() + ScribeHelloDecoder.responseChannelHeaderLength() + channelLength > offset + length)
        {
            messagesRefused.incrementRelease();
            return ControlledFragmentHandler.Action.CONTINUE;
        }
        LinkKey.putHelloStream(responseStreamId, helloExtra);
        helloDecoder.getResponseChannel(helloExtra, 4, channelLength);
        if (!key.verify(RemoteScribeCodec.ROLE_HELLO, sessionId, responseStreamId, helloNonce, helloExtra, 0,
            4 + channelLength, mac))
        {
            hellosRefused.incrementRelease();
            if (Long.bitCount(++hellosUnsigned) == 1)
            {
                log.println("orrery: Scribe " + name + " refused a hello without a valid MAC from session " +
                    sessionId + " (" + hellosUnsigned + " so far, logged at powers of two): not the link key");
            }
            return ControlledFragmentHandler.Action.CONTINUE;
        }
        if (null != handshakePublication && sessionId == handshakeSessionId &&
            Arrays.equals(helloNonce, layerNonce))
        {
            // the layer's hellos repeat (every 250 ms) until a challenge reaches it: one of the attempt under way
            // keeps its handshake. Replacing it would send a second challenge while the layer's proof of the first
            // is on its way, and with two such hellos in a row (a challenge's image slow to connect: a cold process,
            // a loaded host) that proof matched neither the new challenge nor the replaced one and failed
            hellosRepeated++;
            return ControlledFragmentHandler.Action.CONTINUE;
        }
        if (null != handshakePublication && sessionId != handshakeSessionId &&
            nowNs - handshakeStartNs < HANDSHAKE_REPLACE_NS)
        {
            hellosShed.incrementRelease();
            final long shed = hellosShed.get();
            if (Long.bitCount(shed) == 1)
            {
                log.println("orrery: Scribe " + name + " shed a verified hello from session " + sessionId +
                    ": the handshake of session " + handshakeSessionId + " is under " +
                    TimeUnit.NANOSECONDS.toMillis(HANDSHAKE_REPLACE_NS) + " ms old (shed " + shed +
                    ", logged at powers of two)");
            }
            return ControlledFragmentHandler.Action.CONTINUE;
        }
        // control path: one hello a handshake. Nothing the peer wrote reaches the driver but the media and, on UDP,
        // an endpoint on the host its image comes from: not a term length (a peer not yet proven would have this
        // process map what it asks for), not a third party's address to send challenges to
        final Image image = subscription.imageBySessionId(sessionId);
        final String responseChannel = null == image ? null : ResponseChannels.rebuild(
            new String(helloExtra, 4, channelLength, StandardCharsets.US_ASCII), image.sourceIdentity(),
            RESPONSE_TERM_LENGTH, 0, RESPONSE_LINGER_NS);
        if (null == responseChannel)
        {
            messagesRefused.incrementRelease();
            if (Long.bitCount(++channelsRefused) == 1)
            {
                log.println("orrery: Scribe " + name + " refused a hello (" + channelsRefused + " so far): its " +
                    "response channel is not on the host it came from, or not a plain IPC or UDP unicast channel");
            }
            return ControlledFragmentHandler.Action.CONTINUE;
        }
        rememberReplacedChallenge(sessionId);
        endHandshake();
        try
        {
            handshakePublication = aeron.addExclusivePublication(responseChannel, responseStreamId);
        }
        catch (final RuntimeException ex)
        {
            messagesRefused.incrementRelease();
            log.println("orrery: Scribe " + name + " cannot answer a hello on " + responseChannel + ": " + ex);
            return ControlledFragmentHandler.Action.CONTINUE;
        }
        random.nextBytes(nonce);
        System.arraycopy(helloNonce, 0, layerNonce, 0, LinkKey.NONCE_LENGTH);
        handshakeSessionId = sessionId;
        handshakeStartNs = nowNs;
        challengeSent = false;
        return ControlledFragmentHandler.Action.CONTINUE;
    }

    /**
     * A hello from the layer this side already challenged replaces that challenge; the layer's proof of the replaced
     * one may still be on its way (its hellos repeat until a challenge arrives), so keep what it proves over to tell
     * it from a failed proof.
     */
    private void rememberReplacedChallenge(final int sessionId)
    {
        if (null != handshakePublication && challengeSent && sessionId == handshakeSessionId)
        {
            System.arraycopy(nonce, 0, replacedNonce, 0, LinkKey.NONCE_LENGTH);
            replacedLayerSessionId = sessionId;
            replacedScribeSessionId = handshakePublication.sessionId();
        }
        else
        {
            replacedLayerSessionId = NO_SESSION;
        }
    }

    private void onProof(final DirectBuffer buffer, final int offset, final int sessionId)
    {
        if (null == handshakePublication || sessionId != handshakeSessionId || !challengeSent)
        {
            messagesRefused.incrementRelease();
            return;
        }
        proofDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        proofDecoder.getMac(mac, 0, LinkKey.MAC_LENGTH);
        if (!key.verify(RemoteScribeCodec.ROLE_LAYER, sessionId, handshakePublication.sessionId(), nonce, mac))
        {
            if (sessionId == replacedLayerSessionId && key.verify(
                RemoteScribeCodec.ROLE_LAYER, sessionId, replacedScribeSessionId, replacedNonce, mac))
            {
                // the layer's answer to the challenge its next hello replaced (its hellos crossed our challenge):
                // a genuine proof, only late; the handshake goes on and the answer to the new challenge follows
                messagesRefused.incrementRelease();
                return;
            }
            proofsFailed.incrementRelease();
            log.println("orrery: Scribe " + name + " refused a layer whose proof failed (session " + sessionId + ")");
            endHandshake();
            return;
        }
        key.prove(RemoteScribeCodec.ROLE_SCRIBE, handshakePublication.sessionId(), sessionId, layerNonce, mac, 0);
        welcomeEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder).putMac(mac, 0, LinkKey.MAC_LENGTH);
        if (handshakePublication.offer(sendBuffer, 0, HEADER + welcomeEncoder.encodedLength()) < 0)
        {
            endHandshake();
            return;
        }
        if (null != linkPublication)
        {
            CloseHelper.quietClose(linkPublication);
        }
        linkPublication = handshakePublication;
        linkedSessionId = sessionId;
        handshakePublication = null;
        handshakeSessionId = NO_SESSION;
        challengeSent = false;
        lastReceived = -1;
        lastReportedDurable = -1;
        pairHead = 0;
        pairTail = 0;
        nextDurableReportNs = nowNs;
        links.incrementRelease();
        generation = (generation + 1) & GENERATION_MASK;
        log.println("orrery: Scribe " + name + " linked a layer (session " + sessionId + ")");
    }

    private ControlledFragmentHandler.Action onLinkedMessage(
        final int templateId, final DirectBuffer buffer, final int offset, final int length)
    {
        if (pairTail - pairHead > pairMask)
        {
            return ControlledFragmentHandler.Action.ABORT; // too much not yet durable: wait for the store
        }
        switch (templateId)
        {
            case NodeUpsertDecoder.TEMPLATE_ID:
            {
                upsertDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                final long sequence = upsertDecoder.sequence();
                if (sequence <= lastReceived)
                {
                    return ControlledFragmentHandler.Action.CONTINUE;
                }
                RemoteScribeCodec.decode(upsertDecoder.node(), node);
                final int stateLength = upsertDecoder.componentStateLength();
                if (!RemoteScribeCodec.isStateLengthValid(stateLength,
                    upsertDecoder.limit() + NodeUpsertDecoder.componentStateHeaderLength(), offset + length))
                {
                    messagesRefused.incrementRelease();
                    return ControlledFragmentHandler.Action.CONTINUE;
                }
                node.componentStateLength = upsertDecoder.getComponentState(node.componentState, 0, stateLength);
                return taken(sequence, scribe.offerNodeUpsert(node));
            }

            case NodeRemovalDecoder.TEMPLATE_ID:
            {
                removalDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                final long sequence = removalDecoder.sequence();
                if (sequence <= lastReceived)
                {
                    return ControlledFragmentHandler.Action.CONTINUE;
                }
                return taken(sequence, scribe.offerNodeRemoval(removalDecoder.entityId()));
            }

            case OperationDecoder.TEMPLATE_ID:
                return onOperation(buffer, offset, length);

            case LoadRegionDecoder.TEMPLATE_ID:
            {
                final LoadRegionDecoder d = loadDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                final long sequence = d.sequence();
                if (sequence <= lastReceived)
                {
                    return ControlledFragmentHandler.Action.CONTINUE;
                }
                return taken(sequence, scribe.offerLoadRegion(
                    correlation(sequence), d.zoneId(), d.minX(), d.minY(), d.minZ(), d.maxX(), d.maxY(), d.maxZ()));
            }

            case FlushDecoder.TEMPLATE_ID:
            {
                flushDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                final long sequence = flushDecoder.sequence();
                if (sequence <= lastReceived)
                {
                    return ControlledFragmentHandler.Action.CONTINUE;
                }
                return taken(sequence, Scribe.BACK_PRESSURED != scribe.flushNow());
            }

            default:
                messagesRefused.incrementRelease();
                return ControlledFragmentHandler.Action.CONTINUE;
        }
    }

    private ControlledFragmentHandler.Action onOperation(
        final DirectBuffer buffer, final int offset, final int length)
    {
        final OperationDecoder d = operationDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        final long sequence = d.sequence();
        if (sequence <= lastReceived)
        {
            return ControlledFragmentHandler.Action.CONTINUE;
        }
        final short kind = d.kind();
        final int lookupType = d.lookupType();
        final long operationId = d.operationId();
        final long playerId = d.playerId();
        final long containerId = d.containerId();
        final long itemId = d.itemId();
        final int factionId = d.factionId();
        final long delta = d.delta();
        RemoteScribeCodec.decode(d.node(), node);
        final int stateLength = d.componentStateLength();
        if (!RemoteScribeCodec.isStateLengthValid(
            stateLength, d.limit() + OperationDecoder.componentStateHeaderLength(), offset + length))
        {
            messagesRefused.incrementRelease();
            return ControlledFragmentHandler.Action.CONTINUE;
        }
        node.componentStateLength = d.getComponentState(node.componentState, 0, stateLength);
        final boolean taken;
        switch (kind)
        {
            case RemoteScribeCodec.KIND_STOW:
                taken = scribe.offerStow(operationId, correlation(sequence), playerId, containerId, node);
                break;

            case RemoteScribeCodec.KIND_UNSTOW:
                taken = scribe.offerUnstow(operationId, correlation(sequence), playerId, node);
                break;

            case RemoteScribeCodec.KIND_LOOKUP:
                if (OperationType.STOW != lookupType && OperationType.UNSTOW != lookupType)
                {
                    messagesRefused.incrementRelease();
                    return ControlledFragmentHandler.Action.CONTINUE;
                }
                taken = scribe.offerOperationLookup(
                    lookupType, operationId, correlation(sequence), playerId, itemId);
                break;

            case RemoteScribeCodec.KIND_WALLET:
                taken = scribe.offerWalletChange(operationId, correlation(sequence), playerId, delta);
                break;

            case RemoteScribeCodec.KIND_REPUTATION:
                taken = scribe.offerReputationChange(operationId, correlation(sequence), playerId, factionId, delta);
                break;

            default:
                messagesRefused.incrementRelease();
                return ControlledFragmentHandler.Action.CONTINUE;
        }
        return taken(sequence, taken);
    }

    /**
     * The correlation id an offer carries into Scribe: the layer's sequence and the link's generation, so that an
     * outcome of an earlier link (perhaps another layer's, with the same sequences) is never sent on this one.
     */
    private long correlation(final long sequence)
    {
        return (generation << SEQUENCE_BITS) | (sequence & SEQUENCE_MASK);
    }

    private boolean isCurrent(final long correlationId)
    {
        return (correlationId >>> SEQUENCE_BITS) == generation;
    }

    private ControlledFragmentHandler.Action taken(final long sequence, final boolean taken)
    {
        if (!taken)
        {
            return ControlledFragmentHandler.Action.ABORT; // Scribe's ring is full: polled again next cycle
        }
        final int index = (int)(pairTail & pairMask);
        pairLayer[index] = sequence;
        pairLocal[index] = scribe.lastOfferedSequence();
        pairTail++;
        lastReceived = sequence;
        return ControlledFragmentHandler.Action.CONTINUE;
    }
}
