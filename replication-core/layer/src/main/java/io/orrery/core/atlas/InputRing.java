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
 * The claim ({@link #claimSessionId}, {@link #claimedSequence}) is what a server session is known to have been
 * given: a server that rejoins (its new session replaces the old one) gets its entities streamed in again with a
 * baseline of at least its old session's claim, so it never applies twice an input it was forwarded before it
 * rejoined, even when the cache's last applied input lags behind (written back at its next tick only).
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
    /**
     * The claim: the server session ({@code serverSessionId}) that has every input up to {@link #claimedSequence},
     * given to it in a stream-in baseline or forwarded to it while its link could not have given the session up.
     */
    long claimSessionId;
    long claimedSequence;
    /**
     * The first input forwarded to the claim's session after a gap in the layer's egress to it (its link may have
     * given the session up and dropped it), 0 if none: not claimed until the server confirms it.
     */
    long unclaimedFrom;

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
        claimSessionId = 0;
        claimedSequence = 0;
        unclaimedFrom = 0;
    }

    /**
     * The input with this sequence was offered to a server session.
     *
     * @param sessionId      the session's {@code serverSessionId}.
     * @param claimSuspended whether the session's link may have given it up (then the input is not claimed).
     */
    void onForwarded(final long sessionId, final long sequence, final boolean claimSuspended)
    {
        lastDelivered = sequence;
        if (sessionId != claimSessionId)
        {
            claimSessionId = sessionId;
            claimedSequence = 0;
            unclaimedFrom = 0;
        }
        if (claimSuspended)
        {
            if (0 == unclaimedFrom)
            {
                unclaimedFrom = sequence;
            }
        }
        else if (sequence > claimedSequence)
        {
            claimedSequence = sequence;
        }
    }

    /**
     * A server session takes the entity with every input up to {@code baseline}: it is the claim from now on.
     */
    void claim(final long sessionId, final long baseline)
    {
        claimSessionId = sessionId;
        claimedSequence = baseline;
        unclaimedFrom = 0;
        lastDelivered = baseline;
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
