/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core;

import io.aeron.Aeron;
import io.aeron.Counter;
import io.aeron.driver.MediaDriver;
import io.orrery.core.gateway.GatewayAgent;
import io.orrery.core.replicant.InterestConfig;
import io.orrery.core.replicant.InterestEngine;
import io.orrery.core.replicant.ReplicantAgent;
import io.orrery.core.status.OrreryCounter;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.ByteBuffer;

/**
 * The Replication Layer of one shard as an embeddable library: the Gateway and Replicant role agents over an Aeron
 * client, optionally with an embedded media driver.
 * <pre>
 *   clients --ingress--> GatewayAgent --ring (inputs, notices)--> ReplicantAgent --egress--> clients
 *                              ^------------ ring (disconnect notices) ------------'
 * </pre>
 * The roles talk only through SBE messages on Agrona ring buffers (plus a hand-over queue that transfers ownership
 * of each authenticated session's egress publication), so either can move to its own thread or process.
 * <p>
 * With {@link Context#persistenceAdapter(io.orrery.core.persistence.PersistenceAdapter)} the shard is persistent: the
 * Replicant restores the EntityGraph into its cache before serving, launches Scribe (its consumer on a thread of its
 * own, or stepped in the Replicant's duty cycle in {@link ThreadingMode#INVOKER}; the Replicant its producer), writes
 * the world behind ({@code WorldPersistence}), runs stow/unstow and the
 * starter grant as durable operations ({@code ScribeInventoryBackend}), and on close offers the last changes and
 * drains Scribe before the layer's resources are released. With {@link Context#ocsEnabled(boolean)} (server OCS) the
 * graph is not restored whole: {@code RegionStreamer} streams cells in as players join and approach them and streams
 * cells with no player near out to the store, so a world larger than the cache works.
 */
public final class ReplicationLayer implements AutoCloseable
{
    private final Context ctx;
    private final GatewayAgent gateway;
    private final ReplicantAgent replicant;
    private final AgentInvoker invoker;
    private final AgentRunner[] runners;
    private final AgentRunner[] workerRunners;
    private final Counter[] counters;

    private ReplicationLayer(final Context ctx)
    {
        this.ctx = ctx;
        final Aeron aeron = ctx.aeron();
        counters = OrreryCounter.allocate(aeron, ctx.shardName());

        final OneToOneRingBuffer toReplicant = newRing(ctx.interRoleRingCapacity());
        final OneToOneRingBuffer toGateway = newRing(ctx.interRoleRingCapacity());
        final OneToOneConcurrentArrayQueue<GatewayAgent.SessionHandover> handovers =
            new OneToOneConcurrentArrayQueue<>(Math.max(1024, Integer.highestOneBit(ctx.maxSessions()) << 1));

        gateway = new GatewayAgent(ctx, counters, toReplicant, toGateway, handovers);
        replicant = new ReplicantAgent(ctx, counters, toReplicant, toGateway, handovers);

        final ErrorHandler errorHandler = ctx.errorHandler();
        ctx.stopOnDriverLoss(this::stopForDriverLoss);
        switch (ctx.threadingMode())
        {
            case INVOKER:
                invoker = new AgentInvoker(errorHandler, counters[OrreryCounter.ERRORS.id()],
                    new CompositeAgent(gateway, replicant));
                runners = new AgentRunner[0];
                // the interest engine ticks every partition on the caller's thread
                workerRunners = new AgentRunner[0];
                break;

            case DEDICATED:
                invoker = null;
                runners = new AgentRunner[]{
                    new AgentRunner(ctx.idleStrategy(), errorHandler, counters[OrreryCounter.ERRORS.id()], gateway),
                    new AgentRunner(ctx.idleStrategy(), errorHandler, counters[OrreryCounter.ERRORS.id()], replicant)
                };
                workerRunners = newWorkerRunners(replicant.interestWorkers(), errorHandler);
                break;

            case SHARED:
            default:
                invoker = null;
                runners = new AgentRunner[]{ new AgentRunner(ctx.idleStrategy(), errorHandler,
                    counters[OrreryCounter.ERRORS.id()], new CompositeAgent(gateway, replicant)) };
                workerRunners = newWorkerRunners(replicant.interestWorkers(), errorHandler);
                break;
        }
    }

    /**
     * A runner per interest worker beyond the first (the Replicant's thread runs the first), each with an idle
     * strategy of its own (a long park: a dispatched tick wakes the worker).
     */
    private AgentRunner[] newWorkerRunners(final Agent[] workers, final ErrorHandler errorHandler)
    {
        final AgentRunner[] workerRunners = new AgentRunner[workers.length];
        for (int i = 0; i < workers.length; i++)
        {
            workerRunners[i] = new AgentRunner(InterestEngine.newWorkerIdleStrategy(),
                errorHandler, counters[OrreryCounter.ERRORS.id()], workers[i]);
        }
        return workerRunners;
    }

    /**
     * Launch a Replication Layer. The context is concluded here; on failure everything opened is closed.
     *
     * @param ctx settings, defaults from system properties.
     * @return the running layer; close it to shut down.
     */
    public static ReplicationLayer launch(final Context ctx)
    {
        ReplicationLayer layer = null;
        try
        {
            ctx.conclude();
            layer = new ReplicationLayer(ctx);
            if (null != layer.invoker)
            {
                layer.invoker.start();
            }
            for (final AgentRunner runner : layer.workerRunners)
            {
                AgentRunner.startOnThread(runner, ctx.threadFactory());
            }
            for (final AgentRunner runner : layer.runners)
            {
                AgentRunner.startOnThread(runner, ctx.threadFactory());
            }
            return layer;
        }
        catch (final RuntimeException ex)
        {
            if (null != layer)
            {
                CloseHelper.quietClose(layer);
            }
            else
            {
                CloseHelper.quietClose(ctx::close);
            }
            throw ex;
        }
    }

    /**
     * Launch with defaults from system properties.
     */
    public static ReplicationLayer launch()
    {
        return launch(new Context());
    }

    /**
     * Run one duty cycle of every agent. Only in {@link ThreadingMode#INVOKER}.
     *
     * @return work done.
     */
    public int doWork()
    {
        if (null == invoker)
        {
            throw new IllegalStateException("doWork() is only for ThreadingMode.INVOKER");
        }
        return invoker.invoke();
    }

    public Context context()
    {
        return ctx;
    }

    /**
     * Current value of a system counter.
     */
    public long counter(final OrreryCounter counter)
    {
        return counters[counter.id()].get();
    }

    /**
     * The Replicant agent, for embedders that need its entity store on its own thread (tests in INVOKER mode).
     */
    public ReplicantAgent replicant()
    {
        return replicant;
    }

    public GatewayAgent gateway()
    {
        return gateway;
    }

    @Override
    public void close()
    {
        if (null != invoker)
        {
            CloseHelper.quietClose(invoker);
        }
        CloseHelper.quietCloseAll(runners);
        // after the Replicant's runner: a worker closed under a tick would only make the Replicant run it itself
        CloseHelper.quietCloseAll(workerRunners);
        CloseHelper.quietClose(replicant::closePersistence);
        CloseHelper.quietCloseAll(counters);
        ctx.close();
    }

