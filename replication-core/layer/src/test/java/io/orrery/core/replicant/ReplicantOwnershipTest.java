/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

final class ReplicantOwnershipTest
{
    private static final long MM = 1000;

    @Test
    void shouldSplitTheWorldAlongXWithHysteresis()
    {
        final ReplicantOwnership ownership = new ReplicantOwnership(new double[]{ -100, 100 }, 10);
        assertEquals(3, ownership.replicants());
        assertEquals(0, ownership.replicantOf(-101 * MM));
        assertEquals(1, ownership.replicantOf(-100 * MM));
        assertEquals(1, ownership.replicantOf(99 * MM));
        assertEquals(2, ownership.replicantOf(100 * MM));

        assertEquals(1, ownership.ownerOf(-1, 0));
        assertEquals(1, ownership.ownerOf(1, 109 * MM), "within the hysteresis past the boundary");
        assertEquals(2, ownership.ownerOf(1, 110 * MM), "past it");
        assertEquals(2, ownership.ownerOf(2, 91 * MM));
        assertEquals(1, ownership.ownerOf(2, 89 * MM));
        assertEquals(0, ownership.ownerOf(0, -91 * MM));
        assertEquals(1, ownership.ownerOf(0, -89 * MM));
    }

    @Test
    void shouldGiveSubtreesTheOwnerOfTheirTopLevelZoneAndRaiseTheEpochOnEveryChange()
    {
        final EntityStore store = new EntityStore(16, 0);
        final ReplicantOwnership ownership = new ReplicantOwnership(new double[]{ 0 }, 5);
        final int zone = store.create(10, 1, 0, 0, true);
        store.position(zone, -50 * MM, 0, 0);
        final int inner = store.create(11, 1, 0, 10, true);
        store.position(inner, 200 * MM, 0, 0); // its world x is 150 m, but its subtree's root is at -50 m
        final int child = store.create(12, 1, 0, 11, false);
        final int loose = store.create(13, 1, 0, 0, false);
        store.position(loose, 20 * MM, 0, 0);

        assertEquals(0, ownership.assign(store), "first owners are no handoffs");
        assertEquals(0, store.ownerReplicant(zone));
        assertEquals(0, store.ownerReplicant(inner));
        assertEquals(0, store.ownerReplicant(child));
        assertEquals(1, store.ownerReplicant(loose));
        assertTrue(store.ownerEpoch(zone) > 0);

        final long before = ownership.ownerEpoch();
        store.position(zone, 3 * MM, 0, 0);
        assertEquals(0, ownership.assign(store), "within the hysteresis");
        store.position(zone, 6 * MM, 0, 0);
        assertEquals(3, ownership.assign(store), "the whole subtree moves");
        assertEquals(1, store.ownerReplicant(child));
        assertTrue(store.ownerEpoch(child) > before);
        assertEquals(before + 3, ownership.ownerEpoch());
        assertEquals(3, ownership.handoffs());

        store.position(loose, -20 * MM, 0, 0);
        final long looseEpoch = store.ownerEpoch(loose);
        assertEquals(1, ownership.assign(store));
        assertEquals(0, store.ownerReplicant(loose));
        assertTrue(store.ownerEpoch(loose) > looseEpoch);
    }

    @Test
    void shouldGiveAnUnavailableReplicantsRangeToTheNearestAvailableOneWithHysteresis()
    {
        final ReplicantOwnership ownership = new ReplicantOwnership(new double[]{ -100, 100 }, 10);
        ownership.available(1, false);
        assertFalse(ownership.isAvailable(1));
        assertEquals(0, ownership.ownerOf(-1, -50 * MM), "50 m from Replicant 0's range, 150 m from 2's");
        assertEquals(2, ownership.ownerOf(-1, 60 * MM));
        assertEquals(0, ownership.ownerOf(-1, 0), "a tie goes to the lower id");
        assertEquals(0, ownership.ownerOf(1, -99 * MM), "an unavailable owner keeps nothing, even in its range");
        assertEquals(2, ownership.ownerOf(1, 99 * MM));
        assertEquals(2, ownership.ownerOf(2, -3 * MM), "a stand-in kept within the hysteresis of the nearest");
        assertEquals(0, ownership.ownerOf(2, -11 * MM), "past it");
        assertEquals(0, ownership.ownerOf(0, 4 * MM));
        assertEquals(2, ownership.ownerOf(0, 11 * MM));
        assertEquals(0, ownership.ownerOf(0, -150 * MM), "the available ranges keep their rule");
        assertEquals(2, ownership.ownerOf(2, 150 * MM));

        ownership.available(2, false);
        assertEquals(0, ownership.ownerOf(2, 150 * MM), "nothing but the primary: it takes everything");
        assertEquals(0, ownership.ownerOf(-1, 1000 * MM));

        ownership.available(1, true);
        ownership.available(2, true);
        assertEquals(1, ownership.ownerOf(0, -85 * MM), "back past the hysteresis");
        assertEquals(0, ownership.ownerOf(0, -95 * MM), "within it the stand-in keeps it");
        assertEquals(1, ownership.ownerOf(2, 85 * MM));
    }

