/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.fleet;

import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The policy, the states and reservations of a fleet, stepped on a controlled clock with a scripted backend (no
 * processes: the system tests of {@link InProcessFleet} and {@link ProcessFleet} run real servers).
 */
class AbstractFleetTest
{
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private final CachedNanoClock clock = new CachedNanoClock();
    private final List<String> events = new ArrayList<>();
    private final FleetListener listener = new FleetListener()
    {
        @Override
        public void onMemberStateChange(final Fleet fleet, final FleetMember member, final MemberState previous)
        {
            events.add(member.serverId() + ":" + member.state());
        }

        @Override
        public void onReservationStarted(final Fleet fleet, final Reservation reservation)
        {
            events.add("start " + reservation.name());
        }

        @Override
        public void onReservationEnded(final Fleet fleet, final Reservation reservation)
        {
            events.add("end " + reservation.name());
        }
    };

    /**
     * A backend whose servers do what the test says: run, exit with a code.
     */
    static final class ScriptedFleet extends AbstractFleet
    {
        final Int2ObjectHashMap<int[]> scripts = new Int2ObjectHashMap<>(); // {running 0/1, exit code or MIN}
        final List<String> actions = new ArrayList<>();
        int launchFailures;

        ScriptedFleet(final FleetPolicy policy, final FleetListener listener, final CachedNanoClock clock)
        {
            super(policy, new ShardConnection().developmentMode(true), listener, clock);
        }

        @Override
        protected void launch(final FleetMember member)
        {
            if (launchFailures > 0)
            {
                launchFailures--;
                throw new IllegalStateException("no java");
            }
            actions.add("launch " + member.serverId());
            scripts.put(member.serverId(), new int[]{ 0, Integer.MIN_VALUE });
        }

        @Override
        protected void terminate(final FleetMember member, final StopMode mode)
        {
            actions.add(mode + " " + member.serverId());
            if (StopMode.FORCIBLE == mode)
            {
                exit(member.serverId(), GameServerExits.KILLED);
            }
        }

        @Override
        protected int poll(final FleetMember member, final long nowNs)
        {
            final int[] script = scripts.get(member.serverId());
            if (1 == script[0])
            {
                reportRunning(member, nowNs);
            }
            if (Integer.MIN_VALUE != script[1])
            {
                reportExited(member, script[1], GameServerExits.describe(script[1]), nowNs);
            }
            return 0;
        }

        @Override
        protected void closeResources()
        {
            actions.add("closed");
        }

        void run(final int serverId)
        {
            scripts.get(serverId)[0] = 1;
        }

        void exit(final int serverId, final int exitCode)
        {
            scripts.get(serverId)[1] = exitCode;
        }
    }

    private void step(final Fleet fleet, final long nowNs)
    {
        clock.update(nowNs);
        fleet.doWork(nowNs);
    }

    private ScriptedFleet fleet(final FleetPolicy policy)
    {
        return new ScriptedFleet(policy, listener, clock);
    }

    @Test
    void shouldReportStartingThenRunningThenStoppedWhenStartedAndStoppedGracefully()
    {
        final ScriptedFleet fleet = fleet(new FleetPolicy());
        clock.update(5 * SECOND);
        assertEquals(Fleet.OK, fleet.start(1));
        assertEquals(MemberState.STARTING, fleet.member(1).state());
        assertEquals(Fleet.ALREADY_MEMBER, fleet.start(1));

        step(fleet, 6 * SECOND);
        assertEquals(MemberState.STARTING, fleet.member(1).state());
        fleet.run(1);
        step(fleet, 7 * SECOND);
        assertEquals(MemberState.RUNNING, fleet.member(1).state());
        assertEquals(2 * SECOND, fleet.member(1).spinUpNs(), "decision to first tick on the fleet's clock");

        assertEquals(Fleet.OK, fleet.stop(1, Fleet.StopMode.GRACEFUL));
        assertEquals(MemberState.STOPPING, fleet.member(1).state());
        fleet.exit(1, 0);
        step(fleet, 8 * SECOND);
        assertEquals(MemberState.STOPPED, fleet.member(1).state());
        assertEquals(0, fleet.member(1).exitCode());
        assertEquals(List.of("1:STARTING", "1:RUNNING", "1:STOPPING", "1:STOPPED"), events);
        assertEquals(List.of("launch 1", "GRACEFUL 1"), fleet.actions);
        assertEquals(Fleet.NOT_MEMBER, fleet.stop(1, Fleet.StopMode.GRACEFUL));
    }

