/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.aeron.ExclusivePublication;
import io.orrery.core.client.ClientSession;
import io.orrery.core.server.ServerLink;
import io.orrery.core.status.OrreryCounter;
import io.orrery.wire.codec.DisconnectReason;
import io.orrery.wire.codec.MessageHeaderEncoder;
import io.orrery.wire.codec.ServerGoodbyeEncoder;
import io.orrery.wire.codec.RejectReason;
import io.orrery.wire.codec.RevokeReason;
import io.orrery.wire.codec.ServerHelloEncoder;
import io.orrery.wire.codec.ServerRejectEncoder;
import io.orrery.wire.codec.TerritoryRevokeEncoder;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile peers on the server ingress and on a game server's response channel, with two legitimate game servers and
 * a client connected throughout: each attack is counted, memory stays bounded, and the legitimate ones keep being
 * served (the player's inputs applied exactly by its server, no failover, no error counted against them).
 */
@Tag("system")
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ServerIngressHostilePeerTest
{
    static final long PLAYER = 1;
    static final int MAX_REASSEMBLIES = 4;
    static final int MAX_MESSAGE_LENGTH = 64 * 1024;

    private MeshTestShard shard;
    private TestGameServer one;
    private TestGameServer two;
    private ClientSession player;
    private final ArrayList<ExclusivePublication> rogues = new ArrayList<>();
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[2 * 1024 * 1024]);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();

    @AfterEach
    void after()
    {
        rogues.forEach(CloseHelper::quietClose);
        if (null != shard)
        {
            shard.close();
        }
    }

    private void startLegitimateShard()
    {
        shard = new MeshTestShard(MeshHandoffTest.TWO_SERVERS, (ctx) -> ctx.serverIngressLimits()
            .maxReassemblies(MAX_REASSEMBLIES)
            .maxMessageLength(MAX_MESSAGE_LENGTH)
            .maxPendingRefusals(4)
            .refusalsPerSecond(4));
        one = shard.startServer(1, null);
        two = shard.startServer(2, null);
        player = shard.connect(PLAYER, new MeshHandoffTest.OwnEntityWatcher());
        shard.ticksUntil(() -> one.owns(PLAYER) && player.view().contains(PLAYER), 20, "player streamed in");
    }

    /**
     * A few ticks of input from the player: its server applies them and the player sees them acknowledged.
     */
    private void assertLegitimateOnesServed(final TestGameServer owner)
    {
        final long appliedBefore = owner.inputsApplied;
        final long updatesBefore = player.updatesReceived();
        for (int i = 0; i < 5; i++)
        {
            player.sendInput(-0.1f, 0, 0, 0, 0, 0, shard.clock.nanoTime());
            shard.tick();
        }
        shard.ticksUntil(() -> player.lastAcknowledgedInput() == player.inputSequence(), 20, "inputs acknowledged");
        assertTrue(owner.inputsApplied >= appliedBefore + 5, "inputs applied by the player's server");
        assertTrue(player.updatesReceived() > updatesBefore, "player keeps getting updates");
        assertTrue(player.isConnected());
        assertTrue(one.link.isConnected() || owner != one);
        assertTrue(two.link.isConnected());
        assertTrue(owner.owns(PLAYER), "the server keeps its player");
        assertEquals(0, shard.counter(OrreryCounter.SERVER_FAILOVERS), "no server failed over");
        assertEquals(0, shard.counter(OrreryCounter.STALE_EPOCH_WRITES));
        assertEquals(0, shard.counter(OrreryCounter.UNAUTHORISED_WRITES));
        assertEquals(0, shard.counter(OrreryCounter.ERRORS));
        assertEquals(0, player.acknowledgementRegressions());
        assertEquals(0, owner.staleRejects + owner.unauthorisedRejects, "no reject reached the server");
    }

    private ExclusivePublication rogue(final String channel, final int streamId)
    {
        final ExclusivePublication publication = shard.aeron.addExclusivePublication(channel, streamId);
        rogues.add(publication);
        return publication;
    }

    private ExclusivePublication rogueOnServerIngress(final String params)
    {
        return rogue("aeron:ipc?" + params, ServerLink.Context.INGRESS_STREAM_ID_DEFAULT);
    }

    private void offer(final ExclusivePublication publication, final int length)
    {
        shard.await(publication::isConnected, "rogue publication connected");
        shard.await(() -> publication.offer(buffer, 0, length) > 0, "rogue offer");
    }

    private ServerIngressAdapter ingress()
    {
        return ((MeshAuthority)shard.layer.context().authority()).ingress(); // api
    }

    @Test
    void shouldDropHugeMessagesAndBoundReassemblyWhenFreshPublicationsFragmentOnServerIngress()
    {
        startLegitimateShard();

        // eight fresh publications, each a 512 KiB message (hundreds of fragments) and then a 48 KiB one (within the
        // maximum message length, unauthenticated)
        final int publications = 8;
        for (int i = 0; i < publications; i++)
        {
            final ExclusivePublication rogue = rogueOnServerIngress("term-length=4m|linger=0");
            buffer.setMemory(0, buffer.capacity(), (byte)(i + 1));
            offer(rogue, 512 * 1024);
            offer(rogue, 48 * 1024);
            for (int t = 0; t < 3; t++)
            {
                shard.tick();
                assertTrue(ingress().assembler().bufferedCapacity() <= // api
                    (long)MAX_REASSEMBLIES * MAX_MESSAGE_LENGTH, "reassembly memory bounded"); // api
            }
        }
        shard.await(() -> shard.counter(OrreryCounter.SERVER_INGRESS_MESSAGES_TOO_LONG) >= publications,
            "huge messages dropped");
        assertLegitimateOnesServed(one);
        assertTrue(shard.counter(OrreryCounter.SERVER_MESSAGES_NOT_AUTHENTICATED) +
            shard.counter(OrreryCounter.SERVER_MESSAGES_MALFORMED) > 0, "the smaller rogue messages counted too");

        // the rogue images go away: their buffers are freed by housekeeping
        rogues.forEach(CloseHelper::quietClose);
        rogues.clear();
        final long deadlineNs = System.nanoTime() + MeshTestShard.DEADLINE_NS;
        while (0 != ingress().assembler().reassemblyCount()) // api
        {
            shard.tick();
            assertTrue(System.nanoTime() - deadlineNs < 0, "buffers of gone images not freed");
        }
        assertLegitimateOnesServed(one);
    }

    @Test
    void shouldDropFragmentsOfImageWhoseTermIsAboveMaximum()
    {
        startLegitimateShard();

        // a well-formed hello with a valid token for a configured id, on an image with a term above the maximum
        final java.io.PrintStream out = System.out;
        final java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(printed, true));
        try
        {
            final ExclusivePublication rogue = rogueOnServerIngress("term-length=8m");
            final int length = encodeHello(1, "aeron:ipc", 3999);
            offer(rogue, length);
            shard.await(() -> shard.counter(OrreryCounter.SERVER_INGRESS_FRAGMENTS_REFUSED) >= 1, "fragments refused");
            // the image handler (Aeron's conductor thread) may log after the poll already dropped its fragments
            shard.await(() -> printed.toString(java.nio.charset.StandardCharsets.UTF_8).contains("refused an image"),
                "the refusal logged");
        }
        finally
        {
            System.setOut(out);
        }
        assertEquals(1, shard.counter(OrreryCounter.SERVER_INGRESS_IMAGES_REFUSED), "image refused");
        final String line = printed.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(line.contains("orrery: server ingress refused an image from") &&
            line.contains("term length 8388608 above the maximum"), "the operator is told: " + line);
        for (int i = 0; i < 10; i++)
        {
            shard.tick();
        }
        assertEquals(0, ingress().pendingCount(), "the hello was never taken"); // api
        assertEquals(0, shard.counter(OrreryCounter.SERVER_REPLACEMENTS));
        assertLegitimateOnesServed(one);
    }

    @Test
    void shouldOpenResponsePublicationWithLayerParametersWhenHelloAsksForHugeTerm()
    {
        shard = new MeshTestShard(MeshHandoffTest.TWO_SERVERS);
        final TestGameServer server = new TestGameServer(1, 30, null);
        shard.startServer(server, shard.serverContext(1, server)
            .responseChannel("aeron:ipc?term-length=128m|sparse=false|linger=60s"));
        assertTrue(server.welcomed, "welcomed");

        final ExclusivePublication publication = shard.mesh().connectionOf(1).publication;
        assertEquals(1024 * 1024, publication.termBufferLength(), "the layer's server egress term length");
        final String channel = publication.channel();
        assertFalse(channel.contains("128m") || channel.contains("sparse=false") || channel.contains("60s"), channel);
        assertTrue(channel.contains("linger=" + shard.layer.context().serverIngressLimits().egressLingerNs() + "ns"),
            channel);
        assertTrue(channel.contains("sparse=true"), channel);
    }

    @Test
    void shouldShedRefusedHellosAboveCapWithoutDisturbingLiveServers()
    {
        startLegitimateShard();

        // twenty bad-token hellos from twenty images, their response channels never connect
        for (int i = 0; i < 20; i++)
        {
            final ExclusivePublication rogue = rogueOnServerIngress("term-length=64k");
            final int length = encodeHello(1, "aeron:ipc", 3900 + i);
            buffer.putByte(length - 20, (byte)(buffer.getByte(length - 20) ^ 1)); // corrupt the token's MAC
            offer(rogue, length);
        }
        shard.await(() -> shard.counter(OrreryCounter.SERVER_HELLOS_REJECTED) +
            shard.counter(OrreryCounter.SERVER_HELLOS_SHED) >= 20, "hellos handled");
        assertTrue(shard.counter(OrreryCounter.SERVER_HELLOS_REJECTED) <= 4, "refusals capped");
        assertTrue(shard.counter(OrreryCounter.SERVER_HELLOS_SHED) >= 16, "the rest shed");
        assertTrue(ingress().pendingCount() <= 4, "publications opened for refusals capped"); // api
        assertLegitimateOnesServed(one);
    }

    /**
     * A goodbye from another publisher on the server ingress, naming a welcomed server and its session (as if the
     * attacker knew both), is not that server's: it is dropped as not authenticated and fails nothing over.
     */
    @Test
    void shouldNotFailAServerOverWhenAnotherPublicationSendsItsGoodbyeOnServerIngress()
    {
        startLegitimateShard();
        assertLegitimateOnesServed(one);
        final long notAuthenticated = shard.counter(OrreryCounter.SERVER_MESSAGES_NOT_AUTHENTICATED);

        final ExclusivePublication forger = rogueOnServerIngress("term-length=64k");
        final ServerGoodbyeEncoder goodbye = new ServerGoodbyeEncoder()
            .wrapAndApplyHeader(buffer, 0, headerEncoder)
            .serverId(1)
            .serverSessionId(one.link.serverSessionId())
            .reason(DisconnectReason.shutdown);
        offer(forger, MessageHeaderEncoder.ENCODED_LENGTH + goodbye.encodedLength());
        shard.await(() -> shard.counter(OrreryCounter.SERVER_MESSAGES_NOT_AUTHENTICATED) > notAuthenticated,
            "the forged goodbye dropped");
        shard.drain();

        assertEquals(0, shard.counter(OrreryCounter.SERVER_GOODBYES_RECEIVED));
        assertLegitimateOnesServed(one);
        assertEquals(1, shard.atlas().authorityOf(PLAYER));
    }

    @Test
    void shouldIgnoreForgedRejectAndRevokeWhenAnotherPublicationWritesToServerResponseChannel()
    {
        startLegitimateShard();
        assertLegitimateOnesServed(one);

        final ExclusivePublication forger = rogue(
            ServerLink.Context.RESPONSE_CHANNEL_DEFAULT, ServerLink.Context.RESPONSE_STREAM_ID_BASE + 1);
        final ServerRejectEncoder reject = new ServerRejectEncoder()
            .wrapAndApplyHeader(buffer, 0, headerEncoder)
            .serverId(1)
            .reason(RejectReason.notAuthority)
            .rejectedTemplateId(112)
            .entityId(PLAYER);
        reject.putReasonText(buffer, 0, 0);
        offer(forger, MessageHeaderEncoder.ENCODED_LENGTH + reject.encodedLength());
        final TerritoryRevokeEncoder revoke = new TerritoryRevokeEncoder()
            .wrapAndApplyHeader(buffer, 0, headerEncoder)
            .territoryId(1)
            .serverId(1)
            .epoch(99)
            .reason(RevokeReason.shutdown);
        offer(forger, MessageHeaderEncoder.ENCODED_LENGTH + revoke.encodedLength());
        shard.await(() -> one.link.foreignMessagesDropped() >= 2, "forgeries dropped"); // api
        shard.drain();

        assertEquals(0, one.link.rejectsReceived(), "no reject reached the listener");
        assertLegitimateOnesServed(one);
        assertEquals(1, shard.atlas().authorityOf(PLAYER));
    }

    @Test
    void shouldKeepLiveServerWhenReplacementHelloNeverConnectsAndReplaceCleanlyWhenOneDoes()
    {
        startLegitimateShard();

        // a valid token for server 1 from another image, naming a response stream nobody subscribes to
        final ExclusivePublication impostor = rogueOnServerIngress("term-length=64k");
        offer(impostor, encodeHello(1, "aeron:ipc", 3777));
        shard.drain();
        final long timeoutTicks = shard.layer.context().publicationConnectTimeoutNs() / MeshTestShard.TICK_NS;
        for (int i = 0; i < 2 * timeoutTicks && (i < timeoutTicks || 0 != ingress().pendingCount()); i++) // api
        {
            player.sendInput(-0.1f, 0, 0, 0, 0, 0, shard.clock.nanoTime());
            shard.tick();
            assertTrue(one.link.isConnected(), "the live server keeps its connection at tick " + i);
        }
        assertEquals(0, ingress().pendingCount(), "the replacement expired"); // api
        assertEquals(0, shard.counter(OrreryCounter.SERVER_REPLACEMENTS));
        assertEquals(0, one.disconnects);
        assertLegitimateOnesServed(one);

        // a real replacement for server 1: welcomed and connected, then it takes over, with the player
        final TestGameServer replacement = new TestGameServer(1, 30, null);
        shard.startServer(replacement, shard.serverContext(1, replacement));
        assertTrue(replacement.welcomed);
        shard.ticksUntil(() -> replacement.owns(PLAYER), 60, "replacement streamed the player in");
        shard.await(() -> !one.link.isConnected(), "the replaced server's response image gone");
        shard.servers.remove(one);
        shard.killed.add(one);
        assertEquals(1, shard.counter(OrreryCounter.SERVER_REPLACEMENTS));
        assertEquals(ServerLink.REASON_CLOSED_BY_SHARD, one.link.disconnectReason());
        assertNotEquals(one.link.serverSessionId(), replacement.link.serverSessionId());
        assertEquals(2, shard.counter(OrreryCounter.SERVERS_CONNECTED));
        assertEquals(1, shard.atlas().authorityOf(PLAYER));
        assertLegitimateOnesServed(replacement);
    }

    private int encodeHello(final int serverId, final String responseChannel, final int responseStreamId)
    {
        final byte[] token = shard.serverToken(serverId);
        final ServerHelloEncoder hello = new ServerHelloEncoder()
            .wrapAndApplyHeader(buffer, 0, headerEncoder)
            .protocolVersion(ServerIngressAdapter.PROTOCOL_VERSION)
            .serverId(serverId)
            .responseStreamId(responseStreamId)
            .tickRateHz(30)
            .maxEntities(0)
            .serverTimestampNs(0);
        hello.helloNonce(42); // api
        hello.putAuthToken(token, 0, token.length).responseChannel(responseChannel);
        return MessageHeaderEncoder.ENCODED_LENGTH + hello.encodedLength();
    }
}
