/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.aeron.Counter;
import io.orrery.core.status.OrreryCounter;
import io.orrery.wire.EntityIdSpace;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A deterministic stand-in for everything around {@link Atlas}, for tests that drive it through whole rebalances:
 * the mesh (it routes each player's input to the authority Atlas decided, holds it from a handoff's start to its
 * commit and replays what is above the cached last applied sequence, as {@link ServerMesh} does), the entity cache
 * (each entity's last accepted state: epoch and last applied input), the game servers (each simulates the entities it
 * was given, applies forwarded input at once, writes its state every tick, answers a release and a prepare a seeded
 * random number of ticks later) and a fleet (starts and stops the servers Atlas asks for, some ticks later). Entities
 * move where the test puts them. After every tick it checks the invariants of the handoff protocol; at the end,
 * {@link #assertEveryInputAppliedOnce()}.
 * <p>
 * Threading: the test thread only. Test code: it allocates freely.
 */
final class MeshModel implements AtlasDecisionHandler
{
    static final long TICK_NS = 34_000_000L;
    private static final int NO_SERVER = -1;

    final Atlas atlas;
    final Counter[] counters;
    final int servers;
    private final SplittableRandom random;
    private final int maxAnswerDelayTicks;
    private final int pacing;
    private final int fleetDelayTicks;

    long nowNs = 1_000 * 1_000_000L;
    long tick;
    private long nextSessionId = 100;

    // servers: their session and what each one simulates (entity -> its state there)
    final long[] session;
    final boolean[] retiring;
    final List<Map<Long, long[]>> simulated = new ArrayList<>(); // long[]{epoch, lastApplied}
    private final long[] startAtTick;
    private final long[] stopAtTick;

    // the world and the cache
    final List<Long> ids = new ArrayList<>();
    final Map<Long, long[]> position = new HashMap<>(); // {x, y} mm
    private final Map<Long, Long> incarnation = new HashMap<>();
    private final Map<Long, long[]> cache = new HashMap<>(); // {epoch, lastApplied}
    private final Map<Long, Long> lastEpochSeen = new HashMap<>();

    // the mesh: route of each entity's input (server index or none while held), inputs sent and forwarded
    private final Map<Long, Integer> route = new HashMap<>();
    private final Map<Long, Long> sent = new HashMap<>();
    private final Map<Long, Long> forwarded = new HashMap<>();
    private final Map<Long, int[]> applied = new HashMap<>();

    private final List<long[]> answers = new ArrayList<>(); // {dueTick, kind, server, entity, epochOrHandoffId}
    private static final int RELEASE = 0;
    private static final int ACCEPT = 1;

    final List<String> events = new ArrayList<>();
    int maxInFlightToOneServer;
    int ticksWithSplitAndMergeInFlight;
    int entitiesGivenToRetiringServers;
    int entitiesOnStoppedServers;

    MeshModel(
        final String shard,
        final long seed,
        final int maxAnswerDelayTicks,
        final int fleetDelayTicks,
        final Counter[] counters)
    {
        this.counters = counters;
        this.random = new SplittableRandom(seed);
        this.maxAnswerDelayTicks = maxAnswerDelayTicks;
        this.fleetDelayTicks = fleetDelayTicks;
        final ShardConfig config = ShardConfig.parse(shard, "model.shard");
        pacing = config.handoffPacing();
        atlas = new Atlas(config, 4096, 0, counters, this);
        servers = config.serverIds().length;
        session = new long[servers];
        retiring = new boolean[servers];
        startAtTick = new long[servers];
        stopAtTick = new long[servers];
        Arrays.fill(startAtTick, -1);
        Arrays.fill(stopAtTick, -1);
        for (int s = 0; s < servers; s++)
        {
            simulated.add(new HashMap<>());
        }
    }

    // ------------------------------------------------------------------ the test's controls

    void startServer(final int serverIndex)
    {
        session[serverIndex] = ++nextSessionId;
        retiring[serverIndex] = false;
        simulated.get(serverIndex).clear();
        atlas.onServerJoined(nowNs, serverIndex, session[serverIndex], 0);
    }

    void add(final long entityId, final long x, final long y)
    {
        final long life = incarnation.merge(entityId, 1L, Long::sum);
        ids.add(entityId);
        position.put(entityId, new long[]{x, y});
        cache.put(entityId, new long[]{0, forwarded.getOrDefault(entityId, 0L)});
        atlas.onEntityAdded(entityId, life, 0, false, x, y, 0, 0);
    }

    /**
     * The entity leaves the world (its server destroyed it): the cache drops it, its authority stops simulating it.
     */
    void remove(final long entityId)
    {
        ids.remove(entityId);
        position.remove(entityId);
        cache.remove(entityId);
        route.remove(entityId);
        lastEpochSeen.remove(entityId);
        for (final Map<Long, long[]> server : simulated)
        {
            server.remove(entityId);
        }
        atlas.onEntityRemoved(entityId, incarnation.get(entityId));
    }

    void moveTo(final long entityId, final long x, final long y)
    {
        final long[] p = position.get(entityId);
        p[0] = x;
        p[1] = y;
        atlas.onEntityMoved(entityId, incarnation.get(entityId), 0, x, y, 0);
    }

    /**
     * One tick: every player sends an input, servers answer what is due and write their state, the fleet acts, Atlas
     * ticks; then the invariants are checked.
     */
    void tick()
    {
        nowNs += TICK_NS;
        tick++;
        for (final long id : ids)
        {
            if (EntityIdSpace.isPlayer(id))
            {
                sent.merge(id, 1L, Long::sum);
                forward(id);
            }
        }
        answerDue();
        for (int s = 0; s < servers; s++)
        {
            writeState(s);
        }
        runFleet();
        for (int s = 0; s < servers; s++)
        {
            if (0 != session[s])
            {
                atlas.onServerSeen(s, session[s], nowNs, true);
            }
        }
        atlas.onTick(nowNs, tick, 0, true);
        check();
    }

    /**
     * Ticks until nothing is in flight or waiting, and every player's latest input has been applied.
     */
    void settle(final int maxTicks)
    {
        for (int i = 0; i < maxTicks; i++)
        {
            tick();
            if (0 == atlas.handoffsInFlight() && answers.isEmpty() && 0 == counter(OrreryCounter.HANDOFFS_WAITING))
            {
                return;
            }
        }
        fail("not settled within " + maxTicks + " ticks: " + atlas.handoffsInFlight() + " in flight");
    }

    long counter(final OrreryCounter counter)
    {
        return counters[counter.id()].get();
    }

    // ------------------------------------------------------------------ servers and mesh

    private void forward(final long id)
    {
        final Integer to = route.get(id);
        if (null == to || NO_SERVER == to)
        {
            return; // held
        }
        final long upTo = sent.getOrDefault(id, 0L);
        for (long seq = forwarded.getOrDefault(id, 0L) + 1; seq <= upTo; seq++)
        {
            apply(to, id, seq);
        }
        forwarded.put(id, upTo);
    }

    private void apply(final int server, final long id, final long seq)
    {
        final long[] state = simulated.get(server).get(id);
        if (null == state)
        {
            fail("input " + seq + " of " + id + " forwarded to server index " + server + ", which does not simulate " +
                "it, at tick " + tick);
        }
        state[1] = seq;
        applied.computeIfAbsent(id, (k) -> new int[1 << 14])[(int)seq]++;
    }

    private void writeState(final int server)
    {
        for (final Map.Entry<Long, long[]> e : simulated.get(server).entrySet())
        {
            final long id = e.getKey();
            final long[] state = e.getValue();
            if (atlas.authorityOf(id) == serverId(server) && atlas.epochOf(id) == state[0])
            {
                final long[] cached = cache.get(id);
                cached[0] = state[0];
                cached[1] = state[1];
            }
        }
    }

    private void answerDue()
    {
        for (int i = 0; i < answers.size(); i++)
        {
            final long[] a = answers.get(i);
            if (a[0] > tick)
            {
                continue;
            }
            answers.remove(i--);
            final int server = (int)a[2];
            final long id = a[3];
            if (0 == session[server] || !cache.containsKey(id))
            {
                continue;
            }
            if (RELEASE == a[1])
            {
                final long[] state = simulated.get(server).remove(id);
                if (null != state)
                {
                    final long[] cached = cache.get(id);
                    cached[0] = state[0];
                    cached[1] = state[1];
                    atlas.onStreamOut(nowNs, server, session[server], id, state[0]);
                }
            }
            else
            {
                atlas.onHandoffAccepted(nowNs, server, session[server], a[4], id);
            }
        }
    }

    private void runFleet()
    {
        for (int s = 0; s < servers; s++)
        {
            if (startAtTick[s] >= 0 && tick >= startAtTick[s])
            {
                startAtTick[s] = -1;
                if (0 == session[s])
                {
                    events.add("tick " + tick + ": fleet started server index " + s);
                    startServer(s);
                }
            }
            if (stopAtTick[s] >= 0 && tick >= stopAtTick[s])
            {
                stopAtTick[s] = -1;
                if (0 != session[s])
                {
                    events.add("tick " + tick + ": fleet stopped server index " + s + " simulating " +
                        simulated.get(s).size());
                    entitiesOnStoppedServers += simulated.get(s).size();
                    final long stopped = session[s];
                    session[s] = 0;
                    simulated.get(s).clear();
                    atlas.onServerFailed(nowNs, s, stopped); // its session ends: the layer tells Atlas
                }
            }
        }
    }

    private int serverId(final int serverIndex)
    {
        return atlas.config().serverIds()[serverIndex];
    }

    private void simulate(final int server, final long id, final long epoch)
    {
        final long[] cached = cache.get(id);
        if (retiring[server])
        {
            entitiesGivenToRetiringServers++;
            events.add("tick " + tick + ": entity " + id + " given to server index " + server +
                " after its retirement was requested");
        }
        simulated.get(server).put(id, new long[]{epoch, cached[1]});
        route.put(id, server);
        forwarded.put(id, cached[1]); // the held inputs above the cached last applied one, once
        forward(id);
    }

    // ------------------------------------------------------------------ invariants

    private void check()
    {
        final int[] inFlightTo = new int[servers];
        boolean splitInFlight = false;
        boolean mergeInFlight = false;
        for (final long id : ids)
        {
            int owners = 0;
            for (int s = 0; s < servers; s++)
            {
                owners += simulated.get(s).containsKey(id) ? 1 : 0;
            }
            assertTrue(owners <= 1, "entity " + id + " simulated by " + owners + " servers at tick " + tick);
            final int authority = atlas.authorityOf(id);
            if (!atlas.isHandingOff(id))
            {
                assertEquals(0 == authority ? 0 : 1, owners, "entity " + id + " outside a handoff at tick " + tick);
                if (0 != authority)
                {
                    final int index = indexOf(authority);
                    final long[] state = simulated.get(index).get(id);
                    assertTrue(null != state, "entity " + id + " not on its authority at tick " + tick);
                    assertEquals(atlas.epochOf(id), state[0], "epoch of " + id + " on its authority");
                }
            }
            else
            {
                final int target = indexOf(atlas.handoffTargetOf(id));
                inFlightTo[target]++;
                splitInFlight |= atlas.config().territory(territoryOf(target)).spare;
                mergeInFlight |= mergingAway(indexOf(authority));
            }
            final long epoch = atlas.epochOf(id);
            final Long before = lastEpochSeen.put(id, epoch);
            assertTrue(null == before || epoch >= before, "epoch of " + id + " went down at tick " + tick);
        }
        for (int s = 0; s < servers; s++)
        {
            maxInFlightToOneServer = Math.max(maxInFlightToOneServer, inFlightTo[s]);
            assertTrue(0 == pacing || inFlightTo[s] <= pacing, "handoffs in flight to server index " + s + ": " +
                inFlightTo[s] + " at tick " + tick);
        }
        ticksWithSplitAndMergeInFlight += splitInFlight && mergeInFlight ? 1 : 0;
    }

    /**
     * @return whether a server holds no box any more (merged away) but still simulates entities.
     */
    private boolean mergingAway(final int server)
    {
        for (int t = 0; t < atlas.config().territoryCount(); t++)
        {
            if (atlas.territoryServerId(t) == serverId(server) &&
                atlas.territoryFace(t, 0, true) > atlas.territoryFace(t, 0, false))
            {
                return false;
            }
        }
        return true;
    }

    private int territoryOf(final int server)
    {
        for (int t = 0; t < atlas.config().territoryCount(); t++)
        {
            if (atlas.config().territory(t).serverId == serverId(server))
            {
                return t;
            }
        }
        return 0;
    }

    private int indexOf(final int serverId)
    {
        final int[] serverIds = atlas.config().serverIds();
        for (int s = 0; s < serverIds.length; s++)
        {
            if (serverIds[s] == serverId)
            {
                return s;
            }
        }
        throw new IllegalArgumentException("server " + serverId);
    }

    /**
     * Every input each player sent was applied exactly once (call after {@link #settle}).
     *
     * @return inputs checked.
     */
    long assertEveryInputAppliedOnce()
    {
        long checked = 0;
        for (final Map.Entry<Long, Long> e : sent.entrySet())
        {
            final long id = e.getKey();
            final int[] counts = applied.getOrDefault(id, new int[1 << 14]);
            int missing = 0;
            int twice = 0;
            for (int seq = 1; seq <= e.getValue(); seq++)
            {
                missing += 0 == counts[seq] ? 1 : 0;
                twice += counts[seq] > 1 ? 1 : 0;
            }
            assertEquals(0, twice, "inputs of player " + id + " applied twice");
            assertEquals(0, missing, "inputs of player " + id + " never applied");
            checked += e.getValue();
        }
        return checked;
    }

    // ------------------------------------------------------------------ Atlas's decisions

    @Override
    public void onTerritoryGranted(
        final int territoryIndex, final int serverIndex, final long sessionId, final long territoryEpoch)
    {
        events.add("tick " + tick + ": territory " + territoryIndex + " granted to server index " + serverIndex);
    }

    @Override
    public void onTerritoryResized(
        final int territoryIndex,
        final int serverIndex,
        final long sessionId,
        final long minX,
        final long minY,
        final long minZ,
        final long maxX,
        final long maxY,
        final long maxZ,
        final long territoryEpoch)
    {
    }

    @Override
    public void onServerWanted(final int serverIndex, final boolean wanted)
    {
        events.add("tick " + tick + ": server index " + serverIndex + (wanted ? " wanted" : " to retire"));
        if (wanted)
        {
            startAtTick[serverIndex] = tick + fleetDelayTicks;
        }
        else
        {
            retiring[serverIndex] = true;
            stopAtTick[serverIndex] = tick + fleetDelayTicks;
        }
    }

    @Override
    public void onTerritoryFreed(final int territoryIndex, final int serverIndex, final long sessionId)
    {
    }

    @Override
    public void onServerRetired(final int serverIndex, final long sessionId, final boolean failedOver)
    {
        events.add("tick " + tick + ": server index " + serverIndex + " retired, failed over " + failedOver);
    }

    @Override
    public void onAuthorityAssigned(
        final long entityId, final long incarnation, final int serverIndex, final long sessionId,
        final int territoryId, final long epoch)
    {
        assertEquals(session[serverIndex], sessionId);
        simulate(serverIndex, entityId, epoch);
    }

    @Override
    public void onHandoffStarted(
        final long handoffId,
        final long entityId,
        final long incarnation,
        final int fromIndex,
        final long fromSessionId,
        final int toIndex,
        final long toSessionId,
        final int territoryId,
        final long newEpoch)
    {
        route.put(entityId, NO_SERVER); // held from now until the commit
        answers.add(new long[]{tick + random.nextInt(maxAnswerDelayTicks + 1), RELEASE, fromIndex, entityId, 0});
        answers.add(new long[]{tick + random.nextInt(maxAnswerDelayTicks + 1), ACCEPT, toIndex, entityId,
            handoffId});
    }

    @Override
    public void onHandoffCommitted(
        final long handoffId,
        final long entityId,
        final long incarnation,
        final int fromIndex,
        final int toIndex,
        final long toSessionId,
        final long newEpoch)
    {
        assertTrue(!simulated.get(fromIndex).containsKey(entityId) || 0 == session[fromIndex],
            "committed while server index " + fromIndex + " still simulates " + entityId + " at tick " + tick);
        simulate(toIndex, entityId, newEpoch);
    }

    @Override
    public void onHandoffAbandoned(final long entityId, final long incarnation, final boolean orphaned)
    {
        if (orphaned)
        {
            route.put(entityId, NO_SERVER);
        }
        else
        {
            route.put(entityId, indexOf(atlas.authorityOf(entityId)));
            forward(entityId);
        }
    }

    @Override
    public void onAuthorityCleared(final long entityId, final long incarnation)
    {
        route.put(entityId, NO_SERVER);
        for (final Map<Long, long[]> server : simulated)
        {
            server.remove(entityId);
        }
    }
}
