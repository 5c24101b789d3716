/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant;

import io.orrery.wire.CompactUpdates;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static io.orrery.core.replicant.RecordingEgress.DESPAWN;
import static io.orrery.core.replicant.RecordingEgress.SPAWN;
import static io.orrery.core.replicant.RecordingEgress.UPDATE;
import static io.orrery.core.replicant.RecordingEgress.count;
import static org.junit.jupiter.api.Assertions.*;

class InterestEngineTest
{
    private static final long OBSERVER = 1000;
    private static final long PLAYER = 1;
    private static final long MM = 1000;

    private final EntityStore store = new EntityStore(2048, 64);
    private final SpatialIndex index = new SpatialIndex(2048, 128, 20);
    private final RecordingEgress egress = new RecordingEgress();
    private long nowNs;

    private InterestEngine engine(final InterestConfig config)
    {
        return new InterestEngine(store, index, config);
    }

    private static InterestConfig config()
    {
        return new InterestConfig().baseRadiusM(100).sizeFactor(10).hysteresis(0.1).maxObservers(8)
            .maxViewEntities(1024).everyTick();
    }

    private int entity(final long id, final double xM, final float radiusM)
    {
        return entity(id, 0, xM, radiusM);
    }

    private int entity(final long id, final long zoneId, final double xM, final float radiusM)
    {
        final int slot = store.create(id, 1, 0, zoneId, false);
        assertTrue(slot >= 0);
        store.position(slot, (long)(xM * MM), 0, 0);
        store.radius(slot, radiusM);
        return slot;
    }

    private int zone(final long id, final long parentZoneId, final double xM, final float radiusM)
    {
        final int slot = store.create(id, 2, 0, parentZoneId, true);
        assertTrue(slot >= 0);
        store.position(slot, (long)(xM * MM), 0, 0);
        store.radius(slot, radiusM);
        return slot;
    }

    private List<RecordingEgress.Event> tick(final InterestEngine engine)
    {
        nowNs += 33_000_000L;
        engine.tick(nowNs);
        return egress.take();
    }

    @Test
    void shouldStartEachTickWithTheNextObserverSoTheSameClientsAreNotOfferedLastEveryTick()
    {
        final InterestEngine engine = engine(config());
        final long[] observers = { OBSERVER, OBSERVER + 1, OBSERVER + 2 };
        for (int i = 0; i < observers.length; i++)
        {
            entity(PLAYER + i, i, 1);
            assertTrue(engine.addObserver(observers[i], PLAYER + i, egress, 1 << 20) >= 0);
        }
        final int mover = entity(100, 10, 0);
        tick(engine);

        final Set<Long> firstOffered = new HashSet<>();
        for (int t = 0; t < observers.length; t++)
        {
            store.position(mover, (11 + t) * MM, 0, 0);
            final List<RecordingEgress.Event> events = tick(engine);
            assertEquals(observers.length, events.size(), "one update of the mover per observer: " + events);
            firstOffered.add(events.get(0).observerId());
        }
        assertEquals(observers.length, firstOffered.size(), "each observer went first once in three ticks");
    }

    @Test
    void shouldSpawnUpdateAndDespawnWhenEntityMovesThroughBubble()
    {
        final InterestEngine engine = engine(config());
        entity(PLAYER, 0, 1);
        final int mover = entity(100, -300, 0);
        assertTrue(engine.addObserver(OBSERVER, PLAYER, egress, 1 << 20) >= 0);

        long spawnedAt = Long.MIN_VALUE;
        long despawnedAt = Long.MIN_VALUE;
        int updates = 0;
        short reason = -1;
        for (long x = -300; x <= 300; x += 5)
        {
            store.position(mover, x * MM, 0, 0);
            final List<RecordingEgress.Event> events = tick(engine);
            for (final RecordingEgress.Event e : events)
            {
                if (e.entityId() != 100)
                {
                    continue;
                }
                if (e.kind() == SPAWN)
                {
                    assertEquals(Long.MIN_VALUE, spawnedAt, "spawned once");
                    spawnedAt = x;
                }
                else if (e.kind() == UPDATE)
                {
                    assertNotEquals(Long.MIN_VALUE, spawnedAt);
                    assertEquals(Long.MIN_VALUE, despawnedAt);
                    assertEquals(EntityStore.POSITION, e.mask());
                    updates++;
                }
                else
                {
                    assertEquals(Long.MIN_VALUE, despawnedAt, "despawned once");
                    despawnedAt = x;
                    reason = e.reason();
                }
            }
        }

        assertEquals(-100, spawnedAt, "enters at d <= 100 m");
        assertEquals(115, despawnedAt, "leaves only at d > 110 m");
        assertEquals(0, reason, "leftBubble");
        assertEquals((110 - (-95)) / 5 + 1, updates, "one update per tick in between");
    }

