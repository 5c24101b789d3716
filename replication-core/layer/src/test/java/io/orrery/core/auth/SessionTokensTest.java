/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.auth;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SessionTokensTest
{
    private static final byte[] SECRET = "0123456789abcdef-secret".getBytes(StandardCharsets.UTF_8);
    private static final long NOW_MS = 1_800_000_000_000L;

    private final SessionTokens tokens = new SessionTokens(SECRET);

    @Test
    void shouldVerifyTokenItIssuedWhenNotExpired()
    {
        final UnsafeBuffer token = new UnsafeBuffer(tokens.issue(42, NOW_MS + 1));
        assertEquals(SessionTokens.VALID, tokens.verify(token, 0, token.capacity(), NOW_MS));
        assertEquals(42, SessionTokens.playerId(token, 0));
    }

    @Test
    void shouldRejectExpiredToken()
    {
        final UnsafeBuffer token = new UnsafeBuffer(tokens.issue(42, NOW_MS - 1));
        assertEquals(SessionTokens.EXPIRED, tokens.verify(token, 0, token.capacity(), NOW_MS));
    }

    @Test
    void shouldRejectEveryBitFlipAsBadSignature()
    {
        final byte[] issued = tokens.issue(42, NOW_MS + 60_000);
        for (int i = 0; i < issued.length * 8; i++)
        {
            final byte[] forged = issued.clone();
            forged[i >> 3] ^= (byte)(1 << (i & 7));
            final UnsafeBuffer buffer = new UnsafeBuffer(forged);
            final int result = tokens.verify(buffer, 0, forged.length, NOW_MS);
            assertEquals(SessionTokens.BAD_SIGNATURE, result, "bit " + i);
        }
    }

    @Test
    void shouldRejectTokenSignedWithAnotherSecret()
    {
        final SessionTokens other = new SessionTokens("another-secret-0123456789".getBytes(StandardCharsets.UTF_8));
        final UnsafeBuffer token = new UnsafeBuffer(other.issue(42, NOW_MS + 60_000));
        assertEquals(SessionTokens.BAD_SIGNATURE, tokens.verify(token, 0, token.capacity(), NOW_MS));
    }

    @Test
    void shouldRejectWrongLengthAsMalformed()
    {
        final UnsafeBuffer token = new UnsafeBuffer(new byte[SessionTokens.TOKEN_LENGTH + 1]);
        assertEquals(SessionTokens.MALFORMED, tokens.verify(token, 0, token.capacity(), NOW_MS));
        assertEquals(SessionTokens.MALFORMED, tokens.verify(token, 0, 0, NOW_MS));
    }

    @Test
    void shouldRefuseShortSecret()
    {
        assertThrows(IllegalArgumentException.class, () -> new SessionTokens(new byte[8]));
    }
}
