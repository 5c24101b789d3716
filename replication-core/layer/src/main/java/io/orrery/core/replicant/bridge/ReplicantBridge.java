/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant.bridge;

import io.aeron.Aeron;
import io.aeron.ControlledFragmentAssembler;
import io.aeron.Counter;
import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.Header;
import io.orrery.core.common.ClientEgress;
import io.orrery.core.common.LinkKey;
import io.orrery.core.common.SessionHandover;
import io.orrery.core.ingress.ResponseChannels;
import io.orrery.core.replicant.ReplicantAvailability;
import io.orrery.core.replicant.ReplicantFeedProxy;
import io.orrery.core.status.OrreryCounter;
import io.orrery.link.Publications;
import io.orrery.link.UdpChannels;
import io.orrery.wire.ReplicantLinkValidator;
import io.orrery.wire.codec.ReplicantResetEncoder;
import io.orrery.wire.replicantlink.MessageHeaderDecoder;
import io.orrery.wire.replicantlink.MessageHeaderEncoder;
import io.orrery.wire.replicantlink.ReplicantChallengeEncoder;
import io.orrery.wire.replicantlink.ReplicantClientFrameDecoder;
import io.orrery.wire.replicantlink.ReplicantHeartbeatDecoder;
import io.orrery.wire.replicantlink.ReplicantHelloDecoder;
import io.orrery.wire.replicantlink.ReplicantProofDecoder;
import io.orrery.wire.replicantlink.ReplicantRefusedEncoder;
import io.orrery.wire.replicantlink.ReplicantSessionClosedEncoder;
import io.orrery.wire.replicantlink.ReplicantSessionOpenedEncoder;
import io.orrery.wire.replicantlink.ReplicantWelcomeEncoder;
import io.orrery.wire.replicantlink.ReplicantWindowEncoder;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.function.Consumer;

/**
 * The layer's end of a secondary Replicant that runs in its own process ({@link RemoteReplicantHost}): it takes that
 * secondary's place on the primary's state feed ring and session queue, and
 * <ul>
 *   <li>forwards each feed message whole (schema 7330) on an exclusive publication to the proven Replicant; it stops
 *   draining the ring when the publication back-pressures, so the ring fills and the primary's resync logic works
 *   unchanged; a newly proven Replicant gets the ring's stale content dropped and a full snapshot
 *   ({@link ReplicantFeedProxy#requestResync(int)});</li>
 *   <li>forwards the primary's session hand-overs as {@code ReplicantSessionOpened} / {@code ReplicantSessionClosed}
 *   (a newly proven Replicant gets every open session, each after a {@code ReplicantReset} written to its client:
 *   the new Replicant knows nothing of what its predecessor spawned there, so the client drops that first);</li>
 *   <li>writes each {@code ReplicantClientFrame} the Replicant sends back into the session's shared egress view
 *   (whole messages, interleaved with the other Replicants' as in one process), and reports each session's window
 *   and the bytes it relayed ({@code ReplicantWindow}) so the Replicant writes within the window.</li>
 * </ul>
 * Authentication ({@link ReplicantLinkKey}): a hello names the Replicant id and where to answer and carries a MAC of
 * its own over them ({@link ReplicantLinkKey#ROLE_HELLO}: a hello taken off the wire cannot be replayed naming another
 * channel or stream, and one of link schema version 1 is refused); the bridge checks it before it spends anything on
 * the hello (at most
 * {@link #HELLO_CHECKS_PER_POLL} per duty cycle: the rest wait in their images, which Aeron polls in turn, so a flood
 * of hellos from many images delays a genuine one by a few duty cycles at most and costs one HMAC each), then answers
 * with a challenge on a publication to that channel (with a MAC over the hello's nonce,
 * {@link ReplicantLinkKey#ROLE_CHALLENGE}, so the Replicant answers no stranger's challenge) and sends nothing else
 * there before the proof verified. At most
 * {@link #HANDSHAKE_SLOTS} handshakes at once, one per image (a repeated hello keeps its handshake; a verified hello
 * beyond them replaces the oldest once it is {@link #MIN_HANDSHAKE_AGE_NS} old, and is shed otherwise, counted), each
 * expires after 5 s; a failed proof ends its handshake; nothing but hellos and proofs is read from an unproven image.
 * <p>
 * <b>One Replicant per id</b>: while the proven Replicant is heard from (within {@code takeoverAfterNs}), a verified
 * hello from another image is refused: it gets a {@code ReplicantRefused} (MAC {@link ReplicantLinkKey#ROLE_REFUSED},
 * naming the holder's image) instead of a challenge, counted ({@link #idHeldRefusals()}) and logged at powers of two
 * with both images; its handshake slot is kept while it says hello again (a refusal each time), and it is challenged
 * at once when the holder is lost (silent, its image gone). So two processes started with one id (a restart while the
 * old one still runs, a double start) do not take turns: the first keeps the range, the second waits, and a Replicant
 * restarted after a kill waits for its old image's silence, the takeover time at most.
 * Every message read is checked first ({@link ReplicantLinkValidator}: header, schema, template, block length, the
 * variable-length field within the message); a malformed one is dropped and counted. A relayed frame that the session
 * egress back-pressures is retried (the subscription is not read further until it goes); one for a session the
 * primary has ended, or whose egress is gone, is dropped and counted. The figures are system counters
 * ({@link #counters(Counter[], Counter[])}: this bridge's own and the shard's sums over bridges).
 * <p>
 * <b>Liveness and availability</b> ({@link #liveness(ReplicantAvailability, long, long)}): the proven Replicant sends
 * a {@code ReplicantHeartbeat} every 100 ms; any message of the proven image counts as heard (a stranger's never).
 * The bridge declares it lost after {@code takeoverAfterNs} without one (a relay held back by a back-pressured client
 * is the bridge's stall, not the Replicant's silence), when its image goes, or when the feed publication is no longer
 * connected; a Replicant never proven is never lost. A lost Replicant is unlinked and offered unavailable: the
 * primary takes its subtrees over (its handoff spawns take each entity over in the clients' views, with a higher
 * owner epoch); once the primary has applied that and streamed the pass, the bridge writes a {@code ReplicantReset}
 * to every session the lost Replicant streamed, which drops only what it still owns there (entities the takeover did
 * not reach: removed while it was down, or beyond the primary's handoff distance). A Replicant is offered available
 * only once it is proven, its heartbeat says it holds this link's snapshot, every session is announced to it, and it
 * has been heard from for {@code returnAfterNs} since (a hysteresis in time): the feed and the announcements are on
 * one publication, so it has the snapshot and the sessions before the first feed message that gives it anything. A
 * Replicant lost within the stable time after a return has that hold doubled for its next return, up to a cap, and
 * back to {@code returnAfterNs} once it stays available for the stable time ({@link #returnBackoff(long, long)}).
 * <p>
 * Threading: single threaded agent (its own thread, or a runner's duty cycle). Zero allocation in steady state
 * (forwarding the feed, relaying frames, window reports, heartbeats); a hand-over, a handshake or a loss allocates.
 */
