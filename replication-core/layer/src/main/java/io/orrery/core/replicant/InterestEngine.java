/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant;

import io.orrery.wire.CompactUpdates;
import io.orrery.wire.codec.EntityDespawnEncoder;
import io.orrery.wire.codec.EntitySpawnEncoder;
import io.orrery.wire.codec.EntityUpdateBatchEncoder;
import io.orrery.wire.codec.MessageHeaderEncoder;
import org.agrona.collections.IntArrayList;
import org.agrona.collections.Long2LongHashMap;

/**
 * Streaming bubbles: decides, once per tick and per observer, which entities to spawn, update and despawn, within
 * the observer's bandwidth budget, and hands the decisions to the observer's {@link ObserverEgress}.
 * <p>
 * Threading: single threaded, the Replicant's duty-cycle thread, the same thread that writes the
 * {@link EntityStore}. Zero allocation in steady state: every structure is sized at construction.
 * <p>
 * <b>Bubble.</b> An observer follows an entity (a client's own player entity); the bubble is centred on that
 * entity's world position (the last known one if the entity is gone). An entity of radius {@code r} enters at
 * distance {@code d <= base + k * r} and leaves at {@code d > (base + k * r) * (1 + h)} (see
 * {@link InterestConfig}). Entities larger than {@link SpatialIndex#largeRadiusM()} are checked for every
 * observer; the others are found by one grid query per observer per tick, of radius
 * {@code base + k * maxGridRadiusM} where {@link SpatialIndex#maxGridRadiusM()} is the largest radius among the
 * grid entities this tick (at most {@code largeRadiusM}), so a world of small entities queries only as far as they
 * can be seen. The query skips what is already in the view. The followed entity is always in view, is spawned
 * first, and its updates always go first (they carry {@code lastAppliedInputSequence}, by which clients measure
 * input latency).
 * <p>
 * <b>Deltas.</b> Per view entry the engine remembers the {@link EntityStore#changeSeq()} at which it last sent the
 * entity; an update carries {@link EntityStore#changedSince(int, long)} of that sequence. A spawn is a full
 * snapshot and counts as sending everything.
 * <p>
 * <b>Update tiers.</b> Updates thin out with distance relative to the entity's view distance {@code v}
 * ({@link InterestConfig}): a spawned entry beyond {@code nearTierFraction * v} competes for an update only on every
 * {@code midTierPeriod}-th tick, beyond {@code farTierFraction * v} on every {@code farTierPeriod}-th tick, staggered
 * by slot ({@code (tick + slot) & (period - 1) == 0}) so that each tick carries a similar share. A thinned tick adds
 * no priority and loses nothing: the next update carries everything changed since the last one sent. The followed
 * entity, spawns and despawns are never thinned. Counted in {@link #tierDeferrals()}.
 * <p>
 * <b>Budget and accumulating priority.</b> Each tick every view entry with something to send (pending spawn, or
 * changed fields) adds {@code w = (r + 1) * s / (d + s)} to its accumulated priority ({@code s} =
 * {@link InterestConfig#priorityDistanceScaleM()}). The engine then sends in descending accumulated priority while
 * the bytes fit into {@code min(beginTick capacity, observer budget)} minus the bytes of this tick's despawns;
 * sizes are computed from the SBE codec constants (with {@link InterestConfig#compactUpdates()}, an update's size
 * is {@link CompactUpdates#estimatedEntryLength(int, int)}: a typical size, as a compact entry's real size depends on
 * the values). Sent entries drop to priority 0, deferred ones keep what they
 * accumulated, so a far or small entity rises until it is sent: nothing starves. An entry is sent at a rate
 * proportional to its weight. If the first candidate of a tick is larger than the observer's budget it is still
 * sent when it fits the egress capacity, so an oversized snapshot cannot block an observer forever. When everything
 * pending fits, the priority order is skipped (no heap): all of it is sent, in view order.
 * <p>
 * <b>Order.</b> Per observer per tick: {@code beginTick}, despawns (not budgeted: always sent, their bytes are
 * reserved first), spawns (followed entity first, then by priority, or in view order when everything fits), updates
 * (the same), {@code endTick}.
 * <p>
 * <b>Incarnations.</b> A view entry stands for one incarnation of an entity: its store slot and
 * {@link EntityStore#createdSeq(int)}, never its id alone. Whatever happens to an id between two ticks the observer
 * gets a consistent stream: an incarnation that is gone is despawned (if the observer was sent it) and a new one is
 * a new entry, spawned as usual; despawns go out before spawns, so when an id is removed and created again (a
 * reconnect, a stow then an unstow, slot reuse by the same id) the observer gets the old incarnation's despawn
 * strictly before the new one's spawn and ends the tick holding the new one. An incarnation created and removed
 * between two ticks is never seen; one that was only pending spawn (never delivered) leaves silently, also when its
 * spawn was offered and refused. At most one live entry per id exists (one incarnation of an id is alive at a time,
 * and a slot is entered at most once per tick), so a despawn can never overtake a spawn of the same incarnation.
 * Clients still treat a spawn for an id they hold as a replacement (resyncs send those on purpose).
 * <p>
 * <b>Back-pressure.</b> {@code beginTick <= 0}: the observer is lagging and skipped this tick (its view is not
 * advanced, so nothing is lost: later deltas are computed from what it actually received). A {@code false} from
 * any other call: the engine stops calling for that observer this tick (no {@code endTick}) and marks it for
 * resync. At its next tick with capacity every entity in its view becomes a pending fresh spawn; while any remain,
 * only spawns (and despawns) are sent, by priority and budget as usual; deltas resume when all are re-spawned.
 * Nothing is queued per observer.
 * <p>
 * <b>View capacity.</b> At most {@link InterestConfig#maxViewEntities()} entries per observer (pending despawns
 * included). New candidates fill free places highest weight {@code w} first (nearest / largest wins). When full,
 * the best remaining candidate may replace the entry with the lowest weight if its own weight is higher by more
 * than the hysteresis fraction; the replaced entry is despawned ({@code leftBubble}) and its place goes to the
 * best candidate of the next tick. At most {@link InterestConfig#maxViewEvictionsPerTick()} replacements per
 * observer per tick bound the cost. The followed entity always gets in.
 * <p>
 * Per-observer view, flattened into arrays of {@code maxObservers * maxViewEntities}, entries dense per observer:
 * <pre>
 *   observer o owns entries [o * V, o * V + viewCount[o]):
 *   +------+------------+----------+-------------+------------------+-------+--------+--------+
 *   | slot | createdSeq | entityId | lastSentSeq | accumulated prio | state | reason | handle |
 *   +------+------------+----------+-------------+------------------+-------+--------+--------+
 *   state: SPAWN_PENDING (never delivered), RESPAWN_PENDING (the observer may hold an old copy),
 *          SPAWNED, DESPAWN_PENDING (reason = DespawnReason value), DESPAWN_SENT (only within emission)
 *   handle: what the egress named the entity by at its spawn (ObserverEgress.NO_HANDLE before), handed back with
 *           every update and the despawn
 * </pre>
 * "Is slot s in o's view" is answered without a per-observer map: while processing an observer the engine stamps
 * each in-view slot in a per-slot array with a per-(observer, tick) stamp.
 */
