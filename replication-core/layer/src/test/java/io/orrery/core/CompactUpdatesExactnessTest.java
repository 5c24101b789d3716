/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core;

import io.orrery.core.client.ClientEntityView;
import io.orrery.core.client.ClientSession;
import io.orrery.core.replicant.EntityStore;
import io.orrery.core.replicant.InterestConfig;
import io.orrery.wire.CompactUpdates;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static io.orrery.core.TestShard.MM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Compact updates are exact: over thousands of ticks of random movement, with zones that move and entities that
 * change zone, leave and re-enter bubbles, every client's reconstructed view (summed centimetre deltas) is compared
 * with the layer's cache after every tick: within {@link CompactUpdates#POSITION_TOLERANCE_MM} (half the delta unit)
 * of the cache's millimetres, so a drift of a single unit, a lost delta or a wrong baseline shows up at once.
 * Velocity and orientation are compared within their quantisation. The shard and the client link are stepped on one controlled clock.
 */
final class CompactUpdatesExactnessTest
{
    private static final int TICKS = 3000;
    private static final int ENTITIES = 48;
    private static final int ZONES = 2;
    private static final long FIRST_ENTITY = 1000;
    private static final long FIRST_ZONE = 500;
    private static final long[] PLAYERS = { 1, 2, 3 };
    private static final long[] PLAYER_X_M = { 0, 150, -150 };
    private static final int HISTORY = InterestConfig.DEFAULT_FAR_TIER_PERIOD;
    private static final double VELOCITY_TOLERANCE = 0.0101;
    private static final double ORIENTATION_TOLERANCE = 0.01;
    private static final long TOLERANCE_MM = CompactUpdates.POSITION_TOLERANCE_MM;

    private TestShard shard;
    private final Random random = new Random(13);
    private final long[] ids = new long[ENTITIES + ZONES + PLAYERS.length];
    // per entity: HISTORY ticks of (zone, x, y, z), newest at tick % HISTORY
    private final long[] history = new long[ids.length * HISTORY * 4];

    @AfterEach
    void close()
    {
        if (null != shard)
        {
            shard.close();
        }
    }

    @Test
    void shouldHoldTheCachesPositionsWithinHalfAUnitEveryTickWhenEveryEntityIsUpdatedEveryTick()
    {
        run(false);
    }

    @Test
    void shouldHoldPositionsTheCacheHadWithinTheSlowestTierAndTheOwnEntityEveryTickWhenTiersThinUpdates()
    {
        run(true);
    }

    private void run(final boolean tiers)
    {
        shard = new TestShard((ctx) ->
        {
            ctx.bandwidthBytesPerTick(64 * 1024).compactUpdates(true);
            if (!tiers)
            {
                ctx.midTierPeriod(1).farTierPeriod(1);
            }
        });
        final ClientSession[] clients = new ClientSession[PLAYERS.length];
        for (int i = 0; i < PLAYERS.length; i++)
        {
            clients[i] = shard.connect(PLAYERS[i], PLAYER_X_M[i]);
            assertTrue(clients[i].isConnected());
        }
        shard.tick();

        final EntityStore store = shard.store();
        int n = 0;
        for (int z = 0; z < ZONES; z++)
        {
            final long id = FIRST_ZONE + z;
            final int slot = store.create(id, 9, 0, 0, true);
            assertTrue(slot >= 0);
            store.position(slot, (z == 0 ? 100 : -100) * MM, 0, 0);
            store.radius(slot, 20);
            ids[n++] = id;
        }
        for (int e = 0; e < ENTITIES; e++)
        {
            final long id = FIRST_ENTITY + e;
            final long zone = 0 == e % 3 ? FIRST_ZONE + e % ZONES : 0;
            final int slot = store.create(id, 7, 0, zone, false);
            assertTrue(slot >= 0);
            store.position(slot, (random.nextInt(600) - 300) * MM, random.nextInt(4000), (random.nextInt(100) - 50) *
                MM);
            store.radius(slot, 0.5f + random.nextInt(3));
            ids[n++] = id;
        }
        for (final long player : PLAYERS)
        {
            ids[n++] = player;
        }

        for (int h = 0; h < HISTORY; h++)
        {
            record(store, h);
        }
        for (int tick = 0; tick < TICKS; tick++)
        {
            move(store, tick);
            record(store, tick);
            shard.tick();
            for (final ClientSession client : clients)
            {
                compare(store, client, tick, tiers);
            }
        }

        // everything stops: every client converges on the cache (within half a unit), whatever tier, after thousands
        // of deltas: nothing drifted
        for (int tick = TICKS; tick < TICKS + HISTORY; tick++)
        {
            record(store, tick);
            shard.tick();
        }
        for (final ClientSession client : clients)
        {
            compareExactly(store, client);
            assertEquals(0, client.updatesForUnknownEntities());
            assertTrue(client.view().size() > ENTITIES / 2, "most entities in view: " + client.view().size());
            assertTrue(client.updatesReceived() > (long)TICKS * ENTITIES / 8, "updates: " + client.updatesReceived());
        }
    }

