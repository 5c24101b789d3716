/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant;

import io.orrery.wire.feed.FeedEntityEncoder;
import io.orrery.wire.feed.FeedPassEndEncoder;
import io.orrery.wire.feed.FeedRemovalEncoder;
import io.orrery.wire.feed.FeedResyncBeginEncoder;
import io.orrery.wire.feed.MessageHeaderEncoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The primary Replicant's state feed to the secondary Replicants of its process: after each pass, the entities
 * created, changed or handed to another owner since the last feed (each whole, with owner Replicant and owner epoch),
 * then the removals, then {@code FeedPassEnd} (schema {@code replicant-feed-schema.xml}). Zones go first, in depth
 * order, so a secondary always knows an entity's parent zone when it applies the entity. Each message is encoded once
 * and written to every secondary's one-to-one ring.
 * <p>
 * Never blocks the primary: a ring that refuses a message (full) is counted ({@link #backPressured()}), gets nothing
 * more of that pass, and at the next pass with room gets a resync instead: {@code FeedResyncBegin}, every entity,
 * {@code FeedPassEnd} with {@code resync} set (the secondary drops what it was not sent again).
 * <p>
 * Removals are found from the store's removal journal ({@link EntityStore#removedSlot(long)}): each slot freed since
 * the last pass is compared with what was fed to it (entity id and incarnation, i.e. the store's
 * {@link EntityStore#createdSeq(int)}), so the cost follows the removals, not the store's capacity. If more removals
 * happened than the journal holds (its capacity: the store's), every slot is compared instead, as a fallback
 * ({@link #removalScans()}). Likewise the entities to send are the store's changed slots
 * ({@link EntityStore#changedSlot(int)}, which this proxy clears after each pass), zones apart: every zone is
 * visited, in depth order, first.
 * <p>
 * Threading: the primary Replicant's thread. Zero allocation after construction.
 */
public final class ReplicantFeedProxy
{
    private static final short REASON_DESTROYED = 1;

    private final EntityStore store;
    private final RingBuffer[] rings;
    private final boolean[] needsResync;
    private final AtomicIntegerArray resyncRequests;
    private final boolean[] failedThisPass;
    private final boolean[] resyncThisPass;
    private final long[] fedEntityIds;
    private final long[] fedIncarnations;
    private final long[] fedOwnerEpochs;
    private final boolean[] fed;
    private final UnsafeBuffer buffer;
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final FeedEntityEncoder entityEncoder = new FeedEntityEncoder();
    private final FeedRemovalEncoder removalEncoder = new FeedRemovalEncoder();
    private final FeedPassEndEncoder passEndEncoder = new FeedPassEndEncoder();
    private final FeedResyncBeginEncoder resyncBeginEncoder = new FeedResyncBeginEncoder();

    private long lastFedSeq = -1;
    private long removalsFed;
    private long removalScans;
    private long passSeq;
    private long messages;
    private long bytes;
    private long backPressured;
    private long resyncs;

    /**
     * @param store the primary's entity cache.
     * @param rings one per secondary, written only here.
     */
    public ReplicantFeedProxy(final EntityStore store, final RingBuffer[] rings)
    {
        this.store = store;
        this.rings = rings;
        needsResync = new boolean[rings.length];
        resyncRequests = new AtomicIntegerArray(rings.length);
        failedThisPass = new boolean[rings.length];
        resyncThisPass = new boolean[rings.length];
        final int capacity = store.capacity();
        fedEntityIds = new long[capacity];
        fedIncarnations = new long[capacity];
        fedOwnerEpochs = new long[capacity];
        fed = new boolean[capacity];
        removalsFed = store.removals();
        buffer = new UnsafeBuffer(new byte[MessageHeaderEncoder.ENCODED_LENGTH + FeedEntityEncoder.BLOCK_LENGTH +
            FeedEntityEncoder.componentStateHeaderLength() + store.maxStateBytes() + 64]);
    }

    /**
     * Feed one pass to every secondary: the changes since the last pass, or a full snapshot to one that needs it.
     *
     * @param nowNs the pass's clock.
     * @return messages written.
     */
    public int feed(final long nowNs)
    {
        passSeq++;
        final EntityStore store = this.store;
        int work = 0;
        for (int r = 0; r < rings.length; r++)
        {
            if (0 != resyncRequests.get(r) && 0 != resyncRequests.getAndSet(r, 0))
            {
                needsResync[r] = true;
            }
            resyncThisPass[r] = needsResync[r];
            failedThisPass[r] = needsResync[r];
        }

        final long removals = store.removals();
        if (removals - removalsFed <= store.removalJournalLength())
        {
            for (long removal = removalsFed; removal < removals; removal++)
            {
                work += feedIfRemoved(store.removedSlot(removal));
            }
        }
        else
        {
            removalScans++;
            for (int slot = 0, capacity = store.capacity(); slot < capacity; slot++)
            {
                work += feedIfRemoved(slot);
            }
        }
        removalsFed = removals;
        for (int i = 0, n = store.zoneCount(); i < n; i++)
        {
            work += feedIfChanged(store.zoneSlot(i));
        }
        if (lastFedSeq < 0)
        {
            for (int i = 0, n = store.activeCount(); i < n; i++)
            {
                final int slot = store.activeSlot(i);
                if (!store.isZone(slot))
                {
                    work += feedIfChanged(slot);
                }
            }
        }
        else
        {
            for (int i = 0, n = store.changedSlotCount(); i < n; i++)
            {
                final int slot = store.changedSlot(i);
                if (store.isActive(slot) && !store.isZone(slot))
                {
                    work += feedIfChanged(slot);
                }
            }
        }
        store.clearChangedSlots();
        lastFedSeq = store.changeSeq();
        work += writeDelta(FeedPassEndEncoder.TEMPLATE_ID, encodePassEnd(nowNs, false));

        for (int r = 0; r < rings.length; r++)
        {
            // a ring that refused part of this pass gets its snapshot at the next one, once its reader made room
            if (resyncThisPass[r])
            {
                work += resync(r, nowNs);
            }
        }
        return work;
    }

    /**
     * Ask for a full snapshot to one secondary at the next pass (from any thread): its reader lost what the ring held
     * (a bridge to a Replicant in another process whose peer restarted). One volatile read per secondary per pass.
     *
     * @param secondaryIndex the ring's index (Replicant id - 1).
     */
    public void requestResync(final int secondaryIndex)
    {
        resyncRequests.set(secondaryIndex, 1);
    }

    /**
     * A slot whose fed entity is gone (the slot is free, or holds another incarnation) gets its removal, once.
     */
    private int feedIfRemoved(final int slot)
    {
        final EntityStore store = this.store;
        if (fed[slot] && (!store.isActive(slot) || store.createdSeq(slot) != fedIncarnations[slot]))
        {
            fed[slot] = false;
            removalEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
                .entityId(fedEntityIds[slot])
                .incarnation(fedIncarnations[slot])
                .reason(store.isActive(slot) ? REASON_DESTROYED : store.removalReason(slot));
            return writeDelta(FeedRemovalEncoder.TEMPLATE_ID,
                MessageHeaderEncoder.ENCODED_LENGTH + removalEncoder.encodedLength());
        }
        return 0;
    }

    private int feedIfChanged(final int slot)
    {
        final EntityStore store = this.store;
        final boolean isNew = !fed[slot] || store.createdSeq(slot) != fedIncarnations[slot];
        if (isNew || store.lastChangeSeq(slot) > lastFedSeq || store.ownerEpoch(slot) != fedOwnerEpochs[slot])
        {
            fed[slot] = true;
            fedEntityIds[slot] = store.entityId(slot);
            fedIncarnations[slot] = store.createdSeq(slot);
            fedOwnerEpochs[slot] = store.ownerEpoch(slot);
            return writeDelta(FeedEntityEncoder.TEMPLATE_ID, encodeEntity(slot));
        }
        return 0;
    }

    private int resync(final int r, final long nowNs)
    {
        final EntityStore store = this.store;
        final RingBuffer ring = rings[r];
        resyncBeginEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder).passSeq(passSeq);
        if (!write(ring, FeedResyncBeginEncoder.TEMPLATE_ID,
            MessageHeaderEncoder.ENCODED_LENGTH + resyncBeginEncoder.encodedLength()))
        {
            return 0;
        }
        int work = 1;
        for (int i = 0, n = store.zoneCount(); i < n; i++)
        {
            if (!write(ring, FeedEntityEncoder.TEMPLATE_ID, encodeEntity(store.zoneSlot(i))))
            {
                return work;
            }
            work++;
        }
        for (int i = 0, n = store.activeCount(); i < n; i++)
        {
            final int slot = store.activeSlot(i);
            if (!store.isZone(slot))
            {
                if (!write(ring, FeedEntityEncoder.TEMPLATE_ID, encodeEntity(slot)))
                {
                    return work;
                }
                work++;
            }
        }
        if (write(ring, FeedPassEndEncoder.TEMPLATE_ID, encodePassEnd(nowNs, true)))
        {
            needsResync[r] = false;
            resyncs++;
            work++;
        }
        return work;
    }

    private int encodeEntity(final int slot)
    {
        final EntityStore store = this.store;
        entityEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .entityId(store.entityId(slot))
            .incarnation(store.createdSeq(slot))
            .archetypeId(store.archetypeId(slot))
            .ownerPlayerId(store.ownerPlayerId(slot))
            .parentZoneId(store.parentZoneId(slot))
            .isZone((short)(store.isZone(slot) ? 1 : 0))
            .ownerReplicant((short)store.ownerReplicant(slot))
            .ownerEpoch(store.ownerEpoch(slot))
            .x(store.positionX(slot))
            .y(store.positionY(slot))
            .z(store.positionZ(slot))
            .vx(store.velocityX(slot))
            .vy(store.velocityY(slot))
            .vz(store.velocityZ(slot))
            .ox(store.orientationX(slot))
            .oy(store.orientationY(slot))
            .oz(store.orientationZ(slot))
            .ow(store.orientationW(slot))
            .radius(store.radius(slot))
            .lastAppliedInputSequence(store.lastAppliedInputSequence(slot))
            .authorityEpoch(store.authorityEpoch(slot))
            .putComponentState(store.componentStateBuffer(), store.componentStateOffset(slot),
                store.componentStateLength(slot));
        return MessageHeaderEncoder.ENCODED_LENGTH + entityEncoder.encodedLength();
    }

    private int encodePassEnd(final long nowNs, final boolean resync)
    {
        passEndEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .passSeq(passSeq)
            .nowNs(nowNs)
            .resync((short)(resync ? 1 : 0));
        return MessageHeaderEncoder.ENCODED_LENGTH + passEndEncoder.encodedLength();
    }

    /**
     * Write the encoded message to every ring still taking this pass's changes.
     */
    private int writeDelta(final int templateId, final int length)
    {
        int work = 0;
        for (int r = 0; r < rings.length; r++)
        {
            if (!failedThisPass[r])
            {
                if (write(rings[r], templateId, length))
                {
                    work++;
                }
                else
                {
                    failedThisPass[r] = true;
                    needsResync[r] = true;
                }
            }
        }
        return work;
    }

    private boolean write(final RingBuffer ring, final int templateId, final int length)
    {
        if (ring.write(templateId, buffer, 0, length))
        {
            messages++;
            bytes += length;
            return true;
        }
        backPressured++;
        return false;
    }

    /**
     * @return passes fed so far.
     */
    public long passSeq()
    {
        return passSeq;
    }

    public long messages()
    {
        return messages;
    }

    public long bytes()
    {
        return bytes;
    }

    /**
     * @return messages a full ring refused.
     */
    public long backPressured()
    {
        return backPressured;
    }

    /**
     * @return passes that compared every slot for removals: more removals since the last pass than the store's
     * journal holds.
     */
    public long removalScans()
    {
        return removalScans;
    }

    /**
     * @return full snapshots written to secondaries that missed part of the feed.
     */
    public long resyncs()
    {
        return resyncs;
    }
}
