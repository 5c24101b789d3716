/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.wire;

import io.orrery.wire.codec.ClientViewBatchDecoder;
import io.orrery.wire.codec.ClientViewsCompactDecoder;
import io.orrery.wire.codec.DisconnectDecoder;
import io.orrery.wire.codec.EntityCreateRequestDecoder;
import io.orrery.wire.codec.EntityDespawnDecoder;
import io.orrery.wire.codec.EntityUpdatesCompactDecoder;
import io.orrery.wire.codec.EntityDestroyRequestDecoder;
import io.orrery.wire.codec.EntitySpawnDecoder;
import io.orrery.wire.codec.EntityStateBatchDecoder;
import io.orrery.wire.codec.EntityStreamInDecoder;
import io.orrery.wire.codec.EntityStreamOutDecoder;
import io.orrery.wire.codec.EntityUpdateBatchDecoder;
import io.orrery.wire.codec.ForwardedInputDecoder;
import io.orrery.wire.codec.HandoffAcceptDecoder;
import io.orrery.wire.codec.HandoffCommitDecoder;
import io.orrery.wire.codec.HandoffPrepareDecoder;
import io.orrery.wire.codec.HeartbeatDecoder;
import io.orrery.wire.codec.HelloDecoder;
import io.orrery.wire.codec.LoadReportDecoder;
import io.orrery.wire.codec.MessageHeaderDecoder;
import io.orrery.wire.codec.PlayerInputDecoder;
import io.orrery.wire.codec.RejectDecoder;
import io.orrery.wire.codec.ReputationChangeResultDecoder;
import io.orrery.wire.codec.ServerHeartbeatDecoder;
import io.orrery.wire.codec.ServerGoodbyeDecoder;
import io.orrery.wire.codec.ServerTickEndDecoder;
import io.orrery.wire.codec.ServerHelloDecoder;
import io.orrery.wire.codec.ServerRejectDecoder;
import io.orrery.wire.codec.ServerWelcomeDecoder;
import io.orrery.wire.codec.StowRequestDecoder;
import io.orrery.wire.codec.StowResultDecoder;
import io.orrery.wire.codec.TerritoryGrantDecoder;
import io.orrery.wire.codec.TerritoryRevokeDecoder;
import io.orrery.wire.codec.ReplicantResetDecoder;
import io.orrery.wire.codec.TimeDilationDecoder;
import io.orrery.wire.codec.UnstowRequestDecoder;
import io.orrery.wire.codec.WalletChangeResultDecoder;
import io.orrery.wire.codec.WelcomeDecoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.sbe.MessageDecoderFlyweight;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Random and mutated input with fixed seeds: the validator never throws, and whatever it accepts the generated
 * decoders can walk completely (every group entry and var-data field) inside a buffer that ends where the message
 * ends, with Agrona bounds checks and SBE precedence checks on.
 */
class MessageValidatorFuzzTest
{
    private static final int RANDOM_ITERATIONS = 1_000_000;
    private static final int MUTATION_ITERATIONS = 200_000;
    private static final int MAX_RANDOM_LENGTH = 512;

