/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.persistence;

/**
 * The operations of one group commit: consecutive operations of the ring run by {@link ScribeConsumer} in one
 * transaction of the store (with the world changes pending when the group began written before the first member that
 * depends on them, if one does), their outcomes held here until
 * the transaction commits. Each member keeps a copy of its ring event: the poller has moved past it, so if the group
 * is rolled back the members are run again from here, one transaction each, in ring order.
 * <p>
 * Pre-allocated, {@link #capacity()} members; reused from group to group. Threading: Scribe's consumer only.
 */
final class ScribeGroup
{
    /**
     * One operation of the group: its event, its ring sequence and, once run, its outcome.
     */
    static final class Member
    {
        final ScribeEvent event = new ScribeEvent();
        /** An applied unstow: the node as inserted ({@link #hasNode}). */
        final NodeRecord node = new NodeRecord();
        long sequence;
        long startNs;
        int status;
        int firstStatus;
        long value;
        boolean hasNode;
        /** An unstow replayed as a duplicate: its node is looked up after the commit (a read ends a transaction). */
        boolean lookUpNode;
    }

    private final Member[] members;
    private int size;
    private boolean open;
    private boolean withWorldBatch;
    private int retryIndex;
    private int retryCount;

    ScribeGroup(final int capacity)
    {
        members = new Member[capacity];
        for (int i = 0; i < capacity; i++)
        {
            members[i] = new Member();
        }
    }

    int capacity()
    {
        return members.length;
    }

    /**
     * @return whether a group transaction is open in the store.
     */
    boolean isOpen()
    {
        return open;
    }

    boolean isFull()
    {
        return size == members.length;
    }

    int size()
    {
        return size;
    }

    /**
     * @return whether the world changes pending when the group began were written in its transaction (the
     * coalescer is cleared only once it commits); false while no member depended on them.
     */
    boolean withWorldBatch()
    {
        return withWorldBatch;
    }

    void begin(final boolean withWorldBatch)
    {
        open = true;
        size = 0;
        this.withWorldBatch = withWorldBatch;
    }

    /**
     * The world changes pending when the group began were written in its transaction after its first members (an
     * operation that depends on them joined the group): the coalescer is cleared only once it commits.
     */
    void worldBatchWritten()
    {
        withWorldBatch = true;
    }

    /**
     * Take a member for {@code event}: the event is copied.
     */
    Member add(final ScribeEvent event, final long sequence)
    {
        final Member member = members[size++];
        member.event.copyFrom(event);
        member.sequence = sequence;
        member.hasNode = false;
        member.lookUpNode = false;
        return member;
    }

    Member member(final int index)
    {
        return members[index];
    }

    /**
     * The transaction ended (committed, or rolled back with the members moved to the retry list).
     */
    void close()
    {
        open = false;
        withWorldBatch = false;
    }

    /**
     * Move members {@code from} (inclusive) to {@code to} (exclusive) to the retry list: they run again one
     * transaction each, in ring order.
     */
    void toRetry(final int from, final int to)
    {
        retryIndex = from;
        retryCount = to;
        size = 0;
        close();
    }

    /**
     * @return the next member to run one by one after a rolled-back group, or null when none is left.
     */
    Member nextRetry()
    {
        return retryIndex < retryCount ? members[retryIndex] : null;
    }

    void retried()
    {
        retryIndex++;
        if (retryIndex == retryCount)
        {
            retryIndex = 0;
            retryCount = 0;
        }
    }

    /**
     * @return the ring sequence of the first operation not yet durable (open group or retry list), or
     * {@code Long.MAX_VALUE}.
     */
    long firstUndoneSequence()
    {
        if (retryIndex < retryCount)
        {
            return members[retryIndex].sequence;
        }
        return open && size > 0 ? members[0].sequence : Long.MAX_VALUE;
    }
}
