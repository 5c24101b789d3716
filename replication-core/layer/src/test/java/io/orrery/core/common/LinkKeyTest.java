/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.common;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LinkKeyTest
{
    private static final byte[] SECRET = "link-key-test-secret-0123456789".getBytes(StandardCharsets.US_ASCII);
    private static final byte ROLE = 8;

    private final LinkKey key = new LinkKey(SECRET, "orrery-test-link-v1");
    private final byte[] nonce = new byte[LinkKey.NONCE_LENGTH];
    private final byte[] extra = "\u0001\u0002\u0003\u0004aeron:udp?endpoint=10.0.0.1:20571".getBytes(
        StandardCharsets.US_ASCII);

    @Test
    void shouldVerifyAProofOverExtraBytesOnlyWithTheSameBytes()
    {
        final byte[] mac = proofWithExtra();

        assertTrue(key.verify(ROLE, 11, 22, nonce, extra, 0, extra.length, mac));
        final byte[] otherChannel = extra.clone();
        otherChannel[otherChannel.length - 1] = '2';
        assertFalse(key.verify(ROLE, 11, 22, nonce, otherChannel, 0, otherChannel.length, mac), "another channel");
        assertFalse(key.verify(ROLE, 11, 22, nonce, extra, 0, extra.length - 1, mac), "a shorter channel");
        assertFalse(key.verify(ROLE, 11, 22, nonce, mac), "without the extra bytes");
        assertFalse(key.verify(ROLE, 11, 23, nonce, extra, 0, extra.length, mac), "another sender id");
        assertFalse(new LinkKey(SECRET, "orrery-other-link-v1").verify(ROLE, 11, 22, nonce, extra, 0, extra.length,
            mac), "another link's key");
    }

    @Test
    void shouldProveTheSameWithNoExtraBytesAsTheFixedLayout()
    {
        final byte[] fixed = new byte[LinkKey.MAC_LENGTH];
        final byte[] none = new byte[LinkKey.MAC_LENGTH];
        key.prove(ROLE, 11, 22, nonce, fixed, 0);
        key.prove(ROLE, 11, 22, nonce, extra, 0, 0, none, 0);

        assertArrayEquals(fixed, none, "proofs of the links that cover no extra bytes are unchanged");
        assertFalse(Arrays.equals(fixed, proofWithExtra()));
    }

    private byte[] proofWithExtra()
    {
        final byte[] mac = new byte[LinkKey.MAC_LENGTH];
        key.prove(ROLE, 11, 22, nonce, extra, 0, extra.length, mac, 0);
        return mac;
    }
}
