/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.persistence;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.Header;
import io.orrery.core.common.LinkKey;
import io.orrery.link.UdpChannels;
import io.orrery.wire.scribelink.CompletionDecoder;
import io.orrery.wire.scribelink.FlushEncoder;
import io.orrery.wire.scribelink.LoadCompleteDecoder;
import io.orrery.wire.scribelink.LoadRegionEncoder;
import io.orrery.wire.scribelink.LoadedNodeDecoder;
import io.orrery.wire.scribelink.MessageHeaderDecoder;
import io.orrery.wire.scribelink.MessageHeaderEncoder;
import io.orrery.wire.scribelink.NodeRemovalEncoder;
import io.orrery.wire.scribelink.NodeUpsertEncoder;
import io.orrery.wire.scribelink.OperationEncoder;
import io.orrery.wire.scribelink.ScribeChallengeDecoder;
import io.orrery.wire.scribelink.ScribeDurableDecoder;
import io.orrery.wire.scribelink.ScribeHelloEncoder;
import io.orrery.wire.scribelink.ScribeProofEncoder;
import io.orrery.wire.scribelink.ScribeWelcomeDecoder;
import org.agrona.BitUtil;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.status.AtomicCounter;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;

import static io.orrery.core.persistence.CompletionDescriptor.CORRELATION_ID_OFFSET;
import static io.orrery.core.persistence.CompletionDescriptor.FIRST_STATUS_OFFSET;
import static io.orrery.core.persistence.CompletionDescriptor.LENGTH;
import static io.orrery.core.persistence.CompletionDescriptor.OPERATION_ID_OFFSET;
import static io.orrery.core.persistence.CompletionDescriptor.STATUS_OFFSET;
import static io.orrery.core.persistence.CompletionDescriptor.TYPE_OFFSET;
import static io.orrery.core.persistence.CompletionDescriptor.VALUE_OFFSET;

/**
 * The layer's end of a link to a Scribe process ({@link RemoteScribeHost} in {@code ScribeServer}): a
 * {@link ScribeClient} that keeps every change, operation, load and barrier it was offered in a log of pre-allocated
 * slots, sends each over Aeron ({@code scribe-link-schema.xml}) and forgets it once the Scribe reported it durable
 * (and, for an operation or a load, once its outcome arrived). Completions, loaded nodes and load completions come
 * back onto rings of the same layout as {@link Scribe}'s, read by {@link #pollCompletions} and {@link #pollLoads}.
 * <pre>
 *   offerXxx() --> log slot [seq &amp; mask] --send--> Scribe process --> store
 *                    ^ trimmed when durable               |
 *   pollCompletions() / pollLoads() &lt;-- rings &lt;-- doWork() &lt;-'
 *                          (Completion, LoadedNode, LoadComplete, ScribeDurable)
 * </pre>
 * <b>No data lost, nothing applied twice.</b> After a link loss (the Scribe's image went, or it was silent for
 * {@link RemoteScribeContext#linkTimeoutNs()}) the layer says so once on its log stream, counts it, keeps taking offers
 * into the log until it is full (then back-pressures, as a store outage does) and, once relinked, sends again, in
 * order, what is not durable: world changes are idempotent upserts and removals; operations are idempotent by
 * (player, operation id) in every store, so one that the lost Scribe had applied replays its first outcome; an
 * operation whose outcome already arrived is not sent again (no second completion), and a world change of an entity
 * that a later operation in the log moves (stow, unstow) is not sent again either (that operation carries the
 * entity's state, and a stow already applied must not see the entity written back). A region load sent again may
 * repeat nodes (the Replicant ignores nodes it already holds).
 * <p>
 * Authentication: mutual HMAC-SHA256 challenge-response with a key derived from the link secret
 * ({@link RemoteScribeCodec#KEY_DOMAIN}); nothing but the challenge and the welcome is read from the Scribe before its
 * proof verified, and nothing of the log is sent before. Hellos carry the layer's MAC ({@link
 * RemoteScribeCodec#ROLE_HELLO}; one nonce per attempt: repeated hellos keep it, so any answer to them verifies), and
 * a challenge is answered only when its MAC over that nonce verifies ({@link RemoteScribeCodec#ROLE_CHALLENGE}): a
 * stranger that can publish on the response channel cannot have the layer send a proof that would end its genuine
 * handshake, nor hold its hellos back. At most {@link RemoteScribeCodec#MAC_CHECKS_PER_POLL} challenge MACs are
 * checked per duty cycle (the rest wait in their images); a refused challenge is counted and logged at powers of two.
 * <p>
 * Threading: one thread (the Replicant's) calls everything; {@link #durableSequence()} from any thread. Offers,
 * polls and {@link #doWork()} allocate nothing in steady state.
 */
public final class RemoteScribe implements ScribeClient
{
    /**
     * Counter type id of the link counters (Aeron counters of the layer's client).
     */
    public static final int COUNTER_TYPE_ID = 7303;

