/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.orrery.core.auth.SessionTokens;
import io.orrery.core.auth.TokenSecrets;
import io.orrery.core.client.ClientLink;
import io.orrery.core.client.ClientListener;
import io.orrery.core.client.ClientSession;
import io.orrery.core.shard.ShardDirectory;
import io.orrery.test.ChildJvm;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The Replication Layer process in the shard directory ({@code --shard-directory}, {@code --shard-name}), on real
 * processes: two layers register once serving; the one stopped cleanly (SIGTERM) leaves the directory; the one
 * SIGKILLed leaves a stale entry, which the next layer of that name (on another media driver) replaces, and a client
 * that reads the directory then reaches the new layer.
 */
@Tag("system")
class ShardDirectoryProcessTest
{
    private static final List<String> CHILD_OPTIONS = List.of("-Xmx256m");

    @Test
    @Timeout(180)
    void shouldRegisterDeregisterOnCleanStopAndReplaceAKilledLayersEntry(@TempDir final Path dir) throws Exception
    {
        final Path directoryFile = dir.resolve("shards.txt");
        final MediaDriver[] drivers = new MediaDriver[3];
        final Process[] layers = new Process[3];
        final List<List<String>> outputs = new ArrayList<>();
        Aeron aeron = null;
        ClientLink link = null;
        try
        {
            for (int d = 0; d < drivers.length; d++)
            {
                drivers[d] = MediaDriver.launch(new MediaDriver.Context()
                    .aeronDirectoryName(dir.resolve("aeron-" + d).toString())
                    .threadingMode(io.aeron.driver.ThreadingMode.SHARED)
                    // Aeron's default, was 2 s: a starved child's Aeron client closes itself (exit 71, "service
                    // interval exceeded") when its conductor has not run for this long; a killed child's
                    // publications and subscriptions linger as long, which the waits below allow
                    .clientLivenessTimeoutNs(TimeUnit.SECONDS.toNanos(10))
                    .dirDeleteOnStart(true)
                    .dirDeleteOnShutdown(true));
                outputs.add(Collections.synchronizedList(new ArrayList<>()));
            }
            layers[0] = startLayer(drivers[0], "shard-a", directoryFile, outputs.get(0));
            layers[1] = startLayer(drivers[1], "shard-b", directoryFile, outputs.get(1));

            ShardDirectory directory = ShardDirectory.read(directoryFile);
            assertEquals(2, directory.entries().size(), directory.entries().toString());
            assertEquals(drivers[0].aeronDirectoryName(), directory.entry("shard-a").aeronDirectoryName());
            assertEquals(drivers[1].aeronDirectoryName(), directory.entry("shard-b").aeronDirectoryName());
            assertEquals("aeron:ipc?term-length=64k", directory.entry("shard-b").clientIngressChannel());

            // a clean stop leaves the directory
            layers[1].destroy(); // SIGTERM
            assertTrue(layers[1].waitFor(60, TimeUnit.SECONDS), "shard-b stopped");
            directory = ShardDirectory.read(directoryFile);
            assertNull(directory.entry("shard-b"), directory.entries().toString());
            assertNotNull(directory.entry("shard-a"));

            // a killed layer cannot deregister: its entry stays until a layer of that name starts again
            layers[0].destroyForcibly(); // SIGKILL
            assertTrue(layers[0].waitFor(30, TimeUnit.SECONDS));
            directory = ShardDirectory.read(directoryFile);
            assertEquals(drivers[0].aeronDirectoryName(), directory.entry("shard-a").aeronDirectoryName());

            layers[2] = startLayer(drivers[2], "shard-a", directoryFile, outputs.get(2));
            assertEquals(1, ChildJvm.occurrences(outputs.get(2), "replacing the entry a previous layer left"),
                outputs.get(2).toString());
            directory = ShardDirectory.read(directoryFile);
            assertEquals(1, directory.entries().size(), directory.entries().toString());
            final ShardDirectory.Entry entry = directory.entry("shard-a");
            assertEquals(drivers[2].aeronDirectoryName(), entry.aeronDirectoryName());

            // and the entry leads a client to the live layer
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(entry.aeronDirectoryName()));
            link = new ClientLink(aeron, new ClientLink.Settings()
                .ingressChannel(entry.clientIngressChannel())
                .ingressStreamId(entry.clientIngressStreamId())
                .responseStreamId(2001));
            final ClientSession session = link.connect(new SessionTokens(TokenSecrets.developmentSecret())
                .issue(7, System.currentTimeMillis() + 600_000), ClientListener.NO_OP);
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!session.isConnected())
            {
                if (System.nanoTime() - deadlineNs > 0)
                {
                    fail("no welcome from the re-registered shard-a within 30 s: " + session.state());
                }
                if (0 == link.doWork())
                {
                    Thread.yield();
                }
            }
        }
        finally
        {
            CloseHelper.quietClose(link);
            CloseHelper.quietClose(aeron);
            for (final Process layer : layers)
            {
                ChildJvm.destroy(layer);
            }
            for (final MediaDriver driver : drivers)
            {
                CloseHelper.quietClose(driver);
            }
        }
    }

    private static Process startLayer(
        final MediaDriver driver, final String name, final Path directoryFile, final List<String> output)
        throws Exception
    {
        final Process layer = ChildJvm.start(output, CHILD_OPTIONS, ReplicationLayerServer.class.getName(), "--dev",
            "--aeron-dir=" + driver.aeronDirectoryName(), "--npcs=10", "--max-sessions=16",
            "--shard-directory=" + directoryFile, "--shard-name=" + name);
        ChildJvm.awaitLines(layer, output, "registered shard " + name, 1);
        return layer;
    }
}
