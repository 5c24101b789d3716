/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.link;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One entity's replicated state as a mutable, reusable struct: the single carrier of entity state between the
 * links and what embeds them, instead of parameter lists that carry it field by field. The server link fills one for
 * every entity it hands a game server and reads one for every state a server publishes; a game server keeps one
 * instance and refills it per entity; the client link decodes spawns and updates into one before they reach its
 * {@code ClientEntityView}. Fill it, pass it, refill it: nothing allocates after construction, nothing is boxed.
 * <p>
 * Units: position in millimetres relative to the parent zone ({@link #parentZoneId()}, 0 for the world root),
 * orientation a unit quaternion, velocity in metres per second, radius (the size that scales the streaming bubble)
 * in metres. Which fields a write or an update carries is a mask of {@code io.orrery.wire.EntityFields} bits passed
 * beside the state, not part of it.
 * <pre>{@code
 * final EntityState state = new EntityState(0);  // once; no component state
 * ...
 * state.reset()
 *     .entityId(id).authorityEpoch(epoch)
 *     .position(xMm, yMm, 0)
 *     .velocity(vx, vy, 0)
 *     .lastAppliedInputSequence(lastInput);
 * link.appendState(state, EntityFields.POSITION | EntityFields.VELOCITY | EntityFields.LAST_APPLIED_INPUT);
 * }</pre>
 * Component state (the game's opaque bytes): the struct owns a buffer of {@link #maxStateBytes()} bytes;
 * {@link #componentState(DirectBuffer, int, int)} copies into it, {@link #componentStateBuffer()} and
 * {@link #componentStateLength()} read it.
 * <p>
 * Threading: not thread safe; owned by one thread. A state handed to a callback is reused after it returns: copy
 * what you keep. Not final only so that a link can give it a name of its own ({@code EntitySnapshot}).
 */
public class EntityState
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
     * @param maxStateBytes largest component state this struct can hold (0: none).
     */
    public EntityState(final int maxStateBytes)
    {
        state = new UnsafeBuffer(new byte[Math.max(0, maxStateBytes)]);
    }

    /**
     * Reset every field: zeros, identity orientation, no component state.
     *
     * @return this.
     */
    public EntityState reset()
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

    /**
     * Copy every field of another state, component state included (cut to this struct's {@link #maxStateBytes()}).
     *
     * @return this.
     */
    public EntityState set(final EntityState other)
    {
        entityId = other.entityId;
        archetypeId = other.archetypeId;
        ownerPlayerId = other.ownerPlayerId;
        parentZoneId = other.parentZoneId;
        x = other.x;
        y = other.y;
        z = other.z;
        qx = other.qx;
        qy = other.qy;
        qz = other.qz;
        qw = other.qw;
        vx = other.vx;
        vy = other.vy;
        vz = other.vz;
        radius = other.radius;
        authorityEpoch = other.authorityEpoch;
        lastAppliedInputSequence = other.lastAppliedInputSequence;
        final int length = Math.min(other.stateLength, state.capacity());
        state.putBytes(0, other.state, 0, length);
        stateLength = length;
        return this;
    }

    public long entityId()
    {
        return entityId;
    }

    public EntityState entityId(final long entityId)
    {
        this.entityId = entityId;
        return this;
    }

    /**
     * @return the object container it spawns from ({@code io.orrery.wire.Archetypes} or the game's own ids).
     */
    public int archetypeId()
    {
        return archetypeId;
    }

    public EntityState archetypeId(final int archetypeId)
    {
        this.archetypeId = archetypeId;
        return this;
    }

    /**
     * @return the player that controls it, or 0.
     */
    public long ownerPlayerId()
    {
        return ownerPlayerId;
    }

    public EntityState ownerPlayerId(final long ownerPlayerId)
    {
        this.ownerPlayerId = ownerPlayerId;
        return this;
    }

    /**
     * @return the zone whose frame the position is in (0: the world root).
     */
    public long parentZoneId()
    {
        return parentZoneId;
    }

    public EntityState parentZoneId(final long parentZoneId)
    {
        this.parentZoneId = parentZoneId;
        return this;
    }

    /**
     * Set the position in millimetres relative to the parent zone.
     *
     * @return this.
     */
    public EntityState position(final long x, final long y, final long z)
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

    /**
     * Set the orientation, a unit quaternion.
     *
     * @return this.
     */
    public EntityState orientation(final float qx, final float qy, final float qz, final float qw)
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
     *
     * @return this.
     */
    public EntityState velocity(final float vx, final float vy, final float vz)
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

    /**
     * @return the bounding radius in metres.
     */
    public float radius()
    {
        return radius;
    }

    public EntityState radius(final float radius)
    {
        this.radius = radius;
        return this;
    }

    /**
     * @return the epoch of the authority that wrote (or is to write) this state.
     */
    public long authorityEpoch()
    {
        return authorityEpoch;
    }

    public EntityState authorityEpoch(final long authorityEpoch)
    {
        this.authorityEpoch = authorityEpoch;
        return this;
    }

    /**
     * @return the last input sequence the authority processed for it (echoed to the owning client).
     */
    public long lastAppliedInputSequence()
    {
        return lastAppliedInputSequence;
    }

    public EntityState lastAppliedInputSequence(final long lastAppliedInputSequence)
    {
        this.lastAppliedInputSequence = lastAppliedInputSequence;
        return this;
    }

    /**
     * Copy component state in; state longer than {@link #maxStateBytes()} is refused.
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

    public int componentStateLength()
    {
        return stateLength;
    }

    /**
     * For decoders: the buffer to write component state into directly (then set {@link #componentStateLength(int)}).
     *
     * @return the component state buffer.
     */
    public MutableDirectBuffer mutableComponentStateBuffer()
    {
        return state;
    }

    /**
     * For decoders: the length of what was written into {@link #mutableComponentStateBuffer()}.
     *
     * @return this.
     */
    public EntityState componentStateLength(final int length)
    {
        if (length < 0 || length > state.capacity())
        {
            throw new IllegalArgumentException("component state length " + length + " outside [0, " +
                state.capacity() + "]");
        }
        stateLength = length;
        return this;
    }

    public int maxStateBytes()
    {
        return state.capacity();
    }

    @Override
    public String toString()
    {
        return getClass().getSimpleName() + "{entityId=" + entityId + ", archetypeId=" + archetypeId +
            ", parentZoneId=" + parentZoneId + ", position=(" + x + ", " + y + ", " + z + "), epoch=" +
            authorityEpoch + ", lastAppliedInputSequence=" + lastAppliedInputSequence + '}';
    }
}
