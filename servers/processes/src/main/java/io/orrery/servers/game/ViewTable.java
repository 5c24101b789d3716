/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers.game;

import org.agrona.collections.Long2LongHashMap;

/**
 * Read-only client views: entities near this server's territories that another server simulates, as the Replication
 * Layer streams them (ClientViewsCompact or ClientViewBatch, decoded by the server link). The simulation reads them
 * (NPCs follow players across the border) and never writes them. Struct of arrays with a fixed capacity,
 * swap-remove, {@code Long2LongHashMap} id to slot.
 * <p>
 * Threading: single threaded, owned by the game server's simulation thread.
 */
public final class ViewTable
{
    public static final int NULL_SLOT = -1;

    final int capacity;
    final Long2LongHashMap slotById;
    int size;
    final long[] id;
    final int[] archetype;
    final int[] ownerServerId;
    final long[] x;
    final long[] y;
    final long[] z;
    final long[] epoch;

    ViewTable(final int capacity)
    {
        this.capacity = capacity;
        slotById = new Long2LongHashMap(capacity * 2, org.agrona.collections.Hashing.DEFAULT_LOAD_FACTOR, NULL_SLOT);
        id = new long[capacity];
        archetype = new int[capacity];
        ownerServerId = new int[capacity];
        x = new long[capacity];
        y = new long[capacity];
        z = new long[capacity];
        epoch = new long[capacity];
    }

    /**
     * Insert or update a view.
     *
     * @return false when the table is full and the view is new (it is not kept).
     */
    boolean upsert(
        final long entityId,
        final int archetypeId,
        final int ownerServer,
        final long positionX,
        final long positionY,
        final long positionZ,
        final long authorityEpoch)
    {
        int slot = slotOf(entityId);
        if (NULL_SLOT == slot)
        {
            if (size == capacity)
            {
                return false;
            }
            slot = size++;
            slotById.put(entityId, slot);
            id[slot] = entityId;
        }
        archetype[slot] = archetypeId;
        ownerServerId[slot] = ownerServer;
        x[slot] = positionX;
        y[slot] = positionY;
        z[slot] = positionZ;
        epoch[slot] = authorityEpoch;
        return true;
    }

    /**
     * @return true if the view was present.
     */
    boolean remove(final long entityId)
    {
        final int slot = slotOf(entityId);
        if (NULL_SLOT == slot)
        {
            return false;
        }
        slotById.remove(entityId);
        final int last = --size;
        if (slot != last)
        {
            id[slot] = id[last];
            archetype[slot] = archetype[last];
            ownerServerId[slot] = ownerServerId[last];
            x[slot] = x[last];
            y[slot] = y[last];
            z[slot] = z[last];
            epoch[slot] = epoch[last];
            slotById.put(id[slot], slot);
        }
        return true;
    }

    void clear()
    {
        slotById.clear();
        size = 0;
    }

    public int slotOf(final long entityId)
    {
        return (int)slotById.get(entityId);
    }

    public int size()
    {
        return size;
    }

    public long entityId(final int slot)
    {
        return id[slot];
    }

    public int archetypeId(final int slot)
    {
        return archetype[slot];
    }

    public int ownerServerId(final int slot)
    {
        return ownerServerId[slot];
    }

    public long positionX(final int slot)
    {
        return x[slot];
    }

    public long positionY(final int slot)
    {
        return y[slot];
    }

    public long positionZ(final int slot)
    {
        return z[slot];
    }
}
