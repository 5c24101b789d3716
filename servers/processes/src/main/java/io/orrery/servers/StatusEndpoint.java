/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers;

import io.orrery.core.status.PrometheusWriter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A process's HTTP status endpoint for supervisors and Prometheus: {@code GET /metrics} (the text exposition
 * format), {@code GET /ready} (200 once the process serves, 503 before and after), {@code GET /health} (200 while the
 * process is up). {@code HEAD} too; one request per connection ({@code Connection: close}).
 * <p>
 * Anyone who reaches the port can talk to it before any authentication, so it is built not to be held: one daemon
 * thread on a non-blocking selector (a peer that sends its request slowly, or never, holds no thread; the JDK's
 * {@code HttpServer} reads a request head on a blocking executor thread, where four such peers stopped every probe),
 * at most {@link #MAX_CONNECTIONS} connections (the oldest is closed to admit a new one), a request head of at most
 * {@link #MAX_REQUEST_HEAD_BYTES} (longer: 431) that must arrive, and a response that must be taken, within
 * {@link #REQUEST_TIMEOUT_MS} of the connection. Closed connections are counted ({@link #connectionsShed()}).
 * Nothing on the thread touches an agent's state except through the thread-safe suppliers given.
 */
public final class StatusEndpoint implements AutoCloseable
{
    static final int MAX_CONNECTIONS = 64;
    static final int MAX_REQUEST_HEAD_BYTES = 8 * 1024;
    static final long REQUEST_TIMEOUT_MS = 2_000;
    private static final String TEXT = "text/plain; charset=utf-8";

    private final ServerSocketChannel acceptor;
    private final Selector selector;
    private final Supplier<String> metrics;
    private final BooleanSupplier ready;
    private final ArrayDeque<Connection> connections = new ArrayDeque<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long connectionsShed;

    private StatusEndpoint(
        final ServerSocketChannel acceptor,
        final Selector selector,
        final Supplier<String> metrics,
        final BooleanSupplier ready)
    {
        this.acceptor = acceptor;
        this.selector = selector;
        this.metrics = metrics;
        this.ready = ready;
        thread = new Thread(this::run, "orrery-status-http");
        thread.setDaemon(true);
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
        ServerSocketChannel acceptor = null;
        Selector selector = null;
        try
        {
            selector = Selector.open();
            acceptor = ServerSocketChannel.open();
            acceptor.bind(socketAddress, MAX_CONNECTIONS);
            acceptor.configureBlocking(false);
            acceptor.register(selector, SelectionKey.OP_ACCEPT);
        }
        catch (final IOException ex)
        {
            closeQuietly(acceptor);
            closeQuietly(selector);
            throw new UncheckedIOException("cannot serve status on " + address + ": " + ex.getMessage(), ex);
        }
        final StatusEndpoint endpoint = new StatusEndpoint(acceptor, selector, metrics, ready);
        endpoint.thread.start();
        return endpoint;
    }

    /**
     * @return the port bound (useful with port 0).
     */
    public int port()
    {
        return acceptor.socket().getLocalPort();
    }

    /**
     * @return connections closed without a response: timed out, too long a head, or the oldest closed to admit a new
     * one past {@link #MAX_CONNECTIONS}.
     */
    public long connectionsShed()
    {
        return connectionsShed;
    }

    @Override
    public void close()
    {
        running = false;
        selector.wakeup();
        try
        {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        closeQuietly(acceptor);
        closeQuietly(selector);
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

    private void run()
    {
        while (running)
        {
            try
            {
                selector.select(REQUEST_TIMEOUT_MS / 4);
                final Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext())
                {
                    final SelectionKey key = keys.next();
                    keys.remove();
                    if (!key.isValid())
                    {
                        continue;
                    }
                    if (key.isAcceptable())
                    {
                        accept();
                    }
                    else
                    {
                        final Connection connection = (Connection)key.attachment();
                        if (key.isReadable())
                        {
                            read(connection);
                        }
                        else if (key.isWritable())
                        {
                            write(connection);
                        }
                    }
                }
                expire(System.nanoTime());
            }
            catch (final IOException | RuntimeException ex)
            {
                if (running)
                {
                    System.err.println("orrery: status endpoint: " + ex);
                }
            }
        }
        while (!connections.isEmpty())
        {
            connections.poll().close();
        }
    }

    private void accept() throws IOException
    {
        final SocketChannel channel = acceptor.accept();
        if (null == channel)
        {
            return;
        }
        if (connections.size() >= MAX_CONNECTIONS)
        {
            connections.poll().close();
            connectionsShed++;
        }
        channel.configureBlocking(false);
        final Connection connection = new Connection(channel, System.nanoTime() +
            TimeUnit.MILLISECONDS.toNanos(REQUEST_TIMEOUT_MS));
        connection.key = channel.register(selector, SelectionKey.OP_READ, connection);
        connections.add(connection);
    }

    private void read(final Connection connection)
    {
        try
        {
            final int read = connection.channel.read(connection.in);
            if (read < 0)
            {
                remove(connection);
                return;
            }
            final int headEnd = headEnd(connection.in);
            if (headEnd >= 0)
            {
                respond(connection, headEnd);
            }
            else if (!connection.in.hasRemaining())
            {
                connectionsShed++;
                connection.out = response(431, TEXT, "request head too large\n", false);
                startWriting(connection);
            }
        }
        catch (final IOException ex)
        {
            remove(connection);
        }
    }

    private void respond(final Connection connection, final int headEnd)
    {
        final String head = new String(connection.in.array(), 0, headEnd, StandardCharsets.ISO_8859_1);
        final int lineEnd = head.indexOf("\r\n");
        final String[] requestLine = (lineEnd < 0 ? head : head.substring(0, lineEnd)).split(" ");
        if (requestLine.length != 3 || !requestLine[2].startsWith("HTTP/"))
        {
            connection.out = response(400, TEXT, "bad request\n", false);
        }
        else
        {
            final String method = requestLine[0];
            final int query = requestLine[1].indexOf('?');
            final String path = query < 0 ? requestLine[1] : requestLine[1].substring(0, query);
            final boolean head0 = "HEAD".equals(method);
            if (!"GET".equals(method) && !head0)
            {
                connection.out = response(405, TEXT, "", true);
            }
            else
            {
                connection.out = route(path, head0);
            }
        }
        startWriting(connection);
    }

    private ByteBuffer route(final String path, final boolean headOnly)
    {
        try
        {
            switch (path)
            {
                case "/metrics":
                    return response(200, PrometheusWriter.CONTENT_TYPE, metrics.get(), headOnly);
                case "/ready":
                    final boolean isReady = ready.getAsBoolean();
                    return response(isReady ? 200 : 503, TEXT, isReady ? "ready\n" : "not ready\n", headOnly);
                case "/health":
                    return response(200, TEXT, "ok\n", headOnly);
                default:
                    return response(404, TEXT, "not found\n", headOnly);
            }
        }
        catch (final RuntimeException ex)
        {
            return response(500, TEXT, "error: " + ex + "\n", headOnly);
        }
    }

    private void startWriting(final Connection connection)
    {
        connection.key.interestOps(SelectionKey.OP_WRITE);
        write(connection);
    }

    private void write(final Connection connection)
    {
        try
        {
            connection.channel.write(connection.out);
            if (!connection.out.hasRemaining())
            {
                remove(connection);
            }
        }
        catch (final IOException ex)
        {
            remove(connection);
        }
    }

    private void expire(final long nowNs)
    {
        final Iterator<Connection> it = connections.iterator();
        while (it.hasNext())
        {
            final Connection connection = it.next();
            if (nowNs - connection.deadlineNs > 0)
            {
                it.remove();
                connection.close();
                connectionsShed++;
            }
        }
    }

    private void remove(final Connection connection)
    {
        connections.remove(connection);
        connection.close();
    }

    /**
     * @return the length of the request head up to its blank line, or -1 if it has not all arrived.
     */
    static int headEnd(final ByteBuffer in)
    {
        final byte[] bytes = in.array();
        for (int i = 3, limit = in.position(); i < limit; i++)
        {
            if ('\n' == bytes[i] && '\r' == bytes[i - 1] && '\n' == bytes[i - 2] && '\r' == bytes[i - 3])
            {
                return i - 3;
            }
        }
        return -1;
    }

    private static ByteBuffer response(final int status, final String contentType, final String body,
        final boolean headOnly)
    {
        final byte[] content = body.getBytes(StandardCharsets.UTF_8);
        final String head = "HTTP/1.1 " + status + ' ' + reason(status) + "\r\n" +
            "Content-Type: " + contentType + "\r\n" +
            "Content-Length: " + content.length + "\r\n" +
            "Connection: close\r\n\r\n";
        final byte[] headBytes = head.getBytes(StandardCharsets.ISO_8859_1);
        final ByteBuffer out = ByteBuffer.allocate(headBytes.length + (headOnly ? 0 : content.length));
        out.put(headBytes);
        if (!headOnly)
        {
            out.put(content);
        }
        return out.flip();
    }

    private static String reason(final int status)
    {
        switch (status)
        {
            case 200: return "OK";
            case 400: return "Bad Request";
            case 404: return "Not Found";
            case 405: return "Method Not Allowed";
            case 431: return "Request Header Fields Too Large";
            case 503: return "Service Unavailable";
            default: return "Internal Server Error";
        }
    }

    private static void closeQuietly(final AutoCloseable closeable)
    {
        if (null != closeable)
        {
            try
            {
                closeable.close();
            }
            catch (final Exception ignore)
            {
                // closing anyway
            }
        }
    }

    private static final class Connection
    {
        final SocketChannel channel;
        final long deadlineNs;
        final ByteBuffer in = ByteBuffer.allocate(MAX_REQUEST_HEAD_BYTES);
        SelectionKey key;
        ByteBuffer out;

        Connection(final SocketChannel channel, final long deadlineNs)
        {
            this.channel = channel;
            this.deadlineNs = deadlineNs;
        }

        void close()
        {
            closeQuietly(channel);
        }
    }
}
