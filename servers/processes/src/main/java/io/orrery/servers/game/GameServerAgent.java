/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers.game;

import io.orrery.core.server.EntitySnapshot;
import io.orrery.core.server.ForwardedInput;
import io.orrery.core.server.ServerLink;
import io.orrery.core.server.ServerListener;
import io.orrery.wire.codec.DespawnReason;
import io.orrery.wire.codec.RejectReason;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;
import org.agrona.CloseHelper;
import org.agrona.collections.LongArrayList;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A headless game server's duty cycle: it owns a {@link ServerLink} (joins the shard, receives territories, entities,
 * input and views) and a {@link GameWorld} (the simulation), and runs the world at a fixed rate from a deadline: each
 * {@link #doWork()} polls the link and, once the next tick is due on the clock, runs one tick, publishes the changed
 * entities as one state batch (every entry with its entity's authority epoch), marks the tick's state complete ({@link
 * ServerLink#endTick}, so the layer streams it at once) and schedules the next tick one period after the previous
 * deadline (on the clock's grid of whole periods, {@link Settings#alignTicks}). It never sleeps; the runner's idle
 * strategy waits between deadlines. A server more than {@code maxLagTicks} behind skips ahead and counts the skipped
 * ticks.
 * <p>
 * Time dilation ({@link TimeDilationController}): the tick grid stays real time, but a tick slot runs the
 * simulation only when the dilation credit allows ({@code factor / 1000} of the slots); the other slots only mark the
 * end of a tick for the layer ({@link ServerLink#endTick}), so the layer's streaming rounds never wait for this
 * server. The game clock (NPC lifetimes) advances by {@code factor / 1000} of the real time between slots. At every
 * load report the controller decides the factor from the median duration of the simulated ticks, unless the
 * operator forced one ({@link Settings#timeDilation()}, {@link #forceTimeDilation(int)}); the report carries it to
 * the layer, which tells the clients whose entity this server simulates.
 * <p>
 * Every {@code loadReportIntervalNs} it reports load through the link (the link repeats the figures in its
 * heartbeats): tick time p50 and max of the interval from an HdrHistogram, entity and player counts, and the CPU load
 * of this thread over the interval (thread CPU time / wall time). Publishing failures (back-pressure) make the next
 * tick publish every entity's full state.
 * <p>
 * Handoff: on {@link #onHandoffRelease} the world applies the entity's pending input and the final state goes back
 * through {@link ServerLink#releaseEntity}; if the link is back-pressured the entity is held (not simulated, not
 * published) and the release retried each duty cycle.
 * <p>
 * Layer loss: when the link loses its layer ({@link #onLayerLost}) the server is {@link #STATE_PAUSED}: no tick
 * runs, so its world neither advances nor diverges from what the layer last took, while the link rejoins with
 * backoff. Welcomed again within {@link Settings#layerGraceNs(long)}, it drops its whole world (the layer is the
 * source of truth: a restarted layer restored its world from the store and streams the entities of the territories
 * it grants afresh) and runs again; otherwise it ends {@link #STATE_DISCONNECTED} (the process exits 69).
 * <p>
 * Threading: an {@link Agent}; {@code doWork()} and every {@link ServerListener} / {@link WorldListener} callback run
 * on the agent's thread. {@link #status(int)} may be read from any thread; the other accessors only on the agent's
 * thread or after it stopped. Zero allocation in steady state.
 */
public final class GameServerAgent implements Agent, ServerListener, WorldListener
{
    public static final int STATUS_STATE = 0;
    public static final int STATUS_TICKS = 1;
    public static final int STATUS_ENTITIES = 2;
    public static final int STATUS_PLAYERS = 3;
    public static final int STATUS_INPUTS_APPLIED = 4;
    public static final int STATUS_INPUTS_REJECTED_SPEED = 5;
    public static final int STATUS_HANDOFFS_IN = 6;
    public static final int STATUS_HANDOFFS_OUT = 7;
    public static final int STATUS_NPCS_SPAWNED = 8;
    public static final int STATUS_NPCS_DESTROYED = 9;
    public static final int STATUS_TICK_P50_NS = 10;
    public static final int STATUS_TICK_MAX_NS = 11;
    public static final int STATUS_TICKS_SKIPPED = 12;
    public static final int STATUS_PUBLISH_FAILURES = 13;
    public static final int STATUS_REJECTS_RECEIVED = 14;
    public static final int STATUS_VIEWS = 15;
    /**
     * Time dilation in 1/1000 (1000 = real time), see {@link TimeDilationController}.
     */
    public static final int STATUS_TIME_DILATION_PER_MILLE = 16;
    /**
     * Layers lost so far: a watcher polling {@link #STATUS_STATE} can miss a pause that a quick rejoin ended.
     */
    public static final int STATUS_LAYER_LOSSES = 17;
    /**
     * Why the layer was last lost: a {@code ServerLink.REASON_*} ({@link ServerLink#reasonText(int)}), written before
     * {@link #STATUS_LAYER_LOSSES} grows.
     */
    public static final int STATUS_LAYER_LOSS_REASON = 18;
    private static final int STATUS_SLOTS = 19;
    private static final int NO_FORCE_REQUEST = Integer.MIN_VALUE;

    public static final int STATE_CONNECTING = 0;
    public static final int STATE_RUNNING = 1;
    public static final int STATE_REJECTED = 2;
    public static final int STATE_DISCONNECTED = 3;
    /**
     * Closed by its embedder after it ran: a clean stop.
     */
    public static final int STATE_STOPPED = 4;
    /**
     * The layer was lost: not simulating, the link rejoining, until welcomed again or the grace period expires.
     */
    public static final int STATE_PAUSED = 5;

    public static final long MAX_TICK_NS = TimeUnit.SECONDS.toNanos(10);

    /**
     * Settings of the agent (the simulation's own are in {@link WorldSettings}).
     */
    public static final class Settings
    {
        WorldSettings world = new WorldSettings();
        long loadReportIntervalNs = TimeUnit.SECONDS.toNanos(1);
        int maxLagTicks = 5;
        long layerGraceNs = TimeUnit.SECONDS.toNanos(10);
        NanoClock clock = SystemNanoClock.INSTANCE;
        boolean alignTicks = true;
        TimeDilationController.Settings timeDilation = new TimeDilationController.Settings();

        /**
         * Time dilation settings: floor, step, load band, or a forced factor (default automatic, floor 10 %).
         */
        public TimeDilationController.Settings timeDilation()
        {
            return timeDilation;
        }

        public Settings timeDilation(final TimeDilationController.Settings timeDilation)
        {
            this.timeDilation = timeDilation;
            return this;
        }

        /**
         * Whether ticks after the first fall on whole multiples of the tick period of the clock (default true). Game
         * servers on one host share the monotonic clock, so with the same tick rate they tick in phase: their
         * {@code ServerTickEnd}s reach the Replication Layer together and it streams once per tick without waiting
         * for a server out of phase. Servers on other hosts are aligned to their own clocks only.
         */
        public Settings alignTicks(final boolean alignTicks)
        {
            this.alignTicks = alignTicks;
            return this;
        }

        /**
         * How long the server stays paused without a layer (rejoining) before it gives up (default 10 s).
         */
        public Settings layerGraceNs(final long layerGraceNs)
        {
            this.layerGraceNs = layerGraceNs;
            return this;
        }

        public WorldSettings world()
        {
            return world;
        }

        public Settings world(final WorldSettings world)
        {
            this.world = world;
            return this;
        }

        public Settings loadReportIntervalNs(final long loadReportIntervalNs)
        {
            this.loadReportIntervalNs = loadReportIntervalNs;
            return this;
        }

        /**
         * Ticks the server may fall behind its schedule before it skips ahead.
         */
        public Settings maxLagTicks(final int maxLagTicks)
        {
            this.maxLagTicks = maxLagTicks;
            return this;
        }

        /**
         * Clock of the tick schedule and lifetimes (tests use a controlled one); tick durations are always measured
         * with the system clock.
         */
        public Settings clock(final NanoClock clock)
        {
            this.clock = clock;
            return this;
        }
    }

    private final Settings settings;
    private final NanoClock clock;
    private final GameWorld world;
    private final ServerLink link;
    private final long tickPeriodNs;
    private final EntitySnapshot snapshot;
    private final LongArrayList heldReleases = new LongArrayList(64, 0);
    private final LongArrayList heldEpochs = new LongArrayList(64, 0);
    private final Histogram intervalTicks = new Histogram(MAX_TICK_NS, 3);
    private final Histogram runTicks = new Histogram(MAX_TICK_NS, 3);
    private final SingleWriterRecorder tickDurations = new SingleWriterRecorder(MAX_TICK_NS, 2);
    private final AtomicLongArray status = new AtomicLongArray(STATUS_SLOTS);
    private final ThreadMXBean threadBean = ManagementFactory.getThreadMXBean();
    private final boolean cpuTimeSupported;
    private final TimeDilationController dilation;
    private volatile int forceRequest = NO_FORCE_REQUEST;

    private int state = STATE_CONNECTING;
    private int rejectReason = -1;
    private String rejectText;
    private int disconnectReason;
    private boolean resyncNext;
    private long nextTickNs;
    private long nextReportNs;
    private long reportStartNs;
    private long reportStartCpuNs;
    private long ticksSkipped;
    private long publishFailures;
    private long releaseRetries;
    private long handoffsIn;
    private long handoffsOut;
    private long rejectsReceived;
    private long rejectsOfPastEpochs;
    private long staleOrUnauthorisedRejects;
    private long welcomes;
    private long layerLosses;
    private long pausedSinceNs;
    private long longestPauseNs;
    private boolean gameClockStarted;
    private long gameTimeNs;
    private long lastSlotNs;
    private int dilationCredit;
    private long slotsDilated;

    /**
     * Launch the server link with this agent as its listener.
     *
     * @param settings the agent's settings.
     * @param linkCtx  the link's settings; its listener is replaced by this agent.
     */
    public GameServerAgent(final Settings settings, final ServerLink.Context linkCtx)
    {
        this.settings = settings;
        this.clock = settings.clock;
        world = new GameWorld(settings.world, this);
        tickPeriodNs = TimeUnit.SECONDS.toNanos(1) / settings.world.tickRateHz();
        dilation = new TimeDilationController(settings.timeDilation, tickPeriodNs);
        status.lazySet(STATUS_TIME_DILATION_PER_MILLE, dilation.factorPerMille());
        snapshot = new EntitySnapshot(1);
        cpuTimeSupported = threadBean.isCurrentThreadCpuTimeSupported();
        link = ServerLink.launch(linkCtx.listener(this).tickRateHz(settings.world.tickRateHz()));
    }

    @Override
    public String roleName()
    {
        return "orrery-game-server-" + link.serverId();
    }

    @Override
    public void onStart()
    {
        reportStartCpuNs = cpuTimeNs();
    }

    @Override
    public int doWork()
    {
        int work = link.doWork();
        if (STATE_RUNNING != state)
        {
            if (STATE_PAUSED == state && clock.nanoTime() - pausedSinceNs > settings.layerGraceNs)
            {
                giveUpOnLayer();
                work++;
            }
            return work;
        }
        final long nowNs = clock.nanoTime();
        if (NO_FORCE_REQUEST != forceRequest)
        {
            applyForceRequest();
        }
        if (!heldReleases.isEmpty())
        {
            work += retryReleases();
        }
        if (nowNs - nextTickNs >= 0)
        {
            work += runSlot(nowNs);
            nextTickNs = settings.alignTicks ? alignedAfter(nextTickNs) : nextTickNs + tickPeriodNs;
            if (nowNs - nextTickNs >= settings.maxLagTicks * tickPeriodNs)
            {
                ticksSkipped += (nowNs - nextTickNs) / tickPeriodNs;
                nextTickNs = settings.alignTicks ? alignedAfter(nowNs) : nowNs + tickPeriodNs;
            }
        }
        if (nowNs - nextReportNs >= 0)
        {
            reportLoad(nowNs);
        }
        return work;
    }

    @Override
    public void onClose()
    {
        if (STATE_RUNNING == state || STATE_PAUSED == state)
        {
            state = STATE_STOPPED;
        }
        updateStatus();
        CloseHelper.quietClose(link);
    }

    private void giveUpOnLayer()
    {
        final int reason = link.disconnectReason();
        state = STATE_DISCONNECTED;
        CloseHelper.quietClose(link);
        disconnectReason = reason;
        world.clear();
        status.lazySet(STATUS_STATE, state);
    }

    /**
     * One slot of the real-time tick grid: advance the game clock by the dilated real time since the last slot, then
     * simulate a tick if the dilation credit allows, or only mark the tick's end for the layer.
     */
    private int runSlot(final long nowNs)
    {
        final int factor = dilation.factorPerMille();
        gameTimeNs += (nowNs - lastSlotNs) * factor / TimeDilationController.REAL_TIME;
        lastSlotNs = nowNs;
        dilationCredit += factor;
        if (dilationCredit >= TimeDilationController.REAL_TIME)
        {
            dilationCredit -= TimeDilationController.REAL_TIME;
            return runTick(nowNs);
        }
        slotsDilated++;
        if (ServerLink.OK != link.endTick(world.ticks()))
        {
            onPublishFailure();
        }
        return 1;
    }

    private void applyForceRequest()
    {
        final int request = forceRequest;
        forceRequest = NO_FORCE_REQUEST;
        dilation.force(request);
        status.lazySet(STATUS_TIME_DILATION_PER_MILLE, dilation.factorPerMille());
    }

    private int runTick(final long nowNs)
    {
        final long startNs = System.nanoTime();
        int work = world.tick(nowNs, gameTimeNs);
        if (resyncNext)
        {
            resyncNext = false;
            world.markAllChanged();
        }
        final int begun = link.beginStateBatch(world.ticks(), nowNs);
        if (ServerLink.OK == begun)
        {
            work += world.publish();
            if (ServerLink.OK != link.endTick(world.ticks())) // commits the batch, then marks the tick complete
            {
                onPublishFailure();
            }
        }
        else
        {
            onPublishFailure();
        }
        final long tookNs = System.nanoTime() - startNs;
        final long recorded = Math.min(Math.max(tookNs, 1), MAX_TICK_NS);
        intervalTicks.recordValue(recorded);
        runTicks.recordValue(recorded);
        tickDurations.recordValue(recorded);
        return work + 1;
    }

    /**
     * @return the first tick deadline after {@code timeNs} on the grid of whole tick periods of the clock.
     */
    private long alignedAfter(final long timeNs)
    {
        return timeNs - Math.floorMod(timeNs, tickPeriodNs) + tickPeriodNs;
    }

    private void onPublishFailure()
    {
        publishFailures++;
        resyncNext = true;
    }

    private void reportLoad(final long nowNs)
    {
        final long cpuNs = cpuTimeNs();
        final long wallNs = nowNs - reportStartNs;
        final float cpuLoad = wallNs > 0 && cpuNs >= 0 && reportStartCpuNs >= 0 ?
            (float)Math.min(1.0, (double)(cpuNs - reportStartCpuNs) / wallNs) : 0f;
        final long simulatedTicks = intervalTicks.getTotalCount();
        final long p50Ns = simulatedTicks > 0 ? intervalTicks.getValueAtPercentile(50) : 0;
        final long maxNs = simulatedTicks > 0 ? intervalTicks.getMaxValue() : 0;
        final int factor = dilation.onWindow(p50Ns, simulatedTicks);
        link.reportLoad(world.ticks(), world.entityCount(), world.playerCount(), p50Ns, maxNs, cpuLoad, factor);
        status.lazySet(STATUS_TIME_DILATION_PER_MILLE, factor);
        status.lazySet(STATUS_TICK_P50_NS, p50Ns);
        status.lazySet(STATUS_TICK_MAX_NS, maxNs);
        intervalTicks.reset();
        reportStartNs = nowNs;
        reportStartCpuNs = cpuNs;
        nextReportNs = nowNs + settings.loadReportIntervalNs;
        updateStatus();
    }

    private long cpuTimeNs()
    {
        return cpuTimeSupported ? threadBean.getCurrentThreadCpuTime() : -1;
    }

    private void updateStatus()
    {
        status.lazySet(STATUS_STATE, state);
        status.lazySet(STATUS_TICKS, world.ticks());
        status.lazySet(STATUS_ENTITIES, world.entityCount());
        status.lazySet(STATUS_PLAYERS, world.playerCount());
        status.lazySet(STATUS_INPUTS_APPLIED, world.inputsApplied());
        status.lazySet(STATUS_INPUTS_REJECTED_SPEED, world.inputsRejectedSpeed());
        status.lazySet(STATUS_HANDOFFS_IN, handoffsIn);
        status.lazySet(STATUS_HANDOFFS_OUT, handoffsOut);
        status.lazySet(STATUS_NPCS_SPAWNED, world.npcsSpawned());
        status.lazySet(STATUS_NPCS_DESTROYED, world.npcsDestroyed());
        status.lazySet(STATUS_TICKS_SKIPPED, ticksSkipped);
        status.lazySet(STATUS_PUBLISH_FAILURES, publishFailures);
        status.lazySet(STATUS_REJECTS_RECEIVED, rejectsReceived);
        status.lazySet(STATUS_VIEWS, world.views().size());
    }

    // ------------------------------------------------------------------------------------------- WorldListener

    @Override
    public boolean onEntitySpawned(final EntityTable entities, final int slot)
    {
        entities.copyTo(slot, snapshot);
        return ServerLink.OK == link.createEntity(snapshot, false);
    }

    @Override
    public boolean onEntityDestroyed(final long entityId, final long epoch)
    {
        return ServerLink.OK == link.destroyEntity(entityId, epoch);
    }

    @Override
    public boolean onEntityState(final EntityTable entities, final int slot)
    {
        final int result = link.appendState(entities.copyTo(slot, snapshot), entities.changedMask(slot));
        if (ServerLink.OK != result)
        {
            onPublishFailure();
            return false;
        }
        return true;
    }

    // ------------------------------------------------------------------------------------------ ServerListener

    @Override
    public void onWelcome(final ServerLink link, final long serverSessionId, final long entityIdBase,
        final long entityIdCount)
    {
        final long nowNs = clock.nanoTime();
        if (welcomes++ > 0)
        {
            // a new session: whatever this server held belongs to the old one; the layer streams the truth in
            world.clear();
            heldReleases.clear();
            heldEpochs.clear();
            resyncNext = false;
            if (STATE_PAUSED == state)
            {
                longestPauseNs = Math.max(longestPauseNs, nowNs - pausedSinceNs);
            }
        }
        world.idBlock(entityIdBase, entityIdCount);
        state = STATE_RUNNING;
        if (!gameClockStarted)
        {
            gameClockStarted = true;
            gameTimeNs = nowNs; // game time starts as real time and falls behind it only while dilated
        }
        lastSlotNs = nowNs;
        nextTickNs = nowNs;
        reportStartNs = nowNs;
        nextReportNs = nowNs;
        status.lazySet(STATUS_STATE, state);
    }

    @Override
    public void onLayerLost(final ServerLink link, final int reason)
    {
        layerLosses++;
        status.lazySet(STATUS_LAYER_LOSS_REASON, reason);
        status.lazySet(STATUS_LAYER_LOSSES, layerLosses);
        disconnectReason = reason;
        if (STATE_RUNNING == state)
        {
            state = STATE_PAUSED;
            pausedSinceNs = clock.nanoTime();
            heldReleases.clear();
            heldEpochs.clear();
            status.lazySet(STATUS_STATE, state);
        }
    }

    @Override
    public void onRejected(final ServerLink link, final int reason, final String text)
    {
        state = STATE_REJECTED;
        rejectReason = reason;
        rejectText = text;
        status.lazySet(STATUS_STATE, state);
    }

    @Override
    public void onTerritoryGranted(final ServerLink link, final int territoryId, final long epoch,
        final long rootZoneId, final long minXMm, final long minYMm, final long minZMm, final long maxXMm,
        final long maxYMm, final long maxZMm)
    {
        world.grantTerritory(territoryId, epoch, rootZoneId, minXMm, minYMm, minZMm, maxXMm, maxYMm, maxZMm,
            clock.nanoTime());
    }

    @Override
    public void onTerritoryRevoked(final ServerLink link, final int territoryId, final long epoch, final int reason)
    {
        world.revokeTerritory(territoryId);
    }

    @Override
    public void onEntityStreamIn(final ServerLink link, final EntitySnapshot entity)
    {
        world.adopt(entity);
        world.onClientViewRemoved(entity.entityId());
    }

    @Override
    public void onEntityRemoved(final ServerLink link, final long entityId, final int reason)
    {
        if (DespawnReason.streamedOut.value() == reason)
        {
            world.forgetStreamedOut(entityId);
        }
        else
        {
            world.forget(entityId);
        }
        world.onClientViewRemoved(entityId);
    }

    @Override
    public void onHandoffCommit(final ServerLink link, final long entityId, final int fromServerId,
        final long newEpoch, final long lastDeliveredInputSequence)
    {
        handoffsIn++;
    }

    @Override
    public void onHandoffRelease(final ServerLink link, final long entityId, final long epoch,
        final int toServerId)
    {
        if (EntityTable.NULL_SLOT == world.entities().slotOf(entityId))
        {
            return;
        }
        if (!release(entityId, epoch))
        {
            world.hold(entityId);
            heldReleases.addLong(entityId);
            heldEpochs.addLong(epoch);
        }
    }

    private boolean release(final long entityId, final long epoch)
    {
        final int slot = world.release(entityId);
        if (EntityTable.NULL_SLOT == slot)
        {
            return true;
        }
        world.entities().copyTo(slot, snapshot).authorityEpoch(epoch);
        if (ServerLink.OK != link.releaseEntity(snapshot))
        {
            return false;
        }
        world.forget(entityId);
        handoffsOut++;
        return true;
    }

    private int retryReleases()
    {
        int released = 0;
        for (int i = heldReleases.size() - 1; i >= 0; i--)
        {
            releaseRetries++;
            if (release(heldReleases.getLong(i), heldEpochs.getLong(i)))
            {
                heldReleases.fastUnorderedRemove(i);
                heldEpochs.fastUnorderedRemove(i);
                released++;
            }
        }
        return released;
    }

    @Override
    public void onForwardedInput(final ServerLink link, final ForwardedInput input)
    {
        world.onPlayerInput(input.entityId(), input.inputSequence(), input.moveX(), input.moveY(), input.moveZ(),
            input.aimYaw(), input.actions());
    }

    @Override
    public void onClientView(final ServerLink link, final EntitySnapshot view, final int ownerServerId,
        final int changedMask)
    {
        world.onClientView(view, ownerServerId, changedMask);
    }

    @Override
    public void onClientViewRemoved(final ServerLink link, final long entityId)
    {
        world.onClientViewRemoved(entityId);
    }

    @Override
    public void onServerReject(final ServerLink link, final int reason, final int rejectedTemplateId,
        final long entityId, final long rejectedEpoch)
    {
        rejectsReceived++;
        if (0 != entityId &&
            (RejectReason.staleEpoch.value() == reason || RejectReason.notAuthority.value() == reason))
        {
            final EntityTable entities = world.entities();
            final int slot = entities.slotOf(entityId);
            if (EntityTable.NULL_SLOT != slot && entities.epoch[slot] > rejectedEpoch)
            {
                // streamed in again at a newer epoch after the refused write left: the reject is about the past
                rejectsOfPastEpochs++;
                return;
            }
            staleOrUnauthorisedRejects++;
            world.forget(entityId);
        }
    }

    @Override
    public void onDisconnected(final ServerLink link, final int reason)
    {
        disconnectReason = reason;
        if (STATE_STOPPED == state)
        {
            return; // our own close: keep the final figures
        }
        state = STATE_DISCONNECTED;
        world.clear();
        heldReleases.clear();
        heldEpochs.clear();
        status.lazySet(STATUS_STATE, state);
    }

    // ------------------------------------------------------------------------------------------------- figures

    /**
     * @param slot one of the {@code STATUS_*} slots; updated at every load report and on close.
     */
    public long status(final int slot)
    {
        return status.get(slot);
    }

    public GameWorld world()
    {
        return world;
    }

    public ServerLink link()
    {
        return link;
    }

    /**
     * @return one of the {@code STATE_*} values.
     */
    public int state()
    {
        return state;
    }

    /**
     * @return the reject reason of the hello, or -1.
     */
    public int rejectReason()
    {
        return rejectReason;
    }

    public String rejectText()
    {
        return rejectText;
    }

    public int disconnectReason()
    {
        return disconnectReason;
    }

    /**
     * Simulation tick durations in nanoseconds, recorded on the agent's thread without allocation; read from any
     * thread with {@code getIntervalHistogram(recycled)} (the metrics endpoint does).
     */
    public SingleWriterRecorder tickDurations()
    {
        return tickDurations;
    }

    /**
     * @return tick durations over the whole run (read after the agent stopped).
     */
    public Histogram tickTimes()
    {
        return runTicks;
    }

    public long ticksSkipped()
    {
        return ticksSkipped;
    }

    /**
     * @return whether the server link's ingress publication has window open
     * (see {@link ServerLink#isIngressWindowOpen()}).
     */
    public boolean isIngressWindowOpen()
    {
        return link.isIngressWindowOpen();
    }

    public long publishFailures()
    {
        return publishFailures;
    }

    public long releaseRetries()
    {
        return releaseRetries;
    }

    /**
     * @return handoffs committed to this server.
     */
    public long handoffsIn()
    {
        return handoffsIn;
    }

    /**
     * @return entities this server released to another in a handoff.
     */
    public long handoffsOut()
    {
        return handoffsOut;
    }

    /**
     * @return how often the link lost its layer.
     */
    public long layerLosses()
    {
        return layerLosses;
    }

    /**
     * @return welcomes after the first (rejoins of a layer).
     */
    public long rejoins()
    {
        return Math.max(0, welcomes - 1);
    }

    /**
     * @return the longest time paused without a layer before a rejoin, in the agent clock's nanoseconds.
     */
    public long longestPauseNs()
    {
        return longestPauseNs;
    }

    /**
     * Force a time dilation factor, or go back to automatic; taken at the agent's next duty cycle. Any thread.
     *
     * @param perMille {@code 1..1000} (1000 = real time) to force that factor, 0 for automatic.
     */
    public void forceTimeDilation(final int perMille)
    {
        forceRequest = Math.max(0, perMille);
    }

    /**
     * @return the time dilation factor in 1/1000 (1000 = real time).
     */
    public int timeDilationPerMille()
    {
        return dilation.factorPerMille();
    }

    /**
     * @return the time dilation controller (its figures: lowered, raised, last load).
     */
    public TimeDilationController timeDilation()
    {
        return dilation;
    }

    /**
     * @return the game clock: real time at the first welcome, then advancing by the dilated real time per tick slot.
     */
    public long gameTimeNs()
    {
        return gameTimeNs;
    }

    /**
     * @return tick slots that did not simulate because of time dilation.
     */
    public long slotsDilated()
    {
        return slotsDilated;
    }

    public long rejectsReceived()
    {
        return rejectsReceived;
    }

    /**
     * @return stale-epoch or not-authority rejects ignored because this server holds the entity at a newer epoch than
     * the refused write carried (it was streamed in again after the write left).
     */
    public long rejectsOfPastEpochs()
    {
        return rejectsOfPastEpochs;
    }

    public long staleOrUnauthorisedRejects()
    {
        return staleOrUnauthorisedRejects;
    }
}
