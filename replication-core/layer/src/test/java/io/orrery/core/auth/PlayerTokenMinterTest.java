/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.auth;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The login side's one choice of player token: Ed25519 with a private key (the secret is then ignored), HMAC of the
 * secret without; neither is refused.
 */
class PlayerTokenMinterTest
{
    private static final long NOW_MS = 1_800_000_000_000L;
    private static final byte[] SECRET = "player-token-minter-test".getBytes(StandardCharsets.UTF_8);

    @Test
    void shouldMintEd25519TokensTheLayersPublicKeyVerifiesWhenAPrivateKeyIsSet()
    {
        final byte[][] pair = Ed25519PlayerTokens.generateKeyPair();
        final PlayerTokenMinter minter = PlayerTokenMinter.of(pair[0], SECRET);
        final byte[] token = minter.issue(7, NOW_MS + 1_000);

        assertTrue(minter.isEd25519());
        assertEquals("Ed25519", minter.scheme());
        assertEquals(SessionTokens.VALID, Ed25519PlayerTokens.forPublicKey(pair[1])
            .verify(new UnsafeBuffer(token), 0, token.length, NOW_MS));
        assertEquals(7, PlayerTokens.playerId(new UnsafeBuffer(token), 0));
        assertEquals(SessionTokens.MALFORMED, new SessionTokens(SECRET)
            .verify(new UnsafeBuffer(token), 0, token.length, NOW_MS), "not an HMAC token of the secret");
    }

    @Test
    void shouldMintHmacTokensOfTheSecretWithoutAPrivateKey()
    {
        final PlayerTokenMinter minter = PlayerTokenMinter.of(null, SECRET);
        final byte[] token = minter.issue(8, NOW_MS + 1_000);

        assertFalse(minter.isEd25519());
        assertEquals("HMAC-SHA256", minter.scheme());
        assertEquals(SessionTokens.VALID, new SessionTokens(SECRET)
            .verify(new UnsafeBuffer(token), 0, token.length, NOW_MS));
    }

    @Test
    void shouldRefuseNeitherSecretNorPrivateKey()
    {
        assertThrows(IllegalArgumentException.class, () -> PlayerTokenMinter.of(null, null));
        assertThrows(IllegalArgumentException.class, () -> PlayerTokenMinter.of(new byte[5], null));
    }
}
