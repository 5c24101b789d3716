/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant;

import io.aeron.Counter;
import io.orrery.core.common.SessionHandover;
import io.orrery.core.status.OrreryCounter;
import org.HdrHistogram.Recorder;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import java.util.function.Consumer;

/**
 * A secondary Replicant of a shard with several Replicants in one process: it has no authority, persistence or
 * client input of its own; it applies the primary's state feed ({@link ReplicantFeedAdapter}) to its own
 * {@link EntityStore} and, once per pass the primary fed, runs its own {@link InterestEngine} over it, streaming to
 * each client only the entities it owns ({@link InterestEngine#ownership}), under its own Replicant id, through its
 * view of the session's shared egress. Sessions come from the primary (added as the primary takes them over, removed
 * as it closes them: a handover without egress); the primary alone sends heartbeats and notices, decides about slow
 * consumers and closes sessions. Each client's bandwidth budget is split evenly between the Replicants.
 * <p>
 * Threading: single threaded agent, the only writer of its store and engine. Zero allocation in steady state.
 */
public final class SecondaryReplicantAgent implements Agent
{
    private final int replicantId;
    private final NanoClock clock;
    private final OneToOneConcurrentArrayQueue<SessionHandover> sessions;
    private final EntityStore store;
    private final InterestEngine engine;
    private final ReplicantFeedAdapter feed;
    private final ClientEgressProxy egress;
    private final ClientEgressProxy[] egresses;
    private final Long2ObjectHashMap<ClientEgressProxy.ClientObserver> observerBySession =
        new Long2ObjectHashMap<>();
    private final int budgetBytesPerTick;
    private final Counter[] counters;
    private final CounterDeltas deltas;
    private Consumer<String> log = ReplicantAgent.REFUSAL_LOG;
    private long observersRefused;
    private long nowNs;
    private long tick;

    /**
     * @param ctx             the shard's Replicant settings, concluded.
     * @param replicantId     this Replicant's id, 1..replicants-1.
     * @param clock           the layer's clock.
     * @param maxSessions     sessions the Gateway admits at most.
     * @param counters        the layer's counters (this agent adds its sends to them).
     * @param feed            the primary's state feed ring to this Replicant.
     * @param sessions        sessions from the primary.
     * @param stateResidence  the layer's recorder of state residence (multi-writer).
     */
    public SecondaryReplicantAgent(
        final ReplicantContext ctx,
        final int replicantId,
        final NanoClock clock,
        final int maxSessions,
        final Counter[] counters,
        final RingBuffer feed,
        final OneToOneConcurrentArrayQueue<SessionHandover> sessions,
        final Recorder stateResidence)
    {
        this.replicantId = replicantId;
        this.clock = clock;
        this.sessions = sessions;
        this.counters = counters;
        this.deltas = new CounterDeltas(counters);
        this.store = new EntityStore(ctx.maxEntities(), ctx.maxStateBytes());
        this.engine = ReplicantAgent.newEngine(ctx, maxSessions, store).ownership(replicantId);
        this.feed = new ReplicantFeedAdapter(store, feed);
        this.budgetBytesPerTick = Math.max(1, ctx.bandwidthBytesPerTick() / ctx.replicants());
        this.egress = new ClientEgressProxy(observerBySession, budgetBytesPerTick, ctx.compactUpdates())
            .residence(stateResidence, clock)
            .replicantId(replicantId);
        this.egresses = new ClientEgressProxy[]{ egress };
    }

    @Override
    public String roleName()
    {
        return "orrery-replicant-" + replicantId;
    }

    @Override
    public int doWork()
    {
        nowNs = clock.nanoTime();
        int workCount = takeSessions();
        if (feed.poll())
        {
            tick++;
            egress.tick(tick);
            egress.stateInNs(feed.passNowNs());
            workCount += 1 + engine.tick(nowNs);
            updateCounters();
        }
        return workCount;
    }

    private int takeSessions()
    {
        int workCount = 0;
        SessionHandover handover;
        while (null != (handover = sessions.poll()))
        {
            workCount++;
            if (null == handover.egress)
            {
                engine.removeObserver(handover.sessionId);
                observerBySession.remove(handover.sessionId);
            }
            else
            {
                final int result =
                    engine.addObserver(handover.sessionId, handover.playerEntityId, egress, budgetBytesPerTick);
                if (result >= 0)
                {
                    observerBySession.put(handover.sessionId, new ClientEgressProxy.ClientObserver(
                        handover.sessionId, handover.playerEntityId, handover.egress, nowNs));
                }
                else
                {
                    onObserverRefused(handover.sessionId, result);
                }
            }
        }
        return workCount;
    }

    private void onObserverRefused(final long sessionId, final int result)
    {
        observersRefused++;
        counters[OrreryCounter.REPLICANT_OBSERVERS_REFUSED.id()].increment();
        if (0 == (observersRefused & (observersRefused - 1)))
        {
            log.accept("replicant " + replicantId + ": no observer for session " + sessionId + " (" +
                (InterestEngine.ERR_DUPLICATE_OBSERVER == result ? "it holds that session already" :
                "its " + engine.observerCount() + " observers are taken") + "), the client gets nothing this " +
                "Replicant owns until it reconnects (refusal " + observersRefused + ", logged at powers of two); " +
                "a lost session end (REPLICANT_SESSION_HANDOVERS_REFUSED) leaves an observer behind: check that " +
                "counter and this Replicant's thread");
        }
    }

    /**
     * @param log where refusals are reported (at the first and then at powers of two); stdout by default. Control
     *            path: before the agent runs.
     * @return this.
     */
    public SecondaryReplicantAgent refusalLog(final Consumer<String> log)
    {
        this.log = log;
        return this;
    }

    /**
     * @return sessions its interest engine had no observer for.
     */
    public long observersRefused()
    {
        return observersRefused;
    }

    private void updateCounters()
    {
        deltas.publishStreaming(engine, egresses);
    }

    /**
     * This Replicant's entity cache. Only for use on its thread (or in INVOKER mode, between duty cycles).
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
     * @return the feed adapter (passes applied, resyncs, errors).
     */
    public ReplicantFeedAdapter feed()
    {
        return feed;
    }

    public int replicantId()
    {
        return replicantId;
    }

    /**
     * @return passes streamed.
     */
    public long tickCount()
    {
        return tick;
    }

    /**
     * @return whether every client's egress has at least a tick's budget of window open (for stepping tests).
     */
    public boolean isEgressWindowOpen()
    {
        final long minWindow = Math.min(budgetBytesPerTick, ClientEgressProxy.MIN_WINDOW_BYTES);
        for (final ClientEgressProxy.ClientObserver observer : observerBySession.values())
        {
            if (observer.egress.isConnected() && observer.egress.availableWindow() < minWindow)
            {
                return false;
            }
        }
        return true;
    }
}
