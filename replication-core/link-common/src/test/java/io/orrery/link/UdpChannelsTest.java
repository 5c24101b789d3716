/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.link;

import io.aeron.ChannelUri;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UdpChannelsTest
{
    @Test
    void shouldLeaveIpcChannelsUnchanged()
    {
        final String ipc = "aeron:ipc?term-length=64k";
        assertSame(ipc, UdpChannels.tune(ipc));
    }

    @Test
    void shouldAddBuffersAndWindowToAUdpChannelThatNamesNone()
    {
        final ChannelUri uri = ChannelUri.parse(
            UdpChannels.tune("aeron:udp?endpoint=127.0.0.1:0", 256 * 1024, 128 * 1024, 32 * 1024, null));
        assertEquals("127.0.0.1:0", uri.get("endpoint"));
        assertEquals(String.valueOf(256 * 1024), uri.get("so-rcvbuf"));
        assertEquals(String.valueOf(128 * 1024), uri.get("so-sndbuf"));
        assertEquals(String.valueOf(32 * 1024), uri.get("rcv-wnd"));
    }

    @Test
    void shouldKeepWhatTheChannelNamesAndAddNothingForZero()
    {
        final ChannelUri uri = ChannelUri.parse(UdpChannels.tune(
            "aeron:udp?endpoint=127.0.0.1:40123|so-rcvbuf=65536|rcv-wnd=16384", 1 << 20, 0, 32 * 1024, null));
        assertEquals("65536", uri.get("so-rcvbuf"));
        assertEquals("16384", uri.get("rcv-wnd"));
        assertNull(uri.get("so-sndbuf"));
    }

    @Test
    void shouldGiveALinkBetweenOrrerysProcessesBuffersAndAWindowForItsBursts()
    {
        final ChannelUri uri = ChannelUri.parse(UdpChannels.tuneLink("aeron:udp?endpoint=localhost:20571"));
        final int rmemMax = UdpChannels.rmemMax();
        final int rcvbuf = rmemMax > 0 ? Math.min(UdpChannels.SO_RCVBUF_DEFAULT, rmemMax) : UdpChannels.SO_RCVBUF_DEFAULT;
        assertEquals(String.valueOf(rcvbuf), uri.get("so-rcvbuf"));
        assertEquals(String.valueOf(Math.min(UdpChannels.LINK_RCV_WND_DEFAULT, rcvbuf)), uri.get("rcv-wnd"),
            "a 1 MiB window where the kernel allows the buffer, never above it");
        assertTrue(Integer.parseInt(uri.get("rcv-wnd")) > 128 * 1024 || rcvbuf <= 128 * 1024,
            "more than Aeron's default window");
        assertEquals("localhost:20571", uri.get("endpoint"));
        assertSame("aeron:ipc", UdpChannels.tuneLink("aeron:ipc"));
        assertEquals("4096", ChannelUri.parse(
            UdpChannels.tuneLink("aeron:udp?endpoint=localhost:20571|rcv-wnd=4096")).get("rcv-wnd"),
            "what the operator wrote is kept");
    }

    @Test
    void shouldNeverSetAWindowLargerThanTheReceiveBuffer()
    {
        final ChannelUri uri = ChannelUri.parse(
            UdpChannels.tune("aeron:udp?endpoint=127.0.0.1:40123", 64 * 1024, 0, 1 << 20, null));
        assertEquals("65536", uri.get("rcv-wnd"), "Aeron refuses rcv-wnd > so-rcvbuf");
    }

    @Test
    void shouldLowerAeronsDefaultWindowToASmallReceiveBuffer()
    {
        final ChannelUri small = ChannelUri.parse(
            UdpChannels.tune("aeron:udp?endpoint=127.0.0.1:40123", 64 * 1024, 0, 0, null));
        assertEquals("65536", small.get("rcv-wnd"), "Aeron's 128 KiB default window would be refused");
        final ChannelUri large = ChannelUri.parse(
            UdpChannels.tune("aeron:udp?endpoint=127.0.0.1:40123", 1 << 20, 0, 0, null));
        assertNull(large.get("rcv-wnd"), "Aeron's default window fits");
    }

    @Test
    void shouldCapAtTheKernelLimitAndSaySo()
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final PrintStream log = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        assertEquals(4096, UdpChannels.cap(1 << 20, 4096, "so-rcvbuf", "net.core.rmem_max", log));
        assertTrue(bytes.toString(StandardCharsets.UTF_8).contains("capped at net.core.rmem_max = 4096"));
        assertEquals(1 << 20, UdpChannels.cap(1 << 20, 0, "so-rcvbuf", "net.core.rmem_max", log), "unknown limit");
        assertEquals(1024, UdpChannels.cap(1024, 4096, "so-rcvbuf", "net.core.rmem_max", log), "under the limit");
    }

    @Test
    void shouldReadTheWholeKernelLimitFile(final @org.junit.jupiter.api.io.TempDir Path dir) throws Exception
    {
        final Path file = dir.resolve("rmem_max");
        Files.writeString(file, "4194304\n");
        assertEquals(4194304, UdpChannels.readLimit(file));
        assertEquals(0, UdpChannels.readLimit(dir.resolve("absent")));
        if (Files.isReadable(UdpChannels.RMEM_MAX))
        {
            assertTrue(UdpChannels.rmemMax() >= 4096, "a real rmem_max, not a truncated read: " +
                UdpChannels.rmemMax());
        }
    }

    @Test
    void shouldSizeTheReceiveBufferForEveryWindowOfTheGroup()
    {
        assertEquals(UdpChannels.SO_RCVBUF_DEFAULT, UdpChannels.rcvbufFor(10, 32 * 1024), "at least the default");
        assertEquals(100 * 32 * 1024 * 5 / 4, UdpChannels.rcvbufFor(100, 32 * 1024));
    }

    @Test
    void shouldReadAndReplaceTheEndpointPort()
    {
        assertEquals(0, UdpChannels.endpointPort("aeron:udp?endpoint=127.0.0.1:0"));
        assertEquals(-1, UdpChannels.endpointPort("aeron:udp?control=127.0.0.1:5000"));
        assertEquals(40125,
            UdpChannels.endpointPort(UdpChannels.withEndpointPort("aeron:udp?endpoint=127.0.0.1:40123", 40125)));
    }
}
