/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers;

import io.aeron.driver.MediaDriver;
import io.orrery.core.ReplicationLayer;
import io.orrery.core.ThreadingMode;
import io.orrery.core.authority.ScriptedAuthority;
import io.orrery.core.replicant.bridge.ReplicantBridgeSettings;
import io.orrery.core.status.OrreryCounter;
import io.orrery.link.DriverLoss;
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
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What an operator sees of a real {@link ReplicantServer} process on an external media driver, IPC: its status line
 * says UNLINKED (and what to check) while no layer is up, linked with its sessions once the layer's bridge (a layer in
 * the test's JVM on its own threads) proved it, and the layer's report line and counters say the same; when the layer
 * goes the process says so and its status turns UNLINKED again; when its media driver goes it exits with
 * {@link DriverLoss#EXIT_CODE} after one line naming the driver.
 */
@Tag("system")
class ReplicantServerStatusProcessTest
{
    private static final String SECRET_TEXT = "replicant-status-test-secret-0123456789";
    private static final byte[] SECRET = SECRET_TEXT.getBytes(StandardCharsets.UTF_8);
    private static final List<String> CHILD_OPTIONS = List.of("-Xmx256m", "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1", "-Daeron.driver.timeout=2000", "-Dorrery.driver.timeout.ms=2000",
        "-Dorrery.replicants=2", "-Dorrery.replicant.boundaries.m=0", "-Dorrery.max.entities=4096",
        "-Dorrery.max.view.entities=512");
    private static final List<String> WITH_LINK_SECRET =
        List.of("env", ReplicantBridgeSettings.LINK_SECRET_ENV + "=" + SECRET_TEXT);

    @Test
    @Timeout(180)
    void shouldReportUnlinkedLinkedUnlinkedAndExitWhenItsDriverGoes() throws Exception
    {
        final File dir = Files.createTempDirectory("orrery-replicant-status").toFile();
        final MediaDriver driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(new File(dir, "aeron").getAbsolutePath())
            .threadingMode(io.aeron.driver.ThreadingMode.SHARED)
            .clientLivenessTimeoutNs(TimeUnit.SECONDS.toNanos(2))
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        final List<String> output = Collections.synchronizedList(new ArrayList<>());
        Process replicant = null;
        ReplicationLayer layer = null;
        try
        {
            replicant = ChildJvm.startWithPrefix(WITH_LINK_SECRET, output, CHILD_OPTIONS,
                ReplicantServer.class.getName(), "--replicant-id=1", "--layer-channel=aeron:ipc",
                "--feed-channel=aeron:ipc", "--feed-stream=7362", "--max-sessions=64", "--report-interval-s=1",
                "--aeron-dir=" + driver.aeronDirectoryName());
            ChildJvm.awaitLines(replicant, output, "replicant 1: UNLINKED for", 1);

            final ReplicationLayer.Context ctx = new ReplicationLayer.Context()
                .threadingMode(ThreadingMode.SHARED)
                .aeronDirectoryName(driver.aeronDirectoryName())
                .tokenSecret(SECRET)
                .authority(new ScriptedAuthority(new ScriptedAuthority.Settings().npcCount(0).shipCount(0)))
                .maxSessions(64)
                .maxEntities(4096)
                .maxViewEntities(512);
            ctx.replicant().replicants(2).replicantBoundariesM(0);
            ctx.replicantBridge().remoteIds(1).channel("aeron:ipc").linkSecret(SECRET);
            layer = ReplicationLayer.launch(ctx);
            ChildJvm.awaitLines(replicant, output, "replicant 1: linked for", 1);
            final ReplicationLayer running = layer;
            awaitTrue(() -> 1 == running.counter(OrreryCounter.REPLICANT_BRIDGES_LINKED), "the bridge linked");
            final StringBuilder line = new StringBuilder();
            ReplicationLayerServer.appendBridges(layer, line);
            assertTrue(line.toString().startsWith(" replicant_1=linked"), line.toString());

            CloseHelper.quietClose(layer);
            layer = null;
            ChildJvm.awaitLines(replicant, output, "unlinked (the layer's feed image is gone)", 1);
            final int unlinkedBefore = ChildJvm.occurrences(output, "replicant 1: UNLINKED for");
            ChildJvm.awaitLines(replicant, output, "replicant 1: UNLINKED for", unlinkedBefore + 1);

            driver.close();
            assertTrue(replicant.waitFor(60, TimeUnit.SECONDS), "the Replicant exited: " + output);
            assertEquals(DriverLoss.EXIT_CODE, replicant.exitValue(), "exit code, output: " + output);
            assertTrue(ChildJvm.occurrences(output, "media driver at") > 0, String.valueOf(output));
            System.out.println("replicant process output: " + String.join("\n", output));
        }
        finally
        {
            CloseHelper.quietClose(layer);
            ChildJvm.destroy(replicant);
            CloseHelper.quietClose(driver);
            IoUtil.delete(dir, true);
        }
    }

    private static void awaitTrue(final java.util.function.BooleanSupplier condition, final String what)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                fail("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }
}
