/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.link;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shared entity-state struct: reset, copy, and component state bounded by its capacity.
 */
final class EntityStateTest
{
    @Test
    void shouldResetToZerosAndIdentityOrientationWhenReused()
    {
        final EntityState state = new EntityState(8).entityId(7).archetypeId(2).ownerPlayerId(3).parentZoneId(4)
            .position(1, 2, 3).orientation(0.5f, 0.5f, 0.5f, 0.5f).velocity(1, 2, 3).radius(4).authorityEpoch(5)
            .lastAppliedInputSequence(6);
        state.componentState(new UnsafeBuffer(new byte[]{ 1, 2 }), 0, 2);

        state.reset();

        assertEquals(0, state.entityId());
        assertEquals(0, state.archetypeId());
        assertEquals(0, state.x());
        assertEquals(0, state.qz());
        assertEquals(1, state.qw());
        assertEquals(0, state.vx());
        assertEquals(0, state.authorityEpoch());
        assertEquals(0, state.lastAppliedInputSequence());
        assertEquals(0, state.componentStateLength());
    }

    @Test
    void shouldCopyEveryFieldAndCutComponentStateToTheTargetsCapacity()
    {
        final EntityState source = new EntityState(4).entityId(7).archetypeId(2).ownerPlayerId(3).parentZoneId(4)
            .position(-1, 2, 3).orientation(0, 0, 0.6f, 0.8f).velocity(1.5f, 2, 3).radius(4).authorityEpoch(5)
            .lastAppliedInputSequence(6);
        assertTrue(source.componentState(new UnsafeBuffer(new byte[]{ 9, 8, 7, 6 }), 0, 4));
        final EntityState small = new EntityState(2);

        small.set(source);

        assertEquals(7, small.entityId());
        assertEquals(2, small.archetypeId());
        assertEquals(3, small.ownerPlayerId());
        assertEquals(4, small.parentZoneId());
        assertEquals(-1, small.x());
        assertEquals(0.8f, small.qw());
        assertEquals(1.5f, small.vx());
        assertEquals(4, small.radius());
        assertEquals(5, small.authorityEpoch());
        assertEquals(6, small.lastAppliedInputSequence());
        assertEquals(2, small.componentStateLength());
        assertEquals(8, small.componentStateBuffer().getByte(1));
    }

    @Test
    void shouldRefuseComponentStateLongerThanItsCapacity()
    {
        final EntityState state = new EntityState(2);

        assertFalse(state.componentState(new UnsafeBuffer(new byte[3]), 0, 3));
        assertEquals(0, state.componentStateLength());
        assertThrows(IllegalArgumentException.class, () -> state.componentStateLength(3));
    }
}
