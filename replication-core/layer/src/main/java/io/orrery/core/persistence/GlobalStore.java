/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.persistence;

/**
 * The <b>Global store</b> of a deployment, shared by all its shards: stowed items (by owner and container), wallets
 * and reputation, and the record of every operation applied to them. A player's items follow them from shard to
 * shard: a shard stows what the player carries into this store, and the next shard unstows it.
 * <p>
 * Where a shard's {@link EntityGraphStore} lives in another store (an embedded RocksDB graph and a shared PostgreSQL
 * Global store), stow and unstow cannot be one transaction: the shard moves an item through a local outbox and calls
 * {@link #deposit(StowOperation)} and {@link #withdraw(StowOperation)} here, each atomic and idempotent by the
 * operation's key, so that the shard can repeat a call whose outcome it never learned (a crash) until it has one.
 * <p>
 * Contract, for every method: it returns only once its effect is durable, or throws {@link PersistenceException}
 * having changed nothing. Operations are idempotent by their <b>key, the pair (player, operation id)</b> with the
 * rules of {@link PersistenceAdapter}: the first execution records its outcome with what the operation was (kind,
 * subject, delta); a replay returns the recorded outcome ({@link OperationStatus#DUPLICATE} when applied) and changes
 * nothing; another operation under a recorded key is an {@link OperationStatus#OPERATION_CONFLICT}. A deposit is
 * recorded as a {@link OperationType#STOW}, a withdrawal as an {@link OperationType#UNSTOW}, so a key means the same
 * operation whichever shard (or a single-store adapter on the same tables) ran it.
 * <p>
 * Threading: called from one thread at a time; implementations need not be thread safe, and may allocate.
 */
public interface GlobalStore extends AutoCloseable
{
    /**
     * @return a human readable name for logs and reports.
     */
    String name();

    /**
     * Put an item into the store: {@code op.entityId}, owned by {@code op.ownerPlayerId}, in {@code op.containerId},
     * with {@code op.node}'s archetype, transform and component state. Outcomes, in this order: a replay or
     * {@link OperationStatus#OPERATION_CONFLICT} by the key; {@link OperationStatus#CONFLICT} when the item is
     * already stowed; {@link OperationStatus#NOT_FOUND} when the caller has no such entity ({@code present} false);
     * {@link OperationStatus#OK}. Every outcome but OPERATION_CONFLICT is recorded under the key.
     *
     * @param op      the operation; its status fields receive the outcome.
     * @param present whether the caller holds the entity (it left the caller's graph into its outbox).
     */
    void deposit(StowOperation op, boolean present);

    /**
     * Take an item out of the store: item {@code op.entityId} of owner {@code op.ownerPlayerId}. Outcomes, in this
     * order: a replay or {@link OperationStatus#OPERATION_CONFLICT} by the key; {@link OperationStatus#NOT_FOUND};
     * {@link OperationStatus#NOT_OWNER}; {@link OperationStatus#CONFLICT} when the caller's target id is taken
     * ({@code targetOccupied}); {@link OperationStatus#OK}. Every outcome but OPERATION_CONFLICT is recorded. When
     * the item was taken, now or by the replayed call (first status {@link OperationStatus#OK}), {@code item}
     * receives it as it was stored: the withdrawal keeps a copy with its key, so a caller that crashed after the
     * withdrawal committed still gets the item back.
     *
     * @param op             the operation; its status fields receive the outcome.
     * @param targetOccupied whether the id the item would take in the caller's graph is already a node there.
     * @param item           receives the withdrawn item (id, archetype, transform, component state) when taken.
     */
    void withdraw(StowOperation op, boolean targetOccupied, NodeRecord item);

    /**
     * Look up the key of a stow or unstow without changing anything.
     *
     * @param op   the operation, of kind {@code type}.
     * @param type {@link OperationType#STOW} or {@link OperationType#UNSTOW}.
     * @return {@link OperationStatus#PENDING} when the key is not recorded; else the outcome, also set in
     * {@code op}: the replay of the recorded operation or {@link OperationStatus#OPERATION_CONFLICT}.
     */
    int recordedOutcome(StowOperation op, int type);

    /**
     * Add {@code delta} (may be negative) to the player's wallet in one transaction, idempotent by operation id;
     * never overdraws ({@link OperationStatus#INSUFFICIENT_FUNDS}).
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
    int loadStowedItems(long ownerPlayerId, PersistenceAdapter.StowedItemHandler handler);

    /**
     * @return whether the item is in the store.
     */
    boolean isStowed(long itemId);

    @Override
    void close();
}
