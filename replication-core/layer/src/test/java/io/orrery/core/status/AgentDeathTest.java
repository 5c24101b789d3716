/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.status;

import io.orrery.core.ReplicationLayer;
import io.orrery.core.ThreadingMode;
import io.orrery.core.authority.Authority;
import io.orrery.core.replicant.EntityStore;
import io.orrery.wire.codec.PlayerInputDecoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AgentDeathTest
{
    /**
     * An authority whose tick dies of an Error, as an OutOfMemoryError would kill the layer's agent thread.
     */
    private static final class DyingAuthority implements Authority
    {
        private int ticks;

        @Override
        public void onPlayerJoined(final long playerEntityId, final long nowNs, final EntityStore store)
        {
        }

        @Override
        public void onPlayerLeft(final long playerEntityId, final long nowNs, final EntityStore store)
        {
        }

        @Override
        public void onPlayerInput(final PlayerInputDecoder input, final long nowNs, final EntityStore store)
        {
        }

        @Override
        public int onTick(final long nowNs, final EntityStore store)
        {
            if (++ticks == 3)
            {
                throw new OutOfMemoryError("simulated: Java heap space");
            }
            return 1;
        }
    }

    @Test
    @Timeout(30)
    void shouldReportTheDeathOfTheLayersAgentThreadInsteadOfLeavingAZombie() throws InterruptedException
    {
        final CountDownLatch died = new CountDownLatch(1);
        final AtomicReference<Throwable> cause = new AtomicReference<>();
        try (ReplicationLayer layer = ReplicationLayer.launch(new ReplicationLayer.Context()
            .threadingMode(ThreadingMode.SHARED)
            .errorHandler((ex) -> {})
            .authority(new DyingAuthority())
            .agentDeathHandler((deadThread, throwable) ->
            {
                assertTrue(deadThread.getName().length() > 0);
                cause.set(throwable);
                died.countDown();
            })))
        {
            assertTrue(died.await(20, TimeUnit.SECONDS), "the agent death handler was not called");
            assertTrue(layer.counter(OrreryCounter.TICKS) >= 2);
        }
        assertInstanceOf(OutOfMemoryError.class, cause.get());
        assertEquals("simulated: Java heap space", cause.get().getMessage());
    }

    @Test
    void shouldReportEveryThreadOfAReportingFactory() throws InterruptedException
    {
        final AtomicReference<Throwable> cause = new AtomicReference<>();
        final Thread thread = AgentDeath.reportingTo(Thread::new, (t, ex) -> cause.set(ex))
            .newThread(() ->
            {
                throw new StackOverflowError("simulated");
            });
        thread.start();
        thread.join(10_000);
        assertInstanceOf(StackOverflowError.class, cause.get());
    }
}
