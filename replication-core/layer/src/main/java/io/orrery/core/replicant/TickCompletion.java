/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant;

import java.util.Arrays;

/**
 * When the state game servers sent is complete enough to stream: tracks the {@code ServerTickEnd} markers of the
 * servers that send them, so the Replicant streams each round of server ticks in the duty cycle the last of them
 * arrives instead of at an independent layer tick.
 * <p>
 * A <em>round</em> starts with the first marker after the previous streaming pass ({@link #onPass()}). The round is
 * {@link #READY} when every <em>live</em> server (one whose last marker is at most the stale interval old) has ended
 * a tick in it, or once the bounded wait has passed since the round started, so a slow, paused or dead server cannot
 * stall clients for longer than that wait; and passes are at least a minimum interval apart (half a layer tick), so a
 * layer that fell behind streams the rounds it catches up on together. While no server is live the Replicant keeps
 * its own tick timer ({@link #BY_TIMER}): the scripted authority, a shard without servers, servers that send no
 * markers.
 * <pre>
 *   server A:  ..batches..|end            ..batches..|end
 *   server B:     ..batches..|end            ..batches..|end
 *   layer:                    ^ pass (B's end completes the round, or the wait bound after A's end)
 * </pre>
 * Also remembers when the first server state of the round arrived ({@link #firstStateInNs()}), the start of the
 * layer's residence of that state.
 * <p>
 * Threading: the thread that polls the server ingress and runs the Replicant's passes (one thread). Allocates only
 * when a server sends its first marker.
 */
public final class TickCompletion
{
    /**
     * No live server sends markers: stream on the layer's own tick timer.
     */
    public static final int BY_TIMER = 0;
    /**
     * Markers drive the passes, and the current round is not complete yet.
     */
    public static final int WAITING = 1;
    /**
     * The round is complete (or its wait bound passed): stream now.
     */
    public static final int READY = 2;
    /**
     * No time recorded.
     */
    public static final long NONE = Long.MIN_VALUE;

    private final long waitNs;
    private final long staleNs;
    private final long minPassIntervalNs;
    private long lastPassNs = NONE;
    private int[] serverIds = new int[8];
    private long[] lastEndNs = new long[8];
    private boolean[] ended = new boolean[8];
    private int count;
    private long roundStartNs = NONE;
    private long firstStateInNs = NONE;
    private long markers;
    private long roundsCompleted;
    private long roundsTimedOut;

    /**
     * @param waitNs          longest wait, from the first marker of a round, for the other live servers' markers.
     * @param staleNs         a server whose last marker is older than this is not waited for.
     * @param minPassIntervalNs shortest time between two passes: a layer that fell behind streams the rounds it
     *                        catches up on together instead of one expensive pass per round.
     */
    public TickCompletion(final long waitNs, final long staleNs, final long minPassIntervalNs)
    {
        if (waitNs < 0 || staleNs <= 0 || minPassIntervalNs < 0)
        {
            throw new IllegalArgumentException("waitNs and minPassIntervalNs must be >= 0 and staleNs > 0: " +
                waitNs + ", " + staleNs + ", " + minPassIntervalNs);
        }
        this.waitNs = waitNs;
        this.staleNs = staleNs;
        this.minPassIntervalNs = minPassIntervalNs;
    }

    /**
     * Server state (a state batch) was read: the first one of a round starts the residence clock.
     */
    public void onStateIn(final long nowNs)
    {
        if (NONE == firstStateInNs)
        {
            firstStateInNs = nowNs;
        }
    }

    /**
     * A server ended a tick: everything it sent for that tick has been read (same stream, in order).
     */
    public void onTickEnd(final int serverId, final long nowNs)
    {
        int index = indexOf(serverId);
        if (index < 0)
        {
            index = add(serverId);
        }
        lastEndNs[index] = nowNs;
        ended[index] = true;
        markers++;
        if (NONE == roundStartNs)
        {
            roundStartNs = nowNs;
        }
    }

    /**
     * @return {@link #BY_TIMER}, {@link #WAITING} or {@link #READY}.
     */
    public int readiness(final long nowNs)
    {
        boolean anyLive = false;
        boolean allEnded = true;
        for (int i = 0; i < count; i++)
        {
            if (nowNs - lastEndNs[i] <= staleNs)
            {
                anyLive = true;
                allEnded &= ended[i];
            }
        }
        if (!anyLive)
        {
            return BY_TIMER;
        }
        if (NONE == roundStartNs || (NONE != lastPassNs && nowNs - lastPassNs < minPassIntervalNs))
        {
            return WAITING;
        }
        return allEnded || nowNs - roundStartNs >= waitNs ? READY : WAITING;
    }

    /**
     * The Replicant streamed: the next round starts with the next marker.
     */
    public void onPass(final long nowNs)
    {
        if (NONE != roundStartNs)
        {
            if (nowNs - roundStartNs >= waitNs && READY != readinessOfEnded(nowNs))
            {
                roundsTimedOut++;
            }
            else
            {
                roundsCompleted++;
            }
        }
        for (int i = 0; i < count; i++)
        {
            ended[i] = false;
        }
        roundStartNs = NONE;
        firstStateInNs = NONE;
        lastPassNs = nowNs;
    }

    /**
     * @return when the first server state not yet streamed was read, or {@link #NONE}.
     */
    public long firstStateInNs()
    {
        return firstStateInNs;
    }

    /**
     * @return markers received.
     */
    public long markers()
    {
        return markers;
    }

    /**
     * @return rounds streamed with every live server's marker in.
     */
    public long roundsCompleted()
    {
        return roundsCompleted;
    }

    /**
     * @return rounds streamed because the wait bound passed before every live server's marker was in.
     */
    public long roundsTimedOut()
    {
        return roundsTimedOut;
    }

    private int readinessOfEnded(final long nowNs)
    {
        for (int i = 0; i < count; i++)
        {
            if (nowNs - lastEndNs[i] <= staleNs && !ended[i])
            {
                return WAITING;
            }
        }
        return READY;
    }

    private int indexOf(final int serverId)
    {
        for (int i = 0; i < count; i++)
        {
            if (serverIds[i] == serverId)
            {
                return i;
            }
        }
        return -1;
    }

    private int add(final int serverId)
    {
        if (count == serverIds.length)
        {
            final int length = 2 * count;
            serverIds = Arrays.copyOf(serverIds, length);
            lastEndNs = Arrays.copyOf(lastEndNs, length);
            ended = Arrays.copyOf(ended, length);
        }
        serverIds[count] = serverId;
        return count++;
    }
}
