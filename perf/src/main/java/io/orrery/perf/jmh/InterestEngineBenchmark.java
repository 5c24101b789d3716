/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.perf.jmh;

import java.util.Random;
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
 * Cost of entity updates through interest + SBE encode (+ Aeron IPC offer) as the number of observers grows.
 * <p>
 * World: {@code entities} (default {@value #ENTITIES}) entities of radius 0.5 m at fixed-seed random positions in a
 * {@code worldSideM} (default {@value #WORLD_SIDE_M}) m square (root zone), 16 bytes of component state each;
 * observer {@code i} follows entity {@code i + 1}. Bubble: the {@code InterestConfig} defaults (200 m + 10 x radius,
 * 10 % hysteresis), so an observer sees ~70-110 entities (fewer near the edges; the mean is printed at setup). The
 * world is kept this sparse so that one tick of updates (~92 B each) fits the half-window an Aeron IPC publication
 * with a 64 KiB term offers (16 KiB, 64 KiB / 2 / 2): nothing is throttled and every view entry is updated every
 * tick (with {@code encoding=COMPACT_TIERS}, every tick of its distance tier: far entries every 2nd or 4th tick).
 * <p>
 * The density of issue 17's residence target (the shard command on {@code perf/shards/spread-450.shard}: 500 walking
 * bots, ~140 entities in each view of which ~60 are delivered a pass with tiers): {@code -p entities=500 -p
 * worldSideM=800 -p observers=500 -p encoding=COMPACT_TIERS} (~100 in view, ~55 delivered per observer and tick).
 * <p>
 * Every entity moves every tick: all by the same +/- 0.5 m (alternating), so positions change but distances do not
 * and the views stay constant after the setup has settled them (no spawns or despawns while measuring).
 * <p>
 * One benchmark op = one {@code InterestEngine.tick(nowNs)}: world positions of all entities, spatial index, then
 * per observer view maintenance, candidate query, priority selection, SBE encode of one delta per view entry and,
 * for {@code AERON_IPC}, the offers. Moving the entities and draining the IPC subscription (driver and client duty
 * cycles, poll) happen in an invocation-level setup, outside the measured time. The {@link InterestCounters}
 * secondary results normalise the same time per delivered update ({@code updates}: ns per update).
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
public class InterestEngineBenchmark
{
    static final int ENTITIES = 2_000;
    static final int WORLD_SIDE_M = 1_800;
    static final int STATE_BYTES = 16;
    static final int BUDGET_BYTES_PER_TICK = 1 << 20;
    static final long STEP_MM = 500;

    /**
     * Observers, each following its own entity.
     */
    @Param({ "1", "10", "100", "1000" })
    public int observers;

    /**
     * Encode only, or encode and offer to Aeron IPC.
     */
    @Param({ "AERON_IPC" })
    public String egress;

    /**
     * Update encoding: LEGACY (EntityUpdateBatch, every tick), COMPACT (every tick), COMPACT_TIERS (the default).
     */
    @Param({ "LEGACY", "COMPACT", "COMPACT_TIERS" })
    public String encoding;

    /**
     * Interest workers: 1 ticks every observer on the benchmark thread; more split the observers, workers 1.. on
     * threads of their own (JMH's time is then the tick's wall time, not its CPU: see {@code InterestWorkersProbe}).
     */
    @Param({ "1" })
    public int workers;

    /**
     * Entities in the world (observers follow the first ones: at most this many observers).
     */
    @Param({ "" + ENTITIES })
    public int entities;

    /**
     * Side of the world square in metres.
     */
    @Param({ "" + WORLD_SIDE_M })
    public int worldSideM;

    private InterestRig rig;
    private EntityStore store;
    private long[] baseX;
    private long tickNumber;

    /**
     * Build the world and the rig, then tick until the views are settled (a tick with no spawn or despawn).
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        final int entities = this.entities;
        store = new EntityStore(entities, 64);
        baseX = new long[entities];
        final Random random = new Random(42);
        final UnsafeBuffer state = new UnsafeBuffer(new byte[STATE_BYTES]);
        for (int i = 0; i < entities; i++)
        {
            final int slot = store.create(i + 1, 7, 0, EntityStore.ROOT_ZONE_ID, false);
            final long x = (long)(random.nextDouble() * worldSideM * 1000);
            final long y = (long)(random.nextDouble() * worldSideM * 1000);
            baseX[slot] = x;
            store.position(slot, x, y, 0);
            store.velocity(slot, 1.0f, 0.0f, 0.0f);
            store.radius(slot, 0.5f);
            state.putInt(0, i);
            store.componentState(slot, state, 0, STATE_BYTES);
        }

        final long[] followIds = new long[observers];
        for (int i = 0; i < observers; i++)
        {
            followIds[i] = i + 1;
        }
        rig = new InterestRig(store, followIds, InterestRig.Egress.valueOf(egress), BUDGET_BYTES_PER_TICK, 1024,
            InterestRig.Encoding.valueOf(encoding), workers);

        settle(rig, this::beforeTick, observers);
    }

    /**
     * Untimed: consume the previous tick's messages, then move every entity.
     */
    @Setup(Level.Invocation)
    public void beforeTick()
    {
        rig.drain();
        final long dx = 0 == (++tickNumber & 1) ? 0 : STEP_MM;
        final EntityStore store = this.store;
        for (int slot = 0, n = entities; slot < n; slot++)
        {
            store.position(slot, baseX[slot] + dx, store.positionY(slot), 0);
        }
    }

    /**
     * Print the rig's counters and close it.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        System.out.println();
        System.out.println("[interest] observers=" + observers + " egress=" + egress + " encoding=" + encoding + " workers=" +
            workers + " " +
            rig.describe());
        rig.close();
    }

    /**
     * One tick of the interest engine.
     *
     * @param counters deliveries, for the per-update normalisation.
     * @return the engine's work count.
     */
    @Benchmark
    public int tick(final InterestCounters counters)
    {
        return rig.tick(counters);
    }

    static void settle(final InterestRig rig, final Runnable beforeTick, final int observers)
    {
        final InterestCounters counters = new InterestCounters();
        int quietTicks = 0;
        for (int i = 0; i < 1_000 && quietTicks < 3; i++)
        {
            beforeTick.run();
            counters.reset();
            rig.tick(counters);
            quietTicks = 0 == counters.spawns && 0 == counters.despawns ? quietTicks + 1 : 0;
        }
        beforeTick.run();
        counters.reset();
        final long deferrals = rig.engine().budgetDeferrals();
        rig.tick(counters);
        System.out.println();
        System.out.println("[interest] settled: observers=" + observers + " per tick: updates=" + counters.updates +
            " spawns=" + counters.spawns + " despawns=" + counters.despawns + " budgetDeferrals=" +
            (rig.engine().budgetDeferrals() - deferrals) + " | " + rig.describe());
    }
}
