/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.cluster.service.ClientSession;
import io.aeron.cluster.service.Cluster;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.orrery.wire.atlas.CommandsAppliedDecoder;
import io.orrery.wire.atlas.LinkAppliedEncoder;
import io.orrery.wire.atlas.MessageHeaderDecoder;
import io.orrery.wire.atlas.MessageHeaderEncoder;
import io.orrery.wire.atlas.ResyncRequestDecoder;
import io.orrery.wire.atlas.SequencedDecoder;
import io.orrery.wire.atlas.SequencedEncoder;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@link AtlasClusteredService} driven directly, the way its container calls it (a stand-in {@link Cluster} and
 * layer {@link ClientSession} that record the egress): decisions the layer did not get are sent again after its
 * hello, an earlier table's are not, a duplicate command is dropped, a gap starts a fresh table, and a snapshot
 * loaded by another service gives the same state (the next command makes the same decisions).
 */
class AtlasClusteredServiceTest
{
    private static final long NOW = TimeUnit.SECONDS.toNanos(1000);
    private static final long LAYER_SESSION = 7;

    private MediaDriver driver;
    private Aeron aeron;
    private final List<byte[]> egress = new ArrayList<>();
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final SequencedDecoder sequenced = new SequencedDecoder();
    private ClientSession layer;
    private Cluster cluster;

