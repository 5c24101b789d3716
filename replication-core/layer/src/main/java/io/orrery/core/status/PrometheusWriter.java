/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.status;

import org.HdrHistogram.Histogram;

/**
 * Writes the Prometheus text exposition format 0.0.4 into a {@link StringBuilder}: metric families with HELP and
 * TYPE, samples, and histograms in seconds built from an HdrHistogram of nanoseconds with fixed bucket bounds.
 * Names follow Prometheus' conventions so that {@code promtool check metrics} is clean: counters end in
 * {@code _total}, durations are in seconds, levels are gauges.
 * <p>
 * Threading: one instance per thread; a scrape is not a hot path (it allocates its text).
 */
public final class PrometheusWriter
{
    /**
     * Content type of the text exposition format.
     */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /**
     * Bucket upper bounds for durations, in seconds: 100 µs to 10 s, with a tick at 30 Hz (33 ms) in between.
     */
    public static final double[] DURATION_BUCKETS_S =
        { 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.0333, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10 };

    private final StringBuilder out;

    public PrometheusWriter(final StringBuilder out)
    {
        this.out = out;
    }

    /**
     * Start a metric family.
     *
     * @param name metric name.
     * @param type counter, gauge, histogram.
     * @param help one line of help.
     * @return this.
     */
    public PrometheusWriter family(final String name, final String type, final String help)
    {
        out.append("# HELP ").append(name).append(' ')
            .append(help.replace("\\", "\\\\").replace("\n", "\\n")).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        return this;
    }

    /**
     * One sample.
     *
     * @param name   metric name (with a suffix such as {@code _bucket} for histogram parts).
     * @param labels label pairs already formatted ({@code a="b",c="d"}), or empty.
     * @param value  the value.
     * @return this.
     */
    public PrometheusWriter sample(final String name, final String labels, final double value)
    {
        out.append(name);
        if (!labels.isEmpty())
        {
            out.append('{').append(labels).append('}');
        }
        out.append(' ');
        appendValue(value);
        out.append('\n');
        return this;
    }

    /**
     * A histogram family in seconds from a histogram of nanoseconds, cumulative over its whole life.
     *
     * @param name   metric name, ending in {@code _seconds}.
     * @param help   one line of help.
     * @param labels label pairs, or empty.
     * @param nanos  recorded values in nanoseconds.
     * @return this.
     */
    public PrometheusWriter histogramSeconds(
        final String name, final String help, final String labels, final Histogram nanos)
    {
        family(name, "histogram", help);
        final String prefix = labels.isEmpty() ? "" : labels + ",";
        for (final double bound : DURATION_BUCKETS_S)
        {
            final long boundNs = (long)(bound * 1e9);
            final long count = nanos.getTotalCount() == 0 ? 0 : nanos.getCountBetweenValues(0, boundNs);
            sample(name + "_bucket", prefix + "le=\"" + java.math.BigDecimal.valueOf(bound).toPlainString() + "\"",
                count);
        }
        sample(name + "_bucket", prefix + "le=\"+Inf\"", nanos.getTotalCount());
        sample(name + "_sum", labels, nanos.getTotalCount() == 0 ? 0 : nanos.getMean() * nanos.getTotalCount() / 1e9);
        sample(name + "_count", labels, nanos.getTotalCount());
        return this;
    }

    /**
     * @return a label value escaped for the exposition format.
     */
    public static String escape(final String value)
    {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private void appendValue(final double value)
    {
        if (Double.isNaN(value))
        {
            out.append("NaN");
        }
        else if (Double.isInfinite(value))
        {
            out.append(value > 0 ? "+Inf" : "-Inf");
        }
        else if (value == Math.rint(value) && Math.abs(value) < 1e15)
        {
            out.append((long)value);
        }
        else
        {
            out.append(value);
        }
    }
}
