/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core;

import io.aeron.Aeron;
import io.orrery.core.client.ClientEntityView;
import io.orrery.core.client.ClientSession;
import io.orrery.core.replicant.EntityStore;
import io.orrery.core.replicant.bridge.RemoteReplicantHost;
import io.orrery.core.replicant.bridge.ReplicantBridge;
import io.orrery.core.status.OrreryCounter;
import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static io.orrery.core.TestShard.MM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two Replicants where Replicant 1 runs "in its own process" (a {@link RemoteReplicantHost} on its own Aeron client,
 * stepped by the test on the layer's thread with the layer's controlled clock) behind the layer's
 * {@link ReplicantBridge}: a real embedded media driver, IPC channels, real clients through the client link.
 */
final class ReplicantBridgeTest
{
    private static final int ENTITIES = 24;
    private static final long FIRST_ENTITY = 1000;
    private static final String CHANNEL = "aeron:ipc";
    private static final int FEED_STREAM = 7451;

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private TestShard shard;
    private Aeron remoteAeron;

    @AfterEach
    void close()
    {
        for (int i = closeables.size() - 1; i >= 0; i--)
        {
            CloseHelper.quietClose(closeables.get(i));
        }
        if (null != shard)
        {
            shard.close();
        }
    }

    private RemoteReplicantHost newHost(final byte[] secret, final List<String> log)
    {
        return newHost(secret, FEED_STREAM, log);
    }

