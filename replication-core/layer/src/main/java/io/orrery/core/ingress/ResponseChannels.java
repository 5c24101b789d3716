/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.ingress;

import io.aeron.ChannelUri;
import io.aeron.CommonContext;
import io.orrery.link.UdpChannels;

/**
 * Builds the channel of an egress publication from the response channel a peer named in its hello. Nothing the peer
 * wrote is passed to the media driver except the media and, for UDP, the endpoint: term length, MTU, sparseness and
 * linger (and on UDP the socket send buffer) are the layer's, and every other parameter (control endpoints, tags,
 * session ids, socket buffers, ...) is dropped. The endpoint must be an address literal and may not send the layer's
 * traffic to a third party:
 * <ul>
 *   <li>a peer whose ingress image is UDP may only name a UDP endpoint on the host its image comes from
 *       ({@link io.aeron.Image#sourceIdentity()}), or on loopback if its image comes from loopback;</li>
 *   <li>a peer whose ingress image is IPC (it is attached to the layer's media driver) may name IPC, or UDP on a
 *       loopback address;</li>
 *   <li>multicast, broadcast and wildcard addresses and host names are refused (no name lookup on an agent
 *       thread, and none an attacker could steer).</li>
 * </ul>
 * Threading: stateless; allocates, so call it on the control path (hellos) only.
 */
public final class ResponseChannels
{
    /**
     * Longest response channel accepted from a peer.
     */
    public static final int MAX_REQUESTED_LENGTH = 1024;

    private ResponseChannels()
    {
    }

    /**
     * Rebuild a peer's response channel from the allow-list.
     *
     * @param requested      the response channel the peer named.
     * @param sourceIdentity {@link io.aeron.Image#sourceIdentity()} of the peer's ingress image.
     * @param termLength     term length the layer sets.
     * @param mtu            MTU the layer sets on UDP, or 0 for the driver's default.
     * @param lingerNs       linger the layer sets.
     * @return the channel to publish on, or null if the request is refused.
     */
    public static String rebuild(
        final String requested, final String sourceIdentity, final int termLength, final int mtu, final long lingerNs)
    {
        return rebuild(requested, sourceIdentity, termLength, mtu, lingerNs, 0, 0);
    }

    /**
     * Rebuild a peer's response channel from the allow-list, with the layer's socket buffers on UDP.
     *
     * @param requested      the response channel the peer named.
     * @param sourceIdentity {@link io.aeron.Image#sourceIdentity()} of the peer's ingress image.
     * @param termLength     term length the layer sets.
     * @param mtu            MTU the layer sets on UDP, or 0 for the driver's default.
     * @param lingerNs       linger the layer sets.
     * @param soSndbuf       socket send buffer the layer sets on UDP ({@code so-sndbuf}, capped at
     *                       {@code net.core.wmem_max}), or 0 for the OS default. The same for every publication of
     *                       the layer: publications to one endpoint share a socket.
     * @param soRcvbuf       socket receive buffer the layer sets on UDP ({@code so-rcvbuf}, capped at
     *                       {@code net.core.rmem_max}), or 0 for the OS default: the publication's socket receives
     *                       the status messages and NAKs of every session it serves.
     * @return the channel to publish on, or null if the request is refused.
     */
    public static String rebuild(
        final String requested,
        final String sourceIdentity,
        final int termLength,
        final int mtu,
        final long lingerNs,
        final int soSndbuf,
        final int soRcvbuf)
    {
        if (null == requested || requested.length() > MAX_REQUESTED_LENGTH || null == sourceIdentity)
        {
            return null;
        }

        final ChannelUri uri;
        try
        {
            uri = ChannelUri.parse(requested);
        }
        catch (final RuntimeException ex)
        {
            return null;
        }

        if (null != uri.prefix() && !uri.prefix().isEmpty())
        {
            return null; // spy or other prefixed channels
        }

        final boolean fromIpc = sourceIdentity.startsWith(CommonContext.IPC_MEDIA) ||
            sourceIdentity.startsWith(CommonContext.IPC_CHANNEL);
        final String tail = "term-length=" + termLength + "|linger=" + lingerNs + "ns|sparse=true";
        if (CommonContext.IPC_MEDIA.equals(uri.media()))
        {
            return fromIpc ? CommonContext.IPC_CHANNEL + "?" + tail : null;
        }
        if (!CommonContext.UDP_MEDIA.equals(uri.media()))
        {
            return null;
        }

        final String endpoint = uri.get(CommonContext.ENDPOINT_PARAM_NAME);
        final String host = hostOf(endpoint);
        final int port = portOf(endpoint);
        if (null == host || port <= 0 || port > 65535)
        {
            return null;
        }

        final String address = addressLiteral(host);
        if (null == address || !isUnicast(address))
        {
            return null;
        }

        if (fromIpc)
        {
            if (!isLoopback(address))
            {
                return null;
            }
        }
        else
        {
            final String sourceAddress = addressLiteral(hostOf(sourceIdentity));
            if (null == sourceAddress || !(sourceAddress.equals(address) ||
                (isLoopback(sourceAddress) && isLoopback(address))))
            {
                return null;
            }
        }

        final String endpointOut = address.indexOf(':') >= 0 ? "[" + address + "]:" + port : address + ":" + port;
        return CommonContext.UDP_CHANNEL + "?endpoint=" + endpointOut + "|" + tail +
            (mtu > 0 ? "|mtu=" + mtu : "") +
            (soSndbuf > 0 ? "|so-sndbuf=" + capped(soSndbuf, UdpChannels.wmemMax()) : "") +
            (soRcvbuf > 0 ? "|so-rcvbuf=" + capped(soRcvbuf, UdpChannels.rmemMax()) : "");
    }

