/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.wire;

import io.orrery.wire.feed.FeedEntityEncoder;
import io.orrery.wire.feed.FeedPassEndEncoder;
import io.orrery.wire.feed.FeedRemovalEncoder;
import io.orrery.wire.feed.FeedResyncBeginEncoder;
import io.orrery.wire.replicantlink.MessageHeaderEncoder;
import io.orrery.wire.replicantlink.ReplicantChallengeEncoder;
import io.orrery.wire.replicantlink.ReplicantClientFrameDecoder;
import io.orrery.wire.replicantlink.ReplicantClientFrameEncoder;
import io.orrery.wire.replicantlink.ReplicantHelloDecoder;
import io.orrery.wire.replicantlink.ReplicantHelloEncoder;
import io.orrery.wire.replicantlink.ReplicantProofEncoder;
import io.orrery.wire.replicantlink.ReplicantSessionClosedEncoder;
import io.orrery.wire.replicantlink.ReplicantSessionOpenedEncoder;
import io.orrery.wire.replicantlink.ReplicantRefusedEncoder;
import io.orrery.wire.replicantlink.ReplicantWelcomeEncoder;
import io.orrery.wire.replicantlink.ReplicantWindowEncoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ReplicantLinkValidator}: every template of the bridge link and of the feed it carries passes as encoded, with
 * its exact length; any truncation, a block length other than the template's, a variable-length field that runs past
 * the message, trailing bytes, another schema, an unknown template or version 0 fail; random bytes never throw, and
 * what passes decodes inside a buffer that ends where the message ends (Agrona bounds checks on in tests).
 */
final class ReplicantLinkValidatorTest
{
    private static final int LINK_HEADER = MessageHeaderEncoder.ENCODED_LENGTH;

    private static List<byte[]> validMessages()
    {
        final List<byte[]> messages = new ArrayList<>();
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[512]);
        final MessageHeaderEncoder header = new MessageHeaderEncoder();
        final io.orrery.wire.feed.MessageHeaderEncoder feedHeader = new io.orrery.wire.feed.MessageHeaderEncoder();
        final byte[] sixteen = new byte[16];
        final byte[] thirtyTwo = new byte[32];

        messages.add(copy(buffer, LINK_HEADER + new ReplicantHelloEncoder().wrapAndApplyHeader(buffer, 0, header)
            .replicantId((short)1).responseStreamId(7360).putNonce(sixteen, 0, 16).putMac(thirtyTwo, 0, 32)
            .responseChannel("aeron:udp?endpoint=localhost:20581").encodedLength()));
        messages.add(copy(buffer, LINK_HEADER + new ReplicantProofEncoder().wrapAndApplyHeader(buffer, 0, header)
            .putMac(thirtyTwo, 0, 32).encodedLength()));
        messages.add(copy(buffer, LINK_HEADER + new ReplicantClientFrameEncoder().wrapAndApplyHeader(buffer, 0, header)
            .sessionId(42).putFrame(new byte[]{ 1, 2, 3, 4, 5 }, 0, 5).encodedLength()));
        messages.add(copy(buffer, LINK_HEADER + new ReplicantClientFrameEncoder().wrapAndApplyHeader(buffer, 0, header)
            .sessionId(42).putFrame(new byte[0], 0, 0).encodedLength()));
        messages.add(copy(buffer, LINK_HEADER + new ReplicantChallengeEncoder().wrapAndApplyHeader(buffer, 0, header)
            .putNonce(sixteen, 0, 16).encodedLength()));
        messages.add(copy(buffer, LINK_HEADER + new ReplicantWelcomeEncoder().wrapAndApplyHeader(buffer, 0, header)
            .putMac(thirtyTwo, 0, 32).encodedLength()));
        messages.add(copy(buffer, LINK_HEADER + new ReplicantRefusedEncoder().wrapAndApplyHeader(buffer, 0, header)
            .holderImageSessionId(7).putMac(thirtyTwo, 0, 32).encodedLength()));
        messages.add(copy(buffer, LINK_HEADER + new ReplicantSessionOpenedEncoder()
            .wrapAndApplyHeader(buffer, 0, header).sessionId(1).playerEntityId(2).encodedLength()));
        messages.add(copy(buffer, LINK_HEADER + new ReplicantSessionClosedEncoder()
            .wrapAndApplyHeader(buffer, 0, header).sessionId(1).playerEntityId(2).encodedLength()));
        messages.add(copy(buffer, LINK_HEADER + new ReplicantWindowEncoder().wrapAndApplyHeader(buffer, 0, header)
            .sessionId(1).window(1000).relayed(10).connected((short)1).encodedLength()));

