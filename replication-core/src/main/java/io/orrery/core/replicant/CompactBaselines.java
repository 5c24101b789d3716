/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant;

import org.agrona.collections.Long2LongHashMap;

import java.util.Arrays;

/**
 * What one observer was last sent of each entity it holds, by the short handle the entity got at its spawn: the
 * baselines {@code EntityUpdatesCompact} entries are deltas against (see {@link io.orrery.wire.CompactUpdates}).
 * Handles are small integers, the lowest free one at each spawn, freed at the despawn; the arrays are indexed by
 * handle and grow by doubling only when the observer holds more entities than ever before (warm-up), so steady
 * state does not allocate.
 * <pre>
 *   handle h:  x[h] y[h] z[h]            millimetres in the zone, exactly as last sent
 *              vx[h] vy[h] vz[h]          velocity in cm/s units as last sent
 *              orientation[h]             packed smallest three as last sent
 *              lastAppliedInput[h]        lastAppliedInputSequence as last sent
 * </pre>
 * Threading: the Replicant's duty-cycle thread only.
 */
public final class CompactBaselines
{
    private static final int INITIAL_HANDLES = 64;

    private final Long2LongHashMap handleById = new Long2LongHashMap(INITIAL_HANDLES * 2, 0.65f, -1);
    private int[] freeHandles = new int[INITIAL_HANDLES];
    private int freeCount;
    private int nextHandle;

    long[] x = new long[INITIAL_HANDLES];
    long[] y = new long[INITIAL_HANDLES];
    long[] z = new long[INITIAL_HANDLES];
    int[] vx = new int[INITIAL_HANDLES];
    int[] vy = new int[INITIAL_HANDLES];
    int[] vz = new int[INITIAL_HANDLES];
    int[] orientation = new int[INITIAL_HANDLES];
    long[] lastAppliedInput = new long[INITIAL_HANDLES];

    /**
     * @return the entity's handle, or -1 if the observer holds no handle for it.
     */
    public int handleOf(final long entityId)
    {
        return (int)handleById.get(entityId);
    }

    /**
     * Give the entity the lowest free handle.
     *
     * @return the new handle.
     */
    public int acquire(final long entityId)
    {
        final int handle;
        if (freeCount > 0)
        {
            handle = popLowestFree();
        }
        else
        {
            handle = nextHandle++;
            if (handle >= x.length)
            {
                grow(x.length * 2);
            }
        }
        handleById.put(entityId, handle);
        return handle;
    }

    /**
     * Free the entity's handle, if it has one.
     */
    public void release(final long entityId)
    {
        final int handle = (int)handleById.remove(entityId);
        if (-1 != handle)
        {
            if (freeCount == freeHandles.length)
            {
                freeHandles = Arrays.copyOf(freeHandles, freeHandles.length * 2);
            }
            freeHandles[freeCount++] = handle;
        }
    }

    /**
     * @return number of handles in use.
     */
    public int size()
    {
        return handleById.size();
    }

    private int popLowestFree()
    {
        int lowest = 0;
        for (int i = 1; i < freeCount; i++)
        {
            if (freeHandles[i] < freeHandles[lowest])
            {
                lowest = i;
            }
        }
        final int handle = freeHandles[lowest];
        freeHandles[lowest] = freeHandles[--freeCount];
        return handle;
    }

    private void grow(final int length)
    {
        x = Arrays.copyOf(x, length);
        y = Arrays.copyOf(y, length);
        z = Arrays.copyOf(z, length);
        vx = Arrays.copyOf(vx, length);
        vy = Arrays.copyOf(vy, length);
        vz = Arrays.copyOf(vz, length);
        orientation = Arrays.copyOf(orientation, length);
        lastAppliedInput = Arrays.copyOf(lastAppliedInput, length);
    }
}
