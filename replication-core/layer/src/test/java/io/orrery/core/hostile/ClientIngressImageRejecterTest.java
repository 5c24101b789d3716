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
import org.junit.jupiter.api.Disabled;
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
 * driver drops a rejected image sooner (image liveness 3 s by default instead of Aeron's 10 s) while legitimate
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
        final Histogram idle = new Histogram(3);
        final Histogram tracking = new Histogram(3);
        final Histogram rejecting = new Histogram(3);
        final Histogram rejectingAgain = new Histogram(3);

        // 1 ms of layer clock per duty cycle, housekeeping (and the unbound images' pass) every 50 of them
        final long stepNs = TimeUnit.MILLISECONDS.toNanos(1);
        stepFor(TimeUnit.SECONDS.toNanos(3), stepNs, idle); // warm-up
        idle.reset();
        stepFor(TimeUnit.SECONDS.toNanos(1), stepNs, idle);

        final String ingressChannel = rig.layer.context().clientIngressChannel();
        for (int i = 0; i < strangers; i++)
        {
            rig.attackerPublication(ingressChannel);
        }
        runUntil(() -> strangers == rig.layer.gateway().unboundImageCount(), "strangers' images tracked");
        stepFor(timeoutNs - TimeUnit.MILLISECONDS.toNanos(200), stepNs, tracking);
        assertEquals(0, rig.counter(OrreryCounter.CLIENT_INGRESS_IMAGES_UNBOUND_REJECTED), "none due yet");

        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        while (strangers != rig.counter(OrreryCounter.CLIENT_INGRESS_IMAGES_UNBOUND_REJECTED))
        {
            step(stepNs, rejecting);
            assertTrue(System.nanoTime() < deadlineNs, "the strangers' images rejected");
        }
        stepFor(TimeUnit.SECONDS.toNanos(1), stepNs, rejecting);

        // the strangers' publications are still open: each gets a new image once the driver dropped the rejected one
        // (image liveness 3 s after its last frame, then ~1 s of cool-down), rejected again 2 s later; the layer's
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

        print("no stranger             ", idle);
        print(strangers + " unbound tracked     ", tracking);
        print(strangers + " rejected            ", rejecting);
        print(strangers + " back, rejected again", rejectingAgain);
        assertEquals(0, rig.counter(OrreryCounter.CLIENT_INGRESS_IMAGE_REJECTIONS_DEFERRED));
        rig.assertLegitServed(legit);
    }

    @Test
    void shouldKeepTheImagesOfLegitimateClientsAcrossARunUnderTheShorterImageLivenessTimeout()
    {
        assertEquals(TimeUnit.SECONDS.toNanos(3), StreamSessionLimits.imageLivenessTimeoutNs(),
            "the layer's embedded driver: 3 s unless " + StreamSessionLimits.IMAGE_LIVENESS_AERON_PROP + " is set");
        rig = new Rig((ctx) -> {}, true);
        final List<ClientSession> legit = rig.connectLegit(4);
        final int streamId = rig.layer.context().clientIngressStreamId();
        final TreeSet<Integer> imagesBefore = ingressImageCounterIds(streamId);
        assertEquals(4, imagesBefore.size(), "an image per client");

        // 15 s of real time, five times the image liveness timeout: two clients send input every 100 ms, two never do
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
     * timeout, then rejected but still counted for the driver's image liveness timeout (3 s by default, Aeron's 10 s
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

    /**
     * Why the rejections do not simply move to a thread of their own calling {@link Image#reject(String)}: it holds
     * the Aeron client's lock while it waits for the driver, and every other call on that client that takes the lock
     * (adding or removing a publication, as the Gateway does on hellos, welcomes and session ends) waits as long.
     */
    @Test
    @Disabled("a demonstration of Aeron 1.51's client lock, not of Orrery: its client with Aeron's default error " +
        "handler brought the whole surefire fork down once in CI (System.exit on a driver keepalive timeout); the " +
        "figure it printed (501-510 ms) is recorded in README, Security. Run it by hand.")
    void shouldShowThatImageRejectOnAnotherThreadHoldsTheClientsOtherCallsWhileTheDriverDoesNotAnswer()
        throws InterruptedException
    {
        driver = new HeldDriver(16);
        final String channel = "aeron:udp?endpoint=127.0.0.1:" + Rig.freePort();
        try (Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.directory())
            .errorHandler(Throwable::printStackTrace)); // never Aeron's default, which exits the JVM
            Subscription subscription = aeron.addSubscription(channel, 1001);
            ExclusivePublication publication = aeron.addExclusivePublication(channel, 1001))
        {
            await(() -> 1 == subscription.imageCount() && publication.isConnected(), "image");
            final Image image = subscription.imageAtIndex(0);
            driver.hold();

            final CountDownLatch rejected = new CountDownLatch(1);
            final Thread rejecter = new Thread(() ->
            {
                image.reject("test");
                rejected.countDown();
            }, "rejecter");
            rejecter.start();
            await(() -> Thread.State.TIMED_WAITING == rejecter.getState(), "the rejecter waiting for the driver");

            final CountDownLatch added = new CountDownLatch(1);
            final long[] addNs = new long[1];
            final Thread gateway = new Thread(() ->
            {
                final long startNs = System.nanoTime();
                aeron.asyncAddExclusivePublication("aeron:ipc", 1002); // what a hello makes the Gateway do
                addNs[0] = System.nanoTime() - startNs;
                added.countDown();
            }, "gateway");
            gateway.start();
            assertFalse(added.await(500, TimeUnit.MILLISECONDS), "the other call waits on the client's lock");
            assertFalse(rejected.await(0, TimeUnit.MILLISECONDS));

            driver.release();
            assertTrue(rejected.await(20, TimeUnit.SECONDS));
            assertTrue(added.await(20, TimeUnit.SECONDS));
            System.out.println("asyncAddExclusivePublication waited " + TimeUnit.NANOSECONDS.toMillis(addNs[0]) +
                " ms behind an Image.reject on another thread (the driver held for ~500 ms)");
            rejecter.join();
            gateway.join();
        }
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

    private void step(final long stepNs, final Histogram histogram)
    {
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
