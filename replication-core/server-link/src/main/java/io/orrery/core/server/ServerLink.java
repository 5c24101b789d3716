/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.server;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.orrery.link.DistinctErrorPrinter;
import io.orrery.link.DriverLoss;
import io.orrery.link.EntityState;
import io.orrery.wire.EntityFields;
import io.orrery.wire.codec.MessageHeaderDecoder;
import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

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
 * the full state of those entities on its next tick. {@link #endTick} after a tick's last batch tells the layer that
 * the tick's state is complete ({@code ServerTickEnd}), so it streams that state to clients at once instead of at its
 * own next tick.
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
 * dead). A layer that closes cleanly says so first ({@code ServerGoodbye} on the bound image, naming this session):
 * the link takes that as the layer lost at once ({@link #REASON_LAYER_CLOSED}, {@link #layerGoodbyes()}); a goodbye
 * on any other image is foreign and dropped. Likewise {@link #close()} of a welcomed link offers the layer this
 * server's goodbye (best effort, a few offers at most, never waiting), so its territories fail over at once. With {@link Context#rejoin()} (the default) the link then says so ({@link ServerListener#onLayerLost}), closes
 * its ingress publication and goes back to {@link State#CONNECTING}: after a backoff ({@link
 * Context#rejoinBackoffInitialNs()} doubling to {@link Context#rejoinBackoffMaxNs()}, each delay drawn uniformly
 * from its upper half as jitter so a fleet of servers does not hello in step) it opens a new publication and sends a
 * new hello with a new nonce. A hello not welcomed within {@link Context#rejoinHelloTimeoutNs()} is sent again,
 * identical (same nonce), on the same publication while that publication is connected ({@link #helloResends()}): a
 * loaded layer may still be answering the first, and ignores the copy on an image that already carried a hello; a
 * layer that subscribed since (a restarted one next to a dead subscription the media driver keeps until it times that
 * client out) reads the copy. Only a publication that lost its subscriber is given up, and a new attempt follows after
 * the next backoff. It retries until welcomed or closed: how long a server may live
 * without a layer is its embedder's decision (the game server pauses, then exits after its grace period). A new
 * welcome is a new session: a restarted layer knows nothing of the old one, so everything the server held (entities,
 * territories, epochs) is void and what the layer grants and streams in afterwards is the truth. Silence is measured
 * only while the link itself runs: a duty cycle more than a quarter of the layer timeout after the previous one
 * restarts the measurement, so a paused or starved game server does not declare a live layer lost. Without
 * {@link Context#rejoin()} a lost layer ends the link ({@link State#DISCONNECTED}).
 * <p>
 * Structure: this class is the entry point and the public API; the connection state machine (hello, welcome,
 * binding, silence, rejoin) is a {@code LayerConnection}, what goes to the layer is encoded by a {@code LayerProxy}
 * and what comes from it is decoded and dispatched by a {@code LayerResponseAdapter}.
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
     * The layer said goodbye (a clean close of the layer): lost at once, without waiting for its silence.
     */
    public static final int REASON_LAYER_CLOSED = 5;

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

    private final Context ctx;
    private final LayerProxy proxy;
    private final LayerResponseAdapter adapter;
    private final LayerConnection connection;
    private long nextEntityOffset;

    private ServerLink(final Context ctx)
    {
        this.ctx = ctx;
        final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
        this.proxy = new LayerProxy(ctx.serverId(), ctx.maxStateBytes());
        this.adapter = new LayerResponseAdapter(this, ctx.listener(), proxy, ctx.serverId(), ctx.maxStateBytes(),
            headerDecoder);
        this.connection = new LayerConnection(this, ctx, proxy, headerDecoder, adapter);
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
        return "orrery-server-link-" + ctx.serverId();
    }

    @Override
    public int doWork()
    {
        return connection.doWork();
    }

    /**
     * A welcome bound the link (called by its connection before the listener hears of it).
     */
    void onWelcomed()
    {
        nextEntityOffset = 0;
    }

    public State state()
    {
        return connection.state();
    }

    public boolean isConnected()
    {
        return State.CONNECTED == connection.state();
    }

    /**
     * @return whether the link lost its layer and is trying to join one again.
     */
    public boolean isRejoining()
    {
        return connection.isRejoining();
    }

    /**
     * @return how often the layer was lost (silent past the layer timeout, or its image gone).
     */
    public long layerLosses()
    {
        return connection.layerLosses();
    }

    /**
     * @return layer losses that were the layer's goodbye ({@link #REASON_LAYER_CLOSED}), a subset of
     * {@link #layerLosses()}.
     */
    public long layerGoodbyes()
    {
        return connection.layerGoodbyes();
    }

    /**
     * @return goodbyes this link offered the layer on {@link #close()} (0 or 1; none when it was not welcomed or the
     * publication refused it {@code GOODBYE_ATTEMPTS} times).
     */
    public long goodbyesSent()
    {
        return connection.goodbyesSent();
    }

    /**
     * @return what a {@code REASON_*} constant means, for one log line (control path).
     */
    public static String reasonText(final int reason)
    {
        switch (reason)
        {
            case REASON_CONNECT_FAILED:
                return "connect failed";
            case REASON_TIMEOUT:
                return "layer silent past the layer timeout";
            case REASON_CLOSED_BY_SHARD:
                return "layer's image gone";
            case REASON_LOCAL_CLOSE:
                return "closed locally";
            case REASON_LAYER_CLOSED:
                return "layer closed (goodbye)";
            default:
                return "reason " + reason;
        }
    }

    /**
     * @return welcomes after a lost layer.
     */
    public long rejoins()
    {
        return connection.rejoins();
    }

    /**
     * @return rejoin hellos sent again, identical, because the layer had not answered within the rejoin hello timeout.
     */
    public long helloResends()
    {
        return connection.helloResends();
    }

    /**
     * Whether the ingress publication can take at least a quarter of its term before back-pressure, i.e. the media
     * driver has moved its limit past what the Replication Layer consumed (true when there is no connected
     * publication: nothing to wait for). For stepping a shard deterministically with a controlled clock: a test
     * that advances its clock faster than the driver's own thread runs must not let the link fall silent.
     */
    public boolean isIngressWindowOpen()
    {
        final ExclusivePublication publication = connection.publication();
        return null == publication || !publication.isConnected() ||
            publication.availableWindow() >= publication.termBufferLength() >> 2;
    }

    public int serverId()
    {
        return ctx.serverId();
    }

    /**
     * @return why the link ended (a {@code REASON_*} constant), or 0.
     */
    public int disconnectReason()
    {
        return connection.disconnectReason();
    }

    /**
     * @return this connection's id at the Replication Layer (valid once welcomed).
     */
    public long serverSessionId()
    {
        return connection.serverSessionId();
    }

    /**
     * @return first id of this server's entity id block (valid once welcomed).
     */
    public long entityIdBase()
    {
        return connection.entityIdBase();
    }

    /**
     * @return the next unused id of this server's block, or {@link #ID_OUT_OF_BLOCK} when exhausted or not welcomed.
     */
    public long nextEntityId()
    {
        if (0 == connection.entityIdBase() || nextEntityOffset >= connection.entityIdCount())
        {
            return ID_OUT_OF_BLOCK;
        }
        return connection.entityIdBase() + nextEntityOffset++;
    }

    /**
     * Start an {@code EntityStateBatch}. A batch still open is committed first.
     *
     * @return {@link #OK} or {@link #NOT_CONNECTED}.
     */
    public int beginStateBatch(final long tick, final long nowNs)
    {
        return proxy.beginStateBatch(tick, nowNs, State.CONNECTED == connection.state());
    }

    /**
     * Append one authoritative write of {@code state}'s entity ({@link EntityState#entityId()}) at its
     * {@link EntityState#authorityEpoch()}. Only the fields in {@code changedMask} ({@link EntityFields} bits) are
     * applied by the Replication Layer; the state's component state is sent only with
     * {@link EntityFields#COMPONENT_STATE}. One struct, refilled per entity, serves a whole tick:
     * <pre>{@code
     * final EntityState state = new EntityState(0); // once
     * ...
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
        return proxy.appendState(state, changedMask);
    }

    /**
     * Send what the batch holds (nothing if empty).
     *
     * @return {@link #OK}, {@link #NO_BATCH}, {@link #BACK_PRESSURED}, {@link #NOT_CONNECTED}.
     */
    public int commitStateBatch()
    {
        return proxy.commitStateBatch();
    }

    /**
     * Mark the end of a server tick: commit the open batch, if any, then send {@code ServerTickEnd}. The Replication
     * Layer streams the state of a tick to clients once every server has ended that tick (or a short bounded wait
     * passed), so a server that never calls this still works but its state waits for the layer's own tick.
     *
     * @param tick the tick whose state is complete.
     * @return {@link #OK}, {@link #BACK_PRESSURED}, {@link #NOT_CONNECTED}: the first failure of the commit or the
     * marker.
     */
    public int endTick(final long tick)
    {
        return proxy.endTick(tick, connection.nowNs(), State.CONNECTED == connection.state());
    }

    /**
     * Ask the Replication Layer to create an entity with an id from this server's block
     * ({@link #nextEntityId()}); it is owned by the server whose territory contains it (usually this one), which
     * receives it through {@link ServerListener#onEntityStreamIn}.
     *
     * @return {@link #OK}, {@link #ID_OUT_OF_BLOCK}, {@link #STATE_TOO_LONG}, {@link #BACK_PRESSURED},
     * {@link #NOT_CONNECTED}.
     */
    public int createEntity(final EntityState entity, final boolean isZone)
    {
        final long entityId = entity.entityId();
        final long base = connection.entityIdBase();
        if (0 == base || entityId < base || entityId >= base + connection.entityIdCount())
        {
            return ID_OUT_OF_BLOCK;
        }
        return proxy.createEntity(entity, isZone);
    }

    /**
     * Ask the Replication Layer to destroy an entity this server is the authority over.
     *
     * @return {@link #OK}, {@link #BACK_PRESSURED}, {@link #NOT_CONNECTED}.
     */
    public int destroyEntity(final long entityId, final long epoch)
    {
        return proxy.destroyEntity(entityId, epoch);
    }

    /**
     * Answer {@link ServerListener#onHandoffRelease}: the entity's final state ({@code authorityEpoch} = the epoch
     * being released, {@code lastAppliedInputSequence} = the last input applied). Stop simulating it afterwards.
     *
     * @return {@link #OK}, {@link #STATE_TOO_LONG}, {@link #BACK_PRESSURED}, {@link #NOT_CONNECTED}.
     */
    public int releaseEntity(final EntityState finalState)
    {
        return proxy.releaseEntity(finalState);
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
        return reportLoad(tick, entityCount, playerCount, tickTimeP50Ns, tickTimeMaxNs, cpuLoad, 1000);
    }

    /**
     * Report load as {@link #reportLoad(long, int, int, long, long, float)}, with the server's time dilation: game
     * time per real time of its simulation in 1/1000 ({@code 1000} = real time). Values outside {@code [1, 1000]}
     * are clamped into it (the layer rejects a report outside it).
     *
     * @return {@link #OK}, {@link #BACK_PRESSURED}, {@link #NOT_CONNECTED}.
     */
    public int reportLoad(
        final long tick, final int entityCount, final int playerCount, final long tickTimeP50Ns,
        final long tickTimeMaxNs, final float cpuLoad, final int timeDilationPerMille)
    {
        proxy.loadFigures(tick, entityCount, playerCount, tickTimeP50Ns, tickTimeMaxNs, cpuLoad,
            Math.max(1, Math.min(1000, timeDilationPerMille)));
        connection.heartbeatSent();
        return proxy.sendLoadReport(connection.nowNs());
    }

    public long inputsReceived()
    {
        return adapter.inputsReceived();
    }

    public long statesSent()
    {
        return proxy.statesSent();
    }

    public long batchesSent()
    {
        return proxy.batchesSent();
    }

    public long backPressureEvents()
    {
        return proxy.backPressureEvents();
    }

    public long malformedReceived()
    {
        return connection.malformedReceived() + adapter.malformedReceived();
    }

    public long rejectsReceived()
    {
        return connection.rejectsReceived() + adapter.rejectsReceived();
    }

    /**
     * @return messages dropped because they came from an image other than the one that delivered the welcome, or
     * were a welcome or reject that did not echo this link's hello.
     */
    public long foreignMessagesDropped()
    {
        return connection.foreignMessagesDropped();
    }

    /**
     * @return responses dropped for their length, or for lack of a reassembly buffer.
     */
    public long responsesTooLong()
    {
        return connection.responsesTooLong();
    }

    /**
     * @return images on the response channel refused for their term length.
     */
    public long responseImagesRefused()
    {
        return connection.responseImagesRefused();
    }

    @Override
    public void onClose()
    {
        connection.close();
    }

    @Override
    public void close()
    {
        onClose();
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
        private DriverLoss.Handler driverLossHandler =
            DriverLoss.EXIT_PROCESS;
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
                final DriverLoss.Handler lossHandler = driverLossHandler;
                final String dir = aeronCtx.aeronDirectoryName();
                aeronCtx.errorHandler(DriverLoss.routing(
                    new DistinctErrorPrinter(System.err), (cause) ->
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
         * Aeron client). Default {@link DriverLoss#EXIT_PROCESS}: one line, exit code
         * {@link DriverLoss#EXIT_CODE}; null only logs.
         */
        public DriverLoss.Handler driverLossHandler()
        {
            return driverLossHandler;
        }

        public Context driverLossHandler(final DriverLoss.Handler driverLossHandler)
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
         * How long a rejoin hello waits for its welcome before it is sent again (or, when its publication lost the
         * layer, the attempt is abandoned).
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
