/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.persistence;

import io.orrery.core.common.EntityIds;
import io.orrery.core.persistence.EdgeKind;
import io.orrery.core.persistence.NodeRecord;
import io.orrery.core.persistence.OperationStatus;
import io.orrery.core.persistence.OperationType;
import io.orrery.core.persistence.PersistenceAdapter;
import io.orrery.core.persistence.StowOperation;
import io.orrery.core.persistence.WalletOperation;
import io.orrery.core.persistence.WorldBatch;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import static io.orrery.core.persistence.OperationStatus.CONFLICT;
import static io.orrery.core.persistence.OperationStatus.DUPLICATE;
import static io.orrery.core.persistence.OperationStatus.INSUFFICIENT_FUNDS;
import static io.orrery.core.persistence.OperationStatus.NOT_FOUND;
import static io.orrery.core.persistence.OperationStatus.NOT_OWNER;
import static io.orrery.core.persistence.OperationStatus.OK;
import static io.orrery.core.persistence.OperationStatus.OPERATION_CONFLICT;
import static io.orrery.core.persistence.OperationStatus.PENDING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The {@link PersistenceAdapter} contract, run against every adapter by a subclass. Each test gets a fresh, empty
 * store: {@link #newStore()} prepares it, {@link #open()} opens it (again, for the durability tests: a store that
 * {@link #supportsReopen()} keeps everything across close and open).
 */
public abstract class PersistenceAdapterContractTest
{
    protected static final long WORLD = 0;
    protected static final long PLAYER_A = 501;
    protected static final long PLAYER_B = 502;

    protected PersistenceAdapter adapter;
    private long nextOperationId = 1;

    /**
     * Open the store of the current test (the same store every time within one test).
     */
    protected abstract PersistenceAdapter open();

    /**
     * Prepare an empty store for the next test (before {@link #open()}).
     */
    protected void newStore()
    {
    }

    /**
     * Drop the current test's store (after close).
     */
    protected void dropStore()
    {
    }

    /**
     * @return whether the store survives close: false for in-memory.
     */
    protected boolean supportsReopen()
    {
        return true;
    }

    @BeforeEach
    void openStore()
    {
        newStore();
        adapter = open();
    }

    @AfterEach
    void closeStore()
    {
        CloseHelper.close(adapter);
        dropStore();
    }

    protected void reopen()
    {
        adapter.close();
        adapter = open();
    }

    /**
     * Reopen a durable store, so what follows checks what survived; nothing for an in-memory one.
     */
    protected void reopenIfDurable()
    {
        if (supportsReopen())
        {
            reopen();
        }
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Nodes and edges
    // ----------------------------------------------------------------------------------------------------------------

    @Test
    void shouldKeepLastAppliedInputSequenceOfNodeWhenStoredReplacedAndReopened()
    {
        final NodeRecord steered = node(10, WORLD, 1, 2, 3);
        steered.lastAppliedInputSequence = 4_000_000_123L;
        write(zone(1, WORLD), steered, node(11, 1, 4, 5, 6));
        reopenIfDurable();

        assertContent(steered, find(10));
        assertEquals(0, find(11).lastAppliedInputSequence, "never steered");
        assertContent(steered, byId(loadRegion(WORLD, 0, 0, 0, 10, 10, 10)).get(10L));

        steered.lastAppliedInputSequence++;
        write(steered);
        reopenIfDurable();
        assertContent(steered, find(10));
        assertEquals(4_000_000_124L, loadSubtree(10).get(0).lastAppliedInputSequence);
    }

    @Test
    void shouldStoreAndReplaceNodeWhenUpserted()
    {
        write(node(10, WORLD, 1, 2, 3), node(11, WORLD, -4, -5, -6));
        assertEquals(2, adapter.nodeCount());
        assertContent(node(10, WORLD, 1, 2, 3), find(10));

        final NodeRecord moved = node(10, WORLD, 100, 200, 300);
        moved.archetypeId = 77;
        moved.qw = 0.5f;
        write(moved);

        assertEquals(2, adapter.nodeCount());
        assertContent(moved, find(10));
        assertContent(node(11, WORLD, -4, -5, -6), find(11));
    }

    @Test
    void shouldRemoveNodeWhenRemovalInBatch()
    {
        write(node(10, WORLD, 1, 2, 3), node(11, WORLD, 4, 5, 6));

        final WorldBatch batch = new WorldBatch(4);
        batch.addNodeRemoval(10);
        batch.addNodeRemoval(999);
        adapter.write(batch);

        assertEquals(1, adapter.nodeCount());
        assertNull(find(10));
        assertNotNull(find(11));
    }

    @Test
    void shouldApplyRemovalAfterUpsertWhenBothInOneBatch()
    {
        write(node(10, WORLD, 1, 2, 3));

        final WorldBatch batch = new WorldBatch(4);
        batch.addNodeUpsert().copyFrom(node(10, WORLD, 7, 8, 9));
        batch.addNodeUpsert().copyFrom(node(12, WORLD, 7, 8, 9));
        batch.addNodeRemoval(10);
        batch.addNodeRemoval(12);
        adapter.write(batch);

        assertEquals(0, adapter.nodeCount());
        assertEquals(0, adapter.loadRegion(WORLD, -1000, -1000, -1000, 1000, 1000, 1000, (n) -> { }));
        assertEquals(0, adapter.loadZoneSubtree(WORLD, (n) -> { }));
    }

    @Test
    void shouldMoveNodeBetweenZonesWhenParentChanges()
    {
        write(zone(1, WORLD), zone(2, WORLD), node(10, 1, 5, 5, 5));
        write(node(10, 2, 6, 6, 6));

        assertEquals(List.of(1L), ids(loadSubtree(1)));
        assertEquals(List.of(2L, 10L), ids(loadSubtree(2)));
        assertEquals(Set.of("10>2:IN_ZONE"), edges(10));
        assertEquals(Set.of(), edges(1));
        assertEquals(Set.of("10>2:IN_ZONE"), edges(2));
    }

    @Test
    void shouldStoreAndRemoveEdgesWhenWritten()
    {
        write(zone(1, WORLD), node(10, 1, 0, 0, 0), node(11, 1, 0, 0, 0), node(12, 1, 0, 0, 0));

        final WorldBatch batch = new WorldBatch(8);
        batch.addEdge(10, 11, EdgeKind.CONTAINS, false);
        batch.addEdge(10, 12, EdgeKind.ATTACHED_TO, false);
        batch.addEdge(12, 10, EdgeKind.CONTAINS, false);
        adapter.write(batch);

        assertEquals(Set.of("10>1:IN_ZONE", "10>11:CONTAINS", "10>12:ATTACHED_TO", "12>10:CONTAINS"), edges(10));
        assertEquals(Set.of("11>1:IN_ZONE", "10>11:CONTAINS"), edges(11));
        assertEquals(Set.of("10>1:IN_ZONE", "11>1:IN_ZONE", "12>1:IN_ZONE"), edges(1));

        batch.clear();
        batch.addEdge(10, 12, EdgeKind.ATTACHED_TO, true);
        batch.addEdge(10, 11, EdgeKind.CONTAINS, false);
        adapter.write(batch);

        assertEquals(Set.of("10>1:IN_ZONE", "10>11:CONTAINS", "12>10:CONTAINS"), edges(10));
        assertEquals(Set.of("12>1:IN_ZONE", "12>10:CONTAINS"), edges(12));
    }

    @Test
    void shouldRemoveEdgesWhenNodeRemoved()
    {
        write(node(10, WORLD, 0, 0, 0), node(11, WORLD, 0, 0, 0), node(12, WORLD, 0, 0, 0), node(13, WORLD, 0, 0, 0));
        final WorldBatch batch = new WorldBatch(8);
        batch.addEdge(10, 11, EdgeKind.CONTAINS, false);
        batch.addEdge(12, 10, EdgeKind.ATTACHED_TO, false);
        batch.addEdge(11, 12, EdgeKind.CONTAINS, false);
        adapter.write(batch);

        batch.clear();
        batch.addEdge(13, 10, EdgeKind.CONTAINS, false);
        batch.addNodeRemoval(10);
        adapter.write(batch);

        assertEquals(Set.of(), edges(10));
        assertEquals(Set.of("11>12:CONTAINS"), edges(11));
        assertEquals(Set.of("11>12:CONTAINS"), edges(12));
        assertEquals(Set.of(), edges(13));
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Queries
    // ----------------------------------------------------------------------------------------------------------------

    @Test
    void shouldLoadZoneSubtreeParentsFirstWhenNestedDeeply()
    {
        final List<NodeRecord> nodes = new ArrayList<>();
        nodes.add(zone(100, WORLD));
        long parent = 100;
        for (int depth = 1; depth <= 64; depth++)
        {
            final long id = 1000 + depth;
            nodes.add(zone(id, parent));
            nodes.add(node(2000 + depth, parent, depth, 0, 0));
            parent = id;
        }
        nodes.add(zone(200, WORLD));
        nodes.add(node(201, 200, 0, 0, 0));
        // written children first, so storage order cannot give the answer
        final List<NodeRecord> reversed = new ArrayList<>(nodes);
        java.util.Collections.reverse(reversed);
        write(reversed.toArray(new NodeRecord[0]));

        final List<NodeRecord> loaded = loadSubtree(100);
        assertEquals(129, loaded.size());
        assertEquals(100, loaded.get(0).entityId);
        assertParentsFirst(loaded, 100);
        assertFalse(ids(loaded).contains(200L));
        assertFalse(ids(loaded).contains(201L));

        final List<NodeRecord> inner = loadSubtree(1032);
        assertEquals(1 + 2 * 32, inner.size());
        assertEquals(1032, inner.get(0).entityId);
        assertParentsFirst(inner, 1032);
        assertContent(node(2050, 1049, 50, 0, 0), byId(inner).get(2050L));

        assertEquals(0, adapter.loadZoneSubtree(424242, (n) -> { }));
    }

    @Test
    void shouldLoadSubtreeWithoutRootWhenRootIsNotStored()
    {
        write(zone(1, WORLD), node(2, 1, 0, 0, 0), node(3, WORLD, 0, 0, 0), node(10, 77, 0, 0, 0));

        final List<NodeRecord> world = loadSubtree(WORLD);
        assertEquals(Set.of(1L, 2L, 3L), new HashSet<>(ids(world)));
        assertParentsFirst(world, WORLD);

        assertEquals(List.of(10L), ids(loadSubtree(77)));
    }

    @Test
    void shouldLoadRegionInclusiveOfBoundsWithSubtreesOfZonesInside()
    {
        write(
            zone(1, WORLD),
            node(10, 1, 0, 0, 0),
            node(11, 1, -100, 100, -100),
            node(12, 1, 100, -100, 100),
            node(13, 1, 101, 0, 0),
            node(14, 1, 0, -101, 0),
            node(15, 1, 0, 0, 101),
            node(16, 1, -101, 0, 0),
            zone(20, 1, 50, 50, 50),
            node(21, 20, 5000, 5000, 5000),
            zone(22, 20, -9000, 0, 0),
            node(23, 22, 1, 1, 1),
            zone(30, 1, 5000, 0, 0),
            node(31, 30, 0, 0, 0),
            zone(2, WORLD),
            node(40, 2, 0, 0, 0));

        final List<NodeRecord> region = new ArrayList<>();
        final int count = adapter.loadRegion(1, -100, -100, -100, 100, 100, 100, collector(region));

        assertEquals(7, count);
        assertEquals(Set.of(10L, 11L, 12L, 20L, 21L, 22L, 23L), new HashSet<>(ids(region)));
        assertParentsFirst(region, 1);
        assertContent(node(23, 22, 1, 1, 1), byId(region).get(23L));

        assertEquals(List.of(10L), ids(loadRegion(1, 0, 0, 0, 0, 0, 0)));
        assertEquals(List.of(), ids(loadRegion(1, 1, 1, 1, -1, -1, -1)));
        assertEquals(List.of(40L), ids(loadRegion(2, -1, -1, -1, 1, 1, 1)));
        assertEquals(List.of(1L, 2L), sorted(ids(loadRegion(WORLD, 0, 0, 0, 0, 0, 0))).subList(0, 2));
    }

    @Test
    void shouldLoadAllNodesParentsFirstIncludingOrphans()
    {
        write(
            node(5, 4, 0, 0, 0),
            zone(4, 3),
            zone(3, WORLD),
            node(6, WORLD, 0, 0, 0),
            zone(50, 999),
            node(51, 50, 0, 0, 0));

        final List<NodeRecord> all = new ArrayList<>();
        assertEquals(6, adapter.loadAll(collector(all)));
        assertEquals(Set.of(3L, 4L, 5L, 6L, 50L, 51L), new HashSet<>(ids(all)));
        final List<Long> order = ids(all);
        assertTrue(order.indexOf(3L) < order.indexOf(4L));
        assertTrue(order.indexOf(4L) < order.indexOf(5L));
        assertTrue(order.indexOf(50L) < order.indexOf(51L));
    }

    @Test
    void shouldTerminateAndLoadEveryNodeOnceWhenZoneTreeHasCycles()
    {
        write(zone(1, 2), zone(2, 1), node(3, 1, 0, 0, 0), zone(4, 4), node(5, 4, 0, 0, 0));

        assertEquals(Set.of(1L, 2L, 3L), new HashSet<>(ids(loadSubtree(1))));
        assertEquals(1L, loadSubtree(1).get(0).entityId);
        assertEquals(List.of(4L, 5L), ids(loadSubtree(4)));

        final List<NodeRecord> all = new ArrayList<>();
        assertEquals(5, adapter.loadAll(collector(all)));
        assertEquals(5, byId(all).size());
    }

    @Test
    void shouldRoundTripComponentStateWhenEmptyAndMaximal()
    {
        final NodeRecord empty = node(10, WORLD, Long.MIN_VALUE + 1, Long.MAX_VALUE, 0);
        empty.componentStateLength = 0;
        empty.qx = -0.25f;
        empty.qy = Float.MIN_NORMAL;
        empty.qz = 1e30f;
        empty.radius = 12345.5f;
        empty.ownerPlayerId = -7;
        empty.archetypeId = Integer.MAX_VALUE;

        final NodeRecord full = node(11, WORLD, 0, 0, 0);
        final Random random = new Random(11);
        random.nextBytes(full.componentState);
        full.componentStateLength = NodeRecord.MAX_COMPONENT_STATE_LENGTH;

        write(empty, full);
        assertContent(empty, find(10));
        assertContent(full, find(11));

        assertStowAndUnstowRoundTrip(full);
    }

    @Test
    void shouldRejectWholeBatchWhenOneRecordIsInvalid()
    {
        write(node(10, WORLD, 1, 1, 1));

        final WorldBatch batch = new WorldBatch(4);
        batch.addNodeUpsert().copyFrom(node(10, WORLD, 2, 2, 2));
        batch.addNodeUpsert().copyFrom(node(11, WORLD, 2, 2, 2)).componentStateLength =
            NodeRecord.MAX_COMPONENT_STATE_LENGTH + 1;
        batch.addNodeRemoval(10);

        assertThrows(IllegalArgumentException.class, () -> adapter.write(batch));
        assertEquals(1, adapter.nodeCount());
        assertContent(node(10, WORLD, 1, 1, 1), find(10));
    }

    @Test
    void shouldWriteThousandsOfNodesWhenInOneBatch()
    {
        final int count = 5_000;
        final WorldBatch batch = new WorldBatch(count);
        batch.addNodeUpsert().copyFrom(zone(1, WORLD));
        for (int i = 1; i < count; i++)
        {
            batch.addNodeUpsert().copyFrom(node(10_000 + i, 1, i, -i, i % 17));
        }
        adapter.write(batch);

        assertEquals(count, adapter.nodeCount());
        assertEquals(count, adapter.loadZoneSubtree(1, (n) -> { }));

        batch.clear();
        for (int i = 1; i < count; i += 2)
        {
            batch.addNodeRemoval(10_000 + i);
        }
        for (int i = 2; i < 1_000; i += 2)
        {
            batch.addEdge(10_000 + i, 10_000 + i + 2, EdgeKind.ATTACHED_TO, false);
        }
        adapter.write(batch);

        assertEquals(count / 2, adapter.nodeCount());
        final List<NodeRecord> all = new ArrayList<>();
        assertEquals(count / 2, adapter.loadAll(collector(all)));
        assertEquals(1, all.get(0).entityId);
        assertContent(node(14_000, 1, 4_000, -4_000, 4_000 % 17), byId(all).get(14_000L));
        assertEquals(Set.of("10500>1:IN_ZONE", "10498>10500:ATTACHED_TO", "10500>10502:ATTACHED_TO"), edges(10_500));
    }

    @Test
    void shouldKeepLastEntryWhenBatchUpsertsOneNodeTwice()
    {
        final WorldBatch batch = new WorldBatch(4);
        batch.addNodeUpsert().copyFrom(node(10, WORLD, 1, 1, 1));
        batch.addNodeUpsert().copyFrom(node(11, WORLD, 5, 5, 5));
        batch.addNodeUpsert().copyFrom(node(10, WORLD, 2, 2, 2));
        adapter.write(batch);

        assertEquals(2, adapter.nodeCount());
        assertContent(node(10, WORLD, 2, 2, 2), find(10));

        batch.clear();
        batch.addNodeUpsert().copyFrom(node(10, WORLD, 3, 3, 3));
        batch.addNodeUpsert().copyFrom(node(12, WORLD, 6, 6, 6));
        batch.addNodeUpsert().copyFrom(node(10, WORLD, 4, 4, 4));
        batch.addNodeUpsert().copyFrom(node(12, WORLD, 7, 7, 7));
        adapter.write(batch);

        assertEquals(3, adapter.nodeCount());
        assertContent(node(10, WORLD, 4, 4, 4), find(10));
        assertContent(node(12, WORLD, 7, 7, 7), find(12));
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Stow and unstow
    // ----------------------------------------------------------------------------------------------------------------

    @Test
    void shouldMoveNodeIntoGlobalStoreWhenStowed()
    {
        write(zone(1, WORLD), node(10, 1, 5, 6, 7), node(11, 1, 0, 0, 0));
        final WorldBatch batch = new WorldBatch(2);
        batch.addEdge(11, 10, EdgeKind.CONTAINS, false);
        adapter.write(batch);

        final StowOperation stow = stowOp(10, PLAYER_A, 11);
        stow.node.copyFrom(node(10, 1, 8, 9, 10));
        stow.node.componentState[0] = 42;
        adapter.stow(stow);

        assertEquals(OK, stow.status);
        assertEquals(OK, stow.firstStatus);
        assertTrue(adapter.isStowed(10));
        assertNull(find(10));
        assertEquals(2, adapter.nodeCount());
        assertEquals(Set.of(), edges(10));
        assertEquals(Set.of("11>1:IN_ZONE"), edges(11));

        final List<String> items = new ArrayList<>();
        final List<NodeRecord> itemRecords = new ArrayList<>();
        assertEquals(1, adapter.loadStowedItems(PLAYER_A, (itemId, owner, container, item) ->
        {
            items.add(itemId + "/" + owner + "/" + container);
            itemRecords.add(new NodeRecord().copyFrom(item));
        }));
        assertEquals(List.of("10/" + PLAYER_A + "/11"), items);
        assertContent(stow.node, itemRecords.get(0));
        assertEquals(0, adapter.loadStowedItems(PLAYER_B, (itemId, owner, container, item) -> { }));
    }

    @Test
    void shouldReturnDuplicateWithFirstOutcomeWhenStowReplayed()
    {
        write(node(10, WORLD, 0, 0, 0));
        final StowOperation stow = stowOp(10, PLAYER_A, 0);
        adapter.stow(stow);
        assertEquals(OK, stow.status);

        final StowOperation unstow = unstowOp(10, PLAYER_A, WORLD, 1, 2, 3);
        adapter.unstow(unstow);
        assertEquals(OK, unstow.status);

        final long operationId = stow.operationId;
        stow.reset();
        stow.operationId = operationId;
        stow.entityId = 10;
        stow.ownerPlayerId = PLAYER_A;
        adapter.stow(stow);

        assertEquals(DUPLICATE, stow.status);
        assertEquals(OK, stow.firstStatus);
        assertTrue(OperationStatus.isApplied(stow.status));
        assertFalse(adapter.isStowed(10));
        assertNotNull(find(10));

        final StowOperation failed = stowOp(999, PLAYER_A, 0);
        failed.node.reset();
        adapter.stow(failed);
        assertEquals(NOT_FOUND, failed.status);
        write(node(999, WORLD, 0, 0, 0));
        adapter.stow(failed);
        assertEquals(NOT_FOUND, failed.status);
        assertEquals(NOT_FOUND, failed.firstStatus);
        assertFalse(adapter.isStowed(999));
    }

    @Test
    void shouldKeepOperationsOfTwoPlayersApartWhenTheyUseTheSameOperationId()
    {
        final long operationId = 7;
        final StowOperation stowA = stowOp(10, PLAYER_A, 0);
        stowA.operationId = operationId;
        adapter.stow(stowA);
        final StowOperation stowB = stowOp(20, PLAYER_B, 0);
        stowB.operationId = operationId;
        adapter.stow(stowB);
        final WalletOperation creditA = walletOp(PLAYER_A, 100);
        creditA.operationId = operationId + 1;
        adapter.changeWallet(creditA);
        final WalletOperation creditB = walletOp(PLAYER_B, 300);
        creditB.operationId = operationId + 1;
        adapter.changeWallet(creditB);

        assertEquals(OK, stowA.status);
        assertEquals(OK, stowB.status, "player B's operation 7 is not player A's");
        assertEquals(OK, creditA.status);
        assertEquals(OK, creditB.status);
        reopenIfDurable();
        assertEquals(PLAYER_A, owner(10));
        assertEquals(PLAYER_B, owner(20));
        assertEquals(100, adapter.walletBalance(PLAYER_A));
        assertEquals(300, adapter.walletBalance(PLAYER_B));

        adapter.stow(stowB);
        assertEquals(DUPLICATE, stowB.status);
        assertEquals(OK, stowB.firstStatus);
        adapter.changeWallet(creditB);
        assertEquals(DUPLICATE, creditB.status);
        assertEquals(300, creditB.value);
        assertEquals(300, adapter.walletBalance(PLAYER_B));
    }

    @Test
    void shouldGrantStarterItemWhenAnotherPlayerUsedTheGrantsOperationIdFirst()
    {
        final long starterA = EntityIds.starterItemId(PLAYER_A);
        final long starterB = EntityIds.starterItemId(PLAYER_B);
        write(node(starterB, WORLD, 0, 0, 0));
        final StowOperation preemption = stowOp(starterB, PLAYER_B, 0);
        preemption.operationId = EntityIds.STARTER_GRANT_OPERATION_ID;
        adapter.stow(preemption);
        assertEquals(OK, preemption.status, "B's own operation: B stows B's item");
        reopenIfDurable();

        final StowOperation grantA = stowOp(starterA, PLAYER_A, 0);
        grantA.operationId = EntityIds.STARTER_GRANT_OPERATION_ID;
        adapter.stow(grantA);

        assertEquals(OK, grantA.status, "A's grant is A's operation, whatever B did with the same id");
        assertEquals(OK, grantA.firstStatus);
        reopenIfDurable();
        assertTrue(adapter.isStowed(starterA));
        assertEquals(PLAYER_A, owner(starterA));
        assertEquals(PLAYER_B, owner(starterB));
        adapter.stow(grantA);
        assertEquals(DUPLICATE, grantA.status, "every later join replays the grant");
    }

    @Test
    void shouldRefuseWithOperationConflictAndKeepRecordedOutcomeWhenReplayNamesAnotherItemOrKind()
    {
        write(node(10, WORLD, 0, 0, 0), node(11, WORLD, 0, 0, 0));
        final StowOperation stow = stowOp(10, PLAYER_A, 0);
        adapter.stow(stow);
        assertEquals(OK, stow.status);

        final StowOperation otherItem = stowOp(11, PLAYER_A, 0);
        otherItem.operationId = stow.operationId;
        adapter.stow(otherItem);
        assertEquals(OPERATION_CONFLICT, otherItem.status);
        assertFalse(OperationStatus.isApplied(otherItem.status));
        assertFalse(adapter.isStowed(11), "the conflicting stow changed nothing");
        assertNotNull(find(11));

        final StowOperation otherKind = unstowOp(10, PLAYER_A, WORLD, 1, 2, 3);
        otherKind.operationId = stow.operationId;
        adapter.unstow(otherKind);
        assertEquals(OPERATION_CONFLICT, otherKind.status);
        assertTrue(adapter.isStowed(10), "the conflicting unstow changed nothing");
        assertNull(find(10));

        final WalletOperation credit = walletOp(PLAYER_A, 100);
        adapter.changeWallet(credit);
        final WalletOperation otherDelta = walletOp(PLAYER_A, 1_000);
        otherDelta.operationId = credit.operationId;
        adapter.changeWallet(otherDelta);
        assertEquals(OPERATION_CONFLICT, otherDelta.status);
        final WalletOperation reputationUnderWalletId = walletOp(PLAYER_A, 100);
        reputationUnderWalletId.operationId = credit.operationId;
        adapter.changeReputation(reputationUnderWalletId);
        assertEquals(OPERATION_CONFLICT, reputationUnderWalletId.status);
        final WalletOperation walletUnderStowId = walletOp(PLAYER_A, 5);
        walletUnderStowId.operationId = stow.operationId;
        adapter.changeWallet(walletUnderStowId);
        assertEquals(OPERATION_CONFLICT, walletUnderStowId.status);
        assertEquals(100, adapter.walletBalance(PLAYER_A));
        assertEquals(0, adapter.reputation(PLAYER_A, 0));

        reopenIfDurable();
        adapter.stow(otherItem);
        assertEquals(OPERATION_CONFLICT, otherItem.status, "conflicts are not recorded, the first operation is");
        adapter.stow(stow);
        assertEquals(DUPLICATE, stow.status, "the recorded outcome is unchanged");
        assertEquals(OK, stow.firstStatus);
        adapter.changeWallet(credit);
        assertEquals(DUPLICATE, credit.status);
        assertEquals(100, credit.value);
        assertTrue(adapter.isStowed(10));
        assertFalse(adapter.isStowed(11));
        assertEquals(100, adapter.walletBalance(PLAYER_A));
    }

    @Test
    void shouldReportRecordedOutcomeAndChangeNothingWhenOperationIsLookedUp()
    {
        write(node(10, WORLD, 0, 0, 0));
        final StowOperation stow = stowOp(10, PLAYER_A, 0);
        adapter.stow(stow);
        assertEquals(OK, stow.status);
        final StowOperation unstow = unstowOp(10, PLAYER_A, WORLD, 1, 2, 3);
        final StowOperation foreign = unstowOp(10, PLAYER_B, WORLD, 0, 0, 0);
        adapter.unstow(foreign);
        assertEquals(NOT_OWNER, foreign.status);

        for (int pass = 0; pass < 2; pass++)
        {
            final StowOperation stowLookup = lookupOp(stow.operationId, 10, PLAYER_A);
            assertEquals(DUPLICATE, adapter.recordedOutcome(stowLookup, OperationType.STOW), "applied: a replay");
            assertEquals(DUPLICATE, stowLookup.status);
            assertEquals(OK, stowLookup.firstStatus);
            assertEquals(NOT_OWNER, adapter.recordedOutcome(
                lookupOp(foreign.operationId, 10, PLAYER_B), OperationType.UNSTOW), "the recorded refusal");
            assertEquals(PENDING, adapter.recordedOutcome(
                lookupOp(unstow.operationId, 10, PLAYER_A), OperationType.UNSTOW), "not run: not recorded");
            assertEquals(PENDING, adapter.recordedOutcome(
                lookupOp(stow.operationId, 10, PLAYER_B), OperationType.STOW), "keys are per player");
            assertEquals(OPERATION_CONFLICT, adapter.recordedOutcome(
                lookupOp(stow.operationId, 10, PLAYER_A), OperationType.UNSTOW), "another kind");
            assertEquals(OPERATION_CONFLICT, adapter.recordedOutcome(
                lookupOp(stow.operationId, 11, PLAYER_A), OperationType.STOW), "another item");
            assertTrue(adapter.isStowed(10), "look-ups change nothing");
            assertNull(find(10));
            reopenIfDurable();
        }

        adapter.unstow(unstow);
        assertEquals(OK, unstow.status, "a look-up does not record the key");
        final StowOperation unstowLookup = lookupOp(unstow.operationId, 10, PLAYER_A);
        assertEquals(DUPLICATE, adapter.recordedOutcome(unstowLookup, OperationType.UNSTOW));
        assertEquals(OK, unstowLookup.firstStatus);
        assertFalse(adapter.isStowed(10));
        assertNotNull(find(10));
    }

    private static StowOperation lookupOp(final long operationId, final long itemId, final long playerId)
    {
        final StowOperation op = new StowOperation().reset();
        op.operationId = operationId;
        op.entityId = itemId;
        op.ownerPlayerId = playerId;
        return op;
    }

    @Test
    void shouldReplayRecordedRefusalWhenReplayHasSameItemAndKind()
    {
        adapter.stow(stowOp(10, PLAYER_A, 0));
        final StowOperation foreign = unstowOp(10, PLAYER_B, WORLD, 0, 0, 0);
        adapter.unstow(foreign);
        assertEquals(NOT_OWNER, foreign.status);

        reopenIfDurable();
        adapter.unstow(foreign);
        assertEquals(NOT_OWNER, foreign.status);
        assertEquals(NOT_OWNER, foreign.firstStatus);
        assertTrue(adapter.isStowed(10));
    }

    @Test
    void shouldReturnNotFoundWhenStowingUnknownEntityWithoutState()
    {
        final StowOperation stow = stowOp(10, PLAYER_A, 0);
        stow.node.reset();
        adapter.stow(stow);

        assertEquals(NOT_FOUND, stow.status);
        assertFalse(adapter.isStowed(10));
        assertEquals(0, adapter.nodeCount());
    }

    @Test
    void shouldStowStoredNodeWhenOperationCarriesNoState()
    {
        final NodeRecord stored = node(10, WORLD, 3, 4, 5);
        write(stored);

        final StowOperation stow = stowOp(10, PLAYER_A, 0);
        stow.node.reset();
        adapter.stow(stow);

        assertEquals(OK, stow.status);
        assertContent(stored, stowedItem(PLAYER_A, 10));
        assertEquals(0, adapter.nodeCount());
    }

    @Test
    void shouldStowWhenNodeWasNeverWrittenBehind()
    {
        final StowOperation stow = stowOp(10, PLAYER_A, 0);
        adapter.stow(stow);

        assertEquals(OK, stow.status);
        assertTrue(adapter.isStowed(10));
        assertContent(stow.node, stowedItem(PLAYER_A, 10));
    }

    @Test
    void shouldReturnConflictWhenStowingStowedItem()
    {
        adapter.stow(stowOp(10, PLAYER_A, 0));
        final StowOperation again = stowOp(10, PLAYER_B, 0);
        adapter.stow(again);

        assertEquals(CONFLICT, again.status);
        assertEquals(PLAYER_A, owner(10));
    }

    @Test
    void shouldNotResurrectStowedItemWhenStaleUpsertArrives()
    {
        write(node(10, WORLD, 0, 0, 0));
        adapter.stow(stowOp(10, PLAYER_A, 0));

        write(node(10, WORLD, 9, 9, 9), node(11, WORLD, 1, 1, 1));

        assertTrue(adapter.isStowed(10));
        assertNull(find(10));
        assertNotNull(find(11));
    }

    @Test
    void shouldPutItemBackIntoGraphWhenUnstowedByOwner()
    {
        final NodeRecord original = node(10, 1, 0, 0, 0);
        original.componentState[3] = 33;
        write(zone(1, WORLD), zone(2, WORLD), original);
        adapter.stow(stowOp(10, PLAYER_A, 0, original));

        final StowOperation unstow = unstowOp(10, PLAYER_A, 2, 40, 50, 60);
        adapter.unstow(unstow);

        assertEquals(OK, unstow.status);
        assertFalse(adapter.isStowed(10));
        final NodeRecord back = find(10);
        assertNotNull(back);
        assertEquals(2, back.parentZoneId);
        assertEquals(40, back.x);
        assertEquals(original.archetypeId, back.archetypeId);
        assertEquals(original.componentStateLength, back.componentStateLength);
        assertEquals(33, back.componentState[3]);
        assertEquals(List.of(2L, 10L), ids(loadSubtree(2)));
        assertEquals(0, adapter.loadStowedItems(PLAYER_A, (itemId, owner, container, item) -> { }));

        final long operationId = unstow.operationId;
        unstow.reset();
        unstow.operationId = operationId;
        unstow.entityId = 10;
        unstow.ownerPlayerId = PLAYER_A; // a replay: same player, same item, same kind (the position may differ)
        adapter.unstow(unstow);
        assertEquals(DUPLICATE, unstow.status);
        assertEquals(OK, unstow.firstStatus);
    }

    @Test
    void shouldReturnInsertedNodeWhenUnstowTakesItemStateAndArchetype()
    {
        final NodeRecord original = node(10, WORLD, 0, 0, 0);
        original.componentState[7] = 77;
        adapter.stow(stowOp(10, PLAYER_A, 0, original));

        final StowOperation unstow = unstowOp(10, PLAYER_A, WORLD, 4, 5, 6);
        unstow.node.entityId = 0;
        adapter.unstow(unstow);

        assertEquals(OK, unstow.status);
        assertEquals(10, unstow.node.entityId);
        assertEquals(original.archetypeId, unstow.node.archetypeId);
        assertEquals(original.componentStateLength, unstow.node.componentStateLength);
        assertEquals(77, unstow.node.componentState[7]);
        assertEquals(4, unstow.node.x);
        assertContent(unstow.node, find(10));

        final NodeRecord own = node(20, WORLD, 0, 0, 0);
        adapter.stow(stowOp(20, PLAYER_A, 0, own));
        final StowOperation withState = unstowOp(20, PLAYER_A, WORLD, 1, 1, 1);
        withState.node.archetypeId = 9;
        withState.node.componentStateLength = 3;
        withState.node.componentState[2] = 22;
        adapter.unstow(withState);

        assertEquals(OK, withState.status);
        assertEquals(9, withState.node.archetypeId);
        assertEquals(3, withState.node.componentStateLength);
        assertEquals(22, withState.node.componentState[2]);
        assertContent(withState.node, find(20));
    }

    @Test
    void shouldReturnNotOwnerWhenUnstowingAnotherPlayersItem()
    {
        adapter.stow(stowOp(10, PLAYER_A, 0));
        final StowOperation unstow = unstowOp(10, PLAYER_B, WORLD, 0, 0, 0);
        adapter.unstow(unstow);

        assertEquals(NOT_OWNER, unstow.status);
        assertTrue(adapter.isStowed(10));
        assertNull(find(10));
    }

    @Test
    void shouldReturnNotFoundWhenUnstowingUnknownItem()
    {
        write(node(10, WORLD, 0, 0, 0));
        final StowOperation unstow = unstowOp(10, PLAYER_A, WORLD, 0, 0, 0);
        adapter.unstow(unstow);

        assertEquals(NOT_FOUND, unstow.status);
        assertEquals(1, adapter.nodeCount());
    }

    @Test
    void shouldReturnConflictWhenUnstowingOntoExistingNode()
    {
        write(node(20, WORLD, 0, 0, 0));
        adapter.stow(stowOp(10, PLAYER_A, 0));

        final StowOperation unstow = unstowOp(10, PLAYER_A, WORLD, 0, 0, 0);
        unstow.node.entityId = 20;
        adapter.unstow(unstow);

        assertEquals(CONFLICT, unstow.status);
        assertTrue(adapter.isStowed(10));
        assertEquals(1, adapter.nodeCount());

        final StowOperation intoNewId = unstowOp(10, PLAYER_A, WORLD, 0, 0, 0);
        intoNewId.node.entityId = 30;
        adapter.unstow(intoNewId);
        assertEquals(OK, intoNewId.status);
        assertFalse(adapter.isStowed(10));
        assertNull(find(10));
        assertNotNull(find(30));
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Wallets and reputation
    // ----------------------------------------------------------------------------------------------------------------

    @Test
    void shouldCreditAndDebitWalletWhenFundsSuffice()
    {
        assertEquals(0, adapter.walletBalance(PLAYER_A));

        final WalletOperation credit = walletOp(PLAYER_A, 1_000);
        adapter.changeWallet(credit);
        assertEquals(OK, credit.status);
        assertEquals(1_000, credit.value);

        final WalletOperation debit = walletOp(PLAYER_A, -1_000);
        adapter.changeWallet(debit);
        assertEquals(OK, debit.status);
        assertEquals(0, debit.value);
        assertEquals(0, adapter.walletBalance(PLAYER_A));
        assertEquals(0, adapter.walletBalance(PLAYER_B));
    }

    @Test
    void shouldRejectOverdraftAndKeepBalanceWhenFundsInsufficient()
    {
        adapter.changeWallet(walletOp(PLAYER_A, 100));

        final WalletOperation overdraft = walletOp(PLAYER_A, -101);
        adapter.changeWallet(overdraft);
        assertEquals(INSUFFICIENT_FUNDS, overdraft.status);
        assertEquals(100, overdraft.value);
        assertEquals(100, adapter.walletBalance(PLAYER_A));

        final WalletOperation unknown = walletOp(PLAYER_B, -1);
        adapter.changeWallet(unknown);
        assertEquals(INSUFFICIENT_FUNDS, unknown.status);
        assertEquals(0, adapter.walletBalance(PLAYER_B));

        adapter.changeWallet(walletOp(PLAYER_A, 1_000));
        adapter.changeWallet(overdraft);
        assertEquals(INSUFFICIENT_FUNDS, overdraft.status);
        assertEquals(INSUFFICIENT_FUNDS, overdraft.firstStatus);
        assertEquals(100, overdraft.value);
        assertEquals(1_100, adapter.walletBalance(PLAYER_A));

        final WalletOperation overflow = walletOp(PLAYER_A, Long.MAX_VALUE);
        adapter.changeWallet(overflow);
        assertEquals(CONFLICT, overflow.status);
        assertEquals(1_100, adapter.walletBalance(PLAYER_A));
    }

    @Test
    void shouldReturnFirstValueAndChangeNothingWhenWalletChangeReplayed()
    {
        final WalletOperation credit = walletOp(PLAYER_A, 250);
        adapter.changeWallet(credit);
        adapter.changeWallet(walletOp(PLAYER_A, 50));

        adapter.changeWallet(credit);
        assertEquals(DUPLICATE, credit.status);
        assertEquals(OK, credit.firstStatus);
        assertEquals(250, credit.value);
        assertEquals(300, adapter.walletBalance(PLAYER_A));
    }

    @Test
    void shouldAddReputationPerFactionWhenChanged()
    {
        final WalletOperation up = walletOp(PLAYER_A, 30);
        up.factionId = 7;
        adapter.changeReputation(up);
        assertEquals(OK, up.status);
        assertEquals(30, up.value);

        final WalletOperation down = walletOp(PLAYER_A, -80);
        down.factionId = 7;
        adapter.changeReputation(down);
        assertEquals(OK, down.status);
        assertEquals(-50, down.value);

        final WalletOperation other = walletOp(PLAYER_A, 5);
        other.factionId = 8;
        adapter.changeReputation(other);

        adapter.changeReputation(up);
        assertEquals(DUPLICATE, up.status);
        assertEquals(30, up.value);

        assertEquals(-50, adapter.reputation(PLAYER_A, 7));
        assertEquals(5, adapter.reputation(PLAYER_A, 8));
        assertEquals(0, adapter.reputation(PLAYER_B, 7));
        assertEquals(0, adapter.walletBalance(PLAYER_A));
    }

    @Test
    void shouldRefuseReputationChangeAndKeepStandingWhenItWouldOverflow()
    {
        final WalletOperation high = walletOp(PLAYER_A, Long.MAX_VALUE - 5);
        high.factionId = 3;
        adapter.changeReputation(high);
        assertEquals(OK, high.status);

        final WalletOperation over = walletOp(PLAYER_A, 6);
        over.factionId = 3;
        adapter.changeReputation(over);
        assertEquals(CONFLICT, over.status);
        assertEquals(Long.MAX_VALUE - 5, over.value);

        final WalletOperation low = walletOp(PLAYER_B, Long.MIN_VALUE + 1);
        low.factionId = 3;
        adapter.changeReputation(low);
        assertEquals(OK, low.status);
        final WalletOperation under = walletOp(PLAYER_B, -2);
        under.factionId = 3;
        adapter.changeReputation(under);
        assertEquals(CONFLICT, under.status);
        assertEquals(Long.MIN_VALUE + 1, under.value);

        adapter.changeReputation(over);
        assertEquals(CONFLICT, over.status);
        assertEquals(CONFLICT, over.firstStatus);
        assertEquals(Long.MAX_VALUE - 5, adapter.reputation(PLAYER_A, 3));
        assertEquals(Long.MIN_VALUE + 1, adapter.reputation(PLAYER_B, 3));
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Durability and the one-place invariant
    // ----------------------------------------------------------------------------------------------------------------

    @Test
    void shouldKeepEverythingWhenReopened()
    {
        assumeTrue(supportsReopen(), "this store does not survive close");

        final NodeRecord big = node(12, 1, 7, 8, 9);
        big.componentStateLength = NodeRecord.MAX_COMPONENT_STATE_LENGTH;
        new Random(12).nextBytes(big.componentState);
        write(zone(1, WORLD), node(11, 1, 1, 2, 3), big, node(13, 1, 0, 0, 0));
        final WorldBatch batch = new WorldBatch(2);
        batch.addEdge(11, 12, EdgeKind.CONTAINS, false);
        adapter.write(batch);
        final StowOperation stow = stowOp(13, PLAYER_A, 11);
        adapter.stow(stow);
        final WalletOperation credit = walletOp(PLAYER_A, 500);
        adapter.changeWallet(credit);
        final WalletOperation reputation = walletOp(PLAYER_A, -3);
        reputation.factionId = 2;
        adapter.changeReputation(reputation);

        reopen();

        assertEquals(3, adapter.nodeCount());
        final List<NodeRecord> subtree = loadSubtree(1);
        assertEquals(List.of(1L, 11L, 12L), sorted(ids(subtree)));
        assertContent(big, byId(subtree).get(12L));
        assertEquals(Set.of("11>1:IN_ZONE", "11>12:CONTAINS"), edges(11));
        assertTrue(adapter.isStowed(13));
        assertEquals(500, adapter.walletBalance(PLAYER_A));
        assertEquals(-3, adapter.reputation(PLAYER_A, 2));

        adapter.stow(stow);
        assertEquals(DUPLICATE, stow.status);
        adapter.changeWallet(credit);
        assertEquals(DUPLICATE, credit.status);
        assertEquals(500, adapter.walletBalance(PLAYER_A));
    }

    @Test
    void shouldKeepEveryItemInExactlyOnePlaceWhenRandomOperationsAreMixed()
    {
        final Random random = new Random(0x5EED);
        final int entities = 24;
        final Map<Long, Long> stowedOwner = new HashMap<>();
        final Set<Long> inGraph = new HashSet<>();
        final List<long[]> applied = new ArrayList<>();
        final long[] balance = new long[3];

        for (int step = 0; step < 400; step++)
        {
            final long id = 1 + random.nextInt(entities);
            final long player = PLAYER_A + random.nextInt(2);
            final int action = random.nextInt(10);
            if (action < 3)
            {
                write(node(id, WORLD, random.nextInt(100), 0, 0));
                if (!stowedOwner.containsKey(id))
                {
                    inGraph.add(id);
                }
            }
            else if (action == 3)
            {
                final WorldBatch batch = new WorldBatch(1);
                batch.addNodeRemoval(id);
                adapter.write(batch);
                inGraph.remove(id);
            }
            else if (action < 6)
            {
                final StowOperation stow = stowOp(id, player, 0);
                final boolean carriesState = random.nextBoolean();
                if (!carriesState)
                {
                    stow.node.reset();
                }
                adapter.stow(stow);
                final int expected = stowedOwner.containsKey(id) ? CONFLICT :
                    !inGraph.contains(id) && !carriesState ? NOT_FOUND : OK;
                assertEquals(expected, stow.status, "step " + step + " stow " + id);
                if (OK == expected)
                {
                    inGraph.remove(id);
                    stowedOwner.put(id, player);
                }
                applied.add(new long[]{ stow.operationId, stow.status, id, player, 0 });
            }
            else if (action < 8)
            {
                final StowOperation unstow = unstowOp(id, player, WORLD, random.nextInt(100), 0, 0);
                adapter.unstow(unstow);
                final Long owner = stowedOwner.get(id);
                final int expected = null == owner ? NOT_FOUND : owner != player ? NOT_OWNER : OK;
                assertEquals(expected, unstow.status, "step " + step + " unstow " + id);
                if (OK == expected)
                {
                    stowedOwner.remove(id);
                    inGraph.add(id);
                }
                applied.add(new long[]{ unstow.operationId, unstow.status, id, player, 1 });
            }
            else if (action == 8 && !applied.isEmpty())
            {
                final long[] earlier = applied.get(random.nextInt(applied.size()));
                final StowOperation replay = new StowOperation().reset();
                replay.operationId = earlier[0];
                replay.entityId = earlier[2];
                replay.ownerPlayerId = earlier[3];
                if (0 == earlier[4])
                {
                    adapter.stow(replay);
                }
                else
                {
                    adapter.unstow(replay);
                }
                assertEquals(OperationOutcomes.replayStatus((int)earlier[1]), replay.status);
                assertEquals(earlier[1], replay.firstStatus);
            }
            else
            {
                final int p = (int)(player - PLAYER_A);
                final long delta = random.nextInt(200) - 120;
                final WalletOperation change = walletOp(player, delta);
                adapter.changeWallet(change);
                if (balance[p] + delta >= 0)
                {
                    balance[p] += delta;
                    assertEquals(OK, change.status);
                }
                else
                {
                    assertEquals(INSUFFICIENT_FUNDS, change.status);
                }
                assertEquals(balance[p], change.value);
            }

            assertOnePlace(id, stowedOwner, inGraph);
            if (step % 50 == 49)
            {
                assertOnePlaceForAll(entities, stowedOwner, inGraph);
            }
        }

        assertOnePlaceForAll(entities, stowedOwner, inGraph);
        if (supportsReopen())
        {
            reopen();
            assertOnePlaceForAll(entities, stowedOwner, inGraph);
            assertEquals(balance[0], adapter.walletBalance(PLAYER_A));
            assertEquals(balance[1], adapter.walletBalance(PLAYER_B));
        }
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Helpers
    // ----------------------------------------------------------------------------------------------------------------

    protected static NodeRecord node(final long id, final long parent, final long x, final long y, final long z)
    {
        final NodeRecord node = new NodeRecord();
        node.entityId = id;
        node.archetypeId = (int)(id % 97) + 1;
        node.parentZoneId = parent;
        node.ownerPlayerId = id * 3;
        node.x = x;
        node.y = y;
        node.z = z;
        node.qx = 0.1f;
        node.qy = -0.2f;
        node.qz = 0.3f;
        node.qw = 0.9f;
        node.radius = 1.5f + (id % 10);
        node.componentStateLength = (int)(id % 13) + 3;
        for (int i = 0; i < node.componentStateLength; i++)
        {
            node.componentState[i] = (byte)(id + i);
        }
        return node;
    }

    protected static NodeRecord zone(final long id, final long parent)
    {
        return zone(id, parent, 0, 0, 0);
    }

    protected static NodeRecord zone(final long id, final long parent, final long x, final long y, final long z)
    {
        final NodeRecord zone = node(id, parent, x, y, z);
        zone.isZone = true;
        zone.radius = 10_000;
        return zone;
    }

    protected void write(final NodeRecord... nodes)
    {
        final WorldBatch batch = new WorldBatch(nodes.length);
        for (final NodeRecord node : nodes)
        {
            batch.addNodeUpsert().copyFrom(node);
        }
        adapter.write(batch);
    }

    protected StowOperation stowOp(final long id, final long owner, final long container)
    {
        return stowOp(id, owner, container, node(id, WORLD, 0, 0, 0));
    }

    protected StowOperation stowOp(final long id, final long owner, final long container, final NodeRecord state)
    {
        final StowOperation op = new StowOperation().reset();
        op.operationId = nextOperationId++;
        op.entityId = id;
        op.ownerPlayerId = owner;
        op.containerId = container;
        op.node.copyFrom(state);
        return op;
    }

    protected StowOperation unstowOp(
        final long id, final long owner, final long zone, final long x, final long y, final long z)
    {
        final StowOperation op = new StowOperation().reset();
        op.operationId = nextOperationId++;
        op.entityId = id;
        op.ownerPlayerId = owner;
        op.node.entityId = id;
        op.node.parentZoneId = zone;
        op.node.x = x;
        op.node.y = y;
        op.node.z = z;
        return op;
    }

    protected WalletOperation walletOp(final long player, final long delta)
    {
        final WalletOperation op = new WalletOperation().reset();
        op.operationId = nextOperationId++;
        op.playerId = player;
        op.delta = delta;
        return op;
    }

    protected static PersistenceAdapter.NodeHandler collector(final List<NodeRecord> into)
    {
        return (node) -> into.add(new NodeRecord().copyFrom(node));
    }

    protected List<NodeRecord> loadSubtree(final long rootId)
    {
        final List<NodeRecord> nodes = new ArrayList<>();
        assertEquals(adapter.loadZoneSubtree(rootId, collector(nodes)), nodes.size());
        return nodes;
    }

    protected List<NodeRecord> loadRegion(
        final long zoneId, final long minX, final long minY, final long minZ, final long maxX, final long maxY,
        final long maxZ)
    {
        final List<NodeRecord> nodes = new ArrayList<>();
        assertEquals(adapter.loadRegion(zoneId, minX, minY, minZ, maxX, maxY, maxZ, collector(nodes)), nodes.size());
        return nodes;
    }

    protected NodeRecord find(final long id)
    {
        final List<NodeRecord> all = new ArrayList<>();
        adapter.loadAll(collector(all));
        return byId(all).get(id);
    }

    protected NodeRecord stowedItem(final long owner, final long itemId)
    {
        final NodeRecord[] found = new NodeRecord[1];
        adapter.loadStowedItems(owner, (id, itemOwner, container, item) ->
        {
            if (id == itemId)
            {
                found[0] = new NodeRecord().copyFrom(item);
            }
        });
        assertNotNull(found[0], "item " + itemId + " of " + owner);
        return found[0];
    }

    protected long owner(final long itemId)
    {
        for (final long player : new long[]{ PLAYER_A, PLAYER_B })
        {
            final boolean[] found = new boolean[1];
            adapter.loadStowedItems(player, (id, itemOwner, container, item) -> found[0] |= id == itemId);
            if (found[0])
            {
                return player;
            }
        }
        return 0;
    }

    protected Set<String> edges(final long id)
    {
        final Set<String> edges = new TreeSet<>();
        final int count = adapter.loadEdges(id, (from, to, kind) -> edges.add(from + ">" + to + ":" + kind));
        assertEquals(count, edges.size(), "duplicate edges of " + id + ": " + edges);
        return edges;
    }

    protected static List<Long> ids(final List<NodeRecord> nodes)
    {
        final List<Long> ids = new ArrayList<>();
        for (final NodeRecord node : nodes)
        {
            ids.add(node.entityId);
        }
        return ids;
    }

    protected static List<Long> sorted(final List<Long> ids)
    {
        final List<Long> sorted = new ArrayList<>(ids);
        sorted.sort(Long::compare);
        return sorted;
    }

    protected static Map<Long, NodeRecord> byId(final List<NodeRecord> nodes)
    {
        final Map<Long, NodeRecord> byId = new HashMap<>();
        for (final NodeRecord node : nodes)
        {
            assertNull(byId.put(node.entityId, node), "node " + node.entityId + " loaded twice");
        }
        return byId;
    }

    protected static void assertContent(final NodeRecord expected, final NodeRecord actual)
    {
        assertNotNull(actual, "missing node " + expected.entityId);
        assertTrue(expected.contentEquals(actual), "expected " + expected + " but was " + actual);
    }

    /**
     * Every loaded node's parent is either outside the load or loaded before it.
     */
    protected static void assertParentsFirst(final List<NodeRecord> nodes, final long rootId)
    {
        final Set<Long> all = new HashSet<>(ids(nodes));
        final Set<Long> seen = new HashSet<>();
        for (final NodeRecord node : nodes)
        {
            if (node.entityId != rootId && all.contains(node.parentZoneId))
            {
                assertTrue(seen.contains(node.parentZoneId), "node " + node.entityId + " came before its parent");
            }
            seen.add(node.entityId);
        }
    }

    private void assertStowAndUnstowRoundTrip(final NodeRecord full)
    {
        final StowOperation stow = stowOp(full.entityId, PLAYER_A, 0, full);
        adapter.stow(stow);
        assertEquals(OK, stow.status);
        assertContent(full, stowedItem(PLAYER_A, full.entityId));

        final StowOperation unstow = unstowOp(full.entityId, PLAYER_A, WORLD, 0, 0, 0);
        adapter.unstow(unstow);
        assertEquals(OK, unstow.status);
        final NodeRecord back = find(full.entityId);
        assertNotNull(back);
        assertEquals(full.componentStateLength, back.componentStateLength);
        for (int i = 0; i < full.componentStateLength; i++)
        {
            assertEquals(full.componentState[i], back.componentState[i]);
        }
    }

    private void assertOnePlace(final long id, final Map<Long, Long> stowedOwner, final Set<Long> inGraph)
    {
        final boolean stowed = adapter.isStowed(id);
        final boolean node = adapter.loadZoneSubtree(id, (n) -> { }) > 0;
        assertFalse(stowed && node, "entity " + id + " is in both stores");
        assertEquals(stowedOwner.containsKey(id), stowed, "entity " + id + " stowed");
        assertEquals(inGraph.contains(id), node, "entity " + id + " in graph");
    }

    private void assertOnePlaceForAll(final int entities, final Map<Long, Long> stowedOwner, final Set<Long> inGraph)
    {
        final List<NodeRecord> all = new ArrayList<>();
        adapter.loadAll(collector(all));
        final Set<Long> graphIds = new HashSet<>(ids(all));
        assertEquals(inGraph, graphIds);
        assertEquals(inGraph.size(), adapter.nodeCount());

        final Set<Long> stowedIds = new HashSet<>();
        for (final long player : new long[]{ PLAYER_A, PLAYER_B })
        {
            adapter.loadStowedItems(player, (id, owner, container, item) ->
            {
                assertEquals(player, owner);
                assertEquals(stowedOwner.get(id), owner);
                stowedIds.add(id);
            });
        }
        assertEquals(stowedOwner.keySet(), stowedIds);

        for (long id = 1; id <= entities; id++)
        {
            assertFalse(graphIds.contains(id) && stowedIds.contains(id), "entity " + id + " is in both stores");
            assertEquals(stowedIds.contains(id), adapter.isStowed(id));
        }
    }
}
