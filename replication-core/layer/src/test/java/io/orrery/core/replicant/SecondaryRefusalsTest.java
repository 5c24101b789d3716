/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant;

import io.aeron.Counter;
import io.orrery.core.common.ClientEgress;
import io.orrery.core.common.SessionHandover;
import io.orrery.core.status.OrreryCounter;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What an operator sees of a secondary Replicant's trouble with sessions: a hand-over its full queue refused
 * ({@code REPLICANT_SESSION_HANDOVERS_REFUSED}) and a session its interest engine had no observer for
 * ({@code REPLICANT_OBSERVERS_REFUSED}), each counted in its own counter, not in the generic errors, and logged at the
 * first refusal and then at powers of two.
 */
final class SecondaryRefusalsTest
{
    private final Counter[] counters = newCounters();
    private final List<String> log = new ArrayList<>();

    @Test
    void shouldCountAndLogHandoversAFullQueueRefused()
    {
        final OneToOneConcurrentArrayQueue<SessionHandover> queue = new OneToOneConcurrentArrayQueue<>(2);
        final SecondarySessions sessions = newSessions(queue);

        sessions.started(1, 101, new OpenEgress());
        sessions.started(2, 102, new OpenEgress());
        assertEquals(0, value(OrreryCounter.REPLICANT_SESSION_HANDOVERS_REFUSED));
        for (int i = 0; i < 4; i++)
        {
            sessions.started(3 + i, 103 + i, new OpenEgress());
        }
        sessions.ended(1, 101);

        assertEquals(5, sessions.refused());
        assertEquals(5, value(OrreryCounter.REPLICANT_SESSION_HANDOVERS_REFUSED));
        assertEquals(0, value(OrreryCounter.ERRORS));
        assertEquals(3, log.size(), "refusals 1, 2 and 4 logged: " + log);
        assertTrue(log.get(0).contains("replicant 1: its session hand-over queue is full, the start of session 3"),
            log.get(0));
        assertTrue(log.get(2).contains("refusal 4"), log.get(2));
        assertEquals(2, queue.size());
    }

    @Test
    void shouldCountAndLogSessionsASecondaryHasNoObserverFor()
    {
        final OneToOneConcurrentArrayQueue<SessionHandover> queue = new OneToOneConcurrentArrayQueue<>(8);
        final SecondarySessions sessions = newSessions(queue);
        final SecondaryReplicantAgent secondary = newSecondary(2, queue);

        sessions.started(1, 101, new OpenEgress());
        sessions.started(2, 102, new OpenEgress());
        sessions.started(3, 103, new OpenEgress());
        sessions.started(2, 102, new OpenEgress());
        secondary.doWork();

        assertEquals(2, secondary.engine().observerCount());
        assertEquals(2, secondary.observersRefused());
        assertEquals(2, value(OrreryCounter.REPLICANT_OBSERVERS_REFUSED));
        assertEquals(0, value(OrreryCounter.ERRORS));
        assertEquals(2, log.size(), log.toString());
        assertTrue(log.get(0).contains("replicant 1: no observer for session 3 (its 2 observers are taken)"),
            log.get(0));
        assertTrue(log.get(1).contains("no observer for session 2 (it holds that session already)"), log.get(1));
    }

    @Test
    void shouldShowWhenALostSessionEndLeavesASecondaryWithoutAnObserverForANewSession()
    {
        final OneToOneConcurrentArrayQueue<SessionHandover> queue = new OneToOneConcurrentArrayQueue<>(2);
        final SecondarySessions sessions = newSessions(queue);
        final SecondaryReplicantAgent secondary = newSecondary(2, queue);

        sessions.started(1, 101, new OpenEgress());
        sessions.started(2, 102, new OpenEgress());
        sessions.ended(1, 101); // the secondary has not run: its queue is full
        secondary.doWork();
        sessions.ended(2, 102);
        sessions.started(3, 103, new OpenEgress());
        secondary.doWork();
        sessions.started(4, 104, new OpenEgress());
        secondary.doWork();

        assertEquals(1, value(OrreryCounter.REPLICANT_SESSION_HANDOVERS_REFUSED));
        assertEquals(1, value(OrreryCounter.REPLICANT_OBSERVERS_REFUSED));
        assertTrue(secondary.engine().observerIndex(1) >= 0, "session 1's end was lost: its observer stays");
        assertTrue(secondary.engine().observerIndex(3) >= 0);
        assertTrue(secondary.engine().observerIndex(4) < 0);
        assertEquals(2, log.size(), log.toString());
        assertTrue(log.get(0).contains("the end of session 1 is lost to it"), log.get(0));
        assertTrue(log.get(1).contains("no observer for session 4"), log.get(1));
    }

    @SuppressWarnings("unchecked")
    private SecondarySessions newSessions(final OneToOneConcurrentArrayQueue<SessionHandover> queue)
    {
        return new SecondarySessions(
            (OneToOneConcurrentArrayQueue<SessionHandover>[])new OneToOneConcurrentArrayQueue<?>[]{ queue },
            counters[OrreryCounter.REPLICANT_SESSION_HANDOVERS_REFUSED.id()], log::add);
    }

    private SecondaryReplicantAgent newSecondary(
        final int maxSessions, final OneToOneConcurrentArrayQueue<SessionHandover> queue)
    {
        final ReplicantContext ctx = new ReplicantContext().replicants(2).maxEntities(64).conclude();
        return new SecondaryReplicantAgent(ctx, 1, new CachedNanoClock(), maxSessions, counters,
            ReplicantFeedTest.ring(64 * 1024), queue, new org.HdrHistogram.Recorder(1_000_000_000L, 2))
            .refusalLog(log::add);
    }

    private long value(final OrreryCounter counter)
    {
        return counters[counter.id()].get();
    }

    static Counter[] newCounters()
    {
        final int count = OrreryCounter.values().length;
        final CountersManager manager = new CountersManager(
            new UnsafeBuffer(ByteBuffer.allocateDirect(count * CountersReader.METADATA_LENGTH * 2)),
            new UnsafeBuffer(ByteBuffer.allocateDirect(count * CountersReader.COUNTER_LENGTH * 2)));
        final Counter[] counters = new Counter[count];
        for (final OrreryCounter c : OrreryCounter.values())
        {
            counters[c.id()] = new Counter(manager, manager.allocate(c.label()));
        }
        return counters;
    }

    /**
     * A session egress that takes everything (nothing is streamed here: there is no feed).
     */
    static final class OpenEgress implements ClientEgress
    {
        private long position;

        @Override
        public boolean isConnected()
        {
            return true;
        }

        @Override
        public long availableWindow()
        {
            return 1 << 20;
        }

        @Override
        public long position()
        {
            return position;
        }

        @Override
        public long offer(final DirectBuffer buffer, final int offset, final int length)
        {
            position += length;
            return position;
        }

        @Override
        public void close()
        {
        }
    }
}
