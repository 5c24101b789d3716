/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant;

import io.orrery.core.EntityIds;
import io.orrery.core.status.OrreryCounter;
import io.orrery.wire.codec.MessageHeaderDecoder;
import io.orrery.wire.codec.MessageHeaderEncoder;
import io.orrery.wire.codec.OperationStatus;
import io.orrery.wire.codec.StowRequestDecoder;
import io.orrery.wire.codec.StowResultEncoder;
import io.orrery.wire.codec.UnstowRequestDecoder;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * Stow and unstow requests of clients, on the Replicant's thread. Checks what only the Replicant can check (the
 * item is the player's own, or unowned and within reach; it is not already being moved), then runs the transaction
 * through the shard's {@link InventoryBackend} and answers the client with the durable outcome.
 * <p>
 * A request resent with the operation id of the one in flight for the same item is not answered again: the durable
 * result of the one in flight answers both.
 * <p>
 * Without persistence there is no backend and every request is answered {@code storeUnavailable}: nothing is
 * changed, the client may retry with the same operation id.
 * <p>
 * Threading: the Replicant's duty-cycle thread only; no allocation per request.
 */
public final class InventoryService
{
    /**
     * Where an unowned item must be for a player to pick it up (mm, from the player's entity, same zone).
     */
    public static final long REACH_MM = 10_000;

    /**
     * How many recent outcomes are remembered to answer a client's resend of an operation that already completed
     * (its result was lost or late): the resend gets {@code duplicate} with the original placement, without touching
     * the store. Older resends are answered from the cache's present state.
     */
    public static final int RECENT_RESULTS = 8192;

    /**
     * Runs the transactions: Scribe in a persistent shard.
     */
    public interface InventoryBackend
    {
        /**
         * Start a stow of the item (present in the store) for the player. The outcome comes back through
         * {@link InventoryService#onResult} later.
         *
         * @return true if accepted, false if the backend cannot take it now (the client is told storeUnavailable).
         */
        boolean stow(long storeOperationId, long sessionId, long clientOperationId, long playerId, int itemSlot,
            long containerId);

        /**
         * Start an unstow of the player's item to a position (mm, zone local).
         *
         * @return true if accepted, false if the backend cannot take it now.
         */
        boolean unstow(long storeOperationId, long sessionId, long clientOperationId, long playerId, long itemId,
            long parentZoneId, long x, long y, long z);
    }

    private final EntityStore store;
    private final ClientEgressProxy egress;
    private final Long2ObjectHashMap<ClientEgressProxy.ClientObserver> observerBySession;
    private final AtomicCounter[] counters;
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final StowRequestDecoder stowDecoder = new StowRequestDecoder();
    private final UnstowRequestDecoder unstowDecoder = new UnstowRequestDecoder();
    private final StowResultEncoder resultEncoder = new StowResultEncoder();
    private final UnsafeBuffer resultBuffer = new UnsafeBuffer(new byte[64]);
    private final Long2LongHashMap pendingByItem =
        new Long2LongHashMap(0);
    private final Long2LongHashMap completedByOperation =
        new Long2LongHashMap(RECENT_RESULTS, 0.65f, -1L);
    private final long[] completedOrder = new long[RECENT_RESULTS];
    private int completedCursor;
    private InventoryBackend backend;

    public InventoryService(
        final EntityStore store,
        final ClientEgressProxy egress,
        final Long2ObjectHashMap<ClientEgressProxy.ClientObserver> observerBySession,
        final AtomicCounter[] counters)
    {
        this.store = store;
        this.egress = egress;
        this.observerBySession = observerBySession;
        this.counters = counters;
    }

    public InventoryService backend(final InventoryBackend backend)
    {
        this.backend = backend;
        return this;
    }

    /**
     * @return items with a stow or unstow in flight.
     */
    public int pendingCount()
    {
        return pendingByItem.size();
    }

    /**
     * Whether an item is being moved: the Replicant must not let it be destroyed or evicted meanwhile.
     */
    public boolean isPending(final long itemId)
    {
        return pendingByItem.containsKey(itemId);
    }

    public void onStowRequest(
        final ClientEgressProxy.ClientObserver observer, final DirectBuffer buffer, final int offset)
    {
        stowDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        final long clientOperationId = stowDecoder.operationId();
        final long itemId = stowDecoder.itemEntityId();
        final long playerId = observer.playerEntityId;
        counters[OrreryCounter.INVENTORY_REQUESTS.id()].incrementOrdered();

        final int itemSlot = store.slotOf(itemId);
        if (null == backend)
        {
            answer(observer, clientOperationId, itemId, itemSlot < 0, OperationStatus.storeUnavailable);
            return;
        }
        if (answerReplay(observer, playerId, clientOperationId, itemId))
        {
            return;
        }
        if (itemSlot < 0)
        {
            answer(observer, clientOperationId, itemId, false, OperationStatus.notFound);
            return;
        }
        if (EntityIds.isPlayer(itemId) || store.isZone(itemSlot) || !mayTake(playerId, itemSlot))
        {
            answer(observer, clientOperationId, itemId, false, OperationStatus.notOwner);
            return;
        }
        final long storeOperationId = EntityIds.storeOperationId(playerId, clientOperationId);
        if (pendingByItem.containsKey(itemId))
        {
            if (pendingByItem.get(itemId) != storeOperationId)
            {
                answer(observer, clientOperationId, itemId, false, OperationStatus.rejected);
            }
            return; // a resend of the operation in flight: its durable result is on its way
        }

        if (!backend.stow(storeOperationId, observer.sessionId, clientOperationId, playerId, itemSlot,
            stowDecoder.containerId()))
        {
            answer(observer, clientOperationId, itemId, false, OperationStatus.storeUnavailable);
            return;
        }
        pendingByItem.put(itemId, storeOperationId);
    }

