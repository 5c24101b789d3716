/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.fleet;

import java.util.Locale;

/**
 * One game server of a {@link Fleet}: its server id, its state, the reservation that holds it (if any) and the times
 * of its life on the fleet's clock. Updated by the fleet on its duty cycle; read it on the thread that runs the fleet
 * (or from a {@link FleetListener} callback).
 */
public final class FleetMember
{
    /**
     * {@link #exitCode()} while the member has not ended, or when it ended without an exit code.
     */
    public static final int NO_EXIT_CODE = Integer.MIN_VALUE;

    private final int serverId;
    private final ShardConnection connection;
    private final long startedNs;
    private String reservation;
    private MemberState state = MemberState.STARTING;
    private long runningNs;
    private long stopRequestedNs;
    private long endedNs;
    private boolean stopRequested;
    private boolean forcibleStop;
    private int exitCode = NO_EXIT_CODE;
    private String reason = "";
    private String failure;

    FleetMember(final int serverId, final ShardConnection connection, final String reservation, final long startedNs)
    {
        this.serverId = serverId;
        this.connection = connection;
        this.reservation = reservation;
        this.startedNs = startedNs;
    }

    /**
     * @return the server id of the game server (its id in the shard config).
     */
    public int serverId()
    {
        return serverId;
    }

    /**
     * @return the settings the server was started with.
     */
    public ShardConnection connection()
    {
        return connection;
    }

    /**
     * @return the name of the reservation that keeps this server, or null for an ordinary member.
     */
    public String reservation()
    {
        return reservation;
    }

    void reservation(final String reservation)
    {
        this.reservation = reservation;
    }

    public MemberState state()
    {
        return state;
    }

    void state(final MemberState state)
    {
        this.state = state;
    }

    /**
     * @return when the fleet decided to start it (its clock, ns).
     */
    public long startedNs()
    {
        return startedNs;
    }

    /**
     * @return when it was first seen RUNNING (its clock, ns), 0 before.
     */
    public long runningNs()
    {
        return runningNs;
    }

    void runningNs(final long runningNs)
    {
        this.runningNs = runningNs;
    }

    /**
     * @return from the start decision to the first simulated tick, in ns; -1 if it never ran.
     */
    public long spinUpNs()
    {
        return MemberState.STARTING == state || 0 == runningNs ? -1 : runningNs - startedNs;
    }

    /**
     * @return true once the fleet was asked to stop it (or stopped it for a fault).
     */
    public boolean isStopRequested()
    {
        return stopRequested;
    }

    /**
     * @return when a stop was asked for (its clock, ns), 0 if never.
     */
    public long stopRequestedNs()
    {
        return stopRequestedNs;
    }

    void stopRequested(final long nowNs, final boolean forcibly)
    {
        if (!stopRequested)
        {
            stopRequested = true;
            stopRequestedNs = nowNs;
        }
        forcibleStop |= forcibly;
    }

    /**
     * @return true if it was (also) asked to stop forcibly.
     */
    public boolean isForcibleStop()
    {
        return forcibleStop;
    }

    /**
     * @return when it was seen gone (its clock, ns), 0 before.
     */
    public long endedNs()
    {
        return endedNs;
    }

    /**
     * @return its process's exit code (or the code a game server process would have exited with, in process), or
     * {@link #NO_EXIT_CODE}.
     */
    public int exitCode()
    {
        return exitCode;
    }

    /**
     * @return why it ended or failed, in words; empty while it lives.
     */
    public String reason()
    {
        return reason;
    }

    void ended(final long nowNs, final int exitCode, final String reason)
    {
        this.endedNs = nowNs;
        this.exitCode = exitCode;
        this.reason = reason;
    }

    /**
     * @return the reason the member will be reported FAILED with when it ends (the fleet stopped it for a fault), or
     * null.
     */
    String failure()
    {
        return failure;
    }

    void failure(final String failure)
    {
        this.failure = failure;
    }

    @Override
    public String toString()
    {
        return String.format(Locale.ROOT, "server %d %s%s%s%s", serverId, state,
            null == reservation ? "" : " reserved for " + reservation,
            NO_EXIT_CODE == exitCode ? "" : " exit code " + exitCode,
            reason.isEmpty() ? "" : " (" + reason + ")");
    }
}
