/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant;

import io.aeron.Counter;
import io.orrery.core.authority.Authority;
import io.orrery.core.common.EntityIds;
import io.orrery.core.persistence.LoadHandler;
import io.orrery.core.persistence.NodeRecord;
import io.orrery.core.persistence.ScribeClient;
import io.orrery.core.status.OrreryCounter;
import io.orrery.wire.codec.DespawnReason;
import org.HdrHistogram.Histogram;
import org.agrona.collections.Long2LongHashMap;

import java.util.concurrent.TimeUnit;

/**
 * Server OCS (object container streaming): the root zone's x/y plane is split into square cells; cells with no player
 * near are streamed out to the store (persisted, then evicted from the cache and from the servers) and streamed back
 * in from the store when a player approaches, before the client's bubble reaches them, so a world larger than the
 * cache works.
 * <p>
 * <b>Cell states.</b> A cell not tracked is COLD: whatever it holds is in the store only. A tracked cell is
 * {@link #UNLOADED} (cached entities stand in it, e.g. created by an authority or walked in, but its stored entities
 * were not loaded), {@link #LOADING} (a region load is in Scribe) or {@link #HOT} (loaded). When a player (an entity
 * with a player id; game servers' territories do not keep cells hot) comes within the stream-in margin of a COLD or
 * UNLOADED cell, a region load is offered to Scribe ({@link Scribe#offerLoadRegion}); its nodes come back through
 * Scribe's bounded load ring, are inserted into the cache (parents before children; ids already cached are skipped)
 * and the cell becomes HOT; the authority adopts them (a mesh's Atlas assigns them to the territory owner when it
 * next scans). Stream-in latency, from the load being offered to the last node being in the cache, is recorded in
 * {@link #streamInLatencyNs()} (clock of the layer).
 * <p>
 * <b>Stream out.</b> A HOT or UNLOADED cell that no player has been within the stream-out margin of (larger than the
 * stream-in margin: hysteresis) for longer than the stream-out delay is streamed out: every top-level entity standing in it, with
 * its zone subtree (ships carry their crew), except subtrees that hold a player or a pinned entity, is offered as a
 * node upsert if it changed since last offered, then a flush barrier; once Scribe's durable sequence covers it the
 * entities are evicted, children before their zones, through {@link Authority#removeEntity} with reason
 * {@code streamedOut} (the servers drop them; {@link WorldPersistence} keeps them in the graph). Entities an authority
 * changed while their persist was in flight are offered again and awaited, at most {@value #MAX_PERSIST_ROUNDS}
 * rounds; after that their last change is offered (in ring order before any later load) and they are evicted without
 * waiting, so an authority that moves entities every tick cannot hold a cell in the cache forever. No eviction runs
 * while a load is in flight, so a load can never bring back an older copy of an entity being evicted. A cell left
 * with entities that could not go (pinned, a player inside, not persistable) is tracked again as UNLOADED at the next
 * check.
 * <p>
 * <b>Recovery.</b> With OCS the layer does not load the whole graph at launch; a player joining makes the cells
 * around it hot ({@link #requestCheck()}), so a shard bigger than the cache can start.
 * <p>
 * Threading: the Replicant's duty-cycle thread only. Fixed memory (cell tables sized at construction, Agrona
 * primitive map keyed by cell coordinates); no allocation per check, load or stream-out in steady state.
 */
public final class RegionStreamer implements LoadHandler
{
    /**
     * Not tracked: in the store only (returned by {@link #cellState(long, long)}).
     */
    public static final int COLD = 0;

    /**
     * Cached entities stand in the cell, its stored entities are not loaded.
     */
    public static final int UNLOADED = 1;

    /**
     * A region load of the cell is in flight.
     */
    public static final int LOADING = 2;

    /**
     * Loaded: every stored entity of the cell is cached.
     */
    public static final int HOT = 3;

    static final int MAX_PERSIST_ROUNDS = 3;

