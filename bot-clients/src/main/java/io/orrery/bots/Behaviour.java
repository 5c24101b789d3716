/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.bots;

/**
 * What a bot does each time its input is due: it steers from its own entity's position (millimetres, from its
 * {@link io.orrery.core.client.ClientEntityView}) by writing a move vector in [-1, 1] per axis into the bot.
 * <p>
 * Threading: called only on the thread of the bot's {@link BotAgent}. Implementations are stateless (per-bot state
 * lives in {@link Bot}) and must not allocate.
 */
public interface Behaviour
{
    /**
     * @return the behaviour's kind.
     */
    BehaviourKind kind();

    /**
     * Steer the bot for its next input.
     *
     * @param bot   whose {@link Bot#moveX} / {@link Bot#moveY} to set.
     * @param hasPosition true when the bot's own entity is in its view and {@code xMm}, {@code yMm} are valid.
     * @param xMm   own entity x in millimetres.
     * @param yMm   own entity y in millimetres.
     * @param nowNs time of this duty cycle.
     * @return true to send an input, false to stay silent (heartbeats only).
     */
    boolean steer(Bot bot, boolean hasPosition, long xMm, long yMm, long nowNs);
}
