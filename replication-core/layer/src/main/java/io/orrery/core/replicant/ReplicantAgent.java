/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant;

import io.aeron.Counter;
import io.orrery.core.authority.Authority;
import io.orrery.core.common.ClientEgress;
import io.orrery.core.common.GatewayRing;
import io.orrery.core.common.LayerIdleStrategy;
import io.orrery.core.common.LayerResources;
import io.orrery.core.common.SessionHandover;
import io.orrery.core.common.SharedClientEgress;
import io.orrery.core.persistence.PersistenceAdapter;
import io.orrery.core.persistence.RemoteScribe;
import io.orrery.core.persistence.Scribe;
import io.orrery.core.persistence.ScribeClient;
import io.orrery.core.persistence.ScribeContext;
import io.orrery.core.status.OrreryCounter;
import io.orrery.wire.codec.DisconnectDecoder;
import io.orrery.wire.codec.DisconnectEncoder;
import io.orrery.wire.codec.DisconnectReason;
import io.orrery.wire.codec.MessageHeaderDecoder;
import io.orrery.wire.codec.MessageHeaderEncoder;
import io.orrery.wire.codec.PlayerInputDecoder;
import io.orrery.wire.codec.RejectDecoder;
import io.orrery.wire.codec.StowRequestDecoder;
import io.orrery.wire.codec.UnstowRequestDecoder;
import org.HdrHistogram.Recorder;
import org.HdrHistogram.SingleWriterRecorder;
import org.agrona.CloseHelper;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import java.util.ArrayList;
import java.util.function.Consumer;

/**
 * The Replicant role: owns the shard's {@link EntityStore} and the {@link InterestEngine}. Each duty cycle it takes
 * over newly welcomed sessions, forwards player input from the Gateway to the {@link Authority}, and at each pass lets
 * the authority write state, then streams each client its bubble (spawns, deltas, despawns) through the {@link
 * ClientEgressProxy}. A pass runs when the authority says the state of its game servers' tick is complete ({@link
 * Authority#tickReadiness}, see {@link TickCompletion}: in the duty cycle the last server's tick end is read, so the
 * layer adds no tick of its own), else at the tick rate (the scripted authority, no servers), with the tick timer kept
 * at twice the interval as a fallback while servers drive the passes. Clients that stay back-pressured past the
 * slow-consumer timeout are disconnected, and the Gateway is told.
 * <p>
 * Threading: single threaded agent; the only writer of the store and the engine. With more than one interest
 * worker, the engine's tick is a fork-join: while it runs, each worker thread writes the egress publications of its
 * own partition of the clients, and this agent waits; between ticks this agent writes them (heartbeats, notices,
 * inventory results). One writer per publication at any time.
 */
public final class ReplicantAgent implements Agent
{
    /**
     * Longest tick duration recorded exactly; longer ones are recorded as this.
     */
    public static final long MAX_RECORDED_TICK_NS = 10_000_000_000L;

    /**
     * Where the Replicants report refusals an operator must see (logged at the first and then at powers of two).
     */
    static final Consumer<String> REFUSAL_LOG = (line) -> System.out.println("orrery: " + line);

    private final ReplicantContext ctx;
    private final long heartbeatIntervalNs;
    private final Counter[] counters;
    private final RingBuffer fromGateway;
    private final RingBuffer toGateway;
    private final OneToOneConcurrentArrayQueue<SessionHandover> handovers;
    private final NanoClock clock;
    private final LayerIdleStrategy.Activity activity;
    private final Authority authority;
    private final EntityStore store;
    private final InterestEngine engine;
    private final Long2ObjectHashMap<ClientEgressProxy.ClientObserver> observerBySession =
        new Long2ObjectHashMap<>();
    private final ArrayList<ClientEgressProxy.ClientObserver> observers = new ArrayList<>();
    private final ClientEgressProxy egress;
    private final ClientEgressProxy[] workerEgresses;
    private final InventoryService inventory;
    private final long tickIntervalNs;
    private final WorldPersistence world;
    private final ScribeClient scribe;
    private final ScribeInventoryBackend inventoryBackend;
    private final RegionStreamer streamer;
    private final PassProfile passProfile;
    private final int budgetBytesPerTick;
    private final CounterDeltas deltas;
    private ReplicantOwnership ownership;
    private ReplicantAvailability availability;
    private long[] availabilityStates;
    private ReplicantFeedProxy feed;
    private SecondarySessions secondarySessions;

    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final PlayerInputDecoder inputDecoder = new PlayerInputDecoder();
    private final DisconnectDecoder disconnectDecoder = new DisconnectDecoder();
    private final RejectDecoder rejectDecoder = new RejectDecoder();
    private final DisconnectEncoder disconnectEncoder = new DisconnectEncoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final UnsafeBuffer noticeBuffer = new UnsafeBuffer(new byte[64]);
    private final MessageHandler gatewayMessageHandler = this::onGatewayMessage;

