/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.orrery.core.client.ClientListener;
import io.orrery.core.client.ClientSession;
import io.orrery.core.server.EntitySnapshot;
import io.orrery.core.status.OrreryCounter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Dynamic meshing exactly once (issue 12) with the real mesh: a layer, real client sessions sending an input every
 * tick and real game server links over one embedded media driver, stepped on a controlled clock. A crowd of NPCs on
 * server 1 (which shares no whole face with servers 2 and 3, so only a split relieves it) makes Atlas ask the fleet
 * for server 4 and split with it, in paced waves, while server 2's quiet territory is merged into server 3's; players
 * run across every border all along, also while the balancer moves the new ones. At every tick: no entity on two
 * servers, exactly one outside its handoffs, on the epoch Atlas holds, epochs only going up, handoffs in flight to
 * one server within the pacing; at the end every input of every player applied exactly once.
 */
@Tag("system")
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class MeshExactlyOnceTest
{
    private static final long M = 1000;
    private static final int PACING = 2;
    private static final int PLAYERS = 32;
    private static final int RUNNERS = 16;
    private static final int NPCS = 160;
    private static final String SHARD = AtlasExactlyOnceTest.SPLIT_AND_MERGE_LAYOUT + String.join("\n",
        "view-margin 50",
        "heartbeat-timeout 2000",
        "handoff-timeout 2000",
        "handoff-pacing " + PACING,
        "spawn -1.5 0 0 0",
        "server-capacity 80");

    private MeshTestShard shard;
    private final List<TestGameServer> servers = new ArrayList<>();
    private final int[][] applied = new int[PLAYERS + 1][16 * 1024];
    private final Map<Long, Long> lastEpoch = new HashMap<>();
    private final List<Long> entities = new ArrayList<>();
    private final ClientSession[] players = new ClientSession[PLAYERS];
    private final long[][] targets = new long[PLAYERS][4];
    private final int[] leg = new int[PLAYERS];
    private int waitingForTheSplitAtTheMerge = -1;
    private long mostWaiting;

    @AfterEach
    void after()
    {
        if (null != shard)
        {
            shard.close();
        }
    }

    @Test
    void shouldApplyEveryInputOnceWithNoSecondOwnerWhileASplitAndAMergeAreInFlight()
    {
        shard = new MeshTestShard(SHARD, (ctx) -> ctx.maxSessions(64).maxEntities(2048).maxViewEntities(512));
        for (int id = 1; id <= 3; id++)
        {
            servers.add(start(id));
        }
        final SplittableRandom random = new SplittableRandom(12);
        for (int i = 0; i < PLAYERS; i++)
        {
            final long playerId = i + 1;
            players[i] = shard.connect(playerId, new ClientListener()
            {
            });
            entities.add(playerId);
            // runners go back and forth across x = 0 and y = 0, the others mill in the crowd
            final boolean runner = i < RUNNERS;
            targets[i][0] = runner ? random.nextLong(-30 * M, -5 * M) : random.nextLong(-50 * M, -10 * M);
            targets[i][1] = random.nextLong(-30 * M, 30 * M);
            targets[i][2] = runner ? random.nextLong(5 * M, 30 * M) : random.nextLong(-50 * M, -10 * M);
            targets[i][3] = random.nextLong(-30 * M, 30 * M);
        }
        final TestGameServer one = servers.get(0);
        shard.ticksUntil(() -> one.count == PLAYERS, 30, "players streamed in to server 1");
        final EntitySnapshot npc = new EntitySnapshot();
        for (int i = 0; i < NPCS; i++)
        {
            final long id = one.link.nextEntityId();
            npc.reset().entityId(id).archetypeId(2)
                .position(-random.nextLong(5 * M, 80 * M), random.nextLong(-20 * M, 20 * M), 0).radius(0.5f);
            assertEquals(0, one.link.createEntity(npc, false));
            entities.add(id);
        }

        run(() -> shard.counter(OrreryCounter.FLEET_REQUESTS) >= 1, 300, "the fleet asked for server 4");
        servers.add(start(4)); // the fleet starts it
        run(() -> 1 == shard.atlas().splits() && shard.atlas().merges() >= 1, 300, "a split and a merge");
        run(() -> false, 150, "");
        for (int i = 0; i < 30; i++)
        {
            shard.tick(); // no more input: the last ones are applied
            check(-1);
        }

        long sent = 0;
        for (int p = 0; p < PLAYERS; p++)
        {
            final long last = players[p].inputSequence();
            int twice = 0;
            int missing = 0;
            for (int seq = 1; seq <= last; seq++)
            {
                twice += applied[p + 1][seq] > 1 ? 1 : 0;
                missing += 0 == applied[p + 1][seq] ? 1 : 0;
            }
            assertEquals(0, twice, "inputs of player " + (p + 1) + " applied twice");
            assertEquals(0, missing, "inputs of player " + (p + 1) + " never applied");
            sent += last;
        }
        System.out.printf("mesh exactly once: %d inputs, %d handoffs, %d splits, %d merges, %d border moves, " +
            "%d entities waiting for the split at the merge, at most %d handoffs waiting for the pacing%n", sent,
            shard.atlas().handoffsCommitted(), shard.atlas().splits(), shard.atlas().merges(),
            shard.counter(OrreryCounter.TERRITORY_BORDER_MOVES), waitingForTheSplitAtTheMerge, mostWaiting);
        assertTrue(waitingForTheSplitAtTheMerge > 0, "the merge started while the split was handing over: " +
            waitingForTheSplitAtTheMerge);
        assertTrue(shard.counter(OrreryCounter.TERRITORY_BORDER_MOVES) > 0, "borders moved while players crossed");
        assertTrue(mostWaiting > 0, "handoffs waited for the pacing"); // the exact bound: AtlasExactlyOnceTest
        assertEquals(0, shard.counter(OrreryCounter.HANDOFFS_TIMED_OUT));
        assertEquals(0, shard.counter(OrreryCounter.SERVER_FAILOVERS));
        assertEquals(0, shard.counter(OrreryCounter.ENTITIES_REASSIGNED));
    }

    /**
     * A handoff's target dies while the releasing server's answer is on its way: Atlas abandons the handoff (the
     * releasing server keeps the entity), then the release arrives. The server gave the entity up, so the mesh keeps
     * its final state and Atlas assigns it again from there: it is simulated again, and every input once.
     */
    @Test
    void shouldSimulateAgainAnEntityWhoseReleaseCrossedTheAbandonmentOfItsHandoff()
    {
        final int[] appliedBySequence = new int[4096];
        shard = new MeshTestShard(String.join("\n",
            "servers 1,2",
            "territory 1 server 1 box -inf -inf -inf 0 inf inf",
            "territory 2 server 2 box 0 -inf -inf inf inf inf",
            "view-margin 50",
            "heartbeat-timeout 300",
            "handoff-timeout 5000",
            "spawn -1.5 0 0 0"));
        final TestGameServer one = shard.startServer(1, appliedBySequence);
        final TestGameServer two = shard.startServer(2, appliedBySequence);
        final ClientSession bot = shard.connect(1, new ClientListener()
        {
        });
        shard.ticksUntil(() -> one.owns(1), 10, "player streamed in to server 1");
        for (int i = 0; i < 5; i++)
        {
            bot.sendInput(0, 0.1f, 0, 0, 0, 0, shard.clock.nanoTime());
            shard.tick();
        }

        one.releaseOnRequest = false; // its release will come late
        for (int i = 0; i < 30 && !shard.atlas().isHandingOff(1); i++)
        {
            bot.sendInput(0.5f, 0, 0, 0, 0, 0, shard.clock.nanoTime());
            shard.tick();
        }
        assertTrue(shard.atlas().isHandingOff(1), "the player crossed to server 2's side");
        final long epoch = shard.atlas().epochOf(1);
        shard.kill(two);
        for (int i = 0; i < 30 && 0 == shard.counter(OrreryCounter.SERVER_FAILOVERS); i++)
        {
            bot.sendInput(0, 0.1f, 0, 0, 0, 0, shard.clock.nanoTime());
            shard.tick();
        }
        assertEquals(1, shard.counter(OrreryCounter.SERVER_FAILOVERS));
        assertTrue(one.owns(1) && 1 == shard.atlas().authorityOf(1), "server 1 keeps the player");

        one.releaseOnRequest = true;
        one.onHandoffRelease(one.link, 1, epoch, 2); // the release that was on its way
        assertTrue(!one.owns(1));
        for (int i = 0; i < 30 && !one.owns(1); i++)
        {
            bot.sendInput(0, -0.1f, 0, 0, 0, 0, shard.clock.nanoTime());
            shard.tick();
        }
        assertTrue(one.owns(1), "the player is simulated again");
        assertEquals(epoch + 1, shard.atlas().epochOf(1));
        assertEquals(shard.atlas().epochOf(1), one.epochOf(1));
        for (int i = 0; i < 10; i++)
        {
            bot.sendInput(0, -0.1f, 0, 0, 0, 0, shard.clock.nanoTime());
            shard.tick();
        }
        for (int i = 0; i < 5; i++)
        {
            shard.tick();
        }
        for (int seq = 1; seq <= bot.inputSequence(); seq++)
        {
            assertEquals(1, appliedBySequence[seq], "input " + seq + " of " + bot.inputSequence() + ": " +
                java.util.Arrays.toString(java.util.Arrays.copyOf(appliedBySequence, (int)bot.inputSequence() + 1)));
        }
    }

    private TestGameServer start(final int serverId)
    {
        final TestGameServer server = shard.startServer(serverId, null);
        server.appliedByPlayer = applied;
        return server;
    }

    private void run(final BooleanSupplier until, final int maxTicks, final String what)
    {
        for (int tick = 0; tick < maxTicks && !until.getAsBoolean(); tick++)
        {
            for (int p = 0; p < PLAYERS; p++)
            {
                steer(p);
            }
            final long mergesBefore = shard.atlas().merges();
            shard.tick();
            check(tick);
            if (mergesBefore < shard.atlas().merges() && waitingForTheSplitAtTheMerge < 0)
            {
                waitingForTheSplitAtTheMerge = waitingForServer4();
            }
        }
        assertTrue(what.isEmpty() || until.getAsBoolean(), "not reached within " + maxTicks + " ticks: " + what);
    }

    /**
     * Each player walks (6 m/s) to one end of its path, then to the other.
     */
    private void steer(final int p)
    {
        final ClientSession session = players[p];
        final long id = p + 1;
        if (!session.view().contains(id))
        {
            session.sendInput(0, 0, 0, 0, 0, 0, shard.clock.nanoTime());
            return;
        }
        final int slot = session.view().slotOf(id);
        final double dx = targets[p][2 * leg[p]] - session.view().positionX(slot);
        final double dy = targets[p][2 * leg[p] + 1] - session.view().positionY(slot);
        final double distance = Math.hypot(dx, dy);
        if (distance < 2 * M)
        {
            leg[p] ^= 1;
        }
        final double speed = 0.2; // x 30 m/s
        session.sendInput((float)(dx / Math.max(distance, 1) * speed), (float)(dy / Math.max(distance, 1) * speed),
            0, 0, 0, 0, shard.clock.nanoTime());
    }

    private void check(final int tick)
    {
        final Atlas atlas = shard.atlas();
        final int[] inFlightTo = new int[5];
        mostWaiting = Math.max(mostWaiting, shard.counter(OrreryCounter.HANDOFFS_WAITING));
        for (final long id : entities)
        {
            int simulating = 0;
            TestGameServer owner = null;
            for (final TestGameServer server : servers)
            {
                if (server.owns(id))
                {
                    simulating++;
                    owner = server;
                }
            }
            assertTrue(simulating <= 1, "entity " + id + " simulated by two servers at tick " + tick);
            final int authority = atlas.authorityOf(id);
            if (atlas.isHandingOff(id))
            {
                inFlightTo[atlas.handoffTargetOf(id)]++;
            }
            else if (0 != authority)
            {
                assertEquals(1, simulating, "entity " + id + " simulated by no server at tick " + tick);
                assertEquals(authority, owner.serverId, "entity " + id + " on its authority at tick " + tick);
                assertEquals(atlas.epochOf(id), owner.epochOf(id), "entity " + id + "'s epoch at tick " + tick);
            }
            final long epoch = atlas.epochOf(id);
            final Long before = lastEpoch.put(id, epoch);
            assertTrue(null == before || epoch >= before, "entity " + id + "'s epoch went down at tick " + tick);
        }
        for (final int n : inFlightTo)
        {
            assertTrue(n <= PACING, "handoffs in flight to one server: " + n + " at tick " + tick);
        }
    }

    /**
     * @return entities in server 4's box that it is not the authority over yet (the split's waiting waves).
     */
    private int waitingForServer4()
    {
        final Atlas atlas = shard.atlas();
        int waiting = 0;
        for (final long id : entities)
        {
            final int slot = shard.store().slotOf(id);
            if (slot < 0)
            {
                continue;
            }
            final long x = shard.store().positionX(slot);
            final long y = shard.store().positionY(slot);
            if (x >= atlas.territoryFace(3, 0, false) && x < atlas.territoryFace(3, 0, true) &&
                y >= atlas.territoryFace(3, 1, false) && y < atlas.territoryFace(3, 1, true) &&
                4 != atlas.authorityOf(id))
            {
                waiting++;
            }
        }
        return waiting;
    }
}
