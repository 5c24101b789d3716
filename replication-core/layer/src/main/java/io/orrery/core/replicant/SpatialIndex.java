/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant;

import org.agrona.collections.IntArrayList;
import org.agrona.collections.Long2LongHashMap;

import java.util.Arrays;

/**
 * Uniform hash grid over world positions, plus a separate list of large entities.
 * <p>
 * Threading: single writer and single reader, the Replicant's duty-cycle thread. Not thread safe. No allocation
 * after construction (query results go into a caller-owned {@link IntArrayList} that grows only until it has
 * reached its high-water mark).
 * <p>
 * An entity whose radius exceeds {@link #largeRadiusM()} (ships, stations, planets) is kept in the large list,
 * which every observer checks, because it is visible from further than any grid query reaches. Every other entity
 * is in exactly one grid cell. A cell is keyed by its three cell coordinates (world millimetres floor-divided by
 * the cell size), each wrapped to 21 bits and packed into a long:
 * <pre>
 *   63 62        42 41        21 20         0
 *   +-+------------+------------+------------+
 *   |0|  cx & 2^21-1 |  cy & 2^21-1 |  cz & 2^21-1 |
 *   +-+------------+------------+------------+
 * </pre>
 * With the default 256 m cells a key is unique within +/- 268,000 km on each axis; beyond that distant cells may
 * share a key, which only adds candidates that the exact distance test of {@link #query} rejects.
 * <p>
 * Cells are a {@link Long2LongHashMap} from key to the head slot of an intrusive doubly linked list through
 * {@code next[slot]} / {@code prev[slot]}. {@link #update(EntityStore)} re-buckets only the entities whose cell
 * (or large/small class) changed and drops removed entities. The map is pre-sized for one cell per entity, so it
 * never resizes.
 * <p>
 * Query cost: a sphere query of radius R visits the (2R / cell + 1)^3 cells of its bounding box, skipping the
 * cells that do not touch the sphere before looking them up; if the box has more cells than there are entities in
 * the grid it scans the entities instead.
 * <p>
 * Dense heads: when the bounding box of all occupied cells has at most {@link #DENSE_MAX_CELLS} cells (a world of
 * a few kilometres with the default cells), {@link #update(EntityStore)} also writes every cell's head slot into a
 * flat array over that box, and queries read it instead of probing the hash map: one array read per cell instead
 * of a probe into a map sized for every entity (a cache miss per cell when many observers query every tick).
 */
public final class SpatialIndex
{
    /**
     * Default cell edge in metres.
     */
    public static final double DEFAULT_CELL_SIZE_M = 256.0;

    /**
     * Default radius above which an entity is large.
     */
    public static final double DEFAULT_LARGE_RADIUS_M = 20.0;

    private static final byte NOT_INDEXED = 0;
    private static final byte IN_GRID = 1;
    private static final byte IN_LARGE = 2;
    private static final long KEY_MASK = (1L << 21) - 1;

    /**
     * Largest bounding box of occupied cells, in cells, for which queries use the dense head array.
     */
    public static final int DENSE_MAX_CELLS = 32 * 1024;

    private final double cellSizeM;
    private final long cellSizeMm;
    private final double largeRadiusM;
    private final Long2LongHashMap cellHeads;

    private final byte[] placement;
    private final long[] cellKeys;
    private final int[] next;
    private final int[] prev;
    private final long[] indexedCreatedSeqs;

    private final int[] indexedSlots;
    private final int[] indexedPositions;
    private int indexedCount;

    private final long[] cellXs;
    private final long[] cellYs;
    private final long[] cellZs;
    private final int[] denseHeads = new int[DENSE_MAX_CELLS];
    private boolean denseValid;
    private long denseSpanY;
    private long denseSpanZ;

    private final int[] largeSlots;
    private final int[] largePositions;
    private int largeCount;
    private int gridCount;
    private double maxGridRadiusM;
    private long gridMinCx = Long.MAX_VALUE;
    private long gridMaxCx = Long.MIN_VALUE;
    private long gridMinCy = Long.MAX_VALUE;
    private long gridMaxCy = Long.MIN_VALUE;
    private long gridMinCz = Long.MAX_VALUE;
    private long gridMaxCz = Long.MIN_VALUE;

    private long rebucketCount;

