/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.perf.report;

import java.util.ArrayList;
import java.util.List;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * The points of a percentile distribution plot, as HdrHistogram's {@code outputPercentileDistribution} lists them
 * (5 ticks per half distance to 100 %): each {percentile, value}, plotted against {@code 1 / (1 - percentile/100)}
 * on a log scale so the tail gets as much room as the body.
 * <p>
 * Threading: stateless, any thread; the histogram must not change during the call.
 */
public final class PercentileDistribution
{
    private static final int TICKS_PER_HALF_DISTANCE = 5;

    private PercentileDistribution()
    {
    }

    /**
     * Points of a histogram's percentile distribution.
     *
     * @param histogram values in ns.
     * @param divisor   unit: 1e6 for ms, 1e3 for µs.
     * @return {percentile (0..100), value / divisor} pairs, ending with the maximum at 100; empty when no values.
     */
    public static double[][] points(final Histogram histogram, final double divisor)
    {
        if (0 == histogram.getTotalCount())
        {
            return new double[0][];
        }
        final List<double[]> points = new ArrayList<>();
        for (final HistogramIterationValue value : histogram.percentiles(TICKS_PER_HALF_DISTANCE))
        {
            final double percentile = value.getPercentileLevelIteratedTo();
            if (percentile >= 100.0)
            {
                break;
            }
            points.add(new double[]{ percentile, histogram.highestEquivalentValue(value.getValueIteratedTo()) / divisor });
        }
        points.add(new double[]{ 100.0, histogram.getMaxValue() / divisor });
        return points.toArray(new double[0][]);
    }

    /**
     * Write points as a JSON array of pairs.
     *
     * @param json   to write to.
     * @param points from {@link #points(Histogram, double)}.
     */
    public static void writeTo(final Json json, final double[][] points)
    {
        json.beginArray();
        for (final double[] point : points)
        {
            json.beginArray().value(point[0]).value(point[1]).endArray();
        }
        json.endArray();
    }
}
