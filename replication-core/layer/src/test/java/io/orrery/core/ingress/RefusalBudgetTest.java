/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.ingress;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RefusalBudgetTest
{
    private static final long SECOND_NS = 1_000_000_000L;

    @Test
    void shouldAnswerOneSecondsWorthThenRefillAtTheRate()
    {
        final RefusalBudget budget = new RefusalBudget(
            IngressLimits.forClients().refusalsPerSecond(10).maxPendingRefusals(1000), 0);
        int taken = 0;
        while (budget.tryTake(0, 0))
        {
            taken++;
        }
        assertEquals(10, taken, "a burst of one second's worth");
        assertFalse(budget.tryTake(SECOND_NS / 20, 0), "half a refusal refilled after 50 ms");
        assertTrue(budget.tryTake(SECOND_NS / 10, 0), "one refilled after 100 ms");
        assertFalse(budget.tryTake(SECOND_NS / 10, 0));
    }

    @Test
    void shouldRefuseAboveTheCapOfPendingRefusalsWhateverTheRate()
    {
        final RefusalBudget budget = new RefusalBudget(
            IngressLimits.forClients().refusalsPerSecond(1000).maxPendingRefusals(4), 0);
        assertTrue(budget.tryTake(0, 3));
        assertFalse(budget.tryTake(0, 4));
    }

    @Test
    void shouldBoundARefusalsConnectTimeout()
    {
        assertEquals(RefusalBudget.REFUSAL_CONNECT_TIMEOUT_NS, RefusalBudget.connectTimeoutNs(5 * SECOND_NS));
        assertEquals(SECOND_NS / 2, RefusalBudget.connectTimeoutNs(SECOND_NS / 2));
    }
}
