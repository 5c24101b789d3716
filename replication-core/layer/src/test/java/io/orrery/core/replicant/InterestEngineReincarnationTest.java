/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * An entity id removed and created again (or created and removed, or its slot reused by another id) between two
 * ticks: whatever happens to an id, each observer's decoded view must end the tick with exactly the incarnations the
 * engine has sent it, and nothing may be despawned or updated that the observer does not hold.
 */
class InterestEngineReincarnationTest
{
    private static final long OBSERVER = 1000;
    private static final long PLAYER = 1;
    private static final long ITEM = 100;
    private static final long MM = 1000;

    private EntityStore store = new EntityStore(2048, 64);
    private SpatialIndex index = new SpatialIndex(2048, 128, 20);
    private final ViewModelEgress egress = new ViewModelEgress();
    private long nowNs;

    private static InterestConfig config()
    {
        return new InterestConfig().baseRadiusM(100).sizeFactor(10).hysteresis(0.1).maxObservers(8)
            .maxViewEntities(1024).everyTick();
    }

    private int entity(final long id, final int archetypeId, final double xM)
    {
        final int slot = store.create(id, archetypeId, 0, 0, false);
        assertTrue(slot >= 0, "created " + id + ": " + slot);
        store.position(slot, (long)(xM * MM), 0, 0);
        store.radius(slot, 0.5f);
        return slot;
    }

    private void tick(final InterestEngine engine)
    {
        nowNs += 33_000_000L;
        engine.tick(nowNs);
    }

    private InterestEngine engineWithItemInView()
    {
        final InterestEngine engine = new InterestEngine(store, index, config());
        entity(PLAYER, 1, 0);
        entity(ITEM, 7, 10);
        assertTrue(engine.addObserver(OBSERVER, PLAYER, egress, 1 << 20) >= 0);
        tick(engine);
        assertEquals(7, held(ITEM).archetypeId());
        return engine;
    }

    private ViewModelEgress.Held held(final long id)
    {
        final ViewModelEgress.Held held = egress.view(OBSERVER).get(id);
        assertNotNull(held, id + " is in the observer's view; sent: " + egress.log);
        return held;
    }

    private void assertNothingUnknown()
    {
        assertEquals(0, egress.despawnsForUnknown, "despawns for unknown entities; sent: " + egress.log);
        assertEquals(0, egress.updatesForUnknown, "updates for unknown entities; sent: " + egress.log);
    }

    @Test
    void shouldKeepNewIncarnationInViewWhenIdRemovedAndCreatedInOneTick()
    {
        final InterestEngine engine = engineWithItemInView();

        assertTrue(store.remove(ITEM, (short)2));
        final int slot = entity(ITEM, 8, 12);
        tick(engine);

        final ViewModelEgress.Held held = held(ITEM);
        assertEquals(store.createdSeq(slot), held.createdSeq(), "the new incarnation");
        assertEquals(8, held.archetypeId());
        assertEquals(12 * MM, held.x());
        assertNothingUnknown();
        assertTrue(egress.log.toString().endsWith("D100 S100 "), "old despawned before new spawned: " + egress.log);

        store.position(slot, 13 * MM, 0, 0);
        tick(engine);
        assertEquals(13 * MM, held(ITEM).x(), "deltas reach it");
        assertNothingUnknown();
        assertEquals(0, egress.spawnsReplacingHeld);
    }

    @Test
    void shouldKeepNewIncarnationInViewWhenItsSlotIsReusedInOneTick()
    {
        store = new EntityStore(2, 64);
        index = new SpatialIndex(2, 128, 20);
        final InterestEngine engine = engineWithItemInView();
        final int oldSlot = store.slotOf(ITEM);

        assertTrue(store.remove(ITEM));
        final int slot = entity(ITEM, 8, 12);
        assertEquals(oldSlot, slot, "a store with one free slot reuses it at once");
        tick(engine);

        assertEquals(store.createdSeq(slot), held(ITEM).createdSeq());
        assertEquals(8, held(ITEM).archetypeId());
        assertNothingUnknown();
    }