public final class InterestEngine
{
    /**
     * Too many observers.
     */
    public static final int ERR_TOO_MANY_OBSERVERS = -2;

    /**
     * An observer with this id exists already.
     */
    public static final int ERR_DUPLICATE_OBSERVER = -3;

    /**
     * The budget must be positive.
     */
    public static final int ERR_INVALID_BUDGET = -4;

    /**
     * Bytes of an EntitySpawn message without component state.
     */
    public static final int SPAWN_BASE_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH + EntitySpawnEncoder.BLOCK_LENGTH +
        EntitySpawnEncoder.componentStateHeaderLength();

    /**
     * Bytes of one EntityUpdateBatch entry without component state.
     */
    public static final int UPDATE_ENTRY_BASE_LENGTH = EntityUpdateBatchEncoder.UpdatesEncoder.sbeBlockLength() +
        EntityUpdateBatchEncoder.UpdatesEncoder.componentStateHeaderLength();

    /**
     * Bytes of an EntityUpdateBatch message around its entries.
     */
    public static final int UPDATE_BATCH_OVERHEAD = MessageHeaderEncoder.ENCODED_LENGTH +
        EntityUpdateBatchEncoder.BLOCK_LENGTH + EntityUpdateBatchEncoder.UpdatesEncoder.sbeHeaderSize();