    /**
     * The media driver is gone: stop the agents (their threads end; in INVOKER mode the caller's next
     * {@code doWork()} fails instead) and drain what Scribe holds into the store. Runs on the Aeron conductor's
     * thread, before the driver's files are unmapped.
     */
    private void stopForDriverLoss()
    {
        CloseHelper.quietCloseAll(runners);
        CloseHelper.quietCloseAll(workerRunners);
        CloseHelper.quietClose(replicant::closePersistence);
    }

    static OneToOneRingBuffer newRing(final int capacity)
    {
        return new OneToOneRingBuffer(
            new UnsafeBuffer(ByteBuffer.allocateDirect(capacity + RingBufferDescriptor.TRAILER_LENGTH)));
    }

    /**
     * Directory of the media driver this layer uses (embedded or external).
     */
    public String aeronDirectoryName()
    {
        final MediaDriver driver = ctx.mediaDriver();
        return null != driver ? driver.aeronDirectoryName() : ctx.aeronDirectoryName();
    }

    /**
     * Settings of a Replication Layer. Every setting has a default, overridable by the system property named in its
     * constant. {@link #conclude()} validates and launches what is embedded (media driver, Aeron client) once.
     */
    public static final class Context implements Cloneable
    {
        public static final String SHARD_NAME_PROP = "orrery.shard.name";
        public static final String SHARD_NAME_DEFAULT = "orrery";
        public static final String AERON_DIR_PROP = "orrery.aeron.dir";
        public static final String EMBEDDED_DRIVER_PROP = "orrery.embedded.driver";
        public static final String THREADING_MODE_PROP = "orrery.threading.mode";
        public static final String CLIENT_INGRESS_CHANNEL_PROP = "orrery.client.ingress.channel";
        public static final String CLIENT_INGRESS_CHANNEL_DEFAULT = "aeron:ipc?term-length=64k";
        public static final String CLIENT_INGRESS_STREAM_ID_PROP = "orrery.client.ingress.stream.id";
        public static final int CLIENT_INGRESS_STREAM_ID_DEFAULT = 1001;
        public static final String EGRESS_TERM_LENGTH_PROP = "orrery.egress.term.length";
        public static final int EGRESS_TERM_LENGTH_DEFAULT = 64 * 1024;
        public static final String MAX_SESSIONS_PROP = "orrery.max.sessions";
        public static final int MAX_SESSIONS_DEFAULT = 4 * 1024;
        public static final String TOKEN_SECRET_PROP = io.orrery.core.auth.TokenSecrets.SECRET_PROP;
        /**
         * The public development secret, used only in development mode ({@link #developmentMode(boolean)}); see
         * {@link io.orrery.core.auth.TokenSecrets} for where a secret comes from otherwise.
         */
        public static final String TOKEN_SECRET_DEFAULT = io.orrery.core.auth.TokenSecrets.DEVELOPMENT_SECRET;
        public static final String HEARTBEAT_INTERVAL_MS_PROP = "orrery.heartbeat.interval.ms";
        public static final long HEARTBEAT_INTERVAL_MS_DEFAULT = 1000;
        public static final String SESSION_TIMEOUT_MS_PROP = "orrery.session.timeout.ms";
        public static final long SESSION_TIMEOUT_MS_DEFAULT = 5000;
        public static final String SLOW_CONSUMER_TIMEOUT_MS_PROP = "orrery.slow.consumer.timeout.ms";
        public static final long SLOW_CONSUMER_TIMEOUT_MS_DEFAULT = 3000;
        public static final String PUBLICATION_CONNECT_TIMEOUT_MS_PROP = "orrery.publication.connect.timeout.ms";
        public static final long PUBLICATION_CONNECT_TIMEOUT_MS_DEFAULT = 5000;
        public static final String TICK_RATE_HZ_PROP = "orrery.tick.rate.hz";
        public static final int TICK_RATE_HZ_DEFAULT = 30;
        public static final String IDLE_MAX_PARK_US_PROP = "orrery.idle.max.park.us";
        public static final long IDLE_MAX_PARK_US_DEFAULT = 100;
        /**
         * Longest park of the embedded media driver's async executor (name resolution and other slow tasks of
         * connection set-up, off the hot path) while active; four quiet parks while quiet.
         */
        static final long ASYNC_EXECUTOR_MAX_PARK_NS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(1);
        public static final String IDLE_QUIET_PARK_US_PROP = "orrery.idle.quiet.park.us";
        public static final long IDLE_QUIET_PARK_US_DEFAULT = 10_000;
        public static final String SERVER_TICK_WAIT_US_PROP = "orrery.server.tick.wait.us";
        public static final long SERVER_TICK_WAIT_US_DEFAULT = 3000;
        public static final String MAX_INPUT_RATE_HZ_PROP = "orrery.max.input.rate.hz";
        public static final int MAX_INPUT_RATE_HZ_DEFAULT = 60;
        public static final String BANDWIDTH_BYTES_PER_TICK_PROP = "orrery.bandwidth.bytes.per.tick";
        public static final int BANDWIDTH_BYTES_PER_TICK_DEFAULT = 16 * 1024;
        public static final String MAX_ENTITIES_PROP = "orrery.max.entities";
        public static final int MAX_ENTITIES_DEFAULT = 128 * 1024;
        public static final String MAX_STATE_BYTES_PROP = "orrery.max.state.bytes";
        public static final int MAX_STATE_BYTES_DEFAULT = 256;
        public static final String MAX_VIEW_ENTITIES_PROP = "orrery.max.view.entities";
        public static final int MAX_VIEW_ENTITIES_DEFAULT = 512;
        public static final String BUBBLE_RADIUS_M_PROP = "orrery.bubble.radius.m";
        public static final double BUBBLE_RADIUS_M_DEFAULT = 300;
        public static final String SIZE_FACTOR_PROP = "orrery.bubble.size.factor";
        public static final double SIZE_FACTOR_DEFAULT = 10;
        public static final String HYSTERESIS_PROP = "orrery.bubble.hysteresis";
        public static final double HYSTERESIS_DEFAULT = 0.1;
        /**
         * Entity updates to clients as {@code EntityUpdatesCompact} (per-client handles, changed fields only,
         * deltas against what the client was last sent) rather than fixed-size {@code EntityUpdateBatch} entries.
         */
        public static final String COMPACT_UPDATES_PROP = "orrery.compact.updates";
        public static final boolean COMPACT_UPDATES_DEFAULT = true;
        /**
         * Update tiers by distance, as fractions of an entity's view distance: within the near fraction every tick,
         * to the far fraction every mid-tier period ticks, beyond every far-tier period ticks (powers of two, 1 =
         * every tick). See {@link InterestConfig}.
         */
        public static final String NEAR_TIER_FRACTION_PROP = "orrery.tier.near.fraction";
        public static final String FAR_TIER_FRACTION_PROP = "orrery.tier.far.fraction";
        public static final String MID_TIER_PERIOD_PROP = "orrery.tier.mid.period";
        public static final String FAR_TIER_PERIOD_PROP = "orrery.tier.far.period";
        /**
         * Interest workers: the Replicant's per-tick interest work (bubbles, spawns, updates, despawns, encoding and
         * offers to clients) split over this many partitions of the clients, each on its own thread in
         * {@link ThreadingMode#SHARED} and {@link ThreadingMode#DEDICATED} (the Replicant's thread runs the first),
         * all on the caller's thread in {@link ThreadingMode#INVOKER}. See {@code InterestEngine}.
         */
        public static final String INTEREST_WORKERS_PROP = "orrery.interest.workers";
        public static final int INTEREST_WORKERS_DEFAULT = 1;
        public static final String SERVER_INGRESS_CHANNEL_PROP = "orrery.server.ingress.channel";
        public static final String SERVER_INGRESS_CHANNEL_DEFAULT = "aeron:ipc?term-length=1m";
        public static final String SERVER_INGRESS_STREAM_ID_PROP = "orrery.server.ingress.stream.id";
        public static final int SERVER_INGRESS_STREAM_ID_DEFAULT = 1002;
        public static final String SERVER_EGRESS_TERM_LENGTH_PROP = "orrery.server.egress.term.length";
        /**
         * Term length of each game server's egress publication, set by the layer whatever the server's hello asks.
         */
        public static final int SERVER_EGRESS_TERM_LENGTH_DEFAULT = 1024 * 1024;
        /**
         * Path of a shard configuration file ({@code io.orrery.core.atlas.ShardConfig}): when set, game servers
         * simulate the world through the server link (static meshing) instead of the scripted authority.
         */
        public static final String SHARD_CONFIG_PROP = "orrery.shard.config";
        /**
         * World write-behind interval: how often the Replicant offers changed entities to Scribe, and the longest a
         * change waits in Scribe's batch (the same property as Scribe's own flush interval).
         */
        public static final String PERSISTENCE_FLUSH_INTERVAL_MS_PROP =
            io.orrery.core.persistence.Scribe.Context.FLUSH_INTERVAL_MS_PROP;
        public static final long PERSISTENCE_FLUSH_INTERVAL_MS_DEFAULT =
            io.orrery.core.persistence.Scribe.Context.FLUSH_INTERVAL_MS_DEFAULT;
        /**
         * Events Scribe's ring holds (a power of two; about 1.2 KiB each).
         */
        public static final String SCRIBE_RING_SIZE_PROP = io.orrery.core.persistence.Scribe.Context.RING_SIZE_PROP;
        public static final int SCRIBE_RING_SIZE_DEFAULT = 16 * 1024;
        /**
         * Server OCS (object container streaming) of a persistent shard: regions with no player near are streamed out
         * to the store and back in as players approach. Off by default; needs a persistence adapter.
         */
        public static final String OCS_ENABLED_PROP = "orrery.ocs.enabled";
        public static final boolean OCS_ENABLED_DEFAULT = false;
        /**
         * Side of an OCS cell, a square of the root zone's x/y plane, in metres.
         */
        public static final String OCS_CELL_SIZE_M_PROP = "orrery.ocs.cell.size.m";
        public static final double OCS_CELL_SIZE_M_DEFAULT = 500;
        /**
         * A cell is streamed in when a player is within this distance of it; default (0): the bubble radius plus one
         * cell diagonal.
         */
        public static final String OCS_STREAM_IN_MARGIN_M_PROP = "orrery.ocs.stream.in.margin.m";
        /**
         * A cell is streamed out when no player has been within this distance of it for the stream-out delay; must be
         * larger than the stream-in margin; default (0): the stream-in margin plus half a cell.
         */
        public static final String OCS_STREAM_OUT_MARGIN_M_PROP = "orrery.ocs.stream.out.margin.m";
        public static final String OCS_STREAM_OUT_DELAY_MS_PROP = "orrery.ocs.stream.out.delay.ms";
        public static final long OCS_STREAM_OUT_DELAY_MS_DEFAULT = 5000;
        /**
         * How often the cell states are re-evaluated (loads are polled every duty cycle).
         */
        public static final String OCS_CHECK_INTERVAL_MS_PROP = "orrery.ocs.check.interval.ms";
        public static final long OCS_CHECK_INTERVAL_MS_DEFAULT = 100;
        /**
         * Cells tracked at once (hot, loading or occupied); cold cells take no room.
         */
        public static final String OCS_MAX_CELLS_PROP = "orrery.ocs.max.cells";
        public static final int OCS_MAX_CELLS_DEFAULT = 16 * 1024;
        /**
         * How long the Aeron client waits for the media driver's keepalive before it declares the driver gone
         * (0: Aeron's default, 10 s).
         */
        public static final String DRIVER_TIMEOUT_MS_PROP = "orrery.driver.timeout.ms";
        public static final String INTER_ROLE_RING_CAPACITY_PROP = "orrery.inter.role.ring.capacity";
        public static final int INTER_ROLE_RING_CAPACITY_DEFAULT = 4 * 1024 * 1024;