    /**
     * @param capacity     the {@link EntityStore#capacity()} of the store to index.
     * @param cellSizeM    grid cell edge in metres.
     * @param largeRadiusM entities with a larger radius go into the large list.
     */
    public SpatialIndex(final int capacity, final double cellSizeM, final double largeRadiusM)
    {
        if (!(cellSizeM >= 0.001))
        {
            throw new IllegalArgumentException("cellSizeM must be >= 0.001: " + cellSizeM);
        }
        this.cellSizeM = cellSizeM;
        this.cellSizeMm = Math.round(cellSizeM * 1000.0);
        this.largeRadiusM = largeRadiusM;
        cellHeads = new Long2LongHashMap((int)(capacity / 0.65f) + 2, 0.65f, EntityStore.NULL_SLOT);

        placement = new byte[capacity];
        cellKeys = new long[capacity];
        next = new int[capacity];
        prev = new int[capacity];
        indexedCreatedSeqs = new long[capacity];
        indexedSlots = new int[capacity];
        indexedPositions = new int[capacity];
        largeSlots = new int[capacity];
        largePositions = new int[capacity];
        cellXs = new long[capacity];
        cellYs = new long[capacity];
        cellZs = new long[capacity];
    }

    /**
     * @param capacity the {@link EntityStore#capacity()} of the store to index.
     */
    public SpatialIndex(final int capacity)
    {
        this(capacity, DEFAULT_CELL_SIZE_M, DEFAULT_LARGE_RADIUS_M);
    }

    public double cellSizeM()
    {
        return cellSizeM;
    }

    public double largeRadiusM()
    {
        return largeRadiusM;
    }

    /**
     * @return number of indexed entities (grid and large).
     */
    public int size()
    {
        return indexedCount;
    }

    /**
     * @return number of occupied cells.
     */
    public int cellCount()
    {
        return cellHeads.size();
    }

    /**
     * @return number of times an entity changed cell or class since construction.
     */
    public long rebucketCount()
    {
        return rebucketCount;
    }

    /**
     * Largest radius among the grid (non-large) entities as of the last {@link #update(EntityStore)}, 0 if there
     * are none (or none has a positive radius). Never more than {@link #largeRadiusM()}. A caller that finds
     * entities of radius {@code r} within {@code base + k * r} needs a grid query of radius
     * {@code base + k * maxGridRadiusM()} only, not {@code base + k * largeRadiusM()}.
     *
     * @return the largest grid entity radius in metres.
     */
    public double maxGridRadiusM()
    {
        return maxGridRadiusM;
    }

    /**
     * @return number of large entities.
     */
    public int largeCount()
    {
        return largeCount;
    }

    /**
     * @param index {@code 0 <= index < largeCount()}.
     * @return slot of a large entity.
     */
    public int largeSlot(final int index)
    {
        return largeSlots[index];
    }

    /**
     * @param slot of an entity.
     * @return true if the entity is indexed as large.
     */
    public boolean isLarge(final int slot)
    {
        return IN_LARGE == placement[slot];
    }

    /**
     * Bring the index up to date with the store's world positions (call after
     * {@link EntityStore#updateWorldPositions()}): drop removed entities, add new ones, re-bucket the ones whose
     * cell or large/small class changed.
     *
     * @param store the indexed store.
     * @return number of entities added, removed or moved.
     */
    public int update(final EntityStore store)
    {
        int work = 0;
        for (int i = indexedCount - 1; i >= 0; i--)
        {
            final int slot = indexedSlots[i];
            if (!store.isActive(slot) || store.createdSeq(slot) != indexedCreatedSeqs[slot])
            {
                detach(slot);
                removeFromIndexed(slot);
                work++;
            }
        }

        final long cell = cellSizeMm;
        double maxGridRadius = 0.0;
        long minCx = Long.MAX_VALUE;
        long maxCx = Long.MIN_VALUE;
        long minCy = Long.MAX_VALUE;
        long maxCy = Long.MIN_VALUE;
        long minCz = Long.MAX_VALUE;
        long maxCz = Long.MIN_VALUE;
        for (int i = 0, n = store.activeCount(); i < n; i++)
        {
            final int slot = store.activeSlot(i);
            final double radius = store.radius(slot);
            final boolean large = radius > largeRadiusM;
            if (!large && radius > maxGridRadius)
            {
                maxGridRadius = radius;
            }
            final byte current = placement[slot];
            if (NOT_INDEXED == current)
            {
                indexedCreatedSeqs[slot] = store.createdSeq(slot);
                indexedPositions[slot] = indexedCount;
                indexedSlots[indexedCount++] = slot;
            }

            if (large)
            {
                if (IN_LARGE != current)
                {
                    detach(slot);
                    attach(store, slot, true);
                    if (NOT_INDEXED != current)
                    {
                        rebucketCount++;
                    }
                    work++;
                }
            }
            else
            {
                final long cx = Math.floorDiv(store.worldX(slot), cell);
                final long cy = Math.floorDiv(store.worldY(slot), cell);
                final long cz = Math.floorDiv(store.worldZ(slot), cell);
                minCx = Math.min(minCx, cx);
                maxCx = Math.max(maxCx, cx);
                minCy = Math.min(minCy, cy);
                maxCy = Math.max(maxCy, cy);
                minCz = Math.min(minCz, cz);
                maxCz = Math.max(maxCz, cz);
                cellXs[slot] = cx;
                cellYs[slot] = cy;
                cellZs[slot] = cz;
                final long key = packKey(cx, cy, cz);
                if (IN_GRID != current || key != cellKeys[slot])
                {
                    detach(slot);
                    attachToCell(slot, key);
                    if (NOT_INDEXED != current)
                    {
                        rebucketCount++;
                    }
                    work++;
                }
            }
        }
        maxGridRadiusM = maxGridRadius;
        gridMinCx = minCx;
        gridMaxCx = maxCx;
        gridMinCy = minCy;
        gridMaxCy = maxCy;
        gridMinCz = minCz;
        gridMaxCz = maxCz;
        buildDenseHeads();

        return work;
    }

