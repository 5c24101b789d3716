/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.aeron.Counter;
import io.orrery.core.replicant.EntityStore;
import io.orrery.core.status.OrreryCounter;
import io.orrery.wire.Archetypes;
import io.orrery.wire.EntityIdSpace;
import io.orrery.wire.codec.EntityCreateRequestDecoder;
import io.orrery.wire.codec.EntityStateBatchDecoder;
import io.orrery.wire.codec.EntityStreamOutDecoder;
import io.orrery.wire.codec.PlayerInputDecoder;
import io.orrery.wire.codec.RevokeReason;
import org.agrona.collections.IntArrayList;
import org.agrona.collections.Long2LongHashMap;

import java.util.Arrays;

/**
 * Authority for static server meshing: which server simulates which territory, which server is the authority over
 * each entity and at which epoch, handoffs between servers, and failover when a server dies. It decides; the
 * {@link ServerEgressProxy} tells the servers; the {@link ServerIngressAdapter} feeds it what servers say.
 *
 * <h2>Ownership</h2>
 * An entity's territory is decided by its nearest ancestor (or itself) that roots a zone territory, else by the
 * position of its top-level ancestor, so a player inside a ship follows the ship. Each territory is assigned to its
 * configured server once that server is welcomed; the authority over an entity follows its territory. An entity with
 * no authority (its territory's server is not connected) is an orphan: it stays in the cache, its input is buffered,
 * and it is streamed in (from the cache, epoch + 1) to the first server that gets its territory.
 *
 * <h2>Handoff, exactly once by construction</h2>
 * <ol>
 *   <li>Each tick Atlas finds entities (owner A, epoch e) whose territory is now B's. It stops forwarding their
 *   input to A (new input is kept in the entity's {@link InputRing}, bounded, overflow counted), sends A
 *   {@code HandoffPrepare} (release), and sends B {@code HandoffPrepare} plus an {@code EntityStreamIn} of the latest
 *   cached state at epoch e + 1 to preload.</li>
 *   <li>A applies every input it received for the entity (Aeron delivers in order, so that is every input forwarded
 *   before the prepare) and answers {@code EntityStreamOut} with the final state at epoch e and its last applied
 *   input sequence; Atlas writes it into the cache and accepts no more writes from A for the entity. B answers
 *   {@code HandoffAccept}.</li>
 *   <li>With both answers (or when A's answer times out: A is presumed dead and the cache is used) Atlas commits:
 *   epoch e + 1, owner B; B gets {@code HandoffCommit} (new epoch, last delivered input sequence = the final last
 *   applied one), then {@code EntityStreamIn} with the final state, then every buffered input with a sequence above
 *   it, in order, once. Inputs at or below it are in the final state; inputs above it never reached A. Any later
 *   write from A at epoch e is stale: rejected, counted, and A is told.</li>
 * </ol>
 *
 * <h2>Failover</h2>
 * {@code LoadReport} (or {@code ServerHeartbeat}) is the heartbeat. A server silent for the heartbeat timeout, or
 * whose control stream is back-pressured, is declared dead: its egress publication is closed, each of its territories
 * is granted (new territory epoch) to the surviving server with the fewest territories, handoffs from it commit from
 * the cache, handoffs to it are abandoned, and every entity it owned is streamed in from the cache to the new
 * authority at epoch + 1 with the retained inputs above the cached last applied sequence replayed (the cache state
 * and that sequence belong together, so the replay is consistent). Inputs lost are only those that overflowed the
 * ring ({@code input-buffer}, counted). Clients stay connected: they see a short gap in updates.
 * Silence counts only while the layer itself runs: when two polls of server ingress are more than a quarter of the
 * heartbeat timeout apart (the whole process was paused or starved, game servers with it), silence is measured
 * from the later poll, so a pause of the process never makes every server look dead at once.
 * The layer's side of liveness: every welcomed server gets a {@code ServerHeartbeat} each heartbeat interval (a fifth
 * of the timeout), so a server link tells a dead or restarted layer from a quiet one and rejoins.
 * A server that comes back with the same id is welcomed again but, in static mode, stays empty: its territories stay
 * with the survivors (moving them back is dynamic meshing's job), unless a territory has no server at all.
 *
 * <h2>Rejoin: inputs a server already applied</h2>
 * A server whose link gave the layer up (it heard nothing for its layer timeout) says hello again; its new session
 * replaces the live one and gets its entities streamed in again. It may have applied inputs it had not yet written
 * back, so the cache's last applied input lags behind them. Atlas therefore keeps, per player entity, a claim: the
 * server session that has every input up to a sequence (given in a stream-in baseline, or forwarded to it). The
 * baseline of a stream-in (and of a handoff commit) is the cache's last applied input or, if higher, the claim of
 * the same session or of the live session it replaced; inputs above it are replayed once. Inputs forwarded to
 * another server, or to a session that was declared dead, are never claimed for the new authority: they are
 * replayed (the state they went into died with that server). A forward is claimed only once the server has sent
 * anything on the session after its welcome (a link whose hello attempt timed out ignores that attempt's welcome
 * and drops what follows it), and only while the layer's egress to
 * the session had no gap longer than two heartbeat intervals: a link gives the layer up only after hearing nothing
 * for three, so before such a gap everything forwarded reached its simulation, while after one the link may already
 * have dropped the session; those forwards are claimed again only once the server confirms one of them in a state
 * write. Residual: on UDP a forward delayed in the network past the link's timeout can still be dropped unclaimed.
 *
 * <h2>Views</h2>
 * Every tick each server is sent read-only views of entities near its territories ({@link ServerViews}).
 *
 * <h2>Placement</h2>
 * Atlas runs on the Replicant's duty cycle (single writer of the entity cache) but talks to servers only through SBE
 * messages and to the cache only through the {@link EntityStore} API, so it can later move to an agent (or a
 * replicated process) of its own, with the cache updates becoming messages too.
 * <p>
 * Threading: Replicant thread only. Zero allocation per input, per state write and per tick in steady state;
 * connections, joins and territory changes are the control path.
 */
