/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers.game;

import io.orrery.test.AllocationMeter;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static io.orrery.servers.game.WorldRig.MM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A full simulation step (inputs for every player, some impossible, duplicates; client views moving; NPCs wandering,
 * following, dying and respawning; publishing) allocates nothing once warmed up: measured on this thread with
 * {@code ThreadMXBean#getCurrentThreadAllocatedBytes} over rounds of 1,000 ticks until one round allocates 0 (at most
 * eight rounds, so a late JIT recompilation does not make the test flaky).
 */
class GameWorldAllocationTest
{
    private static final int MAX_ROUNDS = 8;
    private static final int PLAYERS = 200;
    private static final int VIEWS = 100;
    private static final long TICK_NS = TimeUnit.SECONDS.toNanos(1) / 30;

    private long nowNs = TimeUnit.SECONDS.toNanos(1);
    private long sequence;

    @Test
    void shouldNotAllocateWhenTickingInSteadyState()
    {
        final WorldRig rig = new WorldRig(new WorldSettings()
            .npcsPerTerritory(100)
            .followFraction(0.5)
            .npcSpawnGraceNs(0)
            .npcLifetimeNs(TimeUnit.SECONDS.toNanos(2), TimeUnit.SECONDS.toNanos(6))
            .seed(17));
        rig.recordIds = false;
        rig.grantBox(1, -300, -300, 0, 300, nowNs);
        rig.grantBox(2, 0, -300, 300, 300, nowNs);
        for (int i = 0; i < PLAYERS; i++)
        {
            rig.addPlayer(1_000_000 + i, (i % 20 - 10) * 25 * MM, (i / 20 - 5) * 25 * MM);
        }

        run(rig, 3_000);
        long bytes = -1;
        long destroyedBefore = 0;
        for (int round = 1; round <= MAX_ROUNDS && 0 != bytes; round++)
        {
            destroyedBefore = rig.world.npcsDestroyed();
            final long before = AllocationMeter.threadAllocatedBytes();
            run(rig, 1_000);
            bytes = AllocationMeter.threadAllocatedBytes() - before;
            System.out.println("round " + round + ": " + bytes + " bytes allocated over 1,000 ticks of " +
                rig.world.entityCount() + " entities");
        }

        assertEquals(0, bytes, "bytes allocated by the simulation step");
        assertTrue(rig.world.npcsDestroyed() - destroyedBefore > 50, "npcs died and respawned while measured");
        assertTrue(rig.world.inputsRejectedSpeed() > 0 && rig.world.inputsDuplicate() > 0);
        assertEquals(PLAYERS + 200, rig.world.entityCount());
    }

    private void run(final WorldRig rig, final int ticks)
    {
        final GameWorld world = rig.world;
        for (int t = 0; t < ticks; t++)
        {
            nowNs += TICK_NS;
            sequence++;
            for (int i = 0; i < PLAYERS; i++)
            {
                final long id = 1_000_000 + i;
                final double heading = (sequence / 60 + i) * 0.7;
                final float scale = 0 == (sequence + i) % 97 ? 2f : 1f;
                world.onPlayerInput(id, sequence, (float)Math.cos(heading) * scale, (float)Math.sin(heading) * scale,
                    0, (float)heading, 0);
                if (0 == i % 50)
                {
                    world.onPlayerInput(id, sequence, 0, 0, 0, 0, 0);
                }
            }
            for (int v = 0; v < VIEWS; v++)
            {
                world.onClientView(rig.state.reset().entityId(5_000_000 + v).archetypeId(GameWorld.ARCHETYPE_PLAYER)
                    .position((v - 50) * 6 * MM + (sequence % 100) * 10, 310 * MM, 0).authorityEpoch(1), 9,
                    GameWorld.CHANGED_POSITION);
            }
            if (0 == sequence % 300)
            {
                world.onClientViewRemoved(5_000_000 + sequence % VIEWS);
            }
            world.tick(nowNs);
            rig.confirmSpawns();
            world.publish();
            // keep the players inside the world: turn them back at the edge
            final EntityTable entities = world.entities();
            for (int i = 0; i < PLAYERS; i++)
            {
                final int slot = entities.slotOf(1_000_000 + i);
                if (Math.abs(entities.positionX(slot)) > 280 * MM || Math.abs(entities.positionY(slot)) > 280 * MM)
                {
                    world.adopt(rig.state.reset().entityId(1_000_000 + i).archetypeId(GameWorld.ARCHETYPE_PLAYER)
                        .ownerPlayerId(1_000_000 + i).radius(0.5f).authorityEpoch(1)
                        .lastAppliedInputSequence(sequence));
                }
            }
        }
    }
}
