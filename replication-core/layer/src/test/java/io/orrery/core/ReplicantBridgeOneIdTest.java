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
import org.agrona.concurrent.Agent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.BooleanSupplier;

import static io.orrery.core.TestShard.MM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One Replicant per id and the return hold's back-off, with Replicant 1 "in its own process" (a
 * {@link RemoteReplicantHost} per process, each on its own Aeron client, stepped by the test with the layer's
 * controlled clock) behind the layer's {@link ReplicantBridge}: a real embedded media driver, IPC channels, real
 * clients. Two processes started with one id (same feed channel and stream, as a double start gives) must not take
 * turns: the second is refused while the first is heard from, and links at once when the first goes silent; a
 * Replicant lost soon after each return gets its range back after a hold that doubles, capped, and is reset once it
 * stays available.
 */
final class ReplicantBridgeOneIdTest
{
    private static final int ENTITIES = 16;
    private static final long FIRST_ENTITY = 1000;
    private static final String CHANNEL = "aeron:ipc";
    private static final int FEED_STREAM = 7461;
    private static final long RETURN_AFTER_MS = 300;
    private static final long RETURN_MAX_MS = 1200;
    private static final long RETURN_STABLE_MS = 4000;
    private static final long TAKEOVER_TICKS = ReplicantBridge.TAKEOVER_AFTER_NS_DEFAULT / TestShard.TICK_NS;

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private final java.io.ByteArrayOutputStream layerOut = new java.io.ByteArrayOutputStream();
    private final java.io.PrintStream systemOut = System.out;
    private TestShard shard;
    private int t;

    @org.junit.jupiter.api.BeforeEach
    void captureTheLayersLog()
    {
        // the layer's bridge logs to standard output: kept for the assertions, and still printed
        final java.io.OutputStream tee = new java.io.OutputStream()
        {
            @Override
            public void write(final int b)
            {
                systemOut.write(b);
                synchronized (layerOut)
                {
                    layerOut.write(b);
                }
            }

            @Override
            public void write(final byte[] bytes, final int offset, final int length)
            {
                systemOut.write(bytes, offset, length);
                synchronized (layerOut)
                {
                    layerOut.write(bytes, offset, length);
                }
            }
        };
        System.setOut(new java.io.PrintStream(tee, true, java.nio.charset.StandardCharsets.UTF_8));
    }

    @AfterEach
    void close()
    {
        System.setOut(systemOut);
        for (int i = closeables.size() - 1; i >= 0; i--)
        {
            CloseHelper.quietClose(closeables.get(i));
        }
        if (null != shard)
        {
            shard.close();
        }
    }

