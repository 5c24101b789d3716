/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.client;

import io.orrery.test.AllocationMeter;
import io.orrery.wire.codec.DespawnReason;
import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.orrery.core.client.ClientResponseAdapterTest.IMAGE_SESSION_ID;
import static io.orrery.core.client.ReplicantFrames.ENTITY_ID;
import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Frames of several Replicants that break the rules, frames of version 1 senders, and the allocation of a two
 * Replicant stream: bad input is counted and never changes what the view holds wrongly or crashes the client.
 */
class ReplicantHostileFramesTest
{
    private static final short LEFT = DespawnReason.leftBubble.value();
    private static final short HANDED_OFF = DespawnReason.handedOff.value();
    private static final long OWNER_HANDOFF_TIMEOUT_NS = ClientLink.Settings.OWNER_HANDOFF_TIMEOUT_DEFAULT_NS;
    private static final long LOST_ID = ENTITY_ID + 1;

    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(256);
    private final ReplicantFrames frames = new ReplicantFrames();
    private final ClientResponseAdapterTest.FakeLink link = new ClientResponseAdapterTest.FakeLink();
    private final ClientResponseAdapter adapter = new ClientResponseAdapter(link);
    private ClientSession session;
    private int spawns;
    private int updates;
    private int despawns;

    @BeforeEach
    void bindSession()
    {
        session = new ClientSession(null, 1, new byte[0], new ClientListener()
        {
            @Override
            public void onSpawn(final ClientSession session, final ClientEntityView view, final int slot)
            {
                spawns++;
            }

            @Override
            public void onUpdate(
                final ClientSession session, final ClientEntityView view, final int slot, final int mask)
            {
                updates++;
            }

            @Override
            public void onDespawn(final ClientSession session, final long entityId, final int reason)
            {
                despawns++;
            }
        }, 16, 2);
        link.session = session;
        adapter.nowNs(1_000);
    }

    @Test
    void shouldCountAndDropFramesOfReplicantBeyondMaximum()
    {
        feed(frames.spawn(buffer, 2, 1, 0, 1_000, 0));
        feed(frames.update(buffer, 255, 0, 10, 1));
        feed(frames.despawn(buffer, 7, LEFT));

        assertEquals(3, session.unknownReplicantMessages());
        assertEquals(0, session.view().size());
        assertEquals(0, spawns + updates + despawns);
    }

    @Test
    void shouldNotApplyEntriesOfReplicantNamingAnotherReplicantsHandle()
    {
        feed(frames.spawn(buffer, 0, 1, 3, 1_000, 0));
        feed(frames.update(buffer, 1, 3, 10, 1));
        feed(frames.despawn(buffer, 1, LEFT));

        final int slot = session.view().slotOf(ENTITY_ID);
        assertEquals(1_000, session.view().positionX(slot));
        assertEquals(1, session.updatesForUnknownEntities());
        assertEquals(1, session.despawnsForUnknownEntities());
        assertEquals(0, updates + despawns);
    }

    @Test
    void shouldCountEqualOwnerEpochsOfTwoReplicantsAndKeepTheFirstOwner()
    {
        feed(frames.spawn(buffer, 0, 6, 0, 1_000, 0));
        feed(frames.spawn(buffer, 1, 6, 0, 9_000, 0));
        feed(frames.update(buffer, 1, 0, 10, 1));

        final int slot = session.view().slotOf(ENTITY_ID);
        assertEquals(1, session.ownerEpochConflicts());
        assertEquals(0, session.view().ownerReplicant(slot));
        assertEquals(1_000, session.view().positionX(slot));
        assertEquals(9_100, session.view().replicant(1).baseX(0), "the conflicting stream still decodes");
        assertEquals(1, session.nonOwnerEntries());
        assertEquals(1, spawns);
        assertEquals(0, updates);
    }

    @Test
    void shouldRemoveEntityWhenOwnerDespawnsEvenWhileOtherReplicantHoldsIt()
    {
        feed(frames.spawn(buffer, 0, 1, 0, 1_000, 0));
        feed(frames.spawn(buffer, 1, 2, 0, 1_100, 0));
        feed(frames.despawn(buffer, 1, LEFT));
        feed(frames.update(buffer, 0, 0, 10, 1));
        feed(frames.despawn(buffer, 0, HANDED_OFF));

        assertFalse(session.view().contains(ENTITY_ID));
        assertEquals(1, despawns);
        assertEquals(1, session.updatesForUnknownEntities(), "the late entry of the losing side");
        assertEquals(1, session.despawnsForUnknownEntities(), "and its despawn");
    }

