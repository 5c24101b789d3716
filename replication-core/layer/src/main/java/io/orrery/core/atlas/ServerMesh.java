/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.aeron.Counter;
import io.orrery.core.replicant.EntityStore;
import io.orrery.core.status.OrreryCounter;
import io.orrery.wire.Archetypes;
import io.orrery.wire.codec.DespawnReason;
import io.orrery.wire.codec.EntityCreateRequestDecoder;
import io.orrery.wire.codec.EntityStateBatchDecoder;
import io.orrery.wire.codec.EntityStreamOutDecoder;
import io.orrery.wire.codec.PlayerInputDecoder;
import io.orrery.wire.codec.RevokeReason;
import org.agrona.CloseHelper;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The Replicant's side of the server mesh: it holds the entity cache's view of who simulates what and carries the
 * traffic, while {@link Atlas} decides. It tells Atlas what happens ({@link AtlasCommandHandler}: sessions joining,
 * liveness, load, entities entering, moving and leaving the cache, handoff answers, the tick) and applies what Atlas
 * decides ({@link AtlasDecisionHandler}): a replica of the authority map (per cache slot: authority, handoff target,
 * released; {@link AuthorityReplica}, which also reports the cache's changes to Atlas) and of the territory map, kept
 * only from decisions. With it the mesh
 * <ul>
 *   <li>accepts a server's writes only for entities it is the authority over, at the current epoch, and not
 *   released ({@link ServerWrites});</li>
 *   <li>routes player input to the authority, holds it while the entity has none or is handed over, and replays it
 *   once after a commit or an assignment ({@link InputForwarding});</li>
 *   <li>streams the cached state in when Atlas assigns an entity, and sends handoff prepares and commits;</li>
 *   <li>sends each server read-only views of what is near its territories ({@link ServerViews}) and the layer's
 *   heartbeats; notices pauses of the layer and broken egress ({@link ServerLiveness}).</li>
 * </ul>
 * Decisions arrive after the commands that caused them: until then the replica is the older truth, which is safe
 * because every decision names the server session and the entity incarnation it is for, and anything about a
 * session or an incarnation that is gone is applied to the replica only as "no authority" (input held, writes
 * refused) and sent to nobody.
 * <p>
 * Threading: Replicant thread only. Zero allocation per input, per state write and per tick in steady state;
 * connections, joins and territory changes are the control path.
 */
public final class ServerMesh implements AtlasDecisionHandler
{
    public static final int ARCHETYPE_PLAYER = Archetypes.PLAYER;
    static final int NO_SERVER = Atlas.NO_SERVER;
    private static final long MM_PER_M = 1000;

    private final ShardConfig config;
    private final EntityStore store;
    private final Counter[] counters;
    private final ServerEgressProxy proxy;
    private final AtlasCommandHandler atlas;
    private final ServerConnection[] connections;
    private final AtomicIntegerArray timeDilations;
    private final int[] territoryServer;
    private final long[] territoryEpoch;
    private final TerritoryMap territories;
    private final long viewMarginMm;

    final AuthorityReplica replica;
    final InputForwarding inputs;
    private final ServerViews views;
    private final ServerWrites writes;
    private final ServerLiveness liveness;

    private ServerFleetControl fleet;
    private long nowNs;
    private long routeEpoch;

    /**
     * @param config   the shard's static mesh.
     * @param store    the entity cache (Replicant thread only).
     * @param counters the layer's system counters.
     * @param proxy    the egress to servers.
     * @param atlas    where commands go (an {@link AtlasCommandProxy} in front of Atlas's ring, or Atlas itself).
     */
    public ServerMesh(
        final ShardConfig config,
        final EntityStore store,
        final Counter[] counters,
        final ServerEgressProxy proxy,
        final AtlasCommandHandler atlas)
    {
        this.config = config;
        this.store = store;
        this.counters = counters;
        this.proxy = proxy;
        this.atlas = atlas;
        final int[] serverIds = config.serverIds();
        connections = new ServerConnection[serverIds.length];
        for (int i = 0; i < serverIds.length; i++)
        {
            connections[i] = new ServerConnection(i, serverIds[i], store.capacity());
        }
        timeDilations = new AtomicIntegerArray(serverIds.length);
        for (int i = 0; i < serverIds.length; i++)
        {
            timeDilations.set(i, 1000);
        }
        territoryServer = new int[config.territoryCount()];
        Arrays.fill(territoryServer, NO_SERVER);
        territoryEpoch = new long[config.territoryCount()];
        territories = new TerritoryMap(config);
        final long heartbeatTimeoutNs = config.heartbeatTimeoutMs() * 1_000_000L;
        final long heartbeatIntervalNs = Math.max(1, config.heartbeatTimeoutMs() / 5) * 1_000_000L;
        viewMarginMm = Math.round(config.viewMarginM() * MM_PER_M);
        proxy.claimGapNs(2 * heartbeatIntervalNs);

        replica = new AuthorityReplica(store, atlas, connections);
        inputs = new InputForwarding(config.inputBuffer(), proxy, counters);
        views = new ServerViews(territories, store, proxy, connections, replica.owner, territoryServer, viewMarginMm);
        writes = new ServerWrites(this, replica, store, proxy, counters);
        liveness = new ServerLiveness(connections, proxy, atlas, heartbeatTimeoutNs, heartbeatIntervalNs);
    }

    // ------------------------------------------------------------------ queries (tests, status)

    public ShardConfig config()
    {
        return config;
    }

    /**
     * Any thread (the metrics endpoint reads it).
     *
     * @param index a connection index in {@code [0, connectionCount())}.
     * @return the time dilation (1/1000) the server of that connection last reported, 1000 before any report.
     */
    public int reportedTimeDilation(final int index)
    {
        return timeDilations.get(index);
    }

    /**
     * Any thread: server ids are fixed at construction.
     *
     * @param index a connection index in {@code [0, connectionCount())}.
     * @return the configured server id of that connection.
     */
    public int serverIdAt(final int index)
    {
        return connections[index].serverId;
    }

    /**
     * For tests: the egress to servers.
     */
    ServerEgressProxy proxy()
    {
        return proxy;
    }

    public int connectionCount()
    {
        return connections.length;
    }

    public ServerConnection connection(final int index)
    {
        return connections[index];
    }

    /**
     * @return the configured connection of a server id, or null.
     */
    public ServerConnection connectionOf(final int serverId)
    {
        for (final ServerConnection connection : connections)
        {
            if (connection.serverId == serverId)
            {
                return connection;
            }
        }
        return null;
    }

    /**
     * @return server id of the entity's authority as the mesh applies it (writes accepted from, input routed to), or
     * 0 if it has none (or is unknown).
     */
    public int authorityOf(final long entityId)
    {
        final int slot = store.slotOf(entityId);
        if (EntityStore.NULL_SLOT == slot || !replica.isReported(slot) ||
            NO_SERVER == replica.owner[slot])
        {
            return 0;
        }
        return connections[replica.owner[slot]].serverId;
    }

    /**
     * @return the time dilation (1/1000) the entity's authority last reported, 1000 if it has none.
     */
    public int timeDilationOf(final long entityId)
    {
        final int slot = store.slotOf(entityId);
        if (EntityStore.NULL_SLOT == slot || !replica.isReported(slot) ||
            NO_SERVER == replica.owner[slot])
        {
            return 1000;
        }
        return timeDilations.get(replica.owner[slot]);
    }

    /**
     * @return true if a handoff of the entity is in flight (as the mesh applies it).
     */
    public boolean isHandingOff(final long entityId)
    {
        final int slot = store.slotOf(entityId);
        return EntityStore.NULL_SLOT != slot && NO_SERVER != replica.handoffTarget[slot];
    }

    /**
     * @return the index of the server session holding a territory as the mesh last heard from Atlas, or
     * {@link #NO_SERVER}.
     */
    int territoryServerIndex(final int territoryIndex)
    {
        return territoryServer[territoryIndex];
    }

    /**
     * @return the highest epoch of a territory the mesh heard from Atlas (0 before the first grant).
     */
    long territoryEpoch(final int territoryIndex)
    {
        return territoryEpoch[territoryIndex];
    }

    /**
     * @return the territories' boxes as the mesh last heard them from Atlas.
     */
    TerritoryMap territoryMap()
    {
        return territories;
    }

    /**
     * @return server id currently assigned a territory (by index), or 0.
     */
    public int territoryServerId(final int territoryIndex)
    {
        final int index = territoryServer[territoryIndex];
        return NO_SERVER == index ? 0 : connections[index].serverId;
    }

    /**
     * @return inputs (by sequence span) a server was not sent again when it got an entity streamed in because its
     * session, or the live session it replaced, had already been given them (a rejoin before its write-back).
     */
    public long inputsClaimedAtStreamIn()
    {
        return inputs.inputsClaimedAtStreamIn();
    }

    // ------------------------------------------------------------------ players

    /**
     * A player joined: its entity is created at the spawn point if the cache does not have it, and Atlas is told.
     */
    public void onPlayerJoined(final long playerEntityId, final long nowNs)
    {
        nowNs(nowNs);
        inputs.open(playerEntityId);
        int slot = store.slotOf(playerEntityId);
        if (EntityStore.NULL_SLOT == slot)
        {
            slot = store.create(playerEntityId, ARCHETYPE_PLAYER, playerEntityId, 0, false);
            if (slot < 0)
            {
                counters[OrreryCounter.ERRORS.id()].increment(); // every thread counts errors: atomic
                return;
            }
            final long hash = mix(playerEntityId);
            final double radiusMm = config.spawnRadiusM() * MM_PER_M;
            final double dx = ((hash & 0xFFFF) / 65535.0 * 2 - 1) * radiusMm;
            final double dy = (((hash >>> 16) & 0xFFFF) / 65535.0 * 2 - 1) * radiusMm;
            store.position(slot, Math.round(config.spawnXM() * MM_PER_M + dx),
                Math.round(config.spawnYM() * MM_PER_M + dy), Math.round(config.spawnZM() * MM_PER_M));
            store.radius(slot, 0.5f);
            store.orientation(slot, 0, 0, 0, 1);
        }
        else if (replica.isReported(slot))
        {
            // the entity outlived its player's session: Atlas takes it as new (assigned again at epoch + 1, its
            // state streamed in), so its authority starts from the cache
            replica.unreport(slot);
        }
        replica.report(slot);
    }

    /**
     * A player left: its entity is removed and its authority told.
     */
    public void onPlayerLeft(final long playerEntityId, final long nowNs)
    {
        nowNs(nowNs);
        inputs.close(playerEntityId);
        final int slot = store.slotOf(playerEntityId);
        if (EntityStore.NULL_SLOT != slot)
        {
            removeEntity(slot, DespawnReason.destroyed.value());
        }
    }

    /**
     * Player input (validated by the Gateway): forwarded to the authority, or kept while the entity is being handed
     * over or has no authority.
     */
    public void onPlayerInput(final PlayerInputDecoder input, final long nowNs)
    {
        proxy.nowNs(nowNs);
        final InputRing ring = inputs.record(input, nowNs);
        if (null == ring)
        {
            return;
        }
        final ServerConnection to = routeOf(ring.entityId);
        if (null == to)
        {
            increment(OrreryCounter.HANDOFF_INPUTS_BUFFERED);
            return;
        }
        inputs.forward(ring, to, routeEpoch);
    }

    /**
     * Where an entity's input goes now: its authority, unless it has none, is being handed over, or is not
     * connected (then input stays in the ring until a commit or assignment replays it). Sets {@link #routeEpoch()}.
     *
     * @return the authority's connection, or null.
     */
    ServerConnection routeOf(final long entityId)
    {
        final int slot = store.slotOf(entityId);
        if (EntityStore.NULL_SLOT == slot)
        {
            return null;
        }
        final int owner = replica.owner[slot];
        if (NO_SERVER == owner || NO_SERVER != replica.handoffTarget[slot] || !connections[owner].isActive())
        {
            return null;
        }
        routeEpoch = store.authorityEpoch(slot);
        return connections[owner];
    }

    /**
     * @return the authority epoch of the last entity {@link #routeOf(long)} found a route for.
     */
    long routeEpoch()
    {
        return routeEpoch;
    }

    /**
     * Every duty cycle: forward input that back-pressure held back, and report sessions whose egress broke.
     *
     * @return work done.
     */
    public int doWork(final long nowNs)
    {
        return inputs.retry(this) + liveness.reportBroken(nowNs);
    }

    // ------------------------------------------------------------------ tick

    /**
     * Once per Replicant tick, after the interest engine streamed the pass to the clients: tell Atlas what changed
     * in the cache and how the servers are heard, then its timer ({@link #sendViews} follows).
     *
     * @return work done.
     */
    public int onTick(final long nowNs, final long tick)
    {
        nowNs(nowNs);
        int work = replica.reportChanges();
        work += liveness.onTick(nowNs, tick);
        return work;
    }

    /**
     * Views go out after Atlas's decisions for this tick were applied (when it runs on the same thread), so a server
     * never gets a view of what it was just assigned.
     *
     * @return entities viewed plus views removed.
     */
    public int sendViews(final long nowNs, final long tick)
    {
        int work = liveness.sendHeartbeats(nowNs);
        for (final ServerConnection connection : connections)
        {
            // views wait while the server is behind: deltas resume from what it last got
            if (connection.isActive() && proxy.hasRoomForBulk(connection))
            {
                work += views.send(connection, tick, nowNs);
            }
        }
        counters[OrreryCounter.SERVER_VIEW_BYTES_OUT.id()].setOrdered(proxy.viewBytesOut());
        counters[OrreryCounter.SERVER_VIEW_MESSAGES_OUT.id()].setOrdered(proxy.viewMessagesOut());
        return work;
    }

    // ------------------------------------------------------------------ decisions

    @Override
    public void onTerritoryGranted(
        final int territoryIndex, final int serverIndex, final long sessionId, final long territoryEpoch)
    {
        territoryServer[territoryIndex] = serverIndex;
        this.territoryEpoch[territoryIndex] = Math.max(this.territoryEpoch[territoryIndex], territoryEpoch);
        final ServerConnection connection = connections[serverIndex];
        if (isSession(connection, sessionId))
        {
            connection.territoryCount++;
            final ShardConfig.Territory territory = config.territory(territoryIndex);
            if (!territories.isEmpty(territoryIndex) &&
                !proxy.territoryGrant(connection, territory.id, territory.rootZoneId,
                territories.min(territoryIndex, 0), territories.min(territoryIndex, 1),
                territories.min(territoryIndex, 2), territories.max(territoryIndex, 0),
                territories.max(territoryIndex, 1), territories.max(territoryIndex, 2), territoryEpoch))
            {
                onControlFailure(connection);
            }
        }
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
        territories.resize(territoryIndex, minX, minY, minZ, maxX, maxY, maxZ);
        this.territoryEpoch[territoryIndex] = Math.max(this.territoryEpoch[territoryIndex], territoryEpoch);
        if (NO_SERVER == serverIndex)
        {
            return;
        }
        final ServerConnection connection = connections[serverIndex];
        final ShardConfig.Territory territory = config.territory(territoryIndex);
        if (isSession(connection, sessionId))
        {
            // a territory merged away (its box empty) is revoked; otherwise its server gets the new box
            final boolean ok = territories.isEmpty(territoryIndex) ?
                proxy.territoryRevoke(connection, territory.id, territoryEpoch, RevokeReason.rebalance) :
                proxy.territoryGrant(connection, territory.id, territory.rootZoneId, minX, minY, minZ, maxX, maxY,
                maxZ, territoryEpoch);
            if (!ok)
            {
                onControlFailure(connection);
            }
        }
    }

    @Override
    public void onServerWanted(final int serverIndex, final boolean wanted)
    {
        final ServerFleetControl fleet = this.fleet;
        if (null != fleet)
        {
            if (wanted)
            {
                fleet.startServer(connections[serverIndex].serverId);
            }
            else
            {
                fleet.retireServer(connections[serverIndex].serverId);
            }
        }
    }

    /**
     * Where dynamic meshing's requests for servers go (a fleet), or null to only count them.
     */
    public ServerMesh fleet(final ServerFleetControl fleet)
    {
        this.fleet = fleet;
        return this;
    }

    @Override
    public void onTerritoryFreed(final int territoryIndex, final int serverIndex, final long sessionId)
    {
        if (territoryServer[territoryIndex] == serverIndex)
        {
            territoryServer[territoryIndex] = NO_SERVER;
        }
        final ServerConnection connection = connections[serverIndex];
        if (isSession(connection, sessionId) && connection.territoryCount > 0)
        {
            connection.territoryCount--;
        }
    }

    @Override
    public void onServerRetired(final int serverIndex, final long sessionId, final boolean failedOver)
    {
        final ServerConnection connection = connections[serverIndex];
        if (isSession(connection, sessionId))
        {
            connection.state = ServerConnection.State.NONE;
            CloseHelper.quietClose(connection.publication);
            connection.resetSession();
            timeDilations.lazySet(connection.index, 1000); // no session: real time
        }
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
        final int slot = replica.slotOf(entityId, incarnation);
        if (EntityStore.NULL_SLOT == slot)
        {
            return;
        }
        replica.clearHandoff(slot);
        store.authorityEpoch(slot, epoch);
        final ServerConnection connection = connections[serverIndex];
        if (!isSession(connection, sessionId))
        {
            replica.setOwner(slot, NO_SERVER); // that session is gone: Atlas hears of it and assigns the entity again
            return;
        }
        replica.setOwner(slot, serverIndex);
        final InputRing ring = inputs.ring(entityId);
        final long baseline = inputs.baseline(ring, store.lastAppliedInputSequence(slot), connection);
        streamInAndReplay(slot, connection, territoryId, epoch, ring, baseline);
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
        final int slot = replica.slotOf(entityId, incarnation);
        if (EntityStore.NULL_SLOT == slot)
        {
            return;
        }
        replica.startHandoff(slot, toIndex, handoffId);
        final ServerConnection a = connections[fromIndex];
        final ServerConnection b = connections[toIndex];
        if (isSession(a, fromSessionId) &&
            !proxy.handoffPrepare(a, handoffId, entityId, a.serverId, b.serverId, territoryId, newEpoch))
        {
            onControlFailure(a);
        }
        if (isSession(b, toSessionId))
        {
            if (!proxy.handoffPrepare(b, handoffId, entityId, a.serverId, b.serverId, territoryId, newEpoch))
            {
                onControlFailure(b);
            }
            proxy.beginStreamIn(b, territoryId, newEpoch);
            boolean ok = proxy.appendStreamIn(store, slot, newEpoch, store.lastAppliedInputSequence(slot));
            ok &= proxy.endStreamIn();
            if (!ok)
            {
                onControlFailure(b);
            }
        }
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
        final int slot = replica.slotOf(entityId, incarnation);
        if (EntityStore.NULL_SLOT == slot)
        {
            return;
        }
        replica.clearHandoff(slot);
        store.authorityEpoch(slot, newEpoch);
        final ServerConnection b = connections[toIndex];
        if (!isSession(b, toSessionId))
        {
            replica.setOwner(slot, NO_SERVER);
            return;
        }
        final InputRing ring = inputs.ring(entityId);
        final long baseline = inputs.baseline(ring, store.lastAppliedInputSequence(slot), b);
        replica.setOwner(slot, toIndex);
        final int fromServerId = NO_SERVER == fromIndex ? 0 : connections[fromIndex].serverId;
        if (!proxy.handoffCommit(b, handoffId, entityId, fromServerId, b.serverId, newEpoch, baseline))
        {
            onControlFailure(b);
        }
        streamInAndReplay(slot, b, 0, newEpoch, ring, baseline);
    }

    @Override
    public void onHandoffAbandoned(final long entityId, final long incarnation, final boolean orphaned)
    {
        final int slot = replica.slotOf(entityId, incarnation);
        if (EntityStore.NULL_SLOT != slot)
        {
            replica.clearHandoff(slot);
            if (orphaned)
            {
                replica.setOwner(slot, NO_SERVER);
            }
        }
    }

    @Override
    public void onAuthorityCleared(final long entityId, final long incarnation)
    {
        final int slot = replica.slotOf(entityId, incarnation);
        if (EntityStore.NULL_SLOT != slot)
        {
            replica.clearHandoff(slot);
            replica.setOwner(slot, NO_SERVER);
        }
    }

    private void streamInAndReplay(final int slot, final ServerConnection to, final int territoryId,
        final long epoch, final InputRing ring, final long baseline)
    {
        proxy.beginStreamIn(to, territoryId, epoch);
        boolean ok = proxy.appendStreamIn(store, slot, epoch, baseline);
        ok &= proxy.endStreamIn();
        if (!ok)
        {
            onControlFailure(to);
            return;
        }
        if (null != ring)
        {
            inputs.replay(ring, to, epoch, baseline);
        }
    }

    // ------------------------------------------------------------------ what servers write (see ServerWrites)

    void onStateBatch(final ServerConnection sender, final EntityStateBatchDecoder batch)
    {
        writes.onStateBatch(sender, batch);
    }

    void onStreamOut(final ServerConnection sender, final EntityStreamOutDecoder streamOut)
    {
        writes.onStreamOut(sender, streamOut);
    }

    /**
     * The releasing server's final state of a handoff is in the cache: its writes are refused from now, Atlas told.
     * With no handoff in flight (Atlas abandoned it when its target's session ended, and the release crossed that)
     * the server gave the entity up: it has no authority, its input is held, and Atlas assigns it again from the
     * cache. Input forwarded to it after its release (the abandonment had resumed forwarding) was dropped, not
     * applied: nothing above its final last applied input is its claim any more, so the next authority is given all
     * of it, once.
     */
    void onReleased(final ServerConnection sender, final int slot, final long epoch)
    {
        if (NO_SERVER == replica.handoffTarget[slot])
        {
            replica.setOwner(slot, NO_SERVER);
            final InputRing ring = inputs.ring(store.entityId(slot));
            if (null != ring)
            {
                ring.claim(0, store.lastAppliedInputSequence(slot));
            }
        }
        else
        {
            replica.handoffReleased[slot] = true;
        }
        atlas.onStreamOut(nowNs, sender.index, sender.serverSessionId, store.entityId(slot), epoch);
    }

    void onHandoffAccept(final ServerConnection sender, final long id, final long entityId)
    {
        atlas.onHandoffAccepted(nowNs, sender.index, sender.serverSessionId, id, entityId);
    }

    void onCreate(final ServerConnection sender, final EntityCreateRequestDecoder create)
    {
        writes.onCreate(sender, create);
    }

    /**
     * A server created an entity in the cache: Atlas decides its authority.
     */
    void onCreated(final int slot)
    {
        replica.report(slot);
    }

    void onDestroy(final ServerConnection sender, final long entityId, final long epoch)
    {
        writes.onDestroy(sender, entityId, epoch);
    }

    void onLoadReport(
        final ServerConnection sender,
        final int entityCount,
        final int playerCount,
        final long tickTimeP50Ns,
        final long tickTimeMaxNs,
        final float cpuLoad,
        final int timeDilationPerMille)
    {
        timeDilations.lazySet(sender.index, timeDilationPerMille);
        sender.reportedEntityCount = entityCount;
        sender.reportedCpuLoad = cpuLoad;
        atlas.onServerLoad(nowNs, sender.index, sender.serverSessionId, entityCount, playerCount, tickTimeP50Ns,
            tickTimeMaxNs, cpuLoad, timeDilationPerMille);
    }

    // ------------------------------------------------------------------ removal

    /**
     * Take an entity out of the world for the Replication Layer (stowed, streamed out): its authority (and a handoff
     * target) is told to evict it, then it leaves the cache with the reason, and Atlas is told.
     *
     * @param despawnReason {@code io.orrery.wire.codec.DespawnReason} value clients will see.
     * @return whether it existed.
     */
    public boolean removeEntity(final long entityId, final short despawnReason)
    {
        final int slot = store.slotOf(entityId);
        if (EntityStore.NULL_SLOT == slot)
        {
            return false;
        }
        removeEntity(slot, despawnReason);
        return true;
    }

    void removeEntity(final int slot, final short despawnReason)
    {
        final long entityId = store.entityId(slot);
        final long epoch = store.authorityEpoch(slot);
        final long createdSeq = store.createdSeq(slot);
        if (replica.reportedCreatedSeq[slot] == createdSeq)
        {
            final int current = replica.owner[slot];
            if (NO_SERVER != current && connections[current].isActive() &&
                !proxy.evict(connections[current], entityId, epoch, despawnReason))
            {
                onControlFailure(connections[current]);
            }
            final int target = replica.handoffTarget[slot];
            if (NO_SERVER != target && connections[target].isActive() &&
                !proxy.evict(connections[target], entityId, epoch, despawnReason))
            {
                onControlFailure(connections[target]);
            }
            replica.unreport(slot);
        }
        store.remove(entityId, despawnReason);
    }

    /**
     * Its authority destroyed the entity: removed without telling that authority.
     */
    void removeEntityOfAuthority(final int slot)
    {
        replica.setOwner(slot, NO_SERVER);
        removeEntity(slot, DespawnReason.destroyed.value());
    }

    // ------------------------------------------------------------------ connections

    /**
     * A new connection of a configured server was welcomed and its publication is connected: it becomes the
     * server's connection, and Atlas is told. A live session it replaces is closed now; its entities and handoffs
     * are held (no authority) until Atlas's decisions about the new session arrive, so nothing is forwarded to a
     * session that does not have the entity. Control path.
     *
     * @param connection the server's configured connection.
     * @param candidate  the welcomed connection whose publication and session are taken over.
     */
    void onServerWelcomed(final ServerConnection connection, final ServerConnection candidate)
    {
        final long replacedSessionId = connection.isActive() ? connection.serverSessionId : 0;
        if (connection.isActive())
        {
            CloseHelper.quietClose(connection.publication);
            replica.holdEntitiesOf(connection.index);
            for (int t = 0; t < territoryServer.length; t++)
            {
                if (territoryServer[t] == connection.index)
                {
                    territoryServer[t] = NO_SERVER;
                }
            }
        }
        connection.resetSession();
        timeDilations.lazySet(connection.index, 1000); // a new session is at real time until it reports
        connection.imageSessionId = candidate.imageSessionId;
        connection.serverSessionId = candidate.serverSessionId;
        connection.helloNonce = candidate.helloNonce;
        connection.registrationId = candidate.registrationId;
        connection.publication = candidate.publication;
        connection.connectedNs = nowNs;
        connection.lastHeartbeatNs = nowNs;
        connection.replacedSessionId = replacedSessionId;
        connection.lastOfferOkNs = nowNs;
        connection.state = ServerConnection.State.ACTIVE;
        candidate.publication = null;
        candidate.state = ServerConnection.State.NONE;
        atlas.onServerJoined(nowNs, connection.index, connection.serverSessionId, replacedSessionId);
    }

    boolean isKnownServer(final int serverId)
    {
        return null != connectionOf(serverId);
    }

    /**
     * A welcomed server said goodbye on its own session (it closes cleanly): fail it over now, as a broken egress
     * is (reported to Atlas on this duty cycle), instead of after the heartbeat timeout.
     */
    void onServerGoodbye(final ServerConnection connection)
    {
        increment(OrreryCounter.SERVER_GOODBYES_RECEIVED);
        connection.broken = true;
    }

    void onControlFailure(final ServerConnection connection)
    {
        increment(OrreryCounter.SERVER_EGRESS_BACK_PRESSURE);
        connection.broken = true;
    }

    /**
     * The server ingress is polled at {@code nowNs}.
     */
    void nowNs(final long nowNs)
    {
        this.nowNs = nowNs;
        proxy.nowNs(nowNs);
    }

    void onIngressPolled(final long nowNs, final boolean caughtUp)
    {
        nowNs(nowNs);
        liveness.onPoll(nowNs, caughtUp);
    }

    // ------------------------------------------------------------------ helpers

    private static boolean isSession(final ServerConnection connection, final long sessionId)
    {
        return connection.isActive() && connection.serverSessionId == sessionId;
    }

    /**
     * The first id of a server's block above every id of that block the cache holds: a server that restarts, or
     * joins a shard restored from its store, must not mint ids its earlier incarnation already gave to entities
     * that still exist. (Entities of the block streamed out by OCS are not in the cache and are not seen here.)
     * Control path: scans the cache.
     */
    public long firstFreeEntityId(final int serverId)
    {
        final long base = Atlas.entityIdBase(serverId);
        final long limit = base + Atlas.ENTITY_ID_BLOCK;
        long next = base;
        for (int i = 0, n = store.size(); i < n; i++)
        {
            final long id = store.entityId(store.activeSlot(i));
            if (id >= next && id < limit)
            {
                next = id + 1;
            }
        }
        return next;
    }

    private void increment(final OrreryCounter counter)
    {
        counters[counter.id()].incrementOrdered();
    }

    private static long mix(final long value)
    {
        long z = value * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E019L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
