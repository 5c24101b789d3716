/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.server;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.exceptions.RegistrationException;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.Header;
import io.orrery.link.EntityState;
import io.orrery.link.Publications;
import io.orrery.link.BoundedFragmentAssembler;
import io.orrery.wire.EntityFields;
import io.orrery.wire.MessageValidator;
import io.orrery.wire.codec.ClientViewBatchDecoder;
import io.orrery.wire.codec.DespawnReason;
import io.orrery.wire.codec.EntityCreateRequestEncoder;
import io.orrery.wire.codec.EntityDestroyRequestEncoder;
import io.orrery.wire.codec.EntityStateBatchEncoder;
import io.orrery.wire.codec.EntityStreamInDecoder;
import io.orrery.wire.codec.EntityStreamOutDecoder;
import io.orrery.wire.codec.EntityStreamOutEncoder;
import io.orrery.wire.codec.ForwardedInputDecoder;
import io.orrery.wire.codec.HandoffAcceptEncoder;
import io.orrery.wire.codec.HandoffCommitDecoder;
import io.orrery.wire.codec.HandoffPrepareDecoder;
import io.orrery.wire.codec.LoadReportEncoder;
import io.orrery.wire.codec.MessageHeaderDecoder;
import io.orrery.wire.codec.MessageHeaderEncoder;
import io.orrery.wire.codec.ServerHelloEncoder;
import io.orrery.wire.codec.ServerRejectDecoder;
import io.orrery.wire.codec.ServerWelcomeDecoder;
import io.orrery.wire.codec.TerritoryGrantDecoder;
import io.orrery.wire.codec.TerritoryRevokeDecoder;
import org.agrona.BufferUtil;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersReader;

import java.nio.ByteOrder;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;

/**
 * What a game server embeds to join a shard: one exclusive publication to the Replication Layer's server ingress
 * channel and one subscription on this server's response channel, over an Aeron client of its own or the
 * embedder's.
 * <p>
 * Lifecycle: {@link #launch(Context)} opens the publication; {@link #doWork()} sends the {@code ServerHello} (the
 * HMAC server token names the server id) once connected, then dispatches what the Replication Layer sends to the
 * {@link ServerListener} and sends a {@code LoadReport} (the heartbeat) every {@link Context#heartbeatIntervalNs()}
 * with the figures of the last {@link #reportLoad}.
 * <p>
 * Publishing: {@link #beginStateBatch}, any number of {@link #appendState}, {@link #commitStateBatch}: one
 * {@code EntityStateBatch}, split into several messages of about {@link #MAX_BATCH_BYTES} automatically. Every
 * publishing method returns {@link #OK} or a negative code ({@link #NOT_CONNECTED}, {@link #BACK_PRESSURED}, ...)
 * and never throws or allocates. On {@link #BACK_PRESSURED} what was not sent is dropped; the server should send
 * the full state of those entities on its next tick.
 * <p>
 * Binding: the hello carries a random nonce; only a {@code ServerWelcome} (or {@code ServerReject}) that echoes it
 * is taken, and from then on only messages of the image (Aeron session) that delivered the welcome are handled.
 * Anything else on the response channel (another publication onto the same channel and stream: forged rejects,
 * revokes, inputs) is dropped and counted ({@link #foreignMessagesDropped()}); when the bound image goes away the
 * layer is lost (see below). Responses are reassembled within {@link Context#responseMaxMessageLength()} and
 * {@link Context#responseMaxTermLength()} ({@link #responsesTooLong()}, {@link #responseImagesRefused()}).
 * <p>
 * Layer loss and rejoin: the Replication Layer heartbeats every welcomed server ({@code ServerHeartbeat}, a fifth of
 * its heartbeat timeout apart). A link that hears nothing from its bound image for {@link Context#layerTimeoutNs()},
 * or whose bound image goes away, has lost its layer (it was killed, closed or restarted, or it declared this server
 * dead). With {@link Context#rejoin()} (the default) the link then says so ({@link ServerListener#onLayerLost}), closes
 * its ingress publication and goes back to {@link State#CONNECTING}: after a backoff ({@link
 * Context#rejoinBackoffInitialNs()} doubling to {@link Context#rejoinBackoffMaxNs()}, each delay drawn uniformly
 * from its upper half as jitter so a fleet of servers does not hello in step) it opens a new publication and sends a
 * new hello with a new nonce; an attempt not welcomed within {@link Context#rejoinHelloTimeoutNs()} is abandoned (its
 * hello may have gone to a dead layer's subscription, which the media driver keeps until it times that client out)
 * and the next one follows after the next backoff. It retries until welcomed or closed: how long a server may live
 * without a layer is its embedder's decision (the game server pauses, then exits after its grace period). A new
 * welcome is a new session: a restarted layer knows nothing of the old one, so everything the server held (entities,
 * territories, epochs) is void and what the layer grants and streams in afterwards is the truth. Silence is measured
 * only while the link itself runs: a duty cycle more than a quarter of the layer timeout after the previous one
 * restarts the measurement, so a paused or starved game server does not declare a live layer lost. Without
 * {@link Context#rejoin()} a lost layer ends the link ({@link State#DISCONNECTED}).
 * <p>
 * Threading: an {@link Agent}; every method is called on the thread that runs {@link #doWork()}.
 */
public final class ServerLink implements Agent, AutoCloseable
{
    public static final int OK = 0;
    public static final int NOT_CONNECTED = -1;
    public static final int BACK_PRESSURED = -2;
    /**
     * {@link #appendState} or {@link #commitStateBatch} without {@link #beginStateBatch}.
     */
    public static final int NO_BATCH = -3;
    /**
     * Component state longer than the message can carry.
     */
    public static final int STATE_TOO_LONG = -4;
    /**
     * Entity id outside this server's block from the welcome.
     */
    public static final int ID_OUT_OF_BLOCK = -5;
    /**
     * The link is closed.
     */
    public static final int CLOSED = -6;

    /**
     * Protocol version spoken by this build.
     */
    public static final int PROTOCOL_VERSION = 1;

    public static final int REASON_CONNECT_FAILED = 1;
    public static final int REASON_TIMEOUT = 2;
    public static final int REASON_CLOSED_BY_SHARD = 3;
    public static final int REASON_LOCAL_CLOSE = 4;

    /**
     * State batches are split into messages of at most about this many bytes.
     */
    public static final int MAX_BATCH_BYTES = 4096;

    /**
     * Where the link is in its life.
     */
    public enum State
    {
        CONNECTING, AWAITING_WELCOME, CONNECTED, REJECTED, DISCONNECTED, CLOSED
    }

    static final int FRAGMENT_LIMIT = 256;
    /**
     * Fragmented responses in reassembly at once: the layer's image needs one; the rest bounds what other
     * publishers on the response channel can make the link hold.
     */
    static final int RESPONSE_REASSEMBLIES = 4;
    private static final int MAX_GROUP_ENTRIES = 4096;
    private static final int MAX_TEMPLATE_ID = 256;

