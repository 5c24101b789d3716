/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

/**
 * The last inputs of one player entity, in sequence order (the Gateway only passes increasing sequences), with the
 * highest sequence delivered to the entity's current authority. Atlas forwards live input through it, buffers input
 * during a handoff or while the entity has no authority, and replays what the new authority has not applied after a
 * handoff commit or a failover: every input with a sequence above the baseline, once, because
 * {@link #lastDelivered} only grows for one authority epoch.
 * <p>
 * Threading: Replicant thread only. Pre-allocated: zero allocation per input.
 */
final class InputRing
{
    final long[] sequence;
    final long[] clientTimestampNs;
    final long[] receivedTimeNs;
    final float[] moveX;
    final float[] moveY;
    final float[] moveZ;
    final float[] aimYaw;
    final float[] aimPitch;
    final int[] actions;
    final int capacity;
    long entityId;
    long playerId;
    int head;
    int count;
    long lastDelivered;
    long maxOverwritten;
    boolean awaitingDelivery;

    InputRing(final int capacity)
    {
        this.capacity = capacity;
        sequence = new long[capacity];
        clientTimestampNs = new long[capacity];
        receivedTimeNs = new long[capacity];
        moveX = new float[capacity];
        moveY = new float[capacity];
        moveZ = new float[capacity];
        aimYaw = new float[capacity];
        aimPitch = new float[capacity];
        actions = new int[capacity];
    }

    void reset(final long entityId, final long playerId)
    {
        this.entityId = entityId;
        this.playerId = playerId;
        head = 0;
        count = 0;
        lastDelivered = 0;
        maxOverwritten = 0;
        awaitingDelivery = false;
    }

    /**
     * Record an input.
     *
     * @return true if an input not yet delivered was overwritten (lost).
     */
    boolean add(
        final long seq, final long clientTsNs, final long receivedNs, final float mx, final float my, final float mz,
        final float yaw, final float pitch, final int actionBits)
    {
        boolean lost = false;
        final int index;
        if (count == capacity)
        {
            index = head;
            final long old = sequence[index];
            lost = old > lastDelivered;
            maxOverwritten = Math.max(maxOverwritten, old);
            head = (head + 1) % capacity;
        }
        else
        {
            index = (head + count) % capacity;
            count++;
        }
        sequence[index] = seq;
        clientTimestampNs[index] = clientTsNs;
        receivedTimeNs[index] = receivedNs;
        moveX[index] = mx;
        moveY[index] = my;
        moveZ[index] = mz;
        aimYaw[index] = yaw;
        aimPitch[index] = pitch;
        actions[index] = actionBits;
        return lost;
    }

    /**
     * @param i 0 for the oldest retained input.
     * @return the ring index of the i-th oldest input.
     */
    int indexOf(final int i)
    {
        return (head + i) % capacity;
    }
}
