/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.perf.dashboard;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.orrery.perf.report.SummaryWriter;
import io.orrery.perf.scenario.BalanceResult;
import io.orrery.perf.scenario.LiveData;
import io.orrery.perf.scenario.MeshFrame;
import io.orrery.perf.scenario.RepetitionResult;
import io.orrery.perf.scenario.Sample;
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
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Dynamic meshing seen end to end: a short servers-backed scenario on {@code two-servers-dynamic.shard} (border at
 * x = 0 to begin with, balanced every second) where 40 rally bots crowd a point 40 m inside server 1's territory,
 * with the live dashboard on an ephemeral port. The run's samples carry Atlas's mesh and the border moves into the
 * crowd; a real headless chromium sees the live world map drawn (territories, a border, the bots' density) and the
 * border line move between two polls; the report's map, time slider and per-server load plots are checked from
 * file://. Without chromium/chromedriver the browser tests are skipped (as {@link LiveScenarioTest}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DynamicMeshDashboardTest
{
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final long RUN_TIMEOUT_S = 120;
    private static final String SCENARIO = String.join("\n",
        "name=dynamic-mesh-test",
        "bots=40",
        "threads=1",
        "mix=rally=100",
        "rally=-40,0",
        "ramp-per-second=100",
        "duration=14s",
        "warmup=1s",
        "settle=10s",
        "servers=2",
        "shard=two-servers-dynamic.shard",
        "spawn-radius-m=60",
        // a generous heartbeat timeout: a busy test machine must not fail a game server over
        "heartbeat-timeout=2s",
        "world-half-extent-m=100",
        "max-speed-mps=20",
        "npcs=5",
        "ships=0",
        "floor=off",
        "");

    private final LiveData live = new LiveData();
    private final ExecutorService executor = Executors.newSingleThreadExecutor();
    private DashboardServer dashboard;
    private Future<ScenarioResult> run;
    private Path output;

    @BeforeAll
    void startScenario() throws IOException
    {
        output = Path.of("target", "dynamic-mesh-test");
        dashboard = DashboardServer.start(live, 0);
        final Scenario scenario = Scenario.parse(SCENARIO, "DynamicMeshDashboardTest", Map.of());
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
    void shouldDrawWorldMapAndMoveBorderOnDashboardWhenCrowdGathers() throws Exception
    {
        requireBrowser();
        final WebDriver driver = newDriver();
        try
        {
            driver.get(dashboard.url());
            final Set<String> borders = new LinkedHashSet<>();
            List<Object> map = List.of();
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (borders.size() < 2)
            {
                assertTrue(System.nanoTime() - deadlineNs < 0, "the live map's border did not move within 60 s: " +
                    "borders seen " + borders + ", last map " + map + ", phase " + live.snapshot().phase());
                assertTrue(!run.isDone(), "the run ended before the live map showed a border move: " + borders);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(250));
                map = mapElements(driver);
                if ((Long)map.get(0) >= 2 && (Long)map.get(1) >= 1)
                {
                    borders.add(String.valueOf(map.get(3)));
                }
            }
            assertTrue((Long)map.get(2) >= 1, "density cells drawn: " + map);
            screenshot(driver, "dashboard-map.png");
            assertEquals(List.of(), ((JavascriptExecutor)driver).executeScript("return window.orreryErrors;"));
        }
        finally
        {
            driver.quit();
        }
    }

    @Test
    @Order(2)
    void shouldSampleMeshAndMoveBorderIntoCrowdWhenDynamic() throws Exception
    {
        final ScenarioResult result = run.get(RUN_TIMEOUT_S, TimeUnit.SECONDS);
        final String log = Files.readString(output.resolve("run.log"));
        assertTrue(result.shard().contains("dynamic meshing"), result.shard());
        final RepetitionResult repetition = result.repetitions().get(0);
        assertEquals(40, repetition.swarm().botsConnected(), log);
        assertEquals(0, repetition.swarm().correctnessErrors(), log);
        assertEquals(0, repetition.mesh().unexpectedDisconnects(), log);

        MeshFrame last = null;
        int bots = 0;
        for (final Sample sample : repetition.samples())
        {
            last = null == sample.mesh() ? last : sample.mesh();
            if (null != sample.mesh())
            {
                int inGrid = 0;
                for (final int count : sample.mesh().heat())
                {
                    inGrid += count;
                }
                bots = Math.max(bots, inGrid);
            }
        }
        assertNotNull(last, "samples carry the mesh: " + log);
        assertEquals(2, last.serversInUse(), log);
        assertTrue(last.snapshot().bordersMoved > 0, "the balancer moved the border: " + last.snapshot());
        assertTrue(last.snapshot().face(0, 0, true) < 0, "the border moved into server 1's side, toward the crowd " +
            "at x = -40 m: " + last.snapshot());
        assertEquals(40, bots, "the density grid counts every bot once the crowd is in view");

        final BalanceResult balance = repetition.balance(result.scenario());
        assertNotNull(balance, log);
        assertTrue(balance.bordersMoved() > 0, balance.summary());
        assertEquals(2, balance.serversInUseMax(), balance.summary());
        final String summary = SummaryWriter.toJson(result);
        assertTrue(summary.contains("\"balance\""), summary);
        assertTrue(summary.contains("\"borderMovesPerMinute\""), summary);
    }

    @Test
    @Order(3)
    void shouldDrawMapSliderAndServerLoadInReportWhenRunEnds() throws Exception
    {
        run.get(RUN_TIMEOUT_S, TimeUnit.SECONDS);
        requireBrowser();
        final WebDriver driver = newDriver();
        try
        {
            driver.get(output.resolve("report.html").toAbsolutePath().toUri().toString());
            final List<Object> map = mapElements(driver);
            assertTrue((Long)map.get(0) >= 2 && (Long)map.get(1) >= 1 && (Long)map.get(2) >= 1, map.toString());
            @SuppressWarnings("unchecked")
            final List<String> plots = (List<String>)((JavascriptExecutor)driver).executeScript(
                "return Array.from(document.querySelectorAll('svg[data-plot]')).filter(function (svg) {" +
                "  return Array.from(svg.querySelectorAll('path')).some(function (p) {" +
                "    var d = p.getAttribute('d'); return !!d && d.indexOf('L') >= 0; }); })" +
                "  .map(function (svg) { return svg.getAttribute('data-plot'); });");
            assertTrue(plots.containsAll(
                List.of("server-cost", "server-players", "borders", "time-dilation", "servers-in-use")),
                plots.toString());
            assertTrue((Long)((JavascriptExecutor)driver).executeScript(
                "return document.querySelectorAll('svg[data-plot=\"server-cost\"] line.event').length;") >= 1,
                "border moves as events on the time axis");
            assertEquals(Boolean.TRUE, ((JavascriptExecutor)driver).executeScript(
                "return Array.from(document.querySelectorAll('svg[data-plot=\"servers-in-use\"] line.event'))" +
                "  .some(function (e) { return e.getAttribute('data-event').indexOf('border move') >= 0; });"),
                "mesh events on the servers-in-use plot, labelled");

            // the slider shows an earlier map: the border was elsewhere in the first sample than at the end
            final Object endBorder = map.get(3);
            final Object firstBorder = ((JavascriptExecutor)driver).executeScript(
                "var s = document.getElementById('map-time'); s.value = 0;" +
                "s.dispatchEvent(new Event('input'));" +
                "return document.querySelector('svg[data-plot=map] line.border').getAttribute('data-at');");
            assertTrue(!String.valueOf(endBorder).equals(String.valueOf(firstBorder)),
                "border at the first sample " + firstBorder + ", at the end " + endBorder);
            screenshot(driver, "report-map.png");
            assertEquals(List.of(), ((JavascriptExecutor)driver).executeScript("return window.orreryErrors;"));
        }
        finally
        {
            driver.quit();
        }
    }

    /**
     * @return territory boxes, border lines, density cells and the first border's position, read in one script
     * (the live page redraws every second).
     */
    @SuppressWarnings("unchecked")
    private static List<Object> mapElements(final WebDriver driver)
    {
        return new ArrayList<>((List<Object>)((JavascriptExecutor)driver).executeScript(
            "var svg = document.querySelector('svg[data-plot=map]');" +
            "if (!svg) { return [0, 0, 0, null]; }" +
            "var border = svg.querySelector('line.border');" +
            "return [svg.querySelectorAll('rect.territory').length, svg.querySelectorAll('line.border').length," +
            "  svg.querySelectorAll('rect.heat').length, border ? border.getAttribute('data-at') : null];"));
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
        if (!present && "1".equals(System.getenv("ORRERY_REQUIRE_BROWSER")))
        {
            throw new AssertionError("ORRERY_REQUIRE_BROWSER=1 but the browser is missing");
        }
        assumeTrue(present, "needs " + CHROMIUM + " and " + CHROMEDRIVER);
    }

    private static WebDriver newDriver() throws IOException
    {
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
        return new ChromeDriver(service, options);
    }
}
