/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.perf.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.orrery.core.status.OrreryCounter;
import io.orrery.perf.aeron.AeronPingPong;
import io.orrery.perf.scenario.LatencySummary;
import io.orrery.perf.scenario.RepetitionResult;
import io.orrery.perf.scenario.ScenarioResult;

/**
 * Writes {@code summary.json}: the scenario, the machine, per repetition the bots' outcome, every latency metric's
 * percentiles (ms, after the warm-up), the floor's round trip percentiles (µs) and the ratios Orrery/floor, the
 * shard's counters; then the medians across repetitions.
 * <p>
 * Threading: stateless, any thread.
 */
public final class SummaryWriter
{
    private static final String[] QUANTILE_NAMES = { "p50", "p90", "p99", "p99.9", "max" };

    private SummaryWriter()
    {
    }

    /**
     * Write the summary of a scenario run.
     *
     * @param result what ran.
     * @param file   where to write.
     * @throws IOException when it cannot be written.
     */
    public static void write(final ScenarioResult result, final Path file) throws IOException
    {
        Files.write(file, toJson(result).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The summary as JSON.
     *
     * @param result what ran.
     * @return the JSON document.
     */
    public static String toJson(final ScenarioResult result)
    {
        final Json json = new Json().beginObject();
        json.name("scenario").beginObject()
            .member("name", result.scenario().name())
            .member("source", result.scenario().source())
            .member("description", result.scenario().description())
            .name("settings").beginObject();
        for (final Map.Entry<String, String> entry : result.scenario().values().entrySet())
        {
            json.member(entry.getKey(), entry.getValue());
        }
        json.endObject().endObject();
        json.member("shard", result.shard());
        json.name("machine");
        result.machine().writeTo(json);
        json.member("finishedAt", result.finishedAt().toString());
        json.member("clean", result.clean());

        json.name("repetitions").beginArray();
        for (final RepetitionResult repetition : result.repetitions())
        {
            writeRepetition(json, repetition, result.scenario());
        }
        json.endArray();

        json.name("medians").beginObject().name("inputLatencyMs").beginObject();
        for (int q = 0; q < QUANTILE_NAMES.length; q++)
        {
            final int index = q;
            json.member(QUANTILE_NAMES[q], result.median((r) -> r.inputLatency().quantilesNs()[index] / 1e6));
        }
        json.endObject().name("floorUs").beginObject();
        for (int q = 0; q < QUANTILE_NAMES.length; q++)
        {
            final double quantile = LatencySummary.QUANTILES[q];
            json.member(QUANTILE_NAMES[q], result.median((r) -> floorUs(r.floor(), quantile)));
        }
        json.endObject().name("ratioToFloor").beginObject();
        for (int q = 0; q < QUANTILE_NAMES.length; q++)
        {
            final int index = q;
            json.member(QUANTILE_NAMES[q], result.median((r) -> r.ratioToFloor(index)));
        }
        json.endObject();
        json.member("bytesPerClientPerSecond", result.median((r) -> r.swarm().count("bytesPerClientPerSecond")));
        json.member("bytesPerUpdateEntry",
            result.median((r) -> bytesPerUpdateEntry(r, OrreryCounter.UPDATE_BYTES_OUT)));
        json.member("logBytesPerUpdateEntry",
            result.median((r) -> bytesPerUpdateEntry(r, OrreryCounter.UPDATE_WIRE_BYTES_OUT)));
        if (!result.repetitions().isEmpty() &&
            result.repetitions().stream().allMatch((r) -> null != r.stateResidence()))
        {
            json.name("layerStateResidenceMs").beginObject();
            for (int q = 0; q < QUANTILE_NAMES.length; q++)
            {
                final int index = q;
                json.member(QUANTILE_NAMES[q], result.median((r) -> r.stateResidence().quantilesNs()[index] / 1e6));
            }
            json.endObject().name("layerInputResidenceMs").beginObject();
            for (int q = 0; q < QUANTILE_NAMES.length; q++)
            {
                final int index = q;
                json.member(QUANTILE_NAMES[q], result.median((r) -> r.inputResidence().quantilesNs()[index] / 1e6));
            }
            json.endObject();
        }
        if (result.repetitions().stream().anyMatch((r) -> null != r.mesh()))
        {
            json.name("handoffGapMs").beginObject();
            for (int q = 0; q < QUANTILE_NAMES.length; q++)
            {
                final int index = q;
                json.member(QUANTILE_NAMES[q], result.median((r) -> r.handoffGap().quantilesNs()[index] / 1e6));
            }
            json.endObject()
                .member("handoffsPerS", result.median((r) -> null == r.mesh() ? Double.NaN : r.mesh().handoffsPerS()))
                .member("failoverDetectedMs", result.median((r) -> null == r.mesh() ? Double.NaN :
                    r.mesh().failoverDetectedMs()))
                .member("clientFailoverMaxMs", result.median((r) -> null == r.mesh() ? Double.NaN :
                    r.mesh().clientFailoverMaxMs()))
                .member("maxAvgCostSettled", result.median((r) -> null == r.balance(result.scenario()) ?
                    Double.NaN : r.balance(result.scenario()).maxAvgCostMean()))
                .member("maxAvgPlayersSettled", result.median((r) -> null == r.balance(result.scenario()) ?
                    Double.NaN : r.balance(result.scenario()).maxAvgPlayersMean()))
                .member("borderMovesPerMinute", result.median((r) -> null == r.balance(result.scenario()) ?
                    Double.NaN : r.balance(result.scenario()).borderMovesPerMinute()));
        }
        json.endObject();
        return json.endObject().toString();
    }

    private static void writeRepetition(
        final Json json, final RepetitionResult repetition, final io.orrery.perf.scenario.Scenario scenario)
    {
        json.beginObject()
            .member("repetition", repetition.repetition())
            .member("directory", repetition.directory())
            .member("elapsedS", repetition.elapsedS())
            .member("loadAverageEnd", repetition.loadAverageEnd())
            .name("bots").beginObject()
            .member("requested", repetition.swarm().botsRequested())
            .member("connected", repetition.swarm().botsConnected())
            .member("failed", repetition.swarm().botsFailed())
            .member("correctnessErrors", repetition.swarm().correctnessErrors())
            .member("inputsSent", repetition.swarm().count("inputsSent"))
            .member("updatesReceived", repetition.swarm().count("updatesReceived"))
            .member("bytesReceived", repetition.swarm().count("bytesReceived"))
            .member("bytesPerClientPerSecond", repetition.swarm().count("bytesPerClientPerSecond"))
            .endObject();
        json.name("wire").beginObject()
            .member("bytesPerUpdateEntry", bytesPerUpdateEntry(repetition, OrreryCounter.UPDATE_BYTES_OUT))
            .member("logBytesPerUpdateEntry", bytesPerUpdateEntry(repetition, OrreryCounter.UPDATE_WIRE_BYTES_OUT))
            .endObject();

        json.name("latencyMs").beginObject();
        for (final LatencySummary latency : repetition.latencies())
        {
            json.name(latency.metric()).beginObject().member("count", latency.count());
            for (int q = 0; q < QUANTILE_NAMES.length; q++)
            {
                json.member(QUANTILE_NAMES[q], latency.quantilesNs()[q] / 1e6);
            }
            json.endObject();
        }
        json.endObject();

        final AeronPingPong.Result floor = repetition.floor();
        if (null != floor)
        {
            json.name("floorUs").beginObject()
                .member("channel", floor.channel())
                .member("messageLength", floor.config().messageLength())
                .member("threading", floor.config().threadingMode() + ", driver " + floor.config().driverIdle() +
                    ", ping/pong " + floor.config().appIdle())
                .member("count", floor.count());
            for (int q = 0; q < QUANTILE_NAMES.length; q++)
            {
                json.member(QUANTILE_NAMES[q], floorUs(floor, LatencySummary.QUANTILES[q]));
            }
            json.endObject();
        }
        json.name("ratioToFloor").beginObject();
        for (int q = 0; q < QUANTILE_NAMES.length; q++)
        {
            json.member(QUANTILE_NAMES[q], repetition.ratioToFloor(q));
        }
        json.endObject();

        json.name("counters").beginObject();
        for (final OrreryCounter counter : OrreryCounter.values())
        {
            json.member(counter.name().toLowerCase(java.util.Locale.ROOT), repetition.counters().total(counter));
        }
        json.endObject();
        if (null != repetition.mesh())
        {
            json.name("mesh");
            repetition.mesh().writeTo(json);
        }
        final io.orrery.perf.scenario.BalanceResult balance = repetition.balance(scenario);
        if (null != balance)
        {
            json.name("balance");
            balance.writeTo(json);
        }
        json.endObject();
    }

    /**
     * Bytes per update entry the layer sent, by its own counters (message bytes, or egress log bytes with Aeron's
     * headers and alignment).
     */
    private static double bytesPerUpdateEntry(final RepetitionResult repetition, final OrreryCounter bytes)
    {
        final long entries = repetition.counters().total(OrreryCounter.UPDATE_ENTRIES_SENT);
        return entries > 0 ? repetition.counters().total(bytes) / (double)entries : Double.NaN;
    }

    private static double floorUs(final AeronPingPong.Result floor, final double quantile)
    {
        if (null == floor)
        {
            return Double.NaN;
        }
        return 1.0 == quantile ? floor.maxUs() : floor.valueAtPercentileUs(quantile * 100);
    }
}