    private final Context ctx;
    private final Aeron aeron;
    private final ServerListener listener;
    private final NanoClock clock;
    private long registrationId;
    private final Subscription responses;
    private final BoundedFragmentAssembler assembler;
    private final AtomicCounter responsesTooLong;
    private final AtomicCounter responseImagesRefused;
    private final AtomicCounter responseFragmentsRefused;
    private final SecureRandom random = new SecureRandom();
    private long helloNonce;
    private final UnsafeBuffer sendBuffer;
    private final UnsafeBuffer controlBuffer = new UnsafeBuffer(new byte[256]);
    private final UnsafeBuffer stateView = new UnsafeBuffer(0, 0);
    private final EntitySnapshot snapshot;
    private final ForwardedInput forwardedInput = new ForwardedInput();
    private final Long2LongHashMap incomingFrom = new Long2LongHashMap(0);
    private final Long2LongHashMap incomingEpoch = new Long2LongHashMap(0);

    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final ServerHelloEncoder helloEncoder = new ServerHelloEncoder();
    private final EntityStateBatchEncoder stateBatchEncoder = new EntityStateBatchEncoder();
    private final EntityCreateRequestEncoder createEncoder = new EntityCreateRequestEncoder();
    private final EntityDestroyRequestEncoder destroyEncoder = new EntityDestroyRequestEncoder();
    private final EntityStreamOutEncoder streamOutEncoder = new EntityStreamOutEncoder();
    private final HandoffAcceptEncoder acceptEncoder = new HandoffAcceptEncoder();
    private final LoadReportEncoder loadReportEncoder = new LoadReportEncoder();
    private final ServerWelcomeDecoder welcomeDecoder = new ServerWelcomeDecoder();
    private final ServerRejectDecoder rejectDecoder = new ServerRejectDecoder();
    private final TerritoryGrantDecoder grantDecoder = new TerritoryGrantDecoder();
    private final TerritoryRevokeDecoder revokeDecoder = new TerritoryRevokeDecoder();
    private final HandoffPrepareDecoder prepareDecoder = new HandoffPrepareDecoder();
    private final HandoffCommitDecoder commitDecoder = new HandoffCommitDecoder();
    private final ForwardedInputDecoder inputDecoder = new ForwardedInputDecoder();
    private final EntityStreamInDecoder streamInDecoder = new EntityStreamInDecoder();
    private final EntityStreamOutDecoder streamOutDecoder = new EntityStreamOutDecoder();
    private final ClientViewBatchDecoder viewDecoder = new ClientViewBatchDecoder();

    private State state = State.CONNECTING;
    private ExclusivePublication publication;
    private long nowNs;
    private long deadlineNs;
    private long nextHeartbeatNs;
    private long serverSessionId;
    private long entityIdBase;
    private long entityIdCount;
    private long nextEntityOffset;
    private int disconnectReason;

    private EntityStateBatchEncoder.StatesEncoder states;
    private boolean batchOpen;
    private int batchCount;
    private long batchTick;
    private long batchNowNs;

    private long loadTick;
    private int loadEntityCount;
    private int loadPlayerCount;
    private long loadTickTimeP50Ns;
    private long loadTickTimeMaxNs;
    private float loadCpuLoad;

    private long inputsReceived;
    private long statesSent;
    private long batchesSent;
    private long backPressureEvents;
    private long malformedReceived;
    private long rejectsReceived;
    private long foreignMessagesDropped;
    private int boundImageSessionId;
    private long lastHeardNs;
    private long lastDutyCycleNs;
    private long layerTimeoutNs;
    private boolean rejoining;
    private int rejoinAttempts;
    private long nextAttemptNs;
    private long layerLosses;
    private long rejoins;

    private ServerLink(final Context ctx)
    {
        this.ctx = ctx;
        this.aeron = ctx.aeron();
        this.listener = ctx.listener();
        this.clock = ctx.nanoClock();
        this.snapshot = new EntitySnapshot(ctx.maxStateBytes());
        this.sendBuffer = new UnsafeBuffer(new byte[2 * MAX_BATCH_BYTES + 2 * ctx.maxStateBytes() + 1024]);
        final UnsafeBuffer counterValues = new UnsafeBuffer(
            BufferUtil.allocateDirectAligned(3 * CountersReader.COUNTER_LENGTH, CountersReader.COUNTER_LENGTH));
        this.responsesTooLong = new AtomicCounter(counterValues, 0);
        this.responseImagesRefused = new AtomicCounter(counterValues, 1);
        this.responseFragmentsRefused = new AtomicCounter(counterValues, 2);
        this.assembler = new BoundedFragmentAssembler(this::onMessage, ctx.responseMaxMessageLength(),
            ctx.responseMaxTermLength(), RESPONSE_REASSEMBLIES, responsesTooLong, responseImagesRefused,
            responseFragmentsRefused);
        this.helloNonce = random.nextLong() | 1L;
        this.responses = aeron.addSubscription(ctx.responseChannel(), ctx.responseStreamId(),
            assembler::refuseOversizedImage, ServerLink::onResponseImageGone);
        this.registrationId = aeron.asyncAddExclusivePublication(ctx.ingressChannel(), ctx.ingressStreamId());
        this.nowNs = clock.nanoTime();
        this.deadlineNs = nowNs + ctx.connectTimeoutNs();
    }

    /**
     * Conclude the context, connect (or reuse) the Aeron client and open the ingress publication. The hello goes out
     * from {@link #doWork()} once the publication is connected.
     */
    public static ServerLink launch(final Context ctx)
    {
        ctx.conclude();
        try
        {
            return new ServerLink(ctx);
        }
        catch (final RuntimeException ex)
        {
            ctx.close();
            throw ex;
        }
    }

    public Context context()
    {
        return ctx;
    }

    @Override
    public String roleName()
    {
        return "orrery-server-link-" + ctx.serverId;
    }

