/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core;

import io.aeron.ExclusivePublication;
import io.orrery.core.client.ClientLink;
import io.orrery.core.client.ClientSession;
import io.orrery.core.common.EntityIds;
import io.orrery.core.replicant.EntityStore;
import io.orrery.core.replicant.InterestConfig;
import io.orrery.core.status.OrreryCounter;
import io.orrery.wire.codec.RejectReason;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static io.orrery.core.TestShard.MM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * End to end through a real embedded media driver: Gateway, Replicant and client link, stepped deterministically.
 */
@Tag("system")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReplicationLayerTest
{
    private static final long ENTITY = 1_000_000;
    private TestShard shard;

    @AfterEach
    void after()
    {
        if (null != shard)
        {
            shard.close();
        }
    }

    @Test
    void shouldSpawnUpdateAndDespawnMovingEntityWithHysteresis()
    {
        shard = new TestShard();
        final ClientSession near = shard.connect(1, 0);
        final ClientSession far = shard.connect(2, 5000);
        assertTrue(near.isConnected());
        assertTrue(far.isConnected());

        final int slot = shard.createEntity(ENTITY, -1000, 0.5f);
        shard.tick();
        assertFalse(near.view().contains(ENTITY));

        // view distance 300 + 10 * 0.5 = 305 m; leave only beyond 335.5 m
        moveTo(slot, -310);
        assertFalse(near.view().contains(ENTITY), "outside the enter distance");
        moveTo(slot, -300);
        assertTrue(near.view().contains(ENTITY), "spawned on entry");
        assertEquals(1, near.spawnsReceived() - 1, "own entity + this one");

        final long updatesBefore = near.updatesReceived();
        moveTo(slot, -200);
        assertTrue(near.updatesReceived() > updatesBefore, "updated while inside");
        assertEquals(-200 * MM, near.view().positionX(near.view().slotOf(ENTITY)));

        for (int i = 0; i < 10; i++)
        {
            moveTo(slot, -330);
            moveTo(slot, -300);
        }
        assertTrue(near.view().contains(ENTITY));
        assertEquals(0, near.despawnsReceived(), "no flapping inside the hysteresis band");

        moveTo(slot, -340);
        assertFalse(near.view().contains(ENTITY), "despawned beyond the exit distance");
        assertEquals(1, near.despawnsReceived());
        assertFalse(far.view().contains(ENTITY), "never near the far client");
        assertEquals(0, near.updatesForUnknownEntities() + far.updatesForUnknownEntities());
    }

    @Test
    void shouldSeeLargeEntityFromFurtherAwayThanSmallOne()
    {
        shard = new TestShard();
        final ClientSession client = shard.connect(1, 0);
        shard.createEntity(ENTITY, 900, 0.5f);
        shard.createEntity(ENTITY + 1, 900, 100f);
        shard.tick();
        shard.tick();
        assertTrue(client.view().contains(ENTITY + 1), "large entity (view distance 1300 m) at 900 m");
        assertFalse(client.view().contains(ENTITY), "small entity (view distance 305 m) at 900 m");
    }

    @Test
    void shouldRejectBadAndExpiredTokensWithReason()
    {
        shard = new TestShard();
        final byte[] forged = shard.token(5);
        forged[20] ^= 1;
        final ClientSession bad = shard.connectWithToken(forged);
        assertEquals(ClientSession.State.REJECTED, bad.state());
        assertEquals(RejectReason.badToken.value(), bad.rejectReason());

        final ClientSession expired = shard.connectWithToken(shard.tokens.issue(6, System.currentTimeMillis() - 1));
        assertEquals(ClientSession.State.REJECTED, expired.state());
        assertEquals(RejectReason.expiredToken.value(), expired.rejectReason());

        final ClientSession garbage = shard.connectWithToken(new byte[7]);
        assertEquals(RejectReason.badToken.value(), garbage.rejectReason());

        final ClientSession worldId = shard.connectWithToken(shard.token(1L << 41));
        assertEquals(RejectReason.badToken.value(), worldId.rejectReason(), "player ids stay below world ids");

        assertEquals(3, shard.counter(OrreryCounter.REJECTED_BAD_TOKEN));
        assertEquals(1, shard.counter(OrreryCounter.REJECTED_EXPIRED_TOKEN));
        assertEquals(0, shard.counter(OrreryCounter.SESSIONS_ACTIVE));

        final ClientSession good = shard.connect(7, 0);
        assertTrue(good.isConnected(), "a good session is unaffected");
    }

    @Test
    void shouldRejectInputForSomeoneElsesEntityAndKeepSessionAlive()
    {
        shard = new TestShard();
        final ClientSession attacker = shard.connect(1, 0);
        final ClientSession victim = shard.connect(2, 10);
        shard.tick();
        final long victimX = shard.store().positionX(shard.store().slotOf(2));

        attacker.sendInputForEntity(2, shard.clock.nanoTime());
        shard.tick();
        shard.await(() -> attacker.rejectsReceived() > 0, "reject");

        assertEquals(1, shard.counter(OrreryCounter.REJECTED_NOT_YOUR_ENTITY));
        assertEquals(victimX, shard.store().positionX(shard.store().slotOf(2)), "victim not moved");
        assertEquals(0, shard.authority.inputsApplied);
        assertTrue(attacker.isConnected());
        assertTrue(victim.isConnected());
    }

    @Test
    void shouldAnswerStowAndUnstowWithStoreUnavailableWhenShardHasNoPersistence()
    {
        shard = new TestShard();
        final ClientSession client = shard.connect(1, 0);
        shard.tick();
        assertTrue(client.stow(1, EntityIds.starterItemId(1), 0) > 0);
        assertTrue(client.unstow(2, EntityIds.starterItemId(1), 0, 0, 0, 0) > 0);
        shard.drain();
        shard.tick();
        shard.await(() -> client.stowResultsReceived() == 2, "two stow results");
        assertEquals(2, shard.counter(OrreryCounter.INVENTORY_REQUESTS));
        assertEquals(2, shard.counter(OrreryCounter.INVENTORY_REFUSED));
        assertTrue(client.isConnected());
    }

    @Test
    void shouldApplyOwnInputAndMeasureInputToUpdateLatency()
    {
        shard = new TestShard();
        final ClientSession client = shard.connect(1, 0);
        final Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        client.inputLatencyRecorder(latency::recordValue);
        shard.tick();
        for (int i = 0; i < 50; i++)
        {
            assertTrue(client.sendInput(1, 0, 0, 0, 0, 0, shard.clock.nanoTime()) > 0);
            shard.drain();
            shard.tick();
        }
        assertEquals(50, client.lastAcknowledgedInput());
        assertEquals(50, latency.getTotalCount());
        assertEquals(TestShard.TICK_NS, latency.getValueAtPercentile(50), TestShard.TICK_NS / 100.0,
            "one tick from input to echo, on the controlled clock");
        assertEquals(50, shard.counter(OrreryCounter.INPUTS_FORWARDED));
    }

    @Test
    void shouldRejectOutOfOrderInputAndCountMalformedFramesWithoutHurtingOthers()
    {
        shard = new TestShard();
        final ClientSession client = shard.connect(1, 0);
        final int slot = shard.createEntity(ENTITY, 50, 0.5f);
        shard.tick();

        final ExclusivePublication rogue = shard.clientAeron.addExclusivePublication(
            shard.layer.context().clientIngressChannel(), shard.layer.context().clientIngressStreamId());
        shard.await(rogue::isConnected, "rogue publication");
        final UnsafeBuffer junk = new UnsafeBuffer(new byte[64]);
        for (int i = 0; i < 64; i++)
        {
            junk.putByte(i, (byte)(i * 37));
        }
        // a fresh publication may answer ADMIN_ACTION or back pressure once: offer until taken
        shard.await(() -> rogue.offer(junk, 0, 64) > 0, "junk offered");
        shard.await(() -> rogue.offer(junk, 0, 3) > 0, "short junk offered");
        shard.await(() -> shard.counter(OrreryCounter.REJECTED_MALFORMED) == 2, "malformed counted");

        final long before = client.updatesReceived();
        for (int i = 1; i <= 5; i++)
        {
            shard.store().position(slot, (50 + i) * MM, 0, 0);
            shard.tick();
        }
        assertTrue(client.updatesReceived() >= before + 5, "other sessions keep streaming");
        assertTrue(client.isConnected());
        rogue.close();
    }

    @Test
    void shouldDropInputAboveTheAdvertisedRate()
    {
        shard = new TestShard((ctx) -> ctx.maxInputRateHz(60));
        final ClientSession client = shard.connect(1, 0);
        for (int i = 0; i < 100; i++)
        {
            assertTrue(client.sendInput(1, 0, 0, 0, 0, 0, shard.clock.nanoTime()) > 0);
        }
        shard.drain();
        assertEquals(15, shard.counter(OrreryCounter.INPUTS_RECEIVED), "a burst of a quarter second");
        assertEquals(85, shard.counter(OrreryCounter.INPUTS_RATE_LIMITED));

        shard.tick();
        shard.tick();
        assertTrue(client.sendInput(1, 0, 0, 0, 0, 0, shard.clock.nanoTime()) > 0);
        shard.drain();
        assertEquals(16, shard.counter(OrreryCounter.INPUTS_RECEIVED), "allowance refills with time");
        assertTrue(client.isConnected());
    }

    @Test
    void shouldRetryHelloWhenShardIsFullAndGiveUpAtTheConnectDeadline()
    {
        shard = new TestShard((ctx) -> ctx.maxSessions(1));
        assertTrue(shard.connect(1, 0).isConnected());
        final ClientSession second = shard.link.connect(shard.token(2), null);
        shard.await(() -> second.transientRejects() == 1, "first refusal");
        assertEquals(ClientSession.State.CONNECTING, second.state(), "shard full is not final: hello again later");

        for (int i = 0; i < 200 && ClientSession.State.REJECTED != second.state(); i++)
        {
            stepClockAndAwaitAnswer(second);
        }
        assertEquals(ClientSession.State.REJECTED, second.state(), "given up at the connect deadline");
        assertEquals(RejectReason.tooManySessions.value(), second.rejectReason());
        assertTrue(second.transientRejects() >= 3, "retried with backoff: " + second.transientRejects());
        assertEquals(second.transientRejects(), shard.counter(OrreryCounter.REJECTED_TOO_MANY_SESSIONS));
    }

    @Test
    void shouldConnectOnRetryOnceShardHasRoom()
    {
        shard = new TestShard((ctx) -> ctx.maxSessions(1));
        final ClientSession first = shard.connect(1, 0);
        final ClientSession second = shard.link.connect(shard.token(2), null);
        shard.await(() -> second.transientRejects() == 1, "first refusal");

        first.disconnect();
        for (int i = 0; i < 50 && !second.isConnected(); i++)
        {
            stepClockAndAwaitAnswer(second);
        }
        assertTrue(second.isConnected(), "welcomed on a later hello");
        assertEquals(1, shard.counter(OrreryCounter.SESSIONS_ACTIVE));
    }

    @Test
    void shouldTimeOutSilentSessionAndRemoveItsEntity()
    {
        shard = new TestShard();
        final ClientSession client = shard.connect(1, 0);
        shard.tick();
        assertTrue(shard.store().slotOf(1) >= 0);

        shard.clock.advance(shard.layer.context().sessionTimeoutNs() + TimeUnit.MILLISECONDS.toNanos(100));
        shard.layer.doWork();
        shard.tick();
        assertEquals(1, shard.counter(OrreryCounter.SESSIONS_TIMED_OUT));
        assertEquals(EntityStore.NULL_SLOT, shard.store().slotOf(1));
        shard.await(() -> !client.isConnected(), "client told");
        assertEquals(0, shard.counter(OrreryCounter.SESSIONS_ACTIVE));
    }

    @Test
    void shouldBringBackPressuredClientUpToDateOnceItDrains()
    {
        shard = new TestShard((ctx) -> ctx.bandwidthBytesPerTick(8 * 1024));
        final ClientSession slow = shard.connect(1, 0);
        final ClientSession fast = shard.connect(2, 0);
        for (int i = 0; i < 100; i++)
        {
            shard.createEntity(ENTITY + i, i, 0.5f);
        }
        shard.tick();
        shard.tick();

        // stop polling the client link: the egress publications fill up
        for (int t = 0; t < 200 && shard.counter(OrreryCounter.UPDATES_DROPPED_BACK_PRESSURE) == 0; t++)
        {
            for (int i = 0; i < 100; i++)
            {
                final int slot = shard.store().slotOf(ENTITY + i);
                shard.store().position(slot, shard.store().positionX(slot) + 100, 0, 0);
            }
            shard.clock.advance(TestShard.TICK_NS);
            shard.layer.doWork();
        }
        assertTrue(shard.counter(OrreryCounter.UPDATES_DROPPED_BACK_PRESSURE) > 0, "back-pressure reached");

        // once it drains, deltas since what it actually received bring it up to date: nothing was queued for it
        shard.drain();
        for (int i = 0; i < 5; i++)
        {
            shard.tick();
        }
        assertTrue(slow.isConnected() && fast.isConnected());
        assertEquals(102, slow.view().size(), "100 entities, itself and the other player");
        assertEquals(0, slow.updatesForUnknownEntities());
        for (int i = 0; i < 100; i++)
        {
            final int storeSlot = shard.store().slotOf(ENTITY + i);
            assertEquals(shard.store().positionX(storeSlot), slow.view().positionX(slow.view().slotOf(ENTITY + i)));
        }
    }

    @Test
    void shouldDisconnectClientThatStaysBackPressuredPastTheLimit()
    {
        shard = new TestShard((ctx) -> ctx.bandwidthBytesPerTick(8 * 1024));
        final ClientSession slow = shard.connect(1, 0);
        for (int i = 0; i < 100; i++)
        {
            shard.createEntity(ENTITY + i, i, 0.5f);
        }
        final long limitTicks = shard.layer.context().slowConsumerTimeoutNs() / TestShard.TICK_NS + 20;
        for (int t = 0; t < limitTicks * 2 && shard.counter(OrreryCounter.SESSIONS_SLOW_CONSUMER) == 0; t++)
        {
            for (int i = 0; i < 100; i++)
            {
                final int slot = shard.store().slotOf(ENTITY + i);
                shard.store().position(slot, shard.store().positionX(slot) + 100, 0, 0);
            }
            shard.clock.advance(TestShard.TICK_NS);
            shard.layer.doWork();
        }
        assertEquals(1, shard.counter(OrreryCounter.SESSIONS_SLOW_CONSUMER));
        shard.drain();
        assertEquals(0, shard.counter(OrreryCounter.SESSIONS_ACTIVE));
        assertFalse(slow.isConnected());
    }

    @Test
    void shouldResumeWithAFreshSnapshotWhenDroppedAsSlowConsumerAndResumptionIsOn()
    {
        shard = new TestShard((ctx) -> ctx.bandwidthBytesPerTick(8 * 1024));
        try (ClientLink resuming = new ClientLink(shard.clientAeron,
            new ClientLink.Settings().clock(shard.clock).responseStreamId(2002).resume(true)))
        {
            final ClientSession slow = resuming.connect(shard.token(1), null);
            shard.await(() -> 0 == resuming.doWork() && slow.isConnected(), "connected");
            for (int i = 0; i < 100; i++)
            {
                shard.createEntity(ENTITY + i, i, 0.5f);
            }
            // the client stops reading: the layer drops it as a slow consumer
            final long limitTicks = shard.layer.context().slowConsumerTimeoutNs() / TestShard.TICK_NS + 20;
            for (int t = 0; t < limitTicks * 2 && shard.counter(OrreryCounter.SESSIONS_SLOW_CONSUMER) == 0; t++)
            {
                for (int i = 0; i < 100; i++)
                {
                    final int slot = shard.store().slotOf(ENTITY + i);
                    shard.store().position(slot, shard.store().positionX(slot) + 100, 0, 0);
                }
                shard.clock.advance(TestShard.TICK_NS);
                shard.layer.doWork();
            }
            assertEquals(1, shard.counter(OrreryCounter.SESSIONS_SLOW_CONSUMER));

            // reading again, it resumes after its backoff instead of ending, and gets the world again
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!(slow.isConnected() && 1 == slow.resumptions() && slow.view().contains(ENTITY + 99)))
            {
                // the clock keeps pace with real time while the media driver connects the new publications
                if (0 == shard.layer.doWork() + resuming.doWork())
                {
                    java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                    shard.clock.advance(TimeUnit.MILLISECONDS.toNanos(1));
                }
                assertTrue(System.nanoTime() < deadline, "resumed: " + slow.state() + " reason " +
                    slow.disconnectReason() + " loss " + slow.lastLossCause() + " resumes " + slow.resumesStarted());
            }
            assertEquals(ClientSession.LOSS_SLOW_CONSUMER, slow.lastLossCause());
            assertEquals(1, shard.counter(OrreryCounter.SESSIONS_ACTIVE));
        }
    }

    /**
     * Move the clock 100 ms (backoffs are on it), then give the media driver real time to answer a hello sent.
     */
    private void stepClockAndAwaitAnswer(final ClientSession session)
    {
        shard.clock.advance(TimeUnit.MILLISECONDS.toNanos(100));
        shard.poll();
        shard.await(() -> ClientSession.State.AWAITING_WELCOME != session.state(), "answer to a hello");
    }

    /**
     * Move, then tick as often as the slowest update tier needs to deliver the move.
     */
    private void moveTo(final int slot, final long xM)
    {
        shard.store().position(slot, xM * MM, 0, 0);
        for (int i = 0; i < InterestConfig.DEFAULT_FAR_TIER_PERIOD; i++)
        {
            shard.tick();
        }
    }
}
