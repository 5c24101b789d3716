/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.orrery.core.client.ClientListener;
import io.orrery.core.client.ClientSession;
import io.orrery.core.server.EntitySnapshot;
import io.orrery.core.status.OrreryCounter;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Steady state of a meshed shard, everything on the test thread: two servers publish state batches for 40 entities
 * every tick, mark the tick's end and receive forwarded input and client views (compact by default, legacy in one
 * test); the Replication Layer applies the batches, forwards
 * input, sends views and streams to the client. After warm-up, the bytes allocated inside the server links'
 * duty cycles and publishing calls, and inside the layer's duty cycle, must be zero (rounds are repeated until one
 * is clean, at most {@link #MAX_ROUNDS}, so a late JIT recompilation does not make it flaky).
 */
@Tag("system")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MeshAllocationTest
{
    private static final int MAX_ROUNDS = 8;
    private static final int NPCS = 20;

    @Test
    void shouldNotAllocateWhenPublishingStateBatchesAndForwardingInput()
    {
        try (MeshTestShard shard = new MeshTestShard(MeshHandoffTest.TWO_SERVERS))
        {
            run(shard);
            assertEquals(ServerViewsEncoding.COMPACT, shard.mesh().proxy().viewsEncoding());
        }
    }

    /**
     * The same with the fixed-size {@code ClientViewBatch} views (the default is {@code ClientViewsCompact}).
     */
    @Test
    void shouldNotAllocateWhenViewsAreSentInTheLegacyEncoding()
    {
        try (MeshTestShard shard = new MeshTestShard(MeshHandoffTest.TWO_SERVERS,
            (ctx) -> ctx.serverViewsEncoding(ServerViewsEncoding.LEGACY)))
        {
            run(shard);
            assertEquals(ServerViewsEncoding.LEGACY, shard.mesh().proxy().viewsEncoding());
        }
    }

    /**
     * The same with Atlas over an authenticated Aeron link ({@link AeronAtlasLink}, IPC) to an
     * {@link AtlasRemoteAgent} stepped on the test thread: once authenticated, the layer's side of the link and
     * Atlas's agent (commands, decisions, heartbeats) allocate nothing either.
     */
    @Test
    void shouldNotAllocateOnAnAuthenticatedAtlasLink()
    {
        final String channel = "aeron:ipc?term-length=1m";
        final AeronAtlasLink link = new AeronAtlasLink(channel, 1301, channel, 1302).log((line) -> {});
        try (MeshTestShard shard = new MeshTestShard(MeshHandoffTest.TWO_SERVERS,
            (ctx) -> ctx.atlas().atlasLink(link)))
        {
            final AtlasRemoteAgent atlas = new AtlasRemoteAgent(
                ShardConfig.parse(MeshHandoffTest.TWO_SERVERS, "test.shard"), 1024, TimeUnit.SECONDS.toNanos(5),
                OrreryCounter.allocate(shard.aeron, "atlas-test"), MeshTestShard.SECRET, (line) -> {},
                shard.aeron.addSubscription(AtlasRemoteAgent.commandSubscriptionChannel(channel), 1301),
                shard.aeron.addExclusivePublication(channel, 1302),
                shard.clock);
            shard.agents.add(atlas);
            shard.await(() -> link.isAtlasConnected() && atlas.isResynced(), "Atlas authenticated and resynced");
            run(shard);
            assertEquals(1, atlas.generation());
            assertEquals(0, shard.counter(OrreryCounter.ATLAS_LINK_PROOFS_FAILED));
            atlas.onClose();
        }
    }

    /**
     * Atlas on a 3-member Aeron Cluster ({@link AtlasTestCluster}) reached through an {@link AtlasClusterLink}, each
     * tick kept in step with the cluster: the layer's side (sequenced commands, the journal, decisions) allocates
     * nothing either.
     */
    @Test
    void shouldNotAllocateOnAnAtlasClusterLink() throws Exception
    {
        try (AtlasTestCluster cluster = new AtlasTestCluster("allocation",
            ShardConfig.parse(MeshHandoffTest.TWO_SERVERS, "test.shard"), MeshTestShard.SECRET))
        {
            final AtlasClusterLink link = new AtlasClusterLink(cluster.ingressEndpoints(), "aeron:udp?term-length=256k",
                "aeron:udp?endpoint=localhost:0|term-length=256k", AtlasClusterLink.JOURNAL_CAPACITY_DEFAULT)
                .log((line) -> {});
            try (MeshTestShard shard = new MeshTestShard(MeshHandoffTest.TWO_SERVERS,
                (ctx) -> ctx.atlas().atlasLink(link)))
            {
                shard.await(() -> link.isReady() && link.resyncs() >= 1, "the cluster's resync");
                shard.afterLayerTick = () ->
                {
                    final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (cluster.appliedCommandSequence() < link.lastCommandSequence() ||
                        link.lastDecisionApplied() < cluster.decisionSequence())
                    {
                        shard.poll();
                        assertTrue(System.nanoTime() < deadline, "the cluster caught up");
                    }
                };
                run(shard);
                assertEquals(1, link.resyncs());
                assertEquals(0, shard.counter(OrreryCounter.ATLAS_LINK_PROOFS_FAILED));
            }
        }
    }

    private static void run(final MeshTestShard shard)
    {
        final TestGameServer one = shard.startServer(1, null);
        final TestGameServer two = shard.startServer(2, null);
        one.endTicks = true; // the layer streams each round of server ticks as soon as both ended it
        two.endTicks = true;
        final ClientSession bot = shard.connect(1, ClientListener.NO_OP);
        final EntitySnapshot npc = new EntitySnapshot();
        for (final TestGameServer server : new TestGameServer[]{ one, two })
        {
            for (int i = 0; i < NPCS; i++)
            {
                final long x = (1 == server.serverId ? -1 : 1) * (5 + i) * 1000L;
                npc.reset().entityId(server.link.nextEntityId()).archetypeId(2).position(x, 0, 0).radius(0.5f);
                assertEquals(0, server.link.createEntity(npc, false));
            }
        }
        shard.ticksUntil(() -> one.count == NPCS + 1 && two.count == NPCS, 10, "entities streamed in");
        for (int i = 0; i < NPCS; i++)
        {
            one.vy[i] = 1;
            two.vy[i] = -1;
        }

        runTicks(shard, bot, 300);
        long layerBytes = -1;
        long serverBytes = -1;
        long inputs = 0;
        long states = 0;
        long agentBytes = -1;
        for (int round = 1; round <= MAX_ROUNDS && (layerBytes != 0 || serverBytes != 0 || agentBytes != 0);
            round++)
        {
            final long agentBefore = shard.agentBytes;
            final long layerBefore = shard.layerBytes;
            final long serverBefore = shard.serverLinkBytes;
            final long inputsBefore = one.link.inputsReceived() + two.link.inputsReceived();
            final long statesBefore = one.link.statesSent() + two.link.statesSent();
            shard.metering = true;
            runTicks(shard, bot, 300);
            shard.metering = false;
            layerBytes = shard.layerBytes - layerBefore;
            agentBytes = shard.agentBytes - agentBefore;
            serverBytes = shard.serverLinkBytes - serverBefore;
            inputs = one.link.inputsReceived() + two.link.inputsReceived() - inputsBefore;
            states = one.link.statesSent() + two.link.statesSent() - statesBefore;
            System.out.println("round " + round + ": replication layer " + layerBytes + " bytes, server links " +
                serverBytes + " bytes allocated over " + states + " state writes, " + inputs +
                " forwarded inputs, views " + (one.viewsReceived + two.viewsReceived) + ", other agents " +
                agentBytes + " bytes");
        }
        assertEquals(300, inputs);
        assertTrue(states >= 300 * (2 * NPCS + 1), "state writes: " + states);
        assertTrue(two.viewsReceived > 0, "views flowed");
        assertEquals(0, one.views.contractBreaches + two.views.contractBreaches, "view callbacks in contract");
        assertTrue(((MeshAuthority)shard.layer.context().authority()).tickCompletion().roundsCompleted() >= 300,
            "server tick ends drove the layer's passes");
        assertEquals(0, shard.counter(OrreryCounter.STALE_EPOCH_WRITES) +
            shard.counter(OrreryCounter.UNAUTHORISED_WRITES));
        assertEquals(0, serverBytes, "bytes allocated by the server links (duty cycle and publishing)");
        assertEquals(0, layerBytes, "bytes allocated by the replication layer's duty cycle");
        assertEquals(0, agentBytes, "bytes allocated by other agents (Atlas's, when it has its own)");
    }

    private static void runTicks(final MeshTestShard shard, final ClientSession bot, final int ticks)
    {
        for (int t = 0; t < ticks; t++)
        {
            bot.sendInput(0, (t & 1) == 0 ? 0.1f : -0.1f, 0, 0, 0, 0, shard.clock.nanoTime());
            shard.tick();
        }
    }
}
