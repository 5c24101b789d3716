/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.persistence;

import io.orrery.core.persistence.EdgeKind;
import io.orrery.core.persistence.NodeRecord;
import io.orrery.core.persistence.StowOperation;
import io.orrery.core.persistence.WorldBatch;

/**
 * Checks shared by every adapter, run before anything is written so that a bad batch changes nothing.
 * Threading: stateless.
 */
public final class NodeRecords
{
    private NodeRecords()
    {
    }

    /**
     * @throws IllegalArgumentException when the record cannot be stored.
     */
    public static void validate(final NodeRecord node)
    {
        if (node.componentStateLength < 0 || node.componentStateLength > NodeRecord.MAX_COMPONENT_STATE_LENGTH)
        {
            throw new IllegalArgumentException(
                "node " + node.entityId + ": componentStateLength " + node.componentStateLength + " outside [0, " +
                NodeRecord.MAX_COMPONENT_STATE_LENGTH + "]");
        }
    }

    /**
     * Validate every entry of a batch.
     *
     * @throws IllegalArgumentException on the first entry that cannot be stored; nothing has been written.
     */
    public static void validate(final WorldBatch batch)
    {
        for (int i = 0, n = batch.nodeUpsertCount(); i < n; i++)
        {
            validate(batch.nodeUpsert(i));
        }

        for (int i = 0, n = batch.edgeCount(); i < n; i++)
        {
            final EdgeKind kind = batch.edgeKind(i);
            if (null == kind)
            {
                throw new IllegalArgumentException("edge " + i + " has an unknown kind");
            }
        }
    }

    /**
     * Whether a batch edge is stored explicitly: IN_ZONE edges are implied by {@link NodeRecord#parentZoneId}, so
     * the adapters ignore them in batches.
     */
    public static boolean isExplicit(final EdgeKind kind)
    {
        return kind != EdgeKind.IN_ZONE;
    }

    /**
     * The entity id a stow or unstow puts into the graph: {@code op.node.entityId}, or {@code op.entityId} when the
     * node leaves it 0.
     */
    public static long unstowTargetId(final StowOperation op)
    {
        return 0 != op.node.entityId ? op.node.entityId : op.entityId;
    }

    /**
     * Fill in the node an unstow inserts: {@code op.node} with the target id and no last applied input, and the
     * archetype and component state of the stored item where {@code op.node} leaves them 0.
     *
     * @param op   the unstow.
     * @param item the stored item.
     * @param into receives the node to insert.
     */
    public static void unstowNode(final StowOperation op, final NodeRecord item, final NodeRecord into)
    {
        into.copyFrom(op.node);
        into.entityId = unstowTargetId(op);
        into.lastAppliedInputSequence = 0; // an item back in the world has applied no input yet
        if (0 == into.archetypeId)
        {
            into.archetypeId = item.archetypeId;
        }
        if (0 == into.componentStateLength)
        {
            System.arraycopy(item.componentState, 0, into.componentState, 0, item.componentStateLength);
            into.componentStateLength = item.componentStateLength;
        }
    }

    /**
     * Whether the stow operation carries the entity's state (its node record is for the entity being stowed).
     */
    public static boolean carriesState(final StowOperation op)
    {
        return op.node.entityId == op.entityId;
    }
}
