/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant;

import static io.orrery.core.replicant.EntityStore.ERR_UNKNOWN_ZONE;
import static io.orrery.core.replicant.EntityStore.NULL_SLOT;
import static io.orrery.core.replicant.EntityStore.ROOT_ZONE_ID;

/**
 * The zone hierarchy of an {@link EntityStore}: each entity's parent zone (id and slot), which entities are zones,
 * child counts and depths, the zones in depth order (parents before children) and the world positions derived from
 * the store's local positions.
 * <p>
 * A zone owns a translation-only coordinate frame: a child's world position is its zone's world position plus its
 * local position. {@code parentZoneId == 0} is the world root. The depth order is changed only on the control path
 * (a zone created, removed or reparented), never per tick.
 * <p>
 * Threading: the store's single thread. Nothing allocates after construction.
 */
final class ZoneTree
{
    private final EntitySlots slots;
    private final long[] positionX;
    private final long[] positionY;
    private final long[] positionZ;

    private final long[] parentZoneIds;
    private final int[] parentSlots;
    private final boolean[] zoneFlags;
    private final int[] childCounts;
    private final int[] depths;
    private final long[] worldX;
    private final long[] worldY;
    private final long[] worldZ;
    private final int[] zoneOrder;
    private int zoneCount;

    /**
     * @param slots     the store's slots, for id lookups and iteration.
     * @param positionX the store's local positions, read to derive world positions.
     */
    ZoneTree(final EntitySlots slots, final long[] positionX, final long[] positionY, final long[] positionZ)
    {
        final int capacity = positionX.length;
        this.slots = slots;
        this.positionX = positionX;
        this.positionY = positionY;
        this.positionZ = positionZ;
        parentZoneIds = new long[capacity];
        parentSlots = new int[capacity];
        zoneFlags = new boolean[capacity];
        childCounts = new int[capacity];
        depths = new int[capacity];
        worldX = new long[capacity];
        worldY = new long[capacity];
        worldZ = new long[capacity];
        zoneOrder = new int[capacity];
    }

    /**
     * @return the slot of the zone, {@link EntityStore#NULL_SLOT} for the world root, or
     * {@link EntityStore#ERR_UNKNOWN_ZONE} if no zone has that id.
     */
    int zoneSlotOf(final long zoneId)
    {
        if (ROOT_ZONE_ID == zoneId)
        {
            return NULL_SLOT;
        }

        final int slot = slots.slotOf(zoneId);
        return NULL_SLOT == slot || !zoneFlags[slot] ? ERR_UNKNOWN_ZONE : slot;
    }

    /**
     * A new entity in the slot, its local position already set.
     */
    void add(final int slot, final long parentZoneId, final int parentSlot, final boolean isZone)
    {
        parentZoneIds[slot] = parentZoneId;
        parentSlots[slot] = parentSlot;
        zoneFlags[slot] = isZone;
        childCounts[slot] = 0;
        depths[slot] = NULL_SLOT == parentSlot ? 0 : depths[parentSlot] + 1;
        if (NULL_SLOT != parentSlot)
        {
            childCounts[parentSlot]++;
        }

        computeWorldPosition(slot);
        if (isZone)
        {
            insertZoneInDepthOrder(slot);
        }
    }

    /**
     * The entity in the slot leaves the tree; a zone among them has no children left (see
     * {@link #moveToGrandparent(int, int)}).
     */
    void remove(final int slot)
    {
        if (zoneFlags[slot])
        {
            removeZoneFromOrder(slot);
        }

        final int parentSlot = parentSlots[slot];
        if (NULL_SLOT != parentSlot)
        {
            childCounts[parentSlot]--;
        }
    }

