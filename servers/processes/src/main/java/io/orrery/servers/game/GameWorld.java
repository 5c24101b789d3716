/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers.game;

import io.orrery.link.EntityState;
import io.orrery.wire.Archetypes;
import io.orrery.wire.EntityFields;

/**
 * The simulation of one headless game server: the entities it has authority over (an {@link EntityTable}), the
 * read-only views of entities near its territories (a {@link ViewTable}) and the territories it was granted. It knows
 * nothing of the transport: the game server feeds it grants, snapshots, inputs and views, calls {@link #tick(long)}
 * at a fixed rate and receives creations, destructions and state through a {@link WorldListener}.
 *
 * <h2>Rules</h2>
 * <ul>
 *   <li><b>Fixed step.</b> Every tick advances the world by exactly {@code 1 / tickRateHz} seconds, whatever the wall
 *   clock did, so a run is reproducible from its seed and its inputs. The clock passed to {@link #tick(long)} is used
 *   only for lifetimes and spawn grace. Time dilation: {@link #tick(long, long)} separates the game clock
 *   (lifetimes) from the real one (protocol timeouts); the game server runs fewer steps per real second.</li>
 *   <li><b>Player input.</b> The move vector of an input is the desired velocity as a fraction of
 *   {@code maxSpeedMps} per axis. An input whose implied speed {@code |move| x maxSpeed} exceeds {@code maxSpeed x (1 +
 *   speedTolerance)} (or that is not finite) is an impossible move: it is <em>rejected and counted, not applied</em>
 *   (the move in force stays), but its sequence is still recorded as processed, so the echoed
 *   {@code lastAppliedInputSequence} advances and the client's input-to-update latency measurement keeps working; the
 *   echo means "processed up to", not "accepted up to". An input whose sequence is not above the last processed one is
 *   a duplicate (e.g. re-forwarded after a handoff) and is dropped and counted: every sequence is applied at most
 *   once. Several inputs within one tick: the latest accepted move is applied at the tick; the echo is the highest
 *   sequence processed.</li>
 *   <li><b>NPCs stay home.</b> Each NPC belongs to the territory it was spawned (or adopted) in and never leaves it:
 *   wander waypoints and follow targets are clamped into the territory box, inset by {@code borderInsetM}. A
 *   follower chases the nearest player within {@code followRangeM}, owned here or seen through a client view across
 *   the border, and stops at the border. So NPCs never need a handoff; players do.</li>
 *   <li><b>Lifetimes.</b> An NPC lives a seeded random time in {@code [npcLifetimeMin, npcLifetimeMax]}, then is
 *   destroyed; each territory is topped up to {@code npcsPerTerritory} NPCs (at most {@code maxSpawnsPerTick} per
 *   tick), starting {@code npcSpawnGraceNs} after the grant so that entities streamed in with the grant (failover) are
 *   counted before new ones are made. New NPC ids come from the id block of the server's welcome.</li>
 *   <li><b>Authority.</b> Ownership starts when the Replication Layer streams an entity in ({@link #adopt}), with the
 *   epoch of the snapshot; every state write carries the entity's epoch. A spawn this server requests is kept
 *   inactive (neither simulated nor published) until it is streamed in, and given up after
 *   {@code spawnConfirmTimeoutNs}. On {@link #release(long)} pending input is applied so the final state handed back
 *   holds every input received; the caller then {@link #forget(long)}s it. On a territory revoke, every entity in
 *   that territory is dropped without a message (the Replication Layer already reassigned it).</li>
 * </ul>
 * Structure: this class owns the entity lifecycle (adopt, release, hold, forget), player input, client views, the
 * tick and publishing; the territories held and their NPC census are a {@link Territories}, what NPCs do (and every
 * random draw of the world) is an {@link NpcBehaviour}, the entities an {@link EntityTable}.
 * <p>
 * Zero allocation after construction: fixed-capacity tables, Agrona primitive maps, no boxing, no iterators.
 * <p>
 * Threading: single threaded; every method runs on the game server's simulation thread.
 */
