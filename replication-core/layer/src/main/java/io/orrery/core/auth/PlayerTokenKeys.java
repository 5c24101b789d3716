/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.auth;

import org.agrona.BitUtil;

/**
 * Where a process finds the Ed25519 player token keys ({@link Ed25519PlayerTokens}): the public key for Gateways and
 * the layer, the private key for the login side (bots, load tests). Each from its system property, then its
 * environment variable (preferred: command lines are visible to every user of the host), in hex.
 * <p>
 * Threading: stateless.
 */
public final class PlayerTokenKeys
{
    public static final String PUBLIC_KEY_PROP = "orrery.player.token.public.key";
    public static final String PUBLIC_KEY_ENV = "ORRERY_PLAYER_TOKEN_PUBLIC_KEY";
    public static final String PRIVATE_KEY_PROP = "orrery.player.token.private.key";
    public static final String PRIVATE_KEY_ENV = "ORRERY_PLAYER_TOKEN_PRIVATE_KEY";

    private PlayerTokenKeys()
    {
    }

    /**
     * @return the raw public key from {@value #PUBLIC_KEY_PROP} or {@value #PUBLIC_KEY_ENV}, or null if neither is set.
     * @throws IllegalArgumentException if it is set but not 32 bytes of hex.
     */
    public static byte[] publicKeyFromEnvironment()
    {
        final String hex = lookUp(PUBLIC_KEY_PROP, PUBLIC_KEY_ENV);
        return null == hex ? null : Ed25519PlayerTokens.forPublicKeyHex(hex).publicKey();
    }

    /**
     * @return the private key's seed from {@value #PRIVATE_KEY_PROP} or {@value #PRIVATE_KEY_ENV}, or null if
     * neither is set (the login side then mints HMAC tokens).
     * @throws IllegalArgumentException if it is set but not 32 bytes of hex.
     */
    public static byte[] privateKeyFromEnvironment()
    {
        final String hex = lookUp(PRIVATE_KEY_PROP, PRIVATE_KEY_ENV);
        if (null == hex)
        {
            return null;
        }
        Ed25519PlayerTokens.forPrivateKeyHex(hex);
        return BitUtil.fromHex(hex.trim());
    }

    /**
     * @return the lines {@code --generate-player-token-keys} prints: a new key pair as environment assignments.
     */
    public static String generateKeyPairLines()
    {
        final byte[][] pair = Ed25519PlayerTokens.generateKeyPair();
        return PRIVATE_KEY_ENV + "=" + BitUtil.toHex(pair[0]) + System.lineSeparator() +
            PUBLIC_KEY_ENV + "=" + BitUtil.toHex(pair[1]);
    }

    private static String lookUp(final String property, final String environmentVariable)
    {
        String value = System.getProperty(property);
        if (null == value || value.isEmpty())
        {
            value = System.getenv(environmentVariable);
        }
        return null == value || value.trim().isEmpty() ? null : value;
    }
}
