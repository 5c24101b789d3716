/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.perf.scenario;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.orrery.perf.dashboard.DashboardServer;
import org.agrona.CloseHelper;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Command line of the scenario runner: loads a scenario (by name from the class path or by path), applies
 * overrides, serves the live dashboard, runs it ({@link ScenarioRun}) and prints where the summary and the report
 * are. Exit code 0 when every bot of every repetition connected and no correctness count was above zero.
 * <p>
 * Threading: the main thread controls the run; see {@link ScenarioRun}.
 */
@Command(
    name = "orrery-scenario",
    mixinStandardHelpOptions = true,
    version = "Orrery scenario runner 0.1.0",
    sortOptions = false,
    description = {
        "Runs a scenario: starts the shard, ramps the bots, samples every second (live dashboard + /metrics), " +
        "measures the raw Aeron floor, writes summary.json, report.html and HdrHistogram interval logs.",
        "Shipped scenarios: smoke, 2k-commute, hotspot, soak." })
public final class ScenarioRunner implements Callable<Integer>
{
    @Option(names = { "-s", "--scenario" }, required = true,
        description = "Scenario name (class path scenarios/<name>.scenario) or path of a scenario file.")
    String scenario;

    @Option(names = { "-b", "--bots" }, description = "Override: number of bots.")
    Integer bots;

    @Option(names = { "-d", "--duration" }, description = "Override: run length per repetition, e.g. 10s, 2m.")
    String duration;

    @Option(names = { "--warmup" }, description = "Override: warm-up left out of the measured figures.")
    String warmup;

    @Option(names = { "--ramp" }, description = "Override: bots connected per second.")
    Double ramp;

    @Option(names = { "--threads" }, description = "Override: bot threads.")
    Integer threads;

    @Option(names = { "--mix" }, description = "Override: behaviour mix, e.g. idle=10,walk=50,commute=40.")
    String mix;

    @Option(names = { "-r", "--repetitions" }, description = "Override: repetitions.")
    Integer repetitions;

    @Option(names = { "--servers" }, description = "Override: game servers (0 = scripted in-process authority).")
    Integer servers;

    @Option(names = { "--fallback" },
        description = "Run a servers>0 scenario with its fallback-servers setting instead (default 0: the scripted " +
            "in-process shard).")
    boolean fallback;

    @Option(names = { "--floor" }, description = "Override: raw Aeron floor after each repetition, on or off.")
    String floor;

    @Option(names = { "--set" }, description = "Override any scenario key, e.g. --set npcs=500 (repeatable).")
    Map<String, String> set = new LinkedHashMap<>();

    @Option(names = { "-o", "--out" },
        description = "Output root; the run goes to <out>/<scenario>-<time> (default: ${DEFAULT-VALUE}).")
    Path out = Path.of("target", "scenarios");

    @Option(names = { "--dashboard-port" },
        description = "Live dashboard port on 127.0.0.1: 0 = ephemeral, -1 = no dashboard (default: ${DEFAULT-VALUE}).")
    int dashboardPort = 0;

    @Option(names = { "--open-dashboard-for" },
        description = "Keep the dashboard up this long after the run, e.g. 30s (default: ${DEFAULT-VALUE}).")
    String openDashboardFor = "0s";

    /**
     * Entry point.
     *
     * @param args see {@code --help}.
     */
    public static void main(final String[] args)
    {
        System.exit(new CommandLine(new ScenarioRunner()).execute(args));
    }

    @Override
    public Integer call() throws Exception
    {
        Scenario loaded = Scenario.load(scenario, overrides());
        if (fallback && loaded.servers() > 0)
        {
            System.out.println("--fallback: servers=" + loaded.servers() + " -> " + loaded.fallbackServers());
            loaded = loaded.with(Map.of("servers", String.valueOf(loaded.fallbackServers())));
        }
        final Path directory = out.resolve(loaded.name() + "-" +
            LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT)));
        final LiveData live = new LiveData();
        DashboardServer dashboard = null;
        try
        {
            if (dashboardPort >= 0)
            {
                dashboard = DashboardServer.start(live, dashboardPort);
                System.out.println("dashboard: " + dashboard.url() + "  (metrics: " + dashboard.url() + "metrics)");
            }
            final ScenarioResult result = new ScenarioRun(
                loaded, directory, live, System.out, ShardsUnderTest::create).run();
            final long keepNs = Scenario.parseDurationNs(openDashboardFor);
            if (null != dashboard && keepNs > 0)
            {
                System.out.printf(Locale.ROOT, "dashboard stays up for %.0f s: %s%n", keepNs / 1e9, dashboard.url());
                final long deadlineNs = System.nanoTime() + keepNs;
                long nowNs;
                while ((nowNs = System.nanoTime()) - deadlineNs < 0)
                {
                    LockSupport.parkNanos(Math.min(deadlineNs - nowNs, TimeUnit.SECONDS.toNanos(1)));
                }
            }
            System.out.println(result.clean() ? "result: OK" : "result: FAILED (bots failed or correctness errors)");
            return result.clean() ? 0 : 1;
        }
        finally
        {
            CloseHelper.quietClose(dashboard);
        }
    }

    private Map<String, String> overrides()
    {
        final Map<String, String> overrides = new LinkedHashMap<>(set);
        put(overrides, "bots", bots);
        put(overrides, "duration", duration);
        put(overrides, "warmup", warmup);
        put(overrides, "ramp-per-second", ramp);
        put(overrides, "threads", threads);
        put(overrides, "mix", mix);
        put(overrides, "repetitions", repetitions);
        put(overrides, "servers", servers);
        put(overrides, "floor", floor);
        return overrides;
    }

    private static void put(final Map<String, String> overrides, final String key, final Object value)
    {
        if (null != value)
        {
            overrides.put(key, String.valueOf(value));
        }
    }
}
