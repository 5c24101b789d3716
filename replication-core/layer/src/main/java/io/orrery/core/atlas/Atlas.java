/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.aeron.Counter;
import io.orrery.core.status.OrreryCounter;
import io.orrery.wire.EntityIdSpace;
import org.agrona.collections.IntArrayList;

import java.util.Arrays;

/**
 * Authority for static server meshing, as a deterministic state machine: which server session simulates which
 * territory, which is the authority over each entity and at which epoch, handoffs between servers, and failover
 * when a server dies. It is told what happens through {@link AtlasCommandHandler} (server sessions joining and
 * failing, their liveness and load, entities entering, moving and leaving the cache, handoff answers, its timer) and
 * says what it decides through an {@link AtlasDecisionHandler}. It reads no clock (time comes with the commands),
 * holds no Aeron resource and never touches the entity cache: it keeps its own table of the entities it needs
 * (id, incarnation, parent, position, zone flag, epoch, authority, handoff), so the same commands always give the
 * same decisions, on the Replicant's thread, on its own agent, or later as a replicated (Aeron Cluster) service.
 * The {@link ServerMesh} on the Replicant's side applies the decisions: it streams cached state in, routes input and
 * accepts writes according to them.
 *
 * <h2>Ownership</h2>
 * An entity's territory is decided by its nearest ancestor (or itself) that roots a zone territory, else by the
 * position of its top-level ancestor, so a player inside a ship follows the ship. Each territory is assigned to its
 * configured server once that server joins; the authority over an entity follows its territory. An entity with no
 * authority (its territory's server is not connected) is an orphan: the mesh keeps its input, and it is assigned
 * (epoch + 1) to the first server that gets its territory.
 *
 * <h2>Handoff, exactly once by construction</h2>
 * <ol>
 *   <li>Each tick Atlas finds entities (owner A, epoch e) whose territory is now B's and starts a handoff: the mesh
 *   stops forwarding their input to A (it keeps it), asks A to release and B to prepare (with the cached state at
 *   epoch e + 1 to preload).</li>
 *   <li>A applies every input it received (Aeron delivers in order, so every input forwarded before the prepare) and
 *   answers with its final state at epoch e; the mesh writes it into the cache, accepts no more writes from A and
 *   tells Atlas ({@link #onStreamOut}). B accepts ({@link #onHandoffAccepted}).</li>
 *   <li>With both answers, or when A's answer times out (A is presumed dead and the cache is used), Atlas commits:
 *   epoch e + 1, owner B. The mesh sends B the commit, the final state and every held input above its last applied
 *   one, once. A later write from A at epoch e is stale: rejected, counted, and A is told.</li>
 * </ol>
 * A handoff whose target's session ends is abandoned and A keeps the entity; if A's release crosses that, A has
 * given the entity up: Atlas clears its authority and assigns it again at epoch + 1 from the cache, which holds A's
 * final state (else nobody would simulate it, or its next owner would start from an older state and apply A's last
 * inputs a second time).
 *
 * <h2>Failover</h2>
 * A server session silent for the heartbeat timeout (the longer welcome timeout before its first message), or whose
 * egress failed, is declared dead: each of its territories is granted (new territory epoch) to the surviving server
 * with the fewest territories, handoffs from it commit from the cache, handoffs to it are abandoned, and every entity
 * it owned is assigned to its territory's new server at epoch + 1 (the mesh streams the cached state in and replays
 * retained input). Silence counts only while the layer itself runs: the mesh sends the floor from which silence is
 * measured (the end of a pause of the whole process) and whether it read all of server ingress, so neither a paused
 * layer nor one behind on its ingress fails every server over at once. A server that comes back with the same id is
 * welcomed again but, in static mode, stays empty: its territories stay with the survivors (moving them back is
 * dynamic meshing's job), unless a territory has no server at all. A territory with no box (a spare not in use, or
 * one merged away) is not failed over: it stays free until its own server joins again. A session that replaces a
 * live one (a rejoin) takes its territories.
 * <h2>Parts</h2>
 * Atlas keeps the server sessions (liveness, load, time dilation), the territories (grants, failover, the balancer
 * of dynamic meshing) and the published {@link MeshSnapshot}; its entity table and the handoffs in flight are
 * {@link AtlasEntityAuthority}'s, which decides each entity's authority from the territories Atlas holds.
 * <p>
 * Threading: one thread at a time (the agent that reads its commands). Zero allocation per command in steady state;
 * joins, failovers and new entities beyond the table's initial sizing are the control path.
 */
