/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.launcher;

import io.orrery.bots.SwarmSummary;
import io.orrery.core.ReplicationLayer;
import io.orrery.core.ThreadingMode;
import io.orrery.core.atlas.ShardConfig;
import io.orrery.servers.GameServer;
import io.orrery.servers.ReplicationLayerServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The launcher and the game server process, as a user runs them.
 */
@Tag("system")
class ShardLauncherTest
{
    @TempDir
    File output;

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void shouldConnectEveryBotAndExitZeroWhenTwoGameServerProcessesRun()
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        final ShardLauncher launcher = new ShardLauncher(out);
        final int exitCode = new CommandLine(launcher).execute(
            "--mode", "processes", "--shard", "two-servers", "--bots", "12", "--duration", "5s", "--ramp", "100",
            "--npcs", "10", "--world-half-extent-m", "60", "--progress-interval", "2s",
            "--output", output.getAbsolutePath());
        final String text = bytes.toString(StandardCharsets.UTF_8);
        System.out.println(text);

        assertEquals(0, exitCode, "launcher exit code");
        final SwarmSummary summary = launcher.summary();
        assertNotNull(summary);
        assertEquals(12, summary.botsConnected(), "every bot connected");
        assertEquals(0, summary.correctnessErrors(), () -> "correctness: " + summary.correctness());
        assertTrue(summary.count("updatesReceived") > 0, "bots received updates");
        for (final int serverId : new int[]{ 1, 2 })
        {
            assertTrue(text.contains("[gs-" + serverId + "] game server " + serverId + ": welcomed"),
                "child " + serverId + " joined");
            assertTrue(text.contains("[gs-" + serverId + "] game server " + serverId + " summary: state stopped"),
                "child " + serverId + " stopped cleanly after running");
        }
        assertTrue(new File(output, "summary.json").length() > 0);
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void shouldStowAndUnstowStarterItemsWhenShardPersistsToRocksDb(@TempDir final File store)
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        final ShardLauncher launcher = new ShardLauncher(out);
        final int exitCode = new CommandLine(launcher).execute(
            "--store", "rocksdb:" + store.getAbsolutePath(), "--shard", "two-servers", "--bots", "20",
            "--duration", "6s", "--ramp", "100", "--npcs", "10", "--world-half-extent-m", "60",
            "--inventory-interval", "500ms", "--progress-interval", "3s", "--output", output.getAbsolutePath());
        final String text = bytes.toString(StandardCharsets.UTF_8);
        System.out.println(text);

        assertEquals(ShardLauncher.DEFAULT_STORE_MIX, launcher.effectiveMix(), "inventory bots in the default mix");
        assertEquals(0, exitCode, "launcher exit code");
        final SwarmSummary summary = launcher.summary();
        assertNotNull(summary);
        assertEquals(0, summary.correctnessErrors(), () -> "correctness: " + summary.correctness());
        assertTrue(summary.count("inventoryStowed") > 0, "items stowed");
        assertTrue(summary.count("inventoryUnstowed") > 0, "items unstowed");
        assertEquals(0L, summary.correctness().get("inventoryMismatches"));
        assertTrue(text.contains("inventory (store rocksdb"), "inventory figures printed");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldExitWithRejectedCodeWhenServerTokenIsWrong()
    {
        try (ReplicationLayer layer = ReplicationLayer.launch(new ReplicationLayer.Context()
            .threadingMode(ThreadingMode.SHARED)
            .shardConfig(ShardConfig.find("two-servers", -1))))
        {
            final int exitCode = new CommandLine(new GameServer()).execute(
                "--server-id", "1", "--aeron-dir", layer.aeronDirectoryName(),
                "--token-secret", "not-the-secret-of-this-shard", "--connect-timeout", "10s");
            assertEquals(GameServer.EXIT_REJECTED, exitCode);
        }
    }

    @Test
    void shouldPrintUsageWhenHelpAsked()
    {
        for (final Object command : new Object[]{ new GameServer(), new ShardLauncher() })
        {
            final java.io.StringWriter usage = new java.io.StringWriter();
            final CommandLine commandLine = new CommandLine(command);
            commandLine.setOut(new java.io.PrintWriter(usage));
            assertEquals(0, commandLine.execute("--help"));
            assertTrue(usage.toString().contains("--help"), usage::toString);
        }
        final java.io.StringWriter usage = new java.io.StringWriter();
        final CommandLine gameServer = new CommandLine(new GameServer());
        gameServer.setOut(new java.io.PrintWriter(usage));
        gameServer.execute("--help");
        for (final String option : new String[]{ "--server-id", "--aeron-dir", "--ingress-channel", "--token",
            "--token-secret", "--tick-hz", "--npcs", "--seed", "--max-speed", "--duration" })
        {
            assertTrue(usage.toString().contains(option), option);
        }
    }

    @Test
    void shouldRefuseToStartAShardWithoutASecretOutsideDevelopmentMode() throws Exception
    {
        final ShardLauncher launcher = new ShardLauncher();
        launcher.dev = false;
        assertEquals(ReplicationLayerServer.EXIT_CONFIGURATION, (int)launcher.call());
    }
}
