/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core;

import io.aeron.Aeron;
import io.aeron.Counter;
import io.orrery.core.authority.ScriptedAuthority;
import io.orrery.core.auth.SessionTokens;
import io.orrery.core.client.ClientEntityView;
import io.orrery.core.client.ClientLink;
import io.orrery.core.client.ClientListener;
import io.orrery.core.client.ClientSession;
import io.orrery.core.gateway.GatewayContext;
import io.orrery.core.gateway.link.GatewayResources;
import io.orrery.core.gateway.link.LayerLinkAgent;
import io.orrery.core.status.OrreryCounter;
import org.agrona.CloseHelper;
import org.agrona.collections.LongHashSet;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two Replicants each on its own thread (DEDICATED) with the scripted world moving NPCs across x = 0,
 * streaming through two remote Gateways (agents stepped on the test thread, each with its own Aeron client) to four
 * clients over UDP: both Replicants write the same remote sessions at once, through the session's one egress and the
 * Gateway's one link publication. The clients compose both streams without epoch conflicts or unknown entities, no
 * entity stays awaiting its new owner, and no frame fails to reach its client's publication.
 */
@Tag("system")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class RemoteGatewayReplicantsThreadingTest
{
    private static final String LINK_CHANNEL = "aeron:ipc?term-length=8m";
    private static final int LINK_STREAM = 1521;
    private static final long RUN_NS = TimeUnit.SECONDS.toNanos(6);

    private long nextInputNs;

    @Test
    void shouldComposeTwoReplicantsOnTheirOwnThreadsRelayedThroughTwoGateways()
    {
        final ReplicationLayer.Context ctx = new ReplicationLayer.Context()
            .threadingMode(ThreadingMode.DEDICATED)
            .tokenSecret(TestShard.SECRET)
            .clientIngressChannel(GatewayContext.NO_CLIENT_INGRESS)
            .maxSessions(16)
            .maxEntities(8192)
            // the scripted NPCs circle close around x = 0, so that many cross between the Replicants within seconds
            .authority(new ScriptedAuthority(new ScriptedAuthority.Settings()
                .worldHalfExtentM(80).shipCount(0).playerSpawnHalfExtentM(50)));
        ctx.replicant().replicants(2).ownershipHysteresisM(2);
        ctx.gateway().gatewayLink().channel(LINK_CHANNEL).streamId(LINK_STREAM);
        try (ReplicationLayer layer = ReplicationLayer.launch(ctx);
            Gateway gatewayA = new Gateway(layer, 1, 1621);
            Gateway gatewayB = new Gateway(layer, 2, 1622);
            Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(layer.aeronDirectoryName()));
            ClientLink link = new ClientLink(aeron, new ClientLink.Settings()
                .ingressChannels(gatewayA.ingressChannel, gatewayB.ingressChannel)
                .responseChannel("aeron:udp?endpoint=127.0.0.1:0")
                .responseStreamId(2022)))
        {
            final long linkDeadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!gatewayA.agent.isLinked() || !gatewayB.agent.isLinked())
            {
                step(link, gatewayA, gatewayB, new ClientSession[0]);
                assertTrue(System.nanoTime() < linkDeadlineNs, "both gateways linked");
            }
            final SessionTokens tokens = new SessionTokens(TestShard.SECRET);
            final ClientSession[] clients = new ClientSession[4];
            for (int i = 0; i < clients.length; i++)
            {
                clients[i] = link.connect(tokens.issue(77 + i, System.currentTimeMillis() + 60_000),
                    ClientListener.NO_OP);
            }

            // until the clients have seen entities change owner (the scripted world moves them across x = 0 at its
            // own pace), at least RUN_NS; then no entity may await its new owner across a second (30 passes)
            final long startNs = System.nanoTime();
            final long deadlineNs = startNs + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() - startNs < RUN_NS || ownerChanges(clients) == 0)
            {
                step(link, gatewayA, gatewayB, clients);
                assertTrue(System.nanoTime() < deadlineNs, "no owner change seen by the clients in 60 s");
            }
            final LongHashSet awaitingBefore = awaiting(clients);
            final long sampleNs = System.nanoTime();
            while (System.nanoTime() - sampleNs < TimeUnit.SECONDS.toNanos(1))
            {
                step(link, gatewayA, gatewayB, clients);
            }
            final LongHashSet awaitingAfter = awaiting(clients);

            assertEquals(2, gatewayA.agent.sessionCount(), "sessions through gateway A");
            assertEquals(2, gatewayB.agent.sessionCount(), "sessions through gateway B");
            assertTrue(layer.counter(OrreryCounter.REPLICANT_HANDOFFS) > 0, "handoffs");
            assertTrue(layer.secondaries()[0].engine().spawnsSent() > 0, "the secondary streams what it owns");
            assertEquals(0, layer.counter(OrreryCounter.REPLICANT_FEED_BACK_PRESSURE));
            assertEquals(0, gatewayA.counters[OrreryCounter.GATEWAY_RELAY_FAILURES.id()].get());
            assertEquals(0, gatewayB.counters[OrreryCounter.GATEWAY_RELAY_FAILURES.id()].get());
            for (final ClientSession client : clients)
            {
                assertTrue(client.isConnected());
                assertTrue(client.view().size() > 10, "a view: " + client.view().size());
                assertEquals(0, client.ownerEpochConflicts());
                assertEquals(0, client.updatesForUnknownEntities());
                assertEquals(0, client.despawnsForUnknownEntities());
                assertEquals(0, client.unknownReplicantMessages());
            }
            for (final long id : awaitingBefore)
            {
                assertTrue(!awaitingAfter.contains(id), "entity " + id + " awaited its owner for a second");
            }
            System.out.println("DEDICATED, 2 Replicants through 2 Gateways: handoffs " +
                layer.counter(OrreryCounter.REPLICANT_HANDOFFS) + ", owner changes seen " + ownerChanges(clients) +
                ", frames relayed " + (gatewayA.agent.framesRelayed() + gatewayB.agent.framesRelayed()));
        }
    }

    /**
     * A Gateway "process": its own Aeron client and counters, its agent stepped by the test thread on the system
     * clocks.
     */
    private static final class Gateway implements AutoCloseable
    {
        final Aeron aeron;
        final Counter[] counters;
        final LayerLinkAgent agent;
        final String ingressChannel;

        Gateway(final ReplicationLayer layer, final int id, final int responseStreamId)
        {
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(layer.aeronDirectoryName()));
            counters = OrreryCounter.allocate(aeron, "gateway-" + id);
            ingressChannel = "aeron:udp?endpoint=127.0.0.1:" + freeUdpPort();
            final GatewayContext ctx = new GatewayContext().clientIngressChannel(ingressChannel).maxSessions(16)
                .conclude();
            agent = new LayerLinkAgent(GatewayResources.withPlayerTokenKey("gateway-" + id, aeron,
                SessionTokens.playerTokenKey(TestShard.SECRET), Throwable::printStackTrace),
                ctx, id, LINK_CHANNEL, LINK_STREAM, "aeron:ipc", responseStreamId, TestShard.SECRET, counters,
                System.out::println);
        }

        @Override
        public void close()
        {
            CloseHelper.quietClose(agent::onClose);
            CloseHelper.quietCloseAll(counters);
            CloseHelper.quietClose(aeron);
        }
    }

    private void step(final ClientLink link, final Gateway a, final Gateway b, final ClientSession[] clients)
    {
        final long now = System.nanoTime();
        if (now >= nextInputNs)
        {
            for (final ClientSession client : clients)
            {
                if (client.isConnected())
                {
                    client.sendInput(1, 0, 0, 0, 0, 0, now);
                }
            }
            nextInputNs = now + TimeUnit.MILLISECONDS.toNanos(33);
        }
        if (link.doWork() + a.agent.doWork() + b.agent.doWork() == 0)
        {
            Thread.yield();
        }
    }

    private static long ownerChanges(final ClientSession[] clients)
    {
        long total = 0;
        for (final ClientSession client : clients)
        {
            total += client.ownerChanges();
        }
        return total;
    }

    private static LongHashSet awaiting(final ClientSession[] clients)
    {
        final LongHashSet ids = new LongHashSet();
        for (int c = 0; c < clients.length; c++)
        {
            final ClientEntityView view = clients[c].view();
            for (int slot = 0; slot < view.capacity(); slot++)
            {
                if (view.awaitingOwner(slot))
                {
                    ids.add(view.entityId(slot) * 4 + c);
                }
            }
        }
        return ids;
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
