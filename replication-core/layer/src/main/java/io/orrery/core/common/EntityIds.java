/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.common;

/**
 * How the 64-bit entity id space of a shard is divided, so that ids minted by different parties never collide:
 * <pre>
 *   [1, 2^40)          player entities: the entity id of a player is its player id
 *   [2^40, 2^41)       entities created by the in-process scripted authority
 *   [2^41, 2^60)       blocks handed to game servers in ServerWelcome for EntityCreateRequest
 *   [2^60, 2^61)       inventory items: the starter item of player p is 2^60 + p
 * </pre>
 * Operation ids of the Global store are per player: the store keys every operation by (player, operation id), so
 * a client's operation id (unique per player, chosen by the client) can never name another player's operation.
 * Client operation ids are positive ({@link #isClientOperationId(long)}); ids 0 and below are the Replication
 * Layer's own, refused from clients: {@link #STARTER_GRANT_OPERATION_ID} is the starter item grant's.
 */
public final class EntityIds
{
    public static final long MAX_PLAYER_ID_EXCLUSIVE = 1L << 40;
    public static final long SCRIPTED_BASE = 1L << 40;
    public static final long SERVER_BLOCK_BASE = 1L << 41;
    public static final long ITEM_BASE = 1L << 60;
    public static final long ITEM_LIMIT = 1L << 61;

    /**
     * The operation id of the starter item grant, under the player's key in the Global store; no client may use it.
     */
    public static final long STARTER_GRANT_OPERATION_ID = 0;

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
     * @return whether a client may use the operation id: positive; the rest is reserved for the layer's own
     * operations ({@link #STARTER_GRANT_OPERATION_ID}).
     */
    public static boolean isClientOperationId(final long operationId)
    {
        return operationId > 0;
    }
}
