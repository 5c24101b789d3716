/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.persistence;

import io.orrery.core.persistence.PersistenceAdapter;
import io.orrery.core.persistence.PersistenceException;
import io.orrery.persistence.memory.InMemoryPersistenceAdapter;
import io.orrery.persistence.postgres.PostgresPersistenceAdapter;
import io.orrery.persistence.rocksdb.RocksDbPersistenceAdapter;

import java.nio.file.Path;

/**
 * Opens a {@link PersistenceAdapter} from a store URI, the one setting servers and perf runs pass around:
 * <ul>
 *     <li>{@code memory:} — in memory, for tests (nothing survives close);</li>
 *     <li>{@code rocksdb:/var/orrery/shard-1} (or {@code rocksdb:relative/dir}) — the embedded default;</li>
 *     <li>{@code postgres:jdbc:postgresql://host:5432/orrery?user=orrery&currentSchema=shard1}, or a libpq URL
 *     {@code postgresql://user:password@host:5432/orrery} (also behind {@code postgres:}).</li>
 * </ul>
 * Threading: stateless; the returned adapter is single threaded.
 */
public final class PersistenceAdapters
{
    public static final String MEMORY_SCHEME = "memory:";
    public static final String ROCKSDB_SCHEME = "rocksdb:";
    public static final String POSTGRES_SCHEME = "postgres:";

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
}