    private long nowNs;
    private long nextTickNs;
    private long tick;
    private long maxDutyCycleNs;
    private long rejoinsAfterOvertakenLeave;
    private boolean quiet = true;
    private final SingleWriterRecorder tickDurations = new SingleWriterRecorder(MAX_RECORDED_TICK_NS, 2);
    private final Recorder stateResidence = new Recorder(ClientEgressProxy.MAX_RESIDENCE_NS, 2);
    private final SingleWriterRecorder inputResidence = new SingleWriterRecorder(MAX_RECORDED_TICK_NS, 2);

    /**
     * @param resources           what the layer's roles share.
     * @param ctx                 the Replicant's settings, concluded, with an authority.
     * @param scribeCtx           Scribe's settings: with an adapter the shard is persistent and Scribe is launched
     *                            here (its name, Aeron client, thread factory and error handler are the layer's).
     * @param maxSessions         sessions the Gateway admits at most: the interest engine's observers.
     * @param heartbeatIntervalNs a client sent nothing for this long gets a heartbeat.
     * @param counters            the layer's system counters.
     * @param fromGateway         ring of inputs and notices from the Gateway.
     * @param toGateway           ring of notices to the Gateway.
     * @param handovers           queue of welcomed sessions from the Gateway.
     */
    public ReplicantAgent(
        final LayerResources resources,
        final ReplicantContext ctx,
        final ScribeContext scribeCtx,
        final int maxSessions,
        final long heartbeatIntervalNs,
        final Counter[] counters,
        final RingBuffer fromGateway,
        final RingBuffer toGateway,
        final OneToOneConcurrentArrayQueue<SessionHandover> handovers)
    {
        this.ctx = ctx;
        this.heartbeatIntervalNs = heartbeatIntervalNs;
        this.counters = counters;
        this.fromGateway = fromGateway;
        this.toGateway = toGateway;
        this.handovers = handovers;
        this.clock = resources.nanoClock();
        this.activity = resources.activity();
        this.authority = ctx.authority();
        this.store = new EntityStore(ctx.maxEntities(), ctx.maxStateBytes());
        this.engine = newEngine(ctx, maxSessions, store);
        this.deltas = new CounterDeltas(counters);
        // several Replicants split each client's budget evenly (see SecondaryReplicantAgent)
        this.budgetBytesPerTick = Math.max(1, ctx.bandwidthBytesPerTick() / ctx.replicants());
        this.workerEgresses = new ClientEgressProxy[engine.workerCount()];
        for (int w = 0; w < workerEgresses.length; w++)
        {
            workerEgresses[w] = new ClientEgressProxy(
                observerBySession, budgetBytesPerTick, ctx.compactUpdates())
                .residence(stateResidence, clock)
                .replicantId(ctx.replicantId());
        }
        // worker 0's: it runs on this agent's thread, which also uses it between ticks (heartbeats, notices)
        this.egress = workerEgresses[0];
        this.passProfile = ctx.passProfile() ? new PassProfile() : null;
        if (null != passProfile)
        {
            engine.profileClock(clock);
            for (final ClientEgressProxy workerEgress : workerEgresses)
            {
                workerEgress.profileClock(clock);
            }
        }
        this.inventory = new InventoryService(store, egress, observerBySession, counters);
        this.tickIntervalNs = 1_000_000_000L / ctx.tickRateHz();

        final PersistenceAdapter adapter = scribeCtx.adapter();
        final RemoteScribe remote = null == adapter && null != scribeCtx.remote() ? RemoteScribe.launch(
            scribeCtx.remote().aeron(resources.aeron()).name(resources.shardName())) : null;
        if (null != adapter || null != remote)
        {
            world = new WorldPersistence(store, counters, scribeCtx.flushIntervalNs());
            if (ctx.ocsEnabled())
            {
                // OCS: no whole-world restore; cells are loaded as players join and approach them.
                streamer = new RegionStreamer(store, world, authority, counters, ctx.ocsCellSizeM(),
                    ctx.ocsStreamInMarginM(), ctx.ocsStreamOutMarginM(), ctx.ocsStreamOutDelayNs(),
                    ctx.ocsCheckIntervalNs(), ctx.ocsMaxCells());
            }
            else
            {
                streamer = null;
                if (null != remote)
                {
                    restoreThrough(remote, world, scribeCtx.remote().restoreTimeoutNs());
                }
                else
                {
                    world.restore(adapter);
                }
            }
            scribe = null != remote ? remote : Scribe.launch(scribeCtx
                .name(resources.shardName())
                .aeron(resources.aeron())
                .threadFactory(resources.threadFactory())
                .errorHandler(resources.errorHandler()));
            world.scribe(scribe);
            if (null != streamer)
            {
                streamer.scribe(scribe);
            }
            inventoryBackend = new ScribeInventoryBackend(store, scribe, authority, world, counters)
                .inventory(inventory);
            inventory.backend(inventoryBackend);
        }
        else
        {
            world = null;
            scribe = null;
            inventoryBackend = null;
            streamer = null;
        }
        try
        {
            authority.onStart(resources, counters, store);
        }
        catch (final RuntimeException ex)
        {
            closePersistence();
            throw ex;
        }
    }

