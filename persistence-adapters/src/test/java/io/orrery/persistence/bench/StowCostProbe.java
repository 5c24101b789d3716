/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.persistence.bench;

import io.orrery.core.persistence.NodeRecord;
import io.orrery.core.persistence.OperationStatus;
import io.orrery.core.persistence.StowOperation;
import io.orrery.core.persistence.WorldBatch;
import io.orrery.persistence.postgres.PostgresPersistenceAdapter;
import io.orrery.persistence.postgres.PostgresServerSettings;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.HdrHistogram.Histogram;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

/**
 * Where a stow's time goes in PostgreSQL, step by step, on one connection to an embedded PostgreSQL 18 with
 * {@code fsync} and {@code synchronous_commit} on: a bare round trip ({@code SELECT 1}), one durable commit (an
 * autocommitted one-row insert: one WAL flush), a world batch of {@code npcs} upserts (the write-behind Scribe does
 * before an operation), one stow or unstow call (autocommit: one round trip), then the call in autocommit alternated
 * with the call alone in a group (the call, then {@code COMMIT}: two round trips, as Scribe ran a group of one before
 * it ran those in autocommit), the two in sequence as Scribe ran them before group commit (two commits), and the two
 * in one group (one commit); last, the call right after the previous one alternated with the call after
 * {@code idleMs} (100) of idleness, {@code idleSamples} (200) each: what a cold wake-up of both processes costs (in
 * the shard-transfer runs one bot's operations come ~125 ms apart); then the same for a bare {@code SELECT 1} (no WAL
 * flush, no disk). Run:
 * <pre>
 *   mvn -q -B -o -Pbench -pl persistence-adapters -am verify -DskipTests \
 *       -Dorrery.bench.main=io.orrery.persistence.bench.StowCostProbe -Dorrery.bench.args="samples=1000 npcs=50"
 * </pre>
 * Nothing here is asserted: the numbers are for perf reports.
 */
public final class StowCostProbe
{
    private static final long ITEM = 7;
    private static final long PLAYER = 70;

    private StowCostProbe()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        int samples = 1000;
        int npcs = 50;
        int idleMs = 100;
        int idleSamples = 200;
        for (final String arg : args)
        {
            if (arg.startsWith("samples="))
            {
                samples = Integer.parseInt(arg.substring(8));
            }
            else if (arg.startsWith("npcs="))
            {
                npcs = Integer.parseInt(arg.substring(5));
            }
            else if (arg.startsWith("idleMs="))
            {
                idleMs = Integer.parseInt(arg.substring(7));
            }
            else if (arg.startsWith("idleSamples="))
            {
                idleSamples = Integer.parseInt(arg.substring(12));
            }
        }

        final EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
        PostgresServerSettings.recommended().forEach(builder::setServerConfig);
        try (EmbeddedPostgres postgres = builder.start();
            PostgresPersistenceAdapter adapter = PostgresPersistenceAdapter.open(
                postgres.getJdbcUrl("postgres", "postgres") + "&currentSchema=probe_shard,probe_global");
            Connection c = DriverManager.getConnection(postgres.getJdbcUrl("postgres", "postgres")))
        {
            System.out.printf("stow cost probe: %d samples, world batch of %d upserts, %s%n", samples, npcs,
                Runtime.version());
            try (Statement statement = c.createStatement())
            {
                statement.execute("CREATE TABLE probe (id bigserial PRIMARY KEY, v bigint)");
            }
            final Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);

            try (PreparedStatement select = c.prepareStatement("SELECT 1"))
            {
                for (int i = 0; i < samples; i++)
                {
                    final long startNs = System.nanoTime();
                    try (ResultSet rows = select.executeQuery())
                    {
                        rows.next();
                    }
                    h.recordValue(System.nanoTime() - startNs);
                }
            }
            report("round trip (SELECT 1)", h);

            try (PreparedStatement insert = c.prepareStatement("INSERT INTO probe (v) VALUES (?)"))
            {
                for (int i = 0; i < samples; i++)
                {
                    final long startNs = System.nanoTime();
                    insert.setLong(1, i);
                    insert.executeUpdate();
                    h.recordValue(System.nanoTime() - startNs);
                }
            }
            report("durable commit (autocommitted one-row insert)", h);

            final WorldBatch batch = new WorldBatch(npcs + 1);
            final NodeRecord node = new NodeRecord();
            final StowOperation op = new StowOperation();
            item(node);
            batch.addNodeUpsert().copyFrom(node);
            adapter.write(batch);

            long operationId = 0;
            for (int i = 0; i < samples; i++)
            {
                fill(batch, npcs, i);
                final long startNs = System.nanoTime();
                adapter.write(batch);
                h.recordValue(System.nanoTime() - startNs);
            }
            report("world batch write (" + npcs + " upserts + commit)", h);

