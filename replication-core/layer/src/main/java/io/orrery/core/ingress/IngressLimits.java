/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.ingress;

import io.orrery.link.UdpChannels;

import java.util.concurrent.TimeUnit;

/**
 * What one ingress (the clients' or the game servers') accepts from peers that have not authenticated yet, and the
 * parameters the layer sets on the egress publications it opens for them. Each setting has a default overridable by
 * a system property under the prefix given to {@link #IngressLimits(String, int, int)}, for example
 * {@code orrery.client.ingress.max.message.length}.
 * <p>
 * Threading: configure before launch; read-only afterwards.
 */
public final class IngressLimits
{
    public static final String CLIENT_PREFIX = "orrery.client.ingress.";
    public static final String SERVER_PREFIX = "orrery.server.ingress.";

    private int maxMessageLength;
    private int maxTermLength;
    private int maxReassemblies;
    private int maxPendingRefusals;
    private int refusalsPerSecond;
    private int egressMtu;
    private long egressLingerNs;
    private long refusalLingerNs;
    private int socketRcvbuf;
    private int egressSocketSndbuf;
    private int receiverWindow;
    private int egressSocketRcvbuf;

    /**
     * @param prefix                  system property prefix.
     * @param defaultMaxMessageLength default longest message a peer may send.
     * @param defaultMaxTermLength    default largest term length of a peer's ingress publication.
     */
    public IngressLimits(final String prefix, final int defaultMaxMessageLength, final int defaultMaxTermLength)
    {
        maxMessageLength = Integer.getInteger(prefix + "max.message.length", defaultMaxMessageLength);
        maxTermLength = Integer.getInteger(prefix + "max.term.length", defaultMaxTermLength);
        maxReassemblies = Integer.getInteger(prefix + "max.reassemblies", 64);
        maxPendingRefusals = Integer.getInteger(prefix + "max.pending.refusals", 64);
        refusalsPerSecond = Integer.getInteger(prefix + "refusals.per.second", 200);
        egressMtu = Integer.getInteger(prefix + "egress.mtu", 1408);
        egressLingerNs = TimeUnit.MILLISECONDS.toNanos(Long.getLong(prefix + "egress.linger.ms", 500));
        refusalLingerNs = TimeUnit.MILLISECONDS.toNanos(Long.getLong(prefix + "refusal.linger.ms", 100));
        socketRcvbuf = Integer.getInteger(prefix + "so.rcvbuf", SO_RCVBUF_DEFAULT);
        egressSocketSndbuf = Integer.getInteger(prefix + "egress.so.sndbuf", UdpChannels.SO_SNDBUF_DEFAULT);
        receiverWindow = Integer.getInteger(prefix + "rcv.wnd", 0);
        egressSocketRcvbuf = Integer.getInteger(prefix + "egress.so.rcvbuf", UdpChannels.SO_RCVBUF_DEFAULT);
    }

    /**
     * Default receiver window of a UDP client ingress: 8 KiB per client, two of the longest client messages; a
     * client sends about 2 KB/s, so the window only bounds what a client can have in flight into the one ingress
     * socket (1,000 clients: 8 MiB at most, instead of 32 MiB with half a 64 KiB term each).
     */
    public static final int CLIENT_RCV_WND_DEFAULT = 8 * 1024;

    /**
     * Default socket receive buffer of a UDP ingress subscription: 4 MiB (capped at {@code net.core.rmem_max}), for
     * every peer of the shard sending into one socket.
     */
    public static final int SO_RCVBUF_DEFAULT = 4 * 1024 * 1024;

    /**
     * Limits for the client ingress: 4 KiB messages (a hello with its token and response channel is under 1.2 KiB),
     * ingress terms up to 1 MiB.
     */
    public static IngressLimits forClients()
    {
        final IngressLimits limits = new IngressLimits(CLIENT_PREFIX, 4 * 1024, 1024 * 1024);
        limits.receiverWindow = Integer.getInteger(CLIENT_PREFIX + "rcv.wnd", CLIENT_RCV_WND_DEFAULT);
        return limits;
    }

    /**
     * Limits for the server ingress: 64 KiB messages (state batches are at most 4 KiB plus one entity's state),
     * ingress terms up to 4 MiB.
     */
    public static IngressLimits forServers()
    {
        return new IngressLimits(SERVER_PREFIX, 64 * 1024, 4 * 1024 * 1024);
    }

    /**
     * @throws IllegalArgumentException naming the first setting out of range.
     */
    public void validate(final String name)
    {
        if (maxMessageLength < 256 || maxMessageLength > 16 * 1024 * 1024)
        {
            throw new IllegalArgumentException(name + ".maxMessageLength out of [256, 16 MiB]: " + maxMessageLength);
        }
        if (maxTermLength < 64 * 1024 || Integer.bitCount(maxTermLength) != 1)
        {
            throw new IllegalArgumentException(name + ".maxTermLength must be a power of two >= 64 KiB: " +
                maxTermLength);
        }
        if (maxReassemblies < 1 || maxPendingRefusals < 1 || refusalsPerSecond < 1)
        {
            throw new IllegalArgumentException(name + ": maxReassemblies, maxPendingRefusals and refusalsPerSecond " +
                "must be positive");
        }
        if (egressMtu != 0 && (egressMtu < 64 || egressMtu > 65504 || egressMtu % 32 != 0))
        {
            throw new IllegalArgumentException(name + ".egressMtu must be 0 or a multiple of 32 in [64, 65504]: " +
                egressMtu);
        }
        if (socketRcvbuf < 0 || egressSocketSndbuf < 0 || egressSocketRcvbuf < 0 || receiverWindow < 0)
        {
            throw new IllegalArgumentException(name + ": socket buffers must not be negative (0 = the OS default)");
        }
        if (egressLingerNs < 0 || refusalLingerNs < 0)
        {
            throw new IllegalArgumentException(name + ": linger must not be negative");
        }
    }

