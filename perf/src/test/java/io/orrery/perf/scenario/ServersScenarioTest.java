/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.perf.scenario;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.orrery.bots.MetricSet;
import io.orrery.core.status.OrreryCounter;
import io.orrery.perf.report.SummaryWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A tiny servers-backed scenario end to end: the Replication Layer with 2 in-process game servers
 * ({@code two-servers.shard}: the world split at x = 0), 20 bots commuting across the border and crowding on it, and
 * game server 1 stopped abruptly half-way. Asserts outcomes, not timings.
 */
class ServersScenarioTest
{
    private static final String SCENARIO = String.join("\n",
        "name=mesh-test",
        "bots=20",
        "threads=1",
        "mix=commute=60,crowd=40",
        "ramp-per-second=100",
        "duration=7s",
        "warmup=1s",
        "servers=2",
        "shard=two-servers.shard",
        // a generous heartbeat timeout: a busy test machine must not fail over the surviving server too
        "heartbeat-timeout=1500ms",
        "hotspots=-30,0,30,0",
        "crowd=0,0",
        "max-speed-mps=20",
        "npcs=5",
        "kill-server-at=3500ms",
        "kill-server=1",
        "floor=off",
        "");

    @TempDir
    Path output;

    @Test
    void shouldHandOffAndFailOverWithoutDisconnectsWhenServersBacked() throws Exception
    {
        final Scenario scenario = Scenario.parse(SCENARIO, "test", Map.of());
        final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
        final ScenarioResult result;
        try (PrintStream log = new PrintStream(logBytes, true, StandardCharsets.UTF_8))
        {
            result = new ScenarioRun(scenario, output, new LiveData(), log, ShardsUnderTest::create).run();
        }
        final String text = logBytes.toString(StandardCharsets.UTF_8);

        assertEquals(1, result.repetitions().size(), text);
        final RepetitionResult repetition = result.repetitions().get(0);
        final MeshResult mesh = repetition.mesh();
        assertNotNull(mesh, text);
        assertTrue(result.shard().contains("two-servers"), result.shard());

        assertEquals(20, repetition.swarm().botsConnected(), text);
        assertEquals(0, mesh.unexpectedDisconnects(), text);
        assertEquals(0, repetition.swarm().correctness().get("acknowledgementRegressions"), text);

        assertTrue(repetition.counters().total(OrreryCounter.HANDOFFS_COMMITTED) > 0, text);
        assertTrue(mesh.authorityChangesSeen() > 0, text);
        assertTrue(repetition.latencies().get(MetricSet.HANDOFF_GAP).count() > 0, text);

        assertEquals(1, mesh.killedServer(), text);
        assertEquals(0, mesh.failoversBeforeKill(), text);
        assertEquals(1, mesh.serverFailovers(), text);
        assertFalse(Double.isNaN(mesh.failoverDetectedMs()), text);
        assertTrue(mesh.playersOnKilledServer() > 0, text);
        assertTrue(mesh.clientFailoverGaps() > 0, text);
        assertTrue(mesh.clientFailoverMaxMs() > 0, text);
        assertTrue(mesh.serverStatus().get(0).contains("(halted)"), mesh.serverStatus().toString());

        final String summary = SummaryWriter.toJson(result);
        assertTrue(summary.contains("\"handoff-gap\""), summary);
        assertTrue(summary.contains("\"failover\""), summary);
        assertTrue(Files.isRegularFile(output.resolve("rep-1").resolve("handoff-gap.hlog")));
        assertTrue(Files.isRegularFile(output.resolve("report.html")));
    }
}
