/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.fleet;

import io.orrery.core.server.ServerLink;
import io.orrery.servers.game.WorldSettings;

import java.util.concurrent.TimeUnit;

/**
 * What a game server needs to join a shard and what it simulates: the layer's media driver directory and server
 * ingress, the shard's token secret (or development mode), and the simulation settings of
 * {@link io.orrery.servers.GameServer}'s command line. Fluent setters with the game server's defaults. The same object
 * may be shared by many members; do not change it once a fleet uses it.
 */
public final class ShardConnection
{
    private String aeronDirectoryName;
    private String ingressChannel = ServerLink.Context.INGRESS_CHANNEL_DEFAULT;
    private int ingressStreamId = ServerLink.Context.INGRESS_STREAM_ID_DEFAULT;
    private byte[] tokenSecret;
    private boolean developmentMode;
    private int tickHz = 30;
    private int npcsPerTerritory = 50;
    private double followFraction = 0.3;
    private double maxSpeedMps = 10;
    private double worldHalfExtentM = 1000;
    private long seed = 42;
    private long connectTimeoutNs = TimeUnit.SECONDS.toNanos(10);
    private long layerGraceNs = TimeUnit.SECONDS.toNanos(10);

    /**
     * @return the media driver directory of the shard's layer, or null for Aeron's default.
     */
    public String aeronDirectoryName()
    {
        return aeronDirectoryName;
    }

    public ShardConnection aeronDirectoryName(final String aeronDirectoryName)
    {
        this.aeronDirectoryName = aeronDirectoryName;
        return this;
    }

    public String ingressChannel()
    {
        return ingressChannel;
    }

    public ShardConnection ingressChannel(final String ingressChannel)
    {
        this.ingressChannel = ingressChannel;
        return this;
    }

    public int ingressStreamId()
    {
        return ingressStreamId;
    }

    public ShardConnection ingressStreamId(final int ingressStreamId)
    {
        this.ingressStreamId = ingressStreamId;
        return this;
    }

    /**
     * @return the shard's token secret the fleet issues each server's token with, or null (then development mode
     * must be on, or a child process reads the secret from its environment).
     */
    public byte[] tokenSecret()
    {
        return tokenSecret;
    }

    public ShardConnection tokenSecret(final byte[] tokenSecret)
    {
        this.tokenSecret = null == tokenSecret ? null : tokenSecret.clone();
        return this;
    }

    /**
     * @return true to use the public development secret when there is no secret.
     */
    public boolean developmentMode()
    {
        return developmentMode;
    }

    public ShardConnection developmentMode(final boolean developmentMode)
    {
        this.developmentMode = developmentMode;
        return this;
    }

    public int tickHz()
    {
        return tickHz;
    }

    public ShardConnection tickHz(final int tickHz)
    {
        this.tickHz = tickHz;
        return this;
    }

    public int npcsPerTerritory()
    {
        return npcsPerTerritory;
    }

    public ShardConnection npcsPerTerritory(final int npcsPerTerritory)
    {
        this.npcsPerTerritory = npcsPerTerritory;
        return this;
    }

    public double followFraction()
    {
        return followFraction;
    }

    public ShardConnection followFraction(final double followFraction)
    {
        this.followFraction = followFraction;
        return this;
    }

    public double maxSpeedMps()
    {
        return maxSpeedMps;
    }

    public ShardConnection maxSpeedMps(final double maxSpeedMps)
    {
        this.maxSpeedMps = maxSpeedMps;
        return this;
    }

    public double worldHalfExtentM()
    {
        return worldHalfExtentM;
    }

    public ShardConnection worldHalfExtentM(final double worldHalfExtentM)
    {
        this.worldHalfExtentM = worldHalfExtentM;
        return this;
    }

    /**
     * @return the simulation seed; each server adds its server id, as {@link io.orrery.servers.GameServer} does.
     */
    public long seed()
    {
        return seed;
    }

    public ShardConnection seed(final long seed)
    {
        this.seed = seed;
        return this;
    }

    public long connectTimeoutNs()
    {
        return connectTimeoutNs;
    }

    public ShardConnection connectTimeoutNs(final long connectTimeoutNs)
    {
        this.connectTimeoutNs = connectTimeoutNs;
        return this;
    }

    /**
     * @return how long a server that lost its layer pauses and rejoins before it gives up (exit code 69).
     */
    public long layerGraceNs()
    {
        return layerGraceNs;
    }

    public ShardConnection layerGraceNs(final long layerGraceNs)
    {
        this.layerGraceNs = layerGraceNs;
        return this;
    }

    /**
     * @param serverId the server.
     * @return the world settings of that server (seed plus server id), concluded.
     */
    public WorldSettings worldSettings(final int serverId)
    {
        return new WorldSettings()
            .tickRateHz(tickHz)
            .npcsPerTerritory(npcsPerTerritory)
            .followFraction(followFraction)
            .seed(seed + serverId)
            .maxSpeedMps(maxSpeedMps)
            .worldHalfExtentM(worldHalfExtentM)
            .conclude();
    }
}
