/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.perf.jmh;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.orrery.core.replicant.EntityStore;
import io.orrery.core.replicant.ObserverEgress;
import io.orrery.wire.codec.DespawnReason;
import io.orrery.wire.codec.EntityDespawnEncoder;
import io.orrery.wire.codec.EntitySpawnEncoder;
import io.orrery.wire.codec.EntityUpdateBatchEncoder;
import io.orrery.wire.codec.MessageHeaderEncoder;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Benchmark stand-in for {@code io.orrery.core.replicant.ClientEgressProxy}, whose client sessions can only be
 * built inside replication-core. It does the same work per call: the same generated SBE encoders, every field read
 * from the {@link EntityStore} as the proxy reads it, update batches of at most {@link #MAX_BATCH_BYTES} flushed at
 * the end of each observer's tick, the same window check in {@link #beginTick} and the same offer with one retry on
 * {@code ADMIN_ACTION}. Heartbeats, disconnects and forwarding are left out (not on the interest path).
 * <p>
 * A target with a publication offers to it (real Aeron); a target without one is encode only: the message is
 * encoded into the reused buffer and counted, and the capacity reported to the engine is the budget.
 * <p>
 * Threading: the benchmark thread only; zero allocation per message.
 */
public final class SbeObserverEgress implements ObserverEgress
{
    /**
     * Largest update batch, as in the proxy.
     */
    public static final int MAX_BATCH_BYTES = 4096;
    static final int MAX_BATCH_ENTRIES = 1024;
    static final int MIN_WINDOW_BYTES = 2 * MAX_BATCH_BYTES;
    private static final int NUM_IN_GROUP_OFFSET = 2;

    /**
     * One observer's destination.
     */
    public static final class Target
    {
        final ExclusivePublication publication;
        long laggingSinceNs;
        long lastSentNs;
        long bytesSent;

        /**
         * @param publication where messages go, or null to encode only.
         */
        public Target(final ExclusivePublication publication)
        {
            this.publication = publication;
        }
    }

    private final Long2ObjectHashMap<Target> targets;
    private final int budgetBytesPerTick;
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final EntitySpawnEncoder spawnEncoder = new EntitySpawnEncoder();
    private final EntityUpdateBatchEncoder batchEncoder = new EntityUpdateBatchEncoder();
    private final EntityDespawnEncoder despawnEncoder = new EntityDespawnEncoder();
    private final UnsafeBuffer messageBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024));
    private final UnsafeBuffer batchBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(MAX_BATCH_BYTES + 1024));

    private Target current;
    private long nowNs;
    private long tick;
    private int batchCount;
    private EntityUpdateBatchEncoder.UpdatesEncoder updates;

    private long bytesOut;
    private long messagesOut;
    private long ticksDropped;
    private long offerFailures;

    /**
     * @param targets            destinations by observer id.
     * @param budgetBytesPerTick the budget also given to the engine.
     */
    public SbeObserverEgress(final Long2ObjectHashMap<Target> targets, final int budgetBytesPerTick)
    {
        this.targets = targets;
        this.budgetBytesPerTick = budgetBytesPerTick;
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
        final Target target = targets.get(observerId);
        current = target;
        batchCount = 0;
        if (null == target)
        {
            return 0;
        }

        final ExclusivePublication publication = target.publication;
        if (null == publication)
        {
            return budgetBytesPerTick;
        }

        final long window = publication.isConnected() ? publication.availableWindow() : 0;
        if (window < Math.min(budgetBytesPerTick, MIN_WINDOW_BYTES))
        {
            if (0 == target.laggingSinceNs)
            {
                target.laggingSinceNs = nowNs;
            }
            ticksDropped++;
            return 0;
        }
        target.laggingSinceNs = 0;
        return (int)Math.min(window >> 1, budgetBytesPerTick);
    }

    @Override
    public boolean onSpawn(final long observerId, final EntityStore store, final int slot)
    {
        if (batchCount > 0 && !flushBatch())
        {
            return false;
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
            .putComponentState(store.componentStateBuffer(), store.componentStateOffset(slot),
                store.componentStateLength(slot));
        return offer(messageBuffer, MessageHeaderEncoder.ENCODED_LENGTH + spawnEncoder.encodedLength());
    }

    @Override
    public boolean onUpdate(final long observerId, final EntityStore store, final int slot, final int changedMask)
    {
        final int stateLength = 0 != (changedMask & EntityStore.COMPONENT_STATE) ?
            store.componentStateLength(slot) : 0;
        if (batchCount > 0 && (batchCount == MAX_BATCH_ENTRIES ||
            batchEncoder.limit() + EntityUpdateBatchEncoder.UpdatesEncoder.sbeBlockLength() + 2 + stateLength >
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

        final EntityUpdateBatchEncoder.UpdatesEncoder entry = updates.next()
            .entityId(store.entityId(slot))
            .parentZoneId(store.parentZoneId(slot));
        batchBuffer.putShort(entry.changed().offset(), (short)changedMask, ByteOrder.LITTLE_ENDIAN);
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
        entry.putComponentState(store.componentStateBuffer(), store.componentStateOffset(slot), stateLength);
        batchCount++;
        return true;
    }

    @Override
    public boolean onDespawn(final long observerId, final long entityId, final short reason)
    {
        if (batchCount > 0 && !flushBatch())
        {
            return false;
        }
        despawnEncoder.wrapAndApplyHeader(messageBuffer, 0, headerEncoder)
            .entityId(entityId)
            .reason(DespawnReason.get(reason))
            .serverTimeNs(nowNs);
        return offer(messageBuffer, MessageHeaderEncoder.ENCODED_LENGTH + despawnEncoder.encodedLength());
    }

    @Override
    public boolean endTick(final long observerId)
    {
        return 0 == batchCount || flushBatch();
    }

    /**
     * @return bytes encoded (encode-only targets) or offered successfully (publications).
     */
    public long bytesOut()
    {
        return bytesOut;
    }

    /**
     * @return messages encoded or offered successfully.
     */
    public long messagesOut()
    {
        return messagesOut;
    }

    /**
     * @return observer ticks skipped because the publication window was too small.
     */
    public long ticksDropped()
    {
        return ticksDropped;
    }

    /**
     * @return offers that failed (back-pressure, admin action twice, not connected).
     */
    public long offerFailures()
    {
        return offerFailures;
    }

    private boolean flushBatch()
    {
        final int length = batchEncoder.limit();
        batchBuffer.putShort(
            MessageHeaderEncoder.ENCODED_LENGTH + EntityUpdateBatchEncoder.BLOCK_LENGTH + NUM_IN_GROUP_OFFSET,
            (short)batchCount, ByteOrder.LITTLE_ENDIAN);
        batchCount = 0;
        return offer(batchBuffer, length);
    }

    private boolean offer(final DirectBuffer buffer, final int length)
    {
        final Target target = current;
        final ExclusivePublication publication = target.publication;
        long result = 1;
        if (null != publication)
        {
            result = publication.offer(buffer, 0, length);
            if (Publication.ADMIN_ACTION == result)
            {
                result = publication.offer(buffer, 0, length);
            }
        }
        if (result > 0)
        {
            target.lastSentNs = nowNs;
            target.bytesSent += length;
            bytesOut += length;
            messagesOut++;
            return true;
        }
        offerFailures++;
        if (0 == target.laggingSinceNs)
        {
            target.laggingSinceNs = nowNs;
        }
        return false;
    }
}
