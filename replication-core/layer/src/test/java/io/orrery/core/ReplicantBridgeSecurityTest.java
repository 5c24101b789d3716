/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.orrery.core.common.LinkKey;
import io.orrery.core.replicant.bridge.RemoteReplicantHost;
import io.orrery.core.replicant.bridge.ReplicantBridge;
import io.orrery.core.replicant.bridge.ReplicantLinkKey;
import io.orrery.wire.replicantlink.MessageHeaderEncoder;
import io.orrery.wire.replicantlink.ReplicantChallengeDecoder;
import io.orrery.wire.replicantlink.ReplicantChallengeEncoder;
import io.orrery.wire.replicantlink.ReplicantClientFrameEncoder;
import io.orrery.wire.replicantlink.ReplicantHelloEncoder;
import io.orrery.wire.replicantlink.ReplicantProofEncoder;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Replicant bridge link as an attacker sees it: strangers that can publish on the bridge's stream or on a
 * Replicant's feed stream (a real embedded media driver, IPC; the remote Replicant a {@link RemoteReplicantHost} on an
 * Aeron client of its own, stepped with the layer on the test's thread and the layer's controlled clock).
 */
final class ReplicantBridgeSecurityTest
{
    private static final String CHANNEL = "aeron:ipc";
    private static final int FEED_STREAM = 7471;
    private static final int STRANGERS = 16;

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private TestShard shard;
    private Aeron remoteAeron;
    private Aeron strangerAeron;

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

