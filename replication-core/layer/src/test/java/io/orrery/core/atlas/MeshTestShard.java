/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.aeron.Aeron;
import io.orrery.core.ReplicationLayer;
import io.orrery.core.ThreadingMode;
import io.orrery.core.auth.SessionTokens;
import io.orrery.core.client.ClientLink;
import io.orrery.core.client.ClientListener;
import io.orrery.core.client.ClientSession;
import io.orrery.core.replicant.EntityStore;
import io.orrery.core.server.ServerLink;
import io.orrery.core.status.OrreryCounter;
import org.agrona.CloseHelper;
import org.agrona.concurrent.CachedNanoClock;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A meshed shard for tests: a Replication Layer in INVOKER mode with a {@link ShardConfig} (so a
 * {@link MeshAuthority}), game servers as {@link TestGameServer}s over real {@link ServerLink}s, and a client link,
 * all over one real embedded media driver and stepped on the test thread with one controlled clock.
 */
final class MeshTestShard implements AutoCloseable
{
    static final byte[] SECRET = "mesh-test-secret-0123456789abcdef".getBytes(StandardCharsets.UTF_8);
    static final long TICK_NS = TimeUnit.MILLISECONDS.toNanos(34);
    static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(20);

    final CachedNanoClock clock = new CachedNanoClock();
    final ReplicationLayer layer;
    final Aeron aeron;
    final ClientLink clientLink;
    final SessionTokens playerTokens = new SessionTokens(SECRET);
    final SessionTokens serverTokens = SessionTokens.forServers(SECRET);
    final ArrayList<TestGameServer> servers = new ArrayList<>();
    final ArrayList<TestGameServer> killed = new ArrayList<>();
    /**
     * Further agents stepped with the shard on the rig's thread (e.g. an Atlas of its own: {@link AtlasRemoteAgent}).
     */
    final ArrayList<org.agrona.concurrent.Agent> agents = new ArrayList<>();
    private final BooleanSupplier egressWindowOpen;
    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
    boolean simulateServers = true;
    /**
     * Run in each {@link #tick()} once the layer has ticked (sent its views) and everyone drained, before the
     * servers simulate: the servers then hold what the layer sent of the cache as it still is.
     */
    Runnable afterLayerTick;
    /**
     * The layer is stepped by the rig (INVOKER); otherwise it runs on its own threads on the rig's clock.
     */
    final boolean invoker;
    /**
     * The layer is not stepped (its process froze) while clients and servers still run.
     */
    boolean layerFrozen;
    boolean metering;
    long layerBytes;
    long serverLinkBytes;
    long clientLinkBytes;
    long agentBytes;

