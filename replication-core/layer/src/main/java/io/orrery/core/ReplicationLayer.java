/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core;

import io.aeron.Aeron;
import io.aeron.Counter;
import io.aeron.driver.MediaDriver;
import io.orrery.core.atlas.AtlasContext;
import io.orrery.core.atlas.MeshAuthority;
import io.orrery.core.atlas.ServerMesh;
import io.orrery.core.auth.Ed25519PlayerTokens;
import io.orrery.core.auth.PlayerTokenKeys;
import io.orrery.core.auth.TokenSecrets;
import io.orrery.core.authority.ScriptedAuthority;
import io.orrery.core.common.LayerIdleStrategy;
import io.orrery.core.common.LayerResources;
import io.orrery.core.common.SessionHandover;
import io.orrery.core.gateway.GatewayAgent;
import io.orrery.core.gateway.GatewayContext;
import io.orrery.core.gateway.ShardSessions;
import io.orrery.core.gateway.link.GatewayLinkAgent;
import io.orrery.core.persistence.Scribe;
import io.orrery.core.persistence.ScribeContext;
import io.orrery.core.replicant.ReplicantAgent;
import io.orrery.core.replicant.ReplicantContext;
import io.orrery.core.replicant.SecondaryReplicantAgent;
import io.orrery.core.replicant.bridge.ReplicantBridge;
import io.orrery.core.replicant.bridge.ReplicantBridgeSettings;
import io.orrery.core.status.LayerMetrics;
import io.orrery.core.status.OrreryCounter;
import io.orrery.link.DriverLoss;
import org.HdrHistogram.SingleWriterRecorder;
import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

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
public final class ReplicationLayer implements AutoCloseable, LayerMetrics.Source
{
    private final Context ctx;
    private final GatewayAgent gateway;
    private final ReplicantAgent replicant;
    private final SecondaryReplicantAgent[] secondaries;
    private final ReplicantBridge[] bridges;
    private final Agent[] secondaryRoles;
    private final GatewayLinkAgent gatewayLink;
    private final LayerRunners runners;
    private final Counter[] counters;
    private final Counter[][] bridgeCounters;

    private ReplicationLayer(final Context ctx)
    {
        this.ctx = ctx;
        final Aeron aeron = ctx.aeron();
        counters = OrreryCounter.allocate(aeron, ctx.shardName());

        final OneToOneRingBuffer toReplicant = newRing(ctx.interRoleRingCapacity());
        final OneToOneRingBuffer toGateway = newRing(ctx.interRoleRingCapacity());
        final GatewayContext gatewayCtx = ctx.gateway();
        final ReplicantContext replicantCtx = ctx.replicant();
        final OneToOneConcurrentArrayQueue<SessionHandover> handovers =
            new OneToOneConcurrentArrayQueue<>(Math.max(1024, Integer.highestOneBit(gatewayCtx.maxSessions()) << 1));

        // one layer session per player, whichever Gateway serves it: the in-process one and the link share the
        // shard's sessions (capacity and SESSIONS_ACTIVE count both)
        final ShardSessions sessions = new ShardSessions(counters[OrreryCounter.SESSIONS_ACTIVE.id()]);
        gateway = new GatewayAgent(ctx, gatewayCtx, replicantCtx.tickRateHz(), replicantCtx.bandwidthBytesPerTick(),
            counters, toReplicant, toGateway, handovers, sessions);
        replicant = new ReplicantAgent(ctx, replicantCtx, ctx.scribe(), gatewayCtx.maxSessions(),
            gatewayCtx.heartbeatIntervalNs(), counters, toReplicant, toGateway, handovers);
        final int secondaryCount = replicantCtx.replicants() - 1;
        secondaryRoles = new Agent[secondaryCount];
        bridges = new ReplicantBridge[secondaryCount];
        bridgeCounters = new Counter[secondaryCount][];
        secondaries = newSecondaries(ctx, replicantCtx, gatewayCtx.maxSessions(), handovers.capacity());
        gatewayLink = null == gatewayCtx.gatewayLink().channel() ? null : new GatewayLinkAgent(
            ctx, gatewayCtx.gatewayLink(),
            null != gatewayCtx.gatewayLink().linkSecret() ? gatewayCtx.gatewayLink().linkSecret() : ctx.tokenSecret(),
            replicantCtx.tickRateHz(), replicantCtx.bandwidthBytesPerTick(), gatewayCtx.maxSessions(), counters,
            toReplicant, handovers, sessions, (line) -> System.out.println("orrery: " + line));
        // the link writes the Gateway's one-to-one ring and queue: it always runs on the Gateway's thread
        final Agent gatewayRole = null == gatewayLink ? gateway : new CompositeAgent(gateway, gatewayLink);

        ctx.stopOnDriverLoss(this::stopForDriverLoss);
        // asking the authority for an agent of its own takes it off the Replicant's duty cycle: only DEDICATED does
        final Agent authorityAgent = ThreadingMode.DEDICATED == ctx.threadingMode() &&
            null != replicantCtx.authority() ? replicantCtx.authority().ownAgent() : null;
        runners = new LayerRunners(ctx.threadingMode(), ctx.idleStrategy(), ctx.idleStrategySupplier(),
            ctx.errorHandler(), counters[OrreryCounter.ERRORS.id()], gatewayRole, replicant, authorityAgent,
            replicant.interestWorkers(), secondaryRoles);
    }

