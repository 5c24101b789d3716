/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.fleet;

import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.orrery.fleet.FleetRig.await;
import static io.orrery.fleet.FleetRig.awaitState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Game server agents in this JVM started and stopped by an {@link InProcessFleet} against a real layer (embedded
 * media driver).
 */
@Tag("system")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class InProcessFleetTest
{
    @Test
    void shouldRunTwoServersWelcomedByTheLayerThenStopOneGracefullyAndOneForcibly()
    {
        try (FleetRig rig = new FleetRig("two-servers");
            InProcessFleet fleet = new InProcessFleet(new FleetPolicy().maxSize(2), rig.connection(), null,
                SystemNanoClock.INSTANCE, rig.layer.context().aeron()))
        {
            assertEquals(Fleet.OK, fleet.start(1));
            assertEquals(Fleet.OK, fleet.start(2));
            assertEquals(Fleet.AT_MAXIMUM, fleet.start(3));
            awaitState(fleet, System::nanoTime, 1, MemberState.RUNNING, 30);
            awaitState(fleet, System::nanoTime, 2, MemberState.RUNNING, 30);
            FleetRig.printSpinUp("in-process fleet", fleet.member(1));
            FleetRig.printSpinUp("in-process fleet", fleet.member(2));
            await(() -> 2 == rig.serversConnected(), "the layer counts both servers", 10);
            assertTrue(fleet.agent(1).world().ticks() > 0, "server 1 simulates");

            assertEquals(Fleet.OK, fleet.stop(1, Fleet.StopMode.GRACEFUL));
            awaitState(fleet, System::nanoTime, 1, MemberState.STOPPED, 30);
            assertEquals(GameServerExits.CLEAN, fleet.member(1).exitCode());

            assertEquals(Fleet.OK, fleet.stop(2, Fleet.StopMode.FORCIBLE));
            awaitState(fleet, System::nanoTime, 2, MemberState.STOPPED, 30);
            assertEquals(GameServerExits.KILLED, fleet.member(2).exitCode());
            assertTrue(fleet.member(2).isForcibleStop());
            await(() -> 0 == rig.serversConnected(), "the layer lets both servers go", 30);
        }
    }

    @Test
    void shouldReportFailedWithRejectedCodeWhenTheShardDoesNotKnowTheServer()
    {
        try (FleetRig rig = new FleetRig("two-servers");
            InProcessFleet fleet = new InProcessFleet(new FleetPolicy(), rig.connection(), null,
                SystemNanoClock.INSTANCE, rig.layer.context().aeron()))
        {
            assertEquals(Fleet.OK, fleet.start(9));
            awaitState(fleet, System::nanoTime, 9, MemberState.FAILED, 30);
            assertEquals(GameServerExits.REJECTED, fleet.member(9).exitCode(), fleet.member(9)::toString);
        }
    }

    @Test
    void shouldStartReservedServersAtTheReservationStartAndReleaseThemAfterItsEnd()
    {
        final CachedNanoClock clock = new CachedNanoClock();
        final long second = TimeUnit.SECONDS.toNanos(1);
        final List<String> events = new ArrayList<>();
        final FleetListener listener = new FleetListener()
        {
            @Override
            public void onReservationStarted(final Fleet fleet, final Reservation reservation)
            {
                events.add("started " + reservation.name());
            }

            @Override
            public void onReservationEnded(final Fleet fleet, final Reservation reservation)
            {
                events.add("ended " + reservation.name());
            }
        };
        try (FleetRig rig = new FleetRig("four-servers");
            InProcessFleet fleet = new InProcessFleet(
                new FleetPolicy().minSize(1).maxSize(4).serverIds(1, 3, 4).startTimeoutNs(1000 * second),
                rig.connection(), listener, clock, rig.layer.context().aeron()))
        {
            assertEquals(Fleet.OK, fleet.reserve(new Reservation("battle-of-x", 2, 0, 0, -100, 200, 200, 100,
                100 * second, 200 * second)));
            clock.update(10 * second);
            awaitState(fleet, clock::nanoTime, 1, MemberState.RUNNING, 30);
            assertEquals(1, fleet.members().size(), "the minimum only, before the reservation");

            clock.update(100 * second);
            fleet.doWork(clock.nanoTime());
            assertEquals(List.of("started battle-of-x"), events);
            assertEquals("battle-of-x", fleet.member(3).reservation());
            assertEquals("battle-of-x", fleet.member(4).reservation());
            awaitState(fleet, clock::nanoTime, 3, MemberState.RUNNING, 30);
            awaitState(fleet, clock::nanoTime, 4, MemberState.RUNNING, 30);
            await(() -> 3 == rig.serversConnected(), "the layer welcomed the reserved servers", 10);

            clock.update(199 * second);
            fleet.doWork(clock.nanoTime());
            assertEquals(MemberState.RUNNING, fleet.member(3).state(), "warm for the whole window");

            clock.update(200 * second);
            fleet.doWork(clock.nanoTime());
            assertEquals(List.of("started battle-of-x", "ended battle-of-x"), events);
            awaitState(fleet, clock::nanoTime, 3, MemberState.STOPPED, 30);
            awaitState(fleet, clock::nanoTime, 4, MemberState.STOPPED, 30);
            assertNull(fleet.member(3).reservation());
            assertEquals(MemberState.RUNNING, fleet.member(1).state());
            assertTrue(fleet.reservations().isEmpty());
        }
    }
}
