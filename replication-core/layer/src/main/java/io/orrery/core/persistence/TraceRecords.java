/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.persistence;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What Scribe's traces ({@link OperationTimeline}, {@link ConsumerTrace}) share: a ring of fixed-size records of
 * {@code long}s in one pre-allocated array, sized to a power of two, written as CSV at close. Control path only.
 */
final class TraceRecords
{
    /**
     * Writes a record's first column (its label).
     */
    @FunctionalInterface
    interface Label
    {
        void print(PrintWriter out, long id, int base);
    }

    private TraceRecords()
    {
    }

    /**
     * @param capacity records wanted.
     * @return records the ring holds: capacity rounded up to a power of two.
     */
    static int ringSize(final int capacity)
    {
        return Integer.highestOneBit(Math.max(1, capacity - 1)) << 1;
    }

    /**
     * Write the records held (the latest {@code mask + 1} of {@code count}) as CSV, oldest first: the header, then
     * per record its label and its longs from {@code firstValue} to the end of the record.
     */
    static void dump(
        final Path file,
        final String header,
        final long[] records,
        final int stride,
        final int mask,
        final long count,
        final Label label,
        final int firstValue) throws IOException
    {
        final long first = Math.max(0, count - (mask + 1));
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(file, StandardCharsets.US_ASCII)))
        {
            out.println(header);
            for (long id = first; id < count; id++)
            {
                final int base = ((int)id & mask) * stride;
                label.print(out, id, base);
                for (int i = firstValue; i < stride; i++)
                {
                    out.print(',');
                    out.print(records[base + i]);
                }
                out.println();
            }
        }
    }
}
