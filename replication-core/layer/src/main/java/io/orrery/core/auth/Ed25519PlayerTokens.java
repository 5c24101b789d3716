/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.auth;

import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;

/**
 * Ed25519 signed player tokens: the login service signs them with a private key; Gateways and the Replication Layer
 * verify them with the public key alone, so whoever takes over a Gateway cannot mint a token for a player who never
 * connected through it. Layout (little endian):
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                      Player Id (int64)                        |
 *  +---------------------------------------------------------------+
 *  |                 Expiry, epoch millis (int64)                  |
 *  +---------------------------------------------------------------+
 *  |  Ed25519(private key, DOMAIN | first 16 bytes), 64 bytes      |
 *  +---------------------------------------------------------------+
 * </pre>
 * Keys are raw: a public key is 32 bytes (RFC 8032 encoding), a private key its 32-byte seed; configuration carries
 * them in hex. A verification costs hundreds of microseconds on JDK 17's pure Java implementation (see the README),
 * so the Gateway runs the cheap checks first and verifies within a budget ({@link #isVerificationCostly()}).
 * <p>
 * Threading: not thread safe, one instance per thread.
 */
public final class Ed25519PlayerTokens implements PlayerTokens
{
    /**
     * Signed before the player id and expiry: an Ed25519 signature of anything else never verifies as a token.
     */
    public static final String DOMAIN = "orrery-player-token-ed25519-v1";
    public static final int SIGNATURE_OFFSET = CLAIMS_LENGTH;
    public static final int SIGNATURE_LENGTH = 64;
    public static final int TOKEN_LENGTH = SIGNATURE_OFFSET + SIGNATURE_LENGTH;
    /**
     * Length of a raw public key and of a private key's seed.
     */
    public static final int KEY_LENGTH = 32;

    private static final byte[] DOMAIN_BYTES = DOMAIN.getBytes(StandardCharsets.US_ASCII);
    private static final byte[] X509_PREFIX = BitUtil.fromHex("302a300506032b6570032100");

    private final Signature verifier;
    private final Signature signer;
    private final PublicKey publicKey;
    private final byte[] claims = new byte[CLAIMS_LENGTH];
    private final byte[] signature = new byte[SIGNATURE_LENGTH];

    private Ed25519PlayerTokens(final PublicKey publicKey, final PrivateKey privateKey)
    {
        try
        {
            this.publicKey = publicKey;
            this.verifier = Signature.getInstance("Ed25519");
            this.verifier.initVerify(publicKey);
            this.signer = null == privateKey ? null : Signature.getInstance("Ed25519");
            if (null != signer)
            {
                signer.initSign(privateKey);
            }
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("Ed25519 unavailable", ex);
        }
    }

    /**
     * Tokens that verify only: what a Gateway and the layer hold.
     *
     * @param publicKey the raw public key, {@link #KEY_LENGTH} bytes.
     * @return the verifier.
     */
    public static Ed25519PlayerTokens forPublicKey(final byte[] publicKey)
    {
        return new Ed25519PlayerTokens(publicKeyOf(publicKey), null);
    }

    /**
     * Tokens that sign and verify: what the login service (and the bots, tests) holds.
     *
     * @param privateKey the private key's seed, {@link #KEY_LENGTH} bytes.
     * @return the signer.
     */
    public static Ed25519PlayerTokens forPrivateKey(final byte[] privateKey)
    {
        return new Ed25519PlayerTokens(publicKeyOf(publicKeyFor(privateKey)), privateKeyOf(privateKey));
    }

    /**
     * @param publicKeyHex the raw public key in hex, as configured.
     * @return the verifier.
     * @throws IllegalArgumentException if it is not 32 bytes of hex or not a valid key.
     */
    public static Ed25519PlayerTokens forPublicKeyHex(final String publicKeyHex)
    {
        return forPublicKey(fromHex(publicKeyHex, "public"));
    }

    /**
     * @param privateKeyHex the private key's seed in hex, as configured.
     * @return the signer.
     * @throws IllegalArgumentException if it is not 32 bytes of hex.
     */
    public static Ed25519PlayerTokens forPrivateKeyHex(final String privateKeyHex)
    {
        return forPrivateKey(fromHex(privateKeyHex, "private"));
    }

    /**
     * A new key pair from {@link SecureRandom}.
     *
     * @return {private key seed, raw public key}, {@link #KEY_LENGTH} bytes each.
     */
    public static byte[][] generateKeyPair()
    {
        final byte[] seed = new byte[KEY_LENGTH];
        new SecureRandom().nextBytes(seed);
        return new byte[][]{ seed, publicKeyFor(seed) };
    }

    /**
     * @param privateKey a private key's seed, {@link #KEY_LENGTH} bytes.
     * @return its raw public key.
     */
    public static byte[] publicKeyFor(final byte[] privateKey)
    {
        checkKeyLength(privateKey, "private");
        try
        {
            final KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
            generator.initialize(NamedParameterSpec.ED25519, new SeedRandom(privateKey));
            final KeyPair pair = generator.generateKeyPair();
            final byte[] encoded = pair.getPublic().getEncoded();
            return Arrays.copyOfRange(encoded, encoded.length - KEY_LENGTH, encoded.length);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("Ed25519 unavailable", ex);
        }
    }