public final class Atlas implements AtlasCommandHandler
{
    /**
     * Entity ids created by servers live in [2^41, ...): a block of {@link #ENTITY_ID_BLOCK} ids per server id.
     */
    public static final long SERVER_ENTITY_ID_BASE = EntityIdSpace.SERVER_BLOCK_BASE;
    public static final long ENTITY_ID_BLOCK = EntityIdSpace.SERVER_BLOCK_SIZE;
    static final int NO_SERVER = -1;
    /**
     * Time dilation of a server that simulates in real time (and of every session until it reports otherwise).
     */
    static final int REAL_TIME_PER_MILLE = 1000;
    /**
     * Balancer passes before the fleet is asked again for a server it did not start.
     */
    static final int WANT_AGAIN_PASSES = 10;
    private static final int INITIAL_ENTITY_TABLE = 4096;

    private final ShardConfig config;
    private final Counter[] counters;
    private final AtlasDecisionHandler decisions;
    private final long heartbeatTimeoutNs;
    private final long welcomeTimeoutNs;

    private final int[] serverIds;
    private final long[] sessionId;
    private final long[] lastHeardNs;
    private final boolean[] bound;
    private final int[] territoryCount;
    private final int[] entityCount;
    private final int[] reportedEntityCount;
    private final float[] reportedCpuLoad;
    private final int[] timeDilationPerMille;

    private final int[] territoryServer;
    private final long[] territoryEpoch;
    private final int[] restoredServer;
    private final long[] restoredSession;
    private final TerritoryMap territories;
    private final MeshBalancer balancer;
    private final long balanceIntervalNs;
    private final boolean[] activeScratch;
    private final long[] wantedAtPass;
    private final boolean[] retireRequested;
    private long balancePasses;
    private long nextBalanceNs;

    private final AtlasEntityAuthority authority;
    private final IntArrayList heldTerritories = new IntArrayList();

    private volatile MeshSnapshot snapshot;
    private boolean snapshotDirty = true;
    private long nowNs;
    private long silenceFloorNs;

    /**
     * @param config           the shard's static mesh.
     * @param entityCapacity   the cache's capacity: the table starts at most this big (then grows as needed).
     * @param welcomeTimeoutNs how long a welcomed session may stay silent before its first message (at least the
     *                         heartbeat timeout).
     * @param counters         the layer's system counters, indexed by {@code OrreryCounter#id()}.
     * @param decisions        where decisions go.
     */
    public Atlas(
        final ShardConfig config,
        final int entityCapacity,
        final long welcomeTimeoutNs,
        final Counter[] counters,
        final AtlasDecisionHandler decisions)
    {
        this.config = config;
        this.counters = counters;
        this.decisions = decisions;
        heartbeatTimeoutNs = config.heartbeatTimeoutMs() * 1_000_000L;
        this.welcomeTimeoutNs = Math.max(heartbeatTimeoutNs, welcomeTimeoutNs);

        serverIds = config.serverIds();
        final int servers = serverIds.length;
        sessionId = new long[servers];
        lastHeardNs = new long[servers];
        bound = new boolean[servers];
        territoryCount = new int[servers];
        entityCount = new int[servers];
        reportedEntityCount = new int[servers];
        reportedCpuLoad = new float[servers];
        timeDilationPerMille = new int[servers];
        Arrays.fill(timeDilationPerMille, REAL_TIME_PER_MILLE);

        territoryServer = new int[config.territoryCount()];
        territoryEpoch = new long[config.territoryCount()];
        Arrays.fill(territoryServer, NO_SERVER);
        restoredServer = new int[config.territoryCount()];
        restoredSession = new long[config.territoryCount()];
        Arrays.fill(restoredServer, NO_SERVER);
        territories = new TerritoryMap(config);
        // sized for the shard's start, not its maximum: the table grows (doubling) with the entities it is told of
        authority = new AtlasEntityAuthority(config, Math.min(entityCapacity, INITIAL_ENTITY_TABLE), counters,
            decisions, sessionId, entityCount, territoryServer, territories);
        balanceIntervalNs = config.balanceIntervalMs() * 1_000_000L;
        activeScratch = new boolean[servers];
        wantedAtPass = new long[servers];
        retireRequested = new boolean[servers];
        balancer = 0 == balanceIntervalNs ? null : new MeshBalancer(config, territories, retireRequested);
        Arrays.fill(wantedAtPass, -WANT_AGAIN_PASSES);
    }

    // ------------------------------------------------------------------ queries (tests, status; Atlas's thread)

