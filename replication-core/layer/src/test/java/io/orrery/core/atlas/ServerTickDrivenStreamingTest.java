/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.orrery.core.client.ClientListener;
import io.orrery.core.client.ClientSession;
import io.orrery.core.server.ServerLink;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The layer adds no tick: once game servers mark the end of their ticks ({@code ServerTickEnd}), the Replicant streams
 * a tick's state in the duty cycle where the last live server's marker is read (its own tick timer not due), waits for
 * every live server but no longer than the bounded wait, stops waiting for a server whose markers went stale, and
 * keeps passes at least half a layer tick apart.
 */
@Tag("system")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServerTickDrivenStreamingTest
{
    private static final long PLAYER = 1;
    private static final long WAIT_NS = TimeUnit.MILLISECONDS.toNanos(3);

    private MeshTestShard shard;

    @AfterEach
    void after()
    {
        if (null != shard)
        {
            shard.close();
        }
    }

    private long passes()
    {
        return shard.layer.replicant().tickCount();
    }

    private long clientX(final ClientSession bot)
    {
        return bot.view().positionX(bot.view().slotOf(PLAYER));
    }

    @Test
    void shouldStreamServerTickInTheDutyCycleItsEndIsReadBeforeTheLayerTimerIsDue()
    {
        shard = new MeshTestShard(MeshHandoffTest.TWO_SERVERS, (ctx) -> ctx.serverTickWaitNs(WAIT_NS));
        final TestGameServer one = shard.startServer(1, null);
        final TestGameServer two = shard.startServer(2, null);
        final ClientSession bot = shard.connect(PLAYER, ClientListener.NO_OP);
        shard.ticksUntil(() -> one.owns(PLAYER) && bot.view().contains(PLAYER), 10, "player streamed in");
        one.vx[one.indexOf(PLAYER)] = 3;
        shard.tick(); // the layer's timer pass; the next one is a whole tick away, the test stays within it

        final long before = passes();
        final long xBefore = clientX(bot);
        one.simulate(shard.clock.nanoTime(), MeshTestShard.TICK_NS / 1e9);
        shard.drain(); // the state arrives now
        halfTick();
        shard.drain();
        assertEquals(before, passes(), "state without a tick end waits for the layer's tick");
        assertEquals(xBefore, clientX(bot));
        shard.layer.replicant().stateResidence().getIntervalHistogram(); // drop values of earlier passes

        assertEquals(ServerLink.OK, one.link.endTick(one.tick));
        shard.drain();
        assertEquals(before + 1, passes(), "the tick end of the only live server completes the round");
        assertTrue(clientX(bot) > xBefore, "the client has the tick's state before the layer's timer is due");
        final Histogram residence = shard.layer.replicant().stateResidence().getIntervalHistogram();
        assertEquals(1, residence.getTotalCount(), "one client, one pass: one residence value");
        assertEquals(halfTickNs(), residence.getMaxValue(), residence.getMaxValue() / 50,
            "from the state's arrival to the offer, on the controlled clock");

        halfTick();
        assertEquals(ServerLink.OK, two.link.endTick(1)); // server 2 is live from now on
        shard.drain();
        assertEquals(before + 1, passes(), "server 1 is live and has not ended this round: wait");
        assertEquals(ServerLink.OK, one.link.endTick(one.tick + 1));
        shard.drain();
        assertEquals(before + 2, passes(), "every live server ended the round: stream");
        halfTick();
        assertEquals(ServerLink.OK, one.link.endTick(one.tick + 2));
        shard.drain();
        assertEquals(before + 2, passes(), "server 2 has not ended this round: wait");
        assertEquals(ServerLink.OK, two.link.endTick(2));
        shard.drain();
        assertEquals(before + 3, passes(), "every live server ended the round: stream");
        assertEquals(0, tickCompletion().roundsTimedOut());
    }

    @Test
    void shouldNotStreamRoundsFasterThanHalfTheLayerTickWhenCatchingUp()
    {
        shard = new MeshTestShard(MeshHandoffTest.TWO_SERVERS, (ctx) -> ctx.serverTickWaitNs(WAIT_NS));
        final TestGameServer one = shard.startServer(1, null);
        shard.tick();
        final long before = passes();
        assertEquals(ServerLink.OK, one.link.endTick(1));
        shard.drain();
        assertEquals(before, passes(), "the last pass was less than half a tick ago");
        halfTick();
        shard.drain();
        assertEquals(before + 1, passes());
    }

    @Test
    void shouldStopWaitingForServerAfterBoundedWaitAndWhenItsTickEndsGoStale()
    {
        shard = new MeshTestShard(MeshHandoffTest.TWO_SERVERS, (ctx) -> ctx.serverTickWaitNs(WAIT_NS));
        final TestGameServer one = shard.startServer(1, null);
        final TestGameServer two = shard.startServer(2, null);
        shard.tick();
        halfTick();
        assertEquals(ServerLink.OK, one.link.endTick(1));
        assertEquals(ServerLink.OK, two.link.endTick(1));
        shard.drain();
        final long before = passes();

        halfTick();
        assertEquals(ServerLink.OK, one.link.endTick(2));
        shard.drain();
        assertEquals(before, passes(), "waiting for server 2");
        shard.clock.advance(WAIT_NS - 1);
        shard.drain();
        assertEquals(before, passes(), "still within the bounded wait");
        shard.clock.advance(1);
        shard.drain();
        assertEquals(before + 1, passes(), "the bounded wait passed: stream without server 2");
        assertEquals(1, tickCompletion().roundsTimedOut());

        // both go quiet past the stale interval: the layer's timer streams; then server 1 alone drives the passes
        shard.clock.advance(shard.layer.context().atlas().serverTickStaleNs() + 1);
        shard.drain();
        final long afterStale = passes();
        halfTick();
        assertEquals(ServerLink.OK, one.link.endTick(3));
        shard.drain();
        assertEquals(afterStale + 1, passes(), "server 1 is the only live server: its tick end completes the round");
    }

    @Test
    void shouldKeepLayerTimerWhenServersSendNoTickEnds()
    {
        shard = new MeshTestShard(MeshHandoffTest.TWO_SERVERS, (ctx) -> ctx.serverTickWaitNs(WAIT_NS));
        final TestGameServer one = shard.startServer(1, null);
        shard.tick();
        final long before = passes();
        one.simulate(shard.clock.nanoTime(), MeshTestShard.TICK_NS / 1e9);
        shard.drain();
        assertEquals(before, passes());
        shard.clock.advance(TimeUnit.SECONDS.toNanos(1) / 30);
        shard.drain();
        assertEquals(before + 1, passes(), "the layer's own tick, one interval later");
        assertEquals(0, tickCompletion().markers());
    }

    private long halfTickNs()
    {
        return TimeUnit.SECONDS.toNanos(1) / 30 / 2;
    }

    private void halfTick()
    {
        shard.clock.advance(halfTickNs());
    }

    private io.orrery.core.replicant.TickCompletion tickCompletion()
    {
        return ((MeshAuthority)shard.layer.context().authority()).tickCompletion();
    }
}
