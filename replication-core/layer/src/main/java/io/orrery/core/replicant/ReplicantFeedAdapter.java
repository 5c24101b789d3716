/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant;

import io.orrery.wire.feed.FeedEntityDecoder;
import io.orrery.wire.feed.FeedPassEndDecoder;
import io.orrery.wire.feed.FeedRemovalDecoder;
import io.orrery.wire.feed.FeedResyncBeginDecoder;
import io.orrery.wire.feed.MessageHeaderDecoder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

/**
 * A secondary Replicant's side of the primary's state feed ({@link ReplicantFeedProxy}): applies each message to the
 * secondary's own {@link EntityStore} (entities created, changed, handed over, removed; an entity of another
 * incarnation than the one held is removed and created again, so the secondary's interest engine sees a new
 * incarnation as the primary's does) and stops reading at the end of each pass, so the secondary streams every pass
 * the primary fed. Component state is written only when its bytes differ, so the store's change tracking (and so the
 * secondary's deltas) see what changed, as the primary's does.
 * <p>
 * A resync ({@code FeedResyncBegin} ... {@code FeedPassEnd} with {@code resync} set) removes, at its end, whatever the
 * snapshot did not name.
 * <p>
 * Threading: the secondary Replicant's thread. Zero allocation after construction.
 */
public final class ReplicantFeedAdapter implements ControlledMessageHandler
{
    private static final short REASON_DESTROYED = 1;

    private final EntityStore store;
    private final RingBuffer ring;
    private final long[] incarnations;
    private final long[] resyncStamps;
    private final long[] scratchIds;
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final FeedEntityDecoder entityDecoder = new FeedEntityDecoder();
    private final FeedRemovalDecoder removalDecoder = new FeedRemovalDecoder();
    private final FeedPassEndDecoder passEndDecoder = new FeedPassEndDecoder();
    private final FeedResyncBeginDecoder resyncBeginDecoder = new FeedResyncBeginDecoder();
    private final UnsafeBuffer stateView = new UnsafeBuffer(0, 0);

    private long resyncStamp;
    private boolean passReady;
    private long passSeq;
    private long passNowNs;
    private long messages;
    private long resyncs;
    private long errors;

    /**
     * @param store the secondary's entity cache, written only here.
     * @param ring  the feed ring from the primary, read only here.
     */
    public ReplicantFeedAdapter(final EntityStore store, final RingBuffer ring)
    {
        this.store = store;
        this.ring = ring;
        incarnations = new long[store.capacity()];
        resyncStamps = new long[store.capacity()];
        scratchIds = new long[store.capacity()];
    }

    /**
     * Apply the feed up to the end of the next pass (or all there is, if no pass is complete yet).
     *
     * @return true if a pass ended: the store holds the state of {@link #passSeq()}.
     */
    public boolean poll()
    {
        passReady = false;
        // a read stops at the end of the ring's buffer: read again after a wrap
        while (!passReady && ring.controlledRead(this) > 0)
        {
            Thread.onSpinWait();
        }
        return passReady;
    }

