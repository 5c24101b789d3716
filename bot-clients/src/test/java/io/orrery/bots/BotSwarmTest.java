/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.bots;

import io.orrery.core.status.OrreryCounter;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * End to end: a swarm of bots on their own threads against a Replication Layer over a real embedded media driver.
 */
@Tag("system")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BotSwarmTest
{
    static final byte[] SECRET = "bot-swarm-test-secret-0123456789".getBytes(StandardCharsets.UTF_8);
    private static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(30);

    @TempDir
    File output;

    static BotSwarm.Settings settings(final EmbeddedShard shard)
    {
        return new BotSwarm.Settings()
            .aeronDirectoryName(shard.aeronDirectoryName())
            .tokenSecret(SECRET)
            .seed(7);
    }

    static void await(final BooleanSupplier condition, final String what)
    {
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                fail("timed out waiting for " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    @Test
    void shouldConnectEveryBotAndMeasureLatencyWithoutErrorsWhenFiftyBotsRunOnTwoThreads() throws Exception
    {
        final int bots = 50;
        try (EmbeddedShard shard = EmbeddedShard.launch(SECRET, 256, null);
            BotSwarm swarm = BotSwarm.launch(settings(shard)
                .bots(bots)
                .threads(2)
                .rampBotsPerSecond(200)
                .reportIntervalNs(TimeUnit.MILLISECONDS.toNanos(250))
                .inventoryIntervalNs(TimeUnit.MILLISECONDS.toNanos(500))
                .mix(BehaviourMix.parse("idle=10,walk=40,commute=20,crowd=20,inventory=10"))
                .outputDir(output)))
        {
            await(swarm::isSettled, "every bot connected or failed");
            swarm.markSteady();
            final long inputsAtSettle = swarm.status(BotAgent.STATUS_INPUTS_SENT);
            await(() -> swarm.status(BotAgent.STATUS_INPUTS_SENT) > inputsAtSettle + 45 * 20 * 2,
                "two seconds of input from every moving bot");

            final SwarmSummary summary = swarm.stop();
            System.out.println(summary.toText());
            assertEquals(bots, summary.botsConnected(), "bots connected");
            assertEquals(0, summary.botsFailed());
            assertTrue(summary.count("inputsSent") > 0, "inputs sent");
            assertTrue(summary.count("updatesReceived") > 0, "updates received");
            assertTrue(summary.count("inventoryStoreUnavailable") > 0, "inventory bots asked; a shard without persistence says storeUnavailable");
            assertTrue(summary.histogram(MetricSet.INPUT_LATENCY).getTotalCount() > 0, "input latency recorded");
            assertTrue(summary.histogram(MetricSet.OWN_UPDATE_GAP).getTotalCount() > 0, "own update gaps");
            assertEquals(bots, summary.histogram(MetricSet.HANDSHAKE).getTotalCount(), "one handshake per bot");
            assertEquals(bots, summary.histogram(MetricSet.SPAWN_LATENCY).getTotalCount(), "one own spawn per bot");
            // steady state: the intervals from a report interval after the swarm settled, no handshake among them
            assertTrue(summary.hasSteadyState());
            final long steadyInputs = summary.steadyHistogram(MetricSet.INPUT_LATENCY).getTotalCount();
            assertTrue(steadyInputs > 0 && steadyInputs < summary.histogram(MetricSet.INPUT_LATENCY).getTotalCount(),
                "steady-state inputs " + steadyInputs + ", a part of all");
            assertEquals(0, summary.steadyHistogram(MetricSet.HANDSHAKE).getTotalCount(), "no handshake after settling");
            assertTrue(summary.toJson().contains("\"latencyNsSteady\": {"), summary.toJson());
            assertTrue(summary.toText().contains("--- latency in steady state"), summary.toText());
            assertEquals(0, summary.correctnessErrors(), () -> "correctness: " + summary.correctness());
            assertEquals(0, summary.count("unknownImageMessages"), "links never see each other's images");
            assertEquals(0, swarm.errors(), "thread errors");
            assertEquals(0, summary.exitCode());
            // inputs sent just before the stop may still be on their way (the shard runs on its own threads)
            final long inputsSent = summary.count("inputsSent");
            await(() -> shard.counter(OrreryCounter.INPUTS_RECEIVED) >= inputsSent - bots,
                "the shard received the inputs");

            for (final String name : MetricSet.NAMES)
            {
                final File log = new File(output, name + ".hlog");
                assertTrue(log.length() > 0, "interval log " + log);
                assertTrue(Files.readString(log.toPath()).contains("Tag=t1"), "tagged by thread: " + log);
            }
            assertTrue(summary.toJson().contains("\"botsConnected\": 50"));
            // one Replicant: the composition counts are there (JSON) and zero, the text does not mention them
            assertTrue(summary.toJson().contains("\"composition\": {\"ownerChanges\": 0"), summary.toJson());
            for (final String name : SwarmSummary.COMPOSITION_NAMES)
            {
                assertEquals(0, summary.count(name), name);
                assertTrue(!summary.toText().contains(name), name);
            }
            assertEquals("", summary.compositionLine());
            assertEquals("", BotSwarmMain.progressOfReplicants(swarm));
        }
    }

    @Test
    void shouldCountFramesOfAReplicantBeyondTheBotsMaximumAsCorrectnessErrors()
    {
        final int bots = 4;
        // the layer's Replicant stamps id 9 on what it writes to clients: beyond the client link's 4, every spawn and
        // despawn is counted as a frame of an unknown Replicant and dropped
        try (EmbeddedShard shard = EmbeddedShard.launch(SECRET, 64, (ctx) -> ctx.replicant().replicantId(9));
            BotSwarm swarm = BotSwarm.launch(settings(shard)
                .bots(bots)
                .threads(1)
                .rampBotsPerSecond(200)
                .reportIntervalNs(TimeUnit.MILLISECONDS.toNanos(100))
                .mix(BehaviourMix.parse("idle=100"))))
        {
            await(swarm::isSettled, "every bot connected or failed");
            await(() -> swarm.status(BotAgent.STATUS_COMPOSITION_ERRORS) >= bots,
                "the interval status counts the frames of the unknown Replicant");
            assertTrue(BotSwarmMain.progressOfReplicants(swarm).contains(" replicant errors "),
                BotSwarmMain.progressOfReplicants(swarm));

            final SwarmSummary summary = swarm.stop();
            final String text = summary.toText();
            final long unknown = summary.count("unknownReplicantMessages");
            assertTrue(unknown >= bots, text);
            assertEquals(unknown, summary.correctness().get("unknownReplicantMessages"), text);
            assertTrue(summary.correctnessErrors() >= unknown, text);
            assertEquals(1, summary.exitCode(), text);
            assertTrue(text.contains("replicants: unknownReplicantMessages " + unknown + " (correctness error)"), text);
            assertEquals(0, summary.count("ownerEpochConflicts"), text);
            assertTrue(!text.contains("ownerEpochConflicts"), "a zero count stays out of the text: " + text);
            assertTrue(summary.toJson().contains("\"unknownReplicantMessages\": " + unknown), summary.toJson());
        }
    }

    @Test
    void shouldSendInputsOnScheduleWhenBotsAreDrivenOnlyWhenDueBetweenSweeps()
    {
        final int bots = 20;
        try (EmbeddedShard shard = EmbeddedShard.launch(SECRET, 64, null);
            BotSwarm swarm = BotSwarm.launch(settings(shard)
                .bots(bots)
                .threads(1)
                .rampBotsPerSecond(200)
                .sweepIntervalNs(TimeUnit.MINUTES.toNanos(10)) // after the welcomes' sweeps, no sweep in this test
                .reportIntervalNs(TimeUnit.MILLISECONDS.toNanos(250))
                .mix(BehaviourMix.parse("walk=100"))))
        {
            await(swarm::isSettled, "every bot connected or failed");
            final long inputsAtSettle = swarm.status(BotAgent.STATUS_INPUTS_SENT);
            await(() -> swarm.status(BotAgent.STATUS_INPUTS_SENT) > inputsAtSettle + bots * 20 * 2,
                "two seconds of input from every bot, each sent when due");

            final SwarmSummary summary = swarm.stop();
            assertEquals(bots, summary.botsConnected(), "bots connected");
            assertTrue(summary.histogram(MetricSet.INPUT_LATENCY).getTotalCount() > 0, "inputs acknowledged");
            assertEquals(0, summary.correctnessErrors(), () -> "correctness: " + summary.correctness());
            assertEquals(0, swarm.errors(), "thread errors");
        }
    }

    @Test
    void shouldAssignSameBehavioursForSameSeedWhenMixParsed()
    {
        final BehaviourMix mix = BehaviourMix.parse("idle=10, walk=60,commute=20,crowd=10");
        final BehaviourKind[] first = mix.assign(1000, 3);
        final BehaviourKind[] second = mix.assign(1000, 3);
        assertEquals(java.util.Arrays.asList(first), java.util.Arrays.asList(second));
        final int[] counts = new int[BehaviourKind.values().length];
        for (final BehaviourKind kind : first)
        {
            counts[kind.ordinal()]++;
        }
        assertEquals(100, counts[BehaviourKind.IDLE.ordinal()]);
        assertEquals(600, counts[BehaviourKind.WALK.ordinal()]);
        assertEquals(200, counts[BehaviourKind.COMMUTE.ordinal()]);
        assertEquals(100, counts[BehaviourKind.CROWD.ordinal()]);
        assertEquals(0, counts[BehaviourKind.INVENTORY.ordinal()]);
        assertTrue(!java.util.Arrays.asList(first).equals(java.util.Arrays.asList(mix.assign(1000, 4))));
        assertEquals(7, java.util.Arrays.stream(mix.assign(7, 1)).count());
    }

    @Test
    void shouldRejectMixWhenPercentagesDoNotAddUpOrKindUnknown()
    {
        assertThrowsIllegal("walk=50");
        assertThrowsIllegal("walk=50,fly=50");
        assertThrowsIllegal("walk");
    }

    @Test
    void shouldParseDurationsWithUnits()
    {
        assertEquals(TimeUnit.SECONDS.toNanos(20), BotSwarmMain.parseNs("20s"));
        assertEquals(TimeUnit.MINUTES.toNanos(2), BotSwarmMain.parseNs("2m"));
        assertEquals(TimeUnit.MILLISECONDS.toNanos(500), BotSwarmMain.parseNs("500ms"));
        assertEquals(TimeUnit.MICROSECONDS.toNanos(100), BotSwarmMain.parseNs("100us"));
        assertEquals(TimeUnit.SECONDS.toNanos(3), BotSwarmMain.parseNs("3"));
    }

    private static void assertThrowsIllegal(final String mix)
    {
        try
        {
            BehaviourMix.parse(mix);
            fail("accepted " + mix);
        }
        catch (final IllegalArgumentException expected)
        {
            // expected
        }
    }
}
