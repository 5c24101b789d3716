/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.wire;

import io.orrery.wire.codec.LoadReportEncoder;
import io.orrery.wire.codec.MessageHeaderEncoder;
import io.orrery.wire.codec.TimeDilationEncoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.function.ObjIntConsumer;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static io.orrery.wire.MessageLandmarks.GROUP_HEADER;
import static io.orrery.wire.MessageLandmarks.VAR_HEADER;
import static io.orrery.wire.MessageLandmarks.uint16;
import static io.orrery.wire.ValidationReason.BLOCK_LENGTH_TOO_LARGE;
import static io.orrery.wire.ValidationReason.BLOCK_LENGTH_TOO_SMALL;
import static io.orrery.wire.ValidationReason.GROUP_BLOCK_LENGTH_MISMATCH;
import static io.orrery.wire.ValidationReason.GROUP_COUNT_TOO_LARGE;
import static io.orrery.wire.ValidationReason.INVALID_BUFFER_RANGE;
import static io.orrery.wire.ValidationReason.TRAILING_BYTES;
import static io.orrery.wire.ValidationReason.TRUNCATED_BLOCK;
import static io.orrery.wire.ValidationReason.TRUNCATED_GROUP;
import static io.orrery.wire.ValidationReason.TRUNCATED_VAR_DATA;
import static io.orrery.wire.ValidationReason.UNKNOWN_TEMPLATE;
import static io.orrery.wire.ValidationReason.UNSUPPORTED_VERSION;
import static io.orrery.wire.ValidationReason.VAR_DATA_TOO_LONG;
import static io.orrery.wire.ValidationReason.WRONG_SCHEMA_ID;
import static io.orrery.wire.ValidationReason.name;
import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Malformed input: every kind of damage is rejected with its specific {@link ValidationReason}, never an exception.
 * Buffers handed to the validator end where the message ends, so with Agrona bounds checks on any read past the
 * message would throw.
 */
