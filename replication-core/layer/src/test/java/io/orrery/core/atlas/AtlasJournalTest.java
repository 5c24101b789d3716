/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link AtlasJournal}: numbered from 1, holds the last {@code capacity} entries, tells what it can replay.
 */
class AtlasJournalTest
{
    @Test
    void shouldHoldTheLastEntriesAndTellWhatItCanReplay()
    {
        final AtlasJournal journal = new AtlasJournal(4, 16);
        final UnsafeBuffer entry = new UnsafeBuffer(new byte[16]);
        assertTrue(journal.canReplayAfter(0));
        for (int i = 1; i <= 6; i++)
        {
            entry.putInt(0, i * 10);
            assertEquals(i, journal.append(entry, 0, 4 + i % 3));
        }
        assertEquals(6, journal.lastSequence());
        assertEquals(3, journal.oldestSequence());
        assertFalse(journal.contains(2));
        assertTrue(journal.contains(3) && journal.contains(6));
        assertEquals(50, journal.buffer().getInt(journal.offset(5)));
        assertEquals(4 + 5 % 3, journal.length(5));
        assertTrue(journal.canReplayAfter(2) && journal.canReplayAfter(6));
        assertFalse(journal.canReplayAfter(1), "entry 2 is gone");
        assertFalse(journal.canReplayAfter(7), "ahead of the journal");

        journal.reset(100);
        assertEquals(101, journal.oldestSequence());
        assertTrue(journal.canReplayAfter(100));
        assertFalse(journal.contains(100));
        assertEquals(101, journal.append(entry, 0, 4));
        assertThrows(IllegalArgumentException.class, () -> journal.append(entry, 0, 17));
    }
}
