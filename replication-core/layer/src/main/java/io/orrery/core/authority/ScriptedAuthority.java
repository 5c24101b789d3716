/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.authority;

import io.orrery.core.replicant.EntityStore;
import io.orrery.wire.Archetypes;
import io.orrery.wire.EntityIdSpace;
import io.orrery.wire.codec.PlayerInputDecoder;
import org.agrona.collections.Long2LongHashMap;

import java.util.SplittableRandom;

/**
 * An in-process authority that stands in for game servers until they join through the server link: it spawns
 * NPCs that circle around random centres, a few large ships (each a zone with crew inside, so zones move their
 * children), and moves each player's entity by the player's input with a speed limit, echoing the last applied input
 * sequence in the entity state.
 * <p>
 * Only live players are kept: a player is added on join and removed on leave (swap with the last one), so the
 * per-tick cost is proportional to the players online and the state is bounded by the most ever online at once.
 * <p>
 * Threading: Replicant thread only. Zero allocation per tick, per input, per join and per leave once the arrays have
 * grown to the most players online at once.
 */
public final class ScriptedAuthority implements Authority
{
    /**
     * First entity id used for scripted NPCs and ships; player entity ids (from tokens) must stay below it.
     */
    public static final long SCRIPTED_ENTITY_ID_BASE = EntityIdSpace.SCRIPTED_BASE;
    public static final int ARCHETYPE_PLAYER = Archetypes.PLAYER;
    public static final int ARCHETYPE_NPC = Archetypes.NPC;
    public static final int ARCHETYPE_SHIP = Archetypes.SHIP;
    public static final int ARCHETYPE_CREW = Archetypes.CREW;
    private static final long MM_PER_M = 1000;

    /**
     * What to script.
     */
    public static final class Settings
    {
        int npcCount = Integer.getInteger("orrery.scripted.npcs", 200);
        int shipCount = Integer.getInteger("orrery.scripted.ships", 2);
        int crewPerShip = 4;
        double worldHalfExtentM = 1000;
        double npcSpeedMps = 4;
        double shipSpeedMps = 15;
        float shipRadiusM = 120;
        float npcRadiusM = 0.5f;
        float playerRadiusM = 0.5f;
        double playerMaxSpeedMps = 10;
        double playerSpawnHalfExtentM = 200;
        long seed = 42;

        public Settings npcCount(final int npcCount)
        {
            this.npcCount = npcCount;
            return this;
        }

        public Settings shipCount(final int shipCount)
        {
            this.shipCount = shipCount;
            return this;
        }

        public Settings worldHalfExtentM(final double worldHalfExtentM)
        {
            this.worldHalfExtentM = worldHalfExtentM;
            return this;
        }

        public Settings playerSpawnHalfExtentM(final double playerSpawnHalfExtentM)
        {
            this.playerSpawnHalfExtentM = playerSpawnHalfExtentM;
            return this;
        }

        public Settings playerMaxSpeedMps(final double playerMaxSpeedMps)
        {
            this.playerMaxSpeedMps = playerMaxSpeedMps;
            return this;
        }

        public Settings seed(final long seed)
        {
            this.seed = seed;
            return this;
        }
    }

    private final Settings settings;
    private final int movers;
    private final long[] moverIds;
    private final double[] centreX;
    private final double[] centreY;
    private final double[] orbitM;
    private final double[] angularSpeed;
    private final double[] phase;

    private final Long2LongHashMap playerIndex = new Long2LongHashMap(-1);
    private long[] playerIds = new long[64];
    private float[] moveX = new float[64];
    private float[] moveY = new float[64];
    private float[] moveZ = new float[64];
    private long[] lastInputSequence = new long[64];
    private boolean[] inputPending = new boolean[64];
    private int playerCount;

    private boolean created;
    private long lastTickNs;
    private long lastPlayerSpawnMissNs;

