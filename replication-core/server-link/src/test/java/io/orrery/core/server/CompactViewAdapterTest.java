/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.server;

import io.orrery.wire.CompactUpdates;
import io.orrery.wire.CompactViews;
import io.orrery.wire.EntityFields;
import io.orrery.wire.MessageValidator;
import io.orrery.wire.codec.ClientViewsCompactEncoder;
import io.orrery.wire.codec.MessageHeaderDecoder;
import io.orrery.wire.codec.MessageHeaderEncoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link CompactViewAdapter} on hand-made {@code ClientViewsCompact} messages: what reaches the listener, and what
 * is dropped and counted because it does not fit what the server holds.
 */
class CompactViewAdapterTest
{
    private static final long ENTITY = 5_000_000_123L;
    private static final long OTHER = 77;

    private final UnsafeBuffer message = new UnsafeBuffer(new byte[1024]);
    private final UnsafeBuffer removed = new UnsafeBuffer(new byte[64]);
    private final UnsafeBuffer heads = new UnsafeBuffer(new byte[64]);
    private final UnsafeBuffer entries = new UnsafeBuffer(new byte[256]);
    private final ClientViewsCompactEncoder encoder = new ClientViewsCompactEncoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final CompactViewAdapter adapter = new CompactViewAdapter();
    private final EntitySnapshot snapshot = new EntitySnapshot(16);
    private final Recorder listener = new Recorder();
    private int removedLength;
    private int headsLength;
    private int entriesLength;

    @Test
    void shouldDeliverAbsoluteViewsWhenHeadEntryDeltaOwnerChangeAndRemovalArrive()
    {
        headsLength = CompactViews.putHead(heads, 0, 3, ENTITY, 9, 2);
        entriesLength = entry(0, 3, 1_234_567, -20, 5, 42, 6);
        assertEquals(0, apply(0));
        assertEquals(1, listener.views);
        assertEquals(EntityFields.ALL, listener.mask);
        assertEquals(ENTITY, listener.entityId);
        assertEquals(9, listener.archetypeId);
        assertEquals(2, listener.owner);
        assertEquals(1_234_567, listener.x);
        assertEquals(-20, listener.y);
        assertEquals(42, listener.zone);
        assertEquals(6, listener.epoch);
        assertEquals(1.0f, listener.qw, 1e-3f, "the blank baseline's identity orientation");

        entriesLength = delta(0, 3, 10, -1, 0);
        assertEquals(0, apply(0));
        assertEquals(2, listener.views);
        assertEquals(CompactUpdates.POSITION, listener.mask);
        assertEquals(1_234_567 + 100, listener.x);
        assertEquals(-30, listener.y);
        assertEquals(42, listener.zone);

        headsLength = CompactViews.putHead(heads, 0, 3, ENTITY, 9, 4);
        assertEquals(0, apply(0));
        assertEquals(3, listener.views);
        assertEquals(0, listener.mask, "owner only");
        assertEquals(4, listener.owner);
        assertEquals(1_234_667, listener.x, "the rest as last sent");

        removedLength = CompactViews.putRemoved(removed, 0, 3);
        assertEquals(0, apply(0));
        assertEquals(1, listener.removals);
        assertEquals(ENTITY, listener.removedId);
        assertEquals(0, adapter.viewCount());
    }

    @Test
    void shouldDropAndCountWhatDoesNotFitTheHandlesHeld()
    {
        entriesLength = delta(0, 5, 1, 1, 1);
        removedLength = CompactViews.putRemoved(removed, 0, 6);
        assertEquals(2, apply(0), "an entry and a removal for handles not held");
        assertEquals(0, listener.views + listener.removals);

        headsLength = CompactViews.putHead(heads, 0, 1, ENTITY, 9, 2);
        entriesLength = entry(0, 1, 0, 0, 0, 1, 1);
        assertEquals(0, apply(0));
        headsLength = CompactViews.putHead(heads, 0, 1, OTHER, 9, 2);
        assertEquals(1, apply(0), "a head rebinding a held handle to another entity");
        assertEquals(1, listener.views);
        assertEquals(ENTITY, listener.entityId);
    }

    @Test
    void shouldReportEveryViewRemovedWhenReset()
    {
        int position = CompactViews.putHead(heads, 0, 0, ENTITY, 9, 2);
        headsLength = CompactViews.putHead(heads, position, 1, OTHER, 9, 3);
        position = entry(0, 0, 0, 0, 0, 1, 1);
        entriesLength = entry(position, 1, 0, 0, 0, 1, 1);
        assertEquals(0, apply(0));
        assertEquals(2, adapter.viewCount());

        headsLength = CompactViews.putHead(heads, 0, 0, OTHER, 9, 3);
        entriesLength = entry(0, 0, 7_000, 0, 0, 1, 1);
        assertEquals(0, apply(CompactViews.RESET));
        assertEquals(2, listener.removals);
        assertEquals(1, adapter.viewCount());
        assertEquals(OTHER, listener.entityId);
        assertEquals(7_000, listener.x);
    }

    private int apply(final int flags)
    {
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + encoder.wrapAndApplyHeader(message, 0, headerEncoder)
            .tick(1)
            .flags((short)flags)
            .putRemoved(removed, 0, removedLength)
            .putHeads(heads, 0, headsLength)
            .putEntries(entries, 0, entriesLength)
            .encodedLength();
        assertEquals(length, MessageValidator.validate(message, 0, length));
        removedLength = 0;
        headsLength = 0;
        entriesLength = 0;
        return adapter.onMessage(message, 0, headerDecoder, null, listener, snapshot);
    }

    private int entry(
        final int index, final int handle, final long x, final long y, final long z, final long zone, final long epoch)
    {
        int position = CompactUpdates.putVarUInt(entries, index, handle);
        entries.putByte(position++, (byte)(CompactUpdates.POSITION | CompactUpdates.SIZE | CompactUpdates.PARENT_ZONE |
            CompactUpdates.AUTHORITY_EPOCH));
        position = CompactUpdates.putVarSInt(entries, position, x);
        position = CompactUpdates.putVarSInt(entries, position, y);
        position = CompactUpdates.putVarSInt(entries, position, z);
        entries.putFloat(position, 0.5f, ByteOrder.LITTLE_ENDIAN);
        position += 4;
        position = CompactUpdates.putVarUInt(entries, position, zone);
        return CompactUpdates.putVarUInt(entries, position, epoch);
    }

    private int delta(final int index, final int handle, final long dx, final long dy, final long dz)
    {
        int position = CompactUpdates.putVarUInt(entries, index, handle);
        entries.putByte(position++, (byte)CompactUpdates.POSITION);
        position = CompactUpdates.putVarSInt(entries, position, dx);
        position = CompactUpdates.putVarSInt(entries, position, dy);
        return CompactUpdates.putVarSInt(entries, position, dz);
    }

    private static final class Recorder implements ServerListener
    {
        int views;
        int removals;
        int mask;
        int owner;
        int archetypeId;
        long entityId;
        long removedId;
        long x;
        long y;
        long zone;
        long epoch;
        float qw;

        @Override
        public void onClientView(final ServerLink link, final EntitySnapshot view, final int ownerServerId,
            final int changedMask)
        {
            views++;
            mask = changedMask;
            owner = ownerServerId;
            entityId = view.entityId();
            archetypeId = view.archetypeId();
            x = view.x();
            y = view.y();
            zone = view.parentZoneId();
            epoch = view.authorityEpoch();
            qw = view.qw();
        }

        @Override
        public void onClientViewRemoved(final ServerLink link, final long entityId)
        {
            removals++;
            removedId = entityId;
        }
    }
}
