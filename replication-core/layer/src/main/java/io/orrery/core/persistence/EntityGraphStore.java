/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.persistence;

/**
 * The <b>EntityGraph</b> of one shard: its unstowed entities as nodes (archetype, zone, transform, component state)
 * and edges ({@link EdgeKind#IN_ZONE}, {@link EdgeKind#CONTAINS}, {@link EdgeKind#ATTACHED_TO}); written
 * write-behind in coalesced {@link WorldBatch}es; queried by zone subtree and by region. One per shard: two shards
 * never share a graph (a shard is a world), while they share one {@link GlobalStore}.
 * <p>
 * Contract (checked for every adapter by the contract suite in {@code persistence-adapters}): every method that
 * changes anything returns only once its effect is durable, or throws {@link PersistenceException} having changed
 * nothing; a batch is atomic. The IN_ZONE edge of a node is implied by {@link NodeRecord#parentZoneId} and kept by
 * the store itself; removing a node removes every edge that touches it.
 * <p>
 * Threading: called from one thread at a time; implementations need not be thread safe, and may allocate.
 */
public interface EntityGraphStore extends AutoCloseable
{
    /**
     * Human readable name for logs and reports, e.g. {@code "rocksdb:/var/orrery/shard-1"}.
     *
     * @return the store's name.
     */
    String name();

    /**
     * Apply a batch of node and edge upserts and removals atomically and durably. Removals are applied after upserts
     * for the same id within one batch, so Scribe coalesces before calling.
     *
     * @param batch to apply; not retained after return.
     */
    void write(WorldBatch batch);

    /**
     * Load a zone and every node below it in the zone tree (through IN_ZONE edges), parents before children.
     *
     * @param rootZoneId of the subtree; the root itself is included when it is a stored node.
     * @param handler    called once per node; the record is reused between calls.
     * @return number of nodes loaded.
     */
    int loadZoneSubtree(long rootZoneId, NodeHandler handler);

    /**
     * Load the nodes whose parent zone is {@code zoneId} and whose position lies within the box (inclusive, zone
     * local millimetres), each with its own zone subtree when it is a zone, parents before children.
     *
     * @return number of nodes loaded.
     */
    int loadRegion(long zoneId, long minX, long minY, long minZ, long maxX, long maxY, long maxZ, NodeHandler handler);

    /**
     * Load every node of the graph, parents before children (recovery).
     *
     * @return number of nodes loaded.
     */
    int loadAll(NodeHandler handler);

    /**
     * Load every edge of the given kinds that touches the entity.
     *
     * @return number of edges loaded.
     */
    int loadEdges(long entityId, EdgeHandler handler);

    /**
     * @return the number of nodes in the graph (tests and reports; may be slow).
     */
    long nodeCount();

    @Override
    void close();

    /**
     * Receives loaded nodes. The record is reused: copy what you keep.
     */
    @FunctionalInterface
    interface NodeHandler
    {
        void onNode(NodeRecord node);
    }

    /**
     * Receives loaded edges.
     */
    @FunctionalInterface
    interface EdgeHandler
    {
        void onEdge(long fromId, long toId, EdgeKind kind);
    }
}
