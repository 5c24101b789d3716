/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant;

/**
 * Change tracking of an {@link EntityStore}: a store-wide change sequence incremented on every write that changes a
 * field, and per entity the sequence at which each field last changed, at which any field last changed, and at which
 * the entity in the slot was created. No per-observer dirty masks: a reader asks for the fields changed since the
 * sequence at which it last sent the entity.
 * <pre>
 *   fieldChangeSeq, FIELD_COUNT longs per slot, indexed [slot * FIELD_COUNT + bit]:
 *   +----------+----------+-------------+------+-------------+-----------------+------------------+----------------+
 *   | position | velocity | orientation | size | parentZone  | componentState  | lastAppliedInput | authorityEpoch |
 *   +----------+----------+-------------+------+-------------+-----------------+------------------+----------------+
 *     bit 0      bit 1      bit 2         bit 3  bit 4         bit 5             bit 6              bit 7
 * </pre>
 * <p>
 * Removals are journalled: the slot of every removal, in order, in a ring of the store's capacity rounded up to a
 * power of two, numbered by a running count ({@link #removals()}). A reader that remembers the count at which it last
 * looked finds the slots removed since in time proportional to their number, or learns that the ring wrapped past
 * it (more removals than the ring holds since then) and must look at every slot instead.
 * <p>
 * Changed slots are listed: each slot created, changed or given another owner is listed once until the list is
 * cleared ({@link #clearChangedSlots()}), so one reader (the primary Replicant's state feed) visits what changed, not
 * every entity. Without a reader the list fills up to the slots ever changed and stays: one flag test per write.
 * <p>
 * Threading: the store's single thread. Nothing allocates after construction.
 */
final class EntityChangeTracker
{
    private static final int FIELD_COUNT = EntityStore.FIELD_COUNT;

    private final long[] fieldChangeSeqs;
    private final long[] lastChangeSeqs;
    private final long[] createdSeqs;
    private final int[] removedSlots;
    private final int removedSlotsMask;
    private long changeSeq;
    private long removals;
    private final int[] changedSlots;
    private final boolean[] listed;
    private int changedSlotCount;

    EntityChangeTracker(final int capacity)
    {
        fieldChangeSeqs = new long[capacity * FIELD_COUNT];
        lastChangeSeqs = new long[capacity];
        createdSeqs = new long[capacity];
        final int journalLength = Integer.highestOneBit(Math.max(1, capacity - 1)) << 1;
        removedSlots = new int[journalLength];
        removedSlotsMask = journalLength - 1;
        changedSlots = new int[capacity];
        listed = new boolean[capacity];
    }

    long changeSeq()
    {
        return changeSeq;
    }

    /**
     * A new entity in the slot: every field counts as changed at its creation sequence.
     */
    void onCreated(final int slot)
    {
        final long seq = ++changeSeq;
        createdSeqs[slot] = seq;
        lastChangeSeqs[slot] = seq;
        final int base = slot * FIELD_COUNT;
        for (int i = 0; i < FIELD_COUNT; i++)
        {
            fieldChangeSeqs[base + i] = seq;
        }
        list(slot);
    }

    /**
     * An entity left the store: a change for readers of the store, none for any one slot; journalled.
     *
     * @param slot the slot it occupied.
     */
    void onRemoved(final int slot)
    {
        changeSeq++;
        removedSlots[(int)(removals++ & removedSlotsMask)] = slot;
    }

    /**
     * @return removals so far: the number the next removal's journal entry follows.
     */
    long removals()
    {
        return removals;
    }

    /**
     * @return removals the journal holds: a reader more than this many removals behind must scan every slot.
     */
    int removalJournalLength()
    {
        return removedSlots.length;
    }

    /**
     * @param removal a removal's number, at least {@code removals() - removalJournalLength()} and below
     *                {@code removals()}.
     * @return the slot that removal freed (it may hold another entity since).
     */
    int removedSlot(final long removal)
    {
        return removedSlots[(int)(removal & removedSlotsMask)];
    }

    void markChanged(final int slot, final int fieldIndex)
    {
        final long seq = ++changeSeq;
        fieldChangeSeqs[slot * FIELD_COUNT + fieldIndex] = seq;
        lastChangeSeqs[slot] = seq;
        list(slot);
    }

    /**
     * List a slot as changed (once until the list is cleared).
     */
    void list(final int slot)
    {
        if (!listed[slot])
        {
            listed[slot] = true;
            changedSlots[changedSlotCount++] = slot;
        }
    }

    int changedSlotCount()
    {
        return changedSlotCount;
    }

    int changedSlot(final int index)
    {
        return changedSlots[index];
    }

    void clearChangedSlots()
    {
        for (int i = 0, n = changedSlotCount; i < n; i++)
        {
            listed[changedSlots[i]] = false;
        }
        changedSlotCount = 0;
    }

    long createdSeq(final int slot)
    {
        return createdSeqs[slot];
    }

    long lastChangeSeq(final int slot)
    {
        return lastChangeSeqs[slot];
    }

    /**
     * @return mask of the fields of the slot changed after {@code seq} (0 if none).
     */
    int changedSince(final int slot, final long seq)
    {
        if (lastChangeSeqs[slot] <= seq)
        {
            return 0;
        }

        final int base = slot * FIELD_COUNT;
        int mask = 0;
        for (int i = 0; i < FIELD_COUNT; i++)
        {
            if (fieldChangeSeqs[base + i] > seq)
            {
                mask |= 1 << i;
            }
        }

        return mask;
    }
}
