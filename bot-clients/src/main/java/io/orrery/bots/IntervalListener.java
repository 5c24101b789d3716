/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.bots;

import org.HdrHistogram.Histogram;

/**
 * Sees every interval histogram of a swarm as the {@link IntervalReporter} takes it, e.g. to show live figures while a
 * run is going (the scenario runner's dashboard).
 * <p>
 * Threading: called on the reporter thread, never on a bot thread. The histogram is only valid during the call (it is
 * reset and recycled afterwards): copy or add it, do not keep it. The listener may allocate and lock; it must not
 * block for long, or the bots' recycled metric sets run out.
 */
@FunctionalInterface
public interface IntervalListener
{
    /**
     * One thread's interval of one metric.
     *
     * @param threadIndex  bot thread that recorded it.
     * @param metric       one of the {@code MetricSet} metric indices ({@link MetricSet#NAMES}).
     * @param histogram    values in nanoseconds; valid only during the call.
     * @param startEpochMs start of the interval.
     * @param endEpochMs   end of the interval.
     */
    void onInterval(int threadIndex, int metric, Histogram histogram, long startEpochMs, long endEpochMs);
}
