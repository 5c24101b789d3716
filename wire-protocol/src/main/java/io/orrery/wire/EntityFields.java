/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.wire;

/**
 * The fields of an entity's replicated state, as bits of a change mask: the choices of the SBE {@code fieldMask} set
 * (bit n is choice n), used alike by the server link ({@code EntityStateBatch.changed}), the Replication Layer's
 * cache and interest engine, the client link ({@code EntityUpdateBatch.changed}, compact updates) and game servers.
 * This is the one definition; every other name for these bits is an alias of it.
 * <pre>
 *   bit  value  field
 *    0      1   position            (parent zone frame, millimetres)
 *    1      2   velocity            (metres per second)
 *    2      4   orientation         (unit quaternion)
 *    3      8   size                (bounding radius, metres)
 *    4     16   parentZone          (zone id; a change re-bases the position)
 *    5     32   componentState      (opaque bytes of the game)
 *    6     64   lastAppliedInput    (input sequence echoed to the owning client)
 *    7    128   authorityEpoch      (epoch of the writing server)
 * </pre>
 * Threading: constants only.
 */
public final class EntityFields
{
    public static final int POSITION = 1;
    public static final int VELOCITY = 1 << 1;
    public static final int ORIENTATION = 1 << 2;
    public static final int SIZE = 1 << 3;
    public static final int PARENT_ZONE = 1 << 4;
    public static final int COMPONENT_STATE = 1 << 5;
    public static final int LAST_APPLIED_INPUT = 1 << 6;
    public static final int AUTHORITY_EPOCH = 1 << 7;

    /**
     * Every field bit.
     */
    public static final int ALL = POSITION | VELOCITY | ORIENTATION | SIZE | PARENT_ZONE | COMPONENT_STATE |
        LAST_APPLIED_INPUT | AUTHORITY_EPOCH;

    /**
     * Number of fields (bits of {@link #ALL}).
     */
    public static final int COUNT = 8;

    private EntityFields()
    {
    }

    /**
     * @return whether a mask holds every bit of {@code fields}.
     */
    public static boolean containsAll(final int mask, final int fields)
    {
        return (mask & fields) == fields;
    }

    /**
     * @return whether a mask holds any bit of {@code fields}.
     */
    public static boolean containsAny(final int mask, final int fields)
    {
        return 0 != (mask & fields);
    }
}
