/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers;

import io.aeron.Counter;
import io.orrery.core.persistence.RemoteScribeHost;
import io.orrery.core.persistence.Scribe;
import io.orrery.core.persistence.ScribeCounter;
import io.orrery.core.status.PrometheusWriter;

import java.util.Locale;

/**
 * The metrics of a Scribe process ({@link ScribeServer}), label {@code scribe="<name>"}: whether it serves
 * ({@code orrery_scribe_ready}: a layer is linked and the store is open), its link ({@code orrery_scribe_linked}, links
 * made and lost, proofs failed, messages and hellos refused or shed: the host's type 7303 counters), Scribe's
 * counters ({@link ScribeCounter}: {@code orrery_scribe_<counter>_total}, the backlog and the last write's latency as
 * gauges, the latency in seconds), the store's kind ({@code orrery_scribe_store_info}) and the process's CPU, heap
 * and GC.
 * <p>
 * Threading: any thread (it reads counters and volatile state only); one scrape at a time ({@link ProcessMetrics}).
 */
public final class ScribeMetrics
{
    /**
     * The role's name in its ready gauge, {@code orrery_scribe_ready}.
     */
    public static final String ROLE = "scribe";
    /**
     * What the ready gauge means.
     */
    public static final String READY_HELP =
        "1 while this Scribe process has a layer linked and its store open, else 0.";

    private ScribeMetrics()
    {
    }

    /**
     * @param name this Scribe's name ({@code --name}).
     * @return its label, {@code scribe="<name>"}.
     */
    public static String label(final String name)
    {
        return ProcessMetrics.label("scribe", name);
    }

    /**
     * @param name      this Scribe's name, the {@code scribe} label.
     * @param scribe    the Scribe (its counters are read until the metrics are cleared, before it closes).
     * @param host      the link's host.
     * @param storeName the store's name ({@code PersistenceAdapter.name()}).
     * @return its metrics.
     */
    public static ProcessMetrics create(
        final String name, final Scribe scribe, final RemoteScribeHost host, final String storeName)
    {
        return new ProcessMetrics(ROLE, READY_HELP, label(name), (Counter[])null,
            () -> host.isLinked() && !scribe.isClosed(), (out, label) -> write(out, label, scribe, host, storeName));
    }

    private static void write(
        final PrometheusWriter out,
        final String label,
        final Scribe scribe,
        final RemoteScribeHost host,
        final String storeName)
    {
        gauge(out, "orrery_scribe_linked", "1 while a layer is linked to this Scribe, else 0.", label,
            host.isLinked() ? 1 : 0);
        counter(out, "orrery_scribe_links_total", "Layers linked (proof verified).", label, host.links());
        counter(out, "orrery_scribe_links_lost_total", "Linked layers lost (image gone or silent).", label,
            host.linksLost());
        counter(out, "orrery_scribe_link_proofs_failed_total", "Link proofs that failed.", label,
            host.proofsFailed());
        counter(out, "orrery_scribe_link_messages_refused_total", "Link messages refused.", label,
            host.messagesRefused());
        counter(out, "orrery_scribe_link_hellos_refused_total", "Hellos refused: their MAC did not verify.", label,
            host.hellosRefused());
        counter(out, "orrery_scribe_link_hellos_shed_total", "Hellos shed: too many waiting.", label,
            host.hellosShed());
        for (final ScribeCounter counter : ScribeCounter.values())
        {
            final String base = "orrery_scribe_" + counter.name().toLowerCase(Locale.ROOT);
            final String help = "Scribe: " + counter.label() + ".";
            if (ScribeCounter.BACKLOG == counter)
            {
                gauge(out, base, help, label, scribe.counter(counter));
            }
            else if (ScribeCounter.LAST_FLUSH_LATENCY_NS == counter)
            {
                gauge(out, "orrery_scribe_last_flush_latency_seconds", help, label, scribe.counter(counter) / 1e9);
            }
            else
            {
                counter(out, base + "_total", help, label, scribe.counter(counter));
            }
        }
        out.family("orrery_scribe_store_info", "gauge", "The store this Scribe writes to (1).");
        out.sample("orrery_scribe_store_info", label + "," + ProcessMetrics.label("store", storeName), 1);
    }

    private static void gauge(
        final PrometheusWriter out, final String name, final String help, final String label, final double value)
    {
        out.family(name, "gauge", help).sample(name, label, value);
    }

    private static void counter(
        final PrometheusWriter out, final String name, final String help, final String label, final double value)
    {
        out.family(name, "counter", help).sample(name, label, value);
    }
}
