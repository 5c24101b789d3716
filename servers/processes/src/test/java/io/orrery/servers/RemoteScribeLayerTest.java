/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.orrery.core.common.EntityIds;
import io.orrery.core.persistence.RemoteScribe;
import io.orrery.core.persistence.RemoteScribeContext;
import io.orrery.core.persistence.RemoteScribeHost;
import io.orrery.core.persistence.Scribe;
import io.orrery.core.persistence.ScribeContext;
import io.orrery.core.replicant.EntityStore;
import io.orrery.core.status.OrreryCounter;
import io.orrery.persistence.rocksdb.RocksDbPersistenceAdapter;
import org.HdrHistogram.Histogram;
import org.agrona.CloseHelper;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Replication Layer persisting through a Scribe "process" ({@link RemoteScribeHost} over a Scribe on a real RocksDB
 * store, on its own Aeron client and thread) on an external media driver: the scripted world and a player's unstow
 * written through the link; the Scribe gone while the layer runs (the layer keeps ticking, the player's stow waits)
 * and back (the stow completes once); a second layer restores the world through the link.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RemoteScribeLayerTest
{
    private static final byte[] LINK_SECRET = "scribe-link-secret-for-layer-tests".getBytes(StandardCharsets.UTF_8);
    private static final String CHANNEL = "aeron:ipc?term-length=4m";

    @TempDir
    Path dir;

    private MediaDriver driver;

    @Test
    void shouldPersistAndRestoreTheWorldThroughAScribeProcessAndRideOutItsLoss()
    {
        driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(new File(dir.toFile(), "aeron").getAbsolutePath())
            .threadingMode(io.aeron.driver.ThreadingMode.SHARED)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        final ByteArrayOutputStream layerLog = new ByteArrayOutputStream();
        final Long2LongHashMap xBefore = new Long2LongHashMap(Long.MIN_VALUE);
        final long starterItem = EntityIds.starterItemId(7);
        ScribeProcess scribe = new ScribeProcess();
        try
        {
            try (PersistentLayerRig rig = new PersistentLayerRig(null, 300, remote(layerLog)))
            {
                final RemoteScribe remote = (RemoteScribe)rig.layer.replicant().scribeClient();
                assertTrue(null == rig.layer.replicant().scribe(), "no Scribe in the layer's process");
                final InventoryPlayer player = new InventoryPlayer(7, new Histogram(3));
                player.session = rig.connect(7, player);
                rig.await(() -> player.act() || player.pending, "unstow sent");
                rig.await(() -> !player.pending, "starter item unstowed");
                assertEquals(1, player.completed);

                // the Scribe process goes: the layer says so and keeps serving; the player's stow waits
                scribe.close();
                scribe = null;
                rig.await(() -> remote.linksLost() == 1, "link loss seen");
                rig.await(() -> player.act() || player.pending, "stow sent");
                final long ticks = rig.layer.counter(OrreryCounter.TICKS);
                rig.runFor(TimeUnit.MILLISECONDS.toNanos(500));
                assertTrue(rig.layer.counter(OrreryCounter.TICKS) > ticks, "the layer ticks on");
                assertTrue(player.pending, "the stow waits for the store");

                // back: the stow completes, once
                scribe = new ScribeProcess();
                rig.await(() -> !player.pending, "stow answered after the relink");
                assertEquals(2, player.completed, "refused " + player.refused + ", unavailable " + player.unavailable +
                    ", resends " + player.resends + ", mismatches " + player.mismatches);
                assertEquals(0, player.mismatches + player.refused);
                assertTrue(layerLog.toString(StandardCharsets.UTF_8).contains("lost"), layerLog.toString());
                rig.runFor(TimeUnit.MILLISECONDS.toNanos(500));
                snapshot(rig.layer.replicant().store(), xBefore);
            }
            assertTrue(xBefore.size() > 300, "entities before: " + xBefore.size());
            scribe.close();
            try (RocksDbPersistenceAdapter adapter = RocksDbPersistenceAdapter.open(dir.resolve("store")))
            {
                assertTrue(adapter.isStowed(starterItem), "the stow made while the Scribe was away is durable");
                assertEquals(xBefore.size(), adapter.nodeCount(), "every entity written through the link");
            }

            scribe = new ScribeProcess();
            try (PersistentLayerRig rig = new PersistentLayerRig(null, 300, remote(layerLog)))
            {
                assertEquals(xBefore.size(), rig.layer.counter(OrreryCounter.ENTITIES_RESTORED));
                final EntityStore store = rig.layer.replicant().store();
                xBefore.forEach((id, x) ->
                {
                    final int slot = store.slotOf(id);
                    assertTrue(slot >= 0, "restored " + id);
                    assertEquals(x, store.positionX(slot), "x of " + id);
                });
                assertFalse(EntityStore.NULL_SLOT != store.slotOf(starterItem), "the stowed item stays stowed");
            }
        }
        finally
        {
            if (null != scribe)
            {
                scribe.close();
            }
            CloseHelper.quietClose(driver);
        }
    }

    private Consumer<io.orrery.core.ReplicationLayer.Context> remote(final ByteArrayOutputStream log)
    {
        return (ctx) ->
        {
            ctx.aeronDirectoryName(driver.aeronDirectoryName()).launchEmbeddedMediaDriver(false);
            ctx.scribe().remote(new RemoteScribeContext()
                .channel(CHANNEL)
                .responseChannel(CHANNEL)
                .linkTimeoutNs(TimeUnit.MILLISECONDS.toNanos(500))
                .helloIntervalNs(TimeUnit.MILLISECONDS.toNanos(50))
                .capacity(16 * 1024)
                .maxPendingOperations(1024)
                .linkSecret(LINK_SECRET)
                .log(new PrintStream(log, true, StandardCharsets.UTF_8)));
        };
    }

    private static void snapshot(final EntityStore store, final Long2LongHashMap into)
    {
        for (int i = 0; i < store.activeCount(); i++)
        {
            final int slot = store.activeSlot(i);
            final long id = store.entityId(slot);
            if (!EntityIds.isPlayer(id))
            {
                into.put(id, store.positionX(slot));
            }
        }
    }

    /**
     * What ScribeServer runs, in this JVM: its own Aeron client, a Scribe on the store, the host on its own thread.
     */
    private final class ScribeProcess implements AutoCloseable
    {
        final Aeron aeron;
        final RocksDbPersistenceAdapter adapter;
        final Scribe scribe;
        final AgentRunner runner;

        ScribeProcess()
        {
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
            adapter = RocksDbPersistenceAdapter.open(dir.resolve("store"));
            scribe = Scribe.launch(new ScribeContext().adapter(adapter).name("test-scribe").aeron(aeron));
            runner = new AgentRunner(new BackoffIdleStrategy(), Throwable::printStackTrace, null,
                new RemoteScribeHost(aeron, scribe, CHANNEL, RemoteScribeContext.STREAM_ID_DEFAULT, LINK_SECRET,
                System.err));
            AgentRunner.startOnThread(runner);
        }

        @Override
        public void close()
        {
            CloseHelper.quietClose(runner);
            CloseHelper.quietClose(scribe);
            CloseHelper.quietCloseAll(adapter, aeron);
        }
    }
}
