/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant;

import io.orrery.wire.CompactUpdates;
import io.orrery.wire.codec.EntityDespawnEncoder;
import io.orrery.wire.codec.EntitySpawnEncoder;
import io.orrery.wire.codec.EntityUpdateBatchEncoder;
import io.orrery.wire.codec.MessageHeaderEncoder;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.TimeUnit;

/**
 * Streaming bubbles: decides, once per tick and per observer, which entities to spawn, update and despawn, within
 * the observer's bandwidth budget, and hands the decisions to the observer's {@link ObserverEgress}.
 * <p>
 * <b>Workers.</b> The observers are split into {@link InterestConfig#workers()} fixed partitions
 * ({@link InterestPartition}), each with its own views, scratch, counters and egresses (an observer is given to the
 * partition with the fewest observers when it is added, and stays there; one writer per observer's egress). A tick is
 * a fork-join: the engine, on the caller's thread (the Replicant's, the only writer of the {@link EntityStore}),
 * updates world positions and the {@link SpatialIndex} and takes one per-slot snapshot, then publishes the tick to
 * the {@link #workerAgents() worker agents} of partitions {@code 1..workers-1}, runs partition 0 itself and waits
 * until every partition is done before it returns, so the store, the index and the snapshot do not change while any
 * partition reads them. A worker agent that is not running on a thread (INVOKER threading, not started yet, or
 * closed) has its partition run by the caller, in partition order: with one thread the result is deterministic and
 * every observer's stream is the same as with one worker.
 * <p>
 * Threading: {@link #tick}, the observer methods and the counters are for the caller's thread (the Replicant's);
 * each partition's tick runs on its worker's thread. Zero allocation in steady state on every thread: every
 * structure is sized at construction.
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
 * <b>Snapshot pacing.</b> Spawns (other than the followed entity's) also have to fit the observer's
 * {@link ObserverEgress#spawnCapacity spawn capacity} (for a client: half of what its publication's window holds
 * above the back-pressure threshold, so its snapshot goes at the rate it reads and never back-pressures it by
 * itself) and what is left this tick of the partition's share of {@link InterestConfig#snapshotBytesPerTick()}
 * (spent by the observers in partition order). A new or resynchronising observer's view (hundreds of spawns) thus goes
 * out over several ticks, nearest first by the accumulated priority, while updates of what it already holds continue.
 * Consistency is that of any deferral: a pending spawn whose entity goes is dropped unsent, a sent one is despawned.
 * Counted in {@link #spawnDeferrals()}.
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
 * only spawns (and despawns) are sent, by priority and budget as usual, and the followed entity's deltas once its own
 * fresh spawn (the first) went out, so the client's input acknowledgements never wait for the rest of its view;
 * the other deltas resume when all are re-spawned.
 * Nothing is queued per observer.
 * <p>
 * <b>View capacity.</b> At most {@link InterestConfig#maxViewEntities()} entries per observer (pending despawns
 * included). New candidates fill free places highest weight {@code w} first (nearest / largest wins). When full,
 * the best remaining candidate may replace the entry with the lowest weight if its own weight is higher by more
 * than the hysteresis fraction; the replaced entry is despawned ({@code leftBubble}) and its place goes to the
 * best candidate of the next tick. At most {@link InterestConfig#maxViewEvictionsPerTick()} replacements per
 * observer per tick bound the cost. The followed entity always gets in. With several Replicants, an entity gained
 * from another Replicant is spawned in its pass even to a full view: it evicts the lowest entry at once and holds a
 * place of the view's reserve ({@link InterestConfig#handoffReserve()}) until that entry's despawn is out, so the view
 * is within its limit again after the pass.
 * <p>
 * The per-observer views are described on {@link ObserverViews}. "Is slot s in o's view" is answered without a
 * per-observer map: while processing an observer its partition stamps each in-view slot in a per-slot array of its
 * own with a per-(observer, tick) stamp.
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
     * No such worker.
     */
    public static final int ERR_INVALID_WORKER = -5;

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

    static final byte SPAWN_PENDING = ObserverViews.SPAWN_PENDING;
    static final byte RESPAWN_PENDING = ObserverViews.RESPAWN_PENDING;
    static final byte SPAWNED = ObserverViews.SPAWNED;
    static final byte DESPAWN_PENDING = ObserverViews.DESPAWN_PENDING;

    /**
     * Per-slot snapshot layout: {@code 1 << SNAPSHOT_SHIFT} longs (one cache line) per slot.
     */
    static final int SNAPSHOT_SHIFT = 3;
    static final int SNAPSHOT_X = 0;
    static final int SNAPSHOT_Y = 1;
    static final int SNAPSHOT_Z = 2;
    static final int SNAPSHOT_CREATED_SEQ = 3;
    static final int SNAPSHOT_RADIUS = 4;
    static final int SNAPSHOT_LAST_CHANGE_SEQ = 5;
    static final int SNAPSHOT_STATE_LENGTH = 6;
    static final int SNAPSHOT_TICK = 7;

    private final EntityStore store;
    private final SpatialIndex index;
    private final double baseRadiusM;
    private final double sizeFactor;
    private final double exitFactor;
    private final int maxObservers;
    private double gridQueryRadiusM;
    private double gridRadiusM;

    private final Long2LongHashMap observerIndexById;
    private final InterestPartition[] partitions;
    private final InterestWorker[] workers;
    private final boolean[] dispatched;
    private int observerCount;

    // per slot, this tick: what every observer reads, one cache line per slot (see takeSnapshot)
    private final long[] snapshot;

    // several Replicants (see ownership): what this engine saw per slot, and the slots gained this tick
    private int replicantId = -1;
    private int[] seenOwners;
    private long[] seenCreatedSeqs;
    private int[] gainedSlots;
    private int gainedCount;
    private long gained;

    private long ticks;
    private long tickNowNs;
    private long inlinePartitionTicks;
    private NanoClock profileClock;
    private long indexEndNs;

    /**
     * @param store  the entity cache (the caller's thread writes it, only between ticks).
     * @param index  the spatial index of {@code store}, updated by {@link #tick(long)}.
     * @param config bubble parameters and worker count, validated here.
     */
    public InterestEngine(final EntityStore store, final SpatialIndex index, final InterestConfig config)
    {
        config.conclude();
        this.store = store;
        this.index = index;
        baseRadiusM = config.baseRadiusM();
        sizeFactor = config.sizeFactor();
        exitFactor = 1.0 + config.hysteresis();
        gridRadiusM = index.largeRadiusM();
        gridQueryRadiusM = baseRadiusM + sizeFactor * gridRadiusM;
        maxObservers = config.maxObservers();

        observerIndexById = new Long2LongHashMap((int)(maxObservers / 0.65f) + 2, 0.65f, -1);
        snapshot = new long[store.capacity() << SNAPSHOT_SHIFT];

        final int workerCount = config.workers();
        final int partitionCapacity = (maxObservers + workerCount - 1) / workerCount;
        partitions = new InterestPartition[workerCount];
        for (int p = 0; p < workerCount; p++)
        {
            partitions[p] = new InterestPartition(store, index, snapshot, config, partitionCapacity);
        }
        workers = new InterestWorker[workerCount - 1];
        for (int w = 0; w < workers.length; w++)
        {
            workers[w] = new InterestWorker(this, partitions[w + 1], w + 1);
        }
        dispatched = new boolean[workerCount];
    }

    // ------------------------------------------------------------------ several Replicants

    /**
     * Several Replicants per shard: stream only the entities this Replicant owns ({@link EntityStore#ownerReplicant}).
     * An entity it stops owning is despawned with {@code handedOff} to every observer it was sent to; one it gains
     * from another Replicant (same incarnation, another owner last tick) is spawned, outside the budget, to every
     * observer within the entity's leave distance. Control path: before the first tick.
     *
     * @param replicantId this Replicant's id.
     * @return this.
     */
    public InterestEngine ownership(final int replicantId)
    {
        this.replicantId = replicantId;
        final int capacity = store.capacity();
        seenOwners = new int[capacity];
        seenCreatedSeqs = new long[capacity];
        java.util.Arrays.fill(seenCreatedSeqs, -1);
        gainedSlots = new int[capacity];
        for (final InterestPartition partition : partitions)
        {
            partition.ownership(replicantId, gainedSlots);
        }
        return this;
    }

    /**
     * @return entities this Replicant gained from another Replicant (once per entity and handoff).
     */
    public long handoffsGained()
    {
        return gained;
    }

    /**
     * @return spawns sent because this Replicant gained the entity (outside the budget).
     */
    public long handoffSpawns()
    {
        long total = 0;
        for (final InterestPartition partition : partitions)
        {
            total += partition.handoffSpawns();
        }
        return total;
    }

    /**
     * @return spawns of entities gained from another Replicant that a full view could not take in the pass (nothing
     * to evict, or the view's handoff reserve used up, {@link InterestConfig#handoffReserve()}): the entity competes
     * as a candidate from the next pass on and its client holds it awaiting its owner meanwhile.
     */
    public long handoffSpawnsLate()
    {
        long total = 0;
        for (final InterestPartition partition : partitions)
        {
            total += partition.handoffSpawnsLate();
        }
        return total;
    }

    /**
     * @return despawns sent with {@code handedOff} because another Replicant gained the entity.
     */
    public long handoffDespawns()
    {
        long total = 0;
        for (final InterestPartition partition : partitions)
        {
            total += partition.handoffDespawns();
        }
        return total;
    }

    // ------------------------------------------------------------------ workers

    /**
     * @return the number of partitions (workers), partition 0 included.
     */
    public int workerCount()
    {
        return partitions.length;
    }

    /**
     * The agents of partitions {@code 1..workerCount()-1}, for the caller to run on threads of their own (an
     * {@code AgentRunner} each). Any that is not running has its partition ticked on the engine caller's thread.
     *
     * @return the worker agents; empty with one worker.
     */
    public Agent[] workerAgents()
    {
        final Agent[] agents = new Agent[workers.length];
        System.arraycopy(workers, 0, agents, 0, workers.length);
        return agents;
    }

    /**
     * The idle strategy for a worker agent's runner: spin, yield, then park up to 10 ms. A dispatched tick unparks
     * the worker, so the long park only makes an idle worker cheap, not a tick late.
     *
     * @return a new idle strategy, one per runner.
     */
    public static IdleStrategy newWorkerIdleStrategy()
    {
        return new BackoffIdleStrategy(10, 20, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(10));
    }

    /**
     * @return partition ticks run on the engine caller's thread for a worker agent that was not running (always the
     * case in INVOKER threading, never once the worker threads run).
     */
    public long inlinePartitionTicks()
    {
        return inlinePartitionTicks;
    }

    /**
     * @return the worker (partition) an observer added without one is given: the one with the fewest observers.
     */
    public int leastLoadedWorker()
    {
        int best = 0;
        for (int p = 1; p < partitions.length; p++)
        {
            if (partitions[p].observerCount() < partitions[best].observerCount())
            {
                best = p;
            }
        }
        return best;
    }

    /**
     * @return the worker (partition) that owns the observer index.
     */
    public int workerOf(final int observerIndex)
    {
        return observerIndex % partitions.length;
    }

    int gainedCount()
    {
        return gainedCount;
    }

    long tickNowNs()
    {
        return tickNowNs;
    }

    double gridRadiusM()
    {
        return gridRadiusM;
    }

    // ------------------------------------------------------------------ observers (control path)

    /**
     * Add an observer to the worker with the fewest observers. Its followed entity need not exist yet; its bubble
     * starts once it does.
     *
     * @param observerId         unique id, passed back to the egress.
     * @param followEntityId     the entity the bubble is centred on (the client's own player entity).
     * @param egress             where the decisions go; called on the observer's worker thread.
     * @param budgetBytesPerTick the observer's bandwidth budget per tick.
     * @return the observer index, or {@link #ERR_TOO_MANY_OBSERVERS}, {@link #ERR_DUPLICATE_OBSERVER},
     * {@link #ERR_INVALID_BUDGET}.
     */
    public int addObserver(
        final long observerId, final long followEntityId, final ObserverEgress egress, final int budgetBytesPerTick)
    {
        return addObserver(leastLoadedWorker(), observerId, followEntityId, egress, budgetBytesPerTick);
    }

    /**
     * Add an observer to a given worker (see {@link #addObserver(long, long, ObserverEgress, int)}). The egress is
     * called on that worker's thread only: give each worker its own.
     *
     * @param worker {@code 0 <= worker < workerCount()}.
     * @return the observer index, or {@link #ERR_TOO_MANY_OBSERVERS}, {@link #ERR_DUPLICATE_OBSERVER},
     * {@link #ERR_INVALID_BUDGET}, {@link #ERR_INVALID_WORKER}.
     */
    public int addObserver(
        final int worker,
        final long observerId,
        final long followEntityId,
        final ObserverEgress egress,
        final int budgetBytesPerTick)
    {
        if (worker < 0 || worker >= partitions.length)
        {
            return ERR_INVALID_WORKER;
        }
        if (budgetBytesPerTick <= 0)
        {
            return ERR_INVALID_BUDGET;
        }
        if (observerIndexById.get(observerId) != -1)
        {
            return ERR_DUPLICATE_OBSERVER;
        }
        if (observerCount >= maxObservers)
        {
            return ERR_TOO_MANY_OBSERVERS;
        }

        final int local = partitions[worker].addObserver(observerId, followEntityId, egress, budgetBytesPerTick);
        if (local < 0)
        {
            return ERR_TOO_MANY_OBSERVERS;
        }
        final int o = local * partitions.length + worker;
        observerIndexById.put(observerId, o);
        observerCount++;

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
        partition(o).removeObserver(local(o));
        observerCount--;

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
        partition(o).follow(local(o), followEntityId);
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
        partition(o).budget(local(o), budgetBytesPerTick);
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
        return observerCount;
    }

    /**
     * @return number of entries in the observer's view, pending spawns and despawns included.
     */
    public int viewCount(final int observerIndex)
    {
        return partition(observerIndex).views.viewCounts[local(observerIndex)];
    }

    /**
     * Diagnostic (linear scan): is the entity spawned, or pending spawn, in the observer's view?
     */
    public boolean inView(final int observerIndex, final long entityId)
    {
        return partition(observerIndex).views.inView(local(observerIndex), entityId);
    }

    /**
     * Diagnostic: the entity id of an entry of the observer's view.
     *
     * @param entry {@code 0 <= entry < viewCount(observerIndex)}.
     */
    public long viewEntityId(final int observerIndex, final int entry)
    {
        return partition(observerIndex).views.entityIds[entryIndex(observerIndex, entry)];
    }

    /**
     * Diagnostic: the incarnation ({@link EntityStore#createdSeq(int)}) of an entry of the observer's view.
     *
     * @param entry {@code 0 <= entry < viewCount(observerIndex)}.
     */
    public long viewCreatedSeq(final int observerIndex, final int entry)
    {
        return partition(observerIndex).views.createdSeqs[entryIndex(observerIndex, entry)];
    }

    /**
     * Diagnostic: the state of an entry of the observer's view ({@code SPAWN_PENDING} ... {@code DESPAWN_PENDING}).
     */
    byte viewState(final int observerIndex, final int entry)
    {
        return partition(observerIndex).views.states[entryIndex(observerIndex, entry)];
    }

    /**
     * @return true if the observer will be, or is being, resynchronised.
     */
    public boolean isResyncing(final int observerIndex)
    {
        return partition(observerIndex).isResyncing(local(observerIndex));
    }

    private InterestPartition partition(final int observerIndex)
    {
        return partitions[observerIndex % partitions.length];
    }

    private int local(final int observerIndex)
    {
        return observerIndex / partitions.length;
    }

    private int entryIndex(final int observerIndex, final int entry)
    {
        return local(observerIndex) * partition(observerIndex).views.viewCapacity + entry;
    }

    // ------------------------------------------------------------------ counters (sums over the partitions)

    public long spawnsSent()
    {
        long total = 0;
        for (final InterestPartition partition : partitions)
        {
            total += partition.spawnsSent();
        }
        return total;
    }

    public long updatesSent()
    {
        long total = 0;
        for (final InterestPartition partition : partitions)
        {
            total += partition.updatesSent();
        }
        return total;
    }

    public long despawnsSent()
    {
        long total = 0;
        for (final InterestPartition partition : partitions)
        {
            total += partition.despawnsSent();
        }
        return total;
    }

    /**
     * @return number of times an observer was marked for resync.
     */
    public long resyncs()
    {
        long total = 0;
        for (final InterestPartition partition : partitions)
        {
            total += partition.resyncs();
        }
        return total;
    }

    /**
     * @return observers whose latest {@code beginTick} reported no capacity (a gauge).
     */
    public long observersLagging()
    {
        long total = 0;
        for (final InterestPartition partition : partitions)
        {
            total += partition.observersLagging();
        }
        return total;
    }

    /**
     * @return (entity, observer, tick) triples with something to send that the budget deferred.
     */
    public long budgetDeferrals()
    {
        long total = 0;
        for (final InterestPartition partition : partitions)
        {
            total += partition.budgetDeferrals();
        }
        return total;
    }

    /**
     * @return pending spawns deferred by the snapshot pacing (an observer's spawn capacity or
     * {@link InterestConfig#snapshotBytesPerTick()}), counted in {@link #budgetDeferrals()} too.
     */
    public long spawnDeferrals()
    {
        long total = 0;
        for (final InterestPartition partition : partitions)
        {
            total += partition.spawnDeferrals();
        }
        return total;
    }

    /**
     * @return view entries given up to better candidates because a view was full.
     */
    public long viewEvictions()
    {
        long total = 0;
        for (final InterestPartition partition : partitions)
        {
            total += partition.viewEvictions();
        }
        return total;
    }

    /**
     * @return candidates that could not enter a full view although their weight beat the view's lowest entry by
     * the hysteresis (the per-tick eviction limit, or entries replaced before them); candidates that could not beat
     * it are not even looked up.
     */
    public long viewFullRejections()
    {
        long total = 0;
        for (final InterestPartition partition : partitions)
        {
            total += partition.viewFullRejections();
        }
        return total;
    }

    /**
     * @return (entity, observer, tick) triples in view whose update this tick was skipped by its distance tier
     * (whether or not it had changes).
     */
    public long tierDeferrals()
    {
        long total = 0;
        for (final InterestPartition partition : partitions)
        {
            total += partition.tierDeferrals();
        }
        return total;
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

    /**
     * Time the phases of each tick by this clock for a {@link PassProfile} (null: off, the default). Control path:
     * call it before the workers run.
     *
     * @return this.
     */
    public InterestEngine profileClock(final NanoClock profileClock)
    {
        this.profileClock = profileClock;
        for (final InterestPartition partition : partitions)
        {
            partition.profileClock(profileClock);
        }
        return this;
    }

    /**
     * @return with a profile clock, when the last tick's index and snapshot were done.
     */
    public long indexEndNs()
    {
        return indexEndNs;
    }

    /**
     * @return with a profile clock, ns every partition spent emitting (encode and offer) since the clock was set.
     * Read between ticks.
     */
    public long emitNs()
    {
        long emitNs = 0;
        for (final InterestPartition partition : partitions)
        {
            emitNs += partition.emitNs();
        }
        return emitNs;
    }

    // ------------------------------------------------------------------ duty cycle

    /**
     * One tick: world positions, spatial index and snapshot on this thread, then every partition (fork-join: this
     * returns when every partition is done).
     *
     * @param nowNs the clock, read once by the caller for this duty cycle.
     * @return work done: entities re-indexed plus messages issued.
     */
    public int tick(final long nowNs)
    {
        final long tick = ++ticks;
        store.updateWorldPositions();
        int work = index.update(store);
        takeSnapshot();
        gridRadiusM = Math.min(index.maxGridRadiusM(), index.largeRadiusM());
        gridQueryRadiusM = baseRadiusM + sizeFactor * gridRadiusM;
        tickNowNs = nowNs;
        if (null != profileClock)
        {
            indexEndNs = profileClock.nanoTime();
        }

        final InterestWorker[] workers = this.workers;
        final boolean[] dispatched = this.dispatched;
        for (int w = 0; w < workers.length; w++)
        {
            dispatched[w] = workers[w].dispatch(tick);
        }

        work += partitions[0].tick(tick, nowNs, gridRadiusM, gridQueryRadiusM, gainedCount);
        for (int w = 0; w < workers.length; w++)
        {
            if (!dispatched[w])
            {
                inlinePartitionTicks++;
                work += partitions[w + 1].tick(tick, nowNs, gridRadiusM, gridQueryRadiusM, gainedCount);
            }
        }
        for (int w = 0; w < workers.length; w++)
        {
            if (dispatched[w])
            {
                final int done = workers[w].awaitCompletion(tick);
                if (done < 0)
                {
                    inlinePartitionTicks++;
                    work += partitions[w + 1].tick(tick, nowNs, gridRadiusM, gridQueryRadiusM, gainedCount);
                }
                else
                {
                    work += done;
                }
            }
        }

        return work;
    }

    /**
     * Copy what view maintenance, candidates and selection read per slot into one cache line per slot: every
     * observer visits hundreds of slots per tick, and reading one line instead of one line of each of seven store
     * arrays keeps the per-entry cost down when other threads share the caches. The store does not change while
     * the partitions tick. A slot not active this tick keeps an older tick number, so it never reads as alive.
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
        if (replicantId >= 0)
        {
            findGained();
            if (replicantId > 0)
            {
                findOwnedReach();
            }
        }
    }

    /**
     * Several Replicants, a secondary: the box around the entities this Replicant owns this tick, widened by the leave
     * distance of the largest of them, given to the partitions: an observer whose centre lies outside it can neither
     * hold nor gain anything this Replicant streams, so with an empty view it is skipped (no query, no egress calls).
     * Not the primary: its egress's per-pass window check is the slow-consumer detection of every session.
     */
    private void findOwnedReach()
    {
        final EntityStore store = this.store;
        final long[] snapshot = this.snapshot;
        long minX = Long.MAX_VALUE;
        long minY = Long.MAX_VALUE;
        long minZ = Long.MAX_VALUE;
        long maxX = Long.MIN_VALUE;
        long maxY = Long.MIN_VALUE;
        long maxZ = Long.MIN_VALUE;
        double maxRadiusM = 0.0;
        for (int i = 0, n = store.activeCount(); i < n; i++)
        {
            final int slot = store.activeSlot(i);
            if (store.ownerReplicant(slot) == replicantId)
            {
                final int s = slot << SNAPSHOT_SHIFT;
                final long x = snapshot[s + SNAPSHOT_X];
                final long y = snapshot[s + SNAPSHOT_Y];
                final long z = snapshot[s + SNAPSHOT_Z];
                minX = Math.min(minX, x);
                maxX = Math.max(maxX, x);
                minY = Math.min(minY, y);
                maxY = Math.max(maxY, y);
                minZ = Math.min(minZ, z);
                maxZ = Math.max(maxZ, z);
                maxRadiusM = Math.max(maxRadiusM, Double.longBitsToDouble(snapshot[s + SNAPSHOT_RADIUS]));
            }
        }
        final boolean any = minX <= maxX;
        // the leave distance of the largest owned entity, in mm, a metre more for rounding
        final long reachMm = any ? (long)Math.ceil((baseRadiusM + sizeFactor * maxRadiusM) * exitFactor * 1000.0) +
            1000 : 0;
        for (final InterestPartition partition : partitions)
        {
            partition.ownedReach(any, minX - reachMm, maxX + reachMm, minY - reachMm, maxY + reachMm,
                minZ - reachMm, maxZ + reachMm);
        }
    }

    /**
     * @return observer passes skipped because the observer's view was empty and its centre out of reach of anything
     * this Replicant owns (several Replicants).
     */
    public long observersOutOfReach()
    {
        long total = 0;
        for (final InterestPartition partition : partitions)
        {
            total += partition.observersOutOfReach();
        }
        return total;
    }

    /**
     * The slots whose entity, the same incarnation as last tick, had another owner last tick and is this
     * Replicant's now. A new incarnation is not a handoff: it enters as any new entity.
     */
    private void findGained()
    {
        final EntityStore store = this.store;
        final int[] seenOwners = this.seenOwners;
        final long[] seenCreatedSeqs = this.seenCreatedSeqs;
        int count = 0;
        for (int i = 0, n = store.activeCount(); i < n; i++)
        {
            final int slot = store.activeSlot(i);
            final int owner = store.ownerReplicant(slot);
            final long createdSeq = store.createdSeq(slot);
            if (seenCreatedSeqs[slot] != createdSeq)
            {
                seenCreatedSeqs[slot] = createdSeq;
            }
            else if (seenOwners[slot] != owner && owner == replicantId)
            {
                gainedSlots[count++] = slot;
            }
            seenOwners[slot] = owner;
        }
        gainedCount = count;
        gained += count;
    }
}
