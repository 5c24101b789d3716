/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.fleet;

import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Dynamic meshing's requests recorded by {@link FleetRequests} on one thread and applied to a fleet by the
 * {@link FleetAgent} on another (here: the same thread, stepped).
 */
class FleetRequestsTest
{
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private final CachedNanoClock clock = new CachedNanoClock();
    private final List<String> applied = new ArrayList<>();
    private final FleetRequests requests = new FleetRequests(clock,
        (serverId, type, decisionNs, result) -> applied.add((FleetRequests.START == type ? "start " : "retire ") +
            serverId + " at " + decisionNs / SECOND + ": " + Fleet.resultName(result)));

    @Test
    void shouldRecordRequestsWithTheirDecisionTimeAndApplyThemOnTheFleetsDutyCycle()
    {
        final AbstractFleetTest.ScriptedFleet fleet = new AbstractFleetTest.ScriptedFleet(
            new FleetPolicy().maxSize(2), null, clock);
        final FleetAgent agent = new FleetAgent(fleet, clock, requests);

        clock.update(10 * SECOND);
        requests.startServer(3);
        clock.update(11 * SECOND);
        requests.startServer(3); // Atlas asks again while the server comes up
        assertEquals(0, fleet.members().size(), "nothing done on the caller's thread");

        clock.update(12 * SECOND);
        agent.doWork();
        assertEquals(List.of("start 3 at 10: OK", "start 3 at 11: ALREADY_MEMBER"), applied);
        assertEquals(MemberState.STARTING, fleet.member(3).state());
        assertEquals(10 * SECOND, requests.startDecisionNs(3), "the decision that started it");

        fleet.run(3);
        clock.update(13 * SECOND);
        agent.doWork();
        assertEquals(MemberState.RUNNING, fleet.member(3).state());
        assertEquals(3 * SECOND, fleet.member(3).runningNs() - requests.startDecisionNs(3),
            "decision to first simulated tick");

        requests.retireServer(3);
        requests.retireServer(1); // a server the fleet does not hold (started outside it)
        agent.doWork();
        assertEquals(MemberState.STOPPING, fleet.member(3).state());
        assertEquals("retire 3 at 13: OK", applied.get(2));
        assertEquals("retire 1 at 13: NOT_MEMBER", applied.get(3));
        assertEquals(2, requests.starts());
        assertEquals(2, requests.retirements());
        assertEquals(0, requests.dropped());
    }

    @Test
    void shouldCountRequestsDroppedWhenTheRingIsFull()
    {
        final List<Integer> started = new ArrayList<>();
        final FleetRequests small = new FleetRequests(clock, (serverId, type, decisionNs, result) ->
            started.add(serverId), 1024);
        for (int i = 0; i < 100; i++)
        {
            small.startServer(i);
        }
        assertTrue(small.dropped() > 0, "the ring holds fewer than 100 requests");

        final AbstractFleetTest.ScriptedFleet fleet = new AbstractFleetTest.ScriptedFleet(
            new FleetPolicy().maxSize(100), null, clock);
        assertEquals(100 - small.dropped(), small.drain(fleet), "every request that fitted is applied");
        assertEquals(0, started.get(0), "in order");
        small.startServer(1000);
        assertEquals(1, small.drain(fleet), "room again once drained");
    }
}
