/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.perf.scenario;

import org.HdrHistogram.Histogram;

/**
 * Count, sum and quantiles of one latency metric, small enough to publish every second.
 * <p>
 * Threading: immutable, any thread (the array is never changed after construction).
 *
 * @param metric      metric name, e.g. {@code input-latency}.
 * @param count       values recorded.
 * @param sumNs       sum of the values (mean × count), ns.
 * @param quantilesNs value at each of {@link #QUANTILES}, ns (0 when empty).
 */
public record LatencySummary(String metric, long count, double sumNs, long[] quantilesNs)
{
    /**
     * Quantiles reported, as fractions: 0.5, 0.9, 0.99, 0.999 and 1 (the maximum).
     */
    public static final double[] QUANTILES = { 0.5, 0.9, 0.99, 0.999, 1.0 };

    /**
     * Summarise a histogram of nanoseconds.
     *
     * @param metric    metric name.
     * @param histogram values in ns.
     * @return the summary.
     */
    public static LatencySummary of(final String metric, final Histogram histogram)
    {
        final long count = histogram.getTotalCount();
        final long[] values = new long[QUANTILES.length];
        for (int i = 0; i < QUANTILES.length; i++)
        {
            values[i] = 0 == count ? 0 :
                (1.0 == QUANTILES[i] ? histogram.getMaxValue() : histogram.getValueAtPercentile(QUANTILES[i] * 100));
        }
        return new LatencySummary(metric, count, 0 == count ? 0 : histogram.getMean() * count, values);
    }
}