    public ScriptedAuthority(final Settings settings)
    {
        this.settings = settings;
        this.movers = settings.npcCount + settings.shipCount;
        moverIds = new long[movers];
        centreX = new double[movers];
        centreY = new double[movers];
        orbitM = new double[movers];
        angularSpeed = new double[movers];
        phase = new double[movers];
        final SplittableRandom random = new SplittableRandom(settings.seed);
        for (int i = 0; i < movers; i++)
        {
            final boolean isShip = i >= settings.npcCount;
            moverIds[i] = SCRIPTED_ENTITY_ID_BASE + i;
            centreX[i] = random.nextDouble(-settings.worldHalfExtentM, settings.worldHalfExtentM);
            centreY[i] = random.nextDouble(-settings.worldHalfExtentM, settings.worldHalfExtentM);
            orbitM[i] = isShip ? random.nextDouble(200, 600) : random.nextDouble(5, 60);
            final double speed = isShip ? settings.shipSpeedMps : settings.npcSpeedMps;
            angularSpeed[i] = speed / orbitM[i] * (random.nextBoolean() ? 1 : -1);
            phase[i] = random.nextDouble(0, 2 * Math.PI);
        }
    }

    @Override
    public void onPlayerJoined(final long playerEntityId, final long nowNs, final EntityStore store)
    {
        ensureCreated(store);
        int index = (int)playerIndex.get(playerEntityId);
        if (index < 0)
        {
            index = addPlayer(playerEntityId);
        }
        if (EntityStore.NULL_SLOT == store.slotOf(playerEntityId))
        {
            final int slot = store.create(playerEntityId, ARCHETYPE_PLAYER, playerEntityId, 0, false);
            if (slot >= 0)
            {
                final long hash = mix(playerEntityId);
                final double extentMm = settings.playerSpawnHalfExtentM * MM_PER_M;
                final long x = (long)(((hash & 0xFFFF) / 65535.0 * 2 - 1) * extentMm);
                final long y = (long)((((hash >>> 16) & 0xFFFF) / 65535.0 * 2 - 1) * extentMm);
                store.position(slot, x, y, 0);
                store.radius(slot, settings.playerRadiusM);
                store.orientation(slot, 0, 0, 0, 1);
                store.lastAppliedInputSequence(slot, lastInputSequence[index]);
            }
            else
            {
                lastPlayerSpawnMissNs = nowNs;
            }
        }
    }

    @Override
    public void onPlayerLeft(final long playerEntityId, final long nowNs, final EntityStore store)
    {
        final int index = (int)playerIndex.remove(playerEntityId);
        if (index >= 0)
        {
            removePlayerAt(index);
        }
        store.remove(playerEntityId);
    }

    @Override
    public void onPlayerInput(final PlayerInputDecoder input, final long nowNs, final EntityStore store)
    {
        final int index = (int)playerIndex.get(input.entityId());
        if (index < 0)
        {
            return;
        }
        moveX[index] = clamp(input.move().x());
        moveY[index] = clamp(input.move().y());
        moveZ[index] = clamp(input.move().z());
        lastInputSequence[index] = input.inputSequence();
        inputPending[index] = true;
    }

    @Override
    public int onTick(final long nowNs, final EntityStore store)
    {
        ensureCreated(store);
        final double dtS = 0 == lastTickNs ? 0 : Math.min(0.25, (nowNs - lastTickNs) / 1e9);
        lastTickNs = nowNs;
        moveScripted(nowNs, store);
        movePlayers(dtS, store);
        return movers + playerCount;
    }

    /**
     * @return players online (joined and not left): the players each tick moves.
     */
    public int playerCount()
    {
        return playerCount;
    }

    /**
     * @return when a player entity could not be created for lack of store capacity, or 0.
     */
    public long lastPlayerSpawnMissNs()
    {
        return lastPlayerSpawnMissNs;
    }

    private void moveScripted(final long nowNs, final EntityStore store)
    {
        final double tS = nowNs / 1e9;
        for (int i = 0; i < movers; i++)
        {
            final int slot = store.slotOf(moverIds[i]);
            if (EntityStore.NULL_SLOT == slot)
            {
                continue;
            }
            final double angle = phase[i] + angularSpeed[i] * tS;
            final double cos = Math.cos(angle);
            final double sin = Math.sin(angle);
            final double x = centreX[i] + orbitM[i] * cos;
            final double y = centreY[i] + orbitM[i] * sin;
            final double speed = angularSpeed[i] * orbitM[i];
            store.position(slot, (long)(x * MM_PER_M), (long)(y * MM_PER_M), 0);
            store.velocity(slot, (float)(-sin * speed), (float)(cos * speed), 0);
        }
    }

