/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers.game;

import io.orrery.core.client.ClientSession;
import io.orrery.core.status.LayerMetrics;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A game server forced to half speed, with the real layer and a real media driver, stepped on one controlled clock:
 * it simulates on exactly half of its tick slots, its NPCs cover half the ground per real tick, the layer keeps its
 * factor (and exports it), and the client whose player it simulates is told the factor; back to real time, the
 * client is told again.
 */
@Tag("system")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TimeDilationEndToEndTest
{
    private static final String ONE_SERVER = String.join("\n",
        "servers 1",
        "territory 1 server 1 box -inf -inf -inf inf inf inf",
        "heartbeat-timeout 60000",
        "spawn 0 0 0 1",
        "");
    private static final int SLOTS = 120;

    @Test
    void shouldScaleSimulationAndTellClientWhenServerDilated()
    {
        try (MeshRig rig = new MeshRig(ONE_SERVER))
        {
            final WorldSettings world = new WorldSettings()
                .npcsPerTerritory(20)
                .npcSpawnGraceNs(0)
                .followFraction(0)
                .worldHalfExtentM(2_000)
                .npcLifetimeNs(TimeUnit.HOURS.toNanos(1), TimeUnit.HOURS.toNanos(1));
            final GameServerAgent server = rig.addServer(1, world);
            rig.await(() -> GameServerAgent.STATE_RUNNING == server.state(), "server welcomed");
            final ClientSession client = rig.connect(1_000_001);
            rig.ticksUntil(() -> client.view().contains(1_000_001) && server.world().entityCount() >= 21, 120,
                "player and NPCs");
            final double stepMm = 4.0 * 1000 / 30; // NPC speed 4 m/s, 30 ticks per second

            final long realTicks = simulatedTicks(rig, server, SLOTS);
            assertEquals(SLOTS, realTicks, "every slot simulates at real time");
            final double realPath = longestNpcPath(rig, server, SLOTS);
            assertEquals(1000, client.timeDilationPerMille());

            server.forceTimeDilation(500);
            rig.tick();
            assertEquals(500, server.timeDilationPerMille());
            final long gameBeforeNs = server.gameTimeNs();
            final long dilatedTicks = simulatedTicks(rig, server, SLOTS);
            assertEquals(SLOTS / 2, dilatedTicks, "half of the slots simulate");
            assertEquals(SLOTS * MeshRig.TICK_NS / 2, server.gameTimeNs() - gameBeforeNs, 2 * SLOTS,
                "game time runs at half of real time");
            final double dilatedPath = longestNpcPath(rig, server, SLOTS);
            assertTrue(dilatedPath <= SLOTS / 2 * stepMm + SLOTS, "dilated NPC path " + dilatedPath);
            assertTrue(dilatedPath >= 0.8 * SLOTS / 2 * stepMm, "dilated NPC path " + dilatedPath);
            assertTrue(realPath >= 0.8 * SLOTS * stepMm, "real-time NPC path " + realPath);

            rig.ticksUntil(() -> 500 == client.timeDilationPerMille(), 60, "client told the dilation");
            assertEquals(0.5f, client.timeDilation());
            assertEquals(1, client.timeDilationServerId());
            assertEquals(500, client.minTimeDilationPerMille());
            final String metrics = new LayerMetrics(rig.layer).render(true);
            assertTrue(metrics.contains("orrery_server_time_dilation{shard=") &&
                metrics.contains("server=\"1\"} 0.5"), metrics);

            server.forceTimeDilation(1000);
            rig.ticksUntil(() -> 1000 == client.timeDilationPerMille(), 60, "client told real time again");
            assertEquals(2, client.timeDilationChanges());
            assertEquals(SLOTS, simulatedTicks(rig, server, SLOTS));
        }
    }

    private static long simulatedTicks(final MeshRig rig, final GameServerAgent server, final int slots)
    {
        final long before = server.world().ticks();
        for (int i = 0; i < slots; i++)
        {
            rig.tick();
        }
        return server.world().ticks() - before;
    }

    /**
     * @return the longest path (sum of per-slot moves, mm) any NPC present throughout walked over the slots.
     */
    private static double longestNpcPath(final MeshRig rig, final GameServerAgent server, final int slots)
    {
        final EntityTable entities = server.world().entities();
        final int size = entities.size();
        final long[] ids = new long[size];
        final long[] x = new long[size];
        final long[] y = new long[size];
        final double[] path = new double[size];
        for (int slot = 0; slot < size; slot++)
        {
            ids[slot] = entities.entityId(slot);
            x[slot] = entities.positionX(slot);
            y[slot] = entities.positionY(slot);
        }
        for (int i = 0; i < slots; i++)
        {
            rig.tick();
            for (int k = 0; k < size; k++)
            {
                final int slot = entities.slotOf(ids[k]);
                if (slot < 0 || EntityTable.KIND_NPC_WANDER != entities.kind(slot))
                {
                    path[k] = Double.NaN;
                    continue;
                }
                final long nx = entities.positionX(slot);
                final long ny = entities.positionY(slot);
                path[k] += Math.hypot(nx - x[k], ny - y[k]);
                x[k] = nx;
                y[k] = ny;
            }
        }
        double longest = 0;
        for (final double p : path)
        {
            if (!Double.isNaN(p))
            {
                longest = Math.max(longest, p);
            }
        }
        return longest;
    }
}
