/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.persistence;

/**
 * The persistence SPI: what Scribe writes the world through, a shard's view of two stores:
 * <ul>
 *     <li>the <b>EntityGraph</b> of unstowed entities: nodes (archetype, zone, transform, component state) and edges
 *     ({@link EdgeKind#IN_ZONE}, {@link EdgeKind#CONTAINS}, {@link EdgeKind#ATTACHED_TO}); written write-behind in
 *     coalesced {@link WorldBatch}es; queried by zone subtree and by region;</li>
 *     <li>the <b>Global store</b>: stowed items (by owner and container), wallets and reputation; changed only by
 *     atomic, idempotent operations that carry an operation id. One per deployment, shared by its shards.</li>
 * </ul>
 * The graph side is {@link EntityGraphStore}. An adapter either holds both stores in one database (in memory, one
 * RocksDB, or one PostgreSQL database with the shard's graph in the shard's schema and the Global store in a schema
 * all shards share), so that stow and unstow are each one transaction; or composes a shard's graph with a separate
 * {@link GlobalStore} through an outbox (see {@code persistence-adapters}), keeping the same contract.
 * Contract, checked for every adapter by the contract test suite in {@code persistence-adapters}:
 * <ul>
 *     <li>Every method returns only once its effect is durable (a synced write or a committed transaction), or throws
 *     {@link PersistenceException} having changed nothing. A batch or operation is atomic: all or nothing.</li>
 *     <li>The IN_ZONE edge of a node is implied by {@link NodeRecord#parentZoneId} and kept by the adapter itself;
 *     removing a node removes every edge that touches it.</li>
 *     <li>Stow moves a node out of the graph into the Global store, unstow moves it back, in one transaction: an
 *     item is never in both stores or in neither.</li>
 *     <li>Operations are idempotent by their <b>key, the pair (player, operation id)</b>: the player is
 *     {@link StowOperation#ownerPlayerId} for stow and unstow, {@link WalletOperation#playerId} for wallet and
 *     reputation changes. Operation ids are chosen per player (clients choose theirs), so one player's ids never
 *     name another player's operations. The first execution of a key records its outcome together with what the
 *     operation was (its {@link OperationType}, its subject: the item for stow and unstow, the faction for
 *     reputation, and its delta for wallet and reputation). A later call with the same key and the same kind,
 *     subject and delta is a replay: it returns the recorded outcome ({@link OperationStatus#DUPLICATE} when it was
 *     applied) and changes nothing. A call with the same key and anything else is refused with
 *     {@link OperationStatus#OPERATION_CONFLICT}: nothing changes, the recorded outcome stays, nothing is recorded.
 *     </li>
 *     <li>A wallet never goes negative: a change that would overdraw it fails with
 *     {@link OperationStatus#INSUFFICIENT_FUNDS} and changes nothing.</li>
 * </ul>
 * Threading: called from one thread at a time (Scribe's consumer thread, or a loader); adapters need not be thread
 * safe. Adapters may allocate (JNI, JDBC): the zero-allocation guarantee is Scribe's producer side.
 */
public interface PersistenceAdapter extends EntityGraphStore
{
    /**
     * Stow: remove the node {@code op.entityId} (and its edges) from the graph and insert it into the Global store
     * as an item of {@code op.ownerPlayerId} in {@code op.containerId}, in one transaction. The item keeps the
     * node's archetype and component state; the node record in {@code op} carries them (the Replicant's latest
     * state), so the stow succeeds even when the node had not yet been written behind.
     *
     * @param op     the operation; {@link StowOperation#status} and {@link StowOperation#value} receive the outcome.
     */
    void stow(StowOperation op);

    /**
     * Unstow: remove item {@code op.entityId} of owner {@code op.ownerPlayerId} from the Global store and insert
     * {@code op.node} into the graph, in one transaction. When applied now ({@link OperationStatus#OK}),
     * {@code op.node} is left holding the node as inserted (target id, and the stored item's archetype and component
     * state where the request left them 0), so the caller can put the entity back into its cache.
     *
     * @param op the operation; {@link StowOperation#status} receives the outcome.
     */
    void unstow(StowOperation op);

    /**
     * Look up the key of a stow or unstow without changing anything: what a replay of {@code op} would return, for a
     * caller that has lost the outcome (a restarted layer answering a client's resend) and must not run the operation
     * again to learn it (its own checks would refuse it, or its request no longer carries the item's state).
     *
     * @param op   the operation, of kind {@code type}: its key ({@link StowOperation#ownerPlayerId},
     *             {@link StowOperation#operationId}) and item ({@link StowOperation#entityId}).
     * @param type {@link OperationType#STOW} or {@link OperationType#UNSTOW}.
     * @return {@link OperationStatus#PENDING} when the key is not recorded (nothing set in {@code op}); else the
     * outcome, also set in {@code op} as a replay sets it: the replay of the recorded operation
     * ({@link OperationStatus#DUPLICATE} with the first status when it was applied, the recorded refusal otherwise),
     * or {@link OperationStatus#OPERATION_CONFLICT} when the key holds another operation.
     */
    int recordedOutcome(StowOperation op, int type);

