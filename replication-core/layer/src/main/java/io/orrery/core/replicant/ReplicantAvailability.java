/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Which Replicants of the shard may own subtrees, handed from the bridges of remote Replicants to the primary, and
 * the primary's acknowledgement that it applied (and streamed) what a bridge offered.
 * <p>
 * Per Replicant one state word, {@code generation << 1 | available}: a bridge {@link #offer(int, boolean)}s a new
 * word with a release store; the primary reads each word once per pass ({@link #state(int)}, an acquire load), gives
 * the availability to {@link ReplicantOwnership}, and after the pass's interest (its takeover spawns written) stores
 * the word it applied ({@link #applied(int, long)}, release). A bridge that waits for {@link #isApplied(int, long)}
 * knows every client egress holds the primary's pass that applied its offer: the bridge's later writes to those
 * egresses come after it. The generation makes two offers of the same availability distinct.
 * <p>
 * Replicant 0 (the primary) and the secondaries in the layer's process are always available; a remote one starts
 * unavailable ({@link #remote(int)}) until its bridge offers it.
 * <p>
 * Threading: {@link #offer}, {@link #isApplied}, {@link #lost} from one bridge per Replicant; {@link #state},
 * {@link #applied}, {@link #losses} from the primary. Zero allocation.
 */
public final class ReplicantAvailability
{
    private static final long AVAILABLE = 1L;

    private final AtomicLongArray offered;
    private final AtomicLongArray applied;
    private final AtomicLongArray lost;
    private final AtomicLongArray returned;

    /**
     * @param replicants Replicants of the shard, all available.
     */
    public ReplicantAvailability(final int replicants)
    {
        offered = new AtomicLongArray(replicants);
        applied = new AtomicLongArray(replicants);
        lost = new AtomicLongArray(replicants);
        returned = new AtomicLongArray(replicants);
        for (int i = 0; i < replicants; i++)
        {
            offered.set(i, AVAILABLE);
            applied.set(i, AVAILABLE);
        }
    }

    /**
     * Make a Replicant unavailable until its bridge offers it. Control path: before the agents run.
     *
     * @param replicantId a secondary's id (1..replicants-1).
     * @return this.
     */
    public ReplicantAvailability remote(final int replicantId)
    {
        if (replicantId < 1)
        {
            throw new IllegalArgumentException("the primary (Replicant 0) is always available");
        }
        offered.set(replicantId, 0);
        applied.set(replicantId, 0);
        return this;
    }

    /**
     * @return Replicants of the shard.
     */
    public int replicants()
    {
        return offered.length();
    }

    /**
     * Offer a new availability (the bridge's thread).
     *
     * @param replicantId the bridge's Replicant.
     * @param available   whether it may own subtrees.
     * @return the state word offered, to wait for with {@link #isApplied(int, long)}.
     */
    public long offer(final int replicantId, final boolean available)
    {
        final long state = (((offered.get(replicantId) >>> 1) + 1) << 1) | (available ? AVAILABLE : 0);
        offered.setRelease(replicantId, state);
        if (available)
        {
            returned.setRelease(replicantId, returned.get(replicantId) + 1);
        }
        return state;
    }

    /**
     * Count a Replicant declared lost (the bridge's thread).
     *
     * @param replicantId the bridge's Replicant.
     */
    public void lost(final int replicantId)
    {
        lost.setRelease(replicantId, lost.get(replicantId) + 1);
    }

    /**
     * @param replicantId the bridge's Replicant.
     * @param state       a word {@link #offer(int, boolean)} returned.
     * @return whether the primary applied it, or a later word, and streamed the pass.
     */
    public boolean isApplied(final int replicantId, final long state)
    {
        return applied.getAcquire(replicantId) >>> 1 >= state >>> 1;
    }

    /**
     * @param replicantId a Replicant.
     * @return its state word (the primary's thread, once per pass).
     */
    public long state(final int replicantId)
    {
        return offered.getAcquire(replicantId);
    }

    /**
     * @param state a state word.
     * @return whether it says available.
     */
    public static boolean isAvailable(final long state)
    {
        return 0 != (state & AVAILABLE);
    }

    /**
     * The primary applied a state word and streamed the pass.
     *
     * @param replicantId a Replicant.
     * @param state       the word read with {@link #state(int)} at the pass's start.
     */
    public void applied(final int replicantId, final long state)
    {
        if (applied.get(replicantId) != state)
        {
            applied.setRelease(replicantId, state);
        }
    }

    /**
     * @return times a Replicant was declared lost, all Replicants.
     */
    public long losses()
    {
        long total = 0;
        for (int i = 0, n = lost.length(); i < n; i++)
        {
            total += lost.getAcquire(i);
        }
        return total;
    }

    /**
     * @return times a remote Replicant was made available (its first link included), all Replicants.
     */
    public long returns()
    {
        long total = 0;
        for (int i = 0, n = returned.length(); i < n; i++)
        {
            total += returned.getAcquire(i);
        }
        return total;
    }

    /**
     * @param replicantId a Replicant.
     * @return times it was declared lost.
     */
    public long losses(final int replicantId)
    {
        return lost.getAcquire(replicantId);
    }
}
