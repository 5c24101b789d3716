/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.aeron.Counter;
import io.orrery.core.status.OrreryCounter;
import io.orrery.wire.EntityIdSpace;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;

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
     * shares no whole face with either: its load can only be relieved by a split), spare server 4.
     */
    private static final String SHARD = String.join("\n",
        "servers 1,2,3,4",
        "territory 1 server 1 box -inf -inf -inf 0 inf inf",
        "territory 2 server 2 box 0 -inf -inf inf 0 inf",
        "territory 3 server 3 box 0 0 -inf inf inf inf",
        "territory 4 server 4 spare",
        "heartbeat-timeout 500",
        "handoff-timeout 2000",
        "handoff-pacing " + PACING,
        "balance 100 8 0.5",
        "load-weights 1 1 0.5 2",
        "server-capacity 100",
        "fleet-min 2");
    private static final int CROWD_PLAYERS = 40;
    private static final int RUNNERS = 40;
    private static final int NPCS = 150;

    private final SplittableRandom random = new SplittableRandom(12);
    private final long[][] runnerPath = new long[RUNNERS][4];
    private final int[] runnerLeg = new int[RUNNERS];

    @Test
    void shouldApplyEveryInputOnceWithNoSecondOwnerWhileASplitAndAMergeAreInFlight()
    {
        final MeshModel mesh = new MeshModel(SHARD, 42, 3, 30, newCounters());
        for (int s = 0; s < 4; s++)
        {
            mesh.startServer(s); // the spare is up and idle
        }
        populate(mesh);

        for (int i = 0; i < 400; i++)
        {
            moveEveryone(mesh);
            mesh.tick();
        }
        mesh.settle(400);

        final long inputs = mesh.assertEveryInputAppliedOnce();
        System.out.printf("exactly once: %d inputs, %d handoffs, %d splits, %d merges, %d border moves, %d ticks " +
            "with a split and a merge in flight, at most %d handoffs in flight to one server%n", inputs,
            mesh.atlas.handoffsCommitted(), mesh.atlas.splits(), mesh.atlas.merges(), mesh.atlas.bordersMoved(),
            mesh.ticksWithSplitAndMergeInFlight, mesh.maxInFlightToOneServer);
        assertEquals(1, mesh.atlas.splits(), mesh.events.toString());
        assertTrue(mesh.atlas.merges() >= 1, mesh.events.toString());
        assertTrue(mesh.ticksWithSplitAndMergeInFlight > 0, "a merge started while the split was handing over: " +
            mesh.events);
        assertTrue(mesh.atlas.bordersMoved() > 0, "the balancer moved borders while runners crossed them");
        assertEquals(PACING, mesh.maxInFlightToOneServer, "the split was paced");
        assertNoFailover(mesh);
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
        for (int i = 0; i < CROWD_PLAYERS; i++)
        {
            mesh.add(player(i), -random.nextLong(5 * M, 60 * M), random.nextLong(-30 * M, 30 * M));
        }
        for (int i = 0; i < NPCS; i++)
        {
            mesh.add(npc(i), -random.nextLong(5 * M, 60 * M), random.nextLong(-30 * M, 30 * M));
        }
        for (int i = 0; i < RUNNERS; i++)
        {
            runnerPath[i][0] = random.nextLong(-40 * M, -1 * M);
            runnerPath[i][1] = random.nextLong(-40 * M, 40 * M);
            runnerPath[i][2] = random.nextLong(1 * M, 40 * M);
            runnerPath[i][3] = random.nextLong(-40 * M, 40 * M);
            mesh.add(player(CROWD_PLAYERS + i), runnerPath[i][0], runnerPath[i][1]);
        }
    }

    /**
     * The crowd mills (half a metre a tick at most), the runners run between their two ends at 6 m/s.
     */
    private void moveEveryone(final MeshModel mesh)
    {
        for (final long id : mesh.ids)
        {
            final long[] p = mesh.position.get(id);
            final int runner = (int)(id - 1) - CROWD_PLAYERS;
            if (EntityIdSpace.isPlayer(id) && runner >= 0 && runner < RUNNERS)
            {
                final long[] path = runnerPath[runner];
                final long toX = 0 == runnerLeg[runner] ? path[2] : path[0];
                final long toY = 0 == runnerLeg[runner] ? path[3] : path[1];
                final double dx = toX - p[0];
                final double dy = toY - p[1];
                final double distance = Math.hypot(dx, dy);
                final double step = 6 * M * MeshModel.TICK_NS / 1e9;
                if (distance <= step)
                {
                    runnerLeg[runner] ^= 1;
                    mesh.moveTo(id, toX, toY);
                }
                else
                {
                    mesh.moveTo(id, p[0] + Math.round(dx / distance * step), p[1] + Math.round(dy / distance * step));
                }
            }
            else
            {
                final long x = Math.min(-M, p[0] + random.nextLong(-M / 2, M / 2 + 1));
                mesh.moveTo(id, x, p[1] + random.nextLong(-M / 2, M / 2 + 1));
            }
        }
    }

    private static long player(final int i)
    {
        return 1 + i;
    }

    private static long npc(final int i)
    {
        return Atlas.entityIdBase(1) + i;
    }

    static Counter[] newCounters()
    {
        final int count = OrreryCounter.values().length;
        final CountersManager manager = new CountersManager(
            new UnsafeBuffer(ByteBuffer.allocateDirect(count * CountersReader.METADATA_LENGTH * 2)),
            new UnsafeBuffer(ByteBuffer.allocateDirect(count * CountersReader.COUNTER_LENGTH * 2)));
        final Counter[] counters = new Counter[count];
        for (final OrreryCounter c : OrreryCounter.values())
        {
            counters[c.id()] = new Counter(manager, manager.allocate(c.label()));
        }
        return counters;
    }
}
