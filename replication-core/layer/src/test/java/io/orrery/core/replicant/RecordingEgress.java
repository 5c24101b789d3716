/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant;

import java.util.ArrayList;
import java.util.List;

/**
 * Test egress that records every call. Allocates: not for the allocation test.
 */
final class RecordingEgress implements ObserverEgress
{
    static final char SPAWN = 'S';
    static final char UPDATE = 'U';
    static final char DESPAWN = 'D';

    record Event(char kind, long observerId, long entityId, int mask, short reason, long lastAppliedInput)
    {
    }

    final List<Event> events = new ArrayList<>();
    int capacity = 1 << 20;
    int failAfterCalls = -1;
    int beginTicks;
    int endTicks;

    @Override
    public int beginTick(final long observerId, final long nowNs)
    {
        beginTicks++;
        return capacity;
    }

    @Override
    public boolean onSpawn(final long observerId, final EntityStore store, final int slot)
    {
        if (shouldFail())
        {
            return false;
        }
        events.add(new Event(SPAWN, observerId, store.entityId(slot), EntityStore.ALL_FIELDS, (short)-1,
            store.lastAppliedInputSequence(slot)));
        return true;
    }

    @Override
    public boolean onUpdate(final long observerId, final EntityStore store, final int slot, final int changedMask)
    {
        if (shouldFail())
        {
            return false;
        }
        events.add(new Event(UPDATE, observerId, store.entityId(slot), changedMask, (short)-1,
            store.lastAppliedInputSequence(slot)));
        return true;
    }

    @Override
    public boolean onDespawn(final long observerId, final long entityId, final short reason)
    {
        if (shouldFail())
        {
            return false;
        }
        events.add(new Event(DESPAWN, observerId, entityId, 0, reason, 0));
        return true;
    }

    @Override
    public boolean endTick(final long observerId)
    {
        endTicks++;
        return true;
    }

    private boolean shouldFail()
    {
        if (failAfterCalls == 0)
        {
            return true;
        }
        if (failAfterCalls > 0)
        {
            failAfterCalls--;
        }
        return false;
    }

    List<Event> take()
    {
        final List<Event> copy = new ArrayList<>(events);
        events.clear();
        return copy;
    }

    static long count(final List<Event> events, final char kind, final long entityId)
    {
        return events.stream().filter((e) -> e.kind() == kind && e.entityId() == entityId).count();
    }

    static long count(final List<Event> events, final char kind)
    {
        return events.stream().filter((e) -> e.kind() == kind).count();
    }
}
