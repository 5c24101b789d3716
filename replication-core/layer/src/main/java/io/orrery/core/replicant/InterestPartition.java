/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant;

import org.agrona.collections.IntArrayList;
import org.agrona.concurrent.NanoClock;

import static io.orrery.core.replicant.InterestEngine.DESPAWN_LENGTH;
import static io.orrery.core.replicant.InterestEngine.SNAPSHOT_CREATED_SEQ;
import static io.orrery.core.replicant.InterestEngine.SNAPSHOT_LAST_CHANGE_SEQ;
import static io.orrery.core.replicant.InterestEngine.SNAPSHOT_RADIUS;
import static io.orrery.core.replicant.InterestEngine.SNAPSHOT_SHIFT;
import static io.orrery.core.replicant.InterestEngine.SNAPSHOT_TICK;
import static io.orrery.core.replicant.InterestEngine.SNAPSHOT_X;
import static io.orrery.core.replicant.InterestEngine.SNAPSHOT_Y;
import static io.orrery.core.replicant.InterestEngine.SNAPSHOT_Z;
import static io.orrery.core.replicant.ObserverViews.DESPAWN_PENDING;
import static io.orrery.core.replicant.ObserverViews.DESPAWN_SENT;
import static io.orrery.core.replicant.ObserverViews.HANDOFF_PENDING;
import static io.orrery.core.replicant.ObserverViews.RESPAWN_PENDING;
import static io.orrery.core.replicant.ObserverViews.SPAWNED;
import static io.orrery.core.replicant.ObserverViews.SPAWN_PENDING;

/**
 * One worker's share of the interest work: a fixed partition of the observers, with their views
 * ({@link ObserverViews}), and everything a tick does per observer: resolve the bubble's centre, maintain the view
 * (despawn what left, accumulate priority of what changed, thin by distance tier), admit candidates from one spatial
 * index query, select what fits the budget and the snapshot pacing ({@link ViewSelection}: the observer's
 * {@link ObserverEgress#spawnCapacity spawn capacity}, and this partition's share of
 * {@link InterestConfig#snapshotBytesPerTick()}, spent by the observers in their order) and emit it to the observer's
 * {@link ObserverEgress} (despawns, spawns, updates). The rules are described on {@link InterestEngine}.
 * <p>
 * Threading: {@link #tick} runs on the partition's worker thread and only reads what is shared (the
 * {@link EntityStore}, the {@link SpatialIndex}, the engine's per-tick snapshot), which the engine guarantees do not
 * change while any partition ticks; every structure it writes (views, per-slot marks, candidate and selection
 * scratch, counters, the observers' egresses) belongs to this partition alone. The control methods (adding and
 * removing observers) run on the Replicant's thread between ticks. Zero allocation in steady state: every structure
 * is sized at construction.
 */
final class InterestPartition
{
    private static final byte REASON_LEFT_BUBBLE = 0;
    private static final byte REASON_DESTROYED = 1;
    private static final byte REASON_HANDED_OFF = 5;
    private static final double OWN_PRIORITY = Double.MAX_VALUE;
    /**
     * Weight of a view entry not computed this tick (the entry accumulates no priority): computed only if the view
     * is full and entries compete ({@link #weighView}).
     */
    private static final double NOT_WEIGHED = Double.NaN;

    private final EntityStore store;
    private final SpatialIndex index;
    private final long[] snapshot;
    private final double baseRadiusM;
    private final double sizeFactor;
    private final double exitFactor;
    private final double priorityScaleM;
    private final double nearTierFraction;
    private final double farTierFraction;
    private final int midTierMask;
    private final int farTierMask;
    /**
     * Entries per observer in the views' arrays (the stride): the view limit plus the handoff reserve.
     */
    private final int viewCapacity;
    /**
     * Entries a view admits ({@link InterestConfig#maxViewEntities()}); only handoff spawns go beyond, into the
     * reserve, for the pass that evicts as many entries.
     */
    private final int viewLimit;
    private final int maxEvictionsPerTick;
    private final int snapshotBytesPerTick;

    // this tick, set by tick()
    private long ticks;
    private NanoClock profileClock;
    private long emitNs;
    private int snapshotBytesLeft;
    private double gridQueryRadiusM;
    private double gridRadiusM;

    final ObserverViews views;
    private final ViewSelection selection;

    // aliases of the views' arrays
    private final long[] observerIds;
    private final ObserverEgress[] egresses;
    private final int[] budgets;
    private final long[] followIds;
    private final int[] followSlots;
    private final long[] followCreatedSeqs;
    private final boolean[] hasCentre;
    private final long[] centreX;
    private final long[] centreY;
    private final long[] centreZ;
    private final boolean[] lagging;
    private final boolean[] needsResync;
    private final boolean[] resyncing;
    private final int[] viewCounts;
    private final int[] viewSlots;
    private final long[] viewCreatedSeqs;
    private final long[] viewEntityIds;
    private final long[] viewLastSentSeqs;
    private final double[] viewPriorities;
    private final byte[] viewStates;
    private final byte[] viewReasons;
    private final int[] viewHandles;

