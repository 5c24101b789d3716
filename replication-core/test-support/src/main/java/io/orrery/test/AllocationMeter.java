/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.test;

import java.lang.management.ManagementFactory;

/**
 * Bytes allocated on the heap by the calling thread, as the allocation proofs measure them: read before and after the
 * code under test, on the thread that runs it, after a warm-up.
 * <pre>
 *   final long before = AllocationMeter.threadAllocatedBytes();
 *   agent.doWork();
 *   bytes += AllocationMeter.threadAllocatedBytes() - before;
 * </pre>
 * The reading itself allocates nothing once warm ({@link #readingOverheadBytes()} says how much a reading costs on
 * this JVM, to be subtracted where a proof is exact to the byte).
 * <p>
 * Threading: any thread; each reading is of the calling thread only.
 */
public final class AllocationMeter
{
    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();

    private AllocationMeter()
    {
    }

    /**
     * @return bytes the calling thread has allocated since it started (monotonic).
     */
    public static long threadAllocatedBytes()
    {
        return THREADS.getCurrentThreadAllocatedBytes();
    }

    /**
     * @return true if this JVM measures allocation per thread and the measurement is on.
     */
    public static boolean isSupported()
    {
        return THREADS.isThreadAllocatedMemorySupported() && THREADS.isThreadAllocatedMemoryEnabled();
    }

    /**
     * @return bytes one pair of readings reports with nothing between them (0 on the JVMs we run, once warm).
     */
    public static long readingOverheadBytes()
    {
        final long start = threadAllocatedBytes();
        return threadAllocatedBytes() - start;
    }
}
