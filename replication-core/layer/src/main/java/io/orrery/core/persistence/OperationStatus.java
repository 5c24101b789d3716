/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.persistence;

/**
 * Outcome codes of Global store operations. Stored with the operation's key (player and operation id) so that a
 * replay returns the same outcome; never renumber.
 */
public final class OperationStatus
{
    /** Not yet executed. */
    public static final int PENDING = 0;
    /** Applied now. */
    public static final int OK = 1;
    /** The operation id had been applied before; nothing changed, the recorded outcome is returned. */
    public static final int DUPLICATE = 2;
    /** Stow: the entity is neither in the graph nor in the operation's node record; unstow: no such item. */
    public static final int NOT_FOUND = 3;
    /** Unstow of an item that belongs to another player. */
    public static final int NOT_OWNER = 4;
    /** Stow of an item that is already stowed, or unstow onto an id that is already a node. */
    public static final int CONFLICT = 5;
    /** A wallet change that would overdraw the wallet. */
    public static final int INSUFFICIENT_FUNDS = 6;
    /** The store failed; nothing changed; the caller may retry with the same operation id. */
    public static final int STORE_ERROR = 7;
    /**
     * The player's operation id is already recorded for another operation (another kind, item, faction or delta):
     * not a replay. Nothing changed, the recorded outcome stays as it was, and this outcome is not recorded.
     */
    public static final int OPERATION_CONFLICT = 8;

    private OperationStatus()
    {
    }

    public static String name(final int status)
    {
        switch (status)
        {
            case PENDING: return "PENDING";
            case OK: return "OK";
            case DUPLICATE: return "DUPLICATE";
            case NOT_FOUND: return "NOT_FOUND";
            case NOT_OWNER: return "NOT_OWNER";
            case CONFLICT: return "CONFLICT";
            case INSUFFICIENT_FUNDS: return "INSUFFICIENT_FUNDS";
            case STORE_ERROR: return "STORE_ERROR";
            case OPERATION_CONFLICT: return "OPERATION_CONFLICT";
            default: return "UNKNOWN(" + status + ")";
        }
    }

    /**
     * @return whether the operation's effect is in the store (applied now or before).
     */
    public static boolean isApplied(final int status)
    {
        return status == OK || status == DUPLICATE;
    }
}
