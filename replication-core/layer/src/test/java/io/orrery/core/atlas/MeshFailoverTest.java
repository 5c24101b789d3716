/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.orrery.core.client.ClientSession;
import io.orrery.core.status.OrreryCounter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One of two game servers stops heartbeating (its process froze): Atlas declares it dead after the heartbeat
 * timeout, grants its territory to the survivor, which streams its entities in from the cache and continues them;
 * the client stays connected and every input is applied exactly once.
 */
@Tag("system")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MeshFailoverTest
{
    static final long PLAYER = 1;
    static final int NPCS = 5;
    private MeshTestShard shard;

    @AfterEach
    void after()
    {
        if (null != shard)
        {
            shard.close();
        }
    }

    @Test
    void shouldKeepServersAliveWhenTheWholeProcessWasPaused()
    {
        shard = new MeshTestShard(MeshHandoffTest.TWO_SERVERS);
        final TestGameServer one = shard.startServer(1, null);
        final TestGameServer two = shard.startServer(2, null);
        final ClientSession bot = shard.connect(PLAYER, new MeshHandoffTest.OwnEntityWatcher());
        shard.ticksUntil(() -> one.owns(PLAYER), 10, "player streamed in to server 1");
        for (int i = 0; i < 5; i++)
        {
            shard.tick();
        }

        // layer and servers stopped together (GC pause, starved VM) for three heartbeat timeouts
        shard.clock.advance(TimeUnit.MILLISECONDS.toNanos(1_500));
        for (int i = 0; i < 10; i++)
        {
            shard.tick();
        }

        assertEquals(0, shard.counter(OrreryCounter.SERVER_FAILOVERS), "no server was silent while the layer ran");
        assertEquals(2, shard.counter(OrreryCounter.SERVERS_CONNECTED));
        assertEquals(1, shard.atlas().authorityOf(PLAYER));
        assertTrue(bot.isConnected());
        assertTrue(two.welcomed);

        // a server that stays silent after the pause is still declared dead within the timeout
        shard.kill(one);
        shard.ticksUntil(() -> 1 == shard.counter(OrreryCounter.SERVER_FAILOVERS), 20, "server 1 declared dead");
        assertEquals(2, shard.atlas().authorityOf(PLAYER));
    }

    @Test
    void shouldContinueEntitiesOnSurvivorWhenServerStopsHeartbeating()
    {
        final int[] applied = new int[4096];
        shard = new MeshTestShard(MeshHandoffTest.TWO_SERVERS);
        final TestGameServer one = shard.startServer(1, applied);
        final TestGameServer two = shard.startServer(2, applied);
        final ClientSession bot = shard.connect(PLAYER, new MeshHandoffTest.OwnEntityWatcher());
        shard.ticksUntil(() -> one.owns(PLAYER), 10, "player streamed in to server 1");

        // server 1 also simulates a few entities it created itself
        final io.orrery.core.server.EntitySnapshot npc = new io.orrery.core.server.EntitySnapshot();
        final long firstNpc = one.link.entityIdBase();
        for (int i = 0; i < NPCS; i++)
        {
            npc.reset().entityId(one.link.nextEntityId()).archetypeId(2).position(-(10 + i) * 1000L, 0, 0)
                .radius(0.5f);
            assertEquals(0, one.link.createEntity(npc, false));
        }
        shard.ticksUntil(() -> one.count == 1 + NPCS, 10, "npcs streamed in to their creator");
        assertEquals(Atlas.entityIdBase(1), firstNpc);

        for (int i = 0; i < 10; i++)
        {
            bot.sendInput(-0.5f, 0, 0, 0, 0, 0, shard.clock.nanoTime());
            shard.tick();
        }

        final ServerConnection connection = shard.mesh().connectionOf(1);
        final long lastHeartbeatNs = connection.lastHeartbeatNs();
        final int playerSlot = shard.store().slotOf(PLAYER);
        final long epochBefore = shard.store().authorityEpoch(playerSlot);
        shard.kill(one);

        long firstSurvivorWriteNs = 0;
        final long wallStartNs = System.nanoTime();
        for (int t = 0; t < 100 && 0 == firstSurvivorWriteNs; t++)
        {
            bot.sendInput(-0.5f, 0, 0, 0, 0, 0, shard.clock.nanoTime());
            final long xBefore = shard.store().positionX(playerSlot);
            shard.tick();
            if (two.owns(PLAYER) && shard.store().positionX(playerSlot) != xBefore)
            {
                firstSurvivorWriteNs = shard.clock.nanoTime();
            }
        }
        final long wallNs = System.nanoTime() - wallStartNs;
        assertTrue(firstSurvivorWriteNs > 0, "survivor never wrote the former entities");
        final long boundNs = firstSurvivorWriteNs - lastHeartbeatNs;
        System.out.printf("failover: last heartbeat of server 1 to first survivor write %.1f ms of shard clock " +
            "(heartbeat timeout 500 ms, heartbeat interval 100 ms, tick 34 ms); %.1f ms wall to step it%n",
            boundNs / 1e6, wallNs / 1e6);

        assertTrue(bot.isConnected(), "client never disconnected");
        assertEquals(1, shard.counter(OrreryCounter.SERVER_FAILOVERS));
        assertEquals(1, shard.counter(OrreryCounter.SERVERS_CONNECTED));
        assertEquals(2, shard.atlas().territoryServerId(0), "territory 1 moved to the survivor");
        assertEquals(2, shard.atlas().authorityOf(PLAYER));
        assertEquals(epochBefore + 1, shard.store().authorityEpoch(playerSlot));
        assertEquals(epochBefore + 1, two.epochOf(PLAYER));
        for (int i = 0; i < NPCS; i++)
        {
            assertTrue(two.owns(firstNpc + i), "npc " + i + " continued on the survivor");
            assertEquals(2, shard.atlas().authorityOf(firstNpc + i));
        }
        assertEquals(1 + NPCS, shard.store().size(), "nothing lost, nothing duplicated");
        assertTrue(boundNs < TimeUnit.MILLISECONDS.toNanos(500 + 100 + 3 * 34), "bound: " + boundNs);

        for (int i = 0; i < 3; i++)
        {
            shard.tick();
        }
        final long sent = bot.inputSequence();
        for (int seq = 1; seq <= sent; seq++)
        {
            assertEquals(1, applied[seq], "input " + seq + " applied exactly once");
        }
        assertTrue(bot.isConnected());
        assertTrue(bot.view().contains(PLAYER));
        assertEquals(0, bot.despawnsReceived(), "the client saw no entity vanish");

        // server 1 comes back with the same id (a new process: the frozen one is gone): welcomed, but static mode
        // leaves its territory with the survivor
        one.link.close();
        final TestGameServer back = shard.startServer(1, null);
        assertTrue(back.welcomed);
        shard.tick();
        assertEquals(0, back.territoriesGranted);
        assertEquals(0, back.count);
        assertEquals(2, shard.atlas().authorityOf(PLAYER));
        assertFalse(shard.mesh().connectionOf(1).territoryCount() > 0);
    }
}