public final class Atlas
{
    /**
     * Entity ids created by servers live in [2^41, ...): a block of {@link #ENTITY_ID_BLOCK} ids per server id.
     */
    public static final long SERVER_ENTITY_ID_BASE = EntityIdSpace.SERVER_BLOCK_BASE;
    public static final long ENTITY_ID_BLOCK = EntityIdSpace.SERVER_BLOCK_SIZE;
    public static final int ARCHETYPE_PLAYER = Archetypes.PLAYER;
    static final int NO_SERVER = -1;
    private static final long MM_PER_M = 1000;

    private final ShardConfig config;
    private final EntityStore store;
    private final Counter[] counters;
    private final ServerEgressProxy proxy;
    private final ServerConnection[] connections;
    private final int[] territoryServer;
    private final long[] territoryEpoch;
    private final Long2LongHashMap zoneTerritory = new Long2LongHashMap(ShardConfig.NO_TERRITORY);
    private final boolean hasZoneTerritories;
    private final long handoffTimeoutNs;
    private final long viewMarginMm;
    private final long hysteresisMm;

    final int[] owner;
    final long[] trackedCreatedSeq;
    final int[] handoffTarget;
    private final long[] handoffId;
    private final long[] handoffDeadlineNs;
    final boolean[] handoffReleased;
    final boolean[] handoffAccepted;
    private final IntArrayList inFlight = new IntArrayList();
    private final IntArrayList heldTerritories = new IntArrayList();

    final InputForwarding inputs;
    private final ServerViews views;
    private final ServerWrites writes;
    private final ServerLiveness liveness;

    private long nowNs;
    private long tick;
    private long nextHandoffId;
    private int topSlot;
    private long handoffsCommitted;
    private long routeEpoch;

