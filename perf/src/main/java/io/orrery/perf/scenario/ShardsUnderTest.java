/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.perf.scenario;

/**
 * Chooses the {@link ShardUnderTest} for a scenario: {@code servers=0} is the scripted in-process shard. A
 * servers-backed shard (N game servers from the scenario's {@code shard} config) plugs in here.
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
     * @throws UnsupportedOperationException when the scenario needs game servers, which cannot be started yet.
     */
    public static ShardUnderTest create(final Scenario scenario)
    {
        if (0 == scenario.servers())
        {
            return new ScriptedShardUnderTest();
        }

        throw new UnsupportedOperationException("scenario " + scenario.name() + " asks for servers=" +
            scenario.servers() + " (shard=" + scenario.shard() + "), but no servers-backed ShardUnderTest is wired " +
            "in yet. Run it now on the scripted in-process shard with --fallback (uses fallback-servers=" +
            scenario.fallbackServers() + ") or --servers 0.");
    }
}
