/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.persistence.bench;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/**
 * The floor under every durable commit: how long the disk takes to make one WAL-sized write durable, as a
 * distribution (pg_test_fsync prints only means). Writes {@code size} bytes at consecutive offsets of a preallocated
 * file in {@code dir} (PostgreSQL's WAL segments are preallocated too) and times each durable write in two ways:
 * {@code write + force(false)} (fdatasync: {@code wal_sync_method = fdatasync}, Linux's default) and a write through a
 * channel opened with {@code DSYNC} ({@code O_DSYNC}: {@code wal_sync_method = open_datasync}). Run it on the
 * file system PostgreSQL writes to:
 * <pre>
 *   mvn -q -B -o -Pbench -pl persistence-adapters -am verify -DskipTests \
 *       -Dorrery.bench.main=io.orrery.persistence.bench.FsyncProbe -Dorrery.bench.args="dir=/tmp samples=5000"
 * </pre>
 * Nothing here is asserted: the numbers are for perf reports.
 */
public final class FsyncProbe
{
    private static final int SEGMENT_BYTES = 16 * 1024 * 1024;

    private FsyncProbe()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        Path dir = Path.of(System.getProperty("java.io.tmpdir"));
        int samples = 5000;
        int size = 8192;
        for (final String arg : args)
        {
            if (arg.startsWith("dir="))
            {
                dir = Path.of(arg.substring(4));
            }
            else if (arg.startsWith("samples="))
            {
                samples = Integer.parseInt(arg.substring(8));
            }
            else if (arg.startsWith("size="))
            {
                size = Integer.parseInt(arg.substring(5));
            }
        }

        final Path file = Files.createTempFile(dir, "orrery-fsync-probe", ".wal");
        try
        {
            System.out.printf("fsync probe: %d durable writes of %d bytes each way, in %s, %s%n", samples, size, dir,
                Runtime.version());
            preallocate(file);
            final ByteBuffer block = ByteBuffer.allocateDirect(size);
            final Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
            for (int round = 0; round < 2; round++) // the second round is the one to read: the first warms up
            {
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
                {
                    timeWrites(channel, block, samples, true, h);
                }
                report(round, "write + force(false)  (fdatasync)", h);

                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.DSYNC))
                {
                    timeWrites(channel, block, samples, false, h);
                }
                report(round, "write with O_DSYNC    (open_datasync)", h);
            }
        }
        finally
        {
            Files.deleteIfExists(file);
        }
    }

    private static void preallocate(final Path file) throws IOException
    {
        final ByteBuffer zeros = ByteBuffer.allocateDirect(1024 * 1024);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            for (long position = 0; position < SEGMENT_BYTES; position += zeros.capacity())
            {
                zeros.clear();
                while (zeros.hasRemaining())
                {
                    channel.write(zeros, position + zeros.position());
                }
            }
            channel.force(true);
        }
    }

    private static void timeWrites(
        final FileChannel channel, final ByteBuffer block, final int samples, final boolean force, final Histogram h)
        throws IOException
    {
        h.reset();
        long position = 0;
        for (int i = 0; i < samples; i++)
        {
            block.clear();
            block.putLong(0, i);
            final long startNs = System.nanoTime();
            while (block.hasRemaining())
            {
                channel.write(block, position + block.position());
            }
            if (force)
            {
                channel.force(false);
            }
            h.recordValue(System.nanoTime() - startNs);
            position += block.capacity();
            if (position + block.capacity() > SEGMENT_BYTES)
            {
                position = 0;
            }
        }
    }

    private static void report(final int round, final String what, final Histogram h)
    {
        System.out.printf("%s %-40s p50 %7.3f  p90 %7.3f  p99 %7.3f  p99.9 %7.3f  max %8.3f ms  (n=%d)%n",
            0 == round ? "warm-up" : "       ", what, ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(90)),
            ms(h.getValueAtPercentile(99)), ms(h.getValueAtPercentile(99.9)), ms(h.getMaxValue()),
            h.getTotalCount());
    }

    private static double ms(final long ns)
    {
        return ns / 1e6;
    }
}
