/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.ingress;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class ResponseChannelsTest
{
    private static final long LINGER_NS = 100_000_000L;

    private static String rebuild(final String requested, final String source)
    {
        return ResponseChannels.rebuild(requested, source, 65536, 1408, LINGER_NS);
    }

    @Test
    void shouldReplaceEveryPeerParameterOfAnIpcChannel()
    {
        assertEquals("aeron:ipc?term-length=65536|linger=100000000ns|sparse=true",
            rebuild("aeron:ipc?term-length=128m|sparse=false|linger=60s|tags=1,2", "aeron:ipc"));
    }

    @Test
    void shouldKeepOnlyTheEndpointOfAUdpChannel()
    {
        assertEquals("aeron:udp?endpoint=127.0.0.1:40123|term-length=65536|linger=100000000ns|sparse=true|mtu=1408",
            rebuild("aeron:udp?endpoint=localhost:40123|linger=60s|mtu=9000|so-sndbuf=64m|control=1.2.3.4:5",
                "127.0.0.1:55555"));
    }

    @Test
    void shouldSetTheLayersSocketSendBufferOnUdpAndDropThePeers()
    {
        final int sndbuf = 256 * 1024; // under any wmem_max a Linux host starts with
        assertEquals("aeron:udp?endpoint=127.0.0.1:40123|term-length=65536|linger=100000000ns|sparse=true|mtu=1408" +
            "|so-sndbuf=262144",
            ResponseChannels.rebuild("aeron:udp?endpoint=127.0.0.1:40123|so-sndbuf=64m|so-rcvbuf=64m|rcv-wnd=1m",
                "127.0.0.1:5555", 65536, 1408, LINGER_NS, sndbuf, 0));
        assertEquals("aeron:ipc?term-length=65536|linger=100000000ns|sparse=true",
            ResponseChannels.rebuild("aeron:ipc", "aeron:ipc", 65536, 1408, LINGER_NS, sndbuf, sndbuf), "none on IPC");
        assertEquals("aeron:udp?endpoint=127.0.0.1:40123|term-length=65536|linger=100000000ns|sparse=true|mtu=1408" +
            "|so-sndbuf=262144|so-rcvbuf=131072",
            ResponseChannels.rebuild("aeron:udp?endpoint=127.0.0.1:40123|so-rcvbuf=64m", "127.0.0.1:5555", 65536,
                1408, LINGER_NS, sndbuf, 128 * 1024), "the layer's receive buffer for status messages and NAKs");
    }

    @Test
    void shouldCapTheSocketSendBufferAtWmemMax()
    {
        final int wmemMax = io.orrery.link.UdpChannels.wmemMax();
        org.junit.jupiter.api.Assumptions.assumeTrue(wmemMax > 0, "net.core.wmem_max readable");
        final String channel = ResponseChannels.rebuild(
            "aeron:udp?endpoint=127.0.0.1:40123", "127.0.0.1:5555", 65536, 1408, LINGER_NS, Integer.MAX_VALUE, 0);
        assertEquals(true, channel.endsWith("|so-sndbuf=" + wmemMax), channel);
    }

    @Test
    void shouldRefuseUdpEndpointsOnAnotherHostThanTheImage()
    {
        assertNull(rebuild("aeron:udp?endpoint=10.1.2.3:40123", "10.9.9.9:4000"));
        assertEquals("aeron:udp?endpoint=10.1.2.3:40123|term-length=65536|linger=100000000ns|sparse=true|mtu=1408",
            rebuild("aeron:udp?endpoint=10.1.2.3:40123", "10.1.2.3:4000"));
    }

    @Test
    void shouldRefuseNonLoopbackUdpForIpcPeers()
    {
        assertNull(rebuild("aeron:udp?endpoint=192.0.2.7:40123", "aeron:ipc"));
        assertEquals("aeron:udp?endpoint=127.0.0.2:40123|term-length=65536|linger=100000000ns|sparse=true|mtu=1408",
            rebuild("aeron:udp?endpoint=127.0.0.2:40123", "aeron:ipc"));
    }

    @Test
    void shouldRefuseIpcForUdpPeers()
    {
        assertNull(rebuild("aeron:ipc", "127.0.0.1:5000"));
    }

    @Test
    void shouldRefuseMulticastBroadcastWildcardNamesAndJunk()
    {
        assertNull(rebuild("aeron:udp?endpoint=224.0.1.1:40123", "aeron:ipc"));
        assertNull(rebuild("aeron:udp?endpoint=255.255.255.255:40123", "aeron:ipc"));
        assertNull(rebuild("aeron:udp?endpoint=0.0.0.0:40123", "aeron:ipc"));
        assertNull(rebuild("aeron:udp?endpoint=victim.example:40123", "aeron:ipc"));
        assertNull(rebuild("aeron:udp?endpoint=127.0.0.1:0", "aeron:ipc"));
        assertNull(rebuild("aeron:udp?endpoint=127.0.0.1:70000", "aeron:ipc"));
        assertNull(rebuild("aeron:udp?control=127.0.0.1:40123|control-mode=dynamic", "aeron:ipc"));
        assertNull(rebuild("aeron-spy:aeron:ipc", "aeron:ipc"));
        assertNull(rebuild("aeron:tcp?endpoint=127.0.0.1:1", "aeron:ipc"));
        assertNull(rebuild("not a channel", "aeron:ipc"));
        assertNull(rebuild(null, "aeron:ipc"));
        assertNull(rebuild("aeron:ipc?alias=" + "x".repeat(2000), "aeron:ipc"));
    }

    @Test
    void shouldAcceptIpv6LoopbackFromAnIpv6LoopbackImage()
    {
        assertEquals("aeron:udp?endpoint=[::1]:40123|term-length=65536|linger=100000000ns|sparse=true|mtu=1408",
            rebuild("aeron:udp?endpoint=[::1]:40123", "[::1]:5000"));
    }
}
