/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers.game;

import io.orrery.link.EntityState;
import org.agrona.collections.Long2LongHashMap;

/**
 * The entities a game server has authority over, as a struct of arrays indexed by a dense slot {@code [0, size)}.
 * Removal moves the last slot into the freed one, so slots are stable only until the next removal; ids are stable.
 * <pre>
 *   slot:  0      1      2     ...  size-1 | free ... capacity-1
 *          id[]   archetype[]  x[] y[] z[] vx[] ... epoch[] changed[] kind[] (one array per field)
 *   index: Long2LongHashMap entity id -> slot
 * </pre>
 * Every array is allocated once at construction with a fixed capacity; adding to a full table fails (returns
 * {@link #NULL_SLOT}) instead of growing, so nothing here allocates after construction.
 * <p>
 * Threading: single threaded, owned by the game server's simulation thread.
 */
public final class EntityTable
{
    public static final int NULL_SLOT = -1;

    /**
     * A player-controlled entity: moved by input.
     */
    public static final byte KIND_PLAYER = 1;
    /**
     * An NPC that wanders: seeded random walk between waypoints inside its territory.
     */
    public static final byte KIND_NPC_WANDER = 2;
    /**
     * An NPC that follows the nearest player within range (and wanders when there is none).
     */
    public static final byte KIND_NPC_FOLLOW = 3;
    /**
     * Anything else the server adopted: kept and handed back, not simulated.
     */
    public static final byte KIND_PROP = 4;

    final int capacity;
    final Long2LongHashMap slotById;
    int size;

    final long[] id;
    final int[] archetype;
    final long[] ownerPlayerId;
    final long[] parentZoneId;
    final long[] x;
    final long[] y;
    final long[] z;
    final float[] vx;
    final float[] vy;
    final float[] vz;
    final float[] qx;
    final float[] qy;
    final float[] qz;
    final float[] qw;
    final float[] radius;
    final long[] epoch;
    final int[] territoryId;
    final int[] changed;
    final byte[] kind;
    final boolean[] active;

    // players: the move in force (fraction of max speed per axis), the latest accepted input not yet applied, and
    // the sequences processed (accepted or rejected) and applied (echoed in the state)
    final float[] moveX;
    final float[] moveY;
    final float[] moveZ;
    final float[] pendingMoveX;
    final float[] pendingMoveY;
    final float[] pendingMoveZ;
    final float[] pendingYaw;
    final int[] pendingActions;
    final boolean[] movePending;
    final int[] actions;
    final long[] processedSequence;
    final long[] appliedSequence;

    // NPCs: waypoint, lifetime, follow target
    final long[] targetX;
    final long[] targetY;
    final long[] expiresAtNs;
    final long[] followId;
    final int[] retargetTick;
    // entities this server asked to create: not simulated until the Replication Layer streams them in
    final long[] pendingUntilNs;

    EntityTable(final int capacity)
    {
        this.capacity = capacity;
        slotById = new Long2LongHashMap(capacity * 2, org.agrona.collections.Hashing.DEFAULT_LOAD_FACTOR, NULL_SLOT);
        id = new long[capacity];
        archetype = new int[capacity];
        ownerPlayerId = new long[capacity];
        parentZoneId = new long[capacity];
        x = new long[capacity];
        y = new long[capacity];
        z = new long[capacity];
        vx = new float[capacity];
        vy = new float[capacity];
        vz = new float[capacity];
        qx = new float[capacity];
        qy = new float[capacity];
        qz = new float[capacity];
        qw = new float[capacity];
        radius = new float[capacity];
        epoch = new long[capacity];
        territoryId = new int[capacity];
        changed = new int[capacity];
        kind = new byte[capacity];
        active = new boolean[capacity];
        moveX = new float[capacity];
        moveY = new float[capacity];
        moveZ = new float[capacity];
        pendingMoveX = new float[capacity];
        pendingMoveY = new float[capacity];
        pendingMoveZ = new float[capacity];
        pendingYaw = new float[capacity];
        pendingActions = new int[capacity];
        movePending = new boolean[capacity];
        actions = new int[capacity];
        processedSequence = new long[capacity];
        appliedSequence = new long[capacity];
        targetX = new long[capacity];
        targetY = new long[capacity];
        expiresAtNs = new long[capacity];
        followId = new long[capacity];
        retargetTick = new int[capacity];
        pendingUntilNs = new long[capacity];
    }