public final class ReplicantBridge implements Agent, ControlledMessageHandler
{
    /**
     * Default Aeron stream of the bridge's subscription is this plus the Replicant id.
     */
    public static final int STREAM_ID_BASE = 7350;
    /**
     * Term length of the feed publication (the bridge's own, whatever a hello asks for: sized for a resync of the store).
     */
    public static final int FEED_TERM_LENGTH_DEFAULT = 16 * 1024 * 1024;
    private static final long FEED_LINGER_NS = 5_000_000_000L;

    /**
     * Handshakes under way at once (one per image that said hello); a hello beyond them replaces the oldest.
     */
    public static final int HANDSHAKE_SLOTS = 4;

    /**
     * Hellos whose MAC the bridge checks per duty cycle; a hello beyond them waits in its image for the next one.
     */
    public static final int HELLO_CHECKS_PER_POLL = 8;

    /**
     * A handshake younger than this is not replaced by a new hello (the hello is shed): time for its challenge's
     * round trip.
     */
    public static final long MIN_HANDSHAKE_AGE_NS = 1_000_000_000L;

    private static final long HANDSHAKE_TIMEOUT_NS = 5_000_000_000L;
    private static final long WINDOW_REPORT_INTERVAL_NS = 1_000_000L;
    private static final int FRAGMENT_LIMIT = 64;
    private static final int FEED_READ_LIMIT = 256;
    /**
     * Default silence after which a proven Replicant is declared lost ({@code orrery.replicant.takeover.after.ms}).
     */
    public static final long TAKEOVER_AFTER_NS_DEFAULT = 1_000_000_000L;
    /**
     * Default time a linked, synced Replicant must be heard from before it owns anything
     * ({@code orrery.replicant.return.after.ms}).
     */
    public static final long RETURN_AFTER_NS_DEFAULT = 2_000_000_000L;
    /**
     * Default cap of the return hold as it doubles for a Replicant lost soon after each return
     * ({@code orrery.replicant.return.max.ms}).
     */
    public static final long RETURN_MAX_NS_DEFAULT = 60_000_000_000L;
    /**
     * Default time after a return within which a loss doubles the return hold, and for which a Replicant available
     * without a loss has its hold reset ({@code orrery.replicant.return.stable.ms}).
     */
    public static final long RETURN_STABLE_NS_DEFAULT = 30_000_000_000L;

    private final int replicantId;
    private final Aeron aeron;
    private final NanoClock clock;
    private final Subscription subscription;
    private final RingBuffer feed;
    private final OneToOneConcurrentArrayQueue<SessionHandover> handovers;
    private final LinkKey key;
    private final Consumer<String> log;
    private final SecureRandom random = new SecureRandom();
    private final byte[] mac = new byte[LinkKey.MAC_LENGTH];
    private final byte[] helloNonce = new byte[LinkKey.NONCE_LENGTH];
    /**
     * The hello being checked: what its MAC covers after the {@link LinkKey} fields (response stream, channel).
     */
    private final byte[] helloExtra = new byte[LinkKey.HELLO_EXTRA_CAPACITY];
    private int helloChannelLength;
    private final ControlledFragmentAssembler assembler = new ControlledFragmentAssembler(this::onFragment);
    private final Long2ObjectHashMap<BridgedSession> sessionById = new Long2ObjectHashMap<>();
    private final ArrayList<BridgedSession> sessions = new ArrayList<>();
    private final UnsafeBuffer sendBuffer = new UnsafeBuffer(new byte[256]);
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final ReplicantHelloDecoder helloDecoder = new ReplicantHelloDecoder();
    private final ReplicantProofDecoder proofDecoder = new ReplicantProofDecoder();
    private final ReplicantClientFrameDecoder frameDecoder = new ReplicantClientFrameDecoder();
    private final ReplicantHeartbeatDecoder heartbeatDecoder = new ReplicantHeartbeatDecoder();
    private final ReplicantChallengeEncoder challengeEncoder = new ReplicantChallengeEncoder();
    private final ReplicantWelcomeEncoder welcomeEncoder = new ReplicantWelcomeEncoder();
    private final ReplicantSessionOpenedEncoder openedEncoder = new ReplicantSessionOpenedEncoder();
    private final ReplicantSessionClosedEncoder closedEncoder = new ReplicantSessionClosedEncoder();
    private final ReplicantWindowEncoder windowEncoder = new ReplicantWindowEncoder();
    private final ReplicantRefusedEncoder refusedEncoder = new ReplicantRefusedEncoder();
    private final UnsafeBuffer resetBuffer = new UnsafeBuffer(new byte[64]);
    private final int resetLength;
    private final ControlledMessageHandler dropHandler = (msgTypeId, buffer, index, length) -> Action.CONTINUE;

    private volatile boolean peerGone;
    private ReplicantFeedProxy feedProxy;
    private BridgeCounters counters;
    private int helloChecks;
    private final Handshake[] handshakes;
    private ExclusivePublication peer;
    private int peerImageSessionId;
    private int unannounced;
    private long nowNs;
    private long lastWindowReportNs;

    private long feedMessagesForwarded;
    private long feedBytesForwarded;
    private long feedBackPressured;
    private long framesRelayed;
    private long frameBytesRelayed;
    private long relayStalls;
    private long relayDropped;
    private long framesForUnknownSessions;
    private long handshakesRefused;
    private long handshakesProven;
    private long strangerMessages;
    private long resetsSent;
    private long resetsDropped;
    private long linksLost;
    private long hellosShed;
    private long idHeldRefusals;