    private static final short STREAMED_OUT = DespawnReason.streamedOut.value();
    private static final int POLL_LIMIT = 8192;
    private static final long MISSING = -1;
    private static final long MAX_RECORDED_LATENCY_NS = TimeUnit.SECONDS.toNanos(60);

    private final EntityStore store;
    private final WorldPersistence world;
    private final Authority authority;
    private final Counter[] counters;
    private final long cellSizeMm;
    private final double inMarginMm;
    private final double outMarginMm;
    private final long outDelayNs;
    private final long checkIntervalNs;
    private final int maxCells;

    private final Long2LongHashMap cellByKey;
    private final long[] cellKeys;
    private final int[] cellStates;
    private final long[] lastNearNs;
    private final long[] loadOfferedNs;
    private final int[] entityCounts;
    private final boolean[] evicting;
    private final boolean[] loadFailed;
    private final int[] activeCells;
    private final int[] denseIndex;
    private final int[] freeCells;
    private int activeCellCount;
    private int freeCellCount;

    private final int[] outSlots;
    private final long[] outCreatedSeqs;
    private final int[] outDepths;
    private final int[] blockedMarks;
    private int outCount;
    private int maxOutDepth;
    private int generation;
    private boolean isAwaitingDurable;
    private long awaitSequence;
    private int persistRounds;

    private final NodeRecord node = new NodeRecord();
    private final Histogram streamInLatencyNs = new Histogram(MAX_RECORDED_LATENCY_NS, 3);
    private ScribeClient scribe;
    private long reserveEvents;
    private long nowNs;
    private long nextCheckNs;
    private boolean checkRequested = true;
    private int loadsInFlight;
    private int hotCells;

    private long cellsStreamedOut;
    private long cellsStreamedIn;
    private long entitiesStreamedOut;
    private long entitiesStreamedIn;
    private long failures;
    private long failuresReported;

    /**
     * @param store           the Replicant's entity cache.
     * @param world           its write-behind (marks what was offered; inserts loaded nodes).
     * @param authority       evicts streamed-out entities from whoever simulates them.
     * @param counters        the layer's system counters.
     * @param cellSizeM       side of a cell in metres.
     * @param streamInMarginM a cell is loaded when a player is within this distance of it.
     * @param streamOutMarginM a cell is streamed out after no player was within this distance for the delay.
     * @param streamOutDelayNs see above.
     * @param checkIntervalNs time between checks of the cell states.
     * @param maxCells        cells tracked at once, at most.
     */
    public RegionStreamer(
        final EntityStore store,
        final WorldPersistence world,
        final Authority authority,
        final Counter[] counters,
        final double cellSizeM,
        final double streamInMarginM,
        final double streamOutMarginM,
        final long streamOutDelayNs,
        final long checkIntervalNs,
        final int maxCells)
    {
        if (!(cellSizeM >= 0.001) || !(streamInMarginM > 0) || !(streamOutMarginM > streamInMarginM) || maxCells < 1)
        {
            throw new IllegalArgumentException("need cellSizeM > 0, 0 < streamInMarginM < streamOutMarginM, " +
                "maxCells > 0: " + cellSizeM + ", " + streamInMarginM + ", " + streamOutMarginM + ", " + maxCells);
        }
        this.store = store;
        this.world = world;
        this.authority = authority;
        this.counters = counters;
        this.cellSizeMm = Math.round(cellSizeM * 1000);
        this.inMarginMm = streamInMarginM * 1000;
        this.outMarginMm = streamOutMarginM * 1000;
        this.outDelayNs = streamOutDelayNs;
        this.checkIntervalNs = checkIntervalNs;
        this.maxCells = maxCells;

        cellByKey = new Long2LongHashMap((int)(maxCells / 0.65f) + 2, 0.65f, MISSING);
        cellKeys = new long[maxCells];
        cellStates = new int[maxCells];
        lastNearNs = new long[maxCells];
        loadOfferedNs = new long[maxCells];
        entityCounts = new int[maxCells];
        evicting = new boolean[maxCells];
        loadFailed = new boolean[maxCells];
        activeCells = new int[maxCells];
        denseIndex = new int[maxCells];
        freeCells = new int[maxCells];
        for (int i = 0; i < maxCells; i++)
        {
            freeCells[i] = maxCells - 1 - i;
        }
        freeCellCount = maxCells;

        final int capacity = store.capacity();
        outSlots = new int[capacity];
        outCreatedSeqs = new long[capacity];
        outDepths = new int[capacity];
        blockedMarks = new int[capacity];
    }

