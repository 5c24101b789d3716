/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.perf.dashboard;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.orrery.perf.report.ChartData;
import io.orrery.perf.report.HtmlReport;
import io.orrery.perf.report.Json;
import io.orrery.perf.scenario.LiveData;
import io.orrery.perf.scenario.Sample;

/**
 * The live dashboard of a scenario run, on the JDK's HTTP server bound to 127.0.0.1:
 * <pre>
 *   GET /          the report page in live mode: polls /api/live every second and redraws the same plots
 *   GET /api/live  JSON of the current repetition's last {@link LiveData#MAX_SAMPLES} seconds (see ChartData)
 *   GET /metrics   Prometheus text exposition format 0.0.4 ({@link PrometheusText})
 * </pre>
 * Threading: requests are served on one daemon thread of its own; it only reads the {@link LiveData}'s immutable
 * snapshots. {@link #start} and {@link #close} from the controlling thread.
 */
public final class DashboardServer implements AutoCloseable
{
    private final HttpServer server;
    private final ExecutorService executor;
    private final LiveData live;
    private final byte[] page;

    private DashboardServer(final HttpServer server, final ExecutorService executor, final LiveData live)
    {
        this.server = server;
        this.executor = executor;
        this.live = live;
        this.page = HtmlReport.page("null").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Start serving.
     *
     * @param live source of the figures.
     * @param port TCP port on 127.0.0.1, 0 for an ephemeral one.
     * @return the running server.
     * @throws IOException when the port cannot be bound.
     */
    public static DashboardServer start(final LiveData live, final int port) throws IOException
    {
        final HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
        final ExecutorService executor = Executors.newSingleThreadExecutor((runnable) ->
        {
            final Thread thread = new Thread(runnable, "orrery-dashboard");
            thread.setDaemon(true);
            return thread;
        });
        final DashboardServer dashboard = new DashboardServer(server, executor, live);
        server.createContext("/", dashboard::onRequest);
        server.setExecutor(executor);
        server.start();
        return dashboard;
    }

    /**
     * The bound port.
     *
     * @return port on 127.0.0.1.
     */
    public int port()
    {
        return server.getAddress().getPort();
    }

    /**
     * Address of the page.
     *
     * @return e.g. {@code http://127.0.0.1:45123/}.
     */
    public String url()
    {
        return "http://127.0.0.1:" + port() + "/";
    }

    @Override
    public void close()
    {
        server.stop(0);
        executor.shutdownNow();
    }

    /**
     * The JSON served at /api/live.
     *
     * @param snapshot what to show.
     * @return the JSON document.
     */
    public static String liveJson(final LiveData.Snapshot snapshot)
    {
        final Sample last = snapshot.lastSample();
        final Json json = new Json().beginObject()
            .member("mode", "live")
            .member("title", "Orrery live: " + snapshot.scenario())
            .member("subtitle", "repetition " + snapshot.repetition() + "/" + snapshot.repetitions() + ", phase " +
                snapshot.phase());
        json.name("status");
        ChartData.writeStatus(json, snapshot.phase(), snapshot.repetition(), snapshot.repetitions(),
            snapshot.elapsedS(), snapshot.updatedEpochMs(), null == last ? 0 : last.connected());
        json.name("runs").beginArray();
        ChartData.writeRun(json, "rep " + snapshot.repetition(), snapshot.samples(), snapshot.distribution());
        json.endArray().name("floors").beginArray().endArray();
        return json.endObject().toString();
    }

    private void onRequest(final HttpExchange exchange) throws IOException
    {
        try (exchange)
        {
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod()))
            {
                send(exchange, 405, "text/plain; charset=utf-8", "GET only\n".getBytes(StandardCharsets.UTF_8));
                return;
            }
            switch (exchange.getRequestURI().getPath())
            {
                case "/":
                case "/index.html":
                    send(exchange, 200, "text/html; charset=utf-8", page);
                    break;
                case "/api/live":
                    send(exchange, 200, "application/json; charset=utf-8",
                        liveJson(live.snapshot()).getBytes(StandardCharsets.UTF_8));
                    break;
                case "/metrics":
                    send(exchange, 200, PrometheusText.CONTENT_TYPE,
                        PrometheusText.render(live.snapshot()).getBytes(StandardCharsets.UTF_8));
                    break;
                default:
                    send(exchange, 404, "text/plain; charset=utf-8", "not found\n".getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    private static void send(final HttpExchange exchange, final int status, final String contentType, final byte[] body)
        throws IOException
    {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        final boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head)
        {
            try (OutputStream out = exchange.getResponseBody())
            {
                out.write(body);
            }
        }
    }
}
