/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.perf.report;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import io.orrery.perf.scenario.LatencySummary;
import io.orrery.perf.scenario.RepetitionResult;
import io.orrery.perf.scenario.ScenarioResult;

/**
 * Writes {@code report.html}: one self-contained file (data embedded as JSON, inline script drawing inline SVG, no
 * external resource of any kind) that opens from {@code file://} offline. The page is the same template the live
 * dashboard serves ({@link #template()}), in report mode.
 * <p>
 * Threading: stateless, any thread.
 */
public final class HtmlReport
{
    /**
     * The placeholder in the template replaced by the data; in live mode the page fetches the data instead.
     */
    public static final String DATA_PLACEHOLDER = "/*ORRERY_DATA*/null";

    private static final String TEMPLATE_RESOURCE = "io/orrery/perf/report/orrery-report.html";

    private HtmlReport()
    {
    }

    /**
     * Write the report of a scenario run.
     *
     * @param result what ran.
     * @param file   where to write.
     * @throws IOException when it cannot be written.
     */
    public static void write(final ScenarioResult result, final Path file) throws IOException
    {
        Files.write(file, render(result).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The report of a scenario run as one HTML document.
     *
     * @param result what ran.
     * @return the document.
     */
    public static String render(final ScenarioResult result)
    {
        return page(data(result));
    }

    /**
     * The template with the data (a JSON document as {@link ChartData} describes) embedded.
     *
     * @param dataJson the data, or {@code null} for a live page that fetches it.
     * @return the document.
     */
    public static String page(final String dataJson)
    {
        return template().replace(DATA_PLACEHOLDER, dataJson);
    }

    /**
     * The page template: HTML, CSS and the plotting script, all inline.
     *
     * @return the template.
     */
    public static String template()
    {
        try (InputStream in = HtmlReport.class.getClassLoader().getResourceAsStream(TEMPLATE_RESOURCE))
        {
            if (null == in)
            {
                throw new IllegalStateException("missing class path resource " + TEMPLATE_RESOURCE);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static String data(final ScenarioResult result)
    {
        final Json json = new Json().beginObject()
            .member("mode", "report")
            .member("title", "Orrery scenario " + result.scenario().name())
            .member("subtitle", result.scenario() + " | " + result.shard() + " | " + result.machine().processors() +
                " CPUs, " + result.machine().jdk() + ", " + result.machine().os() + " | started " +
                result.machine().startedAt() + ", load average " + result.machine().loadAverageStart());
        final RepetitionResult last = result.repetitions().get(result.repetitions().size() - 1);
        json.name("status");
        ChartData.writeStatus(json, "done", last.repetition(), result.repetitions().size(), last.elapsedS(),
            result.finishedAt().toEpochMilli(), last.swarm().botsConnected());
        json.name("runs").beginArray();
        for (final RepetitionResult repetition : result.repetitions())
        {
            ChartData.writeRun(json, "rep " + repetition.repetition(), repetition.samples(),
                repetition.distribution(), true);
        }
        json.endArray().name("floors").beginArray();
        for (final RepetitionResult repetition : result.repetitions())
        {
            if (null != repetition.floor())
            {
                json.beginObject().member("label", "floor rep " + repetition.repetition()).name("distribution");
                PercentileDistribution.writeTo(json, repetition.floorDistribution());
                json.endObject();
            }
        }
        json.endArray();
        writeTable(json, result);
        return json.endObject().toString();
    }

    private static void writeTable(final Json json, final ScenarioResult result)
    {
        json.name("table").beginObject().name("columns").beginArray();
        for (final String column : new String[]{ "repetition", "bots connected", "failed", "correctness errors",
            "input→update p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms", "values", "floor p50 µs",
            "floor p99 µs", "ratio p50", "ratio p99", "handoffs/s", "handoff gap p50 ms", "handoff gap p99 ms",
            "failover: clients' max gap ms", "unexpected disconnects", "KB/s per client",
            "layer state residence p50 ms", "p99 ms", "layer input residence p50 ms", "p99 ms",
            "servers in use", "max/avg cost settled", "max/avg players settled", "border moves/min",
            "border reversals" })
        {
            json.value(column);
        }
        json.endArray().name("rows").beginArray();
        for (final RepetitionResult repetition : result.repetitions())
        {
            final LatencySummary input = repetition.inputLatency();
            json.beginArray()
                .value(String.valueOf(repetition.repetition()))
                .value(repetition.swarm().botsConnected() + "/" + repetition.swarm().botsRequested())
                .value(repetition.swarm().botsFailed())
                .value(repetition.swarm().correctnessErrors());
            for (final long valueNs : input.quantilesNs())
            {
                json.value(format(valueNs / 1e6));
            }
            json.value(input.count())
                .value(null == repetition.floor() ? "" : format(repetition.floor().valueAtPercentileUs(50)))
                .value(null == repetition.floor() ? "" : format(repetition.floor().valueAtPercentileUs(99)))
                .value(format(repetition.ratioToFloor(0)))
                .value(format(repetition.ratioToFloor(2)));
            final io.orrery.perf.scenario.MeshResult mesh = repetition.mesh();
            json.value(null == mesh ? "" : format(mesh.handoffsPerS()))
                .value(null == mesh ? "" : format(repetition.handoffGap().quantilesNs()[0] / 1e6))
                .value(null == mesh ? "" : format(repetition.handoffGap().quantilesNs()[2] / 1e6))
                .value(null == mesh || 0 == mesh.killedServer() ? "" : format(mesh.clientFailoverMaxMs()))
                .value(null == mesh ? "" : String.valueOf(mesh.unexpectedDisconnects()))
                .value(format(repetition.swarm().count("bytesPerClientPerSecond") / 1000.0))
                .value(residenceMs(repetition.stateResidence(), 0))
                .value(residenceMs(repetition.stateResidence(), 2))
                .value(residenceMs(repetition.inputResidence(), 0))
                .value(residenceMs(repetition.inputResidence(), 2));
            final io.orrery.perf.scenario.BalanceResult balance = repetition.balance(result.scenario());
            json.value(null == balance ? "" : balance.serversInUseMin() + ".." + balance.serversInUseMax())
                .value(null == balance ? "" : format(balance.maxAvgCostMean()))
                .value(null == balance ? "" : format(balance.maxAvgPlayersMean()))
                .value(null == balance ? "" : format(balance.borderMovesPerMinute()))
                .value(null == balance ? "" : String.valueOf(balance.borderReversals()))
                .endArray();
        }
        json.beginArray().value("median").value("").value("").value("");
        for (int q = 0; q < LatencySummary.QUANTILES.length; q++)
        {
            final int index = q;
            json.value(format(result.median((r) -> r.inputLatency().quantilesNs()[index] / 1e6)));
        }
        json.value("")
            .value(format(result.median((r) -> null == r.floor() ? Double.NaN : r.floor().valueAtPercentileUs(50))))
            .value(format(result.median((r) -> null == r.floor() ? Double.NaN : r.floor().valueAtPercentileUs(99))))
            .value(format(result.median((r) -> r.ratioToFloor(0))))
            .value(format(result.median((r) -> r.ratioToFloor(2))))
            .value(format(result.median((r) -> null == r.mesh() ? Double.NaN : r.mesh().handoffsPerS())))
            .value(format(result.median((r) -> null == r.mesh() ? Double.NaN : r.handoffGap().quantilesNs()[0] / 1e6)))
            .value(format(result.median((r) -> null == r.mesh() ? Double.NaN : r.handoffGap().quantilesNs()[2] / 1e6)))
            .value(format(result.median((r) -> null == r.mesh() ? Double.NaN : r.mesh().clientFailoverMaxMs())))
            .value("")
            .value(format(result.median((r) -> r.swarm().count("bytesPerClientPerSecond") / 1000.0)))
            .value(format(result.median((r) -> residenceNs(r.stateResidence(), 0) / 1e6)))
            .value(format(result.median((r) -> residenceNs(r.stateResidence(), 2) / 1e6)))
            .value(format(result.median((r) -> residenceNs(r.inputResidence(), 0) / 1e6)))
            .value(format(result.median((r) -> residenceNs(r.inputResidence(), 2) / 1e6)))
            .value("")
            .value(format(result.median((r) -> balanceFigure(r, result, 0))))
            .value(format(result.median((r) -> balanceFigure(r, result, 1))))
            .value(format(result.median((r) -> balanceFigure(r, result, 2))))
            .value("")
            .endArray();
        json.endArray().endObject();
    }

    private static double balanceFigure(
        final RepetitionResult repetition, final ScenarioResult result, final int which)
    {
        final io.orrery.perf.scenario.BalanceResult balance = repetition.balance(result.scenario());
        if (null == balance)
        {
            return Double.NaN;
        }
        return 0 == which ? balance.maxAvgCostMean() : 1 == which ? balance.maxAvgPlayersMean() :
            balance.borderMovesPerMinute();
    }

    private static String residenceMs(final LatencySummary residence, final int quantileIndex)
    {
        return null == residence ? "" :
            String.format(Locale.ROOT, "%.3f", residence.quantilesNs()[quantileIndex] / 1e6);
    }

    private static double residenceNs(final LatencySummary residence, final int quantileIndex)
    {
        return null == residence ? Double.NaN : residence.quantilesNs()[quantileIndex];
    }

    private static String format(final double value)
    {
        if (Double.isNaN(value))
        {
            return "n/a";
        }
        return String.format(Locale.ROOT, value >= 100 ? "%,.0f" : "%.2f", value);
    }
}