        private boolean isConcluded;
        private String shardName = System.getProperty(SHARD_NAME_PROP, SHARD_NAME_DEFAULT);
        private String aeronDirectoryName = System.getProperty(AERON_DIR_PROP);
        private boolean launchEmbeddedMediaDriver = Boolean.parseBoolean(
            System.getProperty(EMBEDDED_DRIVER_PROP, "true"));
        private ThreadingMode threadingMode = ThreadingMode.valueOf(
            System.getProperty(THREADING_MODE_PROP, ThreadingMode.SHARED.name()));
        private String clientIngressChannel = System.getProperty(
            CLIENT_INGRESS_CHANNEL_PROP, CLIENT_INGRESS_CHANNEL_DEFAULT);
        private int clientIngressStreamId = Integer.getInteger(
            CLIENT_INGRESS_STREAM_ID_PROP, CLIENT_INGRESS_STREAM_ID_DEFAULT);
        private int egressTermLength = Integer.getInteger(EGRESS_TERM_LENGTH_PROP, EGRESS_TERM_LENGTH_DEFAULT);
        private int maxSessions = Integer.getInteger(MAX_SESSIONS_PROP, MAX_SESSIONS_DEFAULT);
        private byte[] tokenSecret;
        private boolean developmentMode = io.orrery.core.auth.TokenSecrets.developmentModeFromProperty();
        private io.orrery.core.status.AgentDeath.Handler agentDeathHandler =
            io.orrery.core.status.AgentDeath.EXIT_PROCESS;
        private io.orrery.link.DriverLoss.Handler driverLossHandler =
            io.orrery.link.DriverLoss.EXIT_PROCESS;
        private long driverTimeoutMs = Long.getLong(DRIVER_TIMEOUT_MS_PROP, 0);
        private volatile Runnable stopOnDriverLoss;
        private long heartbeatIntervalNs = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(
            Long.getLong(HEARTBEAT_INTERVAL_MS_PROP, HEARTBEAT_INTERVAL_MS_DEFAULT));
        private long sessionTimeoutNs = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(
            Long.getLong(SESSION_TIMEOUT_MS_PROP, SESSION_TIMEOUT_MS_DEFAULT));
        private long slowConsumerTimeoutNs = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(
            Long.getLong(SLOW_CONSUMER_TIMEOUT_MS_PROP, SLOW_CONSUMER_TIMEOUT_MS_DEFAULT));
        private long publicationConnectTimeoutNs = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(
            Long.getLong(PUBLICATION_CONNECT_TIMEOUT_MS_PROP, PUBLICATION_CONNECT_TIMEOUT_MS_DEFAULT));
        private int tickRateHz = Integer.getInteger(TICK_RATE_HZ_PROP, TICK_RATE_HZ_DEFAULT);
        private long idleMaxParkNs = java.util.concurrent.TimeUnit.MICROSECONDS.toNanos(
            Long.getLong(IDLE_MAX_PARK_US_PROP, IDLE_MAX_PARK_US_DEFAULT));
        private long idleQuietParkNs = java.util.concurrent.TimeUnit.MICROSECONDS.toNanos(
            Long.getLong(IDLE_QUIET_PARK_US_PROP, IDLE_QUIET_PARK_US_DEFAULT));
        private final LayerIdleStrategy.Activity activity = new LayerIdleStrategy.Activity();
        private long serverTickWaitNs = java.util.concurrent.TimeUnit.MICROSECONDS.toNanos(
            Long.getLong(SERVER_TICK_WAIT_US_PROP, SERVER_TICK_WAIT_US_DEFAULT));
        private int maxInputRateHz = Integer.getInteger(MAX_INPUT_RATE_HZ_PROP, MAX_INPUT_RATE_HZ_DEFAULT);
        private int bandwidthBytesPerTick = Integer.getInteger(
            BANDWIDTH_BYTES_PER_TICK_PROP, BANDWIDTH_BYTES_PER_TICK_DEFAULT);
        private int maxEntities = Integer.getInteger(MAX_ENTITIES_PROP, MAX_ENTITIES_DEFAULT);
        private int maxStateBytes = Integer.getInteger(MAX_STATE_BYTES_PROP, MAX_STATE_BYTES_DEFAULT);
        private int maxViewEntities = Integer.getInteger(MAX_VIEW_ENTITIES_PROP, MAX_VIEW_ENTITIES_DEFAULT);
        private double bubbleRadiusM = Double.parseDouble(
            System.getProperty(BUBBLE_RADIUS_M_PROP, Double.toString(BUBBLE_RADIUS_M_DEFAULT)));
        private double sizeFactor = Double.parseDouble(
            System.getProperty(SIZE_FACTOR_PROP, Double.toString(SIZE_FACTOR_DEFAULT)));
        private double hysteresis = Double.parseDouble(
            System.getProperty(HYSTERESIS_PROP, Double.toString(HYSTERESIS_DEFAULT)));
        private boolean compactUpdates = Boolean.parseBoolean(
            System.getProperty(COMPACT_UPDATES_PROP, Boolean.toString(COMPACT_UPDATES_DEFAULT)));
        private double nearTierFraction = Double.parseDouble(System.getProperty(
            NEAR_TIER_FRACTION_PROP, Double.toString(InterestConfig.DEFAULT_NEAR_TIER_FRACTION)));
        private double farTierFraction = Double.parseDouble(System.getProperty(
            FAR_TIER_FRACTION_PROP, Double.toString(InterestConfig.DEFAULT_FAR_TIER_FRACTION)));
        private int midTierPeriod = Integer.getInteger(
            MID_TIER_PERIOD_PROP, InterestConfig.DEFAULT_MID_TIER_PERIOD);
        private int farTierPeriod = Integer.getInteger(
            FAR_TIER_PERIOD_PROP, InterestConfig.DEFAULT_FAR_TIER_PERIOD);
        private int interestWorkers = Integer.getInteger(INTEREST_WORKERS_PROP, INTEREST_WORKERS_DEFAULT);
        private int interRoleRingCapacity = Integer.getInteger(
            INTER_ROLE_RING_CAPACITY_PROP, INTER_ROLE_RING_CAPACITY_DEFAULT);

