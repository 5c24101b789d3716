/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.orrery.core.server.EntitySnapshot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Aggregates: an entity inside a ship zone belongs to the territory of its top-level ancestor (the ship), so the
 * crew moves with the ship; a zone-subtree territory owns the zone and everything inside it wherever it is.
 */
@Tag("system")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MeshAggregateTest
{
    private static final long SHIP = Atlas.entityIdBase(1);
    private static final long CREW = SHIP + 1;
    private MeshTestShard shard;

    @AfterEach
    void after()
    {
        if (null != shard)
        {
            shard.close();
        }
    }

    private void createShipWithCrew(final TestGameServer creator)
    {
        final EntitySnapshot entity = new EntitySnapshot();
        entity.reset().entityId(creator.link.nextEntityId()).archetypeId(3).position(-5_000, 0, 0).radius(50);
        assertEquals(0, creator.link.createEntity(entity, true));
        entity.reset().entityId(creator.link.nextEntityId()).archetypeId(4).parentZoneId(SHIP)
            .position(2_000, 0, 1_000).radius(0.5f);
        assertEquals(0, creator.link.createEntity(entity, false));
    }

    @Test
    void shouldHandOffCrewWithShipWhenShipCrossesBorder()
    {
        shard = new MeshTestShard(MeshHandoffTest.TWO_SERVERS);
        final TestGameServer one = shard.startServer(1, null);
        final TestGameServer two = shard.startServer(2, null);
        createShipWithCrew(one);
        shard.ticksUntil(() -> one.owns(SHIP) && one.owns(CREW), 10, "ship and crew on server 1");
        one.vx[one.indexOf(SHIP)] = 30;

        for (int t = 0; t < 20 && !(two.owns(SHIP) && two.owns(CREW)); t++)
        {
            shard.tick();
            if (!shard.atlas().isHandingOff(SHIP) && !shard.atlas().isHandingOff(CREW))
            {
                assertEquals(shard.atlas().authorityOf(SHIP), shard.atlas().authorityOf(CREW),
                    "crew and ship always share their authority");
            }
        }
        assertTrue(two.owns(SHIP) && two.owns(CREW), "ship and crew moved to server 2 together");
        final int crewSlot = shard.store().slotOf(CREW);
        assertEquals(SHIP, shard.store().parentZoneId(crewSlot), "crew still inside the ship");
        assertEquals(2_000, shard.store().positionX(crewSlot), "crew local position unchanged");
        assertTrue(shard.store().positionX(shard.store().slotOf(SHIP)) > 0);
    }

    @Test
    void shouldGiveZoneSubtreeToItsTerritoryServerWherever()
    {
        shard = new MeshTestShard(MeshHandoffTest.TWO_SERVERS + "\nterritory 3 server 2 zone " + SHIP);
        final TestGameServer one = shard.startServer(1, null);
        final TestGameServer two = shard.startServer(2, null);
        createShipWithCrew(one);
        shard.ticksUntil(() -> two.owns(SHIP) && two.owns(CREW), 10, "ship subtree on server 2");
        assertTrue(shard.store().positionX(shard.store().slotOf(SHIP)) < 0, "although it is in server 1's box");
        assertEquals(0, one.count);
        for (int i = 0; i < 5; i++)
        {
            shard.tick();
        }
        assertEquals(2, shard.atlas().authorityOf(SHIP));
        assertEquals(2, shard.atlas().authorityOf(CREW));
    }
}
