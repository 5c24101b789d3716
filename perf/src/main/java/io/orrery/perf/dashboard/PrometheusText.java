/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.perf.dashboard;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

import io.orrery.core.status.LayerMetrics;
import io.orrery.core.status.OrreryCounter;
import io.orrery.core.status.PrometheusWriter;
import io.orrery.perf.scenario.LatencySummary;
import io.orrery.perf.scenario.LiveData;
import io.orrery.perf.scenario.Sample;
import io.orrery.perf.scenario.ShardCounters;

/**
 * Renders a {@link LiveData.Snapshot} in the Prometheus text exposition format 0.0.4: every {@link OrreryCounter} of
 * every shard ({@code orrery_<counter>}, label {@code shard}; counters end in {@code _total}, the few gauges do not),
 * the bots' figures ({@code orrery_bots_*}), the bots' latencies as summaries with {@code quantile} labels (seconds),
 * and this process's CPU, memory and GC.
 * <p>
 * Threading: stateless, any thread.
 */
public final class PrometheusText
{
    /**
     * Content type of the text exposition format.
     */
    public static final String CONTENT_TYPE = PrometheusWriter.CONTENT_TYPE;

    private PrometheusText()
    {
    }

    /**
     * Render a snapshot.
     *
     * @param snapshot what to export.
     * @return the exposition text, every line ending in a newline.
     */
    public static String render(final LiveData.Snapshot snapshot)
    {
        final StringBuilder out = new StringBuilder(8192);
        writeRun(out, snapshot);
        writeCounters(out, snapshot.counters());
        writeBots(out, snapshot.lastSample());
        writeLatencies(out, snapshot);
        writeProcess(out);
        return out.toString();
    }

    private static void writeRun(final StringBuilder out, final LiveData.Snapshot snapshot)
    {
        family(out, "orrery_scenario_info", "gauge", "Scenario running, phase and repetition as labels.");
        out.append("orrery_scenario_info{scenario=\"").append(escape(snapshot.scenario()))
            .append("\",phase=\"").append(escape(snapshot.phase()))
            .append("\",repetition=\"").append(snapshot.repetition()).append("\"} 1\n");
        family(out, "orrery_scenario_elapsed_seconds", "gauge", "Seconds since the repetition's swarm started.");
        sample(out, "orrery_scenario_elapsed_seconds", "", snapshot.elapsedS());
    }

    private static void writeCounters(final StringBuilder out, final ShardCounters counters)
    {
        for (final OrreryCounter counter : OrreryCounter.values())
        {
            // the same names and types as the layer process's own /metrics (LayerMetrics)
            final boolean gauge = LayerMetrics.isLevel(counter);
            final String name = LayerMetrics.metricName(counter);
            final double scale = 1 / LayerMetrics.unitsPerSecond(counter);
            family(out, name, gauge ? "gauge" : "counter", "Orrery counter: " + counter.label() + ".");
            for (final String shard : counters.shards())
            {
                sample(out, name, "shard=\"" + escape(shard) + "\"", counters.value(shard, counter) * scale);
            }
        }
    }

    private static void writeBots(final StringBuilder out, final Sample sample)
    {
        final long launched = null == sample ? 0 : sample.launched();
        final long connected = null == sample ? 0 : sample.connected();
        final long active = null == sample ? 0 : sample.active();
        final long failed = null == sample ? 0 : sample.failed();
        family(out, "orrery_bots_launched", "gauge", "Bots launched so far.");
        sample(out, "orrery_bots_launched", "", launched);
        family(out, "orrery_bots_connected", "gauge", "Bots welcomed by the shard so far.");
        sample(out, "orrery_bots_connected", "", connected);
        family(out, "orrery_bots_active", "gauge", "Bots with a live session.");
        sample(out, "orrery_bots_active", "", active);
        family(out, "orrery_bots_failed", "gauge", "Bots that failed to connect or were rejected.");
        sample(out, "orrery_bots_failed", "", failed);
        family(out, "orrery_bots_inputs_per_second", "gauge", "Inputs sent by the bots in the last second.");
        sample(out, "orrery_bots_inputs_per_second", "", null == sample ? 0 : sample.inputsPerS());
        family(out, "orrery_bots_updates_per_second", "gauge", "Entity updates received by the bots in the last second.");
        sample(out, "orrery_bots_updates_per_second", "", null == sample ? 0 : sample.updatesPerS());
        family(out, "orrery_client_egress_bytes_per_second", "gauge",
            "Bytes the shard sent per active client session in the last second (bandwidth per client).");
        sample(out, "orrery_client_egress_bytes_per_second", "", null == sample ? 0 : sample.clientBytesPerS());
    }

    private static void writeLatencies(final StringBuilder out, final LiveData.Snapshot snapshot)
    {
        family(out, "orrery_bot_latency_seconds", "summary",
            "Bot latencies over the repetition so far (input-latency = input sent to its update received).");
        for (final LatencySummary latency : snapshot.latencies())
        {
            final String metric = "metric=\"" + escape(latency.metric()) + "\"";
            for (int q = 0; q < LatencySummary.QUANTILES.length; q++)
            {
                sample(out, "orrery_bot_latency_seconds",
                    metric + ",quantile=\"" + quantile(LatencySummary.QUANTILES[q]) + "\"",
                    latency.quantilesNs()[q] / 1e9);
            }
            sample(out, "orrery_bot_latency_seconds_sum", metric, latency.sumNs() / 1e9);
            sample(out, "orrery_bot_latency_seconds_count", metric, latency.count());
        }
    }

    private static void writeProcess(final StringBuilder out)
    {
        final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean)ManagementFactory.getOperatingSystemMXBean();
        family(out, "process_cpu_seconds_total", "counter", "CPU time of the runner's process.");
        sample(out, "process_cpu_seconds_total", "", os.getProcessCpuTime() / 1e9);
        final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        family(out, "jvm_memory_used_bytes", "gauge", "JVM memory in use.");
        sample(out, "jvm_memory_used_bytes", "area=\"heap\"", memory.getHeapMemoryUsage().getUsed());
        sample(out, "jvm_memory_used_bytes", "area=\"nonheap\"", memory.getNonHeapMemoryUsage().getUsed());
        family(out, "jvm_gc_collections_total", "counter", "Garbage collections per collector.");
        for (final GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans())
        {
            sample(out, "jvm_gc_collections_total", "gc=\"" + escape(gc.getName()) + "\"",
                Math.max(0, gc.getCollectionCount()));
        }
        family(out, "jvm_gc_collection_seconds_total", "counter", "Garbage collection time per collector.");
        for (final GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans())
        {
            sample(out, "jvm_gc_collection_seconds_total", "gc=\"" + escape(gc.getName()) + "\"",
                Math.max(0, gc.getCollectionTime()) / 1e3);
        }
    }

    private static void family(final StringBuilder out, final String name, final String type, final String help)
    {
        new PrometheusWriter(out).family(name, type, help);
    }

    private static void sample(final StringBuilder out, final String name, final String labels, final double value)
    {
        new PrometheusWriter(out).sample(name, labels, value);
    }

    private static String quantile(final double quantile)
    {
        return 1.0 == quantile ? "1" : String.valueOf(quantile);
    }

    private static String escape(final String value)
    {
        return PrometheusWriter.escape(value);
    }
}
