/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers;

import io.aeron.driver.MediaDriver;
import io.orrery.core.ReplicationLayer;
import io.orrery.core.ThreadingMode;
import io.orrery.core.authority.ScriptedAuthority;
import io.orrery.core.replicant.bridge.ReplicantBridge;
import io.orrery.core.replicant.bridge.ReplicantBridgeSettings;
import io.orrery.test.ChildJvm;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two real {@link ReplicantServer} processes started with one Replicant id (an operator's double start) against a
 * layer in the test's JVM (its own threads), one external media driver, IPC: the first links and its {@code /metrics}
 * and {@code /ready} say so; the second is refused (its output says another process holds its id, its status line
 * says REFUSED, its {@code /metrics} shows the refusal and {@code /ready} is 503) while the first keeps its link (no
 * loss at the layer); the first is SIGKILLed and the second links (its old image stays until the driver's client
 * timeout: the silence makes the layer lose it), and its {@code /metrics} and {@code /ready} turn linked. The
 * text passes {@code promtool check metrics} where promtool is installed.
 */
@Tag("system")
class ReplicantServerOneIdProcessTest
{
    private static final String SECRET_TEXT = "replicant-one-id-test-secret-0123456789";
    private static final byte[] SECRET = SECRET_TEXT.getBytes(StandardCharsets.UTF_8);
    private static final long TAKEOVER_AFTER_MS = 3000;
    private static final List<String> CHILD_OPTIONS = List.of("-Xmx256m", "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1", "-Dorrery.replicants=2", "-Dorrery.replicant.boundaries.m=0",
        "-Dorrery.max.entities=4096", "-Dorrery.max.view.entities=512");
    private static final List<String> WITH_LINK_SECRET =
        List.of("env", ReplicantBridgeSettings.LINK_SECRET_ENV + "=" + SECRET_TEXT);

    @Test
    @Timeout(240)
    void shouldRefuseASecondProcessWithTheSameIdAndLinkItWhenTheFirstIsKilled() throws Exception
    {
        final File dir = Files.createTempDirectory("orrery-replicant-one-id").toFile();
        final MediaDriver driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(new File(dir, "aeron").getAbsolutePath())
            .threadingMode(io.aeron.driver.ThreadingMode.SHARED)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        // the same command line twice, as a double start gives (the status port: any free one each)
        final String[] args = { "--replicant-id=1", "--layer-channel=aeron:ipc", "--feed-channel=aeron:ipc",
            "--feed-stream=7364", "--max-sessions=64", "--report-interval-s=1", "--status-address=127.0.0.1:0",
            "--aeron-dir=" + driver.aeronDirectoryName() };
        final List<String> output1 = Collections.synchronizedList(new ArrayList<>());
        final List<String> output2 = Collections.synchronizedList(new ArrayList<>());
        Process first = null;
        Process second = null;
        ReplicationLayer layer = null;
        try
        {
            final ReplicationLayer.Context ctx = new ReplicationLayer.Context()
                .threadingMode(ThreadingMode.SHARED)
                .aeronDirectoryName(driver.aeronDirectoryName())
                .tokenSecret(SECRET)
                .authority(new ScriptedAuthority(new ScriptedAuthority.Settings().npcCount(0).shipCount(0)))
                .maxSessions(64)
                .maxEntities(4096)
                .maxViewEntities(512);
            ctx.replicant().replicants(2).replicantBoundariesM(0);
            // the children's heartbeats on a loaded box: a takeover time above the default
            ctx.replicantBridge().remoteIds(1).channel("aeron:ipc").linkSecret(SECRET)
                .takeoverAfterMs(TAKEOVER_AFTER_MS).returnAfterMs(500);
            layer = ReplicationLayer.launch(ctx);
            final ReplicantBridge bridge = layer.bridges()[0];

            first = ChildJvm.startWithPrefix(WITH_LINK_SECRET, output1, CHILD_OPTIONS,
                ReplicantServer.class.getName(), args);
            ChildJvm.awaitLines(first, output1, "replicant 1: linked for", 1);
            final int firstPort = StatusScrape.port(first, output1);
            final String firstMetrics = StatusScrape.get(firstPort, "/metrics");
            assertTrue(firstMetrics.contains("orrery_replicant_ready{replicant=\"1\"} 1"), firstMetrics);
            assertTrue(firstMetrics.contains("orrery_remote_replicant_linked{replicant=\"1\"} 1"), firstMetrics);
            assertTrue(firstMetrics.contains("orrery_remote_replicant_links_total{replicant=\"1\"} 1"), firstMetrics);
            assertTrue(firstMetrics.contains("# TYPE orrery_remote_replicant_refused_total counter"), firstMetrics);
            assertTrue(firstMetrics.contains("process_cpu_seconds_total"), firstMetrics);
            StatusScrape.checkWithPromtool(firstMetrics);
            assertEquals(200, StatusScrape.status(firstPort, "/ready"));
            assertEquals(200, StatusScrape.status(firstPort, "/health"));

            second = ChildJvm.startWithPrefix(WITH_LINK_SECRET, output2, CHILD_OPTIONS,
                ReplicantServer.class.getName(), args);
            ChildJvm.awaitLines(second, output2,
                "REFUSED by the layer's bridge: another process holds replicant id 1", 1);
            ChildJvm.awaitLines(second, output2, "replicant 1: REFUSED for", 1);
            final int secondPort = StatusScrape.port(second, output2);
            final String refusedMetrics = StatusScrape.get(secondPort, "/metrics");
            assertTrue(refusedMetrics.contains("orrery_replicant_ready{replicant=\"1\"} 0"), refusedMetrics);
            assertTrue(refusedMetrics.contains("orrery_remote_replicant_refused_now{replicant=\"1\"} 1"),
                refusedMetrics);
            assertTrue(!refusedMetrics.contains("orrery_remote_replicant_refused_total{replicant=\"1\"} 0"),
                refusedMetrics);
            assertEquals(503, StatusScrape.status(secondPort, "/ready"));
            // a few of its hellos later, the first still holds the id
            final int refusedLines = ChildJvm.occurrences(output2, "replicant 1: REFUSED for");
            ChildJvm.awaitLines(second, output2, "replicant 1: REFUSED for", refusedLines + 2);
            assertEquals(0, bridge.linksLost(), "no turns taken: " + output2);
            assertEquals(1, bridge.handshakesProven());
            assertTrue(bridge.idHeldRefusals() > 0);
            assertEquals(0, ChildJvm.occurrences(output1, "unlinked"), "the first keeps its link: " + output1);

            final long killedNs = System.nanoTime();
            first.destroyForcibly().waitFor();
            ChildJvm.awaitLines(second, output2, "linked to the layer's bridge", 1);
            final long linkedAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedNs);
            ChildJvm.awaitLines(second, output2, "replicant 1: linked for", 1);
            final String linkedMetrics = StatusScrape.get(secondPort, "/metrics");
            assertTrue(linkedMetrics.contains("orrery_replicant_ready{replicant=\"1\"} 1"), linkedMetrics);
            assertTrue(linkedMetrics.contains("orrery_remote_replicant_refused_now{replicant=\"1\"} 0"),
                linkedMetrics);
            assertEquals(200, StatusScrape.status(secondPort, "/ready"));
            assertEquals(1, bridge.linksLost());
            assertEquals(2, bridge.handshakesProven());
            System.out.println("second process linked " + linkedAfterMs + " ms (wall) after the first's SIGKILL " +
                "(takeover " + TAKEOVER_AFTER_MS + " ms); refusals " + bridge.idHeldRefusals() + "; output " +
                String.join("\n", output2));
        }
        finally
        {
            CloseHelper.quietClose(layer);
            ChildJvm.destroy(first);
            ChildJvm.destroy(second);
            CloseHelper.quietClose(driver);
            IoUtil.delete(dir, true);
        }
    }
}
