/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.launcher;

import io.orrery.bots.SwarmSummary;
import io.orrery.core.ReplicationLayer;
import io.orrery.core.ThreadingMode;
import io.orrery.core.atlas.ShardConfig;
import io.orrery.core.status.OrreryCounter;
import io.orrery.fleet.FleetMember;
import io.orrery.fleet.MemberState;
import io.orrery.servers.GameServer;
import io.orrery.servers.ReplicationLayerServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "in-process", "processes" })
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldStartTheSpareServerWhenACrowdOverloadsServerOneSplitWithItAndRetireItWhenTheCrowdLeaves(
        final String mode) throws Exception
    {
        final File shard = new File(output, "dynamic.shard");
        Files.writeString(shard.toPath(), String.join("\n",
            "servers 1,2,3",
            "territory 1 server 1 box -inf -inf -inf 0 inf inf",
            "territory 2 server 2 box 0 -inf -inf inf inf inf",
            "territory 3 server 3 spare",
            "view-margin 20",
            "heartbeat-timeout 2000",
            "handoff-timeout 250",
            "spawn -40 0 0 10",
            "balance 200 8 0.5",
            // high-water mark 10.2: server 2 cannot take enough of a crowd of 24 players; low-water mark 1.8: a
            // server with its 2 NPCs and no player is below it, so server 3 is merged away once the crowd left
            "load-weights 1 1 0.2 2",
            "server-capacity 12",
            ""), StandardCharsets.UTF_8);
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        final ShardLauncher launcher = new ShardLauncher(out);
        final int exitCode = new CommandLine(launcher).execute(
            "--mode", mode,
            "--shard", shard.getAbsolutePath(), "--bots", "24", "--mix", "crowd=100", "--crowd-at", "-40,0",
            "--duration", "12s", "--ramp", "100", "--npcs", "2", "--world-half-extent-m", "60",
            "--progress-interval", "3s", "--settle", "7s", "--output", output.getAbsolutePath());
        final String text = bytes.toString(StandardCharsets.UTF_8);
        System.out.println(text);

        assertEquals(0, exitCode, "launcher exit code (a retired server is no failure)");
        assertTrue(text.contains("2 game servers ([1, 2])"), "only the base servers started at launch");
        final SwarmSummary summary = launcher.summary();
        assertNotNull(summary);
        assertEquals(24, summary.botsConnected(), "every bot connected");
        assertEquals(0, summary.correctnessErrors(), () -> "correctness: " + summary.correctness());

        assertTrue(launcher.finalCounter(OrreryCounter.FLEET_REQUESTS) >= 1, "the mesh asked the fleet");
        assertTrue(launcher.finalCounter(OrreryCounter.TERRITORY_SPLITS) >= 1, "server 1's territory was split");
        final ShardFleet fleet = launcher.fleet();
        assertNotNull(fleet);
        final FleetMember three = fleet.members().stream().filter((m) -> 3 == m.serverId()).findFirst()
            .orElseThrow(() -> new AssertionError("the fleet never started server 3: " + fleet.events()));
        assertEquals(MemberState.STOPPED, three.state(), three::toString);
        assertTrue(three.runningNs() > 0, "server 3 joined and simulated");
        if ("processes".equals(mode))
        {
            // a child JVM: its own summary, printed when the fleet stopped it gracefully, says what it took
            final Matcher handoffs = Pattern.compile("\\[gs-3] +handoffs in (\\d+)").matcher(text);
            assertTrue(handoffs.find(), "server 3's summary forwarded by the launcher");
            assertTrue(Long.parseLong(handoffs.group(1)) > 0, () -> "server 3 took entities: " + handoffs.group());
        }
        else
        {
            assertTrue(fleet.handoffsIn(3) > 0 && fleet.peakEntities(3) > 0,
                () -> "server 3 took entities: handoffs in " + fleet.handoffsIn(3) + ", peak " +
                fleet.peakEntities(3));
        }
        assertTrue(text.contains("server 3 running: decision to first simulated tick"), "the spin-up is reported");

        // the bots gone, the mesh merges server 3's territory away and hands it back: the fleet stops it
        assertTrue(launcher.finalCounter(OrreryCounter.TERRITORY_MERGES) >= 1, "a merge once the crowd left");
        assertTrue(fleet.events().stream().anyMatch((e) -> e.contains("server 3 retired by the mesh: stopping")),
            () -> "server 3 retired: " + fleet.events());
        assertTrue(fleet.events().stream().noneMatch((e) -> e.contains("server 2 retired")),
            () -> "configured server 2 quiet all along, never merged in server 3's place: " + fleet.events());
        System.out.printf(Locale.ROOT, "dynamic shard (" + mode + "): server 3 decision to first simulated tick " +
            "%.1f ms, %d splits, %d merges, %d border moves, %d fleet requests (load average %s)%n",
            fleet.spinUpNs(3) / 1e6, launcher.finalCounter(OrreryCounter.TERRITORY_SPLITS),
            launcher.finalCounter(OrreryCounter.TERRITORY_MERGES),
            launcher.finalCounter(OrreryCounter.TERRITORY_BORDER_MOVES),
            launcher.finalCounter(OrreryCounter.FLEET_REQUESTS), ShardFleet.loadAverage());
    }

    @Test
    void shouldStartOnlyTheServersOfTerritoriesThatAreNotSpare()
    {
        final ShardConfig config = ShardConfig.parse(String.join("\n",
            "servers 1,2,3,4",
            "territory 1 server 1 box -inf -inf -inf 0 inf inf",
            "territory 2 server 2 box 0 -inf -inf inf inf inf",
            "territory 3 server 3 spare",
            "territory 4 server 4 spare",
            "territory 5 server 2 spare",
            "balance 1000 8 0.5"), "test");
        assertArrayEquals(new int[]{ 3, 4 }, ShardLauncher.spareOnlyServerIds(config));
        assertArrayEquals(new int[]{ 1, 2 }, ShardLauncher.baseServerIds(config, new int[]{ 3, 4 }));
        assertArrayEquals(new int[0], ShardLauncher.spareOnlyServerIds(ShardConfig.find("two-servers", -1)));
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
