/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.orrery.core.client.ClientSession;
import io.orrery.core.server.EntitySnapshot;
import io.orrery.core.status.OrreryCounter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Split and merge with real game servers: a crowd on server 1 that server 2 cannot take makes Atlas ask the fleet
 * for spare server 3, splits server 1's territory with it once it joins, and, when the crowd is gone, merges the
 * lightest server away and hands it back. A player runs back and forth all along: at every tick each entity is
 * simulated by at most one server (exactly one when no handoff of it is in flight), and no input is applied twice.
 */
class MeshSplitMergeTest
{
    private static final long PLAYER = MeshHandoffTest.PLAYER;
    private static final int NPCS = 40;
    private static final String DYNAMIC = String.join("\n",
        "servers 1,2,3",
        "territory 1 server 1 box -inf -inf -inf 0 inf inf",
        "territory 2 server 2 box 0 -inf -inf inf inf inf",
        "territory 3 server 3 spare",
        "view-margin 50",
        "heartbeat-timeout 500",
        "handoff-timeout 250",
        "spawn -1.5 0 0 0",
        "balance 500 8 0.5",
        "load-weights 1 1 1 2",
        "server-capacity 20");

    private MeshTestShard shard;
    private final List<TestGameServer> servers = new ArrayList<>();

    @AfterEach
    void after()
    {
        if (null != shard)
        {
            shard.close();
        }
    }

    @Test
    void shouldSplitWithASpareServerAndMergeItBackWithEveryEntityOnOneServer()
    {
        final int[] applied = new int[64 * 1024];
        shard = new MeshTestShard(DYNAMIC);
        final TestGameServer one = shard.startServer(1, applied);
        final TestGameServer two = shard.startServer(2, applied);
        servers.add(one);
        servers.add(two);
        final ClientSession bot = shard.connect(PLAYER, new MeshHandoffTest.OwnEntityWatcher());
        shard.ticksUntil(() -> one.owns(PLAYER), 10, "player streamed in to server 1");

        final long[] npcs = new long[NPCS];
        final EntitySnapshot npc = new EntitySnapshot();
        for (int i = 0; i < NPCS; i++)
        {
            npcs[i] = one.link.nextEntityId();
            npc.reset().entityId(npcs[i]).archetypeId(2).position(-(i + 1) * 1000L, (i % 4) * 1000L, 0).radius(0.5f);
            assertEquals(0, one.link.createEntity(npc, false));
        }

        final float[] direction = {-1};
        runUntil(() -> shard.counter(OrreryCounter.FLEET_REQUESTS) >= 1, 600, bot, npcs, direction,
            "the fleet asked for spare server 3");
        final TestGameServer three = shard.startServer(3, applied); // the fleet starts it
        servers.add(three);
        runUntil(() -> 1 == shard.atlas().splits() && three.count > 5, 600, bot, npcs, direction,
            "server 1's territory split with server 3");
        assertEquals(1, shard.counter(OrreryCounter.TERRITORY_SPLITS));

        // the crowd goes: its servers destroy the NPCs; the lightest server is merged away and handed back
        for (final long id : npcs)
        {
            for (final TestGameServer server : servers)
            {
                if (server.owns(id))
                {
                    assertEquals(0, server.link.destroyEntity(id, server.epochOf(id)));
                }
            }
        }
        runUntil(() -> shard.atlas().merges() >= 1 && shard.counter(OrreryCounter.FLEET_REQUESTS) >= 2, 900, bot,
            new long[0], direction, "a merge and the emptied server handed back");
        for (int i = 0; i < 20; i++)
        {
            shard.tick();
        }

        final long sent = bot.inputSequence();
        int duplicated = 0;
        int missing = 0;
        for (int seq = 1; seq <= sent; seq++)
        {
            duplicated += applied[seq] > 1 ? 1 : 0;
            missing += 0 == applied[seq] ? 1 : 0;
        }
        System.out.printf("split/merge: %d border moves, %d splits, %d merges, %d handoffs; %d inputs, %d missing%n",
            shard.counter(OrreryCounter.TERRITORY_BORDER_MOVES), shard.atlas().splits(), shard.atlas().merges(),
            shard.atlas().handoffsCommitted(), sent, missing);
        assertEquals(0, duplicated, "inputs applied twice");
        assertTrue(missing <= 2, "inputs not applied: " + missing);
        int owners = 0;
        for (final TestGameServer server : servers)
        {
            owners += server.owns(PLAYER) ? 1 : 0;
        }
        assertEquals(1, owners, "the player on exactly one server");
    }

    private void runUntil(
        final java.util.function.BooleanSupplier condition,
        final int maxTicks,
        final ClientSession bot,
        final long[] npcs,
        final float[] direction,
        final String what)
    {
        for (int ticks = 0; ticks < maxTicks && !condition.getAsBoolean(); ticks++)
        {
            final long xMm = bot.view().contains(PLAYER) ? bot.view().positionX(bot.view().slotOf(PLAYER)) : 0;
            if (xMm > 3000)
            {
                direction[0] = -1;
            }
            else if (xMm < -3000)
            {
                direction[0] = 1;
            }
            bot.sendInput(direction[0], 0, 0, 0, 0, 0, shard.clock.nanoTime());
            shard.tick();
            assertOneOwner(PLAYER, ticks);
            for (final long id : npcs)
            {
                assertOneOwner(id, ticks);
            }
        }
        assertTrue(condition.getAsBoolean(), "not reached within " + maxTicks + " ticks: " + what);
    }

    private void assertOneOwner(final long entityId, final int tick)
    {
        int simulating = 0;
        for (final TestGameServer server : servers)
        {
            simulating += server.owns(entityId) ? 1 : 0;
        }
        assertTrue(simulating <= 1, "entity " + entityId + " simulated by two servers at tick " + tick);
        if (!shard.atlas().isHandingOff(entityId) && 0 != shard.atlas().authorityOf(entityId))
        {
            assertEquals(1, simulating, "entity " + entityId + " simulated by no server at tick " + tick);
        }
    }
}
