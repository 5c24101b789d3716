/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.persistence;

import java.io.IOException;
import java.nio.file.Path;

/**
 * What Scribe's consumer thread did, activity by activity: the sibling of the {@link OperationTimeline}, so that for
 * each slow operation one can tell what ran on the consumer between its offer and its pickup. A pre-allocated ring
 * of {@link #STRIDE} longs per activity ({@link System#nanoTime()} at its start and end), written as CSV at Scribe's
 * close next to the operation timeline ({@link #fileFor(String)}). Off unless
 * {@link ScribeContext#operationTraceFile()} is set; nothing is allocated per activity.
 * <pre>
 *   record (STRIDE longs), one per activity, in the order they ended:
 *   +------+---------+-------+---------+---------+
 *   | KIND | START   | END   | VALUE   | VALUE2  |
 *   +------+---------+-------+---------+---------+
 * </pre>
 * Kinds and their values:
 * <ul>
 *     <li>{@link #DUTY_CYCLE}: one {@code doWork()} that did work; value: events taken from the ring, value2: the
 *     ring's backlog at its start.</li>
 *     <li>{@link #IDLE}: from the end of the first {@code doWork()} that did nothing to the start of the next one
 *     that did work (the idle strategy's parks and the time the thread waited for a core); value: idle duty cycles,
 *     value2: the longest gap between two of them (a park that overslept or a thread not scheduled).</li>
 *     <li>{@link #WORLD_WRITE}: a world batch written on its own (write-behind flush, before a load or a barrier);
 *     value: entries, value2: 1 when written asynchronously ({@link ScribeContext#asyncWriteBehind()}), 2 when written
 *     in an open group, before a member that depends on it.</li>
 *     <li>{@link #GROUP_OPEN}: a group transaction opened, with the pending world batch written in it when the first
 *     operation depends on it; value: entries written (0: none).</li>
 *     <li>{@link #OPERATION}: an operation's statement (in a group or its own transaction); value:
 *     {@link OperationType}, value2: its trace id in the {@link OperationTimeline} (-1: not traced).</li>
 *     <li>{@link #GROUP_COMMIT}: a group's commit and the posting of its outcomes; value: operations, value2: 1 when
 *     committed and posted, 0 when the group failed.</li>
 *     <li>{@link #LOAD}: a region load (stream-in) and its delivery to the load ring; value: nodes.</li>
 *     <li>{@link #LOOKUP}: a look-up of a recorded outcome.</li>
 *     <li>{@link #FAILURE}: a store failure (start = end); value: the backoff before the retry (ns).</li>
 *     <li>{@link #WARM_UP}: the store's warm-up at start.</li>
 *     <li>{@link #LOG_CHECK}: whether the store's log is flushed past the batches written asynchronously; value: 1
 *     when it is.</li>
 *     <li>{@link #LOG_FLUSH}: a wait for the store's log (a barrier, an operation outside a group, or close
 *     after asynchronous batches; in a group it is part of {@link #GROUP_OPEN}).</li>
 * </ul>
 * Activities nest: a duty cycle holds the writes, operations, commits and loads run in it.
 * <p>
 * Threading: the consumer thread only; {@link #dump(Path)} after it stopped (the agent runner's join orders its
 * writes before).
 */
final class ConsumerTrace
{
    static final int DUTY_CYCLE = 1;
    static final int IDLE = 2;
    static final int WORLD_WRITE = 3;
    static final int GROUP_OPEN = 4;
    static final int OPERATION = 5;
    static final int GROUP_COMMIT = 6;
    static final int LOAD = 7;
    static final int LOOKUP = 8;
    static final int FAILURE = 9;
    static final int WARM_UP = 10;
    static final int LOG_CHECK = 11;
    static final int LOG_FLUSH = 12;

    static final int KIND = 0;
    static final int START = 1;
    static final int END = 2;
    static final int VALUE = 3;
    static final int VALUE2 = 4;
    static final int STRIDE = 5;

    private static final String[] KIND_NAMES =
    {
        "", "dutyCycle", "idle", "worldWrite", "groupOpen", "operation", "groupCommit", "load", "lookup", "failure",
        "warmUp", "logCheck", "logFlush"
    };

    private final long[] records;
    private final int mask;
    private long count;
    private long idleStartNs;
    private long idleCycles;
    private long idleLastNs;
    private long idleLongestGapNs;

    /**
     * @param capacity activities remembered (the latest), rounded up to a power of two.
     */
    ConsumerTrace(final int capacity)
    {
        final int size = TraceRecords.ringSize(capacity);
        records = new long[size * STRIDE];
        mask = size - 1;
    }

    /**
     * @param operationTraceFile the operation timeline's file.
     * @return where the consumer trace of that timeline is written: {@code x.csv} gives {@code x-consumer.csv}.
     */
    static String fileFor(final String operationTraceFile)
    {
        final String stem = operationTraceFile.endsWith(".csv") ?
            operationTraceFile.substring(0, operationTraceFile.length() - 4) : operationTraceFile;
        return stem + "-consumer.csv";
    }

    /**
     * Record an activity that ended.
     */
    void record(final int kind, final long startNs, final long endNs, final long value, final long value2)
    {
        final int base = ((int)count++ & mask) * STRIDE;
        records[base + KIND] = kind;
        records[base + START] = startNs;
        records[base + END] = endNs;
        records[base + VALUE] = value;
        records[base + VALUE2] = value2;
    }

    /**
     * A duty cycle ended: an idle one extends the idle span, one that did work ends it (recording it) and is recorded.
     *
     * @param startNs   when the duty cycle started.
     * @param endNs     when it ended.
     * @param events    events taken from the ring.
     * @param workCount its work count.
     * @param backlog   events in the ring at its start.
     */
    void dutyCycle(final long startNs, final long endNs, final long events, final int workCount, final long backlog)
    {
        if (0 == workCount)
        {
            if (0 == idleCycles)
            {
                idleStartNs = endNs;
                idleLongestGapNs = 0;
            }
            else
            {
                idleLongestGapNs = Math.max(idleLongestGapNs, startNs - idleLastNs);
            }
            idleCycles++;
            idleLastNs = endNs;
            return;
        }

        if (0 != idleCycles)
        {
            idleLongestGapNs = Math.max(idleLongestGapNs, startNs - idleLastNs);
            record(IDLE, idleStartNs, startNs, idleCycles, idleLongestGapNs);
            idleCycles = 0;
        }
        record(DUTY_CYCLE, startNs, endNs, events, backlog);
    }

    /**
     * @return activities recorded so far (the ring holds the latest of them).
     */
    long count()
    {
        return count;
    }

    /**
     * Write every record held as CSV: a header, then one line per activity in the order they ended.
     */
    void dump(final Path file) throws IOException
    {
        TraceRecords.dump(file, "kind,startNs,endNs,value,value2", records, STRIDE, mask, count,
            (out, id, base) -> out.print(KIND_NAMES[(int)records[base + KIND]]), START);
    }
}
