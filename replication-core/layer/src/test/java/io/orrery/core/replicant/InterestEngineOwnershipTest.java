/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant;

import org.junit.jupiter.api.Test;

import java.util.List;

import static io.orrery.core.replicant.RecordingEgress.DESPAWN;
import static io.orrery.core.replicant.RecordingEgress.SPAWN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two Replicants' interest engines over the same pass: each streams only what it owns, a handoff within the
 * observer's leave distance is a {@code handedOff} despawn by the loser and a spawn by the gainer, beyond it an
 * ordinary despawn and no spawn; the gainer's spawn comes in the same pass even when its view is full.
 */
final class InterestEngineOwnershipTest
{
    private static final long MM = 1000;
    private static final long OBSERVER = 77;
    private static final long PLAYER = 1;
    private static final short HANDED_OFF = 5;
    private static final short LEFT_BUBBLE = 0;

    private final EntityStore store = new EntityStore(64, 0);
    private final ReplicantOwnership ownership = new ReplicantOwnership(new double[]{ 0 }, 1);
    private final RecordingEgress west = new RecordingEgress();
    private final RecordingEgress east = new RecordingEgress();
    private InterestEngine westEngine = newEngine(0, west, 4);
    private InterestEngine eastEngine = newEngine(1, east, 4);

    private InterestEngine newEngine(final int replicantId, final RecordingEgress egress, final int handoffReserve)
    {
        final InterestEngine engine = new InterestEngine(store, new SpatialIndex(store.capacity()),
            new InterestConfig().baseRadiusM(100).sizeFactor(1).hysteresis(0.1).maxObservers(4).maxViewEntities(16)
                .handoffReserve(handoffReserve))
            .ownership(replicantId);
        engine.addObserver(OBSERVER, PLAYER, egress, 100_000);
        return engine;
    }

    private void pass()
    {
        ownership.assign(store);
        westEngine.tick(0);
        eastEngine.tick(0);
    }

    @Test
    void shouldHandOverWithinTheLeaveDistanceAndDespawnBeyondIt()
    {
        store.position(store.create(PLAYER, 1, PLAYER, 0, false), -50 * MM, 0, 0);
        store.position(store.create(10, 1, 0, 0, false), -10 * MM, 0, 0);
        store.position(store.create(11, 1, 0, 0, false), -5 * MM, 0, 0);
        pass();
        List<RecordingEgress.Event> w = west.take();
        List<RecordingEgress.Event> e = east.take();
        assertEquals(1, RecordingEgress.count(w, SPAWN, 10));
        assertEquals(1, RecordingEgress.count(w, SPAWN, 11));
        assertEquals(0, RecordingEgress.count(e, SPAWN), "the east owns nothing yet");

        store.position(store.slotOf(10), 10 * MM, 0, 0); // 60 m from the player: within the bubble
        store.position(store.slotOf(11), 75 * MM, 0, 0); // 125 m: beyond the leave distance (110 m)
        store.position(store.create(12, 1, 0, 0, false), 20 * MM, 0, 0); // new, the east's from the start
        pass();
        w = west.take();
        e = east.take();
        assertEquals(HANDED_OFF, despawnReason(w, 10));
        assertEquals(1, RecordingEgress.count(e, SPAWN, 10), "the promised spawn");
        assertEquals(LEFT_BUBBLE, despawnReason(w, 11));
        assertEquals(0, RecordingEgress.count(e, SPAWN, 11), "no spawn beyond the leave distance");
        assertEquals(1, RecordingEgress.count(e, SPAWN, 12), "a new entity enters as any");
        assertEquals(1, eastEngine.handoffSpawns());
        assertEquals(1, westEngine.handoffDespawns());

        store.position(store.slotOf(PLAYER), 30 * MM, 0, 0); // the player itself crosses
        pass();
        w = west.take();
        e = east.take();
        assertEquals(HANDED_OFF, despawnReason(w, PLAYER));
        assertEquals(1, RecordingEgress.count(e, SPAWN, PLAYER), "its own entity, from the new owner");
        assertEquals(2, eastEngine.handoffSpawns());
    }

    @Test
    void shouldSpawnAHandoffToAFullViewInItsPassByEvictingTheLowestEntry()
    {
        store.position(store.create(PLAYER, 1, PLAYER, 0, false), -50 * MM, 0, 0);
        store.position(store.create(10, 1, 0, 0, false), -10 * MM, 0, 0);
        fillEastView();
        pass();
        pass();
        west.take();
        assertEquals(16, RecordingEgress.count(east.take(), SPAWN), "the east's view is full");
        final int observer = eastEngine.observerIndex(OBSERVER);
        assertEquals(16, eastEngine.viewCount(observer));

        store.position(store.slotOf(10), 10 * MM, 0, 0); // to the east, 60 m from the player
        pass();
        final List<RecordingEgress.Event> w = west.take();
        final List<RecordingEgress.Event> e = east.take();
        assertEquals(HANDED_OFF, despawnReason(w, 10));
        assertEquals(1, RecordingEgress.count(e, SPAWN, 10), "the promised spawn, in the same pass");
        assertEquals(LEFT_BUBBLE, despawnReason(e, 215), "the lowest entry (the farthest) made room");
        assertTrue(indexOf(e, DESPAWN, 215) < indexOf(e, SPAWN, 10), "the despawn goes first");
        assertEquals(1, eastEngine.handoffSpawns());
        assertEquals(0, eastEngine.handoffSpawnsLate());
        assertEquals(16, eastEngine.viewCount(observer), "within its limit after the pass");

        pass();
        assertEquals(16, eastEngine.viewCount(observer));
        assertEquals(0, RecordingEgress.count(east.take(), SPAWN, 215),
            "the evicted entry stays out: the view is full");
    }

