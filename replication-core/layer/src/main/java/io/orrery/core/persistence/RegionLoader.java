/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.persistence;

import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.status.AtomicCounter;

import static io.orrery.core.persistence.CompletionDescriptor.CORRELATION_ID_OFFSET;
import static io.orrery.core.persistence.CompletionDescriptor.LENGTH;
import static io.orrery.core.persistence.CompletionDescriptor.VALUE_OFFSET;

/**
 * The reads {@link ScribeConsumer} makes of the graph: region loads, whose nodes and completion it posts to the load
 * ring for the producer, and the look-up of one node (an unstowed one) in its position's region.
 * <p>
 * Owns the load ring's producer side, the handlers the adapter calls back (built once: a load allocates nothing), and
 * the counters of regions and nodes loaded and of a full load ring. A store failure is the caller's to count and
 * retry: the adapter's exception passes through, and {@link #wasAbandoned()} tells a load given up because the load
 * ring was full in agent invoker mode (the producer is this thread, so it cannot poll while the load waits).
 * <p>
 * Threading: Scribe's consumer thread only, except {@link #closing()}, which any thread may call.
 */
final class RegionLoader
{
    private final PersistenceAdapter adapter;
    private final OneToOneRingBuffer loads;
    private final AtomicBuffer loadBuffer;
    private final boolean waitForLoadRing;
    private final PersistenceAdapter.NodeHandler loadHandler = this::onLoadedNode;
    private final PersistenceAdapter.NodeHandler lookupHandler = this::onLookupNode;
    private final NodeRecord lookupNode = new NodeRecord();
    private final AtomicCounter regionsLoaded;
    private final AtomicCounter nodesLoaded;
    private final AtomicCounter loadRingFull;
    private long loadCorrelationId;
    private boolean loadAbandoned;
    private long lookupId;
    private boolean lookupFound;
    private volatile boolean closing;

    RegionLoader(
        final PersistenceAdapter adapter,
        final OneToOneRingBuffer loads,
        final boolean waitForLoadRing,
        final AtomicCounter[] counters)
    {
        this.adapter = adapter;
        this.loads = loads;
        this.loadBuffer = loads.buffer();
        this.waitForLoadRing = waitForLoadRing;
        regionsLoaded = counters[ScribeCounter.REGIONS_LOADED.id()];
        nodesLoaded = counters[ScribeCounter.NODES_LOADED.id()];
        loadRingFull = counters[ScribeCounter.LOAD_RING_FULL.id()];
    }

    /**
     * Stop waiting for room in the load ring (close: the producer no longer polls).
     */
    void closing()
    {
        closing = true;
    }

    /**
     * @return the regions loaded so far (for the operation timeline).
     */
    long regionsLoaded()
    {
        return regionsLoaded.get();
    }

    /**
     * Run a region load into the load ring, then post its completion.
     *
     * @param event the {@link ScribeEvent#LOAD_REGION} event: zone in {@code entityId}, the box, the correlation id.
     * @return the number of nodes loaded.
     * @throws RuntimeException when the store failed or the load was abandoned ({@link #wasAbandoned()}).
     */
    int load(final ScribeEvent event)
    {
        loadCorrelationId = event.correlationId;
        loadAbandoned = false;
        final int count = adapter.loadRegion(
            event.entityId, event.minX, event.minY, event.minZ, event.maxX, event.maxY, event.maxZ, loadHandler);

        final int index = claimLoadMessage(CompletionDescriptor.MSG_TYPE_ID_LOAD_COMPLETE, LENGTH);
        if (index >= 0)
        {
            loadBuffer.putLong(index + CORRELATION_ID_OFFSET, loadCorrelationId);
            loadBuffer.putLong(index + VALUE_OFFSET, count);
            loads.commit(index);
            regionsLoaded.incrementRelease();
        }
        return count;
    }

    /**
     * @return whether the last {@link #load} threw because the load ring was full in agent invoker mode (not a store
     * failure: retried after a backoff all the same).
     */
    boolean wasAbandoned()
    {
        return loadAbandoned;
    }

    /**
     * Look up one node in the store where a request put it (an unstow's position and parent zone).
     *
     * @return the node, in a record reused by the next look-up, or null when it is not there.
     */
    NodeRecord lookUpNode(final NodeRecord request, final long targetId)
    {
        lookupId = targetId;
        lookupFound = false;
        adapter.loadRegion(request.parentZoneId, request.x, request.y, request.z, request.x, request.y, request.z,
            lookupHandler);
        return lookupFound ? lookupNode : null;
    }

    private void onLookupNode(final NodeRecord node)
    {
        if (node.entityId == lookupId)
        {
            lookupNode.copyFrom(node);
            lookupFound = true;
        }
    }

    private void onLoadedNode(final NodeRecord node)
    {
        final int index = claimLoadMessage(
            CompletionDescriptor.MSG_TYPE_ID_LOADED_NODE, CompletionDescriptor.NODE_STATE_OFFSET +
            node.componentStateLength);
        if (index >= 0)
        {
            loadBuffer.putLong(index + CORRELATION_ID_OFFSET, loadCorrelationId);
            CompletionDescriptor.encodeNode(loadBuffer, index, node);
            loads.commit(index);
            nodesLoaded.incrementRelease();
        }
    }

    /**
     * Claim room in the load ring, waiting for the producer to poll while it is full (consumer thread). Returns -1
     * only while closing (the producer no longer polls: what the load would deliver is still in the store).
     */
    private int claimLoadMessage(final int msgTypeId, final int length)
    {
        int index = loads.tryClaim(msgTypeId, length);
        if (index >= 0)
        {
            return index;
        }
        loadRingFull.incrementRelease();
        if (!waitForLoadRing)
        {
            loadAbandoned = true;
            throw new PersistenceException("scribe load ring full: load abandoned, retried after a backoff");
        }
        while ((index = loads.tryClaim(msgTypeId, length)) < 0)
        {
            if (closing)
            {
                return -1;
            }
            Thread.yield();
        }
        return index;
    }
}
