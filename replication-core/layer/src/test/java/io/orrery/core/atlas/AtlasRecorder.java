/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Records every command and decision it is told, with all its arguments, as text: two recorders told the same calls
 * have equal lists. {@link #tellEverything} calls every method of both interfaces with values that are distinct from
 * one another and none of them the default (0, false), beyond 32 bits where the type allows, some negative.
 */
final class AtlasRecorder implements AtlasCommandHandler, AtlasDecisionHandler
{
    final List<String> commands = new ArrayList<>();
    final List<String> decisions = new ArrayList<>();

    /**
     * Distinct, non-default values, the same sequence for the same seed.
     */
    static final class Values
    {
        private long n;
        private final long seed;

        Values(final long seed)
        {
            this.seed = seed;
        }

        long nextLong()
        {
            n++;
            final long value = seed * 1_000_003L + n * 0x1_0000_0007L;
            return 0 == (n & 1) ? -value : value;
        }

        int nextInt()
        {
            n++;
            final int value = (int)(seed * 1_009 + n * 65_537);
            return 0 == (n & 1) ? -value : value;
        }

        float nextFloat()
        {
            n++;
            return 0.25f + seed + n;
        }
    }

    /**
     * Calls every method of both interfaces once, in declaration order, interleaving commands and decisions.
     */
    static void tellEverything(
        final AtlasCommandHandler commands, final AtlasDecisionHandler decisions, final long seed, final boolean flag)
    {
        final Values v = new Values(seed);
        commands.onServerJoined(v.nextLong(), v.nextInt(), v.nextLong(), v.nextLong());
        decisions.onTerritoryGranted(v.nextInt(), v.nextInt(), v.nextLong(), v.nextLong());
        commands.onServerFailed(v.nextLong(), v.nextInt(), v.nextLong());
        decisions.onTerritoryFreed(v.nextInt(), v.nextInt(), v.nextLong());
        decisions.onTerritoryResized(v.nextInt(), v.nextInt(), v.nextLong(), v.nextLong(), v.nextLong(), v.nextLong(),
            v.nextLong(), v.nextLong(), v.nextLong(), v.nextLong());
        decisions.onServerWanted(v.nextInt(), flag);
        commands.onServerLoad(
            v.nextLong(),
            v.nextInt(),
            v.nextLong(),
            v.nextInt(),
            v.nextInt(),
            v.nextLong(),
            v.nextLong(),
            v.nextFloat(),
            v.nextInt());
        decisions.onServerRetired(v.nextInt(), v.nextLong(), flag);
        commands.onServerSeen(v.nextInt(), v.nextLong(), v.nextLong(), flag);
        decisions.onAuthorityAssigned(v.nextLong(), v.nextLong(), v.nextInt(), v.nextLong(), v.nextInt(), v.nextLong());
        commands.onTick(v.nextLong(), v.nextLong(), v.nextLong(), flag);
        decisions.onHandoffStarted(
            v.nextLong(),
            v.nextLong(),
            v.nextLong(),
            v.nextInt(),
            v.nextLong(),
            v.nextInt(),
            v.nextLong(),
            v.nextInt(),
            v.nextLong());
        commands.onEntityAdded(
            v.nextLong(), v.nextLong(), v.nextLong(), flag, v.nextLong(), v.nextLong(), v.nextLong(), v.nextLong());
        decisions.onHandoffCommitted(
            v.nextLong(), v.nextLong(), v.nextLong(), v.nextInt(), v.nextInt(), v.nextLong(), v.nextLong());
        commands.onEntityMoved(v.nextLong(), v.nextLong(), v.nextLong(), v.nextLong(), v.nextLong(), v.nextLong());
        decisions.onHandoffAbandoned(v.nextLong(), v.nextLong(), flag);
        commands.onEntityRemoved(v.nextLong(), v.nextLong());
        decisions.onAuthorityCleared(v.nextLong(), v.nextLong());
        commands.onStreamOut(v.nextLong(), v.nextInt(), v.nextLong(), v.nextLong(), v.nextLong());
        commands.onHandoffAccepted(v.nextLong(), v.nextInt(), v.nextLong(), v.nextLong(), v.nextLong());
        commands.onTerritoryHeld(v.nextInt(), v.nextInt(), v.nextLong(), v.nextLong(), v.nextLong(), v.nextLong(),
            v.nextLong(), v.nextLong(), v.nextLong(), v.nextLong());
    }

    private void command(final String name, final Object... args)
    {
        commands.add(name + Arrays.toString(args));
    }

    private void decision(final String name, final Object... args)
    {
        decisions.add(name + Arrays.toString(args));
    }

    @Override
    public void onServerJoined(
        final long nowNs, final int serverIndex, final long sessionId, final long replacedSessionId)
    {
        command("onServerJoined", nowNs, serverIndex, sessionId, replacedSessionId);
    }

    @Override
    public void onServerFailed(final long nowNs, final int serverIndex, final long sessionId)
    {
        command("onServerFailed", nowNs, serverIndex, sessionId);
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
        command(
            "onServerLoad",
            nowNs,
            serverIndex,
            sessionId,
            entityCount,
            playerCount,
            tickTimeP50Ns,
            tickTimeMaxNs,
            cpuLoad,
            timeDilationPerMille);
    }

    @Override
    public void onServerSeen(final int serverIndex, final long sessionId, final long lastHeardNs, final boolean bound)
    {
        command("onServerSeen", serverIndex, sessionId, lastHeardNs, bound);
    }

    @Override
    public void onTick(final long nowNs, final long tick, final long silenceFloorNs, final boolean ingressCaughtUp)
    {
        command("onTick", nowNs, tick, silenceFloorNs, ingressCaughtUp);
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
        command("onEntityAdded", entityId, incarnation, parentId, isZone, x, y, z, epoch);
    }

    @Override
    public void onEntityMoved(
        final long entityId, final long incarnation, final long parentId, final long x, final long y, final long z)
    {
        command("onEntityMoved", entityId, incarnation, parentId, x, y, z);
    }

    @Override
    public void onEntityRemoved(final long entityId, final long incarnation)
    {
        command("onEntityRemoved", entityId, incarnation);
    }

    @Override
    public void onStreamOut(
        final long nowNs, final int serverIndex, final long sessionId, final long entityId, final long epoch)
    {
        command("onStreamOut", nowNs, serverIndex, sessionId, entityId, epoch);
    }

    @Override
    public void onHandoffAccepted(
        final long nowNs, final int serverIndex, final long sessionId, final long handoffId, final long entityId)
    {
        command("onHandoffAccepted", nowNs, serverIndex, sessionId, handoffId, entityId);
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
        command("onTerritoryHeld", territoryIndex, serverIndex, sessionId, territoryEpoch, minX, minY, minZ, maxX, maxY,
            maxZ);
    }

    @Override
    public void onTerritoryGranted(
        final int territoryIndex, final int serverIndex, final long sessionId, final long territoryEpoch)
    {
        decision("onTerritoryGranted", territoryIndex, serverIndex, sessionId, territoryEpoch);
    }

    @Override
    public void onTerritoryFreed(final int territoryIndex, final int serverIndex, final long sessionId)
    {
        decision("onTerritoryFreed", territoryIndex, serverIndex, sessionId);
    }

    @Override
    public void onServerWanted(final int serverIndex, final boolean wanted)
    {
        decision("onServerWanted", serverIndex, wanted);
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
        decision("onTerritoryResized", territoryIndex, serverIndex, sessionId, minX, minY, minZ, maxX, maxY, maxZ,
            territoryEpoch);
    }

    @Override
    public void onServerRetired(final int serverIndex, final long sessionId, final boolean failedOver)
    {
        decision("onServerRetired", serverIndex, sessionId, failedOver);
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
        decision("onAuthorityAssigned", entityId, incarnation, serverIndex, sessionId, territoryId, epoch);
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
        decision(
            "onHandoffStarted",
            handoffId,
            entityId,
            incarnation,
            fromIndex,
            fromSessionId,
            toIndex,
            toSessionId,
            territoryId,
            newEpoch);
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
        decision("onHandoffCommitted", handoffId, entityId, incarnation, fromIndex, toIndex, toSessionId, newEpoch);
    }

    @Override
    public void onHandoffAbandoned(final long entityId, final long incarnation, final boolean orphaned)
    {
        decision("onHandoffAbandoned", entityId, incarnation, orphaned);
    }

    @Override
    public void onAuthorityCleared(final long entityId, final long incarnation)
    {
        decision("onAuthorityCleared", entityId, incarnation);
    }
}
