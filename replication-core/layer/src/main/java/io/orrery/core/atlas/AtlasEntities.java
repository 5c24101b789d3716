/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import org.agrona.collections.Long2LongHashMap;

import java.util.Arrays;

/**
 * {@link Atlas}'s own table of the entities it decides for, keyed by id, as struct-of-arrays: what Atlas needs to
 * find an entity's territory (parent, position, zone flag) and what it decides (epoch, authority, handoff). Filled
 * from commands, never from the cache. Slots are reused; arrays grow (doubling) when the table is full.
 * <p>
 * Threading: Atlas's thread only.
 */
final class AtlasEntities
{
    private static final int NO_SLOT = -1;

    private final Long2LongHashMap slotById = new Long2LongHashMap(NO_SLOT);
    private int[] free;
    private int freeCount;
    private int[] active;
    private int[] activeIndex;
    private int activeCount;

    long[] entityId;
    long[] incarnation;
    long[] parentId;
    boolean[] isZone;
    long[] x;
    long[] y;
    long[] z;
    long[] epoch;
    int[] owner;
    int[] handoffTarget;
    long[] handoffId;
    long[] handoffDeadlineNs;
    boolean[] released;
    boolean[] accepted;

    AtlasEntities(final int initialCapacity)
    {
        allocate(Math.max(16, initialCapacity));
    }

    int size()
    {
        return activeCount;
    }

    int activeSlot(final int index)
    {
        return active[index];
    }

    int slotOf(final long entityId)
    {
        return (int)slotById.get(entityId);
    }

    int add(
        final long entityId,
        final long incarnation,
        final long parentId,
        final boolean isZone,
        final long x,
        final long y,
        final long z,
        final long epoch)
    {
        if (0 == freeCount)
        {
            allocate(this.entityId.length * 2);
        }
        final int slot = free[--freeCount];
        slotById.put(entityId, slot);
        activeIndex[slot] = activeCount;
        active[activeCount++] = slot;
        this.entityId[slot] = entityId;
        this.incarnation[slot] = incarnation;
        this.isZone[slot] = isZone;
        this.epoch[slot] = epoch;
        owner[slot] = Atlas.NO_SERVER;
        clearHandoff(slot);
        place(slot, parentId, x, y, z);
        return slot;
    }

    void place(final int slot, final long parentId, final long x, final long y, final long z)
    {
        this.parentId[slot] = parentId;
        this.x[slot] = x;
        this.y[slot] = y;
        this.z[slot] = z;
    }

    void remove(final int slot)
    {
        slotById.remove(entityId[slot]);
        final int index = activeIndex[slot];
        final int last = active[--activeCount];
        active[index] = last;
        activeIndex[last] = index;
        free[freeCount++] = slot;
        owner[slot] = Atlas.NO_SERVER;
        clearHandoff(slot);
    }

    void clearHandoff(final int slot)
    {
        handoffTarget[slot] = Atlas.NO_SERVER;
        handoffId[slot] = 0;
        handoffDeadlineNs[slot] = 0;
        released[slot] = false;
        accepted[slot] = false;
    }

    private void allocate(final int capacity)
    {
        final int old = null == entityId ? 0 : entityId.length;
        entityId = grow(entityId, capacity);
        incarnation = grow(incarnation, capacity);
        parentId = grow(parentId, capacity);
        isZone = null == isZone ? new boolean[capacity] : Arrays.copyOf(isZone, capacity);
        x = grow(x, capacity);
        y = grow(y, capacity);
        z = grow(z, capacity);
        epoch = grow(epoch, capacity);
        owner = null == owner ? new int[capacity] : Arrays.copyOf(owner, capacity);
        handoffTarget = null == handoffTarget ? new int[capacity] : Arrays.copyOf(handoffTarget, capacity);
        handoffId = grow(handoffId, capacity);
        handoffDeadlineNs = grow(handoffDeadlineNs, capacity);
        released = null == released ? new boolean[capacity] : Arrays.copyOf(released, capacity);
        accepted = null == accepted ? new boolean[capacity] : Arrays.copyOf(accepted, capacity);
        active = null == active ? new int[capacity] : Arrays.copyOf(active, capacity);
        activeIndex = null == activeIndex ? new int[capacity] : Arrays.copyOf(activeIndex, capacity);
        free = null == free ? new int[capacity] : Arrays.copyOf(free, capacity);
        for (int slot = capacity - 1; slot >= old; slot--)
        {
            free[freeCount++] = slot;
        }
    }

    private static long[] grow(final long[] array, final int capacity)
    {
        return null == array ? new long[capacity] : Arrays.copyOf(array, capacity);
    }
}
