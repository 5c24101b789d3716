/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.orrery.core.ThreadingMode;
import io.orrery.core.client.ClientSession;
import io.orrery.core.status.OrreryCounter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Atlas on a thread of its own ({@link ThreadingMode#DEDICATED}): commands and decisions cross threads through the
 * SBE rings; a player is assigned, handed off across the border and failed over when its server dies, and Atlas's
 * thread allocates nothing in steady state.
 */
class MeshAtlasThreadTest
{
    private static final long PLAYER = MeshHandoffTest.PLAYER;
    /**
     * Rig ticks allowed for a handoff or a failover. Each rig tick waits (on the wall clock) for the layer's tick and
     * for Atlas's thread to have decided on it ({@link MeshTestShard#tick()}), so a starved Atlas costs wall time, not
     * rig ticks; the Gateway's thread is not waited for, and inputs it reads late move the player late.
     */
    private static final int ATLAS_TICKS = 3000;
    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();

    private MeshTestShard shard;

    @AfterEach
    void after()
    {
        if (null != shard)
        {
            shard.close();
        }
    }

    @Test
    void shouldHandOffAndFailOverWithAtlasOnItsOwnThread()
    {
        shard = new MeshTestShard(MeshHandoffTest.TWO_SERVERS, (ctx) -> ctx.threadingMode(ThreadingMode.DEDICATED));
        final TestGameServer one = shard.startServer(1, null);
        final TestGameServer two = shard.startServer(2, null);
        final ClientSession bot = shard.connect(PLAYER, new MeshHandoffTest.OwnEntityWatcher());
        shard.ticksUntil(() -> one.owns(PLAYER), 600, "player assigned to server 1");
        final long atlasThreadId = threadIdOf("orrery-atlas");
        assertTrue(atlasThreadId > 0, "Atlas runs on a thread of its own");

        shard.ticksUntil(() ->
        {
            bot.sendInput(1, 0, 0, 0, 0, 0, shard.clock.nanoTime());
            return two.owns(PLAYER) && !one.owns(PLAYER);
        }, ATLAS_TICKS, "player handed off to server 2");
        assertTrue(shard.counter(OrreryCounter.HANDOFFS_COMMITTED) >= 1);

        // steady state: the player walks on inside server 2's territory; Atlas's thread allocates nothing. Rounds
        // of 100 ticks are repeated until one is clean (the JIT's warm-up may still allocate in the first ones); a
        // steady cost per command or per tick would show in every round.
        long allocated = -1;
        for (int round = 0; round < 10 && 0 != allocated; round++)
        {
            final long before = THREADS.getThreadAllocatedBytes(atlasThreadId);
            for (int i = 0; i < 100; i++)
            {
                bot.sendInput(0.2f, 0, 0, 0, 0, 0, shard.clock.nanoTime());
                shard.tick();
            }
            allocated = THREADS.getThreadAllocatedBytes(atlasThreadId) - before;
        }
        assertEquals(0, allocated, "bytes allocated by Atlas's thread over 100 ticks, in the cleanest of 10 rounds");

        shard.kill(two);
        shard.ticksUntil(() -> one.owns(PLAYER), ATLAS_TICKS, "player failed over to server 1");
        assertEquals(1, shard.counter(OrreryCounter.SERVER_FAILOVERS));
        assertFalse(two.owns(PLAYER) && shard.servers.contains(two));
        assertTrue(bot.isConnected());
    }

    private static long threadIdOf(final String name)
    {
        for (final long id : THREADS.getAllThreadIds())
        {
            final ThreadInfo info = THREADS.getThreadInfo(id);
            if (null != info && name.equals(info.getThreadName()))
            {
                return id;
            }
        }
        return -1;
    }
}