    /**
     * Bytes of an EntityDespawn message.
     */
    public static final int DESPAWN_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH + EntityDespawnEncoder.BLOCK_LENGTH;

    static final byte SPAWN_PENDING = 1;
    static final byte RESPAWN_PENDING = 2;
    static final byte SPAWNED = 3;
    static final byte DESPAWN_PENDING = 4;
    private static final byte DESPAWN_SENT = 5;

    private static final byte REASON_LEFT_BUBBLE = 0;
    private static final byte REASON_DESTROYED = 1;
    private static final double OWN_PRIORITY = Double.MAX_VALUE;

    private static final int SNAPSHOT_SHIFT = 3;
    private static final int SNAPSHOT_X = 0;
    private static final int SNAPSHOT_Y = 1;
    private static final int SNAPSHOT_Z = 2;
    private static final int SNAPSHOT_CREATED_SEQ = 3;
    private static final int SNAPSHOT_RADIUS = 4;
    private static final int SNAPSHOT_LAST_CHANGE_SEQ = 5;
    private static final int SNAPSHOT_STATE_LENGTH = 6;
    private static final int SNAPSHOT_TICK = 7;

    private final EntityStore store;
    private final SpatialIndex index;
    private final double baseRadiusM;
    private final double sizeFactor;
    private final double exitFactor;
    private final double priorityScaleM;
    private final double nearTierFraction;
    private final double farTierFraction;
    private final int midTierMask;
    private final int farTierMask;
    private final boolean compactUpdates;
    private final int minUpdateLength;
    private final int batchOverhead;
    private double gridQueryRadiusM;
    private double gridRadiusM;
    private final int maxObservers;
    private final int viewCapacity;
    private final int maxEvictionsPerTick;

    // observers
    private final Long2LongHashMap observerIndexById;
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
    private final int[] activeObservers;
    private final int[] activePositions;
    private int activeObserverCount;
    private final int[] freeObservers;
    private int freeObserverCount;

    // views
    private final int[] viewSlots;
    private final long[] viewCreatedSeqs;
    private final long[] viewEntityIds;
    private final long[] viewLastSentSeqs;
    private final double[] viewPriorities;
    private final byte[] viewStates;
    private final byte[] viewReasons;
    private final int[] viewHandles;

    // per slot, this tick: what every observer reads, one cache line per slot (see takeSnapshot)
    private final long[] snapshot;

    // per slot marks
    private final long[] markStamps;
    private long stamp;

    // per observer scratch, sized by view capacity
    private final double[] scratchWeights;
    private final int[] scratchMasks;
    private final int[] scratchBytes;
    private final long[] heapKeys;
    private final long indexMask;
    private int heapSize;
    private final int[] spawnList;
    private final int[] updateList;
    private int spawnCount;
    private int updateCount;
    private int despawnedCount;
    private final IntArrayList queryResults;
    private final int[] candidateSlots;
    private final double[] candidateWeights;
    private int candidateCount;

    // counters
    private long spawnsSent;
    private long updatesSent;
    private long despawnsSent;
    private long resyncs;
    private long observersLagging;
    private long budgetDeferrals;
    private long viewEvictions;
    private long viewFullRejections;
    private long tierDeferrals;
    private long ticks;

