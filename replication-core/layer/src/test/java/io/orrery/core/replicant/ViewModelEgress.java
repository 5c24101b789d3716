/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

/**
 * Test egress that decodes what the engine sends into each observer's view, with the client link's rules: a spawn
 * puts (or replaces) the entity, an update or despawn of an entity the observer does not hold is counted and
 * ignored. Can report no capacity (lagging) or fail calls at random. Allocates: not for the allocation test.
 */
final class ViewModelEgress implements ObserverEgress
{
    /**
     * What an observer holds of one entity: the incarnation it was spawned from and the state it last got.
     */
    record Held(long createdSeq, int archetypeId, long x)
    {
    }

    final Map<Long, Map<Long, Held>> views = new HashMap<>();
    final StringBuilder log = new StringBuilder();
    long spawnsReplacingHeld;
    long despawnsForUnknown;
    long updatesForUnknown;
    long failures;
    private final Random random;
    private final double lagProbability;
    private final double failProbability;
    private boolean failedThisTick;

    ViewModelEgress()
    {
        this(null, 0, 0);
    }

    ViewModelEgress(final Random random, final double lagProbability, final double failProbability)
    {
        this.random = random;
        this.lagProbability = lagProbability;
        this.failProbability = failProbability;
    }

    Map<Long, Held> view(final long observerId)
    {
        return views.computeIfAbsent(observerId, (k) -> new HashMap<>());
    }

    @Override
    public int beginTick(final long observerId, final long nowNs)
    {
        failedThisTick = false;
        if (null != random && random.nextDouble() < lagProbability)
        {
            return 0;
        }
        return 1 << 20;
    }

    @Override
    public boolean onSpawn(final long observerId, final EntityStore store, final int slot)
    {
        if (fail())
        {
            return false;
        }
        final long id = store.entityId(slot);
        log.append('S').append(id).append(' ');
        final Held previous = view(observerId).put(
            id, new Held(store.createdSeq(slot), store.archetypeId(slot), store.positionX(slot)));
        if (null != previous)
        {
            spawnsReplacingHeld++;
        }
        return true;
    }

    @Override
    public boolean onUpdate(final long observerId, final EntityStore store, final int slot, final int changedMask)
    {
        if (fail())
        {
            return false;
        }
        final long id = store.entityId(slot);
        final Map<Long, Held> view = view(observerId);
        final Held held = view.get(id);
        if (null == held)
        {
            updatesForUnknown++;
        }
        else
        {
            view.put(id, new Held(held.createdSeq(), held.archetypeId(), store.positionX(slot)));
        }
        return true;
    }

    @Override
    public boolean onDespawn(final long observerId, final long entityId, final short reason)
    {
        if (fail())
        {
            return false;
        }
        log.append('D').append(entityId).append(' ');
        if (null == view(observerId).remove(entityId))
        {
            despawnsForUnknown++;
        }
        return true;
    }

    @Override
    public boolean endTick(final long observerId)
    {
        return !fail();
    }

    private boolean fail()
    {
        if (failedThisTick)
        {
            throw new IllegalStateException("engine called the egress again after a failure in the same tick");
        }
        if (null != random && random.nextDouble() < failProbability)
        {
            failedThisTick = true;
            failures++;
            return true;
        }
        return false;
    }
}
