/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.authority;

import io.orrery.core.replicant.EntityStore;
import io.orrery.wire.codec.MessageHeaderDecoder;
import io.orrery.wire.codec.MessageHeaderEncoder;
import io.orrery.wire.codec.PlayerInputDecoder;
import io.orrery.wire.codec.PlayerInputEncoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scripted authority keeps only the players online: joins and leaves by many distinct players leave its state
 * and its per-tick work bounded by the most online at once, and cost nothing once warm.
 */
class ScriptedAuthorityTest
{
    private static final long TICK_NS = 34_000_000L;
    private static final int ONLINE = 8;

    private final EntityStore store = new EntityStore(256, 16);
    private final ScriptedAuthority authority =
        new ScriptedAuthority(new ScriptedAuthority.Settings().npcCount(0).shipCount(0));
    private final UnsafeBuffer inputBuffer = new UnsafeBuffer(new byte[128]);
    private final PlayerInputEncoder inputEncoder = new PlayerInputEncoder();
    private final PlayerInputDecoder inputDecoder = new PlayerInputDecoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private long nowNs = TICK_NS;

    @Test
    void shouldKeepOnlyLivePlayersWhenManyDistinctPlayersJoinAndLeave()
    {
        final int joins = 10_000;
        for (int p = 1; p <= joins; p++)
        {
            authority.onPlayerJoined(p, nowNs, store);
            if (p > ONLINE)
            {
                authority.onPlayerLeft(p - ONLINE, nowNs, store);
            }
            assertTrue(tick() <= ONLINE, "players moved per tick after player " + p);
        }

        assertEquals(ONLINE, authority.playerCount());
        assertEquals(ONLINE, tick(), "the tick touches the players online only");
        for (int p = joins - ONLINE + 1; p <= joins; p++)
        {
            authority.onPlayerLeft(p, nowNs, store);
        }
        assertEquals(0, authority.playerCount());
        assertEquals(0, tick());
        assertEquals(0, store.size());
    }

    @Test
    void shouldRouteInputToTheRightPlayerWhenAnotherLeftBeforeIt()
    {
        authority.onPlayerJoined(1, nowNs, store);
        authority.onPlayerJoined(2, nowNs, store);
        authority.onPlayerJoined(3, nowNs, store);
        authority.onPlayerLeft(1, nowNs, store); // 3 takes 1's place in the dense arrays

        input(3, 7, 1f);
        input(2, 9, -1f);
        tick();

        final int slot3 = store.slotOf(3);
        final int slot2 = store.slotOf(2);
        assertEquals(7, store.lastAppliedInputSequence(slot3));
        assertEquals(9, store.lastAppliedInputSequence(slot2));
        assertTrue(store.velocityX(slot3) > 0);
        assertTrue(store.velocityX(slot2) < 0);

        authority.onPlayerLeft(3, nowNs, store);
        authority.onPlayerJoined(3, nowNs, store);
        tick();
        assertEquals(0, store.velocityX(store.slotOf(3)), "a rejoining player starts still");
        assertEquals(2, authority.playerCount());
    }

    @Test
    void shouldNotAllocateWhenPlayersJoinAndLeaveInSteadyState()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        int player = 0;
        long allocated = -1;
        for (int round = 0; round < 10 && 0 != allocated; round++) // the first rounds warm up (JIT, class loading)
        {
            final long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 20_000; i++)
            {
                churn(++player);
            }
            allocated = threads.getCurrentThreadAllocatedBytes() - before;
        }

        assertEquals(0, allocated, "bytes allocated by 20k joins, leaves, inputs and ticks once warm");
        assertEquals(ONLINE, authority.playerCount());
    }

    private void churn(final int player)
    {
        authority.onPlayerJoined(player, nowNs, store);
        if (player > ONLINE)
        {
            authority.onPlayerLeft(player - ONLINE, nowNs, store);
        }
        input(player, player, 0.5f);
        tick();
    }

    private int tick()
    {
        nowNs += TICK_NS;
        return authority.onTick(nowNs, store);
    }

    private void input(final long playerId, final long sequence, final float moveX)
    {
        inputEncoder.wrapAndApplyHeader(inputBuffer, 0, headerEncoder)
            .sessionId(1)
            .entityId(playerId)
            .inputSequence(sequence)
            .clientTimestampNs(nowNs);
        inputEncoder.move().x(moveX).y(0).z(0);
        inputDecoder.wrapAndApplyHeader(inputBuffer, 0, headerDecoder);
        authority.onPlayerInput(inputDecoder, nowNs, store);
    }
}
