/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.orrery.core.client.ClientSession;
import io.orrery.core.server.ServerLink;
import io.orrery.core.status.OrreryCounter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A game server that rejoins the layer (its link heard nothing for its layer timeout while the layer froze) gets its
 * entities streamed in again on its new session. Inputs it was forwarded and applied before the layer froze, but had
 * not yet written back (so the layer's cache still shows an older last applied input), must not be applied again;
 * inputs the layer forwarded after its pause, which the link dropped because it had already given the old session
 * up, and inputs that never left the layer, must still be applied, once.
 */
@Tag("system")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MeshRejoinInputTest
{
    static final String ONE_SERVER = String.join("\n",
        "servers 1",
        "territory 1 server 1 box -inf -inf -inf inf inf inf",
        "heartbeat-timeout 500",
        "spawn 0 0 0 0");
    static final long PLAYER = 1;

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
    void shouldApplyEachInputOnceWhenServerRejoinsBeforeWritingInputsItApplied()
    {
        final int[] applied = new int[4096];
        shard = new MeshTestShard(ONE_SERVER);
        final TestGameServer one = new TestGameServer(1, 30, applied);
        shard.startServer(one, shard.serverContext(1, one).layerTimeoutNs(TimeUnit.MILLISECONDS.toNanos(300)));
        final ClientSession bot = shard.connect(PLAYER, new MeshHandoffTest.OwnEntityWatcher());
        shard.ticksUntil(() -> one.owns(PLAYER), 10, "player streamed in to server 1");
        for (int i = 0; i < 5; i++)
        {
            bot.sendInput(0.5f, 0, 0, 0, 0, 0, shard.clock.nanoTime());
            shard.tick();
        }
        final int slot = shard.store().slotOf(PLAYER);
        final long epochBefore = shard.store().authorityEpoch(slot);

        // applied by the server, not yet written back: the cache's last applied input lags behind them
        shard.simulateServers = false;
        long lastApplied = 0;
        for (int i = 0; i < 3; i++)
        {
            lastApplied = bot.sendInput(0.5f, 0, 0, 0, 0, 0, shard.clock.nanoTime());
            shard.tick();
        }
        assertTrue(lastApplied > 0);
        assertEquals(1, applied[(int)lastApplied], "the server applied the last input");
        assertTrue(shard.store().lastAppliedInputSequence(slot) < lastApplied - 2, "the cache has none of them");

        // the layer freezes for more than two of its heartbeat intervals; the server's link gives the old session up
        // (from now on it drops what arrives on it: here it is simply not polled again) and rejoins with a new link;
        // inputs sent meanwhile wait at the layer
        shard.layerFrozen = true;
        shard.kill(one);
        final ServerLink oldLink = one.link;
        for (int i = 0; i < 8; i++)
        {
            if (i < 2)
            {
                bot.sendInput(0.5f, 0, 0, 0, 0, 0, shard.clock.nanoTime());
            }
            shard.tick();
        }

        // the layer runs again: it forwards the waiting inputs to the old session (nobody applies them), then takes
        // the rejoining server's hello as a replacement of its session and streams the player in again
        shard.layerFrozen = false;
        shard.simulateServers = true;
        shard.startServer(one, shard.serverContext(1, one));
        shard.ticksUntil(() -> one.owns(PLAYER) && one.epochOf(PLAYER) > epochBefore, 30,
            "the rejoined server got the player");
        assertEquals(1, shard.counter(OrreryCounter.SERVER_REPLACEMENTS), "the session was replaced");
        assertEquals(0, shard.counter(OrreryCounter.SERVER_FAILOVERS), "a rejoin, not a failover");

        for (int i = 0; i < 5; i++)
        {
            bot.sendInput(-0.5f, 0, 0, 0, 0, 0, shard.clock.nanoTime());
            shard.tick();
        }
        for (int i = 0; i < 3; i++)
        {
            shard.tick();
        }

        final long sent = bot.inputSequence();
        for (int seq = 1; seq <= sent; seq++)
        {
            assertEquals(1, applied[seq], "input " + seq + " of " + sent + " applied exactly once");
        }
        assertEquals(sent, one.inputsApplied);
        assertEquals(sent, shard.store().lastAppliedInputSequence(slot), "the echo caught up");
        assertEquals(1, shard.atlas().authorityOf(PLAYER));
        assertTrue(bot.isConnected());
        assertEquals(ServerLink.State.CONNECTED, one.link.state());
        assertEquals(0, one.inputsWithWrongEpoch);
        assertEquals(3, shard.mesh().inputsClaimedAtStreamIn(), "the three applied before the rejoin");
        oldLink.close(); // the old session's listener is the same server: only now, so it does not drop the world
    }

    @Test
    void shouldClaimForwardsAgainOnceServerConfirmsOneAfterLayerPause()
    {
        final int[] applied = new int[4096];
        shard = new MeshTestShard(ONE_SERVER);
        final TestGameServer one = shard.startServer(1, applied);
        final ClientSession bot = shard.connect(PLAYER, new MeshHandoffTest.OwnEntityWatcher());
        shard.ticksUntil(() -> one.owns(PLAYER), 10, "player streamed in to server 1");

        // a layer pause of more than two heartbeat intervals but shorter than the link's layer timeout: the link
        // keeps the session, and says so by writing back the inputs forwarded after the pause
        shard.layerFrozen = true;
        for (int i = 0; i < 8; i++)
        {
            shard.tick();
        }
        shard.layerFrozen = false;
        for (int i = 0; i < 5; i++)
        {
            bot.sendInput(0.5f, 0, 0, 0, 0, 0, shard.clock.nanoTime());
            shard.tick();
        }
        assertEquals(ServerLink.State.CONNECTED, one.link.state(), "the link kept its session");
        final int slot = shard.store().slotOf(PLAYER);
        assertEquals(bot.inputSequence(), shard.store().lastAppliedInputSequence(slot), "written back");

        // applied, not written back, then the server rejoins: those inputs are its own, claimed again
        shard.simulateServers = false;
        for (int i = 0; i < 3; i++)
        {
            bot.sendInput(0.5f, 0, 0, 0, 0, 0, shard.clock.nanoTime());
            shard.tick();
        }
        shard.kill(one);
        final ServerLink oldLink = one.link;
        shard.simulateServers = true;
        shard.startServer(one, shard.serverContext(1, one));
        shard.ticksUntil(() -> one.owns(PLAYER) && 1 == shard.counter(OrreryCounter.SERVER_REPLACEMENTS), 30,
            "the rejoined server got the player");
        for (int i = 0; i < 3; i++)
        {
            bot.sendInput(-0.5f, 0, 0, 0, 0, 0, shard.clock.nanoTime());
            shard.tick();
        }
        shard.tick();

        final long sent = bot.inputSequence();
        for (int seq = 1; seq <= sent; seq++)
        {
            assertEquals(1, applied[seq], "input " + seq + " of " + sent + " applied exactly once");
        }
        assertEquals(3, shard.mesh().inputsClaimedAtStreamIn());
        oldLink.close();
    }
}