    /**
     * Add {@code delta} (may be negative) to the player's wallet in one transaction, idempotent by operation id.
     *
     * @param op the operation; on success {@link WalletOperation#value} is the new balance.
     */
    void changeWallet(WalletOperation op);

    /**
     * Add {@code delta} to the player's reputation with a faction, idempotent by operation id.
     *
     * @param op the operation; on success {@link WalletOperation#value} is the new standing.
     */
    void changeReputation(WalletOperation op);

    /**
     * @return the player's balance, 0 for an unknown player.
     */
    long walletBalance(long playerId);

    /**
     * @return the player's standing with the faction, 0 when unknown.
     */
    long reputation(long playerId, int factionId);

    /**
     * Load the stowed items of an owner.
     *
     * @return number of items loaded.
     */
    int loadStowedItems(long ownerPlayerId, StowedItemHandler handler);

    /**
     * @return whether the item is in the Global store.
     */
    boolean isStowed(long itemId);

    /**
     * Group commit: whether {@link #beginGroup()} is supported. Scribe groups the consecutive operations it drains
     * from its ring (and the world changes pending before them, when one of them depends on those) into one
     * transaction when it is.
     *
     * @return false unless the adapter implements the group methods.
     */
    default boolean supportsGroupCommit()
    {
        return false;
    }

    /**
     * Open a group: until {@link #commitGroup()} or {@link #abortGroup()}, {@link #write(WorldBatch)},
     * {@link #stow}, {@link #unstow}, {@link #changeWallet} and {@link #changeReputation} run in one transaction and
     * are not durable when they return: their outcomes (set in the operations as usual) become durable, all
     * together, when {@link #commitGroup()} returns. A call that throws inside a group has rolled back the whole
     * group (nothing of it is applied); the caller then calls {@link #abortGroup()} and may run the same calls again
     * one by one.
     */
    default void beginGroup()
    {
        throw new UnsupportedOperationException(name() + " cannot group operations");
    }

    /**
     * Commit the open group: every call of the group durable, or (when this throws {@link PersistenceException})
     * none of them applied.
     */
    default void commitGroup()
    {
        throw new UnsupportedOperationException(name() + " cannot group operations");
    }

    /**
     * Roll back the open group, if any, and leave group mode. Never throws.
     */
    default void abortGroup()
    {
    }

    /**
     * Asynchronous write-behind: whether {@link #writeBehind(WorldBatch)} may return before its commit is flushed to
     * the store's log, and {@link #isLogFlushed()} and {@link #flushLog()} tell when it is. Such an adapter keeps
     * one log in commit order: anything it makes durable later (a {@link #write}, an operation, a group commit,
     * {@link #flushLog()}) makes every earlier asynchronous batch durable too.
     *
     * @return false unless the adapter implements the three methods (then {@link #writeBehind} is {@link #write}).
     */
    default boolean supportsAsyncWriteBehind()
    {
        return false;
    }

    /**
     * Write a batch nobody waits for (Scribe's write-behind flush): applied and visible when it returns, atomic, but
     * durable only once {@link #isLogFlushed()} says so, or anything later is durable.
     */
    default void writeBehind(final WorldBatch batch)
    {
        write(batch);
    }

    /**
     * Non-blocking (a read): whether every batch {@link #writeBehind} wrote before this call is durable. An adapter
     * may answer false to the first call after a write and learn there how far its log must be flushed.
     */
    default boolean isLogFlushed()
    {
        return true;
    }

    /**
     * Make every batch written by {@link #writeBehind} durable, waiting for the store's log.
     */
    default void flushLog()
    {
    }

    /**
     * A second session on this adapter's graph for world batches written on another thread (Scribe's
     * {@link ScribeContext#worldWriter() world writer}): its {@link EntityGraphStore#write} commits in a transaction
     * of its own, concurrently with this adapter's operations, and this adapter sees what it committed. The caller
     * owns and closes it.
     *
     * @return the session, or null when the adapter has none (then world batches are written on this session).
     */
    default EntityGraphStore openWorldWriter()
    {
        return null;
    }

    /**
     * Receives stowed items. The record is reused: copy what you keep.
     */
    @FunctionalInterface
    interface StowedItemHandler
    {
        void onItem(long itemId, long ownerPlayerId, long containerId, NodeRecord item);
    }
}
