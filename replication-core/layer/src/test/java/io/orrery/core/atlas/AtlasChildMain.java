/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.aeron.Aeron;
import io.aeron.Counter;
import io.orrery.core.status.OrreryCounter;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Atlas alone in a child JVM for tests ({@link AtlasRemoteAgent} as the {@code AtlasServer} process runs it): args are
 * the Aeron directory of the layer's media driver, the shard file, the command and decision channel and streams. The
 * token secret is the test shard's ({@link MeshTestShard#SECRET}).
 */
public final class AtlasChildMain
{
    private AtlasChildMain()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final String aeronDir = args[0];
        final ShardConfig config = ShardConfig.parse(Files.readString(Path.of(args[1])), args[1]);
        final String channel = args[2];
        final int commandStreamId = Integer.parseInt(args[3]);
        final int decisionStreamId = Integer.parseInt(args[4]);
        final Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(aeronDir));
        final Counter[] counters = OrreryCounter.allocate(aeron, "atlas-child");
        final AtlasRemoteAgent agent = new AtlasRemoteAgent(config, 1024, TimeUnit.SECONDS.toNanos(5), counters,
            MeshTestShard.SECRET, System.out::println,
            aeron.addSubscription(AtlasRemoteAgent.commandSubscriptionChannel(channel), commandStreamId),
            aeron.addExclusivePublication(channel, decisionStreamId),
            SystemNanoClock.INSTANCE);
        final AgentRunner runner = new AgentRunner(new YieldingIdleStrategy(), Throwable::printStackTrace, null, agent);
        AgentRunner.startOnThread(runner);
        System.out.println("atlas child ready");
        final SleepingMillisIdleStrategy idle = new SleepingMillisIdleStrategy(50);
        while (!runner.isClosed())
        {
            idle.idle();
        }
    }
}
