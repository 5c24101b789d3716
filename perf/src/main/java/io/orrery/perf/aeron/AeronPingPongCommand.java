/*
 * Copyright 2026 The Orrery authors.
 */
package io.orrery.perf.aeron;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.ToDoubleFunction;

import io.aeron.driver.ThreadingMode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Command line of {@link AeronPingPong}: runs it {@code --repetitions} times, prints every run and the median of
 * each percentile over the runs, optionally writes the same text to a report file.
 * <p>
 * Threading: main thread only.
 */
@Command(
    name = "aeron-ping-pong",
    mixinStandardHelpOptions = true,
    description = "Raw Aeron round trips with an embedded media driver: the floor Orrery is compared against.")
public final class AeronPingPongCommand implements Callable<Integer>
{
    @Option(names = "--channel", description = "aeron:ipc or aeron:udp?endpoint=localhost:PORT " +
        "(default: ${DEFAULT-VALUE}); term-length=64k is added when absent.")
    String channel = AeronPingPong.Config.DEFAULT_CHANNEL;

    @Option(names = "--message-length", description = "Bytes per message, >= 8 (default: ${DEFAULT-VALUE}).")
    int messageLength = 64;

    @Option(names = "--warmup", description = "Warm-up round trips (default: ${DEFAULT-VALUE}).")
    long warmUpMessages = 50_000;

    @Option(names = "--messages", description = "Measured round trips (default: ${DEFAULT-VALUE}).")
    long messages = 200_000;

    @Option(names = "--rate", description = "Round trips per second, 0 = back to back (default: ${DEFAULT-VALUE}).")
    long ratePerSecond = 0;

    @Option(names = "--threading-mode", description = "SHARED or INVOKER (default: ${DEFAULT-VALUE}).")
    ThreadingMode threadingMode = ThreadingMode.SHARED;

    @Option(names = "--driver-idle", description = "Driver idle strategy, ${COMPLETION-CANDIDATES} " +
        "(default: ${DEFAULT-VALUE}).")
    IdleMode driverIdle = IdleMode.YIELD;

    @Option(names = "--app-idle", description = "Ping and pong idle strategy, ${COMPLETION-CANDIDATES} " +
        "(default: ${DEFAULT-VALUE}).")
    IdleMode appIdle = IdleMode.YIELD;

    @Option(names = "--repetitions", description = "Runs, each with a fresh driver (default: ${DEFAULT-VALUE}).")
    int repetitions = 1;

    @Option(names = "--report", description = "Also write the output to this file.")
    Path report;

    /**
     * {@inheritDoc}
     */
    @Override
    public Integer call() throws IOException
    {
        final AeronPingPong.Config config = new AeronPingPong.Config()
            .channel(channel)
            .messageLength(messageLength)
            .warmUpMessages(warmUpMessages)
            .messages(messages)
            .ratePerSecond(ratePerSecond)
            .threadingMode(threadingMode)
            .driverIdle(driverIdle)
            .appIdle(appIdle);
        config.validate();

        final StringBuilder text = new StringBuilder();
        text.append("# aeron-ping-pong ").append(Instant.now()).append('\n');
        text.append("# ").append(config).append('\n');
        System.out.print(text);

        final List<AeronPingPong.Result> results = new ArrayList<>();
        for (int i = 1; i <= repetitions; i++)
        {
            final AeronPingPong.Result result = AeronPingPong.run(config);
            results.add(result);
            final String line = "run " + i + "/" + repetitions + ": " + result.summary() + "\n";
            text.append(line);
            System.out.print(line);
        }

        final String median = String.format(Locale.ROOT,
            "median of %d runs: p50=%.2f p90=%.2f p99=%.2f p99.9=%.2f max=%.2f us (round trip)%n",
            repetitions,
            median(results, (r) -> r.valueAtPercentileUs(50)),
            median(results, (r) -> r.valueAtPercentileUs(90)),
            median(results, (r) -> r.valueAtPercentileUs(99)),
            median(results, (r) -> r.valueAtPercentileUs(99.9)),
            median(results, AeronPingPong.Result::maxUs));
        text.append(median);
        System.out.print(median);

        if (null != report)
        {
            final Path parent = report.toAbsolutePath().getParent();
            if (null != parent)
            {
                Files.createDirectories(parent);
            }
            try (PrintStream out = new PrintStream(Files.newOutputStream(report), true, StandardCharsets.UTF_8))
            {
                out.print(text);
            }
        }

        return 0;
    }

    /**
     * Median of a figure over results; the mean of the two middle values for an even count.
     *
     * @param results  at least one.
     * @param function figure to take from each result.
     * @return the median.
     */
    static double median(
        final List<AeronPingPong.Result> results, final ToDoubleFunction<AeronPingPong.Result> function)
    {
        final double[] values = new double[results.size()];
        for (int i = 0; i < values.length; i++)
        {
            values[i] = function.applyAsDouble(results.get(i));
        }
        Arrays.sort(values);
        final int middle = values.length / 2;

        return 0 == values.length % 2 ? (values[middle - 1] + values[middle]) / 2 : values[middle];
    }
}