    @BeforeEach
    void before()
    {
        driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
            .threadingMode(ThreadingMode.SHARED)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        layer = (ClientSession)Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[]{ ClientSession.class }, (proxy, method, args) -> switch (method.getName())
            {
                case "id" -> LAYER_SESSION;
                case "offer" -> record((DirectBuffer)args[0], (int)args[1], (int)args[2]);
                case "isClosing" -> false;
                default -> null;
            });
        cluster = (Cluster)Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[]{ Cluster.class }, (proxy, method, args) -> switch (method.getName())
            {
                case "aeron" -> aeron;
                case "idleStrategy" -> new YieldingIdleStrategy();
                case "memberId" -> 0;
                case "getClientSession" -> LAYER_SESSION == (long)args[0] ? layer : null;
                default -> null;
            });
    }

    @AfterEach
    void after()
    {
        CloseHelper.closeAll(aeron, driver);
    }

    private long record(final DirectBuffer src, final int offset, final int length)
    {
        final byte[] copy = new byte[length];
        src.getBytes(offset, copy);
        egress.add(copy);
        return 1;
    }

    private AtlasClusteredService startedService()
    {
        final AtlasClusteredService service = new AtlasClusteredService(
            ShardConfig.parse(MeshHandoffTest.TWO_SERVERS, "test.shard"), 64, TimeUnit.SECONDS.toNanos(2), 1024, null);
        service.onStart(cluster, null);
        return service;
    }

    private void hello(final AtlasClusteredService service, final long lastDecision, final long lastCommand)
    {
        new LinkAppliedEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .lastDecisionSequence(lastDecision)
            .lastCommandSequence(lastCommand);
        service.onSessionMessage(layer, 0, buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH +
            LinkAppliedEncoder.BLOCK_LENGTH, null);
    }

    private void command(
        final AtlasClusteredService service, final long sequence, final Consumer<AtlasCommandHandler> command)
    {
        final int[] length = {0};
        final AtlasCommandEncoder encoder = new AtlasCommandEncoder(new AtlasMessageWriter()
        {
            public int claim(final int messageLength)
            {
                length[0] = AtlasClusteredService.SEQUENCED_LENGTH + messageLength;
                return AtlasClusteredService.SEQUENCED_LENGTH;
            }

            public MutableDirectBuffer buffer()
            {
                return buffer;
            }

            public void commit()
            {
            }
        });
        command.accept(encoder);
        new SequencedEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder).sequence(sequence);
        service.onSessionMessage(layer, 0, buffer, 0, length[0], null);
    }

    private long sequenceOf(final byte[] message)
    {
        final UnsafeBuffer view = new UnsafeBuffer(message);
        header.wrap(view, 0);
        assertEquals(SequencedDecoder.TEMPLATE_ID, header.templateId());
        return sequenced.wrap(view, MessageHeaderDecoder.ENCODED_LENGTH, header.blockLength(), header.version())
            .sequence();
    }

    private int innerTemplateOf(final byte[] message)
    {
        header.wrap(new UnsafeBuffer(message), AtlasClusteredService.SEQUENCED_LENGTH);
        return header.templateId();
    }

    private static void joinBothServers(final AtlasClusteredService service, final AtlasClusteredServiceTest test)
    {
        test.command(service, 1, (c) -> c.onServerJoined(NOW, 0, 101, 0));
        test.command(service, 2, (c) -> c.onServerJoined(NOW, 1, 102, 0));
    }

    @Test
    void shouldResendDecisionsTheLayerMissedAndDropDuplicateCommands()
    {
        final AtlasClusteredService service = startedService();
        service.onSessionOpen(layer, 0);
        assertEquals(1, egress.size());
        assertEquals(ResyncRequestDecoder.TEMPLATE_ID, innerTemplateOf(egress.get(0)), "a new session: resync");

        hello(service, 0, 0);
        joinBothServers(service, this);
        final long decisions = service.decisionSequence();
        assertTrue(decisions >= 3, "territories granted: " + decisions);
        final List<byte[]> sent = new ArrayList<>(egress.subList(egress.size() - (int)(decisions - 1), egress.size()));
        assertEquals(2, sequenceOf(sent.get(0)));

        // the leader's egress was lost in an election: the layer applied only decision 1 and says so
        egress.clear();
        hello(service, 1, 2);
        final CommandsAppliedDecoder applied = new CommandsAppliedDecoder();
        header.wrap(new UnsafeBuffer(egress.get(0)), 0);
        assertEquals(CommandsAppliedDecoder.TEMPLATE_ID, header.templateId());
        assertEquals(2, applied.wrap(new UnsafeBuffer(egress.get(0)), MessageHeaderDecoder.ENCODED_LENGTH,
            header.blockLength(), header.version()).lastCommandSequence());
        assertEquals(decisions - 1, egress.size() - 1, "every decision after 1 resent");
        for (int i = 0; i < sent.size(); i++)
        {
            assertArrayEquals(sent.get(i), egress.get(i + 1), "decision " + (i + 2) + " resent as it was");
        }

        // a command sent again to the new leader is applied once
        egress.clear();
        command(service, 2, (c) -> c.onServerJoined(NOW, 1, 102, 0));
        assertEquals(1, service.duplicates());
        assertEquals(decisions, service.decisionSequence());
        assertEquals(0, egress.size());

        // a gap (commands lost beyond the layer's journal): a fresh table asks for the layer's state
        final long generation = service.generation();
        command(service, 9, (c) -> c.onTick(NOW, 1, 0, true));
        assertEquals(1, service.gaps());
        assertEquals(generation + 1, service.generation());
        assertEquals(ResyncRequestDecoder.TEMPLATE_ID, innerTemplateOf(egress.get(egress.size() - 1)));

        // bad input of the layer's session is counted and dropped, never thrown
        buffer.setMemory(0, 64, (byte)0x7f);
        service.onSessionMessage(layer, 0, buffer, 0, 4, null);
        new SequencedEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder).sequence(10);
        service.onSessionMessage(layer, 0, buffer, 0, AtlasClusteredService.SEQUENCED_LENGTH, null);
        buffer.putShort(0, (short)4000); // a block longer than the message
        service.onSessionMessage(layer, 0, buffer, 0, 40, null);
        assertEquals(3, service.malformed());

        // a restarted layer (hello from 0) is sent the current table's ResyncRequest, not the earlier table's decisions
        egress.clear();
        hello(service, 0, 9);
        assertEquals(2, egress.size(), "the answer to the hello and the ResyncRequest: " + egress.size());
        assertEquals(ResyncRequestDecoder.TEMPLATE_ID, innerTemplateOf(egress.get(1)));
    }

    @Test
    void shouldRebuildTheSameStateFromASnapshot()
    {
        final AtlasClusteredService service = startedService();
        service.onSessionOpen(layer, 0);
        hello(service, 0, 0);
        joinBothServers(service, this);
        command(service, 3, (c) -> c.onEntityAdded(1, 1, 0, false, -1500, 0, 0, 0));
        command(service, 4, (c) -> c.onTick(NOW + 1, 1, 0, true));

        final AtlasClusteredService restored;
        try (Subscription subscription = aeron.addSubscription("aeron:ipc", 77);
            ExclusivePublication publication = aeron.addExclusivePublication("aeron:ipc", 77))
        {
            while (!publication.isConnected() || 0 == subscription.imageCount())
            {
                Thread.yield();
            }
            service.onTakeSnapshot(publication);
            restored = new AtlasClusteredService(
                ShardConfig.parse(MeshHandoffTest.TWO_SERVERS, "test.shard"), 64, TimeUnit.SECONDS.toNanos(2), 1024,
                null);
            restored.onStart(cluster, subscription.imageAtIndex(0));
        }
        assertEquals(service.decisionSequence(), restored.decisionSequence());
        assertEquals(service.appliedCommandSequence(), restored.appliedCommandSequence());
        assertEquals(service.generation(), restored.generation());
        assertEquals(service.atlas().authorityOf(1), restored.atlas().authorityOf(1));
        assertTrue(0 != restored.atlas().authorityOf(1), "the entity has an authority");

        // the same next command: the same decisions, byte for byte
        egress.clear();
        command(service, 5, (c) -> c.onEntityMoved(1, 1, 0, 1500, 0, 0));
        command(service, 6, (c) -> c.onTick(NOW + 2, 2, 0, true));
        final List<byte[]> fromService = new ArrayList<>(egress);
        egress.clear();
        command(restored, 5, (c) -> c.onEntityMoved(1, 1, 0, 1500, 0, 0));
        command(restored, 6, (c) -> c.onTick(NOW + 2, 2, 0, true));
        assertTrue(!fromService.isEmpty(), "a handoff started");
        assertEquals(fromService.size(), egress.size());
        for (int i = 0; i < egress.size(); i++)
        {
            assertTrue(Arrays.equals(fromService.get(i), egress.get(i)), "decision " + i);
        }
    }
}
