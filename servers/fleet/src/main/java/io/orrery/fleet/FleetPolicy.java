/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.fleet;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * The limits a {@link Fleet} keeps: a minimum and a maximum size, the server ids it may start on its own (to reach
 * its minimum and to fill reservations), and the time it gives a server to start and to stop. Fluent setters;
 * {@link #conclude()} validates. Read by the fleet on its own thread; do not change it once the fleet runs.
 * <p>
 * Counting: the minimum counts members that are {@link MemberState#isUp() up} (STARTING or RUNNING); the maximum
 * counts every member holding a process or thread (STARTING, RUNNING, STOPPING) plus the servers that active
 * reservations still miss, so an ordinary start never takes a reserved server's place.
 */
public final class FleetPolicy
{
    public static final int MAX_SIZE_DEFAULT = 16;
    public static final long START_TIMEOUT_NS_DEFAULT = TimeUnit.SECONDS.toNanos(30);
    public static final long STOP_GRACE_NS_DEFAULT = TimeUnit.SECONDS.toNanos(10);
    public static final long RESTART_DELAY_NS_DEFAULT = TimeUnit.SECONDS.toNanos(1);

    private int minSize;
    private int maxSize = MAX_SIZE_DEFAULT;
    private int[] serverIds = new int[0];
    private long startTimeoutNs = START_TIMEOUT_NS_DEFAULT;
    private long stopGraceNs = STOP_GRACE_NS_DEFAULT;
    private long reservationLeadNs;
    private boolean stopReservedAtEnd = true;
    private long restartDelayNs = RESTART_DELAY_NS_DEFAULT;

    /**
     * @return the fewest members up; the fleet starts servers from {@link #serverIds()} to keep it, and refuses a
     * graceful stop below it. Default 0.
     */
    public int minSize()
    {
        return minSize;
    }

    public FleetPolicy minSize(final int minSize)
    {
        this.minSize = minSize;
        return this;
    }

    /**
     * @return the most members holding a process or thread, reservations included. Default {@value #MAX_SIZE_DEFAULT}.
     */
    public int maxSize()
    {
        return maxSize;
    }

    public FleetPolicy maxSize(final int maxSize)
    {
        this.maxSize = maxSize;
        return this;
    }

    /**
     * @return the server ids the fleet may start on its own, in order of preference (ids the shard config knows).
     */
    public int[] serverIds()
    {
        return serverIds;
    }

    public FleetPolicy serverIds(final int... serverIds)
    {
        this.serverIds = serverIds.clone();
        return this;
    }

    /**
     * @return how long a member may stay STARTING before it is stopped forcibly and reported FAILED.
     */
    public long startTimeoutNs()
    {
        return startTimeoutNs;
    }

    public FleetPolicy startTimeoutNs(final long startTimeoutNs)
    {
        this.startTimeoutNs = startTimeoutNs;
        return this;
    }

    /**
     * @return how long a graceful stop may take before the fleet stops the member forcibly.
     */
    public long stopGraceNs()
    {
        return stopGraceNs;
    }

    public FleetPolicy stopGraceNs(final long stopGraceNs)
    {
        this.stopGraceNs = stopGraceNs;
        return this;
    }

    /**
     * @return how long before a reservation's start the fleet starts its servers, so that they run when the event
     * begins (a local child JVM needs about a second or two). Default 0.
     */
    public long reservationLeadNs()
    {
        return reservationLeadNs;
    }

    public FleetPolicy reservationLeadNs(final long reservationLeadNs)
    {
        this.reservationLeadNs = reservationLeadNs;
        return this;
    }

    /**
     * @return true (default) to stop a reservation's servers gracefully when it ends (as far as the minimum allows:
     * the others become ordinary members); false to hand all of them to the ordinary fleet, for the balancer to
     * retire once their territories have been merged away.
     */
    public boolean stopReservedAtEnd()
    {
        return stopReservedAtEnd;
    }

    public FleetPolicy stopReservedAtEnd(final boolean stopReservedAtEnd)
    {
        this.stopReservedAtEnd = stopReservedAtEnd;
        return this;
    }

    /**
     * @return how long after a server id's member ended the fleet waits before it starts that id again on its own
     * (for its minimum or a reservation), so a server that fails at once is not restarted in a tight loop.
     */
    public long restartDelayNs()
    {
        return restartDelayNs;
    }

    public FleetPolicy restartDelayNs(final long restartDelayNs)
    {
        this.restartDelayNs = restartDelayNs;
        return this;
    }

    /**
     * Validate.
     *
     * @return this.
     * @throws IllegalArgumentException if the limits contradict each other.
     */
    public FleetPolicy conclude()
    {
        if (minSize < 0 || maxSize < 1 || minSize > maxSize)
        {
            throw new IllegalArgumentException("need 0 <= minSize <= maxSize and maxSize >= 1: min " + minSize +
                " max " + maxSize);
        }
        if (minSize > serverIds.length)
        {
            throw new IllegalArgumentException("minSize " + minSize + " needs as many server ids to start, have " +
                Arrays.toString(serverIds));
        }
        if (startTimeoutNs <= 0 || stopGraceNs < 0 || reservationLeadNs < 0 || restartDelayNs < 0)
        {
            throw new IllegalArgumentException("timeouts must be positive");
        }
        return this;
    }

    @Override
    public String toString()
    {
        return "FleetPolicy{min " + minSize + ", max " + maxSize + ", server ids " + Arrays.toString(serverIds) +
            ", start timeout " + startTimeoutNs + " ns, stop grace " + stopGraceNs + " ns, reservation lead " +
            reservationLeadNs + " ns, stop reserved at end " + stopReservedAtEnd + ", restart delay " + restartDelayNs +
            " ns}";
    }
}
