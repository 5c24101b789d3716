/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.fleet;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;

/**
 * Runs a {@link Fleet}'s duty cycle as an Agrona {@link Agent}: each {@link #doWork()} applies the requests of dynamic
 * meshing recorded since the last cycle (when built with {@link FleetRequests}), reads the clock once and calls
 * {@link Fleet#doWork(long)}; {@link #onClose()} closes the fleet. Use it where the fleet gets its own runner (or a
 * composite agent with the balancer); the balancer's agent may instead call {@code fleet.doWork(nowNs)} itself.
 * <p>
 * Threading: the runner's thread is the fleet's thread; call the fleet's other methods from that thread only.
 */
public final class FleetAgent implements Agent
{
    private final Fleet fleet;
    private final NanoClock clock;
    private final FleetRequests requests;

    /**
     * @param fleet the fleet to run.
     * @param clock the same clock the fleet was given.
     */
    public FleetAgent(final Fleet fleet, final NanoClock clock)
    {
        this(fleet, clock, null);
    }

    /**
     * @param fleet    the fleet to run.
     * @param clock    the same clock the fleet was given.
     * @param requests the requests of dynamic meshing this agent applies to the fleet, or null.
     */
    public FleetAgent(final Fleet fleet, final NanoClock clock, final FleetRequests requests)
    {
        this.fleet = fleet;
        this.clock = clock;
        this.requests = requests;
    }

    @Override
    public int doWork()
    {
        final int work = null == requests ? 0 : requests.drain(fleet);
        return work + fleet.doWork(clock.nanoTime());
    }

    @Override
    public void onClose()
    {
        fleet.close();
    }

    @Override
    public String roleName()
    {
        return "orrery-fleet";
    }
}
