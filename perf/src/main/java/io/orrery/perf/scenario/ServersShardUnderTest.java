/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.perf.scenario;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import io.orrery.core.ReplicationLayer;
import io.orrery.core.ThreadingMode;
import io.orrery.core.atlas.ShardConfig;
import io.orrery.core.server.ServerLink;
import io.orrery.core.status.OrreryCounter;
import io.orrery.servers.GameServer;
import io.orrery.servers.game.GameServerAgent;
import io.orrery.servers.game.WorldSettings;
import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.status.CountersReader;

/**
 * {@code servers > 0}: the hybrid Replication Layer in this process (SHARED threading, embedded media driver in a
 * unique directory, static meshing with the scenario's shard config) and one headless game server per server id of
 * the config, each a {@link GameServerAgent} on its own {@link AgentRunner} thread sharing the layer's Aeron client,
 * built the way {@code io.orrery.launcher.ShardLauncher --mode in-process} builds them. {@link #start(Scenario)}
 * returns once every game server has been welcomed.
 * <p>
 * The shard config is a file path or a bundled one by name ({@code four-servers.shard} on the class path under
 * {@code shards/}); the scenario's {@code spawn-radius-m} and {@code heartbeat-timeout} are appended as override lines
 * (a later line wins).
 * <p>
 * <b>Abrupt stop</b> ({@link #stopServerAbruptly(int)}): each game server agent runs inside a {@link Haltable}
 * wrapper; halting it makes the runner stop calling the game server's {@code doWork()} (no ticks, no state writes,
 * no load reports, nothing polled) while its Aeron publication stays open, as a hung or partitioned process looks
 * to the layer: no goodbye, the layer notices only the missing heartbeat. The halted agent is closed with the rest at
 * {@link #close()}.
 * <p>
 * Threading: see {@link ShardUnderTest}; {@link #stopServerAbruptly(int)} and {@link #serverStatus()} are called by
 * the runner's controlling thread, the agents run on their own threads.
 */
