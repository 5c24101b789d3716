/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.aeron.Aeron;
import io.aeron.ChannelUri;
import io.aeron.CommonContext;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FragmentHandler;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The command channel Atlas processes subscribe with ({@link AtlasRemoteAgent#commandSubscriptionChannel(String)}):
 * on one host's media driver, an Atlas whose process died (its client not yet timed out by the driver) must not hold
 * the layer's commands back from the Atlas that took over. Found by {@code ShardAcrossHostsTest}: every standby that
 * took over after a second of silence got its resync only once the driver had timed out the killed Atlas's client,
 * ten seconds later, and in one run of six, the players whose failover fell in that window went unsimulated.
 * <p>
 * The dead Atlas is emulated faithfully: its own Aeron client (conductor invoked by hand) that stops invoking, so its
 * subscription stays registered and tethered-or-not by the channel, and never reads. The driver's client liveness
 * timeout is longer than the test, so only untethering can free the stream. With a plain (tethered) channel the
 * publisher stays back-pressured once the dead reader is a window behind, and the test fails.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AtlasCommandChannelTest
{
    private static final int STREAM = 1401;
    private static final int MESSAGE_LENGTH = 256;
    private static final int TERM_LENGTH = 64 * 1024;

    private MediaDriver driver;
    private Aeron live;
    private Aeron dead;

    @AfterEach
    void after()
    {
        CloseHelper.closeAll(dead, live, driver);
    }

    @ParameterizedTest
    @ValueSource(strings = { "aeron:ipc?term-length=64k", "aeron:udp?endpoint=localhost:24771|term-length=64k" })
    void shouldNotLetAKilledAtlasHoldTheLayersCommandsBackFromTheOneThatTookOver(final String channel)
    {
        launch();
        final String atlasChannel = AtlasRemoteAgent.commandSubscriptionChannel(channel);
        final Subscription deadAtlas = dead.addSubscription(atlasChannel, STREAM);
        final Subscription liveAtlas = live.addSubscription(atlasChannel, STREAM);
        final ExclusivePublication layer = live.addExclusivePublication(channel, STREAM);
        final long connectDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (deadAtlas.imageCount() == 0 || liveAtlas.imageCount() == 0 || !layer.isConnected())
        {
            dead.conductorAgentInvoker().invoke();
            if (System.nanoTime() > connectDeadline)
            {
                fail("both Atlas subscriptions joined the layer's publication");
            }
            Thread.onSpinWait();
        }
        // from here on the dead Atlas neither reads nor keeps its client alive: a killed process, as the driver sees
        // it until its client liveness timeout (longer than this test)

        final int messages = 16 * TERM_LENGTH / MESSAGE_LENGTH;
        final UnsafeBuffer message = new UnsafeBuffer(ByteBuffer.allocateDirect(MESSAGE_LENGTH));
        final long[] received = { 0 };
        final boolean[] inOrder = { true };
        final FragmentHandler reader = (buffer, offset, length, header) ->
        {
            inOrder[0] &= buffer.getLong(offset) == received[0];
            received[0]++;
        };
        long sent = 0;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (received[0] < messages)
        {
            if (sent < messages)
            {
                message.putLong(0, sent);
                if (layer.offer(message, 0, MESSAGE_LENGTH) > 0)
                {
                    sent++;
                }
            }
            liveAtlas.poll(reader, 64);
            if (System.nanoTime() > deadline)
            {
                fail("the Atlas that took over read " + received[0] + " of " + messages + " commands (" + sent +
                    " offered): the killed one's subscription holds the stream back");
            }
        }
        assertTrue(inOrder[0], "every command in order");
        assertEquals(messages, received[0]);
    }

    @Test
    void shouldKeepATetherSettingTheOperatorChose()
    {
        final ChannelUri untethered = ChannelUri.parse(
            AtlasRemoteAgent.commandSubscriptionChannel("aeron:udp?endpoint=10.0.0.2:20120"));
        assertEquals("false", untethered.get(CommonContext.TETHER_PARAM_NAME));
        assertEquals(AtlasRemoteAgent.UNTETHERED_WINDOW_LIMIT_TIMEOUT,
            untethered.get(CommonContext.UNTETHERED_WINDOW_LIMIT_TIMEOUT_PARAM_NAME));
        assertEquals("10.0.0.2:20120", untethered.get(CommonContext.ENDPOINT_PARAM_NAME));

        final ChannelUri chosen = ChannelUri.parse(
            AtlasRemoteAgent.commandSubscriptionChannel("aeron:ipc?tether=true"));
        assertEquals("true", chosen.get(CommonContext.TETHER_PARAM_NAME));
        assertEquals(null, chosen.get(CommonContext.UNTETHERED_WINDOW_LIMIT_TIMEOUT_PARAM_NAME));
    }

    private void launch()
    {
        driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
            .threadingMode(ThreadingMode.SHARED)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .clientLivenessTimeoutNs(TimeUnit.SECONDS.toNanos(120))
            .publicationUnblockTimeoutNs(TimeUnit.SECONDS.toNanos(180)));
        live = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        dead = Aeron.connect(new Aeron.Context()
            .aeronDirectoryName(driver.aeronDirectoryName())
            .useConductorAgentInvoker(true)
            .driverTimeoutMs(TimeUnit.SECONDS.toMillis(120)));
    }
}
