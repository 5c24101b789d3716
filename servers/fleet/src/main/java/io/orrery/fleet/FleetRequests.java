/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.fleet;

import io.orrery.core.atlas.ServerFleetControl;
import org.agrona.BufferUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Dynamic meshing's {@link ServerFleetControl} on a {@link Fleet}: Atlas's requests, made on the Replicant's thread,
 * are only recorded (a many-to-one ring buffer, no allocation, no lock) with the time of the decision; the fleet's
 * thread applies them in {@link #drain(Fleet)} (a {@link FleetAgent} built with this object does so each duty cycle):
 * a start request becomes {@link Fleet#start(int)} (a repeated request for a member that is up is answered
 * {@link Fleet#ALREADY_MEMBER} without a call), a retirement {@link Fleet#stop(int, Fleet.StopMode)} with
 * {@link Fleet.StopMode#GRACEFUL} ({@link Fleet#NOT_MEMBER} for a server the fleet does not hold, e.g. one started
 * outside it).
 * <p>
 * A request is one message: the type ({@link #START} or {@link #RETIRE}) in the ring's header, then
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                           server id                           |
 *  +---------------------------------------------------------------+
 *  |                 decision time (the clock, ns)                 |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 * </pre>
 * A request that does not fit (the ring full: the fleet's thread stopped draining) is dropped and counted
 * ({@link #dropped()}); Atlas asks again for a server it still wants.
 * <p>
 * Threading: {@link #startServer} and {@link #retireServer} from any thread; everything else on the fleet's thread.
 */
public final class FleetRequests implements ServerFleetControl
{
    /**
     * Message type of a start request.
     */
    public static final int START = 1;
    /**
     * Message type of a retirement.
     */
    public static final int RETIRE = 2;
    /**
     * Capacity of the ring in bytes (a power of two), room for a few hundred requests.
     */
    public static final int CAPACITY_DEFAULT = 16 * 1024;

    private static final int SERVER_ID_OFFSET = 0;
    private static final int DECISION_NS_OFFSET = SERVER_ID_OFFSET + Integer.BYTES;
    private static final int LENGTH = DECISION_NS_OFFSET + Long.BYTES;

    /**
     * What became of each request, on the fleet's thread.
     */
    @FunctionalInterface
    public interface Listener
    {
        /**
         * A request was applied to the fleet.
         *
         * @param serverId   the server.
         * @param type       {@link #START} or {@link #RETIRE}.
         * @param decisionNs when the mesh decided (the clock given to the constructor).
         * @param result     the fleet's result code ({@link Fleet#OK}, {@link Fleet#ALREADY_MEMBER} for a start
         *                   repeated while the member is up, ...).
         */
        void onRequest(int serverId, int type, long decisionNs, int result);
    }

    private final ManyToOneRingBuffer ring;
    private final NanoClock clock;
    private final Listener listener;
    private final AtomicLong dropped = new AtomicLong();
    private final Long2LongHashMap startDecisionNs = new Long2LongHashMap(Long.MIN_VALUE);
    private final MessageHandler handler = this::onMessage;
    private Fleet fleet;
    private long starts;
    private long retirements;

    /**
     * @param clock    the clock of decisions (the fleet's, so that {@link #startDecisionNs(int)} and
     *                 {@link FleetMember#runningNs()} compare).
     * @param listener told what became of each request, or null.
     */
    public FleetRequests(final NanoClock clock, final Listener listener)
    {
        this(clock, listener, CAPACITY_DEFAULT);
    }

    /**
     * @param clock    the clock of decisions.
     * @param listener told what became of each request, or null.
     * @param capacity bytes of the ring, a power of two.
     */
    public FleetRequests(final NanoClock clock, final Listener listener, final int capacity)
    {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.listener = listener;
        ring = new ManyToOneRingBuffer(new UnsafeBuffer(
            BufferUtil.allocateDirectAligned(capacity + RingBufferDescriptor.TRAILER_LENGTH, 64)));
    }

    @Override
    public void startServer(final int serverId)
    {
        record(START, serverId);
    }

    @Override
    public void retireServer(final int serverId)
    {
        record(RETIRE, serverId);
    }

    /**
     * Apply the requests recorded since the last call.
     *
     * @param fleet the fleet (on its thread).
     * @return the requests applied.
     */
    public int drain(final Fleet fleet)
    {
        this.fleet = fleet;
        try
        {
            // a read stops at the end of the ring's buffer: a second one takes what wrapped around
            final int applied = ring.read(handler);
            return applied + ring.read(handler);
        }
        finally
        {
            this.fleet = null;
        }
    }

    /**
     * @param serverId a server.
     * @return when the mesh decided the start that the fleet acted on last for that server (the clock's ns), or
     * {@link Long#MIN_VALUE} if it never asked for it.
     */
    public long startDecisionNs(final int serverId)
    {
        return startDecisionNs.get(serverId);
    }

    /**
     * @return start requests received (repeats included).
     */
    public long starts()
    {
        return starts;
    }

    /**
     * @return retirements received.
     */
    public long retirements()
    {
        return retirements;
    }

    /**
     * @return requests dropped because the ring was full (any thread).
     */
    public long dropped()
    {
        return dropped.get();
    }

    private void record(final int type, final int serverId)
    {
        final int index = ring.tryClaim(type, LENGTH);
        if (index <= 0)
        {
            dropped.incrementAndGet();
            return;
        }
        final MutableDirectBuffer buffer = ring.buffer();
        buffer.putInt(index + SERVER_ID_OFFSET, serverId);
        buffer.putLong(index + DECISION_NS_OFFSET, clock.nanoTime());
        ring.commit(index);
    }

    private void onMessage(final int type, final MutableDirectBuffer buffer, final int index, final int length)
    {
        final int serverId = buffer.getInt(index + SERVER_ID_OFFSET);
        final long decisionNs = buffer.getLong(index + DECISION_NS_OFFSET);
        final int result;
        if (START == type)
        {
            starts++;
            final FleetMember member = fleet.member(serverId);
            if (null != member && !member.state().isTerminal())
            {
                result = Fleet.ALREADY_MEMBER;
            }
            else
            {
                result = fleet.start(serverId);
                if (Fleet.OK == result)
                {
                    startDecisionNs.put(serverId, decisionNs);
                }
            }
        }
        else
        {
            retirements++;
            result = fleet.stop(serverId, Fleet.StopMode.GRACEFUL);
        }
        if (null != listener)
        {
            listener.onRequest(serverId, type, decisionNs, result);
        }
    }
}
