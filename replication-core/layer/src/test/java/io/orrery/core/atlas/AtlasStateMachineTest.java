/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.aeron.Counter;
import io.orrery.core.status.OrreryCounter;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Atlas as a state machine, with no media driver, cache or thread: commands in, decisions out, time from the
 * commands. Server index 0 is server 1 (x &lt; 0), index 1 is server 2 (x &gt;= 0).
 */
class AtlasStateMachineTest
{
    private static final long MS = 1_000_000L;
    private static final long ENTITY = 7;
    private static final long INCARNATION = 3;
    private static final long S1 = 101;
    private static final long S2 = 202;

    private final List<String> decisions = new ArrayList<>();
    private Counter[] counters;
    private Atlas atlas;
    private long nowNs = 1_000 * MS;
    private long tick;

    @BeforeEach
    void setUp()
    {
        counters = newCounters();
        atlas = newAtlas(counters, new RecordingDecisions(decisions));
    }

    @Test
    void shouldAssignEntityToTheServerOfItsTerritory()
    {
        joinBoth();
        atlas.onEntityAdded(ENTITY, INCARNATION, 0, false, -10_000, 0, 0, 0);

        assertEquals(List.of("assigned " + ENTITY + "/" + INCARNATION + " to 0/" + S1 + " territory 1 epoch 1"),
            decisions);
        assertEquals(1, atlas.authorityOf(ENTITY));
        assertEquals(1, atlas.entityCount(0));
    }

    @Test
    void shouldWaitForAnEntitysParentBeforeDecidingItsTerritory()
    {
        joinBoth();
        atlas.onEntityAdded(ENTITY, INCARNATION, 99, false, 5_000, 0, 0, 0);
        tick();
        assertTrue(decisions.isEmpty(), decisions.toString());
        assertEquals(0, atlas.authorityOf(ENTITY));

        atlas.onEntityAdded(99, 1, 0, true, -50_000, 0, 0, 0);
        tick();
        assertEquals(1, atlas.authorityOf(99));
        assertEquals(1, atlas.authorityOf(ENTITY), "follows its parent's position, not its own local one");
    }

    @Test
    void shouldHandOffExactlyOnceWhenAnEntityCrossesTheBorder()
    {
        joinBoth();
        atlas.onEntityAdded(ENTITY, INCARNATION, 0, false, -10_000, 0, 0, 0);
        decisions.clear();

        atlas.onEntityMoved(ENTITY, INCARNATION, 0, 10_000, 0, 0);
        tick();
        assertEquals(List.of("handoff 1 " + ENTITY + "/" + INCARNATION + " from 0/" + S1 + " to 1/" + S2 +
            " territory 2 epoch 2"), decisions);
        assertTrue(atlas.isHandingOff(ENTITY));
        decisions.clear();

        atlas.onStreamOut(nowNs, 0, S1, ENTITY, 2); // the new epoch: not the releasing server's
        atlas.onStreamOut(nowNs, 1, S2, ENTITY, 1); // not the releasing server
        atlas.onHandoffAccepted(nowNs, 0, S1, 1, ENTITY); // not the target
        atlas.onHandoffAccepted(nowNs, 1, S2, 9, ENTITY); // another handoff
        assertTrue(decisions.isEmpty(), decisions.toString());

        atlas.onStreamOut(nowNs, 0, S1, ENTITY, 1);
        assertTrue(decisions.isEmpty(), "waits for the target's accept");
        atlas.onHandoffAccepted(nowNs, 1, S2, 1, ENTITY);
        assertEquals(List.of("committed 1 " + ENTITY + "/" + INCARNATION + " from 0 to 1/" + S2 + " epoch 2"),
            decisions);
        decisions.clear();

        atlas.onHandoffAccepted(nowNs, 1, S2, 1, ENTITY);
        atlas.onStreamOut(nowNs, 0, S1, ENTITY, 1);
        tick();
        assertTrue(decisions.isEmpty(), decisions.toString());
        assertEquals(2, atlas.authorityOf(ENTITY));
        assertEquals(1, atlas.handoffsCommitted());
        assertEquals(1, counter(OrreryCounter.HANDOFFS_COMMITTED));
    }

