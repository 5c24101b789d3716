/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core;

import io.aeron.Aeron;
import io.aeron.Counter;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.orrery.core.auth.Ed25519PlayerTokens;
import io.orrery.core.auth.SessionTokens;
import io.orrery.core.client.ClientLink;
import io.orrery.core.client.ClientListener;
import io.orrery.core.client.ClientSession;
import io.orrery.core.common.LinkKey;
import io.orrery.core.gateway.GatewayContext;
import io.orrery.core.gateway.link.GatewayLinkAgent;
import io.orrery.core.gateway.link.GatewayLinkKey;
import io.orrery.core.gateway.link.GatewayLinkSettings;
import io.orrery.core.gateway.link.GatewayResources;
import io.orrery.core.gateway.link.LayerLinkAgent;
import io.orrery.core.status.OrreryCounter;
import io.orrery.test.AllocationMeter;
import io.orrery.wire.codec.PlayerInputEncoder;
import io.orrery.wire.codec.RejectReason;
import io.orrery.wire.gatewaylink.ClientMessageEncoder;
import io.orrery.wire.gatewaylink.GatewayChallengeDecoder;
import io.orrery.wire.gatewaylink.GatewayHelloEncoder;
import io.orrery.wire.gatewaylink.GatewayProofEncoder;
import io.orrery.wire.gatewaylink.GatewayWelcomeDecoder;
import io.orrery.wire.gatewaylink.SessionOpenedEncoder;
import org.agrona.CloseHelper;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Two Gateways in their own "processes" (each a {@link LayerLinkAgent} with its own Aeron client, on the shared media
 * driver) linked to one layer's Replicant over the Gateway link; clients spread over both with a two-channel
 * {@link ClientLink}. Everything is stepped on the test thread on the shard's controlled clock; conditions are awaited
 * with wall-clock deadlines.
 */
