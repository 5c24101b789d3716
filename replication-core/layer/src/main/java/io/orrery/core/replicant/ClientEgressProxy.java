/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant;

import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.orrery.core.common.ClientEgress;
import io.orrery.core.common.PublicationClientEgress;
import io.orrery.wire.CompactUpdates;
import io.orrery.wire.codec.DespawnReason;
import io.orrery.wire.codec.DisconnectEncoder;
import io.orrery.wire.codec.DisconnectReason;
import io.orrery.wire.codec.EntityDespawnEncoder;
import io.orrery.wire.codec.EntitySpawnEncoder;
import io.orrery.wire.codec.EntityUpdateBatchEncoder;
import io.orrery.wire.codec.EntityUpdatesCompactEncoder;
import io.orrery.wire.codec.HeartbeatEncoder;
import io.orrery.wire.codec.TimeDilationEncoder;
import io.orrery.wire.codec.MessageHeaderEncoder;
import org.HdrHistogram.Recorder;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Encodes what the interest engine decided for each client into SBE and offers it to the client's egress
 * publication. Spawns and despawns are one message each; updates are batched into messages of at most
 * {@link #MAX_BATCH_BYTES} and flushed at the end of each observer's tick.
 * <p>
 * <b>Compact updates</b> (the default): updates go out as {@code EntityUpdatesCompact}, packed entries named by a
 * short per-client handle that the spawn carries ({@code EntitySpawn.updateHandle}) and that is freed by the
 * despawn, carrying only changed fields as deltas against what this client was last sent
 * ({@link CompactUpdateWriter}, {@link CompactBaselines}, layout in {@link CompactUpdates}). A spawn that is not
 * delivered frees a handle it had just taken; a despawn that is not delivered keeps it. With compact updates off,
 * updates go out as fixed-size {@code EntityUpdateBatch} entries, as below.
 * <p>
 * <b>Several Replicants per shard:</b> every spawn, despawn and compact update frame carries this Replicant's id
 * ({@link #replicantId(int)}: clients keep one handle space and baseline per Replicant) and every spawn its owner
 * epoch ({@link #ownerEpoch(long)}); both 0 with one Replicant.
 * <p>
 * A client whose publication cannot take a tick is not waited on: {@link #beginTick} reports no capacity, the engine
 * drops that tick for it and later resynchronises it with fresh snapshots; the Replicant disconnects it once it has
 * lagged longer than the slow-consumer timeout.
 * <p>
 * <b>Update entries are encoded once per entity and tick.</b> An entry's fixed block (id, zone, transform, radius,
 * epoch, last applied input) is the same for every client that gets the entity in the same tick; only its changed
 * mask and whether component state follows differ. The first client to get an entity encodes its block into a
 * per-slot cache; the others copy those bytes and patch the mask. The cache is valid while the store's
 * {@link EntityStore#changeSeq()} stays the same (any write to the store invalidates all of it), so what goes on the
 * wire is byte for byte what encoding every entry would give.
 * <p>
 * Threading: one proxy per interest worker, called by the engine on that worker's thread during a tick for the
 * worker's own clients (its encoders, buffers and entry cache are its own; the session map is only read during a
 * tick); between ticks the Replicant's thread uses the first worker's proxy for heartbeats, notices and forwarded
 * messages. Zero allocation per message (the entry cache is allocated once, on the first update, sized by the
 * store's capacity).
 */
public final class ClientEgressProxy implements ObserverEgress
{
    /**
     * Largest update batch: well under the 8 KiB maximum message of a 64 KiB term.
     */
    public static final int MAX_BATCH_BYTES = 4096;
    static final int MAX_BATCH_ENTRIES = 1024;
    /**
     * Longest residence recorded exactly; longer ones are recorded as this.
     */
    public static final long MAX_RESIDENCE_NS = 10_000_000_000L;
    /**
     * A client whose publication window is below this (or below its budget, if smaller) is treated as
     * back-pressured for the tick.
     */
    public static final int MIN_WINDOW_BYTES = 2 * MAX_BATCH_BYTES;
    private static final int NUM_IN_GROUP_OFFSET = 2;
    private static final int ENTRY_BLOCK_LENGTH = EntityUpdateBatchEncoder.UpdatesEncoder.sbeBlockLength();
    private static final int ENTRY_CHANGED_OFFSET = EntityUpdateBatchEncoder.UpdatesEncoder.changedEncodingOffset();

    /**
     * Replicant-side state of one client session.
     */
    public static final class ClientObserver
    {
        final long sessionId;
        final long playerEntityId;
        final ClientEgress egress;
        final CompactBaselines baselines = new CompactBaselines();
        long laggingSinceNs;
        long lastSentNs;
        long bytesSent;
        /**
         * Time dilation (1/1000) the client was last told; sessions start at real time.
         */
        int timeDilationSentPerMille = 1000;

        /**
         * @param sessionId      the observer id given to the interest engine.
         * @param playerEntityId the entity the observer follows.
         * @param egress         the client's egress, owned by this observer from now on.
         * @param nowNs          clock at creation.
         */
        public ClientObserver(final long sessionId, final long playerEntityId, final ClientEgress egress,
            final long nowNs)
        {
            this.sessionId = sessionId;
            this.playerEntityId = playerEntityId;
            this.egress = egress;
            this.lastSentNs = nowNs;
        }

        /**
         * An observer writing the client's own egress publication, owned by this observer from now on.
         */
        public ClientObserver(final long sessionId, final long playerEntityId, final ExclusivePublication publication,
            final long nowNs)
        {
            this(sessionId, playerEntityId, new PublicationClientEgress(publication), nowNs);
        }

        public long sessionId()
        {
            return sessionId;
        }

        public long playerEntityId()
        {
            return playerEntityId;
        }

        public long laggingSinceNs()
        {
            return laggingSinceNs;
        }

        /**
         * @return the time dilation (1/1000) this client was last told.
         */
        public int timeDilationSentPerMille()
        {
            return timeDilationSentPerMille;
        }

        /**
         * @return bytes of messages this observer's publication accepted.
         */
        public long bytesSent()
        {
            return bytesSent;
        }

        /**
         * @return handles the client currently holds (entities spawned to it with a compact update handle).
         */
        public int handleCount()
        {
            return baselines.size();
        }
    }

    /**
     * Highest Replicant id a frame can carry ({@code uint8} on the wire).
     */
    public static final int MAX_REPLICANT_ID = 255;

    private static final int COMPACT_ENTRIES_OFFSET = MessageHeaderEncoder.ENCODED_LENGTH +
        EntityUpdatesCompactEncoder.BLOCK_LENGTH + EntityUpdatesCompactEncoder.entriesHeaderLength();

    private final Long2ObjectHashMap<ClientObserver> observers;
    private final int budgetBytesPerTick;
    private final boolean compact;
    private final EntityUpdatesCompactEncoder compactEncoder = new EntityUpdatesCompactEncoder();
    private final UnsafeBuffer compactBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(
        COMPACT_ENTRIES_OFFSET + CompactUpdates.MAX_ENTRY_BASE_LENGTH + 64 * 1024));
    private final CompactUpdateWriter compactWriter = new CompactUpdateWriter();
    private int compactPosition;
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final EntitySpawnEncoder spawnEncoder = new EntitySpawnEncoder();
    private final EntityUpdateBatchEncoder batchEncoder = new EntityUpdateBatchEncoder();
    private final EntityDespawnEncoder despawnEncoder = new EntityDespawnEncoder();
    private final HeartbeatEncoder heartbeatEncoder = new HeartbeatEncoder();
    private final TimeDilationEncoder timeDilationEncoder = new TimeDilationEncoder();
    private final DisconnectEncoder disconnectEncoder = new DisconnectEncoder();
    private final UnsafeBuffer messageBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024));
    private final UnsafeBuffer batchBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(MAX_BATCH_BYTES + 1024));

    private final MessageHeaderEncoder entryHeaderEncoder = new MessageHeaderEncoder();
    private final EntityUpdateBatchEncoder entryEncoder = new EntityUpdateBatchEncoder();
    private final UnsafeBuffer entryScratch = new UnsafeBuffer(new byte[256]);
    private EntityStore cachedStore;
    private long cachedChangeSeq;
    private long cacheEpoch;
    private long[] entryEpochs;
    private UnsafeBuffer entryCache;

    private short replicantId;
    private long ownerEpoch;
    private ClientObserver current;
    private long currentWindow;
    private long nowNs;
    private long tick;
    private int batchCount;
    private EntityUpdateBatchEncoder.UpdatesEncoder updates;

    private long bytesOut;
    private long wireBytesOut;
    private long updateEntriesSent;
    private long updateBytesOut;
    private long updateWireBytesOut;
    private long ticksDropped;

    // ---- residence of server state (issue 17 item 4): first state of the pass in -> this client's offers done.
    // One recorder for every interest worker's proxy (HdrHistogram's Recorder: many writers, wait-free, no
    // allocation per value), so the layer reports one distribution whatever the worker count.
    private Recorder stateResidence = new Recorder(MAX_RESIDENCE_NS, 2);
    private NanoClock clock = SystemNanoClock.INSTANCE;
    private long stateInNs = Long.MIN_VALUE;
    private boolean offeredThisTick;
    private NanoClock profileClock;
    private long offerNs;

    /**
     * A proxy sending compact updates.
     */
    public ClientEgressProxy(final Long2ObjectHashMap<ClientObserver> observers, final int budgetBytesPerTick)
    {
        this(observers, budgetBytesPerTick, true);
    }

    /**
     * @param compact true for {@code EntityUpdatesCompact}, false for {@code EntityUpdateBatch}; must match the
     *                engine's {@link InterestConfig#compactUpdates()}.
     */
    public ClientEgressProxy(
        final Long2ObjectHashMap<ClientObserver> observers, final int budgetBytesPerTick, final boolean compact)
    {
        this.observers = observers;
        this.budgetBytesPerTick = budgetBytesPerTick;
        this.compact = compact;
    }

    public boolean compact()
    {
        return compact;
    }

    /**
     * Where and by which clock this proxy records the residence of server state (default: its own recorder and the
     * system's clock). The interest workers' proxies of one Replicant share one recorder.
     */
    public ClientEgressProxy residence(final Recorder stateResidence, final NanoClock clock)
    {
        this.stateResidence = stateResidence;
        this.clock = clock;
        return this;
    }

    /**
     * The Replicant id this proxy stamps on every spawn, despawn and compact update frame (default 0: a shard with
     * one Replicant).
     *
     * @return this.
     */
    public ClientEgressProxy replicantId(final int replicantId)
    {
        if (replicantId < 0 || replicantId > MAX_REPLICANT_ID)
        {
            throw new IllegalArgumentException("replicantId must be in 0.." + MAX_REPLICANT_ID + ": " + replicantId);
        }
        this.replicantId = (short)replicantId;
        return this;
    }

    public int replicantId()
    {
        return replicantId;
    }

    /**
     * The owner epoch this proxy stamps on every spawn (default 0: a shard with one Replicant owns every entity at
     * epoch 0). Until Atlas hands entities between Replicants it is one value per Replicant; per entity it will come
     * from the entity cache (see README, "Several Replicants per shard").
     *
     * @return this.
     */
    public ClientEgressProxy ownerEpoch(final long ownerEpoch)
    {
        this.ownerEpoch = ownerEpoch;
        return this;
    }

    public long ownerEpoch()
    {
        return ownerEpoch;
    }

    /**
     * Time every offer of a pass's messages by this clock, for the {@link PassProfile} (null: off, the default).
     *
     * @return this.
     */
    public ClientEgressProxy profileClock(final NanoClock profileClock)
    {
        this.profileClock = profileClock;
        return this;
    }

    /**
     * @return with a profile clock, ns spent in the publications' offers of spawns, updates and despawns.
     */
    public long offerNs()
    {
        return offerNs;
    }

    /**
     * When the first server state the coming pass streams arrived, or {@code Long.MIN_VALUE} for none: each
     * client's {@link #endTick} after messages went out records the time from then in {@link #stateResidence()}.
     */
    public void stateInNs(final long stateInNs)
    {
        this.stateInNs = stateInNs;
    }

    /**
     * @return residence of server state in this layer, in nanoseconds: from its arrival to a client's publication
     * accepting the pass's last message for that client; one value per client and pass that sent something.
     */
    public Recorder stateResidence()
    {
        return stateResidence;
    }

    /**
     * Set the tick number stamped on update batches.
     */
    public void tick(final long tick)
    {
        this.tick = tick;
    }

    @Override
    public int beginTick(final long observerId, final long nowNs)
    {
        this.nowNs = nowNs;
        final ClientObserver observer = observers.get(observerId);
        current = observer;
        batchCount = 0;
        offeredThisTick = false;
        if (null == observer)
        {
            return 0;
        }

        final long window = observer.egress.isConnected() ? observer.egress.availableWindow() : 0;
        if (window < Math.min(budgetBytesPerTick, MIN_WINDOW_BYTES))
        {
            if (0 == observer.laggingSinceNs)
            {
                observer.laggingSinceNs = nowNs;
            }
            ticksDropped++;
            return 0;
        }
        observer.laggingSinceNs = 0;
        currentWindow = window;
        // Aeron adds a 32-byte frame header per message, aligned to 32 bytes: half the window always fits.
        return (int)Math.min(window >> 1, budgetBytesPerTick);
    }

    /**
     * {@inheritDoc}
     * <p>
     * Self-clocked by the client's reading: spawns may take half of what the window holds above the back-pressure
     * threshold ({@code min(budget, MIN_WINDOW_BYTES)}), so whatever spawns go out (frames of at most twice their
     * message bytes) leave the window at or above it: a snapshot alone can never make {@link #beginTick} find the
     * client back-pressured. A client that reads nothing gets no more of its snapshot until it reads.
     */
    @Override
    public int spawnCapacity(final long observerId)
    {
        return spawnCapacity(currentWindow, budgetBytesPerTick);
    }

    /**
     * @param window             the publication's available window.
     * @param budgetBytesPerTick the client's budget per tick.
     * @return bytes of spawns a client with this window may be sent (see {@link #spawnCapacity(long)}).
     */
    static int spawnCapacity(final long window, final int budgetBytesPerTick)
    {
        final long headroom = window - Math.min(budgetBytesPerTick, MIN_WINDOW_BYTES);
        return headroom <= 0 ? 0 : (int)Math.min(headroom >> 1, Integer.MAX_VALUE);
    }

    @Override
    public boolean onSpawn(final long observerId, final EntityStore store, final int slot)
    {
        return onSpawn(observerId, store, slot, NO_HANDLE) >= 0;
    }

    @Override
    public int onSpawn(final long observerId, final EntityStore store, final int slot, final int entryHandle)
    {
        if (batchCount > 0 && !flushBatch())
        {
            return SPAWN_FAILED;
        }
        final CompactBaselines baselines = current.baselines;
        int handle = entryHandle;
        boolean newHandle = false;
        if (compact && NO_HANDLE == handle)
        {
            handle = baselines.acquire();
            newHandle = true;
        }
        spawnEncoder.wrapAndApplyHeader(messageBuffer, 0, headerEncoder)
            .entityId(store.entityId(slot))
            .archetypeId(store.archetypeId(slot))
            .parentZoneId(store.parentZoneId(slot));
        spawnEncoder.position()
            .x(store.positionX(slot))
            .y(store.positionY(slot))
            .z(store.positionZ(slot));
        spawnEncoder.orientation()
            .x(store.orientationX(slot))
            .y(store.orientationY(slot))
            .z(store.orientationZ(slot))
            .w(store.orientationW(slot));
        spawnEncoder.velocity()
            .x(store.velocityX(slot))
            .y(store.velocityY(slot))
            .z(store.velocityZ(slot));
        spawnEncoder
            .radius(store.radius(slot))
            .authorityEpoch(store.authorityEpoch(slot))
            .lastAppliedInputSequence(store.lastAppliedInputSequence(slot))
            .serverTimeNs(nowNs)
            .updateHandle(compact ? handle : NO_HANDLE)
            .replicantId(replicantId)
            .ownerEpoch(0 != store.ownerEpoch(slot) ? store.ownerEpoch(slot) : ownerEpoch)
            .putComponentState(store.componentStateBuffer(), store.componentStateOffset(slot),
                store.componentStateLength(slot));
        if (!offer(messageBuffer, MessageHeaderEncoder.ENCODED_LENGTH + spawnEncoder.encodedLength()))
        {
            if (newHandle)
            {
                baselines.release(handle);
            }
            return SPAWN_FAILED;
        }
        if (compact)
        {
            compactWriter.onSpawned(baselines, handle, store, slot);
            return handle;
        }
        return 0;
    }

    @Override
    public boolean onUpdate(final long observerId, final EntityStore store, final int slot, final int changedMask)
    {
        return onUpdate(observerId, store, slot, NO_HANDLE, changedMask);
    }

    /**
     * {@inheritDoc} With compact updates an entry without a handle ({@link #NO_HANDLE}) cannot be named and is skipped.
     */
    @Override
    public boolean onUpdate(
        final long observerId, final EntityStore store, final int slot, final int handle, final int changedMask)
    {
        if (compact)
        {
            return handle < 0 || onCompactUpdate(store, slot, handle, changedMask);
        }
        final int stateLength = 0 != (changedMask & EntityStore.COMPONENT_STATE) ?
            store.componentStateLength(slot) : 0;
        if (batchCount > 0 && (batchCount == MAX_BATCH_ENTRIES ||
            batchLength() + EntityUpdateBatchEncoder.UpdatesEncoder.sbeBlockLength() + 2 + stateLength >
            MAX_BATCH_BYTES))
        {
            if (!flushBatch())
            {
                return false;
            }
        }
        if (0 == batchCount)
        {
            updates = batchEncoder.wrapAndApplyHeader(batchBuffer, 0, headerEncoder)
                .serverTimeNs(nowNs)
                .tick(tick)
                .updatesCount(MAX_BATCH_ENTRIES);
        }

        final EntityUpdateBatchEncoder.UpdatesEncoder entry = updates.next();
        final int changedOffset = entry.changed().offset();
        final int cacheOffset = cachedEntryOffset(store, slot);
        batchBuffer.putBytes(changedOffset - ENTRY_CHANGED_OFFSET, entryCache, cacheOffset, ENTRY_BLOCK_LENGTH);
        batchBuffer.putShort(changedOffset, (short)changedMask, ByteOrder.LITTLE_ENDIAN);
        entry.putComponentState(store.componentStateBuffer(), store.componentStateOffset(slot), stateLength);
        batchCount++;
        return true;
    }

    private boolean onCompactUpdate(final EntityStore store, final int slot, final int handle, final int changedMask)
    {
        final ClientObserver observer = current;
        final int stateLength = 0 != (changedMask & EntityStore.COMPONENT_STATE) ?
            store.componentStateLength(slot) : 0;
        if (batchCount > 0 && (batchCount == MAX_BATCH_ENTRIES ||
            compactPosition + CompactUpdates.MAX_ENTRY_BASE_LENGTH + stateLength > MAX_BATCH_BYTES))
        {
            if (!flushBatch())
            {
                return false;
            }
        }
        if (0 == batchCount)
        {
            compactPosition = COMPACT_ENTRIES_OFFSET;
        }
        final int end = compactWriter.writeEntry(compactBuffer, compactPosition, observer.baselines, handle, store,
            slot, changedMask, store.entityId(slot) == observer.playerEntityId);
        if (end != compactPosition)
        {
            compactPosition = end;
            batchCount++;
        }
        return true;
    }

    /**
     * @return offset in {@link #entryCache} of the slot's update entry block, encoded now if the store changed
     * since it was last encoded.
     */
    private int cachedEntryOffset(final EntityStore store, final int slot)
    {
        final long changeSeq = store.changeSeq();
        if (store != cachedStore)
        {
            cachedStore = store;
            entryEpochs = new long[store.capacity()];
            entryCache = new UnsafeBuffer(new byte[store.capacity() * ENTRY_BLOCK_LENGTH]);
            cachedChangeSeq = changeSeq;
            cacheEpoch = 1;
        }
        else if (changeSeq != cachedChangeSeq)
        {
            cachedChangeSeq = changeSeq;
            cacheEpoch++;
        }

        final int offset = slot * ENTRY_BLOCK_LENGTH;
        if (entryEpochs[slot] != cacheEpoch)
        {
            entryEpochs[slot] = cacheEpoch;
            final EntityUpdateBatchEncoder.UpdatesEncoder entry = entryEncoder
                .wrapAndApplyHeader(entryScratch, 0, entryHeaderEncoder)
                .serverTimeNs(0)
                .tick(0)
                .updatesCount(1)
                .next()
                .entityId(store.entityId(slot))
                .parentZoneId(store.parentZoneId(slot));
            final int entryOffset = entry.changed().offset() - ENTRY_CHANGED_OFFSET;
            entry.position()
                .x(store.positionX(slot))
                .y(store.positionY(slot))
                .z(store.positionZ(slot));
            entry.orientation()
                .x(store.orientationX(slot))
                .y(store.orientationY(slot))
                .z(store.orientationZ(slot))
                .w(store.orientationW(slot));
            entry.velocity()
                .x(store.velocityX(slot))
                .y(store.velocityY(slot))
                .z(store.velocityZ(slot));
            entry.radius(store.radius(slot))
                .authorityEpoch(store.authorityEpoch(slot))
                .lastAppliedInputSequence(store.lastAppliedInputSequence(slot));
            entryCache.putBytes(offset, entryScratch, entryOffset, ENTRY_BLOCK_LENGTH);
        }
        return offset;
    }

    @Override
    public boolean onDespawn(final long observerId, final long entityId, final short reason)
    {
        return onDespawn(observerId, entityId, NO_HANDLE, reason);
    }

    @Override
    public boolean onDespawn(final long observerId, final long entityId, final int handle, final short reason)
    {
        if (batchCount > 0 && !flushBatch())
        {
            return false;
        }
        despawnEncoder.wrapAndApplyHeader(messageBuffer, 0, headerEncoder)
            .entityId(entityId)
            .reason(DespawnReason.get(reason))
            .serverTimeNs(nowNs)
            .replicantId(replicantId);
        if (!offer(messageBuffer, MessageHeaderEncoder.ENCODED_LENGTH + despawnEncoder.encodedLength()))
        {
            return false;
        }
        if (compact && handle >= 0)
        {
            current.baselines.release(handle);
        }
        return true;
    }

    @Override
    public boolean endTick(final long observerId)
    {
        final boolean flushed = 0 == batchCount || flushBatch();
        if (offeredThisTick && Long.MIN_VALUE != stateInNs)
        {
            stateResidence.recordValue(Math.min(MAX_RESIDENCE_NS, Math.max(0, clock.nanoTime() - stateInNs)));
        }
        offeredThisTick = false;
        return flushed;
    }

    /**
     * Tell the client the time dilation of the server simulating its entity, if it differs from what it was last
     * told; a back-pressured offer is retried at the next call.
     *
     * @param perMille game time per real time in 1/1000, {@code 1..1000}.
     * @param serverId the server simulating the client's entity, 0 if none.
     * @return true if a message was sent.
     */
    public boolean timeDilationIfChanged(final ClientObserver observer, final int perMille, final int serverId)
    {
        if (perMille == observer.timeDilationSentPerMille)
        {
            return false;
        }
        timeDilationEncoder.wrapAndApplyHeader(messageBuffer, 0, headerEncoder)
            .timeDilationPerMille(perMille)
            .serverId(serverId);
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + timeDilationEncoder.encodedLength();
        if (observer.egress.offer(messageBuffer, 0, length) > 0)
        {
            observer.timeDilationSentPerMille = perMille;
            observer.bytesSent += length;
            return true;
        }
        return false;
    }

    /**
     * Send a heartbeat if nothing went to the client for {@code intervalNs}.
     */
    public void heartbeatIfIdle(final ClientObserver observer, final long nowNs, final long intervalNs)
    {
        if (nowNs - observer.lastSentNs >= intervalNs)
        {
            heartbeatEncoder.wrapAndApplyHeader(messageBuffer, 0, headerEncoder)
                .sessionId(observer.sessionId)
                .timestampNs(nowNs);
            if (observer.egress.offer(
                messageBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + heartbeatEncoder.encodedLength()) > 0)
            {
                observer.lastSentNs = nowNs;
            }
        }
    }

    /**
     * Best effort goodbye before the publication is closed.
     */
    public void disconnect(final ClientObserver observer, final DisconnectReason reason)
    {
        disconnectEncoder.wrapAndApplyHeader(messageBuffer, 0, headerEncoder)
            .sessionId(observer.sessionId)
            .reason(reason);
        observer.egress.offer(
            messageBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + disconnectEncoder.encodedLength());
    }

    /**
     * Send one already encoded message (a reject notice from the Gateway, an inventory result) to a client, retrying
     * once on a term rotation.
     *
     * @return the publication's result: positive if sent.
     */
    public long forward(final ClientObserver observer, final DirectBuffer buffer, final int offset, final int length)
    {
        return observer.egress.offer(buffer, offset, length);
    }

    public long bytesOut()
    {
        return bytesOut;
    }

    /**
     * @return bytes the messages counted in {@link #bytesOut()} took in the egress logs: each message's Aeron frame
     * header(s), alignment to 32 bytes, and any padding frame at a term's end (publication positions before and after).
     */
    public long wireBytesOut()
    {
        return wireBytesOut;
    }

    /**
     * @return update entries in update messages accepted by the publications.
     */
    public long updateEntriesSent()
    {
        return updateEntriesSent;
    }

    /**
     * @return bytes of the update messages accepted by the publications.
     */
    public long updateBytesOut()
    {
        return updateBytesOut;
    }

    /**
     * @return bytes the update messages took in the egress logs (as {@link #wireBytesOut()}).
     */
    public long updateWireBytesOut()
    {
        return updateWireBytesOut;
    }

    public long ticksDropped()
    {
        return ticksDropped;
    }

    private int batchLength()
    {
        return batchEncoder.limit();
    }

    private boolean flushBatch()
    {
        if (compact)
        {
            compactEncoder.wrapAndApplyHeader(compactBuffer, 0, headerEncoder)
                .tick(tick & 0xFFFF_FFFFL)
                .replicantId(replicantId);
            final int entriesLength = compactPosition - COMPACT_ENTRIES_OFFSET;
            compactBuffer.putShort(COMPACT_ENTRIES_OFFSET - EntityUpdatesCompactEncoder.entriesHeaderLength(),
                (short)entriesLength, ByteOrder.LITTLE_ENDIAN);
            final int entries = batchCount;
            batchCount = 0;
            return offerUpdates(compactBuffer, compactPosition, entries);
        }
        final int length = batchEncoder.limit();
        batchBuffer.putShort(
            MessageHeaderEncoder.ENCODED_LENGTH + EntityUpdateBatchEncoder.BLOCK_LENGTH + NUM_IN_GROUP_OFFSET,
            (short)batchCount, ByteOrder.LITTLE_ENDIAN);
        final int entries = batchCount;
        batchCount = 0;
        return offerUpdates(batchBuffer, length, entries);
    }

    private boolean offerUpdates(final DirectBuffer buffer, final int length, final int entries)
    {
        final long wireBefore = wireBytesOut;
        if (!offer(buffer, length))
        {
            return false;
        }
        updateEntriesSent += entries;
        updateBytesOut += length;
        updateWireBytesOut += wireBytesOut - wireBefore;
        return true;
    }

    private boolean offer(final DirectBuffer buffer, final int length)
    {
        final ClientObserver observer = current;
        final long positionBefore = observer.egress.position();
        final NanoClock profileClock = this.profileClock;
        final long offerStartNs = null == profileClock ? 0 : profileClock.nanoTime();
        final long result = observer.egress.offer(buffer, 0, length);
        if (null != profileClock)
        {
            offerNs += profileClock.nanoTime() - offerStartNs;
        }
        if (result > 0)
        {
            offeredThisTick = true;
            observer.lastSentNs = nowNs;
            observer.bytesSent += length;
            bytesOut += length;
            wireBytesOut += result - positionBefore;
            return true;
        }
        if (Publication.BACK_PRESSURED == result || Publication.ADMIN_ACTION == result ||
            Publication.NOT_CONNECTED == result)
        {
            if (0 == observer.laggingSinceNs)
            {
                observer.laggingSinceNs = nowNs;
            }
        }
        return false;
    }
}
