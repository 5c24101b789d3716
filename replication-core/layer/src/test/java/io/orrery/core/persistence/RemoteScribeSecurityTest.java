/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.persistence;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.orrery.core.common.LinkKey;
import io.orrery.wire.scribelink.MessageHeaderEncoder;
import io.orrery.wire.scribelink.ScribeChallengeDecoder;
import io.orrery.wire.scribelink.ScribeChallengeEncoder;
import io.orrery.wire.scribelink.ScribeHelloEncoder;
import io.orrery.wire.scribelink.ScribeProofEncoder;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Scribe link as an attacker sees it: strangers (publications of an Aeron client of their own, without the link
 * key) that can publish on the Scribe's stream or on the layer's response stream, while a genuine layer
 * ({@link RemoteScribe}) links with a {@link RemoteScribeHost}; a real embedded media driver, IPC, both ends stepped
 * on the test's thread with one controlled clock, paced to the wall clock (the handshake crosses Aeron in real time).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
final class RemoteScribeSecurityTest
{
    private static final byte[] SECRET = "scribe-link-secret-for-tests".getBytes(StandardCharsets.UTF_8);
    private static final String CHANNEL = "aeron:ipc?term-length=1m";
    private static final int STRANGERS = 16;
    private static final int PER_STRANGER_A_TICK = 4;
    private static final long TICK_NS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final int MAX_TICKS = 300;

    @TempDir
    Path dir;

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final SplittableRandom random = new SplittableRandom(17);
    private final UnsafeBuffer message = new UnsafeBuffer(new byte[512]);
    private final byte[] bytes = new byte[LinkKey.MAC_LENGTH];
    private final PrintStream log = new PrintStream(System.out, true, StandardCharsets.UTF_8)
    {
        @Override
        public void println(final String line)
        {
            super.println("  " + line);
        }
    };
    private MediaDriver driver;
    private Aeron layerAeron;
    private Aeron hostAeron;
    private Aeron strangerAeron;
    private Scribe scribe;
    private RemoteScribeHost host;
    private RemoteScribe remote;
    private long nowNs = TimeUnit.SECONDS.toNanos(1000);

    @BeforeEach
    void start()
    {
        driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(new File(dir.toFile(), "aeron").getAbsolutePath())
            .threadingMode(ThreadingMode.SHARED)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        layerAeron = connect();
        hostAeron = connect();
        strangerAeron = connect();
        scribe = Scribe.launch(new ScribeContext()
            .adapter(new TestPersistenceAdapter())
            .ringSize(1024)
            .maxPendingOperations(64)
            .flushIntervalNs(TimeUnit.MILLISECONDS.toNanos(5)));
        host = new RemoteScribeHost(
            hostAeron, scribe, CHANNEL, RemoteScribeContext.STREAM_ID_DEFAULT, SECRET, log, () -> nowNs);
    }

    @AfterEach
    void close()
    {
        CloseHelper.quietClose(remote);
        for (int i = closeables.size() - 1; i >= 0; i--)
        {
            CloseHelper.quietClose(closeables.get(i));
        }
        if (null != host)
        {
            host.onClose();
        }
        CloseHelper.quietCloseAll(scribe, strangerAeron, hostAeron, layerAeron, driver);
    }

