/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core;

import io.orrery.core.auth.Ed25519PlayerTokens;
import io.orrery.core.auth.SessionTokens;
import io.orrery.core.gateway.GatewayContext;
import io.orrery.core.ingress.IngressLimits;
import io.orrery.core.persistence.PersistenceAdapter;
import io.orrery.core.persistence.ScribeContext;
import io.orrery.core.persistence.TestPersistenceAdapter;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The layer's Context composes one context per role: its setters and getters for role settings are delegates, its
 * property names and defaults are those it always had, and concluding it validates every role's settings before
 * anything is launched.
 */
class ReplicationLayerContextTest
{
    @Test
    void shouldDelegateRoleSettingsToTheRoleContexts()
    {
        final IngressLimits clientLimits = IngressLimits.forClients();
        final ReplicationLayer.Context ctx = new ReplicationLayer.Context()
            .maxSessions(17)
            .clientIngressChannel("aeron:ipc?term-length=128k")
            .heartbeatIntervalNs(TimeUnit.MILLISECONDS.toNanos(250))
            .clientIngressLimits(clientLimits)
            .tickRateHz(20)
            .interestWorkers(2)
            .ocsEnabled(true)
            .serverIngressStreamId(4242)
            .scribeRingSize(1024)
            .persistenceFlushIntervalNs(TimeUnit.MILLISECONDS.toNanos(7));

        assertEquals(17, ctx.gateway().maxSessions());
        assertEquals("aeron:ipc?term-length=128k", ctx.gateway().clientIngressChannel());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(250), ctx.gateway().heartbeatIntervalNs());
        assertSame(clientLimits, ctx.gateway().clientIngressLimits());
        assertEquals(20, ctx.replicant().tickRateHz());
        assertEquals(2, ctx.replicant().interestWorkers());
        assertTrue(ctx.replicant().ocsEnabled());
        assertEquals(4242, ctx.atlas().serverIngressStreamId());
        assertEquals(1024, ctx.scribe().ringSize());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(7), ctx.scribe().flushIntervalNs());

        ctx.replicant().maxViewEntities(64);
        ctx.gateway().sessionTimeoutNs(TimeUnit.SECONDS.toNanos(9));
        ctx.atlas().serverEgressTermLength(128 * 1024);
        assertEquals(64, ctx.maxViewEntities());
        assertEquals(TimeUnit.SECONDS.toNanos(9), ctx.sessionTimeoutNs());
        assertEquals(128 * 1024, ctx.serverEgressTermLength());
        assertNull(ctx.persistenceAdapter());
    }

    @Test
    void shouldTakeSeveralClientIngressChannelsSeparatedByCommasAndRefuseDuplicates()
    {
        final GatewayContext gateway = new GatewayContext()
            .clientIngressChannel(" aeron:udp?endpoint=127.0.0.1:40123 ,aeron:udp?endpoint=127.0.0.1:40124,");
        assertArrayEquals(new String[]{ "aeron:udp?endpoint=127.0.0.1:40123", "aeron:udp?endpoint=127.0.0.1:40124" },
            gateway.clientIngressChannels());
        gateway.conclude();

        assertThrows(IllegalArgumentException.class, () -> new GatewayContext()
            .clientIngressChannel("aeron:udp?endpoint=127.0.0.1:40123,aeron:udp?endpoint=127.0.0.1:40123")
            .conclude());
        assertThrows(IllegalArgumentException.class, () -> new GatewayContext().clientIngressChannel(" , ").conclude());
    }

    @Test
    void shouldTakeNoClientIngressOnlyWithAGatewayLink()
    {
        final GatewayContext withoutLink = new GatewayContext().clientIngressChannel(GatewayContext.NO_CLIENT_INGRESS);
        assertTrue(withoutLink.hasNoClientIngress());
        assertEquals(0, withoutLink.clientIngressChannels().length);
        final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, withoutLink::conclude);
        assertTrue(refused.getMessage().contains("needs a Gateway link"), refused.getMessage());

        final GatewayContext withLink = new GatewayContext().clientIngressChannel(" none ");
        withLink.gatewayLink().channel("aeron:ipc");
        withLink.conclude();
        assertEquals(0, withLink.clientIngressChannels().length);
    }

    @Test
    void shouldKeepDefaultsWhenSettingsAreSplitOverRoleContexts()
    {
        final ReplicationLayer.Context ctx = new ReplicationLayer.Context();

        assertEquals(ReplicationLayer.Context.CLIENT_INGRESS_CHANNEL_DEFAULT, ctx.clientIngressChannel());
        assertEquals(ReplicationLayer.Context.MAX_SESSIONS_DEFAULT, ctx.maxSessions());
        assertEquals(ReplicationLayer.Context.TICK_RATE_HZ_DEFAULT, ctx.tickRateHz());
        assertEquals(ReplicationLayer.Context.SCRIBE_RING_SIZE_DEFAULT, ctx.scribeRingSize());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(ScribeContext.FLUSH_INTERVAL_MS_DEFAULT),
            ctx.persistenceFlushIntervalNs());
        assertEquals(64 * 1024, ctx.egressTermLength());
        assertEquals(1024 * 1024, ctx.serverEgressTermLength());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(3000), ctx.slowConsumerTimeoutNs());
    }

    @Test
    void shouldReadRoleSettingsFromTheSamePropertiesAsBefore()
    {
        System.setProperty("orrery.tick.rate.hz", "17");
        System.setProperty("orrery.max.sessions", "33");
        System.setProperty("orrery.server.ingress.stream.id", "4343");
        System.setProperty("orrery.scribe.ring.size", "2048");
        try
        {
            final ReplicationLayer.Context ctx = new ReplicationLayer.Context();
            assertEquals(17, ctx.tickRateHz());
            assertEquals(33, ctx.maxSessions());
            assertEquals(4343, ctx.serverIngressStreamId());
            assertEquals(2048, ctx.scribeRingSize());
        }
        finally
        {
            System.clearProperty("orrery.tick.rate.hz");
            System.clearProperty("orrery.max.sessions");
            System.clearProperty("orrery.server.ingress.stream.id");
            System.clearProperty("orrery.scribe.ring.size");
        }
    }

    @Test
    void shouldRejectInvalidRoleSettingsWhenConcludedBeforeLaunchingAnything()
    {
        final IllegalArgumentException workers = assertThrows(IllegalArgumentException.class,
            () -> new ReplicationLayer.Context().interestWorkers(0).conclude());
        assertTrue(workers.getMessage().startsWith("interestWorkers"), workers.getMessage());

        final IllegalArgumentException egress = assertThrows(IllegalArgumentException.class,
            () -> new ReplicationLayer.Context().egressTermLength(1000).conclude());
        assertTrue(egress.getMessage().startsWith("egressTermLength"), egress.getMessage());

        final ReplicationLayer.Context serverEgress = new ReplicationLayer.Context().serverEgressTermLength(4096);
        final IllegalArgumentException server = assertThrows(IllegalArgumentException.class, serverEgress::conclude);
        assertTrue(server.getMessage().startsWith("serverEgressTermLength"), server.getMessage());
        assertNull(serverEgress.aeron(), "nothing launched");
        assertNull(serverEgress.mediaDriver(), "nothing launched");
    }

    @Test
    void shouldVerifyPlayerTokensWithTheEd25519PublicKeyWhenGivenOneAndRefuseAMalformedKeyOrBudget()
    {
        final byte[][] pair = Ed25519PlayerTokens.generateKeyPair();
        final ReplicationLayer.Context ed25519 = new ReplicationLayer.Context().playerTokenPublicKey(pair[1]);
        assertArrayEquals(pair[1], ed25519.playerTokenPublicKey());
        assertTrue(ed25519.newPlayerTokens() instanceof Ed25519PlayerTokens);
        final ReplicationLayer.Context hmac = new ReplicationLayer.Context().playerTokenPublicKey(null)
            .tokenSecret("context-test-secret-0123456789".getBytes(StandardCharsets.UTF_8));
        assertTrue(hmac.newPlayerTokens() instanceof SessionTokens, "HMAC unless a public key is set");

        final IllegalArgumentException key = assertThrows(IllegalArgumentException.class,
            () -> new ReplicationLayer.Context().playerTokenPublicKey(new byte[31])
                .tokenSecret("context-test-secret-0123456789".getBytes(StandardCharsets.UTF_8)).conclude());
        assertTrue(key.getMessage().contains("Ed25519"), key.getMessage());
        assertEquals(GatewayContext.TOKEN_VERIFICATIONS_PER_SECOND_DEFAULT,
            new GatewayContext().tokenVerificationsPerSecond());
        assertThrows(IllegalArgumentException.class,
            () -> new GatewayContext().tokenVerificationsPerSecond(0).conclude());
    }

    @Test
    void shouldGiveScribeTheAdapterSetOnTheLayer()
    {
        final PersistenceAdapter adapter = new TestPersistenceAdapter();
        final ReplicationLayer.Context ctx = new ReplicationLayer.Context().persistenceAdapter(adapter);

        assertSame(adapter, ctx.scribe().adapter());
        assertSame(adapter, ctx.persistenceAdapter());
    }
}
