/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.perf.scenario;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * A whole scenario run: every repetition, where the files went, and medians across repetitions.
 * <p>
 * Threading: immutable once built, any thread.
 *
 * @param scenario         what ran.
 * @param shard            description of the shard under test.
 * @param machine          where it ran.
 * @param repetitions      in order.
 * @param finishedAt       when the last repetition's floor finished.
 * @param outputDirectory  where summary.json, report.html and the interval logs are.
 */
public record ScenarioResult(
    Scenario scenario,
    String shard,
    Machine machine,
    List<RepetitionResult> repetitions,
    Instant finishedAt,
    Path outputDirectory)
{
    /**
     * Median of a figure across repetitions (mean of the middle two for an even count), ignoring NaN.
     *
     * @param figure figure of one repetition.
     * @return the median, NaN when no repetition has the figure.
     */
    public double median(final ToDoubleFunction<RepetitionResult> figure)
    {
        final double[] values = repetitions.stream().mapToDouble(figure).filter((v) -> !Double.isNaN(v)).toArray();
        if (0 == values.length)
        {
            return Double.NaN;
        }
        Arrays.sort(values);
        final int middle = values.length / 2;
        return 0 == values.length % 2 ? (values[middle - 1] + values[middle]) / 2 : values[middle];
    }

    /**
     * Whether every bot of every repetition connected and no correctness count was above zero.
     *
     * @return true when the run was clean.
     */
    public boolean clean()
    {
        for (final RepetitionResult repetition : repetitions)
        {
            if (0 != repetition.swarm().exitCode())
            {
                return false;
            }
        }
        return true;
    }
}
