/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.status;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.HdrHistogram.SingleWriterRecorder;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * The metrics of a running Replication Layer in the Prometheus text format: every {@link OrreryCounter} (levels as
 * gauges, totals as {@code _total} counters, the maximum duty cycle in seconds), the Replicant's tick duration and the
 * layer's residence of server state and of client input as histograms in seconds, whether the layer is ready, and the
 * process's CPU, heap and GC. Names are {@code orrery_<counter name in lower case>} with the label {@code shard}; a
 * Replicant bridge's counter ({@link OrreryCounter#isPerReplicant()}) has one sample per bridge, labelled
 * {@code replicant="<id>"} as well, when the layer has bridges (the shard's sum is then the sum of the samples), and
 * one with the shard label only (0) when it has none.
 * <p>
 * Threading: any thread, one scrape at a time (it drains the Replicant's recorders into running totals).
 */
public final class LayerMetrics
{
    /**
     * What the metrics are read from: a running Replication Layer.
     */
    public interface Source
    {
        /**
         * @return name of the shard, the {@code shard} label.
         */
        String shardName();

        /**
         * @return current value of a system counter.
         */
        long counter(OrreryCounter counter);

        /**
         * @return the recorder of the Replicant's tick durations in ns, drained by each scrape.
         */
        SingleWriterRecorder tickDurations();

        /**
         * @return the recorder of the layer's residence of server state in ns (every interest worker writes it),
         * drained by each scrape.
         */
        Recorder stateResidence();

        /**
         * @return the recorder of the layer's residence of client input in ns, drained by each scrape.
         */
        SingleWriterRecorder inputResidence();

        /**
         * @return game servers configured in the shard (0 without servers).
         */
        default int serverCount()
        {
            return 0;
        }

        /**
         * @param index in {@code [0, serverCount())}.
         * @return the server id at that index.
         */
        default int serverId(final int index)
        {
            return 0;
        }

        /**
         * @param index in {@code [0, serverCount())}.
         * @return the time dilation (1/1000, 1000 = real time) that server last reported.
         */
        default int serverTimeDilationPerMille(final int index)
        {
            return 1000;
        }

        /**
         * @return bridges to secondary Replicants in their own processes (0 without).
         */
        default int bridgeCount()
        {
            return 0;
        }

        /**
         * @param index in {@code [0, bridgeCount())}.
         * @return the Replicant id of the bridge at that index.
         */
        default int bridgeReplicantId(final int index)
        {
            return 0;
        }

        /**
         * @param index   in {@code [0, bridgeCount())}.
         * @param counter one of the {@link OrreryCounter#isPerReplicant()} counters.
         * @return the bridge's own value of it.
         */
        default long bridgeCounter(final int index, final OrreryCounter counter)
        {
            return 0;
        }
    }

    private final Source layer;
    private final String shardLabel;
    private Histogram tickTotal;
    private Histogram stateResidenceTotal;
    private Histogram inputResidenceTotal;
    private Histogram tickInterval;
    private Histogram stateResidenceInterval;
    private Histogram inputResidenceInterval;

    public LayerMetrics(final Source layer)
    {
        this.layer = layer;
        this.shardLabel = "shard=\"" + PrometheusWriter.escape(layer.shardName()) + "\"";
    }

    private static Histogram accumulate(final Histogram total, final Histogram interval)
    {
        final Histogram sum = null != total ? total :
            new Histogram(interval.getHighestTrackableValue(), interval.getNumberOfSignificantValueDigits());
        sum.add(interval);
        return sum;
    }

    /**
     * @return true for counters that hold a level (sessions active, entities cached, ...) rather than a total.
     */
    public static boolean isLevel(final OrreryCounter counter)
    {
        switch (counter)
        {
            case SESSIONS_ACTIVE:
            case ENTITIES:
            case MAX_DUTY_CYCLE_NS:
            case SERVERS_CONNECTED:
            case OCS_CELLS_HOT:
            case ADMISSION_CLOSED:
            case ATLAS_SILENT_MS:
            case HANDOFFS_WAITING:
            case GATEWAY_LINK_SESSIONS:
            case REPLICANT_BRIDGES_LINKED:
            case REMOTE_REPLICANT_LINKED:
            case REMOTE_REPLICANT_SESSIONS:
            case REMOTE_REPLICANT_REFUSED_NOW:
                return true;

            default:
                return false;
        }
    }

    /**
     * @return the Prometheus name of a counter: {@code orrery_<name>} plus {@code _total} for totals; a name in
     * nanoseconds or milliseconds is exported in seconds (see {@link #unitsPerSecond}).
     */
    public static String metricName(final OrreryCounter counter)
    {
        final String base = "orrery_" + counter.name().toLowerCase(Locale.ROOT);
        if (base.endsWith("_ns") || base.endsWith("_ms"))
        {
            return base.substring(0, base.length() - 3) + "_seconds";
        }
        return isLevel(counter) ? base : base + "_total";
    }

    /**
     * @return what a counter's value is divided by for its Prometheus sample: 1e9 for nanoseconds, 1e3 for
     * milliseconds (both exported in seconds), else 1.
     */
    public static double unitsPerSecond(final OrreryCounter counter)
    {
        final String name = counter.name();
        return name.endsWith("_NS") ? 1e9 : name.endsWith("_MS") ? 1e3 : 1;
    }

    /**
     * Render the exposition text.
     *
     * @param ready whether the process reports itself ready.
     * @return the text, every line ending in a newline.
     */
    public synchronized String render(final boolean ready)
    {
        final StringBuilder text = new StringBuilder(16 * 1024);
        final PrometheusWriter out = new PrometheusWriter(text);
        out.family("orrery_layer_ready", "gauge", "1 once the layer has restored its shard and serves, else 0.");
        out.sample("orrery_layer_ready", shardLabel, ready ? 1 : 0);
        for (final OrreryCounter counter : OrreryCounter.values())
        {
            final String name = metricName(counter);
            final boolean level = isLevel(counter);
            out.family(name, level ? "gauge" : "counter", "Orrery: " + counter.label() + ".");
            final int bridges = counter.isPerReplicant() ? layer.bridgeCount() : 0;
            if (0 == bridges)
            {
                out.sample(name, shardLabel, layer.counter(counter) / unitsPerSecond(counter));
            }
            for (int i = 0; i < bridges; i++)
            {
                out.sample(name, shardLabel + ",replicant=\"" + layer.bridgeReplicantId(i) + "\"",
                    layer.bridgeCounter(i, counter) / unitsPerSecond(counter));
            }
        }

        final int servers = layer.serverCount();
        if (servers > 0)
        {
            out.family("orrery_server_time_dilation", "gauge",
                "Game time per real time of each game server's simulation, as last reported (1 = real time).");
            for (int i = 0; i < servers; i++)
            {
                out.sample("orrery_server_time_dilation", shardLabel + ",server=\"" + layer.serverId(i) + "\"",
                    layer.serverTimeDilationPerMille(i) / 1000.0);
            }
        }

        tickInterval = layer.tickDurations().getIntervalHistogram(tickInterval);
        tickTotal = accumulate(tickTotal, tickInterval);
        out.histogramSeconds("orrery_replicant_tick_duration_seconds",
            "Duration of the Replicant's tick (authority, interest, egress).", shardLabel, tickTotal);
        stateResidenceInterval = layer.stateResidence().getIntervalHistogram(stateResidenceInterval);
        stateResidenceTotal = accumulate(stateResidenceTotal, stateResidenceInterval);
        out.histogramSeconds("orrery_layer_state_residence_seconds",
            "Server state in the layer: from its arrival to a client's publication taking it, per client and pass.",
            shardLabel, stateResidenceTotal);
        inputResidenceInterval = layer.inputResidence().getIntervalHistogram(inputResidenceInterval);
        inputResidenceTotal = accumulate(inputResidenceTotal, inputResidenceInterval);
        out.histogramSeconds("orrery_layer_input_residence_seconds",
            "Client input in the layer: from the Gateway reading it to its forwarding to the authority.",
            shardLabel, inputResidenceTotal);
        writeProcess(out);
        return text.toString();
    }

    /**
     * The process's CPU, heap and GC, as every Orrery process exports them.
     */
    public static void writeProcess(final PrometheusWriter out)
    {
        final java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean)
        {
            out.family("process_cpu_seconds_total", "counter", "CPU time of this process.");
            out.sample("process_cpu_seconds_total", "",
                ((com.sun.management.OperatingSystemMXBean)os).getProcessCpuTime() / 1e9);
        }
        out.family("jvm_memory_used_bytes", "gauge", "JVM memory in use.");
        out.sample("jvm_memory_used_bytes", "area=\"heap\"",
            ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        out.sample("jvm_memory_used_bytes", "area=\"nonheap\"",
            ManagementFactory.getMemoryMXBean().getNonHeapMemoryUsage().getUsed());
        out.family("jvm_gc_collection_seconds_total", "counter", "Garbage collection time per collector.");
        for (final GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans())
        {
            out.sample("jvm_gc_collection_seconds_total", "gc=\"" + PrometheusWriter.escape(gc.getName()) + "\"",
                Math.max(0, gc.getCollectionTime()) / 1e3);
        }
    }
}
