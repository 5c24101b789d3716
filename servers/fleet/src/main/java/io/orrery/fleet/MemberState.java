/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.fleet;

/**
 * Where a member of a {@link Fleet} is in its life. A member moves forward only: STARTING, then RUNNING, then
 * STOPPING, then STOPPED; FAILED can follow any state but STOPPED.
 */
public enum MemberState
{
    /**
     * Asked to start (the decision is taken, the process or thread is being brought up), not yet simulating.
     */
    STARTING,

    /**
     * Welcomed by the shard's layer and simulating: its first tick ran (seen by an in-process fleet, reported on the
     * output of a child process).
     */
    RUNNING,

    /**
     * Asked to stop; not yet gone.
     */
    STOPPING,

    /**
     * Gone after a stop the fleet asked for (gracefully with exit code 0, or forcibly).
     */
    STOPPED,

    /**
     * Gone without being asked (it exited on its own, was refused by the shard, lost its layer, did not start within
     * the policy's start timeout), or a graceful stop ended with a non-zero exit code: see
     * {@link FleetMember#exitCode()} and {@link FleetMember#reason()}.
     */
    FAILED;

    /**
     * @return true for STOPPED and FAILED: the member holds no process or thread any more.
     */
    public boolean isTerminal()
    {
        return STOPPED == this || FAILED == this;
    }

    /**
     * @return true for STARTING and RUNNING: the member counts toward the policy's minimum.
     */
    public boolean isUp()
    {
        return STARTING == this || RUNNING == this;
    }
}