    // per slot marks: "is slot s in the view of the observer being processed" (stamp per observer and tick)
    private final long[] markStamps;
    private long stamp;

    // per observer scratch, sized by view capacity
    private final double[] scratchWeights;
    private final int[] scratchMasks;
    private int despawnedCount;
    private int lastSetEntry;
    private boolean viewWeighed;
    private final IntArrayList queryResults;
    private final int[] candidateSlots;
    private final double[] candidateWeights;
    private int candidateCount;

    // several Replicants: stream only what this Replicant owns; spawn what it gained (see InterestEngine#ownership)
    private boolean ownerFilter;
    private int replicantId;
    private int[] gainedSlots;
    private int gainedCount;
    private final int[] handoffList;
    private int handoffCount;
    // the box around what this Replicant owns, widened by the largest owned entity's leave distance (mm)
    private boolean skipOutOfReach;
    private boolean ownsAny;
    private long reachMinX;
    private long reachMaxX;
    private long reachMinY;
    private long reachMaxY;
    private long reachMinZ;
    private long reachMaxZ;
    private long observersOutOfReach;

    // counters
    private long handoffSpawns;
    private long handoffDespawns;
    private long handoffSpawnsLate;
    private long spawnsSent;
    private long updatesSent;
    private long despawnsSent;
    private long resyncs;
    private long observersLagging;
    private long viewEvictions;
    private long viewFullRejections;
    private long tierDeferrals;

    /**
     * @param store    the entity cache, read only here.
     * @param index    the spatial index of {@code store}, queried only here.
     * @param snapshot the engine's per-slot snapshot, read only here.
     * @param config   concluded bubble parameters.
     * @param capacity observers this partition can hold.
     */
    InterestPartition(
        final EntityStore store,
        final SpatialIndex index,
        final long[] snapshot,
        final InterestConfig config,
        final int capacity)
    {
        this.store = store;
        this.index = index;
        this.snapshot = snapshot;
        baseRadiusM = config.baseRadiusM();
        sizeFactor = config.sizeFactor();
        exitFactor = 1.0 + config.hysteresis();
        priorityScaleM = config.priorityDistanceScaleM();
        nearTierFraction = config.nearTierFraction();
        farTierFraction = config.farTierFraction();
        midTierMask = config.midTierPeriod() - 1;
        farTierMask = config.farTierPeriod() - 1;
        viewLimit = config.maxViewEntities();
        viewCapacity = viewLimit + config.handoffReserve();
        maxEvictionsPerTick = config.maxViewEvictionsPerTick();
        final int workers = config.workers();
        snapshotBytesPerTick = (int)((config.snapshotBytesPerTick() + (long)workers - 1) / workers);
        gridRadiusM = index.largeRadiusM();
        gridQueryRadiusM = baseRadiusM + sizeFactor * gridRadiusM;

        views = new ObserverViews(capacity, viewCapacity);
        observerIds = views.observerIds;
        egresses = views.egresses;
        budgets = views.budgets;
        followIds = views.followIds;
        followSlots = views.followSlots;
        followCreatedSeqs = views.followCreatedSeqs;
        hasCentre = views.hasCentre;
        centreX = views.centreX;
        centreY = views.centreY;
        centreZ = views.centreZ;
        lagging = views.lagging;
        needsResync = views.needsResync;
        resyncing = views.resyncing;
        viewCounts = views.viewCounts;
        viewSlots = views.slots;
        viewCreatedSeqs = views.createdSeqs;
        viewEntityIds = views.entityIds;
        viewLastSentSeqs = views.lastSentSeqs;
        viewPriorities = views.priorities;
        viewStates = views.states;
        viewReasons = views.reasons;
        viewHandles = views.handles;

        markStamps = new long[store.capacity()];
        scratchWeights = new double[viewCapacity];
        scratchMasks = new int[viewCapacity];
        selection = new ViewSelection(views, scratchMasks, snapshot, config);
        queryResults = new IntArrayList(Math.min(store.capacity(), 4096), EntityStore.NULL_SLOT);
        candidateSlots = new int[store.capacity()];
        candidateWeights = new double[store.capacity()];
        handoffList = new int[viewCapacity];
    }

    /**
     * Stream only entities this Replicant owns ({@link EntityStore#ownerReplicant(int)}); control path.
     */
    void ownership(final int replicantId, final int[] gainedSlots)
    {
        this.ownerFilter = true;
        this.replicantId = replicantId;
        this.gainedSlots = gainedSlots;
    }

