/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers.game;

import io.aeron.ExclusivePublication;
import io.orrery.core.server.ServerLink;
import io.orrery.core.status.OrreryCounter;
import io.orrery.persistence.memory.InMemoryPersistenceAdapter;
import io.orrery.wire.codec.DisconnectReason;
import io.orrery.wire.codec.MessageHeaderEncoder;
import io.orrery.wire.codec.ServerGoodbyeEncoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The goodbye on the server link ({@code ServerGoodbye}), both ways, over a real media driver with one controlled
 * clock: a game server whose layer closes cleanly finds it gone within a duty cycle or two, with no virtual time
 * passing (so not by its silence timeout, nor by the media driver noticing the image gone), then rejoins the layer
 * launched again; a goodbye forged on another image of its response channel is dropped; a game server that closes
 * cleanly has its territory failed over at once, long before the shard's heartbeat timeout.
 */
@Tag("system")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ServerLinkGoodbyeTest
{
    private static final String ONE_SERVER = String.join("\n",
        "servers 1",
        "territory 1 server 1 box -inf -inf -inf inf inf inf",
        "spawn 0 0 0 1",
        "");
    /**
     * A heartbeat timeout of a minute: a failover seen within a few ticks cannot be the layer's silence detection.
     */
    private static final String TWO_SERVERS = String.join("\n",
        "servers 1,2",
        "territory 1 server 1 box -inf -inf -inf 0 inf inf",
        "territory 2 server 2 box 0 -inf -inf inf inf inf",
        "heartbeat-timeout 60000",
        "spawn -5 0 0 1",
        "");
    private static final int NPCS = 5;
    /**
     * Duty cycles of the game server after the layer closed within which it must have read the goodbye (it is in the
     * response image already; the server reads it on its next poll).
     */
    private static final int MAX_DUTY_CYCLES = 4;

    private static WorldSettings world()
    {
        return new WorldSettings()
            .npcsPerTerritory(NPCS)
            .npcSpawnGraceNs(TimeUnit.MILLISECONDS.toNanos(500))
            .npcLifetimeNs(TimeUnit.HOURS.toNanos(1), TimeUnit.HOURS.toNanos(2))
            .worldHalfExtentM(60)
            .seed(11);
    }

    private static MeshRig rig(final String shard, final InMemoryPersistenceAdapter store)
    {
        return new MeshRig(shard, (ctx) -> ctx
            .persistenceAdapter(store)
            .persistenceFlushIntervalNs(TimeUnit.MILLISECONDS.toNanos(20)), true);
    }

    private static String describe(final GameServerAgent server)
    {
        final ServerLink link = server.link();
        return "server state " + server.state() + ", link " + link.state() + " rejoining " + link.isRejoining() +
            " losses " + link.layerLosses() + " goodbyes " + link.layerGoodbyes() + " rejoins " + link.rejoins() +
            " foreign " + link.foreignMessagesDropped() + " reason " + link.disconnectReason();
    }

    @Test
    void shouldFindTheLayerGoneAtOnceAndRejoinWhenTheLayerClosesCleanly()
    {
        final InMemoryPersistenceAdapter store = new InMemoryPersistenceAdapter();
        try (MeshRig rig = rig(ONE_SERVER, store))
        {
            final GameServerAgent server = rig.addServer(1, world());
            rig.await(() -> GameServerAgent.STATE_RUNNING == server.state(), "welcomed");
            rig.ticksUntil(() -> NPCS == server.world().entityCount(), 120, "npcs spawned");
            final ServerLink link = server.link();
            assertEquals(0, link.layerLosses());

            final long closedAtNs = rig.clock.nanoTime();
            rig.closeLayer();
            int dutyCycles = 0;
            while (ServerLink.State.CONNECTED == link.state() && dutyCycles < MAX_DUTY_CYCLES)
            {
                server.doWork(); // the server alone, on the unmoved clock
                dutyCycles++;
            }
            assertEquals(closedAtNs, rig.clock.nanoTime(), "no virtual time passed: the silence timeout cannot have");
            assertTrue(ServerLink.State.CONNECTED != link.state(),
                () -> "layer not found gone within " + MAX_DUTY_CYCLES + " duty cycles: " + describe(server));
            assertEquals(ServerLink.REASON_LAYER_CLOSED, link.disconnectReason(), () -> describe(server));
            assertEquals(ServerLink.REASON_LAYER_CLOSED, server.disconnectReason());
            assertEquals(1, link.layerGoodbyes());
            assertEquals(1, link.layerLosses());
            assertTrue(link.isRejoining());
            assertEquals(GameServerAgent.STATE_PAUSED, server.state());
            System.out.println("layer goodbye read in " + dutyCycles + " duty cycle(s) of the game server");

            rig.ticks(5);
            assertEquals(1, link.layerLosses(), "the image going away afterwards is not a second loss");
            rig.launchLayer();
            rig.ticksUntil(() -> GameServerAgent.STATE_RUNNING == server.state() &&
                1 == server.world().territoryCount() && NPCS == server.world().entityCount(), 300,
                () -> "rejoined and streamed in: " + describe(server));
            assertEquals(1, link.rejoins());
            assertEquals(1, server.rejoins());
            assertEquals(1, link.layerGoodbyes());
        }
    }

    @Test
    void shouldIgnoreAGoodbyeOnAnotherImageOfTheResponseChannel()
    {
        final InMemoryPersistenceAdapter store = new InMemoryPersistenceAdapter();
        try (MeshRig rig = rig(ONE_SERVER, store))
        {
            final GameServerAgent server = rig.addServer(1, world());
            rig.await(() -> GameServerAgent.STATE_RUNNING == server.state(), "welcomed");
            final ServerLink link = server.link();
            final long foreignBefore = link.foreignMessagesDropped();

            // another publisher on the server's response channel and stream, naming the right server and session
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
            final int length = MessageHeaderEncoder.ENCODED_LENGTH + new ServerGoodbyeEncoder()
                .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
                .serverId(1)
                .serverSessionId(link.serverSessionId())
                .reason(DisconnectReason.shutdown)
                .encodedLength();
            try (ExclusivePublication forger = rig.aeron.addExclusivePublication(
                link.context().responseChannel(), link.context().responseStreamId()))
            {
                rig.await(() ->
                {
                    forger.offer(buffer, 0, length);
                    return link.foreignMessagesDropped() > foreignBefore;
                }, "the forged goodbye read and dropped");
                rig.ticks(45); // past the link's 1 s layer timeout: the layer's heartbeats keep it
            }
            assertEquals(ServerLink.State.CONNECTED, link.state(), () -> describe(server));
            assertEquals(0, link.layerGoodbyes());
            assertEquals(0, link.layerLosses());
            assertEquals(GameServerAgent.STATE_RUNNING, server.state());
        }
    }

    @Test
    void shouldFailAGameServerOverAtOnceWhenItClosesCleanly()
    {
        final InMemoryPersistenceAdapter store = new InMemoryPersistenceAdapter();
        try (MeshRig rig = rig(TWO_SERVERS, store))
        {
            final GameServerAgent one = rig.addServer(1, world());
            final GameServerAgent two = rig.addServer(2, world());
            rig.await(() -> GameServerAgent.STATE_RUNNING == one.state() &&
                GameServerAgent.STATE_RUNNING == two.state(), "both welcomed");
            rig.ticksUntil(() -> NPCS == one.world().entityCount() && NPCS == two.world().entityCount() &&
                1 == one.world().territoryCount(), 120, "npcs spawned on both");
            assertEquals(0, rig.layer.counter(OrreryCounter.SERVER_FAILOVERS));

            final long closedAtNs = rig.clock.nanoTime();
            rig.servers.remove(two);
            two.onClose();
            assertEquals(1, two.link().goodbyesSent());
            rig.drain(); // the layer reads it: no virtual time passes
            assertEquals(closedAtNs, rig.clock.nanoTime());
            assertEquals(1, rig.layer.counter(OrreryCounter.SERVER_GOODBYES_RECEIVED));
            assertEquals(1, rig.layer.counter(OrreryCounter.SERVER_FAILOVERS), "failed over at once");
            assertEquals(1, rig.layer.counter(OrreryCounter.SERVERS_CONNECTED));
            rig.ticksUntil(() -> 2 == one.world().territoryCount() && one.world().entityCount() >= 2 * NPCS, 60,
                () -> "the survivor took territory 2 and its npcs: territories " + one.world().territoryCount() +
                " entities " + one.world().entityCount());
            assertEquals(0, one.link().layerLosses());
        }
    }
}
