/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant;

import io.aeron.Counter;
import io.orrery.core.common.ClientEgress;
import io.orrery.core.common.SessionHandover;
import io.orrery.core.common.SharedClientEgress;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;

import java.util.function.Consumer;

/**
 * The primary Replicant's hand-over of sessions to the secondary Replicants of its process: each session it takes
 * over goes to every secondary (a view of the session's shared egress that does not close it), each session it ends
 * goes too (a hand-over without egress), through one queue per secondary.
 * <p>
 * A queue is sized for twice the shard's sessions, so it is full only when its secondary has not run for that many
 * session starts and ends (a stalled or starved thread). A refused hand-over is not retried: that secondary never
 * streams to the session (a refused start) or keeps an observer of a session that is gone (a refused end), which can
 * later leave it without an observer for a new session ({@code REPLICANT_OBSERVERS_REFUSED}). Each refusal is counted
 * in {@code REPLICANT_SESSION_HANDOVERS_REFUSED} and logged at the first and then at powers of two.
 * <p>
 * Threading: the primary Replicant's thread. Control path: allocates a hand-over per session start and end.
 */
final class SecondarySessions
{
    private final OneToOneConcurrentArrayQueue<SessionHandover>[] queues;
    private final Counter refusedCounter;
    private final Consumer<String> log;
    private long refused;

    /**
     * @param queues         one per secondary, Replicant ids 1..n in order; written only here.
     * @param refusedCounter {@code REPLICANT_SESSION_HANDOVERS_REFUSED}.
     * @param log            where refusals are reported (at the first and then at powers of two).
     */
    SecondarySessions(
        final OneToOneConcurrentArrayQueue<SessionHandover>[] queues,
        final Counter refusedCounter,
        final Consumer<String> log)
    {
        this.queues = queues;
        this.refusedCounter = refusedCounter;
        this.log = log;
    }

    /**
     * Hand a session the primary took over to every secondary.
     *
     * @param sessionId      the session.
     * @param playerEntityId its player's entity.
     * @param sessionEgress  the session's egress, which the primary closes.
     */
    void started(final long sessionId, final long playerEntityId, final ClientEgress sessionEgress)
    {
        for (int i = 0; i < queues.length; i++)
        {
            if (!queues[i].offer(new SessionHandover(
                sessionId, playerEntityId, new SharedClientEgress(sessionEgress, false), null)))
            {
                onRefused(i + 1, sessionId, "start");
            }
        }
    }

    /**
     * Tell every secondary that the primary ended a session.
     *
     * @param sessionId      the session.
     * @param playerEntityId its player's entity.
     */
    void ended(final long sessionId, final long playerEntityId)
    {
        for (int i = 0; i < queues.length; i++)
        {
            if (!queues[i].offer(new SessionHandover(sessionId, playerEntityId, (ClientEgress)null, null)))
            {
                onRefused(i + 1, sessionId, "end");
            }
        }
    }

    /**
     * @return hand-overs a full queue refused.
     */
    long refused()
    {
        return refused;
    }

    private void onRefused(final int replicantId, final long sessionId, final String what)
    {
        refused++;
        refusedCounter.increment();
        if (0 == (refused & (refused - 1)))
        {
            log.accept("replicant " + replicantId + ": its session hand-over queue is full, the " + what +
                " of session " + sessionId + " is lost to it (refusal " + refused + ", logged at powers of two); " +
                "its thread has not run for " + queues[replicantId - 1].capacity() +
                " session starts and ends: check the shard's CPU and that Replicant's duty cycle");
        }
    }
}
