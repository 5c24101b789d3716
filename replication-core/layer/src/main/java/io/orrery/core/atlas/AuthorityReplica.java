/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.orrery.core.replicant.EntityStore;
import org.agrona.collections.IntArrayList;

import java.util.Arrays;

/**
 * The {@link ServerMesh}'s replica of Atlas's entity authority table, per cache slot, and the reporting that keeps
 * Atlas's own table in step with the cache. For each slot it holds the entity Atlas was told about (its incarnation,
 * the cache's created sequence, -1 if none; its id; the cache's change sequence when its place was last reported)
 * and what Atlas decided for it, applied by the mesh: its authority (a server index), the target, id and release of
 * a handoff in flight. Each tick {@link #reportChanges()} tells Atlas of entities that left the cache, entered it,
 * or moved or changed parent; an entity Atlas no longer holds is forgotten here (no authority, no handoff), so its
 * input is held and its writes refused until Atlas decides again.
 * <p>
 * The arrays are sized to the cache's capacity once and read directly by the mesh's parts ({@link ServerWrites},
 * {@link ServerViews}, {@link AtlasResync}); only this class and the mesh's decision handlers write them. The entity
 * count of each server's connection follows {@link #setOwner}.
 * <p>
 * Threading: Replicant thread only. No allocation after construction.
 */
final class AuthorityReplica
{
    private static final int REPORTED_FIELDS = EntityStore.POSITION | EntityStore.PARENT_ZONE;

    private final EntityStore store;
    private final AtlasCommandHandler atlas;
    private final ServerConnection[] connections;

    final int[] owner;
    final int[] handoffTarget;
    final long[] handoffId;
    final boolean[] handoffReleased;
    /**
     * Per cache slot: the created sequence (incarnation) of the entity Atlas was told about, -1 if none.
     */
    final long[] reportedCreatedSeq;
    private final long[] reportedId;
    private final long[] reportedSeq;
    private final IntArrayList reportedSlots = new IntArrayList();

    AuthorityReplica(
        final EntityStore store, final AtlasCommandHandler atlas, final ServerConnection[] connections)
    {
        this.store = store;
        this.atlas = atlas;
        this.connections = connections;
        final int capacity = store.capacity();
        owner = new int[capacity];
        handoffTarget = new int[capacity];
        handoffId = new long[capacity];
        handoffReleased = new boolean[capacity];
        reportedCreatedSeq = new long[capacity];
        reportedId = new long[capacity];
        reportedSeq = new long[capacity];
        Arrays.fill(owner, ServerMesh.NO_SERVER);
        Arrays.fill(handoffTarget, ServerMesh.NO_SERVER);
        Arrays.fill(reportedCreatedSeq, -1);
    }

    /**
     * @return whether Atlas was told about the entity the slot holds now (this incarnation of it).
     */
    boolean isReported(final int slot)
    {
        return reportedCreatedSeq[slot] == store.createdSeq(slot);
    }

    /**
     * @return the slot of an entity if the cache holds that incarnation of it and Atlas was told about it, else
     * {@link EntityStore#NULL_SLOT}.
     */
    int slotOf(final long entityId, final long incarnation)
    {
        final int slot = store.slotOf(entityId);
        return EntityStore.NULL_SLOT != slot && store.createdSeq(slot) == incarnation &&
            reportedCreatedSeq[slot] == incarnation ? slot : EntityStore.NULL_SLOT;
    }

    /**
     * Tell Atlas about entities that left the cache, entered it, or moved or changed parent since last reported.
     *
     * @return entities reported.
     */
    int reportChanges()
    {
        int work = 0;
        for (int i = reportedSlots.size() - 1; i >= 0; i--)
        {
            final int slot = reportedSlots.getInt(i);
            if (!store.isActive(slot) || store.createdSeq(slot) != reportedCreatedSeq[slot])
            {
                atlas.onEntityRemoved(reportedId[slot], reportedCreatedSeq[slot]);
                forget(slot);
                reportedSlots.fastUnorderedRemove(i);
                work++;
            }
        }
        for (int i = 0, n = store.size(); i < n; i++)
        {
            final int slot = store.activeSlot(i);
            if (reportedCreatedSeq[slot] != store.createdSeq(slot))
            {
                report(slot);
                work++;
            }
            else if (0 != (store.changedSince(slot, reportedSeq[slot]) & REPORTED_FIELDS))
            {
                reportedSeq[slot] = store.changeSeq();
                atlas.onEntityMoved(store.entityId(slot), reportedCreatedSeq[slot], store.parentZoneId(slot),
                    store.positionX(slot), store.positionY(slot), store.positionZ(slot));
                work++;
            }
        }
        return work;
    }

    /**
     * Tell Atlas about an entity of the cache (new, or its slot now holds another entity).
     */
    void report(final int slot)
    {
        final long createdSeq = store.createdSeq(slot);
        if (reportedCreatedSeq[slot] == createdSeq)
        {
            return;
        }
        if (-1 != reportedCreatedSeq[slot])
        {
            atlas.onEntityRemoved(reportedId[slot], reportedCreatedSeq[slot]);
        }
        else
        {
            reportedSlots.addInt(slot);
        }
        forget(slot);
        reportedCreatedSeq[slot] = createdSeq;
        reportedId[slot] = store.entityId(slot);
        reportedSeq[slot] = store.changeSeq();
        atlas.onEntityAdded(store.entityId(slot), createdSeq, store.parentZoneId(slot), store.isZone(slot),
            store.positionX(slot), store.positionY(slot), store.positionZ(slot), store.authorityEpoch(slot));
    }

    /**
     * Tell Atlas the entity the slot holds is gone (for Atlas: its next report is a new entity) and forget it.
     */
    void unreport(final int slot)
    {
        atlas.onEntityRemoved(reportedId[slot], reportedCreatedSeq[slot]);
        forget(slot);
        reportedSlots.removeInt(slot);
    }

    /**
     * A session of a server is replaced: its entities and handoffs to it are held (no authority) until Atlas's
     * decisions about the new session arrive.
     */
    void holdEntitiesOf(final int serverIndex)
    {
        for (int i = 0, n = reportedSlots.size(); i < n; i++)
        {
            final int slot = reportedSlots.getInt(i);
            if (owner[slot] == serverIndex)
            {
                setOwner(slot, ServerMesh.NO_SERVER);
            }
            if (handoffTarget[slot] == serverIndex)
            {
                if (handoffReleased[slot])
                {
                    setOwner(slot, ServerMesh.NO_SERVER);
                }
                clearHandoff(slot);
            }
        }
    }

    void setOwner(final int slot, final int index)
    {
        final int previous = owner[slot];
        if (ServerMesh.NO_SERVER != previous && connections[previous].entityCount > 0)
        {
            connections[previous].entityCount--;
        }
        owner[slot] = index;
        if (ServerMesh.NO_SERVER != index)
        {
            connections[index].entityCount++;
        }
    }

    void startHandoff(final int slot, final int toIndex, final long handoffId)
    {
        handoffTarget[slot] = toIndex;
        this.handoffId[slot] = handoffId;
        handoffReleased[slot] = false;
    }

    void clearHandoff(final int slot)
    {
        handoffTarget[slot] = ServerMesh.NO_SERVER;
        handoffId[slot] = 0;
        handoffReleased[slot] = false;
    }

    private void forget(final int slot)
    {
        setOwner(slot, ServerMesh.NO_SERVER);
        clearHandoff(slot);
        reportedCreatedSeq[slot] = -1;
    }
}
