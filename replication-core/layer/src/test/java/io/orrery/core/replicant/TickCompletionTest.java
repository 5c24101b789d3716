/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TickCompletionTest
{
    private static final long WAIT_NS = 3_000_000;
    private static final long STALE_NS = 133_000_000;
    private final TickCompletion completion = new TickCompletion(WAIT_NS, STALE_NS, 0);

    @Test
    void shouldStreamByTimerWhenNoServerEverEndedTick()
    {
        assertEquals(TickCompletion.BY_TIMER, completion.readiness(1_000));
        completion.onStateIn(1_000);
        assertEquals(TickCompletion.BY_TIMER, completion.readiness(2_000));
        assertEquals(1_000, completion.firstStateInNs());
    }

    @Test
    void shouldBeReadyOnlyWhenEveryLiveServerEndedTheRound()
    {
        completion.onTickEnd(1, 0);
        completion.onTickEnd(2, 0);
        assertEquals(TickCompletion.READY, completion.readiness(0));
        completion.onPass(0);
        assertEquals(TickCompletion.WAITING, completion.readiness(10), "live servers, no round started");

        completion.onTickEnd(2, 1_000);
        assertEquals(TickCompletion.WAITING, completion.readiness(1_000));
        completion.onTickEnd(2, 2_000); // a fast server ending twice does not complete the round for the other
        assertEquals(TickCompletion.WAITING, completion.readiness(2_000));
        completion.onTickEnd(1, 3_000);
        assertEquals(TickCompletion.READY, completion.readiness(3_000));
        completion.onPass(3_000);
        assertEquals(2, completion.roundsCompleted());
        assertEquals(0, completion.roundsTimedOut());
        assertEquals(5, completion.markers());
    }

    @Test
    void shouldBeReadyWhenBoundedWaitPassesWithoutSlowServer()
    {
        completion.onTickEnd(1, 0);
        completion.onTickEnd(2, 0);
        completion.onPass(0);
        completion.onTickEnd(1, 10_000);
        assertEquals(TickCompletion.WAITING, completion.readiness(10_000 + WAIT_NS - 1));
        assertEquals(TickCompletion.READY, completion.readiness(10_000 + WAIT_NS));
        completion.onPass(10_000 + WAIT_NS);
        assertEquals(1, completion.roundsTimedOut());
    }

    @Test
    void shouldNotWaitForServerWhoseTickEndsWentStaleAndFallBackToTimerWhenAllDid()
    {
        completion.onTickEnd(1, 0);
        completion.onTickEnd(2, 0);
        completion.onPass(0);
        completion.onTickEnd(1, STALE_NS + 1);
        assertEquals(TickCompletion.READY, completion.readiness(STALE_NS + 1), "server 2 is stale");
        completion.onPass(STALE_NS + 1);
        assertEquals(TickCompletion.BY_TIMER, completion.readiness(2 * STALE_NS + 2), "no live server");
    }

    @Test
    void shouldKeepFirstStateArrivalOfRoundUntilPass()
    {
        assertEquals(TickCompletion.NONE, completion.firstStateInNs());
        completion.onStateIn(500);
        completion.onStateIn(700);
        assertEquals(500, completion.firstStateInNs());
        completion.onPass(800);
        assertEquals(TickCompletion.NONE, completion.firstStateInNs());
    }

    @Test
    void shouldTrackManyServers()
    {
        for (int serverId = 1; serverId <= 20; serverId++)
        {
            completion.onTickEnd(serverId, 0);
        }
        completion.onPass(0);
        for (int serverId = 1; serverId < 20; serverId++)
        {
            completion.onTickEnd(serverId, 100);
            assertEquals(TickCompletion.WAITING, completion.readiness(100));
        }
        completion.onTickEnd(20, 100);
        assertEquals(TickCompletion.READY, completion.readiness(100));
    }

    @Test
    void shouldKeepPassesMinimumIntervalApartWhenRoundsQueuedUp()
    {
        final TickCompletion spaced = new TickCompletion(WAIT_NS, STALE_NS, 16_000_000);
        spaced.onTickEnd(1, 0);
        assertEquals(TickCompletion.READY, spaced.readiness(0));
        spaced.onPass(0);
        spaced.onTickEnd(1, 1_000_000); // a layer catching up reads the next tick end at once
        assertEquals(TickCompletion.WAITING, spaced.readiness(1_000_000));
        assertEquals(TickCompletion.WAITING, spaced.readiness(15_999_999));
        assertEquals(TickCompletion.READY, spaced.readiness(16_000_000));
    }

    @Test
    void shouldRefuseNegativeWait()
    {
        assertThrows(IllegalArgumentException.class, () -> new TickCompletion(-1, STALE_NS, 0));
        assertThrows(IllegalArgumentException.class, () -> new TickCompletion(WAIT_NS, 0, 0));
    }
}
