/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.auth;

import org.agrona.BitUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Ed25519PlayerTokensTest
{
    private static final long NOW_MS = 1_800_000_000_000L;
    /**
     * RFC 8032, section 7.1, test 1.
     */
    private static final String RFC_SECRET = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
    private static final String RFC_PUBLIC = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";

    private final byte[][] pair = Ed25519PlayerTokens.generateKeyPair();
    private final Ed25519PlayerTokens signer = Ed25519PlayerTokens.forPrivateKey(pair[0]);
    private final Ed25519PlayerTokens verifier = Ed25519PlayerTokens.forPublicKey(pair[1]);

    @Test
    void shouldVerifyWithThePublicKeyATokenThePrivateKeySigned()
    {
        final UnsafeBuffer token = new UnsafeBuffer(signer.issue(42, NOW_MS + 1));
        assertEquals(Ed25519PlayerTokens.TOKEN_LENGTH, token.capacity());
        assertEquals(80, token.capacity());
        assertEquals(SessionTokens.VALID, verifier.verify(token, 0, token.capacity(), NOW_MS));
        assertEquals(42, PlayerTokens.playerId(token, 0));
        assertEquals(NOW_MS + 1, PlayerTokens.expiryEpochMs(token, 0));
        assertEquals(SessionTokens.VALID, verifier.verify(token, 0, token.capacity(), NOW_MS), "verifies again");
    }

    @Test
    void shouldDeriveThePublicKeyOfTheRfc8032TestVector()
    {
        assertEquals(RFC_PUBLIC, BitUtil.toHex(Ed25519PlayerTokens.publicKeyFor(BitUtil.fromHex(RFC_SECRET))));
        assertEquals(RFC_PUBLIC, BitUtil.toHex(Ed25519PlayerTokens.forPrivateKeyHex(RFC_SECRET).publicKey()));
        assertArrayEquals(pair[1], verifier.publicKey());
    }

    @Test
    void shouldSignTheDomainThePlayerIdAndTheExpiry() throws Exception
    {
        final byte[] token = signer.issue(7, NOW_MS);
        final Signature signature = Signature.getInstance("Ed25519");
        signature.initSign(KeyFactory.getInstance("Ed25519").generatePrivate(
            new EdECPrivateKeySpec(NamedParameterSpec.ED25519, pair[0])));
        signature.update(Ed25519PlayerTokens.DOMAIN.getBytes(StandardCharsets.US_ASCII));
        signature.update(token, 0, PlayerTokens.CLAIMS_LENGTH);
        assertArrayEquals(signature.sign(), Arrays.copyOfRange(token, Ed25519PlayerTokens.SIGNATURE_OFFSET,
            Ed25519PlayerTokens.TOKEN_LENGTH), "Ed25519 is deterministic: the same bytes");
    }

    @Test
    void shouldRefuseATokenWithAnyByteChanged()
    {
        final byte[] token = signer.issue(42, NOW_MS + 1);
        for (int i = 0; i < token.length; i++)
        {
            final byte[] tampered = token.clone();
            tampered[i] ^= 0x10;
            final int result = verifier.verify(new UnsafeBuffer(tampered), 0, tampered.length, NOW_MS);
            assertEquals(SessionTokens.BAD_SIGNATURE, result, "byte " + i + " changed");
        }
    }

    @Test
    void shouldRefuseAnExpiredToken()
    {
        final UnsafeBuffer token = new UnsafeBuffer(signer.issue(42, NOW_MS - 1));
        assertEquals(SessionTokens.EXPIRED, verifier.verify(token, 0, token.capacity(), NOW_MS));
    }

    @Test
    void shouldRefuseATokenSignedWithAnotherKey()
    {
        final Ed25519PlayerTokens other = Ed25519PlayerTokens.forPrivateKey(Ed25519PlayerTokens.generateKeyPair()[0]);
        final UnsafeBuffer token = new UnsafeBuffer(other.issue(42, NOW_MS + 1));
        assertEquals(SessionTokens.BAD_SIGNATURE, verifier.verify(token, 0, token.capacity(), NOW_MS));
    }

    @Test
    void shouldRefuseAnHmacPlayerTokenAsMalformed()
    {
        final SessionTokens hmac = new SessionTokens("0123456789abcdef-secret".getBytes(StandardCharsets.UTF_8));
        final UnsafeBuffer token = new UnsafeBuffer(hmac.issue(42, NOW_MS + 1));
        assertEquals(SessionTokens.MALFORMED, verifier.verify(token, 0, token.capacity(), NOW_MS));
        final UnsafeBuffer padded = new UnsafeBuffer(Arrays.copyOf(hmac.issue(42, NOW_MS + 1), 80));
        assertEquals(SessionTokens.BAD_SIGNATURE, verifier.verify(padded, 0, padded.capacity(), NOW_MS),
            "an HMAC token padded to the Ed25519 length");
    }

    @Test
    void shouldRefuseTokensOfTheWrongLengthAndGarbageSignatures()
    {
        final byte[] token = signer.issue(42, NOW_MS + 1);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[128]);
        buffer.putBytes(3, token);
        assertEquals(SessionTokens.VALID, verifier.verify(buffer, 3, token.length, NOW_MS), "at an offset");
        assertEquals(SessionTokens.MALFORMED, verifier.verify(buffer, 3, token.length - 1, NOW_MS));
        assertEquals(SessionTokens.MALFORMED, verifier.verify(buffer, 3, token.length + 1, NOW_MS));
        final byte[] garbage = token.clone();
        Arrays.fill(garbage, Ed25519PlayerTokens.SIGNATURE_OFFSET, garbage.length, (byte)0xFF);
        assertEquals(SessionTokens.BAD_SIGNATURE, verifier.verify(new UnsafeBuffer(garbage), 0, 80, NOW_MS));
        assertEquals(SessionTokens.VALID, verifier.verify(buffer, 3, token.length, NOW_MS), "usable after garbage");
    }

    @Test
    void shouldNotVerifyAnHmacSignedTokenOfTheSameClaimsAcrossSchemes()
    {
        final SessionTokens hmac = new SessionTokens("0123456789abcdef-secret".getBytes(StandardCharsets.UTF_8));
        assertFalse(hmac.isVerificationCostly());
        assertTrue(verifier.isVerificationCostly());
        final UnsafeBuffer token = new UnsafeBuffer(signer.issue(42, NOW_MS + 1));
        assertEquals(SessionTokens.MALFORMED, hmac.verify(token, 0, token.capacity(), NOW_MS));
    }

    @Test
    void shouldRefuseKeysOfTheWrongLengthOrNotHexAndSigningWithoutAPrivateKey()
    {
        assertThrows(IllegalArgumentException.class, () -> Ed25519PlayerTokens.forPublicKey(new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> Ed25519PlayerTokens.forPrivateKey(new byte[33]));
        assertThrows(IllegalArgumentException.class, () -> Ed25519PlayerTokens.forPublicKeyHex("zz" + RFC_PUBLIC
            .substring(2)));
        assertThrows(IllegalArgumentException.class, () -> Ed25519PlayerTokens.forPrivateKeyHex("00"));
        assertThrows(IllegalStateException.class, () -> verifier.issue(1, NOW_MS));
    }

    @Test
    void shouldPrintAKeyPairWhoseHalvesMatch()
    {
        final String[] lines = PlayerTokenKeys.generateKeyPairLines().split("\\R");
        assertEquals(2, lines.length);
        assertTrue(lines[0].startsWith(PlayerTokenKeys.PRIVATE_KEY_ENV + "="));
        assertTrue(lines[1].startsWith(PlayerTokenKeys.PUBLIC_KEY_ENV + "="));
        final String privateHex = lines[0].substring(lines[0].indexOf('=') + 1);
        final String publicHex = lines[1].substring(lines[1].indexOf('=') + 1);
        final byte[] token = Ed25519PlayerTokens.forPrivateKeyHex(privateHex).issue(9, NOW_MS + 1);
        assertEquals(SessionTokens.VALID, Ed25519PlayerTokens.forPublicKeyHex(publicHex)
            .verify(new UnsafeBuffer(token), 0, token.length, NOW_MS));
    }
}
