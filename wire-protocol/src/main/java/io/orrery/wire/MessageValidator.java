/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.wire;

import io.orrery.wire.codec.ClientViewsCompactDecoder;
import io.orrery.wire.codec.EntityUpdatesCompactDecoder;
import io.orrery.wire.codec.GroupSizeEncodingDecoder;
import io.orrery.wire.codec.LoadReportDecoder;
import io.orrery.wire.codec.MessageHeaderDecoder;
import io.orrery.wire.codec.TimeDilationDecoder;
import io.orrery.wire.codec.VarDataEncodingDecoder;
import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * Checks an inbound message against the buffer before any generated decoder touches it, so that decoding a message
 * that passes can never read outside it. Layouts come from {@link MessageLayouts}.
 * <p>
 * What is checked, in order (the first failure is returned as a {@link ValidationReason}):
 * <pre>
 *   0               2               4               6               8
 *   +---------------+---------------+---------------+---------------+
 *   |  blockLength  |  templateId   |   schemaId    |    version    |  message header, uint16 little-endian
 *   +---------------+---------------+---------------+---------------+
 *   |                 root block (blockLength bytes)              ...
 *   +---------------+---------------+
 *   |  blockLength  |  numInGroup   |  per group, in schema order: header, then numInGroup entries of
 *   +---------------+---------------+  blockLength bytes, each followed by the entry's var-data fields
 *   |    length     |  bytes ...       per var-data field (in entries, then top level): uint16 length, then bytes
 *   +---------------+------------
 * </pre>
 * <ol>
 *     <li>the header fits; schema id matches; version is at least {@link #MIN_SUPPORTED_VERSION};</li>
 *     <li>the template id is known and the block length is the expected one for the sender's version (version 1
 *     blocks of the messages version 2 extended are shorter, {@link MessageLayouts#rootBlockLength(int, int)}; for a
 *     version newer than the generated codecs, at least the expected one: newer senders may append fields);</li>
 *     <li>the block, every group header, entry and var-data field fit in {@code length}; group entry block lengths
 *     match like the root block's; group counts and var-data lengths are within the table's maxima;</li>
 *     <li>for the current version, the message ends exactly at {@code length}; a newer version may carry bytes this
 *     version does not understand after it;</li>
 *     <li>the packed entries of an {@code EntityUpdatesCompact} are walked entry by entry
 *     ({@link CompactUpdates#validateEntries}); the flags and the removed, heads and entries blocks of a
 *     {@code ClientViewsCompact} likewise ({@link CompactViews#validate}).</li>
 * </ol>
 * Enum and set values are not checked: decode enums through their {@code xxxRaw()} accessors, or be ready for the
 * generated {@code xxx()} accessor to throw on a value this version does not know.
 * <p>
 * <b>Threading:</b> stateless; safe from any thread. Never allocates and never throws for any buffer contents.
 */
public final class MessageValidator
{
    /**
     * Oldest schema version a receiver accepts.
     */
    public static final int MIN_SUPPORTED_VERSION = 1;

    /**
     * Schema version of the generated codecs.
     */
    public static final int CURRENT_VERSION = MessageHeaderDecoder.SCHEMA_VERSION;

    /**
     * Smallest valid time dilation factor on the wire, in 1/1000 (game time per real time).
     */
    public static final int MIN_TIME_DILATION_PER_MILLE = 1;

    /**
     * Largest valid time dilation factor on the wire, in 1/1000: real time.
     */
    public static final int MAX_TIME_DILATION_PER_MILLE = 1000;

    private static final ByteOrder BYTE_ORDER = MessageHeaderDecoder.BYTE_ORDER;
    private static final int HEADER_LENGTH = MessageHeaderDecoder.ENCODED_LENGTH;
    private static final int BLOCK_LENGTH_OFFSET = MessageHeaderDecoder.blockLengthEncodingOffset();
    private static final int TEMPLATE_ID_OFFSET = MessageHeaderDecoder.templateIdEncodingOffset();
    private static final int SCHEMA_ID_OFFSET = MessageHeaderDecoder.schemaIdEncodingOffset();
    private static final int VERSION_OFFSET = MessageHeaderDecoder.versionEncodingOffset();
    private static final int GROUP_HEADER_LENGTH = GroupSizeEncodingDecoder.ENCODED_LENGTH;
    private static final int GROUP_BLOCK_LENGTH_OFFSET = GroupSizeEncodingDecoder.blockLengthEncodingOffset();
    private static final int GROUP_COUNT_OFFSET = GroupSizeEncodingDecoder.numInGroupEncodingOffset();
    private static final int VAR_DATA_HEADER_LENGTH = VarDataEncodingDecoder.lengthEncodingLength();

    private MessageValidator()
    {
    }

    /**
     * Validate one message.
     *
     * @param buffer holding the message.
     * @param offset of the message header in the buffer.
     * @param length of the bytes available for the message (an Aeron fragment's length).
     * @return the encoded length of the message, {@code >= 0}, or a negative {@link ValidationReason}. For a newer
     * version, the length is that of the part this version understands: the header, the block as sent, and the
     * groups and var-data fields this version knows; anything after that is a newer sender's extension.
     */
    public static int validate(final DirectBuffer buffer, final int offset, final int length)
    {
        if (offset < 0 || length < 0 || offset > buffer.capacity() - length)
        {
            return ValidationReason.INVALID_BUFFER_RANGE;
        }

        if (length < HEADER_LENGTH)
        {
            return ValidationReason.TOO_SHORT_FOR_HEADER;
        }

        if (uint16(buffer, offset + SCHEMA_ID_OFFSET) != MessageHeaderDecoder.SCHEMA_ID)
        {
            return ValidationReason.WRONG_SCHEMA_ID;
        }

        final int version = uint16(buffer, offset + VERSION_OFFSET);
        if (version < MIN_SUPPORTED_VERSION)
        {
            return ValidationReason.UNSUPPORTED_VERSION;
        }

        final int templateId = uint16(buffer, offset + TEMPLATE_ID_OFFSET);
        final int expectedBlockLength = MessageLayouts.rootBlockLength(templateId, version);
        if (expectedBlockLength == MessageLayouts.UNKNOWN_TEMPLATE)
        {
            return ValidationReason.UNKNOWN_TEMPLATE;
        }

        final boolean isNewer = version > CURRENT_VERSION;
        final int blockLength = uint16(buffer, offset + BLOCK_LENGTH_OFFSET);
        if (blockLength < expectedBlockLength)
        {
            return ValidationReason.BLOCK_LENGTH_TOO_SMALL;
        }

        if (!isNewer && blockLength > expectedBlockLength)
        {
            return ValidationReason.BLOCK_LENGTH_TOO_LARGE;
        }

        if (blockLength > length - HEADER_LENGTH)
        {
            return ValidationReason.TRUNCATED_BLOCK;
        }

        int position = HEADER_LENGTH + blockLength;
        final int firstElement = MessageLayouts.firstElement(templateId);
        final int lastElement = firstElement + MessageLayouts.elementCount(templateId);
        for (int element = firstElement; element < lastElement; element++)
        {
            if (MessageLayouts.kind(element) == MessageLayouts.GROUP)
            {
                position = validateGroup(buffer, offset, length, position, element, isNewer);
            }
            else
            {
                position = validateVarData(buffer, offset, length, position, MessageLayouts.varDataMaxLength(element));
            }

            if (position < 0)
            {
                return position;
            }
        }

        if (position != length && !isNewer)
        {
            return ValidationReason.TRAILING_BYTES;
        }

        if (EntityUpdatesCompactDecoder.TEMPLATE_ID == templateId)
        {
            final int entriesLength = uint16(buffer, offset + HEADER_LENGTH + blockLength);
            final int entriesOffset = offset + HEADER_LENGTH + blockLength + VAR_DATA_HEADER_LENGTH;
            if (CompactUpdates.validateEntries(buffer, entriesOffset, entriesLength) < 0)
            {
                return ValidationReason.MALFORMED_COMPACT_ENTRY;
            }
        }

        if (ClientViewsCompactDecoder.TEMPLATE_ID == templateId)
        {
            return validateCompactViews(buffer, offset, blockLength, position);
        }

        if (LoadReportDecoder.TEMPLATE_ID == templateId)
        {
            return checkTimeDilation(
                buffer, offset + HEADER_LENGTH + LoadReportDecoder.timeDilationPerMilleEncodingOffset(), position);
        }

        if (TimeDilationDecoder.TEMPLATE_ID == templateId)
        {
            return checkTimeDilation(
                buffer, offset + HEADER_LENGTH + TimeDilationDecoder.timeDilationPerMilleEncodingOffset(), position);
        }

        return position;
    }

    private static int validateCompactViews(
        final DirectBuffer buffer, final int offset, final int blockLength, final int position)
    {
        final int flags = buffer.getByte(offset + HEADER_LENGTH + ClientViewsCompactDecoder.flagsEncodingOffset()) &
            0xFF;
        final int removedOffset = offset + HEADER_LENGTH + blockLength + VAR_DATA_HEADER_LENGTH;
        final int removedLength = uint16(buffer, removedOffset - VAR_DATA_HEADER_LENGTH);
        final int headsOffset = removedOffset + removedLength + VAR_DATA_HEADER_LENGTH;
        final int headsLength = uint16(buffer, headsOffset - VAR_DATA_HEADER_LENGTH);
        final int entriesOffset = headsOffset + headsLength + VAR_DATA_HEADER_LENGTH;
        final int entriesLength = uint16(buffer, entriesOffset - VAR_DATA_HEADER_LENGTH);
        final int result = CompactViews.validate(
            flags, buffer, removedOffset, removedLength, headsOffset, headsLength, entriesOffset, entriesLength);
        return result < 0 ? result : position;
    }

    private static int checkTimeDilation(final DirectBuffer buffer, final int index, final int position)
    {
        final int perMille = uint16(buffer, index);
        return perMille < MIN_TIME_DILATION_PER_MILLE || perMille > MAX_TIME_DILATION_PER_MILLE ?
            ValidationReason.TIME_DILATION_OUT_OF_RANGE : position;
    }

    private static int validateGroup(
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final int groupPosition,
        final int element,
        final boolean isNewer)
    {
        if (GROUP_HEADER_LENGTH > length - groupPosition)
        {
            return ValidationReason.TRUNCATED_GROUP_HEADER;
        }

        final int entryBlockLength = uint16(buffer, offset + groupPosition + GROUP_BLOCK_LENGTH_OFFSET);
        final int count = uint16(buffer, offset + groupPosition + GROUP_COUNT_OFFSET);
        final int expectedBlockLength = MessageLayouts.groupBlockLength(element);
        if (isNewer ? entryBlockLength < expectedBlockLength : entryBlockLength != expectedBlockLength)
        {
            return ValidationReason.GROUP_BLOCK_LENGTH_MISMATCH;
        }

        if (count > MessageLayouts.groupMaxCount(element))
        {
            return ValidationReason.GROUP_COUNT_TOO_LARGE;
        }

        int position = groupPosition + GROUP_HEADER_LENGTH;
        final int varDataCount = MessageLayouts.groupEntryVarDataCount(element);
        if (0 == varDataCount)
        {
            if ((long)count * entryBlockLength > length - position)
            {
                return ValidationReason.TRUNCATED_GROUP;
            }

            return position + count * entryBlockLength;
        }

        final int firstVarData = MessageLayouts.groupFirstEntryVarData(element);
        for (int i = 0; i < count; i++)
        {
            if (entryBlockLength > length - position)
            {
                return ValidationReason.TRUNCATED_GROUP;
            }

            position += entryBlockLength;
            for (int v = firstVarData, last = firstVarData + varDataCount; v < last; v++)
            {
                position = validateVarData(buffer, offset, length, position, MessageLayouts.entryVarDataMaxLength(v));
                if (position < 0)
                {
                    return position;
                }
            }
        }

        return position;
    }

    private static int validateVarData(
        final DirectBuffer buffer, final int offset, final int length, final int position, final int maxLength)
    {
        if (VAR_DATA_HEADER_LENGTH > length - position)
        {
            return ValidationReason.TRUNCATED_VAR_DATA_HEADER;
        }

        final int dataLength = uint16(buffer, offset + position);
        if (dataLength > maxLength)
        {
            return ValidationReason.VAR_DATA_TOO_LONG;
        }

        final int dataPosition = position + VAR_DATA_HEADER_LENGTH;
        if (dataLength > length - dataPosition)
        {
            return ValidationReason.TRUNCATED_VAR_DATA;
        }

        return dataPosition + dataLength;
    }

    private static int uint16(final DirectBuffer buffer, final int index)
    {
        return buffer.getShort(index, BYTE_ORDER) & 0xFFFF;
    }
}
