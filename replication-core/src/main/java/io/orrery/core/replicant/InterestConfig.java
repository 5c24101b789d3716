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

    private double baseRadiusM = DEFAULT_BASE_RADIUS_M;
    private double sizeFactor = DEFAULT_SIZE_FACTOR;
    private double hysteresis = DEFAULT_HYSTERESIS;
    private int maxObservers = DEFAULT_MAX_OBSERVERS;
    private int maxViewEntities = DEFAULT_MAX_VIEW_ENTITIES;
    private double priorityDistanceScaleM = DEFAULT_PRIORITY_DISTANCE_SCALE_M;
    private int maxViewEvictionsPerTick = DEFAULT_MAX_VIEW_EVICTIONS_PER_TICK;

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
        if ((long)maxObservers * maxViewEntities > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("maxObservers * maxViewEntities too large");
        }
        return this;
    }
}
