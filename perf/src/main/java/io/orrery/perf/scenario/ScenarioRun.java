/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.perf.scenario;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

import io.aeron.driver.ThreadingMode;
import io.orrery.bots.BehaviourMix;
import io.orrery.bots.BotSwarm;
import io.orrery.bots.MetricSet;
import io.orrery.bots.SwarmSummary;
import io.orrery.core.status.OrreryCounter;
import io.orrery.perf.aeron.AeronPingPong;
import io.orrery.perf.aeron.IdleMode;
import io.orrery.perf.report.HtmlReport;
import io.orrery.perf.report.Json;
import io.orrery.perf.report.PercentileDistribution;
import io.orrery.perf.report.SummaryWriter;
import org.HdrHistogram.Histogram;

/**
 * Runs a {@link Scenario}: for each repetition start a fresh {@link ShardUnderTest}, ramp the bot swarm, take a
 * {@link Sample} every second (published to the {@link LiveData} the dashboard serves), stop, then measure the raw
 * Aeron floor ({@link AeronPingPong}: same channel type, SHARED driver, the same backoff idle strategy, the size of a
 * {@code PlayerInput}); finally write {@code summary.json} and the self-contained {@code report.html}.
 * <pre>
 *   out/summary.json   scenario, machine, each repetition's percentiles, floor, ratios; medians across repetitions
 *   out/report.html    one file, opens offline: percentile distribution, latency over time, throughput, bots, CPU,
 *                      memory, GC, drops
 *   out/rep-N/         the swarm's HdrHistogram interval logs (&lt;metric&gt;.hlog), samples.json
 * </pre>
 * Threading: {@link #run()} blocks the calling thread, which only controls and samples (it parks between samples);
 * the shard, the bots and the floor run on their own threads.
 */
