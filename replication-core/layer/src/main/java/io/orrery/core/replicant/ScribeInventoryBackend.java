/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant;

import io.aeron.Counter;
import io.orrery.core.authority.Authority;
import io.orrery.core.common.EntityIds;
import io.orrery.core.persistence.CompletionHandler;
import io.orrery.core.persistence.NodeRecord;
import io.orrery.core.persistence.OperationTimeline;
import io.orrery.core.persistence.OperationType;
import io.orrery.core.persistence.ScribeClient;
import io.orrery.core.status.OrreryCounter;
import io.orrery.wire.Archetypes;
import io.orrery.wire.codec.DespawnReason;
import io.orrery.wire.codec.OperationStatus;
import org.agrona.collections.LongArrayQueue;
import org.agrona.collections.LongHashSet;

/**
 * Stow, unstow and the starter item grant of a persistent shard, run as {@link Scribe} operations; the
 * {@link InventoryService.InventoryBackend} of the Replicant and the handler of Scribe's completions.
 * <ul>
 *     <li><b>Stow</b>: the item's latest state from the cache goes with the operation; the item is pinned meanwhile
 *     (not destroyed, not written behind, not stowed twice). On a durable {@code OK} or {@code DUPLICATE} it leaves
 *     the cache with despawn reason {@code stowed} and its server is told to evict it
 *     ({@link Authority#removeEntity}); otherwise it is unpinned and stays.</li>
 *     <li><b>Unstow</b>: the node (where the client asked, owned by the player, archetype and component state from
 *     the stored item) is inserted into the graph; on a durable {@code OK} the node the store inserted enters the
 *     cache, where the authority adopts it (Atlas assigns untracked entities to the server of their territory).</li>
 *     <li><b>Starter grant</b>: when a player joins, a stow under the player's key with operation id
 *     {@link EntityIds#STARTER_GRANT_OPERATION_ID} (an id clients may not use) of a crate
 *     ({@link #ARCHETYPE_STARTER_CRATE}) with id {@link EntityIds#starterItemId(long)} owned by the player: the store
 *     inserts it the first time; every later join replays the operation and changes nothing. Offers refused by
 *     back-pressure are retried each cycle. A player whose grant this layer already saw durable is not granted again
 *     (the replay would change nothing, but its transaction would hold up the player's first stow or unstow behind it
 *     in Scribe's ring: a transfer's unstow right after the join); the skipped grant counts as durable. The layer
 *     remembers up to {@link #REMEMBERED_GRANTS} players (then forgets them all and replays again).</li>
 *     <li><b>Look-up of a recorded outcome</b> ({@link #lookUpOutcome}): for a resend the cache would refuse (after
 *     a layer restart the recent results are gone), {@link Scribe#offerOperationLookup} asks the store what it
 *     recorded under (player, operation id); the answer goes to {@link InventoryService#onRecordedOutcome}. It
 *     changes nothing in the store or the cache.</li>
 * </ul>
 * Operations are keyed in the store by (player, operation id): stow and unstow carry the client's own operation id
 * and the player as owner, so no player's id can name another player's operation.
 * <p>
 * Nothing is answered before the outcome is durable. Pending operations are tracked in pre-allocated arrays indexed
 * by the correlation id given to Scribe (at most Scribe's {@code maxPendingOperations}).
 * <p>
 * Threading: the Replicant's duty-cycle thread only (Scribe's producer thread). No allocation per operation.
 */
public final class ScribeInventoryBackend implements InventoryService.InventoryBackend, CompletionHandler
{
    /**
     * Archetype of the starter crate every player is granted.
     */
    public static final int ARCHETYPE_STARTER_CRATE = Archetypes.STARTER_CRATE;

    /**
     * Bounding radius of an unstowed item (m).
     */
    public static final float ITEM_RADIUS_M = 0.5f;

    /**
     * Players whose durable starter grant the layer remembers, so that a re-join does not replay it.
     */
    public static final int REMEMBERED_GRANTS = 64 * 1024;

    /**
     * System property: {@code false} to replay the starter grant on every join, as before the layer remembered them
     * (for before/after measurements). Default {@code true}.
     */
    public static final String REMEMBER_GRANTS_PROP = "orrery.inventory.remember.grants";

