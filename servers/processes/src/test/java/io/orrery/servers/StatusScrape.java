/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers;

import io.orrery.test.ChildJvm;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Reads a role process's {@code --status-address=127.0.0.1:0} endpoint in process tests: the port it printed, the
 * text of {@code /metrics}, the status code of {@code /ready}, and {@code promtool check metrics} of the text (where
 * promtool is installed; required, so failing without it, where {@code ORRERY_REQUIRE_PROMTOOL=1}, as in CI).
 */
final class StatusScrape
{
    private static final Pattern STATUS_PORT = Pattern.compile("status on http://127\\.0\\.0\\.1:(\\d+)/metrics");

    private StatusScrape()
    {
    }

    /**
     * @return the port the process printed ({@code ... status on http://127.0.0.1:<port>/metrics}).
     */
    static int port(final Process process, final List<String> output) throws InterruptedException
    {
        ChildJvm.awaitLines(process, output, "status on http://127.0.0.1:", 1);
        synchronized (output)
        {
            for (final String line : output)
            {
                final Matcher matcher = STATUS_PORT.matcher(line);
                if (matcher.find())
                {
                    return Integer.parseInt(matcher.group(1));
                }
            }
        }
        fail("no status port in " + output);
        return 0;
    }

    static int status(final int port, final String path) throws IOException
    {
        final HttpURLConnection connection = open(port, path);
        try
        {
            return connection.getResponseCode();
        }
        finally
        {
            connection.disconnect();
        }
    }

    static String get(final int port, final String path) throws IOException
    {
        final HttpURLConnection connection = open(port, path);
        try (InputStream in = connection.getInputStream())
        {
            assertEquals(200, connection.getResponseCode());
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        finally
        {
            connection.disconnect();
        }
    }

    /**
     * Wait until {@code /ready} answers {@code code} (the process's state changes asynchronously to the test's).
     */
    static void awaitReady(final int port, final int code, final long timeoutS) throws Exception
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutS);
        int last = -1;
        while (System.nanoTime() - deadlineNs < 0)
        {
            last = status(port, "/ready");
            if (code == last)
            {
                return;
            }
            Thread.sleep(50);
        }
        fail("/ready answered " + last + ", not " + code + ", within " + timeoutS + " s");
    }

    /**
     * Wait until the process serves: {@code /ready} 200, {@code readySample} at 1 in {@code /metrics}, {@code /health}
     * 200, and the text passes promtool.
     *
     * @return the text of {@code /metrics}.
     */
    static String awaitServing(final int port, final String readySample, final long timeoutS) throws Exception
    {
        return awaitState(port, readySample, true, timeoutS);
    }

    /**
     * Wait until the process says it does not serve, while it runs: {@code /ready} 503, {@code readySample} at 0 in
     * {@code /metrics}, {@code /health} 200, and the text passes promtool.
     *
     * @return the text of {@code /metrics}.
     */
    static String awaitNotServing(final int port, final String readySample, final long timeoutS) throws Exception
    {
        return awaitState(port, readySample, false, timeoutS);
    }

    private static String awaitState(final int port, final String readySample, final boolean ready, final long timeoutS)
        throws Exception
    {
        awaitReady(port, ready ? 200 : 503, timeoutS);
        final String text = get(port, "/metrics");
        assertTrue(text.contains(readySample + (ready ? " 1\n" : " 0\n")), text);
        assertEquals(200, status(port, "/health"));
        checkWithPromtool(text);
        return text;
    }

    static void checkWithPromtool(final String text) throws Exception
    {
        final File promtool = new File("/usr/bin/promtool");
        if (!promtool.canExecute())
        {
            if ("1".equals(System.getenv("ORRERY_REQUIRE_PROMTOOL")))
            {
                fail("promtool required (ORRERY_REQUIRE_PROMTOOL=1) but not found; .ci/run installs Debian's " +
                    "prometheus package");
            }
            System.out.println("promtool not installed: text not checked by it");
            return;
        }
        final File file = Files.createTempFile("orrery-metrics", ".txt").toFile();
        try
        {
            Files.writeString(file.toPath(), text, StandardCharsets.UTF_8);
            final Process process = new ProcessBuilder(promtool.getPath(), "check", "metrics")
                .redirectInput(file).redirectErrorStream(true).start();
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "promtool finished");
            final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, process.exitValue(), "promtool check metrics: " + output + "\n" + text);
        }
        finally
        {
            Files.deleteIfExists(file.toPath());
        }
    }

    private static HttpURLConnection open(final int port, final String path) throws IOException
    {
        final HttpURLConnection connection =
            (HttpURLConnection)URI.create("http://127.0.0.1:" + port + path).toURL().openConnection();
        connection.setConnectTimeout(5_000);
        connection.setReadTimeout(30_000);
        return connection;
    }
}
