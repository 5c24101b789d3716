/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers;

import java.util.Locale;

/**
 * Durations on command lines: {@code 20s}, {@code 2m}, {@code 500ms}, {@code 100us}, {@code 1h}, {@code 10ns} or plain
 * seconds.
 * <p>
 * Threading: stateless.
 */
public final class Durations
{
    private static final String[] UNITS = { "ns", "us", "ms", "h", "m", "s" };
    private static final long[] FACTORS = { 1, 1_000, 1_000_000, 3_600_000_000_000L, 60_000_000_000L, 1_000_000_000 };

    private Durations()
    {
    }

    /**
     * @return the duration in nanoseconds.
     * @throws IllegalArgumentException if it is not a non-negative duration.
     */
    public static long parseNs(final String text)
    {
        final String value = text.trim().toLowerCase(Locale.ROOT);
        double number = -1;
        long factor = 1_000_000_000;
        try
        {
            for (int i = 0; i < UNITS.length; i++)
            {
                if (value.endsWith(UNITS[i]))
                {
                    number = Double.parseDouble(value.substring(0, value.length() - UNITS[i].length()).trim());
                    factor = FACTORS[i];
                    break;
                }
            }
            if (number < 0)
            {
                number = Double.parseDouble(value);
            }
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("not a duration: " + text);
        }
        if (!(number >= 0))
        {
            throw new IllegalArgumentException("not a duration: " + text);
        }
        return (long)(number * factor);
    }
}
