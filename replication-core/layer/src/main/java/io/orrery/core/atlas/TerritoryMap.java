/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

/**
 * The territories' boxes as they are now: those of the {@link ShardConfig} at first, then moved by the balancer
 * ({@link MeshBalancer}). Atlas owns one and changes it; the mesh keeps a replica changed only by
 * {@link AtlasDecisionHandler#onTerritoryResized} decisions. Boxes are in millimetres, min inclusive, max exclusive;
 * zone territories have no box. Ids, servers and zones stay those of the configuration.
 * <p>
 * Threading: its owner's thread only. No allocation after construction.
 */
final class TerritoryMap
{
    private final ShardConfig config;
    private final long[] minX;
    private final long[] minY;
    private final long[] minZ;
    private final long[] maxX;
    private final long[] maxY;
    private final long[] maxZ;
    private final boolean[] isZone;

    TerritoryMap(final ShardConfig config)
    {
        this.config = config;
        final int count = config.territoryCount();
        minX = new long[count];
        minY = new long[count];
        minZ = new long[count];
        maxX = new long[count];
        maxY = new long[count];
        maxZ = new long[count];
        isZone = new boolean[count];
        for (int t = 0; t < count; t++)
        {
            final ShardConfig.Territory territory = config.territory(t);
            isZone[t] = territory.isZone();
            resize(t, territory.minX, territory.minY, territory.minZ, territory.maxX, territory.maxY, territory.maxZ);
        }
    }

    int count()
    {
        return isZone.length;
    }

    boolean isZone(final int t)
    {
        return isZone[t];
    }

    void resize(
        final int t, final long minX, final long minY, final long minZ, final long maxX, final long maxY,
        final long maxZ)
    {
        this.minX[t] = minX;
        this.minY[t] = minY;
        this.minZ[t] = minZ;
        this.maxX[t] = maxX;
        this.maxY[t] = maxY;
        this.maxZ[t] = maxZ;
    }

    long min(final int t, final int axis)
    {
        return 0 == axis ? minX[t] : 1 == axis ? minY[t] : minZ[t];
    }

    long max(final int t, final int axis)
    {
        return 0 == axis ? maxX[t] : 1 == axis ? maxY[t] : maxZ[t];
    }

    /**
     * Move one face of a box: its min ({@code upper} false) or max on an axis.
     */
    void face(final int t, final int axis, final boolean upper, final long value)
    {
        final long[] faces = upper ? (0 == axis ? maxX : 1 == axis ? maxY : maxZ) :
            (0 == axis ? minX : 1 == axis ? minY : minZ);
        faces[t] = value;
    }

    /**
     * @return whether a box territory has no volume (a spare, or a territory merged into its neighbour).
     */
    boolean isEmpty(final int t)
    {
        return !isZone[t] && (minX[t] >= maxX[t] || minY[t] >= maxY[t] || minZ[t] >= maxZ[t]);
    }

    boolean contains(final int t, final long x, final long y, final long z)
    {
        return !isZone[t] && x >= minX[t] && x < maxX[t] && y >= minY[t] && y < maxY[t] && z >= minZ[t] &&
            z < maxZ[t];
    }

    /**
     * @return the box territory containing a world point, else the default territory, else
     * {@link ShardConfig#NO_TERRITORY}.
     */
    int indexAt(final long x, final long y, final long z)
    {
        for (int t = 0; t < isZone.length; t++)
        {
            if (contains(t, x, y, z))
            {
                return t;
            }
        }
        return config.defaultTerritoryIndex();
    }

    /**
     * @return true if the point is within {@code marginMm} of the box (zone territories: false).
     */
    boolean isNear(final int t, final long x, final long y, final long z, final long marginMm)
    {
        return !isZone[t] && !isEmpty(t) &&
            x >= sat(minX[t], -marginMm) && x < sat(maxX[t], marginMm) &&
            y >= sat(minY[t], -marginMm) && y < sat(maxY[t], marginMm) &&
            z >= sat(minZ[t], -marginMm) && z < sat(maxZ[t], marginMm);
    }

    /**
     * @return how far inside the box the point is (the distance to the nearest face), negative if outside.
     */
    long depthInside(final int t, final long x, final long y, final long z)
    {
        long depth = Math.min(sub(x, minX[t]), sub(maxX[t], x));
        depth = Math.min(depth, Math.min(sub(y, minY[t]), sub(maxY[t], y)));
        return Math.min(depth, Math.min(sub(z, minZ[t]), sub(maxZ[t], z)));
    }

    private static long sat(final long value, final long delta)
    {
        final long result = value + delta;
        return ((value ^ result) & (delta ^ result)) < 0 ? (delta > 0 ? Long.MAX_VALUE : Long.MIN_VALUE) : result;
    }

    private static long sub(final long a, final long b)
    {
        final long result = a - b;
        return ((a ^ b) & (a ^ result)) < 0 ? (a > b ? Long.MAX_VALUE : Long.MIN_VALUE) : result;
    }
}
