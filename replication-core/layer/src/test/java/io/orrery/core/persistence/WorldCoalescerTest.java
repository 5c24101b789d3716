/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.persistence;

import org.junit.jupiter.api.Test;

import static io.orrery.core.persistence.WorldCoalescer.ADDED;
import static io.orrery.core.persistence.WorldCoalescer.COALESCED;
import static io.orrery.core.persistence.WorldCoalescer.FLUSH_FIRST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorldCoalescerTest
{
    private final NodeRecord node = new NodeRecord();

    private NodeRecord node(final long entityId, final long x)
    {
        node.reset();
        node.entityId = entityId;
        node.x = x;
        return node;
    }

    private static long upsertX(final WorldCoalescer coalescer, final long entityId)
    {
        final WorldBatch batch = coalescer.batch();
        for (int i = 0; i < batch.nodeUpsertCount(); i++)
        {
            if (batch.nodeUpsert(i).entityId == entityId)
            {
                return batch.nodeUpsert(i).x;
            }
        }
        return Long.MIN_VALUE;
    }

    @Test
    void shouldTellWhetherAPendingChangeInvolvesANodeAnOperationMoves()
    {
        final WorldCoalescer coalescer = new WorldCoalescer(8);
        assertEquals(ADDED, coalescer.upsert(node(1, 10)));
        node(2, 20).parentZoneId = 5;
        assertEquals(ADDED, coalescer.upsert(node));
        assertEquals(ADDED, coalescer.edge(3, 4, EdgeKind.CONTAINS, false));

        assertTrue(coalescer.touches(1), "its own upsert");
        assertTrue(coalescer.touches(5), "a node in it as a zone");
        assertTrue(coalescer.touches(3), "an edge from it");
        assertTrue(coalescer.touches(4), "an edge to it");
        assertFalse(coalescer.touches(6), "nothing pending involves it");

        coalescer.clear();
        assertEquals(ADDED, coalescer.removal(6));
        assertTrue(coalescer.touches(6), "its removal");
        assertFalse(coalescer.touches(1), "cleared");
    }

    @Test
    void shouldKeepIndexOfMovedUpsertWhenAnUpsertIsCancelled()
    {
        final WorldCoalescer coalescer = new WorldCoalescer(8);
        assertEquals(ADDED, coalescer.upsert(node(1, 10)));
        assertEquals(ADDED, coalescer.upsert(node(2, 20)));
        assertEquals(ADDED, coalescer.upsert(node(3, 30)));
        assertEquals(COALESCED, coalescer.removal(1));
        assertTrue(coalescer.dropUpsert(2));
        assertFalse(coalescer.dropUpsert(2));
        assertEquals(COALESCED, coalescer.upsert(node(3, 31)));

        final WorldBatch batch = coalescer.batch();
        assertEquals(1, batch.nodeUpsertCount());
        assertEquals(31, upsertX(coalescer, 3));
        assertEquals(1, batch.nodeRemovalCount());
        assertEquals(1, batch.nodeRemoval(0));
        assertEquals(COALESCED, coalescer.removal(1), "a second removal of the same node adds nothing");
        assertEquals(FLUSH_FIRST, coalescer.upsert(node(1, 11)), "upsert after a pending removal");
    }

    @Test
    void shouldNeverHoldEdgesAndNodeRemovalsTogether()
    {
        final WorldCoalescer coalescer = new WorldCoalescer(8);
        assertEquals(ADDED, coalescer.edge(1, 2, EdgeKind.CONTAINS, false));
        assertEquals(COALESCED, coalescer.edge(1, 2, EdgeKind.CONTAINS, true));
        assertTrue(coalescer.batch().isEdgeRemoved(0));
        assertEquals(ADDED, coalescer.edge(1, 2, EdgeKind.ATTACHED_TO, false));
        assertEquals(FLUSH_FIRST, coalescer.removal(2));

        coalescer.clear();
        assertEquals(ADDED, coalescer.removal(2));
        assertEquals(FLUSH_FIRST, coalescer.edge(1, 3, EdgeKind.CONTAINS, false));
    }

    @Test
    void shouldAskForFlushWhenBatchIsFull()
    {
        final WorldCoalescer coalescer = new WorldCoalescer(2);
        assertEquals(ADDED, coalescer.upsert(node(1, 1)));
        assertEquals(ADDED, coalescer.upsert(node(2, 1)));
        assertEquals(COALESCED, coalescer.upsert(node(2, 2)));
        assertEquals(FLUSH_FIRST, coalescer.upsert(node(3, 1)));
        assertEquals(ADDED, coalescer.edge(1, 2, EdgeKind.CONTAINS, false));
        assertEquals(ADDED, coalescer.edge(1, 3, EdgeKind.CONTAINS, false));
        assertEquals(FLUSH_FIRST, coalescer.edge(1, 4, EdgeKind.CONTAINS, false));
    }

    @Test
    void shouldForgetEverythingWhenClearedSmallOrLarge()
    {
        final WorldCoalescer coalescer = new WorldCoalescer(1024);
        for (final int size : new int[]{ 3, 1024, 5 })
        {
            for (int i = 0; i < size; i++)
            {
                assertEquals(ADDED, coalescer.upsert(node(i, i)));
            }
            assertEquals(ADDED, coalescer.edge(1, 2, EdgeKind.CONTAINS, false));
            coalescer.clear();
            assertTrue(coalescer.isEmpty());
            for (int i = 0; i < size; i++)
            {
                assertFalse(coalescer.hasPendingChange(i));
            }
            assertEquals(ADDED, coalescer.removal(7));
            coalescer.clear();
            assertFalse(coalescer.hasPendingChange(7));
            assertEquals(ADDED, coalescer.edge(1, 2, EdgeKind.CONTAINS, false), "edge index forgotten too");
            coalescer.clear();
        }
    }
}
