/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.persistence;

/**
 * A mutable, reusable EntityGraph node: one entity as persisted. Positions are int64 millimetres relative to the
 * parent zone (0 for the root of the world). Component state is an opaque blob of at most
 * {@link #MAX_COMPONENT_STATE_LENGTH} bytes in a buffer owned by the record. {@link #lastAppliedInputSequence} is the
 * last player input its authority applied to the entity (0 for entities nobody steers, and for records stored before
 * the field existed): restored with the entity, so an input applied before a restart is not applied again after it.
 */
public final class NodeRecord
{
    public static final int MAX_COMPONENT_STATE_LENGTH = 1024;

    public long entityId;
    public int archetypeId;
    public long parentZoneId;
    public long ownerPlayerId;
    public boolean isZone;
    public long x;
    public long y;
    public long z;
    public float qx;
    public float qy;
    public float qz;
    public float qw = 1.0f;
    public float radius;
    public long lastAppliedInputSequence;
    public final byte[] componentState = new byte[MAX_COMPONENT_STATE_LENGTH];
    public int componentStateLength;

    public NodeRecord copyFrom(final NodeRecord other)
    {
        entityId = other.entityId;
        archetypeId = other.archetypeId;
        parentZoneId = other.parentZoneId;
        ownerPlayerId = other.ownerPlayerId;
        isZone = other.isZone;
        x = other.x;
        y = other.y;
        z = other.z;
        qx = other.qx;
        qy = other.qy;
        qz = other.qz;
        qw = other.qw;
        radius = other.radius;
        lastAppliedInputSequence = other.lastAppliedInputSequence;
        System.arraycopy(other.componentState, 0, componentState, 0, other.componentStateLength);
        componentStateLength = other.componentStateLength;
        return this;
    }

    public NodeRecord reset()
    {
        entityId = 0;
        archetypeId = 0;
        parentZoneId = 0;
        ownerPlayerId = 0;
        isZone = false;
        x = 0;
        y = 0;
        z = 0;
        qx = 0;
        qy = 0;
        qz = 0;
        qw = 1.0f;
        radius = 0;
        lastAppliedInputSequence = 0;
        componentStateLength = 0;
        return this;
    }

    /**
     * Field-by-field equality of the persisted content (tests).
     */
    public boolean contentEquals(final NodeRecord o)
    {
        if (entityId != o.entityId || archetypeId != o.archetypeId || parentZoneId != o.parentZoneId ||
            ownerPlayerId != o.ownerPlayerId || isZone != o.isZone || x != o.x || y != o.y || z != o.z ||
            qx != o.qx || qy != o.qy || qz != o.qz || qw != o.qw || radius != o.radius ||
            lastAppliedInputSequence != o.lastAppliedInputSequence || componentStateLength != o.componentStateLength)
        {
            return false;
        }

        for (int i = 0; i < componentStateLength; i++)
        {
            if (componentState[i] != o.componentState[i])
            {
                return false;
            }
        }

        return true;
    }

    @Override
    public String toString()
    {
        return "NodeRecord{id=" + entityId + ", archetype=" + archetypeId + ", zone=" + parentZoneId +
            ", owner=" + ownerPlayerId + ", isZone=" + isZone + ", pos=(" + x + "," + y + "," + z + ")" +
            ", radius=" + radius + ", lastApplied=" + lastAppliedInputSequence + ", state=" + componentStateLength +
            "B}";
    }
}
