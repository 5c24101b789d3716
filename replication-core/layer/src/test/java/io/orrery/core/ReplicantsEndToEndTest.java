/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core;

import io.orrery.core.client.ClientEntityView;
import io.orrery.core.client.ClientSession;
import io.orrery.core.replicant.EntityStore;
import io.orrery.core.replicant.SecondaryReplicantAgent;
import io.orrery.core.status.OrreryCounter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static io.orrery.core.TestShard.MM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two Replicants in one layer process (INVOKER threading: one duty cycle runs the Gateway, the primary and the
 * secondary in order, deterministic), a real media driver and clients through the client link: entities and players
 * move back and forth across the boundary between the Replicants' ranges (x = 0), and each client's view, composed
 * from both Replicants' streams, ends equal to the layer's truth.
 */
final class ReplicantsEndToEndTest
{
    private static final int ENTITIES = 24;
    private static final long FIRST_ENTITY = 1000;

    private TestShard shard;

    @AfterEach
    void close()
    {
        if (null != shard)
        {
            shard.close();
        }
    }

    @Test
    void shouldComposeEachClientsViewFromTwoReplicantsAsEntitiesCrossBetweenThem()
    {
        shard = new TestShard((ctx) -> ctx.compactUpdates(true).replicant()
            .replicants(2).replicantBoundariesM(0).ownershipHysteresisM(5));
        final SecondaryReplicantAgent[] secondaries = shard.layer.secondaries();
        assertEquals(1, secondaries.length);

        final ClientSession west = shard.connect(1, -40);
        final ClientSession east = shard.connect(2, 40);
        assertTrue(west.isConnected());
        assertTrue(east.isConnected());
        final EntityStore store = shard.store();
        for (int i = 0; i < ENTITIES; i++)
        {
            shard.createEntity(FIRST_ENTITY + i, (i - ENTITIES / 2) * 8L, 1);
        }

        for (int t = 0; t < 90; t++)
        {
            for (int i = 0; i < ENTITIES; i++)
            {
                final int slot = store.slotOf(FIRST_ENTITY + i);
                final double phase = t / 9.0 + i;
                store.position(slot, Math.round(((i - ENTITIES / 2) * 4 + 60 * Math.sin(phase)) * MM),
                    i * 100L, 0);
            }
            // the players walk across the boundary and back
            store.position(store.slotOf(1), Math.round(-40 * Math.cos(t / 15.0) * MM), 0, 0);
            store.position(store.slotOf(2), Math.round(40 * Math.cos(t / 15.0) * MM), 0, 0);
            shard.tick();
        }
        for (int t = 0; t < 5; t++)
        {
            shard.tick(); // still: the last deltas settle
        }

        assertTrue(shard.counter(OrreryCounter.REPLICANT_HANDOFFS) > 0, "handoffs between the Replicants");
        assertTrue(shard.counter(OrreryCounter.REPLICANT_HANDOFF_SPAWNS) > 0);
        assertTrue(shard.counter(OrreryCounter.REPLICANT_FEED_MESSAGES) > 0);
        assertEquals(0, shard.counter(OrreryCounter.REPLICANT_FEED_BACK_PRESSURE));
        assertEquals(0, secondaries[0].feed().errors());
        assertEquals(shard.layer.replicant().tickCount(), secondaries[0].tickCount(), "one secondary pass per pass");
        assertTrue(secondaries[0].engine().spawnsSent() > 0, "the secondary streams what it owns");

        int ownedBySecondary = 0;
        for (int i = 0; i < store.activeCount(); i++)
        {
            if (1 == store.ownerReplicant(store.activeSlot(i)))
            {
                ownedBySecondary++;
            }
        }
        assertTrue(ownedBySecondary > 0 && ownedBySecondary < store.size(), "both own part of the world");

        assertViewEqualsTruth(west, store);
        assertViewEqualsTruth(east, store);
    }

