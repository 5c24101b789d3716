/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.client;

import io.orrery.wire.codec.DespawnReason;
import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A {@code ReplicantReset} for Replicant 1 (it restarted behind the layer's bridge): the client drops the entities
 * Replicant 1 owns and its handles, and nothing else: not Replicant 0's entities, not one Replicant 1 held without
 * owning, not one it handed off (still awaiting its next owner); the restarted Replicant's snapshot spawns an entity
 * again at the same owner epoch.
 */
class ReplicantResetTest
{
    private static final short HANDED_OFF = DespawnReason.handedOff.value();
    private static final long OWNED_BY_1 = 10;
    private static final long OWNED_BY_0 = 11;
    private static final long HELD_BY_1_OWNED_BY_0 = 12;
    private static final long HANDED_OFF_BY_1 = 13;

    private final List<String> events = new ArrayList<>();
    private final ClientResponseAdapterTest.FakeLink link = new ClientResponseAdapterTest.FakeLink();
    private final ClientResponseAdapter adapter = new ClientResponseAdapter(link);
    private final ClientSession session = new ClientSession(null, 1, new byte[0], new ClientListener()
    {
        @Override
        public void onSpawn(final ClientSession session, final ClientEntityView view, final int slot)
        {
            events.add("spawn " + view.entityId(slot));
        }

        @Override
        public void onDespawn(final ClientSession session, final long entityId, final int reason)
        {
            events.add("despawn " + entityId + " " + reason);
        }
    }, 16, 2);
    private final ReplicantFrames frames = new ReplicantFrames();
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(256);

    private void spawn(final long entityId, final int replicantId, final long ownerEpoch, final int handle)
    {
        send(frames.entityId(entityId).spawn(buffer, replicantId, ownerEpoch, handle, 1_000 * entityId, 1));
    }

    private void send(final int length)
    {
        adapter.onMessage(buffer, 0, length, ClientResponseAdapterTest.IMAGE_SESSION_ID);
    }

    @Test
    void shouldDropOnlyWhatTheResetReplicantOwns()
    {
        link.session = session;
        final ClientEntityView view = session.view();
        spawn(OWNED_BY_1, 1, 1, 3);
        spawn(OWNED_BY_0, 0, 1, 3);
        spawn(HELD_BY_1_OWNED_BY_0, 0, 2, 4);
        spawn(HELD_BY_1_OWNED_BY_0, 1, 1, 4); // the late spawn of the losing side: bound, not owning
        spawn(HANDED_OFF_BY_1, 1, 1, 5);
        send(frames.entityId(HANDED_OFF_BY_1).despawn(buffer, 1, HANDED_OFF));
        assertEquals(4, view.size());
        assertTrue(view.awaitingOwner(view.slotOf(HANDED_OFF_BY_1)));
        events.clear();

        send(frames.reset(buffer, 1));

        assertEquals(List.of("despawn " + OWNED_BY_1 + " " + DespawnReason.resync.value()), events);
        assertEquals(1, session.replicantResets());
        assertEquals(1, session.entitiesDroppedByResets());
        assertFalse(view.contains(OWNED_BY_1));
        assertEquals(0, view.ownerReplicant(view.slotOf(OWNED_BY_0)));
        assertEquals(1_000 * OWNED_BY_0, view.positionX(view.slotOf(OWNED_BY_0)));
        assertEquals(0, view.ownerReplicant(view.slotOf(HELD_BY_1_OWNED_BY_0)));
        assertEquals(2, view.ownerEpoch(view.slotOf(HELD_BY_1_OWNED_BY_0)));
        assertTrue(view.awaitingOwner(view.slotOf(HANDED_OFF_BY_1)), "the handed off one still awaits its owner");
        for (int handle = 0; handle < 8; handle++)
        {
            assertEquals(ClientEntityView.NULL_SLOT, view.slotOfHandle(1, handle), "Replicant 1's handles void");
        }
        assertEquals(view.slotOf(OWNED_BY_0), view.slotOfHandle(0, 3), "Replicant 0's handles kept");

        // a compact update under a handle of the predecessor names nothing now
        send(frames.update(buffer, 1, 3, 100, 1));
        assertEquals(1, session.updatesForUnknownEntities());

        // the restarted Replicant's snapshot: the same entity at the same owner epoch is spawned again
        events.clear();
        spawn(OWNED_BY_1, 1, 1, 7);
        assertEquals(List.of("spawn " + OWNED_BY_1), events);
        assertEquals(1, view.ownerReplicant(view.slotOf(OWNED_BY_1)));
        assertEquals(view.slotOf(OWNED_BY_1), view.slotOfHandle(1, 7));
        // and the handed off entity's next owner takes it as a handoff, no despawn
        spawn(HANDED_OFF_BY_1, 0, 2, 6);
        assertFalse(view.awaitingOwner(view.slotOf(HANDED_OFF_BY_1)));
        assertEquals(List.of("spawn " + OWNED_BY_1), events);
        assertEquals(0, session.ownerEpochConflicts());
        assertEquals(0, session.unknownReplicantMessages());
    }

    @Test
    void shouldCountAResetOfAnUnknownReplicant()
    {
        link.session = session;
        spawn(OWNED_BY_0, 0, 1, 3);
        send(frames.reset(buffer, 5));
        assertEquals(1, session.unknownReplicantMessages());
        assertEquals(0, session.replicantResets());
        assertTrue(session.view().contains(OWNED_BY_0));
    }
}
