/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.persistence.rocksdb;

import io.orrery.core.persistence.OperationStatus;
import io.orrery.core.persistence.PersistenceException;
import io.orrery.core.persistence.WalletOperation;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * RocksDB on a disk that fills up (a small tmpfs the test mounts, as root): writes fail while the disk is full, and
 * once space is freed the store takes writes again by itself, without a restart, with everything acknowledged
 * before still there. Needs root to mount; skipped elsewhere with a message, required where
 * {@code ORRERY_REQUIRE_MOUNT=1} (CI runs as root).
 */
class RocksDbDiskFullTest
{
    private static final long PLAYER = 7;
    private Path mountPoint;
    private boolean mounted;

    @BeforeEach
    void mount() throws Exception
    {
        mountPoint = Files.createTempDirectory("orrery-disk-full");
        final Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs",
            mountPoint.toString()).redirectErrorStream(true).start();
        final String output = new String(mount.getInputStream().readAllBytes());
        mounted = mount.waitFor(30, TimeUnit.SECONDS) && 0 == mount.exitValue();
        if (!mounted)
        {
            if ("1".equals(System.getenv("ORRERY_REQUIRE_MOUNT")))
            {
                fail("cannot mount a tmpfs for the disk-full test: " + output);
            }
            Assumptions.abort("cannot mount a tmpfs (needs root): " + output);
        }
    }

    @AfterEach
    void unmount() throws Exception
    {
        if (mounted)
        {
            new ProcessBuilder("umount", "-l", mountPoint.toString()).start().waitFor(30, TimeUnit.SECONDS);
        }
        Files.deleteIfExists(mountPoint);
    }

    @Test
    @Timeout(120)
    void shouldTakeWritesAgainOnceSpaceIsFreedWithoutARestart() throws Exception
    {
        final Path filler = mountPoint.resolve("filler");
        try (RocksDbPersistenceAdapter adapter = RocksDbPersistenceAdapter.open(mountPoint.resolve("store")))
        {
            final WalletOperation op = new WalletOperation();
            assertEquals(OperationStatus.OK, change(adapter, op, 1, 1000).status, "acknowledged before the disk fills");

            fill(filler);
            long operationId = 2;
            boolean failed = false;
            final long fillDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!failed)
            {
                try
                {
                    change(adapter, op, operationId, 1);
                    operationId++;
                }
                catch (final PersistenceException ex)
                {
                    failed = true;
                }
                if (System.nanoTime() > fillDeadline)
                {
                    fail("the disk never filled");
                }
            }
            final long acknowledged = 1000 + (operationId - 2);

            Files.delete(filler);
            final long resumeDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true)
            {
                try
                {
                    final WalletOperation done = change(adapter, op, operationId, 1);
                    assertTrue(OperationStatus.OK == done.status || OperationStatus.DUPLICATE == done.status);
                    break;
                }
                catch (final PersistenceException ex)
                {
                    if (System.nanoTime() > resumeDeadline)
                    {
                        fail("the store did not take writes within 30 s of space being freed: " + ex);
                    }
                    Thread.onSpinWait();
                }
            }
            assertEquals(acknowledged + 1, adapter.walletBalance(PLAYER), "nothing acknowledged lost, nothing twice");
        }
    }

    private static WalletOperation change(
        final RocksDbPersistenceAdapter adapter, final WalletOperation op, final long operationId, final long delta)
    {
        op.reset();
        op.operationId = operationId;
        op.playerId = PLAYER;
        op.delta = delta;
        adapter.changeWallet(op);
        return op;
    }

    private static void fill(final Path filler) throws IOException
    {
        final byte[] block = new byte[64 * 1024];
        try (RandomAccessFile file = new RandomAccessFile(filler.toFile(), "rw"))
        {
            while (true)
            {
                file.write(block);
            }
        }
        catch (final IOException full)
        {
            // the disk is full
        }
    }
}
