/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant;

/**
 * Per-observer view state of one {@link InterestPartition}: who the observers are, what they follow, and the entries
 * of their views, flattened into arrays of {@code capacity * viewCapacity}, entries dense per observer (observer
 * indices here are the partition's local indices):
 * <pre>
 *   observer o owns entries [o * V, o * V + viewCounts[o]):
 *   +------+------------+----------+-------------+------------------+-------+--------+--------+
 *   | slot | createdSeq | entityId | lastSentSeq | accumulated prio | state | reason | handle |
 *   +------+------------+----------+-------------+------------------+-------+--------+--------+
 *   state: SPAWN_PENDING (never delivered), RESPAWN_PENDING (the observer may hold an old copy),
 *          SPAWNED, DESPAWN_PENDING (reason = DespawnReason value), DESPAWN_SENT (only within emission)
 *   handle: what the egress named the entity by at its spawn (ObserverEgress.NO_HANDLE before), handed back with
 *           every update and the despawn
 * </pre>
 * The arrays are package-private and read and written directly by the partition, its {@link ViewSelection} and its
 * emission; this class owns their allocation, the observer slots (a free list and a dense list of active ones) and the
 * entry moves.
 * <p>
 * Threading: the thread of the worker that owns the partition during a tick; the Replicant's thread between ticks
 * (adding and removing observers). Never both at once (see {@link InterestEngine}).
 */
final class ObserverViews
{
    static final byte SPAWN_PENDING = 1;
    static final byte RESPAWN_PENDING = 2;
    static final byte SPAWNED = 3;
    static final byte DESPAWN_PENDING = 4;
    static final byte DESPAWN_SENT = 5;
    /**
     * Several Replicants: an entity this Replicant gained from another, to spawn this tick outside the budget (never
     * seen across ticks: a tick that does not send it leaves it {@link #SPAWN_PENDING}).
     */
    static final byte HANDOFF_PENDING = 6;

    final int capacity;
    final int viewCapacity;

    // observers
    final long[] observerIds;
    final ObserverEgress[] egresses;
    final int[] budgets;
    final long[] followIds;
    final int[] followSlots;
    final long[] followCreatedSeqs;
    final boolean[] hasCentre;
    final long[] centreX;
    final long[] centreY;
    final long[] centreZ;
    final boolean[] lagging;
    final boolean[] needsResync;
    final boolean[] resyncing;
    final int[] viewCounts;
    final int[] activeObservers;
    private final int[] activePositions;
    int activeCount;
    private final int[] freeObservers;
    private int freeCount;

    // views
    final int[] slots;
    final long[] createdSeqs;
    final long[] entityIds;
    final long[] lastSentSeqs;
    final double[] priorities;
    final byte[] states;
    final byte[] reasons;
    final int[] handles;

    ObserverViews(final int capacity, final int viewCapacity)
    {
        this.capacity = capacity;
        this.viewCapacity = viewCapacity;
        observerIds = new long[capacity];
        egresses = new ObserverEgress[capacity];
        budgets = new int[capacity];
        followIds = new long[capacity];
        followSlots = new int[capacity];
        followCreatedSeqs = new long[capacity];
        hasCentre = new boolean[capacity];
        centreX = new long[capacity];
        centreY = new long[capacity];
        centreZ = new long[capacity];
        lagging = new boolean[capacity];
        needsResync = new boolean[capacity];
        resyncing = new boolean[capacity];
        viewCounts = new int[capacity];
        activeObservers = new int[capacity];
        activePositions = new int[capacity];
        freeObservers = new int[capacity];
        for (int i = 0; i < capacity; i++)
        {
            freeObservers[i] = capacity - 1 - i;
        }
        freeCount = capacity;

        final int entries = capacity * viewCapacity;
        slots = new int[entries];
        createdSeqs = new long[entries];
        entityIds = new long[entries];
        lastSentSeqs = new long[entries];
        priorities = new double[entries];
        states = new byte[entries];
        reasons = new byte[entries];
        handles = new int[entries];
    }

    /**
     * Take a free observer index and set the observer up with an empty view.
     *
     * @return the local observer index, or -1 if the partition is full.
     */
    int add(final long observerId, final long followEntityId, final ObserverEgress egress, final int budget)
    {
        if (0 == freeCount)
        {
            return -1;
        }
        final int o = freeObservers[--freeCount];
        observerIds[o] = observerId;
        egresses[o] = egress;
        budgets[o] = budget;
        followIds[o] = followEntityId;
        followSlots[o] = EntityStore.NULL_SLOT;
        followCreatedSeqs[o] = 0;
        hasCentre[o] = false;
        lagging[o] = false;
        needsResync[o] = false;
        resyncing[o] = false;
        viewCounts[o] = 0;
        activePositions[o] = activeCount;
        activeObservers[activeCount++] = o;
        return o;
    }

    /**
     * Free an observer index.
     */
    void remove(final int o)
    {
        egresses[o] = null;
        viewCounts[o] = 0;
        lagging[o] = false;
        final int position = activePositions[o];
        final int last = activeObservers[--activeCount];
        activeObservers[position] = last;
        activePositions[last] = position;
        freeObservers[freeCount++] = o;
    }

    /**
     * Fill entry {@code i} of observer {@code o} with a new, never-sent incarnation of the entity in {@code slot}.
     */
    void setEntry(final EntityStore store, final int o, final int i, final int slot, final double weight)
    {
        final int e = o * viewCapacity + i;
        slots[e] = slot;
        createdSeqs[e] = store.createdSeq(slot);
        entityIds[e] = store.entityId(slot);
        lastSentSeqs[e] = 0;
        priorities[e] = weight;
        states[e] = SPAWN_PENDING;
        reasons[e] = 0;
        handles[e] = ObserverEgress.NO_HANDLE;
    }

    /**
     * Move the observer's last entry into entry {@code i}, shortening the view by one.
     *
     * @return the index of the entry that was last (moved into {@code i} unless it is {@code i}).
     */
    int removeEntry(final int o, final int i)
    {
        final int base = o * viewCapacity;
        final int last = --viewCounts[o];
        if (i != last)
        {
            final int e = base + i;
            final int l = base + last;
            slots[e] = slots[l];
            createdSeqs[e] = createdSeqs[l];
            entityIds[e] = entityIds[l];
            lastSentSeqs[e] = lastSentSeqs[l];
            priorities[e] = priorities[l];
            states[e] = states[l];
            reasons[e] = reasons[l];
            handles[e] = handles[l];
        }
        return last;
    }

    /**
     * Diagnostic (linear scan): is the entity spawned, or pending spawn, in the observer's view?
     */
    boolean inView(final int o, final long entityId)
    {
        final int base = o * viewCapacity;
        for (int i = base, end = base + viewCounts[o]; i < end; i++)
        {
            if (entityIds[i] == entityId && DESPAWN_PENDING != states[i])
            {
                return true;
            }
        }
        return false;
    }
}
