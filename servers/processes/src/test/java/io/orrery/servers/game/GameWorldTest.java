/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers.game;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static io.orrery.servers.game.WorldRig.MM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The simulation core alone, stepped tick by tick with a controlled clock.
 */
class GameWorldTest
{
    private static final long TICK_NS = TimeUnit.SECONDS.toNanos(1) / 30;
    private static final long PLAYER = 1_000_001;

    private long nowNs = TimeUnit.SECONDS.toNanos(100);

    private void ticks(final WorldRig rig, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            nowNs += TICK_NS;
            rig.world.tick(nowNs);
            rig.confirmSpawns();
            rig.world.publish();
        }
    }

    private static WorldSettings quiet()
    {
        return new WorldSettings().npcsPerTerritory(0).seed(3);
    }

    @Test
    void shouldRejectAndCountMoveWhenImpliedSpeedExceedsMaxSpeed()
    {
        final WorldRig rig = new WorldRig(quiet().maxSpeedMps(10));
        rig.grantBox(1, -1000, -1000, 1000, 1000, nowNs);
        final int slot = rig.addPlayer(PLAYER, 0, 0);
        final EntityTable entities = rig.world.entities();

        assertEquals(GameWorld.INPUT_REJECTED_SPEED, rig.world.onPlayerInput(PLAYER, 1, 1, 1, 0, 0, 0),
            "a diagonal of two full axes is sqrt(2) x max speed");
        assertEquals(GameWorld.INPUT_REJECTED_SPEED, rig.world.onPlayerInput(PLAYER, 2, 5, 0, 0, 0, 0));
        assertEquals(GameWorld.INPUT_REJECTED_SPEED, rig.world.onPlayerInput(PLAYER, 3, Float.NaN, 0, 0, 0, 0));
        ticks(rig, 30);

        assertEquals(3, rig.world.inputsRejectedSpeed());
        assertEquals(0, rig.world.inputsApplied());
        assertEquals(0, entities.positionX(slot), "a rejected move is not applied");
        assertEquals(0, entities.positionY(slot));
        assertEquals(3, entities.lastAppliedInputSequence(slot), "its sequence is still echoed as processed");

        assertEquals(GameWorld.INPUT_ACCEPTED, rig.world.onPlayerInput(PLAYER, 4, 0.6f, 0.8f, 0, 0, 0));
        assertEquals(GameWorld.INPUT_ACCEPTED, rig.world.onPlayerInput(PLAYER, 5, 0.6f, 0.8f, 0, 0, 0),
            "a unit vector off by float rounding is within the tolerance");
        ticks(rig, 30);
        assertEquals(6_000, entities.positionX(slot), 30, "10 m/s for one second along (0.6, 0.8)");
        assertEquals(8_000, entities.positionY(slot), 30);
        assertEquals(10f, Math.hypot(entities.velocityX(slot), entities.velocityY(slot)), 1e-3);
        assertEquals(5, entities.lastAppliedInputSequence(slot));
        assertEquals(3, rig.world.inputsRejectedSpeed());
    }

    @Test
    void shouldKeepMoveInForceWhenLaterMoveRejected()
    {
        final WorldRig rig = new WorldRig(quiet());
        rig.grantBox(1, -1000, -1000, 1000, 1000, nowNs);
        final int slot = rig.addPlayer(PLAYER, 0, 0);
        rig.world.onPlayerInput(PLAYER, 1, 1, 0, 0, 0, 0);
        ticks(rig, 1);
        assertEquals(GameWorld.INPUT_REJECTED_SPEED, rig.world.onPlayerInput(PLAYER, 2, 3, 0, 0, 0, 0));
        ticks(rig, 29);
        assertEquals(10_000, rig.world.entities().positionX(slot), 30, "one second at the last valid move");
        assertEquals(2, rig.world.entities().lastAppliedInputSequence(slot));
    }

    @Test
    void shouldApplyInputOncePerSequenceWhenDuplicatedOrOutOfOrder()
    {
        final WorldRig rig = new WorldRig(quiet());
        rig.grantBox(1, -1000, -1000, 1000, 1000, nowNs);
        final int slot = rig.addPlayer(PLAYER, 0, 0);

        assertEquals(GameWorld.INPUT_ACCEPTED, rig.world.onPlayerInput(PLAYER, 7, 1, 0, 0, 0, 0));
        assertEquals(GameWorld.INPUT_DUPLICATE, rig.world.onPlayerInput(PLAYER, 7, 0, 1, 0, 0, 0));
        assertEquals(GameWorld.INPUT_DUPLICATE, rig.world.onPlayerInput(PLAYER, 6, 0, -1, 0, 0, 0));
        ticks(rig, 1);
        assertEquals(1, rig.world.inputsApplied());
        assertEquals(2, rig.world.inputsDuplicate());
        assertEquals(10f, rig.world.entities().velocityX(rig.world.entities().slotOf(PLAYER)), 1e-6);
        assertEquals(0f, rig.world.entities().velocityY(slot), 1e-6, "duplicates did not change the move");
        assertEquals(7, rig.world.entities().lastAppliedInputSequence(slot));

        assertEquals(GameWorld.INPUT_ACCEPTED, rig.world.onPlayerInput(PLAYER, 8, 0, 1, 0, 0, 0));
        assertEquals(GameWorld.INPUT_ACCEPTED, rig.world.onPlayerInput(PLAYER, 9, 0, -1, 0, 0, 0));
        ticks(rig, 1);
        assertEquals(2, rig.world.inputsApplied(), "the latest of several inputs in one tick is applied");
        assertEquals(-10f, rig.world.entities().velocityY(slot), 1e-6);
        assertEquals(9, rig.world.entities().lastAppliedInputSequence(slot));
        assertEquals(GameWorld.INPUT_UNKNOWN_ENTITY, rig.world.onPlayerInput(42, 1, 0, 0, 0, 0, 0));
    }

    @Test
    void shouldSkipInputsUpToSnapshotSequenceWhenAdoptedFromHandoff()
    {
        final WorldRig rig = new WorldRig(quiet());
        rig.grantBox(1, -1000, -1000, 1000, 1000, nowNs);
        final int slot = rig.world.adopt(rig.state.reset().entityId(PLAYER)
            .archetypeId(GameWorld.ARCHETYPE_PLAYER).ownerPlayerId(PLAYER).velocity(10, 0, 0).radius(0.5f)
            .authorityEpoch(4).lastAppliedInputSequence(120));
        assertEquals(4, rig.world.entities().epoch(slot));
        assertEquals(GameWorld.INPUT_DUPLICATE, rig.world.onPlayerInput(PLAYER, 120, 0, 1, 0, 0, 0));
        ticks(rig, 30);
        assertEquals(10_000, rig.world.entities().positionX(slot), 30, "the snapshot's motion continues");
        assertEquals(GameWorld.INPUT_ACCEPTED, rig.world.onPlayerInput(PLAYER, 121, 0, 0, 0, 0, 0));
    }

    @Test
    void shouldApplyPendingInputAndHandBackFinalStateWhenReleased()
    {
        final WorldRig rig = new WorldRig(quiet());
        rig.grantBox(1, -1000, -1000, 1000, 1000, nowNs);
        rig.addPlayer(PLAYER, 0, 0);
        rig.world.onPlayerInput(PLAYER, 11, 0, 1, 0, 1.5f, 0);

        final int slot = rig.world.release(PLAYER);
        final EntityTable entities = rig.world.entities();
        assertEquals(11, entities.lastAppliedInputSequence(slot), "the final state holds every input received");
        assertEquals(10f, entities.velocityY(slot), 1e-6);
        assertEquals(Math.sin(0.75), entities.orientationZ(slot), 1e-6);
        assertTrue(rig.world.forget(PLAYER));
        assertEquals(EntityTable.NULL_SLOT, entities.slotOf(PLAYER));
        assertEquals(EntityTable.NULL_SLOT, rig.world.release(PLAYER));
    }

    @Test
    void shouldKeepWanderingNpcsInsideTerritoryWhenSimulatedForMinutes()
    {
        final WorldRig rig = new WorldRig(new WorldSettings().npcsPerTerritory(40).followFraction(0)
            .npcSpeedMps(8).borderInsetM(1).seed(11));
        rig.grantBox(1, 0, -100, 200, 100, nowNs);
        final EntityTable entities = rig.world.entities();
        long waypointsReached = 0;
        for (int tick = 0; tick < 30 * 180; tick++)
        {
            ticks(rig, 1);
            for (int slot = 0; slot < entities.size(); slot++)
            {
                final long x = entities.positionX(slot);
                final long y = entities.positionY(slot);
                assertTrue(x >= MM && x <= 199 * MM && y >= -99 * MM && y <= 99 * MM,
                    "npc " + entities.entityId(slot) + " at (" + x + ", " + y + ")");
                waypointsReached += 0 == entities.velocityX(slot) && 0 == entities.velocityY(slot) ? 1 : 0;
            }
        }
        assertEquals(40, entities.size());
        assertTrue(waypointsReached > 40, "npcs reach waypoints and pick new ones: " + waypointsReached);
        final long[] spread = new long[4];
        for (int slot = 0; slot < entities.size(); slot++)
        {
            spread[(entities.positionX(slot) < 100 * MM ? 0 : 1) + (entities.positionY(slot) < 0 ? 0 : 2)]++;
        }
        for (final long quadrant : spread)
        {
            assertTrue(quadrant > 0, "npcs roam the whole territory");
        }
    }

    @Test
    void shouldMoveFollowerTowardPlayerWhenPlayerWithinRange()
    {
        final WorldRig rig = new WorldRig(new WorldSettings().npcsPerTerritory(1).followFraction(1)
            .followRangeM(30).followStopDistanceM(3).npcSpawnGraceNs(0).seed(5));
        rig.grantBox(1, -20, -20, 20, 20, nowNs);
        ticks(rig, 2);
        final EntityTable entities = rig.world.entities();
        assertEquals(1, entities.size());
        final long npc = entities.entityId(0);
        final int npcSlot = entities.slotOf(npc);
        assertEquals(EntityTable.KIND_NPC_FOLLOW, entities.kind(npcSlot));
        final long playerX = entities.positionX(npcSlot) > 0 ? entities.positionX(npcSlot) - 15 * MM :
            entities.positionX(npcSlot) + 15 * MM;
        rig.addPlayer(PLAYER, playerX, entities.positionY(npcSlot));

        ticks(rig, 30 * 5);
        final int slot = entities.slotOf(npc);
        assertEquals(PLAYER, entities.followEntityId(slot));
        final long distance = Math.abs(entities.positionX(slot) - playerX);
        assertTrue(distance <= 3 * MM + 200 && distance >= 3 * MM - 200, "stops next to the player: " + distance);
    }

    @Test
    void shouldFollowPlayerSeenThroughClientViewButStopAtOwnBorder()
    {
        final WorldRig rig = new WorldRig(new WorldSettings().npcsPerTerritory(1).followFraction(1)
            .followRangeM(100).npcSpeedMps(5).npcSpawnGraceNs(0).seed(5)
            .npcLifetimeNs(TimeUnit.HOURS.toNanos(1), TimeUnit.HOURS.toNanos(1)));
        rig.grantBox(1, -50, -20, 0, 20, nowNs);
        ticks(rig, 2);
        final EntityTable entities = rig.world.entities();
        final long npc = entities.entityId(0);
        rig.world.onClientView(rig.state.reset().entityId(PLAYER).archetypeId(GameWorld.ARCHETYPE_PLAYER)
            .position(10 * MM, 0, 0).authorityEpoch(1), 2, GameWorld.CHANGED_ALL);

        ticks(rig, 30 * 30);
        final int slot = entities.slotOf(npc);
        assertEquals(PLAYER, entities.followEntityId(slot), "follows the player owned by server 2");
        assertEquals(-MM, entities.positionX(slot), "waits at its border, inset by 1 m");
        assertEquals(0, entities.positionY(slot), 200);

        rig.world.onClientView(rig.state.reset().entityId(PLAYER).archetypeId(GameWorld.ARCHETYPE_PLAYER)
            .position(10 * MM, 15 * MM, 0).authorityEpoch(0), 2, GameWorld.CHANGED_POSITION);
        ticks(rig, 30 * 10);
        assertEquals(15 * MM, entities.positionY(entities.slotOf(npc)), 200, "tracks the view's moves");
        rig.world.onClientViewRemoved(PLAYER);
        ticks(rig, 30);
        assertEquals(0, entities.followEntityId(entities.slotOf(npc)), "the view left: nobody to follow");
    }

    @Test
    void shouldDestroyAndRespawnNpcsWhenLifetimeEnds()
    {
        final WorldRig rig = new WorldRig(new WorldSettings().npcsPerTerritory(10)
            .npcLifetimeNs(TimeUnit.SECONDS.toNanos(2), TimeUnit.SECONDS.toNanos(4)).npcSpawnGraceNs(0).seed(9));
        rig.grantBox(1, -100, -100, 100, 100, nowNs);
        ticks(rig, 1);
        assertEquals(10, rig.spawned.size(), "a territory is topped up to its npc count");
        assertEquals(10, rig.world.entities().size());

        ticks(rig, 30 * 10);
        assertTrue(rig.destroyed.size() >= 20, "every npc lived 2..4 s: " + rig.destroyed.size());
        assertEquals(rig.spawned.size(), rig.destroyed.size() + 10, "each destroyed npc was replaced");
        assertEquals(10, rig.world.entities().size());
        assertEquals(rig.world.npcsDestroyed(), rig.destroyed.size());
        for (int i = 0; i < rig.spawned.size(); i++)
        {
            assertEquals(WorldRig.ID_BASE + i, rig.spawned.getLong(i), "ids come from the block, in order");
        }
        for (int i = 0; i < rig.destroyed.size(); i++)
        {
            assertEquals(EntityTable.NULL_SLOT, rig.world.entities().slotOf(rig.destroyed.getLong(i)));
        }
    }

    @Test
    void shouldGiveUpSpawnWhenNeverStreamedIn()
    {
        final WorldRig rig = new WorldRig(new WorldSettings().npcsPerTerritory(3).npcSpawnGraceNs(0)
            .spawnConfirmTimeoutNs(TimeUnit.SECONDS.toNanos(1)).maxSpawnsPerTick(3));
        rig.grantBox(1, -100, -100, 100, 100, nowNs);
        nowNs += TICK_NS;
        rig.world.tick(nowNs);
        assertEquals(3, rig.world.entities().size());
        assertFalse(rig.world.entities().isActive(0), "not simulated before the layer streams it in");
        assertEquals(0, rig.world.publish(), "nor published");
        for (int i = 0; i < 31; i++)
        {
            nowNs += TICK_NS;
            rig.world.tick(nowNs);
        }
        assertEquals(3, rig.world.spawnsUnconfirmed());
        assertEquals(3, rig.world.entities().size(), "replaced by new requests");
        assertNotEquals(WorldRig.ID_BASE, rig.world.entities().entityId(0));
    }

    @Test
    void shouldStopSpawningWhenIdBlockExhausted()
    {
        final WorldRig rig = new WorldRig(new WorldSettings().npcsPerTerritory(10).npcSpawnGraceNs(0));
        rig.world.idBlock(WorldRig.ID_BASE, 4);
        rig.grantBox(1, -100, -100, 100, 100, nowNs);
        ticks(rig, 3);
        assertEquals(4, rig.world.entities().size());
        assertEquals(3, rig.world.spawnFailures(), "one failed attempt per tick");
    }

    @Test
    void shouldWaitForStreamedInEntitiesBeforeToppingUpWhenGranted()
    {
        final WorldRig rig = new WorldRig(new WorldSettings().npcsPerTerritory(5)
            .npcSpawnGraceNs(TimeUnit.MILLISECONDS.toNanos(500)));
        rig.grantBox(1, -100, -100, 100, 100, nowNs);
        for (int i = 0; i < 3; i++)
        {
            rig.world.adopt(rig.state.reset().entityId(7_000 + i).archetypeId(GameWorld.ARCHETYPE_NPC)
                .position(i * MM, 0, 0).radius(0.5f).authorityEpoch(2));
        }
        ticks(rig, 30);
        assertEquals(2, rig.spawned.size(), "three failed-over npcs count towards the five");
        assertEquals(5, rig.world.entities().size());
    }

    @Test
    void shouldDropEntitiesOfTerritoryWhenRevoked()
    {
        final WorldRig rig = new WorldRig(new WorldSettings().npcsPerTerritory(5).npcSpawnGraceNs(0));
        rig.grantBox(1, -100, -100, 0, 100, nowNs);
        rig.grantBox(2, 0, -100, 100, 100, nowNs);
        ticks(rig, 2);
        rig.addPlayer(PLAYER, -50 * MM, 0);
        rig.addPlayer(PLAYER + 1, 50 * MM, 0);
        ticks(rig, 1);
        assertEquals(12, rig.world.entities().size());

        assertEquals(6, rig.world.revokeTerritory(1));
        final EntityTable entities = rig.world.entities();
        assertEquals(6, entities.size());
        assertEquals(EntityTable.NULL_SLOT, entities.slotOf(PLAYER));
        for (int slot = 0; slot < entities.size(); slot++)
        {
            assertEquals(2, entities.territoryId(slot));
        }
        assertEquals(-1, rig.world.territoryEpoch(1));
        assertEquals(6, rig.world.revokeTerritory(2));
        assertEquals(0, entities.size());
    }

    @Test
    void shouldPublishChangedFieldsWithEpochOnceAndOnlyWhileChanging()
    {
        final WorldRig rig = new WorldRig(quiet());
        rig.grantBox(1, -1000, -1000, 1000, 1000, nowNs);
        final int slot = rig.addPlayer(PLAYER, 0, 0);
        assertEquals(GameWorld.CHANGED_ALL, rig.world.entities().changedMask(slot), "full state after stream-in");
        assertEquals(1, rig.world.publish());
        ticks(rig, 3);
        assertEquals(1, rig.published, "idle player: nothing to publish");
        rig.world.onPlayerInput(PLAYER, 1, 1, 0, 0, 0, 0);
        rig.world.tick(nowNs += TICK_NS);
        final int mask = rig.world.entities().changedMask(slot);
        assertEquals(GameWorld.CHANGED_POSITION | GameWorld.CHANGED_VELOCITY | GameWorld.CHANGED_LAST_APPLIED_INPUT,
            mask);
        rig.world.publish();
        rig.world.tick(nowNs += TICK_NS);
        assertEquals(GameWorld.CHANGED_POSITION, rig.world.entities().changedMask(slot));
    }
}
