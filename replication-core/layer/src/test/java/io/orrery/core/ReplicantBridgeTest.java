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
    private static final long RETURN_AFTER_MS = 300;

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
            // a short hold before a linked Replicant owns anything (default 2 s): 9 passes of the rig
            ctx.replicantBridge().remoteIds(1).channel(CHANNEL).returnAfterMs(RETURN_AFTER_MS);
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
        settle(second, 5);
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
    void shouldTakeAKilledReplicantsSubtreesOverAndDropOnlyWhatTheTakeoverDidNotReach()
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
        // nothing moves from here to the end of the takeover: every entity is within both bubbles, so the primary's
        // takeover spawns reach every client, and only a reset could drop anything
        settle(first, 10);
        assertViewEqualsTruth(west, store);
        assertViewEqualsTruth(east, store);
        final long removed = ownedBy(store, 1);
        final long kept = ownedBy(store, 0);
        assertTrue(removed > 0 && kept > 0, "entities owned by either Replicant");
        final long[] epochsOfReplicant1 = ownerEpochs(store, 1);
        final int ownedByReplicant1 = countOwned(store, 1); // the players too
        final long westDropped = west.entitiesDroppedByResets();
        final long eastDropped = east.entitiesDroppedByResets();
        final long westEpochOfKept = west.view().ownerEpoch(west.view().slotOf(kept));
        final long resetsBefore = bridge.resetsSent();
        final long westOwnerChanges = west.ownerChanges();

        // the Replicant's process dies; at once an entity it owned is removed: nobody tells the clients but a reset
        shard.sideAgent(null);
        first.onClose();
        CloseHelper.quietClose(remoteAeron);
        remoteAeron = null;
        shard.await(() -> !bridge.isLinked(), "the bridge to notice its Replicant gone");
        assertTrue(store.remove(removed));
        shard.ticksUntil(() -> 0 == countOwned(store, 1) && !bridge.isAwaitingTakeover(), 5,
            "every entity of the lost Replicant taken over, the resets written");
        for (int t = 0; t < 3; t++)
        {
            shard.tick();
        }
        System.out.printf("takeover after a kill: %d taken over, %d resets, dropped west %d east %d, log %s%n",
            shard.counter(OrreryCounter.REPLICANT_TAKEOVERS), bridge.resetsSent() - resetsBefore,
            west.entitiesDroppedByResets() - westDropped, east.entitiesDroppedByResets() - eastDropped, log);
        assertTakenOver(store, epochsOfReplicant1, removed);
        assertEquals(1, shard.counter(OrreryCounter.REPLICANTS_LOST));
        assertEquals(ownedByReplicant1 - 1, shard.counter(OrreryCounter.REPLICANT_TAKEOVERS), "all but the removed");
        assertFalse(west.view().contains(removed), "the entity removed while Replicant 1 was down is gone");
        assertFalse(east.view().contains(removed));
        assertEquals(2, bridge.resetsSent() - resetsBefore, "one reset per session, after the takeover");
        assertEquals(0, bridge.resetsDropped());
        assertEquals(1, west.entitiesDroppedByResets() - westDropped, "only what the takeover did not reach");
        assertEquals(1, east.entitiesDroppedByResets() - eastDropped, "only what the takeover did not reach");
        assertTrue(west.ownerChanges() - westOwnerChanges >= countOf(epochsOfReplicant1) - 1,
            "each entity taken over continues in the view (an owner change, no despawn)");
        assertEquals(westEpochOfKept, west.view().ownerEpoch(west.view().slotOf(kept)));
        assertViewEqualsTruth(west, store);
        assertViewEqualsTruth(east, store);

        // while it is down the entities move again, the primary streaming them
        for (int t = 40; t < 70; t++)
        {
            move(store, t);
            shard.tick();
            assertEquals(0, countOwned(store, 1), "nothing goes to the lost Replicant");
        }
        settle();
        assertViewEqualsTruth(west, store);
        assertViewEqualsTruth(east, store);

        // a new process: it gets the snapshot and the sessions, then its range back with new owner epochs
        final long resetsAtReturn = bridge.resetsSent();
        final long droppedAtReturn = west.entitiesDroppedByResets();
        final RemoteReplicantHost second = newHost(TestShard.SECRET, log);
        shard.sideAgent(second);
        awaitLinked(second, bridge, log);
        assertEquals(2, bridge.resetsSent() - resetsAtReturn, "the new Replicant's sessions reset first");
        assertEquals(droppedAtReturn, west.entitiesDroppedByResets(), "nothing left to drop: all taken over");
        for (int t = 70; t < 130; t++)
        {
            move(store, t);
            shard.tick();
        }
        settle(second, 5);
        assertTrue(ownedBy(store, 1) > 0, "the returned Replicant owns its range again");
        assertEquals(2, shard.counter(OrreryCounter.REPLICANT_RETURNS), "the first link and the return");
        assertTrue(west.isConnected() && east.isConnected(), "the clients keep their sessions");
        assertStoreEqualsTruth(second.secondary().store(), store);
        assertViewEqualsTruth(west, store);
        assertViewEqualsTruth(east, store);
    }

    @Test
    void shouldDeclareASilentReplicantLostAndGiveItsSubtreesBackWhenItIsHeardAgain()
    {
        startShard();
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
        int t = 0;
        for (; t < 30; t++)
        {
            move(store, t);
            shard.tick();
        }
        settle();
        assertViewEqualsTruth(west, store);
        assertTrue(bridge.heartbeats() > 0, "heartbeats from the proven Replicant");

        // the Replicant's process stops (a long GC pause, a stopped VM): its image stays, only its silence tells
        shard.sideAgent(null);
        long[] epochsOfReplicant1 = ownerEpochs(store, 1);
        final long silentTicks = ReplicantBridge.TAKEOVER_AFTER_NS_DEFAULT / TestShard.TICK_NS;
        for (int i = 0; i < silentTicks - 4; i++, t++)
        {
            move(store, t);
            shard.tick();
        }
        assertEquals(0, bridge.linksLost(), "not lost before a silence of " + silentTicks + " passes");
        assertTrue(bridge.isLinked());
        int ticks = 0;
        for (; ticks < 10 && (0 != countOwned(store, 1) || bridge.isAwaitingTakeover()); ticks++, t++)
        {
            move(store, t);
            shard.tick();
        }
        assertTrue(ticks < 10, "taken over within a few passes of the silence: " + ticks);
        assertEquals(1, bridge.linksLost());
        assertEquals(1, shard.counter(OrreryCounter.REPLICANTS_LOST));
        assertTakenOver(store, epochsOfReplicant1, 0);
        for (int end = t + 30; t < end; t++)
        {
            move(store, t);
            shard.tick();
        }
        settle();
        assertViewEqualsTruth(west, store);
        assertViewEqualsTruth(east, store);

        // it runs again: whatever it still sends on its old link is a stranger's; it notices its feed gone, says
        // hello, is proven, gets a snapshot and, after the return hold, its range back
        final long returnsBefore = shard.counter(OrreryCounter.REPLICANT_RETURNS);
        shard.sideAgent(host);
        // its old feed image goes (the driver's time), then the handshake crosses Aeron: wait on the wall clock with
        // the layer's clock still (ticking it meanwhile expires handshakes that are only slow in wall time)
        shard.await(bridge::isLinked, "the paused Replicant proven again; log " + log);
        tickUntil(() -> shard.counter(OrreryCounter.REPLICANT_RETURNS) > returnsBefore &&
            shard.layer.replicant().ownership().isAvailable(1), store, t, "the paused Replicant back and available");
        epochsOfReplicant1 = ownerEpochs(store, 0);
        for (int end = t + 60; t < end; t++)
        {
            move(store, t);
            shard.tick();
        }
        for (int i = 0; i < 5; i++)
        {
            shard.tick();
        }
        System.out.printf("silence: lost %d, taken over %d, proven %d, strangers %d, heartbeats %d, log %s%n",
            bridge.linksLost(), shard.counter(OrreryCounter.REPLICANT_TAKEOVERS), bridge.handshakesProven(),
            bridge.strangerMessages(), bridge.heartbeats(), log);
        assertEquals(2, bridge.handshakesProven(), "the same process proven again");
        assertEquals(1, bridge.linksLost(), "no flapping");
        assertTrue(ownedBy(store, 1) > 0, "the returned Replicant owns its range again");
        assertTrue(west.isConnected() && east.isConnected(), "the clients keep their sessions");
        assertStoreEqualsTruth(host.secondary().store(), store);
        assertViewEqualsTruth(west, store);
        assertViewEqualsTruth(east, store);
    }

    @Test
    void shouldNeitherKeepALostReplicantAliveNorLoseALiveOneForAStrangersMessages()
    {
        startShard();
        final ReplicantBridge bridge = shard.layer.bridges()[0];
        final List<String> log = new ArrayList<>();
        final RemoteReplicantHost host = newHost(TestShard.SECRET, log);
        shard.sideAgent(host);
        final ClientSession west = shard.connect(1, -40);
        final EntityStore store = shard.store();
        for (int i = 0; i < ENTITIES; i++)
        {
            shard.createEntity(FIRST_ENTITY + i, (i - ENTITIES / 2) * 8L, 1);
        }
        awaitLinked(host, bridge, log);
        // a stranger on the bridge's channel sends heartbeats ("synced") and frames for a session every pass
        final Stranger stranger = new Stranger(Aeron.connect(
            new Aeron.Context().aeronDirectoryName(shard.layer.aeronDirectoryName())));
        closeables.add(stranger);
        shard.await(stranger.publication::isConnected, "the stranger's publication");
        shard.sideAgent(new Both(host, stranger));
        // its image reaches the bridge's subscription through the driver: wait on the wall clock
        tickUntil(() -> bridge.strangerMessages() > 0, store, 0, "the stranger's first message at the bridge");
        int t = 0;
        for (; t < 90; t++)
        {
            move(store, t);
            shard.tick();
        }
        settle();
        assertTrue(stranger.sent > 0 && bridge.strangerMessages() > 0, "the stranger's messages reached the bridge: " +
            "sent " + stranger.sent + ", counted " + bridge.strangerMessages());
        assertEquals(0, bridge.linksLost(), "a live Replicant is not lost");
        assertTrue(shard.layer.replicant().ownership().isAvailable(1));
        assertViewEqualsTruth(west, store);

        // the Replicant stops; the stranger goes on
        shard.sideAgent(stranger);
        final long strangersBefore = bridge.strangerMessages();
        tickUntil(() -> 0 == countOwned(store, 1) && bridge.linksLost() > 0 && !bridge.isAwaitingTakeover(), store, t,
            "the silent Replicant lost despite the stranger's heartbeats");
        for (int i = 0; i < 30; i++)
        {
            move(store, t + i);
            shard.tick();
        }
        // the stranger's offers go through as the driver moves its publication's limit on, which a loaded machine
        // can hold back for longer than 30 ticks take (CI, JDK 17: none of its offers went through in them)
        try
        {
            tickUntil(() -> bridge.strangerMessages() > strangersBefore, store, t + 30,
                "a stranger message while the Replicant is lost");
            settle();
        }
        finally
        {
            System.out.printf("stranger: %d sent, %d refused (last %d), %d stranger messages counted (%d before the " +
                "Replicant stopped), lost %d, log %s%n", stranger.sent, stranger.refused, stranger.lastRefusal,
                bridge.strangerMessages(), strangersBefore, bridge.linksLost(), log);
        }
        assertTrue(bridge.strangerMessages() > strangersBefore);
        assertEquals(1, bridge.linksLost());
        assertEquals(0, countOwned(store, 1));
        assertViewEqualsTruth(west, store);
    }

    /**
     * Another process on the bridge's channel and stream that knows the link's schema but not its key.
     */
    private static final class Stranger implements Agent, AutoCloseable
    {
        final Aeron aeron;
        final io.aeron.ExclusivePublication publication;
        final org.agrona.concurrent.UnsafeBuffer buffer = new org.agrona.concurrent.UnsafeBuffer(new byte[256]);
        final io.orrery.wire.replicantlink.MessageHeaderEncoder header =
            new io.orrery.wire.replicantlink.MessageHeaderEncoder();
        long sent;
        long refused;
        long lastRefusal;

        Stranger(final Aeron aeron)
        {
            this.aeron = aeron;
            this.publication = aeron.addExclusivePublication(CHANNEL, ReplicantBridge.STREAM_ID_BASE + 1);
        }

        @Override
        public int doWork()
        {
            final int heartbeat = new io.orrery.wire.replicantlink.ReplicantHeartbeatEncoder()
                .wrapAndApplyHeader(buffer, 0, header).synced((short)1).passes(sent).encodedLength();
            count(publication.offer(buffer, 0, header.encodedLength() + heartbeat));
            final int frame = new io.orrery.wire.replicantlink.ReplicantClientFrameEncoder()
                .wrapAndApplyHeader(buffer, 0, header).sessionId(1).putFrame(new byte[16], 0, 16).encodedLength();
            count(publication.offer(buffer, 0, header.encodedLength() + frame));
            return 0;
        }

        private void count(final long result)
        {
            if (result > 0)
            {
                sent++;
            }
            else
            {
                refused++;
                lastRefusal = result;
            }
        }

        @Override
        public String roleName()
        {
            return "stranger";
        }

        @Override
        public void close()
        {
            CloseHelper.quietClose(publication);
            CloseHelper.quietClose(aeron);
        }
    }

    /**
     * Tick with the entities still, each tick once the remote Replicant's link publication has room: its limit moves
     * on the media driver's thread, and a loaded box that starves that thread would otherwise leave the Replicant
     * back-pressured (its frames refused, its views still resynchronising) when the test compares views.
     */
    private void settle(final RemoteReplicantHost host, final int ticks)
    {
        for (int i = 0; i < ticks; i++)
        {
            RemoteReplicantRig.awaitLinkRoom(shard, host);
            shard.tick();
        }
    }

    private void settle()
    {
        for (int i = 0; i < 5; i++)
        {
            shard.tick();
        }
    }

    private void tickUntil(
        final java.util.function.BooleanSupplier condition, final EntityStore store, final int fromT, final String what)
    {
        // crosses Aeron (images going and coming, handshakes): a wall-clock deadline, the entities moving meanwhile
        final long deadlineNs = System.nanoTime() + 30_000_000_000L;
        int t = fromT;
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() - deadlineNs < 0, "timed out waiting for " + what);
            move(store, t++);
            shard.tick();
        }
    }

    private static long[] ownerEpochs(final EntityStore store, final int replicantId)
    {
        final long[] epochs = new long[ENTITIES];
        for (int i = 0; i < ENTITIES; i++)
        {
            final int slot = store.slotOf(FIRST_ENTITY + i);
            epochs[i] = slot >= 0 && store.ownerReplicant(slot) == replicantId ? store.ownerEpoch(slot) : 0;
        }
        return epochs;
    }

    private static int countOwned(final EntityStore store, final int replicantId)
    {
        int count = 0;
        for (int i = 0; i < store.activeCount(); i++)
        {
            count += store.ownerReplicant(store.activeSlot(i)) == replicantId ? 1 : 0;
        }
        return count;
    }

    private static int countOf(final long[] epochs)
    {
        int count = 0;
        for (final long epoch : epochs)
        {
            count += 0 != epoch ? 1 : 0;
        }
        return count;
    }

    private static void assertTakenOver(final EntityStore store, final long[] epochsOfLost, final long removed)
    {
        for (int i = 0; i < ENTITIES; i++)
        {
            final long id = FIRST_ENTITY + i;
            if (0 == epochsOfLost[i] || id == removed)
            {
                continue;
            }
            final int slot = store.slotOf(id);
            assertEquals(0, store.ownerReplicant(slot), "entity " + id + " taken over by the primary");
            assertTrue(store.ownerEpoch(slot) > epochsOfLost[i], "entity " + id + " with a higher owner epoch");
        }
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
        for (; ticks < 300 && !shard.layer.replicant().ownership().isAvailable(1); ticks++)
        {
            shard.tick();
        }
        assertTrue(shard.layer.replicant().ownership().isAvailable(1), "the linked Replicant made available");
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