    /**
     * Whether the last {@link #update(EntityStore)} built the dense head array (see the class description).
     */
    public boolean isDense()
    {
        return denseValid;
    }

    private void buildDenseHeads()
    {
        denseValid = false;
        if (0 == gridCount)
        {
            return;
        }
        final long spanX = gridMaxCx - gridMinCx + 1;
        final long spanY = gridMaxCy - gridMinCy + 1;
        final long spanZ = gridMaxCz - gridMinCz + 1;
        if (spanX > DENSE_MAX_CELLS || spanY > DENSE_MAX_CELLS || spanZ > DENSE_MAX_CELLS ||
            spanX * spanY * spanZ > DENSE_MAX_CELLS)
        {
            return;
        }

        final int cells = (int)(spanX * spanY * spanZ);
        final int[] heads = denseHeads;
        Arrays.fill(heads, 0, cells, EntityStore.NULL_SLOT);
        final long minCx = gridMinCx;
        final long minCy = gridMinCy;
        final long minCz = gridMinCz;
        for (int i = 0, n = indexedCount; i < n; i++)
        {
            final int slot = indexedSlots[i];
            if (IN_GRID == placement[slot] && EntityStore.NULL_SLOT == prev[slot])
            {
                heads[(int)(((cellXs[slot] - minCx) * spanY + (cellYs[slot] - minCy)) * spanZ +
                    (cellZs[slot] - minCz))] = slot;
            }
        }
        denseSpanY = spanY;
        denseSpanZ = spanZ;
        denseValid = true;
    }

    /**
     * Add to {@code out} every grid (non-large) entity whose world position is within {@code radiusM} of the
     * point. Large entities are not included: see {@link #largeCount()}. Does not clear {@code out}.
     *
     * @return number of entities added.
     */
    public int query(final EntityStore store, final long x, final long y, final long z, final double radiusM,
        final IntArrayList out)
    {
        return query(store, x, y, z, radiusM, null, 0, out);
    }

    /**
     * As {@link #query(EntityStore, long, long, long, double, IntArrayList)}, but skip (before the distance test)
     * every slot {@code s} with {@code marks[s] == mark}, e.g. what the caller already has.
     *
     * @param marks per slot marks indexed by slot, or null to skip nothing.
     * @param mark  the mark of slots to skip.
     * @return number of entities added.
     */
    public int query(final EntityStore store, final long x, final long y, final long z, final double radiusM,
        final long[] marks, final long mark, final IntArrayList out)
    {
        final double radiusMm = radiusM * 1000.0;
        final double radiusSq = radiusMm * radiusMm;
        final long r = (long)Math.ceil(radiusMm);
        final long cell = cellSizeMm;
        final long minX = Math.max(Math.floorDiv(x - r, cell), gridMinCx);
        final long maxX = Math.min(Math.floorDiv(x + r, cell), gridMaxCx);
        final long minY = Math.max(Math.floorDiv(y - r, cell), gridMinCy);
        final long maxY = Math.min(Math.floorDiv(y + r, cell), gridMaxCy);
        final long minZ = Math.max(Math.floorDiv(z - r, cell), gridMinCz);
        final long maxZ = Math.min(Math.floorDiv(z + r, cell), gridMaxCz);
        if (minX > maxX || minY > maxY || minZ > maxZ)
        {
            return 0;
        }
        final double boxCells = (double)(maxX - minX + 1) * (maxY - minY + 1) * (maxZ - minZ + 1);

        int found = 0;
        if (boxCells > gridCount)
        {
            for (int i = 0; i < indexedCount; i++)
            {
                final int slot = indexedSlots[i];
                if (IN_GRID == placement[slot] && (null == marks || marks[slot] != mark) &&
                    within(store, slot, x, y, z, radiusSq))
                {
                    out.addInt(slot);
                    found++;
                }
            }
            return found;
        }

        for (long cx = minX; cx <= maxX; cx++)
        {
            final double dx = axisGap(x, cx, cell);
            final double dxSq = dx * dx;
            if (dxSq > radiusSq)
            {
                continue;
            }
            for (long cy = minY; cy <= maxY; cy++)
            {
                final double dy = axisGap(y, cy, cell);
                final double dxySq = dxSq + dy * dy;
                if (dxySq > radiusSq)
                {
                    continue;
                }
                for (long cz = minZ; cz <= maxZ; cz++)
                {
                    final double dz = axisGap(z, cz, cell);
                    if (dxySq + dz * dz > radiusSq)
                    {
                        continue;
                    }

                    int slot = denseValid ?
                        denseHeads[(int)(((cx - gridMinCx) * denseSpanY + (cy - gridMinCy)) * denseSpanZ +
                        (cz - gridMinCz))] :
                        (int)cellHeads.get(packKey(cx, cy, cz));
                    while (EntityStore.NULL_SLOT != slot)
                    {
                        if ((null == marks || marks[slot] != mark) && within(store, slot, x, y, z, radiusSq))
                        {
                            out.addInt(slot);
                            found++;
                        }
                        slot = next[slot];
                    }
                }
            }
        }

        return found;
    }