    /**
     * @param store  the entity cache (same thread).
     * @param index  the spatial index of {@code store}, updated by {@link #tick(long)}.
     * @param config bubble parameters, validated here.
     */
    public InterestEngine(final EntityStore store, final SpatialIndex index, final InterestConfig config)
    {
        config.conclude();
        this.store = store;
        this.index = index;
        baseRadiusM = config.baseRadiusM();
        sizeFactor = config.sizeFactor();
        exitFactor = 1.0 + config.hysteresis();
        priorityScaleM = config.priorityDistanceScaleM();
        nearTierFraction = config.nearTierFraction();
        farTierFraction = config.farTierFraction();
        midTierMask = config.midTierPeriod() - 1;
        farTierMask = config.farTierPeriod() - 1;
        compactUpdates = config.compactUpdates();
        minUpdateLength = compactUpdates ? CompactUpdates.estimatedEntryLength(0, 0) : UPDATE_ENTRY_BASE_LENGTH;
        batchOverhead = compactUpdates ? CompactUpdates.MESSAGE_OVERHEAD : UPDATE_BATCH_OVERHEAD;
        gridRadiusM = index.largeRadiusM();
        gridQueryRadiusM = baseRadiusM + sizeFactor * gridRadiusM;
        maxObservers = config.maxObservers();
        viewCapacity = config.maxViewEntities();
        maxEvictionsPerTick = config.maxViewEvictionsPerTick();

        observerIndexById = new Long2LongHashMap((int)(maxObservers / 0.65f) + 2, 0.65f, -1);
        observerIds = new long[maxObservers];
        egresses = new ObserverEgress[maxObservers];
        budgets = new int[maxObservers];
        followIds = new long[maxObservers];
        followSlots = new int[maxObservers];
        followCreatedSeqs = new long[maxObservers];
        hasCentre = new boolean[maxObservers];
        centreX = new long[maxObservers];
        centreY = new long[maxObservers];
        centreZ = new long[maxObservers];
        lagging = new boolean[maxObservers];
        needsResync = new boolean[maxObservers];
        resyncing = new boolean[maxObservers];
        viewCounts = new int[maxObservers];
        activeObservers = new int[maxObservers];
        activePositions = new int[maxObservers];
        freeObservers = new int[maxObservers];
        for (int i = 0; i < maxObservers; i++)
        {
            freeObservers[i] = maxObservers - 1 - i;
        }
        freeObserverCount = maxObservers;

        final int entries = maxObservers * viewCapacity;
        viewSlots = new int[entries];
        viewCreatedSeqs = new long[entries];
        viewEntityIds = new long[entries];
        viewLastSentSeqs = new long[entries];
        viewPriorities = new double[entries];
        viewStates = new byte[entries];
        viewReasons = new byte[entries];
        viewHandles = new int[entries];

        markStamps = new long[store.capacity()];
        snapshot = new long[store.capacity() << SNAPSHOT_SHIFT];

        scratchWeights = new double[viewCapacity];
        scratchMasks = new int[viewCapacity];
        scratchBytes = new int[viewCapacity];
        heapKeys = new long[viewCapacity];
        indexMask = (1L << Math.max(1, 32 - Integer.numberOfLeadingZeros(viewCapacity - 1))) - 1;
        spawnList = new int[viewCapacity];
        updateList = new int[viewCapacity];
        queryResults = new IntArrayList(Math.min(store.capacity(), 4096), EntityStore.NULL_SLOT);
        candidateSlots = new int[store.capacity()];
        candidateWeights = new double[store.capacity()];
    }

    // ------------------------------------------------------------------ observers (control path)

    /**
     * Add an observer. Its followed entity need not exist yet; its bubble starts once it does.
     *
     * @param observerId         unique id, passed back to the egress.
     * @param followEntityId     the entity the bubble is centred on (the client's own player entity).
     * @param egress             where the decisions go.
     * @param budgetBytesPerTick the observer's bandwidth budget per tick.
     * @return the observer index, or {@link #ERR_TOO_MANY_OBSERVERS}, {@link #ERR_DUPLICATE_OBSERVER},
     * {@link #ERR_INVALID_BUDGET}.
     */
    public int addObserver(
        final long observerId, final long followEntityId, final ObserverEgress egress, final int budgetBytesPerTick)
    {
        if (budgetBytesPerTick <= 0)
        {
            return ERR_INVALID_BUDGET;
        }
        if (observerIndexById.get(observerId) != -1)
        {
            return ERR_DUPLICATE_OBSERVER;
        }
        if (0 == freeObserverCount)
        {
            return ERR_TOO_MANY_OBSERVERS;
        }

        final int o = freeObservers[--freeObserverCount];
        observerIndexById.put(observerId, o);
        observerIds[o] = observerId;
        egresses[o] = egress;
        budgets[o] = budgetBytesPerTick;
        followIds[o] = followEntityId;
        followSlots[o] = EntityStore.NULL_SLOT;
        followCreatedSeqs[o] = 0;
        hasCentre[o] = false;
        lagging[o] = false;
        needsResync[o] = false;
        resyncing[o] = false;
        viewCounts[o] = 0;
        activePositions[o] = activeObserverCount;
        activeObservers[activeObserverCount++] = o;

        return o;
    }