    @Test
    void shouldReplaceHeldEntityOnOwnersResyncAsWithOneReplicant()
    {
        feed(frames.spawn(buffer, 0, 0, 0, 1_000, 0));
        feed(frames.spawn(buffer, 0, 0, 1, 2_000, 0));
        feed(frames.update(buffer, 0, 1, 10, 1));

        final int slot = session.view().slotOf(ENTITY_ID);
        assertEquals(2, spawns);
        assertEquals(1, session.spawnsReplacingHeld());
        assertEquals(2_100, session.view().positionX(slot));
        assertEquals(1, session.view().handle(slot));
        assertEquals(0, session.ownerChanges());
    }

    @Test
    void shouldReadVersion1FramesAsReplicantZero()
    {
        feedAsVersion1(frames.spawn(buffer, 1, 5, 3, 1_000, 0), 104);
        feedAsVersion1(frames.update(buffer, 1, 3, 10, 1), 4);

        final int slot = session.view().slotOf(ENTITY_ID);
        assertEquals(0, session.view().ownerReplicant(slot));
        assertEquals(0, session.view().ownerEpoch(slot));
        assertEquals(1_100, session.view().positionX(slot));
        assertEquals(slot, session.view().slotOfHandle(3));

        feedAsVersion1(frames.despawn(buffer, 1, LEFT), 17);
        assertFalse(session.view().contains(ENTITY_ID));
        assertEquals(0, adapter.malformedMessages());
    }

    @Test
    void shouldAllocateNothingComposingTwoReplicantsOrExpiringHandoffsInSteadyState()
    {
        assertTrue(AllocationMeter.isSupported());
        // a steady-state allocation would show in every round; the JIT may allocate a few bytes once (a
        // deoptimisation rematerialising a scalar-replaced object), so a clean round after warm-up is the proof
        long allocated = -1;
        int rounds = 0;
        while (0 != allocated && rounds < 10)
        {
            final long before = AllocationMeter.threadAllocatedBytes();
            handoffCycles(rounds * 20_000, 20_000);
            allocated = AllocationMeter.threadAllocatedBytes() - before;
            rounds++;
            System.out.printf("round %d: %d bytes allocated%n", rounds, allocated);
        }

        assertEquals(0, allocated, "bytes allocated composing 20,000 handoff cycles, after warm-up rounds");
        assertEquals(rounds * 20_000L, session.ownerChanges(), "B takes the entity over once a cycle");
        assertEquals(rounds * 10_000L, session.ownerHandoffsExpired(), "every other cycle B never comes");
        assertEquals(0, session.ownerEpochConflicts() + session.updatesForUnknownEntities());
    }

    /**
     * Each cycle: A spawns, B takes over (higher epoch), A sends a late update and its handoff despawn, B updates
     * and removes the entity. Every other cycle then A hands a second entity off and B never spawns it: the owner
     * handoff timeout removes it (the link's clock advances by the timeout per cycle).
     */
    private void handoffCycles(final int first, final int count)
    {
        for (int cycle = first; cycle < first + count; cycle++)
        {
            final long epoch = 2L * cycle + 1;
            feed(frames.spawn(buffer, 0, epoch, 0, 1_000, 0));
            feed(frames.update(buffer, 0, 0, 10, 1));
            feed(frames.spawn(buffer, 1, epoch + 1, 5, 1_100, 1));
            feed(frames.update(buffer, 0, 0, 10, 1));
            feed(frames.despawn(buffer, 0, HANDED_OFF));
            feed(frames.update(buffer, 1, 5, 10, 1));
            feed(frames.despawn(buffer, 1, LEFT));
            if (0 == (cycle & 1))
            {
                final long nowNs = OWNER_HANDOFF_TIMEOUT_NS * (cycle + 1);
                adapter.nowNs(nowNs);
                frames.entityId(LOST_ID);
                feed(frames.spawn(buffer, 0, epoch, 1, 3_000, 0));
                feed(frames.despawn(buffer, 0, HANDED_OFF));
                frames.entityId(ENTITY_ID);
                session.expireOwnerHandoffs(nowNs + OWNER_HANDOFF_TIMEOUT_NS);
            }
        }
    }

    private void feed(final int length)
    {
        adapter.onMessage(buffer, 0, length, IMAGE_SESSION_ID);
    }

    /**
     * Rewrite the version 2 message in the buffer as a version 1 sender wrote it (block cut to its version 1
     * length) and feed it.
     */
    private void feedAsVersion1(final int length, final int version1BlockLength)
    {
        final int blockLength = buffer.getShort(0, LITTLE_ENDIAN) & 0xFFFF;
        final int cut = blockLength - version1BlockLength;
        final int tail = 8 + blockLength;
        buffer.putBytes(tail - cut, buffer, tail, length - tail);
        buffer.putShort(0, (short)version1BlockLength, LITTLE_ENDIAN);
        buffer.putShort(6, (short)1, LITTLE_ENDIAN);
        feed(length - cut);
    }
}