    long handoffSpawns()
    {
        return handoffSpawns;
    }

    long handoffDespawns()
    {
        return handoffDespawns;
    }

    long handoffSpawnsLate()
    {
        return handoffSpawnsLate;
    }

    long observersOutOfReach()
    {
        return observersOutOfReach;
    }

    /**
     * Several Replicants: where this tick's owned entities can be seen from (see InterestEngine#findOwnedReach); set
     * by the engine before the tick.
     */
    void ownedReach(
        final boolean ownsAny,
        final long minX,
        final long maxX,
        final long minY,
        final long maxY,
        final long minZ,
        final long maxZ)
    {
        this.skipOutOfReach = true;
        this.ownsAny = ownsAny;
        reachMinX = minX;
        reachMaxX = maxX;
        reachMinY = minY;
        reachMaxY = maxY;
        reachMinZ = minZ;
        reachMaxZ = maxZ;
    }

    /**
     * An observer with an empty view (and nothing pending) whose centre is out of reach of everything this Replicant
     * owns: no entity of this Replicant can enter its view this tick, handoff spawns included (they are owned).
     */
    private boolean isOutOfReach(final int o)
    {
        if (!skipOutOfReach || 0 != viewCounts[o] || lagging[o] || needsResync[o])
        {
            return false;
        }
        if (!ownsAny)
        {
            return true;
        }
        resolveCentre(o);
        if (!hasCentre[o])
        {
            return true;
        }
        final long x = centreX[o];
        final long y = centreY[o];
        final long z = centreZ[o];
        return x < reachMinX || x > reachMaxX || y < reachMinY || y > reachMaxY || z < reachMinZ || z > reachMaxZ;
    }

    // ------------------------------------------------------------------ observers (control path)

    int observerCount()
    {
        return views.activeCount;
    }

    int capacity()
    {
        return views.capacity;
    }

    /**
     * @return the local observer index, or -1 if the partition is full.
     */
    int addObserver(final long observerId, final long followEntityId, final ObserverEgress egress, final int budget)
    {
        return views.add(observerId, followEntityId, egress, budget);
    }

    void removeObserver(final int o)
    {
        if (lagging[o])
        {
            observersLagging--;
        }
        views.remove(o);
    }

    void follow(final int o, final long followEntityId)
    {
        followIds[o] = followEntityId;
        followSlots[o] = EntityStore.NULL_SLOT;
    }

    void budget(final int o, final int budgetBytesPerTick)
    {
        budgets[o] = budgetBytesPerTick;
    }

    boolean isResyncing(final int o)
    {
        return needsResync[o] || resyncing[o];
    }

    // ------------------------------------------------------------------ counters

    long spawnsSent()
    {
        return spawnsSent;
    }

    long updatesSent()
    {
        return updatesSent;
    }

    long despawnsSent()
    {
        return despawnsSent;
    }

    long resyncs()
    {
        return resyncs;
    }

    long observersLagging()
    {
        return observersLagging;
    }

    long budgetDeferrals()
    {
        return selection.budgetDeferrals();
    }

    long spawnDeferrals()
    {
        return selection.spawnDeferrals();
    }

    long viewEvictions()
    {
        return viewEvictions;
    }

    long viewFullRejections()
    {
        return viewFullRejections;
    }

    long tierDeferrals()
    {
        return tierDeferrals;
    }

    // ------------------------------------------------------------------ tick

    /**
     * Every observer of the partition, for one tick whose snapshot the engine has taken.
     *
     * @param tick             the engine's tick number (the snapshot's).
     * @param nowNs            the clock of this tick.
     * @param gridRadiusM      the largest radius among grid entities this tick.
     * @param gridQueryRadiusM the per-observer grid query radius of this tick.
     * @return messages issued.
     */
    int tick(final long tick, final long nowNs, final double gridRadiusM, final double gridQueryRadiusM)
    {
        return tick(tick, nowNs, gridRadiusM, gridQueryRadiusM, 0);
    }

    /**
     * @param gainedCount entities of the engine's gained list this tick (several Replicants).
     */
    int tick(
        final long tick, final long nowNs, final double gridRadiusM, final double gridQueryRadiusM,
        final int gainedCount)
    {
        this.gainedCount = gainedCount;
        this.ticks = tick;
        this.gridRadiusM = gridRadiusM;
        this.gridQueryRadiusM = gridQueryRadiusM;
        snapshotBytesLeft = snapshotBytesPerTick;
        final int[] activeObservers = views.activeObservers;
        final int n = views.activeCount;
        // start one observer further each tick: the clients offered last (the longest residence in the layer, the
        // last pick of the tick's snapshot bytes) are not the same clients every tick
        int i = 0 == n ? 0 : (int)(tick % n);
        int work = 0;
        for (int k = 0; k < n; k++)
        {
            work += tickObserver(activeObservers[i], nowNs);
            if (++i == n)
            {
                i = 0;
            }
        }
        return work;
    }