    private static final int KIND_STOW = 1;
    private static final int KIND_UNSTOW = 2;
    private static final int KIND_GRANT = 3;
    private static final int KIND_STOW_LOOKUP = 4;
    private static final int KIND_UNSTOW_LOOKUP = 5;
    private static final short STOWED = DespawnReason.stowed.value();

    private final EntityStore store;
    private final ScribeClient scribe;
    private final Authority authority;
    private final WorldPersistence world;
    private final Counter[] counters;
    private InventoryService inventory;

    private final int[] kinds;
    private final long[] sessionIds;
    private final long[] clientOperationIds;
    private final long[] itemIds;
    private final int[] freeStack;
    private int freeCount;
    private final long[] traceIds;
    private final OperationTimeline timeline;
    private long requestGatewayReadNs;
    private long requestReplicantReadNs;
    /** starter item ids of the players whose grant is durable (pre-sized: no allocation below the bound). */
    private final LongHashSet grantedItems = new LongHashSet(2 * REMEMBERED_GRANTS);
    private final boolean rememberGrants = Boolean.parseBoolean(System.getProperty(REMEMBER_GRANTS_PROP, "true"));
    private final LongArrayQueue pendingGrants = new LongArrayQueue(1024, Long.MIN_VALUE);
    private final NodeRecord node = new NodeRecord();
    private long grantsDurable;
    private long insertFailures;

    public ScribeInventoryBackend(
        final EntityStore store,
        final ScribeClient scribe,
        final Authority authority,
        final WorldPersistence world,
        final Counter[] counters)
    {
        this.store = store;
        this.scribe = scribe;
        this.authority = authority;
        this.world = world;
        this.counters = counters;
        final int capacity = scribe.maxPendingOperations();
        kinds = new int[capacity];
        sessionIds = new long[capacity];
        clientOperationIds = new long[capacity];
        itemIds = new long[capacity];
        freeStack = new int[capacity];
        traceIds = new long[capacity];
        timeline = scribe.operationTimeline();
        for (int i = 0; i < capacity; i++)
        {
            freeStack[i] = capacity - 1 - i;
        }
        freeCount = capacity;
    }

    /**
     * @param inventory told each durable outcome.
     */
    public ScribeInventoryBackend inventory(final InventoryService inventory)
    {
        this.inventory = inventory;
        return this;
    }

    /**
     * The Replicant is about to pass a client's stow or unstow request to the {@link InventoryService}: when Scribe
     * keeps an {@link OperationTimeline}, the operation's first two steps.
     *
     * @param gatewayReadNs when the Gateway read the request (its clock).
     */
    public void onRequestRead(final long gatewayReadNs)
    {
        if (null != timeline)
        {
            requestGatewayReadNs = gatewayReadNs;
            requestReplicantReadNs = System.nanoTime();
        }
    }

    /**
     * A player joined: grant the starter item (idempotent by operation id).
     */
    public void onPlayerJoined(final long playerId)
    {
        if (grantedItems.contains(EntityIds.starterItemId(playerId)))
        {
            onGrantDurable();
            return;
        }
        if (!pendingGrants.isEmpty() || !offerGrant(playerId))
        {
            pendingGrants.addLong(playerId);
        }
    }

    /**
     * Duty cycle: durable outcomes, then grants that were back-pressured.
     *
     * @return work done.
     */
    public int doWork()
    {
        int work = scribe.pollCompletions(this, 256);
        while (!pendingGrants.isEmpty() && offerGrant(pendingGrants.peekLong()))
        {
            pendingGrants.pollLong();
            work++;
        }
        return work;
    }

    public long grantsDurable()
    {
        return grantsDurable;
    }

    /**
     * @return operations offered and not completed.
     */
    public int pendingOperations()
    {
        return kinds.length - freeCount;
    }

    @Override
    public boolean stow(
        final long sessionId,
        final long operationId,
        final long playerId,
        final int itemSlot,
        final long containerId)
    {
        if (0 == freeCount || !world.fillNode(itemSlot, node.reset()))
        {
            return false;
        }
        final int index = freeStack[freeCount - 1];
        if (!scribe.offerStow(operationId, index, playerId, containerId, node))
        {
            return false;
        }
        freeCount--;
        track(index, KIND_STOW, sessionId, operationId, node.entityId);
        store.pinned(itemSlot, true);
        return true;
    }

