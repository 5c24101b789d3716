/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.fleet;

import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.NanoClock;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The bookkeeping every local {@link Fleet} shares: members and their states, the {@link FleetPolicy} (minimum,
 * maximum, start timeout, stop grace, restart delay), reservation windows and the listener. A subclass only brings
 * servers up ({@link #launch}), takes them down ({@link #terminate}) and looks at them ({@link #poll}), reporting
 * what it sees with {@link #reportRunning} and {@link #reportExited}.
 * <p>
 * Designed for extension by implementations that run servers themselves; an implementation on an orchestrator that
 * keeps its own minimum and maximum (Agones, Kubernetes) may implement {@link Fleet} directly instead (see the README).
 * <p>
 * Threading: as {@link Fleet}: one thread. The duty cycle does not allocate while nothing changes (index loops, no
 * iterators); starts, stops and reservations allocate (control path).
 */
public abstract class AbstractFleet implements Fleet
{
    private final FleetPolicy policy;
    private final ShardConnection defaultConnection;
    private final FleetListener listener;
    private final NanoClock clock;
    private final ArrayList<FleetMember> members = new ArrayList<>();
    private final Int2ObjectHashMap<FleetMember> memberById = new Int2ObjectHashMap<>();
    private final ArrayList<Reservation> reservations = new ArrayList<>();
    private final ArrayList<Reservation> activeReservations = new ArrayList<>();
    private boolean closed;

    /**
     * @param policy            the limits, concluded here.
     * @param defaultConnection the settings of servers started by {@link #start(int)}, for the minimum and for
     *                          reservations.
     * @param listener          the callbacks, or null for none.
     * @param clock             the clock of start and stop decisions (the duty cycle gets its time as an argument).
     */
    protected AbstractFleet(
        final FleetPolicy policy,
        final ShardConnection defaultConnection,
        final FleetListener listener,
        final NanoClock clock)
    {
        this.policy = Objects.requireNonNull(policy, "policy").conclude();
        this.defaultConnection = Objects.requireNonNull(defaultConnection, "defaultConnection");
        this.listener = null == listener ? FleetListener.NO_OP : listener;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Bring a member's server up (start its process or thread); do not wait for it to run.
     *
     * @param member the new member, STARTING.
     * @throws Exception if it cannot be started at all (the member is then FAILED).
     */
    protected abstract void launch(FleetMember member) throws Exception;

    /**
     * Take a member's server down; do not wait for it to be gone (report that from {@link #poll}). May be called a
     * second time with {@link StopMode#FORCIBLE} after a graceful stop.
     */
    protected abstract void terminate(FleetMember member, StopMode mode);

    /**
     * Look at a member that has not ended: call {@link #reportRunning} when it simulates, {@link #reportExited} when
     * it is gone (after releasing what it held).
     *
     * @return the work done.
     */
    protected abstract int poll(FleetMember member, long nowNs);

    /**
     * Release what the implementation holds, after every member ended or was stopped forcibly.
     */
    protected abstract void closeResources();

    /**
     * The member simulates (first tick seen or reported): STARTING becomes RUNNING.
     */
    protected final void reportRunning(final FleetMember member, final long nowNs)
    {
        if (MemberState.STARTING == member.state())
        {
            member.runningNs(nowNs);
            transition(member, MemberState.RUNNING);
        }
    }

    /**
     * The member's server is gone. STOPPED after a forcible stop the fleet asked for, or a graceful one that ended
     * with exit code 0; FAILED otherwise.
     *
     * @param exitCode its exit code, or {@link FleetMember#NO_EXIT_CODE}.
     * @param reason   what the code means (see {@link GameServerExits#describe(int)}).
     */
    protected final void reportExited(final FleetMember member, final int exitCode, final String reason,
        final long nowNs)
    {
        if (member.state().isTerminal())
        {
            return;
        }
        final MemberState next;
        final String why;
        if (null != member.failure())
        {
            next = MemberState.FAILED;
            why = member.failure() + "; " + reason;
        }
        else if (!member.isStopRequested())
        {
            next = MemberState.FAILED;
            why = "exited on its own: " + reason;
        }
        else if (member.isForcibleStop())
        {
            next = MemberState.STOPPED;
            why = "stopped forcibly: " + reason;
        }
        else
        {
            next = GameServerExits.CLEAN == exitCode ? MemberState.STOPPED : MemberState.FAILED;
            why = "stopped gracefully: " + reason;
        }
        member.ended(nowNs, exitCode, why);
        transition(member, next);
    }

    @Override
    public final int start(final int serverId)
    {
        return start(serverId, defaultConnection);
    }

    @Override
    public final int start(final int serverId, final ShardConnection connection)
    {
        Objects.requireNonNull(connection, "connection");
        if (closed)
        {
            return CLOSED;
        }
        final FleetMember existing = memberById.get(serverId);
        if (null != existing && !existing.state().isTerminal())
        {
            return ALREADY_MEMBER;
        }
        if (holding() + reservedMissing() >= policy.maxSize())
        {
            return AT_MAXIMUM;
        }
        return startMember(serverId, connection, null, clock.nanoTime());
    }

    @Override
    public final int stop(final int serverId, final StopMode mode)
    {
        final FleetMember member = memberById.get(serverId);
        if (null == member || member.state().isTerminal())
        {
            return NOT_MEMBER;
        }
        if (StopMode.GRACEFUL == mode && member.state().isUp() && count(MemberState.STARTING) +
            count(MemberState.RUNNING) - 1 < policy.minSize())
        {
            return AT_MINIMUM;
        }
        stopMember(member, mode, clock.nanoTime());
        return OK;
    }

    @Override
    public final int reserve(final Reservation reservation)
    {
        if (null != reservation(reservation.name()))
        {
            return RESERVATION_NAME;
        }
        int servers = reservation.servers();
        for (int i = 0; i < reservations.size(); i++)
        {
            final Reservation other = reservations.get(i);
            servers += other.overlaps(reservation) ? other.servers() : 0;
        }
        if (servers + policy.minSize() > policy.maxSize())
        {
            return RESERVATION_EXCEEDS_MAXIMUM;
        }
        reservations.add(reservation);
        return OK;
    }

    @Override
    public final int cancelReservation(final String name)
    {
        final Reservation reservation = reservation(name);
        if (null == reservation)
        {
            return RESERVATION_NAME;
        }
        if (activeReservations.contains(reservation))
        {
            endReservation(reservation, clock.nanoTime());
        }
        reservations.remove(reservation);
        return OK;
    }

    @Override
    public final int doWork(final long nowNs)
    {
        if (closed)
        {
            return 0;
        }
        int work = 0;
        for (int i = 0; i < members.size(); i++)
        {
            final FleetMember member = members.get(i);
            if (!member.state().isTerminal())
            {
                work += poll(member, nowNs);
                work += enforceDeadlines(member, nowNs);
            }
        }
        work += runReservations(nowNs);
        work += keepMinimum(nowNs);
        return work;
    }

    @Override
    public final FleetMember member(final int serverId)
    {
        return memberById.get(serverId);
    }

    @Override
    public final List<FleetMember> members()
    {
        return new ArrayList<>(members);
    }

    @Override
    public final List<Reservation> reservations()
    {
        return new ArrayList<>(reservations);
    }

    @Override
    public final int count(final MemberState state)
    {
        int count = 0;
        for (int i = 0; i < members.size(); i++)
        {
            count += state == members.get(i).state() ? 1 : 0;
        }
        return count;
    }

    @Override
    public final FleetPolicy policy()
    {
        return policy;
    }

    /**
     * @return the settings of servers the fleet starts on its own.
     */
    public final ShardConnection defaultConnection()
    {
        return defaultConnection;
    }

    /**
     * @return the clock of decisions.
     */
    protected final NanoClock clock()
    {
        return clock;
    }

    @Override
    public final void close()
    {
        if (closed)
        {
            return;
        }
        try
        {
            for (int i = 0; i < members.size(); i++)
            {
                final FleetMember member = members.get(i);
                if (member.state().isUp())
                {
                    stopMember(member, StopMode.GRACEFUL, clock.nanoTime());
                }
            }
            awaitEnded(policy.stopGraceNs());
            for (int i = 0; i < members.size(); i++)
            {
                final FleetMember member = members.get(i);
                if (!member.state().isTerminal() && !member.isForcibleStop())
                {
                    stopMember(member, StopMode.FORCIBLE, clock.nanoTime());
                }
            }
            awaitEnded(TimeUnit.SECONDS.toNanos(5));
        }
        finally
        {
            closed = true;
            closeResources();
        }
    }

    private void awaitEnded(final long timeoutNs)
    {
        final long deadlineNs = System.nanoTime() + timeoutNs;
        while (true)
        {
            boolean ended = true;
            for (int i = 0; i < members.size(); i++)
            {
                final FleetMember member = members.get(i);
                if (!member.state().isTerminal())
                {
                    poll(member, clock.nanoTime());
                    ended &= member.state().isTerminal();
                }
            }
            if (ended || System.nanoTime() - deadlineNs > 0)
            {
                return;
            }
            try
            {
                Thread.sleep(10);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private int enforceDeadlines(final FleetMember member, final long nowNs)
    {
        if (MemberState.STARTING == member.state() && nowNs - member.startedNs() > policy.startTimeoutNs())
        {
            member.failure("not running within the start timeout of " +
                TimeUnit.NANOSECONDS.toMillis(policy.startTimeoutNs()) + " ms");
            stopMember(member, StopMode.FORCIBLE, nowNs);
            return 1;
        }
        if (MemberState.STOPPING == member.state() && !member.isForcibleStop() &&
            nowNs - member.stopRequestedNs() > policy.stopGraceNs())
        {
            stopMember(member, StopMode.FORCIBLE, nowNs);
            return 1;
        }
        return 0;
    }

    private int runReservations(final long nowNs)
    {
        int work = 0;
        for (int i = reservations.size() - 1; i >= 0; i--)
        {
            final Reservation reservation = reservations.get(i);
            final boolean active = activeReservations.contains(reservation);
            if (nowNs - reservation.endNs() >= 0)
            {
                if (active)
                {
                    endReservation(reservation, nowNs);
                }
                reservations.remove(i);
                work++;
            }
            else if (!active && nowNs - (reservation.startNs() - policy.reservationLeadNs()) >= 0)
            {
                activeReservations.add(reservation);
                listener.onReservationStarted(this, reservation);
                work++;
            }
        }
        for (int i = 0; i < activeReservations.size(); i++)
        {
            final Reservation reservation = activeReservations.get(i);
            int missing = reservation.servers() - upReservedFor(reservation.name());
            while (missing > 0 && holding() < policy.maxSize())
            {
                final int serverId = freeServerId(nowNs);
                if (Integer.MIN_VALUE == serverId)
                {
                    break;
                }
                startMember(serverId, defaultConnection, reservation.name(), nowNs);
                missing--;
                work++;
            }
        }
        return work;
    }

    private void endReservation(final Reservation reservation, final long nowNs)
    {
        activeReservations.remove(reservation);
        for (int i = 0; i < members.size(); i++)
        {
            final FleetMember member = members.get(i);
            if (reservation.name().equals(member.reservation()) && !member.state().isTerminal())
            {
                member.reservation(null);
                if (policy.stopReservedAtEnd() && member.state().isUp() &&
                    count(MemberState.STARTING) + count(MemberState.RUNNING) - 1 >= policy.minSize())
                {
                    stopMember(member, StopMode.GRACEFUL, nowNs);
                }
            }
        }
        listener.onReservationEnded(this, reservation);
    }

    private int keepMinimum(final long nowNs)
    {
        int work = 0;
        int up = count(MemberState.STARTING) + count(MemberState.RUNNING);
        while (up < policy.minSize() && holding() < policy.maxSize())
        {
            final int serverId = freeServerId(nowNs);
            if (Integer.MIN_VALUE == serverId)
            {
                break;
            }
            startMember(serverId, defaultConnection, null, nowNs);
            up++;
            work++;
        }
        return work;
    }

    private int startMember(final int serverId, final ShardConnection connection, final String reservation,
        final long nowNs)
    {
        final FleetMember member = new FleetMember(serverId, connection, reservation, nowNs);
        final FleetMember previous = memberById.put(serverId, member);
        final int index = null == previous ? -1 : members.indexOf(previous);
        if (index >= 0)
        {
            members.set(index, member);
        }
        else
        {
            members.add(member);
        }
        listener.onMemberStateChange(this, member, null);
        try
        {
            launch(member);
            return OK;
        }
        catch (final Exception ex)
        {
            member.ended(nowNs, FleetMember.NO_EXIT_CODE, "launch failed: " + ex);
            transition(member, MemberState.FAILED);
            return LAUNCH_FAILED;
        }
    }

    private void stopMember(final FleetMember member, final StopMode mode, final long nowNs)
    {
        final boolean forcibly = StopMode.FORCIBLE == mode;
        if (MemberState.STOPPING == member.state() && (!forcibly || member.isForcibleStop()))
        {
            return;
        }
        member.stopRequested(nowNs, forcibly);
        if (MemberState.STOPPING != member.state())
        {
            transition(member, MemberState.STOPPING);
        }
        terminate(member, mode);
    }

    private void transition(final FleetMember member, final MemberState next)
    {
        final MemberState previous = member.state();
        member.state(next);
        listener.onMemberStateChange(this, member, previous);
    }

    /**
     * @return the members holding a process or thread: STARTING, RUNNING, STOPPING.
     */
    private int holding()
    {
        int count = 0;
        for (int i = 0; i < members.size(); i++)
        {
            count += members.get(i).state().isTerminal() ? 0 : 1;
        }
        return count;
    }

    /**
     * @return how many servers the active reservations still miss.
     */
    private int reservedMissing()
    {
        int missing = 0;
        for (int i = 0; i < activeReservations.size(); i++)
        {
            final Reservation reservation = activeReservations.get(i);
            missing += Math.max(0, reservation.servers() - upReservedFor(reservation.name()));
        }
        return missing;
    }

    private int upReservedFor(final String name)
    {
        int count = 0;
        for (int i = 0; i < members.size(); i++)
        {
            final FleetMember member = members.get(i);
            count += member.state().isUp() && name.equals(member.reservation()) ? 1 : 0;
        }
        return count;
    }

    /**
     * @return the first id of the policy's pool that holds nothing and did not end within the restart delay, or
     * {@link Integer#MIN_VALUE}.
     */
    private int freeServerId(final long nowNs)
    {
        final int[] serverIds = policy.serverIds();
        for (final int serverId : serverIds)
        {
            final FleetMember member = memberById.get(serverId);
            if (null == member ||
                (member.state().isTerminal() && nowNs - member.endedNs() >= policy.restartDelayNs()))
            {
                return serverId;
            }
        }
        return Integer.MIN_VALUE;
    }

    private Reservation reservation(final String name)
    {
        for (int i = 0; i < reservations.size(); i++)
        {
            if (reservations.get(i).name().equals(name))
            {
                return reservations.get(i);
            }
        }
        return null;
    }
}
