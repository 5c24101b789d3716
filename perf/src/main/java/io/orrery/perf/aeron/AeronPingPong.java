/*
 * Copyright 2026 The Orrery authors.
 */
package io.orrery.perf.aeron;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import io.aeron.ChannelUri;
import io.aeron.CommonContext;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import org.HdrHistogram.Histogram;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import picocli.CommandLine;

/**
 * The floor: raw Aeron round trips between a ping and a pong over one channel, with an embedded media driver, and
 * nothing of Orrery in the path. Scenario runs report their latency as a ratio to this.
 * <p>
 * Each round trip: ping writes its send time (ns) into the first 8 bytes of a message of
 * {@link Config#messageLength()} bytes and offers it on stream {@link Config#pingStreamId()}; pong echoes it on
 * stream {@link Config#pongStreamId()}; ping records {@code now - sendTime} into a {@link Histogram} (highest
 * trackable value 10 s, 3 significant digits). Warm-up round trips are not recorded. With a rate limit the send
 * time is the <em>intended</em> send time, so a late send counts against the latency (no coordinated omission).
 * <p>
 * Threading: {@link #run(Config)} blocks the calling thread, which is the ping thread. In
 * {@link ThreadingMode#SHARED} mode the driver runs on its own thread and pong on an {@link AgentRunner} thread; in
 * {@link ThreadingMode#INVOKER} mode the calling thread drives the media driver, the client conductor and pong.
 * The measured loop does not allocate. Concurrent runs need distinct UDP ports (each run has its own driver
 * directory).
 */
public final class AeronPingPong
{
    /**
     * Highest value the histogram tracks: 10 s in nanoseconds. Larger values are clamped to it.
     */
    public static final long HIGHEST_TRACKABLE_VALUE_NS = TimeUnit.SECONDS.toNanos(10);

    /**
     * Significant digits of the histogram.
     */
    public static final int SIGNIFICANT_DIGITS = 3;

    private AeronPingPong()
    {
    }

    /**
     * Command line entry point, see {@code --help}.
     *
     * @param args command line arguments.
     */
    public static void main(final String[] args)
    {
        final CommandLine commandLine = new CommandLine(new AeronPingPongCommand())
            .setCaseInsensitiveEnumValuesAllowed(true);
        System.exit(commandLine.execute(args));
    }

    /**
     * Launch an embedded media driver and a client, run the warm-up and the measured round trips, close everything.
     *
     * @param config of the run, not changed.
     * @return the measured round trips.
     */
    public static Result run(final Config config)
    {
        try (PingPongRig rig = PingPongRig.launch(config))
        {
            final Ping ping = rig.ping();
            final Histogram histogram = new Histogram(HIGHEST_TRACKABLE_VALUE_NS, SIGNIFICANT_DIGITS);
            ping.roundTrips(config.warmUpMessages(), histogram);
            histogram.reset();

            final long probeOverhead = -currentThreadAllocatedBytes() + currentThreadAllocatedBytes();
            final long allocatedBefore = currentThreadAllocatedBytes();
            final long startNs = System.nanoTime();
            ping.roundTrips(config.messages(), histogram);
            final long elapsedNs = System.nanoTime() - startNs;
            final long allocatedBytes = allocatedBefore < 0 ?
                -1 : currentThreadAllocatedBytes() - allocatedBefore - probeOverhead;

            return new Result(config, rig.channel(), histogram, elapsedNs, ping.backPressureCount(), allocatedBytes);
        }
    }

    private static long currentThreadAllocatedBytes()
    {
        final java.lang.management.ThreadMXBean threadMXBean = ManagementFactory.getThreadMXBean();
        if (threadMXBean instanceof com.sun.management.ThreadMXBean)
        {
            return ((com.sun.management.ThreadMXBean)threadMXBean).getCurrentThreadAllocatedBytes();
        }

        return -1;
    }