    @Test
    void shouldPaceHandoffsToOneServerWhenACrowdCrossesAtOnce()
    {
        atlas = new Atlas(ShardConfig.parse(
            "servers 1,2\n" +
            "territory 1 server 1 box -inf -inf -inf 0 inf inf\n" +
            "territory 2 server 2 box 0 -inf -inf inf inf inf\n" +
            "handoff-pacing 4\n", "paced"), 64, 0, counters, new RecordingDecisions(decisions));
        joinBoth();
        final int crowd = 10;
        for (int i = 0; i < crowd; i++)
        {
            atlas.onEntityAdded(ENTITY + i, INCARNATION, 0, false, -10_000, i * 1_000L, 0, 0);
        }
        for (int i = 0; i < crowd; i++)
        {
            atlas.onEntityMoved(ENTITY + i, INCARNATION, 0, 10_000, i * 1_000L, 0);
        }
        decisions.clear();

        final List<Long> started = new ArrayList<>();
        int ticks = 0;
        while (started.size() < crowd && ticks++ < 20)
        {
            tick();
            final List<Long> wave = new ArrayList<>();
            for (final String d : decisions)
            {
                if (d.startsWith("handoff "))
                {
                    wave.add(Long.parseLong(d.split(" ")[2].split("/")[0]));
                }
            }
            decisions.clear();
            assertTrue(wave.size() <= 4, "at most 4 in flight to server 2: " + wave);
            assertEquals(Math.min(4, crowd - started.size()), wave.size(), "a full wave while entities wait");
            assertEquals(crowd - started.size() - wave.size(), counter(OrreryCounter.HANDOFFS_WAITING));
            long handoffId = started.size();
            for (final long entity : wave)
            {
                assertFalse(started.contains(entity), "one handoff per entity");
                started.add(entity);
                atlas.onStreamOut(nowNs, 0, S1, entity, 1);
                atlas.onHandoffAccepted(nowNs, 1, S2, ++handoffId, entity);
            }
            advance(33);
        }
        tick();
        assertEquals(crowd, started.size());
        assertEquals(3, ticks, "10 entities in waves of 4, 4 and 2");
        assertEquals(0, counter(OrreryCounter.HANDOFFS_WAITING));
        for (int i = 0; i < crowd; i++)
        {
            assertEquals(2, atlas.authorityOf(ENTITY + i));
        }
        assertEquals(crowd, atlas.handoffsCommitted());
    }

    @Test
    void shouldCommitFromTheCacheWhenTheReleasingServerDoesNotAnswer()
    {
        joinBoth();
        atlas.onEntityAdded(ENTITY, INCARNATION, 0, false, -10_000, 0, 0, 0);
        atlas.onEntityMoved(ENTITY, INCARNATION, 0, 10_000, 0, 0);
        tick();
        atlas.onHandoffAccepted(nowNs, 1, S2, 1, ENTITY);
        decisions.clear();

        advance(100);
        tick();
        assertTrue(decisions.isEmpty());
        advance(200); // past the shard's 250 ms handoff timeout
        tick();

        assertEquals(List.of("committed 1 " + ENTITY + "/" + INCARNATION + " from 0 to 1/" + S2 + " epoch 2"),
            decisions);
        assertEquals(1, counter(OrreryCounter.HANDOFFS_TIMED_OUT));
    }

    @Test
    void shouldFailASilentServerOverToTheSurvivor()
    {
        joinBoth();
        atlas.onEntityAdded(ENTITY, INCARNATION, 0, false, -10_000, 0, 0, 0);
        heardBoth(true);
        decisions.clear();

        for (int i = 0; i < 6; i++)
        {
            advance(100);
            atlas.onServerSeen(1, S2, nowNs, true);
            tick();
        }

        assertEquals(List.of(
            "retired 0/" + S1 + " failedOver=true",
            "cleared " + ENTITY + "/" + INCARNATION,
            "freed territory 0 of 0/" + S1,
            "granted territory 0 to 1/" + S2 + " epoch 2",
            "assigned " + ENTITY + "/" + INCARNATION + " to 1/" + S2 + " territory 1 epoch 2"), decisions);
        assertFalse(atlas.isActive(0));
        assertEquals(2, atlas.territoryServerId(0));
        assertEquals(2, atlas.authorityOf(ENTITY));
        assertEquals(1, counter(OrreryCounter.SERVER_FAILOVERS));
    }

    @Test
    void shouldPresumeNobodySilentWhileBehindOnIngressOrJustAfterAPause()
    {
        joinBoth();
        heardBoth(true);
        decisions.clear();

        advance(2_000);
        atlas.onTick(nowNs, ++tick, 0, false); // ingress not caught up: heartbeats may be queued
        assertTrue(decisions.isEmpty(), decisions.toString());
        atlas.onTick(nowNs, ++tick, nowNs - 100 * MS, true); // the layer resumed 100 ms ago after a pause
        assertTrue(decisions.isEmpty(), decisions.toString());

        advance(600);
        tick();
        assertEquals(2, counter(OrreryCounter.SERVER_FAILOVERS), "still silent well after the pause");
    }

