/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.launcher;

import io.orrery.core.atlas.ServerFleetControl;
import io.orrery.fleet.Fleet;
import io.orrery.fleet.FleetAgent;
import io.orrery.fleet.FleetListener;
import io.orrery.fleet.FleetMember;
import io.orrery.fleet.FleetRequests;
import io.orrery.fleet.InProcessFleet;
import io.orrery.fleet.MemberState;
import io.orrery.servers.GameServer;
import io.orrery.servers.game.GameServerAgent;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The shard launcher's fleet for dynamic meshing: the servers of the shard file's spare-only territories, started
 * and retired when Atlas asks ({@link FleetRequests}, given to the layer as its {@link ServerFleetControl}), by a
 * {@link Fleet} of the launcher's mode run by a {@link FleetAgent} on its own {@link AgentRunner}. It prints each
 * event as it happens (a start asked for, a server running with the time from the mesh's decision to its first
 * simulated tick, a retirement, a server gone) and keeps them for the report.
 * <p>
 * Threading: the fleet, its listener callbacks and the request listener run on the fleet's runner thread; the
 * launcher's main thread reads the events (a concurrent list), the agents of in-process members (their status is
 * published atomically) and, after {@link #close()} joined the runner, the members.
 */
final class ShardFleet implements FleetListener, FleetRequests.Listener, AutoCloseable
{
    private static final long IDLE_MAX_PARK_NS = TimeUnit.MILLISECONDS.toNanos(1);

    private final PrintStream out;
    private final int[] spareServerIds;
    private final NanoClock clock = SystemNanoClock.INSTANCE;
    private final long originNs;
    private final FleetRequests requests;
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final Map<Integer, GameServerAgent> agents = new ConcurrentHashMap<>();
    private final Map<Integer, Long> spinUpNs = new ConcurrentHashMap<>();
    private final Map<Integer, AtomicLong> peakEntities = new ConcurrentHashMap<>();
    private final AtomicInteger started = new AtomicInteger();
    private final AtomicInteger retired = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final AtomicLong errors = new AtomicLong();
    private Fleet fleet;
    private AgentRunner runner;
    private List<FleetMember> members = List.of();
    private boolean closed;

    /**
     * @param out            where events are printed.
     * @param spareServerIds the servers the fleet holds.
     * @param originNs       the launcher's start (System.nanoTime): events are timed from it.
     */
    ShardFleet(final PrintStream out, final int[] spareServerIds, final long originNs)
    {
        this.out = out;
        this.spareServerIds = spareServerIds.clone();
        this.originNs = originNs;
        this.requests = new FleetRequests(clock, this);
    }

    /**
     * @return what the layer's Atlas is given: it only records the requests.
     */
    ServerFleetControl control()
    {
        return requests;
    }

    /**
     * @return the clock the fleet must be built with.
     */
    NanoClock clock()
    {
        return clock;
    }

    int[] spareServerIds()
    {
        return spareServerIds.clone();
    }

    /**
     * Start running the fleet on its own thread; the requests recorded so far are applied on its first duty cycle.
     *
     * @param newFleet builds the fleet with this object as its listener and {@link #clock()}.
     */
    void start(final Function<FleetListener, Fleet> newFleet)
    {
        fleet = newFleet.apply(this);
        runner = new AgentRunner(new BackoffIdleStrategy(1, 1, 1000, IDLE_MAX_PARK_NS),
            (ex) ->
            {
                errors.incrementAndGet();
                ex.printStackTrace(System.err);
            }, null, new FleetAgent(fleet, clock, requests));
        AgentRunner.startOnThread(runner);
    }

    @Override
    public void onRequest(final int serverId, final int type, final long decisionNs, final int result)
    {
        if (FleetRequests.START == type)
        {
            if (Fleet.OK == result)
            {
                started.incrementAndGet();
                event(decisionNs, "server " + serverId + " asked for by the mesh: starting");
            }
            else if (Fleet.ALREADY_MEMBER != result) // Atlas repeats a request while it waits
            {
                event(decisionNs, "server " + serverId + " asked for by the mesh: refused, " +
                    Fleet.resultName(result));
            }
        }
        else if (Fleet.OK == result)
        {
            retired.incrementAndGet();
            event(decisionNs, "server " + serverId + " retired by the mesh: stopping gracefully");
        }
        else
        {
            event(decisionNs, "server " + serverId + " retired by the mesh: left running, " +
                Fleet.resultName(result) + (Fleet.NOT_MEMBER == result ? " (started at launch)" : ""));
        }
    }

    @Override
    public void onMemberStateChange(final Fleet fleet, final FleetMember member, final MemberState previous)
    {
        final int serverId = member.serverId();
        final long nowNs = clock.nanoTime();
        switch (member.state())
        {
            case RUNNING:
            {
                final long decisionNs = requests.startDecisionNs(serverId);
                final long spinUp = Long.MIN_VALUE == decisionNs ? member.spinUpNs() :
                    member.runningNs() - decisionNs;
                spinUpNs.put(serverId, spinUp);
                if (fleet instanceof InProcessFleet)
                {
                    final GameServerAgent agent = ((InProcessFleet)fleet).agent(serverId);
                    if (null != agent)
                    {
                        agents.put(serverId, agent);
                    }
                }
                event(nowNs, String.format(Locale.ROOT,
                    "server %d running: decision to first simulated tick %.1f ms (load average %s)", serverId,
                    spinUp / 1e6, loadAverage()));
                break;
            }
            case STOPPED:
                event(nowNs, "server " + serverId + " stopped: " + member.reason());
                break;
            case FAILED:
                failed.incrementAndGet();
                event(nowNs, "server " + serverId + " FAILED: " + member.reason());
                break;
            default:
                break;
        }
    }

    /**
     * Note the entities of the in-process members (main thread, each progress step).
     */
    void sample()
    {
        for (final Map.Entry<Integer, GameServerAgent> entry : agents.entrySet())
        {
            peakEntities.computeIfAbsent(entry.getKey(), (id) -> new AtomicLong())
                .accumulateAndGet(entry.getValue().status(GameServerAgent.STATUS_ENTITIES), Math::max);
        }
    }

    /**
     * Print a status line of each in-process member.
     */
    void printStatus()
    {
        for (final GameServerAgent agent : agents.values())
        {
            out.println("        " + GameServer.statusLine(agent) + " (fleet)");
        }
    }

    /**
     * Stop the fleet: every member gracefully (forcibly after the stop grace), then the runner. Idempotent.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        sample();
        CloseHelper.quietClose(runner); // its agent closes the fleet on the runner's thread
        if (null != fleet)
        {
            members = fleet.members(); // the runner's thread has ended
        }
    }

    /**
     * @return true if no member failed and the fleet's thread reported no error (after {@link #close()}).
     */
    boolean isOk()
    {
        return 0 == failed.get() && 0 == errors.get();
    }

    /**
     * Print the fleet's figures and events, and each in-process member's summary (after {@link #close()}).
     */
    void report(final String mode)
    {
        out.printf(Locale.ROOT, "fleet (%s, spare servers %s): start requests %d (repeats included), retirements " +
            "%d, dropped %d; started %d, retired %d, failed %d%n", mode, Arrays.toString(spareServerIds),
            requests.starts(), requests.retirements(), requests.dropped(), started.get(), retired.get(), failed.get());
        for (final String event : events)
        {
            out.println("  " + event);
        }
        for (final GameServerAgent agent : agents.values())
        {
            out.println(GameServer.summary(agent));
        }
    }

    /**
     * @return the members once closed (in start order).
     */
    List<FleetMember> members()
    {
        return new ArrayList<>(members);
    }

    /**
     * @return the events so far.
     */
    List<String> events()
    {
        return new ArrayList<>(events);
    }

    /**
     * @return from the mesh's decision to the server's first simulated tick (ns), or -1 if it never ran.
     */
    long spinUpNs(final int serverId)
    {
        return spinUpNs.getOrDefault(serverId, -1L);
    }

    /**
     * @return the most entities an in-process member simulated at a progress step, or -1 if it never ran here.
     */
    long peakEntities(final int serverId)
    {
        final AtomicLong peak = peakEntities.get(serverId);
        return null == peak ? -1 : peak.get();
    }

    /**
     * @return handoffs into an in-process member (it took entities), or -1 if it never ran here.
     */
    long handoffsIn(final int serverId)
    {
        final GameServerAgent agent = agents.get(serverId);
        return null == agent ? -1 : agent.status(GameServerAgent.STATUS_HANDOFFS_IN);
    }

    private void event(final long atNs, final String text)
    {
        final String line = String.format(Locale.ROOT, "fleet %+.1fs: %s", (atNs - originNs) / 1e9, text);
        events.add(line);
        out.println(line);
    }

    static String loadAverage()
    {
        try
        {
            return new String(java.nio.file.Files.readAllBytes(java.nio.file.Paths.get("/proc/loadavg")),
                java.nio.charset.StandardCharsets.US_ASCII).trim();
        }
        catch (final java.io.IOException | RuntimeException ex)
        {
            return "unknown";
        }
    }
}
