/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant;

import io.aeron.Counter;
import io.orrery.core.common.EntityIds;
import io.orrery.core.persistence.NodeRecord;
import io.orrery.core.persistence.PersistenceAdapter;
import io.orrery.core.persistence.RemoteScribe;
import io.orrery.core.persistence.ScribeClient;
import io.orrery.core.status.OrreryCounter;
import io.orrery.wire.codec.DespawnReason;
import org.agrona.collections.LongArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.TimeUnit;

/**
 * World write-behind from the Replicant's entity cache into {@link Scribe}, and recovery from the store.
 * <p>
 * <b>Write-behind.</b> Every flush interval a pass visits every cached entity and offers a node upsert for each one
 * whose persisted fields ({@link #PERSISTED_FIELDS}: position, orientation, size, parent zone, component state, last
 * applied input)
 * changed after the store change sequence at which it was last offered: a per-slot watermark, so a slot reused by
 * another entity is offered in full. When Scribe's ring runs low (less than a quarter free, kept for stow and unstow
 * operations) or is full, the pass stops where it is (counted in {@link OrreryCounter#PERSIST_BACK_PRESSURED}) and
 * resumes about a millisecond later: nothing is dropped, the changes stay in the cache and their watermarks stay
 * behind. Velocity and authority epoch are not persisted (they are re-established by whoever simulates the entity);
 * the last applied input sequence is, and is restored with the entity, so its authority drops an input it applied
 * before a restart if it comes again.
 * <p>
 * <b>Removals.</b> An entity removed from the cache as {@code destroyed} is removed from the EntityGraph (offered at
 * once; queued in order when the ring is full, and no upsert pass runs until the queue is empty, so a removal is
 * never overtaken by a later upsert of the same id). Entities removed because they were stowed (the stow moved them
 * in the store already) or streamed out (persisted, then evicted) stay in the graph. An entity destroyed before it was
 * ever offered is not in the graph and needs no removal.
 * <p>
 * <b>Players are not nodes.</b> A player entity exists only while its session does: it is created on join and
 * removed on leave, and its authority places it again on the next join. Persisting it would make every leave a graph
 * removal and every recovery restore bodies of players who are not connected. What a player keeps across sessions is
 * in the Global store (items, wallet, reputation).
 * <p>
 * <b>Pinned entities</b> (a stow in flight) are skipped: Scribe requires no world change of an entity after its stow.
 * <p>
 * <b>Recovery.</b> {@link #restore(PersistenceAdapter)} loads the graph into the cache before the layer serves
 * (parents before children) and marks what it loaded as offered, so restored entities are not written back. With
 * server OCS it is not called: {@link RegionStreamer} loads cells near players and inserts their nodes with
 * {@link #insert(NodeRecord)}.
 * <p>
 * Threading: the Replicant's duty-cycle thread only (restore: the launching thread, before the agent runs). No
 * allocation per pass, per upsert or per removal in steady state.
 */
public final class WorldPersistence implements EntityStore.RemovalListener
{
    /**
     * The cached fields that are part of a node.
     */
    public static final int PERSISTED_FIELDS = EntityStore.POSITION | EntityStore.ORIENTATION | EntityStore.SIZE |
        EntityStore.PARENT_ZONE | EntityStore.COMPONENT_STATE | EntityStore.LAST_APPLIED_INPUT;

    private static final short DESTROYED = DespawnReason.destroyed.value();
    private static final long BACK_PRESSURE_RETRY_NS = TimeUnit.MILLISECONDS.toNanos(1);

    private final EntityStore store;
    private final Counter[] counters;
    private final long flushIntervalNs;
    private final long[] offeredSeq;
    private final LongArrayQueue pendingRemovals;
    private final NodeRecord restoreNode = new NodeRecord();
    private final UnsafeBuffer stateView = new UnsafeBuffer(restoreNode.componentState);
    private final PersistenceAdapter.NodeHandler restoreHandler = this::onRestoredNode;
    private ScribeClient scribe;
    private long reserveEvents;

    private long nextPassNs;
    private int cursor;
    private long upsertsOffered;
    private long removalsOffered;
    private long backPressured;
    private long skipped;
    private long restored;
    private long restoreFailures;

    /**
     * @param store           the Replicant's entity cache; this object becomes its removal listener.
     * @param counters        the layer's system counters.
     * @param flushIntervalNs time between write-behind passes.
     */
    public WorldPersistence(final EntityStore store, final Counter[] counters, final long flushIntervalNs)
    {
        this.store = store;
        this.counters = counters;
        this.flushIntervalNs = flushIntervalNs;
        this.offeredSeq = new long[store.capacity()];
        this.pendingRemovals = new LongArrayQueue(Math.max(1024, store.capacity()), Long.MIN_VALUE);
        store.removalListener(this);
    }

