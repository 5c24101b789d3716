/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.bots;

import io.orrery.core.authority.ScriptedAuthority;
import io.orrery.test.AllocationMeter;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A bot thread allocates nothing in steady state: the test thread is the bot thread (the swarm starts no bot thread),
 * the Replication Layer and the media driver run on their own threads, the reporter on its own.
 */
@Tag("system")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BotAgentAllocationTest
{
    private static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(30);
    private static final long WARM_UP_UPDATES = 400_000;
    private static final long MEASURED_UPDATES = Long.getLong("orrery.bots.measured.updates", 50_000);

    private static final int MAX_ROUNDS = 6;
    static final boolean PROBE = Boolean.getBoolean("orrery.bots.probe");

    @Test
    void shouldAllocateNothingOnBotThreadWhenSwarmInSteadyState()
    {
        final int bots = 50;
        // A small world, so every branch of every behaviour (world edge, arrival at a hotspot, milling in the crowd)
        // runs during warm-up: a branch run for the first time may load classes or resolve call sites, which
        // allocates once and is not steady state.
        try (EmbeddedShard shard = EmbeddedShard.launch(BotSwarmTest.SECRET, 256, (ctx) -> ctx.authority(
            new ScriptedAuthority(new ScriptedAuthority.Settings().playerSpawnHalfExtentM(30))));
            BotSwarm swarm = BotSwarm.launch(BotSwarmTest.settings(shard)
                .bots(bots)
                .threads(1)
                .startThreads(false)
                .rampBotsPerSecond(1000)
                .worldHalfExtentMm(40_000)
                .hotspotsMm(new long[]{ -30_000, 0, 30_000, 0 })
                .crowdMm(0, 0)
                .reportIntervalNs(TimeUnit.MILLISECONDS.toNanos(100))
                .inventoryIntervalNs(TimeUnit.MILLISECONDS.toNanos(50))
                .mix(BehaviourMix.parse("idle=10,walk=40,commute=20,crowd=20,inventory=10"))))
        {
            final BotAgent agent = swarm.agent(0);
            final long connectDeadlineNs = System.nanoTime() + DEADLINE_NS;
            while (!agent.isSettled() || !allOwnEntitiesSpawned(agent))
            {
                agent.doWork();
                if (System.nanoTime() - connectDeadlineNs > 0)
                {
                    fail("bots did not connect and spawn");
                }
            }
            assertEquals(bots, connectedNow(agent), "connected");

            driveUntilUpdates(agent, WARM_UP_UPDATES);

            if (PROBE)
            {
                System.out.println("PROBE measuring");
            }
            // Steady state is reached when a whole round of MEASURED_UPDATES allocates nothing; the JIT may still
            // deoptimise and recompile a method late in warm-up, which briefly allocates (seen on JDK 25).
            long allocated = -1;
            long updatesMeasured = 0;
            long inputsMeasured = 0;
            long intervals = 0;
            for (int round = 1; round <= MAX_ROUNDS && 0 != allocated; round++)
            {
                final long updatesBefore = updates(agent);
                final long inputsBefore = inputs(agent);
                final long intervalsBefore = agent.intervalsHandedOver();
                final long allocatedBefore = AllocationMeter.threadAllocatedBytes();
                final long cycles = driveUntilUpdates(agent, MEASURED_UPDATES);
                allocated = AllocationMeter.threadAllocatedBytes() - allocatedBefore;
                updatesMeasured = updates(agent) - updatesBefore;
                inputsMeasured = inputs(agent) - inputsBefore;
                intervals = agent.intervalsHandedOver() - intervalsBefore;
                System.out.printf(
                    "round %d: %d duty cycles, %d updates, %d inputs, %d intervals, %d bytes allocated%n",
                    round, cycles, updatesMeasured, inputsMeasured, intervals, allocated);
            }
            assertTrue(intervals > 0, "metric intervals handed to the reporter during measurement");
            assertTrue(updatesMeasured >= 10_000, "updates during measurement");
            assertTrue(inputsMeasured > 0, "inputs during measurement");
            assertEquals(bots, connectedNow(agent), "still connected");
            assertEquals(0, allocated, "bytes allocated on the bot thread in steady state");
        }
    }

    private long driveUntilUpdates(final BotAgent agent, final long count)
    {
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        final long target = updates(agent) + count;
        long cycles = 0;
        while (true)
        {
            for (int i = 0; i < 64; i++)
            {
                if (PROBE)
                {
                    probedDutyCycle(agent);
                }
                else
                {
                    agent.doWork();
                }
            }
            cycles += 64;
            if (updates(agent) >= target)
            {
                return cycles;
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                fail("updates not received in time");
            }
        }
    }

    /**
     * Bisect allocation: the same steps as {@link BotAgent#doWork()}, each measured.
     */
    private void probedDutyCycle(final BotAgent agent)
    {
        final long a0 = AllocationMeter.threadAllocatedBytes();
        final long nowNs = agent.beginDutyCycle();
        final long a1 = AllocationMeter.threadAllocatedBytes();
        final int polled = agent.link().doWork();
        final long a2 = AllocationMeter.threadAllocatedBytes();
        for (int i = 0; i < agent.botCount(); i++)
        {
            final Bot bot = agent.bot(i);
            if (!bot.session().isConnected())
            {
                continue;
            }
            final long b0 = AllocationMeter.threadAllocatedBytes();
            boolean send = false;
            if (nowNs - bot.nextInputNs >= 0)
            {
                send = agent.steer(bot, nowNs);
            }
            final long b1 = AllocationMeter.threadAllocatedBytes();
            final int sent = send ? agent.sendDueInputs(bot, nowNs) : 0;
            final long b2 = AllocationMeter.threadAllocatedBytes();
            if (BehaviourKind.INVENTORY == bot.kind() && nowNs - bot.nextInventoryNs >= 0)
            {
                agent.inventoryAction(bot, nowNs);
            }
            final long b3 = AllocationMeter.threadAllocatedBytes();
            if (b3 != b0)
            {
                System.out.println("PROBE bot " + bot.index() + " " + bot.kind() + " steer=" + (b1 - b0) +
                    " send=" + (b2 - b1) + " (sent " + sent + ", pub position " + bot.session().inputSequence() +
                    ") inventory=" + (b3 - b2));
            }
        }
        final long a3 = AllocationMeter.threadAllocatedBytes();
        agent.rollIntervalIfDue(nowNs);
        final long a4 = AllocationMeter.threadAllocatedBytes();
        if (a4 != a0)
        {
            System.out.println("PROBE clock=" + (a1 - a0) + " link=" + (a2 - a1) + " (work " + polled + ") bots=" +
                (a3 - a2) + " interval=" + (a4 - a3));
        }
    }

    private static boolean allOwnEntitiesSpawned(final BotAgent agent)
    {
        for (int i = 0; i < agent.botCount(); i++)
        {
            if (!agent.bot(i).ownEntitySpawned)
            {
                return false;
            }
        }
        return true;
    }

    private static int connectedNow(final BotAgent agent)
    {
        int count = 0;
        for (int i = 0; i < agent.botCount(); i++)
        {
            count += agent.bot(i).session().isConnected() ? 1 : 0;
        }
        return count;
    }

    private static long updates(final BotAgent agent)
    {
        long sum = 0;
        for (int i = 0; i < agent.botCount(); i++)
        {
            sum += agent.bot(i).session().updatesReceived();
        }
        return sum;
    }

    private static long inputs(final BotAgent agent)
    {
        long sum = 0;
        for (int i = 0; i < agent.botCount(); i++)
        {
            sum += agent.bot(i).session().inputsSent();
        }
        return sum;
    }
}
