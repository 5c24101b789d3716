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
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scribe's consumer trace: every activity of the consumer thread (duty cycles, idle spans, world writes, operations,
 * loads) with its start and end, written next to the operation timeline at close, so that what an operation waited
 * behind in the ring can be read off.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConsumerTraceTest
{
    private static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(10);

    @TempDir
    Path dir;

    private final TestPersistenceAdapter store = new TestPersistenceAdapter();
    private int completed;

    @Test
    void shouldRecordTheWorldWriteAndOperationsTheConsumerRanWithTheirTimes() throws IOException
    {
        final Path file = dir.resolve("timeline.csv");
        final Scribe scribe = Scribe.launch(new ScribeContext()
            .name("consumer-trace")
            .adapter(store)
            .ringSize(1024)
            .maxPendingOperations(64)
            .operationTraceFile(file.toString())
            .useConsumerAgentInvoker(true));
        final UnsafeBuffer state = new UnsafeBuffer(new byte[8]);
        assertTrue(scribe.offerNodeUpsert(7, 1, 1, 0, false, 1, 2, 3, 0, 0, 0, 1, 0.5f, state, 0, 0));
        assertTrue(scribe.offerNodeUpsert(8, 1, 1, 0, false, 1, 2, 3, 0, 0, 0, 1, 0.5f, state, 0, 0));
        assertTrue(scribe.offerEdge(8, 7, EdgeKind.CONTAINS, false));
        final NodeRecord stowed = new NodeRecord();
        stowed.entityId = 7;
        stowed.parentZoneId = 1;
        assertTrue(scribe.offerStow(11, 1, 99, 0, stowed)); // 7's upsert is dropped, 8's and the edge 8 -> 7 go first
        final long traceId = scribe.lastOperationTraceId();
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        while (completed < 1 && System.nanoTime() < deadlineNs)
        {
            scribe.invokeConsumer();
            scribe.pollCompletions((type, operationId, correlationId, status, firstStatus, value) -> completed++, 16);
        }
        assertEquals(1, completed);
        scribe.invokeConsumer(); // idle cycles
        scribe.invokeConsumer();
        assertTrue(scribe.offerWalletChange(12, 2, 99, 10)); // work again: the idle span ends
        scribe.invokeConsumer();
        scribe.close();

        final Path consumerFile = dir.resolve("timeline-consumer.csv");
        final List<String> lines = Files.readAllLines(consumerFile);
        assertEquals("kind,startNs,endNs,value,value2", lines.get(0));
        final String worldWrite = line(lines, "worldWrite");
        final String operation = line(lines, "operation");
        assertEquals(2, field(worldWrite, 3), "an upsert and the stowed entity's edge, written before the stow: " +
            worldWrite);
        assertEquals(OperationType.STOW, field(operation, 3), operation);
        assertEquals(traceId, field(operation, 4), "the operation's trace id: " + operation);
        assertTrue(field(worldWrite, 2) <= field(operation, 1), "the write ran before the operation: " + lines);
        final String cycle = line(lines, "dutyCycle");
        assertTrue(field(cycle, 1) <= field(worldWrite, 1) && field(operation, 2) <= field(cycle, 2),
            "the duty cycle holds the write and the operation: " + lines);
        assertEquals(4, field(cycle, 3), "events taken from the ring: " + cycle);
        final String idle = line(lines, "idle");
        assertTrue(field(idle, 3) >= 2, "idle duty cycles in one span: " + idle);
    }

    @Test
    void shouldMergeIdleDutyCyclesIntoOneSpanWithTheLongestGapBetweenThem() throws IOException
    {
        final ConsumerTrace trace = new ConsumerTrace(8);
        trace.dutyCycle(0, 10, 5, 5, 5);
        trace.dutyCycle(20, 21, 0, 0, 0);
        trace.dutyCycle(30, 31, 0, 0, 0);
        trace.dutyCycle(50, 51, 0, 0, 0);
        trace.dutyCycle(60, 70, 1, 1, 1);
        final Path file = dir.resolve("unit-consumer.csv");
        trace.dump(file);
        final List<String> lines = Files.readAllLines(file);
        assertEquals(List.of("kind,startNs,endNs,value,value2", "dutyCycle,0,10,5,5", "idle,21,60,3,19",
            "dutyCycle,60,70,1,1"), lines);
        assertEquals("x-consumer.csv", ConsumerTrace.fileFor("x.csv"));
    }

    @Test
    void shouldWriteNoConsumerTraceWithoutATraceFile()
    {
        final Scribe scribe = Scribe.launch(new ScribeContext()
            .name("consumer-trace-off")
            .adapter(store)
            .ringSize(1024)
            .maxPendingOperations(64)
            .useConsumerAgentInvoker(true));
        scribe.invokeConsumer();
        scribe.close();
        try (var files = Files.list(dir))
        {
            assertFalse(files.findAny().isPresent());
        }
        catch (final IOException ex)
        {
            throw new AssertionError(ex);
        }
    }

    private static String line(final List<String> lines, final String kind)
    {
        return lines.stream().filter((l) -> l.startsWith(kind + ",")).findFirst()
            .orElseThrow(() -> new AssertionError("no " + kind + " in " + lines));
    }

    private static long field(final String line, final int index)
    {
        return Long.parseLong(line.split(",")[index]);
    }
}
