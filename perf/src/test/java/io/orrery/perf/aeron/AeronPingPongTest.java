/*
 * Copyright 2026 The Orrery authors.
 */
package io.orrery.perf.aeron;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aeron.driver.ThreadingMode;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * End-to-end runs of the raw Aeron floor with real embedded media drivers.
 */
@Tag("aeron")
class AeronPingPongTest
{
    private static final int MESSAGES = 20_000;

    @Test
    @Timeout(15)
    void shouldMeasureRoundTripsWhenRunOverIpc()
    {
        final AeronPingPong.Result result = AeronPingPong.run(new AeronPingPong.Config()
            .channel("aeron:ipc")
            .warmUpMessages(10_000)
            .messages(MESSAGES));

        assertMeasured(result);
        // Any allocation per round trip would be >= 16 B each; allow a one-off of less than 1 B per round trip.
        assertTrue(result.pingThreadAllocatedBytes() < MESSAGES, "ping thread allocated " +
            result.pingThreadAllocatedBytes() + " B while measuring " + MESSAGES + " round trips");
    }

    @Test
    @Timeout(15)
    void shouldMeasureRoundTripsWhenDriverIsInvokedByPing()
    {
        final AeronPingPong.Result result = AeronPingPong.run(new AeronPingPong.Config()
            .channel("aeron:ipc")
            .threadingMode(ThreadingMode.INVOKER)
            .warmUpMessages(1_000)
            .messages(MESSAGES));

        assertMeasured(result);
    }

    @Test
    @Timeout(15)
    void shouldMeasureRoundTripsWhenRunOverUdpWithRateLimit()
    {
        final AeronPingPong.Result result = AeronPingPong.run(new AeronPingPong.Config()
            .channel("aeron:udp?endpoint=localhost:20199")
            .appIdle(IdleMode.YIELD)
            .ratePerSecond(20_000)
            .warmUpMessages(500)
            .messages(2_000));

        assertEquals(2_000, result.count());
        assertTrue(result.channel().contains("term-length=64k"), result.channel());
        assertTrue(result.histogram().getMinValue() > 0);
    }

    @Test
    void shouldAddTermLengthOnlyWhenChannelHasNone()
    {
        assertEquals("aeron:ipc?term-length=64k", new AeronPingPong.Config().channel("aeron:ipc").resolvedChannel());
        final String udp = "aeron:udp?endpoint=localhost:20121|term-length=128k";
        assertEquals(udp, new AeronPingPong.Config().channel(udp).resolvedChannel());
    }

    private static void assertMeasured(final AeronPingPong.Result result)
    {
        final Histogram histogram = result.histogram();
        assertEquals(MESSAGES, histogram.getTotalCount());
        assertTrue(histogram.getMinValue() > 0, "min round trip > 0");
        assertTrue(result.valueAtPercentileUs(50) > 0);
        assertTrue(result.maxUs() >= result.valueAtPercentileUs(99));
    }
}
