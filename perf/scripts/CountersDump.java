/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */

import io.aeron.Aeron;

/**
 * Print the counters of a running media driver (its Aeron directory) whose label matches a regular expression and
 * whose value is not 0, one "id value label" a line: the scripts' view of a process's counters (the layer's or a
 * ReplicantServer's), run as a single-file program on the scripts' classpath:
 * {@code java -cp "$CP" perf/scripts/CountersDump.java AERON_DIR [REGEX]}.
 */
public final class CountersDump
{
    public static void main(final String[] args)
    {
        final String regex = args.length > 1 ? args[1] : ".*";
        try (Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(args[0])))
        {
            aeron.countersReader().forEach((value, id, label) ->
            {
                if (0 != value && label.matches(regex))
                {
                    System.out.println(id + " " + value + " " + label);
                }
            });
        }
    }
}