    public Atlas(final ShardConfig config, final EntityStore store, final Counter[] counters,
        final ServerEgressProxy proxy)
    {
        this.config = config;
        this.store = store;
        this.counters = counters;
        this.proxy = proxy;
        final int[] serverIds = config.serverIds();
        connections = new ServerConnection[serverIds.length];
        for (int i = 0; i < serverIds.length; i++)
        {
            connections[i] = new ServerConnection(i, serverIds[i], store.capacity());
        }
        territoryServer = new int[config.territoryCount()];
        territoryEpoch = new long[config.territoryCount()];
        Arrays.fill(territoryServer, NO_SERVER);
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
        final long heartbeatTimeoutNs = config.heartbeatTimeoutMs() * 1_000_000L;
        final long heartbeatIntervalNs = Math.max(1, config.heartbeatTimeoutMs() / 5) * 1_000_000L;
        handoffTimeoutNs = config.handoffTimeoutMs() * 1_000_000L;
        viewMarginMm = Math.round(config.viewMarginM() * MM_PER_M);
        hysteresisMm = Math.round(config.handoffHysteresisM() * MM_PER_M);
        proxy.claimGapNs(2 * heartbeatIntervalNs);

        final int capacity = store.capacity();
        owner = new int[capacity];
        trackedCreatedSeq = new long[capacity];
        handoffTarget = new int[capacity];
        handoffId = new long[capacity];
        handoffDeadlineNs = new long[capacity];
        handoffReleased = new boolean[capacity];
        handoffAccepted = new boolean[capacity];
        Arrays.fill(owner, NO_SERVER);
        Arrays.fill(trackedCreatedSeq, -1);
        Arrays.fill(handoffTarget, NO_SERVER);
        inputs = new InputForwarding(config.inputBuffer(), proxy, counters);
        views = new ServerViews(config, store, proxy, connections, owner, territoryServer, viewMarginMm);
        writes = new ServerWrites(this, store, proxy, counters);
        liveness = new ServerLiveness(this, connections, proxy, heartbeatTimeoutNs, heartbeatIntervalNs);
    }

    // ------------------------------------------------------------------ queries (tests, status)