    /**
     * @return the slot of an entity, or {@link #NULL_SLOT}.
     */
    public int slotOf(final long entityId)
    {
        return (int)slotById.get(entityId);
    }

    public int size()
    {
        return size;
    }

    public int capacity()
    {
        return capacity;
    }

    /**
     * Add an entity with every field zeroed except its id, identity orientation and a full change mask.
     *
     * @return its slot, or {@link #NULL_SLOT} when the table is full or the id is present.
     */
    int add(final long entityId)
    {
        if (size == capacity || NULL_SLOT != slotOf(entityId))
        {
            return NULL_SLOT;
        }
        final int slot = size++;
        slotById.put(entityId, slot);
        id[slot] = entityId;
        archetype[slot] = 0;
        ownerPlayerId[slot] = 0;
        parentZoneId[slot] = 0;
        x[slot] = 0;
        y[slot] = 0;
        z[slot] = 0;
        vx[slot] = 0;
        vy[slot] = 0;
        vz[slot] = 0;
        qx[slot] = 0;
        qy[slot] = 0;
        qz[slot] = 0;
        qw[slot] = 1;
        radius[slot] = 0;
        epoch[slot] = 0;
        territoryId[slot] = 0;
        changed[slot] = GameWorld.CHANGED_ALL;
        kind[slot] = KIND_PROP;
        active[slot] = true;
        moveX[slot] = 0;
        moveY[slot] = 0;
        moveZ[slot] = 0;
        pendingMoveX[slot] = 0;
        pendingMoveY[slot] = 0;
        pendingMoveZ[slot] = 0;
        pendingYaw[slot] = 0;
        pendingActions[slot] = 0;
        movePending[slot] = false;
        actions[slot] = 0;
        processedSequence[slot] = 0;
        appliedSequence[slot] = 0;
        targetX[slot] = 0;
        targetY[slot] = 0;
        expiresAtNs[slot] = Long.MAX_VALUE;
        followId[slot] = 0;
        retargetTick[slot] = 0;
        pendingUntilNs[slot] = 0;
        return slot;
    }

    /**
     * Remove the entity in a slot; the last slot moves into it.
     */
    void removeSlot(final int slot)
    {
        slotById.remove(id[slot]);
        final int last = --size;
        if (slot != last)
        {
            copy(last, slot);
            slotById.put(id[slot], slot);
        }
    }

    private void copy(final int from, final int to)
    {
        id[to] = id[from];
        archetype[to] = archetype[from];
        ownerPlayerId[to] = ownerPlayerId[from];
        parentZoneId[to] = parentZoneId[from];
        x[to] = x[from];
        y[to] = y[from];
        z[to] = z[from];
        vx[to] = vx[from];
        vy[to] = vy[from];
        vz[to] = vz[from];
        qx[to] = qx[from];
        qy[to] = qy[from];
        qz[to] = qz[from];
        qw[to] = qw[from];
        radius[to] = radius[from];
        epoch[to] = epoch[from];
        territoryId[to] = territoryId[from];
        changed[to] = changed[from];
        kind[to] = kind[from];
        active[to] = active[from];
        moveX[to] = moveX[from];
        moveY[to] = moveY[from];
        moveZ[to] = moveZ[from];
        pendingMoveX[to] = pendingMoveX[from];
        pendingMoveY[to] = pendingMoveY[from];
        pendingMoveZ[to] = pendingMoveZ[from];
        pendingYaw[to] = pendingYaw[from];
        pendingActions[to] = pendingActions[from];
        movePending[to] = movePending[from];
        actions[to] = actions[from];
        processedSequence[to] = processedSequence[from];
        appliedSequence[to] = appliedSequence[from];
        targetX[to] = targetX[from];
        targetY[to] = targetY[from];
        expiresAtNs[to] = expiresAtNs[from];
        followId[to] = followId[from];
        retargetTick[to] = retargetTick[from];
        pendingUntilNs[to] = pendingUntilNs[from];
    }

    /**
     * Write the replicated fields of a state into a slot (not its id, kind, territory or change mask).
     */
    void setState(final int slot, final EntityState state)
    {
        archetype[slot] = state.archetypeId();
        ownerPlayerId[slot] = state.ownerPlayerId();
        parentZoneId[slot] = state.parentZoneId();
        x[slot] = state.x();
        y[slot] = state.y();
        z[slot] = state.z();
        qx[slot] = state.qx();
        qy[slot] = state.qy();
        qz[slot] = state.qz();
        qw[slot] = state.qw();
        vx[slot] = state.vx();
        vy[slot] = state.vy();
        vz[slot] = state.vz();
        radius[slot] = state.radius();
        epoch[slot] = state.authorityEpoch();
    }