    private int tickObserver(final int o, final long nowNs)
    {
        if (isOutOfReach(o))
        {
            observersOutOfReach++;
            return 0;
        }
        final long observerId = observerIds[o];
        final ObserverEgress egress = egresses[o];
        final int capacity = egress.beginTick(observerId, nowNs);
        if (capacity <= 0)
        {
            if (!lagging[o])
            {
                lagging[o] = true;
                observersLagging++;
            }
            return 0;
        }
        if (lagging[o])
        {
            lagging[o] = false;
            observersLagging--;
        }

        if (needsResync[o])
        {
            startResync(o);
        }

        resolveCentre(o);
        stamp++;
        final int despawnBytes = maintainView(o);
        handoffCount = 0;
        if (hasCentre[o] && gainedCount > 0)
        {
            admitHandoffs(o);
        }
        if (hasCentre[o])
        {
            admitCandidates(o);
        }

        selection.select(o, Math.min(capacity, budgets[o]) - despawnBytes, capacity - despawnBytes,
            Math.min(egress.spawnCapacity(observerId), snapshotBytesLeft));
        snapshotBytesLeft = Math.max(0, snapshotBytesLeft - selection.spawnBytes);
        final NanoClock profileClock = this.profileClock;
        if (null == profileClock)
        {
            return emit(o);
        }
        final long emitStartNs = profileClock.nanoTime();
        final int work = emit(o);
        emitNs += profileClock.nanoTime() - emitStartNs;
        return work;
    }

    /**
     * Time each observer's emission by this clock, for the {@link PassProfile} (null: off). Control path.
     */
    void profileClock(final NanoClock profileClock)
    {
        this.profileClock = profileClock;
    }

    /**
     * @return ns spent emitting (encode and offer) since the profile clock was set; written by the thread that ticks
     * this partition, read by the engine after the tick's fork-join.
     */
    long emitNs()
    {
        return emitNs;
    }

    // ------------------------------------------------------------------ view maintenance

    private void startResync(final int o)
    {
        final int base = o * viewCapacity;
        for (int i = base, end = base + viewCounts[o]; i < end; i++)
        {
            if (SPAWNED == viewStates[i])
            {
                viewStates[i] = RESPAWN_PENDING;
            }
        }
        needsResync[o] = false;
        resyncing[o] = true;
    }

    private void resolveCentre(final int o)
    {
        int slot = followSlots[o];
        if (EntityStore.NULL_SLOT == slot || !store.isActive(slot) || store.createdSeq(slot) != followCreatedSeqs[o])
        {
            slot = store.slotOf(followIds[o]);
            followSlots[o] = slot;
            if (EntityStore.NULL_SLOT != slot)
            {
                followCreatedSeqs[o] = store.createdSeq(slot);
            }
        }

        if (EntityStore.NULL_SLOT != slot)
        {
            hasCentre[o] = true;
            centreX[o] = store.worldX(slot);
            centreY[o] = store.worldY(slot);
            centreZ[o] = store.worldZ(slot);
        }
    }