    /**
     * The ping side: sends, waits for the echo, records. No allocation after construction.
     * <p>
     * Threading: the thread that called {@link AeronPingPong#run(Config)}.
     */
    static final class Ping
    {
        private final ExclusivePublication publication;
        private final Subscription pongSubscription;
        private final IdleStrategy idleStrategy;
        private final PongAgent inlinePong;
        private final UnsafeBuffer buffer;
        private final int messageLength;
        private final long intervalNs;
        private final long roundTripTimeoutNs;
        private final FragmentHandler pongHandler = this::onPong;
        private boolean received;
        private long roundTripNs;
        private long backPressureCount;

        Ping(
            final Config config,
            final ExclusivePublication publication,
            final Subscription pongSubscription,
            final IdleStrategy idleStrategy,
            final PongAgent inlinePong)
        {
            this.publication = publication;
            this.pongSubscription = pongSubscription;
            this.idleStrategy = idleStrategy;
            this.inlinePong = inlinePong;
            this.messageLength = config.messageLength();
            this.buffer = new UnsafeBuffer(
                BufferUtil.allocateDirectAligned(BitUtil.align(messageLength, BitUtil.CACHE_LINE_LENGTH),
                BitUtil.CACHE_LINE_LENGTH));
            this.intervalNs = config.ratePerSecond() > 0 ? TimeUnit.SECONDS.toNanos(1) / config.ratePerSecond() : 0;
            this.roundTripTimeoutNs = config.roundTripTimeoutNs();
        }

        void roundTrips(final long count, final Histogram histogram)
        {
            long nextSendNs = System.nanoTime();
            for (long i = 0; i < count; i++)
            {
                final long sendNs;
                if (intervalNs > 0)
                {
                    while (System.nanoTime() < nextSendNs)
                    {
                        idleStrategy.idle(0);
                    }
                    sendNs = nextSendNs;
                    nextSendNs += intervalNs;
                }
                else
                {
                    sendNs = System.nanoTime();
                }

                histogram.recordValue(Math.min(roundTrip(sendNs), HIGHEST_TRACKABLE_VALUE_NS));
            }
        }

        long backPressureCount()
        {
            return backPressureCount;
        }

        /**
         * One round trip: offer a ping stamped with {@code sendNs}, wait for its pong.
         *
         * @param sendNs the send time to stamp, from {@link System#nanoTime()}.
         * @return round trip time in nanoseconds, measured from {@code sendNs}.
         */
        long roundTrip(final long sendNs)
        {
            buffer.putLong(0, sendNs);
            long position;
            idleStrategy.reset();
            while ((position = publication.offer(buffer, 0, messageLength)) < 0)
            {
                if (Publication.CLOSED == position || Publication.MAX_POSITION_EXCEEDED == position)
                {
                    throw new IllegalStateException("ping publication unusable: " + Publication.errorString(position));
                }
                backPressureCount++;
                idleStrategy.idle();
            }

            received = false;
            idleStrategy.reset();
            while (!received)
            {
                int work = null != inlinePong ? inlinePong.doWork() : 0;
                work += pongSubscription.poll(pongHandler, 1);
                if (0 == work)
                {
                    if (System.nanoTime() - sendNs > roundTripTimeoutNs)
                    {
                        throw new IllegalStateException("no pong within " + roundTripTimeoutNs + " ns");
                    }
                    idleStrategy.idle();
                }
            }

            return roundTripNs;
        }

        private void onPong(final DirectBuffer buffer, final int offset, final int length, final Header header)
        {
            roundTripNs = System.nanoTime() - buffer.getLong(offset);
            received = true;
        }
    }

    /**
     * Configuration of a run, with a default for every field. Fluent setters.
     * <p>
     * Threading: not thread safe; do not change it while a run uses it.
     */
    public static final class Config
    {
        /**
         * Default channel.
         */
        public static final String DEFAULT_CHANNEL = "aeron:ipc";

        /**
         * Term length added to the channel when it names none: the 64 KiB minimum, as with many connections.
         */
        public static final String DEFAULT_TERM_LENGTH = "64k";

        private String channel = DEFAULT_CHANNEL;
        private String termLength = DEFAULT_TERM_LENGTH;
        private int pingStreamId = 1001;
        private int pongStreamId = 1002;
        private int messageLength = 64;
        private long warmUpMessages = 50_000;
        private long messages = 200_000;
        private long ratePerSecond = 0;
        private ThreadingMode threadingMode = ThreadingMode.SHARED;
        private IdleMode driverIdle = IdleMode.YIELD;
        private IdleMode appIdle = IdleMode.YIELD;
        private String aeronDirectoryName;
        private long roundTripTimeoutNs = TimeUnit.SECONDS.toNanos(10);

