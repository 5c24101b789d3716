/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.perf.scenario;

import io.orrery.perf.report.Json;

/**
 * One second of a run as the {@link Sampler} saw it. Rates and drops are per second over the interval since the
 * previous sample; latencies are of the bots' input→update interval histograms that arrived in that interval (NaN
 * when none did).
 * <p>
 * Threading: immutable, any thread.
 *
 * @param elapsedS          seconds since the repetition's swarm started.
 * @param epochMs           wall clock time of the sample.
 * @param launched          bots launched so far.
 * @param connected         bots welcomed so far.
 * @param active            bots with a live session now.
 * @param failed            bots that gave up or were rejected.
 * @param inputsPerS        inputs the bots sent, per second.
 * @param updatesPerS       entity updates the bots received, per second.
 * @param latencyCount      input→update values in the interval.
 * @param p50Ms             input→update median, ms.
 * @param p90Ms             input→update 90th percentile, ms.
 * @param p99Ms             input→update 99th percentile, ms.
 * @param maxMs             input→update maximum, ms.
 * @param cpuPercent        this process's CPU time over wall time (100 = one core busy).
 * @param heapUsedMiB       heap in use.
 * @param heapCommittedMiB  heap committed.
 * @param nonHeapUsedMiB    non-heap in use.
 * @param gcCollections     collections in the interval, all collectors.
 * @param gcMs              collection time in the interval, all collectors.
 * @param backPressureDrops ticks dropped for back-pressured clients, per second.
 * @param slowConsumerDrops sessions disconnected as slow consumers, per second.
 * @param rateLimitDrops    inputs dropped above the maximum input rate, per second.
 * @param timeoutDrops      sessions timed out, per second.
 * @param shardInputsPerS   inputs the shard received, per second.
 * @param shardUpdatesPerS  entity updates the shard sent, per second.
 * @param sessionsActive    the shard's active sessions.
 * @param handoffsPerS      handoffs the layer committed, per second (0 without game servers).
 * @param clientBytesPerS   bytes the layer sent per active client session, per second (its BYTES_OUT counter).
 * @param mesh              the mesh at this sample (servers-backed runs), or null.
 */
public record Sample(
    double elapsedS,
    long epochMs,
    long launched,
    long connected,
    long active,
    long failed,
    double inputsPerS,
    double updatesPerS,
    long latencyCount,
    double p50Ms,
    double p90Ms,
    double p99Ms,
    double maxMs,
    double cpuPercent,
    double heapUsedMiB,
    double heapCommittedMiB,
    double nonHeapUsedMiB,
    long gcCollections,
    long gcMs,
    double backPressureDrops,
    double slowConsumerDrops,
    double rateLimitDrops,
    double timeoutDrops,
    double shardInputsPerS,
    double shardUpdatesPerS,
    long sessionsActive,
    double handoffsPerS,
    double clientBytesPerS,
    MeshFrame mesh)
{
    /**
     * Write as one JSON object with the component names as keys; the mesh without its density grid.
     *
     * @param json to write to.
     */
    public void writeTo(final Json json)
    {
        writeTo(json, false);
    }

    /**
     * Write as one JSON object with the component names as keys.
     *
     * @param json     to write to.
     * @param withHeat include the mesh's density grid.
     */
    public void writeTo(final Json json, final boolean withHeat)
    {
        json.beginObject()
            .member("t", elapsedS)
            .member("epochMs", epochMs)
            .member("launched", launched)
            .member("connected", connected)
            .member("active", active)
            .member("failed", failed)
            .member("inputsPerS", inputsPerS)
            .member("updatesPerS", updatesPerS)
            .member("latencyCount", latencyCount)
            .member("p50Ms", p50Ms)
            .member("p90Ms", p90Ms)
            .member("p99Ms", p99Ms)
            .member("maxMs", maxMs)
            .member("cpuPercent", cpuPercent)
            .member("heapUsedMiB", heapUsedMiB)
            .member("heapCommittedMiB", heapCommittedMiB)
            .member("nonHeapUsedMiB", nonHeapUsedMiB)
            .member("gcCollections", gcCollections)
            .member("gcMs", gcMs)
            .member("backPressureDrops", backPressureDrops)
            .member("slowConsumerDrops", slowConsumerDrops)
            .member("rateLimitDrops", rateLimitDrops)
            .member("timeoutDrops", timeoutDrops)
            .member("shardInputsPerS", shardInputsPerS)
            .member("shardUpdatesPerS", shardUpdatesPerS)
            .member("sessionsActive", sessionsActive)
            .member("handoffsPerS", handoffsPerS)
            .member("clientBytesPerS", clientBytesPerS);
        if (null != mesh)
        {
            json.name("mesh");
            mesh.writeTo(json, withHeat);
        }
        json.endObject();
    }
}
