/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.wire;

import io.orrery.wire.feed.FeedEntityDecoder;
import io.orrery.wire.feed.FeedPassEndDecoder;
import io.orrery.wire.feed.FeedRemovalDecoder;
import io.orrery.wire.feed.FeedResyncBeginDecoder;
import io.orrery.wire.replicantlink.MessageHeaderDecoder;
import io.orrery.wire.replicantlink.ReplicantChallengeDecoder;
import io.orrery.wire.replicantlink.ReplicantClientFrameDecoder;
import io.orrery.wire.replicantlink.ReplicantHeartbeatDecoder;
import io.orrery.wire.replicantlink.ReplicantHelloDecoder;
import io.orrery.wire.replicantlink.ReplicantProofDecoder;
import io.orrery.wire.replicantlink.ReplicantRefusedDecoder;
import io.orrery.wire.replicantlink.ReplicantSessionClosedDecoder;
import io.orrery.wire.replicantlink.ReplicantSessionOpenedDecoder;
import io.orrery.wire.replicantlink.ReplicantWelcomeDecoder;
import io.orrery.wire.replicantlink.ReplicantWindowDecoder;
import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * Checks a message of the Replicant bridge link (schema {@value #LINK_SCHEMA_ID}, {@code replicant-link-schema.xml})
 * or of the state feed it carries (schema {@value #FEED_SCHEMA_ID}, {@code replicant-feed-schema.xml}) against the
 * bytes it came in, before any generated decoder touches it, as {@link MessageValidator} does for the client schema:
 * <ol>
 *     <li>the 8-byte header fits; the schema id is one of the two; the version is at least 1;</li>
 *     <li>the template is one this version knows and the header's block length is the template's (at least it for a
 *     newer version: newer senders may append fields);</li>
 *     <li>the block and the message's one variable-length field, if it has one, lie within {@code length};</li>
 *     <li>for the current version, the message ends exactly at {@code length}.</li>
 * </ol>
 * A message that passes decodes without reading outside it whichever generated decoder of its template wraps it
 * (with {@code wrapAndApplyHeader}). A template added to either schema needs its line in {@link #blockLength} and
 * {@link #hasVarData}, or it is refused as unknown.
 * <p>
 * <b>Threading:</b> stateless; safe from any thread. Never allocates and never throws for any buffer contents.
 */
public final class ReplicantLinkValidator
{
    /**
     * Schema id of the bridge link's own messages.
     */
    public static final int LINK_SCHEMA_ID = MessageHeaderDecoder.SCHEMA_ID;

    /**
     * Schema id of the state feed's messages, carried whole on the bridge's publication.
     */
    public static final int FEED_SCHEMA_ID = io.orrery.wire.feed.MessageHeaderDecoder.SCHEMA_ID;

    private static final ByteOrder BYTE_ORDER = ByteOrder.LITTLE_ENDIAN;
    private static final int HEADER_LENGTH = MessageHeaderDecoder.ENCODED_LENGTH;
    private static final int BLOCK_LENGTH_OFFSET = MessageHeaderDecoder.blockLengthEncodingOffset();
    private static final int TEMPLATE_ID_OFFSET = MessageHeaderDecoder.templateIdEncodingOffset();
    private static final int SCHEMA_ID_OFFSET = MessageHeaderDecoder.schemaIdEncodingOffset();
    private static final int VERSION_OFFSET = MessageHeaderDecoder.versionEncodingOffset();
    private static final int VAR_LENGTH_LENGTH = 2;
    private static final int UNKNOWN = -1;

    private ReplicantLinkValidator()
    {
    }

    /**
     * Validate one message.
     *
     * @param buffer holding the message.
     * @param offset of the message header in the buffer.
     * @param length of the bytes available for the message (an Aeron fragment's length).
     * @return the encoded length of the message, {@code >= 0}, or a negative {@link ValidationReason}.
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
        final int schemaId = uint16(buffer, offset + SCHEMA_ID_OFFSET);
        final int currentVersion;
        if (LINK_SCHEMA_ID == schemaId)
        {
            currentVersion = MessageHeaderDecoder.SCHEMA_VERSION;
        }
        else if (FEED_SCHEMA_ID == schemaId)
        {
            currentVersion = io.orrery.wire.feed.MessageHeaderDecoder.SCHEMA_VERSION;
        }
        else
        {
            return ValidationReason.WRONG_SCHEMA_ID;
        }
        final int version = uint16(buffer, offset + VERSION_OFFSET);
        if (version < 1)
        {
            return ValidationReason.UNSUPPORTED_VERSION;
        }
        final int templateId = uint16(buffer, offset + TEMPLATE_ID_OFFSET);
        final int expectedBlockLength = blockLength(schemaId, templateId);
        if (UNKNOWN == expectedBlockLength)
        {
            return ValidationReason.UNKNOWN_TEMPLATE;
        }
        final boolean isNewer = version > currentVersion;
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
        if (hasVarData(schemaId, templateId))
        {
            if (VAR_LENGTH_LENGTH > length - position)
            {
                return ValidationReason.TRUNCATED_VAR_DATA_HEADER;
            }
            final int dataLength = uint16(buffer, offset + position);
            position += VAR_LENGTH_LENGTH;
            if (dataLength > length - position)
            {
                return ValidationReason.TRUNCATED_VAR_DATA;
            }
            position += dataLength;
        }
        if (position != length && !isNewer)
        {
            return ValidationReason.TRAILING_BYTES;
        }
        return position;
    }

    /**
     * @return the root block length of a template of this version, or -1 for a template this version does not know.
     */
    static int blockLength(final int schemaId, final int templateId)
    {
        if (LINK_SCHEMA_ID == schemaId)
        {
            switch (templateId)
            {
                case ReplicantClientFrameDecoder.TEMPLATE_ID: return ReplicantClientFrameDecoder.BLOCK_LENGTH;
                case ReplicantHelloDecoder.TEMPLATE_ID: return ReplicantHelloDecoder.BLOCK_LENGTH;
                case ReplicantProofDecoder.TEMPLATE_ID: return ReplicantProofDecoder.BLOCK_LENGTH;
                case ReplicantHeartbeatDecoder.TEMPLATE_ID: return ReplicantHeartbeatDecoder.BLOCK_LENGTH;
                case ReplicantChallengeDecoder.TEMPLATE_ID: return ReplicantChallengeDecoder.BLOCK_LENGTH;
                case ReplicantWelcomeDecoder.TEMPLATE_ID: return ReplicantWelcomeDecoder.BLOCK_LENGTH;
                case ReplicantRefusedDecoder.TEMPLATE_ID: return ReplicantRefusedDecoder.BLOCK_LENGTH;
                case ReplicantSessionOpenedDecoder.TEMPLATE_ID: return ReplicantSessionOpenedDecoder.BLOCK_LENGTH;
                case ReplicantSessionClosedDecoder.TEMPLATE_ID: return ReplicantSessionClosedDecoder.BLOCK_LENGTH;
                case ReplicantWindowDecoder.TEMPLATE_ID: return ReplicantWindowDecoder.BLOCK_LENGTH;
                default: return UNKNOWN;
            }
        }
        switch (templateId)
        {
            case FeedEntityDecoder.TEMPLATE_ID: return FeedEntityDecoder.BLOCK_LENGTH;
            case FeedRemovalDecoder.TEMPLATE_ID: return FeedRemovalDecoder.BLOCK_LENGTH;
            case FeedPassEndDecoder.TEMPLATE_ID: return FeedPassEndDecoder.BLOCK_LENGTH;
            case FeedResyncBeginDecoder.TEMPLATE_ID: return FeedResyncBeginDecoder.BLOCK_LENGTH;
            default: return UNKNOWN;
        }
    }

    /**
     * @return whether a template ends in one variable-length field (each of these has at most one).
     */
    static boolean hasVarData(final int schemaId, final int templateId)
    {
        return LINK_SCHEMA_ID == schemaId ?
            ReplicantClientFrameDecoder.TEMPLATE_ID == templateId || ReplicantHelloDecoder.TEMPLATE_ID == templateId :
            FeedEntityDecoder.TEMPLATE_ID == templateId;
    }

    private static int uint16(final DirectBuffer buffer, final int index)
    {
        return buffer.getShort(index, BYTE_ORDER) & 0xFFFF;
    }
}
