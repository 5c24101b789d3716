/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.status;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.exceptions.AeronException;
import io.aeron.exceptions.ClientTimeoutException;
import io.orrery.core.ReplicationLayer;
import io.orrery.core.ThreadingMode;
import io.orrery.core.server.ServerLink;
import io.orrery.link.DriverLoss;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.NanoClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An external media driver that goes away: the layer stops its agents before the Aeron client unmaps the driver's
 * files (agents writing counters into an unmapped file crashed the JVM with SIGSEGV) and calls its driver-loss
 * handler; a game server's link calls its own. A driver that times this client out is the same end.
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

    /**
     * The driver times a client out that sent no keepalive within its client liveness (a process starved or paused
     * that long): Aeron 1.51's client then terminates its conductor and closes every resource, and never reconnects.
     * That is the same end as a lost driver for the process (its agents must stop before the client unmaps anything),
     * not an error to log and carry on from: the first such error goes to the driver-loss path, once.
     */
    @Test
    @Timeout(60)
    void shouldTreatTheDriverTimingThisClientOutAsDriverLoss() throws Exception
    {
        final File dir = Files.createTempDirectory("orrery-client-timeout").toFile();
        final MediaDriver driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(new File(dir, "aeron").getAbsolutePath())
            .threadingMode(io.aeron.driver.ThreadingMode.SHARED)
            .timerIntervalNs(TimeUnit.MILLISECONDS.toNanos(100))
            .clientLivenessTimeoutNs(TimeUnit.MILLISECONDS.toNanos(1500))
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        final AtomicReference<Throwable> lost = new AtomicReference<>();
        final List<Throwable> otherErrors = new CopyOnWriteArrayList<>();
        final AtomicLong frozenAtNs = new AtomicLong(Long.MIN_VALUE);
        final NanoClock clientClock = () ->
        {
            final long frozen = frozenAtNs.get();
            return Long.MIN_VALUE == frozen ? System.nanoTime() : frozen;
        };
        Aeron aeron = null;
        try
        {
            aeron = Aeron.connect(new Aeron.Context()
                .aeronDirectoryName(driver.aeronDirectoryName())
                .useConductorAgentInvoker(true)
                .nanoClock(clientClock)
                .errorHandler(DriverLoss.routing(otherErrors::add, lost::set)));
            final AgentInvoker conductor = aeron.conductorAgentInvoker();
            aeron.addSubscription("aeron:ipc", 1001); // the driver now knows this client
            // the client's clock stops: it sends no keepalive, and its own service interval never looks exceeded
            frozenAtNs.set(System.nanoTime());

            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (null == lost.get() && System.nanoTime() - deadlineNs < 0)
            {
                conductor.invoke();
                Thread.onSpinWait();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }

            assertTrue(lost.get() instanceof ClientTimeoutException, lost.get() + ", other errors " + otherErrors);
            assertTrue(DriverLoss.isDriverLoss(lost.get()));
            assertTrue(otherErrors.isEmpty(), String.valueOf(otherErrors));
            assertTrue(aeron.isClosed() || conductorTerminated(aeron), "Aeron's client ended itself");
        }
        finally
        {
            CloseHelper.quietClose(aeron);
            CloseHelper.quietClose(driver);
            IoUtil.delete(dir, true);
        }
    }

    @Test
    void shouldTreatAFreedHeartbeatCounterAsDriverLossAndOtherAeronErrorsNot()
    {
        // the text Aeron 1.51's ClientConductor.checkLiveness throws, after terminating its conductor
        assertTrue(DriverLoss.isDriverLoss(new AeronException("unexpected close of heartbeat timestamp counter: 7")));
        assertFalse(DriverLoss.isDriverLoss(new AeronException("channel error: bad endpoint")));
        assertFalse(DriverLoss.isDriverLoss(new IllegalStateException("unexpected close of heartbeat timestamp counter")));
    }

    private static boolean conductorTerminated(final Aeron aeron)
    {
        try
        {
            aeron.addSubscription("aeron:ipc", 1002);
            return false;
        }
        catch (final RuntimeException ex)
        {
            return true;
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
