/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers;

import io.aeron.Counter;
import io.orrery.core.status.LayerMetrics;
import io.orrery.core.status.OrreryCounter;

/**
 * The metrics of a Replicant process ({@link ReplicantServer}) in the Prometheus text format, named as the layer's
 * ({@link LayerMetrics#metricName}: {@code orrery_<counter>}, levels as gauges, totals as {@code _total}) with the
 * label {@code replicant="<id>"}: whether it is linked ({@code orrery_replicant_ready}), its
 * {@code REMOTE_REPLICANT_*} counters (link, sessions, feed, frames, refusals, and whether the layer refuses it
 * because another process holds its id), what its secondary Replicant adds to the shard's counters here (spawns,
 * updates, bytes sent to clients, handoffs, ...; the layer's own counters stay 0 in this process), and the process's
 * CPU, heap and GC. A Replicant bridge's counters ({@link OrreryCounter#isPerReplicant()}) are the layer's: not here.
 * <p>
 * Threading: any thread (it reads counters only); one scrape at a time ({@link ProcessMetrics}).
 */
public final class ReplicantMetrics
{
    /**
     * The role's name in its ready gauge, {@code orrery_replicant_ready}.
     */
    public static final String ROLE = "replicant";
    /**
     * What the ready gauge means.
     */
    public static final String READY_HELP = "1 while this Replicant process is linked to the layer's bridge, else 0.";

    private ReplicantMetrics()
    {
    }

    /**
     * @param replicantId this process's Replicant id.
     * @return its label, {@code replicant="<id>"}.
     */
    public static String label(final int replicantId)
    {
        return ProcessMetrics.label("replicant", Integer.toString(replicantId));
    }

    /**
     * @param replicantId this process's Replicant id, the {@code replicant} label.
     * @param counters    this process's counters, indexed by {@link OrreryCounter#id()}.
     * @return its metrics: ready while the Replicant is linked (proven both ways) to the layer's bridge.
     */
    public static ProcessMetrics create(final int replicantId, final Counter[] counters)
    {
        final Counter linked = counters[OrreryCounter.REMOTE_REPLICANT_LINKED.id()];
        return new ProcessMetrics(ROLE, READY_HELP, label(replicantId), counters, () -> 0 != linked.get(), null);
    }
}
