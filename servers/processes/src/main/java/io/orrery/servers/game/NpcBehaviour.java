/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers.game;

import java.util.SplittableRandom;

/**
 * What the NPCs of a {@link GameWorld} do (see its class rules): lifetimes, wandering between seeded random
 * waypoints inside their territory's roaming box, following the nearest player within range (owned here or seen
 * through a client view) up to the border, and topping each territory up to its NPC population with ids from the
 * server's block. All randomness of the world is drawn here, from one seeded generator, so a run is reproducible.
 * <p>
 * Threading: single threaded, owned by the game server's simulation thread; nothing allocates after construction.
 */
final class NpcBehaviour
{
    private static final double MM_PER_M = 1000.0;

    private final WorldSettings settings;
    private final WorldListener listener;
    private final EntityTable entities;
    private final ViewTable views;
    private final Territories territories;
    private final SplittableRandom random;
    private final double dtS;
    private final double stepMm;
    private final long followRangeSquaredMm;

    private long nextEntityId;
    private long entityIdLimit;
    private long npcsSpawned;
    private long npcsDestroyed;
    private long spawnFailures;

    NpcBehaviour(
        final WorldSettings settings,
        final WorldListener listener,
        final EntityTable entities,
        final ViewTable views,
        final Territories territories,
        final double dtS)
    {
        this.settings = settings;
        this.listener = listener;
        this.entities = entities;
        this.views = views;
        this.territories = territories;
        this.random = new SplittableRandom(settings.seed);
        this.dtS = dtS;
        this.stepMm = dtS * MM_PER_M;
        final long rangeMm = (long)(settings.followRangeM * MM_PER_M);
        this.followRangeSquaredMm = rangeMm * rangeMm;
    }

    /**
     * The block of entity ids new NPCs take their ids from.
     */
    void idBlock(final long base, final long count)
    {
        nextEntityId = base;
        entityIdLimit = base + count;
    }

    long npcsSpawned()
    {
        return npcsSpawned;
    }

    long npcsDestroyed()
    {
        return npcsDestroyed;
    }

    long spawnFailures()
    {
        return spawnFailures;
    }

    /**
     * One tick of an active NPC: end its life when due (lifetimes are game time), count it in its territory's
     * census, steer, move and keep it in its territory.
     *
     * @param gameTimeNs the game clock (time dilation: slower than real time when dilated).
     * @return work done.
     */
    int simulate(final int slot, final long gameTimeNs, final long ticks)
    {
        final long expiresAtNs = entities.expiresAtNs[slot];
        if (Long.MIN_VALUE == expiresAtNs)
        {
            entities.expiresAtNs[slot] = gameTimeNs + lifetimeNs();
        }
        else if (gameTimeNs - expiresAtNs >= 0)
        {
            if (listener.onEntityDestroyed(entities.id[slot], entities.epoch[slot]))
            {
                entities.removeSlot(slot);
                npcsDestroyed++;
                return 1;
            }
        }
        final int territory = territories.indexOf(entities.territoryId[slot]);
        if (territory >= 0)
        {
            territories.npcCount[territory]++;
        }
        if (EntityTable.KIND_NPC_FOLLOW == entities.kind[slot])
        {
            follow(slot, ticks);
        }
        steerNpc(slot, territory);
        entities.integrate(slot, stepMm);
        if (territory >= 0)
        {
            clampInto(slot, territory);
        }
        return 1;
    }

    private void follow(final int slot, final long ticks)
    {
        if (0 == (ticks + entities.id[slot]) % settings.retargetIntervalTicks)
        {
            entities.followId[slot] = nearestPlayer(entities.x[slot], entities.y[slot]);
        }
        final long targetId = entities.followId[slot];
        if (0 == targetId)
        {
            return;
        }
        final int owned = entities.slotOf(targetId);
        if (EntityTable.NULL_SLOT != owned)
        {
            entities.targetX[slot] = entities.x[owned];
            entities.targetY[slot] = entities.y[owned];
            return;
        }
        final int view = views.slotOf(targetId);
        if (ViewTable.NULL_SLOT != view)
        {
            entities.targetX[slot] = views.x[view];
            entities.targetY[slot] = views.y[view];
            return;
        }
        entities.followId[slot] = 0;
    }