    /**
     * A flood of well-formed hellos without the link key from 16 images, 64 a tick, under way before the genuine
     * layer starts and all the while it says hello (every 250 ms): the layer links in a bounded number of ticks, every
     * stranger hello is refused on its MAC (no publication, no handshake for it) and none is shed. Before hellos
     * carried a MAC, a stranger's hello took the one handshake and the next one took it again as soon as it was 1 s
     * old, so the genuine layer's hello (refused while a handshake under 1 s old was under way) almost never got it:
     * it had not linked after {@value #MAX_TICKS} ticks.
     */
    @Test
    void shouldLinkTheGenuineLayerInBoundedTimeUnderAFloodOfStrangerHellos()
    {
        final ExclusivePublication[] strangers = strangers(RemoteScribeContext.STREAM_ID_DEFAULT);
        long offered = 0;
        for (int t = 0; t < 5; t++)
        {
            offered += floodHellos(strangers);
            tick();
        }
        remote = launchLayer();
        int ticks = 0;
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!remote.isLinked() && ticks < MAX_TICKS && System.nanoTime() - deadlineNs < 0)
        {
            offered += floodHellos(strangers);
            pacedTick();
            ticks++;
        }
        System.out.printf("hello flood: layer linked %s after %d ticks (%d ms of the clock); %d stranger hellos " +
            "offered, host refused %d, shed %d, put off %d; %s%n", remote.isLinked(), ticks,
            ticks * TICK_NS / 1_000_000, offered, host.hellosRefused(), host.hellosShed(), host.hellosWaiting(), host);
        assertTrue(remote.isLinked(), "the genuine layer linked under the flood within " + ticks + " ticks");
        assertTrue(host.isLinked());
        assertEquals(1, host.links());
        assertTrue(host.hellosRefused() > STRANGERS, "the strangers' hellos refused: " + host.hellosRefused());
        assertEquals(0, host.hellosShed(), "no stranger ever held the handshake");
        assertEquals(0, host.proofsFailed());

