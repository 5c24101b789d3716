/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.bots;

import io.aeron.CommonContext;
import io.aeron.driver.MediaDriver;
import io.orrery.core.ReplicationLayer;
import io.orrery.core.ThreadingMode;
import io.orrery.core.status.OrreryCounter;
import org.agrona.CloseHelper;
import org.agrona.concurrent.BackoffIdleStrategy;

import java.io.File;
import java.util.concurrent.TimeUnit;

/**
 * A local shard for swarm runs and tests: a media driver (SHARED threading) in a directory of its own, and a
 * Replication Layer (SHARED threading, default {@link io.orrery.core.authority.ScriptedAuthority}) on it.
 * <p>
 * The driver is launched here rather than by the layer's embedded-driver option because that option always uses
 * the default Aeron directory with delete-on-start, so two runs on one host (two worktrees, a test and a perf run)
 * would delete each other's driver. Term buffers match the layer's embedded driver: 64 KiB.
 * <p>
 * Threading: launch and close from one thread; the driver and the layer run on their own threads.
 */
public final class EmbeddedShard implements AutoCloseable
{
    private final MediaDriver driver;
    private final ReplicationLayer layer;

    private EmbeddedShard(final MediaDriver driver, final ReplicationLayer layer)
    {
        this.driver = driver;
        this.layer = layer;
    }

    /**
     * @param tokenSecret  secret shared with the bots' token issuer.
     * @param maxSessions  sessions the layer accepts.
     * @param customiser   last changes to the layer's context (may be null).
     * @return the running shard.
     */
    public static EmbeddedShard launch(
        final byte[] tokenSecret, final int maxSessions, final java.util.function.Consumer<ReplicationLayer.Context>
        customiser)
    {
        final String dir = CommonContext.getAeronDirectoryName() + "-orrery-bots-" + ProcessHandle.current().pid() +
            "-" + Long.toHexString(System.nanoTime());
        final MediaDriver driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(dir)
            .threadingMode(io.aeron.driver.ThreadingMode.SHARED)
            .sharedIdleStrategy(new BackoffIdleStrategy(10, 20, 1000, TimeUnit.MICROSECONDS.toNanos(100)))
            .ipcTermBufferLength(ReplicationLayer.Context.EGRESS_TERM_LENGTH_DEFAULT)
            .publicationTermBufferLength(ReplicationLayer.Context.EGRESS_TERM_LENGTH_DEFAULT)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        try
        {
            final ReplicationLayer.Context ctx = new ReplicationLayer.Context()
                .aeronDirectoryName(dir)
                .launchEmbeddedMediaDriver(false)
                .threadingMode(ThreadingMode.SHARED)
                .tokenSecret(tokenSecret)
                .maxSessions(maxSessions);
            if (null != customiser)
            {
                customiser.accept(ctx);
            }
            return new EmbeddedShard(driver, ReplicationLayer.launch(ctx));
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(driver);
            throw ex;
        }
    }

    public String aeronDirectoryName()
    {
        return driver.aeronDirectoryName();
    }

    public ReplicationLayer layer()
    {
        return layer;
    }

    public long counter(final OrreryCounter counter)
    {
        return layer.counter(counter);
    }

    /**
     * @return bytes of the files in the driver's directory (log buffers, CnC), as their lengths.
     */
    public long aeronDirectoryBytes()
    {
        return bytesUnder(new File(driver.aeronDirectoryName()));
    }

    private static long bytesUnder(final File file)
    {
        if (file.isFile())
        {
            return file.length();
        }
        long total = 0;
        final File[] children = file.listFiles();
        if (null != children)
        {
            for (final File child : children)
            {
                total += bytesUnder(child);
            }
        }
        return total;
    }

    @Override
    public void close()
    {
        CloseHelper.quietClose(layer);
        CloseHelper.quietClose(driver);
    }
}
