/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.client;

import io.orrery.link.EntityState;
import io.orrery.wire.CompactUpdates;
import org.agrona.collections.Long2LongHashMap;

/**
 * A client's local copy of the entities in its streaming bubble, in struct-of-arrays form with a fixed capacity.
 * Slots are reused after despawn. Positions are millimetres relative to {@link #parentZoneId(int)}.
 * <p>
 * Compact updates name an entity by the short handle its spawn carried, in the handle space of the Replicant that
 * sent it: the view maps each Replicant's handles to slots (handles below {@code 2 * capacity}; a Replicant gives each
 * client the lowest free handle, so they stay below the number of entities it holds). Positions from compact updates
 * are within 5 mm of the layer's (centimetre deltas summed onto the spawn's exact value, without drift), velocities
 * within 1 cm/s, orientations within the smallest-three resolution (see {@code io.orrery.wire.CompactUpdates}).
 * <p>
 * <b>Several Replicants.</b> Each entity in the view has one owner, a Replicant and its owner epoch
 * ({@link #ownerReplicant(int)}, {@link #ownerEpoch(int)}): the slot holds the owner's latest state. Other Replicants
 * may hold the entity too (a handoff in flight); their baselines are kept apart (see {@link ClientResponseAdapter}
 * for the rules). Between the owner's {@code handedOff} despawn and the next owner's spawn the entity stays, with
 * its last state, {@link #awaitingOwner(int)}, at most {@link ClientLink.Settings#ownerHandoffTimeoutNs(long)}: a
 * next owner that never spawns it does not leave it on screen forever ({@link ClientSession#ownerHandoffsExpired()}).
 * A {@code ReplicantReset} (a Replicant restarted behind the layer's bridge) drops the entities that Replicant owns
 * and its bindings, nothing of the others' ({@link ClientSession#entitiesDroppedByResets()}).
 * With one Replicant (id 0, epoch 0) nothing of this shows.
 * <p>
 * Threading: owned by the thread running the {@link ClientLink}.
 */
public final class ClientEntityView
{
    public static final int NULL_SLOT = -1;

    private final Long2LongHashMap slotById;
    private final int capacity;
    private final int[] freeSlots;
    private int freeCount;
    private final long[] entityId;
    private final int[] archetypeId;
    private final long[] parentZoneId;
    private final long[] positionX;
    private final long[] positionY;
    private final long[] positionZ;
    private final float[] velocityX;
    private final float[] velocityY;
    private final float[] velocityZ;
    private final float[] orientationX;
    private final float[] orientationY;
    private final float[] orientationZ;
    private final float[] orientationW;
    private final ReplicantBindings[] replicants;
    private final int[] ownerReplicant;
    private final long[] ownerEpoch;
    private final boolean[] awaitingOwner;
    private final long[] awaitingOwnerSinceNs;
    private int awaitingOwnerCount;
    private Long2LongHashMap removedAtEpoch;
    private long[] removedRing;
    private int removedHead;
    private boolean removedRingFull;
    private final float[] radius;
    private final long[] authorityEpoch;
    private final long[] lastAppliedInputSequence;
    private final long[] lastUpdateNs;

    public ClientEntityView(final int capacity)
    {
        this(capacity, 1);
    }

    /**
     * @param capacity      entities the view can hold.
     * @param maxReplicants Replicant ids {@code 0..maxReplicants - 1} are accepted; the bindings of each are made at
     *                      its first spawn.
     */
    public ClientEntityView(final int capacity, final int maxReplicants)
    {
        if (maxReplicants < 1 || maxReplicants > 256)
        {
            throw new IllegalArgumentException("maxReplicants must be 1..256: " + maxReplicants);
        }
        this.capacity = capacity;
        slotById = new Long2LongHashMap(Math.max(8, capacity * 2), 0.65f, NULL_SLOT);
        freeSlots = new int[capacity];
        for (int i = 0; i < capacity; i++)
        {
            freeSlots[i] = capacity - 1 - i;
        }
        freeCount = capacity;
        entityId = new long[capacity];
        archetypeId = new int[capacity];
        parentZoneId = new long[capacity];
        positionX = new long[capacity];
        positionY = new long[capacity];
        positionZ = new long[capacity];
        velocityX = new float[capacity];
        velocityY = new float[capacity];
        velocityZ = new float[capacity];
        orientationX = new float[capacity];
        orientationY = new float[capacity];
        orientationZ = new float[capacity];
        orientationW = new float[capacity];
        replicants = new ReplicantBindings[maxReplicants];
        replicants[0] = new ReplicantBindings(capacity, handleSpace());
        ownerReplicant = new int[capacity];
        ownerEpoch = new long[capacity];
        awaitingOwner = new boolean[capacity];
        awaitingOwnerSinceNs = new long[capacity];
        radius = new float[capacity];
        authorityEpoch = new long[capacity];
        lastAppliedInputSequence = new long[capacity];
        lastUpdateNs = new long[capacity];
    }

