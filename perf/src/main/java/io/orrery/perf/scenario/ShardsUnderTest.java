/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.perf.scenario;

/**
 * Chooses the {@link ShardUnderTest} for a scenario: {@code servers=0} is the scripted in-process shard
 * ({@link ScriptedShardUnderTest}), {@code servers=N} the Replication Layer with N in-process game servers from the
 * scenario's {@code shard} config ({@link ServersShardUnderTest}).
 * <p>
 * Threading: stateless, any thread.
 */
public final class ShardsUnderTest
{
    private ShardsUnderTest()
    {
    }

    /**
     * A new, not yet started shard for a scenario.
     *
     * @param scenario to run.
     * @return the shard to start.
     */
    public static ShardUnderTest create(final Scenario scenario)
    {
        return 0 == scenario.servers() ? new ScriptedShardUnderTest() : new ServersShardUnderTest();
    }
}
