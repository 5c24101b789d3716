/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers.game;

import io.orrery.core.client.ClientListener;
import io.orrery.core.client.ClientSession;
import io.orrery.core.status.OrreryCounter;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How a client session finds its layer gone, and how a crowd of sessions resumes: the driver dropping the layer (its
 * response image closed, or its ingress publication without subscriber) is seen without waiting for any timeout,
 * silence of three heartbeat intervals is a loss while a quiet but live layer never is, and sessions whose resume hellos a layer answers late (after the hellos were sent again) open one layer session
 * each. A layer on an external media driver, stepped with a controlled clock; no game server (the welcome and the
 * heartbeats come from the layer alone).
 */
@Tag("system")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClientLayerLossTest
{
    private static final String ONE_SERVER = String.join("\n",
        "servers 1",
        "territory 1 server 1 box -inf -inf -inf inf inf inf",
        "spawn 0 0 0 1",
        "");
    private static final long FIRST_PLAYER = 2_000_001;

    /**
     * Records the callbacks of one session.
     */
    static final class Recorder implements ClientListener
    {
        int resumesStarted;
        int lastCause;
        int welcomes;
        int disconnects;

        @Override
        public void onResumeStarted(final ClientSession session, final int cause)
        {
            resumesStarted++;
            lastCause = cause;
        }

        @Override
        public void onWelcome(final ClientSession session)
        {
            welcomes++;
        }

        @Override
        public void onDisconnect(final ClientSession session, final int reason)
        {
            disconnects++;
        }
    }

    @Test
    void shouldStartResumingWhenTheDriverDropsTheLayerWithoutWaitingForSilence()
    {
        try (MeshRig rig = new MeshRig(ONE_SERVER, (ctx) -> {}, true))
        {
            final Recorder recorder = new Recorder();
            final ClientSession session = rig.connect(FIRST_PLAYER, recorder);
            rig.ticks(10);
            final long lossNs = rig.clock.nanoTime();

            // killed and reaped by the media driver: its publications go, no Disconnect comes
            rig.freezeLayer();
            rig.layer.context().aeron().close();
            // the clock stands still: only the media driver can tell the session, by closing its response image or
            // by taking the subscriber from its ingress publication (whichever the link sees first)
            rig.await(() -> ClientSession.State.RESUMING == session.state(), "resuming on the closed image");
            assertEquals(lossNs, rig.clock.nanoTime());
            assertEquals(1, recorder.resumesStarted);
            assertTrue(ClientSession.LOSS_IMAGE_CLOSED == recorder.lastCause ||
                ClientSession.LOSS_INGRESS_GONE == recorder.lastCause, "cause " + recorder.lastCause);
            assertEquals(recorder.lastCause, session.lastLossCause());
            assertEquals(0, recorder.disconnects, "resuming, not ended");

            rig.closeLayer();
            rig.launchLayer();
            // past the first hello's jitter, then no virtual time while the media driver connects everything: a
            // clock racing ahead of the driver would time the new session out before its client sees the welcome
            rig.clock.advance(TimeUnit.SECONDS.toNanos(1));
            rig.await(session::isConnected, "resumed");
            assertEquals(1, session.resumptions());
            assertEquals(2, recorder.welcomes);
            assertEquals(1, rig.layer.counter(OrreryCounter.SESSIONS_OPENED), "one layer session for the resumption");
        }
    }

    @Test
    void shouldTakeThreeSilentHeartbeatIntervalsAsLossButNeverAQuietLiveLayer()
    {
        try (MeshRig rig = new MeshRig(ONE_SERVER, (ctx) -> {}, true))
        {
            final Recorder recorder = new Recorder();
            final ClientSession session = rig.connect(FIRST_PLAYER, recorder);
            final long heartbeatNs = session.heartbeatIntervalNs();
            assertEquals(3 * heartbeatNs, session.layerSilenceTimeoutNs());

            // nothing moves in its world: the layer sends heartbeats only, for six silence timeouts
            rig.ticks((int)(6 * session.layerSilenceTimeoutNs() / MeshRig.TICK_NS));
            assertTrue(session.isConnected(), "a quiet live layer is not lost");
            assertEquals(0, recorder.resumesStarted);

            rig.freezeLayer(); // killed: nothing more comes, its image stays while the driver thinks it alive
            final long frozenNs = rig.clock.nanoTime();
            rig.ticksUntil(() -> ClientSession.State.RESUMING == session.state(), 300,
                () -> "resuming on silence: " + session.state());
            final long silentNs = rig.clock.nanoTime() - session.lastReceivedNs();
            assertEquals(ClientSession.LOSS_SILENCE, recorder.lastCause);
            assertTrue(silentNs > 3 * heartbeatNs && silentNs <= 3 * heartbeatNs + 2 * MeshRig.TICK_NS,
                "lost after three heartbeat intervals of silence: " + silentNs);
            assertTrue(rig.clock.nanoTime() - frozenNs < TimeUnit.SECONDS.toNanos(5),
                "before the session timeout");
        }
    }

    @Test
    void shouldOpenOneLayerSessionPerResumptionWhenTheLayerAnswersResumeHellosLate()
    {
        final int sessions = 24;
        try (MeshRig rig = new MeshRig(ONE_SERVER, (ctx) -> {}, true))
        {
            final List<ClientSession> clients = new ArrayList<>();
            for (int i = 0; i < sessions; i++)
            {
                clients.add(rig.connect(FIRST_PLAYER + i));
            }
            rig.ticks(5);

            rig.closeLayer(); // a clean stop: the layer says it shuts down, the sessions resume
            rig.await(() -> allResuming(clients), "every session resuming");
            assertEquals(ClientSession.LOSS_SHUTDOWN, clients.get(0).lastLossCause());
            rig.launchLayer();
            rig.freezeLayer(); // up, but too busy to read its ingress: the hellos wait in its images
            rig.clock.advance(TimeUnit.SECONDS.toNanos(1));
            rig.await(() -> allSentAHello(clients), "every first resume hello sent");
            rig.ticks((int)(TimeUnit.SECONDS.toNanos(8) / MeshRig.TICK_NS));
            long hellos = 0;
            for (final ClientSession client : clients)
            {
                hellos += client.resumeAttempts();
            }
            assertTrue(hellos >= 2L * sessions, "unanswered hellos were sent again: " + hellos);

            rig.thawLayer();
            // no virtual time while the driver connects the welcomes' publications (see above)
            rig.await(() -> allConnected(clients), "every session resumed");
            rig.ticks(30);
            for (final ClientSession client : clients)
            {
                assertEquals(1, client.resumptions());
                assertTrue(client.isConnected());
            }
            assertEquals(sessions, rig.layer.counter(OrreryCounter.SESSIONS_OPENED),
                "one layer session per resumption, none for an abandoned hello");
            assertEquals(hellos - sessions, rig.layer.counter(OrreryCounter.HELLOS_ON_BOUND_IMAGE),
                "every resend after the first hello was ignored by the layer");
            assertEquals(0, rig.layer.counter(OrreryCounter.REJECTED_DUPLICATE_SESSION));
            assertEquals(0, rig.clients.unknownImageMessages(), "no welcome for a hello the client gave up on");
        }
    }

    private static boolean allSentAHello(final List<ClientSession> clients)
    {
        for (final ClientSession client : clients)
        {
            if (client.resumeAttempts() < 1)
            {
                return false;
            }
        }
        return true;
    }

    private static boolean allResuming(final List<ClientSession> clients)
    {
        for (final ClientSession client : clients)
        {
            if (ClientSession.State.RESUMING != client.state())
            {
                return false;
            }
        }
        return true;
    }

    private static boolean allConnected(final List<ClientSession> clients)
    {
        for (final ClientSession client : clients)
        {
            if (!client.isConnected())
            {
                return false;
            }
        }
        return true;
    }
}
