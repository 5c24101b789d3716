/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.persistence;

import com.lmax.disruptor.EventFactory;

/**
 * One pre-allocated slot of Scribe's ring: a world change (node upsert or removal, edge change), an operation (stow,
 * unstow, wallet or reputation change), a flush barrier or a region load. Which fields are meaningful depends on {@link #type}.
 * <p>
 * Threading: written by the producer between {@code next()} and {@code publish()}, then read by the consumer only.
 */
final class ScribeEvent
{
    static final int NODE_UPSERT = 1;
    static final int NODE_REMOVAL = 2;
    static final int EDGE = 3;
    static final int STOW = 4;
    static final int UNSTOW = 5;
    static final int WALLET = 6;
    static final int REPUTATION = 7;
    static final int FLUSH = 8;
    static final int LOAD_REGION = 9;
    /** Look-up of a stow's or unstow's key ({@link #lookupType}): an operation that changes nothing. */
    static final int OPERATION_LOOKUP = 10;

    static final EventFactory<ScribeEvent> FACTORY = ScribeEvent::new;

    int type;
    /** Node upserts, stow (latest state) and unstow (where the item reappears). */
    final NodeRecord node = new NodeRecord();
    /** Node removal; stow/unstow item id. */
    long entityId;
    long operationId;
    long correlationId;
    /** Stow/unstow owner; wallet/reputation player. */
    long playerId;
    long containerId;
    int factionId;
    long delta;
    /** Operation lookup: {@link OperationType#STOW} or {@link OperationType#UNSTOW}. */
    int lookupType;
    long edgeFrom;
    long edgeTo;
    int edgeKindCode;
    boolean edgeRemoved;
    /** Load region: the box (inclusive, zone-local millimetres); the zone is {@link #entityId}. */
    long minX;
    long minY;
    long minZ;
    long maxX;
    long maxY;
    long maxZ;
    /** Operations: the {@link OperationTimeline} record, -1 when not traced. */
    long traceId = -1;

    ScribeEvent copyFrom(final ScribeEvent other)
    {
        type = other.type;
        node.copyFrom(other.node);
        entityId = other.entityId;
        operationId = other.operationId;
        correlationId = other.correlationId;
        playerId = other.playerId;
        containerId = other.containerId;
        factionId = other.factionId;
        delta = other.delta;
        lookupType = other.lookupType;
        edgeFrom = other.edgeFrom;
        edgeTo = other.edgeTo;
        edgeKindCode = other.edgeKindCode;
        edgeRemoved = other.edgeRemoved;
        minX = other.minX;
        minY = other.minY;
        minZ = other.minZ;
        maxX = other.maxX;
        maxY = other.maxY;
        maxZ = other.maxZ;
        traceId = other.traceId;
        return this;
    }

    static boolean isOperation(final int type)
    {
        return (type >= STOW && type <= REPUTATION) || OPERATION_LOOKUP == type;
    }
}