    /**
     * Several Replicants per shard: the secondaries, each with its state feed ring and session queue from the primary.
     */
    @SuppressWarnings("unchecked")
    private SecondaryReplicantAgent[] newSecondaries(
        final Context ctx, final ReplicantContext replicantCtx, final int maxSessions, final int queueCapacity)
    {
        final int count = replicantCtx.replicants() - 1;
        final ReplicantBridgeSettings bridgeSettings = ctx.replicantBridge();
        if (0 == count)
        {
            if (bridgeSettings.remoteIds().length > 0)
            {
                throw new IllegalArgumentException(ReplicantBridgeSettings.REMOTE_IDS_PROP + " names remote " +
                    "Replicants but the layer runs one Replicant (orrery.replicants=" + replicantCtx.replicants() +
                    "): a remote Replicant is a secondary, set orrery.replicants to 2 or more");
            }
            return new SecondaryReplicantAgent[0];
        }
        for (final int remoteId : bridgeSettings.remoteIds())
        {
            if (remoteId < 1 || remoteId > count)
            {
                throw new IllegalArgumentException(ReplicantBridgeSettings.REMOTE_IDS_PROP + ": " + remoteId +
                    " is not a secondary Replicant's id (1.." + count + ")");
            }
        }
        final SecondaryReplicantAgent[] agents = new SecondaryReplicantAgent[count];
        int local = 0;
        final OneToOneRingBuffer[] feeds = new OneToOneRingBuffer[count];
        final OneToOneConcurrentArrayQueue<SessionHandover>[] queues =
            (OneToOneConcurrentArrayQueue<SessionHandover>[])new OneToOneConcurrentArrayQueue<?>[count];
        for (int i = 0; i < count; i++)
        {
            feeds[i] = newRing(replicantCtx.feedRingBytes());
            queues[i] = new OneToOneConcurrentArrayQueue<>(queueCapacity);
            if (bridgeSettings.isRemote(i + 1))
            {
                // a secondary in its own process (ReplicantServer): the bridge takes its place on ring and queue
                bridges[i] = new ReplicantBridge(i + 1, ctx.aeron(), ctx.nanoClock(), bridgeSettings.channel(),
                    bridgeSettings.streamIdBase() + i + 1,
                    null != bridgeSettings.linkSecret() ? bridgeSettings.linkSecret() : ctx.tokenSecret(),
                    feeds[i], queues[i], (line) -> System.out.println("orrery: " + line));
                bridgeCounters[i] = OrreryCounter.allocatePerReplicant(ctx.aeron(), ctx.shardName(), i + 1);
                bridges[i].counters(counters, bridgeCounters[i]);
                secondaryRoles[i] = bridges[i];
            }
            else
            {
                agents[local] = new SecondaryReplicantAgent(replicantCtx, i + 1, ctx.nanoClock(), maxSessions,
                    counters, feeds[i], queues[i], replicant.stateResidence());
                secondaryRoles[i] = agents[local++];
            }
        }
        replicant.secondaries(feeds, queues);
        for (final ReplicantBridge bridge : bridges)
        {
            if (null != bridge)
            {
                bridge.feedProxy(replicant.feed());
                // a remote Replicant owns nothing until its bridge offers it; a lost one's subtrees are taken over
                replicant.availability().remote(bridge.replicantId());
                bridge.liveness(replicant.availability(), bridgeSettings.takeoverAfterMs() * 1_000_000L,
                    bridgeSettings.returnAfterMs() * 1_000_000L);
                bridge.returnBackoff(bridgeSettings.returnMaxMs() * 1_000_000L,
                    bridgeSettings.returnStableMs() * 1_000_000L);
            }
        }
        return java.util.Arrays.copyOf(agents, local);
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
            layer.runners.start(ctx.threadFactory());
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
        return runners.invoke();
    }

