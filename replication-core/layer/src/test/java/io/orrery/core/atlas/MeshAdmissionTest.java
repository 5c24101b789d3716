/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.orrery.core.client.ClientSession;
import io.orrery.core.status.OrreryCounter;
import io.orrery.wire.codec.RejectReason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Admission control: when every game server is above its high-water mark and no spare server is left, Atlas closes
 * admission and the Gateway refuses new players with {@code shardFull}, a transient reason (the client link tries
 * again later); players already in stay.
 */
class MeshAdmissionTest
{
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
    void shouldRefuseNewPlayersWithShardFullWhileEveryServerIsAboveItsHighWaterMark()
    {
        shard = new MeshTestShard(String.join("\n",
            "servers 1,2",
            "territory 1 server 1 box -inf -inf -inf 0 inf inf",
            "territory 2 server 2 box 0 -inf -inf inf inf inf",
            "spawn -1.5 0 0 0",
            "balance 100 8 0.5",
            "load-weights 1 1 0.5 2",
            "server-capacity 1")); // high water 0.85: a server is above it with its base cost alone
        final ClientSession first = shard.connect(1, new MeshHandoffTest.OwnEntityWatcher());
        assertTrue(first.isConnected(), "admission open before any server holds a territory");
        final TestGameServer one = shard.startServer(1, null);
        shard.startServer(2, null);
        shard.ticksUntil(() -> one.owns(1), 20, "player 1 on server 1");
        shard.ticksUntil(() -> 1 == shard.counter(OrreryCounter.ADMISSION_CLOSED), 20,
            "admission closed: both servers above their high-water mark, no spare");

        final ClientSession third = shard.clientLink.connect(
            shard.playerTokens.issue(3, System.currentTimeMillis() + 60_000), null);
        shard.await(() -> third.transientRejects() >= 1, "player 3 refused");
        assertEquals(ClientSession.State.CONNECTING, third.state(), "shard full is transient: it will hello again");
        assertTrue(shard.counter(OrreryCounter.REJECTED_SHARD_FULL) >= 1);
        assertEquals(RejectReason.shardFull.value(), third.rejectReason());
        for (int i = 0; i < 10; i++)
        {
            shard.tick();
        }
        assertTrue(first.isConnected(), "players already in stay");
        assertTrue(one.owns(1));
    }
}
