/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant.bridge;

import io.orrery.core.common.LinkKey;

/**
 * The key of the Replicant bridge link's challenge-response: the Gateway link's scheme ({@link LinkKey}: HMAC-SHA256
 * over role, prover's and challenger's Aeron session ids and the challenger's nonce) with a key of its own,
 * {@code K = HMAC-SHA256(link secret, "orrery-replicant-link-v1")}, so no Gateway, Atlas or Scribe link proof ever
 * verifies here.
 */
public final class ReplicantLinkKey
{
    /**
     * Key domain of the Replicant bridge link.
     */
    public static final String DOMAIN = "orrery-replicant-link-v1";
    /**
     * The layer (its bridge) proves itself to a Replicant (in its welcome).
     */
    public static final byte ROLE_LAYER = 1;
    /**
     * A Replicant in its own process proves itself to the layer.
     */
    public static final byte ROLE_REPLICANT = 7;
    /**
     * A Replicant's hello: {@code HMAC(K, 8 | Replicant's publication session id | Replicant id | hello nonce |
     * response stream id | response channel)} ({@link LinkKey#helloExtra}), so the layer spends nothing (no
     * publication, no handshake slot) on a hello from a peer without the key, and a hello taken off the wire cannot be
     * replayed naming another channel or stream (whatever a hello names, the layer answers only on its own host).
     */
    public static final byte ROLE_HELLO = 8;
    /**
     * The layer's challenge: {@code HMAC(K, 9 | layer's publication session id | Replicant's session id | the
     * Replicant's hello nonce)}, so a Replicant answers no challenge but a key holder's: a proof it sent for a
     * stranger's challenge would reach the layer, fail there and end the genuine handshake.
     */
    public static final byte ROLE_CHALLENGE = 9;
    /**
     * The layer's refusal of a verified hello while another image holds the Replicant id: {@code HMAC(K, 10 | layer's
     * publication session id | Replicant's session id | the Replicant's hello nonce)}, so a Replicant believes no
     * stranger's refusal.
     */
    public static final byte ROLE_REFUSED = 10;

    private ReplicantLinkKey()
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
