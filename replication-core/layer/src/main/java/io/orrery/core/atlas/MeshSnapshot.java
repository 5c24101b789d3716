/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

/**
 * What the mesh looks like, as Atlas last decided it: each territory's server, box and epoch, each server's session
 * state, entity count, cost (the balancer's) and reported load. Immutable; published by Atlas after a change
 * (a grant, a retirement, a border move, a balancer pass) for dashboards and reports on any thread
 * ({@link MeshAuthority#meshSnapshot()}).
 */
public final class MeshSnapshot
{
    /**
     * Atlas's time when the snapshot was taken.
     */
    public final long timeNs;
    public final int[] serverIds;
    public final boolean[] serverActive;
    public final int[] serverEntityCount;
    public final double[] serverCost;
    public final float[] serverCpuLoad;
    public final int[] serverReportedEntityCount;
    public final int[] territoryIds;
    /**
     * Server id of each territory's server, 0 for none.
     */
    public final int[] territoryServerIds;
    public final long[] territoryEpochs;
    public final boolean[] territoryIsZone;
    /**
     * Per territory, six values: min x, y, z, max x, y, z in millimetres (min inclusive, max exclusive; the
     * infinities as {@code Long.MIN_VALUE} and {@code Long.MAX_VALUE}).
     */
    public final long[] territoryBoxes;
    public final long bordersMoved;
    public final long handoffsCommitted;
    /**
     * Territories split off a loaded server to a spare, and merged into a neighbour, since Atlas started.
     */
    public final long splits;
    public final long merges;

    MeshSnapshot(
        final long timeNs,
        final int[] serverIds,
        final boolean[] serverActive,
        final int[] serverEntityCount,
        final double[] serverCost,
        final float[] serverCpuLoad,
        final int[] serverReportedEntityCount,
        final int[] territoryIds,
        final int[] territoryServerIds,
        final long[] territoryEpochs,
        final boolean[] territoryIsZone,
        final long[] territoryBoxes,
        final long bordersMoved,
        final long handoffsCommitted,
        final long splits,
        final long merges)
    {
        this.timeNs = timeNs;
        this.serverIds = serverIds;
        this.serverActive = serverActive;
        this.serverEntityCount = serverEntityCount;
        this.serverCost = serverCost;
        this.serverCpuLoad = serverCpuLoad;
        this.serverReportedEntityCount = serverReportedEntityCount;
        this.territoryIds = territoryIds;
        this.territoryServerIds = territoryServerIds;
        this.territoryEpochs = territoryEpochs;
        this.territoryIsZone = territoryIsZone;
        this.territoryBoxes = territoryBoxes;
        this.bordersMoved = bordersMoved;
        this.handoffsCommitted = handoffsCommitted;
        this.splits = splits;
        this.merges = merges;
    }

    /**
     * @return one face of a territory's box: {@code axis} 0, 1, 2 for x, y, z.
     */
    public long face(final int territoryIndex, final int axis, final boolean upper)
    {
        return territoryBoxes[territoryIndex * 6 + (upper ? 3 : 0) + axis];
    }

    @Override
    public String toString()
    {
        final StringBuilder b = new StringBuilder("MeshSnapshot{");
        for (int t = 0; t < territoryIds.length; t++)
        {
            b.append(" territory ").append(territoryIds[t]).append(" server ").append(territoryServerIds[t])
                .append(" epoch ").append(territoryEpochs[t]);
            if (!territoryIsZone[t])
            {
                b.append(" x [").append(face(t, 0, false)).append("..").append(face(t, 0, true)).append(')');
            }
        }
        for (int s = 0; s < serverIds.length; s++)
        {
            b.append(" server ").append(serverIds[s]).append(serverActive[s] ? " up" : " down")
                .append(" entities ").append(serverEntityCount[s]).append(" cost ")
                .append(String.format("%.1f", serverCost[s]));
        }
        return b.append(" }").toString();
    }
}
