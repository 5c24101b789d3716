/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.perf.report;

import java.util.List;

import io.orrery.perf.scenario.Sample;

/**
 * The JSON both the HTML report and the live dashboard draw from ({@code orrery-report.html}'s script reads it):
 * <pre>
 *   { "mode": "report"|"live", "title": .., "subtitle": ..,
 *     "status": { "phase", "repetition", "repetitions", "elapsedS", "updatedEpochMs", "connected" },
 *     "runs":   [ { "label", "samples": [ Sample.. ], "distribution": [[percentile, ms], ..] } ],
 *               a sample of a servers-backed run has "mesh": MeshFrame (servers, territories, borders moved,
 *               handoffs; "heat", the bots' density grid, in every sample of a report and in the last of a live run)
 *     "floors": [ { "label", "distribution": [[percentile, ms], ..] } ],
 *     "table":  { "columns": [..], "rows": [[..], ..] } }
 * </pre>
 * Threading: stateless, any thread.
 */
public final class ChartData
{
    private ChartData()
    {
    }

    /**
     * Write one run's series: its samples and its percentile distribution.
     *
     * @param json         to write to (positioned where a value may go).
     * @param label        legend label.
     * @param samples      one per second.
     * @param distribution {percentile, ms} pairs.
     */
    public static void writeRun(
        final Json json, final String label, final List<Sample> samples, final double[][] distribution)
    {
        writeRun(json, label, samples, distribution, false);
    }

    /**
     * Write one run's series: its samples and its percentile distribution.
     *
     * @param json         to write to (positioned where a value may go).
     * @param label        legend label.
     * @param samples      one per second.
     * @param distribution {percentile, ms} pairs.
     * @param allHeat      the mesh's density grid in every sample (a report); else only in the last (live).
     */
    public static void writeRun(
        final Json json,
        final String label,
        final List<Sample> samples,
        final double[][] distribution,
        final boolean allHeat)
    {
        json.beginObject().member("label", label).name("samples").beginArray();
        for (int i = 0; i < samples.size(); i++)
        {
            samples.get(i).writeTo(json, allHeat || i == samples.size() - 1);
        }
        json.endArray().name("distribution");
        PercentileDistribution.writeTo(json, distribution);
        json.endObject();
    }

    /**
     * Write the status block.
     *
     * @param json           to write to (after a member name).
     * @param phase          idle, starting, running, floor, done.
     * @param repetition     current repetition.
     * @param repetitions    of the run.
     * @param elapsedS       seconds into the repetition at the last sample.
     * @param updatedEpochMs time of the last sample.
     * @param connected      bots connected at the last sample.
     */
    public static void writeStatus(
        final Json json,
        final String phase,
        final int repetition,
        final int repetitions,
        final double elapsedS,
        final long updatedEpochMs,
        final long connected)
    {
        json.beginObject()
            .member("phase", phase)
            .member("repetition", repetition)
            .member("repetitions", repetitions)
            .member("elapsedS", elapsedS)
            .member("updatedEpochMs", updatedEpochMs)
            .member("connected", connected)
            .endObject();
    }
}
