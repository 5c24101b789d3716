/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;

/**
 * Diagnostic split of the Replicant's streaming passes (issue 17, where the layer's residence of server state goes),
 * on only when {@link ReplicantContext#passProfile()} is set ({@value #PASS_PROFILE_PROP}). Per pass, in ns:
 * <ul>
 *   <li><b>wait</b>: from the first server state of the pass arriving to the pass starting (the round waiting for
 *   the other servers' tick ends, and the duty cycles in between);</li>
 *   <li><b>authority</b>: the authority's tick ahead of the clients (the scripted authority's simulation; for a mesh
 *   only the start of the pass);</li>
 *   <li><b>index</b>: world positions, spatial index and the interest snapshot;</li>
 *   <li><b>select</b>: per-client interest (view maintenance, candidates, selection) of every partition;</li>
 *   <li><b>encode</b> and <b>offer</b>: emitting the selections, split into the publications' offers and the rest;</li>
 *   <li><b>after</b>: the authority's work after the clients were offered the pass (for a mesh: reports to Atlas,
 *   its decisions, server heartbeats and views), no part of a client's residence;</li>
 *   <li><b>rest</b>: slow-consumer checks, heartbeats, counters;</li>
 *   <li><b>wall</b> and <b>cpu</b>: the whole pass by the clock and by the Replicant thread's CPU time
 *   ({@link ThreadMXBean#getCurrentThreadCpuTime()}); wall well above cpu means the thread waited for a core.</li>
 * </ul>
 * With interest workers beyond the first, select/encode/offer are sums over the threads that ran partitions.
 * <p>
 * Threading: recorded on the Replicant's thread without allocation; read with {@link #report()} from any thread
 * (each recorder is a {@link SingleWriterRecorder}).
 */
public final class PassProfile
{
    /**
     * System property that turns the pass profile on (default off).
     */
    public static final String PASS_PROFILE_PROP = "orrery.replicant.pass.profile";

    private static final long MAX_NS = 10_000_000_000L;
    private static final String[] NAMES = {"wait", "authority", "index", "select", "encode", "offer", "after",
        "rest", "wall", "cpu"};
    static final int WAIT = 0;
    static final int AUTHORITY = 1;
    static final int INDEX = 2;
    static final int SELECT = 3;
    static final int ENCODE = 4;
    static final int OFFER = 5;
    static final int AFTER = 6;
    static final int REST = 7;
    static final int WALL = 8;
    static final int CPU = 9;

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final SingleWriterRecorder[] recorders = new SingleWriterRecorder[NAMES.length];
    private final long[] totals = new long[NAMES.length];
    private final Histogram[] intervals = new Histogram[NAMES.length];
    private long passes;
    private long updates;
    private long updatesBefore;

    private long startNs;
    private long startCpuNs;
    private long authorityEndNs;
    private long interestEndNs;
    private long afterEndNs;
    private long emitNsBefore;
    private long offerNsBefore;

    /**
     * A profile recording from now.
     */
    public PassProfile()
    {
        for (int i = 0; i < recorders.length; i++)
        {
            recorders[i] = new SingleWriterRecorder(MAX_NS, 2);
        }
    }

    void passStart(
        final long nowNs,
        final long stateInNs,
        final long emitNsTotal,
        final long offerNsTotal,
        final long updatesSent)
    {
        updatesBefore = updatesSent;
        startCpuNs = threads.getCurrentThreadCpuTime();
        startNs = nowNs;
        if (TickCompletion.NONE != stateInNs)
        {
            record(WAIT, nowNs - stateInNs);
        }
        emitNsBefore = emitNsTotal;
        offerNsBefore = offerNsTotal;
    }

    void authorityDone(final long nowNs)
    {
        authorityEndNs = nowNs;
    }

    void interestDone(final long nowNs)
    {
        interestEndNs = nowNs;
    }

    void afterDone(final long nowNs)
    {
        afterEndNs = nowNs;
    }

    void passEnd(
        final long nowNs,
        final long indexEndNs,
        final long emitNsTotal,
        final long offerNsTotal,
        final long updatesSent)
    {
        updates += updatesSent - updatesBefore;
        final long cpuNs = threads.getCurrentThreadCpuTime() - startCpuNs;
        final long emitNs = emitNsTotal - emitNsBefore;
        final long offerNs = offerNsTotal - offerNsBefore;
        record(AUTHORITY, authorityEndNs - startNs);
        record(INDEX, indexEndNs - authorityEndNs);
        record(SELECT, interestEndNs - indexEndNs - emitNs);
        record(ENCODE, emitNs - offerNs);
        record(OFFER, offerNs);
        record(AFTER, afterEndNs - interestEndNs);
        record(REST, nowNs - afterEndNs);
        record(WALL, nowNs - startNs);
        record(CPU, cpuNs);
        passes++;
    }

    private void record(final int phase, final long valueNs)
    {
        final long value = Math.min(MAX_NS, Math.max(0, valueNs));
        recorders[phase].recordValue(value);
        totals[phase] += value;
    }

    /**
     * Forget what was recorded so far (the start of a measured window). Call it on the Replicant's thread or while
     * it does not run a pass; the totals are plain fields.
     */
    public void reset()
    {
        for (int i = 0; i < recorders.length; i++)
        {
            recorders[i].reset();
            totals[i] = 0;
        }
        passes = 0;
        updates = 0;
    }

    /**
     * @return passes profiled since the last {@link #reset()} (read on the Replicant's thread or after it stopped).
     */
    public long passes()
    {
        return passes;
    }

    /**
     * @param phase one of the phase indices ({@code WAIT} .. {@code CPU}).
     * @return the sum of that phase over the passes since the last reset, in ns.
     */
    long total(final int phase)
    {
        return totals[phase];
    }

    /**
     * One line per phase: p50, p99 and max over the passes since the last report, the mean, and the phase's share of
     * the passes' wall time; then the ratio of CPU to wall time and the CPU per delivered update. Starts the next
     * interval (like {@link #reset()}). Allocates: for a report thread, racing at most the pass in progress.
     *
     * @return the report, several lines.
     */
    public String report()
    {
        final long[] totals = this.totals.clone(); // one view of the totals the Replicant keeps adding to
        final long passes = this.passes;
        final long updates = this.updates;
        final StringBuilder out = new StringBuilder(1024);
        out.append(String.format(Locale.ROOT, "replicant pass profile: %,d passes (ms: p50 / p99 / max, mean, share " +
            "of pass wall)%n", passes));
        final long wall = Math.max(1, totals[WALL]);
        for (int i = 0; i < recorders.length; i++)
        {
            intervals[i] = recorders[i].getIntervalHistogram(intervals[i]);
            final Histogram h = intervals[i];
            out.append(String.format(Locale.ROOT, "  %-9s %8.3f / %8.3f / %8.3f  mean %8.3f  %5.1f %%%n", NAMES[i],
                h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(99) / 1e6, h.getMaxValue() / 1e6,
                h.getMean() / 1e6, WAIT == i ? Double.NaN : 100.0 * totals[i] / wall));
        }
        out.append(String.format(Locale.ROOT, "  pass CPU / wall %.3f; updates delivered per pass %,.0f; pass CPU " +
            "per delivered update %s", (double)totals[CPU] / wall, updates / Math.max(1.0, passes),
            0 == updates ? "-" : String.format(Locale.ROOT, "%.1f ns", totals[CPU] / (double)updates)));
        reset();
        return out.toString();
    }
}