    @Test
    void shouldReportFailedWithExitCodeWhenServerExitsOnItsOwn()
    {
        final ScriptedFleet fleet = fleet(new FleetPolicy());
        fleet.start(3);
        fleet.exit(3, GameServerExits.REJECTED);
        step(fleet, SECOND);
        final FleetMember member = fleet.member(3);
        assertEquals(MemberState.FAILED, member.state());
        assertEquals(77, member.exitCode());
        assertTrue(member.reason().contains("exited on its own") && member.reason().contains("refused by the shard"),
            member::reason);
        assertEquals(-1, member.spinUpNs());
    }

    @Test
    void shouldReportFailedWhenGracefulStopEndsWithNonZeroCodeAndStoppedWhenForcible()
    {
        final ScriptedFleet fleet = fleet(new FleetPolicy());
        fleet.start(1);
        fleet.start(2);
        fleet.stop(1, Fleet.StopMode.GRACEFUL);
        fleet.stop(2, Fleet.StopMode.FORCIBLE);
        fleet.exit(1, GameServerExits.ERRORS);
        fleet.exit(2, GameServerExits.KILLED);
        step(fleet, SECOND);
        assertEquals(MemberState.FAILED, fleet.member(1).state());
        assertEquals(MemberState.STOPPED, fleet.member(2).state());
        assertEquals(137, fleet.member(2).exitCode());
        assertTrue(fleet.member(2).isForcibleStop());
    }

    @Test
    void shouldRefuseStartsAtMaximum()
    {
        final ScriptedFleet fleet = fleet(new FleetPolicy().maxSize(2));
        assertEquals(Fleet.OK, fleet.start(1));
        assertEquals(Fleet.OK, fleet.start(2));
        assertEquals(Fleet.AT_MAXIMUM, fleet.start(3));
        fleet.stop(2, Fleet.StopMode.GRACEFUL);
        assertEquals(Fleet.AT_MAXIMUM, fleet.start(3), "a stopping server still holds its place");
        fleet.exit(2, 0);
        step(fleet, SECOND);
        assertEquals(Fleet.OK, fleet.start(3));
        assertEquals(2, fleet.count(MemberState.STARTING));
    }

    @Test
    void shouldKeepMinimumByStartingAndReplacingServersFromThePool()
    {
        final ScriptedFleet fleet = fleet(new FleetPolicy().minSize(2).maxSize(3).serverIds(1, 2, 3)
            .restartDelayNs(SECOND));
        step(fleet, 0);
        assertEquals(List.of("launch 1", "launch 2"), fleet.actions);
        fleet.run(1);
        fleet.run(2);
        step(fleet, 1);
        assertEquals(2, fleet.count(MemberState.RUNNING));
        assertEquals(Fleet.AT_MINIMUM, fleet.stop(1, Fleet.StopMode.GRACEFUL));
        assertEquals(MemberState.RUNNING, fleet.member(1).state());

        fleet.exit(2, GameServerExits.AGENT_DIED); // a crash: replaced by the next free id
        step(fleet, 2);
        assertEquals(MemberState.FAILED, fleet.member(2).state());
        assertEquals(MemberState.STARTING, fleet.member(3).state());
        assertEquals(List.of("launch 1", "launch 2", "launch 3"), fleet.actions);

        assertEquals(Fleet.OK, fleet.stop(3, Fleet.StopMode.FORCIBLE), "forcible stops are always done");
        fleet.exit(3, GameServerExits.KILLED);
        step(fleet, 3);
        assertEquals(1, fleet.count(MemberState.RUNNING) + fleet.count(MemberState.STARTING),
            "ids 2 and 3 ended within the restart delay");
        step(fleet, 2 + SECOND);
        assertEquals(MemberState.STARTING, fleet.member(2).state(), "id 2 is free again after the delay");
    }

