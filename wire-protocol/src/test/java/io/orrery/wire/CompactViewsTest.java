/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.wire;

import io.orrery.wire.codec.ClientViewsCompactEncoder;
import io.orrery.wire.codec.MessageHeaderEncoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CompactViewsTest
{
    private final UnsafeBuffer message = new UnsafeBuffer(new byte[4096]);
    private final UnsafeBuffer removed = new UnsafeBuffer(new byte[256]);
    private final UnsafeBuffer heads = new UnsafeBuffer(new byte[256]);
    private final UnsafeBuffer entries = new UnsafeBuffer(new byte[256]);
    private final ClientViewsCompactEncoder encoder = new ClientViewsCompactEncoder();
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private int removedLength;
    private int headsLength;
    private int entriesLength;

    @Test
    void shouldReadBackHeadsAndRemovalsWhenWellFormed()
    {
        wellFormedBlocks();
        final int length = encode(CompactViews.RESET);
        assertEquals(length, MessageValidator.validate(message, 0, length));

        final CompactViews.Reader reader = new CompactViews.Reader().wrap(removed, 0, removedLength);
        assertEquals(3, reader.nextRemoved());
        assertEquals(CompactUpdates.MAX_HANDLE, reader.nextRemoved());
        assertFalse(reader.hasNext());

        reader.wrap(heads, 0, headsLength);
        reader.nextHead();
        assertEquals(0, reader.handle());
        assertEquals(Long.MAX_VALUE, reader.entityId());
        assertEquals(-1, reader.archetypeId());
        assertEquals(Integer.MIN_VALUE, reader.ownerServerId());
        assertTrue(reader.hasNext());
        reader.nextHead();
        assertEquals(200, reader.handle());
        assertEquals(-5L, reader.entityId());
        assertEquals(7, reader.archetypeId());
        assertEquals(2, reader.ownerServerId());
        assertFalse(reader.hasNext());
    }

    @Test
    void shouldRejectWhenAnyBlockIsCutShortAnywhere()
    {
        wellFormedBlocks();
        removedLength = CompactViews.putRemoved(removed, 0, CompactUpdates.MAX_HANDLE); // one element per block
        headsLength = CompactViews.putHead(heads, 0, 200, -5L, -7, 2);
        final int fullRemoved = removedLength;
        final int fullHeads = headsLength;
        final int fullEntries = entriesLength;
        for (int cut = 1; cut < fullRemoved; cut++)
        {
            removedLength = cut;
            assertMalformed("removed cut at " + cut);
        }
        removedLength = fullRemoved;
        for (int cut = 1; cut < fullHeads; cut++)
        {
            headsLength = cut;
            assertMalformed("heads cut at " + cut);
        }
        headsLength = fullHeads;
        for (int cut = 1; cut < fullEntries; cut++)
        {
            entriesLength = cut;
            assertMalformed("entries cut at " + cut);
        }
    }

    @Test
    void shouldRejectWhenFlagsUnknownOrHandleTooLargeOrIdTooLong()
    {
        wellFormedBlocks();
        final int length = encode(2);
        assertEquals(ValidationReason.MALFORMED_COMPACT_ENTRY, MessageValidator.validate(message, 0, length));

        wellFormedBlocks();
        removedLength = CompactUpdates.putVarUInt(removed, 0, CompactUpdates.MAX_HANDLE + 1);
        assertMalformed("removed handle above the maximum");

        wellFormedBlocks();
        int position = CompactUpdates.putVarUInt(heads, 0, 1);
        position = CompactUpdates.putVarUInt(heads, position, 1);
        position = CompactUpdates.putVarUInt(heads, position, 1L << 32); // archetype id past 32 bits
        headsLength = CompactUpdates.putVarUInt(heads, position, 1);
        assertMalformed("archetype id past 32 bits");

        wellFormedBlocks();
        position = CompactUpdates.putVarUInt(heads, 0, 1);
        for (int i = 0; i < 11; i++)
        {
            heads.putByte(position++, (byte)0x80); // entity id varint longer than ten bytes
        }
        heads.putByte(position++, (byte)1);
        position = CompactUpdates.putVarUInt(heads, position, 1);
        headsLength = CompactUpdates.putVarUInt(heads, position, 1);
        assertMalformed("entity id longer than ten bytes");
    }

    private void wellFormedBlocks()
    {
        int position = CompactViews.putRemoved(removed, 0, 3);
        removedLength = CompactViews.putRemoved(removed, position, CompactUpdates.MAX_HANDLE);

        position = CompactViews.putHead(heads, 0, 0, Long.MAX_VALUE, -1, Integer.MIN_VALUE);
        headsLength = CompactViews.putHead(heads, position, 200, -5L, 7, 2);

        position = CompactUpdates.putVarUInt(entries, 0, 200);
        entries.putByte(position++, (byte)(CompactUpdates.POSITION | CompactUpdates.PARENT_ZONE));
        position = CompactUpdates.putVarSInt(entries, position, 1_000_000);
        position = CompactUpdates.putVarSInt(entries, position, -2);
        position = CompactUpdates.putVarSInt(entries, position, 3);
        entriesLength = CompactUpdates.putVarUInt(entries, position, 42);
    }

    private int encode(final int flags)
    {
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.wrapAndApplyHeader(message, 0, header)
            .tick(9)
            .flags((short)flags)
            .putRemoved(removed, 0, removedLength)
            .putHeads(heads, 0, headsLength)
            .putEntries(entries, 0, entriesLength)
            .encodedLength();
    }

    private void assertMalformed(final String what)
    {
        final int length = encode(0);
        assertEquals(ValidationReason.MALFORMED_COMPACT_ENTRY, MessageValidator.validate(message, 0, length), what);
    }
}
