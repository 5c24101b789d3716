/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

/**
 * Liveness of game servers as the mesh sees it; {@link Atlas} judges it. A server is heard from by any
 * authenticated message ({@link ServerConnection#lastHeartbeatNs}, kept by the ingress); before each of Atlas's ticks
 * the mesh tells Atlas, for every live session, when it was last heard from and whether it has spoken since its
 * welcome, and gives the floor from which silence counts: when two polls of server ingress are more than a quarter of
 * the heartbeat timeout apart (the whole process was paused or starved, game servers with it), silence is measured
 * from the later poll; and whether the last poll read everything (heartbeats may be queued unread otherwise, so Atlas
 * presumes nobody silent). A session whose egress failed (marked broken) is reported failed once per duty cycle.
 * <p>
 * The layer's side: every welcomed server is sent a {@code ServerHeartbeat} each heartbeat interval (a fifth of the
 * timeout, as announced in the welcome), so a server link tells a dead or restarted layer from a quiet one.
 * <p>
 * Threading: Replicant thread only. No allocation.
 */
final class ServerLiveness
{
    private final ServerConnection[] connections;
    private final ServerEgressProxy proxy;
    private final AtlasCommandHandler atlas;
    private final long heartbeatTimeoutNs;
    private final long heartbeatIntervalNs;
    private boolean ingressCaughtUp = true;
    private boolean polled;
    private long lastPollNs;
    private long resumedNs;

    ServerLiveness(
        final ServerConnection[] connections,
        final ServerEgressProxy proxy,
        final AtlasCommandHandler atlas,
        final long heartbeatTimeoutNs,
        final long heartbeatIntervalNs)
    {
        this.connections = connections;
        this.proxy = proxy;
        this.atlas = atlas;
        this.heartbeatTimeoutNs = heartbeatTimeoutNs;
        this.heartbeatIntervalNs = heartbeatIntervalNs;
    }

    /**
     * Server ingress was polled now: a poll long after the previous one means the layer was paused.
     *
     * @param caughtUp whether the poll read everything there was.
     */
    void onPoll(final long nowNs, final boolean caughtUp)
    {
        if (!polled || nowNs - lastPollNs > heartbeatTimeoutNs >> 2)
        {
            polled = true;
            resumedNs = nowNs;
        }
        lastPollNs = nowNs;
        ingressCaughtUp = caughtUp;
    }

    /**
     * Tell Atlas how every live session is heard, then run its timer.
     *
     * @return sessions reported.
     */
    int onTick(final long nowNs, final long tick)
    {
        int work = 0;
        for (final ServerConnection connection : connections)
        {
            if (connection.isActive())
            {
                atlas.onServerSeen(
                    connection.index, connection.serverSessionId, connection.lastHeartbeatNs, connection.bound);
                work++;
            }
        }
        atlas.onTick(nowNs, tick, resumedNs, ingressCaughtUp);
        return work;
    }

    /**
     * The layer's side of liveness: every welcomed server hears from the layer at least every heartbeat interval, so
     * a server link detects a dead layer by silence instead of waiting for the media driver to time the layer's Aeron
     * client out (10 s by default).
     *
     * @return heartbeats sent.
     */
    int sendHeartbeats(final long nowNs)
    {
        int work = 0;
        for (final ServerConnection connection : connections)
        {
            if (connection.isActive() && nowNs - connection.lastHeartbeatSentNs >= heartbeatIntervalNs)
            {
                connection.lastHeartbeatSentNs = nowNs;
                proxy.heartbeat(connection, nowNs);
                work++;
            }
        }
        return work;
    }

    /**
     * Report sessions whose control stream failed to Atlas, which fails them over.
     *
     * @return sessions reported.
     */
    int reportBroken(final long nowNs)
    {
        int work = 0;
        for (final ServerConnection connection : connections)
        {
            if (connection.broken)
            {
                connection.broken = false;
                if (connection.isActive())
                {
                    atlas.onServerFailed(nowNs, connection.index, connection.serverSessionId);
                    work++;
                }
            }
        }
        return work;
    }
}
