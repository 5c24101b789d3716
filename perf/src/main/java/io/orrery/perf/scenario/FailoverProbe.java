/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.perf.scenario;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.orrery.core.status.OrreryCounter;
import org.agrona.concurrent.status.CountersReader;

/**
 * Watches the layer's side of a failover at sub-millisecond resolution (the sampler reads counters only once a
 * second): from the moment a game server was stopped, how long until the layer declared it dead
 * ({@link OrreryCounter#SERVER_FAILOVERS} rose) and until its entities were reassigned
 * ({@link OrreryCounter#ENTITIES_REASSIGNED} rose). Polls the two counters every 200 µs on its own daemon thread for
 * at most a timeout.
 * <p>
 * Threading: {@link #start(long)} and the accessors on the controlling thread; the poll loop on its own thread;
 * results are published through volatile fields.
 */
final class FailoverProbe
{
    static final long NOT_SEEN = -1;
    private static final long POLL_NS = TimeUnit.MICROSECONDS.toNanos(200);

    private final CountersReader reader;
    private final int failoversId;
    private final int reassignedId;
    private final long timeoutNs;
    private final long failoversBefore;
    private final long reassignedBefore;
    private volatile long detectedAfterNs = NOT_SEEN;
    private volatile long reassignedAfterNs = NOT_SEEN;
    private Thread thread;

    /**
     * Find the counters and take their values now (call just before stopping the server).
     *
     * @param reader    over the shard's media driver counters.
     * @param timeoutNs give up watching this long after the stop.
     */
    FailoverProbe(final CountersReader reader, final long timeoutNs)
    {
        this.reader = reader;
        this.timeoutNs = timeoutNs;
        failoversId = find(reader, OrreryCounter.SERVER_FAILOVERS);
        reassignedId = find(reader, OrreryCounter.ENTITIES_REASSIGNED);
        failoversBefore = value(failoversId);
        reassignedBefore = value(reassignedId);
    }

    /**
     * Start watching.
     *
     * @param stoppedAtNs when the server was stopped ({@link System#nanoTime()}).
     */
    void start(final long stoppedAtNs)
    {
        thread = new Thread(() -> watch(stoppedAtNs), "orrery-failover-probe");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * @return ns from the stop until the layer declared a server dead, or {@link #NOT_SEEN}.
     */
    long detectedAfterNs()
    {
        return detectedAfterNs;
    }

    /**
     * @return ns from the stop until the first entity was reassigned, or {@link #NOT_SEEN}.
     */
    long reassignedAfterNs()
    {
        return reassignedAfterNs;
    }

    /**
     * @return servers declared dead before the probe was created.
     */
    long failoversBefore()
    {
        return failoversBefore;
    }

    /**
     * @return entities reassigned since the probe was created.
     */
    long entitiesReassigned()
    {
        return value(reassignedId) - reassignedBefore;
    }

    /**
     * Wait for the poll loop to end (both seen or timed out).
     *
     * @param maxWaitMs at most this long.
     */
    void join(final long maxWaitMs) throws InterruptedException
    {
        if (null != thread)
        {
            thread.join(maxWaitMs);
        }
    }

    private void watch(final long stoppedAtNs)
    {
        long nowNs;
        while ((nowNs = System.nanoTime()) - stoppedAtNs < timeoutNs)
        {
            if (NOT_SEEN == detectedAfterNs && value(failoversId) > failoversBefore)
            {
                detectedAfterNs = nowNs - stoppedAtNs;
            }
            if (NOT_SEEN == reassignedAfterNs && value(reassignedId) > reassignedBefore)
            {
                reassignedAfterNs = nowNs - stoppedAtNs;
            }
            if (NOT_SEEN != detectedAfterNs && NOT_SEEN != reassignedAfterNs)
            {
                return;
            }
            LockSupport.parkNanos(POLL_NS);
        }
    }

    private long value(final int counterId)
    {
        return CountersReader.NULL_COUNTER_ID == counterId ? 0 : reader.getCounterValue(counterId);
    }

    private static int find(final CountersReader reader, final OrreryCounter counter)
    {
        final String prefix = "orrery: " + counter.label();
        final int[] found = { CountersReader.NULL_COUNTER_ID };
        reader.forEach((counterId, typeId, keyBuffer, label) ->
        {
            if (OrreryCounter.COUNTER_TYPE_ID == typeId && CountersReader.NULL_COUNTER_ID == found[0] &&
                (label.equals(prefix) || label.startsWith(prefix + " ")))
            {
                found[0] = counterId;
            }
        });
        return found[0];
    }
}
