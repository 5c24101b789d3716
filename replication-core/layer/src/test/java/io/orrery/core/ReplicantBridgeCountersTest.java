/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core;

import io.aeron.Aeron;
import io.orrery.core.client.ClientSession;
import io.orrery.core.replicant.EntityStore;
import io.orrery.core.replicant.bridge.RemoteReplicantHost;
import io.orrery.core.replicant.bridge.ReplicantBridge;
import io.orrery.core.status.LayerMetrics;
import io.orrery.core.status.OrreryCounter;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.orrery.core.TestShard.MM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bridge's and the remote Replicant's figures as system counters: a real embedded media driver, IPC, the remote
 * Replicant a {@link RemoteReplicantHost} on an Aeron client of its own stepped with the layer. The counters equal
 * the getters after every step (the bridge's own with {@code replicant=1} and the shard's sum; the host's process
 * counters), through a link, movement, the Replicant's death and a new link; {@code /metrics} shows each bridge's
 * samples with a {@code replicant} label, and {@code promtool check metrics} accepts the text where it is installed.
 */
final class ReplicantBridgeCountersTest
{
    private static final String CHANNEL = "aeron:ipc";
    private static final int FEED_STREAM = 7481;
    private static final int ENTITIES = 16;
    private static final long FIRST_ENTITY = 1000;
    private static final long RETURN_AFTER_MS = 300;

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private TestShard shard;

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

    private RemoteReplicantHost newHost(final Aeron aeron)
    {
        final RemoteReplicantHost host = new RemoteReplicantHost(shard.layer.context().replicant(), 1, aeron,
            shard.clock, CHANNEL, ReplicantBridge.STREAM_ID_BASE + 1, CHANNEL, FEED_STREAM, TestShard.SECRET, 64,
            OrreryCounter.allocate(aeron, "remote-replicant-counters-test"), (line) -> { });
        closeables.add(host::onClose);
        return host;
    }

    @Test
    void shouldMoveTheCountersAsTheGettersThroughALinkADeathAndANewLink() throws Exception
    {
        shard = new TestShard((ctx) ->
        {
            ctx.compactUpdates(true).replicant().replicants(2).replicantBoundariesM(0).ownershipHysteresisM(5);
            ctx.replicantBridge().remoteIds(1).channel(CHANNEL).returnAfterMs(RETURN_AFTER_MS);
        });
        final ReplicantBridge bridge = shard.layer.bridges()[0];
        assertEquals(0, shard.layer.counter(OrreryCounter.REPLICANT_BRIDGES_LINKED));
        final Aeron firstAeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(
            shard.layer.aeronDirectoryName()));
        closeables.add(firstAeron);
        final RemoteReplicantHost first = newHost(firstAeron);
        shard.sideAgent(first);
        final ClientSession west = shard.connect(1, -40);
        final ClientSession east = shard.connect(2, 40);
        final EntityStore store = shard.store();
        for (int i = 0; i < ENTITIES; i++)
        {
            shard.createEntity(FIRST_ENTITY + i, (i - ENTITIES / 2) * 8L, 1);
        }
        shard.await(first::isLinked, "the first link");
        // a remote Replicant owns (and so streams) nothing until it was synced and heard for the return hold
        shard.ticksUntil(() -> shard.layer.replicant().ownership().isAvailable(1), 300, "the first link available");
        for (int t = 0; t < 40; t++)
        {
            move(store, t);
            shard.tick();
            assertCountersAsGetters(shard.layer, bridge);
            assertHostCountersAsGetters(first);
        }
        assertTrue(west.isConnected() && east.isConnected());
        assertEquals(1, shard.layer.counter(OrreryCounter.REPLICANT_BRIDGES_LINKED));
        assertTrue(shard.layer.counter(OrreryCounter.REPLICANT_BRIDGE_FRAMES_RELAYED) > 0, "frames relayed");
        assertTrue(shard.layer.counter(OrreryCounter.REPLICANT_BRIDGE_FEED_MESSAGES) > 0, "feed forwarded");
        assertEquals(1, first.counters()[OrreryCounter.REMOTE_REPLICANT_LINKED.id()].get());
        assertEquals(2, first.counters()[OrreryCounter.REMOTE_REPLICANT_SESSIONS.id()].get());
        final String labels = "shard=\"" + shard.layer.shardName() + "\",replicant=\"1\"";
        final String linkedText = new LayerMetrics(shard.layer).render(true);
        assertTrue(linkedText.contains("orrery_replicant_bridges_linked{" + labels + "} 1"),
            linkedText);
        assertTrue(linkedText.contains("orrery_replicant_bridge_frames_relayed_total{" + labels + "} " +
            bridge.framesRelayed()), linkedText);
        checkWithPromtool(linkedText);