    /**
     * Start writing through Scribe (after {@link #restore(PersistenceAdapter)}).
     */
    public WorldPersistence scribe(final ScribeClient scribe)
    {
        this.scribe = scribe;
        this.reserveEvents = scribe.capacity() / 4;
        return this;
    }

    /**
     * Load the whole EntityGraph into the cache, parents before children. Entities already in the cache are kept
     * (not duplicated); an entity that cannot be created (cache full, zone missing) is counted as an error.
     *
     * @return number of entities restored.
     */
    public int restore(final PersistenceAdapter adapter)
    {
        final long before = restored;
        adapter.loadAll(restoreHandler);
        return restored(before);
    }

    /**
     * Restore the world through a Scribe process (control path, blocks until loaded or the timeout).
     *
     * @return nodes restored.
     * @throws IllegalStateException when the Scribe process did not answer in time.
     */
    public int restore(final RemoteScribe remote, final long timeoutNs)
    {
        final long before = restored;
        remote.loadAll(restoreHandler, timeoutNs);
        return restored(before);
    }

    private int restored(final long before)
    {
        counters[OrreryCounter.ENTITIES_RESTORED.id()].setOrdered(restored);
        if (restoreFailures > 0)
        {
            counters[OrreryCounter.ERRORS.id()].getAndAdd(restoreFailures);
            restoreFailures = 0;
        }
        return (int)(restored - before);
    }

    /**
     * Put a node from the store into the cache (restore, unstow, stream-in) and mark it as offered.
     *
     * @return the slot, or a negative {@link EntityStore} error code ({@link EntityStore#ERR_DUPLICATE} when it is
     * cached already).
     */
    public int insert(final NodeRecord node)
    {
        final int slot = store.create(node.entityId, node.archetypeId, node.ownerPlayerId, node.parentZoneId,
            node.isZone);
        if (slot < 0)
        {
            return slot;
        }
        store.position(slot, node.x, node.y, node.z);
        store.orientation(slot, node.qx, node.qy, node.qz, node.qw);
        store.radius(slot, node.radius);
        store.lastAppliedInputSequence(slot, node.lastAppliedInputSequence);
        if (node.componentStateLength > 0)
        {
            if (stateView.byteArray() != node.componentState)
            {
                stateView.wrap(node.componentState);
            }
            store.componentState(slot, stateView, 0, Math.min(node.componentStateLength, store.maxStateBytes()));
        }
        offeredSeq[slot] = store.changeSeq();
        return slot;
    }

    /**
     * Fill a node record with the cached entity's persisted state.
     *
     * @return false when its component state does not fit a node.
     */
    public boolean fillNode(final int slot, final NodeRecord node)
    {
        final int length = store.componentStateLength(slot);
        if (length > NodeRecord.MAX_COMPONENT_STATE_LENGTH)
        {
            return false;
        }
        node.entityId = store.entityId(slot);
        node.archetypeId = store.archetypeId(slot);
        node.parentZoneId = store.parentZoneId(slot);
        node.ownerPlayerId = store.ownerPlayerId(slot);
        node.isZone = store.isZone(slot);
        node.x = store.positionX(slot);
        node.y = store.positionY(slot);
        node.z = store.positionZ(slot);
        node.qx = store.orientationX(slot);
        node.qy = store.orientationY(slot);
        node.qz = store.orientationZ(slot);
        node.qw = store.orientationW(slot);
        node.radius = store.radius(slot);
        node.lastAppliedInputSequence = store.lastAppliedInputSequence(slot);
        store.componentStateBuffer().getBytes(store.componentStateOffset(slot), node.componentState, 0, length);
        node.componentStateLength = length;
        return true;
    }

    /**
     * Mark the entity in this slot as persisted as it is now (its state is in the store already).
     */
    public void markPersisted(final int slot)
    {
        offeredSeq[slot] = store.changeSeq();
    }

    /**
     * @return whether the entity has persisted fields changed since it was last offered (or it never was).
     */
    public boolean isDirty(final int slot)
    {
        return 0 != (store.changedSince(slot, offeredSeq[slot]) & PERSISTED_FIELDS);
    }

    /**
     * Duty cycle: offer queued removals, then, when due, a write-behind pass.
     *
     * @return work done.
     */
    public int doWork(final long nowNs)
    {
        int work = drainRemovals();
        if (pendingRemovals.isEmpty() && nowNs - nextPassNs >= 0)
        {
            final int offered = pass();
            work += offered;
            if (0 == cursor)
            {
                nextPassNs = nowNs + flushIntervalNs;
            }
            else
            {
                nextPassNs = nowNs + BACK_PRESSURE_RETRY_NS;
            }
            updateCounters();
        }
        return work;
    }