public final class GameWorld
{
    // aliases of the shared field bits (io.orrery.wire.EntityFields)
    public static final int CHANGED_POSITION = EntityFields.POSITION;
    public static final int CHANGED_VELOCITY = EntityFields.VELOCITY;
    public static final int CHANGED_ORIENTATION = EntityFields.ORIENTATION;
    public static final int CHANGED_SIZE = EntityFields.SIZE;
    public static final int CHANGED_PARENT_ZONE = EntityFields.PARENT_ZONE;
    public static final int CHANGED_COMPONENT_STATE = EntityFields.COMPONENT_STATE;
    public static final int CHANGED_LAST_APPLIED_INPUT = EntityFields.LAST_APPLIED_INPUT;
    public static final int CHANGED_AUTHORITY_EPOCH = EntityFields.AUTHORITY_EPOCH;
    /**
     * Every field this simulation writes (it has no component state).
     */
    public static final int CHANGED_ALL = EntityFields.ALL & ~EntityFields.COMPONENT_STATE;

    public static final int INPUT_ACCEPTED = 0;
    public static final int INPUT_REJECTED_SPEED = 1;
    public static final int INPUT_DUPLICATE = 2;
    public static final int INPUT_UNKNOWN_ENTITY = 3;

    public static final int ARCHETYPE_PLAYER = Archetypes.PLAYER;
    public static final int ARCHETYPE_NPC = Archetypes.NPC;

    static final int MAX_TERRITORIES = Territories.MAX_TERRITORIES;
    private static final double MM_PER_M = 1000.0;

    private final WorldSettings settings;
    private final WorldListener listener;
    private final EntityTable entities;
    private final ViewTable views;
    private final double dtS;
    private final double maxSpeedMps;
    private final double maxMoveLengthSquared;
    private final double stepMm;

    private final Territories territories;
    private final NpcBehaviour npcs;

    private long ticks;
    private int playerCount;
    private long inputsAccepted;
    private long inputsApplied;
    private long inputsRejectedSpeed;
    private long inputsDuplicate;
    private long inputsUnknownEntity;
    private long spawnsUnconfirmed;
    private long entitiesAdopted;
    private long entitiesReleased;
    private long entitiesDropped;
    private long adoptFailures;
    private long viewsDropped;

    public GameWorld(final WorldSettings settings, final WorldListener listener)
    {
        this.settings = settings.conclude();
        this.listener = listener;
        entities = new EntityTable(settings.maxEntities);
        views = new ViewTable(settings.maxViews);
        dtS = 1.0 / settings.tickRateHz;
        stepMm = dtS * MM_PER_M;
        maxSpeedMps = settings.maxSpeedMps;
        final double maxLength = 1 + settings.speedTolerance;
        maxMoveLengthSquared = maxLength * maxLength;
        territories = new Territories(this.settings);
        npcs = new NpcBehaviour(this.settings, listener, entities, views, territories, dtS);
    }

    public WorldSettings settings()
    {
        return settings;
    }

    public EntityTable entities()
    {
        return entities;
    }

    public ViewTable views()
    {
        return views;
    }

    /**
     * The block of entity ids this server may create entities with (from its welcome).
     */
    public void idBlock(final long base, final long count)
    {
        npcs.idBlock(base, count);
    }

    // ----------------------------------------------------------------------------------------------- territories

    /**
     * A territory was granted (or granted again with a new epoch). Boxes are in millimetres; a zone territory
     * ({@code rootZoneId != 0}) owns the entities inside that zone whatever their position.
     *
     * @return false if this server already holds {@value #MAX_TERRITORIES} other territories.
     */
    public boolean grantTerritory(
        final int id,
        final long epoch,
        final long rootZoneId,
        final long minX,
        final long minY,
        final long minZ,
        final long maxX,
        final long maxY,
        final long maxZ,
        final long nowNs)
    {
        if (territories.grant(id, epoch, rootZoneId, minX, minY, minZ, maxX, maxY, maxZ, nowNs) < 0)
        {
            return false;
        }
        for (int slot = 0, size = entities.size; slot < size; slot++)
        {
            if (0 == entities.territoryId[slot])
            {
                entities.territoryId[slot] = territories.territoryOf(entities, slot);
            }
        }
        return true;
    }

