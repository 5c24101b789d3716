/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.bots;

/**
 * What inventory bots do at their inventory deadline: stow or unstow their item through their session and check the
 * durable results. {@link SessionInventoryHook} is the real implementation.
 * <p>
 * Threading: one instance per {@link BotAgent}, called only on its thread, at the rate set by
 * {@link BotSwarm.Settings#inventoryIntervalNs(long)}. Must not block or allocate.
 */
public interface InventoryHook
{
    /**
     * A request was sent.
     */
    int SENT = 1;

    /**
     * Nothing to do now (a request is outstanding and has not timed out).
     */
    int WAITING = 0;

    /**
     * The request could not be sent now (back-pressure or not connected); the bot retries at its next deadline.
     */
    int BACK_PRESSURED = -2;

    /**
     * Act: send the bot's next stow or unstow, or resend an outstanding one that timed out (same operation id).
     *
     * @return {@link #SENT}, {@link #WAITING} or {@link #BACK_PRESSURED}.
     */
    int act(Bot bot, long nowNs);

    /**
     * A stow or unstow result arrived for the bot's session.
     */
    void onStowResult(Bot bot, long operationId, long itemEntityId, boolean stowed, int status, long nowNs);

    /**
     * @return a snapshot of the counters, for the swarm summary (read after the agent's thread stopped).
     */
    InventoryCounters counters();
}