    @Test
    void shouldNotFlapWhenOscillatingAtTheEdge()
    {
        final InterestEngine engine = engine(config());
        entity(PLAYER, 0, 1);
        final int mover = entity(100, 100, 0);
        engine.addObserver(OBSERVER, PLAYER, egress, 1 << 20);
        assertEquals(1, count(tick(engine), SPAWN, 100));

        for (int i = 0; i < 100; i++)
        {
            store.position(mover, (i % 2 == 0 ? 109 : 99) * MM + i, 0, 0);
            final List<RecordingEgress.Event> events = tick(engine);
            assertEquals(0, count(events, DESPAWN, 100));
            assertEquals(0, count(events, SPAWN, 100));
            assertEquals(1, count(events, UPDATE, 100));
        }

        store.position(mover, 111 * MM, 0, 0);
        assertEquals(1, count(tick(engine), DESPAWN, 100));
        store.position(mover, 101 * MM, 0, 0);
        assertEquals(0, count(tick(engine), SPAWN, 100), "re-enters only at d <= 100 m");
        store.position(mover, 100 * MM, 0, 0);
        assertEquals(1, count(tick(engine), SPAWN, 100));
    }

    @Test
    void shouldSeeLargeEntityFurtherThanSmallOneWhenAtSameDistance()
    {
        final InterestEngine engine = engine(config());
        entity(PLAYER, 0, 1);
        entity(100, 200, 1);
        entity(101, 0, 0);
        store.position(store.slotOf(101), 0, 200 * MM, 0);
        store.radius(store.slotOf(101), 15);
        entity(102, 0, 0);
        store.position(store.slotOf(102), 0, 0, 5_000 * MM);
        store.radius(store.slotOf(102), 1_000);
        engine.addObserver(OBSERVER, PLAYER, egress, 1 << 20);

        final List<RecordingEgress.Event> events = tick(engine);

        assertEquals(0, count(events, SPAWN, 100), "radius 1 m: seen within 110 m");
        assertEquals(1, count(events, SPAWN, 101), "radius 15 m: seen within 250 m");
        assertEquals(1, count(events, SPAWN, 102), "radius 1 km (large list): seen within 10.1 km");
        assertTrue(index.isLarge(store.slotOf(102)));
    }

    @Test
    void shouldBringChildrenIntoBubbleWhenTheirZoneMoves()
    {
        final InterestEngine engine = engine(config());
        entity(PLAYER, 0, 1);
        final int ship = zone(10, 0, 1_000, 5);
        entity(11, 10, 2, 0);
        engine.addObserver(OBSERVER, PLAYER, egress, 1 << 20);
        assertEquals(0, count(tick(engine), SPAWN, 11));

        store.position(ship, 50 * MM, 0, 0);
        final List<RecordingEgress.Event> events = tick(engine);

        assertEquals(1, count(events, SPAWN, 10));
        assertEquals(1, count(events, SPAWN, 11), "the crate never moved in its zone, its zone did");
        assertEquals(52 * MM, store.worldX(store.slotOf(11)));

        store.position(ship, 60 * MM, 0, 0);
        final List<RecordingEgress.Event> moved = tick(engine);
        assertEquals(1, count(moved, UPDATE, 10));
        assertEquals(0, count(moved, UPDATE, 11), "local position unchanged: nothing to send");

        store.position(ship, 5_000 * MM, 0, 0);
        final List<RecordingEgress.Event> gone = tick(engine);
        assertEquals(1, count(gone, DESPAWN, 11));
        assertEquals(1, count(gone, DESPAWN, 10));
    }

