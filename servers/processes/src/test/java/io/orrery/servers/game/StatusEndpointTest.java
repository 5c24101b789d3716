/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers.game;

import io.orrery.core.status.LayerMetrics;
import io.orrery.servers.GameServerMetrics;
import io.orrery.servers.StatusEndpoint;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The status endpoint of the real processes: /metrics, /ready and /health over HTTP, the exposition clean under
 * {@code promtool check metrics} (required where {@code ORRERY_REQUIRE_PROMTOOL=1}, as in CI), and every metric the
 * shipped Grafana dashboard queries present in what the layer or a game server exports.
 */
class StatusEndpointTest
{
    private static final String TWO_SERVERS = String.join("\n",
        "servers 1,2",
        "territory 1 server 1 box -inf -inf -inf 0 inf inf",
        "territory 2 server 2 box 0 -inf -inf inf inf inf",
        "view-margin 50",
        "heartbeat-timeout 60000",
        "handoff-timeout 60000",
        "spawn -5 0 0 1",
        "");
    private static final Path DASHBOARD = Path.of("src/main/resources/grafana/orrery-shard.json");

    private static WorldSettings world()
    {
        return new WorldSettings().npcsPerTerritory(10).npcSpawnGraceNs(0).worldHalfExtentM(60).seed(7);
    }

    @Test
    void shouldServeMetricsReadinessAndHealthOverHttp() throws IOException
    {
        try (MeshRig rig = new MeshRig(TWO_SERVERS))
        {
            final GameServerAgent one = rig.addServer(1, world());
            rig.await(() -> GameServerAgent.STATE_RUNNING == one.state(), "server welcomed");
            final LayerMetrics layerMetrics = new LayerMetrics(rig.layer);
            final GameServerMetrics serverMetrics = new GameServerMetrics(one, 1);
            final AtomicBoolean ready = new AtomicBoolean(false);
            rig.ticks(30);
            try (StatusEndpoint layerStatus = StatusEndpoint.start(
                    "127.0.0.1:0", () -> layerMetrics.render(ready.get()), ready::get);
                StatusEndpoint serverStatus = StatusEndpoint.start(
                    "127.0.0.1:0", serverMetrics::render, serverMetrics::isReady))
            {
                assertEquals(503, get(layerStatus.port(), "/ready").status, "not ready before it serves");
                ready.set(true);
                assertEquals(200, get(layerStatus.port(), "/ready").status);
                assertEquals(200, get(layerStatus.port(), "/health").status);
                final Response metrics = get(layerStatus.port(), "/metrics");
                assertEquals(200, metrics.status);
                assertTrue(metrics.contentType.startsWith("text/plain; version=0.0.4"), metrics.contentType);
                assertTrue(metrics.body.contains("orrery_servers_connected{shard=\"orrery\"} 1"), metrics.body);
                assertTrue(metrics.body.contains("# TYPE orrery_ticks_total counter"), metrics.body);
                assertTrue(metrics.body.contains("orrery_replicant_tick_duration_seconds_count{shard=\"orrery\"}"));

                assertEquals(200, get(serverStatus.port(), "/ready").status, "a welcomed server is ready");
                final Response serverText = get(serverStatus.port(), "/metrics");
                assertTrue(serverText.body.contains("orrery_game_server_state{server=\"1\",state=\"running\"} 1"),
                    serverText.body);
                assertTrue(serverText.body.contains("orrery_game_server_tick_duration_seconds_bucket{server=\"1\","));
            }
        }
    }

    @Test
    void shouldPassPromtoolCheckForTheLayerAndAGameServer() throws Exception
    {
        final File promtool = promtool();
        if (null == promtool)
        {
            if ("1".equals(System.getenv("ORRERY_REQUIRE_PROMTOOL")))
            {
                fail("promtool required (ORRERY_REQUIRE_PROMTOOL=1) but not found; .ci/run installs Debian's " +
                    "prometheus package");
            }
            Assumptions.abort("promtool not installed (Debian package prometheus)");
        }
        try (MeshRig rig = new MeshRig(TWO_SERVERS))
        {
            final GameServerAgent one = rig.addServer(1, world());
            rig.await(() -> GameServerAgent.STATE_RUNNING == one.state(), "server welcomed");
            rig.ticks(30);
            assertPromtoolClean(promtool, new LayerMetrics(rig.layer).render(true));
            assertPromtoolClean(promtool, new GameServerMetrics(one, 1).render());
        }
    }

    @Test
    void shouldExportEveryMetricTheGrafanaDashboardQueries() throws IOException
    {
        final String dashboard = Files.readString(DASHBOARD, StandardCharsets.UTF_8);
        final TreeSet<String> queried = new TreeSet<>();
        final Matcher expr = Pattern.compile("\"expr\": \"((?:[^\"\\\\]|\\\\.)*)\"").matcher(dashboard);
        while (expr.find())
        {
            final Matcher name = Pattern.compile("\\b((?:orrery|process|jvm)_[a-z0-9_]+)").matcher(expr.group(1));
            while (name.find())
            {
                queried.add(name.group(1).replaceAll("_(bucket|sum|count)$", ""));
            }
        }
        assertTrue(queried.size() >= 20, "the dashboard queries " + queried);

        try (MeshRig rig = new MeshRig(TWO_SERVERS))
        {
            final GameServerAgent one = rig.addServer(1, world());
            rig.await(() -> GameServerAgent.STATE_RUNNING == one.state(), "server welcomed");
            final String exported = new LayerMetrics(rig.layer).render(true) + new GameServerMetrics(one, 1).render();
            for (final String metric : queried)
            {
                assertTrue(exported.contains("# TYPE " + metric + " "), "dashboard queries " + metric +
                    ", which neither the layer nor a game server exports");
            }
        }
    }

    private static void assertPromtoolClean(final File promtool, final String exposition) throws Exception
    {
        final Process process = new ProcessBuilder(promtool.getPath(), "check", "metrics")
            .redirectErrorStream(true).start();
        try (OutputStream in = process.getOutputStream())
        {
            in.write(exposition.getBytes(StandardCharsets.UTF_8));
        }
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "promtool finished");
        assertEquals(0, process.exitValue(), "promtool check metrics:\n" + output);
        assertEquals("", output.trim(), "promtool lint findings:\n" + output);
    }

    private static File promtool()
    {
        for (final String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator))
        {
            final File candidate = new File(dir, "promtool");
            if (candidate.canExecute())
            {
                return candidate;
            }
        }
        return null;
    }

    private static final class Response
    {
        final int status;
        final String contentType;
        final String body;

        Response(final int status, final String contentType, final String body)
        {
            this.status = status;
            this.contentType = contentType;
            this.body = body;
        }
    }

    private static Response get(final int port, final String path) throws IOException
    {
        final HttpURLConnection connection =
            (HttpURLConnection)URI.create("http://127.0.0.1:" + port + path).toURL().openConnection();
        connection.setConnectTimeout(10_000);
        connection.setReadTimeout(10_000);
        final int status = connection.getResponseCode();
        final InputStream stream = status < 400 ? connection.getInputStream() : connection.getErrorStream();
        final String body = null == stream ? "" : new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        final String contentType = String.valueOf(connection.getContentType());
        connection.disconnect();
        return new Response(status, contentType, body);
    }
}