    /**
     * Walk the view: drop or despawn what is gone or out of range, accumulate priority of what has work,
     * stamp what stays. Returns the bytes of pending despawns.
     */
    private int maintainView(final int o)
    {
        final EntityStore store = this.store;
        final long[] snapshot = this.snapshot;
        final long tick = ticks;
        final int base = o * viewCapacity;
        final int followSlot = followSlots[o];
        final long cx = centreX[o];
        final long cy = centreY[o];
        final long cz = centreZ[o];
        int despawnBytes = 0;
        int respawnPending = 0;
        viewWeighed = false;

        int i = 0;
        while (i < viewCounts[o])
        {
            final int e = base + i;
            final int slot = viewSlots[e];
            if (HANDOFF_PENDING == viewStates[e])
            {
                viewStates[e] = SPAWN_PENDING; // a tick that stopped before sending it: a pending spawn as any
            }
            final byte state = viewStates[e];
            final int s = slot << SNAPSHOT_SHIFT;
            final boolean alive = snapshot[s + SNAPSHOT_TICK] == tick &&
                snapshot[s + SNAPSHOT_CREATED_SEQ] == viewCreatedSeqs[e];

            if (DESPAWN_PENDING == state)
            {
                if (alive)
                {
                    markStamps[slot] = stamp;
                }
                scratchWeights[i] = OWN_PRIORITY;
                despawnBytes += DESPAWN_LENGTH;
                i++;
                continue;
            }

            if (!alive)
            {
                if (SPAWN_PENDING == state)
                {
                    removeEntry(o, i);
                    continue;
                }
                viewStates[e] = DESPAWN_PENDING;
                viewReasons[e] = store.isActive(slot) ? REASON_DESTROYED : (byte)store.removalReason(slot);
                scratchWeights[i] = OWN_PRIORITY;
                despawnBytes += DESPAWN_LENGTH;
                i++;
                continue;
            }

            double distanceM = 0.0;
            double radiusM = 0.0;
            boolean thinned = false;
            if (slot != followSlot)
            {
                distanceM = distanceM(snapshot, s, cx, cy, cz);
                radiusM = Double.longBitsToDouble(snapshot[s + SNAPSHOT_RADIUS]);
                final double bubbleM = baseRadiusM + sizeFactor * radiusM;
                if (distanceM > bubbleM * exitFactor)
                {
                    if (SPAWN_PENDING == state)
                    {
                        removeEntry(o, i);
                        continue;
                    }
                    viewStates[e] = DESPAWN_PENDING;
                    viewReasons[e] = REASON_LEFT_BUBBLE;
                    markStamps[slot] = stamp;
                    scratchWeights[i] = OWN_PRIORITY;
                    despawnBytes += DESPAWN_LENGTH;
                    i++;
                    continue;
                }
                if (distanceM - nearTierFraction * bubbleM > 0.0)
                {
                    final int tierMask = distanceM > farTierFraction * bubbleM ? farTierMask : midTierMask;
                    thinned = 0 != ((tick + slot) & tierMask);
                }
            }

            // within the leave distance (or followed): the gaining Replicant spawns it to this observer
            if (ownerFilter && store.ownerReplicant(slot) != replicantId)
            {
                if (SPAWN_PENDING == state)
                {
                    removeEntry(o, i);
                    continue;
                }
                // handed to another Replicant, whose spawn (a higher owner epoch) the client awaits
                viewStates[e] = DESPAWN_PENDING;
                viewReasons[e] = REASON_HANDED_OFF;
                markStamps[slot] = stamp;
                scratchWeights[i] = OWN_PRIORITY;
                despawnBytes += DESPAWN_LENGTH;
                handoffDespawns++;
                i++;
                continue;
            }

            markStamps[slot] = stamp;
            // the weight (a division) only where it is used: an entry with work, or a view whose entries compete
            int mask = 0;
            double weight = NOT_WEIGHED;
            if (SPAWNED == state && thinned)
            {
                tierDeferrals++;
            }
            else if (SPAWNED == state)
            {
                final long lastSentSeq = viewLastSentSeqs[e];
                mask = snapshot[s + SNAPSHOT_LAST_CHANGE_SEQ] > lastSentSeq ? store.changedSince(slot, lastSentSeq) : 0;
                if (0 != mask)
                {
                    weight = slot == followSlot ? OWN_PRIORITY : weight(distanceM, radiusM);
                    viewPriorities[e] = accumulate(viewPriorities[e], weight);
                }
            }
            else
            {
                if (RESPAWN_PENDING == state)
                {
                    respawnPending++;
                }
                weight = slot == followSlot ? OWN_PRIORITY : weight(distanceM, radiusM);
                viewPriorities[e] = accumulate(viewPriorities[e], weight);
            }
            scratchWeights[i] = weight;
            scratchMasks[i] = mask;
            i++;
        }

        resyncing[o] = respawnPending > 0;

        return despawnBytes;
    }

    private static double accumulate(final double priority, final double weight)
    {
        return OWN_PRIORITY == weight ? OWN_PRIORITY : priority + weight;
    }