    /**
     * Copy the replicated state of a slot into a reusable struct (to publish it, create it or hand it back): every
     * field, with the epoch of the entity and its last applied input sequence; no component state.
     *
     * @return {@code into}.
     */
    public EntityState copyTo(final int slot, final EntityState into)
    {
        into.reset()
            .entityId(id[slot])
            .archetypeId(archetype[slot])
            .ownerPlayerId(ownerPlayerId[slot])
            .parentZoneId(parentZoneId[slot])
            .position(x[slot], y[slot], z[slot])
            .orientation(qx[slot], qy[slot], qz[slot], qw[slot])
            .velocity(vx[slot], vy[slot], vz[slot])
            .radius(radius[slot])
            .authorityEpoch(epoch[slot])
            .lastAppliedInputSequence(appliedSequence[slot]);
        return into;
    }

    /**
     * Set a velocity (m/s), marking it changed only if it differs.
     */
    void setVelocity(final int slot, final float newVx, final float newVy, final float newVz)
    {
        if (newVx != vx[slot] || newVy != vy[slot] || newVz != vz[slot])
        {
            vx[slot] = newVx;
            vy[slot] = newVy;
            vz[slot] = newVz;
            changed[slot] |= GameWorld.CHANGED_VELOCITY;
        }
    }

    /**
     * Move an entity by its velocity over one step ({@code stepMm}: millimetres per metre per second, the step in
     * seconds times 1,000), marking the position changed if it moved.
     */
    void integrate(final int slot, final double stepMm)
    {
        final float slotVx = vx[slot];
        final float slotVy = vy[slot];
        final float slotVz = vz[slot];
        if (0 != slotVx || 0 != slotVy || 0 != slotVz)
        {
            x[slot] += Math.round(slotVx * stepMm);
            y[slot] += Math.round(slotVy * stepMm);
            z[slot] += Math.round(slotVz * stepMm);
            changed[slot] |= GameWorld.CHANGED_POSITION;
        }
    }

    // read accessors for publishers and tests

    public long entityId(final int slot)
    {
        return id[slot];
    }

    public int archetypeId(final int slot)
    {
        return archetype[slot];
    }

    public long ownerPlayerId(final int slot)
    {
        return ownerPlayerId[slot];
    }

    public long parentZoneId(final int slot)
    {
        return parentZoneId[slot];
    }

    public long positionX(final int slot)
    {
        return x[slot];
    }

    public long positionY(final int slot)
    {
        return y[slot];
    }

    public long positionZ(final int slot)
    {
        return z[slot];
    }

    public float velocityX(final int slot)
    {
        return vx[slot];
    }

    public float velocityY(final int slot)
    {
        return vy[slot];
    }

    public float velocityZ(final int slot)
    {
        return vz[slot];
    }

    public float orientationX(final int slot)
    {
        return qx[slot];
    }

    public float orientationY(final int slot)
    {
        return qy[slot];
    }

    public float orientationZ(final int slot)
    {
        return qz[slot];
    }

    public float orientationW(final int slot)
    {
        return qw[slot];
    }

    public float radius(final int slot)
    {
        return radius[slot];
    }

    public long epoch(final int slot)
    {
        return epoch[slot];
    }

    public int territoryId(final int slot)
    {
        return territoryId[slot];
    }

    /**
     * @return the fields changed since the state was last published, as {@code GameWorld.CHANGED_*} bits.
     */
    public int changedMask(final int slot)
    {
        return changed[slot];
    }

    public byte kind(final int slot)
    {
        return kind[slot];
    }

    /**
     * @return false while the entity is a spawn this server requested and the Replication Layer has not yet streamed
     * in (not simulated, not published).
     */
    public boolean isActive(final int slot)
    {
        return active[slot];
    }

    /**
     * @return the last input sequence applied to the entity (echoed in its state).
     */
    public long lastAppliedInputSequence(final int slot)
    {
        return appliedSequence[slot];
    }

    /**
     * @return the last input sequence processed (applied or rejected); at least the applied one.
     */
    public long lastProcessedInputSequence(final int slot)
    {
        return processedSequence[slot];
    }

    public int actions(final int slot)
    {
        return actions[slot];
    }

    public long expiresAtNs(final int slot)
    {
        return expiresAtNs[slot];
    }

    public long followEntityId(final int slot)
    {
        return followId[slot];
    }
}
