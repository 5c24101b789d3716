/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.persistence;

import io.orrery.core.common.EntityIds;
import org.agrona.ErrorHandler;

/**
 * Scribe's warm-up of the store ({@link ScribeContext#warmUp()}): before the consumer takes its first event, a world
 * write, a stow and an unstow of an entity no client can name run {@link #ROUNDS} times, each round in a group
 * transaction rolled back. The store's first executions (PostgreSQL: planning the functions' statements, preparing
 * the driver's statements on the server after its prepare threshold) happen here rather than in clients' first
 * operations, and nothing stays in the store.
 * <p>
 * Threading: Scribe's consumer thread, in its agent's {@code onStart}. Control path: allocates.
 */
final class ScribeWarmUp
{
    /**
     * Rounds: more than the PostgreSQL driver's prepare threshold (5).
     */
    static final int ROUNDS = 6;

    private static final long ENTITY_ID = EntityIds.ITEM_LIMIT - 1;
    private static final long PLAYER_ID = EntityIds.MAX_PLAYER_ID_EXCLUSIVE - 1;

    private ScribeWarmUp()
    {
    }

    /**
     * Run the rounds; a store that fails ends them, reported to the error handler (the first operations then pay for
     * what was not warmed, as without a warm-up).
     *
     * @param adapter      an adapter that {@link PersistenceAdapter#supportsGroupCommit() supports groups}.
     * @param errorHandler told a failure.
     */
    static void run(final PersistenceAdapter adapter, final ErrorHandler errorHandler)
    {
        final WorldCoalescer batch = new WorldCoalescer(1);
        final NodeRecord node = new NodeRecord();
        node.entityId = ENTITY_ID;
        node.ownerPlayerId = PLAYER_ID;
        node.radius = 0.5f;
        final StowOperation op = new StowOperation();
        for (int round = 0; round < ROUNDS; round++)
        {
            try
            {
                adapter.beginGroup();
                batch.clear();
                batch.upsert(node);
                adapter.write(batch.batch());
                adapter.stow(operation(op, Long.MAX_VALUE, node));
                adapter.unstow(operation(op, Long.MAX_VALUE - 1, node));
            }
            catch (final RuntimeException ex)
            {
                errorHandler.onError(new PersistenceException("scribe warm-up ended in round " + round, ex));
                return;
            }
            finally
            {
                adapter.abortGroup();
            }
        }
    }

    private static StowOperation operation(final StowOperation op, final long operationId, final NodeRecord node)
    {
        op.reset();
        op.operationId = operationId;
        op.entityId = node.entityId;
        op.ownerPlayerId = PLAYER_ID;
        op.node.copyFrom(node);
        return op;
    }
}
