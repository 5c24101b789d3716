/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.hostile;

import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.orrery.core.auth.SessionTokens;
import io.orrery.core.client.ClientSession;
import io.orrery.core.ingress.IngressLimits;
import io.orrery.core.status.OrreryCounter;
import io.orrery.link.UdpChannels;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A layer whose Gateway takes client input on several UDP ingress endpoints: it serves sessions on each, runs the
 * same handshake and limits on each, and keeps peers of different endpoints apart even when they use the same Aeron
 * session id. A real embedded media driver, the layer in INVOKER mode on a controlled clock, stepped by the test
 * ({@link ClientIngressHostilePeerTest.Rig}).
 */
@Tag("system")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClientIngressEndpointsTest
{
    private ClientIngressHostilePeerTest.Rig rig;

    @AfterEach
    void after()
    {
        CloseHelper.quietClose(rig);
    }

    @Test
    void shouldServeSessionsOnEveryClientIngressEndpoint()
    {
        rig = new ClientIngressHostilePeerTest.Rig((ctx) -> {}, true, 2);
        assertEquals(2, rig.layer.gateway().ingressEndpointCount());

        final List<ClientSession> legit = rig.connectLegit(4);
        final Set<String> channelsUsed = new HashSet<>();
        for (final ClientSession session : legit)
        {
            channelsUsed.add(rig.link.ingressChannel(session));
        }
        assertEquals(2, channelsUsed.size(), "sessions spread over both endpoints: " + channelsUsed);
        assertEquals(4, rig.layer.gateway().activeSessionCount());

        rig.assertLegitServed(legit);
    }

    @Test
    void shouldApplyTheIngressLimitsOnEveryEndpoint()
    {
        rig = new ClientIngressHostilePeerTest.Rig((ctx) -> ctx.clientIngressLimits().maxReassemblies(4), true, 2);
        final List<ClientSession> legit = rig.connectLegit(2);
        final String[] endpoints = UdpChannels.split(rig.layer.context().clientIngressChannel());
        final IngressLimits limits = rig.layer.context().clientIngressLimits();

        for (int e = 0; e < endpoints.length; e++)
        {
            // a term above the maximum: the image is refused, its valid hello goes nowhere
            final long refusedBefore = rig.counter(OrreryCounter.CLIENT_INGRESS_IMAGES_REFUSED);
            final ExclusivePublication oversized = rig.attackerPublication(endpoints[e] + "|term-length=2m");
            rig.await(() -> rig.counter(OrreryCounter.CLIENT_INGRESS_IMAGES_REFUSED) > refusedBefore,
                "image refused on endpoint " + e);
            rig.offerIfConnected(oversized, rig.hello(rig.token(70 + e), rig.responseChannel, 9999, 1),
                rig.helloLength);
            rig.drain();
            assertEquals(0, rig.layer.gateway().pendingWelcomeCount(), "endpoint " + e);

            // a message longer than the maximum: dropped and counted
            final long tooLongBefore = rig.counter(OrreryCounter.CLIENT_INGRESS_MESSAGES_TOO_LONG);
            final ExclusivePublication longMessages = rig.attackerPublication(endpoints[e] + "|term-length=1m");
            final UnsafeBuffer huge = new UnsafeBuffer(new byte[limits.maxMessageLength() * 2]);
            rig.offer(longMessages, huge, huge.capacity());
            rig.await(() -> rig.counter(OrreryCounter.CLIENT_INGRESS_MESSAGES_TOO_LONG) > tooLongBefore,
                "long message dropped on endpoint " + e);

            // a bad token: refused as on any endpoint
            final long badTokensBefore = rig.counter(OrreryCounter.REJECTED_BAD_TOKEN);
            final ExclusivePublication badToken = rig.attackerPublication(endpoints[e]);
            rig.offer(badToken, rig.hello(new byte[SessionTokens.TOKEN_LENGTH], rig.responseChannel, 9999, 2),
                rig.helloLength);
            rig.await(() -> rig.counter(OrreryCounter.REJECTED_BAD_TOKEN) > badTokensBefore,
                "bad token refused on endpoint " + e);
        }

        // messages just under the limit take a reassembly buffer each: at most maxReassemblies per endpoint
        final UnsafeBuffer fragmented = new UnsafeBuffer(new byte[limits.maxMessageLength() - 64]);
        for (int i = 0; i < 12; i++)
        {
            final ExclusivePublication publication = rig.attackerPublication(endpoints[i % endpoints.length]);
            rig.offer(publication, fragmented, fragmented.capacity());
            rig.poll();
            assertTrue(rig.layer.gateway().reassemblyBufferCapacity() <=
                (long)endpoints.length * limits.maxReassemblies() * limits.maxMessageLength(), "bounded per endpoint");
        }
        rig.drain();

        rig.assertLegitServed(legit);
    }

    @Test
    void shouldKeepPeersOfTwoEndpointsApartWhenTheyUseTheSameAeronSessionId()
    {
        rig = new ClientIngressHostilePeerTest.Rig((ctx) -> {}, true, 2);
        final List<ClientSession> legit = rig.connectLegit(2);
        final String[] endpoints = UdpChannels.split(rig.layer.context().clientIngressChannel());
        final int responseStream = 4001;
        final String responseChannel = "aeron:udp?endpoint=127.0.0.1:" + ClientIngressHostilePeerTest.Rig.freePort();
        final Subscription responses = rig.clientAeron.addSubscription(responseChannel, responseStream);
        try
        {
            final long boundBefore = rig.counter(OrreryCounter.HELLOS_ON_BOUND_IMAGE);
            final int sessionsBefore = rig.layer.gateway().activeSessionCount();
            for (int e = 0; e < endpoints.length; e++)
            {
                final ExclusivePublication publication = rig.attackerPublication(
                    endpoints[e] + "|session-id=424242");
                rig.offer(publication, rig.hello(rig.token(90 + e), responseChannel, responseStream, 10 + e),
                    rig.helloLength);
            }
            rig.await(() -> rig.layer.gateway().activeSessionCount() == sessionsBefore + 2,
                "both hellos welcomed, one per endpoint");
            assertEquals(boundBefore, rig.counter(OrreryCounter.HELLOS_ON_BOUND_IMAGE),
                "the second hello is not taken for the first image's");
        }
        finally
        {
            CloseHelper.quietClose(responses);
        }

        rig.assertLegitServed(legit);
    }
}
