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
 * a tick's state in the duty cycle where the last live server's marker is read, with the controlled clock standing
 * still (its own tick timer never due), waits for every live server but no longer than the bounded wait, and stops
 * waiting for a server whose markers went stale.
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
    void shouldStreamServerTickInTheDutyCycleItsEndIsReadWhenClockStandsStill()
    {
        shard = new MeshTestShard(MeshHandoffTest.TWO_SERVERS, (ctx) -> ctx.serverTickWaitNs(WAIT_NS));
        final TestGameServer one = shard.startServer(1, null);
        final TestGameServer two = shard.startServer(2, null);
        final ClientSession bot = shard.connect(PLAYER, ClientListener.NO_OP);
        shard.ticksUntil(() -> one.owns(PLAYER) && bot.view().contains(PLAYER), 10, "player streamed in");
        one.vx[one.indexOf(PLAYER)] = 3;
        shard.tick(); // the layer's timer is not due again for a whole tick: the clock stays here from now on

        final long before = passes();
        final long xBefore = clientX(bot);
        one.simulate(shard.clock.nanoTime(), MeshTestShard.TICK_NS / 1e9);
        shard.drain();
        assertEquals(before, passes(), "state without a tick end waits for the layer's tick");
        assertEquals(xBefore, clientX(bot));
        shard.layer.replicant().stateResidence().reset();

        assertEquals(ServerLink.OK, one.link.endTick(one.tick));
        shard.drain();
        assertEquals(before + 1, passes(), "the tick end of the only live server completes the round");
        assertTrue(clientX(bot) > xBefore, "the client has the tick's state with the clock standing still");
        final Histogram residence = shard.layer.replicant().stateResidence().getIntervalHistogram();
        assertEquals(1, residence.getTotalCount(), "one client, one pass: one residence value");

        assertEquals(ServerLink.OK, two.link.endTick(1)); // server 2 is live from now on
        shard.drain();
        assertEquals(before + 1, passes(), "server 1 is live and has not ended this round: wait");
        assertEquals(ServerLink.OK, one.link.endTick(one.tick + 1));
        shard.drain();
        assertEquals(before + 2, passes(), "every live server ended the round: stream");
        assertEquals(ServerLink.OK, one.link.endTick(one.tick + 2));
        shard.drain();
        assertEquals(before + 2, passes(), "server 2 has not ended this round: wait");
        assertEquals(ServerLink.OK, two.link.endTick(2));
        shard.drain();
        assertEquals(before + 3, passes(), "every live server ended the round: stream");
        assertEquals(0, tickCompletion().roundsTimedOut());
    }

    @Test
    void shouldStopWaitingForServerAfterBoundedWaitAndWhenItsTickEndsGoStale()
    {
        shard = new MeshTestShard(MeshHandoffTest.TWO_SERVERS, (ctx) -> ctx.serverTickWaitNs(WAIT_NS));
        final TestGameServer one = shard.startServer(1, null);
        final TestGameServer two = shard.startServer(2, null);
        shard.tick();
        assertEquals(ServerLink.OK, one.link.endTick(1));
        assertEquals(ServerLink.OK, two.link.endTick(1));
        shard.drain();
        final long before = passes();

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

        // server 2 goes quiet: past the stale interval it is no longer waited for (the layer's timer covers the gap)
        shard.clock.advance(shard.layer.context().serverTickStaleNs() + 1);
        shard.drain();
        final long afterStale = passes();
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

    private io.orrery.core.replicant.TickCompletion tickCompletion()
    {
        return ((MeshAuthority)shard.layer.context().authority()).tickCompletion();
    }
}