    /**
     * @return this instance's raw public key.
     */
    public byte[] publicKey()
    {
        final byte[] encoded = publicKey.getEncoded();
        return Arrays.copyOfRange(encoded, encoded.length - KEY_LENGTH, encoded.length);
    }

    /**
     * Write a signed token.
     *
     * @return {@link #TOKEN_LENGTH}.
     * @throws IllegalStateException if this instance holds no private key.
     */
    public int issue(final long playerId, final long expiryEpochMs, final MutableDirectBuffer buffer, final int offset)
    {
        if (null == signer)
        {
            throw new IllegalStateException("verifying player tokens only: no private key");
        }
        buffer.putLong(offset + PLAYER_ID_OFFSET, playerId, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(offset + EXPIRY_OFFSET, expiryEpochMs, ByteOrder.LITTLE_ENDIAN);
        buffer.getBytes(offset, claims, 0, CLAIMS_LENGTH);
        try
        {
            signer.update(DOMAIN_BYTES);
            signer.update(claims);
            signer.sign(signature, 0, SIGNATURE_LENGTH);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException(ex);
        }
        buffer.putBytes(offset + SIGNATURE_OFFSET, signature, 0, SIGNATURE_LENGTH);
        return TOKEN_LENGTH;
    }

    /**
     * Convenience for the login side, tools and tests.
     */
    public byte[] issue(final long playerId, final long expiryEpochMs)
    {
        final byte[] token = new byte[TOKEN_LENGTH];
        issue(playerId, expiryEpochMs, new UnsafeBuffer(token), 0);
        return token;
    }

    @Override
    public int verify(final DirectBuffer buffer, final int offset, final int length, final long nowEpochMs)
    {
        if (length != TOKEN_LENGTH)
        {
            return SessionTokens.MALFORMED;
        }
        buffer.getBytes(offset, claims, 0, CLAIMS_LENGTH);
        buffer.getBytes(offset + SIGNATURE_OFFSET, signature, 0, SIGNATURE_LENGTH);
        boolean verified;
        try
        {
            verifier.update(DOMAIN_BYTES);
            verifier.update(claims);
            verified = verifier.verify(signature);
        }
        catch (final GeneralSecurityException ex)
        {
            verified = false; // a signature that does not even decode: start the Signature afresh
            resetVerifier();
        }
        if (!verified)
        {
            return SessionTokens.BAD_SIGNATURE;
        }
        return PlayerTokens.expiryEpochMs(buffer, offset) < nowEpochMs ? SessionTokens.EXPIRED : SessionTokens.VALID;
    }

    private void resetVerifier()
    {
        try
        {
            verifier.initVerify(publicKey);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    @Override
    public int tokenLength()
    {
        return TOKEN_LENGTH;
    }

    @Override
    public boolean isVerificationCostly()
    {
        return true;
    }

    @Override
    public String scheme()
    {
        return "Ed25519";
    }

    private static PublicKey publicKeyOf(final byte[] raw)
    {
        checkKeyLength(raw, "public");
        final byte[] encoded = Arrays.copyOf(X509_PREFIX, X509_PREFIX.length + KEY_LENGTH);
        System.arraycopy(raw, 0, encoded, X509_PREFIX.length, KEY_LENGTH);
        try
        {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(encoded));
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalArgumentException("not an Ed25519 public key: " + ex.getMessage(), ex);
        }
    }

    private static PrivateKey privateKeyOf(final byte[] seed)
    {
        checkKeyLength(seed, "private");
        try
        {
            return KeyFactory.getInstance("Ed25519").generatePrivate(
                new EdECPrivateKeySpec(NamedParameterSpec.ED25519, seed));
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalArgumentException("not an Ed25519 private key: " + ex.getMessage(), ex);
        }
    }

    private static void checkKeyLength(final byte[] key, final String kind)
    {
        if (null == key || key.length != KEY_LENGTH)
        {
            throw new IllegalArgumentException("an Ed25519 " + kind + " key is " + KEY_LENGTH + " bytes");
        }
    }

    private static byte[] fromHex(final String hex, final String kind)
    {
        final String trimmed = null == hex ? "" : hex.trim();
        if (trimmed.length() != 2 * KEY_LENGTH || !trimmed.matches("[0-9a-fA-F]+"))
        {
            throw new IllegalArgumentException("an Ed25519 " + kind + " key is " + KEY_LENGTH + " bytes in hex (" +
                2 * KEY_LENGTH + " hex digits)");
        }
        return BitUtil.fromHex(trimmed);
    }

    /**
     * Hands the key pair generator the seed as its "random" private key: how the JDK derives a public key from a seed.
     */
    private static final class SeedRandom extends SecureRandom
    {
        private static final long serialVersionUID = 1L;
        private final transient byte[] seed;

        SeedRandom(final byte[] seed)
        {
            this.seed = seed.clone();
        }

        @Override
        public void nextBytes(final byte[] bytes)
        {
            System.arraycopy(seed, 0, bytes, 0, Math.min(seed.length, bytes.length));
        }
    }
}
