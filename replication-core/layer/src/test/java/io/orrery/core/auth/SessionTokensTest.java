/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.auth;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

    @Test
    void shouldVerifyWithThePlayerKeyAloneWhatTheSecretIssuedAndTheOtherWayRound()
    {
        final SessionTokens gatewayTokens = SessionTokens.forPlayerKey(SessionTokens.playerTokenKey(SECRET));
        final byte[] fromSecret = tokens.issue(42, NOW_MS + 1_000);
        assertEquals(
            SessionTokens.VALID, gatewayTokens.verify(new UnsafeBuffer(fromSecret), 0, fromSecret.length, NOW_MS));
        final byte[] fromKey = gatewayTokens.issue(43, NOW_MS + 1_000);
        assertEquals(SessionTokens.VALID, tokens.verify(new UnsafeBuffer(fromKey), 0, fromKey.length, NOW_MS));
    }

    @Test
    void shouldKeepThePlayerKeyApartFromTheSecretAndTheServerKey()
    {
        final byte[] playerKey = SessionTokens.playerTokenKey(SECRET);
        assertEquals(SessionTokens.KEY_LENGTH, playerKey.length);
        assertFalse(Arrays.equals(SECRET, Arrays.copyOf(playerKey, SECRET.length)), "the key is not the secret");

        // a server token minted by whoever holds only the player key is not a server token of the shard
        final byte[] forgedServerToken = SessionTokens.forPlayerKey(playerKey).issue(1, NOW_MS + 1_000);
        assertEquals(SessionTokens.BAD_SIGNATURE, SessionTokens.forServers(SECRET)
            .verify(new UnsafeBuffer(forgedServerToken), 0, forgedServerToken.length, NOW_MS));
        // nor is the player key a secret that server tokens could be derived from
        final byte[] derivedFromKey = SessionTokens.forServers(playerKey).issue(1, NOW_MS + 1_000);
        assertEquals(SessionTokens.BAD_SIGNATURE, SessionTokens.forServers(SECRET)
            .verify(new UnsafeBuffer(derivedFromKey), 0, derivedFromKey.length, NOW_MS));
        // and a player token signed with the secret itself (the former scheme) no longer verifies
        final byte[] legacy = legacyToken(SECRET, 42, NOW_MS + 1_000);
        assertEquals(SessionTokens.BAD_SIGNATURE, tokens.verify(new UnsafeBuffer(legacy), 0, legacy.length, NOW_MS));
    }

    @Test
    void shouldRefuseAPlayerKeyOfTheWrongLength()
    {
        assertThrows(IllegalArgumentException.class, () -> SessionTokens.forPlayerKey(new byte[16]));
        assertThrows(IllegalArgumentException.class, () -> SessionTokens.forPlayerKey(null));
    }

    private static byte[] legacyToken(final byte[] secret, final long playerId, final long expiryMs)
    {
        try
        {
            final UnsafeBuffer token = new UnsafeBuffer(new byte[SessionTokens.TOKEN_LENGTH]);
            token.putLong(SessionTokens.PLAYER_ID_OFFSET, playerId, ByteOrder.LITTLE_ENDIAN);
            token.putLong(SessionTokens.EXPIRY_OFFSET, expiryMs, ByteOrder.LITTLE_ENDIAN);
            final Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update(token.byteArray(), 0, SessionTokens.MAC_OFFSET);
            token.putBytes(SessionTokens.MAC_OFFSET, mac.doFinal());
            return token.byteArray();
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
