/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static io.orrery.core.replicant.EntityStore.*;
import static org.junit.jupiter.api.Assertions.*;

class EntityStoreTest
{
    private final EntityStore store = new EntityStore(8, 16);

    @Test
    void shouldCreateAndLookUpEntityWhenIdIsNew()
    {
        final int slot = store.create(42, 7, 9, 0, false);

        assertTrue(slot >= 0);
        assertEquals(slot, store.slotOf(42));
        assertEquals(42, store.entityId(slot));
        assertEquals(7, store.archetypeId(slot));
        assertEquals(9, store.ownerPlayerId(slot));
        assertEquals(0, store.parentZoneId(slot));
        assertFalse(store.isZone(slot));
        assertEquals(1, store.size());
        assertEquals(1.0f, store.orientationW(slot));
    }

    @Test
    void shouldRejectCreateWhenDuplicateUnknownZoneInvalidIdOrFull()
    {
        assertTrue(store.create(1, 0, 0, 0, false) >= 0);
        assertEquals(ERR_DUPLICATE, store.create(1, 0, 0, 0, false));
        assertEquals(ERR_UNKNOWN_ZONE, store.create(2, 0, 0, 99, false));
        assertEquals(ERR_UNKNOWN_ZONE, store.create(2, 0, 0, 1, false), "entity 1 is not a zone");
        assertEquals(ERR_INVALID_ID, store.create(0, 0, 0, 0, false));
        for (int i = 2; i <= 8; i++)
        {
            assertTrue(store.create(i, 0, 0, 0, false) >= 0);
        }
        assertEquals(ERR_FULL, store.create(9, 0, 0, 0, false));
    }

    @Test
    void shouldReportOnlyChangedFieldsWhenAskedSinceASequence()
    {
        final int slot = store.create(1, 0, 0, 0, false);
        assertEquals(ALL_FIELDS, store.changedSince(slot, store.createdSeq(slot) - 1));
        final long seq = store.changeSeq();
        assertEquals(0, store.changedSince(slot, seq));

        store.position(slot, 1, 2, 3);
        store.lastAppliedInputSequence(slot, 5);
        assertEquals(POSITION | LAST_APPLIED_INPUT, store.changedSince(slot, seq));

        final long seq2 = store.changeSeq();
        store.position(slot, 1, 2, 3);
        store.velocity(slot, 0, 0, 0);
        assertEquals(0, store.changedSince(slot, seq2), "writing the same values is not a change");

        store.velocity(slot, 1, 0, 0);
        store.orientation(slot, 0, 0, 1, 0);
        store.radius(slot, 2);
        store.authorityEpoch(slot, 3);
        assertEquals(VELOCITY | ORIENTATION | SIZE | AUTHORITY_EPOCH, store.changedSince(slot, seq2));
    }

    @Test
    void shouldStoreComponentStateWhenWithinLimit()
    {
        final int slot = store.create(1, 0, 0, 0, false);
        final UnsafeBuffer src = new UnsafeBuffer(new byte[32]);
        src.putLong(0, 0x1122334455667788L);

        final long seq = store.changeSeq();
        assertEquals(OK, store.componentState(slot, src, 0, 8));
        assertEquals(COMPONENT_STATE, store.changedSince(slot, seq));
        assertEquals(8, store.componentStateLength(slot));
        assertEquals(0x1122334455667788L,
            store.componentStateBuffer().getLong(store.componentStateOffset(slot)));
        assertEquals(ERR_STATE_TOO_LONG, store.componentState(slot, src, 0, 17));
        assertEquals(8, store.componentStateLength(slot));
    }

    @Test
    void shouldGiveReusedSlotNewCreatedSeqWhenEntityRemoved()
    {
        final EntityStore small = new EntityStore(1, 0);
        final int slot = small.create(1, 0, 0, 0, false);
        final long created = small.createdSeq(slot);

        assertTrue(small.remove(1));
        assertFalse(small.remove(1));
        assertFalse(small.isActive(slot));
        assertEquals(NULL_SLOT, small.slotOf(1));

        assertEquals(slot, small.create(2, 0, 0, 0, false));
        assertTrue(small.createdSeq(slot) > created);
    }

    @Test
    void shouldDeriveWorldPositionsThroughThreeNestedZones()
    {
        final int planet = store.create(1, 0, 0, 0, true);
        final int station = store.create(2, 0, 0, 1, true);
        final int room = store.create(3, 0, 0, 2, true);
        final int cup = store.create(4, 0, 0, 3, false);
        store.position(planet, 1_000_000, 0, 0);
        store.position(station, 0, 2_000, 0);
        store.position(room, 0, 0, 30);
        store.position(cup, 4, 5, 6);

        store.updateWorldPositions();

        assertEquals(1_000_004, store.worldX(cup));
        assertEquals(2_005, store.worldY(cup));
        assertEquals(36, store.worldZ(cup));
        assertEquals(4, store.positionX(cup));
        assertEquals(2, store.depth(room));
    }

    @Test
    void shouldKeepParentsBeforeChildrenWhenZoneReparented()
    {
        final int a = store.create(1, 0, 0, 0, true);
        final int b = store.create(2, 0, 0, 0, true);
        final int c = store.create(3, 0, 0, 1, true);
        store.position(a, 100, 0, 0);
        store.position(b, 0, 100, 0);
        store.position(c, 1, 0, 0);

        assertEquals(OK, store.parentZone(a, 3 - 1), "a under b");
        assertEquals(ERR_ZONE_CYCLE, store.parentZone(b, 3), "b under c would be a cycle: c is in a, a in b");
        assertEquals(ERR_UNKNOWN_ZONE, store.parentZone(b, 77));
        store.updateWorldPositions();

        assertEquals(101, store.worldX(c));
        assertEquals(100, store.worldY(c));
        for (int i = 1; i < store.zoneCount(); i++)
        {
            assertTrue(store.depth(store.zoneSlot(i - 1)) <= store.depth(store.zoneSlot(i)));
        }
    }

    @Test
    void shouldReparentChildrenKeepingWorldPositionWhenZoneRemoved()
    {
        final int ship = store.create(1, 0, 0, 0, true);
        final int hold = store.create(2, 0, 0, 1, true);
        final int crate = store.create(3, 0, 0, 2, false);
        store.position(ship, 1000, 0, 0);
        store.position(hold, 10, 0, 0);
        store.position(crate, 1, 0, 0);
        store.updateWorldPositions();
        final long seq = store.changeSeq();

        assertTrue(store.remove(2));
        store.updateWorldPositions();

        assertEquals(1, store.parentZoneId(crate));
        assertEquals(1011, store.worldX(crate));
        assertEquals(11, store.positionX(crate));
        assertEquals(POSITION | PARENT_ZONE, store.changedSince(crate, seq));
        assertEquals(1, store.childCount(ship));
        assertEquals(1, store.zoneCount());
        assertEquals(1, store.removalReason(hold));
    }
}