        /**
         * Channel of both streams, {@code aeron:ipc} or {@code aeron:udp?endpoint=localhost:PORT}.
         *
         * @return channel of both streams.
         */
        public String channel()
        {
            return channel;
        }

        /**
         * Channel of both streams.
         *
         * @param channel {@code aeron:ipc} or {@code aeron:udp?endpoint=localhost:PORT}, optionally with parameters.
         * @return this for a fluent API.
         */
        public Config channel(final String channel)
        {
            this.channel = channel;
            return this;
        }

        /**
         * Term length put into the channel when it does not name one.
         *
         * @return term length as a channel parameter value, e.g. {@code 64k}.
         */
        public String termLength()
        {
            return termLength;
        }

        /**
         * Term length put into the channel when it does not name one.
         *
         * @param termLength as a channel parameter value, e.g. {@code 64k}.
         * @return this for a fluent API.
         */
        public Config termLength(final String termLength)
        {
            this.termLength = termLength;
            return this;
        }

        /**
         * Stream id of pings.
         *
         * @return stream id of pings.
         */
        public int pingStreamId()
        {
            return pingStreamId;
        }

        /**
         * Stream id of pings.
         *
         * @param pingStreamId stream id of pings.
         * @return this for a fluent API.
         */
        public Config pingStreamId(final int pingStreamId)
        {
            this.pingStreamId = pingStreamId;
            return this;
        }

        /**
         * Stream id of pongs.
         *
         * @return stream id of pongs.
         */
        public int pongStreamId()
        {
            return pongStreamId;
        }

        /**
         * Stream id of pongs.
         *
         * @param pongStreamId stream id of pongs.
         * @return this for a fluent API.
         */
        public Config pongStreamId(final int pongStreamId)
        {
            this.pongStreamId = pongStreamId;
            return this;
        }

        /**
         * Message length in bytes, at least 8.
         *
         * @return message length in bytes.
         */
        public int messageLength()
        {
            return messageLength;
        }

        /**
         * Message length in bytes, at least 8 (the send time).
         *
         * @param messageLength in bytes.
         * @return this for a fluent API.
         */
        public Config messageLength(final int messageLength)
        {
            this.messageLength = messageLength;
            return this;
        }

        /**
         * Round trips before the measurement, not recorded.
         *
         * @return warm-up round trips.
         */
        public long warmUpMessages()
        {
            return warmUpMessages;
        }

        /**
         * Round trips before the measurement, not recorded.
         *
         * @param warmUpMessages round trips, at least 0.
         * @return this for a fluent API.
         */
        public Config warmUpMessages(final long warmUpMessages)
        {
            this.warmUpMessages = warmUpMessages;
            return this;
        }

        /**
         * Measured round trips.
         *
         * @return measured round trips.
         */
        public long messages()
        {
            return messages;
        }

        /**
         * Measured round trips.
         *
         * @param messages round trips, at least 1.
         * @return this for a fluent API.
         */
        public Config messages(final long messages)
        {
            this.messages = messages;
            return this;
        }

        /**
         * Round trips started per second, or 0 for back to back.
         *
         * @return round trips per second, 0 for back to back.
         */
        public long ratePerSecond()
        {
            return ratePerSecond;
        }

        /**
         * Round trips started per second, or 0 for back to back.
         *
         * @param ratePerSecond round trips per second, 0 for back to back.
         * @return this for a fluent API.
         */
        public Config ratePerSecond(final long ratePerSecond)
        {
            this.ratePerSecond = ratePerSecond;
            return this;
        }

        /**
         * Threading mode of the media driver: {@link ThreadingMode#SHARED} or {@link ThreadingMode#INVOKER}.
         *
         * @return threading mode of the media driver.
         */
        public ThreadingMode threadingMode()
        {
            return threadingMode;
        }