    private void movePlayers(final double dtS, final EntityStore store)
    {
        final double maxSpeed = settings.playerMaxSpeedMps;
        for (int i = 0; i < playerCount; i++)
        {
            final int slot = store.slotOf(playerIds[i]);
            if (EntityStore.NULL_SLOT == slot)
            {
                continue;
            }
            final float vx = (float)(moveX[i] * maxSpeed);
            final float vy = (float)(moveY[i] * maxSpeed);
            final float vz = (float)(moveZ[i] * maxSpeed);
            if (0 != vx || 0 != vy || 0 != vz)
            {
                store.position(slot,
                    store.positionX(slot) + (long)(vx * dtS * MM_PER_M),
                    store.positionY(slot) + (long)(vy * dtS * MM_PER_M),
                    store.positionZ(slot) + (long)(vz * dtS * MM_PER_M));
            }
            if (vx != store.velocityX(slot) || vy != store.velocityY(slot) || vz != store.velocityZ(slot))
            {
                store.velocity(slot, vx, vy, vz);
            }
            if (inputPending[i])
            {
                inputPending[i] = false;
                store.lastAppliedInputSequence(slot, lastInputSequence[i]);
            }
        }
    }

    private void ensureCreated(final EntityStore store)
    {
        if (created)
        {
            return;
        }
        created = true;
        for (int i = 0; i < movers; i++)
        {
            final boolean isShip = i >= settings.npcCount;
            final int slot = store.create(
                moverIds[i], isShip ? ARCHETYPE_SHIP : ARCHETYPE_NPC, 0, 0, isShip);
            if (slot < 0)
            {
                continue;
            }
            store.radius(slot, isShip ? settings.shipRadiusM : settings.npcRadiusM);
            store.orientation(slot, 0, 0, 0, 1);
            if (isShip)
            {
                for (int c = 0; c < settings.crewPerShip; c++)
                {
                    final long crewId = SCRIPTED_ENTITY_ID_BASE + movers + (long)(i - settings.npcCount) *
                        settings.crewPerShip + c;
                    final int crewSlot = store.create(crewId, ARCHETYPE_CREW, 0, moverIds[i], false);
                    if (crewSlot >= 0)
                    {
                        store.position(crewSlot, (c - 2) * 3 * MM_PER_M, 10 * MM_PER_M, 2 * MM_PER_M);
                        store.radius(crewSlot, settings.npcRadiusM);
                        store.orientation(crewSlot, 0, 0, 0, 1);
                    }
                }
            }
        }
    }

    private int addPlayer(final long playerEntityId)
    {
        if (playerCount == playerIds.length)
        {
            final int length = playerCount * 2;
            playerIds = java.util.Arrays.copyOf(playerIds, length);
            moveX = java.util.Arrays.copyOf(moveX, length);
            moveY = java.util.Arrays.copyOf(moveY, length);
            moveZ = java.util.Arrays.copyOf(moveZ, length);
            lastInputSequence = java.util.Arrays.copyOf(lastInputSequence, length);
            inputPending = java.util.Arrays.copyOf(inputPending, length);
        }
        final int index = playerCount++;
        playerIds[index] = playerEntityId;
        moveX[index] = 0;
        moveY[index] = 0;
        moveZ[index] = 0;
        lastInputSequence[index] = 0;
        inputPending[index] = false;
        playerIndex.put(playerEntityId, index);
        return index;
    }

    /**
     * Move the last player into the freed index so the live players stay dense in {@code [0, playerCount)}.
     */
    private void removePlayerAt(final int index)
    {
        final int last = --playerCount;
        if (index != last)
        {
            final long movedId = playerIds[last];
            playerIds[index] = movedId;
            moveX[index] = moveX[last];
            moveY[index] = moveY[last];
            moveZ[index] = moveZ[last];
            lastInputSequence[index] = lastInputSequence[last];
            inputPending[index] = inputPending[last];
            playerIndex.put(movedId, index);
        }
        playerIds[last] = 0;
    }

    private static float clamp(final float value)
    {
        if (!(value >= -1f))
        {
            return value > 1f ? 1f : Float.isNaN(value) ? 0f : -1f;
        }
        return Math.min(value, 1f);
    }

    private static long mix(final long value)
    {
        long z = value * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E019L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
