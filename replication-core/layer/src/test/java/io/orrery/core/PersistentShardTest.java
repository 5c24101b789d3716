/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core;

import io.orrery.core.client.ClientListener;
import io.orrery.core.client.ClientSession;
import io.orrery.core.common.EntityIds;
import io.orrery.core.persistence.NodeRecord;
import io.orrery.core.persistence.TestPersistenceAdapter;
import io.orrery.core.replicant.EntityStore;
import io.orrery.core.replicant.ScribeInventoryBackend;
import io.orrery.core.status.OrreryCounter;
import io.orrery.wire.codec.DespawnReason;
import io.orrery.wire.codec.OperationStatus;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static io.orrery.core.TestShard.MM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A persistent shard in INVOKER mode (Scribe's consumer on its own thread) over the fault-injecting test adapter:
 * write-behind, removals, the starter grant, stow and unstow through a real client session.
 */
@Tag("system")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PersistentShardTest
{
    static final long FLUSH_NS = TimeUnit.MILLISECONDS.toNanos(100);

    @Test
    void shouldWriteChangedEntitiesBehindAndRemoveOnlyDestroyedOnes()
    {
        final TestPersistenceAdapter adapter = new TestPersistenceAdapter();
        try (TestShard shard = new TestShard((ctx) -> ctx.persistenceAdapter(adapter).persistenceFlushIntervalNs(
            FLUSH_NS)))
        {
            final ClientSession player = shard.connect(3, 0);
            final long a = EntityIds.SCRIPTED_BASE + 1;
            final long b = EntityIds.SCRIPTED_BASE + 2;
            final long c = EntityIds.SCRIPTED_BASE + 3;
            shard.createEntity(a, 10, 1f);
            shard.createEntity(b, 20, 1f);
            shard.createEntity(c, 30, 1f);
            awaitNodeX(shard, adapter, a, 10 * MM);
            assertNotNull(adapter.node(b));
            assertNotNull(adapter.node(c));

            shard.store().position(shard.store().slotOf(a), 15 * MM, 0, 0);
            awaitNodeX(shard, adapter, a, 15 * MM);

            shard.store().remove(b);
            shard.store().remove(c, DespawnReason.stowed.value());
            shard.store().position(shard.store().slotOf(a), 16 * MM, 0, 0);
            awaitNodeX(shard, adapter, a, 16 * MM); // offered after both removals: ring order makes this a barrier
            assertNull(adapter.node(b), "destroyed: removed from the graph");
            assertNotNull(adapter.node(c), "stowed: left to the stow transaction");
            assertNull(adapter.node(player.playerEntityId()), "players are not nodes");
            assertTrue(shard.counter(OrreryCounter.PERSIST_REMOVALS_OFFERED) >= 1);
        }
    }

    @Test
    void shouldGrantStarterItemThenUnstowAndStowItThroughScribe()
    {
        final TestPersistenceAdapter adapter = new TestPersistenceAdapter();
        try (TestShard shard = new TestShard((ctx) -> ctx.persistenceAdapter(adapter).persistenceFlushIntervalNs(
            FLUSH_NS)))
        {
            final long playerId = 5;
            final long item = EntityIds.starterItemId(playerId);
            final Results results = new Results();
            shard.authority.spawnPlayerAt(playerId, 0);
            final ClientSession session = shard.link.connect(shard.token(playerId), results);
            shard.await(session::isConnected, "handshake");
            shard.await(() -> adapter.isStowed(item), "starter grant");

            session.unstow(1, item, 0, 2 * MM, 0, 0);
            shard.await(() -> results.count == 1, "unstow result");
            assertEquals(OperationStatus.ok.value(), results.status);
            assertFalse(results.stowed);
            final int slot = shard.store().slotOf(item);
            assertTrue(slot >= 0, "unstowed item is cached");
            assertEquals(ScribeInventoryBackend.ARCHETYPE_STARTER_CRATE, shard.store().archetypeId(slot));
            assertEquals(playerId, shard.store().ownerPlayerId(slot));
            assertEquals(2 * MM, shard.store().positionX(slot));
            final NodeRecord node = adapter.node(item);
            assertNotNull(node, "unstowed item is a node");
            assertFalse(adapter.isStowed(item));

            session.stow(2, item, 0);
            shard.await(() -> results.count == 2, "stow result");
            assertEquals(OperationStatus.ok.value(), results.status);
            assertTrue(results.stowed);
            assertEquals(EntityStore.NULL_SLOT, shard.store().slotOf(item));
            assertEquals(DespawnReason.stowed.value(), shard.store().removalReason(slot));
            assertTrue(adapter.isStowed(item));
            assertNull(adapter.node(item));

            // a resend of both completed operations (their results lost, say) gets the first outcomes as duplicates
            session.stow(2, item, 0);
            shard.await(() -> results.count == 3, "stow resend result");
            assertEquals(OperationStatus.duplicate.value(), results.status);
            assertTrue(results.stowed);
            session.unstow(1, item, 0, 2 * MM, 0, 0);
            shard.await(() -> results.count == 4, "unstow resend result");
            assertEquals(OperationStatus.duplicate.value(), results.status);
            assertFalse(results.stowed, "the unstow's outcome: it had put the item in the world");
            assertTrue(adapter.isStowed(item), "the resends changed nothing");
            assertEquals(EntityStore.NULL_SLOT, shard.store().slotOf(item));

            // operation 2 was a stow: an unstow under the same id is not a replay
            session.unstow(2, item, 0, 2 * MM, 0, 0);
            shard.await(() -> results.count == 5, "unstow under the stow's id");
            assertEquals(OperationStatus.operationConflict.value(), results.status);
            assertTrue(adapter.isStowed(item), "the conflicting request changed nothing");

            session.disconnect();
            shard.await(() -> shard.counter(OrreryCounter.SESSIONS_ACTIVE) == 0, "leave");
            final long stowsBefore = stowCalls(adapter);
            final Results again = new Results();
            final ClientSession back = shard.link.connect(shard.token(playerId), again);
            shard.await(back::isConnected, "second handshake");
            shard.await(() -> shard.counter(OrreryCounter.STARTER_GRANTS) == 2, "second grant: duplicate");
            assertEquals(stowsBefore, stowCalls(adapter),
                "a grant this layer saw durable is not replayed in the store: " + adapter.calls());
            assertTrue(adapter.isStowed(item), "the replayed grant changed nothing");
            assertEquals(EntityStore.NULL_SLOT, shard.store().slotOf(item));
        }
    }

    @Test
    void shouldGrantStarterItemWhenAnotherPlayerTriedToPreemptItsOperationId()
    {
        final TestPersistenceAdapter adapter = new TestPersistenceAdapter();
        try (TestShard shard = new TestShard((ctx) -> ctx.persistenceAdapter(adapter).persistenceFlushIntervalNs(
            FLUSH_NS)))
        {
            final long victim = 5;
            final long attacker = 6;
            final long attackerItem = EntityIds.starterItemId(attacker);
            final Results results = new Results();
            shard.authority.spawnPlayerAt(attacker, 0);
            final ClientSession session = shard.link.connect(shard.token(attacker), results);
            shard.await(session::isConnected, "handshake");
            shard.await(() -> adapter.isStowed(attackerItem), "attacker's own starter grant");
            session.unstow(1, attackerItem, 0, 2 * MM, 0, 0);
            shard.await(() -> results.count == 1, "unstow result");
            assertEquals(OperationStatus.ok.value(), results.status);

            // the grant's operation id itself is refused from clients, and nothing is stored
            session.stow(EntityIds.STARTER_GRANT_OPERATION_ID, attackerItem, 0);
            shard.await(() -> results.count == 2, "stow result for the reserved id");
            assertEquals(OperationStatus.operationIdReserved.value(), results.status);
            assertFalse(adapter.isStowed(attackerItem));

            // the id that collided with the victim's grant when store ids mixed player and client ids
            final long collidingId = (victim - attacker) * 0x9E3779B97F4A7C15L;
            session.stow(collidingId, attackerItem, 0);
            shard.await(() -> results.count == 3, "stow result for the colliding id");
            assertEquals(OperationStatus.ok.value(), results.status, "the attacker's own operation, nothing more");

            final Results victimResults = new Results();
            shard.authority.spawnPlayerAt(victim, 0);
            final ClientSession victimSession = shard.link.connect(shard.token(victim), victimResults);
            shard.await(victimSession::isConnected, "victim's handshake");
            shard.await(() -> shard.counter(OrreryCounter.STARTER_GRANTS) == 2, "victim's grant durable");
            assertTrue(adapter.isStowed(EntityIds.starterItemId(victim)), "the victim got its starter item");
            assertTrue(adapter.isStowed(attackerItem));
        }
    }

    private static long stowCalls(final TestPersistenceAdapter adapter)
    {
        return adapter.calls().stream().filter((call) -> call.startsWith("stow ")).count();
    }

    static void awaitNodeX(final TestShard shard, final TestPersistenceAdapter adapter, final long id, final long x)
    {
        ticksUntil(shard, () ->
        {
            final NodeRecord node = adapter.node(id);
            return null != node && node.x == x;
        }, "node " + id + " at x=" + x);
    }

    /**
     * Tick (the layer's clock) until the condition holds or a wall-clock deadline passes: Scribe's consumer runs on
     * its own thread with the system clock.
     */
    static void ticksUntil(final TestShard shard, final java.util.function.BooleanSupplier condition, final String what)
    {
        final long deadlineNs = System.nanoTime() + TestShard.DEADLINE_NS;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                org.junit.jupiter.api.Assertions.fail("timed out waiting for " + what);
            }
            shard.tick();
        }
    }

    static final class Results implements ClientListener
    {
        int count;
        long operationId;
        int status = -1;
        boolean stowed;

        @Override
        public void onStowResult(
            final ClientSession session, final long operationId, final long itemEntityId, final boolean stowed,
            final int status)
        {
            count++;
            this.operationId = operationId;
            this.status = status;
            this.stowed = stowed;
        }
    }
}
