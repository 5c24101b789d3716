/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

/**
 * What dynamic meshing asks of a fleet of game servers (see the fleet module for implementations that start child
 * processes, agents in the layer's process, or, by the same contract, Agones or Kubernetes game servers). Called on
 * the Replicant's thread: an implementation only records the request and acts on its own thread or duty cycle.
 */
public interface ServerFleetControl
{
    /**
     * Start the game server with this id (a spare of the shard file) and let it join the shard; idempotent.
     */
    void startServer(int serverId);

    /**
     * The game server with this id holds no territory and no entity any more: it may be stopped gracefully, unless
     * the fleet keeps it (its minimum size, a reservation).
     */
    void retireServer(int serverId);
}
