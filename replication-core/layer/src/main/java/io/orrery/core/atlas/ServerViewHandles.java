/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.orrery.core.replicant.CompactBaselines;

import java.util.Arrays;

/**
 * What one game server holds of its compact views ({@code ClientViewsCompact}, layout in
 * {@link io.orrery.wire.CompactViews}): a handle per viewed entity, the lowest free one when the view starts, freed
 * when it ends; the baselines its entries are deltas against; the owner it was last told; and whether the server must
 * be told to forget everything (after a view message was not delivered, or for a new session).
 * <pre>
 *   per store slot:  handleOfSlot, ownerOfSlot      valid while the connection's viewCreatedSeq[slot] is the
 *                                                    entity's created sequence
 *   per handle:      handleSlot, handleCreatedSeq   the entity incarnation the handle names
 *   viewed[0 .. viewedCount)                        handles sent last tick (nextViewed is filled this tick)
 * </pre>
 * Threading: Replicant thread only. The per-handle arrays grow by doubling when a server views more entities than
 * ever before (warm-up); steady state does not allocate.
 */
final class ServerViewHandles
{
    private static final int INITIAL_HANDLES = 64;

    final CompactBaselines baselines = new CompactBaselines();
    final int[] handleOfSlot;
    final int[] ownerOfSlot;
    int[] handleSlot = new int[INITIAL_HANDLES];
    long[] handleCreatedSeq = new long[INITIAL_HANDLES];
    int[] viewed = new int[INITIAL_HANDLES];
    int[] nextViewed = new int[INITIAL_HANDLES];
    int viewedCount;
    boolean resetPending = true;

    ServerViewHandles(final int storeCapacity)
    {
        handleOfSlot = new int[storeCapacity];
        ownerOfSlot = new int[storeCapacity];
    }

    /**
     * Start a view of the entity in {@code slot}: take a handle.
     *
     * @return the handle.
     */
    int enter(final int slot, final long createdSeq)
    {
        final int handle = baselines.acquire();
        if (handle >= handleSlot.length)
        {
            final int length = handleSlot.length * 2;
            handleSlot = Arrays.copyOf(handleSlot, length);
            handleCreatedSeq = Arrays.copyOf(handleCreatedSeq, length);
        }
        handleSlot[handle] = slot;
        handleCreatedSeq[handle] = createdSeq;
        handleOfSlot[slot] = handle;
        return handle;
    }

    /**
     * The next tick's list of viewed handles, large enough for {@code count}.
     */
    int[] nextViewed(final int count)
    {
        if (nextViewed.length < count)
        {
            nextViewed = new int[Math.max(count, nextViewed.length * 2)];
        }
        return nextViewed;
    }

    /**
     * The server's views are unknown (a view message was lost, or a new session): free every handle and have the
     * next message tell the server to forget all it holds.
     */
    void reset()
    {
        baselines.clear();
        viewedCount = 0;
        resetPending = true;
    }
}
