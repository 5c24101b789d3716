/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.orrery.core.client.ClientEntityView;
import io.orrery.core.client.ClientListener;
import io.orrery.core.client.ClientSession;
import io.orrery.core.status.OrreryCounter;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two game servers split the world at x = 0; one bot (a real client session) runs back and forth across the border.
 */
@Tag("system")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MeshHandoffTest
{
    static final String TWO_SERVERS = String.join("\n",
        "servers 1,2",
        "territory 1 server 1 box -inf -inf -inf 0 inf inf",
        "territory 2 server 2 box 0 -inf -inf inf inf inf",
        "view-margin 50",
        "heartbeat-timeout 500",
        "handoff-timeout 250",
        "spawn -1.5 0 0 0");
    static final long PLAYER = 1;
    static final int CROSSINGS = 1000;

    private MeshTestShard shard;

    @AfterEach
    void after()
    {
        if (null != shard)
        {
            shard.close();
        }
    }

    /**
     * Records the client's view of its own entity: epochs must only grow, and the update gap around each epoch change
     * (handoff) is measured in ticks of the controlled clock and in wall-clock microseconds.
     */
    static final class OwnEntityWatcher implements ClientListener
    {
        final Histogram gapTicks = new Histogram(1_000_000, 3);
        final Histogram gapWallUs = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
        long lastEpoch;
        long epochRegressions;
        long epochChanges;
        long lastUpdateClockNs;
        long lastUpdateWallNs;
        long ownSpawns;

        @Override
        public void onSpawn(final ClientSession session, final ClientEntityView view, final int slot)
        {
            if (view.entityId(slot) == session.playerEntityId())
            {
                ownSpawns++;
                lastEpoch = view.authorityEpoch(slot);
                lastUpdateClockNs = view.lastUpdateNs(slot);
                lastUpdateWallNs = System.nanoTime();
            }
        }

        @Override
        public void onUpdate(final ClientSession session, final ClientEntityView view, final int slot, final int mask)
        {
            if (view.entityId(slot) != session.playerEntityId())
            {
                return;
            }
            final long epoch = view.authorityEpoch(slot);
            final long clockNs = view.lastUpdateNs(slot);
            final long wallNs = System.nanoTime();
            if (epoch < lastEpoch)
            {
                epochRegressions++;
            }
            else if (epoch > lastEpoch)
            {
                epochChanges++;
                gapTicks.recordValue(Math.max(0, (clockNs - lastUpdateClockNs) / MeshTestShard.TICK_NS));
                gapWallUs.recordValue(Math.max(0, (wallNs - lastUpdateWallNs) / 1000));
            }
            lastEpoch = epoch;
            lastUpdateClockNs = clockNs;
            lastUpdateWallNs = wallNs;
        }
    }

    @Test
    void shouldHandOffEveryCrossingExactlyOnceWhenBotRunsAcrossBorderThousandTimes()
    {
        final int[] applied = new int[64 * 1024];
        shard = new MeshTestShard(TWO_SERVERS);
        final TestGameServer one = shard.startServer(1, applied);
        final TestGameServer two = shard.startServer(2, applied);
        assertTrue(one.welcomed && two.welcomed);
        assertEquals(1, one.territoriesGranted);
        assertEquals(1, two.territoriesGranted);

        final OwnEntityWatcher watcher = new OwnEntityWatcher();
        final ClientSession bot = shard.connect(PLAYER, watcher);
        assertTrue(bot.isConnected());
        shard.ticksUntil(() -> one.owns(PLAYER) && bot.view().contains(PLAYER), 10, "player streamed in");
        assertEquals(1, one.epochOf(PLAYER), "first authority at epoch 1");
        assertEquals(1, shard.atlas().authorityOf(PLAYER));

        float direction = 1;
        long maxEpochSeen = 1;
        final long startNs = System.nanoTime();
        int ticks = 0;
        while (shard.atlas().handoffsCommitted() < CROSSINGS)
        {
            final int viewSlot = bot.view().slotOf(PLAYER);
            final long xMm = bot.view().positionX(viewSlot);
            if (xMm > 1500)
            {
                direction = -1;
            }
            else if (xMm < -1500)
            {
                direction = 1;
            }
            bot.sendInput(direction, 0, 0, 0, 0, 0, shard.clock.nanoTime());
            shard.tick();
            ticks++;
            assertTrue(ticks < CROSSINGS * 10, "too many ticks for " + CROSSINGS + " crossings");

            // after every tick (so at every commit): exactly one server simulates the entity unless a handoff is in
            // flight (then at most one), the cache and the client's view hold it once, and the epochs agree
            final int simulating = (one.owns(PLAYER) ? 1 : 0) + (two.owns(PLAYER) ? 1 : 0);
            final boolean inFlight = shard.atlas().isHandingOff(PLAYER);
            assertTrue(simulating <= 1, "simulated by two servers at tick " + ticks);
            if (!inFlight)
            {
                assertEquals(1, simulating, "simulated by no server at tick " + ticks);
                final TestGameServer owner = one.owns(PLAYER) ? one : two;
                assertEquals(owner.serverId, shard.atlas().authorityOf(PLAYER));
                final int slot = shard.store().slotOf(PLAYER);
                assertEquals(shard.store().authorityEpoch(slot), owner.epochOf(PLAYER));
                assertTrue(owner.epochOf(PLAYER) >= maxEpochSeen, "epoch went back");
                maxEpochSeen = owner.epochOf(PLAYER);
            }
            assertEquals(1, shard.store().size(), "one entity in the cache");
            assertTrue(bot.view().contains(PLAYER));
        }
        final long elapsedNs = System.nanoTime() - startNs;

        // let the last inputs land
        for (int i = 0; i < 3; i++)
        {
            shard.tick();
        }
        final long sent = bot.inputSequence();
        int missing = 0;
        int duplicated = 0;
        for (int seq = 1; seq <= sent; seq++)
        {
            missing += 0 == applied[seq] ? 1 : 0;
            duplicated += applied[seq] > 1 ? 1 : 0;
        }
        final long handoffs = shard.atlas().handoffsCommitted();
        System.out.printf("%d crossings in %d ticks, %.0f ms wall: %.0f handoffs/s; %d inputs sent, %d applied " +
            "(server 1: %d, server 2: %d)%n", handoffs, ticks, elapsedNs / 1e6, handoffs * 1e9 / elapsedNs, sent,
            one.inputsApplied + two.inputsApplied, one.inputsApplied, two.inputsApplied);
        System.out.printf("client update gap at handoff: ticks p50 %d p99 %d max %d; wall us p50 %d p99 %d max %d " +
            "(%d epoch changes)%n",
            watcher.gapTicks.getValueAtPercentile(50), watcher.gapTicks.getValueAtPercentile(99),
            watcher.gapTicks.getMaxValue(), watcher.gapWallUs.getValueAtPercentile(50),
            watcher.gapWallUs.getValueAtPercentile(99), watcher.gapWallUs.getMaxValue(), watcher.epochChanges);

        assertEquals(0, missing, "inputs never applied");
        assertEquals(0, duplicated, "inputs applied twice");
        assertEquals(sent, one.inputsApplied + two.inputsApplied);
        assertEquals(0, one.inputsWithWrongEpoch + two.inputsWithWrongEpoch);
        assertEquals(0, one.inputsForUnknownEntities + two.inputsForUnknownEntities);
        assertEquals(0, watcher.epochRegressions, "epochs seen by the client only grow");
        assertEquals(1, watcher.ownSpawns, "never despawned and respawned");
        assertEquals(0, bot.despawnsReceived());
        assertTrue(bot.isConnected());
        final int slot = shard.store().slotOf(PLAYER);
        assertEquals(1 + handoffs, shard.store().authorityEpoch(slot), "one epoch per handoff");
        assertEquals(handoffs, shard.counter(OrreryCounter.HANDOFFS_STARTED));
        assertEquals(0, shard.counter(OrreryCounter.HANDOFFS_TIMED_OUT));
        assertEquals(0, shard.counter(OrreryCounter.STALE_EPOCH_WRITES));
        assertEquals(0, shard.counter(OrreryCounter.UNAUTHORISED_WRITES));
        assertEquals(0, shard.counter(OrreryCounter.HANDOFF_INPUT_OVERFLOWS));
        assertEquals(handoffs, one.releases + two.releases);
        assertTrue(one.viewsReceived > 0 && two.viewsReceived > 0, "each server saw the player across the border");
    }

    @Test
    void shouldRejectCountAndTellWhenServerWritesWithStaleEpoch()
    {
        shard = new MeshTestShard(TWO_SERVERS);
        final TestGameServer one = shard.startServer(1, null);
        final TestGameServer two = shard.startServer(2, null);
        final ClientSession bot = shard.connect(PLAYER, ClientListener.NO_OP);
        shard.ticksUntil(() -> one.owns(PLAYER), 10, "player streamed in");
        final long oldEpoch = one.epochOf(PLAYER);

        // server 1 keeps simulating after its handoff: it ignores the release
        one.releaseOnRequest = false;
        for (int i = 0; i < 6; i++)
        {
            bot.sendInput(1, 0, 0, 0, 0, 0, shard.clock.nanoTime());
            shard.tick();
        }
        shard.ticksUntil(() -> two.owns(PLAYER), 30, "handoff committed from the cache after the timeout");
        assertEquals(1, shard.counter(OrreryCounter.HANDOFFS_TIMED_OUT));
        assertEquals(2, shard.atlas().authorityOf(PLAYER));
        assertEquals(oldEpoch + 1, two.epochOf(PLAYER));
        final int slot = shard.store().slotOf(PLAYER);
        final long xBefore = shard.store().positionX(slot);

        // server 1 kept writing with its old epoch after the commit: rejected, counted, and told (once per entity)
        assertTrue(shard.counter(OrreryCounter.STALE_EPOCH_WRITES) >= 1, "counted");
        assertEquals(1, one.staleRejects, "the sender was told once");
        assertEquals(PLAYER, one.lastRejectedEntityId);
        assertEquals(oldEpoch, one.lastRejectedEpoch, "the reject names the epoch the refused write carried");
        assertFalse(one.owns(PLAYER), "the stale server dropped the entity when told");

        // one more stale write (a confused server): rejected and counted again, the cache keeps server 2's state
        final long staleBefore = shard.counter(OrreryCounter.STALE_EPOCH_WRITES);
        one.ids[0] = PLAYER;
        one.epochs[0] = oldEpoch;
        one.x[0] = -999_000;
        one.count = 1;
        shard.simulateServers = false;
        one.simulate(shard.clock.nanoTime(), 0);
        shard.drain();
        assertEquals(staleBefore + 1, shard.counter(OrreryCounter.STALE_EPOCH_WRITES));
        assertEquals(xBefore, shard.store().positionX(slot), "not applied");
        assertEquals(2, shard.atlas().authorityOf(PLAYER));
        assertEquals(0, shard.counter(OrreryCounter.UNAUTHORISED_WRITES));
    }
}
