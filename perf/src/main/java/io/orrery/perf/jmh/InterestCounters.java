/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.perf.jmh;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What the interest engine delivered during a JMH iteration, added up per tick from the engine's own counters.
 * JMH reports every public field as a secondary result; in average-time mode an {@code OPERATIONS} counter is
 * reported as iteration time divided by the counter, i.e. ns per delivered update, spawn, despawn or message.
 * <p>
 * Threading: one instance per benchmark thread.
 * <p>
 * Not final: JMH generates subclasses of state classes.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class InterestCounters
{
    /**
     * Entity updates delivered (entries of update batches).
     */
    public long updates;

    /**
     * Spawn snapshots delivered.
     */
    public long spawns;

    /**
     * Despawns delivered.
     */
    public long despawns;

    /**
     * Updates + spawns + despawns.
     */
    public long delivered;

    /**
     * Zero the counters at the start of each iteration (JMH does not).
     */
    @Setup(Level.Iteration)
    public void reset()
    {
        updates = 0;
        spawns = 0;
        despawns = 0;
        delivered = 0;
    }

    void add(final long updates, final long spawns, final long despawns)
    {
        this.updates += updates;
        this.spawns += spawns;
        this.despawns += despawns;
        delivered += updates + spawns + despawns;
    }
}
