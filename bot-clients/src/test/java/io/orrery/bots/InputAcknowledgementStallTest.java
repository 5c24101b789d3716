/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.bots;

import io.orrery.core.authority.Authority;
import io.orrery.core.authority.ForwardingAuthority;
import io.orrery.core.authority.ScriptedAuthority;
import io.orrery.core.replicant.EntityStore;
import io.orrery.wire.codec.PlayerInputDecoder;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A bot whose inputs stop being acknowledged (the authority keeps the player's entity alive and updated but stops
 * applying its inputs, as a game server that lost the player would) counts a correctness error; the same bots
 * while their inputs are applied count none.
 */
@Tag("system")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class InputAcknowledgementStallTest
{
    private static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(30);
    private static final long STALL_NS = TimeUnit.MILLISECONDS.toNanos(400);

    @Test
    void shouldCountCorrectnessErrorWhenOwnInputsStopBeingAcknowledged()
    {
        final InputDroppingAuthority authority = new InputDroppingAuthority(
            new ScriptedAuthority(new ScriptedAuthority.Settings()));
        final int bots = 4;
        try (EmbeddedShard shard = EmbeddedShard.launch(BotSwarmTest.SECRET, 64, (ctx) -> ctx.authority(authority));
            BotSwarm swarm = BotSwarm.launch(BotSwarmTest.settings(shard)
                .bots(bots)
                .threads(1)
                .startThreads(false)
                .rampBotsPerSecond(1000)
                .inputAckStallNs(STALL_NS)
                .mix(BehaviourMix.parse("walk=100"))))
        {
            final BotAgent agent = swarm.agent(0);
            driveUntil(agent, () -> agent.isSettled() && allSpawnedAndAcknowledged(agent), "bots acknowledged");

            // inputs applied: more than two stall thresholds pass without a stall
            final long quietUntilNs = System.nanoTime() + 2 * STALL_NS + TimeUnit.MILLISECONDS.toNanos(200);
            driveUntil(agent, () -> System.nanoTime() - quietUntilNs > 0, "quiet period");
            assertEquals(0, stalls(agent), "stalls while inputs are applied");

            authority.dropInputs = true;
            driveUntil(agent, () -> stalls(agent) >= bots, "every bot's stall counted");
            final long counted = stalls(agent);
            final long laterUntilNs = System.nanoTime() + STALL_NS + TimeUnit.MILLISECONDS.toNanos(200);
            driveUntil(agent, () -> System.nanoTime() - laterUntilNs > 0, "a second threshold");
            assertEquals(counted, stalls(agent), "one error per stall, not per threshold");

            final SwarmSummary summary = swarm.stop();
            System.out.println(summary.toText());
            assertEquals((long)bots, summary.correctness().get("inputAcknowledgementStalls"));
            assertTrue(summary.correctnessErrors() >= bots, "stalls are correctness errors");
            assertEquals(1, summary.exitCode(), "the run fails its correctness check");
        }
    }

    @Test
    void shouldNotCountStallWhenBotThreadFellBehindResponsesCarryingAcknowledgements()
    {
        final int bots = 64;
        try (EmbeddedShard shard = EmbeddedShard.launch(BotSwarmTest.SECRET, 128, (ctx) -> {});
            BotSwarm swarm = BotSwarm.launch(BotSwarmTest.settings(shard)
                .bots(bots)
                .threads(1)
                .startThreads(false)
                .rampBotsPerSecond(1000)
                .inputAckStallNs(STALL_NS)
                .mix(BehaviourMix.parse("walk=100"))))
        {
            final BotAgent agent = swarm.agent(0);
            driveUntil(agent, () -> agent.isSettled() && allSpawnedAndAcknowledged(agent), "bots acknowledged");

            // the bot thread is descheduled (a GC, a starved core) for more than two stall thresholds, less than the
            // layer silence that marks an outage: the layer keeps applying and acknowledging, the responses queue up
            // beyond what one duty cycle polls
            final long resumeAtNs = System.nanoTime() + 2 * STALL_NS + TimeUnit.MILLISECONDS.toNanos(200);
            while (System.nanoTime() - resumeAtNs < 0)
            {
                Thread.onSpinWait();
            }
            agent.doWork();
            assertTrue(!agent.link().responsesDrained(), "a backlog beyond one poll");
            final long quietUntilNs = System.nanoTime() + STALL_NS;
            driveUntil(agent, () -> System.nanoTime() - quietUntilNs > 0, "the backlog drained and a threshold more");
            assertEquals(0, stalls(agent), "the bot's own delay is not a stall of the layer");
            swarm.stop();
        }
    }

    private static long stalls(final BotAgent agent)
    {
        long total = 0;
        for (int i = 0; i < agent.botCount(); i++)
        {
            total += agent.bot(i).inputAcknowledgementStalls();
        }
        return total;
    }

    private static boolean allSpawnedAndAcknowledged(final BotAgent agent)
    {
        for (int i = 0; i < agent.botCount(); i++)
        {
            final Bot bot = agent.bot(i);
            if (!bot.ownEntitySpawned || null == bot.session() || bot.session().lastAcknowledgedInput() <= 0)
            {
                return false;
            }
        }
        return true;
    }

    private static void driveUntil(final BotAgent agent, final java.util.function.BooleanSupplier condition,
        final String what)
    {
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        while (!condition.getAsBoolean())
        {
            if (0 == agent.doWork())
            {
                Thread.onSpinWait();
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                fail("timed out waiting for " + what);
            }
        }
    }

    /**
     * The scripted authority, except that once told it stops applying player input (the entity stays and is still
     * streamed, so only the acknowledgement watchdog can notice).
     */
    static final class InputDroppingAuthority extends ForwardingAuthority
    {
        volatile boolean dropInputs;

        InputDroppingAuthority(final Authority delegate)
        {
            super(delegate);
        }

        @Override
        public void onPlayerInput(final PlayerInputDecoder input, final long nowNs, final EntityStore store)
        {
            if (!dropInputs)
            {
                delegate.onPlayerInput(input, nowNs, store);
            }
        }
    }
}