    public ShardConfig config()
    {
        return config;
    }

    /**
     * @return server id of the entity's authority, or 0 if it has none (or is unknown).
     */
    public int authorityOf(final long entityId)
    {
        return authority.authorityOf(entityId);
    }

    /**
     * @return the authority epoch Atlas holds for an entity, or -1 if unknown.
     */
    public long epochOf(final long entityId)
    {
        return authority.epochOf(entityId);
    }

    /**
     * @return true if a handoff of the entity is in flight.
     */
    public boolean isHandingOff(final long entityId)
    {
        return authority.isHandingOff(entityId);
    }

    /**
     * @return server id of the target of the entity's handoff in flight, or 0 if none.
     */
    public int handoffTargetOf(final long entityId)
    {
        return authority.handoffTargetOf(entityId);
    }

    /**
     * @return server id currently assigned a territory (by index), or 0.
     */
    public int territoryServerId(final int territoryIndex)
    {
        final int index = territoryServer[territoryIndex];
        return NO_SERVER == index ? 0 : serverIds[index];
    }

    /**
     * @return whether a server (by index) has a live session.
     */
    public boolean isActive(final int serverIndex)
    {
        return 0 != sessionId[serverIndex];
    }

    /**
     * @return entities a server (by index) is the authority over.
     */
    public int entityCount(final int serverIndex)
    {
        return entityCount[serverIndex];
    }

    /**
     * @return territories a server (by index) simulates.
     */
    public int territoryCount(final int serverIndex)
    {
        return territoryCount[serverIndex];
    }

    /**
     * @return the entity count a server (by index) last reported in its load report.
     */
    public int reportedEntityCount(final int serverIndex)
    {
        return reportedEntityCount[serverIndex];
    }

    /**
     * @return the CPU load a server (by index) last reported.
     */
    public float reportedCpuLoad(final int serverIndex)
    {
        return reportedCpuLoad[serverIndex];
    }

    /**
     * @return the time dilation a server (by index) last reported, in 1/1000 (1000 = real time, also before its
     * first report and after its session ended).
     */
    public int timeDilationPerMille(final int serverIndex)
    {
        return timeDilationPerMille[serverIndex];
    }

    /**
     * @return entities in Atlas's table.
     */
    public int entityTableSize()
    {
        return authority.size();
    }

    /**
     * @return a face of a territory's box as it is now (millimetres): {@code axis} 0, 1, 2 for x, y, z.
     */
    public long territoryFace(final int territoryIndex, final int axis, final boolean upper)
    {
        return upper ? territories.max(territoryIndex, axis) : territories.min(territoryIndex, axis);
    }

    /**
     * @return borders the balancer moved, 0 in a static mesh.
     */
    public long bordersMoved()
    {
        return null == balancer ? 0 : balancer.bordersMoved();
    }

    /**
     * @return territories split and merged by dynamic meshing.
     */
    public long splits()
    {
        return null == balancer ? 0 : balancer.splits();
    }

    public long merges()
    {
        return null == balancer ? 0 : balancer.merges();
    }

    /**
     * @return a server's (by index) cost at the balancer's last pass (its entities' cost divided by its time dilation
     * factor), 0 in a static mesh.
     */
    public double serverCost(final int serverIndex)
    {
        return null == balancer ? 0 : balancer.serverCost(serverIndex);
    }

    /**
     * @return the mesh as Atlas last published it (any thread), or null before the first tick.
     */
    public MeshSnapshot snapshot()
    {
        return snapshot;
    }

    public long handoffsCommitted()
    {
        return authority.handoffsCommitted();
    }

    public int handoffsInFlight()
    {
        return authority.handoffsInFlight();
    }

    // ------------------------------------------------------------------ commands: servers

