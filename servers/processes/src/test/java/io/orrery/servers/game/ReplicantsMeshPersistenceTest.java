/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers.game;

import io.orrery.core.client.ClientEntityView;
import io.orrery.core.client.ClientListener;
import io.orrery.core.client.ClientSession;
import io.orrery.core.replicant.EntityStore;
import io.orrery.core.replicant.SecondaryReplicantAgent;
import io.orrery.core.status.OrreryCounter;
import io.orrery.persistence.rocksdb.RocksDbPersistenceAdapter;
import org.agrona.collections.Long2LongHashMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static io.orrery.servers.game.MeshRig.MM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two Replicants in one layer with the server mesh and Scribe: two game servers hold authority (split at x = 0),
 * the Replicants own the world split at x = 20 m, RocksDB persists it. NPCs of server 2 wander across x = 20 m
 * (handed between the Replicants while server 2 keeps authority), a player walks back and forth across both
 * boundaries (authority handoffs between the servers and Replicant handoffs), NPCs die and are born; a second client
 * watches everything. Then the layer restarts on the same store: the world comes back, the servers rejoin, the
 * clients resume. Throughout: no owner epoch conflicts, no updates or despawns of unknown entities, and each view
 * ends equal to the layer's truth (entities, owner Replicant and epoch, positions). A real media driver, one thread,
 * a controlled clock that waits for the clients to read their welcomes after the restart
 * ({@link MeshRig#paceWelcomes()}).
 */
@Tag("system")
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ReplicantsMeshPersistenceTest
{
    private static final String TWO_SERVERS = String.join("\n",
        "servers 1,2",
        "territory 1 server 1 box -inf -inf -inf 0 inf inf",
        "territory 2 server 2 box 0 -inf -inf inf inf inf",
        "view-margin 50",
        "heartbeat-timeout 60000",
        "handoff-timeout 60000",
        "spawn -5 0 0 1",
        "");
    private static final double REPLICANT_BOUNDARY_M = 20;
    private static final long WALKER = 1_000_001;
    private static final long WATCHER = 1_000_002;
    /**
     * Positions: the store may be a server tick ahead of the last pass a client got (and of what was persisted).
     */
    private static final long POSITION_TOLERANCE_MM = 1_000;
    private static final long START_NS = TimeUnit.SECONDS.toNanos(1000);

    @Test
    void shouldComposeViewsFromTwoReplicantsWhileServersHoldAuthorityAndRestoreTheWorldAfterARestart(
        @TempDir final Path dir)
    {
        try (RocksDbPersistenceAdapter adapter = RocksDbPersistenceAdapter.open(dir.resolve("store"));
            MeshRig rig = new MeshRig(TWO_SERVERS, (ctx) ->
            {
                ctx.persistenceAdapter(adapter)
                    .persistenceFlushIntervalNs(TimeUnit.MILLISECONDS.toNanos(20))
                    .compactUpdates(true);
                ctx.replicant().replicants(2).replicantBoundariesM(REPLICANT_BOUNDARY_M).ownershipHysteresisM(2);
            }, true).paceWelcomes())
        {
            final GameServerAgent one = rig.addServer(1, world(7));
            final GameServerAgent two = rig.addServer(2, world(8));
            rig.await(() -> GameServerAgent.STATE_RUNNING == one.state() &&
                GameServerAgent.STATE_RUNNING == two.state(), "both servers welcomed");
            rig.ticksUntil(() -> 12 == one.world().entityCount() && 12 == two.world().entityCount(), 120,
                "npcs spawned and streamed back in");
            final Journal journal = new Journal(rig);
            final ClientSession walker = journal.connect(WALKER, 0);
            final ClientSession watcher = journal.connect(WATCHER, 1);
            rig.ticksUntil(() -> walker.view().contains(WALKER) && watcher.view().contains(WALKER) &&
                2 == one.world().playerCount(), 120, "players simulated by server 1");
            assertEquals(1, rig.layer.secondaries().length);

            final NpcOwners npcOwners = new NpcOwners();
            for (int trip = 0; trip < 2; trip++)
            {
                walkTo(rig, walker, 40, npcOwners, journal, "trip " + trip + " out");
                walkTo(rig, walker, -10, npcOwners, journal, "trip " + trip + " back");
            }
            rig.send(walker, 0, 0);
            rig.ticks(10);

            final long replicantHandoffs = rig.layer.counter(OrreryCounter.REPLICANT_HANDOFFS);
            final long serverHandoffs = rig.layer.counter(OrreryCounter.HANDOFFS_COMMITTED);
            System.out.println("2 Replicants with the mesh: " + replicantHandoffs + " Replicant handoffs (" +
                npcOwners.changes + " of NPCs whose server kept authority), " + serverHandoffs +
                " authority handoffs, " + rig.layer.counter(OrreryCounter.REPLICANT_HANDOFF_SPAWNS) +
                " handoff spawns; walker " + walker.ownerChanges() + " owner changes, watcher " +
                watcher.ownerChanges() + "; NPCs spawned " + (one.world().npcsSpawned() + two.world().npcsSpawned()) +
                ", destroyed " + (one.world().npcsDestroyed() + two.world().npcsDestroyed()));
            assertTrue(serverHandoffs >= 4, "the walker crossed x = 0 four times: " + serverHandoffs);
            assertTrue(npcOwners.changes > 0, "NPCs crossed between the Replicants while server 2 held them");
            assertEquals(npcOwners.changes + 4, replicantHandoffs, "and the walker crossed x = 20 m four times");
            assertHealthy(rig);
            awaitViewsEqualTruth(rig, walker, watcher, "before the restart");
            assertViewEqualsTruth(rig, walker);
            assertViewEqualsTruth(rig, watcher);

            // a restart on the same store (a clean stop: Scribe drains): the world comes back
            final EntityStore before = rig.layer.replicant().store();
            final Long2LongHashMap xBefore = new Long2LongHashMap(Long.MIN_VALUE);
            final Long2LongHashMap yBefore = new Long2LongHashMap(Long.MIN_VALUE);
            for (int i = 0; i < before.activeCount(); i++)
            {
                final int slot = before.activeSlot(i);
                final long id = before.entityId(slot);
                if (WALKER != id && WATCHER != id)
                {
                    xBefore.put(id, before.positionX(slot));
                    yBefore.put(id, before.positionY(slot));
                }
            }
            journal.note("layer restarts");
            rig.closeLayer();
            rig.launchLayer();
            final EntityStore restored = rig.layer.replicant().store();
            int npcsRestored = 0;
            for (int i = 0; i < restored.activeCount(); i++)
            {
                final int slot = restored.activeSlot(i);
                final long id = restored.entityId(slot);
                if (xBefore.containsKey(id))
                {
                    npcsRestored++;
                    assertEquals(xBefore.get(id), restored.positionX(slot), POSITION_TOLERANCE_MM, "x of " + id);
                    assertEquals(yBefore.get(id), restored.positionY(slot), POSITION_TOLERANCE_MM, "y of " + id);
                }
            }
            assertEquals(xBefore.size(), npcsRestored, "every NPC restored");

            rig.clock.advance(TimeUnit.SECONDS.toNanos(1));
            // a client still connected may not have read the old layer's goodbye yet: wait for the resumptions
            rig.ticksUntil(() -> journal.observe() && walker.isConnected() && watcher.isConnected() &&
                1 == walker.resumptions() && 1 == watcher.resumptions(), 600,
                () -> "clients resumed: " + journal);
            final long rejoinFromNs = rig.clock.nanoTime();
            rig.ticksUntil(() -> journal.observe() && GameServerAgent.STATE_RUNNING == one.state() &&
                GameServerAgent.STATE_RUNNING == two.state() && one.rejoins() >= 1 && two.rejoins() >= 1, 600,
                () -> "servers rejoined: " + one.state() + "/" + two.state() + journal);
            journal.note("servers rejoined");
            System.out.println("servers rejoined after " + (rig.clock.nanoTime() - rejoinFromNs) / 1_000_000 +
                " ms of rig time; server hellos paced " + rig.serverWelcomeWaits() + ", given up " +
                rig.serverWelcomeWaitsGivenUp() + "; loss waits " + rig.serverLossWaits());
            final NpcOwners ownersAfter = new NpcOwners();
            walkTo(rig, walker, 40, ownersAfter, journal, "after the restart, out");
            walkTo(rig, walker, -10, ownersAfter, journal, "after the restart, back");
            rig.send(walker, 0, 0);
            rig.ticks(10);
            System.out.println("sessions and layer:" + journal);
            assertTrue(rig.layer.counter(OrreryCounter.REPLICANT_HANDOFFS) > 0, "handoffs after the restart");
            assertHealthy(rig);
            awaitViewsEqualTruth(rig, walker, watcher, "after the restart");
            assertViewEqualsTruth(rig, walker);
            assertViewEqualsTruth(rig, watcher);
        }
    }

    /**
     * What happened to the sessions and the layer's session counters, with the (virtual) time, for failure messages:
     * listener events and every change of the states it observes.
     */
    static final class Journal implements ClientListener
    {
        private final StringBuilder text = new StringBuilder();
        private final MeshRig rig;
        private final ClientSession[] sessions = new ClientSession[2];
        private String lastState = "";

        Journal(final MeshRig rig)
        {
            this.rig = rig;
        }

        ClientSession connect(final long playerId, final int index)
        {
            sessions[index] = rig.connect(playerId, this);
            return sessions[index];
        }

        void note(final String what)
        {
            text.append(String.format("%n  [%.3f s] %s", (rig.clock.nanoTime() - START_NS) / 1e9, what));
        }

        /**
         * @return true, having noted the sessions' and the layer's session states if they changed.
         */
        boolean observe()
        {
            final StringBuilder sb = new StringBuilder();
            for (final ClientSession session : sessions)
            {
                sb.append(session.state()).append(" (hellos resent ").append(session.hellosResent()).append(", ")
                    .append(session.resumptions()).append(" resumptions) ");
            }
            sb.append("layer sessions opened ").append(rig.layer.counter(OrreryCounter.SESSIONS_OPENED))
                .append(" active ").append(rig.layer.counter(OrreryCounter.SESSIONS_ACTIVE))
                .append(" timed out ").append(rig.layer.counter(OrreryCounter.SESSIONS_TIMED_OUT))
                .append(", servers connected ").append(rig.layer.counter(OrreryCounter.SERVERS_CONNECTED))
                .append(" hellos rejected ").append(rig.layer.counter(OrreryCounter.SERVER_HELLOS_REJECTED))
                .append(" shed ").append(rig.layer.counter(OrreryCounter.SERVER_HELLOS_SHED))
                .append(" copies ignored ").append(rig.layer.counter(OrreryCounter.SERVER_HELLO_COPIES_IGNORED));
            for (final GameServerAgent server : rig.servers)
            {
                sb.append(", server ").append(server.link().serverId()).append(' ').append(server.link().state())
                    .append(" (hellos resent ").append(server.link().helloResends()).append(", ")
                    .append(server.rejoins()).append(" rejoins)");
            }
            final String state = sb.toString();
            if (!state.equals(lastState))
            {
                lastState = state;
                note(state);
            }
            return true;
        }

        @Override
        public String toString()
        {
            return text.toString();
        }

        @Override
        public void onWelcome(final ClientSession session)
        {
            note("player " + session.playerEntityId() + " welcomed");
        }

        @Override
        public void onReject(final ClientSession session, final int reason, final int rejectedTemplateId)
        {
            note("player " + session.playerEntityId() + " rejected: " + reason);
        }

        @Override
        public void onResumeStarted(final ClientSession session, final int cause)
        {
            note("player " + session.playerEntityId() + " resuming, cause " + cause);
        }

        @Override
        public void onDisconnect(final ClientSession session, final int reason)
        {
            note("player " + session.playerEntityId() + " disconnected: " + reason);
        }
    }

    private static WorldSettings world(final long seed)
    {
        return new WorldSettings()
            .npcsPerTerritory(12)
            .npcSpawnGraceNs(0)
            .worldHalfExtentM(60)
            .followFraction(0)
            .npcSpeedMps(4)
            .npcLifetimeNs(TimeUnit.SECONDS.toNanos(8), TimeUnit.SECONDS.toNanos(20))
            .seed(seed);
    }

    /**
     * Counts owner Replicant changes of entities other than the players (all of them NPCs, which never change server),
     * from their first owner on.
     */
    static final class NpcOwners
    {
        final Long2LongHashMap owners = new Long2LongHashMap(-1);
        long changes;

        void observe(final EntityStore store)
        {
            for (int i = 0; i < store.activeCount(); i++)
            {
                final int slot = store.activeSlot(i);
                final long id = store.entityId(slot);
                if (WALKER == id || WATCHER == id || 0 == store.ownerEpoch(slot))
                {
                    continue;
                }
                final long owner = store.ownerReplicant(slot);
                final long previous = owners.put(id, owner);
                if (-1 != previous && previous != owner)
                {
                    changes++;
                }
            }
        }
    }

    /**
     * What the layer, the servers and the walker's session know of the walker, for a failure message.
     */
    static String walkerState(final MeshRig rig, final ClientSession walker)
    {
        final StringBuilder sb = new StringBuilder();
        final EntityStore store = rig.layer.replicant().store();
        final int slot = store.slotOf(WALKER);
        sb.append("layer: ");
        if (slot < 0)
        {
            sb.append("nowhere (not in the layer)");
        }
        else
        {
            sb.append("at ").append(store.positionX(slot) / MM).append(" m, owner Replicant ")
                .append(store.ownerReplicant(slot)).append(" epoch ").append(store.ownerEpoch(slot));
        }
        for (final OrreryCounter counter : new OrreryCounter[]{ OrreryCounter.SESSIONS_ACTIVE,
            OrreryCounter.SESSIONS_OPENED, OrreryCounter.SESSIONS_CLOSED, OrreryCounter.SESSIONS_TIMED_OUT,
            OrreryCounter.SERVERS_CONNECTED, OrreryCounter.SERVER_FAILOVERS, OrreryCounter.ENTITIES_REASSIGNED,
            OrreryCounter.ENTITIES_RESTORED, OrreryCounter.HANDOFFS_STARTED, OrreryCounter.HANDOFFS_COMMITTED,
            OrreryCounter.HANDOFFS_TIMED_OUT, OrreryCounter.HANDOFFS_WAITING, OrreryCounter.REPLICANT_HANDOFFS,
            OrreryCounter.INPUTS_RECEIVED, OrreryCounter.INPUTS_FORWARDED, OrreryCounter.HANDOFF_INPUTS_BUFFERED,
            OrreryCounter.REJECTED_NOT_YOUR_ENTITY, OrreryCounter.REJECTED_OUT_OF_ORDER,
            OrreryCounter.STALE_EPOCH_WRITES, OrreryCounter.UNAUTHORISED_WRITES, OrreryCounter.WRITES_BEFORE_ASSIGNMENT,
            OrreryCounter.REJECTED_DUPLICATE_SESSION, OrreryCounter.SERVER_REPLACEMENTS, OrreryCounter.ERRORS,
            OrreryCounter.HELLOS_ON_BOUND_IMAGE, OrreryCounter.HELLOS_SHED, OrreryCounter.REJECTED_BAD_TOKEN,
            OrreryCounter.REJECTED_EXPIRED_TOKEN, OrreryCounter.REJECTED_MALFORMED,
            OrreryCounter.REJECTED_NOT_AUTHENTICATED, OrreryCounter.SESSIONS_SLOW_CONSUMER })
        {
            sb.append(", ").append(counter.name()).append('=').append(rig.layer.counter(counter));
        }
        sb.append("; session ").append(walker.state()).append(" reason ").append(walker.disconnectReason())
            .append(" resumes started ").append(walker.resumesStarted()).append(" resumptions ")
            .append(walker.resumptions()).append(" resume attempts ").append(walker.resumeAttempts())
            .append(" hellos resent ").append(walker.hellosResent())
            .append(" view has walker ").append(walker.view().contains(WALKER));
        for (final GameServerAgent server : rig.servers)
        {
            final GameWorld world = server.world();
            final EntityTable entities = world.entities();
            final int s = entities.slotOf(WALKER);
            sb.append("; server ").append(server.link().serverId()).append(" state ").append(server.state())
                .append(" rejoins ").append(server.rejoins()).append(" losses ").append(server.layerLosses())
                .append(" players ").append(world.playerCount()).append(" entities ").append(world.entityCount())
                .append(" inputs applied ").append(world.inputsApplied()).append(" unknown-entity inputs ")
                .append(world.inputsUnknownEntity()).append(" handoffs in/out ").append(server.handoffsIn())
                .append('/').append(server.handoffsOut()).append(" walker ");
            if (EntityTable.NULL_SLOT == s)
            {
                sb.append("absent");
            }
            else
            {
                sb.append("kind ").append(entities.kind[s]).append(" active ").append(entities.active[s])
                    .append(" at ").append(entities.x[s] / MM).append(" m epoch ").append(entities.epoch[s])
                    .append(" processed input ").append(entities.processedSequence[s]);
            }
        }
        return sb.toString();
    }

    private static void walkTo(
        final MeshRig rig,
        final ClientSession walker,
        final long xM,
        final NpcOwners owners,
        final Journal journal,
        final String step)
    {
        rig.ticksUntil(() ->
        {
            final EntityStore store = rig.layer.replicant().store();
            journal.observe();
            owners.observe(store);
            final int slot = store.slotOf(WALKER);
            if (slot < 0)
            {
                return false; // not in the layer yet: its server has not sent it (or sent it again after a rejoin)
            }
            final long dx = xM * MM - store.positionX(slot);
            if (Math.abs(dx) < 2 * MM)
            {
                return true;
            }
            rig.send(walker, dx > 0 ? 1 : -1, 0);
            return false;
        }, 600, () -> "the walker to x = " + xM + " m (" + step + "): " + walkerState(rig, walker) + journal);
        rig.send(walker, 0, 0);
    }

    private static void assertHealthy(final MeshRig rig)
    {
        final SecondaryReplicantAgent secondary = rig.layer.secondaries()[0];
        assertEquals(0, secondary.feed().errors());
        assertEquals(0, rig.layer.counter(OrreryCounter.REPLICANT_FEED_BACK_PRESSURE));
        assertEquals(0, rig.layer.counter(OrreryCounter.REPLICANT_SESSION_HANDOVERS_REFUSED));
        assertEquals(0, rig.layer.counter(OrreryCounter.REPLICANT_OBSERVERS_REFUSED));
        assertEquals(0, rig.layer.counter(OrreryCounter.ERRORS));
        assertEquals(rig.layer.replicant().tickCount(), secondary.tickCount(), "one secondary pass per pass");
        assertTrue(secondary.engine().spawnsSent() > 0, "the secondary streams what it owns");
    }

    /**
     * A server may spawn, move or remove an entity in the last tick before the check, and the Replicants stream it at
     * their next pass: tick (a few at most) until both views equal the layer's truth, and say how many it took. A view
     * that stays wrong fails in {@link #assertViewEqualsTruth} after the rig's deadline.
     */
    private static void awaitViewsEqualTruth(
        final MeshRig rig, final ClientSession walker, final ClientSession watcher, final String when)
    {
        final int[] ticks = {0};
        rig.ticksUntil(() -> viewEqualsTruth(rig, walker) && viewEqualsTruth(rig, watcher) || ticks[0]++ < 0, 30,
            "views equal the truth " + when);
        System.out.println("views equal the truth " + when + " after " + ticks[0] + " ticks (0: at once)");
    }

    private static boolean viewEqualsTruth(final MeshRig rig, final ClientSession client)
    {
        final EntityStore store = rig.layer.replicant().store();
        final ClientEntityView view = client.view();
        if (store.size() != view.size())
        {
            return false;
        }
        for (int i = 0; i < store.activeCount(); i++)
        {
            final int slot = store.activeSlot(i);
            final int viewSlot = view.slotOf(store.entityId(slot));
            if (viewSlot < 0 || view.awaitingOwner(viewSlot) ||
                store.ownerReplicant(slot) != view.ownerReplicant(viewSlot) ||
                store.ownerEpoch(slot) != view.ownerEpoch(viewSlot) ||
                Math.abs(store.positionX(slot) - view.positionX(viewSlot)) > POSITION_TOLERANCE_MM ||
                Math.abs(store.positionY(slot) - view.positionY(viewSlot)) > POSITION_TOLERANCE_MM)
            {
                return false;
            }
        }
        return true;
    }

    private static void assertViewEqualsTruth(final MeshRig rig, final ClientSession client)
    {
        final EntityStore store = rig.layer.replicant().store();
        final ClientEntityView view = client.view();
        assertEquals(store.size(), view.size(), "every entity of the world is within the bubble");
        for (int i = 0; i < store.activeCount(); i++)
        {
            final int slot = store.activeSlot(i);
            final long id = store.entityId(slot);
            final int viewSlot = view.slotOf(id);
            assertTrue(viewSlot >= 0, "entity " + id + " in view");
            assertFalse(view.awaitingOwner(viewSlot), "entity " + id + " not awaiting its owner");
            assertEquals(store.ownerReplicant(slot), view.ownerReplicant(viewSlot), "owner of " + id);
            assertEquals(store.ownerEpoch(slot), view.ownerEpoch(viewSlot), "owner epoch of " + id);
            assertEquals(store.positionX(slot), view.positionX(viewSlot), POSITION_TOLERANCE_MM, "x of " + id);
            assertEquals(store.positionY(slot), view.positionY(viewSlot), POSITION_TOLERANCE_MM, "y of " + id);
        }
        assertEquals(0, client.ownerEpochConflicts());
        assertEquals(0, client.updatesForUnknownEntities());
        assertEquals(0, client.despawnsForUnknownEntities());
        assertEquals(0, client.unknownReplicantMessages());
    }
}