    public Context context()
    {
        return ctx;
    }

    /**
     * Current value of a system counter.
     */
    @Override
    public long counter(final OrreryCounter counter)
    {
        return counters[counter.id()].get();
    }

    @Override
    public int bridgeCount()
    {
        int count = 0;
        for (final Counter[] own : bridgeCounters)
        {
            count += null != own ? 1 : 0;
        }
        return count;
    }

    @Override
    public int bridgeReplicantId(final int index)
    {
        for (int i = 0, n = 0; i < bridgeCounters.length; i++)
        {
            if (null != bridgeCounters[i] && n++ == index)
            {
                return i + 1;
            }
        }
        throw new IndexOutOfBoundsException(index);
    }

    @Override
    public long bridgeCounter(final int index, final OrreryCounter counter)
    {
        return bridgeCounters[bridgeReplicantId(index) - 1][counter.id()].get();
    }

    /**
     * A system counter itself, for tests of this package that play the part of the role that sets it.
     */
    Counter systemCounter(final OrreryCounter counter)
    {
        return counters[counter.id()];
    }

    @Override
    public String shardName()
    {
        return ctx.shardName();
    }

    @Override
    public int serverCount()
    {
        final ServerMesh mesh = mesh();
        return null == mesh ? 0 : mesh.connectionCount();
    }

    @Override
    public int serverId(final int index)
    {
        final ServerMesh mesh = mesh();
        return null == mesh ? 0 : mesh.serverIdAt(index);
    }

    @Override
    public int serverTimeDilationPerMille(final int index)
    {
        final ServerMesh mesh = mesh();
        return null == mesh ? 1000 : mesh.reportedTimeDilation(index);
    }

    private ServerMesh mesh()
    {
        return ctx.replicant().authority() instanceof MeshAuthority meshAuthority ? meshAuthority.mesh() : null;
    }

    /**
     * The Replicant's tick durations in ns, for status (one reader draining interval histograms).
     */
    @Override
    public SingleWriterRecorder tickDurations()
    {
        return replicant.tickDurations();
    }

    @Override
    public org.HdrHistogram.Recorder stateResidence()
    {
        return replicant.stateResidence();
    }

    @Override
    public SingleWriterRecorder inputResidence()
    {
        return replicant.inputResidence();
    }

    /**
     * The Replicant agent, for embedders that need its entity store on its own thread (tests in INVOKER mode).
     */
    public ReplicantAgent replicant()
    {
        return replicant;
    }

    /**
     * The bridges to secondary Replicants in their own processes, by Replicant id - 1 (null for an in-process one).
     */
    public ReplicantBridge[] bridges()
    {
        return bridges.clone();
    }

    /**
     * The secondary Replicants of this process (several Replicants per shard; empty with one; without those that run
     * in their own processes behind a bridge), for tests in INVOKER mode.
     */
    public SecondaryReplicantAgent[] secondaries()
    {
        return secondaries.clone();
    }

    public GatewayAgent gateway()
    {
        return gateway;
    }

    /**
     * @return the link to Gateways in their own processes, or null if the layer has none.
     */
    public GatewayLinkAgent gatewayLink()
    {
        return gatewayLink;
    }

