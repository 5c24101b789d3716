/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.perf.gatling;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.HdrHistogram.SingleWriterRecorder;
import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.EpochClock;

import java.io.File;
import java.io.FileNotFoundException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.UnsupportedEncodingException;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Microsecond latencies of a load run next to Gatling's millisecond ones: the gateway thread records every completed
 * input → update and connect into a {@link SingleWriterRecorder}; this agent, on its own thread, takes an interval
 * histogram per metric every {@code intervalMs}, appends it to an HdrHistogram interval log
 * ({@code <dir>/input-update.hlog}, {@code <dir>/connect.hlog}, values in µs, readable with
 * {@code HistogramLogProcessor}) and adds it to the run's totals.
 * <p>
 * Threading: {@link #recordInputUpdateNs(long)} and {@link #recordConnectNs(long)} from one recording thread (the
 * gateway's); {@link #doWork()} from one reporting thread; {@link #finish()}, the totals and {@link #summary()} from
 * the owner once the reporting thread has stopped.
 */
public final class LatencyLog implements Agent, AutoCloseable
{
    public static final long HIGHEST_TRACKABLE_US = TimeUnit.SECONDS.toMicros(60);
    public static final int SIGNIFICANT_DIGITS = 3;
    public static final String INPUT_UPDATE = "input-update";
    public static final String CONNECT = "connect";

    private final EpochClock epochClock;
    private final long intervalMs;
    private final long startEpochMs;
    private final Metric inputUpdate;
    private final Metric connect;
    private long nextIntervalMs;
    private boolean finished;

    /**
     * @param outputDir   where the interval logs go (created if missing), or null for totals only.
     * @param epochClock  wall clock for interval boundaries.
     * @param intervalMs  length of one interval.
     */
    public LatencyLog(final File outputDir, final EpochClock epochClock, final long intervalMs)
    {
        if (intervalMs <= 0)
        {
            throw new IllegalArgumentException("intervalMs must be positive: " + intervalMs);
        }
        if (null != outputDir && !outputDir.isDirectory() && !outputDir.mkdirs())
        {
            throw new IllegalArgumentException("cannot create " + outputDir);
        }
        this.epochClock = epochClock;
        this.intervalMs = intervalMs;
        this.startEpochMs = epochClock.time();
        this.nextIntervalMs = startEpochMs + intervalMs;
        inputUpdate = new Metric(outputDir, INPUT_UPDATE, startEpochMs);
        try
        {
            connect = new Metric(outputDir, CONNECT, startEpochMs);
        }
        catch (final RuntimeException ex)
        {
            inputUpdate.close();
            throw ex;
        }
    }

    /**
     * Record one input → update latency. Recording thread only.
     */
    public void recordInputUpdateNs(final long latencyNs)
    {
        inputUpdate.record(latencyNs);
    }

    /**
     * Record one connect (hello → welcome) latency. Recording thread only.
     */
    public void recordConnectNs(final long latencyNs)
    {
        connect.record(latencyNs);
    }

    @Override
    public String roleName()
    {
        return "orrery-gatling-latency-log";
    }

    @Override
    public int doWork()
    {
        final long nowMs = epochClock.time();
        if (nowMs < nextIntervalMs)
        {
            return 0;
        }
        nextIntervalMs = nowMs + intervalMs;
        inputUpdate.rollInterval();
        connect.rollInterval();
        return 1;
    }

    /**
     * Take the last interval and flush the logs. Owner thread, after the reporting thread stopped; idempotent.
     */
    public void finish()
    {
        if (!finished)
        {
            finished = true;
            inputUpdate.rollInterval();
            connect.rollInterval();
            inputUpdate.close();
            connect.close();
        }
    }

    @Override
    public void close()
    {
        finish();
    }

    public long startEpochMs()
    {
        return startEpochMs;
    }

    /**
     * @return every input → update latency taken into an interval so far, in µs.
     */
    public Histogram inputUpdateTotalUs()
    {
        return inputUpdate.total;
    }

    /**
     * @return every connect latency taken into an interval so far, in µs.
     */
    public Histogram connectTotalUs()
    {
        return connect.total;
    }

    /**
     * @return a table of the totals in µs (count, mean, p50, p90, p99, p99.9, max).
     */
    public String summary()
    {
        final StringBuilder out = new StringBuilder(512);
        out.append(String.format(Locale.ROOT, "%-14s %9s %10s %10s %10s %10s %10s %10s%n",
            "metric (us)", "count", "mean", "p50", "p90", "p99", "p99.9", "max"));
        appendRow(out, "input->update", inputUpdate.total);
        appendRow(out, "connect", connect.total);
        return out.toString();
    }

    private static void appendRow(final StringBuilder out, final String name, final Histogram histogram)
    {
        out.append(String.format(Locale.ROOT, "%-14s %9d %10.1f %10d %10d %10d %10d %10d%n",
            name,
            histogram.getTotalCount(),
            histogram.getMean(),
            histogram.getValueAtPercentile(50),
            histogram.getValueAtPercentile(90),
            histogram.getValueAtPercentile(99),
            histogram.getValueAtPercentile(99.9),
            histogram.getMaxValue()));
    }

    /**
     * One recorded metric: its recorder (recording thread), its recycled interval histogram, totals and log.
     */
    private static final class Metric
    {
        final SingleWriterRecorder recorder = new SingleWriterRecorder(HIGHEST_TRACKABLE_US, SIGNIFICANT_DIGITS);
        final Histogram total = new Histogram(HIGHEST_TRACKABLE_US, SIGNIFICANT_DIGITS);
        final PrintStream stream;
        final HistogramLogWriter writer;
        Histogram interval;

        Metric(final File outputDir, final String name, final long startEpochMs)
        {
            if (null == outputDir)
            {
                stream = null;
                writer = null;
                return;
            }
            try
            {
                stream = new PrintStream(new File(outputDir, name + ".hlog"), "US-ASCII");
            }
            catch (final FileNotFoundException | UnsupportedEncodingException ex)
            {
                throw new UncheckedIOException(new java.io.IOException(ex));
            }
            writer = new HistogramLogWriter(stream);
            writer.outputLogFormatVersion();
            writer.setBaseTime(startEpochMs);
            writer.outputBaseTime(startEpochMs);
            writer.outputStartTime(startEpochMs);
            writer.outputComment("Orrery Gatling run, " + name + " latency in microseconds");
            writer.outputLegend();
        }

        void record(final long latencyNs)
        {
            final long us = (Math.max(0, latencyNs) + 500) / 1000;
            recorder.recordValue(Math.min(us, HIGHEST_TRACKABLE_US));
        }

        void rollInterval()
        {
            interval = recorder.getIntervalHistogram(interval);
            total.add(interval);
            if (null != writer && interval.getTotalCount() > 0)
            {
                writer.outputIntervalHistogram(interval);
            }
        }

        void close()
        {
            if (null != stream)
            {
                stream.flush();
                CloseHelper.quietClose(stream);
            }
        }
    }
}
