/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.orrery.core.replicant.CompactUpdateWriter;
import io.orrery.core.replicant.EntityStore;

/**
 * Read-only views for game servers: every tick each server is sent the entities it does not own within the view
 * margin of its box territories (the full view when an entity enters, its changed fields after, removals when it
 * leaves), so a server sees across its borders. Cost: entities x territories per tick.
 * <p>
 * Two encodings ({@link ServerEgressProxy#viewsEncoding()}). {@code ClientViewBatch} ({@link
 * ServerViewsEncoding#LEGACY}): fixed-size entries of every field, by entity id. {@code ClientViewsCompact} (the
 * default, layout in {@link io.orrery.wire.CompactViews}): a per-server handle taken when the view starts (a head
 * carries the entity id, archetype and owner; a new owner is sent as a head again), entries of the fields whose
 * wire value changed, as deltas against what the server was last sent ({@link CompactUpdateWriter}, the client
 * updates' writer, against the connection's {@link ServerViewHandles}), removals by handle. When a view message
 * cannot be offered, the connection's views are reset: every handle is freed, and the next message tells the server
 * to forget all it holds before the full views that follow, so no delta ever meets a baseline the server lacks.
 * <p>
 * It reads Atlas's authority map (owner per slot, server per territory) through the arrays Atlas owns and writes
 * only the view bookkeeping of each {@link ServerConnection}.
 * <p>
 * Threading: Atlas's thread only. Zero allocation per tick in steady state (the id arrays grow on the control path
 * only when the cache outgrows them).
 */
final class ServerViews
{
    private final TerritoryMap territories;
    private final EntityStore store;
    private final ServerEgressProxy proxy;
    private final ServerConnection[] connections;
    private final int[] owner;
    private final int[] territoryServer;
    private final long viewMarginMm;
    private final CompactUpdateWriter writer = new CompactUpdateWriter();

    ServerViews(
        final TerritoryMap territories,
        final EntityStore store,
        final ServerEgressProxy proxy,
        final ServerConnection[] connections,
        final int[] owner,
        final int[] territoryServer,
        final long viewMarginMm)
    {
        this.territories = territories;
        this.store = store;
        this.proxy = proxy;
        this.connections = connections;
        this.owner = owner;
        this.territoryServer = territoryServer;
        this.viewMarginMm = viewMarginMm;
    }

    /**
     * Send one server this tick's views in the proxy's encoding.
     *
     * @return entities viewed plus views removed.
     */
    int send(final ServerConnection connection, final long tick, final long nowNs)
    {
        return ServerViewsEncoding.COMPACT == proxy.viewsEncoding() ?
            sendCompact(connection, tick) : sendLegacy(connection, tick, nowNs);
    }