    static final byte SLOT_WORLD = 1;
    static final byte SLOT_OPERATION = 2;
    static final byte SLOT_LOAD = 3;
    static final byte SLOT_FLUSH = 4;

    private static final int HEADER = MessageHeaderEncoder.ENCODED_LENGTH;
    private static final int UNLINKED = 0;
    private static final int AWAITING_WELCOME = 1;
    private static final int LINKED = 2;
    private static final long WELCOME_PATIENCE_NS = TimeUnit.SECONDS.toNanos(1);
    private static final int FRAGMENT_LIMIT = 64;
    private static final int SEND_LIMIT = 256;
    private static final int SLOT_LENGTH = BitUtil.align(RemoteScribeCodec.MAX_MESSAGE_LENGTH, 64);

    private final RemoteScribeContext ctx;
    private final NanoClock clock;
    private final PrintStream log;
    private final LinkKey key;
    private final SecureRandom random = new SecureRandom();
    private final ExclusivePublication publication;
    private final Subscription subscription;
    private final int capacity;
    private final int mask;
    private final UnsafeBuffer slots;
    private final int[] slotLength;
    private final byte[] slotKind;
    private final long[] slotSequence;
    private final long[] slotEntityId;
    private final long[] slotCorrelationId;
    private final boolean[] slotDone;
    private final Long2LongHashMap lastMoveByEntity;
    private final ScribeReturnPath returnPath;
    private final OneToOneRingBuffer completions;
    private final OneToOneRingBuffer loads;
    private final AtomicCounter[] scribeCounters;
    private final AtomicCounter linked;
    private final AtomicCounter linksLost;
    private final AtomicCounter resent;
    private final AtomicCounter proofsFailed;
    private final AtomicCounter challengesRefused;

    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final NodeUpsertEncoder upsertEncoder = new NodeUpsertEncoder();
    private final NodeRemovalEncoder removalEncoder = new NodeRemovalEncoder();
    private final OperationEncoder operationEncoder = new OperationEncoder();
    private final LoadRegionEncoder loadEncoder = new LoadRegionEncoder();
    private final FlushEncoder flushEncoder = new FlushEncoder();
    private final ScribeHelloEncoder helloEncoder = new ScribeHelloEncoder();
    private final ScribeProofEncoder proofEncoder = new ScribeProofEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final ScribeChallengeDecoder challengeDecoder = new ScribeChallengeDecoder();
    private final ScribeWelcomeDecoder welcomeDecoder = new ScribeWelcomeDecoder();
    private final CompletionDecoder completionDecoder = new CompletionDecoder();
    private final LoadedNodeDecoder loadedNodeDecoder = new LoadedNodeDecoder();
    private final LoadCompleteDecoder loadCompleteDecoder = new LoadCompleteDecoder();
    private final ScribeDurableDecoder durableDecoder = new ScribeDurableDecoder();
    private final UnsafeBuffer controlBuffer = new UnsafeBuffer(new byte[512]);
    private final NodeRecord node = new NodeRecord();
    private final byte[] nonce = new byte[LinkKey.NONCE_LENGTH];
    private final byte[] peerNonce = new byte[LinkKey.NONCE_LENGTH];
    private final byte[] mac = new byte[LinkKey.MAC_LENGTH];
    /**
     * What the hello's MAC covers after the {@link LinkKey} fields: the response stream and channel.
     */
    private final byte[] helloExtra;
    private final ControlledFragmentHandler fragmentHandler = this::onFragment;

    private int state = UNLINKED;
    private boolean hasNonce;
    private int macChecks;
    private int scribeSessionId;
    private long nowNs;
    private long nextHelloNs;
    private long lastHeardNs;
    private long lastOfferedSequence = -1;
    private long retainedFrom;
    private long nextSendSequence;
    private long reportedDurable = -1;
    private volatile long durableSequence = -1;
    private boolean isResending;
    private boolean isClosed;

    private RemoteScribe(final RemoteScribeContext ctx)
    {
        this.ctx = ctx;
        clock = ctx.nanoClock();
        log = ctx.log();
        key = RemoteScribeCodec.newKey(ctx.linkSecret());
        capacity = BitUtil.findNextPositivePowerOfTwo(ctx.capacity());
        mask = capacity - 1;
        slots = new UnsafeBuffer(ByteBuffer.allocateDirect(capacity * SLOT_LENGTH));
        slotLength = new int[capacity];
        slotKind = new byte[capacity];
        slotSequence = new long[capacity];
        slotEntityId = new long[capacity];
        slotCorrelationId = new long[capacity];
        slotDone = new boolean[capacity];
        lastMoveByEntity = new Long2LongHashMap(capacity * 2, org.agrona.collections.Hashing.DEFAULT_LOAD_FACTOR, -1);
        returnPath = new ScribeReturnPath(ctx.maxPendingOperations(), ctx.loadRingCapacity());
        completions = returnPath.completions();
        loads = returnPath.loads();
        scribeCounters = ScribeCounter.allocate(null, null, ctx.name());

        final Aeron aeron = ctx.aeron();
        linked = aeron.addCounter(COUNTER_TYPE_ID, "Scribe link up (1) or down (0): " + ctx.name());
        linksLost = aeron.addCounter(COUNTER_TYPE_ID, "Scribe links lost: " + ctx.name());
        resent = aeron.addCounter(COUNTER_TYPE_ID, "Scribe link messages sent again after a relink: " + ctx.name());
        proofsFailed = aeron.addCounter(COUNTER_TYPE_ID, "Scribe link proofs failed: " + ctx.name());
        challengesRefused = aeron.addCounter(
            COUNTER_TYPE_ID, "Scribe link challenges refused (no valid MAC: not the Scribe's): " + ctx.name());
        helloExtra = LinkKey.helloExtra(ctx.responseChannel(), ctx.responseStreamId());
        publication = aeron.addExclusivePublication(ctx.channel(), ctx.streamId());
        subscription = aeron.addSubscription(UdpChannels.tuneLink(ctx.responseChannel()), ctx.responseStreamId());
    }