        // the Replicant's process dies
        shard.sideAgent(null);
        first.onClose();
        CloseHelper.quietClose(firstAeron);
        shard.await(() -> !bridge.isLinked(), "the bridge to notice its Replicant gone");
        shard.tick();
        assertCountersAsGetters(shard.layer, bridge);
        assertEquals(0, shard.layer.counter(OrreryCounter.REPLICANT_BRIDGES_LINKED));
        assertEquals(1, shard.layer.counter(OrreryCounter.REPLICANT_BRIDGE_LINKS_LOST));
        final String unlinkedText = new LayerMetrics(shard.layer).render(true);
        assertTrue(unlinkedText.contains("orrery_replicant_bridges_linked{" + labels + "} 0"),
            unlinkedText);
        assertTrue(unlinkedText.contains(
            "orrery_replicant_bridge_links_lost_total{" + labels + "} 1"), unlinkedText);

        final long resetsBefore = shard.layer.counter(OrreryCounter.REPLICANT_BRIDGE_RESETS_SENT);
        final Aeron secondAeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(
            shard.layer.aeronDirectoryName()));
        closeables.add(secondAeron);
        final RemoteReplicantHost second = newHost(secondAeron);
        shard.sideAgent(second);
        shard.await(second::isLinked, "the second link");
        shard.ticksUntil(() -> shard.layer.replicant().ownership().isAvailable(1), 300, "the second link available");
        for (int t = 40; t < 60; t++)
        {
            move(store, t);
            shard.tick();
            assertCountersAsGetters(shard.layer, bridge);
            assertHostCountersAsGetters(second);
        }
        assertEquals(1, shard.layer.counter(OrreryCounter.REPLICANT_BRIDGES_LINKED));
        assertEquals(2, shard.layer.counter(OrreryCounter.REPLICANT_BRIDGE_HANDSHAKES_PROVEN));
        assertEquals(resetsBefore + 2, shard.layer.counter(OrreryCounter.REPLICANT_BRIDGE_RESETS_SENT),
            "one reset per session at the new link");
        System.out.printf("counters: proven %d, lost %d, feed %d (%d B), frames %d (%d B), stalls %d, dropped %d%n",
            shard.layer.counter(OrreryCounter.REPLICANT_BRIDGE_HANDSHAKES_PROVEN),
            shard.layer.counter(OrreryCounter.REPLICANT_BRIDGE_LINKS_LOST),
            shard.layer.counter(OrreryCounter.REPLICANT_BRIDGE_FEED_MESSAGES),
            shard.layer.counter(OrreryCounter.REPLICANT_BRIDGE_FEED_BYTES),
            shard.layer.counter(OrreryCounter.REPLICANT_BRIDGE_FRAMES_RELAYED),
            shard.layer.counter(OrreryCounter.REPLICANT_BRIDGE_FRAME_BYTES_RELAYED),
            shard.layer.counter(OrreryCounter.REPLICANT_BRIDGE_RELAY_STALLS),
            shard.layer.counter(OrreryCounter.REPLICANT_BRIDGE_RELAY_DROPPED));
    }

    /**
     * The bridge's counters (its own, {@code replicant=<id>}, and the shard's sum: one bridge here) equal its getters.
     */
    static void assertCountersAsGetters(final ReplicationLayer layer, final ReplicantBridge bridge)
    {
        assertEquals(1, layer.bridgeCount());
        assertEquals(bridge.replicantId(), layer.bridgeReplicantId(0));
        assertFigure(layer, OrreryCounter.REPLICANT_BRIDGES_LINKED, bridge.isLinked() ? 1 : 0);
        assertFigure(layer, OrreryCounter.REPLICANT_BRIDGE_LINKS_LOST, bridge.linksLost());
        assertFigure(layer, OrreryCounter.REPLICANT_BRIDGE_FEED_MESSAGES, bridge.feedMessagesForwarded());
        assertFigure(layer, OrreryCounter.REPLICANT_BRIDGE_FEED_BYTES, bridge.feedBytesForwarded());
        assertFigure(layer, OrreryCounter.REPLICANT_BRIDGE_FEED_BACK_PRESSURED, bridge.feedBackPressured());
        assertFigure(layer, OrreryCounter.REPLICANT_BRIDGE_FRAMES_RELAYED, bridge.framesRelayed());
        assertFigure(layer, OrreryCounter.REPLICANT_BRIDGE_FRAME_BYTES_RELAYED, bridge.frameBytesRelayed());
        assertFigure(layer, OrreryCounter.REPLICANT_BRIDGE_RELAY_STALLS, bridge.relayStalls());
        assertFigure(layer, OrreryCounter.REPLICANT_BRIDGE_RELAY_DROPPED, bridge.relayDropped());
        assertFigure(layer, OrreryCounter.REPLICANT_BRIDGE_FRAMES_UNKNOWN_SESSION, bridge.framesForUnknownSessions());
        assertFigure(layer, OrreryCounter.REPLICANT_BRIDGE_HANDSHAKES_PROVEN, bridge.handshakesProven());
        assertFigure(layer, OrreryCounter.REPLICANT_BRIDGE_HANDSHAKES_REFUSED, bridge.handshakesRefused());
        assertFigure(layer, OrreryCounter.REPLICANT_BRIDGE_HELLOS_SHED, bridge.hellosShed());
        assertFigure(layer, OrreryCounter.REPLICANT_BRIDGE_MESSAGES_REFUSED, bridge.strangerMessages());
        assertFigure(layer, OrreryCounter.REPLICANT_BRIDGE_RESETS_SENT, bridge.resetsSent());
        assertFigure(layer, OrreryCounter.REPLICANT_BRIDGE_RESETS_DROPPED, bridge.resetsDropped());
        assertFigure(layer, OrreryCounter.REPLICANT_BRIDGE_HELLOS_REFUSED_ID_HELD, bridge.idHeldRefusals());
        assertFigure(layer, OrreryCounter.REPLICANT_BRIDGE_RETURN_BACKOFFS, bridge.returnBackoffs());
    }

    private static void assertFigure(final ReplicationLayer layer, final OrreryCounter counter, final long expected)
    {
        assertEquals(expected, layer.bridgeCounter(0, counter), counter + " replicant=1");
        assertEquals(expected, layer.counter(counter), counter + " shard sum");
    }

    static void assertHostCountersAsGetters(final RemoteReplicantHost host)
    {
        final io.aeron.Counter[] counters = host.counters();
        assertEquals(host.isLinked() ? 1 : 0, counters[OrreryCounter.REMOTE_REPLICANT_LINKED.id()].get());
        assertEquals(host.links(), counters[OrreryCounter.REMOTE_REPLICANT_LINKS.id()].get());
        assertEquals(host.linksLost(), counters[OrreryCounter.REMOTE_REPLICANT_LINKS_LOST.id()].get());
        assertEquals(host.feedMessages(), counters[OrreryCounter.REMOTE_REPLICANT_FEED_MESSAGES.id()].get());
        assertEquals(host.feedMessagesDropped(), counters[OrreryCounter.REMOTE_REPLICANT_FEED_DROPPED.id()].get());
        assertEquals(host.feedRingFull(), counters[OrreryCounter.REMOTE_REPLICANT_FEED_RING_FULL.id()].get());
        assertEquals(host.framesSent(), counters[OrreryCounter.REMOTE_REPLICANT_FRAMES_SENT.id()].get());
        assertEquals(host.framesRefused(), counters[OrreryCounter.REMOTE_REPLICANT_FRAMES_REFUSED.id()].get());
        assertEquals(host.strangerMessages(), counters[OrreryCounter.REMOTE_REPLICANT_MESSAGES_REFUSED.id()].get());
        assertEquals(host.welcomesRefused(), counters[OrreryCounter.REMOTE_REPLICANT_WELCOMES_REFUSED.id()].get());
        assertEquals(host.refusals(), counters[OrreryCounter.REMOTE_REPLICANT_REFUSED.id()].get());
    }

    private static void checkWithPromtool(final String text) throws Exception
    {
        final File promtool = new File("/usr/bin/promtool");
        if (!promtool.canExecute())
        {
            System.out.println("promtool not installed: text not checked by it");
            return;
        }
        final File file = Files.createTempFile("orrery-bridge-metrics", ".txt").toFile();
        try
        {
            Files.writeString(file.toPath(), text, StandardCharsets.UTF_8);
            final Process process = new ProcessBuilder(promtool.getPath(), "check", "metrics")
                .redirectInput(file).redirectErrorStream(true).start();
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "promtool finished");
            final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, process.exitValue(), "promtool check metrics: " + output);
        }
        finally
        {
            Files.deleteIfExists(file.toPath());
        }
    }

    private static void move(final EntityStore store, final int t)
    {
        for (int i = 0; i < ENTITIES; i++)
        {
            final int slot = store.slotOf(FIRST_ENTITY + i);
            if (slot >= 0)
            {
                store.position(slot, Math.round(((i - ENTITIES / 2) * 4 + 60 * Math.sin(t / 9.0 + i)) * MM), 0, 0);
            }
        }
    }
}
