/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers.game;

import io.orrery.core.client.ClientSession;
import io.orrery.core.client.LatencyRecorder;
import io.orrery.core.persistence.PersistenceAdapter;
import io.orrery.persistence.memory.InMemoryPersistenceAdapter;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How a client session accounts for its inputs across a layer loss: offers back-pressured by a layer that then turns
 * out to be gone are inputs the link never managed to send (not back-pressure of a live layer), inputs sent and not
 * acknowledged when the layer went are lost with it (counted, never measured), while back-pressure from a layer
 * heard from afterwards stays back-pressure. One thread, a controlled clock, a game server that rejoins.
 */
@Tag("system")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class InputAccountingAcrossLayerLossTest
{
    private static final String ONE_SERVER = String.join("\n",
        "servers 1",
        "territory 1 server 1 box -inf -inf -inf inf inf inf",
        "spawn 0 0 0 1",
        "");
    private static final long PLAYER = 2_000_011;
    private static final int MAX_OFFERS = 100_000;

    @Test
    void shouldCountInputsOfferedToGoneLayerAsLostNotAsBackPressureOrLatency()
    {
        final AtomicReference<PersistenceAdapter> store = new AtomicReference<>(new InMemoryPersistenceAdapter());
        try (MeshRig rig = new MeshRig(ONE_SERVER, (ctx) -> ctx
            .sessionTimeoutNs(TimeUnit.SECONDS.toNanos(60))
            .persistenceAdapter(store.get())
            .persistenceFlushIntervalNs(TimeUnit.MILLISECONDS.toNanos(20)), true).paceWelcomes())
        {
            final GameServerAgent server = rig.addServer(
                1, new WorldSettings().npcsPerTerritory(0).seed(3), MeshRig.SECRET, TimeUnit.SECONDS.toNanos(30));
            rig.await(() -> GameServerAgent.STATE_RUNNING == server.state(), "server welcomed");
            final ClientSession a = rig.connect(PLAYER);
            final CountingRecorder latency = new CountingRecorder();
            a.inputLatencyRecorder(latency);
            rig.ticksUntil(() -> a.view().contains(PLAYER), 90, "own entity seen");
            long sequence = 0;
            for (int i = 0; i < 10; i++)
            {
                sequence = rig.send(a, 0, 1);
                rig.tick();
            }
            final long lastBefore = sequence;
            rig.ticksUntil(() -> a.lastAcknowledgedInput() == lastBefore, 60, "inputs acknowledged");
            assertEquals(lastBefore, latency.count, "each acknowledged input measured once");

            // a live but stalled layer: its ingress fills, then it is heard from again
            rig.freezeLayer();
            rig.drain();
            final long liveBackPressured = offerUntilBackPressured(rig, a);
            assertTrue(liveBackPressured > 0, "back-pressured while frozen");
            rig.thawLayer();
            final long thawedAtNs = rig.clock.nanoTime();
            rig.ticksUntil(() -> a.lastReceivedNs() - thawedAtNs > 0 && a.lastAcknowledgedInput() > lastBefore, 90,
                "the layer heard from again");
            rig.ticks(30); // the layer's input rate limit drops part of the burst; its bucket refills
            final long afterThaw = rig.send(a, 0, 1); // retried while the layer drains its backlog: more counted
            rig.ticksUntil(() -> a.lastAcknowledgedInput() == afterThaw, 90, "an input after the thaw acknowledged");
            final long live = a.inputsBackPressured();
            assertTrue(live >= liveBackPressured, "a live layer's back-pressure stays counted");

            // the layer dies with inputs in its ingress: offers back-pressured after it was last heard from
            rig.freezeLayer();
            rig.drain();
            final long acknowledgedAtFreeze = a.lastAcknowledgedInput();
            final long deadBackPressured = offerUntilBackPressured(rig, a);
            final long sentToDeadLayer = a.inputSequence() - acknowledgedAtFreeze;
            assertTrue(sentToDeadLayer > 0, "inputs sent to the dead layer");
            assertEquals(live + deadBackPressured, a.inputsBackPressured(), "not yet known dead");
            final long unsentBefore = a.inputsUnsentLayerGone();
            final long measuredBefore = latency.count;
            rig.ticksUntil(() -> ClientSession.State.RESUMING == a.state(), 300,
                () -> "resuming after the layer's silence: " + a.state());
            assertEquals(live, a.inputsBackPressured(), "the dead layer's back-pressure moved out");
            assertEquals(unsentBefore + deadBackPressured, a.inputsUnsentLayerGone(), "never sent: layer gone");
            assertEquals(sentToDeadLayer, a.inputsUnacknowledgedAtLayerLoss(), "sent, unacknowledged, lost");

            rig.closeLayer();
            store.set(new InMemoryPersistenceAdapter());
            rig.ticks(30);
            rig.launchLayer();
            rig.ticksUntil(() -> a.isConnected() && a.view().contains(PLAYER) &&
                GameServerAgent.STATE_RUNNING == server.state() && 1 == server.world().playerCount(), 600,
                () -> "resumed: " + a.state() + " server " + server.state());
            final long lostThrough = a.inputSequence();
            for (int i = 0; i < 5; i++)
            {
                sequence = rig.send(a, 1, 0);
                rig.tick();
            }
            final long lastAfter = sequence;
            rig.ticksUntil(() -> a.lastAcknowledgedInput() == lastAfter, 90, "inputs after the resumption applied");
            assertEquals(lastAfter - lostThrough, latency.count - measuredBefore,
                "only the inputs sent to the new layer measured, not the ones lost with the old");
            assertEquals(0, a.inputsUnmeasured());
            assertEquals(sentToDeadLayer, a.inputsUnacknowledgedAtLayerLoss(), "a fresh store restored none");
            assertEquals(0, a.acknowledgementRegressions());
            assertEquals(0, server.world().inputsDuplicate(), "nothing applied twice");
        }
    }

    /**
     * Offer inputs (no polling, so a frozen layer reads none) until the publication back-pressures a few times.
     *
     * @return offers back-pressured.
     */
    private static long offerUntilBackPressured(final MeshRig rig, final ClientSession session)
    {
        final long before = session.inputsBackPressured();
        for (int i = 0; i < MAX_OFFERS && session.inputsBackPressured() - before < 3; i++)
        {
            session.sendInput(0, 1, 0, 0, 0, 0, rig.clock.nanoTime());
        }
        return session.inputsBackPressured() - before;
    }

    private static final class CountingRecorder implements LatencyRecorder
    {
        long count;

        @Override
        public void recordNs(final long valueNs)
        {
            count++;
        }
    }
}
