/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.link;

import io.aeron.ChannelUri;
import io.aeron.CommonContext;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Socket buffer and receiver window defaults for the UDP channels Orrery creates. Aeron's own defaults (the
 * operating system's socket buffers, 128 KiB receiver window) are made for one stream per socket; a bot host or a
 * layer puts many sessions on one socket, and every session may have a receiver window in flight at once, so a
 * socket receive buffer smaller than {@code sessions x window} drops datagrams under load, the receivers NAK and the
 * senders retransmit (a NAK storm: 0.9-1.5 M NAKs with 200 bots on one 128 KiB endpoint).
 * <p>
 * {@link #tune(String, int, int, int)} adds {@code so-rcvbuf}, {@code so-sndbuf} and {@code rcv-wnd} to a UDP
 * channel that does not name them (a value the caller wrote is kept), capped at the kernel's
 * {@code net.core.rmem_max} / {@code wmem_max} (read from {@code /proc} where available: Linux silently caps a
 * larger request there). IPC channels are returned unchanged.
 * <p>
 * Threading: stateless apart from the limits read once; allocates, so call it when channels are built, never on a
 * hot path.
 */
public final class UdpChannels
{
    /**
     * Socket receive buffer set by default on the UDP subscriptions Orrery creates: 2 MiB.
     */
    public static final int SO_RCVBUF_DEFAULT = 2 * 1024 * 1024;

    /**
     * Socket send buffer set by default on the UDP publications Orrery creates: 1 MiB.
     */
    public static final int SO_SNDBUF_DEFAULT = 1024 * 1024;

    /**
     * Receiver window set by default on the UDP subscriptions Orrery creates: 32 KiB, half the layer's egress term
     * (a session's window is the smaller of this and half the sender's term length anyway).
     */
    public static final int RCV_WND_DEFAULT = 32 * 1024;

    /**
     * Receiver window set by default on the subscriptions of the links between Orrery's own processes
     * ({@link #tuneLink}): 1 MiB, half the {@link #SO_RCVBUF_DEFAULT} it comes with.
     */
    public static final int LINK_RCV_WND_DEFAULT = 1024 * 1024;

    /**
     * Aeron's default receiver window ({@code aeron.rcv.initial.window.length}): 128 KiB.
     */
    static final int AERON_WINDOW_DEFAULT = 128 * 1024;

    /**
     * Kernel limit files; Linux only.
     */
    static final Path RMEM_MAX = Paths.get("/proc/sys/net/core/rmem_max");
    static final Path WMEM_MAX = Paths.get("/proc/sys/net/core/wmem_max");

    private static final int RMEM_MAX_VALUE = readLimit(RMEM_MAX);
    private static final int WMEM_MAX_VALUE = readLimit(WMEM_MAX);

    /**
     * Aeron's system property for the delay before a receiver NAKs a gap (a NAK for the same gap is retried every
     * delay × {@code aeron.nak.unicast.retry.delay.ratio}, default 100).
     */
    public static final String NAK_UNICAST_DELAY_PROP = "aeron.nak.unicast.delay";
    /**
     * The NAK delay Orrery's embedded media drivers use unless {@link #NAK_UNICAST_DELAY_PROP} is set: 1 ms, so a NAK
     * for the same gap is retried every 100 ms. Aeron's default (1 µs, retried every 100 µs) made a 1,000-bot swarm on
     * a loaded host send 8 M NAKs in 30 s to publications whose control sockets then overflowed.
     */
    public static final long NAK_UNICAST_DELAY_NS_DEFAULT = 1_000_000;

    private UdpChannels()
    {
    }

    /**
     * Several channels in one setting (several Gateways, or several ingress endpoints of one layer), separated by
     * commas.
     *
     * @param channels one channel, or several separated by commas.
     * @return each channel, trimmed, without empty entries.
     */
    public static String[] split(final String channels)
    {
        final java.util.ArrayList<String> list = new java.util.ArrayList<>();
        for (final String channel : channels.split(","))
        {
            if (!channel.isBlank())
            {
                list.add(channel.trim());
            }
        }
        return list.toArray(new String[0]);
    }

    /**
     * @return the unicast NAK delay for an embedded media driver: {@link #NAK_UNICAST_DELAY_PROP} if set (Aeron's
     * duration syntax, e.g. {@code 500us}), else {@link #NAK_UNICAST_DELAY_NS_DEFAULT}.
     */
    public static long nakUnicastDelayNs()
    {
        return org.agrona.SystemUtil.getDurationInNanos(NAK_UNICAST_DELAY_PROP, NAK_UNICAST_DELAY_NS_DEFAULT);
    }

    /**
     * @return {@code net.core.rmem_max}, or 0 where it cannot be read (not Linux).
     */
    public static int rmemMax()
    {
        return RMEM_MAX_VALUE;
    }

    /**
     * @return {@code net.core.wmem_max}, or 0 where it cannot be read (not Linux).
     */
    public static int wmemMax()
    {
        return WMEM_MAX_VALUE;
    }

    /**
     * A channel with a term length where it names none. A layer refuses ingress images whose term is above its
     * limit, and Aeron's default UDP term is 16 MiB, so a link's ingress publication names its own.
     *
     * @param channel    an Aeron channel (IPC or UDP).
     * @param termLength the term length to add, in Aeron's channel syntax, e.g. {@code 64k} or {@code 1m}.
     * @return the channel unchanged if it names a term length, else with this one.
     */
    public static String withTermLength(final String channel, final String termLength)
    {
        final ChannelUri uri = ChannelUri.parse(channel);
        if (null != uri.get(CommonContext.TERM_LENGTH_PARAM_NAME))
        {
            return channel;
        }
        uri.put(CommonContext.TERM_LENGTH_PARAM_NAME, termLength);
        return uri.toString();
    }

    /**
     * @param channel an Aeron channel.
     * @return true if its media is UDP.
     */
    public static boolean isUdp(final String channel)
    {
        return null != channel && channel.startsWith(CommonContext.UDP_CHANNEL);
    }

    /**
     * Add socket buffers and a receiver window to a UDP channel, each only where the channel names none and only
     * when positive; IPC channels are returned unchanged. Buffers are capped at the kernel's limits (reported on
     * {@code log} when capped, if it is not null); the receiver window at the receive buffer (Aeron refuses a window
     * larger than the socket's receive buffer).
     *
     * @param channel  the channel.
     * @param soRcvbuf socket receive buffer wanted, or 0 for none.
     * @param soSndbuf socket send buffer wanted, or 0 for none.
     * @param rcvWnd   receiver window wanted, or 0 for none.
     * @param log      where a cap is reported, or null.
     * @return the channel with the parameters.
     */
    public static String tune(
        final String channel, final int soRcvbuf, final int soSndbuf, final int rcvWnd, final PrintStream log)
    {
        if (!isUdp(channel))
        {
            return channel;
        }
        final ChannelUri uri = ChannelUri.parse(channel);
        int rcvbuf = 0;
        if (soRcvbuf > 0 && null == uri.get(CommonContext.SOCKET_RCVBUF_PARAM_NAME))
        {
            rcvbuf = cap(soRcvbuf, RMEM_MAX_VALUE, "so-rcvbuf", "net.core.rmem_max", log);
            uri.put(CommonContext.SOCKET_RCVBUF_PARAM_NAME, Integer.toString(rcvbuf));
        }
        if (soSndbuf > 0 && null == uri.get(CommonContext.SOCKET_SNDBUF_PARAM_NAME))
        {
            uri.put(CommonContext.SOCKET_SNDBUF_PARAM_NAME,
                Integer.toString(cap(soSndbuf, WMEM_MAX_VALUE, "so-sndbuf", "net.core.wmem_max", log)));
        }
        if (null == uri.get(CommonContext.RECEIVER_WINDOW_LENGTH_PARAM_NAME))
        {
            // Aeron refuses a subscription whose window exceeds its so-rcvbuf, its default window included
            final int wanted = rcvWnd > 0 ? rcvWnd : (rcvbuf > 0 && rcvbuf < AERON_WINDOW_DEFAULT ? rcvbuf : 0);
            final int window = rcvbuf > 0 ? Math.min(wanted, rcvbuf) : wanted;
            if (window > 0)
            {
                uri.put(CommonContext.RECEIVER_WINDOW_LENGTH_PARAM_NAME, Integer.toString(window));
            }
        }
        return uri.toString();
    }

    /**
     * {@link #tune(String, int, int, int, PrintStream)} with the defaults and no log.
     */
    public static String tune(final String channel)
    {
        return tune(channel, SO_RCVBUF_DEFAULT, SO_SNDBUF_DEFAULT, RCV_WND_DEFAULT, null);
    }

    /**
     * The receiving end of a link between two of Orrery's processes (a remote Replicant's bridge and feed, a Gateway
     * process's link, a remote Scribe's link): one sender per image carrying what many sessions' traffic adds up to,
     * in bursts (a wave of joins, a region load). With the operating system's socket receive buffer (208 KiB on
     * stock kernels, less than Aeron's 128 KiB window once the kernel counts each datagram's overhead) a receiver
     * that falls behind for a few milliseconds drops datagrams, and a dropped retransmission costs 100 ms (the NAK
     * retry, {@link #NAK_UNICAST_DELAY_NS_DEFAULT}). So: {@link #SO_RCVBUF_DEFAULT}, {@link #SO_SNDBUF_DEFAULT} and a
     * receiver window of {@link #LINK_RCV_WND_DEFAULT}, each only where the channel names none, capped as in
     * {@link #tune(String, int, int, int, PrintStream)}; IPC channels unchanged.
     *
     * @param channel the link's channel as configured.
     * @return the channel to subscribe with.
     */
    public static String tuneLink(final String channel)
    {
        return tune(channel, SO_RCVBUF_DEFAULT, SO_SNDBUF_DEFAULT, LINK_RCV_WND_DEFAULT, null);
    }

    /**
     * Socket receive buffer for an endpoint that {@code sessions} sessions share, each with a receiver window of
     * {@code window}: every window in flight at once, plus a quarter, at least {@link #SO_RCVBUF_DEFAULT}; not capped
     * here ({@link #tune} caps at {@code rmem_max}).
     */
    public static int rcvbufFor(final int sessions, final int window)
    {
        final long wanted = (long)sessions * window * 5 / 4;
        return (int)Math.min(Integer.MAX_VALUE, Math.max(SO_RCVBUF_DEFAULT, wanted));
    }

    /**
     * @param channel a UDP channel.
     * @return its {@code endpoint} port, or -1 if it names none.
     */
    public static int endpointPort(final String channel)
    {
        final String endpoint = ChannelUri.parse(channel).get(CommonContext.ENDPOINT_PARAM_NAME);
        if (null == endpoint)
        {
            return -1;
        }
        final int colon = endpoint.lastIndexOf(':');
        try
        {
            return colon < 0 ? -1 : Integer.parseInt(endpoint.substring(colon + 1));
        }
        catch (final NumberFormatException ex)
        {
            return -1;
        }
    }

    /**
     * @param channel a UDP channel with an endpoint.
     * @param port    the port to put in its place.
     * @return the channel with the endpoint's port replaced.
     */
    public static String withEndpointPort(final String channel, final int port)
    {
        final ChannelUri uri = ChannelUri.parse(channel);
        final String endpoint = uri.get(CommonContext.ENDPOINT_PARAM_NAME);
        if (null == endpoint || endpoint.lastIndexOf(':') < 0)
        {
            throw new IllegalArgumentException("no endpoint port in " + channel);
        }
        uri.put(CommonContext.ENDPOINT_PARAM_NAME, endpoint.substring(0, endpoint.lastIndexOf(':') + 1) + port);
        return uri.toString();
    }

    static int cap(final int wanted, final int limit, final String name, final String limitName, final PrintStream log)
    {
        if (limit > 0 && wanted > limit)
        {
            if (null != log)
            {
                log.println("UDP: " + name + " " + wanted + " capped at " + limitName + " = " + limit +
                    " (raise it with sysctl -w " + limitName + "=" + wanted + " for the full buffer)");
            }
            return limit;
        }
        return wanted;
    }

    static int readLimit(final Path path)
    {
        try
        {
            if (!Files.isReadable(path))
            {
                return 0;
            }
            final String text;
            try (BufferedReader reader = Files.newBufferedReader(path, StandardCharsets.US_ASCII))
            {
                // readAllBytes trusts the size /proc reports and may return a truncated value
                text = String.valueOf(reader.readLine()).trim();
            }
            final long value = Long.parseLong(text);
            return (int)Math.min(Integer.MAX_VALUE, Math.max(0, value));
        }
        catch (final IOException | RuntimeException ex)
        {
            return 0;
        }
    }
}