    /**
     * Open the link's publication and subscription; the handshake runs in {@link #doWork()}.
     *
     * @param ctx settings; {@link RemoteScribeContext#aeron(Aeron)}, {@link RemoteScribeContext#channel(String)} and
     *            {@link RemoteScribeContext#linkSecret(byte[])} are required.
     * @return the client; close it to release the link (what is not durable then is reported, not waited for).
     */
    public static RemoteScribe launch(final RemoteScribeContext ctx)
    {
        ctx.conclude();
        RemoteScribe scribe = null;
        try
        {
            scribe = new RemoteScribe(ctx);
            return scribe;
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(scribe);
            throw ex;
        }
    }

    @Override
    public boolean offerNodeUpsert(
        final long entityId,
        final int archetypeId,
        final long parentZoneId,
        final long ownerPlayerId,
        final boolean isZone,
        final long x,
        final long y,
        final long z,
        final float qx,
        final float qy,
        final float qz,
        final float qw,
        final float radius,
        final long lastAppliedInputSequence,
        final DirectBuffer componentState,
        final int componentStateOffset,
        final int componentStateLength)
    {
        if (componentStateLength < 0 || componentStateLength > NodeRecord.MAX_COMPONENT_STATE_LENGTH)
        {
            throw new IllegalArgumentException("component state length out of range: " + componentStateLength);
        }
        final long sequence = claim();
        if (sequence < 0)
        {
            return false;
        }
        final int offset = slotOffset(sequence);
        upsertEncoder.wrapAndApplyHeader(slots, offset, headerEncoder).sequence(sequence).node()
            .entityId(entityId)
            .archetypeId(archetypeId)
            .parentZoneId(parentZoneId)
            .ownerPlayerId(ownerPlayerId)
            .isZone((short)(isZone ? 1 : 0))
            .x(x)
            .y(y)
            .z(z)
            .qx(qx)
            .qy(qy)
            .qz(qz)
            .qw(qw)
            .radius(radius)
            .lastAppliedInputSequence(lastAppliedInputSequence);
        upsertEncoder.putComponentState(componentState, componentStateOffset, componentStateLength);
        return commit(sequence, SLOT_WORLD, entityId, 0, HEADER + upsertEncoder.encodedLength());
    }

    @Override
    public boolean offerNodeUpsert(final NodeRecord node)
    {
        if (null == node)
        {
            throw new IllegalArgumentException("node must not be null");
        }
        final long sequence = claim();
        if (sequence < 0)
        {
            return false;
        }
        final int offset = slotOffset(sequence);
        upsertEncoder.wrapAndApplyHeader(slots, offset, headerEncoder).sequence(sequence);
        RemoteScribeCodec.encode(upsertEncoder.node(), node);
        upsertEncoder.putComponentState(node.componentState, 0, node.componentStateLength);
        return commit(sequence, SLOT_WORLD, node.entityId, 0, HEADER + upsertEncoder.encodedLength());
    }

    @Override
    public boolean offerNodeRemoval(final long entityId)
    {
        final long sequence = claim();
        if (sequence < 0)
        {
            return false;
        }
        removalEncoder.wrapAndApplyHeader(slots, slotOffset(sequence), headerEncoder)
            .sequence(sequence)
            .entityId(entityId);
        return commit(sequence, SLOT_WORLD, entityId, 0, HEADER + removalEncoder.encodedLength());
    }

    @Override
    public boolean offerStow(
        final long operationId,
        final long correlationId,
        final long ownerPlayerId,
        final long containerId,
        final NodeRecord node)
    {
        return offerOperation(RemoteScribeCodec.KIND_STOW, 0, operationId, correlationId, ownerPlayerId,
            containerId, 0, 0, 0, node);
    }

    @Override
    public boolean offerUnstow(
        final long operationId, final long correlationId, final long ownerPlayerId, final NodeRecord node)
    {
        return offerOperation(RemoteScribeCodec.KIND_UNSTOW, 0, operationId, correlationId, ownerPlayerId,
            0, 0, 0, 0, node);
    }

