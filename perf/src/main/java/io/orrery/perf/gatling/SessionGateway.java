/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.perf.gatling;

import io.aeron.Aeron;
import io.orrery.bots.BotSwarm;
import io.orrery.core.ReplicationLayer;
import io.orrery.core.auth.PlayerTokenKeys;
import io.orrery.core.auth.PlayerTokenMinter;
import io.orrery.core.client.ClientLink;
import io.orrery.core.client.ClientSession;
import io.orrery.wire.codec.DisconnectReason;
import io.orrery.wire.codec.RejectReason;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.SystemNanoClock;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Gives a load generator whose threads are not ours (Gatling's event loops) real Orrery client sessions: one
 * {@link ClientLink} on one gateway thread hosts every {@link VirtualPlayer}'s {@link ClientSession}. Callers hand
 * requests over through a {@link ManyToOneConcurrentArrayQueue} and hear back through a {@link RequestCallback}:
 * <pre>
 *   connect(player, cb)     hello with a signed token       ok on Welcome; ko on a final Reject, timeout, lost session
 *   input(player, cb)       one PlayerInput (next sequence) ok when the player's own entity arrives with
 *                                                           lastAppliedInputSequence &gt;= that sequence
 *   disconnect(player, cb)  goodbye, session closed         ok once closed
 * </pre>
 * A player has at most one request in flight. Every accepted request completes exactly once: connects and inputs
 * that are not answered by their deadline complete ko with a message, so a caller never waits forever. Latency runs
 * from the request call (caller's thread, {@link Context#nanoClock()}) to the moment the gateway thread sees the
 * answer, so the hand-over queue is inside the measurement; completed inputs and connects are also recorded in µs
 * into the {@link LatencyLog}, if one is given.
 * <p>
 * Threading: {@link #newPlayer()}, {@link #connect}, {@link #input} and {@link #disconnect} may be called from any
 * thread. Everything else, including every callback, runs on the gateway thread: its own {@link AgentRunner} with a
 * backoff idle strategy, or the caller of {@link #doWork()} when {@link Context#startThread(boolean)} is false
 * (tests). The counters are written by the gateway thread; read them on it or after {@link #close()}. This glue
 * allocates (a request per call, Gatling allocates anyway); the client link under it does not in steady state.
 */
public final class SessionGateway implements Agent, AutoCloseable
{
    /**
     * Settings; every one has a default and a system property.
     */
    public static final class Context
    {
        public static final String AERON_DIR_PROP = "orrery.gatling.aeron.dir";
        public static final String RESPONSE_CHANNEL_PROP = "orrery.gatling.response.channel";
        public static final String RESPONSE_CHANNEL_DEFAULT = BotSwarm.DEFAULT_RESPONSE_CHANNEL;
        public static final String RESPONSE_STREAM_ID_PROP = "orrery.gatling.response.stream.id";
        public static final int RESPONSE_STREAM_ID_DEFAULT = 3001;
        public static final String PLAYER_ID_BASE_PROP = "orrery.gatling.player.id.base";
        public static final long PLAYER_ID_BASE_DEFAULT = 5_000_000;
        public static final String CONNECT_TIMEOUT_MS_PROP = "orrery.gatling.connect.timeout.ms";
        public static final long CONNECT_TIMEOUT_MS_DEFAULT = 10_000;
        public static final String INPUT_TIMEOUT_MS_PROP = "orrery.gatling.input.timeout.ms";
        public static final long INPUT_TIMEOUT_MS_DEFAULT = 5_000;
        public static final String QUEUE_CAPACITY_PROP = "orrery.gatling.queue.capacity";
        public static final int QUEUE_CAPACITY_DEFAULT = 16 * 1024;

        private String aeronDirectoryName = System.getProperty(AERON_DIR_PROP);
        private String ingressChannel = System.getProperty(
            ReplicationLayer.Context.CLIENT_INGRESS_CHANNEL_PROP, ReplicationLayer.Context.CLIENT_INGRESS_CHANNEL_DEFAULT);
        private int ingressStreamId = Integer.getInteger(
            ReplicationLayer.Context.CLIENT_INGRESS_STREAM_ID_PROP,
            ReplicationLayer.Context.CLIENT_INGRESS_STREAM_ID_DEFAULT);
        private String responseChannel = System.getProperty(RESPONSE_CHANNEL_PROP, RESPONSE_CHANNEL_DEFAULT);
        private int responseStreamId = Integer.getInteger(RESPONSE_STREAM_ID_PROP, RESPONSE_STREAM_ID_DEFAULT);
        private byte[] tokenSecret = System.getProperty(
            ReplicationLayer.Context.TOKEN_SECRET_PROP, ReplicationLayer.Context.TOKEN_SECRET_DEFAULT)
            .getBytes(StandardCharsets.UTF_8);
        private byte[] playerTokenPrivateKey = PlayerTokenKeys.privateKeyFromEnvironment();
        private long playerIdBase = Long.getLong(PLAYER_ID_BASE_PROP, PLAYER_ID_BASE_DEFAULT);
        private long connectTimeoutNs = TimeUnit.MILLISECONDS.toNanos(
            Long.getLong(CONNECT_TIMEOUT_MS_PROP, CONNECT_TIMEOUT_MS_DEFAULT));
        private long inputTimeoutNs = TimeUnit.MILLISECONDS.toNanos(
            Long.getLong(INPUT_TIMEOUT_MS_PROP, INPUT_TIMEOUT_MS_DEFAULT));
        private int queueCapacity = Integer.getInteger(QUEUE_CAPACITY_PROP, QUEUE_CAPACITY_DEFAULT);
        private boolean startThread = true;
        private NanoClock nanoClock;
        private EpochClock epochClock;
        private IdleStrategy idleStrategy;
        private ErrorHandler errorHandler;
        private LatencyLog latencyLog;

        /**
         * Validate and fill in defaults.
         *
         * @return this.
         */
        public Context conclude()
        {
            if (null == aeronDirectoryName)
            {
                throw new IllegalArgumentException("aeronDirectoryName is required (" + AERON_DIR_PROP + ")");
            }
            if (playerIdBase <= 0)
            {
                throw new IllegalArgumentException("playerIdBase must be positive: " + playerIdBase);
            }
            if (connectTimeoutNs <= 0 || inputTimeoutNs <= 0)
            {
                throw new IllegalArgumentException("timeouts must be positive");
            }
            if (null == nanoClock)
            {
                nanoClock = SystemNanoClock.INSTANCE;
            }
            if (null == epochClock)
            {
                epochClock = SystemEpochClock.INSTANCE;
            }
            if (null == idleStrategy)
            {
                idleStrategy = new BackoffIdleStrategy(
                    10, 20, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(100));
            }
            if (null == errorHandler)
            {
                errorHandler = (throwable) -> throwable.printStackTrace(System.err);
            }
            return this;
        }

        public String aeronDirectoryName()
        {
            return aeronDirectoryName;
        }

        /**
         * Media driver directory of the shard to connect to.
         */
        public Context aeronDirectoryName(final String aeronDirectoryName)
        {
            this.aeronDirectoryName = aeronDirectoryName;
            return this;
        }

        public Context ingressChannel(final String ingressChannel)
        {
            this.ingressChannel = ingressChannel;
            return this;
        }

        public Context ingressStreamId(final int ingressStreamId)
        {
            this.ingressStreamId = ingressStreamId;
            return this;
        }

        public Context responseChannel(final String responseChannel)
        {
            this.responseChannel = responseChannel;
            return this;
        }

        public Context responseStreamId(final int responseStreamId)
        {
            this.responseStreamId = responseStreamId;
            return this;
        }

        /**
         * Secret shared with the Replication Layer, to sign each player's session token.
         */
        public Context tokenSecret(final byte[] tokenSecret)
        {
            this.tokenSecret = tokenSecret.clone();
            return this;
        }

        /**
         * The login service's Ed25519 private key (32-byte seed), to sign Ed25519 player tokens for a shard run with
         * the matching public key; null for HMAC tokens of {@link #tokenSecret(byte[])}. Default: the system property
         * {@value PlayerTokenKeys#PRIVATE_KEY_PROP}, then the environment variable
         * {@value PlayerTokenKeys#PRIVATE_KEY_ENV} (hex).
         */
        public Context playerTokenPrivateKey(final byte[] playerTokenPrivateKey)
        {
            this.playerTokenPrivateKey = null == playerTokenPrivateKey ? null : playerTokenPrivateKey.clone();
            return this;
        }

        /**
         * Player ids are {@code playerIdBase + n} for the n-th player of this gateway.
         */
        public Context playerIdBase(final long playerIdBase)
        {
            this.playerIdBase = playerIdBase;
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

        public long inputTimeoutNs()
        {
            return inputTimeoutNs;
        }

        /**
         * How long an input may wait for its echo before it completes ko.
         */
        public Context inputTimeoutNs(final long inputTimeoutNs)
        {
            this.inputTimeoutNs = inputTimeoutNs;
            return this;
        }

        /**
         * Capacity of the hand-over queue; a request that finds it full is refused ({@code false}).
         */
        public Context queueCapacity(final int queueCapacity)
        {
            this.queueCapacity = queueCapacity;
            return this;
        }

        /**
         * False: no thread is started, the caller drives {@link SessionGateway#doWork()} (tests).
         */
        public Context startThread(final boolean startThread)
        {
            this.startThread = startThread;
            return this;
        }

        public NanoClock nanoClock()
        {
            return nanoClock;
        }

        /**
         * Clock of request start times and deadlines; read on callers' threads too, so it must be thread safe.
         */
        public Context nanoClock(final NanoClock nanoClock)
        {
            this.nanoClock = nanoClock;
            return this;
        }

        public Context epochClock(final EpochClock epochClock)
        {
            this.epochClock = epochClock;
            return this;
        }

        public Context idleStrategy(final IdleStrategy idleStrategy)
        {
            this.idleStrategy = idleStrategy;
            return this;
        }

        public Context errorHandler(final ErrorHandler errorHandler)
        {
            this.errorHandler = errorHandler;
            return this;
        }

        /**
         * Where completed input and connect latencies are recorded in µs, or null.
         */
        public Context latencyLog(final LatencyLog latencyLog)
        {
            this.latencyLog = latencyLog;
            return this;
        }
    }

    /**
     * Most requests taken from the queue per duty cycle.
     */
    static final int DRAIN_LIMIT = 256;
    /**
     * Deadlines are checked (and back-pressured inputs re-offered) at most this often.
     */
    static final long SWEEP_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(1);
    /**
     * The link gives up on a handshake after the connect timeout; the gateway's own deadline is a backstop after it.
     */
    static final long CONNECT_BACKSTOP_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long TOKEN_LIFETIME_MS = TimeUnit.HOURS.toMillis(12);
    private static final float TURN_PER_INPUT_RAD = 0.05f;

    private static final int CONNECT_OK = 0;
    private static final int CONNECT_KO = 1;
    private static final int INPUT_OK = 2;
    private static final int INPUT_KO = 3;
    private static final int DISCONNECT_OK = 4;
    private static final int DISCONNECT_KO = 5;

    private final Context ctx;
    private final NanoClock clock;
    private final EpochClock epochClock;
    private final CachedNanoClock linkClock = new CachedNanoClock();
    private final Aeron aeron;
    private final ClientLink link;
    private final PlayerTokenMinter tokens;
    private final LatencyLog latencyLog;
    private final ManyToOneConcurrentArrayQueue<GatewayRequest> requests;
    private final Consumer<GatewayRequest> onRequest = this::onRequest;
    private final ArrayList<GatewayRequest> inFlight = new ArrayList<>();
    private final AtomicLong playersCreated = new AtomicLong();
    private final AgentRunner runner;
    private final long[] completions = new long[6];
    private volatile boolean accepting = true;

    private long nowNs;
    private long nextSweepNs;
    private long inputsBackPressured;
    private long sessionsLost;
    private long callbackErrors;
    private boolean closed;

    private SessionGateway(final Context ctx)
    {
        this.ctx = ctx;
        this.clock = ctx.nanoClock;
        this.epochClock = ctx.epochClock;
        this.latencyLog = ctx.latencyLog;
        this.tokens = PlayerTokenMinter.of(ctx.playerTokenPrivateKey, ctx.tokenSecret);
        this.requests = new ManyToOneConcurrentArrayQueue<>(ctx.queueCapacity);
        nowNs = clock.nanoTime();
        linkClock.update(nowNs);
        aeron = Aeron.connect(new Aeron.Context()
            .aeronDirectoryName(ctx.aeronDirectoryName)
            .errorHandler(ctx.errorHandler));
        try
        {
            link = new ClientLink(aeron, new ClientLink.Settings()
                .ingressChannel(ctx.ingressChannel)
                .ingressStreamId(ctx.ingressStreamId)
                .responseChannel(ctx.responseChannel)
                .responseStreamId(ctx.responseStreamId)
                .connectTimeoutNs(ctx.connectTimeoutNs)
                .clock(linkClock));
            if (ctx.startThread)
            {
                runner = new AgentRunner(ctx.idleStrategy, ctx.errorHandler, null, this);
                AgentRunner.startOnThread(runner);
            }
            else
            {
                runner = null;
            }
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(aeron);
            throw ex;
        }
    }

    /**
     * Connect to the shard's media driver and start the gateway thread (unless told not to).
     */
    public static SessionGateway launch(final Context ctx)
    {
        return new SessionGateway(ctx.conclude());
    }

    /**
     * A new player with the next player id; nothing is sent until {@link #connect}. Any thread.
     */
    public VirtualPlayer newPlayer()
    {
        final long index = playersCreated.getAndIncrement();
        return new VirtualPlayer(this, index, ctx.playerIdBase + index);
    }

    /**
     * Ask for the player's session to be opened. Any thread.
     *
     * @return false if the gateway is closed or its queue is full: the callback will not be called.
     */
    public boolean connect(final VirtualPlayer player, final RequestCallback callback)
    {
        return enqueue(GatewayRequest.Kind.CONNECT, player, callback);
    }

    /**
     * Ask for one input to be sent; it completes when the player's own entity echoes its sequence. Any thread.
     *
     * @return false if the gateway is closed or its queue is full: the callback will not be called.
     */
    public boolean input(final VirtualPlayer player, final RequestCallback callback)
    {
        return enqueue(GatewayRequest.Kind.INPUT, player, callback);
    }

    /**
     * Ask for the player's session to be closed (a request in flight for it completes ko first). Any thread.
     *
     * @return false if the gateway is closed or its queue is full: the callback will not be called.
     */
    public boolean disconnect(final VirtualPlayer player, final RequestCallback callback)
    {
        return enqueue(GatewayRequest.Kind.DISCONNECT, player, callback);
    }

    private boolean enqueue(final GatewayRequest.Kind kind, final VirtualPlayer player, final RequestCallback callback)
    {
        if (player.gateway != this)
        {
            throw new IllegalArgumentException("player " + player.playerId + " belongs to another gateway");
        }
        return accepting && requests.offer(
            new GatewayRequest(kind, player, callback, clock.nanoTime(), epochClock.time()));
    }

    @Override
    public String roleName()
    {
        return "orrery-gatling-gateway";
    }

    @Override
    public int doWork()
    {
        nowNs = clock.nanoTime();
        linkClock.update(nowNs);
        int workCount = requests.drain(onRequest, DRAIN_LIMIT);
        workCount += link.doWork();
        if (nowNs - nextSweepNs >= 0)
        {
            nextSweepNs = nowNs + SWEEP_INTERVAL_NS;
            workCount += sweep();
        }
        return workCount;
    }

    @Override
    public void onClose()
    {
        accepting = false;
        GatewayRequest request;
        while (null != (request = requests.poll()))
        {
            complete(request, false, "gateway closed");
        }
        for (int i = inFlight.size() - 1; i >= 0; i--)
        {
            complete(inFlight.get(i), false, "gateway closed");
        }
        CloseHelper.quietClose(link);
    }

    /**
     * Stop the gateway thread, complete what is pending ko, close every session and the Aeron client. Idempotent.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        accepting = false;
        if (null != runner)
        {
            CloseHelper.quietClose(runner);
        }
        else
        {
            onClose();
        }
        CloseHelper.quietClose(aeron);
    }

    /**
     * @return sessions the link hosts now (gateway thread).
     */
    public int sessionCount()
    {
        return link.sessionCount();
    }

    public long connectsOk()
    {
        return completions[CONNECT_OK];
    }

    public long connectsFailed()
    {
        return completions[CONNECT_KO];
    }

    public long inputsOk()
    {
        return completions[INPUT_OK];
    }

    public long inputsFailed()
    {
        return completions[INPUT_KO];
    }

    public long disconnectsOk()
    {
        return completions[DISCONNECT_OK];
    }

    public long disconnectsFailed()
    {
        return completions[DISCONNECT_KO];
    }

    /**
     * @return input offers refused by back-pressure (retried until the input's deadline).
     */
    public long inputsBackPressured()
    {
        return inputsBackPressured;
    }

    /**
     * @return sessions that ended without being asked to (server disconnect, local timeout) and without a request
     * in flight to report it.
     */
    public long sessionsLost()
    {
        return sessionsLost;
    }

    /**
     * @return exceptions thrown by callbacks (passed to the error handler; the gateway carries on).
     */
    public long callbackErrors()
    {
        return callbackErrors;
    }

    private void onRequest(final GatewayRequest request)
    {
        final VirtualPlayer player = request.player;
        switch (request.kind)
        {
            case INPUT:
                onInputRequest(player, request);
                break;

            case CONNECT:
                onConnectRequest(player, request);
                break;

            case DISCONNECT:
                onDisconnectRequest(player, request);
                break;

            default:
                complete(request, false, "unknown request");
                break;
        }
    }

    private void onConnectRequest(final VirtualPlayer player, final GatewayRequest request)
    {
        if (null != player.session)
        {
            complete(request, false, "connect: player " + player.playerId + " already has a session");
            return;
        }
        request.deadlineNs = request.startNs + ctx.connectTimeoutNs + CONNECT_BACKSTOP_NS;
        track(player, request);
        final long expiryEpochMs = epochClock.time() + TOKEN_LIFETIME_MS;
        player.session = link.connect(tokens.issue(player.playerId, expiryEpochMs), player);
    }

    private void onInputRequest(final VirtualPlayer player, final GatewayRequest request)
    {
        final ClientSession session = player.session;
        if (null == session || !session.isConnected())
        {
            complete(request, false, "input: " + notConnected(player));
            return;
        }
        if (null != player.pending)
        {
            complete(request, false, "input: another request is in flight for player " + player.playerId);
            return;
        }
        request.deadlineNs = request.startNs + ctx.inputTimeoutNs;
        track(player, request);
        offerInput(request);
    }

    private void onDisconnectRequest(final VirtualPlayer player, final GatewayRequest request)
    {
        final GatewayRequest pending = player.pending;
        if (null != pending)
        {
            complete(pending, false, "cancelled by disconnect");
        }
        final ClientSession session = player.session;
        if (null == session || (ClientSession.State.CONNECTED != session.state() &&
            ClientSession.State.CONNECTING != session.state() &&
            ClientSession.State.AWAITING_WELCOME != session.state()))
        {
            complete(request, false, "disconnect: " + notConnected(player));
            return;
        }
        player.pending = request;
        session.disconnect();
        if (player.pending == request)
        {
            complete(request, true, null);
        }
    }

    private void offerInput(final GatewayRequest request)
    {
        final VirtualPlayer player = request.player;
        final float heading = player.headingRad + TURN_PER_INPUT_RAD;
        final long result = player.session.sendInput(
            (float)Math.cos(heading), (float)Math.sin(heading), 0, heading, 0, 0, nowNs);
        if (result > 0)
        {
            player.headingRad = heading;
            request.inputSequence = result;
        }
        else if (0 == result)
        {
            complete(request, false, "input: " + notConnected(player));
        }
        else
        {
            inputsBackPressured++;
        }
    }

    private int sweep()
    {
        int workCount = 0;
        for (int i = inFlight.size() - 1; i >= 0; i--)
        {
            final GatewayRequest request = inFlight.get(i);
            if (nowNs - request.deadlineNs > 0)
            {
                timeout(request);
                workCount++;
            }
            else if (GatewayRequest.Kind.INPUT == request.kind && 0 == request.inputSequence)
            {
                offerInput(request);
                workCount++;
            }
        }
        return workCount;
    }

    private void timeout(final GatewayRequest request)
    {
        final VirtualPlayer player = request.player;
        if (GatewayRequest.Kind.CONNECT == request.kind)
        {
            complete(request, false, "connect: no welcome within " +
                TimeUnit.NANOSECONDS.toMillis(nowNs - request.startNs) + " ms");
            if (null != player.session)
            {
                player.session.disconnect();
            }
        }
        else
        {
            complete(request, false, 0 == request.inputSequence ?
                "input: not offered within " + TimeUnit.NANOSECONDS.toMillis(ctx.inputTimeoutNs) +
                " ms (back-pressured)" :
                "input: sequence " + request.inputSequence + " not echoed within " +
                TimeUnit.NANOSECONDS.toMillis(ctx.inputTimeoutNs) + " ms");
        }
    }

    void onWelcome(final VirtualPlayer player)
    {
        final GatewayRequest request = player.pending;
        if (null != request && GatewayRequest.Kind.CONNECT == request.kind)
        {
            complete(request, true, null);
        }
    }

    void onOwnEntity(final VirtualPlayer player, final long lastAppliedInputSequence)
    {
        final GatewayRequest request = player.pending;
        if (null != request && GatewayRequest.Kind.INPUT == request.kind && request.inputSequence > 0 &&
            lastAppliedInputSequence >= request.inputSequence)
        {
            complete(request, true, null);
        }
    }

    void onDisconnect(final VirtualPlayer player, final int reason)
    {
        final GatewayRequest request = player.pending;
        if (null == request)
        {
            if (accepting && DisconnectReason.clientRequest.value() != reason)
            {
                sessionsLost++;
            }
            return;
        }
        switch (request.kind)
        {
            case DISCONNECT:
                complete(request, true, null);
                break;

            case CONNECT:
                complete(request, false, "connect: " + endReason(player, reason));
                break;

            default:
                complete(request, false, "input: " + endReason(player, reason));
                break;
        }
    }

    private void track(final VirtualPlayer player, final GatewayRequest request)
    {
        player.pending = request;
        request.inFlightIndex = inFlight.size();
        inFlight.add(request);
    }

    private void untrack(final GatewayRequest request)
    {
        final int index = request.inFlightIndex;
        if (index >= 0)
        {
            final int last = inFlight.size() - 1;
            final GatewayRequest moved = inFlight.get(last);
            inFlight.set(index, moved);
            moved.inFlightIndex = index;
            inFlight.remove(last);
            request.inFlightIndex = -1;
        }
    }

    private void complete(final GatewayRequest request, final boolean ok, final String message)
    {
        final VirtualPlayer player = request.player;
        if (player.pending == request)
        {
            player.pending = null;
        }
        untrack(request);
        final long latencyNs = clock.nanoTime() - request.startNs;
        switch (request.kind)
        {
            case INPUT:
                completions[ok ? INPUT_OK : INPUT_KO]++;
                if (ok && null != latencyLog)
                {
                    latencyLog.recordInputUpdateNs(latencyNs);
                }
                break;

            case CONNECT:
                completions[ok ? CONNECT_OK : CONNECT_KO]++;
                if (ok && null != latencyLog)
                {
                    latencyLog.recordConnectNs(latencyNs);
                }
                break;

            default:
                completions[ok ? DISCONNECT_OK : DISCONNECT_KO]++;
                break;
        }
        try
        {
            request.callback.onComplete(ok, request.startEpochMs, latencyNs, message);
        }
        catch (final Throwable ex)
        {
            callbackErrors++;
            ctx.errorHandler.onError(ex);
        }
    }

    private static String notConnected(final VirtualPlayer player)
    {
        final ClientSession session = player.session;
        if (null == session)
        {
            return "player " + player.playerId + " has no session";
        }
        return "player " + player.playerId + " not connected (" + session.state() + ", " +
            endReason(player, session.disconnectReason()) + ")";
    }

    static String endReason(final VirtualPlayer player, final int reason)
    {
        if (player.wasRejected())
        {
            return "rejected: " + rejectReasonName(player.rejectReason);
        }
        if (ClientSession.REASON_CONNECT_FAILED == reason)
        {
            return "connect failed or timed out";
        }
        if (ClientSession.REASON_LOCAL_TIMEOUT == reason)
        {
            return "session timed out locally";
        }
        for (final DisconnectReason value : DisconnectReason.values())
        {
            if (value.value() == reason && DisconnectReason.NULL_VAL != value)
            {
                return "disconnected: " + value.name();
            }
        }
        return "ended, reason " + reason;
    }

    private static String rejectReasonName(final int reason)
    {
        for (final RejectReason value : RejectReason.values())
        {
            if (value.value() == reason && RejectReason.NULL_VAL != value)
            {
                return value.name();
            }
        }
        return Integer.toString(reason);
    }
}
