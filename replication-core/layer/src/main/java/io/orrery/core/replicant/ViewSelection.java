/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant;

import io.orrery.wire.CompactUpdates;

import static io.orrery.core.replicant.ObserverViews.RESPAWN_PENDING;
import static io.orrery.core.replicant.ObserverViews.SPAWNED;
import static io.orrery.core.replicant.ObserverViews.SPAWN_PENDING;

/**
 * The budget step of one {@link InterestPartition}: per observer per tick, which of the view entries with something
 * to send (a pending spawn, or changed fields) go out, in descending accumulated priority while their bytes fit the
 * observer's limit (see {@link InterestEngine}, <b>Budget and accumulating priority</b>). The result is two lists of
 * view indices, {@link #spawnList} and {@link #updateList}, that the partition emits in order.
 * <p>
 * Threading: the partition's worker thread; every scratch array is its own, sized by the view capacity.
 */
final class ViewSelection
{
    private final ObserverViews views;
    private final int[] scratchMasks;
    private final long[] snapshot;
    private final boolean compactUpdates;
    private final int minUpdateLength;
    private final int batchOverhead;

    private final int[] scratchBytes;
    private final long[] heapKeys;
    private final long indexMask;
    private int heapSize;
    final int[] spawnList;
    final int[] updateList;
    int spawnCount;
    int updateCount;

    int spawnBytes;

    private long budgetDeferrals;
    private long spawnDeferrals;

    /**
     * @param views        the partition's views.
     * @param scratchMasks the partition's per-entry changed masks of this tick, by view index.
     * @param snapshot     the engine's per-slot snapshot (see {@link InterestEngine}).
     * @param config       the engine's configuration.
     */
    ViewSelection(
        final ObserverViews views, final int[] scratchMasks, final long[] snapshot, final InterestConfig config)
    {
        this.views = views;
        this.scratchMasks = scratchMasks;
        this.snapshot = snapshot;
        compactUpdates = config.compactUpdates();
        minUpdateLength = compactUpdates ?
            CompactUpdates.estimatedEntryLength(0, 0) : InterestEngine.UPDATE_ENTRY_BASE_LENGTH;
        batchOverhead = compactUpdates ? CompactUpdates.MESSAGE_OVERHEAD : InterestEngine.UPDATE_BATCH_OVERHEAD;

        final int viewCapacity = views.viewCapacity;
        scratchBytes = new int[viewCapacity];
        heapKeys = new long[viewCapacity];
        indexMask = (1L << Math.max(1, 32 - Integer.numberOfLeadingZeros(viewCapacity - 1))) - 1;
        spawnList = new int[viewCapacity];
        updateList = new int[viewCapacity];
    }

    /**
     * @return (entity, observer, tick) triples with something to send that the budget deferred.
     */
    long budgetDeferrals()
    {
        return budgetDeferrals;
    }

    /**
     * @return (entity, observer, tick) triples of pending spawns that the snapshot pacing deferred (the observer's
     * spawn capacity or the layer's snapshot bytes per tick), a subset of {@link #budgetDeferrals()}.
     */
    long spawnDeferrals()
    {
        return spawnDeferrals;
    }

