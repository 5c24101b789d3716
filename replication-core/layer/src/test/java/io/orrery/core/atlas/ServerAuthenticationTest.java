/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.aeron.ExclusivePublication;
import io.orrery.core.client.ClientListener;
import io.orrery.core.client.ClientSession;
import io.orrery.core.server.ServerLink;
import io.orrery.core.status.OrreryCounter;
import io.orrery.wire.codec.EntityStateBatchEncoder;
import io.orrery.wire.codec.MessageHeaderEncoder;
import io.orrery.wire.codec.RejectReason;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Servers must authenticate with a server token naming a configured server id; anything else on the server ingress
 * is counted and ignored without harming the shard.
 */
@Tag("system")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServerAuthenticationTest
{
    private MeshTestShard shard;

    @AfterEach
    void after()
    {
        if (null != shard)
        {
            shard.close();
        }
    }

    private TestGameServer start(final int serverId, final byte[] token)
    {
        final TestGameServer server = new TestGameServer(serverId, 30, null);
        return shard.startServer(server, shard.serverContext(serverId, server).token(token));
    }

    @Test
    void shouldRejectBadForeignAndPlayerTokensAndUnknownServerIds()
    {
        shard = new MeshTestShard(MeshHandoffTest.TWO_SERVERS);

        final byte[] forged = shard.serverToken(1);
        forged[20] ^= 1;
        final TestGameServer badSignature = start(1, forged);
        assertEquals(ServerLink.State.REJECTED, badSignature.link.state());
        assertEquals(RejectReason.badToken.value(), badSignature.rejectedReason);

        final TestGameServer playerToken = start(1, shard.playerTokens.issue(1, System.currentTimeMillis() + 60_000));
        assertEquals(RejectReason.badToken.value(), playerToken.rejectedReason, "a player token is no server token");

        final TestGameServer otherId = start(2, shard.serverToken(1));
        assertEquals(RejectReason.badToken.value(), otherId.rejectedReason, "token names another server");

        final TestGameServer unknown = start(9, shard.serverToken(9));
        assertEquals(RejectReason.unknownServer.value(), unknown.rejectedReason);

        final TestGameServer expired = start(1, shard.serverTokens.issue(1, System.currentTimeMillis() - 1));
        assertEquals(RejectReason.expiredToken.value(), expired.rejectedReason);

        final ClientSession serverTokenAsPlayer = shard.clientLink.connect(shard.serverToken(1),
            ClientListener.NO_OP);
        shard.await(() -> serverTokenAsPlayer.state() == ClientSession.State.REJECTED, "player reject");
        assertEquals(RejectReason.badToken.value(), serverTokenAsPlayer.rejectReason(),
            "a server token is no player token");

        assertEquals(5, shard.counter(OrreryCounter.SERVER_HELLOS_REJECTED));
        assertEquals(0, shard.counter(OrreryCounter.SERVERS_CONNECTED));

        final TestGameServer good = start(1, shard.serverToken(1));
        assertTrue(good.welcomed);
        assertEquals(1, good.territoriesGranted);
    }

    @Test
    void shouldCountAndIgnoreMalformedAndUnauthenticatedFramesWithoutHarmingShard()
    {
        shard = new MeshTestShard(MeshHandoffTest.TWO_SERVERS);
        final TestGameServer one = shard.startServer(1, null);
        shard.startServer(2, null);
        final ClientSession bot = shard.connect(1, ClientListener.NO_OP);
        shard.ticksUntil(() -> one.owns(1), 10, "player streamed in");

        final ExclusivePublication rogue = shard.aeron.addExclusivePublication(
            ServerLink.Context.INGRESS_CHANNEL_DEFAULT, ServerLink.Context.INGRESS_STREAM_ID_DEFAULT);
        shard.await(rogue::isConnected, "rogue publication");
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[512]);

        // garbage, a truncated batch, then a well-formed batch claiming server 1's id from an unauthenticated image
        for (int i = 0; i < 64; i++)
        {
            buffer.putByte(i, (byte)(i * 37));
        }
        offer(rogue, buffer, 64);
        final EntityStateBatchEncoder batch = new EntityStateBatchEncoder();
        final EntityStateBatchEncoder.StatesEncoder states = batch
            .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .serverId(1)
            .tick(1)
            .serverTimeNs(0)
            .statesCount(1);
        states.next().entityId(1).authorityEpoch(1).parentZoneId(0);
        states.position().x(-500_000).y(0).z(0);
        states.orientation().x(0).y(0).z(0).w(1);
        states.velocity().x(0).y(0).z(0);
        states.radius(1).lastAppliedInputSequence(0).putComponentState(buffer, 0, 0);
        final int length = batch.limit();
        offer(rogue, buffer, length - 20);
        offer(rogue, buffer, length);
        shard.await(() -> shard.counter(OrreryCounter.SERVER_MESSAGES_MALFORMED) +
            shard.counter(OrreryCounter.SERVER_MESSAGES_NOT_AUTHENTICATED) >= 3, "rogue frames polled");
        shard.drain();

        assertEquals(2, shard.counter(OrreryCounter.SERVER_MESSAGES_MALFORMED));
        assertEquals(1, shard.counter(OrreryCounter.SERVER_MESSAGES_NOT_AUTHENTICATED));
        final int slot = shard.store().slotOf(1);
        assertTrue(shard.store().positionX(slot) > -500_000, "the forged write was not applied");

        // the shard is unharmed: server 1 still simulates the player, the client still gets its updates
        final long updatesBefore = bot.updatesReceived();
        for (int i = 0; i < 5; i++)
        {
            bot.sendInput(-1, 0, 0, 0, 0, 0, shard.clock.nanoTime());
            shard.tick();
        }
        assertTrue(bot.updatesReceived() > updatesBefore);
        assertTrue(one.inputsApplied >= 5);
        assertTrue(one.link.isConnected());
        assertEquals(2, shard.counter(OrreryCounter.SERVERS_CONNECTED));
        rogue.close();
    }

    private void offer(final ExclusivePublication publication, final UnsafeBuffer buffer, final int length)
    {
        shard.await(() -> publication.offer(buffer, 0, length) > 0, "offer");
    }
}
