/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.common;

import javax.crypto.Mac;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;

/**
 * The key of a link's challenge-response between two of the layer's processes (the Atlas link, the Gateway link): a
 * dedicated key derived from a secret for one link, {@code K = HMAC-SHA256(secret, domain)}, so that no proof of one
 * link verifies on another and no token ever verifies as a proof.
 * <p>
 * A proof is {@code HMAC-SHA256(K, role | proverSessionId | challengerSessionId | nonce)}: the prover's role (one
 * side's proof is never the other side's), the Aeron session id of the prover's publication (the image being
 * authenticated), that of the challenger's publication and the challenger's 16-byte nonce. Layout of the MAC input
 * (25 bytes, little endian):
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------+-----------------------------------------------+
 *  |     Role      |          Prover Session Id (int32)   ...      |
 *  +---------------+-----------------------------------------------+
 *  |  ...          |        Challenger Session Id (int32) ...      |
 *  +---------------+-----------------------------------------------+
 *  |  ...          |             Nonce, 16 bytes          ...      |
 *  +---------------+-----------------------------------------------+
 * </pre>
 * Not thread safe: one instance per thread. Used on the handshake path only.
 */
public final class LinkKey
{
    public static final int NONCE_LENGTH = 16;
    public static final int MAC_LENGTH = 32;
    /**
     * Longest response channel a hello may name, in bytes, on every link whose hello's MAC covers its channel; a
     * longer one is refused before any HMAC (an Aeron channel URI is far shorter).
     */
    public static final int MAX_HELLO_CHANNEL_LENGTH = 1024;
    /**
     * Bytes of a hello's MAC input after the layout above, at most: the response stream id (int32, little endian),
     * then the response channel's ASCII bytes ({@link #helloExtra(String, int)}).
     */
    public static final int HELLO_EXTRA_CAPACITY = 4 + MAX_HELLO_CHANNEL_LENGTH;

    private static final int INPUT_LENGTH = 1 + 4 + 4 + NONCE_LENGTH;

    private final Mac mac;
    private final byte[] input = new byte[INPUT_LENGTH];
    private final byte[] expected = new byte[MAC_LENGTH];

    /**
     * @param secret the secret the key is derived from (at least 16 bytes).
     * @param domain the link's key domain, e.g. {@code "orrery-atlas-link-v1"}.
     */
    public LinkKey(final byte[] secret, final String domain)
    {
        if (null == secret || secret.length < 16)
        {
            throw new IllegalArgumentException(domain + ": the secret must be at least 16 bytes");
        }
        try
        {
            mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            final byte[] derived = mac.doFinal(domain.getBytes(StandardCharsets.US_ASCII));
            mac.init(new SecretKeySpec(derived, "HmacSHA256"));
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("HmacSHA256 unavailable", ex);
        }
    }

    /**
     * Computes a proof.
     *
     * @param role                who proves.
     * @param proverSessionId     Aeron session id of the prover's publication.
     * @param challengerSessionId Aeron session id of the challenger's publication.
     * @param nonce               the challenger's nonce ({@link #NONCE_LENGTH} bytes).
     * @param out                 receives the {@link #MAC_LENGTH} bytes of the proof at {@code outOffset}.
     * @param outOffset           where in {@code out}.
     */
    public void prove(
        final byte role,
        final int proverSessionId,
        final int challengerSessionId,
        final byte[] nonce,
        final byte[] out,
        final int outOffset)
    {
        prove(role, proverSessionId, challengerSessionId, nonce, null, 0, 0, out, outOffset);
    }

