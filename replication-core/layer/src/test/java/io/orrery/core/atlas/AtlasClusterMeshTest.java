/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.aeron.cluster.client.AeronCluster;
import io.orrery.core.client.ClientSession;
import io.orrery.core.status.OrreryCounter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Atlas on a real 3-member Aeron Cluster ({@link AtlasTestCluster}, {@link AtlasClusteredService}) and a layer meshed
 * through an {@link AtlasClusterLink}, two game servers and a player walking across the border: the leader is killed
 * while a handoff is in flight; a new leader is elected, the handoff completes and handoffs go on, the player is
 * never simulated by two servers, the authority epoch only grows (a new owner always at a new epoch), every input is
 * applied exactly once, and the layer never had to resend its state (Atlas's table survived the election).
 */
@Tag("system")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AtlasClusterMeshTest
{
    static final long PLAYER = 1;

    private AtlasTestCluster cluster;
    private MeshTestShard shard;
    private AtlasClusterLink link;
    private final int[] applied = new int[64 * 1024];
    private final MeshHandoffTest.OwnEntityWatcher watcher = new MeshHandoffTest.OwnEntityWatcher();
    private long lastEpoch;
    private long epochOfOwner;
    private int lastOwner;
    private long ownerChanges;

    @AfterEach
    void after()
    {
        if (null != shard)
        {
            shard.close();
        }
        if (null != cluster)
        {
            cluster.close();
        }
    }

    @Test
    void shouldResumeHandoffsWithoutReusingAnEpochWhenTheLeaderIsKilledMidHandoff() throws Exception
    {
        cluster = new AtlasTestCluster("handoffs", ShardConfig.parse(MeshHandoffTest.TWO_SERVERS, "test.shard"),
            MeshTestShard.SECRET);
        link = new AtlasClusterLink(cluster.ingressEndpoints(), "aeron:udp?term-length=256k",
            "aeron:udp?endpoint=localhost:0|term-length=256k", AtlasClusterLink.JOURNAL_CAPACITY_DEFAULT)
            .messageTimeoutNs(TimeUnit.SECONDS.toNanos(10));
        shard = new MeshTestShard(MeshHandoffTest.TWO_SERVERS, (ctx) -> ctx.atlas().atlasLink(link));
        shard.await(() -> link.isReady() && link.resyncs() >= 1 && cluster.leader() >= 0, "the cluster's resync");
        assertTrue(cluster.proofsFailed.get() == 0);

        final TestGameServer one = shard.startServer(1, applied);
        final TestGameServer two = shard.startServer(2, applied);
        final ClientSession bot = shard.connect(PLAYER, watcher);
        ticksUntil(() -> one.owns(PLAYER) && bot.view().contains(PLAYER), 60, "player streamed in");
        final int slot = shard.store().slotOf(PLAYER);
        lastOwner = 1;
        epochOfOwner = shard.store().authorityEpoch(slot);
        lastEpoch = epochOfOwner;

        int crossings = 0;
        int killedLeader = -1;
        int crossingsAtKill = -1;
        long releasesAtKill = -1;
        long killNs = 0;
        long newLeaderNs = 0;
        long resumedNs = 0;
        for (int ticks = 0; crossings < 20; ticks++)
        {
            assertTrue(ticks < 2000, "too many ticks: " + crossings + " crossings");
            final long xMm = bot.view().positionX(bot.view().slotOf(PLAYER));
            direction = xMm > 1500 ? -1 : xMm < -1500 ? 1 : direction;
            bot.sendInput(direction, 0, 0, 0, 0, 0, shard.clock.nanoTime());
            tick();
            checkOwners(one, two, slot, ticks);
            final int owner = shard.mesh().authorityOf(PLAYER);
            if (0 != owner && owner != lastOwner && !shard.mesh().isHandingOff(PLAYER))
            {
                crossings++;
                lastOwner = owner;
                if (0 != killNs && 0 == resumedNs)
                {
                    resumedNs = System.nanoTime();
                }
            }
            if (0 != killNs && 0 == newLeaderNs && link.newLeaders() >= 1)
            {
                newLeaderNs = System.nanoTime();
            }
            if (-1 == killedLeader && crossings >= 6 && shard.mesh().isHandingOff(PLAYER))
            {
                killedLeader = cluster.leader();
                crossingsAtKill = crossings;
                releasesAtKill = one.releases + two.releases;
                killNs = System.nanoTime();
                cluster.kill(killedLeader);
            }
        }
        for (int i = 0; i < 3; i++)
        {
            tick();
        }

        assertTrue(killedLeader >= 0, "the leader was killed mid-handoff");
        final int newLeader = cluster.leader();
        assertTrue(newLeader >= 0 && newLeader != killedLeader, "a new leader was elected: " + newLeader);
        assertTrue(link.newLeaders() >= 1, "the link followed the new leader");
        assertTrue(crossings - crossingsAtKill >= 10, "handoffs resumed after the election: killed at crossing " +
            crossingsAtKill + " of " + crossings);
        assertTrue(one.releases + two.releases - releasesAtKill >= 10, "new handoffs committed after the election");
        assertEquals(1, link.resyncs(), "Atlas's table survived the election: the layer never resent its state");
        AtlasProcessMeshTest.assertExactlyOnce(applied, bot, one, two);
        assertEquals(0, watcher.epochRegressions, "epochs seen by the client only grow");
        assertEquals(1, watcher.ownSpawns, "never despawned and respawned");
        assertEquals(0, shard.counter(OrreryCounter.STALE_EPOCH_WRITES));
        assertEquals(0, shard.counter(OrreryCounter.UNAUTHORISED_WRITES));
        assertEquals(one.releases + two.releases, crossings, "one release per crossing");
        assertEquals(0, link.commandsLost());
        assertEquals(0, link.malformed());
        assertTrue(bot.isConnected());
        System.out.printf("atlas cluster: leader %d killed mid-handoff at crossing %d, new leader %d; %d crossings, " +
            "%d owner changes, %d decisions replayed and dropped, %d gaps, %d connects; from the kill: the link " +
            "followed the new leader after %.0f ms, the handoff in flight committed after %.0f ms%n", killedLeader,
            crossingsAtKill, newLeader, crossings, ownerChanges, link.duplicatesDropped(), link.gaps(),
            link.connects(), (newLeaderNs - killNs) / 1e6, (resumedNs - killNs) / 1e6);

        // the killed member restarts from its log and catches up; then, after a snapshot, a follower restarts from it
        final int restarted = killedLeader;
        cluster.restart(restarted);
        walkUntil(bot, one, two, slot, () -> caughtUp(restarted), "the restarted member caught up");
        assertTrue(cluster.takeSnapshot(newLeader), "snapshot toggled");
        walkUntil(bot, one, two, slot, () -> cluster.snapshots(0) >= 1 && cluster.snapshots(1) >= 1 &&
            cluster.snapshots(2) >= 1, "every member took a snapshot");
        final int follower = (newLeader + 1) % AtlasTestCluster.MEMBERS;
        cluster.kill(follower);
        cluster.restart(follower);
        walkUntil(bot, one, two, slot, () -> caughtUp(follower), "the follower restarted from its snapshot");
        assertEquals(1, cluster.services[follower].snapshotsLoaded(), "it loaded its snapshot");
        // the members apply on their own threads: the leader may be one decision ahead of the follower for a moment
        shard.await(() -> cluster.services[newLeader].atlas().authorityOf(PLAYER) ==
            cluster.services[follower].atlas().authorityOf(PLAYER), "the follower's table equal to the leader's");
        assertEquals(cluster.services[newLeader].atlas().authorityOf(PLAYER),
            cluster.services[follower].atlas().authorityOf(PLAYER), "the same table as the leader's");
        assertEquals(1, link.resyncs());
        AtlasProcessMeshTest.assertExactlyOnce(applied, bot, one, two);

        // a client that cannot prove the link key is not admitted
        final AeronCluster.Context intruder = new AeronCluster.Context()
            .aeronDirectoryName(shard.layer.aeronDirectoryName())
            .ingressEndpoints(cluster.ingressEndpoints())
            .ingressChannel("aeron:udp")
            .egressChannel("aeron:udp?endpoint=localhost:0")
            .messageTimeoutNs(TimeUnit.SECONDS.toNanos(5))
            .credentialsSupplier(new AtlasClusterAuthenticator.Credentials(
                "not-the-shard-secret-0123456789ab".getBytes(StandardCharsets.UTF_8)));
        assertThrows(Exception.class, () -> AeronCluster.connect(intruder).close());
        assertTrue(cluster.proofsFailed.get() >= 1, "the failed proof was counted");
        assertNotEquals(0, link.lastDecisionApplied());
    }

    private boolean caughtUp(final int member)
    {
        final AtlasClusteredService service = cluster.services[member];
        return service.appliedCommandSequence() == link.lastCommandSequence() &&
            service.decisionSequence() == link.lastDecisionApplied();
    }

    private float direction = 1;

    private void walkUntil(
        final ClientSession bot,
        final TestGameServer one,
        final TestGameServer two,
        final int slot,
        final java.util.function.BooleanSupplier condition,
        final String what)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (int tick = 0; !condition.getAsBoolean(); tick++)
        {
            if (System.nanoTime() > deadline)
            {
                fail("not reached: " + what);
            }
            final long xMm = bot.view().positionX(bot.view().slotOf(PLAYER));
            direction = xMm > 1500 ? -1 : xMm < -1500 ? 1 : direction;
            bot.sendInput(direction, 0, 0, 0, 0, 0, shard.clock.nanoTime());
            tick();
            checkOwners(one, two, slot, tick);
        }
    }

    private void checkOwners(final TestGameServer one, final TestGameServer two, final int slot, final int tick)
    {
        final int simulating = (one.owns(PLAYER) ? 1 : 0) + (two.owns(PLAYER) ? 1 : 0);
        assertTrue(simulating <= 1, "simulated by two servers at tick " + tick);
        final long epoch = shard.store().authorityEpoch(slot);
        assertTrue(epoch >= lastEpoch, "the authority epoch went back at tick " + tick);
        lastEpoch = epoch;
        final int owner = shard.mesh().authorityOf(PLAYER);
        if (0 != owner && owner != lastOwnerSeen)
        {
            assertTrue(epoch > epochOfOwner, "a new owner at a new epoch (tick " + tick + ")");
            epochOfOwner = epoch;
            lastOwnerSeen = owner;
            ownerChanges++;
        }
    }

    private int lastOwnerSeen = 1;

    /**
     * One tick, then wait until the cluster applied every command sent and the layer applied every decision the
     * cluster made (through an election if there is one), then drain the shard.
     */
    private void tick()
    {
        shard.tick();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (cluster.appliedCommandSequence() < link.lastCommandSequence() ||
            link.lastDecisionApplied() < cluster.decisionSequence())
        {
            if (0 == shard.poll())
            {
                Thread.onSpinWait();
            }
            if (System.nanoTime() > deadline)
            {
                fail("the cluster did not catch up: commands " + cluster.appliedCommandSequence() + "/" +
                    link.lastCommandSequence() + ", decisions " + link.lastDecisionApplied() + "/" +
                    cluster.decisionSequence() + ", leader " + cluster.leader());
            }
        }
        shard.drain();
    }

    private void ticksUntil(final java.util.function.BooleanSupplier condition, final int maxTicks, final String what)
    {
        for (int i = 0; i < maxTicks && !condition.getAsBoolean(); i++)
        {
            tick();
        }
        if (!condition.getAsBoolean())
        {
            fail("not reached within " + maxTicks + " ticks: " + what);
        }
    }
}
