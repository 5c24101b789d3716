/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.perf.scenario;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

import io.orrery.core.status.OrreryCounter;
import org.agrona.concurrent.status.CountersReader;

/**
 * Every {@link OrreryCounter} found in a media driver's counters (type id {@link OrreryCounter#COUNTER_TYPE_ID},
 * label {@code "orrery: <label> shard=<name>"}), per shard name, read in one pass. Works over the counters of this
 * process's driver or, through a {@link CountersReader} over another process's CnC file, of any shard.
 * <p>
 * Threading: {@link #read(CountersReader)} on the sampling thread; a returned snapshot is immutable.
 */
public final class ShardCounters
{
    private static final String LABEL_PREFIX = "orrery: ";
    private static final String SHARD_MARKER = " shard=";
    private static final String REPLICANT_MARKER = " replicant=";
    private static final Map<String, OrreryCounter> BY_LABEL = new HashMap<>();
    private static final int COUNT = OrreryCounter.values().length;

    static
    {
        for (final OrreryCounter counter : OrreryCounter.values())
        {
            BY_LABEL.put(counter.label(), counter);
        }
    }

    private final Map<String, long[]> byShard;
    private final long[] totals = new long[COUNT];

    private ShardCounters(final Map<String, long[]> byShard)
    {
        this.byShard = byShard;
        for (final long[] values : byShard.values())
        {
            for (int i = 0; i < COUNT; i++)
            {
                totals[i] += values[i];
            }
        }
    }

    /**
     * No counters (before a shard starts).
     *
     * @return an empty snapshot.
     */
    public static ShardCounters empty()
    {
        return new ShardCounters(new TreeMap<>());
    }

    /**
     * Read every Orrery counter now.
     *
     * @param reader over the driver's counters.
     * @return the values per shard name.
     */
    public static ShardCounters read(final CountersReader reader)
    {
        final Map<String, long[]> byShard = new TreeMap<>();
        reader.forEach((counterId, typeId, keyBuffer, label) ->
        {
            if (OrreryCounter.COUNTER_TYPE_ID != typeId || !label.startsWith(LABEL_PREFIX))
            {
                return;
            }
            final int marker = label.lastIndexOf(SHARD_MARKER);
            final String name = marker < 0 ? label.substring(LABEL_PREFIX.length()) :
                label.substring(LABEL_PREFIX.length(), marker);
            final OrreryCounter counter = BY_LABEL.get(name);
            if (null != counter)
            {
                final String shard = marker < 0 ? "" : label.substring(marker + SHARD_MARKER.length());
                if (shard.contains(REPLICANT_MARKER))
                {
                    return; // a Replicant bridge's own counter: the shard's counter already holds the sum
                }
                byShard.computeIfAbsent(shard, (s) -> new long[COUNT])[counter.id()] +=
                    reader.getCounterValue(counterId);
            }
        });
        return new ShardCounters(byShard);
    }

    /**
     * Shard names seen, sorted.
     *
     * @return shard names.
     */
    public Iterable<String> shards()
    {
        return byShard.keySet();
    }

    /**
     * One counter of one shard.
     *
     * @param shard   shard name.
     * @param counter which counter.
     * @return its value, 0 if absent.
     */
    public long value(final String shard, final OrreryCounter counter)
    {
        final long[] values = byShard.get(shard);
        return null == values ? 0 : values[counter.id()];
    }

    /**
     * One counter summed over every shard (for {@link OrreryCounter#MAX_DUTY_CYCLE_NS} the sum of maxima).
     *
     * @param counter which counter.
     * @return its total.
     */
    public long total(final OrreryCounter counter)
    {
        return totals[counter.id()];
    }

    /**
     * Whether any Orrery counter was found.
     *
     * @return true when at least one shard's counters were read.
     */
    public boolean isEmpty()
    {
        return byShard.isEmpty();
    }
}
