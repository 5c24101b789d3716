/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.perf.scenario;

import java.util.List;

import io.orrery.bots.SwarmSummary;
import io.orrery.perf.aeron.AeronPingPong;

/**
 * One repetition of a scenario: the swarm's outcome, the measured latencies (after the warm-up), the samples, the
 * shard's final counters and the raw Aeron floor measured right after.
 * <p>
 * Threading: immutable once built, any thread.
 *
 * @param repetition       1-based.
 * @param directory        sub-directory of the output with this repetition's interval logs.
 * @param elapsedS         seconds from the swarm's start to its stop.
 * @param swarm            the swarm's summary (bots, traffic, correctness).
 * @param latencies        every bot metric from the end of the warm-up on, in ns, then (when the layer ran in this
 *                         process) the layer's residence of server state and of client input
 *                         ({@link LayerResidence#STATE_METRIC}, {@link LayerResidence#INPUT_METRIC}).
 * @param distribution     input→update percentile distribution after the warm-up: {percentile, ms} pairs.
 * @param samples          one per second.
 * @param counters         the shard's counters just before it stopped.
 * @param floor            the raw Aeron ping-pong, or null when the scenario has the floor off.
 * @param floorDistribution the floor's percentile distribution: {percentile, ms} pairs (empty without a floor).
 * @param loadAverageEnd   one-minute load average at the end of the repetition.
 * @param mesh             handoff and failover figures of a servers-backed shard, null for the scripted shard.
 */
public record RepetitionResult(
    int repetition,
    String directory,
    double elapsedS,
    SwarmSummary swarm,
    List<LatencySummary> latencies,
    double[][] distribution,
    List<Sample> samples,
    ShardCounters counters,
    AeronPingPong.Result floor,
    double[][] floorDistribution,
    double loadAverageEnd,
    MeshResult mesh)
{
    /**
     * The dynamic-meshing figures of this repetition's samples.
     *
     * @param scenario what ran (its warm-up and settle time).
     * @return the figures, or null without mesh frames (scripted shard).
     */
    public BalanceResult balance(final Scenario scenario)
    {
        return BalanceResult.of(samples, scenario.warmupNs() / 1e9, scenario.settleNs() / 1e9);
    }

    /**
     * The measured input→update latency.
     *
     * @return the input latency summary.
     */
    public LatencySummary inputLatency()
    {
        return latencies.get(io.orrery.bots.MetricSet.INPUT_LATENCY);
    }

    /**
     * The layer's residence of server state (arrival to a client's publication taking it) after the warm-up.
     *
     * @return the summary, or null when the layer did not run in this process.
     */
    public LatencySummary stateResidence()
    {
        return latency(LayerResidence.STATE_METRIC);
    }

    /**
     * The layer's residence of client input (Gateway read to forwarding to the authority) after the warm-up.
     *
     * @return the summary, or null when the layer did not run in this process.
     */
    public LatencySummary inputResidence()
    {
        return latency(LayerResidence.INPUT_METRIC);
    }

    private LatencySummary latency(final String metric)
    {
        for (int i = io.orrery.bots.MetricSet.METRICS; i < latencies.size(); i++)
        {
            if (latencies.get(i).metric().equals(metric))
            {
                return latencies.get(i);
            }
        }
        return null;
    }

    /**
     * The measured update gap clients saw across a handoff of their own entity.
     *
     * @return the handoff-gap summary.
     */
    public LatencySummary handoffGap()
    {
        return latencies.get(io.orrery.bots.MetricSet.HANDOFF_GAP);
    }

    /**
     * Orrery's input→update latency over the floor's round trip at a quantile of {@link LatencySummary#QUANTILES}.
     *
     * @param quantileIndex index into {@link LatencySummary#QUANTILES}.
     * @return the ratio, NaN without a floor or without latency values.
     */
    public double ratioToFloor(final int quantileIndex)
    {
        if (null == floor || 0 == inputLatency().count())
        {
            return Double.NaN;
        }
        final double quantile = LatencySummary.QUANTILES[quantileIndex];
        final double floorNs = 1.0 == quantile ? floor.histogram().getMaxValue() :
            floor.histogram().getValueAtPercentile(quantile * 100);
        return floorNs > 0 ? inputLatency().quantilesNs()[quantileIndex] / floorNs : Double.NaN;
    }
}