    /**
     * Fill {@code spawnList} and {@code updateList} (view indices, in descending priority) with what fits, and
     * {@link #spawnBytes} with the bytes of the spawns selected.
     * While resynchronising only snapshots compete (SPAWNED entries keep accumulating priority meanwhile), but for the
     * followed entity: once its fresh spawn went out (it goes first) its baseline is the client's again, so its
     * updates, which carry the acknowledged input sequence, go on every tick instead of waiting for the whole view.
     * Snapshot pacing: spawns other than the followed entity's also have to fit {@code spawnLimit} (the first such
     * spawn of the tick may exceed it if it is positive, so an oversized snapshot still goes out, and a client near
     * its back-pressure threshold still gets one spawn a tick). Updates compete with spawns by accumulated priority
     * within {@code limit} as before.
     *
     * @param o              the observer (local index).
     * @param limit          bytes the observer may take this tick (budget and capacity, minus the despawns).
     * @param egressCapacity bytes the egress can take this tick, minus the despawns.
     * @param spawnLimit     bytes of spawns (the followed entity's excepted) the observer may take this tick: its
     *                       {@link ObserverEgress#spawnCapacity}, less if the layer's snapshot bytes run short.
     */
    void select(final int o, final int limit, final int egressCapacity, final int spawnLimit)
    {
        final long[] snapshot = this.snapshot;
        final ObserverViews views = this.views;
        final int[] slots = views.slots;
        final byte[] states = views.states;
        final double[] priorities = views.priorities;
        final int base = o * views.viewCapacity;
        final boolean deltasAllowed = !views.resyncing[o];
        final int followSlot = views.followSlots[o];
        spawnCount = 0;
        updateCount = 0;
        spawnBytes = 0;
        heapSize = 0;

        long totalBytes = 0;
        long pacedSpawnBytes = 0;
        int pacedInHeap = 0;
        int pacedHeldBack = 0;
        boolean anyUpdate = false;
        int followPosition = -1;
        for (int i = 0, n = views.viewCounts[o]; i < n; i++)
        {
            final int e = base + i;
            final byte state = states[e];
            final int bytes;
            if (SPAWN_PENDING == state || RESPAWN_PENDING == state)
            {
                bytes = InterestEngine.SPAWN_BASE_LENGTH +
                    (int)snapshot[(slots[e] << InterestEngine.SNAPSHOT_SHIFT) + InterestEngine.SNAPSHOT_STATE_LENGTH];
            }
            else if (SPAWNED == state && 0 != scratchMasks[i] && (deltasAllowed || slots[e] == followSlot))
            {
                final int mask = scratchMasks[i];
                final int stateLength = 0 != (mask & EntityStore.COMPONENT_STATE) ? (int)snapshot[
                    (slots[e] << InterestEngine.SNAPSHOT_SHIFT) + InterestEngine.SNAPSHOT_STATE_LENGTH] : 0;
                bytes = compactUpdates ? CompactUpdates.estimatedEntryLength(mask, stateLength) :
                    InterestEngine.UPDATE_ENTRY_BASE_LENGTH + stateLength;
                anyUpdate = true;
            }
            else
            {
                continue;
            }
            if (slots[e] == followSlot)
            {
                followPosition = heapSize;
            }
            else if (SPAWNED != state)
            {
                if (spawnLimit <= 0)
                {
                    pacedHeldBack++;
                    continue;
                }
                pacedInHeap++;
                pacedSpawnBytes += bytes;
            }
            scratchBytes[i] = bytes;
            totalBytes += bytes;
            heapKeys[heapSize++] = heapKey(priorities[e], i);
        }

        spawnDeferrals += pacedHeldBack;
        budgetDeferrals += pacedHeldBack;
        if (0 == heapSize)
        {
            return;
        }

        if (totalBytes + (anyUpdate ? batchOverhead : 0) <= limit && pacedSpawnBytes <= spawnLimit)
        {
            selectAll(base, followPosition);
            return;
        }

        final long[] keys = heapKeys;
        for (int i = (heapSize >> 1) - 1; i >= 0; i--)
        {
            siftDown(keys, heapSize, i);
        }

        int remaining = limit;
        int spawnRemaining = spawnLimit;
        boolean batchStarted = false;
        boolean first = true;
        boolean firstPaced = true;
        while (heapSize > 0)
        {
            if (remaining < minUpdateLength && !first)
            {
                budgetDeferrals += heapSize;
                break;
            }
            if (pacedInHeap > 0 && spawnRemaining < InterestEngine.SPAWN_BASE_LENGTH &&
                !(firstPaced && spawnRemaining > 0))
            {
                // no more spawns fit the pacing this tick: only updates compete on, without popping every spawn
                final int dropped = dropPacedSpawns(base, followSlot);
                spawnDeferrals += dropped;
                budgetDeferrals += dropped;
                pacedInHeap = 0;
                continue;
            }

            final int i = (int)(keys[0] & indexMask);
            keys[0] = keys[--heapSize];
            siftDown(keys, heapSize, 0);

            final boolean isSpawn = SPAWNED != states[base + i];
            int bytes = scratchBytes[i];
            if (!isSpawn && !batchStarted)
            {
                bytes += batchOverhead;
            }

            final boolean paced = isSpawn && slots[base + i] != followSlot;
            if (paced)
            {
                pacedInHeap--;
            }
            if (paced && bytes > spawnRemaining && !(firstPaced && spawnRemaining > 0))
            {
                spawnDeferrals++;
                budgetDeferrals++;
                continue;
            }

            if (bytes <= remaining || (first && bytes <= egressCapacity))
            {
                remaining -= bytes;
                first = false;
                if (isSpawn)
                {
                    if (paced)
                    {
                        spawnRemaining -= bytes;
                        firstPaced = false;
                    }
                    spawnBytes += bytes;
                    spawnList[spawnCount++] = i;
                }
                else
                {
                    batchStarted = true;
                    updateList[updateCount++] = i;
                }
            }
            else
            {
                first = false;
                budgetDeferrals++;
            }
        }
    }

