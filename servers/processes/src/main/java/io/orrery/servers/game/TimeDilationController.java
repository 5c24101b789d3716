/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers.game;

/**
 * Time dilation of one game server's simulation, the last resort of overload control: when the simulation cannot
 * keep up, game time runs slower than real time (down to a floor) so every tick's work fits, instead of ticks being
 * late or skipped.
 * <p>
 * The factor is game time per real time in 1/1000 ({@link #REAL_TIME} = 1000 = real time). The game server keeps
 * its real-time tick grid and simulates a fixed step on {@code factor / 1000} of the grid's slots (a credit of
 * {@code factor} per slot, one simulated tick per 1000 of credit); in the other slots it only marks the end of a
 * tick for the layer. So the simulation's work per real second shrinks with the factor, and a simulated tick may
 * take up to {@code tickPeriod / factor} of real time.
 * <p>
 * Decision, once per window (the game server's load report interval) from the median duration of the simulated
 * ticks of that window: the <em>load</em> is {@code p50 x factor / tickPeriod}, the share of real time the
 * simulation needs at the current factor.
 * <ul>
 *   <li>Load above {@code highLoad} (default 0.9): lower the factor at once, aiming at the middle of the band
 *   ({@code (highLoad + lowLoad) / 2}), rounded down to a multiple of {@code stepPerMille} (default 100), at least
 *   one step, never below {@code floorPerMille} (default 100 = 10 %).</li>
 *   <li>Load below {@code lowLoad} (default 0.6) for {@code recoverWindows} (default 3) windows in a row: raise the
 *   factor by one step, up to real time, if the load predicted at the higher factor stays under {@code highLoad}
 *   (so it does not flip straight back).</li>
 *   <li>Anything between, or a window without a simulated tick: no change, and the calm windows start again.</li>
 * </ul>
 * An operator (setting, CLI or {@link #force(int)}) may force a factor; while forced the windows are ignored.
 * <p>
 * Deterministic: no clock, no randomness; the caller feeds the windows. Threading: the game server's thread.
 * Allocates nothing.
 */
public final class TimeDilationController
{
    /**
     * Real time: game time advances as fast as real time.
     */
    public static final int REAL_TIME = 1000;

    /**
     * Settings of the controller.
     */
    public static final class Settings
    {
        int floorPerMille = 100;
        int stepPerMille = 100;
        double highLoad = 0.9;
        double lowLoad = 0.6;
        int recoverWindows = 3;
        int forcedPerMille;

        /**
         * Lowest factor the controller goes down to, in 1/1000 (default 100: game time at 10 % of real time).
         */
        public Settings floorPerMille(final int floorPerMille)
        {
            this.floorPerMille = floorPerMille;
            return this;
        }

        /**
         * Granularity of the factor, in 1/1000 (default 100).
         */
        public Settings stepPerMille(final int stepPerMille)
        {
            this.stepPerMille = stepPerMille;
            return this;
        }

        /**
         * Load (share of real time the simulation needs) above which the factor goes down (default 0.9).
         */
        public Settings highLoad(final double highLoad)
        {
            this.highLoad = highLoad;
            return this;
        }

        /**
         * Load below which, for {@link #recoverWindows(int)} windows in a row, the factor goes up (default 0.6).
         */
        public Settings lowLoad(final double lowLoad)
        {
            this.lowLoad = lowLoad;
            return this;
        }

        /**
         * Windows in a row below {@link #lowLoad(double)} before the factor goes up one step (default 3).
         */
        public Settings recoverWindows(final int recoverWindows)
        {
            this.recoverWindows = recoverWindows;
            return this;
        }

        /**
         * A factor forced by the operator, in 1/1000 ({@code 1..1000}), or 0 for automatic (the default).
         */
        public Settings forcedPerMille(final int forcedPerMille)
        {
            this.forcedPerMille = forcedPerMille;
            return this;
        }

        public int floorPerMille()
        {
            return floorPerMille;
        }

        public int forcedPerMille()
        {
            return forcedPerMille;
        }

