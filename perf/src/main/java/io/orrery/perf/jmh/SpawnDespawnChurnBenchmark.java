/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.perf.jmh;

import java.util.concurrent.TimeUnit;

import io.orrery.core.replicant.EntityStore;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of spawn/despawn churn: entities that cross the bubble edge, beyond the hysteresis, every tick.
 * <p>
 * World: each observer follows its own stationary anchor entity; anchors sit on a grid {@value #SPACING_M} m apart
 * so bubbles never overlap. Around each anchor {@value #CHURNERS} churners of radius 0.5 m (view distance 205 m,
 * exit beyond 225.5 m) sit on a circle and jump between 150 m (inside) and 300 m (outside) every tick, half of them
 * in phase and half in anti-phase. So after the first tick every observer gets exactly {@value #CHURNERS}/2 spawn
 * snapshots (with 16 B of component state) and {@value #CHURNERS}/2 despawns per tick, and no update (the anchor
 * does not move). Printed at setup and in the counters.
 * <p>
 * One benchmark op = one {@code InterestEngine.tick(nowNs)} (world positions, spatial index with every churner
 * changing cell or not, per observer view maintenance, candidate query, SBE encode and, for {@code AERON_IPC}, the
 * offers). Moving the churners and draining the IPC subscription are untimed (invocation-level setup). The
 * {@link InterestCounters} secondary result {@code delivered} is ns per spawn or despawn message.
 * <p>
 * Threading: one benchmark thread; the media driver (INVOKER mode) runs only inside the untimed drain.
 * <p>
 * Not final: JMH generates subclasses of benchmark classes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = { "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED", "-Xmx2g" })
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SpawnDespawnChurnBenchmark
{
    static final int CHURNERS = 32;
    static final long SPACING_M = 1_000;
    static final long INSIDE_MM = 150_000;
    static final long OUTSIDE_MM = 300_000;
    static final int GRID = 32;
    static final int STATE_BYTES = 16;
    static final int BUDGET_BYTES_PER_TICK = 1 << 20;

    /**
     * Observers, each with its own anchor and churners.
     */
    @Param({ "1", "10", "100", "1000" })
    public int observers;

    /**
     * Encode only, or encode and offer to Aeron IPC.
     */
    @Param({ "AERON_IPC" })
    public String egress;

    private InterestRig rig;
    private EntityStore store;
    private long[] anchorX;
    private long[] anchorY;
    private double[] cos;
    private double[] sin;
    private long tickNumber;

    /**
     * Build the anchors and churners and the rig, then run a few ticks so that the churn is in steady state.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        store = new EntityStore(observers * (CHURNERS + 1), 64);
        anchorX = new long[observers];
        anchorY = new long[observers];
        cos = new double[CHURNERS];
        sin = new double[CHURNERS];
        for (int j = 0; j < CHURNERS; j++)
        {
            cos[j] = Math.cos(2 * Math.PI * j / CHURNERS);
            sin[j] = Math.sin(2 * Math.PI * j / CHURNERS);
        }

        final UnsafeBuffer state = new UnsafeBuffer(new byte[STATE_BYTES]);
        final long[] followIds = new long[observers];
        long entityId = 0;
        for (int o = 0; o < observers; o++)
        {
            anchorX[o] = (o % GRID) * SPACING_M * 1000;
            anchorY[o] = (o / GRID) * SPACING_M * 1000;
            followIds[o] = ++entityId;
            final int anchor = store.create(entityId, 1, 0, EntityStore.ROOT_ZONE_ID, false);
            store.position(anchor, anchorX[o], anchorY[o], 0);
            store.radius(anchor, 0.5f);
            for (int j = 0; j < CHURNERS; j++)
            {
                final int slot = store.create(++entityId, 7, 0, EntityStore.ROOT_ZONE_ID, false);
                store.radius(slot, 0.5f);
                store.velocity(slot, 1.0f, 0.0f, 0.0f);
                state.putInt(0, j);
                store.componentState(slot, state, 0, STATE_BYTES);
            }
        }

        rig = new InterestRig(store, followIds, InterestRig.Egress.valueOf(egress), BUDGET_BYTES_PER_TICK, 1024);

        final InterestCounters counters = new InterestCounters();
        for (int i = 0; i < 10; i++)
        {
            beforeTick();
            counters.reset();
            rig.tick(counters);
        }
        System.out.println();
        System.out.println("[churn] settled: observers=" + observers + " per tick: updates=" + counters.updates +
            " spawns=" + counters.spawns + " despawns=" + counters.despawns + " | " + rig.describe());
    }

    /**
     * Untimed: consume the previous tick's messages, then flip every churner between inside and outside.
     */
    @Setup(Level.Invocation)
    public void beforeTick()
    {
        rig.drain();
        final boolean even = 0 == (++tickNumber & 1);
        final EntityStore store = this.store;
        int slot = 0;
        for (int o = 0; o < observers; o++)
        {
            final long ax = anchorX[o];
            final long ay = anchorY[o];
            slot++;
            for (int j = 0; j < CHURNERS; j++)
            {
                final long r = (0 == (j & 1)) == even ? INSIDE_MM : OUTSIDE_MM;
                store.position(slot, ax + (long)(r * cos[j]), ay + (long)(r * sin[j]), 0);
                slot++;
            }
        }
    }

    /**
     * Print the rig's counters and close it.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        System.out.println();
        System.out.println("[churn] observers=" + observers + " egress=" + egress + " " + rig.describe());
        rig.close();
    }

    /**
     * One tick of the interest engine.
     *
     * @param counters deliveries, for the per-message normalisation.
     * @return the engine's work count.
     */
    @Benchmark
    public int tick(final InterestCounters counters)
    {
        return rig.tick(counters);
    }
}
