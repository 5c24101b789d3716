/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.wire;

/**
 * Archetype ids (object containers) the shard itself knows: the Replication Layer creates players and starter items,
 * its scripted authority NPCs, ships and crew, and the bundled game server players and NPCs. Clients and servers map
 * them to their own assets; a game may use any other id for its own containers. This is the one definition; every
 * other name for these ids is an alias of it.
 * <p>
 * Threading: constants only.
 */
public final class Archetypes
{
    /**
     * A player's own entity (the Replication Layer creates it on join).
     */
    public static final int PLAYER = 1;
    /**
     * A non-player character (scripted authority, game servers).
     */
    public static final int NPC = 2;
    /**
     * A ship: a zone with its own frame (scripted authority).
     */
    public static final int SHIP = 3;
    /**
     * Crew aboard a ship, positioned in the ship's frame (scripted authority).
     */
    public static final int CREW = 4;
    /**
     * The crate every player is granted once on a persistent shard.
     */
    public static final int STARTER_CRATE = 16;

    private Archetypes()
    {
    }
}