    @Override
    public boolean offerOperationLookup(
        final int operationType,
        final long operationId,
        final long correlationId,
        final long ownerPlayerId,
        final long itemId)
    {
        if (OperationType.STOW != operationType && OperationType.UNSTOW != operationType)
        {
            throw new IllegalArgumentException("operation type must be STOW or UNSTOW: " + operationType);
        }
        return offerOperation(RemoteScribeCodec.KIND_LOOKUP, operationType, operationId, correlationId,
            ownerPlayerId, 0, itemId, 0, 0, null);
    }

    @Override
    public boolean offerWalletChange(
        final long operationId, final long correlationId, final long playerId, final long delta)
    {
        return offerOperation(RemoteScribeCodec.KIND_WALLET, 0, operationId, correlationId, playerId,
            0, 0, 0, delta, null);
    }

    @Override
    public boolean offerReputationChange(
        final long operationId, final long correlationId, final long playerId, final int factionId, final long delta)
    {
        return offerOperation(RemoteScribeCodec.KIND_REPUTATION, 0, operationId, correlationId, playerId,
            0, 0, factionId, delta, null);
    }

    @Override
    public boolean offerLoadRegion(
        final long correlationId,
        final long zoneId,
        final long minX,
        final long minY,
        final long minZ,
        final long maxX,
        final long maxY,
        final long maxZ)
    {
        final long sequence = claim();
        if (sequence < 0)
        {
            return false;
        }
        loadEncoder.wrapAndApplyHeader(slots, slotOffset(sequence), headerEncoder)
            .sequence(sequence)
            .zoneId(zoneId)
            .minX(minX)
            .minY(minY)
            .minZ(minZ)
            .maxX(maxX)
            .maxY(maxY)
            .maxZ(maxZ);
        return commit(sequence, SLOT_LOAD, 0, correlationId, HEADER + loadEncoder.encodedLength());
    }

    @Override
    public int pollCompletions(final CompletionHandler handler, final int limit)
    {
        return returnPath.pollCompletions(handler, limit);
    }

    @Override
    public int pollLoads(final LoadHandler handler, final int limit)
    {
        return returnPath.pollLoads(handler, limit);
    }

    @Override
    public long flushNow()
    {
        final long sequence = claim();
        if (sequence < 0)
        {
            return BACK_PRESSURED;
        }
        flushEncoder.wrapAndApplyHeader(slots, slotOffset(sequence), headerEncoder).sequence(sequence);
        commit(sequence, SLOT_FLUSH, 0, 0, HEADER + flushEncoder.encodedLength());
        return sequence;
    }

    @Override
    public long remainingCapacity()
    {
        return capacity - (lastOfferedSequence + 1 - retainedFrom);
    }

    @Override
    public long lastOfferedSequence()
    {
        return lastOfferedSequence;
    }

    @Override
    public long durableSequence()
    {
        return durableSequence;
    }

    @Override
    public int capacity()
    {
        return capacity;
    }

    @Override
    public int maxPendingOperations()
    {
        return ctx.maxPendingOperations();
    }

    @Override
    public long closeTimeoutNs()
    {
        return ctx.closeTimeoutNs();
    }

    /**
     * @return whether the Scribe process is linked now (its proof verified, not lost since).
     */
    public boolean isLinked()
    {
        return LINKED == state;
    }

    /**
     * @return links lost so far.
     */
    public long linksLost()
    {
        return linksLost.get();
    }

    /**
     * @return messages sent again after relinks so far.
     */
    public long resent()
    {
        return resent.get();
    }

    /**
     * @return Scribe processes whose proof failed.
     */
    public long proofsFailed()
    {
        return proofsFailed.get();
    }

    /**
     * @return challenges not answered: of a version without a MAC, or their MAC not the Scribe's over this attempt's
     * hello nonce (a stranger's).
     */
    public long challengesRefused()
    {
        return challengesRefused.get();
    }

    /**
     * @return offers not yet reported durable (or, for operations and loads, without their outcome yet).
     */
    public long retained()
    {
        return lastOfferedSequence + 1 - retainedFrom;
    }

    /**
     * Current value of one of Scribe's counters that the layer side keeps ({@link ScribeCounter#RING_FULL},
     * {@link ScribeCounter#OPERATIONS_BACK_PRESSURED}).
     */
    public long counter(final ScribeCounter counter)
    {
        return scribeCounters[counter.id()].get();
    }

    @Override
    public int doWork()
    {
        if (isClosed)
        {
            return 0;
        }
        nowNs = clock.nanoTime();
        macChecks = 0;
        int work = subscription.controlledPoll(fragmentHandler, FRAGMENT_LIMIT);
        if (LINKED == state)
        {
            if (!publication.isConnected() || null == subscription.imageBySessionId(scribeSessionId) ||
                nowNs - lastHeardNs > ctx.linkTimeoutNs())
            {
                onLinkLost(!publication.isConnected() ? "its subscription went" :
                    null == subscription.imageBySessionId(scribeSessionId) ? "its publication went" :
                    "it was silent for " + TimeUnit.NANOSECONDS.toMillis(ctx.linkTimeoutNs()) + " ms");
            }
            else
            {
                work += send();
            }
        }
        else if (nowNs >= nextHelloNs && publication.isConnected())
        {
            sendHello();
            work++;
        }
        return work;
    }

