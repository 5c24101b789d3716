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
        for (final String name : new String[]{ "smoke", "2k-commute", "hotspot", "failover", "soak" })
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
        assertEquals(4, Scenario.load("hotspot", Map.of()).servers());
        final Scenario failover = Scenario.load("failover", Map.of());
        assertEquals(4, failover.servers());
        assertEquals(TimeUnit.SECONDS.toNanos(20), failover.killServerAtNs());
        assertEquals(1, failover.killServer());
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
    void shouldPickShardUnderTestWhenServersGiven()
    {
        final Scenario scenario = Scenario.load("2k-commute", Map.of());
        assertTrue(ShardsUnderTest.create(scenario) instanceof ServersShardUnderTest);
        assertTrue(ShardsUnderTest.create(scenario.with(Map.of("servers", "0"))) instanceof ScriptedShardUnderTest);
    }

    @Test
    void shouldStraddleTerritoriesWhenCommutingOnFourServers()
    {
        final Scenario scenario = Scenario.load("2k-commute", Map.of());
        final io.orrery.core.atlas.ShardConfig config = ServersShardUnderTest.loadShard(scenario);
        final long[] hotspotsMm = scenario.hotspotsMm();
        final java.util.Set<Integer> territories = new java.util.HashSet<>();
        for (int i = 0; i < hotspotsMm.length; i += 2)
        {
            final int here = config.territoryIndexAt(hotspotsMm[i], hotspotsMm[i + 1], 0);
            final int next = config.territoryIndexAt(hotspotsMm[(i + 2) % hotspotsMm.length],
                hotspotsMm[(i + 3) % hotspotsMm.length], 0);
            assertTrue(here != next, "leg " + i / 2 + " stays in territory " + here);
            territories.add(here);
        }
        assertEquals(4, territories.size(), "commute loop visits every territory");
        assertEquals(600, config.spawnRadiusM(), 1e-9);
    }

    @Test
    void shouldRejectKillWhenNoGameServers()
    {
        assertThrows(IllegalArgumentException.class,
            () -> Scenario.parse("name=x\nkill-server-at=2s\n", "test", Map.of()));
        assertThrows(IllegalArgumentException.class, () -> Scenario.parse(
            "name=x\nservers=2\nshard=two-servers.shard\nduration=5s\nkill-server-at=6s\n", "test", Map.of()));
        assertThrows(IllegalArgumentException.class, () -> Scenario.parse("name=x\nhotspots=1,2,3\n", "test",
            Map.of()));
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
