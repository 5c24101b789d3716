/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.server;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A reusable, mutable record of one entity's full state: what the link hands to a game server
 * ({@link ServerListener#onEntityStreamIn}, {@link ServerListener#onClientView}) and what a server fills to hand an
 * entity back ({@link ServerLink#releaseEntity(EntitySnapshot)}). Positions are millimetres relative to the parent
 * zone, velocity metres per second, radius metres.
 * <p>
 * Component state: the snapshot owns a buffer of {@link #maxStateBytes()}; {@link #componentState(DirectBuffer, int,
 * int)} copies into it, {@link #componentStateBuffer()} / {@link #componentStateLength()} read it.
 * <p>
 * Threading: not thread safe. A snapshot passed to a callback is reused by the link after the callback returns.
 */
public final class EntitySnapshot
{
    private final UnsafeBuffer state;
    private long entityId;
    private int archetypeId;
    private long ownerPlayerId;
    private long parentZoneId;
    private long x;
    private long y;
    private long z;
    private float qx;
    private float qy;
    private float qz;
    private float qw = 1;
    private float vx;
    private float vy;
    private float vz;
    private float radius;
    private long authorityEpoch;
    private long lastAppliedInputSequence;
    private int stateLength;

    /**
     * @param maxStateBytes largest component state this snapshot can hold.
     */
    public EntitySnapshot(final int maxStateBytes)
    {
        state = new UnsafeBuffer(new byte[Math.max(1, maxStateBytes)]);
    }

    public EntitySnapshot()
    {
        this(256);
    }

    /**
     * Reset every field (identity orientation, empty state).
     *
     * @return this.
     */
    public EntitySnapshot reset()
    {
        entityId = 0;
        archetypeId = 0;
        ownerPlayerId = 0;
        parentZoneId = 0;
        x = 0;
        y = 0;
        z = 0;
        qx = 0;
        qy = 0;
        qz = 0;
        qw = 1;
        vx = 0;
        vy = 0;
        vz = 0;
        radius = 0;
        authorityEpoch = 0;
        lastAppliedInputSequence = 0;
        stateLength = 0;
        return this;
    }

    public long entityId()
    {
        return entityId;
    }

    public EntitySnapshot entityId(final long entityId)
    {
        this.entityId = entityId;
        return this;
    }

    public int archetypeId()
    {
        return archetypeId;
    }

    public EntitySnapshot archetypeId(final int archetypeId)
    {
        this.archetypeId = archetypeId;
        return this;
    }

    public long ownerPlayerId()
    {
        return ownerPlayerId;
    }

    public EntitySnapshot ownerPlayerId(final long ownerPlayerId)
    {
        this.ownerPlayerId = ownerPlayerId;
        return this;
    }

    public long parentZoneId()
    {
        return parentZoneId;
    }

    public EntitySnapshot parentZoneId(final long parentZoneId)
    {
        this.parentZoneId = parentZoneId;
        return this;
    }

    /**
     * Set the position in millimetres relative to the parent zone.
     */
    public EntitySnapshot position(final long x, final long y, final long z)
    {
        this.x = x;
        this.y = y;
        this.z = z;
        return this;
    }

    public long x()
    {
        return x;
    }

    public long y()
    {
        return y;
    }

    public long z()
    {
        return z;
    }

    public EntitySnapshot orientation(final float qx, final float qy, final float qz, final float qw)
    {
        this.qx = qx;
        this.qy = qy;
        this.qz = qz;
        this.qw = qw;
        return this;
    }

    public float qx()
    {
        return qx;
    }

    public float qy()
    {
        return qy;
    }

    public float qz()
    {
        return qz;
    }

    public float qw()
    {
        return qw;
    }

    /**
     * Set the velocity in metres per second.
     */
    public EntitySnapshot velocity(final float vx, final float vy, final float vz)
    {
        this.vx = vx;
        this.vy = vy;
        this.vz = vz;
        return this;
    }

    public float vx()
    {
        return vx;
    }

    public float vy()
    {
        return vy;
    }

    public float vz()
    {
        return vz;
    }

    public float radius()
    {
        return radius;
    }

    public EntitySnapshot radius(final float radius)
    {
        this.radius = radius;
        return this;
    }

    public long authorityEpoch()
    {
        return authorityEpoch;
    }

    public EntitySnapshot authorityEpoch(final long authorityEpoch)
    {
        this.authorityEpoch = authorityEpoch;
        return this;
    }

    public long lastAppliedInputSequence()
    {
        return lastAppliedInputSequence;
    }

    public EntitySnapshot lastAppliedInputSequence(final long lastAppliedInputSequence)
    {
        this.lastAppliedInputSequence = lastAppliedInputSequence;
        return this;
    }

    /**
     * Copy component state in; longer state than {@link #maxStateBytes()} is refused.
     *
     * @return true if copied.
     */
    public boolean componentState(final DirectBuffer src, final int offset, final int length)
    {
        if (length < 0 || length > state.capacity())
        {
            return false;
        }
        state.putBytes(0, src, offset, length);
        stateLength = length;
        return true;
    }

    public DirectBuffer componentStateBuffer()
    {
        return state;
    }

    MutableDirectBuffer mutableComponentStateBuffer()
    {
        return state;
    }

    void componentStateLength(final int length)
    {
        stateLength = length;
    }

    public int componentStateLength()
    {
        return stateLength;
    }

    public int maxStateBytes()
    {
        return state.capacity();
    }

    @Override
    public String toString()
    {
        return "EntitySnapshot{entityId=" + entityId + ", archetypeId=" + archetypeId + ", parentZoneId=" +
            parentZoneId + ", position=(" + x + ", " + y + ", " + z + "), epoch=" + authorityEpoch +
            ", lastAppliedInputSequence=" + lastAppliedInputSequence + '}';
    }
}
