/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers;

import io.aeron.driver.MediaDriver;
import io.orrery.test.ChildJvm;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every process real, on one external media driver over IPC: {@code ReplicationLayerServer --atlas-channel},
 * {@code AtlasServer} and a {@code GameServer}. The layer and Atlas authenticate each other (one secret, given to each
 * process), the game server is granted its territory through Atlas; Atlas's process is killed: the layer reports it
 * silent within its threshold and keeps the game server; a new Atlas process is authenticated, heard again, and gets
 * the layer's state resent.
 */
@Tag("system")
class AtlasServerProcessTest
{
    private static final List<String> CHILD_OPTIONS =
        List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
    /**
     * The game server gives the layer 5 s of silence, not the default 1 s, before it counts the layer lost: on a
     * loaded 2-core box the server's own process was once starved for that long (ticks of 540 ms, 37 skipped), and
     * what this test checks is that Atlas's death costs the layer none of its game servers.
     */
    private static final List<String> SERVER_OPTIONS = List.of(
        "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dorrery.server.layer.timeout.ms=5000");
    private static final String READY = "orrery_atlas_ready{atlas_member=\"standby\"}";
    private static final String SECRET = "--token-secret=atlas-process-test-secret-0123456789";
    private static final String CHANNEL = "--atlas-channel=aeron:ipc?term-length=1m";
    private static final Pattern ENTITIES = Pattern.compile(".*game server 1: .* entities [1-9].*");

    @Test
    @Timeout(180)
    void shouldReportASilentAtlasProcessAndResyncAFreshOne() throws Exception
    {
        final File dir = Files.createTempDirectory("orrery-atlas-process").toFile();
        final MediaDriver driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(new File(dir, "aeron").getAbsolutePath())
            .threadingMode(io.aeron.driver.ThreadingMode.SHARED)
            // Aeron's default: a child's Aeron client closes itself when its conductor has not run for this long (the
            // layer exited with "service interval exceeded: timeout=2s, interval=2209415643ns" on a loaded box)
            .clientLivenessTimeoutNs(TimeUnit.SECONDS.toNanos(10))
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        final String aeronDir = "--aeron-dir=" + driver.aeronDirectoryName();
        final List<String> layerOutput = Collections.synchronizedList(new ArrayList<>());
        final List<String> atlasOutput = Collections.synchronizedList(new ArrayList<>());
        final List<String> serverOutput = Collections.synchronizedList(new ArrayList<>());
        Process layer = null;
        Process atlas = null;
        Process server = null;
        try
        {
            // Atlas first, with --status-address: no layer yet, not ready; ready once the layer resent its state
            atlas = ChildJvm.start(atlasOutput, CHILD_OPTIONS, AtlasServer.class.getName(), SECRET, aeronDir,
                "--shard=two-servers", CHANNEL, "--status-address=127.0.0.1:0");
            ChildJvm.awaitLines(atlas, atlasOutput, "atlas up", 1);
            final int statusPort = StatusScrape.port(atlas, atlasOutput);
            StatusScrape.awaitNotServing(statusPort, READY, 10);
            layer = ChildJvm.start(layerOutput, CHILD_OPTIONS, ReplicationLayerServer.class.getName(), SECRET,
                aeronDir, "--shard=two-servers", CHANNEL, "--atlas-silence-ms=1000", "--report-interval-s=60");
            ChildJvm.awaitLines(layer, layerOutput, "replication layer up", 1);
            ChildJvm.awaitLines(layer, layerOutput, "Atlas link (layer): resent the layer's state", 1);
            ChildJvm.awaitLines(atlas, atlasOutput, "Atlas link (atlas): Aeron session", 1);
            final String servingMetrics = StatusScrape.awaitServing(statusPort, READY, 30);
            assertTrue(servingMetrics.contains("orrery_atlas_layer_sessions_total{atlas_member=\"standby\"} 1"),
                servingMetrics);
            assertEquals(1, ChildJvm.occurrences(layerOutput, "authenticated and accepted"), layerOutput.toString());
            assertEquals(0, ChildJvm.occurrences(atlasOutput, "failed:"), atlasOutput.toString());

            server = ChildJvm.start(serverOutput, SERVER_OPTIONS, GameServer.class.getName(), SECRET, aeronDir,
                "--server-id=1", "--npcs=3", "--report-interval=200ms", "--layer-grace=60s");
            ChildJvm.awaitLines(server, serverOutput, "welcomed", 1);
            awaitMatch(serverOutput, ENTITIES, "the game server granted its territory (its NPCs spawned)");

            // Atlas's process dies: the layer reports it silent (one line) and keeps its game server
            final int silentBefore = ChildJvm.occurrences(layerOutput, "Atlas SILENT");
            final int heardBefore = ChildJvm.occurrences(layerOutput, "Atlas heard again");
            atlas.destroyForcibly().waitFor();
            final long killedNs = System.nanoTime();
            ChildJvm.awaitLines(layer, layerOutput, "Atlas SILENT", silentBefore + 1);
            final long reportedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedNs);
            assertTrue(reportedMs < 10_000, "reported " + reportedMs + " ms after the kill");

            // a new Atlas process: authenticated, heard again, the layer's state resent to it
            atlas = ChildJvm.start(atlasOutput, CHILD_OPTIONS, AtlasServer.class.getName(), SECRET, aeronDir,
                "--shard=two-servers", CHANNEL);
            ChildJvm.awaitLines(layer, layerOutput, "Atlas heard again", heardBefore + 1);
            ChildJvm.awaitLines(layer, layerOutput, "Atlas link (layer): resent the layer's state", 2);
            assertEquals(2, ChildJvm.occurrences(layerOutput, "authenticated and accepted"), layerOutput.toString());
            assertEquals(0, ChildJvm.occurrences(layerOutput, "failed:"), layerOutput.toString());
            assertTrue(server.isAlive(), "the game server kept running: " + serverOutput);
            assertEquals(0, ChildJvm.occurrences(serverOutput, "layer lost"), serverOutput.toString());
            System.out.println("atlas process killed: silence reported after " + reportedMs + " ms");
        }
        finally
        {
            ChildJvm.destroy(server);
            ChildJvm.destroy(atlas);
            ChildJvm.destroy(layer);
            CloseHelper.quietClose(driver);
            IoUtil.delete(dir, true);
        }
    }

    private static void awaitMatch(final List<String> output, final Pattern pattern, final String what)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline)
        {
            synchronized (output)
            {
                for (final String line : output)
                {
                    if (pattern.matcher(line).matches())
                    {
                        return;
                    }
                }
            }
            try
            {
                Thread.sleep(50);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
        fail("timed out waiting for " + what + ": " + output);
    }
}
