/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.persistence;

/**
 * Receives the nodes of a region load offered with {@link Scribe#offerLoadRegion}, on the producer's thread, from
 * {@link Scribe#pollLoads(LoadHandler, int)}: every node of the region (parents before children), then exactly one
 * {@link #onLoadComplete}. A load that failed in the store is retried by Scribe; nodes delivered by the failed attempt
 * are delivered again, so the receiver skips ids it holds already.
 */
public interface LoadHandler
{
    /**
     * @param correlationId as offered with the load.
     * @param node          a loaded node, reused between calls: copy what you keep.
     */
    void onLoadedNode(long correlationId, NodeRecord node);

    /**
     * @param correlationId as offered with the load.
     * @param nodeCount     nodes the successful attempt loaded.
     */
    void onLoadComplete(long correlationId, int nodeCount);
}