    /**
     * Offer everything not yet offered, waiting for ring space up to the timeout (close path; blocks).
     *
     * @return whether everything was offered.
     */
    public boolean flushAll(final long timeoutNs)
    {
        final long deadlineNs = System.nanoTime() + timeoutNs;
        cursor = 0;
        while (true)
        {
            drainRemovals();
            if (pendingRemovals.isEmpty())
            {
                pass();
                if (0 == cursor)
                {
                    updateCounters();
                    return true;
                }
            }
            if (System.nanoTime() - deadlineNs >= 0)
            {
                updateCounters();
                return false;
            }
            scribe.doWork(); // a Scribe stepped by its caller, or a link to a Scribe process, makes room only so
            Thread.yield();
        }
    }

    /**
     * @return whether every cached, persistable entity has been offered as it is now, and no removal waits.
     */
    public boolean isCaughtUp()
    {
        if (!pendingRemovals.isEmpty())
        {
            return false;
        }
        for (int i = 0, n = store.activeCount(); i < n; i++)
        {
            final int slot = store.activeSlot(i);
            if (isPersistable(slot) && isDirty(slot))
            {
                return false;
            }
        }
        return true;
    }

    @Override
    public void onEntityRemoved(final int slot, final long entityId, final short despawnReason)
    {
        if (DESTROYED != despawnReason || EntityIds.isPlayer(entityId) || offeredSeq[slot] < store.createdSeq(slot))
        {
            return; // stowed or streamed out: stays in the store; a player or never offered: not in the graph
        }
        if (!pendingRemovals.isEmpty() || null == scribe || !scribe.offerNodeRemoval(entityId))
        {
            pendingRemovals.addLong(entityId);
            backPressured++;
            return;
        }
        removalsOffered++;
    }

    public long upsertsOffered()
    {
        return upsertsOffered;
    }

    public long removalsOffered()
    {
        return removalsOffered;
    }

    public int pendingRemovals()
    {
        return pendingRemovals.size();
    }

    private int drainRemovals()
    {
        int work = 0;
        while (!pendingRemovals.isEmpty())
        {
            if (!scribe.offerNodeRemoval(pendingRemovals.peekLong()))
            {
                backPressured++;
                break;
            }
            pendingRemovals.pollLong();
            removalsOffered++;
            work++;
        }
        return work;
    }

    /**
     * Offer every changed entity from the cursor on; leaves the cursor where the ring ran low (0 when complete).
     */
    private int pass()
    {
        int offered = 0;
        final EntityStore store = this.store;
        for (int i = cursor, n = store.activeCount(); i < n; i++)
        {
            final int slot = store.activeSlot(i);
            if (!isPersistable(slot) || !isDirty(slot))
            {
                continue;
            }
            final int length = store.componentStateLength(slot);
            if (length > NodeRecord.MAX_COMPONENT_STATE_LENGTH)
            {
                skipped++;
                offeredSeq[slot] = store.changeSeq();
                continue;
            }
            if (scribe.remainingCapacity() <= reserveEvents || !scribe.offerNodeUpsert(
                store.entityId(slot),
                store.archetypeId(slot),
                store.parentZoneId(slot),
                store.ownerPlayerId(slot),
                store.isZone(slot),
                store.positionX(slot),
                store.positionY(slot),
                store.positionZ(slot),
                store.orientationX(slot),
                store.orientationY(slot),
                store.orientationZ(slot),
                store.orientationW(slot),
                store.radius(slot),
                store.lastAppliedInputSequence(slot),
                store.componentStateBuffer(),
                store.componentStateOffset(slot),
                length))
            {
                backPressured++;
                cursor = i;
                return offered;
            }
            offeredSeq[slot] = store.changeSeq();
            upsertsOffered++;
            offered++;
        }
        cursor = 0;
        return offered;
    }

    private boolean isPersistable(final int slot)
    {
        return !EntityIds.isPlayer(store.entityId(slot)) && !store.isPinned(slot);
    }

    private void onRestoredNode(final NodeRecord node)
    {
        if (EntityIds.isPlayer(node.entityId))
        {
            return;
        }
        final int slot = insert(node);
        if (slot >= 0)
        {
            restored++;
        }
        else if (EntityStore.ERR_DUPLICATE != slot)
        {
            restoreFailures++;
        }
    }

    private void updateCounters()
    {
        counters[OrreryCounter.PERSIST_UPSERTS_OFFERED.id()].setOrdered(upsertsOffered);
        counters[OrreryCounter.PERSIST_REMOVALS_OFFERED.id()].setOrdered(removalsOffered);
        counters[OrreryCounter.PERSIST_BACK_PRESSURED.id()].setOrdered(backPressured);
        counters[OrreryCounter.PERSIST_SKIPPED.id()].setOrdered(skipped);
    }
}
