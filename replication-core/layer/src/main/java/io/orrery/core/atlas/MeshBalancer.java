/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import org.agrona.collections.IntArrayList;

/**
 * Dynamic meshing's balancer, inside {@link Atlas} and as deterministic: on Atlas's timer it moves the borders
 * between box territories of different servers toward the more loaded side, so the lighter server takes part of the
 * load. A border is a face two box territories share whole (same extents on the other two axes), as split planes
 * are; moving it keeps the boxes a partition of the world.
 * <p>
 * Cost model ({@code load-weights} in the {@link ShardConfig}): a territory costs a base, plus a weight per player,
 * per NPC and per ship (a zone entity) whose territory it is, an aggregate (a ship with its crew) counted where its
 * top-level ancestor is, so it moves as one; a server's cost is the sum of its territories'.
 * <p>
 * Each pass, for each border whose two servers differ by more than a dead band (a tenth of their sum, at least the
 * base weight): the border moves toward the heavier side by the border's current step, which starts at the maximum
 * step and halves (down to the minimum) each time the border's direction flips, so a crowd on a border is split
 * rather than chased. A move is made only if it strictly reduces the two servers' difference, predicted from the
 * entities in the strip it hands over (a shorter move is tried when the full one overshoots), and never if it would
 * take the receiving server above its high-water mark (85 % of {@code server-capacity}). The handoffs of the
 * entities it moves follow from Atlas's usual territory scan, exactly once by the handoff protocol.
 * <p>
 * Threading: Atlas's thread only. No allocation per pass after the first passes sized its arrays.
 */
final class MeshBalancer
{
    static final int WEIGHT_BASE = 0;
    static final int WEIGHT_PLAYER = 1;
    static final int WEIGHT_NPC = 2;
    static final int WEIGHT_SHIP = 3;
    private static final double HIGH_WATER = 0.85;

    private final TerritoryMap map;
    private final double[] weights = new double[4];
    private final long maxStepMm;
    private final long minStepMm;
    private final double highWaterCost;
    private final double[] territoryCost;
    private final double[] serverCost;

    private final int[] borderLow;
    private final int[] borderHigh;
    private final int[] borderAxis;
    private final long[] borderStepMm;
    private final int[] borderDirection;
    private final IntArrayList moved = new IntArrayList();

    private int entityCount;
    private int[] entityTerritory = new int[1024];
    private long[] entityX = new long[1024];
    private long[] entityY = new long[1024];
    private long[] entityZ = new long[1024];
    private double[] entityWeight = new double[1024];
    private long bordersMoved;

    MeshBalancer(final ShardConfig config, final TerritoryMap map)
    {
        this.map = map;
        for (int i = 0; i < weights.length; i++)
        {
            weights[i] = config.loadWeight(i);
        }
        maxStepMm = Math.max(1, Math.round(config.balanceMaxStepM() * 1000));
        minStepMm = Math.max(1, Math.min(maxStepMm, Math.round(config.balanceMinStepM() * 1000)));
        highWaterCost = HIGH_WATER * config.serverCapacity();
        territoryCost = new double[map.count()];
        serverCost = new double[config.serverIds().length];

        final IntArrayList low = new IntArrayList();
        final IntArrayList high = new IntArrayList();
        final IntArrayList axes = new IntArrayList();
        for (int a = 0; a < map.count(); a++)
        {
            for (int b = 0; b < map.count(); b++)
            {
                if (a == b || map.isZone(a) || map.isZone(b))
                {
                    continue;
                }
                for (int axis = 0; axis < 3; axis++)
                {
                    if (sharesFace(a, b, axis))
                    {
                        low.addInt(a);
                        high.addInt(b);
                        axes.addInt(axis);
                    }
                }
            }
        }
        borderLow = low.toIntArray();
        borderHigh = high.toIntArray();
        borderAxis = axes.toIntArray();
        borderStepMm = new long[borderLow.length];
        borderDirection = new int[borderLow.length];
        java.util.Arrays.fill(borderStepMm, maxStepMm);
    }

    /**
     * @return borders between box territories the balancer can move.
     */
    int borderCount()
    {
        return borderLow.length;
    }

    long bordersMoved()
    {
        return bordersMoved;
    }

    /**
     * @return the cost of a server (by index) at the last pass.
     */
    double serverCost(final int serverIndex)
    {
        return serverCost[serverIndex];
    }

    /**
     * @return the territories whose box the last pass changed (by index, each once).
     */
    IntArrayList moved()
    {
        return moved;
    }

    // ------------------------------------------------------------------ a pass: entities first, then decide

    void beginPass()
    {
        entityCount = 0;
        moved.clear();
    }

    /**
     * An entity of the table, counted in its territory at its top-level ancestor's position.
     */
    void addEntity(final int territory, final long x, final long y, final long z, final int kind)
    {
        if (entityCount == entityTerritory.length)
        {
            final int capacity = entityCount * 2;
            entityTerritory = java.util.Arrays.copyOf(entityTerritory, capacity);
            entityX = java.util.Arrays.copyOf(entityX, capacity);
            entityY = java.util.Arrays.copyOf(entityY, capacity);
            entityZ = java.util.Arrays.copyOf(entityZ, capacity);
            entityWeight = java.util.Arrays.copyOf(entityWeight, capacity);
        }
        entityTerritory[entityCount] = territory;
        entityX[entityCount] = x;
        entityY[entityCount] = y;
        entityZ[entityCount] = z;
        entityWeight[entityCount] = weights[kind];
        entityCount++;
    }

