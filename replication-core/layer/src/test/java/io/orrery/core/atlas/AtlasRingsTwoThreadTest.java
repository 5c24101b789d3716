/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One thread proxies a million commands into a 64 KiB ring (so some wait in the overflow), another adapts them: every
 * command arrives, in order, with its values.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AtlasRingsTwoThreadTest
{
    private static final int COMMANDS = 1_000_000;
    private static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(90);

    /**
     * Checks that command n is of kind n % 4 and carries n in every field.
     */
    static final class SequenceChecker implements AtlasCommandHandler
    {
        long next;
        String firstError;

        private void check(final int kind, final long... values)
        {
            final long expected = next++;
            if (null != firstError)
            {
                return;
            }
            if (kind != expected % 4)
            {
                firstError = "command " + expected + ": kind " + kind;
                return;
            }
            for (final long value : values)
            {
                if (value != expected)
                {
                    firstError = "command " + expected + ": value " + value;
                    return;
                }
            }
        }

        @Override
        public void onEntityMoved(
            final long entityId, final long incarnation, final long parentId, final long x, final long y, final long z)
        {
            check(0, entityId, incarnation, parentId, x, y, z);
        }

        @Override
        public void onServerSeen(
            final int serverIndex, final long sessionId, final long lastHeardNs, final boolean bound)
        {
            check(1, serverIndex, sessionId, lastHeardNs, bound ? next : -1);
        }

        @Override
        public void onTick(
            final long nowNs, final long tick, final long silenceFloorNs, final boolean ingressCaughtUp)
        {
            check(2, nowNs, tick, silenceFloorNs, ingressCaughtUp ? -1 : next);
        }

        @Override
        public void onEntityAdded(
            final long entityId,
            final long incarnation,
            final long parentId,
            final boolean isZone,
            final long x,
            final long y,
            final long z,
            final long epoch)
        {
            check(3, entityId, incarnation, parentId, x, y, z, epoch);
        }

        @Override
        public void onServerJoined(
            final long nowNs, final int serverIndex, final long sessionId, final long replacedSessionId)
        {
            check(-1);
        }

        @Override
        public void onServerFailed(final long nowNs, final int serverIndex, final long sessionId)
        {
            check(-1);
        }

        @Override
        public void onServerLoad(
            final long nowNs,
            final int serverIndex,
            final long sessionId,
            final int entityCount,
            final int playerCount,
            final long tickTimeP50Ns,
            final long tickTimeMaxNs,
            final float cpuLoad,
            final int timeDilationPerMille)
        {
            check(-1);
        }

        @Override
        public void onEntityRemoved(final long entityId, final long incarnation)
        {
            check(-1);
        }

        @Override
        public void onStreamOut(
            final long nowNs, final int serverIndex, final long sessionId, final long entityId, final long epoch)
        {
            check(-1);
        }

        @Override
        public void onHandoffAccepted(
            final long nowNs, final int serverIndex, final long sessionId, final long handoffId, final long entityId)
        {
            check(-1);
        }

        @Override
        public void onTerritoryHeld(
            final int territoryIndex,
            final int serverIndex,
            final long sessionId,
            final long territoryEpoch,
            final long minX,
            final long minY,
            final long minZ,
            final long maxX,
            final long maxY,
            final long maxZ)
        {
            check(-1);
        }
    }

    @Test
    void shouldDeliverEveryCommandInOrderFromAnotherThread() throws InterruptedException
    {
        final RingBuffer ring = AtlasRings.newRing(64 * 1024);
        final AtlasCommandProxy proxy = new AtlasCommandProxy(ring);
        final SequenceChecker checker = new SequenceChecker();
        final AtlasCommandAdapter adapter = new AtlasCommandAdapter(ring, checker);
        final AtomicReference<Throwable> producerError = new AtomicReference<>();

        final Thread producer = new Thread(() ->
        {
            try
            {
                produce(proxy);
            }
            catch (final Throwable ex)
            {
                producerError.set(ex);
            }
        }, "atlas-command-producer");
        producer.setDaemon(true);

        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        producer.start();
        while (checker.next < COMMANDS && null == producerError.get() && System.nanoTime() < deadlineNs)
        {
            if (0 == adapter.poll(256))
            {
                Thread.yield();
            }
        }
        producer.join(TimeUnit.NANOSECONDS.toMillis(Math.max(1, deadlineNs - System.nanoTime())) + 1);

        assertNull(producerError.get());
        assertFalse(producer.isAlive(), "producer ended");
        assertNull(checker.firstError);
        assertEquals(COMMANDS, checker.next);
        assertEquals(0, adapter.poll(256));
        assertEquals(0, adapter.unknown() + adapter.malformed());
        assertFalse(proxy.hasBacklog());
        System.out.println(proxy.overflowed() + " of " + COMMANDS + " commands waited in the overflow");
        assertTrue(proxy.overflowed() >= 0);
    }

    private static void produce(final AtlasCommandProxy proxy)
    {
        for (long n = 0; n < COMMANDS; n++)
        {
            switch ((int)(n % 4))
            {
                case 0 -> proxy.onEntityMoved(n, n, n, n, n, n);
                case 1 -> proxy.onServerSeen((int)n, n, n, true);
                case 2 -> proxy.onTick(n, n, n, false);
                default -> proxy.onEntityAdded(n, n, n, true, n, n, n, n);
            }
            if (proxy.hasBacklog())
            {
                proxy.flush();
            }
        }
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        while (proxy.hasBacklog())
        {
            if (System.nanoTime() > deadlineNs)
            {
                throw new IllegalStateException("backlog not flushed: " + proxy.backlogBytes() + " bytes");
            }
            if (0 == proxy.flush())
            {
                Thread.yield();
            }
        }
    }
}