    /**
     * Add the followed entity if missing, then what is newly within view distance: all of it if it fits, else the
     * candidates of highest weight into the free places, then up to {@code maxEvictionsPerTick} replacements of the
     * lowest-weight entries by better candidates.
     */
    private void admitCandidates(final int o)
    {
        final EntityStore store = this.store;
        final long cx = centreX[o];
        final long cy = centreY[o];
        final long cz = centreZ[o];

        final int followSlot = followSlots[o];
        if (EntityStore.NULL_SLOT != followSlot && markStamps[followSlot] != stamp &&
            (!ownerFilter || store.ownerReplicant(followSlot) == replicantId))
        {
            if (viewCounts[o] < viewLimit)
            {
                addEntry(o, followSlot, OWN_PRIORITY);
            }
            else
            {
                weighView(o);
                evictLowest(o, OWN_PRIORITY, followSlot);
            }
        }

        candidateCount = 0;
        double queryRadiusM = gridQueryRadiusM;
        double minWeight = -1.0;
        if (viewCounts[o] >= viewLimit)
        {
            // Full view: a candidate gets in only by beating the lowest entry by the hysteresis, and the lowest only
            // rises as entries are replaced, so nothing of lower weight can get in this tick: don't look for it.
            weighView(o);
            double lowestWeight = OWN_PRIORITY;
            for (int i = 0, n = viewCounts[o]; i < n; i++)
            {
                lowestWeight = Math.min(lowestWeight, scratchWeights[i]);
            }
            if (OWN_PRIORITY == lowestWeight)
            {
                return;
            }
            minWeight = lowestWeight * exitFactor;
            queryRadiusM = Math.min(queryRadiusM, reachM(gridRadiusM, minWeight));
        }

        final IntArrayList results = queryResults;
        results.clear();
        if (queryRadiusM >= 0.0)
        {
            index.query(store, cx, cy, cz, queryRadiusM, markStamps, stamp, results);
        }
        for (int i = 0, n = results.size(); i < n; i++)
        {
            consider(results.getInt(i), cx, cy, cz, minWeight);
        }
        for (int i = 0, n = index.largeCount(); i < n; i++)
        {
            final int slot = index.largeSlot(i);
            if (markStamps[slot] != stamp)
            {
                consider(slot, cx, cy, cz, minWeight);
            }
        }

        final int free = viewLimit - viewCounts[o];
        if (candidateCount <= free)
        {
            for (int i = 0; i < candidateCount; i++)
            {
                addEntry(o, candidateSlots[i], candidateWeights[i]);
            }
            return;
        }

        for (int i = (candidateCount >> 1) - 1; i >= 0; i--)
        {
            siftDown(candidateSlots, candidateWeights, candidateCount, i);
        }
        for (int i = 0; i < free; i++)
        {
            addEntry(o, candidateSlots[0], candidateWeights[0]);
            popCandidate();
        }
        if (candidateCount > 0)
        {
            weighView(o);
        }
        for (int i = 0; i < maxEvictionsPerTick && candidateCount > 0; i++)
        {
            if (!evictLowest(o, candidateWeights[0], candidateSlots[0]))
            {
                break;
            }
            popCandidate();
        }
        viewFullRejections += candidateCount;
    }

    /**
     * Several Replicants: the entities this Replicant gained this tick from another Replicant, within the leave
     * distance (the hysteresis's outer bound) of the observer, or the observer's own entity: the loser despawned
     * them {@code handedOff} to every observer it had them for, which is within that distance (both Replicants see
     * the same pass), so each gets this spawn now, outside the budget and the snapshot pacing.
     */
    private void admitHandoffs(final int o)
    {
        final long[] snapshot = this.snapshot;
        final long cx = centreX[o];
        final long cy = centreY[o];
        final long cz = centreZ[o];
        final int followSlot = followSlots[o];
        for (int k = 0; k < gainedCount; k++)
        {
            final int slot = gainedSlots[k];
            if (markStamps[slot] == stamp)
            {
                continue;
            }
            final int s = slot << SNAPSHOT_SHIFT;
            if (slot != followSlot)
            {
                final double radiusM = Double.longBitsToDouble(snapshot[s + SNAPSHOT_RADIUS]);
                if (distanceM(snapshot, s, cx, cy, cz) > (baseRadiusM + sizeFactor * radiusM) * exitFactor)
                {
                    continue;
                }
            }
            final int i;
            if (viewCounts[o] >= viewLimit)
            {
                weighView(o);
                i = placeHandoff(o, slot);
                if (i < 0)
                {
                    handoffSpawnsLate++; // it competes as a candidate from the next tick on; the client waits
                    continue;
                }
            }
            else
            {
                i = viewCounts[o];
                addEntry(o, slot, OWN_PRIORITY);
            }
            viewStates[o * viewCapacity + i] = HANDOFF_PENDING;
            handoffList[handoffCount++] = i;
        }
    }

    /**
     * A full view takes a handoff spawn in this pass: its lowest entry is evicted, in place if its spawn was never
     * sent, else with a {@code leftBubble} despawn (sent before the spawns) while the handoff takes a place of the
     * reserve until that despawn is out; so the view is within its limit again after the pass.
     *
     * @return the handoff's entry, or -1 if nothing can be evicted (every entry followed, leaving or handed over)
     * or the reserve is used up.
     */
    private int placeHandoff(final int o, final int slot)
    {
        int lowest = -1;
        double lowestWeight = OWN_PRIORITY;
        for (int i = 0, n = viewCounts[o]; i < n; i++)
        {
            if (scratchWeights[i] < lowestWeight)
            {
                lowestWeight = scratchWeights[i];
                lowest = i;
            }
        }
        if (-1 == lowest)
        {
            return -1;
        }
        final int e = o * viewCapacity + lowest;
        if (SPAWN_PENDING == viewStates[e])
        {
            viewEvictions++;
            setEntry(o, lowest, slot, OWN_PRIORITY);
            return lowest;
        }
        if (viewCounts[o] >= viewCapacity)
        {
            return -1;
        }
        viewEvictions++;
        viewStates[e] = DESPAWN_PENDING;
        viewReasons[e] = REASON_LEFT_BUBBLE;
        scratchWeights[lowest] = OWN_PRIORITY;
        final int i = viewCounts[o];
        addEntry(o, slot, OWN_PRIORITY);
        return i;
    }

