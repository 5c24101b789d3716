/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.client;

import io.orrery.wire.codec.DespawnReason;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.collections.MutableLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static io.orrery.core.client.ClientResponseAdapterTest.IMAGE_SESSION_ID;
import static io.orrery.core.client.ReplicantFrames.ENTITY_ID;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An entity its owner Replicant despawned with {@code handedOff} waits for the next owner's spawn at most the owner
 * handoff timeout ({@link ClientLink.Settings#ownerHandoffTimeoutNs(long)}, 2 s by default), on the link's clock:
 * then it is removed as if despawned ({@code onDespawn}, reason {@code handedOff}) and counted
 * ({@link ClientSession#ownerHandoffsExpired()}). A next owner in time keeps it; one that comes after the expiry
 * brings it back as a new entity.
 */
class ReplicantHandoffExpiryTest
{
    private static final short LEFT = DespawnReason.leftBubble.value();
    private static final short HANDED_OFF = DespawnReason.handedOff.value();
    private static final long TIMEOUT_NS = ClientLink.Settings.OWNER_HANDOFF_TIMEOUT_DEFAULT_NS;
    private static final long OTHER_ID = ENTITY_ID + 101;
    private static final long T0 = TimeUnit.SECONDS.toNanos(100);

    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(256);
    private final ReplicantFrames frames = new ReplicantFrames();
    private final ClientResponseAdapterTest.FakeLink link = new ClientResponseAdapterTest.FakeLink();
    private final ClientResponseAdapter adapter = new ClientResponseAdapter(link);
    private final MutableLong lastDespawnedId = new MutableLong(-1);
    private ClientSession session;
    private int spawns;
    private int updates;
    private int despawns;
    private int lastDespawnReason = -1;

    @BeforeEach
    void bindSession()
    {
        session = new ClientSession(null, 1, new byte[0], new ClientListener()
        {
            @Override
            public void onSpawn(final ClientSession session, final ClientEntityView view, final int slot)
            {
                spawns++;
            }

            @Override
            public void onUpdate(
                final ClientSession session, final ClientEntityView view, final int slot, final int mask)
            {
                updates++;
            }

            @Override
            public void onDespawn(final ClientSession session, final long entityId, final int reason)
            {
                despawns++;
                lastDespawnedId.set(entityId);
                lastDespawnReason = reason;
            }
        }, 16, 2);
        link.session = session;
        adapter.nowNs(T0);
    }

    @Test
    void shouldRemoveEntityWhoseNextOwnerNeverSpawnsItOnceTheTimeoutPassed()
    {
        feed(frames.spawn(buffer, 0, 1, 0, 1_000, 0));
        feed(frames.despawn(buffer, 0, HANDED_OFF));
        final ClientEntityView view = session.view();
        assertTrue(view.awaitingOwner(view.slotOf(ENTITY_ID)));
        assertEquals(1, view.awaitingOwnerCount());

        assertEquals(0, session.expireOwnerHandoffs(T0 + TIMEOUT_NS - 1));
        assertTrue(view.contains(ENTITY_ID), "still awaiting its next owner just before the timeout");
        assertEquals(0, despawns);

        assertEquals(1, session.expireOwnerHandoffs(T0 + TIMEOUT_NS));
        assertFalse(view.contains(ENTITY_ID));
        assertEquals(0, view.size());
        assertEquals(0, view.awaitingOwnerCount());
        assertEquals(1, despawns);
        assertEquals(ENTITY_ID, lastDespawnedId.get());
        assertEquals(HANDED_OFF, lastDespawnReason);
        assertEquals(1, session.ownerHandoffsExpired());
        assertEquals(1, session.ownerHandoffsAwaited());
        assertEquals(0, session.despawnsReceived(), "not the layer's despawn");

        assertEquals(0, session.expireOwnerHandoffs(T0 + 10 * TIMEOUT_NS), "once");
        assertEquals(1, despawns);
    }

    @Test
    void shouldKeepEntityWhoseNextOwnerSpawnsItInTime()
    {
        feed(frames.spawn(buffer, 0, 1, 0, 1_000, 0));
        feed(frames.despawn(buffer, 0, HANDED_OFF));
        adapter.nowNs(T0 + TIMEOUT_NS / 2);
        feed(frames.spawn(buffer, 1, 2, 4, 1_200, 0));

        assertEquals(0, session.expireOwnerHandoffs(T0 + 3 * TIMEOUT_NS));
        final ClientEntityView view = session.view();
        final int slot = view.slotOf(ENTITY_ID);
        assertFalse(view.awaitingOwner(slot));
        assertEquals(1, view.ownerReplicant(slot));
        assertEquals(0, view.awaitingOwnerCount());
        assertEquals(1, session.ownerChanges());
        assertEquals(0, session.ownerHandoffsExpired());
        assertEquals(0, despawns);
    }

    @Test
    void shouldBringEntityBackWhenTheNextOwnersSpawnComesAfterTheExpiryButNotALowerEpochs()
    {
        feed(frames.spawn(buffer, 0, 3, 0, 1_000, 0));
        feed(frames.despawn(buffer, 0, HANDED_OFF));
        assertEquals(1, session.expireOwnerHandoffs(T0 + TIMEOUT_NS));

        feed(frames.spawn(buffer, 1, 2, 4, 1_100, 0));
        assertFalse(session.view().contains(ENTITY_ID), "a lower epoch than the one removed is stale");
        assertEquals(1, session.spawnsNotOwning());

        feed(frames.spawn(buffer, 1, 4, 4, 1_200, 0));
        final ClientEntityView view = session.view();
        final int slot = view.slotOf(ENTITY_ID);
        assertEquals(2, spawns, "the late next owner's spawn: the entity enters again");
        assertEquals(1, view.ownerReplicant(slot));
        assertEquals(1_200, view.positionX(slot));
        feed(frames.update(buffer, 1, 4, 10, 1));
        assertEquals(1_300, view.positionX(slot));
        assertEquals(1, updates);
        feed(frames.despawn(buffer, 1, LEFT));
        assertFalse(view.contains(ENTITY_ID));
        assertEquals(0, session.updatesForUnknownEntities() + session.despawnsForUnknownEntities());
    }

    @Test
    void shouldExpireEachAwaitingEntityAtItsOwnDeadline()
    {
        feed(frames.entityId(ENTITY_ID).spawn(buffer, 0, 1, 0, 1_000, 0));
        feed(frames.entityId(OTHER_ID).spawn(buffer, 0, 1, 1, 2_000, 0));
        feed(frames.entityId(ENTITY_ID).despawn(buffer, 0, HANDED_OFF));
        adapter.nowNs(T0 + TIMEOUT_NS / 2);
        feed(frames.entityId(OTHER_ID).despawn(buffer, 0, HANDED_OFF));
        final ClientEntityView view = session.view();
        assertEquals(2, view.awaitingOwnerCount());

        assertEquals(1, session.expireOwnerHandoffs(T0 + TIMEOUT_NS));
        assertEquals(ENTITY_ID, lastDespawnedId.get());
        assertTrue(view.contains(OTHER_ID));
        assertEquals(0, session.expireOwnerHandoffs(T0 + TIMEOUT_NS + TIMEOUT_NS / 4), "the other's deadline later");
        assertEquals(1, session.expireOwnerHandoffs(T0 + TIMEOUT_NS + TIMEOUT_NS / 2));
        assertEquals(OTHER_ID, lastDespawnedId.get());
        assertEquals(0, view.size());
        assertEquals(2, session.ownerHandoffsExpired());
    }

    @Test
    void shouldCheckAgainWhenAnotherEntityAwaitsAfterAnEarlierOneFoundItsOwner()
    {
        feed(frames.entityId(ENTITY_ID).spawn(buffer, 0, 1, 0, 1_000, 0));
        feed(frames.entityId(OTHER_ID).spawn(buffer, 0, 1, 1, 2_000, 0));
        feed(frames.entityId(ENTITY_ID).despawn(buffer, 0, HANDED_OFF));
        adapter.nowNs(T0 + TIMEOUT_NS / 2);
        feed(frames.entityId(OTHER_ID).despawn(buffer, 0, HANDED_OFF));
        feed(frames.entityId(ENTITY_ID).spawn(buffer, 1, 2, 0, 1_000, 0)); // its next owner, in time
        assertEquals(1, session.view().awaitingOwnerCount());

        assertEquals(0, session.expireOwnerHandoffs(T0 + TIMEOUT_NS), "the early check finds nothing due");
        assertEquals(1, session.expireOwnerHandoffs(T0 + TIMEOUT_NS + TIMEOUT_NS / 2));
        assertEquals(OTHER_ID, lastDespawnedId.get());
        assertTrue(session.view().contains(ENTITY_ID));
        assertEquals(1, session.ownerHandoffsExpired());
    }

    @Test
    void shouldRefuseANonPositiveOwnerHandoffTimeout()
    {
        assertThrows(IllegalArgumentException.class, () -> new ClientLink.Settings().ownerHandoffTimeoutNs(0));
        assertEquals(TimeUnit.SECONDS.toNanos(2), new ClientLink.Settings().ownerHandoffTimeoutNs);
    }

    private void feed(final int length)
    {
        adapter.onMessage(buffer, 0, length, IMAGE_SESSION_ID);
    }
}