    /**
     * @return the packed key of the cell holding this world position.
     */
    public long cellKey(final long x, final long y, final long z)
    {
        final long cell = cellSizeMm;
        return packKey(Math.floorDiv(x, cell), Math.floorDiv(y, cell), Math.floorDiv(z, cell));
    }

    private static long packKey(final long cx, final long cy, final long cz)
    {
        return ((cx & KEY_MASK) << 42) | ((cy & KEY_MASK) << 21) | (cz & KEY_MASK);
    }

    /**
     * Distance in mm along one axis from a coordinate to the nearest point of cell {@code c}, 0 if inside.
     */
    private static double axisGap(final long v, final long c, final long cell)
    {
        final long lo = c * cell;
        if (v < lo)
        {
            return (double)(lo - v);
        }
        final long hi = lo + cell;
        return v > hi ? (double)(v - hi) : 0.0;
    }

    private static boolean within(
        final EntityStore store, final int slot, final long x, final long y, final long z, final double radiusSq)
    {
        final double dx = (double)(store.worldX(slot) - x);
        final double dy = (double)(store.worldY(slot) - y);
        final double dz = (double)(store.worldZ(slot) - z);
        return dx * dx + dy * dy + dz * dz <= radiusSq;
    }

    private void attach(final EntityStore store, final int slot, final boolean large)
    {
        if (large)
        {
            placement[slot] = IN_LARGE;
            largePositions[slot] = largeCount;
            largeSlots[largeCount++] = slot;
        }
        else
        {
            attachToCell(slot, cellKey(store.worldX(slot), store.worldY(slot), store.worldZ(slot)));
        }
    }

    private void attachToCell(final int slot, final long key)
    {
        final int head = (int)cellHeads.put(key, slot);
        next[slot] = head;
        prev[slot] = EntityStore.NULL_SLOT;
        if (EntityStore.NULL_SLOT != head)
        {
            prev[head] = slot;
        }
        cellKeys[slot] = key;
        placement[slot] = IN_GRID;
        gridCount++;
    }

    private void detach(final int slot)
    {
        final byte current = placement[slot];
        if (IN_GRID == current)
        {
            final int before = prev[slot];
            final int after = next[slot];
            if (EntityStore.NULL_SLOT != after)
            {
                prev[after] = before;
            }
            if (EntityStore.NULL_SLOT != before)
            {
                next[before] = after;
            }
            else if (EntityStore.NULL_SLOT != after)
            {
                cellHeads.put(cellKeys[slot], after);
            }
            else
            {
                cellHeads.remove(cellKeys[slot]);
            }
            gridCount--;
        }
        else if (IN_LARGE == current)
        {
            final int index = largePositions[slot];
            final int last = largeSlots[--largeCount];
            largeSlots[index] = last;
            largePositions[last] = index;
        }
        placement[slot] = NOT_INDEXED;
    }

    private void removeFromIndexed(final int slot)
    {
        final int index = indexedPositions[slot];
        final int last = indexedSlots[--indexedCount];
        indexedSlots[index] = last;
        indexedPositions[last] = index;
    }
}
