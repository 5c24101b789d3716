/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.hostile;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.Subscription;
import io.aeron.driver.status.ReceiverHwm;
import io.aeron.driver.status.StreamCounter;
import io.orrery.core.ReplicationLayer;
import io.orrery.core.ThreadingMode;
import io.orrery.core.auth.Ed25519PlayerTokens;
import io.orrery.core.auth.SessionTokens;
import io.orrery.core.authority.Authority;
import io.orrery.core.client.ClientLink;
import io.orrery.core.client.ClientSession;
import io.orrery.core.ingress.IngressLimits;
import io.orrery.core.replicant.EntityStore;
import io.orrery.core.status.OrreryCounter;
import io.orrery.wire.codec.DisconnectEncoder;
import io.orrery.wire.codec.DisconnectReason;
import io.orrery.wire.codec.HelloEncoder;
import io.orrery.wire.codec.MessageHeaderEncoder;
import io.orrery.wire.codec.PlayerInputDecoder;
import org.agrona.CloseHelper;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Peers that have not authenticated attack the client ingress while legitimate sessions are connected. Every test
 * checks that the legitimate sessions keep receiving updates without correctness errors, that the attack is counted,
 * and that what the Gateway holds for strangers stays bounded. A real embedded media driver, the layer in INVOKER
 * mode on a controlled clock, stepped by the test; conditions awaited with wall-clock deadlines, never sleeps.
 */
