/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.wire;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Layout of a {@code ClientViewsCompact} message, the packed form of {@code ClientViewBatch}: read-only views the
 * Replication Layer sends a game server of entities near its territories that other servers own. Each server's
 * egress stream is reliable and ordered, so the layer names each viewed entity by a short per-server handle, bound
 * once by a head, and sends its fields as {@link CompactUpdates} entries: deltas against what the layer last sent
 * <em>that server</em> for the handle. This class adds the two blocks around the entries, their writers
 * ({@link #putHead}, {@link #putRemoved}), their checks ({@link #validate}) and a {@link Reader}.
 * <pre>
 *   ClientViewsCompact = header (8) | tick uint32 (4) | flags uint8 (1)
 *                        | removed length uint16 (2) | removed ... | heads length uint16 (2) | heads ...
 *                        | entries length uint16 (2) | entries ...
 *
 *   flags    bit 0 {@link #RESET}: the layer lost track of what the server holds (a view message was not
 *            delivered): forget every handle first; the heads and entries that follow rebuild every view
 *
 *   removed  +----------------+
 *            | handle varuint |  ... one per view that left (its handle is free from the next message on)
 *            |  (1..3 bytes)  |
 *            +----------------+
 *
 *   heads    +----------------+-------------------+------------------+--------------------+
 *            | handle varuint | entityId varuint  | archetypeId      | ownerServerId      |  ... one per head
 *            |  (1..3 bytes)  |  (1..10 bytes)    | varuint (1..5)   | varuint (1..5)     |
 *            +----------------+-------------------+------------------+--------------------+
 *            archetypeId and ownerServerId are the int's 32 bits, unsigned
 *
 *   entries  CompactUpdates entries (handle varuint | mask | fields), exactly as in EntityUpdatesCompact
 * </pre>
 * <b>Order of application</b> (the order of the blocks): reset, removals, heads, entries. A head for a handle the
 * server does not hold starts a view: the handle's baseline is then the blank one
 * (zone 0, position 0, velocity 0, {@link #IDENTITY_ORIENTATION}, radius 0, epoch 0, no state) and the same message
 * carries its first entry, which sets the zone and the absolute position and every other field that differs from
 * the blank baseline. A head for a handle held for the same entity is an owner change. A head for a handle held for
 * another entity, an entry or removal for a handle not held: the receiver drops and counts them (the layer never
 * sends them). A handle is freed by its removal and may be bound again by a later message.
 * <p>
 * Threading: stateless statics, safe from any thread; a {@link Reader} is single threaded. Nothing allocates.
 */
public final class CompactViews
{
    /**
     * Flag: forget every handle before applying the message.
     */
    public static final int RESET = 1;

    /**
     * The orientation of a blank baseline, packed: the identity quaternion.
     */
    public static final int IDENTITY_ORIENTATION = CompactUpdates.packOrientation(0f, 0f, 0f, 1f);

    /**
     * Most bytes one head takes.
     */
    public static final int MAX_HEAD_LENGTH = 3 + 10 + 5 + 5;

    /**
     * Most bytes one removal takes.
     */
    public static final int MAX_REMOVED_LENGTH = 3;

    /**
     * Bytes of a ClientViewsCompact around its three blocks: header, tick, flags, three var-data lengths.
     */
    public static final int MESSAGE_OVERHEAD = 8 + 4 + 1 + 3 * 2;

    private static final int MAX_INT_VARINT_LENGTH = 5;

    private CompactViews()
    {
    }

    /**
     * Write one head.
     *
     * @return the index after it.
     */
    public static int putHead(
        final MutableDirectBuffer buffer,
        final int index,
        final int handle,
        final long entityId,
        final int archetypeId,
        final int ownerServerId)
    {
        int position = CompactUpdates.putVarUInt(buffer, index, handle);
        position = CompactUpdates.putVarUInt(buffer, position, entityId);
        position = CompactUpdates.putVarUInt(buffer, position, archetypeId & 0xFFFF_FFFFL);
        return CompactUpdates.putVarUInt(buffer, position, ownerServerId & 0xFFFF_FFFFL);
    }

    /**
     * Write one removal.
     *
     * @return the index after it.
     */
    public static int putRemoved(final MutableDirectBuffer buffer, final int index, final int handle)
    {
        return CompactUpdates.putVarUInt(buffer, index, handle);
    }

    /**
     * Check the flags and the three blocks of a message whose var-data lengths the framing has already checked:
     * every removal and head is whole, handles fit {@link CompactUpdates#MAX_HANDLE}, ids end within their maximum
     * length, and the entries pass {@link CompactUpdates#validateEntries}.
     *
     * @param flags         the message's flags.
     * @param removedOffset where the removed block's bytes start (after its length).
     * @return 0, or {@link ValidationReason#MALFORMED_COMPACT_ENTRY}.
     */
    public static int validate(
        final int flags,
        final DirectBuffer buffer,
        final int removedOffset,
        final int removedLength,
        final int headsOffset,
        final int headsLength,
        final int entriesOffset,
        final int entriesLength)
    {
        if (0 != (flags & ~RESET) ||
            !isHandles(buffer, removedOffset, removedOffset + removedLength) ||
            !isHeads(buffer, headsOffset, headsOffset + headsLength) ||
            CompactUpdates.validateEntries(buffer, entriesOffset, entriesLength) < 0)
        {
            return ValidationReason.MALFORMED_COMPACT_ENTRY;
        }
        return 0;
    }

    private static boolean isHandles(final DirectBuffer buffer, final int start, final int end)
    {
        int position = start;
        while (position < end)
        {
            position = skipHandle(buffer, position, end);
            if (position < 0)
            {
                return false;
            }
        }
        return true;
    }

    private static boolean isHeads(final DirectBuffer buffer, final int start, final int end)
    {
        int position = start;
        while (position < end)
        {
            position = skipHandle(buffer, position, end);
            if (position >= 0)
            {
                position = CompactUpdates.skipVarInts(buffer, position, end, 1);
            }
            if (position >= 0)
            {
                position = skipInt(buffer, position, end);
            }
            if (position >= 0)
            {
                position = skipInt(buffer, position, end);
            }
            if (position < 0)
            {
                return false;
            }
        }
        return true;
    }

    private static int skipHandle(final DirectBuffer buffer, final int position, final int end)
    {
        final long handle = CompactUpdates.varUIntOrNegative(buffer, position, end, 3);
        return handle < 0 || (handle & 0xFFFF_FFFFL) > CompactUpdates.MAX_HANDLE ? -1 :
            position + (int)(handle >>> 32);
    }

    /**
     * A varuint of at most 32 bits: five bytes, the last one at most 0x0F.
     */
    private static int skipInt(final DirectBuffer buffer, final int start, final int end)
    {
        for (int i = 0; i < MAX_INT_VARINT_LENGTH; i++)
        {
            if (start + i >= end)
            {
                return -1;
            }
            final int b = buffer.getByte(start + i) & 0xFF;
            if (0 == (b & 0x80))
            {
                return MAX_INT_VARINT_LENGTH - 1 == i && b > 0x0F ? -1 : start + i + 1;
            }
        }
        return -1;
    }

    /**
     * Flyweight over a validated removed or heads block: {@link #nextRemoved()} or {@link #nextHead()} reads one
     * element. Reading an unvalidated block never goes outside it but may return garbage.
     * <p>
     * Threading: single threaded; reuse one reader.
     */
    public static final class Reader extends VarIntCursor
    {
        private int handle;
        private long entityId;
        private int archetypeId;
        private int ownerServerId;

        public Reader wrap(final DirectBuffer buffer, final int offset, final int length)
        {
            wrapBlock(buffer, offset, length);
            return this;
        }

        public boolean hasNext()
        {
            return position < end;
        }

        /**
         * Read the next handle of a removed block.
         *
         * @return the handle.
         */
        public int nextRemoved()
        {
            handle = (int)readVarUInt();
            return handle;
        }

        /**
         * Read the next head of a heads block into {@link #handle()}, {@link #entityId()}, {@link #archetypeId()}
         * and {@link #ownerServerId()}.
         */
        public Reader nextHead()
        {
            handle = (int)readVarUInt();
            entityId = readVarUInt();
            archetypeId = (int)readVarUInt();
            ownerServerId = (int)readVarUInt();
            return this;
        }

        public int handle()
        {
            return handle;
        }

        public long entityId()
        {
            return entityId;
        }

        public int archetypeId()
        {
            return archetypeId;
        }

        public int ownerServerId()
        {
            return ownerServerId;
        }
    }
}
