/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.common;

import io.aeron.Aeron;
import io.orrery.core.auth.Ed25519PlayerTokens;
import io.orrery.core.auth.PlayerTokens;
import io.orrery.core.auth.SessionTokens;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.NanoClock;

import java.util.concurrent.ThreadFactory;

/**
 * What the roles of one Replication Layer (Gateway, Replicant, Atlas, Scribe) share: the Aeron client, the clocks,
 * the thread factory, the error handler, the shard's name and token secret. The layer's Context implements it and
 * hands it to each role with that role's own context, so that no role depends on the layer or on another role's
 * settings.
 * <p>
 * Threading: read-only once the layer's Context is concluded; any thread.
 */
public interface LayerResources
{
    /**
     * @return name of the shard, in counter labels and thread names.
     */
    String shardName();

    /**
     * @return the Aeron client every role opens its publications and subscriptions on.
     */
    Aeron aeron();

    /**
     * @return clock of the duty cycles.
     */
    NanoClock nanoClock();

    /**
     * @return wall clock, for token expiry.
     */
    EpochClock epochClock();

    /**
     * @return where errors go; thread safe.
     */
    ErrorHandler errorHandler();

    /**
     * @return factory of the threads a role starts (agent runners, Scribe's consumer).
     */
    ThreadFactory threadFactory();

    /**
     * @return the shard's token secret, the root of every key of the shard (player and server tokens, link keys); null
     * in a process that holds only the player key (a Gateway in its own process, see {@link #playerTokenKey()}).
     */
    byte[] tokenSecret();

    /**
     * @return the key player tokens are signed and verified with, {@link SessionTokens#playerTokenKey(byte[])} of the
     * token secret unless the process was given that key alone. Called when a Gateway is built, not per hello.
     */
    default byte[] playerTokenKey()
    {
        return SessionTokens.playerTokenKey(tokenSecret());
    }

    /**
     * @return the raw Ed25519 public key player tokens are verified with ({@link Ed25519PlayerTokens#KEY_LENGTH}
     * bytes), or null for HMAC player tokens ({@link #playerTokenKey()}, the default). With a public key, HMAC player
     * tokens are refused as bad tokens.
     */
    default byte[] playerTokenPublicKey()
    {
        return null;
    }

    /**
     * A new verifier of player tokens for one thread: Ed25519 with {@link #playerTokenPublicKey()} if there is one,
     * else HMAC with {@link #playerTokenKey()}. Called when a Gateway or a gateway link is built, not per hello.
     *
     * @return the verifier.
     */
    default PlayerTokens newPlayerTokens()
    {
        final byte[] publicKey = playerTokenPublicKey();
        return null != publicKey ? Ed25519PlayerTokens.forPublicKey(publicKey) :
            SessionTokens.forPlayerKey(playerTokenKey());
    }

    /**
     * @return how long a publication the layer opens to a peer (client or game server) may take to connect.
     */
    long publicationConnectTimeoutNs();

    /**
     * @return whether the layer has client sessions: the Replicant writes it, the default idle strategies of the
     * layer's threads read it (they park long while nobody is connected).
     */
    LayerIdleStrategy.Activity activity();
}