    @Override
    public void onServerJoined(
        final long nowNs, final int serverIndex, final long sessionId, final long replacedSessionId)
    {
        this.nowNs = nowNs;
        if (!isServerIndex(serverIndex) || 0 == sessionId || sessionId == this.sessionId[serverIndex])
        {
            return;
        }
        heldTerritories.clear();
        if (isActive(serverIndex))
        {
            // a rejoin: the new session takes the old one's territories (a session the mesh did not know it was
            // replacing is retired the same way: one server, one session)
            for (int t = 0; t < territoryServer.length; t++)
            {
                if (territoryServer[t] == serverIndex)
                {
                    heldTerritories.addInt(t);
                }
            }
            retire(serverIndex, false);
            increment(OrreryCounter.SERVER_REPLACEMENTS);
        }
        this.sessionId[serverIndex] = sessionId;
        retireRequested[serverIndex] = false;
        timeDilationPerMille[serverIndex] = REAL_TIME_PER_MILLE; // a new session simulates in real time until told
        lastHeardNs[serverIndex] = nowNs;
        bound[serverIndex] = false;
        for (int i = 0, n = heldTerritories.size(); i < n; i++)
        {
            final int t = heldTerritories.getInt(i);
            if (NO_SERVER == territoryServer[t])
            {
                grant(t, serverIndex);
            }
        }
        for (int t = 0; t < territoryServer.length; t++)
        {
            if (NO_SERVER != territoryServer[t])
            {
                continue;
            }
            final int restored = restoredServer[t];
            if (restored == serverIndex && restoredSession[t] == sessionId ||
                NO_SERVER == restored && config.territory(t).serverId == serverIds[serverIndex])
            {
                restoredServer[t] = NO_SERVER;
                grant(t, serverIndex);
            }
        }
        updateCounters();
        scanTerritories();
    }

