/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core;

import io.orrery.core.client.ClientSession;
import io.orrery.core.common.EntityIds;
import io.orrery.core.persistence.TestPersistenceAdapter;
import io.orrery.core.replicant.EntityStore;
import io.orrery.wire.codec.OperationStatus;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static io.orrery.core.TestShard.MM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A layer restarted on the same store answers a client's resend of an operation the store applied before the
 * restart (its result lost with the first layer) with the recorded outcome, although its cache would refuse it: the
 * stowed item is not in the cache, the player's restored position is far from where the unstow put the item. The
 * recent results that answer resends to the same layer are gone with it; the store's record of (player, operation id)
 * answers instead, asked through Scribe. A request whose key the store has not recorded still gets the cache's
 * refusal, and a key recorded for another operation is a conflict.
 * <p>
 * Persistent shards in INVOKER mode over the fault-injecting in-memory test adapter, two layers one after the other
 * on one adapter, real client sessions through a real media driver. The same over RocksDB and a real layer process
 * rig: {@code InventoryResendAfterRestartTest} in {@code servers/processes}.
 */
@Tag("system")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class InventoryResendAfterRestartLayerTest
{
    private static final long PLAYER = 5;
    private static final long ITEM = EntityIds.starterItemId(PLAYER);
    private static final long FAR_M = 500;

    @Test
    void shouldAnswerDuplicateWhenStowIsResentToRestartedLayerAfterItWasDurable()
    {
        final TestPersistenceAdapter adapter = new TestPersistenceAdapter();
        unstowThenStow(adapter);

        try (TestShard shard = shard(adapter))
        {
            final PersistentShardTest.Results results = new PersistentShardTest.Results();
            final ClientSession session = join(shard, adapter, 0, results);
            assertEquals(EntityStore.NULL_SLOT, shard.store().slotOf(ITEM), "stowed: not in the restored cache");

            session.stow(2, ITEM, 0);
            shard.await(() -> results.count == 1, "resent stow answered");
            assertEquals(OperationStatus.duplicate.value(), results.status, "the recorded outcome, not notFound");
            assertTrue(results.stowed);
            assertEquals(1, shard.layer.replicant().inventory().storeLookups());
            assertTrue(adapter.isStowed(ITEM), "the look-up changed nothing");

            // once looked up, the outcome is among the recent results: a further resend does not ask the store
            session.stow(2, ITEM, 0);
            shard.await(() -> results.count == 2, "second resend answered");
            assertEquals(OperationStatus.duplicate.value(), results.status);
            assertTrue(results.stowed);
            assertEquals(1, shard.layer.replicant().inventory().storeLookups());
        }
    }

    @Test
    void shouldAnswerDuplicateWhenUnstowIsResentToRestartedLayerWithThePlayerOutOfReach()
    {
        final TestPersistenceAdapter adapter = new TestPersistenceAdapter();
        try (TestShard shard = shard(adapter))
        {
            final PersistentShardTest.Results results = new PersistentShardTest.Results();
            join(shard, adapter, 0, results).unstow(1, ITEM, 0, 2 * MM, 0, 0);
            shard.await(() -> results.count == 1, "unstow result");
            assertEquals(OperationStatus.ok.value(), results.status);
        }
        assertFalse(adapter.isStowed(ITEM));

        try (TestShard shard = shard(adapter))
        {
            final PersistentShardTest.Results results = new PersistentShardTest.Results();
            // the restored player is far from where the unstow put the item (its position was rolled back)
            final ClientSession session = join(shard, adapter, FAR_M, results);
            session.unstow(1, ITEM, 0, 2 * MM, 0, 0);
            shard.await(() -> results.count == 1, "resent unstow answered");
            assertEquals(OperationStatus.duplicate.value(), results.status, "the recorded outcome, not rejected");
            assertFalse(results.stowed, "the unstow put the item in the world");
            assertEquals(1, shard.layer.replicant().inventory().storeLookups());
            assertFalse(adapter.isStowed(ITEM), "the look-up changed nothing");
        }
    }

    @Test
    void shouldRefuseAsTheCacheWouldWhenTheStoreHasNoRecordOfTheOperation()
    {
        final TestPersistenceAdapter adapter = new TestPersistenceAdapter();
        unstowThenStow(adapter);

        try (TestShard shard = shard(adapter))
        {
            final PersistentShardTest.Results results = new PersistentShardTest.Results();
            final ClientSession session = join(shard, adapter, FAR_M, results);

            // never run: a stow of an item not in the cache is notFound, an unstow out of reach is rejected
            session.stow(7, EntityIds.SCRIPTED_BASE + 77, 0);
            shard.await(() -> results.count == 1, "stow of an unknown item");
            assertEquals(OperationStatus.notFound.value(), results.status);
            assertFalse(results.stowed);
            session.unstow(8, ITEM, 0, 2 * MM, 0, 0);
            shard.await(() -> results.count == 2, "unstow out of reach");
            assertEquals(OperationStatus.rejected.value(), results.status);
            assertTrue(results.stowed);
            assertTrue(adapter.isStowed(ITEM), "refused: nothing changed");

            // operation 1 was an unstow: a stow under its id (the item not in the cache) is not a replay
            session.stow(1, ITEM, 0);
            shard.await(() -> results.count == 3, "stow under the unstow's id");
            assertEquals(OperationStatus.operationConflict.value(), results.status);
            assertEquals(1, shard.layer.replicant().inventory().operationConflicts());
            assertEquals(3, shard.layer.replicant().inventory().storeLookups());
            assertTrue(adapter.isStowed(ITEM));
        }
    }

    /**
     * First layer: the starter item is granted stowed, unstowed (operation 1) next to the player, stowed again
     * (operation 2); then the layer is closed.
     */
    private static void unstowThenStow(final TestPersistenceAdapter adapter)
    {
        try (TestShard shard = shard(adapter))
        {
            final PersistentShardTest.Results results = new PersistentShardTest.Results();
            final ClientSession session = join(shard, adapter, 0, results);
            session.unstow(1, ITEM, 0, 2 * MM, 0, 0);
            shard.await(() -> results.count == 1, "unstow result");
            assertEquals(OperationStatus.ok.value(), results.status);
            session.stow(2, ITEM, 0);
            shard.await(() -> results.count == 2, "stow result");
            assertEquals(OperationStatus.ok.value(), results.status);
        }
        assertTrue(adapter.isStowed(ITEM));
    }

    private static TestShard shard(final TestPersistenceAdapter adapter)
    {
        return new TestShard((ctx) -> ctx.persistenceAdapter(adapter).persistenceFlushIntervalNs(
            PersistentShardTest.FLUSH_NS));
    }

    private static ClientSession join(
        final TestShard shard,
        final TestPersistenceAdapter adapter,
        final long spawnXm,
        final PersistentShardTest.Results results)
    {
        final long grantsBefore = shard.counter(io.orrery.core.status.OrreryCounter.STARTER_GRANTS);
        shard.authority.spawnPlayerAt(PLAYER, spawnXm * MM);
        final ClientSession session = shard.link.connect(shard.token(PLAYER), results);
        shard.await(session::isConnected, "handshake");
        shard.await(() -> shard.counter(io.orrery.core.status.OrreryCounter.STARTER_GRANTS) > grantsBefore,
            "starter grant durable");
        return session;
    }
}
