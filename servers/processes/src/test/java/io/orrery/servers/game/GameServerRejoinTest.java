/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers.game;

import io.orrery.core.server.ServerLink;
import io.orrery.core.status.OrreryCounter;
import io.orrery.persistence.memory.InMemoryPersistenceAdapter;
import org.agrona.collections.LongHashSet;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A game server whose layer goes away (frozen as if killed, then closed) pauses its simulation, rejoins a layer
 * launched again on the same media driver and store, drops its old world and takes the restored entities Atlas
 * streams in; with no layer back within its grace period it gives up. One thread, a controlled clock.
 */
@Tag("system")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GameServerRejoinTest
{
    private static final String ONE_SERVER = String.join("\n",
        "servers 1",
        "territory 1 server 1 box -inf -inf -inf inf inf inf",
        "spawn 0 0 0 1",
        "");
    private static final int NPCS = 5;

    private static WorldSettings world()
    {
        return new WorldSettings()
            .npcsPerTerritory(NPCS)
            .npcSpawnGraceNs(TimeUnit.MILLISECONDS.toNanos(500))
            .npcLifetimeNs(TimeUnit.HOURS.toNanos(1), TimeUnit.HOURS.toNanos(2))
            .worldHalfExtentM(60)
            .seed(11);
    }

    private static MeshRig rig(final InMemoryPersistenceAdapter store)
    {
        return new MeshRig(ONE_SERVER, (ctx) -> ctx
            .persistenceAdapter(store)
            .persistenceFlushIntervalNs(TimeUnit.MILLISECONDS.toNanos(20)), true);
    }

    private static LongHashSet ids(final GameServerAgent server)
    {
        final LongHashSet ids = new LongHashSet();
        final EntityTable entities = server.world().entities();
        for (int slot = 0; slot < entities.size(); slot++)
        {
            ids.add(entities.entityId(slot));
        }
        return ids;
    }

    private static String describe(final GameServerAgent server)
    {
        final ServerLink link = server.link();
        return "link " + link.state() + " rejoining " + link.isRejoining() + " losses " + link.layerLosses() +
            " rejoins " + link.rejoins() + " hello resends " + link.helloResends() + " foreign " +
            link.foreignMessagesDropped() + " rejects " + link.rejectsReceived() + " reason " + link.disconnectReason();
    }

    private static String layer(final MeshRig rig)
    {
        return " layer: replacements " + rig.layer.counter(OrreryCounter.SERVER_REPLACEMENTS) + " failovers " +
            rig.layer.counter(OrreryCounter.SERVER_FAILOVERS) + " not authenticated " +
            rig.layer.counter(OrreryCounter.SERVER_MESSAGES_NOT_AUTHENTICATED) + " hellos rejected " +
            rig.layer.counter(OrreryCounter.SERVER_HELLOS_REJECTED) + " egress back-pressure " +
            rig.layer.counter(OrreryCounter.SERVER_EGRESS_BACK_PRESSURE);
    }

    @Test
    void shouldPauseThenRejoinAndTakeRestoredEntitiesWhenLayerIsKilledAndLaunchedAgain()
    {
        final InMemoryPersistenceAdapter store = new InMemoryPersistenceAdapter();
        try (MeshRig rig = rig(store))
        {
            final GameServerAgent server = rig.addServer(1, world());
            rig.await(() -> GameServerAgent.STATE_RUNNING == server.state(), "welcomed");
            rig.ticksUntil(() -> NPCS == server.world().entityCount(), 120, "npcs spawned");
            final LongHashSet before = ids(server);

            rig.freezeLayer();
            rig.ticksUntil(() -> GameServerAgent.STATE_PAUSED == server.state(), 60,
                () -> "paused once the layer is silent: state " + server.state());
            assertEquals(ServerLink.REASON_TIMEOUT, server.disconnectReason());
            assertTrue(server.link().isRejoining());
            final long ticksWhenPaused = server.world().ticks();
            rig.ticks(45);
            assertEquals(ticksWhenPaused, server.world().ticks(), "no tick while paused");

            rig.closeLayer(); // drains Scribe into the store: what a restarted layer restores
            rig.ticks(15);
            assertEquals(GameServerAgent.STATE_PAUSED, server.state());
            rig.launchLayer();
            rig.ticksUntil(() -> GameServerAgent.STATE_RUNNING == server.state() &&
                1 == server.world().territoryCount() && NPCS == server.world().entityCount(), 300,
                () -> "rejoined and streamed in: state " + server.state() + " territories " +
                server.world().territoryCount() + " entities " + server.world().entityCount() + " " + describe(server));
            assertEquals(1, server.link().rejoins());
            assertEquals(1, server.rejoins());
            assertEquals(before, ids(server), "the restored npcs, none made up");
            rig.ticks(30);
            assertTrue(server.world().ticks() > ticksWhenPaused, "simulating again");
            assertEquals(NPCS, server.world().entityCount());
            assertEquals(0, server.staleOrUnauthorisedRejects(), "writes at the new layer's epochs");
        }
    }

    /**
     * Issue 14: a layer slower to answer a rejoin hello than the link's rejoin hello timeout (here frozen, i.e. not
     * stepped, for more than twice that timeout while the server's hello waits on its ingress image) must still
     * bind the server, once: the link sends the same hello again on the same publication instead of abandoning it
     * for a new one (which would make the layer welcome, then replace, a session nobody uses), and the layer does
     * not declare the session it welcomed dead while the server has not yet had time to take the welcome (in this
     * rig the server's client sees the new response image many virtual ticks after the layer sent it, longer than
     * the shard's 500 ms heartbeat timeout, as on a loaded machine).
     */
    @Test
    void shouldTakeTheWelcomeOfItsRejoinHelloWhenTheLayerAnswersAfterTheHelloTimeout()
    {
        final InMemoryPersistenceAdapter store = new InMemoryPersistenceAdapter();
        // the welcome timeout (the layer's publication connect timeout) generous in virtual time: virtual ticks can
        // outrun the media driver and the server's Aeron client on a starved machine
        try (MeshRig rig = new MeshRig(ONE_SERVER, (ctx) -> ctx
            .persistenceAdapter(store)
            .persistenceFlushIntervalNs(TimeUnit.MILLISECONDS.toNanos(20))
            .publicationConnectTimeoutNs(TimeUnit.SECONDS.toNanos(60)), true))
        {
            final GameServerAgent server = rig.addServer(1, world());
            rig.await(() -> GameServerAgent.STATE_RUNNING == server.state(), "welcomed");
            rig.ticksUntil(() -> NPCS == server.world().entityCount(), 120, "npcs spawned");
            final long replacements = rig.layer.counter(OrreryCounter.SERVER_REPLACEMENTS);
            final long failovers = rig.layer.counter(OrreryCounter.SERVER_FAILOVERS);

            rig.freezeLayer();
            rig.ticksUntil(() -> ServerLink.State.AWAITING_WELCOME == server.link().state(), 120,
                () -> "rejoin hello sent to the frozen layer: " + describe(server));
            assertEquals(GameServerAgent.STATE_PAUSED, server.state());
            final long helloTimeoutTicks = TimeUnit.SECONDS.toNanos(5) / MeshRig.TICK_NS; // the rig's rejoin timeout
            rig.ticks((int)(2 * helloTimeoutTicks + 15));
            assertEquals(ServerLink.State.AWAITING_WELCOME, server.link().state(), describe(server));
            assertTrue(server.link().helloResends() >= 2, () -> "the same hello sent again: " + describe(server));

            rig.thawLayer();
            rig.ticksUntil(() -> GameServerAgent.STATE_RUNNING == server.state() &&
                NPCS == server.world().entityCount(), 300, () -> "rejoined: " + describe(server));
            rig.ticks((int)(2 * helloTimeoutTicks)); // past the layer's heartbeat and welcome timeouts
            assertEquals(GameServerAgent.STATE_RUNNING, server.state(), () -> describe(server) + layer(rig));
            assertEquals(1, server.link().rejoins(), describe(server));
            assertEquals(1, server.rejoins());
            // the frozen session ends once (replaced by the rejoin hello's session, or failed over first when the
            // welcome takes longer than the heartbeat timeout); no other session is welcomed, replaced or failed over
            assertEquals(1, rig.layer.counter(OrreryCounter.SERVER_REPLACEMENTS) - replacements +
                rig.layer.counter(OrreryCounter.SERVER_FAILOVERS) - failovers, () -> describe(server) + layer(rig));
            assertEquals(NPCS, server.world().entityCount());
        }
    }

    @Test
    void shouldRejoinWhenLayerIsClosedAndLaunchedAgain()
    {
        final InMemoryPersistenceAdapter store = new InMemoryPersistenceAdapter();
        try (MeshRig rig = rig(store))
        {
            final GameServerAgent server = rig.addServer(1, world());
            rig.await(() -> GameServerAgent.STATE_RUNNING == server.state(), "welcomed");
            rig.ticksUntil(() -> NPCS == server.world().entityCount(), 120, "npcs spawned");

            rig.closeLayer();
            rig.ticksUntil(() -> GameServerAgent.STATE_PAUSED == server.state(), 60, "paused once the image is gone");
            rig.launchLayer();
            rig.ticksUntil(() -> GameServerAgent.STATE_RUNNING == server.state() &&
                NPCS == server.world().entityCount(), 300, () -> "rejoined: " + describe(server));
            assertEquals(1, server.rejoins());
        }
    }

    @Test
    void shouldExitAfterGracePeriodWhenNoLayerComesBack()
    {
        final InMemoryPersistenceAdapter store = new InMemoryPersistenceAdapter();
        try (MeshRig rig = rig(store))
        {
            final GameServerAgent server = new GameServerAgent(
                new GameServerAgent.Settings().world(world()).clock(rig.clock)
                    .layerGraceNs(TimeUnit.SECONDS.toNanos(2)),
                new ServerLink.Context()
                    .aeron(rig.aeron)
                    .nanoClock(rig.clock)
                    .serverId(1)
                    .token(io.orrery.core.auth.SessionTokens.forServers(MeshRig.SECRET)
                        .issue(1, System.currentTimeMillis() + 60_000))
                    .ingressChannel(rig.layer.context().serverIngressChannel())
                    .ingressStreamId(rig.layer.context().serverIngressStreamId()));
            rig.servers.add(server);
            server.onStart();
            rig.await(() -> GameServerAgent.STATE_RUNNING == server.state(), "welcomed");

            rig.freezeLayer();
            rig.ticksUntil(() -> GameServerAgent.STATE_PAUSED == server.state(), 60, "paused");
            final long ticks = server.world().ticks();
            rig.ticks(45); // 1.5 s: within the grace
            assertEquals(GameServerAgent.STATE_PAUSED, server.state());
            rig.ticksUntil(() -> GameServerAgent.STATE_DISCONNECTED == server.state(), 60, "gave up after the grace");
            assertEquals(ticks, server.world().ticks());
            assertEquals(0, server.world().entityCount());
            assertEquals(ServerLink.State.CLOSED, server.link().state());
        }
    }
}