        /**
         * Threading mode of the media driver: {@link ThreadingMode#SHARED} or {@link ThreadingMode#INVOKER}.
         *
         * @param threadingMode of the media driver.
         * @return this for a fluent API.
         */
        public Config threadingMode(final ThreadingMode threadingMode)
        {
            this.threadingMode = threadingMode;
            return this;
        }

        /**
         * Idle strategy of the driver's shared thread (not used in INVOKER mode).
         *
         * @return idle strategy of the driver's shared thread.
         */
        public IdleMode driverIdle()
        {
            return driverIdle;
        }

        /**
         * Idle strategy of the driver's shared thread (not used in INVOKER mode).
         *
         * @param driverIdle idle strategy of the driver's shared thread.
         * @return this for a fluent API.
         */
        public Config driverIdle(final IdleMode driverIdle)
        {
            this.driverIdle = driverIdle;
            return this;
        }

        /**
         * Idle strategy of the ping and pong threads while they wait.
         *
         * @return idle strategy of the ping and pong threads.
         */
        public IdleMode appIdle()
        {
            return appIdle;
        }

        /**
         * Idle strategy of the ping and pong threads while they wait. On 2 cores keep the default YIELD in SHARED
         * mode: ping and pong spinning next to the driver's thread are three hot threads, and a UDP run measured
         * with SPIN had a median round trip of 6.3 ms instead of 10 µs. SPIN suits INVOKER mode (one hot thread).
         *
         * @param appIdle idle strategy of the ping and pong threads.
         * @return this for a fluent API.
         */
        public Config appIdle(final IdleMode appIdle)
        {
            this.appIdle = appIdle;
            return this;
        }

        /**
         * Aeron directory of the embedded driver, or null for a new random one under the platform default
         * ({@code /dev/shm} on Linux). Deleted on start and on close.
         *
         * @return Aeron directory, or null for a random one.
         */
        public String aeronDirectoryName()
        {
            return aeronDirectoryName;
        }

        /**
         * Aeron directory of the embedded driver, or null for a new random one. Deleted on start and on close.
         *
         * @param aeronDirectoryName Aeron directory, or null for a random one.
         * @return this for a fluent API.
         */
        public Config aeronDirectoryName(final String aeronDirectoryName)
        {
            this.aeronDirectoryName = aeronDirectoryName;
            return this;
        }

        /**
         * A round trip taking longer than this fails the run.
         *
         * @return round trip timeout in nanoseconds.
         */
        public long roundTripTimeoutNs()
        {
            return roundTripTimeoutNs;
        }

        /**
         * A round trip taking longer than this fails the run.
         *
         * @param roundTripTimeoutNs round trip timeout in nanoseconds.
         * @return this for a fluent API.
         */
        public Config roundTripTimeoutNs(final long roundTripTimeoutNs)
        {
            this.roundTripTimeoutNs = roundTripTimeoutNs;
            return this;
        }

        /**
         * The channel as used: {@link #channel()} with {@code term-length} added when absent.
         *
         * @return the channel as used.
         */
        public String resolvedChannel()
        {
            final ChannelUri channelUri = ChannelUri.parse(channel);
            if (null == channelUri.get(CommonContext.TERM_LENGTH_PARAM_NAME) && null != termLength)
            {
                channelUri.put(CommonContext.TERM_LENGTH_PARAM_NAME, termLength);
            }

            return channelUri.toString();
        }

        /**
         * Check the fields make sense together.
         *
         * @throws IllegalArgumentException when they do not.
         */
        public void validate()
        {
            if (messageLength < BitUtil.SIZE_OF_LONG)
            {
                throw new IllegalArgumentException("messageLength must be >= 8: " + messageLength);
            }
            if (messages < 1 || warmUpMessages < 0 || ratePerSecond < 0)
            {
                throw new IllegalArgumentException(
                    "need messages >= 1, warmUpMessages >= 0, ratePerSecond >= 0: " + this);
            }
            if (ThreadingMode.SHARED != threadingMode && ThreadingMode.INVOKER != threadingMode)
            {
                throw new IllegalArgumentException("threadingMode must be SHARED or INVOKER: " + threadingMode);
            }
            if (pingStreamId == pongStreamId)
            {
                throw new IllegalArgumentException("ping and pong need distinct stream ids: " + pingStreamId);
            }
        }

