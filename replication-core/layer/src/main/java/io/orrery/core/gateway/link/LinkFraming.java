/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.gateway.link;

import io.orrery.wire.gatewaylink.MessageHeaderDecoder;
import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * Checks both ends of the Gateway link make before a decoder reads a message: the header is of this schema and its
 * block fits, and a variable-length field lies within the message.
 * <p>
 * Threading: stateless.
 */
final class LinkFraming
{
    /**
     * Bytes of a variable-length field's length (uint16).
     */
    static final int VAR_LENGTH_LENGTH = 2;

    private LinkFraming()
    {
    }

    /**
     * Wrap the header decoder over a message and check it.
     *
     * @return the message's block length, or -1 if it is too short, of another schema, or its block does not fit.
     */
    static int blockLength(
        final MessageHeaderDecoder headerDecoder, final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            return -1;
        }
        headerDecoder.wrap(buffer, offset);
        final int blockLength = headerDecoder.blockLength();
        return MessageHeaderDecoder.SCHEMA_ID != headerDecoder.schemaId() ||
            MessageHeaderDecoder.ENCODED_LENGTH + blockLength > length ? -1 : blockLength;
    }

    /**
     * @param lengthOffset where the field's uint16 length is.
     * @param end          the message's end.
     * @return the field's length, or -1 if the field does not lie within the message.
     */
    static int varLength(final DirectBuffer buffer, final int lengthOffset, final int end)
    {
        if (lengthOffset + VAR_LENGTH_LENGTH > end)
        {
            return -1;
        }
        final int length = buffer.getShort(lengthOffset, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        return lengthOffset + VAR_LENGTH_LENGTH + length > end ? -1 : length;
    }
}
