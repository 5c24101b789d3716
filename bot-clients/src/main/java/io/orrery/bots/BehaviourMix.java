/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.bots;

import java.util.Arrays;

/**
 * Percentages of each {@link BehaviourKind} in a swarm, parsed from {@code idle=10,walk=60,commute=20,crowd=10}
 * (percentages must add up to 100), and the reproducible assignment of kinds to bot indices for a seed.
 * <p>
 * Threading: immutable once parsed; used at setup only.
 */
public final class BehaviourMix
{
    public static final String DEFAULT_MIX = "idle=10,walk=50,commute=20,crowd=15,inventory=5";

    private final int[] percent = new int[BehaviourKind.values().length];

    private BehaviourMix()
    {
    }

    /**
     * @param mix e.g. {@code walk=60,idle=40}; kinds not named get 0 %.
     * @return the parsed mix.
     * @throws IllegalArgumentException when malformed or not adding up to 100.
     */
    public static BehaviourMix parse(final String mix)
    {
        final BehaviourMix result = new BehaviourMix();
        int total = 0;
        for (final String part : mix.split(","))
        {
            final String trimmed = part.trim();
            if (trimmed.isEmpty())
            {
                continue;
            }
            final int equals = trimmed.indexOf('=');
            if (equals <= 0)
            {
                throw new IllegalArgumentException("expected kind=percent, got: " + trimmed);
            }
            final BehaviourKind kind = BehaviourKind.byMixName(trimmed.substring(0, equals).trim());
            if (null == kind)
            {
                throw new IllegalArgumentException("unknown behaviour: " + trimmed.substring(0, equals) +
                    " (known: idle, walk, commute, crowd, inventory, rally)");
            }
            final int value;
            try
            {
                value = Integer.parseInt(trimmed.substring(equals + 1).trim());
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException("bad percentage in: " + trimmed, ex);
            }
            if (value < 0)
            {
                throw new IllegalArgumentException("negative percentage in: " + trimmed);
            }
            result.percent[kind.ordinal()] += value;
            total += value;
        }
        if (100 != total)
        {
            throw new IllegalArgumentException("percentages must add up to 100, got " + total + " in: " + mix);
        }
        return result;
    }

    public int percent(final BehaviourKind kind)
    {
        return percent[kind.ordinal()];
    }

    /**
     * Assign kinds to bots: counts by largest remainder, then a seeded Fisher-Yates shuffle, so the same seed and
     * bot count always give the same assignment.
     *
     * @param bots number of bots.
     * @param seed random seed of the swarm.
     * @return kind of each bot index.
     */
    public BehaviourKind[] assign(final int bots, final long seed)
    {
        final BehaviourKind[] kinds = BehaviourKind.values();
        final int[] counts = new int[kinds.length];
        final long[] remainders = new long[kinds.length];
        int assigned = 0;
        for (int k = 0; k < kinds.length; k++)
        {
            final long scaled = (long)bots * percent[k];
            counts[k] = (int)(scaled / 100);
            remainders[k] = scaled % 100;
            assigned += counts[k];
        }
        while (assigned < bots)
        {
            int best = 0;
            for (int k = 1; k < kinds.length; k++)
            {
                if (remainders[k] > remainders[best])
                {
                    best = k;
                }
            }
            counts[best]++;
            remainders[best] = -1;
            assigned++;
        }

        final BehaviourKind[] result = new BehaviourKind[bots];
        int index = 0;
        for (int k = 0; k < kinds.length; k++)
        {
            Arrays.fill(result, index, index + counts[k], kinds[k]);
            index += counts[k];
        }
        long state = seed;
        for (int i = bots - 1; i > 0; i--)
        {
            state += Bot.GOLDEN_GAMMA;
            final int j = (int)((Bot.mix(state) >>> 1) % (i + 1));
            final BehaviourKind swap = result[i];
            result[i] = result[j];
            result[j] = swap;
        }
        return result;
    }

    @Override
    public String toString()
    {
        final StringBuilder builder = new StringBuilder();
        for (final BehaviourKind kind : BehaviourKind.values())
        {
            if (builder.length() > 0)
            {
                builder.append(',');
            }
            builder.append(kind.mixName()).append('=').append(percent[kind.ordinal()]);
        }
        return builder.toString();
    }
}
