/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers;

import io.aeron.driver.MediaDriver;
import io.orrery.link.DriverLoss;
import io.orrery.test.ChildJvm;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real processes on an external media driver that goes away: the layer and a game server each stop and exit with
 * {@link DriverLoss#EXIT_CODE} and one clear line, instead of the layer dying of SIGSEGV in the unmapped counters
 * file (exit 134) and the game server exiting 255 through Aeron's default handler.
 */
class DriverLossProcessTest
{
    private static final List<String> CHILD_OPTIONS =
        List.of("-Xmx256m", "-Daeron.driver.timeout=2000", "-Dorrery.driver.timeout.ms=2000");

    @Test
    @Timeout(120)
    void shouldExitWithTheDriverLossCodeWhenTheExternalDriverGoesAway() throws Exception
    {
        final File dir = Files.createTempDirectory("orrery-driver-loss-process").toFile();
        final MediaDriver driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(new File(dir, "aeron").getAbsolutePath())
            .threadingMode(io.aeron.driver.ThreadingMode.SHARED)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        Process layer = null;
        Process server = null;
        try
        {
            final List<String> layerOutput = Collections.synchronizedList(new ArrayList<>());
            layer = ChildJvm.start(layerOutput, CHILD_OPTIONS, ReplicationLayerServer.class.getName(), "--dev",
                "--aeron-dir=" + driver.aeronDirectoryName(), "--shard=two-servers", "--report-interval-s=1");
            ChildJvm.awaitLines(layer, layerOutput, "replication layer up", 1);
            final List<String> serverOutput = Collections.synchronizedList(new ArrayList<>());
            server = ChildJvm.start(serverOutput, CHILD_OPTIONS, GameServer.class.getName(), "--dev", "--server-id=1",
                "--aeron-dir=" + driver.aeronDirectoryName(), "--report-interval=1s");
            ChildJvm.awaitLines(server, serverOutput, "welcomed", 1);

            driver.close();

            assertTrue(layer.waitFor(60, TimeUnit.SECONDS), "the layer exited: " + layerOutput);
            assertTrue(server.waitFor(60, TimeUnit.SECONDS), "the game server exited: " + serverOutput);
            assertEquals(DriverLoss.EXIT_CODE, layer.exitValue(), "layer exit code, output: " + layerOutput);
            assertEquals(DriverLoss.EXIT_CODE, server.exitValue(), "game server exit code, output: " + serverOutput);
            assertTrue(ChildJvm.occurrences(layerOutput, "media driver at") > 0, String.valueOf(layerOutput));
            assertTrue(ChildJvm.occurrences(serverOutput, "media driver at") > 0, String.valueOf(serverOutput));
        }
        finally
        {
            ChildJvm.destroy(server);
            ChildJvm.destroy(layer);
            CloseHelper.quietClose(driver);
            IoUtil.delete(dir, true);
        }
    }
}
