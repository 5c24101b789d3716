/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.fleet;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;

/**
 * Runs a {@link Fleet}'s duty cycle as an Agrona {@link Agent}: each {@link #doWork()} reads the clock once and calls
 * {@link Fleet#doWork(long)}; {@link #onClose()} closes the fleet. Use it where the fleet gets its own runner (or a
 * composite agent with the balancer); the balancer's agent may instead call {@code fleet.doWork(nowNs)} itself.
 * <p>
 * Threading: the runner's thread is the fleet's thread; call the fleet's other methods from that thread only.
 */
public final class FleetAgent implements Agent
{
    private final Fleet fleet;
    private final NanoClock clock;

    /**
     * @param fleet the fleet to run.
     * @param clock the same clock the fleet was given.
     */
    public FleetAgent(final Fleet fleet, final NanoClock clock)
    {
        this.fleet = fleet;
        this.clock = clock;
    }

    @Override
    public int doWork()
    {
        return fleet.doWork(clock.nanoTime());
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