    private int sendCompact(final ServerConnection connection, final long tick)
    {
        final ServerViewHandles handles = connection.viewHandles;
        final int[] next = handles.nextViewed(store.size());
        int nextCount = 0;
        proxy.beginCompactViews(connection, tick);
        boolean ok = true;
        for (int i = 0, n = store.size(); i < n; i++)
        {
            final int slot = store.activeSlot(i);
            final int current = owner[slot];
            if (current == connection.index || !isNearTerritoriesOf(connection, slot))
            {
                continue;
            }
            final long createdSeq = store.createdSeq(slot);
            final int ownerServerId = Atlas.NO_SERVER == current ? 0 : connections[current].serverId;
            final int handle;
            final int mask;
            final boolean withHead;
            if (connection.viewCreatedSeq[slot] != createdSeq)
            {
                handle = handles.enter(slot, createdSeq);
                writer.onBlank(handles.baselines, handle);
                mask = EntityStore.ALL_FIELDS;
                withHead = true;
            }
            else
            {
                handle = handles.handleOfSlot[slot];
                mask = store.changedSince(slot, connection.viewSentSeq[slot]);
                withHead = handles.ownerOfSlot[slot] != ownerServerId;
            }
            if (withHead || 0 != mask)
            {
                ok &= proxy.appendCompactView(
                    writer, handles.baselines, handle, store, slot, mask, withHead, ownerServerId);
            }
            handles.ownerOfSlot[slot] = ownerServerId;
            connection.viewSentSeq[slot] = store.changeSeq();
            connection.viewCreatedSeq[slot] = createdSeq;
            connection.viewStampTick[slot] = tick;
            next[nextCount++] = handle;
        }

        final int[] previous = handles.viewed;
        int removedCount = 0;
        for (int i = 0, n = handles.viewedCount; i < n; i++)
        {
            final int handle = previous[i];
            final int slot = handles.handleSlot[handle];
            final boolean stamped = connection.viewStampTick[slot] == tick;
            if (!stamped || !store.isActive(slot) || store.createdSeq(slot) != handles.handleCreatedSeq[handle])
            {
                if (!stamped)
                {
                    connection.viewCreatedSeq[slot] = -1;
                }
                ok &= proxy.appendViewRemoved(handle);
                previous[removedCount++] = handle;
            }
        }
        ok &= proxy.endCompactViews();
        for (int i = 0; i < removedCount; i++)
        {
            handles.baselines.release(previous[i]);
        }
        handles.viewed = next;
        handles.nextViewed = previous;
        handles.viewedCount = nextCount;
        if (!ok)
        {
            connection.resetViews();
        }
        return nextCount + removedCount;
    }

    private int sendLegacy(final ServerConnection connection, final long tick, final long nowNs)
    {
        final long[] next = connection.nextViewedIds.length >= store.size() ? connection.nextViewedIds :
            (connection.nextViewedIds = new long[Math.max(store.size(), connection.nextViewedIds.length * 2)]);
        int nextCount = 0;
        proxy.beginViews(connection, tick, nowNs);
        boolean ok = true;
        final long stamp = tick;
        for (int i = 0, n = store.size(); i < n; i++)
        {
            final int slot = store.activeSlot(i);
            final int current = owner[slot];
            if (current == connection.index || !isNearTerritoriesOf(connection, slot))
            {
                continue;
            }
            final long createdSeq = store.createdSeq(slot);
            final int mask = connection.viewCreatedSeq[slot] != createdSeq ? EntityStore.ALL_FIELDS :
                store.changedSince(slot, connection.viewSentSeq[slot]);
            if (0 != mask)
            {
                final int ownerServerId = Atlas.NO_SERVER == current ? 0 : connections[current].serverId;
                ok &= proxy.appendView(store, slot, ownerServerId, mask);
            }
            connection.viewSentSeq[slot] = store.changeSeq();
            connection.viewCreatedSeq[slot] = createdSeq;
            connection.viewStampTick[slot] = stamp;
            next[nextCount++] = store.entityId(slot);
        }

        final long[] previous = connection.viewedIds;
        int removedCount = 0;
        for (int i = 0, n = connection.viewedCount; i < n; i++)
        {
            final long entityId = previous[i];
            final int slot = store.slotOf(entityId);
            if (EntityStore.NULL_SLOT == slot || connection.viewStampTick[slot] != stamp)
            {
                if (EntityStore.NULL_SLOT != slot)
                {
                    connection.viewCreatedSeq[slot] = -1;
                }
                previous[removedCount++] = entityId;
            }
        }
        ok &= proxy.endViews(previous, removedCount);
        connection.viewedIds = next;
        connection.nextViewedIds = previous;
        connection.viewedCount = nextCount;
        if (!ok)
        {
            connection.resetViews();
            final int length = connection.viewedIds.length;
            connection.viewedIds = new long[length];
        }
        return nextCount + removedCount;
    }

    private boolean isNearTerritoriesOf(final ServerConnection connection, final int slot)
    {
        final long x = store.worldX(slot);
        final long y = store.worldY(slot);
        final long z = store.worldZ(slot);
        for (int t = 0; t < territoryServer.length; t++)
        {
            if (territoryServer[t] == connection.index && territories.isNear(t, x, y, z, viewMarginMm))
            {
                return true;
            }
        }
        return false;
    }
}