    private long nearestPlayer(final long x, final long y)
    {
        long best = 0;
        long bestDistanceSquared = followRangeSquaredMm;
        for (int i = 0, size = entities.size; i < size; i++)
        {
            if (EntityTable.KIND_PLAYER == entities.kind[i])
            {
                final long dx = entities.x[i] - x;
                final long dy = entities.y[i] - y;
                final long distanceSquared = dx * dx + dy * dy;
                if (distanceSquared <= bestDistanceSquared)
                {
                    bestDistanceSquared = distanceSquared;
                    best = entities.id[i];
                }
            }
        }
        for (int i = 0, size = views.size; i < size; i++)
        {
            if (GameWorld.ARCHETYPE_PLAYER == views.archetype[i])
            {
                final long dx = views.x[i] - x;
                final long dy = views.y[i] - y;
                final long distanceSquared = dx * dx + dy * dy;
                if (distanceSquared <= bestDistanceSquared)
                {
                    bestDistanceSquared = distanceSquared;
                    best = views.id[i];
                }
            }
        }
        return best;
    }

    private void steerNpc(final int slot, final int territory)
    {
        final boolean following = 0 != entities.followId[slot];
        final long goalX = entities.targetX[slot];
        final long goalY = entities.targetY[slot];
        if (following)
        {
            final double gx = goalX - entities.x[slot];
            final double gy = goalY - entities.y[slot];
            final double stopMm = settings.followStopDistanceM * MM_PER_M;
            if (gx * gx + gy * gy <= stopMm * stopMm)
            {
                entities.setVelocity(slot, 0, 0, 0);
                return;
            }
        }
        long targetX = goalX;
        long targetY = goalY;
        if (territory >= 0)
        {
            targetX = clamp(targetX, territories.roamMinX[territory], territories.roamMaxX[territory]);
            targetY = clamp(targetY, territories.roamMinY[territory], territories.roamMaxY[territory]);
        }
        final double dx = targetX - entities.x[slot];
        final double dy = targetY - entities.y[slot];
        final double distanceMm = Math.sqrt(dx * dx + dy * dy);
        if (distanceMm <= settings.npcSpeedMps * dtS * MM_PER_M)
        {
            // arrive exactly (a waypoint, or the border point nearest a player beyond it)
            if (0 != dx || 0 != dy)
            {
                entities.x[slot] = targetX;
                entities.y[slot] = targetY;
                entities.changed[slot] |= GameWorld.CHANGED_POSITION;
            }
            entities.setVelocity(slot, 0, 0, 0);
            if (!following)
            {
                pickWaypoint(slot);
            }
            return;
        }
        final double speed = settings.npcSpeedMps / distanceMm;
        entities.setVelocity(slot, (float)(dx * speed), (float)(dy * speed), 0);
        final double yaw = Math.atan2(dy, dx);
        final float qz = (float)Math.sin(yaw * 0.5);
        final float qw = (float)Math.cos(yaw * 0.5);
        if (Math.abs(qz - entities.qz[slot]) > 1e-3f || Math.abs(qw - entities.qw[slot]) > 1e-3f)
        {
            entities.qx[slot] = 0;
            entities.qy[slot] = 0;
            entities.qz[slot] = qz;
            entities.qw[slot] = qw;
            entities.changed[slot] |= GameWorld.CHANGED_ORIENTATION;
        }
    }

