/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.orrery.wire.atlas.EntityMovedEncoder;
import io.orrery.wire.atlas.MessageHeaderEncoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Commands and decisions through proxy, ring and adapter: every method with every parameter, in order; a full ring
 * (the overflow keeps everything and its order); records that are not Atlas messages counted, not thrown.
 */
class AtlasRingsTest
{
    /**
     * Room for 16 EntityMoved records (56 bytes of message, 64 with the ring's record header).
     */
    private static final int SMALL_RING_BYTES = 1024;
    private static final int LIMIT = 1_000;

    private final RingBuffer commandRing = AtlasRings.newRing(SMALL_RING_BYTES);
    private final RingBuffer decisionRing = AtlasRings.newRing(SMALL_RING_BYTES);
    private final AtlasCommandProxy commandProxy = new AtlasCommandProxy(commandRing);
    private final AtlasDecisionProxy decisionProxy = new AtlasDecisionProxy(decisionRing);
    private final AtlasRecorder received = new AtlasRecorder();
    private final AtlasCommandAdapter commandAdapter = new AtlasCommandAdapter(commandRing, received);
    private final AtlasDecisionAdapter decisionAdapter = new AtlasDecisionAdapter(decisionRing, received);

    @Test
    void shouldDeliverEveryCommandAndDecisionWithEveryParameterInOrder()
    {
        final AtlasRecorder expected = new AtlasRecorder();
        AtlasRecorder.tellEverything(expected, expected, 1, true);
        AtlasRecorder.tellEverything(commandProxy, decisionProxy, 1, true);
        assertEquals(11, commandAdapter.poll(LIMIT));
        assertEquals(10, decisionAdapter.poll(LIMIT));
        AtlasRecorder.tellEverything(expected, expected, 2, false);
        AtlasRecorder.tellEverything(commandProxy, decisionProxy, 2, false);
        assertEquals(11, commandAdapter.poll(LIMIT));
        assertEquals(10, decisionAdapter.poll(LIMIT));

        assertEquals(expected.commands, received.commands);
        assertEquals(expected.decisions, received.decisions);
        assertEquals(methodNames(AtlasCommandHandler.class), names(received.commands));
        assertEquals(methodNames(AtlasDecisionHandler.class), names(received.decisions));
        assertEquals(0, commandProxy.overflowed() + decisionProxy.overflowed());
        assertEquals(0, commandAdapter.unknown() + commandAdapter.malformed());
        assertEquals(0, decisionAdapter.unknown() + decisionAdapter.malformed());
    }

    @Test
    void shouldKeepEveryMessageInOrderWhenTheRingIsFull()
    {
        final int messages = 100;
        for (int i = 0; i < messages; i++)
        {
            commandProxy.onEntityMoved(i, i, i, i, i, i);
        }
        final long waiting = commandProxy.overflowed();
        assertTrue(commandProxy.hasBacklog());
        assertTrue(waiting > 0 && waiting < messages, "overflowed " + waiting);
        assertEquals(0, commandProxy.flush(), "nothing moves while the ring is full");

        assertEquals(5, commandAdapter.poll(5));
        commandProxy.onEntityMoved(messages, messages, messages, messages, messages, messages);
        assertEquals(waiting + 1, commandProxy.overflowed(), "behind a backlog even when the ring has room");

        final int moved = commandProxy.flush();
        assertTrue(moved > 0 && moved <= 5, "moved " + moved);
        assertTrue(commandProxy.hasBacklog(), "the ring filled again during the flush");

        drain(commandProxy, commandAdapter, 7);
        assertFalse(commandProxy.hasBacklog());
        assertEquals(waiting + 1, commandProxy.overflowed());
        final List<String> expected = new ArrayList<>();
        for (long i = 0; i <= messages; i++)
        {
            expected.add("onEntityMoved" + List.of(i, i, i, i, i, i));
        }
        assertEquals(expected, received.commands);
    }

    @Test
    void shouldKeepEveryKindOfMessageInOrderThroughTheOverflow()
    {
        final AtlasRecorder expected = new AtlasRecorder();
        for (int round = 1; round <= 20; round++)
        {
            AtlasRecorder.tellEverything(expected, expected, round, 0 == (round & 1));
            AtlasRecorder.tellEverything(commandProxy, decisionProxy, round, 0 == (round & 1));
            if (0 == round % 5)
            {
                commandAdapter.poll(3);
                decisionAdapter.poll(3);
                commandProxy.flush();
                decisionProxy.flush();
            }
        }
        assertTrue(commandProxy.overflowed() > 100, "commands overflowed: " + commandProxy.overflowed());
        assertTrue(decisionProxy.overflowed() > 100, "decisions overflowed: " + decisionProxy.overflowed());

        drain(commandProxy, commandAdapter, 11);
        drain(decisionProxy, decisionAdapter, 11);
        assertEquals(expected.commands, received.commands);
        assertEquals(expected.decisions, received.decisions);
    }