    // liveness and availability: the primary takes a lost Replicant's subtrees over and gives them back
    private ReplicantAvailability availability;
    private long takeoverAfterNs = TAKEOVER_AFTER_NS_DEFAULT;
    private long returnAfterNs = RETURN_AFTER_NS_DEFAULT;
    private long lastHeardNs;
    private boolean relayStalled;
    private boolean peerSynced;
    private long syncedSinceNs;
    private boolean offeredAvailable;
    private boolean awaitingTakeover;
    private long takeoverState;
    private long heartbeats;
    // the return hold backs off for a Replicant lost soon after each return (a crash loop, a flapping network)
    private long returnHoldNs = RETURN_AFTER_NS_DEFAULT;
    private long returnMaxNs = RETURN_MAX_NS_DEFAULT;
    private long returnStableNs = RETURN_STABLE_NS_DEFAULT;
    private long availableSinceNs;
    private long returnBackoffs;

    /**
     * @param replicantId the secondary's id (1..replicants-1).
     * @param aeron       the layer's Aeron client.
     * @param clock       the layer's clock.
     * @param channel     where the Replicant's hellos and frames arrive.
     * @param streamId    the stream of {@code channel}.
     * @param linkSecret  the secret the link key derives from ({@link ReplicantLinkKey}).
     * @param feed        the primary's feed ring to this secondary, read only here.
     * @param handovers   the primary's session queue to this secondary, read only here.
     * @param log         where handshakes and refusals are reported.
     */
    public ReplicantBridge(
        final int replicantId,
        final Aeron aeron,
        final NanoClock clock,
        final String channel,
        final int streamId,
        final byte[] linkSecret,
        final RingBuffer feed,
        final OneToOneConcurrentArrayQueue<SessionHandover> handovers,
        final Consumer<String> log)
    {
        this.replicantId = replicantId;
        this.aeron = aeron;
        this.clock = clock;
        this.feed = feed;
        this.handovers = handovers;
        this.key = ReplicantLinkKey.newKey(linkSecret);
        this.log = log;
        this.resetLength = io.orrery.wire.codec.MessageHeaderEncoder.ENCODED_LENGTH + new ReplicantResetEncoder()
            .wrapAndApplyHeader(resetBuffer, 0, new io.orrery.wire.codec.MessageHeaderEncoder())
            .replicantId((short)replicantId)
            .encodedLength();
        this.handshakes = new Handshake[HANDSHAKE_SLOTS];
        for (int i = 0; i < HANDSHAKE_SLOTS; i++)
        {
            handshakes[i] = new Handshake();
        }
        this.subscription = aeron.addSubscription(UdpChannels.tuneLink(channel), streamId, null, this::onImageGone);
    }

    /**
     * @param feedProxy the primary's feed, asked for a snapshot when a Replicant is newly proven. Control path: before
     *                  the agent runs.
     * @return this.
     */
    public ReplicantBridge feedProxy(final ReplicantFeedProxy feedProxy)
    {
        this.feedProxy = feedProxy;
        return this;
    }

    /**
     * @param availability    where this bridge offers its Replicant's availability to the primary (null: never).
     * @param takeoverAfterNs silence after which the proven Replicant is declared lost.
     * @param returnAfterNs   time a linked, synced Replicant is heard from before it is offered available.
     * @return this. Control path: before the agent runs.
     */
    public ReplicantBridge liveness(
        final ReplicantAvailability availability, final long takeoverAfterNs, final long returnAfterNs)
    {
        this.availability = availability;
        this.takeoverAfterNs = takeoverAfterNs;
        this.returnAfterNs = returnAfterNs;
        this.returnHoldNs = returnAfterNs;
        return this;
    }

    /**
     * The return hold's back-off: a loss within {@code stableNs} of the Replicant's return doubles the hold before
     * its next return (from {@code returnAfterNs}, at most {@code maxNs}: a crash loop or a flapping network moves
     * its range at most once per that time); once it has stayed available for {@code stableNs}, the hold is
     * {@code returnAfterNs} again. A return hold of 0 does not back off.
     *
     * @param maxNs    cap of the return hold (below {@code returnAfterNs}: no back-off).
     * @param stableNs time after a return within which a loss doubles the hold, and after which the hold resets.
     * @return this. Control path: before the agent runs, after {@link #liveness}.
     */
    public ReplicantBridge returnBackoff(final long maxNs, final long stableNs)
    {
        this.returnMaxNs = maxNs;
        this.returnStableNs = stableNs;
        return this;
    }

    /**
     * @param shard the layer's system counters, indexed by {@link OrreryCounter#id()}: this
     *              bridge adds its figures' changes to them (sums over bridges).
     * @param own   this bridge's counters
     *              ({@link OrreryCounter#allocatePerReplicant(Aeron, String, int)}).
     *              Control path: before the agent runs; the caller closes them.
     * @return this.
     */
    public ReplicantBridge counters(final Counter[] shard, final Counter[] own)
    {
        this.counters = new BridgeCounters(shard, own);
        return this;
    }

    @Override
    public String roleName()
    {
        return "orrery-replicant-bridge-" + replicantId;
    }

    @Override
    public int doWork()
    {
        nowNs = clock.nanoTime();
        helloChecks = 0;
        int work = 0;
        if (peerGone || (null != peer && !peer.isConnected()))
        {
            peerGone = false;
            if (null != peer)
            {
                work += lose("image gone or feed not read");
            }
        }
        relayStalled = false;
        work += subscription.controlledPoll(assembler, FRAGMENT_LIMIT);
        if (null != peer)
        {
            if (relayStalled)
            {
                lastHeardNs = nowNs; // a back-pressured client holds the relay: the bridge's stall, not its silence
            }
            else if (nowNs - lastHeardNs > takeoverAfterNs)
            {
                work += lose("silent for more than " + takeoverAfterNs / 1_000_000 + " ms");
            }
        }
        work += handshake();
        work += writeLossResets();
        work += takeHandovers();
        if (null != peer)
        {
            work += feed.controlledRead(this, FEED_READ_LIMIT);
            if (nowNs - lastWindowReportNs >= WINDOW_REPORT_INTERVAL_NS)
            {
                lastWindowReportNs = nowNs;
                work += reportWindows();
            }
            work += offerAvailable();
        }
        publishFigures();
        return work;
    }

