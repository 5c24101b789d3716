/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.client;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.orrery.wire.codec.DespawnReason;
import io.orrery.wire.codec.HelloDecoder;
import io.orrery.wire.codec.MessageHeaderDecoder;
import io.orrery.wire.codec.MessageHeaderEncoder;
import io.orrery.wire.codec.WelcomeEncoder;
import org.agrona.CloseHelper;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static io.orrery.core.client.ReplicantFrames.ENTITY_ID;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The owner handoff timeout through a real {@link ClientLink} on a real media driver: a scripted layer (a test
 * subscription on the ingress stream, an exclusive publication to the response channel the hello names) welcomes a
 * session, spawns an entity and despawns it {@code handedOff}, and no next owner follows. The link, stepped on a
 * controlled clock, removes the entity when its session's duty cycle finds the configured timeout passed.
 */
@Tag("system")
class ClientLinkOwnerHandoffExpiryTest
{
    private static final String CHANNEL = "aeron:ipc?term-length=64k";
    private static final int INGRESS_STREAM_ID = 1001;
    private static final int RESPONSE_STREAM_ID = 2001;
    private static final long TIMEOUT_NS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final long T0 = TimeUnit.SECONDS.toNanos(1_000);

    private final CachedNanoClock clock = new CachedNanoClock();
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(256);
    private MediaDriver driver;
    private Aeron aeron;
    private ClientLink link;
    private int despawns;
    private int despawnReason = -1;

    @AfterEach
    void close()
    {
        CloseHelper.closeAll(link, aeron, driver);
    }

    @Test
    @Timeout(60)
    void shouldRemoveEntityTheNextOwnerNeverSpawnsOnceTheLinksOwnerHandoffTimeoutPassed(@TempDir final Path dir)
    {
        driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(dir.resolve("aeron").toString())
            .threadingMode(ThreadingMode.SHARED)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        final Subscription ingress = aeron.addSubscription(CHANNEL, INGRESS_STREAM_ID);
        clock.update(T0);
        link = new ClientLink(aeron, new ClientLink.Settings()
            .ingressChannel(CHANNEL)
            .ingressStreamId(INGRESS_STREAM_ID)
            .responseChannel(CHANNEL)
            .responseStreamId(RESPONSE_STREAM_ID)
            .ownerHandoffTimeoutNs(TIMEOUT_NS)
            .clock(clock));
        final ClientSession session = link.connect(new byte[48], new ClientListener()
        {
            @Override
            public void onDespawn(final ClientSession session, final long entityId, final int reason)
            {
                despawns++;
                despawnReason = reason;
            }
        });

        // the scripted layer: read the hello, answer on the response channel it names
        final HelloDecoder hello = new HelloDecoder();
        final long[] correlationId = { 0 };
        final String[] responseChannel = { null };
        stepUntil(() -> 0 < ingress.poll((buffer, offset, length, header) ->
        {
            final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
            headerDecoder.wrap(buffer, offset);
            if (HelloDecoder.TEMPLATE_ID == headerDecoder.templateId())
            {
                hello.wrapAndApplyHeader(buffer, offset, headerDecoder);
                correlationId[0] = hello.clientCorrelationId();
                hello.skipAuthToken();
                responseChannel[0] = hello.responseChannel();
            }
        }, 10) && null != responseChannel[0], "the hello");
        final ExclusivePublication egress = aeron.addExclusivePublication(responseChannel[0], RESPONSE_STREAM_ID);
        stepUntil(egress::isConnected, "the response image");
        final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
        final WelcomeEncoder welcome = new WelcomeEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .clientCorrelationId(correlationId[0])
            .sessionId(77)
            .playerEntityId(ENTITY_ID + 1)
            .serverTimeNs(0)
            .tickRateHz(30)
            .updateRateHz(30)
            .maxInputRateHz(60)
            .heartbeatIntervalMs(1_000)
            .sessionTimeoutMs(5_000)
            .bandwidthBytesPerTick(0);
        offer(egress, MessageHeaderEncoder.ENCODED_LENGTH + welcome.encodedLength());
        stepUntil(session::isConnected, "the welcome");

        final ReplicantFrames frames = new ReplicantFrames();
        offer(egress, frames.spawn(buffer, 0, 1, 0, 1_000, 0));
        offer(egress, frames.despawn(buffer, 0, DespawnReason.handedOff.value()));
        final ClientEntityView view = session.view();
        stepUntil(() -> 1 == view.awaitingOwnerCount(), "the handed-off entity awaiting its next owner");

        clock.update(T0 + TIMEOUT_NS - 1);
        for (int i = 0; i < 10; i++)
        {
            link.doWork();
        }
        assertTrue(view.contains(ENTITY_ID), "still awaiting just before the timeout");
        assertEquals(0, despawns);

        clock.update(T0 + TIMEOUT_NS);
        link.doWork();
        assertFalse(view.contains(ENTITY_ID));
        assertEquals(1, despawns);
        assertEquals(DespawnReason.handedOff.value(), despawnReason);
        assertEquals(1, session.ownerHandoffsExpired());
        assertTrue(session.isConnected(), "the session goes on");
    }

    private void offer(final ExclusivePublication publication, final int length)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (publication.offer(buffer, 0, length) < 0)
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                fail("could not offer a frame to the link");
            }
            link.doWork();
            Thread.yield();
        }
    }

    /**
     * Step the link (its clock stands still) until the condition holds, within 10 s of wall time.
     */
    private void stepUntil(final BooleanSupplier condition, final String what)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                fail("timed out waiting for " + what);
            }
            link.doWork();
            Thread.yield();
        }
    }
}
