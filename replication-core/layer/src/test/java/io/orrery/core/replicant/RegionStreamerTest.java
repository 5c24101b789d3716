/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant;

import io.aeron.Counter;
import io.orrery.core.authority.Authority;
import io.orrery.core.common.EntityIds;
import io.orrery.core.persistence.NodeRecord;
import io.orrery.core.persistence.Scribe;
import io.orrery.core.persistence.ScribeContext;
import io.orrery.core.persistence.TestPersistenceAdapter;
import io.orrery.core.persistence.WorldBatch;
import io.orrery.core.status.OrreryCounter;
import io.orrery.test.AllocationMeter;
import io.orrery.wire.codec.DespawnReason;
import io.orrery.wire.codec.PlayerInputDecoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The OCS cell state machine over a real Scribe (consumer run on the test thread) and the in-memory test adapter,
 * with a controlled clock: cells near a player are loaded, cells left behind are persisted then evicted after the
 * delay, hysteresis keeps a cell between the margins hot, and a cell streamed back in has the state it left with.
 * Cells are 100 m; stream-in margin 150 m, stream-out margin 200 m, delay 1 s.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RegionStreamerTest
{
    private static final long MM = 1000;
    private static final long PLAYER = 7;
    private static final long BASE = EntityIds.SCRIPTED_BASE + 1_000;
    private static final long SHIP = BASE + 500;
    private static final long DELAY_NS = TimeUnit.SECONDS.toNanos(1);
    private static final int MAX_ROUNDS = 8;

    private final TestPersistenceAdapter adapter = new TestPersistenceAdapter();
    private final EntityStore store = new EntityStore(1024, 64);
    private final EvictingAuthority authority = new EvictingAuthority();
    private Counter[] counters;
    private WorldPersistence world;
    private RegionStreamer streamer;
    private Scribe scribe;
    private long nowNs = TimeUnit.SECONDS.toNanos(100);
    private int playerSlot;

    @BeforeEach
    void setUp()
    {
        final int count = OrreryCounter.values().length;
        final CountersManager manager = new CountersManager(
            new UnsafeBuffer(ByteBuffer.allocateDirect(count * CountersReader.METADATA_LENGTH * 2)),
            new UnsafeBuffer(ByteBuffer.allocateDirect(count * CountersReader.COUNTER_LENGTH * 2)));
        counters = new Counter[count];
        for (final OrreryCounter c : OrreryCounter.values())
        {
            counters[c.id()] = new Counter(manager, manager.allocate(c.label()));
        }

        // Seed the store: 10 NPCs in cell (0,0), 10 in cell (5,0), a ship with 2 crew in cell (5,0).
        final WorldBatch batch = new WorldBatch(64);
        for (int i = 0; i < 10; i++)
        {
            seed(batch, BASE + i, 0, (10 + i * 8) * MM, 50 * MM, false);
            seed(batch, BASE + 100 + i, 0, (510 + i * 8) * MM, 50 * MM, false);
        }
        seed(batch, SHIP, 0, 560 * MM, 20 * MM, true);
        seed(batch, SHIP + 1, SHIP, 3 * MM, 0, false);
        seed(batch, SHIP + 2, SHIP, -3 * MM, 0, false);
        adapter.write(batch);

        world = new WorldPersistence(store, counters, TimeUnit.MILLISECONDS.toNanos(50));
        scribe = Scribe.launch(new ScribeContext()
            .adapter(adapter)
            .name("ocs-test")
            .ringSize(1024)
            .flushIntervalNs(TimeUnit.MILLISECONDS.toNanos(50))
            .useConsumerAgentInvoker(true));
        world.scribe(scribe);
        streamer = new RegionStreamer(store, world, authority, counters, 100, 150, 200, DELAY_NS, 0, 256)
            .scribe(scribe);

        playerSlot = store.create(PLAYER, 1, PLAYER, 0, false);
        movePlayer(50);
    }

    @AfterEach
    void tearDown()
    {
        scribe.close();
    }

    @Test
    void shouldStreamInCellsNearThePlayerOnlyWhenItJoins()
    {
        settle();

        assertEquals(RegionStreamer.HOT, streamer.cellState(0, 0));
        assertEquals(RegionStreamer.HOT, streamer.cellState(1, 0), "within the stream-in margin");
        assertEquals(RegionStreamer.COLD, streamer.cellState(5, 0));
        for (int i = 0; i < 10; i++)
        {
            assertNotEquals(EntityStore.NULL_SLOT, store.slotOf(BASE + i));
            assertEquals(EntityStore.NULL_SLOT, store.slotOf(BASE + 100 + i));
        }
        assertEquals(EntityStore.NULL_SLOT, store.slotOf(SHIP));
        assertEquals(11, store.size());
        assertEquals(10, streamer.entitiesStreamedIn());
        assertTrue(streamer.cellsStreamedIn() >= 2, "cells streamed in: " + streamer.cellsStreamedIn());
        assertEquals(streamer.cellsStreamedIn(), streamer.streamInLatencyNs().getTotalCount());
        assertTrue(world.isCaughtUp(), "streamed-in entities are not written back");
    }

    @Test
    void shouldPersistThenEvictACellLeftBehindAfterTheDelay()
    {
        settle();
        final int slot = store.slotOf(BASE + 3);
        store.componentState(slot, new UnsafeBuffer(new byte[]{ 1, 2, 3 }), 0, 3);
        store.position(slot, 30 * MM, 60 * MM, 0);

        movePlayer(560);
        settle();
        assertEquals(RegionStreamer.HOT, streamer.cellState(5, 0));
        assertNotEquals(EntityStore.NULL_SLOT, store.slotOf(SHIP + 2), "the ship came with its crew");
        assertEquals(SHIP, store.parentZoneId(store.slotOf(SHIP + 2)));
        assertEquals(RegionStreamer.HOT, streamer.cellState(0, 0), "not before the delay");

        nowNs += DELAY_NS;
        settle();
        assertEquals(RegionStreamer.HOT, streamer.cellState(0, 0), "not before the delay has passed");

        nowNs += 1;
        settle();
        assertEquals(RegionStreamer.COLD, streamer.cellState(0, 0));
        for (int i = 0; i < 10; i++)
        {
            assertEquals(EntityStore.NULL_SLOT, store.slotOf(BASE + i));
            assertEquals(DespawnReason.streamedOut.value(), authority.lastReason);
        }
        final NodeRecord stored = adapter.node(BASE + 3);
        assertNotNull(stored, "a streamed-out entity stays in the graph");
        assertEquals(3, stored.componentStateLength, "its last state was persisted before the eviction");
        assertEquals(30 * MM, stored.x);
        assertEquals(10, streamer.entitiesStreamedOut());
        assertEquals(10, counters[OrreryCounter.OCS_ENTITIES_STREAMED_OUT.id()].get());
        assertEquals(0, world.pendingRemovals(), "no node removal for a streamed-out entity");
    }

    @Test
    void shouldKeepACellBetweenTheMarginsHot()
    {
        settle();
        movePlayer(180); // 80 m from cell (0,0)'s edge... and cell (5,0) is 320 m away
        settle();
        nowNs += 3 * DELAY_NS;
        settle();
        assertEquals(RegionStreamer.HOT, streamer.cellState(0, 0));

        movePlayer(290); // 190 m from cell (0,0): outside the stream-in margin, inside the stream-out margin
        for (int i = 0; i < 5; i++)
        {
            nowNs += DELAY_NS;
            settle();
        }
        assertEquals(RegionStreamer.HOT, streamer.cellState(0, 0), "hysteresis");

        movePlayer(310); // 210 m: outside the stream-out margin
        nowNs += DELAY_NS + 1;
        settle();
        assertEquals(RegionStreamer.COLD, streamer.cellState(0, 0));
        assertEquals(EntityStore.NULL_SLOT, store.slotOf(BASE));
    }

    @Test
    void shouldStreamInTheSameStateWhenThePlayerComesBack()
    {
        settle();
        final NodeRecord before = new NodeRecord();
        final int slot = store.slotOf(BASE + 5);
        store.componentState(slot, new UnsafeBuffer(new byte[]{ 9, 8, 7, 6 }), 0, 4);
        store.orientation(slot, 0, 0, 0.5f, 0.8660254f);
        store.radius(slot, 2.5f);
        world.fillNode(slot, before);

        movePlayer(560);
        settle();
        nowNs += DELAY_NS + 1;
        settle();
        assertEquals(RegionStreamer.COLD, streamer.cellState(0, 0));
        assertEquals(EntityStore.NULL_SLOT, store.slotOf(BASE + 5));

        movePlayer(50);
        settle();
        assertEquals(RegionStreamer.HOT, streamer.cellState(0, 0));
        final NodeRecord after = new NodeRecord();
        world.fillNode(store.slotOf(BASE + 5), after);
        assertTrue(before.contentEquals(after), before + " came back as " + after);
        assertEquals(streamer.cellsStreamedIn(), counters[OrreryCounter.OCS_CELLS_STREAMED_IN.id()].get());

        nowNs += DELAY_NS + 1;
        settle();
        assertEquals(RegionStreamer.COLD, streamer.cellState(5, 0), "the ship's cell left behind");
        assertEquals(EntityStore.NULL_SLOT, store.slotOf(SHIP));
        assertEquals(EntityStore.NULL_SLOT, store.slotOf(SHIP + 1));
        assertEquals(SHIP, adapter.node(SHIP + 1).parentZoneId, "crew evicted with the ship, not reparented");
    }

    @Test
    void shouldNotStreamOutASubtreeHoldingAPlayer()
    {
        movePlayer(560);
        settle();
        final int shipSlot = store.slotOf(SHIP);
        assertTrue(shipSlot >= 0);
        final long otherPlayer = 8;
        final int other = store.create(otherPlayer, 1, otherPlayer, SHIP, false);
        assertTrue(other >= 0);
        store.position(other, 5000 * MM, 0, 0); // aboard, but far from the ship's cell (a very long ship)
        store.updateWorldPositions();

        movePlayer(-5000);
        for (int i = 0; i < 4; i++)
        {
            nowNs += DELAY_NS;
            store.updateWorldPositions();
            settle();
        }
        assertNotEquals(EntityStore.NULL_SLOT, store.slotOf(SHIP), "a ship with a player aboard stays");
        assertNotEquals(EntityStore.NULL_SLOT, store.slotOf(SHIP + 1), "and its crew");
        assertEquals(EntityStore.NULL_SLOT, store.slotOf(BASE + 100), "the rest of its cell went");
    }

    @Test
    void shouldNotAllocateWhenStreamingCellsInAndOut()
    {
        settle();
        long bytes = -1;
        long cycles = 0;
        for (int round = 1; round <= MAX_ROUNDS && 0 != bytes; round++)
        {
            bytes = 0;
            final long outBefore = streamer.entitiesStreamedOut();
            final long inBefore = streamer.entitiesStreamedIn();
            for (int walk = 0; walk < 20; walk++)
            {
                movePlayer(0 == (walk & 1) ? 560 : 50);
                for (int step = 0; step < 30; step++)
                {
                    nowNs += DELAY_NS / 10;
                    final long before = AllocationMeter.threadAllocatedBytes();
                    streamer.doWork(nowNs);
                    bytes += AllocationMeter.threadAllocatedBytes() - before;
                    scribe.invokeConsumer();
                    cycles++;
                }
            }
            System.out.println("round " + round + ": region streamer " + bytes + " bytes allocated over " +
                (streamer.entitiesStreamedOut() - outBefore) + " entities streamed out, " +
                (streamer.entitiesStreamedIn() - inBefore) + " in, " + cycles + " duty cycles");
            assertTrue(streamer.entitiesStreamedOut() - outBefore >= 100, "cells were streamed out");
            assertTrue(streamer.entitiesStreamedIn() - inBefore >= 100, "cells were streamed in");
        }
        assertEquals(0, bytes, "bytes allocated by the region streamer's duty cycle");
    }

    private void movePlayer(final long xM)
    {
        store.position(playerSlot, xM * MM, 50 * MM, 0);
    }

    /**
     * Run the streamer and Scribe's consumer until neither has work (a few duty cycles at the same clock).
     */
    private void settle()
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int idle = 0;
        while (idle < 3)
        {
            final int work = streamer.doWork(nowNs) + scribe.invokeConsumer() + world.doWork(nowNs);
            idle = 0 == work && 0 == streamer.loadsInFlight() && !streamer.isStreamingOut() ? idle + 1 : 0;
            if (System.nanoTime() > deadline)
            {
                fail("streamer did not settle");
            }
        }
    }

    private static void seed(
        final WorldBatch batch, final long id, final long zone, final long x, final long y, final boolean isZone)
    {
        final NodeRecord node = batch.addNodeUpsert();
        node.reset();
        node.entityId = id;
        node.archetypeId = isZone ? 3 : 2;
        node.parentZoneId = zone;
        node.isZone = isZone;
        node.x = x;
        node.y = y;
        node.radius = isZone ? 20 : 0.5f;
        node.componentState[0] = (byte)id;
        node.componentStateLength = 1;
    }

    /**
     * The default eviction (remove from the cache), remembering the reason.
     */
    private static final class EvictingAuthority implements Authority
    {
        short lastReason;

        @Override
        public void onPlayerJoined(final long playerEntityId, final long nowNs, final EntityStore store)
        {
        }

        @Override
        public void onPlayerLeft(final long playerEntityId, final long nowNs, final EntityStore store)
        {
        }

        @Override
        public void onPlayerInput(final PlayerInputDecoder input, final long nowNs, final EntityStore store)
        {
        }

        @Override
        public int onTick(final long nowNs, final EntityStore store)
        {
            return 0;
        }

        @Override
        public boolean removeEntity(final long entityId, final short despawnReason, final EntityStore store)
        {
            lastReason = despawnReason;
            return store.remove(entityId, despawnReason);
        }
    }
}
