/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.persistence;

import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.status.AtomicCounter;

import static io.orrery.core.persistence.CompletionDescriptor.CORRELATION_ID_OFFSET;
import static io.orrery.core.persistence.CompletionDescriptor.FIRST_STATUS_OFFSET;
import static io.orrery.core.persistence.CompletionDescriptor.LENGTH;
import static io.orrery.core.persistence.CompletionDescriptor.MSG_TYPE_ID;
import static io.orrery.core.persistence.CompletionDescriptor.OPERATION_ID_OFFSET;
import static io.orrery.core.persistence.CompletionDescriptor.STATUS_OFFSET;
import static io.orrery.core.persistence.CompletionDescriptor.TYPE_OFFSET;
import static io.orrery.core.persistence.CompletionDescriptor.VALUE_OFFSET;

/**
 * Encodes the outcomes of {@link ScribeConsumer}'s operations and look-ups onto the completion ring
 * ({@link CompletionDescriptor}), with an unstow's node when it has one, and counts operations applied, rejected and
 * in conflict. A full ring is reported to the caller (false), which treats it as a failure to retry: the producer
 * never has more operations outstanding than the ring holds, so it cannot happen, and a retried operation, being
 * idempotent, replays its first outcome.
 * <p>
 * Threading: Scribe's consumer thread only (the ring's single producer).
 */
final class CompletionProxy
{
    private final OneToOneRingBuffer completions;
    private final AtomicBuffer completionBuffer;
    private final AtomicCounter operationsApplied;
    private final AtomicCounter operationsRejected;
    private final AtomicCounter operationConflicts;

    CompletionProxy(final OneToOneRingBuffer completions, final AtomicCounter[] counters)
    {
        this.completions = completions;
        this.completionBuffer = completions.buffer();
        operationsApplied = counters[ScribeCounter.OPERATIONS_APPLIED.id()];
        operationsRejected = counters[ScribeCounter.OPERATIONS_REJECTED.id()];
        operationConflicts = counters[ScribeCounter.OPERATION_CONFLICTS.id()];
    }

    /**
     * Count an operation's outcome and post it.
     *
     * @return false when the completion ring is full (the outcome is counted all the same).
     */
    boolean complete(
        final int type,
        final ScribeEvent event,
        final int status,
        final int firstStatus,
        final long value,
        final NodeRecord unstowNode)
    {
        if (OperationStatus.isApplied(status))
        {
            operationsApplied.incrementRelease();
        }
        else
        {
            operationsRejected.incrementRelease();
            if (OperationStatus.OPERATION_CONFLICT == status)
            {
                operationConflicts.incrementRelease();
            }
        }

        return post(type, event.operationId, event.correlationId, status, firstStatus, value, unstowNode);
    }

    /**
     * Post an outcome as it is, counting nothing.
     *
     * @param node an unstow's node, or null.
     * @return false when the completion ring is full.
     */
    boolean post(
        final int type,
        final long operationId,
        final long correlationId,
        final int status,
        final int firstStatus,
        final long value,
        final NodeRecord node)
    {
        final int length = null == node ? LENGTH : CompletionDescriptor.NODE_STATE_OFFSET + node.componentStateLength;
        final int index = completions.tryClaim(
            null == node ? MSG_TYPE_ID : CompletionDescriptor.MSG_TYPE_ID_WITH_NODE, length);
        if (index < 0)
        {
            return false;
        }

        completionBuffer.putLong(index + OPERATION_ID_OFFSET, operationId);
        completionBuffer.putLong(index + CORRELATION_ID_OFFSET, correlationId);
        completionBuffer.putLong(index + VALUE_OFFSET, value);
        completionBuffer.putInt(index + TYPE_OFFSET, type);
        completionBuffer.putInt(index + STATUS_OFFSET, status);
        completionBuffer.putInt(index + FIRST_STATUS_OFFSET, firstStatus);
        if (null != node)
        {
            CompletionDescriptor.encodeNode(completionBuffer, index, node);
        }
        completions.commit(index);
        return true;
    }

    /**
     * @return the {@link OperationType} a completion of this event carries (a look-up's own type for a look-up).
     */
    static int completionType(final ScribeEvent event)
    {
        if (ScribeEvent.OPERATION_LOOKUP == event.type)
        {
            return OperationType.STOW == event.lookupType ? OperationType.STOW_LOOKUP : OperationType.UNSTOW_LOOKUP;
        }
        return operationType(event.type);
    }

    /**
     * @return the {@link OperationType} of an operation's {@link ScribeEvent} type.
     */
    static int operationType(final int eventType)
    {
        switch (eventType)
        {
            case ScribeEvent.STOW: return OperationType.STOW;
            case ScribeEvent.UNSTOW: return OperationType.UNSTOW;
            case ScribeEvent.WALLET: return OperationType.WALLET;
            default: return OperationType.REPUTATION;
        }
    }
}
