/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.perf.gatling;

import io.orrery.bots.EmbeddedShard;
import io.orrery.core.ReplicationLayer;
import io.orrery.core.status.OrreryCounter;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.SystemEpochClock;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.text.SimpleDateFormat;
import java.util.Date;
import java.util.Locale;
import java.util.TimeZone;

/**
 * What a simulation puts under load, started in its {@code before()} and closed in its {@code after()}: an embedded
 * shard ({@link EmbeddedShard}: Replication Layer with the default ScriptedAuthority on its own embedded media driver
 * in a fresh directory) unless {@value SessionGateway.Context#AERON_DIR_PROP} names the Aeron directory of a running
 * shard; the {@link SessionGateway}; the {@link LatencyLog} on its own reporting thread, writing into
 * {@value #HDR_DIR_PROP} (default {@value #HDR_DIR_DEFAULT}) {@code /<name>-<UTC timestamp>/}: {@code *.hlog} and
 * {@code summary.txt}.
 * <p>
 * Threading: {@link #start()} and {@link #close()} on Gatling's main thread; {@link #gateway()} from any thread.
 */
final class OrreryRun implements AutoCloseable
{
    static final String HDR_DIR_PROP = "orrery.gatling.hdr.dir";
    static final String HDR_DIR_DEFAULT = "target/gatling-hdr";
    static final long LOG_INTERVAL_MS = 1000;

    private final String name;
    private final String description;
    private final long inputUpdateP99BoundMs;
    private volatile SessionGateway gateway;
    private EmbeddedShard shard;
    private LatencyLog latencyLog;
    private AgentRunner latencyLogRunner;
    private File outputDir;
    private String aeronDirectoryName;

    /**
     * @param name        prefix of the output directory.
     * @param description settings of the run, written at the top of the summary.
     * @param inputUpdateP99BoundMs the simulation's p99 bound, checked again in the summary against the exact
     *                              HdrHistogram p99 (Gatling's own percentiles are t-digest estimates).
     */
    OrreryRun(final String name, final String description, final long inputUpdateP99BoundMs)
    {
        this.name = name;
        this.description = description;
        this.inputUpdateP99BoundMs = inputUpdateP99BoundMs;
    }

    void start()
    {
        try
        {
            final String externalDir = System.getProperty(SessionGateway.Context.AERON_DIR_PROP, "").trim();
            aeronDirectoryName = externalDir.isEmpty() ? null : externalDir;
            if (null == aeronDirectoryName)
            {
                shard = EmbeddedShard.launch(
                    new ReplicationLayer.Context().tokenSecret(),
                    Integer.getInteger(ReplicationLayer.Context.MAX_SESSIONS_PROP,
                        ReplicationLayer.Context.MAX_SESSIONS_DEFAULT),
                    null);
                aeronDirectoryName = shard.aeronDirectoryName();
            }
            final SimpleDateFormat format = new SimpleDateFormat("yyyyMMdd-HHmmss", Locale.ROOT);
            format.setTimeZone(TimeZone.getTimeZone("UTC"));
            outputDir = new File(System.getProperty(HDR_DIR_PROP, HDR_DIR_DEFAULT),
                name + "-" + format.format(new Date()));
            latencyLog = new LatencyLog(outputDir, SystemEpochClock.INSTANCE, LOG_INTERVAL_MS);
            latencyLogRunner = new AgentRunner(new SleepingMillisIdleStrategy(50),
                (throwable) -> throwable.printStackTrace(System.err), null, latencyLog);
            AgentRunner.startOnThread(latencyLogRunner);
            gateway = SessionGateway.launch(new SessionGateway.Context()
                .aeronDirectoryName(aeronDirectoryName)
                .latencyLog(latencyLog));
            System.out.println("Orrery: " + (null != shard ? "embedded shard" : "external shard") + " at " +
                aeronDirectoryName + ", µs latency logs in " + outputDir.getAbsolutePath());
        }
        catch (final RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    /**
     * @return the running gateway.
     * @throws IllegalStateException before {@link #start()}.
     */
    SessionGateway gateway()
    {
        final SessionGateway gateway = this.gateway;
        if (null == gateway)
        {
            throw new IllegalStateException("Orrery run not started");
        }
        return gateway;
    }

    @Override
    public void close()
    {
        final SessionGateway gateway = this.gateway;
        CloseHelper.quietClose(gateway);
        CloseHelper.quietClose(latencyLogRunner);
        if (null != latencyLog)
        {
            latencyLog.finish();
            final String summary = summary(gateway);
            System.out.print(summary);
            try
            {
                Files.write(new File(outputDir, "summary.txt").toPath(), summary.getBytes(StandardCharsets.UTF_8));
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
            finally
            {
                CloseHelper.quietClose(shard);
            }
        }
        else
        {
            CloseHelper.quietClose(shard);
        }
    }

    private String summary(final SessionGateway gateway)
    {
        final StringBuilder out = new StringBuilder(1024);
        out.append("Orrery Gatling run ").append(name).append(": ").append(description).append('\n');
        out.append("shard: ").append(null != shard ? "embedded" : "external").append(" at ")
            .append(aeronDirectoryName).append('\n');
        if (null != gateway)
        {
            out.append(String.format(Locale.ROOT,
                "requests ok/ko: connect %d/%d, input->update %d/%d, disconnect %d/%d; inputs back-pressured %d, " +
                "sessions lost %d, callback errors %d%n",
                gateway.connectsOk(), gateway.connectsFailed(), gateway.inputsOk(), gateway.inputsFailed(),
                gateway.disconnectsOk(), gateway.disconnectsFailed(), gateway.inputsBackPressured(),
                gateway.sessionsLost(), gateway.callbackErrors()));
        }
        if (null != shard)
        {
            out.append(String.format(Locale.ROOT,
                "layer: sessions opened %d, timed out %d, slow consumers %d, ticks %d, ticks dropped %d, " +
                "inputs received %d, rate limited %d, max duty cycle %.1f ms, errors %d%n",
                shard.counter(OrreryCounter.SESSIONS_OPENED), shard.counter(OrreryCounter.SESSIONS_TIMED_OUT),
                shard.counter(OrreryCounter.SESSIONS_SLOW_CONSUMER), shard.counter(OrreryCounter.TICKS),
                shard.counter(OrreryCounter.UPDATES_DROPPED_BACK_PRESSURE),
                shard.counter(OrreryCounter.INPUTS_RECEIVED), shard.counter(OrreryCounter.INPUTS_RATE_LIMITED),
                shard.counter(OrreryCounter.MAX_DUTY_CYCLE_NS) / 1e6, shard.counter(OrreryCounter.ERRORS)));
        }
        out.append(latencyLog.summary());
        final org.HdrHistogram.Histogram inputUpdate = latencyLog.inputUpdateTotalUs();
        if (inputUpdate.getTotalCount() > 0)
        {
            final double p99Ms = inputUpdate.getValueAtPercentile(99) / 1000.0;
            out.append(String.format(Locale.ROOT,
                "input->update p99 from HdrHistogram: %.1f ms, bound %d ms: %s%n",
                p99Ms, inputUpdateP99BoundMs, p99Ms < inputUpdateP99BoundMs ? "below" : "NOT below"));
        }
        return out.toString();
    }
}
