/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core;

import io.aeron.Aeron;
import io.orrery.core.auth.SessionTokens;
import io.orrery.core.client.ClientLink;
import io.orrery.core.client.ClientListener;
import io.orrery.core.client.ClientSession;
import io.orrery.core.status.OrreryCounter;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The layer on its own threads (SHARED and DEDICATED) with the default scripted authority, and a client on the test
 * thread: it connects, sees the scripted world, moves, measures its input latency; the counters are readable from
 * another Aeron client, as AeronStat would read them.
 */
@Tag("system")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReplicationLayerThreadingTest
{
    @ParameterizedTest
    @EnumSource(value = ThreadingMode.class, names = { "SHARED", "DEDICATED" })
    void shouldStreamScriptedWorldWhenAgentsRunOnTheirOwnThreads(final ThreadingMode mode)
    {
        final ReplicationLayer.Context ctx = new ReplicationLayer.Context()
            .threadingMode(mode)
            .maxSessions(16)
            .maxEntities(8192);
        try (ReplicationLayer layer = ReplicationLayer.launch(ctx);
            Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(layer.aeronDirectoryName()));
            ClientLink link = new ClientLink(aeron, new ClientLink.Settings()))
        {
            final byte[] token = new SessionTokens(ctx.tokenSecret()).issue(77, System.currentTimeMillis() + 60_000);
            final ClientSession session = link.connect(token, ClientListener.NO_OP);
            final Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
            session.inputLatencyRecorder(latency::recordValue);

            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            long nextInputNs = 0;
            while (latency.getTotalCount() < 20 || session.view().size() < 2)
            {
                final long now = System.nanoTime();
                if (session.isConnected() && now >= nextInputNs)
                {
                    session.sendInput(1, 0, 0, 0, 0, 0, now);
                    nextInputNs = now + TimeUnit.MILLISECONDS.toNanos(20);
                }
                if (link.doWork() == 0)
                {
                    Thread.yield();
                }
                if (now > deadline)
                {
                    fail("no stream: state=" + session.state() + " view=" + session.view().size() +
                        " latency samples=" + latency.getTotalCount());
                }
            }

            assertTrue(session.isConnected());
            assertTrue(session.view().contains(session.playerEntityId()), "own entity");
            assertEquals(0, session.updatesForUnknownEntities());
            assertEquals(0, session.acknowledgementRegressions());

            final CountersReader counters = aeron.countersReader();
            final long[] sessionsActive = { -1 };
            counters.forEach((counterId, typeId, keyBuffer, label) ->
            {
                if (OrreryCounter.COUNTER_TYPE_ID == typeId && label.startsWith("orrery: client sessions active"))
                {
                    sessionsActive[0] = counters.getCounterValue(counterId);
                }
            });
            assertEquals(1, sessionsActive[0], "counter visible from another client");
        }
    }
}
