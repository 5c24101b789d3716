/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.orrery.core.replicant.EntityStore;

/**
 * What the mesh resends to an Atlas that starts with an empty table (Atlas in its own process, started or restarted
 * while the layer runs), so that Atlas rebuilds its table from the mesh, and the filter of Atlas's first decisions
 * after it.
 * <h2>What is resent, in this order</h2>
 * <ol>
 *   <li>Every entity Atlas was told about and that is still in the cache ({@code reportedCreatedSeq} of the slot is its
 *   incarnation), as {@code onEntityAdded} with its parent, position, zone flag and the epoch the cache holds. All
 *   entities go first so that, when territories are granted, every parent chain is complete.</li>
 *   <li>Every territory as the mesh holds it ({@code onTerritoryHeld}): its box (borders the balancer moved, a
 *   territory merged away), the highest territory epoch the mesh heard, and the live server session it is granted
 *   to, if any. Atlas restores box and epoch at once and grants the territory to that session when it joins (next
 *   step), instead of to its configured server: a territory that failed over to a survivor before this Atlas started
 *   stays with the survivor, and territory epochs go on from where they were.</li>
 *   <li>Every live server session of the mesh as {@code onServerJoined(now, index, session, 0)}: Atlas grants each
 *   the territories it held (or, for territories nobody held, its configured ones) and assigns every entity of a granted territory to its server at the cached epoch + 1
 *   (a new epoch: none is reused). The mesh applies that as for any assignment: the cached state is streamed in to
 *   that server and the input it holds above the cached last-applied sequence is replayed, so an owner that keeps its
 *   entities rolls back to the cached state (at most one tick old) and re-applies its input once.</li>
 * </ol>
 * Handoffs in flight when Atlas was lost end there: the entity is assigned to its territory's server like the others.
 * <h2>Filter</h2>
 * A territory granted by the fresh Atlas to the very session that already holds it in the mesh is not applied again
 * (the mesh would count it twice and tell the server a territory epoch it has already seen); everything else goes to
 * the mesh.
 * <h2>Known limits (need Atlas or mesh changes)</h2>
 * Handoff ids restart from 1, load reports are empty until the next one, and the balancer's per-border steps and
 * the dynamic mesh's split and merge timers start afresh. A server that joins a fresh Atlas without being in the
 * resync (it connected while Atlas was away) gets only its configured territories that nobody holds.
 * <p>
 * Threading: the Replicant's thread (the mesh's).
 */
public final class AtlasResync implements AtlasDecisionHandler
{
    private final ServerMesh mesh;
    private final EntityStore store;
    private long entitiesResent;
    private long sessionsResent;
    private long territoriesResent;
    private long grantsFiltered;

    /**
     * @param mesh  the mesh whose state is resent and to which decisions go.
     * @param store the cache the mesh applies to.
     */
    public AtlasResync(final ServerMesh mesh, final EntityStore store)
    {
        this.mesh = mesh;
        this.store = store;
    }

    /**
     * Resends the mesh's entities, its territories, then its live sessions (see the class description).
     *
     * @param nowNs    the layer's clock.
     * @param commands where they go (the link's command publisher).
     * @return the number of commands sent.
     */
    public int resend(final long nowNs, final AtlasCommandHandler commands)
    {
        int sent = 0;
        final long[] reported = mesh.replica.reportedCreatedSeq;
        for (int slot = 0, capacity = store.capacity(); slot < capacity; slot++)
        {
            if (store.isActive(slot) && -1 != reported[slot] && reported[slot] == store.createdSeq(slot))
            {
                commands.onEntityAdded(store.entityId(slot), reported[slot], store.parentZoneId(slot),
                    store.isZone(slot), store.positionX(slot), store.positionY(slot), store.positionZ(slot),
                    store.authorityEpoch(slot));
                sent++;
            }
        }
        entitiesResent += sent;
        final TerritoryMap territories = mesh.territoryMap();
        for (int t = 0, n = territories.count(); t < n; t++)
        {
            final int server = mesh.territoryServerIndex(t);
            final boolean held = ServerMesh.NO_SERVER != server && mesh.connection(server).isActive();
            commands.onTerritoryHeld(t, held ? server : ServerMesh.NO_SERVER,
                held ? mesh.connection(server).serverSessionId : 0, mesh.territoryEpoch(t), territories.min(t, 0),
                territories.min(t, 1), territories.min(t, 2), territories.max(t, 0), territories.max(t, 1),
                territories.max(t, 2));
            territoriesResent++;
            sent++;
        }
        for (int i = 0, n = mesh.connectionCount(); i < n; i++)
        {
            final ServerConnection connection = mesh.connection(i);
            if (connection.isActive())
            {
                commands.onServerJoined(nowNs, i, connection.serverSessionId, 0);
                sessionsResent++;
                sent++;
            }
        }
        return sent;
    }

