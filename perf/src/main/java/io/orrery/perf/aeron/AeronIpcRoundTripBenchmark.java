/*
 * Copyright 2026 The Orrery authors.
 */
package io.orrery.perf.aeron;

import java.util.concurrent.TimeUnit;

import io.aeron.driver.ThreadingMode;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH view of the raw Aeron floor: one IPC round trip (ping offer, pong echo, ping poll) per invocation, through the
 * same {@link PingPongRig} as {@link AeronPingPong}. Sample time mode gives percentiles next to the mean.
 * <p>
 * Threading: one benchmark thread (the ping); pong runs on its own thread in SHARED mode, inside the ping's waits in
 * INVOKER mode. Never run it with more benchmark threads.
 * <p>
 * Not final: JMH generates subclasses of benchmark classes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = { "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED" })
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class AeronIpcRoundTripBenchmark
{
    /**
     * Driver threading mode: SHARED (driver thread + pong thread) or INVOKER (all on the benchmark thread).
     */
    @Param({ "SHARED", "INVOKER" })
    public String threadingMode;

    /**
     * Message length in bytes.
     */
    @Param({ "64" })
    public int messageLength;

    private PingPongRig rig;
    private AeronPingPong.Ping ping;

    /**
     * Launch the driver, client and pong for the whole trial.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        final ThreadingMode mode = ThreadingMode.valueOf(threadingMode);
        // INVOKER has a single hot thread, so it may spin; SHARED has ping, pong and driver: they must yield.
        rig = PingPongRig.launch(new AeronPingPong.Config()
            .channel("aeron:ipc")
            .messageLength(messageLength)
            .threadingMode(mode)
            .appIdle(ThreadingMode.INVOKER == mode ? IdleMode.SPIN : IdleMode.YIELD));
        ping = rig.ping();
    }

    /**
     * Close the rig; the driver deletes its directory.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        rig.close();
    }

    /**
     * One round trip.
     *
     * @return round trip time as the ping measured it, in nanoseconds (consumed by JMH).
     */
    @Benchmark
    public long roundTrip()
    {
        return ping.roundTrip(System.nanoTime());
    }
}
