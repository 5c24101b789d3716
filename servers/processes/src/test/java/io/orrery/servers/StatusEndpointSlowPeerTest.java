/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The status endpoint is reachable by anyone who can reach its port, before any authentication: peers that open
 * connections and never finish their request (a "slowloris"), more of them than it keeps, must not stop it from
 * answering a supervisor's probes (with the JDK's HttpServer on one executor thread, four such peers did); they are
 * closed after the request timeout, and a request head longer than it takes is refused, not buffered.
 */
class StatusEndpointSlowPeerTest
{
    @Test
    @Timeout(60)
    void shouldAnswerHealthProbesWhilePeersHoldUnfinishedRequests() throws Exception
    {
        final List<Socket> slow = new ArrayList<>();
        try (StatusEndpoint status = StatusEndpoint.start("127.0.0.1:0", () -> "", () -> true))
        {
            for (int i = 0; i < StatusEndpoint.MAX_CONNECTIONS + 16; i++)
            {
                final Socket socket = new Socket();
                socket.connect(new InetSocketAddress("127.0.0.1", status.port()), 5_000);
                final OutputStream out = socket.getOutputStream();
                out.write("GET /health HTTP/1.1\r\nHost: slow\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                slow.add(socket);
            }
            for (int probe = 0; probe < 3; probe++)
            {
                assertEquals(200, get(status.port(), "/health"), "probe " + probe);
            }
            assertEquals(404, get(status.port(), "/nothing"));

            // a peer that stays connected without finishing its request gets its connection closed
            final Socket last = slow.get(slow.size() - 1);
            last.setSoTimeout(30_000);
            final InputStream in = last.getInputStream();
            int read;
            do
            {
                read = in.read();
            }
            while (read >= 0);
            assertTrue(status.connectionsShed() >= 16 + 1, String.valueOf(status.connectionsShed()));

            // and a head longer than the endpoint takes is answered 431, not buffered
            try (Socket longHead = new Socket("127.0.0.1", status.port()))
            {
                longHead.setSoTimeout(30_000);
                final byte[] filler = new byte[StatusEndpoint.MAX_REQUEST_HEAD_BYTES];
                java.util.Arrays.fill(filler, (byte)'a');
                longHead.getOutputStream().write("GET /health HTTP/1.1\r\nX: ".getBytes(StandardCharsets.US_ASCII));
                longHead.getOutputStream().write(filler);
                final String answer = new String(longHead.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                assertTrue(answer.startsWith("HTTP/1.1 431 "), answer);
            }
        }
        finally
        {
            for (final Socket socket : slow)
            {
                socket.close();
            }
        }
    }

    private static int get(final int port, final String path) throws IOException
    {
        final HttpURLConnection connection = (HttpURLConnection)new URL("http://127.0.0.1:" + port + path)
            .openConnection();
        connection.setConnectTimeout(5_000);
        connection.setReadTimeout(30_000);
        try
        {
            return connection.getResponseCode();
        }
        finally
        {
            connection.disconnect();
        }
    }
}
