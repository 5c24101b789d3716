/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.gateway;

import io.orrery.core.status.OrreryCounter;
import org.agrona.collections.LongHashSet;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * The client sessions of one shard, whichever Gateway serves them: the in-process {@link GatewayAgent}'s and those
 * held through remote Gateways over the gateway link. It keeps one session per player across all of them
 * ({@link #hasPlayer(long)}), counts capacity over all of them ({@link #playerCount()}), and publishes
 * {@link OrreryCounter#SESSIONS_ACTIVE} as the sum of the in-process Gateway's active sessions and the remote ones
 * ({@link OrreryCounter#GATEWAY_LINK_SESSIONS} stays the remote part). In a Gateway process of its own, which has no
 * link to remote Gateways, it holds that Gateway's sessions only.
 * <p>
 * Single writer: the Gateway's thread (the gateway link always runs on it).
 */
public final class ShardSessions
{
    private final LongHashSet players = new LongHashSet();
    private final AtomicCounter sessionsActive;
    private int localSessions;
    private int remoteSessions;

    /**
     * @param sessionsActive the {@link OrreryCounter#SESSIONS_ACTIVE} counter this sets.
     */
    public ShardSessions(final AtomicCounter sessionsActive)
    {
        this.sessionsActive = sessionsActive;
    }

    /**
     * @param playerId a player's entity id.
     * @return true if the player has a session, or a welcome pending, through any Gateway.
     */
    public boolean hasPlayer(final long playerId)
    {
        return players.contains(playerId);
    }

    /**
     * A player got a session (or a pending welcome) through some Gateway.
     *
     * @param playerId the player's entity id.
     */
    public void addPlayer(final long playerId)
    {
        players.add(playerId);
    }

    /**
     * A player's session (or pending welcome) ended.
     *
     * @param playerId the player's entity id.
     */
    public void removePlayer(final long playerId)
    {
        players.remove(playerId);
    }

    /**
     * @return players with a session or a pending welcome through any Gateway: what counts against the shard's
     * session capacity.
     */
    public int playerCount()
    {
        return players.size();
    }

    /**
     * @param count sessions the in-process Gateway has welcomed and not yet ended.
     */
    public void localSessions(final int count)
    {
        localSessions = count;
        sessionsActive.setOrdered(localSessions + remoteSessions);
    }

    /**
     * @param count sessions held through remote Gateways.
     */
    public void remoteSessions(final int count)
    {
        remoteSessions = count;
        sessionsActive.setOrdered(localSessions + remoteSessions);
    }

    /**
     * @return active sessions of the shard, through every Gateway (what {@link OrreryCounter#SESSIONS_ACTIVE} shows).
     */
    public int activeSessions()
    {
        return localSessions + remoteSessions;
    }
}