        private String serverIngressChannel = System.getProperty(
            SERVER_INGRESS_CHANNEL_PROP, SERVER_INGRESS_CHANNEL_DEFAULT);
        private int serverIngressStreamId = Integer.getInteger(
            SERVER_INGRESS_STREAM_ID_PROP, SERVER_INGRESS_STREAM_ID_DEFAULT);
        private io.orrery.core.ingress.IngressLimits clientIngressLimits =
            io.orrery.core.ingress.IngressLimits.forClients();
        private io.orrery.core.ingress.IngressLimits serverIngressLimits =
            io.orrery.core.ingress.IngressLimits.forServers();
        private int serverEgressTermLength = Integer.getInteger(
            SERVER_EGRESS_TERM_LENGTH_PROP, SERVER_EGRESS_TERM_LENGTH_DEFAULT);
        private io.orrery.core.atlas.ShardConfig shardConfig;
        private io.orrery.core.persistence.PersistenceAdapter persistenceAdapter;
        private long persistenceFlushIntervalNs = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(
            Long.getLong(PERSISTENCE_FLUSH_INTERVAL_MS_PROP, PERSISTENCE_FLUSH_INTERVAL_MS_DEFAULT));
        private int scribeRingSize = Integer.getInteger(SCRIBE_RING_SIZE_PROP, SCRIBE_RING_SIZE_DEFAULT);
        private ThreadingMode scribeThreadingMode;
        private boolean ocsEnabled = Boolean.parseBoolean(
            System.getProperty(OCS_ENABLED_PROP, Boolean.toString(OCS_ENABLED_DEFAULT)));
        private double ocsCellSizeM = Double.parseDouble(
            System.getProperty(OCS_CELL_SIZE_M_PROP, Double.toString(OCS_CELL_SIZE_M_DEFAULT)));
        private double ocsStreamInMarginM = Double.parseDouble(System.getProperty(OCS_STREAM_IN_MARGIN_M_PROP, "0"));
        private double ocsStreamOutMarginM = Double.parseDouble(
            System.getProperty(OCS_STREAM_OUT_MARGIN_M_PROP, "0"));
        private long ocsStreamOutDelayNs = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(
            Long.getLong(OCS_STREAM_OUT_DELAY_MS_PROP, OCS_STREAM_OUT_DELAY_MS_DEFAULT));
        private long ocsCheckIntervalNs = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(
            Long.getLong(OCS_CHECK_INTERVAL_MS_PROP, OCS_CHECK_INTERVAL_MS_DEFAULT));
        private int ocsMaxCells = Integer.getInteger(OCS_MAX_CELLS_PROP, OCS_MAX_CELLS_DEFAULT);

        private org.agrona.concurrent.IdleStrategy idleStrategy;
        private java.util.concurrent.ThreadFactory threadFactory;
        private org.agrona.concurrent.NanoClock nanoClock;
        private org.agrona.concurrent.EpochClock epochClock;
        private ErrorHandler errorHandler;
        private io.orrery.core.authority.Authority authority;
        private MediaDriver mediaDriver;
        private Aeron aeron;
        private boolean ownsAeron;

