/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core;

import java.util.concurrent.TimeUnit;

import io.orrery.core.client.ClientSession;
import io.orrery.core.replicant.EntityStore;
import org.HdrHistogram.Histogram;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client link's handoff gap: when the authority epoch of the player's own entity changes, the gap between the
 * last update before and the first update after is recorded, on the layer's controlled clock.
 */
class ClientHandoffGapTest
{
    private TestShard shard;

    @AfterEach
    void after()
    {
        CloseHelper.quietClose(shard);
    }

    @Test
    void shouldRecordGapAcrossAuthorityChangeWhenOwnEntityEpochChanges()
    {
        shard = new TestShard();
        final ClientSession client = shard.connect(1, 0);
        final Histogram gaps = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        client.handoffGapRecorder(gaps::recordValue);
        shard.tick();
        for (int i = 0; i < 5; i++)
        {
            step(client);
        }
        assertTrue(client.updatesReceived() > 0);
        assertEquals(0, gaps.getTotalCount(), "no authority change yet");
        assertEquals(0, client.authorityChangesSeen());

        final EntityStore store = shard.store();
        final int slot = store.slotOf(client.playerEntityId());
        final long epoch = store.authorityEpoch(slot);
        store.authorityEpoch(slot, epoch + 1);
        step(client);

        assertEquals(1, client.authorityChangesSeen());
        assertEquals(1, gaps.getTotalCount());
        assertEquals(TestShard.TICK_NS, gaps.getMaxValue(), TestShard.TICK_NS / 100.0,
            "last update before and first after the change are one tick apart");
        assertEquals(epoch + 1, client.view().authorityEpoch(client.view().slotOf(client.playerEntityId())));

        for (int i = 0; i < 3; i++)
        {
            step(client);
        }
        assertEquals(1, client.authorityChangesSeen(), "same epoch: no further change");
    }

    private void step(final ClientSession client)
    {
        assertTrue(client.sendInput(1, 0, 0, 0, 0, 0, shard.clock.nanoTime()) > 0);
        shard.drain();
        shard.tick();
    }
}
