/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.bots;

import io.orrery.core.client.LatencyRecorder;
import org.HdrHistogram.Histogram;

import java.util.concurrent.TimeUnit;

/**
 * One interval's histograms of one {@link BotAgent}, all in nanoseconds with a fixed highest trackable value
 * ({@link #HIGHEST_TRACKABLE_NS}) and 3 significant digits, so recording never resizes or allocates.
 * <p>
 * Threading: owned by one thread at a time. A bot agent records into its current set; at each interval it hands the
 * set to the {@link IntervalReporter} through a queue and takes a recycled one; the reporter logs, merges, resets and
 * returns it. The queues give the happens-before edges.
 */
public final class MetricSet
{
    public static final long HIGHEST_TRACKABLE_NS = TimeUnit.SECONDS.toNanos(60);
    public static final int SIGNIFICANT_DIGITS = 3;

    /**
     * Metric indices, also the order of {@link #NAMES} and of the interval log files.
     */
    public static final int INPUT_LATENCY = 0;
    public static final int HANDSHAKE = 1;
    public static final int SPAWN_LATENCY = 2;
    public static final int OWN_UPDATE_GAP = 3;
    /**
     * Gap between the last update of a bot's own entity before its authority epoch changed (handoff or failover to
     * another game server) and the first update after.
     */
    public static final int HANDOFF_GAP = 4;
    public static final int METRICS = 5;

    /**
     * Names of the metrics, used in the summary and as interval log file names.
     */
    public static final String[] NAMES = { "input-latency", "handshake", "spawn-latency", "own-update-gap", "handoff-gap" };

    final Histogram[] histograms = new Histogram[METRICS];
    final LatencyRecorder[] recorders = new LatencyRecorder[METRICS];
    final int threadIndex;
    long startEpochMs;
    long endEpochMs;

    MetricSet(final int threadIndex)
    {
        this.threadIndex = threadIndex;
        for (int i = 0; i < METRICS; i++)
        {
            histograms[i] = newHistogram();
            recorders[i] = new MetricRecorder(this, i);
        }
    }

    static Histogram newHistogram()
    {
        return new Histogram(HIGHEST_TRACKABLE_NS, SIGNIFICANT_DIGITS);
    }

    public Histogram histogram(final int metric)
    {
        return histograms[metric];
    }

    /**
     * Record a value clamped to [0, {@link #HIGHEST_TRACKABLE_NS}].
     */
    void record(final int metric, final long valueNs)
    {
        histograms[metric].recordValue(Math.max(0, Math.min(valueNs, HIGHEST_TRACKABLE_NS)));
    }

    void reset()
    {
        for (int i = 0; i < METRICS; i++)
        {
            histograms[i].reset();
        }
    }

    /**
     * A client session's view of one metric of this set: what the client link records goes to the histogram, clamped.
     */
    private static final class MetricRecorder implements LatencyRecorder
    {
        private final MetricSet set;
        private final int metric;

        MetricRecorder(final MetricSet set, final int metric)
        {
            this.set = set;
            this.metric = metric;
        }

        public void recordNs(final long valueNs)
        {
            set.record(metric, valueNs);
        }
    }
}