    @Test
    void shouldMoveDescendantsWhenOuterOfThreeNestedZonesMoves()
    {
        final InterestEngine engine = engine(config());
        entity(PLAYER, 0, 1);
        final int planet = zone(20, 0, 100_000, 19);
        zone(21, 20, -500, 10);
        zone(22, 21, 30, 3);
        entity(23, 22, 1, 0);
        engine.addObserver(OBSERVER, PLAYER, egress, 1 << 20);
        assertEquals(0, count(tick(engine), SPAWN, 23));
        assertEquals(100_000 * MM - 469 * MM, store.worldX(store.slotOf(23)));

        store.position(planet, 500 * MM, 0, 0);
        final List<RecordingEgress.Event> events = tick(engine);
        assertEquals(31 * MM, store.worldX(store.slotOf(23)));
        assertEquals(1, count(events, SPAWN, 23));
        assertEquals(1, count(events, SPAWN, 22));
        assertEquals(1, count(events, SPAWN, 21));

        store.position(planet, -100_000 * MM, 0, 0);
        assertEquals(1, count(tick(engine), DESPAWN, 23));
    }

    @Test
    void shouldSendOnlyChangedFieldsAndOwnEntityFirstWhenUpdating()
    {
        final InterestEngine engine = engine(config());
        final int player = entity(PLAYER, 0, 0.5f);
        final int ship = entity(100, 3, 19);
        entity(101, 1, 1);
        engine.addObserver(OBSERVER, PLAYER, egress, 1 << 20);

        final List<RecordingEgress.Event> spawns = tick(engine);
        assertEquals(3, spawns.size());
        assertEquals(PLAYER, spawns.get(0).entityId(), "own entity first");

        store.velocity(ship, 1, 0, 0);
        store.lastAppliedInputSequence(player, 7);
        final List<RecordingEgress.Event> updates = tick(engine);
        assertEquals(2, updates.size());
        assertEquals(PLAYER, updates.get(0).entityId(), "own entity first");
        assertEquals(EntityStore.LAST_APPLIED_INPUT, updates.get(0).mask());
        assertEquals(7, updates.get(0).lastAppliedInput());
        assertEquals(100, updates.get(1).entityId());
        assertEquals(EntityStore.VELOCITY, updates.get(1).mask());

        assertTrue(tick(engine).isEmpty(), "nothing changed");
    }

    @Test
    void shouldKeepOwnEntityAndNearestWhenViewIsFull()
    {
        final InterestEngine engine = engine(config().baseRadiusM(250).maxViewEntities(5));
        entity(PLAYER, 0, 0);
        for (int i = 0; i < 20; i++)
        {
            entity(100 + i, 200 - i * 10, 0);
        }
        engine.addObserver(OBSERVER, PLAYER, egress, 1 << 20);
        final int o = engine.observerIndex(OBSERVER);

        final List<RecordingEgress.Event> first = tick(engine);
        assertEquals(5, count(first, SPAWN), "free places go to the highest weights first");
        for (int t = 0; t < 10; t++)
        {
            tick(engine);
        }
        assertTrue(engine.inView(o, PLAYER));
        for (int i = 16; i < 20; i++)
        {
            assertTrue(engine.inView(o, 100 + i), "nearest 4 are in view: " + (100 + i));
        }

        for (int i = 0; i < 20; i++)
        {
            store.position(store.slotOf(100 + i), (10 + i * 10) * MM, 0, 0);
        }
        long evictions = 0;
        for (int t = 0; t < 10; t++)
        {
            evictions += count(tick(engine), DESPAWN);
        }
        assertEquals(4, evictions, "order reversed: the four in view are now the furthest and make way");
        for (int i = 0; i < 4; i++)
        {
            assertTrue(engine.inView(o, 100 + i), "nearest 4 are in view again: " + (100 + i));
        }
        assertTrue(engine.inView(o, PLAYER));
        assertEquals(5, engine.viewCount(o));
        assertTrue(engine.viewFullRejections() > 0);
    }

