/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.aeron.Counter;
import io.orrery.core.status.OrreryCounter;
import io.orrery.wire.EntityIdSpace;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Dynamic meshing's balancer inside Atlas, driven by commands alone: borders move toward the loaded server, by
 * bounded steps, never past a high-water mark, never chasing a crowd it cannot split, and the same commands always
 * move them the same way.
 */
class AtlasBalancerTest
{
    private static final long MS = 1_000_000L;
    private static final long S1 = 101;
    private static final long S2 = 202;
    private static final String BALANCED = String.join("\n",
        "servers 1,2",
        "territory 1 server 1 box -inf -inf -inf 0 inf inf",
        "territory 2 server 2 box 0 -inf -inf inf inf inf",
        "balance 1000 8 0.5",
        "load-weights 1 1 0.5 2",
        "server-capacity %s");

    private final List<String> decisions = new ArrayList<>();
    private Counter[] counters;
    private long nowNs = 1_000 * MS;
    private long tick;

    @Test
    void shouldMoveTheBorderTowardTheLoadedServerUntilBalanced()
    {
        final Atlas atlas = newAtlas("400");
        joinBoth(atlas);
        for (int i = 0; i < 40; i++)
        {
            atlas.onEntityAdded(player(i), i, 0, false, -(i + 1) * 1000L, 0, 0, 0);
        }

        long previousPlane = 0;
        int passes = 0;
        for (int second = 0; second < 20; second++)
        {
            decisions.clear();
            passSecond(atlas);
            final long plane = atlas.territoryFace(0, 0, true);
            assertEquals(plane, atlas.territoryFace(1, 0, false), "the two boxes still meet");
            assertTrue(plane <= previousPlane, "the border only moves toward the loaded side");
            assertTrue(previousPlane - plane <= 8_000, "at most one step of 8 m per pass");
            passes += plane != previousPlane ? 1 : 0;
            previousPlane = plane;
            settleHandoffs(atlas);
        }

        final double one = atlas.serverCost(0);
        final double two = atlas.serverCost(1);
        assertTrue(passes >= 2, "moved in several bounded steps: " + passes);
        assertTrue(Math.abs(one - two) <= 0.1 * (one + two) + 1, "balanced within the dead band: " + one + " / " +
            two);
        for (int i = 0; i < 40; i++)
        {
            final long x = -(i + 1) * 1000L;
            assertEquals(x < previousPlane ? 1 : 2, atlas.authorityOf(player(i)), "player at x " + x);
        }
        assertEquals(passes, counters[OrreryCounter.TERRITORY_BORDER_MOVES.id()].get());
    }

    @Test
    void shouldNeverGrowAServerPastItsHighWaterMark()
    {
        final Atlas atlas = newAtlas("4"); // high water 3.4: the empty server (cost 1) may take at most 2 players
        joinBoth(atlas);
        for (int i = 0; i < 40; i++)
        {
            atlas.onEntityAdded(player(i), i, 0, false, -(i % 4 + 1) * 1000L, 0, 0, 0); // 10 players per metre
        }
        decisions.clear();
        for (int second = 0; second < 5; second++)
        {
            passSecond(atlas);
            settleHandoffs(atlas);
        }
        assertEquals(0, atlas.bordersMoved(), decisions.toString());
        assertEquals(0, atlas.territoryFace(0, 0, true));
    }

    @Test
    void shouldNotChaseACrowdItCannotSplit()
    {
        final Atlas atlas = newAtlas("400");
        joinBoth(atlas);
        for (int i = 0; i < 40; i++)
        {
            atlas.onEntityAdded(player(i), i, 0, false, -3_000, 0, 0, 0); // one point, 3 m from the border
        }
        for (int second = 0; second < 10; second++)
        {
            passSecond(atlas);
            settleHandoffs(atlas);
        }
        // handing the whole crowd over would only swap the imbalance: the border does not move onto it
        assertTrue(atlas.territoryFace(0, 0, true) > -3_000, "the crowd stays whole on one side");
        assertEquals(40, atlas.entityCount(0));
    }

    @Test
    void shouldSplitALoadedServerWithASpareAskedOfTheFleetThenMergeItBackWhenTheLoadGoes()
    {
        final Atlas atlas = splitWithSpare();

        // the crowd leaves: the lightest server's territory merges into a neighbour and the server is retired
        for (int i = 0; i < 100; i++)
        {
            atlas.onEntityRemoved(player(i), i);
        }
        for (int second = 0; second < 20 && !decisions.stream().anyMatch((d) -> d.startsWith("unwanted")); second++)
        {
            passSecond(atlas);
            atlas.onServerSeen(2, 303, nowNs, true);
            settleHandoffs(atlas);
        }
        assertEquals(1, atlas.merges(), "one merge: fleet-min keeps two servers with a territory");
        assertTrue(decisions.stream().anyMatch((d) -> d.startsWith("unwanted")), decisions.toString());
        int boxes = 0;
        for (int t = 0; t < 3; t++)
        {
            boxes += atlas.territoryFace(t, 0, true) > atlas.territoryFace(t, 0, false) ? 1 : 0;
        }
        assertEquals(2, boxes, "two territories left with a box");
    }

