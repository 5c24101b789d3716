/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.persistence.rocksdb;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Key layouts of the RocksDB adapter's column families. Keys are big endian with the sign bit flipped, so that the
 * bytewise order RocksDB sorts by is the numeric order of signed ids and coordinates (a range scan over x is a range
 * of keys).
 * <pre>
 *   nodes            entityId                         -> parentZoneId | x   (locator: the rest of the zone index key)
 *   zone_index       parentZoneId | x | entityId      -> NodeCodec record  (children by prefix; regions by x range)
 *   edges_out        fromId | kind (1 byte) | toId    -> (empty)
 *   edges_in         toId | kind (1 byte) | fromId    -> (empty)
 *   stowed           itemId                           -> ownerPlayerId | containerId | NodeCodec record
 *   stowed_by_owner  ownerPlayerId | itemId           -> (empty)
 *   wallets          playerId                         -> balance
 *   reputation       playerId | factionId (4 bytes)   -> standing
 *   operations       playerId | operationId           -> status (4 bytes) | value | type (4 bytes) | subject | delta
 *   outbox           playerId | operationId           -> kind (4 bytes) | itemId | containerId | nodeId | NodeCodec
 *   departed         entityId                         -> (empty: left for a Global store elsewhere)
 * </pre>
 * An operation is keyed by its player and the player's operation id (format 2; format 1 keyed operations by a
 * global id and is not migrated: the adapter refuses to open it).
 * A node lives in the zone index, clustered by parent zone: a subtree or region load is a series of prefix or range
 * scans that read the records themselves, with no lookup per node. The small locator in {@code nodes} finds a node by
 * id (and tells a write which index entry to delete when a node moves). Values are little endian.
 * Threading: stateless.
 */
final class RocksDbKeys
{
    static final int ID_LENGTH = 8;
    static final int PAIR_LENGTH = 16;
    static final int ZONE_INDEX_LENGTH = 24;
    static final int EDGE_LENGTH = 17;
    /** An edge a STOW outbox entry keeps: the entry's key (player, operation id), then the edge (from, kind, to). */
    static final int OUTBOX_EDGE_LENGTH = PAIR_LENGTH + EDGE_LENGTH;
    /** Room for the longest key. */
    static final int MAX_KEY_LENGTH = OUTBOX_EDGE_LENGTH;
    static final int REPUTATION_LENGTH = 12;
    static final int LOCATOR_LENGTH = 16;
    static final int OPERATION_STATUS_OFFSET = 0;
    static final int OPERATION_VALUE_OFFSET = 4;
    static final int OPERATION_TYPE_OFFSET = 12;
    static final int OPERATION_SUBJECT_OFFSET = 16;
    static final int OPERATION_DELTA_OFFSET = 24;
    static final int OPERATION_VALUE_LENGTH = 32;
    static final int STOWED_HEADER_LENGTH = 16;
    static final int OUTBOX_KIND_OFFSET = 0;
    static final int OUTBOX_ITEM_ID_OFFSET = 4;
    static final int OUTBOX_CONTAINER_ID_OFFSET = 12;
    static final int OUTBOX_NODE_ID_OFFSET = 20;
    static final int OUTBOX_HEADER_LENGTH = 28;
    /** Flag in an outbox entry's kind: the stowed node was in the graph (a refused deposit puts it back). */
    static final int OUTBOX_WAS_IN_GRAPH = 0x100;

    static final ByteOrder KEY_ORDER = ByteOrder.BIG_ENDIAN;
    static final ByteOrder VALUE_ORDER = ByteOrder.LITTLE_ENDIAN;

    private RocksDbKeys()
    {
    }

    static void putSortable(final MutableDirectBuffer buffer, final int offset, final long value)
    {
        buffer.putLong(offset, value ^ Long.MIN_VALUE, KEY_ORDER);
    }

    static long getSortable(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset, KEY_ORDER) ^ Long.MIN_VALUE;
    }

    static int id(final MutableDirectBuffer buffer, final long id)
    {
        putSortable(buffer, 0, id);
        return ID_LENGTH;
    }

    static int pair(final MutableDirectBuffer buffer, final long first, final long second)
    {
        putSortable(buffer, 0, first);
        putSortable(buffer, ID_LENGTH, second);
        return PAIR_LENGTH;
    }

    static int zoneIndex(final MutableDirectBuffer buffer, final long parentZoneId, final long x, final long entityId)
    {
        putSortable(buffer, 0, parentZoneId);
        putSortable(buffer, ID_LENGTH, x);
        putSortable(buffer, PAIR_LENGTH, entityId);
        return ZONE_INDEX_LENGTH;
    }

    static int edge(final MutableDirectBuffer buffer, final long firstId, final int kindCode, final long secondId)
    {
        putSortable(buffer, 0, firstId);
        buffer.putByte(ID_LENGTH, (byte)kindCode);
        putSortable(buffer, ID_LENGTH + 1, secondId);
        return EDGE_LENGTH;
    }

    /**
     * The key of an edge kept with an outbox entry: it sorts right after the entry's own key (a prefix of it), so
     * the entry and its edges are one range.
     */
    static int outboxEdge(
        final MutableDirectBuffer buffer,
        final long playerId,
        final long operationId,
        final long fromId,
        final int kindCode,
        final long toId)
    {
        putSortable(buffer, 0, playerId);
        putSortable(buffer, ID_LENGTH, operationId);
        putSortable(buffer, PAIR_LENGTH, fromId);
        buffer.putByte(PAIR_LENGTH + ID_LENGTH, (byte)kindCode);
        putSortable(buffer, PAIR_LENGTH + ID_LENGTH + 1, toId);
        return OUTBOX_EDGE_LENGTH;
    }

    static int reputation(final MutableDirectBuffer buffer, final long playerId, final int factionId)
    {
        putSortable(buffer, 0, playerId);
        buffer.putInt(ID_LENGTH, factionId ^ Integer.MIN_VALUE, KEY_ORDER);
        return REPUTATION_LENGTH;
    }
}