    /**
     * Longest message delivered from this ingress; longer ones are dropped and counted.
     */
    public int maxMessageLength()
    {
        return maxMessageLength;
    }

    public IngressLimits maxMessageLength(final int maxMessageLength)
    {
        this.maxMessageLength = maxMessageLength;
        return this;
    }

    /**
     * Largest term length of a peer's ingress publication; images with longer terms are rejected.
     */
    public int maxTermLength()
    {
        return maxTermLength;
    }

    public IngressLimits maxTermLength(final int maxTermLength)
    {
        this.maxTermLength = maxTermLength;
        return this;
    }

    /**
     * Fragmented messages in reassembly at once (each holds a buffer of at most the maximum message length).
     */
    public int maxReassemblies()
    {
        return maxReassemblies;
    }

    public IngressLimits maxReassemblies(final int maxReassemblies)
    {
        this.maxReassemblies = maxReassemblies;
        return this;
    }

    /**
     * Refused hellos whose reject is still waiting for its publication to connect; beyond it, hellos that would be
     * refused are dropped unanswered (counted). Refusals never count against the session capacity.
     */
    public int maxPendingRefusals()
    {
        return maxPendingRefusals;
    }

    public IngressLimits maxPendingRefusals(final int maxPendingRefusals)
    {
        this.maxPendingRefusals = maxPendingRefusals;
        return this;
    }

    /**
     * Refusals answered per second (a token bucket with a burst of one second's worth); beyond it, hellos that
     * would be refused are dropped unanswered (counted).
     */
    public int refusalsPerSecond()
    {
        return refusalsPerSecond;
    }

    public IngressLimits refusalsPerSecond(final int refusalsPerSecond)
    {
        this.refusalsPerSecond = refusalsPerSecond;
        return this;
    }

    /**
     * Socket receive buffer ({@code so-rcvbuf}) the layer sets on this ingress's subscription when it is UDP and
     * names none (0: the OS default; capped at {@code net.core.rmem_max}).
     */
    public int socketRcvbuf()
    {
        return socketRcvbuf;
    }

    public IngressLimits socketRcvbuf(final int socketRcvbuf)
    {
        this.socketRcvbuf = socketRcvbuf;
        return this;
    }

    /**
     * Socket send buffer ({@code so-sndbuf}) of UDP egress publications (0: the OS default; capped at
     * {@code net.core.wmem_max}). One value for every publication: publications to one endpoint share a socket and
     * the media driver refuses a mismatch.
     */
    public int egressSocketSndbuf()
    {
        return egressSocketSndbuf;
    }

    public IngressLimits egressSocketSndbuf(final int egressSocketSndbuf)
    {
        this.egressSocketSndbuf = egressSocketSndbuf;
        return this;
    }

    /**
     * Socket receive buffer ({@code so-rcvbuf}) of UDP egress publications (0: the OS default; capped at
     * {@code net.core.rmem_max}): a publication's socket receives the status messages and NAKs of every session
     * sent to that endpoint; at the OS default (208 KiB) it dropped millions of them under load.
     */
    public int egressSocketRcvbuf()
    {
        return egressSocketRcvbuf;
    }

    public IngressLimits egressSocketRcvbuf(final int egressSocketRcvbuf)
    {
        this.egressSocketRcvbuf = egressSocketRcvbuf;
        return this;
    }

    /**
     * Receiver window ({@code rcv-wnd}) of each peer's image on a UDP ingress (0: Aeron's default, the smaller of
     * 128 KiB and half the peer's term; clients: {@link #CLIENT_RCV_WND_DEFAULT}).
     */
    public int receiverWindow()
    {
        return receiverWindow;
    }

    public IngressLimits receiverWindow(final int receiverWindow)
    {
        this.receiverWindow = receiverWindow;
        return this;
    }

    /**
     * @param channel the ingress channel.
     * @return it with this ingress's socket receive buffer and receiver window if UDP and the channel names none
     * (see {@link UdpChannels#tune}).
     */
    public String tuneIngressChannel(final String channel)
    {
        return UdpChannels.tune(channel, socketRcvbuf, 0, receiverWindow, System.out);
    }

    /**
     * MTU of UDP egress publications, or 0 for the driver's default.
     */
    public int egressMtu()
    {
        return egressMtu;
    }

    public IngressLimits egressMtu(final int egressMtu)
    {
        this.egressMtu = egressMtu;
        return this;
    }

    /**
     * Linger of a session's egress publication after close, so its last messages (a disconnect) can be delivered.
     */
    public long egressLingerNs()
    {
        return egressLingerNs;
    }

    public IngressLimits egressLingerNs(final long egressLingerNs)
    {
        this.egressLingerNs = egressLingerNs;
        return this;
    }

    /**
     * Linger of the publication that carries a reject.
     */
    public long refusalLingerNs()
    {
        return refusalLingerNs;
    }

    public IngressLimits refusalLingerNs(final long refusalLingerNs)
    {
        this.refusalLingerNs = refusalLingerNs;
        return this;
    }
}