        /**
         * Validate settings and launch the embedded media driver and Aeron client if needed. Idempotent.
         *
         * @return this.
         */
        public Context conclude()
        {
            if (isConcluded)
            {
                return this;
            }
            requirePositive(maxSessions, "maxSessions");
            requirePositive(tickRateHz, "tickRateHz");
            if (serverTickWaitNs < 0)
            {
                throw new IllegalArgumentException("serverTickWaitNs must be >= 0: " + serverTickWaitNs);
            }
            requirePositive(maxEntities, "maxEntities");
            requirePositive(maxViewEntities, "maxViewEntities");
            if (interestWorkers < 1 || interestWorkers > InterestConfig.MAX_WORKERS)
            {
                throw new IllegalArgumentException(
                    "interestWorkers must be in 1.." + InterestConfig.MAX_WORKERS + ": " + interestWorkers);
            }
            requirePositive(bandwidthBytesPerTick, "bandwidthBytesPerTick");
            if (egressTermLength < 64 * 1024 || Integer.bitCount(egressTermLength) != 1)
            {
                throw new IllegalArgumentException("egressTermLength must be a power of two >= 64 KiB");
            }
            tokenSecret = io.orrery.core.auth.TokenSecrets.resolve(
                tokenSecret, developmentMode, "replication layer of shard " + shardName);
            if (io.orrery.core.auth.TokenSecrets.isDevelopmentSecret(tokenSecret))
            {
                System.err.println(io.orrery.core.auth.TokenSecrets.developmentWarning(
                    "the replication layer of shard " + shardName));
            }
            clientIngressLimits.validate("clientIngressLimits");
            serverIngressLimits.validate("serverIngressLimits");
            if (serverEgressTermLength < 64 * 1024 || Integer.bitCount(serverEgressTermLength) != 1 ||
                serverEgressTermLength > 64 * 1024 * 1024)
            {
                throw new IllegalArgumentException("serverEgressTermLength must be a power of two in [64 KiB, 64 MiB]: " +
                    serverEgressTermLength);
            }
            if (!(hysteresis >= 0 && hysteresis < 1))
            {
                throw new IllegalArgumentException("hysteresis must be in [0, 1): " + hysteresis);
            }
            if (ocsEnabled)
            {
                if (!(ocsCellSizeM >= 1))
                {
                    throw new IllegalArgumentException("ocsCellSizeM must be >= 1: " + ocsCellSizeM);
                }
                if (0 == ocsStreamInMarginM)
                {
                    ocsStreamInMarginM = bubbleRadiusM + ocsCellSizeM * Math.sqrt(2);
                }
                if (0 == ocsStreamOutMarginM)
                {
                    ocsStreamOutMarginM = ocsStreamInMarginM + ocsCellSizeM / 2;
                }
                if (!(ocsStreamInMarginM > 0 && ocsStreamOutMarginM > ocsStreamInMarginM))
                {
                    throw new IllegalArgumentException("need 0 < ocsStreamInMarginM < ocsStreamOutMarginM: " +
                        ocsStreamInMarginM + ", " + ocsStreamOutMarginM);
                }
                requirePositive(ocsMaxCells, "ocsMaxCells");
                if (ocsStreamOutDelayNs < 0 || ocsCheckIntervalNs < 0)
                {
                    throw new IllegalArgumentException("OCS delay and check interval must be >= 0");
                }
            }
            if (null == idleStrategy)
            {
                idleStrategy = newIdleStrategy();
            }
            if (null == threadFactory)
            {
                threadFactory = (runnable) ->
                {
                    final Thread thread = new Thread(runnable);
                    thread.setDaemon(true);
                    return thread;
                };
            }
            if (null != agentDeathHandler)
            {
                threadFactory = io.orrery.core.status.AgentDeath.reportingTo(threadFactory, agentDeathHandler);
            }
            if (null == nanoClock)
            {
                nanoClock = org.agrona.concurrent.SystemNanoClock.INSTANCE;
            }
            if (null == epochClock)
            {
                epochClock = org.agrona.concurrent.SystemEpochClock.INSTANCE;
            }
            if (null == errorHandler)
            {
                errorHandler = new io.orrery.link.DistinctErrorPrinter(System.err);
            }
            if (null == shardConfig && null != System.getProperty(SHARD_CONFIG_PROP))
            {
                shardConfig = io.orrery.core.atlas.ShardConfig.load(
                    java.nio.file.Paths.get(System.getProperty(SHARD_CONFIG_PROP)));
            }
            if (null == authority && null != shardConfig)
            {
                authority = new io.orrery.core.atlas.MeshAuthority(shardConfig);
            }
            if (null == authority)
            {
                authority = new io.orrery.core.authority.ScriptedAuthority(
                    new io.orrery.core.authority.ScriptedAuthority.Settings());
            }
            if (null == aeron)
            {
                if (launchEmbeddedMediaDriver && null == aeronDirectoryName)
                {
                    mediaDriver = MediaDriver.launchEmbedded(new MediaDriver.Context()
                        .threadingMode(io.aeron.driver.ThreadingMode.SHARED)
                        .sharedIdleStrategy(newIdleStrategy())
                        .asyncExecutorIdleStrategy(new LayerIdleStrategy(
                            activity, ASYNC_EXECUTOR_MAX_PARK_NS, 4 * idleQuietParkNs))
                        .ipcTermBufferLength(egressTermLength)
                        .publicationTermBufferLength(egressTermLength)
                        .dirDeleteOnStart(true)
                        .dirDeleteOnShutdown(true));
                    aeronDirectoryName = mediaDriver.aeronDirectoryName();
                }
                final Aeron.Context aeronCtx = new Aeron.Context()
                    .aeronDirectoryName(aeronDirectoryName)
                    .errorHandler(io.orrery.link.DriverLoss.routing(errorHandler, this::onDriverLoss));
                if (driverTimeoutMs > 0)
                {
                    aeronCtx.driverTimeoutMs(driverTimeoutMs);
                }
                aeron = Aeron.connect(aeronCtx);
                ownsAeron = true;
            }
            isConcluded = true;
            return this;
        }

        /**
         * Close what {@link #conclude()} launched.
         */
        public void close()
        {
            if (ownsAeron)
            {
                CloseHelper.quietClose(aeron);
            }
            CloseHelper.quietClose(mediaDriver);
        }

        private static void requirePositive(final long value, final String name)
        {
            if (value <= 0)
            {
                throw new IllegalArgumentException(name + " must be positive: " + value);
            }
        }

        public String shardName()
        {
            return shardName;
        }

        public Context shardName(final String shardName)
        {
            this.shardName = shardName;
            return this;
        }

        /**
         * Directory of an external media driver; when null and {@link #launchEmbeddedMediaDriver()} is true an
         * embedded SHARED-mode driver is launched in a fresh directory.
         */
        public String aeronDirectoryName()
        {
            return aeronDirectoryName;
        }

