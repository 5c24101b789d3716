/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers.game;

import io.orrery.core.client.ClientSession;
import io.orrery.core.status.OrreryCounter;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The game server's whole duty cycle (server link poll, forwarded input, client views, the tick, state batches,
 * NPC spawns and destructions, handoff releases and adoptions, load reports) allocates nothing in steady state:
 * two servers and two walking players (one crossing the border back and forth), measured inside the servers'
 * {@code doWork()} with {@code ThreadMXBean#getCurrentThreadAllocatedBytes}, in rounds of 300 ticks until a round
 * allocates 0 (at most eight); once at real time and once time dilated (half of the slots simulate, the others
 * only end the tick; the layer tells the clients).
 */
@Tag("system")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class GameServerAllocationTest
{
    private static final int MAX_ROUNDS = 8;
    private static final String TWO_SERVERS = String.join("\n",
        "servers 1,2",
        "territory 1 server 1 box -inf -inf -inf 0 inf inf",
        "territory 2 server 2 box 0 -inf -inf inf inf inf",
        "view-margin 50",
        "heartbeat-timeout 60000",
        "handoff-timeout 60000",
        "spawn -5 0 0 1",
        "");

    @Test
    void shouldNotAllocateInGameServerDutyCycleWhenSimulatingWithInputsAndHandoffs()
    {
        assertNoAllocation(1000);
    }

    @Test
    void shouldNotAllocateInGameServerDutyCycleWhenTimeDilated()
    {
        assertNoAllocation(500);
    }

    private static void assertNoAllocation(final int timeDilationPerMille)
    {
        try (MeshRig rig = new MeshRig(TWO_SERVERS))
        {
            final WorldSettings world = new WorldSettings()
                .npcsPerTerritory(40)
                .npcSpawnGraceNs(0)
                .worldHalfExtentM(60)
                .followFraction(0.5)
                .npcLifetimeNs(TimeUnit.SECONDS.toNanos(2), TimeUnit.SECONDS.toNanos(5));
            final GameServerAgent one = rig.addServer(1, world);
            final GameServerAgent two = rig.addServer(2, world);
            rig.await(() -> GameServerAgent.STATE_RUNNING == one.state() &&
                GameServerAgent.STATE_RUNNING == two.state(), "both servers welcomed");
            one.forceTimeDilation(timeDilationPerMille);
            two.forceTimeDilation(timeDilationPerMille);
            final ClientSession a = rig.connect(1_000_001);
            final ClientSession b = rig.connect(1_000_002);
            rig.ticksUntil(() -> a.view().contains(1_000_001) && b.view().contains(1_000_002), 60, "players");

            final int[] tick = { 0 };
            run(rig, a, b, tick, 600);
            long bytes = -1;
            long handoffs = 0;
            long destroyed = 0;
            for (int round = 1; round <= MAX_ROUNDS && 0 != bytes; round++)
            {
                final long handoffsBefore = one.handoffsOut() + two.handoffsOut();
                final long destroyedBefore = one.world().npcsDestroyed() + two.world().npcsDestroyed();
                final long before = rig.serverBytesAllocated();
                rig.meterServers(true);
                run(rig, a, b, tick, 300);
                // under load a walk may not cross the border within 300 ticks: keep going (still metered) until the
                // round has covered the paths it is meant to prove allocation-free
                for (int extra = 0; extra < 3_000 && (one.handoffsOut() + two.handoffsOut() - handoffsBefore < 2 ||
                    one.world().npcsDestroyed() + two.world().npcsDestroyed() - destroyedBefore <= 10); extra += 30)
                {
                    run(rig, a, b, tick, 30);
                }
                rig.meterServers(false);
                bytes = rig.serverBytesAllocated() - before;
                handoffs = one.handoffsOut() + two.handoffsOut() - handoffsBefore;
                destroyed = one.world().npcsDestroyed() + two.world().npcsDestroyed() - destroyedBefore;
                System.out.println("round " + round + ": game servers' duty cycles allocated " + bytes +
                    " bytes, " + handoffs + " handoffs, " + destroyed + " npcs destroyed");
            }
            assertEquals(0, bytes, "bytes allocated by the game servers' duty cycles");
            final long handoffsMeasured = handoffs;
            assertTrue(handoffs >= 2, () -> "handoffs while measured: " + handoffsMeasured + "; layer: " +
                diagnostics(rig, a));
            assertTrue(destroyed > 10, "npcs died and respawned while measured: " + destroyed);
            assertEquals(0, one.publishFailures() + two.publishFailures());
            assertEquals(timeDilationPerMille, one.timeDilationPerMille());
            if (timeDilationPerMille < 1000)
            {
                assertTrue(one.slotsDilated() > 0 && a.timeDilationPerMille() == timeDilationPerMille,
                    "dilated slots " + one.slotsDilated() + ", client told " + a.timeDilationPerMille());
            }
        }
    }

    private static String diagnostics(final MeshRig rig, final ClientSession a)
    {
        final StringBuilder sb = new StringBuilder();
        for (final OrreryCounter c : new OrreryCounter[]{ OrreryCounter.HANDOFFS_STARTED,
            OrreryCounter.HANDOFFS_COMMITTED, OrreryCounter.HANDOFFS_TIMED_OUT, OrreryCounter.HANDOFF_INPUTS_BUFFERED,
            OrreryCounter.HANDOFF_INPUT_OVERFLOWS, OrreryCounter.INPUTS_RECEIVED, OrreryCounter.INPUTS_FORWARDED,
            OrreryCounter.INPUTS_RATE_LIMITED, OrreryCounter.STALE_EPOCH_WRITES, OrreryCounter.UNAUTHORISED_WRITES,
            OrreryCounter.ERRORS })
        {
            sb.append(c.name()).append('=').append(rig.layer.counter(c)).append(' ');
        }
        final int slot = a.view().slotOf(a.playerEntityId());
        sb.append("a.x=").append(slot < 0 ? "none" : String.valueOf(a.view().positionX(slot)))
            .append(" a.acked=").append(a.lastAcknowledgedInput()).append(" a.sent=").append(a.inputSequence())
            .append(" a.epoch=").append(slot < 0 ? -1 : a.view().authorityEpoch(slot));
        return sb.toString();
    }

    /**
     * Player a walks east and west across x = 0 (two seconds each way), b circles on server 1's side.
     */
    private static void run(final MeshRig rig, final ClientSession a, final ClientSession b, final int[] tick,
        final int ticks)
    {
        for (int i = 0; i < ticks; i++)
        {
            final int t = tick[0]++;
            final float eastWest = (t / 60) % 2 == 0 ? 1f : -1f;
            a.sendInput(eastWest, 0, 0, 0, 0, 0, rig.clock.nanoTime());
            final double angle = t * 0.05;
            b.sendInput((float)Math.cos(angle), (float)Math.sin(angle), 0, (float)angle, 0, 0, rig.clock.nanoTime());
            rig.tick();
        }
    }
}
