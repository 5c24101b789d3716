/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core;

import io.orrery.core.client.ClientEntityView;
import io.orrery.core.client.ClientSession;
import io.orrery.core.common.EntityIds;
import io.orrery.core.persistence.TestPersistenceAdapter;
import io.orrery.core.replicant.EntityStore;
import io.orrery.core.status.OrreryCounter;
import io.orrery.wire.codec.OperationStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static io.orrery.core.TestShard.MM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An entity id removed and created again between two ticks (issue 11 defect 5), end to end through a real embedded
 * media driver and real client links: observers must end the tick holding the new incarnation, and never get an
 * update or despawn for an entity they do not hold.
 */
@Tag("system")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EntityReincarnationTest
{
    private static final long ENTITY = 1_000_000;
    private TestShard shard;

    @AfterEach
    void after()
    {
        if (null != shard)
        {
            shard.close();
        }
    }

    @Test
    void shouldKeepEntityInViewWithNewStateWhenItsIdIsRemovedAndCreatedInOneTick()
    {
        shard = new TestShard();
        final ClientSession observer = shard.connect(1, 0);
        shard.createEntity(ENTITY, 10, 0.5f);
        shard.tick();
        assertTrue(observer.view().contains(ENTITY));

        final EntityStore store = shard.store();
        assertTrue(store.remove(ENTITY));
        final int slot = store.create(ENTITY, 8, 0, 0, false);
        store.position(slot, 20 * MM, 0, 0);
        store.radius(slot, 0.5f);
        shard.tick();

        assertHolds(observer, ENTITY, 8, 20 * MM);
        assertEquals(1, observer.despawnsReceived(), "the old incarnation's despawn, before the new spawn");
        assertEquals(0, observer.spawnsReplacingHeld());

        store.position(slot, 25 * MM, 0, 0);
        shard.tick();
        assertHolds(observer, ENTITY, 8, 25 * MM);
        assertNoUnknowns(observer);
    }

    @Test
    void shouldKeepSeeingPlayerWhenItReconnectsWithinOneTick()
    {
        shard = new TestShard();
        final ClientSession observer = shard.connect(1, 0);
        final ClientSession player = shard.connect(2, 10);
        shard.tick();
        shard.tick();
        assertHolds(observer, 2, 1, 10 * MM);

        player.disconnect();
        shard.await(() -> EntityStore.NULL_SLOT == shard.store().slotOf(2), "player 2 left");
        final long ticksBefore = shard.layer.replicant().tickCount();
        final ClientSession again = shard.connect(2, 12);
        shard.await(() -> EntityStore.NULL_SLOT != shard.store().slotOf(2), "player 2 joined again");
        assertEquals(ticksBefore, shard.layer.replicant().tickCount(), "left and joined between two ticks");
        shard.tick();

        assertHolds(observer, 2, 1, 12 * MM);
        assertTrue(again.view().contains(2));
        assertTrue(again.view().contains(1));
        shard.store().position(shard.store().slotOf(2), 14 * MM, 0, 0);
        shard.tick();
        assertHolds(observer, 2, 1, 14 * MM);
        assertNoUnknowns(observer);
        assertNoUnknowns(again);
    }

    @Test
    void shouldKeepSeeingItemWhenItIsStowedAndUnstowedWithinOneTick()
    {
        final TestPersistenceAdapter adapter = new TestPersistenceAdapter();
        shard = new TestShard((ctx) -> ctx.persistenceAdapter(adapter)
            .persistenceFlushIntervalNs(TimeUnit.MILLISECONDS.toNanos(100)));
        final long ownerId = 5;
        final long item = EntityIds.starterItemId(ownerId);
        final PersistentShardTest.Results results = new PersistentShardTest.Results();
        shard.authority.spawnPlayerAt(ownerId, 0);
        final ClientSession owner = shard.link.connect(shard.token(ownerId), results);
        shard.await(owner::isConnected, "handshake");
        final ClientSession observer = shard.connect(6, 5);
        shard.await(() -> adapter.isStowed(item), "starter grant");

        owner.unstow(1, item, 0, 2 * MM, 0, 0);
        shard.await(() -> results.count == 1, "unstow result");
        assertEquals(OperationStatus.ok.value(), results.status);
        shard.tick();
        assertHolds(observer, item, -1, 2 * MM);
        final long ticksBefore = shard.layer.replicant().tickCount();

        owner.stow(2, item, 0);
        shard.await(() -> results.count == 2, "stow result");
        assertEquals(OperationStatus.ok.value(), results.status);
        assertEquals(EntityStore.NULL_SLOT, shard.store().slotOf(item), "stowed: out of the world");
        owner.unstow(3, item, 0, 3 * MM, 0, 0);
        shard.await(() -> results.count == 3, "unstow result");
        assertEquals(OperationStatus.ok.value(), results.status);
        assertNotEquals(EntityStore.NULL_SLOT, shard.store().slotOf(item), "unstowed: back in the world");
        assertEquals(ticksBefore, shard.layer.replicant().tickCount(), "stowed and unstowed between two ticks");
        shard.tick();

        assertHolds(observer, item, -1, 3 * MM);
        assertHolds(owner, item, -1, 3 * MM);
        shard.tick();
        assertHolds(observer, item, -1, 3 * MM);
        assertNoUnknowns(observer);
        assertNoUnknowns(owner);
        assertEquals(0, shard.counter(OrreryCounter.ERRORS));
    }

    private static void assertHolds(final ClientSession session, final long id, final int archetypeId, final long x)
    {
        final ClientEntityView view = session.view();
        assertTrue(view.contains(id), "session of player " + session.playerEntityId() + " holds " + id);
        final int slot = view.slotOf(id);
        if (archetypeId >= 0)
        {
            assertEquals(archetypeId, view.archetypeId(slot), "archetype of " + id);
        }
        assertEquals(x, view.positionX(slot), "position of " + id);
    }

    private static void assertNoUnknowns(final ClientSession session)
    {
        assertEquals(0, session.despawnsForUnknownEntities(), "despawns for unknown entities");
        assertEquals(0, session.updatesForUnknownEntities(), "updates for unknown entities");
    }
}
