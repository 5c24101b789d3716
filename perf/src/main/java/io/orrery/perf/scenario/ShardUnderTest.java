/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.perf.scenario;

import org.agrona.concurrent.status.CountersReader;

/**
 * The shard a scenario runs against, started and stopped by the {@link ScenarioRun}: the scripted in-process
 * Replication Layer ({@link ScriptedShardUnderTest}) today, a servers-backed mesh (N game servers from a shard
 * config) later. Bots connect through the media driver in {@link #aeronDirectory()}; the runner reads every Orrery
 * counter (type id {@link io.orrery.core.status.OrreryCounter#COUNTER_TYPE_ID}) from {@link #countersReader()}.
 * <p>
 * Threading: start, the accessors and close are called by the runner's controlling thread; {@link #countersReader()}
 * is also read by the sampler on that thread, never concurrently.
 */
public interface ShardUnderTest extends AutoCloseable
{
    /**
     * Start the shard for a scenario and return once bots can connect.
     *
     * @param scenario what to run (servers, shard config, entities, bots for session limits).
     */
    void start(Scenario scenario);

    /**
     * Media driver directory the bots connect through.
     *
     * @return Aeron directory name.
     */
    String aeronDirectory();

    /**
     * Counters of the media driver the shard's components allocate their {@code OrreryCounter}s in.
     *
     * @return a reader over the driver's counters.
     */
    CountersReader countersReader();

    /**
     * Channel the bots send their hellos and inputs to.
     *
     * @return client ingress channel.
     */
    String clientIngressChannel();

    /**
     * Stream of {@link #clientIngressChannel()}.
     *
     * @return client ingress stream id.
     */
    int clientIngressStreamId();

    /**
     * Secret the bots' session tokens are signed with.
     *
     * @return token secret.
     */
    byte[] tokenSecret();

    /**
     * One line for logs and the summary, e.g. "scripted in-process Replication Layer".
     *
     * @return description.
     */
    String description();

    /**
     * Ids of the game servers of a servers-backed shard.
     *
     * @return server ids; empty for the scripted shard.
     */
    default int[] serverIds()
    {
        return new int[0];
    }

    /**
     * Stop one game server abruptly: it stops working (no more ticks, writes or load reports) without saying goodbye,
     * so the Replication Layer notices only by the missing heartbeat and fails over.
     *
     * @param serverId which one.
     * @return the number of players that server simulated when stopped, or -1 when there is no such server.
     */
    default long stopServerAbruptly(final int serverId)
    {
        return -1;
    }

    /**
     * One line per game server (ticks, tick time, entities, players, handoffs), for logs and the summary.
     *
     * @return status lines; empty for the scripted shard.
     */
    default java.util.List<String> serverStatus()
    {
        return java.util.List.of();
    }

    /**
     * Players a game server simulates, as its own status last said.
     *
     * @param serverId which one.
     * @return players, or -1 when unknown (no such server, or not in this process).
     */
    default long serverPlayers(final int serverId)
    {
        return -1;
    }

    /**
     * The Replication Layer of the shard when it runs in this process (its residence recorders are read for the
     * report).
     *
     * @return the layer, or null when it runs elsewhere.
     */
    default io.orrery.core.ReplicationLayer layer()
    {
        return null;
    }

    /**
     * Stop everything started; idempotent.
     */
    @Override
    void close();
}