    /**
     * Take the spawns the snapshot pacing holds back (all but the followed entity's) out of the heap and restore it.
     *
     * @return spawns taken out.
     */
    private int dropPacedSpawns(final int base, final int followSlot)
    {
        final long[] keys = heapKeys;
        final byte[] states = views.states;
        final int[] slots = views.slots;
        int kept = 0;
        for (int k = 0, n = heapSize; k < n; k++)
        {
            final int e = base + (int)(keys[k] & indexMask);
            if (SPAWNED == states[e] || slots[e] == followSlot)
            {
                keys[kept++] = keys[k];
            }
        }
        final int dropped = heapSize - kept;
        heapSize = kept;
        for (int i = (kept >> 1) - 1; i >= 0; i--)
        {
            siftDown(keys, kept, i);
        }
        return dropped;
    }

    /**
     * Everything collected in {@code heapKeys} fits: take all of it in view order, the followed entity first.
     */
    private void selectAll(final int base, final int followPosition)
    {
        final long[] keys = heapKeys;
        final long indexMask = this.indexMask;
        if (followPosition > 0)
        {
            final long follow = keys[followPosition];
            keys[followPosition] = keys[0];
            keys[0] = follow;
        }

        final byte[] states = views.states;
        final int[] spawns = spawnList;
        final int[] updates = updateList;
        int spawnTotal = 0;
        int updateTotal = 0;
        int bytesOfSpawns = 0;
        for (int k = 0, n = heapSize; k < n; k++)
        {
            final int i = (int)(keys[k] & indexMask);
            if (SPAWNED != states[base + i])
            {
                bytesOfSpawns += scratchBytes[i];
                spawns[spawnTotal++] = i;
            }
            else
            {
                updates[updateTotal++] = i;
            }
        }
        spawnCount = spawnTotal;
        updateCount = updateTotal;
        spawnBytes = bytesOfSpawns;
        heapSize = 0;
    }

    /**
     * Heap key of a view entry: the priority's bits (priorities are never negative, so their bits order like their
     * values) with the lowest bits replaced by the entry's view index. One long per heap element halves the memory
     * the heap moves; priorities equal in all but their last few mantissa bits (relative 1e-13) are ordered by
     * view index, higher first.
     */
    private long heapKey(final double priority, final int viewIndex)
    {
        return (Double.doubleToRawLongBits(priority) & ~indexMask) | viewIndex;
    }

    /**
     * Max-heap sift down over heap keys.
     */
    private static void siftDown(final long[] keys, final int size, final int start)
    {
        int i = start;
        final long key = keys[i];
        while (true)
        {
            int child = (i << 1) + 1;
            if (child >= size)
            {
                break;
            }
            if (child + 1 < size && keys[child + 1] > keys[child])
            {
                child++;
            }
            if (keys[child] <= key)
            {
                break;
            }
            keys[i] = keys[child];
            i = child;
        }
        keys[i] = key;
    }
}
