/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers;

import io.aeron.Aeron;
import io.aeron.Counter;
import io.orrery.core.ReplicationLayer;
import io.orrery.core.ThreadingMode;
import io.orrery.core.auth.SessionTokens;
import io.orrery.core.authority.Authority;
import io.orrery.core.authority.ScriptedAuthority;
import io.orrery.core.client.ClientLink;
import io.orrery.core.client.ClientListener;
import io.orrery.core.client.ClientSession;
import io.orrery.core.common.EntityIds;
import io.orrery.core.persistence.NodeRecord;
import io.orrery.core.persistence.Scribe;
import io.orrery.core.persistence.ScribeContext;
import io.orrery.core.persistence.WorldBatch;
import io.orrery.core.replicant.EntityStore;
import io.orrery.core.replicant.RegionStreamer;
import io.orrery.core.replicant.WorldPersistence;
import io.orrery.core.status.OrreryCounter;
import io.orrery.persistence.rocksdb.RocksDbPersistenceAdapter;
import io.orrery.wire.codec.PlayerInputDecoder;
import org.HdrHistogram.Histogram;
import org.agrona.CloseHelper;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Server OCS over a real RocksDB store in a temporary directory: "a world larger than the cache works". A world of
 * 12,000 entities (NPCs, and ships carrying crew) on 2 km x 2 km, seeded through the adapter; a cache of 3,000; one
 * client session walking across the world with a controlled clock (INVOKER mode, one tick per step, Scribe's consumer
 * on its own thread, each step waiting for loads and stream-outs in flight). Also measures the stream-in latency of a
 * cell with RocksDB (wall clock).
 */