    @Test
    void shouldNeverMakeThePrimaryUnavailable()
    {
        final ReplicantOwnership ownership = new ReplicantOwnership(new double[]{ 0 }, 5);
        ownership.available(0, false);
        ownership.available(1, false);
        assertTrue(ownership.isAvailable(0));
        assertEquals(0, ownership.ownerOf(-1, 500 * MM));
        assertThrows(IllegalArgumentException.class, () -> new ReplicantAvailability(2).remote(0));
    }

    @Test
    void shouldTakeALostReplicantsSubtreesOverWithNewEpochsAndGiveThemBack()
    {
        final EntityStore store = new EntityStore(16, 0);
        final ReplicantOwnership ownership = new ReplicantOwnership(new double[]{ 0 }, 5);
        final int zone = store.create(10, 1, 0, 0, true);
        store.position(zone, 50 * MM, 0, 0);
        final int child = store.create(11, 1, 0, 10, false);
        final int near = store.create(12, 1, 0, 0, false);
        store.position(near, 3 * MM, 0, 0);
        final int west = store.create(13, 1, 0, 0, false);
        store.position(west, -50 * MM, 0, 0);
        ownership.assign(store);
        assertEquals(1, store.ownerReplicant(zone));
        assertEquals(1, store.ownerReplicant(child));
        assertEquals(1, store.ownerReplicant(near));
        final long zoneEpoch = store.ownerEpoch(zone);
        final long childEpoch = store.ownerEpoch(child);
        final long westEpoch = store.ownerEpoch(west);

        ownership.available(1, false);
        assertEquals(3, ownership.assign(store), "its whole subtrees at once");
        assertEquals(3, ownership.takeovers());
        assertEquals(3, ownership.handoffs());
        assertEquals(0, store.ownerReplicant(zone));
        assertEquals(0, store.ownerReplicant(child));
        assertEquals(0, store.ownerReplicant(near));
        assertTrue(store.ownerEpoch(zone) > zoneEpoch);
        assertTrue(store.ownerEpoch(child) > childEpoch);
        assertEquals(westEpoch, store.ownerEpoch(west), "the primary's own keep their epochs");
        assertEquals(0, ownership.assign(store), "nothing more while it is lost");
        final int born = store.create(14, 1, 0, 0, false);
        store.position(born, 80 * MM, 0, 0);
        assertEquals(0, ownership.assign(store));
        assertEquals(0, store.ownerReplicant(born), "a new entity in the lost range goes to the stand-in");

        final long takenEpoch = store.ownerEpoch(zone);
        ownership.available(1, true);
        assertEquals(3, ownership.assign(store), "back: the zone with its child and the new one");
        assertEquals(3, ownership.takeovers(), "a return is no takeover");
        assertEquals(1, store.ownerReplicant(zone));
        assertEquals(1, store.ownerReplicant(child));
        assertEquals(1, store.ownerReplicant(born));
        assertEquals(0, store.ownerReplicant(near), "within the primary's hysteresis it stays");
        assertTrue(store.ownerEpoch(zone) > takenEpoch);
    }

    @Test
    void shouldHandOverAvailabilityWithGenerationsAndTheAppliedWord()
    {
        final ReplicantAvailability availability = new ReplicantAvailability(3).remote(2);
        assertTrue(ReplicantAvailability.isAvailable(availability.state(0)));
        assertTrue(ReplicantAvailability.isAvailable(availability.state(1)), "a local secondary is available");
        assertFalse(ReplicantAvailability.isAvailable(availability.state(2)), "a remote one not before its offer");

        final long available = availability.offer(2, true);
        assertTrue(ReplicantAvailability.isAvailable(availability.state(2)));
        assertFalse(availability.isApplied(2, available));
        availability.applied(2, availability.state(2));
        assertTrue(availability.isApplied(2, available));

        final long lost = availability.offer(2, false);
        availability.lost(2);
        assertFalse(availability.isApplied(2, lost), "the primary has not applied the loss yet");
        final long again = availability.offer(2, true);
        availability.applied(2, availability.state(2));
        assertTrue(availability.isApplied(2, lost), "a later word applied covers an earlier one");
        assertTrue(availability.isApplied(2, again));
        assertEquals(1, availability.losses());
        assertEquals(2, availability.returns());
    }
}
