/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers.game;

/**
 * The territories a game server holds, as a struct of arrays indexed by a dense index {@code [0, count)} (removal
 * moves the last one in): the granted box or zone with its epoch, the box NPCs roam in (the territory box inset by the
 * border margin, clipped to the world extent), when NPC top-up may start, and the NPC census of the current tick
 * (live, and dormant in the store).
 * <p>
 * Threading: single threaded, owned by the game server's simulation thread. Fixed capacity
 * ({@link #MAX_TERRITORIES}); nothing allocates after construction.
 */
final class Territories
{
    static final int MAX_TERRITORIES = 64;
    private static final double MM_PER_M = 1000.0;

    int count;
    final int[] id = new int[MAX_TERRITORIES];
    final long[] epoch = new long[MAX_TERRITORIES];
    final long[] rootZone = new long[MAX_TERRITORIES];
    final long[] minX = new long[MAX_TERRITORIES];
    final long[] minY = new long[MAX_TERRITORIES];
    final long[] minZ = new long[MAX_TERRITORIES];
    final long[] maxX = new long[MAX_TERRITORIES];
    final long[] maxY = new long[MAX_TERRITORIES];
    final long[] maxZ = new long[MAX_TERRITORIES];
    final long[] roamMinX = new long[MAX_TERRITORIES];
    final long[] roamMinY = new long[MAX_TERRITORIES];
    final long[] roamMaxX = new long[MAX_TERRITORIES];
    final long[] roamMaxY = new long[MAX_TERRITORIES];
    final long[] spawnAfterNs = new long[MAX_TERRITORIES];
    final int[] npcCount = new int[MAX_TERRITORIES];
    final int[] dormantNpcs = new int[MAX_TERRITORIES];

    private final WorldSettings settings;

    Territories(final WorldSettings settings)
    {
        this.settings = settings;
    }

    /**
     * Hold a territory (again, with a new epoch and bounds if already held); NPC top-up starts after the spawn grace.
     *
     * @return its index, or -1 if {@value #MAX_TERRITORIES} other territories are held.
     */
    int grant(
        final int territoryId,
        final long territoryEpoch,
        final long rootZoneId,
        final long boxMinX,
        final long boxMinY,
        final long boxMinZ,
        final long boxMaxX,
        final long boxMaxY,
        final long boxMaxZ,
        final long nowNs)
    {
        int index = indexOf(territoryId);
        if (index < 0)
        {
            if (count == MAX_TERRITORIES)
            {
                return -1;
            }
            index = count++;
            id[index] = territoryId;
            npcCount[index] = 0;
            dormantNpcs[index] = 0;
        }
        epoch[index] = territoryEpoch;
        rootZone[index] = rootZoneId;
        minX[index] = boxMinX;
        minY[index] = boxMinY;
        minZ[index] = boxMinZ;
        maxX[index] = boxMaxX;
        maxY[index] = boxMaxY;
        maxZ[index] = boxMaxZ;
        final long insetMm = (long)(settings.borderInsetM * MM_PER_M);
        final long extentMm = (long)(settings.worldHalfExtentM * MM_PER_M);
        roamMinX[index] = Math.max(saturatedAdd(boxMinX, insetMm), -extentMm);
        roamMinY[index] = Math.max(saturatedAdd(boxMinY, insetMm), -extentMm);
        roamMaxX[index] = Math.min(saturatedAdd(boxMaxX, -insetMm), extentMm);
        roamMaxY[index] = Math.min(saturatedAdd(boxMaxY, -insetMm), extentMm);
        if (roamMaxX[index] < roamMinX[index])
        {
            roamMaxX[index] = roamMinX[index];
        }
        if (roamMaxY[index] < roamMinY[index])
        {
            roamMaxY[index] = roamMinY[index];
        }
        spawnAfterNs[index] = nowNs + settings.npcSpawnGraceNs;
        return index;
    }

    /**
     * Stop holding the territory at an index; the last one moves into it.
     */
    void removeAt(final int index)
    {
        final int last = --count;
        if (index != last)
        {
            id[index] = id[last];
            epoch[index] = epoch[last];
            rootZone[index] = rootZone[last];
            minX[index] = minX[last];
            minY[index] = minY[last];
            minZ[index] = minZ[last];
            maxX[index] = maxX[last];
            maxY[index] = maxY[last];
            maxZ[index] = maxZ[last];
            roamMinX[index] = roamMinX[last];
            roamMinY[index] = roamMinY[last];
            roamMaxX[index] = roamMaxX[last];
            roamMaxY[index] = roamMaxY[last];
            spawnAfterNs[index] = spawnAfterNs[last];
            npcCount[index] = npcCount[last];
            dormantNpcs[index] = dormantNpcs[last];
        }
    }

    void clear()
    {
        count = 0;
    }

    /**
     * @return the index of a held territory, or -1.
     */
    int indexOf(final int territoryId)
    {
        for (int t = 0; t < count; t++)
        {
            if (territoryId == id[t])
            {
                return t;
            }
        }
        return -1;
    }

    /**
     * @return the id of the held territory containing an entity (zone territories by parent zone, boxes as
     * {@code [min, max)}), or 0 when none does (the entity is about to be handed off).
     */
    int territoryOf(final EntityTable entities, final int slot)
    {
        final long parent = entities.parentZoneId[slot];
        final long x = entities.x[slot];
        final long y = entities.y[slot];
        final long z = entities.z[slot];
        for (int t = 0; t < count; t++)
        {
            if (0 != rootZone[t])
            {
                if (parent == rootZone[t] || entities.id[slot] == rootZone[t])
                {
                    return id[t];
                }
            }
            else if (0 == parent &&
                x >= minX[t] && x < maxX[t] &&
                y >= minY[t] && y < maxY[t] &&
                z >= minZ[t] && z < maxZ[t])
            {
                return id[t];
            }
        }
        return 0 != parent ? entities.territoryId[slot] : 0;
    }

    /**
     * Start a tick's NPC census.
     */
    void clearNpcCounts()
    {
        for (int t = 0; t < count; t++)
        {
            npcCount[t] = 0;
        }
    }

    /**
     * Count a live NPC of a territory (by id) in this tick's census.
     */
    void countNpc(final int territoryId)
    {
        final int index = indexOf(territoryId);
        if (index >= 0)
        {
            npcCount[index]++;
        }
    }

    int dormantNpcCount()
    {
        int dormant = 0;
        for (int t = 0; t < count; t++)
        {
            dormant += dormantNpcs[t];
        }
        return dormant;
    }

    private static long saturatedAdd(final long a, final long b)
    {
        final long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? (a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : sum;
    }
}