    private static void restoreThrough(final RemoteScribe remote, final WorldPersistence world, final long timeoutNs)
    {
        try
        {
            world.restore(remote, timeoutNs);
        }
        catch (final RuntimeException ex)
        {
            remote.close();
            throw ex;
        }
    }

    static InterestEngine newEngine(
        final ReplicantContext ctx, final int maxSessions, final EntityStore store)
    {
        final InterestConfig config = new InterestConfig()
            .baseRadiusM(ctx.bubbleRadiusM())
            .sizeFactor(ctx.sizeFactor())
            .hysteresis(ctx.hysteresis())
            .maxObservers(maxSessions)
            .maxViewEntities(ctx.maxViewEntities())
            .compactUpdates(ctx.compactUpdates())
            .nearTierFraction(ctx.nearTierFraction())
            .farTierFraction(ctx.farTierFraction())
            .midTierPeriod(ctx.midTierPeriod())
            .farTierPeriod(ctx.farTierPeriod())
            .workers(ctx.interestWorkers())
            .snapshotBytesPerTick(ctx.snapshotBytesPerTick())
            .handoffReserve(ctx.replicants() > 1 ? Math.min(ctx.handoffReserve(), ctx.maxViewEntities()) : 0)
            .conclude();
        return new InterestEngine(store, new SpatialIndex(ctx.maxEntities()), config);
    }

    @Override
    public String roleName()
    {
        return "orrery-replicant";
    }

    @Override
    public int doWork()
    {
        nowNs = clock.nanoTime();
        int workCount = takeOverSessions();
        workCount += fromGateway.read(gatewayMessageHandler);
        workCount += authority.doWork(nowNs, store);
        if (null != scribe)
        {
            workCount += scribe.doWork(); // ThreadingMode.INVOKER: the layer's caller steps Scribe too
            workCount += inventoryBackend.doWork();
            workCount += world.doWork(nowNs);
            if (null != streamer)
            {
                workCount += streamer.doWork(nowNs);
            }
        }
        final int readiness = authority.tickReadiness(nowNs);
        if (TickCompletion.READY == readiness || nowNs >= nextTickNs)
        {
            // driven by server tick ends, the timer is only the fallback for when none arrive
            nextTickNs = nowNs + (TickCompletion.BY_TIMER == readiness ? tickIntervalNs : 2 * tickIntervalNs);
            final long stateInNs = authority.stateInNs(nowNs);
            for (final ClientEgressProxy workerEgress : workerEgresses)
            {
                workerEgress.stateInNs(stateInNs);
            }
            if (null != passProfile)
            {
                passProfile.passStart(nowNs, stateInNs, engine.emitNs(), offerNs(), engine.updatesSent());
            }
            workCount += onTick();
            final long passEndNs = clock.nanoTime();
            tickDurations.recordValue(Math.min(MAX_RECORDED_TICK_NS, Math.max(0, passEndNs - nowNs)));
            if (null != passProfile)
            {
                passProfile.passEnd(passEndNs, engine.indexEndNs(), engine.emitNs(), offerNs(), engine.updatesSent());
            }
        }

        if (quiet != observers.isEmpty())
        {
            quiet = !quiet;
            activity.quiet(quiet); // the layer's threads idle long while no client is connected
        }

        final long dutyCycleNs = clock.nanoTime() - nowNs;
        if (dutyCycleNs > maxDutyCycleNs)
        {
            maxDutyCycleNs = dutyCycleNs;
            counters[OrreryCounter.MAX_DUTY_CYCLE_NS.id()].setOrdered(dutyCycleNs);
        }
        return workCount;
    }