    @Override
    public Action onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        messages++;
        switch (msgTypeId)
        {
            case FeedEntityDecoder.TEMPLATE_ID:
                entityDecoder.wrapAndApplyHeader(buffer, index, headerDecoder);
                onEntity(entityDecoder);
                return Action.CONTINUE;

            case FeedRemovalDecoder.TEMPLATE_ID:
            {
                removalDecoder.wrapAndApplyHeader(buffer, index, headerDecoder);
                final long entityId = removalDecoder.entityId();
                final long incarnation = removalDecoder.incarnation();
                final int slot = store.slotOf(entityId);
                if (EntityStore.NULL_SLOT != slot && incarnations[slot] == incarnation)
                {
                    store.remove(entityId, removalDecoder.reason());
                }
                return Action.CONTINUE;
            }

            case FeedPassEndDecoder.TEMPLATE_ID:
                passEndDecoder.wrapAndApplyHeader(buffer, index, headerDecoder);
                passSeq = passEndDecoder.passSeq();
                passNowNs = passEndDecoder.nowNs();
                if (0 != passEndDecoder.resync())
                {
                    removeUnnamed();
                    resyncs++;
                }
                passReady = true;
                return Action.BREAK;

            case FeedResyncBeginDecoder.TEMPLATE_ID:
                resyncBeginDecoder.wrapAndApplyHeader(buffer, index, headerDecoder);
                resyncStamp++;
                return Action.CONTINUE;

            default:
                errors++;
                return Action.CONTINUE;
        }
    }

    private void onEntity(final FeedEntityDecoder decoder)
    {
        final EntityStore store = this.store;
        final long entityId = decoder.entityId();
        final long incarnation = decoder.incarnation();
        final int archetypeId = decoder.archetypeId();
        final long ownerPlayerId = decoder.ownerPlayerId();
        final long parentZoneId = decoder.parentZoneId();
        final boolean isZone = 0 != decoder.isZone();
        final int ownerReplicant = decoder.ownerReplicant();
        final long ownerEpoch = decoder.ownerEpoch();

        int slot = store.slotOf(entityId);
        if (EntityStore.NULL_SLOT != slot && (incarnations[slot] != incarnation || store.isZone(slot) != isZone))
        {
            store.remove(entityId, REASON_DESTROYED);
            slot = EntityStore.NULL_SLOT;
        }
        if (EntityStore.NULL_SLOT == slot)
        {
            slot = store.create(entityId, archetypeId, ownerPlayerId, parentZoneId, isZone);
            if (slot < 0)
            {
                errors++;
                return;
            }
            incarnations[slot] = incarnation;
        }
        else if (EntityStore.OK != store.parentZone(slot, parentZoneId))
        {
            errors++;
        }
        resyncStamps[slot] = resyncStamp;
        store.owner(slot, ownerReplicant, ownerEpoch);
        store.position(slot, decoder.x(), decoder.y(), decoder.z());
        store.velocity(slot, decoder.vx(), decoder.vy(), decoder.vz());
        store.orientation(slot, decoder.ox(), decoder.oy(), decoder.oz(), decoder.ow());
        store.radius(slot, decoder.radius());
        store.lastAppliedInputSequence(slot, decoder.lastAppliedInputSequence());
        store.authorityEpoch(slot, decoder.authorityEpoch());
        decoder.wrapComponentState(stateView);
        if (!sameState(slot, stateView))
        {
            store.componentState(slot, stateView, 0, stateView.capacity());
        }
    }

    private boolean sameState(final int slot, final DirectBuffer state)
    {
        final int length = state.capacity();
        if (store.componentStateLength(slot) != length)
        {
            return false;
        }
        final DirectBuffer held = store.componentStateBuffer();
        final int offset = store.componentStateOffset(slot);
        int i = 0;
        for (; i + 8 <= length; i += 8)
        {
            if (held.getLong(offset + i) != state.getLong(i))
            {
                return false;
            }
        }
        for (; i < length; i++)
        {
            if (held.getByte(offset + i) != state.getByte(i))
            {
                return false;
            }
        }
        return true;
    }

    private void removeUnnamed()
    {
        final EntityStore store = this.store;
        int count = 0;
        for (int i = 0, n = store.activeCount(); i < n; i++)
        {
            final int slot = store.activeSlot(i);
            if (resyncStamps[slot] != resyncStamp)
            {
                scratchIds[count++] = store.entityId(slot);
            }
        }
        for (int i = 0; i < count; i++)
        {
            store.remove(scratchIds[i], REASON_DESTROYED);
        }
    }

    /**
     * @return the sequence of the last pass applied whole.
     */
    public long passSeq()
    {
        return passSeq;
    }

    /**
     * @return the primary's clock at the last pass applied whole.
     */
    public long passNowNs()
    {
        return passNowNs;
    }

    public long messages()
    {
        return messages;
    }

    /**
     * @return resyncs applied (full snapshots after a gap in the feed).
     */
    public long resyncs()
    {
        return resyncs;
    }

    /**
     * @return feed messages that could not be applied (unknown template, an entity the store refused).
     */
    public long errors()
    {
        return errors;
    }
}
