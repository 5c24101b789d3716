/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core;

import io.orrery.core.client.ClientListener;
import io.orrery.core.client.ClientSession;
import io.orrery.core.gateway.GatewayContext;
import io.orrery.core.status.OrreryCounter;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@link GatewayContext#ingressPollIntervalNs()}: with an interval the Gateway reads its client ingress at most once
 * per interval of its clock (a client's message waits at most that long), without it on every duty cycle. An INVOKER
 * layer on a controlled clock and a real media driver.
 */
class GatewayIngressPollIntervalTest
{
    private static final long INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(2);
    private static final long STEP_NS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void shouldReadAClientsInputOnlyOnceTheIntervalSinceTheLastPollHasPassed()
    {
        try (TestShard shard = new TestShard((ctx) -> ctx.gateway().ingressPollIntervalNs(INTERVAL_NS)))
        {
            final ClientSession session = connectMovingTheClock(shard, 1);
            shard.clock.advance(INTERVAL_NS);
            shard.drain(); // one poll at this instant, then none while the clock stands
            final long received = shard.counter(OrreryCounter.INPUTS_RECEIVED);

            assertTrue(session.sendInput(1, 0, 0, 0, 0, 0, shard.clock.nanoTime()) > 0, "input offered");
            shard.drain();
            assertEquals(received, shard.counter(OrreryCounter.INPUTS_RECEIVED), "read before the interval");

            shard.clock.advance(STEP_NS);
            shard.drain();
            assertEquals(received, shard.counter(OrreryCounter.INPUTS_RECEIVED), "read half way");

            shard.clock.advance(INTERVAL_NS - STEP_NS);
            shard.await(() -> shard.counter(OrreryCounter.INPUTS_RECEIVED) == received + 1, "input read");
        }
    }

    @Test
    void shouldReadAClientsInputInTheNextDutyCycleWithoutAnInterval()
    {
        try (TestShard shard = new TestShard((ctx) -> ctx.gateway().ingressPollIntervalNs(0)))
        {
            final ClientSession session = connectMovingTheClock(shard, 1);
            shard.drain();
            final long received = shard.counter(OrreryCounter.INPUTS_RECEIVED);

            assertTrue(session.sendInput(1, 0, 0, 0, 0, 0, shard.clock.nanoTime()) > 0, "input offered");
            shard.await(() -> shard.counter(OrreryCounter.INPUTS_RECEIVED) == received + 1, "input read");
        }
    }

    @Test
    void shouldRefuseAnIntervalOutsideZeroToTenMilliseconds()
    {
        assertThrows(IllegalArgumentException.class, () -> new GatewayContext().ingressPollIntervalNs(-1).conclude());
        assertThrows(IllegalArgumentException.class,
            () -> new GatewayContext().ingressPollIntervalNs(TimeUnit.MILLISECONDS.toNanos(11)).conclude());
    }

    private static ClientSession connectMovingTheClock(final TestShard shard, final long playerId)
    {
        shard.authority.spawnPlayerAt(playerId, 0);
        final ClientSession session = shard.link.connect(shard.token(playerId), ClientListener.NO_OP);
        final long startNs = System.nanoTime();
        final long clockStartNs = shard.clock.nanoTime();
        final long deadlineNs = startNs + TestShard.DEADLINE_NS;
        while (session.state() == ClientSession.State.CONNECTING ||
            session.state() == ClientSession.State.AWAITING_WELCOME)
        {
            // the handshake waits for publications to connect in real time: the clock follows it, so that no
            // timeout of the handshake passes faster than it would
            shard.clock.update(clockStartNs + System.nanoTime() - startNs);
            shard.poll();
            if (System.nanoTime() > deadlineNs)
            {
                fail("handshake: " + session.state());
            }
        }
        assertEquals(ClientSession.State.CONNECTED, session.state());
        return session;
    }
}
