/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.persistence;

import io.orrery.core.persistence.EntityGraphStore;
import io.orrery.core.persistence.NodeRecord;
import io.orrery.core.persistence.StowOperation;

/**
 * An EntityGraph with an <b>outbox</b>: entries keyed like operations, (player, operation id), written in the same
 * atomic, synced write as the graph change they stand for. {@link OutboxPersistenceAdapter} moves items between such
 * a graph and a {@link io.orrery.core.persistence.GlobalStore} in another database through it: an item on its way
 * out is in the outbox from the moment it left the graph until the Global store has it, and an item on its way in is
 * announced there before the Global store gives it up, so a crash at any moment leaves an entry to finish from.
 * <p>
 * Threading: as the graph's, one caller thread at a time.
 */
public interface OutboxGraph extends EntityGraphStore
{
    /**
     * Entry kind: an item that left the graph for the Global store (a stow in flight).
     */
    int STOW = 1;

    /**
     * Entry kind: an item asked for from the Global store (an unstow in flight).
     */
    int UNSTOW = 2;

    /**
     * {@link #moveToOutbox}: neither the graph nor the operation holds the entity; nothing written.
     */
    int NOT_PRESENT = 0;

    /**
     * {@link #moveToOutbox}: the node was in the graph and moved to the outbox.
     */
    int MOVED_FROM_GRAPH = 1;

    /**
     * {@link #moveToOutbox}: the graph did not hold the node; the state the operation carries went to the outbox.
     */
    int MOVED_FROM_OPERATION = 2;

    /**
     * In one atomic, durable write: remove node {@code op.entityId} and every edge that touches it from the graph
     * (when stored), add a {@link #STOW} entry under {@code op}'s key holding the item: {@code op.node} when it
     * carries the entity's state ({@code op.node.entityId == op.entityId}), else the stored node, and the removed
     * CONTAINS and ATTACHED_TO edges (so that a refused deposit puts them back with the node); and remember that
     * the entity departed, so that a stale world write never brings it back (until {@link #insertFromOutbox} does).
     *
     * @param op   the stow.
     * @param item receives the item as the entry holds it.
     * @return {@link #MOVED_FROM_GRAPH}, {@link #MOVED_FROM_OPERATION}, or {@link #NOT_PRESENT} (nothing written).
     */
    int moveToOutbox(StowOperation op, NodeRecord item);

    /**
     * Durably add an {@link #UNSTOW} entry under {@code op}'s key: the item id, and {@code op.node} (where the item
     * is to reappear).
     */
    void putUnstowEntry(StowOperation op);

    /**
     * In one atomic, durable write: insert {@code node} into the graph (no longer departed), put back the edges the
     * entry under the key kept (those whose other end is a node of the graph now), and remove the entry.
     */
    void insertFromOutbox(long playerId, long operationId, NodeRecord node);

    /**
     * Durably remove the entry under the key (no-op when absent).
     */
    void removeOutboxEntry(long playerId, long operationId);

    /**
     * @return whether the graph holds the node.
     */
    boolean containsNode(long entityId);

    /**
     * Visit every outbox entry (recovery). The handler may change the outbox: entries are read before the first
     * call.
     *
     * @return the number of entries visited.
     */
    int forEachOutboxEntry(OutboxEntryHandler handler);

    /**
     * Receives outbox entries; the record is reused.
     */
    @FunctionalInterface
    interface OutboxEntryHandler
    {
        /**
         * @param kind        {@link #STOW} or {@link #UNSTOW}.
         * @param wasInGraph  for a stow: whether the node was in the graph when it moved to the outbox.
         * @param playerId    of the key (the item's owner).
         * @param operationId of the key.
         * @param itemId      the item.
         * @param containerId the container of a stow, 0 for an unstow.
         * @param node        the item's state (stow) or the node requested (unstow).
         */
        void onEntry(
            int kind, boolean wasInGraph, long playerId, long operationId, long itemId, long containerId,
            NodeRecord node);
    }
}