    /**
     * A fresh table restores a territory as the layer holds it: its box and epoch now, and the server session it is
     * granted to when that session joins (instead of the configured server: a territory failed over before this
     * Atlas started stays with its survivor). A territory this Atlas has already granted is left as it is.
     */
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
        if (territoryIndex < 0 || territoryIndex >= territoryServer.length ||
            NO_SERVER != territoryServer[territoryIndex] || (NO_SERVER != serverIndex && !isServerIndex(serverIndex)))
        {
            return;
        }
        snapshotDirty = true;
        this.territoryEpoch[territoryIndex] = Math.max(this.territoryEpoch[territoryIndex], territoryEpoch);
        if (!territories.isZone(territoryIndex))
        {
            territories.resize(territoryIndex, minX, minY, minZ, maxX, maxY, maxZ);
        }
        restoredServer[territoryIndex] = serverIndex;
        restoredSession[territoryIndex] = NO_SERVER == serverIndex ? 0 : sessionId;
    }

    @Override
    public void onServerFailed(final long nowNs, final int serverIndex, final long sessionId)
    {
        this.nowNs = nowNs;
        if (isSession(serverIndex, sessionId))
        {
            declareDead(serverIndex);
        }
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
        this.nowNs = nowNs;
        if (isSession(serverIndex, sessionId))
        {
            reportedEntityCount[serverIndex] = entityCount;
            reportedCpuLoad[serverIndex] = cpuLoad;
            // the link validates 1..1000; clamped here too so a bad value can neither divide by zero nor lighten
            this.timeDilationPerMille[serverIndex] =
                Math.max(1, Math.min(REAL_TIME_PER_MILLE, timeDilationPerMille));
        }
    }

    @Override
    public void onServerSeen(
        final int serverIndex, final long sessionId, final long lastHeardNs, final boolean bound)
    {
        if (isSession(serverIndex, sessionId))
        {
            if (lastHeardNs - this.lastHeardNs[serverIndex] > 0)
            {
                this.lastHeardNs[serverIndex] = lastHeardNs;
            }
            this.bound[serverIndex] |= bound;
        }
    }

    // ------------------------------------------------------------------ commands: timer

    @Override
    public void onTick(final long nowNs, final long tick, final long silenceFloorNs, final boolean ingressCaughtUp)
    {
        this.nowNs = nowNs;
        this.silenceFloorNs = silenceFloorNs;
        if (ingressCaughtUp)
        {
            checkSilence();
        }
        authority.checkHandoffTimeouts(nowNs);
        if (null != balancer && nowNs - nextBalanceNs >= 0)
        {
            nextBalanceNs = nowNs + balanceIntervalNs;
            balance();
        }
        scanTerritories();
        if (snapshotDirty)
        {
            snapshotDirty = false;
            publishSnapshot();
        }
    }

    /**
     * Control path: a new immutable snapshot after a change (grants, retirements, border moves, balancer passes).
     */
    private void publishSnapshot()
    {
        final int servers = serverIds.length;
        final boolean[] active = new boolean[servers];
        final double[] costs = new double[servers];
        for (int s = 0; s < servers; s++)
        {
            active[s] = isActive(s);
            costs[s] = serverCost(s);
        }
        final int count = territoryServer.length;
        final int[] ids = new int[count];
        final int[] owners = new int[count];
        final boolean[] zones = new boolean[count];
        final long[] boxes = new long[count * 6];
        for (int t = 0; t < count; t++)
        {
            ids[t] = config.territory(t).id;
            owners[t] = territoryServerId(t);
            zones[t] = territories.isZone(t);
            for (int axis = 0; axis < 3; axis++)
            {
                boxes[t * 6 + axis] = territories.min(t, axis);
                boxes[t * 6 + 3 + axis] = territories.max(t, axis);
            }
        }
        snapshot = new MeshSnapshot(nowNs, serverIds.clone(), active, entityCount.clone(), costs,
            reportedCpuLoad.clone(), reportedEntityCount.clone(), ids, owners, territoryEpoch.clone(), zones, boxes,
            bordersMoved(), authority.handoffsCommitted(), null == balancer ? 0 : balancer.splits(),
            null == balancer ? 0 : balancer.merges());
    }

    /**
     * A balancer pass: count every entity in its territory, let the balancer move borders, and tell the moved
     * territories' servers their new boxes. The territory scan that follows hands off what changed sides.
     */
    private void balance()
    {
        balancer.beginPass();
        authority.addTo(balancer);
        for (int s = 0; s < activeScratch.length; s++)
        {
            activeScratch[s] = isActive(s);
        }
        final long splitsBefore = balancer.splits();
        final long mergesBefore = balancer.merges();
        final int moves = balancer.decide(territoryServer, activeScratch, timeDilationPerMille);
        balancePasses++;
        snapshotDirty = true; // costs changed
        if (moves > 0)
        {
            counters[OrreryCounter.TERRITORY_BORDER_MOVES.id()].getAndAddOrdered(moves);
        }
        counters[OrreryCounter.TERRITORY_SPLITS.id()].getAndAddOrdered(balancer.splits() - splitsBefore);
        counters[OrreryCounter.TERRITORY_MERGES.id()].getAndAddOrdered(balancer.merges() - mergesBefore);
        for (int i = 0, n = balancer.moved().size(); i < n; i++)
        {
            final int t = balancer.moved().getInt(i);
            final int server = territoryServer[t];
            territoryEpoch[t]++;
            decisions.onTerritoryResized(t, server, NO_SERVER == server ? 0 : sessionId[server],
                territories.min(t, 0), territories.min(t, 1), territories.min(t, 2), territories.max(t, 0),
                territories.max(t, 1), territories.max(t, 2), territoryEpoch[t]);
        }
        final int wanted = balancer.wantedServer();
        if (NO_SERVER != wanted && balancePasses - wantedAtPass[wanted] >= WANT_AGAIN_PASSES)
        {
            wantedAtPass[wanted] = balancePasses;
            increment(OrreryCounter.FLEET_REQUESTS);
            decisions.onServerWanted(wanted, true);
        }
        requestRetirements();
        counters[OrreryCounter.ADMISSION_CLOSED.id()].setOrdered(
            balancer.isFull(territoryServer, activeScratch) ? 1 : 0);
    }

    /**
     * A connected server that dynamic meshing left with nothing (its territories merged away, no entity, no handoff)
     * is handed back to the fleet, once per session.
     */
    private void requestRetirements()
    {
        for (int s = 0; s < sessionId.length; s++)
        {
            if (!isActive(s) || retireRequested[s] || entityCount[s] > 0 || holdsTerritory(s) ||
                authority.isHandoffTarget(s))
            {
                continue;
            }
            retireRequested[s] = true;
            increment(OrreryCounter.FLEET_REQUESTS);
            decisions.onServerWanted(s, false);
        }
    }

    private boolean holdsTerritory(final int serverIndex)
    {
        for (int t = 0; t < territoryServer.length; t++)
        {
            if (territoryServer[t] == serverIndex && (territories.isZone(t) || !territories.isEmpty(t)))
            {
                return true;
            }
        }
        return false;
    }

    private void checkSilence()
    {
        for (int i = 0; i < sessionId.length; i++)
        {
            if (isActive(i))
            {
                final long heardNs = lastHeardNs[i];
                final long silentSinceNs = heardNs - silenceFloorNs > 0 ? heardNs : silenceFloorNs;
                final long timeoutNs = bound[i] ? heartbeatTimeoutNs : welcomeTimeoutNs;
                if (nowNs - silentSinceNs > timeoutNs)
                {
                    declareDead(i);
                }
            }
        }
    }

    // ------------------------------------------------------------------ commands: entities

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
        authority.onEntityAdded(entityId, incarnation, parentId, isZone, x, y, z, epoch);
    }

    @Override
    public void onEntityMoved(
        final long entityId, final long incarnation, final long parentId, final long x, final long y, final long z)
    {
        authority.onEntityMoved(entityId, incarnation, parentId, x, y, z);
    }

    @Override
    public void onEntityRemoved(final long entityId, final long incarnation)
    {
        authority.onEntityRemoved(entityId, incarnation);
    }

    // ------------------------------------------------------------------ commands: handoff answers

    @Override
    public void onStreamOut(
        final long nowNs, final int serverIndex, final long sessionId, final long entityId, final long epoch)
    {
        this.nowNs = nowNs;
        if (isSession(serverIndex, sessionId))
        {
            authority.onStreamOut(serverIndex, entityId, epoch);
        }
    }

    @Override
    public void onHandoffAccepted(
        final long nowNs, final int serverIndex, final long sessionId, final long handoffId, final long entityId)
    {
        this.nowNs = nowNs;
        if (isSession(serverIndex, sessionId))
        {
            authority.onHandoffAccepted(serverIndex, handoffId, entityId);
        }
    }

    // ------------------------------------------------------------------ territories

    private void scanTerritories()
    {
        authority.scanTerritories(nowNs);
    }

    private void grant(final int territory, final int serverIndex)
    {
        snapshotDirty = true;
        territoryServer[territory] = serverIndex;
        territoryEpoch[territory]++;
        territoryCount[serverIndex]++;
        decisions.onTerritoryGranted(territory, serverIndex, sessionId[serverIndex], territoryEpoch[territory]);
    }

    // ------------------------------------------------------------------ failover

    private void declareDead(final int serverIndex)
    {
        if (!isActive(serverIndex))
        {
            return;
        }
        increment(OrreryCounter.SERVER_FAILOVERS);
        retire(serverIndex, true);
        scanTerritories();
    }

    /**
     * End a server's session: handoffs from it commit from the cache, handoffs to it are abandoned, its entities
     * become orphans, its territories are freed and, with {@code failOver}, granted to the survivors.
     */
    private void retire(final int dead, final boolean failOver)
    {
        snapshotDirty = true;
        final long deadSessionId = sessionId[dead];
        sessionId[dead] = 0;
        bound[dead] = false;
        timeDilationPerMille[dead] = REAL_TIME_PER_MILLE;
        updateCounters();
        decisions.onServerRetired(dead, deadSessionId, failOver);

        authority.retire(dead);
        for (int t = 0; t < territoryServer.length; t++)
        {
            if (territoryServer[t] == dead)
            {
                territoryServer[t] = NO_SERVER;
                territoryCount[dead]--;
                decisions.onTerritoryFreed(t, dead, deadSessionId);
                // a territory with no box (a spare not in use, or merged away) has nothing to fail over: it stays
                // free for its own server's next session, which takes it on joining (else a retired spare server
                // started again for the next split would find its territory held by a survivor, never be idle,
                // and be retired again at once: no split after the first split and merge)
                final int survivor = failOver && !territories.isEmpty(t) ? leastLoadedSurvivor() : NO_SERVER;
                if (NO_SERVER != survivor)
                {
                    grant(t, survivor);
                }
            }
        }
        entityCount[dead] = 0;
        territoryCount[dead] = 0;
    }

    private int leastLoadedSurvivor()
    {
        int best = NO_SERVER;
        for (int i = 0; i < sessionId.length; i++)
        {
            if (isActive(i) && (NO_SERVER == best || territoryCount[i] < territoryCount[best] ||
                (territoryCount[i] == territoryCount[best] && entityCount[i] < entityCount[best])))
            {
                best = i;
            }
        }
        return best;
    }

    // ------------------------------------------------------------------ helpers

    private boolean isServerIndex(final int serverIndex)
    {
        return serverIndex >= 0 && serverIndex < sessionId.length;
    }

    private boolean isSession(final int serverIndex, final long sessionId)
    {
        return isServerIndex(serverIndex) && 0 != sessionId && this.sessionId[serverIndex] == sessionId;
    }

    private void updateCounters()
    {
        int connected = 0;
        for (final long session : sessionId)
        {
            connected += 0 != session ? 1 : 0;
        }
        counters[OrreryCounter.SERVERS_CONNECTED.id()].setOrdered(connected);
    }

    private void increment(final OrreryCounter counter)
    {
        counters[counter.id()].incrementOrdered();
    }

    /**
     * @return the first entity id of a server's block.
     */
    public static long entityIdBase(final int serverId)
    {
        return SERVER_ENTITY_ID_BASE + ((long)serverId << 28);
    }
}
