/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.aeron.Counter;
import io.orrery.core.status.OrreryCounter;
import io.orrery.wire.EntityIdSpace;
import org.agrona.collections.IntArrayList;
import org.agrona.collections.Long2LongHashMap;

import java.util.Arrays;

/**
 * {@link Atlas}'s decisions about entities: it owns Atlas's entity table ({@link AtlasEntities}: slots, owners,
 * epochs) and the handoffs in flight, finds each entity's territory (its nearest ancestor rooting a zone territory,
 * else its top-level ancestor's position), and assigns, hands off, commits, abandons and clears authority as the
 * class description of {@link Atlas} sets out, saying each through the {@link AtlasDecisionHandler}. The server
 * sessions and the territories are Atlas's: this class reads the arrays Atlas keeps them in (session per server,
 * server per territory, the territories' boxes) and keeps the entity count per server as it moves authority.
 * <p>
 * Threading: Atlas's thread only (one thread at a time). Zero allocation per command and per tick in steady state;
 * the table grows (doubling) beyond its initial sizing on the control path.
 */
final class AtlasEntityAuthority
{
    private static final int NO_SERVER = Atlas.NO_SERVER;
    private static final int NO_SLOT = -1;

    private final ShardConfig config;
    private final Counter[] counters;
    private final AtlasDecisionHandler decisions;
    private final long handoffTimeoutNs;
    private final long hysteresisMm;
    private final int handoffPacing;
    private final int[] serverIds;
    private final long[] sessionId;
    private final int[] entityCount;
    private final int[] handoffsTo;
    private final int[] territoryServer;
    private final TerritoryMap territories;
    private final Long2LongHashMap zoneTerritory = new Long2LongHashMap(ShardConfig.NO_TERRITORY);
    private final boolean hasZoneTerritories;

    private final AtlasEntities entities;
    private final IntArrayList inFlight = new IntArrayList();
    private long nextHandoffId;
    private long handoffsCommitted;
    private int topSlot;

    /**
     * @param config          the shard's static mesh.
     * @param initialCapacity entities the table starts with room for.
     * @param counters        the layer's system counters, indexed by {@code OrreryCounter#id()}.
     * @param decisions       where decisions go.
     * @param sessionId       Atlas's session id per server index (0: no live session), read only.
     * @param entityCount     Atlas's count of entities per server index, kept here.
     * @param territoryServer Atlas's server index per territory, read only.
     * @param territories     the territories' boxes, read only.
     */
    AtlasEntityAuthority(
        final ShardConfig config,
        final int initialCapacity,
        final Counter[] counters,
        final AtlasDecisionHandler decisions,
        final long[] sessionId,
        final int[] entityCount,
        final int[] territoryServer,
        final TerritoryMap territories)
    {
        this.config = config;
        this.counters = counters;
        this.decisions = decisions;
        this.sessionId = sessionId;
        this.entityCount = entityCount;
        this.territoryServer = territoryServer;
        this.territories = territories;
        handoffTimeoutNs = config.handoffTimeoutMs() * 1_000_000L;
        hysteresisMm = Math.round(config.handoffHysteresisM() * 1000);
        handoffPacing = 0 == config.handoffPacing() ? Integer.MAX_VALUE : config.handoffPacing();
        serverIds = config.serverIds();
        handoffsTo = new int[serverIds.length];
        boolean zones = false;
        for (int t = 0; t < config.territoryCount(); t++)
        {
            final ShardConfig.Territory territory = config.territory(t);
            if (territory.isZone())
            {
                zoneTerritory.put(territory.rootZoneId, t);
                zones = true;
            }
        }
        hasZoneTerritories = zones;
        entities = new AtlasEntities(initialCapacity);
    }

    // ------------------------------------------------------------------ queries

    int authorityOf(final long entityId)
    {
        final int slot = entities.slotOf(entityId);
        return NO_SLOT == slot || NO_SERVER == entities.owner[slot] ? 0 : serverIds[entities.owner[slot]];
    }

    long epochOf(final long entityId)
    {
        final int slot = entities.slotOf(entityId);
        return NO_SLOT == slot ? -1 : entities.epoch[slot];
    }