@Tag("system")
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class OcsWorldTest
{
    private static final byte[] SECRET = "ocs-test-secret-0123456789abcdef".getBytes(StandardCharsets.UTF_8);
    private static final long MM = 1000;
    private static final long TICK_NS = TimeUnit.MILLISECONDS.toNanos(34);
    private static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(30);
    private static final int CAPACITY = 3000;
    private static final int NPCS = 10_000;
    private static final int SHIPS = 400;
    private static final int CREW = 4;
    private static final int ENTITIES = NPCS + SHIPS * (1 + CREW);
    private static final long NPC_BASE = EntityIds.SCRIPTED_BASE + 1_000_000;
    private static final long SHIP_BASE = NPC_BASE + NPCS;
    private static final long CREW_BASE = SHIP_BASE + SHIPS;
    private static final double BUBBLE_M = 60;
    private static final double HALF_EXTENT_M = 1000;
    private static final long PLAYER = 1;

    @Test
    void shouldServeAWorldLargerThanTheCacheWhenAPlayerWalksAcrossIt(@TempDir final Path dir)
    {
        final Long2ObjectHashMap<NodeRecord> expected = new Long2ObjectHashMap<>();
        try (RocksDbPersistenceAdapter adapter = RocksDbPersistenceAdapter.open(dir.resolve("store")))
        {
            seedWorld(adapter, expected);
        }
        final long[] ids = new long[ENTITIES];
        final long[] worldX = new long[ENTITIES];
        final long[] worldY = new long[ENTITIES];
        int n = 0;
        for (final NodeRecord node : expected.values())
        {
            ids[n] = node.entityId;
            final NodeRecord top = 0 == node.parentZoneId ? node : expected.get(node.parentZoneId);
            worldX[n] = top.x + (top == node ? 0 : node.x);
            worldY[n] = top.y + (top == node ? 0 : node.y);
            n++;
        }

        final Histogram leadMm = new Histogram(10_000_000, 3);
        long steps = 0;
        long streamedIn;
        long streamedOut;
        long peak = 0;
        try (RocksDbPersistenceAdapter adapter = RocksDbPersistenceAdapter.open(dir.resolve("store"));
            Rig rig = new Rig(adapter))
        {
            final EntityStore store = rig.layer.replicant().store();
            final RegionStreamer streamer = rig.layer.replicant().regionStreamer();
            assertNotNull(streamer, "OCS is on");
            assertEquals(0, rig.layer.counter(OrreryCounter.ENTITIES_RESTORED), "no whole-world restore with OCS");
            assertEquals(0, store.size(), "nothing loaded before a player joins");

            final ClientSession session = rig.connect(PLAYER);
            rig.await(() -> store.slotOf(PLAYER) >= 0 && 0 == streamer.loadsInFlight() &&
                streamer.cellsStreamedIn() > 0, "the spawn cells to stream in");
            final long[] lastSeenStep = new long[ENTITIES];
            final Long2LongHashMap indexById = new Long2LongHashMap(-1);
            for (int i = 0; i < ENTITIES; i++)
            {
                indexById.put(ids[i], i);
            }

            // Walk east, north, west: (0,0) -> (900,0) -> (900,900) -> (-900,900), 50 m/s, one tick per step.
            final double[][] legs = { { 900, 0 }, { 900, 900 }, { -900, 900 } };
            final SplittableRandom random = new SplittableRandom(3);
            for (final double[] leg : legs)
            {
                while (true)
                {
                    final int playerSlot = store.slotOf(PLAYER);
                    final double px = store.positionX(playerSlot) / (double)MM;
                    final double py = store.positionY(playerSlot) / (double)MM;
                    final double dx = leg[0] - px;
                    final double dy = leg[1] - py;
                    final double distance = Math.hypot(dx, dy);
                    if (distance < 5)
                    {
                        break;
                    }
                    rig.step(session, (float)(dx / distance), (float)(dy / distance), streamer);
                    steps++;

                    // Every seeded entity within the bubble is cached; record how far out entities arrived.
                    final long pxMm = store.positionX(store.slotOf(PLAYER));
                    final long pyMm = store.positionY(store.slotOf(PLAYER));
                    for (int i = 0; i < ENTITIES; i++)
                    {
                        final double d = Math.hypot(worldX[i] - pxMm, worldY[i] - pyMm);
                        if (d <= BUBBLE_M * MM && store.slotOf(ids[i]) < 0)
                        {
                            fail("step " + steps + ": entity " + ids[i] + " " + d / MM + " m from the player " +
                                "is not cached");
                        }
                    }
                    for (int i = 0, count = store.activeCount(); i < count; i++)
                    {
                        final int index = (int)indexById.get(store.entityId(store.activeSlot(i)));
                        if (index >= 0)
                        {
                            if (lastSeenStep[index] != steps - 1)
                            {
                                final double d = Math.hypot(worldX[index] - pxMm, worldY[index] - pyMm);
                                leadMm.recordValue((long)Math.max(0, d - BUBBLE_M * MM));
                            }
                            lastSeenStep[index] = steps;
                        }
                    }
                    peak = Math.max(peak, store.size());
                    if (steps > 40)
                    {
                        assertTrue(session.view().size() > 0, "step " + steps + ": the view is never empty");
                    }

                    // Touch what the player is next to, so streamed-out state must be the latest.
                    if (0 == steps % 10)
                    {
                        touchNear(store, expected, pxMm, pyMm, random);
                    }
                }
            }

            streamedIn = streamer.entitiesStreamedIn();
            streamedOut = streamer.entitiesStreamedOut();
            System.out.printf("OCS walk: %d steps, %d entities streamed in, %d streamed out, %d cells in, %d " +
                "out, peak cache %d of %d; arrival ahead of the %.0f m bubble: min %.0f m, p50 %.0f m, p99 %.0f m%n",
                steps, streamedIn, streamedOut, streamer.cellsStreamedIn(), streamer.cellsStreamedOut(), peak,
                CAPACITY, BUBBLE_M, leadMm.getMinValue() / 1e3, leadMm.getValueAtPercentile(50) / 1e3,
                leadMm.getValueAtPercentile(99) / 1e3);

            assertTrue(streamedIn > CAPACITY, "the walk needed more entities than the cache holds: " + streamedIn);
            assertTrue(streamedOut > CAPACITY / 2, "streamed out: " + streamedOut);
            assertEquals(0, streamer.failures(), "no load failed for lack of cache");
            assertEquals(0, rig.layer.counter(OrreryCounter.ERRORS));
            assertEquals(0, session.updatesForUnknownEntities() + session.despawnsForUnknownEntities());
            assertEquals(streamedIn, rig.layer.counter(OrreryCounter.OCS_ENTITIES_STREAMED_IN));
        }

        // Nothing lost, nothing duplicated: the store holds the 12,000 with their latest states (and the starter item).
        try (RocksDbPersistenceAdapter adapter = RocksDbPersistenceAdapter.open(dir.resolve("store")))
        {
            final Long2ObjectHashMap<NodeRecord> stored = new Long2ObjectHashMap<>();
            adapter.loadAll((node) ->
            {
                final NodeRecord previous = stored.put(node.entityId, new NodeRecord().copyFrom(node));
                assertTrue(null == previous, "loaded once: " + node.entityId);
            });
            int items = 0;
            for (final NodeRecord node : stored.values())
            {
                if (EntityIds.isItem(node.entityId))
                {
                    items++;
                }
            }
            assertEquals(ENTITIES, stored.size() - items, "world nodes in the store");
            expected.forEach((id, node) ->
            {
                final NodeRecord after = stored.get((long)id);
                assertNotNull(after, "kept " + id);
                assertTrue(node.contentEquals(after), node + " stored as " + after);
            });
        }
    }

    @Test
    void shouldMeasureStreamInLatencyOfACellWithRocksDb(@TempDir final Path dir)
    {
        for (final int perCell : new int[]{ 100, 1000 })
        {
            final int cells = 40;
            try (RocksDbPersistenceAdapter adapter = RocksDbPersistenceAdapter.open(dir.resolve("cells-" + perCell)))
            {
                final WorldBatch batch = new WorldBatch(1024);
                long id = NPC_BASE;
                for (int c = 0; c < cells; c++)
                {
                    for (int i = 0; i < perCell; i++)
                    {
                        addNode(adapter, batch, id++, 0, (c * 100 + 10 + (i % 80)) * MM, (10 + i / 80) * MM, false);
                    }
                }
                adapter.write(batch);
                measureLatency(adapter, perCell, cells);
            }
        }
    }

    private static void measureLatency(final RocksDbPersistenceAdapter adapter, final int perCell, final int cells)
    {
        final Counter[] counters = counters();
        final EntityStore store = new EntityStore(4 * perCell + 16, 64);
        final WorldPersistence world = new WorldPersistence(store, counters, TimeUnit.MILLISECONDS.toNanos(100));
        try (Scribe scribe = Scribe.launch(new ScribeContext().adapter(adapter).name("ocs-latency").ringSize(4096)))
        {
            world.scribe(scribe);
            final RegionStreamer streamer = new RegionStreamer(store, world, new DefaultAuthority(), counters,
                100, 10, 20, 0, 0, 1024).scribe(scribe);
            final int player = store.create(PLAYER, 1, PLAYER, 0, false);
            for (int round = 0; round < 3; round++)
            {
                if (1 == round)
                {
                    streamer.streamInLatencyNs().reset(); // the first pass warms up the JIT and RocksDB's caches
                }
                for (int c = 0; c < cells; c++)
                {
                    store.position(player, (c * 100 + 50) * MM, 50 * MM, 0);
                    final long cellX = streamer.cellCoordinate(store.positionX(player));
                    final long deadlineNs = System.nanoTime() + DEADLINE_NS;
                    while (RegionStreamer.HOT != streamer.cellState(cellX, 0) || streamer.isStreamingOut())
                    {
                        if (0 == streamer.doWork(System.nanoTime()))
                        {
                            Thread.onSpinWait();
                        }
                        if (System.nanoTime() > deadlineNs)
                        {
                            fail("cell " + c + " did not stream in");
                        }
                    }
                }
            }
            final Histogram latency = streamer.streamInLatencyNs();
            System.out.printf("OCS stream-in latency, RocksDB, cell of %d entities (%d in the store): p50 %.2f ms, " +
                "p99 %.2f ms, max %.2f ms over %d cells%n", perCell, perCell * cells,
                latency.getValueAtPercentile(50) / 1e6, latency.getValueAtPercentile(99) / 1e6,
                latency.getMaxValue() / 1e6, latency.getTotalCount());
            assertEquals(2L * cells, latency.getTotalCount());
            assertEquals(0, streamer.failures());
        }
    }

    private static void touchNear(
        final EntityStore store,
        final Long2ObjectHashMap<NodeRecord> expected,
        final long pxMm,
        final long pyMm,
        final SplittableRandom random)
    {
        final UnsafeBuffer state = new UnsafeBuffer(new byte[8]);
        for (int i = 0, n = store.activeCount(); i < n; i++)
        {
            final int slot = store.activeSlot(i);
            final NodeRecord node = expected.get(store.entityId(slot));
            if (null == node || 0 != node.parentZoneId ||
                Math.hypot(store.positionX(slot) - pxMm, store.positionY(slot) - pyMm) > 40 * MM)
            {
                continue;
            }
            state.putLong(0, random.nextLong());
            store.componentState(slot, state, 0, 8);
            state.getBytes(0, node.componentState, 0, 8);
            node.componentStateLength = 8;
        }
    }

    private static void seedWorld(final RocksDbPersistenceAdapter adapter, final Long2ObjectHashMap<NodeRecord> out)
    {
        final SplittableRandom random = new SplittableRandom(42);
        final WorldBatch batch = new WorldBatch(1024);
        for (int i = 0; i < NPCS; i++)
        {
            final long x = (long)(random.nextDouble(-HALF_EXTENT_M, HALF_EXTENT_M) * MM);
            final long y = (long)(random.nextDouble(-HALF_EXTENT_M, HALF_EXTENT_M) * MM);
            out.put(NPC_BASE + i, addNode(adapter, batch, NPC_BASE + i, 0, x, y, false));
        }
        for (int s = 0; s < SHIPS; s++)
        {
            final long x = (long)(random.nextDouble(-HALF_EXTENT_M, HALF_EXTENT_M) * MM);
            final long y = (long)(random.nextDouble(-HALF_EXTENT_M, HALF_EXTENT_M) * MM);
            final long shipId = SHIP_BASE + s;
            out.put(shipId, addNode(adapter, batch, shipId, 0, x, y, true));
            adapter.write(batch); // the zone before its crew
            batch.clear();
            for (int c = 0; c < CREW; c++)
            {
                final long crewId = CREW_BASE + (long)s * CREW + c;
                out.put(crewId, addNode(adapter, batch, crewId, shipId, (c - 2) * 3 * MM, 2 * MM, false));
            }
        }
        adapter.write(batch);
        assertEquals(ENTITIES, adapter.nodeCount());
    }

    private static NodeRecord addNode(
        final RocksDbPersistenceAdapter adapter,
        final WorldBatch batch,
        final long id,
        final long zone,
        final long x,
        final long y,
        final boolean isZone)
    {
        if (batch.nodeUpsertCount() == batch.capacity())
        {
            adapter.write(batch);
            batch.clear();
        }
        final NodeRecord node = batch.addNodeUpsert();
        node.reset();
        node.entityId = id;
        node.archetypeId = isZone ? ScriptedAuthority.ARCHETYPE_SHIP : ScriptedAuthority.ARCHETYPE_NPC;
        node.parentZoneId = zone;
        node.isZone = isZone;
        node.x = x;
        node.y = y;
        node.radius = isZone ? 10 : 0.5f;
        for (int b = 0; b < 8; b++)
        {
            node.componentState[b] = (byte)(id >>> (8 * b));
        }
        node.componentStateLength = 8;
        return new NodeRecord().copyFrom(node);
    }

    private static Counter[] counters()
    {
        final int count = OrreryCounter.values().length;
        final CountersManager manager = new CountersManager(
            new UnsafeBuffer(ByteBuffer.allocateDirect(count * CountersReader.METADATA_LENGTH * 2)),
            new UnsafeBuffer(ByteBuffer.allocateDirect(count * CountersReader.COUNTER_LENGTH * 2)));
        final Counter[] counters = new Counter[count];
        for (final OrreryCounter c : OrreryCounter.values())
        {
            counters[c.id()] = new Counter(manager, manager.allocate(c.label()));
        }
        return counters;
    }

    /**
     * Evicts from the cache only (no servers).
     */
    private static final class DefaultAuthority implements Authority
    {
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
    }

    /**
     * A persistent OCS layer in INVOKER mode with a controlled clock, the scripted authority moving the player only,
     * and a client link on the same clock.
     */
    private static final class Rig implements AutoCloseable
    {
        final CachedNanoClock clock = new CachedNanoClock();
        final ReplicationLayer layer;
        final Aeron aeron;
        final ClientLink link;
        private final SessionTokens tokens = new SessionTokens(SECRET);

        Rig(final RocksDbPersistenceAdapter adapter)
        {
            clock.update(TimeUnit.SECONDS.toNanos(1000));
            layer = ReplicationLayer.launch(new ReplicationLayer.Context()
                .threadingMode(ThreadingMode.INVOKER)
                .nanoClock(clock)
                .tokenSecret(SECRET)
                .authority(new ScriptedAuthority(new ScriptedAuthority.Settings()
                    .npcCount(0).shipCount(0).playerSpawnHalfExtentM(0).playerMaxSpeedMps(50)))
                .persistenceAdapter(adapter)
                .persistenceFlushIntervalNs(TimeUnit.MILLISECONDS.toNanos(50))
                .maxSessions(8)
                .maxEntities(CAPACITY)
                .maxViewEntities(1024)
                .bubbleRadiusM(BUBBLE_M)
                .sizeFactor(10)
                .tickRateHz(30)
                .bandwidthBytesPerTick(64 * 1024)
                .ocsEnabled(true)
                .ocsCellSizeM(100)
                .ocsStreamOutDelayNs(TimeUnit.SECONDS.toNanos(2)));
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(layer.aeronDirectoryName()));
            link = new ClientLink(aeron, new ClientLink.Settings().clock(clock).responseStreamId(2001));
        }

        ClientSession connect(final long playerId)
        {
            final ClientSession session = link.connect(
                tokens.issue(playerId, System.currentTimeMillis() + 600_000), ClientListener.NO_OP);
            await(session::isConnected, "handshake");
            return session;
        }

        void step(final ClientSession session, final float moveX, final float moveY, final RegionStreamer streamer)
        {
            clock.advance(TICK_NS);
            session.sendInput(moveX, moveY, 0, 0, 0, 0, clock.nanoTime());
            layer.replicant().tickNow();
            poll(); // the tick: the player moves, the streamer checks its cells
            await(() -> 0 == streamer.loadsInFlight() && !streamer.isStreamingOut(), "loads and stream-outs");
            int idle = 0;
            while (idle < 3)
            {
                idle = poll() == 0 ? idle + 1 : 0;
            }
            await(() -> 0 == streamer.loadsInFlight() && !streamer.isStreamingOut(), "loads and stream-outs");
            await(layer.replicant()::isEgressWindowOpen, "egress windows");
        }

        int poll()
        {
            return layer.doWork() + link.doWork();
        }

        void await(final BooleanSupplier condition, final String what)
        {
            final long deadlineNs = System.nanoTime() + DEADLINE_NS;
            while (!condition.getAsBoolean())
            {
                if (poll() == 0)
                {
                    Thread.yield();
                }
                if (System.nanoTime() - deadlineNs > 0)
                {
                    fail("timed out waiting for " + what);
                }
            }
        }

        @Override
        public void close()
        {
            CloseHelper.quietClose(link);
            CloseHelper.quietClose(aeron);
            CloseHelper.quietClose(layer);
        }
    }
}
