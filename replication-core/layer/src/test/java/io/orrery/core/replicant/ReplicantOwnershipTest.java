/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
}
