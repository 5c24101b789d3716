/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers;

import io.aeron.Counter;
import io.orrery.core.status.LayerMetrics;
import io.orrery.core.status.OrreryCounter;
import io.orrery.core.status.PrometheusWriter;

import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The metrics of one role process (Replicant, Gateway, Atlas, Scribe) in the Prometheus text format, what each serves
 * on {@code --status-address} ({@link StatusEndpoint}): a ready gauge ({@code orrery_<role>_ready}, 1 while
 * {@code /ready} answers 200), the process's {@link OrreryCounter}s when it has them, named as the layer's
 * ({@link LayerMetrics#metricName}: {@code orrery_<counter>}, levels as gauges, totals as {@code _total}; a Replicant
 * bridge's counters ({@link OrreryCounter#isPerReplicant()}) are the layer's: not here), what the role adds
 * ({@link Extra}), and the process's CPU, heap and GC. Every sample has the role's label (e.g. {@code gateway="1"}).
 * <p>
 * Threading: any thread (it reads counters and thread-safe suppliers only); one scrape at a time.
 */
public final class ProcessMetrics
{
    /**
     * What a role adds to its text, between its counters and the process's figures.
     */
    @FunctionalInterface
    public interface Extra
    {
        /**
         * @param out   where to write families and samples.
         * @param label the role's label, for every sample.
         */
        void write(PrometheusWriter out, String label);
    }

    private final String readyName;
    private final String readyHelp;
    private final String label;
    private final Supplier<Counter[]> counters;
    private final BooleanSupplier ready;
    private final Extra extra;

    /**
     * @param role      the role's name in the ready gauge: {@code orrery_<role>_ready}.
     * @param readyHelp what ready means, the gauge's help text.
     * @param label     the role's label, e.g. {@code gateway="1"} (escaped already).
     * @param counters  the process's counters indexed by {@link OrreryCounter#id()}, or null when it has none.
     * @param ready     whether the process serves (thread-safe).
     * @param extra     what the role adds, or null.
     */
    public ProcessMetrics(
        final String role,
        final String readyHelp,
        final String label,
        final Counter[] counters,
        final BooleanSupplier ready,
        final Extra extra)
    {
        this(role, readyHelp, label, () -> counters, ready, extra);
    }

    /**
     * @param role      the role's name in the ready gauge: {@code orrery_<role>_ready}.
     * @param readyHelp what ready means, the gauge's help text.
     * @param label     the role's label, e.g. {@code atlas_member="0"} (escaped already).
     * @param counters  the process's counters indexed by {@link OrreryCounter#id()} once they exist, else null
     *                  (thread-safe).
     * @param ready     whether the process serves (thread-safe).
     * @param extra     what the role adds, or null.
     */
    public ProcessMetrics(
        final String role,
        final String readyHelp,
        final String label,
        final Supplier<Counter[]> counters,
        final BooleanSupplier ready,
        final Extra extra)
    {
        this.readyName = readyName(role);
        this.readyHelp = readyHelp;
        this.label = label;
        this.counters = counters;
        this.ready = ready;
        this.extra = extra;
    }

    /**
     * @param name  the label's name.
     * @param value its value (escaped here).
     * @return {@code name="value"}.
     */
    public static String label(final String name, final String value)
    {
        return name + "=\"" + PrometheusWriter.escape(value) + "\"";
    }

    /**
     * The text a process serves before its metrics exist (starting) and after they closed (stopping): not ready.
     *
     * @param role      the role's name.
     * @param readyHelp what ready means.
     * @param label     the role's label.
     * @return the text, every line ending in a newline.
     */
    public static String notReadyText(final String role, final String readyHelp, final String label)
    {
        final StringBuilder text = new StringBuilder(256);
        new PrometheusWriter(text).family(readyName(role), "gauge", readyHelp).sample(readyName(role), label, 0);
        return text.toString();
    }

    private static String readyName(final String role)
    {
        return "orrery_" + role + "_ready";
    }

    /**
     * @return whether the process serves: what {@code /ready} answers.
     */
    public boolean isReady()
    {
        return ready.getAsBoolean();
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
        out.family(readyName, "gauge", readyHelp);
        out.sample(readyName, label, isReady() ? 1 : 0);
        final Counter[] counters = this.counters.get();
        if (null != counters)
        {
            for (final OrreryCounter counter : OrreryCounter.values())
            {
                if (counter.isPerReplicant())
                {
                    continue;
                }
                final String name = LayerMetrics.metricName(counter);
                out.family(name, LayerMetrics.isLevel(counter) ? "gauge" : "counter",
                    "Orrery: " + counter.label() + ".");
                out.sample(name, label, counters[counter.id()].get() / LayerMetrics.unitsPerSecond(counter));
            }
        }
        if (null != extra)
        {
            extra.write(out, label);
        }
        LayerMetrics.writeProcess(out);
        return text.toString();
    }
}