    private RemoteReplicantHost newHost(final byte[] secret, final int feedStream, final List<String> log)
    {
        if (null == remoteAeron)
        {
            remoteAeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(shard.layer.aeronDirectoryName()));
            closeables.add(remoteAeron);
        }
        final RemoteReplicantHost host = new RemoteReplicantHost(shard.layer.context().replicant(), 1, remoteAeron,
            shard.clock, CHANNEL, ReplicantBridge.STREAM_ID_BASE + 1, CHANNEL, feedStream, secret, 64,
            io.orrery.core.status.OrreryCounter.allocate(remoteAeron, "remote-replicant-test"), log::add);
        closeables.add(host::onClose);
        return host;
    }

    private void startShard()
    {
        shard = new TestShard((ctx) ->
        {
            ctx.compactUpdates(true).replicant().replicants(2).replicantBoundariesM(0).ownershipHysteresisM(5);
            ctx.replicantBridge().remoteIds(1).channel(CHANNEL);
        });
    }

    private void move(final EntityStore store, final int t)
    {
        for (int i = 0; i < ENTITIES; i++)
        {
            final int slot = store.slotOf(FIRST_ENTITY + i);
            if (slot < 0)
            {
                continue;
            }
            final double phase = t / 9.0 + i;
            store.position(slot, Math.round(((i - ENTITIES / 2) * 4 + 60 * Math.sin(phase)) * MM), i * 100L, 0);
        }
        for (long player = 1; player <= 2; player++)
        {
            final int slot = store.slotOf(player);
            if (slot >= 0)
            {
                store.position(slot, Math.round((1 == player ? -40 : 40) * Math.cos(t / 15.0) * MM), 0, 0);
            }
        }
    }

    @Test
    void shouldComposeViewsWithAReplicantBehindTheBridge()
    {
        startShard();
        assertEquals(0, shard.layer.secondaries().length, "Replicant 1 is not in the layer's process");
        final ReplicantBridge bridge = shard.layer.bridges()[0];
        final List<String> log = new ArrayList<>();
        final RemoteReplicantHost host = newHost(TestShard.SECRET, log);
        shard.sideAgent(host);

        final ClientSession west = shard.connect(1, -40);
        final ClientSession east = shard.connect(2, 40);
        final EntityStore store = shard.store();
        for (int i = 0; i < ENTITIES; i++)
        {
            shard.createEntity(FIRST_ENTITY + i, (i - ENTITIES / 2) * 8L, 1);
        }
        awaitLinked(host, bridge, log);
        assertTrue(bridge.isLinked());

        for (int t = 0; t < 90; t++)
        {
            move(store, t);
            shard.tick();
        }
        for (int t = 0; t < 5; t++)
        {
            shard.tick();
        }

        System.out.printf("bridge: %d feed messages (%d B) forwarded, %d frames (%d B) relayed, %d stalls, " +
            "%d dropped; %d handoffs, %d handoff spawns; log %s%n", bridge.feedMessagesForwarded(),
            bridge.feedBytesForwarded(), bridge.framesRelayed(), bridge.frameBytesRelayed(), bridge.relayStalls(),
            bridge.relayDropped(), shard.counter(OrreryCounter.REPLICANT_HANDOFFS),
            shard.counter(OrreryCounter.REPLICANT_HANDOFF_SPAWNS), log);
        assertTrue(shard.counter(OrreryCounter.REPLICANT_HANDOFFS) > 0, "handoffs between the Replicants");
        assertTrue(bridge.framesRelayed() > 0, "the remote Replicant's frames reach the clients");
        assertEquals(0, bridge.relayDropped());
        assertEquals(0, bridge.framesForUnknownSessions());
        assertEquals(0, host.secondary().feed().errors());
        assertEquals(0, host.strangerMessages());
        assertEquals(2, bridge.sessionCount());
        assertTrue(host.secondary().engine().spawnsSent() > 0, "the remote Replicant streams what it owns");
        assertStoreEqualsTruth(host.secondary().store(), store);
        assertViewEqualsTruth(west, store);
        assertViewEqualsTruth(east, store);
        ReplicantBridgeCountersTest.assertCountersAsGetters(shard.layer, bridge);
        ReplicantBridgeCountersTest.assertHostCountersAsGetters(host);
    }

    @Test
    void shouldRefuseAnImpostorAndKeepTheProvenReplicant()
    {
        startShard();
        final ReplicantBridge bridge = shard.layer.bridges()[0];
        final List<String> log = new ArrayList<>();
        final RemoteReplicantHost host = newHost(TestShard.SECRET, log);
        final RemoteReplicantHost impostor = newHost(
            "not-the-link-secret-0123456789".getBytes(StandardCharsets.US_ASCII), FEED_STREAM + 1, log);
        final ClientSession west = shard.connect(1, -40);
        final EntityStore store = shard.store();
        for (int i = 0; i < ENTITIES; i++)
        {
            shard.createEntity(FIRST_ENTITY + i, (i - ENTITIES / 2) * 8L, 1);
        }
        shard.sideAgent(host);
        awaitLinked(host, bridge, log);

        shard.sideAgent(new Both(host, impostor));
        for (int t = 0; t < 90; t++)
        {
            move(store, t);
            shard.tick();
        }
        for (int t = 0; t < 5; t++)
        {
            shard.tick();
        }
        // the impostor's hello, challenge and proof cross Aeron (new publications, new images): on a loaded box that
        // can take longer than 95 passes; wait on the wall clock
        final long deadlineNs = System.nanoTime() + 20_000_000_000L;
        while (0 == bridge.handshakesRefused() && System.nanoTime() - deadlineNs < 0)
        {
            shard.tick();
        }
        System.out.printf("impostor: refused %d, its feed messages %d, dropped %d; log %s%n",
            bridge.handshakesRefused(), impostor.feedMessages(), impostor.feedMessagesDropped(), log);
        assertTrue(bridge.handshakesRefused() > 0, "the impostor's proof refused");
        assertFalse(impostor.isLinked());
        assertEquals(0, impostor.feedMessages() + impostor.feedMessagesDropped(), "nothing of the feed");
        assertEquals(0, impostor.secondary().store().size());
        assertEquals(1, bridge.handshakesProven());
        assertTrue(host.isLinked(), "the proven Replicant keeps its link");
        assertStoreEqualsTruth(host.secondary().store(), store);
        assertViewEqualsTruth(west, store);
        ReplicantBridgeCountersTest.assertCountersAsGetters(shard.layer, bridge);
    }

    @Test
    void shouldResyncARestartedReplicantAndKeepTheSessions()
    {
        startShard();
        final ReplicantBridge bridge = shard.layer.bridges()[0];
        final List<String> log = new ArrayList<>();
        final RemoteReplicantHost first = newHost(TestShard.SECRET, log);
        shard.sideAgent(first);
        final ClientSession west = shard.connect(1, -40);
        final ClientSession east = shard.connect(2, 40);
        final EntityStore store = shard.store();
        for (int i = 0; i < ENTITIES; i++)
        {
            shard.createEntity(FIRST_ENTITY + i, (i - ENTITIES / 2) * 8L, 1);
        }
        awaitLinked(first, bridge, log);
        for (int t = 0; t < 30; t++)
        {
            move(store, t);
            shard.tick();
        }

        // the Replicant's process dies: its Aeron client and publications go at once
        shard.sideAgent(null);
        first.onClose();
        CloseHelper.quietClose(remoteAeron);
        remoteAeron = null;
        shard.await(() -> !bridge.isLinked(), "the bridge to notice its Replicant gone");
        for (int t = 30; t < 40; t++)
        {
            move(store, t);
            shard.tick();
        }
        final RemoteReplicantHost second = newHost(TestShard.SECRET, log);
        shard.sideAgent(second);
        awaitLinked(second, bridge, log);
        for (int t = 40; t < 90; t++)
        {
            move(store, t);
            shard.tick();
        }
        for (int t = 0; t < 5; t++)
        {
            shard.tick();
        }
        System.out.printf("restart: proven %d, feed resyncs %d, log %s%n", bridge.handshakesProven(),
            shard.counter(OrreryCounter.REPLICANT_FEED_RESYNCS), log);
        assertEquals(2, bridge.handshakesProven());
        assertTrue(west.isConnected() && east.isConnected(), "the clients keep their sessions");
        assertEquals(2, bridge.sessionCount());
        ReplicantBridgeCountersTest.assertCountersAsGetters(shard.layer, bridge);
        ReplicantBridgeCountersTest.assertHostCountersAsGetters(second);
        assertEquals(1, second.secondary().feed().resyncs(), "the restarted Replicant starts from a snapshot");
        assertEquals(0, second.secondary().feed().errors());
        assertStoreEqualsTruth(second.secondary().store(), store);
        assertViewEqualsTruth(west, store);
        assertViewEqualsTruth(east, store);
    }

    @Test
    void shouldDropWhatARestartedReplicantsPredecessorSpawnedAndNothingElse()
    {
        startShard();
        final ReplicantBridge bridge = shard.layer.bridges()[0];
        final List<String> log = new ArrayList<>();
        final RemoteReplicantHost first = newHost(TestShard.SECRET, log);
        shard.sideAgent(first);
        final ClientSession west = shard.connect(1, -40);
        final ClientSession east = shard.connect(2, 40);
        final EntityStore store = shard.store();
        for (int i = 0; i < ENTITIES; i++)
        {
            shard.createEntity(FIRST_ENTITY + i, (i - ENTITIES / 2) * 8L, 1);
        }
        awaitLinked(first, bridge, log);
        for (int t = 0; t < 30; t++)
        {
            move(store, t);
            shard.tick();
        }
        // nothing moves from here to the new Replicant's snapshot: no handoffs, so only a reset could drop anything
        for (int t = 0; t < 10; t++)
        {
            shard.tick();
        }
        assertViewEqualsTruth(west, store);
        assertViewEqualsTruth(east, store);
        final long removed = ownedBy(store, 1);
        final long kept = ownedBy(store, 0);
        assertTrue(removed > 0 && kept > 0, "entities owned by either Replicant");
        final int westOfReplicant1 = countOwnedBy(west.view(), 1);
        final int eastOfReplicant1 = countOwnedBy(east.view(), 1);
        final long westDropped = west.entitiesDroppedByResets();
        final long eastDropped = east.entitiesDroppedByResets();
        final long westEpochOfKept = west.view().ownerEpoch(west.view().slotOf(kept));

        // the Replicant's process dies; while it is down an entity it owned is removed: nobody tells the clients
        shard.sideAgent(null);
        first.onClose();
        CloseHelper.quietClose(remoteAeron);
        remoteAeron = null;
        shard.await(() -> !bridge.isLinked(), "the bridge to notice its Replicant gone");
        assertTrue(store.remove(removed));
        for (int t = 0; t < 10; t++)
        {
            shard.tick();
        }
        assertTrue(west.view().contains(removed), "the removal is not seen while Replicant 1 is down");
        final long resetsBefore = bridge.resetsSent();

        final RemoteReplicantHost second = newHost(TestShard.SECRET, log);
        shard.sideAgent(second);
        awaitLinked(second, bridge, log);
        for (int t = 0; t < 5; t++)
        {
            shard.tick();
        }
        System.out.printf("reset: %d resets sent, dropped west %d east %d (Replicant 1 owned %d / %d), log %s%n",
            bridge.resetsSent() - resetsBefore, west.entitiesDroppedByResets() - westDropped,
            east.entitiesDroppedByResets() - eastDropped, westOfReplicant1, eastOfReplicant1, log);
        assertFalse(west.view().contains(removed), "the entity removed while Replicant 1 was down is gone");
        assertFalse(east.view().contains(removed));
        assertEquals(2, bridge.resetsSent() - resetsBefore, "one reset per session");
        assertEquals(0, bridge.resetsDropped());
        assertEquals(westOfReplicant1, west.entitiesDroppedByResets() - westDropped, "only Replicant 1's dropped");
        assertEquals(eastOfReplicant1, east.entitiesDroppedByResets() - eastDropped, "only Replicant 1's dropped");
        assertEquals(westEpochOfKept, west.view().ownerEpoch(west.view().slotOf(kept)));
        assertViewEqualsTruth(west, store);
        assertViewEqualsTruth(east, store);

        for (int t = 40; t < 90; t++)
        {
            move(store, t);
            shard.tick();
        }
        for (int t = 0; t < 5; t++)
        {
            shard.tick();
        }
        assertTrue(west.isConnected() && east.isConnected(), "the clients keep their sessions");
        assertStoreEqualsTruth(second.secondary().store(), store);
        assertViewEqualsTruth(west, store);
        assertViewEqualsTruth(east, store);
    }

    private static long ownedBy(final EntityStore store, final int replicantId)
    {
        for (int i = 0; i < ENTITIES; i++)
        {
            final long id = FIRST_ENTITY + i;
            if (store.ownerReplicant(store.slotOf(id)) == replicantId)
            {
                return id;
            }
        }
        return 0;
    }

    private static int countOwnedBy(final ClientEntityView view, final int replicantId)
    {
        int count = 0;
        for (int slot = 0; slot < view.capacity(); slot++)
        {
            final long id = view.entityId(slot);
            if (view.slotOf(id) == slot && view.ownerReplicant(slot) == replicantId && !view.awaitingOwner(slot))
            {
                count++;
            }
        }
        return count;
    }

    private void awaitLinked(final RemoteReplicantHost host, final ReplicantBridge bridge, final List<String> log)
    {
        // the handshake crosses Aeron (new publications, new images): wait on the wall clock, not in ticks
        shard.await(host::isLinked, "the remote Replicant's handshake; bridge refused " + bridge.handshakesRefused());
        int ticks = 0;
        for (; ticks < 300 && !(host.isLinked() && host.isSynced() && host.secondary().tickCount() > 0); ticks++)
        {
            shard.tick();
        }
        assertTrue(host.isLinked() && host.isSynced(), "the remote Replicant linked and synced in " + ticks +
            " ticks: linked " + host.isLinked() + ", synced " + host.isSynced() + ", bridge linked " +
            bridge.isLinked() + ", refused " + bridge.handshakesRefused() + ", strangers " +
            bridge.strangerMessages() + "/" + host.strangerMessages() + ", dropped " + host.feedMessagesDropped() +
            ", log " + log);
        System.out.println("linked in " + ticks + " ticks");
    }

    static void assertStoreEqualsTruth(final EntityStore remote, final EntityStore truth)
    {
        assertEquals(truth.size(), remote.size(), "the remote Replicant's store holds the world");
        for (int i = 0; i < truth.activeCount(); i++)
        {
            final int slot = truth.activeSlot(i);
            final int remoteSlot = remote.slotOf(truth.entityId(slot));
            assertTrue(remoteSlot >= 0);
            assertEquals(truth.positionX(slot), remote.positionX(remoteSlot));
            assertEquals(truth.ownerReplicant(slot), remote.ownerReplicant(remoteSlot));
            assertEquals(truth.ownerEpoch(slot), remote.ownerEpoch(remoteSlot));
        }
    }

    static void assertViewEqualsTruth(final ClientSession client, final EntityStore store)
    {
        final ClientEntityView view = client.view();
        assertEquals(store.size(), view.size(), "every entity of the world is within the bubble");
        for (int i = 0; i < store.activeCount(); i++)
        {
            final int slot = store.activeSlot(i);
            final long id = store.entityId(slot);
            final int viewSlot = view.slotOf(id);
            assertTrue(viewSlot >= 0, "entity " + id + " in view");
            assertFalse(view.awaitingOwner(viewSlot), "entity " + id + " not awaiting its owner");
            assertEquals(store.ownerReplicant(slot), view.ownerReplicant(viewSlot), "owner of " + id);
            assertEquals(store.ownerEpoch(slot), view.ownerEpoch(viewSlot), "owner epoch of " + id);
            assertEquals(store.positionX(slot), view.positionX(viewSlot), 5, "x of " + id);
            assertEquals(store.positionY(slot), view.positionY(viewSlot), 5, "y of " + id);
        }
        assertTrue(client.ownerChanges() > 0, "owner changes seen");
        assertEquals(0, client.ownerEpochConflicts());
        assertEquals(0, client.updatesForUnknownEntities());
        assertEquals(0, client.despawnsForUnknownEntities());
        assertEquals(0, client.unknownReplicantMessages());
    }

    private record Both(Agent a, Agent b) implements Agent
    {
        @Override
        public int doWork() throws Exception
        {
            return a.doWork() + b.doWork();
        }

        @Override
        public String roleName()
        {
            return "both";
        }
    }
}