    private final MessageDecoderFlyweight[] decoders = new MessageDecoderFlyweight[MessageLayouts.MAX_TEMPLATE_ID + 1];
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64 * 1024]);
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private final int[] reasonCounts = new int[ValidationReason.COUNT];

    MessageValidatorFuzzTest()
    {
        for (final MessageDecoderFlyweight decoder : new MessageDecoderFlyweight[]
        {
            new HelloDecoder(), new WelcomeDecoder(), new RejectDecoder(), new HeartbeatDecoder(),
            new DisconnectDecoder(), new PlayerInputDecoder(), new EntitySpawnDecoder(), new EntityUpdateBatchDecoder(),
            new EntityDespawnDecoder(), new EntityUpdatesCompactDecoder(), new StowRequestDecoder(),
            new UnstowRequestDecoder(), new StowResultDecoder(),
            new WalletChangeResultDecoder(), new ReputationChangeResultDecoder(), new ServerHelloDecoder(),
            new ServerWelcomeDecoder(), new ServerRejectDecoder(), new LoadReportDecoder(), new TerritoryGrantDecoder(),
            new TerritoryRevokeDecoder(), new HandoffPrepareDecoder(), new HandoffAcceptDecoder(),
            new HandoffCommitDecoder(), new EntityStreamInDecoder(), new EntityStreamOutDecoder(),
            new ForwardedInputDecoder(), new EntityStateBatchDecoder(), new EntityCreateRequestDecoder(),
            new EntityDestroyRequestDecoder(), new ClientViewBatchDecoder(), new ServerHeartbeatDecoder(),
            new ServerTickEndDecoder(), new TimeDilationDecoder(), new ClientViewsCompactDecoder(),
            new ReplicantResetDecoder(), new ServerGoodbyeDecoder(),
        })
        {
            decoders[decoder.sbeTemplateId()] = decoder;
        }
    }

    @Test
    void shouldNeverThrowAndDecodeWhateverIsAcceptedWhenBytesRandom()
    {
        final SplittableRandom random = new SplittableRandom(0x0EEE_7301L);
        final byte[] bytes = buffer.byteArray();
        int accepted = 0;

        for (int i = 0; i < RANDOM_ITERATIONS; i++)
        {
            final int length = random.nextInt(MAX_RANDOM_LENGTH + 1);
            for (int b = 0; b < length; b++)
            {
                bytes[b] = (byte)random.nextInt();
            }

            if ((i & 1) == 0 && length >= MessageFraming.HEADER_LENGTH)
            {
                putPlausibleHeader(random);
            }

            accepted += check(length);
        }

        report("random", RANDOM_ITERATIONS, accepted);
        assertTrue(accepted > 0);
    }

    @Test
    void shouldNeverThrowAndDecodeWhateverIsAcceptedWhenValidMessagesMutated()
    {
        final SplittableRandom random = new SplittableRandom(7301L);
        final SampleMessages samples = new SampleMessages();
        int accepted = 0;

        for (int i = 0; i < MUTATION_ITERATIONS; i++)
        {
            final int templateId = SampleMessages.TEMPLATE_IDS[random.nextInt(SampleMessages.TEMPLATE_IDS.length)];
            final int encodedLength = samples.encode(
                templateId, buffer, 0, random.nextInt(BoundaryValues.VARIANTS), random.nextInt(4), random.nextInt(40));
            int length = encodedLength;

            final int mutations = 1 + random.nextInt(3);
            for (int m = 0; m < mutations && length >= 2; m++)
            {
                switch (random.nextInt(4))
                {
                    case 0:
                        buffer.putByte(random.nextInt(length), (byte)random.nextInt());
                        break;
                    case 1:
                        buffer.putShort(random.nextInt(length - 1), (short)random.nextInt(), LITTLE_ENDIAN);
                        break;
                    case 2:
                        buffer.putShort(random.nextInt(length - 1), (short)random.nextInt(-8, 9), LITTLE_ENDIAN);
                        break;
                    default:
                        length = Math.max(0, length + random.nextInt(-16, 17));
                        break;
                }
            }

            accepted += check(length);
        }

        report("mutated", MUTATION_ITERATIONS, accepted);
        assertTrue(accepted > 0);
    }

    private void putPlausibleHeader(final SplittableRandom random)
    {
        final int templateId = SampleMessages.TEMPLATE_IDS[random.nextInt(SampleMessages.TEMPLATE_IDS.length)];
        final int version = MessageValidator.CURRENT_VERSION + (random.nextInt(8) == 0 ? 1 : 0);
        final int blockLength = MessageLayouts.rootBlockLength(templateId) + (version > 1 ? random.nextInt(4) : 0);
        buffer.putShort(0, (short)blockLength, LITTLE_ENDIAN);
        buffer.putShort(2, (short)templateId, LITTLE_ENDIAN);
        buffer.putShort(4, (short)MessageHeaderDecoder.SCHEMA_ID, LITTLE_ENDIAN);
        buffer.putShort(6, (short)version, LITTLE_ENDIAN);
    }

    /**
     * Validate the first {@code length} bytes of {@link #buffer}; if accepted, walk the message with its decoder.
     *
     * @return 1 if accepted, else 0.
     */
    private int check(final int length)
    {
        view.wrap(buffer, 0, length);
        final int result;
        try
        {
            result = MessageValidator.validate(view, 0, length);
        }
        catch (final RuntimeException ex)
        {
            fail("validator threw on " + length + " bytes", ex);
            return 0;
        }

        if (result < 0)
        {
            reasonCounts[-result]++;
            return 0;
        }

        assertTrue(result <= length);
        assertEquals(result, walk(view, result));
        return 1;
    }

    private int walk(final DirectBuffer message, final int validatedLength)
    {
        final int blockLength = message.getShort(0, LITTLE_ENDIAN) & 0xFFFF;
        final int templateId = message.getShort(2, LITTLE_ENDIAN) & 0xFFFF;
        final int version = message.getShort(6, LITTLE_ENDIAN) & 0xFFFF;
        final MessageDecoderFlyweight decoder = decoders[templateId];
        assertNotNull(decoder, "accepted unknown template " + templateId);

        view.wrap(buffer, 0, validatedLength);
        decoder.wrap(view, MessageFraming.HEADER_LENGTH, blockLength, version);

        return MessageFraming.HEADER_LENGTH + decoder.sbeDecodedLength();
    }

    private void report(final String kind, final int iterations, final int accepted)
    {
        final StringBuilder builder = new StringBuilder()
            .append("fuzz ").append(kind).append(": ").append(iterations).append(" inputs, ")
            .append(accepted).append(" accepted and fully decoded; rejected:");
        for (int i = 1; i < ValidationReason.COUNT; i++)
        {
            if (reasonCounts[i] > 0)
            {
                builder.append(' ').append(ValidationReason.name(-i)).append('=').append(reasonCounts[i]);
            }
        }
        System.out.println(builder);
    }
}
