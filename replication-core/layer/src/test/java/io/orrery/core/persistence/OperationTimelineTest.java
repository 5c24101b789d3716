/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.persistence;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scribe's per-operation timeline: each operation's steps are stamped in order on its way through the ring and the
 * store, and the timeline is written as CSV at close; without a trace file there is none.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OperationTimelineTest
{
    private static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(10);

    @TempDir
    Path dir;

    private final TestPersistenceAdapter store = new TestPersistenceAdapter();
    private int completed;

    private Scribe launch(final String traceFile)
    {
        return Scribe.launch(new ScribeContext()
            .name("timeline")
            .adapter(store)
            .ringSize(1024)
            .maxPendingOperations(64)
            .operationTraceFile(traceFile)
            .operationTraceCapacity(4)
            .useConsumerAgentInvoker(true));
    }

    private void runUntilCompleted(final Scribe scribe, final int count)
    {
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        while (completed < count && System.nanoTime() < deadlineNs)
        {
            scribe.invokeConsumer();
            scribe.pollCompletions(
                (type, operationId, correlationId, status, firstStatus, value) -> completed++, 16);
        }
        assertEquals(count, completed, "completions before the deadline");
    }

    @Test
    void shouldStampEveryStepOfAnOperationInOrderAndWriteThemAtClose() throws IOException
    {
        final Path file = dir.resolve("timeline.csv");
        final Scribe scribe = launch(file.toString());
        final UnsafeBuffer state = new UnsafeBuffer(new byte[8]);
        assertTrue(scribe.offerNodeUpsert(7, 1, 1, 0, false, 1, 2, 3, 0, 0, 0, 1, 0.5f, state, 0, 0));
        final NodeRecord node = new NodeRecord();
        node.entityId = 7;
        node.parentZoneId = 1;
        assertTrue(scribe.offerStow(11, 1, 99, 0, node));
        final long traceId = scribe.lastOperationTraceId();
        scribe.operationTimeline().stamp(traceId, OperationTimeline.COMPLETION_POLLED);
        runUntilCompleted(scribe, 1);
        scribe.close();

        final List<String> lines = Files.readAllLines(file);
        assertEquals(2, lines.size(), "a header and one operation: " + lines);
        final List<String> header = Arrays.asList(lines.get(0).split(","));
        final long[] values = Arrays.stream(lines.get(1).split(",")).mapToLong(Long::parseLong).toArray();
        assertEquals(traceId, values[0]);
        assertEquals(ScribeEvent.STOW, values[header.indexOf("type")]);
        assertEquals(1, values[header.indexOf("sequence")], "the stow's ring sequence");
        assertEquals(0, values[header.indexOf("gatewayRead")], "not a client's request");
        long previous = 0;
        for (final String step : List.of("offered", "pickedUp", "opStart", "opDone", "committed", "posted"))
        {
            final long value = values[header.indexOf(step)];
            assertTrue(value > 0 && value >= previous, step + " stamped after the step before it: " + lines.get(1));
            previous = value;
        }
    }

    @Test
    void shouldKeepTheLatestOperationsWhenMoreThanItsCapacityAreOffered() throws IOException
    {
        final Path file = dir.resolve("latest.csv");
        final Scribe scribe = launch(file.toString());
        for (int i = 1; i <= 6; i++)
        {
            assertTrue(scribe.offerWalletChange(i, i, 5, 10));
        }
        runUntilCompleted(scribe, 6);
        scribe.close();

        final List<String> lines = Files.readAllLines(file);
        assertEquals(5, lines.size(), "a header and the latest 4 operations: " + lines);
        assertTrue(lines.get(1).startsWith("2,"), lines.get(1));
        assertTrue(lines.get(4).startsWith("5,"), lines.get(4));
    }

    @Test
    void shouldKeepNoTimelineWithoutATraceFile()
    {
        final Scribe scribe = launch(null);
        assertNull(scribe.operationTimeline());
        assertTrue(scribe.offerWalletChange(1, 1, 5, 10));
        assertEquals(-1, scribe.lastOperationTraceId());
        runUntilCompleted(scribe, 1);
        scribe.close();
        assertFalse(Files.exists(dir.resolve("timeline.csv")));
    }
}
