/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.orrery.wire.codec.RevokeReason;

/**
 * Liveness of game servers, both ways. A server is alive while it is heard from: {@code LoadReport} and
 * {@code ServerHeartbeat} (and any authenticated message) refresh {@link ServerConnection#lastHeartbeatNs}; one
 * silent for the heartbeat timeout, or whose control stream failed (marked broken), is handed to
 * {@link Atlas#declareDead} for failover. The layer's side: every welcomed server is sent a {@code ServerHeartbeat}
 * each heartbeat interval (a fifth of the timeout, as announced in the welcome).
 * <p>
 * Silence counts only while the layer itself runs: when two polls of server ingress are more than a quarter of the
 * heartbeat timeout apart (the whole process was paused or starved, game servers with it), silence is measured from
 * the later poll; and a poll that hit its fragment limit (ingress not caught up) presumes nobody silent, because
 * heartbeats may be queued unread.
 * <p>
 * A session just welcomed and not yet heard from ({@code ServerConnection.bound} false) is judged against the longer
 * welcome timeout (at least the heartbeat timeout): before the server can answer, its Aeron client must see the new
 * response image and its link take the welcome, which on a loaded machine (a restarted layer with every player
 * resuming at once) takes longer than the heartbeat timeout; declaring it dead then would fail over a session the
 * server is about to use, and its next hello would meet the same fate (issue 14).
 * <p>
 * Threading: Atlas's thread only. No allocation.
 */
final class ServerLiveness
{
    private final Atlas atlas;
    private final ServerConnection[] connections;
    private final ServerEgressProxy proxy;
    private final long heartbeatTimeoutNs;
    private final long heartbeatIntervalNs;
    private long welcomeTimeoutNs;
    private boolean ingressCaughtUp = true;
    private boolean polled;
    private long lastPollNs;
    private long resumedNs;

    ServerLiveness(
        final Atlas atlas,
        final ServerConnection[] connections,
        final ServerEgressProxy proxy,
        final long heartbeatTimeoutNs,
        final long heartbeatIntervalNs)
    {
        this.atlas = atlas;
        this.connections = connections;
        this.proxy = proxy;
        this.heartbeatTimeoutNs = heartbeatTimeoutNs;
        this.heartbeatIntervalNs = heartbeatIntervalNs;
        this.welcomeTimeoutNs = heartbeatTimeoutNs;
    }

    /**
     * How long a welcomed session may stay silent before the server's first message (never below the heartbeat
     * timeout).
     */
    void welcomeTimeoutNs(final long welcomeTimeoutNs)
    {
        this.welcomeTimeoutNs = Math.max(heartbeatTimeoutNs, welcomeTimeoutNs);
    }

    /**
     * Server ingress is polled now: a poll long after the previous one means the layer was paused.
     */
    void onPoll(final long nowNs)
    {
        if (!polled || nowNs - lastPollNs > heartbeatTimeoutNs >> 2)
        {
            polled = true;
            resumedNs = nowNs;
        }
        lastPollNs = nowNs;
    }

    /**
     * Whether the last poll of server ingress read everything there was. Only then is a silent server presumed dead:
     * when the layer itself falls behind (a starved machine), heartbeats queued in ingress are not silence.
     */
    void ingressCaughtUp(final boolean caughtUp)
    {
        this.ingressCaughtUp = caughtUp;
    }

    void onHeartbeat(final ServerConnection sender, final long nowNs, final int entityCount, final float cpuLoad)
    {
        sender.lastHeartbeatNs = nowNs;
        if (entityCount >= 0)
        {
            sender.reportedEntityCount = entityCount;
            sender.reportedCpuLoad = cpuLoad;
        }
    }

    /**
     * Declare servers silent for longer than the heartbeat timeout (the welcome timeout before their first message)
     * dead.
     *
     * @return servers declared dead.
     */
    int checkSilence(final long nowNs)
    {
        if (!ingressCaughtUp)
        {
            return 0;
        }
        int work = 0;
        for (final ServerConnection connection : connections)
        {
            final long heardNs = connection.lastHeartbeatNs;
            final long silentSinceNs = heardNs - resumedNs > 0 ? heardNs : resumedNs;
            final long timeoutNs = connection.bound ? heartbeatTimeoutNs : welcomeTimeoutNs;
            if (connection.isActive() && nowNs - silentSinceNs > timeoutNs)
            {
                atlas.declareDead(connection, RevokeReason.serverTimeout);
                work++;
            }
        }
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
     * Declare connections whose control stream failed dead. Called at the end of each duty cycle.
     *
     * @return servers declared dead.
     */
    int reapBroken()
    {
        int work = 0;
        for (final ServerConnection connection : connections)
        {
            if (connection.broken)
            {
                connection.broken = false;
                atlas.declareDead(connection, RevokeReason.serverTimeout);
                work++;
            }
        }
        return work;
    }
}