    /**
     * Entries of a full view compete with candidates by weight: compute the weights that view maintenance left out
     * (entries without work this tick), from the same distance and radius, so they are what they would have been.
     */
    private void weighView(final int o)
    {
        if (viewWeighed)
        {
            return;
        }
        viewWeighed = true;
        final long[] snapshot = this.snapshot;
        final int base = o * viewCapacity;
        final long cx = centreX[o];
        final long cy = centreY[o];
        final long cz = centreZ[o];
        for (int i = 0, n = viewCounts[o]; i < n; i++)
        {
            if (Double.isNaN(scratchWeights[i]))
            {
                final int s = viewSlots[base + i] << SNAPSHOT_SHIFT;
                scratchWeights[i] = viewSlots[base + i] == followSlots[o] ? OWN_PRIORITY :
                    weight(distanceM(snapshot, s, cx, cy, cz), Double.longBitsToDouble(snapshot[s + SNAPSHOT_RADIUS]));
            }
        }
    }

    private double weight(final double distanceM, final double radiusM)
    {
        return (radiusM + 1.0) * priorityScaleM / (distanceM + priorityScaleM);
    }

    private void consider(final int slot, final long cx, final long cy, final long cz, final double minWeight)
    {
        if (ownerFilter && store.ownerReplicant(slot) != replicantId)
        {
            return;
        }
        final int s = slot << SNAPSHOT_SHIFT;
        final double distanceM = distanceM(snapshot, s, cx, cy, cz);
        final double radiusM = Double.longBitsToDouble(snapshot[s + SNAPSHOT_RADIUS]);
        if (distanceM <= baseRadiusM + sizeFactor * radiusM)
        {
            final double weight = weight(distanceM, radiusM);
            if (weight > minWeight)
            {
                candidateSlots[candidateCount] = slot;
                candidateWeights[candidateCount] = weight;
                candidateCount++;
            }
        }
    }

    /**
     * Distance within which an entity of radius up to {@code radiusM} has a weight above {@code minWeight}
     * ({@code (r + 1) * s / (d + s) > w  <=>  d < (r + 1) * s / w - s}), widened by a millimetre and a relative
     * 1e-9 so that rounding in the grid's distance test never drops one that the exact weight test keeps.
     */
    private double reachM(final double radiusM, final double minWeight)
    {
        final double reachM = (radiusM + 1.0) * priorityScaleM / minWeight - priorityScaleM;
        return reachM < 0.0 ? -1.0 : reachM * (1.0 + 1e-9) + 0.001;
    }

    private void popCandidate()
    {
        final int last = --candidateCount;
        candidateSlots[0] = candidateSlots[last];
        candidateWeights[0] = candidateWeights[last];
        siftDown(candidateSlots, candidateWeights, candidateCount, 0);
    }

    /**
     * The view is full: give up the entry of lowest weight if the candidate's weight beats it by more than the
     * hysteresis. A never-sent entry is replaced in place; a sent one is despawned and its place goes to the best
     * candidate of the next tick.
     */
    private boolean evictLowest(final int o, final double weight, final int candidateSlot)
    {
        final int base = o * viewCapacity;
        int lowest = -1;
        double lowestWeight = OWN_PRIORITY;
        for (int i = 0, n = viewCounts[o]; i < n; i++)
        {
            if (scratchWeights[i] < lowestWeight)
            {
                lowestWeight = scratchWeights[i];
                lowest = i;
            }
        }

        if (-1 == lowest || !(weight > lowestWeight * exitFactor))
        {
            return false;
        }

        viewEvictions++;
        final int e = base + lowest;
        if (SPAWN_PENDING == viewStates[e])
        {
            setEntry(o, lowest, candidateSlot, weight);
        }
        else
        {
            viewStates[e] = DESPAWN_PENDING;
            viewReasons[e] = REASON_LEFT_BUBBLE;
            scratchWeights[lowest] = OWN_PRIORITY;
        }

        return true;
    }

    private void addEntry(final int o, final int slot, final double weight)
    {
        final int i = viewCounts[o]++;
        setEntry(o, i, slot, weight);
    }

    private void setEntry(final int o, final int i, final int slot, final double weight)
    {
        lastSetEntry = i;
        views.setEntry(store, o, i, slot, weight);
        scratchWeights[i] = weight;
        scratchMasks[i] = 0;
        markStamps[slot] = stamp;
    }

    private void removeEntry(final int o, final int i)
    {
        final int last = views.removeEntry(o, i);
        if (i != last)
        {
            scratchWeights[i] = scratchWeights[last];
            scratchMasks[i] = scratchMasks[last];
        }
    }

