/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant;

import java.util.Arrays;

/**
 * What one observer was last sent of each entity it holds, by the short handle the entity got at its spawn: the
 * baselines {@code EntityUpdatesCompact} entries are deltas against (see {@link io.orrery.wire.CompactUpdates}).
 * Handles are small integers, the lowest free one at each spawn, freed at the despawn (the interest engine keeps
 * each entry's handle and hands it back, so no lookup by entity id is needed); the arrays are indexed by handle and
 * grow by doubling only when the observer holds more entities than ever before (warm-up), so steady state does not
 * allocate.
 * Interleaved per handle, so that an update touches one or two cache lines of the observer's state, not one per
 * field (thousands of observers' baselines do not stay in cache):
 * <pre>
 *   longs[4h ..]:  x | y | z | lastAppliedInput    millimetres in the zone as the client holds them; sequence
 *   ints[4h ..]:   vx | vy | vz | orientation      velocity in cm/s units; packed smallest three, as last sent
 * </pre>
 * Threading: the Replicant's duty-cycle thread only.
 */
public final class CompactBaselines
{
    private static final int INITIAL_HANDLES = 64;

    private int[] freeHandles = new int[INITIAL_HANDLES];
    private int freeCount;
    private int nextHandle;
    private int size;

    static final int STRIDE = 4;
    static final int X = 0;
    static final int Y = 1;
    static final int Z = 2;
    static final int LAST_APPLIED_INPUT = 3;
    static final int VX = 0;
    static final int VY = 1;
    static final int VZ = 2;
    static final int ORIENTATION = 3;

    long[] longs = new long[INITIAL_HANDLES * STRIDE];
    int[] ints = new int[INITIAL_HANDLES * STRIDE];
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
                longs = Arrays.copyOf(longs, handleCapacity * STRIDE);
                ints = Arrays.copyOf(ints, handleCapacity * STRIDE);
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
