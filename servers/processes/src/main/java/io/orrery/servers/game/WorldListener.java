/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers.game;

/**
 * Where a {@link GameWorld} sends what it decides: entities it creates and destroys, and the state of entities that
 * changed. The game server implements it on its server link (EntityCreateRequest, EntityDestroyRequest,
 * EntityStateBatch); tests record the calls.
 * <p>
 * Threading: called on the simulation thread from inside {@link GameWorld} methods; implementations must not
 * allocate (they run every tick) and must not call back into the world.
 */
public interface WorldListener
{
    /**
     * The world spawned an entity (an NPC) with an id from its id block.
     *
     * @return false if the creation could not be sent (back-pressure): the world forgets the entity and counts a
     * failed spawn; it tries again on a later tick.
     */
    boolean onEntitySpawned(EntityTable entities, int slot);

    /**
     * The world destroys an entity it owns (an NPC at the end of its lifetime).
     *
     * @return false if the destruction could not be sent: the world keeps the entity and tries again next tick.
     */
    boolean onEntityDestroyed(long entityId, long epoch);

    /**
     * Publish the state of an entity whose change mask ({@link EntityTable#changedMask(int)}) is not empty.
     *
     * @return false on back-pressure: the change mask is kept, publishing stops for this tick and resumes next tick.
     */
    boolean onEntityState(EntityTable entities, int slot);
}
