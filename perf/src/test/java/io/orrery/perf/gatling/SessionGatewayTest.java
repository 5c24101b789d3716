/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.perf.gatling;

import io.orrery.bots.EmbeddedShard;
import io.orrery.core.ThreadingMode;
import io.orrery.core.status.OrreryCounter;
import org.agrona.CloseHelper;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.SystemEpochClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The Gatling glue without Gatling's engine: a {@link SessionGateway} stepped by the test (its {@code doWork()} on
 * the test thread) against a real embedded shard (Replication Layer with the ScriptedAuthority on its own embedded
 * media driver in a fresh directory). Conditions are awaited with deadlines, never sleeps.
 */
@Tag("aeron")
class SessionGatewayTest
{
    private static final byte[] SECRET = "gatling-test-secret-0123456789".getBytes(StandardCharsets.UTF_8);
    private static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(20);
    private static EmbeddedShard shard;
    private static long nextPlayerIdBase = 10_000;

    private SessionGateway gateway;

    @BeforeAll
    static void launchShard()
    {
        shard = EmbeddedShard.launch(SECRET, 64, null);
    }

    @AfterAll
    static void closeShard()
    {
        CloseHelper.quietClose(shard);
    }

    @AfterEach
    void closeGateway()
    {
        CloseHelper.quietClose(gateway);
    }

    @Test
    @Timeout(60)
    void shouldConnectPlayersAndCompleteInputsWhenTheirSequencesAreEchoed()
    {
        final LatencyLog latencyLog = new LatencyLog(null, SystemEpochClock.INSTANCE, 1000);
        gateway = SessionGateway.launch(context(shard, SECRET).latencyLog(latencyLog));
        final int players = 8;
        final int rounds = 3;
        final VirtualPlayer[] player = new VirtualPlayer[players];

        final Outcome[] connects = new Outcome[players];
        for (int i = 0; i < players; i++)
        {
            player[i] = gateway.newPlayer();
            connects[i] = new Outcome();
            assertTrue(gateway.connect(player[i], connects[i]));
        }
        awaitAll(connects, "welcomes");
        assertAllOk(connects);
        assertEquals(players, gateway.sessionCount());

        for (int round = 0; round < rounds; round++)
        {
            final Outcome[] inputs = new Outcome[players];
            for (int i = 0; i < players; i++)
            {
                inputs[i] = new Outcome();
                assertTrue(gateway.input(player[i], inputs[i]));
            }
            awaitAll(inputs, "echoes of round " + round);
            assertAllOk(inputs);
        }

        final Outcome[] disconnects = new Outcome[players];
        for (int i = 0; i < players; i++)
        {
            disconnects[i] = new Outcome();
            assertTrue(gateway.disconnect(player[i], disconnects[i]));
        }
        awaitAll(disconnects, "disconnects");
        assertAllOk(disconnects);
        assertEquals(0, gateway.sessionCount());
        await(() -> 0 == shard.counter(OrreryCounter.SESSIONS_ACTIVE), "layer to close the sessions");

        assertEquals(players, gateway.connectsOk());
        assertEquals((long)players * rounds, gateway.inputsOk());
        assertEquals(players, gateway.disconnectsOk());
        assertEquals(0, gateway.connectsFailed() + gateway.inputsFailed() + gateway.disconnectsFailed());
        assertEquals(0, gateway.sessionsLost());
        latencyLog.finish();
        assertEquals((long)players * rounds, latencyLog.inputUpdateTotalUs().getTotalCount());
        assertEquals(players, latencyLog.connectTotalUs().getTotalCount());
        assertTrue(latencyLog.inputUpdateTotalUs().getMinValue() > 0, "an echo needs a tick: latency above 0 µs");
    }

    @Test
    @Timeout(60)
    void shouldCompleteConnectKoWithReasonWhenTokenIsSignedWithAnotherSecret()
    {
        gateway = SessionGateway.launch(context(shard, "not-the-shard-secret-0123456".getBytes(StandardCharsets.UTF_8)));
        final Outcome connect = new Outcome();
        assertTrue(gateway.connect(gateway.newPlayer(), connect));

        awaitAll(new Outcome[]{ connect }, "reject");

        assertFalse(connect.ok);
        assertTrue(connect.message.contains("rejected: badToken"), connect.message);
        assertEquals(1, gateway.connectsFailed());
        assertEquals(0, gateway.sessionCount());
    }