    public ShardConfig config()
    {
        return config;
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
     * @return server id of the entity's authority, or 0 if it has none (or is unknown).
     */
    public int authorityOf(final long entityId)
    {
        final int slot = store.slotOf(entityId);
        if (EntityStore.NULL_SLOT == slot || trackedCreatedSeq[slot] != store.createdSeq(slot) ||
            NO_SERVER == owner[slot])
        {
            return 0;
        }
        return connections[owner[slot]].serverId;
    }

    /**
     * @return true if a handoff of the entity is in flight.
     */
    public boolean isHandingOff(final long entityId)
    {
        final int slot = store.slotOf(entityId);
        return EntityStore.NULL_SLOT != slot && NO_SERVER != handoffTarget[slot];
    }

    /**
     * @return server id currently assigned a territory (by index), or 0.
     */
    public int territoryServerId(final int territoryIndex)
    {
        final int index = territoryServer[territoryIndex];
        return NO_SERVER == index ? 0 : connections[index].serverId;
    }

    public long handoffsCommitted()
    {
        return handoffsCommitted;
    }

    public int handoffsInFlight()
    {
        return inFlight.size();
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
     * A player joined: create its entity at the spawn point and stream it to its territory's server (epoch 1).
     */
    public void onPlayerJoined(final long playerEntityId, final long nowNs)
    {
        this.nowNs = nowNs;
        proxy.nowNs(nowNs);
        inputs.open(playerEntityId);
        int slot = store.slotOf(playerEntityId);
        if (EntityStore.NULL_SLOT == slot)
        {
            slot = store.create(playerEntityId, ARCHETYPE_PLAYER, playerEntityId, 0, false);
            if (slot < 0)
            {
                increment(OrreryCounter.ERRORS);
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
        track(slot);
        assignIfPossible(slot);
    }

    /**
     * A player left: its entity is removed and its authority told.
     */
    public void onPlayerLeft(final long playerEntityId, final long nowNs)
    {
        this.nowNs = nowNs;
        proxy.nowNs(nowNs);
        inputs.close(playerEntityId);
        final int slot = store.slotOf(playerEntityId);
        if (EntityStore.NULL_SLOT != slot)
        {
            removeEntity(slot);
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
     * connected (then input stays in the ring until a commit or reassignment replays it). Sets {@link #routeEpoch()}.
     *
     * @return the authority's connection, or null.
     */
    ServerConnection routeOf(final long entityId)
    {
        final int slot = store.slotOf(entityId);
        if (EntityStore.NULL_SLOT == slot || NO_SERVER == owner[slot] || NO_SERVER != handoffTarget[slot] ||
            !connections[owner[slot]].isActive())
        {
            return null;
        }
        routeEpoch = store.authorityEpoch(slot);
        return connections[owner[slot]];
    }

    /**
     * @return the authority epoch of the last entity {@link #routeOf(long)} found a route for.
     */
    long routeEpoch()
    {
        return routeEpoch;
    }

    /**
     * Every duty cycle: forward input that back-pressure held back.
     *
     * @return work done.
     */
    int retryInputs()
    {
        return inputs.retry(this);
    }

    // ------------------------------------------------------------------ tick

    /**
     * Once per Replicant tick, before the interest engine: heartbeats, handoff timeouts, territory crossings, views.
     *
     * @return work done.
     */
    public int onTick(final long nowNs, final long tick)
    {
        this.nowNs = nowNs;
        proxy.nowNs(nowNs);
        this.tick = tick;
        int work = liveness.checkSilence(nowNs);
        work += checkHandoffTimeouts();
        work += scanTerritories();
        work += liveness.sendHeartbeats(nowNs);
        for (final ServerConnection connection : connections)
        {
            // views wait while the server is behind: deltas resume from what it last got
            if (connection.isActive() && proxy.hasRoomForBulk(connection))
            {
                work += views.send(connection, tick, nowNs);
            }
        }
        updateCounters();
        return work;
    }

    private int checkHandoffTimeouts()
    {
        int work = 0;
        for (int i = inFlight.size() - 1; i >= 0; i--)
        {
            if (i >= inFlight.size())
            {
                continue;
            }
            final int slot = inFlight.getInt(i);
            if (nowNs - handoffDeadlineNs[slot] >= 0)
            {
                if (!handoffReleased[slot])
                {
                    increment(OrreryCounter.HANDOFFS_TIMED_OUT);
                }
                commit(slot);
                work++;
            }
        }
        return work;
    }

    /**
     * Find entities that are untracked, orphaned, or in a territory of another server than their authority.
     */
    private int scanTerritories()
    {
        int work = 0;
        for (int i = 0, n = store.size(); i < n; i++)
        {
            final int slot = store.activeSlot(i);
            if (trackedCreatedSeq[slot] != store.createdSeq(slot))
            {
                track(slot);
            }
            if (NO_SERVER != handoffTarget[slot])
            {
                continue;
            }
            final int territory = territoryOf(slot);
            if (ShardConfig.NO_TERRITORY == territory)
            {
                continue;
            }
            final int target = territoryServer[territory];
            final int current = owner[slot];
            if (NO_SERVER == target || target == current || !connections[target].isActive())
            {
                continue;
            }
            if (NO_SERVER == current)
            {
                reassign(slot, target, territory);
                work++;
            }
            else if (0 == hysteresisMm || config.territory(territory).isZone() ||
                config.territory(territory).depthInside(
                store.positionX(topSlot), store.positionY(topSlot), store.positionZ(topSlot)) >= hysteresisMm)
            {
                startHandoff(slot, current, target, territory);
                work++;
            }
        }
        return work;
    }

    /**
     * @return the territory index deciding the entity's authority; sets {@link #topSlot} to its top-level ancestor.
     */
    private int territoryOf(final int slot)
    {
        int s = slot;
        int top = slot;
        while (EntityStore.NULL_SLOT != s)
        {
            if (hasZoneTerritories && store.isZone(s))
            {
                final int territory = (int)zoneTerritory.get(store.entityId(s));
                if (ShardConfig.NO_TERRITORY != territory)
                {
                    topSlot = s;
                    return territory;
                }
            }
            top = s;
            s = store.parentSlot(s);
        }
        topSlot = top;
        return config.territoryIndexAt(store.positionX(top), store.positionY(top), store.positionZ(top));
    }

    void track(final int slot)
    {
        trackedCreatedSeq[slot] = store.createdSeq(slot);
        owner[slot] = NO_SERVER;
        clearHandoff(slot);
    }

    void assignIfPossible(final int slot)
    {
        final int territory = territoryOf(slot);
        if (ShardConfig.NO_TERRITORY != territory)
        {
            final int target = territoryServer[territory];
            if (NO_SERVER != target && connections[target].isActive() && owner[slot] != target)
            {
                reassign(slot, target, territory);
            }
        }
    }

    // ------------------------------------------------------------------ handoff

    private void startHandoff(final int slot, final int from, final int to, final int territory)
    {
        final long entityId = store.entityId(slot);
        final long newEpoch = store.authorityEpoch(slot) + 1;
        final long id = ++nextHandoffId;
        handoffTarget[slot] = to;
        handoffId[slot] = id;
        handoffDeadlineNs[slot] = nowNs + handoffTimeoutNs;
        handoffReleased[slot] = false;
        handoffAccepted[slot] = false;
        inFlight.addInt(slot);
        increment(OrreryCounter.HANDOFFS_STARTED);

        final ServerConnection a = connections[from];
        final ServerConnection b = connections[to];
        final int territoryId = config.territory(territory).id;
        if (!proxy.handoffPrepare(a, id, entityId, a.serverId, b.serverId, territoryId, newEpoch))
        {
            onControlFailure(a);
        }
        if (!proxy.handoffPrepare(b, id, entityId, a.serverId, b.serverId, territoryId, newEpoch))
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

    /**
     * The releasing server's final state of entities being handed over ({@link ServerWrites}).
     */
    void onStreamOut(final ServerConnection sender, final EntityStreamOutDecoder streamOut)
    {
        writes.onStreamOut(sender, streamOut);
    }

    void onHandoffAccept(final ServerConnection sender, final long id, final long entityId)
    {
        final int slot = store.slotOf(entityId);
        if (EntityStore.NULL_SLOT != slot && handoffTarget[slot] == sender.index && handoffId[slot] == id)
        {
            handoffAccepted[slot] = true;
            if (handoffReleased[slot])
            {
                commit(slot);
            }
        }
    }

    void commit(final int slot)
    {
        final int from = owner[slot];
        final int to = handoffTarget[slot];
        final long id = handoffId[slot];
        removeInFlight(slot);
        clearHandoff(slot);
        final ServerConnection b = connections[to];
        if (!b.isActive())
        {
            setOwner(slot, NO_SERVER);
            return;
        }
        final long newEpoch = store.authorityEpoch(slot) + 1;
        final InputRing ring = inputs.ring(store.entityId(slot));
        final long baseline = inputs.baseline(ring, store.lastAppliedInputSequence(slot), b);
        store.authorityEpoch(slot, newEpoch);
        setOwner(slot, to);
        handoffsCommitted++;
        increment(OrreryCounter.HANDOFFS_COMMITTED);
        final int fromServerId = NO_SERVER == from ? 0 : connections[from].serverId;
        if (!proxy.handoffCommit(b, id, store.entityId(slot), fromServerId, b.serverId, newEpoch, baseline))
        {
            onControlFailure(b);
        }
        streamInAndReplay(slot, b, 0, newEpoch, ring, baseline);
    }

    /**
     * Make {@code to} the authority at epoch + 1, stream the cached state in, replay retained inputs.
     */
    private void reassign(final int slot, final int to, final int territory)
    {
        final long newEpoch = store.authorityEpoch(slot) + 1;
        store.authorityEpoch(slot, newEpoch);
        if (NO_SERVER != owner[slot])
        {
            increment(OrreryCounter.ENTITIES_REASSIGNED);
        }
        setOwner(slot, to);
        final ServerConnection connection = connections[to];
        final InputRing ring = inputs.ring(store.entityId(slot));
        final long baseline = inputs.baseline(ring, store.lastAppliedInputSequence(slot), connection);
        streamInAndReplay(slot, connection, config.territory(territory).id, newEpoch, ring, baseline);
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

    private void clearHandoff(final int slot)
    {
        handoffTarget[slot] = NO_SERVER;
        handoffId[slot] = 0;
        handoffReleased[slot] = false;
        handoffAccepted[slot] = false;
    }

    private void removeInFlight(final int slot)
    {
        final int index = inFlight.indexOf(slot);
        if (index >= 0)
        {
            inFlight.fastUnorderedRemove(index);
        }
    }

    private void setOwner(final int slot, final int index)
    {
        final int previous = owner[slot];
        if (NO_SERVER != previous)
        {
            connections[previous].entityCount--;
        }
        owner[slot] = index;
        if (NO_SERVER != index)
        {
            connections[index].entityCount++;
        }
    }

    /**
     * Take an entity out of the world for the Replication Layer (stowed, streamed out): its authority (and a handoff
     * target) is told to evict it, then it leaves the cache with the reason.
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

    void removeEntity(final int slot)
    {
        removeEntity(slot, io.orrery.wire.codec.DespawnReason.destroyed.value());
    }

    private void removeEntity(final int slot, final short despawnReason)
    {
        final long entityId = store.entityId(slot);
        final long epoch = store.authorityEpoch(slot);
        if (trackedCreatedSeq[slot] == store.createdSeq(slot))
        {
            final int current = owner[slot];
            if (NO_SERVER != current && connections[current].isActive() &&
                !proxy.evict(connections[current], entityId, epoch, despawnReason))
            {
                onControlFailure(connections[current]);
            }
            final int target = handoffTarget[slot];
            if (NO_SERVER != target)
            {
                removeInFlight(slot);
                if (connections[target].isActive() &&
                    !proxy.evict(connections[target], entityId, epoch, despawnReason))
                {
                    onControlFailure(connections[target]);
                }
            }
            clearHandoff(slot);
            setOwner(slot, NO_SERVER);
        }
        trackedCreatedSeq[slot] = -1;
        store.remove(entityId, despawnReason);
    }

    // ------------------------------------------------------------------ server writes (see ServerWrites)

    void onStateBatch(final ServerConnection sender, final EntityStateBatchDecoder batch)
    {
        writes.onStateBatch(sender, batch);
    }

    void onCreate(final ServerConnection sender, final EntityCreateRequestDecoder create)
    {
        writes.onCreate(sender, create);
    }

    void onDestroy(final ServerConnection sender, final long entityId, final long epoch)
    {
        writes.onDestroy(sender, entityId, epoch);
    }

    // ------------------------------------------------------------------ liveness (see ServerLiveness)

    /**
     * How long a welcomed session may stay silent before the server's first message (default and minimum: the
     * heartbeat timeout); the layer uses its publication connect timeout.
     */
    void welcomeTimeoutNs(final long welcomeTimeoutNs)
    {
        liveness.welcomeTimeoutNs(welcomeTimeoutNs);
    }

    void onHeartbeat(final ServerConnection sender, final int entityCount, final float cpuLoad)
    {
        liveness.onHeartbeat(sender, nowNs, entityCount, cpuLoad);
    }

    /**
     * The server ingress is polled at {@code nowNs}.
     */
    void nowNs(final long nowNs)
    {
        liveness.onPoll(nowNs);
        this.nowNs = nowNs;
        proxy.nowNs(nowNs);
    }

    void ingressCaughtUp(final boolean caughtUp)
    {
        liveness.ingressCaughtUp(caughtUp);
    }

    int reapBroken()
    {
        return liveness.reapBroken();
    }

    // ------------------------------------------------------------------ connections

    /**
     * A server was welcomed: grant it its configured territories that have no server, and stream their entities in.
     */
    void onServerWelcomed(final ServerConnection connection)
    {
        connection.lastHeartbeatNs = nowNs;
        updateCounters();
        for (int t = 0; t < territoryServer.length; t++)
        {
            if (NO_SERVER == territoryServer[t] && config.territory(t).serverId == connection.serverId)
            {
                grant(t, connection);
            }
        }
        scanTerritories();
    }

    private void grant(final int territory, final ServerConnection connection)
    {
        territoryServer[territory] = connection.index;
        territoryEpoch[territory]++;
        connection.territoryCount++;
        if (!proxy.territoryGrant(connection, config.territory(territory), territoryEpoch[territory]))
        {
            onControlFailure(connection);
        }
    }

    /**
     * Declare a server dead (or gone): close it and fail its territories and entities over to the survivors.
     */
    void declareDead(final ServerConnection dead, final RevokeReason reason)
    {
        if (!dead.isActive())
        {
            return;
        }
        increment(OrreryCounter.SERVER_FAILOVERS);
        retire(dead, true);
        dead.resetSession();
        scanTerritories();
    }

    /**
     * A new connection of a configured server was welcomed and its publication is connected: it becomes the
     * server's connection. If the server was connected, the live session is retired only now (its publication
     * closed, its handoffs settled from the cache) and its territories and entities go to the new session (new
     * territory epochs, entities streamed in at epoch + 1 with retained inputs replayed), so a replacement that never
     * connects leaves the live server untouched, and one that does loses no player. Control path.
     *
     * @param connection the server's configured connection.
     * @param candidate  the welcomed connection whose publication and session are taken over.
     */
    void onServerWelcomed(final ServerConnection connection, final ServerConnection candidate)
    {
        heldTerritories.clear();
        final long replacedSessionId = connection.isActive() ? connection.serverSessionId : 0;
        if (connection.isActive())
        {
            for (int t = 0; t < territoryServer.length; t++)
            {
                if (territoryServer[t] == connection.index)
                {
                    heldTerritories.addInt(t);
                }
            }
            retire(connection, false);
            increment(OrreryCounter.SERVER_REPLACEMENTS);
        }
        connection.resetSession();
        connection.imageSessionId = candidate.imageSessionId;
        connection.serverSessionId = candidate.serverSessionId;
        connection.helloNonce = candidate.helloNonce;
        connection.registrationId = candidate.registrationId;
        connection.publication = candidate.publication;
        connection.connectedNs = nowNs;
        connection.replacedSessionId = replacedSessionId;
        connection.lastOfferOkNs = nowNs;
        connection.state = ServerConnection.State.ACTIVE;
        candidate.publication = null;
        candidate.state = ServerConnection.State.NONE;
        for (int i = 0, n = heldTerritories.size(); i < n; i++)
        {
            final int t = heldTerritories.getInt(i);
            if (NO_SERVER == territoryServer[t])
            {
                grant(t, connection);
            }
        }
        onServerWelcomed(connection);
    }

    /**
     * Close a server's session: handoffs from it commit from the cache, handoffs to it are abandoned, its entities
     * become orphans, its territories are freed and, with {@code failOver}, granted to the survivors.
     */
    private void retire(final ServerConnection dead, final boolean failOver)
    {
        dead.state = ServerConnection.State.NONE;
        org.agrona.CloseHelper.quietClose(dead.publication);
        dead.publication = null;
        dead.broken = false;
        updateCounters();

        for (int i = inFlight.size() - 1; i >= 0; i--)
        {
            if (i >= inFlight.size())
            {
                continue;
            }
            final int slot = inFlight.getInt(i);
            if (owner[slot] == dead.index)
            {
                increment(OrreryCounter.HANDOFFS_TIMED_OUT);
                commit(slot);
            }
            else if (handoffTarget[slot] == dead.index)
            {
                removeInFlight(slot);
                final boolean released = handoffReleased[slot];
                clearHandoff(slot);
                if (released)
                {
                    setOwner(slot, NO_SERVER);
                }
            }
        }
        for (int i = 0, n = store.size(); i < n; i++)
        {
            final int slot = store.activeSlot(i);
            if (owner[slot] == dead.index)
            {
                setOwner(slot, NO_SERVER); // the scan streams it in to its territory's new server
                increment(OrreryCounter.ENTITIES_REASSIGNED);
            }
        }
        for (int t = 0; t < territoryServer.length; t++)
        {
            if (territoryServer[t] == dead.index)
            {
                territoryServer[t] = NO_SERVER;
                dead.territoryCount--;
                final ServerConnection survivor = failOver ? leastLoadedSurvivor() : null;
                if (null != survivor)
                {
                    grant(t, survivor);
                }
            }
        }
    }

    boolean isKnownServer(final int serverId)
    {
        return null != connectionOf(serverId);
    }

    private ServerConnection leastLoadedSurvivor()
    {
        ServerConnection best = null;
        for (final ServerConnection connection : connections)
        {
            if (connection.isActive() && (null == best || connection.territoryCount < best.territoryCount ||
                (connection.territoryCount == best.territoryCount && connection.entityCount < best.entityCount)))
            {
                best = connection;
            }
        }
        return best;
    }

    void onControlFailure(final ServerConnection connection)
    {
        increment(OrreryCounter.SERVER_EGRESS_BACK_PRESSURE);
        connection.broken = true;
    }

    // ------------------------------------------------------------------ helpers

    /**
     * The first id of a server's block above every id of that block the cache holds: a server that restarts, or
     * joins a shard restored from its store, must not mint ids its earlier incarnation already gave to entities
     * that still exist. (Entities of the block streamed out by OCS are not in the cache and are not seen here.)
     * Control path: scans the cache.
     */
    public long firstFreeEntityId(final int serverId)
    {
        final long base = entityIdBase(serverId);
        final long limit = base + ENTITY_ID_BLOCK;
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

    /**
     * @return the first entity id of a server's block.
     */
    public static long entityIdBase(final int serverId)
    {
        return SERVER_ENTITY_ID_BASE + ((long)serverId << 28);
    }

    private void updateCounters()
    {
        int connected = 0;
        for (final ServerConnection connection : connections)
        {
            connected += connection.isActive() ? 1 : 0;
        }
        counters[OrreryCounter.SERVERS_CONNECTED.id()].setOrdered(connected);
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
