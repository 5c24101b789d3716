/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.gateway.link;

import io.aeron.Aeron;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.LogBufferDescriptor;
import io.orrery.core.common.SharedClientEgress;
import io.orrery.wire.gatewaylink.ClientFrameDecoder;
import io.orrery.wire.gatewaylink.MessageHeaderDecoder;
import io.orrery.wire.gatewaylink.SessionEndedDecoder;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One remote session written by two Replicants, each through its {@link SharedClientEgress} view of the session's one
 * {@link RemoteClientEgress}, on a real media driver's IPC link publication: the bytes both send are counted once
 * against the one window the Gateway reports, each message arrives as a whole {@code ClientFrame} in each writer's
 * order, and once the primary's view closed the session a secondary writes nothing more after the
 * {@code SessionEnded}.
 */
final class RemoteClientEgressSharedTest
{
    private static final int STREAM = 1531;
    private static final long SESSION_ID = 42;
    private static final int CLIENT_MAX_PAYLOAD = 1376;

    private MediaDriver driver;
    private Aeron aeron;
    private Publication publication;
    private Subscription subscription;

    @BeforeEach
    void launch()
    {
        driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
            .threadingMode(ThreadingMode.SHARED)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        subscription = aeron.addSubscription("aeron:ipc?term-length=64k", STREAM);
        publication = aeron.addPublication("aeron:ipc?term-length=64k", STREAM);
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!publication.isConnected())
        {
            assertTrue(System.nanoTime() < deadlineNs, "link publication connected");
            Thread.yield();
        }
    }

    @AfterEach
    void close()
    {
        CloseHelper.quietCloseAll(subscription, publication, aeron, driver);
    }

    @Test
    void shouldCountBothReplicantsBytesOnceAndWriteNothingAfterThePrimaryClosed()
    {
        final GatewayLink link = new GatewayLink(1, 1, new byte[16], new byte[16], "ipc");
        link.publication(publication);
        final long window = 64 * 1024;
        final RemoteClientEgress egress = new RemoteClientEgress(link, SESSION_ID, CLIENT_MAX_PAYLOAD, window);
        final SharedClientEgress primary = new SharedClientEgress(egress, true);
        final SharedClientEgress secondary = new SharedClientEgress(egress, false);
        final UnsafeBuffer message = new UnsafeBuffer(new byte[3000]);

        long expected = 0;
        for (int i = 0; i < 10; i++)
        {
            final SharedClientEgress writer = 0 == i % 2 ? primary : secondary;
            final int length = 0 == i % 3 ? 2000 : 100 + i; // some longer than the client's payload: fragmented
            message.putInt(0, i);
            expected += LogBufferDescriptor.computeFragmentedFrameLength(length, CLIENT_MAX_PAYLOAD);
            assertEquals(expected, writer.offer(message, 0, length), "position after message " + i);
        }
        assertEquals(expected, primary.position());
        assertEquals(expected, secondary.position(), "one position for every Replicant");
        assertEquals(window - expected, secondary.availableWindow(), "one window for every Replicant");

        egress.onReport(expected, 1000);
        assertEquals(1000, primary.availableWindow());
        assertEquals(1000, secondary.availableWindow());

        secondary.close(); // a secondary's view never ends the session
        assertTrue(primary.isConnected());
        primary.close();
        assertFalse(secondary.isConnected());
        assertEquals(Publication.CLOSED, secondary.offer(message, 0, 100), "nothing after the session's end");

        final List<Integer> frames = new ArrayList<>();
        final int[] ends = new int[1];
        final MessageHeaderDecoder header = new MessageHeaderDecoder();
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        final FragmentAssembler assembler = new FragmentAssembler((buffer, offset, length, h) ->
        {
            header.wrap(buffer, offset);
            if (ClientFrameDecoder.TEMPLATE_ID == header.templateId())
            {
                assertEquals(0, ends[0], "no frame after SessionEnded");
                assertEquals(SESSION_ID, buffer.getLong(offset + MessageHeaderDecoder.ENCODED_LENGTH,
                    ByteOrder.LITTLE_ENDIAN));
                final int payloadLength = length - RemoteClientEgress.FRAME_HEADER_LENGTH;
                assertEquals(payloadLength, buffer.getShort(offset + RemoteClientEgress.FRAME_HEADER_LENGTH - 2,
                    ByteOrder.LITTLE_ENDIAN) & 0xFFFF, "whole frame");
                frames.add(buffer.getInt(offset + RemoteClientEgress.FRAME_HEADER_LENGTH));
            }
            else if (SessionEndedDecoder.TEMPLATE_ID == header.templateId())
            {
                ends[0]++;
            }
        });
        while (0 == ends[0] || frames.size() < 10)
        {
            subscription.poll(assembler, 16);
            assertTrue(System.nanoTime() < deadlineNs, "frames and the session's end received: " + frames);
        }
        final long settleNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
        while (System.nanoTime() < settleNs)
        {
            subscription.poll(assembler, 16);
        }
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), frames, "every message whole, in order");
        assertEquals(1, ends[0], "one SessionEnded, from the primary's view");
    }
}
