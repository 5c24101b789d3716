/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

final class ReplicantFeedTest
{
    private static final long MM = 1000;

    private final EntityStore primary = new EntityStore(256, 32);
    private final EntityStore secondary = new EntityStore(256, 32);

    static OneToOneRingBuffer ring(final int capacity)
    {
        return new OneToOneRingBuffer(new UnsafeBuffer(
            ByteBuffer.allocateDirect(capacity + RingBufferDescriptor.TRAILER_LENGTH)));
    }

    @Test
    void shouldApplyEveryPassToTheSecondarysStore()
    {
        final OneToOneRingBuffer ring = ring(64 * 1024);
        final ReplicantFeedProxy proxy = new ReplicantFeedProxy(primary, new OneToOneRingBuffer[]{ ring });
        final ReplicantFeedAdapter adapter = new ReplicantFeedAdapter(secondary, ring);
        final ReplicantOwnership ownership = new ReplicantOwnership(new double[]{ 0 }, 1);

        final int zone = primary.create(10, 3, 0, 0, true);
        primary.position(zone, -5 * MM, 0, 0);
        final int child = primary.create(11, 4, 77, 10, false);
        primary.position(child, 1, 2, 3);
        final UnsafeBuffer state = new UnsafeBuffer(new byte[]{ 1, 2, 3, 4, 5, 6, 7, 8, 9 });
        primary.componentState(child, state, 0, 9);
        for (int i = 0; i < 20; i++)
        {
            final int slot = primary.create(100 + i, 1, 0, 0, false);
            primary.position(slot, (i - 10) * 10 * MM, i, 0);
            primary.radius(slot, i);
        }
        ownership.assign(primary);
        proxy.feed(1);
        assertTrue(adapter.poll());
        assertEquals(1, adapter.passSeq());
        assertSameStores();

        // a change, a handoff, a removal, a re-creation of an id, a reparenting
        primary.velocity(primary.slotOf(100), 1, 2, 3);
        primary.position(primary.slotOf(101), 50 * MM, 0, 0);
        assertTrue(primary.remove(102));
        final long oldIncarnation = secondary.createdSeq(secondary.slotOf(103));
        assertTrue(primary.remove(103));
        primary.position(primary.create(103, 9, 0, 10, false), 7, 7, 7);
        assertEquals(EntityStore.OK, primary.parentZone(primary.slotOf(104), 10));
        assertEquals(1, ownership.assign(primary));
        final long stateChangesBefore = secondary.lastChangeSeq(secondary.slotOf(11));
        proxy.feed(2);
        assertTrue(adapter.poll());
        assertSameStores();
        assertNotEquals(oldIncarnation, secondary.createdSeq(secondary.slotOf(103)), "a new incarnation");
        assertEquals(stateChangesBefore, secondary.lastChangeSeq(secondary.slotOf(11)), "an unchanged entity");
        assertEquals(1, secondary.ownerReplicant(secondary.slotOf(101)));
        assertEquals(primary.ownerEpoch(primary.slotOf(101)), secondary.ownerEpoch(secondary.slotOf(101)));

        assertEquals(0, adapter.errors());
        assertEquals(0, proxy.backPressured());
        assertFalse(adapter.poll(), "nothing more");
    }

    @Test
    void shouldResyncASecondaryThatMissedPartOfThePassWithoutBlockingThePrimary()
    {
        final OneToOneRingBuffer ring = ring(8 * 1024);
        final ReplicantFeedProxy proxy = new ReplicantFeedProxy(primary, new OneToOneRingBuffer[]{ ring });
        final ReplicantFeedAdapter adapter = new ReplicantFeedAdapter(secondary, ring);
        for (int i = 0; i < 40; i++)
        {
            primary.position(primary.create(100 + i, 1, 0, 0, false), i * MM, 0, 0);
        }
        proxy.feed(1); // about 5 KB: fits
        assertEquals(0, proxy.backPressured());
        for (int i = 0; i < 40; i++)
        {
            primary.position(primary.slotOf(100 + i), i * MM, 5, 0);
        }
        proxy.feed(2); // the secondary has not read pass 1: pass 2 does not fit
        assertTrue(proxy.backPressured() > 0);

        assertTrue(adapter.poll(), "pass 1");
        assertFalse(adapter.poll(), "part of pass 2, no end");
        assertTrue(primary.remove(105));
        primary.position(primary.create(200, 1, 0, 0, false), 1, 1, 1);
        proxy.feed(3);
        assertEquals(1, proxy.resyncs());
        assertTrue(adapter.poll());
        assertEquals(3, adapter.passSeq());
        assertEquals(1, adapter.resyncs());
        assertSameStores();

        primary.position(primary.slotOf(100), 9, 9, 9);
        proxy.feed(4);
        assertTrue(adapter.poll());
        assertSameStores();
        assertEquals(1, proxy.resyncs());
    }