        public Context aeronDirectoryName(final String aeronDirectoryName)
        {
            this.aeronDirectoryName = aeronDirectoryName;
            return this;
        }

        public boolean launchEmbeddedMediaDriver()
        {
            return launchEmbeddedMediaDriver;
        }

        public Context launchEmbeddedMediaDriver(final boolean launchEmbeddedMediaDriver)
        {
            this.launchEmbeddedMediaDriver = launchEmbeddedMediaDriver;
            return this;
        }

        public MediaDriver mediaDriver()
        {
            return mediaDriver;
        }

        /**
         * An Aeron client supplied by the embedder (not closed by the layer), or the one {@link #conclude()} made.
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

        public ThreadingMode threadingMode()
        {
            return threadingMode;
        }

        public Context threadingMode(final ThreadingMode threadingMode)
        {
            this.threadingMode = threadingMode;
            return this;
        }

        public String clientIngressChannel()
        {
            return clientIngressChannel;
        }

        public Context clientIngressChannel(final String clientIngressChannel)
        {
            this.clientIngressChannel = clientIngressChannel;
            return this;
        }

        public int clientIngressStreamId()
        {
            return clientIngressStreamId;
        }

        public Context clientIngressStreamId(final int clientIngressStreamId)
        {
            this.clientIngressStreamId = clientIngressStreamId;
            return this;
        }

        /**
         * Term length of every per-client egress publication (three terms per publication): the main memory cost
         * of a connection.
         */
        public int egressTermLength()
        {
            return egressTermLength;
        }

        public Context egressTermLength(final int egressTermLength)
        {
            this.egressTermLength = egressTermLength;
            return this;
        }

        /**
         * What the client ingress accepts from peers (message and term lengths, reassembly buffers, refusals) and
         * the parameters of the egress publications the Gateway opens.
         */
        public io.orrery.core.ingress.IngressLimits clientIngressLimits()
        {
            return clientIngressLimits;
        }

        public Context clientIngressLimits(final io.orrery.core.ingress.IngressLimits clientIngressLimits)
        {
            this.clientIngressLimits = clientIngressLimits;
            return this;
        }

        /**
         * What the server ingress accepts from game servers before and after they authenticate, and the parameters
         * of the egress publications Atlas opens for them.
         */
        public io.orrery.core.ingress.IngressLimits serverIngressLimits()
        {
            return serverIngressLimits;
        }

        public Context serverIngressLimits(final io.orrery.core.ingress.IngressLimits serverIngressLimits)
        {
            this.serverIngressLimits = serverIngressLimits;
            return this;
        }

        /**
         * Term length of each game server's egress publication (three terms each), set by the layer: a server's
         * hello cannot choose it.
         */
        public int serverEgressTermLength()
        {
            return serverEgressTermLength;
        }

        public Context serverEgressTermLength(final int serverEgressTermLength)
        {
            this.serverEgressTermLength = serverEgressTermLength;
            return this;
        }

        public int maxSessions()
        {
            return maxSessions;
        }

        public Context maxSessions(final int maxSessions)
        {
            this.maxSessions = maxSessions;
            return this;
        }

        /**
         * HMAC secret of player and server tokens. Default: {@value io.orrery.core.auth.TokenSecrets#SECRET_PROP},
         * then the environment variable {@value io.orrery.core.auth.TokenSecrets#SECRET_ENV}, then, in development
         * mode only, the public development secret; {@link #conclude()} refuses to go on without one and refuses the
         * development secret outside development mode.
         */
        public byte[] tokenSecret()
        {
            return tokenSecret;
        }

        /**
         * Development mode allows the public development token secret (and says so on standard error at launch).
         * Default: the system property {@value io.orrery.core.auth.TokenSecrets#DEV_PROP}.
         */
        public boolean developmentMode()
        {
            return developmentMode;
        }

        public Context developmentMode(final boolean developmentMode)
        {
            this.developmentMode = developmentMode;
            return this;
        }

        /**
         * Called when the media driver goes away (only when the layer made its own Aeron client): the layer first
         * stops its agents and drains Scribe into the store, on the Aeron conductor's thread before the driver's
         * files are unmapped. Default {@link io.orrery.link.DriverLoss#EXIT_PROCESS}: one line on standard
         * error, then exit code {@link io.orrery.link.DriverLoss#EXIT_CODE}.
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

        /**
         * Driver keepalive timeout of the layer's own Aeron client in ms (0: Aeron's default).
         */
        public long driverTimeoutMs()
        {
            return driverTimeoutMs;
        }

        public Context driverTimeoutMs(final long driverTimeoutMs)
        {
            this.driverTimeoutMs = driverTimeoutMs;
            return this;
        }

        void stopOnDriverLoss(final Runnable stop)
        {
            this.stopOnDriverLoss = stop;
        }

        private void onDriverLoss(final Throwable cause)
        {
            final Runnable stop = stopOnDriverLoss;
            if (null != stop)
            {
                try
                {
                    stop.run();
                }
                catch (final RuntimeException ex)
                {
                    errorHandler.onError(ex);
                }
            }
            if (null != driverLossHandler)
            {
                driverLossHandler.onDriverLoss(aeronDirectoryName, cause);
            }
        }

        /**
         * Called when an agent thread of the layer (Gateway, Replicant, Scribe) dies of an uncaught {@link Error}.
         * Default {@link io.orrery.core.status.AgentDeath#EXIT_PROCESS}: one line on standard error, then the JVM
         * halts with {@link io.orrery.core.status.AgentDeath#EXIT_CODE}, so a supervisor restarts the process instead
         * of watching a zombie. Null leaves the thread factory's own handling. Not used in
         * {@link ThreadingMode#INVOKER}, where the error reaches the caller of {@code doWork()}.
         */
        public io.orrery.core.status.AgentDeath.Handler agentDeathHandler()
        {
            return agentDeathHandler;
        }

        public Context agentDeathHandler(final io.orrery.core.status.AgentDeath.Handler agentDeathHandler)
        {
            this.agentDeathHandler = agentDeathHandler;
            return this;
        }

        public Context tokenSecret(final byte[] tokenSecret)
        {
            this.tokenSecret = tokenSecret;
            return this;
        }

        public long heartbeatIntervalNs()
        {
            return heartbeatIntervalNs;
        }

        public Context heartbeatIntervalNs(final long heartbeatIntervalNs)
        {
            this.heartbeatIntervalNs = heartbeatIntervalNs;
            return this;
        }

        public long sessionTimeoutNs()
        {
            return sessionTimeoutNs;
        }

        public Context sessionTimeoutNs(final long sessionTimeoutNs)
        {
            this.sessionTimeoutNs = sessionTimeoutNs;
            return this;
        }

        /**
         * Longest park of the default idle strategies ({@link LayerIdleStrategy}: the layer's agents, the embedded
         * media driver's shared thread and its async executor) while the layer has client sessions: spin 10 times,
         * yield 20 times, then park from 1 µs doubling up to this. Default {@value #IDLE_MAX_PARK_US_DEFAULT} µs
         * ({@value #IDLE_MAX_PARK_US_PROP}); an explicit {@link #idleStrategy(org.agrona.concurrent.IdleStrategy)}
         * wins for the agents.
         */
        public long idleMaxParkNs()
        {
            return idleMaxParkNs;
        }

