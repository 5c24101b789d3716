/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers;

import io.orrery.core.common.EntityIds;
import io.orrery.core.persistence.NodeRecord;
import io.orrery.core.persistence.PersistenceAdapter;
import io.orrery.core.persistence.Scribe;
import io.orrery.core.persistence.ScribeCounter;
import io.orrery.core.persistence.WorldBatch;
import io.orrery.core.replicant.EntityStore;
import io.orrery.core.status.OrreryCounter;
import io.orrery.persistence.rocksdb.RocksDbPersistenceAdapter;
import org.HdrHistogram.Histogram;
import org.agrona.collections.Long2ObjectHashMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A persistent Replication Layer over a real RocksDB store in a temporary directory: stow/unstow end to end through
 * client sessions (every result durable, checked by reopening the store), recovery of the world after a restart, and
 * a store outage while clients play.
 */
@Tag("system")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PersistentLayerTest
{
    private static final int PLAYERS = 16;

    @Test
    void shouldStowAndUnstowStarterItemsDurablyWhenPlayersPlay(@TempDir final Path dir)
    {
        final Histogram latencyNs = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        final List<InventoryPlayer> players = new ArrayList<>();
        try (RocksDbPersistenceAdapter adapter = RocksDbPersistenceAdapter.open(dir.resolve("store")))
        {
            try (PersistentLayerRig rig = new PersistentLayerRig(adapter, 100, (ctx) -> {}))
            {
                for (int p = 1; p <= PLAYERS; p++)
                {
                    final InventoryPlayer player = new InventoryPlayer(p, latencyNs);
                    player.session = rig.connect(p, player);
                    players.add(player);
                }
                final int opsPerPlayer = 20;
                rig.await(() ->
                {
                    boolean done = true;
                    for (final InventoryPlayer player : players)
                    {
                        if (player.completed < opsPerPlayer)
                        {
                            player.act();
                            done = false;
                        }
                    }
                    return done && noneePending(players);
                }, "every player's stows and unstows");
                System.out.printf("stow/unstow through the layer (RocksDB, %d players, %d results): p50 %.0f us, " +
                    "p99 %.0f us, max %.0f us%n", PLAYERS, latencyNs.getTotalCount(),
                    latencyNs.getValueAtPercentile(50) / 1e3, latencyNs.getValueAtPercentile(99) / 1e3,
                    latencyNs.getMaxValue() / 1e3);
                assertEquals(PLAYERS, rig.layer.counter(OrreryCounter.STARTER_GRANTS));
            }

            for (final InventoryPlayer player : players)
            {
                assertEquals(0, player.mismatches, "mismatches of player " + player.playerId);
                assertEquals(0, player.refused + player.unavailable, "refusals of player " + player.playerId);
            }
        }

        assertItemsWhereExpected(dir, players);
    }

    @Test
    void shouldRestoreTheWorldWithItsLastPersistedStateWhenRestarted(@TempDir final Path dir)
    {
        final Long2ObjectHashMap<NodeRecord> before = new Long2ObjectHashMap<>();
        try (RocksDbPersistenceAdapter adapter = RocksDbPersistenceAdapter.open(dir.resolve("store")))
        {
            try (PersistentLayerRig rig = new PersistentLayerRig(adapter, 300, (ctx) -> {}))
            {
                final InventoryPlayer player = new InventoryPlayer(7, new Histogram(3));
                player.session = rig.connect(7, player);
                rig.await(() -> player.act() || player.pending, "unstow sent");
                rig.await(() -> !player.pending, "starter item unstowed");
                rig.runFor(TimeUnit.MILLISECONDS.toNanos(700));
                snapshot(rig.layer.replicant().store(), before);
            }
            assertTrue(before.size() > 300, "entities before: " + before.size());
            assertTrue(before.containsKey(EntityIds.starterItemId(7)), "the unstowed item is part of the world");
        }

        try (RocksDbPersistenceAdapter adapter = RocksDbPersistenceAdapter.open(dir.resolve("store")))
        {
            final long startNs = System.nanoTime();
            try (PersistentLayerRig rig = new PersistentLayerRig(adapter, 300, (ctx) -> {}))
            {
                final long launchNs = System.nanoTime() - startNs;
                final EntityStore store = rig.layer.replicant().store();
                System.out.printf("recovery: %d entities restored, layer launch including restore %.1f ms%n",
                    rig.layer.counter(OrreryCounter.ENTITIES_RESTORED), launchNs / 1e6);
                assertEquals(before.size(), rig.layer.counter(OrreryCounter.ENTITIES_RESTORED));
                assertEquals(before.size(), store.size());
                final NodeRecord after = new NodeRecord();
                assertTrue(rig.layer.replicant().worldPersistence().isCaughtUp(),
                    "restored entities are not written back");
                before.forEach((id, node) ->
                {
                    final int slot = store.slotOf(id);
                    assertTrue(slot >= 0, "restored " + id);
                    rig.layer.replicant().worldPersistence().fillNode(slot, after.reset());
                    assertTrue(node.contentEquals(after), node + " restored as " + after);
                });
                rig.runFor(TimeUnit.MILLISECONDS.toNanos(200));
                assertEquals(before.size(), store.size(), "the scripted authority did not duplicate anything");
                assertEquals(0, rig.layer.counter(OrreryCounter.ERRORS));
            }
        }
    }

    @Test
    void shouldRestoreTwentyThousandEntitiesBeforeServing(@TempDir final Path dir)
    {
        final int entities = 20_000;
        try (RocksDbPersistenceAdapter adapter = RocksDbPersistenceAdapter.open(dir.resolve("store")))
        {
            final WorldBatch batch = new WorldBatch(1024);
            for (int i = 0; i < entities; i++)
            {
                final NodeRecord node = batch.addNodeUpsert();
                node.reset();
                node.entityId = EntityIds.SCRIPTED_BASE + 100_000 + i;
                node.archetypeId = 2;
                node.x = (i % 200) * 10_000L;
                node.y = (i / 200) * 10_000L;
                node.radius = 0.5f;
                node.componentStateLength = 32;
                if (batch.nodeUpsertCount() == batch.capacity())
                {
                    adapter.write(batch);
                    batch.clear();
                }
            }
            adapter.write(batch);
        }

        try (RocksDbPersistenceAdapter adapter = RocksDbPersistenceAdapter.open(dir.resolve("store")))
        {
            final long startNs = System.nanoTime();
            try (PersistentLayerRig rig = new PersistentLayerRig(adapter, 0, (ctx) -> ctx.maxEntities(32 * 1024)))
            {
                final long launchNs = System.nanoTime() - startNs;
                System.out.printf("recovery: %d entities restored, layer launch including restore %.1f ms%n",
                    rig.layer.counter(OrreryCounter.ENTITIES_RESTORED), launchNs / 1e6);
                assertEquals(entities, rig.layer.counter(OrreryCounter.ENTITIES_RESTORED));
                assertEquals(entities, rig.layer.replicant().store().size());
            }
        }
    }

    @Test
    void shouldKeepServingAndLoseNothingWhenTheStoreIsDownForAWhile(@TempDir final Path dir)
    {
        final Histogram latencyNs = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        final List<InventoryPlayer> players = new ArrayList<>();
        try (OutageAdapter adapter = new OutageAdapter(RocksDbPersistenceAdapter.open(dir.resolve("store"))))
        {
            try (PersistentLayerRig rig = new PersistentLayerRig(adapter, 200, (ctx) -> {}))
            {
                for (int p = 1; p <= 8; p++)
                {
                    final InventoryPlayer player = new InventoryPlayer(p, latencyNs);
                    player.session = rig.connect(p, player);
                    players.add(player);
                }
                rig.await(() -> rig.layer.counter(OrreryCounter.STARTER_GRANTS) == 8, "grants");
                playFor(rig, players, TimeUnit.MILLISECONDS.toNanos(500));

                final long updatesBefore = updates(players);
                final long completedBefore = completed(players);
                adapter.down(true);
                playFor(rig, players, TimeUnit.SECONDS.toNanos(3));
                final long updatesDuring = updates(players) - updatesBefore;
                final long completedDuring = completed(players) - completedBefore;
                final int pendingDuring = pending(players);
                final Scribe scribe = rig.layer.replicant().scribe();
                System.out.printf("outage of 3 s: %d updates streamed to clients, %d inventory results, %d requests " +
                    "waiting, store failures %d, retries %d, ring-full offers %d, world writes deferred %d%n",
                    updatesDuring, completedDuring, pendingDuring, scribe.counter(ScribeCounter.STORE_FAILURES),
                    scribe.counter(ScribeCounter.RETRIES), scribe.counter(ScribeCounter.RING_FULL),
                    rig.layer.counter(OrreryCounter.PERSIST_BACK_PRESSURED));
                assertTrue(updatesDuring > 1000, "clients kept receiving updates: " + updatesDuring);
                assertTrue(pendingDuring > 0, "inventory requests waited for the store");
                assertTrue(scribe.counter(ScribeCounter.STORE_FAILURES) > 0);

                adapter.down(false);
                final long upNs = System.nanoTime();
                rig.await(() ->
                {
                    for (final InventoryPlayer player : players)
                    {
                        player.act();
                    }
                    return 0 == pending(players);
                }, "requests made during the outage complete");
                System.out.printf("store back: waiting requests completed %.0f ms later; requests %d, rate limited %d%n",
                    (System.nanoTime() - upNs) / 1e6, rig.layer.counter(OrreryCounter.INVENTORY_REQUESTS),
                    rig.layer.counter(OrreryCounter.INPUTS_RATE_LIMITED));
                playFor(rig, players, TimeUnit.MILLISECONDS.toNanos(500));
                rig.await(() -> noneePending(players), "last results");
                assertTrue(scribe.counter(ScribeCounter.RETRIES) > 0);
            }
            for (final InventoryPlayer player : players)
            {
                assertEquals(0, player.mismatches, "mismatches of player " + player.playerId);
                assertEquals(0, player.refused, "refusals of player " + player.playerId);
            }
        }
        assertItemsWhereExpected(dir, players);
    }

    private static void playFor(final PersistentLayerRig rig, final List<InventoryPlayer> players, final long ns)
    {
        final long endNs = System.nanoTime() + ns;
        while (System.nanoTime() - endNs < 0)
        {
            for (final InventoryPlayer player : players)
            {
                player.act();
            }
            if (rig.poll() == 0)
            {
                Thread.yield();
            }
        }
    }

    private static long updates(final List<InventoryPlayer> players)
    {
        long sum = 0;
        for (final InventoryPlayer player : players)
        {
            sum += player.session.updatesReceived();
        }
        return sum;
    }

    private static long completed(final List<InventoryPlayer> players)
    {
        long sum = 0;
        for (final InventoryPlayer player : players)
        {
            sum += player.completed;
        }
        return sum;
    }

    private static int pending(final List<InventoryPlayer> players)
    {
        int sum = 0;
        for (final InventoryPlayer player : players)
        {
            sum += player.pending ? 1 : 0;
        }
        return sum;
    }

    private static boolean noneePending(final List<InventoryPlayer> players)
    {
        return 0 == pending(players);
    }

    /**
     * Reopen the store: every player's item is in exactly one store, the one its last durable result named.
     */
    static void assertItemsWhereExpected(final Path dir, final List<InventoryPlayer> players)
    {
        try (PersistenceAdapter reopened = RocksDbPersistenceAdapter.open(dir.resolve("store")))
        {
            final Long2ObjectHashMap<NodeRecord> nodes = new Long2ObjectHashMap<>();
            reopened.loadAll((node) -> nodes.put(node.entityId, new NodeRecord().copyFrom(node)));
            for (final InventoryPlayer player : players)
            {
                final boolean stowed = reopened.isStowed(player.item);
                final boolean inGraph = nodes.containsKey(player.item);
                assertTrue(stowed != inGraph, "item " + player.item + " in exactly one store: stowed " + stowed +
                    ", node " + inGraph);
                assertEquals(player.stowed, stowed, "item " + player.item + " where its last result said");
                if (inGraph)
                {
                    assertNotNull(nodes.get(player.item));
                    assertEquals(player.playerId, nodes.get(player.item).ownerPlayerId);
                }
            }
        }
    }

    private static void snapshot(final EntityStore store, final Long2ObjectHashMap<NodeRecord> into)
    {
        for (int i = 0; i < store.activeCount(); i++)
        {
            final int slot = store.activeSlot(i);
            final long id = store.entityId(slot);
            if (!EntityIds.isPlayer(id))
            {
                final NodeRecord node = new NodeRecord();
                node.entityId = id;
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
                node.componentStateLength = store.getComponentState(slot,
                    new org.agrona.concurrent.UnsafeBuffer(node.componentState), 0);
                into.put(id, node);
            }
        }
    }
}
