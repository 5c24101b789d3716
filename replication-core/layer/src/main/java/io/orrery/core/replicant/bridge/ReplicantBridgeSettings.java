/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant.bridge;

/**
 * Which secondary Replicants of a layer run in their own processes ({@code ReplicantServer}), and where their
 * bridges listen. Defaults from system properties. A remote Replicant id must be a secondary's (1..replicants-1).
 * <p>
 * Threading: control path (set before the layer launches).
 */
public final class ReplicantBridgeSettings
{
    /**
     * Comma separated ids of the secondary Replicants that run in their own processes; none by default.
     */
    public static final String REMOTE_IDS_PROP = "orrery.replicant.remote.ids";
    /**
     * Channel the bridges subscribe to for the remote Replicants' hellos and frames.
     */
    public static final String CHANNEL_PROP = "orrery.replicant.bridge.channel";
    public static final String CHANNEL_DEFAULT = "aeron:udp?endpoint=localhost:20571";
    /**
     * Base of the bridges' streams: Replicant id N listens on base + N.
     */
    public static final String STREAM_ID_BASE_PROP = "orrery.replicant.bridge.stream.id.base";

    private int[] remoteIds = parseIds(System.getProperty(REMOTE_IDS_PROP, ""));
    private String channel = System.getProperty(CHANNEL_PROP, CHANNEL_DEFAULT);
    private int streamIdBase = Integer.getInteger(STREAM_ID_BASE_PROP, ReplicantBridge.STREAM_ID_BASE);
    /**
     * Environment variable of the bridge link's own secret (at least 16 bytes); without it the layer's token secret.
     */
    public static final String LINK_SECRET_ENV = "ORRERY_REPLICANT_LINK_SECRET";

    private byte[] linkSecret = linkSecretFromEnvironment();

    /**
     * @return the secret from {@value #LINK_SECRET_ENV}, or null.
     */
    public static byte[] linkSecretFromEnvironment()
    {
        final String value = System.getenv(LINK_SECRET_ENV);
        return null == value || value.isEmpty() ? null : value.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    static int[] parseIds(final String value)
    {
        if (null == value || value.isBlank())
        {
            return new int[0];
        }
        final String[] parts = value.split(",");
        final int[] ids = new int[parts.length];
        for (int i = 0; i < parts.length; i++)
        {
            ids[i] = Integer.parseInt(parts[i].trim());
        }
        return ids;
    }

    /**
     * @param replicantId a secondary's id.
     * @return whether it runs in its own process behind a bridge.
     */
    public boolean isRemote(final int replicantId)
    {
        for (final int id : remoteIds)
        {
            if (id == replicantId)
            {
                return true;
            }
        }
        return false;
    }

    public int[] remoteIds()
    {
        return remoteIds.clone();
    }

    public ReplicantBridgeSettings remoteIds(final int... remoteIds)
    {
        this.remoteIds = remoteIds.clone();
        return this;
    }

    public String channel()
    {
        return channel;
    }

    public ReplicantBridgeSettings channel(final String channel)
    {
        this.channel = channel;
        return this;
    }

    public int streamIdBase()
    {
        return streamIdBase;
    }

    public ReplicantBridgeSettings streamIdBase(final int streamIdBase)
    {
        this.streamIdBase = streamIdBase;
        return this;
    }

    /**
     * @return the bridge link's secret, or null for the layer's token secret (as the Gateway link).
     */
    public byte[] linkSecret()
    {
        return linkSecret;
    }

    public ReplicantBridgeSettings linkSecret(final byte[] linkSecret)
    {
        this.linkSecret = linkSecret;
        return this;
    }
}