    public long entitiesResent()
    {
        return entitiesResent;
    }

    /**
     * @return territories resent ({@code TerritoryHeld}) over every resync.
     */
    public long territoriesResent()
    {
        return territoriesResent;
    }

    public long sessionsResent()
    {
        return sessionsResent;
    }

    /**
     * @return territory grants not applied because the mesh already had them (see the class description).
     */
    public long grantsFiltered()
    {
        return grantsFiltered;
    }

    @Override
    public void onTerritoryGranted(
        final int territoryIndex, final int serverIndex, final long sessionId, final long territoryEpoch)
    {
        final ServerConnection connection = mesh.connection(serverIndex);
        if (connection.isActive() && connection.serverSessionId == sessionId &&
            mesh.territoryServerId(territoryIndex) == connection.serverId)
        {
            grantsFiltered++;
            return;
        }
        mesh.onTerritoryGranted(territoryIndex, serverIndex, sessionId, territoryEpoch);
    }

    @Override
    public void onTerritoryResized(
        final int territoryIndex,
        final int serverIndex,
        final long sessionId,
        final long minX,
        final long minY,
        final long minZ,
        final long maxX,
        final long maxY,
        final long maxZ,
        final long territoryEpoch)
    {
        mesh.onTerritoryResized(territoryIndex, serverIndex, sessionId, minX, minY, minZ, maxX, maxY, maxZ,
            territoryEpoch);
    }

    @Override
    public void onServerWanted(final int serverIndex, final boolean wanted)
    {
        mesh.onServerWanted(serverIndex, wanted);
    }

    @Override
    public void onTerritoryFreed(final int territoryIndex, final int serverIndex, final long sessionId)
    {
        mesh.onTerritoryFreed(territoryIndex, serverIndex, sessionId);
    }

    @Override
    public void onServerRetired(final int serverIndex, final long sessionId, final boolean failedOver)
    {
        mesh.onServerRetired(serverIndex, sessionId, failedOver);
    }

    @Override
    public void onAuthorityAssigned(
        final long entityId,
        final long incarnation,
        final int serverIndex,
        final long sessionId,
        final int territoryId,
        final long epoch)
    {
        mesh.onAuthorityAssigned(entityId, incarnation, serverIndex, sessionId, territoryId, epoch);
    }

    @Override
    public void onHandoffStarted(
        final long handoffId,
        final long entityId,
        final long incarnation,
        final int fromIndex,
        final long fromSessionId,
        final int toIndex,
        final long toSessionId,
        final int territoryId,
        final long newEpoch)
    {
        mesh.onHandoffStarted(
            handoffId, entityId, incarnation, fromIndex, fromSessionId, toIndex, toSessionId, territoryId, newEpoch);
    }

    @Override
    public void onHandoffCommitted(
        final long handoffId,
        final long entityId,
        final long incarnation,
        final int fromIndex,
        final int toIndex,
        final long toSessionId,
        final long newEpoch)
    {
        mesh.onHandoffCommitted(handoffId, entityId, incarnation, fromIndex, toIndex, toSessionId, newEpoch);
    }

    @Override
    public void onHandoffAbandoned(final long entityId, final long incarnation, final boolean orphaned)
    {
        mesh.onHandoffAbandoned(entityId, incarnation, orphaned);
    }

    @Override
    public void onAuthorityCleared(final long entityId, final long incarnation)
    {
        mesh.onAuthorityCleared(entityId, incarnation);
    }
}
