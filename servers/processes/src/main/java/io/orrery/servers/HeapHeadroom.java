/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.Locale;

/**
 * What a process's heap holds once its pre-allocated structures are built, said once at start so that an operator
 * learns that the heap is too small for the configured capacity then, not from an {@link OutOfMemoryError} under load.
 * The layer pre-allocates for its maximum sessions, view entries and entities (about 180 MB at the defaults).
 */
final class HeapHeadroom
{
    /**
     * Above this share of the maximum heap in use right after start, the process warns.
     */
    static final double WARN_SHARE = 0.75;

    private HeapHeadroom()
    {
    }

    /**
     * @param process names the process in the line.
     * @param advice  what to change when the heap is short, e.g. "raise -Xmx or lower --max-sessions".
     * @return one line for standard output, or a warning line when the heap in use is above {@link #WARN_SHARE} of
     * the maximum.
     */
    static String line(final String process, final String advice)
    {
        final MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return line(process, advice, heap.getUsed(), heap.getMax());
    }

    static String line(final String process, final String advice, final long usedBytes, final long maxBytes)
    {
        final long mb = 1024 * 1024;
        if (maxBytes <= 0)
        {
            return "orrery: " + process + " heap in use after start " + usedBytes / mb + " MB (no maximum)";
        }
        final double share = (double)usedBytes / maxBytes;
        final String figures = String.format(Locale.ROOT, "%d MB of %d MB max (%.0f %%)",
            usedBytes / mb, maxBytes / mb, share * 100);
        return share > WARN_SHARE ?
            "orrery: WARNING: " + process + " heap in use after start " + figures + ": little room left for load; " +
            advice :
            "orrery: " + process + " heap in use after start " + figures;
    }
}
