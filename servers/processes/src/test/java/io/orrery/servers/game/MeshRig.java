/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers.game;

import io.aeron.Aeron;
import io.orrery.core.ReplicationLayer;
import io.orrery.core.ThreadingMode;
import io.orrery.core.atlas.ShardConfig;
import io.orrery.core.auth.SessionTokens;
import io.orrery.core.client.ClientLink;
import io.orrery.core.client.ClientListener;
import io.orrery.core.client.ClientSession;
import io.orrery.core.server.ServerLink;
import io.orrery.test.AllocationMeter;
import org.agrona.CloseHelper;
import org.agrona.concurrent.CachedNanoClock;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A shard on one test thread: a Replication Layer in INVOKER mode with a shard config over its real embedded media
 * driver, game server agents and a client link, all stepped by {@link #tick()} with one controlled clock. Conditions
 * are awaited with wall-clock deadlines, never sleeps.
 */
final class MeshRig implements AutoCloseable
{
    static final byte[] SECRET = "game-server-test-secret-0123456789".getBytes(StandardCharsets.UTF_8);
    static final long TICK_NS = TimeUnit.SECONDS.toNanos(1) / 30;
    static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(30);
    static final long MM = 1000;
    /**
     * Longest wall-clock wait for one server hello's welcome before the clock runs again, see {@link #paceWelcomes()}.
     */
    static final long SERVER_WELCOME_PACE_NS = TimeUnit.SECONDS.toNanos(10);
    /**
     * Virtual time a joining server's link gets for its rejoin backoff (at most 1 s) before the clock waits for it.
     */
    static final long PACE_AFTER_NS = TimeUnit.MILLISECONDS.toNanos(1500);

    final CachedNanoClock clock = new CachedNanoClock();
    ReplicationLayer layer;
    final Aeron aeron;
    final ClientLink clients;
    final List<GameServerAgent> servers = new ArrayList<>();
    private final SessionTokens playerTokens = new SessionTokens(SECRET);
    private boolean metering;
    private long serverBytes;
    private final String shardConfig;
    private final java.util.function.Consumer<ReplicationLayer.Context> customise;
    private final io.aeron.driver.MediaDriver driver;
    private boolean layerFrozen;
    private boolean paceWelcomes;
    private io.orrery.core.replicant.SecondaryReplicantAgent[] secondaries;
    private final List<ClientSession> sessions = new ArrayList<>();
    private final org.agrona.collections.Object2LongHashMap<ClientSession> welcomesBeforeLayer =
        new org.agrona.collections.Object2LongHashMap<>(0);
    private final org.agrona.collections.Object2LongHashMap<GameServerAgent> pacedHello =
        new org.agrona.collections.Object2LongHashMap<>(Long.MIN_VALUE);
    private final org.agrona.collections.Object2LongHashMap<GameServerAgent> joiningSinceNs =
        new org.agrona.collections.Object2LongHashMap<>(Long.MIN_VALUE);
    private final org.agrona.collections.Object2LongHashMap<GameServerAgent> lossesAtClose =
        new org.agrona.collections.Object2LongHashMap<>(Long.MIN_VALUE);
    private long serverWelcomeWaits;
    private long serverLossWaits;
    private long serverLossWaitsGivenUp;
    private long serverWelcomeWaitsGivenUp;

    MeshRig(final String shardConfig)
    {
        this(shardConfig, (ctx) -> {});
    }

    /**
     * @param customise changes the layer's context after the rig's defaults (a store, OCS settings).
     */
    MeshRig(final String shardConfig, final java.util.function.Consumer<ReplicationLayer.Context> customise)
    {
        this(shardConfig, customise, false);
    }

    /**
     * @param externalDriver run the media driver in the rig, apart from the layer, so the layer can be closed and
     *                       launched again on the same driver ({@link #closeLayer()}, {@link #launchLayer()}).
     */
    MeshRig(
        final String shardConfig,
        final java.util.function.Consumer<ReplicationLayer.Context> customise,
        final boolean externalDriver)
    {
        this.shardConfig = shardConfig;
        this.customise = customise;
        clock.update(TimeUnit.SECONDS.toNanos(1000));
        driver = externalDriver ? io.aeron.driver.MediaDriver.launchEmbedded(new io.aeron.driver.MediaDriver.Context()
            .threadingMode(io.aeron.driver.ThreadingMode.SHARED)
            .sharedIdleStrategy(new org.agrona.concurrent.BackoffIdleStrategy())
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)) : null;
        launchLayer();
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(layer.aeronDirectoryName()));
        // a rig whose layer can restart resumes its sessions
        clients = new ClientLink(aeron, new ClientLink.Settings().clock(clock).responseStreamId(2001)
            .resume(externalDriver));
    }

    /**
     * Launch a layer (again, on the rig's external driver, after {@link #closeLayer()}).
     */
    void launchLayer()
    {
        final ReplicationLayer.Context ctx = new ReplicationLayer.Context()
            .threadingMode(ThreadingMode.INVOKER)
            .nanoClock(clock)
            .tokenSecret(SECRET)
            .shardConfig(ShardConfig.parse(shardConfig, "test"))
            .maxSessions(64)
            .maxEntities(4096)
            .bubbleRadiusM(300)
            .tickRateHz(30);
        if (null != driver)
        {
            ctx.aeronDirectoryName(driver.aeronDirectoryName());
        }
        customise.accept(ctx);
        layer = ReplicationLayer.launch(ctx);
        secondaries = layer.secondaries();
        for (int i = 0, size = sessions.size(); i < size; i++)
        {
            final ClientSession session = sessions.get(i);
            welcomesBeforeLayer.put(session, welcomes(session));
        }
    }

    /**
     * @return welcomes a session has read so far (of any layer), assuming it was welcomed once before resuming.
     */
    private static long welcomes(final ClientSession session)
    {
        return 1 + session.resumptions();
    }

    /**
     * Do not advance the clock while the layer holds a session whose client has not read its welcome yet (a
     * resumption after {@link #launchLayer()}), up to the wall-clock deadline.
     * <p>
     * The layer opens a session when it sends the welcome, and times it out after the session timeout (5 s) without a
     * heartbeat; the client heartbeats once it has read the welcome, which needs its Aeron client's conductor thread
     * to have seen the response image appear. Virtual ticks take about a millisecond: on a starved machine that
     * thread may not run for 150 of them, and the layer then times out a session its client never knew it had (the
     * client, welcomed late, is then disconnected for good). Only for rigs whose every session comes from
     * {@link #connect(long)}: the layer's sessions are compared with them by number.
     * <p>
     * Game servers too: while the layer is stepped and a server's link is joining it (its rejoin backoff over, see
     * {@link #awaitServerWelcomes()}), the clock waits (wall clock, at most {@link #SERVER_WELCOME_PACE_NS} per
     * attempt) for the welcome. The link sends its hello once the media driver has connected its new publication,
     * the layer reads it once its Aeron client has seen that image, and the server reads the welcome once its own
     * has seen the layer's response image: all real-time threads. Without this, virtual time ran on while they
     * lagged and a rejoin took 20-53 s of virtual time. A hello the layer never answers (a wrong secret, a dead subscription) costs the budget once, then
     * the clock runs again so the link's own resend or abandon logic is exercised as without pacing.
     */
    MeshRig paceWelcomes()
    {
        paceWelcomes = true;
        return this;
    }

    /**
     * Stop stepping the layer without closing it, as if its process were killed: its publications and
     * subscriptions stay in the media driver, nothing more comes from it.
     */
    void freezeLayer()
    {
        layerFrozen = true;
    }

    /**
     * Step a frozen layer again: what reached it meanwhile (hellos on its ingress images) is read now.
     */
    void thawLayer()
    {
        layerFrozen = false;
    }

    /**
     * Close the layer (its publications and subscriptions go away); the rig keeps stepping everything else.
     */
    void closeLayer()
    {
        for (int i = 0, size = servers.size(); i < size; i++)
        {
            final GameServerAgent server = servers.get(i);
            if (ServerLink.State.CONNECTED == server.link().state())
            {
                lossesAtClose.put(server, server.link().layerLosses());
            }
        }
        CloseHelper.quietClose(layer);
        layer = null;
        layerFrozen = false;
    }

    GameServerAgent addServer(final int serverId, final WorldSettings world)
    {
        return addServer(serverId, world, SECRET);
    }

    GameServerAgent addServer(final int serverId, final WorldSettings world, final byte[] secret)
    {
        return addServer(serverId, world, secret, 0);
    }

    /**
     * @param layerTimeoutNs the server link's layer silence timeout, or 0 for its default (1 s): a test that does not
     *                       test silence detection can make it generous, so a media driver thread starved while
     *                       virtual ticks run cannot make a server believe the layer is gone and rejoin mid-test.
     */
    GameServerAgent addServer(
        final int serverId, final WorldSettings world, final byte[] secret, final long layerTimeoutNs)
    {
        final ServerLink.Context link = new ServerLink.Context();
        if (layerTimeoutNs > 0)
        {
            link.layerTimeoutNs(layerTimeoutNs);
        }
        final GameServerAgent agent = new GameServerAgent(
            new GameServerAgent.Settings().world(world).clock(clock).loadReportIntervalNs(TimeUnit.MILLISECONDS
                .toNanos(200)).layerGraceNs(TimeUnit.SECONDS.toNanos(120)),
            link
                .aeron(aeron)
                .nanoClock(clock)
                .serverId(serverId)
                .token(SessionTokens.forServers(secret).issue(serverId, System.currentTimeMillis() + 60_000))
                .ingressChannel(layer.context().serverIngressChannel())
                .ingressStreamId(layer.context().serverIngressStreamId())
                // virtual ticks outrun the media driver's own thread (images appear after many of them): rejoin
                // attempts and the grace period are generous in virtual time
                .rejoinHelloTimeoutNs(TimeUnit.SECONDS.toNanos(5)));
        servers.add(agent);
        agent.onStart();
        return agent;
    }

    ClientSession connect(final long playerId)
    {
        return connect(playerId, ClientListener.NO_OP);
    }

    ClientSession connect(final long playerId, final ClientListener listener)
    {
        final ClientSession session = clients.connect(
            playerTokens.issue(playerId, System.currentTimeMillis() + 60_000), listener);
        sessions.add(session);
        await(() -> session.state() != ClientSession.State.CONNECTING &&
            session.state() != ClientSession.State.AWAITING_WELCOME, "session " + playerId + " handshake");
        return session;
    }

    /**
     * Send one input, polling until the publication takes it (a back-pressured offer consumes no sequence).
     *
     * @return its sequence.
     */
    long send(final ClientSession session, final float moveX, final float moveY)
    {
        final long deadline = System.nanoTime() + DEADLINE_NS;
        long sequence;
        while ((sequence = session.sendInput(moveX, moveY, 0, 0, 0, 0, clock.nanoTime())) <= 0)
        {
            poll();
            if (System.nanoTime() - deadline > 0)
            {
                fail("input not sent: " + sequence);
            }
        }
        return sequence;
    }

    int poll()
    {
        int work = null == layer || layerFrozen ? 0 : layer.doWork();
        for (int i = 0; i < servers.size(); i++)
        {
            if (metering)
            {
                final long before = AllocationMeter.threadAllocatedBytes();
                work += servers.get(i).doWork();
                serverBytes += AllocationMeter.threadAllocatedBytes() - before;
            }
            else
            {
                work += servers.get(i).doWork();
            }
        }
        return work + clients.doWork();
    }

    /**
     * Count the bytes allocated inside the game servers' {@code doWork()} only.
     */
    void meterServers(final boolean enabled)
    {
        metering = enabled;
    }

    long serverBytesAllocated()
    {
        return serverBytes;
    }

    /**
     * Advance the clock one tick (once the clients have read their welcomes, see {@link #paceWelcomes()}), poll
     * everything until idle, then until the media driver has reopened every publication's window (every
     * Replicant's): IPC publisher limits are moved by the driver's own thread, and on a starved machine virtual ticks
     * would otherwise outrun it, back-pressure the servers' heartbeats and fail them over.
     */
    void tick()
    {
        if (paceWelcomes)
        {
            await(this::welcomesRead, "clients to read the welcomes of the sessions the layer opened");
            awaitServerLosses();
            awaitServerWelcomes();
        }
        clock.advance(TICK_NS);
        drain();
        await(this::windowsOpen, "the media driver to reopen publication windows");
    }

    /**
     * @return true unless a session is handshaking (a resumption) while the layer holds more sessions than the
     * clients know the current layer welcomed: then a welcome is on its way and the clock must wait for it.
     */
    private boolean welcomesRead()
    {
        if (null == layer || layerFrozen || null == layer.gateway())
        {
            return true;
        }
        int handshaking = 0;
        int welcomedByThisLayer = 0;
        for (int i = 0, size = sessions.size(); i < size; i++)
        {
            final ClientSession session = sessions.get(i);
            switch (session.state())
            {
                case CONNECTED:
                    if (welcomes(session) > welcomesBeforeLayer.getValue(session))
                    {
                        welcomedByThisLayer++;
                    }
                    break;

                case CONNECTING:
                case AWAITING_WELCOME:
                case RESUMING:
                    handshaking++;
                    break;

                default:
                    break;
            }
        }
        return 0 == handshaking || layer.gateway().activeSessionCount() <= welcomedByThisLayer;
    }

    /**
     * Wait (no virtual time, at most {@link #SERVER_WELCOME_PACE_NS} of wall-clock time, without failing) for every
     * server that was connected when {@link #closeLayer()} closed the layer to find it gone. A server hears of a
     * closed layer only when its Aeron client sees the layer's response image go (a real-time thread, after the
     * driver's linger), else after its silence timeout: three of the layer's server heartbeat intervals, about 20 s
     * of virtual time, which ran out the tests' allowance for the rejoin. Since session 17 a cleanly closed layer
     * says goodbye ({@code ServerGoodbye}), which a server reads on its next poll, so this wait normally ends at once;
     * it stays for a goodbye the layer could not offer (best effort).
     */
    private void awaitServerLosses()
    {
        if (lossesAtClose.isEmpty())
        {
            return;
        }
        serverLossWaits++;
        final long deadline = System.nanoTime() + SERVER_WELCOME_PACE_NS;
        while (!serversFoundLoss())
        {
            if (poll() == 0)
            {
                Thread.onSpinWait();
            }
            if (System.nanoTime() - deadline > 0)
            {
                serverLossWaitsGivenUp++;
                break;
            }
        }
        lossesAtClose.clear();
    }

    private boolean serversFoundLoss()
    {
        for (int i = 0, size = servers.size(); i < size; i++)
        {
            final GameServerAgent server = servers.get(i);
            final long losses = lossesAtClose.getValue(server);
            if (Long.MIN_VALUE != losses && server.link().layerLosses() == losses)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @return {@link #closeLayer()} calls after which the clock waited for the servers to find the layer gone, and
     * of them those whose wait ran out of wall-clock time.
     */
    String serverLossWaits()
    {
        return serverLossWaits + " (given up " + serverLossWaitsGivenUp + ")";
    }

    /**
     * Wait (no virtual time) for every server joining the stepped layer to be welcomed, at most
     * {@link #SERVER_WELCOME_PACE_NS} of wall-clock time per attempt (a resend is a new one), without failing: from
     * its hello, or from {@link #PACE_AFTER_NS} into its rejoin (past the backoff, while the media driver connects
     * the attempt's new publication, which the link waits for without a timeout).
     */
    private void awaitServerWelcomes()
    {
        if (null == layer || layerFrozen)
        {
            return;
        }
        final long nowNs = clock.nanoTime();
        for (int i = 0, size = servers.size(); i < size; i++)
        {
            final GameServerAgent server = servers.get(i);
            final ServerLink link = server.link();
            final ServerLink.State state = link.state();
            if (ServerLink.State.CONNECTING != state && ServerLink.State.AWAITING_WELCOME != state)
            {
                joiningSinceNs.remove(server);
                continue;
            }
            if (!joiningSinceNs.containsKey(server))
            {
                joiningSinceNs.put(server, nowNs);
            }
            // a rejoin's backoff (at most 1 s) runs in virtual time: only after it is the attempt's publication up
            if (ServerLink.State.CONNECTING == state && nowNs - joiningSinceNs.getValue(server) < PACE_AFTER_NS)
            {
                continue;
            }
            final long attempt = link.layerLosses() * 1_000_000L + link.helloResends();
            if (pacedHello.getValue(server) == attempt)
            {
                continue; // this attempt's wait is used up: its timeouts run in virtual time
            }
            pacedHello.put(server, attempt);
            serverWelcomeWaits++;
            final long deadline = System.nanoTime() + SERVER_WELCOME_PACE_NS;
            while (ServerLink.State.CONNECTED != link.state() && null != layer && !layerFrozen &&
                (ServerLink.State.CONNECTING == link.state() || ServerLink.State.AWAITING_WELCOME == link.state()))
            {
                if (poll() == 0)
                {
                    Thread.onSpinWait();
                }
                if (System.nanoTime() - deadline > 0)
                {
                    serverWelcomeWaitsGivenUp++;
                    break;
                }
            }
        }
    }

    /**
     * @return server hellos the clock waited for ({@link #paceWelcomes()}).
     */
    long serverWelcomeWaits()
    {
        return serverWelcomeWaits;
    }

    /**
     * @return server hellos whose wait ran out of wall-clock time before the welcome ({@link #paceWelcomes()}).
     */
    long serverWelcomeWaitsGivenUp()
    {
        return serverWelcomeWaitsGivenUp;
    }

    private boolean windowsOpen()
    {
        for (int i = 0, size = servers.size(); i < size; i++)
        {
            if (!servers.get(i).isIngressWindowOpen())
            {
                return false;
            }
        }
        if (null == layer)
        {
            return true;
        }
        for (final io.orrery.core.replicant.SecondaryReplicantAgent secondary : secondaries)
        {
            if (!secondary.isEgressWindowOpen())
            {
                return false;
            }
        }
        return layer.replicant().isEgressWindowOpen();
    }

    void ticks(final int count)
    {
        for (int i = 0; i < count; i++)
        {
            tick();
        }
    }

    void drain()
    {
        int idle = 0;
        final long deadline = System.nanoTime() + DEADLINE_NS;
        while (idle < 3)
        {
            idle = poll() == 0 ? idle + 1 : 0;
            if (System.nanoTime() - deadline > 0)
            {
                fail("shard did not go idle");
            }
        }
    }

    void await(final BooleanSupplier condition, final String what)
    {
        final long deadline = System.nanoTime() + DEADLINE_NS;
        while (!condition.getAsBoolean())
        {
            if (poll() == 0)
            {
                Thread.onSpinWait();
            }
            if (System.nanoTime() - deadline > 0)
            {
                fail("timed out waiting for " + what);
            }
        }
    }

    /**
     * Tick until a condition holds.
     */
    void ticksUntil(final BooleanSupplier condition, final int maxTicks, final String what)
    {
        ticksUntil(condition, maxTicks, () -> what);
    }

    /**
     * Tick until a condition holds; the description is built only on failure (with the state at that time).
     */
    void ticksUntil(final BooleanSupplier condition, final int maxTicks, final java.util.function.Supplier<String> what)
    {
        for (int i = 0; i < maxTicks; i++)
        {
            if (condition.getAsBoolean())
            {
                return;
            }
            tick();
        }
        // Ticks are virtual and take microseconds, but IPC publisher limits are moved by the media driver's own
        // thread: on a starved machine it may not have run at all during maxTicks ticks, leaving publications
        // back-pressured. Before failing, keep ticking with real time between ticks, up to the wall-clock deadline.
        final long deadline = System.nanoTime() + DEADLINE_NS;
        while (!condition.getAsBoolean() && System.nanoTime() - deadline < 0)
        {
            final long pauseUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(5);
            while (System.nanoTime() - pauseUntil < 0)
            {
                if (poll() == 0)
                {
                    Thread.onSpinWait();
                }
            }
            tick();
        }
        if (!condition.getAsBoolean())
        {
            fail("not within " + maxTicks + " ticks nor the deadline: " + what.get());
        }
    }

    @Override
    public void close()
    {
        for (final GameServerAgent server : servers)
        {
            CloseHelper.quietClose(server::onClose);
        }
        CloseHelper.quietClose(clients);
        CloseHelper.quietClose(aeron);
        CloseHelper.quietClose(layer);
        CloseHelper.quietClose(driver);
    }
}
