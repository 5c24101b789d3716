/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.gateway.link;

import io.aeron.Aeron;
import io.orrery.core.auth.SessionTokens;
import io.orrery.core.common.LayerIdleStrategy;
import io.orrery.core.common.LayerResources;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.SystemNanoClock;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * What a Gateway in its own process shares with its {@link io.orrery.core.gateway.GatewayAgent}: its Aeron client,
 * the system clocks, and the key its clients' tokens verify with: the player key alone
 * ({@link #withPlayerTokenKey(String, Aeron, byte[], ErrorHandler)}: whoever takes over the process learns nothing that
 * signs a game server's token or proves a link), or the shard's token secret it is derived from.
 * <p>
 * Threading: immutable.
 */
public final class GatewayResources implements LayerResources
{
    /**
     * Default time a client's egress publication may take to connect.
     */
    public static final long PUBLICATION_CONNECT_TIMEOUT_NS_DEFAULT = TimeUnit.SECONDS.toNanos(5);

    private final String name;
    private final Aeron aeron;
    private final byte[] tokenSecret;
    private final byte[] playerTokenKey;
    private final ErrorHandler errorHandler;
    private final NanoClock nanoClock;
    private final EpochClock epochClock;
    private final LayerIdleStrategy.Activity activity = new LayerIdleStrategy.Activity();

    /**
     * @param name         names the Gateway in counter labels and threads.
     * @param aeron        its Aeron client.
     * @param tokenSecret  the shard's token secret (the player key is derived from it).
     * @param errorHandler where errors go.
     */
    public GatewayResources(
        final String name, final Aeron aeron, final byte[] tokenSecret, final ErrorHandler errorHandler)
    {
        this(name, aeron, tokenSecret, errorHandler, SystemNanoClock.INSTANCE, SystemEpochClock.INSTANCE);
    }

    /**
     * With clocks of the caller's (tests).
     */
    public GatewayResources(
        final String name,
        final Aeron aeron,
        final byte[] tokenSecret,
        final ErrorHandler errorHandler,
        final NanoClock nanoClock,
        final EpochClock epochClock)
    {
        this(name, aeron, tokenSecret, SessionTokens.playerTokenKey(tokenSecret), errorHandler, nanoClock, epochClock);
    }

    private GatewayResources(
        final String name,
        final Aeron aeron,
        final byte[] tokenSecret,
        final byte[] playerTokenKey,
        final ErrorHandler errorHandler,
        final NanoClock nanoClock,
        final EpochClock epochClock)
    {
        SessionTokens.forPlayerKey(playerTokenKey);
        this.name = name;
        this.aeron = aeron;
        this.tokenSecret = tokenSecret;
        this.playerTokenKey = playerTokenKey.clone();
        this.errorHandler = errorHandler;
        this.nanoClock = nanoClock;
        this.epochClock = epochClock;
    }

    /**
     * A Gateway that holds only the player key ({@link SessionTokens#playerTokenKey(byte[])}), not the shard's secret.
     *
     * @param name           names the Gateway in counter labels and threads.
     * @param aeron          its Aeron client.
     * @param playerTokenKey the player key, {@link SessionTokens#KEY_LENGTH} bytes.
     * @param errorHandler   where errors go.
     * @return the resources; {@link #tokenSecret()} is null.
     */
    public static GatewayResources withPlayerTokenKey(
        final String name, final Aeron aeron, final byte[] playerTokenKey, final ErrorHandler errorHandler)
    {
        return withPlayerTokenKey(
            name, aeron, playerTokenKey, errorHandler, SystemNanoClock.INSTANCE, SystemEpochClock.INSTANCE);
    }

    /**
     * With clocks of the caller's (tests).
     */
    public static GatewayResources withPlayerTokenKey(
        final String name,
        final Aeron aeron,
        final byte[] playerTokenKey,
        final ErrorHandler errorHandler,
        final NanoClock nanoClock,
        final EpochClock epochClock)
    {
        return new GatewayResources(name, aeron, null, playerTokenKey, errorHandler, nanoClock, epochClock);
    }

    @Override
    public String shardName()
    {
        return name;
    }

    @Override
    public Aeron aeron()
    {
        return aeron;
    }

    @Override
    public NanoClock nanoClock()
    {
        return nanoClock;
    }

    @Override
    public EpochClock epochClock()
    {
        return epochClock;
    }

    @Override
    public ErrorHandler errorHandler()
    {
        return errorHandler;
    }

    @Override
    public ThreadFactory threadFactory()
    {
        return Thread::new;
    }

    /**
     * @return the shard's token secret, or null when this Gateway holds only the player key.
     */
    @Override
    public byte[] tokenSecret()
    {
        return tokenSecret;
    }

    @Override
    public byte[] playerTokenKey()
    {
        return playerTokenKey;
    }

    @Override
    public long publicationConnectTimeoutNs()
    {
        return PUBLICATION_CONNECT_TIMEOUT_NS_DEFAULT;
    }

    @Override
    public LayerIdleStrategy.Activity activity()
    {
        return activity;
    }
}