    /**
     * @return true if making {@code newParentSlot} the parent of {@code slot} would make a zone its own ancestor.
     */
    boolean wouldCycle(final int slot, final int newParentSlot)
    {
        if (zoneFlags[slot])
        {
            for (int s = newParentSlot; NULL_SLOT != s; s = parentSlots[s])
            {
                if (s == slot)
                {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Move an entity to another parent zone (control path for zones: the depth order is rebuilt).
     */
    void setParent(final int slot, final long zoneId, final int newParentSlot)
    {
        final int oldParentSlot = parentSlots[slot];
        if (NULL_SLOT != oldParentSlot)
        {
            childCounts[oldParentSlot]--;
        }
        if (NULL_SLOT != newParentSlot)
        {
            childCounts[newParentSlot]++;
        }
        parentZoneIds[slot] = zoneId;
        parentSlots[slot] = newParentSlot;
        depths[slot] = NULL_SLOT == newParentSlot ? 0 : depths[newParentSlot] + 1;

        if (zoneFlags[slot])
        {
            rebuildZoneOrder();
        }
    }

    /**
     * Move a child of a zone to the zone's own parent, as the zone is removed; the caller rebases its local position
     * and calls {@link #rebuildZoneOrder()} once all children moved.
     */
    void moveToGrandparent(final int slot, final int zoneSlot)
    {
        final int grandParentSlot = parentSlots[zoneSlot];
        childCounts[zoneSlot]--;
        if (NULL_SLOT != grandParentSlot)
        {
            childCounts[grandParentSlot]++;
        }
        parentZoneIds[slot] = parentZoneIds[zoneSlot];
        parentSlots[slot] = grandParentSlot;
    }

    /**
     * Recompute every entity's world position, zones first in depth order.
     *
     * @return number of entities visited.
     */
    int updateWorldPositions()
    {
        final int[] zoneOrder = this.zoneOrder;
        for (int i = 0, n = zoneCount; i < n; i++)
        {
            computeWorldPosition(zoneOrder[i]);
        }

        final EntitySlots slots = this.slots;
        final int activeCount = slots.activeCount();
        for (int i = 0; i < activeCount; i++)
        {
            final int slot = slots.activeSlot(i);
            if (!zoneFlags[slot])
            {
                computeWorldPosition(slot);
            }
        }

        return activeCount;
    }

    long parentZoneId(final int slot)
    {
        return parentZoneIds[slot];
    }

    int parentSlot(final int slot)
    {
        return parentSlots[slot];
    }

    boolean isZone(final int slot)
    {
        return zoneFlags[slot];
    }

    int childCount(final int slot)
    {
        return childCounts[slot];
    }

    int depth(final int slot)
    {
        return depths[slot];
    }

    int zoneCount()
    {
        return zoneCount;
    }

    int zoneSlot(final int index)
    {
        return zoneOrder[index];
    }

    long worldX(final int slot)
    {
        return worldX[slot];
    }

    long worldY(final int slot)
    {
        return worldY[slot];
    }

    long worldZ(final int slot)
    {
        return worldZ[slot];
    }

    /**
     * Control path: recompute all zone depths (parents first, by walking up from each zone of the small zone set)
     * and re-sort the zone order by depth with a stable insertion sort.
     */
    void rebuildZoneOrder()
    {
        final int n = zoneCount;
        for (int i = 0; i < n; i++)
        {
            final int slot = zoneOrder[i];
            depths[slot] = depthByWalk(slot);
        }

        for (int i = 1; i < n; i++)
        {
            final int slot = zoneOrder[i];
            final int depth = depths[slot];
            int j = i;
            while (j > 0 && depths[zoneOrder[j - 1]] > depth)
            {
                zoneOrder[j] = zoneOrder[j - 1];
                j--;
            }
            zoneOrder[j] = slot;
        }

        final EntitySlots slots = this.slots;
        for (int i = 0, count = slots.activeCount(); i < count; i++)
        {
            final int slot = slots.activeSlot(i);
            if (!zoneFlags[slot])
            {
                final int parent = parentSlots[slot];
                depths[slot] = NULL_SLOT == parent ? 0 : depths[parent] + 1;
            }
        }
    }

    private void computeWorldPosition(final int slot)
    {
        final int parent = parentSlots[slot];
        if (NULL_SLOT == parent)
        {
            worldX[slot] = positionX[slot];
            worldY[slot] = positionY[slot];
            worldZ[slot] = positionZ[slot];
        }
        else
        {
            worldX[slot] = worldX[parent] + positionX[slot];
            worldY[slot] = worldY[parent] + positionY[slot];
            worldZ[slot] = worldZ[parent] + positionZ[slot];
        }
    }

    private void insertZoneInDepthOrder(final int slot)
    {
        final int depth = depths[slot];
        int i = zoneCount;
        while (i > 0 && depths[zoneOrder[i - 1]] > depth)
        {
            zoneOrder[i] = zoneOrder[i - 1];
            i--;
        }
        zoneOrder[i] = slot;
        zoneCount++;
    }

    private void removeZoneFromOrder(final int slot)
    {
        int i = 0;
        while (i < zoneCount && zoneOrder[i] != slot)
        {
            i++;
        }
        if (i < zoneCount)
        {
            System.arraycopy(zoneOrder, i + 1, zoneOrder, i, zoneCount - i - 1);
            zoneCount--;
        }
    }

    private int depthByWalk(final int slot)
    {
        int depth = 0;
        for (int s = parentSlots[slot]; NULL_SLOT != s; s = parentSlots[s])
        {
            depth++;
        }
        return depth;
    }
}