    @Override
    public void close()
    {
        CloseHelper.quietClose(runners);
        CloseHelper.quietClose(replicant::closePersistence);
        for (final Counter[] own : bridgeCounters)
        {
            if (null != own)
            {
                CloseHelper.quietCloseAll(own);
            }
        }
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
        if (null != runners)
        {
            runners.stop();
        }
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
     * Settings of a Replication Layer: the settings the roles share (Aeron client and media driver, clocks, threading,
     * idle strategy, error handling, shard name, token secret, development mode), composed with one context per role,
     * each handed only to its role: {@link #gateway()}, {@link #replicant()}, {@link #atlas()} and {@link #scribe()}
     * (persistence). The roles' setters and getters here are delegates to those contexts, documented there. Every
     * setting has a default, overridable by the system property named in its constant. {@link #conclude()} validates
     * every context and launches what is embedded (media driver, Aeron client) once. The settings of threads, idle
     * strategies, clocks and errors are inherited from {@code LayerThreading}, the role settings from
     * {@code RoleContexts}.
     */
    public static final class Context extends LayerThreading<Context> implements LayerResources
    {
        public static final String SHARD_NAME_PROP = "orrery.shard.name";
        public static final String SHARD_NAME_DEFAULT = "orrery";
        public static final String AERON_DIR_PROP = "orrery.aeron.dir";
        public static final String EMBEDDED_DRIVER_PROP = "orrery.embedded.driver";
        public static final String THREADING_MODE_PROP = "orrery.threading.mode";
        public static final String TOKEN_SECRET_PROP = TokenSecrets.SECRET_PROP;
        /**
         * The public development secret, used only in development mode ({@link #developmentMode(boolean)}); see
         * {@link TokenSecrets} for where a secret comes from otherwise.
         */
        public static final String TOKEN_SECRET_DEFAULT = TokenSecrets.DEVELOPMENT_SECRET;
        public static final String PUBLICATION_CONNECT_TIMEOUT_MS_PROP = "orrery.publication.connect.timeout.ms";
        public static final long PUBLICATION_CONNECT_TIMEOUT_MS_DEFAULT = 5000;
        public static final String IDLE_MAX_PARK_US_PROP = "orrery.idle.max.park.us";
        public static final long IDLE_MAX_PARK_US_DEFAULT = 100;
        public static final String IDLE_QUIET_PARK_US_PROP = "orrery.idle.quiet.park.us";
        public static final long IDLE_QUIET_PARK_US_DEFAULT = 10_000;
        /**
         * Longest park of the embedded media driver's async executor (name resolution and other slow tasks of
         * connection set-up, off the hot path) while active; four quiet parks while quiet.
         */
        static final long ASYNC_EXECUTOR_MAX_PARK_NS = TimeUnit.MILLISECONDS.toNanos(1);
        /**
         * World write-behind interval: how often the Replicant offers changed entities to Scribe, and the longest a
         * change waits in Scribe's batch (the same property as Scribe's own flush interval).
         */
        public static final String PERSISTENCE_FLUSH_INTERVAL_MS_PROP = ScribeContext.FLUSH_INTERVAL_MS_PROP;
        public static final long PERSISTENCE_FLUSH_INTERVAL_MS_DEFAULT = ScribeContext.FLUSH_INTERVAL_MS_DEFAULT;
        /**
         * Events Scribe's ring holds (a power of two; about 1.2 KiB each): Scribe's own property, with a smaller
         * default in a layer.
         */
        public static final String SCRIBE_RING_SIZE_PROP = ScribeContext.RING_SIZE_PROP;
        public static final int SCRIBE_RING_SIZE_DEFAULT = 16 * 1024;
        /**
         * How long the Aeron client waits for the media driver's keepalive before it declares the driver gone
         * (0: Aeron's default, 10 s).
         */
        public static final String DRIVER_TIMEOUT_MS_PROP = "orrery.driver.timeout.ms";
        public static final String INTER_ROLE_RING_CAPACITY_PROP = "orrery.inter.role.ring.capacity";
        public static final int INTER_ROLE_RING_CAPACITY_DEFAULT = 4 * 1024 * 1024;

        // the roles' property names and defaults, also in the role contexts
        public static final String CLIENT_INGRESS_CHANNEL_PROP = GatewayContext.CLIENT_INGRESS_CHANNEL_PROP;
        public static final String CLIENT_INGRESS_CHANNEL_DEFAULT = GatewayContext.CLIENT_INGRESS_CHANNEL_DEFAULT;
        public static final String CLIENT_INGRESS_STREAM_ID_PROP = GatewayContext.CLIENT_INGRESS_STREAM_ID_PROP;
        public static final int CLIENT_INGRESS_STREAM_ID_DEFAULT = GatewayContext.CLIENT_INGRESS_STREAM_ID_DEFAULT;
        public static final String EGRESS_TERM_LENGTH_PROP = GatewayContext.EGRESS_TERM_LENGTH_PROP;
        public static final int EGRESS_TERM_LENGTH_DEFAULT = GatewayContext.EGRESS_TERM_LENGTH_DEFAULT;
        public static final String MAX_SESSIONS_PROP = GatewayContext.MAX_SESSIONS_PROP;
        public static final int MAX_SESSIONS_DEFAULT = GatewayContext.MAX_SESSIONS_DEFAULT;
        public static final String HEARTBEAT_INTERVAL_MS_PROP = GatewayContext.HEARTBEAT_INTERVAL_MS_PROP;
        public static final long HEARTBEAT_INTERVAL_MS_DEFAULT = GatewayContext.HEARTBEAT_INTERVAL_MS_DEFAULT;
        public static final String SESSION_TIMEOUT_MS_PROP = GatewayContext.SESSION_TIMEOUT_MS_PROP;
        public static final long SESSION_TIMEOUT_MS_DEFAULT = GatewayContext.SESSION_TIMEOUT_MS_DEFAULT;
        public static final String MAX_INPUT_RATE_HZ_PROP = GatewayContext.MAX_INPUT_RATE_HZ_PROP;
        public static final int MAX_INPUT_RATE_HZ_DEFAULT = GatewayContext.MAX_INPUT_RATE_HZ_DEFAULT;
        public static final String TICK_RATE_HZ_PROP = ReplicantContext.TICK_RATE_HZ_PROP;
        public static final int TICK_RATE_HZ_DEFAULT = ReplicantContext.TICK_RATE_HZ_DEFAULT;
        public static final String BANDWIDTH_BYTES_PER_TICK_PROP = ReplicantContext.BANDWIDTH_BYTES_PER_TICK_PROP;
        public static final int BANDWIDTH_BYTES_PER_TICK_DEFAULT = ReplicantContext.BANDWIDTH_BYTES_PER_TICK_DEFAULT;
        public static final String MAX_ENTITIES_PROP = ReplicantContext.MAX_ENTITIES_PROP;
        public static final int MAX_ENTITIES_DEFAULT = ReplicantContext.MAX_ENTITIES_DEFAULT;
        public static final String MAX_STATE_BYTES_PROP = ReplicantContext.MAX_STATE_BYTES_PROP;
        public static final int MAX_STATE_BYTES_DEFAULT = ReplicantContext.MAX_STATE_BYTES_DEFAULT;
        public static final String MAX_VIEW_ENTITIES_PROP = ReplicantContext.MAX_VIEW_ENTITIES_PROP;
        public static final int MAX_VIEW_ENTITIES_DEFAULT = ReplicantContext.MAX_VIEW_ENTITIES_DEFAULT;
        public static final String BUBBLE_RADIUS_M_PROP = ReplicantContext.BUBBLE_RADIUS_M_PROP;
        public static final double BUBBLE_RADIUS_M_DEFAULT = ReplicantContext.BUBBLE_RADIUS_M_DEFAULT;
        public static final String SIZE_FACTOR_PROP = ReplicantContext.SIZE_FACTOR_PROP;
        public static final double SIZE_FACTOR_DEFAULT = ReplicantContext.SIZE_FACTOR_DEFAULT;
        public static final String HYSTERESIS_PROP = ReplicantContext.HYSTERESIS_PROP;
        public static final double HYSTERESIS_DEFAULT = ReplicantContext.HYSTERESIS_DEFAULT;
        public static final String COMPACT_UPDATES_PROP = ReplicantContext.COMPACT_UPDATES_PROP;
        public static final boolean COMPACT_UPDATES_DEFAULT = ReplicantContext.COMPACT_UPDATES_DEFAULT;
        public static final String NEAR_TIER_FRACTION_PROP = ReplicantContext.NEAR_TIER_FRACTION_PROP;
        public static final String FAR_TIER_FRACTION_PROP = ReplicantContext.FAR_TIER_FRACTION_PROP;
        public static final String MID_TIER_PERIOD_PROP = ReplicantContext.MID_TIER_PERIOD_PROP;
        public static final String FAR_TIER_PERIOD_PROP = ReplicantContext.FAR_TIER_PERIOD_PROP;
        public static final String INTEREST_WORKERS_PROP = ReplicantContext.INTEREST_WORKERS_PROP;
        public static final int INTEREST_WORKERS_DEFAULT = ReplicantContext.INTEREST_WORKERS_DEFAULT;
        public static final String SLOW_CONSUMER_TIMEOUT_MS_PROP = ReplicantContext.SLOW_CONSUMER_TIMEOUT_MS_PROP;
        public static final long SLOW_CONSUMER_TIMEOUT_MS_DEFAULT = ReplicantContext.SLOW_CONSUMER_TIMEOUT_MS_DEFAULT;
        public static final String OCS_ENABLED_PROP = ReplicantContext.OCS_ENABLED_PROP;
        public static final boolean OCS_ENABLED_DEFAULT = ReplicantContext.OCS_ENABLED_DEFAULT;
        public static final String OCS_CELL_SIZE_M_PROP = ReplicantContext.OCS_CELL_SIZE_M_PROP;
        public static final double OCS_CELL_SIZE_M_DEFAULT = ReplicantContext.OCS_CELL_SIZE_M_DEFAULT;
        public static final String OCS_STREAM_IN_MARGIN_M_PROP = ReplicantContext.OCS_STREAM_IN_MARGIN_M_PROP;
        public static final String OCS_STREAM_OUT_MARGIN_M_PROP = ReplicantContext.OCS_STREAM_OUT_MARGIN_M_PROP;
        public static final String OCS_STREAM_OUT_DELAY_MS_PROP = ReplicantContext.OCS_STREAM_OUT_DELAY_MS_PROP;
        public static final long OCS_STREAM_OUT_DELAY_MS_DEFAULT = ReplicantContext.OCS_STREAM_OUT_DELAY_MS_DEFAULT;
        public static final String OCS_CHECK_INTERVAL_MS_PROP = ReplicantContext.OCS_CHECK_INTERVAL_MS_PROP;
        public static final long OCS_CHECK_INTERVAL_MS_DEFAULT = ReplicantContext.OCS_CHECK_INTERVAL_MS_DEFAULT;
        public static final String OCS_MAX_CELLS_PROP = ReplicantContext.OCS_MAX_CELLS_PROP;
        public static final int OCS_MAX_CELLS_DEFAULT = ReplicantContext.OCS_MAX_CELLS_DEFAULT;
        public static final String SERVER_INGRESS_CHANNEL_PROP = AtlasContext.SERVER_INGRESS_CHANNEL_PROP;
        public static final String SERVER_INGRESS_CHANNEL_DEFAULT = AtlasContext.SERVER_INGRESS_CHANNEL_DEFAULT;
        public static final String SERVER_INGRESS_STREAM_ID_PROP = AtlasContext.SERVER_INGRESS_STREAM_ID_PROP;
        public static final int SERVER_INGRESS_STREAM_ID_DEFAULT = AtlasContext.SERVER_INGRESS_STREAM_ID_DEFAULT;
        public static final String SERVER_EGRESS_TERM_LENGTH_PROP = AtlasContext.SERVER_EGRESS_TERM_LENGTH_PROP;
        public static final int SERVER_EGRESS_TERM_LENGTH_DEFAULT = AtlasContext.SERVER_EGRESS_TERM_LENGTH_DEFAULT;
        public static final String SERVER_VIEWS_ENCODING_PROP = AtlasContext.SERVER_VIEWS_ENCODING_PROP;
        public static final String SHARD_CONFIG_PROP = AtlasContext.SHARD_CONFIG_PROP;
        public static final String SERVER_TICK_WAIT_US_PROP = AtlasContext.SERVER_TICK_WAIT_US_PROP;
        public static final long SERVER_TICK_WAIT_US_DEFAULT = AtlasContext.SERVER_TICK_WAIT_US_DEFAULT;

        private boolean isConcluded;
        private String shardName = System.getProperty(SHARD_NAME_PROP, SHARD_NAME_DEFAULT);
        private String aeronDirectoryName = System.getProperty(AERON_DIR_PROP);
        private boolean launchEmbeddedMediaDriver = Boolean.parseBoolean(
            System.getProperty(EMBEDDED_DRIVER_PROP, "true"));
        private byte[] tokenSecret;
        private final ReplicantBridgeSettings replicantBridge = new ReplicantBridgeSettings();
        private byte[] playerTokenPublicKey = PlayerTokenKeys.publicKeyFromEnvironment();
        private boolean developmentMode = TokenSecrets.developmentModeFromProperty();
        private DriverLoss.Handler driverLossHandler = DriverLoss.EXIT_PROCESS;
        private long driverTimeoutMs = Long.getLong(DRIVER_TIMEOUT_MS_PROP, 0);
        private int streamSessionLimit;
        private volatile Runnable stopOnDriverLoss;
        private long publicationConnectTimeoutNs = TimeUnit.MILLISECONDS.toNanos(
            Long.getLong(PUBLICATION_CONNECT_TIMEOUT_MS_PROP, PUBLICATION_CONNECT_TIMEOUT_MS_DEFAULT));
        private int interRoleRingCapacity = Integer.getInteger(
            INTER_ROLE_RING_CAPACITY_PROP, INTER_ROLE_RING_CAPACITY_DEFAULT);
        private MediaDriver mediaDriver;
        private Aeron aeron;
        private boolean ownsAeron;

        /**
         * Validate every context, fill in defaults and launch the embedded media driver and Aeron client if needed.
         * Idempotent.
         *
         * @return this.
         */
        public Context conclude()
        {
            if (isConcluded)
            {
                return this;
            }
            gateway().conclude();
            replicant().conclude();
            atlas().layerTickIntervalNs(1_000_000_000L / replicant().tickRateHz()).conclude();
            if (null != scribe().adapter())
            {
                scribe().threadingMode(scribeThreadingMode());
                if (null == scribe().idleStrategy())
                {
                    // as the layer's own threads: at most idleMaxParkNs between polls of the ring while clients are
                    // connected (its own default parks up to 1 ms, which a stow or unstow waited out), a long park
                    // while the shard is quiet
                    scribe().idleStrategy(newIdleStrategy());
                }
            }
            tokenSecret = TokenSecrets.resolve(tokenSecret, developmentMode, "replication layer of shard " + shardName);
            if (TokenSecrets.isDevelopmentSecret(tokenSecret))
            {
                System.err.println(TokenSecrets.developmentWarning("the replication layer of shard " + shardName));
            }
            if (null != playerTokenPublicKey)
            {
                Ed25519PlayerTokens.forPublicKey(playerTokenPublicKey);
            }
            concludeThreadsAndClocks();
            if (null == replicant().authority())
            {
                replicant().authority(null != atlas().shardConfig() ? new MeshAuthority(atlas()) :
                    new ScriptedAuthority(new ScriptedAuthority.Settings()));
            }
            if (null == aeron)
            {
                connectAeron();
            }
            isConcluded = true;
            return this;
        }

        private void connectAeron()
        {
            if (launchEmbeddedMediaDriver && null == aeronDirectoryName)
            {
                final int termLength = gateway().egressTermLength();
                mediaDriver = MediaDriver.launchEmbedded(new MediaDriver.Context()
                    .threadingMode(io.aeron.driver.ThreadingMode.SHARED)
                    .sharedIdleStrategy(newIdleStrategy())
                    .asyncExecutorIdleStrategy(new LayerIdleStrategy(
                        activity(), ASYNC_EXECUTOR_MAX_PARK_NS, 4 * idleQuietParkNs()))
                    .ipcTermBufferLength(termLength)
                    .publicationTermBufferLength(termLength)
                    .nakUnicastDelayNs(io.orrery.link.UdpChannels.nakUnicastDelayNs())
                    .streamSessionLimit(0 != streamSessionLimit ? streamSessionLimit :
                        io.orrery.core.ingress.StreamSessionLimits.forEmbeddedDriver(gateway().maxSessions()))
                    .imageLivenessTimeoutNs(io.orrery.core.ingress.StreamSessionLimits.imageLivenessTimeoutNs())
                    .dirDeleteOnStart(true)
                    .dirDeleteOnShutdown(true));
                aeronDirectoryName = mediaDriver.aeronDirectoryName();
            }
            final Aeron.Context aeronCtx = new Aeron.Context()
                .aeronDirectoryName(aeronDirectoryName)
                .errorHandler(DriverLoss.routing(errorHandler(), this::onDriverLoss));
            if (driverTimeoutMs > 0)
            {
                aeronCtx.driverTimeoutMs(driverTimeoutMs);
            }
            aeron = Aeron.connect(aeronCtx);
            ownsAeron = true;
        }

        @Override
        Context self()
        {
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

        @Override
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
        @Override
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

        /**
         * HMAC secret of player and server tokens. Default: {@value TokenSecrets#SECRET_PROP},
         * then the environment variable {@value TokenSecrets#SECRET_ENV}, then, in development
         * mode only, the public development secret; {@link #conclude()} refuses to go on without one and refuses the
         * development secret outside development mode.
         */
        @Override
        public byte[] tokenSecret()
        {
            return tokenSecret;
        }

        /**
         * Secondary Replicants in their own processes ({@code ReplicantServer}) and their bridges' channel.
         */
        public ReplicantBridgeSettings replicantBridge()
        {
            return replicantBridge;
        }

        /**
         * Development mode allows the public development token secret (and says so on standard error at launch).
         * Default: the system property {@value TokenSecrets#DEV_PROP}.
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
         * files are unmapped. Default {@link DriverLoss#EXIT_PROCESS}: one line on standard
         * error, then exit code {@link DriverLoss#EXIT_CODE}.
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

        /**
         * Sessions (images) one UDP stream of the embedded media driver may hold; further SETUPs of that stream are
         * refused by the driver. 0, the default: {@code maxSessions + StreamSessionLimits.MARGIN}, or Aeron's
         * {@code aeron.driver.stream.session.limit} when set (see {@link
         * io.orrery.core.ingress.StreamSessionLimits}). Not used with an external driver: set Aeron's property there.
         *
         * @param streamSessionLimit the limit, or 0 for the default.
         * @return this.
         */
        public Context streamSessionLimit(final int streamSessionLimit)
        {
            if (streamSessionLimit < 0)
            {
                throw new IllegalArgumentException("streamSessionLimit must be >= 0: " + streamSessionLimit);
            }
            this.streamSessionLimit = streamSessionLimit;
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
                    errorHandler().onError(ex);
                }
            }
            if (null != driverLossHandler)
            {
                driverLossHandler.onDriverLoss(aeronDirectoryName, cause);
            }
        }

        public Context tokenSecret(final byte[] tokenSecret)
        {
            this.tokenSecret = tokenSecret;
            return this;
        }

        /**
         * Raw Ed25519 public key of player tokens: set, player tokens are Ed25519 signed by the login service's
         * private key and HMAC player tokens are refused (server tokens and link keys stay HMAC). Default: the system
         * property {@value PlayerTokenKeys#PUBLIC_KEY_PROP}, then the environment variable
         * {@value PlayerTokenKeys#PUBLIC_KEY_ENV} (hex), else none (HMAC player tokens).
         */
        @Override
        public byte[] playerTokenPublicKey()
        {
            return playerTokenPublicKey;
        }

        public Context playerTokenPublicKey(final byte[] playerTokenPublicKey)
        {
            this.playerTokenPublicKey = null == playerTokenPublicKey ? null : playerTokenPublicKey.clone();
            return this;
        }

        @Override
        public long publicationConnectTimeoutNs()
        {
            return publicationConnectTimeoutNs;
        }

        public Context publicationConnectTimeoutNs(final long publicationConnectTimeoutNs)
        {
            this.publicationConnectTimeoutNs = publicationConnectTimeoutNs;
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

    }
}
