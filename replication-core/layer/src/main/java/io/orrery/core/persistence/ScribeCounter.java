/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.persistence;

import io.aeron.Aeron;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

import java.nio.ByteBuffer;

/**
 * Scribe's counters. Allocated in the media driver's counters file when Scribe is given an Aeron client (readable
 * from outside the process with {@code AeronStat}, type id {@link #COUNTER_TYPE_ID}, label prefixed
 * {@code "orrery scribe: "}), else in a {@link CountersManager} given to it or private to it.
 * <p>
 * Each counter has one writer: {@link #RING_FULL} and {@link #OPERATIONS_BACK_PRESSURED} the producer thread, every
 * other one the consumer thread.
 */
public enum ScribeCounter
{
    EVENTS(0, "events consumed"),
    BATCHES_WRITTEN(1, "world batches written"),
    ENTRIES_WRITTEN(2, "world batch entries written"),
    COALESCED(3, "world changes coalesced away"),
    UPSERTS_SUPERSEDED_BY_STOW(4, "pending node upserts dropped: entity stowed later in the ring"),
    STORE_FAILURES(5, "store failures"),
    RETRIES(6, "store retries"),
    RING_FULL(7, "offers refused: ring full"),
    OPERATIONS_BACK_PRESSURED(8, "operation offers refused: too many operations pending"),
    OPERATIONS_APPLIED(9, "operations applied (ok or duplicate)"),
    OPERATIONS_REJECTED(10, "operations refused by the store's rules"),
    BACKLOG(11, "ring backlog: events offered, not yet consumed"),
    LAST_FLUSH_LATENCY_NS(12, "last world batch write latency ns"),
    LOST_AT_CLOSE(13, "world changes not written when close timed out"),
    REGIONS_LOADED(14, "regions loaded (stream-in)"),
    NODES_LOADED(15, "nodes loaded by region loads"),
    LOAD_RING_FULL(16, "region load waits: load ring full"),
    OPERATION_CONFLICTS(17, "operations refused: the player's operation id is recorded for another operation"),
    GROUP_COMMITS(18, "group commits: consecutive operations (and world changes they depend on) in one transaction"),
    GROUP_FALLBACKS(19, "group commits rolled back and run again one transaction each"),
    GROUP_OF_ONE_AUTOCOMMITS(20, "operations committed alone in one round trip: none behind them to group with");

    /**
     * Aeron counter type id of every Scribe counter.
     */
    public static final int COUNTER_TYPE_ID = 7302;

    private static final ScribeCounter[] VALUES = values();

    private final int id;
    private final String label;

    ScribeCounter(final int id, final String label)
    {
        this.id = id;
        this.label = label;
    }

    public int id()
    {
        return id;
    }

    public String label()
    {
        return label;
    }

    /**
     * Allocate all counters through the Aeron client, indexed by {@link #id()}.
     *
     * @param aeron client to allocate with.
     * @param name  included in each label so several Scribes on one driver can be told apart.
     * @return counters indexed by id; the caller closes them.
     */
    public static AtomicCounter[] allocate(final Aeron aeron, final String name)
    {
        final AtomicCounter[] counters = new AtomicCounter[VALUES.length];
        for (final ScribeCounter descriptor : VALUES)
        {
            counters[descriptor.id] = aeron.addCounter(COUNTER_TYPE_ID, label(descriptor, name));
        }
        return counters;
    }

    /**
     * Allocate all counters in a counters manager, indexed by {@link #id()}.
     *
     * @param countersManager to allocate in.
     * @param name            included in each label.
     * @return counters indexed by id; the caller closes them.
     */
    public static AtomicCounter[] allocate(final CountersManager countersManager, final String name)
    {
        final AtomicCounter[] counters = new AtomicCounter[VALUES.length];
        for (final ScribeCounter descriptor : VALUES)
        {
            counters[descriptor.id] = countersManager.newCounter(label(descriptor, name), COUNTER_TYPE_ID);
        }
        return counters;
    }

    /**
     * Allocate all counters where Scribe's context says: through the Aeron client when there is one, else in the
     * counters manager when there is one, else in a counters manager private to the caller (left readable after
     * close, reclaimed with it).
     *
     * @return counters indexed by id; the caller closes them unless they are private.
     */
    static AtomicCounter[] allocate(final Aeron aeron, final CountersManager countersManager, final String name)
    {
        if (null != aeron)
        {
            return allocate(aeron, name);
        }
        if (null != countersManager)
        {
            return allocate(countersManager, name);
        }
        final int count = VALUES.length;
        return allocate(new CountersManager(
            new UnsafeBuffer(ByteBuffer.allocateDirect(count * CountersReader.METADATA_LENGTH)),
            new UnsafeBuffer(ByteBuffer.allocateDirect(count * CountersReader.COUNTER_LENGTH))), name);
    }

    /**
     * @return the number of counters.
     */
    public static int count()
    {
        return VALUES.length;
    }

    private static String label(final ScribeCounter descriptor, final String name)
    {
        return "orrery scribe: " + descriptor.label + " scribe=" + name;
    }
}
