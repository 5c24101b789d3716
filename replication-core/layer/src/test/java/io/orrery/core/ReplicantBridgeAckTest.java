/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core;

import io.orrery.core.client.ClientSession;
import io.orrery.core.replicant.EntityStore;
import io.orrery.core.replicant.bridge.RemoteReplicantHost;
import io.orrery.core.replicant.bridge.ReplicantBridge;
import io.orrery.core.status.OrreryCounter;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static io.orrery.core.TestShard.MM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Input acknowledgements through a Replicant behind the bridge: the remote Replicant streams its owned players'
 * entities, and with them {@code lastAppliedInputSequence}, in the pass that applied the input, across the link
 * publication's term rotations and handoffs between the Replicants. A real embedded media driver, IPC (the layer's
 * 64 KiB terms, so the link rotates every few hundred passes), the host stepped with the layer on its controlled clock.
 */
final class ReplicantBridgeAckTest
{
    private static final int PLAYERS = 4;
    private static final int ENTITIES = 16;
    private static final int TICKS = 900;

    private RemoteReplicantRig rig;

    @AfterEach
    void close()
    {
        CloseHelper.quietClose(rig);
    }

    @Test
    void shouldAcknowledgeEveryInputInItsPassAcrossTheLinksTermRotations()
    {
        rig = new RemoteReplicantRig(7452, "remote-replicant-ack-test");
        final TestShard shard = rig.shard;
        final RemoteReplicantHost host = rig.host;
        final ClientSession[] players = new ClientSession[PLAYERS];
        for (int i = 0; i < PLAYERS; i++)
        {
            players[i] = shard.connect(i + 1, (i - PLAYERS / 2) * 10L);
        }
        for (int i = 0; i < ENTITIES; i++)
        {
            shard.createEntity(100 + i, (i - ENTITIES / 2) * 5L, 1);
        }
        rig.awaitAvailable();
        final ReplicantBridge bridge = shard.layer.bridges()[0];
        final long linkBytesBefore = host.frameBytesSent();

        final EntityStore store = shard.store();
        long ownedByRemote = 0;
        long late = 0;
        long worstLag = 0;
        for (int t = 0; t < TICKS; t++)
        {
            for (int i = 0; i < ENTITIES; i++)
            {
                store.position(store.slotOf(100 + i),
                    Math.round(((i - ENTITIES / 2) * 5 + 30 * Math.sin(t / 9.0 + i)) * MM), i * 100L, 0);
            }
            for (int i = 0; i < PLAYERS; i++)
            {
                // back and forth across the boundary at x = 0: handoffs both ways
                final int slot = store.slotOf(i + 1);
                store.position(slot, Math.round(((i - PLAYERS / 2) * 3 + 20 * Math.sin(t / 20.0 + i)) * MM), 0, 0);
                ownedByRemote += 1 == store.ownerReplicant(slot) ? 1 : 0;
                players[i].sendInput(1, 0, 0, 0, 0, 0, shard.clock.nanoTime());
            }
            rig.awaitLinkRoom();
            shard.tick();
            for (final ClientSession player : players)
            {
                final long lag = player.inputSequence() - player.lastAcknowledgedInput();
                late += lag > 0 ? 1 : 0;
                worstLag = Math.max(worstLag, lag);
            }
        }

        final long linkBytes = host.frameBytesSent() - linkBytesBefore;
        System.out.printf("ack test: %d player-passes owned by Replicant 1, %d B of frames on the link (%d terms of " +
            "64 KiB), %d frames refused, %d view resyncs, %d handoffs, %d late acknowledgements (worst %d inputs), " +
            "links lost %d%n", ownedByRemote, linkBytes, linkBytes >> 16, host.framesRefused(),
            host.secondary().engine().resyncs(), shard.counter(OrreryCounter.REPLICANT_HANDOFFS), late, worstLag,
            bridge.linksLost());
        assertTrue(ownedByRemote > TICKS, "Replicant 1 streams players' own entities");
        assertTrue(shard.counter(OrreryCounter.REPLICANT_HANDOFFS) > 20, "handoffs between the Replicants");
        assertTrue(linkBytes > 3 * 65536, "the link publication rotated its terms");
        assertEquals(0, host.framesRefused(), "a term rotation is no refusal");
        assertEquals(0, host.secondary().engine().resyncs(), "no view resynchronised");
        assertEquals(0, bridge.relayDropped());
        assertEquals(0, bridge.linksLost());
        assertEquals(0, late, "every input acknowledged in the pass that applied it (worst lag " + worstLag + ")");
    }
}
