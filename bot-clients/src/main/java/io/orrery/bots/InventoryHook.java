/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.bots;

/**
 * Where inventory bots stow and unstow items. Persistence (Scribe's stow/unstow transaction) is not there yet, so the
 * only implementation is {@link UnsupportedInventoryHook}, which counts the attempts; when the protocol gains stow and
 * unstow messages, an implementation will send them on the bot's session and count acknowledgements.
 * <p>
 * Threading: one instance per {@link BotAgent}, called only on its thread, at the rate set by
 * {@link BotSwarm.Settings#inventoryIntervalNs(long)}. Must not block or allocate.
 */
public interface InventoryHook
{
    /**
     * The action was sent.
     */
    int SENT = 1;

    /**
     * The action is not supported yet.
     */
    int NOT_SUPPORTED = -1;

    /**
     * The action could not be sent now (back-pressure); the bot retries at its next inventory deadline.
     */
    int BACK_PRESSURED = -2;

    /**
     * Move an item from the world into the bot's inventory.
     *
     * @param bot    the acting bot (its session and player id).
     * @param itemId the item.
     * @param nowNs  time of this duty cycle.
     * @return {@link #SENT}, {@link #NOT_SUPPORTED} or {@link #BACK_PRESSURED}.
     */
    int stow(Bot bot, long itemId, long nowNs);

    /**
     * Move an item from the bot's inventory back into the world at the bot's position.
     *
     * @return {@link #SENT}, {@link #NOT_SUPPORTED} or {@link #BACK_PRESSURED}.
     */
    int unstow(Bot bot, long itemId, long nowNs);

    /**
     * @return actions that were not supported so far.
     */
    long notSupported();
}
