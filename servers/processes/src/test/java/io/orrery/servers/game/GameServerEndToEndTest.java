/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers.game;

import io.orrery.core.client.ClientEntityView;
import io.orrery.core.client.ClientSession;
import io.orrery.core.status.OrreryCounter;
import io.orrery.wire.codec.EntityStateBatchDecoder;
import io.orrery.wire.codec.RejectReason;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static io.orrery.servers.game.MeshRig.MM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * End to end on one thread: a Replication Layer with a two-server shard config (split at x = 0), two game server
 * agents and real client sessions, over a real embedded media driver, stepped with a controlled clock.
 */
@Tag("system")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GameServerEndToEndTest
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
    private static final long PLAYER_A = 1_000_001;
    private static final long PLAYER_B = 1_000_002;

    private static WorldSettings world()
    {
        return new WorldSettings()
            .npcsPerTerritory(10)
            .npcSpawnGraceNs(0)
            .worldHalfExtentM(60)
            .followFraction(0.5)
            .seed(7);
    }

    private static int countVisible(final ClientSession session, final long idBase, final long idCount)
    {
        final ClientEntityView view = session.view();
        int count = 0;
        for (int slot = 0; slot < view.capacity(); slot++)
        {
            final long id = view.entityId(slot);
            if (view.contains(id) && view.slotOf(id) == slot && id >= idBase && id < idBase + idCount)
            {
                count++;
            }
        }
        return count;
    }

    @Test
    void shouldSimulatePlayersAndShowNpcsOfBothServersWhenClientNearBorder()
    {
        try (MeshRig rig = new MeshRig(TWO_SERVERS))
        {
            final GameServerAgent one = rig.addServer(1, world());
            final GameServerAgent two = rig.addServer(2, world().seed(8));
            rig.await(() -> GameServerAgent.STATE_RUNNING == one.state() &&
                GameServerAgent.STATE_RUNNING == two.state(), "both servers welcomed");
            rig.ticksUntil(() -> 1 == one.world().territoryCount() && 1 == two.world().territoryCount(), 30,
                "territories granted");
            rig.ticksUntil(() -> 10 == one.world().entityCount() && 10 == two.world().entityCount(), 60,
                "npcs spawned and streamed back in");
            assertEquals(0, one.world().spawnsUnconfirmed() + two.world().spawnsUnconfirmed());

            final ClientSession a = rig.connect(PLAYER_A);
            final ClientSession b = rig.connect(PLAYER_B);
            assertTrue(a.isConnected() && b.isConnected());
            rig.ticksUntil(() -> a.view().contains(PLAYER_A) && b.view().contains(PLAYER_A) &&
                a.view().contains(PLAYER_B), 60, "players see themselves and each other");
            assertEquals(2, one.world().playerCount(), "players spawn at x = -5 m: server 1 simulates them");
            assertEquals(0, two.world().playerCount());

            final long baseOne = one.link().entityIdBase();
            final long baseTwo = two.link().entityIdBase();
            rig.ticksUntil(() -> countVisible(a, baseOne, 1L << 32) >= 5 && countVisible(a, baseTwo, 1L << 32) >= 5,
                120, "npcs of both servers visible to a client near the border");

            // player A walks north at full speed for a second, then stops: the server applies each input once, the
            // client sees the echo and the motion
            final int slotA = a.view().slotOf(PLAYER_A);
            final long startY = a.view().positionY(slotA);
            for (int i = 0; i < 30; i++)
            {
                rig.send(a, 0, 1);
                rig.tick();
            }
            final long stop = rig.send(a, 0, 0);
            rig.ticksUntil(() -> a.lastAcknowledgedInput() == stop, 30, () -> "input echoed: stop " + stop +
                ", acknowledged " + a.lastAcknowledgedInput() + ", server 1 accepted " + one.world().inputsAccepted() +
                " applied " + one.world().inputsApplied() + " duplicate " + one.world().inputsDuplicate() +
                " unknown " + one.world().inputsUnknownEntity() + ", server 2 accepted " +
                two.world().inputsAccepted() + ", layer: received " + rig.layer.counter(OrreryCounter.INPUTS_RECEIVED) +
                " forwarded " + rig.layer.counter(OrreryCounter.INPUTS_FORWARDED) + " rate-limited " +
                rig.layer.counter(OrreryCounter.INPUTS_RATE_LIMITED) + " out-of-order " +
                rig.layer.counter(OrreryCounter.REJECTED_OUT_OF_ORDER) + " buffered " +
                rig.layer.counter(OrreryCounter.HANDOFF_INPUTS_BUFFERED) + " back-pressured " +
                rig.layer.counter(OrreryCounter.SERVER_EGRESS_BACK_PRESSURE) + " failovers " +
                rig.layer.counter(OrreryCounter.SERVER_FAILOVERS) + " handoffs " +
                rig.layer.counter(OrreryCounter.HANDOFFS_STARTED) + " stale " +
                rig.layer.counter(OrreryCounter.STALE_EPOCH_WRITES) + " unauthorised " +
                rig.layer.counter(OrreryCounter.UNAUTHORISED_WRITES));
            rig.ticks(3);
            final long movedMm = a.view().positionY(a.view().slotOf(PLAYER_A)) - startY;
            assertTrue(movedMm > 9_000 && movedMm < 11_000, "10 m/s for about a second: " + movedMm);
            assertEquals(movedMm, b.view().positionY(b.view().slotOf(PLAYER_A)) - startY, "others see it move too");
            assertEquals(31, one.world().inputsAccepted());

            // an impossible move: rejected and counted, not applied, but still echoed
            final long yBefore = a.view().positionY(a.view().slotOf(PLAYER_A));
            final long cheat = rig.send(a, 0, 5);
            rig.ticksUntil(() -> a.lastAcknowledgedInput() == cheat, 30, "rejected input echoed");
            rig.ticks(10);
            assertEquals(1, one.world().inputsRejectedSpeed());
            assertEquals(yBefore, a.view().positionY(a.view().slotOf(PLAYER_A)), 400, "the cheat did not move it");
            assertEquals(0, one.world().inputsDuplicate());
            assertEquals(0, one.publishFailures() + two.publishFailures());
            assertEquals(0, rig.layer.counter(OrreryCounter.STALE_EPOCH_WRITES));
        }
    }

    @Test
    void shouldHandPlayerToOtherServerWhenItCrossesTheBorder()
    {
        try (MeshRig rig = new MeshRig(TWO_SERVERS))
        {
            final GameServerAgent one = rig.addServer(1, world().npcsPerTerritory(3));
            final GameServerAgent two = rig.addServer(2, world().npcsPerTerritory(3));
            rig.await(() -> GameServerAgent.STATE_RUNNING == one.state() &&
                GameServerAgent.STATE_RUNNING == two.state(), "both servers welcomed");
            final ClientSession a = rig.connect(PLAYER_A);
            rig.ticksUntil(() -> a.view().contains(PLAYER_A) && 1 == one.world().playerCount(), 60,
                "player simulated by server 1");

            // east at 10 m/s from x = -5 m: crosses x = 0 after about half a second
            for (int i = 0; i < 60 && 0 == two.world().playerCount(); i++)
            {
                rig.send(a, 1, 0);
                rig.tick();
            }
            rig.ticksUntil(() -> 1 == two.world().playerCount() && 0 == one.world().playerCount(), 60,
                "server 2 simulates the player");
            assertEquals(1, one.handoffsOut());
            assertEquals(1, two.handoffsIn());
            assertEquals(1, rig.layer.counter(OrreryCounter.HANDOFFS_COMMITTED));

            final int slot = two.world().entities().slotOf(PLAYER_A);
            assertTrue(two.world().entities().epoch(slot) > 1, "a new epoch after the handoff");
            long sequence = 0;
            for (int i = 0; i < 15; i++)
            {
                sequence = rig.send(a, 0, 1);
                rig.tick();
            }
            final long lastSent = sequence;
            rig.ticksUntil(() -> a.lastAcknowledgedInput() == lastSent, 60,
                () -> "the new owner applies and echoes input " + lastSent + ": acknowledged " +
                a.lastAcknowledgedInput() + ", server 2 players " + two.world().playerCount() + " unknown-entity " +
                two.world().inputsUnknownEntity() + " duplicates " + two.world().inputsDuplicate() +
                ", server 1 players " + one.world().playerCount() + " inputs buffered " +
                rig.layer.counter(OrreryCounter.HANDOFF_INPUTS_BUFFERED));
            assertEquals(0, rig.layer.counter(OrreryCounter.STALE_EPOCH_WRITES), "the old owner stopped writing");
            assertEquals(0, one.world().inputsDuplicate() + two.world().inputsDuplicate());
            assertEquals(0, a.acknowledgementRegressions());
        }
    }

    /**
     * A reject is about the write it refused. When the layer gives a server an entity again at a newer epoch (a fresh
     * Atlas reassigns every entity at its epoch + 1 after a resync) while writes at the old epoch are in flight, those
     * are refused, and the reject reaches the server after the stream-in. Before rejects carried the refused write's
     * epoch the server dropped the entity it had just been given: nobody simulated it, and its player's inputs were
     * forwarded to a server that no longer knew it (found by ShardAcrossHostsTest after an Atlas takeover).
     */
    @Test
    void shouldKeepSimulatingAnEntityWhenALateRejectNamesAnOlderEpochThanTheOneItHolds()
    {
        try (MeshRig rig = new MeshRig(TWO_SERVERS))
        {
            final GameServerAgent one = rig.addServer(1, world().npcsPerTerritory(3));
            rig.await(() -> GameServerAgent.STATE_RUNNING == one.state(), "server 1 welcomed");
            final ClientSession a = rig.connect(PLAYER_A);
            rig.ticksUntil(() -> a.view().contains(PLAYER_A) && 1 == one.world().playerCount(), 60,
                "player simulated by server 1");
            final EntityTable entities = one.world().entities();
            final long epoch = entities.epoch[entities.slotOf(PLAYER_A)];

            one.onServerReject(one.link(), RejectReason.staleEpoch.value(), EntityStateBatchDecoder.TEMPLATE_ID,
                PLAYER_A, epoch - 1);
            assertTrue(EntityTable.NULL_SLOT != entities.slotOf(PLAYER_A), "an older epoch's reject leaves it");
            assertEquals(1, one.rejectsOfPastEpochs());
            final long sequence = rig.send(a, 1, 0);
            rig.ticksUntil(() -> a.lastAcknowledgedInput() >= sequence, 60, "the player's input still applied");

            one.onServerReject(one.link(), RejectReason.notAuthority.value(), EntityStateBatchDecoder.TEMPLATE_ID,
                PLAYER_A, epoch);
            assertEquals(EntityTable.NULL_SLOT, entities.slotOf(PLAYER_A), "a reject of the epoch it holds: let go");
        }
    }

    @Test
    void shouldReportRejectionWhenServerTokenIsSignedWithAnotherSecret()
    {
        try (MeshRig rig = new MeshRig(TWO_SERVERS))
        {
            final GameServerAgent impostor = rig.addServer(1, world(),
                "another-secret-that-is-long-enough".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            rig.await(() -> GameServerAgent.STATE_REJECTED == impostor.state(), "the hello is rejected");
            assertEquals(0, impostor.world().ticks());
        }
    }
}