        public Context idleMaxParkNs(final long idleMaxParkNs)
        {
            this.idleMaxParkNs = idleMaxParkNs;
            return this;
        }

        /**
         * Park of the default idle strategies while the layer has no client session (nobody waits for low latency;
         * a hello waits at most this long). Default {@value #IDLE_QUIET_PARK_US_DEFAULT} µs
         * ({@value #IDLE_QUIET_PARK_US_PROP}).
         */
        public long idleQuietParkNs()
        {
            return idleQuietParkNs;
        }

        public Context idleQuietParkNs(final long idleQuietParkNs)
        {
            this.idleQuietParkNs = idleQuietParkNs;
            return this;
        }

        /**
         * Whether the layer has client sessions: the Replicant writes it, the default idle strategies read it.
         */
        public LayerIdleStrategy.Activity activity()
        {
            return activity;
        }

        /**
         * A new default idle strategy for one of the layer's threads (see {@link #idleMaxParkNs()} and
         * {@link #idleQuietParkNs()}).
         *
         * @return a new strategy: one per thread.
         */
        public LayerIdleStrategy newIdleStrategy()
        {
            return new LayerIdleStrategy(activity, idleMaxParkNs, idleQuietParkNs);
        }

        /**
         * With game servers that mark the end of their ticks: the longest the Replicant waits, after the first
         * server of a round ended its tick, for the other live servers before it streams what it has (so a slow or
         * dead server cannot stall clients). Servers on one host tick in phase and end within about a millisecond of
         * each other. Default {@value #SERVER_TICK_WAIT_US_DEFAULT} µs ({@value #SERVER_TICK_WAIT_US_PROP}).
         */
        public long serverTickWaitNs()
        {
            return serverTickWaitNs;
        }

        public Context serverTickWaitNs(final long serverTickWaitNs)
        {
            this.serverTickWaitNs = serverTickWaitNs;
            return this;
        }

        /**
         * A game server whose last tick end is older than this (four of the layer's tick intervals) is no longer
         * waited for; while no server is live the Replicant streams on its own tick timer.
         */
        public long serverTickStaleNs()
        {
            return 4 * (1_000_000_000L / tickRateHz);
        }

        /**
         * How long a client may stay back-pressured before it is disconnected as a slow consumer.
         */
        public long slowConsumerTimeoutNs()
        {
            return slowConsumerTimeoutNs;
        }

        public Context slowConsumerTimeoutNs(final long slowConsumerTimeoutNs)
        {
            this.slowConsumerTimeoutNs = slowConsumerTimeoutNs;
            return this;
        }

        public long publicationConnectTimeoutNs()
        {
            return publicationConnectTimeoutNs;
        }