    /**
     * Once the crowd has gone from the configured servers' territories but not yet from the split's, the configured
     * servers sit below their low-water mark for many passes while the spare server is still busy. Merging one of
     * them then would use up the one merge fleet-min allows and leave the spare server running for good: the mesh
     * waits, and merges the spare server away once it is quiet in turn.
     */
    @Test
    void shouldMergeTheSplitsServerAwayRatherThanAConfiguredServerThatWasQuietFirst()
    {
        final Atlas atlas = splitWithSpare();

        // all players go but 8 of server 3's, gathered on one point of its box: nothing to move a border for
        final int[] kept = new int[8];
        int keptCount = 0;
        for (int i = 0; i < 100; i++)
        {
            if (3 == atlas.authorityOf(player(i)) && keptCount < kept.length)
            {
                kept[keptCount++] = i;
                atlas.onEntityMoved(player(i), i, 0, -(kept[0] % 50 + 1) * 1000L, (kept[0] / 50) * 1000L, 0);
            }
            else
            {
                atlas.onEntityRemoved(player(i), i);
            }
        }
        assertEquals(kept.length, keptCount);
        decisions.clear();
        for (int second = 0; second < 10; second++)
        {
            passSecond(atlas);
            settleHandoffs(atlas);
        }
        assertTrue(atlas.serverCost(0) < 6 && atlas.serverCost(1) < 6, "servers 1 and 2 below their low-water " +
            "mark: " + atlas.serverCost(0) + " / " + atlas.serverCost(1));
        assertEquals(8, atlas.entityCount(2), "server 3 still busy");
        assertEquals(0, atlas.merges(), "no configured server merged while the spare server holds a box: " +
            decisions);

        // the last players leave: now server 3 is merged away and handed back to the fleet
        for (final int i : kept)
        {
            atlas.onEntityRemoved(player(i), i);
        }
        for (int second = 0; second < 20 && !decisions.contains("unwanted 2"); second++)
        {
            passSecond(atlas);
            settleHandoffs(atlas);
        }
        assertEquals(1, atlas.merges(), decisions.toString());
        assertTrue(decisions.contains("unwanted 2"), "server 3 handed back: " + decisions);
        assertTrue(atlas.territoryFace(2, 0, true) <= atlas.territoryFace(2, 0, false), "the spare has no box");
        assertTrue(atlas.territoryFace(0, 0, true) > atlas.territoryFace(0, 0, false) &&
            atlas.territoryFace(1, 0, true) > atlas.territoryFace(1, 0, false), "both configured servers keep a box");
    }

    @Test
    void shouldMoveTheBorderAwayFromAServerThatDilatesTimeAndStopOnceItIsBackAtRealTime()
    {
        final Atlas atlas = newAtlas("400");
        joinBoth(atlas);
        for (int i = 0; i < 40; i++)
        {
            final long x = i < 20 ? -(i + 1) * 1000L : (i - 19) * 1000L; // 20 players on each side of x = 0
            atlas.onEntityAdded(player(i), i, 0, false, x, 0, 0, 0);
        }
        for (int second = 0; second < 3; second++)
        {
            passSecond(atlas);
            settleHandoffs(atlas);
        }
        assertEquals(0, atlas.bordersMoved(), "balanced at real time");
        assertEquals(21.0, atlas.serverCost(0), 1e-9);

        // server 1 falls behind and runs at half speed: its 20 players cost as much as 40
        atlas.onServerLoad(nowNs, 0, S1, 20, 20, 10 * MS, 20 * MS, 0.9f, 500);
        assertEquals(500, atlas.timeDilationPerMille(0));
        decisions.clear();
        passSecond(atlas);
        assertTrue(atlas.territoryFace(0, 0, true) < 0, "the first pass moves the border: " + decisions);
        assertEquals(2.0 * (1 + playersBelow(atlas.territoryFace(0, 0, true))), atlas.serverCost(0), 1e-9,
            "its cost is its entities' cost (base included) divided by 0.5");
        for (int second = 0; second < 10; second++)
        {
            settleHandoffs(atlas);
            passSecond(atlas);
        }
        settleHandoffs(atlas);
        final long plane = atlas.territoryFace(0, 0, true);
        assertTrue(plane < 0, "the border moved into the dilated server's side: " + plane);
        assertTrue(atlas.entityCount(0) < 20, "the dilated server handed players over: " + atlas.entityCount(0));
        final double one = atlas.serverCost(0);
        final double two = atlas.serverCost(1);
        assertTrue(Math.abs(one - two) <= 0.1 * (one + two) + 1, "balanced counting the dilation: " + one + " / " +
            two);

        // back at real time, it is treated as before: its cost is its entities' again, and the border moves back
        atlas.onServerLoad(nowNs, 0, S1, 12, 12, 10 * MS, 20 * MS, 0.4f, 1000);
        passSecond(atlas);
        assertEquals(1.0 + playersBelow(atlas.territoryFace(0, 0, true)), atlas.serverCost(0), 1e-9);
        for (int second = 0; second < 10; second++)
        {
            settleHandoffs(atlas);
            passSecond(atlas);
        }
        settleHandoffs(atlas);
        assertTrue(atlas.territoryFace(0, 0, true) > plane, "the border moved back toward the balance at real time");
        assertTrue(Math.abs(atlas.serverCost(0) - atlas.serverCost(1)) <=
            0.1 * (atlas.serverCost(0) + atlas.serverCost(1)) + 1);
    }

