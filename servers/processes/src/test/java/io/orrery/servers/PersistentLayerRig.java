/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers;

import io.aeron.Aeron;
import io.orrery.core.ReplicationLayer;
import io.orrery.core.ThreadingMode;
import io.orrery.core.auth.SessionTokens;
import io.orrery.core.authority.ScriptedAuthority;
import io.orrery.core.client.ClientLink;
import io.orrery.core.client.ClientListener;
import io.orrery.core.client.ClientSession;
import io.orrery.core.persistence.PersistenceAdapter;
import org.agrona.CloseHelper;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A persistent Replication Layer in INVOKER mode with the scripted authority over a real embedded media driver, and a
 * client link, both stepped on the test thread with the system clock; Scribe's consumer is stepped in the layer's
 * duty cycle too (ThreadingMode.INVOKER).
 * Conditions are awaited with wall-clock deadlines.
 */
final class PersistentLayerRig implements AutoCloseable
{
    static final byte[] SECRET = "persist-test-secret-0123456789ab".getBytes(StandardCharsets.UTF_8);
    static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(30);

    final ReplicationLayer layer;
    final Aeron aeron;
    final ClientLink link;
    private final SessionTokens tokens = new SessionTokens(SECRET);

    PersistentLayerRig(
        final PersistenceAdapter adapter, final int npcs, final Consumer<ReplicationLayer.Context> customise)
    {
        final ReplicationLayer.Context ctx = new ReplicationLayer.Context()
            .threadingMode(ThreadingMode.INVOKER)
            .tokenSecret(SECRET)
            .authority(new ScriptedAuthority(new ScriptedAuthority.Settings().npcCount(npcs).shipCount(2)))
            .persistenceAdapter(adapter)
            .persistenceFlushIntervalNs(TimeUnit.MILLISECONDS.toNanos(50))
            .maxSessions(64)
            .maxEntities(16 * 1024)
            .bandwidthBytesPerTick(64 * 1024);
        customise.accept(ctx);
        layer = ReplicationLayer.launch(ctx);
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(layer.aeronDirectoryName()));
        link = new ClientLink(aeron, new ClientLink.Settings().responseStreamId(2001));
    }

    ClientSession connect(final long playerId, final ClientListener listener)
    {
        final ClientSession session = link.connect(
            tokens.issue(playerId, System.currentTimeMillis() + 600_000), listener);
        await(session::isConnected, "handshake of player " + playerId);
        return session;
    }

    int poll()
    {
        return layer.doWork() + link.doWork();
    }

    void await(final BooleanSupplier condition, final String what)
    {
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        while (!condition.getAsBoolean())
        {
            if (poll() == 0)
            {
                Thread.yield();
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                fail("timed out waiting for " + what);
            }
        }
    }

    /**
     * Run the layer and the link for a while (wall clock).
     */
    void runFor(final long durationNs)
    {
        final long endNs = System.nanoTime() + durationNs;
        while (System.nanoTime() - endNs < 0)
        {
            if (poll() == 0)
            {
                Thread.yield();
            }
        }
    }

    @Override
    public void close()
    {
        CloseHelper.quietClose(link);
        CloseHelper.quietClose(aeron);
        CloseHelper.quietClose(layer);
    }
}