    @Override
    public void onClose()
    {
        for (int i = 0, size = observers.size(); i < size; i++)
        {
            final ClientEgressProxy.ClientObserver observer = observers.get(i);
            egress.disconnect(observer, DisconnectReason.shutdown);
            CloseHelper.quietClose(observer.egress);
        }
        SessionHandover handover;
        while (null != (handover = handovers.poll()))
        {
            CloseHelper.quietClose(handover.egress);
        }
        authority.onClose();
        closePersistence();
    }

    /**
     * Write the world's last changes and drain Scribe (blocks up to Scribe's close timeout). Idempotent; called by
     * {@link #onClose()}, and by the layer when the agent never ran.
     */
    public void closePersistence()
    {
        if (null != scribe && !scribe.isClosed())
        {
            inventoryBackend.doWork();
            world.flushAll(scribe.closeTimeoutNs());
            scribe.close();
        }
    }

    /**
     * Make this the primary of several Replicants per shard: it decides ownership ({@link ReplicantOwnership}),
     * streams only what Replicant 0 owns, feeds its state to the secondaries after each pass and hands each session
     * it takes over (and its end) to every secondary. Control path: before the agent runs.
     *
     * @param feeds    one state feed ring per secondary.
     * @param sessions one session queue per secondary.
     * @return this.
     */
    public ReplicantAgent secondaries(
        final RingBuffer[] feeds, final OneToOneConcurrentArrayQueue<SessionHandover>[] sessions)
    {
        ownership = new ReplicantOwnership(ctx.replicantBoundariesM(), ctx.ownershipHysteresisM());
        availability = new ReplicantAvailability(ownership.replicants());
        availabilityStates = new long[ownership.replicants()];
        feed = new ReplicantFeedProxy(store, feeds);
        secondarySessions = new SecondarySessions(sessions,
            counters[OrreryCounter.REPLICANT_SESSION_HANDOVERS_REFUSED.id()], REFUSAL_LOG);
        engine.ownership(0);
        return this;
    }

    /**
     * @return the ownership rule, or null with one Replicant.
     */
    public ReplicantOwnership ownership()
    {
        return ownership;
    }

    /**
     * @return which Replicants may own subtrees (the bridges of remote ones offer theirs), or null with one Replicant.
     */
    public ReplicantAvailability availability()
    {
        return availability;
    }

    /**
     * @return the state feed to the secondaries, or null with one Replicant.
     */
    public ReplicantFeedProxy feed()
    {
        return feed;
    }

    /**
     * @return the in-process persistence ring, or null when the shard is not persistent or persists through a Scribe
     * process (see {@link #scribeClient()}).
     */
    public Scribe scribe()
    {
        return scribe instanceof Scribe ? (Scribe)scribe : null;
    }

    /**
     * @return what the Replicant persists through (a {@link Scribe}, or a link to a Scribe process), or null when the
     * shard is not persistent.
     */
    public ScribeClient scribeClient()
    {
        return scribe;
    }

    /**
     * @return the world write-behind, or null when the shard is not persistent.
     */
    public WorldPersistence worldPersistence()
    {
        return world;
    }

    /**
     * @return the inventory backend, or null when the shard is not persistent.
     */
    public ScribeInventoryBackend inventoryBackend()
    {
        return inventoryBackend;
    }

    /**
     * @return the server OCS region streamer, or null when OCS is off (or the shard is not persistent).
     */
    public RegionStreamer regionStreamer()
    {
        return streamer;
    }

    public InventoryService inventory()
    {
        return inventory;
    }

    /**
     * The entity cache. Only for use on this agent's thread (or in INVOKER mode, between duty cycles).
     */
    public EntityStore store()
    {
        return store;
    }

    public InterestEngine engine()
    {
        return engine;
    }

