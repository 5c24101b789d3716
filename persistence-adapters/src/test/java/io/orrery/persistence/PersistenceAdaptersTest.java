/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.persistence;

import io.orrery.core.persistence.PersistenceAdapter;
import io.orrery.persistence.memory.InMemoryPersistenceAdapter;
import io.orrery.persistence.postgres.PostgresPersistenceAdapter;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Store URIs (the RocksDB and PostgreSQL schemes are opened for real in their adapter tests).
 */
class PersistenceAdaptersTest
{
    @Test
    void shouldOpenInMemoryStoreWhenUriIsMemory()
    {
        try (PersistenceAdapter adapter = PersistenceAdapters.open("memory:"))
        {
            assertInstanceOf(InMemoryPersistenceAdapter.class, adapter);
            assertEquals(0, adapter.nodeCount());
        }
    }

    @Test
    void shouldRejectUriWhenSchemeIsUnknownOrIncomplete()
    {
        assertThrows(IllegalArgumentException.class, () -> PersistenceAdapters.open("mysql://localhost/orrery"));
        assertThrows(IllegalArgumentException.class, () -> PersistenceAdapters.open("rocksdb:"));
        assertThrows(IllegalArgumentException.class, () -> PersistenceAdapters.open(" "));
    }

    @Test
    void shouldTranslateLibpqUrlWhenGivenPostgresqlScheme()
    {
        assertEquals(
            "jdbc:postgresql://db.example:5433/orrery?sslmode=require&user=scribe&password=s%40cret",
            PostgresPersistenceAdapter.toJdbcUrl(
                "postgresql://scribe:s%40cret@db.example:5433/orrery?sslmode=require"));
        assertEquals("jdbc:postgresql://localhost/orrery?user=scribe",
            PostgresPersistenceAdapter.toJdbcUrl("postgresql://scribe@localhost/orrery"));
        assertEquals("jdbc:postgresql://h/db?currentSchema=s",
            PostgresPersistenceAdapter.toJdbcUrl("jdbc:postgresql://h/db?currentSchema=s"));
        assertThrows(IllegalArgumentException.class, () -> PostgresPersistenceAdapter.toJdbcUrl("mysql://h/db"));
    }
}