    /**
     * Remove an observer; nothing is sent to it.
     *
     * @return true if it existed.
     */
    public boolean removeObserver(final long observerId)
    {
        final int o = (int)observerIndexById.remove(observerId);
        if (-1 == o)
        {
            return false;
        }

        if (lagging[o])
        {
            observersLagging--;
        }
        egresses[o] = null;
        viewCounts[o] = 0;
        final int position = activePositions[o];
        final int last = activeObservers[--activeObserverCount];
        activeObservers[position] = last;
        activePositions[last] = position;
        freeObservers[freeObserverCount++] = o;

        return true;
    }

    /**
     * Change the entity an observer follows (e.g. the player respawned as another entity).
     *
     * @return true if the observer exists.
     */
    public boolean follow(final long observerId, final long followEntityId)
    {
        final int o = (int)observerIndexById.get(observerId);
        if (-1 == o)
        {
            return false;
        }
        followIds[o] = followEntityId;
        followSlots[o] = EntityStore.NULL_SLOT;
        return true;
    }

    /**
     * Change an observer's budget.
     *
     * @return true if the observer exists and the budget is positive.
     */
    public boolean budget(final long observerId, final int budgetBytesPerTick)
    {
        final int o = (int)observerIndexById.get(observerId);
        if (-1 == o || budgetBytesPerTick <= 0)
        {
            return false;
        }
        budgets[o] = budgetBytesPerTick;
        return true;
    }

    /**
     * @return the observer's index or -1.
     */
    public int observerIndex(final long observerId)
    {
        return (int)observerIndexById.get(observerId);
    }

    public int observerCount()
    {
        return activeObserverCount;
    }

    /**
     * @return number of entries in the observer's view, pending spawns and despawns included.
     */
    public int viewCount(final int observerIndex)
    {
        return viewCounts[observerIndex];
    }

