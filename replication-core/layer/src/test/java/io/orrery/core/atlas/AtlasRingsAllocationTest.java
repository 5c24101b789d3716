/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Steady state allocates nothing on the calling thread: commands and decisions encoded into their rings and decoded
 * out of them, also when messages wait in an overflow that has already grown. Rounds are repeated until one is clean,
 * at most {@link #MAX_ROUNDS}, so a late JIT recompilation does not make it flaky: a clean round of 100,000 round
 * trips proves no message allocates (a path that did would allocate in every round).
 */
class AtlasRingsAllocationTest
{
    private static final int ROUND_TRIPS = 100_000;
    private static final int MAX_ROUNDS = 20;
    private static final int WARM_UP_PASSES = 3;

    /**
     * The overflow path takes longer to settle: on a loaded 2-core box a probe of this loop allocated a few hundred
     * bytes per pass (JIT recompilations) for about ten passes of 200,000 messages, then nothing for seventy.
     */
    private static final int OVERFLOW_WARM_UP_PASSES = 10;

    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();

    /**
     * Sums every argument it is told, so that nothing is optimised away; allocates nothing.
     */
    static final class SummingHandler implements AtlasCommandHandler, AtlasDecisionHandler
    {
        long sum;
        long calls;

        private static long bit(final boolean value)
        {
            return value ? 1 : 0;
        }

        @Override
        public void onServerJoined(
            final long nowNs, final int serverIndex, final long sessionId, final long replacedSessionId)
        {
            calls++;
            sum += nowNs + serverIndex + sessionId + replacedSessionId;
        }

        @Override
        public void onServerFailed(final long nowNs, final int serverIndex, final long sessionId)
        {
            calls++;
            sum += nowNs + serverIndex + sessionId;
        }

        @Override
        public void onServerLoad(
            final long nowNs,
            final int serverIndex,
            final long sessionId,
            final int entityCount,
            final int playerCount,
            final long tickTimeP50Ns,
            final long tickTimeMaxNs,
            final float cpuLoad,
            final int timeDilationPerMille)
        {
            calls++;
            sum += nowNs + serverIndex + sessionId + entityCount + playerCount + tickTimeP50Ns + tickTimeMaxNs +
                Float.floatToRawIntBits(cpuLoad) + timeDilationPerMille;
        }

        @Override
        public void onServerSeen(
            final int serverIndex, final long sessionId, final long lastHeardNs, final boolean bound)
        {
            calls++;
            sum += serverIndex + sessionId + lastHeardNs + bit(bound);
        }

        @Override
        public void onTick(
            final long nowNs, final long tick, final long silenceFloorNs, final boolean ingressCaughtUp)
        {
            calls++;
            sum += nowNs + tick + silenceFloorNs + bit(ingressCaughtUp);
        }

        @Override
        public void onEntityAdded(
            final long entityId,
            final long incarnation,
            final long parentId,
            final boolean isZone,
            final long x,
            final long y,
            final long z,
            final long epoch)
        {
            calls++;
            sum += entityId + incarnation + parentId + bit(isZone) + x + y + z + epoch;
        }

        @Override
        public void onEntityMoved(
            final long entityId, final long incarnation, final long parentId, final long x, final long y, final long z)
        {
            calls++;
            sum += entityId + incarnation + parentId + x + y + z;
        }

        @Override
        public void onEntityRemoved(final long entityId, final long incarnation)
        {
            calls++;
            sum += entityId + incarnation;
        }

        @Override
        public void onStreamOut(
            final long nowNs, final int serverIndex, final long sessionId, final long entityId, final long epoch)
        {
            calls++;
            sum += nowNs + serverIndex + sessionId + entityId + epoch;
        }

        @Override
        public void onHandoffAccepted(
            final long nowNs, final int serverIndex, final long sessionId, final long handoffId, final long entityId)
        {
            calls++;
            sum += nowNs + serverIndex + sessionId + handoffId + entityId;
        }

        @Override
        public void onTerritoryHeld(
            final int territoryIndex,
            final int serverIndex,
            final long sessionId,
            final long territoryEpoch,
            final long minX,
            final long minY,
            final long minZ,
            final long maxX,
            final long maxY,
            final long maxZ)
        {
            calls++;
            sum += territoryIndex + serverIndex + sessionId + territoryEpoch + minX + maxZ;
        }

        @Override
        public void onTerritoryGranted(
            final int territoryIndex, final int serverIndex, final long sessionId, final long territoryEpoch)
        {
            calls++;
            sum += territoryIndex + serverIndex + sessionId + territoryEpoch;
        }

        @Override
        public void onServerWanted(final int serverIndex, final boolean wanted)
        {
            calls++;
            sum += serverIndex + (wanted ? 1 : 0);
        }

        @Override
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
            calls++;
            sum += territoryIndex + serverIndex + sessionId + minX + minY + minZ + maxX + maxY + maxZ + territoryEpoch;
        }

        @Override
        public void onTerritoryFreed(final int territoryIndex, final int serverIndex, final long sessionId)
        {
            calls++;
            sum += territoryIndex + serverIndex + sessionId;
        }

        @Override
        public void onServerRetired(final int serverIndex, final long sessionId, final boolean failedOver)
        {
            calls++;
            sum += serverIndex + sessionId + bit(failedOver);
        }

        @Override
        public void onAuthorityAssigned(
            final long entityId,
            final long incarnation,
            final int serverIndex,
            final long sessionId,
            final int territoryId,
            final long epoch)
        {
            calls++;
            sum += entityId + incarnation + serverIndex + sessionId + territoryId + epoch;
        }

        @Override
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
            calls++;
            sum += handoffId + entityId + incarnation + fromIndex + fromSessionId + toIndex + toSessionId +
                territoryId + newEpoch;
        }

        @Override
        public void onHandoffCommitted(
            final long handoffId,
            final long entityId,
            final long incarnation,
            final int fromIndex,
            final int toIndex,
            final long toSessionId,
            final long newEpoch)
        {
            calls++;
            sum += handoffId + entityId + incarnation + fromIndex + toIndex + toSessionId + newEpoch;
        }

        @Override
        public void onHandoffAbandoned(final long entityId, final long incarnation, final boolean orphaned)
        {
            calls++;
            sum += entityId + incarnation + bit(orphaned);
        }

        @Override
        public void onAuthorityCleared(final long entityId, final long incarnation)
        {
            calls++;
            sum += entityId + incarnation;
        }
    }

    private final SummingHandler handler = new SummingHandler();

    @Test
    void shouldNotAllocateWhenCommandsAndDecisionsRoundTrip()
    {
        final RingBuffer commandRing = AtlasRings.newRing(64 * 1024);
        final RingBuffer decisionRing = AtlasRings.newRing(64 * 1024);
        final AtlasCommandProxy commands = new AtlasCommandProxy(commandRing);
        final AtlasDecisionProxy decisions = new AtlasDecisionProxy(decisionRing);
        final AtlasCommandAdapter commandAdapter = new AtlasCommandAdapter(commandRing, handler);
        final AtlasDecisionAdapter decisionAdapter = new AtlasDecisionAdapter(decisionRing, handler);

        for (int warmUp = 0; warmUp < WARM_UP_PASSES; warmUp++)
        {
            roundTrips(commands, decisions, commandAdapter, decisionAdapter, 0);
        }
        long bytes = -1;
        for (int round = 1; round <= MAX_ROUNDS && 0 != bytes; round++)
        {
            final long callsBefore = handler.calls;
            final long before = THREADS.getCurrentThreadAllocatedBytes();
            roundTrips(commands, decisions, commandAdapter, decisionAdapter, round);
            bytes = THREADS.getCurrentThreadAllocatedBytes() - before;
            System.out.println("round " + round + ": " + bytes + " bytes allocated over " + ROUND_TRIPS +
                " round trips");
            assertEquals(2L * ROUND_TRIPS, handler.calls - callsBefore);
        }
        assertEquals(0, commands.overflowed() + decisions.overflowed());
        assertEquals(0, commandAdapter.unknown() + decisionAdapter.unknown());
        assertTrue(0 != handler.sum);
        assertEquals(0, bytes, "bytes allocated by proxies and adapters");
    }

    @Test
    void shouldNotAllocateWhenMessagesWaitInAnOverflowThatHasGrown()
    {
        final RingBuffer commandRing = AtlasRings.newRing(1024);
        final RingBuffer decisionRing = AtlasRings.newRing(1024);
        final AtlasCommandProxy commands = new AtlasCommandProxy(commandRing);
        final AtlasDecisionProxy decisions = new AtlasDecisionProxy(decisionRing);
        final AtlasCommandAdapter commandAdapter = new AtlasCommandAdapter(commandRing, handler);
        final AtlasDecisionAdapter decisionAdapter = new AtlasDecisionAdapter(decisionRing, handler);

        for (int warmUp = 0; warmUp < OVERFLOW_WARM_UP_PASSES; warmUp++)
        {
            bursts(commands, decisions, commandAdapter, decisionAdapter, 0);
        }
        long bytes = -1;
        for (int round = 1; round <= MAX_ROUNDS && 0 != bytes; round++)
        {
            final long overflowedBefore = commands.overflowed() + decisions.overflowed();
            final long before = THREADS.getCurrentThreadAllocatedBytes();
            bursts(commands, decisions, commandAdapter, decisionAdapter, round);
            bytes = THREADS.getCurrentThreadAllocatedBytes() - before;
            final long overflowed = commands.overflowed() + decisions.overflowed() - overflowedBefore;
            System.out.println("round " + round + ": " + bytes + " bytes allocated, " + overflowed +
                " messages through the overflow");
            assertTrue(overflowed > ROUND_TRIPS, "overflowed " + overflowed);
        }
        assertEquals(0, bytes, "bytes allocated by proxies and adapters");
    }

    /**
     * {@link #ROUND_TRIPS} of one command and one decision, each read back at once, cycling through every kind.
     */
    private void roundTrips(
        final AtlasCommandProxy commands,
        final AtlasDecisionProxy decisions,
        final AtlasCommandAdapter commandAdapter,
        final AtlasDecisionAdapter decisionAdapter,
        final long round)
    {
        for (int i = 0; i < ROUND_TRIPS; i++)
        {
            sendCommand(commands, i, round);
            sendDecision(decisions, i, round);
            commandAdapter.poll(10);
            decisionAdapter.poll(10);
        }
    }

    /**
     * Bursts of 100 commands and 100 decisions into 1 KiB rings, then drained: most wait in the overflow.
     */
    private void bursts(
        final AtlasCommandProxy commands,
        final AtlasDecisionProxy decisions,
        final AtlasCommandAdapter commandAdapter,
        final AtlasDecisionAdapter decisionAdapter,
        final long round)
    {
        final long callsBefore = handler.calls;
        for (int burst = 0; burst < ROUND_TRIPS / 100; burst++)
        {
            for (int i = 0; i < 100; i++)
            {
                sendCommand(commands, i, round);
                sendDecision(decisions, i, round);
            }
            int read;
            do
            {
                read = commandAdapter.poll(100) + decisionAdapter.poll(100);
                commands.flush();
                decisions.flush();
            }
            while (read > 0 || commands.hasBacklog() || decisions.hasBacklog());
        }
        assertEquals(2L * ROUND_TRIPS, handler.calls - callsBefore);
    }

    private static void sendCommand(final AtlasCommandProxy proxy, final int i, final long round)
    {
        final long v = round * 1_000_000L + i;
        switch (i % 10)
        {
            case 0 -> proxy.onServerJoined(v, i, v + 1, v + 2);
            case 1 -> proxy.onServerFailed(v, i, v + 1);
            case 2 -> proxy.onServerLoad(v, i, v + 1, i + 2, i + 3, v + 4, v + 5, i * 0.5f, 1000 - i);
            case 3 -> proxy.onServerSeen(i, v, v + 1, 0 == (i & 2));
            case 4 -> proxy.onTick(v, v + 1, v + 2, 0 == (i & 4));
            case 5 -> proxy.onEntityAdded(v, v + 1, v + 2, 0 == (i & 2), v + 3, v + 4, v + 5, v + 6);
            case 6 -> proxy.onEntityMoved(v, v + 1, v + 2, v + 3, v + 4, v + 5);
            case 7 -> proxy.onEntityRemoved(v, v + 1);
            case 8 -> proxy.onStreamOut(v, i, v + 1, v + 2, v + 3);
            default -> proxy.onHandoffAccepted(v, i, v + 1, v + 2, v + 3);
        }
    }

    private static void sendDecision(final AtlasDecisionProxy proxy, final int i, final long round)
    {
        final long v = round * 1_000_000L + i;
        switch (i % 10)
        {
            case 9 -> proxy.onServerWanted(i, 0 == (i & 16));
            case 8 -> proxy.onTerritoryResized(i, i + 1, v, v + 1, v + 2, v + 3, v + 4, v + 5, v + 6, v + 7);
            case 0 -> proxy.onTerritoryGranted(i, i + 1, v, v + 1);
            case 1 -> proxy.onTerritoryFreed(i, i + 1, v);
            case 2 -> proxy.onServerRetired(i, v, 0 == (i & 8));
            case 3 -> proxy.onAuthorityAssigned(v, v + 1, i, v + 2, i + 1, v + 3);
            case 4 -> proxy.onHandoffStarted(v, v + 1, v + 2, i, v + 3, i + 1, v + 4, i + 2, v + 5);
            case 5 -> proxy.onHandoffCommitted(v, v + 1, v + 2, i, i + 1, v + 3, v + 4);
            case 6 -> proxy.onHandoffAbandoned(v, v + 1, 0 == (i & 8));
            default -> proxy.onAuthorityCleared(v, v + 1);
        }
    }
}
