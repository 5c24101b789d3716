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

    /**
     * Silence (no heartbeat, no frame) after which a bridge declares its proven Replicant lost and the primary takes
     * its subtrees over, in milliseconds. Default 1,000: ten heartbeats, so a GC pause or a descheduled thread of a few
     * hundred ms does not flap it, and a dead host's entities move again about a second after its last message.
     */
    public static final String TAKEOVER_AFTER_MS_PROP = "orrery.replicant.takeover.after.ms";
    /**
     * Time a linked Replicant holding its snapshot must be heard from before it owns anything (at its first link and
     * after a loss), in milliseconds. Default 2,000: twice the takeover time, so one that keeps stalling is not handed
     * its subtrees back between two losses.
     */
    public static final String RETURN_AFTER_MS_PROP = "orrery.replicant.return.after.ms";
    /**
     * Cap of the return hold as it backs off, in milliseconds: a Replicant lost within
     * {@value #RETURN_STABLE_MS_PROP} of a return has its hold doubled for the next one (2 s, 4, 8, ... at most this).
     * Default 60,000; a value below {@value #RETURN_AFTER_MS_PROP} turns the back-off off.
     */
    public static final String RETURN_MAX_MS_PROP = "orrery.replicant.return.max.ms";
    /**
     * Time after a return within which a loss doubles the return hold, and for which a Replicant that stays available
     * has its hold reset to {@value #RETURN_AFTER_MS_PROP}, in milliseconds. Default 30,000; at least 1.
     */
    public static final String RETURN_STABLE_MS_PROP = "orrery.replicant.return.stable.ms";

    private int[] remoteIds = parseIds(System.getProperty(REMOTE_IDS_PROP, ""));
    private long takeoverAfterMs =
        msProperty(TAKEOVER_AFTER_MS_PROP, ReplicantBridge.TAKEOVER_AFTER_NS_DEFAULT / 1_000_000, 1);
    private long returnAfterMs =
        msProperty(RETURN_AFTER_MS_PROP, ReplicantBridge.RETURN_AFTER_NS_DEFAULT / 1_000_000, 0);
    private long returnMaxMs = msProperty(RETURN_MAX_MS_PROP, ReplicantBridge.RETURN_MAX_NS_DEFAULT / 1_000_000, 0);
    private long returnStableMs =
        msProperty(RETURN_STABLE_MS_PROP, ReplicantBridge.RETURN_STABLE_NS_DEFAULT / 1_000_000, 1);
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

    public long takeoverAfterMs()
    {
        return takeoverAfterMs;
    }

    /**
     * @param takeoverAfterMs silence after which a proven Replicant is lost (at least 1).
     * @return this.
     */
    public ReplicantBridgeSettings takeoverAfterMs(final long takeoverAfterMs)
    {
        if (takeoverAfterMs < 1)
        {
            throw new IllegalArgumentException(TAKEOVER_AFTER_MS_PROP + " must be at least 1: " + takeoverAfterMs);
        }
        this.takeoverAfterMs = takeoverAfterMs;
        return this;
    }

    public long returnAfterMs()
    {
        return returnAfterMs;
    }

    /**
     * @param returnAfterMs time a linked, synced Replicant is heard from before it owns anything (0 or more).
     * @return this.
     */
    public ReplicantBridgeSettings returnAfterMs(final long returnAfterMs)
    {
        if (returnAfterMs < 0)
        {
            throw new IllegalArgumentException(RETURN_AFTER_MS_PROP + " must not be negative: " + returnAfterMs);
        }
        this.returnAfterMs = returnAfterMs;
        return this;
    }

    public long returnMaxMs()
    {
        return returnMaxMs;
    }

    /**
     * @param returnMaxMs cap of the backed-off return hold (0 or more; below the return hold: no back-off).
     * @return this.
     */
    public ReplicantBridgeSettings returnMaxMs(final long returnMaxMs)
    {
        if (returnMaxMs < 0)
        {
            throw new IllegalArgumentException(RETURN_MAX_MS_PROP + " must not be negative: " + returnMaxMs);
        }
        this.returnMaxMs = returnMaxMs;
        return this;
    }

    public long returnStableMs()
    {
        return returnStableMs;
    }

    /**
     * @param returnStableMs time after a return within which a loss doubles the hold, and after which it resets (at
     *                       least 1).
     * @return this.
     */
    public ReplicantBridgeSettings returnStableMs(final long returnStableMs)
    {
        if (returnStableMs < 1)
        {
            throw new IllegalArgumentException(RETURN_STABLE_MS_PROP + " must be at least 1: " + returnStableMs);
        }
        this.returnStableMs = returnStableMs;
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

    /**
     * A duration property in milliseconds: a value that is not a whole number, or below the minimum, stops the start
     * with the property's name (Long.getLong would take the default for "1s" without a word).
     */
    private static long msProperty(final String name, final long defaultMs, final long minimumMs)
    {
        final String value = System.getProperty(name);
        if (null == value)
        {
            return defaultMs;
        }
        final long ms;
        try
        {
            ms = Long.parseLong(value.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(name + " must be a whole number of milliseconds: " + value);
        }
        if (ms < minimumMs)
        {
            throw new IllegalArgumentException(name + " must be at least " + minimumMs + ": " + value);
        }
        return ms;
    }
}
