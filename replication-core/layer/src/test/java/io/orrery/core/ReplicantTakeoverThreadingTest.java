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
import io.orrery.core.replicant.bridge.RemoteReplicantHost;
import io.orrery.core.replicant.bridge.ReplicantBridge;
import io.orrery.core.status.OrreryCounter;
import org.agrona.CloseHelper;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.SystemNanoClock;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The takeover on real threads and clocks: DEDICATED (the primary and the bridge each on its own thread, the
 * availability handed between them), Replicant 1 in a {@link RemoteReplicantHost} on a thread of its own with its own
 * Aeron client, the scripted world moving NPCs across x = 0, two clients on the test thread. The host is paused (its
 * image stays, only its silence tells): the bridge declares it lost, the primary takes its entities over and the
 * clients see them owned by Replicant 0 and moving again; resumed, it is proven again and owns its range again.
 */
@Tag("system")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class ReplicantTakeoverThreadingTest
{
    private static final long WAIT_NS = TimeUnit.SECONDS.toNanos(40);

    @Test
    void shouldTakeAPausedReplicantsEntitiesOverOnTheirOwnThreadsAndGiveThemBack()
    {
        final ReplicationLayer.Context ctx = new ReplicationLayer.Context()
            .threadingMode(ThreadingMode.DEDICATED)
            .maxSessions(16)
            .maxEntities(8192);
        ctx.replicant().replicants(2);
        ctx.replicantBridge().remoteIds(1).channel("aeron:ipc").returnAfterMs(500);
        final List<String> log = new ArrayList<>();
        try (ReplicationLayer layer = ReplicationLayer.launch(ctx);
            Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(layer.aeronDirectoryName()));
            Aeron remoteAeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(layer.aeronDirectoryName()));
            ClientLink link = new ClientLink(aeron, new ClientLink.Settings()))
        {
            final ReplicantBridge bridge = layer.bridges()[0];
            final RemoteReplicantHost host = new RemoteReplicantHost(layer.context().replicant(), 1, remoteAeron,
                new SystemNanoClock(), "aeron:ipc", ReplicantBridge.STREAM_ID_BASE + 1, "aeron:ipc", 7471,
                ctx.tokenSecret(), 16, OrreryCounter.allocate(remoteAeron, "remote-replicant-threads"),
                (line) ->
                {
                    synchronized (log)
                    {
                        log.add(line);
                    }
                });
            final Pausable pausable = new Pausable(host);
            final AgentRunner runner = new AgentRunner(new SleepingMillisIdleStrategy(1), Throwable::printStackTrace,
                null, pausable);
            AgentRunner.startOnThread(runner);
            try
            {
                final SessionTokens tokens = new SessionTokens(ctx.tokenSecret());
                final ClientSession[] clients = {
                    link.connect(tokens.issue(77, System.currentTimeMillis() + 120_000), ClientListener.NO_OP),
                    link.connect(tokens.issue(78, System.currentTimeMillis() + 120_000), ClientListener.NO_OP) };

                stepUntil(link, () -> layer.counter(OrreryCounter.REPLICANT_RETURNS) >= 1 &&
                    ownedInViews(clients, 1) > 0, "Replicant 1 available and owning entities in the views; " + log);
                final Long2LongHashMap replicant1Positions = positionsOwnedBy(clients, 1);
                assertTrue(replicant1Positions.size() > 0);

                pausable.paused = true;
                stepUntil(link, () -> layer.counter(OrreryCounter.REPLICANTS_LOST) == 1 &&
                    layer.counter(OrreryCounter.REPLICANT_TAKEOVERS) > 0 && ownedInViews(clients, 1) == 0,
                    "the paused Replicant lost and its entities taken over in the views; " + log);
                final long takenOver = layer.counter(OrreryCounter.REPLICANT_TAKEOVERS);
                final int moved = stepUntilMoved(link, clients, replicant1Positions);
                assertEquals(0, ownedInViews(clients, 1), "nothing owned by the lost Replicant in the views");
                assertClean(clients);

                pausable.paused = false;
                stepUntil(link, () -> layer.counter(OrreryCounter.REPLICANT_RETURNS) >= 2 &&
                    ownedInViews(clients, 1) > 0, "the Replicant back and owning entities in the views; " + log);
                System.out.printf("takeover on threads: %d taken over, %d of Replicant 1's entities moved again in " +
                    "the views while it was paused, lost %d, returns %d, heartbeats %d, log %s%n", takenOver, moved,
                    layer.counter(OrreryCounter.REPLICANTS_LOST), layer.counter(OrreryCounter.REPLICANT_RETURNS),
                    bridge.heartbeats(), log);
                assertEquals(1, layer.counter(OrreryCounter.REPLICANTS_LOST), "no flapping");
                assertClean(clients);
            }
            finally
            {
                CloseHelper.quietClose(runner);
            }
        }
    }

    private static void assertClean(final ClientSession[] clients)
    {
        for (final ClientSession client : clients)
        {
            assertTrue(client.isConnected());
            assertEquals(0, client.ownerEpochConflicts());
            assertEquals(0, client.updatesForUnknownEntities());
            assertEquals(0, client.despawnsForUnknownEntities());
            assertEquals(0, client.unknownReplicantMessages());
        }
    }

    private static int ownedInViews(final ClientSession[] clients, final int replicantId)
    {
        int count = 0;
        for (final ClientSession client : clients)
        {
            final ClientEntityView view = client.view();
            for (int slot = 0; slot < view.capacity(); slot++)
            {
                if (view.slotOf(view.entityId(slot)) == slot && view.ownerReplicant(slot) == replicantId)
                {
                    count++;
                }
            }
        }
        return count;
    }

    /**
     * @return x by entity id * 2 + client index, of the entities the Replicant owns in each client's view.
     */
    private static Long2LongHashMap positionsOwnedBy(final ClientSession[] clients, final int replicantId)
    {
        final Long2LongHashMap positions = new Long2LongHashMap(Long.MIN_VALUE);
        for (int c = 0; c < clients.length; c++)
        {
            final ClientEntityView view = clients[c].view();
            for (int slot = 0; slot < view.capacity(); slot++)
            {
                if (view.slotOf(view.entityId(slot)) == slot && view.ownerReplicant(slot) == replicantId)
                {
                    positions.put(view.entityId(slot) * 2 + c, view.positionX(slot));
                }
            }
        }
        return positions;
    }

    private int stepUntilMoved(
        final ClientLink link, final ClientSession[] clients, final Long2LongHashMap before)
    {
        final int[] moved = new int[1];
        stepUntil(link, () ->
        {
            moved[0] = 0;
            before.forEach((key, x) ->
            {
                final ClientEntityView view = clients[(int)(key & 1)].view();
                final int slot = view.slotOf(key >> 1);
                if (slot >= 0 && view.ownerReplicant(slot) == 0 && view.positionX(slot) != x)
                {
                    moved[0]++;
                }
            });
            return moved[0] > 0;
        }, "an entity the lost Replicant owned moving again in the view, owned by the primary");
        return moved[0];
    }

    private void stepUntil(final ClientLink link, final BooleanSupplier condition, final String what)
    {
        final long deadlineNs = System.nanoTime() + WAIT_NS;
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() - deadlineNs < 0, "timed out waiting for " + what);
            if (0 == link.doWork())
            {
                Thread.yield();
            }
        }
    }

    /**
     * The host, paused at will from the test thread: a stopped process whose Aeron client (and image) stays.
     */
    private static final class Pausable implements Agent
    {
        private final Agent agent;
        volatile boolean paused;

        Pausable(final Agent agent)
        {
            this.agent = agent;
        }

        @Override
        public int doWork() throws Exception
        {
            return paused ? 0 : agent.doWork();
        }

        @Override
        public void onClose()
        {
            agent.onClose();
        }

        @Override
        public String roleName()
        {
            return "pausable-" + agent.roleName();
        }
    }
}
