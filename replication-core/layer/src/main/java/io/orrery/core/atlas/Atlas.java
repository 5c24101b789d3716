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
import io.orrery.wire.codec.EntityDestroyRequestDecoder;
import io.orrery.wire.codec.EntityStateBatchDecoder;
import io.orrery.wire.codec.EntityStreamOutDecoder;
import io.orrery.wire.codec.PlayerInputDecoder;
import io.orrery.wire.codec.RejectReason;
import io.orrery.wire.codec.RevokeReason;
import org.agrona.collections.IntArrayList;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
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
 * <h2>Views</h2>
 * Every tick each server is sent read-only views of entities it does not own within {@code view-margin} of its box
 * territories ({@code ClientViewBatch}: full view on entry, changed fields after, removals). Cost: entities x
 * territories per tick, no allocation.
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
    private static final int WRITABLE_FIELDS = EntityStore.POSITION | EntityStore.VELOCITY |
        EntityStore.ORIENTATION | EntityStore.SIZE | EntityStore.PARENT_ZONE | EntityStore.COMPONENT_STATE |
        EntityStore.LAST_APPLIED_INPUT;

    private final ShardConfig config;
    private final EntityStore store;
    private final Counter[] counters;
    private final ServerEgressProxy proxy;
    private final ServerConnection[] connections;
    private final int[] territoryServer;
    private final long[] territoryEpoch;
    private final Long2LongHashMap zoneTerritory = new Long2LongHashMap(ShardConfig.NO_TERRITORY);
    private final boolean hasZoneTerritories;
    private final long heartbeatTimeoutNs;
    private final long heartbeatIntervalNs;
    private final long handoffTimeoutNs;
    private final long viewMarginMm;
    private final long hysteresisMm;

    private final int[] owner;
    private final long[] trackedCreatedSeq;
    private final int[] handoffTarget;
    private final long[] handoffId;
    private final long[] handoffDeadlineNs;
    private final boolean[] handoffReleased;
    private final boolean[] handoffAccepted;
    private final IntArrayList inFlight = new IntArrayList();
    private final IntArrayList heldTerritories = new IntArrayList();

    private final Long2ObjectHashMap<InputRing> rings = new Long2ObjectHashMap<>();
    private final ArrayList<InputRing> freeRings = new ArrayList<>();
    private final ArrayList<InputRing> undelivered = new ArrayList<>();
    private final UnsafeBuffer stateView = new UnsafeBuffer(0, 0);

    private long nowNs;
    private long tick;
    private long nextHandoffId;
    private int topSlot;
    private boolean ingressCaughtUp = true;
    private boolean polled;
    private long lastPollNs;
    private long resumedNs;
    private long handoffsCommitted;

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
        heartbeatTimeoutNs = config.heartbeatTimeoutMs() * 1_000_000L;
        heartbeatIntervalNs = Math.max(1, config.heartbeatTimeoutMs() / 5) * 1_000_000L;
        handoffTimeoutNs = config.handoffTimeoutMs() * 1_000_000L;
        viewMarginMm = Math.round(config.viewMarginM() * MM_PER_M);
        hysteresisMm = Math.round(config.handoffHysteresisM() * MM_PER_M);

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

    // ------------------------------------------------------------------ players

    /**
     * A player joined: create its entity at the spawn point and stream it to its territory's server (epoch 1).
     */
    public void onPlayerJoined(final long playerEntityId, final long nowNs)
    {
        this.nowNs = nowNs;
        InputRing ring = rings.get(playerEntityId);
        if (null == ring)
        {
            final int last = freeRings.size() - 1;
            ring = last >= 0 ? freeRings.remove(last) : new InputRing(config.inputBuffer());
            rings.put(playerEntityId, ring);
        }
        ring.reset(playerEntityId, playerEntityId);
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
        final InputRing ring = rings.remove(playerEntityId);
        if (null != ring)
        {
            freeRings.add(ring);
        }
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
        final long entityId = input.entityId();
        final InputRing ring = rings.get(entityId);
        if (null == ring)
        {
            return;
        }
        final long sequence = input.inputSequence();
        final long clientTimestampNs = input.clientTimestampNs();
        final float mx = input.move().x();
        final float my = input.move().y();
        final float mz = input.move().z();
        final float yaw = input.aimYaw();
        final float pitch = input.aimPitch();
        final int actions = (int)input.actions().getRaw();
        if (ring.add(sequence, clientTimestampNs, nowNs, mx, my, mz, yaw, pitch, actions))
        {
            increment(OrreryCounter.HANDOFF_INPUT_OVERFLOWS);
        }

        final int slot = store.slotOf(entityId);
        if (EntityStore.NULL_SLOT == slot || NO_SERVER == owner[slot] || NO_SERVER != handoffTarget[slot] ||
            !connections[owner[slot]].isActive())
        {
            increment(OrreryCounter.HANDOFF_INPUTS_BUFFERED);
            return;
        }
        if (!deliverPending(ring, connections[owner[slot]], store.authorityEpoch(slot)))
        {
            awaitDelivery(ring);
        }
    }

    /**
     * Forward every input of the ring above {@link InputRing#lastDelivered}, in order, stopping at the first offer
     * that is back-pressured. Input is the hot path: a full window (the consumer or the driver momentarily behind) is
     * not a dead server, so what was not taken stays in the ring and is retried next duty cycle
     * ({@link #retryInputs()}), still in order and still exactly once. A server that stays unable to take anything
     * stops heartbeating in effect and is failed over by the heartbeat timeout.
     *
     * @return true if everything was forwarded.
     */
    private boolean deliverPending(final InputRing ring, final ServerConnection to, final long epoch)
    {
        for (int i = 0; i < ring.count; i++)
        {
            final int index = ring.indexOf(i);
            final long sequence = ring.sequence[index];
            if (sequence > ring.lastDelivered)
            {
                if (!proxy.forwardedInput(to, ring.entityId, ring.playerId, epoch, sequence,
                    ring.clientTimestampNs[index], ring.receivedTimeNs[index], ring.moveX[index], ring.moveY[index],
                    ring.moveZ[index], ring.aimYaw[index], ring.aimPitch[index], ring.actions[index]))
                {
                    increment(OrreryCounter.SERVER_EGRESS_BACK_PRESSURE);
                    return false;
                }
                ring.lastDelivered = sequence;
            }
        }
        return true;
    }

    private void awaitDelivery(final InputRing ring)
    {
        if (!ring.awaitingDelivery)
        {
            ring.awaitingDelivery = true;
            undelivered.add(ring);
        }
    }

    /**
     * Every duty cycle: forward input that back-pressure held back. Rings whose entity is being handed over or has no
     * authority are dropped from the list: the commit or reassignment replays them from the ring.
     *
     * @return work done.
     */
    int retryInputs()
    {
        int work = 0;
        for (int i = undelivered.size() - 1; i >= 0; i--)
        {
            final InputRing ring = undelivered.get(i);
            final int slot = store.slotOf(ring.entityId);
            final boolean routable = ring.awaitingDelivery && EntityStore.NULL_SLOT != slot &&
                NO_SERVER != owner[slot] && NO_SERVER == handoffTarget[slot] && connections[owner[slot]].isActive();
            if (!routable || deliverPending(ring, connections[owner[slot]], store.authorityEpoch(slot)))
            {
                ring.awaitingDelivery = false;
                final int last = undelivered.size() - 1;
                undelivered.set(i, undelivered.get(last));
                undelivered.remove(last);
                work++;
            }
        }
        return work;
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
        this.tick = tick;
        int work = checkHeartbeats();
        work += checkHandoffTimeouts();
        work += scanTerritories();
        work += sendHeartbeats();
        for (final ServerConnection connection : connections)
        {
            // views wait while the server is behind: deltas resume from what it last got
            if (connection.isActive() && proxy.hasRoomForBulk(connection))
            {
                work += sendViews(connection);
            }
        }
        updateCounters();
        return work;
    }

    /**
     * Whether the last poll of server ingress read everything there was. Only then is a silent server presumed dead:
     * when the layer itself falls behind (a starved machine), heartbeats queued in ingress are not silence.
     */
    void ingressCaughtUp(final boolean caughtUp)
    {
        this.ingressCaughtUp = caughtUp;
    }

    private int checkHeartbeats()
    {
        if (!ingressCaughtUp)
        {
            return 0;
        }
        int work = 0;
        for (final ServerConnection connection : connections)
        {
            final long heardNs = connection.lastHeartbeatNs;
            final long silentSinceNs = heardNs - resumedNs > 0 ? heardNs : resumedNs;
            if (connection.isActive() && nowNs - silentSinceNs > heartbeatTimeoutNs)
            {
                declareDead(connection, RevokeReason.serverTimeout);
                work++;
            }
        }
        return work;
    }

    /**
     * The layer's side of liveness: every welcomed server hears from the layer at least every heartbeat interval
     * (a fifth of the heartbeat timeout, as announced in the welcome), so a server link detects a dead layer by
     * silence instead of waiting for the media driver to time the layer's Aeron client out (10 s by default).
     */
    private int sendHeartbeats()
    {
        int work = 0;
        for (final ServerConnection connection : connections)
        {
            if (connection.isActive() && nowNs - connection.lastHeartbeatSentNs >= heartbeatIntervalNs)
            {
                connection.lastHeartbeatSentNs = nowNs;
                proxy.heartbeat(connection, nowNs);
                work++;
            }
        }
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

    private void track(final int slot)
    {
        trackedCreatedSeq[slot] = store.createdSeq(slot);
        owner[slot] = NO_SERVER;
        clearHandoff(slot);
    }

    private void assignIfPossible(final int slot)
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
        boolean ok = proxy.appendStreamIn(store, slot, newEpoch);
        ok &= proxy.endStreamIn();
        if (!ok)
        {
            onControlFailure(b);
        }
    }

    /**
     * The releasing server's final state of entities being handed over.
     */
    void onStreamOut(final ServerConnection sender, final EntityStreamOutDecoder streamOut)
    {
        streamOut.territoryId();
        streamOut.epoch();
        for (final EntityStreamOutDecoder.EntitiesDecoder entity : streamOut.entities())
        {
            final long entityId = entity.entityId();
            entity.archetypeId();
            entity.ownerPlayerId();
            final long zone = entity.parentZoneId();
            final long x = entity.position().x();
            final long y = entity.position().y();
            final long z = entity.position().z();
            final float qx = entity.orientation().x();
            final float qy = entity.orientation().y();
            final float qz = entity.orientation().z();
            final float qw = entity.orientation().w();
            final float vx = entity.velocity().x();
            final float vy = entity.velocity().y();
            final float vz = entity.velocity().z();
            final float radius = entity.radius();
            final long epoch = entity.authorityEpoch();
            final long lastApplied = entity.lastAppliedInputSequence();

            final int slot = store.slotOf(entityId);
            if (EntityStore.NULL_SLOT == slot || NO_SERVER == handoffTarget[slot] || handoffReleased[slot] ||
                owner[slot] != sender.index || epoch != store.authorityEpoch(slot))
            {
                entity.skipComponentState();
                onRejectedWrite(sender, entityId, slot, epoch, EntityStreamOutDecoder.TEMPLATE_ID);
                continue;
            }
            entity.wrapComponentState(stateView);
            if (EntityStore.OK != store.parentZone(slot, zone))
            {
                increment(OrreryCounter.ERRORS);
            }
            store.position(slot, x, y, z);
            store.orientation(slot, qx, qy, qz, qw);
            store.velocity(slot, vx, vy, vz);
            store.radius(slot, radius);
            store.componentState(slot, stateView, 0, stateView.capacity());
            store.lastAppliedInputSequence(slot, lastApplied);
            handoffReleased[slot] = true;
            if (handoffAccepted[slot])
            {
                commit(slot);
            }
        }
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

    private void commit(final int slot)
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
        final long baseline = store.lastAppliedInputSequence(slot);
        store.authorityEpoch(slot, newEpoch);
        setOwner(slot, to);
        handoffsCommitted++;
        increment(OrreryCounter.HANDOFFS_COMMITTED);
        final int fromServerId = NO_SERVER == from ? 0 : connections[from].serverId;
        if (!proxy.handoffCommit(b, id, store.entityId(slot), fromServerId, b.serverId, newEpoch, baseline))
        {
            onControlFailure(b);
        }
        streamInAndReplay(slot, b, 0, newEpoch);
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
        streamInAndReplay(slot, connections[to], config.territory(territory).id, newEpoch);
    }

    private void streamInAndReplay(final int slot, final ServerConnection to, final int territoryId,
        final long epoch)
    {
        proxy.beginStreamIn(to, territoryId, epoch);
        boolean ok = proxy.appendStreamIn(store, slot, epoch);
        ok &= proxy.endStreamIn();
        if (!ok)
        {
            onControlFailure(to);
            return;
        }
        final InputRing ring = rings.get(store.entityId(slot));
        if (null == ring)
        {
            return;
        }
        final long baseline = store.lastAppliedInputSequence(slot);
        if (ring.maxOverwritten > baseline && ring.maxOverwritten > ring.lastDelivered)
        {
            increment(OrreryCounter.HANDOFF_INPUT_OVERFLOWS);
        }
        ring.lastDelivered = baseline;
        if (!deliverPending(ring, to, epoch))
        {
            awaitDelivery(ring);
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

    private void removeEntity(final int slot)
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

    // ------------------------------------------------------------------ server writes

    /**
     * Hot path: authoritative writes. Each entry is applied only if the sender is the entity's authority and the
     * entry's epoch is the current one.
     */
    void onStateBatch(final ServerConnection sender, final EntityStateBatchDecoder batch)
    {
        batch.serverId();
        batch.tick();
        batch.serverTimeNs();
        for (final EntityStateBatchDecoder.StatesDecoder entry : batch.states())
        {
            final long entityId = entry.entityId();
            final long epoch = entry.authorityEpoch();
            final int mask = entry.changed().getRaw() & WRITABLE_FIELDS;
            final long zone = entry.parentZoneId();
            final long x = entry.position().x();
            final long y = entry.position().y();
            final long z = entry.position().z();
            final float qx = entry.orientation().x();
            final float qy = entry.orientation().y();
            final float qz = entry.orientation().z();
            final float qw = entry.orientation().w();
            final float vx = entry.velocity().x();
            final float vy = entry.velocity().y();
            final float vz = entry.velocity().z();
            final float radius = entry.radius();
            final long lastApplied = entry.lastAppliedInputSequence();

            final int slot = store.slotOf(entityId);
            if (EntityStore.NULL_SLOT == slot || owner[slot] != sender.index || handoffReleased[slot] ||
                epoch != store.authorityEpoch(slot) || trackedCreatedSeq[slot] != store.createdSeq(slot))
            {
                entry.skipComponentState();
                onRejectedWrite(sender, entityId, slot, epoch, EntityStateBatchDecoder.TEMPLATE_ID);
                continue;
            }

            if (0 != (mask & EntityStore.PARENT_ZONE) && EntityStore.OK != store.parentZone(slot, zone))
            {
                increment(OrreryCounter.ERRORS);
            }
            if (0 != (mask & EntityStore.POSITION))
            {
                store.position(slot, x, y, z);
            }
            if (0 != (mask & EntityStore.ORIENTATION))
            {
                store.orientation(slot, qx, qy, qz, qw);
            }
            if (0 != (mask & EntityStore.VELOCITY))
            {
                store.velocity(slot, vx, vy, vz);
            }
            if (0 != (mask & EntityStore.SIZE))
            {
                store.radius(slot, radius);
            }
            if (0 != (mask & EntityStore.LAST_APPLIED_INPUT))
            {
                store.lastAppliedInputSequence(slot, lastApplied);
            }
            if (0 != (mask & EntityStore.COMPONENT_STATE))
            {
                entry.wrapComponentState(stateView);
                if (EntityStore.OK != store.componentState(slot, stateView, 0, stateView.capacity()))
                {
                    increment(OrreryCounter.ERRORS);
                }
            }
            else
            {
                entry.skipComponentState();
            }
        }
    }

    private void onRejectedWrite(
        final ServerConnection sender, final long entityId, final int slot, final long epoch, final int templateId)
    {
        final boolean stale = EntityStore.NULL_SLOT != slot &&
            (epoch < store.authorityEpoch(slot) || (handoffReleased[slot] && owner[slot] == sender.index));
        if (stale)
        {
            increment(OrreryCounter.STALE_EPOCH_WRITES);
            if (sender.lastStaleToldEntityId != entityId)
            {
                sender.lastStaleToldEntityId = entityId;
                if (!proxy.reject(sender, sender.serverId, RejectReason.staleEpoch, templateId, entityId, null))
                {
                    onControlFailure(sender);
                }
            }
        }
        else
        {
            increment(OrreryCounter.UNAUTHORISED_WRITES);
            if (sender.lastUnauthorisedToldEntityId != entityId)
            {
                sender.lastUnauthorisedToldEntityId = entityId;
                if (!proxy.reject(sender, sender.serverId, RejectReason.notAuthority, templateId, entityId, null))
                {
                    onControlFailure(sender);
                }
            }
        }
    }

    /**
     * A server creates an entity with an id from its block; the territory's server becomes its authority.
     */
    void onCreate(final ServerConnection sender, final EntityCreateRequestDecoder create)
    {
        create.serverId();
        final long entityId = create.entityId();
        final int archetypeId = create.archetypeId();
        final long ownerPlayerId = create.ownerPlayerId();
        final long zone = create.parentZoneId();
        final long x = create.position().x();
        final long y = create.position().y();
        final long z = create.position().z();
        final float qx = create.orientation().x();
        final float qy = create.orientation().y();
        final float qz = create.orientation().z();
        final float qw = create.orientation().w();
        final float vx = create.velocity().x();
        final float vy = create.velocity().y();
        final float vz = create.velocity().z();
        final float radius = create.radius();
        final boolean isZone = 1 == create.isZone();
        final long base = entityIdBase(sender.serverId);
        if (entityId < base || entityId >= base + ENTITY_ID_BLOCK)
        {
            create.skipComponentState();
            onRejectedWrite(sender, entityId, EntityStore.NULL_SLOT, 0, EntityCreateRequestDecoder.TEMPLATE_ID);
            return;
        }
        final int slot = store.create(entityId, archetypeId, ownerPlayerId, zone, isZone);
        if (slot < 0)
        {
            create.skipComponentState();
            increment(OrreryCounter.ERRORS);
            if (!proxy.reject(sender, sender.serverId, RejectReason.unspecified,
                EntityCreateRequestDecoder.TEMPLATE_ID, entityId, null))
            {
                onControlFailure(sender);
            }
            return;
        }
        create.wrapComponentState(stateView);
        store.position(slot, x, y, z);
        store.orientation(slot, qx, qy, qz, qw);
        store.velocity(slot, vx, vy, vz);
        store.radius(slot, radius);
        store.componentState(slot, stateView, 0, Math.min(stateView.capacity(), store.maxStateBytes()));
        track(slot);
        assignIfPossible(slot);
    }

    void onDestroy(final ServerConnection sender, final long entityId, final long epoch)
    {
        final int slot = store.slotOf(entityId);
        if (EntityStore.NULL_SLOT == slot || owner[slot] != sender.index || epoch != store.authorityEpoch(slot) ||
            handoffReleased[slot])
        {
            onRejectedWrite(sender, entityId, slot, epoch, EntityDestroyRequestDecoder.TEMPLATE_ID);
            return;
        }
        if (rings.containsKey(entityId) || store.isPinned(slot))
        {
            increment(OrreryCounter.UNAUTHORISED_WRITES);
            return;
        }
        owner[slot] = NO_SERVER;
        sender.entityCount--;
        removeEntity(slot);
    }

    void onHeartbeat(final ServerConnection sender, final int entityCount, final float cpuLoad)
    {
        sender.lastHeartbeatNs = nowNs;
        if (entityCount >= 0)
        {
            sender.reportedEntityCount = entityCount;
            sender.reportedCpuLoad = cpuLoad;
        }
    }

    void nowNs(final long nowNs)
    {
        if (!polled || nowNs - lastPollNs > heartbeatTimeoutNs >> 2)
        {
            polled = true;
            resumedNs = nowNs;
        }
        lastPollNs = nowNs;
        this.nowNs = nowNs;
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

    private void onControlFailure(final ServerConnection connection)
    {
        increment(OrreryCounter.SERVER_EGRESS_BACK_PRESSURE);
        connection.broken = true;
    }

    /**
     * Declare connections whose control stream failed dead. Called at the end of each duty cycle.
     */
    int reapBroken()
    {
        int work = 0;
        for (final ServerConnection connection : connections)
        {
            if (connection.broken)
            {
                connection.broken = false;
                declareDead(connection, RevokeReason.serverTimeout);
                work++;
            }
        }
        return work;
    }

    // ------------------------------------------------------------------ views

    private int sendViews(final ServerConnection connection)
    {
        final long[] next = connection.nextViewedIds.length >= store.size() ? connection.nextViewedIds :
            (connection.nextViewedIds = new long[Math.max(store.size(), connection.nextViewedIds.length * 2)]);
        int nextCount = 0;
        proxy.beginViews(connection, tick, nowNs);
        boolean ok = true;
        final long stamp = tick;
        for (int i = 0, n = store.size(); i < n; i++)
        {
            final int slot = store.activeSlot(i);
            final int current = owner[slot];
            if (current == connection.index || !isNearTerritoriesOf(connection, slot))
            {
                continue;
            }
            final long createdSeq = store.createdSeq(slot);
            final int mask = connection.viewCreatedSeq[slot] != createdSeq ? EntityStore.ALL_FIELDS :
                store.changedSince(slot, connection.viewSentSeq[slot]);
            if (0 != mask)
            {
                ok &= proxy.appendView(store, slot, NO_SERVER == current ? 0 : connections[current].serverId, mask);
            }
            connection.viewSentSeq[slot] = store.changeSeq();
            connection.viewCreatedSeq[slot] = createdSeq;
            connection.viewStampTick[slot] = stamp;
            next[nextCount++] = store.entityId(slot);
        }

        final long[] previous = connection.viewedIds;
        int removedCount = 0;
        for (int i = 0, n = connection.viewedCount; i < n; i++)
        {
            final long entityId = previous[i];
            final int slot = store.slotOf(entityId);
            if (EntityStore.NULL_SLOT == slot || connection.viewStampTick[slot] != stamp)
            {
                if (EntityStore.NULL_SLOT != slot)
                {
                    connection.viewCreatedSeq[slot] = -1;
                }
                previous[removedCount++] = entityId;
            }
        }
        ok &= proxy.endViews(previous, removedCount);
        connection.viewedIds = next;
        connection.nextViewedIds = previous;
        connection.viewedCount = nextCount;
        if (!ok)
        {
            connection.resetViews();
            final int length = connection.viewedIds.length;
            connection.viewedIds = new long[length];
        }
        return nextCount + removedCount;
    }

    private boolean isNearTerritoriesOf(final ServerConnection connection, final int slot)
    {
        final long x = store.worldX(slot);
        final long y = store.worldY(slot);
        final long z = store.worldZ(slot);
        for (int t = 0; t < territoryServer.length; t++)
        {
            if (territoryServer[t] == connection.index && config.territory(t).isNear(x, y, z, viewMarginMm))
            {
                return true;
            }
        }
        return false;
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