    @Test
    @Timeout(60)
    void shouldCompleteInputAndDisconnectKoWhenPlayerNeverConnected()
    {
        gateway = SessionGateway.launch(context(shard, SECRET));
        final VirtualPlayer player = gateway.newPlayer();
        final Outcome input = new Outcome();
        final Outcome disconnect = new Outcome();
        assertTrue(gateway.input(player, input));
        assertTrue(gateway.disconnect(player, disconnect));

        gateway.doWork();

        assertEquals(1, input.calls);
        assertFalse(input.ok);
        assertTrue(input.message.contains("has no session"), input.message);
        assertEquals(1, disconnect.calls);
        assertFalse(disconnect.ok);
    }

    @Test
    @Timeout(60)
    void shouldCompleteQueuedRequestsKoAndRefuseNewOnesWhenGatewayCloses()
    {
        gateway = SessionGateway.launch(context(shard, SECRET));
        final VirtualPlayer player = gateway.newPlayer();
        final Outcome connect = new Outcome();
        assertTrue(gateway.connect(player, connect));

        gateway.close();

        assertEquals(1, connect.calls);
        assertFalse(connect.ok);
        assertEquals("gateway closed", connect.message);
        assertFalse(gateway.input(player, new Outcome()));
    }

    @Test
    @Timeout(60)
    void shouldCompleteInputKoWhenItsEchoMissesTheDeadline()
    {
        try (EmbeddedShard stepped = EmbeddedShard.launch(
            SECRET, 8, (ctx) -> ctx.threadingMode(ThreadingMode.INVOKER)))
        {
            final CachedNanoClock clock = new CachedNanoClock();
            clock.update(System.nanoTime());
            final long inputTimeoutNs = TimeUnit.MILLISECONDS.toNanos(100);
            gateway = SessionGateway.launch(context(stepped, SECRET).nanoClock(clock).inputTimeoutNs(inputTimeoutNs));
            final VirtualPlayer player = gateway.newPlayer();
            final Outcome connect = new Outcome();
            assertTrue(gateway.connect(player, connect));
            final long deadlineNs = System.nanoTime() + DEADLINE_NS;
            while (0 == connect.calls)
            {
                if (System.nanoTime() > deadlineNs)
                {
                    fail("timed out waiting for the welcome");
                }
                clock.update(System.nanoTime());
                stepped.layer().doWork();
                gateway.doWork();
            }
            assertTrue(connect.ok, connect.message);

            // From here on the layer is not stepped: nothing will echo the input.
            final Outcome input = new Outcome();
            assertTrue(gateway.input(player, input));
            final long sentNs = clock.nanoTime();
            gateway.doWork();
            clock.update(sentNs + inputTimeoutNs / 2);
            gateway.doWork();
            assertEquals(0, input.calls, "still within its deadline");

            clock.update(sentNs + inputTimeoutNs + TimeUnit.MILLISECONDS.toNanos(5));
            gateway.doWork();

            assertEquals(1, input.calls);
            assertFalse(input.ok);
            assertEquals("input: sequence 1 not echoed within 100 ms", input.message);
            assertEquals(1, gateway.inputsFailed());
            assertEquals(1, gateway.sessionCount(), "a late echo does not end the session");
            gateway.close();
        }
    }

    private static SessionGateway.Context context(final EmbeddedShard target, final byte[] secret)
    {
        final long playerIdBase = nextPlayerIdBase;
        nextPlayerIdBase += 1_000;
        return new SessionGateway.Context()
            .aeronDirectoryName(target.aeronDirectoryName())
            .tokenSecret(secret)
            .playerIdBase(playerIdBase)
            .startThread(false);
    }

    private void awaitAll(final Outcome[] outcomes, final String what)
    {
        await(() ->
        {
            for (final Outcome outcome : outcomes)
            {
                if (0 == outcome.calls)
                {
                    return false;
                }
            }
            return true;
        }, what);
    }

    private void await(final BooleanSupplier condition, final String what)
    {
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadlineNs)
            {
                fail("timed out waiting for " + what);
            }
            if (0 == gateway.doWork())
            {
                Thread.yield();
            }
        }
    }

    private static void assertAllOk(final Outcome[] outcomes)
    {
        for (final Outcome outcome : outcomes)
        {
            assertEquals(1, outcome.calls, "completed exactly once");
            assertTrue(outcome.ok, outcome.message);
            assertNull(outcome.message);
            assertTrue(outcome.latencyNs > 0);
            assertTrue(outcome.startEpochMs > 0);
        }
    }

    /**
     * What a callback was told; touched only on the test thread, which is the gateway thread here.
     */
    private static final class Outcome implements RequestCallback
    {
        int calls;
        boolean ok;
        long startEpochMs;
        long latencyNs;
        String message;

        @Override
        public void onComplete(final boolean ok, final long startEpochMs, final long latencyNs, final String message)
        {
            calls++;
            this.ok = ok;
            this.startEpochMs = startEpochMs;
            this.latencyNs = latencyNs;
            this.message = message;
        }
    }
}