    @Test
    void shouldKeepEveryHandoffPromiseWhenTheViewsAreFull()
    {
        shard = new TestShard((ctx) -> ctx.compactUpdates(true).maxViewEntities(10).replicant()
            .replicants(2).replicantBoundariesM(0).ownershipHysteresisM(5));
        final ClientSession west = shard.connect(1, -40);
        final ClientSession east = shard.connect(2, 40);
        final EntityStore store = shard.store();
        for (int i = 0; i < ENTITIES; i++)
        {
            shard.createEntity(FIRST_ENTITY + i, (i - ENTITIES / 2) * 8L, 1);
        }

        int maxAwaiting = 0;
        for (int t = 0; t < 90; t++)
        {
            for (int i = 0; i < ENTITIES; i++)
            {
                final int slot = store.slotOf(FIRST_ENTITY + i);
                final double phase = t / 9.0 + i;
                store.position(slot, Math.round(((i - ENTITIES / 2) * 4 + 60 * Math.sin(phase)) * MM),
                    i * 100L, 0);
            }
            shard.tick();
            maxAwaiting = Math.max(maxAwaiting,
                Math.max(west.view().awaitingOwnerCount(), east.view().awaitingOwnerCount()));
        }
        for (int t = 0; t < 5; t++)
        {
            shard.tick();
        }

        System.out.printf("full views: %d handoffs, %d handoff spawns, %d late; most awaiting an owner after a " +
            "pass %d; views %d / %d of %d entities%n", shard.counter(OrreryCounter.REPLICANT_HANDOFFS),
            shard.counter(OrreryCounter.REPLICANT_HANDOFF_SPAWNS),
            shard.counter(OrreryCounter.REPLICANT_HANDOFF_SPAWNS_LATE), maxAwaiting, west.view().size(),
            east.view().size(), store.size());
        assertTrue(shard.counter(OrreryCounter.REPLICANT_HANDOFF_SPAWNS) > 0);
        assertEquals(0, shard.counter(OrreryCounter.REPLICANT_HANDOFF_SPAWNS_LATE));
        // the layer's promise: no handoff spawn left out of its pass for a full view. A spawn the egress refuses
        // (the publication's window, which the media driver's own thread reopens) comes a pass later: the client
        // holds that entity awaiting its owner for one pass (CI on JDK 25 saw 1), never longer, never expired
        assertTrue(maxAwaiting <= 2, "most entities awaiting their owner after a pass: " + maxAwaiting);
        assertEquals(0, west.view().awaitingOwnerCount() + east.view().awaitingOwnerCount(),
            "every handedOff despawn met its spawn");
        for (final ClientSession client : new ClientSession[]{ west, east })
        {
            final ClientEntityView view = client.view();
            assertTrue(view.size() <= 20, "at most 10 entities from each Replicant");
            assertEquals(0, client.ownerHandoffsExpired());
            assertEquals(0, client.ownerEpochConflicts());
            assertEquals(0, client.updatesForUnknownEntities());
            assertEquals(0, client.despawnsForUnknownEntities());
            for (int i = 0; i < store.activeCount(); i++)
            {
                final int slot = store.activeSlot(i);
                final int viewSlot = view.slotOf(store.entityId(slot));
                if (viewSlot >= 0)
                {
                    assertEquals(store.ownerReplicant(slot), view.ownerReplicant(viewSlot));
                    assertEquals(store.ownerEpoch(slot), view.ownerEpoch(viewSlot));
                    assertEquals(store.positionX(slot), view.positionX(viewSlot), 5);
                }
            }
        }
    }

    private static void assertViewEqualsTruth(final ClientSession client, final EntityStore store)
    {
        final ClientEntityView view = client.view();
        assertEquals(store.size(), view.size(), "every entity of the world is within the bubble");
        for (int i = 0; i < store.activeCount(); i++)
        {
            final int slot = store.activeSlot(i);
            final long id = store.entityId(slot);
            final int viewSlot = view.slotOf(id);
            assertTrue(viewSlot >= 0, "entity " + id + " in view");
            assertFalse(view.awaitingOwner(viewSlot), "entity " + id + " not awaiting its owner");
            assertEquals(store.ownerReplicant(slot), view.ownerReplicant(viewSlot), "owner of " + id);
            assertEquals(store.ownerEpoch(slot), view.ownerEpoch(viewSlot), "owner epoch of " + id);
            assertEquals(store.positionX(slot), view.positionX(viewSlot), 5, "x of " + id);
            assertEquals(store.positionY(slot), view.positionY(viewSlot), 5, "y of " + id);
        }
        assertTrue(client.ownerChanges() > 0, "owner changes seen");
        assertEquals(0, client.ownerEpochConflicts());
        assertEquals(0, client.updatesForUnknownEntities());
        assertEquals(0, client.despawnsForUnknownEntities());
        assertEquals(0, client.unknownReplicantMessages());
    }
}
