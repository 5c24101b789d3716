/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.hostile;

import io.aeron.Aeron;
import io.aeron.CommonContext;
import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.driver.status.ReceiverHwm;
import io.aeron.driver.status.StreamCounter;
import io.aeron.driver.status.SystemCounterDescriptor;
import io.orrery.core.client.ClientSession;
import io.orrery.core.hostile.ClientIngressHostilePeerTest.Rig;
import io.orrery.core.ingress.StreamSessionLimits;
import io.orrery.core.status.OrreryCounter;
import io.orrery.test.AllocationMeter;
import org.HdrHistogram.Histogram;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentInvoker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The Gateway rejects unbound client ingress images without ever waiting for the media driver, and the layer's media
 * driver drops a rejected image sooner (image liveness 5 s by default instead of Aeron's 10 s) while legitimate
 * clients keep theirs. Real media drivers: one the test can hold (INVOKER mode, invoked by a thread of the test that
 * stops on request: a driver that does not answer), or the layer's embedded one. The layer runs in INVOKER mode on a
 * controlled clock; conditions are awaited with wall-clock deadlines; durations are printed, never asserted.
 */
@Tag("system")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClientIngressImageRejecterTest
{
    private static final long STEP_NS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(30);

    private static final java.lang.management.ThreadMXBean THREADS =
        java.lang.management.ManagementFactory.getThreadMXBean();

    private HeldDriver driver;
    private Rig rig;
    private long lastRealNs;
    private long pacedSinceClockNs;
    private long pacedSinceRealNs;
    private LegitWatch watch;

    @AfterEach
    void after()
    {
        if (null != driver)
        {
            driver.release();
        }
        CloseHelper.quietClose(rig);
        CloseHelper.quietClose(driver);
    }

    @Test
    void shouldRejectUnboundImagesWhileTheMediaDriverIsHeldAndAllocateNothingWhileTheRejectionsWait()
    {
        final int strangers = 8;
        final long timeoutNs = TimeUnit.SECONDS.toNanos(5);
        driver = new HeldDriver(64);
        rig = new Rig((ctx) -> ctx.aeronDirectoryName(driver.directory()).gateway().unboundImageTimeoutNs(timeoutNs),
            true);
        final String ingressChannel = rig.layer.context().clientIngressChannel();
        final List<ExclusivePublication> publications = new ArrayList<>();
        for (int i = 0; i < strangers; i++)
        {
            publications.add(rig.attackerPublication(ingressChannel));
        }
        runUntil(() -> strangers == rig.layer.gateway().unboundImageCount(), "strangers' images tracked");

        // the driver stops: it reads no command and answers none; Image.reject would now wait (holding the Aeron
        // client's lock) until the driver timeout, 10 s, and then throw
        driver.hold();
        long longestNs = 0;
        long steps = 0;
        while (strangers != rig.counter(OrreryCounter.CLIENT_INGRESS_IMAGES_UNBOUND_REJECTED))
        {
            longestNs = Math.max(longestNs, timedLayerStep());
            assertTrue(++steps < 2 * timeoutNs / STEP_NS, "the strangers' images due past the timeout");
        }
        assertEquals(0, driverCounter(SystemCounterDescriptor.IMAGES_REJECTED), "the driver has rejected nothing yet");
        System.out.println("driver held: " + strangers + " rejections sent without an answer over " + steps +
            " layer duty cycles, the longest " + TimeUnit.NANOSECONDS.toMicros(longestNs) + " us");

        // passes over the rejected images, their commands waiting in the driver's ring: nothing allocated
        long bytes = -1;
        for (int round = 1; round <= 4 && 0 != bytes; round++)
        {
            final long before = AllocationMeter.threadAllocatedBytes();
            for (int i = 0; i < 20; i++)
            {
                timedLayerStep();
            }
            bytes = AllocationMeter.threadAllocatedBytes() - before;
            System.out.println("round " + round + ": " + bytes + " bytes allocated by 20 layer duty cycles with " +
                strangers + " rejections waiting for the held driver");
        }
        assertEquals(0, bytes, "bytes allocated by the layer's duty cycles");
        assertEquals(strangers, rig.counter(OrreryCounter.CLIENT_INGRESS_IMAGES_UNBOUND_REJECTED), "sent once each");
        assertEquals(0, rig.counter(OrreryCounter.CLIENT_INGRESS_IMAGE_REJECTIONS_DEFERRED));

        // the driver resumes: it reads the commands and rejects the images, whose publishers lose their connection
        driver.release();
        rig.await(() -> strangers == driverCounter(SystemCounterDescriptor.IMAGES_REJECTED), "the driver rejecting");
        rig.await(() -> publications.stream().noneMatch(ExclusivePublication::isConnected),
            "the strangers' publications told they were rejected");
        final String errors = driverErrorLog(); // the strangers' publications (same driver) warn of the error frames
        assertFalse(errors.contains("Unable to resolve image"), errors);
        assertTrue(errors.contains("errorMessage=no session and no hello for 5000 ms"), errors);

        final List<ClientSession> legit = rig.connectLegit(2);
        rig.assertLegitServed(legit);
    }

    @Test
    void shouldKeepTheLayersDutyCycleAsShortWhileRejecting64ImagesAsWithoutStrangers()
    {
        final int strangers = 64;
        final long timeoutNs = TimeUnit.SECONDS.toNanos(2);
        rig = new Rig((ctx) -> ctx.gateway().unboundImageTimeoutNs(timeoutNs), true);
        final List<ClientSession> legit = rig.connectLegit(2);
        watch = new LegitWatch(legit);
        pacedSinceClockNs = rig.clock.nanoTime();
        pacedSinceRealNs = System.nanoTime();
        final Histogram idle = new Histogram(3);
        final Histogram tracking = new Histogram(3);
        final Histogram rejecting = new Histogram(3);
        final Histogram rejectingAgain = new Histogram(3);

        // 1 ms of layer clock per duty cycle, housekeeping (and the unbound images' pass) every 50 of them; the clock
        // never ahead of real time (see step)
        final long stepNs = TimeUnit.MILLISECONDS.toNanos(1);
        stepFor(TimeUnit.SECONDS.toNanos(3), stepNs, idle); // warm-up
        idle.reset();
        stepFor(TimeUnit.SECONDS.toNanos(1), stepNs, idle);
        watch.phase("warm-up and no stranger");

        final String ingressChannel = rig.layer.context().clientIngressChannel();
        for (int i = 0; i < strangers; i++)
        {
            rig.attackerPublication(ingressChannel);
        }
        runUntil(() -> strangers == rig.layer.gateway().unboundImageCount(), "strangers' images tracked");
        watch.phase("strangers connecting");
        stepFor(timeoutNs - TimeUnit.MILLISECONDS.toNanos(200), stepNs, tracking);
        watch.phase("strangers tracked");
        assertEquals(0, rig.counter(OrreryCounter.CLIENT_INGRESS_IMAGES_UNBOUND_REJECTED), "none due yet");

        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        while (strangers != rig.counter(OrreryCounter.CLIENT_INGRESS_IMAGES_UNBOUND_REJECTED))
        {
            step(stepNs, rejecting);
            assertTrue(System.nanoTime() < deadlineNs, "the strangers' images rejected");
        }
        stepFor(TimeUnit.SECONDS.toNanos(1), stepNs, rejecting);
        watch.phase("strangers rejected");

        // the strangers' publications are still open: each gets a new image once the driver dropped the rejected one
        // (image liveness 5 s after its last frame, then ~1 s of cool-down), rejected again 2 s later; the layer's
        // clock follows real time here (the driver's timers run on it), the code paths are warm
        final long againDeadlineNs = System.nanoTime() + DEADLINE_NS;
        lastRealNs = System.nanoTime();
        while (2 * strangers != rig.counter(OrreryCounter.CLIENT_INGRESS_IMAGES_UNBOUND_REJECTED))
        {
            final long realNs = System.nanoTime();
            step(Math.min(STEP_NS, realNs - lastRealNs), rejectingAgain);
            lastRealNs = realNs;
            assertTrue(realNs < againDeadlineNs, "the strangers back and rejected again: " +
                rig.counter(OrreryCounter.CLIENT_INGRESS_IMAGES_UNBOUND_REJECTED));
        }

        watch.phase("strangers back, rejected again");
        print("no stranger             ", idle);
        print(strangers + " unbound tracked     ", tracking);
        print(strangers + " rejected            ", rejecting);
        print(strangers + " back, rejected again", rejectingAgain);
        System.out.println(watch);
        assertEquals(0, rig.counter(OrreryCounter.CLIENT_INGRESS_IMAGE_REJECTIONS_DEFERRED));
        rig.assertLegitServed(legit);
    }

    @Test
    void shouldKeepTheImagesOfLegitimateClientsAcrossARunUnderTheShorterImageLivenessTimeout()
    {
        assertEquals(TimeUnit.SECONDS.toNanos(5), StreamSessionLimits.imageLivenessTimeoutNs(),
            "the layer's embedded driver: 5 s unless " + StreamSessionLimits.IMAGE_LIVENESS_AERON_PROP + " is set");
        rig = new Rig((ctx) -> {}, true);
        final List<ClientSession> legit = rig.connectLegit(4);
        watch = new LegitWatch(legit);
        final int streamId = rig.layer.context().clientIngressStreamId();
        final TreeSet<Integer> imagesBefore = ingressImageCounterIds(streamId);
        assertEquals(4, imagesBefore.size(), "an image per client");

        // 15 s of real time, three times the image liveness timeout: two clients send input every 100 ms, two never do
        // (their publications only heartbeat); the layer's clock follows real time
        final long endNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        long nextInputNs = 0;
        lastRealNs = System.nanoTime();
        while (System.nanoTime() < endNs)
        {
            if (System.nanoTime() >= nextInputNs)
            {
                legit.get(0).sendInput(1, 0, 0, 0, 0, 0, rig.clock.nanoTime());
                legit.get(1).sendInput(1, 0, 0, 0, 0, 0, rig.clock.nanoTime());
                nextInputNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
            }
            runOnce();
        }

        System.out.println(watch);
        assertEquals(imagesBefore, ingressImageCounterIds(streamId), "the same four images, none timed out");
        assertEquals(0, rig.counter(OrreryCounter.SESSIONS_TIMED_OUT));
        assertEquals(0, rig.counter(OrreryCounter.CLIENT_INGRESS_IMAGES_UNBOUND_REJECTED));
        for (final ClientSession session : legit)
        {
            assertTrue(session.isConnected());
            assertEquals(0, session.hellosLost() + session.resumesStarted());
        }
        rig.assertLegitServed(legit);
    }

    /**
     * How long a stranger holding its publication open keeps one of the stream's sessions per cycle: unbound for the
     * timeout, then rejected but still counted for the driver's image liveness timeout (5 s by default, Aeron's 10 s
     * before), then ~1 s of cool-down in which a waiting client takes the session, then a new image, unbound again.
     */
    @Test
    void shouldLetAWaitingClientInAboutTheImageLivenessTimeoutAfterTheStrangersFillingTheLimitAreRejected()
    {
        final int limit = 4;
        final long timeoutNs = TimeUnit.SECONDS.toNanos(1);
        final long livenessNs = StreamSessionLimits.imageLivenessTimeoutNs();
        rig = new Rig((ctx) -> ctx.streamSessionLimit(limit).gateway().unboundImageTimeoutNs(timeoutNs), true);
        final String ingressChannel = rig.layer.context().clientIngressChannel();
        final List<ExclusivePublication> strangers = new ArrayList<>();
        for (int i = 0; i < limit; i++)
        {
            strangers.add(rig.attackerPublication(ingressChannel));
        }
        // a newcomer's publication: its SETUPs are refused while the strangers hold the limit, resent every 100 ms
        final ExclusivePublication newcomer = rig.clientAeron.addExclusivePublication(
            ingressChannel, rig.layer.context().clientIngressStreamId());
        runUntil(() -> limit == rig.counter(OrreryCounter.CLIENT_INGRESS_IMAGES_UNBOUND_REJECTED), "rejected");
        final long rejectedAtNs = System.nanoTime();
        assertFalse(newcomer.isConnected(), "the strangers held every session");

        runUntil(newcomer::isConnected, "the newcomer's image once a rejected one left the limit");
        final long welcomedAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - rejectedAtNs);
        runUntil(() -> strangers.stream().noneMatch(ExclusivePublication::isConnected), "strangers told");
        runUntil(() -> strangers.stream().anyMatch(ExclusivePublication::isConnected),
            "a stranger's open publication back with a new image");
        final long cycleMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - rejectedAtNs);
        System.out.println("image liveness " + TimeUnit.NANOSECONDS.toMillis(livenessNs) + " ms, unbound timeout " +
            TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms: a newcomer's publication connected " + welcomedAfterMs +
             " ms after the strangers' rejection, a stranger back with a new image " + cycleMs + " ms after it");
        assertTrue(welcomedAfterMs >= TimeUnit.NANOSECONDS.toMillis(livenessNs) - 500,
            "not before the driver dropped a rejected image: " + welcomedAfterMs + " ms");
        assertEquals(0, rig.counter(OrreryCounter.CLIENT_INGRESS_IMAGE_REJECTIONS_DEFERRED));
        newcomer.close();
    }

    private void print(final String phase, final Histogram histogram)
    {
        System.out.println("layer duty cycle, " + phase + ": " + histogram.getTotalCount() + " cycles, p50 " +
            histogram.getValueAtPercentile(50) / 1000 + " us, p99 " + histogram.getValueAtPercentile(99) / 1000 +
            " us, p99.9 " + histogram.getValueAtPercentile(99.9) / 1000 + " us, max " + histogram.getMaxValue() / 1000 +
            " us");
    }

    private String driverErrorLog()
    {
        final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        rig.clientAeron.context().saveErrorLog(
            new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    private void stepFor(final long durationNs, final long stepNs, final Histogram histogram)
    {
        final long endNs = rig.clock.nanoTime() + durationNs;
        while (rig.clock.nanoTime() < endNs)
        {
            step(stepNs, histogram);
        }
    }

    /**
     * One layer duty cycle, measured, after {@code stepNs} of the rig's clock; the rig's clock never runs ahead of
     * real time. It did before: 4 s of clock passed in 46-116 ms of real time on the shared 2-core box, while the
     * layer's heartbeats and the client's travel through the real media driver, whose shared thread was seen to
     * pause for up to 0.4 s under load. A pause of a few tens of milliseconds was then seconds of the layer's and
     * the client's clock, past the client's layer loss (3 s) or the layer's session timeout (5 s): the legitimate
     * session lost once in session 15's CI, although nothing had happened to its image.
     */
    private void step(final long stepNs, final Histogram histogram)
    {
        while (rig.clock.nanoTime() + stepNs - pacedSinceClockNs > System.nanoTime() - pacedSinceRealNs)
        {
            if (0 == rig.link.doWork())
            {
                Thread.yield();
            }
        }
        rig.clock.advance(stepNs);
        final long rejectedBefore = rig.counter(OrreryCounter.CLIENT_INGRESS_IMAGES_UNBOUND_REJECTED);
        final long startCpuNs = THREADS.getCurrentThreadCpuTime();
        final long startNs = System.nanoTime();
        rig.layer.doWork();
        final long durationNs = System.nanoTime() - startNs;
        final long cpuNs = THREADS.getCurrentThreadCpuTime() - startCpuNs;
        histogram.recordValue(durationNs);
        final long rejected = rig.counter(OrreryCounter.CLIENT_INGRESS_IMAGES_UNBOUND_REJECTED) - rejectedBefore;
        if (rejected > 0)
        {
            System.out.println("a layer duty cycle that rejected " + rejected + " images took " +
                TimeUnit.NANOSECONDS.toMicros(durationNs) + " us (" + TimeUnit.NANOSECONDS.toMicros(cpuNs) +
                " us of CPU)");
        }
        rig.link.doWork();
        if (null != watch)
        {
            watch.observe();
        }
    }

    private long timedLayerStep()
    {
        rig.clock.advance(STEP_NS);
        final long rejectedBefore = rig.counter(OrreryCounter.CLIENT_INGRESS_IMAGES_UNBOUND_REJECTED);
        final long startCpuNs = THREADS.getCurrentThreadCpuTime();
        final long startNs = System.nanoTime();
        rig.layer.doWork();
        final long durationNs = System.nanoTime() - startNs;
        final long cpuNs = THREADS.getCurrentThreadCpuTime() - startCpuNs;
        final long rejected = rig.counter(OrreryCounter.CLIENT_INGRESS_IMAGES_UNBOUND_REJECTED) - rejectedBefore;
        if (rejected > 0)
        {
            System.out.println("a layer duty cycle that rejected " + rejected + " images (driver held) took " +
                TimeUnit.NANOSECONDS.toMicros(durationNs) + " us (" + TimeUnit.NANOSECONDS.toMicros(cpuNs) +
                " us of CPU)");
        }
        return durationNs;
    }

    /**
     * Run the layer and the link, the layer's clock following real time, until the condition holds.
     */
    private void runUntil(final BooleanSupplier condition, final String what)
    {
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        lastRealNs = System.nanoTime();
        while (!condition.getAsBoolean())
        {
            runOnce();
            if (System.nanoTime() > deadlineNs)
            {
                fail("timed out waiting for " + what);
            }
        }
    }

    private void runOnce()
    {
        final long realNs = System.nanoTime();
        rig.clock.advance(Math.min(STEP_NS, realNs - lastRealNs));
        lastRealNs = realNs;
        if (0 == rig.layer.doWork() + rig.link.doWork())
        {
            Thread.yield();
        }
        if (null != watch)
        {
            watch.observe();
        }
    }

    /**
     * The legitimate sessions' timeline: the longest time each went without a message from the layer, on the rig's
     * clock and in real time, and their state changes, for the log (and a failure's diagnosis).
     */
    private final class LegitWatch
    {
        private final List<ClientSession> sessions;
        private final long[] lastReceivedNs;
        private final long[] lastReceivedRealNs;
        private final long[] longestSilenceNs;
        private final long[] longestSilenceRealNs;
        private final ClientSession.State[] states;
        private final StringBuilder events = new StringBuilder();
        private final long startRealNs = System.nanoTime();
        private final long startClockNs;
        private long phaseRealNs = System.nanoTime();
        private long phaseClockNs;
        private long phaseSilenceNs;
        private long phaseSilenceRealNs;

        LegitWatch(final List<ClientSession> sessions)
        {
            this.sessions = sessions;
            final int n = sessions.size();
            lastReceivedNs = new long[n];
            lastReceivedRealNs = new long[n];
            longestSilenceNs = new long[n];
            longestSilenceRealNs = new long[n];
            states = new ClientSession.State[n];
            startClockNs = rig.clock.nanoTime();
            phaseClockNs = startClockNs;
            for (int i = 0; i < n; i++)
            {
                lastReceivedNs[i] = sessions.get(i).lastReceivedNs();
                lastReceivedRealNs[i] = startRealNs;
                states[i] = sessions.get(i).state();
            }
        }

        void observe()
        {
            final long realNs = System.nanoTime();
            final long clockNs = rig.clock.nanoTime();
            for (int i = 0; i < sessions.size(); i++)
            {
                final ClientSession session = sessions.get(i);
                if (session.lastReceivedNs() != lastReceivedNs[i])
                {
                    lastReceivedNs[i] = session.lastReceivedNs();
                    lastReceivedRealNs[i] = realNs;
                }
                longestSilenceNs[i] = Math.max(longestSilenceNs[i], clockNs - lastReceivedNs[i]);
                longestSilenceRealNs[i] = Math.max(longestSilenceRealNs[i], realNs - lastReceivedRealNs[i]);
                phaseSilenceNs = Math.max(phaseSilenceNs, clockNs - lastReceivedNs[i]);
                phaseSilenceRealNs = Math.max(phaseSilenceRealNs, realNs - lastReceivedRealNs[i]);
                if (session.state() != states[i])
                {
                    events.append(String.format("%n  legit %d: %s -> %s at +%d ms real, +%d ms clock (loss cause %d, " +
                        "silent %d ms of clock, %d ms real)", i, states[i], session.state(),
                        TimeUnit.NANOSECONDS.toMillis(realNs - startRealNs),
                        TimeUnit.NANOSECONDS.toMillis(clockNs - startClockNs), session.lastLossCause(),
                        TimeUnit.NANOSECONDS.toMillis(clockNs - lastReceivedNs[i]),
                        TimeUnit.NANOSECONDS.toMillis(realNs - lastReceivedRealNs[i])));
                    states[i] = session.state();
                }
            }
        }

        /**
         * Close a phase of the test: how much of the rig's clock it took against real time, and the legit sessions'
         * longest silence in it.
         */
        void phase(final String name)
        {
            final long realNs = System.nanoTime();
            final long clockNs = rig.clock.nanoTime();
            events.append(String.format("%n  phase %s: %d ms of clock in %d ms real, the longest silence %d ms of " +
                "clock, %d ms real", name, TimeUnit.NANOSECONDS.toMillis(clockNs - phaseClockNs),
                TimeUnit.NANOSECONDS.toMillis(realNs - phaseRealNs), TimeUnit.NANOSECONDS.toMillis(phaseSilenceNs),
                TimeUnit.NANOSECONDS.toMillis(phaseSilenceRealNs)));
            phaseRealNs = realNs;
            phaseClockNs = clockNs;
            phaseSilenceNs = 0;
            phaseSilenceRealNs = 0;
        }

        @Override
        public String toString()
        {
            final StringBuilder out = new StringBuilder("legit sessions over ")
                .append(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startRealNs)).append(" ms real, ")
                .append(TimeUnit.NANOSECONDS.toMillis(rig.clock.nanoTime() - startClockNs)).append(" ms of clock:");
            for (int i = 0; i < sessions.size(); i++)
            {
                out.append(String.format("%n  legit %d: longest without a message from the layer %d ms of clock, " +
                    "%d ms real; now %s", i, TimeUnit.NANOSECONDS.toMillis(longestSilenceNs[i]),
                    TimeUnit.NANOSECONDS.toMillis(longestSilenceRealNs[i]), sessions.get(i).state()));
            }
            out.append(String.format("%n  media driver: longest receiver cycle %d ms, sender %d ms, conductor %d ms " +
                "(its shared thread's longest gaps), %d errors, %d images rejected",
                TimeUnit.NANOSECONDS.toMillis(driverCounter(SystemCounterDescriptor.RECEIVER_MAX_CYCLE_TIME)),
                TimeUnit.NANOSECONDS.toMillis(driverCounter(SystemCounterDescriptor.SENDER_MAX_CYCLE_TIME)),
                TimeUnit.NANOSECONDS.toMillis(driverCounter(SystemCounterDescriptor.CONDUCTOR_MAX_CYCLE_TIME)),
                driverCounter(SystemCounterDescriptor.ERRORS), driverCounter(SystemCounterDescriptor.IMAGES_REJECTED)));
            return out.append(events).toString();
        }
    }

    private long driverCounter(final SystemCounterDescriptor descriptor)
    {
        return rig.clientAeron.countersReader().getCounterValue(descriptor.id());
    }

    private TreeSet<Integer> ingressImageCounterIds(final int streamId)
    {
        final TreeSet<Integer> ids = new TreeSet<>();
        rig.clientAeron.countersReader().forEach((counterId, typeId, keyBuffer, label) ->
        {
            if (ReceiverHwm.RECEIVER_HWM_TYPE_ID == typeId &&
                streamId == keyBuffer.getInt(StreamCounter.STREAM_ID_OFFSET))
            {
                ids.add(counterId);
            }
        });
        return ids;
    }

    private static void await(final BooleanSupplier condition, final String what)
    {
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadlineNs)
            {
                fail("timed out waiting for " + what);
            }
            Thread.yield();
        }
    }

    /**
     * A media driver in INVOKER mode whose duty cycle runs on a thread of the test until {@link #hold()}: then it
     * reads no command and answers none, as a stalled driver would.
     */
    static final class HeldDriver implements AutoCloseable
    {
        private final MediaDriver driver;
        private final Thread thread;
        private volatile boolean running = true;
        private volatile boolean held;
        private volatile boolean idle;

        HeldDriver(final int streamSessionLimit)
        {
            driver = MediaDriver.launch(new MediaDriver.Context()
                .threadingMode(ThreadingMode.INVOKER)
                .errorHandler(Throwable::printStackTrace) // and into the driver's error log; never an exit
                .aeronDirectoryName(CommonContext.generateRandomDirName())
                .streamSessionLimit(streamSessionLimit)
                .imageLivenessTimeoutNs(TimeUnit.SECONDS.toNanos(2))
                .publicationTermBufferLength(64 * 1024) // the Gateway leaves images above its term maximum alone
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true));
            final AgentInvoker invoker = driver.sharedAgentInvoker();
            thread = new Thread(() ->
            {
                while (running)
                {
                    if (held)
                    {
                        idle = true;
                        LockSupport.parkNanos(100_000);
                        continue;
                    }
                    idle = false;
                    if (0 == invoker.invoke())
                    {
                        LockSupport.parkNanos(50_000);
                    }
                }
            }, "held-driver");
            thread.start();
        }

        String directory()
        {
            return driver.aeronDirectoryName();
        }

        void hold()
        {
            held = true;
            await(() -> idle, "the driver held");
        }

        void release()
        {
            held = false;
        }

        @Override
        public void close()
        {
            running = false;
            try
            {
                thread.join(10_000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            CloseHelper.quietClose(driver);
        }
    }
}
