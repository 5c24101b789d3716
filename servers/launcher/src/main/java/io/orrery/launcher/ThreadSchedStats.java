/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Per-thread scheduler figures of this JVM from Linux's {@code /proc/self/task/<tid>/schedstat} (time on a CPU, time
 * runnable but waiting for one, time slices), taken at the start and the end of a measured window: whether a thread
 * such as the Replicant's was slow because it worked or because it waited for a core. Control path only (reads
 * files, allocates); on a system without {@code /proc} the report says so.
 */
final class ThreadSchedStats
{
    private static final Path TASKS = Paths.get("/proc/self/task");

    private final Map<String, long[]> start;
    private Map<String, long[]> end;

    private ThreadSchedStats(final Map<String, long[]> start)
    {
        this.start = start;
    }

    /**
     * @return the figures now, the start of a window.
     */
    static ThreadSchedStats start()
    {
        return new ThreadSchedStats(read());
    }

    /**
     * The end of the window: take it while the threads of interest still run (a thread that ended is gone from
     * {@code /proc}).
     */
    void stop()
    {
        end = read();
    }

    /**
     * The threads that ran most during the window: name (as the kernel has it, 15 characters), CPU ms, ms waiting
     * runnable for a core, and the ratio of the two.
     *
     * @param top how many threads.
     * @return lines, one per thread, after a heading.
     */
    String report(final int top)
    {
        if (null == end)
        {
            stop();
        }
        if (end.isEmpty())
        {
            return "thread scheduling: /proc/self/task not readable";
        }
        final List<Map.Entry<String, long[]>> rows = new ArrayList<>();
        for (final Map.Entry<String, long[]> e : end.entrySet())
        {
            final long[] before = start.getOrDefault(e.getKey(), new long[3]);
            final long[] delta = new long[3];
            for (int i = 0; i < 3; i++)
            {
                delta[i] = e.getValue()[i] - before[i];
            }
            rows.add(Map.entry(e.getKey(), delta));
        }
        rows.sort((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]));
        final StringBuilder out = new StringBuilder(
            "thread scheduling over the swarm (schedstat): thread, CPU ms, runnable-waiting ms, wait/CPU, slices");
        long cpuTotal = 0;
        long waitTotal = 0;
        for (final Map.Entry<String, long[]> row : rows)
        {
            cpuTotal += row.getValue()[0];
            waitTotal += row.getValue()[1];
        }
        for (int i = 0; i < Math.min(top, rows.size()); i++)
        {
            final long[] d = rows.get(i).getValue();
            out.append(String.format(Locale.ROOT, "%n  %-24s %10.1f %10.1f %6.2f %,10d", rows.get(i).getKey(),
                d[0] / 1e6, d[1] / 1e6, d[1] / Math.max(1.0, d[0]), d[2]));
        }
        out.append(String.format(Locale.ROOT, "%n  %-24s %10.1f %10.1f %6.2f", "all threads", cpuTotal / 1e6,
            waitTotal / 1e6, waitTotal / Math.max(1.0, cpuTotal)));
        return out.toString();
    }

    private static Map<String, long[]> read()
    {
        final Map<String, long[]> byThread = new HashMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS))
        {
            for (final Path task : tasks)
            {
                try
                {
                    final String name = new String(Files.readAllBytes(task.resolve("comm")),
                        StandardCharsets.US_ASCII).trim() + " [" + task.getFileName() + "]";
                    final String[] fields = new String(Files.readAllBytes(task.resolve("schedstat")),
                        StandardCharsets.US_ASCII).trim().split(" ");
                    byThread.put(name, new long[]{
                        Long.parseLong(fields[0]), Long.parseLong(fields[1]), Long.parseLong(fields[2])});
                }
                catch (final IOException | RuntimeException ignore)
                {
                    // the thread ended meanwhile
                }
            }
        }
        catch (final IOException ignore)
        {
            byThread.clear();
        }
        return byThread;
    }
}
