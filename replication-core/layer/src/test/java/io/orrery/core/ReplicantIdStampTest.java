/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core;

import io.orrery.core.client.ClientEntityView;
import io.orrery.core.client.ClientSession;
import io.orrery.core.replicant.EntityStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static io.orrery.core.TestShard.MM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Replicant stamps its id ({@code ReplicantContext.replicantId}) on what it writes to clients: through a real
 * layer and client link, the client's view holds its entities under that Replicant, compact updates in that
 * Replicant's handle space reach them, and its despawns remove them.
 */
final class ReplicantIdStampTest
{
    private static final long PLAYER = 1;
    private static final long ENTITY = 1000;

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
    void shouldComposeViewUnderTheReplicantIdTheLayerStamps()
    {
        shard = new TestShard((ctx) -> ctx.compactUpdates(true).replicant().replicantId(3));
        final ClientSession client = shard.connect(PLAYER, 0);
        assertTrue(client.isConnected());
        final EntityStore store = shard.store();
        final int slot = store.create(ENTITY, 7, 0, 0, false);
        store.position(slot, 10 * MM, 0, 0);
        store.radius(slot, 1);
        shard.tick();
        shard.tick();

        final ClientEntityView view = client.view();
        final int viewSlot = view.slotOf(ENTITY);
        assertTrue(viewSlot >= 0, "spawned");
        assertEquals(3, view.ownerReplicant(viewSlot));
        assertEquals(0, view.ownerEpoch(viewSlot));
        assertTrue(view.handle(viewSlot) >= 0);
        assertEquals(viewSlot, view.slotOfHandle(3, view.handle(viewSlot)));
        assertEquals(ClientEntityView.NULL_SLOT, view.slotOfHandle(0, view.handle(viewSlot)));

        store.position(slot, 12 * MM, 0, 0);
        shard.tick();
        shard.tick();
        assertEquals(12 * MM, view.positionX(viewSlot), 5);
        assertTrue(client.updatesReceived() > 0);

        assertTrue(store.remove(ENTITY));
        shard.tick();
        shard.tick();
        assertFalse(view.contains(ENTITY), "despawned");
        assertEquals(0, client.unknownReplicantMessages());
        assertEquals(0, client.updatesForUnknownEntities());
        assertEquals(0, client.despawnsForUnknownEntities());
    }
}
