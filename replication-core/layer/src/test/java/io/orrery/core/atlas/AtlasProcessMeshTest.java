/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.orrery.core.client.ClientSession;
import io.orrery.core.status.OrreryCounter;
import io.orrery.test.ChildJvm;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Atlas in another JVM ({@link AtlasChildMain}, what {@code AtlasServer} runs) on the layer's media driver over IPC, the
 * layer meshed through an {@link AeronAtlasLink}: two game servers, a player handed off across the border exactly
 * once per crossing, a game server killed (failover), and Atlas's process killed and restarted while the layer keeps
 * streaming.
 */
@Tag("system")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AtlasProcessMeshTest
{
    static final long PLAYER = 1;
    static final String CHANNEL = "aeron:ipc?term-length=1m";
    static final int COMMAND_STREAM = 1101;
    static final int DECISION_STREAM = 1102;

    @TempDir
    Path dir;
    private MeshTestShard shard;
    private AeronAtlasLink link;
    private Process atlas;
    private final List<String> output = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void after()
    {
        ChildJvm.destroy(atlas);
        if (null != shard)
        {
            shard.close();
        }
    }

    private final int[] applied = new int[64 * 1024];
    private final MeshHandoffTest.OwnEntityWatcher watcher = new MeshHandoffTest.OwnEntityWatcher();
    private TestGameServer one;
    private TestGameServer two;
    private ClientSession bot;

    /**
     * The shard with Atlas in its process, game servers 1 and 2, and the player streamed in on server 1.
     */
    private void startMeshWithThePlayerOnServerOne() throws Exception
    {
        startShard();
        startAtlas();
        one = shard.startServer(1, applied);
        two = shard.startServer(2, applied);
        bot = shard.connect(PLAYER, watcher);
        ticksUntil(() -> one.owns(PLAYER) && bot.view().contains(PLAYER), 20, "player streamed in");
    }

    private void startShard()
    {
        link = new AeronAtlasLink(CHANNEL, COMMAND_STREAM, CHANNEL, DECISION_STREAM);
        shard = new MeshTestShard(MeshHandoffTest.TWO_SERVERS, (ctx) -> ctx.atlas().atlasLink(link));
    }

    private void startAtlas() throws Exception
    {
        final Path shardFile = dir.resolve("shard.txt");
        Files.writeString(shardFile, MeshHandoffTest.TWO_SERVERS);
        final int ready = ChildJvm.occurrences(output, "atlas child ready");
        // no driver runs in the child (it connects to the layer's, in this JVM, at Aeron's 10 s client liveness):
        // the aeron.client.liveness.timeout=2 s this child was given before was a driver setting it never read
        atlas = ChildJvm.start(output, List.of("-Xmx128m"),
            AtlasChildMain.class.getName(), shard.layer.aeronDirectoryName(), shardFile.toString(), CHANNEL,
            String.valueOf(COMMAND_STREAM), String.valueOf(DECISION_STREAM));
        ChildJvm.awaitLines(atlas, output, "atlas child ready", ready + 1);
        final long resyncs = link.resyncs();
        shard.await(() -> link.resyncs() > resyncs && link.isAtlasConnected(), "Atlas's resync request");
    }

    /**
     * One tick, then wait until the Atlas process has read every command sent (its subscriber position), then drain
     * the shard so its decisions are applied: Atlas runs asynchronously, the test keeps it in step.
     */
    private void tick()
    {
        shard.tick();
        awaitAtlasCaughtUp();
        shard.drain();
    }

    private void awaitAtlasCaughtUp()
    {
        final long target = link.commandPublisher().position();
        final int sessionId = link.commandPublisher().sessionId();
        final CountersReader counters = shard.aeron.countersReader();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (subscriberPosition(counters, sessionId) < target)
        {
            shard.poll();
            if (System.nanoTime() > deadline)
            {
                fail("Atlas did not read its commands: " + output);
            }
        }
    }

    private static long subscriberPosition(final CountersReader counters, final int sessionId)
    {
        final long[] position = {-1};
        final String prefix = "sub-pos: ";
        final String stream = " " + sessionId + " " + COMMAND_STREAM + " ";
        counters.forEach((counterId, typeId, keyBuffer, label) ->
        {
            if (label.startsWith(prefix) && label.contains(stream) &&
                CountersReader.RECORD_ALLOCATED == counters.getCounterState(counterId))
            {
                position[0] = Math.max(position[0], counters.getCounterValue(counterId));
            }
        });
        return position[0];
    }

    private void ticksUntil(final java.util.function.BooleanSupplier condition, final int maxTicks, final String what)
    {
        for (int i = 0; i < maxTicks && !condition.getAsBoolean(); i++)
        {
            tick();
        }
        if (!condition.getAsBoolean())
        {
            fail("not reached within " + maxTicks + " ticks: " + what + "; atlas: " + output);
        }
    }

    @Test
    void shouldHandOffExactlyOnceAndFailOverWhenAtlasRunsInAnotherProcess() throws Exception
    {
        startMeshWithThePlayerOnServerOne();
        assertTrue(1 == one.territoriesGranted && 1 == two.territoriesGranted, "one territory granted to each");
        assertTrue(null == shard.atlas(), "no Atlas runs in the layer");

        float direction = 1;
        int crossings = 0;
        int lastOwner = 1;
        for (int ticks = 0; crossings < 40; ticks++)
        {
            assertTrue(ticks < 2000, "too many ticks");
            final long xMm = bot.view().positionX(bot.view().slotOf(PLAYER));
            direction = xMm > 1500 ? -1 : xMm < -1500 ? 1 : direction;
            bot.sendInput(direction, 0, 0, 0, 0, 0, shard.clock.nanoTime());
            tick();
            final int simulating = (one.owns(PLAYER) ? 1 : 0) + (two.owns(PLAYER) ? 1 : 0);
            assertTrue(simulating <= 1, "simulated by two servers at tick " + ticks);
            final int owner = shard.mesh().authorityOf(PLAYER);
            if (0 != owner && owner != lastOwner && !shard.mesh().isHandingOff(PLAYER))
            {
                crossings++;
                lastOwner = owner;
            }
        }
        for (int i = 0; i < 3; i++)
        {
            tick();
        }
        assertExactlyOnce(applied, bot, one, two);
        assertEquals(0, watcher.epochRegressions, "epochs seen by the client only grow");
        assertEquals(1, watcher.ownSpawns, "never despawned and respawned");
        assertEquals(0, shard.counter(OrreryCounter.STALE_EPOCH_WRITES));
        assertEquals(0, shard.counter(OrreryCounter.UNAUTHORISED_WRITES));
        assertEquals(one.releases + two.releases, crossings, "one release per crossing");

        // server 1 dies (stops): Atlas, in its process, declares it dead and fails its territory over to server 2
        final TestGameServer loser = shard.mesh().authorityOf(PLAYER) == 1 ? one : two;
        final TestGameServer survivor = loser == one ? two : one;
        shard.kill(loser);
        ticksUntil(() -> survivor.owns(PLAYER), 60, "failover to the survivor");
        for (int i = 0; i < 10; i++)
        {
            bot.sendInput(direction, 0, 0, 0, 0, 0, shard.clock.nanoTime());
            tick();
        }
        assertTrue(bot.isConnected());
        assertEquals(survivor.serverId, shard.mesh().authorityOf(PLAYER));
        assertEquals(survivor.serverId, shard.mesh().territoryServerId(0));
        assertEquals(survivor.serverId, shard.mesh().territoryServerId(1));
        assertExactlyOnce(applied, bot, one, two);
        assertEquals(0, link.decisionSubscriber().rejected() + link.decisionSubscriber().malformed() +
            link.decisionSubscriber().unknown());
        assertEquals(0, link.commandPublisher().dropped());
    }

    @Test
    void shouldKeepStreamingWhileAtlasIsDownAndResumeWhenItRestarts() throws Exception
    {
        startMeshWithThePlayerOnServerOne();
        final int slot = shard.store().slotOf(PLAYER);

        // Atlas's process dies: the layer keeps streaming, the player keeps its authority, no decision is made
        atlas.destroyForcibly().waitFor();
        final long epochBefore = shard.store().authorityEpoch(slot);
        final long updatesBefore = watcher.lastUpdateClockNs;
        for (int i = 0; i < 60; i++)
        {
            bot.sendInput(-1, 0, 0, 0, 0, 0, shard.clock.nanoTime()); // stays in server 1's territory
            shard.tick();
        }
        assertTrue(bot.isConnected(), "the client stayed connected");
        assertTrue(watcher.lastUpdateClockNs > updatesBefore, "the client kept receiving updates");
        assertEquals(1, shard.mesh().authorityOf(PLAYER), "kept its authority");
        assertEquals(epochBefore, shard.store().authorityEpoch(slot), "no decision without Atlas");
        assertTrue(one.owns(PLAYER) && !two.owns(PLAYER));

        // Atlas restarts: it asks for the layer's state and rebuilds its table; the player stays with server 1
        startAtlas();
        ticksUntil(() -> 1 == shard.mesh().authorityOf(PLAYER) && shard.store().authorityEpoch(slot) > epochBefore,
            60, "Atlas's rebuilt table assigns the player to its territory's server at a new epoch");
        assertTrue(one.owns(PLAYER) && !two.owns(PLAYER));

        // decisions resume: the player walks across the border and is handed off
        for (int i = 0; i < 200 && !(two.owns(PLAYER) && 2 == shard.mesh().authorityOf(PLAYER) &&
            !shard.mesh().isHandingOff(PLAYER)); i++)
        {
            bot.sendInput(1, 0, 0, 0, 0, 0, shard.clock.nanoTime());
            tick();
        }
        assertEquals(2, shard.mesh().authorityOf(PLAYER), "handed off after Atlas's restart");
        assertTrue(two.owns(PLAYER) && !one.owns(PLAYER));
        assertEquals(1, one.releases, "a real handoff: server 1 released");
        for (int i = 0; i < 5; i++)
        {
            bot.sendInput(1, 0, 0, 0, 0, 0, shard.clock.nanoTime());
            tick();
        }
        assertTrue(bot.isConnected());
        assertEquals(0, watcher.epochRegressions, "epochs seen by the client only grow");
        assertEquals(1, watcher.ownSpawns, "never despawned and respawned");
        assertExactlyOnce(applied, bot, one, two);
        assertEquals(2, link.resyncs(), "the layer resent its state once to each Atlas");
        assertTrue(link.resync().grantsFiltered() >= 1, "grants the mesh already had were not applied again");
        System.out.printf("atlas restart: %d resyncs, %d entities and %d sessions resent, %d commands dropped%n",
            link.resyncs(), link.resync().entitiesResent(), link.resync().sessionsResent(),
            link.commandPublisher().dropped());
    }

    @Test
    void shouldKeepAFailedOverTerritoryWithItsSurvivorWhenAtlasRestarts() throws Exception
    {
        startMeshWithThePlayerOnServerOne();
        final int slot = shard.store().slotOf(PLAYER);

        // server 1 dies: its territory (the player's) fails over to server 2
        shard.kill(one);
        ticksUntil(() -> two.owns(PLAYER) && 2 == shard.mesh().authorityOf(PLAYER), 60, "failover to server 2");
        assertEquals(2, shard.mesh().territoryServerId(0));

        // Atlas's process dies and a new one starts: it must restore the failed-over territory from the layer, not
        // give it back to its configured server 1, which is gone (the player's territory would have no server)
        atlas.destroyForcibly().waitFor();
        final long epochBefore = shard.store().authorityEpoch(slot);
        for (int i = 0; i < 20; i++)
        {
            bot.sendInput(-1, 0, 0, 0, 0, 0, shard.clock.nanoTime()); // stays in territory 0
            shard.tick();
        }
        startAtlas();
        ticksUntil(() -> 2 == shard.mesh().authorityOf(PLAYER) && shard.store().authorityEpoch(slot) > epochBefore,
            60, "the new Atlas assigns the player to the survivor holding its territory, at a new epoch");
        final long appliedBefore = two.inputsApplied;
        for (int i = 0; i < 30; i++)
        {
            bot.sendInput(-1, 0, 0, 0, 0, 0, shard.clock.nanoTime());
            tick();
        }
        assertEquals(2, shard.mesh().territoryServerId(0), "the failed-over territory stayed with its survivor");
        assertEquals(2, shard.mesh().territoryServerId(1));
        assertTrue(two.owns(PLAYER) && 2 == shard.mesh().authorityOf(PLAYER));
        assertTrue(two.inputsApplied > appliedBefore, "the survivor applies the player's input again");
        assertTrue(bot.isConnected());
        assertEquals(0, watcher.epochRegressions, "epochs seen by the client only grow");
        assertExactlyOnce(applied, bot, one, two);
        assertTrue(link.resync().territoriesResent() >= 2, "the layer resent its territories");
    }

    static void assertExactlyOnce(
        final int[] applied, final ClientSession bot, final TestGameServer one, final TestGameServer two)
    {
        final long sent = bot.inputSequence();
        int missing = 0;
        int duplicated = 0;
        for (int seq = 1; seq <= sent; seq++)
        {
            missing += 0 == applied[seq] ? 1 : 0;
            duplicated += applied[seq] > 1 ? 1 : 0;
        }
        assertEquals(0, missing, "inputs never applied");
        assertEquals(0, duplicated, "inputs applied twice");
        assertEquals(0, one.inputsWithWrongEpoch + two.inputsWithWrongEpoch);
    }
}
