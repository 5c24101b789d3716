/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.client;

import io.orrery.wire.CompactUpdates;

import java.util.Arrays;

/**
 * What one Replicant has spawned at a client: its compact update handles to view slots, each view slot to its handle,
 * and, for the entities it does not own, its delta baseline by handle (position and last applied input: the fields its
 * entries carry as changes; the others are absolute). The owner's baseline is the view's slot itself.
 * <p>
 * A slot is <em>held</em> by this Replicant from its spawn to its despawn, with a handle or without one
 * ({@link #NO_HANDLE}: a spawn without a handle, a handle beyond {@link #handleSpace()}, or one the Replicant reused
 * for another entity).
 * <p>
 * Threading: owned by the thread running the {@link ClientLink}. Baselines are allocated when first needed (the
 * first spawn of a non-owner), never in steady state.
 */
final class ReplicantBindings
{
    /**
     * {@link #handleOf(int)}: the Replicant holds no spawn of the slot's entity.
     */
    static final int NOT_HELD = -2;
    /**
     * {@link #handleOf(int)}: held, without a handle.
     */
    static final int NO_HANDLE = -1;

    private final int[] slotByHandle;
    private final int[] handleBySlot;
    private long[] baseX;
    private long[] baseY;
    private long[] baseZ;
    private long[] baseLastApplied;

    ReplicantBindings(final int capacity, final int handleSpace)
    {
        slotByHandle = new int[handleSpace];
        Arrays.fill(slotByHandle, ClientEntityView.NULL_SLOT);
        handleBySlot = new int[capacity];
        Arrays.fill(handleBySlot, NOT_HELD);
    }

    int handleSpace()
    {
        return slotByHandle.length;
    }

    boolean holds(final int slot)
    {
        return NOT_HELD != handleBySlot[slot];
    }

    /**
     * @return the handle, {@link #NO_HANDLE} or {@link #NOT_HELD}.
     */
    int handleOf(final int slot)
    {
        return handleBySlot[slot];
    }

    int slotOfHandle(final int handle)
    {
        return handle >= 0 && handle < slotByHandle.length ? slotByHandle[handle] : ClientEntityView.NULL_SLOT;
    }

    /**
     * Hold the slot under the handle its spawn carried (-1: none), unbinding what either was bound to (an entity
     * whose handle is taken stays held, without a handle).
     *
     * @return false if the handle is beyond {@link #handleSpace()} (held without a handle: no compact updates).
     */
    boolean bind(final int slot, final int handle)
    {
        clearHandle(slot);
        handleBySlot[slot] = NO_HANDLE;
        if (handle < 0)
        {
            return true;
        }
        if (handle >= slotByHandle.length)
        {
            return false;
        }
        final int previous = slotByHandle[handle];
        if (ClientEntityView.NULL_SLOT != previous && previous != slot)
        {
            handleBySlot[previous] = NO_HANDLE;
        }
        slotByHandle[handle] = slot;
        handleBySlot[slot] = handle;
        return true;
    }

    /**
     * Stop holding the slot.
     */
    void release(final int slot)
    {
        clearHandle(slot);
        handleBySlot[slot] = NOT_HELD;
    }

    void clear()
    {
        Arrays.fill(slotByHandle, ClientEntityView.NULL_SLOT);
        Arrays.fill(handleBySlot, NOT_HELD);
    }

    /**
     * Set a non-owner's baseline for its handle (from its spawn, or from the view when it loses ownership).
     */
    void baseline(final int handle, final long x, final long y, final long z, final long lastApplied)
    {
        if (null == baseX)
        {
            final int length = slotByHandle.length;
            baseX = new long[length];
            baseY = new long[length];
            baseZ = new long[length];
            baseLastApplied = new long[length];
        }
        baseX[handle] = x;
        baseY[handle] = y;
        baseZ[handle] = z;
        baseLastApplied[handle] = lastApplied;
    }

    /**
     * Apply a non-owner's entry to its baseline: the arithmetic of {@link ClientEntityView#apply} on the fields that
     * are changes.
     */
    void apply(final int handle, final CompactUpdates.Reader entry)
    {
        if (null == baseX)
        {
            baseline(handle, 0, 0, 0, 0);
        }
        ClientEntityView.applyPosition(entry, baseX, baseY, baseZ, handle);
        if (0 != (entry.mask() & CompactUpdates.LAST_APPLIED_INPUT))
        {
            baseLastApplied[handle] += entry.lastAppliedInputDelta();
        }
    }

    long baseX(final int handle)
    {
        return baseX[handle];
    }

    long baseY(final int handle)
    {
        return baseY[handle];
    }

    long baseZ(final int handle)
    {
        return baseZ[handle];
    }

    long baseLastApplied(final int handle)
    {
        return baseLastApplied[handle];
    }

    private void clearHandle(final int slot)
    {
        final int old = handleBySlot[slot];
        if (old >= 0 && slotByHandle[old] == slot)
        {
            slotByHandle[old] = ClientEntityView.NULL_SLOT;
        }
    }
}
