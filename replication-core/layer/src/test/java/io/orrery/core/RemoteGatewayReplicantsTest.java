/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core;

import io.aeron.Aeron;
import io.aeron.Counter;
import io.orrery.core.auth.SessionTokens;
import io.orrery.core.client.ClientEntityView;
import io.orrery.core.client.ClientLink;
import io.orrery.core.client.ClientListener;
import io.orrery.core.client.ClientSession;
import io.orrery.core.gateway.GatewayContext;
import io.orrery.core.gateway.link.GatewayResources;
import io.orrery.core.gateway.link.LayerLinkAgent;
import io.orrery.core.replicant.EntityStore;
import io.orrery.core.replicant.SecondaryReplicantAgent;
import io.orrery.core.status.OrreryCounter;
import io.orrery.test.AllocationMeter;
import org.agrona.CloseHelper;
import org.agrona.concurrent.SystemEpochClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static io.orrery.core.TestShard.MM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Two Replicants (INVOKER: one duty cycle runs the in-process Gateway with the Gateway link, the primary, then the
 * secondary) streaming through two remote Gateways (each a {@link LayerLinkAgent} with its own Aeron client on the
 * shared media driver) to clients of both over UDP; the layer takes no client of its own. Entities and players move
 * back and forth across the boundary between the Replicants' ranges (x = 0): every client's view, composed from both
 * Replicants' frames relayed whole through its Gateway, ends equal to the layer's truth. Stepped on the test thread on
 * the shard's controlled clock (kept at most {@link #CLOCK_SPEED_UP} times ahead of the wall clock, as the media
 * driver delivers on the wall clock); conditions awaited with wall-clock deadlines.
 */
@Tag("system")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
final class RemoteGatewayReplicantsTest
{
    private static final String LINK_CHANNEL = "aeron:ipc?term-length=8m";
    private static final int LINK_STREAM = 1511;
    private static final int PLAYERS = 4;
    private static final int ENTITIES = 24;
    private static final long FIRST_ENTITY = 1000;
    private static final long CLOCK_SPEED_UP = 4;
    private static final long[] PLAYER_X_M = { -40, 40, -20, 20 };

    private TestShard shard;
    private RemoteGateway gatewayA;
    private RemoteGateway gatewayB;
    private Aeron clientAeron;
    private ClientLink clients;
    private ClientSession[] sessions = new ClientSession[0];
    private int pass;

    /**
     * A Gateway "process": its own Aeron client and counters, its agent stepped by the test.
     */
    private final class RemoteGateway
    {
        final Aeron aeron;
        final Counter[] counters;
        final LayerLinkAgent agent;
        final String ingressChannel;
        boolean alive = true;

        RemoteGateway(final int id, final int responseStreamId)
        {
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(shard.layer.aeronDirectoryName()));
            counters = OrreryCounter.allocate(aeron, "gateway-" + id);
            ingressChannel = "aeron:udp?endpoint=127.0.0.1:" + freeUdpPort();
            final GatewayContext ctx = new GatewayContext().clientIngressChannel(ingressChannel).maxSessions(64)
                .conclude();
            agent = new LayerLinkAgent(GatewayResources.withPlayerTokenKey("gateway-" + id, aeron,
                SessionTokens.playerTokenKey(TestShard.SECRET), Throwable::printStackTrace, shard.clock,
                SystemEpochClock.INSTANCE),
                ctx, id, LINK_CHANNEL, LINK_STREAM, "aeron:ipc", responseStreamId, TestShard.SECRET, counters,
                System.out::println);
        }

        int doWork()
        {
            return alive ? agent.doWork() : 0;
        }

        long counter(final OrreryCounter counter)
        {
            return alive ? counters[counter.id()].get() : 0;
        }

        void kill()
        {
            alive = false;
            CloseHelper.quietClose(aeron);
        }

