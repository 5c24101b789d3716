/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core;

import io.aeron.Aeron;
import io.orrery.core.auth.SessionTokens;
import io.orrery.core.client.ClientEntityView;
import io.orrery.core.client.ClientLink;
import io.orrery.core.client.ClientListener;
import io.orrery.core.client.ClientSession;
import io.orrery.core.status.OrreryCounter;
import org.agrona.collections.LongHashSet;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two Replicants each on its own thread (DEDICATED) with the scripted world moving NPCs and ships across x = 0, and
 * two clients on the test thread: the Replicants write the same sessions' egress at once, the clients compose their
 * streams without epoch conflicts or unknown entities, and no entity stays awaiting its new owner.
 */
@Tag("system")
@Timeout(value = 90, unit = TimeUnit.SECONDS)
final class ReplicantsThreadingTest
{
    private static final long RUN_NS = TimeUnit.SECONDS.toNanos(6);

    @Test
    void shouldComposeTwoReplicantsOnTheirOwnThreads()
    {
        final ReplicationLayer.Context ctx = new ReplicationLayer.Context()
            .threadingMode(ThreadingMode.DEDICATED)
            .maxSessions(16)
            .maxEntities(8192);
        ctx.replicant().replicants(2);
        try (ReplicationLayer layer = ReplicationLayer.launch(ctx);
            Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(layer.aeronDirectoryName()));
            ClientLink link = new ClientLink(aeron, new ClientLink.Settings()))
        {
            final SessionTokens tokens = new SessionTokens(ctx.tokenSecret());
            final ClientSession[] clients = {
                link.connect(tokens.issue(77, System.currentTimeMillis() + 60_000), ClientListener.NO_OP),
                link.connect(tokens.issue(78, System.currentTimeMillis() + 60_000), ClientListener.NO_OP) };

            // until the clients have seen entities change owner (the scripted world moves them across x = 0 at its
            // own pace), at least RUN_NS; then no entity may await its new owner across a second (30 passes)
            final long startNs = System.nanoTime();
            final long deadlineNs = startNs + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() - startNs < RUN_NS || ownerChanges(clients) == 0)
            {
                step(link, clients);
                assertTrue(System.nanoTime() < deadlineNs, "no owner change seen by the clients in 60 s");
            }
            final LongHashSet awaitingBefore = awaiting(clients);
            final long sampleNs = System.nanoTime();
            while (System.nanoTime() - sampleNs < TimeUnit.SECONDS.toNanos(1))
            {
                step(link, clients);
            }
            final LongHashSet awaitingAfter = awaiting(clients);

            assertTrue(layer.counter(OrreryCounter.REPLICANT_HANDOFFS) > 0, "handoffs");
            assertTrue(layer.secondaries()[0].tickCount() > 0, "the secondary runs its passes");
            assertEquals(0, layer.counter(OrreryCounter.REPLICANT_FEED_BACK_PRESSURE));
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
        }
    }

    private long nextInputNs;

    private void step(final ClientLink link, final ClientSession[] clients)
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
        if (link.doWork() == 0)
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
                    ids.add(view.entityId(slot) * 2 + c);
                }
            }
        }
        return ids;
    }
}