    private void publishFigures()
    {
        final BridgeCounters counters = this.counters;
        if (null != counters)
        {
            counters.publish(OrreryCounter.REPLICANT_BRIDGES_LINKED, null != peer ? 1 : 0);
            counters.publish(OrreryCounter.REPLICANT_BRIDGE_LINKS_LOST, linksLost);
            counters.publish(OrreryCounter.REPLICANT_BRIDGE_FEED_MESSAGES, feedMessagesForwarded);
            counters.publish(OrreryCounter.REPLICANT_BRIDGE_FEED_BYTES, feedBytesForwarded);
            counters.publish(OrreryCounter.REPLICANT_BRIDGE_FEED_BACK_PRESSURED, feedBackPressured);
            counters.publish(OrreryCounter.REPLICANT_BRIDGE_FRAMES_RELAYED, framesRelayed);
            counters.publish(OrreryCounter.REPLICANT_BRIDGE_FRAME_BYTES_RELAYED, frameBytesRelayed);
            counters.publish(OrreryCounter.REPLICANT_BRIDGE_RELAY_STALLS, relayStalls);
            counters.publish(OrreryCounter.REPLICANT_BRIDGE_RELAY_DROPPED, relayDropped);
            counters.publish(OrreryCounter.REPLICANT_BRIDGE_FRAMES_UNKNOWN_SESSION, framesForUnknownSessions);
            counters.publish(OrreryCounter.REPLICANT_BRIDGE_HANDSHAKES_PROVEN, handshakesProven);
            counters.publish(OrreryCounter.REPLICANT_BRIDGE_HANDSHAKES_REFUSED, handshakesRefused);
            counters.publish(OrreryCounter.REPLICANT_BRIDGE_HELLOS_SHED, hellosShed);
            counters.publish(OrreryCounter.REPLICANT_BRIDGE_MESSAGES_REFUSED, strangerMessages);
            counters.publish(OrreryCounter.REPLICANT_BRIDGE_RESETS_SENT, resetsSent);
            counters.publish(OrreryCounter.REPLICANT_BRIDGE_RESETS_DROPPED, resetsDropped);
            counters.publish(OrreryCounter.REPLICANT_BRIDGE_HELLOS_REFUSED_ID_HELD, idHeldRefusals);
            counters.publish(OrreryCounter.REPLICANT_BRIDGE_RETURN_BACKOFFS, returnBackoffs);
        }
    }

    /**
     * The proven Replicant is lost: unlink it and, if it may own anything, offer it unavailable (the primary takes
     * its subtrees over); its sessions' clients get a reset once the primary streamed the takeover.
     */
    private int lose(final String why)
    {
        CloseHelper.quietClose(peer);
        peer = null;
        linksLost++;
        log.accept("replicant " + replicantId + ": bridge lost its Replicant (image " + peerImageSessionId + ": " +
            why + ")" + (offeredAvailable ? ", its subtrees are taken over" : "") +
            "; the feed ring fills until a Replicant is proven again");
        peerImageSessionId = 0;
        peerSynced = false;
        if (null != availability)
        {
            availability.lost(replicantId);
            if (offeredAvailable)
            {
                backOffReturn();
                offeredAvailable = false;
                takeoverState = availability.offer(replicantId, false);
                awaitingTakeover = true;
                for (int i = 0, n = sessions.size(); i < n; i++)
                {
                    final BridgedSession session = sessions.get(i);
                    session.resetPending |= session.announced; // its client may hold what the lost one spawned
                }
            }
        }
        return 1;
    }

    /**
     * A loss soon after a return doubles the hold before the next one, up to its cap.
     */
    private void backOffReturn()
    {
        final long availableNs = nowNs - availableSinceNs;
        if (availableNs >= returnStableNs || 0 == returnHoldNs)
        {
            return;
        }
        returnBackoffs++;
        final long cap = Math.max(returnMaxNs, returnAfterNs);
        returnHoldNs = returnHoldNs > cap / 2 ? cap : returnHoldNs * 2;
        log.accept("replicant " + replicantId + ": bridge's Replicant lost " + availableNs / 1_000_000 +
            " ms after its return (within " + returnStableNs / 1_000_000 + " ms): it gets its range back after " +
            returnHoldNs / 1_000_000 + " ms heard from (doubling to at most " + cap / 1_000_000 + " ms; back to " +
            returnAfterNs / 1_000_000 + " ms once it stays available for " + returnStableNs / 1_000_000 +
            " ms) (back-off " + returnBackoffs + ")");
    }

    /**
     * Once the primary has streamed the pass that took the lost Replicant's subtrees over, a reset to each session it
     * streamed: drops what it still owns there (what the takeover did not reach), after the takeover's spawns.
     */
    private int writeLossResets()
    {
        if (!awaitingTakeover || !availability.isApplied(replicantId, takeoverState))
        {
            return 0;
        }
        int work = 0;
        for (int i = 0, n = sessions.size(); i < n; i++)
        {
            final BridgedSession session = sessions.get(i);
            if (session.resetPending)
            {
                if (!writeReset(session))
                {
                    return work; // retried at the next duty cycle
                }
                work++;
            }
        }
        awaitingTakeover = false;
        return work + 1;
    }

    /**
     * Offer the linked Replicant available once it holds this link's snapshot and every session, and has been heard
     * from for the return time since.
     */
    private int offerAvailable()
    {
        if (offeredAvailable && returnHoldNs != returnAfterNs && nowNs - availableSinceNs >= returnStableNs)
        {
            returnHoldNs = returnAfterNs;
            log.accept("replicant " + replicantId + ": bridge's Replicant available for " +
                returnStableNs / 1_000_000 + " ms: its return hold is " + returnAfterNs / 1_000_000 + " ms again");
            return 1;
        }
        if (null == availability || offeredAvailable || !peerSynced || unannounced > 0 || awaitingTakeover ||
            nowNs - syncedSinceNs < returnHoldNs)
        {
            return 0;
        }
        availability.offer(replicantId, true);
        offeredAvailable = true;
        availableSinceNs = nowNs;
        log.accept("replicant " + replicantId + ": bridge offers its Replicant (image " + peerImageSessionId +
            ") available after " + returnHoldNs / 1_000_000 + " ms heard from and synced: its subtrees go to it");
        return 1;
    }

