/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.gateway.link;

import io.orrery.core.ingress.IngressLimits;

import java.util.concurrent.TimeUnit;

/**
 * Settings of the layer's Gateway link (Gateways in their own processes): the channel and stream the layer listens
 * on, the term length of the publication it opens to each Gateway, how long a Gateway may be silent, what the link
 * accepts from peers, and the link secret. Every setting has a default overridable by the system property named in
 * its constant; no channel (the default) means no Gateway link.
 * <p>
 * Threading: set before launch; read-only once the layer runs.
 */
public final class GatewayLinkSettings
{
    public static final String CHANNEL_PROP = "orrery.gateway.link.channel";
    public static final String STREAM_ID_PROP = "orrery.gateway.link.stream.id";
    public static final int STREAM_ID_DEFAULT = 1501;
    public static final String TERM_LENGTH_PROP = "orrery.gateway.link.term.length";
    public static final int TERM_LENGTH_DEFAULT = 8 * 1024 * 1024;
    public static final String TIMEOUT_MS_PROP = "orrery.gateway.link.timeout.ms";
    public static final long TIMEOUT_MS_DEFAULT = 2000;
    public static final String TOKEN_VERIFICATIONS_PER_SECOND_PROP =
        "orrery.gateway.link.token.verifications.per.second";
    /**
     * Four times a Gateway's own default budget of hellos ({@code GatewayContext}'s 250 a second), so that a genuine
     * Gateway, which opens a session only for a hello it verified, is not held back.
     */
    public static final int TOKEN_VERIFICATIONS_PER_SECOND_DEFAULT = 1000;
    /**
     * Prefix of the link's {@link IngressLimits} properties.
     */
    public static final String LIMITS_PREFIX = "orrery.gateway.link.";

    private String channel = System.getProperty(CHANNEL_PROP);
    private int streamId = Integer.getInteger(STREAM_ID_PROP, STREAM_ID_DEFAULT);
    private int termLength = Integer.getInteger(TERM_LENGTH_PROP, TERM_LENGTH_DEFAULT);
    private long timeoutNs = TimeUnit.MILLISECONDS.toNanos(Long.getLong(TIMEOUT_MS_PROP, TIMEOUT_MS_DEFAULT));
    private byte[] linkSecret;
    private int tokenVerificationsPerSecond =
        Integer.getInteger(TOKEN_VERIFICATIONS_PER_SECOND_PROP, TOKEN_VERIFICATIONS_PER_SECOND_DEFAULT);
    private IngressLimits limits = new IngressLimits(LIMITS_PREFIX, GatewayLinkAgent.MAX_MESSAGE_LENGTH,
        64 * 1024 * 1024);

    /**
     * @return the channel the layer listens on for Gateways, or null for none.
     */
    public String channel()
    {
        return channel;
    }

    public GatewayLinkSettings channel(final String channel)
    {
        this.channel = channel;
        return this;
    }

    public int streamId()
    {
        return streamId;
    }

    public GatewayLinkSettings streamId(final int streamId)
    {
        this.streamId = streamId;
        return this;
    }

    /**
     * @return term length of the publication the layer opens to each Gateway (every session's messages share it).
     */
    public int termLength()
    {
        return termLength;
    }

    public GatewayLinkSettings termLength(final int termLength)
    {
        this.termLength = termLength;
        return this;
    }

    /**
     * @return a linked Gateway heard from for no longer than this is lost (it reports at least every 100 ms).
     */
    public long timeoutNs()
    {
        return timeoutNs;
    }

    public GatewayLinkSettings timeoutNs(final long timeoutNs)
    {
        this.timeoutNs = timeoutNs;
        return this;
    }

    /**
     * @return the secret the link key is derived from, or null for the shard's token secret.
     */
    public byte[] linkSecret()
    {
        return linkSecret;
    }

    public GatewayLinkSettings linkSecret(final byte[] linkSecret)
    {
        this.linkSecret = linkSecret;
        return this;
    }

    /**
     * @return costly (Ed25519) player token verifications the layer runs per second for the sessions one linked
     * Gateway opens (each Gateway its own bucket, a one-second burst); a {@code SessionOpened} beyond it waits in that
     * Gateway's stream until its budget refills: delayed, never refused, and no other Gateway waits. HMAC
     * verifications are not budgeted.
     */
    public int tokenVerificationsPerSecond()
    {
        return tokenVerificationsPerSecond;
    }

    public GatewayLinkSettings tokenVerificationsPerSecond(final int tokenVerificationsPerSecond)
    {
        this.tokenVerificationsPerSecond = tokenVerificationsPerSecond;
        return this;
    }

    /**
     * @return what the link accepts from peers (message and term lengths, reassemblies) and the parameters of the
     * publications the layer opens to Gateways.
     */
    public IngressLimits limits()
    {
        return limits;
    }

    public GatewayLinkSettings limits(final IngressLimits limits)
    {
        this.limits = limits;
        return this;
    }

    /**
     * @throws IllegalArgumentException naming the first setting out of range.
     */
    public void validate()
    {
        if (termLength < 64 * 1024 || Integer.bitCount(termLength) != 1)
        {
            throw new IllegalArgumentException("gateway link termLength must be a power of two >= 64 KiB");
        }
        if (timeoutNs <= 0)
        {
            throw new IllegalArgumentException("gateway link timeoutNs must be positive");
        }
        if (tokenVerificationsPerSecond <= 0)
        {
            throw new IllegalArgumentException("gateway link tokenVerificationsPerSecond must be positive");
        }
        limits.validate("gatewayLinkLimits");
    }
}