    @Test
    void shouldUpdateEveryEntityEventuallyAndNearOnesMoreOftenWhenBudgetIsTight()
    {
        final InterestEngine engine = engine(config().baseRadiusM(150).maxViewEntities(1024));
        entity(PLAYER, 0, 0.5f);
        final int n = 500;
        final int[] slots = new int[n];
        final double[] distances = new double[n];
        final Random random = new Random(42);
        for (int i = 0; i < n; i++)
        {
            distances[i] = 2 + random.nextDouble() * 98;
            final double angle = random.nextDouble() * Math.PI * 2;
            slots[i] = entity(100 + i, 0, i % 10 == 0 ? 5 : 0.5f);
            store.position(slots[i], (long)(Math.cos(angle) * distances[i] * MM),
                (long)(Math.sin(angle) * distances[i] * MM), 0);
        }
        final int budget = InterestEngine.UPDATE_BATCH_OVERHEAD + 20 * InterestEngine.UPDATE_ENTRY_BASE_LENGTH;
        engine.addObserver(OBSERVER, PLAYER, egress, budget);

        int warmTicks = 0;
        while (engine.spawnsSent() < n + 1)
        {
            tick(engine);
            warmTicks++;
            assertTrue(warmTicks < 100);
        }

        final int ticks = 600;
        final int[] updateCounts = new int[n];
        final int[] lastUpdate = new int[n];
        final int[] maxGap = new int[n];
        for (int t = 1; t <= ticks; t++)
        {
            for (int i = 0; i < n; i++)
            {
                store.orientation(slots[i], 0, 0, (float)Math.sin(t * 0.01 + i), 1);
            }
            for (final RecordingEgress.Event e : tick(engine))
            {
                assertEquals(UPDATE, e.kind());
                final int i = (int)(e.entityId() - 100);
                updateCounts[i]++;
                maxGap[i] = Math.max(maxGap[i], t - lastUpdate[i]);
                lastUpdate[i] = t;
            }
        }

        int worstGap = 0;
        int nearSmall = 0;
        int farSmall = 0;
        int large = 0;
        int nearSmallCount = 0;
        int farSmallCount = 0;
        int largeCount = 0;
        for (int i = 0; i < n; i++)
        {
            worstGap = Math.max(worstGap, Math.max(maxGap[i], ticks - lastUpdate[i]));
            if (i % 10 == 0)
            {
                large += updateCounts[i];
                largeCount++;
            }
            else if (distances[i] < 20)
            {
                nearSmall += updateCounts[i];
                nearSmallCount++;
            }
            else if (distances[i] > 80)
            {
                farSmall += updateCounts[i];
                farSmallCount++;
            }
        }
        final double nearRate = (double)nearSmall / nearSmallCount;
        final double farRate = (double)farSmall / farSmallCount;
        final double largeRate = (double)large / largeCount;
        System.out.printf("budget: spawns took %d ticks; over %d ticks: worst gap %d ticks, updates per entity: " +
            "near small %.1f, far small %.1f, large %.1f; deferrals %d%n",
            warmTicks, ticks, worstGap, nearRate, farRate, largeRate, engine.budgetDeferrals());

        assertTrue(worstGap <= 200, "starvation-free within a bounded number of ticks: " + worstGap);
        assertTrue(nearRate > 2 * farRate, "nearer updated more often");
        assertTrue(largeRate > nearRate, "larger updated more often");
        assertTrue(engine.budgetDeferrals() > 0);
    }