    @Test
    void shouldSplitAServerThatDilatesTimeBelowItsHighWaterMarkByEntityCost()
    {
        final Atlas dilated = splitCandidate(500);
        assertEquals(1, dilated.splits(), "a server at 0.5 counts twice its cost: above its high-water mark");
        assertTrue(dilated.entityCount(2) > 0, "the spare simulates part of it: " + dilated.entityCount(2));
        assertEquals(1, counters[OrreryCounter.TERRITORY_SPLITS.id()].get());

        final Atlas realTime = splitCandidate(1000);
        assertEquals(0, realTime.splits(), "the same load at real time is below the high-water mark");
        assertTrue(!decisions.contains("wanted 2"), "no spare asked for: " + decisions);
        assertEquals(0, realTime.entityCount(2));
    }

    /**
     * @return players of {@link #shouldMoveTheBorderAwayFromAServerThatDilatesTimeAndStopOnceItIsBackAtRealTime} below
     * a plane on x.
     */
    private static int playersBelow(final long planeMm)
    {
        int count = 0;
        for (int i = 0; i < 40; i++)
        {
            final long x = i < 20 ? -(i + 1) * 1000L : (i - 19) * 1000L;
            count += x < planeMm ? 1 : 0;
        }
        return count;
    }

    /**
     * 100 players on server 1's side, more than servers 1 and 2 can take: Atlas asks the fleet for spare server 3,
     * which joins, and server 1's territory is split with it.
     */
    private Atlas splitWithSpare()
    {
        final Atlas atlas = newSpareAtlas();
        joinBoth(atlas);
        for (int i = 0; i < 100; i++)
        {
            atlas.onEntityAdded(player(i), i, 0, false, -(i % 50 + 1) * 1000L, (i / 50) * 1000L, 0, 0);
        }

        // server 2 takes what it can up to its high-water mark (34); server 1 stays above it and wants a spare
        for (int second = 0; second < 15 && !decisions.contains("wanted 2"); second++)
        {
            passSecond(atlas);
            settleHandoffs(atlas);
        }
        assertTrue(decisions.contains("wanted 2"), "the fleet is asked for server 3: " + decisions);
        assertTrue(atlas.serverCost(1) <= 34, "server 2 never above its high-water mark: " + atlas.serverCost(1));
        assertTrue(atlas.serverCost(0) > 34);
        assertEquals(0, atlas.splits());

        // the fleet started it: the next passes split server 1's territory with it
        atlas.onServerJoined(nowNs, 2, 303, 0);
        for (int second = 0; second < 10 && 0 == atlas.splits(); second++)
        {
            passSecond(atlas);
            atlas.onServerSeen(2, 303, nowNs, true);
            settleHandoffs(atlas);
        }
        assertEquals(1, atlas.splits());
        for (int second = 0; second < 3; second++)
        {
            passSecond(atlas);
            atlas.onServerSeen(2, 303, nowNs, true);
            settleHandoffs(atlas);
        }
        assertTrue(atlas.entityCount(2) > 10, "server 3 simulates part of the crowd: " + atlas.entityCount(2));
        assertEquals(100, atlas.entityCount(0) + atlas.entityCount(1) + atlas.entityCount(2));
        assertEquals(1, counters[OrreryCounter.TERRITORY_SPLITS.id()].get());
        return atlas;
    }

