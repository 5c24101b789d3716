/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.status;

import io.aeron.driver.MediaDriver;
import io.orrery.core.ReplicationLayer;
import io.orrery.core.ThreadingMode;
import io.orrery.core.server.ServerLink;
import io.orrery.link.DriverLoss;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.nio.file.Files;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An external media driver that goes away: the layer stops its agents before the Aeron client unmaps the driver's
 * files (agents writing counters into an unmapped file crashed the JVM with SIGSEGV) and calls its driver-loss
 * handler; a game server's link calls its own.
 */
class DriverLossTest
{
    @Test
    @Timeout(60)
    void shouldStopTheLayersAgentsAndReportWhenTheExternalDriverGoesAway() throws Exception
    {
        final File dir = Files.createTempDirectory("orrery-driver-loss").toFile();
        final MediaDriver driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(new File(dir, "aeron").getAbsolutePath())
            .threadingMode(io.aeron.driver.ThreadingMode.SHARED)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        final CountDownLatch layerLost = new CountDownLatch(1);
        final CountDownLatch serverLost = new CountDownLatch(1);
        final AtomicReference<Throwable> layerCause = new AtomicReference<>();
        final AtomicBoolean agentsAliveAtLoss = new AtomicBoolean(true);
        ReplicationLayer layer = null;
        ServerLink link = null;
        try
        {
            layer = ReplicationLayer.launch(new ReplicationLayer.Context()
                .aeronDirectoryName(driver.aeronDirectoryName())
                .threadingMode(ThreadingMode.SHARED)
                .driverTimeoutMs(2000)
                .driverLossHandler((aeronDir, cause) ->
                {
                    layerCause.set(cause);
                    agentsAliveAtLoss.set(isAgentThreadAlive());
                    layerLost.countDown();
                }));
            link = ServerLink.launch(new ServerLink.Context()
                .aeronDirectoryName(driver.aeronDirectoryName())
                .serverId(1)
                .token(new byte[48])
                .driverLossHandler((aeronDir, cause) -> serverLost.countDown()));
            assertTrue(isAgentThreadAlive(), "the layer's agents run");

            driver.close();

            assertTrue(layerLost.await(30, TimeUnit.SECONDS), "the layer reported the driver's loss");
            assertTrue(DriverLoss.isDriverLoss(layerCause.get()), String.valueOf(layerCause.get()));
            assertFalse(agentsAliveAtLoss.get(), "agents stopped before the handler ran");
            assertTrue(serverLost.await(30, TimeUnit.SECONDS), "the server link reported the driver's loss");
        }
        finally
        {
            CloseHelper.quietClose(link);
            CloseHelper.quietClose(layer);
            CloseHelper.quietClose(driver);
            IoUtil.delete(dir, true);
        }
    }

    private static boolean isAgentThreadAlive()
    {
        for (final Thread thread : Thread.getAllStackTraces().keySet())
        {
            if (thread.getName().contains("orrery-replicant") && thread.isAlive())
            {
                return true;
            }
        }
        return false;
    }
}
