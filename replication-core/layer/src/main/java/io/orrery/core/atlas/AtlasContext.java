/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.orrery.core.ingress.IngressLimits;

import java.nio.file.Paths;

/**
 * Settings of Atlas, the role that meshes game servers: the shard configuration, the server ingress, the egress
 * publications it opens to game servers and what the server ingress accepts from them. Every setting has a default,
 * overridable by the system property named in its constant. Composed by the Replication Layer's Context; the shard
 * is meshed when a {@link ShardConfig} is set (or named by {@link #SHARD_CONFIG_PROP}).
 * <p>
 * Threading: set before launch; read-only once concluded.
 */
public final class AtlasContext
{
    public static final String SERVER_TICK_WAIT_US_PROP = "orrery.server.tick.wait.us";
    public static final long SERVER_TICK_WAIT_US_DEFAULT = 3000;

    public static final String SERVER_INGRESS_CHANNEL_PROP = "orrery.server.ingress.channel";
    public static final String SERVER_INGRESS_CHANNEL_DEFAULT = "aeron:ipc?term-length=1m";
    public static final String SERVER_INGRESS_STREAM_ID_PROP = "orrery.server.ingress.stream.id";
    public static final int SERVER_INGRESS_STREAM_ID_DEFAULT = 1002;
    public static final String SERVER_EGRESS_TERM_LENGTH_PROP = "orrery.server.egress.term.length";
    /**
     * Term length of each game server's egress publication, set by the layer whatever the server's hello asks.
     */
    public static final int SERVER_EGRESS_TERM_LENGTH_DEFAULT = 1024 * 1024;
    /**
     * Encoding of the read-only views sent to game servers: {@code COMPACT} (the default) or {@code LEGACY}
     * ({@link ServerViewsEncoding}).
     */
    public static final String SERVER_VIEWS_ENCODING_PROP = "orrery.server.views.encoding";
    public static final ServerViewsEncoding SERVER_VIEWS_ENCODING_DEFAULT = ServerViewsEncoding.COMPACT;
    /**
     * Path of a shard configuration file ({@link ShardConfig}): when set, game servers simulate the world through
     * the server link (static meshing) instead of the scripted authority.
     */
    public static final String SHARD_CONFIG_PROP = "orrery.shard.config";

    private boolean isConcluded;
    private String serverIngressChannel = System.getProperty(
        SERVER_INGRESS_CHANNEL_PROP, SERVER_INGRESS_CHANNEL_DEFAULT);
    private int serverIngressStreamId = Integer.getInteger(
        SERVER_INGRESS_STREAM_ID_PROP, SERVER_INGRESS_STREAM_ID_DEFAULT);
    private int serverEgressTermLength = Integer.getInteger(
        SERVER_EGRESS_TERM_LENGTH_PROP, SERVER_EGRESS_TERM_LENGTH_DEFAULT);
    private ServerViewsEncoding serverViewsEncoding = ServerViewsEncoding.valueOf(
        System.getProperty(SERVER_VIEWS_ENCODING_PROP, SERVER_VIEWS_ENCODING_DEFAULT.name()));
    private IngressLimits serverIngressLimits = IngressLimits.forServers();
    private ShardConfig shardConfig;
    private long serverTickWaitNs = java.util.concurrent.TimeUnit.MICROSECONDS.toNanos(
        Long.getLong(SERVER_TICK_WAIT_US_PROP, SERVER_TICK_WAIT_US_DEFAULT));
    private long layerTickIntervalNs;
    private ServerFleetControl fleetControl;
    private AtlasLink atlasLink;

    /**
     * Validate the settings and load the shard configuration named by {@link #SHARD_CONFIG_PROP} when none is set.
     * Idempotent.
     *
     * @return this.
     */
    public AtlasContext conclude()
    {
        if (isConcluded)
        {
            return this;
        }
        serverIngressLimits.validate("serverIngressLimits");
        if (serverEgressTermLength < 64 * 1024 || Integer.bitCount(serverEgressTermLength) != 1 ||
            serverEgressTermLength > 64 * 1024 * 1024)
        {
            throw new IllegalArgumentException("serverEgressTermLength must be a power of two in [64 KiB, 64 MiB]: " +
                serverEgressTermLength);
        }
        if (null == shardConfig && null != System.getProperty(SHARD_CONFIG_PROP))
        {
            shardConfig = ShardConfig.load(Paths.get(System.getProperty(SHARD_CONFIG_PROP)));
        }
        isConcluded = true;
        return this;
    }