    /**
     * A territory was revoked: drop every entity in it (no message: the Replication Layer reassigns them).
     *
     * @return entities dropped.
     */
    public int revokeTerritory(final int id)
    {
        final int index = territories.indexOf(id);
        if (index < 0)
        {
            return 0;
        }
        int dropped = 0;
        for (int slot = entities.size - 1; slot >= 0; slot--)
        {
            if (id == entities.territoryId[slot])
            {
                entities.removeSlot(slot);
                dropped++;
            }
        }
        territories.removeAt(index);
        if (0 == territories.count)
        {
            dropped += entities.size;
            for (int slot = entities.size - 1; slot >= 0; slot--)
            {
                entities.removeSlot(slot);
            }
        }
        entitiesDropped += dropped;
        return dropped;
    }

    /**
     * Every territory is gone (the link was lost): drop everything, views included.
     */
    public void clear()
    {
        entitiesDropped += entities.size;
        for (int slot = entities.size - 1; slot >= 0; slot--)
        {
            entities.removeSlot(slot);
        }
        views.clear();
        territories.clear();
    }

    public int territoryCount()
    {
        return territories.count;
    }

    /**
     * @return the territory id at an index in {@code [0, territoryCount())}.
     */
    public int territoryIdAt(final int index)
    {
        return territories.id[index];
    }

    /**
     * @return the epoch a territory was granted with, or -1 if it is not held.
     */
    public long territoryEpoch(final int id)
    {
        final int index = territories.indexOf(id);
        return index < 0 ? -1 : territories.epoch[index];
    }

    // ----------------------------------------------------------------------------------------- entity lifecycle

    /**
     * Take over an entity from a snapshot (stream-in): from now on this server simulates it at the snapshot's
     * {@link EntityState#authorityEpoch()}. If the entity is present (a spawn of this server awaiting confirmation,
     * or a repeated stream-in) its state is replaced and its behaviour kept.
     *
     * @return its slot, or {@link EntityTable#NULL_SLOT} when the table is full (counted).
     */
    public int adopt(final EntityState state)
    {
        final long entityId = state.entityId();
        final int archetypeId = state.archetypeId();
        final long ownerPlayerId = state.ownerPlayerId();
        final long x = state.x();
        final long y = state.y();
        final float vx = state.vx();
        final float vy = state.vy();
        final float vz = state.vz();
        final long lastAppliedInputSequence = state.lastAppliedInputSequence();
        int slot = entities.slotOf(entityId);
        final boolean known = EntityTable.NULL_SLOT != slot;
        if (!known)
        {
            slot = entities.add(entityId);
            if (EntityTable.NULL_SLOT == slot)
            {
                adoptFailures++;
                return EntityTable.NULL_SLOT;
            }
            entitiesAdopted++;
            entities.expiresAtNs[slot] = Long.MAX_VALUE;
        }
        entities.setState(slot, state);
        entities.active[slot] = true;
        entities.pendingUntilNs[slot] = 0;
        entities.changed[slot] = CHANGED_ALL;
        if (entities.appliedSequence[slot] < lastAppliedInputSequence)
        {
            entities.appliedSequence[slot] = lastAppliedInputSequence;
        }
        if (entities.processedSequence[slot] < lastAppliedInputSequence)
        {
            entities.processedSequence[slot] = lastAppliedInputSequence;
        }
        final boolean isNpc = EntityTable.KIND_NPC_WANDER == entities.kind[slot] ||
            EntityTable.KIND_NPC_FOLLOW == entities.kind[slot];
        if (known && isNpc && ARCHETYPE_NPC == archetypeId)
        {
            return slot;
        }
        final boolean isPlayer = 0 != ownerPlayerId || ARCHETYPE_PLAYER == archetypeId;
        if (isPlayer)
        {
            entities.kind[slot] = EntityTable.KIND_PLAYER;
            // continue the motion the snapshot shows until the player's next input
            entities.moveX[slot] = clampUnit(vx / maxSpeedMps);
            entities.moveY[slot] = clampUnit(vy / maxSpeedMps);
            entities.moveZ[slot] = clampUnit(vz / maxSpeedMps);
        }
        else if (ARCHETYPE_NPC == archetypeId)
        {
            final boolean follower = (mix(entityId) & 0xFFFF) < settings.followFraction * 0x10000;
            entities.kind[slot] = follower ? EntityTable.KIND_NPC_FOLLOW : EntityTable.KIND_NPC_WANDER;
            entities.targetX[slot] = x;
            entities.targetY[slot] = y;
            entities.retargetTick[slot] = 0;
        }
        else
        {
            entities.kind[slot] = EntityTable.KIND_PROP;
        }
        entities.territoryId[slot] = territories.territoryOf(entities, slot);
        if (EntityTable.KIND_NPC_WANDER == entities.kind[slot] || EntityTable.KIND_NPC_FOLLOW == entities.kind[slot])
        {
            final int territory = territories.indexOf(entities.territoryId[slot]);
            if (!known && territory >= 0 && territories.dormantNpcs[territory] > 0)
            {
                territories.dormantNpcs[territory]--; // back from the store
            }
            if (entities.expiresAtNs[slot] == Long.MAX_VALUE)
            {
                entities.expiresAtNs[slot] = Long.MIN_VALUE; // assigned a lifetime at its first tick here
            }
            npcs.pickWaypoint(slot);
        }
        return slot;
    }