    /**
     * A Replicant process of id 1: its own Aeron client, the same channels and streams every time.
     */
    private RemoteReplicantHost newProcess(final String name)
    {
        final Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(shard.layer.aeronDirectoryName()));
        closeables.add(aeron);
        final RemoteReplicantHost host = new RemoteReplicantHost(shard.layer.context().replicant(), 1, aeron,
            shard.clock, CHANNEL, ReplicantBridge.STREAM_ID_BASE + 1, CHANNEL, FEED_STREAM, TestShard.SECRET, 64,
            OrreryCounter.allocate(aeron, name), (line) -> log.add(name + ": " + line));
        closeables.add(host::onClose);
        return host;
    }

    private void startShard()
    {
        shard = new TestShard((ctx) ->
        {
            ctx.compactUpdates(true).replicant().replicants(2).replicantBoundariesM(0).ownershipHysteresisM(5);
            ctx.replicantBridge().remoteIds(1).channel(CHANNEL).returnAfterMs(RETURN_AFTER_MS)
                .returnMaxMs(RETURN_MAX_MS).returnStableMs(RETURN_STABLE_MS);
        });
        shard.connect(1, -40);
        for (int i = 0; i < ENTITIES; i++)
        {
            shard.createEntity(FIRST_ENTITY + i, (i - ENTITIES / 2) * 8L, 1);
        }
    }

    @Test
    void shouldRefuseASecondProcessWithTheSameIdWhileTheFirstIsHeardAndLinkItAtOnceWhenTheFirstGoesSilent()
    {
        startShard();
        final ReplicantBridge bridge = shard.layer.bridges()[0];
        final RemoteReplicantHost first = newProcess("first");
        shard.sideAgent(first);
        awaitAvailable(first);

        // an operator starts the same Replicant again while the first runs
        final RemoteReplicantHost second = newProcess("second");
        shard.sideAgent(new Both(first, second));
        tickUntil(() -> second.refusals() > 0, "the second process refused");
        final long refusalsBefore = bridge.idHeldRefusals();
        for (int i = 0; i < 4 * TAKEOVER_TICKS; i++)
        {
            tick();
        }
        System.out.printf("double start: bridge refused %d, second told %d times, lost %d, proven %d; log %s%n",
            bridge.idHeldRefusals(), second.refusals(), bridge.linksLost(), bridge.handshakesProven(), log);
        assertTrue(bridge.idHeldRefusals() > refusalsBefore, "refused again at each hello: " + refusalsBefore);
        assertTrue(second.isRefused() && !second.isLinked(), "the second waits");
        assertTrue(first.isLinked(), "the first keeps its link");
        assertEquals(0, bridge.linksLost(), "no turns taken: no loss");
        assertEquals(1, bridge.handshakesProven());
        assertTrue(shard.layer.replicant().ownership().isAvailable(1), "the range stays with the first");
        assertEquals(1, shard.counter(OrreryCounter.REPLICANT_RETURNS), "only the first link's return");
        assertEquals(0, second.feedMessages(), "nothing of the feed for the refused one");
        assertTrue(logged("second: replicant 1: REFUSED by the layer's bridge: another process holds replicant id 1"),
            "the refused process says why: " + log);
        assertTrue(logged("bridge REFUSED image"), "the layer names both images: " + log);
        assertTrue(logged("holds replicant id 1"), String.valueOf(log));
        ReplicantBridgeCountersTest.assertCountersAsGetters(shard.layer, bridge);
        ReplicantBridgeCountersTest.assertHostCountersAsGetters(second);
        assertEquals(1, second.counters()[OrreryCounter.REMOTE_REPLICANT_REFUSED_NOW.id()].get());

        // the first goes silent (stopped, its image stays): the second links at once when the first is lost
        shard.sideAgent(second);
        final long stoppedNs = shard.clock.nanoTime();
        tickUntil(() -> bridge.linksLost() > 0, "the silent first lost");
        // the challenge, proof and welcome cross Aeron: wait on the wall clock with the layer's clock still
        shard.await(second::isLinked, "the second process proven; log " + log);
        final long linkedAfterNs = shard.clock.nanoTime() - stoppedNs;
        System.out.printf("second linked %d ms (layer time) after the first stopped; log %s%n",
            linkedAfterNs / 1_000_000, log);
        assertTrue(linkedAfterNs <= ReplicantBridge.TAKEOVER_AFTER_NS_DEFAULT + 2 * TestShard.TICK_NS,
            "linked within the takeover time of the first's silence: " + linkedAfterNs / 1_000_000 + " ms");
        assertEquals(2, bridge.handshakesProven());
        assertFalse(second.isRefused());
        awaitAvailable(second);
        ReplicantBridgeCountersTest.assertHostCountersAsGetters(second);
    }

    @Test
    void shouldLinkAReplicantRestartedAfterAKillWithinTheTakeoverTimeOfTheKill()
    {
        startShard();
        final ReplicantBridge bridge = shard.layer.bridges()[0];
        final RemoteReplicantHost killed = newProcess("killed");
        shard.sideAgent(killed);
        awaitAvailable(killed);

        // SIGKILL: the process stops at once; its Aeron client's publication and image stay until the driver's
        // client timeout (far beyond the takeover time). It is restarted at once
        shard.sideAgent(null);
        final long killedNs = shard.clock.nanoTime();
        final RemoteReplicantHost restarted = newProcess("restarted");
        shard.sideAgent(restarted);
        tickUntil(() -> bridge.linksLost() > 0 || restarted.refusals() > 0, "the restarted one's hello answered");
        tickUntil(() -> bridge.linksLost() > 0, "the killed one lost");
        shard.await(restarted::isLinked, "the restarted process proven; log " + log);
        final long linkedAfterNs = shard.clock.nanoTime() - killedNs;
        System.out.printf("restarted linked %d ms (layer time) after the kill, refused %d times first; log %s%n",
            linkedAfterNs / 1_000_000, restarted.refusals(), log);
        assertTrue(linkedAfterNs <= ReplicantBridge.TAKEOVER_AFTER_NS_DEFAULT + 2 * TestShard.TICK_NS,
            "linked within the takeover time of the kill: " + linkedAfterNs / 1_000_000 + " ms");
        assertEquals(1, bridge.linksLost());
        awaitAvailable(restarted);
        assertEquals(2, shard.counter(OrreryCounter.REPLICANT_RETURNS));
    }

    @Test
    void shouldDoubleTheReturnHoldForAReplicantLostSoonAfterEachReturnUpToItsCapAndResetItOnceStable()
    {
        startShard();
        final ReplicantBridge bridge = shard.layer.bridges()[0];
        final RemoteReplicantHost host = newProcess("flapping");
        shard.sideAgent(host);
        assertEquals(RETURN_AFTER_MS, heldTicksAtLink(host, bridge, RETURN_AFTER_MS), "the first hold");

        final long[] expectedHoldsMs = { 600, 1200, 1200 };
        for (int i = 0; i < expectedHoldsMs.length; i++)
        {
            loseBySilence(host, bridge);
            assertEquals(i + 1, bridge.returnBackoffs());
            assertEquals(expectedHoldsMs[i] * 1_000_000L, bridge.returnHoldNs(), "hold after loss " + (i + 1));
            assertEquals(expectedHoldsMs[i], heldTicksAtLink(host, bridge, expectedHoldsMs[i]),
                "back at loss " + (i + 1));
        }
        assertTrue(logged("it gets its range back after 1200 ms heard from"), String.valueOf(log));

        // it stays available for the stable time: the hold is the configured one again, and a loss after that is no
        // reason to back off
        final long stableTicks = RETURN_STABLE_MS * 1_000_000L / TestShard.TICK_NS + 1;
        for (int i = 0; i < stableTicks; i++)
        {
            tick();
        }
        assertEquals(RETURN_AFTER_MS * 1_000_000L, bridge.returnHoldNs(), "reset after " + RETURN_STABLE_MS + " ms");
        assertTrue(logged("its return hold is 300 ms again"), String.valueOf(log));
        loseBySilence(host, bridge);
        assertEquals(3, bridge.returnBackoffs());
        assertEquals(RETURN_AFTER_MS, heldTicksAtLink(host, bridge, RETURN_AFTER_MS), "the configured hold");
        for (int i = 0; i < 3; i++)
        {
            tick(); // the primary applies the last offer at its next pass
        }
        System.out.printf("back-off: %d back-offs, %d returns, log %s%n", bridge.returnBackoffs(),
            shard.counter(OrreryCounter.REPLICANT_RETURNS), log);
        assertEquals(5, shard.counter(OrreryCounter.REPLICANT_RETURNS));
        ReplicantBridgeCountersTest.assertCountersAsGetters(shard.layer, bridge);
    }

    /**
     * Stop stepping the Replicant until the bridge has lost it and the takeover is done, then step it again.
     */
    private void loseBySilence(final RemoteReplicantHost host, final ReplicantBridge bridge)
    {
        final long lostBefore = bridge.linksLost();
        shard.sideAgent(null);
        tickUntil(() -> bridge.linksLost() > lostBefore && !bridge.isAwaitingTakeover() &&
            !shard.layer.replicant().ownership().isAvailable(1), "the silent Replicant lost and taken over");
        shard.sideAgent(host);
    }

    /**
     * Once the Replicant is linked again (its old feed image goes, a handshake): the layer-time it is held from the
     * bridge seeing it synced to the bridge offering it available, in ms rounded to the tick, checked to lie within a
     * tick above the expected hold.
     */
    private long heldTicksAtLink(final RemoteReplicantHost host, final ReplicantBridge bridge, final long expectedMs)
    {
        shard.await(host::isLinked, "the Replicant proven; log " + log);
        tickUntil(() -> host.isSynced() && host.heartbeatsSent() > 0 && bridge.heartbeats() > 0 &&
            bridge.isLinked(), "the Replicant synced");
        // the synced heartbeat reaches the bridge within a heartbeat interval of the sync
        final long heardNs = shard.clock.nanoTime();
        tickUntil(bridge::isOfferedAvailable, "the Replicant offered available");
        final long heldNs = shard.clock.nanoTime() - heardNs;
        final long slackNs = RemoteReplicantHost.HEARTBEAT_INTERVAL_NS + 2 * TestShard.TICK_NS;
        assertTrue(heldNs >= expectedMs * 1_000_000L - slackNs && heldNs <= expectedMs * 1_000_000L + slackNs,
            "held " + heldNs / 1_000_000 + " ms, expected " + expectedMs + " ms; log " + log);
        return expectedMs;
    }

    private void awaitAvailable(final RemoteReplicantHost host)
    {
        shard.await(host::isLinked, "the remote Replicant's handshake; log " + log);
        tickUntil(() -> host.isSynced() && shard.layer.replicant().ownership().isAvailable(1),
            "the linked Replicant synced and made available");
    }

    private boolean logged(final String text)
    {
        System.out.flush();
        synchronized (layerOut)
        {
            if (layerOut.toString(java.nio.charset.StandardCharsets.UTF_8).contains(text))
            {
                return true;
            }
        }
        synchronized (log)
        {
            for (final String line : log)
            {
                if (line.contains(text))
                {
                    return true;
                }
            }
        }
        return false;
    }

    private void tick()
    {
        final EntityStore store = shard.store();
        for (int i = 0; i < ENTITIES; i++)
        {
            final int slot = store.slotOf(FIRST_ENTITY + i);
            if (slot >= 0)
            {
                store.position(slot, Math.round(((i - ENTITIES / 2) * 4 + 60 * Math.sin(t / 9.0 + i)) * MM), 0, 0);
            }
        }
        t++;
        shard.tick();
    }

    private void tickUntil(final BooleanSupplier condition, final String what)
    {
        // crosses Aeron (images going and coming, handshakes): a wall-clock deadline, the entities moving meanwhile
        final long deadlineNs = System.nanoTime() + 30_000_000_000L;
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() - deadlineNs < 0, "timed out waiting for " + what + "; log " + log);
            tick();
        }
    }

    private record Both(Agent a, Agent b) implements Agent
    {
        @Override
        public int doWork() throws Exception
        {
            return a.doWork() + b.doWork();
        }

        @Override
        public String roleName()
        {
            return "both";
        }
    }
}
