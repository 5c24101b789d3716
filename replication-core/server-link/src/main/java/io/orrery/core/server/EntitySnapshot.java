/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.server;

import io.orrery.link.EntityState;

/**
 * The server link's name for the shared entity-state struct ({@link EntityState}): what the link hands a game server
 * ({@link ServerListener#onEntityStreamIn}, {@link ServerListener#onHandoffPrepare}, {@link ServerListener#onClientView})
 * and what a server fills to create or hand back an entity ({@link ServerLink#createEntity},
 * {@link ServerLink#releaseEntity}). Any {@link EntityState} will do where the link reads state
 * ({@link ServerLink#appendState}); snapshots are simply states with room for component state by default.
 * <p>
 * Threading: not thread safe. A snapshot passed to a callback is reused by the link after the callback returns.
 */
public final class EntitySnapshot extends EntityState
{
    /**
     * Component state room of {@link #EntitySnapshot()}.
     */
    public static final int DEFAULT_MAX_STATE_BYTES = 256;

    /**
     * @param maxStateBytes largest component state this snapshot can hold.
     */
    public EntitySnapshot(final int maxStateBytes)
    {
        super(maxStateBytes);
    }

    /**
     * A snapshot with room for {@link #DEFAULT_MAX_STATE_BYTES} of component state.
     */
    public EntitySnapshot()
    {
        this(DEFAULT_MAX_STATE_BYTES);
    }
}
