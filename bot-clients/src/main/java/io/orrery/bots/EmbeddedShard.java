/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.bots;

import io.orrery.core.ReplicationLayer;
import io.orrery.core.ThreadingMode;
import io.orrery.core.status.OrreryCounter;
import org.agrona.CloseHelper;

import java.io.File;

/**
 * A local shard for swarm runs and tests: a Replication Layer (SHARED threading, default
 * {@link io.orrery.core.authority.ScriptedAuthority}) on its own embedded media driver, which the layer launches in a
 * fresh, unique directory (so several shards on one host never share or delete each other's driver).
 * <p>
 * Threading: launch and close from one thread; the driver and the layer run on their own threads.
 */
public final class EmbeddedShard implements AutoCloseable
{
    private final ReplicationLayer layer;

    private EmbeddedShard(final ReplicationLayer layer)
    {
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
        final ReplicationLayer.Context ctx = new ReplicationLayer.Context()
            .threadingMode(ThreadingMode.SHARED)
            .tokenSecret(tokenSecret)
            .maxSessions(maxSessions);
        if (null != customiser)
        {
            customiser.accept(ctx);
        }
        return new EmbeddedShard(ReplicationLayer.launch(ctx));
    }

    public String aeronDirectoryName()
    {
        return layer.aeronDirectoryName();
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
        return bytesUnder(new File(layer.aeronDirectoryName()));
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
    }
}