    /**
     * Decide this pass's border moves and apply them to the map.
     *
     * @param territoryServer each territory's server index, or {@link Atlas#NO_SERVER}.
     * @param active          whether each server has a live session.
     * @return borders moved; the territories changed are in {@link #moved()}.
     */
    int decide(final int[] territoryServer, final boolean[] active)
    {
        java.util.Arrays.fill(territoryCost, 0);
        java.util.Arrays.fill(serverCost, 0);
        for (int t = 0; t < territoryCost.length; t++)
        {
            territoryCost[t] = weights[WEIGHT_BASE];
        }
        for (int i = 0; i < entityCount; i++)
        {
            territoryCost[entityTerritory[i]] += entityWeight[i];
        }
        for (int t = 0; t < territoryCost.length; t++)
        {
            final int server = territoryServer[t];
            if (Atlas.NO_SERVER != server)
            {
                serverCost[server] += territoryCost[t];
            }
        }

        int work = 0;
        for (int b = 0; b < borderLow.length; b++)
        {
            final int low = borderLow[b];
            final int high = borderHigh[b];
            final int lowServer = territoryServer[low];
            final int highServer = territoryServer[high];
            if (Atlas.NO_SERVER == lowServer || Atlas.NO_SERVER == highServer || lowServer == highServer ||
                !active[lowServer] || !active[highServer])
            {
                continue;
            }
            final double diff = serverCost[lowServer] - serverCost[highServer];
            final double deadBand = Math.max(weights[WEIGHT_BASE], 0.1 * (serverCost[lowServer] +
                serverCost[highServer]));
            if (Math.abs(diff) <= deadBand)
            {
                borderDirection[b] = 0;
                continue;
            }
            final int direction = diff > 0 ? -1 : 1; // the heavier low side shrinks: the plane moves down
            final int giver = diff > 0 ? low : high;
            final int receiverServer = diff > 0 ? highServer : lowServer;
            long step = borderStepMm[b];
            if (borderDirection[b] == -direction)
            {
                step = Math.max(minStepMm, step >> 1);
            }
            if (move(b, giver, direction, step, Math.abs(diff), receiverServer, lowServer, highServer))
            {
                work++;
            }
        }
        bordersMoved += work;
        return work;
    }

    private boolean move(
        final int b,
        final int giver,
        final int direction,
        final long firstStep,
        final double absDiff,
        final int receiverServer,
        final int lowServer,
        final int highServer)
    {
        final int low = borderLow[b];
        final int high = borderHigh[b];
        final int axis = borderAxis[b];
        final long plane = map.max(low, axis);
        for (long step = firstStep; step >= minStepMm; step >>= 1)
        {
            final long next = plane + direction * step;
            if (next <= map.min(low, axis) || next >= map.max(high, axis))
            {
                continue; // a box would vanish
            }
            final double transfer = strip(giver, axis, Math.min(plane, next), Math.max(plane, next));
            if (Math.abs(absDiff - 2 * transfer) < absDiff && serverCost[receiverServer] + transfer <= highWaterCost)
            {
                map.face(low, axis, true, next);
                map.face(high, axis, false, next);
                territoryCost[giver] -= transfer;
                territoryCost[giver == low ? high : low] += transfer;
                serverCost[giver == low ? lowServer : highServer] -= transfer;
                serverCost[receiverServer] += transfer;
                borderStepMm[b] = step;
                borderDirection[b] = direction;
                addMoved(low);
                addMoved(high);
                return true;
            }
        }
        return false;
    }

    /**
     * @return the cost of the giver's entities whose position on the axis is in [from, to).
     */
    private double strip(final int giver, final int axis, final long from, final long to)
    {
        double cost = 0;
        for (int i = 0; i < entityCount; i++)
        {
            if (entityTerritory[i] == giver)
            {
                final long position = 0 == axis ? entityX[i] : 1 == axis ? entityY[i] : entityZ[i];
                if (position >= from && position < to)
                {
                    cost += entityWeight[i];
                }
            }
        }
        return cost;
    }

    private void addMoved(final int territory)
    {
        if (!moved.containsInt(territory))
        {
            moved.addInt(territory);
        }
    }

    private boolean sharesFace(final int low, final int high, final int axis)
    {
        if (map.max(low, axis) != map.min(high, axis) || Long.MAX_VALUE == map.max(low, axis) ||
            Long.MIN_VALUE == map.max(low, axis))
        {
            return false;
        }
        for (int other = 0; other < 3; other++)
        {
            if (other != axis && (map.min(low, other) != map.min(high, other) ||
                map.max(low, other) != map.max(high, other)))
            {
                return false;
            }
        }
        return true;
    }
}
