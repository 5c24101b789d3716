/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.fleet;

import io.orrery.core.ReplicationLayer;
import io.orrery.core.ThreadingMode;
import io.orrery.core.atlas.ShardConfig;
import io.orrery.core.status.OrreryCounter;

import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A real Replication Layer (embedded media driver, a bundled shard config) for fleet system tests, and waits that
 * step a fleet's duty cycle until a deadline.
 */
final class FleetRig implements AutoCloseable
{
    final ReplicationLayer layer;

    FleetRig(final String shard)
    {
        layer = ReplicationLayer.launch(new ReplicationLayer.Context()
            .threadingMode(ThreadingMode.SHARED)
            .shardConfig(ShardConfig.find(shard, 5_000)));
    }

    /**
     * @return the layer's connection settings: its driver directory and server ingress, development secret, a small
     * world.
     */
    ShardConnection connection()
    {
        return new ShardConnection()
            .aeronDirectoryName(layer.aeronDirectoryName())
            .ingressChannel(layer.context().serverIngressChannel())
            .ingressStreamId(layer.context().serverIngressStreamId())
            .developmentMode(true)
            .npcsPerTerritory(5)
            .worldHalfExtentM(60);
    }

    long serversConnected()
    {
        return layer.counter(OrreryCounter.SERVERS_CONNECTED);
    }

    /**
     * Step the fleet with the given time until the member is in the state; fail after the deadline (real time).
     */
    static void awaitState(final Fleet fleet, final LongSupplier nowNs, final int serverId, final MemberState state,
        final long timeoutSeconds)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (true)
        {
            fleet.doWork(nowNs.getAsLong());
            final FleetMember member = fleet.member(serverId);
            if (null != member && state == member.state())
            {
                return;
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                fail("server " + serverId + " not " + state + " within " + timeoutSeconds + " s: " + member);
            }
            if (null != member && member.state().isTerminal())
            {
                fail("server " + serverId + " ended before " + state + ": " + member);
            }
            sleepBriefly();
        }
    }

    /**
     * Wait until a condition holds; fail after the deadline.
     */
    static void await(final java.util.function.BooleanSupplier condition, final String what, final long timeoutSeconds)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                fail(what + ": not within " + timeoutSeconds + " s");
            }
            sleepBriefly();
        }
    }

    static void printSpinUp(final String fleetName, final FleetMember member)
    {
        System.out.printf(Locale.ROOT, "%s: server %d decision to first simulated tick %.1f ms (load average %s)%n",
            fleetName, member.serverId(), member.spinUpNs() / 1e6, loadAverage());
    }

    static String loadAverage()
    {
        try
        {
            return new String(java.nio.file.Files.readAllBytes(java.nio.file.Paths.get("/proc/loadavg")),
                java.nio.charset.StandardCharsets.US_ASCII).trim();
        }
        catch (final java.io.IOException ex)
        {
            return "unknown";
        }
    }

    private static void sleepBriefly()
    {
        try
        {
            Thread.sleep(5);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            fail("interrupted");
        }
    }

    @Override
    public void close()
    {
        layer.close();
    }
}