    @Test
    void shouldCountHandoffSpawnsThatAFullViewCannotTakeOnceItsReserveIsUsedUp()
    {
        westEngine = newEngine(0, west, 1);
        eastEngine = newEngine(1, east, 1);
        store.position(store.create(PLAYER, 1, PLAYER, 0, false), -50 * MM, 0, 0);
        store.position(store.create(10, 1, 0, 0, false), -10 * MM, 0, 0);
        store.position(store.create(11, 1, 0, 0, false), -12 * MM, 0, 0);
        fillEastView();
        pass();
        pass();
        west.take();
        east.take();

        store.position(store.slotOf(10), 10 * MM, 0, 0);
        store.position(store.slotOf(11), 12 * MM, 0, 0);
        pass();
        final List<RecordingEgress.Event> e = east.take();
        assertEquals(1, RecordingEgress.count(e, SPAWN), "one place in the reserve");
        assertEquals(1, eastEngine.handoffSpawns());
        assertEquals(1, eastEngine.handoffSpawnsLate());
        // the late one competes as a candidate: it evicted the next lowest (a despawn now), it gets in next pass
        assertEquals(LEFT_BUBBLE, despawnReason(e, 214));
        assertEquals(15, eastEngine.viewCount(eastEngine.observerIndex(OBSERVER)));
        pass();
        assertEquals(1, RecordingEgress.count(east.take(), SPAWN, 11), "an ordinary spawn, a pass late");
        assertEquals(1, eastEngine.handoffSpawns());
        assertEquals(16, eastEngine.viewCount(eastEngine.observerIndex(OBSERVER)));
    }

    @Test
    void shouldSkipObserversOutOfReachOfWhatASecondaryOwnsUntilTheyComeWithinReach()
    {
        store.position(store.create(PLAYER, 1, PLAYER, 0, false), -500 * MM, 0, 0);
        store.position(store.create(300, 1, 0, 0, false), 50 * MM, 0, 0);
        pass();
        assertEquals(0, RecordingEgress.count(east.take(), SPAWN));
        assertEquals(1, eastEngine.observersOutOfReach(), "550 m from the east's only entity: skipped");
        assertEquals(0, westEngine.observersOutOfReach(), "the primary visits every observer");

        store.position(store.slotOf(PLAYER), -55 * MM, 0, 0); // 105 m: within its 110 m leave distance, not its view
        pass();
        assertEquals(1, eastEngine.observersOutOfReach(), "within reach: queried");
        assertEquals(0, RecordingEgress.count(east.take(), SPAWN));
        store.position(store.slotOf(PLAYER), -30 * MM, 0, 0);
        pass();
        assertEquals(1, RecordingEgress.count(east.take(), SPAWN, 300));

        // back out of reach with an entry in view: visited until the entry has left
        store.position(store.slotOf(PLAYER), -500 * MM, 0, 0);
        pass();
        assertEquals(LEFT_BUBBLE, despawnReason(east.take(), 300));
        assertEquals(1, eastEngine.observersOutOfReach());
        pass();
        assertEquals(2, eastEngine.observersOutOfReach());

        // a large entity of the east reaches far: its bubble is 100 m + 1 x 600 m
        final int large = store.create(301, 1, 0, 0, false);
        store.position(large, 50 * MM, 0, 0);
        store.radius(large, 600);
        pass();
        assertEquals(1, RecordingEgress.count(east.take(), SPAWN, 301), "seen from 550 m");
        assertEquals(2, eastEngine.observersOutOfReach());
    }

    /**
     * 16 entities of the east, 70 to 85 m from the player (entity 215 the farthest, the lowest weight).
     */
    private void fillEastView()
    {
        for (int i = 0; i < 16; i++)
        {
            store.position(store.create(200 + i, 1, 0, 0, false), (20 + i) * MM, 0, 0);
        }
    }

    private static int indexOf(final List<RecordingEgress.Event> events, final char kind, final long entityId)
    {
        for (int i = 0; i < events.size(); i++)
        {
            if (events.get(i).kind() == kind && events.get(i).entityId() == entityId)
            {
                return i;
            }
        }
        return -1;
    }

    private static short despawnReason(final List<RecordingEgress.Event> events, final long entityId)
    {
        return events.stream().filter((ev) -> ev.kind() == DESPAWN && ev.entityId() == entityId)
            .findFirst().orElseThrow().reason();
    }
}
