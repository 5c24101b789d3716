/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers;

import io.aeron.driver.MediaDriver;
import io.orrery.core.status.DriverLoss;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The real processes on an external media driver that goes away: the layer and a game server each stop and exit with
 * {@link DriverLoss#EXIT_CODE} and one clear line, instead of the layer dying of SIGSEGV in the unmapped counters
 * file (exit 134) and the game server exiting 255 through Aeron's default handler.
 */
class DriverLossProcessTest
{
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
            layer = start(layerOutput, ReplicationLayerServer.class.getName(), "--dev",
                "--aeron-dir=" + driver.aeronDirectoryName(), "--shard=two-servers", "--report-interval-s=1");
            awaitLine(layer, layerOutput, "replication layer up");
            final List<String> serverOutput = Collections.synchronizedList(new ArrayList<>());
            server = start(serverOutput, GameServer.class.getName(), "--dev", "--server-id=1",
                "--aeron-dir=" + driver.aeronDirectoryName(), "--report-interval=1s");
            awaitLine(server, serverOutput, "welcomed");

            driver.close();

            assertTrue(layer.waitFor(60, TimeUnit.SECONDS), "the layer exited: " + layerOutput);
            assertTrue(server.waitFor(60, TimeUnit.SECONDS), "the game server exited: " + serverOutput);
            assertEquals(DriverLoss.EXIT_CODE, layer.exitValue(), "layer exit code, output: " + layerOutput);
            assertEquals(DriverLoss.EXIT_CODE, server.exitValue(), "game server exit code, output: " + serverOutput);
            assertTrue(contains(layerOutput, "media driver at"), String.valueOf(layerOutput));
            assertTrue(contains(serverOutput, "media driver at"), String.valueOf(serverOutput));
        }
        finally
        {
            destroy(server);
            destroy(layer);
            CloseHelper.quietClose(driver);
            IoUtil.delete(dir, true);
        }
    }

    private static Process start(final List<String> output, final String mainClass, final String... args)
        throws Exception
    {
        final List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "-Xmx256m",
            "-Daeron.driver.timeout=2000",
            "-Dorrery.driver.timeout.ms=2000",
            "-cp", System.getProperty("java.class.path"),
            mainClass));
        command.addAll(List.of(args));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final Thread reader = new Thread(() ->
        {
            try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
            {
                String line;
                while (null != (line = lines.readLine()))
                {
                    output.add(line);
                }
            }
            catch (final Exception ignore)
            {
                // the process ended
            }
        }, "driver-loss-reader");
        reader.setDaemon(true);
        reader.start();
        return process;
    }

    private static void awaitLine(final Process process, final List<String> output, final String text)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!contains(output, text))
        {
            if (!process.isAlive())
            {
                fail("process exited with " + process.exitValue() + " before '" + text + "': " + output);
            }
            if (System.nanoTime() > deadline)
            {
                fail("no '" + text + "' within 60 s: " + output);
            }
            Thread.sleep(20);
        }
    }

    private static boolean contains(final List<String> output, final String text)
    {
        synchronized (output)
        {
            for (final String line : output)
            {
                if (line.contains(text))
                {
                    return true;
                }
            }
        }
        return false;
    }

    private static void destroy(final Process process)
    {
        if (null != process && process.isAlive())
        {
            process.destroyForcibly();
        }
    }
}
