/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers.game;

import io.orrery.core.common.EntityIds;
import io.orrery.core.persistence.NodeRecord;
import io.orrery.core.persistence.WorldBatch;
import io.orrery.core.replicant.EntityStore;
import io.orrery.persistence.memory.InMemoryPersistenceAdapter;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The last input applied to an entity is persisted with its node and restored with it: after a layer restart on the
 * same store the layer's cache holds it and the game server that simulates the entity gets it in the entity's
 * snapshot, so an input at or below it would be dropped there, not applied again. A layer on an external media
 * driver, a game server that rejoins, one thread, a controlled clock.
 */
@Tag("system")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RestoredLastAppliedInputTest
{
    private static final String ONE_SERVER = String.join("\n",
        "servers 1",
        "territory 1 server 1 box -inf -inf -inf inf inf inf",
        "spawn 0 0 0 1",
        "");
    private static final long STEERED = EntityIds.MAX_PLAYER_ID_EXCLUSIVE + 77;
    private static final long LAST_APPLIED = 57;

    @Test
    void shouldRestoreLastAppliedInputAndHandItToTheGameServerAfterLayerRestart()
    {
        final InMemoryPersistenceAdapter store = new InMemoryPersistenceAdapter();
        final WorldBatch batch = new WorldBatch(1);
        final NodeRecord node = batch.addNodeUpsert();
        node.entityId = STEERED;
        node.archetypeId = 42;
        node.x = 5_000;
        node.qw = 1;
        node.radius = 1;
        node.lastAppliedInputSequence = LAST_APPLIED;
        store.write(batch);

        try (MeshRig rig = new MeshRig(ONE_SERVER, (ctx) -> ctx
            .persistenceAdapter(store)
            .persistenceFlushIntervalNs(TimeUnit.MILLISECONDS.toNanos(20)), true))
        {
            final GameServerAgent server = rig.addServer(1, new WorldSettings().npcsPerTerritory(0).seed(5));
            rig.await(() -> GameServerAgent.STATE_RUNNING == server.state(), "server welcomed");
            rig.ticksUntil(() -> serverHas(server), 300, () -> "the restored entity streamed to its server: state " +
                server.state() + " server entities " + server.world().entityCount() + " layer cached " +
                rig.layer.replicant().store().slotOf(STEERED));
            assertEquals(LAST_APPLIED, layerLastApplied(rig), "restored into the layer's cache");
            assertEquals(LAST_APPLIED, serverLastApplied(server), "in the snapshot its server got");

            rig.freezeLayer();
            rig.ticksUntil(() -> GameServerAgent.STATE_PAUSED == server.state(), 120, "server paused");
            rig.closeLayer(); // drains Scribe: the store holds what the next layer restores
            final List<NodeRecord> stored = new ArrayList<>();
            store.loadAll((n) -> stored.add(new NodeRecord().copyFrom(n)));
            assertEquals(1, stored.size());
            assertEquals(LAST_APPLIED, stored.get(0).lastAppliedInputSequence, "written back with the node");

            rig.launchLayer();
            rig.ticksUntil(() -> GameServerAgent.STATE_RUNNING == server.state() && 1 == server.rejoins() &&
                serverHas(server), 300, "rejoined with the entity streamed in again");
            assertEquals(LAST_APPLIED, layerLastApplied(rig), "restored again");
            assertEquals(LAST_APPLIED, serverLastApplied(server), "the rejoined server's fresh world has it");
            rig.ticks(30);
            assertEquals(LAST_APPLIED, layerLastApplied(rig), "its server echoes it, never 0");
        }
    }

    private static boolean serverHas(final GameServerAgent server)
    {
        return GameServerAgent.STATE_RUNNING == server.state() &&
            EntityTable.NULL_SLOT != server.world().entities().slotOf(STEERED);
    }

    private static long serverLastApplied(final GameServerAgent server)
    {
        final EntityTable entities = server.world().entities();
        final int slot = entities.slotOf(STEERED);
        assertTrue(EntityTable.NULL_SLOT != slot, "the server simulates it");
        return entities.lastAppliedInputSequence(slot);
    }

    private static long layerLastApplied(final MeshRig rig)
    {
        final EntityStore cache = rig.layer.replicant().store();
        final int slot = cache.slotOf(STEERED);
        assertTrue(slot >= 0, "cached");
        return cache.lastAppliedInputSequence(slot);
    }
}