    @Test
    void shouldDespawnOldAndSpawnOtherIdWhenSlotIsReusedByAnotherIdInOneTick()
    {
        store = new EntityStore(2, 64);
        index = new SpatialIndex(2, 128, 20);
        final InterestEngine engine = engineWithItemInView();
        final int oldSlot = store.slotOf(ITEM);

        assertTrue(store.remove(ITEM));
        assertEquals(oldSlot, entity(ITEM + 1, 9, 10));
        tick(engine);

        assertEquals(9, held(ITEM + 1).archetypeId());
        assertTrue(!egress.view(OBSERVER).containsKey(ITEM), "old id despawned: " + egress.log);
        assertNothingUnknown();
    }

    @Test
    void shouldSendNothingWhenIdCreatedAndRemovedInOneTick()
    {
        final InterestEngine engine = engineWithItemInView();
        final String before = egress.log.toString();

        entity(ITEM + 1, 9, 10);
        assertTrue(store.remove(ITEM + 1));
        tick(engine);

        assertEquals(before, egress.log.toString(), "nothing about an entity that never lived at a tick");
        assertNothingUnknown();
    }

    @Test
    void shouldDespawnOnceWhenIdRemovedCreatedAndRemovedInOneTick()
    {
        final InterestEngine engine = engineWithItemInView();

        assertTrue(store.remove(ITEM));
        entity(ITEM, 8, 12);
        assertTrue(store.remove(ITEM));
        tick(engine);

        assertTrue(!egress.view(OBSERVER).containsKey(ITEM));
        assertTrue(egress.log.toString().endsWith("S100 D100 "), "one despawn: " + egress.log);
        assertNothingUnknown();
    }

    @Test
    void shouldKeepNewIncarnationWhenIdRemovedAndCreatedTwiceInOneTick()
    {
        final InterestEngine engine = engineWithItemInView();

        assertTrue(store.remove(ITEM));
        entity(ITEM, 8, 12);
        assertTrue(store.remove(ITEM));
        final int slot = entity(ITEM, 9, 14);
        tick(engine);

        assertEquals(store.createdSeq(slot), held(ITEM).createdSeq());
        assertEquals(9, held(ITEM).archetypeId());
        assertNothingUnknown();
    }

    @Test
    void shouldKeepFollowedEntityWhenObserversOwnEntityIsRecreatedInOneTick()
    {
        final InterestEngine engine = engineWithItemInView();

        assertTrue(store.remove(PLAYER));
        final int slot = entity(PLAYER, 2, 1);
        tick(engine);

        assertEquals(store.createdSeq(slot), held(PLAYER).createdSeq());
        assertEquals(7, held(ITEM).archetypeId(), "the bubble goes on around the new incarnation");
        assertNothingUnknown();
    }

    @Test
    void shouldKeepNewIncarnationWhenIdRecreatedWhileObserverLagged()
    {
        final InterestEngine engine = new InterestEngine(store, index, config());
        entity(PLAYER, 1, 0);
        entity(ITEM, 7, 10);
        final ForwardingEgress forwarding = new ForwardingEgress(egress);
        assertTrue(engine.addObserver(OBSERVER, PLAYER, forwarding, 1 << 20) >= 0);
        tick(engine);
        assertEquals(7, held(ITEM).archetypeId());

        forwarding.lag = true;
        assertTrue(store.remove(ITEM));
        tick(engine);
        final int slot = entity(ITEM, 8, 12);
        tick(engine);
        forwarding.lag = false;
        tick(engine);

        assertEquals(store.createdSeq(slot), held(ITEM).createdSeq());
        assertEquals(8, held(ITEM).archetypeId());
        assertNothingUnknown();
    }

    @Test
    void shouldNotDespawnEntityWhoseOnlySpawnFailedWhenItIsRemoved()
    {
        final InterestEngine engine = engineWithItemInView();
        final FailingEgress failing = new FailingEgress(egress);
        engine.removeObserver(OBSERVER);
        egress.views.clear();
        engine.addObserver(OBSERVER, PLAYER, failing, 1 << 20);
        failing.failOnSpawnOf = ITEM;
        tick(engine);
        assertTrue(!egress.view(OBSERVER).containsKey(ITEM));
        assertTrue(engine.isResyncing(engine.observerIndex(OBSERVER)));

        failing.failOnSpawnOf = -1;
        assertTrue(store.remove(ITEM));
        tick(engine);
        tick(engine);

        assertEquals(1, egress.view(OBSERVER).size(), "own entity only: " + egress.log);
        assertNothingUnknown();
    }