    /**
     * Start streaming through Scribe.
     *
     * @return this.
     */
    public RegionStreamer scribe(final ScribeClient scribe)
    {
        this.scribe = scribe;
        this.reserveEvents = scribe.capacity() / 4;
        return this;
    }

    /**
     * Check the cells at the next duty cycle (a player joined: load the cells around it at once).
     */
    public void requestCheck()
    {
        checkRequested = true;
    }

    /**
     * Duty cycle: take loaded nodes into the cache, finish a stream-out whose persist is durable, and, when due,
     * check the cell states.
     *
     * @return work done.
     */
    public int doWork(final long nowNs)
    {
        this.nowNs = nowNs;
        int work = scribe.pollLoads(this, POLL_LIMIT);
        if (isAwaitingDurable)
        {
            work += awaitAndEvict();
        }
        if (checkRequested || nowNs - nextCheckNs >= 0)
        {
            checkRequested = false;
            nextCheckNs = nowNs + checkIntervalNs;
            work += check();
            updateCounters();
        }
        return work;
    }

    @Override
    public void onLoadedNode(final long correlationId, final NodeRecord node)
    {
        if (EntityIds.isPlayer(node.entityId) || EntityStore.NULL_SLOT != store.slotOf(node.entityId))
        {
            return; // players are not nodes; a cached entity is newer than the store (or a retried load's repeat)
        }
        final int slot = world.insert(node);
        if (slot >= 0)
        {
            entitiesStreamedIn++;
        }
        else
        {
            failures++;
            if (correlationId >= 0 && correlationId < maxCells)
            {
                loadFailed[(int)correlationId] = true;
            }
        }
    }

    @Override
    public void onLoadComplete(final long correlationId, final int nodeCount)
    {
        loadsInFlight--;
        final int cell = (int)correlationId;
        if (correlationId < 0 || correlationId >= maxCells || LOADING != cellStates[cell])
        {
            return;
        }
        if (loadFailed[cell])
        {
            loadFailed[cell] = false;
            cellStates[cell] = UNLOADED; // the cache was full: loaded again when a player is still near
            return;
        }
        cellStates[cell] = HOT;
        cellsStreamedIn++;
        streamInLatencyNs.recordValue(Math.max(0, Math.min(nowNs - loadOfferedNs[cell], MAX_RECORDED_LATENCY_NS)));
        updateCounters();
    }

    /**
     * @return the state of the cell holding the point (root zone millimetres): {@link #COLD}, {@link #UNLOADED},
     * {@link #LOADING} or {@link #HOT}.
     */
    public int cellStateAt(final long xMm, final long yMm)
    {
        final int cell = (int)cellByKey.get(keyOf(xMm, yMm));
        return cell < 0 ? COLD : cellStates[cell];
    }

    /**
     * @return the state of the cell at grid coordinates (cx, cy), see {@link #cellStateAt(long, long)}.
     */
    public int cellState(final long cx, final long cy)
    {
        final int cell = (int)cellByKey.get(key((int)cx, (int)cy));
        return cell < 0 ? COLD : cellStates[cell];
    }

    /**
     * @return the grid coordinate of a root zone coordinate in millimetres.
     */
    public long cellCoordinate(final long mm)
    {
        return Math.floorDiv(mm, cellSizeMm);
    }

    /**
     * Stream-in latency in nanoseconds of the layer's clock: from a cell's load being offered to its entities being
     * in the cache. Replicant thread (or between duty cycles in INVOKER mode).
     */
    public Histogram streamInLatencyNs()
    {
        return streamInLatencyNs;
    }

    public int loadsInFlight()
    {
        return loadsInFlight;
    }