class MessageValidatorTest
{
    private static final int OFFSET = 5;
    private static final int COUNT = 3;
    private static final int VAR_LENGTH = 5;
    private static final int SCHEMA_ID_OFFSET = 4;
    private static final int VERSION_OFFSET = 6;
    private static final int NEWER_VERSION = MessageValidator.CURRENT_VERSION + 1;

    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024 * 1024]);
    private final UnsafeBuffer widened = new UnsafeBuffer(new byte[1024 * 1024]);
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private final SampleMessages samples = new SampleMessages();
    private final DecodedMessages decoded = new DecodedMessages();
    private final MessageLandmarks landmarks = new MessageLandmarks();

    static Stream<Arguments> everyMessage()
    {
        return named(SampleMessages.TEMPLATE_IDS);
    }

    static Stream<Arguments> messagesWithGroups()
    {
        return named(SampleMessages.GROUP_TEMPLATE_IDS);
    }

    static Stream<Arguments> messagesWithVarData()
    {
        return Stream.concat(named(SampleMessages.VAR_DATA_TEMPLATE_IDS), named(SampleMessages.GROUP_TEMPLATE_IDS));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyMessage")
    void shouldRejectWithSpecificReasonWhenTruncatedAtEveryOffset(final String name, final int templateId)
    {
        final int length = encode(templateId);
        assertEquals(length, landmarks.walk(buffer, OFFSET));

        for (int truncated = 0; truncated < length; truncated++)
        {
            view.wrap(buffer, 0, OFFSET + truncated);
            final int cut = truncated;
            final int result = assertDoesNotThrow(() -> MessageValidator.validate(view, OFFSET, cut));
            assertEquals(landmarks.truncationReason(truncated), result, () -> "cut at " + cut + ": " + name(result));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyMessage")
    void shouldRejectWhenSchemaIdWrong(final String name, final int templateId)
    {
        final int length = encode(templateId);
        buffer.putShort(OFFSET + SCHEMA_ID_OFFSET, (short)7302, LITTLE_ENDIAN);

        assertReason(WRONG_SCHEMA_ID, length);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyMessage")
    void shouldRejectWhenVersionOlderThanSupported(final String name, final int templateId)
    {
        final int length = encode(templateId);
        buffer.putShort(OFFSET + VERSION_OFFSET, (short)(MessageValidator.MIN_SUPPORTED_VERSION - 1), LITTLE_ENDIAN);

        assertReason(UNSUPPORTED_VERSION, length);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyMessage")
    void shouldAcceptAndDecodeWhenNewerVersionWidensBlocksAndAppendsFields(final String name, final int templateId)
    {
        final int length = encode(templateId);
        landmarks.walk(buffer, OFFSET);
        final int newerLength = landmarks.widen(buffer, OFFSET, widened, OFFSET, NEWER_VERSION, 8);
        widened.setMemory(OFFSET + newerLength, 11, (byte)0x5A);
        view.wrap(widened, 0, OFFSET + newerLength + 11);

        assertTrue(newerLength > length);
        assertEquals(newerLength, MessageValidator.validate(view, OFFSET, newerLength));
        assertEquals(newerLength, MessageValidator.validate(view, OFFSET, newerLength + 11));
        assertEquals(newerLength, decoded.assertDecoded(templateId, widened, OFFSET, 1, COUNT, VAR_LENGTH));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyMessage")
    void shouldRejectWhenNewerVersionShrinksRootBlock(final String name, final int templateId)
    {
        final int length = encode(templateId);
        buffer.putShort(OFFSET + VERSION_OFFSET, (short)NEWER_VERSION, LITTLE_ENDIAN);
        buffer.putShort(OFFSET, (short)(MessageLayouts.rootBlockLength(templateId) - 1), LITTLE_ENDIAN);

        assertReason(BLOCK_LENGTH_TOO_SMALL, length);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messagesWithGroups")
    void shouldRejectWhenNewerVersionShrinksGroupBlock(final String name, final int templateId)
    {
        encode(templateId);
        landmarks.walk(buffer, OFFSET);
        final int newerLength = landmarks.widen(buffer, OFFSET, widened, OFFSET, NEWER_VERSION, 4);
        view.wrap(widened, 0, OFFSET + newerLength);

        forEachLandmark(widened, GROUP_HEADER, (position, ordinal) ->
        {
            final int blockLength = uint16(widened, OFFSET + position);
            widened.putShort(OFFSET + position, (short)(blockLength - 5), LITTLE_ENDIAN);
            assertEquals(GROUP_BLOCK_LENGTH_MISMATCH, MessageValidator.validate(view, OFFSET, newerLength));
            widened.putShort(OFFSET + position, (short)blockLength, LITTLE_ENDIAN);
        });
        assertEquals(newerLength, MessageValidator.validate(view, OFFSET, newerLength));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyMessage")
    void shouldRejectWhenTemplateUnknown(final String name, final int templateId)
    {
        final int length = encode(templateId);
        for (final int unknown : new int[]{ 0, 18, 99, 120, 199, 299, 300, 65535 })
        {
            buffer.putShort(OFFSET + 2, (short)unknown, LITTLE_ENDIAN);
            assertReason(UNKNOWN_TEMPLATE, length);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyMessage")
    void shouldRejectWhenBlockLengthTooSmall(final String name, final int templateId)
    {
        final int length = encode(templateId);
        buffer.putShort(OFFSET, (short)(MessageLayouts.rootBlockLength(templateId) - 1), LITTLE_ENDIAN);
        assertReason(BLOCK_LENGTH_TOO_SMALL, length);

        buffer.putShort(OFFSET, (short)0, LITTLE_ENDIAN);
        assertReason(BLOCK_LENGTH_TOO_SMALL, length);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyMessage")
    void shouldRejectWhenBlockLengthTooLargeForCurrentVersion(final String name, final int templateId)
    {
        final int length = encode(templateId);
        buffer.putShort(OFFSET, (short)(MessageLayouts.rootBlockLength(templateId) + 1), LITTLE_ENDIAN);
        assertReason(BLOCK_LENGTH_TOO_LARGE, length);

        buffer.putShort(OFFSET, (short)0xFFFF, LITTLE_ENDIAN);
        assertReason(BLOCK_LENGTH_TOO_LARGE, length);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyMessage")
    void shouldRejectWhenNewerVersionBlockRunsPastBuffer(final String name, final int templateId)
    {
        final int length = encode(templateId);
        buffer.putShort(OFFSET + VERSION_OFFSET, (short)NEWER_VERSION, LITTLE_ENDIAN);
        buffer.putShort(OFFSET, (short)(length - MessageFraming.HEADER_LENGTH + 1), LITTLE_ENDIAN);

        assertReason(TRUNCATED_BLOCK, length);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messagesWithGroups")
    void shouldRejectWhenGroupCountRunsPastBuffer(final String name, final int templateId)
    {
        final int length = encode(templateId);
        forEachLandmark(buffer, GROUP_HEADER, (position, ordinal) ->
        {
            buffer.putShort(OFFSET + position + 2, (short)(COUNT + 1), LITTLE_ENDIAN);
            assertReason(TRUNCATED_GROUP, length);
            buffer.putShort(OFFSET + position + 2, (short)COUNT, LITTLE_ENDIAN);
        });
        assertReason(length, length);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messagesWithGroups")
    void shouldRejectWhenGroupCountAboveMax(final String name, final int templateId)
    {
        final int length = encode(templateId);
        forEachLandmark(buffer, GROUP_HEADER, (position, ordinal) ->
        {
            for (final int count : new int[]{ groupMaxCount(templateId, ordinal) + 1, 65534, 65535 })
            {
                buffer.putShort(OFFSET + position + 2, (short)count, LITTLE_ENDIAN);
                assertReason(GROUP_COUNT_TOO_LARGE, length);
            }
            buffer.putShort(OFFSET + position + 2, (short)COUNT, LITTLE_ENDIAN);
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messagesWithGroups")
    void shouldRejectWhenGroupBlockLengthWrong(final String name, final int templateId)
    {
        final int length = encode(templateId);
        forEachLandmark(buffer, GROUP_HEADER, (position, ordinal) ->
        {
            final int blockLength = uint16(buffer, OFFSET + position);
            for (final int wrong : new int[]{ blockLength - 1, blockLength + 1, 0, 65535 })
            {
                buffer.putShort(OFFSET + position, (short)wrong, LITTLE_ENDIAN);
                assertReason(GROUP_BLOCK_LENGTH_MISMATCH, length);
            }
            buffer.putShort(OFFSET + position, (short)blockLength, LITTLE_ENDIAN);
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messagesWithVarData")
    void shouldRejectWhenVarDataLengthRunsPastBuffer(final String name, final int templateId)
    {
        final int length = encode(templateId);
        forEachLandmark(buffer, VAR_HEADER, (position, ordinal) ->
        {
            final int dataLength = uint16(buffer, OFFSET + position);
            final int pastEnd = length - (position + MessageFraming.VAR_DATA_HEADER_LENGTH) + 1;
            buffer.putShort(OFFSET + position, (short)pastEnd, LITTLE_ENDIAN);
            assertReason(TRUNCATED_VAR_DATA, length);
            buffer.putShort(OFFSET + position, (short)dataLength, LITTLE_ENDIAN);
        });
        assertReason(length, length);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messagesWithVarData")
    void shouldRejectWhenVarDataLengthAboveMax(final String name, final int templateId)
    {
        final int length = encode(templateId);
        forEachLandmark(buffer, VAR_HEADER, (position, ordinal) ->
        {
            final int dataLength = uint16(buffer, OFFSET + position);
            buffer.putShort(OFFSET + position, (short)(MessageLayouts.MAX_VAR_DATA_LENGTH + 1), LITTLE_ENDIAN);
            assertReason(VAR_DATA_TOO_LONG, length);
            buffer.putShort(OFFSET + position, (short)dataLength, LITTLE_ENDIAN);
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyMessage")
    void shouldRejectWhenTrailingBytesAfterCurrentVersion(final String name, final int templateId)
    {
        final int length = encode(templateId);

        assertReason(TRAILING_BYTES, length + 1);
        assertReason(TRAILING_BYTES, length + 100);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyMessage")
    void shouldAcceptTrailingBytesWhenNewerVersion(final String name, final int templateId)
    {
        final int length = encode(templateId);
        buffer.putShort(OFFSET + VERSION_OFFSET, (short)NEWER_VERSION, LITTLE_ENDIAN);

        assertReason(length, length + 7);
    }

    @Test
    void shouldRejectWhenBufferRangeInvalid()
    {
        final int length = encode(SampleMessages.TEMPLATE_IDS[0]);
        view.wrap(buffer, 0, OFFSET + length);

        assertEquals(INVALID_BUFFER_RANGE, MessageValidator.validate(view, -1, length));
        assertEquals(INVALID_BUFFER_RANGE, MessageValidator.validate(view, OFFSET, -1));
        assertEquals(INVALID_BUFFER_RANGE, MessageValidator.validate(view, OFFSET, length + 1));
        assertEquals(INVALID_BUFFER_RANGE, MessageValidator.validate(view, OFFSET + length + 1, 0));
        assertEquals(INVALID_BUFFER_RANGE, MessageValidator.validate(view, Integer.MAX_VALUE, Integer.MAX_VALUE));
        assertEquals(length, MessageValidator.validate(view, OFFSET, length));
    }

    @Test
    void shouldRejectTimeDilationOutsideOneToThousandPerMilleWhenLoadReportOrTimeDilation()
    {
        final int[] templateIds = { LoadReportEncoder.TEMPLATE_ID, TimeDilationEncoder.TEMPLATE_ID };
        final int[] fieldOffsets =
        {
            LoadReportEncoder.timeDilationPerMilleEncodingOffset(), TimeDilationEncoder.timeDilationPerMilleEncodingOffset()
        };
        for (int i = 0; i < templateIds.length; i++)
        {
            final int index = OFFSET + MessageHeaderEncoder.ENCODED_LENGTH + fieldOffsets[i];
            for (final int perMille : new int[]{ 0, 1001, 0xFFFF })
            {
                final int length = encode(templateIds[i]);
                buffer.putShort(index, (short)perMille, LITTLE_ENDIAN);
                assertReason(ValidationReason.TIME_DILATION_OUT_OF_RANGE, length);
            }
            for (final int perMille : new int[]{ 1, 100, 1000 })
            {
                final int length = encode(templateIds[i]);
                buffer.putShort(index, (short)perMille, LITTLE_ENDIAN);
                assertReason(length, length);
            }
        }
    }

    @Test
    void shouldNameEveryReasonDistinctlyWhenLogging()
    {
        final Set<String> names = new HashSet<>();
        for (int code = -1; code > -ValidationReason.COUNT; code--)
        {
            final String name = ValidationReason.name(code);
            assertTrue(names.add(name), name);
            assertTrue(!"UNKNOWN_REASON".equals(name) && !"OK".equals(name), name);
        }

        assertEquals("UNKNOWN_REASON", ValidationReason.name(-ValidationReason.COUNT));
        assertEquals("OK", ValidationReason.name(0));
        assertEquals("OK", ValidationReason.name(42));
        assertEquals(ValidationReason.COUNT - 1, names.size());
    }

    private int encode(final int templateId)
    {
        buffer.setMemory(0, buffer.capacity(), (byte)0);
        return samples.encode(templateId, buffer, OFFSET, 1, COUNT, VAR_LENGTH);
    }

    private void assertReason(final int expected, final int length)
    {
        view.wrap(buffer, 0, OFFSET + length);
        final int result = assertDoesNotThrow(() -> MessageValidator.validate(view, OFFSET, length));
        assertEquals(expected, result, () -> "expected " + name(expected) + " but was " + name(result));
    }

    /**
     * Run {@code action} with the position and ordinal of each landmark of a kind in the message in {@code source}.
     */
    private void forEachLandmark(final DirectBuffer source, final int kind, final ObjIntConsumer<Integer> action)
    {
        landmarks.walk(source, OFFSET);
        final int[] positions = IntStream.range(0, landmarks.count)
            .filter((i) -> landmarks.kind[i] == kind)
            .map((i) -> landmarks.position[i])
            .toArray();
        assertTrue(positions.length > 0, "no landmark of kind " + kind);
        for (int ordinal = 0; ordinal < positions.length; ordinal++)
        {
            action.accept(positions[ordinal], ordinal);
        }
    }

    private static int groupMaxCount(final int templateId, final int groupOrdinal)
    {
        int ordinal = 0;
        final int first = MessageLayouts.firstElement(templateId);
        for (int element = first; element < first + MessageLayouts.elementCount(templateId); element++)
        {
            if (MessageLayouts.kind(element) == MessageLayouts.GROUP && ordinal++ == groupOrdinal)
            {
                return MessageLayouts.groupMaxCount(element);
            }
        }

        throw new IllegalArgumentException("no group " + groupOrdinal + " in template " + templateId);
    }

    private static Stream<Arguments> named(final int[] templateIds)
    {
        return Arrays.stream(templateIds).mapToObj(
            (templateId) -> Arguments.of(SampleMessages.name(templateId), templateId));
    }
}
