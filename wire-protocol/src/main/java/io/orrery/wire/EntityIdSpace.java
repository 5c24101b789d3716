/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.wire;

/**
 * How the 64-bit entity id space of a shard is divided, so that ids minted by different parties never collide. This
 * is the one definition; every other name for these ranges is an alias of it.
 * <pre>
 *   [1, 2^40)          player entities: the entity id of a player is its player id
 *   [2^40, 2^41)       entities created by the Replication Layer's in-process scripted authority
 *   [2^41, 2^60)       blocks of 2^28 ids, one per game server id (base 2^41 + serverId x 2^28), handed to the
 *                      server in ServerWelcome for EntityCreateRequest
 *   [2^60, 2^61)       inventory items: the starter item of player p is 2^60 + p
 * </pre>
 * Threading: constants and pure functions.
 */
public final class EntityIdSpace
{
    /**
     * Player ids (and so player entity ids) are below this.
     */
    public static final long MAX_PLAYER_ID_EXCLUSIVE = 1L << 40;
    /**
     * First id of the scripted authority's entities.
     */
    public static final long SCRIPTED_BASE = 1L << 40;
    /**
     * First id of the game servers' blocks.
     */
    public static final long SERVER_BLOCK_BASE = 1L << 41;
    /**
     * log2 of {@link #SERVER_BLOCK_SIZE}.
     */
    public static final int SERVER_BLOCK_SHIFT = 28;
    /**
     * Ids in one game server's block.
     */
    public static final long SERVER_BLOCK_SIZE = 1L << SERVER_BLOCK_SHIFT;
    /**
     * First id of inventory items.
     */
    public static final long ITEM_BASE = 1L << 60;
    /**
     * Item ids are below this.
     */
    public static final long ITEM_LIMIT = 1L << 61;

    private EntityIdSpace()
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
     * @return the first id of a game server's block.
     */
    public static long serverBlockBase(final int serverId)
    {
        return SERVER_BLOCK_BASE + ((long)serverId << SERVER_BLOCK_SHIFT);
    }

    /**
     * @return whether an id lies in a game server's block.
     */
    public static boolean isInServerBlock(final long entityId, final int serverId)
    {
        final long base = serverBlockBase(serverId);
        return entityId >= base && entityId < base + SERVER_BLOCK_SIZE;
    }

    /**
     * @return the id of the item every player is granted once, on first joining a shard with persistence.
     */
    public static long starterItemId(final long playerId)
    {
        return ITEM_BASE + playerId;
    }
}
