/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core;

import io.aeron.Aeron;
import io.orrery.core.client.ClientSession;
import io.orrery.core.replicant.EntityStore;
import io.orrery.core.replicant.bridge.RemoteReplicantHost;
import io.orrery.core.replicant.bridge.ReplicantBridge;
import io.orrery.core.status.OrreryCounter;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.orrery.core.TestShard.MM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * After warm-up, the layer's duty cycle (primary, feed, bridge: forwarding feed messages, relaying frames, window
 * reports) and the remote Replicant's (feed in, its pass, frames out) allocate 0 B, measured per thread (both run on
 * the test's thread, metered apart), with entities crossing between the Replicants every pass.
 */
final class ReplicantBridgeAllocationTest
{
    private static final int ENTITIES = 200;
    private static final long FIRST_ENTITY = 1000;
    private static final int MAX_ROUNDS = 6;

    @Test
    void shouldForwardTheFeedAndRelayFramesWithoutAllocating()
    {
        final List<String> log = new ArrayList<>();
        try (TestShard shard = new TestShard((ctx) ->
        {
            ctx.compactUpdates(true).bandwidthBytesPerTick(64 * 1024).replicant().replicants(2)
                .replicantBoundariesM(0).ownershipHysteresisM(5);
            ctx.replicantBridge().remoteIds(1).channel("aeron:ipc");
        });
            Aeron remoteAeron = Aeron.connect(
                new Aeron.Context().aeronDirectoryName(shard.layer.aeronDirectoryName())))
        {
            final ReplicantBridge bridge = shard.layer.bridges()[0];
            final RemoteReplicantHost host = new RemoteReplicantHost(shard.layer.context().replicant(), 1,
                remoteAeron, shard.clock, "aeron:ipc", ReplicantBridge.STREAM_ID_BASE + 1, "aeron:ipc", 7461,
                TestShard.SECRET, 64, OrreryCounter.allocate(remoteAeron, "remote-replicant-alloc"), log::add);
            try
            {
                shard.sideAgent(host);
                final ClientSession west = shard.connect(1, -40);
                final ClientSession east = shard.connect(2, 40);
                final EntityStore store = shard.store();
                for (int i = 0; i < ENTITIES; i++)
                {
                    shard.createEntity(FIRST_ENTITY + i, (i - ENTITIES / 2), 1);
                }
                shard.await(host::isLinked, "the remote Replicant's handshake");
                int t = 0;
                for (; t < 300; t++)
                {
                    move(shard, store, t);
                }
                long layerBytes = -1;
                long remoteBytes = -1;
                long linkBytes = -1;
                long forwarded = 0;
                long relayed = 0;
                long handoffs = 0;
                long heartbeats = 0;
                for (int round = 1; round <= MAX_ROUNDS && (layerBytes != 0 || remoteBytes != 0); round++)
                {
                    final long forwardedBefore = bridge.feedMessagesForwarded();
                    final long relayedBefore = bridge.framesRelayed();
                    final long handoffsBefore = shard.counter(OrreryCounter.REPLICANT_HANDOFFS);
                    final long heartbeatsBefore = bridge.heartbeats();
                    final long layerBefore = shard.layerBytesAllocated();
                    final long remoteBefore = shard.sideBytesAllocated();
                    final long linkBefore = shard.linkBytesAllocated();
                    shard.meterAllocations(true);
                    for (int end = t + 300; t < end; t++)
                    {
                        move(shard, store, t);
                    }
                    shard.meterAllocations(false);
                    layerBytes = shard.layerBytesAllocated() - layerBefore;
                    remoteBytes = shard.sideBytesAllocated() - remoteBefore;
                    linkBytes = shard.linkBytesAllocated() - linkBefore;
                    forwarded = bridge.feedMessagesForwarded() - forwardedBefore;
                    relayed = bridge.framesRelayed() - relayedBefore;
                    handoffs = shard.counter(OrreryCounter.REPLICANT_HANDOFFS) - handoffsBefore;
                    heartbeats = bridge.heartbeats() - heartbeatsBefore;
                    System.out.println("round " + round + ": layer duty cycle (with the bridge) " + layerBytes +
                        " B, remote Replicant " + remoteBytes + " B, client link " + linkBytes + " B, over " +
                        forwarded + " feed messages forwarded, " + relayed + " frames relayed, " + handoffs +
                        " handoffs, " + heartbeats + " heartbeats");
                }
                assertTrue(forwarded > 10_000, "feed messages forwarded: " + forwarded);
                assertTrue(relayed > 1_000, "frames relayed: " + relayed);
                assertTrue(handoffs > 0);
                assertTrue(heartbeats > 50, "heartbeats sent and checked in the measured round: " + heartbeats);
                assertTrue(shard.layer.replicant().ownership().isAvailable(1), "the remote Replicant owns its range");
                assertEquals(0, bridge.linksLost());
                assertEquals(0, bridge.relayDropped());
                assertEquals(0, host.secondary().feed().errors());
                assertEquals(0, west.ownerEpochConflicts() + east.ownerEpochConflicts());
                assertEquals(0, west.updatesForUnknownEntities() + east.updatesForUnknownEntities());
                assertEquals(0, layerBytes, "bytes allocated by the layer's duty cycle, bridge included");
                assertEquals(0, remoteBytes, "bytes allocated by the remote Replicant's duty cycle");
            }
            finally
            {
                shard.sideAgent(null);
                host.onClose();
                CloseHelper.quietClose(remoteAeron);
            }
        }
    }

    private static void move(final TestShard shard, final EntityStore store, final int t)
    {
        for (int i = 0; i < ENTITIES; i++)
        {
            final int slot = store.slotOf(FIRST_ENTITY + i);
            final double phase = t / 9.0 + i;
            store.position(slot, Math.round(((i - ENTITIES / 2) * 0.5 + 30 * Math.sin(phase)) * MM), i * 100L, 0);
        }
        shard.tick();
    }
}