    /**
     * The Replication Layer takes an entity away (handoff): apply its pending input so its final state holds every
     * input received. The caller reads the final state from {@link #entities()} at the returned slot and then
     * {@link #forget(long)}s the entity.
     *
     * @return the slot of the final state, or {@link EntityTable#NULL_SLOT} if the entity is unknown.
     */
    public int release(final long entityId)
    {
        final int slot = entities.slotOf(entityId);
        if (EntityTable.NULL_SLOT == slot)
        {
            return EntityTable.NULL_SLOT;
        }
        if (EntityTable.KIND_PLAYER == entities.kind[slot])
        {
            applyPendingInput(slot);
        }
        return slot;
    }

    /**
     * Keep an entity but stop simulating and publishing it (a released entity whose final state could not be sent
     * yet). {@link #release(long)} and {@link #forget(long)} still work on it.
     *
     * @return true if it was present.
     */
    public boolean hold(final long entityId)
    {
        final int slot = entities.slotOf(entityId);
        if (EntityTable.NULL_SLOT == slot)
        {
            return false;
        }
        entities.active[slot] = false;
        entities.pendingUntilNs[slot] = Long.MAX_VALUE;
        return true;
    }

    /**
     * Publish the full state of every entity at the next {@link #publish()} (after a publication failure).
     */
    public void markAllChanged()
    {
        for (int slot = 0, size = entities.size; slot < size; slot++)
        {
            entities.changed[slot] = CHANGED_ALL;
        }
    }

    /**
     * Stop simulating an entity without a message.
     *
     * @return true if it was present.
     */
    public boolean forget(final long entityId)
    {
        final int slot = entities.slotOf(entityId);
        if (EntityTable.NULL_SLOT == slot)
        {
            return false;
        }
        entities.removeSlot(slot);
        entitiesReleased++;
        return true;
    }

    /**
     * The Replication Layer streamed an entity out (server OCS: persisted, evicted, nobody near). An NPC of a
     * territory stays part of its population while dormant in the store, so the territory is not topped up for it
     * (or OCS and top-up together would grow the stored world without bound); it counts again when streamed back in.
     *
     * @return true if it was present.
     */
    public boolean forgetStreamedOut(final long entityId)
    {
        final int slot = entities.slotOf(entityId);
        if (EntityTable.NULL_SLOT == slot)
        {
            return false;
        }
        final boolean isNpc = EntityTable.KIND_NPC_WANDER == entities.kind[slot] ||
            EntityTable.KIND_NPC_FOLLOW == entities.kind[slot];
        final int territory = territories.indexOf(entities.territoryId[slot]);
        if (isNpc && territory >= 0)
        {
            territories.dormantNpcs[territory]++;
        }
        return forget(entityId);
    }

    /**
     * @return NPCs of this server's territories streamed out and not streamed back in.
     */
    public int dormantNpcCount()
    {
        return territories.dormantNpcCount();
    }

    // ------------------------------------------------------------------------------------------------------ input

