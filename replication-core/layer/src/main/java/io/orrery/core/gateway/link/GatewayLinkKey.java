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
     * its nonce | response stream id | response channel)} ({@link LinkKey#helloExtra}), so the layer spends nothing
     * on a hello from a peer without the key, and a hello taken off the wire cannot be replayed with another response
     * channel or stream.
     */
    public static final byte ROLE_HELLO = 8;

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
}
