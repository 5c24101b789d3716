/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.test;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A process of the shard (layer, game server, bot swarm) started as a child JVM on the test's class path, its output
 * collected line by line, for tests on real processes.
 */
public final class ChildJvm
{
    /**
     * Environment variable naming a directory: when set, every child's output also goes to a file there, one per
     * process ({@code <MainClass>-<pid>.log}), each line after the wall-clock millisecond it was read at, to lay the
     * processes of a failed run side by side.
     */
    public static final String LOG_DIR_ENV = "ORRERY_CHILD_LOG_DIR";

    private ChildJvm()
    {
    }

    /**
     * Start a main class in a child JVM.
     *
     * @param output     receives the child's output lines (standard error merged), synchronised.
     * @param jvmOptions options before the class path (heap, system properties).
     * @param mainClass  the class to run.
     * @param args       its arguments.
     * @return the process.
     */
    public static Process start(
        final List<String> output, final List<String> jvmOptions, final String mainClass, final String... args)
        throws Exception
    {
        return startWithPrefix(List.of(), output, jvmOptions, mainClass, args);
    }

    /**
     * Start a main class in a child JVM run through a command prefix, for example {@code ip netns exec <name>} to
     * start it in a network namespace (the prefix must exec the JVM, so that the process is the JVM itself and
     * {@link Process#destroyForcibly()} kills it).
     *
     * @param prefix     the command and arguments before {@code java}.
     * @param output     receives the child's output lines (standard error merged), synchronised.
     * @param jvmOptions options before the class path (heap, system properties).
     * @param mainClass  the class to run.
     * @param args       its arguments.
     * @return the process.
     */
    public static Process startWithPrefix(
        final List<String> prefix,
        final List<String> output,
        final List<String> jvmOptions,
        final String mainClass,
        final String... args)
        throws Exception
    {
        final List<String> command = new ArrayList<>(prefix);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--add-opens");
        command.add("java.base/jdk.internal.misc=ALL-UNNAMED");
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(List.of(args));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String logDir = System.getenv(LOG_DIR_ENV);
        final Thread reader = new Thread(() ->
        {
            try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                PrintStream log = null == logDir ? null : new PrintStream(
                    new File(logDir, mainClass.substring(mainClass.lastIndexOf('.') + 1) + "-" + process.pid() +
                    ".log"), StandardCharsets.UTF_8))
            {
                String line;
                while (null != (line = lines.readLine()))
                {
                    output.add(line);
                    if (null != log)
                    {
                        log.println(System.currentTimeMillis() + " " + line);
                    }
                }
            }
            catch (final Exception ignore)
            {
                // the process ended
            }
        }, "child-jvm-reader");
        reader.setDaemon(true);
        reader.start();
        return process;
    }

    /**
     * Wait (60 s at most) until the output holds a text the given number of times; fail if the process exits first.
     */
    public static void awaitLines(final Process process, final List<String> output, final String text, final int occurrences)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (occurrences(output, text) < occurrences)
        {
            if (!process.isAlive())
            {
                fail("process exited with " + process.exitValue() + " before '" + text + "': " + output);
            }
            if (System.nanoTime() > deadline)
            {
                fail("no '" + text + "' x" + occurrences + " within 60 s: " + output);
            }
            Thread.sleep(20);
        }
    }

    /**
     * @return how many output lines contain the text.
     */
    public static int occurrences(final List<String> output, final String text)
    {
        int count = 0;
        synchronized (output)
        {
            for (final String line : output)
            {
                count += line.contains(text) ? 1 : 0;
            }
        }
        return count;
    }

    /**
     * A count from a bot swarm's summary as a child printed it: the first line of the form {@code <name> <number>}
     * (thousands separators allowed).
     *
     * @return the number, or -1 if no such line was printed.
     */
    public static long summaryCount(final List<String> output, final String name)
    {
        synchronized (output)
        {
            for (final String line : output)
            {
                final String trimmed = line.trim();
                if (trimmed.startsWith(name + " "))
                {
                    return Long.parseLong(trimmed.substring(name.length()).trim().replace(",", ""));
                }
            }
        }
        return -1;
    }

    public static void destroy(final Process process)
    {
        if (null != process && process.isAlive())
        {
            process.destroyForcibly();
        }
    }
}
