/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core;

import io.orrery.core.client.ClientEntityView;
import io.orrery.core.client.ClientSession;
import io.orrery.core.replicant.EntityStore;
import io.orrery.core.replicant.InterestEngine;
import io.orrery.core.replicant.ReplicantAgent;
import io.orrery.core.status.OrreryCounter;
import io.orrery.wire.codec.HeartbeatEncoder;
import io.orrery.wire.codec.MessageHeaderEncoder;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A wave of sessions that join (as after a layer restart, when every client resumes) in one tick into a large world,
 * read by one client thread that cannot keep up with the wave: each session's snapshot (its whole view) is paced by
 * its egress window and the layer's snapshot bytes per tick, so no session is back-pressured into a slow-consumer
 * disconnect, every session ends holding exactly the layer's view, and no client gets more than its budget in a tick.
 * A real media driver; the layer stepped in INVOKER mode on a controlled clock.
 */
class SnapshotPacingTest
{
    private static final int SESSIONS = 60;
    private static final int ENTITIES = 1_500;
    private static final long FIRST_ENTITY = 1_000_000;
    private static final int BUDGET = 16 * 1024;
    private static final int VIEW = 512;
    /**
     * The clients' thread runs one duty cycle (1,024 fragments at most, over all sessions) every this many layer
     * ticks: a reader of about 64 messages a tick, far slower than the wave (60 views of 512 entities, 4 MB).
     * Without pacing (main before this test) the layer dropped 45 of the 60 sessions as slow consumers by tick 92.
     */
    private static final int TICKS_PER_CLIENT_POLL = 16;
    /**
     * Half of what this reader takes (about 4 KiB of spawns a tick): a layer-wide rate above the clients' read
     * rate leaves the images a slow reader polls last unread for seconds (Aeron's subscription starts each poll one
     * image further), and the client would take its layer for silent.
     */
    private static final int SNAPSHOT_BYTES_PER_TICK = 4 * 1024;
    private static final int WAVE_TICKS = 1_500;
    /**
     * A heartbeat may go out in the same tick as what the budget allowed.
     */
    private static final int HEARTBEAT_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH + HeartbeatEncoder.BLOCK_LENGTH;

    @Test
    void shouldPaceTheSnapshotsOfAWaveOfSessionsSoThatASlowReaderIsNotDroppedAsSlowConsumer()
    {
        try (TestShard shard = new TestShard((ctx) -> ctx
            .maxSessions(64)
            .maxViewEntities(VIEW)
            .bandwidthBytesPerTick(BUDGET)
            .snapshotBytesPerTick(SNAPSHOT_BYTES_PER_TICK)))
        {
            joinAWaveAndReadSlowly(shard);
        }
    }

    private static void joinAWaveAndReadSlowly(final TestShard shard)
    {
        final EntityStore store = shard.store();
        for (int i = 0; i < ENTITIES; i++)
        {
            final int slot = store.create(FIRST_ENTITY + i, 7, 0, 0, false);
            store.position(slot, ((i % 40) - 20) * 5_000L, ((i / 40) - 20) * 5_000L, 0);
            store.radius(slot, 0.5f);
        }
        final ClientSession[] sessions = new ClientSession[SESSIONS];
        for (int s = 0; s < SESSIONS; s++)
        {
            sessions[s] = shard.connect(1 + s, 0);
        }
        shard.await(() -> shard.counter(OrreryCounter.SESSIONS_ACTIVE) == SESSIONS, "every session taken over");

        final ReplicantAgent replicant = shard.layer.replicant();
        final long[] bytesBefore = new long[SESSIONS];
        long maxBytesInATick = 0;
        int ticks = 0;
        while (ticks < WAVE_TICKS && !allHoldTheirViews(shard, sessions))
        {
            for (int s = 0; s < SESSIONS; s++)
            {
                bytesBefore[s] = replicant.bytesSentTo(sessions[s].sessionId());
            }
            shard.clock.advance(TestShard.TICK_NS);
            shard.layer.doWork();
            ticks++;
            for (int s = 0; s < SESSIONS; s++)
            {
                final long sent = replicant.bytesSentTo(sessions[s].sessionId());
                if (sent >= 0)
                {
                    maxBytesInATick = Math.max(maxBytesInATick, sent - bytesBefore[s]);
                }
            }
            if (0 == ticks % TICKS_PER_CLIENT_POLL)
            {
                shard.link.doWork();
            }
            for (int s = 0; s < SESSIONS; s++)
            {
                if (!sessions[s].isConnected())
                {
                    throw new AssertionError("tick " + ticks + " session " + s + " sent " +
                        replicant.bytesSentTo(sessions[s].sessionId()) + " view " + sessions[s].view().size() +
                        " silent " + (shard.clock.nanoTime() - sessions[s].lastReceivedNs()) / 1_000_000 + " ms");
                }
            }
            assertEquals(0, shard.counter(OrreryCounter.SESSIONS_SLOW_CONSUMER),
                "sessions dropped as slow consumers by tick " + ticks);
        }

        final StringBuilder states = new StringBuilder();
        for (final ClientSession session : sessions)
        {
            states.append(session.state()).append('/').append(session.disconnectReason()).append('/')
                .append(session.lastLossCause()).append('/').append(session.view().size()).append(' ');
        }
        assertEquals(SESSIONS, shard.counter(OrreryCounter.SESSIONS_ACTIVE), "after " + ticks + " ticks: " + states);
        assertTrue(maxBytesInATick <= BUDGET + HEARTBEAT_LENGTH, "bytes to one client in one tick: " + maxBytesInATick);
        assertTrue(shard.counter(OrreryCounter.SPAWN_DEFERRALS) > 0, "the snapshots were paced");

        // once the clients read at full speed, every session holds exactly its view as the layer sees it
        shard.ticksUntil(() -> allHoldTheirViews(shard, sessions), 200, "every session holds its view");
        for (final ClientSession session : sessions)
        {
            assertTrue(session.isConnected());
            assertEquals(0, session.updatesForUnknownEntities());
            assertEquals(0, session.despawnsForUnknownEntities());
        }
    }

    private static boolean allHoldTheirViews(final TestShard shard, final ClientSession[] sessions)
    {
        final InterestEngine engine = shard.layer.replicant().engine();
        for (final ClientSession session : sessions)
        {
            final int o = engine.observerIndex(session.sessionId());
            if (o < 0)
            {
                return false;
            }
            final ClientEntityView view = session.view();
            final int count = engine.viewCount(o);
            if (count != view.size() || count < VIEW)
            {
                return false;
            }
            for (int i = 0; i < count; i++)
            {
                if (!view.contains(engine.viewEntityId(o, i)))
                {
                    return false;
                }
            }
        }
        return true;
    }
}
