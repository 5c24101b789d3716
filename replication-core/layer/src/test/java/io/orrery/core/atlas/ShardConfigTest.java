/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShardConfigTest
{
    private static String error(final String text)
    {
        return assertThrows(IllegalArgumentException.class, () -> ShardConfig.parse(text, "t.shard")).getMessage();
    }

    @Test
    void shouldParseShippedTwoServerExample()
    {
        final ShardConfig config = ShardConfig.loadResource("shards/two-servers.shard");
        assertEquals(2, config.territoryCount());
        assertEquals(1, config.territory(config.territoryIndexAt(-1, 5_000_000, 0)).serverId);
        assertEquals(2, config.territory(config.territoryIndexAt(0, -5_000_000, 0)).serverId, "min is inclusive");
        assertEquals(50, config.viewMarginM());
        assertEquals(500, config.heartbeatTimeoutMs());
        assertEquals(250, config.handoffTimeoutMs());
        assertEquals(100, config.spawnRadiusM());
        assertEquals(ShardConfig.HANDOFF_PACING_DEFAULT, config.handoffPacing());
        assertTrue(config.hasServer(2));
        assertFalse(config.hasServer(3));
    }

    @Test
    void shouldParseShippedFourServerExampleAsQuadrants()
    {
        final ShardConfig config = ShardConfig.loadResource("shards/four-servers.shard");
        assertEquals(4, config.territoryCount());
        assertEquals(1, config.territory(config.territoryIndexAt(-1, -1, 0)).serverId);
        assertEquals(2, config.territory(config.territoryIndexAt(1, -1, 0)).serverId);
        assertEquals(3, config.territory(config.territoryIndexAt(-1, 1, 0)).serverId);
        assertEquals(4, config.territory(config.territoryIndexAt(1, 1, 0)).serverId);
        assertEquals(4, config.territory(config.territoryIndexAt(Long.MAX_VALUE - 1, Long.MAX_VALUE - 1, 0)).serverId);
    }

    @Test
    void shouldParseCommentsZonesDefaultAndSettings()
    {
        final ShardConfig config = ShardConfig.parse(String.join("\n",
            "# a comment line",
            "servers 1,2,3   # trailing comment",
            "",
            "territory 10 server 1 box -100 -100 -100 100 100 100",
            "territory 11 server 2 zone 4398046511104",
            "territory 12 server 3 box 100 -100 -100 200 100 100",
            "default-territory 10",
            "view-margin 12.5",
            "heartbeat-timeout 800",
            "handoff-timeout 90",
            "handoff-hysteresis 2",
            "handoff-pacing 0",
            "spawn 1 2 3 4",
            "input-buffer 16"), "t.shard");
        assertEquals(3, config.territoryCount());
        assertEquals(1, config.territoryIndexOf(11));
        assertTrue(config.territory(1).isZone());
        assertEquals(10, config.territory(config.territoryIndexAt(5_000_000, 0, 0)).id, "default territory");
        assertEquals(12, config.territory(config.territoryIndexAt(150_000, 0, 0)).id);
        assertEquals(12.5, config.viewMarginM());
        assertEquals(800, config.heartbeatTimeoutMs());
        assertEquals(90, config.handoffTimeoutMs());
        assertEquals(2, config.handoffHysteresisM());
        assertEquals(0, config.handoffPacing(), "no limit");
        assertEquals(3, config.spawnZM());
        assertEquals(16, config.inputBuffer());
        assertTrue(config.territory(2).isNear(99_000, 0, 0, 2_000));
        assertFalse(config.territory(2).isNear(97_000, 0, 0, 2_000));
        assertEquals(50_000, config.territory(2).depthInside(150_000, 0, 0));
    }

    @Test
    void shouldReportOverlapWithLineNumbers()
    {
        final String message = error(String.join("\n",
            "servers 1,2",
            "territory 1 server 1 box -inf -inf -inf 10 inf inf",
            "territory 2 server 2 box 0 -inf -inf inf inf inf"));
        assertTrue(message.startsWith("t.shard:3: territory 2 overlaps territory 1 (line 2)"), message);
    }

    @Test
    void shouldReportUncoveredWorldUnlessDefaultTerritory()
    {
        final String gap = String.join("\n",
            "servers 1,2",
            "territory 1 server 1 box -inf -inf -inf 0 inf inf",
            "territory 2 server 2 box 10 -inf -inf inf inf inf");
        assertTrue(error(gap).contains("without a territory"), error(gap));
        assertEquals(2, ShardConfig.parse(gap + "\ndefault-territory 1", "t").territoryCount());
    }

    @Test
    void shouldReportBadStatementsWithLineNumbers()
    {
        assertTrue(error("servers 1\nterritory 1 server 2 box -inf -inf -inf inf inf inf")
            .startsWith("t.shard:2: server 2 is not in 'servers'"));
        assertTrue(error("servers 1\nbogus 3").startsWith("t.shard:2: unknown statement 'bogus'"));
        assertTrue(error("servers 1\nview-margin ten").startsWith("t.shard:2: view margin is not a number"));
        assertTrue(error("servers 1\nterritory 1 server 1 box 0 0 0 0 1 1").startsWith("t.shard:2: box min"));
        assertTrue(error("servers 1\nterritory 1 server 1 sphere 3").startsWith("t.shard:2: expected 'box' or"));
        assertTrue(error(String.join("\n", "servers 1",
            "territory 1 server 1 box -inf -inf -inf inf inf inf",
            "territory 1 server 1 zone 5")).startsWith("t.shard:3: territory 1 already defined on line 2"));
        assertTrue(error("servers 1,1").startsWith("t.shard:1: server 1 listed twice"));
        assertTrue(error("territory 1 server 1 box -inf -inf -inf inf inf inf").contains("no 'servers'"));
        assertTrue(error("servers 1\nheartbeat-timeout 0").startsWith("t.shard:2: must be positive"));
        assertTrue(error("servers 1\nhandoff-pacing -1").startsWith("t.shard:2: handoff pacing"));
        assertTrue(error("servers 1\nterritory 1 server 1 box -inf -inf -inf inf inf inf\ndefault-territory 7")
            .startsWith("t.shard:3: default territory"));
    }

    @Test
    void shouldLoadBundledShardsByNameWhenNoSuchFile()
    {
        final ShardConfig two = ShardConfig.find("two-servers", -1);
        final ShardConfig four = ShardConfig.find("four-servers.shard", -1);
        assertEquals(2, two.serverIds().length);
        assertEquals(4, four.serverIds().length);
        assertEquals(500, two.heartbeatTimeoutMs());
        assertEquals(2_000, ShardConfig.find("two-servers", 2_000).heartbeatTimeoutMs(), "overridden");
    }

    @Test
    void shouldParseDynamicMeshingWithSpareTerritoriesOutsideCoverageAndOverlap()
    {
        final ShardConfig config = ShardConfig.parse(String.join("\n",
            "servers 1,2,3",
            "territory 1 server 1 box -inf -inf -inf inf inf inf",
            "territory 2 server 2 spare",
            "territory 3 server 3 spare",
            "balance 500 4 0.25",
            "load-weights 2 1 0.25 3",
            "server-capacity 100"), "d.shard");
        assertTrue(config.territory(1).spare);
        assertFalse(config.territory(1).contains(0, 0, 0), "a spare has no box");
        assertEquals(0, config.territoryIndexAt(0, 0, 0));
        assertEquals(500, config.balanceIntervalMs());
        assertEquals(4.0, config.balanceMaxStepM());
        assertEquals(0.25, config.balanceMinStepM());
        assertEquals(3.0, config.loadWeight(3));
        assertEquals(100.0, config.serverCapacity());
        assertEquals(1, config.fleetMin(), "default: the servers of the configured territories");
        assertEquals(0, ShardConfig.find("two-servers", -1).balanceIntervalMs(), "static by default");
        assertTrue(error("servers 1\nterritory 1 server 1 box -inf -inf -inf inf inf inf\nbalance 100 1 2")
            .contains("0 < min <= max"));
    }
}