    private void move(final EntityStore store, final int tick)
    {
        for (final long id : ids)
        {
            final int slot = store.slotOf(id);
            if (EntityStore.NULL_SLOT == slot)
            {
                continue;
            }
            final boolean isZone = id >= FIRST_ZONE && id < FIRST_ZONE + ZONES;
            final long step = isZone ? 1500 : 400;
            final long limit = 350 * MM;
            long x = store.positionX(slot) + random.nextLong() % step;
            long y = store.positionY(slot) + (random.nextInt(8) == 0 ? random.nextLong() % 50 : 0);
            final long z = store.positionZ(slot) + random.nextLong() % step;
            if (random.nextInt(400) == 0 && !isZone)
            {
                x += (random.nextInt(2) == 0 ? -1 : 1) * 60 * MM; // a teleport: a large delta
            }
            x = Math.max(-limit, Math.min(limit, x));
            y = Math.max(-limit, Math.min(limit, y));
            store.position(slot, x, y, Math.max(-limit, Math.min(limit, z)));

            if (random.nextInt(4) == 0)
            {
                store.velocity(
                    slot, random.nextFloat() * 10 - 5, random.nextFloat() - 0.5f, random.nextFloat() * 10 - 5);
            }
            if (random.nextInt(3) == 0)
            {
                final double yaw = random.nextDouble() * Math.PI * 2;
                store.orientation(slot, 0, (float)Math.sin(yaw / 2), 0, (float)Math.cos(yaw / 2));
            }
            if (!isZone && id >= FIRST_ENTITY && random.nextInt(300) == 0)
            {
                final long zone = store.parentZoneId(slot) == 0 ? FIRST_ZONE + random.nextInt(ZONES) : 0;
                assertEquals(EntityStore.OK, store.parentZone(slot, zone));
                store.position(slot, (random.nextInt(40) - 20) * MM, 0, (random.nextInt(40) - 20) * MM);
            }
        }
        if (tick % 500 == 250)
        {
            // an entity leaves the world and comes back under the same id: despawn, then spawn with a new handle
            final long id = FIRST_ENTITY + random.nextInt(ENTITIES);
            assertTrue(store.remove(id));
            final int slot = store.create(id, 7, 0, 0, false);
            store.position(slot, (random.nextInt(200) - 100) * MM, 0, 0);
        }
    }

    private void record(final EntityStore store, final int tick)
    {
        final int h = tick % HISTORY;
        for (int i = 0; i < ids.length; i++)
        {
            final int slot = store.slotOf(ids[i]);
            final int base = (i * HISTORY + h) * 4;
            if (EntityStore.NULL_SLOT == slot)
            {
                history[base] = Long.MIN_VALUE;
                continue;
            }
            history[base] = store.parentZoneId(slot);
            history[base + 1] = store.positionX(slot);
            history[base + 2] = store.positionY(slot);
            history[base + 3] = store.positionZ(slot);
        }
    }

    private void compare(final EntityStore store, final ClientSession client, final int tick, final boolean tiers)
    {
        final ClientEntityView view = client.view();
        for (int i = 0; i < ids.length; i++)
        {
            final long id = ids[i];
            final int viewSlot = view.slotOf(id);
            if (ClientEntityView.NULL_SLOT == viewSlot || EntityStore.NULL_SLOT == store.slotOf(id))
            {
                continue;
            }
            if (!tiers || id == client.playerEntityId())
            {
                assertSame(store, view, id, viewSlot, tick, client);
                continue;
            }
            boolean matched = false;
            for (int h = 0; h < HISTORY && !matched; h++)
            {
                final int base = (i * HISTORY + h) * 4;
                matched = history[base] == view.parentZoneId(viewSlot) &&
                    Math.abs(history[base + 1] - view.positionX(viewSlot)) <= TOLERANCE_MM &&
                    Math.abs(history[base + 2] - view.positionY(viewSlot)) <= TOLERANCE_MM &&
                    Math.abs(history[base + 3] - view.positionZ(viewSlot)) <= TOLERANCE_MM;
            }
            if (!matched)
            {
                fail("tick " + tick + " client " + client.playerEntityId() + " entity " + id + " at (" +
                    view.parentZoneId(viewSlot) + ": " + view.positionX(viewSlot) + ", " + view.positionY(viewSlot) +
                    ", " + view.positionZ(viewSlot) + ") is not within " + TOLERANCE_MM +
                    " mm of any of the cache's last " + HISTORY + " positions");
            }
        }
    }

    private void compareExactly(final EntityStore store, final ClientSession client)
    {
        final ClientEntityView view = client.view();
        for (final long id : ids)
        {
            final int viewSlot = view.slotOf(id);
            if (ClientEntityView.NULL_SLOT != viewSlot && EntityStore.NULL_SLOT != store.slotOf(id))
            {
                assertSame(store, view, id, viewSlot, TICKS, client);
            }
        }
    }

    private static void assertSame(
        final EntityStore store,
        final ClientEntityView view,
        final long id,
        final int viewSlot,
        final int tick,
        final ClientSession client)
    {
        final int slot = store.slotOf(id);
        final String where = "tick " + tick + " client " + client.playerEntityId() + " entity " + id;
        assertEquals(store.parentZoneId(slot), view.parentZoneId(viewSlot), where);
        assertEquals(store.positionX(slot), view.positionX(viewSlot), TOLERANCE_MM, where);
        assertEquals(store.positionY(slot), view.positionY(viewSlot), TOLERANCE_MM, where);
        assertEquals(store.positionZ(slot), view.positionZ(viewSlot), TOLERANCE_MM, where);
        assertEquals(store.velocityX(slot), view.velocityX(viewSlot), VELOCITY_TOLERANCE, where);
        assertEquals(store.velocityY(slot), view.velocityY(viewSlot), VELOCITY_TOLERANCE, where);
        assertEquals(store.velocityZ(slot), view.velocityZ(viewSlot), VELOCITY_TOLERANCE, where);
        final double sign = Math.signum(store.orientationW(slot) * view.orientationW(viewSlot) +
            store.orientationY(slot) * view.orientationY(viewSlot) + 1e-9);
        assertEquals(store.orientationY(slot), sign * view.orientationY(viewSlot), ORIENTATION_TOLERANCE, where);
        assertEquals(store.orientationW(slot), sign * view.orientationW(viewSlot), ORIENTATION_TOLERANCE, where);
        assertEquals(store.radius(slot), view.radius(viewSlot), where);
    }
}
