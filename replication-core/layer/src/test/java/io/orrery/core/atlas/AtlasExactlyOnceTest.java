/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.orrery.core.status.OrreryCounter;
import io.orrery.wire.EntityIdSpace;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Dynamic meshing exactly once (issue 12), Atlas driven by commands on a controlled clock through a {@link MeshModel}
 * of the mesh, the cache, the game servers and the fleet: hundreds of entities (players sending an input every tick,
 * NPCs) crowd one server and run across the borders while the balancer moves them, a split of the crowded server
 * hands entities over in paced waves while a merge of another server's territory starts, and the fleet starts and
 * retires servers. At every tick: no entity has two owners, exactly one outside its handoffs, epochs only go up,
 * handoffs in flight to one server never exceed the pacing; at the end every input was applied exactly once, and no
 * rebalance needed a failover.
 */
class AtlasExactlyOnceTest
{
    private static final long M = 1000;
    private static final int PACING = 4;
    /**
     * Server 1 holds x &lt; 0 (the crowd), servers 2 and 3 the two halves of x &gt;= 0 (split at y = 0, so server 1
     * shares no whole face with either: its load can only be relieved by a split), spare server 4; a balancer pass
     * every 100 ms.
     */
    static final String SPLIT_AND_MERGE_LAYOUT = String.join("\n",
        "servers 1,2,3,4",
        "territory 1 server 1 box -inf -inf -inf 0 inf inf",
        "territory 2 server 2 box 0 -inf -inf inf 0 inf",
        "territory 3 server 3 box 0 0 -inf inf inf inf",
        "territory 4 server 4 spare",
        "balance 100 8 0.5",
        "load-weights 1 1 0.5 2",
        "fleet-min 2",
        "");
    /**
     * High water 102, low water 18.
     */
    private static final String SHARD = SPLIT_AND_MERGE_LAYOUT + String.join("\n",
        "heartbeat-timeout 500",
        "handoff-timeout 2000",
        "handoff-pacing " + PACING,
        "server-capacity 120");
    private static final int CROWD_PLAYERS = 40;
    private static final int RUNNERS = 24;
    private static final int NPCS = 150;
    private static final int LOCAL_NPCS = 12;

    private final SplittableRandom random = new SplittableRandom(12);
    private final long[][] runnerPath = new long[RUNNERS][4];
    private final int[] runnerLeg = new int[RUNNERS];
    private final long[][] crowdOffset = new long[CROWD_PLAYERS + 2 * NPCS][2];
    private long crowdX = -32 * M;

    /**
     * The whole cycle with the spare started by the fleet: the crowd on server 1 makes Atlas ask for server 4 and
     * split with it; while the split hands the crowd over in paced waves, server 2's quiet territory is merged into
     * server 3's; the crowd's NPCs go and its players walk over to x &gt; 0, so server 4's territory is merged away
     * and the fleet stops it; then the crowd comes back and server 1 is split again with server 4 started anew.
     */
    @Test
    void shouldApplyEveryInputOnceWithNoSecondOwnerWhileASplitAndAMergeAreInFlight()
    {
        final MeshModel mesh = new MeshModel(SHARD, 42, 3, 3, AtlasStateMachineTest.newCounters());
        for (int s = 0; s < 3; s++)
        {
            mesh.startServer(s);
        }
        populate(mesh);

        run(mesh, () -> 1 == mesh.atlas.splits() && mesh.atlas.merges() >= 1, 300, "a split and a merge");
        run(mesh, 150);

        crowdX = 35 * M; // the crowd goes: its NPCs are destroyed, its players walk to the other side
        for (int i = 0; i < NPCS; i++)
        {
            mesh.remove(crowdNpc(i));
        }
        run(mesh, () -> 0 == mesh.session[3], 900, "server 4 merged away and stopped by the fleet");

        crowdX = -32 * M; // the crowd comes back, twice as many NPCs: more than servers 1 and 3 can take
        for (int i = 0; i < 2 * NPCS; i++)
        {
            mesh.add(crowdNpc(i), crowdX + crowdOffset[CROWD_PLAYERS + i][0], crowdOffset[CROWD_PLAYERS + i][1]);
        }
        run(mesh, () -> 2 == mesh.atlas.splits(), 600, "server 1 split again with server 4 started anew");
        run(mesh, 150);
        mesh.settle(400);

        final long inputs = mesh.assertEveryInputAppliedOnce();
        System.out.printf("exactly once: %d inputs, %d handoffs, %d splits, %d merges, %d border moves, %d ticks " +
            "with a split and a merge in flight, at most %d handoffs in flight to one server%n", inputs,
            mesh.atlas.handoffsCommitted(), mesh.atlas.splits(), mesh.atlas.merges(), mesh.atlas.bordersMoved(),
            mesh.ticksWithSplitAndMergeInFlight, mesh.maxInFlightToOneServer);
        assertTrue(mesh.atlas.merges() >= 2, mesh.events.toString());
        assertTrue(mesh.ticksWithSplitAndMergeInFlight > 0, "a merge started while the split was handing over: " +
            mesh.events);
        assertTrue(mesh.atlas.bordersMoved() > 0, "the balancer moved borders while runners crossed them");
        assertEquals(PACING, mesh.maxInFlightToOneServer, "the split was paced");
        assertNoFailover(mesh);
    }