        public Context publicationConnectTimeoutNs(final long publicationConnectTimeoutNs)
        {
            this.publicationConnectTimeoutNs = publicationConnectTimeoutNs;
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

        public int maxInputRateHz()
        {
            return maxInputRateHz;
        }

        public Context maxInputRateHz(final int maxInputRateHz)
        {
            this.maxInputRateHz = maxInputRateHz;
            return this;
        }

        public int bandwidthBytesPerTick()
        {
            return bandwidthBytesPerTick;
        }

        public Context bandwidthBytesPerTick(final int bandwidthBytesPerTick)
        {
            this.bandwidthBytesPerTick = bandwidthBytesPerTick;
            return this;
        }

        public int maxEntities()
        {
            return maxEntities;
        }

        public Context maxEntities(final int maxEntities)
        {
            this.maxEntities = maxEntities;
            return this;
        }

        public int maxStateBytes()
        {
            return maxStateBytes;
        }

        public Context maxStateBytes(final int maxStateBytes)
        {
            this.maxStateBytes = maxStateBytes;
            return this;
        }

        public int maxViewEntities()
        {
            return maxViewEntities;
        }

        public Context maxViewEntities(final int maxViewEntities)
        {
            this.maxViewEntities = maxViewEntities;
            return this;
        }

        public double bubbleRadiusM()
        {
            return bubbleRadiusM;
        }

        public Context bubbleRadiusM(final double bubbleRadiusM)
        {
            this.bubbleRadiusM = bubbleRadiusM;
            return this;
        }

        /**
         * An entity of radius r is visible within {@code bubbleRadiusM + sizeFactor * r}.
         */
        public double sizeFactor()
        {
            return sizeFactor;
        }

        public Context sizeFactor(final double sizeFactor)
        {
            this.sizeFactor = sizeFactor;
            return this;
        }

        public double hysteresis()
        {
            return hysteresis;
        }

        public Context hysteresis(final double hysteresis)
        {
            this.hysteresis = hysteresis;
            return this;
        }

        public boolean compactUpdates()
        {
            return compactUpdates;
        }

        /**
         * @param compactUpdates see {@link #COMPACT_UPDATES_PROP}.
         */
        public Context compactUpdates(final boolean compactUpdates)
        {
            this.compactUpdates = compactUpdates;
            return this;
        }

        public double nearTierFraction()
        {
            return nearTierFraction;
        }

        /**
         * @param nearTierFraction see {@link #NEAR_TIER_FRACTION_PROP}.
         */
        public Context nearTierFraction(final double nearTierFraction)
        {
            this.nearTierFraction = nearTierFraction;
            return this;
        }

        public double farTierFraction()
        {
            return farTierFraction;
        }

        public Context farTierFraction(final double farTierFraction)
        {
            this.farTierFraction = farTierFraction;
            return this;
        }

        public int midTierPeriod()
        {
            return midTierPeriod;
        }

        public Context midTierPeriod(final int midTierPeriod)
        {
            this.midTierPeriod = midTierPeriod;
            return this;
        }

        public int farTierPeriod()
        {
            return farTierPeriod;
        }

        public Context farTierPeriod(final int farTierPeriod)
        {
            this.farTierPeriod = farTierPeriod;
            return this;
        }

        public int interestWorkers()
        {
            return interestWorkers;
        }

        /**
         * @param interestWorkers see {@link #INTEREST_WORKERS_PROP}; {@code 1 <= interestWorkers <=}
         *                        {@link InterestConfig#MAX_WORKERS}.
         */
        public Context interestWorkers(final int interestWorkers)
        {
            this.interestWorkers = interestWorkers;
            return this;
        }

        /**
         * Channel game servers publish to (their server link's ingress).
         */
        public String serverIngressChannel()
        {
            return serverIngressChannel;
        }

        public Context serverIngressChannel(final String serverIngressChannel)
        {
            this.serverIngressChannel = serverIngressChannel;
            return this;
        }

        public int serverIngressStreamId()
        {
            return serverIngressStreamId;
        }

        public Context serverIngressStreamId(final int serverIngressStreamId)
        {
            this.serverIngressStreamId = serverIngressStreamId;
            return this;
        }

        /**
         * Static meshing: the shard configuration (from {@code orrery.shard.config} if not set). When set and no
         * {@link #authority()} is given, the authority is an {@code io.orrery.core.atlas.MeshAuthority}.
         */
        public io.orrery.core.atlas.ShardConfig shardConfig()
        {
            return shardConfig;
        }

        public Context shardConfig(final io.orrery.core.atlas.ShardConfig shardConfig)
        {
            this.shardConfig = shardConfig;
            return this;
        }

        public io.orrery.core.persistence.PersistenceAdapter persistenceAdapter()
        {
            return persistenceAdapter;
        }

        /**
         * Make the shard persistent: on launch the world is restored from the adapter's EntityGraph, then Scribe runs
         * (on its own thread, or stepped by the Replicant: {@link #scribeThreadingMode()}) writing the world behind
         * and running stows and unstows. The adapter is the caller's: it
         * is neither opened nor closed by the layer (close it after the layer). Default: none (nothing persisted,
         * inventory requests answered {@code storeUnavailable}).
         */
        public Context persistenceAdapter(final io.orrery.core.persistence.PersistenceAdapter persistenceAdapter)
        {
            this.persistenceAdapter = persistenceAdapter;
            return this;
        }

        public long persistenceFlushIntervalNs()
        {
            return persistenceFlushIntervalNs;
        }

        /**
         * @param persistenceFlushIntervalNs world write-behind interval (see
         *                                   {@link #PERSISTENCE_FLUSH_INTERVAL_MS_PROP}); also Scribe's.
         */
        public Context persistenceFlushIntervalNs(final long persistenceFlushIntervalNs)
        {
            this.persistenceFlushIntervalNs = persistenceFlushIntervalNs;
            return this;
        }

        public int scribeRingSize()
        {
            return scribeRingSize;
        }

        public Context scribeRingSize(final int scribeRingSize)
        {
            this.scribeRingSize = scribeRingSize;
            return this;
        }

        /**
         * @return how Scribe's consumer runs: the layer's {@link #threadingMode()} unless set. In
         * {@link ThreadingMode#INVOKER} the Replicant steps it in its duty cycle (so a persistent shard is stepped
         * deterministically by {@link ReplicationLayer#doWork()}); otherwise it has a thread of its own.
         */
        public ThreadingMode scribeThreadingMode()
        {
            return null != scribeThreadingMode ? scribeThreadingMode : threadingMode;
        }

        /**
         * @param scribeThreadingMode how Scribe's consumer runs, or null (the default) to follow
         *                            {@link #threadingMode()}; e.g. {@link ThreadingMode#SHARED} keeps Scribe on its
         *                            own thread under an INVOKER layer.
         */
        public Context scribeThreadingMode(final ThreadingMode scribeThreadingMode)
        {
            this.scribeThreadingMode = scribeThreadingMode;
            return this;
        }

        public boolean ocsEnabled()
        {
            return ocsEnabled;
        }

        /**
         * @param ocsEnabled stream regions with no player near out to the store and back in (persistent shards only;
         *                   see {@link #OCS_ENABLED_PROP}). With OCS the world is not loaded whole at launch: cells are
         *                   loaded as players join and approach them.
         */
        public Context ocsEnabled(final boolean ocsEnabled)
        {
            this.ocsEnabled = ocsEnabled;
            return this;
        }

        public double ocsCellSizeM()
        {
            return ocsCellSizeM;
        }

        public Context ocsCellSizeM(final double ocsCellSizeM)
        {
            this.ocsCellSizeM = ocsCellSizeM;
            return this;
        }

        public double ocsStreamInMarginM()
        {
            return ocsStreamInMarginM;
        }

        /**
         * @param ocsStreamInMarginM see {@link #OCS_STREAM_IN_MARGIN_M_PROP}; 0 for the default.
         */
        public Context ocsStreamInMarginM(final double ocsStreamInMarginM)
        {
            this.ocsStreamInMarginM = ocsStreamInMarginM;
            return this;
        }

        public double ocsStreamOutMarginM()
        {
            return ocsStreamOutMarginM;
        }

        /**
         * @param ocsStreamOutMarginM see {@link #OCS_STREAM_OUT_MARGIN_M_PROP}; 0 for the default.
         */
        public Context ocsStreamOutMarginM(final double ocsStreamOutMarginM)
        {
            this.ocsStreamOutMarginM = ocsStreamOutMarginM;
            return this;
        }

        public long ocsStreamOutDelayNs()
        {
            return ocsStreamOutDelayNs;
        }

        public Context ocsStreamOutDelayNs(final long ocsStreamOutDelayNs)
        {
            this.ocsStreamOutDelayNs = ocsStreamOutDelayNs;
            return this;
        }

        public long ocsCheckIntervalNs()
        {
            return ocsCheckIntervalNs;
        }

        public Context ocsCheckIntervalNs(final long ocsCheckIntervalNs)
        {
            this.ocsCheckIntervalNs = ocsCheckIntervalNs;
            return this;
        }

        public int ocsMaxCells()
        {
            return ocsMaxCells;
        }

        public Context ocsMaxCells(final int ocsMaxCells)
        {
            this.ocsMaxCells = ocsMaxCells;
            return this;
        }

        public int interRoleRingCapacity()
        {
            return interRoleRingCapacity;
        }

        public Context interRoleRingCapacity(final int interRoleRingCapacity)
        {
            this.interRoleRingCapacity = interRoleRingCapacity;
            return this;
        }

        public org.agrona.concurrent.IdleStrategy idleStrategy()
        {
            return idleStrategy;
        }

        public Context idleStrategy(final org.agrona.concurrent.IdleStrategy idleStrategy)
        {
            this.idleStrategy = idleStrategy;
            return this;
        }

        public java.util.concurrent.ThreadFactory threadFactory()
        {
            return threadFactory;
        }

        public Context threadFactory(final java.util.concurrent.ThreadFactory threadFactory)
        {
            this.threadFactory = threadFactory;
            return this;
        }

        public org.agrona.concurrent.NanoClock nanoClock()
        {
            return nanoClock;
        }

        public Context nanoClock(final org.agrona.concurrent.NanoClock nanoClock)
        {
            this.nanoClock = nanoClock;
            return this;
        }

        /**
         * Wall clock for token expiry.
         */
        public org.agrona.concurrent.EpochClock epochClock()
        {
            return epochClock;
        }

        public Context epochClock(final org.agrona.concurrent.EpochClock epochClock)
        {
            this.epochClock = epochClock;
            return this;
        }

        public ErrorHandler errorHandler()
        {
            return errorHandler;
        }

        public Context errorHandler(final ErrorHandler errorHandler)
        {
            this.errorHandler = errorHandler;
            return this;
        }

        /**
         * Who writes entity state until game servers join: defaults to a {@code ScriptedAuthority}.
         */
        public io.orrery.core.authority.Authority authority()
        {
            return authority;
        }

        public Context authority(final io.orrery.core.authority.Authority authority)
        {
            this.authority = authority;
            return this;
        }
    }
}