    @Test
    void shouldFailServerThatDoesNotRunWithinStartTimeout()
    {
        final ScriptedFleet fleet = fleet(new FleetPolicy().startTimeoutNs(10 * SECOND));
        clock.update(0);
        fleet.start(1);
        step(fleet, 10 * SECOND);
        assertEquals(MemberState.STARTING, fleet.member(1).state());
        step(fleet, 10 * SECOND + 1);
        assertEquals(MemberState.STOPPING, fleet.member(1).state());
        assertEquals(List.of("launch 1", "FORCIBLE 1"), fleet.actions);
        fleet.exit(1, GameServerExits.KILLED);
        step(fleet, 11 * SECOND);
        assertEquals(MemberState.FAILED, fleet.member(1).state());
        assertTrue(fleet.member(1).reason().startsWith("not running within the start timeout"),
            fleet.member(1).reason());
    }

    @Test
    void shouldStopForciblyWhenGracefulStopTakesLongerThanGrace()
    {
        final ScriptedFleet fleet = fleet(new FleetPolicy().stopGraceNs(5 * SECOND));
        clock.update(0);
        fleet.start(1);
        fleet.run(1);
        step(fleet, 0);
        fleet.stop(1, Fleet.StopMode.GRACEFUL);
        step(fleet, 5 * SECOND);
        assertEquals(List.of("launch 1", "GRACEFUL 1"), fleet.actions);
        step(fleet, 5 * SECOND + 1);
        assertEquals(List.of("launch 1", "GRACEFUL 1", "FORCIBLE 1"), fleet.actions);
        fleet.exit(1, GameServerExits.KILLED);
        step(fleet, 6 * SECOND);
        assertEquals(MemberState.STOPPED, fleet.member(1).state());
    }

    @Test
    void shouldReportLaunchFailureAsFailedMember()
    {
        final ScriptedFleet fleet = fleet(new FleetPolicy());
        fleet.launchFailures = 1;
        assertEquals(Fleet.LAUNCH_FAILED, fleet.start(1));
        assertEquals(MemberState.FAILED, fleet.member(1).state());
        assertTrue(fleet.member(1).reason().contains("no java"));
        assertEquals(Fleet.OK, fleet.start(1), "a failed id may start again");
        assertEquals(1, fleet.members().size(), "the new member replaces the ended one");
    }

    @Test
    void shouldStartReservedServersAtStartTimeAndStopThemAfterEnd()
    {
        final ScriptedFleet fleet = fleet(new FleetPolicy().minSize(1).maxSize(4).serverIds(1, 2, 3, 4)
            .reservationLeadNs(2 * SECOND));
        assertEquals(Fleet.OK, fleet.reserve(new Reservation("siege", 2, -100, -100, -10, 100, 100, 10,
            60 * SECOND, 120 * SECOND)));
        assertEquals(Fleet.RESERVATION_NAME, fleet.reserve(new Reservation("siege", 1, 0, 0, 0, 1, 1, 1, 1, 2)));
        step(fleet, 0);
        fleet.run(1);
        step(fleet, SECOND);
        assertEquals(List.of("launch 1"), fleet.actions, "the minimum only");

        step(fleet, 58 * SECOND - 1);
        assertEquals(1, fleet.members().size(), "nothing before the lead time");
        assertEquals(Fleet.OK, fleet.start(2), "capacity is free until the window opens");
        assertEquals(Fleet.OK, fleet.stop(2, Fleet.StopMode.FORCIBLE));
        fleet.exit(2, GameServerExits.KILLED);
        step(fleet, 58 * SECOND - 1);

        step(fleet, 58 * SECOND);
        assertTrue(events.contains("start siege"));
        assertEquals("siege", fleet.member(3).reservation());
        assertEquals("siege", fleet.member(4).reservation());
        assertEquals(MemberState.STARTING, fleet.member(3).state());
        assertEquals(Fleet.OK, fleet.start(2), "1 ordinary and 2 reserved of 4: one more fits");
        assertEquals(Fleet.AT_MAXIMUM, fleet.start(5));
        fleet.run(3);
        fleet.run(4);
        step(fleet, 59 * SECOND);
        assertEquals(MemberState.RUNNING, fleet.member(3).state());

        fleet.exit(3, GameServerExits.AGENT_DIED); // a reserved server dies: its place stays reserved
        step(fleet, 59 * SECOND + 1);
        assertEquals(MemberState.FAILED, fleet.member(3).state());
        fleet.stop(2, Fleet.StopMode.FORCIBLE);
        fleet.exit(2, GameServerExits.KILLED);
        step(fleet, 59 * SECOND + 2);
        assertEquals(Fleet.OK, fleet.start(5), "1 and 4 holding, 1 reserved place kept: one more of 4 fits");
        assertEquals(Fleet.AT_MAXIMUM, fleet.start(6), "the reserved place is not given away");
        step(fleet, 61 * SECOND);
        assertEquals(MemberState.STARTING, fleet.member(2).state(), "the reservation refilled from the pool");
        assertEquals("siege", fleet.member(2).reservation());
        fleet.run(2);
        fleet.run(5);
        step(fleet, 62 * SECOND);

        step(fleet, 120 * SECOND);
        assertTrue(events.contains("end siege"));
        assertEquals(MemberState.STOPPING, fleet.member(2).state());
        assertEquals(MemberState.STOPPING, fleet.member(4).state());
        assertNull(fleet.member(4).reservation());
        assertEquals(MemberState.RUNNING, fleet.member(1).state(), "the ordinary members stay");
        assertEquals(MemberState.RUNNING, fleet.member(5).state());
        fleet.exit(2, 0);
        fleet.exit(4, 0);
        step(fleet, 121 * SECOND);
        assertEquals(MemberState.STOPPED, fleet.member(2).state());
        assertEquals(MemberState.STOPPED, fleet.member(4).state());
        assertTrue(fleet.reservations().isEmpty());
    }

