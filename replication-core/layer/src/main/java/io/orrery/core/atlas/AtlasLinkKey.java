/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.orrery.core.common.LinkKey;

/**
 * The key of the Atlas link's challenge-response ({@link AtlasLinkAuthenticator}): a dedicated key derived from the
 * shard's token secret, {@code K = HMAC-SHA256(token secret, "orrery-atlas-link-v1")} ({@link #DOMAIN}), so the
 * layer and its Atlas process need the same token secret, and no player or server token ever verifies as a link proof
 * (they are signed with keys derived in domains of their own).
 * <p>
 * A proof is {@code HMAC-SHA256(K, role | proverSessionId | challengerSessionId | nonce)}: the role of the prover
 * ({@link #ROLE_LAYER} or {@link #ROLE_ATLAS}: one side's proof is never the other side's), the Aeron session id of the
 * prover's publication (the image being authenticated), the Aeron session id of the challenger's publication and the
 * challenger's 16-byte nonce. Layout of the MAC input (25 bytes, little endian):
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------+-----------------------------------------------+
 *  |     Role      |          Prover Session Id (int32)   ...      |
 *  +---------------+-----------------------------------------------+
 *  |  ...          |        Challenger Session Id (int32) ...      |
 *  +---------------+-----------------------------------------------+
 *  |  ...          |             Nonce, 16 bytes          ...      |
 *  +---------------+-----------------------------------------------+
 * </pre>
 * The HMAC is {@link LinkKey}'s. Not thread safe: one instance per thread. Used on the handshake path only.
 */
public final class AtlasLinkKey
{
    /**
     * Key domain of the Atlas link.
     */
    public static final String DOMAIN = "orrery-atlas-link-v1";
    public static final int NONCE_LENGTH = LinkKey.NONCE_LENGTH;
    public static final int MAC_LENGTH = LinkKey.MAC_LENGTH;
    /**
     * The layer proves itself to Atlas (on the command stream).
     */
    public static final byte ROLE_LAYER = 1;
    /**
     * Atlas proves itself to the layer (on the decision stream).
     */
    public static final byte ROLE_ATLAS = 2;

    private final LinkKey key;

    /**
     * @param tokenSecret the shard's token secret (at least 16 bytes).
     */
    public AtlasLinkKey(final byte[] tokenSecret)
    {
        if (null == tokenSecret || tokenSecret.length < 16)
        {
            throw new IllegalArgumentException("Atlas link: the token secret must be at least 16 bytes");
        }
        key = new LinkKey(tokenSecret, DOMAIN);
    }

    /**
     * Computes a proof.
     *
     * @param role                {@link #ROLE_LAYER} or {@link #ROLE_ATLAS}: who proves.
     * @param proverSessionId     Aeron session id of the prover's publication.
     * @param challengerSessionId Aeron session id of the challenger's publication.
     * @param nonce               the challenger's nonce ({@link #NONCE_LENGTH} bytes).
     * @param out                 receives the {@link #MAC_LENGTH} bytes of the proof at {@code outOffset}.
     */
    public void prove(
        final byte role,
        final int proverSessionId,
        final int challengerSessionId,
        final byte[] nonce,
        final byte[] out,
        final int outOffset)
    {
        key.prove(role, proverSessionId, challengerSessionId, nonce, out, outOffset);
    }

    /**
     * Checks a proof in constant time with respect to its bytes.
     *
     * @return whether {@code proof} is the proof of these inputs.
     */
    public boolean verify(
        final byte role,
        final int proverSessionId,
        final int challengerSessionId,
        final byte[] nonce,
        final byte[] proof)
    {
        return key.verify(role, proverSessionId, challengerSessionId, nonce, proof);
    }
}