    private void clampInto(final int slot, final int territory)
    {
        final long x = clamp(entities.x[slot], territories.roamMinX[territory], territories.roamMaxX[territory]);
        final long y = clamp(entities.y[slot], territories.roamMinY[territory], territories.roamMaxY[territory]);
        if (x != entities.x[slot] || y != entities.y[slot])
        {
            entities.x[slot] = x;
            entities.y[slot] = y;
            entities.changed[slot] |= GameWorld.CHANGED_POSITION;
        }
    }

    void pickWaypoint(final int slot)
    {
        final int territory = territories.indexOf(entities.territoryId[slot]);
        if (territory < 0)
        {
            entities.targetX[slot] = entities.x[slot];
            entities.targetY[slot] = entities.y[slot];
            return;
        }
        entities.targetX[slot] = randomBetween(territories.roamMinX[territory], territories.roamMaxX[territory]);
        entities.targetY[slot] = randomBetween(territories.roamMinY[territory], territories.roamMaxY[territory]);
    }

    /**
     * Top every territory up to its NPC population.
     *
     * @param nowNs      the real clock (spawn grace after a grant, spawn confirmation timeout: protocol timers).
     * @param gameTimeNs the game clock (NPC lifetimes).
     */
    int topUp(final long nowNs, final long gameTimeNs)
    {
        int spawned = 0;
        for (int t = 0; t < territories.count && spawned < settings.maxSpawnsPerTick; t++)
        {
            if (nowNs - territories.spawnAfterNs[t] < 0 || 0 != territories.rootZone[t])
            {
                continue;
            }
            while (territories.npcCount[t] + territories.dormantNpcs[t] < settings.npcsPerTerritory && spawned < settings.maxSpawnsPerTick)
            {
                if (!spawnNpc(t, nowNs, gameTimeNs))
                {
                    return spawned;
                }
                territories.npcCount[t]++;
                spawned++;
            }
        }
        return spawned;
    }

    private boolean spawnNpc(final int territory, final long nowNs, final long gameTimeNs)
    {
        if (nextEntityId >= entityIdLimit)
        {
            spawnFailures++;
            return false;
        }
        final long entityId = nextEntityId;
        final int slot = entities.add(entityId);
        if (EntityTable.NULL_SLOT == slot)
        {
            spawnFailures++;
            return false;
        }
        nextEntityId++;
        entities.archetype[slot] = GameWorld.ARCHETYPE_NPC;
        entities.kind[slot] = random.nextDouble() < settings.followFraction ?
            EntityTable.KIND_NPC_FOLLOW : EntityTable.KIND_NPC_WANDER;
        entities.x[slot] = randomBetween(territories.roamMinX[territory], territories.roamMaxX[territory]);
        entities.y[slot] = randomBetween(territories.roamMinY[territory], territories.roamMaxY[territory]);
        entities.z[slot] = clamp(0, territories.minZ[territory], territories.maxZ[territory]);
        entities.radius[slot] = settings.npcRadiusM;
        entities.epoch[slot] = territories.epoch[territory];
        entities.territoryId[slot] = territories.id[territory];
        entities.expiresAtNs[slot] = gameTimeNs + lifetimeNs();
        entities.active[slot] = false;
        entities.pendingUntilNs[slot] = nowNs + settings.spawnConfirmTimeoutNs;
        pickWaypoint(slot);
        if (!listener.onEntitySpawned(entities, slot))
        {
            entities.removeSlot(slot);
            spawnFailures++;
            return false;
        }
        npcsSpawned++;
        return true;
    }

    private long lifetimeNs()
    {
        final long min = settings.npcLifetimeMinNs;
        final long max = settings.npcLifetimeMaxNs;
        return max == min ? min : min + (long)(random.nextDouble() * (max - min));
    }

    private long randomBetween(final long min, final long max)
    {
        return max <= min ? min : min + (long)(random.nextDouble() * (max - min));
    }

    private static long clamp(final long value, final long min, final long max)
    {
        return value < min ? min : Math.min(value, max);
    }
}