    @Test
    void shouldHandReservedServersToTheFleetAtEndWhenPolicySaysKeep()
    {
        final ScriptedFleet fleet = fleet(new FleetPolicy().maxSize(2).serverIds(7, 8).stopReservedAtEnd(false));
        fleet.reserve(new Reservation("raid", 2, 0, 0, 0, 10, 10, 10, SECOND, 2 * SECOND));
        step(fleet, SECOND);
        fleet.run(7);
        fleet.run(8);
        step(fleet, SECOND + 1);
        step(fleet, 2 * SECOND);
        assertEquals(2, fleet.count(MemberState.RUNNING));
        assertNull(fleet.member(7).reservation());
        assertEquals(Fleet.OK, fleet.cancelReservation("raid") == Fleet.RESERVATION_NAME ? Fleet.OK : -99,
            "an ended reservation is gone");
    }

    @Test
    void shouldRefuseReservationsThatWouldNeedMoreThanTheMaximum()
    {
        final ScriptedFleet fleet = fleet(new FleetPolicy().minSize(1).maxSize(4).serverIds(1));
        assertEquals(Fleet.OK, fleet.reserve(new Reservation("a", 2, 0, 0, 0, 1, 1, 1, 10 * SECOND, 20 * SECOND)));
        assertEquals(Fleet.RESERVATION_EXCEEDS_MAXIMUM,
            fleet.reserve(new Reservation("b", 2, 0, 0, 0, 1, 1, 1, 15 * SECOND, 25 * SECOND)));
        assertEquals(Fleet.OK, fleet.reserve(new Reservation("c", 3, 0, 0, 0, 1, 1, 1, 20 * SECOND, 30 * SECOND)),
            "a window that begins when another ends does not overlap it");
        assertEquals(Fleet.OK, fleet.cancelReservation("a"));
        assertEquals(Fleet.RESERVATION_NAME, fleet.cancelReservation("a"));
        assertEquals(1, fleet.reservations().size());
    }

    @Test
    void shouldStopEveryServerWhenClosed()
    {
        final ScriptedFleet fleet = fleet(new FleetPolicy().stopGraceNs(0));
        fleet.start(1);
        fleet.close();
        assertEquals(List.of("launch 1", "GRACEFUL 1", "FORCIBLE 1", "closed"), fleet.actions);
        assertEquals(Fleet.CLOSED, fleet.start(2));
    }
}