    private static double distanceM(final long[] snapshot, final int s, final long cx, final long cy, final long cz)
    {
        final double dx = (double)(snapshot[s + SNAPSHOT_X] - cx);
        final double dy = (double)(snapshot[s + SNAPSHOT_Y] - cy);
        final double dz = (double)(snapshot[s + SNAPSHOT_Z] - cz);
        return Math.sqrt(dx * dx + dy * dy + dz * dz) * 0.001;
    }

    private static void siftDown(final int[] entries, final double[] priorities, final int size, final int start)
    {
        int i = start;
        final int entry = entries[i];
        final double priority = priorities[i];
        while (true)
        {
            int child = (i << 1) + 1;
            if (child >= size)
            {
                break;
            }
            if (child + 1 < size && priorities[child + 1] > priorities[child])
            {
                child++;
            }
            if (priorities[child] <= priority)
            {
                break;
            }
            entries[i] = entries[child];
            priorities[i] = priorities[child];
            i = child;
        }
        entries[i] = entry;
        priorities[i] = priority;
    }

    // ------------------------------------------------------------------ emission

    /**
     * Issue this tick's decisions for one observer: despawns first, then spawns, then updates (see the class
     * Javadoc, <b>Order</b>). Despawns go first so that an id whose old incarnation leaves the view in the same tick
     * as its new incarnation enters it reaches the observer as despawn, then spawn.
     */
    private int emit(final int o)
    {
        despawnedCount = 0;
        final int work = send(o);
        if (despawnedCount > 0)
        {
            removeDespawned(o);
        }
        return work;
    }

    /**
     * Drop the entries whose despawn went out this tick. Done after the whole emission, not during the despawn
     * loop: removing an entry moves another into its place, and the spawn and update lists hold view indices.
     */
    private void removeDespawned(final int o)
    {
        final int base = o * viewCapacity;
        for (int i = viewCounts[o] - 1; i >= 0; i--)
        {
            if (DESPAWN_SENT == viewStates[base + i])
            {
                removeEntry(o, i);
            }
        }
    }

    private int send(final int o)
    {
        final ViewSelection selection = this.selection;
        final int[] spawns = selection.spawnList;
        final EntityStore store = this.store;
        final long observerId = observerIds[o];
        final ObserverEgress egress = egresses[o];
        final int base = o * viewCapacity;
        int work = 0;

        for (int i = 0, n = viewCounts[o]; i < n; i++)
        {
            final int e = base + i;
            if (DESPAWN_PENDING == viewStates[e])
            {
                if (!egress.onDespawn(observerId, viewEntityIds[e], viewHandles[e], viewReasons[e]))
                {
                    return work + markForResync(o);
                }
                viewStates[e] = DESPAWN_SENT;
                despawnedCount++;
                despawnsSent++;
                work++;
            }
        }

        for (int k = 0, n = handoffCount; k < n; k++)
        {
            final int e = base + handoffList[k];
            final int slot = viewSlots[e];
            final int handle = egress.onSpawn(observerId, store, slot, viewHandles[e]);
            if (handle < 0)
            {
                viewStates[e] = SPAWN_PENDING;
                return work + markForResync(o);
            }
            viewStates[e] = SPAWNED;
            viewHandles[e] = handle;
            viewLastSentSeqs[e] = store.changeSeq();
            viewPriorities[e] = 0;
            spawnsSent++;
            handoffSpawns++;
            work++;
        }

        for (int k = 0, n = selection.spawnCount; k < n; k++)
        {
            final int e = base + spawns[k];
            final int slot = viewSlots[e];
            final int handle = egress.onSpawn(observerId, store, slot, viewHandles[e]);
            if (handle < 0)
            {
                // never delivered: a first spawn stays a first spawn (the observer holds nothing to despawn)
                if (SPAWN_PENDING != viewStates[e])
                {
                    viewStates[e] = RESPAWN_PENDING;
                }
                return work + markForResync(o);
            }
            viewStates[e] = SPAWNED;
            viewHandles[e] = handle;
            viewLastSentSeqs[e] = store.changeSeq();
            viewPriorities[e] = 0;
            spawnsSent++;
            work++;
        }

        for (int k = 0, n = selection.updateCount; k < n; k++)
        {
            final int i = selection.updateList[k];
            final int e = base + i;
            if (!egress.onUpdate(observerId, store, viewSlots[e], viewHandles[e], scratchMasks[i]))
            {
                return work + markForResync(o);
            }
            viewLastSentSeqs[e] = store.changeSeq();
            viewPriorities[e] = 0;
            updatesSent++;
            work++;
        }

        if (!egress.endTick(observerId))
        {
            return work + markForResync(o);
        }

        return work;
    }

    private int markForResync(final int o)
    {
        needsResync[o] = true;
        resyncs++;
        return 1;
    }
}
