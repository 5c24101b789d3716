/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core;

import io.orrery.core.client.ClientEntityView;
import io.orrery.core.client.ClientSession;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A player who joins where a Replicant behind the bridge owns the world sees its own entity in the first tick after
 * its welcome, as one the primary owns does: the session's hand-over, the window report and the spawn add no tick.
 * (The slower first spawns through a remote Replicant in perf runs, 75–395 ms median against 0–15 ms local at the
 * ramp, are not a step of the protocol.) A real embedded media driver, IPC, the host stepped with the layer on its
 * controlled clock ({@link RemoteReplicantRig}).
 */
final class ReplicantBridgeFirstSpawnTest
{
    private static final int PLAYERS = 6;

    private RemoteReplicantRig rig;

    @AfterEach
    void close()
    {
        CloseHelper.quietClose(rig);
    }

    @Test
    void shouldSpawnANewPlayersOwnEntityInTheFirstTickOnEitherSideOfTheBridge()
    {
        rig = new RemoteReplicantRig(7453, "remote-replicant-first-spawn-test");
        final TestShard shard = rig.shard;
        rig.awaitAvailable();

        final int[] ownedBy = new int[2];
        for (int i = 0; i < PLAYERS; i++)
        {
            // alternately on the primary's side of the boundary at x = 0 and on the remote Replicant's
            final long x = (0 == (i & 1) ? -1 : 1) * (20 + i * 7L);
            final ClientSession player = shard.connect(i + 1, x);
            int ticks = 0;
            while (ticks < 100 && ClientEntityView.NULL_SLOT == player.view().slotOf(player.playerEntityId()))
            {
                rig.awaitLinkRoom();
                shard.tick();
                ticks++;
            }
            final int owner = shard.store().ownerReplicant(shard.store().slotOf(i + 1));
            ownedBy[owner]++;
            assertTrue(ticks <= 1, ticks + " ticks to the own entity of player " + (i + 1) + " at x = " + x +
                " m, owned by Replicant " + owner);
        }
        assertEquals(PLAYERS / 2, ownedBy[1], "players whose entity the remote Replicant owns");
        assertEquals(0, rig.host.framesRefused());
    }
}