    /**
     * Player input forwarded by the Replication Layer. Applied at the next tick (see the class rules).
     *
     * @return one of the {@code INPUT_*} codes.
     */
    public int onPlayerInput(
        final long entityId,
        final long inputSequence,
        final float moveX,
        final float moveY,
        final float moveZ,
        final float aimYaw,
        final int actions)
    {
        final int slot = entities.slotOf(entityId);
        if (EntityTable.NULL_SLOT == slot || EntityTable.KIND_PLAYER != entities.kind[slot])
        {
            inputsUnknownEntity++;
            return INPUT_UNKNOWN_ENTITY;
        }
        if (inputSequence <= entities.processedSequence[slot])
        {
            inputsDuplicate++;
            return INPUT_DUPLICATE;
        }
        entities.processedSequence[slot] = inputSequence;
        final double lengthSquared = (double)moveX * moveX + (double)moveY * moveY + (double)moveZ * moveZ;
        if (!(lengthSquared <= maxMoveLengthSquared) || !Float.isFinite(aimYaw))
        {
            inputsRejectedSpeed++;
            return INPUT_REJECTED_SPEED;
        }
        entities.pendingMoveX[slot] = moveX;
        entities.pendingMoveY[slot] = moveY;
        entities.pendingMoveZ[slot] = moveZ;
        entities.pendingYaw[slot] = aimYaw;
        entities.pendingActions[slot] = actions;
        entities.movePending[slot] = true;
        inputsAccepted++;
        return INPUT_ACCEPTED;
    }

    // ------------------------------------------------------------------------------------------------------ views

    /**
     * A read-only client view of an entity another server owns entered or moved within the margin. The first view of
     * an entity carries every field; later ones only those in {@code changedMask} ({@code CHANGED_*} bits).
     */
    public void onClientView(final EntityState view, final int ownerServerId, final int changedMask)
    {
        final long entityId = view.entityId();
        final long x = view.x();
        final long y = view.y();
        final long z = view.z();
        final long epoch = view.authorityEpoch();
        final int slot = views.slotOf(entityId);
        if (ViewTable.NULL_SLOT == slot)
        {
            if (!views.upsert(entityId, view.archetypeId(), ownerServerId, x, y, z, epoch))
            {
                viewsDropped++;
            }
        }
        else
        {
            views.ownerServerId[slot] = ownerServerId;
            if (0 != (changedMask & CHANGED_POSITION))
            {
                views.x[slot] = x;
                views.y[slot] = y;
                views.z[slot] = z;
            }
            if (0 != (changedMask & CHANGED_AUTHORITY_EPOCH))
            {
                views.epoch[slot] = epoch;
            }
        }
    }

    public void onClientViewRemoved(final long entityId)
    {
        views.remove(entityId);
    }

    // ------------------------------------------------------------------------------------------------------- tick

    /**
     * Advance the world by one fixed step: apply input, move players and NPCs, end NPC lifetimes, top territories up
     * with NPCs. Does not publish: see {@link #publish()}.
     *
     * @param nowNs the game server's clock, game time equal to real time (no time dilation).
     * @return work done (entities simulated + spawned + destroyed).
     */
    public int tick(final long nowNs)
    {
        return tick(nowNs, nowNs);
    }

    /**
     * Advance the world by one fixed step of game time (see {@link #tick(long)}). Under time dilation the game
     * server calls this less often than its real-time tick rate ({@link TimeDilationController}); each call is
     * still one whole step of {@code 1 / tickRateHz} game seconds.
     *
     * @param nowNs      the real clock: protocol timers (spawn confirmation timeout, spawn grace after a grant).
     * @param gameTimeNs the game clock: gameplay timers (NPC lifetimes); equal to {@code nowNs} without dilation.
     * @return work done (entities simulated + spawned + destroyed).
     */
    public int tick(final long nowNs, final long gameTimeNs)
    {
        ticks++;
        int work = 0;
        int players = 0;
        territories.clearNpcCounts();
        for (int slot = entities.size - 1; slot >= 0; slot--)
        {
            if (!entities.active[slot])
            {
                work += awaitSpawnConfirmation(slot, nowNs);
                continue;
            }
            switch (entities.kind[slot])
            {
                case EntityTable.KIND_PLAYER:
                    players++;
                    applyPendingInput(slot);
                    entities.integrate(slot, stepMm);
                    entities.territoryId[slot] = territories.territoryOf(entities, slot);
                    work++;
                    break;

                case EntityTable.KIND_NPC_WANDER:
                case EntityTable.KIND_NPC_FOLLOW:
                    work += npcs.simulate(slot, gameTimeNs, ticks);
                    break;

                default:
                    break;
            }
        }
        playerCount = players;
        work += npcs.topUp(nowNs, gameTimeNs);
        return work;
    }