    private void startShard()
    {
        shard = new TestShard((ctx) ->
        {
            ctx.compactUpdates(true).replicant().replicants(2).replicantBoundariesM(0).ownershipHysteresisM(5);
            ctx.replicantBridge().remoteIds(1).channel(CHANNEL);
        });
        remoteAeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(shard.layer.aeronDirectoryName()));
        closeables.add(remoteAeron);
        strangerAeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(shard.layer.aeronDirectoryName()));
        closeables.add(strangerAeron);
    }

    private RemoteReplicantHost newHost()
    {
        final RemoteReplicantHost host = new RemoteReplicantHost(shard.layer.context().replicant(), 1, remoteAeron,
            shard.clock, CHANNEL, ReplicantBridge.STREAM_ID_BASE + 1, CHANNEL, FEED_STREAM, TestShard.SECRET, 64,
            io.orrery.core.status.OrreryCounter.allocate(remoteAeron, "remote-replicant-security-test"),
            (line) -> System.out.println("host: " + line));
        closeables.add(host::onClose);
        return host;
    }

    private ExclusivePublication stranger(final int streamId)
    {
        final ExclusivePublication publication = strangerAeron.addExclusivePublication(CHANNEL, streamId);
        closeables.add(publication);
        return publication;
    }

    private void awaitConnected(final ExclusivePublication... publications)
    {
        shard.await(() ->
        {
            for (final ExclusivePublication publication : publications)
            {
                if (!publication.isConnected())
                {
                    return false;
                }
            }
            return true;
        }, "the strangers' publications connected");
    }

    /**
     * A flood of well-formed hellos for Replicant 1 from 16 images (stranger publications) without the link key, 64 a
     * tick, all the while the genuine Replicant says hello once a second: its hello gets a handshake and it links in a
     * bounded number of ticks. Before hellos carried a MAC, each stranger's hello from a new image replaced the oldest
     * of the 4 handshakes (and opened a publication for it), so the genuine one's was replaced before its challenge's
     * round trip and it never linked while the flood lasted.
     */
    @Test
    void shouldLinkTheGenuineReplicantInBoundedTimeUnderAFloodOfStrangerHellos()
    {
        startShard();
        final ReplicantBridge bridge = shard.layer.bridges()[0];
        final ExclusivePublication[] strangers = new ExclusivePublication[STRANGERS];
        for (int i = 0; i < STRANGERS; i++)
        {
            strangers[i] = stranger(ReplicantBridge.STREAM_ID_BASE + 1);
        }
        awaitConnected(strangers);
        final SplittableRandom random = new SplittableRandom(17);
        final UnsafeBuffer hello = new UnsafeBuffer(new byte[256]);
        final byte[] bytes = new byte[LinkKey.MAC_LENGTH];
        long offered = 0;
        // the flood is under way before the genuine Replicant starts
        for (int t = 0; t < 5; t++)
        {
            offered += flood(strangers, random, hello, bytes);
            shard.tick();
        }
        final RemoteReplicantHost host = newHost();
        shard.sideAgent(host);
        int ticks = 0;
        final long deadlineNs = System.nanoTime() + 60_000_000_000L;
        while (!host.isLinked() && ticks < 300 && System.nanoTime() - deadlineNs < 0)
        {
            final long tickEndNs = System.nanoTime() + TestShard.TICK_NS;
            offered += flood(strangers, random, hello, bytes);
            shard.tick();
            ticks++;
            // the layer's clock no faster than the wall clock: the handshake crosses Aeron in real time, and a clock
            // that outruns it expires handshakes only slow in wall time (CI, JDK 25, loaded: 270 ticks unpaced)
            shard.await(() -> host.isLinked() || System.nanoTime() - tickEndNs >= 0, "a tick's worth of wall time");
        }
        System.out.printf("flood: genuine Replicant linked %s after %d ticks (%d ms of the layer's clock); %d " +
            "stranger hellos offered, bridge refused %d, shed %d, messages refused %d%n", host.isLinked(), ticks,
            ticks * TestShard.TICK_NS / 1_000_000, offered, bridge.handshakesRefused(), bridge.hellosShed(),
            bridge.strangerMessages());
        assertTrue(host.isLinked(), "the genuine Replicant linked under the flood within " + ticks + " ticks");
        // bounded: 300 paced ticks (10 s) at most; without the hellos' MAC it was not linked in 300 (the strangers
        // kept replacing its handshake), and no stranger ever held a slot (below)
        assertTrue(bridge.isLinked());
        assertEquals(1, bridge.handshakesProven());
        assertTrue(bridge.handshakesRefused() > STRANGERS, "the strangers' hellos refused: " +
            bridge.handshakesRefused());
        assertEquals(0, bridge.hellosShed(), "no stranger ever held a handshake slot");
        // the flood goes on: the link stays
        for (int t = 0; t < 30; t++)
        {
            flood(strangers, random, hello, bytes);
            shard.tick();
        }
        assertTrue(host.isLinked() && bridge.isLinked());
        assertEquals(1, bridge.handshakesProven());
    }

    private static long flood(
        final ExclusivePublication[] strangers, final SplittableRandom random, final UnsafeBuffer hello,
        final byte[] bytes)
    {
        long offered = 0;
        for (int i = 0; i < strangers.length; i++)
        {
            for (int k = 0; k < 4; k++)
            {
                for (int b = 0; b < bytes.length; b++)
                {
                    bytes[b] = (byte)random.nextInt(256);
                }
                final int length = MessageHeaderEncoder.ENCODED_LENGTH + new ReplicantHelloEncoder()
                    .wrapAndApplyHeader(hello, 0, new MessageHeaderEncoder())
                    .replicantId((short)1)
                    .responseStreamId(7600 + i)
                    .putNonce(bytes, 0, LinkKey.NONCE_LENGTH)
                    .putMac(bytes, 0, LinkKey.MAC_LENGTH)
                    .responseChannel(CHANNEL)
                    .encodedLength();
                offered += strangers[i].offer(hello, 0, length) > 0 ? 1 : 0;
            }
        }
        return offered;
    }

    /**
     * A hello signed with the link key for one response channel and stream, taken off the wire and sent again naming
     * another channel, or another stream, is refused before anything is opened for it, as is a hello of link schema
     * version 1 (whose MAC covered neither); the same hello sent as it was signed gets a challenge on the channel it
     * names, and the genuine Replicant links beside it.
     */
    @Test
    void shouldRefuseAHelloReplayedNamingAnotherChannelOrStreamAndOneOfVersionOne()
    {
        startShard();
        final ReplicantBridge bridge = shard.layer.bridges()[0];
        final ExclusivePublication stranger = stranger(ReplicantBridge.STREAM_ID_BASE + 1);
        final io.aeron.Subscription signedAnswers = strangerAeron.addSubscription(CHANNEL, 7600);
        final io.aeron.Subscription otherAnswers = strangerAeron.addSubscription(CHANNEL, 7601);
        closeables.add(signedAnswers);
        closeables.add(otherAnswers);
        awaitConnected(stranger);
        final LinkKey key = ReplicantLinkKey.newKey(TestShard.SECRET);
        final byte[] nonce = new byte[LinkKey.NONCE_LENGTH];
        new SplittableRandom(23).nextBytes(nonce);
        final byte[] mac = new byte[LinkKey.MAC_LENGTH];
        final byte[] signed = LinkKey.helloExtra(CHANNEL, 7600);
        key.prove(ReplicantLinkKey.ROLE_HELLO, stranger.sessionId(), 1, nonce, signed, 0, signed.length, mac, 0);
        final UnsafeBuffer message = new UnsafeBuffer(new byte[256]);

        assertEquals(1, offer(stranger, message, hello(message, nonce, mac, 7600, CHANNEL + "?alias=elsewhere")));
        assertEquals(1, offer(stranger, message, hello(message, nonce, mac, 7601, CHANNEL)));
        // version 1: the MAC over the session id, the Replicant id and the nonce alone, as version 1 made it
        final byte[] oldMac = new byte[LinkKey.MAC_LENGTH];
        key.prove(ReplicantLinkKey.ROLE_HELLO, stranger.sessionId(), 1, nonce, oldMac, 0);
        final int oldLength = hello(message, nonce, oldMac, 7600, CHANNEL);
        new MessageHeaderEncoder().wrap(message, 0).version(1);
        assertEquals(1, offer(stranger, message, oldLength));
        shard.await(() -> bridge.handshakesRefused() >= 3, "the three hellos refused: " + describe(bridge));
        for (int t = 0; t < 5; t++)
        {
            shard.tick();
        }
        assertEquals(3, bridge.handshakesRefused(), describe(bridge));
        assertEquals(0, signedAnswers.imageCount() + otherAnswers.imageCount(), "nothing opened for them");

        // the hello as signed: a handshake, its challenge on the channel and stream the MAC covers
        assertEquals(1, offer(stranger, message, hello(message, nonce, mac, 7600, CHANNEL)));
        shard.await(() -> signedAnswers.imageCount() > 0, "the challenge's image for the hello as signed");
        assertEquals(0, otherAnswers.imageCount());
        assertEquals(3, bridge.handshakesRefused(), describe(bridge));

        final RemoteReplicantHost host = newHost();
        shard.sideAgent(host);
        awaitLinked(host, bridge);
        assertEquals(1, bridge.handshakesProven());
        assertEquals(0, bridge.hellosShed());
    }

    private static int hello(
        final UnsafeBuffer message, final byte[] nonce, final byte[] mac, final int streamId, final String channel)
    {
        return MessageHeaderEncoder.ENCODED_LENGTH + new ReplicantHelloEncoder()
            .wrapAndApplyHeader(message, 0, new MessageHeaderEncoder())
            .replicantId((short)1)
            .responseStreamId(streamId)
            .putNonce(nonce, 0, LinkKey.NONCE_LENGTH)
            .putMac(mac, 0, LinkKey.MAC_LENGTH)
            .responseChannel(channel)
            .encodedLength();
    }

    private static String describe(final ReplicantBridge bridge)
    {
        return "bridge: refused " + bridge.handshakesRefused() + ", messages refused " + bridge.strangerMessages() +
            ", shed " + bridge.hellosShed();
    }

    /**
     * A stranger that can publish on the Replicant's feed stream sends a challenge cut short (its nonce missing): the
     * Replicant drops and counts it and answers nothing, then links with the genuine bridge. Without the check it read
     * the nonce from past the message and sent the layer a proof for it, which the bridge refused.
     */
    @Test
    void shouldDropAChallengeCutShortAndLinkWithTheBridge()
    {
        startShard();
        final ReplicantBridge bridge = shard.layer.bridges()[0];
        final RemoteReplicantHost host = newHost();
        final ExclusivePublication stranger = stranger(FEED_STREAM);
        awaitConnected(stranger);
        final UnsafeBuffer message = new UnsafeBuffer(new byte[64]);
        new MessageHeaderEncoder().wrap(message, 0)
            .blockLength(ReplicantChallengeDecoder.BLOCK_LENGTH)
            .templateId(ReplicantChallengeDecoder.TEMPLATE_ID)
            .schemaId(ReplicantChallengeDecoder.SCHEMA_ID)
            .version(ReplicantChallengeDecoder.SCHEMA_VERSION);
        message.putInt(MessageHeaderEncoder.ENCODED_LENGTH, 0x5EED, ByteOrder.LITTLE_ENDIAN);
        assertTrue(stranger.offer(message, 0, MessageHeaderEncoder.ENCODED_LENGTH + 4) > 0);

        shard.sideAgent(host);
        shard.await(() -> host.strangerMessages() > 0 || host.isLinked(), "the host to read the stranger's message");
        awaitLinked(host, bridge);
        for (int t = 0; t < 10; t++)
        {
            shard.tick();
        }
        System.out.printf("cut-short challenge: host dropped %d, bridge refused %d%n", host.strangerMessages(),
            bridge.handshakesRefused());
        assertEquals(1, host.strangerMessages(), "the cut-short challenge dropped and counted");
        assertEquals(0, bridge.handshakesRefused(), "no proof sent for it");
        assertEquals(1, bridge.handshakesProven());
        assertTrue(bridge.isLinked());
    }

    /**
     * A stranger that can publish on the Replicant's feed stream sends a well-formed challenge (its own nonce, a MAC
     * not made with the link key) before the bridge's: the Replicant answers only the bridge's, whose MAC over its
     * hello's nonce verifies, and links at once. Without the challenge's MAC it answered the stranger's too: that
     * proof reached the bridge, failed there and ended the genuine handshake (refusals, a late link).
     */
    @Test
    void shouldAnswerNoChallengeButTheBridges()
    {
        startShard();
        final ReplicantBridge bridge = shard.layer.bridges()[0];
        final RemoteReplicantHost host = newHost();
        final ExclusivePublication stranger = stranger(FEED_STREAM);
        awaitConnected(stranger);
        final UnsafeBuffer message = new UnsafeBuffer(new byte[128]);
        final byte[] bytes = new byte[LinkKey.MAC_LENGTH];
        new SplittableRandom(9).nextBytes(bytes);
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + new ReplicantChallengeEncoder()
            .wrapAndApplyHeader(message, 0, new MessageHeaderEncoder())
            .putNonce(bytes, 0, LinkKey.NONCE_LENGTH)
            .putMac(bytes, 0, LinkKey.MAC_LENGTH)
            .encodedLength();
        shard.sideAgent(host);
        // the stranger's challenge right after the host's first hello, before the bridge's can arrive
        shard.poll();
        assertTrue(stranger.offer(message, 0, length) > 0);
        shard.await(() -> host.challengesRefused() > 0 || host.isLinked(), "the host to read the stranger's challenge");
        awaitLinked(host, bridge);
        for (int t = 0; t < 10; t++)
        {
            shard.tick();
        }
        System.out.printf("stranger's challenge: host refused %d, bridge refused %d%n", host.challengesRefused(),
            bridge.handshakesRefused());
        assertEquals(1, host.challengesRefused(), "the stranger's challenge not answered");
        assertEquals(0, bridge.handshakesRefused(), "no proof the bridge had to refuse");
        assertEquals(1, bridge.handshakesProven());
        assertTrue(bridge.isLinked());
    }

    /**
     * Malformed messages on the bridge's stream: a header alone, a hello whose block length runs past the message, a
     * proof cut short, a client frame whose bytes run past the message, a message of another schema: each dropped
     * and counted, none refused as a handshake or given a slot, and the genuine Replicant links.
     */
    @Test
    void shouldDropMalformedMessagesOnTheBridgesStream()
    {
        startShard();
        final ReplicantBridge bridge = shard.layer.bridges()[0];
        final ExclusivePublication stranger = stranger(ReplicantBridge.STREAM_ID_BASE + 1);
        awaitConnected(stranger);
        final UnsafeBuffer message = new UnsafeBuffer(new byte[256]);
        final MessageHeaderEncoder header = new MessageHeaderEncoder();
        int sent = 0;

        // a header alone
        header.wrap(message, 0).blockLength(ReplicantProofEncoder.BLOCK_LENGTH)
            .templateId(ReplicantProofEncoder.TEMPLATE_ID).schemaId(ReplicantProofEncoder.SCHEMA_ID).version(1);
        sent += offer(stranger, message, MessageHeaderEncoder.ENCODED_LENGTH);
        // a proof cut short
        sent += offer(stranger, message, MessageHeaderEncoder.ENCODED_LENGTH + 20);
        // a hello whose header claims a block running past the message
        final int helloLength = MessageHeaderEncoder.ENCODED_LENGTH + new ReplicantHelloEncoder()
            .wrapAndApplyHeader(message, 0, header).replicantId((short)1).responseStreamId(7600)
            .responseChannel(CHANNEL).encodedLength();
        header.wrap(message, 0).blockLength(0xFFFF);
        sent += offer(stranger, message, helloLength);
        // a client frame whose bytes run past the message
        final int frameLength = MessageHeaderEncoder.ENCODED_LENGTH + new ReplicantClientFrameEncoder()
            .wrapAndApplyHeader(message, 0, header).sessionId(1).putFrame(new byte[8], 0, 8).encodedLength();
        sent += offer(stranger, message, frameLength - 3);
        // the client schema
        header.wrap(message, 0).blockLength(0).templateId(1).schemaId(7301).version(1);
        sent += offer(stranger, message, MessageHeaderEncoder.ENCODED_LENGTH);
        assertEquals(5, sent);
        shard.await(() -> bridge.strangerMessages() >= 5, "the bridge to read the stranger's messages");

        final RemoteReplicantHost host = newHost();
        shard.sideAgent(host);
        awaitLinked(host, bridge);
        assertEquals(5, bridge.strangerMessages(), "each malformed message dropped and counted");
        assertEquals(0, bridge.handshakesRefused(), "none taken for a hello or a proof");
        assertEquals(1, bridge.handshakesProven());
    }

    private void awaitLinked(final RemoteReplicantHost host, final ReplicantBridge bridge)
    {
        try
        {
            shard.await(host::isLinked, "the genuine link");
        }
        catch (final AssertionError ex)
        {
            throw new AssertionError(ex.getMessage() + ": " + describe(host, bridge), ex);
        }
    }

    private static String describe(final RemoteReplicantHost host, final ReplicantBridge bridge)
    {
        return "host: linked " + host.isLinked() + ", messages refused " + host.strangerMessages() +
            ", challenges refused " + host.challengesRefused() + "; bridge: refused " + bridge.handshakesRefused() +
            ", messages refused " + bridge.strangerMessages() + ", proven " + bridge.handshakesProven();
    }

    private static int offer(final ExclusivePublication publication, final UnsafeBuffer buffer, final int length)
    {
        return publication.offer(buffer, 0, length) > 0 ? 1 : 0;
    }
}