    /**
     * @return whether a stream-out waits for its persist to be durable.
     */
    public boolean isStreamingOut()
    {
        return isAwaitingDurable;
    }

    public int trackedCells()
    {
        return activeCellCount;
    }

    public int hotCells()
    {
        return hotCells;
    }

    public long cellsStreamedOut()
    {
        return cellsStreamedOut;
    }

    public long cellsStreamedIn()
    {
        return cellsStreamedIn;
    }

    public long entitiesStreamedOut()
    {
        return entitiesStreamedOut;
    }

    public long entitiesStreamedIn()
    {
        return entitiesStreamedIn;
    }

    /**
     * @return loaded nodes that could not be cached (cache full) and cells that could not be tracked (table full).
     */
    public long failures()
    {
        return failures;
    }

    // ------------------------------------------------------------------ check

    private int check()
    {
        final int[] activeCells = this.activeCells;
        for (int i = 0, n = activeCellCount; i < n; i++)
        {
            entityCounts[activeCells[i]] = 0;
        }

        final EntityStore store = this.store;
        for (int i = 0, n = store.activeCount(); i < n; i++)
        {
            final int slot = store.activeSlot(i);
            final boolean isTopLevel = EntityStore.NULL_SLOT == store.parentSlot(slot);
            if (EntityIds.isPlayer(store.entityId(slot)))
            {
                if (isTopLevel)
                {
                    markNear(store.positionX(slot), store.positionY(slot));
                }
                else
                {
                    markNear(store.worldX(slot), store.worldY(slot));
                }
            }
            else if (isTopLevel)
            {
                final long key = keyOf(store.positionX(slot), store.positionY(slot));
                int cell = (int)cellByKey.get(key);
                if (cell < 0)
                {
                    cell = track(key, UNLOADED);
                    if (cell < 0)
                    {
                        continue;
                    }
                }
                entityCounts[cell]++;
            }
        }

        int work = 0;
        int hot = 0;
        boolean anyEvicting = false;
        for (int i = activeCellCount - 1; i >= 0; i--)
        {
            final int cell = activeCells[i];
            final int state = cellStates[cell];
            if (evicting[cell])
            {
                anyEvicting = true;
            }
            else if (LOADING != state && nowNs - lastNearNs[cell] > outDelayNs)
            {
                if (0 == entityCounts[cell])
                {
                    if (HOT == state)
                    {
                        cellsStreamedOut++;
                    }
                    untrack(cell);
                    work++;
                    continue;
                }
                if (!isAwaitingDurable)
                {
                    evicting[cell] = true;
                    anyEvicting = true;
                }
            }
            if (HOT == state || LOADING == state)
            {
                hot++;
            }
        }
        hotCells = hot;

        if (anyEvicting && !isAwaitingDurable)
        {
            work += startStreamOut();
        }
        return work;
    }

    /**
     * A player at (x, y): cells within the stream-in margin are loaded, cells within the stream-out margin stay.
     */
    private void markNear(final long x, final long y)
    {
        final long cellMm = cellSizeMm;
        final long margin = (long)Math.ceil(outMarginMm);
        final long cx0 = Math.floorDiv(x - margin, cellMm);
        final long cx1 = Math.floorDiv(x + margin, cellMm);
        final long cy0 = Math.floorDiv(y - margin, cellMm);
        final long cy1 = Math.floorDiv(y + margin, cellMm);
        final double inSq = inMarginMm * inMarginMm;
        final double outSq = outMarginMm * outMarginMm;
        for (long cx = cx0; cx <= cx1; cx++)
        {
            final double dx = axisDistance(x, cx * cellMm, cx * cellMm + cellMm);
            for (long cy = cy0; cy <= cy1; cy++)
            {
                final double dy = axisDistance(y, cy * cellMm, cy * cellMm + cellMm);
                final double distanceSq = dx * dx + dy * dy;
                if (distanceSq > outSq)
                {
                    continue;
                }
                final long key = key((int)cx, (int)cy);
                int cell = (int)cellByKey.get(key);
                if (distanceSq <= inSq)
                {
                    if (cell < 0)
                    {
                        cell = track(key, UNLOADED);
                        if (cell < 0)
                        {
                            continue;
                        }
                    }
                    if (UNLOADED == cellStates[cell])
                    {
                        offerLoad(cell, cx, cy);
                    }
                }
                if (cell >= 0)
                {
                    lastNearNs[cell] = nowNs;
                }
            }
        }
    }

