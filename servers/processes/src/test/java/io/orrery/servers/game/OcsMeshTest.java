/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers.game;

import io.orrery.core.authority.ScriptedAuthority;
import io.orrery.core.client.ClientSession;
import io.orrery.core.common.EntityIds;
import io.orrery.core.persistence.NodeRecord;
import io.orrery.core.persistence.WorldBatch;
import io.orrery.core.replicant.EntityStore;
import io.orrery.core.replicant.RegionStreamer;
import io.orrery.core.status.OrreryCounter;
import io.orrery.persistence.rocksdb.RocksDbPersistenceAdapter;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static io.orrery.servers.game.MeshRig.MM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Server OCS with game servers: entities stored in a territory nobody is near are not simulated by anyone; when a
 * player walks there they are streamed in from RocksDB and given to that territory's game server, which simulates
 * them; when the player leaves they are persisted with their latest state, dropped by the server and evicted; when
 * the player comes back they continue from that state on the same server. Two servers split at x = 0, the player
 * starts in the west; every stored NPC lives in the east.
 */
@Tag("system")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class OcsMeshTest
{
    private static final String CONFIG = String.join("\n",
        "servers 1,2",
        "territory 1 server 1 box -inf -inf -inf 0 inf inf",
        "territory 2 server 2 box 0 -inf -inf inf inf inf",
        "view-margin 50",
        "heartbeat-timeout 500",
        "handoff-timeout 250",
        "spawn -300 0 0 1");
    private static final int NPCS = 150;
    private static final long NPC_BASE = EntityIds.SCRIPTED_BASE + 500_000;
    private static final long PLAYER = 7;
    private static final double SPEED_MPS = 50;

    @Test
    void shouldStreamStoredEntitiesToTheTerritoryOwnerAndOutAgainWhenAPlayerComesAndGoes(@TempDir final Path dir)
    {
        try (RocksDbPersistenceAdapter adapter = RocksDbPersistenceAdapter.open(dir.resolve("store")))
        {
            seed(adapter);
        }

        final long[] lastX = new long[NPCS];
        final long[] lastY = new long[NPCS];
        final long[] backX = new long[NPCS];
        final long[] backY = new long[NPCS];
        final long[] finalX = new long[NPCS];
        final long[] finalY = new long[NPCS];
        java.util.Arrays.fill(backX, Long.MIN_VALUE);
        try (RocksDbPersistenceAdapter adapter = RocksDbPersistenceAdapter.open(dir.resolve("store"));
            MeshRig rig = ocsRig(adapter))
        {
            final EntityStore store = rig.layer.replicant().store();
            final RegionStreamer streamer = rig.layer.replicant().regionStreamer();
            assertNotNull(streamer, "OCS is on");
            final GameServerAgent one = rig.addServer(1, world(11));
            final GameServerAgent two = rig.addServer(2, world(12));
            rig.await(() -> GameServerAgent.STATE_RUNNING == one.state() &&
                GameServerAgent.STATE_RUNNING == two.state(), "both servers welcomed");
            rig.ticksUntil(() -> 1 == one.world().territoryCount() && 1 == two.world().territoryCount(), 60,
                () -> "territories granted: states " + one.state() + ", " + two.state());

            final ClientSession session = rig.connect(PLAYER);
            rig.ticksUntil(() -> 1 == one.world().playerCount(), 60, "the player on server 1");
            rig.ticksUntil(() -> 0 == streamer.loadsInFlight(), 60, "the spawn's cells");
            assertEquals(0, cached(store), "nothing of the east is loaded while the player is in the west");
            assertEquals(0, two.world().entityCount());

            // Walk east to x = 400 m: the east streams in and server 2 simulates it.
            walkTo(rig, session, store, 400, () -> {});
            rig.ticksUntil(() -> cached(store) == NPCS && simulatedBy(two) == NPCS && 0 == simulatedBy(one), 300,
                () -> "stored NPCs streamed in to server 2: cached " + cached(store) + ", server 2 " +
                simulatedBy(two) + ", server 1 " + simulatedBy(one) + "; " + diagnostics(rig, session));
            assertTrue(streamer.entitiesStreamedIn() >= NPCS);
            final long[] arrivedX = new long[NPCS];
            for (int i = 0; i < NPCS; i++)
            {
                arrivedX[i] = store.positionX(store.slotOf(NPC_BASE + i));
            }
            rig.ticks(90); // three seconds of wandering at 2 m/s
            int moved = 0;
            for (int i = 0; i < NPCS; i++)
            {
                moved += store.positionX(store.slotOf(NPC_BASE + i)) != arrivedX[i] ? 1 : 0;
            }
            assertTrue(moved > NPCS / 2, "server 2 simulates the streamed-in NPCs: " + moved + " moved");

            // Walk back west: the east is persisted, dropped by server 2 and evicted.
            walkTo(rig, session, store, -300, () -> copyPositions(store, lastX, lastY, false));
            rig.ticksUntil(() ->
            {
                copyPositions(store, lastX, lastY, false);
                return 0 == cached(store) && 0 == simulatedBy(two);
            }, 600, () -> "the east streamed out: cached " + cached(store) + ", server 2 " + simulatedBy(two) + "; " +
                diagnostics(rig, session));
            assertTrue(streamer.entitiesStreamedOut() >= NPCS, "streamed out " + streamer.entitiesStreamedOut() +
                ", destroyed by the servers " + (one.world().npcsDestroyed() + two.world().npcsDestroyed()));

            // And east again: the same NPCs come back, to server 2, where they were left.
            walkTo(rig, session, store, 400, () -> copyPositions(store, backX, backY, true));
            rig.ticksUntil(() ->
            {
                copyPositions(store, backX, backY, true);
                return cached(store) == NPCS && simulatedBy(two) == NPCS;
            }, 300, () -> "streamed in again: cached " + cached(store) + ", server 2 " + simulatedBy(two) + "; " +
                diagnostics(rig, session));
            for (int i = 0; i < NPCS; i++)
            {
                // the last tick seen before the eviction may be one server tick (2 m/s: 67 mm) behind what was stored
                assertEquals(lastX[i], backX[i], 1000, "NPC " + i + " continues where it was streamed out (x)");
                assertEquals(lastY[i], backY[i], 1000, "NPC " + i + " continues where it was streamed out (y)");
            }

            System.out.println("OCS with game servers: " + streamer.entitiesStreamedIn() + " entities streamed in, " +
                streamer.entitiesStreamedOut() + " out; writes for entities no longer owned (rejected): " +
                rig.layer.counter(OrreryCounter.UNAUTHORISED_WRITES) + "; handoffs " +
                rig.layer.counter(OrreryCounter.HANDOFFS_COMMITTED));
            assertEquals(0, rig.layer.counter(OrreryCounter.ERRORS));
            assertEquals(0, rig.layer.counter(OrreryCounter.STALE_EPOCH_WRITES));
            assertEquals(0, streamer.failures());
            assertEquals(0, one.world().adoptFailures() + two.world().adoptFailures());
            assertEquals(0, session.updatesForUnknownEntities() + session.despawnsForUnknownEntities());
            assertTrue(session.isConnected());
            copyPositions(store, finalX, finalY, false);
        }

        // Closing wrote every NPC behind exactly as the layer last had it.
        try (RocksDbPersistenceAdapter adapter = RocksDbPersistenceAdapter.open(dir.resolve("store")))
        {
            final int[] found = new int[1];
            adapter.loadAll((node) ->
            {
                final int i = (int)(node.entityId - NPC_BASE);
                if (i >= 0 && i < NPCS)
                {
                    found[0]++;
                    assertEquals(ScriptedAuthority.ARCHETYPE_NPC, node.archetypeId);
                    assertEquals(finalX[i], node.x, "NPC " + i + " stored x");
                    assertEquals(finalY[i], node.y, "NPC " + i + " stored y");
                }
            });
            assertEquals(NPCS, found[0], "every NPC is in the store once");
        }
    }

    @Test
    void shouldKeepEachTerritorysNpcPopulationWhenItsNpcsAreStreamedOut(@TempDir final Path dir)
    {
        final int perTerritory = 20;
        final long stored;
        try (RocksDbPersistenceAdapter adapter = RocksDbPersistenceAdapter.open(dir.resolve("store"));
            MeshRig rig = ocsRig(adapter))
        {
            final RegionStreamer streamer = rig.layer.replicant().regionStreamer();
            final GameServerAgent one = rig.addServer(1, world(21).npcsPerTerritory(perTerritory)
                .worldHalfExtentM(800));
            final GameServerAgent two = rig.addServer(2, world(22).npcsPerTerritory(perTerritory)
                .worldHalfExtentM(800));
            rig.await(() -> GameServerAgent.STATE_RUNNING == one.state() &&
                GameServerAgent.STATE_RUNNING == two.state(), "both servers welcomed");
            final ClientSession session = rig.connect(PLAYER);
            final EntityStore store = rig.layer.replicant().store();
            rig.ticksUntil(() -> 2 * perTerritory == countNpcs(one) + countNpcs(two), 300,
                () -> "territories populated: " + diagnostics(rig, session));

            // The player visits the east and leaves: the NPCs near its path are streamed out a second after. A server
            // that topped its territory up again for each would add NPCs to the stored world at every visit.
            walkTo(rig, session, store, 400, () -> {});
            walkTo(rig, session, store, -300, () -> {});
            rig.ticksUntil(() -> two.world().dormantNpcCount() > 0, 300,
                () -> "server 2's NPCs near the path streamed out: " + diagnostics(rig, session));
            rig.ticks(300);
            final int dormant = one.world().dormantNpcCount() + two.world().dormantNpcCount();
            System.out.println("OCS top-up: spawned " + one.world().npcsSpawned() + " + " +
                two.world().npcsSpawned() + ", dormant " + dormant + ", streamed out " +
                streamer.entitiesStreamedOut() + ", in " + streamer.entitiesStreamedIn());
            assertEquals(2 * perTerritory, one.world().npcsSpawned() + two.world().npcsSpawned(),
                "each territory populated once: streamed-out NPCs still count");
            assertEquals(2 * perTerritory, dormant + countNpcs(one) + countNpcs(two));
            assertTrue(session.isConnected());
            assertEquals(0, rig.layer.counter(OrreryCounter.ERRORS));
        }
        try (RocksDbPersistenceAdapter adapter = RocksDbPersistenceAdapter.open(dir.resolve("store")))
        {
            stored = adapter.nodeCount();
        }
        assertEquals(2 * perTerritory, stored, "the stored world holds each NPC once");
    }

    private static int countNpcs(final GameServerAgent server)
    {
        final EntityTable entities = server.world().entities();
        int count = 0;
        for (int slot = 0; slot < entities.size; slot++)
        {
            count += entities.active[slot] && GameWorld.ARCHETYPE_NPC == entities.archetype[slot] ? 1 : 0;
        }
        return count;
    }

    /**
     * @param firstOnly keep the first position seen (where an NPC came back), else the latest.
     */
    private static void copyPositions(
        final EntityStore store, final long[] xs, final long[] ys, final boolean firstOnly)
    {
        for (int i = 0; i < NPCS; i++)
        {
            final int slot = store.slotOf(NPC_BASE + i);
            if (slot >= 0 && (!firstOnly || Long.MIN_VALUE == xs[i]))
            {
                xs[i] = store.positionX(slot);
                ys[i] = store.positionY(slot);
            }
        }
    }

    /**
     * Two servers split at x = 0 over the store, OCS on: 100 m cells, streamed out after 1 s, a 60 m bubble.
     */
    private static MeshRig ocsRig(final RocksDbPersistenceAdapter adapter)
    {
        return new MeshRig(CONFIG, (ctx) -> ctx
            .persistenceAdapter(adapter)
            .persistenceFlushIntervalNs(TimeUnit.MILLISECONDS.toNanos(50))
            .bubbleRadiusM(60)
            .ocsEnabled(true)
            .ocsCellSizeM(100)
            .ocsStreamOutDelayNs(TimeUnit.SECONDS.toNanos(1)));
    }

    /**
     * No NPCs of the servers' own (only the stored ones), wandering slowly, living longer than the test.
     */
    private static WorldSettings world(final long seed)
    {
        return new WorldSettings().npcsPerTerritory(0).maxSpeedMps(SPEED_MPS).npcSpeedMps(2).followFraction(0)
            .npcLifetimeNs(TimeUnit.HOURS.toNanos(1), TimeUnit.HOURS.toNanos(2)).seed(seed);
    }

    /**
     * Walk the player along x, running {@code afterTick} after every tick.
     */
    private static void walkTo(
        final MeshRig rig,
        final ClientSession session,
        final EntityStore store,
        final long xM,
        final Runnable afterTick)
    {
        rig.ticksUntil(() ->
        {
            afterTick.run();
            final int slot = store.slotOf(PLAYER);
            final long dx = xM * MM - store.positionX(slot);
            if (Math.abs(dx) < 5 * MM)
            {
                return true;
            }
            rig.send(session, dx > 0 ? 1 : -1, 0);
            return false;
        }, (int)(2 * 30 * 800 / SPEED_MPS), () -> "the player to walk to x = " + xM + " m, at " +
            store.positionX(store.slotOf(PLAYER)) / MM + " m; " + diagnostics(rig, session));
        rig.send(session, 0, 0);
        rig.ticks(3);
    }

    private static String diagnostics(final MeshRig rig, final ClientSession session)
    {
        final RegionStreamer streamer = rig.layer.replicant().regionStreamer();
        return "players on servers " +
            rig.servers.get(0).world().playerCount() + "/" + rig.servers.get(1).world().playerCount() +
            ", inputs received " + rig.layer.counter(OrreryCounter.INPUTS_RECEIVED) + ", forwarded " +
            rig.layer.counter(OrreryCounter.INPUTS_FORWARDED) + ", buffered " +
            rig.layer.counter(OrreryCounter.HANDOFF_INPUTS_BUFFERED) + ", lost " +
            rig.layer.counter(OrreryCounter.HANDOFF_INPUT_OVERFLOWS) + ", handoffs " +
            rig.layer.counter(OrreryCounter.HANDOFFS_STARTED) + "/" +
            rig.layer.counter(OrreryCounter.HANDOFFS_COMMITTED) + ", acknowledged " +
            session.lastAcknowledgedInput() + ", failovers " +
            rig.layer.counter(OrreryCounter.SERVER_FAILOVERS) + ", egress back-pressure " +
            rig.layer.counter(OrreryCounter.SERVER_EGRESS_BACK_PRESSURE) + ", server publish failures " +
            (rig.servers.get(0).publishFailures() + rig.servers.get(1).publishFailures()) + ", server states " +
            rig.servers.get(0).state() + "/" + rig.servers.get(1).state() + ", ocs loads in flight " +
            streamer.loadsInFlight() + ", failures " + streamer.failures() + ", cells in/out " +
            streamer.cellsStreamedIn() + "/" + streamer.cellsStreamedOut() + ", entities in/out " +
            streamer.entitiesStreamedIn() + "/" + streamer.entitiesStreamedOut() + ", player at " +
            rig.layer.replicant().store().positionX(rig.layer.replicant().store().slotOf(PLAYER)) / MM + " m" +
            serverNpcs(rig.servers.get(0)) + serverNpcs(rig.servers.get(1));
    }

    private static String serverNpcs(final GameServerAgent server)
    {
        final GameWorld world = server.world();
        return "; server npcs spawned " + world.npcsSpawned() + ", destroyed " + world.npcsDestroyed() +
            ", unconfirmed " + world.spawnsUnconfirmed() + ", dormant " + world.dormantNpcCount() + ", active " +
            countNpcs(server) + ", released " + world.entitiesReleased();
    }

    private static int cached(final EntityStore store)
    {
        int count = 0;
        for (int i = 0; i < NPCS; i++)
        {
            count += store.slotOf(NPC_BASE + i) >= 0 ? 1 : 0;
        }
        return count;
    }

    private static int simulatedBy(final GameServerAgent server)
    {
        int count = 0;
        for (int i = 0; i < NPCS; i++)
        {
            count += server.world().entities().slotOf(NPC_BASE + i) >= 0 ? 1 : 0;
        }
        return count;
    }

    private static long seedX(final int i)
    {
        return (350 + (i % 10) * 10) * MM;
    }

    private static void seed(final RocksDbPersistenceAdapter adapter)
    {
        final SplittableRandom random = new SplittableRandom(5);
        final WorldBatch batch = new WorldBatch(NPCS);
        for (int i = 0; i < NPCS; i++)
        {
            final NodeRecord node = batch.addNodeUpsert();
            node.reset();
            node.entityId = NPC_BASE + i;
            node.archetypeId = ScriptedAuthority.ARCHETYPE_NPC;
            node.x = seedX(i);
            node.y = (long)(random.nextDouble(-40, 40) * MM);
            node.radius = 0.5f;
        }
        adapter.write(batch);
        assertEquals(NPCS, adapter.nodeCount());
    }
}
