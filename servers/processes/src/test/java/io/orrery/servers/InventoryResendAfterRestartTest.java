/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers;

import io.orrery.persistence.rocksdb.RocksDbPersistenceAdapter;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A stow whose durable result a client never received (its layer was killed after the store committed it) is sent
 * again, with the same operation id, to the restarted layer on the same store: the store recorded the operation, so
 * the answer must be its outcome ({@code duplicate}, stowed), as it is for a resend to the same layer. This is what
 * a bot swarm does across a layer restart (SessionInventoryHook resends after 5 s), and the likely cause of the
 * inventory mismatches seen in restart runs.
 * <p>
 * It failed before the fix (the restarted layer answered {@code notFound}: InventoryService.onStowRequest answered
 * from the cache, where the stowed item no longer is, before the store's record of the operation was consulted; the
 * replay memory that answers resends to the same layer is in memory only). Now the layer asks the store for the
 * outcome recorded under (player, operation id) before refusing.
 */
@Tag("system")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class InventoryResendAfterRestartTest
{
    private static final long PLAYER = 9;

    @Test
    void shouldAnswerDuplicateWhenStowIsResentToRestartedLayerAfterItWasDurable(@TempDir final Path dir)
    {
        final InventoryPlayer player = new InventoryPlayer(PLAYER, new Histogram(TimeUnit.SECONDS.toNanos(60), 3));
        try (RocksDbPersistenceAdapter adapter = RocksDbPersistenceAdapter.open(dir.resolve("store")))
        {
            try (PersistentLayerRig rig = new PersistentLayerRig(adapter, 0, (ctx) -> {}))
            {
                player.session = rig.connect(PLAYER, player);
                // the starter item starts stowed: unstow it, then stow it again
                rig.await(() ->
                {
                    player.act();
                    return player.completed >= 2 && !player.pending;
                }, "an unstow and a stow");
                assertEquals(0, player.mismatches + player.refused + player.unavailable);
                assertEquals(true, player.stowed);
                assertEquals(true, player.pendingIsStow, "the last operation was the stow");
            }

            try (PersistentLayerRig rig = new PersistentLayerRig(adapter, 0, (ctx) -> {}))
            {
                player.session = rig.connect(PLAYER, player);
                // as if its result had been lost with the first layer: the same stow, same operation id, again
                player.pending = true;
                player.lastSentNs = System.nanoTime() - InventoryPlayer.RESEND_AFTER_NS - 1;
                final int completedBefore = player.completed;
                rig.await(() ->
                {
                    player.act();
                    return !player.pending;
                }, "the resent stow answered");
                assertEquals(0, player.refused, "refused (notFound) instead of its recorded outcome");
                assertEquals(completedBefore + 1, player.completed, "answered duplicate");
                assertEquals(0, player.mismatches);
                assertEquals(true, player.stowed);
            }
        }
    }
}
