/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.auth;

/**
 * The login side's choice of player token: with the login service's Ed25519 private key configured, Ed25519 tokens
 * signed with it ({@link Ed25519PlayerTokens}, for shards run with the matching public key); without it, HMAC tokens
 * of the shared token secret ({@link SessionTokens}). The one place that choice is made for the bot swarm, the
 * transfer swarm and Gatling's session gateway.
 * <p>
 * Threading: not thread safe (a {@code Mac} or a {@code Signature} inside), one instance per thread. Minting is the
 * control path (one token per session), it allocates the token.
 */
public final class PlayerTokenMinter
{
    private final SessionTokens hmac;
    private final Ed25519PlayerTokens ed25519;

    private PlayerTokenMinter(final SessionTokens hmac, final Ed25519PlayerTokens ed25519)
    {
        this.hmac = hmac;
        this.ed25519 = ed25519;
    }

    /**
     * @param playerTokenPrivateKey the login service's Ed25519 private key (32-byte seed), or null for HMAC tokens.
     * @param tokenSecret           the secret shared with the shards, used only without a private key.
     * @return a minter of Ed25519 tokens when a private key is given, else of HMAC tokens.
     * @throws IllegalArgumentException if neither is given, or the private key is not 32 bytes.
     */
    public static PlayerTokenMinter of(final byte[] playerTokenPrivateKey, final byte[] tokenSecret)
    {
        if (null != playerTokenPrivateKey)
        {
            return new PlayerTokenMinter(null, Ed25519PlayerTokens.forPrivateKey(playerTokenPrivateKey));
        }
        if (null == tokenSecret)
        {
            throw new IllegalArgumentException("player tokens need a token secret or an Ed25519 private key");
        }
        return new PlayerTokenMinter(new SessionTokens(tokenSecret), null);
    }

    /**
     * @param playerId      the player the token names.
     * @param expiryEpochMs when it expires, epoch millis.
     * @return a new token.
     */
    public byte[] issue(final long playerId, final long expiryEpochMs)
    {
        return null != ed25519 ? ed25519.issue(playerId, expiryEpochMs) : hmac.issue(playerId, expiryEpochMs);
    }

    /**
     * @return true when this mints Ed25519 tokens.
     */
    public boolean isEd25519()
    {
        return null != ed25519;
    }

    /**
     * @return the scheme's name for log lines ({@link PlayerTokens#scheme()}).
     */
    public String scheme()
    {
        return null != ed25519 ? ed25519.scheme() : hmac.scheme();
    }
}