@Tag("system")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClientIngressHostilePeerTest
{
    private static final byte[] SECRET = "hostile-secret-0123456789abcdef".getBytes(StandardCharsets.UTF_8);
    private static final long TICK_NS = TimeUnit.MILLISECONDS.toNanos(34);
    private static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(20);
    private static final long NPC = 1_000_000;
    private static final int LEGIT_RESPONSE_STREAM = 2001;
    private static final int UNLISTENED_STREAM = 9999;
    private static final byte[][] ED25519_KEYS = Ed25519PlayerTokens.generateKeyPair();

    private Rig rig;

    @AfterEach
    void after()
    {
        CloseHelper.quietClose(rig);
    }

    @Test
    void shouldDropHugeFragmentedMessagesFromFreshPublicationsWithinBoundedBuffers()
    {
        rig = new Rig((ctx) -> ctx.clientIngressLimits().maxReassemblies(8), false);
        final List<ClientSession> legit = rig.connectLegit(3);
        final IngressLimits limits = rig.layer.context().clientIngressLimits();
        final long bound = (long)limits.maxMessageLength() * limits.maxReassemblies();

        final UnsafeBuffer huge = new UnsafeBuffer(new byte[128 * 1024]);
        for (int i = 0; i < 24; i++)
        {
            final ExclusivePublication publication = rig.attackerPublication("aeron:ipc?term-length=1m");
            rig.offer(publication, huge, huge.capacity());
            final long dropped = i + 1;
            rig.await(() -> rig.counter(OrreryCounter.CLIENT_INGRESS_MESSAGES_TOO_LONG) == dropped, "huge message");
            assertTrue(rig.layer.gateway().reassemblyBufferCapacity() <= bound, "reassembly bounded");
            publication.close();
        }

        // messages just under the limit are fragmented (MTU 1408) and take a buffer each, freed when the image goes
        final UnsafeBuffer fragmented = new UnsafeBuffer(new byte[limits.maxMessageLength() - 64]);
        final List<ExclusivePublication> publications = new ArrayList<>();
        for (int i = 0; i < 20; i++)
        {
            final ExclusivePublication publication = rig.attackerPublication("aeron:ipc?term-length=64k");
            publications.add(publication);
            rig.offer(publication, fragmented, fragmented.capacity());
            rig.poll();
            assertTrue(rig.layer.gateway().reassemblyBufferCapacity() <= bound, "reassembly bounded");
        }
        rig.drain();
        publications.forEach(CloseHelper::quietClose);
        // the driver takes real time to retire the images: let the layer's clock follow real time (a clock that ran
        // ahead would time sessions out while a starved driver thread has not moved their publishers on)
        final long[] lastRealNs = { System.nanoTime() };
        rig.await(() ->
        {
            final long realNs = System.nanoTime();
            rig.clock.advance(Math.min(TimeUnit.MILLISECONDS.toNanos(60), realNs - lastRealNs[0]));
            lastRealNs[0] = realNs;
            return 0 == rig.layer.gateway().reassemblyBufferCapacity();
        }, "buffers of gone images freed");

        rig.assertLegitServed(legit);
    }

    @Test
    void shouldRefuseIpcIngressWhoseTermIsAboveTheMaximum()
    {
        rig = new Rig((ctx) -> {}, false);
        final List<ClientSession> legit = rig.connectLegit(2);

        final ExclusivePublication publication = rig.attackerPublication("aeron:ipc?term-length=4m");
        rig.await(() -> rig.counter(OrreryCounter.CLIENT_INGRESS_IMAGES_REFUSED) >= 1, "image refused");
        rig.offer(publication, rig.hello(rig.token(77), "aeron:ipc", UNLISTENED_STREAM, 1), rig.helloLength);
        rig.await(() -> rig.counter(OrreryCounter.CLIENT_INGRESS_FRAGMENTS_REFUSED) >= 1, "fragments dropped");
        rig.drain();
        assertEquals(0, rig.layer.gateway().pendingWelcomeCount(), "a valid hello on a refused image goes nowhere");

        rig.assertLegitServed(legit);
    }

    @Test
    void shouldRefuseUdpIngressWhoseTermIsAboveTheMaximumAndServeUdpClientsWithDefaultTerm() throws IOException
    {
        rig = new Rig((ctx) -> {}, true);
        final List<ClientSession> legit = rig.connectLegit(2);
        assertTrue(rig.link.ingressChannel().contains("term-length=64k"), rig.link.ingressChannel());

        final ExclusivePublication publication = rig.attackerPublication(
            rig.layer.context().clientIngressChannel() + "|term-length=2m");
        rig.await(() -> rig.counter(OrreryCounter.CLIENT_INGRESS_IMAGES_REFUSED) >= 1, "image refused");
        rig.offerIfConnected(publication, rig.hello(rig.token(77), rig.responseChannel, UNLISTENED_STREAM, 1),
            rig.helloLength);
        rig.drain();
        assertEquals(0, rig.layer.gateway().pendingWelcomeCount(), "a valid hello on a refused image goes nowhere");

        rig.assertLegitServed(legit);
    }

    @Test
    void shouldBoundTheImagesStrangersCanOpenOnTheUdpIngressAtTheStreamSessionLimit()
    {
        final int limit = 4;
        rig = new Rig((ctx) -> ctx.streamSessionLimit(limit), true);
        final List<ClientSession> legit = rig.connectLegit(2);
        final int ingressStreamId = rig.layer.context().clientIngressStreamId();

        // a stranger opens publications with fresh session ids and never says hello: each would be an image
        final List<ExclusivePublication> strangers = new ArrayList<>();
        for (int i = 0; i < 6; i++)
        {
            strangers.add(rig.clientAeron.addExclusivePublication(
                rig.layer.context().clientIngressChannel(), ingressStreamId));
        }
        rig.await(() -> limit == imagesOfStream(ingressStreamId), "images up to the limit");
        rig.await(() -> driverErrorLog().contains("exceeded session limit, streamId=" + ingressStreamId), "the driver refusing further sessions");
        rig.drain();

        assertEquals(limit, imagesOfStream(ingressStreamId), "images of the client ingress stream");
        assertEquals(limit - 2, strangers.stream().filter(ExclusivePublication::isConnected).count(),
            "strangers' publications connected");
        rig.assertLegitServed(legit);
    }

    private int imagesOfStream(final int streamId)
    {
        final int[] count = new int[1];
        rig.clientAeron.countersReader().forEach((counterId, typeId, keyBuffer, label) ->
        {
            if (ReceiverHwm.RECEIVER_HWM_TYPE_ID == typeId &&
                streamId == keyBuffer.getInt(StreamCounter.STREAM_ID_OFFSET))
            {
                count[0]++;
            }
        });
        return count[0];
    }

    private String driverErrorLog()
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        rig.clientAeron.context().saveErrorLog(new PrintStream(out, true, StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void shouldOpenResponsePublicationsWithTheLayersParametersWhateverTheHelloAsks()
    {
        rig = new Rig((ctx) -> {}, false);
        final List<ClientSession> legit = rig.connectLegit(2);

        // a refusal (bad token) and a welcome (valid token), each asking for a huge unsparse term and a long linger
        final int refusedStream = 3001;
        final int welcomedStream = 3002;
        final String greedy = "aeron:ipc?term-length=128m|sparse=false|linger=60s";
        final Subscription refusedSide = rig.clientAeron.addSubscription("aeron:ipc", refusedStream);
        final Subscription welcomedSide = rig.clientAeron.addSubscription("aeron:ipc", welcomedStream);
        final ExclusivePublication refused = rig.attackerPublication("aeron:ipc?term-length=64k");
        final ExclusivePublication welcomed = rig.attackerPublication("aeron:ipc?term-length=64k");
        rig.offer(refused, rig.hello(new byte[SessionTokens.TOKEN_LENGTH], greedy, refusedStream, 1), rig.helloLength);
        rig.offer(welcomed, rig.hello(rig.token(55), greedy, welcomedStream, 2), rig.helloLength);
        rig.await(() -> refusedSide.imageCount() == 1 && welcomedSide.imageCount() == 1, "layer publications");

        final Image refusal = refusedSide.imageAtIndex(0);
        final Image welcome = welcomedSide.imageAtIndex(0);
        assertEquals(64 * 1024, refusal.termBufferLength(), "refusal on the smallest term");
        assertEquals(rig.layer.context().egressTermLength(), welcome.termBufferLength(), "the layer's term");
        rig.await(() -> refusal.poll((b, o, l, h) -> {}, 10) > 0 || refusal.isClosed(), "reject delivered");
        rig.await(() -> 0 == refusedSide.imageCount(), "refusal publication gone after the layer's short linger");

        // UDP to an address that is not the peer's, and a multicast group: nothing is opened
        final long badChannelsBefore = rig.counter(OrreryCounter.REJECTED_BAD_RESPONSE_CHANNEL);
        final ExclusivePublication reflector = rig.attackerPublication("aeron:ipc?term-length=64k");
        rig.offer(reflector, rig.hello(new byte[SessionTokens.TOKEN_LENGTH],
            "aeron:udp?endpoint=192.0.2.7:4000|linger=60s", 4000, 3), rig.helloLength);
        rig.await(() -> rig.counter(OrreryCounter.REJECTED_BAD_RESPONSE_CHANNEL) == badChannelsBefore + 1,
            "reflection refused");
        final ExclusivePublication multicast = rig.attackerPublication("aeron:ipc?term-length=64k");
        rig.offer(multicast, rig.hello(rig.token(56), "aeron:udp?endpoint=224.0.1.1:4000", 4000, 4),
            rig.helloLength);
        rig.await(() -> rig.counter(OrreryCounter.REJECTED_BAD_RESPONSE_CHANNEL) == badChannelsBefore + 2,
            "multicast refused");
        assertEquals(0, rig.layer.gateway().pendingRefusalCount());

        rig.assertLegitServed(legit);
    }

    @Test
    void shouldConnectLegitClientsWhenAttackerSpoofsRejectsWithGuessedCorrelationIds()
    {
        rig = new Rig((ctx) -> ctx.clientIngressLimits().maxPendingRefusals(256).refusalsPerSecond(10_000), false);
        final List<ClientSession> legit = new ArrayList<>();
        final List<ExclusivePublication> attackers = new ArrayList<>();
        final byte[] badToken = new byte[SessionTokens.TOKEN_LENGTH];
        for (int i = 0; i < 5; i++)
        {
            legit.add(rig.link.connect(rig.token(100 + i), null));
        }
        for (int round = 0; round < 10 && !allSettled(legit); round++)
        {
            for (long guess = 1; guess <= 10; guess++)
            {
                final ExclusivePublication attacker = rig.attackerPublication("aeron:ipc?term-length=64k");
                attackers.add(attacker);
                rig.offer(attacker, rig.hello(badToken, rig.responseChannel, LEGIT_RESPONSE_STREAM, guess),
                    rig.helloLength);
            }
            rig.poll();
        }
        rig.await(() -> allSettled(legit), "legit handshakes");
        rig.drain();
        for (final ClientSession session : legit)
        {
            assertTrue(session.isConnected(), "legit session " + session.state() + " " + session.rejectReason());
        }
        assertTrue(rig.counter(OrreryCounter.REJECTED_BAD_TOKEN) > 0, "spoofing hellos answered and counted");
        assertTrue(rig.link.untrustedRejects() > 0, "spoofed rejects reached the client and were ignored");
        attackers.forEach(CloseHelper::quietClose);

        rig.assertLegitServed(legit);
    }

    @Test
    void shouldLetValidLoginInWhenRefusedHellosWhoseResponseNeverConnectsFloodASmallShard()
    {
        rig = new Rig((ctx) -> ctx.maxSessions(10), false);
        final List<ClientSession> legit = rig.connectLegit(2);
        final IngressLimits limits = rig.layer.context().clientIngressLimits();
        final byte[] badToken = new byte[SessionTokens.TOKEN_LENGTH];
        final int flood = limits.maxPendingRefusals() + 16;
        final List<ExclusivePublication> attackers = new ArrayList<>();
        for (int i = 0; i < flood; i++)
        {
            final ExclusivePublication attacker = rig.attackerPublication("aeron:ipc?term-length=64k");
            attackers.add(attacker);
            rig.offer(attacker, rig.hello(badToken, "aeron:ipc", UNLISTENED_STREAM, i + 1), rig.helloLength);
        }
        rig.await(() -> rig.counter(OrreryCounter.REJECTED_BAD_TOKEN) + rig.counter(OrreryCounter.HELLOS_SHED) ==
            flood, "flood handled");

        final ClientSession late = rig.connect(7);
        assertTrue(late.isConnected(), "refusals hold no session slots: " + late.state() + " " + late.rejectReason());
        legit.add(late);
        assertEquals(limits.maxPendingRefusals(), rig.layer.gateway().pendingRefusalCount());
        assertEquals(16, rig.counter(OrreryCounter.HELLOS_SHED), "refusals above the cap dropped unanswered");

        // refusals expire on their own short deadline, not the publication connect timeout
        rig.clock.advance(TimeUnit.MILLISECONDS.toNanos(1100));
        rig.drain();
        assertEquals(0, rig.layer.gateway().pendingRefusalCount());
        attackers.forEach(CloseHelper::quietClose);

        rig.assertLegitServed(legit);
    }

    @Test
    void shouldShedHellosBeyondTheEd25519VerificationBudgetAndCountThemWhileCheapRefusalsCostNone()
    {
        rig = new Rig((ctx) ->
        {
            ctx.playerTokenPublicKey(ED25519_KEYS[1]).clientIngressLimits().refusalsPerSecond(100)
                .maxPendingRefusals(100);
            ctx.gateway().tokenVerificationsPerSecond(5);
        }, false);
        final List<ClientSession> legit = rig.connectLegit(1); // one verification of five
        final long nowMs = System.currentTimeMillis();
        final Ed25519PlayerTokens otherKey = Ed25519PlayerTokens.forPrivateKey(
            Ed25519PlayerTokens.generateKeyPair()[0]);

        // well formed, in range, not expired: each needs a verification; four are left, the rest are shed
        for (int i = 0; i < 10; i++)
        {
            rig.offer(rig.attackerPublication("aeron:ipc?term-length=64k"),
                rig.hello(otherKey.issue(100 + i, nowMs + 60_000), "aeron:ipc", UNLISTENED_STREAM, i + 1),
                rig.helloLength);
        }
        rig.await(() -> rig.counter(OrreryCounter.REJECTED_BAD_TOKEN) + rig.counter(OrreryCounter.HELLOS_SHED) == 10,
            "hellos handled");
        assertEquals(4, rig.counter(OrreryCounter.REJECTED_BAD_TOKEN), "verified within the budget, then refused");
        assertEquals(6, rig.counter(OrreryCounter.HELLOS_SHED), "beyond the budget: dropped unanswered");

        // refused by the cheap checks with no budget left: an HMAC token (wrong length), an expired one, player 0
        final byte[][] cheap = {
            rig.tokens.issue(200, nowMs + 60_000),
            rig.ed25519Tokens.issue(201, nowMs - 1),
            rig.ed25519Tokens.issue(0, nowMs + 60_000)};
        for (int i = 0; i < cheap.length; i++)
        {
            rig.offer(rig.attackerPublication("aeron:ipc?term-length=64k"),
                rig.hello(cheap[i], "aeron:ipc", UNLISTENED_STREAM, i + 50), rig.helloLength);
        }
        rig.await(() -> 7 == rig.counter(OrreryCounter.REJECTED_BAD_TOKEN) +
            rig.counter(OrreryCounter.REJECTED_EXPIRED_TOKEN), "cheap refusals");
        assertEquals(6, rig.counter(OrreryCounter.HELLOS_SHED), "cheap refusals spend no verification");

        // a valid login while the budget is spent is shed; a second later the budget has refilled and it gets in
        final ClientSession late = rig.link.connect(rig.token(2), null);
        rig.await(() -> 7 == rig.counter(OrreryCounter.HELLOS_SHED), "the late login shed");
        assertFalse(late.isConnected(), "no answer to a shed hello");
        rig.clock.advance(TimeUnit.SECONDS.toNanos(1));
        rig.await(() -> late.isConnected(), "the late login welcomed once the budget refilled");
        legit.add(late);
        rig.assertLegitServed(legit);
    }

    @Test
    void shouldRateLimitRefusalsOnTheAgentClock()
    {
        rig = new Rig((ctx) -> ctx.clientIngressLimits().refusalsPerSecond(10).maxPendingRefusals(100), false);
        final List<ClientSession> legit = rig.connectLegit(1);
        final byte[] badToken = new byte[SessionTokens.TOKEN_LENGTH];
        for (int i = 0; i < 15; i++)
        {
            rig.offer(rig.attackerPublication("aeron:ipc?term-length=64k"),
                rig.hello(badToken, "aeron:ipc", UNLISTENED_STREAM, i + 1), rig.helloLength);
        }
        rig.await(() -> rig.counter(OrreryCounter.REJECTED_BAD_TOKEN) + rig.counter(OrreryCounter.HELLOS_SHED) == 15,
            "hellos handled");
        assertEquals(10, rig.counter(OrreryCounter.REJECTED_BAD_TOKEN), "a burst of one second's worth");
        assertEquals(5, rig.counter(OrreryCounter.HELLOS_SHED));

        rig.clock.advance(TimeUnit.MILLISECONDS.toNanos(500));
        for (int i = 0; i < 10; i++)
        {
            rig.offer(rig.attackerPublication("aeron:ipc?term-length=64k"),
                rig.hello(badToken, "aeron:ipc", UNLISTENED_STREAM, i + 100), rig.helloLength);
        }
        rig.await(() -> rig.counter(OrreryCounter.REJECTED_BAD_TOKEN) + rig.counter(OrreryCounter.HELLOS_SHED) == 25,
            "hellos handled");
        assertEquals(15, rig.counter(OrreryCounter.REJECTED_BAD_TOKEN), "refilled at the rate");

        rig.assertLegitServed(legit);
    }

    @Test
    void shouldCountDuplicateSessionsAndHellosOnBoundImagesUnderTheirOwnCountersAndIgnoreForeignDisconnects()
    {
        rig = new Rig((ctx) -> {}, false);
        final List<ClientSession> legit = rig.connectLegit(2);

        final ClientSession duplicate = rig.link.connect(rig.token(legit.get(0).playerEntityId()), null);
        rig.await(() -> duplicate.transientRejects() == 1, "duplicate refused");
        assertEquals(1, rig.counter(OrreryCounter.REJECTED_DUPLICATE_SESSION));
        assertEquals(0, rig.counter(OrreryCounter.REJECTED_NOT_AUTHENTICATED), "not counted as unauthenticated");
        assertNotEquals(ClientSession.State.REJECTED, duplicate.state(), "a duplicate session is not final");
        duplicate.disconnect();

        final ExclusivePublication bound = rig.attackerPublication("aeron:ipc?term-length=64k");
        final byte[] badToken = new byte[SessionTokens.TOKEN_LENGTH];
        rig.offer(bound, rig.hello(badToken, "aeron:ipc", UNLISTENED_STREAM, 1), rig.helloLength);
        rig.offer(bound, rig.hello(badToken, "aeron:ipc", UNLISTENED_STREAM, 2), rig.helloLength);
        rig.await(() -> rig.counter(OrreryCounter.HELLOS_ON_BOUND_IMAGE) == 1, "hello on a bound image");
        assertEquals(0, rig.counter(OrreryCounter.REJECTED_OUT_OF_ORDER), "not counted as out of order");

        // a Disconnect naming a legit session, from an image that is not that session's
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        final DisconnectEncoder disconnect = new DisconnectEncoder().wrapAndApplyHeader(
            buffer, 0, new MessageHeaderEncoder()).sessionId(legit.get(1).sessionId()).reason(
            DisconnectReason.clientRequest);
        rig.offer(bound, buffer, MessageHeaderEncoder.ENCODED_LENGTH + disconnect.encodedLength());
        rig.drain();
        assertTrue(legit.get(1).isConnected(), "a stranger cannot end someone else's session");

        rig.assertLegitServed(legit);
    }

    private static boolean allSettled(final List<ClientSession> sessions)
    {
        for (final ClientSession session : sessions)
        {
            if (!(session.isConnected() || ClientSession.State.REJECTED == session.state() ||
                ClientSession.State.DISCONNECTED == session.state()))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Players spawn at the origin; an NPC near them is moved by the test each tick.
     */
    static final class RigAuthority implements Authority
    {
        long nextSpawnXmm;

        @Override
        public void onPlayerJoined(final long playerEntityId, final long nowNs, final EntityStore store)
        {
            if (EntityStore.NULL_SLOT == store.slotOf(playerEntityId))
            {
                final int slot = store.create(playerEntityId, 1, playerEntityId, 0, false);
                store.position(slot, nextSpawnXmm, 0, 0);
                store.radius(slot, 0.5f);
            }
        }

        @Override
        public void onPlayerLeft(final long playerEntityId, final long nowNs, final EntityStore store)
        {
            store.remove(playerEntityId);
        }

        @Override
        public void onPlayerInput(final PlayerInputDecoder input, final long nowNs, final EntityStore store)
        {
        }

        @Override
        public int onTick(final long nowNs, final EntityStore store)
        {
            return 0;
        }
    }

    static final class Rig implements AutoCloseable
    {
        final CachedNanoClock clock = new CachedNanoClock();
        final RigAuthority authority = new RigAuthority();
        final SessionTokens tokens = new SessionTokens(SECRET);
        final Ed25519PlayerTokens ed25519Tokens = Ed25519PlayerTokens.forPrivateKey(ED25519_KEYS[0]);
        final ReplicationLayer layer;
        final Aeron clientAeron;
        final ClientLink link;
        final String responseChannel;
        final UnsafeBuffer helloBuffer = new UnsafeBuffer(new byte[2048]);
        final HelloEncoder helloEncoder = new HelloEncoder();
        final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
        final List<ExclusivePublication> attackerPublications = new ArrayList<>();
        int helloLength;

        Rig(final Consumer<ReplicationLayer.Context> customise, final boolean udp)
        {
            this(customise, udp, 1);
        }

        /**
         * @param ingressEndpoints UDP client ingress endpoints of the layer (one port each); the legitimate clients'
         *                         link spreads its sessions over them. IPC: one.
         */
        Rig(final Consumer<ReplicationLayer.Context> customise, final boolean udp, final int ingressEndpoints)
        {
            clock.update(TimeUnit.SECONDS.toNanos(1000));
            final StringBuilder channels = new StringBuilder();
            for (int i = 0; udp && i < ingressEndpoints; i++)
            {
                channels.append(0 == i ? "" : ",").append("aeron:udp?endpoint=127.0.0.1:").append(freePort());
            }
            final String ingressChannel = udp ? channels.toString() :
                ReplicationLayer.Context.CLIENT_INGRESS_CHANNEL_DEFAULT;
            responseChannel = udp ? "aeron:udp?endpoint=127.0.0.1:" + freePort() : "aeron:ipc?term-length=64k";
            final ReplicationLayer.Context ctx = new ReplicationLayer.Context()
                .threadingMode(ThreadingMode.INVOKER)
                .nanoClock(clock)
                .tokenSecret(SECRET)
                .authority(authority)
                .clientIngressChannel(ingressChannel)
                .clientIngressLimits(IngressLimits.forClients())
                .maxSessions(64)
                .maxEntities(4096)
                .maxViewEntities(512)
                .tickRateHz(30)
                // never a halt of the JVM (the whole test fork): a driver lost or an agent dead fails the test
                .driverLossHandler((dir, cause) -> System.err.println("rig: the media driver at " + dir +
                    " is gone: " + cause))
                .agentDeathHandler((thread, cause) -> cause.printStackTrace());
            customise.accept(ctx);
            layer = ReplicationLayer.launch(ctx);
            // never Aeron's default error handler: it exits the JVM (the whole test fork) on a driver timeout
            clientAeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(layer.aeronDirectoryName())
                .errorHandler(Throwable::printStackTrace));
            link = new ClientLink(clientAeron, new ClientLink.Settings()
                .clock(clock)
                .ingressChannel(udp ? ingressChannel : ClientLink.ipcChannel())
                .responseChannel(responseChannel)
                .responseStreamId(LEGIT_RESPONSE_STREAM));
            final EntityStore store = layer.replicant().store();
            final int slot = store.create(NPC, 7, 0, 0, false);
            store.position(slot, 20_000, 0, 0);
            store.radius(slot, 0.5f);
        }

        static int freePort()
        {
            try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
            {
                return socket.getLocalPort();
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException(ex);
            }
        }

        byte[] token(final long playerId)
        {
            final long expiryEpochMs = System.currentTimeMillis() + 60_000;
            return null != layer.context().playerTokenPublicKey() ?
                ed25519Tokens.issue(playerId, expiryEpochMs) : tokens.issue(playerId, expiryEpochMs);
        }

        long counter(final OrreryCounter counter)
        {
            return layer.counter(counter);
        }

        List<ClientSession> connectLegit(final int count)
        {
            final List<ClientSession> sessions = new ArrayList<>();
            for (int i = 0; i < count; i++)
            {
                final ClientSession session = connect(1 + i);
                assertTrue(session.isConnected(), "legit session " + session.state());
                sessions.add(session);
            }
            return sessions;
        }

        ClientSession connect(final long playerId)
        {
            final ClientSession session = link.connect(token(playerId), null);
            await(() -> session.state() != ClientSession.State.CONNECTING &&
                session.state() != ClientSession.State.AWAITING_WELCOME, "handshake of " + playerId);
            return session;
        }

        ExclusivePublication attackerPublication(final String channel)
        {
            final ExclusivePublication publication = clientAeron.addExclusivePublication(
                channel, layer.context().clientIngressStreamId());
            attackerPublications.add(publication);
            await(() -> publication.isConnected() || publication.isClosed() ||
                counter(OrreryCounter.CLIENT_INGRESS_IMAGES_REFUSED) > 0, "attacker publication");
            return publication;
        }

        UnsafeBuffer hello(final byte[] token, final String channel, final int streamId, final long correlationId)
        {
            helloEncoder.wrapAndApplyHeader(helloBuffer, 0, headerEncoder)
                .protocolVersion(1)
                .responseStreamId(streamId)
                .clientCorrelationId(correlationId)
                .clientTimestampNs(0)
                .putAuthToken(token, 0, token.length)
                .responseChannel(channel);
            helloLength = MessageHeaderEncoder.ENCODED_LENGTH + helloEncoder.encodedLength();
            return helloBuffer;
        }

        void offer(final ExclusivePublication publication, final UnsafeBuffer buffer, final int length)
        {
            await(() -> publication.offer(buffer, 0, length) > 0, "offer");
        }

        void offerIfConnected(final ExclusivePublication publication, final UnsafeBuffer buffer, final int length)
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (publication.isConnected() && publication.offer(buffer, 0, length) < 0 &&
                System.nanoTime() < deadline)
            {
                poll();
            }
        }

        int poll()
        {
            return layer.doWork() + link.doWork();
        }

        void drain()
        {
            int idle = 0;
            final long deadline = System.nanoTime() + DEADLINE_NS;
            while (idle < 3)
            {
                idle = poll() == 0 ? idle + 1 : 0;
                if (System.nanoTime() > deadline)
                {
                    fail("layer did not go idle");
                }
            }
        }

        void await(final BooleanSupplier condition, final String what)
        {
            final long deadline = System.nanoTime() + DEADLINE_NS;
            while (!condition.getAsBoolean())
            {
                if (poll() == 0)
                {
                    Thread.onSpinWait();
                }
                if (System.nanoTime() > deadline)
                {
                    fail("timed out waiting for " + what);
                }
            }
        }

        void tick()
        {
            clock.advance(TICK_NS);
            layer.doWork();
            drain();
            await(layer.replicant()::isEgressWindowOpen, "egress windows");
        }

        /**
         * Move the NPC for a few ticks: every legitimate session must see it move, stay connected and count no
         * correctness error.
         */
        void assertLegitServed(final List<ClientSession> sessions)
        {
            tick(); // a session welcomed since the last tick gets its spawns now
            final long[] before = new long[sessions.size()];
            for (int i = 0; i < before.length; i++)
            {
                before[i] = sessions.get(i).updatesReceived();
            }
            final EntityStore store = layer.replicant().store();
            for (int t = 0; t < 5; t++)
            {
                final int slot = store.slotOf(NPC);
                store.position(slot, store.positionX(slot) + 1000, 0, 0);
                tick();
            }
            final long npcX = store.positionX(store.slotOf(NPC));
            for (int i = 0; i < before.length; i++)
            {
                final ClientSession session = sessions.get(i);
                final long expected = before[i] + 5;
                await(() -> !session.isConnected() || (session.updatesReceived() >= expected &&
                    session.view().contains(NPC) && npcX == session.view().positionX(session.view().slotOf(NPC))),
                    "legit session to receive the updates (UDP is not drained by polling alone)");
                assertTrue(session.isConnected(), () -> "legit session still connected: " + describe(session));
                assertEquals(0, session.updatesForUnknownEntities() + session.despawnsForUnknownEntities() +
                    session.acknowledgementRegressions() + session.malformedReceived() + session.viewOverflows(),
                    "no correctness errors");
                assertEquals(0, session.rejectsReceived(), "no rejects for a legit session");
            }
            assertFalse(link.malformedMessages() > 0, "no malformed responses");
        }

        /**
         * What a test needs to know when a legitimate session was lost: its state and cause, and the layer's side.
         */
        String describe(final ClientSession session)
        {
            return "state " + session.state() + ", loss cause " + session.lastLossCause() + ", disconnect reason " +
                session.disconnectReason() + ", reject reason " + session.rejectReason() + ", resumes started " +
                session.resumesStarted() + ", hellos lost " + session.hellosLost() + ", last received " +
                TimeUnit.NANOSECONDS.toMillis(clock.nanoTime() - session.lastReceivedNs()) +
                " ms ago on the rig's clock; layer: sessions timed out " + counter(OrreryCounter.SESSIONS_TIMED_OUT) +
                ", closed " + counter(OrreryCounter.SESSIONS_CLOSED) + ", active " +
                counter(OrreryCounter.SESSIONS_ACTIVE) + ", slow consumers " +
                counter(OrreryCounter.SESSIONS_SLOW_CONSUMER);
        }

        @Override
        public void close()
        {
            attackerPublications.forEach(CloseHelper::quietClose);
            CloseHelper.quietClose(link);
            CloseHelper.quietClose(clientAeron);
            CloseHelper.quietClose(layer);
        }
    }
}