    /**
     * Hand the state of every active entity with changes to the listener, clearing each change mask it accepts;
     * stops at the first refusal (back-pressure) and resumes there next time.
     *
     * @return entities published.
     */
    public int publish()
    {
        int published = 0;
        for (int slot = 0, size = entities.size; slot < size; slot++)
        {
            if (0 != entities.changed[slot] && entities.active[slot])
            {
                if (!listener.onEntityState(entities, slot))
                {
                    break;
                }
                entities.changed[slot] = 0;
                published++;
            }
        }
        return published;
    }

    private int awaitSpawnConfirmation(final int slot, final long nowNs)
    {
        final byte kind = entities.kind[slot];
        if (EntityTable.KIND_NPC_WANDER != kind && EntityTable.KIND_NPC_FOLLOW != kind)
        {
            return 0;
        }
        if (nowNs - entities.pendingUntilNs[slot] >= 0)
        {
            entities.removeSlot(slot);
            spawnsUnconfirmed++;
            return 1;
        }
        territories.countNpc(entities.territoryId[slot]);
        return 0;
    }

    private void applyPendingInput(final int slot)
    {
        if (entities.movePending[slot])
        {
            entities.movePending[slot] = false;
            entities.moveX[slot] = entities.pendingMoveX[slot];
            entities.moveY[slot] = entities.pendingMoveY[slot];
            entities.moveZ[slot] = entities.pendingMoveZ[slot];
            entities.actions[slot] = entities.pendingActions[slot];
            inputsApplied++;
            final float yaw = entities.pendingYaw[slot];
            final float qz = (float)Math.sin(yaw * 0.5);
            final float qw = (float)Math.cos(yaw * 0.5);
            if (qz != entities.qz[slot] || qw != entities.qw[slot] || 0 != entities.qx[slot] || 0 != entities.qy[slot])
            {
                entities.qx[slot] = 0;
                entities.qy[slot] = 0;
                entities.qz[slot] = qz;
                entities.qw[slot] = qw;
                entities.changed[slot] |= CHANGED_ORIENTATION;
            }
            final float vx = (float)(entities.moveX[slot] * maxSpeedMps);
            final float vy = (float)(entities.moveY[slot] * maxSpeedMps);
            final float vz = (float)(entities.moveZ[slot] * maxSpeedMps);
            entities.setVelocity(slot, vx, vy, vz);
        }
        if (entities.appliedSequence[slot] != entities.processedSequence[slot])
        {
            entities.appliedSequence[slot] = entities.processedSequence[slot];
            entities.changed[slot] |= CHANGED_LAST_APPLIED_INPUT;
        }
    }

    private static float clampUnit(final double value)
    {
        return value > 1 ? 1f : value < -1 ? -1f : (float)value;
    }

    private static long mix(final long value)
    {
        long z = value * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E019L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    // ---------------------------------------------------------------------------------------------------- figures

    public long ticks()
    {
        return ticks;
    }

    /**
     * @return active player entities at the last tick.
     */
    public int playerCount()
    {
        return playerCount;
    }

    public int entityCount()
    {
        return entities.size;
    }

    public long inputsAccepted()
    {
        return inputsAccepted;
    }

    /**
     * @return accepted inputs whose move took effect at a tick (several accepted inputs within one tick count once).
     */
    public long inputsApplied()
    {
        return inputsApplied;
    }

    /**
     * @return impossible moves rejected (speed above the limit or not finite).
     */
    public long inputsRejectedSpeed()
    {
        return inputsRejectedSpeed;
    }

    public long inputsDuplicate()
    {
        return inputsDuplicate;
    }

    public long inputsUnknownEntity()
    {
        return inputsUnknownEntity;
    }

    public long npcsSpawned()
    {
        return npcs.npcsSpawned();
    }

    public long npcsDestroyed()
    {
        return npcs.npcsDestroyed();
    }

    public long spawnFailures()
    {
        return npcs.spawnFailures();
    }

    /**
     * @return spawns requested but never streamed in within {@code spawnConfirmTimeoutNs}.
     */
    public long spawnsUnconfirmed()
    {
        return spawnsUnconfirmed;
    }

    public long entitiesAdopted()
    {
        return entitiesAdopted;
    }

    public long entitiesReleased()
    {
        return entitiesReleased;
    }

    public long entitiesDropped()
    {
        return entitiesDropped;
    }

    public long adoptFailures()
    {
        return adoptFailures;
    }

    public long viewsDropped()
    {
        return viewsDropped;
    }
}
