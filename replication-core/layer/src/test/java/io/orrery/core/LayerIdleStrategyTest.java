/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core;

import io.orrery.core.client.ClientSession;
import io.orrery.core.common.LayerIdleStrategy;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The layer's threads back off to short parks while clients are connected and park long while the layer is quiet:
 * the Replicant marks the layer active when it takes over its first session and quiet when the last one ends.
 */
class LayerIdleStrategyTest
{
    private static final long MAX_PARK_NS = 8_000;

    @Test
    void shouldBackOffToMaxParkWhileActiveAndStartOverAfterWork()
    {
        final LayerIdleStrategy.Activity activity = new LayerIdleStrategy.Activity();
        activity.quiet(false);
        final LayerIdleStrategy idle = new LayerIdleStrategy(activity, MAX_PARK_NS, 1_000_000);
        for (int i = 0; i < 30; i++)
        {
            idle.idle(0); // spins and yields
        }
        assertEquals(1_000, idle.parkNs());
        for (int i = 0; i < 10; i++)
        {
            idle.idle(0);
        }
        assertEquals(MAX_PARK_NS, idle.parkNs(), "doubling, capped");
        idle.idle(1);
        assertEquals(1_000, idle.parkNs());
    }

    @Test
    void shouldParkQuietlyWithoutBackoffWhileQuiet()
    {
        final LayerIdleStrategy.Activity activity = new LayerIdleStrategy.Activity();
        assertTrue(activity.isQuiet(), "a layer starts without clients");
        final LayerIdleStrategy idle = new LayerIdleStrategy(activity, MAX_PARK_NS, 2_000);
        for (int i = 0; i < 5; i++)
        {
            idle.idle(0);
        }
        assertEquals(1_000, idle.parkNs(), "the quiet park does not advance the backoff");
        assertThrows(IllegalArgumentException.class, () -> new LayerIdleStrategy(activity, 0, 2_000));
    }

    @Test
    @Tag("system")
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldMarkLayerActiveWhileClientSessionsLast()
    {
        try (TestShard shard = new TestShard())
        {
            final LayerIdleStrategy.Activity activity = shard.layer.context().activity();
            shard.tick();
            assertTrue(activity.isQuiet());
            final ClientSession session = shard.connect(1, 0);
            shard.drain();
            assertFalse(activity.isQuiet(), "a client is connected");
            session.disconnect();
            shard.await(activity::isQuiet, "the layer to go quiet after the last session ended");
        }
    }
}
