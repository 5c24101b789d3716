/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant;

import io.orrery.core.common.EntityIds;
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
 * <b>Operation ids are the player's own.</b> The store keys every operation by (player, operation id), so no player
 * can name another's. Client ids must be positive: 0 and below are the layer's (the starter grant is
 * {@link EntityIds#STARTER_GRANT_OPERATION_ID}), refused {@code operationIdReserved} (counted,
 * {@link #reservedOperationIdsRefused()}). A request whose (player, operation id) is already recorded is a replay,
 * answered {@code duplicate} (or the recorded refusal), only when it names the same item and kind (stow or unstow);
 * otherwise it is refused {@code operationConflict} (counted, {@link #operationConflicts()}) and the recorded outcome
 * stays. The Replicant answers from its recent results when it can; the store decides when it cannot.
 * <p>
 * <b>Resends after a restart.</b> The recent results live in memory, so after a layer restart a client's resend of
 * an operation the store applied before the crash finds nothing there, and the cache no longer says what happened:
 * a stowed item is not in it, and the player's restored position may be older than the unstow it had allowed. So a
 * request that the recent results do not answer and that the Replicant would refuse for what its cache shows (a
 * stow of an item not in the cache: {@code notFound}; an unstow out of reach: {@code rejected}) is not refused at
 * once: the backend asks the store for the outcome recorded under (player, operation id), asynchronously through
 * Scribe, in ring order ({@link InventoryBackend#lookUpOutcome}, counted in {@link #storeLookups()}). A recorded
 * replay is answered with its outcome ({@code duplicate} with the item where the operation left it, or the recorded
 * refusal) and remembered among the recent results; a key recorded for another operation is an
 * {@code operationConflict}; a key not recorded gets the refusal the Replicant would have given.
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
     * the store. Older resends are answered from the cache's present state, or by the store.
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
         * @param operationId the client's operation id (positive): with the player, the store's idempotency key.
         * @return true if accepted, false if the backend cannot take it now (the client is told storeUnavailable).
         */
        boolean stow(long sessionId, long operationId, long playerId, int itemSlot, long containerId);

        /**
         * Start an unstow of the player's item to a position (mm, zone local).
         *
         * @param operationId the client's operation id (positive): with the player, the store's idempotency key.
         * @return true if accepted, false if the backend cannot take it now.
         */
        boolean unstow(long sessionId, long operationId, long playerId, long itemId, long parentZoneId, long x, long y,
            long z);

        /**
         * Ask the store what it recorded under the player's operation id for a stow or unstow of the item, changing
         * nothing: for a request the Replicant would refuse from its cache (the item is not there, or the place is
         * out of the player's reach) although the operation may have been applied already, its result lost (the
         * layer restarted since). The answer comes back through {@link InventoryService#onRecordedOutcome} later.
         *
         * @param operationId the client's operation id (positive): with the player, the store's key.
         * @param isStow      a stow's key, else an unstow's.
         * @return true if accepted, false if the backend cannot take it now (the client is told storeUnavailable).
         */
        boolean lookUpOutcome(long sessionId, long operationId, long playerId, long itemId, boolean isStow);
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
    /** item id -> client operation id of the operation in flight for it. */
    private final Long2LongHashMap pendingOperationByItem = new Long2LongHashMap(0);
    /** item id -> (player id << 1) | 1 for a stow, 0 for an unstow, of the operation in flight for it. */
    private final Long2LongHashMap pendingPlayerByItem = new Long2LongHashMap(0);
    /** hash of (player, operation id) -> index in the recent results; verified against the arrays. */
    private final Long2LongHashMap recentByKey = new Long2LongHashMap(RECENT_RESULTS * 2, 0.65f, -1L);
    private final long[] recentPlayer = new long[RECENT_RESULTS];
    private final long[] recentOperation = new long[RECENT_RESULTS];
    private final long[] recentItem = new long[RECENT_RESULTS];
    /** (wire status << 2) | (1 if a stow) << 1 | (1 if the item was left stowed). */
    private final long[] recentOutcome = new long[RECENT_RESULTS];
    private int recentCursor;
    private long reservedOperationIdsRefused;
    private long operationConflicts;
    private long storeLookups;
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
        return pendingOperationByItem.size();
    }

    /**
     * @return requests refused because their operation id is reserved for the layer (0 and below).
     */
    public long reservedOperationIdsRefused()
    {
        return reservedOperationIdsRefused;
    }

    /**
     * @return requests refused because the player's operation id was already used for another item or kind, here
     * or by the store.
     */
    public long operationConflicts()
    {
        return operationConflicts;
    }

    /**
     * @return requests the recent results did not answer and the cache would have refused, passed to the store to be
     * answered with the outcome recorded under their key (see the class documentation).
     */
    public long storeLookups()
    {
        return storeLookups;
    }

    /**
     * Whether an item is being moved: the Replicant must not let it be destroyed or evicted meanwhile.
     */
    public boolean isPending(final long itemId)
    {
        return pendingOperationByItem.containsKey(itemId);
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
        if (!EntityIds.isClientOperationId(clientOperationId))
        {
            refuseReserved(observer, clientOperationId, itemId, itemSlot < 0);
            return;
        }
        if (null == backend)
        {
            answer(observer, clientOperationId, itemId, itemSlot < 0, OperationStatus.storeUnavailable);
            return;
        }
        if (answerReplay(observer, playerId, clientOperationId, itemId, true))
        {
            return;
        }
        if (itemSlot < 0)
        {
            lookUpOutcome(observer, playerId, clientOperationId, itemId, true); // stowed before a restart?
            return;
        }
        if (EntityIds.isPlayer(itemId) || store.isZone(itemSlot) || !mayTake(playerId, itemSlot))
        {
            answer(observer, clientOperationId, itemId, false, OperationStatus.notOwner);
            return;
        }
        if (pendingOperationByItem.containsKey(itemId))
        {
            answerBusy(observer, playerId, clientOperationId, itemId, true, false);
            return;
        }

        if (!backend.stow(observer.sessionId, clientOperationId, playerId, itemSlot, stowDecoder.containerId()))
        {
            answer(observer, clientOperationId, itemId, false, OperationStatus.storeUnavailable);
            return;
        }
        track(itemId, clientOperationId, playerId, true);
    }

    public void onUnstowRequest(
        final ClientEgressProxy.ClientObserver observer, final DirectBuffer buffer, final int offset)
    {
        unstowDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        final long clientOperationId = unstowDecoder.operationId();
        final long itemId = unstowDecoder.itemEntityId();
        final long playerId = observer.playerEntityId;
        counters[OrreryCounter.INVENTORY_REQUESTS.id()].incrementOrdered();

        if (!EntityIds.isClientOperationId(clientOperationId))
        {
            refuseReserved(observer, clientOperationId, itemId, store.slotOf(itemId) < 0);
            return;
        }
        if (null == backend)
        {
            answer(observer, clientOperationId, itemId, true, OperationStatus.storeUnavailable);
            return;
        }
        if (answerReplay(observer, playerId, clientOperationId, itemId, false))
        {
            return;
        }
        if (pendingOperationByItem.containsKey(itemId))
        {
            answerBusy(observer, playerId, clientOperationId, itemId, false, store.slotOf(itemId) < 0);
            return;
        }
        if (!EntityIds.isItem(itemId))
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
            lookUpOutcome(observer, playerId, clientOperationId, itemId, false); // unstowed before a restart?
            return;
        }

        if (!backend.unstow(observer.sessionId, clientOperationId, playerId, itemId, zoneId, x, y, z))
        {
            answer(observer, clientOperationId, itemId, true, OperationStatus.storeUnavailable);
            return;
        }
        track(itemId, clientOperationId, playerId, false);
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
        final long operationId = pendingOperationByItem.remove(itemId);
        final long playerAndKind = pendingPlayerByItem.remove(itemId);
        if (0 != operationId && isRecordedByStore(status))
        {
            remember(playerAndKind >>> 1, operationId, itemId, 0 != (playerAndKind & 1), stowed, status);
        }
        if (OperationStatus.operationConflict == status)
        {
            operationConflicts++;
            counters[OrreryCounter.INVENTORY_OPERATION_CONFLICTS.id()].incrementOrdered();
        }
        counters[OperationStatus.ok == status || OperationStatus.duplicate == status ?
            OrreryCounter.INVENTORY_COMPLETED.id() : OrreryCounter.INVENTORY_FAILED.id()].incrementOrdered();
        final ClientEgressProxy.ClientObserver observer = observerBySession.get(sessionId);
        if (null != observer)
        {
            answer(observer, clientOperationId, itemId, stowed, status);
        }
    }

    /**
     * What the store recorded under the key of a request passed to {@link InventoryBackend#lookUpOutcome}; nothing
     * was changed by the look-up.
     *
     * @param stowed where the recorded outcome left the item (meaningful for a recorded replay).
     * @param status the recorded outcome as a replay answers it ({@code duplicate} if it was applied, the recorded
     *               refusal otherwise, or {@code operationConflict}); {@code storeUnavailable} when the store could
     *               not be asked; {@link OperationStatus#NULL_VAL} when the key is not recorded.
     */
    public void onRecordedOutcome(
        final long sessionId,
        final long clientOperationId,
        final long itemId,
        final boolean isStow,
        final boolean stowed,
        final OperationStatus status)
    {
        if (OperationStatus.operationConflict == status)
        {
            operationConflicts++;
            counters[OrreryCounter.INVENTORY_OPERATION_CONFLICTS.id()].incrementOrdered();
        }
        final ClientEgressProxy.ClientObserver observer = observerBySession.get(sessionId);
        if (null == observer)
        {
            return;
        }
        if (OperationStatus.NULL_VAL == status)
        {
            // never applied: the refusal the cache gave
            answer(observer, clientOperationId, itemId, !isStow,
                isStow ? OperationStatus.notFound : OperationStatus.rejected);
        }
        else if (OperationStatus.operationConflict == status)
        {
            answer(observer, clientOperationId, itemId, store.slotOf(itemId) < 0, status);
        }
        else
        {
            if (isRecordedByStore(status))
            {
                remember(observer.playerEntityId, clientOperationId, itemId, isStow, stowed, status);
            }
            answer(observer, clientOperationId, itemId, stowed, status);
        }
    }

    private void lookUpOutcome(
        final ClientEgressProxy.ClientObserver observer,
        final long playerId,
        final long clientOperationId,
        final long itemId,
        final boolean isStow)
    {
        if (!backend.lookUpOutcome(observer.sessionId, clientOperationId, playerId, itemId, isStow))
        {
            answer(observer, clientOperationId, itemId, !isStow, OperationStatus.storeUnavailable);
            return;
        }
        storeLookups++;
    }

    private void track(final long itemId, final long operationId, final long playerId, final boolean isStow)
    {
        pendingOperationByItem.put(itemId, operationId);
        pendingPlayerByItem.put(itemId, (playerId << 1) | (isStow ? 1 : 0));
    }

    /**
     * The item has an operation in flight: a resend of that very operation waits for its result (not answered now);
     * the same player and operation id for the other kind is a conflict; anything else finds the item busy.
     */
    private void answerBusy(
        final ClientEgressProxy.ClientObserver observer,
        final long playerId,
        final long clientOperationId,
        final long itemId,
        final boolean isStow,
        final boolean stowed)
    {
        final long playerAndKind = pendingPlayerByItem.get(itemId);
        if (pendingOperationByItem.get(itemId) == clientOperationId && playerAndKind >>> 1 == playerId)
        {
            if ((0 != (playerAndKind & 1)) != isStow)
            {
                operationConflicts++;
                counters[OrreryCounter.INVENTORY_OPERATION_CONFLICTS.id()].incrementOrdered();
                answer(observer, clientOperationId, itemId, stowed, OperationStatus.operationConflict);
            }
            return; // a resend of the operation in flight: its durable result is on its way
        }
        answer(observer, clientOperationId, itemId, stowed, OperationStatus.rejected);
    }

    private void refuseReserved(
        final ClientEgressProxy.ClientObserver observer,
        final long clientOperationId,
        final long itemId,
        final boolean stowed)
    {
        reservedOperationIdsRefused++;
        counters[OrreryCounter.INVENTORY_OPERATION_CONFLICTS.id()].incrementOrdered();
        answer(observer, clientOperationId, itemId, stowed, OperationStatus.operationIdReserved);
    }

    /**
     * Answer a request whose (player, operation id) completed recently: a replay (same item, same kind) gets the
     * recorded outcome ({@code duplicate} if it was applied), anything else {@code operationConflict}.
     *
     * @return whether answered.
     */
    private boolean answerReplay(
        final ClientEgressProxy.ClientObserver observer,
        final long playerId,
        final long clientOperationId,
        final long itemId,
        final boolean isStow)
    {
        final int index = (int)recentByKey.get(recentKey(playerId, clientOperationId));
        if (index < 0 || recentPlayer[index] != playerId || recentOperation[index] != clientOperationId)
        {
            return false;
        }
        final long outcome = recentOutcome[index];
        if (recentItem[index] != itemId || (0 != (outcome & 2)) != isStow)
        {
            operationConflicts++;
            counters[OrreryCounter.INVENTORY_OPERATION_CONFLICTS.id()].incrementOrdered();
            answer(observer, clientOperationId, itemId, store.slotOf(itemId) < 0, OperationStatus.operationConflict);
            return true;
        }
        final OperationStatus first = OperationStatus.get((short)(outcome >>> 2));
        answer(observer, clientOperationId, itemId, 0 != (outcome & 1),
            OperationStatus.ok == first || OperationStatus.duplicate == first ? OperationStatus.duplicate : first);
        return true;
    }

    private void remember(
        final long playerId,
        final long operationId,
        final long itemId,
        final boolean isStow,
        final boolean stowed,
        final OperationStatus status)
    {
        final int index = recentCursor;
        if (0 != recentPlayer[index])
        {
            final long evictedKey = recentKey(recentPlayer[index], recentOperation[index]);
            if (recentByKey.get(evictedKey) == index)
            {
                recentByKey.remove(evictedKey);
            }
        }
        recentPlayer[index] = playerId;
        recentOperation[index] = operationId;
        recentItem[index] = itemId;
        recentOutcome[index] = ((long)status.value() << 2) | (isStow ? 2 : 0) | (stowed ? 1 : 0);
        recentByKey.put(recentKey(playerId, operationId), index);
        recentCursor = (index + 1) % RECENT_RESULTS;
    }

    /**
     * Outcomes the store records under the operation's key, so a replay may be answered with them: not
     * {@code storeUnavailable} (nothing happened, a retry may succeed) nor {@code operationConflict} (the key holds
     * another operation's outcome).
     */
    private static boolean isRecordedByStore(final OperationStatus status)
    {
        return OperationStatus.storeUnavailable != status && OperationStatus.operationConflict != status;
    }

    private static long recentKey(final long playerId, final long operationId)
    {
        long z = playerId * 0x9E3779B97F4A7C15L + operationId;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
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
