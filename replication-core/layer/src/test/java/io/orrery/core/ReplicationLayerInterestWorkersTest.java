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
import io.orrery.core.replicant.InterestEngine;
import io.orrery.core.status.OrreryCounter;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static io.orrery.core.TestShard.MM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The layer with its interest work split over two workers: every client gets what it gets with one worker, clients
 * on each worker get their views, and the worker threads stop when the layer closes.
 */
@Tag("system")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReplicationLayerInterestWorkersTest
{
    private static final int CLIENTS = 4;
    private static final int ENTITIES = 150;
    private static final int TICKS = 60;
    private static final long FIRST_ENTITY = 1_000_000;

    @Test
    void shouldStreamTheSameToEveryClientWithOneAndTwoInterestWorkers()
    {
        final List<String> one = run(1);
        final List<String> two = run(2);
        assertEquals(CLIENTS + 1, two.size());
        for (int i = 0; i < one.size(); i++)
        {
            assertEquals(one.get(i), two.get(i));
        }
    }

    /**
     * A deterministic world stepped on one thread; returns what each client ended with, and the layer's counters.
     */
    private static List<String> run(final int workers)
    {
        try (TestShard shard = new TestShard((ctx) -> ctx.interestWorkers(workers).bandwidthBytesPerTick(2_048)))
        {
            final SplittableRandom random = new SplittableRandom(5);
            for (int i = 0; i < ENTITIES; i++)
            {
                final int slot = shard.createEntity(FIRST_ENTITY + i, random.nextLong(-400, 400), i % 30 == 0 ? 20 : 1);
                shard.store().position(slot, shard.store().positionX(slot), random.nextLong(-50, 50) * MM, 0);
            }
            final ClientSession[] clients = new ClientSession[CLIENTS];
            for (int c = 0; c < CLIENTS; c++)
            {
                clients[c] = shard.connect(1 + c, c * 150L - 200);
            }

            for (int t = 0; t < TICKS; t++)
            {
                for (int i = 0; i < ENTITIES; i++)
                {
                    final int slot = shard.store().slotOf(FIRST_ENTITY + i);
                    if (-1 != slot)
                    {
                        shard.store().position(slot, shard.store().positionX(slot) + random.nextLong(-2 * MM, 2 * MM),
                            shard.store().positionY(slot) + random.nextLong(-2 * MM, 2 * MM), 0);
                    }
                }
                if (t % 4 == 0)
                {
                    final long id = FIRST_ENTITY + random.nextInt(ENTITIES);
                    shard.store().remove(id);
                    shard.createEntity(id, random.nextLong(-400, 400), 1);
                }
                for (int c = 0; c < CLIENTS; c++)
                {
                    clients[c].sendInput(1, 0, 0, 0, 0, 0, shard.clock.nanoTime());
                }
                shard.tick();
            }

            final InterestEngine engine = shard.layer.replicant().engine();
            final boolean[] workerUsed = new boolean[workers];
            final List<String> results = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++)
            {
                final ClientSession client = clients[c];
                assertTrue(client.isConnected());
                assertEquals(0, client.updatesForUnknownEntities() + client.despawnsForUnknownEntities());
                assertTrue(client.view().size() > 10, "client " + c + " has its view: " + client.view().size());
                workerUsed[engine.workerOf(engine.observerIndex(client.sessionId()))] = true;
                results.add("client " + c + ": spawns " + client.spawnsReceived() + ", updates " +
                    client.updatesReceived() + ", despawns " + client.despawnsReceived() + ", view " +
                    describe(client.view()));
            }
            for (int w = 0; w < workers; w++)
            {
                assertTrue(workerUsed[w], "a client on worker " + w);
            }
            assertEquals(0, shard.counter(OrreryCounter.RESYNCS), "no offer failed");
            assertTrue(shard.counter(OrreryCounter.BUDGET_DEFERRALS) > 0, "budgets were tight");
            results.add("layer: spawns " + shard.counter(OrreryCounter.SPAWNS_SENT) + ", updates " +
                shard.counter(OrreryCounter.UPDATES_SENT) + ", despawns " + shard.counter(OrreryCounter.DESPAWNS_SENT) +
                ", budget deferrals " + shard.counter(OrreryCounter.BUDGET_DEFERRALS) + ", update entries " +
                shard.counter(OrreryCounter.UPDATE_ENTRIES_SENT));
            return results;
        }
    }

    private static String describe(final ClientEntityView view)
    {
        final TreeMap<Long, String> entities = new TreeMap<>();
        for (int slot = 0; slot < view.capacity(); slot++)
        {
            final long id = view.entityId(slot);
            if (view.contains(id) && view.slotOf(id) == slot)
            {
                entities.put(id, view.positionX(slot) + "," + view.positionY(slot) + "," + view.positionZ(slot));
            }
        }
        return entities.toString();
    }

    @Test
    void shouldStreamToClientsOfBothWorkersAndStopWorkerThreadsOnClose() throws InterruptedException
    {
        final List<Thread> threads = new CopyOnWriteArrayList<>();
        final ReplicationLayer.Context ctx = new ReplicationLayer.Context()
            .threadingMode(ThreadingMode.SHARED)
            .interestWorkers(2)
            .maxSessions(16)
            .maxEntities(8192)
            .threadFactory((runnable) ->
            {
                final Thread thread = new Thread(runnable);
                thread.setDaemon(true);
                threads.add(thread);
                return thread;
            });
        final ReplicationLayer layer = ReplicationLayer.launch(ctx);
        final Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(layer.aeronDirectoryName()));
        final ClientLink link = new ClientLink(aeron, new ClientLink.Settings());
        final long[] sessionIds = new long[2];
        try
        {
            assertEquals(2, threads.size(), "the shared agent thread and one interest worker thread");
            final SessionTokens tokens = new SessionTokens(ctx.tokenSecret());
            final ClientSession a = link.connect(tokens.issue(77, System.currentTimeMillis() + 60_000),
                ClientListener.NO_OP);
            final ClientSession b = link.connect(tokens.issue(78, System.currentTimeMillis() + 60_000),
                ClientListener.NO_OP);

            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (a.updatesReceived() < 50 || b.updatesReceived() < 50 || a.view().size() < 2 || b.view().size() < 2)
            {
                if (link.doWork() == 0)
                {
                    Thread.yield();
                }
                if (System.nanoTime() > deadline)
                {
                    fail("no stream: a " + a.state() + " " + a.updatesReceived() + ", b " + b.state() + " " +
                        b.updatesReceived());
                }
            }
            assertTrue(a.view().contains(a.playerEntityId()) && b.view().contains(b.playerEntityId()), "own entity");
            assertEquals(0, a.updatesForUnknownEntities() + b.updatesForUnknownEntities());
            sessionIds[0] = a.sessionId();
            sessionIds[1] = b.sessionId();
        }
        finally
        {
            // the layer first, while both sessions are still open
            CloseHelper.closeAll(layer, link, aeron);
        }

        for (final Thread thread : threads)
        {
            // a runner's close returns once its agent closed, which the thread signals just before it exits
            thread.join(TimeUnit.SECONDS.toMillis(10));
            assertFalse(thread.isAlive(), thread.getName() + " ended on close");
        }
        final InterestEngine engine = layer.replicant().engine();
        assertTrue(engine.inlinePartitionTicks() < engine.ticks(), "worker 1 ran ticks on its own thread: " +
            engine.inlinePartitionTicks() + " inline of " + engine.ticks());
        assertEquals(2, engine.workerCount());
        // the two handshakes may complete in either order: one client on each worker
        final int workerOfA = engine.workerOf(engine.observerIndex(sessionIds[0]));
        final int workerOfB = engine.workerOf(engine.observerIndex(sessionIds[1]));
        assertEquals(1, workerOfA + workerOfB, "one client on each worker: " + workerOfA + ", " + workerOfB);
        assertTrue(engine.observerIndex(sessionIds[0]) >= 0 && engine.observerIndex(sessionIds[1]) >= 0);
    }
}