    @Test
    void shouldResendSpawnsForWholeViewWhenEgressFailed()
    {
        final InterestEngine engine = engine(config());
        entity(PLAYER, 0, 0.5f);
        for (int i = 0; i < 10; i++)
        {
            entity(100 + i, 10 + i, 0.5f);
        }
        engine.addObserver(OBSERVER, PLAYER, egress, 1 << 20);
        assertEquals(11, count(tick(engine), SPAWN));

        for (int i = 0; i < 10; i++)
        {
            store.position(store.slotOf(100 + i), (20 + i) * MM, 0, 0);
        }
        egress.failAfterCalls = 3;
        assertEquals(3, tick(engine).size());
        assertEquals(1, engine.resyncs());
        assertTrue(engine.isResyncing(engine.observerIndex(OBSERVER)));

        egress.failAfterCalls = -1;
        egress.capacity = 0;
        assertTrue(tick(engine).isEmpty());
        assertEquals(1, engine.observersLagging());

        egress.capacity = 1 << 20;
        store.position(store.slotOf(100), 1, 0, 0);
        final List<RecordingEgress.Event> resync = tick(engine);
        assertEquals(0, engine.observersLagging());
        assertEquals(11, resync.size());
        assertEquals(11, count(resync, SPAWN), "fresh snapshots of everything in view, no deltas");
        assertEquals(PLAYER, resync.get(0).entityId());

        store.position(store.slotOf(100), 2, 0, 0);
        final List<RecordingEgress.Event> after = tick(engine);
        assertEquals(1, count(after, UPDATE, 100), "deltas resume");
        assertFalse(engine.isResyncing(engine.observerIndex(OBSERVER)));
    }

    @Test
    void shouldSendSpawnsOfResyncByPriorityWithinBudget()
    {
        final InterestEngine engine = engine(config());
        entity(PLAYER, 0, 0.5f);
        for (int i = 0; i < 10; i++)
        {
            entity(100 + i, 10 + i * 5, 0.5f);
        }
        engine.addObserver(OBSERVER, PLAYER, egress, 1 << 20);
        tick(engine);
        store.position(store.slotOf(100), 1, 0, 0);
        egress.failAfterCalls = 0;
        tick(engine);

        egress.failAfterCalls = -1;
        engine.budget(OBSERVER, 3 * InterestEngine.SPAWN_BASE_LENGTH);
        final List<RecordingEgress.Event> first = tick(engine);
        assertEquals(3, first.size());
        assertEquals(PLAYER, first.get(0).entityId());
        assertEquals(100, first.get(1).entityId(), "nearest next");
        assertEquals(101, first.get(2).entityId());
        long total = first.size();
        for (int t = 0; t < 3; t++)
        {
            total += count(tick(engine), SPAWN);
        }
        assertEquals(11, total);
    }

    @Test
    void shouldKeepAcknowledgingTheFollowedEntitysInputsWhileTheRestOfAResyncIsPaced()
    {
        final InterestEngine engine = engine(config());
        entity(PLAYER, 0, 0.5f);
        for (int i = 0; i < 10; i++)
        {
            entity(100 + i, 10 + i * 5, 0.5f);
        }
        engine.addObserver(OBSERVER, PLAYER, egress, 1 << 20);
        tick(engine);
        store.position(store.slotOf(100), 1, 0, 0);
        egress.failAfterCalls = 0; // one refused offer (a term rotation, a back-pressured link): the view resyncs
        tick(engine);
        assertEquals(1, engine.resyncs());

        // three spawns a tick: the followed entity's comes first, the other ten take four ticks
        egress.failAfterCalls = -1;
        engine.budget(OBSERVER, 3 * InterestEngine.SPAWN_BASE_LENGTH);
        final int player = store.slotOf(PLAYER);
        store.lastAppliedInputSequence(player, 1);
        final List<RecordingEgress.Event> first = tick(engine);
        assertEquals(PLAYER, first.get(0).entityId());
        assertEquals(1, first.get(0).lastAppliedInput());
        long respawned = count(first, SPAWN) - 1;
        for (long input = 2; respawned < 10; input++)
        {
            assertTrue(engine.isResyncing(engine.observerIndex(OBSERVER)), "spawns still pending");
            store.lastAppliedInputSequence(player, input);
            store.position(player, input, 0, 0);
            final List<RecordingEgress.Event> events = tick(engine);
            assertEquals(1, count(events, UPDATE, PLAYER), "the followed entity's update, with input " + input +
                " acknowledged, does not wait for the rest of the view");
            for (final RecordingEgress.Event event : events)
            {
                if (UPDATE == event.kind())
                {
                    assertEquals(input, event.lastAppliedInput());
                }
            }
            assertEquals(0, count(events, UPDATE) - 1, "no other deltas while resyncing");
            respawned += count(events, SPAWN);
        }
        assertEquals(10, respawned);
    }

