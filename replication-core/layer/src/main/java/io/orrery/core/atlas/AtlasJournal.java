/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A bounded journal of the most recent messages of an Atlas cluster link, by sequence number (1, 2, 3, ...): the
 * decisions of an {@link AtlasClusteredService} (replicated state: every member journals the same decisions) and the
 * commands of an {@link AtlasClusterLink}, so that what a peer did not get (lost in a leader election) is sent again
 * from where the peer says it stopped.
 * <p>
 * Fixed slots: entry {@code s} lives in slot {@code s & (capacity - 1)}, so the journal holds the last
 * {@link #capacity()} entries; older ones are overwritten ({@link #contains(long)} tells).
 * <p>
 * Threading: one thread. Zero allocation after construction.
 */
public final class AtlasJournal
{
    private final int slotLength;
    private final int mask;
    private final UnsafeBuffer slots;
    private final int[] lengths;
    private long lastSequence;
    private long oldestSequence = 1;

    /**
     * @param capacity   entries held (rounded up to a power of two).
     * @param maxLength  longest message, bytes.
     */
    public AtlasJournal(final int capacity, final int maxLength)
    {
        final int entries = BitUtil.findNextPositivePowerOfTwo(capacity);
        slotLength = BitUtil.align(maxLength, 8);
        mask = entries - 1;
        slots = new UnsafeBuffer(new byte[entries * slotLength]);
        lengths = new int[entries];
    }

    /**
     * Appends the next entry.
     *
     * @return its sequence number.
     * @throws IllegalArgumentException if it is longer than the journal's maximum length.
     */
    public long append(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length > slotLength)
        {
            throw new IllegalArgumentException("journal entry too long: " + length + " > " + slotLength);
        }
        final long sequence = ++lastSequence;
        if (sequence - oldestSequence > mask)
        {
            oldestSequence = sequence - mask;
        }
        final int slot = (int)(sequence & mask);
        slots.putBytes(slot * slotLength, buffer, offset, length);
        lengths[slot] = length;
        return sequence;
    }

    /**
     * @return the last sequence appended, 0 if none.
     */
    public long lastSequence()
    {
        return lastSequence;
    }

    /**
     * Sets the sequence the next append follows (a journal restored from a snapshot); empties the journal.
     */
    public void reset(final long lastSequence)
    {
        this.lastSequence = lastSequence;
        oldestSequence = lastSequence + 1;
    }

    /**
     * @return the oldest sequence still held, or {@link #lastSequence()} + 1 when empty.
     */
    public long oldestSequence()
    {
        return oldestSequence;
    }

    /**
     * @return whether entry {@code sequence} is still held.
     */
    public boolean contains(final long sequence)
    {
        return sequence >= oldestSequence() && sequence <= lastSequence;
    }

    /**
     * @return whether a peer that has everything up to {@code sequence} can be brought up to date from this journal.
     */
    public boolean canReplayAfter(final long sequence)
    {
        return sequence >= oldestSequence() - 1 && sequence <= lastSequence;
    }

    /**
     * @return the buffer holding entry {@code sequence} at {@link #offset(long)} (check {@link #contains} first).
     */
    public MutableDirectBuffer buffer()
    {
        return slots;
    }

    public int offset(final long sequence)
    {
        return (int)(sequence & mask) * slotLength;
    }

    public int length(final long sequence)
    {
        return lengths[(int)(sequence & mask)];
    }

    /**
     * @return entries held at most.
     */
    public int capacity()
    {
        return mask + 1;
    }
}