    public int capacity()
    {
        return capacity;
    }

    public int size()
    {
        return capacity - freeCount;
    }

    public int slotOf(final long id)
    {
        return (int)slotById.get(id);
    }

    public boolean contains(final long id)
    {
        return NULL_SLOT != slotById.get(id);
    }

    /**
     * @return the slot for a new or existing entity, or {@link #NULL_SLOT} when full.
     */
    int acquire(final long id)
    {
        final int existing = (int)slotById.get(id);
        if (NULL_SLOT != existing)
        {
            return existing;
        }
        if (0 == freeCount)
        {
            return NULL_SLOT;
        }
        final int slot = freeSlots[--freeCount];
        slotById.put(id, slot);
        entityId[slot] = id;
        awaitingOwner[slot] = false;
        return slot;
    }

    boolean release(final long id)
    {
        final int slot = (int)slotById.remove(id);
        if (NULL_SLOT == slot)
        {
            return false;
        }
        for (final ReplicantBindings replicant : replicants)
        {
            if (null != replicant)
            {
                replicant.release(slot);
            }
        }
        stopAwaitingOwner(slot);
        freeSlots[freeCount++] = slot;
        return true;
    }

    /**
     * @return the slot of the entity Replicant 0 named by this compact update handle, or {@link #NULL_SLOT}.
     */
    public int slotOfHandle(final int handle)
    {
        return replicants[0].slotOfHandle(handle);
    }

    /**
     * @return the slot of the entity this Replicant named by this compact update handle, or {@link #NULL_SLOT}.
     */
    public int slotOfHandle(final int replicantId, final int handle)
    {
        final ReplicantBindings replicant = replicantId >= 0 && replicantId < replicants.length ?
            replicants[replicantId] : null;
        return null == replicant ? NULL_SLOT : replicant.slotOfHandle(handle);
    }

    /**
     * @return the compact update handle of the entity in the slot, in its owner's handle space, or -1.
     */
    public int handle(final int slot)
    {
        if (awaitingOwner[slot])
        {
            return -1;
        }
        final ReplicantBindings owner = replicants[ownerReplicant[slot]];
        return null == owner ? -1 : Math.max(-1, owner.handleOf(slot));
    }

    /**
     * @return the Replicant whose state the slot holds (with {@link #awaitingOwner(int)}: the last one).
     */
    public int ownerReplicant(final int slot)
    {
        return ownerReplicant[slot];
    }

    /**
     * @return the owner epoch of {@link #ownerReplicant(int)}.
     */
    public long ownerEpoch(final int slot)
    {
        return ownerEpoch[slot];
    }

    /**
     * @return true between the owner's {@code handedOff} despawn and the next owner's spawn: the entity stays in the
     * view with its last state.
     */
    public boolean awaitingOwner(final int slot)
    {
        return awaitingOwner[slot];
    }

    /**
     * @return when the slot's entity began {@link #awaitingOwner(int)} (the link's clock, the duty cycle that read
     * the owner's {@code handedOff} despawn); meaningless while it is not awaiting.
     */
    public long awaitingOwnerSinceNs(final int slot)
    {
        return awaitingOwnerSinceNs[slot];
    }

    /**
     * @return entities in the view {@link #awaitingOwner(int)} now.
     */
    public int awaitingOwnerCount()
    {
        return awaitingOwnerCount;
    }

    /**
     * @return Replicant ids this view accepts: {@code 0..maxReplicants - 1}.
     */
    public int maxReplicants()
    {
        return replicants.length;
    }

    /**
     * The bindings of a Replicant, made at its first use (the control path: once per Replicant and view).
     *
     * @return null if the id is beyond {@link #maxReplicants()}.
     */
    ReplicantBindings replicant(final int replicantId)
    {
        if (replicantId < 0 || replicantId >= replicants.length)
        {
            return null;
        }
        ReplicantBindings replicant = replicants[replicantId];
        if (null == replicant)
        {
            replicant = new ReplicantBindings(capacity, handleSpace());
            replicants[replicantId] = replicant;
        }
        return replicant;
    }

    /**
     * Make this Replicant the slot's owner with this epoch (its state is then what the slot holds).
     */
    void owner(final int slot, final int replicantId, final long epoch)
    {
        ownerReplicant[slot] = replicantId;
        ownerEpoch[slot] = epoch;
        stopAwaitingOwner(slot);
    }

    /**
     * The owner handed the slot's entity off at {@code nowNs}: it stays, awaiting its next owner's spawn.
     */
    void awaitOwner(final int slot, final long nowNs)
    {
        if (!awaitingOwner[slot])
        {
            awaitingOwner[slot] = true;
            awaitingOwnerSinceNs[slot] = nowNs;
            awaitingOwnerCount++;
        }
    }

