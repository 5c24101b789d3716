/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.ingress;

import io.aeron.ChannelUri;
import io.orrery.link.UdpChannels;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

class IngressLimitsTest
{
    @Test
    void shouldSetTheLayersBuffersAndClientWindowOnAUdpClientIngress()
    {
        final ChannelUri uri = ChannelUri.parse(
            IngressLimits.forClients().tuneIngressChannel("aeron:udp?endpoint=127.0.0.1:40123"));
        final int rmemMax = UdpChannels.rmemMax();
        final int rcvbuf = rmemMax > 0 ? Math.min(rmemMax, IngressLimits.SO_RCVBUF_DEFAULT) :
            IngressLimits.SO_RCVBUF_DEFAULT;
        assertEquals(String.valueOf(rcvbuf), uri.get("so-rcvbuf"));
        assertEquals(String.valueOf(Math.min(rcvbuf, IngressLimits.CLIENT_RCV_WND_DEFAULT)), uri.get("rcv-wnd"));
    }

    @Test
    void shouldLeaveTheServersWindowToAeronAndIpcUntouched()
    {
        final ChannelUri uri = ChannelUri.parse(
            IngressLimits.forServers().tuneIngressChannel("aeron:udp?endpoint=127.0.0.1:40124"));
        assertNull(uri.get("rcv-wnd"));
        final String ipc = "aeron:ipc?term-length=64k";
        assertSame(ipc, IngressLimits.forClients().tuneIngressChannel(ipc));
    }

    @Test
    void shouldKeepWhatTheOperatorWroteOnTheChannel()
    {
        final ChannelUri uri = ChannelUri.parse(IngressLimits.forClients()
            .tuneIngressChannel("aeron:udp?endpoint=127.0.0.1:40123|so-rcvbuf=1048576|rcv-wnd=65536"));
        assertEquals("1048576", uri.get("so-rcvbuf"));
        assertEquals("65536", uri.get("rcv-wnd"));
    }
}