        void close()
        {
            if (alive)
            {
                CloseHelper.quietClose(agent::onClose);
                CloseHelper.quietCloseAll(counters);
                CloseHelper.quietClose(aeron);
            }
        }
    }

    @AfterEach
    void after()
    {
        CloseHelper.quietClose(clients);
        CloseHelper.quietClose(clientAeron);
        if (null != gatewayA)
        {
            gatewayA.close();
        }
        if (null != gatewayB)
        {
            gatewayB.close();
        }
        CloseHelper.quietClose(shard);
    }

    @Test
    void shouldComposeEachViewFromTwoReplicantsRelayedThroughEitherGateway()
    {
        start();
        final SecondaryReplicantAgent secondary = shard.layer.secondaries()[0];
        assertEquals(PLAYERS / 2, gatewayA.agent.sessionCount(), "sessions through gateway A");
        assertEquals(PLAYERS / 2, gatewayB.agent.sessionCount(), "sessions through gateway B");

        for (int t = 0; t < 90; t++)
        {
            moveAndTick();
        }
        ticksUntil(this::everyViewEqualsTruth, 100, "every view equals the layer's truth");

        assertTrue(shard.counter(OrreryCounter.REPLICANT_HANDOFFS) > 0, "handoffs between the Replicants");
        assertTrue(shard.counter(OrreryCounter.REPLICANT_HANDOFF_SPAWNS) > 0);
        assertEquals(0, shard.counter(OrreryCounter.REPLICANT_FEED_BACK_PRESSURE));
        assertTrue(secondary.engine().spawnsSent() > 0, "the secondary streams what it owns");
        assertBothOwnPartOfTheWorld();
        for (final ClientSession session : sessions)
        {
            assertViewEqualsTruth(session);
            assertTrue(session.ownerChanges() > 0, "owner changes seen by player " + session.playerEntityId());
        }
        assertEquals(0, gatewayA.counter(OrreryCounter.GATEWAY_RELAY_FAILURES));
        assertEquals(0, gatewayB.counter(OrreryCounter.GATEWAY_RELAY_FAILURES));
        assertEquals(0, shard.counter(OrreryCounter.GATEWAY_LINK_MESSAGES_REFUSED));
        System.out.println("2 Replicants through 2 Gateways: handoffs " +
            shard.counter(OrreryCounter.REPLICANT_HANDOFFS) + ", handoff spawns " +
            shard.counter(OrreryCounter.REPLICANT_HANDOFF_SPAWNS) + ", frames relayed " +
            (gatewayA.agent.framesRelayed() + gatewayB.agent.framesRelayed()));
    }

    @Test
    void shouldResumeAKilledGatewaysClientsThroughTheOtherWithBothReplicantsStreamingThem()
    {
        start();
        for (int t = 0; t < 30; t++)
        {
            moveAndTick();
        }
        ticksUntil(this::everyViewEqualsTruth, 100, "every view equals the layer's truth");

        gatewayA.kill();
        ticksUntil(() -> PLAYERS == gatewayB.agent.sessionCount() && allConnected(), 2_000,
            "gateway A's clients resumed through gateway B");
        ticksUntil(() -> 1 == shard.counter(OrreryCounter.GATEWAY_LINKS_LOST), 200, "the layer drops gateway A");
        ticksUntil(() -> PLAYERS == shard.layer.gatewayLink().sessionCount(), 200, "gateway A's sessions ended");
        for (int i = 0; i < PLAYERS; i++)
        {
            assertEquals(0 == i % 2, sessions[i].resumesStarted() >= 1, "resumes of player " + (i + 1));
        }

        final long handoffsBefore = shard.counter(OrreryCounter.REPLICANT_HANDOFFS);
        for (int t = 0; t < 60; t++)
        {
            moveAndTick();
        }
        ticksUntil(this::everyViewEqualsTruth, 100, "every view equals the layer's truth after the resumption");
        assertTrue(shard.counter(OrreryCounter.REPLICANT_HANDOFFS) > handoffsBefore, "handoffs after resumption");
        assertBothOwnPartOfTheWorld();
        for (final ClientSession session : sessions)
        {
            assertViewEqualsTruth(session);
        }
        assertEquals(0, gatewayB.counter(OrreryCounter.GATEWAY_RELAY_FAILURES));
    }

    @Test
    void shouldNotAllocateInSteadyStateWhenTwoReplicantsRelayThroughRemoteGateways()
    {
        start();
        for (int t = 0; t < 30; t++)
        {
            moveAndTick();
        }
        long bytes = -1;
        long relayed = 0;
        for (int round = 1; round <= 8 && 0 != bytes; round++)
        {
            final long relayedBefore = gatewayA.agent.framesRelayed() + gatewayB.agent.framesRelayed();
            final long handoffsBefore = shard.counter(OrreryCounter.REPLICANT_HANDOFFS);
            final long[] allocated = new long[1];
            for (int t = 0; t < 200; t++)
            {
                move();
                shard.clock.advance(TestShard.TICK_NS);
                stepUntilIdle(() ->
                {
                    final long before = AllocationMeter.threadAllocatedBytes();
                    final int work = shard.layer.doWork() + gatewayA.doWork() + gatewayB.doWork();
                    allocated[0] += AllocationMeter.threadAllocatedBytes() - before;
                    return work + clients.doWork();
                });
            }
            bytes = allocated[0];
            relayed = gatewayA.agent.framesRelayed() + gatewayB.agent.framesRelayed() - relayedBefore;
            System.out.println("round " + round + ": layer (2 Replicants) + two gateways allocated " + bytes +
                " bytes over " + relayed + " relayed frames, " +
                (shard.counter(OrreryCounter.REPLICANT_HANDOFFS) - handoffsBefore) + " handoffs");
        }
        assertTrue(relayed >= 1_000, "frames relayed: " + relayed);
        assertEquals(0, bytes, "bytes allocated by the layer and the gateways in steady state");
        assertTrue(allConnected());
    }

    private void start()
    {
        shard = new TestShard((ctx) ->
        {
            ctx.compactUpdates(true).bandwidthBytesPerTick(64 * 1024)
                .clientIngressChannel(GatewayContext.NO_CLIENT_INGRESS)
                .replicant().replicants(2).replicantBoundariesM(0).ownershipHysteresisM(5);
            ctx.gateway().gatewayLink().channel(LINK_CHANNEL).streamId(LINK_STREAM)
                .timeoutNs(TimeUnit.SECONDS.toNanos(2));
        });
        assertEquals(1, shard.layer.secondaries().length);
        gatewayA = new RemoteGateway(1, 1611);
        gatewayB = new RemoteGateway(2, 1612);
        await(() -> gatewayA.agent.isLinked() && gatewayB.agent.isLinked(), "both gateways linked");

        clientAeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(shard.layer.aeronDirectoryName()));
        clients = new ClientLink(clientAeron, new ClientLink.Settings()
            .clock(shard.clock)
            .ingressChannels(gatewayA.ingressChannel, gatewayB.ingressChannel)
            .responseChannel("aeron:udp?endpoint=127.0.0.1:0")
            .responseStreamId(2012)
            .resume(true)
            .resumeBackoffInitialNs(TimeUnit.MILLISECONDS.toNanos(100)));

        final EntityStore store = shard.store();
        for (int i = 0; i < ENTITIES; i++)
        {
            shard.createEntity(FIRST_ENTITY + i, (i - ENTITIES / 2) * 8L, 1);
        }
        sessions = new ClientSession[PLAYERS];
        for (int i = 0; i < PLAYERS; i++)
        {
            shard.authority.spawnPlayerAt(i + 1, PLAYER_X_M[i] * MM);
            sessions[i] = clients.connect(shard.token(i + 1), ClientListener.NO_OP); // A, B, A, B
        }
        await(this::allConnected, "every player welcomed");
        // a player's entity is spawned by the pass after its welcome crossed the Gateway (CI: 27 of 28 right after)
        await(() -> store.size() >= ENTITIES + PLAYERS, "every player's entity spawned");
        assertEquals(ENTITIES + PLAYERS, store.size());
    }

    /**
     * Entities swing across x = 0, the players walk across it and back.
     */
    private void move()
    {
        final EntityStore store = shard.store();
        for (int i = 0; i < ENTITIES; i++)
        {
            final int slot = store.slotOf(FIRST_ENTITY + i);
            final double phase = pass / 9.0 + i;
            store.position(slot, Math.round(((i - ENTITIES / 2) * 4 + 60 * Math.sin(phase)) * MM), i * 100L, 0);
        }
        for (int i = 0; i < PLAYERS; i++)
        {
            final int slot = store.slotOf(i + 1);
            if (EntityStore.NULL_SLOT != slot)
            {
                store.position(slot, Math.round(PLAYER_X_M[i] * Math.cos(pass / 15.0) * MM), 0, 0);
            }
        }
        pass++;
    }

    private void moveAndTick()
    {
        move();
        tick();
    }

    private void assertBothOwnPartOfTheWorld()
    {
        final EntityStore store = shard.store();
        int ownedBySecondary = 0;
        for (int i = 0; i < store.activeCount(); i++)
        {
            if (1 == store.ownerReplicant(store.activeSlot(i)))
            {
                ownedBySecondary++;
            }
        }
        assertTrue(ownedBySecondary > 0 && ownedBySecondary < store.size(), "both own part of the world");
    }

    private boolean everyViewEqualsTruth()
    {
        final EntityStore store = shard.store();
        for (final ClientSession session : sessions)
        {
            final ClientEntityView view = session.view();
            if (ClientSession.State.CONNECTED != session.state() || store.size() != view.size())
            {
                return false;
            }
            for (int i = 0; i < store.activeCount(); i++)
            {
                final int slot = store.activeSlot(i);
                final int viewSlot = view.slotOf(store.entityId(slot));
                if (viewSlot < 0 || view.awaitingOwner(viewSlot) ||
                    store.ownerReplicant(slot) != view.ownerReplicant(viewSlot) ||
                    store.ownerEpoch(slot) != view.ownerEpoch(viewSlot) ||
                    Math.abs(store.positionX(slot) - view.positionX(viewSlot)) > 5 ||
                    Math.abs(store.positionY(slot) - view.positionY(viewSlot)) > 5)
                {
                    return false;
                }
            }
        }
        return true;
    }

    private void assertViewEqualsTruth(final ClientSession client)
    {
        final EntityStore store = shard.store();
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
        assertEquals(0, client.ownerEpochConflicts(), "epoch conflicts of player " + client.playerEntityId());
        assertEquals(0, client.updatesForUnknownEntities(), "updates for unknown entities");
        assertEquals(0, client.despawnsForUnknownEntities(), "despawns for unknown entities");
        assertEquals(0, client.unknownReplicantMessages(), "frames of unknown Replicants");
    }

    private boolean allConnected()
    {
        for (final ClientSession session : sessions)
        {
            if (ClientSession.State.CONNECTED != session.state())
            {
                return false;
            }
        }
        return true;
    }

    private int stepAll()
    {
        return shard.layer.doWork() + gatewayA.doWork() + gatewayB.doWork() + clients.doWork();
    }

    /**
     * Step until idle and at least a tick's share of wall-clock time passed: client ingress and egress are UDP, what
     * is in flight sits in the media driver, so idle polls do not mean delivered.
     */
    private static void stepUntilIdle(final java.util.function.IntSupplier step)
    {
        final long startNs = System.nanoTime();
        final long deadlineNs = startNs + TestShard.DEADLINE_NS;
        int idle = 0;
        while (idle < 3 || System.nanoTime() - startNs < TestShard.TICK_NS / CLOCK_SPEED_UP)
        {
            idle = step.getAsInt() == 0 ? idle + 1 : 0;
            if (System.nanoTime() > deadlineNs)
            {
                fail("shard did not go idle");
            }
        }
    }

    private void tick()
    {
        shard.clock.advance(TestShard.TICK_NS);
        stepUntilIdle(this::stepAll);
    }

    private void ticksUntil(final BooleanSupplier condition, final int maxTicks, final String what)
    {
        for (int i = 0; i < maxTicks && !condition.getAsBoolean(); i++)
        {
            tick();
        }
        assertTrue(condition.getAsBoolean(), () -> "not reached within " + maxTicks + " ticks: " + what +
            diagnostics());
    }

    private void await(final BooleanSupplier condition, final String what)
    {
        final long deadlineNs = System.nanoTime() + TestShard.DEADLINE_NS;
        long advancedAtNs = System.nanoTime();
        while (!condition.getAsBoolean())
        {
            // the shard's clock never runs ahead of the wall clock: the media driver's connections take real time
            final int work = shard.layer.doWork() + (null == gatewayA ? 0 : gatewayA.doWork()) +
                (null == gatewayB ? 0 : gatewayB.doWork()) + (null == clients ? 0 : clients.doWork());
            if (0 == work && System.nanoTime() - advancedAtNs >= TimeUnit.MILLISECONDS.toNanos(1))
            {
                advancedAtNs = System.nanoTime();
                shard.clock.advance(TimeUnit.MILLISECONDS.toNanos(1));
            }
            if (System.nanoTime() > deadlineNs)
            {
                fail("timed out waiting for " + what + diagnostics());
            }
        }
    }

    private String diagnostics()
    {
        final StringBuilder out = new StringBuilder();
        final EntityStore store = shard.store();
        for (final ClientSession session : sessions)
        {
            out.append("\n  player ").append(session.playerEntityId()).append(' ').append(session.state())
                .append(" via ").append(clients.ingressChannel(session)).append(" resumes ")
                .append(session.resumesStarted()).append(" view ").append(session.view().size()).append('/')
                .append(store.size()).append(" owner changes ").append(session.ownerChanges())
                .append(" epoch conflicts ").append(session.ownerEpochConflicts());
        }
        for (final OrreryCounter counter : OrreryCounter.values())
        {
            final long layerValue = shard.counter(counter);
            final long a = null == gatewayA ? 0 : gatewayA.counter(counter);
            final long b = null == gatewayB ? 0 : gatewayB.counter(counter);
            if (0 != layerValue || 0 != a || 0 != b)
            {
                out.append("\n  ").append(counter).append(": layer ").append(layerValue).append(", gateway A ")
                    .append(a).append(", gateway B ").append(b);
            }
        }
        return out.toString();
    }

    private static int freeUdpPort()
    {
        try (DatagramSocket socket = new DatagramSocket(0))
        {
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
