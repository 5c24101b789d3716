/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.orrery.core.status.PrometheusWriter;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A process's HTTP status endpoint for supervisors and Prometheus: {@code GET /metrics} (the text exposition
 * format), {@code GET /ready} (200 once the process serves, 503 before and after), {@code GET /health} (200 while the
 * process is up). One daemon thread; nothing on it touches an agent's state except through thread-safe reads.
 */
public final class StatusEndpoint implements AutoCloseable
{
    private final HttpServer server;
    private final ExecutorService executor;

    private StatusEndpoint(final HttpServer server, final ExecutorService executor)
    {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Start serving.
     *
     * @param address {@code host:port} (port 0: any free port).
     * @param metrics renders {@code /metrics}.
     * @param ready   answers {@code /ready}.
     * @return the running endpoint.
     * @throws IllegalArgumentException for a malformed address, {@link UncheckedIOException} if it cannot bind.
     */
    public static StatusEndpoint start(final String address, final Supplier<String> metrics, final BooleanSupplier ready)
    {
        final InetSocketAddress socketAddress = parse(address);
        final HttpServer server;
        try
        {
            server = HttpServer.create(socketAddress, 16);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot serve status on " + address + ": " + ex.getMessage(), ex);
        }
        final ExecutorService executor = Executors.newSingleThreadExecutor((runnable) ->
        {
            final Thread thread = new Thread(runnable, "orrery-status-http");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/metrics", (exchange) -> respond(exchange, 200, PrometheusWriter.CONTENT_TYPE,
            metrics.get()));
        server.createContext("/ready", (exchange) ->
        {
            final boolean isReady = ready.getAsBoolean();
            respond(exchange, isReady ? 200 : 503, "text/plain; charset=utf-8", isReady ? "ready\n" : "not ready\n");
        });
        server.createContext("/health", (exchange) -> respond(exchange, 200, "text/plain; charset=utf-8", "ok\n"));
        server.start();
        return new StatusEndpoint(server, executor);
    }

    /**
     * @return the port bound (useful with port 0).
     */
    public int port()
    {
        return server.getAddress().getPort();
    }

    @Override
    public void close()
    {
        server.stop(0);
        executor.shutdownNow();
    }

    static InetSocketAddress parse(final String address)
    {
        final int colon = null == address ? -1 : address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1)
        {
            throw new IllegalArgumentException("status address must be host:port, got: " + address);
        }
        final int port;
        try
        {
            port = Integer.parseInt(address.substring(colon + 1));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("status address port is not a number: " + address);
        }
        if (port < 0 || port > 65535)
        {
            throw new IllegalArgumentException("status address port out of range: " + address);
        }
        String host = address.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]"))
        {
            host = host.substring(1, host.length() - 1);
        }
        return new InetSocketAddress(host, port);
    }

    private static void respond(final HttpExchange exchange, final int status, final String contentType,
        final String body) throws IOException
    {
        try (exchange)
        {
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod()))
            {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", contentType);
            exchange.sendResponseHeaders(status, "HEAD".equals(exchange.getRequestMethod()) ? -1 : bytes.length);
            if (!"HEAD".equals(exchange.getRequestMethod()))
            {
                try (OutputStream body2 = exchange.getResponseBody())
                {
                    body2.write(bytes);
                }
            }
        }
    }
}
