/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.bots;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;

import java.io.File;
import java.io.FileNotFoundException;
import java.io.PrintStream;
import java.io.UncheckedIOException;

/**
 * Takes each bot agent's finished {@link MetricSet}s, writes them as interval histograms (tagged {@code t<thread>})
 * into one HdrHistogram log per metric ({@code <output>/<metric>.hlog}, readable with {@code HistogramLogProcessor}),
 * merges them into the run's totals, resets them and returns them to their agent.
 * <p>
 * Threading: runs on its own thread (it allocates and does I/O, which the bot threads must not); one single-producer
 * single-consumer queue pair per bot agent. {@link #totals(int)} may be read once this agent has stopped.
 */
public final class IntervalReporter implements Agent
{
    private final BotAgent[] agents;
    private final HistogramLogWriter[] writers = new HistogramLogWriter[MetricSet.METRICS];
    private final PrintStream[] streams = new PrintStream[MetricSet.METRICS];
    private final Histogram[] totals = new Histogram[MetricSet.METRICS];
    private final Histogram[] steadyTotals = new Histogram[MetricSet.METRICS];
    private volatile long steadyFromEpochMs = Long.MAX_VALUE;
    private final String[] tags;
    private final IntervalListener listener;
    private long intervals;

    /**
     * @param agents    whose metric sets to take.
     * @param outputDir where to write interval logs, or null for none.
     * @param startEpochMs start of the run, the logs' base time.
     * @param listener  sees each interval histogram before it is merged and reset, or null.
     */
    IntervalReporter(
        final BotAgent[] agents, final File outputDir, final long startEpochMs, final IntervalListener listener)
    {
        this.agents = agents.clone();
        this.listener = listener;
        tags = new String[agents.length];
        for (int i = 0; i < agents.length; i++)
        {
            tags[i] = "t" + i;
        }
        for (int m = 0; m < MetricSet.METRICS; m++)
        {
            totals[m] = MetricSet.newHistogram();
            steadyTotals[m] = MetricSet.newHistogram();
        }
        if (null != outputDir)
        {
            try
            {
                for (int m = 0; m < MetricSet.METRICS; m++)
                {
                    streams[m] = new PrintStream(new File(outputDir, MetricSet.NAMES[m] + ".hlog"), "US-ASCII");
                    writers[m] = new HistogramLogWriter(streams[m]);
                    writers[m].outputLogFormatVersion();
                    writers[m].setBaseTime(startEpochMs);
                    writers[m].outputBaseTime(startEpochMs);
                    writers[m].outputStartTime(startEpochMs);
                    writers[m].outputComment("Orrery bot swarm, " + MetricSet.NAMES[m] + " in ns, one tag per thread");
                    writers[m].outputLegend();
                }
            }
            catch (final FileNotFoundException | java.io.UnsupportedEncodingException ex)
            {
                close();
                throw new UncheckedIOException(new java.io.IOException(ex));
            }
        }
    }

    @Override
    public String roleName()
    {
        return "orrery-bots-reporter";
    }

    @Override
    public int doWork()
    {
        int workCount = 0;
        for (final BotAgent agent : agents)
        {
            final OneToOneConcurrentArrayQueue<MetricSet> queue = agent.toReporter();
            MetricSet set;
            while (null != (set = queue.poll()))
            {
                onInterval(set);
                agent.recycled().offer(set);
                workCount++;
            }
        }
        return workCount;
    }

    @Override
    public void onClose()
    {
        doWork();
        close();
    }

    /**
     * @return the merged histogram of a metric over all threads and intervals so far.
     */
    public Histogram totals(final int metric)
    {
        return totals[metric];
    }

    /**
     * Merge from now on, besides the totals, every interval that starts at or after this time into the steady-state
     * totals (the ramp's handshakes and first spawns, and the inputs that wait for them, left out). The first call
     * counts; any thread.
     *
     * @param epochMs wall clock from which an interval is steady state.
     */
    public void steadyFrom(final long epochMs)
    {
        if (Long.MAX_VALUE == steadyFromEpochMs)
        {
            steadyFromEpochMs = epochMs;
        }
    }

    /**
     * @return the wall clock from which intervals are steady state, or {@link Long#MAX_VALUE} if never set.
     */
    public long steadyFromEpochMs()
    {
        return steadyFromEpochMs;
    }

    /**
     * @return the merged histogram of a metric over all threads and the intervals that started at or after
     * {@link #steadyFrom(long)}: empty if it was never called.
     */
    public Histogram steadyTotals(final int metric)
    {
        return steadyTotals[metric];
    }

    /**
     * @return interval sets processed.
     */
    public long intervals()
    {
        return intervals;
    }

    void onInterval(final MetricSet set)
    {
        intervals++;
        final boolean steady = set.startEpochMs >= steadyFromEpochMs;
        for (int m = 0; m < MetricSet.METRICS; m++)
        {
            final Histogram histogram = set.histograms[m];
            if (null != writers[m])
            {
                histogram.setStartTimeStamp(set.startEpochMs);
                histogram.setEndTimeStamp(set.endEpochMs);
                histogram.setTag(tags[set.threadIndex]);
                writers[m].outputIntervalHistogram(histogram);
            }
            if (null != listener)
            {
                listener.onInterval(set.threadIndex, m, histogram, set.startEpochMs, set.endEpochMs);
            }
            totals[m].add(histogram);
            if (steady)
            {
                steadyTotals[m].add(histogram);
            }
        }
        set.reset();
    }

    private void close()
    {
        for (int m = 0; m < MetricSet.METRICS; m++)
        {
            if (null != streams[m])
            {
                streams[m].flush();
                CloseHelper.quietClose(streams[m]);
                streams[m] = null;
                writers[m] = null;
            }
        }
    }
}
