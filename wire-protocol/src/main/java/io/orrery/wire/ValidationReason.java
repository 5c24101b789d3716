/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.wire;

/**
 * Reasons a message is rejected by {@link MessageValidator#validate(org.agrona.DirectBuffer, int, int)}.
 * <p>
 * Every reason is a negative {@code int} so a validation result is either an encoded length ({@code >= 0}) or one
 * of these codes. Codes are dense, from {@code -1} down to {@code -(COUNT - 1)}, so a receiver can keep one counter
 * per reason in an array of {@link #COUNT} slots indexed by {@code -code} (slot 0 is unused).
 * <p>
 * <b>Threading:</b> constants and a pure function only; safe from any thread.
 */
public final class ValidationReason
{
    /**
     * Fewer bytes than the 8-byte message header.
     */
    public static final int TOO_SHORT_FOR_HEADER = -1;

    /**
     * Header schema id is not {@link io.orrery.wire.codec.MessageHeaderDecoder#SCHEMA_ID}.
     */
    public static final int WRONG_SCHEMA_ID = -2;

    /**
     * Header version is older than {@link MessageValidator#MIN_SUPPORTED_VERSION}.
     */
    public static final int UNSUPPORTED_VERSION = -3;

    /**
     * Header template id is not a message of this schema.
     */
    public static final int UNKNOWN_TEMPLATE = -4;

    /**
     * Header block length is smaller than the root block of the template.
     */
    public static final int BLOCK_LENGTH_TOO_SMALL = -5;

    /**
     * Header block length is larger than the root block for a message of the current version.
     */
    public static final int BLOCK_LENGTH_TOO_LARGE = -6;

    /**
     * The root block runs past the end of the message.
     */
    public static final int TRUNCATED_BLOCK = -7;

    /**
     * A repeating group's 4-byte dimension header runs past the end of the message.
     */
    public static final int TRUNCATED_GROUP_HEADER = -8;

    /**
     * A repeating group's entry block length is not the expected one (or smaller, for a newer version).
     */
    public static final int GROUP_BLOCK_LENGTH_MISMATCH = -9;

    /**
     * A repeating group declares more entries than the maximum in {@link MessageLayouts}.
     */
    public static final int GROUP_COUNT_TOO_LARGE = -10;

    /**
     * A repeating group entry runs past the end of the message.
     */
    public static final int TRUNCATED_GROUP = -11;

    /**
     * A var-data field's 2-byte length prefix runs past the end of the message.
     */
    public static final int TRUNCATED_VAR_DATA_HEADER = -12;

    /**
     * A var-data field declares more bytes than its maximum in {@link MessageLayouts}.
     */
    public static final int VAR_DATA_TOO_LONG = -13;

    /**
     * A var-data field's bytes run past the end of the message.
     */
    public static final int TRUNCATED_VAR_DATA = -14;

    /**
     * Bytes follow the end of a message of the current version.
     */
    public static final int TRAILING_BYTES = -15;

    /**
     * The offset and length given do not lie within the buffer: a caller bug, not a peer's.
     */
    public static final int INVALID_BUFFER_RANGE = -16;

    /**
     * The packed entries of an {@code EntityUpdatesCompact} are malformed: a varint runs past its maximum length or
     * the block, a handle is too large, or a field or component state runs past the block (see
     * {@link CompactUpdates}).
     */
    public static final int MALFORMED_COMPACT_ENTRY = -17;

    /**
     * A time dilation factor ({@code LoadReport.timeDilationPerMille}, {@code TimeDilation.timeDilationPerMille}) is
     * outside {@code [1, 1000]} (game time per real time in 1/1000, so the factor is outside {@code (0, 1]}): the
     * message is rejected, not clamped, so a broken sender is seen in the counters rather than hidden.
     */
    public static final int TIME_DILATION_OUT_OF_RANGE = -18;

    /**
     * Number of slots an array of per-reason counters indexed by {@code -code} needs (slot 0 unused).
     */
    public static final int COUNT = 19;

    private ValidationReason()
    {
    }

    /**
     * Constant name of a reason, for logging; never allocates.
     *
     * @param code a result of {@link MessageValidator#validate(org.agrona.DirectBuffer, int, int)}.
     * @return the reason's constant name, {@code "OK"} for a non-negative result, or {@code "UNKNOWN_REASON"}.
     */
    public static String name(final int code)
    {
        if (code >= 0)
        {
            return "OK";
        }

        switch (code)
        {
            case TOO_SHORT_FOR_HEADER: return "TOO_SHORT_FOR_HEADER";
            case WRONG_SCHEMA_ID: return "WRONG_SCHEMA_ID";
            case UNSUPPORTED_VERSION: return "UNSUPPORTED_VERSION";
            case UNKNOWN_TEMPLATE: return "UNKNOWN_TEMPLATE";
            case BLOCK_LENGTH_TOO_SMALL: return "BLOCK_LENGTH_TOO_SMALL";
            case BLOCK_LENGTH_TOO_LARGE: return "BLOCK_LENGTH_TOO_LARGE";
            case TRUNCATED_BLOCK: return "TRUNCATED_BLOCK";
            case TRUNCATED_GROUP_HEADER: return "TRUNCATED_GROUP_HEADER";
            case GROUP_BLOCK_LENGTH_MISMATCH: return "GROUP_BLOCK_LENGTH_MISMATCH";
            case GROUP_COUNT_TOO_LARGE: return "GROUP_COUNT_TOO_LARGE";
            case TRUNCATED_GROUP: return "TRUNCATED_GROUP";
            case TRUNCATED_VAR_DATA_HEADER: return "TRUNCATED_VAR_DATA_HEADER";
            case VAR_DATA_TOO_LONG: return "VAR_DATA_TOO_LONG";
            case TRUNCATED_VAR_DATA: return "TRUNCATED_VAR_DATA";
            case TRAILING_BYTES: return "TRAILING_BYTES";
            case INVALID_BUFFER_RANGE: return "INVALID_BUFFER_RANGE";
            case MALFORMED_COMPACT_ENTRY: return "MALFORMED_COMPACT_ENTRY";
            case TIME_DILATION_OUT_OF_RANGE: return "TIME_DILATION_OUT_OF_RANGE";
            default: return "UNKNOWN_REASON";
        }
    }
}
