/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers;

import io.orrery.core.common.EntityIds;
import io.orrery.core.persistence.CompletionHandler;
import io.orrery.core.persistence.NodeRecord;
import io.orrery.core.persistence.OperationStatus;
import io.orrery.core.persistence.OperationType;
import io.orrery.core.persistence.PersistenceAdapter;
import io.orrery.core.persistence.Scribe;
import io.orrery.core.persistence.ScribeContext;
import io.orrery.core.persistence.ScribeCounter;
import io.orrery.persistence.PersistenceAdapters;
import io.orrery.persistence.rocksdb.RocksDbPersistenceAdapter;
import org.agrona.collections.LongHashSet;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The child process of {@link CrashTest}: Scribe over RocksDB under a mixed workload until it is killed. It learns
 * where its items are from the store (as a restarted shard would), then loops: world upserts of
 * {@link #WORLD_ENTITIES} entities per generation (x = generation, increasing across runs), starter grants, stows,
 * unstows and wallet changes. Each acknowledged operation and each durable world generation is printed to stdout
 * and flushed, one line each, ending with {@code ;}:
 * <pre>
 *   G|S|U opId player status firstStatus ;   grant / stow / unstow acknowledged
 *   M opId player status value ;             wallet change acknowledged (value = new balance)
 *   W generation ;                           every world upsert of that generation is durable
 *   R type opId player status ;              an operation refused by the store's rules (never expected)
 * </pre>
 * Arguments: store directory, run number (makes operation ids and generations unique across runs), seed.
 */
public final class CrashWorkload implements CompletionHandler
{
    static final int ITEMS = 40;
    static final int WORLD_ENTITIES = 200;
    static final long WORLD_BASE = EntityIds.SCRIPTED_BASE + 5_000;
    static final long WALLET_DELTA = 5;
    static final int CRATE = 16;

    private final PrintStream out = System.out;
    private final Scribe scribe;
    private final boolean[] granted = new boolean[ITEMS + 1];
    private final boolean[] stowed = new boolean[ITEMS + 1];
    private final boolean[] itemPending = new boolean[ITEMS + 1];
    private final boolean[] walletPending = new boolean[ITEMS + 1];
    private final long[] pendingOperation = new long[ITEMS + 1];
    private final NodeRecord node = new NodeRecord();
    private final ArrayDeque<long[]> generations = new ArrayDeque<>();
    private final long run;
    private long nextOperation;

    private CrashWorkload(final PersistenceAdapter adapter, final long run)
    {
        this.run = run;
        final LongHashSet nodes = new LongHashSet();
        adapter.loadAll((n) -> nodes.add(n.entityId));
        for (int p = 1; p <= ITEMS; p++)
        {
            final long item = EntityIds.starterItemId(p);
            stowed[p] = adapter.isStowed(item);
            granted[p] = stowed[p] || nodes.contains(item);
        }
        scribe = Scribe.launch(new ScribeContext()
            .adapter(adapter)
            .name("crash-" + run)
            .ringSize(8 * 1024)
            .flushIntervalNs(TimeUnit.MILLISECONDS.toNanos(20)));
    }

    public static void main(final String[] args)
    {
        final PersistenceAdapter adapter = args[0].startsWith("postgres:") ?
            PersistenceAdapters.open(args[0]) : RocksDbPersistenceAdapter.open(Path.of(args[0]));
        final CrashWorkload workload = new CrashWorkload(adapter, Long.parseLong(args[1]));
        workload.run(new SplittableRandom(Long.parseLong(args[2])));
    }

    private void run(final SplittableRandom random)
    {
        out.println("READY ;");
        out.flush();
        long generation = run * 1_000_000L;
        long nextWorldNs = System.nanoTime();
        while (true)
        {
            scribe.pollCompletions(this, 64);

            final long nowNs = System.nanoTime();
            if (nowNs - nextWorldNs >= 0 && offerGeneration(generation + 1))
            {
                generation++;
                generations.addLast(new long[]{ generation, scribe.lastOfferedSequence() });
                nextWorldNs = nowNs + TimeUnit.MILLISECONDS.toNanos(10);
            }
            while (!generations.isEmpty() && scribe.isDurable(generations.peekFirst()[1]))
            {
                println("W " + generations.pollFirst()[0]);
                println("K " + scribe.counter(ScribeCounter.GROUP_COMMITS));
            }

            final int p = 1 + random.nextInt(ITEMS);
            if (!itemPending[p])
            {
                offerItemOperation(p, random);
            }
            final int w = 1 + random.nextInt(ITEMS);
            if (!walletPending[w] && random.nextInt(4) == 0)
            {
                final long operationId = operationId();
                if (scribe.offerWalletChange(operationId, w, w, WALLET_DELTA))
                {
                    walletPending[w] = true;
                }
            }
            Thread.onSpinWait();
        }
    }

    private boolean offerGeneration(final long generation)
    {
        if (scribe.remainingCapacity() < WORLD_ENTITIES + 64)
        {
            return false;
        }
        for (int i = 0; i < WORLD_ENTITIES; i++)
        {
            node.reset();
            node.entityId = WORLD_BASE + i;
            node.archetypeId = 2;
            node.x = generation;
            node.y = i;
            node.radius = 0.5f;
            if (!scribe.offerNodeUpsert(node))
            {
                throw new IllegalStateException("ring full despite the capacity check");
            }
        }
        return true;
    }

    private void offerItemOperation(final int p, final SplittableRandom random)
    {
        final long item = EntityIds.starterItemId(p);
        node.reset();
        node.entityId = item;
        node.ownerPlayerId = p;
        node.radius = 0.5f;
        final boolean offered;
        final long operationId;
        if (!granted[p])
        {
            operationId = EntityIds.STARTER_GRANT_OPERATION_ID;
            node.archetypeId = CRATE;
            offered = scribe.offerStow(operationId, p, p, 0, node);
        }
        else if (stowed[p])
        {
            operationId = operationId();
            node.x = random.nextLong(-100_000, 100_000);
            node.y = random.nextLong(-100_000, 100_000);
            offered = scribe.offerUnstow(operationId, p, p, node);
        }
        else
        {
            operationId = operationId();
            node.archetypeId = CRATE;
            node.componentStateLength = 8;
            for (int i = 0; i < 8; i++)
            {
                node.componentState[i] = (byte)random.nextInt();
            }
            offered = scribe.offerStow(operationId, p, p, 0, node);
        }
        if (offered)
        {
            itemPending[p] = true;
            pendingOperation[p] = operationId;
        }
    }

    private long operationId()
    {
        return (run << 40) | ++nextOperation;
    }

    @Override
    public void onCompletion(
        final int operationType,
        final long operationId,
        final long correlationId,
        final int status,
        final int firstStatus,
        final long value)
    {
        final int p = (int)correlationId;
        final boolean applied = OperationStatus.isApplied(status);
        if (OperationType.WALLET == operationType)
        {
            walletPending[p] = false;
            println(applied ? "M " + operationId + " " + p + " " + status + " " + value :
                "R " + operationType + " " + operationId + " " + p + " " + status);
            return;
        }
        itemPending[p] = false;
        if (!applied)
        {
            println("R " + operationType + " " + operationId + " " + p + " " + status);
            return;
        }
        final String kind;
        if (operationId == EntityIds.STARTER_GRANT_OPERATION_ID)
        {
            kind = "G";
            granted[p] = true;
            stowed[p] = true;
        }
        else if (OperationType.STOW == operationType)
        {
            kind = "S";
            stowed[p] = true;
        }
        else
        {
            kind = "U";
            stowed[p] = false;
        }
        println(kind + " " + operationId + " " + p + " " + status + " " + firstStatus);
    }

    private void println(final String line)
    {
        out.println(line + " ;");
        out.flush();
    }
}
