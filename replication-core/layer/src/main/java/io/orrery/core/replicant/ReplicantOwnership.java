/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant;

import java.util.Arrays;

/**
 * Which Replicant of the shard streams which entity: the ownership rule of several Replicants per shard.
 * <p>
 * An entity belongs to its top-level subtree: the ancestor that is a child of the world root (itself if it is at the
 * root). The subtree goes to the Replicant whose range of world x holds that top-level entity's position: Replicant
 * {@code i} owns {@code [boundary[i-1], boundary[i])} (the first and last ranges are open). A subtree keeps its owner
 * until its root is more than {@code hysteresisM} past the owner's range, so an entity at a boundary does not flap.
 * A change of owner takes the next value of one increasing owner epoch (so no two owners of an entity ever share
 * an epoch); a new entity's first owner takes one too, without counting as a handoff.
 * <p>
 * <b>Availability.</b> A Replicant may be unavailable ({@link #available(int, boolean)}: a remote Replicant not yet
 * proven, or lost): it owns nothing. A subtree whose range's Replicant is unavailable goes to the available Replicant
 * whose range is nearest to its root's x (ties to the lower id; the primary, Replicant 0, is always available), and
 * stays with it while it is no more than the hysteresis farther than the nearest; a subtree whose owner became
 * unavailable moves at once, with the next owner epoch, and counts as a takeover ({@link #takeovers()}). When the
 * Replicant is available again its range's subtrees go back to it by the ordinary rule (past the hysteresis).
 * Why the nearest range rather than always the primary: the neighbour's observers near the boundary already hold
 * those entities, and the load of a lost Replicant is spread over both neighbours instead of added to the primary,
 * which also runs authority, persistence and inputs; with two Replicants the two are the same.
 * <p>
 * Threading: the primary Replicant's thread (the store's writer), after the authority's writes of a pass and before
 * the pass's interest and state feed. Zero allocation.
 */
public final class ReplicantOwnership
{
    private final long[] boundariesMm;
    private final long hysteresisMm;
    private final int replicants;
    private final boolean[] available;
    private long ownerEpoch;
    private long handoffs;
    private long takeovers;

    /**
     * @param boundariesM n-1 ascending x boundaries in metres for n Replicants.
     * @param hysteresisM how far past its owner's range a subtree moves before it changes owner, in metres.
     */
    public ReplicantOwnership(final double[] boundariesM, final double hysteresisM)
    {
        boundariesMm = new long[boundariesM.length];
        for (int i = 0; i < boundariesM.length; i++)
        {
            boundariesMm[i] = Math.round(boundariesM[i] * 1000.0);
        }
        hysteresisMm = Math.round(hysteresisM * 1000.0);
        replicants = boundariesM.length + 1;
        available = new boolean[replicants];
        Arrays.fill(available, true);
    }

    /**
     * @param replicant   a Replicant id.
     * @param isAvailable whether it may own subtrees from the next {@link #assign(EntityStore)} on. Replicant 0 is
     *                    always available.
     */
    public void available(final int replicant, final boolean isAvailable)
    {
        if (0 != replicant)
        {
            available[replicant] = isAvailable;
        }
    }

    /**
     * @param replicant a Replicant id.
     * @return whether it may own subtrees.
     */
    public boolean isAvailable(final int replicant)
    {
        return available[replicant];
    }

    /**
     * @return number of Replicants.
     */
    public int replicants()
    {
        return replicants;
    }

    /**
     * @param xMm a world x in millimetres.
     * @return the Replicant whose range holds it, without hysteresis.
     */
    public int replicantOf(final long xMm)
    {
        int replicant = 0;
        while (replicant < boundariesMm.length && xMm >= boundariesMm[replicant])
        {
            replicant++;
        }
        return replicant;
    }

    /**
     * @param current the current owner, or -1 for none.
     * @param xMm     world x in millimetres of the subtree's root.
     * @return the owner the rule gives: the current one while within its range widened by the hysteresis.
     */
    public int ownerOf(final int current, final long xMm)
    {
        final boolean hasCurrent = current >= 0 && current < replicants && available[current];
        if (hasCurrent)
        {
            final long lower = 0 == current ? Long.MIN_VALUE : boundariesMm[current - 1] - hysteresisMm;
            final long upper = replicants - 1 == current ? Long.MAX_VALUE : boundariesMm[current] + hysteresisMm;
            if (xMm >= lower && xMm < upper)
            {
                return current;
            }
        }
        final int natural = replicantOf(xMm);
        if (available[natural])
        {
            return natural;
        }
        // its range's Replicant is unavailable: the nearest available range, the current owner kept within the
        // hysteresis of it so that a subtree between two stand-ins does not flap
        int nearest = 0;
        long nearestMm = Long.MAX_VALUE;
        for (int replicant = 0; replicant < replicants; replicant++)
        {
            if (available[replicant])
            {
                final long distanceMm = distanceMm(replicant, xMm);
                if (distanceMm < nearestMm)
                {
                    nearest = replicant;
                    nearestMm = distanceMm;
                }
            }
        }
        if (hasCurrent && distanceMm(current, xMm) - nearestMm <= hysteresisMm)
        {
            return current;
        }
        return nearest;
    }

    private long distanceMm(final int replicant, final long xMm)
    {
        if (0 != replicant && xMm < boundariesMm[replicant - 1])
        {
            return boundariesMm[replicant - 1] - xMm;
        }
        if (replicants - 1 != replicant && xMm >= boundariesMm[replicant])
        {
            return xMm - boundariesMm[replicant];
        }
        return 0;
    }

    /**
     * Apply the rule to every entity of the store: new entities get their first owner, entities whose subtree moved
     * past their owner's range are handed to the new owner with the next owner epoch.
     *
     * @param store the primary's entity cache.
     * @return entities handed over between Replicants by this call (takeovers from unavailable owners included).
     */
    public int assign(final EntityStore store)
    {
        int handedOver = 0;
        for (int i = 0, n = store.activeCount(); i < n; i++)
        {
            final int slot = store.activeSlot(i);
            int top = slot;
            int parent = store.parentSlot(top);
            while (EntityStore.NULL_SLOT != parent)
            {
                top = parent;
                parent = store.parentSlot(top);
            }
            final long xMm = store.positionX(top); // a child of the root: its local position is its world position
            final boolean assigned = 0 != store.ownerEpoch(slot);
            final int current = store.ownerReplicant(slot);
            final int owner = ownerOf(assigned ? current : -1, xMm);
            if (!assigned)
            {
                store.owner(slot, owner, ++ownerEpoch);
            }
            else if (owner != current)
            {
                store.owner(slot, owner, ++ownerEpoch);
                handedOver++;
                if (!available[current])
                {
                    takeovers++;
                }
            }
        }
        handoffs += handedOver;
        return handedOver;
    }

    /**
     * @return the latest owner epoch given.
     */
    public long ownerEpoch()
    {
        return ownerEpoch;
    }

    /**
     * @return entities handed over between Replicants so far.
     */
    public long handoffs()
    {
        return handoffs;
    }

    /**
     * @return entities taken from an unavailable owner so far (counted in {@link #handoffs()} too).
     */
    public long takeovers()
    {
        return takeovers;
    }
}