    /**
     * Many entities and four observers whose own entities also come and go; ids are removed, re-created, created and
     * removed at random between ticks, slots are reused quickly (a nearly full store), entities move. After every
     * tick each observer's decoded view must hold exactly what the engine has sent it, at the incarnation sent.
     */
    @Test
    void shouldMatchEveryObserversDecodedViewWhenIdsAreRecreatedAtRandomOverThousandsOfTicks()
    {
        runRandomised(new ViewModelEgress(), 42, 3000, true);
    }

    /**
     * The same with observers that lag (no capacity) and egress calls that fail at random: what an observer holds
     * must always be known to the engine, and nothing is despawned or updated that the observer does not hold.
     */
    @Test
    void shouldKeepObserversConsistentWhenIdsAreRecreatedWhileObserversLagAndFail()
    {
        runRandomised(new ViewModelEgress(new Random(7), 0.05, 0.0005), 43, 3000, false);
    }

    private void runRandomised(final ViewModelEgress egress, final long seed, final int ticks, final boolean exact)
    {
        final int ids = 400;
        final int players = 4;
        final long playerBase = 10_000;
        store = new EntityStore(ids + players + 4, 64);
        index = new SpatialIndex(ids + players + 4, 64, 20);
        final InterestEngine engine = new InterestEngine(store, index, config());
        final Random random = new Random(seed);
        int incarnation = 0;

        for (int p = 1; p <= players; p++)
        {
            randomEntity(random, playerBase + p, ++incarnation);
            assertTrue(engine.addObserver(OBSERVER + p, playerBase + p, egress, 1 << 20) >= 0);
        }
        for (long id = 1; id <= ids; id++)
        {
            if (random.nextDouble() < 0.9)
            {
                randomEntity(random, id, ++incarnation);
            }
        }

        final List<Long> recreatedThisTick = new ArrayList<>();
        long recreations = 0;
        for (int t = 0; t < ticks; t++)
        {
            recreatedThisTick.clear();
            final int operations = random.nextInt(12);
            for (int k = 0; k < operations; k++)
            {
                final long id = random.nextDouble() < 0.05 ? playerBase + 1 + random.nextInt(players) :
                    1 + random.nextInt(ids);
                final boolean exists = EntityStore.NULL_SLOT != store.slotOf(id);
                final double choice = random.nextDouble();
                if (exists && choice < 0.5)
                {
                    store.remove(id, (short)random.nextInt(3));
                    if (EntityStore.NULL_SLOT == randomEntity(random, id, ++incarnation))
                    {
                        continue;
                    }
                    recreatedThisTick.add(id);
                    recreations++;
                    if (random.nextDouble() < 0.2)
                    {
                        store.remove(id);
                        if (random.nextBoolean())
                        {
                            randomEntity(random, id, ++incarnation);
                        }
                    }
                }
                else if (exists)
                {
                    store.remove(id);
                }
                else
                {
                    randomEntity(random, id, ++incarnation);
                    if (choice < 0.2)
                    {
                        store.remove(id);
                    }
                }
            }
            for (int i = 0, n = store.activeCount(); i < n; i++)
            {
                if (random.nextDouble() < 0.3)
                {
                    final int slot = store.activeSlot(i);
                    store.position(slot, store.positionX(slot) + (random.nextInt(20_001) - 10_000),
                        store.positionY(slot) + (random.nextInt(20_001) - 10_000), 0);
                }
            }

            tick(engine);

            for (int p = 1; p <= players; p++)
            {
                assertConsistent(engine, egress, OBSERVER + p, exact, "tick " + t + ", re-created " +
                    recreatedThisTick);
            }
        }

        assertTrue(recreations > ticks, "exercised: " + recreations + " re-creations");
        assertEquals(0, egress.despawnsForUnknown, "despawns for unknown entities");
        assertEquals(0, egress.updatesForUnknown, "updates for unknown entities");
        if (exact)
        {
            assertEquals(0, egress.spawnsReplacingHeld, "no spawn for an entity the observer holds");
        }
        else
        {
            assertTrue(egress.failures > 0, "exercised failures");
        }
    }

    private int randomEntity(final Random random, final long id, final int incarnation)
    {
        final int slot = store.create(id, 1 + incarnation % 1000, 0, 0, false);
        if (slot >= 0)
        {
            store.position(slot, (random.nextInt(400_001) - 200_000) * 1L, (random.nextInt(400_001) - 200_000) * 1L,
                0);
            store.radius(slot, random.nextInt(4) * 0.5f);
        }
        return slot < 0 ? EntityStore.NULL_SLOT : slot;
    }