    private void stopAwaitingOwner(final int slot)
    {
        if (awaitingOwner[slot])
        {
            awaitingOwner[slot] = false;
            awaitingOwnerCount--;
        }
    }

    /**
     * After a resumption the new layer's owner epochs are not comparable with the old one's: forget them, so the
     * first spawn of each entity takes it.
     */
    void forgetOwnerEpochs()
    {
        java.util.Arrays.fill(ownerEpoch, Long.MIN_VALUE);
        if (null != removedAtEpoch)
        {
            removedAtEpoch.clear();
        }
    }

    /**
     * The owner removed an entity at this owner epoch: remember it (the last {@code capacity} removals), so that a
     * spawn with a lower epoch arriving later (the late spawn of a Replicant that lost the entity before it was
     * removed) is known for stale rather than taken for the entity coming back. Epochs of 0 or less are not
     * remembered: nothing is lower than the first owner's epoch, and with one Replicant every epoch is 0.
     */
    void rememberRemoval(final long id, final long epoch)
    {
        if (epoch <= 0)
        {
            return;
        }
        if (null == removedAtEpoch)
        {
            removedAtEpoch = new Long2LongHashMap(Math.max(16, capacity * 4), 0.65f, Long.MIN_VALUE);
            removedRing = new long[Math.max(8, capacity)];
        }
        if (removedRingFull)
        {
            // the oldest removal goes (a later removal of the same id goes with it: memory stays bounded)
            removedAtEpoch.remove(removedRing[removedHead]);
        }
        removedRing[removedHead] = id;
        removedRingFull |= removedHead + 1 == removedRing.length;
        removedHead = removedHead + 1 == removedRing.length ? 0 : removedHead + 1;
        removedAtEpoch.put(id, epoch);
    }

    /**
     * @return true if the entity's owner removed it at a higher epoch than this (see {@link #rememberRemoval}); a
     * spawn at that epoch or higher forgets the removal.
     */
    boolean isRemovedAbove(final long id, final long epoch)
    {
        if (null == removedAtEpoch)
        {
            return false;
        }
        final long removed = removedAtEpoch.get(id);
        if (Long.MIN_VALUE == removed)
        {
            return false;
        }
        if (epoch < removed)
        {
            return true;
        }
        removedAtEpoch.remove(id);
        return false;
    }

    private int handleSpace()
    {
        return Math.max(64, capacity * 2);
    }

    void clear()
    {
        for (final ReplicantBindings replicant : replicants)
        {
            if (null != replicant)
            {
                replicant.clear();
            }
        }
        java.util.Arrays.fill(awaitingOwner, false);
        awaitingOwnerCount = 0;
        if (null != removedAtEpoch)
        {
            removedAtEpoch.clear();
        }
        slotById.clear();
        freeCount = capacity;
        for (int i = 0; i < capacity; i++)
        {
            freeSlots[i] = capacity - 1 - i;
        }
    }

    /**
     * Write an entity's state into its slot: every replicated field of {@code state} but its id (the slot's entity
     * is the one {@link #acquire(long)} bound) and owner, stamped {@code nowNs}.
     */
    void set(final int slot, final EntityState state, final long nowNs)
    {
        archetypeId[slot] = state.archetypeId();
        parentZoneId[slot] = state.parentZoneId();
        positionX[slot] = state.x();
        positionY[slot] = state.y();
        positionZ[slot] = state.z();
        velocityX[slot] = state.vx();
        velocityY[slot] = state.vy();
        velocityZ[slot] = state.vz();
        orientationX[slot] = state.qx();
        orientationY[slot] = state.qy();
        orientationZ[slot] = state.qz();
        orientationW[slot] = state.qw();
        radius[slot] = state.radius();
        authorityEpoch[slot] = state.authorityEpoch();
        lastAppliedInputSequence[slot] = state.lastAppliedInputSequence();
        lastUpdateNs[slot] = nowNs;
    }