    @Override
    public boolean unstow(
        final long sessionId,
        final long operationId,
        final long playerId,
        final long itemId,
        final long parentZoneId,
        final long x,
        final long y,
        final long z)
    {
        if (0 == freeCount)
        {
            return false;
        }
        final NodeRecord node = this.node.reset();
        node.entityId = itemId;
        node.parentZoneId = parentZoneId;
        node.ownerPlayerId = playerId;
        node.x = x;
        node.y = y;
        node.z = z;
        node.radius = ITEM_RADIUS_M;
        final int index = freeStack[freeCount - 1];
        if (!scribe.offerUnstow(operationId, index, playerId, node))
        {
            return false;
        }
        freeCount--;
        track(index, KIND_UNSTOW, sessionId, operationId, itemId);
        return true;
    }

    @Override
    public boolean lookUpOutcome(
        final long sessionId,
        final long operationId,
        final long playerId,
        final long itemId,
        final boolean isStow)
    {
        if (0 == freeCount)
        {
            return false;
        }
        final int index = freeStack[freeCount - 1];
        if (!scribe.offerOperationLookup(
            isStow ? OperationType.STOW : OperationType.UNSTOW, operationId, index, playerId, itemId))
        {
            return false;
        }
        freeCount--;
        track(index, isStow ? KIND_STOW_LOOKUP : KIND_UNSTOW_LOOKUP, sessionId, operationId, itemId);
        return true;
    }

    @Override
    public void onCompletion(
        final int operationType,
        final long operationId,
        final long correlationId,
        final int status,
        final int firstStatus,
        final long value)
    {
        onCompletion(operationType, operationId, correlationId, status, firstStatus, value, null);
    }

    @Override
    public void onCompletion(
        final int operationType,
        final long operationId,
        final long correlationId,
        final int status,
        final int firstStatus,
        final long value,
        final NodeRecord node)
    {
        final int index = (int)correlationId;
        if (index < 0 || index >= kinds.length || 0 == kinds[index])
        {
            counters[OrreryCounter.ERRORS.id()].increment();
            return;
        }
        final int kind = kinds[index];
        final long traceId = traceIds[index];
        if (traceId >= 0)
        {
            timeline.stamp(traceId, OperationTimeline.COMPLETION_POLLED);
        }
        final long itemId = itemIds[index];
        final long sessionId = sessionIds[index];
        final long clientOperationId = clientOperationIds[index];
        kinds[index] = 0;
        freeStack[freeCount++] = index;

        final boolean applied = io.orrery.core.persistence.OperationStatus.isApplied(status);
        switch (kind)
        {
            case KIND_GRANT:
                if (applied)
                {
                    if (grantedItems.size() >= REMEMBERED_GRANTS)
                    {
                        grantedItems.clear();
                    }
                    if (rememberGrants)
                    {
                        grantedItems.add(itemId);
                    }
                    onGrantDurable();
                }
                break;

            case KIND_STOW:
            {
                final int slot = store.slotOf(itemId);
                if (applied)
                {
                    if (EntityStore.NULL_SLOT != slot)
                    {
                        authority.removeEntity(itemId, STOWED, store);
                    }
                }
                else if (EntityStore.NULL_SLOT != slot)
                {
                    store.pinned(slot, false);
                }
                final boolean stowed = applied || io.orrery.core.persistence.OperationStatus.CONFLICT == status;
                inventory.onResult(sessionId, clientOperationId, itemId, stowed, wireStatus(status));
                break;
            }

            case KIND_STOW_LOOKUP:
            case KIND_UNSTOW_LOOKUP:
                onLookedUp(KIND_STOW_LOOKUP == kind, sessionId, clientOperationId, itemId, status);
                break;

            case KIND_UNSTOW:
            default:
            {
                if (applied && null != node && OperationType.UNSTOW == operationType)
                {
                    final int slot = world.insert(node);
                    if (slot < 0 && EntityStore.ERR_DUPLICATE != slot)
                    {
                        insertFailures++;
                        counters[OrreryCounter.ERRORS.id()].increment();
                    }
                }
                final boolean stowed = !applied && EntityStore.NULL_SLOT == store.slotOf(itemId);
                inventory.onResult(sessionId, clientOperationId, itemId, stowed, wireStatus(status));
                break;
            }
        }
        if (traceId >= 0)
        {
            timeline.stamp(traceId, OperationTimeline.RESULT_OFFERED);
        }
    }