    private void offerLoad(final int cell, final long cx, final long cy)
    {
        final long minX = cx * cellSizeMm;
        final long minY = cy * cellSizeMm;
        if (scribe.offerLoadRegion(cell, EntityStore.ROOT_ZONE_ID,
            minX, minY, Long.MIN_VALUE, minX + cellSizeMm - 1, minY + cellSizeMm - 1, Long.MAX_VALUE))
        {
            cellStates[cell] = LOADING;
            loadOfferedNs[cell] = nowNs;
            loadFailed[cell] = false;
            loadsInFlight++;
        }
        // else: Scribe's ring is full; the cell stays UNLOADED and is offered again at the next check
    }

    // ------------------------------------------------------------------ stream out

    private int startStreamOut()
    {
        generation++;
        outCount = 0;
        maxOutDepth = 0;
        final EntityStore store = this.store;
        final int generation = this.generation;

        for (int i = 0, n = store.activeCount(); i < n; i++)
        {
            final int slot = store.activeSlot(i);
            if (EntityIds.isPlayer(store.entityId(slot)) || store.isPinned(slot))
            {
                blockedMarks[topOf(slot)] = generation;
            }
        }

        for (int i = 0, n = store.activeCount(); i < n; i++)
        {
            final int slot = store.activeSlot(i);
            final int top = topOf(slot);
            if (blockedMarks[top] == generation)
            {
                continue;
            }
            final int cell = (int)cellByKey.get(keyOf(store.positionX(top), store.positionY(top)));
            if (cell < 0 || !evicting[cell])
            {
                continue;
            }
            if (world.isDirty(slot))
            {
                if (scribe.remainingCapacity() <= reserveEvents)
                {
                    break; // the rest goes in a later stream-out; zones keeping children are not evicted
                }
                if (!offerUpsert(slot))
                {
                    continue;
                }
            }
            final int depth = store.depth(slot);
            outSlots[outCount] = slot;
            outCreatedSeqs[outCount] = store.createdSeq(slot);
            outDepths[outCount] = depth;
            outCount++;
            maxOutDepth = Math.max(maxOutDepth, depth);
        }

        awaitFlush();
        isAwaitingDurable = true;
        persistRounds = 0;
        return outCount;
    }

    private int awaitAndEvict()
    {
        if (scribe.durableSequence() < awaitSequence)
        {
            return 0;
        }

        if (persistRounds < MAX_PERSIST_ROUNDS)
        {
            int offered = 0;
            for (int i = 0; i < outCount; i++)
            {
                final int slot = outSlots[i];
                if (isSame(i) && !store.isPinned(slot) && world.isDirty(slot) && offerUpsert(slot))
                {
                    offered++;
                }
            }
            if (offered > 0)
            {
                persistRounds++;
                awaitFlush();
                return offered;
            }
        }

        if (loadsInFlight > 0)
        {
            return 0; // a load in flight may carry an older copy of an entity evicted now: wait for it
        }

        int evicted = 0;
        final EntityStore store = this.store;
        for (int depth = maxOutDepth; depth >= 0; depth--)
        {
            for (int i = 0; i < outCount; i++)
            {
                if (outDepths[i] != depth || !isSame(i))
                {
                    continue;
                }
                final int slot = outSlots[i];
                if (store.isPinned(slot) || (store.isZone(slot) && store.childCount(slot) > 0))
                {
                    continue;
                }
                final int top = topOf(slot);
                if (!isDue((int)cellByKey.get(keyOf(store.positionX(top), store.positionY(top)))))
                {
                    continue; // a player came near while the persist was in flight
                }
                if (world.isDirty(slot) && !offerUpsert(slot))
                {
                    continue;
                }
                if (authority.removeEntity(store.entityId(slot), STREAMED_OUT, store))
                {
                    evicted++;
                }
            }
        }
        entitiesStreamedOut += evicted;

        for (int i = activeCellCount - 1; i >= 0; i--)
        {
            final int cell = activeCells[i];
            if (evicting[cell])
            {
                evicting[cell] = false;
                if (isDue(cell))
                {
                    cellsStreamedOut++;
                    untrack(cell); // entities left behind track it again (UNLOADED) at the next check
                }
            }
        }
        outCount = 0;
        isAwaitingDurable = false;
        updateCounters();
        return evicted + 1;
    }

