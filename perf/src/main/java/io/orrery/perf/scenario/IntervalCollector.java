/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.perf.scenario;

import io.orrery.bots.IntervalListener;
import io.orrery.bots.MetricSet;
import org.HdrHistogram.Histogram;

/**
 * Gathers the swarm's interval histograms as the reporter thread hands them over: per metric, what arrived since
 * the last sample (for per-second figures), everything of the run, and everything from the end of the warm-up on
 * (the measured figures).
 * <p>
 * Threading: {@link #onInterval} on the swarm's reporter thread, the rest on the sampling thread; every method
 * holds this object's lock, which only these two threads take, once a second each.
 */
public final class IntervalCollector implements IntervalListener
{
    private final Histogram[] interval = newHistograms();
    private final Histogram[] all = newHistograms();
    private final Histogram[] measured = newHistograms();
    private final Histogram[] window = newHistograms();
    private final long measuredFromEpochMs;
    private long windowFromEpochMs = Long.MAX_VALUE;
    private long windowToEpochMs = Long.MIN_VALUE;

    /**
     * @param measuredFromEpochMs intervals starting before this (the warm-up) are left out of the measured figures.
     */
    public IntervalCollector(final long measuredFromEpochMs)
    {
        this.measuredFromEpochMs = measuredFromEpochMs;
    }

    /**
     * A histogram as the bots record them: nanoseconds, same range and precision, so adding never resizes.
     *
     * @return a new empty histogram.
     */
    public static Histogram newHistogram()
    {
        return new Histogram(MetricSet.HIGHEST_TRACKABLE_NS, MetricSet.SIGNIFICANT_DIGITS);
    }

    @Override
    public synchronized void onInterval(
        final int threadIndex,
        final int metric,
        final Histogram histogram,
        final long startEpochMs,
        final long endEpochMs)
    {
        interval[metric].add(histogram);
        all[metric].add(histogram);
        if (startEpochMs >= measuredFromEpochMs)
        {
            measured[metric].add(histogram);
        }
        if (endEpochMs >= windowFromEpochMs && startEpochMs < windowToEpochMs)
        {
            window[metric].add(histogram);
        }
    }

    /**
     * From now on also gather the intervals that overlap {@code [fromEpochMs, toEpochMs)} (e.g. the seconds after a
     * game server was stopped), separately; clears what an earlier window gathered.
     *
     * @param fromEpochMs start of the window, wall clock ms.
     * @param toEpochMs   end of the window, wall clock ms.
     */
    public synchronized void window(final long fromEpochMs, final long toEpochMs)
    {
        windowFromEpochMs = fromEpochMs;
        windowToEpochMs = toEpochMs;
        for (final Histogram histogram : window)
        {
            histogram.reset();
        }
    }

    /**
     * Copy what the {@link #window(long, long)} gathered into {@code target} (reset first).
     *
     * @param metric one of {@link MetricSet}'s metric indices.
     * @param target receives the values.
     */
    public synchronized void copyWindow(final int metric, final Histogram target)
    {
        target.reset();
        target.add(window[metric]);
    }

    /**
     * Move what arrived since the last call into {@code target} (reset first).
     *
     * @param metric one of {@link MetricSet}'s metric indices.
     * @param target receives the values.
     */
    public synchronized void drainInterval(final int metric, final Histogram target)
    {
        target.reset();
        target.add(interval[metric]);
        interval[metric].reset();
    }

    /**
     * Copy everything of the run so far into {@code target} (reset first).
     *
     * @param metric one of {@link MetricSet}'s metric indices.
     * @param target receives the values.
     */
    public synchronized void copyAll(final int metric, final Histogram target)
    {
        target.reset();
        target.add(all[metric]);
    }

    /**
     * Copy everything from the end of the warm-up on into {@code target} (reset first).
     *
     * @param metric one of {@link MetricSet}'s metric indices.
     * @param target receives the values.
     */
    public synchronized void copyMeasured(final int metric, final Histogram target)
    {
        target.reset();
        target.add(measured[metric]);
    }

    private static Histogram[] newHistograms()
    {
        final Histogram[] histograms = new Histogram[MetricSet.METRICS];
        for (int i = 0; i < histograms.length; i++)
        {
            histograms[i] = newHistogram();
        }
        return histograms;
    }
}
