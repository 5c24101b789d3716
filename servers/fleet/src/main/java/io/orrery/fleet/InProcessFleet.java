/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.fleet;

import io.aeron.Aeron;
import io.orrery.core.auth.TokenSecrets;
import io.orrery.core.server.ServerLink;
import io.orrery.core.status.AgentDeath;
import io.orrery.link.DriverLoss;
import io.orrery.servers.GameServer;
import io.orrery.servers.game.GameServerAgent;
import org.agrona.CloseHelper;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.NanoClock;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Fleet} of game servers in this JVM (as the shard launcher's in-process mode): each member a
 * {@link GameServerAgent} on its own {@link AgentRunner} thread with the game server's backoff idle strategy, its
 * server link on a shared {@link Aeron} client (if one is given) or on its own client of the shard's media driver
 * directory. A member is RUNNING once its agent is welcomed and has run a tick.
 * <p>
 * Stops: graceful closes the runner (the agent ends its simulation and closes its link, which leaves the layer);
 * forcible emulates a killed process: the runner's thread ends without the agent closing its link, so the layer hears
 * nothing more and declares the server dead after its heartbeat timeout (the abandoned link is closed when the fleet
 * closes). Closing a runner waits for its thread (a few milliseconds: the agent's duty cycle is short).
 * <p>
 * Outcomes carry the exit code a {@link GameServer} process would have had ({@link GameServerExits}): 0 after a
 * graceful stop, 65 if the agent reported errors, 69 disconnected, 70 agent thread died, 71 media driver lost, 77
 * rejected by the shard, 137 for a forcible stop.
 * <p>
 * Threading: as {@link Fleet}; the members' agents run on their own threads and are read through their status.
 */
public final class InProcessFleet extends AbstractFleet
{
    private final Aeron aeron;
    private final Int2ObjectHashMap<Server> servers = new Int2ObjectHashMap<>();
    private final List<GameServerAgent> abandoned = new ArrayList<>();

    /**
     * @param policy            the limits.
     * @param defaultConnection settings of servers started by id alone.
     * @param listener          the callbacks, or null.
     * @param clock             the clock of decisions.
     * @param aeron             a client of the shard's media driver for every member's link, or null: each link
     *                          connects its own client to the connection's directory.
     */
    public InProcessFleet(
        final FleetPolicy policy,
        final ShardConnection defaultConnection,
        final FleetListener listener,
        final NanoClock clock,
        final Aeron aeron)
    {
        super(policy, defaultConnection, listener, clock);
        this.aeron = aeron;
    }

    @Override
    protected void launch(final FleetMember member)
    {
        final ShardConnection connection = member.connection();
        byte[] secret = connection.tokenSecret();
        if (null == secret && connection.developmentMode())
        {
            secret = TokenSecrets.developmentSecret();
        }
        if (null == secret)
        {
            throw new IllegalStateException("no token secret and not in development mode");
        }
        final ServerLink.Context linkCtx = new ServerLink.Context()
            .serverId(member.serverId())
            .token(GameServer.issueToken(secret, member.serverId()))
            .ingressChannel(connection.ingressChannel())
            .ingressStreamId(connection.ingressStreamId())
            .connectTimeoutNs(connection.connectTimeoutNs());
        if (null != aeron)
        {
            linkCtx.aeron(aeron);
        }
        else if (null != connection.aeronDirectoryName())
        {
            linkCtx.aeronDirectoryName(connection.aeronDirectoryName());
        }
        final GameServerAgent agent = new GameServerAgent(new GameServerAgent.Settings()
            .world(connection.worldSettings(member.serverId()))
            .layerGraceNs(connection.layerGraceNs()), linkCtx);
        final Server server = new Server(agent);
        server.runner = new AgentRunner(GameServer.newIdleStrategy(), (ex) -> server.errors.incrementAndGet(), null,
            server);
        servers.put(member.serverId(), server);
        AgentDeath.start(server.runner, (thread, cause) -> server.death = cause);
    }

    @Override
    protected void terminate(final FleetMember member, final StopMode mode)
    {
        final Server server = servers.get(member.serverId());
        if (null == server || server.closed)
        {
            return;
        }
        server.killed = StopMode.FORCIBLE == mode;
        CloseHelper.quietClose(server.runner);
        server.closed = true;
        if (server.killed)
        {
            abandoned.add(server.agent);
        }
    }

    @Override
    protected int poll(final FleetMember member, final long nowNs)
    {
        final Server server = servers.get(member.serverId());
        if (null == server)
        {
            return 0;
        }
        final GameServerAgent agent = server.agent;
        final long state = agent.status(GameServerAgent.STATUS_STATE);
        if (MemberState.STARTING == member.state() && GameServerAgent.STATE_RUNNING == state &&
            agent.status(GameServerAgent.STATUS_TICKS) > 0)
        {
            reportRunning(member, nowNs);
            return 1;
        }
        final int exitCode;
        final Throwable death = server.death;
        if (server.closed)
        {
            exitCode = server.killed ? GameServerExits.KILLED :
                server.errors.get() > 0 ? GameServerExits.ERRORS : GameServerExits.CLEAN;
        }
        else if (null != death)
        {
            exitCode = DriverLoss.isDriverLoss(death) ? GameServerExits.DRIVER_LOST : GameServerExits.AGENT_DIED;
        }
        else if (GameServerAgent.STATE_REJECTED == state)
        {
            exitCode = GameServerExits.REJECTED;
        }
        else if (GameServerAgent.STATE_DISCONNECTED == state)
        {
            exitCode = GameServerExits.DISCONNECTED;
        }
        else
        {
            return 0;
        }
        if (!server.closed)
        {
            CloseHelper.quietClose(server.runner);
            server.closed = true;
        }
        servers.remove(member.serverId());
        reportExited(member, exitCode, GameServerExits.describe(exitCode) +
            (null == death ? "" : " (" + death + ")"), nowNs);
        return 1;
    }

    @Override
    protected void closeResources()
    {
        for (final Server server : servers.values())
        {
            CloseHelper.quietClose(server.runner);
        }
        servers.clear();
        for (int i = 0; i < abandoned.size(); i++)
        {
            abandoned.get(i).onClose(); // the link of a member stopped forcibly: its thread is gone
        }
        abandoned.clear();
    }

    /**
     * @return the agent of a member not yet seen gone, or null (for tests: its world and status).
     */
    public GameServerAgent agent(final int serverId)
    {
        final Server server = servers.get(serverId);
        return null == server ? null : server.agent;
    }

    /**
     * A member's agent, wrapped so that a forcible stop can end its thread without closing its link.
     */
    private static final class Server implements Agent
    {
        private final GameServerAgent agent;
        private final AtomicLong errors = new AtomicLong();
        private AgentRunner runner;
        private volatile Throwable death;
        private volatile boolean killed;
        private boolean closed;

        Server(final GameServerAgent agent)
        {
            this.agent = agent;
        }

        @Override
        public void onStart()
        {
            agent.onStart();
        }

        @Override
        public int doWork()
        {
            return agent.doWork();
        }

        @Override
        public void onClose()
        {
            if (!killed)
            {
                agent.onClose();
            }
        }

        @Override
        public String roleName()
        {
            return agent.roleName();
        }
    }
}