    @Override
    public boolean isClosed()
    {
        return isClosed;
    }

    /**
     * Wait (at most {@link RemoteScribeContext#closeTimeoutNs()}, stepping the link) until everything offered is
     * durable, then
     * release the link. What is not durable by then is reported on the log stream; it is not lost while the Scribe
     * process is alive (it holds what it received), but this layer no longer resends it.
     */
    @Override
    public void close()
    {
        if (isClosed)
        {
            return;
        }
        final long deadlineNs = clock.nanoTime() + ctx.closeTimeoutNs();
        while (retained() > 0 && clock.nanoTime() < deadlineNs && !Thread.currentThread().isInterrupted())
        {
            if (0 == doWork())
            {
                Thread.onSpinWait();
                Thread.yield();
            }
        }
        if (retained() > 0)
        {
            log.println("orrery: Scribe link " + ctx.name() + " closed with " + retained() +
                " offers not reported durable");
        }
        isClosed = true;
        CloseHelper.quietCloseAll(publication, subscription, linked, linksLost, resent, proofsFailed,
            challengesRefused);
    }

    /**
     * Load the whole world through the link (a region load of the root zone without bounds), blocking: for a layer's
     * restore at start, before it serves (control path; allocates). Steps the link itself.
     *
     * @param handler   receives every node.
     * @param timeoutNs how long to wait for the Scribe process to be linked and to answer.
     * @return nodes loaded.
     * @throws IllegalStateException when it did not answer in time.
     */
    public int loadAll(final EntityGraphStore.NodeHandler handler, final long timeoutNs)
    {
        final long deadlineNs = clock.nanoTime() + timeoutNs;
        final long correlationId = Long.MIN_VALUE;
        final int[] loaded = { -1 };
        final LoadHandler loadHandler = new LoadHandler()
        {
            @Override
            public void onLoadedNode(final long id, final NodeRecord node)
            {
                if (correlationId == id)
                {
                    handler.onNode(node);
                }
            }

            @Override
            public void onLoadComplete(final long id, final int nodeCount)
            {
                if (correlationId == id)
                {
                    loaded[0] = nodeCount;
                }
            }
        };
        boolean offered = false;
        while (loaded[0] < 0)
        {
            if (clock.nanoTime() - deadlineNs > 0)
            {
                throw new IllegalStateException("no Scribe process answered on " + ctx.channel() + " stream " +
                    ctx.streamId() + " within " + TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms (" + this + ")");
            }
            if (!offered)
            {
                offered = offerLoadRegion(correlationId, 0, Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE,
                    Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE);
            }
            if (0 == doWork() + pollLoads(loadHandler, 1024))
            {
                Thread.yield();
            }
        }
        return loaded[0];
    }

    @Override
    public String toString()
    {
        return "RemoteScribe{state=" + state + ", connected=" + publication.isConnected() + ", images=" +
            subscription.imageCount() + ", lastOffered=" + lastOfferedSequence + ", durable=" + durableSequence +
            ", retained=" + retained() + ", nextSend=" + nextSendSequence + ", linksLost=" + linksLost.get() +
            ", proofsFailed=" + proofsFailed.get() + ", challengesRefused=" + challengesRefused.get() + "}";
    }

    private boolean offerOperation(
        final byte kind,
        final int lookupType,
        final long operationId,
        final long correlationId,
        final long playerId,
        final long containerId,
        final long itemId,
        final int factionId,
        final long delta,
        final NodeRecord node)
    {
        if ((RemoteScribeCodec.KIND_STOW == kind || RemoteScribeCodec.KIND_UNSTOW == kind) && null == node)
        {
            throw new IllegalArgumentException("node must not be null");
        }
        if (isClosed)
        {
            return false;
        }
        if (returnPath.isOperationsFull())
        {
            scribeCounters[ScribeCounter.OPERATIONS_BACK_PRESSURED.id()].incrementRelease();
            return false;
        }
        final long sequence = claim();
        if (sequence < 0)
        {
            return false;
        }
        final OperationEncoder encoder = operationEncoder.wrapAndApplyHeader(
            slots, slotOffset(sequence), headerEncoder)
            .sequence(sequence)
            .kind((short)kind)
            .lookupType(lookupType)
            .operationId(operationId)
            .playerId(playerId)
            .containerId(containerId)
            .itemId(null != node ? node.entityId : itemId)
            .factionId(factionId)
            .delta(delta);
        if (null != node)
        {
            RemoteScribeCodec.encode(encoder.node(), node);
            encoder.putComponentState(node.componentState, 0, node.componentStateLength);
        }
        else
        {
            RemoteScribeCodec.encode(encoder.node(), this.node.reset());
            encoder.putComponentState(this.node.componentState, 0, 0);
        }
        returnPath.onOperationOffered();
        final long movedEntityId = RemoteScribeCodec.KIND_STOW == kind || RemoteScribeCodec.KIND_UNSTOW == kind ?
            node.entityId : 0;
        return commit(sequence, SLOT_OPERATION, movedEntityId, correlationId, HEADER + encoder.encodedLength());
    }

    private long claim()
    {
        if (isClosed)
        {
            return -1;
        }
        if (lastOfferedSequence + 1 - retainedFrom >= capacity)
        {
            scribeCounters[ScribeCounter.RING_FULL.id()].incrementRelease();
            return -1;
        }
        return lastOfferedSequence + 1;
    }

    private boolean commit(
        final long sequence, final byte kind, final long entityId, final long correlationId, final int length)
    {
        final int slot = (int)(sequence & mask);
        slotLength[slot] = length;
        slotKind[slot] = kind;
        slotSequence[slot] = sequence;
        slotEntityId[slot] = entityId;
        slotCorrelationId[slot] = correlationId;
        slotDone[slot] = false;
        lastOfferedSequence = sequence;
        if (LINKED == state && !isResending && nextSendSequence == sequence)
        {
            send();
        }
        return true;
    }

    private int slotOffset(final long sequence)
    {
        return (int)(sequence & mask) * SLOT_LENGTH;
    }

    private int send()
    {
        int sent = 0;
        while (nextSendSequence <= lastOfferedSequence && sent < SEND_LIMIT)
        {
            final long sequence = nextSendSequence;
            final int slot = (int)(sequence & mask);
            if (isResending && isSuperseded(slot, sequence))
            {
                nextSendSequence++;
                continue;
            }
            final long result = publication.offer(slots, slot * SLOT_LENGTH, slotLength[slot]);
            if (result < 0)
            {
                break; // back-pressured or not connected: the next duty cycle tries again (a loss is detected there)
            }
            if (isResending)
            {
                resent.incrementRelease();
            }
            nextSendSequence++;
            sent++;
        }
        if (isResending && nextSendSequence > lastOfferedSequence)
        {
            isResending = false;
            lastMoveByEntity.clear();
        }
        return sent;
    }

    /**
     * Whether a retained offer is not sent again after a relink: an operation or load whose outcome arrived, or a world
     * change of an entity that a later operation of the log moves.
     */
    private boolean isSuperseded(final int slot, final long sequence)
    {
        final byte kind = slotKind[slot];
        if (SLOT_OPERATION == kind || SLOT_LOAD == kind)
        {
            return slotDone[slot];
        }
        return SLOT_WORLD == kind && lastMoveByEntity.get(slotEntityId[slot]) > sequence;
    }

    private void sendHello()
    {
        if (!hasNonce)
        {
            random.nextBytes(nonce); // one nonce per attempt: repeated hellos keep it, so any answer to them verifies
            hasNonce = true;
        }
        key.prove(RemoteScribeCodec.ROLE_HELLO, publication.sessionId(), ctx.responseStreamId(), nonce, helloExtra, 0,
            helloExtra.length, mac, 0);
        helloEncoder.wrapAndApplyHeader(controlBuffer, 0, headerEncoder)
            .responseStreamId(ctx.responseStreamId())
            .putNonce(nonce, 0, LinkKey.NONCE_LENGTH)
            .putMac(mac, 0, LinkKey.MAC_LENGTH)
            .responseChannel(ctx.responseChannel());
        publication.offer(controlBuffer, 0, HEADER + helloEncoder.encodedLength());
        nextHelloNs = nowNs + ctx.helloIntervalNs();
        state = UNLINKED;
    }

    private void onLinked(final int sessionId)
    {
        state = LINKED;
        hasNonce = false;
        scribeSessionId = sessionId;
        lastHeardNs = nowNs;
        linked.setRelease(1);
        // everything retained goes again, in order, but what is superseded
        lastMoveByEntity.clear();
        for (long sequence = retainedFrom; sequence <= lastOfferedSequence; sequence++)
        {
            final int slot = (int)(sequence & mask);
            if (SLOT_OPERATION == slotKind[slot] && 0 != slotEntityId[slot])
            {
                lastMoveByEntity.put(slotEntityId[slot], sequence);
            }
        }
        nextSendSequence = retainedFrom;
        isResending = retainedFrom <= lastOfferedSequence;
        if (linksLost.get() > 0)
        {
            log.println("orrery: Scribe link " + ctx.name() + " relinked; sending again " + retained() +
                " offers not reported durable");
        }
    }

    private void onLinkLost(final String why)
    {
        state = UNLINKED;
        hasNonce = false;
        linked.setRelease(0);
        linksLost.incrementRelease();
        reportedDurable = -1;
        nextHelloNs = nowNs;
        log.println("orrery: Scribe link " + ctx.name() + " lost (" + why + "); " + retained() +
            " offers not durable are kept and sent again on relink");
    }

    private ControlledFragmentHandler.Action onFragment(
        final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (!RemoteScribeCodec.isValid(headerDecoder, buffer, offset, length))
        {
            return ControlledFragmentHandler.Action.CONTINUE;
        }
        final int templateId = headerDecoder.templateId();
        final int sessionId = header.sessionId();
        if (LINKED == state && sessionId == scribeSessionId)
        {
            lastHeardNs = nowNs;
            return onLinkedMessage(templateId, buffer, offset, length);
        }
        if (ScribeChallengeDecoder.TEMPLATE_ID == templateId && LINKED != state)
        {
            if (headerDecoder.version() < ScribeChallengeDecoder.SCHEMA_VERSION ||
                headerDecoder.blockLength() < ScribeChallengeDecoder.BLOCK_LENGTH || !hasNonce)
            {
                refuseChallenge(sessionId, "of an older link schema version (a Scribe process of another release), " +
                    "or for no hello of this attempt");
                return ControlledFragmentHandler.Action.CONTINUE;
            }
            if (macChecks >= RemoteScribeCodec.MAC_CHECKS_PER_POLL)
            {
                return ControlledFragmentHandler.Action.ABORT; // waits in its image; the other images go on
            }
            macChecks++;
            challengeDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
            challengeDecoder.getMac(mac, 0, LinkKey.MAC_LENGTH);
            if (!key.verify(RemoteScribeCodec.ROLE_CHALLENGE, sessionId, publication.sessionId(), nonce, mac))
            {
                // not the Scribe's: a proof for it would only end the genuine handshake at the Scribe
                refuseChallenge(sessionId, "without a valid MAC (not the link key)");
                return ControlledFragmentHandler.Action.CONTINUE;
            }
            challengeDecoder.getNonce(peerNonce, 0, LinkKey.NONCE_LENGTH);
            key.prove(RemoteScribeCodec.ROLE_LAYER, publication.sessionId(), sessionId, peerNonce, mac, 0);
            proofEncoder.wrapAndApplyHeader(controlBuffer, 0, headerEncoder).putMac(mac, 0, LinkKey.MAC_LENGTH);
            if (publication.offer(controlBuffer, 0, HEADER + proofEncoder.encodedLength()) > 0)
            {
                state = AWAITING_WELCOME;
                scribeSessionId = sessionId;
                nextHelloNs = nowNs + WELCOME_PATIENCE_NS; // a new hello now would void the proof just sent
            }
        }
        else if (ScribeWelcomeDecoder.TEMPLATE_ID == templateId && AWAITING_WELCOME == state &&
            sessionId == scribeSessionId)
        {
            welcomeDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
            welcomeDecoder.getMac(mac, 0, LinkKey.MAC_LENGTH);
            if (key.verify(RemoteScribeCodec.ROLE_SCRIBE, sessionId, publication.sessionId(), nonce, mac))
            {
                onLinked(sessionId);
            }
            else
            {
                proofsFailed.incrementRelease();
                state = UNLINKED;
                hasNonce = false;
            }
        }
        return ControlledFragmentHandler.Action.CONTINUE;
    }

    private void refuseChallenge(final int sessionId, final String why)
    {
        challengesRefused.incrementRelease();
        final long refused = challengesRefused.get();
        if (Long.bitCount(refused) == 1)
        {
            log.println("orrery: Scribe link " + ctx.name() + " refused a challenge " + why + " from session " +
                sessionId + " (" + refused + " so far, logged at powers of two)");
        }
    }

    private ControlledFragmentHandler.Action onLinkedMessage(
        final int templateId, final DirectBuffer buffer, final int offset, final int length)
    {
        switch (templateId)
        {
            case ScribeDurableDecoder.TEMPLATE_ID:
                durableDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                onDurable(durableDecoder.sequence());
                return ControlledFragmentHandler.Action.CONTINUE;

            case CompletionDecoder.TEMPLATE_ID:
                return onCompletion(buffer, offset, length);

            case LoadedNodeDecoder.TEMPLATE_ID:
                return onLoadedNode(buffer, offset, length);

            case LoadCompleteDecoder.TEMPLATE_ID:
                return onLoadComplete(buffer, offset);

            default:
                return ControlledFragmentHandler.Action.CONTINUE;
        }
    }

    private void onDurable(final long sequence)
    {
        if (sequence > reportedDurable)
        {
            reportedDurable = Math.min(sequence, nextSendSequence - 1);
        }
        long from = retainedFrom;
        while (from <= reportedDurable)
        {
            final int slot = (int)(from & mask);
            final byte kind = slotKind[slot];
            if ((SLOT_OPERATION == kind || SLOT_LOAD == kind) && !slotDone[slot])
            {
                break; // its outcome is on its way: keep it until it is here
            }
            from++;
        }
        retainedFrom = from;
        durableSequence = from - 1;
    }

    private boolean isRetained(final long sequence, final byte kind)
    {
        if (sequence < retainedFrom || sequence > lastOfferedSequence)
        {
            return false;
        }
        final int slot = (int)(sequence & mask);
        return slotSequence[slot] == sequence && slotKind[slot] == kind && !slotDone[slot];
    }

    private ControlledFragmentHandler.Action onCompletion(
        final DirectBuffer buffer, final int offset, final int length)
    {
        completionDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        final long sequence = completionDecoder.sequence();
        if (!isRetained(sequence, SLOT_OPERATION))
        {
            return ControlledFragmentHandler.Action.CONTINUE; // an outcome already delivered
        }
        final boolean hasNode = 0 != completionDecoder.hasNode();
        if (hasNode)
        {
            RemoteScribeCodec.decode(completionDecoder.node(), node);
        }
        final int stateLength = completionDecoder.componentStateLength();
        final int stateLimit = completionDecoder.limit() + CompletionDecoder.componentStateHeaderLength();
        if (!RemoteScribeCodec.isStateLengthValid(stateLength, stateLimit, offset + length))
        {
            return ControlledFragmentHandler.Action.CONTINUE;
        }
        node.componentStateLength = completionDecoder.getComponentState(node.componentState, 0, stateLength);

        final int recordLength = hasNode ? CompletionDescriptor.NODE_STATE_OFFSET + stateLength : LENGTH;
        final int index = completions.tryClaim(
            hasNode ? CompletionDescriptor.MSG_TYPE_ID_WITH_NODE : CompletionDescriptor.MSG_TYPE_ID, recordLength);
        if (index < 0)
        {
            return ControlledFragmentHandler.Action.ABORT; // the Replicant polls it next cycle
        }
        final UnsafeBuffer ring = (UnsafeBuffer)completions.buffer();
        final int slot = (int)(sequence & mask);
        ring.putLong(index + OPERATION_ID_OFFSET, completionDecoder.operationId());
        ring.putLong(index + CORRELATION_ID_OFFSET, slotCorrelationId[slot]);
        ring.putLong(index + VALUE_OFFSET, completionDecoder.value());
        ring.putInt(index + TYPE_OFFSET, completionDecoder.operationType());
        ring.putInt(index + STATUS_OFFSET, completionDecoder.status());
        ring.putInt(index + FIRST_STATUS_OFFSET, completionDecoder.firstStatus());
        if (hasNode)
        {
            CompletionDescriptor.encodeNode(ring, index, node);
        }
        completions.commit(index);
        slotDone[slot] = true;
        return ControlledFragmentHandler.Action.CONTINUE;
    }

    private ControlledFragmentHandler.Action onLoadedNode(
        final DirectBuffer buffer, final int offset, final int length)
    {
        loadedNodeDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        final long sequence = loadedNodeDecoder.sequence();
        if (!isRetained(sequence, SLOT_LOAD))
        {
            return ControlledFragmentHandler.Action.CONTINUE;
        }
        RemoteScribeCodec.decode(loadedNodeDecoder.node(), node);
        final int stateLength = loadedNodeDecoder.componentStateLength();
        final int stateLimit = loadedNodeDecoder.limit() + LoadedNodeDecoder.componentStateHeaderLength();
        if (!RemoteScribeCodec.isStateLengthValid(stateLength, stateLimit, offset + length))
        {
            return ControlledFragmentHandler.Action.CONTINUE;
        }
        node.componentStateLength = loadedNodeDecoder.getComponentState(node.componentState, 0, stateLength);
        final int index = loads.tryClaim(
            CompletionDescriptor.MSG_TYPE_ID_LOADED_NODE, CompletionDescriptor.NODE_STATE_OFFSET + stateLength);
        if (index < 0)
        {
            return ControlledFragmentHandler.Action.ABORT;
        }
        final UnsafeBuffer ring = (UnsafeBuffer)loads.buffer();
        ring.putLong(index + CORRELATION_ID_OFFSET, slotCorrelationId[(int)(sequence & mask)]);
        CompletionDescriptor.encodeNode(ring, index, node);
        loads.commit(index);
        return ControlledFragmentHandler.Action.CONTINUE;
    }

    private ControlledFragmentHandler.Action onLoadComplete(final DirectBuffer buffer, final int offset)
    {
        loadCompleteDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        final long sequence = loadCompleteDecoder.sequence();
        if (!isRetained(sequence, SLOT_LOAD))
        {
            return ControlledFragmentHandler.Action.CONTINUE;
        }
        final int index = loads.tryClaim(CompletionDescriptor.MSG_TYPE_ID_LOAD_COMPLETE, LENGTH);
        if (index < 0)
        {
            return ControlledFragmentHandler.Action.ABORT;
        }
        final UnsafeBuffer ring = (UnsafeBuffer)loads.buffer();
        final int slot = (int)(sequence & mask);
        ring.putLong(index + CORRELATION_ID_OFFSET, slotCorrelationId[slot]);
        ring.putLong(index + VALUE_OFFSET, loadCompleteDecoder.nodeCount());
        loads.commit(index);
        slotDone[slot] = true;
        return ControlledFragmentHandler.Action.CONTINUE;
    }
}