    boolean isHandingOff(final long entityId)
    {
        final int slot = entities.slotOf(entityId);
        return NO_SLOT != slot && NO_SERVER != entities.handoffTarget[slot];
    }

    int handoffTargetOf(final long entityId)
    {
        final int slot = entities.slotOf(entityId);
        return NO_SLOT == slot || NO_SERVER == entities.handoffTarget[slot] ? 0 :
            serverIds[entities.handoffTarget[slot]];
    }

    int size()
    {
        return entities.size();
    }

    long handoffsCommitted()
    {
        return handoffsCommitted;
    }

    int handoffsInFlight()
    {
        return inFlight.size();
    }

    boolean isHandoffTarget(final int serverIndex)
    {
        for (int i = 0, n = inFlight.size(); i < n; i++)
        {
            if (entities.handoffTarget[inFlight.getInt(i)] == serverIndex)
            {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ entities entering, moving, leaving

    void onEntityAdded(
        final long entityId,
        final long incarnation,
        final long parentId,
        final boolean isZone,
        final long x,
        final long y,
        final long z,
        final long epoch)
    {
        int slot = entities.slotOf(entityId);
        if (NO_SLOT != slot)
        {
            if (entities.incarnation[slot] == incarnation)
            {
                entities.place(slot, parentId, x, y, z);
                return;
            }
            remove(slot); // an earlier life of the id the mesh did not report gone: this one replaces it
        }
        slot = entities.add(entityId, incarnation, parentId, isZone, x, y, z, epoch);
        assignIfPossible(slot);
    }

    void onEntityMoved(
        final long entityId, final long incarnation, final long parentId, final long x, final long y, final long z)
    {
        final int slot = entities.slotOf(entityId);
        if (NO_SLOT != slot && entities.incarnation[slot] == incarnation)
        {
            entities.place(slot, parentId, x, y, z);
        }
    }

    void onEntityRemoved(final long entityId, final long incarnation)
    {
        final int slot = entities.slotOf(entityId);
        if (NO_SLOT != slot && entities.incarnation[slot] == incarnation)
        {
            remove(slot);
        }
    }

    private void remove(final int slot)
    {
        if (NO_SERVER != entities.handoffTarget[slot])
        {
            removeInFlight(slot);
        }
        setOwner(slot, NO_SERVER);
        entities.remove(slot);
    }

    // ------------------------------------------------------------------ handoff answers

    /**
     * A server's release of an entity, from its live session (checked by Atlas).
     */
    void onStreamOut(final int serverIndex, final long entityId, final long epoch)
    {
        final int slot = entities.slotOf(entityId);
        if (NO_SLOT == slot || entities.released[slot] || entities.owner[slot] != serverIndex ||
            epoch != entities.epoch[slot])
        {
            return;
        }
        if (NO_SERVER == entities.handoffTarget[slot])
        {
            // the release of a handoff abandoned when its target's session ended crossed the abandonment: the
            // server no longer simulates the entity (the cache has its final state), so it has no authority until
            // the territory scan assigns it again, from the cache, with the held input above its last applied one
            setOwner(slot, NO_SERVER);
            increment(OrreryCounter.ENTITIES_REASSIGNED);
            decisions.onAuthorityCleared(entities.entityId[slot], entities.incarnation[slot]);
            return;
        }
        entities.released[slot] = true;
        if (entities.accepted[slot])
        {
            commit(slot);
        }
    }

    /**
     * A server's acceptance of a handoff, from its live session (checked by Atlas).
     */
    void onHandoffAccepted(final int serverIndex, final long handoffId, final long entityId)
    {
        final int slot = entities.slotOf(entityId);
        if (NO_SLOT != slot && entities.handoffTarget[slot] == serverIndex && entities.handoffId[slot] == handoffId)
        {
            entities.accepted[slot] = true;
            if (entities.released[slot])
            {
                commit(slot);
            }
        }
    }

    /**
     * Commit every handoff past its deadline (from the cache if its source never released).
     */
    void checkHandoffTimeouts(final long nowNs)
    {
        for (int i = inFlight.size() - 1; i >= 0; i--)
        {
            if (i >= inFlight.size())
            {
                continue;
            }
            final int slot = inFlight.getInt(i);
            if (nowNs - entities.handoffDeadlineNs[slot] >= 0)
            {
                if (!entities.released[slot])
                {
                    increment(OrreryCounter.HANDOFFS_TIMED_OUT);
                }
                commit(slot);
            }
        }
    }

    // ------------------------------------------------------------------ territories

    /**
     * Find entities that are orphaned or in a territory of another server than their authority: assign the orphans,
     * start handoffs (paced per target) for the others.
     */
    void scanTerritories(final long nowNs)
    {
        Arrays.fill(handoffsTo, 0);
        for (int i = 0, n = inFlight.size(); i < n; i++)
        {
            handoffsTo[entities.handoffTarget[inFlight.getInt(i)]]++;
        }
        int waiting = 0;
        for (int i = 0, n = entities.size(); i < n; i++)
        {
            final int slot = entities.activeSlot(i);
            if (NO_SERVER != entities.handoffTarget[slot])
            {
                continue;
            }
            final int territory = territoryOf(slot);
            if (ShardConfig.NO_TERRITORY == territory)
            {
                continue;
            }
            final int target = territoryServer[territory];
            final int current = entities.owner[slot];
            if (NO_SERVER == target || target == current || !isActive(target))
            {
                continue;
            }
            if (NO_SERVER == current)
            {
                reassign(slot, target, territory);
            }
            else if (0 == hysteresisMm || territories.isZone(territory) ||
                territories.depthInside(territory, entities.x[topSlot], entities.y[topSlot], entities.z[topSlot]) >=
                hysteresisMm)
            {
                if (handoffsTo[target] < handoffPacing)
                {
                    handoffsTo[target]++;
                    startHandoff(nowNs, slot, current, target, territory);
                }
                else
                {
                    waiting++; // paced: the current owner keeps simulating it until a slot frees
                }
            }
        }
        counters[OrreryCounter.HANDOFFS_WAITING.id()].setOrdered(waiting);
    }

    /**
     * Count every entity in its territory for a balancer pass.
     */
    void addTo(final MeshBalancer balancer)
    {
        for (int i = 0, n = entities.size(); i < n; i++)
        {
            final int slot = entities.activeSlot(i);
            final int territory = territoryOf(slot);
            if (ShardConfig.NO_TERRITORY != territory)
            {
                final int kind = entities.isZone[slot] ? MeshBalancer.WEIGHT_SHIP :
                    EntityIdSpace.isPlayer(entities.entityId[slot]) ? MeshBalancer.WEIGHT_PLAYER :
                    MeshBalancer.WEIGHT_NPC;
                balancer.addEntity(territory, entities.x[topSlot], entities.y[topSlot], entities.z[topSlot], kind);
            }
        }
    }

    /**
     * @return the territory index deciding the entity's authority, or {@link ShardConfig#NO_TERRITORY} (also while
     * an ancestor is not in the table yet); sets {@link #topSlot} to its top-level ancestor.
     */
    private int territoryOf(final int slot)
    {
        int s = slot;
        int top = slot;
        int depth = 0;
        while (NO_SLOT != s)
        {
            if (hasZoneTerritories && entities.isZone[s])
            {
                final int territory = (int)zoneTerritory.get(entities.entityId[s]);
                if (ShardConfig.NO_TERRITORY != territory)
                {
                    topSlot = s;
                    return territory;
                }
            }
            top = s;
            final long parentId = entities.parentId[s];
            if (0 == parentId)
            {
                break;
            }
            s = entities.slotOf(parentId);
            if (NO_SLOT == s || ++depth > entities.size())
            {
                return ShardConfig.NO_TERRITORY; // its parent is not known yet (or the chain is broken)
            }
        }
        topSlot = top;
        return territories.indexAt(entities.x[top], entities.y[top], entities.z[top]);
    }

    private void assignIfPossible(final int slot)
    {
        final int territory = territoryOf(slot);
        if (ShardConfig.NO_TERRITORY != territory)
        {
            final int target = territoryServer[territory];
            if (NO_SERVER != target && isActive(target) && entities.owner[slot] != target)
            {
                reassign(slot, target, territory);
            }
        }
    }

    // ------------------------------------------------------------------ handoff

    private void startHandoff(final long nowNs, final int slot, final int from, final int to, final int territory)
    {
        final long newEpoch = entities.epoch[slot] + 1;
        final long id = ++nextHandoffId;
        entities.handoffTarget[slot] = to;
        entities.handoffId[slot] = id;
        entities.handoffDeadlineNs[slot] = nowNs + handoffTimeoutNs;
        entities.released[slot] = false;
        entities.accepted[slot] = false;
        inFlight.addInt(slot);
        increment(OrreryCounter.HANDOFFS_STARTED);
        decisions.onHandoffStarted(id, entities.entityId[slot], entities.incarnation[slot], from, sessionId[from], to,
            sessionId[to], config.territory(territory).id, newEpoch);
    }

    private void commit(final int slot)
    {
        final int from = entities.owner[slot];
        final int to = entities.handoffTarget[slot];
        final long id = entities.handoffId[slot];
        removeInFlight(slot);
        entities.clearHandoff(slot);
        if (!isActive(to))
        {
            setOwner(slot, NO_SERVER);
            decisions.onAuthorityCleared(entities.entityId[slot], entities.incarnation[slot]);
            return;
        }
        final long newEpoch = entities.epoch[slot] + 1;
        entities.epoch[slot] = newEpoch;
        setOwner(slot, to);
        handoffsCommitted++;
        increment(OrreryCounter.HANDOFFS_COMMITTED);
        decisions.onHandoffCommitted(
            id, entities.entityId[slot], entities.incarnation[slot], from, to, sessionId[to], newEpoch);
    }

    /**
     * Make {@code to} the authority at epoch + 1 without handoff.
     */
    private void reassign(final int slot, final int to, final int territory)
    {
        final long newEpoch = entities.epoch[slot] + 1;
        entities.epoch[slot] = newEpoch;
        if (NO_SERVER != entities.owner[slot])
        {
            increment(OrreryCounter.ENTITIES_REASSIGNED);
        }
        setOwner(slot, to);
        decisions.onAuthorityAssigned(entities.entityId[slot], entities.incarnation[slot], to, sessionId[to],
            config.territory(territory).id, newEpoch);
    }

    private void removeInFlight(final int slot)
    {
        final int index = inFlight.indexOf(slot);
        if (index >= 0)
        {
            inFlight.fastUnorderedRemove(index);
        }
    }

    private void setOwner(final int slot, final int serverIndex)
    {
        final int previous = entities.owner[slot];
        if (NO_SERVER != previous)
        {
            entityCount[previous]--;
        }
        entities.owner[slot] = serverIndex;
        if (NO_SERVER != serverIndex)
        {
            entityCount[serverIndex]++;
        }
    }

    // ------------------------------------------------------------------ failover

    /**
     * A server's session ended (Atlas has cleared it): handoffs from it commit from the cache, handoffs to it are
     * abandoned, and its entities become orphans (the next territory scan assigns them).
     */
    void retire(final int dead)
    {
        for (int i = inFlight.size() - 1; i >= 0; i--)
        {
            if (i >= inFlight.size())
            {
                continue;
            }
            final int slot = inFlight.getInt(i);
            if (entities.owner[slot] == dead)
            {
                increment(OrreryCounter.HANDOFFS_TIMED_OUT);
                commit(slot);
            }
            else if (entities.handoffTarget[slot] == dead)
            {
                removeInFlight(slot);
                final boolean released = entities.released[slot];
                entities.clearHandoff(slot);
                if (released)
                {
                    setOwner(slot, NO_SERVER);
                }
                decisions.onHandoffAbandoned(entities.entityId[slot], entities.incarnation[slot], released);
            }
        }
        for (int i = 0, n = entities.size(); i < n; i++)
        {
            final int slot = entities.activeSlot(i);
            if (entities.owner[slot] == dead)
            {
                setOwner(slot, NO_SERVER); // the scan assigns it to its territory's new server
                increment(OrreryCounter.ENTITIES_REASSIGNED);
                decisions.onAuthorityCleared(entities.entityId[slot], entities.incarnation[slot]);
            }
        }
    }

    private boolean isActive(final int serverIndex)
    {
        return 0 != sessionId[serverIndex];
    }

    private void increment(final OrreryCounter counter)
    {
        counters[counter.id()].incrementOrdered();
    }
}
