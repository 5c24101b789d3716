/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.orrery.core.ThreadingMode;
import io.orrery.core.common.LinkKey;
import io.orrery.core.persistence.CompletionHandler;
import io.orrery.core.persistence.LoadHandler;
import io.orrery.core.persistence.NodeRecord;
import io.orrery.core.persistence.OperationStatus;
import io.orrery.core.persistence.OperationType;
import io.orrery.core.persistence.RemoteScribe;
import io.orrery.core.persistence.RemoteScribeContext;
import io.orrery.core.persistence.RemoteScribeHost;
import io.orrery.core.persistence.Scribe;
import io.orrery.core.persistence.ScribeContext;
import io.orrery.persistence.rocksdb.RocksDbPersistenceAdapter;
import io.orrery.wire.scribelink.MessageHeaderEncoder;
import io.orrery.wire.scribelink.NodeRemovalEncoder;
import io.orrery.wire.scribelink.ScribeHelloEncoder;
import org.agrona.CloseHelper;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.LongHashSet;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Scribe link through a real media driver and a real RocksDB store: the layer's {@link RemoteScribe} and the
 * Scribe process's {@link RemoteScribeHost} in one JVM, each with its own Aeron client, stepped by the test thread
 * (the host's Scribe in INVOKER mode, so that "killing" it, never stepping it again and closing its client and
 * store, loses exactly what its ring held, as a SIGKILL would).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RemoteScribeTest
{
    private static final byte[] SECRET = "scribe-link-secret-for-tests".getBytes(StandardCharsets.UTF_8);
    private static final String CHANNEL = "aeron:ipc?term-length=1m";
    private static final long PLAYER = 0x7000_0000_0000_0001L;

    @TempDir
    Path dir;

    private MediaDriver driver;
    private Aeron layerAeron;
    private RemoteScribe remote;
    private Host host;
    private final ByteArrayOutputStream layerLog = new ByteArrayOutputStream();
    private final Completions completions = new Completions();
    private final Loads loads = new Loads();
    private final NodeRecord node = new NodeRecord();

    @BeforeEach
    void setUp()
    {
        driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(new File(dir.toFile(), "aeron").getAbsolutePath())
            .threadingMode(io.aeron.driver.ThreadingMode.SHARED)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        layerAeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        remote = RemoteScribe.launch(new RemoteScribeContext()
            .aeron(layerAeron)
            .name("test-layer")
            .channel(CHANNEL)
            .responseChannel(CHANNEL)
            .capacity(4096)
            .maxPendingOperations(256)
            .linkTimeoutNs(TimeUnit.SECONDS.toNanos(1))
            .helloIntervalNs(TimeUnit.MILLISECONDS.toNanos(50))
            .closeTimeoutNs(TimeUnit.SECONDS.toNanos(5))
            .linkSecret(SECRET)
            .log(new PrintStream(layerLog, true, StandardCharsets.UTF_8)));
    }

    @AfterEach
    void tearDown()
    {
        CloseHelper.quietClose(remote);
        if (null != host)
        {
            host.close();
        }
        CloseHelper.quietCloseAll(layerAeron, driver);
    }

    @Test
    void shouldWriteWorldRunOperationsAndLoadARegionThroughTheLink()
    {
        host = new Host(SECRET);
        awaitCondition(remote::isLinked, "linked");

        for (int i = 1; i <= 50; i++)
        {
            assertTrue(remote.offerNodeUpsert(fill(i, i * 1000L)));
        }
        assertTrue(remote.offerNodeRemoval(50));
        assertTrue(remote.offerWalletChange(1, 101, PLAYER, 500));
        assertTrue(remote.offerStow(2, 102, PLAYER, 0, fill(7, 7000)));
        assertTrue(remote.offerUnstow(3, 103, PLAYER, fill(7, 7777)));
        assertTrue(remote.offerOperationLookup(OperationType.STOW, 2, 104, PLAYER, 7));
        final long barrier = remote.flushNow();
        assertTrue(barrier >= 0);

        awaitCondition(() -> completions.count == 4 && remote.durableSequence() >= barrier, "outcomes and durable");
        assertEquals(OperationStatus.OK, completions.statusByCorrelation.get(101));
        assertEquals(OperationStatus.OK, completions.statusByCorrelation.get(102));
        assertEquals(OperationStatus.OK, completions.statusByCorrelation.get(103));
        assertTrue(completions.statusByCorrelation.containsKey(104), "look-up answered with its correlation id");
        assertEquals(7777, completions.unstowNodeX, "the unstow's completion carries its node");

        assertTrue(remote.offerLoadRegion(42, 0, Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE,
            Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE));
        awaitCondition(() -> loads.completedCorrelation == 42, "region loaded");
        assertEquals(49, loads.nodes.size(), "every node but the removed one");
        assertTrue(loads.nodes.contains(7) && !loads.nodes.contains(50));

        assertEquals(500, host.adapter.walletBalance(PLAYER));
        assertFalse(host.adapter.isStowed(7), "unstowed again");
        final NodeRecord stored = new NodeRecord();
        assertTrue(host.adapter.readNode(7, stored));
        assertEquals(7777, stored.x, "the unstow's state");
        assertEquals(0, remote.retained(), "nothing kept once durable and answered");
    }

    @Test
    void shouldSendAgainWhatALostScribeHadNotMadeDurableAndApplyEveryOperationOnce()
    {
        host = new Host(SECRET);
        awaitCondition(remote::isLinked, "linked");

        // batch A: answered and durable
        long walletTotal = 0;
        for (int i = 1; i <= 20; i++)
        {
            assertTrue(remote.offerNodeUpsert(fill(i, i)));
            assertTrue(remote.offerWalletChange(i, 1000 + i, PLAYER, i));
            walletTotal += i;
        }
        final long barrierA = remote.flushNow();
        awaitCondition(() -> completions.count == 20 && remote.durableSequence() >= barrierA, "batch A durable");

        // batch B: sent, partly taken by the host's ring, then the Scribe process dies
        for (int i = 21; i <= 40; i++)
        {
            assertTrue(remote.offerNodeUpsert(fill(i, i)));
            assertTrue(remote.offerWalletChange(i, 1000 + i, PLAYER, i));
            walletTotal += i;
        }
        assertTrue(remote.offerNodeUpsert(fill(3, 333)));
        assertTrue(remote.offerStow(100, 2000, PLAYER, 0, fill(3, 3333)));
        remote.doWork();
        host.agent.doWork(); // takes what arrived into its ring; its consumer ran before, so none of it is written
        host.agent.doWork(); // now some of it is applied and answered, perhaps
        host.kill();
        host = null;

        awaitCondition(() -> !remote.isLinked(), "link loss detected");
        assertEquals(1, remote.linksLost());
        assertTrue(layerLog.toString(StandardCharsets.UTF_8).contains("Scribe link test-layer lost"));
        assertTrue(remote.retained() > 0, "what is not durable is kept");

        // the layer keeps taking offers while the Scribe is away
        assertTrue(remote.offerWalletChange(41, 1041, PLAYER, 41));
        walletTotal += 41;

        host = new Host(SECRET);
        final long expectedTotal = walletTotal;
        final long barrierB = remote.flushNow();
        awaitCondition(() -> completions.count == 42 && remote.durableSequence() >= barrierB, "everything durable");

        assertTrue(remote.resent() > 0, "sent again after the relink");
        assertEquals(0, completions.duplicates, "every operation answered exactly once");
        assertEquals(expectedTotal, host.adapter.walletBalance(PLAYER), "every wallet change applied exactly once");
        assertTrue(host.adapter.isStowed(3), "the stow applied");
        assertFalse(host.adapter.containsNode(3), "and not undone by the entity's earlier upsert sent again");
        for (int i = 1; i <= 40; i++)
        {
            assertTrue(3 == i || host.adapter.containsNode(i), "node " + i);
        }
    }

    @Test
    void shouldRefuseALayerWithoutTheSecret()
    {
        host = new Host(SECRET);
        CloseHelper.quietClose(remote);
        remote = RemoteScribe.launch(new RemoteScribeContext()
            .aeron(layerAeron)
            .name("impostor")
            .channel(CHANNEL)
            .responseChannel(CHANNEL)
            .capacity(64)
            .maxPendingOperations(8)
            .helloIntervalNs(TimeUnit.MILLISECONDS.toNanos(50))
            .closeTimeoutNs(0)
            .linkSecret("not-the-scribe-link-secret".getBytes(StandardCharsets.UTF_8))
            .log(new PrintStream(layerLog, true, StandardCharsets.UTF_8)));
        assertTrue(remote.offerNodeUpsert(fill(1, 1)));
        // refused at its hello, whose MAC is not the link key's: it gets no challenge, so it sends no proof
        awaitCondition(() -> host.agent.hellosRefused() > 0, "hello refused");
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
        while (System.nanoTime() < deadlineNs)
        {
            step();
        }
        assertFalse(remote.isLinked());
        assertFalse(host.agent.isLinked());
        assertEquals(0, host.agent.links());
        assertEquals(0, host.agent.proofsFailed(), "no handshake for it, no proof");
        assertEquals(0, host.adapter.nodeCount(), "nothing of the impostor read");
    }

    @Test
    void shouldDropWhatAPeerSendsBeforeItsProof()
    {
        CloseHelper.quietClose(remote); // only the stranger talks to the Scribe process: no legit link to count
        remote = null;
        host = new Host(SECRET);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        final NodeRemovalEncoder removal = new NodeRemovalEncoder();
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + removal
            .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder()).sequence(0).entityId(1).encodedLength();
        try (ExclusivePublication raw = layerAeron.addExclusivePublication(
            CHANNEL, RemoteScribeContext.STREAM_ID_DEFAULT))
        {
            awaitCondition(raw::isConnected, "raw publication connected");
            for (int i = 0; i < 10; i++)
            {
                while (raw.offer(buffer, 0, length) < 0)
                {
                    step();
                }
                final int garbage = 3;
                while (raw.offer(buffer, 0, garbage) < 0)
                {
                    step();
                }
            }
            awaitCondition(() -> host.agent.messagesRefused() >= 20, "refused");
        }
        assertEquals(0, host.agent.links());
        assertEquals(0, host.scribe.lastOfferedSequence() + 1, "nothing of it offered to Scribe");
    }

    /**
     * A hello not yet proven (signed with the key: a hello without a valid MAC is refused before its channel is read)
     * is answered only on the host it came from, with the Scribe process's own term length.
     */
    @Test
    void shouldAnswerAStrangersHelloOnlyOnItsOwnHostAndWithItsOwnTermLength()
    {
        CloseHelper.quietClose(remote); // only the stranger talks to the Scribe process (one handshake at a time)
        remote = null;
        host = new Host(SECRET);
        final int responseStreamId = 4242;
        try (ExclusivePublication raw = layerAeron.addExclusivePublication(
            CHANNEL, RemoteScribeContext.STREAM_ID_DEFAULT);
            Subscription answers = layerAeron.addSubscription("aeron:ipc", responseStreamId))
        {
            awaitCondition(raw::isConnected, "raw publication connected");

            // a third party's address: a stranger must not have the Scribe process send anything there
            sendHello(raw, responseStreamId, "aeron:udp?endpoint=10.9.8.7:40123");
            awaitCondition(() -> host.agent.messagesRefused() >= 1, "the hello naming another host refused");

            // its own host, asking for a 128 MiB term: answered, on the Scribe process's own term length
            final long refusedBefore = host.agent.messagesRefused();
            sendHello(raw, responseStreamId, "aeron:ipc?term-length=128m|sparse=false|linger=60s");
            awaitCondition(() -> answers.imageCount() > 0, "the challenge's image");
            final Image image = answers.imageAtIndex(0);
            assertEquals(RemoteScribeHost.RESPONSE_TERM_LENGTH, image.termBufferLength(),
                "the term length is the Scribe process's, not the stranger's");
            assertEquals(refusedBefore, host.agent.messagesRefused());
        }
        assertEquals(0, host.agent.links());
    }

    private void sendHello(final ExclusivePublication raw, final int responseStreamId, final String responseChannel)
    {
        // signed with the link key (RemoteScribeCodec: domain orrery-scribe-link-v1, role hello 8, over the channel
        // and stream too): since hellos carry a MAC, a hello without it is refused before its channel is looked at
        final byte[] nonce = new byte[LinkKey.NONCE_LENGTH];
        final byte[] mac = new byte[LinkKey.MAC_LENGTH];
        final byte[] signed = LinkKey.helloExtra(responseChannel, responseStreamId);
        new LinkKey(SECRET, "orrery-scribe-link-v1").prove((byte)8, raw.sessionId(), responseStreamId, nonce, signed, 0,
            signed.length, mac, 0);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[512]);
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + new ScribeHelloEncoder()
            .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .responseStreamId(responseStreamId)
            .putNonce(nonce, 0, LinkKey.NONCE_LENGTH)
            .putMac(mac, 0, LinkKey.MAC_LENGTH)
            .responseChannel(responseChannel)
            .encodedLength();
        while (raw.offer(buffer, 0, length) < 0)
        {
            step();
        }
    }

    private NodeRecord fill(final long entityId, final long x)
    {
        node.reset();
        node.entityId = entityId;
        node.archetypeId = 3;
        node.parentZoneId = 0;
        node.x = x;
        node.y = entityId;
        node.componentStateLength = 8;
        node.componentState[0] = (byte)entityId;
        return node;
    }

    private void step()
    {
        if (null != remote)
        {
            remote.doWork();
            remote.pollCompletions(completions, 100);
            remote.pollLoads(loads, 1000);
        }
        if (null != host)
        {
            host.agent.doWork();
        }
    }

    private void awaitCondition(final BooleanSupplier condition, final String what)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadlineNs)
            {
                throw new AssertionError("timed out waiting for " + what + "; layer log: " +
                    layerLog.toString(StandardCharsets.UTF_8) + "; layer " + remote + "; host " +
                    (null == host ? "none" : host.agent.toString()));
            }
            step();
            Thread.yield();
        }
    }

    private final class Host
    {
        final Aeron aeron;
        final RocksDbPersistenceAdapter adapter;
        final Scribe scribe;
        final RemoteScribeHost agent;

        Host(final byte[] secret)
        {
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
            adapter = RocksDbPersistenceAdapter.open(dir.resolve("store"));
            scribe = Scribe.launch(new ScribeContext()
                .adapter(adapter)
                .name("test-scribe")
                .ringSize(4096)
                .maxPendingOperations(256)
                .threadingMode(ThreadingMode.INVOKER));
            agent = new RemoteScribeHost(aeron, scribe, CHANNEL, RemoteScribeContext.STREAM_ID_DEFAULT, secret,
                System.err);
        }

        void kill()
        {
            CloseHelper.quietClose(aeron); // its publication and subscription go at once; its ring is abandoned
            CloseHelper.quietClose(adapter);
        }

        void close()
        {
            agent.onClose();
            scribe.close();
            CloseHelper.quietCloseAll(adapter, aeron);
        }
    }

    private static final class Completions implements CompletionHandler
    {
        final Long2LongHashMap statusByCorrelation = new Long2LongHashMap(-1);
        final LongHashSet seen = new LongHashSet();
        int count;
        int duplicates;
        long unstowNodeX = -1;

        @Override
        public void onCompletion(
            final int operationType,
            final long operationId,
            final long correlationId,
            final int status,
            final int firstStatus,
            final long value,
            final NodeRecord node)
        {
            if (null != node)
            {
                unstowNodeX = node.x;
            }
            onCompletion(operationType, operationId, correlationId, status, firstStatus, value);
        }

        @Override
        public void onCompletion(
            final int operationType,
            final long operationId,
            final long correlationId,
            final int status,
            final int firstStatus,
            final long value)
        {
            if (!seen.add(correlationId))
            {
                duplicates++;
                return;
            }
            count++;
            statusByCorrelation.put(correlationId, status);
        }
    }

    private static final class Loads implements LoadHandler
    {
        final LongHashSet nodes = new LongHashSet();
        long completedCorrelation = -1;

        @Override
        public void onLoadedNode(final long correlationId, final NodeRecord node)
        {
            nodes.add(node.entityId);
        }

        @Override
        public void onLoadComplete(final long correlationId, final int nodeCount)
        {
            completedCorrelation = correlationId;
        }
    }
}