        final FeedEntityEncoder entity = new FeedEntityEncoder().wrapAndApplyHeader(buffer, 0, feedHeader);
        entity.entityId(7).incarnation(1).archetypeId(3).ownerPlayerId(0).parentZoneId(0).isZone((short)0)
            .ownerReplicant((short)1).ownerEpoch(2).x(1).y(2).z(3).vx(0).vy(0).vz(0).ox(0).oy(0).oz(0).ow(1)
            .radius(1).lastAppliedInputSequence(0).authorityEpoch(1).putComponentState(new byte[]{ 9, 9, 9 }, 0, 3);
        messages.add(copy(buffer, LINK_HEADER + entity.encodedLength()));
        messages.add(copy(buffer, LINK_HEADER + new FeedRemovalEncoder().wrapAndApplyHeader(buffer, 0, feedHeader)
            .entityId(7).incarnation(1).reason((short)0).encodedLength()));
        messages.add(copy(buffer, LINK_HEADER + new FeedPassEndEncoder().wrapAndApplyHeader(buffer, 0, feedHeader)
            .passSeq(3).nowNs(4).resync((short)0).encodedLength()));
        messages.add(copy(buffer, LINK_HEADER + new FeedResyncBeginEncoder().wrapAndApplyHeader(buffer, 0, feedHeader)
            .passSeq(3).encodedLength()));
        return messages;
    }

    private static byte[] copy(final UnsafeBuffer buffer, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(0, bytes);
        return bytes;
    }

    @Test
    void shouldPassEveryTemplateAsEncodedWithItsExactLength()
    {
        for (final byte[] message : validMessages())
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(message);
            assertEquals(message.length, ReplicantLinkValidator.validate(buffer, 0, message.length),
                "template " + buffer.getShort(2, LITTLE_ENDIAN));
        }
    }

    @Test
    void shouldRefuseEveryTruncationAndTrailingBytes()
    {
        for (final byte[] message : validMessages())
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[message.length + 1]);
            buffer.putBytes(0, message);
            for (int length = 0; length < message.length; length++)
            {
                assertTrue(ReplicantLinkValidator.validate(buffer, 0, length) < 0,
                    "template " + buffer.getShort(2, LITTLE_ENDIAN) + " truncated to " + length);
            }
            assertEquals(ValidationReason.TRAILING_BYTES, ReplicantLinkValidator.validate(buffer, 0,
                message.length + 1));
        }
    }

    @Test
    void shouldRefuseABlockLengthOtherThanTheTemplates()
    {
        for (final byte[] message : validMessages())
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(message.clone());
            final int blockLength = buffer.getShort(0, LITTLE_ENDIAN) & 0xFFFF;
            buffer.putShort(0, (short)(blockLength - 1), LITTLE_ENDIAN);
            assertEquals(ValidationReason.BLOCK_LENGTH_TOO_SMALL,
                ReplicantLinkValidator.validate(buffer, 0, message.length));
            buffer.putShort(0, (short)(blockLength + 1), LITTLE_ENDIAN);
            assertEquals(ValidationReason.BLOCK_LENGTH_TOO_LARGE,
                ReplicantLinkValidator.validate(buffer, 0, message.length),
                "template " + buffer.getShort(2, LITTLE_ENDIAN) + " of schema " + buffer.getShort(4, LITTLE_ENDIAN) +
                " version " + buffer.getShort(6, LITTLE_ENDIAN));
            buffer.putShort(0, (short)0xFFFF, LITTLE_ENDIAN);
            assertTrue(ReplicantLinkValidator.validate(buffer, 0, message.length) < 0);
        }
    }

    @Test
    void shouldRefuseAVariableLengthFieldRunningPastTheMessage()
    {
        final List<byte[]> messages = validMessages();
        final byte[] hello = messages.get(0);
        final UnsafeBuffer buffer = new UnsafeBuffer(hello.clone());
        final int lengthOffset = LINK_HEADER + ReplicantHelloDecoder.BLOCK_LENGTH;
        final int channelLength = buffer.getShort(lengthOffset, LITTLE_ENDIAN) & 0xFFFF;
        buffer.putShort(lengthOffset, (short)(channelLength + 1), LITTLE_ENDIAN);
        assertEquals(ValidationReason.TRUNCATED_VAR_DATA, ReplicantLinkValidator.validate(buffer, 0, hello.length));
        buffer.putShort(lengthOffset, (short)0xFFFF, LITTLE_ENDIAN);
        assertEquals(ValidationReason.TRUNCATED_VAR_DATA, ReplicantLinkValidator.validate(buffer, 0, hello.length));

        final byte[] frame = messages.get(2);
        final UnsafeBuffer frameBuffer = new UnsafeBuffer(frame.clone());
        frameBuffer.putShort(LINK_HEADER + ReplicantClientFrameDecoder.BLOCK_LENGTH, (short)6, LITTLE_ENDIAN);
        assertEquals(ValidationReason.TRUNCATED_VAR_DATA, ReplicantLinkValidator.validate(frameBuffer, 0,
            frame.length));
    }

    @Test
    void shouldRefuseAnotherSchemaAnUnknownTemplateAndVersionZero()
    {
        final byte[] challenge = validMessages().get(4);
        final UnsafeBuffer buffer = new UnsafeBuffer(challenge.clone());
        buffer.putShort(4, (short)7301, LITTLE_ENDIAN);
        assertEquals(ValidationReason.WRONG_SCHEMA_ID, ReplicantLinkValidator.validate(buffer, 0, challenge.length));
        buffer.putShort(4, (short)ReplicantLinkValidator.LINK_SCHEMA_ID, LITTLE_ENDIAN);
        buffer.putShort(2, (short)99, LITTLE_ENDIAN);
        assertEquals(ValidationReason.UNKNOWN_TEMPLATE, ReplicantLinkValidator.validate(buffer, 0, challenge.length));
        buffer.putShort(2, (short)101, LITTLE_ENDIAN);
        buffer.putShort(6, (short)0, LITTLE_ENDIAN);
        assertEquals(ValidationReason.UNSUPPORTED_VERSION,
            ReplicantLinkValidator.validate(buffer, 0, challenge.length));
        // a feed template id under the link's schema id is not a feed message
        buffer.putShort(6, (short)1, LITTLE_ENDIAN);
        buffer.putShort(2, (short)4, LITTLE_ENDIAN);
        assertEquals(ValidationReason.UNKNOWN_TEMPLATE, ReplicantLinkValidator.validate(buffer, 0, challenge.length));
    }

    @Test
    void shouldAcceptANewerVersionsLongerBlockAndTrailingExtension()
    {
        final byte[] window = validMessages().get(8);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[window.length + 8]);
        buffer.putBytes(0, window);
        buffer.putShort(0, (short)(window.length - LINK_HEADER + 4), LITTLE_ENDIAN);
        buffer.putShort(6, (short)(MessageHeaderEncoder.SCHEMA_VERSION + 1), LITTLE_ENDIAN);
        assertEquals(window.length + 4, ReplicantLinkValidator.validate(buffer, 0, window.length + 8));
    }

    @Test
    void shouldNeverThrowOnRandomOrMutatedBytes()
    {
        final SplittableRandom random = new SplittableRandom(7350);
        final List<byte[]> messages = validMessages();
        int accepted = 0;
        for (int i = 0; i < 200_000; i++)
        {
            final byte[] bytes;
            if (0 == (i & 1))
            {
                bytes = new byte[random.nextInt(0, 96)];
                for (int b = 0; b < bytes.length; b++)
                {
                    bytes[b] = (byte)random.nextInt(256);
                }
                if (bytes.length >= 8)
                {
                    bytes[4] = (byte)(0 == (i & 2) ? 0xB6 : 0xA2); // schema 7350 or 7330, low byte
                    bytes[5] = (byte)0x1C;
                    bytes[6] = 1;
                    bytes[7] = 0;
                }
            }
            else
            {
                bytes = messages.get(random.nextInt(messages.size())).clone();
                bytes[random.nextInt(bytes.length)] ^= (byte)(1 << random.nextInt(8));
            }
            final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
            final int result = ReplicantLinkValidator.validate(buffer, 0, bytes.length);
            if (result >= 0)
            {
                accepted++;
                assertTrue(result <= bytes.length);
            }
        }
        assertTrue(accepted > 0, "some mutations stay valid (a changed value, not a changed length)");
    }
}