    public void onUnstowRequest(
        final ClientEgressProxy.ClientObserver observer, final DirectBuffer buffer, final int offset)
    {
        unstowDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        final long clientOperationId = unstowDecoder.operationId();
        final long itemId = unstowDecoder.itemEntityId();
        final long playerId = observer.playerEntityId;
        counters[OrreryCounter.INVENTORY_REQUESTS.id()].incrementOrdered();

        if (null == backend)
        {
            answer(observer, clientOperationId, itemId, true, OperationStatus.storeUnavailable);
            return;
        }
        if (answerReplay(observer, playerId, clientOperationId, itemId))
        {
            return;
        }
        if (pendingByItem.containsKey(itemId) &&
            pendingByItem.get(itemId) == EntityIds.storeOperationId(playerId, clientOperationId))
        {
            return; // a resend of the operation in flight: its durable result is on its way
        }
        if (!EntityIds.isItem(itemId) || pendingByItem.containsKey(itemId))
        {
            answer(observer, clientOperationId, itemId, store.slotOf(itemId) < 0, OperationStatus.rejected);
            return;
        }
        final long zoneId = unstowDecoder.parentZoneId();
        final long x = unstowDecoder.position().x();
        final long y = unstowDecoder.position().y();
        final long z = unstowDecoder.position().z();
        if (!isWithinReach(playerId, zoneId, x, y, z))
        {
            answer(observer, clientOperationId, itemId, true, OperationStatus.rejected);
            return;
        }

        final long storeOperationId = EntityIds.storeOperationId(playerId, clientOperationId);
        if (!backend.unstow(storeOperationId, observer.sessionId, clientOperationId, playerId, itemId, zoneId, x, y, z))
        {
            answer(observer, clientOperationId, itemId, true, OperationStatus.storeUnavailable);
            return;
        }
        pendingByItem.put(itemId, storeOperationId);
    }

    /**
     * The backend's durable outcome; the backend has already moved the entity into or out of the cache.
     *
     * @param stowed where the item is now.
     */
    public void onResult(
        final long sessionId, final long clientOperationId, final long itemId, final boolean stowed,
        final OperationStatus status)
    {
        final long storeOperationId = pendingByItem.remove(itemId);
        if (0 != storeOperationId)
        {
            remember(storeOperationId, stowed, status);
        }
        counters[OperationStatus.ok == status || OperationStatus.duplicate == status ?
            OrreryCounter.INVENTORY_COMPLETED.id() : OrreryCounter.INVENTORY_FAILED.id()].incrementOrdered();
        final ClientEgressProxy.ClientObserver observer = observerBySession.get(sessionId);
        if (null != observer)
        {
            answer(observer, clientOperationId, itemId, stowed, status);
        }
    }

    private boolean answerReplay(
        final ClientEgressProxy.ClientObserver observer,
        final long playerId,
        final long clientOperationId,
        final long itemId)
    {
        final long packed = completedByOperation.get(EntityIds.storeOperationId(playerId, clientOperationId));
        if (-1L == packed)
        {
            return false;
        }
        final OperationStatus first = OperationStatus.get((short)(packed >>> 1));
        answer(observer, clientOperationId, itemId, 0 != (packed & 1),
            OperationStatus.ok == first || OperationStatus.duplicate == first ? OperationStatus.duplicate : first);
        return true;
    }

    private void remember(final long storeOperationId, final boolean stowed, final OperationStatus status)
    {
        final long evicted = completedOrder[completedCursor];
        if (0 != evicted)
        {
            completedByOperation.remove(evicted);
        }
        completedOrder[completedCursor] = storeOperationId;
        completedCursor = (completedCursor + 1) % RECENT_RESULTS;
        completedByOperation.put(storeOperationId, ((long)status.value() << 1) | (stowed ? 1 : 0));
    }

    private boolean mayTake(final long playerId, final int itemSlot)
    {
        final long owner = store.ownerPlayerId(itemSlot);
        if (owner == playerId)
        {
            return true;
        }
        return 0 == owner && isWithinReach(playerId, store.parentZoneId(itemSlot), store.positionX(itemSlot),
            store.positionY(itemSlot), store.positionZ(itemSlot));
    }

    private boolean isWithinReach(final long playerId, final long zoneId, final long x, final long y, final long z)
    {
        final int playerSlot = store.slotOf(playerId);
        if (playerSlot < 0 || store.parentZoneId(playerSlot) != zoneId)
        {
            return false;
        }
        final double dx = store.positionX(playerSlot) - x;
        final double dy = store.positionY(playerSlot) - y;
        final double dz = store.positionZ(playerSlot) - z;
        return dx * dx + dy * dy + dz * dz <= (double)REACH_MM * REACH_MM;
    }

    private void answer(
        final ClientEgressProxy.ClientObserver observer,
        final long clientOperationId,
        final long itemId,
        final boolean stowed,
        final OperationStatus status)
    {
        resultEncoder.wrapAndApplyHeader(resultBuffer, 0, headerEncoder)
            .operationId(clientOperationId)
            .itemEntityId(itemId)
            .stowed((short)(stowed ? 1 : 0))
            .status(status);
        if (OperationStatus.ok != status && OperationStatus.duplicate != status)
        {
            counters[OrreryCounter.INVENTORY_REFUSED.id()].incrementOrdered();
        }
        // The egress keeps half its window free of entity batches, so a result is refused only when the client is
        // going away; its resend with the same operation id is answered from the recent results.
        if (egress.forward(
            observer, resultBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + resultEncoder.encodedLength()) <= 0)
        {
            counters[OrreryCounter.INVENTORY_ANSWERS_DROPPED.id()].incrementOrdered();
        }
    }
}
