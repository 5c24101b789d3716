/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.orrery.core.auth.SessionTokens;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Atlas link's proofs are bound to the key, the prover's role, both Aeron session ids and the nonce.
 */
class AtlasLinkKeyTest
{
    private static final byte[] SECRET = "atlas-link-key-test-secret-0123".getBytes(StandardCharsets.UTF_8);
    private static final byte[] OTHER_SECRET = "another-secret-of-enough-length".getBytes(StandardCharsets.UTF_8);
    private static final int PROVER = 1234567;
    private static final int CHALLENGER = -7654321;

    private final AtlasLinkKey key = new AtlasLinkKey(SECRET);
    private final byte[] nonce = nonce(7);
    private final byte[] proof = new byte[AtlasLinkKey.MAC_LENGTH];

    private static byte[] nonce(final int seed)
    {
        final byte[] nonce = new byte[AtlasLinkKey.NONCE_LENGTH];
        Arrays.fill(nonce, (byte)seed);
        return nonce;
    }

    @Test
    void shouldVerifyAProofOfTheSameInputs()
    {
        key.prove(AtlasLinkKey.ROLE_ATLAS, PROVER, CHALLENGER, nonce, proof, 0);
        assertTrue(new AtlasLinkKey(SECRET).verify(AtlasLinkKey.ROLE_ATLAS, PROVER, CHALLENGER, nonce, proof));
    }

    @Test
    void shouldRefuseAProofOfAnotherRoleSessionNonceOrKey()
    {
        key.prove(AtlasLinkKey.ROLE_ATLAS, PROVER, CHALLENGER, nonce, proof, 0);
        assertFalse(key.verify(AtlasLinkKey.ROLE_LAYER, PROVER, CHALLENGER, nonce, proof), "role");
        assertFalse(key.verify(AtlasLinkKey.ROLE_ATLAS, PROVER + 1, CHALLENGER, nonce, proof), "prover session");
        assertFalse(key.verify(AtlasLinkKey.ROLE_ATLAS, PROVER, CHALLENGER + 1, nonce, proof), "challenger session");
        assertFalse(key.verify(AtlasLinkKey.ROLE_ATLAS, CHALLENGER, PROVER, nonce, proof), "sessions swapped");
        assertFalse(key.verify(AtlasLinkKey.ROLE_ATLAS, PROVER, CHALLENGER, nonce(8), proof), "nonce");
        assertFalse(new AtlasLinkKey(OTHER_SECRET).verify(AtlasLinkKey.ROLE_ATLAS, PROVER, CHALLENGER, nonce, proof),
            "key");
        final byte[] tampered = proof.clone();
        tampered[AtlasLinkKey.MAC_LENGTH - 1] ^= 1;
        assertFalse(key.verify(AtlasLinkKey.ROLE_ATLAS, PROVER, CHALLENGER, nonce, tampered), "one bit");
    }

    @Test
    void shouldUseAKeyOfItsOwnDomain()
    {
        // a player or server token's MAC is HMAC(its own derived key, token fields): never the link key's
        final byte[] token = SessionTokens.forServers(SECRET).issue(PROVER, Long.MAX_VALUE);
        final byte[] tokenMac = Arrays.copyOfRange(token, SessionTokens.MAC_OFFSET, SessionTokens.TOKEN_LENGTH);
        assertFalse(key.verify(AtlasLinkKey.ROLE_ATLAS, PROVER, CHALLENGER, nonce, tokenMac));
        assertThrows(IllegalArgumentException.class, () -> new AtlasLinkKey(new byte[8]));
    }
}