    @Test
    void shouldCountRecordsThatAreNotAtlasMessagesAndCarryOn()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        final MessageHeaderEncoder header = new MessageHeaderEncoder().wrap(buffer, 0);

        header.blockLength(0).templateId(99).schemaId(MessageHeaderEncoder.SCHEMA_ID).version(1);
        assertTrue(commandRing.write(AtlasRings.MSG_TYPE_ID, buffer, 0, 8), "unknown template");
        header.blockLength(0).templateId(EntityMovedEncoder.TEMPLATE_ID).schemaId(7301).version(1);
        assertTrue(commandRing.write(AtlasRings.MSG_TYPE_ID, buffer, 0, 8), "another schema");
        assertTrue(commandRing.write(AtlasRings.MSG_TYPE_ID + 1, buffer, 0, 8), "another record type");
        new AtlasDecisionProxy(commandRing).onAuthorityCleared(1, 2); // a decision is no command
        assertTrue(commandRing.write(AtlasRings.MSG_TYPE_ID, buffer, 0, 4), "shorter than a header");
        header.blockLength(10).templateId(EntityMovedEncoder.TEMPLATE_ID).schemaId(MessageHeaderEncoder.SCHEMA_ID);
        assertTrue(commandRing.write(AtlasRings.MSG_TYPE_ID, buffer, 0, 18), "block shorter than the message's");
        header.blockLength(EntityMovedEncoder.BLOCK_LENGTH);
        assertTrue(commandRing.write(AtlasRings.MSG_TYPE_ID, buffer, 0, 8 + 40), "block longer than the record");
        commandProxy.onEntityRemoved(3, 4);

        assertEquals(8, commandAdapter.poll(LIMIT));
        assertEquals(4, commandAdapter.unknown());
        assertEquals(3, commandAdapter.malformed());
        assertEquals(List.of("onEntityRemoved[3, 4]"), received.commands);

        commandProxy.onEntityRemoved(5, 6); // a command is no decision
        final AtlasDecisionAdapter decisionsFromCommandRing = new AtlasDecisionAdapter(commandRing, received);
        assertEquals(1, decisionsFromCommandRing.poll(LIMIT));
        assertEquals(1, decisionsFromCommandRing.unknown());
        assertEquals(List.of(), received.decisions);
    }

    @Test
    void shouldRefuseRingsThatAreNotAPowerOfTwoOrTooSmallForAMessage()
    {
        assertThrows(IllegalArgumentException.class, () -> AtlasRings.newRing(1000));
        assertThrows(IllegalArgumentException.class, () -> AtlasRings.newRing(0));
        assertThrows(IllegalArgumentException.class, () -> new AtlasDecisionProxy(AtlasRings.newRing(256)));
        assertEquals(8 * 1024 * 1024, AtlasRings.newRing(AtlasRings.DEFAULT_COMMAND_RING_BYTES).capacity());
        assertEquals(4 * 1024 * 1024, AtlasRings.newRing(AtlasRings.DEFAULT_DECISION_RING_BYTES).capacity());
    }

    private static void drain(final AtlasCommandProxy proxy, final AtlasCommandAdapter adapter, final int batch)
    {
        int read;
        int rounds = 0;
        do
        {
            read = adapter.poll(batch);
            proxy.flush();
        }
        while ((read > 0 || proxy.hasBacklog()) && ++rounds < 10_000);
        assertFalse(proxy.hasBacklog());
        assertEquals(0, adapter.poll(LIMIT));
    }

    private static void drain(final AtlasDecisionProxy proxy, final AtlasDecisionAdapter adapter, final int batch)
    {
        int read;
        int rounds = 0;
        do
        {
            read = adapter.poll(batch);
            proxy.flush();
        }
        while ((read > 0 || proxy.hasBacklog()) && ++rounds < 10_000);
        assertFalse(proxy.hasBacklog());
        assertEquals(0, adapter.poll(LIMIT));
    }

    private static Set<String> methodNames(final Class<?> type)
    {
        final Set<String> names = new TreeSet<>();
        for (final Method method : type.getDeclaredMethods())
        {
            names.add(method.getName());
        }
        return names;
    }

    private static Set<String> names(final List<String> calls)
    {
        final Set<String> names = new TreeSet<>();
        for (final String call : calls)
        {
            names.add(call.substring(0, call.indexOf('[')));
        }
        return names;
    }
}
