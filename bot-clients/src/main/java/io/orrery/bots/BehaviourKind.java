/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.bots;

/**
 * The behaviours a bot can have, with the names used in a mix such as {@code idle=10,walk=60,commute=20,crowd=10}.
 */
public enum BehaviourKind
{
    /**
     * Connected but silent: heartbeats only, no input.
     */
    IDLE("idle"),

    /**
     * Random walk: a new random heading every few seconds, turned back towards the centre at the world's edge.
     */
    WALK("walk"),

    /**
     * Commute between hotspots far apart (they will cross territory borders once territories exist).
     */
    COMMUTE("commute"),

    /**
     * Crowd one point (a hot spot) and mill about there.
     */
    CROWD("crowd"),

    /**
     * Walk randomly and stow/unstow items through an {@link InventoryHook} at a configurable rate.
     */
    INVENTORY("inventory"),

    /**
     * Crowd a sequence of rally points together with every other rally bot: point {@code k} during the {@code k}-th
     * leg of the swarm's clock (legs of {@link BotSwarm.Settings#rallyLegNs()}, cycling), milling about there like
     * {@link #CROWD}; from {@link BotSwarm.Settings#rallyScatterAtNs()} on (if set) each heads for its own random
     * point of the world and then walks randomly: flash crowds, dispersal and crowds moving back and forth.
     */
    RALLY("rally");

    private static final BehaviourKind[] VALUES = values();

    private final String mixName;

    BehaviourKind(final String mixName)
    {
        this.mixName = mixName;
    }

    /**
     * @return the name in a mix string.
     */
    public String mixName()
    {
        return mixName;
    }

    /**
     * @param name name in a mix string.
     * @return the kind, or null when unknown.
     */
    public static BehaviourKind byMixName(final String name)
    {
        for (final BehaviourKind kind : VALUES)
        {
            if (kind.mixName.equals(name))
            {
                return kind;
            }
        }
        return null;
    }
}
