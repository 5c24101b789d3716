/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.orrery.core.client.ClientSession;
import io.orrery.core.server.EntitySnapshot;
import io.orrery.core.status.OrreryCounter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The balancer with real game servers: server 1 carries a crowd of NPCs; the border moves into its territory in
 * bounded steps while a player runs back and forth across it. Every entity is simulated by exactly one server
 * whenever no handoff of it is in flight, every input is applied exactly once, and the servers end balanced.
 */
class MeshBalancingTest
{
    private static final long PLAYER = MeshHandoffTest.PLAYER;
    private static final int NPCS = 30;
    private static final String BALANCED = String.join("\n",
        "servers 1,2",
        "territory 1 server 1 box -inf -inf -inf 0 inf inf",
        "territory 2 server 2 box 0 -inf -inf inf inf inf",
        "view-margin 50",
        "heartbeat-timeout 500",
        "handoff-timeout 250",
        "spawn -1.5 0 0 0",
        "balance 1000 8 0.5",
        "load-weights 1 1 1 2",
        "server-capacity 400");

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
    void shouldHandEveryEntityOverExactlyOnceWhileTheBorderMoves()
    {
        final int[] applied = new int[64 * 1024];
        shard = new MeshTestShard(BALANCED);
        final TestGameServer one = shard.startServer(1, applied);
        final TestGameServer two = shard.startServer(2, applied);
        final ClientSession bot = shard.connect(PLAYER, new MeshHandoffTest.OwnEntityWatcher());
        shard.ticksUntil(() -> one.owns(PLAYER), 10, "player streamed in to server 1");

        final long[] npcs = new long[NPCS];
        final EntitySnapshot npc = new EntitySnapshot();
        for (int i = 0; i < NPCS; i++)
        {
            npcs[i] = one.link.nextEntityId();
            npc.reset().entityId(npcs[i]).archetypeId(2).position(-(i + 1) * 1000L, (i % 5) * 1000L, 0).radius(0.5f);
            assertEquals(0, one.link.createEntity(npc, false));
        }

        float direction = -1;
        int ticks = 0;
        final long borderStart = shard.atlas().territoryFace(0, 0, true);
        while (ticks < 600 && (shard.counter(OrreryCounter.TERRITORY_BORDER_MOVES) < 2 || ticks < 300))
        {
            final long xMm = bot.view().contains(PLAYER) ? bot.view().positionX(bot.view().slotOf(PLAYER)) : 0;
            final long border = shard.atlas().territoryFace(0, 0, true);
            if (xMm > border + 1500)
            {
                direction = -1;
            }
            else if (xMm < border - 1500)
            {
                direction = 1;
            }
            bot.sendInput(direction, 0, 0, 0, 0, 0, shard.clock.nanoTime());
            shard.tick();
            ticks++;
            assertAtMostOneOwner(one, two, PLAYER, ticks);
            for (final long id : npcs)
            {
                assertAtMostOneOwner(one, two, id, ticks);
            }
        }
        for (int i = 0; i < 30; i++)
        {
            shard.tick();
        }

        final long border = shard.atlas().territoryFace(0, 0, true);
        assertTrue(border < borderStart, "the border moved into the loaded server's territory: " + border);
        assertEquals(border, shard.atlas().territoryFace(1, 0, false));
        assertTrue(shard.counter(OrreryCounter.TERRITORY_BORDER_MOVES) >= 2);
        assertTrue(two.count > 1, "server 2 took NPCs: " + two.count);
        for (int i = 0; i < NPCS; i++)
        {
            final long id = npcs[i];
            final TestGameServer owner = -(i + 1) * 1000L < border ? one : two;
            assertTrue(owner.owns(id) && !(owner == one ? two : one).owns(id), "npc " + i + " on its side's server");
            assertEquals(owner.serverId, shard.atlas().authorityOf(id));
            assertEquals(owner.serverId, shard.mesh().authorityOf(id));
        }
        final double costOne = shard.atlas().serverCost(0);
        final double costTwo = shard.atlas().serverCost(1);
        assertTrue(Math.abs(costOne - costTwo) <= 0.1 * (costOne + costTwo) + 2,
            "balanced: " + costOne + " / " + costTwo);

        System.out.printf("border %d mm -> %d mm in %d moves over %d ticks; cost %.1f / %.1f; %d handoffs%n",
            borderStart, border, shard.counter(OrreryCounter.TERRITORY_BORDER_MOVES), ticks, costOne, costTwo,
            shard.atlas().handoffsCommitted());
        final MeshSnapshot snapshot = ((MeshAuthority)shard.layer.context().authority()).meshSnapshot();
        assertEquals(border, snapshot.face(0, 0, true), snapshot.toString());
        assertEquals(border, snapshot.face(1, 0, false));
        assertEquals(2, snapshot.territoryServerIds[1]);
        final long sent = bot.inputSequence();
        int missing = 0;
        int duplicated = 0;
        for (int seq = 1; seq <= sent; seq++)
        {
            missing += 0 == applied[seq] ? 1 : 0;
            duplicated += applied[seq] > 1 ? 1 : 0;
        }
        assertEquals(0, duplicated, "inputs applied twice");
        assertTrue(missing <= 2, "inputs not applied (the last ones may be in flight): " + missing);
        assertEquals(0, shard.counter(OrreryCounter.HANDOFF_INPUT_OVERFLOWS));
    }

    private void assertAtMostOneOwner(
        final TestGameServer one, final TestGameServer two, final long entityId, final int tick)
    {
        final int simulating = (one.owns(entityId) ? 1 : 0) + (two.owns(entityId) ? 1 : 0);
        assertTrue(simulating <= 1, "entity " + entityId + " simulated by two servers at tick " + tick);
        if (!shard.atlas().isHandingOff(entityId) && 0 != shard.atlas().authorityOf(entityId))
        {
            assertEquals(1, simulating, "entity " + entityId + " simulated by no server at tick " + tick);
        }
    }
}
