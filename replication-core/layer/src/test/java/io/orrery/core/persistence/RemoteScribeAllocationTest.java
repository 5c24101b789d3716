/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.persistence;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.orrery.test.AllocationMeter;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The layer's side of the Scribe link allocates nothing per operation in steady state: world upserts (both forms),
 * removals, operations of every kind, barriers and region loads offered, sent, answered and polled through a real
 * media driver, measured as bytes allocated by the calling thread around the {@link RemoteScribe} calls only (the
 * host, stepped on the same thread, is measured apart and reported, not asserted: it is another process's).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RemoteScribeAllocationTest
{
    private static final byte[] SECRET = "scribe-link-secret-for-tests".getBytes(StandardCharsets.UTF_8);
    private static final String CHANNEL = "aeron:ipc?term-length=4m";
    private static final int MAX_ROUNDS = 8;

    @TempDir
    Path dir;

    private final UnsafeBuffer state = new UnsafeBuffer(new byte[256]);
    private final NodeRecord node = new NodeRecord();
    private final CountingHandler handler = new CountingHandler();
    private RemoteScribe remote;
    private RemoteScribeHost host;
    private long layerBytes;
    private long hostBytes;
    private long nextOperationId = 1;
    private long offered;

    @Test
    void shouldNotAllocateOnTheLayerSideInSteadyState()
    {
        final MediaDriver driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(new File(dir.toFile(), "aeron").getAbsolutePath())
            .threadingMode(io.aeron.driver.ThreadingMode.SHARED)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        final Aeron layerAeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        final Aeron hostAeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        final TestPersistenceAdapter adapter = new TestPersistenceAdapter();
        final PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        Scribe scribe = null;
        try
        {
            scribe = Scribe.launch(new ScribeContext()
                .adapter(adapter)
                .ringSize(8192)
                .maxPendingOperations(512)
                .flushIntervalNs(TimeUnit.MILLISECONDS.toNanos(5)));
            host = new RemoteScribeHost(hostAeron, scribe, CHANNEL, 1601, SECRET, quiet);
            remote = RemoteScribe.launch(new RemoteScribeContext()
                .aeron(layerAeron)
                .channel(CHANNEL)
                .responseChannel(CHANNEL)
                .capacity(8192)
                .maxPendingOperations(512)
                .closeTimeoutNs(TimeUnit.SECONDS.toNanos(5))
                .linkSecret(SECRET)
                .log(quiet));
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!remote.isLinked() && System.nanoTime() < deadlineNs)
            {
                step();
            }
            assertTrue(remote.isLinked());

            runRound();
            runRound();
            long bytes = -1;
            for (int round = 1; round <= MAX_ROUNDS && 0 != bytes; round++)
            {
                layerBytes = 0;
                hostBytes = 0;
                final long offeredBefore = offered;
                runRound();
                bytes = layerBytes;
                System.out.println("round " + round + ": layer side " + layerBytes + " bytes over " +
                    (offered - offeredBefore) + " offers; host side (not asserted) " + hostBytes + " bytes");
            }
            assertTrue(handler.completions > 0 && handler.loaded > 0 && handler.loadsCompleted > 0);
            assertEquals(0, bytes, "bytes allocated by the layer's side of the Scribe link");
        }
        finally
        {
            CloseHelper.quietClose(remote);
            if (null != host)
            {
                host.onClose();
            }
            CloseHelper.quietCloseAll(scribe, hostAeron, layerAeron, driver);
        }
    }

    private void runRound()
    {
        for (int step = 0; step < 50; step++)
        {
            final long before = AllocationMeter.threadAllocatedBytes();
            for (int i = 0; i < 100; i++)
            {
                final long entityId = 1 + (step * 100L + i) % 1000;
                state.putLong(0, entityId + step);
                count(remote.offerNodeUpsert(
                    entityId, 3, 0, 0, false, entityId, step, i, 0, 0, 0, 1, 0.5f, 0, state, 0, 96));
            }
            node.reset();
            node.entityId = 5000 + step;
            node.archetypeId = 4;
            node.componentStateLength = 16;
            count(remote.offerNodeUpsert(node));
            count(remote.offerNodeRemoval(6000 + step));
            count(remote.offerWalletChange(nextOperationId++, 1, 7, 1));
            count(remote.offerReputationChange(nextOperationId++, 2, 7, 3, 1));
            count(remote.offerStow(nextOperationId++, 3, 7, 0, node));
            count(remote.offerUnstow(nextOperationId++, 4, 7, node));
            count(remote.offerOperationLookup(OperationType.STOW, nextOperationId - 2, 5, 7, node.entityId));
            if (0 == step % 10)
            {
                count(remote.offerLoadRegion(step, 0, 0, 0, 0, 100, 100, 100));
            }
            count(ScribeClient.BACK_PRESSURED != remote.flushNow());
            layerBytes += AllocationMeter.threadAllocatedBytes() - before;
            for (int i = 0; i < 20; i++)
            {
                step();
            }
        }
    }

    private void step()
    {
        long before = AllocationMeter.threadAllocatedBytes();
        remote.doWork();
        remote.pollCompletions(handler, 1000);
        remote.pollLoads(handler, 1000);
        layerBytes += AllocationMeter.threadAllocatedBytes() - before;
        before = AllocationMeter.threadAllocatedBytes();
        host.doWork();
        hostBytes += AllocationMeter.threadAllocatedBytes() - before;
    }

    private void count(final boolean taken)
    {
        if (taken)
        {
            offered++;
        }
    }

    private static final class CountingHandler implements CompletionHandler, LoadHandler
    {
        long completions;
        long loaded;
        long loadsCompleted;

        @Override
        public void onCompletion(
            final int operationType,
            final long operationId,
            final long correlationId,
            final int status,
            final int firstStatus,
            final long value)
        {
            completions++;
        }

        @Override
        public void onLoadedNode(final long correlationId, final NodeRecord node)
        {
            loaded++;
        }

        @Override
        public void onLoadComplete(final long correlationId, final int nodeCount)
        {
            loadsCompleted++;
        }
    }
}
