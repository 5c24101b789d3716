/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.gateway;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.CloseHelper;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.agrona.concurrent.status.AtomicCounter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * When the command ring is full, {@link UnboundImages} counts the rejection as deferred, stops for the pass, and
 * rejects the image at a later pass once there is room; an image rejected once is not rejected again. Real images
 * (a real media driver, UDP strangers that never send), the rejections written to a small ring the test reads instead
 * of the driver's, so none is carried out.
 */
@Tag("system")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UnboundImagesDeferralTest
{
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(1);

    private MediaDriver driver;
    private Aeron aeron;

    @AfterEach
    void after()
    {
        CloseHelper.quietCloseAll(aeron, driver);
    }

    @Test
    void shouldCountRejectionsAFullRingRefusesAndMakeThemAtALaterPass()
    {
        driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
            .threadingMode(ThreadingMode.SHARED)
            .errorHandler(Throwable::printStackTrace) // and into the driver's error log; never an exit
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName())
            .errorHandler(Throwable::printStackTrace)); // never Aeron's default: it exits the test JVM
        final String channel = "aeron:udp?endpoint=127.0.0.1:" + freePort();
        final Subscription subscription = aeron.addSubscription(channel, 1001);
        final int strangers = 16;
        final List<ExclusivePublication> publications = new ArrayList<>();
        for (int i = 0; i < strangers; i++)
        {
            publications.add(aeron.addExclusivePublication(channel + "|term-length=64k", 1001));
        }
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (subscription.imageCount() < strangers)
        {
            if (System.nanoTime() > deadlineNs)
            {
                fail("images: " + subscription.imageCount());
            }
            Thread.yield();
        }

        final ManyToOneRingBuffer ring = new ManyToOneRingBuffer(
            new UnsafeBuffer(ByteBuffer.allocateDirect(1024 + RingBufferDescriptor.TRAILER_LENGTH)));
        final UnsafeBuffer values = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
        final AtomicCounter rejections = new AtomicCounter(values, 0);
        final AtomicCounter deferrals = new AtomicCounter(values, 1);
        final UnboundImages unbound = new UnboundImages(TIMEOUT_NS, 1024 * 1024,
            new ImageRejecter(ring, aeron.clientId(), UnboundImages.reason(TIMEOUT_NS)), rejections, deferrals, null);
        final Subscription[] ingresses = { subscription };
        final Long2ObjectHashMap<Object> bound = new Long2ObjectHashMap<>();

        long nowNs = TimeUnit.SECONDS.toNanos(100);
        assertEquals(0, unbound.check(nowNs, ingresses, bound));
        assertEquals(strangers, unbound.trackedCount());

        nowNs += TIMEOUT_NS + 1;
        final int first = unbound.check(nowNs, ingresses, bound);
        assertTrue(first > 0 && first < strangers, "a 1 KiB ring takes a few: " + first);
        assertEquals(first, rejections.get());
        assertEquals(1, deferrals.get(), "the pass stops at the first refusal");
        assertEquals(first, drain(ring));

        int total = first;
        for (int pass = 0; pass < strangers && total < strangers; pass++)
        {
            nowNs += TimeUnit.MILLISECONDS.toNanos(50);
            total += unbound.check(nowNs, ingresses, bound);
            drain(ring);
        }
        assertEquals(strangers, total, "every image rejected once there was room");
        assertEquals(strangers, rejections.get());

        nowNs += TimeUnit.SECONDS.toNanos(5);
        assertEquals(0, unbound.check(nowNs, ingresses, bound), "an image is rejected once");
        assertEquals(0, drain(ring));
        publications.forEach(CloseHelper::quietClose);
    }

    private static int freePort()
    {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static int drain(final ManyToOneRingBuffer ring)
    {
        int total = 0;
        for (int i = 0; i < 3; i++) // a read stops at the end of the buffer (after a padding record, counted as 0)
        {
            total += ring.read((msgTypeId, buffer, index, length) -> {}, Integer.MAX_VALUE);
        }
        return total;
    }
}
