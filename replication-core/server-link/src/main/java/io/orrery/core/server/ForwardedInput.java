/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.server;

/**
 * One player input the Replication Layer forwarded to this server ({@code ForwardedInput}), as a reusable struct the
 * link refills for every message and hands to {@link ServerListener#onForwardedInput}: read what you need inside the
 * callback, keep nothing.
 * <pre>{@code
 * public void onForwardedInput(final ServerLink link, final ForwardedInput input)
 * {
 *     world.onPlayerInput(input.entityId(), input.inputSequence(), input.moveX(), input.moveY(), input.moveZ(),
 *         input.aimYaw(), input.actions());
 * }
 * }</pre>
 * Threading: owned by the thread running the link; not thread safe.
 */
public final class ForwardedInput
{
    private long entityId;
    private long playerId;
    private long authorityEpoch;
    private long inputSequence;
    private long clientTimestampNs;
    private long receivedTimeNs;
    private float moveX;
    private float moveY;
    private float moveZ;
    private float aimYaw;
    private float aimPitch;
    private int actions;

    ForwardedInput set(
        final long entityId,
        final long playerId,
        final long authorityEpoch,
        final long inputSequence,
        final long clientTimestampNs,
        final long receivedTimeNs)
    {
        this.entityId = entityId;
        this.playerId = playerId;
        this.authorityEpoch = authorityEpoch;
        this.inputSequence = inputSequence;
        this.clientTimestampNs = clientTimestampNs;
        this.receivedTimeNs = receivedTimeNs;
        return this;
    }

    ForwardedInput move(final float moveX, final float moveY, final float moveZ)
    {
        this.moveX = moveX;
        this.moveY = moveY;
        this.moveZ = moveZ;
        return this;
    }

    ForwardedInput aim(final float aimYaw, final float aimPitch, final int actions)
    {
        this.aimYaw = aimYaw;
        this.aimPitch = aimPitch;
        this.actions = actions;
        return this;
    }

    /**
     * @return the entity the input moves (the player's own).
     */
    public long entityId()
    {
        return entityId;
    }

    public long playerId()
    {
        return playerId;
    }

    /**
     * @return the authority epoch the layer routed the input under.
     */
    public long authorityEpoch()
    {
        return authorityEpoch;
    }

    /**
     * @return the client's sequence, increasing per player; echo the last one processed in the entity's state.
     */
    public long inputSequence()
    {
        return inputSequence;
    }

    public long clientTimestampNs()
    {
        return clientTimestampNs;
    }

    /**
     * @return when the layer received it, on the layer's clock.
     */
    public long receivedTimeNs()
    {
        return receivedTimeNs;
    }

    /**
     * @return desired movement, x component (the game decides the scale).
     */
    public float moveX()
    {
        return moveX;
    }

    public float moveY()
    {
        return moveY;
    }

    public float moveZ()
    {
        return moveZ;
    }

    public float aimYaw()
    {
        return aimYaw;
    }

    public float aimPitch()
    {
        return aimPitch;
    }

    /**
     * @return the raw {@code actionBits}.
     */
    public int actions()
    {
        return actions;
    }

    @Override
    public String toString()
    {
        return "ForwardedInput{entityId=" + entityId + ", playerId=" + playerId + ", epoch=" + authorityEpoch +
            ", sequence=" + inputSequence + ", move=(" + moveX + ", " + moveY + ", " + moveZ + "), yaw=" + aimYaw +
            ", actions=" + actions + '}';
    }
}