    /**
     * Server 1 holds 30 players (cost 31 with the base), server 2 just as many, capacity 40 (high water 34): server 2
     * can take at most 3 more, and neither is above its mark unless it dilates time. Spare server 3 joins when Atlas
     * asks the fleet for it.
     */
    private Atlas splitCandidate(final int dilationPerMille)
    {
        final Atlas atlas = newSpareAtlas();
        joinBoth(atlas);
        for (int i = 0; i < 60; i++)
        {
            final long x = i < 30 ? -(i + 1) * 1000L : (i - 29) * 1000L;
            atlas.onEntityAdded(player(i), i, 0, false, x, 0, 0, 0);
        }
        atlas.onServerLoad(nowNs, 0, S1, 30, 30, 10 * MS, 20 * MS, 0.9f, dilationPerMille);
        boolean started = false;
        for (int second = 0; second < 8; second++)
        {
            passSecond(atlas);
            settleHandoffs(atlas);
            if (!started && decisions.contains("wanted 2"))
            {
                started = true;
                atlas.onServerJoined(nowNs, 2, 303, 0); // the fleet started the spare
            }
        }
        passSecond(atlas);
        settleHandoffs(atlas);
        return atlas;
    }

    @Test
    void shouldMoveBordersTheSameWayForTheSameCommands()
    {
        final List<String> first = script();
        final List<String> second = script();
        assertTrue(first.stream().anyMatch((d) -> d.startsWith("resized")), "the script moves borders");
        assertEquals(first, second);
    }

    private List<String> script()
    {
        decisions.clear();
        nowNs = 1_000 * MS;
        final Atlas atlas = newAtlas("400");
        joinBoth(atlas);
        final java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        for (int i = 0; i < 60; i++)
        {
            atlas.onEntityAdded(player(i), i, 0, false, random.nextLong(-60_000, 20_000), 0, 0, 0);
        }
        for (int second = 0; second < 15; second++)
        {
            for (int i = 0; i < 60; i++)
            {
                atlas.onEntityMoved(player(i), i, 0, random.nextLong(-60_000, 20_000), 0, 0);
            }
            passSecond(atlas);
            settleHandoffs(atlas);
        }
        return new ArrayList<>(decisions);
    }

    private void passSecond(final Atlas atlas)
    {
        for (int i = 0; i < 30; i++)
        {
            nowNs += 34 * MS;
            atlas.onServerSeen(0, S1, nowNs, true);
            atlas.onServerSeen(1, S2, nowNs, true);
            atlas.onServerSeen(2, 303, nowNs, true);
            atlas.onTick(nowNs, ++tick, 0, true);
        }
    }

    /**
     * Both servers answer every handoff in flight at once (release and accept), as live servers would.
     */
    private void settleHandoffs(final Atlas atlas)
    {
        for (final String decision : new ArrayList<>(decisions))
        {
            if (decision.startsWith("handoff "))
            {
                final String[] words = decision.split(" ");
                final long id = Long.parseLong(words[1]);
                final long entityId = Long.parseLong(words[2].split("/")[0]);
                final int from = Integer.parseInt(words[4].split("/")[0]);
                final int to = Integer.parseInt(words[6].split("/")[0]);
                final long epoch = Long.parseLong(words[10]);
                atlas.onStreamOut(nowNs, from, session(from), entityId, epoch - 1);
                atlas.onHandoffAccepted(nowNs, to, session(to), id, entityId);
            }
        }
    }

    private static long session(final int serverIndex)
    {
        return 0 == serverIndex ? S1 : 1 == serverIndex ? S2 : 303;
    }

    private void joinBoth(final Atlas atlas)
    {
        atlas.onServerJoined(nowNs, 0, S1, 0);
        atlas.onServerJoined(nowNs, 1, S2, 0);
    }

    private static long player(final int i)
    {
        final long id = 1_000 + i;
        assertTrue(EntityIdSpace.isPlayer(id));
        return id;
    }

    /**
     * Servers 1 and 2 split the world at x = 0, spare server 3, capacity 40 (high water 34).
     */
    private Atlas newSpareAtlas()
    {
        decisions.clear();
        counters = newCounters();
        return new Atlas(ShardConfig.parse(String.join("\n",
            "servers 1,2,3",
            "territory 1 server 1 box -inf -inf -inf 0 inf inf",
            "territory 2 server 2 box 0 -inf -inf inf inf inf",
            "territory 3 server 3 spare",
            "balance 1000 8 0.5",
            "load-weights 1 1 0.5 2",
            "server-capacity 40",
            "fleet-min 2"), "spare.shard"), 64, 0, counters, new AtlasStateMachineTest.RecordingDecisions(decisions));
    }

    private static Counter[] newCounters()
    {
        return AtlasStateMachineTest.newCounters();
    }

    private Atlas newAtlas(final String capacity)
    {
        counters = newCounters();
        return new Atlas(ShardConfig.parse(String.format(BALANCED, capacity), "balanced.shard"), 64, 0, counters,
            new AtlasStateMachineTest.RecordingDecisions(decisions));
    }
}
