/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.authority;

import io.orrery.core.common.LayerResources;
import io.orrery.core.replicant.EntityStore;
import io.orrery.wire.codec.PlayerInputDecoder;

/**
 * Whoever has authority over entity state as seen by the Replicant. Until game servers join a shard through the
 * server link, an in-process implementation (see {@link ScriptedAuthority}) creates and moves entities so the
 * streaming path is real end to end.
 * <p>
 * Threading: every method is called on the Replicant's duty-cycle thread only, and must not allocate in steady state.
 */
public interface Authority
{
    /**
     * A client session was bound to a player entity; the authority creates the entity if it does not exist yet.
     */
    void onPlayerJoined(long playerEntityId, long nowNs, EntityStore store);

    /**
     * The client session of a player ended.
     */
    void onPlayerLeft(long playerEntityId, long nowNs, EntityStore store);

    /**
     * Player input for the player's own entity, already validated by the Gateway (authenticated sender, own entity,
     * increasing sequence). The authority applies it at its next tick and echoes the sequence in the entity state.
     */
    void onPlayerInput(PlayerInputDecoder input, long nowNs, EntityStore store);

    /**
     * Advance the simulation by one tick, writing changes into the store.
     *
     * @return work done.
     */
    int onTick(long nowNs, EntityStore store);

    /**
     * The pass that followed {@link #onTick} has offered every client its updates: work of the tick that must follow
     * it but need not be ahead of the clients' streaming (for a mesh: reports to Atlas, its decisions, heartbeats and
     * server views), so it is no part of any client's residence. The store holds the state the pass streamed.
     * Default: nothing.
     *
     * @return work done.
     */
    default int onPassStreamed(final long nowNs, final EntityStore store)
    {
        return 0;
    }

    /**
     * The Replicant is starting: an authority that talks to game servers opens its Aeron resources here. Default:
     * nothing.
     *
     * @param resources what the layer's roles share (Aeron client, clocks, token secret).
     * @param counters  the layer's system counters, indexed by {@code OrreryCounter#id()}.
     * @param store     the entity cache.
     */
    default void onStart(final LayerResources resources, final io.aeron.Counter[] counters, final EntityStore store)
    {
    }

    /**
     * Every Replicant duty cycle (not only at ticks): poll what servers sent. Default: nothing.
     *
     * @return work done.
     */
    default int doWork(final long nowNs, final EntityStore store)
    {
        return 0;
    }

    /**
     * When the Replicant streams: an authority whose state comes from game servers that mark the end of their ticks
     * answers from its {@link io.orrery.core.replicant.TickCompletion}, so the state of a server tick reaches clients
     * in the duty cycle it is complete. Default: {@link io.orrery.core.replicant.TickCompletion#BY_TIMER}, the
     * Replicant's own tick timer (state is written in {@link #onTick}).
     *
     * @return {@code TickCompletion.BY_TIMER}, {@code WAITING} or {@code READY}.
     */
    default int tickReadiness(final long nowNs)
    {
        return io.orrery.core.replicant.TickCompletion.BY_TIMER;
    }

    /**
     * Start of the layer's residence of the state the next pass streams: when the first of it arrived, or
     * {@code TickCompletion.NONE} if none arrived since the last pass. Read before {@link #onTick}. Default:
     * {@code nowNs}, the authority writes its state in {@link #onTick}.
     */
    default long stateInNs(final long nowNs)
    {
        return nowNs;
    }

    /**
     * The Replicant is closing. Default: nothing.
     */
    default void onClose()
    {
    }

    /**
     * An agent of the authority's own that the layer runs on a thread of its own when each role gets one
     * ({@code ThreadingMode.DEDICATED}), called once before the layer starts. An authority asked for it stops
     * stepping that agent in the Replicant's duty cycle. Default: none, everything runs in the Replicant's cycle.
     *
     * @return the agent, or null.
     */
    default org.agrona.concurrent.Agent ownAgent()
    {
        return null;
    }

    /**
     * Time dilation of the server simulating an entity: game time per real time in 1/1000 (1000 = real time), as it
     * last reported; 1000 when the entity has no server or this authority has no servers.
     */
    default int timeDilationPerMille(final long entityId)
    {
        return 1000;
    }

    /**
     * @return the id of the server simulating an entity, 0 if none (or this authority has no servers).
     */
    default int serverOf(final long entityId)
    {
        return 0;
    }

    /**
     * The Replication Layer takes an entity out of the world for a reason other than its authority destroying it (it
     * was stowed into the Global store, or streamed out to the store): remove it from the cache and from whichever
     * server simulates it. Default: remove it from the cache.
     *
     * @param despawnReason {@code io.orrery.wire.codec.DespawnReason} value clients will see.
     * @return whether it existed.
     */
    default boolean removeEntity(final long entityId, final short despawnReason, final EntityStore store)
    {
        return store.remove(entityId, despawnReason);
    }
}