public final class ScenarioRun
{
    private static final long SAMPLE_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);

    /**
     * Interval of the bots' histograms and status figures: a quarter of the sampling interval, because bot agents
     * publish their status only at each interval, and at the same period as the sampler the per-second rates alias
     * (alternating 0 and 2x). The interval logs get 250 ms resolution.
     */
    private static final long BOT_REPORT_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(250);

    private final Scenario scenario;
    private final Path outputDirectory;
    private final LiveData live;
    private final PrintStream log;
    private final Function<Scenario, ShardUnderTest> shardFactory;

    /**
     * @param scenario        what to run.
     * @param outputDirectory where to write; created if needed.
     * @param live            receives a snapshot every second (the dashboard's source).
     * @param log             progress lines.
     * @param shardFactory    creates the shard for each repetition, e.g. {@link ShardsUnderTest#create(Scenario)}.
     */
    public ScenarioRun(
        final Scenario scenario,
        final Path outputDirectory,
        final LiveData live,
        final PrintStream log,
        final Function<Scenario, ShardUnderTest> shardFactory)
    {
        this.scenario = scenario;
        this.outputDirectory = outputDirectory;
        this.live = live;
        this.log = log;
        this.shardFactory = shardFactory;
    }

    /**
     * Run every repetition and write the summary and the report.
     *
     * @return the result.
     * @throws IOException when the output cannot be written.
     */
    public ScenarioResult run() throws IOException
    {
        Files.createDirectories(outputDirectory);
        final Machine machine = Machine.describe();
        log.println("scenario " + scenario);
        log.println("machine " + machine);
        final List<RepetitionResult> repetitions = new ArrayList<>();
        String shardDescription = "";
        for (int repetition = 1; repetition <= scenario.repetitions(); repetition++)
        {
            try (ShardUnderTest shard = shardFactory.apply(scenario))
            {
                repetitions.add(runRepetition(repetition, shard));
                shardDescription = shard.description();
            }
        }

        final ScenarioResult result = new ScenarioResult(
            scenario, shardDescription, machine, List.copyOf(repetitions), Instant.now(), outputDirectory);
        SummaryWriter.write(result, outputDirectory.resolve("summary.json"));
        HtmlReport.write(result, outputDirectory.resolve("report.html"));
        live.onPhase("done");
        log.println("summary: " + outputDirectory.resolve("summary.json").toAbsolutePath());
        log.println("report:  " + outputDirectory.resolve("report.html").toAbsolutePath());
        return result;
    }

    private RepetitionResult runRepetition(final int repetition, final ShardUnderTest shard) throws IOException
    {
        final Path directory = outputDirectory.resolve("rep-" + repetition);
        Files.createDirectories(directory);
        live.onRepetitionStart(scenario.name(), repetition, scenario.repetitions());
        log.printf(Locale.ROOT, "repetition %d/%d: starting %s%n", repetition, scenario.repetitions(),
            shard.getClass().getSimpleName());
        shard.start(scenario);

        final long warmupMs = TimeUnit.NANOSECONDS.toMillis(scenario.warmupNs());
        final IntervalCollector collector = new IntervalCollector(System.currentTimeMillis() + warmupMs);
        final List<Sample> samples = new ArrayList<>();
        final Histogram scratch = IntervalCollector.newHistogram();
        final SwarmSummary summary;
        final long elapsedNs;
        final ShardCounters counters;
        final MeshTracker mesh = scenario.servers() > 0 ? new MeshTracker() : null;
        final LayerResidence residence = new LayerResidence(shard.layer());
        try (BotSwarm swarm = BotSwarm.launch(swarmSettings(shard, directory, collector)))
        {
            live.onPhase("running");
            final Sampler sampler = new Sampler(swarm, shard, collector, swarm.startNs());
            final long endNs = swarm.startNs() + scenario.durationNs();
            final long warmupEndNs = swarm.startNs() + scenario.warmupNs();
            final long killNs = scenario.killServerAtNs() > 0 ? swarm.startNs() + scenario.killServerAtNs() : endNs;
            long nextSampleNs = swarm.startNs() + SAMPLE_INTERVAL_NS;
            boolean residenceFromWarmup = false;
            while (true)
            {
                final long deadlineNs = Math.min(Math.min(nextSampleNs, endNs),
                    null != mesh && 0 == mesh.killedServer ? killNs : endNs);
                long nowNs;
                while ((nowNs = System.nanoTime()) - deadlineNs < 0)
                {
                    LockSupport.parkNanos(deadlineNs - nowNs);
                }
                if (nowNs - endNs >= 0)
                {
                    break;
                }
                if (null != mesh && 0 == mesh.killedServer && nowNs - killNs >= 0)
                {
                    mesh.kill(shard, collector, nowNs, swarm.startNs());
                }
                if (nowNs - nextSampleNs < 0)
                {
                    continue;
                }
                if (!residenceFromWarmup && nowNs - warmupEndNs >= 0)
                {
                    residenceFromWarmup = true;
                    residence.reset(); // measure the layer's residence after the warm-up, like the bots' latency
                }
                final Sample sample = sampler.sample(nowNs);
                if (null != mesh && Long.MIN_VALUE == mesh.handoffsAtWarmupEnd && nowNs - warmupEndNs >= 0)
                {
                    mesh.handoffsAtWarmupEnd = sampler.counters().total(OrreryCounter.HANDOFFS_COMMITTED);
                    mesh.warmupEndNs = nowNs;
                }
                samples.add(sample);
                live.publish(sample, latencies(collector, scratch, false), sampler.counters(),
                    distribution(collector, scratch, false));
                nextSampleNs += SAMPLE_INTERVAL_NS;
                if (0 == samples.size() % 5)
                {
                    log.printf(Locale.ROOT, "%6.1fs connected %d failed %d inputs/s %.0f updates/s %.0f p50 %.2f ms " +
                        "p99 %.2f ms cpu %.0f%%%n", sample.elapsedS(), sample.connected(), sample.failed(),
                        sample.inputsPerS(), sample.updatesPerS(), sample.p50Ms(), sample.p99Ms(),
                        sample.cpuPercent());
                    if (null != sample.mesh())
                    {
                        log.printf(Locale.ROOT, "        mesh: servers in use %d, max/avg cost %.2f players %.2f, " +
                            "borders moved %d%n", sample.mesh().serversInUse(), sample.mesh().maxOverAvgCost(),
                            sample.mesh().maxOverAvgPlayers(), sample.mesh().snapshot().bordersMoved);
                    }
                    if (null != mesh)
                    {
                        log.printf(Locale.ROOT, "        handoffs/s %.1f total %d failovers %d%n", sample.handoffsPerS(),
                            sampler.counters().total(OrreryCounter.HANDOFFS_COMMITTED),
                            sampler.counters().total(OrreryCounter.SERVER_FAILOVERS));
                        for (final String line : shard.serverStatus())
                        {
                            log.println("        " + line);
                        }
                    }
                }
            }
            summary = swarm.stop();
            residence.collect();
            elapsedNs = System.nanoTime() - swarm.startNs();
            final Sample last = sampler.sample(System.nanoTime());
            samples.add(last);
            counters = sampler.counters();
            live.publish(last, latencies(collector, scratch, false), counters, distribution(collector, scratch, false));
        }
        final MeshResult meshResult = null == mesh ? null : mesh.result(shard, counters, summary, collector,
            System.nanoTime());
        shard.close();
        if (null != meshResult)
        {
            log.printf(Locale.ROOT, "repetition %d/%d mesh: %s%n", repetition, scenario.repetitions(),
                meshResult.summary());
        }
        writeSamples(directory.resolve("samples.json"), samples);
        Files.write(directory.resolve("swarm-summary.json"), summary.toJson().getBytes(StandardCharsets.UTF_8));

        AeronPingPong.Result floor = null;
        double[][] floorDistribution = new double[0][];
        if (scenario.floor())
        {
            live.onPhase("floor");
            floor = AeronPingPong.run(floorConfig());
            floorDistribution = PercentileDistribution.points(floor.histogram(), 1e6);
            log.printf(Locale.ROOT, "repetition %d/%d floor: %s%n", repetition, scenario.repetitions(),
                floor.summary());
        }

        final List<LatencySummary> measured = latencies(collector, scratch, true);
        residence.addTo(measured);
        final RepetitionResult result = new RepetitionResult(repetition, outputDirectory.relativize(directory)
            .toString(), elapsedNs / 1e9, summary, measured,
            distribution(collector, scratch, true), List.copyOf(samples), counters, floor, floorDistribution,
            Machine.loadAverageNow(), meshResult);
        final BalanceResult balance = result.balance(scenario);
        if (null != balance)
        {
            log.printf(Locale.ROOT, "repetition %d/%d balance: %s%n", repetition, scenario.repetitions(),
                balance.summary());
        }
        final LatencySummary input = result.inputLatency();
        log.printf(Locale.ROOT, "repetition %d/%d: bots %d/%d connected, correctness errors %d, input->update " +
            "p50 %.2f p99 %.2f max %.2f ms over %d values; ratio to floor p50 %.0f p99 %.0f%n",
            repetition, scenario.repetitions(), summary.botsConnected(), summary.botsRequested(),
            summary.correctnessErrors(), input.quantilesNs()[0] / 1e6, input.quantilesNs()[2] / 1e6,
            input.quantilesNs()[4] / 1e6, input.count(), result.ratioToFloor(0), result.ratioToFloor(2));
        final String replicants = summary.compositionLine();
        if (!replicants.isEmpty())
        {
            log.printf(Locale.ROOT, "repetition %d/%d %s%n", repetition, scenario.repetitions(), replicants);
        }
        if (null != result.stateResidence())
        {
            final LatencySummary state = result.stateResidence();
            final LatencySummary in = result.inputResidence();
            log.printf(Locale.ROOT, "repetition %d/%d: layer residence of server state p50 %.3f p99 %.3f max %.3f " +
                "ms (%d values), of client input p50 %.3f p99 %.3f max %.3f ms (%d values)%n", repetition,
                scenario.repetitions(), state.quantilesNs()[0] / 1e6, state.quantilesNs()[2] / 1e6,
                state.quantilesNs()[4] / 1e6, state.count(), in.quantilesNs()[0] / 1e6, in.quantilesNs()[2] / 1e6,
                in.quantilesNs()[4] / 1e6, in.count());
        }
        return result;
    }

    /**
     * The floor's configuration: a ping-pong over the scenario's floor channel (by default the client ingress
     * channel: IPC with 64 KiB terms), SHARED media driver, ping and pong idling like the layer and the bots (backoff
     * up to 100 µs), messages the size of a PlayerInput, back to back.
     *
     * @return the floor's configuration.
     */
    AeronPingPong.Config floorConfig()
    {
        return new AeronPingPong.Config()
            .channel(scenario.floorChannel())
            .messageLength(scenario.floorMessageLength())
            .warmUpMessages(scenario.floorWarmup())
            .messages(scenario.floorRoundTrips())
            .threadingMode(ThreadingMode.SHARED)
            .driverIdle(IdleMode.BACKOFF_100US)
            .appIdle(IdleMode.BACKOFF_100US);
    }

    private BotSwarm.Settings swarmSettings(
        final ShardUnderTest shard, final Path directory, final IntervalCollector collector)
    {
        final long extentMm = (long)(scenario.worldHalfExtentM() * 1000);
        return new BotSwarm.Settings()
            .bots(scenario.bots())
            .threads(scenario.threads())
            .durationNs(scenario.durationNs())
            .rampBotsPerSecond(scenario.rampPerSecond())
            .inputRateHz(scenario.inputRateHz())
            .mix(BehaviourMix.parse(scenario.mix()))
            .seed(scenario.seed())
            .outputDir(directory.toFile())
            .aeronDirectoryName(shard.aeronDirectory())
            .ingressChannel(shard.clientIngressChannel())
            .ingressStreamId(shard.clientIngressStreamId())
            .tokenSecret(shard.tokenSecret())
            .worldHalfExtentMm(extentMm)
            .hotspotsMm(scenario.hotspotsMm())
            .crowdMm(scenario.crowdXMm(), scenario.crowdYMm())
            .rallyPointsMm(scenario.rallyMm())
            .rallyLegNs(scenario.rallyLegNs())
            .rallyScatterAtNs(scenario.rallyScatterAtNs())
            .reportIntervalNs(BOT_REPORT_INTERVAL_NS)
            .intervalListener(collector);
    }

    /**
     * The repetition's server-meshing state: handoffs at the end of the warm-up, the abrupt stop of a game server and
     * its failover probe. Controlling thread only.
     */
    private final class MeshTracker
    {
        long handoffsAtWarmupEnd = Long.MIN_VALUE;
        long warmupEndNs;
        int killedServer;
        long killedAtNs;
        long playersOnKilledServer;
        FailoverProbe probe;

        void kill(final ShardUnderTest shard, final IntervalCollector collector, final long nowNs, final long startNs)
        {
            final int serverId = 0 == scenario.killServer() ? shard.serverIds()[0] : scenario.killServer();
            probe = new FailoverProbe(shard.countersReader(), TimeUnit.SECONDS.toNanos(10));
            final long epochMs = System.currentTimeMillis();
            killedAtNs = System.nanoTime();
            playersOnKilledServer = shard.stopServerAbruptly(serverId);
            if (playersOnKilledServer < 0)
            {
                throw new IllegalArgumentException("kill-server=" + serverId + ": no such game server");
            }
            probe.start(killedAtNs);
            collector.window(epochMs, epochMs + MeshResult.FAILOVER_WINDOW_MS);
            killedServer = serverId;
            log.printf(Locale.ROOT, "%6.1fs stopped game server %d abruptly (%d players)%n",
                (killedAtNs - startNs) / 1e9, serverId, playersOnKilledServer);
            live.onPhase("failover");
        }

        MeshResult result(
            final ShardUnderTest shard,
            final ShardCounters counters,
            final SwarmSummary summary,
            final IntervalCollector collector,
            final long nowNs)
        {
            final long committed = counters.total(OrreryCounter.HANDOFFS_COMMITTED);
            final long measuredCommitted = Long.MIN_VALUE == handoffsAtWarmupEnd ? 0 : committed - handoffsAtWarmupEnd;
            final double measuredS = Long.MIN_VALUE == handoffsAtWarmupEnd ? Double.NaN :
                (nowNs - warmupEndNs) / 1e9;
            double detectedMs = Double.NaN;
            double reassignedMs = Double.NaN;
            long reassigned = 0;
            long gaps = 0;
            double gapP50Ms = Double.NaN;
            double gapP99Ms = Double.NaN;
            double gapMaxMs = Double.NaN;
            if (null != probe)
            {
                try
                {
                    probe.join(TimeUnit.SECONDS.toMillis(10));
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
                detectedMs = FailoverProbe.NOT_SEEN == probe.detectedAfterNs() ? Double.NaN :
                    probe.detectedAfterNs() / 1e6;
                reassignedMs = FailoverProbe.NOT_SEEN == probe.reassignedAfterNs() ? Double.NaN :
                    probe.reassignedAfterNs() / 1e6;
                reassigned = probe.entitiesReassigned();
                final Histogram window = IntervalCollector.newHistogram();
                collector.copyWindow(MetricSet.HANDOFF_GAP, window);
                final long thresholdNs = MeshResult.AFFECTED_THRESHOLD_TICKS * TimeUnit.SECONDS.toNanos(1) /
                    scenario.tickHz();
                final Histogram affected = IntervalCollector.newHistogram();
                for (final org.HdrHistogram.HistogramIterationValue value : window.recordedValues())
                {
                    if (value.getValueIteratedTo() >= thresholdNs)
                    {
                        affected.recordValueWithCount(value.getValueIteratedTo(), value.getCountAtValueIteratedTo());
                    }
                }
                gaps = affected.getTotalCount();
                if (gaps > 0)
                {
                    gapP50Ms = affected.getValueAtPercentile(50) / 1e6;
                    gapP99Ms = affected.getValueAtPercentile(99) / 1e6;
                    gapMaxMs = affected.getMaxValue() / 1e6;
                }
            }
            return new MeshResult(
                shard.serverIds().length,
                measuredCommitted,
                measuredCommitted / measuredS,
                counters.total(OrreryCounter.HANDOFFS_STARTED),
                counters.total(OrreryCounter.HANDOFFS_TIMED_OUT),
                summary.count("authorityChangesSeen"),
                killedServer,
                0 == killedServer ? Double.NaN : scenario.killServerAtNs() / 1e9,
                playersOnKilledServer,
                detectedMs,
                reassignedMs,
                reassigned,
                gaps,
                null == probe ? 0 : probe.failoversBefore(),
                gapP50Ms,
                gapP99Ms,
                gapMaxMs,
                counters.total(OrreryCounter.SERVER_FAILOVERS),
                counters.total(OrreryCounter.STALE_EPOCH_WRITES),
                counters.total(OrreryCounter.UNAUTHORISED_WRITES),
                summary.correctness().get("unexpectedDisconnects"),
                shard.serverStatus());
        }
    }

    private static List<LatencySummary> latencies(
        final IntervalCollector collector, final Histogram scratch, final boolean measured)
    {
        final List<LatencySummary> latencies = new ArrayList<>(MetricSet.METRICS);
        for (int metric = 0; metric < MetricSet.METRICS; metric++)
        {
            fill(collector, metric, scratch, measured);
            latencies.add(LatencySummary.of(MetricSet.NAMES[metric], scratch));
        }
        return latencies;
    }

    private static double[][] distribution(
        final IntervalCollector collector, final Histogram scratch, final boolean measured)
    {
        fill(collector, MetricSet.INPUT_LATENCY, scratch, measured);
        return PercentileDistribution.points(scratch, 1e6);
    }

    private static void fill(
        final IntervalCollector collector, final int metric, final Histogram target, final boolean measured)
    {
        if (measured)
        {
            collector.copyMeasured(metric, target);
        }
        else
        {
            collector.copyAll(metric, target);
        }
    }

    private static void writeSamples(final Path file, final List<Sample> samples) throws IOException
    {
        final Json json = new Json().beginArray();
        for (final Sample sample : samples)
        {
            sample.writeTo(json);
        }
        json.endArray();
        Files.write(file, json.toString().getBytes(StandardCharsets.UTF_8));
    }
}