    /**
     * Computes a proof that also covers what a message says besides the fields of the layout above (a hello's
     * response stream and channel): the MAC input is those 25 bytes followed by {@code extraLength} bytes of
     * {@code extra}, so that a hello taken off the wire cannot be replayed with another channel.
     *
     * @param role                who proves.
     * @param proverSessionId     Aeron session id of the prover's publication.
     * @param challengerSessionId Aeron session id of the challenger's publication (or the field the message binds
     *                            in its place, as a hello's sender id).
     * @param nonce               the nonce ({@link #NONCE_LENGTH} bytes).
     * @param extra               bytes covered after the layout, or null when {@code extraLength} is 0.
     * @param extraOffset         where in {@code extra}.
     * @param extraLength         how many bytes of {@code extra}.
     * @param out                 receives the {@link #MAC_LENGTH} bytes of the proof at {@code outOffset}.
     * @param outOffset           where in {@code out}.
     */
    public void prove(
        final byte role,
        final int proverSessionId,
        final int challengerSessionId,
        final byte[] nonce,
        final byte[] extra,
        final int extraOffset,
        final int extraLength,
        final byte[] out,
        final int outOffset)
    {
        input[0] = role;
        putInt(input, 1, proverSessionId);
        putInt(input, 5, challengerSessionId);
        System.arraycopy(nonce, 0, input, 9, NONCE_LENGTH);
        mac.update(input, 0, INPUT_LENGTH);
        if (extraLength > 0)
        {
            mac.update(extra, extraOffset, extraLength);
        }
        try
        {
            mac.doFinal(out, outOffset);
        }
        catch (final ShortBufferException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /**
     * Checks a proof in constant time with respect to its bytes.
     *
     * @return whether {@code proof} is the proof of these inputs.
     */
    public boolean verify(
        final byte role,
        final int proverSessionId,
        final int challengerSessionId,
        final byte[] nonce,
        final byte[] proof)
    {
        return verify(role, proverSessionId, challengerSessionId, nonce, null, 0, 0, proof);
    }

    /**
     * Checks a proof that covers extra bytes ({@link #prove(byte, int, int, byte[], byte[], int, int, byte[], int)})
     * in constant time.
     *
     * @return true if {@code proof} is the proof of these fields and bytes.
     */
    public boolean verify(
        final byte role,
        final int proverSessionId,
        final int challengerSessionId,
        final byte[] nonce,
        final byte[] extra,
        final int extraOffset,
        final int extraLength,
        final byte[] proof)
    {
        prove(role, proverSessionId, challengerSessionId, nonce, extra, extraOffset, extraLength, expected, 0);
        int diff = 0;
        for (int i = 0; i < MAC_LENGTH; i++)
        {
            diff |= expected[i] ^ proof[i];
        }
        return 0 == diff;
    }

    /**
     * What a hello's MAC covers after the layout above, for the side that says hello: its response stream id (int32,
     * little endian), then its response channel (ASCII), so that a hello taken off the wire cannot be replayed naming
     * another channel or stream. Built once per link, not per hello.
     *
     * @param responseChannel  the channel the hello asks to be answered on.
     * @param responseStreamId the stream it asks to be answered on.
     * @return the bytes to pass as {@code extra} to
     * {@link #prove(byte, int, int, byte[], byte[], int, int, byte[], int)}.
     * @throws IllegalArgumentException if the channel is longer than {@link #MAX_HELLO_CHANNEL_LENGTH} bytes (the
     *                                  other side would refuse every hello).
     */
    public static byte[] helloExtra(final String responseChannel, final int responseStreamId)
    {
        final byte[] channel = responseChannel.getBytes(StandardCharsets.US_ASCII);
        if (channel.length > MAX_HELLO_CHANNEL_LENGTH)
        {
            throw new IllegalArgumentException("a response channel longer than " + MAX_HELLO_CHANNEL_LENGTH +
                " bytes, which the other side of the link refuses: " + responseChannel);
        }
        final byte[] extra = new byte[4 + channel.length];
        putHelloStream(responseStreamId, extra);
        System.arraycopy(channel, 0, extra, 4, channel.length);
        return extra;
    }

    /**
     * Lay out the response stream id of a hello's MAC input (int32, little endian) in the first 4 bytes of {@code dst},
     * for the side that checks the hello: the channel's bytes follow from index 4 (it copies them there from the
     * message, no String made before the MAC verified).
     *
     * @param responseStreamId the hello's response stream.
     * @param dst              at least {@link #HELLO_EXTRA_CAPACITY} bytes.
     */
    public static void putHelloStream(final int responseStreamId, final byte[] dst)
    {
        putInt(dst, 0, responseStreamId);
    }

    private static void putInt(final byte[] dst, final int offset, final int value)
    {
        dst[offset] = (byte)value;
        dst[offset + 1] = (byte)(value >>> 8);
        dst[offset + 2] = (byte)(value >>> 16);
        dst[offset + 3] = (byte)(value >>> 24);
    }
}
