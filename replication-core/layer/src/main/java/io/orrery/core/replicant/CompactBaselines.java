/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant;

import java.util.Arrays;

/**
 * What one observer was last sent of each entity it holds, by the short handle the entity got at its spawn: the
 * baselines {@code EntityUpdatesCompact} entries are deltas against (see {@link io.orrery.wire.CompactUpdates}).
 * Handles are small integers, the lowest free one at each spawn, freed at the despawn (the interest engine keeps
 * each entry's handle and hands it back, so no lookup by entity id is needed); the record array is indexed by handle and
 * grow by doubling only when the observer holds more entities than ever before (warm-up), so steady state does not
 * allocate.
 * One record of six longs per handle in one array, so that an update touches the one or two cache lines of that
 * record, not a line in each of two arrays (thousands of observers' baselines do not stay in cache):
 * <pre>
 *   records[6h ..]:  x | y | z | lastAppliedInput | vx:vy | vz:orientation
 * </pre>
 * Positions in millimetres in the zone as the client holds them, the input sequence as last sent; then two ints in
 * each long, the first in the upper half: velocity in cm/s units, the orientation packed smallest three.
 * Threading: the Replicant's duty-cycle thread only.
 */
public final class CompactBaselines
{
    private static final int INITIAL_HANDLES = 64;

    private int[] freeHandles = new int[INITIAL_HANDLES];
    private int freeCount;
    private int nextHandle;
    private int size;

    static final int STRIDE = 6;
    static final int X = 0;
    static final int Y = 1;
    static final int Z = 2;
    static final int LAST_APPLIED_INPUT = 3;
    static final int VXY = 4;
    static final int VZ_ORIENTATION = 5;

    long[] records = new long[INITIAL_HANDLES * STRIDE];
    private int handleCapacity = INITIAL_HANDLES;

    /**
     * Take the lowest free handle.
     *
     * @return the new handle.
     */
    public int acquire()
    {
        final int handle;
        if (freeCount > 0)
        {
            handle = popLowestFree();
        }
        else
        {
            handle = nextHandle++;
            if (handle >= handleCapacity)
            {
                handleCapacity *= 2;
                records = Arrays.copyOf(records, handleCapacity * STRIDE);
            }
        }
        size++;
        return handle;
    }

    /**
     * Free a handle taken by {@link #acquire()}.
     */
    public void release(final int handle)
    {
        if (freeCount == freeHandles.length)
        {
            freeHandles = Arrays.copyOf(freeHandles, freeHandles.length * 2);
        }
        freeHandles[freeCount++] = handle;
        size--;
    }

    /**
     * Free every handle at once (the observer is resynchronised from scratch); keeps the arrays.
     */
    public void clear()
    {
        freeCount = 0;
        nextHandle = 0;
        size = 0;
    }

    /**
     * @return number of handles in use.
     */
    public int size()
    {
        return size;
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
}