    private static int capped(final int wanted, final int limit)
    {
        return limit > 0 ? Math.min(limit, wanted) : wanted;
    }

    /**
     * @param endpoint {@code host:port} or {@code [v6]:port}.
     * @return the host part without brackets, or null.
     */
    static String hostOf(final String endpoint)
    {
        if (null == endpoint || endpoint.isEmpty())
        {
            return null;
        }
        if (endpoint.charAt(0) == '[')
        {
            final int close = endpoint.indexOf(']');
            return close > 1 ? endpoint.substring(1, close) : null;
        }
        final int colon = endpoint.lastIndexOf(':');
        return colon > 0 ? endpoint.substring(0, colon) : null;
    }

    static int portOf(final String endpoint)
    {
        if (null == endpoint)
        {
            return -1;
        }
        final int colon = endpoint.lastIndexOf(':');
        if (colon < 0 || colon == endpoint.length() - 1 || endpoint.length() - colon > 6)
        {
            return -1;
        }
        int port = 0;
        for (int i = colon + 1; i < endpoint.length(); i++)
        {
            final char c = endpoint.charAt(i);
            if (c < '0' || c > '9')
            {
                return -1;
            }
            port = port * 10 + (c - '0');
        }
        return port;
    }

    /**
     * @return a canonical IPv4 dotted quad or lower-case IPv6 literal, "127.0.0.1" for "localhost", or null for
     * anything else (host names are never resolved).
     */
    static String addressLiteral(final String host)
    {
        if (null == host || host.isEmpty() || host.length() > 64)
        {
            return null;
        }
        if ("localhost".equalsIgnoreCase(host))
        {
            return "127.0.0.1";
        }
        if (host.indexOf(':') >= 0)
        {
            for (int i = 0; i < host.length(); i++)
            {
                final char c = Character.toLowerCase(host.charAt(i));
                if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == ':'))
                {
                    return null; // no zone ids, no embedded IPv4
                }
            }
            return "::1".equals(host) || "0:0:0:0:0:0:0:1".equals(host) ? "::1" : host.toLowerCase();
        }

        int octets = 0;
        int value = -1;
        final StringBuilder canonical = new StringBuilder(15);
        for (int i = 0; i <= host.length(); i++)
        {
            final char c = i < host.length() ? host.charAt(i) : '.';
            if (c == '.')
            {
                if (value < 0 || value > 255)
                {
                    return null;
                }
                if (octets > 0)
                {
                    canonical.append('.');
                }
                canonical.append(value);
                octets++;
                value = -1;
            }
            else if (c >= '0' && c <= '9')
            {
                value = value < 0 ? c - '0' : value * 10 + (c - '0');
                if (value > 255)
                {
                    return null;
                }
            }
            else
            {
                return null;
            }
        }
        return 4 == octets ? canonical.toString() : null;
    }

    static boolean isLoopback(final String address)
    {
        return address.startsWith("127.") || "::1".equals(address);
    }

    static boolean isUnicast(final String address)
    {
        if (address.indexOf(':') >= 0)
        {
            return !address.startsWith("ff") && !"::".equals(address);
        }
        final int first = Integer.parseInt(address.substring(0, address.indexOf('.')));
        return first != 0 && first < 224 && !"255.255.255.255".equals(address);
    }
}
