/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers.game;

import io.orrery.link.EntityState;
import io.orrery.wire.EntityIdSpace;
import org.agrona.collections.LongArrayList;

/**
 * A {@link GameWorld} with a listener that plays the Replication Layer's part without a transport: spawns are
 * recorded and confirmed (streamed back in with epoch 1) on {@link #confirmSpawns()}, destructions and published
 * states are counted. Preallocated so that it does not allocate in steady state.
 */
final class WorldRig implements WorldListener
{
    static final long MM = 1000;
    static final long ID_BASE = EntityIdSpace.SERVER_BLOCK_BASE;

    final GameWorld world;
    final LongArrayList spawned = new LongArrayList(4096, 0);
    final LongArrayList destroyed = new LongArrayList(4096, 0);
    /**
     * The one struct every adoption and view of the rig is filled into (as the server link reuses its snapshot).
     */
    final EntityState state = new EntityState(0);
    private final long[] unconfirmed = new long[4096];
    private int unconfirmedCount;
    long published;
    boolean refuseSpawns;
    boolean recordIds = true;

    WorldRig(final WorldSettings settings)
    {
        world = new GameWorld(settings, this);
        world.idBlock(ID_BASE, 1_000_000);
    }

    /**
     * Stream every requested spawn back in, as the Replication Layer does once it has created the entity.
     */
    void confirmSpawns()
    {
        final EntityTable entities = world.entities();
        for (int i = 0; i < unconfirmedCount; i++)
        {
            final int slot = entities.slotOf(unconfirmed[i]);
            if (EntityTable.NULL_SLOT != slot)
            {
                world.adopt(state.reset().entityId(unconfirmed[i]).archetypeId(entities.archetypeId(slot))
                    .position(entities.positionX(slot), entities.positionY(slot), entities.positionZ(slot))
                    .radius(entities.radius(slot)).authorityEpoch(1));
            }
        }
        unconfirmedCount = 0;
    }

    int addPlayer(final long playerId, final long xMm, final long yMm)
    {
        return world.adopt(state.reset().entityId(playerId).archetypeId(GameWorld.ARCHETYPE_PLAYER)
            .ownerPlayerId(playerId).position(xMm, yMm, 0).radius(0.5f).authorityEpoch(1));
    }

    void grantBox(final int territoryId, final long minXM, final long minYM, final long maxXM, final long maxYM,
        final long nowNs)
    {
        world.grantTerritory(territoryId, 1, 0, minXM * MM, minYM * MM, -1000 * MM, maxXM * MM, maxYM * MM, 1000 * MM,
            nowNs);
    }

    @Override
    public boolean onEntitySpawned(final EntityTable entities, final int slot)
    {
        if (refuseSpawns || unconfirmedCount == unconfirmed.length)
        {
            return false;
        }
        unconfirmed[unconfirmedCount++] = entities.entityId(slot);
        if (recordIds)
        {
            spawned.addLong(entities.entityId(slot));
        }
        return true;
    }

    @Override
    public boolean onEntityDestroyed(final long entityId, final long epoch)
    {
        if (recordIds)
        {
            destroyed.addLong(entityId);
        }
        return true;
    }

    @Override
    public boolean onEntityState(final EntityTable entities, final int slot)
    {
        published++;
        return true;
    }
}
