/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant;

/**
 * Parameters of the {@link InterestEngine}'s streaming bubbles. Fluent setters, a default for every field;
 * {@link #conclude()} validates. Control path only: read once by the engine's constructor.
 * <p>
 * An entity of radius {@code r} metres at distance {@code d} metres from the observer's followed entity
 * <ul>
 * <li>enters the bubble when {@code d <= baseRadiusM + sizeFactor * r} (its view distance),</li>
 * <li>leaves it only when {@code d > (baseRadiusM + sizeFactor * r) * (1 + hysteresis)},</li>
 * <li>accumulates priority each tick it has something to send by
 * {@code w = (r + 1) * priorityDistanceScaleM / (d + priorityDistanceScaleM)}.</li>
 * </ul>
 * <b>Update tiers.</b> Updates thin out with distance relative to the entity's view distance {@code v}: within
 * {@code nearTierFraction * v} every tick, up to {@code farTierFraction * v} every {@code midTierPeriod}-th tick,
 * beyond every {@code farTierPeriod}-th tick (periods are powers of two; 1 turns a tier off). The observer's own
 * entity, spawns and despawns are never thinned. A thinned entity's changes are not lost: its next update carries
 * everything changed since the last one sent.
 * <p>
 * {@code compactUpdates} says which encoding the observers' egress uses ({@code EntityUpdatesCompact} or
 * {@code EntityUpdateBatch}), so that the budget counts update bytes as that encoding does.
 * <p>
 * {@code workers} is the number of partitions the observers are split into, each ticked by a worker of its own (see
 * {@link InterestEngine}, <b>Workers</b>); 1 ticks every observer on the engine caller's thread.
 */
public final class InterestConfig
{
    public static final double DEFAULT_BASE_RADIUS_M = 200.0;
    public static final double DEFAULT_SIZE_FACTOR = 10.0;
    public static final double DEFAULT_HYSTERESIS = 0.1;
    public static final int DEFAULT_MAX_OBSERVERS = 256;
    public static final int DEFAULT_MAX_VIEW_ENTITIES = 1024;
    public static final double DEFAULT_PRIORITY_DISTANCE_SCALE_M = 25.0;
    public static final int DEFAULT_MAX_VIEW_EVICTIONS_PER_TICK = 8;
    public static final double DEFAULT_NEAR_TIER_FRACTION = 1.0 / 3.0;
    public static final double DEFAULT_FAR_TIER_FRACTION = 2.0 / 3.0;
    public static final int DEFAULT_MID_TIER_PERIOD = 2;
    public static final int DEFAULT_FAR_TIER_PERIOD = 4;
    public static final int DEFAULT_WORKERS = 1;
    /**
     * Default spawn bytes per tick for all observers together (see {@link #snapshotBytesPerTick()}).
     */
    public static final int DEFAULT_SNAPSHOT_BYTES_PER_TICK = 1024 * 1024;
    /**
     * Most workers an engine may have.
     */
    public static final int MAX_WORKERS = 64;

    private double baseRadiusM = DEFAULT_BASE_RADIUS_M;
    private double sizeFactor = DEFAULT_SIZE_FACTOR;
    private double hysteresis = DEFAULT_HYSTERESIS;
    private int maxObservers = DEFAULT_MAX_OBSERVERS;
    private int maxViewEntities = DEFAULT_MAX_VIEW_ENTITIES;
    private double priorityDistanceScaleM = DEFAULT_PRIORITY_DISTANCE_SCALE_M;
    private int maxViewEvictionsPerTick = DEFAULT_MAX_VIEW_EVICTIONS_PER_TICK;
    private double nearTierFraction = DEFAULT_NEAR_TIER_FRACTION;
    private double farTierFraction = DEFAULT_FAR_TIER_FRACTION;
    private int midTierPeriod = DEFAULT_MID_TIER_PERIOD;
    private int farTierPeriod = DEFAULT_FAR_TIER_PERIOD;
    private boolean compactUpdates = true;
    private int workers = DEFAULT_WORKERS;
    private int snapshotBytesPerTick = DEFAULT_SNAPSHOT_BYTES_PER_TICK;
    private int handoffReserve;

    /**
     * @return view distance in metres of an entity of radius 0.
     */
    public double baseRadiusM()
    {
        return baseRadiusM;
    }

    public InterestConfig baseRadiusM(final double baseRadiusM)
    {
        this.baseRadiusM = baseRadiusM;
        return this;
    }

    /**
     * @return metres of view distance added per metre of entity radius.
     */
    public double sizeFactor()
    {
        return sizeFactor;
    }

    public InterestConfig sizeFactor(final double sizeFactor)
    {
        this.sizeFactor = sizeFactor;
        return this;
    }

    /**
     * @return fraction of the view distance an entity must go beyond before it leaves the bubble.
     */
    public double hysteresis()
    {
        return hysteresis;
    }

    public InterestConfig hysteresis(final double hysteresis)
    {
        this.hysteresis = hysteresis;
        return this;
    }

    public int maxObservers()
    {
        return maxObservers;
    }

    public InterestConfig maxObservers(final int maxObservers)
    {
        this.maxObservers = maxObservers;
        return this;
    }

    /**
     * @return maximum number of entities in one observer's view (including its own entity and pending despawns).
     */
    public int maxViewEntities()
    {
        return maxViewEntities;
    }

    public InterestConfig maxViewEntities(final int maxViewEntities)
    {
        this.maxViewEntities = maxViewEntities;
        return this;
    }

    /**
     * @return entries each view holds beyond {@link #maxViewEntities()} for the spawns of entities gained from another
     * Replicant in a pass when the view is full (several Replicants; 0: none). Such a spawn evicts the view's lowest
     * entry in the same pass (a {@code leftBubble} despawn, sent first) and takes a reserve place until that entry's
     * despawn is out, so the view is within {@link #maxViewEntities()} again after the pass.
     */
    public int handoffReserve()
    {
        return handoffReserve;
    }