    MeshTestShard(final String config, final Consumer<ReplicationLayer.Context> customise)
    {
        clock.update(TimeUnit.SECONDS.toNanos(1000));
        final ReplicationLayer.Context ctx = new ReplicationLayer.Context()
            .threadingMode(ThreadingMode.INVOKER)
            .nanoClock(clock)
            .tokenSecret(SECRET)
            .shardConfig(ShardConfig.parse(config, "test.shard"))
            .maxSessions(16)
            .maxEntities(1024)
            .maxViewEntities(256)
            .tickRateHz(30);
        customise.accept(ctx);
        layer = ReplicationLayer.launch(ctx);
        invoker = ThreadingMode.INVOKER == ctx.threadingMode();
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(layer.aeronDirectoryName()));
        egressWindowOpen = layer.replicant()::isEgressWindowOpen;
        clientLink = new ClientLink(aeron, new ClientLink.Settings().clock(clock).responseStreamId(2001));
    }

    MeshTestShard(final String config)
    {
        this(config, (ctx) -> {});
    }

    Atlas atlas()
    {
        return ((MeshAuthority)layer.context().authority()).atlas();
    }

    ServerMesh mesh()
    {
        return ((MeshAuthority)layer.context().authority()).mesh();
    }

    EntityStore store()
    {
        return layer.replicant().store();
    }

    long counter(final OrreryCounter counter)
    {
        return layer.counter(counter);
    }

    byte[] serverToken(final int serverId)
    {
        return serverTokens.issue(serverId, System.currentTimeMillis() + 60_000);
    }

    ServerLink.Context serverContext(final int serverId, final TestGameServer server)
    {
        return new ServerLink.Context()
            .aeron(aeron)
            .serverId(serverId)
            .token(serverToken(serverId))
            .nanoClock(clock)
            .heartbeatIntervalNs(TimeUnit.MILLISECONDS.toNanos(100))
            .listener(server);
    }

    /**
     * Start a game server and wait until it is welcomed (or refused).
     */
    TestGameServer startServer(final int serverId, final int[] appliedBySequence)
    {
        final TestGameServer server = new TestGameServer(serverId, 30, appliedBySequence);
        return startServer(server, serverContext(serverId, server));
    }

    TestGameServer startServer(final TestGameServer server, final ServerLink.Context ctx)
    {
        server.link = ServerLink.launch(ctx);
        servers.add(server);
        await(() -> server.link.state() != ServerLink.State.CONNECTING &&
            server.link.state() != ServerLink.State.AWAITING_WELCOME, "server " + server.serverId + " handshake");
        drain();
        return server;
    }

    /**
     * The server stops: no more duty cycles, no heartbeats, no simulation (as if its process froze or died).
     */
    void kill(final TestGameServer server)
    {
        servers.remove(server);
        killed.add(server);
    }

    ClientSession connect(final long playerId, final ClientListener listener)
    {
        final ClientSession session = clientLink.connect(
            playerTokens.issue(playerId, System.currentTimeMillis() + 60_000), listener);
        await(() -> session.state() != ClientSession.State.CONNECTING &&
            session.state() != ClientSession.State.AWAITING_WELCOME, "session " + playerId + " handshake");
        return session;
    }

    int poll()
    {
        if (metering)
        {
            return meteredPoll();
        }
        int work = (layerFrozen || !invoker ? 0 : layer.doWork()) + clientLink.doWork();
        for (int i = 0, n = servers.size(); i < n; i++)
        {
            work += servers.get(i).link.doWork();
        }
        return work + stepAgents();
    }

    private int stepAgents()
    {
        int work = 0;
        for (int i = 0, n = agents.size(); i < n; i++)
        {
            try
            {
                work += agents.get(i).doWork();
            }
            catch (final Exception ex)
            {
                throw new IllegalStateException(ex);
            }
        }
        return work;
    }

    private int meteredPoll()
    {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        int work = layer.doWork();
        long after = THREADS.getCurrentThreadAllocatedBytes();
        layerBytes += after - before;
        before = after;
        work += clientLink.doWork();
        after = THREADS.getCurrentThreadAllocatedBytes();
        clientLinkBytes += after - before;
        for (int i = 0, n = servers.size(); i < n; i++)
        {
            before = THREADS.getCurrentThreadAllocatedBytes();
            work += servers.get(i).link.doWork();
            serverLinkBytes += THREADS.getCurrentThreadAllocatedBytes() - before;
        }
        before = THREADS.getCurrentThreadAllocatedBytes();
        work += stepAgents();
        agentBytes += THREADS.getCurrentThreadAllocatedBytes() - before;
        return work;
    }

    private void simulate(final TestGameServer server)
    {
        final long before = metering ? THREADS.getCurrentThreadAllocatedBytes() : 0;
        server.simulate(clock.nanoTime(), TICK_NS / 1e9);
        if (metering)
        {
            serverLinkBytes += THREADS.getCurrentThreadAllocatedBytes() - before;
        }
    }

    /**
     * One tick: the layer ticks (Atlas, interest), everyone drains, the servers simulate and write, everyone drains.
     */
    void tick()
    {
        if (invoker)
        {
            clock.advance(TICK_NS);
        }
        else
        {
            // the layer runs on its own threads: keep the rig's clock at its pace, one layer tick per rig tick. The
            // count is read before the clock moves: the layer ticks once per tick interval of the clock (these servers
            // end no ticks, see TickCompletion) as soon as it sees the new time, and a count read after that tick
            // would wait for one that never comes while the clock stands still
            final long ticks = layer.counter(OrreryCounter.TICKS);
            clock.advance(TICK_NS);
            await(() -> layer.counter(OrreryCounter.TICKS) > ticks, "the layer's tick");
            // Atlas's own thread decided what the tick told it and the Replicant applied that: a virtual clock would
            // otherwise outrun a thread it does not wait for (a join or a failover decided hundreds of ticks late)
            await(this::atlasCaughtUp, "Atlas's thread to decide and the Replicant to apply it");
        }
        poll();
        drain();
        if (null != afterLayerTick)
        {
            afterLayerTick.run();
        }
        if (simulateServers)
        {
            for (int i = 0, n = servers.size(); i < n; i++)
            {
                simulate(servers.get(i));
            }
        }
        drain();
        await(this::windowsOpen, "the media driver to reopen publication windows");
    }

    /**
     * IPC publisher limits are moved by the media driver's own thread: on a starved machine virtual ticks would
     * otherwise outrun it, back-pressure the servers' heartbeats and fail them over.
     */
    private boolean windowsOpen()
    {
        for (int i = 0, size = servers.size(); i < size; i++)
        {
            final ServerLink link = servers.get(i).link;
            if (null != link && !link.isIngressWindowOpen())
            {
                return false;
            }
        }
        return egressWindowOpen.getAsBoolean();
    }

    private boolean atlasCaughtUp()
    {
        return !(layer.context().authority() instanceof MeshAuthority) ||
            0 == ((MeshAuthority)layer.context().authority()).atlasBacklogBytes();
    }

    void drain()
    {
        int idle = 0;
        final long deadline = System.nanoTime() + DEADLINE_NS;
        while (idle < 3)
        {
            idle = poll() == 0 ? idle + 1 : 0;
            if (System.nanoTime() > deadline)
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
            if (System.nanoTime() > deadline)
            {
                dumpState("timed out waiting for " + what);
                fail("timed out waiting for " + what);
            }
        }
    }

    void ticksUntil(final BooleanSupplier condition, final int maxTicks, final String what)
    {
        for (int i = 0; i < maxTicks && !condition.getAsBoolean(); i++)
        {
            tick();
        }
        if (!condition.getAsBoolean())
        {
            dumpState("not reached within " + maxTicks + " ticks: " + what);
            fail("not reached within " + maxTicks + " ticks: " + what);
        }
    }

    /**
     * On a failed wait, print what a flake needs to be understood (in the test's output file): the rig's clock, the
     * layer's non-zero counters and the stacks of the layer's, the media driver's and the rig's threads.
     */
    private void dumpState(final String failure)
    {
        final StringBuilder out = new StringBuilder(4096)
            .append("MeshTestShard: ").append(failure).append(", rig clock ").append(clock.nanoTime())
            .append(" ns, servers ").append(servers.size()).append(", killed ").append(killed.size()).append('\n');
        for (final OrreryCounter counter : OrreryCounter.values())
        {
            final long value = layer.counter(counter);
            if (0 != value)
            {
                out.append("  ").append(counter.name()).append(" = ").append(value).append('\n');
            }
        }
        for (final java.util.Map.Entry<Thread, StackTraceElement[]> entry : Thread.getAllStackTraces().entrySet())
        {
            final Thread thread = entry.getKey();
            out.append("  thread \"").append(thread.getName()).append("\" ").append(thread.getState()).append('\n');
            final StackTraceElement[] stack = entry.getValue();
            for (int i = 0, depth = Math.min(stack.length, 12); i < depth; i++)
            {
                out.append("      at ").append(stack[i]).append('\n');
            }
        }
        System.out.println(out);
    }

    @Override
    public void close()
    {
        for (final TestGameServer server : servers)
        {
            CloseHelper.quietClose(server.link);
        }
        for (final TestGameServer server : killed)
        {
            CloseHelper.quietClose(server.link);
        }
        CloseHelper.quietClose(clientLink);
        CloseHelper.quietClose(aeron);
        CloseHelper.quietClose(layer);
    }
}
