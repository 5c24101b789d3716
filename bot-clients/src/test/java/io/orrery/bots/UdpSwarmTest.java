/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.bots;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.orrery.core.status.OrreryCounter;
import io.orrery.link.UdpChannels;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.orrery.bots.BotSwarmTest.SECRET;
import static io.orrery.bots.BotSwarmTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A bot host on its own media driver reaching the layer over real UDP loopback: the bots' responses arrive on
 * several UDP endpoints (one per group of bots, ephemeral ports), every bot is welcomed and receives updates, and no
 * session is dropped as a slow consumer.
 */
@Tag("system")
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class UdpSwarmTest
{
    @Test
    void shouldWelcomeEveryBotOverUdpWithGroupedResponseEndpointsAndDropNoSlowConsumer() throws Exception
    {
        final int bots = 150;
        final int botsPerEndpoint = 50;
        final String ingress = "aeron:udp?endpoint=127.0.0.1:" + freeUdpPort();
        MediaDriver botDriver = null;
        try (EmbeddedShard shard = EmbeddedShard.launch(SECRET, 256, (ctx) -> ctx.clientIngressChannel(ingress)))
        {
            botDriver = MediaDriver.launchEmbedded(new MediaDriver.Context()
                .threadingMode(ThreadingMode.SHARED)
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true));
            try (BotSwarm swarm = BotSwarm.launch(new BotSwarm.Settings()
                .aeronDirectoryName(botDriver.aeronDirectoryName())
                .tokenSecret(SECRET)
                .seed(11)
                .bots(bots)
                .threads(2)
                .botsPerEndpoint(botsPerEndpoint)
                .ingressChannel(ingress)
                .responseChannel("aeron:udp?endpoint=127.0.0.1:0")
                .rampBotsPerSecond(300)
                .reportIntervalNs(TimeUnit.MILLISECONDS.toNanos(250))
                .mix(BehaviourMix.parse("idle=10,walk=50,commute=20,crowd=20"))))
            {
                assertEquals(4, swarm.responseEndpoints(), "75 bots per thread: two groups of 38 and 37 each");
                await(swarm::isSettled, "every bot connected or failed");
                final Set<String> endpoints = new HashSet<>();
                for (int t = 0; t < swarm.agentCount(); t++)
                {
                    for (int l = 0; l < swarm.agent(t).linkCount(); l++)
                    {
                        final String channel = swarm.agent(t).link(l).helloResponseChannel();
                        assertNotNull(channel, "resolved response channel");
                        assertTrue(UdpChannels.endpointPort(channel) > 0, channel);
                        endpoints.add(channel);
                    }
                }
                assertEquals(4, endpoints.size(), () -> "one port per group: " + endpoints);

                final long updatesAtSettle = swarm.status(BotAgent.STATUS_UPDATES_RECEIVED);
                final long inputsAtSettle = swarm.status(BotAgent.STATUS_INPUTS_SENT);
                await(() -> swarm.status(BotAgent.STATUS_INPUTS_SENT) > inputsAtSettle + 130 * 20 * 2 &&
                    swarm.status(BotAgent.STATUS_UPDATES_RECEIVED) > updatesAtSettle + bots,
                    "two seconds of input from the moving bots and their updates");

                final SwarmSummary summary = swarm.stop();
                System.out.println(summary.toText());
                assertEquals(bots, summary.botsConnected(), "bots connected");
                assertEquals(0, summary.botsFailed());
                assertTrue(summary.count("updatesReceived") > 0, "updates received");
                assertTrue(summary.histogram(MetricSet.INPUT_LATENCY).getTotalCount() > 0, "input latency");
                assertEquals(0, summary.correctnessErrors(), () -> "correctness: " + summary.correctness());
                assertEquals(0, summary.count("unknownImageMessages"), "links never see each other's images");
                assertEquals(0, swarm.errors(), "thread errors");
                assertEquals(0, shard.counter(OrreryCounter.SESSIONS_SLOW_CONSUMER), "slow-consumer drops");
                assertEquals(0, shard.counter(OrreryCounter.REJECTED_BAD_RESPONSE_CHANNEL), "bad response channels");
                final String json = summary.toJson();
                assertTrue(json.contains("\"udpNaksSent\""), json);
                assertTrue(json.contains("\"retransmitRatio\""), json);
                assertTrue(json.contains("\"responseEndpoints\": 4"), json);

                final long[] bytes = swarm.driverCountersSinceStart();
                assertTrue(bytes[DriverCounters.BYTES_RECEIVED] > 0, "the bots' driver received over UDP");
                try (Aeron layerClient = Aeron.connect(new Aeron.Context()
                    .aeronDirectoryName(shard.aeronDirectoryName())))
                {
                    final long[] layer = DriverCounters.read(layerClient.countersReader());
                    assertTrue(layer[DriverCounters.BYTES_SENT] > 0, "the layer's driver sent over UDP");
                    System.out.println("UDP, layer's driver: " + DriverCounters.describe(layer));
                }
            }
        }
        finally
        {
            CloseHelper.quietClose(botDriver);
        }
    }

    private static int freeUdpPort() throws Exception
    {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }
}
