/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.perf.scenario;

import java.util.List;

import io.orrery.core.ReplicationLayer;
import org.HdrHistogram.Histogram;

/**
 * The layer's residence times over one repetition, read from the recorders of an in-process layer's Replicant:
 * server state (arrival to a client's publication taking it) and client input (Gateway read to forwarding to the
 * authority). {@link #reset()} at the end of the warm-up drops what was recorded before; {@link #collect()} at the
 * end takes what was recorded since.
 * <p>
 * Threading: the runner's controlling thread (the recorders are written by the Replicant's thread).
 */
final class LayerResidence
{
    static final String STATE_METRIC = "layer-state-residence";
    static final String INPUT_METRIC = "layer-input-residence";

    private final ReplicationLayer layer;
    private Histogram state;
    private Histogram input;

    /**
     * @param layer the in-process layer, or null (nothing is measured).
     */
    LayerResidence(final ReplicationLayer layer)
    {
        this.layer = layer;
    }

    void reset()
    {
        if (null != layer)
        {
            state = layer.replicant().stateResidence().getIntervalHistogram(state);
            input = layer.replicant().inputResidence().getIntervalHistogram(input);
        }
    }

    void collect()
    {
        if (null != layer)
        {
            state = layer.replicant().stateResidence().getIntervalHistogram(state);
            input = layer.replicant().inputResidence().getIntervalHistogram(input);
        }
    }

    /**
     * Append the two summaries (nothing when no layer ran in this process).
     */
    void addTo(final List<LatencySummary> latencies)
    {
        if (null != layer && null != state)
        {
            latencies.add(LatencySummary.of(STATE_METRIC, state));
            latencies.add(LatencySummary.of(INPUT_METRIC, input));
        }
    }
}
