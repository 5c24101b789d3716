/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.wire;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static io.orrery.wire.MessageLayouts.MAX_VAR_DATA_LENGTH;
import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every message of the schema encoded with boundary values in every field, validated and decoded back.
 */
class MessageRoundTripTest
{
    private static final int OFFSET = 3;
    private static final UnsafeBuffer BUFFER = new UnsafeBuffer(ByteBuffer.allocateDirect(4 * 1024 * 1024));

    private final SampleMessages samples = new SampleMessages();
    private final DecodedMessages decoded = new DecodedMessages();

    static Stream<Arguments> everyMessageAndVariant()
    {
        return Arrays.stream(SampleMessages.TEMPLATE_IDS).boxed().flatMap(
            (templateId) -> BoundaryValues.variants().mapToObj(
                (variant) -> Arguments.of(SampleMessages.name(templateId), templateId, variant)));
    }

    static Stream<Arguments> messagesWithGroups()
    {
        return named(SampleMessages.GROUP_TEMPLATE_IDS);
    }

    static Stream<Arguments> messagesWithVarData()
    {
        return Stream.concat(named(SampleMessages.VAR_DATA_TEMPLATE_IDS), named(SampleMessages.GROUP_TEMPLATE_IDS));
    }

    @ParameterizedTest(name = "{0} variant {2}")
    @MethodSource("everyMessageAndVariant")
    void shouldRoundTripEveryFieldWhenValuesAtBoundaries(final String name, final int templateId, final int variant)
    {
        roundTrip(templateId, variant, 3, 5);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messagesWithGroups")
    void shouldRoundTripWhenGroupsEmpty(final String name, final int templateId)
    {
        BoundaryValues.variants().forEach((variant) -> roundTrip(templateId, variant, 0, 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messagesWithGroups")
    void shouldRoundTripWhenGroupsHoldMaxCount(final String name, final int templateId)
    {
        IntStream.of(0, 7).forEach((variant) -> roundTrip(templateId, variant, groupMaxCount(templateId), 3));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messagesWithVarData")
    void shouldRoundTripWhenVarDataEmpty(final String name, final int templateId)
    {
        BoundaryValues.variants().forEach((variant) -> roundTrip(templateId, variant, 1, 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messagesWithVarData")
    void shouldRoundTripWhenVarDataAtMaxLength(final String name, final int templateId)
    {
        IntStream.of(0, 5).forEach((variant) -> roundTrip(templateId, variant, 3, MAX_VAR_DATA_LENGTH));
    }

    private void roundTrip(final int templateId, final int variant, final int count, final int varLength)
    {
        final int length = samples.encode(templateId, BUFFER, OFFSET, variant, count, varLength);

        assertEquals(MessageLayouts.rootBlockLength(templateId), BUFFER.getShort(OFFSET, LITTLE_ENDIAN));
        assertEquals(MessageValidator.CURRENT_VERSION, BUFFER.getShort(OFFSET + 6, LITTLE_ENDIAN));
        assertEquals(length, MessageValidator.validate(BUFFER, OFFSET, length));
        assertEquals(length, decoded.assertDecoded(templateId, BUFFER, OFFSET, variant, count, varLength));
    }

    private static int groupMaxCount(final int templateId)
    {
        int max = Integer.MAX_VALUE;
        final int first = MessageLayouts.firstElement(templateId);
        for (int element = first; element < first + MessageLayouts.elementCount(templateId); element++)
        {
            if (MessageLayouts.kind(element) == MessageLayouts.GROUP)
            {
                max = Math.min(max, MessageLayouts.groupMaxCount(element));
            }
        }

        return max;
    }

    private static Stream<Arguments> named(final int[] templateIds)
    {
        return Arrays.stream(templateIds).mapToObj(
            (templateId) -> Arguments.of(SampleMessages.name(templateId), templateId));
    }
}