    /**
     * The interest workers beyond the first, for the layer to run on threads of their own (empty with one worker;
     * in INVOKER threading they are not run and the engine ticks their partitions on this agent's thread).
     */
    public Agent[] interestWorkers()
    {
        return engine.workerAgents();
    }

    public long tickCount()
    {
        return tick;
    }

    /**
     * Whether every client's egress publication has at least a tick's budget of window open again, i.e. the media
     * driver has seen the clients consume what was sent. For deterministic stepping in tests.
     */
    public boolean isEgressWindowOpen()
    {
        final long minWindow = Math.min(ctx.bandwidthBytesPerTick(), ClientEgressProxy.MIN_WINDOW_BYTES);
        for (int i = 0, size = observers.size(); i < size; i++)
        {
            final ClientEgressProxy.ClientObserver observer = observers.get(i);
            if (observer.egress.isConnected() && observer.egress.availableWindow() < minWindow)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @return bytes of messages the session's egress publication accepted so far, or -1 if there is no such session.
     * Control path (a map look-up); read it on this agent's thread or between duty cycles in INVOKER mode.
     */
    public long bytesSentTo(final long sessionId)
    {
        final ClientEgressProxy.ClientObserver observer = observerBySession.get(sessionId);
        return null == observer ? -1 : observer.bytesSent();
    }

    /**
     * Run the next duty cycle's tick immediately (for deterministic tests in INVOKER mode).
     */
    public void tickNow()
    {
        nextTickNs = 0;
    }

    private int takeOverSessions()
    {
        int workCount = 0;
        SessionHandover handover;
        while (null != (handover = handovers.poll()))
        {
            workCount++;
            // several Replicants write the session's egress: each through its view holding the session's lock
            final ClientEgress sessionEgress = null == secondarySessions ?
                handover.egress : new SharedClientEgress(handover.egress, true);
            final ClientEgressProxy.ClientObserver observer = new ClientEgressProxy.ClientObserver(
                handover.sessionId, handover.playerEntityId, sessionEgress, nowNs);
            authority.onPlayerJoined(handover.playerEntityId, nowNs, store);
            if (null != inventoryBackend)
            {
                inventoryBackend.onPlayerJoined(handover.playerEntityId);
            }
            if (null != streamer)
            {
                streamer.requestCheck();
            }
            final int worker = engine.leastLoadedWorker();
            if (engine.addObserver(worker, handover.sessionId, handover.playerEntityId, workerEgresses[worker],
                budgetBytesPerTick) < 0)
            {
                counters[OrreryCounter.ERRORS.id()].increment();
                egress.disconnect(observer, DisconnectReason.shutdown);
                CloseHelper.quietClose(observer.egress);
                authority.onPlayerLeft(handover.playerEntityId, nowNs, store);
                noticeGateway(handover.sessionId, DisconnectReason.shutdown);
                continue;
            }
            observerBySession.put(handover.sessionId, observer);
            observers.add(observer);
            if (null != secondarySessions)
            {
                secondarySessions.started(handover.sessionId, handover.playerEntityId, handover.egress);
            }
        }
        return workCount;
    }

    private void onGatewayMessage(
        final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        switch (msgTypeId)
        {
            case PlayerInputDecoder.TEMPLATE_ID:
            {
                inputDecoder.wrapAndApplyHeader(buffer, index, headerDecoder);
                authority.onPlayerInput(inputDecoder, nowNs, store);
                counters[OrreryCounter.INPUTS_FORWARDED.id()].incrementOrdered();
                final long inNs = buffer.getLong(
                    index + length - GatewayRing.INPUT_STAMP_LENGTH, java.nio.ByteOrder.LITTLE_ENDIAN);
                inputResidence.recordValue(Math.min(MAX_RECORDED_TICK_NS, Math.max(0, clock.nanoTime() - inNs)));
                break;
            }

            case StowRequestDecoder.TEMPLATE_ID:
            case UnstowRequestDecoder.TEMPLATE_ID:
            {
                final ClientEgressProxy.ClientObserver observer = observerBySession.get(
                    buffer.getLong(index + MessageHeaderDecoder.ENCODED_LENGTH, java.nio.ByteOrder.LITTLE_ENDIAN));
                if (null != observer)
                {
                    if (null != inventoryBackend)
                    {
                        inventoryBackend.onRequestRead(buffer.getLong(
                            index + length - GatewayRing.INPUT_STAMP_LENGTH, java.nio.ByteOrder.LITTLE_ENDIAN));
                    }
                    if (StowRequestDecoder.TEMPLATE_ID == msgTypeId)
                    {
                        inventory.onStowRequest(observer, buffer, index);
                    }
                    else
                    {
                        inventory.onUnstowRequest(observer, buffer, index);
                    }
                }
                break;
            }

            case DisconnectDecoder.TEMPLATE_ID:
            {
                disconnectDecoder.wrapAndApplyHeader(buffer, index, headerDecoder);
                final ClientEgressProxy.ClientObserver observer = observerBySession.get(disconnectDecoder.sessionId());
                if (null != observer)
                {
                    closeSession(observer, disconnectDecoder.reason());
                }
                break;
            }

            case RejectDecoder.TEMPLATE_ID:
            {
                rejectDecoder.wrapAndApplyHeader(buffer, index, headerDecoder);
                final ClientEgressProxy.ClientObserver observer = observerBySession.get(rejectDecoder.sessionId());
                if (null != observer)
                {
                    egress.forward(observer, buffer, index, length);
                }
                break;
            }

            default:
                counters[OrreryCounter.ERRORS.id()].increment();
                break;
        }
    }

    private int onTick()
    {
        tick++;
        for (final ClientEgressProxy workerEgress : workerEgresses)
        {
            workerEgress.tick(tick);
        }
        int workCount = authority.onTick(nowNs, store);
        if (null != feed)
        {
            // the pass's owners (a lost Replicant's subtrees taken over, a returned one's given back), then the pass to
            // the secondaries before this Replicant streams it: they run meanwhile
            for (int r = 1; r < availabilityStates.length; r++)
            {
                final long state = availability.state(r);
                availabilityStates[r] = state;
                ownership.available(r, ReplicantAvailability.isAvailable(state));
            }
            ownership.assign(store);
            workCount += feed.feed(nowNs);
        }
        if (null != passProfile)
        {
            passProfile.authorityDone(clock.nanoTime());
        }
        workCount += engine.tick(nowNs);
        if (null != feed)
        {
            // this pass's spawns (a takeover's included) are in the egresses: a bridge waiting for it may write after
            for (int r = 1; r < availabilityStates.length; r++)
            {
                availability.applied(r, availabilityStates[r]);
            }
        }
        if (null != passProfile)
        {
            passProfile.interestDone(clock.nanoTime());
        }
        workCount += authority.onPassStreamed(nowNs, store);
        if (null != passProfile)
        {
            passProfile.afterDone(clock.nanoTime());
        }

        final long slowConsumerTimeoutNs = ctx.slowConsumerTimeoutNs();
        for (int i = observers.size() - 1; i >= 0; i--)
        {
            final ClientEgressProxy.ClientObserver observer = observers.get(i);
            if (0 != observer.laggingSinceNs && nowNs - observer.laggingSinceNs > slowConsumerTimeoutNs)
            {
                counters[OrreryCounter.SESSIONS_SLOW_CONSUMER.id()].incrementOrdered();
                closeSession(observer, DisconnectReason.slowConsumer);
                noticeGateway(observer.sessionId, DisconnectReason.slowConsumer);
            }
            else
            {
                final long playerEntityId = observer.playerEntityId();
                final int dilation = authority.timeDilationPerMille(playerEntityId);
                if (dilation != observer.timeDilationSentPerMille())
                {
                    egress.timeDilationIfChanged(observer, dilation, authority.serverOf(playerEntityId));
                }
                egress.heartbeatIfIdle(observer, nowNs, heartbeatIntervalNs);
            }
        }

        updateCounters();
        return workCount;
    }

    /**
     * End a session: its player leaves. A reconnect can overtake the old session's end: the Gateway writes the old
     * session's disconnect before it hands over the new session of the same player, but this agent takes over
     * sessions before it reads the Gateway's ring, so both may land in one duty cycle in the wrong order. The
     * player's leave must not take away the entity of the session that joined meanwhile: if another session of the
     * same player is live, it joins again after the leave (the authority re-creates its entity; the interest engine
     * despawns the old incarnation and spawns the new one to every observer). Control path: scans the sessions.
     */
    private void closeSession(final ClientEgressProxy.ClientObserver observer, final DisconnectReason reason)
    {
        egress.disconnect(observer, reason);
        engine.removeObserver(observer.sessionId);
        authority.onPlayerLeft(observer.playerEntityId, nowNs, store);
        observerBySession.remove(observer.sessionId);
        final int index = observers.indexOf(observer);
        if (index >= 0)
        {
            final int last = observers.size() - 1;
            observers.set(index, observers.get(last));
            observers.remove(last);
        }
        CloseHelper.quietClose(observer.egress);
        if (null != secondarySessions)
        {
            secondarySessions.ended(observer.sessionId, observer.playerEntityId);
        }

        for (int i = 0, size = observers.size(); i < size; i++)
        {
            if (observers.get(i).playerEntityId == observer.playerEntityId)
            {
                rejoinsAfterOvertakenLeave++;
                authority.onPlayerJoined(observer.playerEntityId, nowNs, store);
                break;
            }
        }
    }

    /**
     * Tick durations (the Replicant's work of one tick: authority, interest, egress), recorded on this agent's
     * thread without allocation; read them from any thread with {@code getIntervalHistogram(recycled)}.
     *
     * @return the recorder of tick durations in nanoseconds.
     */
    public SingleWriterRecorder tickDurations()
    {
        return tickDurations;
    }

    /**
     * The layer's residence of client input: from the Gateway reading a {@code PlayerInput} to the Replicant having
     * handed it to the authority (which forwards it to the authoritative game server at once, or buffers it during
     * a handoff of the entity). Nanoseconds, recorded on this agent's thread without allocation.
     *
     * @return the recorder; read it from any thread with {@code getIntervalHistogram(recycled)}.
     */
    public SingleWriterRecorder inputResidence()
    {
        return inputResidence;
    }

    /**
     * The layer's residence of server state: from the first state of a pass arriving (for the scripted authority:
     * the tick starting) to a client's publication accepting the pass's messages, one value per client per pass.
     * Nanoseconds, recorded on this agent's thread without allocation.
     *
     * @return the recorder; read it from any thread with {@code getIntervalHistogram(recycled)}.
     */
    public Recorder stateResidence()
    {
        return stateResidence;
    }

    /**
     * @return the split of the passes into phases, or null unless {@link ReplicantContext#passProfile()} is set.
     */
    public PassProfile passProfile()
    {
        return passProfile;
    }

    private long offerNs()
    {
        long offerNs = 0;
        for (final ClientEgressProxy workerEgress : workerEgresses)
        {
            offerNs += workerEgress.offerNs();
        }
        return offerNs;
    }

    /**
     * @return sessions whose player had to join again because the end of the player's previous session was seen
     * after the new session was taken over (see {@link #closeSession}).
     */
    public long rejoinsAfterOvertakenLeave()
    {
        return rejoinsAfterOvertakenLeave;
    }

    private void noticeGateway(final long sessionId, final DisconnectReason reason)
    {
        disconnectEncoder.wrapAndApplyHeader(noticeBuffer, 0, headerEncoder)
            .sessionId(sessionId)
            .reason(reason);
        toGateway.write(DisconnectEncoder.TEMPLATE_ID, noticeBuffer, 0,
            MessageHeaderEncoder.ENCODED_LENGTH + disconnectEncoder.encodedLength());
    }

    private void updateCounters()
    {
        counters[OrreryCounter.TICKS.id()].setOrdered(tick);
        counters[OrreryCounter.ENTITIES.id()].setOrdered(store.size());
        // running totals added as deltas: the secondary Replicants add theirs to the same counters
        deltas.publishStreaming(engine, workerEgresses);
        if (null != feed)
        {
            counters[OrreryCounter.REPLICANT_HANDOFFS.id()].setOrdered(ownership.handoffs());
            counters[OrreryCounter.REPLICANT_FEED_MESSAGES.id()].setOrdered(feed.messages());
            counters[OrreryCounter.REPLICANT_FEED_BYTES.id()].setOrdered(feed.bytes());
            counters[OrreryCounter.REPLICANT_FEED_BACK_PRESSURE.id()].setOrdered(feed.backPressured());
            counters[OrreryCounter.REPLICANT_FEED_RESYNCS.id()].setOrdered(feed.resyncs());
            counters[OrreryCounter.REPLICANT_TAKEOVERS.id()].setOrdered(ownership.takeovers());
            counters[OrreryCounter.REPLICANTS_LOST.id()].setOrdered(availability.losses());
            counters[OrreryCounter.REPLICANT_RETURNS.id()].setOrdered(availability.returns());
        }
    }
}