            boolean stowed = false;
            for (int i = 0; i < samples; i++)
            {
                final long startNs = System.nanoTime();
                stowed = stowOrUnstow(adapter, op, node, ++operationId, stowed);
                h.recordValue(System.nanoTime() - startNs);
            }
            report("stow or unstow call (one statement, autocommit)", h);

            final Histogram inGroup = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
            for (int i = 0; i < 2 * samples; i++) // alternated, so that both see the same moments of the machine
            {
                final boolean grouped = 1 == (i & 1);
                final long startNs = System.nanoTime();
                if (grouped)
                {
                    adapter.beginGroup();
                }
                stowed = stowOrUnstow(adapter, op, node, ++operationId, stowed);
                if (grouped)
                {
                    adapter.commitGroup();
                }
                (grouped ? inGroup : h).recordValue(System.nanoTime() - startNs);
            }
            report("alternated: the call in autocommit (one round trip)", h);
            report("alternated: the call alone in a group, then COMMIT (two)", inGroup);

            for (int i = 0; i < samples; i++)
            {
                fill(batch, npcs, samples + i);
                final long startNs = System.nanoTime();
                adapter.write(batch);
                stowed = stowOrUnstow(adapter, op, node, ++operationId, stowed);
                h.recordValue(System.nanoTime() - startNs);
            }
            report("world batch then stow/unstow, two commits (Scribe before group commit)", h);

            for (int i = 0; i < samples; i++)
            {
                fill(batch, npcs, 2 * samples + i);
                final long startNs = System.nanoTime();
                adapter.beginGroup();
                adapter.write(batch);
                stowed = stowOrUnstow(adapter, op, node, ++operationId, stowed);
                adapter.commitGroup();
                h.recordValue(System.nanoTime() - startNs);
            }
            report("world batch and stow/unstow in one group, one commit", h);

            if (idleSamples > 0)
            {
                final Histogram afterIdle = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
                for (int i = 0; i < 2 * idleSamples; i++) // alternated: right after the last call, or after a pause
                {
                    final boolean idle = 1 == (i & 1);
                    if (idle)
                    {
                        Thread.sleep(idleMs);
                    }
                    final long startNs = System.nanoTime();
                    stowed = stowOrUnstow(adapter, op, node, ++operationId, stowed);
                    (idle ? afterIdle : h).recordValue(System.nanoTime() - startNs);
                }
                report("alternated: the call right after the previous one", h);
                report("alternated: the call after " + idleMs + " ms idle (client and server asleep)", afterIdle);
                try (PreparedStatement select = c.prepareStatement("SELECT 1"))
                {
                    for (int i = 0; i < 2 * idleSamples; i++) // the same for a bare round trip: no WAL, no disk
                    {
                        final boolean idle = 1 == (i & 1);
                        if (idle)
                        {
                            Thread.sleep(idleMs);
                        }
                        final long startNs = System.nanoTime();
                        try (ResultSet rows = select.executeQuery())
                        {
                            rows.next();
                        }
                        (idle ? afterIdle : h).recordValue(System.nanoTime() - startNs);
                    }
                }
                report("alternated: SELECT 1 right after the previous one", h);
                report("alternated: SELECT 1 after " + idleMs + " ms idle", afterIdle);
            }
        }
    }

    private static boolean stowOrUnstow(
        final PostgresPersistenceAdapter adapter,
        final StowOperation op,
        final NodeRecord node,
        final long operationId,
        final boolean stowed)
    {
        op.reset();
        op.operationId = operationId;
        op.entityId = ITEM;
        op.ownerPlayerId = PLAYER;
        item(op.node);
        if (stowed)
        {
            adapter.unstow(op);
        }
        else
        {
            adapter.stow(op);
        }
        if (OperationStatus.OK != op.status)
        {
            throw new IllegalStateException((stowed ? "unstow " : "stow ") + OperationStatus.name(op.status));
        }
        return !stowed;
    }

    private static void fill(final WorldBatch batch, final int npcs, final int tick)
    {
        batch.clear();
        for (int i = 0; i < npcs; i++)
        {
            final NodeRecord npc = batch.addNodeUpsert();
            npc.reset();
            npc.entityId = 1000 + i;
            npc.archetypeId = 3;
            npc.x = tick * 10L + i;
            npc.componentStateLength = 16;
        }
    }

    private static void item(final NodeRecord node)
    {
        node.reset();
        node.entityId = ITEM;
        node.archetypeId = 9;
        node.componentStateLength = 32;
    }

    private static void report(final String what, final Histogram h)
    {
        System.out.printf("  %-80s p50 %7.3f ms  p99 %7.3f ms  max %7.3f ms%n", what,
            h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(99) / 1e6, h.getMaxValue() / 1e6);
        h.reset();
    }
}
