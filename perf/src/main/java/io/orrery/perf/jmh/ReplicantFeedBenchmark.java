/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.perf.jmh;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.orrery.core.replicant.EntityStore;
import io.orrery.core.replicant.ReplicantFeedProxy;
import io.orrery.core.replicant.ReplicantOwnership;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of one pass of the primary Replicant's state feed ({@link ReplicantFeedProxy#feed(long)}) to one secondary,
 * in a store of the layer's default capacity ({@value #CAPACITY} slots) holding {@link #entities} entities, two
 * Replicants split at x = 0.
 * <ul>
 *   <li>{@code quietPass}: nothing changed since the last pass: the cost of finding that out (and the pass end).</li>
 *   <li>{@code churnPass}: {@link #moved} entities moved and {@link #churned} removed and as many created per
 *   pass, the ownership rule run, then the feed.</li>
 * </ul>
 * One op = the world's changes (churn only), the ownership rule (churn only), {@code feed(nowNs)} and draining the
 * ring with a no-op reader (so that it never fills; the secondary's apply is not measured here).
 * <p>
 * Threading: one benchmark thread. Not final: JMH generates subclasses of benchmark classes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = { "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED", "-Xmx1g" })
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ReplicantFeedBenchmark
{
    static final int CAPACITY = 128 * 1024;
    static final long HALF_EXTENT_MM = 1_000_000;
    static final int STATE_BYTES = 16;

    /**
     * Entities in the store.
     */
    @Param({ "10000" })
    public int entities;

    /**
     * Entities moved per pass ({@code churnPass}).
     */
    @Param({ "100" })
    public int moved;

    /**
     * Entities removed, and as many created, per pass ({@code churnPass}).
     */
    @Param({ "10" })
    public int churned;

    private EntityStore store;
    private ReplicantOwnership ownership;
    private ReplicantFeedProxy feed;
    private RingBuffer ring;
    private SplittableRandom random;
    private long[] ids;
    private long nextId;
    private long nowNs;
    private final MessageHandler drain = (msgTypeId, buffer, index, length) -> {};
    private final UnsafeBuffer state = new UnsafeBuffer(new byte[STATE_BYTES]);

    /**
     * Fill the store and feed it once, so every entity has been fed.
     */
    @Setup
    public void setup()
    {
        store = new EntityStore(CAPACITY, 64);
        ownership = new ReplicantOwnership(new double[]{ 0 }, 10);
        ring = new OneToOneRingBuffer(new UnsafeBuffer(
            ByteBuffer.allocateDirect(64 * 1024 * 1024 + RingBufferDescriptor.TRAILER_LENGTH)));
        feed = new ReplicantFeedProxy(store, new RingBuffer[]{ ring });
        random = new SplittableRandom(7);
        ids = new long[entities];
        for (int i = 0; i < entities; i++)
        {
            ids[i] = ++nextId;
            create(ids[i]);
        }
        ownership.assign(store);
        pass();
    }

    @Benchmark
    public int quietPass()
    {
        return pass();
    }

    @Benchmark
    public int churnPass()
    {
        final EntityStore store = this.store;
        for (int i = 0; i < moved; i++)
        {
            final int slot = store.slotOf(ids[random.nextInt(entities)]);
            store.position(slot, store.positionX(slot) + random.nextInt(-2000, 2001),
                store.positionY(slot) + random.nextInt(-2000, 2001), 0);
        }
        for (int i = 0; i < churned; i++)
        {
            final int index = random.nextInt(entities);
            store.remove(ids[index]);
            ids[index] = ++nextId;
            create(ids[index]);
        }
        ownership.assign(store);
        return pass();
    }

    private int pass()
    {
        final int written = feed.feed(nowNs += 33_000_000);
        while (ring.read(drain, Integer.MAX_VALUE) > 0)
        {
            // the ring's read stops at the end of its buffer: read again after a wrap
        }
        return written;
    }

    private void create(final long id)
    {
        final int slot = store.create(id, 1, 0, 0, false);
        store.position(slot, random.nextLong(-HALF_EXTENT_MM, HALF_EXTENT_MM),
            random.nextLong(-HALF_EXTENT_MM, HALF_EXTENT_MM), 0);
        store.radius(slot, 0.5f);
        store.componentState(slot, state, 0, STATE_BYTES);
    }
}