        Settings validate()
        {
            if (floorPerMille < 1 || floorPerMille > REAL_TIME || stepPerMille < 1 || stepPerMille > REAL_TIME)
            {
                throw new IllegalArgumentException(
                    "time dilation floor and step must be in 1..1000: " + floorPerMille + ", " + stepPerMille);
            }
            if (!(lowLoad > 0 && lowLoad < highLoad) || recoverWindows < 1)
            {
                throw new IllegalArgumentException("time dilation needs 0 < lowLoad < highLoad and recoverWindows >= 1: " +
                    lowLoad + ", " + highLoad + ", " + recoverWindows);
            }
            if (forcedPerMille < 0 || forcedPerMille > REAL_TIME)
            {
                throw new IllegalArgumentException("forced time dilation must be 0 (automatic) or 1..1000: " +
                    forcedPerMille);
            }
            return this;
        }
    }

    private final long tickPeriodNs;
    private final int floorPerMille;
    private final int stepPerMille;
    private final double highLoad;
    private final double lowLoad;
    private final double targetLoad;
    private final int recoverWindows;

    private int factorPerMille = REAL_TIME;
    private int forcedPerMille;
    private int calmWindows;
    private double lastLoad;
    private long lowered;
    private long raised;

    /**
     * @param settings     the controller's settings (validated here).
     * @param tickPeriodNs the real-time tick period of the game server (its budget at real time).
     */
    public TimeDilationController(final Settings settings, final long tickPeriodNs)
    {
        settings.validate();
        if (tickPeriodNs <= 0)
        {
            throw new IllegalArgumentException("tickPeriodNs must be positive: " + tickPeriodNs);
        }
        this.tickPeriodNs = tickPeriodNs;
        this.floorPerMille = settings.floorPerMille;
        this.stepPerMille = settings.stepPerMille;
        this.highLoad = settings.highLoad;
        this.lowLoad = settings.lowLoad;
        this.targetLoad = (settings.highLoad + settings.lowLoad) / 2;
        this.recoverWindows = settings.recoverWindows;
        force(settings.forcedPerMille);
    }

    /**
     * Force a factor, or go back to automatic.
     *
     * @param perMille {@code 1..1000} to force that factor, 0 (or less) for automatic; above 1000 counts as 1000.
     */
    public void force(final int perMille)
    {
        if (perMille > 0)
        {
            forcedPerMille = Math.min(REAL_TIME, perMille);
            factorPerMille = forcedPerMille;
        }
        else
        {
            forcedPerMille = 0;
        }
        calmWindows = 0;
    }

    /**
     * One window ended.
     *
     * @param tickTimeP50Ns  median real duration of the simulated ticks of the window.
     * @param simulatedTicks simulated ticks in the window (0: no decision).
     * @return the factor from now on, in 1/1000.
     */
    public int onWindow(final long tickTimeP50Ns, final long simulatedTicks)
    {
        if (0 != forcedPerMille || simulatedTicks <= 0)
        {
            calmWindows = 0;
            return factorPerMille;
        }
        final double load = (double)tickTimeP50Ns * factorPerMille / ((double)REAL_TIME * tickPeriodNs);
        lastLoad = load;
        if (load > highLoad)
        {
            calmWindows = 0;
            if (factorPerMille > floorPerMille)
            {
                int target = (int)(factorPerMille * targetLoad / load);
                target -= target % stepPerMille;
                target = Math.min(target, factorPerMille - stepPerMille);
                factorPerMille = Math.max(floorPerMille, target);
                lowered++;
            }
        }
        else if (load < lowLoad)
        {
            if (++calmWindows >= recoverWindows && factorPerMille < REAL_TIME)
            {
                final int higher = Math.min(REAL_TIME, factorPerMille + stepPerMille);
                if (load * higher / factorPerMille < highLoad)
                {
                    factorPerMille = higher;
                    raised++;
                }
                calmWindows = 0;
            }
        }
        else
        {
            calmWindows = 0;
        }
        return factorPerMille;
    }

    /**
     * @return the current factor, in 1/1000 ({@link #REAL_TIME} = real time).
     */
    public int factorPerMille()
    {
        return factorPerMille;
    }

    /**
     * @return the forced factor, or 0 when automatic.
     */
    public int forcedPerMille()
    {
        return forcedPerMille;
    }

    /**
     * @return the load of the last window with simulated ticks (share of real time the simulation needed).
     */
    public double lastLoad()
    {
        return lastLoad;
    }

    /**
     * @return how often the factor went down.
     */
    public long lowered()
    {
        return lowered;
    }

    /**
     * @return how often the factor went up.
     */
    public long raised()
    {
        return raised;
    }
}