        // the flood goes on: the link stays, and what the layer sends is written
        for (int i = 0; i < 10; i++)
        {
            assertTrue(remote.offerNodeRemoval(100 + i));
        }
        for (int t = 0; t < 30 || remote.durableSequence() < 9; t++)
        {
            floodHellos(strangers);
            pacedTick();
            assertTrue(t < 3000, "what the layer sent reported durable under the flood");
        }
        assertTrue(remote.isLinked() && host.isLinked());
        assertEquals(1, host.links());
    }

    /**
     * A flood of well-formed challenges (their own nonces, MACs not made with the link key) from 16 images on the
     * layer's response stream, 64 a tick, under way before the layer starts: the layer answers none of them and links
     * with the genuine Scribe in a bounded number of ticks, and the Scribe sees no failed proof. Without the
     * challenge's MAC the layer answered each stranger's challenge: that proof reached the Scribe and failed there,
     * ending the genuine handshake, the layer waited for a welcome from the stranger's image and held its hellos back
     * for 1 s each time: it had not linked after {@value #MAX_TICKS} ticks.
     */
    @Test
    void shouldAnswerNoStrangersChallengeAndLinkUnderAFloodOfThem()
    {
        // a subscription of the strangers' own has their publications connected before the layer's exists
        closeables.add(strangerAeron.addSubscription(CHANNEL, RemoteScribeContext.RESPONSE_STREAM_ID_DEFAULT));
        final ExclusivePublication[] strangers = strangers(RemoteScribeContext.RESPONSE_STREAM_ID_DEFAULT);
        long offered = 0;
        for (int t = 0; t < 5; t++)
        {
            offered += floodChallenges(strangers);
            tick();
        }
        remote = launchLayer();
        int ticks = 0;
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!remote.isLinked() && ticks < MAX_TICKS && System.nanoTime() - deadlineNs < 0)
        {
            offered += floodChallenges(strangers);
            pacedTick();
            ticks++;
        }
        System.out.printf("challenge flood: layer linked %s after %d ticks (%d ms of the clock); %d stranger " +
            "challenges offered, layer refused %d; %s; %s%n", remote.isLinked(), ticks, ticks * TICK_NS / 1_000_000,
            offered, remote.challengesRefused(), remote, host);
        assertTrue(remote.isLinked(), "the genuine layer linked under the flood within " + ticks + " ticks");
        assertTrue(host.isLinked());
        assertEquals(1, host.links());
        assertTrue(remote.challengesRefused() > STRANGERS, "the strangers' challenges refused: " +
            remote.challengesRefused());
        assertEquals(0, host.proofsFailed(), "no proof for a stranger's challenge reached the Scribe");
        assertEquals(0, remote.proofsFailed());
    }

    /**
     * A hello signed with the link key for another Aeron session (a genuine layer's, replayed by a stranger from an
     * image of its own), a hello of schema version 1 (no MAC), one signed for the stranger's own session, channel and
     * stream but sent naming another channel, and one of version 2 (its MAC over no channel): all refused, nothing
     * opened for them, and the genuine layer links.
     */
    @Test
    void shouldRefuseAReplayedHelloAndOnesOfOlderVersions()
    {
        final ExclusivePublication stranger = strangers(RemoteScribeContext.STREAM_ID_DEFAULT)[0];
        final LinkKey key = RemoteScribeCodec.newKey(SECRET);
        final byte[] nonce = new byte[LinkKey.NONCE_LENGTH];
        final byte[] mac = new byte[LinkKey.MAC_LENGTH];
        random.nextBytes(nonce);
        final byte[] signed = LinkKey.helloExtra(CHANNEL, RemoteScribeContext.RESPONSE_STREAM_ID_DEFAULT);
        key.prove(RemoteScribeCodec.ROLE_HELLO, stranger.sessionId() + 1,
            RemoteScribeContext.RESPONSE_STREAM_ID_DEFAULT, nonce, signed, 0, signed.length, mac, 0);
        final int replayed = hello(nonce, mac, RemoteScribeContext.RESPONSE_STREAM_ID_DEFAULT, CHANNEL);
        await(() -> stranger.offer(message, 0, replayed) > 0, "the replayed hello sent");
        await(() -> host.hellosRefused() >= 1, "the replayed hello refused");

        // version 1: the hello's block without the MAC, the channel right after it
        final int oldBlock = ScribeHelloEncoder.BLOCK_LENGTH - LinkKey.MAC_LENGTH;
        new MessageHeaderEncoder().wrap(message, 0)
            .blockLength(oldBlock)
            .templateId(ScribeHelloEncoder.TEMPLATE_ID)
            .schemaId(ScribeHelloEncoder.SCHEMA_ID)
            .version(1);
        final int channelAt = MessageHeaderEncoder.ENCODED_LENGTH + oldBlock;
        final byte[] channel = CHANNEL.getBytes(StandardCharsets.US_ASCII);
        message.putShort(channelAt, (short)channel.length, java.nio.ByteOrder.LITTLE_ENDIAN);
        message.putBytes(channelAt + 2, channel);
        await(() -> stranger.offer(message, 0, channelAt + 2 + channel.length) > 0, "the version 1 hello sent");
        await(() -> host.hellosRefused() >= 2, "the version 1 hello refused");

        // signed for the stranger's own session, channel and stream, sent naming another channel
        key.prove(RemoteScribeCodec.ROLE_HELLO, stranger.sessionId(), RemoteScribeContext.RESPONSE_STREAM_ID_DEFAULT,
            nonce, signed, 0, signed.length, mac, 0);
        final int otherChannel =
            hello(nonce, mac, RemoteScribeContext.RESPONSE_STREAM_ID_DEFAULT, CHANNEL + "?alias=elsewhere");
        await(() -> stranger.offer(message, 0, otherChannel) > 0, "the hello naming another channel sent");
        await(() -> host.hellosRefused() >= 3, "the hello naming another channel refused");

        // version 2: its MAC over the session, the stream and the nonce alone, as a version-2 layer made it
        key.prove(RemoteScribeCodec.ROLE_HELLO, stranger.sessionId(), RemoteScribeContext.RESPONSE_STREAM_ID_DEFAULT,
            nonce, mac, 0);
        final int versionTwo = hello(nonce, mac, RemoteScribeContext.RESPONSE_STREAM_ID_DEFAULT, CHANNEL);
        new MessageHeaderEncoder().wrap(message, 0).version(2);
        await(() -> stranger.offer(message, 0, versionTwo) > 0, "the version 2 hello sent");
        await(() -> host.hellosRefused() >= 4, "the version 2 hello refused");
        assertTrue(host.toString().contains("handshake=0,"), "no handshake for any: " + host);

        remote = launchLayer();
        await(remote::isLinked, "the genuine link");
        assertEquals(4, host.hellosRefused());
        assertEquals(0, host.hellosShed());
        assertEquals(1, host.links());
    }

    /**
     * A layer's hellos repeat until a challenge reaches it, so when the challenge's image is slow to connect (a cold
     * Scribe process, a loaded host) hellos of the same attempt cross it. They keep the handshake under way: the
     * layer's proof of the first challenge links. CI saw the Scribe replace its handshake on each: the proof matched
     * neither the newest challenge nor the one remembered as replaced, and failed.
     */
    @Test
    void shouldLinkOnTheProofOfTheFirstChallengeWhenHellosOfTheSameAttemptCrossIt()
    {
        final int responseStream = 7700;
        final ExclusivePublication layer = strangers(RemoteScribeContext.STREAM_ID_DEFAULT)[0];
        final io.aeron.Subscription answers = strangerAeron.addSubscription(CHANNEL, responseStream);
        closeables.add(answers);
        final LinkKey key = RemoteScribeCodec.newKey(SECRET);
        final byte[] nonce = new byte[LinkKey.NONCE_LENGTH];
        random.nextBytes(nonce);
        final byte[] mac = new byte[LinkKey.MAC_LENGTH];
        final byte[] signed = LinkKey.helloExtra(CHANNEL, responseStream);
        key.prove(RemoteScribeCodec.ROLE_HELLO, layer.sessionId(), responseStream, nonce, signed, 0, signed.length,
            mac, 0);
        final int hello = hello(nonce, mac, responseStream, CHANNEL);
        await(() -> layer.offer(message, 0, hello) > 0, "the hello sent");

        // the first challenge: its nonce and the Scribe's session id, as the layer reads them
        final byte[] challengeNonce = new byte[LinkKey.NONCE_LENGTH];
        final int[] scribeSessionId = {0};
        final int[] challenges = {0};
        final ScribeChallengeDecoder challenge = new ScribeChallengeDecoder();
        final io.orrery.wire.scribelink.MessageHeaderDecoder headerDecoder =
            new io.orrery.wire.scribelink.MessageHeaderDecoder();
        final io.aeron.logbuffer.FragmentHandler onChallenge = (buffer, offset, length, header) ->
        {
            if (ScribeChallengeDecoder.TEMPLATE_ID == headerDecoder.wrap(buffer, offset).templateId() &&
                0 == challenges[0]++)
            {
                challenge.wrapAndApplyHeader(buffer, offset, headerDecoder);
                challenge.getNonce(challengeNonce, 0, LinkKey.NONCE_LENGTH);
                scribeSessionId[0] = header.sessionId();
            }
        };
        await(() -> answers.poll(onChallenge, 1) > 0 && challenges[0] > 0, "the first challenge");

        // two more hellos of the same attempt, read by the Scribe before the layer's proof
        for (int i = 0; i < 2; i++)
        {
            await(() -> layer.offer(message, 0, hello) > 0, "a repeated hello sent");
            nowNs += RemoteScribeContext.HELLO_INTERVAL_NS_DEFAULT;
        }
        final long repeated = 2;
        await(() -> host.hellosRepeated() >= repeated, "the repeated hellos read: " + host);

        key.prove(RemoteScribeCodec.ROLE_LAYER, layer.sessionId(), scribeSessionId[0], challengeNonce, mac, 0);
        final int proof = MessageHeaderEncoder.ENCODED_LENGTH + new ScribeProofEncoder()
            .wrapAndApplyHeader(message, 0, new MessageHeaderEncoder())
            .putMac(mac, 0, LinkKey.MAC_LENGTH)
            .encodedLength();
        await(() -> layer.offer(message, 0, proof) > 0, "the proof sent");
        await(() -> host.links() > 0 || host.proofsFailed() > 0, "the proof read: " + host);
        assertEquals(0, host.proofsFailed(), host.toString());
        assertEquals(1, host.links(), host.toString());
        answers.poll(onChallenge, 10);
        assertEquals(1, challenges[0], "no second challenge");
    }

    /**
     * @return the length of a hello with these fields encoded into {@link #message}.
     */
    private int hello(final byte[] nonce, final byte[] mac, final int responseStreamId, final String responseChannel)
    {
        return MessageHeaderEncoder.ENCODED_LENGTH + new ScribeHelloEncoder()
            .wrapAndApplyHeader(message, 0, new MessageHeaderEncoder())
            .responseStreamId(responseStreamId)
            .putNonce(nonce, 0, LinkKey.NONCE_LENGTH)
            .putMac(mac, 0, LinkKey.MAC_LENGTH)
            .responseChannel(responseChannel)
            .encodedLength();
    }

    private RemoteScribe launchLayer()
    {
        return RemoteScribe.launch(new RemoteScribeContext()
            .aeron(layerAeron)
            .channel(CHANNEL)
            .responseChannel(CHANNEL)
            .capacity(1024)
            .maxPendingOperations(64)
            .closeTimeoutNs(TimeUnit.SECONDS.toNanos(2))
            .linkSecret(SECRET)
            .nanoClock(() -> nowNs)
            .log(log));
    }

    private Aeron connect()
    {
        return Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
    }

    private ExclusivePublication[] strangers(final int streamId)
    {
        final ExclusivePublication[] strangers = new ExclusivePublication[STRANGERS];
        for (int i = 0; i < STRANGERS; i++)
        {
            strangers[i] = strangerAeron.addExclusivePublication(CHANNEL, streamId);
            closeables.add(strangers[i]);
        }
        await(() ->
        {
            for (final ExclusivePublication stranger : strangers)
            {
                if (!stranger.isConnected())
                {
                    return false;
                }
            }
            return true;
        }, "the strangers' publications connected");
        return strangers;
    }

    private long floodHellos(final ExclusivePublication[] strangers)
    {
        long offered = 0;
        for (int i = 0; i < strangers.length; i++)
        {
            for (int k = 0; k < PER_STRANGER_A_TICK; k++)
            {
                random.nextBytes(bytes);
                final int length = MessageHeaderEncoder.ENCODED_LENGTH + new ScribeHelloEncoder()
                    .wrapAndApplyHeader(message, 0, new MessageHeaderEncoder())
                    .responseStreamId(7600 + i)
                    .putNonce(bytes, 0, LinkKey.NONCE_LENGTH)
                    .putMac(bytes, 0, LinkKey.MAC_LENGTH)
                    .responseChannel(CHANNEL)
                    .encodedLength();
                offered += strangers[i].offer(message, 0, length) > 0 ? 1 : 0;
            }
        }
        return offered;
    }

    private long floodChallenges(final ExclusivePublication[] strangers)
    {
        long offered = 0;
        for (int i = 0; i < strangers.length; i++)
        {
            for (int k = 0; k < PER_STRANGER_A_TICK; k++)
            {
                random.nextBytes(bytes);
                final int length = MessageHeaderEncoder.ENCODED_LENGTH + new ScribeChallengeEncoder()
                    .wrapAndApplyHeader(message, 0, new MessageHeaderEncoder())
                    .putNonce(bytes, 0, LinkKey.NONCE_LENGTH)
                    .putMac(bytes, 0, LinkKey.MAC_LENGTH)
                    .encodedLength();
                offered += strangers[i].offer(message, 0, length) > 0 ? 1 : 0;
            }
        }
        return offered;
    }

    private void step()
    {
        host.doWork();
        if (null != remote)
        {
            remote.doWork();
        }
    }

    /**
     * One tick, unpaced: both ends stepped a few times, then the clock moved on by {@link #TICK_NS}.
     */
    private void tick()
    {
        for (int i = 0; i < 4; i++)
        {
            step();
        }
        nowNs += TICK_NS;
    }

    /**
     * One tick, the clock no faster than the wall clock: both ends stepped until a tick's worth of wall time passed
     * (or the layer linked), then the clock moved on by {@link #TICK_NS}. The handshake crosses Aeron in real time,
     * and a clock that outran it would expire handshakes only slow in wall time.
     */
    private void pacedTick()
    {
        final long tickEndNs = System.nanoTime() + TICK_NS;
        do
        {
            step();
            Thread.yield();
        }
        while (!remote.isLinked() && System.nanoTime() - tickEndNs < 0);
        nowNs += TICK_NS;
    }

    private void await(final BooleanSupplier condition, final String what)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long tickEndNs = System.nanoTime() + TICK_NS;
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() - deadlineNs < 0, "timed out waiting for " + what + ": " + host + "; " +
                remote);
            step();
            Thread.yield();
            if (System.nanoTime() - tickEndNs >= 0)
            {
                nowNs += TICK_NS; // paced to the wall clock
                tickEndNs += TICK_NS;
            }
        }
    }
}
