/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.client;

import org.agrona.collections.Long2LongHashMap;

/**
 * A client's local copy of the entities in its streaming bubble, in struct-of-arrays form with a fixed capacity.
 * Slots are reused after despawn. Positions are millimetres relative to {@link #parentZoneId(int)}.
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
    private final float[] radius;
    private final long[] authorityEpoch;
    private final long[] lastAppliedInputSequence;
    private final long[] lastUpdateNs;

    public ClientEntityView(final int capacity)
    {
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
        return slot;
    }

    boolean release(final long id)
    {
        final int slot = (int)slotById.remove(id);
        if (NULL_SLOT == slot)
        {
            return false;
        }
        freeSlots[freeCount++] = slot;
        return true;
    }

    void clear()
    {
        slotById.clear();
        freeCount = capacity;
        for (int i = 0; i < capacity; i++)
        {
            freeSlots[i] = capacity - 1 - i;
        }
    }

    void set(
        final int slot,
        final int archetype,
        final long zone,
        final long x,
        final long y,
        final long z,
        final float vx,
        final float vy,
        final float vz,
        final float r,
        final long epoch,
        final long lastInput,
        final long nowNs)
    {
        archetypeId[slot] = archetype;
        parentZoneId[slot] = zone;
        positionX[slot] = x;
        positionY[slot] = y;
        positionZ[slot] = z;
        velocityX[slot] = vx;
        velocityY[slot] = vy;
        velocityZ[slot] = vz;
        radius[slot] = r;
        authorityEpoch[slot] = epoch;
        lastAppliedInputSequence[slot] = lastInput;
        lastUpdateNs[slot] = nowNs;
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