    @Override
    public int doWork()
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
                int work = responses.controlledPoll(assembler, FRAGMENT_LIMIT);
                if (State.CONNECTED != state)
                {
                    return work + 1;
                }
                if (nowNs - nextHeartbeatNs >= 0)
                {
                    nextHeartbeatNs = nowNs + ctx.heartbeatIntervalNs();
                    sendLoadReport();
                    if (assembler.reassemblyCount() > 0)
                    {
                        assembler.freeBuffersOfGoneImages(responses); // buffers of other images that went away
                    }
                    work++;
                }
                if (null == responses.imageBySessionId(boundImageSessionId))
                {
                    layerLost(REASON_CLOSED_BY_SHARD); // the layer's image went away (others do not count)
                    work++;
                }
                else if (nowNs - lastHeardNs > layerTimeoutNs)
                {
                    layerLost(REASON_TIMEOUT);
                    work++;
                }
                return work;
            }

            case CONNECTING:
                return connecting();

            case AWAITING_WELCOME:
            {
                final int work = responses.controlledPoll(assembler, FRAGMENT_LIMIT);
                if (State.AWAITING_WELCOME == state && nowNs - deadlineNs > 0)
                {
                    if (rejoining)
                    {
                        abandonAttempt();
                    }
                    else
                    {
                        disconnect(REASON_CONNECT_FAILED);
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
            responses.controlledPoll(assembler, FRAGMENT_LIMIT);
            if (Aeron.NULL_VALUE == registrationId)
            {
                if (nowNs - nextAttemptNs < 0)
                {
                    return 0;
                }
                helloNonce = random.nextLong() | 1L;
                registrationId = aeron.asyncAddExclusivePublication(ctx.ingressChannel(), ctx.ingressStreamId());
                return 1;
            }
        }
        if (null == publication)
        {
            try
            {
                publication = aeron.getExclusivePublication(registrationId);
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
                    disconnect(REASON_CONNECT_FAILED);
                }
                return 1;
            }
        }
        if (null != publication && publication.isConnected() && sendHello())
        {
            state = State.AWAITING_WELCOME;
            if (rejoining)
            {
                deadlineNs = nowNs + ctx.rejoinHelloTimeoutNs();
            }
            return 1;
        }
        if (!rejoining && nowNs - deadlineNs > 0)
        {
            disconnect(REASON_CONNECT_FAILED);
            return 1;
        }
        return 0;
    }

    /**
     * The layer went silent or its image went away: rejoin (or end, without {@link Context#rejoin()}).
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
        state = State.CONNECTING;
        scheduleAttempt();
        listener.onLayerLost(this, reason);
    }

    /**
     * A rejoin hello was not answered in time: drop its publication and try again after the next backoff.
     */
    private void abandonAttempt()
    {
        closeResources();
        registrationId = Aeron.NULL_VALUE;
        state = State.CONNECTING;
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

    private boolean sendHello()
    {
        final byte[] token = ctx.token();
        final ServerHelloEncoder hello = helloEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .protocolVersion(PROTOCOL_VERSION)
            .serverId(ctx.serverId)
            .responseStreamId(ctx.responseStreamId())
            .tickRateHz(ctx.tickRateHz())
            .maxEntities(0)
            .serverTimestampNs(nowNs)
            .helloNonce(helloNonce)
            .putAuthToken(token, 0, token.length)
            .responseChannel(ctx.responseChannel());
        return offer(sendBuffer, MessageHeaderEncoder.ENCODED_LENGTH + hello.encodedLength()) == OK;
    }

    public State state()
    {
        return state;
    }

    public boolean isConnected()
    {
        return State.CONNECTED == state;
    }

    /**
     * @return whether the link lost its layer and is trying to join one again.
     */
    public boolean isRejoining()
    {
        return rejoining;
    }

    /**
     * @return how often the layer was lost (silent past the layer timeout, or its image gone).
     */
    public long layerLosses()
    {
        return layerLosses;
    }

    /**
     * @return welcomes after a lost layer.
     */
    public long rejoins()
    {
        return rejoins;
    }

    /**
     * Whether the ingress publication can take at least a quarter of its term before back-pressure, i.e. the media
     * driver has moved its limit past what the Replication Layer consumed (true when there is no connected
     * publication: nothing to wait for). For stepping a shard deterministically with a controlled clock: a test
     * that advances its clock faster than the driver's own thread runs must not let the link fall silent.
     */
    public boolean isIngressWindowOpen()
    {
        final ExclusivePublication publication = this.publication;
        return null == publication || !publication.isConnected() ||
            publication.availableWindow() >= publication.termBufferLength() >> 2;
    }

    public int serverId()
    {
        return ctx.serverId;
    }

    /**
     * @return why the link ended (a {@code REASON_*} constant), or 0.
     */
    public int disconnectReason()
    {
        return disconnectReason;
    }

    /**
     * @return this connection's id at the Replication Layer (valid once welcomed).
     */
    public long serverSessionId()
    {
        return serverSessionId;
    }

    /**
     * @return first id of this server's entity id block (valid once welcomed).
     */
    public long entityIdBase()
    {
        return entityIdBase;
    }

    /**
     * @return the next unused id of this server's block, or {@link #ID_OUT_OF_BLOCK} when exhausted or not welcomed.
     */
    public long nextEntityId()
    {
        if (0 == entityIdBase || nextEntityOffset >= entityIdCount)
        {
            return ID_OUT_OF_BLOCK;
        }
        return entityIdBase + nextEntityOffset++;
    }

    /**
     * Start an {@code EntityStateBatch}. A batch still open is committed first.
     *
     * @return {@link #OK} or {@link #NOT_CONNECTED}.
     */
    public int beginStateBatch(final long tick, final long nowNs)
    {
        int result = OK;
        if (batchOpen)
        {
            result = commitStateBatch();
        }
        if (State.CONNECTED != state)
        {
            batchOpen = false;
            return NOT_CONNECTED;
        }
        batchOpen = true;
        batchCount = 0;
        batchTick = tick;
        batchNowNs = nowNs;
        return result;
    }

    /**
     * Append one authoritative write of {@code state}'s entity ({@link EntityState#entityId()}) at its
     * {@link EntityState#authorityEpoch()}. Only the fields in {@code changedMask} ({@link EntityFields} bits) are
     * applied by the Replication Layer; the state's component state is sent only with
     * {@link EntityFields#COMPONENT_STATE}. One struct, refilled per entity, serves a whole tick:
     * <pre>{@code
     * link.beginStateBatch(tick, nowNs);
     * for (each changed entity)
     * {
     *     state.reset().entityId(id).authorityEpoch(epoch).position(x, y, z).lastAppliedInputSequence(seq);
     *     link.appendState(state, EntityFields.POSITION | EntityFields.LAST_APPLIED_INPUT);
     * }
     * link.commitStateBatch();
     * }</pre>
     *
     * @return {@link #OK}, {@link #NO_BATCH}, {@link #STATE_TOO_LONG}, or {@link #BACK_PRESSURED} /
     * {@link #NOT_CONNECTED} if a full part of the batch had to be sent and could not be.
     */
    public int appendState(final EntityState state, final int changedMask)
    {
        if (!batchOpen)
        {
            return NO_BATCH;
        }
        final int stateLength = 0 != (changedMask & EntityFields.COMPONENT_STATE) ? state.componentStateLength() : 0;
        if (stateLength > ctx.maxStateBytes())
        {
            return STATE_TOO_LONG;
        }
        int result = OK;
        if (batchCount > 0 && (batchCount == MAX_GROUP_ENTRIES ||
            stateBatchEncoder.limit() + EntityStateBatchEncoder.StatesEncoder.sbeBlockLength() + 2 + stateLength >
            MAX_BATCH_BYTES))
        {
            result = flushStateBatch();
        }
        if (0 == batchCount)
        {
            states = stateBatchEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
                .serverId(ctx.serverId)
                .tick(batchTick)
                .serverTimeNs(batchNowNs)
                .statesCount(MAX_GROUP_ENTRIES);
        }
        final EntityStateBatchEncoder.StatesEncoder entry = states.next()
            .entityId(state.entityId())
            .authorityEpoch(state.authorityEpoch());
        sendBuffer.putShort(entry.changed().offset(), (short)changedMask, ByteOrder.LITTLE_ENDIAN);
        entry.parentZoneId(state.parentZoneId());
        entry.position().x(state.x()).y(state.y()).z(state.z());
        entry.orientation().x(state.qx()).y(state.qy()).z(state.qz()).w(state.qw());
        entry.velocity().x(state.vx()).y(state.vy()).z(state.vz());
        entry.radius(state.radius()).lastAppliedInputSequence(state.lastAppliedInputSequence());
        entry.putComponentState(state.componentStateBuffer(), 0, stateLength);
        batchCount++;
        return result;
    }

    /**
     * Send what the batch holds (nothing if empty).
     *
     * @return {@link #OK}, {@link #NO_BATCH}, {@link #BACK_PRESSURED}, {@link #NOT_CONNECTED}.
     */
    public int commitStateBatch()
    {
        if (!batchOpen)
        {
            return NO_BATCH;
        }
        batchOpen = false;
        return 0 == batchCount ? OK : flushStateBatch();
    }

    private int flushStateBatch()
    {
        states.resetCountToIndex();
        final int count = batchCount;
        batchCount = 0;
        final int result = offer(sendBuffer, stateBatchEncoder.limit());
        if (OK == result)
        {
            statesSent += count;
            batchesSent++;
        }
        return result;
    }

    /**
     * Ask the Replication Layer to create an entity with an id from this server's block
     * ({@link #nextEntityId()}); it is owned by the server whose territory contains it (usually this one), which
     * receives it through {@link ServerListener#onEntityStreamIn}.
     *
     * @return {@link #OK}, {@link #ID_OUT_OF_BLOCK}, {@link #STATE_TOO_LONG}, {@link #BACK_PRESSURED},
     * {@link #NOT_CONNECTED}.
     */
    public int createEntity(final EntitySnapshot entity, final boolean isZone)
    {
        final long entityId = entity.entityId();
        if (0 == entityIdBase || entityId < entityIdBase || entityId >= entityIdBase + entityIdCount)
        {
            return ID_OUT_OF_BLOCK;
        }
        final EntityCreateRequestEncoder create = createEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .serverId(ctx.serverId)
            .entityId(entityId)
            .archetypeId(entity.archetypeId())
            .ownerPlayerId(entity.ownerPlayerId())
            .parentZoneId(entity.parentZoneId());
        create.position().x(entity.x()).y(entity.y()).z(entity.z());
        create.orientation().x(entity.qx()).y(entity.qy()).z(entity.qz()).w(entity.qw());
        create.velocity().x(entity.vx()).y(entity.vy()).z(entity.vz());
        create.radius(entity.radius())
            .isZone((short)(isZone ? 1 : 0))
            .putComponentState(entity.componentStateBuffer(), 0, entity.componentStateLength());
        return offer(sendBuffer, MessageHeaderEncoder.ENCODED_LENGTH + create.encodedLength());
    }

    /**
     * Ask the Replication Layer to destroy an entity this server is the authority over.
     *
     * @return {@link #OK}, {@link #BACK_PRESSURED}, {@link #NOT_CONNECTED}.
     */
    public int destroyEntity(final long entityId, final long epoch)
    {
        destroyEncoder.wrapAndApplyHeader(controlBuffer, 0, headerEncoder)
            .serverId(ctx.serverId)
            .entityId(entityId)
            .authorityEpoch(epoch);
        return offer(controlBuffer, MessageHeaderEncoder.ENCODED_LENGTH + destroyEncoder.encodedLength());
    }

    /**
     * Answer {@link ServerListener#onHandoffRelease}: the entity's final state ({@code authorityEpoch} = the epoch
     * being released, {@code lastAppliedInputSequence} = the last input applied). Stop simulating it afterwards.
     *
     * @return {@link #OK}, {@link #STATE_TOO_LONG}, {@link #BACK_PRESSURED}, {@link #NOT_CONNECTED}.
     */
    public int releaseEntity(final EntitySnapshot finalState)
    {
        if (batchOpen && batchCount > 0)
        {
            final int result = flushStateBatch();
            if (OK != result)
            {
                return result;
            }
        }
        final EntityStreamOutEncoder.EntitiesEncoder entry = streamOutEncoder
            .wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .territoryId(0)
            .epoch(finalState.authorityEpoch())
            .reason(DespawnReason.destroyed)
            .entitiesCount(1)
            .next()
            .entityId(finalState.entityId())
            .archetypeId(finalState.archetypeId())
            .ownerPlayerId(finalState.ownerPlayerId())
            .parentZoneId(finalState.parentZoneId());
        entry.position().x(finalState.x()).y(finalState.y()).z(finalState.z());
        entry.orientation().x(finalState.qx()).y(finalState.qy()).z(finalState.qz()).w(finalState.qw());
        entry.velocity().x(finalState.vx()).y(finalState.vy()).z(finalState.vz());
        entry.radius(finalState.radius())
            .authorityEpoch(finalState.authorityEpoch())
            .lastAppliedInputSequence(finalState.lastAppliedInputSequence())
            .putComponentState(finalState.componentStateBuffer(), 0, finalState.componentStateLength());
        return offer(sendBuffer, streamOutEncoder.limit());
    }

    /**
     * Send a load report now and keep the figures for the periodic heartbeat reports.
     *
     * @return {@link #OK}, {@link #BACK_PRESSURED}, {@link #NOT_CONNECTED}.
     */
    public int reportLoad(
        final long tick, final int entityCount, final int playerCount, final long tickTimeP50Ns,
        final long tickTimeMaxNs, final float cpuLoad)
    {
        loadTick = tick;
        loadEntityCount = entityCount;
        loadPlayerCount = playerCount;
        loadTickTimeP50Ns = tickTimeP50Ns;
        loadTickTimeMaxNs = tickTimeMaxNs;
        loadCpuLoad = cpuLoad;
        nextHeartbeatNs = nowNs + ctx.heartbeatIntervalNs();
        return sendLoadReport();
    }

    private int sendLoadReport()
    {
        loadReportEncoder.wrapAndApplyHeader(controlBuffer, 0, headerEncoder)
            .serverId(ctx.serverId)
            .serverTimestampNs(nowNs)
            .tick(loadTick)
            .entityCount(loadEntityCount)
            .playerCount(loadPlayerCount)
            .tickTimeP50Ns(loadTickTimeP50Ns)
            .tickTimeMaxNs(loadTickTimeMaxNs)
            .cpuLoad(loadCpuLoad);
        return offer(controlBuffer, MessageHeaderEncoder.ENCODED_LENGTH + loadReportEncoder.encodedLength());
    }

    public long inputsReceived()
    {
        return inputsReceived;
    }

    public long statesSent()
    {
        return statesSent;
    }

    public long batchesSent()
    {
        return batchesSent;
    }

    public long backPressureEvents()
    {
        return backPressureEvents;
    }

    public long malformedReceived()
    {
        return malformedReceived;
    }

    public long rejectsReceived()
    {
        return rejectsReceived;
    }

    /**
     * @return messages dropped because they came from an image other than the one that delivered the welcome, or
     * were a welcome or reject that did not echo this link's hello.
     */
    public long foreignMessagesDropped()
    {
        return foreignMessagesDropped;
    }

    /**
     * @return responses dropped for their length, or for lack of a reassembly buffer.
     */
    public long responsesTooLong()
    {
        return responsesTooLong.get();
    }

    /**
     * @return images on the response channel refused for their term length.
     */
    public long responseImagesRefused()
    {
        return responseImagesRefused.get();
    }

    @Override
    public void onClose()
    {
        if (State.CLOSED == state)
        {
            return;
        }
        final boolean wasOpen = State.CONNECTED == state || State.AWAITING_WELCOME == state ||
            State.CONNECTING == state;
        closeResources();
        state = State.CLOSED;
        if (wasOpen)
        {
            disconnectReason = REASON_LOCAL_CLOSE;
            listener.onDisconnected(this, REASON_LOCAL_CLOSE);
        }
        CloseHelper.quietClose(responses);
        ctx.close();
    }

    @Override
    public void close()
    {
        onClose();
    }

    private void disconnect(final int reason)
    {
        rejoining = false;
        closeResources();
        CloseHelper.quietClose(responses);
        state = State.DISCONNECTED;
        disconnectReason = reason;
        listener.onDisconnected(this, reason);
    }

    private void closeResources()
    {
        if (null != publication)
        {
            CloseHelper.quietClose(publication);
            publication = null;
        }
        else if (State.CONNECTING == state && Aeron.NULL_VALUE != registrationId)
        {
            aeron.asyncRemovePublication(registrationId);
        }
        batchOpen = false;
        incomingFrom.clear();
        incomingEpoch.clear();
    }

    private int offer(final DirectBuffer buffer, final int length)
    {
        final ExclusivePublication publication = this.publication;
        if (null == publication || State.CLOSED == state || State.DISCONNECTED == state)
        {
            return NOT_CONNECTED;
        }
        final long result = Publications.offer(publication, buffer, 0, length);
        if (result > 0)
        {
            return OK;
        }
        if (Publication.NOT_CONNECTED == result || Publication.CLOSED == result ||
            Publication.MAX_POSITION_EXCEEDED == result)
        {
            return NOT_CONNECTED;
        }
        backPressureEvents++;
        return BACK_PRESSURED;
    }

    // ------------------------------------------------------------------ inbound

    private static void onResponseImageGone(final io.aeron.Image image)
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
        if (State.CONNECTED == state)
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
        if (State.CONNECTED != state)
        {
            onHandshake(templateId, buffer, offset, header.sessionId());
            return;
        }
        switch (templateId)
        {
            case ForwardedInputDecoder.TEMPLATE_ID:
                onForwardedInput(buffer, offset);
                break;

            case ClientViewBatchDecoder.TEMPLATE_ID:
                onViewBatch(buffer, offset);
                break;

            case EntityStreamInDecoder.TEMPLATE_ID:
                onStreamIn(buffer, offset);
                break;

            case HandoffPrepareDecoder.TEMPLATE_ID:
                onHandoffPrepare(buffer, offset);
                break;

            case HandoffCommitDecoder.TEMPLATE_ID:
            {
                commitDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                commitDecoder.handoffId();
                final long entityId = commitDecoder.entityId();
                final int fromServerId = commitDecoder.fromServerId();
                commitDecoder.toServerId();
                final long newEpoch = commitDecoder.newEpoch();
                final long lastDelivered = commitDecoder.lastDeliveredInputSequence();
                incomingFrom.remove(entityId);
                incomingEpoch.remove(entityId);
                listener.onHandoffCommit(this, entityId, fromServerId, newEpoch, lastDelivered);
                break;
            }

            case EntityStreamOutDecoder.TEMPLATE_ID:
                onEvict(buffer, offset);
                break;

            case TerritoryGrantDecoder.TEMPLATE_ID:
            {
                grantDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                final int territoryId = grantDecoder.territoryId();
                grantDecoder.serverId();
                final long epoch = grantDecoder.epoch();
                final long rootZoneId = grantDecoder.rootZoneId();
                final long minX = grantDecoder.boundsMin().x();
                final long minY = grantDecoder.boundsMin().y();
                final long minZ = grantDecoder.boundsMin().z();
                final long maxX = grantDecoder.boundsMax().x();
                final long maxY = grantDecoder.boundsMax().y();
                final long maxZ = grantDecoder.boundsMax().z();
                listener.onTerritoryGranted(this, territoryId, epoch, rootZoneId, minX, minY, minZ, maxX, maxY, maxZ);
                break;
            }

            case TerritoryRevokeDecoder.TEMPLATE_ID:
            {
                revokeDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                final int territoryId = revokeDecoder.territoryId();
                revokeDecoder.serverId();
                final long epoch = revokeDecoder.epoch();
                listener.onTerritoryRevoked(this, territoryId, epoch, revokeDecoder.reasonRaw());
                break;
            }

            case ServerRejectDecoder.TEMPLATE_ID:
            {
                rejectDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                rejectDecoder.serverId();
                final int reason = rejectDecoder.reasonRaw();
                final int rejectedTemplateId = rejectDecoder.rejectedTemplateId();
                final long entityId = rejectDecoder.entityId();
                rejectDecoder.skipReasonText();
                rejectsReceived++;
                listener.onServerReject(this, reason, rejectedTemplateId, entityId);
                break;
            }

            default:
                break;
        }
    }

    private void onHandshake(final int templateId, final DirectBuffer buffer, final int offset,
        final int imageSessionId)
    {
        if (State.AWAITING_WELCOME != state)
        {
            return;
        }
        if (ServerWelcomeDecoder.TEMPLATE_ID == templateId)
        {
            welcomeDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
            final int welcomedServerId = welcomeDecoder.serverId();
            final long welcomeSessionId = welcomeDecoder.serverSessionId();
            welcomeDecoder.replicationTimeNs();
            final long base = welcomeDecoder.entityIdBase();
            final long count = welcomeDecoder.entityIdCount();
            final long layerHeartbeatIntervalMs = welcomeDecoder.heartbeatIntervalMs();
            welcomeDecoder.sessionTimeoutMs();
            if (welcomedServerId != ctx.serverId || welcomeDecoder.helloNonce() != helloNonce)
            {
                foreignMessagesDropped++;
                return;
            }
            serverSessionId = welcomeSessionId;
            entityIdBase = base;
            entityIdCount = count;
            boundImageSessionId = imageSessionId;
            nextEntityOffset = 0;
            layerTimeoutNs = Math.max(ctx.layerTimeoutNs(),
                3 * TimeUnit.MILLISECONDS.toNanos(layerHeartbeatIntervalMs));
            lastHeardNs = nowNs;
            state = State.CONNECTED;
            if (rejoining)
            {
                rejoining = false;
                rejoinAttempts = 0;
                rejoins++;
            }
            nextHeartbeatNs = nowNs;
            listener.onWelcome(this, serverSessionId, entityIdBase, entityIdCount);
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
            state = State.REJECTED;
            listener.onRejected(this, reason, text);
        }
    }

    private void onForwardedInput(final DirectBuffer buffer, final int offset)
    {
        final ForwardedInputDecoder decoder = inputDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        final ForwardedInput input = forwardedInput;
        input.set(decoder.entityId(), decoder.playerId(), decoder.authorityEpoch(), decoder.inputSequence(),
            decoder.clientTimestampNs(), decoder.receivedTimeNs());
        input.move(decoder.move().x(), decoder.move().y(), decoder.move().z());
        input.aim(decoder.aimYaw(), decoder.aimPitch(), (int)decoder.actions().getRaw());
        inputsReceived++;
        listener.onForwardedInput(this, input);
    }

    private void onStreamIn(final DirectBuffer buffer, final int offset)
    {
        final EntityStreamInDecoder streamIn = streamInDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        streamIn.territoryId();
        streamIn.epoch();
        for (final EntityStreamInDecoder.EntitiesDecoder entity : streamIn.entities())
        {
            final EntitySnapshot s = snapshot;
            s.entityId(entity.entityId())
                .archetypeId(entity.archetypeId())
                .ownerPlayerId(entity.ownerPlayerId())
                .parentZoneId(entity.parentZoneId())
                .position(entity.position().x(), entity.position().y(), entity.position().z())
                .orientation(entity.orientation().x(), entity.orientation().y(), entity.orientation().z(),
                    entity.orientation().w())
                .velocity(entity.velocity().x(), entity.velocity().y(), entity.velocity().z())
                .radius(entity.radius())
                .authorityEpoch(entity.authorityEpoch())
                .lastAppliedInputSequence(entity.lastAppliedInputSequence());
            readState(entity.componentStateLength(), entity);
            final long entityId = s.entityId();
            final int fromServerId = (int)incomingFrom.get(entityId);
            if (0 != fromServerId)
            {
                listener.onHandoffPrepare(this, entityId, fromServerId, incomingEpoch.get(entityId), s);
            }
            else
            {
                listener.onEntityStreamIn(this, s);
            }
        }
    }

    private void readState(final int length, final EntityStreamInDecoder.EntitiesDecoder entity)
    {
        if (length <= snapshot.maxStateBytes())
        {
            entity.getComponentState(snapshot.mutableComponentStateBuffer(), 0, length);
            snapshot.componentStateLength(length);
        }
        else
        {
            entity.skipComponentState();
            snapshot.componentStateLength(0);
            malformedReceived++;
        }
    }

    private void onHandoffPrepare(final DirectBuffer buffer, final int offset)
    {
        final HandoffPrepareDecoder prepare = prepareDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        final long handoffId = prepare.handoffId();
        final long entityId = prepare.entityId();
        final int fromServerId = prepare.fromServerId();
        final int toServerId = prepare.toServerId();
        prepare.territoryId();
        final long newEpoch = prepare.newEpoch();
        if (toServerId == ctx.serverId)
        {
            incomingFrom.put(entityId, fromServerId);
            incomingEpoch.put(entityId, newEpoch);
            acceptEncoder.wrapAndApplyHeader(controlBuffer, 0, headerEncoder)
                .handoffId(handoffId)
                .entityId(entityId)
                .serverId(ctx.serverId)
                .newEpoch(newEpoch);
            offer(controlBuffer, MessageHeaderEncoder.ENCODED_LENGTH + acceptEncoder.encodedLength());
        }
        else if (fromServerId == ctx.serverId)
        {
            listener.onHandoffRelease(this, entityId, newEpoch - 1, toServerId);
        }
    }

    private void onEvict(final DirectBuffer buffer, final int offset)
    {
        final EntityStreamOutDecoder streamOut = streamOutDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        streamOut.territoryId();
        streamOut.epoch();
        final short rawReason = streamOut.reasonRaw();
        final short reason =
            DespawnReason.streamedOut.value() == rawReason || DespawnReason.stowed.value() == rawReason ?
            rawReason : DespawnReason.destroyed.value();
        for (final EntityStreamOutDecoder.EntitiesDecoder entity : streamOut.entities())
        {
            final long entityId = entity.entityId();
            entity.skipComponentState();
            incomingFrom.remove(entityId);
            incomingEpoch.remove(entityId);
            listener.onEntityRemoved(this, entityId, reason);
        }
    }

    private void onViewBatch(final DirectBuffer buffer, final int offset)
    {
        final ClientViewBatchDecoder batch = viewDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        batch.tick();
        batch.serverTimeNs();
        for (final ClientViewBatchDecoder.ViewsDecoder view : batch.views())
        {
            final EntitySnapshot s = snapshot;
            s.entityId(view.entityId()).archetypeId(view.archetypeId());
            final int ownerServerId = view.ownerServerId();
            final int mask = view.changed().getRaw();
            s.parentZoneId(view.parentZoneId())
                .position(view.position().x(), view.position().y(), view.position().z())
                .orientation(view.orientation().x(), view.orientation().y(), view.orientation().z(),
                    view.orientation().w())
                .velocity(view.velocity().x(), view.velocity().y(), view.velocity().z())
                .radius(view.radius())
                .authorityEpoch(view.authorityEpoch())
                .lastAppliedInputSequence(0);
            final int length = view.componentStateLength();
            if (length <= s.maxStateBytes())
            {
                view.getComponentState(s.mutableComponentStateBuffer(), 0, length);
                s.componentStateLength(length);
            }
            else
            {
                view.skipComponentState();
                s.componentStateLength(0);
            }
            listener.onClientView(this, s, ownerServerId, mask);
        }
        for (final ClientViewBatchDecoder.RemovedDecoder removed : batch.removed())
        {
            listener.onClientViewRemoved(this, removed.entityId());
        }
    }

    /**
     * Settings of a server link. Every setting has a default, overridable by the system property in its constant.
     */
    public static final class Context
    {
        public static final String AERON_DIR_PROP = "orrery.server.link.aeron.dir";
        public static final String INGRESS_CHANNEL_PROP = "orrery.server.ingress.channel";
        public static final String INGRESS_CHANNEL_DEFAULT = "aeron:ipc?term-length=1m";
        public static final String INGRESS_STREAM_ID_PROP = "orrery.server.ingress.stream.id";
        public static final int INGRESS_STREAM_ID_DEFAULT = 1002;
        public static final String RESPONSE_CHANNEL_PROP = "orrery.server.response.channel";
        public static final String RESPONSE_CHANNEL_DEFAULT = "aeron:ipc?term-length=1m";
        public static final String RESPONSE_STREAM_ID_PROP = "orrery.server.response.stream.id";
        /**
         * Default response stream: {@code RESPONSE_STREAM_ID_BASE + serverId}, so servers sharing a response
         * channel never read each other's traffic.
         */
        public static final int RESPONSE_STREAM_ID_BASE = 3000;
        public static final String SERVER_ID_PROP = "orrery.server.id";
        public static final String HEARTBEAT_INTERVAL_MS_PROP = "orrery.server.heartbeat.interval.ms";
        public static final long HEARTBEAT_INTERVAL_MS_DEFAULT = 100;
        public static final String CONNECT_TIMEOUT_MS_PROP = "orrery.server.connect.timeout.ms";
        public static final long CONNECT_TIMEOUT_MS_DEFAULT = 10_000;
        public static final String TICK_RATE_HZ_PROP = "orrery.server.tick.rate.hz";
        public static final int TICK_RATE_HZ_DEFAULT = 30;
        public static final String MAX_STATE_BYTES_PROP = "orrery.server.max.state.bytes";
        public static final int MAX_STATE_BYTES_DEFAULT = 256;
        public static final String RESPONSE_MAX_MESSAGE_LENGTH_PROP = "orrery.server.response.max.message.length";
        /**
         * Longest response taken: the layer's messages to a server are batches of about 4 KiB plus an entity's
         * state.
         */
        public static final int RESPONSE_MAX_MESSAGE_LENGTH_DEFAULT = 64 * 1024;
        public static final String REJOIN_PROP = "orrery.server.rejoin";
        public static final String LAYER_TIMEOUT_MS_PROP = "orrery.server.layer.timeout.ms";
        /**
         * Silence of the bound image after which the layer is presumed lost (at least three of the layer's heartbeat
         * intervals from the welcome).
         */
        public static final long LAYER_TIMEOUT_MS_DEFAULT = 1000;
        public static final String REJOIN_BACKOFF_INITIAL_MS_PROP = "orrery.server.rejoin.backoff.initial.ms";
        public static final long REJOIN_BACKOFF_INITIAL_MS_DEFAULT = 100;
        public static final String REJOIN_BACKOFF_MAX_MS_PROP = "orrery.server.rejoin.backoff.max.ms";
        public static final long REJOIN_BACKOFF_MAX_MS_DEFAULT = 1000;
        public static final String REJOIN_HELLO_TIMEOUT_MS_PROP = "orrery.server.rejoin.hello.timeout.ms";
        public static final long REJOIN_HELLO_TIMEOUT_MS_DEFAULT = 1000;
        public static final String RESPONSE_MAX_TERM_LENGTH_PROP = "orrery.server.response.max.term.length";
        public static final int RESPONSE_MAX_TERM_LENGTH_DEFAULT = 64 * 1024 * 1024;

        private boolean isConcluded;
        private String aeronDirectoryName = System.getProperty(AERON_DIR_PROP);
        private io.orrery.link.DriverLoss.Handler driverLossHandler =
            io.orrery.link.DriverLoss.EXIT_PROCESS;
        private Aeron aeron;
        private boolean ownsAeron;
        private String ingressChannel = System.getProperty(INGRESS_CHANNEL_PROP, INGRESS_CHANNEL_DEFAULT);
        private int ingressStreamId = Integer.getInteger(INGRESS_STREAM_ID_PROP, INGRESS_STREAM_ID_DEFAULT);
        private String responseChannel = System.getProperty(RESPONSE_CHANNEL_PROP, RESPONSE_CHANNEL_DEFAULT);
        private int responseStreamId = Integer.getInteger(RESPONSE_STREAM_ID_PROP, 0);
        private int serverId = Integer.getInteger(SERVER_ID_PROP, 0);
        private byte[] token;
        private long heartbeatIntervalNs = TimeUnit.MILLISECONDS.toNanos(
            Long.getLong(HEARTBEAT_INTERVAL_MS_PROP, HEARTBEAT_INTERVAL_MS_DEFAULT));
        private long connectTimeoutNs = TimeUnit.MILLISECONDS.toNanos(
            Long.getLong(CONNECT_TIMEOUT_MS_PROP, CONNECT_TIMEOUT_MS_DEFAULT));
        private int tickRateHz = Integer.getInteger(TICK_RATE_HZ_PROP, TICK_RATE_HZ_DEFAULT);
        private int maxStateBytes = Integer.getInteger(MAX_STATE_BYTES_PROP, MAX_STATE_BYTES_DEFAULT);
        private int responseMaxMessageLength = Integer.getInteger(
            RESPONSE_MAX_MESSAGE_LENGTH_PROP, RESPONSE_MAX_MESSAGE_LENGTH_DEFAULT);
        private int responseMaxTermLength = Integer.getInteger(
            RESPONSE_MAX_TERM_LENGTH_PROP, RESPONSE_MAX_TERM_LENGTH_DEFAULT);
        private NanoClock nanoClock;
        private ServerListener listener;
        private boolean rejoin = Boolean.parseBoolean(System.getProperty(REJOIN_PROP, "true"));
        private long layerTimeoutNs = TimeUnit.MILLISECONDS.toNanos(
            Long.getLong(LAYER_TIMEOUT_MS_PROP, LAYER_TIMEOUT_MS_DEFAULT));
        private long rejoinBackoffInitialNs = TimeUnit.MILLISECONDS.toNanos(
            Long.getLong(REJOIN_BACKOFF_INITIAL_MS_PROP, REJOIN_BACKOFF_INITIAL_MS_DEFAULT));
        private long rejoinBackoffMaxNs = TimeUnit.MILLISECONDS.toNanos(
            Long.getLong(REJOIN_BACKOFF_MAX_MS_PROP, REJOIN_BACKOFF_MAX_MS_DEFAULT));
        private long rejoinHelloTimeoutNs = TimeUnit.MILLISECONDS.toNanos(
            Long.getLong(REJOIN_HELLO_TIMEOUT_MS_PROP, REJOIN_HELLO_TIMEOUT_MS_DEFAULT));

        /**
         * Validate and connect the Aeron client if none was given. Idempotent.
         *
         * @return this.
         */
        public Context conclude()
        {
            if (isConcluded)
            {
                return this;
            }
            if (serverId <= 0)
            {
                throw new IllegalArgumentException("serverId must be positive: " + serverId);
            }
            if (null == token || 0 == token.length)
            {
                throw new IllegalArgumentException("token is required (a server token from SessionTokens)");
            }
            responseMaxMessageLength = Math.max(
                responseMaxMessageLength, 2 * maxStateBytes + 3 * MAX_BATCH_BYTES + 1024);
            if (responseMaxTermLength < 64 * 1024 || Integer.bitCount(responseMaxTermLength) != 1)
            {
                throw new IllegalArgumentException("responseMaxTermLength must be a power of two >= 64 KiB: " +
                    responseMaxTermLength);
            }
            if (0 == responseStreamId)
            {
                responseStreamId = RESPONSE_STREAM_ID_BASE + serverId;
            }
            if (null == nanoClock)
            {
                nanoClock = SystemNanoClock.INSTANCE;
            }
            if (null == listener)
            {
                listener = ServerListener.NO_OP;
            }
            if (null == aeron)
            {
                final Aeron.Context aeronCtx = new Aeron.Context();
                if (null != aeronDirectoryName)
                {
                    aeronCtx.aeronDirectoryName(aeronDirectoryName);
                }
                final io.orrery.link.DriverLoss.Handler lossHandler = driverLossHandler;
                final String dir = aeronCtx.aeronDirectoryName();
                aeronCtx.errorHandler(io.orrery.link.DriverLoss.routing(
                    new io.orrery.link.DistinctErrorPrinter(System.err), (cause) ->
                    {
                        if (null != lossHandler)
                        {
                            lossHandler.onDriverLoss(dir, cause);
                        }
                    }));
                aeron = Aeron.connect(aeronCtx);
                ownsAeron = true;
            }
            isConcluded = true;
            return this;
        }

        /**
         * Close the Aeron client if this context connected it.
         */
        public void close()
        {
            if (ownsAeron)
            {
                CloseHelper.quietClose(aeron);
            }
        }

        public String aeronDirectoryName()
        {
            return aeronDirectoryName;
        }

        /**
         * Called on the Aeron conductor's thread when the media driver goes away (only when the link made its own
         * Aeron client). Default {@link io.orrery.link.DriverLoss#EXIT_PROCESS}: one line, exit code
         * {@link io.orrery.link.DriverLoss#EXIT_CODE}; null only logs.
         */
        public io.orrery.link.DriverLoss.Handler driverLossHandler()
        {
            return driverLossHandler;
        }

        public Context driverLossHandler(final io.orrery.link.DriverLoss.Handler driverLossHandler)
        {
            this.driverLossHandler = driverLossHandler;
            return this;
        }

        public Context aeronDirectoryName(final String aeronDirectoryName)
        {
            this.aeronDirectoryName = aeronDirectoryName;
            return this;
        }

        /**
         * An Aeron client of the embedder (not closed by the link), or the one {@link #conclude()} connected.
         */
        public Aeron aeron()
        {
            return aeron;
        }

        public Context aeron(final Aeron aeron)
        {
            this.aeron = aeron;
            this.ownsAeron = false;
            return this;
        }

        public String ingressChannel()
        {
            return ingressChannel;
        }

        public Context ingressChannel(final String ingressChannel)
        {
            this.ingressChannel = ingressChannel;
            return this;
        }

        public int ingressStreamId()
        {
            return ingressStreamId;
        }

        public Context ingressStreamId(final int ingressStreamId)
        {
            this.ingressStreamId = ingressStreamId;
            return this;
        }

        public String responseChannel()
        {
            return responseChannel;
        }

        public Context responseChannel(final String responseChannel)
        {
            this.responseChannel = responseChannel;
            return this;
        }

        /**
         * 0 (default) means {@link #RESPONSE_STREAM_ID_BASE} + server id.
         */
        public int responseStreamId()
        {
            return responseStreamId;
        }

        public Context responseStreamId(final int responseStreamId)
        {
            this.responseStreamId = responseStreamId;
            return this;
        }

        public int serverId()
        {
            return serverId;
        }

        public Context serverId(final int serverId)
        {
            this.serverId = serverId;
            return this;
        }

        /**
         * Server token: {@code SessionTokens.forServers(secret).issue(serverId, expiryEpochMs)}.
         */
        public byte[] token()
        {
            return token;
        }

        public Context token(final byte[] token)
        {
            this.token = token;
            return this;
        }

        /**
         * How often a {@code LoadReport} (the heartbeat) is sent; keep it well below the shard's heartbeat timeout.
         */
        public long heartbeatIntervalNs()
        {
            return heartbeatIntervalNs;
        }

        public Context heartbeatIntervalNs(final long heartbeatIntervalNs)
        {
            this.heartbeatIntervalNs = heartbeatIntervalNs;
            return this;
        }

        public long connectTimeoutNs()
        {
            return connectTimeoutNs;
        }

        public Context connectTimeoutNs(final long connectTimeoutNs)
        {
            this.connectTimeoutNs = connectTimeoutNs;
            return this;
        }

        public int tickRateHz()
        {
            return tickRateHz;
        }

        public Context tickRateHz(final int tickRateHz)
        {
            this.tickRateHz = tickRateHz;
            return this;
        }

        /**
         * Largest component state the link's snapshots hold.
         */
        public int maxStateBytes()
        {
            return maxStateBytes;
        }

        public Context maxStateBytes(final int maxStateBytes)
        {
            this.maxStateBytes = maxStateBytes;
            return this;
        }

        /**
         * Longest message taken from the response channel (raised at conclude to what the layer can send with
         * {@link #maxStateBytes()}); longer ones are dropped and counted.
         */
        public int responseMaxMessageLength()
        {
            return responseMaxMessageLength;
        }

        public Context responseMaxMessageLength(final int responseMaxMessageLength)
        {
            this.responseMaxMessageLength = responseMaxMessageLength;
            return this;
        }

        /**
         * Largest term length of an image on the response channel; images with longer terms are refused.
         */
        public int responseMaxTermLength()
        {
            return responseMaxTermLength;
        }

        public Context responseMaxTermLength(final int responseMaxTermLength)
        {
            this.responseMaxTermLength = responseMaxTermLength;
            return this;
        }

        /**
         * Whether a lost layer is rejoined (default true) or ends the link.
         */
        public boolean rejoin()
        {
            return rejoin;
        }

        public Context rejoin(final boolean rejoin)
        {
            this.rejoin = rejoin;
            return this;
        }

        /**
         * Silence of the bound image after which the layer is presumed lost.
         */
        public long layerTimeoutNs()
        {
            return layerTimeoutNs;
        }

        public Context layerTimeoutNs(final long layerTimeoutNs)
        {
            this.layerTimeoutNs = layerTimeoutNs;
            return this;
        }

        /**
         * First delay before a rejoin attempt; it doubles per unanswered attempt up to {@link #rejoinBackoffMaxNs()}.
         */
        public long rejoinBackoffInitialNs()
        {
            return rejoinBackoffInitialNs;
        }

        public Context rejoinBackoffInitialNs(final long rejoinBackoffInitialNs)
        {
            this.rejoinBackoffInitialNs = rejoinBackoffInitialNs;
            return this;
        }

        public long rejoinBackoffMaxNs()
        {
            return rejoinBackoffMaxNs;
        }

        public Context rejoinBackoffMaxNs(final long rejoinBackoffMaxNs)
        {
            this.rejoinBackoffMaxNs = rejoinBackoffMaxNs;
            return this;
        }

        /**
         * How long a rejoin attempt waits for its welcome before it is abandoned.
         */
        public long rejoinHelloTimeoutNs()
        {
            return rejoinHelloTimeoutNs;
        }

        public Context rejoinHelloTimeoutNs(final long rejoinHelloTimeoutNs)
        {
            this.rejoinHelloTimeoutNs = rejoinHelloTimeoutNs;
            return this;
        }

        public NanoClock nanoClock()
        {
            return nanoClock;
        }

        public Context nanoClock(final NanoClock nanoClock)
        {
            this.nanoClock = nanoClock;
            return this;
        }

        public ServerListener listener()
        {
            return listener;
        }

        public Context listener(final ServerListener listener)
        {
            this.listener = listener;
            return this;
        }
    }
}
