/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.persistence;

/**
 * Kinds of EntityGraph edge. Codes are stored: never renumber.
 */
public enum EdgeKind
{
    /**
     * Child to its zone; implied by {@link NodeRecord#parentZoneId} and maintained by the adapter.
     */
    IN_ZONE(1),

    /**
     * A container (crate, ship hold) to an entity it holds while unstowed.
     */
    CONTAINS(2),

    /**
     * An entity attached to another (a turret on a ship).
     */
    ATTACHED_TO(3);

    private static final EdgeKind[] BY_CODE = { null, IN_ZONE, CONTAINS, ATTACHED_TO };

    private final int code;

    EdgeKind(final int code)
    {
        this.code = code;
    }

    public int code()
    {
        return code;
    }

    /**
     * @param code stored code.
     * @return the kind, or null for an unknown code.
     */
    public static EdgeKind get(final int code)
    {
        return code > 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
