/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers;

import org.agrona.CloseHelper;

import java.io.PrintStream;
import java.io.UncheckedIOException;

/**
 * A role process's {@code --status-address}: the {@link StatusEndpoint} it serves ({@code /metrics}, {@code /ready},
 * {@code /health}) and the {@link ProcessMetrics} behind it, set once the process's counters exist and cleared before
 * they close (until then, and after, {@code /metrics} says not ready and {@code /ready} answers 503).
 * <p>
 * Threading: {@link #metrics(ProcessMetrics)} from any thread; the endpoint's thread renders under the same lock.
 */
public final class ProcessStatus implements AutoCloseable
{
    /**
     * The option's value that serves nothing, its default.
     */
    public static final String OFF = "off";

    private final StatusEndpoint endpoint;
    private final String notReadyText;
    private ProcessMetrics metrics;

    private ProcessStatus(final String address, final String notReadyText)
    {
        this.notReadyText = notReadyText;
        this.endpoint = OFF.equalsIgnoreCase(address) ? null : StatusEndpoint.start(address, this::render,
            this::isReady);
    }

    /**
     * Serve on {@code address}, or nothing when it is {@value #OFF}; say where on standard output
     * ({@code orrery: <who> status on http://host:port/metrics, /ready, /health}).
     *
     * @param address   {@code host:port} (port 0 picks a free one) or {@value #OFF}.
     * @param who       names the process in what is said, e.g. {@code gateway 1}.
     * @param role      the role's name in its ready gauge ({@link ProcessMetrics}).
     * @param readyHelp what ready means.
     * @param label     the role's label.
     * @param err       where a malformed or unusable address is said.
     * @return the status, or null when the address is malformed or cannot be bound (said on {@code err}: the process
     * exits with {@link io.orrery.core.status.ProcessErrors#EXIT_CONFIGURATION}).
     */
    public static ProcessStatus start(
        final String address,
        final String who,
        final String role,
        final String readyHelp,
        final String label,
        final PrintStream err)
    {
        final ProcessStatus status;
        try
        {
            status = new ProcessStatus(address, ProcessMetrics.notReadyText(role, readyHelp, label));
        }
        catch (final IllegalArgumentException | UncheckedIOException ex)
        {
            err.println("orrery: " + who + ": --status-address: " + ex.getMessage());
            return null;
        }
        if (null != status.endpoint)
        {
            System.out.println("orrery: " + who + " status on http://" +
                address.substring(0, address.lastIndexOf(':')) + ":" + status.endpoint.port() +
                "/metrics, /ready, /health");
        }
        return status;
    }

    /**
     * @param metrics what {@code /metrics} and {@code /ready} answer from now on, or null for not ready (before the
     *                counters it reads close: this waits for a scrape under way, so none reads them once closed).
     */
    public synchronized void metrics(final ProcessMetrics metrics)
    {
        this.metrics = metrics;
    }

    /**
     * @return the port served, or -1 when off.
     */
    public int port()
    {
        return null == endpoint ? -1 : endpoint.port();
    }

    private synchronized String render()
    {
        return null == metrics ? notReadyText : metrics.render();
    }

    private synchronized boolean isReady()
    {
        return null != metrics && metrics.isReady();
    }

    @Override
    public void close()
    {
        metrics(null);
        CloseHelper.quietClose(endpoint);
    }
}
