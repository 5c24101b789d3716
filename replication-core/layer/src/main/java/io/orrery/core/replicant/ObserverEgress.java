/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant;

/**
 * Where the {@link InterestEngine} puts what it decided for one observer during one tick. The implementation
 * (the Gateway's per-client sender, or the server link egress) encodes the entity from the {@link EntityStore}
 * with SBE flyweights and offers it to the observer's publication.
 * <p>
 * Call order per observer per tick: {@link #beginTick}, then any number of {@link #onDespawn}, {@link #onSpawn},
 * {@link #onUpdate} (the engine issues all despawns before spawns before updates, so an entity id whose old
 * incarnation left and whose new incarnation entered in the same tick is despawned before it is spawned again), then
 * {@link #endTick}. Implementations must keep that order on the wire.
 * Implementations may batch updates into one message and flush at {@code endTick}.
 * <p>
 * Failure model: a {@code false} return from any call, or from {@code endTick}, means something this tick was not
 * delivered (back-pressure, not connected). The engine then stops calling for this observer this tick, marks the
 * observer for resynchronisation and, once {@code beginTick} reports capacity again, sends fresh spawn snapshots of
 * everything in its bubble. Nothing is queued for a slow observer.
 * <p>
 * <b>Handles.</b> The engine calls the handle-aware forms ({@link #onSpawn(long, EntityStore, int, int)},
 * {@link #onUpdate(long, EntityStore, int, int, int)}, {@link #onDespawn(long, long, int, short)}): an egress may
 * name each entity to its observer by a short handle it chooses at the spawn; the engine keeps it with the view
 * entry and hands it back with every update and the despawn, so the egress needs no per-observer lookup. Their
 * defaults delegate to the plain forms and use handle 0.
 * <p>
 * Threading: called only on the thread of the interest worker that owns the observer (the Replicant's duty-cycle
 * thread with one worker); an egress given to observers of several workers is called from each of their threads.
 * Must not allocate.
 */
public interface ObserverEgress
{
    /**
     * The view entry has no handle: the observer was never sent it.
     */
    int NO_HANDLE = -1;

    /**
     * {@link #onSpawn(long, EntityStore, int, int)} could not deliver.
     */
    int SPAWN_FAILED = -1;

    /**
     * Start of an observer's tick.
     *
     * @param observerId the id given to {@link InterestEngine#addObserver}.
     * @param nowNs      the engine's clock for this tick.
     * @return bytes the observer can take this tick (the engine caps it with the observer's own budget), or 0 or
     * less when the observer cannot take anything now (back-pressured or not connected).
     */
    int beginTick(long observerId, long nowNs);

    /**
     * Bytes of spawn snapshots the observer can take this tick without its egress falling behind, asked after a
     * {@link #beginTick} that reported capacity. The engine paces the spawns of a new or resynchronising observer
     * (its whole view at once) by this, so a client that reads slowly gets its snapshot at the rate it reads instead
     * of being back-pressured into a slow-consumer disconnect; the followed entity is not held back by it. Updates
     * are not counted against it.
     *
     * @param observerId the id given to {@link InterestEngine#addObserver}.
     * @return bytes of spawns that may go this tick; the default does not pace.
     */
    default int spawnCapacity(final long observerId)
    {
        return Integer.MAX_VALUE;
    }

    /**
     * A full snapshot of the entity in {@code slot}: it entered the bubble, or the observer is resynchronising.
     *
     * @return false if it could not be delivered.
     */
    boolean onSpawn(long observerId, EntityStore store, int slot);

    /**
     * A full snapshot, as {@link #onSpawn(long, EntityStore, int)}, for an entry that already has a handle if the
     * observer holds an earlier copy (a resync) or {@link #NO_HANDLE}.
     *
     * @return the handle the observer now knows the entity by ({@code >= 0}), or {@link #SPAWN_FAILED}; an egress
     * that took a new handle for a spawn it could not deliver frees it before returning.
     */
    default int onSpawn(final long observerId, final EntityStore store, final int slot, final int handle)
    {
        return onSpawn(observerId, store, slot) ? 0 : SPAWN_FAILED;
    }

    /**
     * A delta, as {@link #onUpdate(long, EntityStore, int, int)}, of the entity the spawn named {@code handle}.
     *
     * @return false if it could not be delivered.
     */
    default boolean onUpdate(
        final long observerId, final EntityStore store, final int slot, final int handle, final int changedMask)
    {
        return onUpdate(observerId, store, slot, changedMask);
    }

    /**
     * A despawn, as {@link #onDespawn(long, long, short)}, of the entity the spawn named {@code handle}; the handle
     * is free once it is delivered.
     *
     * @return false if it could not be delivered.
     */
    default boolean onDespawn(final long observerId, final long entityId, final int handle, final short reason)
    {
        return onDespawn(observerId, entityId, reason);
    }

    /**
     * A delta of the entity in {@code slot} carrying the fields set in {@code changedMask} (bits as in the SBE
     * {@code fieldMask} set: 0 position, 1 velocity, 2 orientation, 3 size, 4 parentZone, 5 componentState,
     * 6 lastAppliedInput, 7 authorityEpoch).
     *
     * @return false if it could not be delivered.
     */
    boolean onUpdate(long observerId, EntityStore store, int slot, int changedMask);

    /**
     * The entity left the bubble (or no longer exists).
     *
     * @param reason a {@code io.orrery.wire.codec.DespawnReason} value.
     * @return false if it could not be delivered.
     */
    boolean onDespawn(long observerId, long entityId, short reason);

    /**
     * End of an observer's tick: flush anything batched.
     *
     * @return false if what was batched could not be delivered.
     */
    boolean endTick(long observerId);
}
