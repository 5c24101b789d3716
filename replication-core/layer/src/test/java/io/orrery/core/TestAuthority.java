/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core;

import io.orrery.core.authority.Authority;
import io.orrery.core.replicant.EntityStore;
import io.orrery.wire.codec.PlayerInputDecoder;
import org.agrona.collections.Long2LongHashMap;

/**
 * Authority for tests: players spawn where the test says, inputs move them one millimetre per unit of move and are
 * echoed at the next tick; every other entity is written by the test straight into the store.
 */
final class TestAuthority implements Authority
{
    private final Long2LongHashMap spawnXmm = new Long2LongHashMap(Long.MIN_VALUE);
    private final Long2LongHashMap pendingInput = new Long2LongHashMap(-1);
    private final long[] playersScratch = new long[1024];
    long inputsApplied;

    TestAuthority spawnPlayerAt(final long playerId, final long xMm)
    {
        spawnXmm.put(playerId, xMm);
        return this;
    }

    @Override
    public void onPlayerJoined(final long playerEntityId, final long nowNs, final EntityStore store)
    {
        if (EntityStore.NULL_SLOT == store.slotOf(playerEntityId))
        {
            final int slot = store.create(playerEntityId, 1, playerEntityId, 0, false);
            final long x = spawnXmm.get(playerEntityId);
            store.position(slot, Long.MIN_VALUE == x ? 0 : x, 0, 0);
            store.radius(slot, 0.5f);
        }
    }

    @Override
    public void onPlayerLeft(final long playerEntityId, final long nowNs, final EntityStore store)
    {
        store.remove(playerEntityId);
    }

    @Override
    public void onPlayerInput(final PlayerInputDecoder input, final long nowNs, final EntityStore store)
    {
        pendingInput.put(input.entityId(), input.inputSequence());
    }

    @Override
    public int onTick(final long nowNs, final EntityStore store)
    {
        int count = 0;
        final Long2LongHashMap.KeyIterator keys = pendingInput.keySet().iterator();
        while (keys.hasNext() && count < playersScratch.length)
        {
            playersScratch[count++] = keys.nextValue();
        }
        for (int i = 0; i < count; i++)
        {
            final long playerId = playersScratch[i];
            final int slot = store.slotOf(playerId);
            final long sequence = pendingInput.remove(playerId);
            if (slot >= 0)
            {
                store.position(slot, store.positionX(slot) + 1, store.positionY(slot), 0);
                store.lastAppliedInputSequence(slot, sequence);
                inputsApplied++;
            }
        }
        return count;
    }
}