    /**
     * Apply one compact update entry to its slot in place: only the fields in the entry's mask change (a position
     * delta in {@link CompactUpdates#POSITION_UNIT_MM} units is added to the held position, or with
     * {@link CompactUpdates#PARENT_ZONE} the zone and absolute position replace it; the last applied input is a delta
     * too), stamped {@code nowNs}. Component state is not kept by the view.
     */
    void apply(final int slot, final CompactUpdates.Reader entry, final long nowNs)
    {
        final int mask = entry.mask();
        if (0 != (mask & CompactUpdates.PARENT_ZONE))
        {
            parentZoneId[slot] = entry.parentZoneId();
        }
        applyPosition(entry, positionX, positionY, positionZ, slot);
        if (0 != (mask & CompactUpdates.VELOCITY))
        {
            velocityX[slot] = CompactUpdates.velocityOf(entry.velocityX());
            velocityY[slot] = CompactUpdates.velocityOf(entry.velocityY());
            velocityZ[slot] = CompactUpdates.velocityOf(entry.velocityZ());
        }
        if (0 != (mask & CompactUpdates.ORIENTATION))
        {
            final int packed = entry.orientation();
            orientationX[slot] = CompactUpdates.orientationComponent(packed, 0);
            orientationY[slot] = CompactUpdates.orientationComponent(packed, 1);
            orientationZ[slot] = CompactUpdates.orientationComponent(packed, 2);
            orientationW[slot] = CompactUpdates.orientationComponent(packed, 3);
        }
        if (0 != (mask & CompactUpdates.SIZE))
        {
            radius[slot] = entry.radius();
        }
        if (0 != (mask & CompactUpdates.AUTHORITY_EPOCH))
        {
            authorityEpoch[slot] = entry.authorityEpoch();
        }
        if (0 != (mask & CompactUpdates.LAST_APPLIED_INPUT))
        {
            lastAppliedInputSequence[slot] += entry.lastAppliedInputDelta();
        }
        lastUpdateNs[slot] = nowNs;
    }

    /**
     * Apply an entry's position to element {@code index} of the arrays: with {@link CompactUpdates#PARENT_ZONE} the
     * absolute millimetres replace it, else a {@link CompactUpdates#POSITION} delta in
     * {@link CompactUpdates#POSITION_UNIT_MM} units is added. The view and every Replicant's baselines use this one
     * arithmetic.
     */
    static void applyPosition(
        final CompactUpdates.Reader entry, final long[] x, final long[] y, final long[] z, final int index)
    {
        final int mask = entry.mask();
        if (0 != (mask & CompactUpdates.PARENT_ZONE))
        {
            x[index] = entry.positionX();
            y[index] = entry.positionY();
            z[index] = entry.positionZ();
        }
        else if (0 != (mask & CompactUpdates.POSITION))
        {
            x[index] += entry.positionX() * CompactUpdates.POSITION_UNIT_MM;
            y[index] += entry.positionY() * CompactUpdates.POSITION_UNIT_MM;
            z[index] += entry.positionZ() * CompactUpdates.POSITION_UNIT_MM;
        }
    }

    /**
     * Copy the entity in a slot into a reusable struct (owner and component state are not kept by the view: 0 and
     * empty).
     * <pre>{@code
     * final EntityState state = new EntityState(0); // once
     * view.copyTo(slot, state);
     * render(state.archetypeId(), state.x(), state.y(), state.z(), state.qx(), state.qy(), state.qz(), state.qw());
     * }</pre>
     *
     * @return {@code into}.
     */
    public EntityState copyTo(final int slot, final EntityState into)
    {
        into.reset()
            .entityId(entityId[slot])
            .archetypeId(archetypeId[slot])
            .parentZoneId(parentZoneId[slot])
            .position(positionX[slot], positionY[slot], positionZ[slot])
            .orientation(orientationX[slot], orientationY[slot], orientationZ[slot], orientationW[slot])
            .velocity(velocityX[slot], velocityY[slot], velocityZ[slot])
            .radius(radius[slot])
            .authorityEpoch(authorityEpoch[slot])
            .lastAppliedInputSequence(lastAppliedInputSequence[slot]);
        return into;
    }

    public float orientationX(final int slot)
    {
        return orientationX[slot];
    }

    public float orientationY(final int slot)
    {
        return orientationY[slot];
    }

    public float orientationZ(final int slot)
    {
        return orientationZ[slot];
    }

    public float orientationW(final int slot)
    {
        return orientationW[slot];
    }

    public long entityId(final int slot)
    {
        return entityId[slot];
    }

    public int archetypeId(final int slot)
    {
        return archetypeId[slot];
    }

    public long parentZoneId(final int slot)
    {
        return parentZoneId[slot];
    }

    public long positionX(final int slot)
    {
        return positionX[slot];
    }

    public long positionY(final int slot)
    {
        return positionY[slot];
    }

    public long positionZ(final int slot)
    {
        return positionZ[slot];
    }

    public float velocityX(final int slot)
    {
        return velocityX[slot];
    }

    public float velocityY(final int slot)
    {
        return velocityY[slot];
    }

    public float velocityZ(final int slot)
    {
        return velocityZ[slot];
    }

    public float radius(final int slot)
    {
        return radius[slot];
    }

    public long authorityEpoch(final int slot)
    {
        return authorityEpoch[slot];
    }

    public long lastAppliedInputSequence(final int slot)
    {
        return lastAppliedInputSequence[slot];
    }

    public long lastUpdateNs(final int slot)
    {
        return lastUpdateNs[slot];
    }
}