    @Test
    void shouldGiveARejoiningSessionItsTerritoriesAndEntities()
    {
        joinBoth();
        atlas.onEntityAdded(ENTITY, INCARNATION, 0, false, -10_000, 0, 0, 0);
        decisions.clear();

        final long rejoined = 303;
        atlas.onServerJoined(nowNs, 0, rejoined, S1);

        assertEquals(List.of(
            "retired 0/" + S1 + " failedOver=false",
            "cleared " + ENTITY + "/" + INCARNATION,
            "freed territory 0 of 0/" + S1,
            "granted territory 0 to 0/" + rejoined + " epoch 2",
            "assigned " + ENTITY + "/" + INCARNATION + " to 0/" + rejoined + " territory 1 epoch 2"), decisions);
        assertEquals(1, counter(OrreryCounter.SERVER_REPLACEMENTS));
        assertEquals(0, counter(OrreryCounter.SERVER_FAILOVERS));
    }

    @Test
    void shouldIgnoreCommandsAboutSessionsAndIncarnationsItNoLongerHolds()
    {
        joinBoth();
        atlas.onEntityAdded(ENTITY, INCARNATION, 0, false, -10_000, 0, 0, 0);
        atlas.onServerJoined(nowNs, 0, 303, S1);
        decisions.clear();

        atlas.onServerFailed(nowNs, 0, S1);
        atlas.onServerLoad(nowNs, 0, S1, 5, 1, 1, 1, 0.5f, 1000);
        atlas.onEntityMoved(ENTITY, INCARNATION + 1, 0, 10_000, 0, 0);
        atlas.onEntityRemoved(ENTITY, INCARNATION + 1);
        atlas.onServerJoined(nowNs, 7, 404, 0); // no such server
        tick();

        assertTrue(decisions.isEmpty(), decisions.toString());
        assertTrue(atlas.isActive(0));
        assertEquals(1, atlas.authorityOf(ENTITY));
    }

    @Test
    void shouldAbandonAHandoffToADeadTarget()
    {
        joinBoth();
        atlas.onEntityAdded(ENTITY, INCARNATION, 0, false, -10_000, 0, 0, 0);
        atlas.onEntityMoved(ENTITY, INCARNATION, 0, 10_000, 0, 0);
        tick();
        decisions.clear();

        atlas.onServerFailed(nowNs, 1, S2);

        assertEquals("retired 1/" + S2 + " failedOver=true", decisions.get(0));
        assertEquals("abandoned " + ENTITY + "/" + INCARNATION + " orphaned=false", decisions.get(1));
        assertFalse(atlas.isHandingOff(ENTITY));
        assertEquals(1, atlas.authorityOf(ENTITY), "the releasing server had not released it: it keeps it");
    }

    @Test
    void shouldAssignAgainFromTheCacheWhenAReleaseCrossesTheAbandonmentOfItsHandoff()
    {
        joinBoth();
        atlas.onEntityAdded(ENTITY, INCARNATION, 0, false, -10_000, 0, 0, 0);
        atlas.onEntityMoved(ENTITY, INCARNATION, 0, 10_000, 0, 0);
        tick();
        atlas.onServerFailed(nowNs, 1, S2); // the target dies before server 1's release arrives: server 1 keeps it
        assertEquals(1, atlas.authorityOf(ENTITY));
        decisions.clear();

        atlas.onStreamOut(nowNs, 0, S1, ENTITY, 1); // ... but server 1 had released it already: nobody simulates it
        assertEquals(List.of("cleared " + ENTITY + "/" + INCARNATION), decisions);
        assertEquals(0, atlas.authorityOf(ENTITY));
        decisions.clear();

        tick(); // server 1 now holds both territories: it gets the entity again, from the cache, at a new epoch
        assertEquals(List.of("assigned " + ENTITY + "/" + INCARNATION + " to 0/" + S1 + " territory 2 epoch 2"),
            decisions);
        assertEquals(1, atlas.authorityOf(ENTITY));
        decisions.clear();

        atlas.onStreamOut(nowNs, 0, S1, ENTITY, 1); // a copy of the old release changes nothing
        tick();
        assertTrue(decisions.isEmpty(), decisions.toString());
        assertEquals(1, atlas.authorityOf(ENTITY));
    }