@Tag("system")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RemoteGatewayTest
{
    static final String LINK_CHANNEL = "aeron:ipc?term-length=8m";
    static final int LINK_STREAM = 1501;
    static final int PLAYERS = 6;
    static final long CLOCK_SPEED_UP = 4;

    private final ArrayList<AutoCloseable> closeables = new ArrayList<>();
    private TestShard shard;
    private RemoteGateway gatewayA;
    private RemoteGateway gatewayB;
    private ClientLink clients;
    private Aeron clientAeron;
    private ClientSession[] lastSessions = new ClientSession[0];
    private long rigTicks;

    /**
     * A Gateway "process": its own Aeron client and counters, its agent stepped by the test.
     */
    final class RemoteGateway
    {
        final Aeron aeron;
        final Counter[] counters;
        final LayerLinkAgent agent;
        final String ingressChannel;
        boolean alive = true;
        boolean paused;

        /**
         * A Gateway as it should run on an exposed host: it holds the player key and the link secret, not the shard's
         * token secret.
         */
        RemoteGateway(final int id, final int responseStreamId)
        {
            this(id, responseStreamId, false);
        }

        /**
         * @param isEd25519 whether it holds only the Ed25519 public key of player tokens (no player key, no secret).
         */
        RemoteGateway(final int id, final int responseStreamId, final boolean isEd25519)
        {
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(shard.layer.aeronDirectoryName()));
            counters = OrreryCounter.allocate(aeron, "gateway-" + id);
            ingressChannel = "aeron:udp?endpoint=127.0.0.1:" + freeUdpPort();
            final GatewayContext ctx = new GatewayContext()
                .clientIngressChannel(ingressChannel)
                .maxSessions(64)
                .conclude();
            agent = new LayerLinkAgent(isEd25519 ?
                GatewayResources.withPlayerTokenPublicKey("gateway-" + id, aeron, TestShard.ED25519_KEYS[1],
                    Throwable::printStackTrace, shard.clock, SystemEpochClock.INSTANCE) :
                GatewayResources.withPlayerTokenKey("gateway-" + id, aeron,
                    SessionTokens.playerTokenKey(TestShard.SECRET), Throwable::printStackTrace, shard.clock,
                    SystemEpochClock.INSTANCE),
                ctx, id, LINK_CHANNEL, LINK_STREAM, "aeron:ipc", responseStreamId, TestShard.SECRET, counters,
                System.out::println);
        }

        int doWork()
        {
            return alive && !paused ? agent.doWork() : 0;
        }

        /**
         * Gone without a goodbye: its Aeron client closes, its agent never runs again.
         */
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
        CloseHelper.quietCloseAll(closeables);
        CloseHelper.quietClose(shard);
    }

    private void startShardAndGateways()
    {
        startShardAndGateways(64);
    }

    private void startShardAndGateways(final int maxSessions)
    {
        startShardAndGateways(maxSessions, ReplicationLayer.Context.CLIENT_INGRESS_CHANNEL_DEFAULT);
    }

    private void startShardAndGateways(final int maxSessions, final String layerClientIngress)
    {
        startShardAndGateways(maxSessions, layerClientIngress, false);
    }

    private void startShardAndGateways(final int maxSessions, final String layerClientIngress, final boolean isEd25519)
    {
        startShardAndGateways(maxSessions, layerClientIngress, isEd25519,
            GatewayLinkSettings.TOKEN_VERIFICATIONS_PER_SECOND_DEFAULT);
    }

    private void startShardAndGateways(
        final int maxSessions, final String layerClientIngress, final boolean isEd25519,
        final int linkVerificationsPerSecond)
    {
        shard = new TestShard((ctx) -> ctx.bandwidthBytesPerTick(64 * 1024).maxSessions(maxSessions)
            .playerTokenPublicKey(isEd25519 ? TestShard.ED25519_KEYS[1] : null)
            .clientIngressChannel(layerClientIngress).gateway()
            .gatewayLink().channel(LINK_CHANNEL).streamId(LINK_STREAM).timeoutNs(TimeUnit.SECONDS.toNanos(2))
            .tokenVerificationsPerSecond(linkVerificationsPerSecond));
        gatewayA = new RemoteGateway(1, 1601, isEd25519);
        gatewayB = new RemoteGateway(2, 1602, isEd25519);
        await(() -> gatewayA.agent.isLinked() && gatewayB.agent.isLinked(), "both gateways linked");
        assertEquals(2, shard.layer.gatewayLink().acceptedLinkCount());
        assertEquals(2, shard.counter(OrreryCounter.GATEWAY_LINKS_ACCEPTED));

        clientAeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(shard.layer.aeronDirectoryName()));
        clients = new ClientLink(clientAeron, new ClientLink.Settings()
            .clock(shard.clock)
            .ingressChannels(gatewayA.ingressChannel, gatewayB.ingressChannel)
            .responseChannel("aeron:udp?endpoint=127.0.0.1:0")
            .responseStreamId(2002)
            .resume(true)
            .resumeBackoffInitialNs(TimeUnit.MILLISECONDS.toNanos(100)));
    }

    private ClientSession[] connectPlayers()
    {
        final ClientSession[] sessions = new ClientSession[PLAYERS];
        lastSessions = sessions;
        for (int i = 0; i < PLAYERS; i++)
        {
            final long playerId = i + 1;
            shard.authority.spawnPlayerAt(playerId, (i * 3L) * TestShard.MM);
            sessions[i] = clients.connect(shard.token(playerId), ClientListener.NO_OP);
        }
        await(() -> allConnected(sessions), "every player welcomed");
        return sessions;
    }

    @Test
    void shouldStreamToClientsOfBothGatewaysAndForwardTheirInputsWhenTheLayerTakesNoClientOfItsOwn()
    {
        startShardAndGateways(64, GatewayContext.NO_CLIENT_INGRESS);
        assertEquals(0, shard.layer.gateway().ingressEndpointCount(), "the layer listens for no client itself");
        final ClientSession[] sessions = connectPlayers();
        assertEquals(PLAYERS / 2, gatewayA.agent.sessionCount(), "sessions through gateway A");
        assertEquals(PLAYERS / 2, gatewayB.agent.sessionCount(), "sessions through gateway B");
        assertEquals(PLAYERS, shard.layer.gatewayLink().sessionCount());

        ticksUntil(() -> everyoneSeesEveryone(sessions), 300, "every client sees every player");
        final long appliedBefore = shard.authority.inputsApplied;
        for (int t = 0; t < 30; t++)
        {
            for (final ClientSession session : sessions)
            {
                session.sendInput(1, 0, 0, 0, 0, 0, shard.clock.nanoTime());
            }
            tick();
        }
        ticksUntil(() -> allInputsAcknowledged(sessions), 300, "inputs applied and echoed to their clients");
        assertTrue(shard.authority.inputsApplied - appliedBefore >= PLAYERS, "inputs applied by the authority");
        assertEquals(0, shard.counter(OrreryCounter.GATEWAY_LINK_MESSAGES_REFUSED));
        assertEquals(0, gatewayA.counters[OrreryCounter.GATEWAY_RELAY_FAILURES.id()].get());
        assertEquals(0, gatewayB.counters[OrreryCounter.GATEWAY_RELAY_FAILURES.id()].get());
    }

    @Test
    void shouldResumeAKilledGatewaysClientsThroughTheOtherWithoutDisturbingItsOwn()
    {
        startShardAndGateways();
        final ClientSession[] sessions = connectPlayers();
        ticksUntil(() -> everyoneSeesEveryone(sessions), 300, "every client sees every player");
        final long ticksBefore = shard.layer.replicant().tickCount();
        final long rigTicksBefore = rigTicks;

        gatewayA.kill();
        final long killedAtNs = System.nanoTime();
        ticksUntil(() -> allConnected(sessions) && resumedThroughB(sessions) && everyoneSeesEveryone(sessions),
            2_000, "gateway A's clients resumed through gateway B");
        System.out.println("gateway A killed -> its clients resumed through B and see every player: " +
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAtNs) + " ms wall clock");

        for (int i = 0; i < PLAYERS; i++)
        {
            // a client that resumed through B before the layer ended its session on A was refused (one layer
            // session per player) and resumed again: one resumption or more for A's, none for B's
            final boolean wasOnA = 0 == i % 2;
            assertEquals(wasOnA, sessions[i].resumesStarted() >= 1, "resumes of player " + (i + 1) + ": " +
                sessions[i].resumesStarted());
        }
        assertEquals(PLAYERS, gatewayB.agent.sessionCount(), "every session now through gateway B");
        ticksUntil(() -> 1 == shard.counter(OrreryCounter.GATEWAY_LINKS_LOST), 200, "the layer drops gateway A");
        ticksUntil(() -> PLAYERS == shard.layer.gatewayLink().sessionCount(), 200, "gateway A's sessions ended");
        // each rig tick moves the clock past the layer's tick interval: the layer ticks at every one unless something
        // held it up (how many there were depends on how fast the media driver tells of the lost Gateway)
        final long rigTicksSinceKill = rigTicks - rigTicksBefore;
        assertTrue(rigTicksSinceKill > 0);
        assertTrue(shard.layer.replicant().tickCount() - ticksBefore >= rigTicksSinceKill,
            "the layer kept ticking: " + (shard.layer.replicant().tickCount() - ticksBefore) + " layer ticks in " +
            rigTicksSinceKill + " rig ticks");
        assertEquals(PLAYERS, shard.store().size(), "one entity per player");
    }

    @Test
    void shouldServeAPlayerThroughOneGatewayOnlyWhenItOpensASecondSessionThroughAnother()
    {
        startShardAndGateways();
        shard.authority.spawnPlayerAt(1, 0);
        final ClientSession first = clients.connect(shard.token(1), ClientListener.NO_OP); // through gateway A
        await(() -> ClientSession.State.CONNECTED == first.state(), "the player welcomed through gateway A");
        ticksUntil(() -> first.view().contains(1), 300, "the player streamed its own entity");
        assertEquals(1, gatewayA.agent.sessionCount());

        // the same player through gateway B (the link spreads sessions round robin) while its first session lives,
        // as a client resuming through another Gateway before the layer ended its session on a lost one would
        final ClientSession second = clients.connect(shard.token(1), ClientListener.NO_OP);
        ticksUntil(() -> shard.counter(OrreryCounter.GATEWAY_LINK_MESSAGES_REFUSED) > 0, 300,
            "the second session refused by the layer");
        for (int t = 0; t < 60; t++)
        {
            tick();
        }
        assertEquals(1, shard.layer.gatewayLink().sessionCount(), "one layer session for the player");
        assertEquals(ClientSession.State.CONNECTED, first.state(), "the first session kept");
        assertTrue(first.view().contains(1), "the first session keeps its entity");
        assertEquals(1, shard.store().size(), "one entity for the player");
        assertTrue(ClientSession.State.CONNECTED != second.state() || 0 == gatewayB.agent.sessionCount(),
            "the second session is not served");
    }

    @Test
    void shouldServeAPlayerThroughOneGatewayOnlyAcrossTheInProcessGatewayAndARemoteOne()
    {
        startShardAndGateways();
        shard.authority.spawnPlayerAt(1, 0);
        shard.authority.spawnPlayerAt(2, 3 * TestShard.MM);
        final ClientSession remote = clients.connect(shard.token(1), ClientListener.NO_OP); // through gateway A
        final ClientSession inProcess = shard.link.connect(shard.token(2), ClientListener.NO_OP);
        await(() -> ClientSession.State.CONNECTED == remote.state() &&
            ClientSession.State.CONNECTED == inProcess.state(), "one player through each kind of Gateway");

        // player 1 again, through the layer's own Gateway: a duplicate while its remote session lives
        final ClientSession remoteAgain = shard.link.connect(shard.token(1), ClientListener.NO_OP);
        ticksUntil(() -> shard.counter(OrreryCounter.REJECTED_DUPLICATE_SESSION) > 0, 300,
            "the in-process Gateway refused the remote player's second session");
        // player 2 again, through a remote Gateway: refused by the layer while its in-process session lives
        final ClientSession inProcessAgain = clients.connect(shard.token(2), ClientListener.NO_OP);
        ticksUntil(() -> shard.counter(OrreryCounter.GATEWAY_LINK_MESSAGES_REFUSED) > 0, 300,
            "the layer refused the in-process player's second session through a remote Gateway");
        for (int t = 0; t < 60; t++)
        {
            tick();
        }
        assertEquals(1, shard.layer.gatewayLink().sessionCount(), "one remote layer session: player 1's");
        assertEquals(ClientSession.State.CONNECTED, remote.state(), "player 1's first session kept");
        assertEquals(ClientSession.State.CONNECTED, inProcess.state(), "player 2's first session kept");
        assertTrue(remote.view().contains(1) && inProcess.view().contains(2), "each keeps its own entity");
        assertEquals(2, shard.store().size(), "one entity per player");
        assertTrue(ClientSession.State.CONNECTED != remoteAgain.state(), "player 1's second session not served");
        assertTrue(ClientSession.State.CONNECTED != inProcessAgain.state() || 0 == gatewayB.agent.sessionCount(),
            "player 2's second session not served");
    }

    @Test
    void shouldCountRemoteGatewaysSessionsInSessionsActiveFromWelcomeToEnd()
    {
        startShardAndGateways();
        shard.authority.spawnPlayerAt(1, 0);
        shard.authority.spawnPlayerAt(2, 3 * TestShard.MM);
        shard.authority.spawnPlayerAt(3, 6 * TestShard.MM);
        final ClientSession throughA = clients.connect(shard.token(1), ClientListener.NO_OP);
        final ClientSession throughB = clients.connect(shard.token(2), ClientListener.NO_OP);
        final ClientSession inProcess = shard.link.connect(shard.token(3), ClientListener.NO_OP);
        await(() -> ClientSession.State.CONNECTED == throughA.state() &&
            ClientSession.State.CONNECTED == throughB.state() && ClientSession.State.CONNECTED == inProcess.state(),
            "one player through each Gateway");
        ticksUntil(() -> 2 == shard.layer.gatewayLink().sessionCount(), 100, "both remote sessions at the layer");
        assertEquals(1, shard.layer.gateway().activeSessionCount(), "the in-process Gateway's own");
        assertEquals(2, shard.counter(OrreryCounter.GATEWAY_LINK_SESSIONS), "the remote part");
        assertEquals(3, shard.counter(OrreryCounter.SESSIONS_ACTIVE), "every player of the shard");
        assertEquals(1, gatewayA.counters[OrreryCounter.SESSIONS_ACTIVE.id()].get(), "gateway A counts its own");

        throughA.disconnect();
        ticksUntil(() -> 2 == shard.counter(OrreryCounter.SESSIONS_ACTIVE), 300, "the remote session's end counted");
        assertEquals(1, shard.counter(OrreryCounter.GATEWAY_LINK_SESSIONS));

        inProcess.disconnect();
        ticksUntil(() -> 1 == shard.counter(OrreryCounter.SESSIONS_ACTIVE), 300,
            "the in-process session's end counted");
        assertEquals(1, shard.counter(OrreryCounter.GATEWAY_LINK_SESSIONS));

        // a lost Gateway's sessions end with it; its client resumes through gateway A, which the layer accepts only
        // once the lost session has ended (one session per player). The client link runs on its own thread, so the
        // test waits for the settled outcome (every count agreeing on the one resumed session) rather than
        // asserting on a moment in between (a resume refused and retried shows A's count at 0 for a while)
        final long lostSessionId = throughB.sessionId();
        gatewayB.kill();
        ticksUntil(() -> 1 == shard.counter(OrreryCounter.GATEWAY_LINKS_LOST) &&
            ClientSession.State.CONNECTED == throughB.state() && lostSessionId != throughB.sessionId() &&
            1 == shard.counter(OrreryCounter.SESSIONS_ACTIVE) &&
            1 == shard.counter(OrreryCounter.GATEWAY_LINK_SESSIONS) &&
            1 == gatewayA.counters[OrreryCounter.SESSIONS_ACTIVE.id()].get() &&
            1 == shard.layer.gatewayLink().sessionCount(), 900,
            "the lost Gateway's session ended and its client resumed through A, counted once everywhere");
    }

    @Test
    void shouldRefuseSessionsThroughEveryKindOfGatewayOnceTheShardHoldsMaxSessionsPlayers()
    {
        startShardAndGateways(2);
        for (int p = 1; p <= 4; p++)
        {
            shard.authority.spawnPlayerAt(p, (p * 3L) * TestShard.MM);
        }
        final ClientSession remote = clients.connect(shard.token(1), ClientListener.NO_OP); // through gateway A
        final ClientSession inProcess = shard.link.connect(shard.token(2), ClientListener.NO_OP);
        await(() -> ClientSession.State.CONNECTED == remote.state() &&
            ClientSession.State.CONNECTED == inProcess.state(), "one player through each kind of Gateway");
        // the remote Gateway may welcome its client before the layer has read its SessionOpened
        ticksUntil(() -> 2 == shard.counter(OrreryCounter.SESSIONS_ACTIVE), 300, "both players counted at the layer");

        // the in-process Gateway holds one session, the shard two: full
        final ClientSession thirdInProcess = shard.link.connect(shard.token(3), ClientListener.NO_OP);
        ticksUntil(() -> thirdInProcess.transientRejects() >= 1, 300, "the in-process Gateway refused player 3");
        assertEquals(RejectReason.tooManySessions.value(), thirdInProcess.rejectReason());
        final long refusedBefore = shard.counter(OrreryCounter.REJECTED_TOO_MANY_SESSIONS);

        // the link holds one session, the shard two: full
        final ClientSession fourthRemote = clients.connect(shard.token(4), ClientListener.NO_OP); // through B
        ticksUntil(() -> shard.counter(OrreryCounter.REJECTED_TOO_MANY_SESSIONS) > refusedBefore, 300,
            "the layer refused player 4's session through a remote Gateway");
        for (int t = 0; t < 30; t++)
        {
            tick();
        }
        assertEquals(2, shard.counter(OrreryCounter.SESSIONS_ACTIVE), "still two players in the shard");
        assertEquals(1, shard.layer.gatewayLink().sessionCount());
        assertEquals(1, shard.layer.gateway().activeSessionCount());
        assertTrue(ClientSession.State.CONNECTED != thirdInProcess.state(), "player 3 not served");
        assertTrue(ClientSession.State.CONNECTED != fourthRemote.state() || 0 == gatewayB.agent.sessionCount(),
            "player 4 not served");

        // a player leaves: another gets in (a new one, or a refused one still trying), and the shard stays at two
        shard.authority.spawnPlayerAt(5, 15 * TestShard.MM);
        inProcess.disconnect();
        final ClientSession fifth = shard.link.connect(shard.token(5), ClientListener.NO_OP);
        ticksUntil(() -> 2 == shard.counter(OrreryCounter.SESSIONS_ACTIVE) &&
            (ClientSession.State.CONNECTED == fifth.state() ||
            ClientSession.State.CONNECTED == thirdInProcess.state() ||
            ClientSession.State.CONNECTED == fourthRemote.state()), 1_000, "another player in once one left");
        for (int t = 0; t < 60; t++)
        {
            tick();
            assertTrue(shard.counter(OrreryCounter.SESSIONS_ACTIVE) <= 2, "never more players than max sessions");
            assertTrue(shard.layer.gateway().activeSessionCount() + shard.layer.gatewayLink().sessionCount() <= 2);
        }
    }

    @Test
    void shouldRefuseNewClientsWithShardFullAtRemoteGatewaysWhileTheLayerHasAdmissionClosed()
    {
        startShardAndGateways();
        shard.authority.spawnPlayerAt(1, 0);
        shard.authority.spawnPlayerAt(2, 3 * TestShard.MM);
        final ClientSession first = clients.connect(shard.token(1), ClientListener.NO_OP); // through gateway A
        await(() -> ClientSession.State.CONNECTED == first.state(), "player 1 welcomed");

        // Atlas closes admission (no server can take another player): the layer tells every Gateway
        shard.layer.systemCounter(OrreryCounter.ADMISSION_CLOSED).setOrdered(1);
        ticksUntil(() -> 1 == gatewayA.counters[OrreryCounter.ADMISSION_CLOSED.id()].get() &&
            1 == gatewayB.counters[OrreryCounter.ADMISSION_CLOSED.id()].get(), 100, "both Gateways told");
        final ClientSession second = clients.connect(shard.token(2), ClientListener.NO_OP); // through gateway B
        ticksUntil(() -> second.transientRejects() >= 1, 300, "player 2 refused");
        assertEquals(RejectReason.shardFull.value(), second.rejectReason());
        assertTrue(gatewayB.counters[OrreryCounter.REJECTED_SHARD_FULL.id()].get() >= 1);
        assertEquals(ClientSession.State.CONNECTED, first.state(), "players already in stay");
        assertEquals(1, shard.layer.gatewayLink().sessionCount());

        // admission opens again: the refused client's next hello gets in
        shard.layer.systemCounter(OrreryCounter.ADMISSION_CLOSED).setOrdered(0);
        ticksUntil(() -> ClientSession.State.CONNECTED == second.state(), 600, "player 2 welcomed once admission opened");
        assertEquals(0, gatewayB.counters[OrreryCounter.ADMISSION_CLOSED.id()].get());
        assertEquals(2, shard.layer.gatewayLink().sessionCount());
    }

    @Test
    void shouldLinkAgainAndServeClientsWhenTheLayerDroppedAGatewayThatWasStillAlive()
    {
        startShardAndGateways();
        final ClientSession[] sessions = connectPlayers();

        // gateway A stalls (a long GC pause, a frozen VM): the layer drops it for silence and ends its sessions
        gatewayA.paused = true;
        ticksUntil(() -> shard.counter(OrreryCounter.GATEWAY_LINKS_LOST) >= 1, 600, "the layer dropped gateway A");
        assertEquals(1, shard.layer.gatewayLink().acceptedLinkCount());

        // A runs again: it finds its layer gone (the link's publication closes), closes its clients, and links again
        gatewayA.paused = false;
        ticksUntil(() -> gatewayA.agent.relinks() >= 1, 900, "gateway A found its layer gone");
        ticksUntil(() -> gatewayA.agent.isLinked(), 900, "gateway A linked again");
        assertEquals(2, shard.layer.gatewayLink().acceptedLinkCount());
        assertTrue(!gatewayA.agent.isLayerLost());
        ticksUntil(() -> allConnected(sessions), 900, "every player served again");

        // and it serves clients: a new player through it
        shard.authority.spawnPlayerAt(PLAYERS + 1, 40 * TestShard.MM);
        shard.authority.spawnPlayerAt(PLAYERS + 2, 43 * TestShard.MM);
        final ClientSession late = clients.connect(shard.token(PLAYERS + 1), ClientListener.NO_OP);
        final ClientSession later = clients.connect(shard.token(PLAYERS + 2), ClientListener.NO_OP);
        ticksUntil(() -> ClientSession.State.CONNECTED == late.state() &&
            ClientSession.State.CONNECTED == later.state(), 600, "two new players welcomed");
        assertTrue(gatewayA.agent.sessionCount() >= 1, "gateway A serves clients again");
        assertEquals(PLAYERS + 2, shard.store().size(), "one entity per player");
    }

    @Test
    void shouldRefuseFromAnAuthenticatedGatewayInputForAnotherPlayersEntityOrAnotherGatewaysSession()
    {
        startShardAndGateways();
        final ClientSession[] sessions = connectPlayers();
        final long roguePlayer = PLAYERS + 1;
        shard.authority.spawnPlayerAt(roguePlayer, 60 * TestShard.MM);

        // a Gateway that holds the link secret (a compromised or buggy Gateway process) opens a session of its own
        final RogueGateway rogue = new RogueGateway(1666);
        closeables.add(rogue);
        await(() -> rogue.doWork() >= 0 && rogue.linked, "the rogue Gateway linked");
        final long rogueSession = 9_001;
        rogue.sessionOpened(rogueSession, roguePlayer, shard.token(roguePlayer));
        await(() -> rogue.doWork() >= 0 && PLAYERS + 1 == shard.layer.gatewayLink().sessionCount(),
            "the rogue Gateway's session opened");

        // input for another player's entity through its own session, then through another Gateway's session
        final long refused = shard.counter(OrreryCounter.GATEWAY_LINK_MESSAGES_REFUSED);
        final long received = shard.counter(OrreryCounter.INPUTS_RECEIVED);
        rogue.input(rogueSession, 1);
        rogue.input(sessions[0].sessionId(), 1);
        await(() -> rogue.doWork() >= 0 &&
            shard.counter(OrreryCounter.GATEWAY_LINK_MESSAGES_REFUSED) >= refused + 2, "both inputs refused");
        // and input for its own player's entity is taken (the link reads in order: the refusals came first)
        rogue.input(rogueSession, roguePlayer);
        await(() -> rogue.doWork() >= 0 && shard.counter(OrreryCounter.INPUTS_RECEIVED) >= received + 1,
            "its own player's input taken");
        assertEquals(refused + 2, shard.counter(OrreryCounter.GATEWAY_LINK_MESSAGES_REFUSED));
        assertEquals(received + 1, shard.counter(OrreryCounter.INPUTS_RECEIVED));
        assertTrue(allConnected(sessions), "the genuine Gateways' players undisturbed");
    }

    @Test
    void shouldOpenSessionsOfALinkedGatewayOnlyForPlayersWhoseOwnValidTokenItSendsOn()
    {
        startShardAndGateways();
        final ClientSession[] sessions = connectPlayers();
        final long victim = PLAYERS + 1;
        final long accomplice = PLAYERS + 2;
        shard.authority.spawnPlayerAt(victim, 60 * TestShard.MM);

        // a peer that holds the link secret but not the player key wants to act for a player who never connected
        // through it: with a blank token, a forged one, another player's, an expired one, or none at all
        final RogueGateway rogue = new RogueGateway(1667);
        closeables.add(rogue);
        await(() -> rogue.doWork() >= 0 && rogue.linked, "the rogue Gateway linked");
        final byte[] forged = shard.token(victim);
        forged[forged.length - 1] ^= 1;
        final byte[] expired = new SessionTokens(TestShard.SECRET).issue(victim,
            System.currentTimeMillis() - GatewayLinkAgent.TOKEN_EXPIRY_GRACE_MS - 60_000);
        rogue.sessionOpened(9_001, victim, new byte[SessionTokens.TOKEN_LENGTH]);
        rogue.sessionOpened(9_002, victim, forged);
        rogue.sessionOpened(9_003, victim, shard.token(accomplice));
        rogue.sessionOpened(9_004, victim, expired);
        rogue.sessionOpenedWithoutToken(9_005, victim);
        await(() -> rogue.doWork() >= 0 && shard.counter(OrreryCounter.GATEWAY_LINK_SESSIONS_UNPROVEN) == 5,
            "five sessions refused");
        assertEquals(PLAYERS, shard.layer.gatewayLink().sessionCount(), "none of them opened");

        // the victim's own token (as if the victim had connected through it) opens the session
        rogue.sessionOpened(9_006, victim, shard.token(victim));
        await(() -> rogue.doWork() >= 0 && PLAYERS + 1 == shard.layer.gatewayLink().sessionCount(),
            "the session with the player's own token opened");
        assertEquals(5, shard.counter(OrreryCounter.GATEWAY_LINK_SESSIONS_UNPROVEN));
        assertTrue(allConnected(sessions), "the genuine Gateways' players undisturbed");
    }

    @Test
    void shouldServeEd25519TokensAndRefuseTokensAGatewayCouldMintAtTheGatewayAndAtTheLayer()
    {
        startShardAndGateways(64, ReplicationLayer.Context.CLIENT_INGRESS_CHANNEL_DEFAULT, true);
        final ClientSession[] sessions = connectPlayers(); // tokens the login service's private key signed

        // at a Gateway: a token signed by any other key (all a taken-over Gateway could sign), an HMAC token
        final long victim = PLAYERS + 1;
        shard.authority.spawnPlayerAt(victim, 60 * TestShard.MM);
        final byte[][] rogueKeys = Ed25519PlayerTokens.generateKeyPair();
        final byte[] otherKeys = Ed25519PlayerTokens.forPrivateKey(rogueKeys[0])
            .issue(victim, System.currentTimeMillis() + 60_000);
        final ClientSession forged = clients.connect(otherKeys, ClientListener.NO_OP);
        ticksUntil(() -> forged.transientRejects() + forged.rejectsReceived() >= 1, 300, "the forged token refused");
        assertEquals(RejectReason.badToken.value(), forged.rejectReason());
        final ClientSession hmac = clients.connect(shard.tokens.issue(victim, System.currentTimeMillis() + 60_000),
            ClientListener.NO_OP);
        ticksUntil(() -> hmac.transientRejects() + hmac.rejectsReceived() >= 1, 300, "the HMAC token refused");
        assertEquals(RejectReason.badToken.value(), hmac.rejectReason());
        assertTrue(gatewayA.counters[OrreryCounter.REJECTED_BAD_TOKEN.id()].get() +
            gatewayB.counters[OrreryCounter.REJECTED_BAD_TOKEN.id()].get() >= 2);

        // at the layer: a linked Gateway sends on tokens it signed itself, or an HMAC one
        final RogueGateway rogue = new RogueGateway(1668);
        closeables.add(rogue);
        await(() -> rogue.doWork() >= 0 && rogue.linked, "the rogue Gateway linked");
        rogue.sessionOpened(9_101, victim, otherKeys);
        rogue.sessionOpened(9_102, victim, shard.tokens.issue(victim, System.currentTimeMillis() + 60_000));
        rogue.sessionOpened(9_103, victim, shard.ed25519Tokens.issue(PLAYERS + 2, System.currentTimeMillis() + 60_000));
        await(() -> rogue.doWork() >= 0 && shard.counter(OrreryCounter.GATEWAY_LINK_SESSIONS_UNPROVEN) == 3,
            "three sessions refused");
        assertEquals(PLAYERS, shard.layer.gatewayLink().sessionCount(), "none of them opened");

        // the victim's own token, as the login service signed it, opens the session
        rogue.sessionOpened(9_104, victim, shard.token(victim));
        await(() -> rogue.doWork() >= 0 && PLAYERS + 1 == shard.layer.gatewayLink().sessionCount(),
            "the session with the player's own token opened");
        assertEquals(3, shard.counter(OrreryCounter.GATEWAY_LINK_SESSIONS_UNPROVEN));
        assertTrue(allConnected(sessions), "the genuine Gateways' players undisturbed");
    }

    @Test
    void shouldPutOffRemoteSessionOpeningsBeyondTheLayersEd25519BudgetAndOpenEachOnceItRefills()
    {
        startShardAndGateways(64, ReplicationLayer.Context.CLIENT_INGRESS_CHANNEL_DEFAULT, true, 2);
        final RogueGateway rogue = new RogueGateway(1669);
        closeables.add(rogue);
        await(() -> rogue.doWork() >= 0 && rogue.linked, "the rogue Gateway linked");

        // five sessions with valid tokens at once: the layer verifies two (its burst), the rest wait in the stream
        final int players = 5;
        for (int i = 1; i <= players; i++)
        {
            final long player = PLAYERS + i;
            shard.authority.spawnPlayerAt(player, (60 + 3L * i) * TestShard.MM);
            rogue.sessionOpened(9_200 + i, player, shard.token(player));
        }
        final long deadlineNs = System.nanoTime() + TestShard.DEADLINE_NS;
        while (2 != shard.layer.gatewayLink().sessionCount() ||
            0 == shard.counter(OrreryCounter.GATEWAY_LINK_VERIFICATIONS_DEFERRED))
        {
            stepAll(null); // the shard's clock stands still: the budget does not refill
            assertTrue(System.nanoTime() < deadlineNs, "two sessions opened, the others put off" + diagnostics());
        }
        for (int i = 0; i < 200; i++)
        {
            stepAll(null);
        }
        assertEquals(2, shard.layer.gatewayLink().sessionCount(), "no more before the budget refills");

        // as the clock moves on (two a second), every one of them opens: put off, not refused
        await(() -> rogue.doWork() >= 0 && players == shard.layer.gatewayLink().sessionCount(),
            "every session opened once the budget refilled");
        assertEquals(0, shard.counter(OrreryCounter.GATEWAY_LINK_SESSIONS_UNPROVEN));
    }

    /**
     * A Gateway written from the wire up by someone who holds the link secret: it proves the key, then sends what it
     * likes. The layer must still keep each client to its own entity and each Gateway to its own sessions.
     */
    final class RogueGateway implements AutoCloseable
    {
        final Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(shard.layer.aeronDirectoryName()));
        final ExclusivePublication toLayer = aeron.addExclusivePublication(LINK_CHANNEL, LINK_STREAM);
        final Subscription fromLayer;
        final LinkKey key = GatewayLinkKey.newKey(TestShard.SECRET);
        final byte[] nonce = new byte[LinkKey.NONCE_LENGTH];
        final byte[] layerNonce = new byte[LinkKey.NONCE_LENGTH];
        final byte[] mac = new byte[LinkKey.MAC_LENGTH];
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[256]);
        final io.orrery.wire.gatewaylink.MessageHeaderEncoder header =
            new io.orrery.wire.gatewaylink.MessageHeaderEncoder();
        final io.orrery.wire.gatewaylink.MessageHeaderDecoder headerDecoder =
            new io.orrery.wire.gatewaylink.MessageHeaderDecoder();
        final int responseStreamId;
        boolean helloSent;
        boolean linked;

        RogueGateway(final int responseStreamId)
        {
            this.responseStreamId = responseStreamId;
            fromLayer = aeron.addSubscription("aeron:ipc", responseStreamId);
        }

        int doWork()
        {
            if (!helloSent && toLayer.isConnected())
            {
                helloSent = offer(encodeHello(buffer, header, key, toLayer.sessionId(), 66, nonce,
                    responseStreamId, "aeron:ipc", responseStreamId, "aeron:ipc"));
            }
            return fromLayer.poll((buf, offset, length, frameHeader) ->
            {
                headerDecoder.wrap(buf, offset);
                if (GatewayChallengeDecoder.TEMPLATE_ID == headerDecoder.templateId())
                {
                    final GatewayChallengeDecoder challenge = new GatewayChallengeDecoder();
                    challenge.wrapAndApplyHeader(buf, offset, headerDecoder).getNonce(layerNonce, 0,
                        LinkKey.NONCE_LENGTH);
                    key.prove(GatewayLinkKey.ROLE_GATEWAY, toLayer.sessionId(), frameHeader.sessionId(), layerNonce,
                        mac, 0);
                    final GatewayProofEncoder proof = new GatewayProofEncoder();
                    proof.wrapAndApplyHeader(buffer, 0, header).putMac(mac, 0, LinkKey.MAC_LENGTH);
                    offer(proof.encodedLength());
                }
                else if (GatewayWelcomeDecoder.TEMPLATE_ID == headerDecoder.templateId())
                {
                    linked = true;
                }
            }, 16);
        }

        void sessionOpened(final long sessionId, final long playerEntityId, final byte[] playerToken)
        {
            final SessionOpenedEncoder opened = new SessionOpenedEncoder();
            opened.wrapAndApplyHeader(buffer, 0, header).sessionId(sessionId).playerEntityId(playerEntityId)
                .maxPayloadLength(1376).window(1 << 20).putPlayerToken(playerToken, 0, playerToken.length);
            offerUntilTaken(opened.encodedLength());
        }

        /**
         * A {@code SessionOpened} of the Gateway link's version 1, which had no token.
         */
        void sessionOpenedWithoutToken(final long sessionId, final long playerEntityId)
        {
            final SessionOpenedEncoder opened = new SessionOpenedEncoder();
            opened.wrapAndApplyHeader(buffer, 0, header).sessionId(sessionId).playerEntityId(playerEntityId)
                .maxPayloadLength(1376).window(1 << 20);
            buffer.putShort(6, (short)1, ByteOrder.LITTLE_ENDIAN);
            offerUntilTaken(SessionOpenedEncoder.BLOCK_LENGTH);
        }

        void input(final long sessionId, final long entityId)
        {
            final PlayerInputEncoder input = new PlayerInputEncoder();
            input.wrapAndApplyHeader(payload, 0, new io.orrery.wire.codec.MessageHeaderEncoder())
                .sessionId(sessionId).entityId(entityId).inputSequence(1).clientTimestampNs(0);
            final int payloadLength = io.orrery.wire.codec.MessageHeaderEncoder.ENCODED_LENGTH + input.encodedLength();
            final ClientMessageEncoder message = new ClientMessageEncoder();
            message.wrapAndApplyHeader(buffer, 0, header).putPayload(payload, 0, payloadLength);
            offerUntilTaken(message.encodedLength());
        }

        private boolean offer(final int encodedLength)
        {
            return toLayer.offer(buffer, 0, io.orrery.wire.gatewaylink.MessageHeaderEncoder.ENCODED_LENGTH +
                encodedLength) > 0;
        }

        private void offerUntilTaken(final int encodedLength)
        {
            final long deadlineNs = System.nanoTime() + TestShard.DEADLINE_NS;
            while (!offer(encodedLength))
            {
                stepAll(null);
                if (System.nanoTime() > deadlineNs)
                {
                    fail("the layer never took the rogue Gateway's message");
                }
            }
        }

        @Override
        public void close()
        {
            CloseHelper.quietCloseAll(fromLayer, toLayer, aeron);
        }
    }

    @Test
    void shouldRefuseAndCountAGatewayLinkPeerWithoutTheKey()
    {
        shard = new TestShard((ctx) -> ctx.gateway().gatewayLink().channel(LINK_CHANNEL).streamId(LINK_STREAM));
        final Aeron impostorAeron = Aeron.connect(
            new Aeron.Context().aeronDirectoryName(shard.layer.aeronDirectoryName()));
        closeables.add(impostorAeron);
        final Counter[] counters = OrreryCounter.allocate(impostorAeron, "impostor");
        final List<String> impostorLog = new ArrayList<>();
        final LayerLinkAgent impostor = new LayerLinkAgent(
            new GatewayResources("impostor", impostorAeron, TestShard.SECRET, Throwable::printStackTrace,
                shard.clock, SystemEpochClock.INSTANCE),
            new GatewayContext().clientIngressChannel("aeron:ipc?term-length=64k").clientIngressStreamId(3003)
                .conclude(),
            66, LINK_CHANNEL, LINK_STREAM, "aeron:ipc", 1666,
            "not-the-link-secret-0123456789".getBytes(java.nio.charset.StandardCharsets.US_ASCII), counters,
            impostorLog::add);
        closeables.add(impostor::onClose);

        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        long advancedAtNs = System.nanoTime();
        while (shard.counter(OrreryCounter.GATEWAY_LINK_HELLOS_REFUSED) < 3)
        {
            if (0 == stepAll(impostor) && System.nanoTime() - advancedAtNs >= TimeUnit.MILLISECONDS.toNanos(1))
            {
                advancedAtNs = System.nanoTime();
                shard.clock.advance(TimeUnit.MILLISECONDS.toNanos(1));
            }
            if (System.nanoTime() > deadlineNs)
            {
                fail("the layer never refused the impostor's hellos");
            }
        }
        // six seconds of its hellos on the shard's clock: never answered
        for (int i = 0; i < 240; i++)
        {
            stepAll(impostor);
            shard.clock.advance(TimeUnit.MILLISECONDS.toNanos(25));
        }
        assertTrue(!impostor.isLinked(), "impostor linked");
        assertTrue(impostorLog.stream().anyMatch((line) -> line.contains("no challenge from the layer after 5 s") &&
            line.contains("another Gateway link secret")), "the Gateway says why it does not link: " + impostorLog);
        assertEquals(0, shard.layer.gatewayLink().acceptedLinkCount());
        assertEquals(0, shard.counter(OrreryCounter.GATEWAY_LINKS_ACCEPTED));
        assertEquals(0, shard.layer.gatewayLink().handshakesStarted(),
            "nothing spent on a hello without the key: no publication, no handshake slot");
        assertEquals(0, shard.layer.gatewayLink().linkCount());
        assertEquals(0, shard.counter(OrreryCounter.GATEWAY_LINK_PROOFS_FAILED), "never challenged");
        assertEquals(0, shard.layer.gatewayLink().sessionCount());
        CloseHelper.quietCloseAll(counters);
    }

    @Test
    void shouldLinkAGenuineGatewayWhilePeersThatNeverProveThemselvesHoldEveryHandshakeSlot()
    {
        shard = new TestShard((ctx) -> ctx.gateway().gatewayLink().channel(LINK_CHANNEL).streamId(LINK_STREAM));
        final Aeron impostorAeron = Aeron.connect(
            new Aeron.Context().aeronDirectoryName(shard.layer.aeronDirectoryName()));
        closeables.add(impostorAeron);
        final Counter[] counters = OrreryCounter.allocate(impostorAeron, "impostors");
        closeables.add(() -> CloseHelper.quietCloseAll(counters));
        final byte[] wrongKey = "not-the-link-secret-0123456789".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

        // as many peers without the key as the layer tracks links for: each hello refused at its MAC, nothing held
        final List<LayerLinkAgent> refused = new ArrayList<>();
        for (int i = 0; i < GatewayLinkAgent.MAX_LINKS; i++)
        {
            refused.add(impostor(impostorAeron, counters, 100 + i, wrongKey));
        }
        await(() -> stepEach(refused) >= 0 &&
            shard.counter(OrreryCounter.GATEWAY_LINK_HELLOS_REFUSED) >= GatewayLinkAgent.MAX_LINKS,
            "the impostors' hellos refused");
        assertEquals(0, shard.layer.gatewayLink().handshakesStarted());
        assertEquals(0, shard.layer.gatewayLink().linkCount());
        // then every handshake slot is held by peers that say a valid hello and never answer the challenge (a hello
        // replayed off the wire, or a key holder that never proves)
        final List<LayerLinkAgent> silent = new ArrayList<>();
        for (int i = 0; i < GatewayLinkAgent.MAX_PENDING_LINKS; i++)
        {
            silent.add(impostor(impostorAeron, counters, 200 + i, TestShard.SECRET));
        }
        // each says hello once its publication is connected (a single duty cycle may come before that), then no more
        sayHelloAndFreeze(silent, GatewayLinkAgent.MAX_PENDING_LINKS, 0);
        final long heldFromNs = shard.clock.nanoTime();
        assertEquals(GatewayLinkAgent.MAX_PENDING_LINKS, shard.layer.gatewayLink().pendingLinkCount(),
            "every handshake slot held");

        // a genuine Gateway gets in before any of those handshakes could time out: the oldest is dropped for it,
        // once it is old enough that a flood of hellos cannot churn the layer's publications
        gatewayA = new RemoteGateway(1, 1601);
        await(() -> gatewayA.agent.isLinked(), "the genuine Gateway linked");
        assertTrue(shard.clock.nanoTime() - heldFromNs < GatewayLinkAgent.HANDSHAKE_TIMEOUT_NS,
            "linked while the silent peers' handshakes were still live");
        assertTrue(shard.clock.nanoTime() - heldFromNs >= GatewayLinkAgent.MIN_HANDSHAKE_AGE_NS,
            "no handshake dropped before it was old enough");
        assertEquals(1, shard.layer.gatewayLink().acceptedLinkCount());
        assertTrue(shard.layer.gatewayLink().linkCount() <= GatewayLinkAgent.MAX_LINKS);
    }

    @Test
    void shouldOpenAtMostOneHandshakeSlotsWorthOfPublicationsPerMinimumAgeForAFloodOfNewPeers()
    {
        shard = new TestShard((ctx) -> ctx.gateway().gatewayLink().channel(LINK_CHANNEL).streamId(LINK_STREAM));
        final Aeron impostorAeron = Aeron.connect(
            new Aeron.Context().aeronDirectoryName(shard.layer.aeronDirectoryName()));
        closeables.add(impostorAeron);
        final Counter[] counters = OrreryCounter.allocate(impostorAeron, "flood");
        closeables.add(() -> CloseHelper.quietCloseAll(counters));
        final GatewayLinkAgent link = shard.layer.gatewayLink();

        // a flood of peers without the key: every hello refused at its MAC, no publication opened
        final int keyless = 4 * GatewayLinkAgent.MAX_PENDING_LINKS;
        final List<LayerLinkAgent> strangers = new ArrayList<>();
        final byte[] wrongKey = "not-the-link-secret-0123456789".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        for (int i = 0; i < keyless; i++)
        {
            strangers.add(impostor(impostorAeron, counters, 700 + i, wrongKey));
        }
        await(() -> stepEach(strangers) >= 0 && shard.counter(OrreryCounter.GATEWAY_LINK_HELLOS_REFUSED) >= keyless,
            "the strangers' hellos refused");
        assertEquals(0, link.handshakesStarted());

        // every handshake slot taken by peers that say a valid hello and never answer
        sayHelloAndFreeze(silentPeers(impostorAeron, counters, 300, GatewayLinkAgent.MAX_PENDING_LINKS, LINK_CHANNEL,
            "aeron:ipc"), GatewayLinkAgent.MAX_PENDING_LINKS, 0);
        assertEquals(GatewayLinkAgent.MAX_PENDING_LINKS, link.handshakesStarted());

        // twice as many new peers in the same instant: each hello is shed, no publication opened for it
        final int flood = 2 * GatewayLinkAgent.MAX_PENDING_LINKS;
        sayHelloAndFreeze(silentPeers(impostorAeron, counters, 400, flood, LINK_CHANNEL, "aeron:ipc"), 0, flood);
        assertEquals(GatewayLinkAgent.MAX_PENDING_LINKS, link.handshakesStarted());
        assertEquals(GatewayLinkAgent.MAX_PENDING_LINKS, link.pendingLinkCount());

        // once the held handshakes are old enough each new peer takes one slot, and only one slot's worth
        shard.clock.advance(GatewayLinkAgent.MIN_HANDSHAKE_AGE_NS);
        sayHelloAndFreeze(silentPeers(impostorAeron, counters, 500, flood, LINK_CHANNEL, "aeron:ipc"),
            GatewayLinkAgent.MAX_PENDING_LINKS, flood - GatewayLinkAgent.MAX_PENDING_LINKS);
        assertEquals(2L * GatewayLinkAgent.MAX_PENDING_LINKS, link.handshakesStarted());
        assertEquals(GatewayLinkAgent.MAX_PENDING_LINKS, link.pendingLinkCount());
    }

    @Test
    void shouldLetOneUdpHostHoldNoMoreThanItsShareOfHandshakeSlots()
    {
        final int linkPort = freeUdpPort();
        final String linkChannel = "aeron:udp?endpoint=127.0.0.1:" + linkPort;
        shard = new TestShard((ctx) -> ctx.gateway().gatewayLink().channel(linkChannel).streamId(LINK_STREAM));
        final Aeron impostorAeron = Aeron.connect(
            new Aeron.Context().aeronDirectoryName(shard.layer.aeronDirectoryName()));
        closeables.add(impostorAeron);
        final Counter[] counters = OrreryCounter.allocate(impostorAeron, "one-host");
        closeables.add(() -> CloseHelper.quietCloseAll(counters));
        final String response = "aeron:udp?endpoint=127.0.0.1:" + freeUdpPort();
        final GatewayLinkAgent link = shard.layer.gatewayLink();

        // peers on one host: two of them get a handshake, the rest are shed
        final int fromOneHost = 2 * GatewayLinkAgent.MAX_PENDING_LINKS_PER_HOST;
        sayHelloAndFreeze(silentPeers(impostorAeron, counters, 600, fromOneHost, linkChannel, response),
            GatewayLinkAgent.MAX_PENDING_LINKS_PER_HOST, fromOneHost - GatewayLinkAgent.MAX_PENDING_LINKS_PER_HOST);
        assertEquals(GatewayLinkAgent.MAX_PENDING_LINKS_PER_HOST, link.pendingLinkCount());

        assertEquals(GatewayLinkAgent.MAX_PENDING_LINKS_PER_HOST, link.handshakesStarted());
    }

    @Test
    void shouldRefuseAGatewayHelloReplayedWithAnotherChannelOrStreamOrWithoutAMacAndTheLinkOfOneWithoutTheKey()
    {
        shard = new TestShard((ctx) -> ctx.gateway().gatewayLink().channel(LINK_CHANNEL).streamId(LINK_STREAM));
        final Aeron peerAeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(shard.layer.aeronDirectoryName()));
        closeables.add(peerAeron);
        final ExclusivePublication toLayer = peerAeron.addExclusivePublication(LINK_CHANNEL, LINK_STREAM);
        final Subscription fromLayer = peerAeron.addSubscription("aeron:ipc", 1700);
        await(toLayer::isConnected, "the peer's publication connected");
        final LinkKey key = GatewayLinkKey.newKey(TestShard.SECRET);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
        final io.orrery.wire.gatewaylink.MessageHeaderEncoder header =
            new io.orrery.wire.gatewaylink.MessageHeaderEncoder();
        final byte[] nonce = new byte[LinkKey.NONCE_LENGTH];
        final int headerLength = io.orrery.wire.gatewaylink.MessageHeaderEncoder.ENCODED_LENGTH;
        final GatewayLinkAgent link = shard.layer.gatewayLink();

        // a genuine Gateway's hello (signed for its own channel and stream) replayed naming another channel
        offerUntilTaken(toLayer, buffer, headerLength + encodeHello(buffer, header, key, toLayer.sessionId(), 7, nonce,
            1700, "aeron:ipc", 1700, "aeron:ipc?alias=elsewhere"));
        // ... or another stream
        offerUntilTaken(toLayer, buffer, headerLength + encodeHello(buffer, header, key, toLayer.sessionId(), 7, nonce,
            1700, "aeron:ipc", 1701, "aeron:ipc"));
        // a hello of the link's version 3: no MAC
        header.wrap(buffer, 0).blockLength(24).templateId(1).schemaId(header.sbeSchemaId()).version(3);
        buffer.putInt(headerLength, 7, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(headerLength + 4, 1700, ByteOrder.LITTLE_ENDIAN);
        buffer.putBytes(headerLength + 8, nonce);
        final byte[] channel = "aeron:ipc".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        buffer.putShort(headerLength + 24, (short)channel.length, ByteOrder.LITTLE_ENDIAN);
        buffer.putBytes(headerLength + 26, channel);
        offerUntilTaken(toLayer, buffer, headerLength + 26 + channel.length);
        await(() -> shard.counter(OrreryCounter.GATEWAY_LINK_HELLOS_REFUSED) >= 3, "the three hellos refused");
        assertEquals(0, link.handshakesStarted(), "no publication opened, no handshake slot taken");
        assertEquals(0, link.linkCount());

        // the same image's hello as signed is taken: the check is exact, and refusals did not ban the image
        offerUntilTaken(toLayer, buffer, headerLength + encodeHello(buffer, header, key, toLayer.sessionId(), 7, nonce,
            1700, "aeron:ipc", 1700, "aeron:ipc"));
        await(() -> 1 == link.handshakesStarted(), "the signed hello's handshake started");
        assertEquals(3, shard.counter(OrreryCounter.GATEWAY_LINK_HELLOS_REFUSED));

        // whoever replayed it cannot answer the challenge: its proof fails and the link is refused
        final boolean[] challenged = new boolean[1];
        await(() -> fromLayer.poll((buf, offset, length, frameHeader) -> challenged[0] = true, 1) >= 0 && challenged[0],
            "the layer's challenge");
        final GatewayProofEncoder proof = new GatewayProofEncoder();
        proof.wrapAndApplyHeader(buffer, 0, header).putMac(new byte[LinkKey.MAC_LENGTH], 0, LinkKey.MAC_LENGTH);
        offerUntilTaken(toLayer, buffer, headerLength + proof.encodedLength());
        await(() -> 1 == shard.counter(OrreryCounter.GATEWAY_LINK_PROOFS_FAILED), "the proof failed");
        assertEquals(0, link.acceptedLinkCount());
        assertEquals(0, shard.counter(OrreryCounter.GATEWAY_LINKS_ACCEPTED));
    }

    private void offerUntilTaken(final ExclusivePublication publication, final UnsafeBuffer buffer, final int length)
    {
        await(() -> publication.offer(buffer, 0, length) > 0, "the layer took the peer's message");
    }

    /**
     * Encode a {@code GatewayHello} whose MAC covers {@code signedStreamId} and {@code signedChannel} and which names
     * {@code sentStreamId} and {@code sentChannel}: the two differ in a hello replayed with another channel.
     *
     * @return its length after the message header.
     */
    static int encodeHello(
        final UnsafeBuffer buffer,
        final io.orrery.wire.gatewaylink.MessageHeaderEncoder header,
        final LinkKey key,
        final int gatewaySessionId,
        final int gatewayId,
        final byte[] nonce,
        final int signedStreamId,
        final String signedChannel,
        final int sentStreamId,
        final String sentChannel)
    {
        final byte[] extra = LinkKey.helloExtra(signedChannel, signedStreamId);
        final byte[] mac = new byte[LinkKey.MAC_LENGTH];
        key.prove(GatewayLinkKey.ROLE_HELLO, gatewaySessionId, gatewayId, nonce, extra, 0, extra.length, mac, 0);
        final GatewayHelloEncoder hello = new GatewayHelloEncoder();
        hello.wrapAndApplyHeader(buffer, 0, header).gatewayId(gatewayId).responseStreamId(sentStreamId)
            .putNonce(nonce, 0, LinkKey.NONCE_LENGTH).putMac(mac, 0, LinkKey.MAC_LENGTH).responseChannel(sentChannel);
        return hello.encodedLength();
    }

    private List<LayerLinkAgent> silentPeers(
        final Aeron aeron,
        final Counter[] counters,
        final int firstId,
        final int count,
        final String linkChannel,
        final String responseChannel)
    {
        // they hold the key (a valid hello, as one replayed off the wire) and never answer the challenge: they stop
        // at their hello (sayHelloAndFreeze)
        final List<LayerLinkAgent> peers = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            peers.add(impostor(aeron, counters, firstId + i, TestShard.SECRET, linkChannel, responseChannel));
        }
        return peers;
    }

    /**
     * Each peer says hello once (and never anything more) while the shard's clock stands still; waits until the
     * layer started {@code started} more handshakes and shed {@code shed} more hellos.
     */
    private void sayHelloAndFreeze(final List<LayerLinkAgent> peers, final int started, final int shed)
    {
        final GatewayLinkAgent link = shard.layer.gatewayLink();
        final long startedBefore = link.handshakesStarted();
        final long shedBefore = shard.counter(OrreryCounter.GATEWAY_LINK_UNAUTHENTICATED);
        final long deadlineNs = System.nanoTime() + TestShard.DEADLINE_NS;
        final boolean[] helloSent = new boolean[peers.size()];
        int sent = 0;
        while (sent < peers.size() || link.handshakesStarted() - startedBefore < started ||
            shard.counter(OrreryCounter.GATEWAY_LINK_UNAUTHENTICATED) - shedBefore < shed)
        {
            for (int i = 0; i < peers.size(); i++)
            {
                // a peer's first duty cycles connect its publication and send its hello; then it falls silent
                if (!helloSent[i] && peers.get(i).doWork() >= 0 && peers.get(i).hellosSent() > 0)
                {
                    helloSent[i] = true;
                    sent++;
                }
            }
            stepAll(null);
            if (System.nanoTime() > deadlineNs)
            {
                fail("hellos sent " + sent + "/" + peers.size() + ", handshakes started " +
                    (link.handshakesStarted() - startedBefore) + "/" + started + ", shed " +
                    (shard.counter(OrreryCounter.GATEWAY_LINK_UNAUTHENTICATED) - shedBefore) + "/" + shed);
            }
        }
        final long settleNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
        while (System.nanoTime() < settleNs)
        {
            stepAll(null); // nothing more may start from these hellos
        }
        assertEquals(started, link.handshakesStarted() - startedBefore, "handshakes started");
    }

    private LayerLinkAgent impostor(
        final Aeron aeron, final Counter[] counters, final int id, final byte[] key)
    {
        return impostor(aeron, counters, id, key, LINK_CHANNEL, "aeron:ipc?term-length=64k");
    }

    private LayerLinkAgent impostor(
        final Aeron aeron,
        final Counter[] counters,
        final int id,
        final byte[] key,
        final String linkChannel,
        final String responseChannel)
    {
        final LayerLinkAgent impostor = new LayerLinkAgent(
            new GatewayResources("impostor-" + id, aeron, TestShard.SECRET, Throwable::printStackTrace,
                shard.clock, SystemEpochClock.INSTANCE),
            new GatewayContext().clientIngressChannel("aeron:ipc?term-length=64k").clientIngressStreamId(3000 + id)
                .conclude(),
            id, linkChannel, LINK_STREAM, responseChannel, 4000 + id, key, counters, (line) -> {});
        closeables.add(impostor::onClose);
        return impostor;
    }

    private int stepEach(final List<LayerLinkAgent> extras)
    {
        int work = stepAll(null);
        for (int i = 0, size = extras.size(); i < size; i++)
        {
            work += extras.get(i).doWork();
        }
        return work;
    }

    @Test
    void shouldNotAllocateInSteadyStateWhenRelayingThroughRemoteGateways()
    {
        startShardAndGateways();
        final ClientSession[] sessions = connectPlayers();
        final java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        for (int i = 0; i < 150; i++)
        {
            shard.createEntity(1_000_000 + i, random.nextLong(-60, 60), 0.5f);
        }
        ticksUntil(() -> everyoneSeesEveryone(sessions), 300, "every client sees every player");
        long bytes = -1;
        long relayed = 0;
        for (int round = 1; round <= 8 && 0 != bytes; round++)
        {
            final long relayedBefore = gatewayA.agent.framesRelayed() + gatewayB.agent.framesRelayed();
            final long[] allocated = new long[1];
            for (int t = 0; t < 300; t++)
            {
                for (final ClientSession session : sessions)
                {
                    session.sendInput(1, 0, 0, 0, 0, 0, shard.clock.nanoTime());
                }
                shard.store().position(shard.store().slotOf(1_000_000 + t % 150), random.nextLong(-60_000, 60_000),
                    0, 0);
                shard.clock.advance(TestShard.TICK_NS);
                final long tickStartNs = System.nanoTime();
                final long deadlineNs = tickStartNs + TestShard.DEADLINE_NS;
                int idle = 0;
                while (idle < 3 || System.nanoTime() - tickStartNs < TestShard.TICK_NS / CLOCK_SPEED_UP)
                {
                    final long before = AllocationMeter.threadAllocatedBytes();
                    final int work = shard.layer.doWork() + gatewayA.doWork() + gatewayB.doWork();
                    allocated[0] += AllocationMeter.threadAllocatedBytes() - before;
                    idle = work + clients.doWork() == 0 ? idle + 1 : 0;
                    if (System.nanoTime() > deadlineNs)
                    {
                        fail("shard did not go idle");
                    }
                }
            }
            bytes = allocated[0];
            relayed = gatewayA.agent.framesRelayed() + gatewayB.agent.framesRelayed() - relayedBefore;
            System.out.println("round " + round + ": layer + two gateways allocated " + bytes + " bytes over " +
                relayed + " relayed frames");
        }
        assertTrue(relayed >= 1_000, "frames relayed: " + relayed);
        assertEquals(0, bytes, "bytes allocated by the layer and the gateways in steady state");
        assertTrue(allConnected(sessions));
    }

    private boolean resumedThroughB(final ClientSession[] sessions)
    {
        return PLAYERS == gatewayB.agent.sessionCount();
    }

    private static boolean allConnected(final ClientSession[] sessions)
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

    private static boolean everyoneSeesEveryone(final ClientSession[] sessions)
    {
        for (final ClientSession session : sessions)
        {
            for (int p = 1; p <= PLAYERS; p++)
            {
                if (!session.view().contains(p))
                {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean allInputsAcknowledged(final ClientSession[] sessions)
    {
        for (final ClientSession session : sessions)
        {
            final int slot = session.view().slotOf(session.playerEntityId());
            if (slot < 0 || session.view().lastAppliedInputSequence(slot) < 30)
            {
                return false;
            }
        }
        return true;
    }

    private int stepAll(final LayerLinkAgent extra)
    {
        int work = shard.layer.doWork();
        work += null == gatewayA ? 0 : gatewayA.doWork();
        work += null == gatewayB ? 0 : gatewayB.doWork();
        work += null == extra ? 0 : extra.doWork();
        work += null == clients ? 0 : clients.doWork();
        work += shard.link.doWork(); // clients of the in-process Gateway
        return work;
    }

    /**
     * Advance the shard's clock one tick and step everything until idle. Client ingress and egress are UDP here: what
     * is in flight sits in the media driver, which runs on the wall clock, so idle polls do not mean delivered. The
     * shard's clock is kept at most {@link #CLOCK_SPEED_UP} times faster than the wall clock, so timeouts (sessions,
     * layer silence) never see the driver's delivery as seconds of silence.
     */
    private void tick()
    {
        rigTicks++;
        shard.clock.advance(TestShard.TICK_NS);
        final long tickStartNs = System.nanoTime();
        int idle = 0;
        final long deadlineNs = tickStartNs + TestShard.DEADLINE_NS;
        while (idle < 3 || System.nanoTime() - tickStartNs < TestShard.TICK_NS / CLOCK_SPEED_UP)
        {
            idle = stepAll(null) == 0 ? idle + 1 : 0;
            if (System.nanoTime() > deadlineNs)
            {
                fail("shard did not go idle");
            }
        }
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
            if (stepAll(null) == 0 && System.nanoTime() - advancedAtNs >= TimeUnit.MILLISECONDS.toNanos(1))
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
        for (final ClientSession session : lastSessions)
        {
            out.append("\n  player ").append(session.playerEntityId()).append(' ').append(session.state())
                .append(" via ").append(clients.ingressChannel(session)).append(" resumes ")
                .append(session.resumesStarted()).append(" loss cause ").append(session.lastLossCause())
                .append(" view ").append(session.view().size());
        }
        out.append("\n  pending handshakes ").append(shard.layer.gatewayLink().pendingLinkCount())
            .append(", handshakes started ").append(shard.layer.gatewayLink().handshakesStarted());
        if (null != clients)
        {
            out.append("\n  response channel ").append(clients.helloResponseChannel());
        }
        for (final OrreryCounter counter : OrreryCounter.values())
        {
            final long layerValue = shard.counter(counter);
            final long a = null == gatewayA || !gatewayA.alive ? 0 : gatewayA.counters[counter.id()].get();
            final long b = null == gatewayB || !gatewayB.alive ? 0 : gatewayB.counters[counter.id()].get();
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