    public InterestConfig handoffReserve(final int handoffReserve)
    {
        this.handoffReserve = handoffReserve;
        return this;
    }

    /**
     * @return distance in metres at which an entity's priority weight is half its weight at distance 0.
     */
    public double priorityDistanceScaleM()
    {
        return priorityDistanceScaleM;
    }

    public InterestConfig priorityDistanceScaleM(final double priorityDistanceScaleM)
    {
        this.priorityDistanceScaleM = priorityDistanceScaleM;
        return this;
    }

    /**
     * @return how many view entries a full view may give up per observer per tick to better candidates.
     */
    public int maxViewEvictionsPerTick()
    {
        return maxViewEvictionsPerTick;
    }

    public InterestConfig maxViewEvictionsPerTick(final int maxViewEvictionsPerTick)
    {
        this.maxViewEvictionsPerTick = maxViewEvictionsPerTick;
        return this;
    }

    /**
     * @return bytes of spawns (the followed entities' excepted) the engine sends per tick to all observers together,
     * split evenly among the workers: a wave of observers that join or resume at once gets its snapshots over
     * several ticks instead of all in one, nearest first, each observer's also paced by its egress's
     * {@link ObserverEgress#spawnCapacity spawn capacity}.
     */
    public int snapshotBytesPerTick()
    {
        return snapshotBytesPerTick;
    }

    public InterestConfig snapshotBytesPerTick(final int snapshotBytesPerTick)
    {
        this.snapshotBytesPerTick = snapshotBytesPerTick;
        return this;
    }

    /**
     * @return fraction of an entity's view distance within which it is updated every tick.
     */
    public double nearTierFraction()
    {
        return nearTierFraction;
    }

    public InterestConfig nearTierFraction(final double nearTierFraction)
    {
        this.nearTierFraction = nearTierFraction;
        return this;
    }

    /**
     * @return fraction of an entity's view distance beyond which it is updated every {@link #farTierPeriod()} ticks.
     */
    public double farTierFraction()
    {
        return farTierFraction;
    }

    public InterestConfig farTierFraction(final double farTierFraction)
    {
        this.farTierFraction = farTierFraction;
        return this;
    }

    public int midTierPeriod()
    {
        return midTierPeriod;
    }

    /**
     * @param midTierPeriod ticks between updates of the middle tier, a power of two (1: every tick).
     */
    public InterestConfig midTierPeriod(final int midTierPeriod)
    {
        this.midTierPeriod = midTierPeriod;
        return this;
    }

    public int farTierPeriod()
    {
        return farTierPeriod;
    }

    /**
     * @param farTierPeriod ticks between updates of the far tier, a power of two (1: every tick).
     */
    public InterestConfig farTierPeriod(final int farTierPeriod)
    {
        this.farTierPeriod = farTierPeriod;
        return this;
    }

    /**
     * Turn tiers off: every entity with changes competes for the budget every tick.
     */
    public InterestConfig everyTick()
    {
        this.midTierPeriod = 1;
        this.farTierPeriod = 1;
        return this;
    }

    public boolean compactUpdates()
    {
        return compactUpdates;
    }

    /**
     * @param compactUpdates true if updates go out as {@code EntityUpdatesCompact} (budgeted by their estimated
     *                       size), false for {@code EntityUpdateBatch}.
     */
    public InterestConfig compactUpdates(final boolean compactUpdates)
    {
        this.compactUpdates = compactUpdates;
        return this;
    }

    public int workers()
    {
        return workers;
    }

    /**
     * @param workers partitions of the observers, each ticked by its own worker: {@code 1 <= workers <=}
     *                {@link #MAX_WORKERS}.
     */
    public InterestConfig workers(final int workers)
    {
        this.workers = workers;
        return this;
    }

    /**
     * Validate.
     *
     * @return this.
     * @throws IllegalArgumentException if a value is out of range.
     */
    public InterestConfig conclude()
    {
        if (!(baseRadiusM >= 0) || !(sizeFactor >= 0) || !(hysteresis >= 0) || !(priorityDistanceScaleM > 0))
        {
            throw new IllegalArgumentException("baseRadiusM, sizeFactor, hysteresis must be >= 0 and " +
                "priorityDistanceScaleM > 0");
        }
        if (maxObservers <= 0 || maxViewEntities <= 0 || maxViewEvictionsPerTick < 0)
        {
            throw new IllegalArgumentException("maxObservers and maxViewEntities must be > 0");
        }
        if (handoffReserve < 0 || handoffReserve > maxViewEntities)
        {
            throw new IllegalArgumentException("handoffReserve must be in 0..maxViewEntities: " + handoffReserve);
        }
        if (snapshotBytesPerTick <= 0)
        {
            throw new IllegalArgumentException("snapshotBytesPerTick must be > 0: " + snapshotBytesPerTick);
        }
        if (!(nearTierFraction >= 0) || !(farTierFraction >= nearTierFraction) ||
            midTierPeriod <= 0 || Integer.bitCount(midTierPeriod) != 1 ||
            farTierPeriod <= 0 || Integer.bitCount(farTierPeriod) != 1)
        {
            throw new IllegalArgumentException("tiers: 0 <= nearTierFraction <= farTierFraction, periods powers of 2");
        }
        if (workers < 1 || workers > MAX_WORKERS)
        {
            throw new IllegalArgumentException("workers must be in 1.." + MAX_WORKERS + ": " + workers);
        }
        if ((long)maxObservers * (maxViewEntities + handoffReserve) > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("maxObservers * maxViewEntities too large");
        }
        return this;
    }
}
