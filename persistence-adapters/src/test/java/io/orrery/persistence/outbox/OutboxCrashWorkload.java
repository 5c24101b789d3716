/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.persistence.outbox;

import io.orrery.core.ThreadingMode;
import io.orrery.core.persistence.NodeRecord;
import io.orrery.core.persistence.OperationType;
import io.orrery.core.persistence.PersistenceAdapter;
import io.orrery.core.persistence.Scribe;
import io.orrery.core.persistence.ScribeContext;
import io.orrery.persistence.PersistenceAdapters;

import java.io.PrintStream;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The child process of {@link OutboxCrashTest}: a shard's Scribe over an {@link io.orrery.persistence
 * .OutboxPersistenceAdapter} (RocksDB graph, PostgreSQL Global store) moving items between the two as fast as it
 * can, and writing the moving items behind, until it is killed. Prints {@code READY}, then one line per acknowledged
 * operation: {@code A <S|U> <operationId> <player> <item> <status>}.
 * <p>
 * Arguments: graph directory, Global store URL, cycle, seed, items.
 */
public final class OutboxCrashWorkload
{
    static final int PLAYERS = 4;
    static final long ZONE = 0;
    private static final int IN_GRAPH = 0;
    private static final int STOWING = 1;
    private static final int STOWED = 2;
    private static final int UNSTOWING = 3;

    private OutboxCrashWorkload()
    {
    }

    static long owner(final long item)
    {
        return 1 + (item % PLAYERS);
    }

    static NodeRecord item(final long id, final long x)
    {
        final NodeRecord node = new NodeRecord();
        node.entityId = id;
        node.archetypeId = 40 + (int)(id % 7);
        node.parentZoneId = ZONE;
        node.ownerPlayerId = owner(id);
        node.x = x;
        node.y = id;
        node.radius = 1;
        node.componentStateLength = 8;
        for (int i = 0; i < 8; i++)
        {
            node.componentState[i] = (byte)(id + i);
        }
        return node;
    }

    public static void main(final String[] args)
    {
        final String graph = args[0];
        final String global = args[1];
        final long cycle = Long.parseLong(args[2]);
        final SplittableRandom random = new SplittableRandom(Long.parseLong(args[3]));
        final int items = Integer.parseInt(args[4]);
        final PrintStream out = System.out;

        final PersistenceAdapter adapter = PersistenceAdapters.open("rocksdb:" + graph, "postgres:" + global);
        final int[] state = new int[items + 1];
        for (int id = 1; id <= items; id++)
        {
            state[id] = adapter.isStowed(id) ? STOWED : IN_GRAPH;
        }

        final Scribe scribe = Scribe.launch(new ScribeContext()
            .name("outbox-crash-" + cycle)
            .adapter(adapter)
            .ringSize(1024)
            .maxPendingOperations(64)
            .flushIntervalNs(TimeUnit.MILLISECONDS.toNanos(20))
            .threadingMode(ThreadingMode.SHARED));
        out.println("READY");
        out.flush();

        final long[] pendingItem = new long[1];
        long sequence = 0;
        final NodeRecord node = new NodeRecord();
        while (true)
        {
            scribe.pollCompletions(
                (type, operationId, correlationId, status, firstStatus, value) ->
                {
                    final long id = correlationId;
                    if (OperationType.STOW == type)
                    {
                        state[(int)id] = STOWED;
                        out.println("A S " + operationId + " " + owner(id) + " " + id + " " + status);
                    }
                    else
                    {
                        state[(int)id] = IN_GRAPH;
                        out.println("A U " + operationId + " " + owner(id) + " " + id + " " + status);
                    }
                    pendingItem[0]--;
                },
                64);

            final int id = 1 + random.nextInt(items);
            final int action = random.nextInt(4);
            final long operationId = cycle * 10_000_000L + (++sequence);
            if (IN_GRAPH == state[id] && action == 0)
            {
                node.copyFrom(item(id, random.nextLong(-1000, 1000)));
                if (scribe.offerStow(operationId, id, owner(id), 900 + owner(id), node))
                {
                    state[id] = STOWING;
                    pendingItem[0]++;
                }
            }
            else if (STOWED == state[id] && action == 1)
            {
                node.reset();
                node.entityId = id;
                node.parentZoneId = ZONE;
                node.x = random.nextLong(-1000, 1000);
                if (scribe.offerUnstow(operationId, id, owner(id), node))
                {
                    state[id] = UNSTOWING;
                    pendingItem[0]++;
                }
            }
            else if (IN_GRAPH == state[id])
            {
                scribe.offerNodeUpsert(item(id, random.nextLong(-1000, 1000)));
            }
            if (pendingItem[0] >= 16)
            {
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200));
            }
        }
    }
}