    @Test
    void shouldFeedRemovalsFromTheStoresJournalAndScanOnlyWhenItWrapped()
    {
        final OneToOneRingBuffer ring = ring(256 * 1024);
        final ReplicantFeedProxy proxy = new ReplicantFeedProxy(primary, new OneToOneRingBuffer[]{ ring });
        final ReplicantFeedAdapter adapter = new ReplicantFeedAdapter(secondary, ring);
        for (int i = 0; i < 200; i++)
        {
            primary.position(primary.create(100 + i, 1, 0, 0, false), i * MM, 0, 0);
        }
        proxy.feed(1);
        assertTrue(adapter.poll());
        assertSameStores();

        // removals, a slot re-used by another id and removed again, an id re-created: all within one pass
        long nextId = 1_000;
        assertTrue(primary.remove(100));
        assertTrue(primary.remove(101));
        final int reused = primary.create(nextId++, 2, 0, 0, false);
        assertTrue(primary.remove(primary.entityId(reused)));
        assertTrue(primary.remove(102));
        primary.position(primary.create(102, 3, 0, 0, false), 5, 5, 5);
        proxy.feed(2);
        assertTrue(adapter.poll());
        assertSameStores();
        assertEquals(0, proxy.removalScans());
        assertEquals(0, primary.changedSlotCount(), "the feed visited and cleared the changed slots");
        primary.velocity(primary.slotOf(150), 1, 1, 1);
        primary.velocity(primary.slotOf(150), 2, 2, 2);
        assertEquals(1, primary.changedSlotCount(), "listed once");

        // more removals in one pass than the journal holds (256): every slot is compared
        for (int i = 0; i < 300; i++)
        {
            final long id = primary.entityId(primary.activeSlot(i % primary.activeCount()));
            assertTrue(primary.remove(id));
            primary.position(primary.create(nextId++, 1, 0, 0, false), i, 0, 0);
        }
        proxy.feed(3);
        assertTrue(adapter.poll());
        assertSameStores();
        assertEquals(1, proxy.removalScans());

        assertTrue(primary.remove(nextId - 1));
        proxy.feed(4);
        assertTrue(adapter.poll());
        assertSameStores();
        assertEquals(1, proxy.removalScans(), "back to the journal");
        assertEquals(0, adapter.errors());
        assertEquals(0, proxy.backPressured());
    }

    private void assertSameStores()
    {
        assertEquals(primary.size(), secondary.size());
        for (int i = 0; i < primary.activeCount(); i++)
        {
            final int p = primary.activeSlot(i);
            final long id = primary.entityId(p);
            final int s = secondary.slotOf(id);
            assertTrue(s >= 0, "entity " + id);
            assertEquals(primary.archetypeId(p), secondary.archetypeId(s));
            assertEquals(primary.ownerPlayerId(p), secondary.ownerPlayerId(s));
            assertEquals(primary.parentZoneId(p), secondary.parentZoneId(s));
            assertEquals(primary.isZone(p), secondary.isZone(s));
            assertEquals(primary.positionX(p), secondary.positionX(s));
            assertEquals(primary.positionY(p), secondary.positionY(s));
            assertEquals(primary.positionZ(p), secondary.positionZ(s));
            assertEquals(primary.velocityY(p), secondary.velocityY(s));
            assertEquals(primary.radius(p), secondary.radius(s));
            assertEquals(primary.ownerReplicant(p), secondary.ownerReplicant(s));
            assertEquals(primary.ownerEpoch(p), secondary.ownerEpoch(s));
            assertEquals(primary.componentStateLength(p), secondary.componentStateLength(s));
            for (int b = 0; b < primary.componentStateLength(p); b++)
            {
                assertEquals(primary.componentStateBuffer().getByte(primary.componentStateOffset(p) + b),
                    secondary.componentStateBuffer().getByte(secondary.componentStateOffset(s) + b));
            }
        }
    }
}
