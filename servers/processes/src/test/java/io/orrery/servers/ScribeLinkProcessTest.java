/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers;

import io.aeron.driver.MediaDriver;
import io.orrery.test.ChildJvm;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every process real: {@code ReplicationLayerServer --scribe-link} persisting its scripted world through a
 * {@link ScribeServer} on RocksDB, over one external media driver. The Scribe process is SIGKILLed: the layer says so
 * and runs on; a new Scribe process on the same store is linked and gets what the layer kept; the layer is stopped
 * and started again and restores its world through the link.
 */
class ScribeLinkProcessTest
{
    private static final List<String> CHILD_OPTIONS =
        List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
    private static final List<String> WITH_LINK_SECRET =
        List.of("env", ScribeServer.LINK_SECRET_ENV + "=scribe-link-process-test-secret-0123");
    private static final String TOKEN_SECRET = "--token-secret=scribe-link-process-test-token-0123456789";
    private static final String READY = "orrery_scribe_ready{scribe=\"scribe\"}";
    private static final String LINK = "aeron:ipc?term-length=4m";
    private static final Pattern RESTORED = Pattern.compile(".*Scribe process on .*, (\\d+) entities restored.*");

    @TempDir
    Path dir;

    @Test
    @Timeout(180)
    void shouldRunOnWhileItsScribeProcessIsKilledAndRestoreThroughTheNextOne() throws Exception
    {
        final MediaDriver driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(new File(dir.toFile(), "aeron").getAbsolutePath())
            .threadingMode(io.aeron.driver.ThreadingMode.SHARED)
            // Aeron's default, was 2 s: a starved child's Aeron client closes itself (exit 71, "service
            // interval exceeded") when its conductor has not run for this long; a killed child's
            // publications and subscriptions linger as long, which the waits below allow
            .clientLivenessTimeoutNs(TimeUnit.SECONDS.toNanos(10))
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        final String aeronDir = "--aeron-dir=" + driver.aeronDirectoryName();
        final String store = "--store=rocksdb:" + dir.resolve("store");
        final List<String> scribeOutput = Collections.synchronizedList(new ArrayList<>());
        final List<String> layerOutput = Collections.synchronizedList(new ArrayList<>());
        Process scribe = null;
        Process layer = null;
        try
        {
            scribe = ChildJvm.startWithPrefix(WITH_LINK_SECRET, scribeOutput, CHILD_OPTIONS,
                ScribeServer.class.getName(), store, "--channel=" + LINK, aeronDir, "--status-address=127.0.0.1:0");
            ChildJvm.awaitLines(scribe, scribeOutput, " up on ", 1);
            // no layer yet: up (/health) but not ready
            final int statusPort = StatusScrape.port(scribe, scribeOutput);
            final String unlinkedMetrics = StatusScrape.awaitNotServing(statusPort, READY, 10);
            assertTrue(unlinkedMetrics.contains("orrery_scribe_linked{scribe=\"scribe\"} 0"), unlinkedMetrics);
            layer = startLayer(layerOutput, aeronDir);
            ChildJvm.awaitLines(layer, layerOutput, "replication layer up", 1);
            assertEquals(0, restored(layerOutput), layerOutput.toString());
            ChildJvm.awaitLines(scribe, scribeOutput, "linked a layer", 1);
            final String linkedMetrics = StatusScrape.awaitServing(statusPort, READY, 30);
            assertTrue(linkedMetrics.contains("orrery_scribe_links_total{scribe=\"scribe\"} 1"), linkedMetrics);
            assertTrue(linkedMetrics.contains("orrery_scribe_events_total{scribe=\"scribe\"} "), linkedMetrics);

            // the Scribe process dies: the layer says so once and runs on
            scribe.destroyForcibly().waitFor();
            ChildJvm.awaitLines(layer, layerOutput, "Scribe link orrery lost", 1);
            assertTrue(layer.isAlive(), layerOutput.toString());

            // a new one on the same store: linked, and it gets what the layer kept
            scribe = ChildJvm.startWithPrefix(WITH_LINK_SECRET, scribeOutput, CHILD_OPTIONS,
                ScribeServer.class.getName(), store, "--channel=" + LINK, aeronDir);
            ChildJvm.awaitLines(layer, layerOutput, "relinked; sending again", 1);
            ChildJvm.awaitLines(scribe, scribeOutput, "linked a layer", 2);

            // the layer stops (SIGTERM: drains through the link) and starts again: its world comes back through it
            layer.destroy();
            assertTrue(layer.waitFor(60, TimeUnit.SECONDS), layerOutput.toString());
            ChildJvm.awaitLines(scribe, scribeOutput, "lost its layer", 1);
            layerOutput.clear();
            layer = startLayer(layerOutput, aeronDir);
            ChildJvm.awaitLines(layer, layerOutput, "replication layer up", 1);
            final int restored = restored(layerOutput);
            System.out.println("layer restarted on a Scribe process: " + restored + " entities restored");
            assertTrue(restored > 0, layerOutput.toString());
            assertEquals(0, ChildJvm.occurrences(scribeOutput, "proof failed"), scribeOutput.toString());
        }
        finally
        {
            ChildJvm.destroy(layer);
            ChildJvm.destroy(scribe);
            CloseHelper.quietClose(driver);
        }
    }

    private static Process startLayer(final List<String> output, final String aeronDir) throws Exception
    {
        return ChildJvm.startWithPrefix(WITH_LINK_SECRET, output, CHILD_OPTIONS,
            ReplicationLayerServer.class.getName(), TOKEN_SECRET, aeronDir, "--scribe-link=" + LINK,
            "--ingress-channel=aeron:ipc?term-length=64k", "--report-interval-s=60");
    }

    private static int restored(final List<String> output)
    {
        synchronized (output)
        {
            for (final String line : output)
            {
                final Matcher matcher = RESTORED.matcher(line);
                if (matcher.matches())
                {
                    return Integer.parseInt(matcher.group(1));
                }
            }
        }
        return -1;
    }
}