    /**
     * Diagnostic (linear scan): is the entity spawned, or pending spawn, in the observer's view?
     */
    public boolean inView(final int observerIndex, final long entityId)
    {
        final int base = observerIndex * viewCapacity;
        for (int i = base, end = base + viewCounts[observerIndex]; i < end; i++)
        {
            if (viewEntityIds[i] == entityId && DESPAWN_PENDING != viewStates[i])
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Diagnostic: the entity id of an entry of the observer's view.
     *
     * @param entry {@code 0 <= entry < viewCount(observerIndex)}.
     */
    public long viewEntityId(final int observerIndex, final int entry)
    {
        return viewEntityIds[observerIndex * viewCapacity + entry];
    }

    /**
     * Diagnostic: the incarnation ({@link EntityStore#createdSeq(int)}) of an entry of the observer's view.
     *
     * @param entry {@code 0 <= entry < viewCount(observerIndex)}.
     */
    public long viewCreatedSeq(final int observerIndex, final int entry)
    {
        return viewCreatedSeqs[observerIndex * viewCapacity + entry];
    }

    /**
     * Diagnostic: the state of an entry of the observer's view ({@code SPAWN_PENDING} ... {@code DESPAWN_PENDING}).
     */
    byte viewState(final int observerIndex, final int entry)
    {
        return viewStates[observerIndex * viewCapacity + entry];
    }

    /**
     * @return true if the observer will be, or is being, resynchronised.
     */
    public boolean isResyncing(final int observerIndex)
    {
        return needsResync[observerIndex] || resyncing[observerIndex];
    }

    // ------------------------------------------------------------------ counters

    public long spawnsSent()
    {
        return spawnsSent;
    }

    public long updatesSent()
    {
        return updatesSent;
    }

    public long despawnsSent()
    {
        return despawnsSent;
    }

    /**
     * @return number of times an observer was marked for resync.
     */
    public long resyncs()
    {
        return resyncs;
    }

    /**
     * @return observers whose latest {@code beginTick} reported no capacity (a gauge).
     */
    public long observersLagging()
    {
        return observersLagging;
    }

    /**
     * @return (entity, observer, tick) triples with something to send that the budget deferred.
     */
    public long budgetDeferrals()
    {
        return budgetDeferrals;
    }

    /**
     * @return view entries given up to better candidates because a view was full.
     */
    public long viewEvictions()
    {
        return viewEvictions;
    }

    /**
     * @return candidates that could not enter a full view although their weight beat the view's lowest entry by
     * the hysteresis (the per-tick eviction limit, or entries replaced before them); candidates that could not beat
     * it are not even looked up.
     */
    public long viewFullRejections()
    {
        return viewFullRejections;
    }

    /**
     * @return (entity, observer, tick) triples in view whose update this tick was skipped by its distance tier
     * (whether or not it had changes).
     */
    public long tierDeferrals()
    {
        return tierDeferrals;
    }

    public long ticks()
    {
        return ticks;
    }

    /**
     * @return radius in metres of this tick's grid query per observer: base + sizeFactor * the largest radius
     * among the index's grid entities.
     */
    public double gridQueryRadiusM()
    {
        return gridQueryRadiusM;
    }

    // ------------------------------------------------------------------ duty cycle

    /**
     * One tick: world positions, spatial index, then every observer.
     *
     * @param nowNs the clock, read once by the caller for this duty cycle.
     * @return work done: entities re-indexed plus messages issued.
     */
    public int tick(final long nowNs)
    {
        ticks++;
        store.updateWorldPositions();
        int work = index.update(store);
        takeSnapshot();
        gridRadiusM = Math.min(index.maxGridRadiusM(), index.largeRadiusM());
        gridQueryRadiusM = baseRadiusM + sizeFactor * gridRadiusM;

        final int[] activeObservers = this.activeObservers;
        for (int i = 0; i < activeObserverCount; i++)
        {
            work += tickObserver(activeObservers[i], nowNs);
        }

        return work;
    }

    /**
     * Copy what view maintenance, candidates and selection read per slot into one cache line per slot: every
     * observer visits hundreds of slots per tick, and reading one line instead of one line of each of seven store
     * arrays keeps the per-entry cost down when other threads share the caches. The store does not change while
     * the engine ticks. A slot not active this tick keeps an older tick number, so it never reads as alive.
     */
    private void takeSnapshot()
    {
        final EntityStore store = this.store;
        final long[] snapshot = this.snapshot;
        final long tick = ticks;
        for (int i = 0, n = store.activeCount(); i < n; i++)
        {
            final int slot = store.activeSlot(i);
            final int s = slot << SNAPSHOT_SHIFT;
            snapshot[s + SNAPSHOT_X] = store.worldX(slot);
            snapshot[s + SNAPSHOT_Y] = store.worldY(slot);
            snapshot[s + SNAPSHOT_Z] = store.worldZ(slot);
            snapshot[s + SNAPSHOT_CREATED_SEQ] = store.createdSeq(slot);
            snapshot[s + SNAPSHOT_RADIUS] = Double.doubleToRawLongBits(store.radius(slot));
            snapshot[s + SNAPSHOT_LAST_CHANGE_SEQ] = store.lastChangeSeq(slot);
            snapshot[s + SNAPSHOT_STATE_LENGTH] = store.componentStateLength(slot);
            snapshot[s + SNAPSHOT_TICK] = tick;
        }
    }

    private int tickObserver(final int o, final long nowNs)
    {
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
        if (hasCentre[o])
        {
            admitCandidates(o);
        }

        select(o, Math.min(capacity, budgets[o]) - despawnBytes, capacity - despawnBytes);
        return emit(o);
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

        int i = 0;
        while (i < viewCounts[o])
        {
            final int e = base + i;
            final int slot = viewSlots[e];
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

            final double weight;
            boolean thinned = false;
            if (slot == followSlot)
            {
                weight = OWN_PRIORITY;
            }
            else
            {
                final double distanceM = distanceM(snapshot, s, cx, cy, cz);
                final double radiusM = Double.longBitsToDouble(snapshot[s + SNAPSHOT_RADIUS]);
                if (distanceM > (baseRadiusM + sizeFactor * radiusM) * exitFactor)
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
                weight = (radiusM + 1.0) * priorityScaleM / (distanceM + priorityScaleM);
                final double tierDistanceM = distanceM - nearTierFraction * (baseRadiusM + sizeFactor * radiusM);
                if (tierDistanceM > 0.0)
                {
                    final int tierMask = distanceM > farTierFraction * (baseRadiusM + sizeFactor * radiusM) ?
                        farTierMask : midTierMask;
                    thinned = 0 != ((tick + slot) & tierMask);
                }
            }

            markStamps[slot] = stamp;
            scratchWeights[i] = weight;
            int mask = 0;
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
                    viewPriorities[e] = accumulate(viewPriorities[e], weight);
                }
            }
            else
            {
                if (RESPAWN_PENDING == state)
                {
                    respawnPending++;
                }
                viewPriorities[e] = accumulate(viewPriorities[e], weight);
            }
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
        if (EntityStore.NULL_SLOT != followSlot && markStamps[followSlot] != stamp)
        {
            if (viewCounts[o] < viewCapacity)
            {
                addEntry(o, followSlot, OWN_PRIORITY);
            }
            else
            {
                evictLowest(o, OWN_PRIORITY, followSlot);
            }
        }

        candidateCount = 0;
        double queryRadiusM = gridQueryRadiusM;
        double minWeight = -1.0;
        if (viewCounts[o] >= viewCapacity)
        {
            // Full view: a candidate gets in only by beating the lowest entry by the hysteresis, and the lowest only
            // rises as entries are replaced, so nothing of lower weight can get in this tick: don't look for it.
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

        final int free = viewCapacity - viewCounts[o];
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

    private void consider(final int slot, final long cx, final long cy, final long cz, final double minWeight)
    {
        final int s = slot << SNAPSHOT_SHIFT;
        final double distanceM = distanceM(snapshot, s, cx, cy, cz);
        final double radiusM = Double.longBitsToDouble(snapshot[s + SNAPSHOT_RADIUS]);
        if (distanceM <= baseRadiusM + sizeFactor * radiusM)
        {
            final double weight = (radiusM + 1.0) * priorityScaleM / (distanceM + priorityScaleM);
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
        final int e = o * viewCapacity + i;
        viewSlots[e] = slot;
        viewCreatedSeqs[e] = store.createdSeq(slot);
        viewEntityIds[e] = store.entityId(slot);
        viewLastSentSeqs[e] = 0;
        viewPriorities[e] = weight;
        viewStates[e] = SPAWN_PENDING;
        viewReasons[e] = 0;
        viewHandles[e] = ObserverEgress.NO_HANDLE;
        scratchWeights[i] = weight;
        scratchMasks[i] = 0;
        markStamps[slot] = stamp;
    }

    private void removeEntry(final int o, final int i)
    {
        final int base = o * viewCapacity;
        final int last = --viewCounts[o];
        if (i != last)
        {
            final int e = base + i;
            final int l = base + last;
            viewSlots[e] = viewSlots[l];
            viewCreatedSeqs[e] = viewCreatedSeqs[l];
            viewEntityIds[e] = viewEntityIds[l];
            viewLastSentSeqs[e] = viewLastSentSeqs[l];
            viewPriorities[e] = viewPriorities[l];
            viewStates[e] = viewStates[l];
            viewReasons[e] = viewReasons[l];
            viewHandles[e] = viewHandles[l];
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

    // ------------------------------------------------------------------ selection

    /**
     * Fill {@code spawnList} and {@code updateList} (view indices, in descending priority) with what fits.
     * While resynchronising only snapshots compete (SPAWNED entries keep accumulating priority meanwhile).
     */
    private void select(final int o, final int limit, final int egressCapacity)
    {
        final long[] snapshot = this.snapshot;
        final int base = o * viewCapacity;
        final boolean deltasAllowed = !resyncing[o];
        final int followSlot = followSlots[o];
        spawnCount = 0;
        updateCount = 0;
        heapSize = 0;

        long totalBytes = 0;
        boolean anyUpdate = false;
        int followPosition = -1;
        for (int i = 0, n = viewCounts[o]; i < n; i++)
        {
            final int e = base + i;
            final byte state = viewStates[e];
            final int bytes;
            if (SPAWN_PENDING == state || RESPAWN_PENDING == state)
            {
                bytes = SPAWN_BASE_LENGTH + (int)snapshot[(viewSlots[e] << SNAPSHOT_SHIFT) + SNAPSHOT_STATE_LENGTH];
            }
            else if (SPAWNED == state && 0 != scratchMasks[i] && deltasAllowed)
            {
                final int mask = scratchMasks[i];
                final int stateLength = 0 != (mask & EntityStore.COMPONENT_STATE) ?
                    (int)snapshot[(viewSlots[e] << SNAPSHOT_SHIFT) + SNAPSHOT_STATE_LENGTH] : 0;
                bytes = compactUpdates ? CompactUpdates.estimatedEntryLength(mask, stateLength) :
                    UPDATE_ENTRY_BASE_LENGTH + stateLength;
                anyUpdate = true;
            }
            else
            {
                continue;
            }
            if (viewSlots[e] == followSlot)
            {
                followPosition = heapSize;
            }
            scratchBytes[i] = bytes;
            totalBytes += bytes;
            heapKeys[heapSize++] = heapKey(viewPriorities[e], i);
        }

        if (0 == heapSize)
        {
            return;
        }

        if (totalBytes + (anyUpdate ? batchOverhead : 0) <= limit)
        {
            selectAll(base, followPosition);
            return;
        }

        final long[] keys = heapKeys;
        for (int i = (heapSize >> 1) - 1; i >= 0; i--)
        {
            siftDown(keys, heapSize, i);
        }

        int remaining = limit;
        boolean batchStarted = false;
        boolean first = true;
        while (heapSize > 0)
        {
            if (remaining < minUpdateLength && !first)
            {
                budgetDeferrals += heapSize;
                break;
            }

            final int i = (int)(keys[0] & indexMask);
            keys[0] = keys[--heapSize];
            siftDown(keys, heapSize, 0);

            final boolean isSpawn = SPAWNED != viewStates[base + i];
            int bytes = scratchBytes[i];
            if (!isSpawn && !batchStarted)
            {
                bytes += batchOverhead;
            }

            if (bytes <= remaining || (first && bytes <= egressCapacity))
            {
                remaining -= bytes;
                first = false;
                if (isSpawn)
                {
                    spawnList[spawnCount++] = i;
                }
                else
                {
                    batchStarted = true;
                    updateList[updateCount++] = i;
                }
            }
            else
            {
                first = false;
                budgetDeferrals++;
            }
        }
    }

    /**
     * Everything collected in {@code heapKeys} fits: take all of it in view order, the followed entity first.
     */
    private void selectAll(final int base, final int followPosition)
    {
        final long[] keys = heapKeys;
        final long indexMask = this.indexMask;
        if (followPosition > 0)
        {
            final long follow = keys[followPosition];
            keys[followPosition] = keys[0];
            keys[0] = follow;
        }

        final byte[] states = viewStates;
        final int[] spawns = spawnList;
        final int[] updates = updateList;
        int spawnTotal = 0;
        int updateTotal = 0;
        for (int k = 0, n = heapSize; k < n; k++)
        {
            final int i = (int)(keys[k] & indexMask);
            if (SPAWNED != states[base + i])
            {
                spawns[spawnTotal++] = i;
            }
            else
            {
                updates[updateTotal++] = i;
            }
        }
        spawnCount = spawnTotal;
        updateCount = updateTotal;
        heapSize = 0;
    }

    /**
     * Heap key of a view entry: the priority's bits (priorities are never negative, so their bits order like their
     * values) with the lowest bits replaced by the entry's view index. One long per heap element halves the memory
     * the heap moves; priorities equal in all but their last few mantissa bits (relative 1e-13) are ordered by
     * view index, higher first.
     */
    private long heapKey(final double priority, final int viewIndex)
    {
        return (Double.doubleToRawLongBits(priority) & ~indexMask) | viewIndex;
    }

    /**
     * Max-heap sift down over heap keys.
     */
    private static void siftDown(final long[] keys, final int size, final int start)
    {
        int i = start;
        final long key = keys[i];
        while (true)
        {
            int child = (i << 1) + 1;
            if (child >= size)
            {
                break;
            }
            if (child + 1 < size && keys[child + 1] > keys[child])
            {
                child++;
            }
            if (keys[child] <= key)
            {
                break;
            }
            keys[i] = keys[child];
            i = child;
        }
        keys[i] = key;
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
        final int[] spawns = spawnList;
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

        for (int k = 0; k < spawnCount; k++)
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

        for (int k = 0; k < updateCount; k++)
        {
            final int i = updateList[k];
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