public final class ServersShardUnderTest implements ShardUnderTest
{
    private static final long JOIN_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);
    private static final String SHARD_RESOURCE_PREFIX = "shards/";

    private final byte[] tokenSecret =
        ReplicationLayer.Context.TOKEN_SECRET_DEFAULT.getBytes(StandardCharsets.US_ASCII);
    private final List<GameServerAgent> agents = new ArrayList<>();
    private final List<Haltable> haltables = new ArrayList<>();
    private final List<AgentRunner> runners = new ArrayList<>();
    private final AtomicLong agentErrors = new AtomicLong();
    private ReplicationLayer layer;
    private ShardConfig config;

    @Override
    public void start(final Scenario scenario)
    {
        if (null != layer)
        {
            throw new IllegalStateException("already started");
        }
        config = loadShard(scenario);
        if (config.serverIds().length != scenario.servers())
        {
            throw new IllegalArgumentException("scenario " + scenario.name() + " asks for servers=" +
                scenario.servers() + " but shard config " + config.source() + " has " + config.serverIds().length +
                " " + Arrays.toString(config.serverIds()));
        }
        layer = ReplicationLayer.launch(new ReplicationLayer.Context()
            .threadingMode(ThreadingMode.SHARED)
            .developmentMode(true) // a local benchmark harness on the public development secret; said at launch
            .tokenSecret(tokenSecret)
            .maxSessions(Math.max(ReplicationLayer.Context.MAX_SESSIONS_DEFAULT, scenario.bots() + 64))
            .shardConfig(config));
        try
        {
            for (final int serverId : config.serverIds())
            {
                startServer(scenario, serverId);
            }
            awaitJoined();
        }
        catch (final RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    /**
     * The shard config of a scenario with its overrides applied.
     *
     * @param scenario with {@code shard}, optionally {@code spawn-radius-m} and {@code heartbeat-timeout}.
     * @return the parsed config.
     */
    static ShardConfig loadShard(final Scenario scenario)
    {
        final String shard = scenario.shard();
        final String source;
        String text;
        try
        {
            final Path path = Path.of(shard);
            if (Files.isRegularFile(path))
            {
                source = shard;
                text = Files.readString(path, StandardCharsets.UTF_8);
            }
            else
            {
                source = SHARD_RESOURCE_PREFIX + (shard.endsWith(".shard") ? shard : shard + ".shard");
                try (InputStream in = ShardConfig.class.getClassLoader().getResourceAsStream(source))
                {
                    if (null == in)
                    {
                        throw new IllegalArgumentException("no shard config file or bundled shard named " + shard);
                    }
                    text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read shard config " + shard, ex);
        }
        if (scenario.spawnRadiusM() > 0)
        {
            final ShardConfig original = ShardConfig.parse(text, source);
            text += String.format(Locale.ROOT, "%nspawn %s %s %s %s%n", original.spawnXM(), original.spawnYM(),
                original.spawnZM(), scenario.spawnRadiusM());
        }
        if (scenario.heartbeatTimeoutMs() > 0)
        {
            text += "\nheartbeat-timeout " + scenario.heartbeatTimeoutMs() + "\n";
        }
        return ShardConfig.parse(text, source);
    }

    private void startServer(final Scenario scenario, final int serverId)
    {
        final WorldSettings world = new WorldSettings()
            .tickRateHz(scenario.tickHz())
            .npcsPerTerritory(scenario.npcs())
            .maxSpeedMps(scenario.maxSpeedMps())
            .worldHalfExtentM(scenario.worldHalfExtentM())
            .seed(scenario.seed() + serverId);
        final GameServerAgent agent = new GameServerAgent(
            new GameServerAgent.Settings().world(world),
            new ServerLink.Context()
                .aeron(layer.context().aeron())
                .serverId(serverId)
                .token(GameServer.issueToken(tokenSecret, serverId))
                .ingressChannel(layer.context().serverIngressChannel())
                .ingressStreamId(layer.context().serverIngressStreamId()));
        final Haltable haltable = new Haltable(agent);
        // the game server's own idle strategy: spin briefly, yield, park up to 1 ms (never busy-spin 2 cores)
        final AgentRunner runner = new AgentRunner(
            new BackoffIdleStrategy(10, 20, TimeUnit.MICROSECONDS.toNanos(10), TimeUnit.MILLISECONDS.toNanos(1)),
            (ex) ->
            {
                agentErrors.incrementAndGet();
                ex.printStackTrace(System.err);
            },
            null,
            haltable);
        agents.add(agent);
        haltables.add(haltable);
        runners.add(runner);
        AgentRunner.startOnThread(runner);
    }

    private void awaitJoined()
    {
        final long deadlineNs = System.nanoTime() + JOIN_TIMEOUT_NS;
        while (true)
        {
            int joined = 0;
            for (final GameServerAgent agent : agents)
            {
                final long state = agent.status(GameServerAgent.STATUS_STATE);
                if (GameServerAgent.STATE_REJECTED == state || GameServerAgent.STATE_DISCONNECTED == state)
                {
                    throw new IllegalStateException("game server " + agent.link().serverId() + " was " +
                        (GameServerAgent.STATE_REJECTED == state ? "rejected: " + agent.rejectText() :
                        "disconnected, reason " + agent.disconnectReason()));
                }
                joined += GameServerAgent.STATE_RUNNING == state ? 1 : 0;
            }
            if (joined == agents.size())
            {
                return;
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new IllegalStateException("only " + joined + " of " + agents.size() + " game servers joined " +
                    "within " + TimeUnit.NANOSECONDS.toSeconds(JOIN_TIMEOUT_NS) + " s");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    @Override
    public String aeronDirectory()
    {
        return started().aeronDirectoryName();
    }

    @Override
    public CountersReader countersReader()
    {
        return started().context().aeron().countersReader();
    }

    @Override
    public String clientIngressChannel()
    {
        return started().context().clientIngressChannel();
    }

    @Override
    public int clientIngressStreamId()
    {
        return started().context().clientIngressStreamId();
    }

    @Override
    public byte[] tokenSecret()
    {
        return tokenSecret.clone();
    }

    @Override
    public String description()
    {
        return String.format(Locale.ROOT, "Replication Layer (SHARED threading, embedded media driver, %s meshing " +
            "%s: %d game servers %s, heartbeat timeout %d ms, handoff timeout %d ms) + in-process game server agents",
            null != config && config.balanceIntervalMs() > 0 ? "dynamic" : "static",
            null == config ? "?" : config.source(), null == config ? agents.size() : config.serverIds().length,
            null == config ? "[]" : Arrays.toString(config.serverIds()),
            null == config ? 0 : config.heartbeatTimeoutMs(), null == config ? 0 : config.handoffTimeoutMs());
    }

    @Override
    public int[] serverIds()
    {
        return null == config ? new int[0] : config.serverIds();
    }

    @Override
    public long stopServerAbruptly(final int serverId)
    {
        for (int i = 0; i < agents.size(); i++)
        {
            final GameServerAgent agent = agents.get(i);
            if (agent.link().serverId() == serverId)
            {
                final long players = agent.status(GameServerAgent.STATUS_PLAYERS);
                haltables.get(i).halt();
                return players;
            }
        }
        return -1;
    }

    @Override
    public long serverPlayers(final int serverId)
    {
        for (int i = 0; i < agents.size(); i++)
        {
            final GameServerAgent agent = agents.get(i);
            if (agent.link().serverId() == serverId)
            {
                return agent.status(GameServerAgent.STATUS_PLAYERS);
            }
        }
        return -1;
    }

    /**
     * Whether a game server was stopped with {@link #stopServerAbruptly(int)}.
     *
     * @param serverId which one.
     * @return true once halted.
     */
    public boolean isHalted(final int serverId)
    {
        for (int i = 0; i < agents.size(); i++)
        {
            if (agents.get(i).link().serverId() == serverId)
            {
                return haltables.get(i).isHalted();
            }
        }
        return false;
    }

    /**
     * Errors thrown by game server agents (each also printed).
     *
     * @return how many.
     */
    public long agentErrors()
    {
        return agentErrors.get();
    }

    @Override
    public List<String> serverStatus()
    {
        final List<String> lines = new ArrayList<>(agents.size());
        for (int i = 0; i < agents.size(); i++)
        {
            final GameServerAgent agent = agents.get(i);
            lines.add(String.format(Locale.ROOT,
                "game server %d%s: state %d ticks %d entities %d players %d tick p50 %.1f us max %.1f us " +
                "inputs %d rejected-moves %d handoffs in %d out %d skipped-ticks %d publish-failures %d",
                agent.link().serverId(), haltables.get(i).isHalted() ? " (halted)" : "",
                agent.status(GameServerAgent.STATUS_STATE), agent.status(GameServerAgent.STATUS_TICKS),
                agent.status(GameServerAgent.STATUS_ENTITIES), agent.status(GameServerAgent.STATUS_PLAYERS),
                agent.status(GameServerAgent.STATUS_TICK_P50_NS) / 1e3,
                agent.status(GameServerAgent.STATUS_TICK_MAX_NS) / 1e3,
                agent.status(GameServerAgent.STATUS_INPUTS_APPLIED),
                agent.status(GameServerAgent.STATUS_INPUTS_REJECTED_SPEED),
                agent.status(GameServerAgent.STATUS_HANDOFFS_IN), agent.status(GameServerAgent.STATUS_HANDOFFS_OUT),
                agent.status(GameServerAgent.STATUS_TICKS_SKIPPED),
                agent.status(GameServerAgent.STATUS_PUBLISH_FAILURES)));
        }
        return lines;
    }

    /**
     * A layer counter, for tests.
     *
     * @param counter which one.
     * @return its value.
     */
    public long counter(final OrreryCounter counter)
    {
        return started().counter(counter);
    }

    @Override
    public ReplicationLayer layer()
    {
        return layer;
    }

    @Override
    public void close()
    {
        CloseHelper.quietCloseAll(runners);
        runners.clear();
        agents.clear();
        haltables.clear();
        CloseHelper.quietClose(layer);
        layer = null;
    }

    private ReplicationLayer started()
    {
        if (null == layer)
        {
            throw new IllegalStateException("not started");
        }
        return layer;
    }

    /**
     * Runs a game server agent until halted; then does nothing (the wrapped agent is neither worked nor closed) until
     * the runner closes it.
     * <p>
     * Threading: {@link #doWork()} on the runner's thread, {@link #halt()} from any thread.
     */
    static final class Haltable implements Agent
    {
        private final Agent agent;
        private volatile boolean halted;

        Haltable(final Agent agent)
        {
            this.agent = agent;
        }

        void halt()
        {
            halted = true;
        }

        boolean isHalted()
        {
            return halted;
        }

        @Override
        public void onStart()
        {
            agent.onStart();
        }

        @Override
        public int doWork() throws Exception
        {
            return halted ? 0 : agent.doWork();
        }

        @Override
        public void onClose()
        {
            agent.onClose();
        }

        @Override
        public String roleName()
        {
            return agent.roleName();
        }
    }
}