    @Test
    void shouldDecideTheSameForTheSameCommands()
    {
        final List<String> first = new ArrayList<>();
        final List<String> second = new ArrayList<>();
        script(newAtlas(newCounters(), new RecordingDecisions(first)), 42);
        script(newAtlas(newCounters(), new RecordingDecisions(second)), 42);

        assertTrue(first.size() > 100, "the script exercises Atlas: " + first.size());
        assertEquals(first, second);
    }

    @Test
    void shouldNotAllocatePerCommandInSteadyState()
    {
        final Atlas quiet = newAtlas(counters, new NoDecisions());
        quiet.onServerJoined(nowNs, 0, S1, 0);
        quiet.onServerJoined(nowNs, 1, S2, 0);
        for (int i = 0; i < 1_000; i++)
        {
            quiet.onEntityAdded(1_000 + i, i, 0, false, i % 2 == 0 ? -20_000 : 20_000, i, 0, 0);
        }
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        for (int round = 0; round < 2; round++)
        {
            final long before = threads.getCurrentThreadAllocatedBytes();
            for (int t = 0; t < 2_000; t++)
            {
                nowNs += 10 * MS;
                for (int i = 0; i < 1_000; i++)
                {
                    quiet.onEntityMoved(1_000 + i, i, 0, i % 2 == 0 ? -20_000 - t : 20_000 + t, i, 0);
                }
                quiet.onServerSeen(0, S1, nowNs, true);
                quiet.onServerSeen(1, S2, nowNs, true);
                quiet.onServerLoad(nowNs, 0, S1, 500, 0, 1, 2, 0.1f, 1000);
                quiet.onTick(nowNs, t, 0, true);
            }
            final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            if (1 == round)
            {
                assertEquals(0, allocated, "bytes allocated over 2,000,000 moves and 2,000 ticks");
            }
        }
    }

