/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.persistence;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A per-operation timeline of Scribe operations (stow, unstow, wallet, reputation) for finding where the tail of an
 * operation's latency is spent: a pre-allocated ring of {@code long} timestamps ({@link System#nanoTime()}), one
 * record of {@link #STRIDE} longs per operation, written at each step of the operation's path and dumped as CSV at
 * Scribe's close. Off unless {@link ScribeContext#operationTraceFile()} is set; nothing is allocated per operation.
 * <pre>
 *   record (STRIDE longs), one per traced operation, trace id = index of the operation offered (mod capacity):
 *   +----------------+----------------+--------+-----------+------------+--------------+----------+
 *   | GATEWAY_READ   | REPLICANT_READ | OFFERED| PICKED_UP | OP_START   | OP_DONE      | COMMITTED|
 *   +----------------+----------------+--------+-----------+------------+--------------+----------+
 *   | POSTED | COMPLETION_POLLED | RESULT_OFFERED | TYPE | WORLD_ENTRIES | GROUP_SIZE | SEQUENCE  |
 *   +--------+-------------------+----------------+------+---------------+------------+-----------+
 *   | LOADS_WAITED | BATCHES_WAITED |
 *   +--------------+----------------+
 * </pre>
 * A timestamp of 0 is a step not reached (or not traced: a request that did not come through the Gateway).
 * <p>
 * Threading: the producer (Replicant) writes {@link #GATEWAY_READ}, {@link #REPLICANT_READ}, {@link #OFFERED},
 * {@link #COMPLETION_POLLED} and {@link #RESULT_OFFERED}; the consumer the steps between. Plain writes to distinct
 * slots; {@link #dump(Path)} runs after the consumer stopped (the agent runner's join orders its writes before).
 */
public final class OperationTimeline
{
    /** The Gateway read the client's request (its duty cycle's clock). */
    public static final int GATEWAY_READ = 0;
    /** The Replicant took the request from the Gateway's ring. */
    public static final int REPLICANT_READ = 1;
    /** The operation is published into Scribe's ring. */
    public static final int OFFERED = 2;
    /** Scribe's consumer took it from the ring. */
    public static final int PICKED_UP = 3;
    /** The operation's statement starts (after the group is open and the pending world batch written in it). */
    public static final int OP_START = 4;
    /** The operation's statement returned. */
    public static final int OP_DONE = 5;
    /** The transaction holding it committed (durable). */
    public static final int COMMITTED = 6;
    /** Its outcome is in the completion ring. */
    public static final int POSTED = 7;
    /** The producer polled the outcome. */
    public static final int COMPLETION_POLLED = 8;
    /** The producer offered the result to the client. */
    public static final int RESULT_OFFERED = 9;
    /** The operation type ({@link OperationType}). */
    static final int TYPE = 10;
    /**
     * World changes written in the operation's transaction (group commit) or just before it: 0 unless a pending one
     * involves an entity it moves.
     */
    static final int WORLD_ENTRIES = 11;
    /** Operations committed in the same transaction. */
    static final int GROUP_SIZE = 12;
    /** The operation's ring sequence. */
    static final int SEQUENCE = 13;
    /** Region loads the consumer ran while the operation waited in the ring (offered to picked up). */
    static final int LOADS_WAITED = 14;
    /** World batches the consumer wrote while the operation waited in the ring. */
    static final int BATCHES_WAITED = 15;
    /** Longs per record. */
    static final int STRIDE = 16;

    private static final String[] STEP_NAMES =
    {
        "gatewayRead", "replicantRead", "offered", "pickedUp", "opStart", "opDone", "committed", "posted",
        "completionPolled", "resultOffered", "type", "worldEntries", "groupSize", "sequence", "loadsWaited",
        "batchesWaited"
    };

    private final long[] records;
    private final int mask;
    private long nextId;

    /**
     * @param capacity operations remembered (the latest), rounded up to a power of two.
     */
    OperationTimeline(final int capacity)
    {
        final int size = TraceRecords.ringSize(capacity);
        records = new long[size * STRIDE];
        mask = size - 1;
    }

    /**
     * Start the record of the next operation offered (producer thread).
     *
     * @return its trace id.
     */
    long begin(final int type, final long sequence, final long regionsLoaded, final long batchesWritten)
    {
        final long id = nextId++;
        final int base = base(id);
        Arrays.fill(records, base, base + STRIDE, 0L);
        records[base + TYPE] = type;
        records[base + SEQUENCE] = sequence;
        records[base + LOADS_WAITED] = regionsLoaded;
        records[base + BATCHES_WAITED] = batchesWritten;
        records[base + OFFERED] = System.nanoTime();
        return id;
    }

    /**
     * The consumer took the operation from the ring: its {@link #PICKED_UP} step, and what the consumer ran while
     * it waited (the counters' values now less their values at {@link #begin}).
     */
    void pickedUp(final long traceId, final long regionsLoaded, final long batchesWritten)
    {
        final int base = base(traceId);
        records[base + PICKED_UP] = System.nanoTime();
        records[base + LOADS_WAITED] = regionsLoaded - records[base + LOADS_WAITED];
        records[base + BATCHES_WAITED] = batchesWritten - records[base + BATCHES_WAITED];
    }

    /**
     * Record a step at the clock's present time.
     */
    public void stamp(final long traceId, final int step)
    {
        records[base(traceId) + step] = System.nanoTime();
    }

    /**
     * Record a step, or a value, given.
     */
    public void stamp(final long traceId, final int step, final long value)
    {
        records[base(traceId) + step] = value;
    }

    /**
     * @return operations traced so far (the ring holds the latest of them).
     */
    public long count()
    {
        return nextId;
    }

    /**
     * Write every record held as CSV: a header, then one line per operation in trace order.
     */
    void dump(final Path file) throws IOException
    {
        TraceRecords.dump(file, "trace," + String.join(",", STEP_NAMES), records, STRIDE, mask, nextId,
            (out, id, base) -> out.print(id), 0);
    }

    private int base(final long traceId)
    {
        return ((int)traceId & mask) * STRIDE;
    }
}
