/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers.game;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The time dilation decisions, window by window, with tick durations given: steps down, floor, hysteresis band,
 * recovery, forcing.
 */
class TimeDilationControllerTest
{
    private static final long PERIOD_NS = TimeUnit.MILLISECONDS.toNanos(30);
    private static final int TICKS = 30;

    private final TimeDilationController controller =
        new TimeDilationController(new TimeDilationController.Settings(), PERIOD_NS);

    /**
     * @return the median tick duration that makes the given load at the controller's current factor.
     */
    private long p50ForLoad(final double load)
    {
        return (long)(load * PERIOD_NS * 1000.0 / controller.factorPerMille());
    }

    @Test
    void shouldStayAtRealTimeWhenTicksFitTheBudget()
    {
        for (int i = 0; i < 10; i++)
        {
            assertEquals(1000, controller.onWindow(p50ForLoad(0.85), TICKS));
            assertEquals(1000, controller.onWindow(p50ForLoad(0.3), TICKS));
        }
        assertEquals(0, controller.lowered());
    }

    @Test
    void shouldStepDownToAWholeStepAimingAtTheMiddleOfTheBandWhenJustOverBudget()
    {
        // load 0.92: 1000 x 0.75 / 0.92 = 815, rounded down to the step
        assertEquals(800, controller.onWindow(p50ForLoad(0.92), TICKS));
        assertEquals(1, controller.lowered());
    }

    @Test
    void shouldStepDownAtLeastOneStepWhenTheTargetRoundsToTheSameFactor()
    {
        final TimeDilationController fine = new TimeDilationController(
            new TimeDilationController.Settings().stepPerMille(500), PERIOD_NS);
        // load 0.95: target 789 rounds down to 500 (one step of 500)
        assertEquals(500, fine.onWindow((long)(0.95 * PERIOD_NS), TICKS));
    }

    @Test
    void shouldStepDownTowardTheMiddleOfTheBandWhenFarOverBudget()
    {
        // a tick takes 1.5 periods: at 0.5 the load is 0.75
        assertEquals(500, controller.onWindow(PERIOD_NS * 3 / 2, TICKS));
        assertEquals(0.75, controller.onWindow(PERIOD_NS * 3 / 2, TICKS) / 1000.0 * 1.5, 1e-9);
        assertEquals(500, controller.factorPerMille(), "in the band: no change");
    }

    @Test
    void shouldNotGoBelowTheFloorWhenHopelesslyOverloaded()
    {
        assertEquals(100, controller.onWindow(PERIOD_NS * 50, TICKS));
        assertEquals(100, controller.onWindow(PERIOD_NS * 50, TICKS));
        assertEquals(1, controller.lowered(), "already at the floor");
    }

    @Test
    void shouldKeepAConfiguredFloor()
    {
        final TimeDilationController floored = new TimeDilationController(
            new TimeDilationController.Settings().floorPerMille(400), PERIOD_NS);
        assertEquals(400, floored.onWindow(PERIOD_NS * 10, TICKS));
    }

    @Test
    void shouldRecoverOneStepAfterCalmWindowsWhenLoadDrops()
    {
        controller.onWindow(PERIOD_NS * 3 / 2, TICKS); // 500
        final long lightTickNs = PERIOD_NS / 5; // load 0.1 at 500
        assertEquals(500, controller.onWindow(lightTickNs, TICKS));
        assertEquals(500, controller.onWindow(lightTickNs, TICKS));
        assertEquals(600, controller.onWindow(lightTickNs, TICKS), "third calm window");
        int factor = 600;
        for (int i = 0; i < 20; i++)
        {
            factor = controller.onWindow(lightTickNs, TICKS);
        }
        assertEquals(1000, factor);
        assertEquals(5, controller.raised());
    }

    @Test
    void shouldHoldInsideTheBandWhenLoadBetweenLowAndHigh()
    {
        controller.onWindow(PERIOD_NS * 3 / 2, TICKS); // 500, load 0.75 at the same tick time
        for (int i = 0; i < 10; i++)
        {
            assertEquals(500, controller.onWindow(p50ForLoad(0.7), TICKS));
        }
    }

    @Test
    void shouldRestartCalmWindowsWhenOneWindowIsNotCalm()
    {
        controller.onWindow(PERIOD_NS * 3 / 2, TICKS); // 500
        controller.onWindow(p50ForLoad(0.3), TICKS);
        controller.onWindow(p50ForLoad(0.3), TICKS);
        controller.onWindow(p50ForLoad(0.7), TICKS); // in the band: calm count starts again
        controller.onWindow(p50ForLoad(0.3), TICKS);
        assertEquals(500, controller.onWindow(p50ForLoad(0.3), TICKS));
        assertEquals(600, controller.onWindow(p50ForLoad(0.3), TICKS));
    }

    @Test
    void shouldNotRaiseWhenTheHigherFactorWouldBeOverBudget()
    {
        controller.onWindow(PERIOD_NS * 50, TICKS); // floor 100
        final long tickNs = p50ForLoad(0.5); // at 200 the load would be 1.0
        for (int i = 0; i < 10; i++)
        {
            assertEquals(100, controller.onWindow(tickNs, TICKS));
        }
        assertEquals(0, controller.raised());
    }

    @Test
    void shouldIgnoreWindowsWithoutSimulatedTicks()
    {
        assertEquals(1000, controller.onWindow(PERIOD_NS * 10, 0));
        assertEquals(0, controller.lowered());
    }

    @Test
    void shouldKeepAForcedFactorWhateverTheLoad()
    {
        controller.force(300);
        assertEquals(300, controller.onWindow(PERIOD_NS * 50, TICKS));
        assertEquals(300, controller.onWindow(1, TICKS));
        assertEquals(300, controller.forcedPerMille());

        controller.force(0);
        assertEquals(0, controller.forcedPerMille());
        assertEquals(300, controller.onWindow(p50ForLoad(0.7), TICKS), "automatic again, from the forced factor");
        assertEquals(100, controller.onWindow(PERIOD_NS * 50, TICKS));
    }

    @Test
    void shouldStartAtTheForcedFactorWhenSetInSettings()
    {
        final TimeDilationController forced = new TimeDilationController(
            new TimeDilationController.Settings().forcedPerMille(250), PERIOD_NS);
        assertEquals(250, forced.factorPerMille());
        assertEquals(250, forced.onWindow(1, TICKS));
    }

    @Test
    void shouldRefuseSettingsOutOfRange()
    {
        assertThrows(IllegalArgumentException.class, () -> new TimeDilationController(
            new TimeDilationController.Settings().floorPerMille(0), PERIOD_NS));
        assertThrows(IllegalArgumentException.class, () -> new TimeDilationController(
            new TimeDilationController.Settings().forcedPerMille(1001), PERIOD_NS));
        assertThrows(IllegalArgumentException.class, () -> new TimeDilationController(
            new TimeDilationController.Settings().lowLoad(0.95), PERIOD_NS));
    }
}
