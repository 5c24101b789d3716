/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.gateway.link;

import io.aeron.Aeron;
import io.orrery.core.auth.Ed25519PlayerTokens;
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
 * signs a game server's token or proves a link), or the shard's token secret it is derived from; or, with Ed25519
 * player tokens, their public key alone ({@link #withPlayerTokenPublicKey}: nothing in the process mints a player
 * token).
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
    private final byte[] playerTokenPublicKey;
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
        this(name, aeron, tokenSecret, SessionTokens.playerTokenKey(tokenSecret), null, errorHandler, nanoClock,
            epochClock);
    }

    private GatewayResources(
        final String name,
        final Aeron aeron,
        final byte[] tokenSecret,
        final byte[] playerTokenKey,
        final byte[] playerTokenPublicKey,
        final ErrorHandler errorHandler,
        final NanoClock nanoClock,
        final EpochClock epochClock)
    {
        if (null != playerTokenPublicKey)
        {
            Ed25519PlayerTokens.forPublicKey(playerTokenPublicKey);
        }
        else
        {
            SessionTokens.forPlayerKey(playerTokenKey);
        }
        this.name = name;
        this.aeron = aeron;
        this.tokenSecret = tokenSecret;
        this.playerTokenKey = null == playerTokenKey ? null : playerTokenKey.clone();
        this.playerTokenPublicKey = null == playerTokenPublicKey ? null : playerTokenPublicKey.clone();
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
        return new GatewayResources(name, aeron, null, playerTokenKey, null, errorHandler, nanoClock, epochClock);
    }

    /**
     * A Gateway of Ed25519 player tokens: it holds only their public key, neither the shard's secret nor a player
     * key, so whoever takes over the process cannot mint a player token either.
     *
     * @param name                 names the Gateway in counter labels and threads.
     * @param aeron                its Aeron client.
     * @param playerTokenPublicKey the raw public key, {@link Ed25519PlayerTokens#KEY_LENGTH} bytes.
     * @param errorHandler         where errors go.
     * @param nanoClock            clock of its duty cycle.
     * @param epochClock           wall clock, for token expiry.
     * @return the resources; {@link #tokenSecret()} and {@link #playerTokenKey()} are null.
     */
    public static GatewayResources withPlayerTokenPublicKey(
        final String name,
        final Aeron aeron,
        final byte[] playerTokenPublicKey,
        final ErrorHandler errorHandler,
        final NanoClock nanoClock,
        final EpochClock epochClock)
    {
        if (null == playerTokenPublicKey)
        {
            throw new IllegalArgumentException("an Ed25519 player token public key is required");
        }
        return new GatewayResources(
            name, aeron, null, null, playerTokenPublicKey, errorHandler, nanoClock, epochClock);
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

    /**
     * @return the player key, or null when this Gateway holds only the Ed25519 public key.
     */
    @Override
    public byte[] playerTokenKey()
    {
        return playerTokenKey;
    }

    @Override
    public byte[] playerTokenPublicKey()
    {
        return playerTokenPublicKey;
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
