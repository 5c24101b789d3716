/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.perf.dashboard;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.orrery.perf.scenario.LiveData;
import io.orrery.perf.scenario.Scenario;
import io.orrery.perf.scenario.ScenarioResult;
import io.orrery.perf.scenario.ScenarioRun;
import io.orrery.perf.scenario.ShardsUnderTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * End to end: a short scenario (scripted in-process shard, 20 bots, 10 s, floor on) runs on a background thread with
 * the dashboard on an ephemeral port. While it runs, /metrics is scraped and checked line by line against the
 * Prometheus text format, and a real headless chromium (driven by chromedriver) watches the dashboard update; after
 * it, the produced report.html is opened from file:// and its plots checked. Screenshots go to
 * target/screenshots/. Without chromium/chromedriver the browser tests are skipped, or fail when
 * ORRERY_REQUIRE_BROWSER=1 (CI).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LiveScenarioTest
{
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final long RUN_TIMEOUT_S = 120;
    private static final String SCENARIO = String.join("\n",
        "name=browser-test",
        "bots=20",
        "ramp-per-second=40",
        "duration=10s",
        "warmup=1s",
        "npcs=50",
        "ships=1",
        "repetitions=1",
        "floor=on",
        "floor-round-trips=20000",
        "floor-warmup=5000",
        "");

    private final LiveData live = new LiveData();
    private final ExecutorService executor = Executors.newSingleThreadExecutor();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private DashboardServer dashboard;
    private Future<ScenarioResult> run;
    private Path output;

    @BeforeAll
    void startScenario() throws IOException
    {
        output = Path.of("target", "scenario-test");
        dashboard = DashboardServer.start(live, 0);
        final Scenario scenario = Scenario.parse(SCENARIO, "LiveScenarioTest", Map.of());
        final PrintStream log = new PrintStream(Files.newOutputStream(Files.createDirectories(output)
            .resolve("run.log")), true, StandardCharsets.UTF_8);
        run = executor.submit(() -> new ScenarioRun(scenario, output, live, log, ShardsUnderTest::create).run());
    }

    @AfterAll
    void stop() throws Exception
    {
        try
        {
            if (null != run && !run.isDone())
            {
                run.get(RUN_TIMEOUT_S, TimeUnit.SECONDS);
            }
        }
        finally
        {
            executor.shutdownNow();
            dashboard.close();
        }
    }

    @Test
    @Order(1)
    void shouldExposeValidPrometheusTextWhenScenarioIsRunning() throws Exception
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String text = "";
        while (!(text.contains("orrery_sessions_active{shard=\"orrery\"}") &&
            metricValue(text, "orrery_bots_connected") > 0 &&
            metricValue(text, "orrery_bot_latency_seconds_count{metric=\"input-latency\"}") > 0))
        {
            assertTrue(System.nanoTime() - deadlineNs < 0, "no live metrics within 30 s:\n" + text);
            assertFalse(run.isDone() && !live.snapshot().phase().equals("running"), "the run ended early");
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(250));
            final HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(dashboard.url() + "metrics")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
            assertEquals("text/plain; version=0.0.4; charset=utf-8",
                response.headers().firstValue("Content-Type").orElse(""));
            text = response.body();
            PrometheusFormat.validate(text);
        }

        assertTrue(metricValue(text, "orrery_inputs_received_total{shard=\"orrery\"}") > 0, text);
        assertTrue(metricValue(text, "orrery_bot_latency_seconds{metric=\"input-latency\",quantile=\"0.99\"}") > 0);
        assertTrue(text.contains("# TYPE orrery_sessions_active gauge\n"));
        assertTrue(text.contains("# TYPE orrery_bot_latency_seconds summary\n"));
        assertTrue(text.contains("jvm_gc_collections_total{gc="));
        assertTrue(text.contains("process_cpu_seconds_total "));
        assertTrue(text.contains("# TYPE orrery_client_egress_bytes_per_second gauge\n"), text);
        assertTrue(metricValue(text, "orrery_bytes_out_total{shard=\"orrery\"}") > 0, text);
    }

    @Test
    @Order(2)
    void shouldUpdateDashboardEverySecondWhenScenarioIsRunning() throws Exception
    {
        requireBrowser();
        final WebDriver driver = newDriver();
        try
        {
            driver.get(dashboard.url());
            final Set<String> secondsSeen = new LinkedHashSet<>();
            final Set<String> updatedSeen = new HashSet<>();
            long connected = 0;
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (secondsSeen.size() < 3 || updatedSeen.size() < 3 || connected <= 0)
            {
                assertTrue(System.nanoTime() - deadlineNs < 0, "dashboard did not update twice with connected " +
                    "bots within 30 s: seconds " + secondsSeen + ", updated " + updatedSeen + ", connected " +
                    connected + ", phase " + live.snapshot().phase());
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
                final String phase = driver.findElement(By.id("phase")).getText();
                if ("running".equals(phase))
                {
                    secondsSeen.add(driver.findElement(By.id("seconds")).getText());
                    updatedSeen.add(driver.findElement(By.id("updated")).getText());
                    connected = Long.parseLong(driver.findElement(By.id("connected")).getText());
                }
            }
            assertTrue(updatedSeen.stream().allMatch((text) -> text.startsWith("updated ")), updatedSeen.toString());
            assertPlotsRendered(driver, false);
            screenshot(driver, "dashboard.png");
            assertNoErrors(driver);
        }
        finally
        {
            driver.quit();
        }
    }

    @Test
    @Order(3)
    void shouldWriteSummaryAndSelfContainedReportWhenScenarioEnds() throws Exception
    {
        final ScenarioResult result = run.get(RUN_TIMEOUT_S, TimeUnit.SECONDS);
        assertTrue(result.clean(), "every bot connected, no correctness errors");
        assertEquals(1, result.repetitions().size());
        assertTrue(result.repetitions().get(0).inputLatency().count() > 0);
        assertTrue(result.repetitions().get(0).ratioToFloor(0) > 1, "Orrery is slower than a bare ping-pong");

        final Path summary = output.resolve("summary.json");
        @SuppressWarnings("unchecked")
        final Map<String, Object> json = (Map<String, Object>)new org.openqa.selenium.json.Json().toType(
            Files.readString(summary), Map.class);
        assertEquals(2, ((Number)((Map<?, ?>)json.get("machine")).get("nproc")).intValue() > 0 ? 2 : 0);
        final Map<?, ?> medians = (Map<?, ?>)json.get("medians");
        assertTrue(((Number)((Map<?, ?>)medians.get("inputLatencyMs")).get("p50")).doubleValue() > 0);
        assertTrue(((Number)((Map<?, ?>)medians.get("floorUs")).get("p99")).doubleValue() > 0);
        assertTrue(((Number)((Map<?, ?>)medians.get("ratioToFloor")).get("p99")).doubleValue() > 0);
        for (final String metric : new String[]{ "input-latency", "handshake", "spawn-latency", "own-update-gap" })
        {
            assertTrue(Files.size(output.resolve("rep-1").resolve(metric + ".hlog")) > 0, metric);
        }

        final Path report = output.resolve("report.html");
        final String html = Files.readString(report);
        final Matcher external = Pattern.compile("(?i)(src|href)\\s*=\\s*[\"']?\\s*(https?:|//|file:)").matcher(html);
        assertFalse(external.find(), "report must not load anything external");
        assertFalse(html.contains("/*ORRERY_DATA*/"), "data embedded");

        requireBrowser();
        final WebDriver driver = newDriver();
        try
        {
            driver.get(report.toAbsolutePath().toUri().toString());
            assertPlotsRendered(driver, true);
            assertEquals("done", driver.findElement(By.id("phase")).getText());
            assertTrue(driver.findElements(By.cssSelector("#table tr")).size() >= 3, "header, repetition, median");
            screenshot(driver, "report.png");
            assertNoErrors(driver);
        }
        finally
        {
            driver.quit();
        }
    }

    private static void assertPlotsRendered(final WebDriver driver, final boolean everyPlotHasData)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (driver.findElements(By.cssSelector("svg[data-plot]")).size() < 9)
        {
            assertTrue(System.nanoTime() - deadlineNs < 0, "plots not rendered within 10 s");
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
        // one script reads every plot at once: the dashboard redraws its plots every second, so elements looked up
        // one by one can go stale between two calls
        @SuppressWarnings("unchecked")
        final List<List<Object>> plots = (List<List<Object>>)((JavascriptExecutor)driver).executeScript(
            "return Array.from(document.querySelectorAll('svg[data-plot]')).map(function (svg) {" +
            "  var lined = Array.from(svg.querySelectorAll('path')).some(function (path) {" +
            "    var d = path.getAttribute('d'); return !!d && d.indexOf('M') === 0 && d.indexOf('L') >= 0; });" +
            "  return [svg.getAttribute('data-plot'), lined]; });");
        assertEquals(9, plots.size());
        final List<String> withLines = new ArrayList<>();
        for (final List<Object> plot : plots)
        {
            if (Boolean.TRUE.equals(plot.get(1)))
            {
                withLines.add((String)plot.get(0));
            }
        }
        if (everyPlotHasData)
        {
            assertEquals(List.of("percentiles", "latency", "throughput", "bandwidth", "bots", "cpu", "memory", "gc",
                "drops"), withLines);
        }
        else
        {
            assertTrue(withLines.containsAll(List.of("latency", "bots", "cpu", "memory")), withLines.toString());
        }
    }

    private static void assertNoErrors(final WebDriver driver)
    {
        final Object errors = ((org.openqa.selenium.JavascriptExecutor)driver).executeScript(
            "return window.orreryErrors;");
        assertEquals(List.of(), errors, "JavaScript errors on the page");
        final List<String> severe = new ArrayList<>();
        for (final LogEntry entry : driver.manage().logs().get(LogType.BROWSER))
        {
            if (entry.getLevel().intValue() >= Level.SEVERE.intValue())
            {
                severe.add(entry.getMessage());
            }
        }
        assertEquals(List.of(), severe, "console errors");
    }

    private static void screenshot(final WebDriver driver, final String name) throws IOException
    {
        final File file = ((org.openqa.selenium.TakesScreenshot)driver).getScreenshotAs(OutputType.FILE);
        Files.createDirectories(SCREENSHOTS);
        Files.copy(file.toPath(), SCREENSHOTS.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }

    private static void requireBrowser()
    {
        final boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        final String message = "needs " + CHROMIUM + " and " + CHROMEDRIVER +
            " (Debian: apt-get install -y chromium chromium-driver)";
        if (!present && "1".equals(System.getenv("ORRERY_REQUIRE_BROWSER")))
        {
            fail("ORRERY_REQUIRE_BROWSER=1 but the browser is missing: " + message);
        }
        assumeTrue(present, message);
    }

    private static WebDriver newDriver() throws IOException
    {
        // An explicit driver executable and browser binary: Selenium Manager is never asked to find or fetch either.
        System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, CHROMEDRIVER.toString());
        final Path profile = Files.createTempDirectory("orrery-chromium-");
        final ChromeDriverService service = new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .build();
        final ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--window-size=1300,1900", "--user-data-dir=" + profile.toAbsolutePath());
        final LoggingPreferences logging = new LoggingPreferences();
        logging.enable(LogType.BROWSER, Level.ALL);
        options.setCapability(ChromeOptions.LOGGING_PREFS, logging);
        return new ChromeDriver(service, options);
    }

    private static double metricValue(final String text, final String series)
    {
        for (final String line : text.split("\n"))
        {
            if (line.startsWith(series + " "))
            {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        return -1;
    }

    /**
     * A strict reader of the Prometheus text exposition format 0.0.4: every line is a HELP, a TYPE, a comment, blank,
     * or a sample {@code name{label="value",...} value [timestamp]}; HELP/TYPE at most once per family and before its
     * samples; a family's samples contiguous; no duplicate series; summaries only with quantile, _sum, _count.
     */
    static final class PrometheusFormat
    {
        private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
        private static final String LABEL = "[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\"";
        private static final String VALUE = "(?:[+-]?(?:\\d+\\.?\\d*(?:[eE][+-]?\\d+)?|\\.\\d+(?:[eE][+-]?\\d+)?)" +
            "|NaN|[+-]Inf)";
        private static final Pattern SAMPLE = Pattern.compile(
            "(" + NAME + ")(\\{(?:" + LABEL + "(?:," + LABEL + ")*,?)?\\})? (" + VALUE + ")(?: -?\\d+)?");
        private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") (?:[^\\\\\\n]|\\\\[\\\\n])*");
        private static final Pattern TYPE = Pattern.compile(
            "# TYPE (" + NAME + ") (counter|gauge|histogram|summary|untyped)");

        static void validate(final String text)
        {
            assertTrue(text.endsWith("\n"), "ends with a newline");
            final Map<String, String> types = new HashMap<>();
            final Set<String> helped = new HashSet<>();
            final Set<String> closedFamilies = new HashSet<>();
            final Set<String> series = new HashSet<>();
            String currentFamily = null;
            int lineNumber = 0;
            for (final String line : text.split("\n", -1))
            {
                lineNumber++;
                if (line.isEmpty())
                {
                    continue;
                }
                final String where = "line " + lineNumber + ": " + line;
                if (line.startsWith("# HELP "))
                {
                    final Matcher help = HELP.matcher(line);
                    assertTrue(help.matches(), where);
                    assertTrue(helped.add(help.group(1)), "HELP twice: " + where);
                    continue;
                }
                if (line.startsWith("# TYPE "))
                {
                    final Matcher type = TYPE.matcher(line);
                    assertTrue(type.matches(), where);
                    assertFalse(types.containsKey(type.group(1)), "TYPE twice: " + where);
                    assertFalse(closedFamilies.contains(type.group(1)) || type.group(1).equals(currentFamily),
                        "TYPE after samples: " + where);
                    types.put(type.group(1), type.group(2));
                    continue;
                }
                if (line.startsWith("#"))
                {
                    continue;
                }
                final Matcher sample = SAMPLE.matcher(line);
                assertTrue(sample.matches(), "not a valid sample: " + where);
                final String name = sample.group(1);
                final String family = familyOf(name, types);
                assertTrue(types.containsKey(family), "sample without TYPE: " + where);
                final String labels = null == sample.group(2) ? "" : sample.group(2);
                if ("summary".equals(types.get(family)) && name.equals(family))
                {
                    assertTrue(labels.contains("quantile=\""), "summary sample without quantile: " + where);
                }
                if (!family.equals(currentFamily))
                {
                    assertFalse(closedFamilies.contains(family), "family not contiguous: " + where);
                    if (null != currentFamily)
                    {
                        closedFamilies.add(currentFamily);
                    }
                    currentFamily = family;
                }
                assertTrue(series.add(name + labels), "duplicate series: " + where);
            }
            assertFalse(series.isEmpty(), "no samples at all");
        }

        private static String familyOf(final String name, final Map<String, String> types)
        {
            for (final String suffix : new String[]{ "_sum", "_count", "_bucket" })
            {
                if (name.endsWith(suffix))
                {
                    final String base = name.substring(0, name.length() - suffix.length());
                    final String type = types.get(base);
                    if ("summary".equals(type) || "histogram".equals(type))
                    {
                        return base;
                    }
                }
            }
            return name;
        }
    }
}
