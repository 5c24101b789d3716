/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.persistence;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.ByteBuffer;

import static io.orrery.core.persistence.CompletionDescriptor.CORRELATION_ID_OFFSET;
import static io.orrery.core.persistence.CompletionDescriptor.FIRST_STATUS_OFFSET;
import static io.orrery.core.persistence.CompletionDescriptor.OPERATION_ID_OFFSET;
import static io.orrery.core.persistence.CompletionDescriptor.STATUS_OFFSET;
import static io.orrery.core.persistence.CompletionDescriptor.TYPE_OFFSET;
import static io.orrery.core.persistence.CompletionDescriptor.VALUE_OFFSET;

/**
 * Scribe's way back from the consumer to the producer: the completion ring (one message per operation outcome, with
 * the inserted node for an unstow) and the load ring (the nodes of region loads, then a completion), both Agrona
 * one-to-one rings written by {@link ScribeConsumer} and read here, and the count of operations whose completion has
 * not been polled yet, which bounds the completion ring.
 * <p>
 * Threading: every method runs on Scribe's producer thread. Allocation free after construction.
 */
final class ScribeReturnPath
{
    private final OneToOneRingBuffer completions;
    private final OneToOneRingBuffer loads;
    private final int maxPendingOperations;
    private final MessageHandler completionMessageHandler = this::onCompletionMessage;
    private final MessageHandler loadMessageHandler = this::onLoadMessage;
    private final NodeRecord completionNode = new NodeRecord();
    private final NodeRecord loadNode = new NodeRecord();
    private CompletionHandler completionHandler;
    private LoadHandler loadHandler;
    private long operationsOffered;
    private long operationsCompleted;

    ScribeReturnPath(final int maxPendingOperations, final int loadRingCapacity)
    {
        this.maxPendingOperations = maxPendingOperations;
        completions = newRing(CompletionDescriptor.ringCapacity(maxPendingOperations));
        loads = newRing(loadRingCapacity);
    }

    OneToOneRingBuffer completions()
    {
        return completions;
    }

    OneToOneRingBuffer loads()
    {
        return loads;
    }

    /**
     * @return whether as many operations as the completion ring holds await their completion being polled.
     */
    boolean isOperationsFull()
    {
        return operationsOffered - operationsCompleted >= maxPendingOperations;
    }

    void onOperationOffered()
    {
        operationsOffered++;
    }

    long pendingOperations()
    {
        return operationsOffered - operationsCompleted;
    }

    int pollCompletions(final CompletionHandler handler, final int limit)
    {
        completionHandler = handler;
        try
        {
            return completions.read(completionMessageHandler, limit);
        }
        finally
        {
            completionHandler = null;
        }
    }

    int pollLoads(final LoadHandler handler, final int limit)
    {
        loadHandler = handler;
        try
        {
            return loads.read(loadMessageHandler, limit);
        }
        finally
        {
            loadHandler = null;
        }
    }

    private void onCompletionMessage(
        final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        operationsCompleted++;
        NodeRecord node = null;
        if (CompletionDescriptor.MSG_TYPE_ID_WITH_NODE == msgTypeId)
        {
            node = CompletionDescriptor.decodeNode(buffer, index, completionNode);
        }
        completionHandler.onCompletion(
            buffer.getInt(index + TYPE_OFFSET),
            buffer.getLong(index + OPERATION_ID_OFFSET),
            buffer.getLong(index + CORRELATION_ID_OFFSET),
            buffer.getInt(index + STATUS_OFFSET),
            buffer.getInt(index + FIRST_STATUS_OFFSET),
            buffer.getLong(index + VALUE_OFFSET),
            node);
    }

    private void onLoadMessage(
        final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        final long correlationId = buffer.getLong(index + CORRELATION_ID_OFFSET);
        if (CompletionDescriptor.MSG_TYPE_ID_LOADED_NODE == msgTypeId)
        {
            loadHandler.onLoadedNode(correlationId, CompletionDescriptor.decodeNode(buffer, index, loadNode));
        }
        else if (CompletionDescriptor.MSG_TYPE_ID_LOAD_COMPLETE == msgTypeId)
        {
            loadHandler.onLoadComplete(correlationId, (int)buffer.getLong(index + VALUE_OFFSET));
        }
    }

    private static OneToOneRingBuffer newRing(final int capacity)
    {
        return new OneToOneRingBuffer(
            new UnsafeBuffer(ByteBuffer.allocateDirect(capacity + RingBufferDescriptor.TRAILER_LENGTH)));
    }
}
