/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.bots;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link IntervalReporter}'s steady-state totals: only intervals that start at or after the time it was given, the
 * first time, besides the run's totals of every interval.
 */
class IntervalReporterTest
{
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void shouldCountOnlyIntervalsStartingFromTheSteadyTimeAsSteadyState()
    {
        final IntervalReporter reporter = new IntervalReporter(new BotAgent[0], null, 1_000, null);
        final MetricSet set = new MetricSet(0);

        interval(reporter, set, 1_000, 300 * MS); // the ramp: before steady state is known
        reporter.steadyFrom(3_000);
        reporter.steadyFrom(9_000); // ignored: the first call counts
        interval(reporter, set, 2_000, 200 * MS); // starts before: ramp still
        interval(reporter, set, 3_000, 20 * MS);
        interval(reporter, set, 4_000, 30 * MS);

        assertEquals(3_000, reporter.steadyFromEpochMs());
        assertEquals(4, reporter.totals(MetricSet.INPUT_LATENCY).getTotalCount());
        assertEquals(2, reporter.steadyTotals(MetricSet.INPUT_LATENCY).getTotalCount());
        assertEquals(30 * MS, reporter.steadyTotals(MetricSet.INPUT_LATENCY).getMaxValue(), 30 * MS / 100);
        assertEquals(300 * MS, reporter.totals(MetricSet.INPUT_LATENCY).getMaxValue(), 300 * MS / 100);
    }

    @Test
    void shouldCountNothingAsSteadyStateWhenNeverMarked()
    {
        final IntervalReporter reporter = new IntervalReporter(new BotAgent[0], null, 1_000, null);
        final MetricSet set = new MetricSet(0);
        interval(reporter, set, 5_000, 10 * MS);
        assertEquals(Long.MAX_VALUE, reporter.steadyFromEpochMs());
        assertEquals(0, reporter.steadyTotals(MetricSet.INPUT_LATENCY).getTotalCount());
    }

    private static void interval(
        final IntervalReporter reporter, final MetricSet set, final long startEpochMs, final long inputLatencyNs)
    {
        set.startEpochMs = startEpochMs;
        set.endEpochMs = startEpochMs + 1_000;
        set.record(MetricSet.INPUT_LATENCY, inputLatencyNs);
        reporter.onInterval(set);
    }
}
