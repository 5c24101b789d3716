/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers.game;

/**
 * Settings of a {@link GameWorld}, with defaults. Plain fields read by the world at construction.
 * <p>
 * Threading: configure on one thread before the world is built.
 */
public final class WorldSettings
{
    int tickRateHz = 30;
    double maxSpeedMps = 10;
    double speedTolerance = 0.01;
    int npcsPerTerritory = 50;
    double npcSpeedMps = 4;
    double followFraction = 0.3;
    double followRangeM = 30;
    double followStopDistanceM = 3;
    long npcLifetimeMinNs = 10_000_000_000L;
    long npcLifetimeMaxNs = 30_000_000_000L;
    long npcSpawnGraceNs = 500_000_000L;
    long spawnConfirmTimeoutNs = 2_000_000_000L;
    int maxSpawnsPerTick = 16;
    int retargetIntervalTicks = 15;
    double worldHalfExtentM = 1000;
    double borderInsetM = 1;
    float npcRadiusM = 0.5f;
    int maxEntities = 16 * 1024;
    int maxViews = 8 * 1024;
    long seed = 42;

    public int tickRateHz()
    {
        return tickRateHz;
    }

    public WorldSettings tickRateHz(final int tickRateHz)
    {
        this.tickRateHz = tickRateHz;
        return this;
    }

    public double maxSpeedMps()
    {
        return maxSpeedMps;
    }

    /**
     * Fastest a player may move; a move vector of length 1 means this speed.
     */
    public WorldSettings maxSpeedMps(final double maxSpeedMps)
    {
        this.maxSpeedMps = maxSpeedMps;
        return this;
    }

    /**
     * Fraction above the max speed still accepted (float rounding of normalised vectors).
     */
    public WorldSettings speedTolerance(final double speedTolerance)
    {
        this.speedTolerance = speedTolerance;
        return this;
    }

    public int npcsPerTerritory()
    {
        return npcsPerTerritory;
    }

    public WorldSettings npcsPerTerritory(final int npcsPerTerritory)
    {
        this.npcsPerTerritory = npcsPerTerritory;
        return this;
    }

    public WorldSettings npcSpeedMps(final double npcSpeedMps)
    {
        this.npcSpeedMps = npcSpeedMps;
        return this;
    }

    /**
     * Share of spawned NPCs that follow players (the rest wander), 0..1.
     */
    public WorldSettings followFraction(final double followFraction)
    {
        this.followFraction = followFraction;
        return this;
    }

    public WorldSettings followRangeM(final double followRangeM)
    {
        this.followRangeM = followRangeM;
        return this;
    }

    public WorldSettings followStopDistanceM(final double followStopDistanceM)
    {
        this.followStopDistanceM = followStopDistanceM;
        return this;
    }

    public WorldSettings npcLifetimeNs(final long minNs, final long maxNs)
    {
        this.npcLifetimeMinNs = minNs;
        this.npcLifetimeMaxNs = maxNs;
        return this;
    }

    public WorldSettings npcSpawnGraceNs(final long npcSpawnGraceNs)
    {
        this.npcSpawnGraceNs = npcSpawnGraceNs;
        return this;
    }

    /**
     * How long a requested spawn waits for the Replication Layer to stream it in before it is given up.
     */
    public WorldSettings spawnConfirmTimeoutNs(final long spawnConfirmTimeoutNs)
    {
        this.spawnConfirmTimeoutNs = spawnConfirmTimeoutNs;
        return this;
    }

    public WorldSettings maxSpawnsPerTick(final int maxSpawnsPerTick)
    {
        this.maxSpawnsPerTick = maxSpawnsPerTick;
        return this;
    }

    public WorldSettings retargetIntervalTicks(final int retargetIntervalTicks)
    {
        this.retargetIntervalTicks = retargetIntervalTicks;
        return this;
    }

    /**
     * NPCs wander inside their territory intersected with the square of this half extent around the origin.
     */
    public WorldSettings worldHalfExtentM(final double worldHalfExtentM)
    {
        this.worldHalfExtentM = worldHalfExtentM;
        return this;
    }

    public WorldSettings borderInsetM(final double borderInsetM)
    {
        this.borderInsetM = borderInsetM;
        return this;
    }

    public int maxEntities()
    {
        return maxEntities;
    }

    public WorldSettings maxEntities(final int maxEntities)
    {
        this.maxEntities = maxEntities;
        return this;
    }

    public WorldSettings maxViews(final int maxViews)
    {
        this.maxViews = maxViews;
        return this;
    }

    public long seed()
    {
        return seed;
    }

    public WorldSettings seed(final long seed)
    {
        this.seed = seed;
        return this;
    }

    /**
     * Validate.
     *
     * @return this.
     */
    public WorldSettings conclude()
    {
        if (tickRateHz <= 0 || tickRateHz > 1000)
        {
            throw new IllegalArgumentException("tick rate must be in (0, 1000] Hz: " + tickRateHz);
        }
        if (!(maxSpeedMps > 0) || !(speedTolerance >= 0) || !(npcSpeedMps > 0))
        {
            throw new IllegalArgumentException("speeds must be positive: max " + maxSpeedMps + " npc " +
                npcSpeedMps + " tolerance " + speedTolerance);
        }
        if (npcsPerTerritory < 0 || maxSpawnsPerTick <= 0 || retargetIntervalTicks <= 0)
        {
            throw new IllegalArgumentException("npcs, spawns per tick and retarget interval must be positive");
        }
        if (!(followFraction >= 0 && followFraction <= 1))
        {
            throw new IllegalArgumentException("follow fraction must be in [0, 1]: " + followFraction);
        }
        if (npcLifetimeMinNs <= 0 || npcLifetimeMaxNs < npcLifetimeMinNs)
        {
            throw new IllegalArgumentException("npc lifetime must be 0 < min <= max");
        }
        if (maxEntities <= 0 || maxViews <= 0)
        {
            throw new IllegalArgumentException("table capacities must be positive");
        }
        return this;
    }
}

