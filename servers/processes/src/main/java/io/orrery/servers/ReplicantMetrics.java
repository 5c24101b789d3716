/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers;

import io.aeron.Counter;
import io.orrery.core.status.LayerMetrics;
import io.orrery.core.status.OrreryCounter;
import io.orrery.core.status.PrometheusWriter;

/**
 * The metrics of a Replicant process ({@link ReplicantServer}) in the Prometheus text format, named as the layer's
 * ({@link LayerMetrics#metricName}: {@code orrery_<counter>}, levels as gauges, totals as {@code _total}) with the
 * label {@code replicant="<id>"}: whether it is linked ({@code orrery_replicant_ready}), its
 * {@code REMOTE_REPLICANT_*} counters (link, sessions, feed, frames, refusals, and whether the layer refuses it
 * because another process holds its id), what its secondary Replicant adds to the shard's counters here (spawns,
 * updates, bytes sent to clients, handoffs, ...; the layer's own counters stay 0 in this process), and the process's
 * CPU, heap and GC. A Replicant bridge's counters ({@link OrreryCounter#isPerReplicant()}) are the layer's: not here.
 * <p>
 * Threading: any thread (it reads counters only); one scrape at a time.
 */
public final class ReplicantMetrics
{
    private final Counter[] counters;
    private final String label;

    /**
     * @param replicantId this process's Replicant id, the {@code replicant} label.
     * @param counters    this process's counters, indexed by {@link OrreryCounter#id()}.
     */
    public ReplicantMetrics(final int replicantId, final Counter[] counters)
    {
        this.counters = counters;
        this.label = "replicant=\"" + replicantId + "\"";
    }

    /**
     * @return true while the Replicant is linked (proven both ways) to the layer's bridge.
     */
    public boolean isReady()
    {
        return 0 != counters[OrreryCounter.REMOTE_REPLICANT_LINKED.id()].get();
    }

    /**
     * Render the exposition text.
     *
     * @return the text, every line ending in a newline.
     */
    public synchronized String render()
    {
        final StringBuilder text = new StringBuilder(16 * 1024);
        final PrometheusWriter out = new PrometheusWriter(text);
        out.family("orrery_replicant_ready", "gauge",
            "1 while this Replicant process is linked to the layer's bridge, else 0.");
        out.sample("orrery_replicant_ready", label, isReady() ? 1 : 0);
        for (final OrreryCounter counter : OrreryCounter.values())
        {
            if (counter.isPerReplicant())
            {
                continue;
            }
            final String name = LayerMetrics.metricName(counter);
            out.family(name, LayerMetrics.isLevel(counter) ? "gauge" : "counter", "Orrery: " + counter.label() + ".");
            out.sample(name, label, counters[counter.id()].get() / LayerMetrics.unitsPerSecond(counter));
        }
        LayerMetrics.writeProcess(out);
        return text.toString();
    }
}