    private void awaitFlush()
    {
        final long sequence = scribe.flushNow();
        // Ring full: the write-behind interval writes what was offered; wait for the last offer to be durable.
        awaitSequence = ScribeClient.BACK_PRESSURED != sequence ? sequence : scribe.lastOfferedSequence();
    }

    private boolean offerUpsert(final int slot)
    {
        if (!world.fillNode(slot, node) || !scribe.offerNodeUpsert(node))
        {
            return false;
        }
        world.markPersisted(slot);
        return true;
    }

    private boolean isSame(final int index)
    {
        final int slot = outSlots[index];
        return store.isActive(slot) && store.createdSeq(slot) == outCreatedSeqs[index];
    }

    private boolean isDue(final int cell)
    {
        return cell < 0 || (LOADING != cellStates[cell] && nowNs - lastNearNs[cell] > outDelayNs);
    }

    private int topOf(final int slot)
    {
        int top = slot;
        for (int s = store.parentSlot(slot); EntityStore.NULL_SLOT != s; s = store.parentSlot(s))
        {
            top = s;
        }
        return top;
    }

    // ------------------------------------------------------------------ cell table

    private int track(final long key, final int state)
    {
        if (0 == freeCellCount)
        {
            failures++;
            return -1;
        }
        final int cell = freeCells[--freeCellCount];
        cellByKey.put(key, cell);
        cellKeys[cell] = key;
        cellStates[cell] = state;
        lastNearNs[cell] = nowNs;
        entityCounts[cell] = 0;
        evicting[cell] = false;
        loadFailed[cell] = false;
        denseIndex[cell] = activeCellCount;
        activeCells[activeCellCount++] = cell;
        return cell;
    }

    private void untrack(final int cell)
    {
        cellByKey.remove(cellKeys[cell]);
        cellStates[cell] = COLD;
        final int index = denseIndex[cell];
        final int last = activeCells[--activeCellCount];
        activeCells[index] = last;
        denseIndex[last] = index;
        freeCells[freeCellCount++] = cell;
    }

    private long keyOf(final long xMm, final long yMm)
    {
        return key((int)Math.floorDiv(xMm, cellSizeMm), (int)Math.floorDiv(yMm, cellSizeMm));
    }

    private static long key(final int cx, final int cy)
    {
        return ((long)cx << 32) | (cy & 0xFFFF_FFFFL);
    }

    private static double axisDistance(final long value, final long min, final long max)
    {
        if (value < min)
        {
            return (double)(min - value);
        }
        if (value >= max)
        {
            return (double)(value - max);
        }
        return 0;
    }

    private void updateCounters()
    {
        counters[OrreryCounter.OCS_CELLS_HOT.id()].setOrdered(hotCells);
        counters[OrreryCounter.OCS_CELLS_STREAMED_OUT.id()].setOrdered(cellsStreamedOut);
        counters[OrreryCounter.OCS_CELLS_STREAMED_IN.id()].setOrdered(cellsStreamedIn);
        counters[OrreryCounter.OCS_ENTITIES_STREAMED_OUT.id()].setOrdered(entitiesStreamedOut);
        counters[OrreryCounter.OCS_ENTITIES_STREAMED_IN.id()].setOrdered(entitiesStreamedIn);
        if (failures != failuresReported)
        {
            counters[OrreryCounter.ERRORS.id()].getAndAdd(failures - failuresReported);
            failuresReported = failures;
        }
    }
}
