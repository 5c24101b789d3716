/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant;

import org.agrona.collections.Long2LongHashMap;

/**
 * The slots of an {@link EntityStore}: the entity id to slot map, the dense list of occupied slots (iterated without
 * allocation) and the ring of free slots, reused in FIFO order (the longest-free slot first) so that a slot is reused
 * as late as possible.
 * <p>
 * Agrona 2.4.1 has no {@code Long2IntHashMap}: the id to slot map is a pre-sized {@link Long2LongHashMap}.
 * <p>
 * Threading: the store's single thread. Nothing allocates after construction.
 */
final class EntitySlots
{
    private final int capacity;
    private final Long2LongHashMap slotByEntityId;
    private final boolean[] active;
    private final int[] denseIndex;
    private final int[] activeSlots;
    private int activeCount;
    private final int[] freeRing;
    private int freeHead;
    private int freeCount;

    EntitySlots(final int capacity)
    {
        this.capacity = capacity;
        slotByEntityId = new Long2LongHashMap((int)(capacity / 0.65f) + 2, 0.65f, EntityStore.NULL_SLOT);
        active = new boolean[capacity];
        denseIndex = new int[capacity];
        activeSlots = new int[capacity];
        freeRing = new int[capacity];
        for (int i = 0; i < capacity; i++)
        {
            freeRing[i] = i;
        }
        freeCount = capacity;
    }

    /**
     * @return the slot of the entity, or {@link EntityStore#NULL_SLOT}.
     */
    int slotOf(final long entityId)
    {
        return (int)slotByEntityId.get(entityId);
    }

    boolean isFull()
    {
        return 0 == freeCount;
    }

    /**
     * Take the longest-free slot for an entity; the caller checked {@link #isFull()} and that the id is unknown.
     *
     * @return the slot.
     */
    int allocate(final long entityId)
    {
        final int slot = freeRing[freeHead];
        freeHead = (freeHead + 1) % capacity;
        freeCount--;

        active[slot] = true;
        denseIndex[slot] = activeCount;
        activeSlots[activeCount++] = slot;
        slotByEntityId.put(entityId, slot);
        return slot;
    }

    /**
     * First step of a removal: the id is no longer known, the slot stays in the active list until {@link #free(int)}.
     *
     * @return the slot it had, or {@link EntityStore#NULL_SLOT}.
     */
    int unmap(final long entityId)
    {
        return (int)slotByEntityId.remove(entityId);
    }

    /**
     * Last step of a removal: the slot leaves the active list and goes to the back of the free ring.
     */
    void free(final int slot)
    {
        active[slot] = false;
        final int index = denseIndex[slot];
        final int lastSlot = activeSlots[--activeCount];
        activeSlots[index] = lastSlot;
        denseIndex[lastSlot] = index;

        freeRing[(freeHead + freeCount) % capacity] = slot;
        freeCount++;
    }

    boolean isActive(final int slot)
    {
        return active[slot];
    }

    int activeCount()
    {
        return activeCount;
    }

    int activeSlot(final int index)
    {
        return activeSlots[index];
    }
}
