/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

final class ReplicantContextReplicantsTest
{
    @Test
    void shouldDefaultToOneReplicantAndBoundariesCentredOnZero()
    {
        assertEquals(1, new ReplicantContext().conclude().replicants());
        assertArrayEquals(new double[]{ 0 }, new ReplicantContext().replicants(2).conclude().replicantBoundariesM());
        assertArrayEquals(new double[]{ -500, 500 },
            new ReplicantContext().replicants(3).conclude().replicantBoundariesM());
    }

    @Test
    void shouldRefuseCombinationsNotBuilt()
    {
        assertThrows(IllegalArgumentException.class, () -> new ReplicantContext().replicants(0).conclude());
        assertThrows(IllegalArgumentException.class, () -> new ReplicantContext().replicants(9).conclude());
        assertThrows(IllegalArgumentException.class,
            () -> new ReplicantContext().replicants(2).interestWorkers(2).conclude());
        assertThrows(IllegalArgumentException.class, () -> new ReplicantContext().replicants(2).replicantId(1).conclude());
        assertThrows(IllegalArgumentException.class,
            () -> new ReplicantContext().replicants(3).replicantBoundariesM(0).conclude());
        assertThrows(IllegalArgumentException.class,
            () -> new ReplicantContext().replicants(3).replicantBoundariesM(5, 5).conclude());
        assertThrows(IllegalArgumentException.class,
            () -> new ReplicantContext().replicants(2).feedRingBytes(5000).conclude());
    }
}
