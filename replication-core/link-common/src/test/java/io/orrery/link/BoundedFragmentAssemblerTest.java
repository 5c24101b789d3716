/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.link;

import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.ControlledFragmentHandler.Action;
import io.aeron.logbuffer.Header;
import io.aeron.protocol.DataHeaderFlyweight;
import org.agrona.BitUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Drives the assembler with hand-made data frames in a term buffer, as a subscription's poll would deliver them.
 */
class BoundedFragmentAssemblerTest
{
    private static final int MAX_MESSAGE = 1024;
    private static final int MAX_TERM = 1 << 20;
    private static final int SMALL_TERM_BITS = 16; // 64 KiB

    private final UnsafeBuffer term = new UnsafeBuffer(new byte[1 << 20]);
    private final DataHeaderFlyweight frame = new DataHeaderFlyweight();
    private final List<Integer> delivered = new ArrayList<>();
    private final CountersManager countersManager = new CountersManager(
        new UnsafeBuffer(new byte[64 * 1024]), new UnsafeBuffer(new byte[8 * 1024]));
    private final AtomicCounter tooLong = countersManager.newCounter("too long");
    private final AtomicCounter imagesRefused = countersManager.newCounter("images refused");
    private final AtomicCounter fragmentsRefused = countersManager.newCounter("fragments refused");
    private Action nextAction = Action.CONTINUE;
    private BoundedFragmentAssembler assembler;
    private int termOffset;

    @BeforeEach
    void setUp()
    {
        final ControlledFragmentHandler delegate = (buffer, offset, length, header) ->
        {
            if (Action.ABORT == nextAction)
            {
                nextAction = Action.CONTINUE;
                return Action.ABORT;
            }
            delivered.add(length);
            return Action.CONTINUE;
        };
        assembler = new BoundedFragmentAssembler(
            delegate, MAX_MESSAGE, MAX_TERM, 2, tooLong, imagesRefused, fragmentsRefused);
    }

    @Test
    void shouldDeliverUnfragmentedMessagesWithoutTakingABuffer()
    {
        fragment(7, DataHeaderFlyweight.BEGIN_AND_END_FLAGS, 100, SMALL_TERM_BITS);
        assertEquals(List.of(100), delivered);
        assertEquals(0, assembler.reassemblyCount());
    }

    @Test
    void shouldReassembleAFragmentedMessageWithinTheLimit()
    {
        fragment(7, DataHeaderFlyweight.BEGIN_FLAG, 400, SMALL_TERM_BITS);
        fragment(7, (short)0, 400, SMALL_TERM_BITS);
        fragment(7, DataHeaderFlyweight.END_FLAG, 200, SMALL_TERM_BITS);
        assertEquals(List.of(1000), delivered);
        assertEquals(0, tooLong.get());
    }

    @Test
    void shouldDropAMessageLongerThanTheLimitWithoutGrowingItsBuffer()
    {
        fragment(7, DataHeaderFlyweight.BEGIN_FLAG, 800, SMALL_TERM_BITS);
        for (int i = 0; i < 100; i++)
        {
            fragment(7, (short)0, 800, SMALL_TERM_BITS);
        }
        fragment(7, DataHeaderFlyweight.END_FLAG, 800, SMALL_TERM_BITS);
        assertEquals(List.of(), delivered);
        assertEquals(1, tooLong.get());
        assertTrue(assembler.bufferedCapacity() <= 2 * MAX_MESSAGE, "capacity " + assembler.bufferedCapacity());

        fragment(7, DataHeaderFlyweight.BEGIN_AND_END_FLAGS, 64, SMALL_TERM_BITS);
        assertEquals(List.of(64), delivered, "the sender's next message is delivered");
    }

    @Test
    void shouldDropUnfragmentedMessagesLongerThanTheLimit()
    {
        fragment(7, DataHeaderFlyweight.BEGIN_AND_END_FLAGS, MAX_MESSAGE + 32, SMALL_TERM_BITS);
        assertEquals(List.of(), delivered);
        assertEquals(1, tooLong.get());
    }

    @Test
    void shouldDropEveryFragmentOfAnImageWhoseTermIsAboveTheMaximum()
    {
        fragment(9, DataHeaderFlyweight.BEGIN_AND_END_FLAGS, 64, 21); // 2 MiB term
        fragment(9, DataHeaderFlyweight.BEGIN_FLAG, 64, 21);
        assertEquals(List.of(), delivered);
        assertEquals(2, fragmentsRefused.get());
        assertEquals(0, assembler.reassemblyCount());
    }

    @Test
    void shouldHoldAtMostTheConfiguredNumberOfReassemblies()
    {
        for (int session = 1; session <= 10; session++)
        {
            fragment(session, DataHeaderFlyweight.BEGIN_FLAG, 512, SMALL_TERM_BITS);
        }
        assertEquals(2, assembler.reassemblyCount());
        assertEquals(8, tooLong.get());
        assertTrue(assembler.freeSessionBuffer(1));
        assertEquals(1, assembler.reassemblyCount());
    }

    @Test
    void shouldRedeliverAnAbortedMessage()
    {
        fragment(7, DataHeaderFlyweight.BEGIN_FLAG, 300, SMALL_TERM_BITS);
        nextAction = Action.ABORT;
        final int endOffset = termOffset;
        assertEquals(Action.ABORT, fragment(7, DataHeaderFlyweight.END_FLAG, 300, SMALL_TERM_BITS));
        termOffset = endOffset; // the poll delivers the same fragment again
        assertEquals(Action.CONTINUE, fragment(7, DataHeaderFlyweight.END_FLAG, 300, SMALL_TERM_BITS));
        assertEquals(List.of(600), delivered);
    }

    @Test
    void shouldDiscardAMessageWithAGap()
    {
        fragment(7, DataHeaderFlyweight.BEGIN_FLAG, 300, SMALL_TERM_BITS);
        termOffset += 1024; // a fragment lost
        fragment(7, DataHeaderFlyweight.END_FLAG, 300, SMALL_TERM_BITS);
        assertEquals(List.of(), delivered);
    }

    private Action fragment(final int sessionId, final short flags, final int payloadLength, final int termBits)
    {
        final int frameLength = DataHeaderFlyweight.HEADER_LENGTH + payloadLength;
        frame.wrap(term, termOffset, DataHeaderFlyweight.HEADER_LENGTH);
        frame.frameLength(frameLength);
        frame.flags(flags);
        frame.headerType(DataHeaderFlyweight.HDR_TYPE_DATA);
        frame.termOffset(termOffset);
        frame.sessionId(sessionId);
        frame.streamId(1001);
        frame.termId(0);
        final Header header = new Header(0, termBits).buffer(term).offset(termOffset);
        final Action action = assembler.onFragment(
            term, termOffset + DataHeaderFlyweight.HEADER_LENGTH, payloadLength, header);
        termOffset += BitUtil.align(frameLength, 32);
        return action;
    }
}
