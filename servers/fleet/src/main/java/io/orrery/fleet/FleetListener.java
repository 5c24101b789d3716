/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.fleet;

/**
 * Callbacks of a {@link Fleet}, made on the thread that runs the fleet (inside {@link Fleet#doWork(long)},
 * {@link Fleet#start}, {@link Fleet#stop} or {@link Fleet#close()}). Every method has an empty default.
 */
public interface FleetListener
{
    /**
     * A listener that ignores everything.
     */
    FleetListener NO_OP = new FleetListener()
    {
    };

    /**
     * A member changed state (a new member starts in {@link MemberState#STARTING}; the callback is made for it with
     * {@code previous} null).
     *
     * @param fleet    the fleet.
     * @param member   the member, already in its new state.
     * @param previous its state before, or null for a new member.
     */
    default void onMemberStateChange(final Fleet fleet, final FleetMember member, final MemberState previous)
    {
    }

    /**
     * A reservation's window opened (its lead time before its start): the fleet starts its servers now.
     */
    default void onReservationStarted(final Fleet fleet, final Reservation reservation)
    {
    }

    /**
     * A reservation's window closed (or it was cancelled): its servers were stopped or handed to the ordinary fleet
     * ({@link FleetPolicy#stopReservedAtEnd()}).
     */
    default void onReservationEnded(final Fleet fleet, final Reservation reservation)
    {
    }
}
