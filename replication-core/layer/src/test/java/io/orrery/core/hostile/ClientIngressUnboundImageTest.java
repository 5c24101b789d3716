/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.hostile;

import io.aeron.ExclusivePublication;
import io.aeron.driver.status.ReceiverHwm;
import io.aeron.driver.status.StreamCounter;
import io.orrery.core.client.ClientSession;
import io.orrery.core.hostile.ClientIngressHostilePeerTest.Rig;
import io.orrery.core.gateway.GatewayContext;
import io.orrery.core.status.OrreryCounter;
import io.orrery.test.AllocationMeter;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Client ingress images bound to nothing (no session, no hello awaiting an answer, no hello seen) are rejected after
 * {@link GatewayContext#unboundImageTimeoutNs()}, so strangers cannot hold the sessions the media driver allows the
 * stream; clients retrying their hello and welcomed sessions keep theirs. A real embedded media driver (its own
 * thread, real time), the layer in INVOKER mode on a controlled clock driven by the test: stepped where the test
 * pins a moment (nothing rejected just before the timeout), else following real time, as the driver's timers (image
 * liveness, cool-down, publication linger) run on it; conditions awaited with wall-clock deadlines, never sleeps.
 */
@Tag("system")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClientIngressUnboundImageTest
{
    private static final String IMAGE_LIVENESS_PROP = "aeron.image.liveness.timeout";
    private static final long STEP_NS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(30);

    private Rig rig;
    private long lastRealNs;
    private boolean metering;
    private long meteredLayerBytes;

    @AfterEach
    void after()
    {
        CloseHelper.quietClose(rig);
    }

    @Test
    void shouldRejectStrangersImagesThatStayUnboundAndThenLetANewClientInAlthoughTheyFilledTheStreamSessionLimit()
    {
        final int limit = 4;
        final long timeoutNs = TimeUnit.SECONDS.toNanos(2);
        // the driver drops a rejected image after its image liveness timeout: 2 s here instead of the layer's 5 s
        rig = withImageLivenessTimeout("2s", () -> new Rig((ctx) ->
        {
            ctx.streamSessionLimit(limit);
            ctx.gateway().unboundImageTimeoutNs(timeoutNs);
        }, true));
        final String ingressChannel = rig.layer.context().clientIngressChannel();
        final int ingressStreamId = rig.layer.context().clientIngressStreamId();

        // three strangers say nothing, the fourth sends garbage: together they hold every session of the stream
        final List<ExclusivePublication> strangers = new ArrayList<>();
        for (int i = 0; i < limit; i++)
        {
            strangers.add(rig.attackerPublication(ingressChannel));
        }
        final UnsafeBuffer garbage = new UnsafeBuffer(new byte[96]);
        garbage.setMemory(0, garbage.capacity(), (byte)0x5A);
        rig.offer(strangers.get(limit - 1), garbage, garbage.capacity());
        rig.await(() -> rig.counter(OrreryCounter.REJECTED_MALFORMED) >= 1, "garbage read");
        assertEquals(limit, imagesOfStream(ingressStreamId), "the strangers hold the stream's sessions");

        // a legitimate client cannot get an image while they do
        final ClientSession late = rig.link.connect(rig.token(1), null);
        rig.await(() -> driverErrorLog().contains("exceeded session limit, streamId=" + ingressStreamId),
            "the driver refusing the client's publication");
        assertFalse(late.isConnected());
        assertEquals(0, rig.counter(OrreryCounter.CLIENT_INGRESS_IMAGES_UNBOUND_REJECTED));

        // just before the timeout nothing is rejected; past it every stranger's image is, garbage or silence alike
        final long[] longestPassNs = new long[1];
        advance(timeoutNs - STEP_NS, longestPassNs);
        assertEquals(0, rig.counter(OrreryCounter.CLIENT_INGRESS_IMAGES_UNBOUND_REJECTED), "not before the timeout");
        assertEquals(limit, rig.layer.gateway().unboundImageCount(), "strangers' images tracked");
        advanceUntil(() -> limit == rig.counter(OrreryCounter.CLIENT_INGRESS_IMAGES_UNBOUND_REJECTED),
            "strangers rejected", longestPassNs);
        final long rejectedAtNs = System.nanoTime();
        System.out.println("rejecting " + limit + " images: the longest Gateway duty cycle took " +
            TimeUnit.NANOSECONDS.toMicros(longestPassNs[0]) + " us");

        // once the driver has dropped the rejected images (liveness timeout) the client's publication gets one
        rig.await(late::isConnected, "the client welcomed once the strangers' images are gone");
        System.out.println("client welcomed " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - rejectedAtNs) +
            " ms after the rejections (image liveness timeout 2 s)");
        assertEquals(limit, rig.counter(OrreryCounter.CLIENT_INGRESS_IMAGES_UNBOUND_REJECTED));

        // strangers' publications still open get new images after the session's cool-down (as many as the limit
        // leaves them): unbound again, rejected again after the timeout
        runUntil(() -> 2 * limit - 1 == rig.counter(OrreryCounter.CLIENT_INGRESS_IMAGES_UNBOUND_REJECTED),
            "strangers back after their cool-down, rejected again");
        System.out.println("strangers back and rejected again " +
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - rejectedAtNs) + " ms after the first rejections");

        rig.assertLegitServed(List.of(late));
    }

    @Test
    void shouldKeepTheImageOfAClientRetryingItsHelloWhileTheShardIsFullAndWelcomeItWhenASlotFrees()
    {
        final long timeoutNs = TimeUnit.SECONDS.toNanos(5);
        rig = new Rig((ctx) -> ctx.maxSessions(2).gateway().unboundImageTimeoutNs(timeoutNs), true);
        final List<ClientSession> legit = rig.connectLegit(2);
        rig.attackerPublication(rig.layer.context().clientIngressChannel()); // silent: the clock is running
        runUntil(() -> 1 == rig.layer.gateway().unboundImageCount(), "the stranger's image tracked");

        // shard full: refused, the client hellos again on the same publication (100 ms doubling to 2 s + jitter)
        final ClientSession patient = rig.link.connect(rig.token(3), null);
        runUntil(() -> 1 == patient.transientRejects(), "the client's first hello refused");
        final long startNs = rig.clock.nanoTime();
        runFor(timeoutNs + TimeUnit.MILLISECONDS.toNanos(1500));
        assertFalse(patient.isConnected());
        assertTrue(patient.transientRejects() >= 5, "hellos refused: " + patient.transientRejects());
        assertEquals(1, rig.counter(OrreryCounter.CLIENT_INGRESS_IMAGES_UNBOUND_REJECTED),
            "the silent stranger's image rejected, not the client's " + sessionCounters());
        assertEquals(0, patient.hellosLost(), "the client's publication stayed connected");

        // a slot frees: the next hello on the same publication is welcomed
        legit.get(0).disconnect();
        runUntil(patient::isConnected, "the client welcomed once a slot freed");
        assertTrue(rig.clock.nanoTime() - startNs > timeoutNs, "the client waited longer than the timeout");
        assertEquals(0, patient.hellosLost(), "the client's publication stayed connected");

        rig.assertLegitServed(List.of(legit.get(1)));
        // its updates come over UDP: awaited, not assumed there when the other session's are
        rig.await(() -> !patient.isConnected() || (patient.updatesReceived() > 0 && patient.view().contains(1_000_000)),
            "the client served");
        assertTrue(patient.isConnected());
    }

    @Test
    void shouldNeverRejectTheImagesOfWelcomedSessionsHoweverLongTheyRun()
    {
        final long timeoutNs = TimeUnit.SECONDS.toNanos(1);
        rig = new Rig((ctx) -> ctx.gateway().unboundImageTimeoutNs(timeoutNs), true);
        final List<ClientSession> legit = rig.connectLegit(3);
        rig.attackerPublication(rig.layer.context().clientIngressChannel());
        runUntil(() -> 1 == rig.counter(OrreryCounter.CLIENT_INGRESS_IMAGES_UNBOUND_REJECTED),
            "the stranger's image rejected: the clock runs");

        // eight timeouts more: the stranger's open publication gets a new image once the driver dropped the rejected
        // one (image liveness 5 s, then ~1 s of cool-down), rejected again; the welcomed sessions' never are
        runFor(8 * timeoutNs);
        final long rejected = rig.counter(OrreryCounter.CLIENT_INGRESS_IMAGES_UNBOUND_REJECTED);
        assertTrue(rejected >= 1 && rejected <= 3, "only the stranger's: " + rejected + " " + sessionCounters());
        assertEquals(0, rig.counter(OrreryCounter.SESSIONS_TIMED_OUT));
        for (final ClientSession session : legit)
        {
            assertTrue(session.isConnected());
            assertEquals(0, session.hellosLost() + session.resumesStarted());
        }
        rig.assertLegitServed(legit);
    }

    @Test
    void shouldNotAllocateWhilePassesTrackUnboundImagesAndHoldRejectedOnes()
    {
        final long timeoutNs = TimeUnit.SECONDS.toNanos(3);
        rig = new Rig((ctx) -> ctx.gateway().unboundImageTimeoutNs(timeoutNs), true);
        final List<ClientSession> legit = rig.connectLegit(2);
        final String ingressChannel = rig.layer.context().clientIngressChannel();

        // one stranger rejected (the driver holds its image for its liveness timeout), one tracked below the timeout
        rig.attackerPublication(ingressChannel);
        runUntil(() -> 1 == rig.counter(OrreryCounter.CLIENT_INGRESS_IMAGES_UNBOUND_REJECTED), "stranger rejected");
        rig.attackerPublication(ingressChannel);
        runUntil(() -> 2 == rig.layer.gateway().unboundImageCount(), "a rejected image and an unbound one tracked");

        // rounds of half a second (ten housekeeping passes) until one allocates nothing; a rejection (the second
        // stranger's, after 3 s) is an event, not the steady state
        long bytes = -1;
        for (int round = 1; round <= 8 && 0 != bytes; round++)
        {
            final long before = meteredLayerBytes;
            metering = true;
            runFor(TimeUnit.MILLISECONDS.toNanos(500));
            metering = false;
            bytes = meteredLayerBytes - before;
            System.out.println("round " + round + ": " + bytes + " bytes allocated by the layer's duty cycles, " +
                rig.layer.gateway().unboundImageCount() + " unbound images tracked, " +
                rig.counter(OrreryCounter.CLIENT_INGRESS_IMAGES_UNBOUND_REJECTED) + " rejected");
        }
        assertEquals(0, rig.counter(OrreryCounter.SESSIONS_TIMED_OUT));
        assertEquals(0, bytes, "bytes allocated by the layer's duty cycles");
        rig.assertLegitServed(legit);
    }

    @Test
    void shouldRefuseATimeoutShorterThanTheMinimumAndTakeZeroAsOff()
    {
        final GatewayContext ctx = new GatewayContext().unboundImageTimeoutNs(TimeUnit.MILLISECONDS.toNanos(999));
        try
        {
            ctx.conclude();
            fail("a timeout below the minimum");
        }
        catch (final IllegalArgumentException expected)
        {
            assertTrue(expected.getMessage().contains("unboundImageTimeoutNs"), expected.getMessage());
        }
        assertEquals(0, new GatewayContext().unboundImageTimeoutNs(0).conclude().unboundImageTimeoutNs());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(GatewayContext.UNBOUND_IMAGE_TIMEOUT_MS_DEFAULT),
            new GatewayContext().unboundImageTimeoutNs());
    }

    private String sessionCounters()
    {
        return "(sessions timed out " + rig.counter(OrreryCounter.SESSIONS_TIMED_OUT) + ", slow consumers " +
            rig.counter(OrreryCounter.SESSIONS_SLOW_CONSUMER) + ", closed " +
            rig.counter(OrreryCounter.SESSIONS_CLOSED) +
            ", too many " + rig.counter(OrreryCounter.REJECTED_TOO_MANY_SESSIONS) + ", shed " +
            rig.counter(OrreryCounter.HELLOS_SHED) + ", bad response channel " +
            rig.counter(OrreryCounter.REJECTED_BAD_RESPONSE_CHANNEL) + ")";
    }

    /**
     * Run the layer and the link, the layer's clock following real time (the media driver's), until the condition
     * holds.
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
                fail("timed out waiting for " + what + " " + sessionCounters());
            }
        }
    }

    private void runFor(final long durationNs)
    {
        final long endNs = rig.clock.nanoTime() + durationNs;
        lastRealNs = System.nanoTime();
        while (rig.clock.nanoTime() < endNs)
        {
            runOnce();
        }
    }

    private void runOnce()
    {
        final long realNs = System.nanoTime();
        rig.clock.advance(Math.min(STEP_NS, realNs - lastRealNs));
        lastRealNs = realNs;
        final long before = metering ? AllocationMeter.threadAllocatedBytes() : 0;
        int work = rig.layer.doWork();
        if (metering)
        {
            meteredLayerBytes += AllocationMeter.threadAllocatedBytes() - before;
        }
        work += rig.link.doWork();
        if (0 == work)
        {
            Thread.yield();
        }
    }

    private void advance(final long durationNs, final long[] longestPassNs)
    {
        final long endNs = rig.clock.nanoTime() + durationNs;
        while (rig.clock.nanoTime() < endNs)
        {
            timedStep(longestPassNs);
        }
    }

    private void advanceUntil(final BooleanSupplier condition, final String what, final long[] longestPassNs)
    {
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        while (!condition.getAsBoolean())
        {
            timedStep(longestPassNs);
            if (System.nanoTime() > deadlineNs)
            {
                fail("timed out waiting for " + what);
            }
        }
    }

    private void timedStep(final long[] longestPassNs)
    {
        rig.clock.advance(STEP_NS);
        final long startNs = System.nanoTime();
        rig.layer.doWork();
        longestPassNs[0] = Math.max(longestPassNs[0], System.nanoTime() - startNs);
        rig.drain();
    }

    private int imagesOfStream(final int streamId)
    {
        final int[] count = new int[1];
        rig.clientAeron.countersReader().forEach((counterId, typeId, keyBuffer, label) ->
        {
            if (ReceiverHwm.RECEIVER_HWM_TYPE_ID == typeId &&
                streamId == keyBuffer.getInt(StreamCounter.STREAM_ID_OFFSET))
            {
                count[0]++;
            }
        });
        return count[0];
    }

    private String driverErrorLog()
    {
        final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        rig.clientAeron.context().saveErrorLog(
            new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static Rig withImageLivenessTimeout(final String timeout, final Supplier<Rig> newRig)
    {
        final String previous = System.getProperty(IMAGE_LIVENESS_PROP);
        System.setProperty(IMAGE_LIVENESS_PROP, timeout); // read when the layer builds its media driver's context
        try
        {
            return newRig.get();
        }
        finally
        {
            if (null == previous)
            {
                System.clearProperty(IMAGE_LIVENESS_PROP);
            }
            else
            {
                System.setProperty(IMAGE_LIVENESS_PROP, previous);
            }
        }
    }
}
