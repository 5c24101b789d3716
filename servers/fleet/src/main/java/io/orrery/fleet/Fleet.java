/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.fleet;

import java.util.List;

/**
 * The Fleet SPI: starts and stops the game servers of a shard. A start is asynchronous: {@link #start} takes the
 * decision and brings the server up, and the fleet reports it {@link MemberState#RUNNING} on a later duty cycle once
 * the server simulates (its first tick); a stop is graceful (the server ends its simulation and its link leaves the
 * layer, like SIGTERM) or forcible (like SIGKILL: the layer notices by its heartbeat timeout). The fleet keeps a
 * {@link FleetPolicy}: a minimum size (it starts servers to keep it), a maximum (it refuses starts beyond it) and
 * {@link Reservation}s (it keeps servers warm for a region during a planned event; they count toward the maximum).
 * <p>
 * Deterministic: the fleet's time comes from an injected clock (decisions) and the {@code nowNs} of
 * {@link #doWork(long)}, its duty cycle (in the style of an Agrona {@code Agent}; {@link FleetAgent} runs it as one).
 * It has no threads of its own (a child-process implementation pumps each child's output on a thread).
 * <p>
 * Failures are return codes ({@link #OK} or a negative code, named by {@link #resultName(int)}), not exceptions.
 * <p>
 * Threading: not thread safe; call every method, and receive every {@link FleetListener} callback, on one thread
 * (for example the agent that runs the balancer).
 */
public interface Fleet extends AutoCloseable
{
    int OK = 0;
    /**
     * The fleet (with the servers active reservations still miss) is at its maximum.
     */
    int AT_MAXIMUM = -1;
    /**
     * A graceful stop would take the fleet below its minimum.
     */
    int AT_MINIMUM = -2;
    /**
     * The server id is already a member that is not STOPPED or FAILED.
     */
    int ALREADY_MEMBER = -3;
    /**
     * No member with that server id, or it is already STOPPED or FAILED.
     */
    int NOT_MEMBER = -4;
    /**
     * The server could not be brought up at all (its member is FAILED with the reason).
     */
    int LAUNCH_FAILED = -5;
    /**
     * A reservation with that name exists (or, when cancelling, does not exist).
     */
    int RESERVATION_NAME = -6;
    /**
     * With the reservations whose windows overlap it, the reservation would need more servers than the maximum.
     */
    int RESERVATION_EXCEEDS_MAXIMUM = -7;
    /**
     * The fleet is closed.
     */
    int CLOSED = -8;

    /**
     * How to stop a member.
     */
    enum StopMode
    {
        /**
         * The server ends its simulation and its link leaves the layer (a child process: its standard input is
         * closed, SIGTERM-equivalent); escalated to {@link #FORCIBLE} after {@link FleetPolicy#stopGraceNs()}.
         */
        GRACEFUL,
        /**
         * The server is killed at once, saying nothing to the layer (a child process: SIGKILL).
         */
        FORCIBLE
    }

    /**
     * Start a game server with the given id and connection settings.
     *
     * @param serverId   its id in the shard config.
     * @param connection the shard's connection settings.
     * @return {@link #OK} (the member is STARTING), {@link #AT_MAXIMUM}, {@link #ALREADY_MEMBER},
     * {@link #LAUNCH_FAILED} or {@link #CLOSED}.
     */
    int start(int serverId, ShardConnection connection);

    /**
     * Start a game server with the fleet's default connection settings.
     *
     * @see #start(int, ShardConnection)
     */
    int start(int serverId);

    /**
     * Stop a member.
     *
     * @param serverId the member.
     * @param mode     gracefully or forcibly.
     * @return {@link #OK} (the member is STOPPING), {@link #NOT_MEMBER}, or {@link #AT_MINIMUM} for a graceful stop
     * that would take the fleet below its minimum (a forcible stop is always done; the fleet then starts another).
     */
    int stop(int serverId, StopMode mode);

    /**
     * Add a reservation; its servers are started when its window opens.
     *
     * @return {@link #OK}, {@link #RESERVATION_NAME} or {@link #RESERVATION_EXCEEDS_MAXIMUM}.
     */
    int reserve(Reservation reservation);

    /**
     * Remove a reservation; if it is active, it ends now (as at its end time).
     *
     * @return {@link #OK} or {@link #RESERVATION_NAME}.
     */
    int cancelReservation(String name);

    /**
     * The duty cycle: see members start, run and end, enforce the start timeout, escalate slow graceful stops, open
     * and close reservation windows and keep the minimum.
     *
     * @param nowNs the fleet's clock now.
     * @return the work done (state changes and actions), 0 when idle.
     */
    int doWork(long nowNs);

    /**
     * @return the member with that server id (also a STOPPED or FAILED one, until the id starts again), or null.
     */
    FleetMember member(int serverId);

    /**
     * @return every member, including ended ones, in start order (a new list: a control-path call).
     */
    List<FleetMember> members();

    /**
     * @return the reservations not yet ended (a new list).
     */
    List<Reservation> reservations();

    /**
     * @return the members in the given state.
     */
    int count(MemberState state);

    /**
     * @return the policy.
     */
    FleetPolicy policy();

    /**
     * Stop every member (gracefully, forcibly after the stop grace) and release everything. Blocks up to the stop
     * grace.
     */
    @Override
    void close();

    /**
     * @param result a result code of this interface.
     * @return its name.
     */
    static String resultName(final int result)
    {
        switch (result)
        {
            case OK:
                return "OK";
            case AT_MAXIMUM:
                return "AT_MAXIMUM";
            case AT_MINIMUM:
                return "AT_MINIMUM";
            case ALREADY_MEMBER:
                return "ALREADY_MEMBER";
            case NOT_MEMBER:
                return "NOT_MEMBER";
            case LAUNCH_FAILED:
                return "LAUNCH_FAILED";
            case RESERVATION_NAME:
                return "RESERVATION_NAME";
            case RESERVATION_EXCEEDS_MAXIMUM:
                return "RESERVATION_EXCEEDS_MAXIMUM";
            case CLOSED:
                return "CLOSED";
            default:
                return "result " + result;
        }
    }
}