    @Test
    void shouldDespawnWithReasonDestroyedWhenEntityRemovedFromStore()
    {
        final InterestEngine engine = engine(config());
        entity(PLAYER, 0, 0.5f);
        entity(100, 10, 0.5f);
        entity(101, 20, 0.5f);
        engine.addObserver(OBSERVER, PLAYER, egress, 1 << 20);
        tick(engine);

        assertTrue(store.remove(100));
        assertTrue(store.remove(101, (short)2));
        entity(102, 5, 0.5f);
        final List<RecordingEgress.Event> events = tick(engine);

        assertEquals(1, count(events, DESPAWN, 100));
        assertEquals(1, count(events, DESPAWN, 101));
        assertEquals(1, count(events, SPAWN, 102));
        for (final RecordingEgress.Event e : events)
        {
            if (e.entityId() == 100)
            {
                assertEquals(1, e.reason(), "destroyed");
            }
            if (e.entityId() == 101)
            {
                assertEquals(2, e.reason(), "stowed");
            }
        }
        assertEquals(2, engine.despawnsSent());
    }

    @Test
    void shouldSizeGridQueryByLargestSmallRadiusPresent()
    {
        final InterestEngine engine = engine(config());
        entity(PLAYER, 0, 0.5f);
        entity(100, 104, 0.5f);
        entity(101, 106, 0.5f);
        final int planet = entity(102, 550, 50);
        engine.addObserver(OBSERVER, PLAYER, egress, 1 << 20);

        List<RecordingEgress.Event> events = tick(engine);
        assertEquals(105.0, engine.gridQueryRadiusM(), 1e-9, "0.5 m entities only, the large one is not in the grid");
        assertEquals(1, count(events, SPAWN, 100));
        assertEquals(0, count(events, SPAWN, 101));
        assertEquals(1, count(events, SPAWN, 102), "large: always checked");

        final int ship = entity(103, 285, 19);
        events = tick(engine);
        assertEquals(290.0, engine.gridQueryRadiusM(), 1e-9);
        assertEquals(1, count(events, SPAWN, 103), "found by the grown query at 285 m <= 100 + 10 * 19");

        store.radius(ship, 2);
        store.position(ship, 110 * MM, 0, 0);
        events = tick(engine);
        assertEquals(120.0, engine.gridQueryRadiusM(), 1e-9, "shrinks with the largest radius present");
        assertEquals(0, count(events, DESPAWN, 103), "still within 100 + 10 * 2");

        assertTrue(store.remove(103));
        store.radius(planet, 60);
        events = tick(engine);
        assertEquals(105.0, engine.gridQueryRadiusM(), 1e-9);
        assertEquals(1, count(events, DESPAWN, 103));
        assertTrue(engine.inView(0, 100));
        assertFalse(engine.inView(0, 101));
    }

    @Test
    void shouldThinUpdatesByDistanceTierButNeverTheFollowedEntityWhenTiersOn()
    {
        // view distance of a radius-0 entity: 100 m; near within 33.3 m, mid to 66.7 m, far beyond
        final InterestEngine engine = engine(config().nearTierFraction(1.0 / 3.0).farTierFraction(2.0 / 3.0)
            .midTierPeriod(2).farTierPeriod(4));
        final long[] ids = { PLAYER, 100, 101, 102 };
        final int[] slots = { entity(PLAYER, 0, 0), entity(100, 20, 0), entity(101, 50, 0), entity(102, 90, 0) };
        engine.addObserver(OBSERVER, PLAYER, egress, 1 << 20);
        assertEquals(4, count(tick(engine), SPAWN));

        final int ticks = 64;
        final int[] updates = new int[ids.length];
        for (int t = 0; t < ticks; t++)
        {
            for (final int slot : slots)
            {
                store.velocity(slot, t + 1, 0, 0);
            }
            for (final RecordingEgress.Event e : tick(engine))
            {
                assertEquals(UPDATE, e.kind());
                for (int i = 0; i < ids.length; i++)
                {
                    updates[i] += ids[i] == e.entityId() ? 1 : 0;
                }
            }
        }

        assertEquals(ticks, updates[0], "the followed entity every tick");
        assertEquals(ticks, updates[1], "near: every tick");
        assertEquals(ticks / 2, updates[2], "mid: every 2nd tick");
        assertEquals(ticks / 4, updates[3], "far: every 4th tick");
        assertEquals(ticks / 2 + 3 * ticks / 4, engine.tierDeferrals());
    }

