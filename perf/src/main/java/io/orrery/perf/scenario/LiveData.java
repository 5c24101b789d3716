/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.perf.scenario;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What the live dashboard shows: the runner publishes a new immutable {@link Snapshot} every second (and on phase
 * changes); HTTP threads read the latest one. No locks: one volatile reference.
 * <p>
 * Threading: {@link #publish} and the {@code on*} methods from the runner's controlling thread; {@link #snapshot()}
 * from any thread.
 */
public final class LiveData
{
    /**
     * Samples kept for the dashboard: the last five minutes.
     */
    public static final int MAX_SAMPLES = 300;

    private volatile Snapshot snapshot = new Snapshot(
        "", "idle", 0, 0, System.currentTimeMillis(), 0, List.of(), List.of(), ShardCounters.empty(), new double[0][]);
    private final ArrayList<Sample> samples = new ArrayList<>();

    /**
     * The latest snapshot.
     *
     * @return the latest snapshot, never null.
     */
    public Snapshot snapshot()
    {
        return snapshot;
    }

    /**
     * A repetition starts: forget the previous one's samples.
     *
     * @param scenario    scenario name.
     * @param repetition  1-based repetition.
     * @param repetitions of the run.
     */
    public void onRepetitionStart(final String scenario, final int repetition, final int repetitions)
    {
        samples.clear();
        final Snapshot last = snapshot;
        snapshot = new Snapshot(scenario, "starting", repetition, repetitions, System.currentTimeMillis(), 0,
            List.of(), last.latencies(), ShardCounters.empty(), new double[0][]);
    }

    /**
     * The run moved to another phase ({@code running}, {@code floor}, {@code done}, ...).
     *
     * @param phase new phase.
     */
    public void onPhase(final String phase)
    {
        final Snapshot last = snapshot;
        snapshot = new Snapshot(last.scenario(), phase, last.repetition(), last.repetitions(),
            System.currentTimeMillis(), last.elapsedS(), last.samples(), last.latencies(), last.counters(),
            last.distribution());
    }

    /**
     * A new second of data.
     *
     * @param sample       the sample.
     * @param latencies    every bot metric over the repetition so far.
     * @param counters     the shard's counters as sampled.
     * @param distribution input→update percentile distribution so far: {percentile, ms} pairs.
     */
    public void publish(
        final Sample sample,
        final List<LatencySummary> latencies,
        final ShardCounters counters,
        final double[][] distribution)
    {
        samples.add(sample);
        if (samples.size() > MAX_SAMPLES)
        {
            samples.remove(0);
        }
        final Snapshot last = snapshot;
        snapshot = new Snapshot(last.scenario(), "running", last.repetition(), last.repetitions(), sample.epochMs(),
            sample.elapsedS(), Collections.unmodifiableList(new ArrayList<>(samples)), List.copyOf(latencies),
            counters, distribution);
    }

    /**
     * Everything the dashboard shows at one moment.
     * <p>
     * Threading: immutable, any thread.
     *
     * @param scenario       scenario name.
     * @param phase          idle, starting, running, floor, done.
     * @param repetition     current repetition (1-based), 0 before the first.
     * @param repetitions    repetitions of the run.
     * @param updatedEpochMs when this snapshot was taken.
     * @param elapsedS       seconds since the repetition's swarm started, at the last sample.
     * @param samples        the last {@link #MAX_SAMPLES} samples of the repetition.
     * @param latencies      every bot metric over the repetition so far.
     * @param counters       the shard's counters at the last sample.
     * @param distribution   input→update percentile distribution: {percentile, ms} pairs.
     */
    public record Snapshot(
        String scenario,
        String phase,
        int repetition,
        int repetitions,
        long updatedEpochMs,
        double elapsedS,
        List<Sample> samples,
        List<LatencySummary> latencies,
        ShardCounters counters,
        double[][] distribution)
    {
        /**
         * The last sample, or null before the first.
         *
         * @return the last sample or null.
         */
        public Sample lastSample()
        {
            return samples.isEmpty() ? null : samples.get(samples.size() - 1);
        }
    }
}
