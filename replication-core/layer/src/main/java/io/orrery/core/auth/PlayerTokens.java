/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.auth;

import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * What verifies a player token: HMAC-SHA256 ({@link SessionTokens}, the default, whoever verifies can also mint) or
 * Ed25519 ({@link Ed25519PlayerTokens}, the login service signs with a private key and Gateways and the layer hold
 * only the public key). Every kind starts with the same 16 bytes, so the player id and expiry are read before the
 * signature is checked:
 * <pre>
 *  +---------------------------------------------------------------+
 *  |                      Player Id (int64, LE)                    |
 *  +---------------------------------------------------------------+
 *  |                 Expiry, epoch millis (int64, LE)              |
 *  +---------------------------------------------------------------+
 *  |        Signature: HMAC 32 bytes or Ed25519 64 bytes           |
 *  +---------------------------------------------------------------+
 * </pre>
 * Threading: not thread safe, one instance per thread (Gateway agent, gateway link agent).
 */
public interface PlayerTokens
{
    /**
     * Offset of the player id in every kind of token.
     */
    int PLAYER_ID_OFFSET = 0;
    /**
     * Offset of the expiry in every kind of token.
     */
    int EXPIRY_OFFSET = 8;
    /**
     * Bytes before the signature.
     */
    int CLAIMS_LENGTH = 16;

    /**
     * Verify a token.
     *
     * @param buffer     holding the token.
     * @param offset     where it starts.
     * @param length     its length.
     * @param nowEpochMs the wall clock, for expiry.
     * @return {@link SessionTokens#VALID}, {@link SessionTokens#MALFORMED}, {@link SessionTokens#BAD_SIGNATURE} or
     * {@link SessionTokens#EXPIRED}.
     */
    int verify(DirectBuffer buffer, int offset, int length, long nowEpochMs);

    /**
     * @return the length of a token of this kind; any other length is {@link SessionTokens#MALFORMED}.
     */
    int tokenLength();

    /**
     * @return whether a verification costs enough (an Ed25519 signature, ~0.5 ms) that unauthenticated peers must
     * be kept from spending it at will: the Gateway then verifies within a budget per second.
     */
    boolean isVerificationCostly();

    /**
     * @return the scheme's name for log lines, e.g. {@code "HMAC-SHA256"}.
     */
    String scheme();

    /**
     * @param buffer holding a token of any kind.
     * @param offset where it starts.
     * @return the player id it claims (not verified).
     */
    static long playerId(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + PLAYER_ID_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * @param buffer holding a token of any kind.
     * @param offset where it starts.
     * @return the expiry it claims, epoch millis (not verified).
     */
    static long expiryEpochMs(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + EXPIRY_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }
}
