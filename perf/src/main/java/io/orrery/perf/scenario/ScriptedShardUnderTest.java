/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.perf.scenario;

import java.nio.charset.StandardCharsets;

import io.orrery.bots.EmbeddedShard;
import io.orrery.core.ReplicationLayer;
import io.orrery.core.authority.ScriptedAuthority;
import org.agrona.CloseHelper;
import org.agrona.concurrent.status.CountersReader;

/**
 * {@code servers=0}: one Replication Layer in this process (SHARED threading) with the default
 * {@link ScriptedAuthority} (the scenario's NPCs and ships), on its own embedded media driver in a unique directory,
 * as {@link EmbeddedShard} launches it.
 * <p>
 * Threading: see {@link ShardUnderTest}.
 */
public final class ScriptedShardUnderTest implements ShardUnderTest
{
    private final byte[] tokenSecret =
        ReplicationLayer.Context.TOKEN_SECRET_DEFAULT.getBytes(StandardCharsets.US_ASCII);
    private EmbeddedShard shard;

    @Override
    public void start(final Scenario scenario)
    {
        if (null != shard)
        {
            throw new IllegalStateException("already started");
        }
        final double extentM = scenario.worldHalfExtentM();
        final ScriptedAuthority.Settings authority = new ScriptedAuthority.Settings()
            .npcCount(scenario.npcs())
            .shipCount(scenario.ships())
            .playerSpawnHalfExtentM(extentM)
            .worldHalfExtentM(Math.max(1000, extentM));
        shard = EmbeddedShard.launch(
            tokenSecret,
            Math.max(ReplicationLayer.Context.MAX_SESSIONS_DEFAULT, scenario.bots() + 64),
            // a local benchmark harness: its shard runs on the public development secret, and says so at launch
            (ctx) -> ctx.developmentMode(true).authority(new ScriptedAuthority(authority)));
    }

    @Override
    public String aeronDirectory()
    {
        return started().aeronDirectoryName();
    }

    @Override
    public CountersReader countersReader()
    {
        return started().layer().context().aeron().countersReader();
    }

    @Override
    public String clientIngressChannel()
    {
        return started().layer().context().clientIngressChannel();
    }

    @Override
    public int clientIngressStreamId()
    {
        return started().layer().context().clientIngressStreamId();
    }

    @Override
    public byte[] tokenSecret()
    {
        return tokenSecret.clone();
    }

    @Override
    public String description()
    {
        return "scripted in-process Replication Layer (SHARED threading, ScriptedAuthority, embedded media driver)";
    }

    @Override
    public void close()
    {
        CloseHelper.quietClose(shard);
        shard = null;
    }

    @Override
    public ReplicationLayer layer()
    {
        return null == shard ? null : shard.layer();
    }

    private EmbeddedShard started()
    {
        if (null == shard)
        {
            throw new IllegalStateException("not started");
        }
        return shard;
    }
}
