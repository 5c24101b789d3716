/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.auth;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import javax.crypto.Mac;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;

/**
 * HMAC-SHA256 signed session tokens. A login service that shares the secret with the Replication Layer issues them;
 * the Gateway verifies them in the hello. Layout (little endian):
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                      Player Id (int64)                        |
 *  +---------------------------------------------------------------+
 *  |                 Expiry, epoch millis (int64)                  |
 *  +---------------------------------------------------------------+
 *  |            HMAC-SHA256(secret, first 16 bytes), 32 bytes      |
 *  +---------------------------------------------------------------+
 * </pre>
 * Not thread safe: one instance per thread. Verification runs on the hello path only, never per update.
 * <p>
 * Domains: every kind of token is signed with a key of its own derived from the shard's secret,
 * {@code K = HMAC-SHA256(secret, domain)}: player tokens with {@link #PLAYER_DOMAIN}, game server tokens
 * ({@link #forServers(byte[])}, the id field holds the server id) with {@link #SERVER_DOMAIN}. A player token never
 * verifies as a server token and vice versa, and a process that only verifies player tokens (a Gateway in its own
 * process) can be given the player key alone ({@link #playerTokenKey(byte[])}, {@link #forPlayerKey(byte[])}): from it
 * nobody can derive the secret, a server token or a link key (Atlas's, the Gateway link's), so whoever takes over
 * that process can mint player tokens (as anyone who verifies HMAC tokens can), not game servers or Atlas.
 */
public final class SessionTokens implements PlayerTokens
{
    public static final int PLAYER_ID_OFFSET = 0;
    public static final int EXPIRY_OFFSET = 8;
    public static final int MAC_OFFSET = 16;
    public static final int MAC_LENGTH = 32;
    public static final int TOKEN_LENGTH = MAC_OFFSET + MAC_LENGTH;

    public static final int VALID = 0;
    public static final int MALFORMED = -1;
    public static final int BAD_SIGNATURE = -2;
    public static final int EXPIRED = -3;

    /**
     * Key domain of game server tokens.
     */
    public static final String SERVER_DOMAIN = "orrery-server-token-v1";

    /**
     * Key domain of player tokens.
     */
    public static final String PLAYER_DOMAIN = "orrery-player-token-v1";

    /**
     * Length of a derived key ({@link #playerTokenKey(byte[])}).
     */
    public static final int KEY_LENGTH = 32;

    private final Mac mac;
    private final byte[] scratch = new byte[TOKEN_LENGTH];
    private final byte[] expected = new byte[MAC_LENGTH];

    /**
     * Player tokens, signed and verified with the player key derived from the shard's secret.
     *
     * @param secret the shard's token secret, at least 16 bytes.
     */
    public SessionTokens(final byte[] secret)
    {
        this(secret, PLAYER_DOMAIN);
    }

    /**
     * @param secret the shard's token secret, at least 16 bytes.
     * @param domain the key domain the tokens are signed in: {@link #PLAYER_DOMAIN} or {@link #SERVER_DOMAIN}.
     */
    public SessionTokens(final byte[] secret, final String domain)
    {
        this(macOf(deriveKey(secret, domain)));
    }

    private SessionTokens(final Mac mac)
    {
        this.mac = mac;
    }

    /**
     * Player tokens from the player key alone, as a Gateway in its own process holds it.
     *
     * @param playerTokenKey {@link #playerTokenKey(byte[])} of the shard's secret, {@link #KEY_LENGTH} bytes.
     * @return tokens that verify (and sign) exactly what {@code new SessionTokens(secret)} does.
     */
    public static SessionTokens forPlayerKey(final byte[] playerTokenKey)
    {
        if (null == playerTokenKey || playerTokenKey.length != KEY_LENGTH)
        {
            throw new IllegalArgumentException("a player token key is " + KEY_LENGTH + " bytes");
        }
        return new SessionTokens(macOf(playerTokenKey));
    }

    /**
     * @param secret the shard's token secret, at least 16 bytes.
     * @return the key player tokens are signed with, {@code HMAC-SHA256(secret, PLAYER_DOMAIN)}; from it neither the
     * secret nor any other key of the shard can be derived.
     */
    public static byte[] playerTokenKey(final byte[] secret)
    {
        return deriveKey(secret, PLAYER_DOMAIN);
    }

    private static Mac macOf(final byte[] key)
    {
        try
        {
            final Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("HmacSHA256 unavailable", ex);
        }
    }

    private static byte[] deriveKey(final byte[] secret, final String domain)
    {
        if (null == secret || secret.length < 16)
        {
            throw new IllegalArgumentException("token secret must be at least 16 bytes");
        }
        if (null == domain)
        {
            throw new IllegalArgumentException("a token key domain is required");
        }
        try
        {
            final Mac derivation = Mac.getInstance("HmacSHA256");
            derivation.init(new SecretKeySpec(secret, "HmacSHA256"));
            return derivation.doFinal(domain.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("HmacSHA256 unavailable", ex);
        }
    }

    /**
     * Tokens for game servers joining a shard through the server link.
     */
    public static SessionTokens forServers(final byte[] secret)
    {
        return new SessionTokens(secret, SERVER_DOMAIN);
    }

    /**
     * Write a signed token.
     *
     * @return {@link #TOKEN_LENGTH}.
     */
    public int issue(final long playerId, final long expiryEpochMs, final MutableDirectBuffer buffer, final int offset)
    {
        buffer.putLong(offset + PLAYER_ID_OFFSET, playerId, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(offset + EXPIRY_OFFSET, expiryEpochMs, ByteOrder.LITTLE_ENDIAN);
        buffer.getBytes(offset, scratch, 0, MAC_OFFSET);
        sign();
        buffer.putBytes(offset + MAC_OFFSET, expected, 0, MAC_LENGTH);
        return TOKEN_LENGTH;
    }

    /**
     * Convenience for tools and tests.
     */
    public byte[] issue(final long playerId, final long expiryEpochMs)
    {
        final byte[] token = new byte[TOKEN_LENGTH];
        issue(playerId, expiryEpochMs, new org.agrona.concurrent.UnsafeBuffer(token), 0);
        return token;
    }

    /**
     * Verify a token in constant time with respect to the signature.
     *
     * @return {@link #VALID}, {@link #MALFORMED}, {@link #BAD_SIGNATURE} or {@link #EXPIRED}.
     */
    @Override
    public int verify(final DirectBuffer buffer, final int offset, final int length, final long nowEpochMs)
    {
        if (length != TOKEN_LENGTH)
        {
            return MALFORMED;
        }
        buffer.getBytes(offset, scratch, 0, TOKEN_LENGTH);
        sign();
        int diff = 0;
        for (int i = 0; i < MAC_LENGTH; i++)
        {
            diff |= expected[i] ^ scratch[MAC_OFFSET + i];
        }
        if (0 != diff)
        {
            return BAD_SIGNATURE;
        }
        return buffer.getLong(offset + EXPIRY_OFFSET, ByteOrder.LITTLE_ENDIAN) < nowEpochMs ? EXPIRED : VALID;
    }

    @Override
    public int tokenLength()
    {
        return TOKEN_LENGTH;
    }

    /**
     * @return false: an HMAC costs about a microsecond.
     */
    @Override
    public boolean isVerificationCostly()
    {
        return false;
    }

    @Override
    public String scheme()
    {
        return "HMAC-SHA256";
    }

    public static long playerId(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + PLAYER_ID_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    private void sign()
    {
        mac.update(scratch, 0, MAC_OFFSET);
        try
        {
            mac.doFinal(expected, 0);
        }
        catch (final ShortBufferException ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
