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
 * top-level ancestor is, so it moves as one; a server's cost is the sum of its territories', divided by its time
 * dilation factor (its last {@code LoadReport.timeDilationPerMille} / 1000). A server that dilates time is overloaded
 * beyond what its tick time shows (it keeps its tick time by simulating only a fraction of its slots), so at 0.5 it
 * counts as twice its entities' cost: the borders move away from it and, above its high-water mark, it is split. The
 * same factor scales a strip's predicted transfer, so a dilated server also takes less on. A server back at real
 * time (1000, also every new session) counts its entities' cost alone.
 * <p>
 * Each pass, for each border whose two servers differ by more than a dead band (a tenth of their sum, at least the
 * base weight): the border moves toward the heavier side by the border's current step, which starts at the maximum
 * step, halves (down to the minimum) each time the border's direction flips, so a crowd on a border is split rather
 * than chased, and doubles (up to the maximum) while it keeps moving the same way, so it follows a crowd that moves.
 * A border is moved only while its two boxes still share the whole face (a move of another border in the same pass
 * can change that where four boxes meet). A move is made only if it strictly reduces the two servers' difference,
 * predicted from the
 * entities in the strip it hands over (a shorter move is tried when the full one overshoots), and never if it would
 * take the receiving server above its high-water mark (85 % of {@code server-capacity}). The handoffs of the
 * entities it moves follow from Atlas's usual territory scan, exactly once by the handoff protocol.
 * <p>
 * Split and merge, with the {@code spare} territories of the shard file (each bound to a server, no box at first):
 * a server above its high-water mark for {@link #SPLIT_AFTER_PASSES} passes in a row, when moving borders did not
 * relieve it, has its costliest box territory split at the cost median of its entities along the axis where they
 * are spread widest, the far half given to an empty spare territory whose server is connected and idle; with no
 * such server, Atlas asks the fleet for one ({@link #wantedServer()}). A server Atlas asked the fleet to retire is never
 * the spare of a split, even while it is still connected: the fleet is stopping it. A server below its low-water mark
 * ({@link #LOW_WATER} of its capacity) for {@link #MERGE_AFTER_PASSES} passes, holding one box territory, hands it
 * to a neighbour that shares a whole face with it (the union is a box) and can take its cost, unless that would
 * leave fewer than {@code fleet-min} servers with a territory; once it holds nothing, Atlas lets the fleet retire
 * it. Servers holding a spare territory are merged first, and a server holding only configured territories only
 * while the servers holding configured territories alone outnumber {@code fleet-min}: a quiet configured server
 * that has been below its mark all along must not take the last merge fleet-min allows while a split's server
 * still holds a box (the fleet could then never stop that one). At most one split or merge per pass.
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
    static final double LOW_WATER = 0.15;
    static final int SPLIT_AFTER_PASSES = 3;
    static final int MERGE_AFTER_PASSES = 5;

    private final TerritoryMap map;
    private final double[] weights = new double[4];
    private final long maxStepMm;
    private final long minStepMm;
    private final double highWaterCost;
    private final double lowWaterCost;
    private final int fleetMin;
    private final int[] territoryConfiguredServer;
    private final boolean[] territorySpare;
    private final double[] territoryCost;
    private final double[] serverCost;
    /**
     * Per server: its time dilation factor (game time per real time, 0..1] at this pass.
     */
    private final double[] serverFactor;
    private final int[] passesAbove;
    private final int[] passesBelow;
    private final boolean[] retiring;

    /**
     * Per border (territory pair and axis, as {@code low * count * 3 + high * 3 + axis}): its step and last
     * direction, kept while the border exists.
     */
    private final long[] stepMm;
    private final int[] lastDirection;
    private final IntArrayList borders = new IntArrayList();
    private final IntArrayList moved = new IntArrayList();
    private long[] scratch = new long[1024];
    private int wantedServer = Atlas.NO_SERVER;
    private long splits;
    private long merges;

    private int entityCount;
    private int[] entityTerritory = new int[1024];
    private long[] entityX = new long[1024];
    private long[] entityY = new long[1024];
    private long[] entityZ = new long[1024];
    private double[] entityWeight = new double[1024];
    private long bordersMoved;

    /**
     * @param retiring per server (by index): whether Atlas asked the fleet to retire its session (Atlas's array, read
     *                 on every pass): such a server is on its way out and never the spare of a split.
     */
    MeshBalancer(final ShardConfig config, final TerritoryMap map, final boolean[] retiring)
    {
        this.map = map;
        this.retiring = retiring;
        for (int i = 0; i < weights.length; i++)
        {
            weights[i] = config.loadWeight(i);
        }
        maxStepMm = Math.max(1, Math.round(config.balanceMaxStepM() * 1000));
        minStepMm = Math.max(1, Math.min(maxStepMm, Math.round(config.balanceMinStepM() * 1000)));
        highWaterCost = HIGH_WATER * config.serverCapacity();
        lowWaterCost = LOW_WATER * config.serverCapacity();
        fleetMin = config.fleetMin();
        final int count = map.count();
        territoryCost = new double[count];
        territoryConfiguredServer = new int[count];
        territorySpare = new boolean[count];
        final int[] serverIds = config.serverIds();
        for (int t = 0; t < count; t++)
        {
            territorySpare[t] = config.territory(t).spare;
            for (int i = 0; i < serverIds.length; i++)
            {
                if (serverIds[i] == config.territory(t).serverId)
                {
                    territoryConfiguredServer[t] = i;
                }
            }
        }
        serverCost = new double[serverIds.length];
        serverFactor = new double[serverIds.length];
        passesAbove = new int[serverIds.length];
        passesBelow = new int[serverIds.length];
        stepMm = new long[count * count * 3];
        lastDirection = new int[count * count * 3];
        java.util.Arrays.fill(stepMm, maxStepMm);
        findBorders();
    }

    /**
     * @return borders between box territories the balancer can move.
     */
    int borderCount()
    {
        return borders.size();
    }

    long splits()
    {
        return splits;
    }

    long merges()
    {
        return merges;
    }

    /**
     * @return a server (by index) the last pass wants started for a split, or {@link Atlas#NO_SERVER}.
     */
    int wantedServer()
    {
        return wantedServer;
    }

    /**
     * The borders as the boxes are now: faces two non-empty box territories share whole.
     */
    private void findBorders()
    {
        borders.clear();
        final int count = map.count();
        for (int a = 0; a < count; a++)
        {
            for (int b = 0; b < count; b++)
            {
                if (a == b || map.isZone(a) || map.isZone(b) || map.isEmpty(a) || map.isEmpty(b))
                {
                    continue;
                }
                for (int axis = 0; axis < 3; axis++)
                {
                    if (sharesFace(a, b, axis))
                    {
                        borders.addInt((a * count + b) * 3 + axis);
                    }
                }
            }
        }
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
     * @param dilationPerMille  each server's time dilation in 1/1000 (1..1000; 1000 = real time).
     * @return borders moved; the territories changed are in {@link #moved()}.
     */
    int decide(final int[] territoryServer, final boolean[] active, final int[] dilationPerMille)
    {
        for (int s = 0; s < serverFactor.length; s++)
        {
            serverFactor[s] = Math.max(1, Math.min(1000, dilationPerMille[s])) / 1000.0;
        }
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
                serverCost[server] += territoryCost[t] / serverFactor[server];
            }
        }

        int work = 0;
        final int count = map.count();
        for (int i = 0, n = borders.size(); i < n; i++)
        {
            final int b = borders.getInt(i);
            final int low = b / 3 / count;
            final int high = b / 3 % count;
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
                lastDirection[b] = 0;
                continue;
            }
            final int direction = diff > 0 ? -1 : 1; // the heavier low side shrinks: the plane moves down
            final int giver = diff > 0 ? low : high;
            final int receiverServer = diff > 0 ? highServer : lowServer;
            final int giverServer = diff > 0 ? lowServer : highServer;
            if (!sharesFace(low, high, b % 3))
            {
                continue; // a move of another border this pass changed these boxes (a corner of four)
            }
            long step = stepMm[b];
            if (lastDirection[b] == -direction)
            {
                step = Math.max(minStepMm, step >> 1);
            }
            else if (lastDirection[b] == direction)
            {
                step = Math.min(maxStepMm, step << 1); // moving on the same way: follow a crowd that moves
            }
            if (move(b, low, high, giver, direction, step, Math.abs(diff), giverServer, receiverServer))
            {
                work++;
            }
        }
        bordersMoved += work;
        if (splitOrMerge(territoryServer, active))
        {
            findBorders();
        }
        return work;
    }

    /**
     * @return whether no server can take more: every connected server holding a box is above its high-water mark
     * and no spare territory is left, idle or startable (admission control closes the shard then).
     */
    boolean isFull(final int[] territoryServer, final boolean[] active)
    {
        boolean anyHolding = false;
        for (int s = 0; s < serverCost.length; s++)
        {
            if (active[s] && holdsBox(territoryServer, s))
            {
                anyHolding = true;
                if (serverCost[s] <= highWaterCost)
                {
                    return false;
                }
            }
        }
        return anyHolding && -1 == idleSpare(territoryServer, active) &&
            Atlas.NO_SERVER == startableSpareServer(active);
    }

    /**
     * At most one split or merge per pass (see the class comment).
     *
     * @return whether the boxes changed.
     */
    private boolean splitOrMerge(final int[] territoryServer, final boolean[] active)
    {
        wantedServer = Atlas.NO_SERVER;
        int holding = 0;
        int holdingSpare = 0;
        for (int s = 0; s < serverCost.length; s++)
        {
            final boolean holds = active[s] && holdsBox(territoryServer, s);
            holding += holds ? 1 : 0;
            holdingSpare += holds && holdsSpareBox(territoryServer, s) ? 1 : 0;
            passesAbove[s] = holds && serverCost[s] > highWaterCost ? passesAbove[s] + 1 : 0;
            passesBelow[s] = holds && serverCost[s] < lowWaterCost ? passesBelow[s] + 1 : 0;
        }
        for (int s = 0; s < serverCost.length; s++)
        {
            if (passesAbove[s] >= SPLIT_AFTER_PASSES)
            {
                final int spare = idleSpare(territoryServer, active);
                if (Atlas.NO_SERVER == spare)
                {
                    wantedServer = startableSpareServer(active);
                    return false;
                }
                if (split(territoryServer, s, spare))
                {
                    passesAbove[s] = 0;
                    splits++;
                    return true;
                }
            }
        }
        // servers that a split added (holding a spare territory) are merged away first, and a server of a configured
        // territory only while the others of those alone stay above fleet-min: merging it must never use up the last
        // merge that fleet-min allows while a split's server still holds a box, else the fleet could not stop that one
        for (int round = 0; round < 2; round++)
        {
            final boolean spares = 0 == round;
            if (!spares && holding - holdingSpare <= fleetMin)
            {
                break;
            }
            for (int s = 0; s < serverCost.length; s++)
            {
                if (passesBelow[s] >= MERGE_AFTER_PASSES && holding > fleetMin &&
                    spares == holdsSpareBox(territoryServer, s) && merge(territoryServer, active, s))
                {
                    passesBelow[s] = 0;
                    merges++;
                    return true;
                }
            }
        }
        return false;
    }

    private boolean holdsSpareBox(final int[] territoryServer, final int server)
    {
        for (int t = 0; t < territoryServer.length; t++)
        {
            if (territoryServer[t] == server && territorySpare[t] && !map.isEmpty(t))
            {
                return true;
            }
        }
        return false;
    }

    private boolean holdsBox(final int[] territoryServer, final int server)
    {
        for (int t = 0; t < territoryServer.length; t++)
        {
            if (territoryServer[t] == server && !map.isZone(t) && !map.isEmpty(t))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @return an empty spare territory granted to a connected server that holds no box and that Atlas has not asked
     * the fleet to retire (the fleet may be stopping it: entities split onto it would fail over when it goes), or -1.
     */
    private int idleSpare(final int[] territoryServer, final boolean[] active)
    {
        for (int t = 0; t < territoryServer.length; t++)
        {
            final int server = territoryServer[t];
            if (territorySpare[t] && map.isEmpty(t) && Atlas.NO_SERVER != server && active[server] &&
                !retiring[server] && !holdsBox(territoryServer, server))
            {
                return t;
            }
        }
        return -1;
    }

    /**
     * @return the server of an empty spare territory that is not connected (the fleet may start it), or none.
     */
    private int startableSpareServer(final boolean[] active)
    {
        for (int t = 0; t < territorySpare.length; t++)
        {
            if (territorySpare[t] && map.isEmpty(t) && !active[territoryConfiguredServer[t]])
            {
                return territoryConfiguredServer[t];
            }
        }
        return Atlas.NO_SERVER;
    }

    /**
     * Split the loaded server's costliest box territory at the cost median of its entities, along the axis where
     * they spread widest; the far half goes to the spare territory.
     */
    private boolean split(final int[] territoryServer, final int server, final int spare)
    {
        int target = -1;
        for (int t = 0; t < territoryServer.length; t++)
        {
            if (territoryServer[t] == server && !map.isZone(t) && !map.isEmpty(t) &&
                (-1 == target || territoryCost[t] > territoryCost[target]))
            {
                target = t;
            }
        }
        if (-1 == target)
        {
            return false;
        }
        int bestAxis = -1;
        long bestSpread = 0;
        for (int axis = 0; axis < 3; axis++)
        {
            final int n = collect(target, axis);
            if (n > 1 && scratch[n - 1] - scratch[0] > bestSpread)
            {
                bestSpread = scratch[n - 1] - scratch[0];
                bestAxis = axis;
            }
        }
        if (-1 == bestAxis)
        {
            return false;
        }
        final int n = collect(target, bestAxis);
        long plane = scratch[n / 2];
        if (plane <= scratch[0])
        {
            plane = scratch[0] + 1; // everything below the median sits on the lowest value: keep it on this side
        }
        if (plane <= map.min(target, bestAxis) || plane >= map.max(target, bestAxis))
        {
            return false;
        }
        for (int axis = 0; axis < 3; axis++)
        {
            map.face(spare, axis, false, axis == bestAxis ? plane : map.min(target, axis));
            map.face(spare, axis, true, map.max(target, axis));
        }
        map.face(target, bestAxis, true, plane);
        addMoved(target);
        addMoved(spare);
        return true;
    }

    /**
     * @return entities of a territory sorted by their position on an axis into {@link #scratch}; their count.
     */
    private int collect(final int territory, final int axis)
    {
        int n = 0;
        for (int i = 0; i < entityCount; i++)
        {
            if (entityTerritory[i] == territory)
            {
                if (n == scratch.length)
                {
                    scratch = java.util.Arrays.copyOf(scratch, n * 2);
                }
                scratch[n++] = 0 == axis ? entityX[i] : 1 == axis ? entityY[i] : entityZ[i];
            }
        }
        java.util.Arrays.sort(scratch, 0, n);
        return n;
    }

    /**
     * Give a lightly loaded server's only box territory to a neighbour sharing a whole face with it.
     */
    private boolean merge(final int[] territoryServer, final boolean[] active, final int server)
    {
        int from = -1;
        for (int t = 0; t < territoryServer.length; t++)
        {
            if (territoryServer[t] == server && !map.isZone(t))
            {
                if (!map.isEmpty(t))
                {
                    if (-1 != from)
                    {
                        return false; // more than one box: leave it to the borders
                    }
                    from = t;
                }
            }
        }
        if (-1 == from)
        {
            return false;
        }
        for (int to = 0; to < territoryServer.length; to++)
        {
            final int neighbour = territoryServer[to];
            if (to == from || map.isZone(to) || map.isEmpty(to) || Atlas.NO_SERVER == neighbour ||
                neighbour == server || !active[neighbour] ||
                serverCost[neighbour] + (territoryCost[from] - weights[WEIGHT_BASE]) / serverFactor[neighbour] >
                highWaterCost)
            {
                continue;
            }
            for (int axis = 0; axis < 3; axis++)
            {
                final boolean below = sharesFace(from, to, axis);
                if (below || sharesFace(to, from, axis))
                {
                    if (below)
                    {
                        map.face(to, axis, false, map.min(from, axis));
                    }
                    else
                    {
                        map.face(to, axis, true, map.max(from, axis));
                    }
                    for (int a = 0; a < 3; a++)
                    {
                        map.face(from, a, false, 0);
                        map.face(from, a, true, 0);
                    }
                    addMoved(from);
                    addMoved(to);
                    return true;
                }
            }
        }
        return false;
    }

    private boolean move(
        final int b,
        final int low,
        final int high,
        final int giver,
        final int direction,
        final long firstStep,
        final double absDiff,
        final int giverServer,
        final int receiverServer)
    {
        final int axis = b % 3;
        final long plane = map.max(low, axis);
        for (long step = firstStep; step >= minStepMm; step >>= 1)
        {
            final long next = plane + direction * step;
            if (next <= map.min(low, axis) || next >= map.max(high, axis))
            {
                continue; // a box would vanish
            }
            final double transfer = strip(giver, axis, Math.min(plane, next), Math.max(plane, next));
            final double relief = transfer / serverFactor[giverServer];
            final double burden = transfer / serverFactor[receiverServer];
            if (Math.abs(absDiff - relief - burden) < absDiff && serverCost[receiverServer] + burden <= highWaterCost)
            {
                map.face(low, axis, true, next);
                map.face(high, axis, false, next);
                territoryCost[giver] -= transfer;
                territoryCost[giver == low ? high : low] += transfer;
                serverCost[giverServer] -= relief;
                serverCost[receiverServer] += burden;
                stepMm[b] = step;
                lastDirection[b] = direction;
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