    private void assertConsistent(
        final InterestEngine engine, final ViewModelEgress egress, final long observerId, final boolean exact,
        final String when)
    {
        final int o = engine.observerIndex(observerId);
        final Map<Long, ViewModelEgress.Held> view = egress.view(observerId);
        int sent = 0;
        for (int i = 0, n = engine.viewCount(o); i < n; i++)
        {
            final long id = engine.viewEntityId(o, i);
            final byte state = engine.viewState(o, i);
            final ViewModelEgress.Held held = view.get(id);
            if (InterestEngine.SPAWNED == state)
            {
                sent++;
                if (null == held || held.createdSeq() != engine.viewCreatedSeq(o, i))
                {
                    fail(when + ": observer " + observerId + " should hold entity " + id + " at incarnation " +
                        engine.viewCreatedSeq(o, i) + " but holds " + held);
                }
                if (exact)
                {
                    final int slot = store.slotOf(id);
                    assertEquals(store.archetypeId(slot), held.archetypeId(), when + ": state of " + id);
                    assertEquals(store.positionX(slot), held.x(), when + ": position of " + id);
                }
            }
            else if (exact)
            {
                fail(when + ": entry " + id + " in state " + state + " after a tick with room for everything");
            }
        }
        for (final Map.Entry<Long, ViewModelEgress.Held> entry : view.entrySet())
        {
            boolean known = false;
            for (int i = 0, n = engine.viewCount(o); i < n && !known; i++)
            {
                known = engine.viewEntityId(o, i) == entry.getKey() &&
                    engine.viewCreatedSeq(o, i) == entry.getValue().createdSeq() &&
                    InterestEngine.SPAWN_PENDING != engine.viewState(o, i);
            }
            if (!known)
            {
                fail(when + ": observer " + observerId + " holds " + entry + " which the engine does not know it has");
            }
        }
        if (exact)
        {
            assertEquals(sent, view.size(), when + ": observer " + observerId + " holds exactly what was sent");
        }
    }

    /**
     * Lags (no capacity) while {@code lag}, else forwards to a model.
     */
    private static final class ForwardingEgress implements ObserverEgress
    {
        private final ObserverEgress delegate;
        boolean lag;

        ForwardingEgress(final ObserverEgress delegate)
        {
            this.delegate = delegate;
        }

        @Override
        public int beginTick(final long observerId, final long nowNs)
        {
            return lag ? 0 : delegate.beginTick(observerId, nowNs);
        }

        @Override
        public boolean onSpawn(final long observerId, final EntityStore store, final int slot)
        {
            return delegate.onSpawn(observerId, store, slot);
        }

        @Override
        public boolean onUpdate(final long observerId, final EntityStore store, final int slot, final int mask)
        {
            return delegate.onUpdate(observerId, store, slot, mask);
        }

        @Override
        public boolean onDespawn(final long observerId, final long entityId, final short reason)
        {
            return delegate.onDespawn(observerId, entityId, reason);
        }

        @Override
        public boolean endTick(final long observerId)
        {
            return delegate.endTick(observerId);
        }
    }

    /**
     * Refuses the spawn of one entity (nothing delivered), else forwards to a model.
     */
    private static final class FailingEgress implements ObserverEgress
    {
        private final ObserverEgress delegate;
        long failOnSpawnOf = -1;

        FailingEgress(final ObserverEgress delegate)
        {
            this.delegate = delegate;
        }

        @Override
        public int beginTick(final long observerId, final long nowNs)
        {
            return delegate.beginTick(observerId, nowNs);
        }

        @Override
        public boolean onSpawn(final long observerId, final EntityStore store, final int slot)
        {
            return store.entityId(slot) != failOnSpawnOf && delegate.onSpawn(observerId, store, slot);
        }

        @Override
        public boolean onUpdate(final long observerId, final EntityStore store, final int slot, final int mask)
        {
            return delegate.onUpdate(observerId, store, slot, mask);
        }

        @Override
        public boolean onDespawn(final long observerId, final long entityId, final short reason)
        {
            return delegate.onDespawn(observerId, entityId, reason);
        }

        @Override
        public boolean endTick(final long observerId)
        {
            return delegate.endTick(observerId);
        }
    }
}
