/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.perf.scenario;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;

import io.orrery.perf.report.Json;

/**
 * The machine and JVM a run happened on, for the summary: results from different machines do not compare.
 * <p>
 * Threading: immutable, any thread.
 *
 * @param host              host name.
 * @param processors        available processors ({@code nproc}).
 * @param totalMemoryGiB    physical memory.
 * @param jdk               vendor and runtime version.
 * @param vm                VM name and version.
 * @param os                OS name, version and architecture.
 * @param loadAverageStart  one-minute load average when the run started (-1 if unknown).
 * @param startedAt         when the run started.
 */
public record Machine(
    String host,
    int processors,
    double totalMemoryGiB,
    String jdk,
    String vm,
    String os,
    double loadAverageStart,
    Instant startedAt)
{
    /**
     * Describe this machine now.
     *
     * @return the description.
     */
    public static Machine describe()
    {
        final com.sun.management.OperatingSystemMXBean osBean =
            (com.sun.management.OperatingSystemMXBean)ManagementFactory.getOperatingSystemMXBean();
        String host;
        try
        {
            host = InetAddress.getLocalHost().getHostName();
        }
        catch (final UnknownHostException ex)
        {
            host = "unknown";
        }
        return new Machine(
            host,
            Runtime.getRuntime().availableProcessors(),
            osBean.getTotalMemorySize() / (1024.0 * 1024 * 1024),
            System.getProperty("java.vendor") + " " + System.getProperty("java.runtime.version"),
            System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"),
            System.getProperty("os.name") + " " + System.getProperty("os.version") + " " +
                System.getProperty("os.arch"),
            osBean.getSystemLoadAverage(),
            Instant.now());
    }

    /**
     * One-minute load average now.
     *
     * @return load average, -1 if unknown.
     */
    public static double loadAverageNow()
    {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    /**
     * Write as a JSON object.
     *
     * @param json to write to.
     */
    public void writeTo(final Json json)
    {
        json.beginObject()
            .member("host", host)
            .member("nproc", processors)
            .member("memoryGiB", Math.round(totalMemoryGiB * 10) / 10.0)
            .member("jdk", jdk)
            .member("vm", vm)
            .member("os", os)
            .member("loadAverageStart", loadAverageStart)
            .member("startedAt", startedAt.toString())
            .endObject();
    }
}
