/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.common;

import io.orrery.wire.EntityIdSpace;

/**
 * How the 64-bit entity id space of a shard is divided, so that ids minted by different parties never collide (the
 * ranges are aliases of {@link EntityIdSpace}, their one definition, which the links and game servers share):
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
    public static final long MAX_PLAYER_ID_EXCLUSIVE = EntityIdSpace.MAX_PLAYER_ID_EXCLUSIVE;
    public static final long SCRIPTED_BASE = EntityIdSpace.SCRIPTED_BASE;
    public static final long SERVER_BLOCK_BASE = EntityIdSpace.SERVER_BLOCK_BASE;
    public static final long ITEM_BASE = EntityIdSpace.ITEM_BASE;
    public static final long ITEM_LIMIT = EntityIdSpace.ITEM_LIMIT;

    /**
     * The operation id of the starter item grant, under the player's key in the Global store; no client may use it.
     */
    public static final long STARTER_GRANT_OPERATION_ID = 0;

    private EntityIds()
    {
    }

    public static boolean isPlayer(final long entityId)
    {
        return EntityIdSpace.isPlayer(entityId);
    }

    public static boolean isItem(final long entityId)
    {
        return EntityIdSpace.isItem(entityId);
    }

    /**
     * @return the id of the item every player is granted once, on first joining a shard with persistence.
     */
    public static long starterItemId(final long playerId)
    {
        return EntityIdSpace.starterItemId(playerId);
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
