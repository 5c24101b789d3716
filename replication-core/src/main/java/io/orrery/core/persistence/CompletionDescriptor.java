/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.persistence;

import org.agrona.BitUtil;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;

/**
 * Layout of a completion record in Scribe's completion ring (an Agrona {@code OneToOneRingBuffer}, consumer thread
 * to producer thread), little endian:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                         operation id                          |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                        correlation id                         |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                             value                             |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                        operation type                         |
 *  +---------------------------------------------------------------+
 *  |                            status                             |
 *  +---------------------------------------------------------------+
 *  |                         first status                          |
 *  +---------------------------------------------------------------+
 * </pre>
 */
final class CompletionDescriptor
{
    static final int MSG_TYPE_ID = 1;
    static final int OPERATION_ID_OFFSET = 0;
    static final int CORRELATION_ID_OFFSET = 8;
    static final int VALUE_OFFSET = 16;
    static final int TYPE_OFFSET = 24;
    static final int STATUS_OFFSET = 28;
    static final int FIRST_STATUS_OFFSET = 32;
    static final int LENGTH = 36;

    /** Space one record takes in the ring, header and alignment included. */
    static final int RECORD_SPACE = BitUtil.align(RecordDescriptor.HEADER_LENGTH + LENGTH, RecordDescriptor.ALIGNMENT);

    private CompletionDescriptor()
    {
    }

    /**
     * @return ring capacity (a power of two, trailer excluded) that holds {@code records} completions at once,
     * whatever the wrap position.
     */
    static int ringCapacity(final int records)
    {
        return BitUtil.findNextPositivePowerOfTwo((records + 2) * RECORD_SPACE);
    }
}
