/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core;

import io.aeron.Counter;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.orrery.core.common.SessionHandover;
import io.orrery.core.replicant.EntityStore;
import io.orrery.core.replicant.InterestEngine;
import io.orrery.core.replicant.ReplicantAgent;
import io.orrery.core.status.OrreryCounter;
import io.orrery.wire.codec.DisconnectEncoder;
import io.orrery.wire.codec.DisconnectReason;
import io.orrery.wire.codec.MessageHeaderEncoder;
import org.agrona.CloseHelper;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Replicant stepped on its own, fed by the test in the Gateway's place: a reconnect whose new session is handed
 * over in the same duty cycle as, and so before, the old session's disconnect. (The hybrid in INVOKER mode cannot
 * produce that order: a new hello is only accepted after the Gateway wrote the old session's disconnect, and its
 * publication connects cycles later. With the roles on their own threads it happens within one long tick.)
 */
@Tag("system")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReplicantReconnectOrderTest
{
    private static final long PLAYER = 7;
    private static final long OBSERVING_PLAYER = 8;

    private TestShard shard;
    private Counter[] counters;
    private ReplicantAgent replicant;
    private final OneToOneRingBuffer fromGateway = ReplicationLayer.newRing(64 * 1024);
    private final OneToOneRingBuffer toGateway = ReplicationLayer.newRing(64 * 1024);
    private final OneToOneConcurrentArrayQueue<SessionHandover> handovers =
        new OneToOneConcurrentArrayQueue<>(16);
    private final List<Subscription> subscriptions = new ArrayList<>();
    private int streamId = 3001;

    @AfterEach
    void after()
    {
        if (null != replicant)
        {
            replicant.onClose();
        }
        CloseHelper.quietCloseAll(subscriptions);
        CloseHelper.quietCloseAll(counters);
        CloseHelper.quietClose(shard);
    }

    @Test
    void shouldKeepReconnectedPlayerWhenNewSessionIsTakenOverBeforeOldSessionsDisconnect() throws Exception
    {
        shard = new TestShard();
        counters = OrreryCounter.allocate(shard.clientAeron, "reconnect-order");
        final ReplicationLayer.Context ctx = shard.layer.context();
        replicant = new ReplicantAgent(ctx, ctx.replicant(), ctx.scribe(), ctx.maxSessions(), ctx.heartbeatIntervalNs(),
            counters, fromGateway, toGateway, handovers);
        shard.authority.spawnPlayerAt(PLAYER, 10 * TestShard.MM);

        handovers.offer(handover(11, PLAYER));
        handovers.offer(handover(12, OBSERVING_PLAYER));
        tick();
        final InterestEngine engine = replicant.engine();
        final EntityStore store = replicant.store();
        assertTrue(engine.inView(engine.observerIndex(12), PLAYER));
        final long createdSeqBefore = store.createdSeq(store.slotOf(PLAYER));

        // the same duty cycle sees the new session's handover and, after it, the old session's disconnect
        handovers.offer(handover(13, PLAYER));
        disconnect(11);
        tick();

        final int slot = store.slotOf(PLAYER);
        assertNotEquals(EntityStore.NULL_SLOT, slot, "the reconnected player has its entity");
        assertNotEquals(createdSeqBefore, store.createdSeq(slot), "left, then joined again");
        assertEquals(1, replicant.rejoinsAfterOvertakenLeave());
        assertTrue(engine.inView(engine.observerIndex(12), PLAYER), "the other player still sees it");
        assertTrue(engine.inView(engine.observerIndex(13), PLAYER), "the new session follows it");
        assertEquals(-1, engine.observerIndex(11));
    }

    private void tick()
    {
        shard.clock.advance(TestShard.TICK_NS);
        replicant.tickNow();
        replicant.doWork();
    }

    private SessionHandover handover(final long sessionId, final long playerId) throws Exception
    {
        final String channel = "aeron:ipc?term-length=64k";
        final int stream = streamId++;
        subscriptions.add(shard.clientAeron.addSubscription(channel, stream));
        final ExclusivePublication publication = shard.clientAeron.addExclusivePublication(channel, stream);
        shard.await(publication::isConnected, "egress of session " + sessionId);
        return new SessionHandover(sessionId, playerId, publication, null);
    }

    private void disconnect(final long sessionId)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        final DisconnectEncoder encoder = new DisconnectEncoder();
        encoder.wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .sessionId(sessionId)
            .reason(DisconnectReason.clientRequest);
        assertTrue(fromGateway.write(DisconnectEncoder.TEMPLATE_ID, buffer, 0,
            MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength()));
    }
}