        /**
         * {@inheritDoc}
         */
        @Override
        public String toString()
        {
            return "channel=" + resolvedChannel() +
                " messageLength=" + messageLength +
                " warmUp=" + warmUpMessages +
                " messages=" + messages +
                " rate=" + (0 == ratePerSecond ? "back-to-back" : ratePerSecond + "/s") +
                " threadingMode=" + threadingMode +
                " driverIdle=" + (ThreadingMode.INVOKER == threadingMode ? "n/a" : driverIdle) +
                " appIdle=" + appIdle;
        }
    }

    /**
     * Outcome of one run: the histogram of round trips in nanoseconds, and summary figures in microseconds.
     * <p>
     * Threading: immutable once returned, except that the histogram is the caller's to use.
     */
    public static final class Result
    {
        private final Config config;
        private final String channel;
        private final Histogram histogram;
        private final long elapsedNs;
        private final long backPressureCount;
        private final long pingThreadAllocatedBytes;

        Result(
            final Config config,
            final String channel,
            final Histogram histogram,
            final long elapsedNs,
            final long backPressureCount,
            final long pingThreadAllocatedBytes)
        {
            this.pingThreadAllocatedBytes = pingThreadAllocatedBytes;
            this.config = config;
            this.channel = channel;
            this.histogram = histogram;
            this.elapsedNs = elapsedNs;
            this.backPressureCount = backPressureCount;
        }

        /**
         * Round trip times in nanoseconds.
         *
         * @return the histogram of measured round trips, in nanoseconds.
         */
        public Histogram histogram()
        {
            return histogram;
        }

        /**
         * The channel as used.
         *
         * @return the channel as used.
         */
        public String channel()
        {
            return channel;
        }

        /**
         * The configuration of the run.
         *
         * @return the configuration of the run.
         */
        public Config config()
        {
            return config;
        }

        /**
         * Measured round trips.
         *
         * @return measured round trips.
         */
        public long count()
        {
            return histogram.getTotalCount();
        }

        /**
         * Wall time of the measured round trips.
         *
         * @return wall time in nanoseconds.
         */
        public long elapsedNs()
        {
            return elapsedNs;
        }

        /**
         * Offers of ping refused and retried during the run.
         *
         * @return refused ping offers.
         */
        public long backPressureCount()
        {
            return backPressureCount;
        }

        /**
         * Bytes the ping thread allocated during the measured round trips (-1 if the JVM cannot tell), less what
         * reading the counter allocates. 0 in steady state in SHARED mode; the first run in a JVM may show a few KB
         * once (JIT deoptimisation re-materialises objects on the thread). In INVOKER mode it includes what the media
         * driver and client conductor allocate on that thread.
         *
         * @return bytes allocated by the ping thread while measuring.
         */
        public long pingThreadAllocatedBytes()
        {
            return pingThreadAllocatedBytes;
        }

        /**
         * Round trip time at a percentile, in microseconds.
         *
         * @param percentile from 0 to 100.
         * @return round trip time in microseconds.
         */
        public double valueAtPercentileUs(final double percentile)
        {
            return histogram.getValueAtPercentile(percentile) / 1000.0;
        }

        /**
         * Maximum round trip time, in microseconds.
         *
         * @return maximum round trip time in microseconds.
         */
        public double maxUs()
        {
            return histogram.getMaxValue() / 1000.0;
        }

        /**
         * One line: count, p50, p90, p99, p99.9 and max in microseconds.
         *
         * @return summary line.
         */
        public String summary()
        {
            return String.format(Locale.ROOT,
                "count=%d p50=%.2f p90=%.2f p99=%.2f p99.9=%.2f max=%.2f us (round trip) elapsed=%.2f s " +
                "pingAllocated=%d B",
                count(),
                valueAtPercentileUs(50),
                valueAtPercentileUs(90),
                valueAtPercentileUs(99),
                valueAtPercentileUs(99.9),
                maxUs(),
                elapsedNs / 1e9,
                pingThreadAllocatedBytes);
        }

        /**
         * {@inheritDoc}
         */
        @Override
        public String toString()
        {
            return summary();
        }
    }
}