    /**
     * Channel game servers publish to (their server link's ingress).
     */
    public String serverIngressChannel()
    {
        return serverIngressChannel;
    }

    public AtlasContext serverIngressChannel(final String serverIngressChannel)
    {
        this.serverIngressChannel = serverIngressChannel;
        return this;
    }

    public int serverIngressStreamId()
    {
        return serverIngressStreamId;
    }

    public AtlasContext serverIngressStreamId(final int serverIngressStreamId)
    {
        this.serverIngressStreamId = serverIngressStreamId;
        return this;
    }

    /**
     * What the server ingress accepts from game servers before and after they authenticate, and the parameters
     * of the egress publications Atlas opens for them.
     */
    public IngressLimits serverIngressLimits()
    {
        return serverIngressLimits;
    }

    public AtlasContext serverIngressLimits(final IngressLimits serverIngressLimits)
    {
        this.serverIngressLimits = serverIngressLimits;
        return this;
    }

    /**
     * Term length of each game server's egress publication (three terms each), set by the layer: a server's
     * hello cannot choose it.
     */
    public ServerViewsEncoding serverViewsEncoding()
    {
        return serverViewsEncoding;
    }

    /**
     * @param serverViewsEncoding see {@link #SERVER_VIEWS_ENCODING_PROP}.
     */
    public AtlasContext serverViewsEncoding(final ServerViewsEncoding serverViewsEncoding)
    {
        this.serverViewsEncoding = serverViewsEncoding;
        return this;
    }

    public int serverEgressTermLength()
    {
        return serverEgressTermLength;
    }

    public AtlasContext serverEgressTermLength(final int serverEgressTermLength)
    {
        this.serverEgressTermLength = serverEgressTermLength;
        return this;
    }

    /**
     * Static meshing: the shard configuration (from {@link #SHARD_CONFIG_PROP} if not set). When set and no
     * authority is given to the Replicant, the authority is a {@link MeshAuthority}.
     */
    public ShardConfig shardConfig()
    {
        return shardConfig;
    }

    public AtlasContext shardConfig(final ShardConfig shardConfig)
    {
        this.shardConfig = shardConfig;
        return this;
    }

    /**
     * Where dynamic meshing's requests to start and retire game servers go (a fleet); null (default): they are only
     * counted ({@code FLEET_REQUESTS}).
     */
    public AtlasContext fleetControl(final ServerFleetControl fleetControl)
    {
        this.fleetControl = fleetControl;
        return this;
    }

    public ServerFleetControl fleetControl()
    {
        return fleetControl;
    }

    /**
     * With game servers that mark the end of their ticks: the longest the Replicant waits, after the first server of
     * a round ended its tick, for the other live servers before it streams what it has (so a slow or dead server
     * cannot stall clients). Servers on one host tick in phase and end within about a millisecond of each other.
     * Default {@value #SERVER_TICK_WAIT_US_DEFAULT} µs ({@value #SERVER_TICK_WAIT_US_PROP}).
     */
    public long serverTickWaitNs()
    {
        return serverTickWaitNs;
    }

    public AtlasContext serverTickWaitNs(final long serverTickWaitNs)
    {
        this.serverTickWaitNs = serverTickWaitNs;
        return this;
    }

    /**
     * @return the Replicant's tick interval (the layer sets it from the Replicant's tick rate): a game server whose
     * last tick end is older than four of these is no longer waited for, and server-driven passes are at least half
     * of one apart.
     */
    public long layerTickIntervalNs()
    {
        return layerTickIntervalNs;
    }

    public AtlasContext layerTickIntervalNs(final long layerTickIntervalNs)
    {
        this.layerTickIntervalNs = layerTickIntervalNs;
        return this;
    }

    /**
     * @return a game server whose last tick end is older than this is no longer waited for.
     */
    public long serverTickStaleNs()
    {
        return 4 * layerTickIntervalNs;
    }

    /**
     * @return the link to an Atlas in another process ({@link AeronAtlasLink}), or null (the default) for Atlas run by
     * the layer through its rings.
     */
    public AtlasLink atlasLink()
    {
        return atlasLink;
    }

    public AtlasContext atlasLink(final AtlasLink atlasLink)
    {
        this.atlasLink = atlasLink;
        return this;
    }
}
