/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.gateway;

import io.aeron.command.ControlProtocolEvents;
import io.aeron.command.RejectImageFlyweight;
import io.orrery.test.AllocationMeter;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ImageRejecter} writes Aeron's reject image command into a command ring and returns: here a ring nobody
 * reads, as a media driver that stopped reading would leave it. The commands read back are what Aeron's
 * {@code DriverProxy.rejectImage} writes; a full ring fails the write (no exception, no wait); nothing is allocated.
 */
class ImageRejecterTest
{
    private static final long CLIENT_ID = 42;
    private static final String REASON = UnboundImages.reason(10_000_000_000L);

    @Test
    void shouldWriteTheRejectImageCommandWithoutWaitingAndFailWhenTheRingIsFull()
    {
        final ManyToOneRingBuffer ring = new ManyToOneRingBuffer(
            new UnsafeBuffer(ByteBuffer.allocateDirect(4096 + RingBufferDescriptor.TRAILER_LENGTH)));
        final ImageRejecter rejecter = new ImageRejecter(ring, CLIENT_ID, REASON);

        int written = 0;
        while (rejecter.reject(1000 + written, 64L * written))
        {
            written++;
            assertTrue(written < 1000, "a 4 KiB ring cannot take that many");
        }
        assertTrue(written > 10, "commands written: " + written);
        assertFalse(rejecter.reject(1, 1), "still full: no exception, no wait");

        final List<long[]> read = new ArrayList<>();
        final RejectImageFlyweight command = new RejectImageFlyweight();
        ring.read((msgTypeId, buffer, index, length) ->
        {
            assertEquals(ControlProtocolEvents.REJECT_IMAGE, msgTypeId);
            command.wrap(buffer, index);
            assertEquals(REASON, command.reason());
            read.add(new long[]{ command.clientId(), command.correlationId(), command.imageCorrelationId(),
                command.position() });
        }, Integer.MAX_VALUE);
        assertEquals(written, read.size());
        for (int i = 0; i < written; i++)
        {
            assertEquals(CLIENT_ID, read.get(i)[0]);
            assertEquals(1000 + i, read.get(i)[2]);
            assertEquals(64L * i, read.get(i)[3]);
            assertTrue(i == 0 || read.get(i)[1] > read.get(i - 1)[1], "correlation ids from the ring, increasing");
        }
        assertTrue(rejecter.reject(7, 7), "room again once the reader took the commands");
    }

    @Test
    void shouldNotAllocateWhenRejectingOrFindingTheRingFull()
    {
        final ManyToOneRingBuffer ring = new ManyToOneRingBuffer(
            new UnsafeBuffer(ByteBuffer.allocateDirect(65536 + RingBufferDescriptor.TRAILER_LENGTH)));
        final ImageRejecter rejecter = new ImageRejecter(ring, CLIENT_ID, REASON);
        // rounds until one allocates nothing, the first ones warming up (three fixed rounds were not enough once on
        // the loaded 2-core box: the third counted 392 bytes)
        long bytes = -1;
        int attempts = 0;
        for (int round = 1; round <= 8 && 0 != bytes; round++)
        {
            final long before = AllocationMeter.threadAllocatedBytes();
            attempts = 0;
            while (rejecter.reject(attempts, attempts) || attempts < 1000)
            {
                attempts++;
            }
            bytes = AllocationMeter.threadAllocatedBytes() - before;
            ring.read((msgTypeId, buffer, index, length) -> {}, Integer.MAX_VALUE);
            System.out.println("round " + round + ": " + bytes + " bytes allocated by " + attempts +
                " rejections and full-ring attempts");
        }
        assertEquals(0, bytes, "bytes allocated by " + attempts + " rejections and full-ring attempts");

        // what a rejection costs the Gateway's thread once warm: a claim, about 100 bytes written, a commit
        final int rounds = 2000;
        long written = 0;
        long elapsedNs = 0;
        for (int round = 0; round < rounds; round++)
        {
            final long startNs = System.nanoTime();
            while (rejecter.reject(round, round))
            {
                written++;
            }
            elapsedNs += System.nanoTime() - startNs;
            ring.read((msgTypeId, buffer, index, length) -> {}, Integer.MAX_VALUE);
        }
        System.out.println("ImageRejecter: " + written + " rejections written, " + elapsedNs / written +
            " ns each on average (a 64 KiB ring drained after each fill)");
    }
}