    /**
     * A spare server up and idle with no crowd is handed back to the fleet at once; the crowd that builds up while
     * the fleet stops it must not be split onto it (its entities would fail over when it goes): Atlas waits for it
     * to go, asks for it again and splits with the new session.
     */
    @Test
    void shouldNeverSplitOntoAServerItAskedTheFleetToRetire()
    {
        final MeshModel mesh = new MeshModel(SHARD, 7, 2, 30, AtlasStateMachineTest.newCounters());
        for (int s = 0; s < 4; s++)
        {
            mesh.startServer(s);
        }
        mesh.tick();
        mesh.tick();
        mesh.tick();
        assertTrue(mesh.retiring[3], "the idle spare is handed back: " + mesh.events);
        populate(mesh);

        run(mesh, () -> 1 == mesh.atlas.splits(), 300, "a split with server 4 started anew");
        run(mesh, 60);
        mesh.settle(400);

        mesh.assertEveryInputAppliedOnce();
        assertTrue(mesh.events.toString().contains("fleet stopped server index 3 simulating 0"), mesh.events.toString());
        assertTrue(mesh.atlas.entityCount(3) > 0, "the new session of server 4 simulates part of the crowd");
        assertNoFailover(mesh);
    }

    private void run(final MeshModel mesh, final BooleanSupplier until, final int maxTicks, final String what)
    {
        for (int i = 0; i < maxTicks && !until.getAsBoolean(); i++)
        {
            moveEveryone(mesh);
            mesh.tick();
        }
        assertTrue(until.getAsBoolean(), "not within " + maxTicks + " ticks: " + what + ": " + mesh.events);
    }

    private void run(final MeshModel mesh, final int ticks)
    {
        for (int i = 0; i < ticks; i++)
        {
            moveEveryone(mesh);
            mesh.tick();
        }
    }

    private void assertNoFailover(final MeshModel mesh)
    {
        assertEquals(0, mesh.entitiesOnStoppedServers, "the fleet stopped a server that still simulated entities: " +
            mesh.events);
        assertEquals(0, mesh.counter(OrreryCounter.HANDOFFS_TIMED_OUT), mesh.events.toString());
        assertEquals(0, mesh.counter(OrreryCounter.ENTITIES_REASSIGNED), mesh.events.toString());
        assertEquals(0, mesh.entitiesGivenToRetiringServers, mesh.events.toString());
    }

    private void populate(final MeshModel mesh)
    {
        for (int i = 0; i < CROWD_PLAYERS + 2 * NPCS; i++)
        {
            crowdOffset[i][0] = random.nextLong(-25 * M, 25 * M);
            crowdOffset[i][1] = random.nextLong(-30 * M, 30 * M);
            if (i < CROWD_PLAYERS + NPCS)
            {
                final long id = i < CROWD_PLAYERS ? player(i) : crowdNpc(i - CROWD_PLAYERS);
                mesh.add(id, crowdX + crowdOffset[i][0], crowdOffset[i][1]);
            }
        }
        for (int i = 0; i < RUNNERS; i++)
        {
            runnerPath[i][0] = random.nextLong(-40 * M, -1 * M);
            runnerPath[i][1] = random.nextLong(-40 * M, 40 * M);
            runnerPath[i][2] = random.nextLong(1 * M, 40 * M);
            runnerPath[i][3] = random.nextLong(-40 * M, 40 * M);
            mesh.add(player(CROWD_PLAYERS + i), runnerPath[i][0], runnerPath[i][1]);
        }
        for (int i = 0; i < LOCAL_NPCS; i++)
        {
            mesh.add(npc(i), random.nextLong(5 * M, 60 * M), -random.nextLong(5 * M, 60 * M));
        }
    }

    /**
     * The crowd mills around its centre (it walks toward it at up to 18 m/s when the centre moves), the runners run
     * between their two ends at 6 m/s, the local NPCs stay.
     */
    private void moveEveryone(final MeshModel mesh)
    {
        final double runnerStep = 6 * M * MeshModel.TICK_NS / 1e9;
        for (final long id : mesh.ids)
        {
            final long[] p = mesh.position.get(id);
            final int crowd = EntityIdSpace.isPlayer(id) ? (int)(id - 1) : CROWD_PLAYERS + (int)(id - crowdNpc(0));
            if (EntityIdSpace.isPlayer(id) && crowd >= CROWD_PLAYERS)
            {
                final int runner = crowd - CROWD_PLAYERS;
                final long[] path = runnerPath[runner];
                final long toX = 0 == runnerLeg[runner] ? path[2] : path[0];
                final long toY = 0 == runnerLeg[runner] ? path[3] : path[1];
                if (Math.hypot(toX - p[0], toY - p[1]) <= runnerStep)
                {
                    runnerLeg[runner] ^= 1;
                }
                walk(mesh, id, p, toX, toY, runnerStep, 0);
            }
            else if (crowd >= 0)
            {
                walk(mesh, id, p, crowdX + crowdOffset[crowd][0], crowdOffset[crowd][1], 18 * M * MeshModel.TICK_NS /
                    1e9, M / 2);
            }
        }
    }

    private void walk(
        final MeshModel mesh, final long id, final long[] p, final long toX, final long toY, final double step,
        final long jitter)
    {
        final double dx = toX - p[0];
        final double dy = toY - p[1];
        final double distance = Math.hypot(dx, dy);
        final double f = distance <= step ? 1 : step / distance;
        final long jx = 0 == jitter ? 0 : random.nextLong(-jitter, jitter + 1);
        final long jy = 0 == jitter ? 0 : random.nextLong(-jitter, jitter + 1);
        mesh.moveTo(id, p[0] + Math.round(dx * f) + jx, p[1] + Math.round(dy * f) + jy);
    }

    private static long player(final int i)
    {
        return 1 + i;
    }

    private static long npc(final int i)
    {
        return Atlas.entityIdBase(1) + i;
    }

    private static long crowdNpc(final int i)
    {
        return npc(LOCAL_NPCS + i);
    }
}