    /**
     * The store's record of a key looked up for a resend: nothing changed, nothing enters or leaves the cache (an
     * item an unstow put in the world is restored with its region). Where the item is follows the same rules as the
     * operation's own completion.
     */
    private void onLookedUp(
        final boolean isStow, final long sessionId, final long clientOperationId, final long itemId, final int status)
    {
        final OperationStatus answer;
        if (io.orrery.core.persistence.OperationStatus.PENDING == status)
        {
            answer = OperationStatus.NULL_VAL; // not recorded: never applied
        }
        else
        {
            answer = wireStatus(status);
        }
        final boolean applied = io.orrery.core.persistence.OperationStatus.isApplied(status);
        final boolean stowed = isStow ?
            applied || io.orrery.core.persistence.OperationStatus.CONFLICT == status :
            !applied && EntityStore.NULL_SLOT == store.slotOf(itemId);
        inventory.onRecordedOutcome(sessionId, clientOperationId, itemId, isStow, stowed, answer);
    }

    /**
     * @return unstowed items that could not enter the cache (full, zone unknown): they are in the graph.
     */
    public long insertFailures()
    {
        return insertFailures;
    }

    /**
     * Map an SPI outcome to the wire's.
     */
    public static OperationStatus wireStatus(final int status)
    {
        switch (status)
        {
            case io.orrery.core.persistence.OperationStatus.OK: return OperationStatus.ok;
            case io.orrery.core.persistence.OperationStatus.DUPLICATE: return OperationStatus.duplicate;
            case io.orrery.core.persistence.OperationStatus.NOT_FOUND: return OperationStatus.notFound;
            case io.orrery.core.persistence.OperationStatus.NOT_OWNER: return OperationStatus.notOwner;
            case io.orrery.core.persistence.OperationStatus.INSUFFICIENT_FUNDS: return OperationStatus.insufficientFunds;
            case io.orrery.core.persistence.OperationStatus.STORE_ERROR: return OperationStatus.storeUnavailable;
            case io.orrery.core.persistence.OperationStatus.OPERATION_CONFLICT:
                return OperationStatus.operationConflict;
            case io.orrery.core.persistence.OperationStatus.CONFLICT:
            default:
                return OperationStatus.rejected;
        }
    }

    private void onGrantDurable()
    {
        grantsDurable++;
        counters[OrreryCounter.STARTER_GRANTS.id()].setOrdered(grantsDurable);
    }

    private boolean offerGrant(final long playerId)
    {
        if (0 == freeCount)
        {
            return false;
        }
        final NodeRecord node = this.node.reset();
        node.entityId = EntityIds.starterItemId(playerId);
        node.archetypeId = ARCHETYPE_STARTER_CRATE;
        node.ownerPlayerId = playerId;
        node.radius = ITEM_RADIUS_M;
        final int index = freeStack[freeCount - 1];
        if (!scribe.offerStow(EntityIds.STARTER_GRANT_OPERATION_ID, index, playerId, 0, node))
        {
            return false;
        }
        freeCount--;
        track(index, KIND_GRANT, 0, 0, node.entityId);
        return true;
    }

    private void track(
        final int index, final int kind, final long sessionId, final long clientOperationId, final long itemId)
    {
        kinds[index] = kind;
        sessionIds[index] = sessionId;
        clientOperationIds[index] = clientOperationId;
        itemIds[index] = itemId;
        final long traceId = null != timeline ? scribe.lastOperationTraceId() : -1;
        traceIds[index] = traceId;
        if (traceId >= 0)
        {
            timeline.stamp(traceId, OperationTimeline.GATEWAY_READ, requestGatewayReadNs);
            timeline.stamp(traceId, OperationTimeline.REPLICANT_READ, requestReplicantReadNs);
        }
        requestGatewayReadNs = 0;
        requestReplicantReadNs = 0;
    }
}