    @Test
    void shouldUpdateEveryTickWhenTiersOff()
    {
        final InterestEngine engine = engine(config().everyTick());
        final int player = entity(PLAYER, 0, 0);
        final int far = entity(102, 90, 0);
        engine.addObserver(OBSERVER, PLAYER, egress, 1 << 20);
        tick(engine);
        for (int t = 0; t < 8; t++)
        {
            store.velocity(player, t + 1, 0, 0);
            store.velocity(far, t + 1, 0, 0);
            assertEquals(2, count(tick(engine), UPDATE));
        }
        assertEquals(0, engine.tierDeferrals());
    }

    @Test
    void shouldSendEverythingFollowedFirstWhenAllFitsBudget()
    {
        final InterestEngine engine = engine(config());
        final int player = entity(PLAYER, 0, 0.5f);
        final int near = entity(100, 1, 0.5f);
        final int far = entity(101, 90, 0.5f);
        engine.addObserver(OBSERVER, PLAYER, egress, 1 << 20);
        tick(engine);

        assertTrue(engine.follow(OBSERVER, 101));
        store.velocity(player, 1, 0, 0);
        store.velocity(near, 1, 0, 0);
        store.velocity(far, 1, 0, 0);
        final List<RecordingEgress.Event> updates = tick(engine);
        assertEquals(3, count(updates, UPDATE));
        assertEquals(101, updates.get(0).entityId(), "the followed entity first, wherever it is in the view");
        assertEquals(0, engine.budgetDeferrals());

        final int exact = 3 * CompactUpdates.estimatedEntryLength(EntityStore.VELOCITY, 0) +
            CompactUpdates.MESSAGE_OVERHEAD;
        engine.budget(OBSERVER, exact);
        store.velocity(player, 2, 0, 0);
        store.velocity(near, 2, 0, 0);
        store.velocity(far, 2, 0, 0);
        assertEquals(3, count(tick(engine), UPDATE), "exactly the budget fits");
        assertEquals(0, engine.budgetDeferrals());

        engine.budget(OBSERVER, exact - 1);
        store.velocity(player, 3, 0, 0);
        store.velocity(near, 3, 0, 0);
        store.velocity(far, 3, 0, 0);
        final List<RecordingEgress.Event> partial = tick(engine);
        assertEquals(2, count(partial, UPDATE), "one byte short: by priority");
        assertEquals(101, partial.get(0).entityId());
        assertEquals(1, engine.budgetDeferrals());
    }

    @Test
    void shouldRejectObserverWhenDuplicateOrTooMany()
    {
        final InterestEngine engine = engine(config().maxObservers(2));
        assertEquals(0 <= engine.addObserver(1, 1, egress, 100) ? 1 : 0, 1);
        assertEquals(InterestEngine.ERR_DUPLICATE_OBSERVER, engine.addObserver(1, 1, egress, 100));
        assertEquals(InterestEngine.ERR_INVALID_BUDGET, engine.addObserver(2, 1, egress, 0));
        assertTrue(engine.addObserver(2, 1, egress, 100) >= 0);
        assertEquals(InterestEngine.ERR_TOO_MANY_OBSERVERS, engine.addObserver(3, 1, egress, 100));
        assertTrue(engine.removeObserver(1));
        assertFalse(engine.removeObserver(1));
        assertTrue(engine.addObserver(3, 1, egress, 100) >= 0);
    }
}
