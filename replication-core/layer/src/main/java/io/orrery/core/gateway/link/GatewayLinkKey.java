/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.gateway.link;

import io.orrery.core.common.LinkKey;

/**
 * The key of the Gateway link's challenge-response: the Atlas link's scheme ({@link LinkKey}: HMAC-SHA256 over
 * role, prover's and challenger's Aeron session ids and the challenger's nonce) with a key of its own,
 * {@code K = HMAC-SHA256(link secret, "orrery-gateway-link-v1")}. The link secret is the shard's token secret unless a
 * separate one is configured; either way no Atlas link proof and no token ever verifies as a Gateway link proof.
 */
public final class GatewayLinkKey
{
    /**
     * Key domain of the Gateway link.
     */
    public static final String DOMAIN = "orrery-gateway-link-v1";
    /**
     * The layer proves itself to a Gateway (in its welcome).
     */
    public static final byte ROLE_LAYER = 1;
    /**
     * A Gateway proves itself to the layer.
     */
    public static final byte ROLE_GATEWAY = 3;
    /**
     * A Gateway's hello carries its own MAC: {@code HMAC(K, role hello | the Gateway's session id | its Gateway id |
     * its nonce | response stream id | response channel)}, so the layer spends nothing on a hello from a peer without
     * the key, and a hello taken off the wire cannot be replayed with another response channel or stream.
     */
    public static final byte ROLE_HELLO = 8;
    /**
     * Longest response channel a hello may name, in bytes; a longer one is refused (an Aeron channel URI is far
     * shorter).
     */
    public static final int MAX_HELLO_CHANNEL_LENGTH = 1024;
    /**
     * Bytes of a hello's MAC input after the {@link LinkKey} layout, at most: the response stream id, then the channel.
     */
    public static final int HELLO_EXTRA_CAPACITY = 4 + MAX_HELLO_CHANNEL_LENGTH;

    private GatewayLinkKey()
    {
    }

    /**
     * @param linkSecret the link secret (at least 16 bytes).
     * @return a key for one thread's use.
     */
    public static LinkKey newKey(final byte[] linkSecret)
    {
        return new LinkKey(linkSecret, DOMAIN);
    }

    /**
     * Lay out what a hello's MAC covers after the {@link LinkKey} fields: the response stream id (int32, little endian)
     * in the first 4 bytes of {@code dst}; the response channel's ASCII bytes follow from index 4 (the caller puts them
     * there, as it has them: a String on the Gateway, the message's bytes on the layer).
     *
     * @param responseStreamId the hello's response stream.
     * @param dst              at least {@link #HELLO_EXTRA_CAPACITY} bytes.
     */
    public static void putHelloStream(final int responseStreamId, final byte[] dst)
    {
        dst[0] = (byte)responseStreamId;
        dst[1] = (byte)(responseStreamId >>> 8);
        dst[2] = (byte)(responseStreamId >>> 16);
        dst[3] = (byte)(responseStreamId >>> 24);
    }
}