    private void onHeartbeat(final DirectBuffer buffer, final int offset)
    {
        heartbeatDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        heartbeats++;
        if (!peerSynced && 0 != heartbeatDecoder.synced())
        {
            peerSynced = true;
            syncedSinceNs = nowNs;
        }
    }

    /**
     * Forward one feed message from the ring, whole; stop at back-pressure.
     */
    @Override
    public Action onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        // once more at a term rotation (ADMIN_ACTION): not a back-pressure, and not to be counted as one
        if (Publications.offer(peer, buffer, index, length) > 0)
        {
            feedMessagesForwarded++;
            feedBytesForwarded += length;
            return Action.CONTINUE;
        }
        feedBackPressured++;
        return Action.ABORT;
    }

    private ControlledFragmentHandler.Action onFragment(
        final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        // every length checked before a decoder reads: a frame's, a hello's channel, a proof's MAC lie within it
        if (ReplicantLinkValidator.validate(buffer, offset, length) < 0)
        {
            strangerMessages++;
            return ControlledFragmentHandler.Action.CONTINUE;
        }
        headerDecoder.wrap(buffer, offset);
        final int templateId = headerDecoder.templateId();
        final int imageSessionId = header.sessionId();
        if (headerDecoder.schemaId() != MessageHeaderDecoder.SCHEMA_ID)
        {
            strangerMessages++;
            return ControlledFragmentHandler.Action.CONTINUE;
        }
        if (null != peer && imageSessionId == peerImageSessionId)
        {
            lastHeardNs = nowNs; // only the proven image keeps it alive
            if (ReplicantClientFrameDecoder.TEMPLATE_ID == templateId)
            {
                return onClientFrame(buffer, offset);
            }
            if (ReplicantHeartbeatDecoder.TEMPLATE_ID == templateId)
            {
                onHeartbeat(buffer, offset);
                return ControlledFragmentHandler.Action.CONTINUE;
            }
        }
        if (ReplicantHelloDecoder.TEMPLATE_ID == templateId)
        {
            return onHello(buffer, offset, imageSessionId);
        }
        else if (ReplicantProofDecoder.TEMPLATE_ID == templateId)
        {
            onProof(buffer, offset, imageSessionId);
        }
        else
        {
            strangerMessages++;
        }
        return ControlledFragmentHandler.Action.CONTINUE;
    }

    private ControlledFragmentHandler.Action onClientFrame(final DirectBuffer buffer, final int offset)
    {
        frameDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        final long sessionId = frameDecoder.sessionId();
        final int frameLength = frameDecoder.frameLength();
        final int frameOffset = frameDecoder.limit() + ReplicantClientFrameDecoder.frameHeaderLength();
        final BridgedSession session = sessionById.get(sessionId);
        if (null == session)
        {
            framesForUnknownSessions++;
            return ControlledFragmentHandler.Action.CONTINUE;
        }
        final long result = session.egress.offer(buffer, frameOffset, frameLength);
        if (result > 0)
        {
            session.relayed += frameLength;
            framesRelayed++;
            frameBytesRelayed += frameLength;
            return ControlledFragmentHandler.Action.CONTINUE;
        }
        if (Publication.BACK_PRESSURED == result || Publication.ADMIN_ACTION == result)
        {
            relayStalls++;
            relayStalled = true;
            return ControlledFragmentHandler.Action.ABORT;
        }
        relayDropped++;
        return ControlledFragmentHandler.Action.CONTINUE;
    }

    private ControlledFragmentHandler.Action onHello(
        final DirectBuffer buffer, final int offset, final int imageSessionId)
    {
        if (headerDecoder.version() < ReplicantHelloDecoder.SCHEMA_VERSION)
        {
            // a constant line: a stranger can send these at will, and refuse(what, image) builds only what it logs
            refuse("a hello of an older link schema version (its MAC does not cover its channel): this layer needs " +
                "Replicants of version " + ReplicantHelloDecoder.SCHEMA_VERSION, imageSessionId);
            return ControlledFragmentHandler.Action.CONTINUE;
        }
        helloDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        if (helloDecoder.replicantId() != replicantId)
        {
            refuse("a hello for another Replicant", imageSessionId);
            return ControlledFragmentHandler.Action.CONTINUE;
        }
        final int channelLength = helloDecoder.responseChannelLength();
        if (channelLength > LinkKey.MAX_HELLO_CHANNEL_LENGTH)
        {
            refuse("a hello naming a channel longer than " + LinkKey.MAX_HELLO_CHANNEL_LENGTH + " bytes",
                imageSessionId);
            return ControlledFragmentHandler.Action.CONTINUE;
        }
        final Handshake existing = slotOf(imageSessionId);
        if (null != existing && !existing.held)
        {
            // a repeated hello while its handshake is under way: the challenge is on its way
            return ControlledFragmentHandler.Action.CONTINUE;
        }
        if (helloChecks >= HELLO_CHECKS_PER_POLL)
        {
            // the hello waits in its image; the other images go on, and Aeron starts each poll at the next image
            return ControlledFragmentHandler.Action.ABORT;
        }
        helloChecks++;
        // nothing spent on a hello before its MAC verified: no publication, no slot, no log line beyond the counted
        helloDecoder.getNonce(helloNonce, 0, LinkKey.NONCE_LENGTH);
        helloDecoder.getMac(mac, 0, LinkKey.MAC_LENGTH);
        LinkKey.putHelloStream(helloDecoder.responseStreamId(), helloExtra);
        helloDecoder.getResponseChannel(helloExtra, 4, channelLength);
        helloChannelLength = channelLength;
        if (!key.verify(ReplicantLinkKey.ROLE_HELLO, imageSessionId, replicantId, helloNonce, helloExtra, 0,
            4 + channelLength, mac))
        {
            refuse("a hello without a valid MAC (not the link key)", imageSessionId);
            return ControlledFragmentHandler.Action.CONTINUE;
        }
        if (null != existing)
        {
            // the refused Replicant says hello again: it is refused again while the id is held, and keeps its slot
            System.arraycopy(helloNonce, 0, existing.peerNonce, 0, LinkKey.NONCE_LENGTH);
            existing.deadlineNs = nowNs + HANDSHAKE_TIMEOUT_NS;
            existing.refusalSent = false;
            return ControlledFragmentHandler.Action.CONTINUE;
        }
        onVerifiedHello(imageSessionId);
        return ControlledFragmentHandler.Action.CONTINUE;
    }

    private void onVerifiedHello(final int imageSessionId)
    {
        Handshake slot = null;
        for (final Handshake handshake : handshakes)
        {
            if (null == handshake.publication)
            {
                slot = handshake;
                break;
            }
            if (null == slot || handshake.deadlineNs - slot.deadlineNs < 0)
            {
                slot = handshake;
            }
        }
        if (null != slot.publication)
        {
            if (nowNs - (slot.deadlineNs - HANDSHAKE_TIMEOUT_NS) < MIN_HANDSHAKE_AGE_NS)
            {
                hellosShed++;
                if (0 == (hellosShed & (hellosShed - 1)))
                {
                    log.accept("replicant " + replicantId + ": bridge shed a verified hello from image " +
                        imageSessionId + ": all " + handshakes.length + " handshake slots busy with handshakes " +
                        "under " + (MIN_HANDSHAKE_AGE_NS / 1_000_000) + " ms old (shed " + hellosShed +
                        ", logged at powers of two)");
                }
                return;
            }
            refuse("a handshake of image " + slot.imageSessionId + " replaced: all " + handshakes.length +
                " handshake slots taken");
            slot.clear();
        }
        final int streamId = helloDecoder.responseStreamId();
        System.arraycopy(helloNonce, 0, slot.peerNonce, 0, LinkKey.NONCE_LENGTH);
        // nothing an unproven peer wrote reaches the driver but the media and, on UDP, an endpoint on the host its
        // image comes from: not a term length (it would have the layer map what it asks for), not a third party's
        // address to send challenges to. The feed's term is the bridge's own, sparse (a stranger's challenge touches
        // a page of it)
        final Image image = subscription.imageBySessionId(imageSessionId);
        final String channel = null == image ? null : ResponseChannels.rebuild(
            new String(helloExtra, 4, helloChannelLength, StandardCharsets.US_ASCII), image.sourceIdentity(),
            FEED_TERM_LENGTH_DEFAULT, 0, FEED_LINGER_NS);
        if (null == channel)
        {
            refuse("a hello naming a channel not on its own host, or not plain IPC or UDP unicast, from image " +
                imageSessionId);
            return;
        }
        try
        {
            slot.publication = aeron.addExclusivePublication(channel, streamId);
        }
        catch (final RuntimeException ex)
        {
            refuse("a hello naming an unusable channel (" + ex.getMessage() + ")");
            return;
        }
        random.nextBytes(slot.nonce);
        slot.imageSessionId = imageSessionId;
        slot.deadlineNs = nowNs + HANDSHAKE_TIMEOUT_NS;
        slot.challengeSent = false;
        // one Replicant per id: while the proven one is heard from (a loss is declared before the poll), another
        // image that holds the key is refused, not challenged, and challenged at once when the holder is lost
        slot.held = null != peer;
        slot.refusalSent = false;
    }

    private Handshake slotOf(final int imageSessionId)
    {
        for (final Handshake handshake : handshakes)
        {
            if (null != handshake.publication && handshake.imageSessionId == imageSessionId)
            {
                return handshake;
            }
        }
        return null;
    }

    private void onProof(final DirectBuffer buffer, final int offset, final int imageSessionId)
    {
        final Handshake slot = slotOf(imageSessionId);
        if (null == slot || !slot.challengeSent)
        {
            refuse("a proof without a challenge", imageSessionId);
            return;
        }
        proofDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        proofDecoder.getMac(mac, 0, LinkKey.MAC_LENGTH);
        final ExclusivePublication publication = slot.publication;
        if (!key.verify(ReplicantLinkKey.ROLE_REPLICANT, imageSessionId, publication.sessionId(), slot.nonce, mac))
        {
            refuse("a proof that does not verify", imageSessionId);
            slot.clear();
            return;
        }
        if (null != peer)
        {
            // challenged before another image was proven: the id is held now, so refused as a later hello would be
            slot.held = true;
            slot.refusalSent = false;
            slot.challengeSent = false;
            return;
        }
        key.prove(ReplicantLinkKey.ROLE_LAYER, publication.sessionId(), imageSessionId, slot.peerNonce, mac, 0);
        welcomeEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder).putMac(mac, 0, LinkKey.MAC_LENGTH);
        if (!offerControl(publication, welcomeEncoder.encodedLength()))
        {
            refuse("a welcome the publication refused");
            slot.clear();
            return;
        }
        slot.publication = null;
        peer = publication;
        peerImageSessionId = imageSessionId;
        lastHeardNs = nowNs;
        handshakesProven++;
        // what the ring holds was meant for the last Replicant: drop it, the new one starts from a snapshot
        while (feed.controlledRead(dropHandler) > 0)
        {
            Thread.onSpinWait();
        }
        if (null != feedProxy)
        {
            feedProxy.requestResync(replicantId - 1);
        }
        for (int i = 0, n = sessions.size(); i < n; i++)
        {
            final BridgedSession session = sessions.get(i);
            session.announced = false;
            session.resetPending = true;
            session.relayed = 0;
            session.reportedWindow = Long.MIN_VALUE;
        }
        unannounced = sessions.size();
        log.accept("replicant " + replicantId + ": bridge linked to image " + imageSessionId + " (proven), " +
            sessions.size() + " sessions to announce, snapshot requested");
    }

    private int handshake()
    {
        int work = 0;
        for (final Handshake slot : handshakes)
        {
            if (null == slot.publication)
            {
                continue;
            }
            if (nowNs - slot.deadlineNs > 0)
            {
                if (!slot.held)
                {
                    refuse("a handshake not completed in time from image " + slot.imageSessionId);
                }
                slot.clear(); // a refused Replicant that stopped saying hello: gone, or given up
                work++;
                continue;
            }
            if (slot.held)
            {
                if (null == peer)
                {
                    // the holder is lost: the refused Replicant is challenged at once
                    slot.held = false;
                    slot.deadlineNs = nowNs + HANDSHAKE_TIMEOUT_NS;
                    random.nextBytes(slot.nonce);
                    log.accept("replicant " + replicantId + ": bridge challenges image " + slot.imageSessionId +
                        ", refused while another image held the id: that one is lost");
                    work++;
                }
                else
                {
                    work += sendRefusal(slot);
                    continue;
                }
            }
            if (!slot.challengeSent && slot.publication.isConnected())
            {
                key.prove(ReplicantLinkKey.ROLE_CHALLENGE, slot.publication.sessionId(), slot.imageSessionId,
                    slot.peerNonce, mac, 0);
                challengeEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
                    .putNonce(slot.nonce, 0, LinkKey.NONCE_LENGTH)
                    .putMac(mac, 0, LinkKey.MAC_LENGTH);
                slot.challengeSent = offerControl(slot.publication, challengeEncoder.encodedLength());
                work += slot.challengeSent ? 1 : 0;
            }
        }
        return work;
    }

    /**
     * Tell a refused Replicant that another image holds its id (once per hello), count it and log it at powers of two.
     */
    private int sendRefusal(final Handshake slot)
    {
        if (slot.refusalSent || !slot.publication.isConnected())
        {
            return 0;
        }
        key.prove(ReplicantLinkKey.ROLE_REFUSED, slot.publication.sessionId(), slot.imageSessionId, slot.peerNonce,
            mac, 0);
        refusedEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .holderImageSessionId(peerImageSessionId)
            .putMac(mac, 0, LinkKey.MAC_LENGTH);
        if (!offerControl(slot.publication, refusedEncoder.encodedLength()))
        {
            return 0; // again at the next duty cycle
        }
        slot.refusalSent = true;
        idHeldRefusals++;
        if (0 == (idHeldRefusals & (idHeldRefusals - 1)))
        {
            log.accept("replicant " + replicantId + ": bridge REFUSED image " + slot.imageSessionId + ": image " +
                peerImageSessionId + " holds replicant id " + replicantId + " (proven, heard " +
                (nowNs - lastHeardNs) / 1_000_000 + " ms ago). Two processes run with this id (a restart while the " +
                "old one still runs, a double start?): stop one of them. The refused one keeps saying hello and " +
                "links at once when the holder goes silent for " + takeoverAfterNs / 1_000_000 + " ms or its " +
                "image goes (refused " + idHeldRefusals + ", logged at powers of two)");
        }
        return 1;
    }

    private int takeHandovers()
    {
        int work = 0;
        if (null != peer && unannounced > 0 && !awaitingTakeover)
        {
            for (int i = 0, n = sessions.size(); i < n; i++)
            {
                final BridgedSession session = sessions.get(i);
                if (!session.announced)
                {
                    if (!sendOpened(session))
                    {
                        if (session.resetPending)
                        {
                            continue; // its client's egress is back-pressured: the others go on
                        }
                        return work;
                    }
                    work++;
                }
            }
        }
        SessionHandover handover;
        while (null != (handover = handovers.peek()))
        {
            if (null != handover.egress)
            {
                final BridgedSession session = new BridgedSession(handover.sessionId, handover.playerEntityId,
                    handover.egress);
                final BridgedSession replaced = sessionById.put(handover.sessionId, session);
                if (null != replaced)
                {
                    sessions.remove(replaced);
                    if (!replaced.announced)
                    {
                        unannounced--;
                    }
                }
                sessions.add(session);
                unannounced++;
                if (null != peer && !awaitingTakeover)
                {
                    sendOpened(session);
                }
            }
            else
            {
                final BridgedSession session = sessionById.get(handover.sessionId);
                if (null != session)
                {
                    if (null != peer && session.announced)
                    {
                        closedEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
                            .sessionId(session.sessionId)
                            .playerEntityId(session.playerEntityId);
                        if (!offerControl(peer, closedEncoder.encodedLength()))
                        {
                            return work;
                        }
                    }
                    sessionById.remove(handover.sessionId);
                    sessions.remove(session);
                    if (!session.announced)
                    {
                        unannounced--;
                    }
                }
            }
            handovers.poll();
            work++;
        }
        return work;
    }

    /**
     * Write a session's pending {@code ReplicantReset} into its egress: sent, or dropped for a closed or gone egress
     * (both end it), or back-pressured (kept pending, false).
     */
    private boolean writeReset(final BridgedSession session)
    {
        final long result = session.egress.offer(resetBuffer, 0, resetLength);
        if (result > 0)
        {
            resetsSent++;
        }
        else if (Publication.BACK_PRESSURED == result || Publication.ADMIN_ACTION == result)
        {
            relayStalls++;
            return false;
        }
        else
        {
            resetsDropped++;
        }
        session.resetPending = false;
        return true;
    }

    private boolean sendOpened(final BridgedSession session)
    {
        // before anything the new Replicant sends this client: what its predecessor spawned there is void
        if (session.resetPending && !writeReset(session))
        {
            return false;
        }
        openedEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .sessionId(session.sessionId)
            .playerEntityId(session.playerEntityId);
        if (offerControl(peer, openedEncoder.encodedLength()))
        {
            session.announced = true;
            unannounced--;
            return true;
        }
        return false;
    }

    private int reportWindows()
    {
        int work = 0;
        for (int i = 0, n = sessions.size(); i < n; i++)
        {
            final BridgedSession session = sessions.get(i);
            if (!session.announced)
            {
                continue;
            }
            final boolean connected = session.egress.isConnected();
            final long window = connected ? session.egress.availableWindow() : 0;
            if (window != session.reportedWindow || session.relayed != session.reportedRelayed ||
                connected != session.reportedConnected)
            {
                windowEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
                    .sessionId(session.sessionId)
                    .window(window)
                    .relayed(session.relayed)
                    .connected((short)(connected ? 1 : 0));
                if (!offerControl(peer, windowEncoder.encodedLength()))
                {
                    return work;
                }
                session.reportedWindow = window;
                session.reportedRelayed = session.relayed;
                session.reportedConnected = connected;
                work++;
            }
        }
        return work;
    }

    private boolean offerControl(final ExclusivePublication publication, final int bodyLength)
    {
        return publication.offer(sendBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + bodyLength) > 0;
    }

    private void onImageGone(final Image image)
    {
        // the Aeron client's conductor thread: only a note; the agent closes the publication when it sees it
        if (image.sessionId() == peerImageSessionId)
        {
            peerGone = true;
        }
    }

    /**
     * A refusal a stranger can cause at will: the line is built only when it is logged.
     */
    private void refuse(final String what, final int imageSessionId)
    {
        if (0 == ((handshakesRefused + 1) & handshakesRefused))
        {
            refuse(what + " from image " + imageSessionId);
        }
        else
        {
            handshakesRefused++;
        }
    }

    private void refuse(final String what)
    {
        handshakesRefused++;
        if (0 == (handshakesRefused & (handshakesRefused - 1)))
        {
            log.accept("replicant " + replicantId + ": bridge refused " + what + " (refusal " + handshakesRefused +
                ", logged at powers of two)");
        }
    }

    @Override
    public void onClose()
    {
        for (final Handshake slot : handshakes)
        {
            slot.clear();
        }
        CloseHelper.quietClose(peer);
        CloseHelper.quietClose(subscription);
    }

    /**
     * @return the Replicant id this bridge stands for.
     */
    public int replicantId()
    {
        return replicantId;
    }

    /**
     * @return whether a proven Replicant is linked.
     */
    public boolean isLinked()
    {
        return null != peer;
    }

    public long feedMessagesForwarded()
    {
        return feedMessagesForwarded;
    }

    public long feedBytesForwarded()
    {
        return feedBytesForwarded;
    }

    /**
     * @return feed messages the publication refused (the ring kept them; the primary resyncs if the ring fills).
     */
    public long feedBackPressured()
    {
        return feedBackPressured;
    }

    public long framesRelayed()
    {
        return framesRelayed;
    }

    public long frameBytesRelayed()
    {
        return frameBytesRelayed;
    }

    /**
     * @return relays a back-pressured session egress held back (retried).
     */
    public long relayStalls()
    {
        return relayStalls;
    }

    /**
     * @return frames dropped: the session's egress is closed or gone.
     */
    public long relayDropped()
    {
        return relayDropped;
    }

    /**
     * @return frames for sessions the primary has ended (the Replicant is a little behind the close).
     */
    public long framesForUnknownSessions()
    {
        return framesForUnknownSessions;
    }

    public long handshakesRefused()
    {
        return handshakesRefused;
    }

    public long handshakesProven()
    {
        return handshakesProven;
    }

    /**
     * @return messages dropped: malformed ({@link ReplicantLinkValidator}), not of this link's schema, or from an
     * unproven image other than hellos and proofs.
     */
    public long strangerMessages()
    {
        return strangerMessages;
    }

    /**
     * @return {@code ReplicantReset}s written to clients: one per open session each time a Replicant is proven, before
     * the session is announced to it.
     */
    public long resetsSent()
    {
        return resetsSent;
    }

    /**
     * @return resets not written because the session's egress was closed or gone.
     */
    public long resetsDropped()
    {
        return resetsDropped;
    }

    /**
     * @return heartbeats received from the proven Replicant.
     */
    public long heartbeats()
    {
        return heartbeats;
    }

    /**
     * @return whether the linked Replicant is offered available (it owns its range's subtrees once the primary applies
     * it).
     */
    public boolean isOfferedAvailable()
    {
        return offeredAvailable;
    }

    /**
     * @return whether the bridge waits for the primary to stream the takeover of its lost Replicant's subtrees (then
     * it writes the resets; a new Replicant's sessions are announced after them).
     */
    public boolean isAwaitingTakeover()
    {
        return awaitingTakeover;
    }

    /**
     * @return times the proven Replicant was declared lost: silent, its image gone, or the feed publication no longer
     * connected.
     */
    public long linksLost()
    {
        return linksLost;
    }

    /**
     * @return verified hellos shed: every handshake slot busy with one younger than {@link #MIN_HANDSHAKE_AGE_NS}.
     */
    public long hellosShed()
    {
        return hellosShed;
    }

    /**
     * @return verified hellos refused because another image holds this Replicant id (its proven Replicant heard from
     * within the takeover time): each told so ({@code ReplicantRefused}).
     */
    public long idHeldRefusals()
    {
        return idHeldRefusals;
    }

    /**
     * @return losses within the stable time after a return, each doubling the return hold up to its cap.
     */
    public long returnBackoffs()
    {
        return returnBackoffs;
    }

    /**
     * @return the time a linked, synced Replicant is heard from before it is offered available, as backed off now.
     */
    public long returnHoldNs()
    {
        return returnHoldNs;
    }

    /**
     * @return sessions the bridge holds (handed over by the primary, not ended).
     */
    public int sessionCount()
    {
        return sessions.size();
    }

    private static final class Handshake
    {
        final byte[] nonce = new byte[LinkKey.NONCE_LENGTH];
        final byte[] peerNonce = new byte[LinkKey.NONCE_LENGTH];
        ExclusivePublication publication;
        int imageSessionId;
        long deadlineNs;
        boolean challengeSent;
        boolean held;
        boolean refusalSent;

        void clear()
        {
            CloseHelper.quietClose(publication);
            publication = null;
            challengeSent = false;
            held = false;
            refusalSent = false;
        }
    }

    private static final class BridgedSession
    {
        final long sessionId;
        final long playerEntityId;
        final ClientEgress egress;
        boolean announced;
        boolean resetPending;
        long relayed;
        long reportedWindow = Long.MIN_VALUE;
        long reportedRelayed;
        boolean reportedConnected;

        BridgedSession(final long sessionId, final long playerEntityId, final ClientEgress egress)
        {
            this.sessionId = sessionId;
            this.playerEntityId = playerEntityId;
            this.egress = egress;
        }
    }
}