    /**
     * A seeded mix of joins, entities, moves, handoff answers, silences and rejoins.
     */
    private static void script(final Atlas atlas, final long seed)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        long now = 1_000 * MS;
        final long[] sessions = {S1, S2};
        atlas.onServerJoined(now, 0, sessions[0], 0);
        atlas.onServerJoined(now, 1, sessions[1], 0);
        for (int i = 0; i < 50; i++)
        {
            atlas.onEntityAdded(i + 1, i, 0, false, random.nextLong(-50_000, 50_000), 0, 0, 0);
        }
        long handoffId = 0;
        for (int t = 0; t < 2_000; t++)
        {
            now += 33 * MS;
            for (int i = 0; i < 50; i++)
            {
                if (random.nextInt(4) == 0)
                {
                    atlas.onEntityMoved(i + 1, i, 0, random.nextLong(-50_000, 50_000), 0, 0);
                }
            }
            for (int s = 0; s < 2; s++)
            {
                if (random.nextInt(50) != 0)
                {
                    atlas.onServerSeen(s, sessions[s], now, true);
                }
                if (!atlas.isActive(s) && random.nextInt(10) == 0)
                {
                    final long session = sessions[s] + 1_000;
                    atlas.onServerJoined(now, s, session, 0);
                    sessions[s] = session;
                }
            }
            final long entity = random.nextInt(50) + 1;
            atlas.onStreamOut(now, random.nextInt(2), sessions[random.nextInt(2)], entity, atlas.epochOf(entity));
            handoffId = Math.max(handoffId, random.nextInt(t + 1));
            atlas.onHandoffAccepted(now, random.nextInt(2), sessions[random.nextInt(2)], handoffId, entity);
            atlas.onTick(now, t, 0, true);
        }
    }

    private void joinBoth()
    {
        atlas.onServerJoined(nowNs, 0, S1, 0);
        atlas.onServerJoined(nowNs, 1, S2, 0);
        assertEquals(List.of("granted territory 0 to 0/" + S1 + " epoch 1", "granted territory 1 to 1/" + S2 +
            " epoch 1"), decisions);
        decisions.clear();
    }

    private void heardBoth(final boolean bound)
    {
        atlas.onServerSeen(0, S1, nowNs, bound);
        atlas.onServerSeen(1, S2, nowNs, bound);
    }

    private void tick()
    {
        atlas.onTick(nowNs, ++tick, 0, true);
    }

    private void advance(final long ms)
    {
        nowNs += ms * MS;
    }

    private long counter(final OrreryCounter counter)
    {
        return counters[counter.id()].get();
    }

    private static Atlas newAtlas(final Counter[] counters, final AtlasDecisionHandler decisions)
    {
        return new Atlas(ShardConfig.loadResource("shards/two-servers.shard"), 64, 0, counters, decisions);
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

    static final class RecordingDecisions implements AtlasDecisionHandler
    {
        private final List<String> log;

        RecordingDecisions(final List<String> log)
        {
            this.log = log;
        }

        public void onTerritoryGranted(
            final int territoryIndex, final int serverIndex, final long sessionId, final long territoryEpoch)
        {
            log.add("granted territory " + territoryIndex + " to " + serverIndex + "/" + sessionId + " epoch " +
                territoryEpoch);
        }

        public void onServerWanted(final int serverIndex, final boolean wanted)
        {
            log.add((wanted ? "wanted " : "unwanted ") + serverIndex);
        }

        public void onTerritoryResized(
            final int territoryIndex,
            final int serverIndex,
            final long sessionId,
            final long minX,
            final long minY,
            final long minZ,
            final long maxX,
            final long maxY,
            final long maxZ,
            final long territoryEpoch)
        {
            log.add("resized territory " + territoryIndex + " of " + serverIndex + "/" + sessionId + " x [" + minX +
                ".." + maxX + ") epoch " + territoryEpoch);
        }

        public void onTerritoryFreed(final int territoryIndex, final int serverIndex, final long sessionId)
        {
            log.add("freed territory " + territoryIndex + " of " + serverIndex + "/" + sessionId);
        }

        public void onServerRetired(final int serverIndex, final long sessionId, final boolean failedOver)
        {
            log.add("retired " + serverIndex + "/" + sessionId + " failedOver=" + failedOver);
        }

        public void onAuthorityAssigned(
            final long entityId,
            final long incarnation,
            final int serverIndex,
            final long sessionId,
            final int territoryId,
            final long epoch)
        {
            log.add("assigned " + entityId + "/" + incarnation + " to " + serverIndex + "/" + sessionId +
                " territory " + territoryId + " epoch " + epoch);
        }

        public void onHandoffStarted(
            final long handoffId,
            final long entityId,
            final long incarnation,
            final int fromIndex,
            final long fromSessionId,
            final int toIndex,
            final long toSessionId,
            final int territoryId,
            final long newEpoch)
        {
            log.add("handoff " + handoffId + " " + entityId + "/" + incarnation + " from " + fromIndex + "/" +
                fromSessionId + " to " + toIndex + "/" + toSessionId + " territory " + territoryId + " epoch " +
                newEpoch);
        }

        public void onHandoffCommitted(
            final long handoffId,
            final long entityId,
            final long incarnation,
            final int fromIndex,
            final int toIndex,
            final long toSessionId,
            final long newEpoch)
        {
            log.add("committed " + handoffId + " " + entityId + "/" + incarnation + " from " + fromIndex + " to " +
                toIndex + "/" + toSessionId + " epoch " + newEpoch);
        }

        public void onHandoffAbandoned(final long entityId, final long incarnation, final boolean orphaned)
        {
            log.add("abandoned " + entityId + "/" + incarnation + " orphaned=" + orphaned);
        }

        public void onAuthorityCleared(final long entityId, final long incarnation)
        {
            log.add("cleared " + entityId + "/" + incarnation);
        }
    }

    static final class NoDecisions implements AtlasDecisionHandler
    {
        public void onTerritoryGranted(
            final int territoryIndex, final int serverIndex, final long sessionId, final long territoryEpoch)
        {
        }

        public void onServerWanted(final int serverIndex, final boolean wanted)
        {
        }

        public void onTerritoryResized(
            final int territoryIndex,
            final int serverIndex,
            final long sessionId,
            final long minX,
            final long minY,
            final long minZ,
            final long maxX,
            final long maxY,
            final long maxZ,
            final long territoryEpoch)
        {
        }

        public void onTerritoryFreed(final int territoryIndex, final int serverIndex, final long sessionId)
        {
        }

        public void onServerRetired(final int serverIndex, final long sessionId, final boolean failedOver)
        {
        }

        public void onAuthorityAssigned(
            final long entityId,
            final long incarnation,
            final int serverIndex,
            final long sessionId,
            final int territoryId,
            final long epoch)
        {
        }

        public void onHandoffStarted(
            final long handoffId,
            final long entityId,
            final long incarnation,
            final int fromIndex,
            final long fromSessionId,
            final int toIndex,
            final long toSessionId,
            final int territoryId,
            final long newEpoch)
        {
        }

        public void onHandoffCommitted(
            final long handoffId,
            final long entityId,
            final long incarnation,
            final int fromIndex,
            final int toIndex,
            final long toSessionId,
            final long newEpoch)
        {
        }

        public void onHandoffAbandoned(final long entityId, final long incarnation, final boolean orphaned)
        {
        }

        public void onAuthorityCleared(final long entityId, final long incarnation)
        {
        }
    }
}
