/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core;

/**
 * How the 64-bit entity id space of a shard is divided, so that ids minted by different parties never collide:
 * <pre>
 *   [1, 2^40)          player entities: the entity id of a player is its player id
 *   [2^40, 2^41)       entities created by the in-process scripted authority
 *   [2^41, 2^60)       blocks handed to game servers in ServerWelcome for EntityCreateRequest
 *   [2^60, 2^61)       inventory items: the starter item of player p is 2^60 + p
 * </pre>
 * Operation ids of the Global store are global too: a client's operation id is only unique per player, so the
 * Replication Layer derives the store's operation id from both (see {@link #storeOperationId(long, long)}).
 */
public final class EntityIds
{
    public static final long MAX_PLAYER_ID_EXCLUSIVE = 1L << 40;
    public static final long SCRIPTED_BASE = 1L << 40;
    public static final long SERVER_BLOCK_BASE = 1L << 41;
    public static final long ITEM_BASE = 1L << 60;
    public static final long ITEM_LIMIT = 1L << 61;

    private EntityIds()
    {
    }

    public static boolean isPlayer(final long entityId)
    {
        return entityId > 0 && entityId < MAX_PLAYER_ID_EXCLUSIVE;
    }

    public static boolean isItem(final long entityId)
    {
        return entityId >= ITEM_BASE && entityId < ITEM_LIMIT;
    }

    /**
     * @return the id of the item every player is granted once, on first joining a shard with persistence.
     */
    public static long starterItemId(final long playerId)
    {
        return ITEM_BASE + playerId;
    }

    /**
     * The Global store's operation id for a client's operation: a 64-bit mix of the player id and the client's id
     * (unique per player), so retries by the same player map to the same store operation and different players
     * never share one. Client operation id 0 is reserved for the starter item grant.
     */
    public static long storeOperationId(final long playerId, final long clientOperationId)
    {
        long z = playerId * 0x9E3779B97F4A7C15L + clientOperationId;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return (z ^ (z >>> 31)) & Long.MAX_VALUE;
    }
}
