/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.perf.scenario;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScenarioTest
{
    @Test
    void shouldLoadEveryShippedScenarioWhenNamed()
    {
        for (final String name : new String[]{ "smoke", "2k-commute", "hotspot", "soak" })
        {
            final Scenario scenario = Scenario.load(name, Map.of());
            assertEquals(name, scenario.name());
            assertEquals(Scenario.PLAYER_INPUT_LENGTH, scenario.floorMessageLength(), name);
            assertTrue(scenario.floor(), name);
        }
        final Scenario commute = Scenario.load("2k-commute", Map.of());
        assertEquals(2000, commute.bots());
        assertEquals(4, commute.servers());
        assertEquals("four-servers.shard", commute.shard());
        assertEquals(0, commute.fallbackServers());
        assertEquals(4, Scenario.load("hotspot", Map.of()).servers());
        assertEquals(0, Scenario.load("smoke", Map.of()).servers());
    }

    @Test
    void shouldApplyOverridesWhenGiven()
    {
        final Scenario scenario = Scenario.load("smoke", Map.of("duration", "3s", "bots", "7", "floor", "off"));
        assertEquals(TimeUnit.SECONDS.toNanos(3), scenario.durationNs());
        assertEquals(7, scenario.bots());
        assertFalse(scenario.floor());
        assertEquals("7", scenario.values().get("bots"));
        assertEquals(3, scenario.with(Map.of("repetitions", "3")).repetitions());
    }

    @Test
    void shouldMatchPlayerInputSizeWhenFloorMessageLengthDefaults()
    {
        final Scenario scenario = Scenario.parse("name=x\n", "test", Map.of());
        assertEquals(64, Scenario.PLAYER_INPUT_LENGTH);
        assertEquals(Scenario.PLAYER_INPUT_LENGTH, scenario.floorMessageLength());
        assertEquals(200, scenario.worldHalfExtentM(), 1e-9);
    }

    @Test
    void shouldRejectScenarioWhenInvalid()
    {
        assertThrows(IllegalArgumentException.class, () -> Scenario.parse("bots=3\n", "test", Map.of()));
        assertThrows(IllegalArgumentException.class,
            () -> Scenario.parse("name=x\nduration=5s\nwarmup=5s\n", "test", Map.of()));
        assertThrows(IllegalArgumentException.class, () -> Scenario.parse("name=x\nbots=-1\n", "test", Map.of()));
        assertThrows(IllegalArgumentException.class, () -> Scenario.parse("name=x\nmix=walk=50\n", "test", Map.of()));
        assertThrows(IllegalArgumentException.class, () -> Scenario.parse("name=x\nservers=2\n", "test", Map.of()));
        assertThrows(IllegalArgumentException.class, () -> Scenario.parse("name=x\nfloor=maybe\n", "test", Map.of()));
        final IllegalArgumentException missing =
            assertThrows(IllegalArgumentException.class, () -> Scenario.load("no-such-scenario", Map.of()));
        assertTrue(missing.getMessage().contains("smoke"), missing.getMessage());
    }

    @Test
    void shouldFailWithClearMessageWhenScenarioNeedsGameServers()
    {
        final Scenario scenario = Scenario.load("2k-commute", Map.of());
        final UnsupportedOperationException ex =
            assertThrows(UnsupportedOperationException.class, () -> ShardsUnderTest.create(scenario));
        assertTrue(ex.getMessage().contains("servers=4"), ex.getMessage());
        assertTrue(ex.getMessage().contains("--fallback"), ex.getMessage());
        assertTrue(ShardsUnderTest.create(scenario.with(Map.of("servers", "0"))) instanceof ScriptedShardUnderTest);
    }

    @Test
    void shouldParseDurationsWhenUnitsGiven()
    {
        assertEquals(TimeUnit.MINUTES.toNanos(2), Scenario.parseDurationNs("2m"));
        assertEquals(TimeUnit.MILLISECONDS.toNanos(500), Scenario.parseDurationNs("500ms"));
        assertEquals(TimeUnit.SECONDS.toNanos(30), Scenario.parseDurationNs("30"));
        assertEquals(TimeUnit.HOURS.toNanos(1), Scenario.parseDurationNs("1h"));
        assertThrows(IllegalArgumentException.class, () -> Scenario.parseDurationNs("soon"));
    }
}
