/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.persistence;

import io.orrery.core.persistence.GlobalStore;
import io.orrery.core.persistence.PersistenceAdapter;
import io.orrery.core.persistence.PersistenceException;
import io.orrery.persistence.memory.InMemoryPersistenceAdapter;
import io.orrery.persistence.postgres.PostgresGlobalStore;
import io.orrery.persistence.postgres.PostgresPersistenceAdapter;
import io.orrery.persistence.rocksdb.RocksDbPersistenceAdapter;

import java.nio.file.Path;

/**
 * Opens a {@link PersistenceAdapter} from a store URI, the one setting servers and perf runs pass around:
 * <ul>
 *     <li>{@code memory:} — in memory, for tests (nothing survives close);</li>
 *     <li>{@code rocksdb:/var/orrery/shard-1} (or {@code rocksdb:relative/dir}) — the embedded default;</li>
 *     <li>{@code postgres:jdbc:postgresql://host:5432/orrery?user=orrery&currentSchema=shard1}, or a libpq URL
 *     {@code postgresql://user:password@host:5432/orrery} (also behind {@code postgres:}); with
 *     {@code currentSchema=shard_1,global} the shard's graph is in schema {@code shard_1} and the Global store, shared
 *     with the deployment's other shards, in schema {@code global} (stow and unstow: one transaction);</li>
 *     <li>{@code <graph>|<global store>}, e.g.
 *     {@code rocksdb:/var/orrery/shard-1|postgresql://host:5432/orrery?currentSchema=global}: the shard's graph in an
 *     embedded RocksDB and the deployment's Global store in PostgreSQL, composed through an outbox
 *     ({@link OutboxPersistenceAdapter}); see {@link #open(String, String)}.</li>
 * </ul>
 * Threading: stateless; the returned adapter is single threaded.
 */
public final class PersistenceAdapters
{
    public static final String MEMORY_SCHEME = "memory:";
    public static final String ROCKSDB_SCHEME = "rocksdb:";
    public static final String POSTGRES_SCHEME = "postgres:";
    /**
     * Separates a shard's graph store from the deployment's Global store in one URI.
     */
    public static final char GLOBAL_STORE_SEPARATOR = '|';

    private PersistenceAdapters()
    {
    }

    /**
     * @param uri of the store, see the class documentation.
     * @return the open adapter; the caller closes it.
     * @throws IllegalArgumentException for an unknown scheme or a malformed URI.
     * @throws PersistenceException     when the store cannot be opened.
     */
    public static PersistenceAdapter open(final String uri)
    {
        if (null == uri || uri.isBlank())
        {
            throw new IllegalArgumentException("no store URI");
        }

        final String trimmed = uri.trim();
        final int separator = trimmed.indexOf(GLOBAL_STORE_SEPARATOR);
        if (separator >= 0)
        {
            return open(trimmed.substring(0, separator), trimmed.substring(separator + 1));
        }
        if (trimmed.equals(MEMORY_SCHEME) || trimmed.equals("memory"))
        {
            return new InMemoryPersistenceAdapter();
        }
        if (trimmed.startsWith(ROCKSDB_SCHEME))
        {
            final String directory = trimmed.substring(ROCKSDB_SCHEME.length());
            if (directory.isEmpty())
            {
                throw new IllegalArgumentException("rocksdb: needs a directory, e.g. rocksdb:/var/orrery/shard-1");
            }
            return RocksDbPersistenceAdapter.open(Path.of(directory));
        }
        if (trimmed.startsWith(POSTGRES_SCHEME))
        {
            return PostgresPersistenceAdapter.open(trimmed.substring(POSTGRES_SCHEME.length()));
        }
        if (trimmed.startsWith("postgresql://") || trimmed.startsWith("jdbc:postgresql:"))
        {
            return PostgresPersistenceAdapter.open(trimmed);
        }

        throw new IllegalArgumentException(
            "unknown store URI " + uri + " (expected memory:, rocksdb:<dir>, postgres:<jdbc url> or postgresql://...)");
    }

    /**
     * Open a shard's persistence over two stores: its EntityGraph and the deployment's Global store.
     *
     * @param graphUri  {@code rocksdb:<dir>}: the shard's graph (and outbox).
     * @param globalUri a PostgreSQL URL (JDBC, libpq, or behind {@code postgres:}) whose {@code currentSchema} names
     *                  the Global store's schema.
     * @return an {@link OutboxPersistenceAdapter}, with whatever a crash left in the outbox finished; closing it
     * closes both stores.
     */
    public static PersistenceAdapter open(final String graphUri, final String globalUri)
    {
        final String graph = graphUri.trim();
        String global = globalUri.trim();
        if (!graph.startsWith(ROCKSDB_SCHEME) || graph.length() == ROCKSDB_SCHEME.length())
        {
            throw new IllegalArgumentException("a graph apart from its Global store must be rocksdb:<dir>, not " +
                graphUri + " (for PostgreSQL use one URL with currentSchema=<shard schema>,<global schema>)");
        }
        if (global.startsWith(POSTGRES_SCHEME))
        {
            global = global.substring(POSTGRES_SCHEME.length());
        }
        if (!global.startsWith("postgresql://") && !global.startsWith("postgres://") &&
            !global.startsWith("jdbc:postgresql:"))
        {
            throw new IllegalArgumentException("the Global store must be PostgreSQL: " + globalUri);
        }

        final GlobalStore globalStore = PostgresGlobalStore.open(global);
        final RocksDbPersistenceAdapter graphStore;
        try
        {
            graphStore = RocksDbPersistenceAdapter.open(Path.of(graph.substring(ROCKSDB_SCHEME.length())));
        }
        catch (final RuntimeException ex)
        {
            globalStore.close();
            throw ex;
        }
        return OutboxPersistenceAdapter.open(graphStore, globalStore);
    }
}
